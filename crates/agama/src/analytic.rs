//! agama's analytic potential types (analytic.md §2–§6): Plummer, NFW, MiyamotoNagai, Dehnen
//! (spherical closed form and the non-spherical QNG quadrature), Ferrers n = 2.
//!
//! Positions in kpc, masses in M_sun, Φ in (km/s)², gradients in (km/s)²/kpc; every mass is
//! multiplied by agama's G = [`crate::G`].

use crate::legendre::gauss_legendre;
use crate::qng_rule::*;
use crate::G;
use std::sync::OnceLock;

/// Plummer sphere: Φ = −GM/√(r² + a²).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plummer {
    /// Total mass [M_sun].
    pub mass: f64,
    /// Scale radius a [kpc].
    pub scale_radius: f64,
}

impl Plummer {
    /// (Φ [(km/s)²], ∇Φ [(km/s)²/kpc]) at `x` [kpc].
    pub fn eval(&self, x: [f64; 3]) -> (f64, [f64; 3]) {
        let gm = G * self.mass;
        if gm == 0.0 {
            return (0.0, [0.0; 3]);
        }
        let d2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2] + self.scale_radius * self.scale_radius;
        let d = d2.sqrt();
        let f = gm / (d2 * d);
        (-gm / d, [f * x[0], f * x[1], f * x[2]])
    }
}

/// NFW halo: Φ = −GM ln(1 + r/a)/r, where `mass` is the normalisation M = 4πρ_s a³ (not a total mass).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nfw {
    /// Normalisation mass M = 4πρ_s a³ [M_sun].
    pub mass: f64,
    /// Scale radius a [kpc].
    pub scale_radius: f64,
}

impl Nfw {
    /// (Φ [(km/s)²], ∇Φ [(km/s)²/kpc]) at `x` [kpc], with agama's series for r/a ≤ 7e-4. Like agama,
    /// ln(1 + r/a) is computed as `ln(1 + x)` (not `ln_1p`), reproducing agama's rounding (≤ 1e-12 in F).
    pub fn eval(&self, x: [f64; 3]) -> (f64, [f64; 3]) {
        let gm = G * self.mass;
        let a = self.scale_radius;
        let r = (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]).sqrt();
        let xx = r / a;
        let (phi, dphi) = if xx > 7e-4 {
            let l = (1.0 + xx).ln();
            (-gm * l / r, gm * (l / r - 1.0 / (r + a)) / r)
        } else {
            (
                -(gm / a) * (1.0 - xx / 2.0 + xx * xx / 3.0 - xx * xx * xx / 4.0),
                (gm / (a * a)) * (0.5 - 2.0 * xx / 3.0 + 0.75 * xx * xx),
            )
        };
        if r == 0.0 {
            return (phi, [0.0; 3]);
        }
        let f = dphi / r;
        (phi, [f * x[0], f * x[1], f * x[2]])
    }
}

/// Miyamoto–Nagai disk: Φ = −GM/√(R² + (a + √(z² + b²))²).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MiyamotoNagai {
    /// Total mass [M_sun].
    pub mass: f64,
    /// Scale radius a [kpc].
    pub scale_radius: f64,
    /// Scale height b [kpc].
    pub scale_height: f64,
}

impl MiyamotoNagai {
    /// (Φ [(km/s)²], ∇Φ [(km/s)²/kpc]) at `x` [kpc].
    pub fn eval(&self, x: [f64; 3]) -> (f64, [f64; 3]) {
        let gm = G * self.mass;
        let a = self.scale_radius;
        let zeta = (x[2] * x[2] + self.scale_height * self.scale_height).sqrt();
        let az = a + zeta;
        let d = x[0] * x[0] + x[1] * x[1] + az * az;
        let sd = d.sqrt();
        let f = gm / (d * sd);
        let gz = if x[2] == 0.0 { 0.0 } else { f * x[2] * (1.0 + a / zeta) };
        (-gm / sd, [f * x[0], f * x[1], gz])
    }
}

