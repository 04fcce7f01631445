//! `starmill tessellate`: the commensurability measure of one point cloud or a batch of orbits.

use crate::Global;
use anyhow::{bail, Context};
use serde_json::{json, Value};
use starmill_runner::{map_ordered_with, Progress};
use starmill_tessellation::{Normalization, Tessellation, Tessellator};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `starmill tessellate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Points: .npy (float64/float32) of shape (npoints, ndim), or a CSV table with one point per
    /// row; a .npy of shape (norbits, npoints, ndim) is a batch with one measure per orbit.
    pub file: PathBuf,
    /// Tessellation options.
    #[command(flatten)]
    pub tessellation: super::shared::TessellationArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Batch only: write the measures to this .npy file (float64, shape (norbits,)).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Single point cloud only: draw the tessellation to this PNG (2-D: kept vs trimmed triangles;
    /// 3-D: kept edges projected on x-y and x-z).
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Unit of the coordinates, for the plot's axis labels.
    #[arg(long, default_value = "kpc")]
    pub unit: String,
}

/// Runs the command.
pub fn run(args: Args, global: Global) -> anyhow::Result<ExitCode> {
    let array = starmill_io::read_array(&args.file)?;
    let mut options = args.tessellation.options(args.plot.is_some())?;
    let normalization = options.normalization;
    let file = args.file.display().to_string();
    match array.shape.as_slice() {
        &[_, ndim] => {
            if args.output.is_some() {
                bail!("{file}: -o/--output writes the measures of a batch (shape (norbits, npoints, ndim)); for one point cloud use --json");
            }
            let t = Tessellator::new().tessellate(&array.data, ndim, &options).with_context(|| file.clone())?;
            if let Some(plot) = &args.plot {
                draw(plot, &array.data, &t, &file, &args.unit)?;
            }
            if args.json {
                println!("{}", serde_json::to_string_pretty(&summary_json(&t, &file))?);
            } else {
                print_human(&t, &file);
            }
            Ok(ExitCode::SUCCESS)
        }
        &[norbits, npoints, ndim] => {
            if args.plot.is_some() {
                bail!("{file}: --plot draws one point cloud; pass a single orbit of shape (npoints, ndim)");
            }
            options.keep_simplices = false;
            let per_orbit = npoints * ndim;
            let progress = Progress::new(norbits as u64, "orbits", global.quiet || args.json);
            let started = std::time::Instant::now();
            let results = map_ordered_with(norbits, &progress, Tessellator::new, |tess, i| {
                tess.tessellate(&array.data[i * per_orbit..(i + 1) * per_orbit], ndim, &options)
            });
            progress.finish();
            let elapsed = started.elapsed().as_secs_f64();
            let values: Vec<f64> = results.iter().map(|r| r.as_ref().map(|t| t.measure).unwrap_or(f64::NAN)).collect();
            let failures: Vec<(usize, String)> =
                results.iter().enumerate().filter_map(|(i, r)| r.as_ref().err().map(|e| (i, e.to_string()))).collect();
            let degenerate = results.iter().filter(|r| matches!(r, Ok(t) if t.degenerate.is_some())).count();
            for (i, e) in &failures {
                log::error!("{file}: orbit {i}: {e} (its value is NaN)");
            }
            if let Some(out) = &args.output {
                starmill_io::write_npy_f64(out, &[norbits], &values)?;
            }
            if args.json {
                let mut obj = json!({
                    "file": file, "norbits": norbits, "npoints": npoints, "ndim": ndim,
                    "axis_ratio": options.axis_ratio,
                    "normalization": normalization.unwrap_or(Normalization::default_for(ndim)).name(),
                    "degenerate": degenerate, "failed": failures.len(), "seconds": elapsed,
                    "output": args.output.as_ref().map(|p| p.display().to_string()),
                });
                if args.output.is_none() {
                    obj["values"] = json!(values.iter().map(|&v| finite_or_null(v)).collect::<Vec<_>>());
                }
                println!("{}", serde_json::to_string_pretty(&obj)?);
            } else if let Some(out) = &args.output {
                let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
                let (lo, med, hi) = stats(&finite);
                if !global.quiet {
                    println!(
                        "{norbits} orbits of {npoints} points in {ndim}-D: {elapsed:.3} s ({:.0} orbits/s)\nmeasure min {lo:.6}  median {med:.6}  max {hi:.6}; {degenerate} degenerate, {} failed\nwrote {}",
                        norbits as f64 / elapsed.max(1e-9),
                        failures.len(),
                        out.display()
                    );
                }
            } else {
                for v in &values {
                    println!("{v}");
                }
            }
            Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        shape => bail!("{file}: array of shape {shape:?}; expected (npoints, ndim) for one point cloud or (norbits, npoints, ndim) for a batch"),
    }
}

fn finite_or_null(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        Value::Null
    }
}

fn stats(values: &[f64]) -> (f64, f64, f64) {
    if values.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let med = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
    (v[0], med, v[n - 1])
}

/// The JSON description of one tessellation.
pub fn summary_json(t: &Tessellation, file: &str) -> Value {
    json!({
        "file": file,
        "measure": t.measure,
        "nsimplex": t.nsimplex,
        "nkept": t.nkept,
        "threshold": finite_or_null(t.threshold),
        "median_smallest_side": finite_or_null(t.median_smallest_side),
        "kept_volume": t.kept_volume,
        "total_volume": t.total_volume,
        "normalization": t.normalization.name(),
        "normalization_constant": finite_or_null(t.normalization_constant),
        "ndim": t.ndim,
        "npoints": t.npoints,
        "engine": t.engine.name(),
        "degenerate": t.degenerate.is_some(),
        "degenerate_reason": t.degenerate,
    })
}

fn print_human(t: &Tessellation, file: &str) {
    println!("{file}: {} points in {}-D", t.npoints, t.ndim);
    if let Some(reason) = &t.degenerate {
        println!("measure      0 (degenerate input: {reason})");
        return;
    }
    println!("measure      {}", t.measure);
    println!(
        "simplices    {} ({} kept, {} trimmed; {} engine)",
        t.nsimplex,
        t.nkept,
        t.nsimplex - t.nkept,
        t.engine.name()
    );
    println!("threshold    {} (axis ratio × median smallest side {})", t.threshold, t.median_smallest_side);
    println!("kept volume  {} of {} total", t.kept_volume, t.total_volume);
    println!("normalization {} = {}", t.normalization.name(), t.normalization_constant);
}

fn draw(path: &std::path::Path, points: &[f64], t: &Tessellation, file: &str, unit: &str) -> anyhow::Result<()> {
    let (Some(simplices), Some(kept)) = (&t.simplices, &t.kept) else {
        bail!(
            "{file}: nothing to draw: the input is degenerate ({})",
            t.degenerate.as_deref().unwrap_or("no simplices")
        );
    };
    let title = format!("{file}: measure {:.4} ({} of {} simplices kept)", t.measure, t.nkept, t.nsimplex);
    let atomic = starmill_io::AtomicPath::new(path);
    let temp = atomic.temp().with_extension("png");
    match t.ndim {
        2 => starmill_plot::tessellation::tessellation_2d(&temp, points, simplices, kept, &title, unit)?,
        3 => starmill_plot::tessellation::tessellation_3d(&temp, points, simplices, kept, &title, unit)?,
        d => bail!("--plot draws 2-D and 3-D tessellations; this one is {d}-D"),
    }
    std::fs::rename(&temp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
