//! A synthetic observing night written as real camera files, deterministic from a seed.
//!
//! Layout: `Bias/bias_NNN.fit`, `Darks/dark_NNN.fit`, `Flats/flat_NNN.fit`,
//! `ScienceImages/sci_NNN.fit`; primary HDU only, BITPIX 16 with BZERO 32768 (unsigned 16-bit),
//! headers with IMAGETYP, EXPTIME (s), DATE-OBS, OBJECT, FILTER, GAIN (e⁻/ADU), RDNOISE (ADU),
//! CCD-TEMP (°C), XBINNING, YBINNING and SYNTHSED (the seed).
//!
//! Instrument model (all in ADU unless stated):
//! * bias 1280 + fixed per-column pattern N(0, 4) + max(2, width/256) columns offset by −25 or +30
//!   + a row ramp of 0–3; read noise N(0, 10) per frame;
//! * dark current 0.02 ADU/s + 0.2 % hot pixels at 5–300 ADU/s (log-uniform) + amplifier glow
//!   (0.5 ADU/s peak decaying from one corner), Poisson noise at gain 1.5 e⁻/ADU;
//! * response: vignetting 1 − 0.25 (r/r_max)², dust donuts 4–8 % deep, pixel non-uniformity
//!   N(1, 0.01), 0.01 % dead pixels with response 0.02;
//! * flats: 20–30 kADU at the centre with a 1 % gradient, EXPTIME 2–8 s;
//! * science: EXPTIME 45 s, sky 600–900 with a 5 % gradient, Gaussian stars (FWHM 3.2 px, fluxes
//!   2e3–2e6 ADU log-uniform, two saturating), drift (+0.05, −0.03) px per frame, 3–8 cosmic rays
//!   of 1–4 px (2e3–3e4 ADU, not flat-fielded).
//!
//! raw = clip(round(bias + read noise + Poisson(dark·t + signal·response)), 0, 65535).

use crate::error::{CcdError, Result};
use crate::fits::{FitsWriter, HeaderSpec, KeyValue, OutputType, Pixels};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// Width in pixels (NAXIS1).
    pub width: usize,
    /// Height in pixels (NAXIS2).
    pub height: usize,
    /// Number of bias frames.
    pub bias: usize,
    /// Number of dark frames (60 s each).
    pub darks: usize,
    /// Number of flat frames (2–8 s each).
    pub flats: usize,
    /// Number of science frames (45 s each).
    pub science: usize,
    /// Seed of every random draw; the same seed gives byte-identical pixel data.
    pub seed: u64,
    /// Plant pixels that exercise every calibration edge case (0/0, x/0, negative results, exact
    /// zero, −0 from a negative flat) in row 1, columns 1–7 (needs width ≥ 8 and height ≥ 2).
    pub edge_cases: bool,
    /// Worker threads (0 = all cores).
    pub threads: usize,
}

impl Default for SynthOptions {
    fn default() -> Self {
        Self {
            width: 512,
            height: 512,
            bias: 10,
            darks: 10,
            flats: 10,
            science: 20,
            seed: 2025,
            edge_cases: false,
            threads: 0,
        }
    }
}

/// Detector gain in e⁻/ADU.
pub const GAIN: f64 = 1.5;
/// Read noise in ADU.
pub const READ_NOISE: f64 = 10.0;
/// Bias level in ADU.
pub const BIAS_LEVEL: f64 = 1280.0;
/// Dark frame exposure in s.
pub const DARK_EXPTIME: f64 = 60.0;
/// Science frame exposure in s.
pub const SCIENCE_EXPTIME: f64 = 45.0;
/// DATE-OBS of the first frame (UTC).
pub const NIGHT_START: &str = "2025-03-14T18:40:00.000";

/// xoshiro256++ seeded through SplitMix64: small, fast and fully specified, so a night is the same
/// on every machine and version.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
    spare: Option<f64>,
}

impl Rng {
    /// A generator for the stream identified by (seed, kind, index).
    pub fn new(seed: u64, kind: u64, index: u64) -> Self {
        let mut x = seed ^ kind.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self { s: [next(), next(), next(), next()], spare: None }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = (self.s[0].wrapping_add(self.s[3])).rotate_left(23).wrapping_add(self.s[0]);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Log-uniform in [lo, hi).
    pub fn log_range(&mut self, lo: f64, hi: f64) -> f64 {
        (lo.ln() + (hi.ln() - lo.ln()) * self.uniform()).exp()
    }

    /// Standard normal (Marsaglia's polar method).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let f = (-2.0 * s.ln() / s).sqrt();
                self.spare = Some(v * f);
                return u * f;
            }
        }
    }

    /// A Poisson count with mean `lambda` (exact below 30, normal approximation above).
    pub fn poisson(&mut self, lambda: f64) -> f64 {
        if lambda <= 0.0 {
            return 0.0;
        }
        if lambda < 30.0 {
            let limit = (-lambda).exp();
            let mut k = 0.0;
            let mut p = self.uniform();
            while p > limit {
                k += 1.0;
                p *= self.uniform();
            }
            k
        } else {
            (lambda + lambda.sqrt() * self.normal()).round().max(0.0)
        }
    }
}

