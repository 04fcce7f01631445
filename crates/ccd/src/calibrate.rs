//! Calibration of science frames with eloy's formula and flag rules, streamed over all cores.
//!
//! x = (raw − (D·EXPTIME + B)) / F, evaluated as o = D·t, o = o + B, x = raw − o, x = x / F in
//! float64; every negative, NaN or ±inf result becomes −1.0 (−0.0 is kept, as in eloy). A missing
//! master acts as eloy's default: B = 0, D = 0, F = 1.
//!
//! Each worker thread calibrates one frame at a time, reading, calibrating and writing it in row
//! blocks, so at most `threads` frames are in flight and memory per worker is a few MiB. The masters
//! are shared between the workers by reference (they are read-only), never copied.

use crate::discover::{Frame, PRODUCT_KEY};
use crate::error::{CcdError, Result};
use crate::fits::{FitsReader, FitsWriter, HeaderSpec, KeyValue, OutputType, Pixels};
use crate::masters::{thread_count, Masters};
use starmill_runner::Progress;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The value given to rejected pixels (negative, NaN or infinite results), as in eloy.
pub const REJECTED: f64 = -1.0;

/// Calibrates a run of pixels in place. `raw` holds the frame's values (ADU) and becomes the
/// calibrated values (ADU); `bias` (ADU), `dark` (ADU/s when `dark_scaling`, else ADU) and `flat`
/// (dimensionless) are the masters' values at the same pixels, `None` for a missing master.
/// `exposure` is the frame's EXPTIME in s.
pub fn calibrate_pixels(
    raw: &mut [f64],
    exposure: f64,
    bias: Option<&[f64]>,
    dark: Option<&[f64]>,
    flat: Option<&[f64]>,
    dark_scaling: bool,
) {
    let n = raw.len();
    // A missing master is eloy's one-element array broadcast over the frame: 0, 0 and 1.
    let b_at = |i: usize| bias.map_or(0.0, |b| b[i]);
    let d_at = |i: usize| dark.map_or(0.0, |d| d[i]);
    let f_at = |i: usize| flat.map_or(1.0, |f| f[i]);
    match (bias, dark, flat) {
        (Some(b), Some(d), Some(f)) if dark_scaling => {
            let (b, d, f) = (&b[..n], &d[..n], &f[..n]);
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU supports AVX2 (checked just above).
                    unsafe { calibrate_full_avx2(raw, exposure, b, d, f) };
                    return;
                }
            }
            calibrate_full(raw, exposure, b, d, f);
        }
        _ => {
            for (i, r) in raw.iter_mut().enumerate() {
                let mut o = if dark_scaling { d_at(i) * exposure } else { d_at(i) };
                o += b_at(i);
                *r = flag((*r - o) / f_at(i));
            }
        }
    }
}

/// The common case (all three masters, dark as a rate), written so that it vectorises: no
/// branches and no fused multiply-add (Rust never contracts a·b + c), hence the same rounding as
/// numpy whatever the instruction set.
#[inline(always)]
fn calibrate_full(raw: &mut [f64], exposure: f64, b: &[f64], d: &[f64], f: &[f64]) {
    for (((r, &b), &d), &f) in raw.iter_mut().zip(b).zip(d).zip(f) {
        let o = d * exposure + b;
        *r = flag((*r - o) / f);
    }
}

/// [`calibrate_full`] compiled for AVX2 (4 doubles per instruction); chosen at run time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn calibrate_full_avx2(raw: &mut [f64], exposure: f64, b: &[f64], d: &[f64], f: &[f64]) {
    calibrate_full(raw, exposure, b, d, f)
}

/// eloy's rule: negative → NaN, then non-finite → −1. −0.0 survives (−0.0 < 0 is false).
#[inline(always)]
fn flag(x: f64) -> f64 {
    // NaN fails both comparisons, +inf the second, negatives the first; −0.0 >= 0 holds.
    if (0.0..f64::INFINITY).contains(&x) {
        x
    } else {
        REJECTED
    }
}