/// Dehnen model ρ ∝ m^{−γ}(m + a)^{γ−4}, m² = x² + (y/p)² + (z/q)². Spherical (p = q = 1) models use
/// the closed form; others agama's 1-D QNG quadrature (analytic.md §5.2), reproduced exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dehnen {
    /// Total mass [M_sun].
    pub mass: f64,
    /// Scale radius a [kpc].
    pub scale_radius: f64,
    /// Inner slope γ ∈ [0, 2] (1 = Hernquist).
    pub gamma: f64,
    /// Axis ratio y/x (p).
    pub axis_ratio_y: f64,
    /// Axis ratio z/x (q).
    pub axis_ratio_z: f64,
}

/// QUADPACK's error rescaling as in GSL.
fn rescale_error(err: f64, res_abs: f64, res_asc: f64) -> f64 {
    let mut e = err.abs();
    if res_asc != 0.0 && e != 0.0 {
        let scale = (200.0 * e / res_asc).powf(1.5);
        e = if scale < 1.0 { res_asc * scale } else { res_asc };
    }
    if res_abs > f64::MIN_POSITIVE / (50.0 * f64::EPSILON) {
        let min_err = 50.0 * f64::EPSILON * res_abs;
        if min_err > e {
            e = min_err;
        }
    }
    e
}

/// GSL's `gsl_integration_qng` on [a, b] with absolute tolerance 0 and relative tolerance `epsrel`;
/// the 87-point result is returned whether or not it meets the tolerance (as agama does).
pub(crate) fn qng(f: impl Fn(f64) -> f64, a: f64, b: f64, epsrel: f64) -> f64 {
    let center = 0.5 * (b + a);
    let half = 0.5 * (b - a);
    let abs_half = half.abs();
    let fc = f(center);
    let mut res10 = 0.0;
    let mut res21 = W21B[5] * fc;
    let mut resabs = W21B[5] * fc.abs();
    let mut savfun = [0.0; 21];
    let mut fv1 = [0.0; 5];
    let mut fv2 = [0.0; 5];
    let mut fv3 = [0.0; 5];
    let mut fv4 = [0.0; 5];
    for k in 0..5 {
        let ab = half * X1[k];
        let f1 = f(center + ab);
        let f2 = f(center - ab);
        let fv = f1 + f2;
        res10 += W10[k] * fv;
        res21 += W21A[k] * fv;
        resabs += W21A[k] * (f1.abs() + f2.abs());
        savfun[k] = fv;
        fv1[k] = f1;
        fv2[k] = f2;
    }
    for k in 0..5 {
        let ab = half * X2[k];
        let f1 = f(center + ab);
        let f2 = f(center - ab);
        let fv = f1 + f2;
        res21 += W21B[k] * fv;
        resabs += W21B[k] * (f1.abs() + f2.abs());
        savfun[k + 5] = fv;
        fv3[k] = f1;
        fv4[k] = f2;
    }
    resabs *= abs_half;
    let mean = 0.5 * res21;
    let mut resasc = W21B[5] * (fc - mean).abs();
    for k in 0..5 {
        resasc += W21A[k] * ((fv1[k] - mean).abs() + (fv2[k] - mean).abs())
            + W21B[k] * ((fv3[k] - mean).abs() + (fv4[k] - mean).abs());
    }
    resasc *= abs_half;
    let result = res21 * half;
    let err = rescale_error((res21 - res10) * half, resabs, resasc);
    if err < epsrel * result.abs() {
        return result;
    }
    let mut res43 = W43B[11] * fc;
    for k in 0..10 {
        res43 += savfun[k] * W43A[k];
    }
    for k in 0..11 {
        let ab = half * X3[k];
        let fv = f(center + ab) + f(center - ab);
        res43 += fv * W43B[k];
        savfun[k + 10] = fv;
    }
    let result = res43 * half;
    let err = rescale_error((res43 - res21) * half, resabs, resasc);
    if err < epsrel * result.abs() {
        return result;
    }
    let mut res87 = W87B[22] * fc;
    for k in 0..21 {
        res87 += savfun[k] * W87A[k];
    }
    for k in 0..22 {
        let ab = half * X4[k];
        res87 += W87B[k] * (f(center + ab) + f(center - ab));
    }
    res87 * half
}

