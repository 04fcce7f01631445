//! Histograms: counts of values in equal bins, like the commensurability example's
//! `plt.hist(values, bins=50, range=(0, 1))`.

use crate::{init_fonts, plot_err, PlotError};
use plotters::prelude::*;
use std::path::{Path, PathBuf};

const BAR: RGBColor = RGBColor(31, 119, 180);

/// A temporary PNG name beside `path` (same folder, `.png` suffix so the encoder picks PNG); the
/// caller renames it onto `path` when the drawing succeeded.
pub(crate) fn temp_png(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "figure".into());
    let temp = format!(".{name}.{}.tmp.png", std::process::id());
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(temp),
        _ => PathBuf::from(temp),
    }
}

/// Renames a finished temporary PNG onto its destination, removing it on failure.
pub(crate) fn commit_png(temp: &Path, path: &Path) -> Result<(), PlotError> {
    std::fs::rename(temp, path).map_err(|e| {
        let _ = std::fs::remove_file(temp);
        PlotError(format!("{}: cannot write figure: {e}", path.display()))
    })
}

/// Counts `values` in `bins` equal bins over `[lo, hi]` (the last bin includes `hi`, like numpy);
/// values outside the range or not finite are not counted. Returns the counts.
pub fn bin_counts(values: &[f64], bins: usize, lo: f64, hi: f64) -> Vec<u64> {
    let mut counts = vec![0u64; bins];
    if bins == 0 || hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return counts;
    }
    let width = (hi - lo) / bins as f64;
    for &v in values {
        if !(v >= lo && v <= hi) {
            continue;
        }
        let k = (((v - lo) / width) as usize).min(bins - 1);
        counts[k] += 1;
    }
    counts
}

/// Draws a histogram of `values` with `bins` equal bins over `[lo, hi]` to a PNG at `path`
/// (900 × 600 px), the x axis labelled `x_label` (include the unit), the y axis "orbits" counted,
/// `title` above. Values outside the range or not finite are left out and the title says how many.
/// The file appears whole or not at all (written beside it, then renamed).
pub fn histogram(
    path: &Path,
    values: &[f64],
    bins: usize,
    (lo, hi): (f64, f64),
    x_label: &str,
    title: &str,
) -> Result<(), PlotError> {
    if bins == 0 || !lo.is_finite() || !hi.is_finite() || hi <= lo {
        return Err(PlotError(format!(
            "{}: a histogram needs at least one bin and a finite range lo < hi, got {bins} bins over [{lo}, {hi}]",
            path.display()
        )));
    }
    init_fonts();
    let counts = bin_counts(values, bins, lo, hi);
    let counted: u64 = counts.iter().sum();
    let left_out = values.len() as u64 - counted;
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.08;
    let temp = temp_png(path);
    let err = plot_err(path);
    {
        let root = BitMapBackend::new(&temp, (900, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let caption = if left_out > 0 {
            format!("{title} ({counted} values; {left_out} outside [{lo}, {hi}] or not finite)")
        } else {
            format!("{title} ({counted} values)")
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 22))
            .margin(18)
            .x_label_area_size(50)
            .y_label_area_size(65)
            .build_cartesian_2d(lo..hi, 0.0..top)
            .map_err(&err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc(x_label)
            .y_desc("orbits")
            .draw()
            .map_err(&err)?;
        let width = (hi - lo) / bins as f64;
        chart
            .draw_series(counts.iter().enumerate().filter(|(_, &c)| c > 0).map(|(k, &c)| {
                let x0 = lo + k as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, c as f64)], BAR.filled())
            }))
            .map_err(&err)?;
        chart
            .draw_series(counts.iter().enumerate().filter(|(_, &c)| c > 0).map(|(k, &c)| {
                let x0 = lo + k as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, c as f64)], WHITE.stroke_width(1))
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
    fn counts_follow_numpy_edges() {
        let c = bin_counts(&[0.0, 0.1, 0.5, 0.999, 1.0, 1.5, f64::NAN, -0.1], 10, 0.0, 1.0);
        assert_eq!(c, vec![1, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
    }

    #[test]
    fn draws_a_png_and_rejects_bad_ranges() {
        let dir = std::env::temp_dir().join(format!("starmill-hist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("h.png");
        let values: Vec<f64> = (0..500).map(|i| (i as f64 * 0.618).fract()).collect();
        histogram(&path, &values, 50, (0.0, 1.0), "commensurability", "test").unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        assert!(histogram(&path, &values, 0, (0.0, 1.0), "x", "t").is_err());
        assert!(histogram(&path, &values, 5, (1.0, 1.0), "x", "t").is_err());
        let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
