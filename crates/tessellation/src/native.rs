//! The native Delaunay engine for 2-D and 3-D: incremental Bowyer–Watson insertion with exact
//! orientation and in-sphere predicates (filtered, with `robust` as the exact fallback), "ghost"
//! cells on the convex hull joined to one vertex at infinity, spatially sorted insertion and a
//! visibility walk for point location.
//!
//! The Delaunay triangulation of points in general position is unique, so this engine returns the
//! same simplices as Qhull, only faster. When the input is not in general position (an exact or
//! near tie: d + 2 cospherical points, coplanar hull facets), the triangulation is not unique and
//! the engine declines with [`Decline::Tie`]; the caller then asks Qhull, whose choice is the
//! reference's. It never panics on any finite input.
//!
//! # Data layout (what makes it fast)
//! * A cell's record is one 64-byte cache line: its prepared in-sphere test and four neighbour
//!   *codes* `4 · cell + face` (so the way back from a neighbour is known without a search), and
//!   the cavity search's mark. The test ([`Centred`]) is the in-sphere determinant as a linear
//!   function of the query's lift `(x, y, z, x² + y² + z²)` relative to the centre of the input's
//!   bounding box: one dot product with the query's lift, computed once per insertion, and a
//!   constant, with no vertex or point to read. Its rounding is relative to the whole box, which
//!   the static filter covers; the rare test it cannot decide is redone relative to a vertex of
//!   the cell, with the cell's own error bound, and then exactly. A ghost's test has the same
//!   form: the orientation of its hull facet with the query, scaled to the size of an in-sphere
//!   determinant, so that one code path and one static filter decide every cell, finite or ghost.
//! * The cells' vertices are in an array of their own (16 bytes per cell), read by the walk, the
//!   cavity filling and the output, not by the cavity search.
//! * The point at infinity is an ordinary vertex index (one past the last point) and always sits
//!   in slot `D` of a ghost cell, so "is this a ghost?" is one comparison.
//! * The cells of a cavity are freed once the new cells are built and reused by the next insertion.
//! * New cells are joined to each other through a small table indexed by the cavity-local numbers
//!   of the two vertices of the edge they share (a hash table only for very large cavities); their
//!   in-sphere tests are prepared from rows of the boundary vertices relative to the new point,
//!   computed once per vertex, then moved to centred coordinates. The new point is put in slot 0
//!   of every new cell (see [`LAYOUT`]), so that the code that builds them is specialised for that
//!   slot.
//!
//! # Two bodies
//! The engine is compiled twice, for the baseline x86-64 and for x86-64-v3 (AVX2, FMA, BMI), and
//! chooses at run time (`Engine::triangulate`). The second body prepares and evaluates the
//! conflict tests in fused multiply-adds; everything that decides a tie, a volume or a side length
//! is computed alike in both, so they give the same triangulation and measure.

/// No neighbour (only during construction), no table entry, or a freed cell (in its vertex slot 0).
const NONE: u32 = u32::MAX;

/// Largest number of distinct vertices on a cavity boundary that the direct ridge table handles;
/// larger cavities (rare: near-degenerate inputs) are joined through a hash table.
const LOCAL_MAX: usize = 64;

/// A table of fixed length on the heap: indices masked to its length need no bounds check.
#[derive(Debug)]
struct FixedTable<T, const N: usize>(Box<[T; N]>);

impl<T: Copy + Default, const N: usize> Default for FixedTable<T, N> {
    fn default() -> Self {
        FixedTable(Box::new([T::default(); N]))
    }
}

/// The ridge table: per pair of cavity-local vertex numbers `a · LOCAL_MAX + b` (a < b), the code
/// of the new cell face through that ridge waiting for its partner; all `NONE` between insertions.
#[derive(Debug)]
struct RidgeTable(Box<[u32; LOCAL_MAX * LOCAL_MAX]>);

impl Default for RidgeTable {
    fn default() -> Self {
        RidgeTable(Box::new([NONE; LOCAL_MAX * LOCAL_MAX]))
    }
}

/// Largest input the engine takes: cell numbers must fit in 30 bits (`4 · cell + face` codes).
const MAX_POINTS: usize = 100_000_000;

/// Relative size of an in-sphere or orientation determinant, compared with the magnitude of its
/// terms, below which two configurations are treated as a (near) tie and handed to Qhull.
pub(crate) const NEAR_TIE: f64 = 1e-11;
/// [`NEAR_TIE`] widened to cover the other side of a face in the output sweep's one-sided check
/// (see `Engine::face_tie_one_sided`): 32 × `NEAR_TIE`, and a margin for the rounding of the two
/// determinants and of their bounds.
const ONE_SIDED_TIE: f64 = 40.0 * NEAR_TIE;
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

/// A finished triangulation: finite simplices as point indices, `D + 1` per simplex, their sides
/// and volumes (in the same order), and the indices of the input points on the convex hull.
#[derive(Debug, Default)]
#[cfg_attr(test, derive(PartialEq))]
pub(crate) struct Simplices {
    pub simplices: Vec<u32>,
    pub stats: SimplexStats,
    pub hull_vertices: Vec<u32>,
    /// Set by the caller to skip listing `simplices` (left empty) when only their measures and
    /// the hull are wanted.
    pub measures_only: bool,
}

/// The layout of a new cell built on face k of a cavity cell (the new point replacing the vertex
/// in slot k): for each slot of the new cell, the slot of the old cell its vertex comes from
/// (`[D - 2][k]`). The new point lands in slot 0 by an even permutation (a 3-cycle), which keeps
/// the orientation and slot `D` (a ghost's point at infinity) in place: with the new point's slot
/// known, the creation code is specialised for it (leaving the new point in slot k costs 3.5 %
/// more instructions per triangulation). The one exception, a 2-D ghost with the new point in
/// slot 1, keeps its layout (see [`layout`]).
const LAYOUT: [[[u8; 4]; 4]; 2] = [
    [[0, 1, 2, 3], [1, 2, 0, 3], [2, 0, 1, 3], [3, 0, 1, 2]],
    [[0, 1, 2, 3], [1, 2, 0, 3], [2, 0, 1, 3], [3, 0, 2, 1]],
];

/// For the apex slot k of a new cell: its faces through the apex, as (face slot j, the slots of the
/// ridge's vertices = the slots other than j and k), indexed `[D - 2][k]`. Tetrahedra use all three
/// entries with both ridge slots; triangles use the first two entries and one ridge slot. The face
/// slots are ascending, so they also list the non-apex slots in order.
const SIDES: [[[[usize; 3]; 3]; 4]; 2] = [
    [
        [[1, 2, 2], [2, 1, 1], [0, 0, 0]],
        [[0, 2, 2], [2, 0, 0], [0, 0, 0]],
        [[0, 1, 1], [1, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [0, 0, 0], [0, 0, 0]],
    ],
    [
        [[1, 2, 3], [2, 1, 3], [3, 1, 2]],
        [[0, 2, 3], [2, 0, 3], [3, 0, 2]],
        [[0, 1, 3], [1, 0, 3], [3, 0, 1]],
        [[0, 1, 2], [1, 0, 2], [2, 0, 1]],
    ],
];

/// Cavity-local vertex numbers of one insertion: a vertex's number is in its tag,
/// `stamp << 8 | number`, and the numbers are handed out in order of first sight.
struct LocalNumbering {
    stamp: u32,
    /// Numbers handed out so far (beyond `LOCAL_MAX`, the numbers wrap around and several
    /// vertices share one; the caller then declines).
    count: u32,
}

impl LocalNumbering {
    /// The numbers of the side vertices of a new cell with vertices `v` and apex slot `apex` (see
    /// [`SIDES`]), recording each vertex under its number in `verts`.
    #[inline(always)]
    fn side_locals<const D: usize>(
        &mut self,
        v: &[u32; 4],
        apex: usize,
        vtag: &mut [u32],
        verts: &mut [u32; LOCAL_MAX],
    ) -> [u8; 3] {
        let sides = &SIDES[D - 2][apex];
        let mut locals = [0u8; 3];
        for (side, local) in sides.iter().zip(locals.iter_mut()).take(D) {
            let x = v[side[0] & 3];
            // Without a branch (whether a vertex is new to the cavity is a coin toss for the
            // predictor): a vertex seen before gets its number stored again.
            let tag = vtag[x as usize];
            let seen = tag >> 8 == self.stamp;
            let l = std::hint::select_unpredictable(seen, tag & 0xff, self.count & (LOCAL_MAX as u32 - 1));
            self.count += u32::from(!seen);
            vtag[x as usize] = (self.stamp << 8) | l;
            verts[l as usize & (LOCAL_MAX - 1)] = x;
            *local = l as u8;
        }
        locals
    }
}

use crate::measure::{tetrahedron_sides, triangle_sides, SimplexStats};
use crate::predicates::{
    exact_in_sphere, lift, orient2d as orient2, orient2d_filtered, orient3d as orient3, orient3d_filtered,
    static_bounds, Centred, Lift, Lifted, Magnitudes, Row, LIFTED_FILTER,
};

/// One simplex's record: its conflict test and, in slot i, the code `4 · neighbour + face` of the
/// neighbour across the face opposite vertex i (`face` is that face's slot in the neighbour).
/// 2-D cells use slots 0..3. Its vertices are in `Engine::vertices`.
///
/// One 64-byte cache line: everything a conflict test and the cavity search read and write.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Cell {
    /// The prepared in-sphere (in-circle) test, or a ghost's half-space test, in centred
    /// coordinates: one dot product with the query's lift.
    test: Centred,
    n: [u32; 4],
    /// The stamp of the last insertion whose cavity holds the cell.
    mark: u32,
}