impl Dehnen {
    fn is_spherical(&self) -> bool {
        self.axis_ratio_y == 1.0 && self.axis_ratio_z == 1.0
    }

    /// (Φ [(km/s)²], ∇Φ [(km/s)²/kpc]) at `x` [kpc].
    pub fn eval(&self, x: [f64; 3]) -> (f64, [f64; 3]) {
        if self.is_spherical() {
            self.eval_spherical(x)
        } else {
            (self.potential_quad(x), self.gradient_quad(x))
        }
    }

    fn eval_spherical(&self, x: [f64; 3]) -> (f64, [f64; 3]) {
        let gm = G * self.mass;
        let a = self.scale_radius;
        let g = self.gamma;
        let r = (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]).sqrt();
        let s = a / r;
        let phi = if s > 2e-3 / (4.0 - g) {
            if g == 2.0 {
                -(gm / a) * s.ln_1p()
            } else {
                (gm / a) * (1.0 - (1.0 + s).powf(g - 2.0)) / (g - 2.0)
            }
        } else {
            -(gm / a) * s * (1.0 + s * (g - 3.0) / 2.0 * (1.0 + s * (g - 4.0) / 3.0 * (1.0 + s * (g - 5.0) / 4.0)))
        };
        if r == 0.0 {
            let phi0 = if g == 2.0 { f64::NEG_INFINITY } else { -gm / (a * (2.0 - g)) };
            return (phi0, [0.0; 3]);
        }
        let dphi = gm * r.powf(1.0 - g) * (r + a).powf(g - 3.0);
        let f = dphi / r;
        (phi, [f * x[0], f * x[1], f * x[2]])
    }

    fn potential_quad(&self, x: [f64; 3]) -> f64 {
        let a = self.scale_radius;
        let g = self.gamma;
        let (p, q) = (self.axis_ratio_y, self.axis_ratio_z);
        let (xx, yy, zz) = (x[0] / a, x[1] / a, x[2] / a);
        let integrand = |s: f64| {
            let dy = 1.0 - (1.0 - p * p) * s * s;
            let dz = 1.0 - (1.0 - q * q) * s * s;
            let mu = s * (xx * xx + yy * yy / dy + zz * zz / dz).sqrt();
            let n = if g == 2.0 {
                ((1.0 + mu) / mu).ln() - 1.0 / (1.0 + mu)
            } else {
                (1.0 - (mu / (1.0 + mu)).powf(2.0 - g) * (3.0 - g + mu) / (1.0 + mu)) / (2.0 - g)
            };
            -n / (dy * dz).sqrt()
        };
        G * self.mass / a * qng(integrand, 0.0, 1.0, 1e-6)
    }

    fn gradient_quad(&self, x: [f64; 3]) -> [f64; 3] {
        if x == [0.0; 3] {
            return [0.0; 3];
        }
        let a = self.scale_radius;
        let g = self.gamma;
        let (p2, q2) = (self.axis_ratio_y * self.axis_ratio_y, self.axis_ratio_z * self.axis_ratio_z);
        let a2 = a * a;
        let table = [
            (a2, [0.0, (p2 - 1.0) * a2, (q2 - 1.0) * a2]),
            (p2 * a2, [(1.0 - p2) * a2, 0.0, (q2 - p2) * a2]),
            (q2 * a2, [(1.0 - q2) * a2, (p2 - q2) * a2, 0.0]),
        ];
        let gm = G * self.mass;
        let mut out = [0.0; 3];
        for (i, &(ai, bi)) in table.iter().enumerate() {
            if x[i] == 0.0 {
                continue;
            }
            let integrand = |s: f64| {
                let s2 = s * s;
                let d1 = ai + bi[0] * s2;
                let d2 = ai + bi[1] * s2;
                let d3 = ai + bi[2] * s2;
                let mu = s * (x[0] * x[0] / d1 + x[1] * x[1] / d2 + x[2] * x[2] / d3).sqrt();
                s2 * (mu / (1.0 + mu)).powf(-g) * (1.0 + mu).powi(-4) / (d1 * d2 * d3).sqrt()
            };
            out[i] = (3.0 - g) * gm * x[i] * qng(integrand, 0.0, 1.0, 1e-6);
        }
        out
    }
}

