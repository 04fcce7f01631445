//! Master bias, dark and flat with eloy's semantics, computed out of core.
//!
//! Every master is a per-pixel combination over frames. Instead of loading all frames (eloy holds
//! them all, plus a stacked copy), the image is cut into blocks of whole rows; a worker reads one
//! block from every frame, applies the per-frame arithmetic and combines each pixel over frames.
//! Workers take blocks from a shared queue, each with its own cfitsio handles, so peak memory is
//! (workers × frames × block) plus the masters themselves, whatever the number of frames.
//!
//! Formulas (eloy 0.0.11b0, float64 throughout, operations in this order, no fused multiply-add):
//! * bias:  B = median_i(raw_i)                                   (ADU)
//! * dark:  D = median_i((raw_i − B) / t_i)                       (ADU/s; t_i = EXPTIME in s)
//! * flat:  F_i = (raw_i − B) − D·t_i;  F = median_i(F_i / mean(F_i))   (dimensionless)
//!
//! where the median ignores NaN and takes (lo + hi)/2 for an even count, and mean(F_i) is numpy's
//! pairwise mean over the whole frame (streamed, see [`crate::stats::PairwiseSum`]).

use crate::discover::{FrameKind, Night, PRODUCT_KEY};
use crate::error::{CcdError, Result};
use crate::fits::{FitsReader, FitsWriter, HeaderSpec, KeyValue, OutputType, Pixels};
use crate::stats::{nan_median, sigma_clipped_mean, MedianNetwork, PairwiseSum};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// How frames are combined per pixel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Combine {
    /// NaN-ignoring median (eloy's rule; the default).
    Median,
    /// Mean after iterative clipping at `sigma` standard deviations around the median (astropy
    /// `sigma_clip` defaults: 3 σ, 5 iterations). Not in eloy.
    SigmaClip {
        /// Clipping threshold in standard deviations.
        sigma: f64,
        /// Maximum number of clipping rounds.
        max_iters: usize,
    },
}

impl Combine {
    fn apply(self, values: &mut [f64]) -> f64 {
        match self {
            Combine::Median => nan_median(values),
            Combine::SigmaClip { sigma, max_iters } => sigma_clipped_mean(values, sigma, max_iters),
        }
    }

    /// The COMBTYPE header value.
    pub fn label(self) -> &'static str {
        match self {
            Combine::Median => "MEDIAN",
            Combine::SigmaClip { .. } => "SIGCLIP",
        }
    }
}

/// Options for building masters.
#[derive(Debug, Clone)]
pub struct MasterOptions {
    /// Per-pixel combination.
    pub combine: Combine,
    /// true (eloy): the master dark is a rate in ADU/s, scaled by each frame's EXPTIME when used.
    /// false: the master dark is in ADU for the darks' own exposure and is subtracted unscaled.
    pub dark_scaling: bool,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Target bytes of frame data a worker holds at once (frames × rows × width × 8 B).
    pub block_bytes: usize,
}

impl Default for MasterOptions {
    fn default() -> Self {
        Self { combine: Combine::Median, dark_scaling: true, threads: 0, block_bytes: 2 << 20 }
    }
}

/// The number of worker threads for a request of `threads` (0 = all cores).
pub fn thread_count(threads: usize) -> usize {
    if threads > 0 {
        threads
    } else {
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    }
}

/// One input frame of a master: its file and exposure time (s).
#[derive(Debug, Clone)]
pub struct MasterInput {
    /// The FITS file.
    pub path: PathBuf,
    /// EXPTIME in s (0 for bias frames).
    pub exptime: f64,
}

/// A master frame in memory (float64, row-major, height × width) with its provenance.
#[derive(Debug, Clone)]
pub struct Master {
    /// Bias, dark or flat.
    pub kind: FrameKind,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Pixel values: ADU (bias), ADU/s (dark with scaling) or ADU (dark without), or
    /// dimensionless (flat).
    pub data: Vec<f64>,
    /// The frames combined (empty for a master read back from disk).
    pub inputs: Vec<MasterInput>,
    /// Per-frame normalisation of a flat (mean of the bias- and dark-subtracted frame, ADU).
    pub flat_means: Vec<f64>,
    /// The combination used.
    pub combine: Combine,
    /// For a dark: whether it is a rate (ADU/s).
    pub dark_scaling: bool,
    /// Where the master was read from, if it was.
    pub source: Option<PathBuf>,
}

