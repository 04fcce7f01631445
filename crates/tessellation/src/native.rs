//! The native Delaunay engine for 2-D and 3-D: incremental Bowyer–Watson insertion with exact
//! orientation and in-sphere predicates (`robust`), "ghost" cells on the convex hull joined to one
//! vertex at infinity, spatially sorted insertion and a visibility walk for point location.
//!
//! The Delaunay triangulation of points in general position is unique, so this engine returns the
//! same simplices as Qhull, only faster. When the input is not in general position (an exact or
//! near tie: d + 2 cospherical points, coplanar hull facets), the triangulation is not unique and
//! the engine declines with [`Decline::Tie`]; the caller then asks Qhull, whose choice is the
//! reference's. It never panics on any finite input.

/// A vertex index that stands for the point at infinity.
const INF: u32 = u32::MAX;
/// No neighbour (only during construction).
const NONE: u32 = u32::MAX;

/// Relative size of an in-sphere or orientation determinant, compared with the magnitude of its
/// terms, below which two configurations are treated as a (near) tie and handed to Qhull.
pub(crate) const NEAR_TIE: f64 = 1e-11;
/// Relative width below which the whole input counts as flat (collinear in 2-D, coplanar in 3-D).
pub(crate) const FLAT: f64 = 1e-12;

/// Why the native engine did not produce a triangulation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decline {
    /// The input does not span the space: fewer than d + 1 distinct points, or all on a line/plane.
    Degenerate(String),
    /// The triangulation is not unique (or nearly so): defer to Qhull.
    Tie(&'static str),
}

/// A finished triangulation: finite simplices as point indices, `D + 1` per simplex, and the
/// indices of the input points on the convex hull.
#[derive(Debug, Default)]
pub(crate) struct Simplices {
    pub simplices: Vec<u32>,
    pub hull_vertices: Vec<u32>,
}

/// For slots s ≠ j of a tetrahedron, the two remaining slots.
const OTHER_TWO: [[[u8; 2]; 4]; 4] = [
    [[0, 0], [2, 3], [1, 3], [1, 2]],
    [[2, 3], [0, 0], [0, 3], [0, 2]],
    [[1, 3], [0, 3], [0, 0], [0, 1]],
    [[1, 2], [0, 2], [0, 1], [0, 0]],
];

use crate::predicates::{incircle, insphere, orient2d as orient2, orient3d as orient3};

/// One simplex: its vertices (INF for the point at infinity) and, in slot i, the neighbour across
/// the face opposite vertex i. 2-D cells use slots 0..3.
#[derive(Debug, Clone, Copy)]
struct Cell {
    v: [u32; 4],
    n: [u32; 4],
}

/// Reusable state of the engine for dimension `D` (2 or 3). Buffers are kept between calls so a
/// worker thread triangulating many orbits allocates only when an orbit is larger than any before.
#[derive(Debug, Default)]
pub(crate) struct Engine<const D: usize> {
    pts: Vec<[f64; 3]>,
    cells: Vec<Cell>,
    alive: Vec<bool>,
    free: Vec<u32>,
    /// Per cell: 2·stamp if in the current cavity, 2·stamp + 1 if tested and not in conflict.
    mark: Vec<u32>,
    stamp: u32,
    stack: Vec<u32>,
    cavity: Vec<u32>,
    boundary: Vec<(u32, u8)>,
    /// New cells of the current insertion, with the slot of their apex.
    new_cells: Vec<(u32, u8)>,
    /// Ridge hash table: (stamp, ridge key, cell, slot).
    table: Vec<(u32, u64, u32, u8)>,
    table_stamp: u32,
    order: Vec<(u64, u32)>,
    /// Insertion rank → input index.
    perm: Vec<u32>,
    scratch_pts: Vec<[f64; 3]>,
    hint: u32,
}

enum Located {
    Cell(u32),
    Duplicate,
}

