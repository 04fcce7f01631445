//! `starmill orbit` end to end: outputs, run record, frames, and errors that name the file.

mod common;

use std::path::PathBuf;

use common::starmill_bin as bin;

fn tmp(name: &str) -> PathBuf {
    common::scratch("orbit-cli", name)
}

#[test]
fn integrates_csv_ics_and_writes_positions_velocities_record_and_plot() {
    let d = tmp("ok");
    let ics = d.join("ics.csv");
    std::fs::write(&ics, "8.0,0.0,0.1,0.0,220.0,5.0\n9.0,1.0,-0.2,10.0,200.0,0.0\n").unwrap();
    let out = d.join("orbits.npy");
    let vel = d.join("vel.npy");
    let png = d.join("orbits.png");
    let o = bin()
        .args(["orbit", ics.to_str().unwrap(), "--steps", "50", "--dt", "0.02", "--json", "-o"])
        .arg(&out)
        .arg("--velocities")
        .arg(&vel)
        .arg("--plot")
        .arg(&png)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["orbits"], 2);
    assert_eq!(summary["potential"]["components"][0]["name"], "MWPotential2014");
    let pos = starmill_io::read_array(&out).unwrap();
    assert_eq!(pos.shape, vec![2, 50, 3]);
    assert_eq!(&pos.data[..3], &[8.0, 0.0, 0.1]);
    let v = starmill_io::read_array(&vel).unwrap();
    assert_eq!(&v.data[..3], &[0.0, 220.0, 5.0]);
    assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("orbits.npy.json")).unwrap()).unwrap();
    assert_eq!(record["output_shape"], serde_json::json!([2, 50, 3]));
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn corotating_leapfrog_with_a_description_file() {
    let d = tmp("bar");
    let ics = d.join("ics.csv");
    std::fs::write(&ics, "8.0,0.0,0.1,0.0,220.0,5.0\n").unwrap();
    let pot = d.join("bar.toml");
    std::fs::write(
        &pot,
        "pattern_speed = 30.0\n[[components]]\ntype = \"model\"\nname = \"MWPotential2014\"\n\
         [[components]]\ntype = \"long_murali_bar\"\nmass = 1e10\na = 4.0\nb = 0.5\nc = 1.0\n",
    )
    .unwrap();
    let out = d.join("o.npy");
    let o = bin()
        .args(["orbit", ics.to_str().unwrap(), "--potential", pot.to_str().unwrap(), "--frame", "corotating"])
        .args(["--integrator", "leapfrog", "--substeps", "20", "--steps", "30", "-q", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("o.npy.json")).unwrap()).unwrap();
    assert_eq!(record["pattern_speed_km_s_kpc"], 30.0);
    assert_eq!(record["frame"], "corotating");
    assert_eq!(record["integrator"]["method"], "leapfrog");
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn errors_name_the_file_and_the_fix() {
    let d = tmp("err");
    let ics = d.join("ics.csv");
    std::fs::write(&ics, "1,2,3\n").unwrap();
    let o = bin().args(["orbit", ics.to_str().unwrap()]).output().unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && e.contains("ics.csv") && e.contains("(n, 6)"), "{e}");

    std::fs::write(&ics, "8,0,0,0,220,0\n").unwrap();
    let bad = d.join("typo.toml");
    std::fs::write(&bad, "[[components]]\ntype = \"hernquist\"\nmass = 1e10\nscale = 1\n").unwrap();
    let o = bin().args(["orbit", ics.to_str().unwrap(), "--potential", bad.to_str().unwrap()]).output().unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && e.contains("typo.toml") && e.contains("scale"), "{e}");

    let o = bin().args(["orbit", ics.to_str().unwrap(), "--potential", "NoSuchModel"]).output().unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && e.contains("MWPotential2014"), "{e}");

    let o = bin().args(["orbit", ics.to_str().unwrap(), "--dt", "0"]).output().unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && e.contains("dt"), "{e}");
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn agama_mw_bar_by_name_rotates_at_minus_39_and_writes_agama_velocities() {
    let d = tmp("agama");
    let ics = d.join("ics.csv");
    std::fs::write(&ics, "4.0,0.5,0.1,10.0,-180.0,5.0\n").unwrap();
    let run = |frame: &str| {
        let out = d.join(format!("{frame}.npy"));
        let vel = d.join(format!("{frame}-v.npy"));
        let o = bin()
            .args(["orbit", ics.to_str().unwrap(), "--potential", "agama-mw-bar", "--steps", "21", "--json"])
            .args(["--frame", frame, "-o"])
            .arg(&out)
            .arg("--velocities")
            .arg(&vel)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(summary["pattern_speed_km_s_kpc"], -39.0);
        (summary, starmill_io::read_array(&out).unwrap().data, starmill_io::read_array(&vel).unwrap().data)
    };
    let (s_agama, x_a, v_a) = run("corotating-agama");
    let (_, x_c, v_c) = run("corotating");
    assert_eq!(s_agama["frame"], "corotating_agama");
    assert_eq!(s_agama["potential"]["components"][0]["name"], "agama-mw-bar");
    assert_eq!(x_a, x_c, "both co-rotating frames give the same positions");
    // agama's velocity = velocity relative to the rotating frame + Ω ẑ × x_rot
    let omega = -39.0;
    let mut moved = 0.0f64;
    for k in 0..21 {
        let (x, u, v) = (&x_a[3 * k..3 * k + 3], &v_c[3 * k..3 * k + 3], &v_a[3 * k..3 * k + 3]);
        let want = [u[0] - omega * x[1], u[1] + omega * x[0], u[2]];
        for j in 0..3 {
            assert!((v[j] - want[j]).abs() < 1e-9 * (1.0 + v[j].abs()), "sample {k}: {v:?} vs {want:?}");
        }
        moved = moved.max((v[1] - u[1]).abs());
    }
    assert!(moved > 50.0, "the two conventions must differ by Ω|x| (got {moved} km/s)");
}
