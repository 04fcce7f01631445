//! `starmill demo`: the commensurability documentation's example on built-in data — 500 orbits drawn
//! exactly as the example draws them (numpy default_rng(0)), integrated in MWPotential2014 for
//! 200 samples of 0.01 Gyr, measured in 3-D — written to a folder with a histogram. Needs no input
//! files and no downloads.

use crate::commands::commensurability::{print_summary, run_sample, Dims, IcSource, Pipeline};
use crate::Global;
use starmill_dynamics::Integrator;
use starmill_tessellation::Options;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `starmill demo`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output folder (values.npy, ics.npy, histogram.png, run.json).
    #[arg(long, short, default_value = "starmill-demo")]
    pub output: PathBuf,
    /// Worker threads (default: SLURM_CPUS_PER_TASK if set, else all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Runs the command.
pub fn run(args: Args, global: Global) -> anyhow::Result<ExitCode> {
    starmill_runner::init_threads(args.threads).map_err(anyhow::Error::msg)?;
    let (n, seed) = (500, 0);
    let pipeline =
        Pipeline::new("MWPotential2014", None, 0.01, 200, Integrator::dop853(), Dims::Xyz, Options::default())?;
    let ics = crate::seed::seed_initial_conditions(n, seed);
    if !global.quiet {
        println!(
            "starmill demo: the commensurability example — {n} orbits from numpy default_rng({seed}) (x ~ N(8, 1), y, z ~ N(0, 1) kpc; v = (0, 250, 0) km/s),\nMWPotential2014, 200 samples every 0.01 Gyr, 3-D tessellation measure"
        );
    }
    let report = run_sample(&pipeline, &ics, &IcSource::Random { n, seed }, &args.output, 1024, global.quiet, "demo")?;
    if !global.quiet {
        print_summary(&report, &args.output);
    }
    Ok(if report.failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
