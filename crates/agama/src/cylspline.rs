//! agama's `CylSpline` expansion evaluated from its coefficient tables (expansions.md §4).

use crate::legendre::legendre_tilde;
use crate::powerlaw::{coef_index, norm_m, trig_m, CylEval, PowerLawMultipole};
use crate::spline::Spline2d;

/// One azimuthal block of a CylSpline section: matrices over (R_i, z_j), row-major (i * N_z + j).
#[derive(Debug, Clone, PartialEq)]
pub struct CylBlock {
    /// Azimuthal order m (m > 0: cos(mφ) term, m < 0: sin(|m|φ) term).
    pub m: i32,
    /// Φ_m(R_i, z_j) [(km/s)²].
    pub phi: Vec<f64>,
    /// ∂Φ_m/∂R [(km/s)²/kpc].
    pub dphi_dr: Vec<f64>,
    /// ∂Φ_m/∂z [(km/s)²/kpc].
    pub dphi_dz: Vec<f64>,
}

/// Coefficient tables of a CylSpline section.
#[derive(Debug, Clone, PartialEq)]
pub struct CylSplineTables {
    /// R nodes [kpc], R_0 = 0, strictly increasing.
    pub r_grid: Vec<f64>,
    /// z nodes [kpc], strictly increasing; z_0 = 0 means the table covers z ≥ 0 of a z-symmetric model.
    pub z_grid: Vec<f64>,
    /// Maximum |m| declared by the section (`mmax`).
    pub mmax: i32,
    /// Blocks in file order.
    pub blocks: Vec<CylBlock>,
}

/// A `CylSpline` potential (expansions.md §4), evaluated exactly as agama 0c5993d does. Lengths in
/// kpc, Φ in (km/s)².
#[derive(Debug, Clone)]
pub struct CylSpline {
    rs: f64,
    xmax: f64,
    ymin: f64,
    ymax: f64,
    log_scaling: bool,
    /// m = 0 first
    splines: Vec<(i32, Spline2d)>,
    extrap: PowerLawMultipole,
}

/// Least-squares solution of A w ≈ b (A: rows × cols, row-major) by Householder QR.
fn least_squares(a: &[f64], b: &[f64], rows: usize, cols: usize) -> Option<Vec<f64>> {
    if rows < cols || cols == 0 {
        return None;
    }
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    for k in 0..cols {
        let norm: f64 = (k..rows).map(|i| a[i * cols + k] * a[i * cols + k]).sum::<f64>().sqrt();
        if norm == 0.0 || !norm.is_finite() {
            return None;
        }
        let alpha = if a[k * cols + k] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = (k..rows).map(|i| a[i * cols + k]).collect();
        v[0] -= alpha;
        let vnorm2: f64 = v.iter().map(|x| x * x).sum();
        if vnorm2 == 0.0 {
            continue;
        }
        for j in k..cols {
            let dot: f64 = (k..rows).map(|i| v[i - k] * a[i * cols + j]).sum();
            let f = 2.0 * dot / vnorm2;
            for i in k..rows {
                a[i * cols + j] -= f * v[i - k];
            }
        }
        let dot: f64 = (k..rows).map(|i| v[i - k] * b[i]).sum();
        let f = 2.0 * dot / vnorm2;
        for i in k..rows {
            b[i] -= f * v[i - k];
        }
    }
    let mut w = vec![0.0; cols];
    for k in (0..cols).rev() {
        let mut s = b[k];
        for j in k + 1..cols {
            s -= a[k * cols + j] * w[j];
        }
        w[k] = s / a[k * cols + k];
    }
    Some(w)
}

