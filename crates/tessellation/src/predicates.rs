//! Geometric predicates with exact signs: a fast floating-point evaluation guarded by a cheap
//! (semi-static) error bound, and `robust`'s adaptive exact arithmetic when the bound cannot decide.
//! Signs follow `robust` (Shewchuk): `orient3d` > 0 when d lies below the plane of a, b, c (a, b, c
//! counter-clockwise seen from above); `insphere` > 0 when e is inside the sphere through a, b, c, d
//! for positively oriented a, b, c, d; likewise `orient2d` / `incircle` in the plane.

/// `a · b + c`: one fused multiply-add when `FMA` (one rounding instead of two; only in code
/// compiled for a CPU that has the instruction), else a product and a sum.
#[inline(always)]
fn madd<const FMA: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FMA {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// A point in 3-D (2-D callers leave z at 0 and it is never read).
pub(crate) type P3 = [f64; 3];

#[inline(always)]
fn c2(p: &P3) -> robust::Coord<f64> {
    robust::Coord { x: p[0], y: p[1] }
}

#[inline(always)]
fn c3(p: &P3) -> robust::Coord3D<f64> {
    robust::Coord3D { x: p[0], y: p[1], z: p[2] }
}

/// max without NaN handling (inputs are finite): compiles to one instruction.
#[inline(always)]
fn fmax(a: f64, b: f64) -> f64 {
    if a > b {
        a
    } else {
        b
    }
}

#[inline(always)]
fn max3(a: f64, b: f64, c: f64) -> f64 {
    fmax(fmax(a.abs(), b.abs()), c.abs())
}

/// Orientation of three points in the plane (twice the signed area; exact sign).
#[inline]
pub(crate) fn orient2d(a: &P3, b: &P3, c: &P3) -> f64 {
    orient2d_filtered(a, b, c).unwrap_or_else(|| robust::orient2d(c2(a), c2(b), c2(c)))
}

/// [`orient2d`] in floating point, when its sign is certain (`None` otherwise).
#[inline(always)]
pub(crate) fn orient2d_filtered(a: &P3, b: &P3, c: &P3) -> Option<f64> {
    let acx = a[0] - c[0];
    let bcx = b[0] - c[0];
    let acy = a[1] - c[1];
    let bcy = b[1] - c[1];
    let det = acx * bcy - acy * bcx;
    // |det| ≤ 2·mx·my; Shewchuk's fast-path bound is (3 + 16ε)ε times the permanent.
    let bound = 3.0e-15 * fmax(acx.abs(), bcx.abs()) * fmax(acy.abs(), bcy.abs());
    (det > bound || -det > bound).then_some(det)
}

/// Orientation of four points in space (six times the signed volume; exact sign).
#[inline]
pub(crate) fn orient3d(a: &P3, b: &P3, c: &P3, d: &P3) -> f64 {
    orient3d_filtered(a, b, c, d).unwrap_or_else(|| robust::orient3d(c3(a), c3(b), c3(c), c3(d)))
}

/// [`orient3d`] in floating point, when its sign is certain (`None` otherwise).
#[inline(always)]
pub(crate) fn orient3d_filtered(a: &P3, b: &P3, c: &P3, d: &P3) -> Option<f64> {
    let (adx, ady, adz) = (a[0] - d[0], a[1] - d[1], a[2] - d[2]);
    let (bdx, bdy, bdz) = (b[0] - d[0], b[1] - d[1], b[2] - d[2]);
    let (cdx, cdy, cdz) = (c[0] - d[0], c[1] - d[1], c[2] - d[2]);
    let det = adx * (bdy * cdz - bdz * cdy) + bdx * (cdy * adz - cdz * ady) + cdx * (ady * bdz - adz * bdy);
    // permanent ≤ 6·mx·my·mz; Shewchuk's fast-path bound is (7 + 56ε)ε × permanent ≈ 1.6e-15 ×
    // permanent. A factor-2 margin on top.
    let mx = max3(adx, bdx, cdx);
    let my = max3(ady, bdy, cdy);
    let mz = max3(adz, bdz, cdz);
    let bound = 2.0e-14 * mx * my * mz;
    (det > bound || -det > bound).then_some(det)
}

/// Relative error bound of [`Lifted::eval`]: the floating-point value is within
/// `LIFTED_FILTER` × its permanent bound of the exact determinant (a forward error analysis gives
/// about 13 ε = 1.4e-15 for the deepest path; a margin of 3.5 on top).
pub(crate) const LIFTED_FILTER: f64 = 5e-15;

/// A vertex relative to an origin, lifted: `(x, y, z, x² + y² + z²)` (2-D rows have z = 0). Rows
/// shared by several cells are computed once.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Row {
    v: [f64; 4],
}

