//! Analytic potential components in physical units.
//!
//! Every component stores its amplitude as G·M in kpc (km/s)² (or the equivalent for non-mass
//! amplitudes) so that no evaluation multiplies by G. Constructors take masses in Msun and lengths in
//! kpc; `from_gm` constructors take G·M directly (used by the named models to reproduce galpy's
//! amplitudes exactly).

use crate::potential::{Potential, Vec3};
use crate::special::{ln_gamma, BinadeTable, IncompleteGamma, TabulatedP};
use crate::units::G;
use std::f64::consts::PI;
use std::sync::{Arc, OnceLock};

#[inline]
fn norm(x: Vec3) -> f64 {
    (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]).sqrt()
}

#[inline]
fn scale(x: Vec3, f: f64) -> Vec3 {
    [f * x[0], f * x[1], f * x[2]]
}

/// Point mass (Kepler): Φ = −GM/r.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointMass {
    /// G·M in kpc (km/s)².
    pub gm: f64,
}

impl PointMass {
    /// A point mass of `mass` Msun at the origin.
    pub fn new(mass: f64) -> Self {
        Self { gm: G * mass }
    }
}

impl Potential for PointMass {
    fn potential(&self, x: Vec3) -> f64 {
        -self.gm / norm(x)
    }
    fn acceleration(&self, x: Vec3) -> Vec3 {
        let r = norm(x);
        if r == 0.0 {
            return [0.0; 3];
        }
        scale(x, -self.gm / (r * r * r))
    }
    fn density(&self, x: Vec3) -> Option<f64> {
        (norm(x) > 0.0).then_some(0.0)
    }
    fn name(&self) -> String {
        "PointMass".into()
    }
}

/// Plummer sphere: Φ = −GM/√(r² + a²).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plummer {
    /// G·M in kpc (km/s)².
    pub gm: f64,
    /// Scale radius a in kpc.
    pub a: f64,
}

impl Plummer {
    /// Total mass `mass` in Msun, scale radius `a` in kpc.
    pub fn new(mass: f64, a: f64) -> Self {
        Self { gm: G * mass, a }
    }
}

impl Potential for Plummer {
    fn potential(&self, x: Vec3) -> f64 {
        let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        -self.gm / (r2 + self.a * self.a).sqrt()
    }
    fn acceleration(&self, x: Vec3) -> Vec3 {
        let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        let d2 = r2 + self.a * self.a;
        scale(x, -self.gm / (d2 * d2.sqrt()))
    }
    fn density(&self, x: Vec3) -> Option<f64> {
        let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        let a2 = self.a * self.a;
        Some(3.0 * self.gm / G / (4.0 * PI * a2 * self.a) * (1.0 + r2 / a2).powf(-2.5))
    }
    fn name(&self) -> String {
        "Plummer".into()
    }
}

/// Hernquist sphere: Φ = −GM/(r + a).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hernquist {
    /// G·M in kpc (km/s)².
    pub gm: f64,
    /// Scale radius a in kpc.
    pub a: f64,
}

impl Hernquist {
    /// Total mass `mass` in Msun, scale radius `a` in kpc.
    pub fn new(mass: f64, a: f64) -> Self {
        Self { gm: G * mass, a }
    }
}

impl Potential for Hernquist {
    fn potential(&self, x: Vec3) -> f64 {
        -self.gm / (norm(x) + self.a)
    }
    fn acceleration(&self, x: Vec3) -> Vec3 {
        let r = norm(x);
        if r == 0.0 {
            return [0.0; 3];
        }
        let ra = r + self.a;
        scale(x, -self.gm / (ra * ra * r))
    }
    fn density(&self, x: Vec3) -> Option<f64> {
        let r = norm(x);
        let ra = r + self.a;
        Some(self.gm / G * self.a / (2.0 * PI * r * ra * ra * ra))
    }
    fn name(&self) -> String {
        "Hernquist".into()
    }
}

/// Jaffe sphere: Φ = (GM/a) ln(r/(r + a)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Jaffe {
    /// G·M in kpc (km/s)².
    pub gm: f64,
    /// Scale radius a in kpc.
    pub a: f64,
}

