//! Orbits: initial conditions in, sampled positions (and velocities) out — the equivalent of pidgey's
//! `compute_orbit(ics, potential, dt, steps, pattern_speed)`, in one right-handed frame.
//!
//! * ICs: galactocentric Cartesian (x, y, z [kpc], v_x, v_y, v_z [km/s]) in the inertial frame at
//!   t = 0 (astropy's Galactocentric frame; no mirroring).
//! * Samples at t = 0, dt, …, (steps − 1)·dt [Gyr]; sample 0 is the IC itself.
//! * Pattern speed Ω [km/s/kpc]: the potential's figure turns counter-clockwise about +z by Ω t.
//!   The equations of motion are integrated in the inertial frame with the turning potential; output
//!   is either inertial or in the frame co-rotating with the figure (coincident at t = 0):
//!   x_rot = R(−Ωt) x, v_rot = R(−Ωt) (v − Ω ẑ × x) (the velocity relative to the rotating frame),
//!   or, with [`Frame::CorotatingAgama`], agama's convention v_rot = R(−Ωt) v (the inertial velocity
//!   expressed along the rotating axes; positions as in [`Frame::Corotating`]).
//! * Input ICs need no frame: at t = 0 the frames coincide, and agama's rotating-frame ICs
//!   (positions, inertial velocities along the rotating axes) are exactly the inertial state.

use crate::integrate::dop853::{self, Dop853Settings};
use crate::integrate::{leapfrog, symplec4, Field, IntegrationError, IntegrationStats, State};
use crate::potential::{Potential, Vec3};
use crate::units::gyr_to_internal;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The frame of the returned positions and velocities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frame {
    /// The inertial galactocentric frame.
    #[default]
    Inertial,
    /// The frame rotating with the pattern speed (equal to the inertial frame when Ω = 0); velocities
    /// relative to that frame, v_rot = dx_rot/dt = R(−Ωt)(v − Ω ẑ × x) [km/s].
    Corotating,
    /// agama's convention (`agama.orbit(..., Omega=Ω)`): positions in the rotating frame as
    /// [`Frame::Corotating`], velocities the *inertial* velocity expressed along the rotating axes,
    /// R(−Ωt) v [km/s], so dx_rot/dt = (v_x + Ω y, v_y − Ω x, v_z). Jacobi integral in these variables:
    /// Φ(x_rot) + ½|v|² − Ω (x v_y − y v_x).
    CorotatingAgama,
}

impl Frame {
    /// The frame's name in run records: "inertial", "corotating" or "corotating_agama".
    pub fn as_str(self) -> &'static str {
        match self {
            Frame::Inertial => "inertial",
            Frame::Corotating => "corotating",
            Frame::CorotatingAgama => "corotating_agama",
        }
    }
}

/// The integration scheme.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Integrator {
    /// Adaptive Dormand–Prince 8(5,3) with 7th-order dense output at the sample times.
    Dop853 {
        /// Relative tolerance per phase-space component.
        rtol: f64,
        /// Absolute tolerance per component (kpc for positions, km/s for velocities).
        atol: f64,
    },
    /// DOP853 with exactly `substeps` equal steps per sample interval and no error control (for
    /// convergence studies and reproducible step sequences).
    Dop853Fixed {
        /// Steps per sample interval (≥ 1).
        substeps: u32,
    },
    /// galpy's `symplec4_c` (pidgey's galpy default): 4th-order symplectic composition with galpy's
    /// coefficients and its per-orbit sub-step rule (a power of two per sample interval, chosen from
    /// the ICs with rtol = atol = 1e-12 in galpy's natural units r_o = 8 kpc, v_o = 220 km/s).
    /// Reproduces galpy's positions to ~1e-11 kpc; slower than DOP853 at equal accuracy.
    Symplec4Galpy,
    /// Kick–drift–kick leapfrog with `substeps` fixed steps per sample interval (1 = gala's choice:
    /// the sample spacing itself is the step).
    Leapfrog {
        /// Steps per sample interval (≥ 1).
        substeps: u32,
    },
}

impl Integrator {
    /// Default DOP853 relative tolerance: positions within ~1e-8 kpc of a converged run on the seed
    /// workload (2 Gyr, MWPotential2014).
    pub const DEFAULT_RTOL: f64 = 1e-11;
    /// Default DOP853 absolute tolerance (kpc, km/s).
    pub const DEFAULT_ATOL: f64 = 1e-11;

