//! `starmill synth-night`: write a deterministic synthetic observing night of real FITS files.

use crate::Global;
use starmill_ccd::synth::{write_night, SynthOptions};
use std::process::ExitCode;

/// Arguments of `starmill synth-night`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder to write (Bias/, Darks/, Flats/, ScienceImages/ are created inside).
    pub dir: std::path::PathBuf,
    /// Frame width in pixels (NAXIS1).
    #[arg(long, default_value_t = 512)]
    pub width: usize,
    /// Frame height in pixels (NAXIS2).
    #[arg(long, default_value_t = 512)]
    pub height: usize,
    /// Number of bias frames (0 s).
    #[arg(long, default_value_t = 10)]
    pub bias: usize,
    /// Number of dark frames (60 s).
    #[arg(long, default_value_t = 10)]
    pub darks: usize,
    /// Number of flat frames (2–8 s).
    #[arg(long, default_value_t = 10)]
    pub flats: usize,
    /// Number of science frames (45 s).
    #[arg(long, default_value_t = 20)]
    pub science: usize,
    /// Seed of all random draws; the same seed gives the same pixels.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
    /// Plant pixels exercising every calibration edge case (0/0, x/0, negative, exact zero, −0).
    #[arg(long)]
    pub edge_cases: bool,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// Writes the night and prints what was written.
pub fn run(args: Args, global: Global) -> anyhow::Result<ExitCode> {
    let options = SynthOptions {
        width: args.width,
        height: args.height,
        bias: args.bias,
        darks: args.darks,
        flats: args.flats,
        science: args.science,
        seed: args.seed,
        edge_cases: args.edge_cases,
        threads: args.threads,
    };
    let started = std::time::Instant::now();
    let files = write_night(&args.dir, &options)?;
    let bytes: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    if !global.quiet {
        println!(
            "wrote {} frames of {}×{} px ({} bias, {} darks, {} flats, {} science; {:.1} MB) to {} in {:.1} s",
            files.len(),
            args.width,
            args.height,
            args.bias,
            args.darks,
            args.flats,
            args.science,
            bytes as f64 / 1e6,
            args.dir.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
