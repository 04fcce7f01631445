//! `starmill commensurability`: the commensurability documentation's workflow for a sample of initial
//! conditions — integrate every orbit, measure how much of space it fills (Delaunay tessellation and
//! trimming), and write the values, the ICs, a histogram and a JSON record of the run.
//!
//! The per-orbit pipeline ([`Pipeline`]) is shared with `starmill scan` and `starmill demo`.

pub use super::shared::read_ics;
use super::shared::TessellationArgs;
use crate::Global;
use anyhow::{bail, Context};
use serde_json::{json, Value};
use starmill_dynamics::{parse_potential, Composite, Description, Frame, Integrator, OrbitOptions, Vec3};
use starmill_runner::{stream, Progress};
use starmill_tessellation::{EngineChoice, Normalization, Options, Tessellator};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Which position components are tessellated.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dims {
    /// x and y (2-D measure, `circle` normalisation by default).
    Xy,
    /// x, y and z (3-D measure, `convexhull_rot4` by default).
    Xyz,
}

impl Dims {
    /// Number of coordinates per point.
    pub fn ndim(self) -> usize {
        match self {
            Dims::Xy => 2,
            Dims::Xyz => 3,
        }
    }

    /// "xy" or "xyz".
    pub fn name(self) -> &'static str {
        match self {
            Dims::Xy => "xy",
            Dims::Xyz => "xyz",
        }
    }
}

/// Integration scheme choice on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntegratorArg {
    /// Adaptive Dormand–Prince 8(5,3) with dense output (accurate; default).
    Dop853,
    /// Kick–drift–kick leapfrog, one step per sample interval (gala-style).
    Leapfrog,
}

/// Everything that defines how one orbit is turned into one value: potential, sampling, frame,
/// tessellated dimensions and tessellation options. Shared by the sample, scan and demo commands.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The potential (its description, with the pattern speed in effect, is in `description`).
    pub potential: Composite,
    /// The potential as data, recorded in every output.
    pub description: Description,
    /// Sampling and integration; the frame is always the one co-rotating with the pattern.
    pub orbit: OrbitOptions,
    /// Tessellated position components.
    pub dims: Dims,
    /// Tessellation options (axis ratio, normalisation, engine).
    pub tessellation: Options,
}

/// The result for one orbit.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The commensurability measure (dimensionless, in [0, 1]); NaN if the orbit failed.
    pub measure: f64,
    /// Number of Delaunay simplices.
    pub nsimplex: u32,
    /// Simplices kept after trimming.
    pub nkept: u32,
    /// True when the point set was degenerate (measure 0 by definition).
    pub degenerate: bool,
    /// Why the orbit failed (integration or tessellation error), if it did.
    pub error: Option<String>,
}

/// Per-thread buffers: the tessellation workspace and the orbit's samples.
#[derive(Debug, Default)]
pub struct Workspace {
    tessellator: Tessellator,
    positions: Vec<Vec3>,
    points: Vec<f64>,
}

