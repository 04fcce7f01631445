//! Every kind of FITS file starmill writes (synthetic raw frames, float32 and float64 masters and
//! calibrated frames) passes `fitsverify` with no warnings or errors and opens in astropy with the
//! same pixel values. Needs the Debian package fitsverify (tools/install-deps.sh) and the test venv
//! (tools/test-venv.sh); without them these tests fail with instructions, they never skip.

use starmill_ccd::calibrate::CalibrateOptions;
use starmill_ccd::discover::{discover, DiscoverOptions};
use starmill_ccd::fits::{FitsReader, OutputType};
use starmill_ccd::masters::MasterOptions;
use starmill_ccd::pipeline::{run_night, NightOptions};
use starmill_ccd::synth::{write_night, SynthOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn python() -> PathBuf {
    let py = workspace().join("target/test-venv/bin/python");
    assert!(
        py.exists(),
        "{} is missing: run `bash tools/test-venv.sh` from the workspace root first (it installs numpy and astropy)",
        py.display()
    );
    py
}

fn all_fits(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            all_fits(&p, out);
        } else if p.extension().is_some_and(|x| x == "fits" || x == "fit") {
            out.push(p);
        }
    }
}

#[test]
fn every_written_file_passes_fitsverify_and_opens_in_astropy() {
    let py = python();
    let dir = std::env::temp_dir().join(format!("starmill-ccd-products-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let night_dir = dir.join("night");
    let synth =
        SynthOptions { width: 40, height: 30, bias: 3, darks: 3, flats: 2, science: 2, ..SynthOptions::default() };
    write_night(&night_dir, &synth).unwrap();
    let found = discover(&night_dir, &DiscoverOptions::default()).unwrap();
    for (output, name) in [(OutputType::Float32, "out32"), (OutputType::Float64, "out64")] {
        let options = NightOptions {
            masters: MasterOptions::default(),
            calibrate: CalibrateOptions { output, ..CalibrateOptions::default() },
            masters_dir: None,
            master_output: output,
        };
        run_night(&found.nights[0], &night_dir, &dir.join(name), &options, true).unwrap();
    }
    let mut files = Vec::new();
    all_fits(&dir, &mut files);
    files.sort();
    assert_eq!(files.len(), 10 + 2 * (3 + 2), "{files:?}");

    for f in &files {
        let run = Command::new("fitsverify").arg("-q").arg(f).output().unwrap_or_else(|e| {
            panic!("cannot run fitsverify ({e}): install the Debian package with `bash tools/install-deps.sh`")
        });
        let text = String::from_utf8_lossy(&run.stdout).to_string() + &String::from_utf8_lossy(&run.stderr);
        assert!(text.contains("verification OK"), "fitsverify on {}: {text}", f.display());
    }

    // astropy reads each file; its float64 sum and shape must equal ours.
    let script = "import sys, numpy as np\nfrom astropy.io import fits\nfor p in sys.argv[1:]:\n    with fits.open(p, checksum=True) as h:\n        d = h[0].data\n        print(d.shape[0], d.shape[1], d.dtype.str, repr(float(np.sum(d.astype(np.float64)))))\n";
    let run = Command::new(&py).arg("-c").arg(script).args(&files).output().unwrap();
    assert!(run.status.success(), "astropy failed: {}", String::from_utf8_lossy(&run.stderr));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), files.len());
    for (f, line) in files.iter().zip(lines) {
        let mut reader = FitsReader::open(f).unwrap();
        let data = reader.read_all().unwrap();
        let ours: f64 = data.iter().sum();
        let parts: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(parts[0..2], ["30", "40"], "{}", f.display());
        let theirs: f64 = parts[3].parse().unwrap();
        assert!((ours - theirs).abs() <= 1e-9 * ours.abs().max(1.0), "{}: sum {ours} vs astropy {theirs}", f.display());
        let is_raw = f.starts_with(&night_dir);
        let want_dtype = if is_raw {
            "<u2"
        } else if f.starts_with(dir.join("out32")) {
            ">f4"
        } else {
            ">f8"
        };
        assert!(parts[2] == want_dtype || (is_raw && parts[2] == "=u2"), "{}: dtype {}", f.display(), parts[2]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
