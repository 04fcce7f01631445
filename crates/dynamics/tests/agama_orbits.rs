//! Orbit parity with agama (issue 6, item 4): agama's golden initial conditions integrated with
//! starmill's DOP853 through the agama potentials as dynamics components (`agama-mw-bar` by name, and
//! NFW + Ferrers(1e9) as a description with agama's parameter names), compared with agama's
//! best-converged orbits (`agama.orbit(..., accuracy=1e-13)`, crates/agama/tests/golden/README.md) at
//! all 201 samples over one agama time unit (0.978 Gyr). Output in agama's rotating-frame convention
//! (`Frame::CorotatingAgama`): rotating-frame positions, inertial velocities along the rotating axes.
//!
//! Regular orbits: ≤ 1e-6 kpc at every sample, velocities ≤ 1e-3 km/s (the wrong velocity convention would differ by Ω|x| ≳ 2 km/s). Orbits 12 (Ω = −39) and 18
//! (both Ω) are chaotic / extremely sensitive (golden README §3): compared statistically only
//! (Jacobi integral, time-averaged R, |z| and r², and a loose trajectory bound).

use starmill_dynamics::orbit::rotating_potential;
use starmill_dynamics::units::KMS_TO_KPC_PER_GYR;
use starmill_dynamics::{compute_orbits, load_potential, Composite, Description, Frame, Integrator, OrbitOptions};
use std::path::PathBuf;
use std::time::Instant;

/// DOP853 tolerance used for the comparison (rtol = atol): the golden set is converged to ~1e-7 kpc.
const RTOL: f64 = 1e-13;