/// Options for calibrating science frames.
#[derive(Debug, Clone)]
pub struct CalibrateOptions {
    /// Pixel type of the calibrated files (float32 by default, as eloy's pipelines write them).
    pub output: OutputType,
    /// Skip frames whose output already exists (outputs appear only when complete).
    pub resume: bool,
    /// Worker threads, i.e. frames in flight (0 = all cores).
    pub threads: usize,
    /// Rows read, calibrated and written at a time.
    pub block_rows: usize,
    /// Names of the masters for the output headers (MBIAS, MDARK, MFLAT); "none" when absent.
    pub master_names: [String; 3],
    /// Frames a worker streams together (sharing each block of the masters in cache).
    pub group: usize,
    /// Write CHECKSUM/DATASUM into every calibrated file (costs one read-back of each output).
    pub checksum: bool,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        Self {
            output: OutputType::Float32,
            resume: false,
            threads: 0,
            block_rows: 16,
            master_names: ["none".into(), "none".into(), "none".into()],
            group: 4,
            checksum: false,
        }
    }
}

/// What happened to one frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Calibrated and written.
    Written,
    /// Skipped because its output already existed (`resume`).
    Skipped,
    /// Not calibrated; the reason names the problem and the fix.
    Failed(String),
}

/// The result for one science frame.
#[derive(Debug, Clone)]
pub struct FrameResult {
    /// The raw frame.
    pub input: PathBuf,
    /// Where its calibrated image is (or would have been) written.
    pub output: PathBuf,
    /// What happened.
    pub outcome: Outcome,
}

/// Output paths for `frames` inside `out_dir`: the file name with the extension `.fits` (a `.fz`
/// suffix is dropped); frames sharing a file name keep their relative folders to stay distinct.
pub fn output_paths(frames: &[Frame], out_dir: &Path) -> Vec<PathBuf> {
    let name_of = |p: &Path| -> PathBuf {
        let mut p = p.to_path_buf();
        if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("fz")) {
            p.set_extension("");
        }
        if p.extension().is_some_and(|e| ["fits", "fit", "fts"].iter().any(|x| e.eq_ignore_ascii_case(x))) {
            p.set_extension("");
        }
        p.set_extension("fits");
        p
    };
    let mut counts: HashMap<PathBuf, usize> = HashMap::new();
    for f in frames {
        *counts.entry(name_of(Path::new(f.rel.file_name().unwrap_or_default()))).or_default() += 1;
    }
    frames
        .iter()
        .map(|f| {
            let short = name_of(Path::new(f.rel.file_name().unwrap_or_default()));
            if counts[&short] > 1 {
                out_dir.join(name_of(&f.rel))
            } else {
                out_dir.join(short)
            }
        })
        .collect()
}

/// A science frame being calibrated: its reader, its output writer and its exposure.
struct Open {
    index: usize,
    reader: FitsReader,
    writer: FitsWriter,
    exposure: f64,
}

/// Opens `input`, checks it against the masters and starts its output with the input's header
/// plus SMPROD, BUNIT, MBIAS/MDARK/MFLAT, DARKSCAL, CALFLAG, CALDATE, CALSOFT and a HISTORY line.
fn open_frame(
    input: &Path,
    output: &Path,
    masters: &Masters,
    options: &CalibrateOptions,
) -> Result<(FitsReader, FitsWriter, f64)> {
    let mut reader = FitsReader::open(input)?;
    let (width, height) = (reader.width(), reader.height());
    for m in [&masters.bias, &masters.dark, &masters.flat].into_iter().flatten() {
        if (m.width, m.height) != (width, height) {
            return Err(CcdError::input(
                input,
                format!(
                    "shape {width}×{height} does not match the {}×{} master {}; calibrate it with masters of its own shape",
                    m.width,
                    m.height,
                    m.kind.name()
                ),
            ));
        }
    }
    let exposure = reader.key_f64("EXPTIME")?.ok_or_else(|| {
        CcdError::input(
            input,
            "no EXPTIME keyword (exposure time in s), needed to scale the dark; add it to the header",
        )
    })?;
    if !exposure.is_finite() || exposure < 0.0 {
        return Err(CcdError::input(input, format!("EXPTIME = {exposure} s is not a usable exposure time")));
    }
    let mut header = HeaderSpec { cards: reader.user_cards()?, ..Default::default() };
    header.key(PRODUCT_KEY, KeyValue::Str("calibrated light".into()), "starmill product");
    header.key("BUNIT", KeyValue::Str("ADU".into()), "physical unit of the pixel values");
    header.key("MBIAS", KeyValue::Str(options.master_names[0].clone()), "master bias subtracted");
    header.key("MDARK", KeyValue::Str(options.master_names[1].clone()), "master dark subtracted");
    header.key("MFLAT", KeyValue::Str(options.master_names[2].clone()), "master flat divided");
    header.key("DARKSCAL", KeyValue::Bool(masters.dark_scaling()), "dark rate (ADU/s) scaled by EXPTIME");
    header.key("CALFLAG", KeyValue::F64(REJECTED), "value of rejected pixels (negative, NaN, inf)");
    header.key("CALDATE", KeyValue::Str(crate::time::now_utc()), "UTC date of calibration");
    header.key("CALSOFT", KeyValue::Str(format!("starmill {}", env!("CARGO_PKG_VERSION"))), "calibration software");
    header.history.push("starmill: (raw - (dark*EXPTIME + bias)) / flat; < 0, NaN, inf -> -1".into());
    let writer = FitsWriter::create(output, width, height, options.output, &header)?;
    Ok((reader, writer, exposure))
}

