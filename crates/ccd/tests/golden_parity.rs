//! Parity with eloy 0.0.11b0 on the committed synthetic night (tests/golden/ccd, made by
//! tools/golden_ccd.sh): master bias and dark bit for bit, master flat and calibrated frames to
//! ≤ 1e-12 relative before the float32 cast, every edge case (0/0, x/0, negative, exact zero, −0)
//! with eloy's exact value and sign.

use starmill_ccd::calibrate::{calibrate_pixels, CalibrateOptions, REJECTED};
use starmill_ccd::discover::{discover, DiscoverOptions, FrameKind, Night};
use starmill_ccd::fits::{FitsReader, OutputType};
use starmill_ccd::masters::{build_masters, Combine, MasterOptions, Masters};
use starmill_ccd::pipeline::{run_night, NightOptions};
use std::path::{Path, PathBuf};

fn golden() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/ccd")
}

fn expected(name: &str) -> Vec<f64> {
    let path = golden().join("expected").join(name);
    let a = starmill_io::read_npy(&path).unwrap_or_else(|e| panic!("{e}; regenerate with tools/golden_ccd.sh"));
    assert_eq!(a.shape, vec![48, 64], "{}", path.display());
    a.data
}

fn night() -> Night {
    let d = discover(&golden().join("night"), &DiscoverOptions::default()).expect("discover the golden night");
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.nights.len(), 1);
    let n = d.nights[0].clone();
    assert_eq!((n.width, n.height), (64, 48));
    assert_eq!(
        [
            n.of(FrameKind::Bias).len(),
            n.of(FrameKind::Dark).len(),
            n.of(FrameKind::Flat).len(),
            n.of(FrameKind::Light).len()
        ],
        [4, 5, 4, 3]
    );
    n
}

fn assert_bits(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(g.to_bits() == w.to_bits(), "{what}: pixel {i} (row {}, col {}): {g:e} vs eloy {w:e}", i / 64, i % 64);
    }
}

fn assert_close(got: &[f64], want: &[f64], rel: f64, what: &str) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = if *w == REJECTED || *w == 0.0 { g.to_bits() == w.to_bits() } else { ((g - w) / w).abs() <= rel };
        assert!(ok, "{what}: pixel {i} (row {}, col {}): {g:e} vs eloy {w:e}", i / 64, i % 64);
    }
}

fn check_masters(m: &Masters, what: &str) {
    assert_bits(&m.bias.as_ref().unwrap().data, &expected("full/master_bias.npy"), &format!("{what} bias"));
    assert_bits(&m.dark.as_ref().unwrap().data, &expected("full/master_dark.npy"), &format!("{what} dark"));
    assert_close(&m.flat.as_ref().unwrap().data, &expected("full/master_flat.npy"), 1e-12, &format!("{what} flat"));
}

#[test]
fn masters_match_eloy_for_any_block_size_and_thread_count() {
    let n = night();
    let default = build_masters(&n, &MasterOptions::default()).unwrap();
    check_masters(&default, "default blocks");
    // One row per block on three threads: many blocks, out-of-order completion.
    let tiny = MasterOptions { block_bytes: 1, threads: 3, ..MasterOptions::default() };
    check_masters(&build_masters(&n, &tiny).unwrap(), "one-row blocks");
    // The master bias of 4 frames holds half-integers (even count: (lo + hi) / 2).
    assert!(default.bias.as_ref().unwrap().data.iter().any(|v| v.fract() == 0.5));
}

#[test]
fn calibrated_frames_match_eloy_including_edge_cases() {
    let n = night();
    let masters = build_masters(&n, &MasterOptions::default()).unwrap();
    let bias_only = Masters { bias: masters.bias.clone(), dark: None, flat: None };
    for frame in n.of(FrameKind::Light) {
        let name = frame.path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut reader = FitsReader::open(&frame.path).unwrap();
        let raw = reader.read_all().unwrap();
        let t = reader.key_f64("EXPTIME").unwrap().unwrap();
        for (set, m) in [("full", &masters), ("bias_only", &bias_only)] {
            let mut x = raw.clone();
            calibrate_pixels(
                &mut x,
                t,
                m.bias.as_ref().map(|m| m.data.as_slice()),
                m.dark.as_ref().map(|m| m.data.as_slice()),
                m.flat.as_ref().map(|m| m.data.as_slice()),
                true,
            );
            let want = expected(&format!("{set}/{name}.npy"));
            assert_close(&x, &want, 1e-12, &format!("{set}/{name}"));
            if set == "full" {
                // Row 1, columns 1–7: 0/0, +x/0, −x/0, exact zero, −0 (negative flat), negative, raw < bias.
                let row = &x[65..72];
                let want_row = [-1.0, -1.0, -1.0, 0.0, -0.0, -1.0, -1.0];
                assert_bits(row, &want_row, &format!("{name} edge cases"));
                assert_bits(row, &want[65..72], &format!("{name} edge cases vs eloy"));
            }
        }
    }
}

