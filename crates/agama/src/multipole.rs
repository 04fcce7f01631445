//! agama's `Multipole` expansion evaluated from its coefficient tables (expansions.md §3).

use crate::legendre::{gauss_legendre, legendre_tilde};
use crate::powerlaw::{coef_index, norm_m, power_fit, tau_of, trig_m, CylEval, IndexSet, PowerLawMultipole};
use crate::spline::{Spline1d, Spline2d};

/// δ = ε^{1/3}: region tolerance of expansions.md §3.6.
const DELTA: f64 = 6.055454452393343e-6;

/// Coefficient tables of a Multipole section: radii r_k [kpc] and, per radius, C_c(r_k) [(km/s)²]
/// and dC_c/dr(r_k) [(km/s)²/kpc] for c = l(l+1)+m, c < (L+1)².
#[derive(Debug, Clone, PartialEq)]
pub struct MultipoleTables {
    /// Strictly increasing positive radii [kpc].
    pub radii: Vec<f64>,
    /// L, the maximum l of the tables.
    pub lmax: usize,
    /// `phi[k][c]` = C_c(r_k) [(km/s)²].
    pub phi: Vec<Vec<f64>>,
    /// `dphi[k][c]` = dC_c/dr at r_k [(km/s)²/kpc].
    pub dphi: Vec<Vec<f64>>,
}

#[derive(Debug, Clone)]
enum Interp {
    /// L ≤ 2: one 1-D spline in ln r per coefficient (c, l, m, spline)
    OneD { splines: Vec<(usize, usize, i32, Spline1d)>, index: IndexSet },
    /// L > 2: one 2-D spline in (ln r, τ) per m
    TwoD { splines: Vec<(i32, Spline2d)> },
}

/// A `Multipole` potential (expansions.md §3), evaluated exactly as agama 0c5993d does. Lengths in
/// kpc, Φ in (km/s)² (whatever units the tables were written in).
#[derive(Debug, Clone)]
pub struct Multipole {
    rmin: f64,
    rmax: f64,
    log_scaling: bool,
    kappa: f64,
    interp: Interp,
    inner: PowerLawMultipole,
    outer: PowerLawMultipole,
}

impl Multipole {
    /// Builds the evaluator from the tables. Errors if the tables are inconsistent (fewer than two
    /// radii, non-increasing or non-positive radii, wrong row lengths, non-finite numbers).
    pub fn new(t: &MultipoleTables) -> Result<Self, String> {
        let nr = t.radii.len();
        let nc = (t.lmax + 1) * (t.lmax + 1);
        if nr < 2 {
            return Err("at least two radial nodes are needed".into());
        }
        if t.radii[0] <= 0.0 || t.radii.windows(2).any(|w| w[1] <= w[0]) || t.radii.iter().any(|r| !r.is_finite()) {
            return Err("radii must be positive and strictly increasing".into());
        }
        if t.phi.len() != nr || t.dphi.len() != nr {
            return Err("coefficient tables must have one row per radius".into());
        }
        for row in t.phi.iter().chain(t.dphi.iter()) {
            if row.len() != nc {
                return Err(format!("every row needs {nc} coefficients"));
            }
            if row.iter().any(|v| !v.is_finite()) {
                return Err("coefficients must be finite".into());
            }
        }
        let lmax = t.lmax;
        let present = |c: usize| (0..nr).any(|k| t.phi[k][c] != 0.0 || t.dphi[k][c] != 0.0);
        let index = IndexSet::from_present(lmax, present);

        // central value kappa from the inner l = 0 fit
        let f0 = power_fit(t.radii[0], t.radii[1], t.phi[0][0], t.dphi[0][0], t.phi[1][0], 0);
        let mut kappa = if f0.s > 0.0 { 1.0 / f0.w } else { 0.0 };

        let (interp, log_scaling) =
            if lmax <= 2 { Self::build_1d(t, &index, &mut kappa) } else { Self::build_2d(t, &index, &mut kappa) };

        // extrapolations, l <= 8
        let la = lmax.min(8);
        let nce = (la + 1) * (la + 1);
        let mut fits = [Vec::new(), Vec::new()];
        for (dir, fit) in fits.iter_mut().enumerate() {
            let inner = dir == 0;
            let (mut s, mut u, mut w) = (vec![0.0; nce], vec![0.0; nce], vec![0.0; nce]);
            for c in 0..nce {
                let l = (c as f64).sqrt().floor() as usize;
                let zero = (0..nr).all(|k| t.phi[k][c] == 0.0 && t.dphi[k][c] == 0.0);
                if zero {
                    continue;
                }
                let (k1, k2) = if inner { (0, 1) } else { (nr - 1, nr - 2) };
                let v = if inner { l as i32 } else { -(l as i32) - 1 };
                let pf = power_fit(t.radii[k1], t.radii[k2], t.phi[k1][c], t.dphi[k1][c], t.phi[k2][c], v);
                s[c] = pf.s;
                u[c] = pf.u;
                w[c] = pf.w;
            }
            *fit = vec![s, u, w];
        }
        let [fi, fo] = fits;
        let mk = |f: Vec<Vec<f64>>, inner: bool, r0: f64| {
            let mut it = f.into_iter();
            let s = it.next().unwrap_or_default();
            let u = it.next().unwrap_or_default();
            let w = it.next().unwrap_or_default();
            PowerLawMultipole::new(r0, inner, la, s, u, w)
        };
        let inner = mk(fi, true, t.radii[0]);
        let outer = mk(fo, false, t.radii[nr - 1]);
        Ok(Multipole { rmin: t.radii[0], rmax: t.radii[nr - 1], log_scaling, kappa, interp, inner, outer })
    }

