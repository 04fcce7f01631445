//! Benchmark of the CCD pipeline phases on a night folder (not a test; see tools/bench_ccd.sh).
//!
//! Usage: bench_ccd NIGHT_DIR WORK_DIR [REPEATS] [THREADS]
//!
//! Prints, for each phase, min / median wall time over REPEATS runs (default 3) and the process's
//! peak resident memory (VmHWM) after the phase: discovery, masters (bias + dark + flat, in memory),
//! and calibration of every science frame written as float32 FITS into WORK_DIR/cal (removed between
//! runs). THREADS = 0 uses all cores.

use starmill_ccd::calibrate::{calibrate_frames, output_paths, CalibrateOptions, Outcome};
use starmill_ccd::discover::{discover, DiscoverOptions, FrameKind};
use starmill_ccd::masters::{build_masters, MasterOptions};
use starmill_runner::Progress;
use std::path::PathBuf;
use std::time::Instant;

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn summary(mut t: Vec<f64>) -> String {
    t.sort_by(f64::total_cmp);
    format!("{:.3} / {:.3} s (min / median of {})", t[0], t[t.len() / 2], t.len())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: bench_ccd NIGHT_DIR WORK_DIR [REPEATS] [THREADS]");
        std::process::exit(2);
    }
    let night_dir = PathBuf::from(&args[1]);
    let work = PathBuf::from(&args[2]);
    let repeats: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3).max(1);
    let threads: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(0);

    let t = Instant::now();
    let found = discover(&night_dir, &DiscoverOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let night = found.nights.first().expect("a night with frames");
    println!(
        "discovery: {:.3} s for {} frames of {}×{}",
        t.elapsed().as_secs_f64(),
        night.frames.values().map(Vec::len).sum::<usize>(),
        night.width,
        night.height
    );

    let options = MasterOptions { threads, ..MasterOptions::default() };
    let mut times = Vec::new();
    let mut masters = None;
    for _ in 0..repeats {
        let t = Instant::now();
        masters = Some(build_masters(night, &options).unwrap_or_else(|e| panic!("{e}")));
        times.push(t.elapsed().as_secs_f64());
    }
    let masters = masters.expect("at least one run");
    println!("masters (bias+dark+flat in memory): {}; peak RSS so far {:.0} MiB", summary(times), peak_rss_mib());

    let lights = night.of(FrameKind::Light);
    let inputs: Vec<PathBuf> = lights.iter().map(|f| f.path.clone()).collect();
    let cal_dir = work.join("cal");
    let outputs = output_paths(lights, &cal_dir);
    let cal = CalibrateOptions { threads, ..CalibrateOptions::default() };
    let mut times = Vec::new();
    for _ in 0..repeats {
        let _ = std::fs::remove_dir_all(&cal_dir);
        std::fs::create_dir_all(&cal_dir).expect("work folder");
        let t = Instant::now();
        let results = calibrate_frames(&inputs, &outputs, &masters, &cal, &Progress::hidden());
        times.push(t.elapsed().as_secs_f64());
        assert!(results.iter().all(|r| r.outcome == Outcome::Written), "a frame failed");
    }
    println!(
        "calibration of {} frames (float32 FITS written): {}; peak RSS so far {:.0} MiB",
        inputs.len(),
        summary(times),
        peak_rss_mib()
    );
    let _ = std::fs::remove_dir_all(&cal_dir);
}
