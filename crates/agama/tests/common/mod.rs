//! Shared helpers for the golden tests: a minimal `.npy` reader and error metrics.
#![allow(dead_code)]

use starmill_agama::AgamaPotential;
use std::path::PathBuf;

/// Path of a golden file in tests/golden.
pub fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

/// Parses the header of a version 1/2 `.npy` file: (descr, shape, data offset).
fn header(bytes: &[u8]) -> (String, Vec<usize>, usize) {
    assert_eq!(&bytes[..6], b"\x93NUMPY", "not an npy file");
    let (hlen, start) = if bytes[6] == 1 {
        (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10)
    } else {
        (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12)
    };
    let h = std::str::from_utf8(&bytes[start..start + hlen]).expect("header utf8");
    let descr = h.split("'descr':").nth(1).and_then(|s| s.split('\'').nth(1)).expect("descr").to_string();
    assert!(h.contains("'fortran_order': False"), "fortran order not supported");
    let shape_txt =
        h.split("'shape':").nth(1).and_then(|s| s.split('(').nth(1)).and_then(|s| s.split(')').next()).expect("shape");
    let shape =
        shape_txt.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| s.parse().expect("dim")).collect();
    (descr, shape, start + hlen)
}

/// Reads a little-endian float64 array: (shape, data in C order).
pub fn read_f64(name: &str) -> (Vec<usize>, Vec<f64>) {
    let bytes = std::fs::read(golden(name)).expect("golden file");
    let (descr, shape, off) = header(&bytes);
    assert_eq!(descr, "<f8");
    let n: usize = shape.iter().product();
    let data = (0..n).map(|i| f64::from_le_bytes(bytes[off + 8 * i..off + 8 * i + 8].try_into().unwrap())).collect();
    (shape, data)
}

/// Reads a `<U1` array as chars.
pub fn read_u1(name: &str) -> Vec<char> {
    let bytes = std::fs::read(golden(name)).expect("golden file");
    let (descr, shape, off) = header(&bytes);
    assert_eq!(descr, "<U1");
    let n: usize = shape.iter().product();
    (0..n)
        .map(|i| char::from_u32(u32::from_le_bytes(bytes[off + 4 * i..off + 4 * i + 4].try_into().unwrap())).unwrap())
        .collect()
}

/// The 2000 golden points.
pub fn points() -> Vec<[f64; 3]> {
    let (shape, d) = read_f64("points.npy");
    assert_eq!(shape, vec![2000, 3]);
    d.chunks(3).map(|c| [c[0], c[1], c[2]]).collect()
}

/// Maximum relative errors (Φ, |ΔF|/|F|) over points inside [rmin, rmax], and over all points.
#[derive(Debug, Clone, Copy, Default)]
pub struct Errors {
    pub phi_in: f64,
    pub force_in: f64,
    pub phi_all: f64,
    pub force_all: f64,
    pub worst_force_all_row: usize,
}

/// Compares a potential with a golden (2000, 4) file of (Φ, F_x, F_y, F_z).
pub fn compare(pot: &AgamaPotential, file: &str, rmin: f64, rmax: f64) -> Errors {
    let pts = points();
    let (shape, g) = read_f64(file);
    assert_eq!(shape, vec![2000, 4]);
    let mut e = Errors::default();
    for (i, x) in pts.iter().enumerate() {
        let (phi, f) = pot.potential_and_force(*x);
        let gr = &g[4 * i..4 * i + 4];
        let dphi = ((phi - gr[0]) / gr[0]).abs();
        let fnorm = (gr[1] * gr[1] + gr[2] * gr[2] + gr[3] * gr[3]).sqrt();
        let dfn = ((f[0] - gr[1]).powi(2) + (f[1] - gr[2]).powi(2) + (f[2] - gr[3]).powi(2)).sqrt();
        let df = if fnorm == 0.0 { dfn } else { dfn / fnorm };
        let r = (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]).sqrt();
        let dphi = if dphi.is_nan() { f64::INFINITY } else { dphi };
        let df = if df.is_nan() { f64::INFINITY } else { df };
        if r >= rmin && r <= rmax {
            e.phi_in = e.phi_in.max(dphi);
            e.force_in = e.force_in.max(df);
        }
        e.phi_all = e.phi_all.max(dphi);
        if df > e.force_all {
            e.force_all = df;
            e.worst_force_all_row = i;
        }
    }
    e
}