impl Jaffe {
    /// Total mass `mass` in Msun, scale radius `a` in kpc.
    pub fn new(mass: f64, a: f64) -> Self {
        Self { gm: G * mass, a }
    }
}

impl Potential for Jaffe {
    fn potential(&self, x: Vec3) -> f64 {
        let r = norm(x);
        -self.gm / self.a * (self.a / r).ln_1p()
    }
    fn acceleration(&self, x: Vec3) -> Vec3 {
        let r = norm(x);
        if r == 0.0 {
            return [0.0; 3];
        }
        scale(x, -self.gm / (r * r * (r + self.a)))
    }
    fn density(&self, x: Vec3) -> Option<f64> {
        let r = norm(x);
        let ra = r + self.a;
        Some(self.gm / G * self.a / (4.0 * PI * r * r * ra * ra))
    }
    fn name(&self) -> String {
        "Jaffe".into()
    }
}

/// Hénon's isochrone: Φ = −GM/(b + √(r² + b²)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Isochrone {
    /// G·M in kpc (km/s)².
    pub gm: f64,
    /// Scale radius b in kpc.
    pub b: f64,
}

impl Isochrone {
    /// Total mass `mass` in Msun, scale radius `b` in kpc.
    pub fn new(mass: f64, b: f64) -> Self {
        Self { gm: G * mass, b }
    }
}

impl Potential for Isochrone {
    fn potential(&self, x: Vec3) -> f64 {
        let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        -self.gm / (self.b + (r2 + self.b * self.b).sqrt())
    }
    fn acceleration(&self, x: Vec3) -> Vec3 {
        let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        let s = (r2 + self.b * self.b).sqrt();
        let bs = self.b + s;
        scale(x, -self.gm / (s * bs * bs))
    }
    fn density(&self, x: Vec3) -> Option<f64> {
        let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        let b = self.b;
        let s = (r2 + b * b).sqrt();
        let bs = b + s;
        let num = 3.0 * bs * s * s - r2 * (b + 3.0 * s);
        Some(self.gm / G * num / (4.0 * PI * bs * bs * bs * s * s * s))
    }
    fn name(&self) -> String {
        "Isochrone".into()
    }
}

/// ln(1 + u) − u/(1 + u) without cancellation at small u (series in t = u/(2 + u) below u = 1/4).
#[inline]
fn nfw_h(u: f64) -> f64 {
    if u < 0.25 {
        let t = u / (2.0 + u);
        let t2 = t * t;
        // Σ_{m=1..8} t^{2m+1}/(2m+1), Horner from the 1/17 term.
        let mut s = 1.0 / 17.0;
        for k in (3..=15).rev().step_by(2) {
            s = s * t2 + 1.0 / k as f64;
        }
        2.0 * (t2 / (1.0 + t) + s * t2 * t)
    } else {
        u.ln_1p() - u / (1.0 + u)
    }
}

/// Spherical Navarro–Frenk–White halo: ρ = M/(4π a³) / (u (1 + u)²), u = r/a; Φ = −GM ln(1 + u)/r.
/// `M` is the scale mass (gala's `m`, galpy's `amp`), not a virial mass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nfw {
    /// G·M (scale mass) in kpc (km/s)².
    pub gm: f64,
    /// Scale radius a in kpc.
    pub a: f64,
}

impl Nfw {
    /// Scale mass `mass` in Msun, scale radius `a` in kpc.
    pub fn new(mass: f64, a: f64) -> Self {
        Self { gm: G * mass, a }
    }
}

/// g(u) = h(u)/u² = [ln(1 + u) − u/(1 + u)]/u², tabulated once per process for u ∈ [1/16, 128)
/// (shared by every NFW component; analytic with its only singularity at u = −1).
fn nfw_g_table() -> &'static Arc<BinadeTable> {
    static TABLE: OnceLock<Arc<BinadeTable>> = OnceLock::new();
    TABLE.get_or_init(|| Arc::new(BinadeTable::new(|u| nfw_h(u) / (u * u), -4, 7)))
}

