//! `starmill scan CONFIG.toml`: the commensurability measure over a grid of initial conditions
//! (like `TessellationAnalysis`): named axes (x, y, z [kpc], vx, vy, vz [km/s]) with linspace ranges,
//! the other components fixed. Results stream to an HDF5 file in chunks (so a killed run loses at
//! most the chunk in flight and `--resume` continues it), with PNG phase-space images at the end.
//! `--shard K/N` computes one contiguous N-th of the grid into its own file for `starmill merge`.
//!
//! Config format (TOML):
//!
//! ```toml
//! potential = "MWPotential2014"   # model name, description file (relative to this file), or a table
//! dt = 0.01                       # Gyr between samples
//! steps = 500                     # samples per orbit
//! pattern_speed = 0.0             # km/s/kpc (optional; overrides the potential's)
//! dims = "xyz"                    # or "xy"
//! chunk = 4096                    # orbits per flushed chunk (optional)
//! [tessellation]                  # optional
//! axis_ratio = 10.0
//! normalization = "convexhull_rot4"
//! [initial]                       # components not on an axis (kpc, km/s)
//! y = 0.0
//! z = 0.0
//! vx = 0.0
//! vz = 0.0
//! [[axes]]                        # outermost first; grid shape = (num of each axis)
//! name = "x"
//! start = 4.0
//! stop = 12.0
//! num = 100
//! [[axes]]
//! name = "vy"
//! start = 100.0
//! stop = 300.0
//! num = 100
//! ```

use crate::commands::commensurability::{Dims, MeasureArgs, Pipeline};
use crate::Global;
use anyhow::{bail, Context};
use hdf5::types::VarLenUnicode;
use serde::Deserialize;
use serde_json::{json, Value};
use starmill_dynamics::{parse_potential, Description};
use starmill_runner::{stream, Progress};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The phase-space components an axis (or the fixed part) can set, in IC order, with units.
pub const COMPONENTS: [(&str, &str); 6] =
    [("x", "kpc"), ("y", "kpc"), ("z", "kpc"), ("vx", "km/s"), ("vy", "km/s"), ("vz", "km/s")];

/// Arguments of `starmill scan`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scan description (TOML; see docs/commensurability.md).
    pub config: PathBuf,
    /// Output HDF5 file (default: the config's name with .h5, beside it). With --shard the shard
    /// writes OUTPUT with `.shard-K-of-N` before the extension.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Continue an interrupted scan from what its `.partial` file already holds.
    #[arg(long)]
    pub resume: bool,
    /// Compute only part K of N (K = 0 … N−1) into its own file; join the parts with `starmill merge`.
    /// `--shard auto/N` takes K from SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN when set).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Do not draw the PNG phase-space images.
    #[arg(long)]
    pub no_png: bool,
    /// Worker threads (default: SLURM_CPUS_PER_TASK if set, else all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Orbits per flushed chunk (overrides the config's `chunk`; default 4096).
    #[arg(long)]
    pub chunk: Option<usize>,
    /// Print a JSON summary on stdout instead of text.
    #[arg(long)]
    pub json: bool,
    /// Testing aid: abort the process (no clean-up, like kill -9) after this many chunks are flushed.
    #[arg(long, hide = true)]
    pub abort_after_chunks: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum PotentialSpec {
    Name(String),
    Inline(Description),
}

fn default_dt() -> f64 {
    0.01
}
fn default_steps() -> usize {
    200
}
fn default_axis_ratio() -> f64 {
    10.0
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TessellationConfig {
    #[serde(default = "default_axis_ratio")]
    axis_ratio: f64,
    normalization: Option<String>,
    engine: Option<String>,
}

impl Default for TessellationConfig {
    fn default() -> Self {
        Self { axis_ratio: 10.0, normalization: None, engine: None }
    }
}

/// One grid axis: `num` values from `start` to `stop` inclusive (numpy's linspace).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// Component name: x, y, z [kpc], vx, vy, vz [km/s].
    pub name: String,
    /// First value.
    pub start: f64,
    /// Last value (included).
    pub stop: f64,
    /// Number of values (≥ 1).
    pub num: usize,
}