impl Row {
    /// The row of `p` relative to `origin`.
    #[inline(always)]
    pub(crate) fn new(p: &P3, origin: &P3) -> Self {
        let (x, y, z) = (p[0] - origin[0], p[1] - origin[1], p[2] - origin[2]);
        Row { v: [x, y, z, x * x + y * y + z * z] }
    }

    /// The row of `p` relative to `origin` in the plane (z ignored).
    #[inline(always)]
    pub(crate) fn new_2d(p: &P3, origin: &P3) -> Self {
        let (x, y) = (p[0] - origin[0], p[1] - origin[1]);
        Row { v: [x, y, 0.0, x * x + y * y] }
    }
}

/// The in-sphere (3-D) or in-circle (2-D) test of one cell, prepared once so that each query costs
/// a dot product. With one vertex of the cell as origin O and the other vertices as rows B, C, D
/// (relative to O, lifted by their squared length), the test of a point Q (relative to O) is the
/// determinant of the rows (B, C, D, Q); expanded along the row of Q it is
/// `k · (Qx, Qy, Qz, |Q|²)`. `k` carries the sign that makes it Shewchuk's (`robust`) in-sphere
/// determinant: positive when the point is inside. The engine stores it moved to centred
/// coordinates ([`Lifted::centred`]) and evaluates this relative form only when the static filter
/// cannot decide, with its error bound from the rows' [`Magnitudes`]. Lengths in the units of the
/// points.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Lifted {
    k: [f64; 4],
}

/// Per column, the largest magnitude among the rows B, C, D of a [`Lifted`] test (lengths; the
/// lifted column in length²): what its error bound needs.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Magnitudes([f64; 4]);

impl Magnitudes {
    /// The magnitudes of the test with origin `origin` and the other vertices `others` (the
    /// first two in 2-D): the largest |coordinate difference| per column and the largest squared
    /// distance, computed as the rows of [`Lifted::from_rows_3d`] are.
    #[inline(always)]
    pub(crate) fn of<const D: usize>(origin: &P3, others: [&P3; 3]) -> Self {
        let mut m = [0.0f64; 4];
        for q in others.iter().take(D) {
            let r = if D == 2 { Row::new_2d(q, origin) } else { Row::new(q, origin) };
            for (mj, rj) in m.iter_mut().zip(r.v) {
                *mj = fmax(*mj, rj.abs());
            }
        }
        if D == 2 {
            m[2] = 1.0;
        }
        Magnitudes(m)
    }
}

/// A point relative to the centre of the input's bounding box, lifted by its squared length:
/// `(x, y, z, x² + y² + z²)` (2-D: z = 0); lengths and length².
pub(crate) type Lift = [f64; 4];

/// The lift of `p` relative to `centre` ([`Lift`]).
#[inline(always)]
pub(crate) fn lift<const D: usize>(p: &P3, centre: &P3) -> Lift {
    relative::<D>(centre, p)
}