/// g(u) = h(u)/u² for u > 0.
#[inline]
fn nfw_g(u: f64) -> f64 {
    let t = nfw_g_table();
    if u >= t.lower() && u < t.upper() {
        t.eval(u)
    } else {
        nfw_h(u) / (u * u)
    }
}

impl Potential for Nfw {
    fn potential(&self, x: Vec3) -> f64 {
        let r = norm(x);
        if r == 0.0 {
            return -self.gm / self.a;
        }
        -self.gm * (r / self.a).ln_1p() / r
    }
    fn acceleration(&self, x: Vec3) -> Vec3 {
        let r = norm(x);
        if r == 0.0 {
            return [0.0; 3];
        }
        // −GM h(u) x / r³ = −GM g(u) x / (a² r).
        scale(x, -self.gm * nfw_g(r / self.a) / (self.a * self.a * r))
    }
    fn density(&self, x: Vec3) -> Option<f64> {
        let u = norm(x) / self.a;
        Some(self.gm / G / (4.0 * PI * self.a.powi(3)) / (u * (1.0 + u) * (1.0 + u)))
    }
    fn name(&self) -> String {
        "NFW".into()
    }
}

/// Miyamoto–Nagai disk: Φ = −GM/√(R² + (a + √(z² + b²))²).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MiyamotoNagai {
    /// G·M in kpc (km/s)².
    pub gm: f64,
    /// Radial scale a in kpc.
    pub a: f64,
    /// Vertical scale b in kpc.
    pub b: f64,
}

impl MiyamotoNagai {
    /// Mass `mass` in Msun, scale lengths `a`, `b` in kpc.
    pub fn new(mass: f64, a: f64, b: f64) -> Self {
        Self { gm: G * mass, a, b }
    }
}

impl Potential for MiyamotoNagai {
    fn potential(&self, x: Vec3) -> f64 {
        let s = (x[2] * x[2] + self.b * self.b).sqrt();
        let zeta = self.a + s;
        -self.gm / (x[0] * x[0] + x[1] * x[1] + zeta * zeta).sqrt()
    }
    fn acceleration(&self, x: Vec3) -> Vec3 {
        let s = (x[2] * x[2] + self.b * self.b).sqrt();
        let zeta = self.a + s;
        let d2 = x[0] * x[0] + x[1] * x[1] + zeta * zeta;
        let f = -self.gm / (d2 * d2.sqrt());
        [f * x[0], f * x[1], f * x[2] * zeta / s]
    }
    fn potential_and_acceleration(&self, x: Vec3) -> (f64, Vec3) {
        let s = (x[2] * x[2] + self.b * self.b).sqrt();
        let zeta = self.a + s;
        let d2 = x[0] * x[0] + x[1] * x[1] + zeta * zeta;
        let d = d2.sqrt();
        let f = -self.gm / (d2 * d);
        (-self.gm / d, [f * x[0], f * x[1], f * x[2] * zeta / s])
    }
    fn density(&self, x: Vec3) -> Option<f64> {
        let (a, b) = (self.a, self.b);
        let r2 = x[0] * x[0] + x[1] * x[1];
        let s = (x[2] * x[2] + b * b).sqrt();
        let zeta = a + s;
        let num = a * r2 + (a + 3.0 * s) * zeta * zeta;
        let den = (r2 + zeta * zeta).powf(2.5) * s * s * s;
        Some(self.gm / G * b * b / (4.0 * PI) * num / den)
    }
    fn name(&self) -> String {
        "MiyamotoNagai".into()
    }
}

/// Smith et al. (2015) three-Miyamoto–Nagai approximation of an exponential disk (gala's
/// `MN3ExponentialDiskPotential`): the sum of three Miyamoto–Nagai disks with a common b.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mn3ExponentialDisk {
    /// The three Miyamoto–Nagai disks (masses may be negative).
    pub disks: [MiyamotoNagai; 3],
}