/// The masters a calibration uses; a missing one acts as eloy's default (bias 0, dark 0, flat 1).
#[derive(Debug, Clone, Default)]
pub struct Masters {
    /// Master bias (ADU).
    pub bias: Option<Master>,
    /// Master dark (ADU/s, or ADU when not scaled).
    pub dark: Option<Master>,
    /// Master flat (dimensionless).
    pub flat: Option<Master>,
}

impl Masters {
    /// Whether the dark is a rate to be multiplied by EXPTIME (true also when there is no dark).
    pub fn dark_scaling(&self) -> bool {
        self.dark.as_ref().is_none_or(|d| d.dark_scaling)
    }
}

/// Streams row blocks of every input through `transform` (frame index, index of the block's first
/// pixel in the image, the block's values of that frame, modified in place) and writes the
/// per-pixel combination into `out` (height × width).
fn stream_combine<T>(
    inputs: &[MasterInput],
    width: usize,
    height: usize,
    options: &MasterOptions,
    transform: T,
    out: &mut [f64],
) -> Result<()>
where
    T: Fn(usize, usize, &mut [f64]) + Sync,
{
    let n = inputs.len();
    if n == 0 {
        return Err(CcdError::Usage("no frames to combine".into()));
    }
    let rows_per_block = (options.block_bytes / (n * width * 8)).clamp(1, height);
    let block_len = rows_per_block * width;
    let workers = thread_count(options.threads).min(height.div_ceil(rows_per_block));
    // Keep handles open across blocks unless that would exhaust file descriptors.
    let keep_open = n * workers <= 512;
    let network = (options.combine == Combine::Median && n <= MedianNetwork::MAX_INPUTS).then(|| MedianNetwork::new(n));
    let queue = Mutex::new(out.chunks_mut(block_len).enumerate());
    let failed = AtomicBool::new(false);
    let first_error: Mutex<Option<CcdError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let result = (|| -> Result<()> {
                    let mut readers: Vec<Option<FitsReader>> = (0..n).map(|_| None).collect();
                    let mut stack = vec![0.0f64; n * block_len];
                    let mut column = vec![0.0f64; n];
                    loop {
                        if failed.load(Ordering::Relaxed) {
                            return Ok(());
                        }
                        let next = queue.lock().map_err(|_| CcdError::Usage("a worker panicked".into()))?.next();
                        let Some((block, chunk)) = next else { return Ok(()) };
                        let row0 = block * rows_per_block;
                        let len = chunk.len();
                        for (f, input) in inputs.iter().enumerate() {
                            if readers[f].is_none() {
                                let r = FitsReader::open(&input.path)?;
                                if (r.width(), r.height()) != (width, height) {
                                    return Err(CcdError::input(
                                        &input.path,
                                        format!(
                                            "shape {}×{} differs from the {width}×{height} of the other frames; \
                                             remove it from the set",
                                            r.width(),
                                            r.height()
                                        ),
                                    ));
                                }
                                readers[f] = Some(r);
                            }
                            let reader = readers[f].as_mut().expect("opened above");
                            let values = &mut stack[f * block_len..f * block_len + len];
                            reader.read_rows(row0, values)?;
                            transform(f, row0 * width, values);
                            if !keep_open {
                                readers[f] = None;
                            }
                        }
                        // Branch-free median network across pixels when the block holds no NaN;
                        // otherwise the per-pixel NaN-ignoring combination.
                        let has_nan =
                            || (0..n).any(|f| stack[f * block_len..f * block_len + len].iter().any(|v| v.is_nan()));
                        match &network {
                            Some(net) if !has_nan() => net.medians(&mut stack, block_len, len, chunk),
                            _ => {
                                for (j, o) in chunk.iter_mut().enumerate() {
                                    for f in 0..n {
                                        column[f] = stack[f * block_len + j];
                                    }
                                    *o = options.combine.apply(&mut column);
                                }
                            }
                        }
                    }
                })();
                if let Err(e) = result {
                    failed.store(true, Ordering::Relaxed);
                    if let Ok(mut slot) = first_error.lock() {
                        slot.get_or_insert(e);
                    }
                }
            });
        }
    });
    match first_error.into_inner().ok().flatten() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Master bias: per-pixel combination (median) of the raw frames, float64 ADU.
