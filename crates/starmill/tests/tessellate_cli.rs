//! `starmill tessellate` end to end: the JSON record, a batch written to .npy, CSV input, the plot,
//! and bad input (exit status and messages).

mod common;

use std::path::{Path, PathBuf};

use common::starmill_bin as bin;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/tessellation").join(name)
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("tessellate-cli", name)
}

#[test]
fn json_record_of_one_orbit_matches_the_reference() {
    let out = bin().args(["tessellate", "--json"]).arg(golden("orbit_loop_3d_n200.npy")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let measure = v["measure"].as_f64().unwrap();
    assert!((measure - 0.5372266237239697).abs() < 1e-12, "{measure}");
    assert_eq!(v["nsimplex"], 1081);
    assert_eq!(v["nkept"], 982);
    assert_eq!(v["ndim"], 3);
    assert_eq!(v["npoints"], 200);
    assert_eq!(v["normalization"], "convexhull_rot4");
    assert_eq!(v["degenerate"], false);
    for field in ["threshold", "normalization_constant"] {
        assert!(v[field].as_f64().unwrap() > 0.0, "{field}");
    }
}

/// Writes a (norbits, npoints, 3) float64 .npy made of windows of a golden orbit.
fn write_batch(path: &Path, norbits: usize, npoints: usize) -> Vec<Vec<f64>> {
    let src = starmill_io::read_array(&golden("orbit_box_3d_n5000.npy")).unwrap().data;
    let orbits: Vec<Vec<f64>> = (0..norbits).map(|i| src[3 * 20 * i..3 * (20 * i + npoints)].to_vec()).collect();
    let flat: Vec<f64> = orbits.iter().flatten().copied().collect();
    starmill_io::write_npy_f64(path, &[norbits, npoints, 3], &flat).unwrap();
    orbits
}

#[test]
fn batch_writes_one_value_per_orbit_in_order() {
    let dir = scratch("batch");
    let input = dir.join("orbits.npy");
    let orbits = write_batch(&input, 12, 150);
    let output = dir.join("values.npy");
    let status = bin().args(["tessellate", "-q"]).arg(&input).arg("-o").arg(&output).status().unwrap();
    assert!(status.success());
    let values = starmill_io::read_array(&output).unwrap();
    assert_eq!(values.shape, vec![12]);
    for (i, orbit) in orbits.iter().enumerate() {
        let single = starmill_tessellation::tessellate(orbit, 3, &Default::default()).unwrap().measure;
        assert_eq!(values.data[i], single, "orbit {i}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn csv_input_and_plot() {
    let dir = scratch("csv");
    let csv = dir.join("triangle.csv");
    std::fs::write(&csv, "x,y\n0,0\n1,0\n0.2,0.9\n").unwrap();
    let png = dir.join("t.png");
    let out = bin().args(["tessellate", "--json"]).arg(&csv).arg("--plot").arg(&png).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((v["measure"].as_f64().unwrap() - 0.1432394487827058).abs() < 1e-15);
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_inputs_fail_with_the_file_and_the_reason() {
    let out = bin().arg("tessellate").arg(golden("degen_nan_loop_3d_n200.npy")).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("degen_nan_loop_3d_n200.npy") && err.contains("point 100"), "{err}");

    let out =
        bin().args(["tessellate", "--normalization", "box"]).arg(golden("orbit_loop_3d_n200.npy")).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("convexhull_rot4"));

    let out = bin().arg("tessellate").arg("/nonexistent/points.npy").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/points.npy"));

    // A degenerate point set is a result (measure 0, flagged), not a failure.
    let out = bin().args(["tessellate", "--json"]).arg(golden("degen_coplanar_z0_3d_n200.npy")).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["measure"], 0.0);
    assert_eq!(v["degenerate"], true);
}

#[test]
fn a_bad_orbit_in_a_batch_is_reported_and_the_rest_completes() {
    let dir = scratch("badbatch");
    let input = dir.join("orbits.npy");
    let mut orbits = write_batch(&input, 5, 100);
    orbits[2][7] = f64::NAN;
    let flat: Vec<f64> = orbits.iter().flatten().copied().collect();
    starmill_io::write_npy_f64(&input, &[5, 100, 3], &flat).unwrap();
    let output = dir.join("values.npy");
    let out = bin().args(["tessellate", "-q"]).arg(&input).arg("-o").arg(&output).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("orbit 2"));
    let values = starmill_io::read_array(&output).unwrap().data;
    assert!(values[2].is_nan());
    assert!(values.iter().enumerate().all(|(i, v)| i == 2 || (v.is_finite() && *v > 0.0)));
    std::fs::remove_dir_all(&dir).unwrap();
}