    /// DOP853 with the default tolerances.
    pub fn dop853() -> Self {
        Self::Dop853 { rtol: Self::DEFAULT_RTOL, atol: Self::DEFAULT_ATOL }
    }

    /// gala-style leapfrog: one step per sample interval.
    pub fn leapfrog() -> Self {
        Self::Leapfrog { substeps: 1 }
    }
}

impl Default for Integrator {
    fn default() -> Self {
        Self::dop853()
    }
}

/// What to integrate and how to sample it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OrbitOptions {
    /// Sample spacing in Gyr (> 0).
    pub dt: f64,
    /// Number of samples, including t = 0 (≥ 1).
    pub steps: usize,
    /// Pattern speed Ω of the potential's figure about +z in km/s/kpc (0 = static).
    pub pattern_speed: f64,
    /// Frame of the output.
    pub frame: Frame,
    /// Integration scheme.
    pub integrator: Integrator,
    /// Step budget per orbit (adaptive integrator): accepted + rejected steps.
    pub max_steps: u64,
}

impl OrbitOptions {
    /// `steps` samples spaced by `dt` Gyr, static potential, inertial frame, DOP853 defaults.
    pub fn new(dt: f64, steps: usize) -> Self {
        Self {
            dt,
            steps,
            pattern_speed: 0.0,
            frame: Frame::Inertial,
            integrator: Integrator::default(),
            max_steps: 50_000_000,
        }
    }

    /// Checks the options; the message names the bad value and the fix.
    pub fn validate(&self) -> Result<(), OrbitError> {
        let bad = |m: String| Err(OrbitError::Options(m));
        if !(self.dt.is_finite() && self.dt > 0.0) {
            return bad(format!("dt must be a finite number of Gyr > 0, got {}", self.dt));
        }
        if self.steps == 0 {
            return bad("steps must be ≥ 1 (the number of samples including t = 0)".into());
        }
        if !self.pattern_speed.is_finite() {
            return bad(format!("pattern speed must be finite (km/s/kpc), got {}", self.pattern_speed));
        }
        match self.integrator {
            Integrator::Dop853 { rtol, atol } => {
                if !(rtol.is_finite() && rtol > 0.0 && rtol < 1.0) {
                    return bad(format!("rtol must be in (0, 1), got {rtol}; 1e-11 is the default"));
                }
                if !(atol.is_finite() && atol >= 0.0) {
                    return bad(format!("atol must be ≥ 0, got {atol}"));
                }
                if rtol < 1e-15 {
                    return bad(format!("rtol {rtol} is below double precision; use ≥ 1e-15"));
                }
            }
            Integrator::Leapfrog { substeps } | Integrator::Dop853Fixed { substeps } => {
                if substeps == 0 {
                    return bad("substeps must be ≥ 1".into());
                }
            }
            Integrator::Symplec4Galpy => {}
        }
        Ok(())
    }

    /// Sample times in Gyr: k · dt for k = 0 … steps − 1.
    pub fn times(&self) -> Vec<f64> {
        (0..self.steps).map(|k| k as f64 * self.dt).collect()
    }
}

/// Why orbits could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OrbitError {
    /// Invalid options.
    #[error("invalid orbit options: {0}")]
    Options(String),
    /// An initial condition is not finite.
    #[error("initial condition {index} is not finite: {ic:?}; every row must hold x, y, z [kpc], vx, vy, vz [km/s]")]
    BadInitialCondition {
        /// Row index.
        index: usize,
        /// The row.
        ic: [f64; 6],
    },
    /// The output buffer has the wrong length.
    #[error("output buffer holds {got} samples, the options ask for {want}")]
    BufferSize {
        /// Buffer length in samples.
        got: usize,
        /// Requested samples.
        want: usize,
    },
    /// Integration failed for one orbit.
    #[error("orbit {index}: {source}")]
    Integration {
        /// Row index of the orbit.
        index: usize,
        /// The cause.
        source: IntegrationError,
    },
}

