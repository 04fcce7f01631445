//! Single-thread force-evaluation benchmark of the agama Milky Way bar model (and its components).
//!
//! Run: `cargo bench -p starmill-agama --bench force` (no external harness; prints evaluations/s).
//! Points: a fixed pseudo-random set typical of orbits in the seed workload (R ≤ 20 kpc, |z| ≤ 3 kpc),
//! plus a halo set (r up to 200 kpc) exercising the CylSpline extrapolation.

use starmill_agama::{agama_mw_bar, AgamaPotential};
use std::hint::black_box;
use std::time::Instant;

fn lcg(state: &mut u64) -> f64 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    ((*state >> 11) as f64) / ((1u64 << 53) as f64)
}

fn points(n: usize, rmax: f64, zmax: f64, seed: u64) -> Vec<[f64; 3]> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            let r = rmax * lcg(&mut s).sqrt();
            let p = 2.0 * std::f64::consts::PI * lcg(&mut s);
            let z = zmax * (2.0 * lcg(&mut s) - 1.0);
            [r * p.cos(), r * p.sin(), z]
        })
        .collect()
}

/// Best of `reps` timings of one pass over `pts`; returns evaluations per second.
fn rate(pot: &AgamaPotential, pts: &[[f64; 3]], reps: usize) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        let mut acc = 0.0;
        for x in pts {
            let f = pot.force(black_box(*x));
            acc += f[0] + f[1] + f[2];
        }
        black_box(acc);
        best = best.min(t.elapsed().as_secs_f64());
    }
    pts.len() as f64 / best
}

fn main() {
    let t = Instant::now();
    let model = agama_mw_bar();
    let build = t.elapsed().as_secs_f64();
    let disk = points(200_000, 20.0, 3.0, 1);
    let halo = points(200_000, 200.0, 200.0, 2);
    let cyl = model.components()[0].clone();
    let mul = model.components()[1].clone();
    // warm-up
    rate(&model, &disk[..20_000], 1);
    println!("agama MW bar model: build from the embedded file {:.1} ms (first call, includes parsing)", build * 1e3);
    println!("force evaluations per second, single thread, best of 7 passes of 200 000 points:");
    println!("  total (CylSpline + Multipole), disk points : {:>12.0}", rate(&model, &disk, 7));
    println!("  total (CylSpline + Multipole), halo points : {:>12.0}", rate(&model, &halo, 7));
    println!("  CylSpline alone, disk points              : {:>12.0}", rate(&cyl, &disk, 7));
    println!("  Multipole alone, disk points              : {:>12.0}", rate(&mul, &disk, 7));
}
