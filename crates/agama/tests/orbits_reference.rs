//! Orbit-level check of the potentials against agama's best-converged golden orbits (accuracy 1e-13),
//! with a test-local fixed-step RK4 integrator in the rotating frame (Richardson-checked convergence).
//! This validates the potentials and agama's rotating-frame velocity convention (analytic.md §8); the
//! production integrator lives in the dynamics crate.

mod common;
use common::read_f64;
use starmill_agama::{agama_mw_bar, AgamaPotential};

type State = [f64; 6];

/// Rotating-frame equations of motion with u = dx/dt in the rotating frame.
fn deriv(pot: &AgamaPotential, omega: f64, s: &State) -> State {
    let f = pot.force([s[0], s[1], s[2]]);
    [
        s[3],
        s[4],
        s[5],
        f[0] + 2.0 * omega * s[4] + omega * omega * s[0],
        f[1] - 2.0 * omega * s[3] + omega * omega * s[1],
        f[2],
    ]
}

fn rk4(pot: &AgamaPotential, omega: f64, s: &State, h: f64) -> State {
    let add = |a: &State, k: &State, c: f64| -> State { std::array::from_fn(|i| a[i] + c * k[i]) };
    let k1 = deriv(pot, omega, s);
    let k2 = deriv(pot, omega, &add(s, &k1, h / 2.0));
    let k3 = deriv(pot, omega, &add(s, &k2, h / 2.0));
    let k4 = deriv(pot, omega, &add(s, &k3, h));
    std::array::from_fn(|i| s[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]))
}

/// Positions at the 201 samples t_k = k/200 (agama time units), `n` RK4 steps per sample interval.
/// Input and output velocities in agama's convention (inertial velocity along the rotating axes).
fn integrate(pot: &AgamaPotential, omega: f64, ic: &State, n: usize) -> Vec<[f64; 3]> {
    // agama convention -> rotating-frame velocity u = v - Omega z x x
    let mut s = [ic[0], ic[1], ic[2], ic[3] + omega * ic[1], ic[4] - omega * ic[0], ic[5]];
    let h = 1.0 / 200.0 / n as f64;
    let mut out = vec![[s[0], s[1], s[2]]];
    for _ in 0..200 {
        for _ in 0..n {
            s = rk4(pot, omega, &s, h);
        }
        out.push([s[0], s[1], s[2]]);
    }
    out
}

fn max_dist(a: &[[f64; 3]], b: &[[f64; 3]]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(p, q)| ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt())
        .fold(0.0, f64::max)
}

/// Integrates with step halving until two successive resolutions agree to `tol` kpc.
fn converged(pot: &AgamaPotential, omega: f64, ic: &State, tol: f64) -> (Vec<[f64; 3]>, usize) {
    let mut n = 8;
    let mut prev = integrate(pot, omega, ic, n);
    loop {
        n *= 2;
        let next = integrate(pot, omega, ic, n);
        if max_dist(&prev, &next) < tol || n >= 2048 {
            return (next, n);
        }
        prev = next;
    }
}

fn check(pot: &AgamaPotential, omega: f64, ics_file: &str, orbits_file: &str, skip: &[usize], tol: f64) {
    let (_, ics) = read_f64(ics_file);
    let (shape, orb) = read_f64(orbits_file);
    assert_eq!(shape, vec![20, 201, 6]);
    let mut worst: f64 = 0.0;
    for i in 0..20 {
        if skip.contains(&i) {
            continue;
        }
        let ic: State = std::array::from_fn(|k| ics[6 * i + k]);
        let (traj, n) = converged(pot, omega, &ic, 1e-9);
        let golden: Vec<[f64; 3]> = (0..201)
            .map(|k| [orb[(i * 201 + k) * 6], orb[(i * 201 + k) * 6 + 1], orb[(i * 201 + k) * 6 + 2]])
            .collect();
        let d = max_dist(&traj, &golden);
        eprintln!("{orbits_file} orbit {i}: max |Δx| = {d:.2e} kpc ({n} RK4 steps per sample)");
        worst = worst.max(d);
        assert!(d <= tol, "{orbits_file} orbit {i}: {d:e} kpc");
    }
    eprintln!("{orbits_file}: worst {worst:.2e} kpc");
}

// Orbits 12 (Ω = −39) and 18 (both Ω) are chaotic / extremely sensitive: statistics only (golden README).
// Orbit 13 (nuclear, r ~ 0.05 kpc) needs > 2048 RK4 steps per sample and is left to the production integrator.

#[test]
fn mw_bar_rotating_orbits_match_agama() {
    check(&agama_mw_bar(), -39.0, "orbit_ics_mwbar.npy", "orbits_mwbar_omega-39_acc1e-13.npy", &[12, 13, 18], 1e-6);
}

#[test]
fn mw_bar_static_orbits_match_agama() {
    check(&agama_mw_bar(), 0.0, "orbit_ics_mwbar.npy", "orbits_mwbar_omega0_acc1e-13.npy", &[13, 18], 1e-6);
}

#[test]
fn nfw_ferrers_rotating_orbits_match_agama() {
    let pot = starmill_agama::parse_export(
        "[Potential]\ntype=NFW\nmass=1e12\nscaleRadius=20\n[Potential1]\ntype=Ferrers\nmass=1e9\nscaleRadius=3\naxisRatioY=0.5\naxisRatioZ=0.4\nevaluation=agama\n",
    )
    .expect("NFW + Ferrers");
    check(&pot, 30.0, "orbit_ics_nfw_ferrers.npy", "orbits_nfw_ferrers1e9_omega30_acc1e-13.npy", &[], 1e-6);
}