pub fn master_bias(inputs: &[MasterInput], width: usize, height: usize, options: &MasterOptions) -> Result<Master> {
    let mut data = vec![0.0; width * height];
    stream_combine(inputs, width, height, options, |_, _, _| {}, &mut data)?;
    Ok(Master {
        kind: FrameKind::Bias,
        width,
        height,
        data,
        inputs: inputs.to_vec(),
        flat_means: Vec::new(),
        combine: options.combine,
        dark_scaling: options.dark_scaling,
        source: None,
    })
}

/// Master dark: per-pixel combination of (raw − B) / EXPTIME in ADU/s (eloy), or of raw − B in ADU
/// when `options.dark_scaling` is false. `bias` None means B = 0 (eloy's default).
pub fn master_dark(
    inputs: &[MasterInput],
    bias: Option<&[f64]>,
    width: usize,
    height: usize,
    options: &MasterOptions,
) -> Result<Master> {
    check_master_len(bias, width, height)?;
    if options.dark_scaling {
        if let Some(bad) = inputs.iter().find(|i| i.exptime <= 0.0 || !i.exptime.is_finite()) {
            return Err(CcdError::input(
                &bad.path,
                format!("EXPTIME = {} s cannot scale a dark to ADU/s; fix the header or drop the frame", bad.exptime),
            ));
        }
    } else if let Some(bad) = inputs.iter().find(|i| i.exptime != inputs[0].exptime) {
        return Err(CcdError::input(
            &bad.path,
            format!(
                "EXPTIME = {} s differs from {} s of {}: unscaled darks must share one exposure time; \
                 use dark scaling or separate the darks",
                bad.exptime,
                inputs[0].exptime,
                inputs[0].path.display()
            ),
        ));
    }
    let scaling = options.dark_scaling;
    let mut data = vec![0.0; width * height];
    stream_combine(
        inputs,
        width,
        height,
        options,
        |f, p0, values| {
            let t = inputs[f].exptime;
            // Without a bias eloy subtracts array([0.]), which changes no value.
            if let Some(b) = bias {
                for (v, &bv) in values.iter_mut().zip(&b[p0..]) {
                    *v -= bv;
                }
            }
            if scaling {
                for v in values.iter_mut() {
                    *v /= t;
                }
            }
        },
        &mut data,
    )?;
    Ok(Master {
        kind: FrameKind::Dark,
        width,
        height,
        data,
        inputs: inputs.to_vec(),
        flat_means: Vec::new(),
        combine: options.combine,
        dark_scaling: scaling,
        source: None,
    })
}

fn check_master_len(m: Option<&[f64]>, width: usize, height: usize) -> Result<()> {
    match m {
        Some(d) if d.len() != width * height => {
            Err(CcdError::Usage(format!("a master of {} pixels cannot serve {width}×{height} frames", d.len())))
        }
        _ => Ok(()),
    }
}

/// Writes (raw − B) − D·t (or (raw − B) − D without dark scaling) in place, in eloy's order.
fn subtract_bias_dark(
    values: &mut [f64],
    p0: usize,
    bias: Option<&[f64]>,
    dark: Option<&[f64]>,
    t: f64,
    scaling: bool,
) {
    // A missing master is eloy's array([0.]): subtracting it changes no value. One fused pass per
    // case, same operation order as eloy: (raw − B), then − (D·t).
    match (bias, dark) {
        (Some(b), Some(d)) if scaling => {
            for ((v, &bv), &dv) in values.iter_mut().zip(&b[p0..]).zip(&d[p0..]) {
                *v = (*v - bv) - dv * t;
            }
        }
        (Some(b), Some(d)) => {
            for ((v, &bv), &dv) in values.iter_mut().zip(&b[p0..]).zip(&d[p0..]) {
                *v = (*v - bv) - dv;
            }
        }
        (Some(b), None) => {
            for (v, &bv) in values.iter_mut().zip(&b[p0..]) {
                *v -= bv;
            }
        }
        (None, Some(d)) if scaling => {
            for (v, &dv) in values.iter_mut().zip(&d[p0..]) {
                *v -= dv * t;
            }
        }
        (None, Some(d)) => {
            for (v, &dv) in values.iter_mut().zip(&d[p0..]) {
                *v -= dv;
            }
        }
        (None, None) => {}
    }
}

