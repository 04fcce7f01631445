//! `starmill orbit`: integrate orbits from initial conditions in a galactic potential.

use super::shared::read_ics;
use crate::Global;
use anyhow::{bail, Context};
use starmill_dynamics::{compute_orbits, parse_potential, Frame, Integrator, OrbitOptions};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Output frame of `starmill orbit`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameArg {
    /// The inertial galactocentric frame.
    Inertial,
    /// The frame co-rotating with the pattern speed (coincides with the inertial frame at t = 0);
    /// velocities relative to the rotating frame (dx_rot/dt).
    Corotating,
    /// agama's convention (`agama.orbit(..., Omega=...)`): co-rotating positions, velocities = the
    /// inertial velocity expressed along the rotating axes.
    CorotatingAgama,
}

/// Integration scheme of `starmill orbit`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntegratorArg {
    /// Adaptive Dormand–Prince 8(5,3) with dense output at the sample times (accurate; default).
    Dop853,
    /// Kick–drift–kick leapfrog with --substeps fixed steps per sample interval (gala-style with 1).
    Leapfrog,
    /// galpy's symplec4_c with its per-orbit sub-step rule (reproduces pidgey's galpy orbits, unmirrored).
    Symplec4Galpy,
}

/// Arguments of `starmill orbit`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Initial conditions: .npy or CSV with one row per orbit: x, y, z [kpc], vx, vy, vz [km/s]
    /// (galactocentric, right-handed astropy frame).
    pub ics: PathBuf,
    /// Potential: a named model (MWPotential2014, gala-MilkyWayPotential, gala-MilkyWayPotential2022,
    /// agama-mw-bar with pattern speed -39 km/s/kpc) or a .toml/.json description file (see
    /// docs/dynamics.md, docs/agama.md).
    #[arg(long, short, default_value = "MWPotential2014")]
    pub potential: String,
    /// Sample spacing in Gyr.
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    pub dt: f64,
    /// Number of samples per orbit, including t = 0.
    #[arg(long, default_value_t = 200)]
    pub steps: usize,
    /// Pattern speed of the potential's figure about +z in km/s/kpc (counter-clockwise for > 0);
    /// overrides the description's `pattern_speed`.
    #[arg(long, allow_negative_numbers = true)]
    pub pattern_speed: Option<f64>,
    /// Frame of the output positions and velocities.
    #[arg(long, value_enum, default_value_t = FrameArg::Inertial)]
    pub frame: FrameArg,
    /// Integration scheme.
    #[arg(long, value_enum, default_value_t = IntegratorArg::Dop853)]
    pub integrator: IntegratorArg,
    /// DOP853 relative tolerance.
    #[arg(long, default_value_t = Integrator::DEFAULT_RTOL)]
    pub rtol: f64,
    /// DOP853 absolute tolerance (kpc for positions, km/s for velocities).
    #[arg(long, default_value_t = Integrator::DEFAULT_ATOL)]
    pub atol: f64,
    /// Leapfrog steps per sample interval.
    #[arg(long, default_value_t = 1)]
    pub substeps: u32,
    /// Output positions: .npy float64 of shape (n_orbits, steps, 3) in kpc. A JSON record of the run
    /// (potential description, options, counts) is written beside it as <output>.json.
    #[arg(long, short, default_value = "orbits.npy")]
    pub output: PathBuf,
    /// Also write velocities (km/s) to this .npy file, shape (n_orbits, steps, 3).
    #[arg(long)]
    pub velocities: Option<PathBuf>,
    /// Draw the orbits' x–y and x–z projections to this PNG (default orbits.png).
    #[arg(long, num_args = 0..=1, default_missing_value = "orbits.png")]
    pub plot: Option<PathBuf>,
    /// At most this many orbits in the plot.
    #[arg(long, default_value_t = 50)]
    pub plot_max: usize,
    /// Print a JSON summary on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `starmill orbit`.
