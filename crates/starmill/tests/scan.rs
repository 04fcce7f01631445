//! `starmill scan` / `starmill merge`: HDF5 output read back by h5py, crash-and-resume, shards.
//! h5py comes from the test venv (target/test-venv, made by tools/test-venv.sh).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    common::scratch("scan", name)
}

fn run(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = common::starmill_bin();
    c.args(args).env_remove("SLURM_ARRAY_TASK_ID").env_remove("SLURM_ARRAY_TASK_MIN").env_remove("SLURM_CPUS_PER_TASK");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().expect("run starmill")
}

fn ok(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let o = run(args, envs);
    assert!(
        o.status.success(),
        "starmill {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

const CONFIG: &str = r#"
potential = "MWPotential2014"
dt = 0.01
steps = 60
dims = "xyz"
chunk = 7

[tessellation]
axis_ratio = 10.0

[initial]
y = 0.0
z = 0.4
vx = 0.0
vz = 0.0

[[axes]]
name = "x"
start = 5.0
stop = 11.0
num = 6

[[axes]]
name = "vy"
start = 160.0
stop = 280.0
num = 5
"#;

fn write_config(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("grid.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn measure(path: &Path) -> Vec<f64> {
    hdf5::File::open(path).unwrap().dataset("measure").unwrap().read_raw::<f64>().unwrap()
}

fn python() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run `bash tools/test-venv.sh` (make test does) to create the test venv with h5py",
        p.display()
    );
    p
}

#[test]
fn scan_writes_hdf5_that_h5py_reads_and_matches_the_sample_command() {
    let dir = scratch("h5py");
    let cfg = write_config(&dir, CONFIG);
    let out = dir.join("grid.h5");
    let stdout = ok(&["scan", cfg.to_str().unwrap(), "-o", out.to_str().unwrap()], &[]).stdout;
    assert!(String::from_utf8_lossy(&stdout).contains("grid.png"));
    assert_eq!(&std::fs::read(dir.join("grid.png")).unwrap()[1..4], b"PNG");
    assert!(!dir.join("grid.h5.partial").exists());
    // The same ICs through `starmill commensurability` (axes read back exactly with the hdf5 crate).
    let file = hdf5::File::open(&out).unwrap();
    let xs: Vec<f64> = file.dataset("axes/x").unwrap().read_raw().unwrap();
    let vys: Vec<f64> = file.dataset("axes/vy").unwrap().read_raw().unwrap();
    drop(file);
    let mut csv = String::new();
    for x in &xs {
        for vy in &vys {
            csv.push_str(&format!("{x:?},0,0.4,0,{vy:?},0\n"));
        }
    }
    let ics = dir.join("ics.csv");
    std::fs::write(&ics, csv).unwrap();
    let sample = dir.join("sample");
    ok(&["-q", "commensurability", ics.to_str().unwrap(), "--steps", "60", "-o", sample.to_str().unwrap()], &[]);
    let direct = starmill_io::read_array(&sample.join("values.npy")).unwrap().data;
    let values = measure(&out);
    assert_eq!(
        direct.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        values.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    assert!(values.iter().all(|x| x.is_finite() && (0.0..=1.0).contains(x)), "{values:?}");

    // An independent reader: h5py sees the grid, axes, attributes and exactly these values.
    let script = r#"
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
m = f["measure"]
a = dict(f.attrs)
print(json.dumps({
  "shape": list(m.shape), "dtype": str(m.dtype),
  "vy_unit": f["axes/vy"].attrs["unit"],
  "dt": float(a["dt_gyr"]), "steps": int(a["steps"]), "dims": a["dims"], "axis_names": a["axis_names"],
  "pattern_speed": float(a["pattern_speed_km_s_kpc"]), "normalization": a["normalization"],
  "axis_ratio": float(a["axis_ratio"]), "potential": json.loads(a["potential"]),
  "version": a["starmill_version"], "completed": int(a["completed"]),
  "linspace_ok": bool(np.array_equal(f["axes/x"][()], np.linspace(5.0, 11.0, 6)))
                 and bool(np.array_equal(f["axes/vy"][()], np.linspace(160.0, 280.0, 5))),
  "values_equal_npy": bool(np.array_equal(m[()].ravel(), np.load(sys.argv[2]))),
}))
"#;
    let npy = sample.join("values.npy");
    let py =
        Command::new(python()).args(["-c", script, out.to_str().unwrap(), npy.to_str().unwrap()]).output().unwrap();
    assert!(py.status.success(), "h5py failed: {}", String::from_utf8_lossy(&py.stderr));
    let v: serde_json::Value = serde_json::from_slice(&py.stdout).unwrap();
    assert_eq!(v["shape"], serde_json::json!([6, 5]));
    assert_eq!(v["dtype"], "float64");
    assert_eq!(v["vy_unit"], "km/s");
    assert_eq!(v["dt"], 0.01);
    assert_eq!(v["steps"], 60);
    assert_eq!(v["dims"], "xyz");
    assert_eq!(v["axis_names"], "x,vy");
    assert_eq!(v["pattern_speed"], 0.0);
    assert_eq!(v["axis_ratio"], 10.0);
    assert_eq!(v["normalization"], "convexhull_rot4");
    assert_eq!(v["potential"]["components"][0]["name"], "MWPotential2014");
    assert_eq!(v["completed"], 30);
    assert_eq!(v["linspace_ok"], true);
    assert_eq!(v["values_equal_npy"], true);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_killed_scan_resumes_to_the_same_result() {
    let dir = scratch("resume");
    let cfg = write_config(&dir, CONFIG);
    let full = dir.join("full.h5");
    ok(&["-q", "scan", cfg.to_str().unwrap(), "-o", full.to_str().unwrap(), "--no-png"], &[]);
    let out = dir.join("grid.h5");
    let killed =
        run(&["-q", "scan", cfg.to_str().unwrap(), "-o", out.to_str().unwrap(), "--abort-after-chunks", "2"], &[]);
    assert!(!killed.status.success(), "the run should have been aborted");
    let partial = dir.join("grid.h5.partial");
    assert!(partial.exists() && !out.exists());
    let on_disk = measure(&partial);
    let written = on_disk.iter().filter(|v| v.is_finite()).count();
    assert_eq!(written, 14, "two chunks of 7 flushed before the abort");
    // Without --resume the partial file is protected.
    let again = run(&["-q", "scan", cfg.to_str().unwrap(), "-o", out.to_str().unwrap()], &[]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
    let o = ok(&["scan", cfg.to_str().unwrap(), "-o", out.to_str().unwrap(), "--resume", "--no-png"], &[]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("14 were already on disk"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(out.exists() && !partial.exists());
    let a = measure(&out);
    let b = measure(&full);
    assert_eq!(a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), b.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
    // A resume with a changed config is refused.
    let killed =
        run(&["-q", "scan", cfg.to_str().unwrap(), "-o", out.to_str().unwrap(), "--abort-after-chunks", "1"], &[]);
    assert!(!killed.status.success());
    let cfg2 = write_config(&dir, &CONFIG.replace("steps = 60", "steps = 61"));
    let o = run(&["-q", "scan", cfg2.to_str().unwrap(), "-o", out.to_str().unwrap(), "--resume"], &[]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("different config"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn shards_merge_into_the_unsharded_result_and_mismatches_are_refused() {
    let dir = scratch("shards");
    let cfg = write_config(&dir, CONFIG);
    let full = dir.join("full.h5");
    ok(&["-q", "scan", cfg.to_str().unwrap(), "-o", full.to_str().unwrap(), "--no-png"], &[]);
    let out = dir.join("grid.h5");
    ok(&["-q", "scan", cfg.to_str().unwrap(), "-o", out.to_str().unwrap(), "--shard", "0/3"], &[]);
    ok(
        &["-q", "scan", cfg.to_str().unwrap(), "-o", out.to_str().unwrap(), "--shard", "auto/3"],
        &[("SLURM_ARRAY_TASK_ID", "1")],
    );
    ok(
        &["-q", "scan", cfg.to_str().unwrap(), "-o", out.to_str().unwrap(), "--shard", "auto/3"],
        &[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1")],
    );
    let shard = |k: usize| dir.join(format!("grid.shard-{k}-of-3.h5"));
    for k in 0..3 {
        assert!(shard(k).exists(), "missing {}", shard(k).display());
    }
    let merged = dir.join("merged.h5");
    let s: Vec<String> = [2, 0, 1].iter().map(|&k| shard(k).display().to_string()).collect();
    let o = ok(&["merge", &s[0], &s[1], &s[2], "-o", merged.to_str().unwrap()], &[]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("merged.png"));
    let a = measure(&merged);
    let b = measure(&full);
    assert_eq!(a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), b.iter().map(|v| v.to_bits()).collect::<Vec<_>>());

    let o = run(&["merge", &s[0], &s[1], "-o", dir.join("m2.h5").to_str().unwrap()], &[]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("missing shard(s) 1"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&["merge", &s[0], &s[0], &s[1], "-o", dir.join("m3.h5").to_str().unwrap()], &[]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("given twice"));
    // A shard of another scan (different steps) does not belong.
    let cfg2 = write_config(&dir, &CONFIG.replace("steps = 60", "steps = 50"));
    let other = dir.join("other.h5");
    ok(&["-q", "scan", cfg2.to_str().unwrap(), "-o", other.to_str().unwrap(), "--shard", "1/3"], &[]);
    let o = run(
        &[
            "merge",
            &s[1],
            dir.join("other.shard-1-of-3.h5").to_str().unwrap(),
            &s[0],
            "-o",
            dir.join("m4.h5").to_str().unwrap(),
        ],
        &[],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("different scan"));
    assert!(!dir.join("m4.h5").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_configs_name_the_problem() {
    let dir = scratch("bad");
    let cases = [
        (CONFIG.replace("vz = 0.0\n", ""), "vz"),
        (CONFIG.replace("name = \"vy\"", "name = \"speed\""), "speed"),
        (CONFIG.replace("num = 5", "num = 0"), "num"),
        (CONFIG.replace("potential = \"MWPotential2014\"", "potential = \"nope.toml\""), "nope.toml"),
        (CONFIG.replace("y = 0.0\n", "y = 0.0\nvy = 3.0\n"), "also an axis"),
        (CONFIG.replace("dt = 0.01", "dt = -1"), "dt"),
        (CONFIG.replace("steps = 60", "stepz = 60"), "stepz"),
    ];
    for (text, needle) in cases {
        let cfg = write_config(&dir, &text);
        let o = run(&["scan", cfg.to_str().unwrap()], &[]);
        assert!(!o.status.success(), "config accepted: {text}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "error for {needle:?} does not name it: {err}");
    }
    let cfg = write_config(&dir, CONFIG);
    let o = run(&["scan", cfg.to_str().unwrap(), "--shard", "auto/4"], &[]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("SLURM_ARRAY_TASK_ID"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_3d_grid_gives_one_image_per_slice_of_the_third_axis() {
    let dir = scratch("3d");
    let text = CONFIG.replace("z = 0.4\n", "").replace("steps = 60", "steps = 40")
        + "\n[[axes]]\nname = \"z\"\nstart = 0.2\nstop = 0.6\nnum = 2\n";
    let cfg = write_config(&dir, &text);
    let out = dir.join("cube.h5");
    let o = ok(&["scan", cfg.to_str().unwrap(), "-o", out.to_str().unwrap()], &[]);
    let text = String::from_utf8_lossy(&o.stdout);
    for k in 0..2 {
        let png = dir.join(format!("cube.z-{k:03}.png"));
        assert!(text.contains(png.to_str().unwrap()), "{text}");
        assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
    }
    let file = hdf5::File::open(&out).unwrap();
    assert_eq!(file.dataset("measure").unwrap().shape(), vec![6, 5, 2]);
    std::fs::remove_dir_all(&dir).unwrap();
}