/// Master flat: each frame bias- and dark-subtracted ((raw − B) − D·t), divided by its own numpy
/// pairwise mean, then combined per pixel (median). Not renormalised afterwards (as eloy).
/// `bias`/`dark` None mean 0. `dark_scaling` says whether `dark` is a rate (ADU/s).
pub fn master_flat(
    inputs: &[MasterInput],
    bias: Option<&[f64]>,
    dark: Option<&[f64]>,
    dark_scaling: bool,
    width: usize,
    height: usize,
    options: &MasterOptions,
) -> Result<Master> {
    check_master_len(bias, width, height)?;
    check_master_len(dark, width, height)?;
    // Pass 1: the mean of every bias- and dark-subtracted flat, streamed in row blocks, one frame
    // per task, so that no frame is ever whole in memory.
    let threads = thread_count(options.threads);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CcdError::Usage(format!("cannot start {threads} threads: {e}")))?;
    let rows = (options.block_bytes / (width * 8)).clamp(1, height);
    let means: Vec<Result<f64>> = pool.install(|| {
        inputs
            .par_iter()
            .map(|input| {
                let mut reader = FitsReader::open(&input.path)?;
                if (reader.width(), reader.height()) != (width, height) {
                    return Err(CcdError::input(
                        &input.path,
                        format!("shape {}×{} differs from {width}×{height}", reader.width(), reader.height()),
                    ));
                }
                let mut sum = PairwiseSum::new(width * height);
                let mut buf = vec![0.0; rows * width];
                let mut row0 = 0;
                while row0 < height {
                    let r = rows.min(height - row0);
                    let values = &mut buf[..r * width];
                    reader.read_rows(row0, values)?;
                    subtract_bias_dark(values, row0 * width, bias, dark, input.exptime, dark_scaling);
                    sum.push(values);
                    row0 += r;
                }
                let total =
                    sum.finish().ok_or_else(|| CcdError::input(&input.path, "internal: pixel count mismatch"))?;
                Ok(total / (width * height) as f64)
            })
            .collect()
    });
    let means = means.into_iter().collect::<Result<Vec<f64>>>()?;
    // Pass 2: normalise and combine per pixel.
    let mut data = vec![0.0; width * height];
    stream_combine(
        inputs,
        width,
        height,
        options,
        |f, p0, values| {
            subtract_bias_dark(values, p0, bias, dark, inputs[f].exptime, dark_scaling);
            let m = means[f];
            for v in values.iter_mut() {
                *v /= m;
            }
        },
        &mut data,
    )?;
    Ok(Master {
        kind: FrameKind::Flat,
        width,
        height,
        data,
        inputs: inputs.to_vec(),
        flat_means: means,
        combine: options.combine,
        dark_scaling,
        source: None,
    })
}

fn inputs_of(night: &Night, kind: FrameKind) -> Vec<MasterInput> {
    night.of(kind).iter().map(|f| MasterInput { path: f.path.clone(), exptime: f.exptime.unwrap_or(0.0) }).collect()
}

/// Builds whichever masters the night has frames for, chained bias → dark → flat as eloy's
/// tutorial does. A kind without frames gives no master (eloy's defaults then apply).
pub fn build_masters(night: &Night, options: &MasterOptions) -> Result<Masters> {
    let (w, h) = (night.width, night.height);
    let bias_in = inputs_of(night, FrameKind::Bias);
    let dark_in = inputs_of(night, FrameKind::Dark);
    let flat_in = inputs_of(night, FrameKind::Flat);
    let bias = if bias_in.is_empty() { None } else { Some(master_bias(&bias_in, w, h, options)?) };
    let b = bias.as_ref().map(|m| m.data.as_slice());
    let dark = if dark_in.is_empty() { None } else { Some(master_dark(&dark_in, b, w, h, options)?) };
    let d = dark.as_ref().map(|m| m.data.as_slice());
    let flat =
        if flat_in.is_empty() { None } else { Some(master_flat(&flat_in, b, d, options.dark_scaling, w, h, options)?) };
    Ok(Masters { bias, dark, flat })
}

/// The file name of a master of `kind` inside a masters folder.
pub fn master_file_name(kind: FrameKind) -> &'static str {
    match kind {
        FrameKind::Bias => "master_bias.fits",
        FrameKind::Dark => "master_dark.fits",
        FrameKind::Flat => "master_flat.fits",
        FrameKind::Light => "master_light.fits",
    }
}

