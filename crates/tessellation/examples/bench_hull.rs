//! Cost of the `convexhull_rot4` constant (diagnostic, not a test): interleaves tessellations with
//! the `convexhull` and `convexhull_rot4` normalizations of the same golden orbit and prints the
//! minimum time of each and their difference (the rot4 hull's cost).
//!
//! Usage: `bench_hull [case ...]` (default: the 200- and 2000-point loop orbits); `ITER` sets the
//! number of rounds (default 400).
use starmill_tessellation::{Normalization, Options, Tessellator};
use std::time::Instant;

/// Wall time in ms of one tessellation of `data` with `routine`.
fn time_once(t: &mut Tessellator, data: &[f64], ndim: usize, routine: Normalization) -> f64 {
    let o = Options { normalization: Some(routine), ..Options::default() };
    let t0 = Instant::now();
    let r = t.tessellate(data, ndim, &o).unwrap();
    let ms = t0.elapsed().as_secs_f64() * 1e3;
    assert!(r.normalization_constant > 0.0);
    ms
}

/// Times the cases named on the command line (or the two loop orbits).
fn main() {
    let mut names: Vec<String> = std::env::args().skip(1).collect();
    if names.is_empty() {
        names = vec!["orbit_loop_3d_n200".into(), "orbit_loop_3d_n2000".into()];
    }
    let rounds: usize = std::env::var("ITER").ok().and_then(|v| v.parse().ok()).unwrap_or(400);
    for name in names {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/golden/tessellation")
            .join(format!("{name}.npy"));
        let a = starmill_io::read_array(&path).unwrap();
        let ndim = a.shape[1];
        let mut t = Tessellator::new();
        let (mut plain, mut rot4) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..rounds {
            plain = plain.min(time_once(&mut t, &a.data, ndim, Normalization::ConvexHull));
            rot4 = rot4.min(time_once(&mut t, &a.data, ndim, Normalization::ConvexHullRot4));
        }
        println!("{name}: convexhull {plain:.4} ms, convexhull_rot4 {rot4:.4} ms, difference {:.4} ms", rot4 - plain);
    }
}
