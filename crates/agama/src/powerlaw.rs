//! Spherical-harmonic index sets (expansions.md §3.2), power-law extrapolation fits (§2.6) and the
//! power-law multipole used for inner and outer extrapolation (§2.7).

use crate::legendre::legendre_tilde;
use std::f64::consts::PI;

/// agama's angular coordinate τ = z / (r + R) ∈ [−1, 1] (cos θ = 2τ/(1 + τ²)) at cylindrical radius
/// `rr` and height `z` (kpc), with r = √(R² + z²); on the z axis it is ±1 (0 at the origin).
pub(crate) fn tau_of(rr: f64, z: f64, r: f64) -> f64 {
    if rr == 0.0 {
        if z > 0.0 {
            1.0
        } else if z < 0.0 {
            -1.0
        } else {
            0.0
        }
    } else {
        z / (r + rr)
    }
}

const EPS: f64 = f64::EPSILON;

/// Coefficient index c = l(l+1)+m.
#[inline]
pub(crate) fn coef_index(l: usize, m: i32) -> usize {
    (l as i64 * (l as i64 + 1) + m as i64) as usize
}

/// N_m of expansions.md §3.1: 2√π for m = 0, √(8π) otherwise.
#[inline]
pub(crate) fn norm_m(m: i32) -> f64 {
    if m == 0 {
        2.0 * PI.sqrt()
    } else {
        (8.0 * PI).sqrt()
    }
}

/// The (l, m) terms summed by an expansion, derived from which coefficients are present
/// (expansions.md §3.2). Entries are grouped by m in the order m_min … m_max.
#[derive(Debug, Clone)]
pub(crate) struct IndexSet {
    pub lmax: usize,
    /// (m, list of l) for every m with at least one l
    pub terms: Vec<(i32, Vec<usize>)>,
}

impl IndexSet {
    /// Builds the index set for `lmax` from a predicate telling whether coefficient c is present.
    pub(crate) fn from_present(lmax: usize, present: impl Fn(usize) -> bool) -> Self {
        let (mut x, mut y, mut z, mut p) = (true, true, true, true);
        let mut mmax: i32 = 0;
        for l in 0..=lmax {
            for m in -(l as i32)..=(l as i32) {
                if !present(coef_index(l, m)) {
                    continue;
                }
                if l % 2 == 1 {
                    p = false;
                }
                if m < 0 {
                    y = false;
                }
                if (l as i32 + m).rem_euclid(2) == 1 {
                    z = false;
                }
                if (m < 0) ^ (m.rem_euclid(2) == 1) {
                    x = false;
                }
                if m != 0 {
                    mmax = mmax.max(m.abs());
                }
            }
        }
        if mmax == 0 {
            x = true;
            y = true;
        }
        if lmax == 0 {
            z = true;
            p = true;
        }
        let step = if z || p { 2 } else { 1 };
        let m_min = if y { 0 } else { -mmax };
        let mut terms = Vec::new();
        for m in m_min..=mmax {
            let odd = m.rem_euclid(2) == 1;
            let skip = (y && m < 0) || (x && ((m < 0) ^ odd)) || (z && p && odd);
            if skip {
                continue;
            }
            let mut lmin = m.unsigned_abs() as usize;
            if p && odd {
                lmin += 1;
            }
            let ls: Vec<usize> = (lmin..=lmax).step_by(step).collect();
            if !ls.is_empty() {
                terms.push((m, ls));
            }
        }
        IndexSet { lmax, terms }
    }
}

/// Lambert W on the branch `lower` (W₋₁) or principal (W₀), for z in [−1/e, 0).
fn lambert_w(z: f64, lower: bool) -> f64 {
    let e1 = (-1.0f64).exp(); // 1/e
    let mut w = if z + e1 < 0.05 {
        let p = (2.0 * (1.0 + std::f64::consts::E * z)).max(0.0).sqrt();
        let p = if lower { -p } else { p };
        -1.0 + p - p * p / 3.0 + 11.0 / 72.0 * p * p * p
    } else if lower {
        let l1 = (-z).ln();
        let l2 = (-l1).ln();
        l1 - l2 + l2 / l1
    } else {
        // principal branch on (-1/e + 0.05, 0): a rational starting guess
        z / (1.0 + z)
    };
    for _ in 0..64 {
        let ew = w.exp();
        let fw = w * ew - z;
        let wp1 = w + 1.0;
        if wp1 == 0.0 {
            break;
        }
        let den = ew * wp1 - (w + 2.0) * fw / (2.0 * wp1);
        let dw = fw / den;
        if !dw.is_finite() {
            break;
        }
        let wn = w - dw;
        if (wn - w).abs() <= 2.0 * EPS * wn.abs() {
            w = wn;
            break;
        }
        w = wn;
    }
    w
}

