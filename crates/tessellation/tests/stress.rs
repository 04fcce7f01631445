//! Awkward inputs: large offsets, tiny and huge scales, near-degenerate perturbations, duplicates,
//! points on a circle or a sphere with rounding noise. Nothing may panic; the measure stays in
//! [0, 1] for the hull normalization; when the native engine answers it agrees with Qhull, except
//! far from the origin where Qhull itself loses precision and translation invariance is checked.

use starmill_tessellation::{tessellate, Engine, EngineChoice, Normalization, Options};

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
}

/// Cases with the offset they were built with (subtracting it again is exact).
fn cases(ndim: usize) -> Vec<(String, Vec<f64>, f64)> {
    let mut rng = Lcg(2024 + ndim as u64);
    let mut out = Vec::new();
    for &(offset, scale) in &[(0.0, 1.0), (1e6, 1.0), (1e8, 1e-3), (0.0, 1e-150), (0.0, 1e150), (-3e4, 7.0)] {
        let pts: Vec<f64> = (0..200 * ndim).map(|_| offset + scale * (rng.next() - 0.5)).collect();
        out.push((format!("uniform offset {offset:e} scale {scale:e}"), pts, offset));
    }
    // Nearly flat: one coordinate squeezed to 1e-9, 1e-13 and 1e-15 of the others.
    for squeeze in [1e-9, 1e-13, 1e-15] {
        let pts: Vec<f64> = (0..200)
            .flat_map(|_| {
                (0..ndim).map(|k| if k == ndim - 1 { squeeze } else { 1.0 } * (rng.next() - 0.5)).collect::<Vec<_>>()
            })
            .collect();
        out.push((format!("squeezed {squeeze:e}"), pts, 0.0));
    }
    // On a circle / sphere of radius 5 with relative noise 1e-15 and 1e-9, plus the centre.
    for noise in [1e-15, 1e-9] {
        let mut pts = Vec::new();
        for i in 0..150 {
            let t = i as f64 * 0.7;
            let dir: Vec<f64> = if ndim == 2 {
                vec![t.cos(), t.sin()]
            } else {
                vec![t.cos() * (1.3 * t).sin(), t.sin() * (1.3 * t).sin(), (1.3 * t).cos()]
            };
            pts.extend(dir.iter().map(|d| 5.0 * d * (1.0 + noise * (rng.next() - 0.5))));
        }
        pts.extend(std::iter::repeat_n(0.0, ndim));
        out.push((format!("cospherical noise {noise:e}"), pts, 0.0));
    }
    // Heavy duplication: 20 distinct points, each 10 times.
    let base: Vec<f64> = (0..20 * ndim).map(|_| rng.next()).collect();
    out.push(("duplicates".into(), base.repeat(10), 0.0));
    // Integer lattice with a few jittered points.
    let mut lattice = Vec::new();
    for i in 0..6 {
        for j in 0..6 {
            if ndim == 2 {
                lattice.extend_from_slice(&[i as f64, j as f64 + if (i + j) % 7 == 0 { 1e-12 } else { 0.0 }]);
            } else {
                for k in 0..4 {
                    lattice.extend_from_slice(&[
                        i as f64,
                        j as f64,
                        k as f64 + if (i + j + k) % 5 == 0 { 1e-12 } else { 0.0 },
                    ]);
                }
            }
        }
    }
    out.push(("jittered lattice".into(), lattice, 0.0));
    out
}

#[test]
fn awkward_inputs_never_panic_and_stay_consistent() {
    for ndim in [2usize, 3] {
        let routine = if ndim == 2 { None } else { Some(Normalization::ConvexHull) };
        for (name, pts, offset) in cases(ndim) {
            let auto = tessellate(&pts, ndim, &Options { normalization: routine, ..Options::default() }).unwrap();
            let qhull = tessellate(
                &pts,
                ndim,
                &Options { normalization: routine, engine: EngineChoice::Qhull, ..Options::default() },
            )
            .unwrap();
            let label = format!("{ndim}-D {name}");
            assert!(
                auto.measure.is_finite() && (0.0..=1.0 + 1e-9).contains(&auto.measure),
                "{label}: {}",
                auto.measure
            );
            if offset != 0.0 {
                // Far from the origin Qhull (and so scipy and the reference) loses precision:
                // compare with the same cloud translated back, which is exact.
                let back: Vec<f64> = pts.iter().map(|v| v - offset).collect();
                let near = tessellate(&back, ndim, &Options { normalization: routine, ..Options::default() }).unwrap();
                assert_eq!(
                    (auto.nsimplex, auto.nkept),
                    (near.nsimplex, near.nkept),
                    "{label}: translation changed the triangulation"
                );
            } else if auto.engine == Engine::Native {
                assert_eq!(
                    (auto.nsimplex, auto.nkept),
                    (qhull.nsimplex, qhull.nkept),
                    "{label}: native vs Qhull counts"
                );
                let tol = 1e-10 * qhull.measure.abs().max(1e-300);
                assert!((auto.measure - qhull.measure).abs() <= tol, "{label}: {} vs {}", auto.measure, qhull.measure);
            }
            if auto.degenerate.is_some() {
                assert_eq!(auto.measure, 0.0, "{label}");
            }
        }
    }
}
