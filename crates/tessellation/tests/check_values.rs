//! Check values of `commensurability` 1.1.1 for inputs that can be rebuilt from their description
//! (reference: shared/reference/tessellation.md §11.1), invariants, and bad inputs.

// The literals are the reference's printed values, kept verbatim even where they equal a constant.
#![allow(clippy::approx_constant)]

use starmill_tessellation::{tessellate, Engine, EngineChoice, Normalization, Options, TessellationError};

fn opts(normalization: Option<Normalization>, axis_ratio: f64) -> Options {
    Options { axis_ratio, normalization, ..Options::default() }
}

fn assert_rel(actual: f64, expected: f64, what: &str) {
    let tol = 1e-12 * expected.abs().max(1e-3);
    assert!((actual - expected).abs() <= tol, "{what}: {actual} vs reference {expected} (Δ = {:e})", actual - expected);
}

fn fibonacci_sphere() -> Vec<f64> {
    (0..200)
        .flat_map(|i| {
            let k = i as f64 + 0.5;
            let phi = (1.0 - 2.0 * k / 200.0).acos();
            let theta = std::f64::consts::PI * (1.0 + 5f64.sqrt()) * k;
            [3.0 * theta.cos() * phi.sin(), 3.0 * theta.sin() * phi.sin(), 3.0 * phi.cos()]
        })
        .collect()
}

fn grid3(n: usize, offset: f64) -> Vec<f64> {
    let mut pts = Vec::new();
    for i in 0..n {
        for j in 0..n {
            for k in 0..n {
                pts.extend_from_slice(&[i as f64 - offset, j as f64 - offset, k as f64 - offset]);
            }
        }
    }
    pts
}

#[test]
fn single_triangle() {
    let t = tessellate(&[0.0, 0.0, 1.0, 0.0, 0.2, 0.9], 2, &Options::default()).unwrap();
    assert_rel(t.measure, 0.1432394487827058, "triangle");
    assert_eq!((t.nsimplex, t.nkept), (1, 1));
    assert_eq!(t.normalization, Normalization::Circle);
}

#[test]
fn single_tetrahedron_every_routine() {
    let pts = [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.1, 0.2, 1.0];
    let cases = [
        (Normalization::ConvexHullRot4, 0.18518518518518515),
        (Normalization::Sphere, 0.03698079061273816),
        (Normalization::Cylinder, 0.05305164769729844),
        (Normalization::RzConvexHull, 0.0412784120294982),
        (Normalization::ConvexHull, 0.9999999999999997),
    ];
    for (routine, expected) in cases {
        let t = tessellate(&pts, 3, &opts(Some(routine), 10.0)).unwrap();
        assert_rel(t.measure, expected, routine.name());
    }
    let t = tessellate(&pts, 3, &Options::default()).unwrap();
    assert_rel(t.normalization_constant, 0.9000000000000001, "rot4 constant");
}

#[test]
fn flat_tetrahedron_is_zero_without_degeneracy() {
    let pts = [0.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 10.0, 0.0, 0.1, 0.1, 0.5];
    for &ratio in &[5.0, 10.0, 20.0] {
        for &routine in Normalization::available(3) {
            let t = tessellate(&pts, 3, &opts(Some(routine), ratio)).unwrap();
            assert_eq!(t.measure, 0.0);
            assert_eq!((t.nsimplex, t.nkept), (1, 0));
            assert!(t.degenerate.is_none());
        }
    }
}

#[test]
fn grids_are_ties_resolved_by_qhull() {
    let grid2: Vec<f64> = (0..10).flat_map(|i| (0..10).flat_map(move |j| [i as f64 - 4.5, j as f64 - 4.5])).collect();
    for ratio in [5.0, 10.0, 20.0] {
        let t = tessellate(&grid2, 2, &opts(None, ratio)).unwrap();
        assert_rel(t.measure, 0.6366197723675814, "10x10 grid");
        assert_eq!((t.nsimplex, t.nkept), (162, 162));
        assert_eq!(t.median_smallest_side, 1.0);
        assert_eq!(t.engine, Engine::Qhull);
    }
    let grid = grid3(5, 2.0);
    let cases = [
        (Normalization::ConvexHullRot4, 1.0),
        (Normalization::ConvexHull, 1.0),
        (Normalization::Sphere, 0.36755259694786147),
        (Normalization::Cylinder, 0.6366197723675814),
        (Normalization::RzConvexHull, 0.3183098861837905),
    ];
    for (routine, expected) in cases {
        let t = tessellate(&grid, 3, &opts(Some(routine), 10.0)).unwrap();
        assert_rel(t.measure, expected, routine.name());
        assert_eq!(t.nsimplex, 450, "Qhull's incremental=False triangulation of the 5x5x5 grid");
    }
}

#[test]
fn fibonacci_sphere_is_cospherical_but_has_a_value() {
    let pts = fibonacci_sphere();
    let cases = [
        (Normalization::ConvexHullRot4, 0.9822822510856904),
        (Normalization::Sphere, 0.9704211140488813),
        (Normalization::Cylinder, 0.6502146567392033),
        (Normalization::RzConvexHull, 0.4852648592159625),
        (Normalization::ConvexHull, 0.9999999999999994),
    ];
    for (routine, expected) in cases {
        let t = tessellate(&pts, 3, &opts(Some(routine), 10.0)).unwrap();
        assert_rel(t.measure, expected, routine.name());
        assert_eq!(t.nsimplex, 390);
    }
    let t = tessellate(&pts, 3, &opts(None, 5.0)).unwrap();
    assert_rel(t.measure, 0.09416414130248123, "axis ratio 5");
    assert_eq!((t.nkept, t.nsimplex), (118, 390));
    assert_rel(t.median_smallest_side, 0.7290094670690233, "median smallest side");
}

