//! Convex-hull volume in 3-D by quickhull, for the normalization constants. Faster than a Qhull
//! call for the few hundred points a `convexhull_rot4` constant needs. Visibility uses each
//! facet's plane with a small tolerance (a point within it counts as on the hull, which leaves the
//! volume unchanged to rounding); if the structure ever becomes inconsistent, or the points are
//! flat, the functions return `None` and the caller asks Qhull.
//!
//! Layout: the facets live in one `Vec` of 64-byte records, and the slots of replaced facets are
//! reused. A facet's neighbour across an edge is stored with the matching edge index of the
//! neighbour ("twin"), so re-linking is O(1). The points outside a facet form a singly linked list
//! through one per-point `next` array, so no facet owns a heap allocation. The visibility search
//! classifies neighbours into fixed-size buffers by index arithmetic, and the new facets of a cone
//! are linked through a per-vertex table. All buffers live in a thread-local workspace that is
//! reused across calls.
//!
//! Four-fold symmetry ([`hull_volume_rot4`]): the points come as groups of four copies rotated by
//! 0°, 90°, 180° and 270° about the z axis, so the hull is symmetric too, and the construction
//! keeps it so: every facet has its three rotated copies, and a point's copies lie outside the
//! copies of its facet. A point found inside the hull takes its three copies with it. When the
//! visible regions of an apex and of its three copies are disjoint and share no edge, inserting
//! the four apexes one after the other gives the four rotated copies of one cone, so one
//! visibility search and one round of point tests are done and the other three cones are written
//! as rotated copies. Rotating by 90° only swaps and negates coordinates, so every plane, height
//! and comparison of a copy is bitwise that of the original. When the regions do interfere (rare
//! but for the first few apexes), the four apexes are inserted one by one and the new facets are
//! paired up with their rotated copies again; should that fail, the run goes on as a plain
//! quickhull. The symmetric start is the hull of the top and bottom points' copies and of the two
//! points where the z axis leaves the hull ((0, 0, max z) and (0, 0, min z), on the hull because it
//! contains the average of any point's four copies), with the flat top and bottom faces fanned
//! around those axis points (no point lies above them, so the fans never change).

use crate::predicates::{orient3d, P3};
use std::cell::RefCell;

/// No point.
const NONE: u32 = u32::MAX;

/// `Facet::visit` of a free slot (a facet that has been replaced).
const DEAD: u32 = u32::MAX;

/// Visibility tolerance relative to the scale: a point is outside a facet when its distance from
/// the facet's plane exceeds `TOL × max |coordinate|`.
const TOL: f64 = 1e-12;

/// Facet slots are numbered below this bound, so that slot × 4 + edge fits in a `u32`.
const MAX_FACETS: usize = 1 << 29;

/// Inputs from this many points on are declined.
const MAX_POINTS: usize = 1 << 26;

/// The next edge index: edge i runs from `v[i]` to `v[NEXT[i]]`.
const NEXT: [usize; 3] = [1, 2, 0];

/// One triangle of the hull under construction (one cache line).
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
struct Facet {
    /// Unit outward normal; outside ⇔ normal · p − offset > tolerance.
    normal: P3,
    /// Offset of the plane: normal · a for the first vertex a.
    offset: f64,
    /// Vertices, counter-clockwise seen from outside.
    v: [u32; 3],
    /// Across edge i = (`v[i]`, `v[i+1]`): neighbour slot × 4 + the index of the same edge in it.
    n: [u32; 3],
    /// First of the points outside this facet and not yet on the hull (the list continues through
    /// `Workspace::next`), or `NONE`.
    head: u32,
    /// Stamp of the last visibility search that found this facet visible, or `DEAD`.
    visit: u32,
}

impl Facet {
    /// A dead facet on vertex 0 (a placeholder for a slot about to be written; slot 0).
    const PLACEHOLDER: Facet = Facet { normal: [0.0; 3], offset: 0.0, v: [0; 3], n: [0; 3], head: NONE, visit: DEAD };

    /// The facet on vertices `v` with twins `n`, with an empty outside list.
    #[inline(always)]
    fn new(v: [u32; 3], n: [u32; 3], points: &[P3]) -> Self {
        let (a, b, c) = (points[v[0] as usize], points[v[1] as usize], points[v[2] as usize]);
        let (u, w) = ([b[0] - a[0], b[1] - a[1], b[2] - a[2]], [c[0] - a[0], c[1] - a[1], c[2] - a[2]]);
        let cross = [u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]];
        let inv = 1.0 / (cross[0] * cross[0] + cross[1] * cross[1] + cross[2] * cross[2]).sqrt();
        let normal = [cross[0] * inv, cross[1] * inv, cross[2] * inv];
        let offset = normal[0] * a[0] + normal[1] * a[1] + normal[2] * a[2];
        Facet { normal, offset, v, n, head: NONE, visit: 0 }
    }

    /// Signed distance of `p` from the facet's plane.
    #[inline(always)]
    fn height(&self, p: &P3) -> f64 {
        self.normal[0] * p[0] + self.normal[1] * p[1] + self.normal[2] * p[2] - self.offset
    }
}

/// `p` rotated by `k` × 90° about the z axis (exact).
#[inline(always)]
fn rotate(p: P3, k: u32) -> P3 {
    let [x, y, z] = p;
    match k & 3 {
        0 => [x, y, z],
        1 => [-y, x, z],
        2 => [-x, -y, z],
        _ => [y, -x, z],
    }
}

/// The index of the copy of point `q` rotated by `k` × 90°, for points stored in groups of four
/// rotated copies below `n4` (the points from `n4` on lie on the axis).
#[inline(always)]
fn rotate_index(q: u32, k: u32, n4: u32) -> u32 {
    if q >= n4 {
        q
    } else {
        (q & !3) | (q.wrapping_add(k) & 3)
    }
}

/// `x · 2^k`, exact unless the result over- or underflows.
fn mul_pow2(mut x: f64, mut k: i32) -> f64 {
    let step = |e: i32| f64::from_bits(((e + 1023) as u64) << 52);
    while k > 1000 {
        x *= step(1000);
        k -= 1000;
    }
    while k < -1000 {
        x *= step(-1000);
        k += 1000;
    }
    x * step(k)
}

/// The largest |coordinate| and the power of two by which to divide the points first (0 unless
/// their magnitudes are extreme); `None` if a coordinate is not finite or all are zero.
fn scale_of(points: &[P3]) -> Option<(f64, i32)> {
    // max |c| by the bit patterns (ordered like the values for non-negative floats); any infinity
    // or NaN shows as an all-ones exponent.
    let scale = f64::from_bits(points.iter().flatten().fold(0u64, |m, c| m.max(c.to_bits() & !(1 << 63))));
    if !scale.is_finite() || scale == 0.0 {
        return None;
    }
    let k = scale.log2().floor() as i32;
    Some((scale, if k.abs() <= 64 { 0 } else { k }))
}

