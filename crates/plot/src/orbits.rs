//! Orbits: x–y and x–z projections of sampled positions, one coloured line per orbit.

use crate::{init_fonts, plot_err, PlotError};
use plotters::prelude::*;
use std::path::Path;

/// Draws orbits projected on x–y and x–z (two panels, equal axis ranges) to a PNG at `path`.
/// `positions` is row-major (n_orbits, steps, 3) in kpc; at most `max_orbits` orbits are drawn (the
/// first ones; the title says how many). Each orbit is a line in its own colour with its start marked.
pub fn orbit_projections(
    path: &Path,
    positions: &[f64],
    n_orbits: usize,
    steps: usize,
    max_orbits: usize,
    title: &str,
) -> Result<(), PlotError> {
    init_fonts();
    let err = plot_err(path);
    if positions.len() != n_orbits * steps * 3 {
        return Err(PlotError(format!(
            "{}: positions hold {} values, expected {} orbits × {} samples × 3",
            path.display(),
            positions.len(),
            n_orbits,
            steps
        )));
    }
    let shown = n_orbits.min(max_orbits.max(1));
    let data = &positions[..shown * steps * 3];
    let finite = data.iter().copied().filter(|v| v.is_finite());
    let extent = finite.fold(0.0f64, |m, v| m.max(v.abs())).max(1e-3) * 1.05;
    let root = BitMapBackend::new(path, (1500, 780)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let caption = if shown < n_orbits {
        format!("{title} (first {shown} of {n_orbits} orbits)")
    } else {
        format!("{title} ({n_orbits} orbits)")
    };
    let root = root.titled(&caption, ("sans-serif", 24)).map_err(&err)?;
    let panels = root.split_evenly((1, 2));
    for (panel, (axis, name)) in panels.iter().zip([(1usize, "y"), (2usize, "z")]) {
        let mut chart = ChartBuilder::on(panel)
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(-extent..extent, -extent..extent)
            .map_err(&err)?;
        chart.configure_mesh().disable_mesh().x_desc("x [kpc]").y_desc(format!("{name} [kpc]")).draw().map_err(&err)?;
        for (i, orbit) in data.chunks_exact(steps * 3).enumerate() {
            let colour = Palette99::pick(i).mix(0.8);
            let line: Vec<(f64, f64)> = orbit.chunks_exact(3).map(|p| (p[0], p[axis])).collect();
            chart.draw_series(std::iter::once(PathElement::new(line, colour.stroke_width(1)))).map_err(&err)?;
            chart
                .draw_series(std::iter::once(Circle::new((orbit[0], orbit[axis]), 3, colour.filled())))
                .map_err(&err)?;
        }
    }
    root.present().map_err(&err)?;
    Ok(())
}