impl Mn3ExponentialDisk {
    /// Disk mass `mass` in Msun, exponential scale length `h_r` and scale height `h_z` in kpc;
    /// `sech2_z` selects the sech² vertical profile fit, `positive_density` the fit that keeps ρ ≥ 0.
    pub fn new(mass: f64, h_r: f64, h_z: f64, positive_density: bool, sech2_z: bool) -> Self {
        const K_POS: [[f64; 5]; 6] = [
            [0.0036, -0.0330, 0.1117, -0.1335, 0.1749],
            [-0.0131, 0.1090, -0.3035, 0.2921, -5.7976],
            [-0.0048, 0.0454, -0.1425, 0.1012, 6.7120],
            [-0.0158, 0.0993, -0.2070, -0.7089, 0.6445],
            [-0.0319, 0.1514, -0.1279, -0.9325, 2.6836],
            [-0.0326, 0.1816, -0.2943, -0.6329, 2.3193],
        ];
        const K_ANY: [[f64; 5]; 6] = [
            [-0.0090, 0.0640, -0.1653, 0.1164, 1.9487],
            [0.0173, -0.0903, 0.0877, 0.2029, -1.3077],
            [-0.0051, 0.0287, -0.0361, -0.0544, 0.2242],
            [-0.0358, 0.2610, -0.6987, -0.1193, 2.0074],
            [-0.0830, 0.4992, -0.7967, -1.2966, 4.4441],
            [-0.0247, 0.1718, -0.4124, -0.5944, 0.7333],
        ];
        let q = h_z / h_r;
        let xi = if sech2_z {
            -0.033 * q * q * q + 0.262 * q * q + 0.659 * q
        } else {
            -0.269 * q * q * q + 1.08 * q * q + 1.092 * q
        };
        let v = [xi * xi * xi * xi, xi * xi * xi, xi * xi, xi, 1.0];
        let k = if positive_density { &K_POS } else { &K_ANY };
        let p: Vec<f64> = k.iter().map(|row| row.iter().zip(v).map(|(c, vi)| c * vi).sum()).collect();
        let b = xi * h_r;
        let disk = |i: usize| MiyamotoNagai::new(p[i] * mass, p[3 + i] * h_r, b);
        Self { disks: [disk(0), disk(1), disk(2)] }
    }
}

impl Potential for Mn3ExponentialDisk {
    fn potential(&self, x: Vec3) -> f64 {
        self.disks.iter().map(|d| d.potential(x)).sum()
    }
    fn acceleration(&self, x: Vec3) -> Vec3 {
        let mut a = [0.0; 3];
        for d in &self.disks {
            let b = d.acceleration(x);
            a = [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
        }
        a
    }
    fn density(&self, x: Vec3) -> Option<f64> {
        Some(self.disks.iter().filter_map(|d| d.density(x)).sum())
    }
    fn name(&self) -> String {
        "MN3ExponentialDisk".into()
    }
}

/// Triaxial cored logarithmic potential (gala's `LogarithmicPotential`, galpy's
/// `LogarithmicHaloPotential`): Φ = ½ v_c² ln(r_h² + x²/q1² + y²/q2² + z²/q3²), lengths in kpc (so the
/// zero point is at m² = 1 kpc²).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logarithmic {
    /// v_c² in (km/s)².
    pub v2: f64,
    /// Core radius r_h in kpc.
    pub r_h: f64,
    /// Axis ratios q1 (x), q2 (y), q3 (z), dimensionless.
    pub q: [f64; 3],
}

impl Logarithmic {
    /// Asymptotic circular speed `v_c` in km/s, core radius `r_h` in kpc, axis ratios `q1`, `q2`, `q3`.
    pub fn new(v_c: f64, r_h: f64, q1: f64, q2: f64, q3: f64) -> Self {
        Self { v2: v_c * v_c, r_h, q: [q1, q2, q3] }
    }
    #[inline]
    fn inv_q2(&self) -> Vec3 {
        [1.0 / (self.q[0] * self.q[0]), 1.0 / (self.q[1] * self.q[1]), 1.0 / (self.q[2] * self.q[2])]
    }
}

