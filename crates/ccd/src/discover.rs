//! Night discovery: find FITS frames under a folder, classify them, group them by night and check
//! that the shapes within a night agree.

use crate::error::{CcdError, Result};
use crate::fits::FitsReader;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File name endings recognised as FITS frames (case-insensitive).
pub const FITS_EXTENSIONS: &[&str] = &["fits", "fit", "fts", "fz"];

/// Keyword starmill writes into every product; files carrying it are not taken as raw frames.
pub const PRODUCT_KEY: &str = "SMPROD";

/// What a frame is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FrameKind {
    /// Zero-second read-out frame (IMAGETYP bias/zero).
    Bias,
    /// Closed-shutter exposure measuring dark current (IMAGETYP dark).
    Dark,
    /// Exposure of a uniform source measuring the pixel response (IMAGETYP flat).
    Flat,
    /// Science exposure to be calibrated (IMAGETYP light/object/science).
    Light,
}

impl FrameKind {
    /// All kinds in processing order.
    pub const ALL: [FrameKind; 4] = [FrameKind::Bias, FrameKind::Dark, FrameKind::Flat, FrameKind::Light];

    /// Lower-case name (bias, dark, flat, light).
    pub fn name(self) -> &'static str {
        match self {
            FrameKind::Bias => "bias",
            FrameKind::Dark => "dark",
            FrameKind::Flat => "flat",
            FrameKind::Light => "light",
        }
    }

    /// Classifies an IMAGETYP value or a folder name; `None` when it names no kind.
    pub fn from_label(label: &str) -> Option<Self> {
        let l = label.to_ascii_lowercase();
        if l.contains("bias") || l.contains("zero") {
            Some(FrameKind::Bias)
        } else if l.contains("dark") {
            Some(FrameKind::Dark)
        } else if l.contains("flat") {
            Some(FrameKind::Flat)
        } else if l.contains("light") || l.contains("object") || l.contains("sci") {
            Some(FrameKind::Light)
        } else {
            None
        }
    }
}

/// Where a frame's kind came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindSource {
    /// The IMAGETYP keyword.
    Header,
    /// The name of a folder between the frame and the search root (Bias/, Darks/, Flats/, ...).
    Folder,
}

/// One frame found on disk, with what its header says.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Full path.
    pub path: PathBuf,
    /// Path relative to the searched folder.
    pub rel: PathBuf,
    /// Bias, dark, flat or light.
    pub kind: FrameKind,
    /// Whether the kind came from IMAGETYP or from a folder name.
    pub kind_source: KindSource,
    /// Image width in pixels (NAXIS1).
    pub width: usize,
    /// Image height in pixels (NAXIS2).
    pub height: usize,
    /// Equivalent BITPIX as cfitsio reports it (20 = unsigned 16-bit).
    pub bitpix: i32,
    /// Exposure time in s (EXPTIME), if present.
    pub exptime: Option<f64>,
    /// DATE-OBS in s since 1970-01-01 UTC, if present and readable.
    pub date_obs: Option<f64>,
}

/// A frame that cannot be used, and why.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The file concerned.
    pub path: PathBuf,
    /// What is wrong and what to do.
    pub message: String,
}

/// The frames of one night, all of one shape.
#[derive(Debug, Clone)]
pub struct Night {
    /// `YYYY-MM-DD` of the evening the night began, or `undated` when frames carry no DATE-OBS.
    pub label: String,
    /// Width in pixels shared by every frame.
    pub width: usize,
    /// Height in pixels shared by every frame.
    pub height: usize,
    /// Frames by kind, each list sorted by relative path.
    pub frames: BTreeMap<FrameKind, Vec<Frame>>,
}

impl Night {
    /// The frames of one kind (empty when none).
    pub fn of(&self, kind: FrameKind) -> &[Frame] {
        self.frames.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Everything found under a folder.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// The searched folder.
    pub root: PathBuf,
    /// Nights in date order.
    pub nights: Vec<Night>,
    /// Files that were skipped, with the reason.
    pub problems: Vec<Problem>,
    /// starmill products found (and ignored) under the folder.
    pub products: Vec<PathBuf>,
}

/// Options of [`discover`].
#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// A frame taken at local clock time t belongs to the night that began on the date of
    /// t − `night_offset_hours` (h). The default 12 puts everything from noon to noon in one night.
    pub night_offset_hours: f64,
    /// Folders not to descend into (e.g. the output folder when it lies inside the input).
    pub exclude: Vec<PathBuf>,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        Self { night_offset_hours: 12.0, exclude: Vec::new() }
    }
}