impl Axis {
    /// The axis values, computed like numpy.linspace(start, stop, num).
    pub fn values(&self) -> Vec<f64> {
        if self.num == 1 {
            return vec![self.start];
        }
        let step = (self.stop - self.start) / (self.num - 1) as f64;
        let mut v: Vec<f64> = (0..self.num).map(|i| self.start + i as f64 * step).collect();
        v[self.num - 1] = self.stop;
        v
    }

    fn component(&self) -> Option<usize> {
        component_index(&self.name)
    }
}

fn component_index(name: &str) -> Option<usize> {
    let n = name.trim().to_ascii_lowercase().replace('_', "");
    COMPONENTS.iter().position(|(c, _)| *c == n)
}

/// A label with unit for plots, e.g. "v_y [km/s]".
pub fn axis_label(name: &str) -> String {
    match component_index(name) {
        Some(i) => {
            let (c, unit) = COMPONENTS[i];
            let pretty = match c.strip_prefix('v') {
                Some(rest) => format!("v_{rest}"),
                None => c.to_string(),
            };
            format!("{pretty} [{unit}]")
        }
        None => name.to_string(),
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    potential: PotentialSpec,
    #[serde(default = "default_dt")]
    dt: f64,
    #[serde(default = "default_steps")]
    steps: usize,
    pattern_speed: Option<f64>,
    #[serde(default = "default_dims")]
    dims: Dims,
    integrator: Option<String>,
    rtol: Option<f64>,
    chunk: Option<usize>,
    #[serde(default)]
    tessellation: TessellationConfig,
    #[serde(default)]
    initial: std::collections::BTreeMap<String, f64>,
    axes: Vec<Axis>,
}

fn default_dims() -> Dims {
    Dims::Xyz
}

/// A checked scan: the pipeline, the grid and the fixed IC components.
#[derive(Debug, Clone)]
pub struct Scan {
    /// Integrate-and-measure settings.
    pub pipeline: Pipeline,
    /// Axes, outermost first.
    pub axes: Vec<Axis>,
    /// The IC used for components not on an axis (x, y, z [kpc], vx, vy, vz [km/s]).
    pub base: [f64; 6],
    /// Axis values, per axis.
    pub values: Vec<Vec<f64>>,
    /// Orbits per chunk from the config (if given).
    pub chunk: Option<usize>,
}

impl Scan {
    /// Reads and checks a config file; errors name the file and the offending key.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the scan config", path.display()))?;
        let cfg: Config = toml::from_str(&text)
            .with_context(|| format!("{}: invalid scan config (see docs/commensurability.md)", path.display()))?;
        let file = path.display().to_string();
        let description = match &cfg.potential {
            PotentialSpec::Inline(d) => {
                // agama_file paths in an inline table are relative to the config's folder
                let mut d = d.clone();
                if let Some(dir) = path.parent() {
                    d.resolve_paths(dir);
                }
                d
            }
            PotentialSpec::Name(name) => {
                let relative = path.parent().map(|d| d.join(name)).filter(|p| p.exists());
                let target = relative.map(|p| p.display().to_string()).unwrap_or_else(|| name.clone());
                parse_potential(&target).with_context(|| format!("{file}: potential = {name:?}"))?
            }
        };
        let measure = MeasureArgs {
            potential: String::new(),
            dt: cfg.dt,
            steps: cfg.steps,
            pattern_speed: cfg.pattern_speed,
            dims: cfg.dims,
            integrator: match cfg.integrator.as_deref() {
                None | Some("dop853") => crate::commands::commensurability::IntegratorArg::Dop853,
                Some("leapfrog") => crate::commands::commensurability::IntegratorArg::Leapfrog,
                Some(other) => bail!("{file}: integrator = {other:?}; use \"dop853\" or \"leapfrog\""),
            },
            rtol: cfg.rtol.unwrap_or(starmill_dynamics::Integrator::DEFAULT_RTOL),
            tessellation: crate::commands::shared::TessellationArgs {
                axis_ratio: cfg.tessellation.axis_ratio,
                normalization: cfg.tessellation.normalization.clone(),
                engine: cfg.tessellation.engine.clone().unwrap_or_else(|| "auto".into()),
            },
            threads: None,
            chunk: 0,
        };
        if !matches!(measure.tessellation.engine.as_str(), "auto" | "qhull") {
            bail!("{file}: tessellation.engine = {:?}; use \"auto\" or \"qhull\"", measure.tessellation.engine);
        }
        let pipeline = measure.pipeline_with(description).with_context(|| file.clone())?;
        if cfg.axes.is_empty() {
            bail!("{file}: no [[axes]]; add at least one axis (name, start, stop, num)");
        }
        let mut base = [f64::NAN; 6];
        let mut on_axis = [false; 6];
        for a in &cfg.axes {
            let Some(c) = a.component() else {
                bail!("{file}: axis name {:?} is not one of x, y, z, vx, vy, vz", a.name);
            };
            if on_axis[c] {
                bail!("{file}: component {} appears on two axes", COMPONENTS[c].0);
            }
            on_axis[c] = true;
            if a.num == 0 || !a.start.is_finite() || !a.stop.is_finite() {
                bail!("{file}: axis {}: need finite start/stop and num ≥ 1, got {a:?}", a.name);
            }
        }
        for (key, &v) in &cfg.initial {
            let Some(c) = component_index(key) else {
                bail!("{file}: [initial] key {key:?} is not one of x, y, z, vx, vy, vz");
            };
            if on_axis[c] {
                bail!("{file}: [initial] sets {key}, which is also an axis; remove one of them");
            }
            if !v.is_finite() {
                bail!("{file}: [initial] {key} = {v} is not finite");
            }
            base[c] = v;
        }
        for c in 0..6 {
            if !on_axis[c] && base[c].is_nan() {
                bail!(
                    "{file}: component {} ({}) is neither an axis nor set in [initial]; add `{} = …` under [initial]",
                    COMPONENTS[c].0,
                    COMPONENTS[c].1,
                    COMPONENTS[c].0
                );
            }
        }
        let total: Option<usize> = cfg.axes.iter().try_fold(1usize, |acc, a| acc.checked_mul(a.num));
        if total.is_none_or(|t| t > u32::MAX as usize * 64) {
            bail!("{file}: the grid is too large");
        }
        let values = cfg.axes.iter().map(Axis::values).collect();
        Ok(Self { pipeline, axes: cfg.axes, base, values, chunk: cfg.chunk })
    }

    /// Grid shape, outermost axis first.
    pub fn shape(&self) -> Vec<usize> {
        self.axes.iter().map(|a| a.num).collect()
    }

    /// Number of grid points.
    pub fn len(&self) -> usize {
        self.shape().iter().product()
    }

    /// The IC of flat (row-major) grid index `flat`.
    pub fn ic(&self, flat: usize) -> [f64; 6] {
        let mut ic = self.base;
        let mut rest = flat;
        for (a, vals) in self.axes.iter().zip(&self.values).rev() {
            let k = rest % a.num;
            rest /= a.num;
            ic[a.component().expect("checked when the config was read")] = vals[k];
        }
        ic
    }

    /// The canonical description of everything that determines the values (JSON text): two files
    /// with equal fingerprints hold parts of the same scan.
    pub fn fingerprint(&self) -> String {
        let fixed: serde_json::Map<String, Value> = COMPONENTS
            .iter()
            .enumerate()
            .filter(|(c, _)| !self.axes.iter().any(|a| a.component() == Some(*c)))
            .map(|(c, (name, _))| (name.to_string(), json!(self.base[c])))
            .collect();
        json!({"pipeline": self.pipeline.record(), "axes": self.axes, "initial": fixed}).to_string()
    }
}

