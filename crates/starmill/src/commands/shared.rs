//! Arguments and input readers that several commands share.

use anyhow::{bail, Context};
use starmill_tessellation::{EngineChoice, Normalization, Options};
use std::path::Path;

/// The tessellation options of every command that measures point sets.
#[derive(clap::Args, Debug, Clone)]
pub struct TessellationArgs {
    /// Trim simplices whose largest side is at least this many times the median smallest side.
    #[arg(long, default_value_t = 10.0)]
    pub axis_ratio: f64,
    /// Normalization routine: circle (2-D); sphere, cylinder, Rz_convexhull, convexhull,
    /// convexhull_rot4 (3-D); nsphere_approx, convexhull, convexhull_rot4 (N-D). Default: circle in
    /// 2-D, convexhull_rot4 otherwise.
    #[arg(long)]
    pub normalization: Option<String>,
    /// Delaunay engine: auto (native exact engine, Qhull for ties and N >= 4) or qhull.
    #[arg(long, default_value = "auto", value_parser = ["auto", "qhull"])]
    pub engine: String,
}

impl TessellationArgs {
    /// The library options these arguments stand for.
    pub fn options(&self, keep_simplices: bool) -> anyhow::Result<Options> {
        let normalization = match self.normalization.as_deref() {
            None | Some("default") => None,
            Some(name) => Some(name.parse::<Normalization>().with_context(|| format!("--normalization {name}"))?),
        };
        let engine = if self.engine == "qhull" { EngineChoice::Qhull } else { EngineChoice::Auto };
        Ok(Options { axis_ratio: self.axis_ratio, normalization, engine, keep_simplices })
    }
}

/// Reads initial conditions: a .npy of shape (n, 6) or a CSV with one row per orbit, columns x, y, z
/// [kpc], vx, vy, vz [km/s]; every value finite.
pub fn read_ics(path: &Path) -> anyhow::Result<Vec<[f64; 6]>> {
    let a = starmill_io::read_array(path).with_context(|| {
        format!("{}: cannot read the initial conditions (.npy or CSV with 6 columns)", path.display())
    })?;
    if a.shape.len() != 2 || a.shape[1] != 6 {
        bail!(
            "{}: initial conditions must have shape (n, 6) — x, y, z [kpc], vx, vy, vz [km/s] per row — but the file holds shape {:?}",
            path.display(),
            a.shape
        );
    }
    if a.shape[0] == 0 {
        bail!("{}: the file holds no initial conditions (0 rows)", path.display());
    }
    let ics: Vec<[f64; 6]> = a.data.chunks_exact(6).map(|r| [r[0], r[1], r[2], r[3], r[4], r[5]]).collect();
    if let Some((i, r)) = ics.iter().enumerate().find(|(_, r)| !r.iter().all(|v| v.is_finite())) {
        bail!("{}: row {i} is not finite: {r:?}; every value must be a finite number", path.display());
    }
    Ok(ics)
}