impl Pipeline {
    /// Builds a pipeline: `potential` is a model name or a .toml/.json description file;
    /// `pattern_speed` (km/s/kpc) overrides the description's when given.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        potential: &str,
        pattern_speed: Option<f64>,
        dt: f64,
        steps: usize,
        integrator: Integrator,
        dims: Dims,
        tessellation: Options,
    ) -> anyhow::Result<Self> {
        let description = parse_potential(potential).with_context(|| format!("--potential {potential}"))?;
        Self::from_description(description, pattern_speed, dt, steps, integrator, dims, tessellation)
    }

    /// Like [`Pipeline::new`] with an already parsed description.
    pub fn from_description(
        mut description: Description,
        pattern_speed: Option<f64>,
        dt: f64,
        steps: usize,
        integrator: Integrator,
        dims: Dims,
        tessellation: Options,
    ) -> anyhow::Result<Self> {
        if let Some(omega) = pattern_speed {
            description.pattern_speed = omega;
        }
        let potential = description.build().context("invalid potential description")?;
        let mut orbit = OrbitOptions::new(dt, steps);
        orbit.pattern_speed = description.pattern_speed;
        orbit.frame = Frame::Corotating;
        orbit.integrator = integrator;
        orbit.validate()?;
        if steps < dims.ndim() + 1 {
            bail!(
                "--steps {steps} gives too few points to tessellate in {} dimensions; use at least {}",
                dims.ndim(),
                dims.ndim() + 1
            );
        }
        if !(tessellation.axis_ratio.is_finite() && tessellation.axis_ratio > 0.0) {
            bail!("--axis-ratio must be a finite number > 0, got {}", tessellation.axis_ratio);
        }
        if let Some(n) = tessellation.normalization {
            let allowed: &[&str] = match dims {
                Dims::Xy => &["circle", "convexhull", "convexhull_rot4", "nsphere_approx"],
                Dims::Xyz => &["sphere", "cylinder", "Rz_convexhull", "convexhull", "convexhull_rot4"],
            };
            if !allowed.contains(&n.name()) {
                bail!(
                    "normalization {} does not apply to --dims {}; use one of {}",
                    n.name(),
                    dims.name(),
                    allowed.join(", ")
                );
            }
        }
        Ok(Self { potential, description, orbit, dims, tessellation })
    }

    /// A fresh per-thread workspace.
    pub fn workspace(&self) -> Workspace {
        Workspace {
            tessellator: Tessellator::new(),
            positions: vec![[0.0; 3]; self.orbit.steps],
            points: Vec::with_capacity(self.orbit.steps * self.dims.ndim()),
        }
    }

    /// Integrates the orbit of `ic` (x, y, z [kpc], v_x, v_y, v_z [km/s]) and measures it.
    /// Never panics on bad input: failures come back in [`Outcome::error`] with a NaN measure.
    pub fn measure(&self, ws: &mut Workspace, ic: &[f64; 6]) -> Outcome {
        let failed =
            |error: String| Outcome { measure: f64::NAN, nsimplex: 0, nkept: 0, degenerate: false, error: Some(error) };
        ws.positions.resize(self.orbit.steps, [0.0; 3]);
        if let Err(e) = starmill_dynamics::integrate_orbit(&self.potential, ic, &self.orbit, &mut ws.positions, None) {
            return failed(format!("integration: {e}"));
        }
        let ndim = self.dims.ndim();
        ws.points.clear();
        for p in &ws.positions {
            ws.points.extend_from_slice(&p[..ndim]);
        }
        match ws.tessellator.tessellate(&ws.points, ndim, &self.tessellation) {
            Ok(t) => Outcome {
                measure: t.measure,
                nsimplex: t.nsimplex as u32,
                nkept: t.nkept as u32,
                degenerate: t.degenerate.is_some(),
                error: None,
            },
            Err(e) => failed(format!("tessellation: {e}")),
        }
    }

    /// The run parameters as JSON (potential description, sampling, frame, tessellation options).
    pub fn record(&self) -> Value {
        json!({
            "potential": self.description.to_json_value(),
            "potential_summary": self.description.summary(),
            "dt_gyr": self.orbit.dt,
            "steps": self.orbit.steps,
            "pattern_speed_km_s_kpc": self.orbit.pattern_speed,
            "frame": "corotating",
            "integrator": serde_json::to_value(self.orbit.integrator).unwrap_or(Value::Null),
            "dims": self.dims.name(),
            "tessellation": {
                "axis_ratio": self.tessellation.axis_ratio,
                "normalization": self.normalization().name(),
                "engine": match self.tessellation.engine { EngineChoice::Qhull => "qhull", _ => "auto" },
            },
        })
    }

    /// The normalisation routine in effect.
    pub fn normalization(&self) -> Normalization {
        self.tessellation.normalization.unwrap_or_else(|| Normalization::default_for(self.dims.ndim()))
    }
}