impl<const D: usize> Engine<D> {
    /// Triangulates `points` (row-major, `D` columns, finite). Duplicate points are skipped, like
    /// Qhull's `Qc` does.
    pub(crate) fn triangulate(&mut self, points: &[f64], out: &mut Simplices) -> Result<(), Decline> {
        debug_assert!(D == 2 || D == 3);
        let n = points.len() / D;
        self.reset(points);
        let initial = self.initial_simplex(n)?;
        self.insertion_order(n, &initial);
        // Store the points in insertion order (the initial simplex first) so that the vertices
        // of neighbouring cells sit close in memory; `perm` maps back to input indices.
        self.perm.clear();
        self.perm.extend_from_slice(&initial);
        self.perm.extend(self.order.iter().map(|&(_, i)| i));
        self.scratch_pts.clear();
        self.scratch_pts.extend(self.perm.iter().map(|&i| self.pts[i as usize]));
        std::mem::swap(&mut self.pts, &mut self.scratch_pts);
        let first: Vec<u32> = (0..=D as u32).collect();
        self.build_initial(&first);
        let order = std::mem::take(&mut self.order);
        let mut result = Ok(());
        for p in (D + 1)..n {
            if let Err(e) = self.insert(p as u32) {
                result = Err(e);
                break;
            }
        }
        self.order = order;
        result?;
        self.check_unique()?;
        self.extract(out);
        Ok(())
    }

    fn reset(&mut self, points: &[f64]) {
        self.pts.clear();
        self.pts.extend(points.chunks_exact(D).map(|c| if D == 2 { [c[0], c[1], 0.0] } else { [c[0], c[1], c[2]] }));
        self.cells.clear();
        self.alive.clear();
        self.free.clear();
        self.mark.clear();
        self.stamp = 0;
        self.hint = 0;
    }

    // ----- predicates --------------------------------------------------------------------------

    /// Orientation of the D + 1 points (positive = the engine's positive orientation).
    #[inline]
    fn orient(&self, v: [&[f64; 3]; 4]) -> f64 {
        if D == 2 {
            orient2(v[0], v[1], v[2])
        } else {
            orient3(v[0], v[1], v[2], v[3])
        }
    }

    /// Orientation of finite cell `cell` with the vertex in `slot` replaced by `p`.
    #[inline]
    fn orient_replaced(&self, cell: &[u32; 4], slot: usize, p: &[f64; 3]) -> f64 {
        let mut v: [&[f64; 3]; 4] = [p; 4];
        for (j, item) in v.iter_mut().enumerate().take(D + 1) {
            if j != slot {
                *item = &self.pts[cell[j] as usize];
            }
        }
        self.orient(v)
    }

    /// Positive if `p` is strictly inside the circumsphere of the finite, positively oriented `cell`.
    #[inline]
    fn in_sphere(&self, cell: &[u32; 4], p: &[f64; 3]) -> f64 {
        let a = &self.pts[cell[0] as usize];
        let b = &self.pts[cell[1] as usize];
        let c = &self.pts[cell[2] as usize];
        if D == 2 {
            incircle(a, b, c, p)
        } else {
            insphere(a, b, c, &self.pts[cell[3] as usize], p)
        }
    }

    /// Whether the circumsphere of `cell` contains `p` (`Some(true)`), not (`Some(false)`), or the
    /// question has no unique answer because `p` is coplanar with a hull facet (`None`).
    #[inline]
    fn conflicts(&self, cell_index: u32, p: &[f64; 3]) -> Option<bool> {
        let cell = &self.cells[cell_index as usize].v;
        let mut inf_slot = usize::MAX;
        for (slot, &v) in cell.iter().enumerate().take(D + 1) {
            if v == INF {
                inf_slot = slot;
            }
        }
        if inf_slot != usize::MAX {
            let o = self.orient_replaced(cell, inf_slot, p);
            if o == 0.0 {
                None
            } else {
                Some(o > 0.0)
            }
        } else {
            Some(self.in_sphere(cell, p) > 0.0)
        }
    }

    // ----- set-up --------------------------------------------------------------------------------

