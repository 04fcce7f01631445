//! A thin, safe interface to Qhull (through `qhull-sys`): Delaunay simplices with scipy's option
//! string, and convex-hull volumes. Every call owns its own Qhull context, so calls are thread-safe.
//! Nothing else in the crate touches Qhull.

use qhull_sys as sys;
use std::ffi::CString;

/// What Qhull said when it refused the input (its message, with the QHnnnn code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QhullFailure {
    /// Qhull's exit code.
    pub code: i32,
    /// The first lines of Qhull's error report.
    pub message: String,
}

extern "C" {
    // geom_r.h is not part of qhull-sys's generated bindings; the function is in the library.
    fn qh_getarea(qh: *mut sys::qhT, facetlist: *mut sys::facetT);
}

/// Qhull's option string for a Delaunay triangulation as scipy builds it with `incremental=False`.
pub(crate) fn scipy_delaunay_options(ndim: usize) -> &'static str {
    if ndim >= 5 {
        "qhull d Qbb Qc Qz Q12 Qt Qx"
    } else {
        "qhull d Qbb Qc Qz Q12 Qt"
    }
}

/// 2^k as f64 for |k| ≤ 1022.
fn pow2(k: i32) -> f64 {
    f64::from_bits(((1023 + k.clamp(-1022, 1023)) as u64) << 52)
}

/// The power-of-two exponent k such that the largest |coordinate| × 2^k lies in [0.5, 1).
///
/// Qhull lifts points to the paraboloid and multiplies lifted coordinates in its determinants, so
/// coordinates far from 1 overflow or underflow inside Qhull (which then crashes). Scaling by a power
/// of two is exact in floating point, so every decision Qhull makes on the scaled points is the one
/// it makes on the originals whenever those do not overflow: the reference's triangulation is kept.
fn normalizing_exponent(points: &[f64]) -> i32 {
    let max = points.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if max == 0.0 || !max.is_finite() {
        return 0;
    }
    -(max.log2().floor() as i32 + 1)
}

/// An owned Qhull run; freed on drop.
struct Run {
    qh: Box<sys::qhT>,
    /// Buffer pointer and length of the in-memory error stream; boxed so that their addresses,
    /// which the stream updates, stay fixed.
    err: Box<(*mut libc::c_char, libc::size_t)>,
    err_file: *mut libc::FILE,
    /// Qhull keeps pointers into this copy of the input for the whole run (ismalloc = false).
    coords: Vec<f64>,
}

impl Run {
    fn new(points: &[f64], ndim: usize, options: &str) -> Result<Self, QhullFailure> {
        let npoints = points.len() / ndim;
        let cmd = CString::new(options).expect("option strings are static and NUL-free");
        // SAFETY: qhT is a plain C struct; Qhull expects it zeroed by qh_zero before use.
        let qh: Box<sys::qhT> = unsafe { Box::<sys::qhT>::new_zeroed().assume_init() };
        let mut err: Box<(*mut libc::c_char, libc::size_t)> = Box::new((std::ptr::null_mut(), 0));
        // SAFETY: open_memstream updates the boxed pointer and length on fflush/fclose.
        let err_file = unsafe { libc::open_memstream(&mut err.0, &mut err.1) };
        let scale = pow2(normalizing_exponent(points));
        let mut run = Run { qh, err, err_file, coords: points.iter().map(|v| v * scale).collect() };
        let qh_ptr: *mut sys::qhT = &mut *run.qh;
        let code = unsafe {
            sys::qh_zero(qh_ptr, run.err_file as *mut sys::FILE);
            sys::qh_new_qhull(
                qh_ptr,
                ndim as i32,
                npoints as i32,
                run.coords.as_mut_ptr(),
                0,
                cmd.as_ptr() as *mut libc::c_char,
                std::ptr::null_mut(),
                run.err_file as *mut sys::FILE,
            )
        };
        if code != 0 {
            return Err(QhullFailure { code, message: run.error_text() });
        }
        Ok(run)
    }

    fn qh(&mut self) -> *mut sys::qhT {
        &mut *self.qh
    }

    fn error_text(&mut self) -> String {
        unsafe {
            if !self.err_file.is_null() {
                libc::fflush(self.err_file);
            }
            let (buf, len) = *self.err;
            if self.err_file.is_null() || buf.is_null() || len == 0 {
                return String::from("Qhull failed without a message");
            }
            let bytes = std::slice::from_raw_parts(buf as *const u8, len);
            let text = String::from_utf8_lossy(bytes);
            text.lines().filter(|l| !l.trim().is_empty()).take(3).collect::<Vec<_>>().join(" ")
        }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        unsafe {
            let qh: *mut sys::qhT = &mut *self.qh;
            sys::qh_freeqhull(qh, 0);
            let mut curlong = 0;
            let mut totlong = 0;
            sys::qh_memfreeshort(qh, &mut curlong, &mut totlong);
            if !self.err_file.is_null() {
                libc::fclose(self.err_file);
            }
            libc::free(self.err.0 as *mut libc::c_void);
        }
    }
}