/// The command-line options shared by every command that measures orbits.
#[derive(clap::Args, Debug, Clone)]
pub struct MeasureArgs {
    /// Potential: a named model (MWPotential2014, gala-MilkyWayPotential, gala-MilkyWayPotential2022,
    /// agama-mw-bar with pattern speed -39 km/s/kpc) or a .toml/.json description file (see
    /// docs/dynamics.md, docs/agama.md).
    #[arg(long, short, default_value = "MWPotential2014")]
    pub potential: String,
    /// Sample spacing in Gyr.
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    pub dt: f64,
    /// Samples per orbit, including t = 0 (the points tessellated).
    #[arg(long, default_value_t = 200)]
    pub steps: usize,
    /// Pattern speed of the potential's figure about +z in km/s/kpc (counter-clockwise for > 0);
    /// overrides the description's. Orbits are measured in the frame co-rotating with the figure.
    #[arg(long, allow_negative_numbers = true)]
    pub pattern_speed: Option<f64>,
    /// Position components to tessellate.
    #[arg(long, value_enum, default_value_t = Dims::Xyz)]
    pub dims: Dims,
    /// Integration scheme.
    #[arg(long, value_enum, default_value_t = IntegratorArg::Dop853)]
    pub integrator: IntegratorArg,
    /// DOP853 relative tolerance (absolute tolerance in kpc and km/s alike).
    #[arg(long, default_value_t = Integrator::DEFAULT_RTOL)]
    pub rtol: f64,
    /// Tessellation options.
    #[command(flatten)]
    pub tessellation: TessellationArgs,
    /// Worker threads (default: SLURM_CPUS_PER_TASK if set, else all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Orbits per chunk handed to the writer (memory holds at most three chunks of results).
    #[arg(long, default_value_t = 1024)]
    pub chunk: usize,
}

impl MeasureArgs {
    /// Builds the pipeline these options describe.
    pub fn pipeline(&self) -> anyhow::Result<Pipeline> {
        let description =
            parse_potential(&self.potential).with_context(|| format!("--potential {}", self.potential))?;
        self.pipeline_with(description)
    }

    /// Builds the pipeline with an already parsed potential description.
    pub fn pipeline_with(&self, description: Description) -> anyhow::Result<Pipeline> {
        let integrator = match self.integrator {
            IntegratorArg::Dop853 => Integrator::Dop853 { rtol: self.rtol, atol: self.rtol },
            IntegratorArg::Leapfrog => Integrator::leapfrog(),
        };
        let options = self.tessellation.options(false)?;
        Pipeline::from_description(description, self.pattern_speed, self.dt, self.steps, integrator, self.dims, options)
    }
}

/// Arguments of `starmill commensurability`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Initial conditions: .npy (n, 6) or CSV with one row per orbit: x, y, z [kpc], vx, vy, vz [km/s]
    /// (galactocentric, right-handed astropy frame). Omit it with --random.
    pub ics: Option<PathBuf>,
    /// Draw N initial conditions exactly like the commensurability example: numpy
    /// default_rng(--seed); z ~ N(0, 1), then x ~ N(8, 1), then y ~ N(0, 1) kpc; v = (0, 250, 0) km/s.
    #[arg(long, value_name = "N", conflicts_with = "ics")]
    pub random: Option<usize>,
    /// Seed for --random (numpy's default_rng seed).
    #[arg(long, default_value_t = 0)]
    pub seed: u128,
    #[command(flatten)]
    pub measure: MeasureArgs,
    /// Output folder: values.npy, ics.npy, histogram.png, run.json (created if missing; files in it
    /// are replaced).
    #[arg(long, short, default_value = "commensurability-out")]
    pub output: PathBuf,
    /// Print the run record (JSON) on stdout instead of the text summary.
    #[arg(long)]
    pub json: bool,
}

/// Where the initial conditions came from, for the run record.
#[derive(Debug, Clone)]
pub enum IcSource {
    /// numpy default_rng(seed) draws as in the commensurability example.
    Random {
        /// Number of orbits.
        n: usize,
        /// The seed.
        seed: u128,
    },
    /// A file.
    File(PathBuf),
}