/// The fixed properties of the synthetic camera (the same for every frame of a night).
struct Camera {
    width: usize,
    height: usize,
    /// Noise-free bias per pixel (ADU).
    bias: Vec<f64>,
    /// Dark current per pixel (ADU/s).
    dark: Vec<f64>,
    /// Relative response per pixel.
    response: Vec<f64>,
    /// Stars: x, y (px), total flux (ADU).
    stars: Vec<(f64, f64, f64)>,
}

const KIND_CAMERA: u64 = 1;
const KIND_BIAS: u64 = 10;
const KIND_DARK: u64 = 11;
const KIND_FLAT: u64 = 12;
const KIND_SCIENCE: u64 = 13;

impl Camera {
    fn new(width: usize, height: usize, seed: u64) -> Self {
        let n = width * height;
        let mut rng = Rng::new(seed, KIND_CAMERA, 0);
        let column: Vec<f64> = (0..width).map(|_| 4.0 * rng.normal()).collect();
        let mut column = column;
        for _ in 0..(width / 256).max(2) {
            let c = (rng.uniform() * width as f64) as usize % width;
            column[c] += if rng.uniform() < 0.5 { -25.0 } else { 30.0 };
        }
        let mut bias = vec![0.0; n];
        for y in 0..height {
            let ramp = if height > 1 { 3.0 * y as f64 / (height - 1) as f64 } else { 0.0 };
            for x in 0..width {
                bias[y * width + x] = BIAS_LEVEL + column[x] + ramp;
            }
        }
        let diag = ((width * width + height * height) as f64).sqrt();
        let mut dark = vec![0.0; n];
        for y in 0..height {
            for x in 0..width {
                let r = ((x * x + y * y) as f64).sqrt();
                dark[y * width + x] = 0.02 + 0.5 * (-r / (0.08 * diag)).exp();
            }
        }
        let hot = ((n as f64) * 0.002).round().max(1.0) as usize;
        for _ in 0..hot {
            let p = (rng.uniform() * n as f64) as usize % n;
            dark[p] += rng.log_range(5.0, 300.0);
        }
        let (cx, cy) = ((width as f64 - 1.0) / 2.0, (height as f64 - 1.0) / 2.0);
        let rmax = (cx * cx + cy * cy).sqrt().max(1.0);
        let mut response = vec![0.0; n];
        for y in 0..height {
            for x in 0..width {
                let r = ((x as f64 - cx).powi(2) + (y as f64 - cy).powi(2)).sqrt() / rmax;
                response[y * width + x] = (1.0 - 0.25 * r * r) * (1.0 + 0.01 * rng.normal());
            }
        }
        let scale = (width.min(height) as f64 / 512.0).max(0.1);
        let donuts = ((n as f64 / 262_144.0) * 4.0).round().max(2.0) as usize;
        for _ in 0..donuts {
            let (dx, dy) = (rng.range(0.0, width as f64), rng.range(0.0, height as f64));
            let radius = rng.range(6.0, 20.0) * scale.sqrt();
            let depth = rng.range(0.04, 0.08);
            let thick = radius * 0.3;
            let reach = radius + 3.0 * thick;
            let (x0, x1) = ((dx - reach).max(0.0) as usize, ((dx + reach) as usize + 1).min(width));
            let (y0, y1) = ((dy - reach).max(0.0) as usize, ((dy + reach) as usize + 1).min(height));
            for y in y0..y1 {
                for x in x0..x1 {
                    let r = ((x as f64 - dx).powi(2) + (y as f64 - dy).powi(2)).sqrt();
                    response[y * width + x] *= 1.0 - depth * (-((r - radius) / thick).powi(2)).exp();
                }
            }
        }
        let dead = ((n as f64) * 0.0001).round().max(1.0) as usize;
        for _ in 0..dead {
            let p = (rng.uniform() * n as f64) as usize % n;
            response[p] = 0.02;
        }
        let nstars = (300.0 * (n as f64 / 262_144.0).powf(0.184)).round().max(5.0) as usize;
        let mut stars: Vec<(f64, f64, f64)> = (0..nstars)
            .map(|_| (rng.range(0.0, width as f64), rng.range(0.0, height as f64), rng.log_range(2e3, 2e6)))
            .collect();
        for s in stars.iter_mut().take(2) {
            s.2 = 8e6;
        }
        Self { width, height, bias, dark, response, stars }
    }
}

