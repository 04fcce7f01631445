//! Integrator properties: conservation, reversibility, convergence order, rotating frames, sampling.

use starmill_dynamics::orbit::{energy, jacobi_integral};
use starmill_dynamics::units::{G, KMS_TO_KPC_PER_GYR};
use starmill_dynamics::{integrate_orbit, load_potential, Description, Frame, Integrator, OrbitOptions, Vec3};

fn run(
    pot: &dyn starmill_dynamics::Potential,
    ic: [f64; 6],
    o: &OrbitOptions,
) -> (Vec<Vec3>, Vec<Vec3>, starmill_dynamics::IntegrationStats) {
    let mut x = vec![[0.0; 3]; o.steps];
    let mut v = vec![[0.0; 3]; o.steps];
    let s = integrate_orbit(pot, &ic, o, &mut x, Some(&mut v)).unwrap();
    (x, v, s)
}

fn dist(a: Vec3, b: Vec3) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

const IC: [f64; 6] = [8.0, 0.5, 0.7, 30.0, 210.0, 25.0];

#[test]
fn sample_zero_is_the_initial_condition_and_shapes_follow_steps() {
    let pot = load_potential("MWPotential2014").unwrap();
    for integrator in [Integrator::dop853(), Integrator::leapfrog(), Integrator::Dop853Fixed { substeps: 4 }] {
        let mut o = OrbitOptions::new(0.01, 7);
        o.integrator = integrator;
        let (x, v, _) = run(&pot, IC, &o);
        assert_eq!(x.len(), 7);
        assert_eq!(x[0], [IC[0], IC[1], IC[2]]);
        assert_eq!(v[0], [IC[3], IC[4], IC[5]]);
        assert!(x[1..].iter().all(|p| p != &x[0]));
    }
    let o = OrbitOptions::new(0.01, 1);
    let (x, _, s) = run(&pot, IC, &o);
    assert_eq!(x, vec![[IC[0], IC[1], IC[2]]]);
    assert_eq!(s.steps, 0);
}

#[test]
fn dop853_conserves_energy_in_a_static_potential() {
    let pot = load_potential("MWPotential2014").unwrap();
    let o = OrbitOptions::new(0.01, 500); // 5 Gyr
    let (x, v, _) = run(&pot, IC, &o);
    let e0 = energy(&pot, x[0], v[0]);
    let worst = x.iter().zip(&v).map(|(x, v)| ((energy(&pot, *x, *v) - e0) / e0).abs()).fold(0.0, f64::max);
    assert!(worst < 5e-10, "relative energy error {worst:e}");
}

#[test]
fn leapfrog_energy_error_is_bounded_and_second_order() {
    let pot = load_potential("gala-MilkyWayPotential").unwrap();
    let mut errs = Vec::new();
    for substeps in [4u32, 8, 16] {
        let mut o = OrbitOptions::new(0.01, 300);
        o.integrator = Integrator::Leapfrog { substeps };
        let (x, v, _) = run(&pot, IC, &o);
        let e0 = energy(&pot, x[0], v[0]);
        let worst = x.iter().zip(&v).map(|(x, v)| ((energy(&pot, *x, *v) - e0) / e0).abs()).fold(0.0, f64::max);
        errs.push(worst);
    }
    // Symplectic: bounded oscillation; halving h divides the energy error by ~4.
    for w in errs.windows(2) {
        let ratio = w[0] / w[1];
        assert!((3.5..4.5).contains(&ratio), "energy-error ratio {ratio} ({errs:?})");
    }
}

#[test]
fn dop853_and_leapfrog_are_time_reversible() {
    let pot = load_potential("MWPotential2014").unwrap();
    for (integrator, tol) in [(Integrator::dop853(), 1e-8), (Integrator::Leapfrog { substeps: 10 }, 1e-10)] {
        let mut o = OrbitOptions::new(0.01, 101);
        o.integrator = integrator;
        let (x, v, _) = run(&pot, IC, &o);
        let end = [x[100][0], x[100][1], x[100][2], -v[100][0], -v[100][1], -v[100][2]];
        let (xb, vb, _) = run(&pot, end, &o);
        let d = dist(xb[100], [IC[0], IC[1], IC[2]]);
        assert!(d < tol, "{integrator:?}: returned {d:e} kpc from the start");
        assert!(dist(vb[100], [-IC[3], -IC[4], -IC[5]]) < tol * 100.0);
        // The backward trajectory retraces the forward one.
        assert!(dist(xb[50], x[50]) < tol);
    }
}