impl CylSpline {
    /// Builds the evaluator. Errors if the grid or blocks are inconsistent (R_0 ≠ 0, non-increasing
    /// grids, missing m = 0 block, wrong matrix sizes, non-finite values).
    pub fn new(t: &CylSplineTables) -> Result<Self, String> {
        let nr = t.r_grid.len();
        let nz = t.z_grid.len();
        if nr < 2 || nz < 2 {
            return Err("CylSpline grids need at least two nodes".into());
        }
        if t.r_grid[0] != 0.0 {
            return Err("CylSpline: the first R node must be 0".into());
        }
        let incr = |g: &[f64]| g.windows(2).all(|w| w[1] > w[0]) && g.iter().all(|v| v.is_finite());
        if !incr(&t.r_grid) || !incr(&t.z_grid) {
            return Err("CylSpline grids must be strictly increasing".into());
        }
        for b in &t.blocks {
            if b.phi.len() != nr * nz || b.dphi_dr.len() != nr * nz || b.dphi_dz.len() != nr * nz {
                return Err(format!("CylSpline block m={} has the wrong size", b.m));
            }
            if b.phi.iter().chain(&b.dphi_dr).chain(&b.dphi_dz).any(|v| !v.is_finite()) {
                return Err(format!("CylSpline block m={} has non-finite values", b.m));
            }
        }
        let b0 = t.blocks.iter().find(|b| b.m == 0).ok_or("CylSpline: the m = 0 block is missing")?;
        let zsym = t.z_grid[0] == 0.0;
        let rmax = t.r_grid[nr - 1];
        let zmax = t.z_grid[nz - 1];

        // --- outer extrapolation: least-squares fit on the boundary (§4.2)
        let mut pts: Vec<(f64, f64, usize, usize)> = Vec::new();
        for i in 0..nr - 1 {
            pts.push((t.r_grid[i], zmax, i, nz - 1));
            if zsym {
                pts.push((t.r_grid[i], -zmax, i, nz - 1));
            } else {
                pts.push((t.r_grid[i], t.z_grid[0], i, 0));
            }
        }
        for j in 0..nz {
            pts.push((rmax, t.z_grid[j], nr - 1, j));
            if zsym && j > 0 {
                pts.push((rmax, -t.z_grid[j], nr - 1, j));
            }
        }
        let r0 = rmax.min(zmax);
        let lf = 8usize;
        let mf = 8.min(t.mmax.max(0));
        let mut wcoef = vec![0.0; (lf + 1) * (lf + 1)];
        let mut p = [0.0; 16];
        let mut dp = [0.0; 16];
        let mut fit_ok = true;
        for b in &t.blocks {
            if b.m.abs() > mf {
                continue;
            }
            let am = b.m.unsigned_abs() as usize;
            let cols = lf + 1 - am;
            let mut a = Vec::with_capacity(pts.len() * cols);
            let mut rhs = Vec::with_capacity(pts.len());
            for &(pr, pz, i, j) in &pts {
                let rp = (pr * pr + pz * pz).sqrt();
                let tau = pz / (pr + rp);
                let ct = 2.0 * tau / (1.0 + tau * tau);
                let st = (1.0 - tau * tau) / (1.0 + tau * tau);
                legendre_tilde(lf, am, ct, st, &mut p, &mut dp);
                for l in am..=lf {
                    a.push(norm_m(b.m) * p[l] * (rp / r0).powi(-(l as i32) - 1));
                }
                rhs.push(b.phi[i * nz + j]);
            }
            match least_squares(&a, &rhs, pts.len(), cols) {
                Some(w) => {
                    for (k, l) in (am..=lf).enumerate() {
                        wcoef[coef_index(l, b.m)] = w[k];
                    }
                }
                None => {
                    if b.m == 0 {
                        fit_ok = false;
                    }
                }
            }
        }
        if !fit_ok || !wcoef[0].is_finite() {
            let avg =
                pts.iter().map(|&(pr, pz, i, j)| b0.phi[i * nz + j] * (pr * pr + pz * pz).sqrt() / r0).sum::<f64>()
                    / pts.len() as f64;
            wcoef.iter_mut().for_each(|w| *w = 0.0);
            wcoef[0] = avg;
        }
        let wmax = wcoef.iter().fold(0.0f64, |m, w| m.max(w.abs()));
        for w in wcoef.iter_mut() {
            if w.abs() <= 2e-15 * wmax {
                *w = 0.0;
            }
        }
        let nce = wcoef.len();
        let extrap = PowerLawMultipole::new(r0, false, lf, vec![0.0; nce], vec![0.0; nce], wcoef);

        // --- asinh scale (§4.3)
        let phi_c = if zsym { b0.phi[0] } else { b0.phi[nz.div_ceil(2)] };
        let mass = -rmax * extrap.eval(0.0, rmax, 0.0)[0];
        let rs = if phi_c < 0.0 && mass > 0.0 { -mass / phi_c } else { t.r_grid[nr / 2] };

        // --- internal grids (§4.1, §4.4)
        let xs: Vec<f64> = t.r_grid.iter().map(|r| (r / rs).asinh()).collect();
        // internal z nodes: (file index, sign)
        let zmap: Vec<(usize, f64)> = if zsym {
            (1..nz).rev().map(|j| (j, -1.0)).chain((0..nz).map(|j| (j, 1.0))).collect()
        } else {
            (0..nz).map(|j| (j, 1.0)).collect()
        };
        let ys: Vec<f64> = zmap.iter().map(|&(j, sg)| sg * (t.z_grid[j] / rs).asinh()).collect();
        let nzi = zmap.len();
        let log_scaling = b0.phi.iter().all(|&v| v < 0.0);

        let mut order: Vec<&CylBlock> = Vec::new();
        order.push(b0);
        for b in &t.blocks {
            if b.m != 0 && b.phi.iter().any(|&v| v != 0.0) {
                order.push(b);
            }
        }
        let mut splines = Vec::new();
        for b in order {
            let n = nr * nzi;
            let (mut f, mut fx, mut fy) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            for i in 0..nr {
                let jr = (t.r_grid[i] * t.r_grid[i] + rs * rs).sqrt();
                for (jj, &(j, sg)) in zmap.iter().enumerate() {
                    let zf = t.z_grid[j];
                    let jz = (zf * zf + rs * rs).sqrt();
                    let id = i * nz + j;
                    let (ph, pr, pz) = (b.phi[id], b.dphi_dr[id], b.dphi_dz[id]);
                    let (p0, p0r, p0z) = (b0.phi[id], b0.dphi_dr[id], b0.dphi_dz[id]);
                    let (v, vx, vy) = if log_scaling && b.m == 0 {
                        ((-p0).ln(), jr * p0r / p0, jz * p0z / p0)
                    } else if log_scaling {
                        let q = ph / p0;
                        (q, jr * (pr - q * p0r) / p0, jz * (pz - q * p0z) / p0)
                    } else {
                        (ph, jr * pr, jz * pz)
                    };
                    let k = i * nzi + jj;
                    f[k] = v;
                    fx[k] = vx;
                    fy[k] = if sg < 0.0 || (zsym && j == 0) { -vy } else { vy };
                }
            }
            splines.push((b.m, Spline2d::construct_b(&xs, &ys, &f, &fx, &fy)));
        }
        Ok(CylSpline { rs, xmax: xs[nr - 1], ymin: ys[0], ymax: ys[nzi - 1], log_scaling, splines, extrap })
    }