/// How a [`Ferrers`] bar is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FerrersMode {
    /// The exact potential everywhere, by a converged Gauss–Legendre quadrature of the defining
    /// 1-D integrals (no cancellation; accurate to ~1e-15 relative at every distance). Default.
    #[default]
    Exact,
    /// agama 0c5993d's evaluation: Pfenniger's closed-form recurrences for r ≤ 10a (with agama's
    /// float64 cancellation, up to ~1e-6 relative near 10a) and the l ≤ 2 quadrupole
    /// approximation beyond 10a (discontinuous at r = 10a by ~1e-6).
    Agama,
}

/// Ferrers n = 2 bar: ρ = ρ₀(1 − m²)², m² = x²/a² + y²/b² + z²/c², b = a·p, c = a·q, 1 > p > q > 0,
/// long axis along x.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ferrers {
    /// Total mass [M_sun].
    pub mass: f64,
    /// Semi-major axis a [kpc].
    pub scale_radius: f64,
    /// b/a.
    pub axis_ratio_y: f64,
    /// c/a.
    pub axis_ratio_z: f64,
    /// Evaluation scheme (exact by default).
    pub mode: FerrersMode,
}

/// Carlson's symmetric elliptic integral R_F(x, y, z).
fn carlson_rf(mut x: f64, mut y: f64, mut z: f64) -> f64 {
    for _ in 0..100 {
        let mu = (x + y + z) / 3.0;
        let dx = 1.0 - x / mu;
        let dy = 1.0 - y / mu;
        let dz = 1.0 - z / mu;
        if dx.abs().max(dy.abs()).max(dz.abs()) < 1e-4 {
            let e2 = dx * dy - dz * dz;
            let e3 = dx * dy * dz;
            return (1.0 - e2 / 10.0 + e3 / 14.0 + e2 * e2 / 24.0 - 3.0 * e2 * e3 / 44.0 - 5.0 * e2 * e2 * e2 / 208.0
                + 3.0 * e3 * e3 / 104.0
                + e2 * e2 * e3 / 16.0)
                / mu.sqrt();
        }
        let (sx, sy, sz) = (x.sqrt(), y.sqrt(), z.sqrt());
        let lam = sx * sy + sy * sz + sz * sx;
        x = (x + lam) / 4.0;
        y = (y + lam) / 4.0;
        z = (z + lam) / 4.0;
    }
    f64::NAN
}

/// Carlson's symmetric elliptic integral R_D(x, y, z).
fn carlson_rd(mut x: f64, mut y: f64, mut z: f64) -> f64 {
    let mut sum = 0.0;
    let mut fac = 1.0;
    for _ in 0..100 {
        let mu = (x + y + 3.0 * z) / 5.0;
        let dx = 1.0 - x / mu;
        let dy = 1.0 - y / mu;
        let dz = 1.0 - z / mu;
        if dx.abs().max(dy.abs()).max(dz.abs()) < 1e-4 {
            let ea = dx * dy;
            let eb = dz * dz;
            let ec = ea - eb;
            let ed = ea - 6.0 * eb;
            let ef = ed + ec + ec;
            let s1 = ed * (-3.0 / 14.0 + 9.0 / 88.0 * ed - 9.0 / 52.0 * dz * ef);
            let s2 = dz * (ef / 6.0 + dz * (-9.0 / 22.0 * ec + dz * 3.0 / 26.0 * ea));
            return 3.0 * sum + fac * (1.0 + s1 + s2) / (mu * mu.sqrt());
        }
        let (sx, sy, sz) = (x.sqrt(), y.sqrt(), z.sqrt());
        let lam = sx * sy + sy * sz + sz * sx;
        sum += fac / (sz * (z + lam));
        fac /= 4.0;
        x = (x + lam) / 4.0;
        y = (y + lam) / 4.0;
        z = (z + lam) / 4.0;
    }
    f64::NAN
}

