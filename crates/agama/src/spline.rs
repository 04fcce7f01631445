//! One- and two-dimensional quintic Hermite splines as agama builds them (expansions.md §2.1–§2.4).
//!
//! All functions here are unit-agnostic: the callers pass grids and values in whatever scaled
//! coordinates they interpolate in (ln r, τ, asinh(R/R_s), …).

/// Cell of a strictly increasing grid containing `x` (expansions.md §2.1).
///
/// Returns `Some(k)` with `grid[k] ≤ x < grid[k+1]`, the last node belonging to the last cell, or
/// `None` if `x` is outside the grid or NaN.
pub(crate) fn find_cell(grid: &[f64], x: f64) -> Option<usize> {
    let n = grid.len();
    if n < 2 || !(x >= grid[0] && x <= grid[n - 1]) {
        return None;
    }
    if x == grid[n - 1] {
        return Some(n - 2);
    }
    // number of nodes <= x, at least 1 here
    let k = grid.partition_point(|&g| g <= x);
    Some(k - 1)
}

/// Solves a tridiagonal system in place (Thomas algorithm). `lower[i]` multiplies x[i-1] in row i
/// (lower[0] unused), `upper[i]` multiplies x[i+1] (upper[n-1] unused).
fn solve_tridiagonal(lower: &[f64], diag: &[f64], upper: &[f64], rhs: &[f64]) -> Vec<f64> {
    let n = diag.len();
    let mut c = vec![0.0; n];
    let mut d = vec![0.0; n];
    c[0] = if n > 1 { upper[0] / diag[0] } else { 0.0 };
    d[0] = rhs[0] / diag[0];
    for i in 1..n {
        let den = diag[i] - lower[i] * c[i - 1];
        if i + 1 < n {
            c[i] = upper[i] / den;
        }
        d[i] = (rhs[i] - lower[i] * d[i - 1]) / den;
    }
    let mut x = vec![0.0; n];
    x[n - 1] = d[n - 1];
    for i in (0..n - 1).rev() {
        x[i] = d[i] - c[i] * x[i + 1];
    }
    x
}

/// Second derivatives at the nodes of the 1-D quintic spline through values `f` and first
/// derivatives `d` (third derivative continuous inside, fourth derivative zero at both ends;
/// expansions.md §2.2). Requires at least two nodes.
pub(crate) fn quintic_second_derivs(x: &[f64], f: &[f64], d: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut lower = vec![0.0; n];
    let mut diag = vec![0.0; n];
    let mut upper = vec![0.0; n];
    let mut rhs = vec![0.0; n];
    let h0 = x[1] - x[0];
    let d0 = f[1] - f[0];
    diag[0] = 3.0 / h0;
    upper[0] = -2.0 / h0;
    rhs[0] = 30.0 * d0 / (h0 * h0 * h0) - (16.0 * d[0] + 14.0 * d[1]) / (h0 * h0);
    for i in 1..n - 1 {
        let hm = x[i] - x[i - 1];
        let hp = x[i + 1] - x[i];
        let dm = f[i] - f[i - 1];
        let dp = f[i + 1] - f[i];
        lower[i] = -1.0 / hm;
        diag[i] = 3.0 / hm + 3.0 / hp;
        upper[i] = -1.0 / hp;
        rhs[i] = 20.0 * dp / (hp * hp * hp) - (12.0 * d[i] + 8.0 * d[i + 1]) / (hp * hp) - 20.0 * dm / (hm * hm * hm)
            + (12.0 * d[i] + 8.0 * d[i - 1]) / (hm * hm);
    }
    let j = n - 2;
    let hj = x[j + 1] - x[j];
    let dj = f[j + 1] - f[j];
    lower[n - 1] = -2.0 / hj;
    diag[n - 1] = 3.0 / hj;
    rhs[n - 1] = -30.0 * dj / (hj * hj * hj) + (14.0 * d[j] + 16.0 * d[n - 1]) / (hj * hj);
    solve_tridiagonal(&lower, &diag, &upper, &rhs)
}

