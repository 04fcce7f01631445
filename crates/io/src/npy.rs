//! The NumPy `.npy` format (versions 1.0–3.0): read any float/integer dtype of either byte order and
//! either memory order into float64; write float64 little-endian C-order.

use crate::{write_atomic, ArrayF64, IoError};
use std::io::Write;
use std::path::Path;

const MAGIC: &[u8] = b"\x93NUMPY";

/// Reads a `.npy` file into float64, converting float32 and integer dtypes exactly.
pub fn read_npy(path: &Path) -> Result<ArrayF64, IoError> {
    let bytes = std::fs::read(path).map_err(|e| IoError::os(path, e))?;
    parse_npy(path, &bytes)
}

fn parse_npy(path: &Path, bytes: &[u8]) -> Result<ArrayF64, IoError> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(IoError::format(
            path,
            "not a .npy file (missing the \\x93NUMPY magic); save the array with numpy.save",
        ));
    }
    let major = bytes[6];
    let (header_len, header_start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(IoError::format(path, "truncated .npy header"));
            }
            (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12)
        }
        v => {
            return Err(IoError::format(
                path,
                format!("unsupported .npy format version {v}.x (1, 2 and 3 are supported)"),
            ))
        }
    };
    let data_start = header_start + header_len;
    if bytes.len() < data_start {
        return Err(IoError::format(path, "truncated .npy header"));
    }
    let header = std::str::from_utf8(&bytes[header_start..data_start])
        .map_err(|_| IoError::format(path, "the .npy header is not text"))?;
    let descr = dict_value(header, "descr").ok_or_else(|| IoError::format(path, "the .npy header has no 'descr'"))?;
    let descr = descr.trim().trim_matches(|c| c == '\'' || c == '"');
    let fortran = dict_value(header, "fortran_order").map(|v| v.trim().starts_with("True")).unwrap_or(false);
    let shape = parse_shape(dict_value(header, "shape").unwrap_or("()"))
        .ok_or_else(|| IoError::format(path, format!("cannot read the shape in the .npy header: {header}")))?;
    let count: usize = shape.iter().product();
    let dtype = Dtype::parse(descr).ok_or_else(|| {
        IoError::format(path, format!("dtype '{descr}' is not numeric; starmill reads float64, float32 and integer arrays (convert with arr.astype('f8'))"))
    })?;
    let payload = &bytes[data_start..];
    if payload.len() < count * dtype.size {
        return Err(IoError::format(
            path,
            format!(
                "truncated data: shape {shape:?} of '{descr}' needs {} bytes, the file holds {}",
                count * dtype.size,
                payload.len()
            ),
        ));
    }
    let mut data: Vec<f64> = payload[..count * dtype.size].chunks_exact(dtype.size).map(|c| dtype.decode(c)).collect();
    if fortran && shape.len() > 1 {
        data = fortran_to_c(&data, &shape);
    }
    Ok(ArrayF64 { shape, data })
}

/// Finds the text of `key`'s value in the header dict (up to the next top-level comma or brace).
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let quoted = [format!("'{key}'"), format!("\"{key}\"")];
    let pos = quoted.iter().find_map(|q| header.find(q.as_str()).map(|p| p + q.len()))?;
    let rest = header[pos..].trim_start().strip_prefix(':')?;
    let mut depth = 0i32;
    for (i, c) in rest.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[..=i]);
                }
            }
            ',' | '}' if depth == 0 => return Some(&rest[..i]),
            _ => {}
        }
    }
    Some(rest)
}

fn parse_shape(text: &str) -> Option<Vec<usize>> {
    let inner = text.trim().strip_prefix('(')?.strip_suffix(')')?;
    inner.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| s.trim_end_matches('L').parse().ok()).collect()
}

fn fortran_to_c(data: &[f64], shape: &[usize]) -> Vec<f64> {
    let n = shape.len();
    let mut out = vec![0.0; data.len()];
    let mut index = vec![0usize; n];
    for (c_pos, slot) in out.iter_mut().enumerate() {
        let mut rem = c_pos;
        for axis in (0..n).rev() {
            index[axis] = rem % shape[axis];
            rem /= shape[axis];
        }
        let mut f_pos = 0;
        for axis in (0..n).rev() {
            f_pos = f_pos * shape[axis] + index[axis];
        }
        *slot = data[f_pos];
    }
    out
}

#[derive(Clone, Copy)]
struct Dtype {
    kind: char,
    size: usize,
    big_endian: bool,
}

