//! Benchmark of the tessellation measure on the golden orbits (not a test).
//!
//! `cargo run --release -p starmill-tessellation --example bench_tessellation [-- --json FILE]`
//!
//! Single thread: time per orbit (min and median over repeated calls) for the 3-D loop orbit at
//! 200, 1000, 2000 and 5000 points and the 2-D loop orbit at 500 points, with the native engine and
//! with Qhull. The calls are spread over passes through all the cases (the native engine: 6 passes
//! of 0.5 s per case), so that the host's slow spells, which last seconds, hit every case alike.
//! Batch: orbits per second on all cores for 2000 distinct 200-point 3-D orbits.

use rayon::prelude::*;
use starmill_tessellation::{EngineChoice, Options, Tessellator};
use std::path::PathBuf;
use std::time::Instant;

fn golden(name: &str) -> Vec<f64> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/tessellation").join(format!("{name}.npy"));
    starmill_io::read_array(&path).unwrap_or_else(|e| panic!("{e}")).data
}

/// Appends to `times` the milliseconds of at least 3 calls on `points`, for about `budget_s` seconds
/// (at most 1000 calls); returns the number of simplices.
fn time_calls(points: &[f64], ndim: usize, engine: EngineChoice, budget_s: f64, times: &mut Vec<f64>) -> usize {
    let options = Options { engine, ..Options::default() };
    let mut tess = Tessellator::new();
    let first = tess.tessellate(points, ndim, &options).unwrap();
    let start = Instant::now();
    let mut calls = 0;
    while calls < 3 || (start.elapsed().as_secs_f64() < budget_s && calls < 1000) {
        let t0 = Instant::now();
        let t = tess.tessellate(points, ndim, &options).unwrap();
        times.push(t0.elapsed().as_secs_f64() * 1e3);
        assert_eq!(t.nkept, first.nkept);
        calls += 1;
    }
    first.nsimplex
}

/// Min and median of `times`.
fn min_median(times: &mut [f64]) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() / 2])
}

fn main() {
    let json_out = std::env::args().skip_while(|a| a != "--json").nth(1);
    let cases = [
        ("orbit_loop_3d_n200", 3),
        ("orbit_loop_3d_n1000", 3),
        ("orbit_loop_3d_n2000", 3),
        ("orbit_loop_3d_n5000", 3),
        ("orbit_loop_2d_n500", 2),
    ];
    let mut rows = Vec::new();
    println!(
        "{:<22} {:>9} {:>14} {:>14} {:>14} {:>14}",
        "case", "simplices", "native min ms", "native med ms", "qhull min ms", "qhull med ms"
    );
    let points: Vec<Vec<f64>> = cases.iter().map(|(name, _)| golden(name)).collect();
    let (mut native, mut qhull) = (vec![Vec::new(); cases.len()], vec![Vec::new(); cases.len()]);
    let mut nsimplices = vec![0; cases.len()];
    for pass in 0..6 {
        for (i, (_, ndim)) in cases.iter().enumerate() {
            nsimplices[i] = time_calls(&points[i], *ndim, EngineChoice::Auto, 0.5, &mut native[i]);
            if pass < 2 {
                time_calls(&points[i], *ndim, EngineChoice::Qhull, 0.5, &mut qhull[i]);
            }
        }
    }
    for (i, (name, ndim)) in cases.into_iter().enumerate() {
        let ((nmin, nmed), (qmin, qmed), nsimplex) =
            (min_median(&mut native[i]), min_median(&mut qhull[i]), nsimplices[i]);
        println!("{name:<22} {nsimplex:>9} {nmin:>14.4} {nmed:>14.4} {qmin:>14.4} {qmed:>14.4}");
        rows.push(serde_json::json!({"case": name, "ndim": ndim, "nsimplex": nsimplex,
            "native_min_ms": nmin, "native_median_ms": nmed, "qhull_min_ms": qmin, "qhull_median_ms": qmed}));
    }
    // Batch: 2000 distinct 200-point orbits (windows of the 5000-sample 3-D orbits, rotated about z).
    let sources: Vec<Vec<f64>> = ["loop", "box", "resonant", "seedlike", "circular"]
        .iter()
        .map(|o| golden(&format!("orbit_{o}_3d_n5000")))
        .collect();
    let norbits = 2000;
    let orbits: Vec<Vec<f64>> = (0..norbits)
        .map(|i| {
            let src = &sources[i % sources.len()];
            let offset = (i * 37) % (5000 - 200);
            let angle = i as f64 * 0.61;
            let (s, c) = angle.sin_cos();
            src[3 * offset..3 * (offset + 200)]
                .chunks_exact(3)
                .flat_map(|p| [c * p[0] - s * p[1], s * p[0] + c * p[1], p[2]])
                .collect()
        })
        .collect();
    let options = Options::default();
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t0 = Instant::now();
        let values: Vec<f64> = orbits
            .par_iter()
            .map_init(Tessellator::new, |t, o| t.tessellate(o, 3, &options).unwrap().measure)
            .collect();
        best = best.min(t0.elapsed().as_secs_f64());
        assert_eq!(values.len(), norbits);
    }
    let threads = rayon::current_num_threads();
    println!(
        "batch: {norbits} orbits x 200 points (3-D) on {threads} threads: {:.3} s, {:.0} orbits/s",
        best,
        norbits as f64 / best
    );
    if let Some(path) = json_out {
        let doc = serde_json::json!({"single_thread": rows, "batch": {"norbits": norbits, "npoints": 200, "threads": threads,
            "seconds": best, "orbits_per_second": norbits as f64 / best}});
        std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    }
}