/// Largest position error of a fixed-step run against a converged adaptive run, over all samples.
fn fixed_step_error(pot: &dyn starmill_dynamics::Potential, integrator: Integrator, reference: &[Vec3]) -> f64 {
    let mut o = OrbitOptions::new(0.02, reference.len());
    o.integrator = integrator;
    let (x, _, _) = run(pot, PLUMMER_IC, &o);
    x.iter().zip(reference).map(|(a, b)| dist(*a, *b)).fold(0.0, f64::max)
}

const PLUMMER_IC: [f64; 6] = [5.0, 0.0, 0.5, 40.0, 180.0, 20.0];

#[test]
fn convergence_orders_are_eight_and_two() {
    // A smooth potential (Plummer sphere) so that the asymptotic regime starts at coarse steps.
    let d = Description::from_toml_str("[[components]]\ntype = \"plummer\"\nmass = 1e11\na = 2.0\n").unwrap();
    let pot = d.build().unwrap();
    let mut o = OrbitOptions::new(0.02, 26);
    o.integrator = Integrator::Dop853 { rtol: 1e-15, atol: 1e-15 };
    let (reference, _, _) = run(&pot, PLUMMER_IC, &o);
    let errs: Vec<f64> = [4u32, 8, 16]
        .iter()
        .map(|&n| fixed_step_error(&pot, Integrator::Dop853Fixed { substeps: n }, &reference))
        .collect();
    for w in errs.windows(2) {
        let order = (w[0] / w[1]).log2();
        assert!((7.0..9.5).contains(&order), "DOP853 observed order {order} ({errs:?})");
    }
    let l1 = fixed_step_error(&pot, Integrator::Leapfrog { substeps: 20 }, &reference);
    let l2 = fixed_step_error(&pot, Integrator::Leapfrog { substeps: 40 }, &reference);
    let order = (l1 / l2).log2();
    assert!((1.8..2.2).contains(&order), "leapfrog observed order {order}");
}

#[test]
fn dense_output_matches_a_kepler_circular_orbit() {
    // Point mass 1e11 Msun, circular orbit at 8 kpc: x(t) = R (cos ωt, sin ωt, 0), ω = v_c/R.
    let d = Description::from_toml_str("[[components]]\ntype = \"point_mass\"\nmass = 1e11\n").unwrap();
    let pot = d.build().unwrap();
    let r = 8.0;
    let vc = (G * 1e11 / r).sqrt();
    let o = OrbitOptions::new(0.0137, 150);
    let (x, _, _) = run(&pot, [r, 0.0, 0.0, 0.0, vc, 0.0], &o);
    let w = vc / r * KMS_TO_KPC_PER_GYR; // rad/Gyr
    for (k, p) in x.iter().enumerate() {
        let t = k as f64 * 0.0137;
        let want = [r * (w * t).cos(), r * (w * t).sin(), 0.0];
        assert!(dist(*p, want) < 2e-9, "sample {k}: {p:?} vs {want:?}");
    }
}

fn barred() -> starmill_dynamics::Composite {
    let text = r#"
pattern_speed = 40.0
[[components]]
type = "model"
name = "MWPotential2014"
[[components]]
type = "long_murali_bar"
mass = 1e10
a = 4.0
b = 0.5
c = 1.0
angle = 0.4
"#;
    Description::from_toml_str(text).unwrap().build().unwrap()
}

#[test]
fn jacobi_integral_is_conserved_for_both_senses_of_rotation() {
    let pot = barred();
    for omega in [40.0, -40.0] {
        let mut o = OrbitOptions::new(0.01, 300);
        o.pattern_speed = omega;
        let (x, v, _) = run(&pot, IC, &o);
        let ej0 = jacobi_integral(&pot, omega, 0.0, x[0], v[0]);
        let mut worst: f64 = 0.0;
        let mut e_range = (f64::INFINITY, f64::NEG_INFINITY);
        for (k, (xk, vk)) in x.iter().zip(&v).enumerate() {
            let t = k as f64 * 0.01;
            worst = worst.max(((jacobi_integral(&pot, omega, t, *xk, *vk) - ej0) / ej0).abs());
            let e = 0.5 * (vk[0] * vk[0] + vk[1] * vk[1] + vk[2] * vk[2])
                + starmill_dynamics::orbit::rotating_potential(&pot, omega, t, *xk);
            e_range = (e_range.0.min(e), e_range.1.max(e));
        }
        assert!(worst < 1e-9, "Ω = {omega}: Jacobi drift {worst:e}");
        // The energy itself is not conserved in a rotating bar: the test would catch a static bar.
        assert!(e_range.1 - e_range.0 > 100.0, "Ω = {omega}: energy range {e_range:?}");
    }
}