/// Which part of the grid a run computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This part, 0-based.
    pub index: usize,
    /// Number of parts.
    pub count: usize,
}

impl Shard {
    /// Parses "K/N" or "auto/N" (K from SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN).
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let (k, n) = text.split_once('/').with_context(|| format!("--shard {text}: expected K/N, e.g. 0/8"))?;
        let count: usize = n.trim().parse().with_context(|| format!("--shard {text}: N must be a positive integer"))?;
        if count == 0 {
            bail!("--shard {text}: N must be at least 1");
        }
        let index = if k.trim() == "auto" {
            let id = std::env::var("SLURM_ARRAY_TASK_ID").with_context(|| {
                format!("--shard {text}: SLURM_ARRAY_TASK_ID is not set; run inside a Slurm job array or give K")
            })?;
            let id: usize =
                id.trim().parse().with_context(|| format!("SLURM_ARRAY_TASK_ID={id:?} is not an integer"))?;
            let min: usize = match std::env::var("SLURM_ARRAY_TASK_MIN") {
                Ok(m) => m.trim().parse().with_context(|| format!("SLURM_ARRAY_TASK_MIN={m:?} is not an integer"))?,
                Err(_) => 0,
            };
            id.checked_sub(min).context("SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN")?
        } else {
            k.trim().parse().with_context(|| format!("--shard {text}: K must be an integer or `auto`"))?
        };
        if index >= count {
            bail!("--shard {text}: K = {index} must be below N = {count} (parts are numbered 0 … N−1)");
        }
        Ok(Self { index, count })
    }

    /// The flat index range of this part of `total` grid points.
    pub fn range(&self, total: usize) -> (usize, usize) {
        let at = |k: usize| (total as u128 * k as u128 / self.count as u128) as usize;
        (at(self.index), at(self.index + 1))
    }
}

