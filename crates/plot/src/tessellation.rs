//! Pictures of a tessellation: kept versus trimmed simplices, like the reference's `plot` method.

use crate::{init_fonts, plot_err, PlotError};
use plotters::prelude::*;
use std::path::Path;

const KEPT: RGBColor = RGBColor(31, 119, 180);
const TRIMMED: RGBColor = RGBColor(214, 39, 40);

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = ((hi - lo) * 0.05).max(1e-9);
    (lo - pad, hi + pad)
}

type Chart<'a, 'b> = ChartContext<
    'a,
    BitMapBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Axes for the projection of row-major `points` (`stride` coordinates each) on x and coordinate
/// `axis`, labelled with their names and `unit`, framed to the data with a 5 % margin.
fn projection_axes<'a, 'b>(
    path: &Path,
    area: &'a DrawingArea<BitMapBackend<'b>, plotters::coord::Shift>,
    title: Option<&str>,
    points: &[f64],
    stride: usize,
    axis: usize,
    unit: &str,
) -> Result<Chart<'a, 'b>, PlotError> {
    let err = plot_err(path);
    let (x0, x1) = bounds(points.chunks_exact(stride).map(|p| p[0]));
    let (y0, y1) = bounds(points.chunks_exact(stride).map(|p| p[axis]));
    let mut builder = ChartBuilder::on(area);
    if let Some(title) = title {
        builder.caption(title, ("sans-serif", 22));
    }
    let mut chart = builder
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(&err)?;
    let name = ["x", "y", "z"][axis.min(2)];
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(format!("x [{unit}]"))
        .y_desc(format!("{name} [{unit}]"))
        .draw()
        .map_err(&err)?;
    Ok(chart)
}

/// Draws a 2-D tessellation to a PNG at `path`: kept triangles filled blue, trimmed ones outlined
/// red, the points on top. `points` is row-major (x, y); `triangles` holds 3 point indices per
/// triangle; `kept` one flag per triangle. `title` goes above the axes; `unit` labels them.
pub fn tessellation_2d(
    path: &Path,
    points: &[f64],
    triangles: &[u32],
    kept: &[bool],
    title: &str,
    unit: &str,
) -> Result<(), PlotError> {
    init_fonts();
    let err = plot_err(path);
    let root = BitMapBackend::new(path, (900, 900)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let mut chart = projection_axes(path, &root, Some(title), points, 2, 1, unit)?;
    let tri = |t: &[u32]| -> Vec<(f64, f64)> {
        t.iter().map(|&i| (points[2 * i as usize], points[2 * i as usize + 1])).collect()
    };
    chart
        .draw_series(
            triangles
                .chunks_exact(3)
                .zip(kept)
                .filter(|(_, &k)| k)
                .map(|(t, _)| Polygon::new(tri(t), KEPT.mix(0.35).filled())),
        )
        .map_err(&err)?
        .label("kept")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 15, y + 5)], KEPT.mix(0.35).filled()));
    // Closed outlines of the kept (`want` = true) or trimmed triangles.
    let outlines = |want: bool| {
        triangles.chunks_exact(3).zip(kept).filter(move |(_, &k)| k == want).map(|(t, _)| {
            let mut v = tri(t);
            v.push(v[0]);
            v
        })
    };
    chart.draw_series(outlines(true).map(|v| PathElement::new(v, KEPT.stroke_width(1)))).map_err(&err)?;
    chart
        .draw_series(outlines(false).map(|v| PathElement::new(v, TRIMMED.mix(0.6).stroke_width(1))))
        .map_err(&err)?
        .label("trimmed")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], TRIMMED));
    chart.draw_series(points.chunks_exact(2).map(|p| Circle::new((p[0], p[1]), 2, BLACK.filled()))).map_err(&err)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(&err)?;
    root.present().map_err(&err)?;
    Ok(())
}

/// Draws the kept edges of a 3-D tessellation projected on x–y and x–z (two panels) to a PNG at
/// `path`, points on top. `points` is row-major (x, y, z); `tetrahedra` holds 4 indices each.
pub fn tessellation_3d(
    path: &Path,
    points: &[f64],
    tetrahedra: &[u32],
    kept: &[bool],
    title: &str,
    unit: &str,
) -> Result<(), PlotError> {
    init_fonts();
    let err = plot_err(path);
    let root = BitMapBackend::new(path, (1500, 780)).into_drawing_area();
    root.fill(&WHITE).map_err(&err)?;
    let root = root.titled(title, ("sans-serif", 24)).map_err(&err)?;
    let panels = root.split_evenly((1, 2));
    let mut edges: Vec<(u32, u32)> = Vec::new();
    for (t, _) in tetrahedra.chunks_exact(4).zip(kept).filter(|(_, &k)| k) {
        for i in 0..4 {
            for j in i + 1..4 {
                edges.push((t[i].min(t[j]), t[i].max(t[j])));
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    for (panel, axis) in panels.iter().zip([1usize, 2]) {
        let mut chart = projection_axes(path, panel, None, points, 3, axis, unit)?;
        let at = |i: u32| (points[3 * i as usize], points[3 * i as usize + axis]);
        chart
            .draw_series(
                edges.iter().map(|&(a, b)| PathElement::new(vec![at(a), at(b)], KEPT.mix(0.25).stroke_width(1))),
            )
            .map_err(&err)?;
        chart
            .draw_series(points.chunks_exact(3).map(|p| Circle::new((p[0], p[axis]), 2, BLACK.filled())))
            .map_err(&err)?;
    }
    root.present().map_err(&err)?;
    Ok(())
}