/// Four points spanning a tetrahedron of non-zero volume (exact sign), chosen as extremes: the
/// leftmost point, the point farthest from it, the point farthest from their line and the point
/// farthest from the plane of the three. `None` if the points are coplanar.
fn initial_tetrahedron(points: &[P3]) -> Option<[u32; 4]> {
    let n = points.len();
    let d2 = |a: &P3, b: &P3| (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2);
    let i0 = (0..n).min_by(|&a, &b| points[a][0].total_cmp(&points[b][0]))?;
    let i1 = (0..n).max_by(|&a, &b| d2(&points[a], &points[i0]).total_cmp(&d2(&points[b], &points[i0])))?;
    let (p0, p1) = (points[i0], points[i1]);
    let u = [p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]];
    let cross = |p: &P3| {
        let w = [p[0] - p0[0], p[1] - p0[1], p[2] - p0[2]];
        [u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]]
    };
    let norm2 = |c: P3| c[0] * c[0] + c[1] * c[1] + c[2] * c[2];
    let i2 = (0..n).max_by(|&a, &b| norm2(cross(&points[a])).total_cmp(&norm2(cross(&points[b]))))?;
    // Farthest from the plane by the rounded determinant; the sign test below is exact.
    let c = cross(&points[i2]);
    let height = |p: &P3| (c[0] * (p[0] - p0[0]) + c[1] * (p[1] - p0[1]) + c[2] * (p[2] - p0[2])).abs();
    let i3 = (0..n).max_by(|&a, &b| height(&points[a]).total_cmp(&height(&points[b])))?;
    if orient3d(&p0, &p1, &points[i2], &points[i3]) == 0.0 {
        return None;
    }
    Some([i0 as u32, i1 as u32, i2 as u32, i3 as u32])
}

/// Reusable buffers of the quickhull.
#[derive(Default)]
struct Workspace {
    /// Facet slots (slot 0 is never a facet); the hull is the live ones.
    facets: Vec<Facet>,
    /// Per slot, while the hull is built symmetrically: the slot of the facet rotated by 90°.
    rot: Vec<u32>,
    /// Free (`DEAD`) slots.
    free: Vec<u32>,
    /// Per point: the next point on the same facet's outside list, or `NONE`.
    next: Vec<u32>,
    /// Per point: the slot whose outside list it was last put on.
    owner: Vec<u32>,
    /// Per point: a stamp, for checking the horizon and counting the hull's vertices.
    mark: Vec<u32>,
    /// Per point: the position in the horizon of the edge that begins there (valid if marked).
    start: Vec<u32>,
    /// Facets that may still have outside points (stale entries are skipped); while the hull is
    /// built symmetrically, one facet of each rotated four. The first `top` entries are live.
    stack: Vec<u32>,
    /// Scratch: the facets visible from the current apex.
    visible: Vec<u32>,
    /// Scratch: horizon edges (visible facet × 4 + edge index) of the current apex.
    horizon: Vec<u32>,
    /// The new facets, one per horizon edge, followed by their rotated copies if any.
    cone: Vec<u32>,
    /// Per new facet: the position of the new facet after it around the apex.
    succ: Vec<u32>,
    /// The facets made while an apex's copies are inserted one by one.
    fresh: Vec<u32>,
    /// Scratch: (point, slot) pairs.
    pairs: Vec<(u32, u32)>,
    /// Points i and j are copies of each other under the symmetry when i >> shift == j >> shift
    /// (shift 0: no symmetry).
    shift: u32,
    /// Per group of copies: found inside the hull.
    gone: Vec<bool>,
    /// The input rotated and/or rescaled by a power of two.
    points: Vec<P3>,
    /// Apexes inserted together with their copies in the last run (for the tests).
    symmetric_steps: usize,
    /// Apexes whose copies were inserted one by one in the last run (for the tests).
    copy_conflicts: usize,
    /// Check the outside lists after every step (tests only).
    #[cfg(test)]
    checks: bool,
}

thread_local! {
    /// This thread's quickhull buffers.
    static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace::default());
}

/// Runs `f` on this thread's workspace (or on a fresh one if it is in use).
fn with_workspace<T>(f: impl FnOnce(&mut Workspace) -> T) -> T {
    WORKSPACE.with(|w| match w.try_borrow_mut() {
        Ok(mut ws) => f(&mut ws),
        Err(_) => f(&mut Workspace::default()),
    })
}

/// Volume of the convex hull of `points`, or `None` if they are (nearly) coplanar, not finite, or
/// the construction became inconsistent.
#[cfg(test)]
pub(crate) fn hull_volume_3d(points: &[P3]) -> Option<f64> {
    with_workspace(|ws| ws.volume(points))
}

/// Volume of the convex hull of `base` and its copies rotated by 90°, 180° and 270° about the z
/// axis ((x, y, z) → (−y, x, z), (−x, −y, z), (y, −x, z)), or `None` if they are (nearly)
/// coplanar, not finite, or the construction became inconsistent (the caller then asks Qhull).
pub(crate) fn hull_volume_rot4(base: &[P3]) -> Option<f64> {
    with_workspace(|ws| ws.volume_rot4(base))
}

