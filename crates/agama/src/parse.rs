//! Reader for agama's INI-style potential export (`Potential.export`, expansions.md §1).

use crate::cylspline::{CylBlock, CylSplineTables};
use crate::multipole::MultipoleTables;
use std::fmt;

/// Error from reading an exported potential or a parameter list: the 1-based line number (0 when
/// the error is not tied to a line), the section name if any, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number in the file (0 if not applicable).
    pub line: usize,
    /// Section name (e.g. `Potential1`), if the error is inside a section.
    pub section: Option<String>,
    /// What was expected or what is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.section, self.line) {
            (Some(s), 0) => write!(f, "section [{s}]: {}", self.message),
            (Some(s), l) => write!(f, "line {l} (section [{s}]): {}", self.message),
            (None, 0) => write!(f, "{}", self.message),
            (None, l) => write!(f, "line {l}: {}", self.message),
        }
    }
}

impl std::error::Error for ParseError {}

/// One `[Potential…]` section: its key=value pairs (keys lower-cased) and its plain lines.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub name: String,
    /// line number of the header
    pub line: usize,
    pub keys: Vec<(String, String, usize)>,
    /// (line number, text) of every other line
    pub plain: Vec<(usize, String)>,
}

impl Section {
    pub(crate) fn get(&self, key: &str) -> Option<(&str, usize)> {
        self.keys.iter().find(|(k, _, _)| k == key).map(|(_, v, l)| (v.as_str(), *l))
    }

    fn err(&self, line: usize, msg: impl Into<String>) -> ParseError {
        ParseError { line, section: Some(self.name.clone()), message: msg.into() }
    }

    fn int_key(&self, key: &str, default: i64) -> Result<i64, ParseError> {
        match self.get(key) {
            None => Ok(default),
            Some((v, l)) => {
                v.parse::<i64>().map_err(|_| self.err(l, format!("expected an integer for {key}, got '{v}'")))
            }
        }
    }
}

/// Splits the text into `[Potential…]` sections (expansions.md §1.1).
pub(crate) fn split_sections(text: &str) -> Result<Vec<Section>, ParseError> {
    let mut sections: Vec<Section> = Vec::new();
    let mut current: Option<usize> = None; // index into sections, None = ignored section / preamble
    for (i, raw) in text.split('\n').enumerate() {
        let lineno = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let line = line.trim_start_matches([' ', '\t']);
        if let Some(rest) = line.strip_prefix('[') {
            if let Some(end) = rest.find(']') {
                let name = rest[..end].trim().to_string();
                if name.is_empty() {
                    current = None;
                    continue;
                }
                let is_pot = name.len() >= 9 && name[..9].eq_ignore_ascii_case("potential");
                if is_pot {
                    if sections.iter().any(|s| s.name == name) {
                        return Err(ParseError {
                            line: lineno,
                            section: Some(name),
                            message: "duplicate section name".into(),
                        });
                    }
                    sections.push(Section { name, line: lineno, keys: Vec::new(), plain: Vec::new() });
                    current = Some(sections.len() - 1);
                } else {
                    current = None;
                }
                continue;
            }
        }
        let Some(ci) = current else { continue };
        let sec = &mut sections[ci];
        let is_comment = line.starts_with('#') || line.starts_with(';');
        match line.find('=') {
            Some(pos) if pos > 0 && !is_comment => {
                let key = line[..pos].trim().to_ascii_lowercase();
                let value = line[pos + 1..].trim().to_string();
                if sec.keys.iter().any(|(k, _, _)| *k == key) {
                    return Err(sec.err(lineno, format!("key '{key}' appears twice")));
                }
                sec.keys.push((key, value, lineno));
            }
            _ => sec.plain.push((lineno, line.to_string())),
        }
    }
    if sections.is_empty() {
        return Err(ParseError {
            line: 0,
            section: None,
            message: "expected at least one [Potential...] section".into(),
        });
    }
    Ok(sections)
}

fn fields(s: &str) -> Vec<&str> {
    s.split([' ', '\t']).filter(|f| !f.is_empty()).collect()
}

fn parse_num(sec: &Section, line: usize, f: &str) -> Result<f64, ParseError> {
    match f.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(sec.err(line, format!("expected a finite number, got '{f}'"))),
    }
}