/// A cell with no test and no neighbours.
const EMPTY_CELL: Cell = Cell { test: Centred::UNDECIDED, n: [NONE; 4], mark: 0 };

/// The in-sphere (in-circle) test of the finite cell with vertices `v` relative to its vertex in
/// slot 0, and its magnitudes: what the careful paths evaluate, with the test's own error bound.
#[inline(always)]
fn relative_test<const D: usize>(v: &[u32; 4], pts: &[[f64; 3]]) -> (Lifted, Magnitudes) {
    let q = |j: usize| &pts[v[j] as usize];
    let lifted = if D == 2 { Lifted::circle(q(0), q(1), q(2)) } else { Lifted::sphere(q(0), q(1), q(2), q(3)) };
    (lifted, Magnitudes::of::<D>(q(0), [q(1), q(2), q(D)]))
}

#[inline(always)]
fn code(cell: u32, face: usize) -> u32 {
    (cell << 2) | face as u32
}

/// Reusable state of the engine for dimension `D` (2 or 3). Buffers are kept between calls so a
/// worker thread triangulating many orbits allocates only when an orbit is larger than any before.
#[derive(Debug, Default)]
pub(crate) struct Engine<const D: usize> {
    /// Points in insertion order, then a placeholder for the point at infinity (index `inf`).
    pts: Vec<[f64; 3]>,
    /// Per point (in insertion order): its lift relative to `centre`; NaN for the point at infinity.
    lifts: Vec<Lift>,
    /// The centre of the input's bounding box.
    centre: [f64; 3],
    inf: u32,
    cells: Vec<Cell>,
    /// Per cell: its vertices, the point at infinity in slot `D` of a ghost; `NONE` in slot 0 once
    /// the cell is freed.
    vertices: Vec<[u32; 4]>,
    /// Freed cells available for reuse.
    free: Vec<u32>,
    stamp: u32,
    /// Per vertex: `stamp << 8 | n` where n is its cavity-local number in the insertion `stamp`.
    vtag: Vec<u32>,
    nlocal: u32,
    /// Per cavity-local number: the vertex relative to the point being inserted, lifted.
    rows: FixedTable<Row, LOCAL_MAX>,
    /// Per cavity-local number: the vertex.
    local_vertex: FixedTable<u32, LOCAL_MAX>,
    /// Per cavity boundary face: the cavity-local numbers of the new cell's side vertices.
    face_locals: Vec<[u8; 3]>,
    /// The point being inserted, and its lift.
    current: [f64; 3],
    current_lift: Lift,
    /// The cavity's cells in breadth-first order, each as the code `4 · cell + face` of the
    /// face it was reached through (the seed's face is 0 and unused).
    cavity: Vec<u32>,
    /// The number of cells in `cavity` (its length is a capacity, written by index).
    ncavity: usize,
    /// Faces on the cavity boundary: (cavity cell, slot of the face).
    boundary: Vec<(u32, u8)>,
    /// The number of faces in `boundary` (its length is a capacity, written by index).
    nboundary: usize,
    /// The output sweep's list of faces to check for ties, as codes (see `extract_unique`).
    tie_faces: Vec<u32>,
    /// Cells created by the current insertion with their apex slot (for the hash-table linking).
    new_cells: Vec<(u32, u8)>,
    /// Ridge table indexed by cavity-local vertex numbers.
    ridges: RidgeTable,
    /// Fallback ridge hash table for large cavities: (stamp, ridge key, cell code).
    table: Vec<(u32, u64, u32)>,
    table_stamp: u32,
    order: Vec<(u64, u32)>,
    /// Insertion rank → input index.
    perm: Vec<u32>,
    scratch_pts: Vec<[f64; 3]>,
    hint: u32,
    /// The static filter of this input ([`static_bounds`]): a prepared in-sphere determinant
    /// beyond it has a certain sign.
    filter_bound: f64,
    /// An upper bound of every in-sphere determinant's permanent in this input ([`static_bounds`]).
    permanent_bound: f64,
    /// The factor of a ghost's half-space test (length²: the squared diagonal of the input).
    ghost_scale: f64,
    /// Use the hash-table path for every cavity (tests of that rare path).
    #[cfg(test)]
    always_hash: bool,
    /// Use the baseline instruction set even where x86-64-v3 is available (tests of that path).
    #[cfg(test)]
    baseline: bool,
}

enum Located {
    /// A cell proven to be in conflict with the point (its circumsphere holds it).
    Conflict(u32),
    /// A cell whose closure holds the point, or a ghost whose facet the point sees.
    Cell(u32),
    Duplicate,
}

impl<const D: usize> Engine<D> {
    /// Triangulates `points` (row-major, `D` columns, finite). Duplicate points are skipped, like
    /// Qhull's `Qc` does.
    pub(crate) fn triangulate(&mut self, points: &[f64], out: &mut Simplices) -> Result<(), Decline> {
        #[cfg(target_arch = "x86_64")]
        if x86_64_v3() && !self.baseline_only() {
            // SAFETY: the CPU has every feature of x86-64-v3 (checked just above).
            return unsafe { self.triangulate_x86_64_v3(points, out) };
        }
        self.triangulate_with::<false>(points, out)
    }

    /// [`Self::triangulate`] compiled for x86-64-v3 (AVX2, FMA, BMI; VEX-encoded, so fewer
    /// register copies), chosen at run time, with the hot conflict tests and their preparation in
    /// fused multiply-adds: about 5 % faster here. The static filter's bound holds for both
    /// roundings and the careful paths (exact fallback, tie checks) do not fuse, so the two bodies
    /// give the same triangulation and the same tie decisions, and the cells' volumes are
    /// computed alike. Only a filtered value within a rounding of the filter's bound could send a
    /// walk to another (equally valid) cavity seed and so number the cells in another order; the
    /// test inputs give the same simplices in the same order and the same measure, bit for bit.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx,avx2,fma,bmi1,bmi2,lzcnt,popcnt,movbe")]
    unsafe fn triangulate_x86_64_v3(&mut self, points: &[f64], out: &mut Simplices) -> Result<(), Decline> {
        self.triangulate_with::<true>(points, out)
    }

    /// Whether the tests asked for the baseline instruction set.
    #[inline(always)]
    fn baseline_only(&self) -> bool {
        #[cfg(test)]
        return self.baseline;
        #[cfg(not(test))]
        false
    }

    /// [`Self::triangulate`], inlined into one body per instruction set (`V3`: x86-64-v3, with
    /// fused multiply-adds in the conflict tests).
    #[inline(always)]
    fn triangulate_with<const V3: bool>(&mut self, points: &[f64], out: &mut Simplices) -> Result<(), Decline> {
        debug_assert!(D == 2 || D == 3);
        let n = points.len() / D;
        if n > MAX_POINTS {
            return Err(Decline::Tie("more points than the native engine takes"));
        }
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
        self.scratch_pts.push([f64::NAN; 3]);
        std::mem::swap(&mut self.pts, &mut self.scratch_pts);
        let centre = self.centre;
        self.lifts.clear();
        self.lifts.extend(self.pts.iter().map(|p| lift::<D>(p, &centre)));
        self.inf = n as u32;
        self.vtag.clear();
        self.vtag.resize(n + 1, 0);
        self.build_initial()?;
        for p in (D + 1)..n {
            self.insert::<V3>(p as u32)?;
        }
        self.extract_unique::<V3>(out)
    }

    fn reset(&mut self, points: &[f64]) {
        self.pts.clear();
        self.pts.extend(points.chunks_exact(D).map(|c| if D == 2 { [c[0], c[1], 0.0] } else { [c[0], c[1], c[2]] }));
        self.cells.clear();
        self.vertices.clear();
        // Cell 0 is a sink for the branch-free ridge pairing, never part of the triangulation.
        self.cells.push(EMPTY_CELL);
        self.vertices.push([NONE; 4]);
        self.free.clear();
        self.stamp = 0;
        self.hint = 0;
    }

    // ----- predicates --------------------------------------------------------------------------

