//! galpy's `symplec4_c` reproduced: a 4th-order symplectic (Forest–Ruth/Yoshida) composition with
//! galpy's literal coefficients and its per-orbit sub-step rule, so that pidgey's galpy orbits can be
//! reproduced to ~1e-11 kpc (in the right-handed frame).

use super::{Field, IntegrationError, IntegrationStats, State};
use crate::potential::Potential;
use crate::units::KMS_TO_KPC_PER_GYR;

const C1: f64 = 0.6756035959798289;
const C2: f64 = -0.1756035959798288;
const D1: f64 = 1.3512071919596578;
const D2: f64 = -1.7024143839193153;

/// galpy's natural length unit r_o in kpc.
const RO: f64 = 8.0;
/// galpy's natural velocity unit v_o in km/s.
const VO: f64 = 220.0;

/// One composition step of size `h` (internal time) from (q, p) at time `t`.
#[inline]
fn step<P: Potential + ?Sized>(field: &Field<'_, P>, t: f64, h: f64, y: &mut State, stats: &mut IntegrationStats) {
    let mut tq = t;
    for (c, d) in [(C1, D1), (C2, D2), (C2, D1)] {
        let ch = c * h;
        for i in 0..3 {
            y[i] += ch * y[3 + i];
        }
        tq += ch;
        let a = field.acceleration(tq, [y[0], y[1], y[2]]);
        stats.force_evaluations += 1;
        let dh = d * h;
        for i in 0..3 {
            y[3 + i] += dh * a[i];
        }
    }
    let ch = C1 * h;
    for i in 0..3 {
        y[i] += ch * y[3 + i];
    }
}

/// galpy's sub-step count for one orbit: halve h from 2Δ until one step of h and two of h/2 agree
/// within rtol = atol = 1e-12 in galpy's natural units (scales from the ICs), or Δ/h reaches 16384.
pub(crate) fn substeps<P: Potential + ?Sized>(field: &Field<'_, P>, y0: &State, dt: f64) -> u32 {
    const TOL: f64 = 1e-12;
    let qmax = y0[..3].iter().fold(0.0f64, |m, v| m.max(v.abs())) / RO;
    let pmax = y0[3..].iter().fold(0.0f64, |m, v| m.max(v.abs())) / VO;
    let sq = TOL + TOL * qmax;
    let sp = TOL + TOL * pmax;
    let mut stats = IntegrationStats::default();
    let mut n: u32 = 1;
    loop {
        n *= 2;
        let h = 2.0 * dt / n as f64;
        let mut one = *y0;
        step(field, 0.0, h, &mut one, &mut stats);
        let mut two = *y0;
        step(field, 0.0, h / 2.0, &mut two, &mut stats);
        step(field, h / 2.0, h / 2.0, &mut two, &mut stats);
        let mut sum = 0.0;
        for i in 0..3 {
            sum += ((one[i] - two[i]) / RO / sq).powi(2);
            sum += ((one[3 + i] - two[3 + i]) / VO / sp).powi(2);
        }
        let err = (sum / 6.0).sqrt();
        // n/2 = Δ/h sub-steps per output interval.
        if err <= 1.0 || n / 2 >= 10000 {
            return n / 2;
        }
    }
}

/// Integrates with galpy's rule and calls `sample(k, t_k, y)` for k = 1 … `n_samples − 1`.
pub(crate) fn integrate<P, F>(
    field: &Field<'_, P>,
    y0: State,
    dt: f64,
    n_samples: usize,
    mut sample: F,
) -> Result<IntegrationStats, IntegrationError>
where
    P: Potential + ?Sized,
    F: FnMut(usize, f64, &State),
{
    let mut stats = IntegrationStats::default();
    if n_samples < 2 {
        return Ok(stats);
    }
    let ndt = substeps(field, &y0, dt);
    let h = dt / ndt as f64;
    let mut y = y0;
    for k in 1..n_samples {
        let t0 = (k - 1) as f64 * dt;
        for s in 0..ndt {
            step(field, t0 + s as f64 * h, h, &mut y, &mut stats);
            stats.steps += 1;
        }
        if !y.iter().all(|c| c.is_finite()) {
            return Err(IntegrationError::NonFinite { t_gyr: k as f64 * dt / KMS_TO_KPC_PER_GYR });
        }
        sample(k, k as f64 * dt, &y);
    }
    Ok(stats)
}
