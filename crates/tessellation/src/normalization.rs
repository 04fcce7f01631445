//! The normalization routines of `commensurability` 1.1.1: reference volumes measured from the
//! coordinate origin (the Galactic centre for orbits), always from all input points.

use crate::qhull;
use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

/// A normalization routine, named as in the reference package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Normalization {
    /// 2-D: π · max |p|² (the reference's 2-D default).
    Circle,
    /// 3-D: (4/3) π · max |p|³.
    Sphere,
    /// 3-D: π · max (x² + y²) · (max z − min z).
    Cylinder,
    /// 3-D: the reference's `Rz_convexhull` formula, reproduced literally (2π |Σ w_k c_k| over a fan
    /// of the (R, z) hull; not the true revolved volume, see the crate docs).
    RzConvexHull,
    /// 3-D and N-D: volume of the convex hull of the points.
    ConvexHull,
    /// 3-D and N-D: volume of the convex hull of the points and their copies rotated by 90°, 180°
    /// and 270° about the z axis (rotation in the first two coordinates). The 3-D and N-D default.
    ConvexHullRot4,
    /// N-D: (1/√(dπ)) (2πe/d)^{d/2} · max |p|^d, the reference's Stirling-type approximation of the
    /// d-ball volume.
    NSphereApprox,
}

impl Normalization {
    /// Every routine, in the order the reference lists them.
    pub const ALL: [Normalization; 7] = [
        Normalization::Circle,
        Normalization::Sphere,
        Normalization::Cylinder,
        Normalization::RzConvexHull,
        Normalization::ConvexHull,
        Normalization::ConvexHullRot4,
        Normalization::NSphereApprox,
    ];

    /// The reference's name for the routine (e.g. `"convexhull_rot4"`).
    pub fn name(self) -> &'static str {
        match self {
            Normalization::Circle => "circle",
            Normalization::Sphere => "sphere",
            Normalization::Cylinder => "cylinder",
            Normalization::RzConvexHull => "Rz_convexhull",
            Normalization::ConvexHull => "convexhull",
            Normalization::ConvexHullRot4 => "convexhull_rot4",
            Normalization::NSphereApprox => "nsphere_approx",
        }
    }

    /// The default routine for a dimension: `circle` in 2-D, `convexhull_rot4` otherwise.
    pub fn default_for(ndim: usize) -> Normalization {
        if ndim == 2 {
            Normalization::Circle
        } else {
            Normalization::ConvexHullRot4
        }
    }

    /// The routines available in `ndim` dimensions.
    pub fn available(ndim: usize) -> &'static [Normalization] {
        match ndim {
            2 => &[Normalization::Circle],
            3 => &[
                Normalization::Sphere,
                Normalization::Cylinder,
                Normalization::RzConvexHull,
                Normalization::ConvexHull,
                Normalization::ConvexHullRot4,
            ],
            _ => &[Normalization::NSphereApprox, Normalization::ConvexHull, Normalization::ConvexHullRot4],
        }
    }
}

impl fmt::Display for Normalization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown normalization name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownNormalization(pub String);

impl fmt::Display for UnknownNormalization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Normalization::ALL.iter().map(|n| n.name()).collect();
        write!(f, "unknown normalization '{}'; use one of {} (or 'default')", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownNormalization {}

impl FromStr for Normalization {
    type Err = UnknownNormalization;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Normalization::ALL
            .iter()
            .copied()
            .find(|n| n.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownNormalization(s.to_string()))
    }
}

/// Inputs a routine may need beyond the points, computed once by the tessellation.
pub(crate) struct HullHints<'a> {
    /// Sum of the volumes of all Delaunay simplices: the hull volume of the points.
    pub total_volume: f64,
    /// Indices of points known to include every hull vertex (all points if unknown).
    pub hull_candidates: Option<&'a [u32]>,
}

/// Computes the normalization constant of `routine` for `points` (row-major, `ndim` columns), in
/// units of length^ndim.
pub(crate) fn constant(routine: Normalization, points: &[f64], ndim: usize, hints: &HullHints) -> Result<f64, String> {
    let rows = points.chunks_exact(ndim);
    match routine {
        Normalization::Circle | Normalization::Sphere | Normalization::NSphereApprox => {
            let r2max = rows.map(|p| p.iter().map(|c| c * c).sum::<f64>()).fold(0.0f64, f64::max);
            let r = r2max.sqrt();
            Ok(match routine {
                Normalization::Circle => PI * r * r,
                Normalization::Sphere => 4.0 / 3.0 * PI * r * r * r,
                _ => {
                    let d = ndim as f64;
                    (1.0 / (d * PI).sqrt()) * (2.0 * PI * std::f64::consts::E / d).powf(d / 2.0) * r.powi(ndim as i32)
                }
            })
        }
        Normalization::Cylinder => {
            let mut r2max = 0.0f64;
            let (mut zmin, mut zmax) = (f64::INFINITY, f64::NEG_INFINITY);
            for p in rows {
                r2max = r2max.max(p[0] * p[0] + p[1] * p[1]);
                zmin = zmin.min(p[2]);
                zmax = zmax.max(p[2]);
            }
            Ok(PI * r2max * (zmax - zmin))
        }
        Normalization::RzConvexHull => Ok(rz_convexhull(points)),
        Normalization::ConvexHull => Ok(hints.total_volume),
        Normalization::ConvexHullRot4 => {
            if ndim == 3 {
                // The hull candidates as 3-D points; the hull module adds the rotated copies.
                let base: Vec<[f64; 3]> = match hints.hull_candidates {
                    Some(idx) => {
                        idx.iter().map(|&i| i as usize * 3).map(|i| [points[i], points[i + 1], points[i + 2]]).collect()
                    }
                    None => points.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect(),
                };
                if let Some(v) = crate::hull::hull_volume_rot4(&base) {
                    return Ok(v);
                }
            }
            let mut rotated = Vec::new();
            let mut push_rotations = |p: &[f64]| {
                let (x, y) = (p[0], p[1]);
                for (rx, ry) in [(x, y), (-y, x), (-x, -y), (y, -x)] {
                    rotated.push(rx);
                    rotated.push(ry);
                    rotated.extend_from_slice(&p[2..]);
                }
            };
            match hints.hull_candidates {
                Some(idx) => {
                    idx.iter().for_each(|&i| push_rotations(&points[i as usize * ndim..(i as usize + 1) * ndim]))
                }
                None => points.chunks_exact(ndim).for_each(&mut push_rotations),
            }
            qhull::hull_volume(&rotated, ndim)
                .map_err(|e| format!("convex hull of the rotated copies failed: {}", e.message))
        }
    }
}

