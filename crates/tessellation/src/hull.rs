//! Convex-hull volume in 3-D by quickhull, for the normalization constants. Faster than a Qhull
//! call for the few hundred points a `convexhull_rot4` constant needs. Visibility uses each
//! facet's plane with a small tolerance (a point within it counts as on the hull, which leaves the
//! volume unchanged to rounding); if the structure ever becomes inconsistent, or the points are
//! flat, it returns `None` and the caller asks Qhull.

use crate::predicates::{orient3d, P3};

#[derive(Debug, Clone)]
struct Facet {
    /// Vertices, counter-clockwise seen from outside.
    v: [u32; 3],
    /// Neighbour across edge i = (v[i], v[i+1]).
    n: [u32; 3],
    /// Points strictly outside this facet, not yet on the hull.
    outside: Vec<u32>,
    alive: bool,
    visit: u32,
    /// Outward normal (b − a) × (c − a) and offset normal · a; outside ⇔ normal · p − offset > tol.
    normal: P3,
    offset: f64,
    tol: f64,
}

impl Facet {
    fn new(v: [u32; 3], n: [u32; 3], points: &[P3], scale: f64) -> Self {
        let (a, b, c) = (points[v[0] as usize], points[v[1] as usize], points[v[2] as usize]);
        let (u, w) = ([b[0] - a[0], b[1] - a[1], b[2] - a[2]], [c[0] - a[0], c[1] - a[1], c[2] - a[2]]);
        let normal = [u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]];
        let len = (normal[0] * normal[0] + normal[1] * normal[1] + normal[2] * normal[2]).sqrt();
        let offset = normal[0] * a[0] + normal[1] * a[1] + normal[2] * a[2];
        Facet { v, n, outside: Vec::new(), alive: true, visit: 0, normal, offset, tol: 1e-12 * len * scale }
    }

    /// Signed height of `p` above the facet's plane, times |normal|.
    #[inline]
    fn height(&self, p: &P3) -> f64 {
        self.normal[0] * p[0] + self.normal[1] * p[1] + self.normal[2] * p[2] - self.offset
    }

    #[inline]
    fn sees(&self, p: &P3) -> bool {
        self.height(p) > self.tol
    }
}

