//! Dormand–Prince 8(5,3) with step-size control (Hairer's error norm) and 7th-order dense output at
//! requested times.

use super::dop853_tableau::{A, B, C, D, E3, E5};
use super::{Field, IntegrationError, IntegrationStats, State};
use crate::potential::Potential;
use crate::units::KMS_TO_KPC_PER_GYR;

/// Tolerances and limits of the adaptive integrator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dop853Settings {
    /// Relative tolerance per component.
    pub rtol: f64,
    /// Absolute tolerance per component (kpc for positions, km/s for velocities).
    pub atol: f64,
    /// Maximum accepted + rejected steps per orbit.
    pub max_steps: u64,
    /// If set, take exactly this many equal steps per sample interval without error control (for
    /// convergence studies); the tolerances are then ignored.
    pub fixed_steps_per_sample: Option<u32>,
}

const SAFETY: f64 = 0.9;
const MIN_FACTOR: f64 = 0.333;
const MAX_FACTOR: f64 = 6.0;

/// y + h Σ_{j<S} A[S][j] k_j for stage `S`; with `S` a constant the loop unrolls and the zero
/// coefficients of the tableau vanish at compile time.
#[inline(always)]
fn stage_input<const S: usize>(y: &State, h: f64, k: &[State; 16]) -> State {
    let mut out = *y;
    let mut j = 0;
    while j < S {
        let a = A[S][j];
        if a != 0.0 {
            let ha = h * a;
            for i in 0..6 {
                out[i] += ha * k[j][i];
            }
        }
        j += 1;
    }
    out
}

macro_rules! stages {
    ($field:expr, $t:expr, $h:expr, $y:expr, $k:expr; $($s:literal),*) => {
        $(
            let ys = stage_input::<$s>($y, $h, $k);
            $k[$s] = $field.derivative($t + C[$s] * $h, &ys);
        )*
    };
}