/// A [`Lifted`] test moved to centred coordinates: its value for a point with lift `q` is
/// `k · q + c`, one dot product with no origin to read (the in-sphere determinant, length^5 in
/// 3-D, length^4 in 2-D).
///
/// Error bound: with every point within half the bounding box's sides `L` of the centre, the
/// value differs from that of the [`Lifted`] test it came from by less than
/// [`CENTRED_FILTER`] × 24 · Lx · Ly · Lz · |L|² (2-D: × 6 · Lx · Ly · |L|²). The terms of the dot
/// product and of `c` are each below 24 · Lx · Ly · Lz · |L|² in sum, and the roundings are those
/// of the centring of both points (30 u), of `k` (15 u), of the query's lift (5 u), of `c` (44 u)
/// and of the dot product (96 u): 190 u ≈ 2.1e-14 in all, u = 2⁻⁵³ (2-D: 52 u). So the static
/// filter ([`static_bounds`]) covers both. In fused multiply-adds (the `FMA` forms) a product and
/// the sum it enters round once instead of twice, and each step's error stays within the same
/// share of the permanent, so the bound holds for them too.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Centred {
    k: [f64; 4],
    c: f64,
}

/// The centred form's own relative error bound, added to [`LIFTED_FILTER`] (see [`Centred`]): the
/// 190 u of its analysis relative to the 24-fold permanent, 0.9e-15, with a margin of 2.
pub(crate) const CENTRED_FILTER: f64 = 2e-15;

impl Centred {
    /// A test that decides nothing (every value NaN): that of an empty cell record.
    pub(crate) const UNDECIDED: Centred = Centred { k: [f64::NAN; 4], c: f64::NAN };

    /// The coefficient of the query's squared length: ± the orientation determinant of the cell
    /// (6 × its volume in 3-D, length³; 2 × its area in 2-D, length²), computed from its vertices
    /// relative to one of them; 0 for a ghost's half-space test.
    #[inline(always)]
    pub(crate) fn orientation(&self) -> f64 {
        self.k[3]
    }

    /// The floating-point determinant for the point with lift `q` (see [`lift`]), in fused
    /// multiply-adds if `FMA` (within the same bound: each product and sum rounds once).
    #[inline(always)]
    pub(crate) fn det<const FMA: bool>(&self, q: &Lift) -> f64 {
        let k = &self.k;
        if FMA {
            // Two chains of two, for the latency.
            madd::<true>(k[0], q[0], madd::<true>(k[1], q[1], self.c)) + madd::<true>(k[2], q[2], k[3] * q[3])
        } else {
            ((k[0] * q[0] + k[1] * q[1]) + (k[2] * q[2] + k[3] * q[3])) + self.c
        }
    }
}

impl Lifted {
    /// Prepares the in-sphere test of the tetrahedron (a, b, c, d) (origin a).
    #[inline(always)]
    pub(crate) fn sphere(a: &P3, b: &P3, c: &P3, d: &P3) -> Self {
        Self::from_rows_3d::<false>(&Row::new(b, a), &Row::new(c, a), &Row::new(d, a), 1.0)
    }

    /// Prepares the in-circle test of the triangle (a, b, c) (origin a; z ignored).
    #[inline(always)]
    pub(crate) fn circle(a: &P3, b: &P3, c: &P3) -> Self {
        Self::from_rows_2d::<false>(&Row::new_2d(b, a), &Row::new_2d(c, a), -1.0)
    }