    fn build_1d(t: &MultipoleTables, index: &IndexSet, kappa: &mut f64) -> (Interp, bool) {
        let nr = t.radii.len();
        let logr: Vec<f64> = t.radii.iter().map(|r| r.ln()).collect();
        let log_scaling = (0..nr).all(|k| t.phi[k][0] < 0.0);
        if (0..nr).any(|k| t.phi[k][0] * *kappa >= 1.0) {
            *kappa = 0.0;
        }
        let kap = *kappa;
        let mut splines = Vec::new();
        for (m, ls) in &index.terms {
            for &l in ls {
                let c = coef_index(l, *m);
                let mut f = vec![0.0; nr];
                let mut d = vec![0.0; nr];
                for k in 0..nr {
                    let r = t.radii[k];
                    let c00 = t.phi[k][0];
                    let d00 = t.dphi[k][0];
                    if log_scaling && c == 0 {
                        f[k] = (kap - 1.0 / c00).ln();
                        d[k] = r * d00 / (c00 * (kap * c00 - 1.0));
                    } else if log_scaling {
                        f[k] = t.phi[k][c] / c00;
                        d[k] = (t.dphi[k][c] - f[k] * d00) * r / c00;
                    } else {
                        f[k] = t.phi[k][c];
                        d[k] = r * t.dphi[k][c];
                    }
                }
                splines.push((c, l, *m, Spline1d::new(&logr, &f, &d)));
            }
        }
        // make sure the c = 0 spline comes first
        splines.sort_by_key(|s| s.0);
        (Interp::OneD { splines, index: index.clone() }, log_scaling)
    }

