//! Every input BITPIX (8, 16, 32, 64, −32, −64), unsigned 16-bit through BZERO 32768 and a general
//! BSCALE/BZERO pair arrive as the exact physical values (ADU) in float64.

use fitsio_sys as sys;
use starmill_ccd::fits::FitsReader;
use std::ffi::CString;
use std::os::raw::{c_int, c_long, c_void};
use std::path::Path;

/// Writes a 3×2 image of `bitpix` whose stored values are `stored` (given as f64, converted by
/// cfitsio with scaling switched off), with header BSCALE/BZERO when given.
fn write(path: &Path, bitpix: c_int, stored: &[f64], scale: Option<(f64, f64)>) {
    let name = CString::new(format!("!{}", path.display())).unwrap();
    let mut fptr = std::ptr::null_mut();
    let mut status = 0;
    let mut naxes: [c_long; 2] = [3, 2];
    unsafe {
        sys::ffinit(&mut fptr, name.as_ptr(), &mut status);
        sys::ffcrim(fptr, bitpix, 2, naxes.as_mut_ptr(), &mut status);
        if let Some((bscale, bzero)) = scale {
            let k = CString::new("BSCALE").unwrap();
            sys::ffpkyd(fptr, k.as_ptr(), bscale, -15, std::ptr::null(), &mut status);
            let k = CString::new("BZERO").unwrap();
            sys::ffpkyd(fptr, k.as_ptr(), bzero, -15, std::ptr::null(), &mut status);
            // Write the stored integers as they are.
            sys::ffpscl(fptr, 1.0, 0.0, &mut status);
        }
        let mut data = stored.to_vec();
        sys::ffppr(fptr, sys::TDOUBLE as c_int, 1, data.len() as i64, data.as_mut_ptr() as *mut c_void, &mut status);
        sys::ffclos(fptr, &mut status);
    }
    assert_eq!(status, 0, "cfitsio status writing {}", path.display());
}

/// (name, BITPIX, stored values, BSCALE/BZERO, expected physical values in ADU)
type Case = (&'static str, c_int, Vec<f64>, Option<(f64, f64)>, Vec<f64>);

#[test]
fn every_bitpix_reads_as_physical_float64() {
    let dir = std::env::temp_dir().join(format!("starmill-ccd-bitpix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: Vec<Case> = vec![
        ("u8", 8, vec![0.0, 1.0, 127.0, 128.0, 200.0, 255.0], None, vec![0.0, 1.0, 127.0, 128.0, 200.0, 255.0]),
        (
            "i16",
            16,
            vec![-32768.0, -1.0, 0.0, 1.0, 1280.0, 32767.0],
            None,
            vec![-32768.0, -1.0, 0.0, 1.0, 1280.0, 32767.0],
        ),
        (
            "u16",
            16,
            vec![-32768.0, -31488.0, 0.0, 1.0, 32767.0, -1.0],
            Some((1.0, 32768.0)),
            vec![0.0, 1280.0, 32768.0, 32769.0, 65535.0, 32767.0],
        ),
        (
            "i32",
            32,
            vec![-2147483648.0, -5.0, 0.0, 7.0, 65536.0, 2147483647.0],
            None,
            vec![-2147483648.0, -5.0, 0.0, 7.0, 65536.0, 2147483647.0],
        ),
        ("i64", 64, vec![-9.0e15, -1.0, 0.0, 1.0, 4.0e15, 9.0e15], None, vec![-9.0e15, -1.0, 0.0, 1.0, 4.0e15, 9.0e15]),
        (
            "f32",
            -32,
            vec![-1.5, 0.0, 0.1f32 as f64, 1e30f32 as f64, 65535.0, 3.25],
            None,
            vec![-1.5, 0.0, 0.1f32 as f64, 1e30f32 as f64, 65535.0, 3.25],
        ),
        (
            "f64",
            -64,
            vec![-1.5, 0.0, 0.1, 1e300, 65535.0, 1.0 / 3.0],
            None,
            vec![-1.5, 0.0, 0.1, 1e300, 65535.0, 1.0 / 3.0],
        ),
        (
            "scaled",
            16,
            vec![-2.0, -1.0, 0.0, 1.0, 2.0, 1000.0],
            Some((2.0, 100.0)),
            vec![96.0, 98.0, 100.0, 102.0, 104.0, 2100.0],
        ),
    ];
    for (name, bitpix, stored, scale, physical) in cases {
        let path = dir.join(format!("{name}.fits"));
        write(&path, bitpix, &stored, scale);
        let mut r = FitsReader::open(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((r.width(), r.height()), (3, 2), "{name}");
        let got = r.read_all().unwrap();
        assert_eq!(got, physical, "{name} (BITPIX {bitpix}, scale {scale:?})");
        let mut rows = vec![0.0; 3];
        r.read_rows(1, &mut rows).unwrap();
        assert_eq!(rows, physical[3..], "{name}: second row alone");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