/// A frame to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bias,
    Dark,
    Flat,
    Science,
}

struct Plan {
    kind: Kind,
    index: usize,
    exptime: f64,
    date_obs: f64,
    path: PathBuf,
}

fn plan(dir: &Path, o: &SynthOptions) -> Vec<Plan> {
    let mut t = crate::time::parse_date_obs(NIGHT_START).expect("valid constant");
    let mut plans = Vec::new();
    let groups = [
        (Kind::Bias, o.bias, "Bias", "bias", 5.0),
        (Kind::Dark, o.darks, "Darks", "dark", 65.0),
        (Kind::Flat, o.flats, "Flats", "flat", 20.0),
        (Kind::Science, o.science, "ScienceImages", "sci", 60.0),
    ];
    for (kind, count, folder, stem, cadence) in groups {
        for index in 0..count {
            let exptime = match kind {
                Kind::Bias => 0.0,
                Kind::Dark => DARK_EXPTIME,
                Kind::Flat => {
                    let mut rng = Rng::new(o.seed, KIND_FLAT + 100, index as u64);
                    (rng.range(2.0, 8.0) * 100.0).round() / 100.0
                }
                Kind::Science => SCIENCE_EXPTIME,
            };
            plans.push(Plan {
                kind,
                index,
                exptime,
                date_obs: t,
                path: dir.join(folder).join(format!("{stem}_{index:03}.fit")),
            });
            t += cadence;
        }
        if count > 0 {
            t += 600.0;
        }
    }
    plans
}

/// The pixel values of a planted edge case: (bias, dark, flat, science) raw values, in ADU.
const EDGE_PIXELS: [(u16, u16, u16, u16); 7] = [
    (1000, 1000, 1000, 1000), // flat 0, science − offset 0 → 0/0 → −1
    (1000, 1000, 1000, 1500), // flat 0, positive / 0 → +inf → −1
    (1000, 1000, 1000, 900),  // flat 0, negative / 0 → −inf → −1
    (1000, 1000, 0, 1000),    // normal flat (value replaced below), zero numerator → exactly 0
    (1000, 1000, 500, 1000),  // negative flat, zero numerator → −0.0 kept
    (1000, 1000, 500, 1200),  // negative flat, positive numerator → negative → −1
    (1000, 1000, 0, 0),       // raw below the bias → negative → −1
];

fn render(cam: &Camera, p: &Plan, seed: u64, edge: bool) -> Vec<u16> {
    let (w, h) = (cam.width, cam.height);
    let n = w * h;
    let kind_id = match p.kind {
        Kind::Bias => KIND_BIAS,
        Kind::Dark => KIND_DARK,
        Kind::Flat => KIND_FLAT,
        Kind::Science => KIND_SCIENCE,
    };
    let mut rng = Rng::new(seed, kind_id, p.index as u64);
    // Expected photo-signal (ADU) before the response, for flats and science frames.
    let mut signal = vec![0.0f64; if p.kind == Kind::Flat || p.kind == Kind::Science { n } else { 0 }];
    let mut cosmics = Vec::new();
    match p.kind {
        Kind::Flat => {
            let level = rng.range(20_000.0, 30_000.0);
            for y in 0..h {
                for x in 0..w {
                    signal[y * w + x] = level * (1.0 + 0.01 * (x as f64 / w as f64 - 0.5));
                }
            }
        }
        Kind::Science => {
            let sky = rng.range(600.0, 900.0);
            for y in 0..h {
                for x in 0..w {
                    signal[y * w + x] = sky * (1.0 + 0.05 * (y as f64 / h as f64 - 0.5));
                }
            }
            let sigma = 3.2 / (8.0f64.ln() * 2.0).sqrt();
            let reach = (5.0 * sigma).ceil() as isize;
            let (sx, sy) = (0.05 * p.index as f64, -0.03 * p.index as f64);
            for &(x0, y0, flux) in &cam.stars {
                let (cx, cy) = (x0 + sx, y0 + sy);
                let norm = flux / (2.0 * std::f64::consts::PI * sigma * sigma);
                let (ix, iy) = (cx.round() as isize, cy.round() as isize);
                for y in (iy - reach).max(0)..(iy + reach + 1).min(h as isize) {
                    for x in (ix - reach).max(0)..(ix + reach + 1).min(w as isize) {
                        let r2 = (x as f64 - cx).powi(2) + (y as f64 - cy).powi(2);
                        signal[y as usize * w + x as usize] += norm * (-r2 / (2.0 * sigma * sigma)).exp();
                    }
                }
            }
            let count = 3 + (rng.uniform() * 6.0) as usize;
            for _ in 0..count {
                let (mut x, mut y) = ((rng.uniform() * w as f64) as usize % w, (rng.uniform() * h as f64) as usize % h);
                let energy = rng.range(2e3, 3e4);
                let len = 1 + (rng.uniform() * 4.0) as usize;
                let horizontal = rng.uniform() < 0.5;
                for _ in 0..len {
                    cosmics.push((y * w + x, energy));
                    if horizontal {
                        x = (x + 1).min(w - 1);
                    } else {
                        y = (y + 1).min(h - 1);
                    }
                }
            }
        }
        _ => {}
    }
    let t = p.exptime;
    let mut out = vec![0u16; n];
    for i in 0..n {
        let mut electrons_mean = cam.dark[i] * t * GAIN;
        if !signal.is_empty() {
            electrons_mean += signal[i] * cam.response[i] * GAIN;
        }
        let counts = rng.poisson(electrons_mean) / GAIN;
        let v = cam.bias[i] + READ_NOISE * rng.normal() + counts;
        out[i] = v.round().clamp(0.0, 65535.0) as u16;
    }
    for (i, e) in cosmics {
        out[i] = (out[i] as f64 + e).round().min(65535.0) as u16;
    }
    if edge && w >= 8 && h >= 2 {
        for (k, &(b, d, f, s)) in EDGE_PIXELS.iter().enumerate() {
            let i = w + 1 + k;
            let v = match p.kind {
                Kind::Bias => b,
                Kind::Dark => d,
                Kind::Flat if f == 0 => out[i].max(b + 5000),
                Kind::Flat => f,
                Kind::Science => s,
            };
            out[i] = v;
        }
    }
    out
}

