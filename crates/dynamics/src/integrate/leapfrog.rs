//! Kick–drift–kick leapfrog with a fixed step, in gala's operation order.

use super::{Field, IntegrationError, IntegrationStats, State};
use crate::potential::Potential;
use crate::units::KMS_TO_KPC_PER_GYR;

/// Integrates from `y0` at t = 0 with `substeps` leapfrog steps of dt/substeps per sample interval
/// and calls `sample(k, t_k, y(t_k))` for k = 1 … `n_samples − 1` (t_k = k · `dt`, internal units;
/// velocities synchronised with positions).
pub(crate) fn integrate<P, F>(
    field: &Field<'_, P>,
    y0: State,
    dt: f64,
    n_samples: usize,
    substeps: u32,
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
    let substeps = substeps.max(1);
    let h = dt / substeps as f64;
    let mut x = [y0[0], y0[1], y0[2]];
    let mut a = field.acceleration(0.0, x);
    stats.force_evaluations += 1;
    // Half-step velocity v_{1/2} = v0 + (a h)/2.
    let mut v_half = [0.0; 3];
    for i in 0..3 {
        v_half[i] = y0[3 + i] + (a[i] * h) / 2.0;
    }
    for k in 1..n_samples {
        let t0 = (k - 1) as f64 * dt;
        let mut v = [0.0; 3];
        for s in 1..=substeps {
            for i in 0..3 {
                x[i] += v_half[i] * h;
            }
            let t = t0 + s as f64 * h;
            a = field.acceleration(t, x);
            stats.force_evaluations += 1;
            stats.steps += 1;
            for i in 0..3 {
                v[i] = v_half[i] + (a[i] * h) / 2.0;
                v_half[i] += a[i] * h;
            }
        }
        let y = [x[0], x[1], x[2], v[0], v[1], v[2]];
        if !y.iter().all(|c| c.is_finite()) {
            return Err(IntegrationError::NonFinite { t_gyr: k as f64 * dt / KMS_TO_KPC_PER_GYR });
        }
        sample(k, k as f64 * dt, &y);
    }
    Ok(stats)
}
