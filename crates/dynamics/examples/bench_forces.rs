//! Micro-benchmark of one force evaluation per named model and per MWPotential2014 component, at
//! points spread like the seed orbits (R 4–14 kpc, |z| < 3 kpc). Prints ns per evaluation.
//!
//! Run: `cargo run --release -p starmill-dynamics --example bench_forces`

use starmill_dynamics::{load_potential, Potential};
use std::hint::black_box;
use std::time::Instant;

fn time_it(name: &str, pot: &dyn Potential, pts: &[[f64; 3]]) {
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t0 = Instant::now();
        let mut acc = 0.0;
        for p in pts {
            acc += pot.acceleration(black_box(*p))[0];
        }
        black_box(acc);
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!("{name:<36} {:>8.1} ns/eval", best / pts.len() as f64 * 1e9);
}

fn main() {
    let mut pts = Vec::new();
    let mut s = 12345u64;
    let mut rnd = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..1_000_000 {
        let r = 4.0 + 10.0 * rnd();
        let phi = std::f64::consts::TAU * rnd();
        pts.push([r * phi.cos(), r * phi.sin(), 6.0 * rnd() - 3.0]);
    }
    for name in ["MWPotential2014", "gala-MilkyWayPotential", "gala-MilkyWayPotential2022"] {
        time_it(name, &load_potential(name).unwrap(), &pts);
    }
    let mw = load_potential("MWPotential2014").unwrap();
    for c in mw.components() {
        time_it(&format!("  MWPotential2014 {}", c.name()), c, &pts);
    }
}