impl Potential for Logarithmic {
    fn potential(&self, x: Vec3) -> f64 {
        let w = self.inv_q2();
        let m2 = self.r_h * self.r_h + x[0] * x[0] * w[0] + x[1] * x[1] * w[1] + x[2] * x[2] * w[2];
        0.5 * self.v2 * m2.ln()
    }
    fn acceleration(&self, x: Vec3) -> Vec3 {
        let w = self.inv_q2();
        let m2 = self.r_h * self.r_h + x[0] * x[0] * w[0] + x[1] * x[1] * w[1] + x[2] * x[2] * w[2];
        let f = -self.v2 / m2;
        [f * x[0] * w[0], f * x[1] * w[1], f * x[2] * w[2]]
    }
    fn density(&self, x: Vec3) -> Option<f64> {
        let w = self.inv_q2();
        let m2 = self.r_h * self.r_h + x[0] * x[0] * w[0] + x[1] * x[1] * w[1] + x[2] * x[2] * w[2];
        let lap = self.v2
            * ((w[0] + w[1] + w[2]) / m2
                - 2.0 * (x[0] * x[0] * w[0] * w[0] + x[1] * x[1] * w[1] * w[1] + x[2] * x[2] * w[2] * w[2])
                    / (m2 * m2));
        Some(lap / (4.0 * PI * G))
    }
    fn name(&self) -> String {
        "Logarithmic".into()
    }
}

/// galpy's power-law sphere with an exponential cut-off, ρ = ρ₁ (r / 1 kpc)^{−α} exp(−(r/r_c)²), with
/// 0 ≤ α < 2. Its potential is either zero at the centre (galpy's convention, the default, which makes
/// galpy's MWPotential2014 positive far out) or zero at infinity. The incomplete gamma functions are
/// tabulated at construction ([`TabulatedP`]), so building one costs ~0.2 ms and evaluating ~20 ns.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerLawCutoff {
    /// G·ρ₁ in (km/s)² kpc^{α−2}: G ρ(r) = k r^{−α} e^{−(r/r_c)²}, r in kpc.
    pub k: f64,
    /// Power-law slope α (dimensionless, 0 ≤ α < 2).
    pub alpha: f64,
    /// Cut-off radius r_c in kpc.
    pub rc: f64,
    /// Whether Φ(0) = 0 (galpy) instead of Φ(∞) = 0.
    pub zero_at_center: bool,
    p1: TabulatedP,
    p0: TabulatedP,
    /// 2π k r_c^{3−α} Γ(s₁) = G M_total in kpc (km/s)².
    gm_total: f64,
    /// 2π k r_c^{2−α} Γ(s₀) in (km/s)².
    phi_scale0: f64,
    inv_rc2: f64,
}

impl PowerLawCutoff {
    /// From G·ρ₁ (`k`, (km/s)² kpc^{α−2}), slope `alpha` ∈ [0, 2) and cut-off radius `rc` in kpc.
    pub fn from_k(k: f64, alpha: f64, rc: f64, zero_at_center: bool) -> Self {
        let s1 = 1.5 - 0.5 * alpha;
        let s0 = 1.0 - 0.5 * alpha;
        let (lg1, lg0) = (ln_gamma(s1), ln_gamma(s0));
        Self {
            k,
            alpha,
            rc,
            zero_at_center,
            p1: TabulatedP::new(IncompleteGamma::with_ln_gamma(s1, lg1)),
            p0: TabulatedP::new(IncompleteGamma::with_ln_gamma(s0, lg0)),
            gm_total: 2.0 * PI * k * rc.powf(3.0 - alpha) * lg1.exp(),
            phi_scale0: 2.0 * PI * k * rc.powf(2.0 - alpha) * lg0.exp(),
            inv_rc2: 1.0 / (rc * rc),
        }
    }

    /// From the total mass `mass` in Msun, slope `alpha` ∈ [0, 2) and cut-off radius `rc` in kpc.
    pub fn new(mass: f64, alpha: f64, rc: f64, zero_at_center: bool) -> Self {
        let s1 = 1.5 - 0.5 * alpha;
        let k = G * mass / (2.0 * PI * rc.powf(3.0 - alpha) * ln_gamma(s1).exp());
        Self::from_k(k, alpha, rc, zero_at_center)
    }