pub fn run(args: Args, global: Global) -> anyhow::Result<ExitCode> {
    let ics = read_ics(&args.ics)?;
    let mut description = parse_potential(&args.potential)?;
    if let Some(omega) = args.pattern_speed {
        description.pattern_speed = omega;
    }
    let potential = description.build().with_context(|| format!("potential `{}`", args.potential))?;
    let mut options = OrbitOptions::new(args.dt, args.steps);
    options.pattern_speed = description.pattern_speed;
    options.frame = match args.frame {
        FrameArg::Inertial => Frame::Inertial,
        FrameArg::Corotating => Frame::Corotating,
        FrameArg::CorotatingAgama => Frame::CorotatingAgama,
    };
    options.integrator = match args.integrator {
        IntegratorArg::Dop853 => Integrator::Dop853 { rtol: args.rtol, atol: args.atol },
        IntegratorArg::Leapfrog => Integrator::Leapfrog { substeps: args.substeps },
        IntegratorArg::Symplec4Galpy => Integrator::Symplec4Galpy,
    };
    options.validate().map_err(|e| anyhow::anyhow!("{e} (check --dt, --steps, --rtol, --atol, --substeps)"))?;
    for p in [Some(&args.output), args.velocities.as_ref()].into_iter().flatten() {
        if p.extension().and_then(|e| e.to_str()) != Some("npy") {
            bail!("{}: output files are written as .npy; give a path ending in .npy", p.display());
        }
    }

    let n = ics.len();
    let progress = starmill_runner::Progress::new(n as u64, "orbits", global.quiet || args.json);
    let start = Instant::now();
    let orbits = compute_orbits(&potential, &ics, &options, args.velocities.is_some(), &|| progress.inc(1))
        .with_context(|| format!("integrating the orbits of {}", args.ics.display()))?;
    let seconds = start.elapsed().as_secs_f64();
    progress.finish();

    let shape = [n, args.steps, 3];
    starmill_io::write_npy_f64(&args.output, &shape, &orbits.positions)
        .with_context(|| format!("{}: cannot write positions", args.output.display()))?;
    if let (Some(path), Some(v)) = (&args.velocities, &orbits.velocities) {
        starmill_io::write_npy_f64(path, &shape, v)
            .with_context(|| format!("{}: cannot write velocities", path.display()))?;
    }
    if let Some(png) = &args.plot {
        let title = format!("{} — {} Gyr", description.summary(), (args.steps.saturating_sub(1)) as f64 * args.dt);
        starmill_plot::orbits::orbit_projections(png, &orbits.positions, n, args.steps, args.plot_max, &title)?;
    }
    let integrator = serde_json::to_value(options.integrator)?;
    let summary = serde_json::json!({
        "command": "orbit",
        "ics": args.ics.display().to_string(),
        "orbits": n,
        "steps": args.steps,
        "dt_gyr": args.dt,
        "t_end_gyr": (args.steps.saturating_sub(1)) as f64 * args.dt,
        "potential": description.to_json_value(),
        "pattern_speed_km_s_kpc": options.pattern_speed,
        "frame": options.frame.as_str(),
        "integrator": integrator,
        "output": args.output.display().to_string(),
        "output_shape": shape,
        "velocities": args.velocities.as_ref().map(|p| p.display().to_string()),
        "plot": args.plot.as_ref().map(|p| p.display().to_string()),
        "accepted_steps": orbits.stats.steps,
        "rejected_steps": orbits.stats.rejected,
        "force_evaluations": orbits.stats.force_evaluations,
        "seconds": seconds,
        "orbits_per_second": n as f64 / seconds.max(1e-12),
    });
    let record = args.output.with_extension("npy.json");
    starmill_io::write_atomic(&record, |w| {
        serde_json::to_writer_pretty(&mut *w, &summary).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })
    .with_context(|| format!("{}: cannot write the run record", record.display()))?;

    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else if !global.quiet {
        println!(
            "{n} orbits × {} samples (t = 0 … {} Gyr) in {} with {} in {:.2} s ({:.0} orbits/s)",
            args.steps,
            (args.steps.saturating_sub(1)) as f64 * args.dt,
            description.summary(),
            match options.integrator {
                Integrator::Dop853 { rtol, .. } => format!("dop853 (rtol {rtol:e})"),
                Integrator::Leapfrog { substeps } => format!("leapfrog ({substeps} step(s) per sample)"),
                Integrator::Dop853Fixed { substeps } => format!("fixed-step dop853 ({substeps} step(s) per sample)"),
                Integrator::Symplec4Galpy => "galpy's symplec4 rule".to_string(),
            },
            seconds,
            n as f64 / seconds.max(1e-12)
        );
        println!("wrote {} {:?} float64 kpc and {}", args.output.display(), shape, record.display());
        if let Some(v) = &args.velocities {
            println!("wrote {} {:?} float64 km/s", v.display(), shape);
        }
        if let Some(p) = &args.plot {
            println!("wrote {}", p.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
