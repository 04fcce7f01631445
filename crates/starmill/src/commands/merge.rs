//! `starmill merge`: joins the shard files of one scan (`starmill scan --shard K/N`) into the full
//! result, after checking that they belong together: same config fingerprint (potential, sampling,
//! tessellation options, axes, fixed ICs), same N, every part 0 … N−1 present exactly once and
//! complete.

use crate::commands::scan::{draw_pngs, get_str, get_u64, write_flat, Axis};
use crate::Global;
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `starmill merge`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shard files (`NAME.shard-K-of-N.h5`), in any order.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// The merged HDF5 file to write.
    #[arg(long, short)]
    pub output: PathBuf,
    /// Do not draw the PNG phase-space images.
    #[arg(long)]
    pub no_png: bool,
}

struct ShardInfo {
    path: PathBuf,
    index: usize,
    count: usize,
    start: usize,
    end: usize,
    failed: u64,
    seconds: f64,
}

fn info(path: &Path, fingerprint: &mut Option<String>) -> anyhow::Result<ShardInfo> {
    let file = hdf5::File::open(path).map_err(|e| anyhow::anyhow!("{}: cannot open as HDF5: {e}", path.display()))?;
    let e = |err: hdf5::Error| anyhow::anyhow!("{}: not a starmill scan file ({err})", path.display());
    let fp = get_str(&file, "fingerprint").map_err(e)?;
    match fingerprint {
        None => *fingerprint = Some(fp),
        Some(first) if *first != fp => bail!(
            "{}: belongs to a different scan than the first file (potential, sampling, tessellation options, axes or initial values differ)",
            path.display()
        ),
        _ => {}
    }
    let s = ShardInfo {
        path: path.to_path_buf(),
        index: get_u64(&file, "shard_index").map_err(e)? as usize,
        count: get_u64(&file, "shard_count").map_err(e)? as usize,
        start: get_u64(&file, "range_start").map_err(e)? as usize,
        end: get_u64(&file, "range_end").map_err(e)? as usize,
        failed: get_u64(&file, "failed").map_err(e)?,
        seconds: file.attr("compute_seconds").and_then(|a| a.read_scalar::<f64>()).unwrap_or(0.0),
    };
    let done = get_u64(&file, "completed").map_err(e)? as usize;
    if done != s.end - s.start {
        bail!(
            "{}: shard {} of {} is incomplete ({done} of {} orbits); finish it with `starmill scan --resume --shard {}/{}`",
            path.display(),
            s.index,
            s.count,
            s.end - s.start,
            s.index,
            s.count
        );
    }
    Ok(s)
}

/// Runs the command.
pub fn run(args: Args, global: Global) -> anyhow::Result<ExitCode> {
    let mut fingerprint = None;
    let mut shards = Vec::new();
    for p in &args.shards {
        shards.push(info(p, &mut fingerprint)?);
    }
    let count = shards[0].count;
    if let Some(s) = shards.iter().find(|s| s.count != count) {
        bail!(
            "{}: part of a {}-way split, {} is part of a {count}-way split",
            s.path.display(),
            s.count,
            shards[0].path.display()
        );
    }
    let mut seen: Vec<Option<&ShardInfo>> = vec![None; count];
    for s in &shards {
        if let Some(prev) = seen[s.index] {
            bail!("shard {} of {count} given twice: {} and {}", s.index, prev.path.display(), s.path.display());
        }
        seen[s.index] = Some(s);
    }
    let missing: Vec<String> =
        seen.iter().enumerate().filter(|(_, s)| s.is_none()).map(|(k, _)| k.to_string()).collect();
    if !missing.is_empty() {
        bail!(
            "missing shard(s) {} of {count}; run `starmill scan CONFIG --shard K/{count}` for them",
            missing.join(", ")
        );
    }
    // Start from a copy of shard 0 (all attributes and axes), then fill in the other ranges.
    let atomic = starmill_io::AtomicPath::new(&args.output);
    let first = seen[0].expect("checked");
    std::fs::copy(&first.path, atomic.temp())
        .with_context(|| format!("cannot copy {} to {}", first.path.display(), atomic.temp().display()))?;
    let e = |err: hdf5::Error| anyhow::anyhow!("{}: HDF5: {err}", args.output.display());
    let (measure, axes, values, title) = {
        let out = hdf5::File::open_rw(atomic.temp()).map_err(e)?;
        let ds = out.dataset("measure").map_err(e)?;
        let shape = ds.shape();
        for s in seen.iter().skip(1).flatten() {
            let src = hdf5::File::open(&s.path).map_err(e)?;
            let all: Vec<f64> = src.dataset("measure").map_err(e)?.read_raw::<f64>().map_err(e)?;
            if all.len() != ds.size() {
                bail!("{}: measure holds {} values, expected {}", s.path.display(), all.len(), ds.size());
            }
            write_flat(&ds, &shape, s.start, &all[s.start..s.end]).map_err(e)?;
        }
        let total = ds.size() as u64;
        let failed: u64 = shards.iter().map(|s| s.failed).sum();
        let seconds: f64 = shards.iter().map(|s| s.seconds).sum();
        for (name, v) in [
            ("shard_index", 0u64),
            ("shard_count", 1),
            ("range_start", 0),
            ("range_end", total),
            ("completed", total),
            ("failed", failed),
        ] {
            out.attr(name).and_then(|a| a.write_scalar(&v)).map_err(e)?;
        }
        out.attr("compute_seconds").and_then(|a| a.write_scalar(&seconds)).map_err(e)?;
        let names = get_str(&out, "axis_names").map_err(e)?;
        let mut axes = Vec::new();
        let mut values = Vec::new();
        for name in names.split(',') {
            let v: Vec<f64> = out.dataset(&format!("axes/{name}")).and_then(|d| d.read_raw::<f64>()).map_err(e)?;
            axes.push(Axis { name: name.to_string(), start: v[0], stop: v[v.len() - 1], num: v.len() });
            values.push(v);
        }
        let measure = ds.read_raw::<f64>().map_err(e)?;
        let potential: starmill_dynamics::Description =
            serde_json::from_str(&get_str(&out, "potential").map_err(e)?)
                .context("the merged file's potential attribute is not a starmill description")?;
        let title = format!(
            "{} ({} samples of {} Gyr, {})",
            potential.summary(),
            out.attr("steps").and_then(|a| a.read_scalar::<u64>()).map_err(e)?,
            out.attr("dt_gyr").and_then(|a| a.read_scalar::<f64>()).map_err(e)?,
            get_str(&out, "dims").map_err(e)?
        );
        out.flush().map_err(e)?;
        (measure, axes, values, title)
    };
    atomic.commit()?;
    let pngs = if args.no_png { Vec::new() } else { draw_pngs(&args.output, &axes, &values, &measure, &title)? };
    if !global.quiet {
        let nan = measure.iter().filter(|v| !v.is_finite()).count();
        println!("merged {count} shards ({} orbits, {nan} NaN) into {}", measure.len(), args.output.display());
        for p in &pngs {
            println!("wrote {}", p.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
