//! starmill-plot: the PNG figures starmill draws (tessellations, orbits, histograms, phase-space maps).
//!
//! Owns: figure layout, colours, axis labels, the embedded font (DejaVu Sans, so plots render on
//! machines without fonts), and writing PNGs.
//!
//! Must not know about: how the plotted numbers were computed. Every function takes plain slices in
//! the units it labels; no dependency on the tessellation, dynamics or ccd crates.

#![warn(missing_docs)]

use std::sync::Once;

pub mod histogram;
pub mod orbits;
pub mod phase_map;
pub mod tessellation;

pub use plotters;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Registers the embedded font as "sans-serif" (once per process). Every drawing function calls it;
/// code that uses `plotters` directly must call it before drawing text.
pub fn init_fonts() {
    REGISTER.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", plotters::style::FontStyle::Normal, FONT);
    });
}

/// An error while drawing or writing a figure; names the output file.
#[derive(Debug)]
pub struct PlotError(pub String);

impl std::fmt::Display for PlotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlotError {}

/// Wraps any drawing error with the output path.
pub(crate) fn plot_err<E: std::fmt::Display>(path: &std::path::Path) -> impl Fn(E) -> PlotError + '_ {
    move |e| PlotError(format!("{}: cannot draw figure: {e}", path.display()))
}