#[inline]
fn to_frame(frame: Frame, omega: f64, t: f64, y: &State) -> (Vec3, Vec3) {
    let x = [y[0], y[1], y[2]];
    let v = [y[3], y[4], y[5]];
    if frame == Frame::Inertial || omega == 0.0 {
        return (x, v);
    }
    let (s, c) = (omega * t).sin_cos();
    let rot = |p: Vec3| [c * p[0] + s * p[1], -s * p[0] + c * p[1], p[2]];
    match frame {
        Frame::CorotatingAgama => (rot(x), rot(v)),
        _ => {
            let vrel = [v[0] + omega * x[1], v[1] - omega * x[0], v[2]];
            (rot(x), rot(vrel))
        }
    }
}

/// Integrates ONE orbit from `ic` (x, y, z [kpc], v_x, v_y, v_z [km/s]) and writes `options.steps`
/// positions (kpc) into `positions` and, if given, velocities (km/s) into `velocities`, in the
/// requested frame. Allocates nothing; safe to call from many threads with one shared potential.
pub fn integrate_orbit<P: Potential + ?Sized>(
    potential: &P,
    ic: &[f64; 6],
    options: &OrbitOptions,
    positions: &mut [Vec3],
    mut velocities: Option<&mut [Vec3]>,
) -> Result<IntegrationStats, OrbitError> {
    options.validate()?;
    if positions.len() != options.steps {
        return Err(OrbitError::BufferSize { got: positions.len(), want: options.steps });
    }
    if let Some(v) = velocities.as_deref() {
        if v.len() != options.steps {
            return Err(OrbitError::BufferSize { got: v.len(), want: options.steps });
        }
    }
    if !ic.iter().all(|c| c.is_finite()) {
        return Err(OrbitError::BadInitialCondition { index: 0, ic: *ic });
    }
    let field = Field { potential, omega: options.pattern_speed };
    let frame = options.frame;
    let omega = options.pattern_speed;
    let mut store = |k: usize, t: f64, y: &State| {
        let (x, v) = to_frame(frame, omega, t, y);
        positions[k] = x;
        if let Some(vel) = velocities.as_deref_mut() {
            vel[k] = v;
        }
    };
    store(0, 0.0, ic);
    let dt = gyr_to_internal(options.dt);
    let result = match options.integrator {
        Integrator::Dop853 { rtol, atol } => {
            let settings = Dop853Settings { rtol, atol, max_steps: options.max_steps, fixed_steps_per_sample: None };
            dop853::integrate(&field, *ic, dt, options.steps, &settings, &mut store)
        }
        Integrator::Dop853Fixed { substeps } => {
            let settings =
                Dop853Settings { rtol: 1.0, atol: 1.0, max_steps: u64::MAX, fixed_steps_per_sample: Some(substeps) };
            dop853::integrate(&field, *ic, dt, options.steps, &settings, &mut store)
        }
        Integrator::Leapfrog { substeps } => leapfrog::integrate(&field, *ic, dt, options.steps, substeps, &mut store),
        Integrator::Symplec4Galpy => symplec4::integrate(&field, *ic, dt, options.steps, &mut store),
    };
    result.map_err(|source| OrbitError::Integration { index: 0, source })
}

/// Sampled orbits of many initial conditions.
#[derive(Debug, Clone, PartialEq)]
pub struct Orbits {
    /// Number of orbits.
    pub n_orbits: usize,
    /// Samples per orbit.
    pub steps: usize,
    /// Positions in kpc, row-major (n_orbits, steps, 3).
    pub positions: Vec<f64>,
    /// Velocities in km/s, row-major (n_orbits, steps, 3), if requested.
    pub velocities: Option<Vec<f64>>,
    /// Counters summed over all orbits.
    pub stats: IntegrationStats,
}

