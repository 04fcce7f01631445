//! starmill-tessellation: the Delaunay tessellation-and-trimming measure of Petersen, Weinberg &
//! Katz (2020, MNRAS 500, 838, app. B1), with the semantics of `commensurability` 1.1.1
//! (`Tessellation(points, incremental=False).measure`).
//!
//! Owns: Delaunay triangulation in any dimension ≥ 2 (a native exact-predicate engine in 2-D and
//! 3-D, Qhull with scipy's options for ties and for 4-D and up), per-simplex side lengths and
//! volumes, the trimming rule, and every normalization routine of the reference.
//!
//! Must not know about: orbits, potentials, units of the coordinates, files, the CLI, threads
//! (callers parallelise; a [`Tessellator`] is one thread's reusable workspace).
//!
//! # The measure
//! 1. Delaunay-triangulate the points (duplicates ignored).
//! 2. For every simplex: its largest and smallest side length and its volume (area in 2-D).
//! 3. threshold = axis_ratio × median(smallest sides); keep the simplices whose largest side is
//!    strictly below the threshold.
//! 4. measure = Σ kept volumes / normalization constant (a reference volume measured from the
//!    coordinate origin, from all input points).
//!
//! # Engines
//! The Delaunay triangulation of points in general position is unique, so in 2-D and 3-D the native
//! engine gives the reference's simplices. When d + 2 points are (nearly) cospherical, or hull facets
//! (nearly) coplanar, the triangulation is not unique; the engine detects this and hands the input
//! to Qhull, called with scipy's options, whose choice is the reference's. [`Tessellation::engine`]
//! says which engine answered.
//!
//! # Differences from the reference (on purpose)
//! * In 4-D and up the reference sums *signed* simplex volumes (half of them negative, so its values
//!   are a cancellation residue) and builds its `convexhull` constant from facet indices. starmill uses
//!   absolute volumes and the hull of the points.
//! * NaN or infinite coordinates are an error naming the point (the reference raises for NaN, but
//!   returns 0.0 with a warning for ±inf).
//! * Degenerate inputs (fewer than d + 1 distinct points, all on a line or plane) give measure 0 with
//!   [`Tessellation::degenerate`] set, as the reference gives 0.0 with a warning.

#![warn(missing_docs)]

mod hull;
mod measure;
mod native;
mod normalization;
mod predicates;
mod qhull;

pub use normalization::{Normalization, UnknownNormalization};

use native::{Decline, Engine as NativeEngine, Simplices};

/// How to triangulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineChoice {
    /// Native exact engine in 2-D/3-D, Qhull for ties and for 4-D and up (the default).
    #[default]
    Auto,
    /// Always Qhull with scipy's options (slower; the reference's triangulation by construction).
    Qhull,
}

/// Which engine produced a triangulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The native exact-predicate engine.
    Native,
    /// Qhull (ties, 4-D and up, or on request).
    Qhull,
    /// No triangulation: the input is degenerate.
    None,
}

impl Engine {
    /// A short lowercase name: "native", "qhull" or "none".
    pub fn name(self) -> &'static str {
        match self {
            Engine::Native => "native",
            Engine::Qhull => "qhull",
            Engine::None => "none",
        }
    }
}

/// Options of a tessellation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Simplices whose largest side is at least `axis_ratio` × the median smallest side are trimmed
    /// (dimensionless; default 10).
    pub axis_ratio: f64,
    /// The normalization routine; `None` means the dimension's default (`circle` in 2-D,
    /// `convexhull_rot4` otherwise).
    pub normalization: Option<Normalization>,
    /// Which Delaunay engine to use.
    pub engine: EngineChoice,
    /// Keep the simplices and the kept mask in the result (for plots and debugging).
    pub keep_simplices: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { axis_ratio: 10.0, normalization: None, engine: EngineChoice::Auto, keep_simplices: false }
    }
}