fn is_fits_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| FITS_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

fn walk(dir: &Path, exclude: &[PathBuf], out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| CcdError::os(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| CcdError::os(dir, e))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| CcdError::os(&path, e))?;
        let is_dir = file_type.is_dir() || (file_type.is_symlink() && path.is_dir());
        if is_dir {
            let canon = path.canonicalize().unwrap_or_else(|_| path.clone());
            if !exclude.iter().any(|x| x == &canon) {
                walk(&path, exclude, out)?;
            }
        } else if is_fits_name(&path) && !path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            out.push(path);
        }
    }
    Ok(())
}

enum Found {
    Frame(Frame),
    Product(PathBuf),
    Problem(Problem),
}

fn inspect(root: &Path, path: &Path) -> Found {
    let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let problem = |message: String| Found::Problem(Problem { path: path.to_path_buf(), message });
    let mut reader = match FitsReader::open(path) {
        Ok(r) => r,
        Err(e) => return problem(strip_path(&e.to_string(), path)),
    };
    match reader.key_str(PRODUCT_KEY) {
        Ok(Some(_)) => return Found::Product(path.to_path_buf()),
        Ok(None) => {}
        Err(e) => return problem(strip_path(&e.to_string(), path)),
    }
    let imagetyp = reader.key_str("IMAGETYP").ok().flatten();
    let (kind, kind_source) = match imagetyp.as_deref().and_then(FrameKind::from_label) {
        Some(k) => (k, KindSource::Header),
        None => {
            let folder_kind = rel
                .parent()
                .into_iter()
                .flat_map(|p| p.components().rev())
                .find_map(|c| FrameKind::from_label(&c.as_os_str().to_string_lossy()));
            match folder_kind {
                Some(k) => (k, KindSource::Folder),
                None => {
                    let why = match &imagetyp {
                        Some(v) => format!("IMAGETYP = '{v}' names no frame type"),
                        None => "no IMAGETYP keyword".to_string(),
                    };
                    return problem(format!(
                        "{why} and no folder above it is named like Bias/, Darks/, Flats/ or ScienceImages/; \
                         set IMAGETYP (bias, dark, flat or light) or move the file into such a folder"
                    ));
                }
            }
        }
    };
    let exptime = match reader.key_f64("EXPTIME") {
        Ok(v) => v,
        Err(e) => return problem(strip_path(&e.to_string(), path)),
    };
    if kind != FrameKind::Bias && exptime.is_none() {
        return problem(format!(
            "{} frame without EXPTIME (exposure time in s); add the keyword to its header",
            kind.name()
        ));
    }
    if let Some(t) = exptime {
        if !t.is_finite() || t < 0.0 || (kind == FrameKind::Dark && t == 0.0) {
            return problem(format!("EXPTIME = {t} s is not a usable exposure time for a {} frame", kind.name()));
        }
    }
    let date_obs = reader.key_str("DATE-OBS").ok().flatten().and_then(|d| crate::time::parse_date_obs(&d));
    Found::Frame(Frame {
        path: path.to_path_buf(),
        rel,
        kind,
        kind_source,
        width: reader.width(),
        height: reader.height(),
        bitpix: reader.bitpix(),
        exptime,
        date_obs,
    })
}

/// Removes a leading "path: " from an error message (the path is reported separately).
fn strip_path(message: &str, path: &Path) -> String {
    let prefix = format!("{}: ", path.display());
    message.strip_prefix(&prefix).unwrap_or(message).to_string()
}