#[test]
fn degenerate_inputs_give_zero_with_a_reason() {
    let line2: Vec<f64> = (0..50)
        .flat_map(|i| {
            let x = -1.0 + 2.0 * i as f64 / 49.0;
            [x, 2.0 * x + 1.0]
        })
        .collect();
    let line3: Vec<f64> = (0..50)
        .flat_map(|i| {
            let s = -1.0 + 2.0 * i as f64 / 49.0;
            [s, 2.0 * s + 1.0, -s + 0.5]
        })
        .collect();
    let plane: Vec<f64> =
        (0..200).flat_map(|i| [(i as f64 * 0.37).sin() * 5.0, (i as f64 * 0.11).cos() * 4.0, 0.0]).collect();
    let cases: Vec<(&str, Vec<f64>, usize)> = vec![
        ("two points 2-D", vec![0.0, 0.0, 1.0, 1.0], 2),
        ("three points 3-D", vec![0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0], 3),
        ("one point 3-D", vec![1.0, 2.0, 3.0], 3),
        ("identical", [1.0, 2.0, 3.0].repeat(10), 3),
        ("collinear 2-D", line2, 2),
        ("collinear 3-D", line3, 3),
        ("coplanar", plane, 3),
    ];
    for (name, pts, ndim) in cases {
        for engine in [EngineChoice::Auto, EngineChoice::Qhull] {
            let t = tessellate(&pts, ndim, &Options { engine, ..Options::default() }).unwrap();
            assert_eq!(t.measure, 0.0, "{name}");
            assert!(t.degenerate.is_some(), "{name}: degeneracy flag not set");
            assert_eq!(t.engine, Engine::None, "{name}");
        }
    }
}

#[test]
fn bad_inputs_are_clear_errors() {
    let err = tessellate(&[1.0, 2.0, 3.0], 1, &Options::default()).unwrap_err();
    assert!(matches!(err, TessellationError::DimensionTooLow { ndim: 1 }));
    assert!(matches!(tessellate(&[], 3, &Options::default()).unwrap_err(), TessellationError::NoPoints));
    let mut pts: Vec<f64> = (0..30).map(|i| (i as f64 * 0.7).sin()).collect();
    pts[13] = f64::NAN;
    let err = tessellate(&pts, 3, &Options::default()).unwrap_err();
    assert!(matches!(err, TessellationError::NonFinite { point: 4, axis: 1, value } if value.is_nan()), "{err:?}");
    assert!(err.to_string().contains("point 4"), "{err}");
    pts[13] = f64::INFINITY;
    assert!(tessellate(&pts, 3, &Options::default()).unwrap_err().to_string().contains("inf"));
    let err = tessellate(&[0.0; 6], 2, &opts(Some(Normalization::Sphere), 10.0)).unwrap_err();
    assert!(err.to_string().contains("circle"), "{err}");
    assert!(matches!(tessellate(&[0.0; 6], 2, &opts(None, -1.0)).unwrap_err(), TessellationError::BadAxisRatio(_)));
    assert!(matches!(
        tessellate(&[0.0; 7], 2, &Options::default()).unwrap_err(),
        TessellationError::RaggedInput { .. }
    ));
}

/// A deterministic cloud that looks like a thick loop orbit.
fn loop_cloud(n: usize) -> Vec<f64> {
    (0..n)
        .flat_map(|i| {
            let t = i as f64 * 0.1;
            let r = 8.0 + 1.5 * (1.37 * t).sin();
            [r * t.cos(), r * t.sin(), 0.8 * (2.11 * t).sin()]
        })
        .collect()
}

#[test]
fn invariants_mirror_rotation_duplicates_permutation() {
    let pts = loop_cloud(400);
    let base = tessellate(&pts, 3, &Options::default()).unwrap();
    assert!(base.measure > 0.0 && base.measure <= 1.0, "{}", base.measure);
    assert_eq!(base.engine, Engine::Native);
    let mirrored: Vec<f64> = pts.chunks(3).flat_map(|p| [-p[0], p[1], p[2]]).collect();
    let rotated: Vec<f64> = pts.chunks(3).flat_map(|p| [-p[1], p[0], p[2]]).collect();
    let mut doubled = pts.clone();
    doubled.extend_from_slice(&pts);
    let reversed: Vec<f64> = pts.chunks(3).rev().flatten().copied().collect();
    for (name, variant) in
        [("x-mirror", mirrored), ("90° rotation", rotated), ("duplicates", doubled), ("permutation", reversed)]
    {
        let t = tessellate(&variant, 3, &Options::default()).unwrap();
        assert_rel(t.measure, base.measure, name);
        assert_eq!(t.nsimplex, base.nsimplex, "{name}");
        assert_eq!(t.nkept, base.nkept, "{name}");
    }
    // Qhull agrees with the native engine on the same input.
    let q = tessellate(&pts, 3, &Options { engine: EngineChoice::Qhull, ..Options::default() }).unwrap();
    assert_eq!(q.engine, Engine::Qhull);
    assert_eq!((q.nsimplex, q.nkept), (base.nsimplex, base.nkept));
    assert_rel(q.measure, base.measure, "qhull vs native");
    // Measure in [0, 1] for the hull-based routines.
    for routine in [Normalization::Sphere, Normalization::Cylinder, Normalization::ConvexHull] {
        let t = tessellate(&pts, 3, &opts(Some(routine), 10.0)).unwrap();
        assert!((0.0..=1.0 + 1e-12).contains(&t.measure), "{routine}: {}", t.measure);
    }
    let t = tessellate(&pts, 3, &opts(Some(Normalization::ConvexHull), 1e9)).unwrap();
    assert_rel(t.measure, 1.0, "nothing trimmed, convexhull");
}