fn read_f64(path: &Path) -> Vec<f64> {
    FitsReader::open(path).unwrap().read_all().unwrap()
}

#[test]
fn pipeline_outputs_are_eloy_values_in_float32_and_float64() {
    let n = night();
    let out = std::env::temp_dir().join(format!("starmill-ccd-golden-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    for (output, dir) in [(OutputType::Float32, "f32"), (OutputType::Float64, "f64")] {
        let options = NightOptions {
            masters: MasterOptions::default(),
            calibrate: CalibrateOptions { output, threads: 2, block_rows: 5, ..CalibrateOptions::default() },
            masters_dir: None,
            master_output: output,
        };
        let report = run_night(&n, &golden().join("night"), &out.join(dir), &options, true).unwrap();
        assert_eq!(report.results.len(), 3);
        for r in &report.results {
            assert_eq!(r.outcome, starmill_ccd::calibrate::Outcome::Written, "{}", r.input.display());
            let name = r.input.file_stem().unwrap().to_string_lossy().into_owned();
            let want = expected(&format!("full/{name}.npy"));
            let got = read_f64(&r.output);
            match output {
                OutputType::Float32 => {
                    let want32: Vec<f64> = want.iter().map(|&v| v as f32 as f64).collect();
                    assert_bits(&got, &want32, &format!("{name} float32 file"));
                }
                _ => assert_close(&got, &want, 1e-12, &format!("{name} float64 file")),
            }
        }
        let bias_file = read_f64(&report.out_dir.join("master_bias.fits"));
        let want_bias = expected("full/master_bias.npy");
        match output {
            OutputType::Float64 => assert_bits(&bias_file, &want_bias, "float64 master bias file"),
            _ => assert_bits(
                &bias_file,
                &want_bias.iter().map(|&v| v as f32 as f64).collect::<Vec<_>>(),
                "float32 master bias file",
            ),
        }
    }
    // Reusing float64 masters with --masters gives the same calibrated values bit for bit.
    let reuse = NightOptions {
        masters: MasterOptions::default(),
        calibrate: CalibrateOptions { output: OutputType::Float64, ..CalibrateOptions::default() },
        masters_dir: Some(out.join("f64").join(&n.label)),
        master_output: OutputType::Float64,
    };
    let report = run_night(&n, &golden().join("night"), &out.join("reuse"), &reuse, true).unwrap();
    assert!(report.masters.iter().all(|(_, o)| matches!(o, starmill_ccd::pipeline::MasterOrigin::Reused(_))));
    for r in &report.results {
        let first = out.join("f64").join(&n.label).join("calibrated").join(r.output.file_name().unwrap());
        assert_bits(&read_f64(&r.output), &read_f64(&first), "reused masters");
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn sigma_clip_and_unscaled_dark_options_differ_from_median_as_documented() {
    let n = night();
    let clip = build_masters(
        &n,
        &MasterOptions { combine: Combine::SigmaClip { sigma: 3.0, max_iters: 5 }, ..MasterOptions::default() },
    )
    .unwrap();
    let median = build_masters(&n, &MasterOptions::default()).unwrap();
    let b = &clip.bias.as_ref().unwrap().data;
    assert!(b.iter().zip(&median.bias.as_ref().unwrap().data).any(|(c, m)| c != m));
    assert!(b.iter().all(|v| (900.0..1400.0).contains(v)), "sigma-clipped bias out of range");
    let unscaled = build_masters(&n, &MasterOptions { dark_scaling: false, ..MasterOptions::default() }).unwrap();
    // Without scaling the master dark is the rate times the darks' 60 s exposure (to rounding).
    let rate = &median.dark.as_ref().unwrap().data;
    let adu = &unscaled.dark.as_ref().unwrap().data;
    for (r, a) in rate.iter().zip(adu) {
        assert!((r * 60.0 - a).abs() <= 1e-9 * a.abs().max(1.0), "{r} ADU/s vs {a} ADU");
    }
    assert!(!unscaled.dark.as_ref().unwrap().dark_scaling);
}