/// Incomplete elliptic integrals (F(φ, k), E(φ, k)) for 0 ≤ φ ≤ π/2.
fn ellip_fe(phi: f64, k: f64) -> (f64, f64) {
    let (s, c) = phi.sin_cos();
    let c2 = c * c;
    let d2 = 1.0 - k * k * s * s;
    let rf = carlson_rf(c2, d2, 1.0);
    let rd = carlson_rd(c2, d2, 1.0);
    (s * rf, s * rf - k * k * s * s * s * rd / 3.0)
}

fn gl_nodes_01() -> &'static (Vec<f64>, Vec<f64>) {
    static NODES: OnceLock<(Vec<f64>, Vec<f64>)> = OnceLock::new();
    NODES.get_or_init(|| {
        let (x, w) = gauss_legendre(40);
        // two panels [0, 1/2] and [1/2, 1]
        let mut xs = Vec::with_capacity(80);
        let mut ws = Vec::with_capacity(80);
        for (lo, hi) in [(0.0, 0.5), (0.5, 1.0)] {
            for (xi, wi) in x.iter().zip(&w) {
                xs.push(lo + (hi - lo) * 0.5 * (xi + 1.0));
                ws.push((hi - lo) * 0.5 * wi);
            }
        }
        (xs, ws)
    })
}

impl Ferrers {
    fn semi_axes(&self) -> [f64; 3] {
        let a = self.scale_radius;
        [a, a * self.axis_ratio_y, a * self.axis_ratio_z]
    }

    /// λ ≥ 0: 0 inside the bar, else the root of Σ x_i²/(a_i² + λ) = 1.
    fn lambda(&self, x: [f64; 3]) -> f64 {
        let ax = self.semi_axes();
        let m2 = |l: f64| (0..3).map(|i| x[i] * x[i] / (ax[i] * ax[i] + l)).sum::<f64>();
        if m2(0.0) <= 1.0 {
            return 0.0;
        }
        let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        let (mut lo, mut hi) = (0.0, r2);
        let mut l = 0.5 * r2;
        for _ in 0..200 {
            let f = m2(l) - 1.0;
            if f > 0.0 {
                lo = l;
            } else {
                hi = l;
            }
            let df = -(0..3).map(|i| x[i] * x[i] / ((ax[i] * ax[i] + l) * (ax[i] * ax[i] + l))).sum::<f64>();
            let mut ln = l - f / df;
            if !(ln > lo && ln < hi) {
                ln = 0.5 * (lo + hi);
            }
            if (ln - l).abs() <= 1e-16 * l || hi - lo <= 1e-16 * hi {
                return ln;
            }
            l = ln;
        }
        l
    }

    /// (Φ [(km/s)²], ∇Φ [(km/s)²/kpc]) at `x` [kpc].
    pub fn eval(&self, x: [f64; 3]) -> (f64, [f64; 3]) {
        match self.mode {
            FerrersMode::Exact => self.eval_exact(x),
            FerrersMode::Agama => {
                let a = self.scale_radius;
                let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
                if r2 > 100.0 * a * a {
                    self.eval_quadrupole(x)
                } else {
                    self.eval_pfenniger(x)
                }
            }
        }
    }