/// What a finished sample run reports.
#[derive(Debug, Clone)]
pub struct SampleReport {
    /// The run record written to run.json.
    pub record: Value,
    /// Number of failed orbits.
    pub failed: usize,
    /// Wall time of the whole run in seconds.
    pub seconds: f64,
}

/// Min, median, mean and max of the finite values (NaN if there are none).
pub fn summary_stats(values: &[f64]) -> (f64, f64, f64, f64) {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
    let mean = v.iter().sum::<f64>() / n as f64;
    (v[0], median, mean, v[n - 1])
}

fn finite_or_null(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        Value::Null
    }
}

/// Runs the sample workflow into `outdir`: integrate and measure every IC on all cores (streamed in
/// chunks), then write values.npy, ics.npy, histogram.png and run.json (each atomically).
pub fn run_sample(
    pipeline: &Pipeline,
    ics: &[[f64; 6]],
    source: &IcSource,
    outdir: &Path,
    chunk: usize,
    quiet: bool,
    command: &str,
) -> anyhow::Result<SampleReport> {
    let started = Instant::now();
    std::fs::create_dir_all(outdir)
        .with_context(|| format!("{}: cannot create the output folder; pass another with -o", outdir.display()))?;
    let n = ics.len();
    let progress = Progress::new(n as u64, "orbits", quiet);
    let mut values = vec![f64::NAN; n];
    let mut failures: Vec<(usize, String)> = Vec::new();
    let (mut degenerate, mut zeros, mut simplices) = (0usize, 0usize, 0u64);
    let compute_started = Instant::now();
    stream::<_, _, _, _, _, std::convert::Infallible>(
        n,
        chunk,
        &progress,
        || pipeline.workspace(),
        |ws, i| pipeline.measure(ws, &ics[i]),
        |start, outcomes| {
            for (k, o) in outcomes.into_iter().enumerate() {
                values[start + k] = o.measure;
                simplices += u64::from(o.nsimplex);
                degenerate += usize::from(o.degenerate);
                zeros += usize::from(o.measure == 0.0);
                if let Some(e) = o.error {
                    failures.push((start + k, e));
                }
            }
            Ok(())
        },
    )
    .unwrap_or_else(|never| match never {});
    progress.finish();
    let compute_seconds = compute_started.elapsed().as_secs_f64();
    for (i, e) in failures.iter().take(20) {
        log::error!("orbit {i}: {e} (its value is NaN)");
    }
    let write_started = Instant::now();
    let values_path = outdir.join("values.npy");
    let ics_path = outdir.join("ics.npy");
    let hist_path = outdir.join("histogram.png");
    let run_path = outdir.join("run.json");
    starmill_io::write_npy_f64(&values_path, &[n], &values)?;
    let flat: Vec<f64> = ics.iter().flatten().copied().collect();
    starmill_io::write_npy_f64(&ics_path, &[n, 6], &flat)?;
    let title = format!(
        "{} orbits, {}, {} samples of {} Gyr, {}",
        n,
        pipeline.description.summary(),
        pipeline.orbit.steps,
        pipeline.orbit.dt,
        pipeline.dims.name()
    );
    starmill_plot::histogram::histogram(
        &hist_path,
        &values,
        50,
        (0.0, 1.0),
        "commensurability (tessellation measure)",
        &title,
    )?;
    let write_seconds = write_started.elapsed().as_secs_f64();
    let (lo, median, mean, hi) = summary_stats(&values);
    let seconds = started.elapsed().as_secs_f64();
    let mut record = json!({
        "starmill_version": env!("CARGO_PKG_VERSION"),
        "command": command,
        "n_orbits": n,
        "initial_conditions": match source {
            IcSource::Random { n, seed } => json!({
                "source": "random", "n": n, "seed": seed.to_string(),
                "recipe": "numpy default_rng(seed): z ~ N(0,1), x ~ N(8,1), y ~ N(0,1) kpc drawn in that order; v = (0, 250, 0) km/s",
            }),
            IcSource::File(p) => json!({"source": "file", "path": p.display().to_string()}),
        },
        "threads": starmill_runner::threads(),
        "chunk": chunk,
        "seconds": {"total": seconds, "integrate_and_measure": compute_seconds, "write": write_seconds},
        "orbits_per_second": n as f64 / compute_seconds.max(1e-12),
        "summary": {
            "min": finite_or_null(lo), "median": finite_or_null(median), "mean": finite_or_null(mean), "max": finite_or_null(hi),
            "exact_zeros": zeros, "degenerate": degenerate, "failed": failures.len(), "total_simplices": simplices,
        },
        "failures": failures.iter().map(|(i, e)| json!({"orbit": i, "error": e})).collect::<Vec<_>>(),
        "outputs": {
            "values": "values.npy (float64, shape (n,))",
            "ics": "ics.npy (float64, shape (n, 6): x, y, z [kpc], vx, vy, vz [km/s])",
            "histogram": "histogram.png (50 bins over [0, 1])",
        },
    });
    if let (Value::Object(r), Value::Object(p)) = (&mut record, pipeline.record()) {
        r.extend(p);
    }
    let text = serde_json::to_string_pretty(&record)?;
    starmill_io::write_atomic(&run_path, |w| std::io::Write::write_all(w, text.as_bytes()))?;
    Ok(SampleReport { record, failed: failures.len(), seconds })
}