fn default_output(config: &Path) -> PathBuf {
    config.with_extension("h5")
}

/// `OUT.shard-K-of-N.h5` for a shard, OUT itself otherwise.
pub fn shard_path(output: &Path, shard: Option<Shard>) -> PathBuf {
    match shard {
        None => output.to_path_buf(),
        Some(s) => {
            let stem = output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scan".into());
            let ext = output.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_else(|| "h5".into());
            output.with_file_name(format!("{stem}.shard-{}-of-{}.{ext}", s.index, s.count))
        }
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".partial");
    PathBuf::from(s)
}

fn h5err(path: &Path) -> impl Fn(hdf5::Error) -> anyhow::Error + '_ {
    move |e| anyhow::anyhow!("{}: HDF5: {e}", path.display())
}

fn set_str(loc: &hdf5::Location, name: &str, value: &str) -> hdf5::Result<()> {
    let v: VarLenUnicode = value.parse().map_err(|e| hdf5::Error::from(format!("{e}")))?;
    loc.new_attr::<VarLenUnicode>().create(name)?.write_scalar(&v)
}

fn set_f64(loc: &hdf5::Location, name: &str, value: f64) -> hdf5::Result<()> {
    loc.new_attr::<f64>().create(name)?.write_scalar(&value)
}

fn set_u64(loc: &hdf5::Location, name: &str, value: u64) -> hdf5::Result<()> {
    loc.new_attr::<u64>().create(name)?.write_scalar(&value)
}

/// Reads a string attribute.
pub fn get_str(loc: &hdf5::Location, name: &str) -> hdf5::Result<String> {
    Ok(loc.attr(name)?.read_scalar::<VarLenUnicode>()?.as_str().to_string())
}

/// Reads an unsigned integer attribute.
pub fn get_u64(loc: &hdf5::Location, name: &str) -> hdf5::Result<u64> {
    loc.attr(name)?.read_scalar::<u64>()
}

fn chunk_shape(shape: &[usize]) -> Vec<usize> {
    let mut chunk = vec![1usize; shape.len()];
    let mut size = 1usize;
    for d in (0..shape.len()).rev() {
        let take = shape[d].min((65_536 / size).max(1));
        chunk[d] = take.max(1);
        size *= chunk[d];
        if take < shape[d] {
            break;
        }
    }
    chunk
}