impl Dtype {
    fn parse(descr: &str) -> Option<Self> {
        let mut chars = descr.chars();
        let order = chars.next()?;
        let big_endian = match order {
            '<' | '|' | '=' => false,
            '>' => true,
            _ => return None,
        };
        let kind = chars.next()?;
        let size: usize = chars.as_str().parse().ok()?;
        let ok = matches!(
            (kind, size),
            ('f', 4) | ('f', 8) | ('i', 1) | ('i', 2) | ('i', 4) | ('i', 8) | ('u', 1) | ('u', 2) | ('u', 4) | ('u', 8)
        );
        ok.then_some(Self { kind, size, big_endian })
    }

    fn decode(&self, chunk: &[u8]) -> f64 {
        let mut b = [0u8; 8];
        b[..self.size].copy_from_slice(chunk);
        if self.big_endian {
            b[..self.size].reverse();
        }
        match (self.kind, self.size) {
            ('f', 8) => f64::from_le_bytes(b),
            ('f', 4) => f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
            ('i', 1) => b[0] as i8 as f64,
            ('i', 2) => i16::from_le_bytes([b[0], b[1]]) as f64,
            ('i', 4) => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
            ('i', _) => i64::from_le_bytes(b) as f64,
            ('u', 1) => b[0] as f64,
            ('u', 2) => u16::from_le_bytes([b[0], b[1]]) as f64,
            ('u', 4) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
            _ => u64::from_le_bytes(b) as f64,
        }
    }
}

/// Serialises float64 values of the given shape as a version-1.0 `.npy` stream.
pub fn write_npy_f64_to<W: Write>(writer: &mut W, shape: &[usize], data: &[f64]) -> std::io::Result<()> {
    let shape_text = match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!("({})", shape.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")),
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape_text}, }}");
    let unpadded = MAGIC.len() + 2 + 2 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    writer.write_all(MAGIC)?;
    writer.write_all(&[1, 0])?;
    writer.write_all(&(header.len() as u16).to_le_bytes())?;
    writer.write_all(header.as_bytes())?;
    for v in data {
        writer.write_all(&v.to_le_bytes())?;
    }
    Ok(())
}

/// Writes float64 values of the given shape to `path` as `.npy`, atomically.
pub fn write_npy_f64(path: &Path, shape: &[usize], data: &[f64]) -> Result<(), IoError> {
    let expected: usize = shape.iter().product();
    if expected != data.len() {
        return Err(IoError::Shape {
            path: Some(path.to_path_buf()),
            message: format!("shape {shape:?} needs {expected} values, got {}", data.len()),
        });
    }
    write_atomic(path, |w| write_npy_f64_to(w, shape, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_header_alignment() {
        let mut buf = Vec::new();
        write_npy_f64_to(&mut buf, &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.5]).unwrap();
        let header_len = u16::from_le_bytes([buf[8], buf[9]]) as usize;
        assert_eq!((10 + header_len) % 64, 0);
        let a = parse_npy(Path::new("mem.npy"), &buf).unwrap();
        assert_eq!(a.shape, vec![2, 3]);
        assert_eq!(a.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.5]);
    }

    #[test]
    fn reads_float32_big_endian_and_fortran() {
        let header = "{'descr': '>f4', 'fortran_order': True, 'shape': (2, 2), }";
        let mut buf = Vec::from(MAGIC);
        buf.extend_from_slice(&[1, 0]);
        buf.extend_from_slice(&(header.len() as u16).to_le_bytes());
        buf.extend_from_slice(header.as_bytes());
        for v in [1.0f32, 3.0, 2.0, 4.0] {
            buf.extend_from_slice(&v.to_be_bytes());
        }
        let a = parse_npy(Path::new("mem.npy"), &buf).unwrap();
        assert_eq!(a.data, vec![1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn truncated_file_is_a_clear_error() {
        let mut buf = Vec::new();
        write_npy_f64_to(&mut buf, &[4], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        buf.truncate(buf.len() - 3);
        let err = parse_npy(Path::new("orbits.npy"), &buf).unwrap_err().to_string();
        assert!(err.contains("orbits.npy") && err.contains("truncated"), "{err}");
    }

    #[test]
    fn rejects_non_numeric_dtype() {
        let header = "{'descr': '<U4', 'fortran_order': False, 'shape': (1,), }";
        let mut buf = Vec::from(MAGIC);
        buf.extend_from_slice(&[1, 0]);
        buf.extend_from_slice(&(header.len() as u16).to_le_bytes());
        buf.extend_from_slice(header.as_bytes());
        buf.extend_from_slice(&[0; 16]);
        let err = parse_npy(Path::new("x.npy"), &buf).unwrap_err().to_string();
        assert!(err.contains("<U4"), "{err}");
    }
}
