//! One night end to end: masters (built, reused from a folder, or resumed), then every science frame.
//!
//! Layout of the products under the output folder: `<night>/master_bias.fits`,
//! `<night>/master_dark.fits`, `<night>/master_flat.fits` and `<night>/calibrated/<frame>.fits`.

use crate::calibrate::{calibrate_frames, output_paths, CalibrateOptions, FrameResult};
use crate::discover::{FrameKind, Night};
use crate::error::{CcdError, Result};
use crate::fits::OutputType;
use crate::masters::{master_bias, master_dark, master_file_name, master_flat, read_master, write_master, Master};
use crate::masters::{MasterInput, MasterOptions, Masters};
use starmill_runner::Progress;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of [`run_night`].
#[derive(Debug, Clone)]
pub struct NightOptions {
    /// How masters are built.
    pub masters: MasterOptions,
    /// How science frames are calibrated (the master names are filled in by [`run_night`]).
    pub calibrate: CalibrateOptions,
    /// A folder of existing masters (`master_bias.fits`, ...) to use instead of building them.
    pub masters_dir: Option<PathBuf>,
    /// Pixel type of the master products (float32 by default; float64 makes reuse exact).
    pub master_output: OutputType,
}

/// Where a master came from.
#[derive(Debug, Clone, PartialEq)]
pub enum MasterOrigin {
    /// Built from this many frames and written to the path.
    Built(usize, PathBuf),
    /// Read from an existing file (`--masters DIR` or `--resume`).
    Reused(PathBuf),
    /// No frames and no file: eloy's default (bias 0, dark 0, flat 1) applies.
    Missing,
}

/// What [`run_night`] did.
#[derive(Debug, Clone)]
pub struct NightReport {
    /// The night's label.
    pub label: String,
    /// The night's output folder.
    pub out_dir: PathBuf,
    /// Bias, dark, flat origins.
    pub masters: Vec<(FrameKind, MasterOrigin)>,
    /// One result per science frame.
    pub results: Vec<FrameResult>,
    /// Wall time spent on masters (s).
    pub master_seconds: f64,
    /// Wall time spent calibrating (s).
    pub calibrate_seconds: f64,
}

fn inputs(night: &Night, kind: FrameKind) -> Vec<MasterInput> {
    night.of(kind).iter().map(|f| MasterInput { path: f.path.clone(), exptime: f.exptime.unwrap_or(0.0) }).collect()
}

fn existing(kind: FrameKind, night: &Night, dir: &Path) -> Result<Option<Master>> {
    let path = dir.join(master_file_name(kind));
    if !path.exists() {
        return Ok(None);
    }
    let m = read_master(&path, kind)?;
    if (m.width, m.height) != (night.width, night.height) {
        return Err(CcdError::input(
            &path,
            format!(
                "master is {}×{} but night {} has {}×{} frames; give masters of the same shape",
                m.width, m.height, night.label, night.width, night.height
            ),
        ));
    }
    Ok(Some(m))
}

/// Builds or loads the masters of `night`, writes new ones into `out_root/<night>/`, then
/// calibrates every science frame into `out_root/<night>/calibrated/`. Errors in masters stop the
/// night; errors in single science frames are recorded in the report and the rest continue.
pub fn run_night(
    night: &Night,
    root: &Path,
    out_root: &Path,
    options: &NightOptions,
    quiet: bool,
) -> Result<NightReport> {
    let out_dir = out_root.join(&night.label);
    std::fs::create_dir_all(&out_dir).map_err(|e| CcdError::os(&out_dir, e))?;
    let started = Instant::now();
    let resume = options.calibrate.resume;
    let mut origins = Vec::new();
    let mut masters = Masters::default();
    for kind in [FrameKind::Bias, FrameKind::Dark, FrameKind::Flat] {
        let mut found = None;
        if let Some(dir) = &options.masters_dir {
            found = existing(kind, night, dir)?;
        }
        if found.is_none() && resume {
            found = existing(kind, night, &out_dir)?;
        }
        let master = match found {
            Some(m) => {
                origins.push((kind, MasterOrigin::Reused(m.source.clone().unwrap_or_default())));
                Some(m)
            }
            None => {
                let ins = inputs(night, kind);
                if ins.is_empty() {
                    origins.push((kind, MasterOrigin::Missing));
                    None
                } else {
                    let (w, h) = (night.width, night.height);
                    let b = masters.bias.as_ref().map(|m| m.data.as_slice());
                    let d = masters.dark.as_ref().map(|m| m.data.as_slice());
                    let m = match kind {
                        FrameKind::Bias => master_bias(&ins, w, h, &options.masters)?,
                        FrameKind::Dark => master_dark(&ins, b, w, h, &options.masters)?,
                        _ => master_flat(&ins, b, d, masters.dark_scaling(), w, h, &options.masters)?,
                    };
                    let dest = out_dir.join(master_file_name(kind));
                    write_master(&m, &dest, options.master_output, Some(root))?;
                    origins.push((kind, MasterOrigin::Built(ins.len(), dest)));
                    Some(m)
                }
            }
        };
        match kind {
            FrameKind::Bias => masters.bias = master,
            FrameKind::Dark => masters.dark = master,
            _ => masters.flat = master,
        }
    }
    if !options.masters.dark_scaling && masters.dark.as_ref().is_some_and(|d| d.dark_scaling) {
        return Err(CcdError::Usage(
            "--no-dark-scaling was asked for but the master dark given is a rate (DARKSCAL = T); \
             rebuild the dark without scaling or drop the option"
                .into(),
        ));
    }
    let master_seconds = started.elapsed().as_secs_f64();
    let mut cal = options.calibrate.clone();
    for (i, (_, origin)) in origins.iter().enumerate() {
        cal.master_names[i] = match origin {
            MasterOrigin::Built(_, p) | MasterOrigin::Reused(p) => {
                p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            }
            MasterOrigin::Missing => "none".into(),
        };
    }
    let lights = night.of(FrameKind::Light);
    let cal_dir = out_dir.join("calibrated");
    std::fs::create_dir_all(&cal_dir).map_err(|e| CcdError::os(&cal_dir, e))?;
    let outputs = output_paths(lights, &cal_dir);
    let paths: Vec<PathBuf> = lights.iter().map(|f| f.path.clone()).collect();
    let progress = Progress::new(paths.len() as u64, "frames", quiet);
    let started = Instant::now();
    let results = calibrate_frames(&paths, &outputs, &masters, &cal, &progress);
    progress.finish();
    Ok(NightReport {
        label: night.label.clone(),
        out_dir,
        masters: origins,
        results,
        master_seconds,
        calibrate_seconds: started.elapsed().as_secs_f64(),
    })
}