    /// The in-sphere test of a tetrahedron from the rows of three vertices relative to the fourth,
    /// the origin. With the vertices in slot order and the origin in slot k, `sign` = (−1)^k
    /// (moving the origin's row first) makes the value Shewchuk's determinant. With `FMA` the
    /// minors with the lifted column are taken in fused multiply-adds; the orientation minor
    /// (`k[3]`, the cell's volume) is computed the same way in both.
    #[inline(always)]
    pub(crate) fn from_rows_3d<const FMA: bool>(b: &Row, c: &Row, d: &Row, sign: f64) -> Self {
        let (bb, cc, dd) = (&b.v, &c.v, &d.v);
        // 2 × 2 minors of the rows C and D over column pairs (w = the lifted column).
        let s_xy = cc[0] * dd[1] - cc[1] * dd[0];
        let s_xz = cc[0] * dd[2] - cc[2] * dd[0];
        let s_yz = cc[1] * dd[2] - cc[2] * dd[1];
        let s_xw = madd::<FMA>(cc[0], dd[3], -(cc[3] * dd[0]));
        let s_yw = madd::<FMA>(cc[1], dd[3], -(cc[3] * dd[1]));
        let s_zw = madd::<FMA>(cc[2], dd[3], -(cc[3] * dd[2]));
        // 3 × 3 minors of the rows B, C, D without column x, y, z, w.
        let (m_yzw, m_xzw, m_xyw) = if FMA {
            (
                madd::<true>(bb[3], s_yz, madd::<true>(bb[1], s_zw, -(bb[2] * s_yw))),
                madd::<true>(bb[3], s_xz, madd::<true>(bb[0], s_zw, -(bb[2] * s_xw))),
                madd::<true>(bb[3], s_xy, madd::<true>(bb[0], s_yw, -(bb[1] * s_xw))),
            )
        } else {
            (
                bb[1] * s_zw - bb[2] * s_yw + bb[3] * s_yz,
                bb[0] * s_zw - bb[2] * s_xw + bb[3] * s_xz,
                bb[0] * s_yw - bb[1] * s_xw + bb[3] * s_xy,
            )
        };
        let m_xyz = bb[0] * s_yz - bb[1] * s_xz + bb[2] * s_xy;
        Lifted { k: [-sign * m_yzw, sign * m_xzw, -sign * m_xyw, sign * m_xyz] }
    }

    /// The in-circle test of a triangle from the rows of two vertices relative to the third, the
    /// origin. With the vertices in slot order and the origin in slot k, `sign` = −(−1)^k. With
    /// `FMA` as in [`Lifted::from_rows_3d`].
    #[inline(always)]
    pub(crate) fn from_rows_2d<const FMA: bool>(b: &Row, c: &Row, sign: f64) -> Self {
        let (bb, cc) = (&b.v, &c.v);
        Lifted {
            k: [
                sign * madd::<FMA>(bb[1], cc[3], -(bb[3] * cc[1])),
                -sign * madd::<FMA>(bb[0], cc[3], -(bb[3] * cc[0])),
                0.0,
                sign * (bb[0] * cc[1] - bb[1] * cc[0]),
            ],
        }
    }

    /// The conflict test of a ghost cell, in the same form: `scale` times the orientation of the
    /// hull facet with the query point (Shewchuk's `orient3d` of the facet's vertices in slot order
    /// and the point), positive when the point is beyond the facet. The facet is one of its
    /// vertices and the vertices with rows `b` and `c` relative to it; with that vertex in slot k,
    /// `sign` = −(−1)^k. The test is the facet's normal, so any vertex of the facet may serve as
    /// its origin when it is evaluated. `scale` (length², the squared diagonal of the input's
    /// bounding box) brings the value to the size of an in-sphere determinant, so that the static
    /// filter decides it too (see [`static_bounds`]).
    #[inline(always)]
    pub(crate) fn half_space_3d(b: &Row, c: &Row, sign: f64, scale: f64) -> Self {
        let (bb, cc) = (&b.v, &c.v);
        let s = sign * scale;
        let normal = [bb[1] * cc[2] - bb[2] * cc[1], bb[2] * cc[0] - bb[0] * cc[2], bb[0] * cc[1] - bb[1] * cc[0]];
        Lifted { k: [s * normal[0], s * normal[1], s * normal[2], 0.0] }
    }

    /// [`Lifted::half_space_3d`] in the plane: `scale` times Shewchuk's `orient2d` of the hull
    /// edge (its vertex in slot k and the vertex with row `b`, in slot order) and the query point.
    #[inline(always)]
    pub(crate) fn half_space_2d(b: &Row, sign: f64, scale: f64) -> Self {
        let s = sign * scale;
        Lifted { k: [s * b.v[1], -s * b.v[0], 0.0, 0.0] }
    }