/// Creates a scan file at `path` with every attribute, the axes and an all-NaN measure dataset.
/// `shard` and `(start, end)` record which part of the grid the file is responsible for.
pub fn create_file(
    path: &Path,
    scan: &Scan,
    shard: Option<Shard>,
    (start, end): (usize, usize),
) -> anyhow::Result<hdf5::File> {
    let e = h5err(path);
    let file = hdf5::File::create(path).map_err(&e)?;
    let shape = scan.shape();
    let ds = file
        .new_dataset::<f64>()
        .shape(shape.clone())
        .chunk(chunk_shape(&shape))
        .fill_value(f64::NAN)
        .create("measure")
        .map_err(&e)?;
    set_str(
        &ds,
        "description",
        "commensurability (tessellation measure) of the orbit started at each grid point; NaN = not computed or failed",
    )
    .map_err(&e)?;
    set_str(&ds, "unit", "dimensionless").map_err(&e)?;
    let axes = file.create_group("axes").map_err(&e)?;
    for (a, v) in scan.axes.iter().zip(&scan.values) {
        let d = axes.new_dataset_builder().with_data(v.as_slice()).create(a.name.as_str()).map_err(&e)?;
        set_str(&d, "unit", COMPONENTS[a.component().expect("checked")].1).map_err(&e)?;
    }
    let names: Vec<&str> = scan.axes.iter().map(|a| a.name.as_str()).collect();
    let rec = scan.pipeline.record();
    set_str(&file, "axis_names", &names.join(",")).map_err(&e)?;
    set_str(&file, "potential", &scan.pipeline.description.to_json()).map_err(&e)?;
    set_str(&file, "potential_toml", &scan.pipeline.description.to_toml()).map_err(&e)?;
    set_f64(&file, "dt_gyr", scan.pipeline.orbit.dt).map_err(&e)?;
    set_u64(&file, "steps", scan.pipeline.orbit.steps as u64).map_err(&e)?;
    set_f64(&file, "pattern_speed_km_s_kpc", scan.pipeline.orbit.pattern_speed).map_err(&e)?;
    set_str(&file, "frame", "corotating").map_err(&e)?;
    set_str(&file, "dims", scan.pipeline.dims.name()).map_err(&e)?;
    set_str(&file, "integrator", &rec["integrator"].to_string()).map_err(&e)?;
    set_f64(&file, "axis_ratio", scan.pipeline.tessellation.axis_ratio).map_err(&e)?;
    set_str(&file, "normalization", scan.pipeline.normalization().name()).map_err(&e)?;
    set_str(&file, "engine", rec["tessellation"]["engine"].as_str().unwrap_or("auto")).map_err(&e)?;
    let fixed = serde_json::from_str::<Value>(&scan.fingerprint())?["initial"].to_string();
    set_str(&file, "initial", &fixed).map_err(&e)?;
    set_str(&file, "starmill_version", env!("CARGO_PKG_VERSION")).map_err(&e)?;
    set_str(&file, "fingerprint", &scan.fingerprint()).map_err(&e)?;
    let s = shard.unwrap_or(Shard { index: 0, count: 1 });
    set_u64(&file, "shard_index", s.index as u64).map_err(&e)?;
    set_u64(&file, "shard_count", s.count as u64).map_err(&e)?;
    set_u64(&file, "range_start", start as u64).map_err(&e)?;
    set_u64(&file, "range_end", end as u64).map_err(&e)?;
    set_u64(&file, "completed", 0).map_err(&e)?;
    set_u64(&file, "failed", 0).map_err(&e)?;
    set_f64(&file, "compute_seconds", 0.0).map_err(&e)?;
    file.flush().map_err(&e)?;
    Ok(file)
}

/// Writes `values` at flat positions `start..start + values.len()` of an N-D dataset, one row of the
/// innermost axis at a time.
pub fn write_flat(ds: &hdf5::Dataset, shape: &[usize], start: usize, values: &[f64]) -> hdf5::Result<()> {
    use hdf5::SliceOrIndex;
    let last = *shape.last().unwrap_or(&1);
    let mut pos = start;
    let mut done = 0;
    while done < values.len() {
        let row = pos / last;
        let col = pos % last;
        let take = (last - col).min(values.len() - done);
        let mut sel = Vec::with_capacity(shape.len());
        let mut rest = row;
        let mut outer = vec![0usize; shape.len().saturating_sub(1)];
        for d in (0..outer.len()).rev() {
            outer[d] = rest % shape[d];
            rest /= shape[d];
        }
        sel.extend(outer.into_iter().map(SliceOrIndex::Index));
        sel.push(SliceOrIndex::SliceTo { start: col, step: 1, end: col + take, block: 1 });
        ds.write_slice(&values[done..done + take], hdf5::Hyperslab::from(sel))?;
        pos += take;
        done += take;
    }
    Ok(())
}

