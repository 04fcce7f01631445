//! starmill-ccd: the nightly CCD reduction — from a folder of raw FITS frames to master bias, dark
//! and flat and calibrated science frames, with eloy 0.0.11b0's exact arithmetic, out of core and on
//! all cores.
//!
//! Owns: FITS reading and writing of 2-D frames through cfitsio ([`fits`]), night discovery and
//! classification ([`discover`]), per-pixel statistics with numpy's rounding ([`stats`]), the
//! out-of-core masters ([`masters`]), the streamed calibration ([`calibrate`]), the whole-night
//! pipeline ([`pipeline`]) and the synthetic observing night used for demos, tests and benchmarks
//! ([`synth`]).
//!
//! Must not know about: orbits, potentials, tessellation, or the command line (argument parsing,
//! output formatting and exit codes belong to the `starmill` crate).
//!
//! Units: pixel values in ADU, dark currents in ADU/s, exposure times (EXPTIME) in s; flats are
//! dimensionless.

#![warn(missing_docs)]

pub mod calibrate;
pub mod discover;
mod error;
pub mod fits;
pub mod masters;
pub mod pipeline;
pub mod stats;
pub mod synth;
pub mod time;

pub use error::{CcdError, Result};