    /// The same test in centred coordinates ([`Centred`]), given the centred lift of its origin:
    /// `k · (q − o, |q − o|²)` expanded in `q` and `o` (see [`Centred`] for its error bound), in
    /// fused multiply-adds if `FMA`.
    #[inline(always)]
    pub(crate) fn centred<const FMA: bool>(&self, origin: &Lift) -> Centred {
        let (k, o) = (&self.k, origin);
        let twice = 2.0 * k[3];
        if FMA {
            let dot = madd::<true>(k[0], o[0], madd::<true>(k[1], o[1], k[2] * o[2]));
            Centred {
                k: [
                    madd::<true>(-twice, o[0], k[0]),
                    madd::<true>(-twice, o[1], k[1]),
                    madd::<true>(-twice, o[2], k[2]),
                    k[3],
                ],
                c: madd::<true>(k[3], o[3], -dot),
            }
        } else {
            Centred {
                k: [k[0] - twice * o[0], k[1] - twice * o[1], k[2] - twice * o[2], k[3]],
                c: k[3] * o[3] - ((k[0] * o[0] + k[1] * o[1]) + k[2] * o[2]),
            }
        }
    }

    /// `k · q`, the determinant for a lifted query `q` relative to the origin.
    #[inline(always)]
    fn lifted_dot(&self, q: &[f64; 4]) -> f64 {
        (self.k[0] * q[0] + self.k[1] * q[1]) + (self.k[2] * q[2] + self.k[3] * q[3])
    }

    /// The floating-point determinant for the point `p` (origin `origin`) and an upper bound of
    /// its permanent (length^5 in 3-D, length^4 in 2-D), given the test's magnitudes `m`.
    #[inline(always)]
    pub(crate) fn eval<const D: usize>(&self, m: &Magnitudes, origin: &P3, p: &P3) -> (f64, f64) {
        let m = &m.0;
        let q = relative::<D>(origin, p);
        let det = self.lifted_dot(&q);
        let mx = fmax(m[0], q[0].abs());
        let my = fmax(m[1], q[1].abs());
        let mw = fmax(m[3], q[3]);
        let perm = if D == 3 { 24.0 * mx * my * fmax(m[2], q[2].abs()) * mw } else { 6.0 * mx * my * mw };
        (det, perm)
    }
}

/// The query point relative to the origin, lifted by its squared length.
#[inline(always)]
fn relative<const D: usize>(origin: &P3, p: &P3) -> [f64; 4] {
    let q = [p[0] - origin[0], p[1] - origin[1], if D == 3 { p[2] - origin[2] } else { 0.0 }];
    [q[0], q[1], q[2], q[0] * q[0] + q[1] * q[1] + q[2] * q[2]]
}

/// The static bounds of an input whose bounding box has sides `extent` (the first D used):
/// length^5 in 3-D, length^4 in 2-D.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StaticBounds {
    /// An upper bound of the permanent of [`Lifted::eval`] for every cell and query drawn from
    /// the points: every coordinate difference is at most the side and every squared length at
    /// most the squared diagonal; a factor 2 covers the rounding of those squares and of the bound.
    pub permanent: f64,
    /// The static filter: `LIFTED_FILTER + CENTRED_FILTER` times the permanent bound. A
    /// [`Centred::det`] beyond it has a certain sign, with no per-cell bound to compute. It also
    /// covers a ghost's half-space test ([`Lifted::half_space_3d`]) scaled by the squared
    /// diagonal: that orientation's rounding error is below 70 ε · Lx · Ly · Lz (12 ε · Lx · Ly in
    /// 2-D) before scaling, a twentieth of the bound, and its centred form adds less than the
    /// finite cells'. Infinite when it would underflow or overflow, so that it then decides
    /// nothing.
    pub filter: f64,
}