    /// Total mass in Msun.
    pub fn total_mass(&self) -> f64 {
        self.gm_total / G
    }
}

impl Potential for PowerLawCutoff {
    fn potential(&self, x: Vec3) -> f64 {
        self.potential_and_acceleration(x).0
    }
    #[inline]
    fn acceleration(&self, x: Vec3) -> Vec3 {
        let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        if r2 == 0.0 {
            return [0.0; 3];
        }
        let gm = self.gm_total * self.p1.p(r2 * self.inv_rc2);
        scale(x, -gm / (r2 * r2.sqrt()))
    }
    fn potential_and_acceleration(&self, x: Vec3) -> (f64, Vec3) {
        let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        let offset = if self.zero_at_center { 0.0 } else { -self.phi_scale0 };
        if r2 == 0.0 {
            return (offset, [0.0; 3]);
        }
        let r = r2.sqrt();
        let u = r2 * self.inv_rc2;
        let gm = self.gm_total * self.p1.p(u);
        let phi = self.phi_scale0 * self.p0.p(u) - gm / r + offset;
        (phi, scale(x, -gm / (r2 * r)))
    }
    fn density(&self, x: Vec3) -> Option<f64> {
        let r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        Some(self.k / G * r2.powf(-0.5 * self.alpha) * (-r2 * self.inv_rc2).exp())
    }
    fn name(&self) -> String {
        "PowerLawCutoff".into()
    }
}

/// Spherical Dehnen model (galpy's `DehnenSphericalPotential`):
/// ρ = (3 − γ) M a / (4π r^γ (r + a)^{4−γ}), 0 ≤ γ < 3; Φ = −GM/((2 − γ) a) [1 − (r/(r + a))^{2−γ}]
/// (γ = 2: Φ = (GM/a) ln(r/(r + a))).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dehnen {
    /// G·M in kpc (km/s)².
    pub gm: f64,
    /// Scale radius a in kpc.
    pub a: f64,
    /// Inner slope γ (dimensionless).
    pub gamma: f64,
}

impl Dehnen {
    /// Total mass `mass` in Msun, scale radius `a` in kpc, inner slope `gamma` ∈ [0, 3).
    pub fn new(mass: f64, a: f64, gamma: f64) -> Self {
        Self { gm: G * mass, a, gamma }
    }
}

impl Potential for Dehnen {
    fn potential(&self, x: Vec3) -> f64 {
        let r = norm(x);
        let q = r / (r + self.a);
        if self.gamma == 2.0 {
            self.gm / self.a * q.ln()
        } else {
            let e = 2.0 - self.gamma;
            -self.gm / (e * self.a) * (1.0 - q.powf(e))
        }
    }
    fn acceleration(&self, x: Vec3) -> Vec3 {
        let r = norm(x);
        if r == 0.0 {
            return [0.0; 3];
        }
        let m = (r / (r + self.a)).powf(3.0 - self.gamma);
        scale(x, -self.gm * m / (r * r * r))
    }
    fn density(&self, x: Vec3) -> Option<f64> {
        let r = norm(x);
        let g = self.gamma;
        Some((3.0 - g) * self.gm / G * self.a / (4.0 * PI * r.powf(g) * (r + self.a).powf(4.0 - g)))
    }
    fn name(&self) -> String {
        "Dehnen".into()
    }
}

/// Long & Murali (1992) softened needle bar (gala's `LongMuraliBarPotential`, galpy's
/// `SoftenedNeedleBarPotential`): in the bar frame (long axis along x_b, turned by `angle` about +z)
/// Φ = GM/(2a) ln((x_b − a + T₋)/(x_b + a + T₊)), T± = √((a ± x_b)² + y_b² + (b + √(z² + c²))²).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LongMuraliBar {
    /// G·M in kpc (km/s)².
    pub gm: f64,
    /// Bar half-length a in kpc.
    pub a: f64,
    /// In-plane softening b in kpc.
    pub b: f64,
    /// Vertical softening c in kpc.
    pub c: f64,
    /// Angle of the bar's long axis from +x, counter-clockwise about +z, in radians.
    pub angle: f64,
    cos: f64,
    sin: f64,
}