/// Cell-dependent part of the quintic cell formula (expansions.md §2.2) at one evaluation point, shared
/// by every function interpolated on the same cell.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QuinticBasis {
    at_hi: bool,
    h: f64,
    dx: f64,
    p: f64,
    q: f64,
    r: f64,
    p1: f64,
    q1: f64,
    r1: f64,
}

impl QuinticBasis {
    /// Basis for x on the cell [xl, xh].
    #[inline]
    pub(crate) fn new(x: f64, xl: f64, xh: f64) -> Self {
        let h = xh - xl;
        let dx = x - xl;
        let t = dx / h;
        let t2 = t * t;
        let t3 = t2 * t;
        QuinticBasis {
            at_hi: x == xh,
            h,
            dx,
            p: t3 * (10.0 - 15.0 * t + 6.0 * t2),
            q: h * t3 * (1.0 - t / 2.0),
            r: h * h * t3 * (1.0 - 5.0 * t / 4.0 + t2 / 2.0),
            p1: 30.0 * t2 * (1.0 - t) * (1.0 - t) / h,
            q1: t2 * (3.0 - 2.0 * t),
            r1: h * t2 * (3.0 - 5.0 * t + 5.0 * t2 / 2.0),
        }
    }

    /// Value and first derivative of the quintic with end data (value, first, second derivative)
    /// `lo` and `hi`; exactly `hi` at the upper node.
    #[inline]
    pub(crate) fn apply(&self, lo: [f64; 3], hi: [f64; 3]) -> [f64; 2] {
        if self.at_hi {
            return [hi[0], hi[1]];
        }
        let [fl, dl, sl] = lo;
        let [fh, dh, sh] = hi;
        let h = self.h;
        let dx = self.dx;
        let a = fh - fl - h * (dh + dl) / 2.0;
        let b = dh - dl - h * (sh + sl) / 2.0;
        let c = sh - sl;
        let f = fl + self.p * a + dx * dl + self.q * b + (dx * dx / 2.0) * sl + self.r * c;
        let f1 = self.p1 * a + dl + self.q1 * b + dx * sl + self.r1 * c;
        [f, f1]
    }
}

/// Value and first derivative of the quintic polynomial on the cell [xl, xh] with end data (value,
/// first, second derivative) `lo` and `hi` (expansions.md §2.2); exactly `hi` at x = xh.
#[inline]
fn quintic_cell2(x: f64, xl: f64, xh: f64, lo: [f64; 3], hi: [f64; 3]) -> [f64; 2] {
    QuinticBasis::new(x, xl, xh).apply(lo, hi)
}

/// Cells and quintic bases of a point on a 2-D grid, shared by all splines on that grid.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GridPoint {
    ix: usize,
    iy: usize,
    ci: usize,
    cj: usize,
    bx: QuinticBasis,
    by: QuinticBasis,
}

/// Slopes at the nodes of the natural cubic spline through `g` (expansions.md §2.3), including the
/// mirror-symmetry rule.
pub(crate) fn natural_cubic_slopes(x: &[f64], g: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut lower = vec![0.0; n];
    let mut diag = vec![0.0; n];
    let mut upper = vec![0.0; n];
    let mut rhs = vec![0.0; n];
    for i in 0..n - 1 {
        let h = x[i + 1] - x[i];
        let dg = g[i + 1] - g[i];
        diag[i] += 2.0 / h;
        diag[i + 1] += 2.0 / h;
        upper[i] = 1.0 / h;
        lower[i + 1] = 1.0 / h;
        rhs[i] += 3.0 * dg / (h * h);
        rhs[i + 1] += 3.0 * dg / (h * h);
    }
    let mut q = solve_tridiagonal(&lower, &diag, &upper, &rhs);
    let symmetric = (0..n).all(|i| x[i] == -x[n - 1 - i] && g[i] == g[n - 1 - i]);
    if symmetric {
        for i in 0..n / 2 {
            q[i] = -q[n - 1 - i];
        }
        if n % 2 == 1 {
            q[n / 2] = 0.0;
        }
    }
    q
}