/// The static bounds ([`StaticBounds`]) of points whose bounding box has sides `extent`.
pub(crate) fn static_bounds<const D: usize>(extent: &P3) -> StaticBounds {
    let (lx, ly, lz) = (extent[0], extent[1], if D == 3 { extent[2] } else { 1.0 });
    let lw = lx * lx + ly * ly + if D == 3 { lz * lz } else { 0.0 };
    let permanent = 2.0 * if D == 3 { 24.0 * lx * ly * lz * lw } else { 6.0 * lx * ly * lw };
    let filter = (LIFTED_FILTER + CENTRED_FILTER) * permanent;
    if filter.is_normal() && permanent.is_normal() {
        StaticBounds { permanent, filter }
    } else {
        StaticBounds { permanent: f64::INFINITY, filter: f64::INFINITY }
    }
}

/// Exact in-sphere (3-D) / in-circle (2-D) sign of `p` against the cell (a, b, c, d) prepared as
/// `lifted` with its origin in slot `origin`: positive inside, negative outside, zero on the sphere.
#[cfg(test)]
pub(crate) fn in_lifted<const D: usize>(lifted: &Lifted, origin: usize, cell: [&P3; 4], p: &P3) -> f64 {
    let others: Vec<&P3> = (0..=D).filter(|&j| j != origin).map(|j| cell[j]).collect();
    let m = Magnitudes::of::<D>(cell[origin], [others[0], others[1], others[D - 1]]);
    let (det, perm) = lifted.eval::<D>(&m, cell[origin], p);
    let bound = LIFTED_FILTER * perm;
    if det > bound || -det > bound {
        det
    } else {
        exact_in_sphere::<D>(cell, p)
    }
}

