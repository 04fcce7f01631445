//! Benchmark: the seed workload (500 orbits × 200 samples, dt = 0.01 Gyr) in MWPotential2014 with
//! DOP853 at several tolerances, single-threaded and on all cores; accuracy against a converged run
//! (DOP853, rtol = atol = 1e-14). Also gala-style leapfrog in gala's MilkyWayPotential v1.
//!
//! Run: `cargo run --release -p starmill-dynamics --example bench_orbits [ICS.npy] [REPEATS]`
//! (default ICs: tests/golden/dynamics/seed_ics.npy). Prints one line per configuration.

use starmill_dynamics::{compute_orbits, load_potential, Integrator, OrbitOptions, Potential};
use std::time::Instant;

fn ics_from(path: &str) -> Vec<[f64; 6]> {
    let a = starmill_io::read_array(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    a.data.chunks(6).map(|r| [r[0], r[1], r[2], r[3], r[4], r[5]]).collect()
}

fn run<P: Potential + ?Sized>(
    pot: &P,
    ics: &[[f64; 6]],
    o: &OrbitOptions,
    threads: usize,
    repeats: usize,
) -> (f64, Vec<f64>, u64) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let mut best = f64::INFINITY;
    let mut out = Vec::new();
    let mut evals = 0;
    for _ in 0..repeats {
        let t0 = Instant::now();
        let r = pool.install(|| compute_orbits(pot, ics, o, false, &|| {})).unwrap();
        best = best.min(t0.elapsed().as_secs_f64());
        evals = r.stats.force_evaluations;
        out = r.positions;
    }
    (best, out, evals)
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/dynamics/seed_ics.npy");
    let ics = ics_from(args.get(1).map(String::as_str).filter(|s| !s.is_empty()).unwrap_or(default));
    let repeats: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let n = ics.len() as f64;
    let mw = load_potential("MWPotential2014").unwrap();
    let mut o = OrbitOptions::new(0.01, 200);
    o.integrator = Integrator::Dop853 { rtol: 1e-14, atol: 1e-14 };
    let (_, reference, _) = run(&mw, &ics, &o, cores, 1);
    println!("workload: {} orbits x 200 samples, dt 0.01 Gyr, MWPotential2014; {cores} cores", ics.len());
    println!(
        "{:<34} {:>12} {:>10} {:>12} {:>10} {:>12}",
        "config", "max|dx| kpc", "1T s", "1T orbits/s", "allT s", "forces"
    );
    for rtol in [1e-10, 5e-11, 3e-11, 2e-11, 1e-11, 1e-12] {
        o.integrator = Integrator::Dop853 { rtol, atol: rtol };
        let (t1, pos, evals) = run(&mw, &ics, &o, 1, repeats);
        let (tn, _, _) = run(&mw, &ics, &o, cores, repeats);
        let err = max_diff(&pos, &reference);
        println!(
            "{:<34} {err:>12.2e} {t1:>10.3} {:>12.0} {tn:>10.3} {evals:>12}",
            format!("dop853 rtol=atol={rtol:e}"),
            n / t1
        );
    }
    for substeps in [32u32, 64] {
        o.integrator = Integrator::Leapfrog { substeps };
        let (t1, pos, evals) = run(&mw, &ics, &o, 1, repeats);
        let err = max_diff(&pos, &reference);
        println!(
            "{:<34} {err:>12.2e} {t1:>10.3} {:>12.0} {:>10} {evals:>12}",
            format!("leapfrog x{substeps}"),
            n / t1,
            "-"
        );
    }
    let v1 = load_potential("gala-MilkyWayPotential").unwrap();
    o.integrator = Integrator::leapfrog();
    let (t1, _, evals) = run(&v1, &ics, &o, 1, repeats);
    println!(
        "{:<34} {:>12} {t1:>10.4} {:>12.0} {:>10} {evals:>12}",
        "gala-MWv1 leapfrog x1 (gala-style)",
        "-",
        n / t1,
        "-"
    );
}