/// The outcome of one tessellation. Lengths are in the units of the input coordinates, volumes in
/// those units to the power `ndim`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tessellation {
    /// Σ kept simplex volumes / normalization constant (dimensionless; 0 for degenerate input).
    pub measure: f64,
    /// Number of dimensions (columns).
    pub ndim: usize,
    /// Number of input points, duplicates included.
    pub npoints: usize,
    /// Number of Delaunay simplices.
    pub nsimplex: usize,
    /// Number of simplices kept after trimming.
    pub nkept: usize,
    /// Median over simplices of the smallest side (length; NaN when there are no simplices).
    pub median_smallest_side: f64,
    /// Trimming threshold = axis_ratio × median smallest side (length; NaN when degenerate).
    pub threshold: f64,
    /// Σ of kept simplex volumes (length^ndim).
    pub kept_volume: f64,
    /// Σ of all simplex volumes = the convex hull volume of the points (length^ndim).
    pub total_volume: f64,
    /// The routine used.
    pub normalization: Normalization,
    /// Its constant (length^ndim; NaN when the input is degenerate).
    pub normalization_constant: f64,
    /// The engine that produced the triangulation.
    pub engine: Engine,
    /// Why the input is degenerate (measure 0), or `None`.
    pub degenerate: Option<String>,
    /// The simplices as point indices, `ndim + 1` per simplex (only with `keep_simplices`).
    pub simplices: Option<Vec<u32>>,
    /// Per simplex: kept (true) or trimmed (only with `keep_simplices`).
    pub kept: Option<Vec<bool>>,
}

/// Input that cannot be tessellated at all (as opposed to degenerate input, which gives measure 0).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TessellationError {
    /// Fewer than two columns.
    #[error("points have {ndim} dimension(s); the tessellation needs at least 2 (pass an array of shape (npoints, ndim) with ndim >= 2)")]
    DimensionTooLow {
        /// The number of columns given.
        ndim: usize,
    },
    /// The flat coordinate list is not a whole number of rows.
    #[error("{len} coordinates do not form rows of {ndim}")]
    RaggedInput {
        /// Number of coordinates.
        len: usize,
        /// Columns per point.
        ndim: usize,
    },
    /// No points at all.
    #[error("no points given")]
    NoPoints,
    /// A NaN or infinite coordinate.
    #[error("point {point} (0-based) has the non-finite value {value} in column {axis}; remove or fix that sample")]
    NonFinite {
        /// 0-based row of the offending point.
        point: usize,
        /// 0-based column.
        axis: usize,
        /// The value found.
        value: f64,
    },
    /// The axis ratio is not a positive finite number.
    #[error("axis ratio {0} must be a positive finite number (the reference default is 10)")]
    BadAxisRatio(f64),
    /// The routine does not exist in this dimension.
    #[error("normalization '{routine}' is not available in {ndim}-D; use one of {available}")]
    UnsupportedNormalization {
        /// The routine asked for.
        routine: Normalization,
        /// The dimension.
        ndim: usize,
        /// The routines that are available, comma-separated.
        available: String,
    },
    /// Computing the normalization constant failed (a Qhull error on the rotated copies).
    #[error("normalization '{routine}': {message}")]
    Normalization {
        /// The routine.
        routine: Normalization,
        /// What failed.
        message: String,
    },
}

/// A reusable tessellation workspace for one thread: buffers grow to the largest input seen and are
/// reused, so tessellating many orbits in a loop allocates almost nothing.
#[derive(Debug, Default)]
pub struct Tessellator {
    engine2: NativeEngine<2>,
    engine3: NativeEngine<3>,
    simplices: Simplices,
}

impl Tessellator {
    /// A new, empty workspace.
    pub fn new() -> Self {
        Self::default()
    }