/// Result of the power-law fit of expansions.md §2.6: Φ(r) = W (r/r₁)^v + U (r/r₁)^s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PowerFit {
    pub s: f64,
    pub u: f64,
    pub w: f64,
}

/// The fit of expansions.md §2.6 from Φ₁ = `phi1`, Φ'₁ = `dphi1` at `r1`, Φ₂ = `phi2` at `r2`.
pub(crate) fn power_fit(r1: f64, r2: f64, phi1: f64, dphi1: f64, phi2: f64, v: i32) -> PowerFit {
    let vf = v as f64;
    let lam = (r2 / r1).ln();
    let n1 = r1 * dphi1;
    let n2 = vf * phi1;
    let e1 = phi1;
    let e2 = phi2 * (-vf * lam).exp();
    let a = lam * (n1 - n2) / (e1 - e2);
    if !a.is_finite()
        || a >= 0.0
        || (n1 - n2).abs() < 100.0 * EPS * n1.abs().max(n2.abs())
        || (e1 - e2).abs() < 100.0 * EPS * e1.abs().max(e2.abs())
    {
        return PowerFit { s: 0.0, u: 0.0, w: phi1 };
    }
    let mut s = if (a + 1.0).abs() < 1.4901161193847656e-8 {
        vf
    } else {
        let wb = lambert_w(a * a.exp(), a > -1.0);
        vf + (a - wb) / lam
    };
    if v >= 0 && !s.is_finite() {
        s = 2.0;
    }
    if v < 0 && (!s.is_finite() || s >= 0.0) {
        s = -2.0;
    }
    if s != vf {
        PowerFit { s, u: (r1 * dphi1 - vf * phi1) / (s - vf), w: (r1 * dphi1 - s * phi1) / (vf - s) }
    } else {
        PowerFit { s, u: r1 * dphi1 - vf * phi1, w: phi1 }
    }
}

/// Power-law multipole (expansions.md §2.7): the extrapolation potential inside the innermost or
/// beyond the outermost radius of an expansion.
#[derive(Debug, Clone)]
pub(crate) struct PowerLawMultipole {
    r0: f64,
    inner: bool,
    s: Vec<f64>,
    u: Vec<f64>,
    w: Vec<f64>,
    index: IndexSet,
    /// whether the index set has any term besides (0, 0)
    lmax_used: usize,
}

/// Φ, ∂Φ/∂R, ∂Φ/∂z, ∂Φ/∂φ in cylindrical coordinates.
pub(crate) type CylEval = [f64; 4];

impl PowerLawMultipole {
    /// Builds the extrapolation from radius `r0`, direction, L_a = `la` and arrays over c (length
    /// (la+1)²); applies the slope clamp.
    pub(crate) fn new(r0: f64, inner: bool, la: usize, mut s: Vec<f64>, u: Vec<f64>, w: Vec<f64>) -> Self {
        let nc = (la + 1) * (la + 1);
        s.resize(nc, 0.0);
        let mut u = u;
        u.resize(nc, 0.0);
        let mut w = w;
        w.resize(nc, 0.0);
        let index = IndexSet::from_present(la, |c| u[c] != 0.0);
        for c in 1..nc {
            if u[c] != 0.0 && ((inner && s[c] < s[0]) || (!inner && s[c] > s[0])) {
                s[c] = s[0];
            }
        }
        PowerLawMultipole { r0, inner, s, u, w, index, lmax_used: la }
    }