/// Cursor over the plain lines after `Coefficients`.
struct Cursor<'a> {
    sec: &'a Section,
    lines: &'a [(usize, String)],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(sec: &'a Section) -> Result<Self, ParseError> {
        let start = sec
            .plain
            .iter()
            .position(|(_, l)| l == "Coefficients")
            .ok_or_else(|| sec.err(sec.line, "expected a line 'Coefficients' in this section"))?;
        Ok(Cursor { sec, lines: &sec.plain[start + 1..], pos: 0 })
    }

    fn last_line(&self) -> usize {
        self.lines.last().map(|l| l.0 + 1).unwrap_or(self.sec.line + 1)
    }

    fn peek(&self) -> Option<&'a (usize, String)> {
        self.lines.get(self.pos)
    }

    fn next(&mut self, what: &str) -> Result<&'a (usize, String), ParseError> {
        match self.lines.get(self.pos) {
            Some(l) => {
                self.pos += 1;
                Ok(l)
            }
            None => Err(self.sec.err(self.last_line(), format!("file ends early: expected {what}"))),
        }
    }

    fn expect_literal(&mut self, lit: &str) -> Result<(), ParseError> {
        let (n, l) = self.next(&format!("the line '{lit}'"))?;
        if l != lit {
            return Err(self.sec.err(*n, format!("expected the line '{lit}', got '{}'", truncate(l))));
        }
        Ok(())
    }
}

fn truncate(s: &str) -> String {
    if s.len() > 40 {
        let mut end = 40;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    } else {
        s.to_string()
    }
}

/// Reads the coefficient tables of a `type=Multipole` section (expansions.md §1.2).
pub(crate) fn read_multipole(sec: &Section) -> Result<MultipoleTables, ParseError> {
    let nr = sec.int_key("gridsizer", 25)?;
    let lmax = sec.int_key("lmax", 6)?;
    if !(2..=100_000).contains(&nr) {
        let l = sec.get("gridsizer").map(|v| v.1).unwrap_or(sec.line);
        return Err(sec.err(l, "expected gridSizeR ≥ 2"));
    }
    if !(0..=64).contains(&lmax) {
        let l = sec.get("lmax").map(|v| v.1).unwrap_or(sec.line);
        return Err(sec.err(l, "expected 0 ≤ lmax ≤ 64"));
    }
    let (nr, lmax) = (nr as usize, lmax as usize);
    let nc = (lmax + 1) * (lmax + 1);
    let mut cur = Cursor::new(sec)?;
    let read_table = |cur: &mut Cursor, marker: &str| -> Result<(Vec<f64>, Vec<Vec<f64>>), ParseError> {
        cur.expect_literal(marker)?;
        let (n, h) = cur.next("a header line starting with '#'")?;
        if !h.starts_with('#') {
            return Err(sec.err(*n, format!("expected a header line starting with '#', got '{}'", truncate(h))));
        }
        let mut radii = Vec::with_capacity(nr);
        let mut rows = Vec::with_capacity(nr);
        for k in 0..nr {
            let (n, l) = cur.next(&format!("table row {} of {nr} ({} numbers)", k + 1, nc + 1))?;
            let f = fields(l);
            if f.len() != nc + 1 {
                return Err(sec.err(
                    *n,
                    format!("expected {} numbers (radius and (lmax+1)² = {nc} coefficients), got {}", nc + 1, f.len()),
                ));
            }
            let r = parse_num(sec, *n, f[0])?;
            if r <= 0.0 || radii.last().is_some_and(|&p| r <= p) {
                return Err(sec.err(*n, format!("expected a positive radius larger than the previous one, got {r}")));
            }
            radii.push(r);
            let row = f[1..].iter().map(|x| parse_num(sec, *n, x)).collect::<Result<Vec<_>, _>>()?;
            rows.push(row);
        }
        Ok((radii, rows))
    };
    let (radii, phi) = read_table(&mut cur, "#Phi")?;
    cur.next("a separator line after the #Phi table")?;
    let (radii2, dphi) = read_table(&mut cur, "#dPhi/dr")?;
    if radii2 != radii {
        return Err(sec.err(sec.line, "expected the #dPhi/dr table to repeat the radii of the #Phi table"));
    }
    Ok(MultipoleTables { radii, lmax, phi, dphi })
}

/// Blocks of one group: (m, z values, R values, matrix).
type Group = Vec<(i32, Vec<f64>, Vec<f64>, Vec<f64>)>;