/// The exact in-sphere (3-D) / in-circle (2-D) determinant of `p` against the cell (a, b, c, d)
/// (adaptive arithmetic; `d` unused in 2-D): positive inside.
pub(crate) fn exact_in_sphere<const D: usize>(cell: [&P3; 4], p: &P3) -> f64 {
    if D == 3 {
        robust::insphere(c3(cell[0]), c3(cell[1]), c3(cell[2]), c3(cell[3]), c3(p))
    } else {
        robust::incircle(c2(cell[0]), c2(cell[1]), c2(cell[2]), c2(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64) / ((1u64 << 53) as f64)
    }

    /// The filtered predicates agree in sign with `robust` everywhere, including on near-degenerate
    /// inputs built to sit on the decision boundary.
    #[test]
    fn signs_agree_with_exact_arithmetic() {
        let mut seed = 42;
        for trial in 0..20000 {
            let mut p: Vec<P3> =
                (0..5).map(|_| [lcg(&mut seed) * 10.0 - 5.0, lcg(&mut seed) * 10.0 - 5.0, lcg(&mut seed)]).collect();
            if trial % 3 == 0 {
                // Make e (nearly) cospherical / d (nearly) coplanar: mirror points of a symmetric set.
                p[4] = [p[0][0] + p[1][0] - p[2][0], p[0][1] + p[1][1] - p[2][1], p[0][2] + p[1][2] - p[2][2]];
                p[3] = [(p[0][0] + p[1][0]) * 0.5, (p[0][1] + p[1][1]) * 0.5, (p[0][2] + p[1][2]) * 0.5];
            }
            if trial % 4 == 1 {
                // Far from the origin, where centring rounds.
                p.iter_mut().for_each(|q| *q = [q[0] + 3.0e4, q[1] - 7.0e3, q[2] + 1.0e3]);
            }
            let s = |x: f64| x.partial_cmp(&0.0);
            assert_eq!(s(orient2d(&p[0], &p[1], &p[2])), s(robust::orient2d(c2(&p[0]), c2(&p[1]), c2(&p[2]))));
            assert_eq!(
                s(orient3d(&p[0], &p[1], &p[2], &p[3])),
                s(robust::orient3d(c3(&p[0]), c3(&p[1]), c3(&p[2]), c3(&p[3])))
            );
            let sphere = Lifted::sphere(&p[0], &p[1], &p[2], &p[3]);
            let sphere_mags = Magnitudes::of::<3>(&p[0], [&p[1], &p[2], &p[3]]);
            assert_eq!(
                s(in_lifted::<3>(&sphere, 0, [&p[0], &p[1], &p[2], &p[3]], &p[4])),
                s(robust::insphere(c3(&p[0]), c3(&p[1]), c3(&p[2]), c3(&p[3]), c3(&p[4])))
            );
            // Any vertex may be the origin, with the sign (−1)^k (3-D) or −(−1)^k (2-D) for slot k.
            let exact3 = s(robust::insphere(c3(&p[0]), c3(&p[1]), c3(&p[2]), c3(&p[3]), c3(&p[4])));
            let exact2 = s(robust::incircle(c2(&p[0]), c2(&p[1]), c2(&p[2]), c2(&p[4])));
            for k in 0..4 {
                let o = &p[k];
                let rows: Vec<Row> = (0..4).filter(|&j| j != k).map(|j| Row::new(&p[j], o)).collect();
                let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
                let lifted = Lifted::from_rows_3d::<false>(&rows[0], &rows[1], &rows[2], sign);
                assert_eq!(s(in_lifted::<3>(&lifted, k, [&p[0], &p[1], &p[2], &p[3]], &p[4])), exact3, "origin {k}");
                if k < 3 {
                    let rows: Vec<Row> = (0..3).filter(|&j| j != k).map(|j| Row::new_2d(&p[j], o)).collect();
                    let lifted = Lifted::from_rows_2d::<false>(&rows[0], &rows[1], -sign);
                    assert_eq!(
                        s(in_lifted::<2>(&lifted, k, [&p[0], &p[1], &p[2], &p[2]], &p[4])),
                        exact2,
                        "origin {k}"
                    );
                }
            }
            // The point at infinity (NaN) as the query passes no test: the output sweep relies on
            // it across hull facets.
            let (det, perm) = sphere.eval::<3>(&sphere_mags, &p[0], &[f64::NAN; 3]);
            assert!(det.partial_cmp(&0.0).is_none() && det.abs().partial_cmp(&perm).is_none());
            // A ghost's half-space test, prepared from the rows relative to any facet vertex and
            // centred at any facet vertex, is the facet's scaled orientation to within the static
            // bound (2-D: the edge of the first two points).
            let (lo, hi) = p.iter().fold(([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]), |(l, h), q| {
                (std::array::from_fn(|k| l[k].min(q[k])), std::array::from_fn(|k| h[k].max(q[k])))
            });
            let extent: P3 = std::array::from_fn(|k| hi[k] - lo[k]);
            let centre: P3 = std::array::from_fn(|k| lo[k] + 0.5 * extent[k]);
            let scale: f64 = extent.iter().map(|l| l * l).sum();
            let (bounds3, bounds2) = (static_bounds::<3>(&extent), static_bounds::<2>(&extent));
            let (lift3, lift2) = (|q: &P3| lift::<3>(q, &centre), |q: &P3| lift::<2>(q, &centre));
            let exact3 = robust::orient3d(c3(&p[0]), c3(&p[1]), c3(&p[2]), c3(&p[4])) * scale;
            let exact2 = robust::orient2d(c2(&p[0]), c2(&p[1]), c2(&p[4])) * scale;
            for k in 0..3 {
                let sign = if k % 2 == 0 { -1.0 } else { 1.0 };
                let rows: Vec<Row> = (0..3).filter(|&j| j != k).map(|j| Row::new(&p[j], &p[k])).collect();
                let ghost = Lifted::half_space_3d(&rows[0], &rows[1], sign, scale);
                for o in &p[..3] {
                    let det = ghost.centred::<false>(&lift3(o)).det::<false>(&lift3(&p[4]));
                    assert!((det - exact3).abs() <= bounds3.filter / 20.0, "3-D rows from {k}");
                }
                if k < 2 {
                    let row = Row::new_2d(&p[1 - k], &p[k]);
                    let ghost = Lifted::half_space_2d(&row, sign, scale);
                    for o in &p[..2] {
                        let det = ghost.centred::<false>(&lift2(o)).det::<false>(&lift2(&p[4]));
                        assert!((det - exact2).abs() <= bounds2.filter / 20.0, "2-D rows from {k}");
                    }
                }
            }
            // The static bound of the points' bounding box covers this cell's own bound, and the
            // centred test is the exact determinant to within the static filter.
            let (_, perm3) = sphere.eval::<3>(&sphere_mags, &p[0], &p[4]);
            assert!(perm3 <= bounds3.permanent && LIFTED_FILTER * perm3 <= bounds3.filter);
            let exact = robust::insphere(c3(&p[0]), c3(&p[1]), c3(&p[2]), c3(&p[3]), c3(&p[4]));
            let centred = sphere.centred::<false>(&lift3(&p[0])).det::<false>(&lift3(&p[4]));
            assert!((centred - exact).abs() <= bounds3.filter, "{exact} vs {centred}");
            // The same in fused multiply-adds (the x86-64-v3 body's forms), and the same volume.
            let fused = Lifted::from_rows_3d::<true>(
                &Row::new(&p[1], &p[0]),
                &Row::new(&p[2], &p[0]),
                &Row::new(&p[3], &p[0]),
                1.0,
            );
            assert_eq!(fused.k[3], sphere.k[3]);
            let centred = fused.centred::<true>(&lift3(&p[0])).det::<true>(&lift3(&p[4]));
            assert!((centred - exact).abs() <= bounds3.filter, "fused: {exact} vs {centred}");
            let circle = Lifted::circle(&p[0], &p[1], &p[2]);
            let circle_mags = Magnitudes::of::<2>(&p[0], [&p[1], &p[2], &p[2]]);
            let (_, perm2) = circle.eval::<2>(&circle_mags, &p[0], &p[4]);
            assert!(perm2 <= bounds2.permanent && LIFTED_FILTER * perm2 <= bounds2.filter);
            let exact = robust::incircle(c2(&p[0]), c2(&p[1]), c2(&p[2]), c2(&p[4]));
            let centred = circle.centred::<false>(&lift2(&p[0])).det::<false>(&lift2(&p[4]));
            assert!((centred - exact).abs() <= bounds2.filter, "{exact} vs {centred}");
            let fused = Lifted::from_rows_2d::<true>(&Row::new_2d(&p[1], &p[0]), &Row::new_2d(&p[2], &p[0]), -1.0);
            assert_eq!(fused.k[3], circle.k[3]);
            let centred = fused.centred::<true>(&lift2(&p[0])).det::<true>(&lift2(&p[4]));
            assert!((centred - exact).abs() <= bounds2.filter, "fused: {exact} vs {centred}");
            assert_eq!(
                s(in_lifted::<2>(&circle, 0, [&p[0], &p[1], &p[2], &p[2]], &p[4])),
                s(robust::incircle(c2(&p[0]), c2(&p[1]), c2(&p[2]), c2(&p[4])))
            );
            // The prepared value is the exact determinant to within the filter's bound.
            let exact = robust::insphere(c3(&p[0]), c3(&p[1]), c3(&p[2]), c3(&p[3]), c3(&p[4]));
            let (prepared, perm) = sphere.eval::<3>(&sphere_mags, &p[0], &p[4]);
            assert!((exact - prepared).abs() <= LIFTED_FILTER * perm, "{exact} vs {prepared}");
            let exact = robust::incircle(c2(&p[0]), c2(&p[1]), c2(&p[2]), c2(&p[4]));
            let (prepared, perm) = circle.eval::<2>(&circle_mags, &p[0], &p[4]);
            assert!((exact - prepared).abs() <= LIFTED_FILTER * perm, "{exact} vs {prepared}");
        }
    }
}