    /// The asinh scale radius R_s [kpc] recomputed from the tables (expansions.md §4.3).
    pub fn scale_radius(&self) -> f64 {
        self.rs
    }

    /// (Φ, ∂Φ/∂R, ∂Φ/∂z, ∂Φ/∂φ) at cylindrical (R ≥ 0 [kpc], z [kpc], φ [rad]).
    pub fn eval_cyl(&self, rr: f64, z: f64, phi: f64) -> CylEval {
        let x = (rr / self.rs).asinh();
        let y = (z / self.rs).asinh();
        if x > self.xmax || y < self.ymin || y > self.ymax {
            return self.extrap.eval(rr, z, phi);
        }
        let jr = 1.0 / (rr * rr + self.rs * self.rs).sqrt();
        let jz = 1.0 / (z * z + self.rs * self.rs).sqrt();
        let mut it = self.splines.iter();
        let (p0, p0x, p0y, g) = match it.next() {
            Some((_, sp)) => {
                let Some(g) = sp.locate(x, y) else { return [f64::NAN; 4] };
                let [f, fx, fy] = sp.eval_at(&g);
                if self.log_scaling {
                    let p0 = -f.exp();
                    (p0, fx * p0, fy * p0, g)
                } else {
                    (f, fx, fy, g)
                }
            }
            None => return [f64::NAN; 4],
        };
        if self.splines.len() == 1 {
            return [p0, p0x * jr, p0y * jz, 0.0];
        }
        let (mut sum, mut gx, mut gy, mut gphi) = (0.0, 0.0, 0.0, 0.0);
        for (m, sp) in it {
            let [f, fx, fy] = sp.eval_at(&g);
            let (tm, dtm) = trig_m(*m, phi);
            sum += f * tm;
            gx += fx * tm;
            gy += fy * tm;
            gphi += f * dtm;
        }
        if self.log_scaling {
            let s = 1.0 + sum;
            [p0 * s, (p0 * gx + p0x * s) * jr, (p0 * gy + p0y * s) * jz, p0 * gphi]
        } else {
            [p0 + sum, (p0x + gx) * jr, (p0y + gy) * jz, gphi]
        }
    }
}