fn read_cyl_group(cur: &mut Cursor, sec: &Section, nr: usize, nz: usize, mmax: i32) -> Result<Group, ParseError> {
    let mut blocks: Group = Vec::new();
    loop {
        match cur.peek() {
            None => break,
            Some((_, l)) if l.is_empty() => break,
            _ => {}
        }
        let (n, h) = cur.next("a block header 'm<TAB>#m'")?;
        let f = fields(h);
        if f.len() != 2 || f[1] != "#m" {
            return Err(sec.err(*n, format!("expected a block header 'm<TAB>#m', got '{}'", truncate(h))));
        }
        let m: i32 = f[0].parse().map_err(|_| sec.err(*n, format!("expected an integer m, got '{}'", f[0])))?;
        if m.abs() > mmax {
            return Err(sec.err(*n, format!("expected |m| ≤ mmax = {mmax}, got {m}")));
        }
        if blocks.iter().any(|b| b.0 == m) {
            return Err(sec.err(*n, format!("block m = {m} appears twice")));
        }
        let (n, zl) = cur.next("the z line of a block")?;
        let f = fields(zl);
        if f.len() != nz + 1 || !f[0].starts_with('#') {
            return Err(sec.err(*n, format!("expected '#R(row)\\z(col)' and {nz} z values, got {} fields", f.len())));
        }
        let zs = f[1..].iter().map(|x| parse_num(sec, *n, x)).collect::<Result<Vec<_>, _>>()?;
        if zs.windows(2).any(|w| w[1] <= w[0]) {
            return Err(sec.err(*n, "expected strictly increasing z values"));
        }
        let mut rs = Vec::with_capacity(nr);
        let mut mat = Vec::with_capacity(nr * nz);
        for i in 0..nr {
            let (n, l) = cur.next(&format!("row {} of {nr} of block m = {m}", i + 1))?;
            let f = fields(l);
            if f.len() != nz + 1 {
                return Err(sec.err(*n, format!("expected {} numbers (R and {nz} values), got {}", nz + 1, f.len())));
            }
            let r = parse_num(sec, *n, f[0])?;
            if rs.last().is_some_and(|&p| r <= p) {
                return Err(sec.err(*n, "expected R larger than the previous row's"));
            }
            rs.push(r);
            for x in &f[1..] {
                mat.push(parse_num(sec, *n, x)?);
            }
        }
        blocks.push((m, zs, rs, mat));
    }
    if blocks.is_empty() {
        let l = cur.peek().map(|x| x.0).unwrap_or(cur.last_line());
        return Err(sec.err(l, "expected at least one block 'm<TAB>#m'"));
    }
    Ok(blocks)
}

/// Reads the coefficient tables of a `type=CylSpline` section (expansions.md §1.3). Missing or
/// malformed derivative groups are errors (agama would silently switch to an unspecified cubic
/// interpolant).
pub(crate) fn read_cylspline(sec: &Section) -> Result<CylSplineTables, ParseError> {
    let nr = sec.int_key("gridsizer", 25)?;
    let nz = sec.int_key("gridsizez", 25)?;
    let lmax = sec.int_key("lmax", 6)?;
    let mmax = sec.int_key("mmax", lmax)?;
    if !(2..=100_000).contains(&nr) || !(2..=100_000).contains(&nz) {
        return Err(sec.err(sec.line, "expected gridSizeR ≥ 2 and gridSizez ≥ 2"));
    }
    if !(0..=1000).contains(&mmax) {
        return Err(sec.err(sec.line, "expected 0 ≤ mmax ≤ 1000"));
    }
    let (nr, nz, mmax) = (nr as usize, nz as usize, mmax as i32);
    let mut cur = Cursor::new(sec)?;
    cur.expect_literal("#Phi")?;
    let g0 = read_cyl_group(&mut cur, sec, nr, nz, mmax)?;
    cur.next("an empty line before '#dPhi/dR'")?;
    cur.expect_literal("#dPhi/dR")?;
    let g1 = read_cyl_group(&mut cur, sec, nr, nz, mmax)?;
    cur.next("an empty line before '#dPhi/dz'")?;
    cur.expect_literal("#dPhi/dz")?;
    let g2 = read_cyl_group(&mut cur, sec, nr, nz, mmax)?;
    let (zs, rs) = (g0[0].1.clone(), g0[0].2.clone());
    for g in [&g0, &g1, &g2] {
        for b in g.iter() {
            if b.1 != zs || b.2 != rs {
                return Err(sec
                    .err(sec.line, format!("expected every block to use the same R and z grids (block m = {})", b.0)));
            }
        }
    }
    if rs[0] != 0.0 {
        return Err(sec.err(sec.line, "expected the first R node to be 0"));
    }
    let mut blocks = Vec::new();
    for (m, _, _, phi) in &g0 {
        let find = |g: &Group, what: &str| {
            g.iter()
                .find(|b| b.0 == *m)
                .map(|b| b.3.clone())
                .ok_or_else(|| sec.err(sec.line, format!("expected a {what} block for m = {m}")))
        };
        let dr = find(&g1, "#dPhi/dR")?;
        let dz = find(&g2, "#dPhi/dz")?;
        blocks.push(CylBlock { m: *m, phi: phi.clone(), dphi_dr: dr, dphi_dz: dz });
    }
    if !blocks.iter().any(|b| b.m == 0) {
        return Err(sec.err(sec.line, "expected an m = 0 block"));
    }
    Ok(CylSplineTables { r_grid: rs, z_grid: zs, mmax, blocks })
}