impl Workspace {
    /// The hull volume of `input`, moved so that its bounding box is centred on the origin (so that
    /// the tolerance follows the extent of the points, not their distance from the origin), and
    /// rescaled by a power of two (exactly) if the magnitudes are extreme.
    #[cfg(test)]
    fn volume(&mut self, input: &[P3]) -> Option<f64> {
        if input.len() < 4 || input.len() >= MAX_POINTS {
            return None;
        }
        scale_of(input)?;
        let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
        for p in input {
            for i in 0..3 {
                (lo[i], hi[i]) = (lo[i].min(p[i]), hi[i].max(p[i]));
            }
        }
        let centre = [0, 1, 2].map(|i| 0.5 * lo[i] + 0.5 * hi[i]);
        let mut pts = std::mem::take(&mut self.points);
        pts.clear();
        pts.extend(input.iter().map(|p| [p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]]));
        self.shift = 0;
        let volume = self.scaled_run(&mut pts, false, |ws, pts, scale| ws.build(pts, scale));
        self.points = pts;
        volume
    }

    /// The hull volume of `base` and its rotated copies, moved along the axis so that the z range
    /// is centred on 0 (and rescaled by a power of two if the magnitudes are extreme); built
    /// symmetrically, or as a plain quickhull if the symmetric start is degenerate (the top or
    /// bottom points on the axis) or the symmetric run fails.
    fn volume_rot4(&mut self, base: &[P3]) -> Option<f64> {
        if base.is_empty() || base.len() >= MAX_POINTS / 4 {
            return None;
        }
        scale_of(base)?;
        let (lo, hi) = base.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p[2]), hi.max(p[2])));
        let cz = 0.5 * lo + 0.5 * hi;
        let mut pts = std::mem::take(&mut self.points);
        pts.clear();
        for p in base {
            pts.extend((0..4).map(|r| rotate([p[0], p[1], p[2] - cz], r)));
        }
        self.shift = 2;
        let volume = self.scaled_run(&mut pts, true, |ws, pts, scale| {
            ws.build_symmetric(pts, scale).or_else(|| ws.build(&pts[..pts.len() - 2], scale))
        });
        self.points = pts;
        volume
    }

    /// Rescales `pts` by a power of two if their magnitudes are extreme, appends the points where
    /// the z axis leaves their hull if `axis`, runs `build` with the largest |coordinate|, and
    /// scales the volume back; `None` unless it is finite and positive.
    fn scaled_run(
        &mut self,
        pts: &mut Vec<P3>,
        axis: bool,
        build: impl FnOnce(&mut Self, &[P3], f64) -> Option<f64>,
    ) -> Option<f64> {
        let (scale, k) = scale_of(pts)?;
        if k != 0 {
            pts.iter_mut().for_each(|p| *p = p.map(|c| mul_pow2(c, -k)));
        }
        if axis {
            // Where the z axis leaves the hull (the average of a point's four copies lies on the
            // axis at its height), for fanning the top and bottom faces.
            let (lo, hi) =
                pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p[2]), hi.max(p[2])));
            pts.extend([[0.0, 0.0, hi], [0.0, 0.0, lo]]);
        }
        let volume = mul_pow2(build(self, pts, mul_pow2(scale, -k))?, 3 * k);
        (volume.is_finite() && volume > 0.0).then_some(volume)
    }

    /// Quickhull of `pts` (max |coordinate| = `scale`) from a tetrahedron; returns the volume.
    fn build(&mut self, pts: &[P3], scale: f64) -> Option<f64> {
        let tol = TOL * scale;
        let tet = initial_tetrahedron(pts)?;
        let top = self.init(pts, tol, tet)?;
        let stamp = self.run(pts, tol, top, false)?;
        let mut centre = [0.0; 3];
        for &i in &tet {
            for (ck, pk) in centre.iter_mut().zip(pts[i as usize]) {
                *ck += pk / 4.0;
            }
        }
        self.finish(pts, centre, stamp + 1)
    }

    /// Quickhull of the rotated groups of four in `pts`, followed by the top and bottom axis points,
    /// started from a symmetric polytope; `None` if that start is degenerate or the construction
    /// failed.
    fn build_symmetric(&mut self, pts: &[P3], scale: f64) -> Option<f64> {
        let tol = TOL * scale;
        let (top, centre) = self.init_symmetric(pts, tol)?;
        let stamp = self.run(pts, tol, top, true)?;
        self.finish(pts, centre, stamp + 1)
    }

    /// Resets the per-point and per-slot buffers for `n` points.
    fn reset(&mut self, n: usize) {
        let Workspace { facets, rot, free, next, owner, mark, start, stack, gone, shift, .. } = self;
        owner.clear();
        owner.resize(n, 0);
        facets.clear();
        facets.push(Facet::PLACEHOLDER);
        rot.clear();
        free.clear();
        next.clear();
        next.resize(n, NONE);
        mark.clear();
        mark.resize(n, 0);
        start.clear();
        start.resize(n, 0);
        stack.clear();
        gone.clear();
        gone.resize((n >> *shift) + 1, false);
        self.symmetric_steps = 0;
        self.copy_conflicts = 0;
    }

    /// The initial tetrahedron's facets (slots 1 to 4), and the other points' assignment to them;
    /// returns the stack's height.
    fn init(&mut self, pts: &[P3], tol: f64, tet: [u32; 4]) -> Option<usize> {
        self.reset(pts.len());
        let Workspace { facets, next, owner, stack, .. } = self;
        for skip in 0..4 {
            let mut v = [0u32; 3];
            let mut m = 0;
            for (j, &t) in tet.iter().enumerate() {
                if j != skip {
                    v[m] = t;
                    m += 1;
                }
            }
            let (a, b, c) = (&pts[v[0] as usize], &pts[v[1] as usize], &pts[v[2] as usize]);
            if orient3d(a, b, c, &pts[tet[skip] as usize]) < 0.0 {
                v.swap(1, 2);
            }
            facets.push(Facet::new(v, [0; 3], pts));
        }
        link_twins(&mut facets[1..5], 1)?;
        // Each point goes to the facet it is highest above, if any.
        for (i, p) in pts.iter().enumerate() {
            if tet.contains(&(i as u32)) {
                continue;
            }
            let (mut best, mut to) = (tol, 0);
            for (f, fc) in facets.iter().enumerate().skip(1) {
                let h = fc.height(p);
                let better = h > best;
                best = if better { h } else { best };
                to = if better { f } else { to };
            }
            if to != 0 {
                next[i] = facets[to].head;
                facets[to].head = i as u32;
                owner[i] = to as u32;
            }
        }
        stack.extend((1..5).filter(|&f| facets[f].head != NONE).map(|f| f as u32));
        Some(stack.len())
    }

    /// The symmetric start (see the module docs) in slots 1 to 16, four rotated copies of four
    /// triangles: the fans of the top and bottom faces and the band between them; and the other
    /// points' assignment to them. Returns the stack's height and an interior point; `None` if the
    /// start is degenerate.
    fn init_symmetric(&mut self, pts: &[P3], tol: f64) -> Option<(usize, P3)> {
        let n = pts.len();
        let n4 = n - 2;
        let (top_axis, bottom_axis) = (n4 as u32, n4 as u32 + 1);
        let (zmax, zmin) = (pts[n4][2], pts[n4 + 1][2]);
        if zmax.partial_cmp(&zmin) != Some(std::cmp::Ordering::Greater) {
            return None;
        }
        // The top and bottom points farthest from the axis: corners of the top and bottom faces.
        let r2 = |i: &usize| pts[*i][0] * pts[*i][0] + pts[*i][1] * pts[*i][1];
        let corner = |z: f64| (0..n4).step_by(4).filter(|&i| pts[i][2] == z).max_by(|a, b| r2(a).total_cmp(&r2(b)));
        let (it, ib) = (corner(zmax)?, corner(zmin)?);
        if r2(&it) == 0.0 || r2(&ib) == 0.0 {
            return None;
        }
        let t = |k: usize| (it + k % 4) as u32;
        let b = |k: usize| (ib + k % 4) as u32;
        // The band pairs the top edge (t0, t1) with the bottom corner in the quarter turn from t0
        // (inclusive) to t1.
        let turn = |p: &P3, q: &P3| {
            robust::orient2d(
                robust::Coord { x: 0.0, y: 0.0 },
                robust::Coord { x: p[0], y: p[1] },
                robust::Coord { x: q[0], y: q[1] },
            )
        };
        let (t0, t1) = (&pts[t(0) as usize], &pts[t(1) as usize]);
        let j0 = (0..4).find(|&j| turn(t0, &pts[b(j) as usize]) >= 0.0 && turn(&pts[b(j) as usize], t1) > 0.0)?;
        self.reset(n);
        let Workspace { facets, rot, next, owner, stack, gone, .. } = self;
        rot.push(0);
        for kind in 0..4 {
            for k in 0..4 {
                let v = match kind {
                    0 => [top_axis, t(k), t(k + 1)],
                    1 => [bottom_axis, b(k + 1), b(k)],
                    2 => [t(k + 1), t(k), b(j0 + k)],
                    _ => [t(k + 1), b(j0 + k), b(j0 + k + 1)],
                };
                facets.push(Facet::new(v, [0; 3], pts));
                rot.push((1 + 4 * kind + (k + 1) % 4) as u32);
            }
        }
        link_twins(&mut facets[1..17], 1)?;
        // Each triangle must be a proper facet with all corners below or on it.
        let corners = [top_axis, bottom_axis, t(0), t(1), t(2), t(3), b(0), b(1), b(2), b(3)];
        for f in facets[1..17].iter().step_by(4) {
            if !f.offset.is_finite() || corners.iter().any(|&c| f.height(&pts[c as usize]) > tol) {
                return None;
            }
        }
        // Each group of copies goes where its first copy is highest above, rotated.
        for i in (0..n4).step_by(4) {
            if i == it || i == ib {
                continue;
            }
            let (mut best, mut to) = (tol, 0);
            for (f, fc) in facets.iter().enumerate().skip(1) {
                let h = fc.height(&pts[i]);
                let better = h > best;
                best = if better { h } else { best };
                to = if better { f } else { to };
            }
            if to == 0 {
                gone[i >> 2] = true;
                continue;
            }
            for k in 0..4 {
                next[i + k] = facets[to].head;
                facets[to].head = (i + k) as u32;
                owner[i + k] = to as u32;
                to = rot[to] as usize;
            }
        }
        stack.extend([1u32, 5, 9, 13].into_iter().filter(|&f| facets[f as usize].head != NONE));
        Some((stack.len(), [0.0, 0.0, 0.5 * zmax + 0.5 * zmin]))
    }

    /// The main loop: while a facet has outside points, its farthest one becomes a vertex. With
    /// `sym`, the apex's three copies are inserted with it while their visible regions stay apart.
    /// Returns the last stamp used.
    fn run(&mut self, pts: &[P3], tol: f64, mut top: usize, mut sym: bool) -> Option<u32> {
        let n = pts.len();
        let n4 = (n & !3) as u32;
        let mut stamp = 0u32;
        let mut guard = 0usize;
        while top > 0 {
            top -= 1;
            let f = self.stack[top];
            guard += 1;
            if guard > 64 * n + 1024 {
                return None;
            }
            let fc = &self.facets[f as usize];
            if fc.visit == DEAD || fc.head == NONE {
                continue;
            }
            // The farthest outside point not known to be inside becomes a hull vertex.
            let (mut apex, mut q, mut best, mut len) = (fc.head, fc.head, f64::NEG_INFINITY, 0);
            while q != NONE && len <= n {
                let h =
                    if self.gone[(q >> self.shift) as usize] { f64::NEG_INFINITY } else { fc.height(&pts[q as usize]) };
                let better = h > best;
                best = if better { h } else { best };
                apex = if better { q } else { apex };
                q = self.next[q as usize];
                len += 1;
            }
            if len > n {
                return None;
            }
            if best <= tol {
                // Nothing left above the facet by more than the tolerance: on the hull.
                self.facets[f as usize].head = NONE;
                continue;
            }
            stamp += 1;
            let (nv, nh) = self.find_horizon(f, &pts[apex as usize], tol, stamp)?;
            if sym && !self.apart(nv, nh, stamp) {
                // The copies interfere: insert them one by one, then recover the symmetry.
                top = self.insert_copies(apex, pts, tol, &mut stamp, (nv, nh), top, n4)?;
                self.copy_conflicts += 1;
                stamp += 1;
                match self.resymmetrize(top, n4, stamp) {
                    Some(t) => {
                        top = t;
                        #[cfg(test)]
                        self.check_lists(true, n4);
                    }
                    None => {
                        // From here on a plain quickhull: every facet with outside points is stacked.
                        sym = false;
                        let Workspace { facets, stack, .. } = self;
                        stack.clear();
                        stack.extend(
                            (1..facets.len())
                                .filter(|&g| facets[g].visit != DEAD && facets[g].head != NONE)
                                .map(|g| g as u32),
                        );
                        top = stack.len();
                    }
                }
                continue;
            }
            self.make_cone(apex, pts, stamp, nh)?;
            if sym {
                self.mirror_cone(nh, n4)?;
                self.symmetric_steps += 1;
            }
            top = self.reassign(pts, tol, top, nv, nh, apex, sym, n4)?;
            #[cfg(test)]
            self.check_lists(sym, n4);
        }
        Some(stamp)
    }

    /// Inserts the apex (whose visible region, of `nv` facets and `nh` horizon edges, was just
    /// found) and then its three copies one by one, as in a plain quickhull; the new facets go to
    /// `fresh`. Returns the stack's height.
    #[allow(clippy::too_many_arguments)]
    fn insert_copies(
        &mut self,
        apex: u32,
        pts: &[P3],
        tol: f64,
        stamp: &mut u32,
        (nv, nh): (usize, usize),
        mut top: usize,
        n4: u32,
    ) -> Option<usize> {
        self.fresh.clear();
        let (mut nv, mut nh, mut a) = (nv, nh, apex);
        for k in 0..4 {
            if k > 0 {
                // The copy's facet must still be live and below it.
                a = rotate_index(apex, k, n4);
                let s = self.owner[a as usize];
                if self.gone[(a >> self.shift) as usize]
                    || !self.facets.get(s as usize).is_some_and(|g| g.visit != DEAD && g.height(&pts[a as usize]) > tol)
                {
                    continue;
                }
                *stamp += 1;
                (nv, nh) = self.find_horizon(s, &pts[a as usize], tol, *stamp)?;
            }
            self.make_cone(a, pts, *stamp, nh)?;
            let Workspace { fresh, cone, .. } = self;
            fresh.extend_from_slice(&cone[..nh]);
            top = self.reassign(pts, tol, top, nv, nh, a, false, n4)?;
        }
        Some(top)
    }

    /// After an apex's copies were inserted one by one: groups the new facets into rotated fours
    /// (aligning the vertex order and plane of each to the rotated first of its four), checks
    /// that every live facet's rotation is its rotated copy, and puts the outside points of the
    /// new facets in rotated order again. Returns the stack's height, or `None` if the hull did not
    /// come out symmetric.
    fn resymmetrize(&mut self, mut top: usize, n4: u32, stamp: u32) -> Option<usize> {
        let Workspace { facets, rot, fresh, next, owner, mark, stack, pairs, cone, gone, shift, .. } = self;
        // A slot may have been freed and reused during the insertions: list each live one once.
        fresh.sort_unstable();
        fresh.dedup();
        fresh.retain(|&g| facets[g as usize].visit != DEAD);
        if fresh.len() % 4 != 0 {
            return None;
        }
        rot.resize(facets.len(), 0);
        for &g in fresh.iter() {
            rot[g as usize] = NONE;
        }
        // `cone` collects the first facet of each four.
        cone.clear();
        for i in 0..fresh.len() {
            let f = fresh[i] as usize;
            if rot[f] != NONE {
                continue;
            }
            cone.push(f as u32);
            let (v, normal, offset) = (facets[f].v, facets[f].normal, facets[f].offset);
            let mut prev = f;
            for k in 1..4u32 {
                let want = v.map(|x| rotate_index(x, k, n4));
                let (g, s) = fresh.iter().find_map(|&g| {
                    let gv = facets[g as usize].v;
                    let open = g as usize != f && rot[g as usize] == NONE;
                    (0..3).find(|&s| open && (0..3).all(|i| gv[(i + s) % 3] == want[i])).map(|s| (g as usize, s))
                })?;
                if s != 0 {
                    let (gv, gn) = (facets[g].v, facets[g].n);
                    let order = [s, (s + 1) % 3, (s + 2) % 3];
                    facets[g].v = order.map(|i| gv[i]);
                    facets[g].n = order.map(|i| gn[i]);
                    for (e, t) in facets[g].n.into_iter().enumerate() {
                        *twin_mut(facets, t)? = (g * 4 + e) as u32;
                    }
                }
                facets[g].normal = rotate(normal, k);
                facets[g].offset = offset;
                rot[prev] = g as u32;
                prev = g;
            }
            rot[prev] = f as u32;
        }
        // Every live facet's rotation: live, on the rotated vertices, with the rotated neighbours.
        for f in 1..facets.len() {
            let fc = facets[f];
            if fc.visit == DEAD {
                continue;
            }
            let r = facets.get(rot[f] as usize)?;
            if r.visit == DEAD || r.v != fc.v.map(|x| rotate_index(x, 1, n4)) {
                return None;
            }
            for e in 0..3 {
                let (x, ex) = ((fc.n[e] >> 2) as usize, fc.n[e] & 3);
                if r.n[e] != rot.get(x)? * 4 + ex {
                    return None;
                }
            }
        }
        // The new facets' outside points: each once, and with every copy of its group among them
        // (groups found inside meanwhile are dropped).
        pairs.clear();
        for &f in fresh.iter() {
            let mut q = facets[f as usize].head;
            while q != NONE {
                if mark[q as usize] == stamp {
                    return None;
                }
                mark[q as usize] = stamp;
                if q & 3 == 0 && !gone[(q >> *shift) as usize] {
                    pairs.push((q, f));
                }
                q = next[q as usize];
            }
        }
        for &f in fresh.iter() {
            let mut q = facets[f as usize].head;
            while q != NONE {
                if !gone[(q >> *shift) as usize] && (0..4).any(|k| mark[((q & !3) | k) as usize] != stamp) {
                    return None;
                }
                q = next[q as usize];
            }
        }
        for &f in fresh.iter() {
            facets[f as usize].head = NONE;
        }
        for &(q, f) in pairs.iter() {
            let mut g = f as usize;
            for k in 0..4 {
                let qk = rotate_index(q, k, n4);
                next[qk as usize] = facets[g].head;
                facets[g].head = qk;
                owner[qk as usize] = g as u32;
                g = rot[g] as usize;
            }
        }
        if stack.len() < top + cone.len() {
            stack.resize(top + cone.len(), 0);
        }
        for &f in cone.iter() {
            stack[top] = f;
            top += (facets[f as usize].head != NONE) as usize;
        }
        Some(top)
    }

    /// With `checks` on, panics unless every point is on at most one live facet's outside list
    /// and (with `sym`) its rotated copy is on the rotated facet's list.
    #[cfg(test)]
    fn check_lists(&self, sym: bool, n4: u32) {
        if !self.checks {
            return;
        }
        let mut on = vec![NONE; self.next.len()];
        for (f, fc) in self.facets.iter().enumerate().skip(1).filter(|(_, fc)| fc.visit != DEAD) {
            let mut q = fc.head;
            while q != NONE {
                assert_eq!(on[q as usize], NONE, "point {q} on the lists of {} and {f}", on[q as usize]);
                on[q as usize] = f as u32;
                q = self.next[q as usize];
            }
        }
        if sym {
            for (q, &f) in on.iter().enumerate() {
                if f != NONE && !self.gone[q >> self.shift] {
                    let r = rotate_index(q as u32, 1, n4) as usize;
                    assert_eq!(on[r], self.rot[f as usize], "point {q} on {f}, its copy {r} on {}", on[r]);
                }
            }
        }
    }

    /// Collects the facets visible from `p` (connected to facet `f`, which sees it) into
    /// `visible`, and the edges between them and the rest into `horizon`, and returns their
    /// numbers. Breadth-first; each neighbour's class is written by index arithmetic.
    fn find_horizon(&mut self, f: u32, p: &P3, tol: f64, stamp: u32) -> Option<(usize, usize)> {
        let Workspace { facets, visible, horizon, .. } = self;
        let slots = facets.len();
        if visible.len() <= slots {
            visible.resize(slots + 1, 0);
            horizon.resize(3 * slots + 1, 0);
        }
        facets[f as usize].visit = stamp;
        visible[0] = f;
        let (mut nv, mut nh, mut i) = (1usize, 0usize, 0usize);
        while i < nv {
            let g = visible[i];
            i += 1;
            let around = facets[g as usize].n;
            for (e, &twin) in around.iter().enumerate() {
                let h = twin >> 2;
                let hf = facets.get_mut(h as usize)?;
                if hf.visit == DEAD {
                    return None;
                }
                let seen = hf.visit == stamp;
                let sees = (hf.height(p) > tol) & !seen;
                hf.visit = if sees { stamp } else { hf.visit };
                visible[nv] = h;
                nv += sees as usize;
                horizon[nh] = g * 4 + e as u32;
                nh += (!sees & !seen) as usize;
            }
        }
        Some((nv, nh))
    }

    /// Whether the visible region (stamped `stamp`) and its three rotated copies are disjoint and
    /// share no edge: then the four apexes can be inserted as rotated copies of one cone.
    fn apart(&self, nv: usize, nh: usize, stamp: u32) -> bool {
        let Workspace { facets, rot, visible, horizon, .. } = self;
        let copies_unstamped = |g: u32| {
            let mut r = g as usize;
            (0..3).all(|_| {
                r = rot.get(r).map_or(0, |&x| x as usize);
                r != 0 && facets.get(r).is_some_and(|h| h.visit != stamp)
            })
        };
        visible[..nv].iter().all(|&g| copies_unstamped(g))
            && horizon[..nh]
                .iter()
                .all(|&code| copies_unstamped(facets[(code >> 2) as usize].n[(code & 3) as usize] >> 2))
    }

    /// One new facet (a, b, apex) per horizon edge (a, b), linked to the facet across (a, b) and to
    /// the new facets on the neighbouring horizon edges; their slots go to `cone`. `None` unless
    /// the horizon is one simple cycle.
    fn make_cone(&mut self, apex: u32, pts: &[P3], stamp: u32, nh: usize) -> Option<()> {
        let Workspace { facets, free, mark, start, horizon, cone, succ, .. } = self;
        if nh < 3 || facets.len() + 4 * nh >= MAX_FACETS {
            return None;
        }
        let horizon = &horizon[..nh];
        // Each vertex begins at most one horizon edge, each edge ends where another begins, ...
        let mut bad = false;
        for (j, &code) in horizon.iter().enumerate() {
            let a = facets[(code >> 2) as usize].v[(code & 3) as usize] as usize;
            bad |= mark[a] == stamp;
            mark[a] = stamp;
            start[a] = j as u32;
        }
        succ.clear();
        for &code in horizon {
            let b = facets[(code >> 2) as usize].v[NEXT[(code & 3) as usize]] as usize;
            bad |= mark[b] != stamp;
            succ.push(start[b].min(nh as u32 - 1));
        }
        // ... and following them from the first edge comes back to it after exactly nh steps.
        let mut j = 0;
        for _ in 1..nh {
            j = succ[j] as usize;
            bad |= j == 0;
        }
        if bad || succ[j] != 0 {
            return None;
        }
        cone.clear();
        for _ in 0..nh {
            cone.push(free.pop().unwrap_or_else(|| {
                facets.push(Facet::PLACEHOLDER);
                (facets.len() - 1) as u32
            }));
        }
        for (&code, &k) in horizon.iter().zip(cone.iter()) {
            let (g, e) = ((code >> 2) as usize, (code & 3) as usize);
            let (a, b, twin) = (facets[g].v[e], facets[g].v[NEXT[e]], facets[g].n[e]);
            facets[k as usize] = Facet::new([a, b, apex], [twin, 0, 0], pts);
            *twin_mut(facets, twin)? = k * 4;
        }
        // Edge 1 (b, apex) of the facet on (a, b) is edge 2 (apex, b) of the facet on (b, c).
        for (&k, &s) in cone.iter().zip(succ.iter()) {
            let after = cone[s as usize];
            facets[k as usize].n[1] = after * 4 + 2;
            facets[after as usize].n[2] = k * 4 + 1;
        }
        Some(())
    }

    /// Writes the new cone's copies rotated by 90°, 180° and 270° after it in `cone`, linked to
    /// the rotated copies of its neighbours, and records the rotations.
    fn mirror_cone(&mut self, nh: usize, n4: u32) -> Option<()> {
        let Workspace { facets, rot, free, cone, succ, .. } = self;
        for _ in 0..3 * nh {
            cone.push(free.pop().unwrap_or_else(|| {
                facets.push(Facet::PLACEHOLDER);
                (facets.len() - 1) as u32
            }));
        }
        rot.resize(facets.len(), 0);
        for k in 1..4 {
            for j in 0..nh {
                let c = facets[cone[j] as usize];
                let (outer, e) = (c.n[0] >> 2, c.n[0] & 3);
                let mut o = outer as usize;
                for _ in 0..k {
                    o = *rot.get(o)? as usize;
                }
                let slot = cone[k * nh + j];
                facets[slot as usize] = Facet {
                    normal: rotate(c.normal, k as u32),
                    offset: c.offset,
                    v: c.v.map(|x| rotate_index(x, k as u32, n4)),
                    n: [o as u32 * 4 + e, cone[k * nh + succ[j] as usize] * 4 + 2, 0],
                    head: NONE,
                    visit: 0,
                };
                *twin_mut(facets, o as u32 * 4 + e)? = slot * 4;
            }
            for j in 0..nh {
                let after = cone[k * nh + succ[j] as usize];
                facets[after as usize].n[2] = cone[k * nh + j] * 4 + 1;
            }
        }
        for k in 0..4 {
            for j in 0..nh {
                rot[cone[k * nh + j] as usize] = cone[(k + 1) % 4 * nh + j];
            }
        }
        Some(())
    }

    /// Hands the visible facets' outside points to the new facet each is highest above (a point
    /// above none is inside, and so are its copies; the apex lies on every new facet), frees the
    /// visible facets' slots (with `sym`, also their rotated copies', and each point's copies go to
    /// the rotated copies of its new facet), and stacks the new facets that received points.
    /// Returns the stack's height.
    #[allow(clippy::too_many_arguments)]
    fn reassign(
        &mut self,
        pts: &[P3],
        tol: f64,
        top: usize,
        nv: usize,
        nh: usize,
        apex: u32,
        sym: bool,
        n4: u32,
    ) -> Option<usize> {
        let Workspace { facets, rot, free, next, owner, stack, visible, cone, gone, shift, .. } = self;
        let copies = if sym { 4 } else { 1 };
        for &g in &visible[..nv] {
            let gf = &mut facets[g as usize];
            gf.visit = DEAD;
            let (mut q, mut len) = (gf.head, 0);
            while q != NONE {
                len += 1;
                if len > next.len() {
                    return None;
                }
                let after = next[q as usize];
                let group = (q >> *shift) as usize;
                if q != apex && !gone[group] {
                    let qp = &pts[q as usize];
                    let (mut best, mut to) = (tol, usize::MAX);
                    for (j, &k) in cone[..nh].iter().enumerate() {
                        let h = facets[k as usize].height(qp);
                        let better = h > best;
                        best = if better { h } else { best };
                        to = if better { j } else { to };
                    }
                    if to == usize::MAX {
                        gone[group] = true;
                    } else {
                        for k in 0..copies {
                            let (slot, qk) = (cone[k * nh + to] as usize, rotate_index(q, k as u32, n4));
                            next[qk as usize] = facets[slot].head;
                            facets[slot].head = qk;
                            owner[qk as usize] = slot as u32;
                        }
                    }
                }
                q = after;
            }
        }
        if sym {
            for &g in &visible[..nv] {
                let mut r = g as usize;
                for _ in 1..4 {
                    r = rot[r] as usize;
                    facets[r].visit = DEAD;
                    free.push(r as u32);
                }
            }
        }
        free.extend_from_slice(&visible[..nv]);
        if stack.len() < top + nh {
            stack.resize(top + nh, 0);
        }
        let mut top = top;
        for &k in &cone[..nh] {
            stack[top] = k;
            top += (facets[k as usize].head != NONE) as usize;
        }
        Some(top)
    }

    /// Checks that the live facets form a closed, consistently linked surface of genus 0
    /// (F = 2V − 4) and returns the volume they enclose (summed as tetrahedra from `centre`).
    fn finish(&mut self, pts: &[P3], centre: P3, stamp: u32) -> Option<f64> {
        let Workspace { facets, mark, .. } = self;
        let (mut nf, mut nv, mut bad) = (0usize, 0usize, false);
        let mut volume = 0.0;
        for (f, fc) in facets.iter().enumerate().skip(1) {
            let alive = fc.visit != DEAD;
            nf += alive as usize;
            for e in 0..3 {
                let a = fc.v[e] as usize;
                let first = alive & (mark[a] != stamp);
                nv += first as usize;
                mark[a] = if alive { stamp } else { mark[a] };
                let twin = fc.n[e];
                let (g, j) = (facets.get((twin >> 2) as usize)?, (twin & 3) as usize);
                bad |= alive & ((j == 3) | (g.visit == DEAD) | (g.n[j.min(2)] != (f * 4 + e) as u32));
            }
            let (a, b, c) = (&pts[fc.v[0] as usize], &pts[fc.v[1] as usize], &pts[fc.v[2] as usize]);
            let (ax, ay, az) = (a[0] - centre[0], a[1] - centre[1], a[2] - centre[2]);
            let (bx, by, bz) = (b[0] - centre[0], b[1] - centre[1], b[2] - centre[2]);
            let (cx, cy, cz) = (c[0] - centre[0], c[1] - centre[1], c[2] - centre[2]);
            let term = ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
            volume += if alive { term } else { 0.0 };
        }
        (!bad && nf + 4 == 2 * nv).then_some(volume.abs() / 6.0)
    }
}