/// Prints the human summary of a sample run.
pub fn print_summary(report: &SampleReport, outdir: &Path) {
    let r = &report.record;
    let s = &r["summary"];
    let num = |v: &Value| v.as_f64().map(|x| format!("{x:.6}")).unwrap_or_else(|| "n/a".into());
    println!(
        "{} orbits in {} ({} samples of {} Gyr, {}), {} threads: {:.3} s ({:.0} orbits/s)",
        r["n_orbits"],
        r["potential_summary"].as_str().unwrap_or("?"),
        r["steps"],
        r["dt_gyr"],
        r["dims"].as_str().unwrap_or("?"),
        r["threads"],
        report.seconds,
        r["orbits_per_second"].as_f64().unwrap_or(0.0)
    );
    println!(
        "commensurability min {}  median {}  mean {}  max {}; {} exact zeros, {} degenerate, {} failed",
        num(&s["min"]),
        num(&s["median"]),
        num(&s["mean"]),
        num(&s["max"]),
        s["exact_zeros"],
        s["degenerate"],
        s["failed"]
    );
    println!("histogram: {}", outdir.join("histogram.png").display());
    println!("values:    {}  (ICs: ics.npy, record: run.json)", outdir.join("values.npy").display());
}

/// Runs the command.
pub fn run(args: Args, global: Global) -> anyhow::Result<ExitCode> {
    starmill_runner::init_threads(args.measure.threads).map_err(anyhow::Error::msg)?;
    let pipeline = args.measure.pipeline()?;
    let (ics, source) = match (&args.ics, args.random) {
        (Some(path), None) => (read_ics(path)?, IcSource::File(path.clone())),
        (None, Some(0)) => bail!("--random 0: ask for at least one orbit"),
        (None, Some(n)) => {
            (crate::seed::seed_initial_conditions(n, args.seed), IcSource::Random { n, seed: args.seed })
        }
        (None, None) => bail!("give an initial-conditions file (.npy (n, 6) or CSV) or --random N [--seed S]"),
        (Some(_), Some(_)) => bail!("give either an initial-conditions file or --random, not both"),
    };
    let report = run_sample(
        &pipeline,
        &ics,
        &source,
        &args.output,
        args.measure.chunk,
        global.quiet || args.json,
        "commensurability",
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.record)?);
    } else if !global.quiet {
        print_summary(&report, &args.output);
    }
    Ok(if report.failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