    /// Picks D + 1 points spanning the space (greedy maximal width, like Qhull's initial simplex)
    /// or reports the input as degenerate.
    fn initial_simplex(&self, n: usize) -> Result<Vec<u32>, Decline> {
        if n < D + 1 {
            return Err(Decline::Degenerate(format!("{n} point(s): a {D}-D tessellation needs at least {}", D + 1)));
        }
        let pts = &self.pts;
        let scale = pts.iter().flat_map(|p| p[..D].iter()).fold(0.0f64, |m, &c| m.max(c.abs()));
        let dist2 = |a: &[f64; 3], b: &[f64; 3]| (0..D).map(|k| (a[k] - b[k]).powi(2)).sum::<f64>();
        // Two far-apart points: the extreme along x, then the farthest from it.
        let i0 = (0..n).min_by(|&a, &b| pts[a][0].total_cmp(&pts[b][0])).unwrap_or(0);
        let (i1, d01) =
            (0..n).map(|i| (i, dist2(&pts[i], &pts[i0]))).max_by(|a, b| a.1.total_cmp(&b.1)).unwrap_or((0, 0.0));
        if d01 == 0.0 {
            return Err(Decline::Degenerate(format!("all {n} points are identical")));
        }
        let len01 = d01.sqrt();
        let tol = FLAT * scale.max(len01);
        // Third point: farthest from the line through i0 and i1.
        let (p0, p1) = (pts[i0], pts[i1]);
        let u = [p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]];
        let line_dist = |p: &[f64; 3]| {
            let w = [p[0] - p0[0], p[1] - p0[1], p[2] - p0[2]];
            let cx = [u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]];
            (cx[0] * cx[0] + cx[1] * cx[1] + cx[2] * cx[2]).sqrt() / len01
        };
        let (i2, h2) = (0..n).map(|i| (i, line_dist(&pts[i]))).max_by(|a, b| a.1.total_cmp(&b.1)).unwrap_or((0, 0.0));
        if h2 <= tol || (D == 2 && orient2(&p0, &p1, &pts[i2]) == 0.0) {
            return Err(Decline::Degenerate(format!("all {n} points lie on one line (to within rounding)")));
        }
        if D == 2 {
            return Ok(vec![i0 as u32, i1 as u32, i2 as u32]);
        }
        let p2 = pts[i2];
        let v = [p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]];
        let normal = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
        let nlen = (normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]).sqrt();
        let plane_dist = |p: &[f64; 3]| {
            ((p[0] - p0[0]) * normal[0] + (p[1] - p0[1]) * normal[1] + (p[2] - p0[2]) * normal[2]).abs() / nlen
        };
        let (i3, h3) = (0..n).map(|i| (i, plane_dist(&pts[i]))).max_by(|a, b| a.1.total_cmp(&b.1)).unwrap_or((0, 0.0));
        if h3 <= tol || orient3(&p0, &p1, &p2, &pts[i3]) == 0.0 {
            return Err(Decline::Degenerate(format!("all {n} points lie in one plane (to within rounding)")));
        }
        Ok(vec![i0 as u32, i1 as u32, i2 as u32, i3 as u32])
    }

    fn alloc(&mut self, v: [u32; 4]) -> u32 {
        let cell = Cell { v, n: [NONE; 4] };
        if let Some(c) = self.free.pop() {
            self.cells[c as usize] = cell;
            self.alive[c as usize] = true;
            c
        } else {
            self.cells.push(cell);
            self.alive.push(true);
            self.mark.push(0);
            (self.cells.len() - 1) as u32
        }
    }

    fn build_initial(&mut self, initial: &[u32]) {
        let mut v = [0u32; 4];
        v[..=D].copy_from_slice(initial);
        let pv = |k: usize| &self.pts[v[k] as usize];
        if self.orient([pv(0), pv(1), pv(2), pv(if D == 3 { 3 } else { 2 })]) < 0.0 {
            v.swap(0, 1);
        }
        let finite = self.alloc(v);
        self.new_cells.clear();
        for k in 0..=D {
            // Ghost across face k: the face's vertices with the point at infinity in slot k,
            // orientation flipped so that "INF replaced by an outside point" is positive.
            let mut g = v;
            g[k] = INF;
            let (a, b) = if k == 0 {
                (1, 2)
            } else if k == 1 {
                (0, 2)
            } else {
                (0, 1)
            };
            g.swap(a, b);
            let ghost = self.alloc(g);
            let inf_slot = g[..=D].iter().position(|&x| x == INF).unwrap_or(k);
            self.cells[ghost as usize].n[inf_slot] = finite;
            self.cells[finite as usize].n[k] = ghost;
            self.new_cells.push((ghost, inf_slot as u8));
        }
        // Linking ghosts among themselves cannot fail for a fresh simplex.
        let _ = self.link_new_cells();
        self.hint = finite;
    }

    /// Orders the points for insertion: randomised rounds, each along a Z-order (Morton) curve, so
    /// that consecutive points are close (short point-location walks) and cavities stay small.
    fn insertion_order(&mut self, n: usize, initial: &[u32]) {
        let mut lo = [f64::INFINITY; 3];
        let mut hi = [f64::NEG_INFINITY; 3];
        for p in &self.pts {
            for k in 0..D {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        let bits: u32 = if D == 2 { 31 } else { 21 };
        let cells = ((1u64 << bits) - 1) as f64;
        self.order.clear();
        for i in 0..n {
            if initial.contains(&(i as u32)) {
                continue;
            }
            let p = &self.pts[i];
            let mut code = 0u64;
            let mut q = [0u64; 3];
            for k in 0..D {
                let span = hi[k] - lo[k];
                q[k] = if span > 0.0 { ((p[k] - lo[k]) / span * cells) as u64 } else { 0 };
            }
            for b in (0..bits).rev() {
                for qk in q.iter().take(D) {
                    code = (code << 1) | ((qk >> b) & 1);
                }
            }
            self.order.push((code, i as u32));
        }
        // Biased randomised insertion order (BRIO): rounds of growing size (membership by a hash
        // of the point index, so the order is deterministic), each round along the Z-order curve.
        let n = self.order.len().max(1) as f64;
        for entry in self.order.iter_mut() {
            let h = (entry.1 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
            let r = ((h as f64 + 1.0) / (1u64 << 24) as f64 * n).max(1.0);
            let round = r.log2() as u64;
            entry.0 = (round << 58) | (entry.0 >> 6);
        }
        self.order.sort_unstable();
    }

    // ----- insertion -------------------------------------------------------------------------------

    fn locate(&self, p: &[f64; 3]) -> Result<Located, Decline> {
        let mut c = self.hint;
        if !self.alive[c as usize] {
            c = (0..self.cells.len() as u32).find(|&i| self.alive[i as usize]).unwrap_or(0);
        }
        if let Some(slot) = self.cells[c as usize].v[..=D].iter().position(|&v| v == INF) {
            c = self.cells[c as usize].n[slot];
        }
        let limit = 4 * self.cells.len() + 64;
        for step in 0..limit {
            let cell = self.cells[c as usize];
            if cell.v[..=D].contains(&INF) {
                return Ok(Located::Cell(c));
            }
            let start = step % (D + 1);
            let mut next = None;
            for t in 0..=D {
                let k = if start + t > D { start + t - D - 1 } else { start + t };
                if self.orient_replaced(&cell.v, k, p) < 0.0 {
                    next = Some(cell.n[k]);
                    break;
                }
            }
            match next {
                Some(n) => c = n,
                None => {
                    let dup = cell.v[..=D].iter().any(|&v| &self.pts[v as usize] == p);
                    return Ok(if dup { Located::Duplicate } else { Located::Cell(c) });
                }
            }
        }
        Err(Decline::Tie("point location did not converge"))
    }

    fn insert(&mut self, pi: u32) -> Result<(), Decline> {
        let p = self.pts[pi as usize];
        let seed = match self.locate(&p)? {
            Located::Duplicate => return Ok(()),
            Located::Cell(c) => c,
        };
        if self.conflicts(seed, &p) != Some(true) {
            return Err(Decline::Tie("point on the hull plane"));
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp >= u32::MAX / 2 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
        let in_cavity = 2 * self.stamp;
        let outside_cavity = in_cavity + 1;
        self.stack.clear();
        self.cavity.clear();
        self.boundary.clear();
        self.mark[seed as usize] = in_cavity;
        self.stack.push(seed);
        self.cavity.push(seed);
        while let Some(c) = self.stack.pop() {
            let nbrs = self.cells[c as usize].n;
            for (k, &n) in nbrs.iter().enumerate().take(D + 1) {
                let m = self.mark[n as usize];
                if m == in_cavity {
                    continue;
                }
                if m == outside_cavity {
                    self.boundary.push((c, k as u8));
                    continue;
                }
                match self.conflicts(n, &p) {
                    Some(true) => {
                        self.mark[n as usize] = in_cavity;
                        self.stack.push(n);
                        self.cavity.push(n);
                    }
                    Some(false) => {
                        self.mark[n as usize] = outside_cavity;
                        self.boundary.push((c, k as u8));
                    }
                    None => return Err(Decline::Tie("point coplanar with a hull facet")),
                }
            }
        }
        self.new_cells.clear();
        let mut hint = NONE;
        for bi in 0..self.boundary.len() {
            let (c, k) = self.boundary[bi];
            let k = k as usize;
            let old = self.cells[c as usize];
            let mut v = old.v;
            v[k] = pi;
            let outside = old.n[k];
            let nc = self.alloc(v);
            self.cells[nc as usize].n[k] = outside;
            let out_cell = &mut self.cells[outside as usize];
            match out_cell.n[..=D].iter().position(|&x| x == c) {
                Some(b) => out_cell.n[b] = nc,
                None => return Err(Decline::Tie("inconsistent adjacency")),
            }
            if hint == NONE && !v[..=D].contains(&INF) {
                hint = nc;
            }
            self.new_cells.push((nc, k as u8));
        }
        self.hint = if hint == NONE { self.new_cells[0].0 } else { hint };
        self.link_new_cells()?;
        for i in 0..self.cavity.len() {
            let c = self.cavity[i];
            self.alive[c as usize] = false;
            self.free.push(c);
        }
        Ok(())
    }

    /// Joins the cells in `new_cells`, which share their apex (the new point, or INF for the first
    /// ghosts): two of them are neighbours across a face through the apex, identified by its other
    /// D − 1 vertices (a "ridge"). Ridges are paired through an open-addressing hash table sized
    /// for this cavity; on a closed cavity boundary each ridge occurs exactly twice.
    fn link_new_cells(&mut self) -> Result<(), Decline> {
        let nridges = self.new_cells.len() * D;
        let size = (2 * nridges).next_power_of_two().max(16);
        if self.table.len() < size {
            self.table.resize(size, (0, 0, 0, 0));
        }
        self.table_stamp = self.table_stamp.wrapping_add(1);
        if self.table_stamp == 0 {
            self.table.iter_mut().for_each(|e| e.0 = 0);
            self.table_stamp = 1;
        }
        let stamp = self.table_stamp;
        let mask = size - 1;
        let shift = 64 - size.trailing_zeros();
        let mut pairs = 0;
        for i in 0..self.new_cells.len() {
            let (c, s) = self.new_cells[i];
            let s = s as usize;
            let v = self.cells[c as usize].v;
            for j in 0..=D {
                if j == s {
                    continue;
                }
                let key = if D == 2 {
                    v[3 - s - j] as u64
                } else {
                    let [t1, t2] = OTHER_TWO[s][j];
                    let (a, b) = (v[t1 as usize], v[t2 as usize]);
                    ((a.min(b) as u64) << 32) | a.max(b) as u64
                };
                let mut h = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize & mask;
                loop {
                    let entry = self.table[h];
                    if entry.0 != stamp {
                        self.table[h] = (stamp, key, c, j as u8);
                        break;
                    }
                    if entry.1 == key {
                        self.cells[c as usize].n[j] = entry.2;
                        self.cells[entry.2 as usize].n[entry.3 as usize] = c;
                        // Matched: this ridge will not be looked up again.
                        self.table[h].1 = u64::MAX;
                        pairs += 1;
                        break;
                    }
                    h = (h + 1) & mask;
                }
            }
        }
        if 2 * pairs != nridges {
            return Err(Decline::Tie("cavity boundary is not a closed surface"));
        }
        Ok(())
    }

    // ----- uniqueness ------------------------------------------------------------------------------

    /// Declines if the finished triangulation is not (robustly) unique: an interior face whose two
    /// opposite vertices are (nearly) cospherical with it, or two (nearly) coplanar hull facets.
    fn check_unique(&self) -> Result<(), Decline> {
        for c in 0..self.cells.len() {
            if !self.alive[c] {
                continue;
            }
            let Cell { v: cell, n: nbrs } = self.cells[c];
            let ghost = cell[..=D].contains(&INF);
            for &n in nbrs.iter().take(D + 1) {
                let n = n as usize;
                if n < c {
                    continue;
                }
                if n >= self.cells.len() {
                    return Err(Decline::Tie("inconsistent adjacency"));
                }
                let Cell { v: other, n: other_nbrs } = self.cells[n];
                let n_ghost = other[..=D].contains(&INF);
                let Some(back) = other_nbrs[..=D].iter().position(|&x| x as usize == c) else {
                    return Err(Decline::Tie("inconsistent adjacency"));
                };
                let opposite = other[back];
                let tie = match (ghost, n_ghost) {
                    (false, false) => near_zero_in_sphere::<D>(&self.pts, &cell, &self.pts[opposite as usize]),
                    // Two hull facets meeting at a ridge: are they (nearly) coplanar?
                    (true, true) if opposite != INF => {
                        let slot = cell[..=D].iter().position(|&x| x == INF).unwrap_or(0);
                        near_zero_orient::<D>(&self.pts, &cell, slot, &self.pts[opposite as usize])
                    }
                    _ => false,
                };
                if tie {
                    return Err(Decline::Tie(if ghost { "coplanar hull facets" } else { "cospherical points" }));
                }
            }
        }
        Ok(())
    }

    fn extract(&self, out: &mut Simplices) {
        out.simplices.clear();
        out.hull_vertices.clear();
        for c in 0..self.cells.len() {
            if !self.alive[c] {
                continue;
            }
            let cell = &self.cells[c].v[..=D];
            if cell.contains(&INF) {
                out.hull_vertices.extend(cell.iter().filter(|&&v| v != INF).map(|&v| self.perm[v as usize]));
            } else {
                out.simplices.extend(cell.iter().map(|&v| self.perm[v as usize]));
            }
        }
        out.hull_vertices.sort_unstable();
        out.hull_vertices.dedup();
    }
}

/// True when `p` is (nearly) on the circumsphere of `cell`: the in-sphere determinant is within
/// `NEAR_TIE` of a bound on the magnitude of its terms.
fn near_zero_in_sphere<const D: usize>(pts: &[[f64; 3]], cell: &[u32; 4], p: &[f64; 3]) -> bool {
    let q = |i: usize| &pts[cell[i] as usize];
    let (det, scale) = if D == 2 {
        crate::predicates::incircle_with_scale(q(0), q(1), q(2), p)
    } else {
        crate::predicates::insphere_with_scale(q(0), q(1), q(2), q(3), p)
    };
    det.abs() <= NEAR_TIE * scale
}

/// Float orientation of `cell` with the vertex in `slot` replaced by `p`, compared with its
/// permanent: true when `p` is (nearly) on the plane of the other D vertices.
fn near_zero_orient<const D: usize>(pts: &[[f64; 3]], cell: &[u32; 4], slot: usize, p: &[f64; 3]) -> bool {
    let mut rel = [[0.0f64; 3]; 3];
    let mut origin: Option<[f64; 3]> = None;
    let mut m = 0;
    for j in 0..=D {
        if j == slot {
            continue;
        }
        let q = pts[cell[j] as usize];
        match origin {
            None => origin = Some(q),
            Some(o) => {
                rel[m] = [q[0] - o[0], q[1] - o[1], q[2] - o[2]];
                m += 1;
            }
        }
    }
    let o = origin.unwrap_or([0.0; 3]);
    rel[m] = [p[0] - o[0], p[1] - o[1], p[2] - o[2]];
    if D == 2 {
        let (a, b) = (&rel[0], &rel[1]);
        let det = a[0] * b[1] - a[1] * b[0];
        let perm = (a[0] * b[1]).abs() + (a[1] * b[0]).abs();
        det.abs() <= NEAR_TIE * perm
    } else {
        let (a, b, c) = (&rel[0], &rel[1], &rel[2]);
        let det = a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
            + a[2] * (b[0] * c[1] - b[1] * c[0]);
        let perm = a[0].abs() * ((b[1] * c[2]).abs() + (b[2] * c[1]).abs())
            + a[1].abs() * ((b[0] * c[2]).abs() + (b[2] * c[0]).abs())
            + a[2].abs() * ((b[0] * c[1]).abs() + (b[1] * c[0]).abs());
        det.abs() <= NEAR_TIE * perm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64) / ((1u64 << 53) as f64)
    }

    fn check_delaunay<const D: usize>(points: &[f64], s: &Simplices) {
        let pts: Vec<[f64; 3]> =
            points.chunks_exact(D).map(|c| if D == 2 { [c[0], c[1], 0.0] } else { [c[0], c[1], c[2]] }).collect();
        for simplex in s.simplices.chunks_exact(D + 1) {
            let mut cell = [0u32; 4];
            cell[..=D].copy_from_slice(simplex);
            let e = Engine::<D>::default();
            let v = |k: usize| &pts[cell[k] as usize];
            let o = if D == 2 { orient2(v(0), v(1), v(2)) } else { orient3(v(0), v(1), v(2), v(3)) };
            assert!(o > 0.0, "negatively oriented simplex");
            let mut eng = e;
            eng.pts = pts.clone();
            for (i, p) in pts.iter().enumerate() {
                if !simplex.contains(&(i as u32)) {
                    assert!(eng.in_sphere(&cell, p) <= 0.0, "point {i} inside the circumsphere of {simplex:?}");
                }
            }
        }
    }

    #[test]
    fn random_2d_is_delaunay_and_tiles_the_hull() {
        let mut seed = 7;
        let pts: Vec<f64> = (0..2 * 300).map(|_| lcg(&mut seed)).collect();
        let mut e = Engine::<2>::default();
        let mut s = Simplices::default();
        e.triangulate(&pts, &mut s).unwrap();
        check_delaunay::<2>(&pts, &s);
        // Euler: triangles = 2n - 2 - h for points in general position.
        assert_eq!(s.simplices.len() / 3, 2 * 300 - 2 - s.hull_vertices.len());
    }

    #[test]
    fn random_3d_is_delaunay() {
        let mut seed = 11;
        let pts: Vec<f64> = (0..3 * 200).map(|_| lcg(&mut seed) * 2.0 - 1.0).collect();
        let mut e = Engine::<3>::default();
        let mut s = Simplices::default();
        e.triangulate(&pts, &mut s).unwrap();
        check_delaunay::<3>(&pts, &s);
        // Total volume equals the unit-free hull volume computed by Qhull.
        let vol: f64 = s
            .simplices
            .chunks_exact(4)
            .map(|t| {
                let p = |k: usize| &pts[3 * t[k] as usize..3 * t[k] as usize + 3];
                let (a, b, c, d) = (p(0), p(1), p(2), p(3));
                let u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
                let v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
                let w = [d[0] - a[0], d[1] - a[1], d[2] - a[2]];
                (u[0] * (v[1] * w[2] - v[2] * w[1]) - u[1] * (v[0] * w[2] - v[2] * w[0])
                    + u[2] * (v[0] * w[1] - v[1] * w[0]))
                    .abs()
                    / 6.0
            })
            .sum();
        let hull = crate::qhull::hull_volume(&pts, 3).unwrap();
        assert!((vol - hull).abs() < 1e-12 * hull, "{vol} vs {hull}");
    }

    #[test]
    fn grid_is_a_tie_and_duplicates_are_skipped() {
        let mut grid = Vec::new();
        for i in 0..5 {
            for j in 0..5 {
                grid.extend_from_slice(&[i as f64, j as f64]);
            }
        }
        let mut e = Engine::<2>::default();
        let mut s = Simplices::default();
        assert!(matches!(e.triangulate(&grid, &mut s), Err(Decline::Tie(_))));
        let mut seed = 3;
        let mut pts: Vec<f64> = (0..2 * 50).map(|_| lcg(&mut seed)).collect();
        let copy = pts.clone();
        pts.extend_from_slice(&copy);
        e.triangulate(&pts, &mut s).unwrap();
        let mut s1 = Simplices::default();
        e.triangulate(&copy, &mut s1).unwrap();
        assert_eq!(s.simplices.len(), s1.simplices.len());
    }

    #[test]
    fn flat_inputs_are_degenerate() {
        let line: Vec<f64> = (0..50)
            .flat_map(|i| {
                let x = -1.0 + 2.0 * i as f64 / 49.0;
                [x, 2.0 * x + 1.0]
            })
            .collect();
        let mut s = Simplices::default();
        assert!(matches!(Engine::<2>::default().triangulate(&line, &mut s), Err(Decline::Degenerate(_))));
        let plane: Vec<f64> = (0..40)
            .flat_map(|i| {
                let (x, y) = ((i as f64 * 0.7).sin(), (i as f64 * 1.9).cos());
                [x, y, 0.5 * x - 0.2 * y + 1.0]
            })
            .collect();
        assert!(matches!(Engine::<3>::default().triangulate(&plane, &mut s), Err(Decline::Degenerate(_))));
        assert!(matches!(
            Engine::<3>::default().triangulate(&[1.0, 2.0, 3.0].repeat(10), &mut s),
            Err(Decline::Degenerate(_))
        ));
    }
}