/// Integrates from `y0` at t = 0 and calls `sample(k, t_k, y(t_k))` for every sample time
/// t_k = k · `dt` (internal units), k = 1 … `n_samples − 1`, in order.
pub(crate) fn integrate<P, F>(
    field: &Field<'_, P>,
    y0: State,
    dt: f64,
    n_samples: usize,
    settings: &Dop853Settings,
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
    let t_end = (n_samples - 1) as f64 * dt;
    let gyr = |t: f64| t / KMS_TO_KPC_PER_GYR;
    let mut k = [[0.0f64; 6]; 16];
    let mut y = y0;
    let mut t = 0.0;
    k[0] = field.derivative(t, &y);
    stats.force_evaluations += 1;
    let fixed_h = settings.fixed_steps_per_sample.map(|n| dt / n.max(1) as f64);
    let mut h = match fixed_h {
        Some(h) => h,
        None => initial_step(field, &y, &k[0], dt, settings, &mut stats),
    };
    let mut next = 1usize;
    let mut rejected_last = false;

    while next < n_samples {
        if stats.steps + stats.rejected >= settings.max_steps {
            return Err(IntegrationError::TooManySteps { max_steps: settings.max_steps, t_gyr: gyr(t) });
        }
        let remaining = t_end - t;
        let mut last = false;
        if h >= remaining * (1.0 - 1e-12) {
            h = remaining;
            last = true;
        }
        if h <= t.abs() * f64::EPSILON * 4.0 || h <= 0.0 {
            return Err(IntegrationError::StepUnderflow { t_gyr: gyr(t) });
        }
        // Stages 2–12.
        stages!(field, t, h, &y, &mut k; 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        stats.force_evaluations += 11;
        let mut y_new = y;
        let mut err5 = [0.0f64; 6];
        let mut err3 = [0.0f64; 6];
        for i in 0..6 {
            let (mut b, mut e5, mut e3) = (0.0, 0.0, 0.0);
            for j in 0..12 {
                let kj = k[j][i];
                if B[j] != 0.0 {
                    b += B[j] * kj;
                }
                if E5[j] != 0.0 {
                    e5 += E5[j] * kj;
                }
                e3 += E3[j] * kj;
            }
            y_new[i] += h * b;
            err5[i] = e5;
            err3[i] = e3;
        }
        // Error scale per component: atol + rtol · max(|r|, |r_new|) for the three position
        // components and likewise with |v| for the velocities (rotation-invariant, so a coordinate
        // passing through zero does not force tiny steps).
        let sq = |a: &State, o: usize| (a[o] * a[o] + a[o + 1] * a[o + 1] + a[o + 2] * a[o + 2]).sqrt();
        let sc_x = settings.atol + settings.rtol * sq(&y, 0).max(sq(&y_new, 0));
        let sc_v = settings.atol + settings.rtol * sq(&y, 3).max(sq(&y_new, 3));
        let mut e5 = 0.0;
        let mut e3 = 0.0;
        for i in 0..6 {
            let sc = if i < 3 { sc_x } else { sc_v };
            e5 += (err5[i] / sc) * (err5[i] / sc);
            e3 += (err3[i] / sc) * (err3[i] / sc);
        }
        let denom = e5 + 0.01 * e3;
        let err = if fixed_h.is_some() {
            0.0
        } else if denom > 0.0 {
            h.abs() * e5 / (6.0 * denom).sqrt()
        } else {
            0.0
        };
        if !err.is_finite() || !y_new.iter().all(|v| v.is_finite()) {
            if !y.iter().all(|v| v.is_finite()) {
                return Err(IntegrationError::NonFinite { t_gyr: gyr(t) });
            }
            stats.rejected += 1;
            h *= MIN_FACTOR;
            rejected_last = true;
            continue;
        }
        let factor = if err == 0.0 { MAX_FACTOR } else { SAFETY * err.powf(-0.125) };
        if err <= 1.0 {
            stats.steps += 1;
            let t_new = if last { t_end } else { t + h };
            // FSAL stage at the step's end.
            k[12] = field.derivative(t_new, &y_new);
            stats.force_evaluations += 1;
            // Dense output for samples inside (t, t_new].
            let mut dense: Option<[State; 7]> = None;
            while next < n_samples {
                let ts = if next == n_samples - 1 { t_end } else { next as f64 * dt };
                if ts > t_new {
                    break;
                }
                if ts == t_new {
                    sample(next, ts, &y_new);
                } else {
                    let coeffs = match dense {
                        Some(c) => c,
                        None => {
                            let c = dense_coefficients(field, t, h, &y, &y_new, &mut k);
                            stats.force_evaluations += 3;
                            dense = Some(c);
                            c
                        }
                    };
                    sample(next, ts, &evaluate_dense(&coeffs, &y, (ts - t) / h));
                }
                next += 1;
            }
            y = y_new;
            t = t_new;
            k[0] = k[12];
            let f = if rejected_last { factor.clamp(MIN_FACTOR, 1.0) } else { factor.clamp(MIN_FACTOR, MAX_FACTOR) };
            h = match fixed_h {
                Some(hf) => hf,
                None => h * f,
            };
            rejected_last = false;
        } else {
            stats.rejected += 1;
            h *= factor.max(MIN_FACTOR);
            rejected_last = true;
        }
    }
    Ok(stats)
}

/// Coefficients F₀…F₆ of the 7th-order interpolant over the step [t, t + h] from y to y_new; uses and
/// fills the extra stages 14–16 in `k`.
fn dense_coefficients<P: Potential + ?Sized>(
    field: &Field<'_, P>,
    t: f64,
    h: f64,
    y: &State,
    y_new: &State,
    k: &mut [State; 16],
) -> [State; 7] {
    stages!(field, t, h, y, k; 13, 14, 15);
    let mut f = [[0.0f64; 6]; 7];
    for i in 0..6 {
        let dy = y_new[i] - y[i];
        let bspl = h * k[0][i] - dy;
        f[0][i] = dy;
        f[1][i] = bspl;
        f[2][i] = dy - h * k[12][i] - bspl;
        for (r, drow) in D.iter().enumerate() {
            let mut acc = 0.0;
            for (j, kj) in k.iter().enumerate() {
                acc += drow[j] * kj[i];
            }
            f[3 + r][i] = h * acc;
        }
    }
    f
}

/// y(t + θh) = y + θ(F₀ + (1−θ)(F₁ + θ(F₂ + (1−θ)(F₃ + θ(F₄ + (1−θ)(F₅ + θF₆)))))).
#[inline]
fn evaluate_dense(f: &[State; 7], y: &State, th: f64) -> State {
    let th1 = 1.0 - th;
    let mut out = [0.0; 6];
    for i in 0..6 {
        let v = f[5][i] + th * f[6][i];
        let v = f[4][i] + th1 * v;
        let v = f[3][i] + th * v;
        let v = f[2][i] + th1 * v;
        let v = f[1][i] + th * v;
        let v = f[0][i] + th1 * v;
        out[i] = y[i] + th * v;
    }
    out
}

/// Hairer's starting-step heuristic, capped at the sample spacing.
fn initial_step<P: Potential + ?Sized>(
    field: &Field<'_, P>,
    y: &State,
    f0: &State,
    dt: f64,
    settings: &Dop853Settings,
    stats: &mut IntegrationStats,
) -> f64 {
    let mut d0 = 0.0;
    let mut d1 = 0.0;
    for i in 0..6 {
        let sc = settings.atol + settings.rtol * y[i].abs();
        d0 += (y[i] / sc).powi(2);
        d1 += (f0[i] / sc).powi(2);
    }
    let (d0, d1) = ((d0 / 6.0).sqrt(), (d1 / 6.0).sqrt());
    let mut h0 = if d0 < 1e-5 || d1 < 1e-5 { 1e-6 } else { 0.01 * d0 / d1 };
    h0 = h0.min(dt);
    let mut y1 = *y;
    for i in 0..6 {
        y1[i] += h0 * f0[i];
    }
    let f1 = field.derivative(h0, &y1);
    stats.force_evaluations += 1;
    let mut d2 = 0.0;
    for i in 0..6 {
        let sc = settings.atol + settings.rtol * y[i].abs();
        d2 += ((f1[i] - f0[i]) / sc).powi(2);
    }
    let d2 = (d2 / 6.0).sqrt() / h0;
    let h1 = if d1.max(d2) <= 1e-15 { (h0 * 1e-3).max(1e-6) } else { (0.01 / d1.max(d2)).powf(1.0 / 8.0) };
    (100.0 * h0).min(h1).min(dt)
}