#[test]
fn corotating_frame_follows_the_pattern_counter_clockwise() {
    // A circular orbit with angular speed Ω (counter-clockwise, L_z > 0) stands still in the frame
    // co-rotating at +Ω; at −Ω it turns at 2Ω.
    let d = Description::from_toml_str("[[components]]\ntype = \"point_mass\"\nmass = 1e11\n").unwrap();
    let pot = d.build().unwrap();
    let r = 8.0;
    let vc = (G * 1e11 / r).sqrt();
    let omega = vc / r; // km/s/kpc
    let mut o = OrbitOptions::new(0.01, 100);
    o.frame = Frame::Corotating;
    o.pattern_speed = omega;
    let (x, v, _) = run(&pot, [r, 0.0, 0.0, 0.0, vc, 0.0], &o);
    for (xk, vk) in x.iter().zip(&v) {
        assert!(dist(*xk, [r, 0.0, 0.0]) < 1e-8, "{xk:?}");
        assert!(dist(*vk, [0.0; 3]) < 1e-7, "{vk:?}");
    }
    o.pattern_speed = -omega;
    let (x, _, _) = run(&pot, [r, 0.0, 0.0, 0.0, vc, 0.0], &o);
    let t = 0.5; // Gyr
    let ang = 2.0 * omega * KMS_TO_KPC_PER_GYR * t;
    assert!(dist(x[50], [r * ang.cos(), r * ang.sin(), 0.0]) < 1e-8, "{:?}", x[50]);
}

#[test]
fn corotating_output_is_the_rotated_inertial_output() {
    let pot = barred();
    let mut o = OrbitOptions::new(0.01, 120);
    o.pattern_speed = 40.0;
    let (xi, vi, _) = run(&pot, IC, &o);
    o.frame = Frame::Corotating;
    let (xr, vr, _) = run(&pot, IC, &o);
    for k in 0..120 {
        let th = 40.0 * KMS_TO_KPC_PER_GYR * 0.01 * k as f64;
        let (s, c) = th.sin_cos();
        let p = xi[k];
        let want = [c * p[0] + s * p[1], -s * p[0] + c * p[1], p[2]];
        assert!(dist(xr[k], want) < 1e-12, "sample {k}");
        let w = [vi[k][0] + 40.0 * p[1], vi[k][1] - 40.0 * p[0], vi[k][2]];
        let want_v = [c * w[0] + s * w[1], -s * w[0] + c * w[1], w[2]];
        assert!(dist(vr[k], want_v) < 1e-9, "velocity sample {k}");
    }
}

#[test]
fn bad_options_are_errors_not_panics() {
    let pot = load_potential("MWPotential2014").unwrap();
    let mut buf = vec![[0.0; 3]; 10];
    let o = OrbitOptions::new(0.01, 10);
    assert!(integrate_orbit(&pot, &[f64::NAN, 0.0, 0.0, 0.0, 0.0, 0.0], &o, &mut buf, None).is_err());
    assert!(integrate_orbit(&pot, &IC, &OrbitOptions::new(-1.0, 10), &mut buf, None).is_err());
    assert!(integrate_orbit(&pot, &IC, &OrbitOptions::new(0.01, 11), &mut buf, None).is_err());
    let mut o2 = o;
    o2.integrator = Integrator::Dop853 { rtol: 0.0, atol: 0.0 };
    let e = integrate_orbit(&pot, &IC, &o2, &mut buf, None).unwrap_err().to_string();
    assert!(e.contains("rtol"), "{e}");
    // A radial plunge into a point mass: a clear error, not a panic or NaN output.
    let d = Description::from_toml_str("[[components]]\ntype = \"point_mass\"\nmass = 1e11\n").unwrap();
    let pm = d.build().unwrap();
    let r = integrate_orbit(&pm, &[1.0, 0.0, 0.0, 0.0, 0.0, 0.0], &o, &mut buf, None);
    assert!(r.is_err(), "{r:?}");
}