    /// Orientation of cell vertices `v` with the vertex in `slot` replaced by `p` (all finite):
    /// exact if `CAREFUL`, else in floating point when its sign is certain (`None` otherwise).
    #[inline(always)]
    fn orient_replaced<const CAREFUL: bool>(&self, v: &[u32; 4], slot: usize, p: &[f64; 3]) -> Option<f64> {
        // Every vertex's point is loaded and the replaced one dropped without a branch (which slot
        // is replaced is a coin toss for the predictor).
        let q = |j: usize| std::hint::select_unpredictable(j == slot, p, &self.pts[v[j] as usize]);
        match (D, CAREFUL) {
            (2, true) => Some(orient2(q(0), q(1), q(2))),
            (2, false) => orient2d_filtered(q(0), q(1), q(2)),
            (_, true) => Some(orient3(q(0), q(1), q(2), q(3))),
            (_, false) => orient3d_filtered(q(0), q(1), q(2), q(3)),
        }
    }

    /// Whether the circumsphere of cell `c` contains `p` (with lift `lift`) (`Some(true)`), not
    /// (`Some(false)`), or the question has no unique answer because `p` is coplanar with a hull
    /// facet (`None`). For a ghost cell the "circumsphere" is the outer half-space of its facet.
    #[inline(always)]
    fn conflicts<const V3: bool>(&self, c: usize, p: &[f64; 3], lift: &Lift) -> Option<bool> {
        // Almost every test, of a finite cell or a ghost, is decided by the static filter from the
        // cell's record and the point's lift alone.
        let det = self.cells[c].test.det::<V3>(lift);
        if det > self.filter_bound {
            return Some(true);
        }
        if -det > self.filter_bound {
            return Some(false);
        }
        decide_unfiltered::<D>(&self.vertices[c], &self.pts, self.inf, p)
    }

