//! starmill-io: reading and writing the plain array files starmill exchanges with users.
//!
//! Owns: `.npy` arrays (float64 / float32 / integers in, float64 out), numeric CSV/whitespace tables,
//! and the atomic-output rule (every output is written under a temporary name in the destination
//! folder and renamed into place, so an interrupted run never leaves a half-written file).
//!
//! Must not know about: astronomy. Nothing here knows what an orbit, a potential or a CCD frame is;
//! callers give shapes and meanings to the arrays.

#![warn(missing_docs)]

mod atomic;
mod error;
mod npy;
mod table;

pub use atomic::{write_atomic, AtomicPath};
pub use error::IoError;
pub use npy::{read_npy, write_npy_f64, write_npy_f64_to};
pub use table::read_table;

use std::path::Path;

/// A dense row-major (C-order) array of float64 values with its shape.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayF64 {
    /// Extent along each axis, outermost first.
    pub shape: Vec<usize>,
    /// The values in row-major order; `data.len()` is the product of `shape`.
    pub data: Vec<f64>,
}

impl ArrayF64 {
    /// Builds an array, checking that `data` holds exactly `shape.iter().product()` values.
    pub fn new(shape: Vec<usize>, data: Vec<f64>) -> Result<Self, IoError> {
        let expected: usize = shape.iter().product();
        if expected != data.len() {
            return Err(IoError::Shape {
                path: None,
                message: format!("shape {shape:?} needs {expected} values but {} were given", data.len()),
            });
        }
        Ok(Self { shape, data })
    }

    /// Number of axes.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// Row `i` of a 2-D array (all columns), or `None` if out of range / not 2-D.
    pub fn row(&self, i: usize) -> Option<&[f64]> {
        if self.shape.len() != 2 || i >= self.shape[0] {
            return None;
        }
        let n = self.shape[1];
        Some(&self.data[i * n..(i + 1) * n])
    }
}

/// Reads a numeric array from `.npy` or a text table (`.csv`, `.txt`, `.dat`, anything else), chosen
/// by the file extension.
pub fn read_array(path: &Path) -> Result<ArrayF64, IoError> {
    match path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()) {
        Some(ext) if ext == "npy" => read_npy(path),
        _ => read_table(path),
    }
}
