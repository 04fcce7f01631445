//! `starmill calibrate`: masters and calibrated science frames for every night under a folder.

use crate::Global;
use anyhow::Context;
use starmill_ccd::calibrate::{CalibrateOptions, Outcome};
use starmill_ccd::discover::{discover, format_listing, DiscoverOptions};
use starmill_ccd::fits::OutputType;
use starmill_ccd::masters::{Combine, MasterOptions};
use starmill_ccd::pipeline::{run_night, MasterOrigin, NightOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// How frames are combined into masters.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CombineArg {
    /// Per-pixel median, NaN ignored (eloy).
    Median,
    /// Per-pixel mean after sigma clipping around the median (--sigma, 5 rounds).
    SigmaClip,
}

/// Arguments of `starmill calibrate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder holding the night's raw FITS frames (searched recursively).
    pub dir: PathBuf,
    /// Output folder: <night>/master_{bias,dark,flat}.fits and <night>/calibrated/*.fits.
    #[arg(long, short, default_value = "calibrated")]
    pub output: PathBuf,
    /// Only list the frames found, per night and type, and exit.
    #[arg(long)]
    pub list: bool,
    /// Only this night (YYYY-MM-DD as printed by --list).
    #[arg(long)]
    pub night: Option<String>,
    /// Hours subtracted from DATE-OBS before taking its date as the night (12: noon to noon).
    #[arg(long, default_value_t = 12.0)]
    pub night_offset: f64,
    /// Use the masters in this folder (master_bias.fits, master_dark.fits, master_flat.fits)
    /// instead of building them; a missing file is built from the night's frames.
    #[arg(long)]
    pub masters: Option<PathBuf>,
    /// Skip science frames whose output exists and reuse masters already written.
    #[arg(long)]
    pub resume: bool,
    /// BITPIX of the calibrated frames: -32 (float32) or -64 (float64).
    #[arg(long, default_value_t = -32, allow_negative_numbers = true)]
    pub bitpix: i32,
    /// BITPIX of the master products: -32 (float32) or -64 (float64, exact when reused).
    #[arg(long, default_value_t = -32, allow_negative_numbers = true)]
    pub master_bitpix: i32,
    /// Per-pixel combination for the masters.
    #[arg(long, value_enum, default_value_t = CombineArg::Median)]
    pub combine: CombineArg,
    /// Clipping threshold in standard deviations for --combine sigma-clip.
    #[arg(long, default_value_t = 3.0)]
    pub sigma: f64,
    /// Treat the master dark as ADU for the darks' exposure (subtracted unscaled) instead of a
    /// rate in ADU/s scaled by each frame's EXPTIME.
    #[arg(long)]
    pub no_dark_scaling: bool,
    /// Worker threads (0 = all cores).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// Science frames each worker streams together (frames in flight = threads × group).
    #[arg(long, default_value_t = 4)]
    pub group: usize,
    /// Write CHECKSUM/DATASUM keywords into calibrated frames too (masters always have them).
    #[arg(long)]
    pub checksum: bool,
}

fn output_type(bitpix: i32, what: &str) -> anyhow::Result<OutputType> {
    match OutputType::from_bitpix(bitpix) {
        Some(t @ (OutputType::Float32 | OutputType::Float64)) => Ok(t),
        _ => anyhow::bail!("{what} {bitpix} is not supported; use -32 (float32) or -64 (float64)"),
    }
}

/// Lists or calibrates; exit status 1 when any frame failed or was skipped as unusable.
pub fn run(args: Args, global: Global) -> anyhow::Result<ExitCode> {
    let mut exclude = vec![args.output.clone()];
    if let Some(m) = &args.masters {
        exclude.push(m.clone());
    }
    let discover_options = DiscoverOptions { night_offset_hours: args.night_offset, exclude };
    let found = discover(&args.dir, &discover_options)?;
    if args.list {
        print!("{}", format_listing(&found, args.night_offset));
        return Ok(if found.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    let output = output_type(args.bitpix, "--bitpix")?;
    let master_output = output_type(args.master_bitpix, "--master-bitpix")?;
    if args.sigma.is_nan() || args.sigma <= 0.0 {
        anyhow::bail!("--sigma {} must be a positive number of standard deviations", args.sigma);
    }
    let combine = match args.combine {
        CombineArg::Median => Combine::Median,
        CombineArg::SigmaClip => Combine::SigmaClip { sigma: args.sigma, max_iters: 5 },
    };
    let options = NightOptions {
        masters: MasterOptions {
            combine,
            dark_scaling: !args.no_dark_scaling,
            threads: args.threads,
            ..MasterOptions::default()
        },
        calibrate: CalibrateOptions {
            output,
            resume: args.resume,
            threads: args.threads,
            ..CalibrateOptions::default()
        },
        masters_dir: args.masters.clone(),
        master_output,
    };
    let nights: Vec<_> =
        found.nights.iter().filter(|n| args.night.as_ref().is_none_or(|want| &n.label == want)).collect();
    if nights.is_empty() {
        match &args.night {
            Some(want) => anyhow::bail!(
                "no night {want} under {}; `starmill calibrate {} --list` shows the nights found",
                args.dir.display(),
                args.dir.display()
            ),
            None => anyhow::bail!("no FITS frames (.fits/.fit/.fts/.fz) under {}", args.dir.display()),
        }
    }
    for p in &found.problems {
        eprintln!("skipped {}: {}", p.path.display(), p.message);
    }
    let mut failures = found.problems.len();
    for night in nights {
        let report = run_night(night, &args.dir, &args.output, &options, global.quiet)
            .with_context(|| format!("night {}", night.label))?;
        let written = report.results.iter().filter(|r| r.outcome == Outcome::Written).count();
        let skipped = report.results.iter().filter(|r| r.outcome == Outcome::Skipped).count();
        for r in &report.results {
            if let Outcome::Failed(why) = &r.outcome {
                eprintln!("failed {}: {why}", r.input.display());
                failures += 1;
            }
        }
        if !global.quiet {
            println!("night {} ({}×{} px) -> {}", report.label, night.width, night.height, report.out_dir.display());
            for (kind, origin) in &report.masters {
                let text = match origin {
                    MasterOrigin::Built(n, p) => format!("built from {n} frames: {}", p.display()),
                    MasterOrigin::Reused(p) => format!("reused {}", p.display()),
                    MasterOrigin::Missing => match kind.name() {
                        "flat" => "none (no frames): flat = 1".to_string(),
                        _ => "none (no frames): 0 subtracted".to_string(),
                    },
                };
                println!("  master {:<5} {text}", kind.name());
            }
            println!(
                "  masters {:.2} s; calibrated {written} frames in {:.2} s{}{}",
                report.master_seconds,
                report.calibrate_seconds,
                if skipped > 0 { format!(", {skipped} already done") } else { String::new() },
                if report.results.len() > written + skipped {
                    format!(", {} failed", report.results.len() - written - skipped)
                } else {
                    String::new()
                }
            );
        }
    }
    if failures > 0 {
        eprintln!("{failures} file(s) could not be used; see the messages above");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