/// Integrates every initial condition in `ics` (rows x, y, z [kpc], v_x, v_y, v_z [km/s]) in parallel
/// on the current rayon pool; memory is the output only. `on_done` is called once per finished orbit
/// (e.g. to advance a progress bar). Orbits are independent: the result does not depend on the
/// number of threads.
pub fn compute_orbits<P: Potential + ?Sized>(
    potential: &P,
    ics: &[[f64; 6]],
    options: &OrbitOptions,
    with_velocities: bool,
    on_done: &(dyn Fn() + Sync),
) -> Result<Orbits, OrbitError> {
    options.validate()?;
    for (index, ic) in ics.iter().enumerate() {
        if !ic.iter().all(|c| c.is_finite()) {
            return Err(OrbitError::BadInitialCondition { index, ic: *ic });
        }
    }
    let n = ics.len();
    let steps = options.steps;
    // Flat (n, steps, 3) buffers, viewed as [f64; 3] rows: the output is the only allocation.
    let mut pos_flat = vec![0.0f64; n * steps * 3];
    let mut vel_flat = if with_velocities { vec![0.0f64; n * steps * 3] } else { Vec::new() };
    let pos: &mut [[f64; 3]] = pos_flat.as_chunks_mut::<3>().0;
    let vel: &mut [[f64; 3]] = vel_flat.as_chunks_mut::<3>().0;
    let results: Vec<Result<IntegrationStats, OrbitError>> = if with_velocities {
        pos.par_chunks_mut(steps)
            .zip(vel.par_chunks_mut(steps))
            .zip(ics.par_iter())
            .enumerate()
            .map(|(index, ((p, v), ic))| {
                let r = integrate_orbit(potential, ic, options, p, Some(v)).map_err(|e| reindex(e, index));
                on_done();
                r
            })
            .collect()
    } else {
        pos.par_chunks_mut(steps)
            .zip(ics.par_iter())
            .enumerate()
            .map(|(index, (p, ic))| {
                let r = integrate_orbit(potential, ic, options, p, None).map_err(|e| reindex(e, index));
                on_done();
                r
            })
            .collect()
    };
    let mut stats = IntegrationStats::default();
    for r in results {
        let s = r?;
        stats.steps += s.steps;
        stats.rejected += s.rejected;
        stats.force_evaluations += s.force_evaluations;
    }
    Ok(Orbits { n_orbits: n, steps, positions: pos_flat, velocities: with_velocities.then_some(vel_flat), stats })
}

fn reindex(e: OrbitError, index: usize) -> OrbitError {
    match e {
        OrbitError::Integration { source, .. } => OrbitError::Integration { index, source },
        OrbitError::BadInitialCondition { ic, .. } => OrbitError::BadInitialCondition { index, ic },
        other => other,
    }
}

/// Energy per unit mass E = ½|v|² + Φ(x) in (km/s)² (inertial x in kpc, v in km/s, static potential).
pub fn energy<P: Potential + ?Sized>(potential: &P, x: Vec3, v: Vec3) -> f64 {
    0.5 * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) + potential.potential(x)
}

/// Jacobi integral E_J = ½|v|² + Φ(x, t) − Ω L_z in (km/s)², conserved for a figure rotating at
/// `pattern_speed` Ω (km/s/kpc); `x` (kpc), `v` (km/s) inertial at time `t_gyr` (Gyr),
/// L_z = x v_y − y v_x.
pub fn jacobi_integral<P: Potential + ?Sized>(potential: &P, pattern_speed: f64, t_gyr: f64, x: Vec3, v: Vec3) -> f64 {
    let field = Field { potential, omega: pattern_speed };
    let lz = x[0] * v[1] - x[1] * v[0];
    0.5 * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) + field.potential_at(gyr_to_internal(t_gyr), x) - pattern_speed * lz
}

/// Φ(x, t) in (km/s)² of `potential` turned by Ω t about +z (Ω = `pattern_speed` in km/s/kpc,
/// t = `t_gyr` in Gyr), at inertial position `x` in kpc.
pub fn rotating_potential<P: Potential + ?Sized>(potential: &P, pattern_speed: f64, t_gyr: f64, x: Vec3) -> f64 {
    Field { potential, omega: pattern_speed }.potential_at(gyr_to_internal(t_gyr), x)
}

/// −∇Φ(x, t) in (km/s)²/kpc of `potential` turned by Ω t about +z (Ω = `pattern_speed` in km/s/kpc,
/// t = `t_gyr` in Gyr), at inertial position `x` in kpc.
pub fn rotating_acceleration<P: Potential + ?Sized>(potential: &P, pattern_speed: f64, t_gyr: f64, x: Vec3) -> Vec3 {
    Field { potential, omega: pattern_speed }.acceleration(gyr_to_internal(t_gyr), x)
}