    fn eval_exact(&self, x: [f64; 3]) -> (f64, [f64; 3]) {
        let gm = G * self.mass;
        let [a, b, c] = self.semi_axes();
        let lam = self.lambda(x);
        let beta = lam + c * c;
        let alpha = [a * a - c * c, b * b - c * c, 0.0];
        let (ts, ws) = gl_nodes_01();
        let (mut ip, mut ig) = (0.0, [0.0; 3]);
        for (&t, &w) in ts.iter().zip(ws) {
            let t2 = t * t;
            let den = [alpha[0] * t2 + beta, alpha[1] * t2 + beta, beta];
            let m2 = x[0] * x[0] * t2 / den[0] + x[1] * x[1] * t2 / den[1] + x[2] * x[2] * t2 / den[2];
            let one = (1.0 - m2).max(0.0);
            let base = w * 2.0 * beta / (den[0] * den[1] * den[2]).sqrt();
            ip += base * one * one * one;
            for i in 0..3 {
                ig[i] += base * one * one * t2 / den[i];
            }
        }
        // πGρ₀abc = 105 GM / 32
        let pgr = 105.0 * gm / 32.0;
        (-pgr / 3.0 * ip, [2.0 * pgr * x[0] * ig[0], 2.0 * pgr * x[1] * ig[1], 2.0 * pgr * x[2] * ig[2]])
    }

    fn eval_quadrupole(&self, x: [f64; 3]) -> (f64, [f64; 3]) {
        let gm = G * self.mass;
        let [a, b, c] = self.semi_axes();
        let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        if r2.is_infinite() {
            return (0.0, [0.0; 3]);
        }
        let r = r2.sqrt();
        let c20 = (2.0 * c * c - a * a - b * b) / 36.0;
        let c22 = (b * b - a * a) / 12.0;
        let (xx, yy, zz) = (x[0] * x[0], x[1] * x[1], x[2] * x[2]);
        let q = c20 * (2.0 * zz - xx - yy) + c22 * (yy - xx);
        let r4 = r2 * r2;
        let phi = -(gm / r) * (1.0 + q / r4);
        let f = gm / (r2 * r);
        let common = 1.0 + 5.0 * q / r4;
        (
            phi,
            [
                f * x[0] * (common + 2.0 * (c20 + c22) / r2),
                f * x[1] * (common + 2.0 * (c20 - c22) / r2),
                f * x[2] * (common - 4.0 * c20 / r2),
            ],
        )
    }