    /// Prepares the conflict test of cell `c`: its in-sphere test, or a ghost's half-space test.
    /// The same choice as in [`Self::join_new_cell`], here from the vertices relative to slot 0
    /// rather than from the cavity's rows (the two are kept apart because a shared helper cost
    /// the hot path 1–2 %; the hash-path test checks that they agree).
    #[inline(always)]
    fn prepare(&mut self, c: u32) {
        let v = self.vertices[c as usize];
        let q = |j: usize| &self.pts[v[j] as usize];
        let lifted = if v[D] != self.inf {
            relative_test::<D>(&v, &self.pts).0
        } else if D == 2 {
            Lifted::half_space_2d(&Row::new_2d(q(1), q(0)), -1.0, self.ghost_scale)
        } else {
            let (b, c) = (Row::new(q(1), q(0)), Row::new(q(2), q(0)));
            Lifted::half_space_3d(&b, &c, -1.0, self.ghost_scale)
        };
        self.cells[c as usize].test = lifted.centred::<false>(&self.lifts[v[0] as usize]);
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

    /// A fresh cell slot (a freed one if any).
    fn alloc(&mut self) -> u32 {
        if let Some(c) = self.free.pop() {
            c
        } else {
            self.cells.push(EMPTY_CELL);
            self.vertices.push([NONE; 4]);
            (self.cells.len() - 1) as u32
        }
    }

    /// Starts a new insertion: a new stamp for cell marks and cavity-local vertex numbers.
    fn next_stamp(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp >= 1 << 23 {
            self.cells.iter_mut().for_each(|cell| cell.mark = 0);
            self.vtag.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
        self.nlocal = 0;
    }

    /// The rows of the cavity's vertices relative to the point being inserted.
    fn cavity_rows(&mut self) {
        let n = (self.nlocal as usize).min(LOCAL_MAX);
        for (row, &x) in self.rows.0[..n].iter_mut().zip(&self.local_vertex.0[..n]) {
            let q = &self.pts[x as usize];
            *row = if D == 2 { Row::new_2d(q, &self.current) } else { Row::new(q, &self.current) };
        }
    }

    /// The cavity-local numbers of the side vertices of a new cell with vertices `v` and apex slot
    /// `apex` (see [`SIDES`]).
    #[inline(always)]
    fn side_locals(&mut self, v: &[u32; 4], apex: usize) -> [u8; 3] {
        let mut numbering = LocalNumbering { stamp: self.stamp, count: self.nlocal };
        let locals = numbering.side_locals::<D>(v, apex, &mut self.vtag, &mut self.local_vertex.0);
        self.nlocal = numbering.count;
        locals
    }

    /// The first cell (positively oriented) and one ghost cell across each of its faces.
    fn build_initial(&mut self) -> Result<(), Decline> {
        let mut v = [0u32; 4];
        for (k, item) in v.iter_mut().enumerate().take(D + 1) {
            *item = k as u32;
        }
        let q = |k: usize| &self.pts[k];
        let orientation = if D == 2 { orient2(q(0), q(1), q(2)) } else { orient3(q(0), q(1), q(2), q(3)) };
        if orientation < 0.0 {
            v.swap(0, 1);
        }
        let finite = self.alloc();
        self.vertices[finite as usize] = v;
        self.prepare(finite);
        self.next_stamp();
        self.current = [f64::NAN; 3];
        self.current_lift = [f64::NAN; 4];
        let mut open = 0;
        for k in 0..=D {
            // Ghost across face k: the face's vertices with the point at infinity in slot k and
            // two other slots swapped (the outside of the face is the ghost's positive side),
            // then the point at infinity moved to slot D by an even permutation.
            let mut g = v;
            g[k] = self.inf;
            let (a, b) = if k == 0 {
                (1, 2)
            } else if k == 1 {
                (0, 2)
            } else {
                (0, 1)
            };
            g.swap(a, b);
            if k != D {
                g.swap(k, D);
                g.swap(0, 1);
            }
            let ghost = self.alloc();
            self.place_cell(ghost, g, D, code(finite, k));
            let locals = self.side_locals(&g, D);
            self.join_new_cell::<false>(ghost, g, D, locals, &mut open);
            // Joined before any point was current: prepare its half-space test from its vertices.
            self.prepare(ghost);
        }
        if open != 0 {
            return Err(Decline::Tie("initial simplex not closed"));
        }
        self.hint = finite;
        Ok(())
    }

    /// Orders the points for insertion: randomised rounds, each along a Z-order (Morton) curve, so
    /// that consecutive points are close (short point-location walks) and cavities stay small.
    #[inline(always)]
    fn insertion_order(&mut self, n: usize, initial: &[u32]) {
        let mut lo = [f64::INFINITY; 3];
        let mut hi = [f64::NEG_INFINITY; 3];
        for p in &self.pts {
            for k in 0..D {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        let extent = [hi[0] - lo[0], hi[1] - lo[1], if D == 3 { hi[2] - lo[2] } else { 0.0 }];
        let bounds = static_bounds::<D>(&extent);
        (self.filter_bound, self.permanent_bound) = (bounds.filter, bounds.permanent);
        self.centre =
            [lo[0] + 0.5 * extent[0], lo[1] + 0.5 * extent[1], if D == 3 { lo[2] + 0.5 * extent[2] } else { 0.0 }];
        self.ghost_scale = extent.iter().map(|l| l * l).sum();
        let bits: u32 = if D == 2 { 31 } else { 21 };
        let cells = ((1u64 << bits) - 1) as f64;
        self.order.clear();
        for i in 0..n {
            if initial.contains(&(i as u32)) {
                continue;
            }
            let p = &self.pts[i];
            let mut q = [0u64; 3];
            for k in 0..D {
                let span = hi[k] - lo[k];
                q[k] = if span > 0.0 { ((p[k] - lo[k]) / span * cells) as u64 } else { 0 };
            }
            self.order.push((morton::<D>(&q), i as u32));
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

    /// Visibility walk from the last created cell to a cell whose closure holds `p` (or a ghost
    /// whose facet `p` sees), stopping early at a cell the static filter proves in conflict with
    /// `p` (any such cell seeds the cavity). In a Delaunay triangulation this walk cannot cycle.
    /// Unless `CAREFUL`, it gives up (`None`) at an orientation whose sign the floating-point
    /// filter cannot prove, so that the loop makes no call.
    #[inline(always)]
    fn locate<const CAREFUL: bool, const V3: bool>(
        &self,
        p: &[f64; 3],
        lift: &Lift,
    ) -> Result<Option<Located>, Decline> {
        let mut c = self.hint;
        let mut v = self.vertices[c as usize];
        let mut entry = D + 1;
        if v[D] == self.inf {
            let back = self.cells[c as usize].n[D];
            c = back >> 2;
            entry = (back & 3) as usize;
            v = self.vertices[c as usize];
        }
        let limit = 4 * self.cells.len() + 64;
        for _ in 0..limit {
            if v[D] == self.inf {
                return Ok(Some(Located::Cell(c)));
            }
            // Any cell in conflict with p seeds the cavity (the conflict region is connected), so
            // the walk stops at the first one the filtered in-sphere test proves to be.
            let cell = &self.cells[c as usize];
            if cell.test.det::<V3>(lift) > self.filter_bound {
                return Ok(Some(Located::Conflict(c)));
            }
            let mut next = NONE;
            for t in 1..=D + 1 {
                let k = (entry + t) % (D + 1);
                if k == entry {
                    continue;
                }
                let Some(orientation) = self.orient_replaced::<CAREFUL>(&v, k, p) else {
                    return Ok(None);
                };
                if orientation < 0.0 {
                    next = cell.n[k];
                    break;
                }
            }
            if next == NONE {
                let dup = v[..=D].iter().any(|&x| &self.pts[x as usize] == p);
                return Ok(Some(if dup { Located::Duplicate } else { Located::Cell(c) }));
            }
            c = next >> 2;
            entry = (next & 3) as usize;
            v = self.vertices[c as usize];
        }
        Err(Decline::Tie("point location did not converge"))
    }

    #[inline(always)]
    fn insert<const V3: bool>(&mut self, pi: u32) -> Result<(), Decline> {
        let (p, lift) = (self.pts[pi as usize], self.lifts[pi as usize]);
        let located = match self.locate::<false, V3>(&p, &lift)? {
            Some(located) => located,
            None => self.locate::<true, V3>(&p, &lift)?.ok_or(Decline::Tie("point location undecided"))?,
        };
        let seed = match located {
            Located::Duplicate => return Ok(()),
            Located::Conflict(c) => c,
            Located::Cell(c) => {
                if self.conflicts::<V3>(c as usize, &p, &lift) != Some(true) {
                    return Err(Decline::Tie("point on the hull plane"));
                }
                c
            }
        };
        self.next_stamp();
        (self.current, self.current_lift) = (p, lift);
        // The fast search gives up on a test the static filter cannot decide (almost never): the
        // careful one decides it. Either gives up when the queue or the boundary list is full:
        // they grow and the search runs again. A new stamp for each rerun, so that the marks of
        // the one given up do not count.
        let mut careful = false;
        let (tail, nbound) = loop {
            let end = if careful {
                self.cavity_search::<true, V3>(seed, p)?
            } else {
                self.cavity_search::<false, V3>(seed, p)?
            };
            match end {
                SearchEnd::Done(tail, nbound) => break (tail, nbound),
                SearchEnd::Undecided => careful = true,
                SearchEnd::Full => {
                    self.cavity.resize(2 * self.cavity.len() + 64, 0);
                    self.boundary.resize(2 * self.boundary.len() + 64, (0, 0));
                }
            }
            self.next_stamp();
        };
        (self.ncavity, self.nboundary) = (tail, nbound);
        // A closed cavity boundary has F faces on V = F / 2 + 2 vertices (3-D; V = F in 2-D).
        let faces = self.nboundary;
        let vertices = if D == 3 { faces / 2 + 2 } else { faces };
        #[cfg(test)]
        let vertices = if self.always_hash { LOCAL_MAX + 1 } else { vertices };
        if vertices <= LOCAL_MAX {
            self.fill_cavity_by_table::<V3>(pi)?;
        } else {
            self.fill_cavity_by_hash(pi)?;
        }
        // The cavity's cells are free only now: the new cells were built from their records.
        let freed = &self.cavity[..self.ncavity];
        for &entry in freed {
            self.vertices[(entry >> 2) as usize][0] = NONE;
        }
        self.free.extend(freed.iter().map(|&entry| entry >> 2));
        Ok(())
    }

    /// The cavity of `p` from `seed` (a cell in conflict with it), see [`CavitySearch::run`].
    #[inline(always)]
    fn cavity_search<const CAREFUL: bool, const V3: bool>(
        &mut self,
        seed: u32,
        p: [f64; 3],
    ) -> Result<SearchEnd, Decline> {
        let search = CavitySearch::<D> {
            cells: &mut self.cells,
            vertices: &self.vertices,
            cavity: &mut self.cavity,
            boundary: &mut self.boundary,
            pts: &self.pts,
            inf: self.inf,
            filter_bound: self.filter_bound,
            in_cavity: self.stamp,
            p,
            lift: self.current_lift,
        };
        #[cfg(target_arch = "x86_64")]
        if V3 {
            // SAFETY: `V3` is set only in `triangulate_x86_64_v3`, called once the CPU's features
            // were checked.
            return unsafe { search.run_x86_64_v3::<CAREFUL>(seed) };
        }
        search.run_baseline::<CAREFUL>(seed)
    }

    /// Creates one cell per cavity boundary face (the face plus the new point `pi`), joined to the
    /// cell outside the face and, through the ridge table, to each other.
    #[inline(always)]
    fn fill_cavity_by_table<const V3: bool>(&mut self, pi: u32) -> Result<(), Decline> {
        // First the cavity-local numbers of every new cell's side vertices, then each vertex's
        // row once, then the cells.
        if self.face_locals.len() < self.nboundary {
            self.face_locals.resize(self.nboundary, [0; 3]);
        }
        let mut numbering = LocalNumbering { stamp: self.stamp, count: self.nlocal };
        let boundary = &self.boundary[..self.nboundary];
        for (&(c, k), locals) in boundary.iter().zip(self.face_locals.iter_mut()) {
            let (v, apex) = layout::<D>(&self.vertices[c as usize], k as usize, pi, self.inf);
            *locals = numbering.side_locals::<D>(&v, apex, &mut self.vtag, &mut self.local_vertex.0);
        }
        self.nlocal = numbering.count;
        self.cavity_rows();
        let mut open = 0usize;
        let (mut hint, mut last) = (NONE, NONE);
        for i in 0..self.nboundary {
            let (c, k) = self.boundary[i];
            let (nc, v, apex) = self.new_cell_on_face(c, k as usize, pi);
            last = nc;
            if hint == NONE && v[D] != self.inf {
                hint = nc;
            }
            self.join_new_cell::<V3>(nc, v, apex, self.face_locals[i], &mut open);
        }
        if open != 0 || self.nlocal as usize > LOCAL_MAX {
            self.ridges.0.iter_mut().for_each(|r| *r = NONE);
            return Err(Decline::Tie("cavity boundary is not a closed surface"));
        }
        self.hint = if hint == NONE { last } else { hint };
        Ok(())
    }

    /// A new cell on face `k` of cavity cell `c`: that face's vertices and `pi`, laid out by
    /// [`layout`], joined to the cell outside the face. Returns the new cell, its vertices and the
    /// slot of `pi`.
    #[inline(always)]
    fn new_cell_on_face(&mut self, c: u32, k: usize, pi: u32) -> (u32, [u32; 4], usize) {
        let outer = self.cells[c as usize].n[k];
        let (v, apex) = layout::<D>(&self.vertices[c as usize], k, pi, self.inf);
        let nc = self.alloc();
        self.place_cell(nc, v, apex, outer);
        (nc, v, apex)
    }

    /// Writes cell `nc` with vertices `v` and joins it to the cell `outer` (a code) across its face
    /// `apex`. Its other neighbours are left as they were: [`Self::join_new_cell`] writes them.
    #[inline(always)]
    fn place_cell(&mut self, nc: u32, v: [u32; 4], apex: usize, outer: u32) {
        self.vertices[nc as usize] = v;
        self.cells[nc as usize].n[apex & 3] = outer;
        self.cells[(outer >> 2) as usize].n[(outer & 3) as usize] = code(nc, apex);
    }

    /// Completes new cell `nc` with vertices `v` (the new point, or the point at infinity for the
    /// first ghosts, in slot `apex`): prepares its in-sphere test from the cavity-local rows and
    /// pairs its faces through the apex with those of earlier new cells through the ridge table
    /// (`open` counts unpaired ridges).
    #[inline(always)]
    fn join_new_cell<const V3: bool>(&mut self, nc: u32, v: [u32; 4], apex: usize, locals: [u8; 3], open: &mut usize) {
        // The faces through the apex are those opposite the other slots (ascending); the ridge of
        // one is the other two slots' vertices (one vertex in 2-D).
        let sides = &SIDES[D - 2][apex];
        // Masked to the tables' length (the numbers are below it): no bounds checks.
        let [l0, l1, l2] = locals.map(|l| usize::from(l) & (LOCAL_MAX - 1));
        // The rows are relative to the new point, in slot `apex`: the tests' signs are −(−1)^apex,
        // except the in-sphere test's in 3-D, (−1)^apex. A ghost's finite vertices are its first
        // non-apex slots, the point at infinity last.
        let sign = if apex % 2 == 1 { 1.0 } else { -1.0 };
        let (rows, scale) = (&self.rows.0, self.ghost_scale);
        // The rows' origin is the new point, a vertex of the cell (of a ghost's facet).
        let lifted = if v[D] == self.inf {
            if D == 2 {
                Lifted::half_space_2d(&rows[l0], sign, scale)
            } else {
                Lifted::half_space_3d(&rows[l0], &rows[l1], sign, scale)
            }
        } else if D == 2 {
            Lifted::from_rows_2d::<V3>(&rows[l0], &rows[l1], sign)
        } else {
            Lifted::from_rows_3d::<V3>(&rows[l0], &rows[l1], &rows[l2], -sign)
        };
        self.cells[nc as usize].test = lifted.centred::<V3>(&self.current_lift);
        let pair = |a: usize, b: usize| a.min(b) * LOCAL_MAX + a.max(b);
        let keys = if D == 2 { [l1, l0, 0] } else { [pair(l1, l2), pair(l0, l2), pair(l0, l1)] };
        for (side, &key) in sides.iter().zip(&keys).take(D) {
            let j = side[0];
            let key = key & (LOCAL_MAX * LOCAL_MAX - 1);
            // Without branches (which ridge comes first is a coin toss for the predictor): the
            // second cell of a ridge links both ways and empties the slot; the first fills it and
            // "links" into the sink cell 0.
            let e = self.ridges.0[key];
            let first = e == NONE;
            let mine = code(nc, j);
            self.ridges.0[key] = if first { mine } else { NONE };
            self.cells[nc as usize].n[j] = e;
            let back = if first { 0 } else { e };
            self.cells[(back >> 2) as usize].n[(back & 3) as usize] = mine;
            *open = if first { *open + 1 } else { *open - 1 };
        }
    }

    /// [`Self::fill_cavity_by_table`] for cavities with more than `LOCAL_MAX` boundary vertices
    /// (rare: near-degenerate inputs): in-sphere tests prepared from coordinates, and ridges paired
    /// through an open-addressing hash table keyed by their vertex numbers.
    fn fill_cavity_by_hash(&mut self, pi: u32) -> Result<(), Decline> {
        self.new_cells.clear();
        for i in 0..self.nboundary {
            let (c, k) = self.boundary[i];
            let (nc, _, apex) = self.new_cell_on_face(c, k as usize, pi);
            self.prepare(nc);
            self.new_cells.push((nc, apex as u8));
        }
        self.hint = self
            .new_cells
            .iter()
            .map(|&(c, _)| c)
            .find(|&c| self.vertices[c as usize][D] != self.inf)
            .unwrap_or(self.new_cells[0].0);
        let nridges = self.new_cells.len() * D;
        let size = (2 * nridges).next_power_of_two().max(16);
        if self.table.len() < size {
            self.table.resize(size, (0, 0, 0));
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
            let (c, apex) = self.new_cells[i];
            let v = self.vertices[c as usize];
            for &[j, t1, t2] in SIDES[D - 2][apex as usize].iter().take(D) {
                let key = if D == 2 {
                    v[t1] as u64
                } else {
                    let (a, b) = (v[t1], v[t2]);
                    ((a.min(b) as u64) << 32) | a.max(b) as u64
                };
                let mut h = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize & mask;
                loop {
                    let entry = self.table[h];
                    if entry.0 != stamp {
                        self.table[h] = (stamp, key, code(c, j));
                        break;
                    }
                    if entry.1 == key {
                        let e = entry.2;
                        self.cells[c as usize].n[j] = e;
                        self.cells[(e >> 2) as usize].n[(e & 3) as usize] = code(c, j);
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

    // ----- uniqueness and output -------------------------------------------------------------------

    /// Emits the finished triangulation (input point indices) while checking that it is
    /// (robustly) unique; declines on an interior face whose two opposite vertices are (nearly)
    /// cospherical with it, or on two (nearly) coplanar hull facets.
    #[inline(always)]
    fn extract_unique<const V3: bool>(&mut self, out: &mut Simplices) -> Result<(), Decline> {
        // Room for every live cell, written by index and then cut to length: no call in the
        // loop over the finite cells (the entries are overwritten, so the lists are not cleared).
        let live = self.vertices.len() - self.free.len();
        let room = live * (D + 1);
        let mut faces = std::mem::take(&mut self.tie_faces);
        let (simplices, hull, indices) = (&mut out.simplices, &mut out.hull_vertices, !out.measures_only);
        if faces.len() < room {
            faces.resize(room, 0);
        }
        simplices.resize(if indices { room } else { 0 }, 0);
        out.stats.resize(live);
        let (smallest, largest, volume) = out.stats.columns_mut();
        hull.clear();
        let (mut nsimplex, mut nfaces) = (0, 0);
        for (c, (v, cell)) in self.vertices.iter().zip(&self.cells).enumerate() {
            if v[0] == NONE {
                continue;
            }
            if v[D] == self.inf {
                // Two hull facets meeting at a ridge: are they (nearly) coplanar?
                for &o in cell.n.iter().take(D + 1) {
                    let other = &self.vertices[(o >> 2) as usize];
                    if other[D] == self.inf {
                        let opposite = &self.pts[other[(o & 3) as usize] as usize];
                        if near_zero_orient::<D>(&self.pts, v, D, opposite) {
                            self.tie_faces = faces;
                            return Err(Decline::Tie("coplanar hull facets"));
                        }
                    }
                }
                hull.extend(v[..D].iter().map(|&x| self.perm[x as usize]));
                continue;
            }
            let ns = nsimplex / (D + 1);
            if indices {
                for (slot, &x) in simplices[nsimplex..nsimplex + D + 1].iter_mut().zip(v) {
                    *slot = self.perm[x as usize];
                }
            }
            nsimplex += D + 1;
            // The sides from the points, the volume from the cell's test (its orientation
            // determinant, computed when the cell was made).
            let q = |j: usize| &self.pts[v[j] as usize];
            let (lo, hi) = if D == 3 {
                tetrahedron_sides(q(0), q(1), q(2), q(3))
            } else {
                let xy = |j: usize| [q(j)[0], q(j)[1]];
                triangle_sides(&xy(0), &xy(1), &xy(2))
            };
            let factor = if D == 3 { 6.0 } else { 2.0 };
            (smallest[ns], largest[ns], volume[ns]) = (lo, hi, cell.test.orientation().abs() / factor);
            // Each face is checked from one side only, the cell with the smaller number: listed
            // without a branch (a neighbour's number is a coin toss for the predictor).
            for (k, &o) in cell.n.iter().enumerate().take(D + 1) {
                faces[nfaces] = code(c as u32, k);
                nfaces += usize::from(o >> 2 > c as u32);
            }
        }
        out.stats.truncate(nsimplex / (D + 1));
        simplices.truncate(if indices { nsimplex } else { 0 });
        hull.sort_unstable();
        hull.dedup();
        // First the faces whose centred determinant is within the input-wide threshold, kept in
        // place without a branch (about half of them: a coin toss for the predictor), then the
        // whole check on those.
        let wide_tie = self.wide_tie();
        let mut near = 0;
        for i in 0..nfaces {
            let f = faces[i];
            faces[near] = f;
            near += usize::from(self.face_centred::<V3>(f) <= wide_tie);
        }
        let tie = faces[..near].iter().any(|&f| self.face_tie_one_sided::<V3>(f, wide_tie));
        self.tie_faces = faces;
        if tie {
            return Err(Decline::Tie("cospherical points"));
        }
        Ok(())
    }

    /// The threshold beyond which the output sweep's centred determinant of a face is no tie
    /// whatever the cell ([`Self::face_tie_one_sided`]): `ONE_SIDED_TIE` times the largest
    /// permanent of the input, and twice the static filter for the centred determinant's error.
    fn wide_tie(&self) -> f64 {
        ONE_SIDED_TIE * self.permanent_bound + 2.0 * self.filter_bound
    }

    /// Whether face `f` (a code) of a finite cell is (nearly) cospherical as seen from either of
    /// its cells ([`Self::face_tie`]), checked from its own cell with a threshold wide enough to
    /// cover the other side's, and from the other side only when that flags it.
    ///
    /// Both sides compute the same five-point determinant (up to sign and rounding, each within
    /// `LIFTED_FILTER` of its own bound). Each side's bound is 24 times the product of the largest
    /// coordinate differences (x, y, z) and squared distance between its origin and the other four
    /// of the same five points, and each such largest difference lies between half and all of the
    /// five points' extent in that coordinate (a quarter and all of the squared diameter): the two
    /// bounds are within a factor 2 · 2 · 2 · 4 = 32 of each other (2 · 2 · 4 = 16 for triangles).
    /// So a threshold of `ONE_SIDED_TIE` (32 · `NEAR_TIE` with a margin for the rounding of the two
    /// determinants and of their bounds) flags every face that the other side would. A centred
    /// determinant beyond `wide_tie` ([`Self::wide_tie`]) is no tie whatever the cell's own bound:
    /// decided from the cell's record and the opposite point's lift alone.
    #[inline(always)]
    fn face_tie_one_sided<const V3: bool>(&self, f: u32, wide_tie: f64) -> bool {
        let centred = self.face_centred::<V3>(f);
        centred <= wide_tie && self.face_tie_near(f, centred)
    }

    /// The magnitude of the centred determinant of the cell of face `f` (a code) for the vertex
    /// across it: NaN across a hull facet (the point at infinity), which is no tie.
    #[inline(always)]
    fn face_centred<const V3: bool>(&self, f: u32) -> f64 {
        let (c, k) = ((f >> 2) as usize, (f & 3) as usize);
        let o = self.cells[c].n[k];
        let opposite = self.vertices[(o >> 2) as usize][(o & 3) as usize];
        self.cells[c].test.det::<V3>(&self.lifts[opposite as usize]).abs()
    }

    /// [`Self::face_tie_one_sided`] for a face whose centred determinant's magnitude, `centred`,
    /// is within `wide_tie`.
    #[inline(always)]
    fn face_tie_near(&self, f: u32, centred: f64) -> bool {
        let (c, k) = ((f >> 2) as usize, (f & 3) as usize);
        let o = self.cells[c].n[k];
        let opposite = self.vertices[(o >> 2) as usize][(o & 3) as usize];
        if centred > self.local_tie(&self.vertices[c], &self.lifts[opposite as usize]) {
            return false;
        }
        let (det, perm) = self.face_det(c, k);
        if det.abs() > ONE_SIDED_TIE * perm {
            return false;
        }
        let other = (o >> 2) as usize;
        det.abs() <= NEAR_TIE * perm || (self.vertices[other][D] != self.inf && self.face_tie(other, (o & 3) as usize))
    }

    /// The threshold beyond which the centred determinant of finite cell with vertices `v` for the
    /// point with lift `q` is no tie ([`Self::face_tie_one_sided`]): `ONE_SIDED_TIE` times an upper
    /// bound of the determinant's permanent from the five points' bounding box (sides at least the
    /// largest coordinate differences from the origin, diagonal² at least the largest squared
    /// distance; 1 % for rounding), and twice the static filter for the centred determinant's
    /// error. The lifts are rounded to a unit in the last place of the input's half extent, which
    /// can shrink a side by more than 1 % only for cells whose own permanent is below 1e-11 of the
    /// input's: their exact-threshold ties are far below the static filter term, so they pass.
    #[inline(always)]
    fn local_tie(&self, v: &[u32; 4], q: &Lift) -> f64 {
        let (mut lo, mut hi) = ([q[0], q[1], q[2]], [q[0], q[1], q[2]]);
        for &x in &v[..=D] {
            let r = &self.lifts[x as usize];
            for j in 0..3 {
                lo[j] = if r[j] < lo[j] { r[j] } else { lo[j] };
                hi[j] = if r[j] > hi[j] { r[j] } else { hi[j] };
            }
        }
        let side = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
        let diagonal = side[0] * side[0] + side[1] * side[1] + side[2] * side[2];
        let permanent = if D == 3 { 24.0 * side[0] * side[1] * side[2] } else { 6.0 * side[0] * side[1] } * diagonal;
        1.01 * ONE_SIDED_TIE * permanent + 2.0 * self.filter_bound
    }

    /// Whether the vertex across face `k` of finite cell `c` is (nearly) on the cell's circumsphere.
    #[inline(always)]
    fn face_tie(&self, c: usize, k: usize) -> bool {
        let (det, perm) = self.face_det(c, k);
        det.abs() <= NEAR_TIE * perm
    }

    /// The in-sphere determinant of finite cell `c` for the vertex across its face `k`, relative to
    /// the cell's vertex in slot 0, and its permanent bound ([`Lifted::eval`]); NaN across a hull
    /// facet.
    #[inline(always)]
    fn face_det(&self, c: usize, k: usize) -> (f64, f64) {
        let v = &self.vertices[c];
        let (lifted, mags) = relative_test::<D>(v, &self.pts);
        let o = self.cells[c].n[k];
        let opposite = &self.pts[self.vertices[(o >> 2) as usize][(o & 3) as usize] as usize];
        lifted.eval::<D>(&mags, &self.pts[v[0] as usize], opposite)
    }
}

/// Whether the CPU has the features of x86-64-v3 that the engine's second body is compiled for.
#[cfg(target_arch = "x86_64")]
fn x86_64_v3() -> bool {
    use std::arch::is_x86_feature_detected as has;
    has!("avx")
        && has!("avx2")
        && has!("fma")
        && has!("bmi1")
        && has!("bmi2")
        && has!("lzcnt")
        && has!("popcnt")
        && has!("movbe")
}

/// How a cavity search ended.
enum SearchEnd {
    /// The numbers of cavity cells and of boundary faces.
    Done(usize, usize),
    /// A test the static filter could not decide (fast search only).
    Undecided,
    /// The queue or the boundary list is full.
    Full,
}

/// The cavity search of one insertion, on borrows of the engine's tables apart from each other
/// (so that its state stays in registers): breadth-first from a seed cell in conflict with `p`.
struct CavitySearch<'a, const D: usize> {
    /// The cells' records (tests, neighbours and marks).
    cells: &'a mut [Cell],
    vertices: &'a [[u32; 4]],
    /// The queue of cavity cells, as codes `4 · cell + face` of the face each was reached through.
    cavity: &'a mut [u32],
    /// The faces on the cavity boundary: (cavity cell, slot of the face).
    boundary: &'a mut [(u32, u8)],
    pts: &'a [[f64; 3]],
    inf: u32,
    filter_bound: f64,
    /// The mark of a cell in this insertion's cavity.
    in_cavity: u32,
    /// The point being inserted, and its lift.
    p: [f64; 3],
    lift: Lift,
}

impl<const D: usize> CavitySearch<'_, D> {
    /// Runs the search from `seed`: the number of cavity cells and of boundary faces, or where it
    /// gave up. Unless `CAREFUL`, it gives up at the first test that the static filter cannot
    /// decide, so that the loop makes no call and keeps its state in registers. Not inlined, for
    /// the same reason.
    #[inline(never)]
    fn run_baseline<const CAREFUL: bool>(self, seed: u32) -> Result<SearchEnd, Decline> {
        self.run::<CAREFUL, false>(seed)
    }

    /// [`Self::run`] compiled for x86-64-v3 (see `Engine::triangulate_x86_64_v3`).
    #[cfg(target_arch = "x86_64")]
    #[inline(never)]
    #[target_feature(enable = "avx,avx2,fma,bmi1,bmi2,lzcnt,popcnt,movbe")]
    unsafe fn run_x86_64_v3<const CAREFUL: bool>(self, seed: u32) -> Result<SearchEnd, Decline> {
        self.run::<CAREFUL, true>(seed)
    }

    /// The search itself, inlined into one body per instruction set.
    #[inline(always)]
    fn run<const CAREFUL: bool, const V3: bool>(mut self, seed: u32) -> Result<SearchEnd, Decline> {
        // Without a branch on any test's outcome: every neighbour of a cavity cell is tested
        // (those already in the cavity again, which is cheap), and the queue and the boundary
        // list grow by the outcome's 0 or 1. The next cell to expand does not depend on the
        // tests in flight, so the tests of successive cells overlap.
        if self.cavity.len() < D + 2 || self.boundary.len() < D + 2 {
            return Ok(SearchEnd::Full);
        }
        self.cells[seed as usize].mark = self.in_cavity;
        self.cavity[0] = seed << 2;
        let (mut tail, mut nbound) = (1usize, 0usize);
        let n = self.cells[seed as usize].n;
        for (k, &outer) in n.iter().enumerate().take(D + 1) {
            if !self.visit::<CAREFUL, V3>(seed, k, outer, &mut tail, &mut nbound)? {
                return Ok(SearchEnd::Undecided);
            }
        }
        let mut head = 1usize;
        while head < tail {
            // Room for this cell's pushes (one per face at most).
            if tail + D > self.cavity.len() || nbound + D > self.boundary.len() {
                return Ok(SearchEnd::Full);
            }
            let entry = self.cavity[head];
            head += 1;
            let (c, from) = (entry >> 2, (entry & 3) as usize);
            let n = self.cells[c as usize].n;
            // The face it was reached through leads back into the cavity: not visited.
            let k = (from + 1) % (D + 1);
            if !self.visit::<CAREFUL, V3>(c, k, n[k], &mut tail, &mut nbound)? {
                return Ok(SearchEnd::Undecided);
            }
            let k = (from + 2) % (D + 1);
            if !self.visit::<CAREFUL, V3>(c, k, n[k], &mut tail, &mut nbound)? {
                return Ok(SearchEnd::Undecided);
            }
            if D == 3 {
                let k = (from + 3) % (D + 1);
                if !self.visit::<CAREFUL, V3>(c, k, n[k], &mut tail, &mut nbound)? {
                    return Ok(SearchEnd::Undecided);
                }
            }
        }
        Ok(SearchEnd::Done(tail, nbound))
    }

    /// One step: the neighbour `outer` (a code) across face `k` of cavity cell `c` joins the queue
    /// if in conflict with the point and not yet in it; face `k` joins the boundary if the
    /// neighbour is not in conflict. Neither if it is in the cavity already. False if the test
    /// was undecided and not `CAREFUL`.
    #[inline(always)]
    fn visit<const CAREFUL: bool, const V3: bool>(
        &mut self,
        c: u32,
        k: usize,
        outer: u32,
        tail: &mut usize,
        nbound: &mut usize,
    ) -> Result<bool, Decline> {
        let nb = (outer >> 2) as usize;
        let cell = &self.cells[nb];
        let m = cell.mark;
        let det = cell.test.det::<V3>(&self.lift);
        let fresh = m != self.in_cavity;
        let mut conflict = det > self.filter_bound;
        let mut outside = -det > self.filter_bound;
        // One branch, almost never taken: the static filter could not decide, or the value is
        // NaN (a neighbour in the cavity already is then decided again, to the same answer).
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        if !(det.abs() > self.filter_bound) {
            if !CAREFUL {
                return Ok(false);
            }
            match decide_unfiltered::<D>(&self.vertices[nb], self.pts, self.inf, &self.p) {
                Some(true) => conflict = true,
                Some(false) => outside = true,
                None => return Err(Decline::Tie("point coplanar with a hull facet")),
            }
        }
        let push = conflict & fresh;
        self.cells[nb].mark = if push { self.in_cavity } else { m };
        self.cavity[*tail] = outer;
        *tail += usize::from(push);
        self.boundary[*nbound] = (c, k as u8);
        *nbound += usize::from(outside);
        Ok(true)
    }
}

/// The conflict test of the cell with vertices `v` with `p` when the static filter cannot decide:
/// a ghost's half-space test (`None` if `p` is on its facet's plane), or the cell's own error bound
/// and then exact arithmetic. `pts` are the engine's points and `inf` the index of the point at
/// infinity.
#[inline(never)]
fn decide_unfiltered<const D: usize>(v: &[u32; 4], pts: &[[f64; 3]], inf: u32, p: &[f64; 3]) -> Option<bool> {
    let q = |j: usize| &pts[v[j] as usize];
    if v[D] == inf {
        let o = if D == 2 { orient2(q(0), q(1), p) } else { orient3(q(0), q(1), q(2), p) };
        return if o == 0.0 { None } else { Some(o > 0.0) };
    }
    let (lifted, mags) = relative_test::<D>(v, pts);
    let (det, perm) = lifted.eval::<D>(&mags, q(0), p);
    let bound = LIFTED_FILTER * perm;
    if det > bound {
        Some(true)
    } else if -det > bound {
        Some(false)
    } else {
        Some(exact_sign::<D>([q(0), q(1), q(2), q(D)], p) > 0.0)
    }
}

/// The exact in-sphere sign, when the prepared test cannot decide (rare).
#[cold]
#[inline(never)]
fn exact_sign<const D: usize>(cell: [&[f64; 3]; 4], p: &[f64; 3]) -> f64 {
    exact_in_sphere::<D>(cell, p)
}

/// The vertices of the new cell on face `k` of a cavity cell with vertices `v`, and the slot of
/// the new point `pi` in it: `pi` in slot 0 (see [`LAYOUT`]), except in a 2-D ghost built on the
/// face opposite slot 1, where no even permutation moves slot 1 to 0 and keeps the point at
/// infinity (`inf`) in slot 2; that ghost keeps `pi` in slot 1.
#[inline(always)]
fn layout<const D: usize>(v: &[u32; 4], k: usize, pi: u32, inf: u32) -> ([u32; 4], usize) {
    if D == 2 && k == 1 && v[2] == inf {
        return ([v[0], pi, v[2], v[3]], 1);
    }
    let from = LAYOUT[D - 2][k & 3].map(|j| usize::from(j) & 3);
    ([pi, v[from[1]], v[from[2]], v[from[3]]], 0)
}

/// The Z-order (Morton) code of the cell coordinates `q` (31 bits each in 2-D, 21 in 3-D): their
/// bits interleaved from the most significant down, `q[0]`'s first in each group.
fn morton<const D: usize>(q: &[u64; 3]) -> u64 {
    if D == 2 {
        (spread(q[0], &SPREAD_BY_1) << 1) | spread(q[1], &SPREAD_BY_1)
    } else {
        (spread(q[0], &SPREAD_BY_2) << 2) | (spread(q[1], &SPREAD_BY_2) << 1) | spread(q[2], &SPREAD_BY_2)
    }
}

/// Moves the low 31 bits of a number to the even bit positions: a mask, then (shift, mask) steps.
const SPREAD_BY_1: [(u32, u64); 6] = [
    (0, 0x7fff_ffff),
    (16, 0x0000_ffff_0000_ffff),
    (8, 0x00ff_00ff_00ff_00ff),
    (4, 0x0f0f_0f0f_0f0f_0f0f),
    (2, 0x3333_3333_3333_3333),
    (1, 0x5555_5555_5555_5555),
];

/// Moves the low 21 bits of a number to every third bit position (as [`SPREAD_BY_1`]).
const SPREAD_BY_2: [(u32, u64); 6] = [
    (0, 0x1f_ffff),
    (32, 0x001f_0000_0000_ffff),
    (16, 0x001f_0000_ff00_00ff),
    (8, 0x100f_00f0_0f00_f00f),
    (4, 0x10c3_0c30_c30c_30c3),
    (2, 0x1249_2492_4924_9249),
];

/// Spreads the bits of `x` by the steps of [`SPREAD_BY_1`] or [`SPREAD_BY_2`].
#[inline(always)]
fn spread(x: u64, steps: &[(u32, u64); 6]) -> u64 {
    steps.iter().fold(x, |x, &(shift, mask)| (x | (x << shift)) & mask)
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
            let v = |k: usize| &pts[cell[k] as usize];
            let o = if D == 2 { orient2(v(0), v(1), v(2)) } else { orient3(v(0), v(1), v(2), v(3)) };
            assert!(o > 0.0, "negatively oriented simplex");
            for (i, p) in pts.iter().enumerate() {
                if !simplex.contains(&(i as u32)) {
                    let inside = exact_in_sphere::<D>([v(0), v(1), v(2), v(D)], p);
                    assert!(inside <= 0.0, "point {i} inside the circumsphere of {simplex:?}");
                }
            }
        }
    }

    /// The output sweep's tie decision both ways on the triangulation of `points`, if the engine
    /// got as far as the sweep: checking each face once (from the cell with the smaller number,
    /// widened) and from both sides (the definition). Fails if they differ.
    fn tie_decision<const D: usize>(points: &[f64], what: &str) -> Option<bool> {
        let mut e = Engine::<D>::default();
        let result = e.triangulate(points, &mut Simplices::default());
        if !(result.is_ok() || matches!(result, Err(Decline::Tie("cospherical points" | "coplanar hull facets")))) {
            return None;
        }
        let (mut one_sided, mut two_sided, mut ties) = (false, false, 0);
        let wide_tie = e.wide_tie();
        for (c, (v, cell)) in e.vertices.iter().zip(&e.cells).enumerate() {
            if v[0] == NONE || v[D] == e.inf {
                continue;
            }
            for k in 0..=D {
                let tie = e.face_tie(c, k);
                two_sided |= tie;
                ties += usize::from(tie);
                if cell.n[k] >> 2 > c as u32 {
                    one_sided |= e.face_tie_one_sided::<false>(code(c as u32, k), wide_tie);
                }
            }
        }
        assert_eq!(one_sided, two_sided, "{what}: {ties} tie faces");
        Some(two_sided)
    }

    #[test]
    fn one_sided_tie_check_decides_as_the_two_sided_one() {
        // Grids (cospherical everywhere) shaken by relative noise from far below to far above the
        // tie threshold, in 2-D and 3-D: the decisions must agree on every input.
        let mut seed = 7u64;
        let mut decisions = Vec::new();
        for noise in [0.0, 1e-15, 1e-14, 1e-13, 3e-13, 1e-12, 3e-12, 1e-11, 3e-11, 1e-10, 1e-9, 1e-6] {
            for repeat in 0..4 {
                let mut shaken = |x: f64| (x + 0.25 * repeat as f64) * (1.0 + noise * (2.0 * lcg(&mut seed) - 1.0));
                let grid3: Vec<f64> =
                    (0..125).flat_map(|i| [i % 5, (i / 5) % 5, i / 25]).map(|x| shaken(x as f64)).collect();
                let grid2: Vec<f64> = (0..64).flat_map(|i| [i % 8, i / 8]).map(|x| shaken(x as f64)).collect();
                decisions.push(tie_decision::<3>(&grid3, &format!("3-D grid, noise {noise}")));
                decisions.push(tie_decision::<2>(&grid2, &format!("2-D grid, noise {noise}")));
            }
        }
        // Both outcomes occur, so the comparison is not empty.
        let count = |d: Option<bool>| decisions.iter().filter(|&&x| x == d).count();
        let (with_ties, without) = (count(Some(true)), count(Some(false)));
        assert!(with_ties + without >= 60 && with_ties > 0 && without > 0, "{with_ties} with ties, {without} without");
    }

    #[test]
    fn morton_codes_interleave_the_bits() {
        let by_loop = |q: &[u64; 3], d: usize, bits: u32| {
            let mut code = 0u64;
            for b in (0..bits).rev() {
                for qk in q.iter().take(d) {
                    code = (code << 1) | ((qk >> b) & 1);
                }
            }
            code
        };
        let mut seed = 5;
        for _ in 0..10_000 {
            let q3 = [0; 3].map(|_: u64| (lcg(&mut seed) * (1u64 << 21) as f64) as u64);
            assert_eq!(morton::<3>(&q3), by_loop(&q3, 3, 21));
            let q2 = [0; 3].map(|_: u64| (lcg(&mut seed) * (1u64 << 31) as f64) as u64);
            assert_eq!(morton::<2>(&q2), by_loop(&q2, 2, 31));
        }
        let top3 = [(1 << 21) - 1; 3];
        assert_eq!(morton::<3>(&top3), (1 << 63) - 1);
        let top2 = [(1 << 31) - 1; 3];
        assert_eq!(morton::<2>(&top2), (1 << 62) - 1);
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
    fn centred_tests_hold_far_from_the_origin_and_in_tight_clusters() {
        // The centred tests' rounding is relative to the whole bounding box: clouds far from the
        // origin, and a tight cluster inside a wide box (cells whose determinants fall below the
        // static filter, decided by the careful path), must still give the Delaunay triangulation
        // (checked exactly). A tighter cluster makes the cells that join it to the far points
        // near ties relative to their permanents: the engine then declines, as it did before.
        let mut seed = 23;
        let far3: Vec<f64> = (0..3 * 300).map(|i| 1.0e6 * (1 + i % 3) as f64 + lcg(&mut seed)).collect();
        let far2: Vec<f64> = (0..2 * 300).map(|i| -3.0e7 * (1 + i % 2) as f64 + lcg(&mut seed)).collect();
        let cluster = |seed: &mut u64, d: usize| -> Vec<f64> {
            let mut pts: Vec<f64> = (0..d * 250).map(|_| 0.5 + 1e-2 * lcg(seed)).collect();
            pts.extend((0..d * 50).map(|_| lcg(seed)));
            pts
        };
        let (cluster3, cluster2) = (cluster(&mut seed, 3), cluster(&mut seed, 2));
        let mut s = Simplices::default();
        for pts in [&far3, &cluster3] {
            Engine::<3>::default().triangulate(pts, &mut s).unwrap_or_else(|e| panic!("3-D {}: {e:?}", pts[0]));
            check_delaunay::<3>(pts, &s);
            assert!(s.simplices.len() / 4 > 300);
        }
        for pts in [&far2, &cluster2] {
            Engine::<2>::default().triangulate(pts, &mut s).unwrap_or_else(|e| panic!("2-D {}: {e:?}", pts[0]));
            check_delaunay::<2>(pts, &s);
            assert_eq!(s.simplices.len() / 3, 2 * 300 - 2 - s.hull_vertices.len());
        }
    }

    #[test]
    fn hash_path_for_large_cavities_gives_the_same_triangulation() {
        let sorted = |s: &Simplices, d: usize| {
            let mut cells: Vec<Vec<u32>> = s
                .simplices
                .chunks_exact(d + 1)
                .map(|c| {
                    let mut c = c.to_vec();
                    c.sort_unstable();
                    c
                })
                .collect();
            cells.sort_unstable();
            cells
        };
        let mut seed = 19;
        let pts3: Vec<f64> = (0..3 * 400).map(|_| lcg(&mut seed)).collect();
        let (mut table, mut hash) = (Simplices::default(), Simplices::default());
        Engine::<3>::default().triangulate(&pts3, &mut table).unwrap();
        let mut e3 = Engine::<3> { always_hash: true, ..Default::default() };
        e3.triangulate(&pts3, &mut hash).unwrap();
        assert_eq!(sorted(&table, 3), sorted(&hash, 3));
        check_delaunay::<3>(&pts3, &hash);
        let pts2: Vec<f64> = (0..2 * 400).map(|_| lcg(&mut seed)).collect();
        Engine::<2>::default().triangulate(&pts2, &mut table).unwrap();
        let mut e2 = Engine::<2> { always_hash: true, ..Default::default() };
        e2.triangulate(&pts2, &mut hash).unwrap();
        assert_eq!(sorted(&table, 2), sorted(&hash, 2));
        check_delaunay::<2>(&pts2, &hash);
    }

    #[test]
    fn both_instruction_sets_give_the_same_results_bit_for_bit() {
        // Random clouds, a thin shell (slivers), and grids shaken at the tie threshold (declines
        // and the careful paths), in 2-D and 3-D: the same outcome, simplices (in order), sides
        // and volumes from the x86-64-v3 body (where the CPU has it) and the baseline one.
        let mut seed = 23u64;
        let mut inputs: Vec<(usize, Vec<f64>)> = Vec::new();
        for d in [2usize, 3] {
            inputs.push((d, (0..d * 700).map(|_| lcg(&mut seed)).collect()));
            let shell: Vec<f64> = (0..600)
                .flat_map(|_| {
                    let v: Vec<f64> = (0..d).map(|_| lcg(&mut seed) - 0.5).collect();
                    let r = v.iter().map(|x| x * x).sum::<f64>().sqrt() * (1.0 + 1e-3 * lcg(&mut seed));
                    v.into_iter().map(move |x| x / r)
                })
                .collect();
            inputs.push((d, shell));
            for noise in [1e-13, 1e-4] {
                let side: usize = if d == 2 { 12 } else { 6 };
                let mut grid = Vec::new();
                for i in 0..side.pow(d as u32) {
                    for k in 0..d {
                        grid.push(((i / side.pow(k as u32)) % side) as f64 + noise * (lcg(&mut seed) - 0.5));
                    }
                }
                inputs.push((d, grid));
            }
        }
        for (d, pts) in &inputs {
            let (mut fast, mut base) = (Simplices::default(), Simplices::default());
            let (a, b) = if *d == 2 {
                let r = Engine::<2>::default().triangulate(pts, &mut fast);
                (r, Engine::<2> { baseline: true, ..Default::default() }.triangulate(pts, &mut base))
            } else {
                let r = Engine::<3>::default().triangulate(pts, &mut fast);
                (r, Engine::<3> { baseline: true, ..Default::default() }.triangulate(pts, &mut base))
            };
            assert_eq!(a, b, "{d}-D, {} points", pts.len() / d);
            if a.is_ok() {
                assert!(fast == base, "{d}-D, {} points: different simplices or measures", pts.len() / d);
            }
        }
    }

    #[test]
    fn the_engines_measures_are_those_of_its_simplices() {
        // The sides and volumes the engine writes as it lists its simplices, against the measure
        // module's own computation from the listed simplices and the input points: the sides
        // equal to the bit (the same arithmetic), the volumes (another expansion of the same
        // determinant) to rounding.
        let mut seed = 31u64;
        for d in [2usize, 3] {
            let pts: Vec<f64> = (0..d * 500).map(|_| 10.0 * lcg(&mut seed) - 3.0).collect();
            let mut s = Simplices::default();
            let result = if d == 2 {
                Engine::<2>::default().triangulate(&pts, &mut s)
            } else {
                Engine::<3>::default().triangulate(&pts, &mut s)
            };
            result.unwrap();
            let mut own = SimplexStats::default();
            own.compute(&pts, d, &s.simplices);
            assert_eq!(s.stats.len(), s.simplices.len() / (d + 1));
            let (a_small, a_large, a_vol) = s.stats.columns_mut();
            let (b_small, b_large, b_vol) = own.columns_mut();
            assert_eq!(a_small, b_small, "{d}-D smallest sides");
            assert_eq!(a_large, b_large, "{d}-D largest sides");
            // Rounding is relative to the simplex's size (a sliver's volume is a cancellation).
            for ((x, y), side) in a_vol.iter().zip(b_vol.iter()).zip(a_large.iter()) {
                assert!((x - y).abs() <= 1e-14 * side.powi(d as i32), "{d}-D volume {x} against {y}");
            }
        }
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