/// Draws the phase-space PNGs of a finished grid beside `h5`: one image for a 2-D grid
/// (`NAME.png`), one per value of the third axis for a 3-D grid (`NAME.<axis>-<k>.png`). Returns the
/// files written.
pub fn draw_pngs(
    h5: &Path,
    scan_axes: &[Axis],
    values: &[Vec<f64>],
    measure: &[f64],
    title: &str,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    match scan_axes.len() {
        2 | 3 => {
            let (nx, ny) = (scan_axes[0].num, scan_axes[1].num);
            let nz = if scan_axes.len() == 3 { scan_axes[2].num } else { 1 };
            for k in 0..nz {
                // measure is (nx, ny[, nz]) row-major; the image wants rows of y.
                let mut img = vec![f64::NAN; nx * ny];
                for i in 0..nx {
                    for j in 0..ny {
                        img[j * nx + i] = measure[(i * ny + j) * nz + k];
                    }
                }
                let (path, t) = if nz == 1 {
                    (h5.with_extension("png"), title.to_string())
                } else {
                    let stem = h5.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                    let name = &scan_axes[2].name;
                    (
                        h5.with_file_name(format!("{stem}.{name}-{k:03}.png")),
                        format!("{title}, {} = {:.4}", axis_label(name), values[2][k]),
                    )
                };
                starmill_plot::phase_map::phase_map(
                    &path,
                    &img,
                    &values[0],
                    &values[1],
                    &axis_label(&scan_axes[0].name),
                    &axis_label(&scan_axes[1].name),
                    "commensurability",
                    &t,
                    Some((0.0, 1.0)),
                )?;
                out.push(path);
            }
        }
        _ => {}
    }
    Ok(out)
}

