//! Bad input never panics and never stops the night: truncated files, missing EXPTIME, wrong shapes
//! are reported with the file and the reason; the other frames complete; `--resume` skips what is
//! done. Also: tile-compressed `.fz` input, classification by folder name, night grouping.

use fitsio_sys as sys;
use starmill_ccd::calibrate::{calibrate_frames, CalibrateOptions, Outcome};
use starmill_ccd::discover::{discover, DiscoverOptions, FrameKind, KindSource};
use starmill_ccd::fits::{write_image, FitsReader, HeaderSpec, KeyValue, OutputType, Pixels};
use starmill_ccd::masters::{build_masters, MasterOptions};
use starmill_ccd::synth::{write_night, SynthOptions};
use starmill_runner::Progress;
use std::ffi::CString;
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("starmill-ccd-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn small_night(dir: &Path) {
    let o = SynthOptions { width: 32, height: 24, bias: 2, darks: 2, flats: 2, science: 4, ..SynthOptions::default() };
    write_night(dir, &o).unwrap();
}

fn delete_key(path: &Path, key: &str) {
    let name = CString::new(path.to_str().unwrap()).unwrap();
    let k = CString::new(key).unwrap();
    let mut fptr = std::ptr::null_mut();
    let mut status = 0;
    unsafe {
        sys::ffopen(&mut fptr, name.as_ptr(), 1, &mut status);
        sys::ffdkey(fptr, k.as_ptr(), &mut status);
        sys::ffclos(fptr, &mut status);
    }
    assert_eq!(status, 0);
}

