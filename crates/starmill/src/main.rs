//! The `starmill` command line: a thin layer that parses arguments, calls the library crates and
//! reports results. All computation lives in the library crates; this crate owns only argument
//! parsing, output formatting (human text or `--json`), logging set-up and exit codes.

mod commands;
mod seed;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// starmill: orbit commensurability and CCD calibration, exact and on all cores.
#[derive(Parser, Debug)]
#[command(name = "starmill", version, about, long_about = None)]
struct Cli {
    /// Print nothing but errors and the requested output (no progress bars, no log lines).
    #[arg(long, short, global = true)]
    quiet: bool,
    /// More log output (-v info, -vv debug). RUST_LOG overrides.
    #[arg(long, short, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the commensurability example on built-in data (500 orbits, MWPotential2014) and draw its histogram.
    Demo(commands::demo::Args),
    /// Integrate a sample of orbits and measure each (values.npy, histogram.png, run.json).
    Commensurability(commands::commensurability::Args),
    /// Measure every orbit of a grid of initial conditions into HDF5 (resumable, shardable) with phase-space PNGs.
    Scan(commands::scan::Args),
    /// Join the shard files of a scan (starmill scan --shard K/N) into the full result.
    Merge(commands::merge::Args),
    /// Measure how much of space a point cloud (an orbit) fills: Delaunay tessellation and trimming.
    Tessellate(commands::tessellate::Args),
    /// Integrate orbits from initial conditions in a galactic potential (DOP853 or leapfrog, rotating frames).
    Orbit(commands::orbit::Args),
    /// Build master bias/dark/flat and calibrate every science frame of the nights under a folder.
    Calibrate(commands::calibrate::Args),
    /// Write a deterministic synthetic observing night (bias, darks, flats, science) as FITS files.
    SynthNight(commands::synth_night::Args),
}

/// Options every command sees.
#[derive(Debug, Clone, Copy)]
pub struct Global {
    /// Suppress progress bars and informational output.
    pub quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        _ => "debug",
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(level)).format_timestamp(None).init();
    let global = Global { quiet: cli.quiet };
    let result = match cli.command {
        Command::Demo(args) => commands::demo::run(args, global),
        Command::Commensurability(args) => commands::commensurability::run(args, global),
        Command::Scan(args) => commands::scan::run(args, global),
        Command::Merge(args) => commands::merge::run(args, global),
        Command::Tessellate(args) => commands::tessellate::run(args, global),
        Command::Orbit(args) => commands::orbit::run(args, global),
        Command::Calibrate(args) => commands::calibrate::run(args, global),
        Command::SynthNight(args) => commands::synth_night::run(args, global),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