/// Second derivative at node `i` of the cubic Hermite spline with values `g` and slopes `q`
/// (left-end formula of cell [i, i+1], or right-end formula of the last cell for the last node).
pub(crate) fn cubic_second_deriv_at_node(x: &[f64], g: &[f64], q: &[f64], i: usize) -> f64 {
    let n = x.len();
    if i < n - 1 {
        let h = x[i + 1] - x[i];
        let dg = g[i + 1] - g[i];
        (6.0 * dg / h - 4.0 * q[i] - 2.0 * q[i + 1]) / h
    } else {
        let h = x[n - 1] - x[n - 2];
        let dg = g[n - 1] - g[n - 2];
        (-6.0 * dg / h + 2.0 * q[n - 2] + 4.0 * q[n - 1]) / h
    }
}

const F: usize = 0;
const FX: usize = 1;
const FY: usize = 2;
const FXX: usize = 3;
const FXY: usize = 4;
const FYY: usize = 5;
const FXXY: usize = 6;
const FXYY: usize = 7;
const FXXYY: usize = 8;

/// Two-dimensional quintic spline (expansions.md §2.4) with nine numbers per node.
#[derive(Debug, Clone)]
pub(crate) struct Spline2d {
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// node (i, j) at index i * ny + j
    nodes: Vec<[f64; 9]>,
}

impl Spline2d {
    fn new_empty(xs: &[f64], ys: &[f64]) -> Self {
        Spline2d { xs: xs.to_vec(), ys: ys.to_vec(), nodes: vec![[0.0; 9]; xs.len() * ys.len()] }
    }

    #[inline]
    fn idx(&self, i: usize, j: usize) -> usize {
        i * self.ys.len() + j
    }

    fn column(&self, j: usize, k: usize) -> Vec<f64> {
        (0..self.xs.len()).map(|i| self.nodes[self.idx(i, j)][k]).collect()
    }

    fn row(&self, i: usize, k: usize) -> Vec<f64> {
        (0..self.ys.len()).map(|j| self.nodes[self.idx(i, j)][k]).collect()
    }

    fn set_column(&mut self, j: usize, k: usize, v: &[f64]) {
        for (i, &val) in v.iter().enumerate() {
            let id = self.idx(i, j);
            self.nodes[id][k] = val;
        }
    }

    fn set_row(&mut self, i: usize, k: usize, v: &[f64]) {
        for (j, &val) in v.iter().enumerate() {
            let id = self.idx(i, j);
            self.nodes[id][k] = val;
        }
    }

    fn fill_input(&mut self, f: &[f64], fx: &[f64], fy: &[f64], fxy: Option<&[f64]>) {
        for id in 0..self.nodes.len() {
            self.nodes[id][F] = f[id];
            self.nodes[id][FX] = fx[id];
            self.nodes[id][FY] = fy[id];
            if let Some(m) = fxy {
                self.nodes[id][FXY] = m[id];
            }
        }
    }

    /// Construction A (mixed derivative given; expansions.md §2.4.1). Arrays are row-major
    /// (index i * ny + j), i along `xs`.
    pub(crate) fn construct_a(xs: &[f64], ys: &[f64], f: &[f64], fx: &[f64], fy: &[f64], fxy: &[f64]) -> Self {
        let mut s = Self::new_empty(xs, ys);
        s.fill_input(f, fx, fy, Some(fxy));
        for j in 0..ys.len() {
            let fxx = quintic_second_derivs(xs, &s.column(j, F), &s.column(j, FX));
            let fxxy = quintic_second_derivs(xs, &s.column(j, FY), &s.column(j, FXY));
            s.set_column(j, FXX, &fxx);
            s.set_column(j, FXXY, &fxxy);
        }
        for i in 0..xs.len() {
            let fyy = quintic_second_derivs(ys, &s.row(i, F), &s.row(i, FY));
            let fxyy = quintic_second_derivs(ys, &s.row(i, FX), &s.row(i, FXY));
            let fxxyy = quintic_second_derivs(ys, &s.row(i, FXX), &s.row(i, FXXY));
            s.set_row(i, FYY, &fyy);
            s.set_row(i, FXYY, &fxyy);
            s.set_row(i, FXXYY, &fxxyy);
        }
        s
    }