#[test]
fn bad_frames_are_reported_and_skipped_and_the_rest_completes() {
    let dir = scratch("bad");
    small_night(&dir);
    let sci = dir.join("ScienceImages");
    // Truncated copy: half the file.
    let truncated = sci.join("sci_001.fit");
    let bytes = std::fs::read(&truncated).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2 + 100]).unwrap();
    // No EXPTIME.
    let no_exptime = sci.join("sci_002.fit");
    delete_key(&no_exptime, "EXPTIME");
    // A frame of another shape among the science frames.
    let wrong = sci.join("sci_009.fit");
    let mut h = HeaderSpec::default();
    h.key("IMAGETYP", KeyValue::Str("Light Frame".into()), "");
    h.key("EXPTIME", KeyValue::F64(45.0), "");
    h.key("DATE-OBS", KeyValue::Str("2025-03-14T21:00:00".into()), "");
    write_image(&wrong, 16, 16, OutputType::UInt16, Pixels::U16(&[2000u16; 256]), &h).unwrap();
    // Not FITS at all.
    std::fs::write(sci.join("notes.fits"), b"observing log, not a FITS file").unwrap();

    let found = discover(&dir, &DiscoverOptions::default()).unwrap();
    let problem = |name: &str| {
        found
            .problems
            .iter()
            .find(|p| p.path.ends_with(name))
            .unwrap_or_else(|| panic!("{name} not reported"))
            .message
            .clone()
    };
    assert!(problem("sci_001.fit").contains("truncated"), "{}", problem("sci_001.fit"));
    assert!(problem("sci_002.fit").contains("EXPTIME"), "{}", problem("sci_002.fit"));
    assert!(problem("sci_009.fit").contains("16×16"), "{}", problem("sci_009.fit"));
    assert!(problem("notes.fits").contains("FITS"), "{}", problem("notes.fits"));
    let night = &found.nights[0];
    assert_eq!(night.of(FrameKind::Light).len(), 2);

    // Hand every science file to the calibration itself: good ones written, bad ones named.
    let masters = build_masters(night, &MasterOptions::default()).unwrap();
    let inputs: Vec<PathBuf> = ["sci_000.fit", "sci_001.fit", "sci_002.fit", "sci_003.fit", "sci_009.fit"]
        .iter()
        .map(|n| sci.join(n))
        .collect();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let outputs: Vec<PathBuf> =
        inputs.iter().map(|p| out.join(p.file_name().unwrap()).with_extension("fits")).collect();
    let opts = CalibrateOptions { threads: 2, ..CalibrateOptions::default() };
    let results = calibrate_frames(&inputs, &outputs, &masters, &opts, &Progress::hidden());
    let outcome = |i: usize| results[i].outcome.clone();
    assert_eq!(outcome(0), Outcome::Written);
    assert_eq!(outcome(3), Outcome::Written);
    assert!(matches!(outcome(1), Outcome::Failed(ref m) if m.contains("truncated")), "{:?}", outcome(1));
    assert!(matches!(outcome(2), Outcome::Failed(ref m) if m.contains("EXPTIME")), "{:?}", outcome(2));
    assert!(matches!(outcome(4), Outcome::Failed(ref m) if m.contains("16×16")), "{:?}", outcome(4));
    for i in [1, 2, 4] {
        assert!(!outputs[i].exists(), "no output for a failed frame");
    }
    // Nothing half-written is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Resume: done frames are skipped, not rewritten.
    let before = std::fs::metadata(&outputs[0]).unwrap().modified().unwrap();
    let resumed = CalibrateOptions { resume: true, ..opts };
    let again = calibrate_frames(&inputs[..1], &outputs[..1], &masters, &resumed, &Progress::hidden());
    assert_eq!(again[0].outcome, Outcome::Skipped);
    assert_eq!(std::fs::metadata(&outputs[0]).unwrap().modified().unwrap(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes `pixels` as a Rice tile-compressed image (what fpack makes) with cfitsio, with the given
/// string keywords and EXPTIME.
fn write_fz(path: &Path, width: usize, height: usize, pixels: &[u16], keys: &[(&str, &str)], exptime: f64) {
    let name = CString::new(format!("!{}", path.display())).unwrap();
    let mut fptr = std::ptr::null_mut();
    let mut status = 0;
    let mut naxes = [width as std::os::raw::c_long, height as std::os::raw::c_long];
    unsafe {
        sys::ffinit(&mut fptr, name.as_ptr(), &mut status);
        sys::fits_set_compression_type(fptr, sys::RICE_1 as i32, &mut status);
        sys::ffcrim(fptr, sys::USHORT_IMG as i32, 2, naxes.as_mut_ptr(), &mut status);
        for (k, v) in keys {
            let k = CString::new(*k).unwrap();
            let v = CString::new(*v).unwrap();
            sys::ffpkys(fptr, k.as_ptr(), v.as_ptr(), std::ptr::null(), &mut status);
        }
        let k = CString::new("EXPTIME").unwrap();
        sys::ffpkyd(fptr, k.as_ptr(), exptime, -10, std::ptr::null(), &mut status);
        sys::ffppr(fptr, sys::TUSHORT as i32, 1, pixels.len() as i64, pixels.as_ptr() as *mut _, &mut status);
        sys::ffclos(fptr, &mut status);
    }
    assert_eq!(status, 0, "cfitsio status writing {}", path.display());
}

#[test]
fn compressed_frames_folder_classification_and_nights() {
    let dir = scratch("fz");
    let darks = dir.join("Darks");
    let lights = dir.join("Lights");
    std::fs::create_dir_all(&darks).unwrap();
    std::fs::create_dir_all(&lights).unwrap();
    let pixels: Vec<u16> = (0..40 * 20).map(|i| (i * 37 % 60000) as u16).collect();
    // A Rice-compressed dark without IMAGETYP: classified by its folder (Darks/).
    let fz = darks.join("d1.fits.fz");
    write_fz(&fz, 40, 20, &pixels, &[("DATE-OBS", "2025-03-14T20:00:00")], 60.0);
    // A light taken after midnight: the same night with the default 12 h offset.
    let late = lights.join("l1.fz");
    write_fz(&late, 40, 20, &pixels, &[("IMAGETYP", "Light Frame"), ("DATE-OBS", "2025-03-15T02:30:00.5")], 45.0);

    let mut r = FitsReader::open(&fz).unwrap();
    assert_eq!((r.width(), r.height(), r.hdu()), (40, 20, 2));
    let back = r.read_all().unwrap();
    assert!(back.iter().zip(&pixels).all(|(a, &b)| *a == b as f64), "lossless Rice round trip");
    let cards = r.user_cards().unwrap();
    assert!(cards.iter().all(|c| !c.starts_with("ZIMAGE") && !c.starts_with("TFORM") && !c.starts_with("XTENSION")));
    assert!(cards.iter().any(|c| c.starts_with("DATE-OBS")));

    let found = discover(&dir, &DiscoverOptions::default()).unwrap();
    assert!(found.problems.is_empty(), "{:?}", found.problems);
    assert_eq!(found.nights.len(), 1);
    let night = &found.nights[0];
    assert_eq!(night.label, "2025-03-14");
    let dark = &night.of(FrameKind::Dark)[0];
    assert_eq!((dark.kind_source, dark.exptime), (KindSource::Folder, Some(60.0)));
    assert_eq!(night.of(FrameKind::Light)[0].kind_source, KindSource::Header);
    // With no offset the light taken at 02:30 belongs to the next date.
    let split = discover(&dir, &DiscoverOptions { night_offset_hours: 0.0, ..DiscoverOptions::default() }).unwrap();
    let labels: Vec<&str> = split.nights.iter().map(|n| n.label.as_str()).collect();
    assert_eq!(labels, ["2025-03-14", "2025-03-15"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