/// Writes the synthetic night into `dir` (created if needed) and returns the files written, in
/// order bias, darks, flats, science. Frames are generated in parallel; each file appears whole.
pub fn write_night(dir: &Path, options: &SynthOptions) -> Result<Vec<PathBuf>> {
    if options.width == 0 || options.height == 0 {
        return Err(CcdError::Usage(format!(
            "a {}×{} frame has no pixels; give --width and --height of at least 1",
            options.width, options.height
        )));
    }
    if options.edge_cases && (options.width < 8 || options.height < 2) {
        return Err(CcdError::Usage("--edge-cases needs frames of at least 8×2 pixels".into()));
    }
    for sub in ["Bias", "Darks", "Flats", "ScienceImages"] {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| CcdError::os(&d, e))?;
    }
    let cam = Camera::new(options.width, options.height, options.seed);
    let plans = plan(dir, options);
    let threads = crate::masters::thread_count(options.threads);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CcdError::Usage(format!("cannot start {threads} threads: {e}")))?;
    pool.install(|| {
        plans.par_iter().try_for_each(|p| -> Result<()> {
            let pixels = render(&cam, p, options.seed, options.edge_cases);
            let (imagetyp, object) = match p.kind {
                Kind::Bias => ("Bias Frame", "BIAS"),
                Kind::Dark => ("Dark Frame", "DARK"),
                Kind::Flat => ("Flat Field", "FLAT"),
                Kind::Science => ("Light Frame", "SYNTH-FIELD"),
            };
            let mut h = HeaderSpec::default();
            h.key("IMAGETYP", KeyValue::Str(imagetyp.into()), "frame type");
            h.key("EXPTIME", KeyValue::F64(p.exptime), "[s] exposure time");
            h.key("DATE-OBS", KeyValue::Str(crate::time::format_datetime(p.date_obs)), "UTC start of exposure");
            h.key("OBJECT", KeyValue::Str(object.into()), "target");
            h.key("FILTER", KeyValue::Str("R".into()), "filter");
            h.key("GAIN", KeyValue::F64(GAIN), "[e-/ADU] detector gain");
            h.key("RDNOISE", KeyValue::F64(READ_NOISE), "[ADU] read noise");
            h.key("CCD-TEMP", KeyValue::F64(-20.0), "[C] detector temperature");
            h.key("XBINNING", KeyValue::Int(1), "binning along x");
            h.key("YBINNING", KeyValue::Int(1), "binning along y");
            h.key("SYNTHSED", KeyValue::Int(options.seed as i64), "starmill synth-night seed");
            let mut writer = FitsWriter::create(&p.path, options.width, options.height, OutputType::UInt16, &h)?;
            writer.write_rows(0, Pixels::U16(&pixels))?;
            writer.finish()
        })
    })?;
    Ok(plans.into_iter().map(|p| p.path).collect())
}