    fn eval_pfenniger(&self, x: [f64; 3]) -> (f64, [f64; 3]) {
        let gm = G * self.mass;
        let [a, b, c] = self.semi_axes();
        let (a2, b2, c2) = (a * a, b * b, c * c);
        let lam = self.lambda(x);
        let phi_e = ((a2 - c2) / (a2 + lam)).sqrt().asin();
        let k = ((a2 - b2) / (a2 - c2)).sqrt();
        let (ff, ee) = ellip_fe(phi_e, k);
        let d = ((a2 + lam) * (b2 + lam) * (c2 + lam)).sqrt();
        let (ca, cb, cc) = (a2 - b2, b2 - c2, a2 - c2);
        let sc = cc.sqrt();
        let w000 = 2.0 * ff / sc;
        let w100 = 2.0 * (ff - ee) / (ca * sc);
        let w001 = 2.0 * (b2 + lam) / (cb * d) - 2.0 * ee / (cb * sc);
        let w010 = 2.0 / d - w100 - w001;
        let w110 = (w010 - w100) / ca;
        let w011 = (w001 - w010) / cb;
        let w101 = (w001 - w100) / cc;
        let w200 = (2.0 / (d * (a2 + lam)) - w110 - w101) / 3.0;
        let w020 = (2.0 / (d * (b2 + lam)) - w011 - w110) / 3.0;
        let w002 = (2.0 / (d * (c2 + lam)) - w101 - w011) / 3.0;
        let w111 = (w011 - w110) / cc;
        let w120 = (w020 - w110) / ca;
        let w012 = (w002 - w011) / cb;
        let w201 = (w101 - w200) / cc;
        let w210 = (w110 - w200) / ca;
        let w021 = (w011 - w020) / cb;
        let w102 = (w002 - w101) / cc;
        let w300 = (2.0 / (d * (a2 + lam) * (a2 + lam)) - w210 - w201) / 5.0;
        let w030 = (2.0 / (d * (b2 + lam) * (b2 + lam)) - w021 - w120) / 5.0;
        let w003 = (2.0 / (d * (c2 + lam) * (c2 + lam)) - w102 - w012) / 5.0;
        let (xx, yy, zz) = (x[0] * x[0], x[1] * x[1], x[2] * x[2]);
        let pgr = 105.0 * gm / 32.0;
        let bracket = w000 - 3.0 * (xx * w100 + yy * w010 + zz * w001)
            + 3.0
                * (xx * xx * w200
                    + yy * yy * w020
                    + zz * zz * w002
                    + 2.0 * xx * yy * w110
                    + 2.0 * yy * zz * w011
                    + 2.0 * xx * zz * w101)
            - (xx * xx * xx * w300
                + yy * yy * yy * w030
                + zz * zz * zz * w003
                + 3.0 * xx * xx * yy * w210
                + 3.0 * xx * yy * yy * w120
                + 3.0 * yy * yy * zz * w021
                + 3.0 * yy * zz * zz * w012
                + 3.0 * xx * xx * zz * w201
                + 3.0 * xx * zz * zz * w102
                + 6.0 * xx * yy * zz * w111);
        let phi = -pgr / 3.0 * bracket;
        let kk = 2.0 * pgr;
        let gx = kk
            * x[0]
            * (w100 - 2.0 * (xx * w200 + yy * w110 + zz * w101)
                + xx * xx * w300
                + yy * yy * w120
                + zz * zz * w102
                + 2.0 * (xx * yy * w210 + yy * zz * w111 + xx * zz * w201));
        let gy = kk
            * x[1]
            * (w010 - 2.0 * (yy * w020 + xx * w110 + zz * w011)
                + yy * yy * w030
                + xx * xx * w210
                + zz * zz * w012
                + 2.0 * (xx * yy * w120 + yy * zz * w021 + xx * zz * w111));
        let gz = kk
            * x[2]
            * (w001 - 2.0 * (zz * w002 + xx * w101 + yy * w011)
                + zz * zz * w003
                + xx * xx * w201
                + yy * yy * w021
                + 2.0 * (xx * zz * w102 + yy * zz * w012 + xx * yy * w111));
        (phi, [gx, gy, gz])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qng_integrates_smooth_function() {
        let v = qng(|x| x.exp(), 0.0, 1.0, 1e-6);
        assert!((v - (1f64.exp() - 1.0)).abs() < 1e-14);
    }

    #[test]
    fn elliptic_integrals_known_values() {
        // complete integrals at k = 0.5: K = 1.685750354812596, E = 1.467462209339427
        let (f, e) = ellip_fe(std::f64::consts::FRAC_PI_2, 0.5);
        assert!((f - 1.685750354812596).abs() < 1e-14);
        assert!((e - 1.467462209339427).abs() < 1e-14);
    }

    #[test]
    fn ferrers_exact_matches_closed_form_inside() {
        let fe =
            Ferrers { mass: 1e9, scale_radius: 3.0, axis_ratio_y: 0.5, axis_ratio_z: 0.4, mode: FerrersMode::Exact };
        let fa = Ferrers { mode: FerrersMode::Agama, ..fe };
        for x in [[0.5, 0.2, 0.1], [1.0, 0.0, 0.0], [2.0, 1.0, 0.5], [-3.0, 2.0, 1.0]] {
            let (p1, g1) = fe.eval(x);
            let (p2, g2) = fa.eval(x);
            assert!(((p1 - p2) / p2).abs() < 1e-12, "{x:?} {p1} {p2}");
            let n = (g2[0] * g2[0] + g2[1] * g2[1] + g2[2] * g2[2]).sqrt();
            for i in 0..3 {
                assert!((g1[i] - g2[i]).abs() < 1e-11 * n, "{x:?} {g1:?} {g2:?}");
            }
        }
    }
}