fn golden(name: &str) -> starmill_io::ArrayF64 {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../agama/tests/golden").join(name);
    starmill_io::read_array(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

struct Outcome {
    worst_regular: f64,
    per_orbit: Vec<f64>,
}

/// Integrates the 20 ICs of `ics_file` in `pot` rotating at `omega` and compares with `orbits_file`.
fn check(
    label: &str,
    pot: &Composite,
    omega: f64,
    ics_file: &str,
    orbits_file: &str,
    statistical: &[usize],
) -> Outcome {
    let ics_arr = golden(ics_file);
    assert_eq!(ics_arr.shape, vec![20, 6]);
    let ics: Vec<[f64; 6]> = ics_arr.data.chunks(6).map(|r| std::array::from_fn(|k| r[k])).collect();
    let want = golden(orbits_file);
    assert_eq!(want.shape, vec![20, 201, 6]);
    let times = golden("orbit_times.npy");
    assert_eq!(times.data.len(), 201);
    assert!((times.data[200] - 1.0).abs() < 1e-15, "golden samples span one agama time unit");

    // one agama time unit is exactly the integrators' internal unit kpc/(km/s): sample spacing
    // 1/200 of it, expressed in Gyr through starmill's own conversion so that it maps back exactly
    let mut opts = OrbitOptions::new(0.005 / KMS_TO_KPC_PER_GYR, 201);
    opts.pattern_speed = omega;
    opts.frame = Frame::CorotatingAgama;
    opts.integrator = Integrator::Dop853 { rtol: RTOL, atol: RTOL };
    let start = Instant::now();
    let orbits = compute_orbits(pot, &ics, &opts, true, &|| {}).expect("integration");
    let secs = start.elapsed().as_secs_f64();
    let vel = orbits.velocities.as_ref().expect("velocities requested");

    let mut per_orbit = Vec::new();
    let mut worst_regular: f64 = 0.0;
    for i in 0..20 {
        let (mut dx, mut dv): (f64, f64) = (0.0, 0.0);
        for k in 0..201 {
            let g = &want.data[(i * 201 + k) * 6..(i * 201 + k + 1) * 6];
            let p = &orbits.positions[(i * 201 + k) * 3..(i * 201 + k + 1) * 3];
            let v = &vel[(i * 201 + k) * 3..(i * 201 + k + 1) * 3];
            dx = dx.max(((p[0] - g[0]).powi(2) + (p[1] - g[1]).powi(2) + (p[2] - g[2]).powi(2)).sqrt());
            dv = dv.max(((v[0] - g[3]).powi(2) + (v[1] - g[4]).powi(2) + (v[2] - g[5]).powi(2)).sqrt());
        }
        per_orbit.push(dx);
        if statistical.contains(&i) {
            statistics(label, pot, omega, i, &orbits.positions, vel, &want.data, dx);
            continue;
        }
        eprintln!("{label} orbit {i:2}: max |Δx| = {dx:.2e} kpc, max |Δv| = {dv:.2e} km/s");
        assert!(dx <= 1e-6, "{label} orbit {i}: max |Δx| = {dx:e} kpc > 1e-6 kpc");
        assert!(dv <= 1e-3, "{label} orbit {i}: max |Δv| = {dv:e} km/s > 1e-3 km/s");
        worst_regular = worst_regular.max(dx);
    }
    eprintln!(
        "{label}: worst regular orbit {worst_regular:.2e} kpc; 20 orbits in {secs:.2} s ({} steps, {} rejected, {} force evaluations)",
        orbits.stats.steps, orbits.stats.rejected, orbits.stats.force_evaluations
    );
    Outcome { worst_regular, per_orbit }
}

/// Jacobi integral in agama's variables (rotating-frame x, inertial v along the rotating axes).
fn jacobi(pot: &Composite, omega: f64, x: &[f64], v: &[f64]) -> f64 {
    rotating_potential(pot, 0.0, 0.0, [x[0], x[1], x[2]]) + 0.5 * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
        - omega * (x[0] * v[1] - x[1] * v[0])
}

/// Statistical comparison of a chaotic orbit: both conserve the same Jacobi integral, and the
/// time averages of R, |z| and r² agree; the trajectories stay within 1e-2 kpc of each other.
#[allow(clippy::too_many_arguments)]
fn statistics(label: &str, pot: &Composite, omega: f64, i: usize, pos: &[f64], vel: &[f64], want: &[f64], dx: f64) {
    let ours =
        |k: usize| (&pos[(i * 201 + k) * 3..(i * 201 + k + 1) * 3], &vel[(i * 201 + k) * 3..(i * 201 + k + 1) * 3]);
    let theirs = |k: usize| {
        let g = &want[(i * 201 + k) * 6..(i * 201 + k + 1) * 6];
        (&g[0..3], &g[3..6])
    };
    let ej0 = {
        let (x, v) = theirs(0);
        jacobi(pot, omega, x, v)
    };
    let (mut dej_ours, mut dej_theirs): (f64, f64) = (0.0, 0.0);
    let mut means = [[0.0; 3]; 2];
    for k in 0..201 {
        for (which, (x, v)) in [ours(k), theirs(k)].into_iter().enumerate() {
            let dej = ((jacobi(pot, omega, x, v) - ej0) / ej0).abs();
            if which == 0 {
                dej_ours = dej_ours.max(dej);
            } else {
                dej_theirs = dej_theirs.max(dej);
            }
            means[which][0] += x[0].hypot(x[1]) / 201.0;
            means[which][1] += x[2].abs() / 201.0;
            means[which][2] += (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]) / 201.0;
        }
    }
    let rel: Vec<f64> = (0..3).map(|j| ((means[0][j] - means[1][j]) / means[1][j]).abs()).collect();
    eprintln!(
        "{label} orbit {i:2} (statistical): max |Δx| = {dx:.2e} kpc; |ΔE_J/E_J| ours {dej_ours:.1e}, agama {dej_theirs:.1e}; \
         <R>, <|z|>, <r²> relative differences {:.1e}, {:.1e}, {:.1e}",
        rel[0], rel[1], rel[2]
    );
    assert!(dej_ours <= 1e-8, "{label} orbit {i}: Jacobi integral drifts by {dej_ours:e} (relative)");
    assert!(rel.iter().all(|&r| r <= 1e-4), "{label} orbit {i}: time averages differ by {rel:?}");
    assert!(dx <= 1e-2, "{label} orbit {i}: trajectories differ by {dx:e} kpc");
}

#[test]
fn mw_bar_rotating_orbits_match_agama() {
    let pot = load_potential("agama-mw-bar").expect("named model");
    assert_eq!(pot.pattern_speed(), -39.0, "the named model carries agama's pattern speed");
    let o = check(
        "MW bar Ω=-39",
        &pot,
        pot.pattern_speed(),
        "orbit_ics_mwbar.npy",
        "orbits_mwbar_omega-39_acc1e-13.npy",
        &[12, 18],
    );
    assert!(o.worst_regular > 0.0 && o.per_orbit.len() == 20);
}

#[test]
fn mw_bar_static_orbits_match_agama() {
    let pot = load_potential("agama-mw-bar").expect("named model");
    let o = check("MW bar Ω=0", &pot, 0.0, "orbit_ics_mwbar.npy", "orbits_mwbar_omega0_acc1e-13.npy", &[18]);
    assert!(o.worst_regular > 0.0);
}

#[test]
fn nfw_ferrers_rotating_orbits_match_agama() {
    // the commensurability documentation's bar: NFW(1e12, 20) + Ferrers(1e9, 3, 0.5, 0.4) at 30 km/s/kpc,
    // agama's parameter names as agama's golden run used them; Ferrers in agama's evaluation mode
    let toml = r#"
pattern_speed = 30.0
[[components]]
type = "agama"
params = { type = "NFW", mass = 1e12, scaleRadius = 20 }
[[components]]
type = "agama"
params = { type = "Ferrers", mass = 1e9, scaleRadius = 3, axisRatioY = 0.5, axisratioz = 0.4, evaluation = "agama" }
"#;
    let d = Description::from_toml_str(toml).expect("description");
    let pot = d.build().expect("NFW + Ferrers");
    let o = check(
        "NFW+Ferrers Ω=30",
        &pot,
        d.pattern_speed,
        "orbit_ics_nfw_ferrers.npy",
        "orbits_nfw_ferrers1e9_omega30_acc1e-13.npy",
        &[],
    );
    assert!(o.worst_regular > 0.0);
}
