//! The exported-file reader: errors name the line and what was expected; bad input never panics.

use starmill_agama::{parse_export, read_export, AgamaPotential, AGAMA_MW_BAR_INI};

fn lines() -> Vec<&'static str> {
    AGAMA_MW_BAR_INI.split('\n').collect()
}

fn replace_line(n: usize, with: &str) -> String {
    let mut l = lines();
    l[n - 1] = with;
    l.join("\n")
}

#[test]
fn wrong_number_of_fields_names_the_line() {
    // line 12 is a data row of the CylSpline m = 0 Φ block
    let e = parse_export(&replace_line(12, "0.1\t1\t2")).unwrap_err();
    assert_eq!(e.line, 12, "{e}");
    assert_eq!(e.section.as_deref(), Some("Potential"));
    assert!(e.message.contains("expected 26 numbers"), "{e}");
    assert!(e.to_string().starts_with("line 12 (section [Potential]):"), "{e}");
}

#[test]
fn bad_number_and_bad_markers_are_reported() {
    let e = parse_export(&replace_line(12, &lines()[11].replacen("-", "x", 1))).unwrap_err();
    assert_eq!(e.line, 12);
    assert!(e.message.contains("finite number"), "{e}");
    let e = parse_export(&replace_line(8, "#Phi ")).unwrap_err();
    assert_eq!(e.line, 8);
    assert!(e.message.contains("'#Phi'"), "{e}");
    let e = parse_export(&replace_line(170, "#dPhi/dx")).unwrap_err();
    assert_eq!(e.line, 170);
    assert!(e.message.contains("#dPhi/dR"), "{e}");
    let e = parse_export(&replace_line(500, "#Psi")).unwrap_err();
    assert_eq!(e.line, 500);
    assert_eq!(e.section.as_deref(), Some("Potential1"));
    let e = parse_export(&replace_line(9, "0\t#n")).unwrap_err();
    assert_eq!(e.line, 9);
    assert!(e.message.contains("#m"), "{e}");
    let e = parse_export(&replace_line(7, "Coefficient")).unwrap_err();
    assert!(e.message.contains("Coefficients"), "{e}");
}

#[test]
fn truncated_file_says_it_ends_early() {
    let l = lines();
    let text = l[..300].join("\n");
    let e = parse_export(&text).unwrap_err();
    assert!(e.message.contains("ends early") || e.message.contains("expected"), "{e}");
    assert!(e.line >= 299, "{e}");
    let text = l[..560].join("\n");
    let e = parse_export(&text).unwrap_err();
    assert_eq!(e.section.as_deref(), Some("Potential1"));
    assert!(e.message.contains("ends early"), "{e}");
}

#[test]
fn truncation_anywhere_never_panics() {
    let l = lines();
    for n in (0..l.len()).step_by(7) {
        let text = l[..n].join("\n");
        assert!(parse_export(&text).is_err(), "truncated at {n} lines should fail");
    }
    // byte-level truncation, including inside numbers and multi-byte-free text
    for cut in (0..AGAMA_MW_BAR_INI.len()).step_by(9973) {
        let _ = parse_export(&AGAMA_MW_BAR_INI[..cut]);
    }
}

#[test]
fn empty_and_garbage_inputs() {
    assert!(parse_export("").is_err());
    assert!(parse_export("[Other]\nx=1\n").is_err());
    let e = parse_export("[Potential]\nmass=1\n").unwrap_err();
    assert!(e.message.contains("type"), "{e}");
    let e = parse_export("[Potential]\ntype=Hernquist\nmass=1\n").unwrap_err();
    assert!(e.message.contains("Dehnen"), "{e}");
    let e = parse_export("[Potential]\ntype=Plummer\nmass=abc\n").unwrap_err();
    assert_eq!(e.line, 3);
    let e = parse_export("[Potential]\ntype=NFW\ntype=NFW\n").unwrap_err();
    assert_eq!(e.line, 3);
    assert!(read_export("/nonexistent/file.ini").is_err());
}

#[test]
fn analytic_sections_and_case_insensitive_keys() {
    let p = parse_export("[Potential halo]\nTYPE=nfw\nMass=1e12\nscaleradius=20\n\n[Potential bar]\ntype=Ferrers\nmass=1e9\nscaleRadius=3\np=0.5\nq=0.4\n")
        .expect("analytic composite");
    assert_eq!(p.components().len(), 2);
    let direct = AgamaPotential::from_params(&[("type", "NFW"), ("mass", "1e12"), ("scaleRadius", "20")]).unwrap();
    let x = [3.0, 1.0, 0.5];
    let want = direct.potential(x) + p.components()[1].potential(x);
    assert!((p.potential(x) - want).abs() <= 1e-12 * want.abs());
}

#[test]
fn parameter_validation() {
    let bad: &[&[(&str, &str)]] = &[
        &[("type", "Ferrers"), ("axisRatioY", "0.4"), ("axisRatioZ", "0.5")],
        &[("type", "Ferrers"), ("axisRatioY", "1"), ("axisRatioZ", "0.5")],
        &[("type", "Dehnen"), ("gamma", "2.5")],
        &[("type", "Plummer"), ("scaleRadius", "-1")],
        &[("type", "NFW"), ("axisRatioZ", "0.5")],
        &[("type", "Isochrone")],
        &[("type", "Multipole")],
        &[("mass", "1")],
        &[("type", "Ferrers"), ("axisRatioY", "0.5"), ("axisRatioZ", "0.4"), ("evaluation", "fast")],
        &[("type", "Plummer"), ("mass", "nan")],
    ];
    for p in bad {
        assert!(AgamaPotential::from_params(p).is_err(), "{p:?} should be rejected");
    }
    // unknown keys are ignored, as agama ignores them
    assert!(AgamaPotential::from_params(&[("type", "Plummer"), ("patternSpeed", "30")]).is_ok());
}

#[test]
fn evaluation_at_odd_points_does_not_panic() {
    let m = starmill_agama::agama_mw_bar();
    for x in [[f64::NAN, 0.0, 0.0], [1e300, 0.0, 0.0], [0.0, 0.0, -1e300], [f64::INFINITY, 1.0, 1.0], [0.0; 3]] {
        let _ = m.potential_and_force(x);
    }
    let (phi0, f0) = m.potential_and_force([0.0; 3]);
    assert!(phi0.is_finite(), "{phi0}");
    assert!(f0.iter().all(|v| *v == 0.0), "{f0:?}");
}