/// Volume of the convex hull of `points`, or `None` if they are (nearly) coplanar.
pub(crate) fn hull_volume_3d(points: &[P3]) -> Option<f64> {
    let n = points.len();
    if n < 4 {
        return None;
    }
    let d2 = |a: &P3, b: &P3| (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2);
    let i0 = (0..n).min_by(|&a, &b| points[a][0].total_cmp(&points[b][0]))?;
    let i1 = (0..n).max_by(|&a, &b| d2(&points[a], &points[i0]).total_cmp(&d2(&points[b], &points[i0])))?;
    let (p0, p1) = (points[i0], points[i1]);
    let u = [p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]];
    let cross_norm2 = |p: &P3| {
        let w = [p[0] - p0[0], p[1] - p0[1], p[2] - p0[2]];
        let c = [u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]];
        c[0] * c[0] + c[1] * c[1] + c[2] * c[2]
    };
    let i2 = (0..n).max_by(|&a, &b| cross_norm2(&points[a]).total_cmp(&cross_norm2(&points[b])))?;
    let height = |i: usize| orient3d(&p0, &p1, &points[i2], &points[i]).abs();
    let i3 = (0..n).map(|i| (i, height(i))).max_by(|a, b| a.1.total_cmp(&b.1))?.0;
    if orient3d(&p0, &p1, &points[i2], &points[i3]) == 0.0 {
        return None;
    }
    let tet = [i0 as u32, i1 as u32, i2 as u32, i3 as u32];
    let scale = points.iter().flat_map(|p| p.iter()).fold(0.0f64, |m, &c| m.max(c.abs()));
    let centre = {
        let mut c = [0.0; 3];
        for &i in &tet {
            for k in 0..3 {
                c[k] += points[i as usize][k] / 4.0;
            }
        }
        c
    };
    let mut facets: Vec<Facet> = Vec::with_capacity(64);
    for skip in 0..4 {
        let mut v = [0u32; 3];
        let mut m = 0;
        for (j, &t) in tet.iter().enumerate() {
            if j != skip {
                v[m] = t;
                m += 1;
            }
        }
        let (a, b, c) = (&points[v[0] as usize], &points[v[1] as usize], &points[v[2] as usize]);
        if orient3d(a, b, c, &points[tet[skip] as usize]) < 0.0 {
            v.swap(1, 2);
        }
        facets.push(Facet::new(v, [u32::MAX; 3], points, scale));
    }
    // Link the four facets: the neighbour across edge (a, b) holds the edge (b, a).
    for f in 0..4 {
        for i in 0..3 {
            let (a, b) = (facets[f].v[i], facets[f].v[(i + 1) % 3]);
            let g = (0..4).find(|&g| g != f && (0..3).any(|j| facets[g].v[j] == b && facets[g].v[(j + 1) % 3] == a))?;
            facets[f].n[i] = g as u32;
        }
    }
    let visible = |f: &Facet, p: &P3| f.sees(p);
    for i in 0..n as u32 {
        if tet.contains(&i) {
            continue;
        }
        if let Some(f) = facets.iter_mut().find(|f| visible(f, &points[i as usize])) {
            f.outside.push(i);
        }
    }
    let mut stack: Vec<u32> = (0..4).filter(|&f| !facets[f as usize].outside.is_empty()).collect();
    let mut stamp = 0u32;
    let mut visible_set: Vec<u32> = Vec::new();
    let mut horizon: Vec<(u32, u8)> = Vec::new();
    let mut bfs: Vec<u32> = Vec::new();
    let mut starts: Vec<(u32, u32)> = Vec::new();
    let mut orphans: Vec<u32> = Vec::new();
    let mut guard = 0usize;
    while let Some(f) = stack.pop() {
        guard += 1;
        if guard > 64 * n + 1024 {
            return None;
        }
        let fi = f as usize;
        if !facets[fi].alive || facets[fi].outside.is_empty() {
            continue;
        }
        // Farthest outside point from the facet's plane.
        let apex = facets[fi]
            .outside
            .iter()
            .map(|&x| (x, facets[fi].height(&points[x as usize])))
            .max_by(|x, y| x.1.total_cmp(&y.1))?
            .0;
        let p = points[apex as usize];
        stamp += 1;
        visible_set.clear();
        horizon.clear();
        bfs.clear();
        facets[fi].visit = stamp;
        bfs.push(f);
        while let Some(g) = bfs.pop() {
            visible_set.push(g);
            for i in 0..3 {
                let h = facets[g as usize].n[i];
                let hf = &facets[h as usize];
                if hf.visit == stamp {
                    continue;
                }
                if visible(hf, &p) {
                    facets[h as usize].visit = stamp;
                    bfs.push(h);
                } else {
                    horizon.push((g, i as u8));
                }
            }
        }
        // One new facet (a, b, apex) per horizon edge (a, b) of a visible facet.
        starts.clear();
        let first_new = facets.len() as u32;
        for &(g, i) in &horizon {
            let gf = &facets[g as usize];
            let (a, b) = (gf.v[i as usize], gf.v[(i as usize + 1) % 3]);
            let outer = gf.n[i as usize];
            let new = facets.len() as u32;
            facets.push(Facet::new([a, b, apex], [outer, u32::MAX, u32::MAX], points, scale));
            let back = facets[outer as usize].n.iter().position(|&x| x == g)?;
            facets[outer as usize].n[back] = new;
            starts.push((a, new));
        }
        for k in first_new..facets.len() as u32 {
            let b = facets[k as usize].v[1];
            let next = starts.iter().find(|&&(a, _)| a == b)?.1;
            facets[k as usize].n[1] = next;
            facets[next as usize].n[2] = k;
        }
        // Hand the visible facets' outside points to the new facets (or drop them: inside).
        orphans.clear();
        for &g in &visible_set {
            let gf = &mut facets[g as usize];
            gf.alive = false;
            orphans.append(&mut gf.outside);
        }
        for &q in &orphans {
            if q == apex {
                continue;
            }
            let qp = points[q as usize];
            if let Some(k) = (first_new as usize..facets.len()).find(|&k| visible(&facets[k], &qp)) {
                facets[k].outside.push(q);
            }
        }
        for k in first_new..facets.len() as u32 {
            if !facets[k as usize].outside.is_empty() {
                stack.push(k);
            }
        }
    }
    let mut volume = 0.0;
    for f in facets.iter().filter(|f| f.alive) {
        let (a, b, c) = (&points[f.v[0] as usize], &points[f.v[1] as usize], &points[f.v[2] as usize]);
        let (ax, ay, az) = (a[0] - centre[0], a[1] - centre[1], a[2] - centre[2]);
        let (bx, by, bz) = (b[0] - centre[0], b[1] - centre[1], b[2] - centre[2]);
        let (cx, cy, cz) = (c[0] - centre[0], c[1] - centre[1], c[2] - centre[2]);
        volume += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
    }
    Some(volume.abs() / 6.0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn agrees_with_qhull_on_random_clouds() {
        let mut seed = 5u64;
        let mut rnd = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 11) as f64) / ((1u64 << 53) as f64) - 0.5
        };
        for n in [4usize, 10, 100, 1000] {
            let pts: Vec<P3> = (0..n).map(|_| [rnd() * 3.0, rnd(), rnd() * 0.5 + 8.0]).collect();
            let flat: Vec<f64> = pts.iter().flatten().copied().collect();
            let ours = hull_volume_3d(&pts).unwrap();
            let qhull = crate::qhull::hull_volume(&flat, 3).unwrap();
            assert!((ours - qhull).abs() <= 1e-12 * qhull, "n = {n}: {ours} vs {qhull}");
        }
    }

    #[test]
    fn flat_input_is_declined() {
        let pts: Vec<P3> = (0..20).map(|i| [i as f64, (i * i) as f64, 0.0]).collect();
        assert!(hull_volume_3d(&pts).is_none());
    }
}