/// Calibrates one file into `output` (float32 or float64), keeping the input's header and adding
/// the calibration keywords (see [`calibrate_frames`]).
pub fn calibrate_file(input: &Path, output: &Path, masters: &Masters, options: &CalibrateOptions) -> Result<()> {
    let one = [input.to_path_buf()];
    let out = [output.to_path_buf()];
    let results =
        calibrate_frames(&one, &out, masters, &CalibrateOptions { threads: 1, ..options.clone() }, &Progress::hidden());
    match &results[0].outcome {
        Outcome::Failed(why) => Err(CcdError::input(input, why.clone())),
        _ => Ok(()),
    }
}

fn reason(e: &CcdError, input: &Path) -> String {
    let text = e.to_string();
    let prefix = format!("{}: ", input.display());
    text.strip_prefix(&prefix).unwrap_or(&text).to_string()
}

/// Calibrates every frame into the matching path of `outputs`. Each of `threads` workers takes
/// `group` frames at a time and streams them together row block by row block, so the masters'
/// block is read from memory once per group rather than once per frame; at most
/// threads × group frames are in flight. Bad frames are reported in their [`FrameResult`] and
/// skipped; the others complete. Every output appears under its final name only when complete.
pub fn calibrate_frames(
    frames: &[PathBuf],
    outputs: &[PathBuf],
    masters: &Masters,
    options: &CalibrateOptions,
    progress: &Progress,
) -> Vec<FrameResult> {
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(vec![None; frames.len()]);
    let next = AtomicUsize::new(0);
    let group = options.group.max(1);
    let workers = thread_count(options.threads).min(frames.len().max(1));
    let record = |i: usize, o: Outcome| {
        progress.inc(1);
        if let Ok(mut r) = results.lock() {
            r[i] = Some(o);
        }
    };
    let scaling = masters.dark_scaling();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut buf: Vec<f64> = Vec::new();
                loop {
                    let first = next.fetch_add(group, Ordering::Relaxed);
                    if first >= frames.len() {
                        break;
                    }
                    let mut open: Vec<Open> = Vec::with_capacity(group);
                    for i in first..(first + group).min(frames.len()) {
                        if options.resume && outputs[i].exists() {
                            record(i, Outcome::Skipped);
                            continue;
                        }
                        match open_frame(&frames[i], &outputs[i], masters, options) {
                            Ok((reader, writer, exposure)) => open.push(Open { index: i, reader, writer, exposure }),
                            Err(e) => record(i, Outcome::Failed(reason(&e, &frames[i]))),
                        }
                    }
                    let Some(shape) = open.first().map(|o| (o.reader.width(), o.reader.height())) else { continue };
                    let (width, height) = shape;
                    // Without masters nothing else fixes the shape: frames streamed together must agree.
                    let mut k = 0;
                    while k < open.len() {
                        if (open[k].reader.width(), open[k].reader.height()) == shape {
                            k += 1;
                        } else {
                            let odd = open.swap_remove(k);
                            let why = format!(
                                "shape {}×{} differs from the {width}×{height} of the frames calibrated with it; \
                                 calibrate it separately",
                                odd.reader.width(),
                                odd.reader.height()
                            );
                            record(odd.index, Outcome::Failed(why));
                        }
                    }
                    let rows = options.block_rows.clamp(1, height);
                    buf.resize(rows * width, 0.0);
                    let mut row0 = 0;
                    while row0 < height && !open.is_empty() {
                        let r = rows.min(height - row0);
                        let (a, b) = (row0 * width, (row0 + r) * width);
                        let values = &mut buf[..r * width];
                        let mut k = 0;
                        while k < open.len() {
                            let o = &mut open[k];
                            let step = o.reader.read_rows(row0, values).and_then(|()| {
                                calibrate_pixels(
                                    values,
                                    o.exposure,
                                    masters.bias.as_ref().map(|m| &m.data[a..b]),
                                    masters.dark.as_ref().map(|m| &m.data[a..b]),
                                    masters.flat.as_ref().map(|m| &m.data[a..b]),
                                    scaling,
                                );
                                o.writer.write_rows(row0, Pixels::F64(values))
                            });
                            match step {
                                Ok(()) => k += 1,
                                Err(e) => {
                                    // Dropping the writer removes its temporary file.
                                    let failed = open.swap_remove(k);
                                    record(failed.index, Outcome::Failed(reason(&e, &frames[failed.index])));
                                }
                            }
                        }
                        row0 += r;
                    }
                    for o in open {
                        let i = o.index;
                        drop(o.reader);
                        match o.writer.finish_with(options.checksum) {
                            Ok(()) => record(i, Outcome::Written),
                            Err(e) => record(i, Outcome::Failed(reason(&e, &frames[i]))),
                        }
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .zip(frames.iter().zip(outputs))
        .map(|(r, (i, o))| FrameResult {
            input: i.clone(),
            output: o.clone(),
            outcome: r.unwrap_or_else(|| Outcome::Failed("worker stopped unexpectedly".into())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The edge-case vector of the CCD reference (§13): every branch of eloy's `calibrate`.
    #[test]
    fn eloy_edge_cases() {
        let mut data = [0.0, 1000.0, 65535.0, 1280.0, 1290.0, 2000.0, 1280.0, 1281.0, 5000.0, 1279.0, 40000.0, 1300.0];
        let bias = [1280.0; 12];
        let dark = [0.0, 0.5, 1.0, 0.0, 0.2, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.5];
        let flat = [1.0, 0.0, 0.0, 1.0, -0.5, 0.9, 0.0, 1.0, 1.1, 1.0, 2.0, 0.0];
        calibrate_pixels(&mut data, 2.5, Some(&bias), Some(&dark), Some(&flat), true);
        let expected: [f64; 12] =
            [-1.0, -1.0, -1.0, 0.0, -1.0, 800.0, -1.0, 1.0, 3376.1363636363635, -1.0, 19360.0, -1.0];
        for (i, (g, e)) in data.iter().zip(expected).enumerate() {
            assert_eq!(g.to_bits(), e.to_bits(), "element {i}: {g} vs {e}");
        }
    }

    #[test]
    fn negative_zero_survives_and_defaults_broadcast() {
        let mut data = [1280.0, 1300.0];
        calibrate_pixels(&mut data, 10.0, Some(&[1280.0, 1280.0]), None, Some(&[-2.0, 2.0]), true);
        assert_eq!(data[0].to_bits(), (-0.0f64).to_bits());
        assert_eq!(data[1], 10.0);
        let mut raw = [5.0, 7.0];
        calibrate_pixels(&mut raw, 3.0, None, None, None, true);
        assert_eq!(raw, [5.0, 7.0]);
        let mut unscaled = [100.0];
        calibrate_pixels(&mut unscaled, 30.0, Some(&[10.0]), Some(&[5.0]), None, false);
        assert_eq!(unscaled, [85.0]);
    }
}