    /// Evaluates at cylindrical (R ≥ 0, z, φ).
    pub(crate) fn eval(&self, rr: f64, z: f64, phi: f64) -> CylEval {
        let r2 = rr * rr + z * z;
        let rho = 0.5 * (r2 / (self.r0 * self.r0)).ln();
        let r02 = self.r0 * self.r0;
        let l_eff =
            if (self.inner && r2 < r02 * 1e-16) || (!self.inner && r2 > r02 * 1e16) { 0 } else { self.lmax_used };
        let cd = |l: usize, c: usize| -> (f64, f64) {
            let v: f64 = if self.inner { l as f64 } else { -(l as f64) - 1.0 };
            let (s, u, w) = (self.s[c], self.u[c], self.w[c]);
            let ev = if v == 0.0 { 1.0 } else { (v * rho).exp() };
            if s != v {
                let es = if s == 0.0 { 1.0 } else { (s * rho).exp() };
                (u * es + w * ev, s * u * es + v * w * ev)
            } else {
                let ur = if u != 0.0 { u * ev * rho } else { 0.0 };
                (ur + w * ev, s * ur + v * w * ev + u * ev)
            }
        };
        if l_eff == 0 {
            let (c0, d0) = cd(0, 0);
            if r2 == 0.0 {
                return [c0, 0.0, 0.0, 0.0];
            }
            return [c0, d0 * rr / r2, d0 * z / r2, 0.0];
        }
        let r = r2.sqrt();
        let tau = tau_of(rr, z, r);
        let (ct, st) = (2.0 * tau / (1.0 + tau * tau), (1.0 - tau * tau) / (1.0 + tau * tau));
        let mut p = [0.0; 64];
        let mut dp = [0.0; 64];
        let (mut val, mut dlnr, mut dth, mut dphi) = (0.0, 0.0, 0.0, 0.0);
        for (m, ls) in &self.index.terms {
            let am = m.unsigned_abs() as usize;
            legendre_tilde(l_eff, am, ct, st, &mut p, &mut dp);
            let (tm, dtm) = trig_m(*m, phi);
            let nm = norm_m(*m);
            for &l in ls {
                if l > l_eff {
                    break;
                }
                let c = coef_index(l, *m);
                let (cc, dc) = cd(l, c);
                val += cc * nm * p[l] * tm;
                dlnr += dc * nm * p[l] * tm;
                dth += cc * nm * dp[l] * tm;
                dphi += cc * nm * p[l] * dtm;
            }
        }
        if r2 == 0.0 {
            return [val, 0.0, 0.0, 0.0];
        }
        [val, dlnr * rr / r2 + dth * z / r2, dlnr * z / r2 - dth * rr / r2, dphi]
    }
}

/// (T_m(φ), T'_m(φ)): cos(mφ) for m > 0, sin(|m|φ) for m < 0, 1 for m = 0.
#[inline]
pub(crate) fn trig_m(m: i32, phi: f64) -> (f64, f64) {
    if m == 0 {
        (1.0, 0.0)
    } else if m > 0 {
        let mf = m as f64;
        let (s, c) = (mf * phi).sin_cos();
        (c, -mf * s)
    } else {
        let mf = -m as f64;
        let (s, c) = (mf * phi).sin_cos();
        (s, mf * c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert_branches() {
        for &z in &[-0.367, -0.3, -0.1, -1e-3, -1e-10] {
            for lower in [false, true] {
                let w = lambert_w(z, lower);
                assert!(((w * w.exp() - z) / z).abs() < 1e-12, "{z} {lower} {w}");
                if lower {
                    assert!(w <= -1.0);
                } else {
                    assert!(w >= -1.0);
                }
            }
        }
    }

    #[test]
    fn power_fit_recovers_power_law() {
        // phi = -2 (r)^0 + 3 r^1.5 -> v = 0, s = 1.5
        let f = |r: f64| -2.0 + 3.0 * r.powf(1.5);
        let df = |r: f64| 4.5 * r.powf(0.5);
        let fit = power_fit(1.0, 1.5, f(1.0), df(1.0), f(1.5), 0);
        assert!((fit.s - 1.5).abs() < 1e-12, "{fit:?}");
        assert!((fit.w + 2.0).abs() < 1e-12);
        assert!((fit.u - 3.0).abs() < 1e-12);
    }

    #[test]
    fn index_set_axisymmetric_even() {
        let set = IndexSet::from_present(8, |c| [0, 6, 20].contains(&c));
        assert_eq!(set.terms, vec![(0, vec![0, 2, 4, 6, 8])]);
        let none = IndexSet::from_present(8, |_| false);
        assert_eq!(none.terms, vec![(0, vec![0, 2, 4, 6, 8])]);
    }
}
