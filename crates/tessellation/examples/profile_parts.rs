//! Splits the cost of one tessellation by normalization routine (diagnostic, not a test): the
//! routines of the dimension are timed in interleaved rounds on the same golden orbit, so that a
//! drifting machine speed affects them alike, and the minimum of each is printed with its
//! difference from `convexhull` (whose constant is free: the total volume). The `convexhull_rot4`
//! difference is the cost of its hull.
//!
//! Usage: `profile_parts [case ...]` (default: the 200-point 3-D loop orbit); `ROUTINE` keeps one
//! routine (then no interleaving, for profilers); `ITER` sets the number of rounds (default 200).
use starmill_tessellation::{Normalization, Options, Tessellator};
use std::time::Instant;

fn main() {
    let mut names: Vec<String> = std::env::args().skip(1).collect();
    if names.is_empty() {
        names.push("orbit_loop_3d_n200".into());
    }
    let rounds: usize = std::env::var("ITER").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let only = std::env::var("ROUTINE").ok();
    for name in names {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/golden/tessellation")
            .join(format!("{name}.npy"));
        let a = starmill_io::read_array(&path).unwrap_or_else(|e| panic!("{e}"));
        let ndim = a.shape[1];
        let routines: Vec<Normalization> = Normalization::available(ndim)
            .iter()
            .copied()
            .filter(|r| only.as_deref().is_none_or(|o| o == r.name()))
            .collect();
        let mut t = Tessellator::new();
        let mut best = vec![f64::INFINITY; routines.len()];
        for _ in 0..rounds {
            for (routine, best) in routines.iter().zip(best.iter_mut()) {
                let o = Options { normalization: Some(*routine), ..Options::default() };
                let t0 = Instant::now();
                t.tessellate(&a.data, ndim, &o).unwrap_or_else(|e| panic!("{e}"));
                *best = best.min(t0.elapsed().as_secs_f64() * 1e3);
            }
        }
        let free = routines.iter().position(|r| *r == Normalization::ConvexHull).map(|i| best[i]);
        for (routine, best) in routines.iter().zip(&best) {
            match free {
                Some(free) if only.is_none() => {
                    println!("{name} {routine}: {best:.4} ms ({:+.4} ms against convexhull)", best - free)
                }
                _ => println!("{name} {routine}: {best:.4} ms"),
            }
        }
    }
}
