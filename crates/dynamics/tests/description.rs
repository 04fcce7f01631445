//! Potential descriptions: TOML/JSON round trips, named models, and errors that name the fix.

use starmill_dynamics::{load_potential, parse_potential, ComponentSpec, Description, Potential};

const TOML: &str = r#"
pattern_speed = -39.0

[[components]]
type = "model"
name = "gala-MilkyWayPotential"

[[components]]
type = "long_murali_bar"
mass = 1e10
a = 4.0
b = 0.5
c = 1.0
angle = 0.4

[[components]]
type = "mn3_exponential_disk"
mass = 4e10
h_r = 2.6
h_z = 0.3
"#;

#[test]
fn toml_and_json_round_trip() {
    let d = Description::from_toml_str(TOML).unwrap();
    assert_eq!(d.pattern_speed, -39.0);
    assert_eq!(d.components.len(), 3);
    // Defaults are filled in and written back out explicitly.
    assert!(matches!(d.components[2], ComponentSpec::Mn3ExponentialDisk { positive_density: true, sech2_z: true, .. }));
    let back = Description::from_toml_str(&d.to_toml()).unwrap();
    assert_eq!(back, d);
    let json = d.to_json();
    assert_eq!(Description::from_json_str(&json).unwrap(), d);
    // The built potential is the sum of its parts: v1 model (4 components) + bar + MN3.
    let pot = d.build().unwrap();
    assert_eq!(pot.components().len(), 6);
    assert_eq!(pot.pattern_speed(), -39.0);
    let x = [3.0, -2.0, 0.4];
    let v1 = load_potential("gala-MilkyWayPotential").unwrap();
    let rest = Description { pattern_speed: 0.0, components: d.components[1..].to_vec() }.build().unwrap();
    let sum = v1.potential(x) + rest.potential(x);
    assert!((pot.potential(x) - sum).abs() < 1e-12 * sum.abs());
}

#[test]
fn named_models_resolve_by_name_and_alias() {
    for (name, canonical) in [
        ("MWPotential2014", "MWPotential2014"),
        ("mwpotential2014", "MWPotential2014"),
        ("gala-MilkyWayPotential", "gala-MilkyWayPotential"),
        ("MilkyWayPotential", "gala-MilkyWayPotential"),
        ("gala-MilkyWayPotential2022", "gala-MilkyWayPotential2022"),
        ("MilkyWayPotential-v2", "gala-MilkyWayPotential2022"),
    ] {
        let d = parse_potential(name).unwrap();
        assert_eq!(d.components, vec![ComponentSpec::Model { name: canonical.to_string() }], "{name}");
    }
}