    /// Construction B (no mixed derivative; expansions.md §2.4.2).
    pub(crate) fn construct_b(xs: &[f64], ys: &[f64], f: &[f64], fx: &[f64], fy: &[f64]) -> Self {
        let nx = xs.len();
        let ny = ys.len();
        let mut s = Self::new_empty(xs, ys);
        s.fill_input(f, fx, fy, None);
        let zy: Vec<bool> = (0..ny).map(|j| (0..nx).all(|i| s.nodes[s.idx(i, j)][FY] == 0.0)).collect();
        let zx: Vec<bool> = (0..nx).map(|i| (0..ny).all(|j| s.nodes[s.idx(i, j)][FX] == 0.0)).collect();
        let edge_col = |j: usize| j == 0 || j == ny - 1;
        let edge_row = |i: usize| i == 0 || i == nx - 1;
        // step 1
        for j in 0..ny {
            let fcol = s.column(j, F);
            let fxcol = s.column(j, FX);
            let fycol = s.column(j, FY);
            let fxx = quintic_second_derivs(xs, &fcol, &fxcol);
            let fxy = natural_cubic_slopes(xs, &fycol);
            s.set_column(j, FXX, &fxx);
            s.set_column(j, FXY, &fxy);
            if edge_col(j) {
                let fxxy: Vec<f64> = (0..nx).map(|i| cubic_second_deriv_at_node(xs, &fycol, &fxy, i)).collect();
                s.set_column(j, FXXY, &fxxy);
            }
        }
        // step 2
        for i in 0..nx {
            let fxrow = s.row(i, FX);
            let fxxrow = s.row(i, FXX);
            let a = natural_cubic_slopes(ys, &fxrow);
            let b = natural_cubic_slopes(ys, &fxxrow);
            let fyy = quintic_second_derivs(ys, &s.row(i, F), &s.row(i, FY));
            s.set_row(i, FYY, &fyy);
            for j in 0..ny {
                let id = s.idx(i, j);
                let e2 = a[j];
                let e3 = cubic_second_deriv_at_node(ys, &fxrow, &a, j);
                if edge_row(i) && !edge_col(j) {
                    s.nodes[id][FXY] = e2;
                    s.nodes[id][FXYY] = e3;
                }
                let corner = edge_row(i) && edge_col(j);
                if !edge_col(j) || corner {
                    s.nodes[id][FXY] = if zx[i] || zy[j] { 0.0 } else { (s.nodes[id][FXY] + e2) / 2.0 };
                }
                if !edge_col(j) {
                    s.nodes[id][FXXY] = if zy[j] { 0.0 } else { b[j] };
                    s.nodes[id][FXXYY] = cubic_second_deriv_at_node(ys, &fxxrow, &b, j);
                }
            }
        }
        // step 3
        for j in 0..ny {
            let fyycol = s.column(j, FYY);
            let c = natural_cubic_slopes(xs, &fyycol);
            for i in 1..nx - 1 {
                let id = s.idx(i, j);
                s.nodes[id][FXYY] = c[i];
                let e4 = cubic_second_deriv_at_node(xs, &fyycol, &c, i);
                s.nodes[id][FXXYY] = if edge_col(j) { e4 } else { (s.nodes[id][FXXYY] + e4) / 2.0 };
                if zx[i] {
                    s.nodes[id][FXYY] = 0.0;
                }
            }
        }
        s
    }

    /// Stored node data (for unit tests): [f, fx, fy, fxx, fxy, fyy, fxxy, fxyy, fxxyy].
    #[cfg(test)]
    pub(crate) fn node(&self, i: usize, j: usize) -> [f64; 9] {
        self.nodes[self.idx(i, j)]
    }