/// Runs the command.
pub fn run(args: Args, global: Global) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    starmill_runner::init_threads(args.threads).map_err(anyhow::Error::msg)?;
    let scan = Scan::from_file(&args.config)?;
    let shard = args.shard.as_deref().map(Shard::parse).transpose()?;
    let output = args.output.clone().unwrap_or_else(|| default_output(&args.config));
    let final_path = shard_path(&output, shard);
    let partial = partial_path(&final_path);
    let total = scan.len();
    let (start, end) = shard.map(|s| s.range(total)).unwrap_or((0, total));
    let chunk = args.chunk.or(scan.chunk).unwrap_or(4096).max(1);
    let e = h5err(&partial);

    let (file, already) = if args.resume && partial.exists() {
        let file = hdf5::File::open_rw(&partial).map_err(|err| {
            anyhow::anyhow!(
                "{}: cannot reopen the interrupted scan ({err}); delete it and run without --resume",
                partial.display()
            )
        })?;
        let fp = get_str(&file, "fingerprint").map_err(&e)?;
        if fp != scan.fingerprint() {
            bail!(
                "{}: this partial scan was made with a different config (potential, sampling, axes or initial values differ); \
                 delete it or restore the original {}",
                partial.display(),
                args.config.display()
            );
        }
        let (s0, e0) =
            (get_u64(&file, "range_start").map_err(&e)? as usize, get_u64(&file, "range_end").map_err(&e)? as usize);
        if (s0, e0) != (start, end) {
            bail!(
                "{}: the partial file covers grid points {s0}..{e0}, this run {start}..{end}; use the same --shard",
                partial.display()
            );
        }
        let done = get_u64(&file, "completed").map_err(&e)? as usize;
        (file, done)
    } else {
        if args.resume && final_path.exists() && !partial.exists() {
            if !global.quiet {
                println!("{} is already complete; nothing to resume", final_path.display());
            }
            return Ok(ExitCode::SUCCESS);
        }
        if partial.exists() {
            bail!(
                "{} exists: an interrupted scan; pass --resume to continue it, or delete it to start over",
                partial.display()
            );
        }
        (create_file(&partial, &scan, shard, (start, end))?, 0)
    };
    let ds = file.dataset("measure").map_err(&e)?;
    let shape = scan.shape();
    let todo = (end - start).saturating_sub(already);
    let mut failed = get_u64(&file, "failed").map_err(&e)?;
    let previous_seconds = file.attr("compute_seconds").and_then(|a| a.read_scalar::<f64>()).unwrap_or(0.0);
    let progress = Progress::new((end - start) as u64, "orbits", global.quiet || args.json);
    progress.set_position(already as u64);
    if already > 0 {
        log::info!("resuming {}: {already} of {} orbits already on disk", partial.display(), end - start);
    }
    let first = start + already;
    let compute_started = Instant::now();
    let mut chunks_written = 0usize;
    let pipeline = &scan.pipeline;
    stream(
        todo,
        chunk,
        &progress,
        || pipeline.workspace(),
        |ws, i| pipeline.measure(ws, &scan.ic(first + i)),
        |offset, outcomes| -> anyhow::Result<()> {
            let values: Vec<f64> = outcomes.iter().map(|o| o.measure).collect();
            for (k, o) in outcomes.iter().enumerate() {
                if let Some(err) = &o.error {
                    failed += 1;
                    if failed <= 20 {
                        log::error!("grid point {}: {err} (stored as NaN)", first + offset + k);
                    }
                }
            }
            write_flat(&ds, &shape, first + offset, &values).map_err(&e)?;
            let done = (already + offset + values.len()) as u64;
            file.attr("completed").and_then(|a| a.write_scalar(&done)).map_err(&e)?;
            file.attr("failed").and_then(|a| a.write_scalar(&failed)).map_err(&e)?;
            let secs = previous_seconds + compute_started.elapsed().as_secs_f64();
            file.attr("compute_seconds").and_then(|a| a.write_scalar(&secs)).map_err(&e)?;
            file.flush().map_err(&e)?;
            chunks_written += 1;
            if args.abort_after_chunks == Some(chunks_written) {
                std::process::abort();
            }
            Ok(())
        },
    )?;
    progress.finish();
    let compute_seconds = compute_started.elapsed().as_secs_f64();
    let measure: Vec<f64> = ds.read_raw::<f64>().map_err(&e)?;
    drop(ds);
    file.flush().map_err(&e)?;
    drop(file);
    std::fs::rename(&partial, &final_path)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), final_path.display()))?;
    let title = format!(
        "{} ({} samples of {} Gyr, {})",
        pipeline.description.summary(),
        pipeline.orbit.steps,
        pipeline.orbit.dt,
        pipeline.dims.name()
    );
    let pngs = if shard.is_none() && !args.no_png {
        draw_pngs(&final_path, &scan.axes, &scan.values, &measure, &title)?
    } else {
        Vec::new()
    };
    let part = &measure_range(&measure, start, end);
    let finite: Vec<f64> = part.iter().copied().filter(|v| v.is_finite()).collect();
    let (lo, med, mean, hi) = crate::commands::commensurability::summary_stats(&finite);
    let report = json!({
        "output": final_path.display().to_string(),
        "grid_shape": shape, "orbits": end - start, "resumed_from": already, "computed_now": todo,
        "shard": shard.map(|s| json!({"index": s.index, "count": s.count, "range": [start, end]})),
        "failed": failed, "threads": starmill_runner::threads(),
        "seconds": {"total": started.elapsed().as_secs_f64(), "compute": compute_seconds},
        "orbits_per_second": todo as f64 / compute_seconds.max(1e-12),
        "summary": {"min": lo, "median": med, "mean": mean, "max": hi},
        "png": pngs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if !global.quiet {
        println!(
            "{} orbits (grid {:?}{}) in {:.2} s ({:.0} orbits/s, {} threads){}",
            todo,
            shape,
            shard.map(|s| format!(", shard {} of {}", s.index, s.count)).unwrap_or_default(),
            compute_seconds,
            todo as f64 / compute_seconds.max(1e-12),
            starmill_runner::threads(),
            if already > 0 { format!("; {already} were already on disk") } else { String::new() }
        );
        println!("commensurability min {lo:.6}  median {med:.6}  max {hi:.6}; {failed} failed");
        println!("wrote {}", final_path.display());
        for p in &pngs {
            println!("wrote {}", p.display());
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn measure_range(measure: &[f64], start: usize, end: usize) -> Vec<f64> {
    measure[start.min(measure.len())..end.min(measure.len())].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linspace_and_shards() {
        let a = Axis { name: "x".into(), start: 4.0, stop: 12.0, num: 5 };
        assert_eq!(a.values(), vec![4.0, 6.0, 8.0, 10.0, 12.0]);
        let parts: Vec<(usize, usize)> = (0..3).map(|k| Shard { index: k, count: 3 }.range(10)).collect();
        assert_eq!(parts, vec![(0, 3), (3, 6), (6, 10)]);
        assert!(Shard::parse("3/3").is_err());
        assert!(Shard::parse("x").is_err());
        assert_eq!(Shard::parse("1/4").unwrap(), Shard { index: 1, count: 4 });
        assert_eq!(axis_label("vy"), "v_y [km/s]");
        assert_eq!(chunk_shape(&[100, 100]), vec![100, 100]);
        assert_eq!(chunk_shape(&[1000, 1000]), vec![65, 1000]);
    }
}