#[test]
fn files_are_read_by_extension_and_errors_name_the_file() {
    let dir = std::env::temp_dir().join(format!("starmill-dyn-desc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml_path = dir.join("bar.toml");
    std::fs::write(&toml_path, TOML).unwrap();
    let d = parse_potential(toml_path.to_str().unwrap()).unwrap();
    let json_path = dir.join("bar.json");
    std::fs::write(&json_path, d.to_json()).unwrap();
    assert_eq!(parse_potential(json_path.to_str().unwrap()).unwrap(), d);

    let bad = dir.join("typo.toml");
    std::fs::write(&bad, "[[components]]\ntype = \"nfw\"\nmas = 1e11\na = 16\n").unwrap();
    let e = parse_potential(bad.to_str().unwrap()).unwrap_err().to_string();
    assert!(e.contains("typo.toml") && e.contains("mas") && e.contains("fix"), "{e}");

    let unknown = dir.join("unknown.json");
    std::fs::write(&unknown, r#"{"components": [{"type": "ferrers", "mass": 1}]}"#).unwrap();
    let e = parse_potential(unknown.to_str().unwrap()).unwrap_err().to_string();
    assert!(e.contains("unknown.json") && e.contains("ferrers"), "{e}");

    let invalid = dir.join("invalid.toml");
    std::fs::write(&invalid, "[[components]]\ntype = \"miyamoto_nagai\"\nmass = 1e10\na = 3\nb = -0.3\n").unwrap();
    let e = load_potential(invalid.to_str().unwrap()).unwrap_err().to_string();
    assert!(e.contains("invalid.toml") && e.contains("component 1") && e.contains("`b`"), "{e}");

    let e = parse_potential("NoSuchModel").unwrap_err().to_string();
    assert!(e.contains("MWPotential2014") && e.contains("NoSuchModel"), "{e}");
    let e = Description::from_toml_str("components = []").unwrap().build().unwrap_err().to_string();
    assert!(e.contains("no components"), "{e}");
    let e = Description::from_toml_str(
        "[[components]]\ntype = \"power_law_cutoff\"\nmass = 1e10\nalpha = 2.5\nr_c = 1.9\n",
    )
    .unwrap()
    .build()
    .unwrap_err()
    .to_string();
    assert!(e.contains("alpha"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

// ---- agama components (docs/agama.md §6) ----

fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("starmill-desc-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn agama_mw_bar_model_carries_its_pattern_speed_and_agama_values() {
    let d = parse_potential("agama-mw-bar").unwrap();
    assert_eq!(d.pattern_speed, -39.0);
    assert_eq!(parse_potential("AGAMA_MW_BAR").unwrap().pattern_speed, -39.0);
    let pot = d.build().unwrap();
    // agama's check values of the in-memory model (docs/agama.md §2; the exported file reloads to
    // ~1.3e-11 in Φ and ~1e-9 in the force), not rotating
    let phi = pot.potential([8.0, 0.0, 0.0]);
    assert!(((phi - -145930.3018288) / phi).abs() < 1e-10, "{phi}");
    let a = pot.acceleration([8.0, 0.0, 0.0]);
    assert!(((a[0] - -6712.4816335) / a[0]).abs() < 1e-8, "{a:?}");
    // the description records the model by name, so a run record reloads it
    let again = Description::from_json_str(&d.to_json()).unwrap();
    assert_eq!(again, d);
}

#[test]
fn agama_params_are_case_insensitive_and_round_trip() {
    let toml = r#"
[[components]]
type = "agama"
params = { TYPE = "plummer", Mass = 1e10, SCALERADIUS = 2 }
"#;
    let d = Description::from_toml_str(toml).unwrap();
    let pot = d.build().unwrap();
    let g = 4.30091727067736e-6; // agama's G
    let want = -g * 1e10 / (9.0f64 + 4.0).sqrt();
    let phi = pot.potential([3.0, 0.0, 0.0]);
    assert!(((phi - want) / want).abs() < 1e-14, "{phi} vs {want}");
    let back = Description::from_json_str(&d.to_json()).unwrap();
    assert_eq!(back, d);
    assert!(d.summary().contains("agama plummer"), "{}", d.summary());
}

#[test]
fn agama_params_errors_name_the_key_and_fix() {
    let build = |params: &str| {
        let toml = format!("[[components]]\ntype = \"agama\"\nparams = {params}\n");
        Description::from_toml_str(&toml).unwrap().build().unwrap_err().to_string()
    };
    let e = build(r#"{ type = "NFW", mass = 1e12, scaleRaduis = 20 }"#);
    assert!(e.contains("scaleRaduis") && e.contains("scaleRadius"), "{e}");
    let e = build(r#"{ mass = 1e12 }"#);
    assert!(e.contains("need a `type`"), "{e}");
    let e = build(r#"{ type = "Hernquist", mass = 1e12 }"#);
    assert!(e.contains("gamma=1"), "{e}");
    let e = build(r#"{ type = "Ferrers", mass = 1e9, axisRatioY = 0.3, axisRatioZ = 0.5 }"#);
    assert!(e.contains("axisRatioY"), "{e}");
    let e = build(r#"{ type = "NFW", mass = 1e12, Mass = 2e12 }"#);
    assert!(e.contains("twice"), "{e}");
    let e = build(r#"{ type = "NFW", mass = "lots" }"#);
    assert!(e.contains("lots"), "{e}");
}

#[test]
fn agama_file_paths_are_relative_to_the_description_and_errors_name_the_file() {
    let dir = scratch("agama-file");
    std::fs::create_dir_all(dir.join("models")).unwrap();
    std::fs::write(dir.join("models/halo.ini"), "[Potential]\ntype=NFW\nmass=1e12\nscaleRadius=20\n").unwrap();
    let desc = dir.join("pot.toml");
    std::fs::write(&desc, "[[components]]\ntype = \"agama_file\"\npath = \"models/halo.ini\"\n").unwrap();
    // loaded from any working directory: the path is resolved against the description's folder
    let pot = load_potential(desc.to_str().unwrap()).unwrap();
    let d = parse_potential(desc.to_str().unwrap()).unwrap();
    match &d.components[0] {
        ComponentSpec::AgamaFile { path } => assert!(path.starts_with(dir.to_str().unwrap()), "{path}"),
        other => panic!("{other:?}"),
    }
    let phi = pot.potential([10.0, 0.0, 0.0]);
    let g = 4.30091727067736e-6;
    let want = -g * 1e12 / 10.0 * (1.5f64).ln();
    assert!(((phi - want) / want).abs() < 1e-13, "{phi} vs {want}");

    // missing file
    std::fs::write(&desc, "[[components]]\ntype = \"agama_file\"\npath = \"models/nope.ini\"\n").unwrap();
    let e = load_potential(desc.to_str().unwrap()).unwrap_err().to_string();
    assert!(e.contains("nope.ini") && e.contains("Potential.export"), "{e}");
    // truncated expansion: the error names the file and the line
    let truncated: String = starmill_agama::AGAMA_MW_BAR_INI.lines().take(40).collect::<Vec<_>>().join("\n");
    std::fs::write(dir.join("models/cut.ini"), truncated).unwrap();
    std::fs::write(&desc, "[[components]]\ntype = \"agama_file\"\npath = \"models/cut.ini\"\n").unwrap();
    let e = load_potential(desc.to_str().unwrap()).unwrap_err().to_string();
    assert!(e.contains("cut.ini") && e.contains("line"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