    /// Locates (x, y) on this spline's grid; `None` outside the grid or for NaN.
    #[inline]
    pub(crate) fn locate(&self, x: f64, y: f64) -> Option<GridPoint> {
        let ix = find_cell(&self.xs, x)?;
        let iy = find_cell(&self.ys, y)?;
        let (xl, xu) = (self.xs[ix], self.xs[ix + 1]);
        let (yl, yu) = (self.ys[iy], self.ys[iy + 1]);
        Some(GridPoint {
            ix,
            iy,
            ci: if x == xu { ix + 1 } else { ix },
            cj: if y == yu { iy + 1 } else { iy },
            bx: QuinticBasis::new(x, xl, xu),
            by: QuinticBasis::new(y, yl, yu),
        })
    }

    /// (f, ∂f/∂x, ∂f/∂y) at a point located with [`Spline2d::locate`] on a spline with the same grid.
    #[inline]
    pub(crate) fn eval_at(&self, g: &GridPoint) -> [f64; 3] {
        let c = self.nodes[self.idx(g.ci, g.cj)][F];
        let mut fe = [[0.0; 3]; 2];
        let mut ge = [[0.0; 3]; 2];
        for (e, i) in [g.ix, g.ix + 1].into_iter().enumerate() {
            let lo = &self.nodes[self.idx(i, g.iy)];
            let hi = &self.nodes[self.idx(i, g.iy + 1)];
            let v = g.by.apply([lo[F] - c, lo[FY], lo[FYY]], [hi[F] - c, hi[FY], hi[FYY]]);
            let vx = g.by.apply([lo[FX], lo[FXY], lo[FXYY]], [hi[FX], hi[FXY], hi[FXYY]]);
            let vxx = g.by.apply([lo[FXX], lo[FXXY], lo[FXXYY]], [hi[FXX], hi[FXXY], hi[FXXYY]]);
            fe[e] = [v[0], vx[0], vxx[0]];
            ge[e] = [v[1], vx[1], vxx[1]];
        }
        let fv = g.bx.apply(fe[0], fe[1]);
        let gv = g.bx.apply(ge[0], ge[1]);
        [fv[0] + c, fv[1], gv[0]]
    }

    /// (f, ∂f/∂x, ∂f/∂y) at (x, y); NaN outside the grid.
    #[cfg(test)]
    pub(crate) fn eval(&self, x: f64, y: f64) -> [f64; 3] {
        match self.locate(x, y) {
            Some(g) => self.eval_at(&g),
            None => [f64::NAN; 3],
        }
    }
}

/// One-dimensional quintic spline (values, first and constructed second derivatives at nodes).
#[derive(Debug, Clone)]
pub(crate) struct Spline1d {
    xs: Vec<f64>,
    f: Vec<f64>,
    d: Vec<f64>,
    s: Vec<f64>,
}

impl Spline1d {
    /// Builds the spline from node values and first derivatives (at least two nodes).
    pub(crate) fn new(xs: &[f64], f: &[f64], d: &[f64]) -> Self {
        let s = quintic_second_derivs(xs, f, d);
        Spline1d { xs: xs.to_vec(), f: f.to_vec(), d: d.to_vec(), s }
    }