/// Iterates over Qhull's facet list.
unsafe fn facets(qh: *mut sys::qhT) -> impl Iterator<Item = *mut sys::facetT> {
    let mut facet = (*qh).facet_list;
    std::iter::from_fn(move || {
        if facet.is_null() || (*facet).next.is_null() {
            return None;
        }
        let current = facet;
        facet = (*facet).next;
        Some(current)
    })
}

/// Delaunay triangulation of `points` (row-major, `ndim` columns) with scipy's `incremental=False`
/// options. Returns the simplices as a flat list of point indices, `ndim + 1` per simplex, in Qhull's
/// facet order.
pub fn delaunay(points: &[f64], ndim: usize) -> Result<Vec<u32>, QhullFailure> {
    let npoints = points.len() / ndim;
    let mut run = Run::new(points, ndim, scipy_delaunay_options(ndim))?;
    let qh = run.qh();
    let mut simplices = Vec::new();
    unsafe {
        let upper = (*qh).UPPERdelaunay;
        for facet in facets(qh) {
            if (*facet).upperdelaunay() != upper {
                continue;
            }
            let set = (*facet).vertices;
            let size = sys::qh_setsize(qh, set) as usize;
            if size != ndim + 1 {
                return Err(QhullFailure { code: -1, message: format!("non-simplicial facet with {size} vertices") });
            }
            let elems = (*set).e.as_ptr();
            for i in 0..size {
                let vertex = (*elems.add(i)).p as *mut sys::vertexT;
                let id = sys::qh_pointid(qh, (*vertex).point);
                if id < 0 || id as usize >= npoints {
                    return Err(QhullFailure { code: -1, message: format!("facet vertex {id} is not an input point") });
                }
                simplices.push(id as u32);
            }
        }
    }
    Ok(simplices)
}

/// Volume of the convex hull of `points` (row-major, `ndim` columns), in units of length^ndim.
pub fn hull_volume(points: &[f64], ndim: usize) -> Result<f64, QhullFailure> {
    let options = if ndim >= 5 { "qhull Qt Qx" } else { "qhull Qt" };
    let mut run = Run::new(points, ndim, options)?;
    let qh = run.qh();
    let volume = unsafe {
        qh_getarea(qh, (*qh).facet_list);
        (*qh).totvol
    };
    // Undo the power-of-two scaling of `Run::new` (exact): volume scales as length^ndim.
    let k = normalizing_exponent(points);
    Ok(volume * pow2(-k).powi(ndim as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_cube_hull_and_triangulation() {
        let mut pts = Vec::new();
        for i in 0..2 {
            for j in 0..2 {
                for k in 0..2 {
                    pts.extend_from_slice(&[i as f64, j as f64, k as f64]);
                }
            }
        }
        pts.extend_from_slice(&[0.5, 0.5, 0.5]);
        let v = hull_volume(&pts, 3).unwrap();
        assert!((v - 1.0).abs() < 1e-14, "{v}");
        let s = delaunay(&pts, 3).unwrap();
        assert_eq!(s.len() % 4, 0);
        assert!(s.iter().all(|&i| i < 9));
    }

    #[test]
    fn extreme_magnitudes_are_scaled_exactly() {
        assert_eq!(pow2(0), 1.0);
        assert_eq!(pow2(-3), 0.125);
        assert_eq!(normalizing_exponent(&[0.75, -3.0]), -2);
        let cube: Vec<f64> =
            (0..8).flat_map(|i| [(i & 1) as f64, ((i >> 1) & 1) as f64, ((i >> 2) & 1) as f64]).collect();
        for s in [1e-100, 1e100] {
            let scaled: Vec<f64> = cube.iter().map(|v| v * s).collect();
            let v = hull_volume(&scaled, 3).unwrap();
            assert!((v / (s * s * s) - 1.0).abs() < 1e-12, "{v}");
            assert_eq!(delaunay(&scaled, 3).unwrap().len() % 4, 0);
        }
    }

    #[test]
    fn flat_input_fails_with_a_message() {
        let pts = [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.3, 0.4, 0.0];
        let err = delaunay(&pts, 3).unwrap_err();
        assert!(err.message.contains("QH"), "{err:?}");
    }

    #[test]
    fn many_runs_in_parallel_threads() {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                std::thread::spawn(move || {
                    let mut pts = Vec::new();
                    for i in 0..60 {
                        let x = (i as f64 * 0.37 + t as f64).sin();
                        pts.extend_from_slice(&[x, (i as f64 * 1.3).cos(), (i as f64 * 0.7).sin() * x]);
                    }
                    delaunay(&pts, 3).unwrap().len()
                })
            })
            .collect();
        for h in handles {
            assert!(h.join().unwrap() > 0);
        }
    }
}