    fn build_2d(t: &MultipoleTables, index: &IndexSet, kappa: &mut f64) -> (Interp, bool) {
        let nr = t.radii.len();
        let lmax = t.lmax;
        let (gl, _) = gauss_legendre(lmax + 1);
        let mut tnodes = vec![-1.0];
        for x in gl {
            tnodes.push(x / (1.0 + (1.0 - x * x).sqrt()));
        }
        tnodes.push(1.0);
        let mut tau = Vec::with_capacity(3 * tnodes.len() + 1);
        for i in 0..tnodes.len() - 1 {
            for k in 0..3 {
                tau.push((tnodes[i] * (3 - k) as f64 + tnodes[i + 1] * k as f64) / 3.0);
            }
        }
        tau.push(1.0);
        let nt = tau.len();
        let logr: Vec<f64> = t.radii.iter().map(|r| r.ln()).collect();

        // order: m = 0, then positive m ascending, then negative m
        let mut ms: Vec<(i32, Vec<usize>)> = index.terms.clone();
        ms.sort_by_key(|(m, _)| if *m >= 0 { (0, *m) } else { (1, -*m) });

        let mut p = vec![0.0; lmax + 1];
        let mut dp = vec![0.0; lmax + 1];
        let mut raw: Vec<(i32, [Vec<f64>; 4])> = Vec::new();
        for (m, ls) in &ms {
            let am = m.unsigned_abs() as usize;
            let nm = norm_m(*m);
            let mut arr = [vec![0.0; nr * nt], vec![0.0; nr * nt], vec![0.0; nr * nt], vec![0.0; nr * nt]];
            for (j, &tj) in tau.iter().enumerate() {
                let ct = 2.0 * tj / (1.0 + tj * tj);
                let st = (1.0 - tj * tj) / (1.0 + tj * tj);
                legendre_tilde(lmax, am, ct, st, &mut p, &mut dp);
                let dthdtau = -2.0 / (1.0 + tj * tj);
                for k in 0..nr {
                    let (mut v, mut vr, mut vt, mut vrt) = (0.0, 0.0, 0.0, 0.0);
                    for &l in ls {
                        let c = coef_index(l, *m);
                        let cc = t.phi[k][c];
                        let dc = t.dphi[k][c];
                        v += cc * p[l];
                        vr += dc * p[l] * t.radii[k];
                        vt += cc * dp[l] * dthdtau;
                        vrt += dc * dp[l] * t.radii[k] * dthdtau;
                    }
                    let id = k * nt + j;
                    arr[0][id] = nm * v;
                    arr[1][id] = nm * vr;
                    arr[2][id] = nm * vt;
                    arr[3][id] = nm * vrt;
                }
            }
            raw.push((*m, arr));
        }
        // log scaling check on m = 0
        let mut log_scaling = true;
        if let Some((_, v0)) = raw.iter().find(|(m, _)| *m == 0) {
            for &v in &v0[0] {
                if v >= 0.0 {
                    log_scaling = false;
                }
                if *kappa <= 1.0 / v {
                    *kappa = 0.0;
                }
            }
        }
        let kap = *kappa;
        let mut splines = Vec::new();
        if log_scaling {
            let v0 =
                raw.iter().find(|(m, _)| *m == 0).map(|(_, a)| a.clone()).unwrap_or_else(|| {
                    [vec![0.0; nr * nt], vec![0.0; nr * nt], vec![0.0; nr * nt], vec![0.0; nr * nt]]
                });
            for (m, arr) in &raw {
                let n = nr * nt;
                let (mut f, mut fr, mut ft, mut frt) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
                for id in 0..n {
                    let (w0, w0r, w0t, w0rt) = (v0[0][id], v0[1][id], v0[2][id], v0[3][id]);
                    if *m == 0 {
                        let g = 1.0 / (w0 * (kap * w0 - 1.0));
                        f[id] = (kap - 1.0 / w0).ln();
                        fr[id] = g * w0r;
                        ft[id] = g * w0t;
                        frt[id] = g * w0rt + (1.0 - 2.0 * kap * w0) * fr[id] * ft[id];
                    } else {
                        let q = arr[0][id] / w0;
                        let qr = (arr[1][id] - q * w0r) / w0;
                        let qt = (arr[2][id] - q * w0t) / w0;
                        f[id] = q;
                        fr[id] = qr;
                        ft[id] = qt;
                        frt[id] = (arr[3][id] - q * w0rt - qr * w0t - qt * w0r) / w0;
                    }
                }
                splines.push((*m, Spline2d::construct_a(&logr, &tau, &f, &fr, &ft, &frt)));
            }
        } else {
            for (m, arr) in &raw {
                splines.push((*m, Spline2d::construct_a(&logr, &tau, &arr[0], &arr[1], &arr[2], &arr[3])));
            }
        }
        (Interp::TwoD { splines }, log_scaling)
    }

    /// (Φ, ∂Φ/∂R, ∂Φ/∂z, ∂Φ/∂φ) at cylindrical (R ≥ 0 [kpc], z [kpc], φ [rad]).
    pub fn eval_cyl(&self, rr: f64, z: f64, phi: f64) -> CylEval {
        let r2 = rr * rr + z * z;
        let lo = self.rmin * (1.0 + DELTA);
        let hi = self.rmax * (1.0 - DELTA);
        if r2 < lo * lo {
            return self.inner.eval(rr, z, phi);
        }
        if r2 > hi * hi {
            return self.outer.eval(rr, z, phi);
        }
        match &self.interp {
            Interp::TwoD { splines } => self.eval_2d(splines, rr, z, phi),
            Interp::OneD { splines, index } => self.eval_1d(splines, index, rr, z, phi),
        }
    }