    /// (value, first derivative); continued linearly outside the grid.
    pub(crate) fn eval(&self, x: f64) -> [f64; 2] {
        let n = self.xs.len();
        match find_cell(&self.xs, x) {
            Some(k) => quintic_cell2(
                x,
                self.xs[k],
                self.xs[k + 1],
                [self.f[k], self.d[k], self.s[k]],
                [self.f[k + 1], self.d[k + 1], self.s[k + 1]],
            ),
            None => {
                if x < self.xs[0] {
                    [self.f[0] + self.d[0] * (x - self.xs[0]), self.d[0]]
                } else if x > self.xs[n - 1] {
                    [self.f[n - 1] + self.d[n - 1] * (x - self.xs[n - 1]), self.d[n - 1]]
                } else {
                    [f64::NAN, f64::NAN]
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_search_edges() {
        let g = [0.0, 1.0, 2.0, 4.0];
        assert_eq!(find_cell(&g, -0.1), None);
        assert_eq!(find_cell(&g, 0.0), Some(0));
        assert_eq!(find_cell(&g, 1.0), Some(1));
        assert_eq!(find_cell(&g, 3.9), Some(2));
        assert_eq!(find_cell(&g, 4.0), Some(2));
        assert_eq!(find_cell(&g, 4.1), None);
        assert_eq!(find_cell(&g, f64::NAN), None);
    }

    #[test]
    fn quintic_reproduces_quintic_polynomial() {
        // a polynomial of degree 5 with zero 4th derivative at the ends is not generic; use degree 3,
        // which the spline must reproduce exactly (its 4th derivative is zero everywhere).
        let p = |x: f64| 1.0 - 2.0 * x + 0.5 * x * x + 0.25 * x * x * x;
        let dp = |x: f64| -2.0 + x + 0.75 * x * x;
        let xs = [0.0, 0.3, 1.1, 1.5, 2.7, 3.0];
        let f: Vec<f64> = xs.iter().map(|&x| p(x)).collect();
        let d: Vec<f64> = xs.iter().map(|&x| dp(x)).collect();
        let sp = Spline1d::new(&xs, &f, &d);
        for k in 0..60 {
            let x = 3.0 * k as f64 / 59.0;
            let [v, dv] = sp.eval(x);
            assert!((v - p(x)).abs() < 1e-13, "{x} {v} {}", p(x));
            assert!((dv - dp(x)).abs() < 1e-12);
        }
    }

    #[test]
    fn natural_cubic_reproduces_line_and_symmetry() {
        let xs = [-2.0, -1.0, 0.0, 1.0, 2.0];
        let q = natural_cubic_slopes(&xs, &[1.0, 3.0, 5.0, 7.0, 9.0]);
        for v in q {
            assert!((v - 2.0).abs() < 1e-14);
        }
        let q = natural_cubic_slopes(&xs, &[4.0, 1.0, 0.0, 1.0, 4.0]);
        assert_eq!(q[2], 0.0);
        assert_eq!(q[0], -q[4]);
    }

    #[test]
    fn spline2d_reproduces_bicubic() {
        let p = |x: f64, y: f64| 1.0 + x * y + 0.3 * x * x * y - 0.2 * y * y * y + x * x * x;
        let px = |x: f64, y: f64| y + 0.6 * x * y + 3.0 * x * x;
        let py = |x: f64, y: f64| x + 0.3 * x * x - 0.6 * y * y;
        let pxy = |x: f64, _y: f64| 1.0 + 0.6 * x;
        let xs = [0.0, 0.5, 1.2, 2.0];
        let ys = [-1.0, -0.2, 0.4, 1.0, 1.5];
        let mut f = vec![];
        let mut fx = vec![];
        let mut fy = vec![];
        let mut fxy = vec![];
        for &x in &xs {
            for &y in &ys {
                f.push(p(x, y));
                fx.push(px(x, y));
                fy.push(py(x, y));
                fxy.push(pxy(x, y));
            }
        }
        let s = Spline2d::construct_a(&xs, &ys, &f, &fx, &fy, &fxy);
        for &(x, y) in &[(0.1, 0.1), (1.9, -0.9), (2.0, 1.5), (0.7, 1.2)] {
            let [v, vx, vy] = s.eval(x, y);
            assert!((v - p(x, y)).abs() < 1e-12);
            assert!((vx - px(x, y)).abs() < 1e-11);
            assert!((vy - py(x, y)).abs() < 1e-11);
        }
        assert!(s.eval(2.1, 0.0)[0].is_nan());
        let b = Spline2d::construct_b(&xs, &ys, &f, &fx, &fy);
        let corner = b.node(0, 0);
        assert_eq!(corner[FXYY], 0.0);
        assert_eq!(corner[FXXYY], 0.0);
        let [v, _, _] = b.eval(0.7, 0.3);
        assert!((v - p(0.7, 0.3)).abs() < 1e-2);
    }
}