/// The neighbour entry that twin code `twin` (slot × 4 + edge) names, if it exists.
#[inline(always)]
fn twin_mut(facets: &mut [Facet], twin: u32) -> Option<&mut u32> {
    facets.get_mut((twin >> 2) as usize)?.n.get_mut((twin & 3) as usize)
}

/// Links facets that meet edge to edge (the twin of edge (a, b) is the edge (b, a)); `first` is
/// the slot of `facets[0]`. `None` if an edge has no twin.
fn link_twins(facets: &mut [Facet], first: usize) -> Option<()> {
    for f in 0..facets.len() {
        let v = facets[f].v;
        for (i, (&a, &b)) in v.iter().zip(v.iter().cycle().skip(1)).enumerate() {
            let twin = (0..facets.len()).filter(|&g| g != f).find_map(|g| {
                (0..3).find(|&j| facets[g].v[j] == b && facets[g].v[NEXT[j]] == a).map(|j| (g + first) * 4 + j)
            })?;
            facets[f].n[i] = twin as u32;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator of uniform numbers in [−0.5, 0.5).
    struct Lcg(u64);

    impl Lcg {
        /// The next number.
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((self.0 >> 11) as f64) / ((1u64 << 53) as f64) - 0.5
        }
    }

    /// The points and their copies rotated by 90°, 180°, 270° about the z axis.
    fn rot4(points: &[P3]) -> Vec<P3> {
        points.iter().flat_map(|&p| (0..4).map(move |k| rotate(p, k))).collect()
    }

    /// Qhull's hull volume of `points`.
    fn qhull(points: &[P3]) -> f64 {
        let flat: Vec<f64> = points.iter().flatten().copied().collect();
        crate::qhull::hull_volume(&flat, 3).unwrap()
    }

    /// The hull's vertices, from a fresh workspace.
    fn hull_vertices(points: &[P3]) -> Vec<P3> {
        let mut ws = Workspace::default();
        ws.volume(points).unwrap();
        let mut v: Vec<u32> = ws.facets.iter().skip(1).filter(|f| f.visit != DEAD).flat_map(|f| f.v).collect();
        v.sort_unstable();
        v.dedup();
        v.iter().map(|&i| points[i as usize]).collect()
    }

    /// The points of a golden tessellation case.
    fn golden(name: &str) -> Vec<P3> {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/golden/tessellation")
            .join(format!("{name}.npy"));
        let a = starmill_io::read_array(&path).unwrap();
        a.data.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect()
    }

    /// Checks the rot4 volume of `base` against Qhull (and the plain quickhull) within `rel`;
    /// returns the number of symmetric insertions.
    fn check_rot4(base: &[P3], rel: f64, what: &str) -> usize {
        let mut ws = Workspace { checks: true, ..Workspace::default() };
        let ours = ws.volume_rot4(base).unwrap_or_else(|| panic!("{what}: declined"));
        let all = rot4(base);
        // Qhull loses digits to a large offset along z: give it the points near the origin.
        let z0 = base[0][2];
        let reference = qhull(&all.iter().map(|p| [p[0], p[1], p[2] - z0]).collect::<Vec<_>>());
        assert!((ours - reference).abs() <= rel * reference, "{what}: {ours} vs Qhull {reference}");
        let plain = Workspace::default().volume(&all).unwrap();
        assert!((ours - plain).abs() <= rel * reference, "{what}: {ours} vs plain {plain}");
        ws.symmetric_steps
    }

    #[test]
    fn cube_with_interior_and_face_points() {
        let mut pts = Vec::new();
        for i in 0..3 {
            for j in 0..3 {
                for k in 0..3 {
                    pts.push([i as f64, j as f64, k as f64]);
                }
            }
        }
        let v = hull_volume_3d(&pts).unwrap();
        assert!((v - 8.0).abs() < 1e-13, "{v}");
        // The same cube centred on the axis as one quarter and its rotations.
        let quarter: Vec<P3> = pts.iter().map(|p| [p[0] - 1.0, p[1] - 1.0, p[2]]).collect();
        let v = hull_volume_rot4(&quarter).unwrap();
        assert!((v - 8.0).abs() < 1e-13, "{v}");
    }

    #[test]
    fn agrees_with_qhull_on_random_clouds() {
        let mut rnd = Lcg(5);
        for n in [4usize, 10, 100, 1000] {
            let pts: Vec<P3> = (0..n).map(|_| [rnd.next() * 3.0, rnd.next(), rnd.next() * 0.5 + 8.0]).collect();
            let (ours, reference) = (hull_volume_3d(&pts).unwrap(), qhull(&pts));
            assert!((ours - reference).abs() <= 1e-12 * reference, "n = {n}: {ours} vs {reference}");
        }
    }

    #[test]
    fn flat_input_is_declined() {
        let pts: Vec<P3> = (0..20).map(|i| [i as f64, (i * i) as f64, 0.0]).collect();
        assert!(hull_volume_3d(&pts).is_none());
        assert!(hull_volume_rot4(&pts).is_none());
        assert!(hull_volume_rot4(&[[1.0, 2.0, 3.0]]).is_none());
        assert!(hull_volume_rot4(&[[0.0, 0.0, 1.0], [0.0, 0.0, 2.0]]).is_none());
        assert!(hull_volume_rot4(&[]).is_none());
        assert!(hull_volume_3d(&[[0.0; 3]; 8]).is_none());
    }

    #[test]
    fn non_finite_input_is_declined() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let pts = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [bad, 0.5, 0.5]];
            assert!(hull_volume_3d(&pts).is_none());
            assert!(hull_volume_rot4(&pts).is_none());
        }
    }

    #[test]
    fn rot4_agrees_with_qhull_on_random_clouds() {
        let mut rnd = Lcg(17);
        let mut symmetric = 0;
        for n in [1usize, 2, 3, 5, 10, 30, 100, 300, 1000] {
            for shape in 0..4 {
                let base: Vec<P3> = (0..n)
                    .map(|_| match shape {
                        // A box off the axis.
                        0 => [rnd.next() + 2.0, rnd.next() * 3.0, rnd.next()],
                        // A cloud around the axis.
                        1 => [rnd.next(), rnd.next(), rnd.next() * 4.0],
                        // A ring (like a loop orbit).
                        2 => {
                            let a = rnd.next() * 6.3;
                            let r = 1.0 + 0.05 * rnd.next();
                            [r * a.cos(), r * a.sin(), 0.3 * rnd.next()]
                        }
                        // A thin slab far from the origin in z.
                        _ => [rnd.next(), rnd.next(), 1e3 + 1e-3 * rnd.next()],
                    })
                    .collect();
                if n == 1 {
                    // Four copies at one height: flat.
                    assert!(hull_volume_rot4(&base).is_none());
                } else {
                    symmetric += check_rot4(&base, 1e-12, &format!("n = {n}, shape {shape}"));
                }
            }
        }
        assert!(symmetric > 100, "{symmetric} symmetric insertions");
    }

    #[test]
    fn rot4_of_golden_orbits() {
        for kind in ["loop", "box", "circular", "resonant", "seedlike"] {
            for n in [100, 500, 2000] {
                let name = format!("orbit_{kind}_3d_n{n}");
                let base = hull_vertices(&golden(&name));
                let steps = check_rot4(&base, 1e-12, &name);
                assert!(steps > 0, "{name}: never symmetric");
            }
        }
    }

    #[test]
    fn rot4_copies_are_bitwise_rotations() {
        // Every mirrored or realigned facet must have the plane Facet::new computes from its
        // vertices, so that a copy of a point is exactly as high above a copy of a facet.
        for kind in ["loop", "box", "circular", "resonant", "seedlike"] {
            let base = hull_vertices(&golden(&format!("orbit_{kind}_3d_n500")));
            let mut ws = Workspace { checks: true, ..Workspace::default() };
            ws.volume_rot4(&base).unwrap();
            assert!(ws.symmetric_steps > 10);
            let pts = ws.points.clone();
            for f in ws.facets.iter().skip(1).filter(|f| f.visit != DEAD) {
                let fresh = Facet::new(f.v, f.n, &pts);
                assert_eq!(f.normal.map(f64::to_bits), fresh.normal.map(f64::to_bits), "{kind}");
                assert_eq!(f.offset.to_bits(), fresh.offset.to_bits(), "{kind}");
            }
        }
    }

    #[test]
    fn rot4_with_duplicates_axis_points_and_lattices() {
        let mut rnd = Lcg(99);
        // Duplicates and points on the axis.
        let mut base: Vec<P3> = (0..200).map(|_| [rnd.next(), rnd.next(), rnd.next()]).collect();
        base.extend_from_within(0..50);
        base.extend([[0.0, 0.0, 0.7], [0.0, 0.0, -0.7], [0.0, 0.0, 0.1]]);
        check_rot4(&base, 1e-12, "duplicates and axis points");
        // Top and bottom on the axis.
        let mut b2 = base.clone();
        b2.extend([[0.0, 0.0, 2.0], [0.0, 0.0, -2.0]]);
        check_rot4(&b2, 1e-12, "axis top and bottom");
        // Integer lattices: many coplanar points, points on facets and edges.
        for m in [2i32, 3, 4] {
            let lattice: Vec<P3> =
                (0..m * m * m).map(|i| [(i % m) as f64, ((i / m) % m) as f64 - 1.0, (i / (m * m)) as f64]).collect();
            check_rot4(&lattice, 1e-12, &format!("lattice {m}"));
        }
        // A point exactly on a face of the others' hull, and symmetric input given twice over.
        let square = [[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [1.0, 0.0, 0.5], [0.5, 0.5, 1.0]];
        check_rot4(&square, 1e-12, "square prism with face points");
        check_rot4(&rot4(&square), 1e-12, "already symmetric");
    }

    #[test]
    fn rot4_fuzz_with_degenerate_inputs() {
        let mut rnd = Lcg(2024);
        let (mut declined, mut symmetric, mut conflicts) = (0, 0, 0);
        let cases = 1500;
        for case in 0..cases {
            let n = 2 + ((rnd.next() + 0.5).powi(2) * 60.0) as usize;
            let kind = case % 5;
            let mut base: Vec<P3> = (0..n)
                .map(|_| match kind {
                    // Small integer lattice: duplicates, coplanar faces, points on edges and axis.
                    0 => [(rnd.next() * 7.0).round(), (rnd.next() * 7.0).round(), (rnd.next() * 7.0).round()],
                    // Lattice with half-integers on one side only.
                    1 => [
                        (rnd.next() * 6.0).round() * 0.5 + 0.25,
                        (rnd.next() * 4.0).round(),
                        (rnd.next() * 3.0).round(),
                    ],
                    // On a sphere: many near-cospherical, nearly coplanar small facets.
                    2 => {
                        let (a, c) = (rnd.next() * 6.3, rnd.next() * 2.0);
                        let s = (1.0 - c * c).max(0.0).sqrt();
                        [s * a.cos(), s * a.sin(), c]
                    }
                    // On a cylinder with flat ends.
                    3 => {
                        let a = rnd.next() * 6.3;
                        let h = (rnd.next() * 3.0).round() / 3.0;
                        [a.cos(), a.sin(), h]
                    }
                    // A general cloud, far up the axis.
                    _ => [rnd.next(), rnd.next() * 2.0, 50.0 + rnd.next()],
                })
                .collect();
            if case % 7 == 0 {
                let dup = base[0];
                base.push(dup);
                base.push([0.0, 0.0, dup[2]]);
            }
            let all = rot4(&base);
            let mut ws = Workspace { checks: true, ..Workspace::default() };
            let ours = ws.volume_rot4(&base);
            let z0 = base[0][2];
            let flat: Vec<f64> = all.iter().flat_map(|p| [p[0], p[1], p[2] - z0]).collect();
            match (ours, crate::qhull::hull_volume(&flat, 3)) {
                (Some(v), Ok(q)) => assert!((v - q).abs() <= 1e-11 * q, "case {case}: {v} vs Qhull {q}"),
                (None, Ok(q)) => {
                    assert!(
                        q <= 1e-12 * base.iter().flatten().fold(1.0f64, |m, c| m.max(c.abs())),
                        "case {case}: declined, Qhull {q}"
                    );
                    declined += 1;
                }
                (Some(v), Err(_)) => panic!("case {case}: {v} for input Qhull calls flat"),
                (None, Err(_)) => {}
            }
            (symmetric, conflicts) = (symmetric + ws.symmetric_steps, conflicts + ws.copy_conflicts);
        }
        assert!(declined * 100 < cases, "{declined} of {cases} declined");
        assert!(symmetric > 2 * conflicts, "{symmetric} symmetric insertions, {conflicts} one by one");
    }

    #[test]
    fn rot4_huge_offsets_and_extreme_magnitudes() {
        let mut rnd = Lcg(3);
        let base: Vec<P3> = (0..300).map(|_| [rnd.next(), rnd.next(), rnd.next()]).collect();
        let reference = Workspace::default().volume_rot4(&base).unwrap();
        for scale in [1e-100, 1e-30, 1e30, 1e100] {
            let scaled: Vec<P3> = base.iter().map(|p| p.map(|c| c * scale)).collect();
            let v = hull_volume_rot4(&scaled).unwrap() / (scale * scale * scale);
            assert!((v - reference).abs() <= 1e-12 * reference, "scale {scale}: {v} vs {reference}");
            let plain = hull_volume_3d(&rot4(&scaled)).unwrap() / (scale * scale * scale);
            assert!((plain - reference).abs() <= 1e-12 * reference, "plain, scale {scale}: {plain}");
        }
        // Volumes beyond the range of f64: declined (or not), but no panic.
        for scale in [1e-150, 1e150, 1e-300, 1e300] {
            let scaled: Vec<P3> = base.iter().map(|p| p.map(|c| c * scale)).collect();
            let _ = (hull_volume_rot4(&scaled), hull_volume_3d(&scaled));
        }
        // Far from the origin along z with a tiny spread, and far off the axis.
        let shifted: Vec<P3> = base.iter().map(|p| [p[0] * 1e-3, p[1] * 1e-3, 1e8 + p[2] * 1e-3]).collect();
        check_rot4(&shifted, 1e-9, "z offset 1e8");
        let off_axis: Vec<P3> = base.iter().map(|p| [1e4 + p[0], p[1], p[2]]).collect();
        check_rot4(&off_axis, 1e-9, "x offset 1e4");
    }

    #[test]
    fn workspace_is_reused_across_sizes() {
        let mut rnd = Lcg(8);
        let big: Vec<P3> = (0..2000).map(|_| [rnd.next(), rnd.next(), rnd.next()]).collect();
        let small = &big[..20];
        let (vb, vs) = (hull_volume_rot4(&big).unwrap(), hull_volume_rot4(small).unwrap());
        for _ in 0..3 {
            assert_eq!(hull_volume_rot4(small).unwrap(), vs);
            assert_eq!(hull_volume_rot4(&big).unwrap(), vb);
            assert!(hull_volume_3d(&rot4(small)).is_some());
        }
    }

    /// Timing (not a test): the rot4 hull of the hull vertices of several golden orbits, run in
    /// turn so that the branch predictor cannot learn one input by heart; prints the minimum and
    /// median time per case, for the symmetric and the plain quickhull. `cargo test --release -p
    /// starmill-tessellation --lib bench_rot4 -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn bench_rot4_orbits() {
        let mut cases = Vec::new();
        for kind in ["loop", "box", "circular", "resonant", "seedlike"] {
            for n in [200, 2000] {
                let name = format!("orbit_{kind}_3d_n{n}");
                let base = hull_vertices(&golden(&name));
                let all = rot4(&base);
                cases.push((name, base, all));
            }
        }
        let rounds: usize = std::env::var("ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
        let mut times = vec![(Vec::new(), Vec::new()); cases.len()];
        for _ in 0..rounds {
            for (c, (_, base, all)) in cases.iter().enumerate() {
                let t = std::time::Instant::now();
                let v = hull_volume_rot4(base).unwrap();
                times[c].0.push(t.elapsed().as_secs_f64() * 1e6);
                let t = std::time::Instant::now();
                let w = hull_volume_3d(all).unwrap();
                times[c].1.push(t.elapsed().as_secs_f64() * 1e6);
                assert!((v - w).abs() <= 1e-12 * w);
            }
        }
        let stats = |t: &mut Vec<f64>| {
            t.sort_by(f64::total_cmp);
            (t[0], t[t.len() / 2])
        };
        for ((name, _, all), (ts, tp)) in cases.iter().zip(times.iter_mut()) {
            let ((smin, smed), (pmin, pmed)) = (stats(ts), stats(tp));
            println!(
                "{name:>24} ({:4} points): rot4 min {smin:7.2} median {smed:7.2} us | plain min {pmin:7.2} median {pmed:7.2} us",
                all.len()
            );
        }
    }
}