impl LongMuraliBar {
    /// Mass `mass` in Msun, half-length `a`, softenings `b`, `c` in kpc, orientation `angle` in rad.
    pub fn new(mass: f64, a: f64, b: f64, c: f64, angle: f64) -> Self {
        Self { gm: G * mass, a, b, c, angle, cos: angle.cos(), sin: angle.sin() }
    }

    #[inline]
    fn bar_frame(&self, x: Vec3) -> Vec3 {
        [x[0] * self.cos + x[1] * self.sin, -x[0] * self.sin + x[1] * self.cos, x[2]]
    }

    /// (Φ, −∇Φ in the bar frame) at bar-frame position `p`.
    #[inline]
    fn eval_bar(&self, p: Vec3) -> (f64, Vec3) {
        let (a, k) = (self.a, self.gm / (2.0 * self.a));
        let sz = (p[2] * p[2] + self.c * self.c).sqrt();
        let bz = self.b + sz;
        let w2 = p[1] * p[1] + bz * bz;
        let tp = ((a + p[0]) * (a + p[0]) + w2).sqrt();
        let tm = ((a - p[0]) * (a - p[0]) + w2).sqrt();
        // N = x − a + T₋ and D = x + a + T₊, each in the form free of cancellation.
        let n = if p[0] >= a { p[0] - a + tm } else { w2 / (tm + a - p[0]) };
        let d = if p[0] + a >= 0.0 { p[0] + a + tp } else { w2 / (tp - a - p[0]) };
        let phi = k * (n / d).ln();
        let g = k * (1.0 / (tm * n) - 1.0 / (tp * d));
        let grad = [k * (1.0 / tm - 1.0 / tp), p[1] * g, p[2] * bz / sz * g];
        (phi, [-grad[0], -grad[1], -grad[2]])
    }
}

impl Potential for LongMuraliBar {
    fn potential(&self, x: Vec3) -> f64 {
        self.eval_bar(self.bar_frame(x)).0
    }
    fn acceleration(&self, x: Vec3) -> Vec3 {
        self.potential_and_acceleration(x).1
    }
    fn potential_and_acceleration(&self, x: Vec3) -> (f64, Vec3) {
        let (phi, f) = self.eval_bar(self.bar_frame(x));
        (phi, [f[0] * self.cos - f[1] * self.sin, f[0] * self.sin + f[1] * self.cos, f[2]])
    }
    fn name(&self) -> String {
        "LongMuraliBar".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfw_table_matches_the_closed_form() {
        // Reference: the long series (t = u/(2 + u) < 0.26) below u = 0.7, the closed form above,
        // where its cancellation costs at most a factor 4 of rounding.
        let reference = |u: f64| {
            if u < 0.7 {
                let t = u / (2.0 + u);
                let mut s = 0.0;
                for m in (1..60).rev() {
                    s += t.powi(2 * m + 1) / (2 * m + 1) as f64;
                }
                2.0 * (t * t / (1.0 + t) + s) / (u * u)
            } else {
                (f64::ln_1p(u) - u / (1.0 + u)) / (u * u)
            }
        };
        let mut u = 1e-3;
        while u < 300.0 {
            let want = reference(u);
            let got = nfw_g(u);
            assert!(((got - want) / want).abs() < 3e-15, "g({u}) = {got} vs {want}");
            u *= 1.003;
        }
    }

    #[test]
    fn nfw_series_and_closed_form_agree_at_the_switch() {
        for u in [0.2f64, 0.2499, 0.25, 0.2501, 0.3] {
            let t = u / (2.0 + u);
            let series = {
                let mut s = 0.0;
                for m in 1..30 {
                    s += t.powi(2 * m + 1) / (2 * m + 1) as f64;
                }
                2.0 * (t * t / (1.0 + t) + s)
            };
            let closed = f64::ln_1p(u) - u / (1.0 + u);
            assert!(((series - closed) / closed).abs() < 1e-14, "u = {u}");
            assert!(((nfw_h(u) - series) / series).abs() < 1e-14, "u = {u}");
        }
    }
}
