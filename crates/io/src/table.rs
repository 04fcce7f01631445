//! Numeric text tables: comma-, semicolon-, tab- or space-separated, `#` comments, an optional header
//! line of column names.

use crate::{ArrayF64, IoError};
use std::path::Path;

/// Reads a numeric table into a 2-D array of shape (rows, columns). A first line that does not parse
/// as numbers is taken as a header and skipped; every other line must have the same number of values.
pub fn read_table(path: &Path) -> Result<ArrayF64, IoError> {
    let text = std::fs::read_to_string(path).map_err(|e| IoError::os(path, e))?;
    let mut data = Vec::new();
    let mut ncols: Option<usize> = None;
    let mut nrows = 0usize;
    let mut first_content_line = true;
    for (lineno, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> =
            line.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|f| !f.is_empty()).collect();
        let parsed: Result<Vec<f64>, _> = fields.iter().map(|f| f.parse::<f64>()).collect();
        let values = match parsed {
            Ok(v) => v,
            Err(_) if first_content_line => {
                first_content_line = false;
                continue;
            }
            Err(_) => {
                let bad = fields.iter().find(|f| f.parse::<f64>().is_err()).copied().unwrap_or("");
                return Err(IoError::format(path, format!("line {}: '{bad}' is not a number", lineno + 1)));
            }
        };
        first_content_line = false;
        match ncols {
            None => ncols = Some(values.len()),
            Some(n) if n != values.len() => {
                return Err(IoError::format(
                    path,
                    format!("line {}: {} values, but earlier lines have {n}", lineno + 1, values.len()),
                ));
            }
            _ => {}
        }
        data.extend(values);
        nrows += 1;
    }
    let ncols = ncols.ok_or_else(|| IoError::format(path, "no numeric rows found"))?;
    Ok(ArrayF64 { shape: vec![nrows, ncols], data })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_comments_and_separators() {
        let path = std::env::temp_dir().join(format!("starmill-table-{}.csv", std::process::id()));
        std::fs::write(&path, "x,y,z\n# comment\n1,2,3\n4 5 6 # trailing\n\n7;8;9\n").unwrap();
        let a = read_table(&path).unwrap();
        assert_eq!(a.shape, vec![3, 3]);
        assert_eq!(a.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        std::fs::write(&path, "1,2\n3,x\n").unwrap();
        let err = read_table(&path).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("'x'"), "{err}");
        std::fs::write(&path, "1,2\n3\n").unwrap();
        assert!(read_table(&path).unwrap_err().to_string().contains("earlier lines have 2"));
        std::fs::remove_file(&path).unwrap();
    }
}