    /// Tessellates `points` (row-major: `ndim` coordinates per point) and measures the result.
    pub fn tessellate(
        &mut self,
        points: &[f64],
        ndim: usize,
        options: &Options,
    ) -> Result<Tessellation, TessellationError> {
        validate(points, ndim, options)?;
        let npoints = points.len() / ndim;
        let routine = options.normalization.unwrap_or_else(|| Normalization::default_for(ndim));
        let mut engine = Engine::Native;
        let mut hull_known = true;
        self.simplices.measures_only = !options.keep_simplices;
        let native = match (ndim, options.engine) {
            (2, EngineChoice::Auto) => Some(self.engine2.triangulate(points, &mut self.simplices)),
            (3, EngineChoice::Auto) => Some(self.engine3.triangulate(points, &mut self.simplices)),
            _ => None,
        };
        match native {
            Some(Ok(())) => {}
            Some(Err(Decline::Degenerate(reason))) => return Ok(degenerate(npoints, ndim, routine, reason)),
            Some(Err(Decline::Tie(why))) => {
                log::debug!("native engine declined ({why}); using Qhull");
                engine = Engine::Qhull;
            }
            None => engine = Engine::Qhull,
        }
        if engine == Engine::Qhull {
            hull_known = false;
            match qhull::delaunay(points, ndim) {
                Ok(s) => {
                    self.simplices.stats.compute(points, ndim, &s);
                    self.simplices.simplices = s;
                }
                Err(e) => {
                    return Ok(degenerate(npoints, ndim, routine, format!("Qhull cannot triangulate: {}", e.message)))
                }
            }
        }
        // Either path filled the simplices' sides and volumes: the native engine as it listed its
        // simplices, Qhull's through `compute`.
        let (simplices, stats) = (&self.simplices.simplices, &mut self.simplices.stats);
        let nsimplex = stats.len();
        let median = stats.median_smallest_side();
        let threshold = options.axis_ratio * median;
        let (kept_volume, nkept) = stats.kept_sum(threshold);
        let total_volume = stats.total_volume();
        let hints = normalization::HullHints {
            total_volume,
            hull_candidates: if hull_known { Some(&self.simplices.hull_vertices) } else { None },
        };
        let constant = normalization::constant(routine, points, ndim, &hints)
            .map_err(|message| TessellationError::Normalization { routine, message })?;
        let measure = if kept_volume == 0.0 { 0.0 } else { kept_volume / constant };
        let (simplices_out, kept_out) = if options.keep_simplices {
            (Some(simplices.clone()), Some(stats.kept_mask(threshold)))
        } else {
            (None, None)
        };
        Ok(Tessellation {
            measure,
            ndim,
            npoints,
            nsimplex,
            nkept,
            median_smallest_side: median,
            threshold,
            kept_volume,
            total_volume,
            normalization: routine,
            normalization_constant: constant,
            engine,
            degenerate: None,
            simplices: simplices_out,
            kept: kept_out,
        })
    }
}

/// Tessellates `points` (row-major: `ndim` coordinates per point) with a fresh workspace. Prefer a
/// [`Tessellator`] per thread when measuring many point sets.
pub fn tessellate(points: &[f64], ndim: usize, options: &Options) -> Result<Tessellation, TessellationError> {
    Tessellator::new().tessellate(points, ndim, options)
}

fn validate(points: &[f64], ndim: usize, options: &Options) -> Result<(), TessellationError> {
    if ndim < 2 {
        return Err(TessellationError::DimensionTooLow { ndim });
    }
    if !points.len().is_multiple_of(ndim) {
        return Err(TessellationError::RaggedInput { len: points.len(), ndim });
    }
    if points.is_empty() {
        return Err(TessellationError::NoPoints);
    }
    if let Some(i) = points.iter().position(|v| !v.is_finite()) {
        return Err(TessellationError::NonFinite { point: i / ndim, axis: i % ndim, value: points[i] });
    }
    if !(options.axis_ratio.is_finite() && options.axis_ratio > 0.0) {
        return Err(TessellationError::BadAxisRatio(options.axis_ratio));
    }
    if let Some(routine) = options.normalization {
        let available = Normalization::available(ndim);
        if !available.contains(&routine) {
            let names: Vec<&str> = available.iter().map(|n| n.name()).collect();
            return Err(TessellationError::UnsupportedNormalization { routine, ndim, available: names.join(", ") });
        }
    }
    Ok(())
}

fn degenerate(npoints: usize, ndim: usize, routine: Normalization, reason: String) -> Tessellation {
    Tessellation {
        measure: 0.0,
        ndim,
        npoints,
        nsimplex: 0,
        nkept: 0,
        median_smallest_side: f64::NAN,
        threshold: f64::NAN,
        kept_volume: 0.0,
        total_volume: 0.0,
        normalization: routine,
        normalization_constant: f64::NAN,
        engine: Engine::None,
        degenerate: Some(reason),
        simplices: None,
        kept: None,
    }
}