/// The reference's `Rz_convexhull`: fan over the counter-clockwise hull of {(R_i, z_i)} ∪ {(0, max z),
/// (0, min z)}, C = Σ w_k c_k with w_k twice the signed triangle area and c_k its centroid; returns
/// 2π |C|. Σ w_k c_k does not depend on the fan's apex, so any counter-clockwise hull gives the
/// reference's value up to rounding.
fn rz_convexhull(points: &[f64]) -> f64 {
    let mut rz: Vec<[f64; 2]> = points.chunks_exact(3).map(|p| [(p[0] * p[0] + p[1] * p[1]).sqrt(), p[2]]).collect();
    let zmax = rz.iter().map(|p| p[1]).fold(f64::NEG_INFINITY, f64::max);
    let zmin = rz.iter().map(|p| p[1]).fold(f64::INFINITY, f64::min);
    rz.push([0.0, zmax]);
    rz.push([0.0, zmin]);
    let hull = convex_hull_2d(&mut rz);
    if hull.len() < 3 {
        return 0.0;
    }
    let s = hull[0];
    let (mut cr, mut cz) = (0.0, 0.0);
    for k in 1..hull.len() - 1 {
        let t1 = [hull[k][0] - s[0], hull[k][1] - s[1]];
        let t2 = [hull[k + 1][0] - s[0], hull[k + 1][1] - s[1]];
        let w = t1[0] * t2[1] - t1[1] * t2[0];
        cr += w * (s[0] + (t1[0] + t2[0]) / 3.0);
        cz += w * (s[1] + (t1[1] + t2[1]) / 3.0);
    }
    2.0 * PI * (cr * cr + cz * cz).sqrt()
}

/// Counter-clockwise convex hull of 2-D points (Andrew's monotone chain with exact orientation),
/// without collinear boundary points.
pub(crate) fn convex_hull_2d(points: &mut [[f64; 2]]) -> Vec<[f64; 2]> {
    points.sort_unstable_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    let cross = |o: &[f64; 2], a: &[f64; 2], b: &[f64; 2]| {
        robust::orient2d(
            robust::Coord { x: o[0], y: o[1] },
            robust::Coord { x: a[0], y: a[1] },
            robust::Coord { x: b[0], y: b[1] },
        )
    };
    let mut hull: Vec<[f64; 2]> = Vec::with_capacity(points.len() + 1);
    for p in points.iter() {
        while hull.len() >= 2 && cross(&hull[hull.len() - 2], &hull[hull.len() - 1], p) <= 0.0 {
            hull.pop();
        }
        hull.push(*p);
    }
    let lower = hull.len() + 1;
    for p in points.iter().rev().skip(1) {
        while hull.len() >= lower && cross(&hull[hull.len() - 2], &hull[hull.len() - 1], p) <= 0.0 {
            hull.pop();
        }
        hull.push(*p);
    }
    hull.pop();
    hull
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_lists_real_names() {
        for n in Normalization::ALL {
            assert_eq!(n.name().parse::<Normalization>().unwrap(), n);
        }
        let err = "box".parse::<Normalization>().unwrap_err().to_string();
        assert!(err.contains("'box'") && err.contains("convexhull_rot4") && !err.contains("__"), "{err}");
    }

    #[test]
    fn rz_convexhull_of_the_5x5x5_grid_is_64_pi() {
        let mut pts = Vec::new();
        for i in 0..5 {
            for j in 0..5 {
                for k in 0..5 {
                    pts.extend_from_slice(&[i as f64 - 2.0, j as f64 - 2.0, k as f64 - 2.0]);
                }
            }
        }
        let v = rz_convexhull(&pts);
        assert!((v / (64.0 * PI) - 1.0).abs() < 1e-14, "{v}");
    }

    #[test]
    fn hull_2d_square_with_collinear_points() {
        let mut pts = vec![[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [1.0, 1.0]];
        let hull = convex_hull_2d(&mut pts);
        assert_eq!(hull, vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]]);
    }
}