/// Finds every FITS frame under `root` (recursively; `.fits`, `.fit`, `.fts`, `.fz`), classifies it
/// by IMAGETYP or else by folder name, groups frames by night (DATE-OBS shifted back by the night
/// offset) and keeps, per night, the frames of the most common shape. Unusable files are listed in
/// [`Discovery::problems`], never silently dropped.
pub fn discover(root: &Path, options: &DiscoverOptions) -> Result<Discovery> {
    if !root.is_dir() {
        return Err(CcdError::input(root, "not a folder; give the folder holding the night's FITS files"));
    }
    let exclude: Vec<PathBuf> = options.exclude.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let mut paths = Vec::new();
    walk(root, &exclude, &mut paths)?;
    paths.sort();
    let found: Vec<Found> = paths.par_iter().map(|p| inspect(root, p)).collect();
    let mut problems = Vec::new();
    let mut products = Vec::new();
    let mut by_night: BTreeMap<String, Vec<Frame>> = BTreeMap::new();
    for f in found {
        match f {
            Found::Frame(frame) => {
                let label = match frame.date_obs {
                    Some(t) => crate::time::format_date(t - options.night_offset_hours * 3600.0),
                    None => "undated".to_string(),
                };
                by_night.entry(label).or_default().push(frame);
            }
            Found::Product(p) => products.push(p),
            Found::Problem(p) => problems.push(p),
        }
    }
    let mut nights = Vec::new();
    for (label, frames) in by_night {
        let mut shapes: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for f in &frames {
            *shapes.entry((f.width, f.height)).or_default() += 1;
        }
        // Most common shape; ties go to the larger image.
        let (&(width, height), _) =
            shapes.iter().max_by_key(|(shape, count)| (**count, shape.0 * shape.1)).expect("non-empty");
        let mut by_kind: BTreeMap<FrameKind, Vec<Frame>> = BTreeMap::new();
        for f in frames {
            if (f.width, f.height) != (width, height) {
                problems.push(Problem {
                    path: f.path.clone(),
                    message: format!(
                        "shape {}×{} differs from the {width}×{height} of the other frames of night {label}; \
                         calibrate it separately (move it to its own folder)",
                        f.width, f.height
                    ),
                });
                continue;
            }
            by_kind.entry(f.kind).or_default().push(f);
        }
        for list in by_kind.values_mut() {
            list.sort_by(|a, b| a.rel.cmp(&b.rel));
        }
        nights.push(Night { label, width, height, frames: by_kind });
    }
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Discovery { root: root.to_path_buf(), nights, problems, products })
}

/// A human-readable listing of a discovery (what `starmill calibrate --list` prints).
pub fn format_listing(d: &Discovery, night_offset_hours: f64) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let total: usize = d.nights.iter().map(|n| n.frames.values().map(Vec::len).sum::<usize>()).sum();
    let _ = writeln!(
        s,
        "{}: {total} frames in {} night(s) (night offset {night_offset_hours} h)",
        d.root.display(),
        d.nights.len()
    );
    for night in &d.nights {
        let _ = writeln!(s, "night {} ({}×{} px)", night.label, night.width, night.height);
        for kind in FrameKind::ALL {
            let frames = night.of(kind);
            if frames.is_empty() {
                let _ = writeln!(s, "  {:<6} none", kind.name());
                continue;
            }
            let times: Vec<f64> = frames.iter().filter_map(|f| f.exptime).collect();
            let (lo, hi) = times.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &t| (a.min(t), b.max(t)));
            let exp = if times.is_empty() {
                "EXPTIME -".to_string()
            } else if lo == hi {
                format!("EXPTIME {lo} s")
            } else {
                format!("EXPTIME {lo}–{hi} s")
            };
            let dates: Vec<f64> = frames.iter().filter_map(|f| f.date_obs).collect();
            let span = if dates.is_empty() {
                String::new()
            } else {
                let first = dates.iter().cloned().fold(f64::INFINITY, f64::min);
                let last = dates.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                format!(
                    "  {} … {}",
                    &crate::time::format_datetime(first)[11..19],
                    &crate::time::format_datetime(last)[11..19]
                )
            };
            let from_folder = frames.iter().filter(|f| f.kind_source == KindSource::Folder).count();
            let source = if from_folder > 0 { format!("  ({from_folder} by folder name)") } else { String::new() };
            let _ = writeln!(s, "  {:<6} {:>4} frames  {exp}{span}{source}", kind.name(), frames.len());
        }
    }
    if !d.products.is_empty() {
        let _ = writeln!(s, "ignored {} starmill product(s) (masters or calibrated frames)", d.products.len());
    }
    if !d.problems.is_empty() {
        let _ = writeln!(s, "{} file(s) skipped:", d.problems.len());
        for p in &d.problems {
            let _ = writeln!(s, "  {}: {}", p.path.display(), p.message);
        }
    }
    s
}