/// Writes a master as a FITS product (float32 by default) with provenance: SMPROD, IMAGETYP, BUNIT,
/// COMBTYPE, NCOMBINE, DARKSCAL, one IMCMBnnn keyword per input file (relative to `root` when
/// given) and HISTORY lines with each input's EXPTIME (and each flat's mean).
pub fn write_master(master: &Master, dest: &Path, output: OutputType, root: Option<&Path>) -> Result<()> {
    let mut h = HeaderSpec::default();
    let (what, unit) = match master.kind {
        FrameKind::Bias => ("Master Bias", Some("ADU")),
        FrameKind::Dark => ("Master Dark", Some(if master.dark_scaling { "ADU/s" } else { "ADU" })),
        FrameKind::Flat => ("Master Flat", None),
        FrameKind::Light => ("Master", None),
    };
    h.key(PRODUCT_KEY, KeyValue::Str(format!("master {}", master.kind.name())), "starmill product");
    h.key("IMAGETYP", KeyValue::Str(what.into()), "frame type");
    if let Some(u) = unit {
        h.key("BUNIT", KeyValue::Str(u.into()), "physical unit of the pixel values");
    }
    h.key("COMBTYPE", KeyValue::Str(master.combine.label().into()), "per-pixel combination of the inputs");
    if let Combine::SigmaClip { sigma, max_iters } = master.combine {
        h.key("CLIPSIG", KeyValue::F64(sigma), "clipping threshold (standard deviations)");
        h.key("CLIPITER", KeyValue::Int(max_iters as i64), "maximum clipping rounds");
    }
    h.key("NCOMBINE", KeyValue::Int(master.inputs.len() as i64), "number of frames combined");
    if master.kind != FrameKind::Bias {
        h.key("DARKSCAL", KeyValue::Bool(master.dark_scaling), "dark is a rate (ADU/s) scaled by EXPTIME");
    }
    h.key("SMVERS", KeyValue::Str(format!("starmill {}", env!("CARGO_PKG_VERSION"))), "software");
    h.key("DATE", KeyValue::Str(crate::time::now_utc()), "UTC date of file creation");
    for (i, input) in master.inputs.iter().enumerate().take(999) {
        let name = root.and_then(|r| input.path.strip_prefix(r).ok()).unwrap_or(&input.path);
        h.key(&format!("IMCMB{:03}", i + 1), KeyValue::Str(name.display().to_string()), "input frame");
    }
    for (i, input) in master.inputs.iter().enumerate() {
        let name = input.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let line = match master.flat_means.get(i) {
            Some(m) => format!("{name}: EXPTIME {} s, mean after bias/dark {m:.6} ADU", input.exptime),
            None => format!("{name}: EXPTIME {} s", input.exptime),
        };
        h.history.push(line);
    }
    h.history.push(match master.kind {
        FrameKind::Bias => "B = median(raw) per pixel (eloy master_bias)".to_string(),
        FrameKind::Dark if master.dark_scaling => "D = median((raw - B) / EXPTIME) per pixel, ADU/s".to_string(),
        FrameKind::Dark => "D = median(raw - B) per pixel, ADU (no scaling)".to_string(),
        _ => "F = median(((raw - B) - D*EXPTIME) / mean) per pixel".to_string(),
    });
    let mut writer = FitsWriter::create(dest, master.width, master.height, output, &h)?;
    writer.write_rows(0, Pixels::F64(&master.data))?;
    writer.finish()
}

/// Reads a master product written by [`write_master`] (or any 2-D FITS image) into float64. The
/// DARKSCAL keyword, when present, says whether a dark is a rate; otherwise a rate is assumed.
pub fn read_master(path: &Path, kind: FrameKind) -> Result<Master> {
    let mut reader = FitsReader::open(path)?;
    let data = reader.read_all()?;
    let dark_scaling = match reader.key_str("DARKSCAL")? {
        Some(v) => !v.trim().eq_ignore_ascii_case("F"),
        None => true,
    };
    let combine = match reader.key_str("COMBTYPE")?.as_deref() {
        Some("SIGCLIP") => Combine::SigmaClip {
            sigma: reader.key_f64("CLIPSIG")?.unwrap_or(3.0),
            max_iters: reader.key_f64("CLIPITER")?.unwrap_or(5.0) as usize,
        },
        _ => Combine::Median,
    };
    Ok(Master {
        kind,
        width: reader.width(),
        height: reader.height(),
        data,
        inputs: Vec::new(),
        flat_means: Vec::new(),
        combine,
        dark_scaling,
        source: Some(path.to_path_buf()),
    })
}