    fn eval_2d(&self, splines: &[(i32, Spline2d)], rr: f64, z: f64, phi: f64) -> CylEval {
        let r2 = rr * rr + z * z;
        let r = r2.sqrt();
        let y = r.ln();
        let tau = tau_of(rr, z, r);
        let (mut val, mut dy, mut dt, mut dphi) = (0.0, 0.0, 0.0, 0.0);
        let (mut p0, mut p0y, mut p0t) = (0.0, 0.0, 0.0);
        let Some(g) = splines.first().and_then(|(_, sp)| sp.locate(y, tau)) else { return [f64::NAN; 4] };
        for (m, sp) in splines {
            let [f, fy, ft] = sp.eval_at(&g);
            let (pm, pmy, pmt) = if self.log_scaling {
                if *m == 0 {
                    let e = f.exp();
                    let ph = 1.0 / (self.kappa - e);
                    let dph = ph * ph * e;
                    p0 = ph;
                    p0y = fy * dph;
                    p0t = ft * dph;
                    (p0, p0y, p0t)
                } else {
                    (f * p0, fy * p0 + f * p0y, ft * p0 + f * p0t)
                }
            } else {
                (f, fy, ft)
            };
            let (tm, dtm) = trig_m(*m, phi);
            val += pm * tm;
            dy += pmy * tm;
            dt += pmt * tm;
            dphi += pm * dtm;
        }
        [val, dy * rr / r2 - dt * tau / r, dy * z / r2 + dt * (1.0 / r - 1.0 / (r + rr)), dphi]
    }

    fn eval_1d(
        &self,
        splines: &[(usize, usize, i32, Spline1d)],
        index: &IndexSet,
        rr: f64,
        z: f64,
        phi: f64,
    ) -> CylEval {
        let r2 = rr * rr + z * z;
        let r = r2.sqrt();
        let y = r.ln();
        let (mut c00, mut d00) = (0.0, 0.0);
        let mut cvals: Vec<(usize, i32, f64, f64)> = Vec::with_capacity(splines.len());
        for (c, l, m, sp) in splines {
            let [f, d] = sp.eval(y);
            let (cc, dc) = if self.log_scaling {
                if *c == 0 {
                    let e = f.exp();
                    c00 = 1.0 / (self.kappa - e);
                    d00 = d * c00 * c00 * e;
                    (c00, d00)
                } else {
                    (f * c00, d * c00 + f * d00)
                }
            } else {
                (f, d)
            };
            cvals.push((*l, *m, cc, dc));
        }
        if index.lmax == 0 {
            let (c0, d0) = cvals.first().map(|v| (v.2, v.3)).unwrap_or((0.0, 0.0));
            return [c0, d0 * rr / r2, d0 * z / r2, 0.0];
        }
        let tau = if rr == 0.0 {
            if z > 0.0 {
                1.0
            } else {
                -1.0
            }
        } else {
            z / (r + rr)
        };
        let (ct, st) = (2.0 * tau / (1.0 + tau * tau), (1.0 - tau * tau) / (1.0 + tau * tau));
        let mut p = [0.0; 8];
        let mut dp = [0.0; 8];
        let (mut val, mut dlnr, mut dth, mut dphi) = (0.0, 0.0, 0.0, 0.0);
        for (l, m, cc, dc) in cvals {
            let am = m.unsigned_abs() as usize;
            legendre_tilde(index.lmax, am, ct, st, &mut p, &mut dp);
            let (tm, dtm) = trig_m(m, phi);
            let nm = norm_m(m);
            val += cc * nm * p[l] * tm;
            dlnr += dc * nm * p[l] * tm;
            dth += cc * nm * dp[l] * tm;
            dphi += cc * nm * p[l] * dtm;
        }
        [val, dlnr * rr / r2 + dth * z / r2, dlnr * z / r2 - dth * rr / r2, dphi]
    }
}
