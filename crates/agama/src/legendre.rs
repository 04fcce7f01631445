//! Normalised associated Legendre functions and their θ-derivatives (expansions.md §2.5), and
//! Gauss–Legendre nodes.

use std::f64::consts::PI;

/// Values P̃_l^m(θ) and dP̃_l^m/dθ for l = m … lmax, written into `p[l]` and `dp[l]` (entries below
/// m are left untouched). `c` = cos θ, `s` = sin θ ≥ 0. Condon–Shortley phase included.
pub(crate) fn legendre_tilde(lmax: usize, m: usize, c: f64, s: f64, p: &mut [f64], dp: &mut [f64]) {
    if m > lmax {
        return;
    }
    // unnormalised P_m^m = (-1)^m (2m-1)!! s^m
    let mut dfact = 1.0; // (2m-1)!!
    for k in 1..=m {
        dfact *= (2 * k - 1) as f64;
    }
    let sign = if m % 2 == 1 { -1.0 } else { 1.0 };
    let pmm = sign * dfact * s.powi(m as i32);
    let mut prev2 = 0.0; // P_{l-2}^m
    let mut prev = pmm; // P_{l-1}^m for the next step
    for l in m..=lmax {
        let pl = if l == m {
            pmm
        } else if l == m + 1 {
            (2 * m + 1) as f64 * c * pmm
        } else {
            ((2 * l - 1) as f64 * c * prev - (l + m - 1) as f64 * prev2) / (l - m) as f64
        };
        let norm = norm_factor(l, m);
        // derivative with respect to theta
        let dpl = if l == m {
            if m == 0 {
                0.0
            } else {
                norm * m as f64 * sign * dfact * s.powi(m as i32 - 1) * c
            }
        } else if s >= 1e-8 || (m > 2 && s > 0.0) {
            // P_{l-1}^m is `prev` when l > m+1 ... handle l == m+1 separately
            let plm1 = if l == m + 1 { pmm } else { prev };
            norm * (l as f64 * c * pl - (l + m) as f64 * plm1) / s
        } else {
            let lf = l as f64;
            let sigma0 = if c > 0.0 || l % 2 == 1 { 1.0 } else { -1.0 };
            let sigma1 = if c > 0.0 || l % 2 == 0 { 1.0 } else { -1.0 };
            let v = match m {
                0 => -0.5 * lf * (lf + 1.0) * s * sigma0,
                1 => -0.5 * lf * (lf + 1.0) * sigma1,
                2 => 0.25 * (lf + 2.0) * (lf + 1.0) * lf * (lf - 1.0) * s * sigma0,
                _ => 0.0,
            };
            norm * v
        };
        p[l] = norm * pl;
        dp[l] = dpl;
        if l > m {
            prev2 = prev;
        }
        prev = pl;
    }
}

/// √[(2l+1)/(4π) · (l−m)!/(l+m)!].
fn norm_factor(l: usize, m: usize) -> f64 {
    let mut ratio = 1.0;
    for k in (l - m + 1)..=(l + m) {
        ratio /= k as f64;
    }
    ((2 * l + 1) as f64 / (4.0 * PI) * ratio).sqrt()
}

/// Gauss–Legendre nodes on [−1, 1], ascending, and weights.
pub(crate) fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    for i in 0..n.div_ceil(2) {
        // initial guess for the i-th root from the top
        let mut z = (PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        let mut dpz = 1.0;
        for _ in 0..100 {
            let (p, d) = legendre_p_and_deriv(n, z);
            dpz = d;
            let dz = p / d;
            z -= dz;
            if dz.abs() <= 1e-16 * z.abs().max(1e-300) {
                break;
            }
        }
        let (_, d) = legendre_p_and_deriv(n, z);
        if d.is_finite() {
            dpz = d;
        }
        let wi = 2.0 / ((1.0 - z * z) * dpz * dpz);
        x[i] = -z;
        x[n - 1 - i] = z;
        w[i] = wi;
        w[n - 1 - i] = wi;
    }
    if n % 2 == 1 {
        x[n / 2] = 0.0;
    }
    (x, w)
}

fn legendre_p_and_deriv(n: usize, z: f64) -> (f64, f64) {
    let mut p0 = 1.0;
    let mut p1 = z;
    if n == 0 {
        return (1.0, 0.0);
    }
    for k in 2..=n {
        let p2 = ((2 * k - 1) as f64 * z * p1 - (k - 1) as f64 * p0) / k as f64;
        p0 = p1;
        p1 = p2;
    }
    let d = n as f64 * (z * p1 - p0) / (z * z - 1.0);
    (p1, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legendre_known_values() {
        let th: f64 = 0.7;
        let (c, s) = (th.cos(), th.sin());
        let mut p = [0.0; 8];
        let mut dp = [0.0; 8];
        legendre_tilde(4, 0, c, s, &mut p, &mut dp);
        assert!((p[0] - 0.5 / PI.sqrt()).abs() < 1e-15);
        let p2 = (5.0 / (4.0 * PI)).sqrt() * 0.5 * (3.0 * c * c - 1.0);
        assert!((p[2] - p2).abs() < 1e-15);
        let dp2 = (5.0 / (4.0 * PI)).sqrt() * (-3.0 * c * s);
        assert!((dp[2] - dp2).abs() < 1e-15);
        legendre_tilde(4, 2, c, s, &mut p, &mut dp);
        // P_2^2 = 3 s^2, norm sqrt(5/(4pi) /24)
        let n22 = (5.0 / (4.0 * PI) / 24.0).sqrt();
        assert!((p[2] - n22 * 3.0 * s * s).abs() < 1e-15);
        assert!((dp[2] - n22 * 6.0 * s * c).abs() < 1e-15);
        // P_3^2 = 15 x (1-x^2); d/dtheta = 15 (-s)(1 - 3c^2) ... check numerically
        let f = |t: f64| {
            let mut pp = [0.0; 8];
            let mut dd = [0.0; 8];
            legendre_tilde(4, 2, t.cos(), t.sin(), &mut pp, &mut dd);
            pp[3]
        };
        let num = (f(th + 1e-6) - f(th - 1e-6)) / 2e-6;
        assert!((dp[3] - num).abs() < 1e-8);
    }

    #[test]
    fn gauss_legendre_integrates_polynomials() {
        let (x, w) = gauss_legendre(13);
        let s: f64 = x.iter().zip(&w).map(|(x, w)| w * x.powi(12)).sum();
        assert!((s - 2.0 / 13.0).abs() < 1e-15);
        assert!(x.windows(2).all(|p| p[0] < p[1]));
    }
}
