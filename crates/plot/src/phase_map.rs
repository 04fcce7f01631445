//! Phase-space maps: one value per grid cell of a 2-D grid of initial conditions, as a coloured
//! image with physical axes and a colour bar (like `TessellationAnalysis`'s viewer images).

use crate::histogram::{commit_png, temp_png};
use crate::{init_fonts, plot_err, PlotError};
use plotters::prelude::*;
use std::path::Path;

/// Anchor colours of a perceptually ordered dark-blue → green → yellow ramp (viridis-like).
const RAMP: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

const MISSING: RGBColor = RGBColor(200, 200, 200);

/// The ramp colour for `t` in [0, 1] (clamped).
pub fn ramp(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let s = t * (RAMP.len() - 1) as f64;
    let k = (s.floor() as usize).min(RAMP.len() - 2);
    let f = s - k as f64;
    let mixc = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (RAMP[k], RAMP[k + 1]);
    RGBColor(mixc(a.0, b.0), mixc(a.1, b.1), mixc(a.2, b.2))
}

/// Cell edges for sample positions `axis` (midpoints between samples, extended by half a step at
/// both ends); a single sample gets a cell of width 1 (or 1 % of its magnitude) around it.
fn edges(axis: &[f64]) -> Vec<f64> {
    let n = axis.len();
    if n == 1 {
        let h = (axis[0].abs() * 0.01).max(0.5);
        return vec![axis[0] - h, axis[0] + h];
    }
    let mut e = Vec::with_capacity(n + 1);
    e.push(axis[0] - (axis[1] - axis[0]) / 2.0);
    for i in 0..n - 1 {
        e.push((axis[i] + axis[i + 1]) / 2.0);
    }
    e.push(axis[n - 1] + (axis[n - 1] - axis[n - 2]) / 2.0);
    e
}

/// Draws `values` on the grid `x_axis` × `y_axis` to a PNG at `path` (1000 × 800 px): `values` is
/// row-major with `y_axis.len()` rows of `x_axis.len()` values (row j at y_axis[j]). Axis labels
/// should carry units (e.g. "x [kpc]", "v_y [km/s]"). Colours span `range` (default: the finite
/// values' min and max); cells whose value is not finite (not computed, or failed) are grey. The
/// colour bar on the right is labelled `value_label`. Written beside `path`, then renamed.
#[allow(clippy::too_many_arguments)]
pub fn phase_map(
    path: &Path,
    values: &[f64],
    x_axis: &[f64],
    y_axis: &[f64],
    x_label: &str,
    y_label: &str,
    value_label: &str,
    title: &str,
    range: Option<(f64, f64)>,
) -> Result<(), PlotError> {
    let (nx, ny) = (x_axis.len(), y_axis.len());
    if nx == 0 || ny == 0 || values.len() != nx * ny {
        return Err(PlotError(format!(
            "{}: a phase map needs {} × {} = {} values, got {}",
            path.display(),
            ny,
            nx,
            nx * ny,
            values.len()
        )));
    }
    if !x_axis.iter().chain(y_axis).all(|v| v.is_finite()) {
        return Err(PlotError(format!("{}: the axis values must be finite", path.display())));
    }
    let (lo, hi) = match range {
        Some(r) => r,
        None => values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v))),
    };
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo, hi)
    } else if lo.is_finite() {
        (lo - 0.5, lo + 0.5)
    } else {
        (0.0, 1.0)
    };
    init_fonts();
    let xe = edges(x_axis);
    let ye = edges(y_axis);
    let (x0, x1) = (xe[0].min(xe[nx]), xe[0].max(xe[nx]));
    let (y0, y1) = (ye[0].min(ye[ny]), ye[0].max(ye[ny]));
    let temp = temp_png(path);
    let err = plot_err(path);
    {
        let root = BitMapBackend::new(&temp, (1000, 800)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let root = root.titled(title, ("sans-serif", 22)).map_err(&err)?;
        let (main, bar) = root.split_horizontally(860);
        let mut chart = ChartBuilder::on(&main)
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(75)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(&err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .draw()
            .map_err(&err)?;
        chart
            .draw_series((0..ny).flat_map(|j| {
                let (xe, ye) = (&xe, &ye);
                (0..nx).map(move |i| {
                    let v = values[j * nx + i];
                    let colour = if v.is_finite() { ramp((v - lo) / (hi - lo)) } else { MISSING };
                    Rectangle::new([(xe[i], ye[j]), (xe[i + 1], ye[j + 1])], colour.filled())
                })
            }))
            .map_err(&err)?;
        let mut cb = ChartBuilder::on(&bar)
            .margin_top(15)
            .margin_bottom(65)
            .margin_right(10)
            .y_label_area_size(0)
            .right_y_label_area_size(60)
            .build_cartesian_2d(0.0..1.0, lo..hi)
            .map_err(&err)?
            .set_secondary_coord(0.0..1.0, lo..hi);
        cb.configure_mesh().disable_mesh().disable_x_axis().disable_y_axis().draw().map_err(&err)?;
        cb.configure_secondary_axes()
            .y_desc(value_label)
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .draw()
            .map_err(&err)?;
        let steps = 200;
        cb.draw_series((0..steps).map(|k| {
            let a = lo + (hi - lo) * k as f64 / steps as f64;
            let b = lo + (hi - lo) * (k + 1) as f64 / steps as f64;
            Rectangle::new([(0.0, a), (1.0, b)], ramp((k as f64 + 0.5) / steps as f64).filled())
        }))
        .map_err(&err)?;
        root.present().map_err(&err)?;
    }
    commit_png(&temp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_ends_and_clamps() {
        assert_eq!(ramp(0.0), RGBColor(68, 1, 84));
        assert_eq!(ramp(1.0), RGBColor(253, 231, 37));
        assert_eq!(ramp(7.0), ramp(1.0));
        assert_eq!(edges(&[0.0, 1.0, 2.0]), vec![-0.5, 0.5, 1.5, 2.5]);
    }

    #[test]
    fn draws_a_map_with_missing_cells_and_checks_shapes() {
        let dir = std::env::temp_dir().join(format!("starmill-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.png");
        let x: Vec<f64> = (0..20).map(|i| 4.0 + 0.5 * i as f64).collect();
        let y: Vec<f64> = (0..10).map(|i| 150.0 + 10.0 * i as f64).collect();
        let mut v: Vec<f64> = (0..200).map(|k| (k as f64 / 200.0).sin()).collect();
        v[7] = f64::NAN;
        phase_map(&path, &v, &x, &y, "x [kpc]", "v_y [km/s]", "commensurability", "t", None).unwrap();
        assert_eq!(&std::fs::read(&path).unwrap()[1..4], b"PNG");
        assert!(phase_map(&path, &v[..199], &x, &y, "x", "y", "v", "t", None).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
