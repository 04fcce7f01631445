//! agama-style `key=value` parameters (analytic.md §1): case-insensitive keys and type names,
//! aliases, agama's defaults, unknown keys ignored (as agama does).

use crate::analytic::{Dehnen, Ferrers, FerrersMode, MiyamotoNagai, Nfw, Plummer};
use crate::parse::ParseError;
use crate::AgamaPotential;

fn err(line: usize, section: Option<&str>, msg: impl Into<String>) -> ParseError {
    ParseError { line, section: section.map(str::to_string), message: msg.into() }
}

/// Parameter list with lower-cased keys and the line each came from (0 when not from a file).
pub(crate) struct Params<'a> {
    pub items: Vec<(String, &'a str, usize)>,
    pub section: Option<&'a str>,
    pub line: usize,
}

impl<'a> Params<'a> {
    fn find(&self, names: &[&str]) -> Option<(&'a str, usize)> {
        self.items.iter().find(|(k, _, _)| names.contains(&k.as_str())).map(|(_, v, l)| (*v, *l))
    }

    fn num(&self, names: &[&str], default: f64) -> Result<f64, ParseError> {
        match self.find(names) {
            None => Ok(default),
            Some((v, l)) => match v.trim().parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => Err(err(
                    if l == 0 { self.line } else { l },
                    self.section,
                    format!("expected a finite number for {}, got '{v}'", names[0]),
                )),
            },
        }
    }

    fn fail(&self, msg: impl Into<String>) -> ParseError {
        err(self.line, self.section, msg)
    }
}

/// Builds an analytic potential from agama-style parameters. `type` selects the model.
pub(crate) fn analytic_from_params(p: &Params) -> Result<AgamaPotential, ParseError> {
    let (ty, _) = p.find(&["type"]).ok_or_else(|| p.fail("expected a 'type' parameter"))?;
    let ty = ty.trim().to_ascii_lowercase();
    let mass = p.num(&["mass"], 1.0)?;
    let a = p.num(&["scaleradius", "rscale"], 1.0)?;
    let b = p.num(&["scaleheight", "scaleradius2"], 1.0)?;
    let gamma = p.num(&["gamma"], 1.0)?;
    let py = p.num(&["axisratioy", "p"], 1.0)?;
    let qz = p.num(&["axisratioz", "q"], 1.0)?;
    let cutoff = p.num(&["outercutoffradius"], f64::INFINITY)?;
    if a.is_nan() || a <= 0.0 {
        return Err(p.fail(format!("expected scaleRadius > 0, got {a}")));
    }
    let spherical_only = |name: &str| -> Result<(), ParseError> {
        if py != 1.0 || qz != 1.0 || cutoff.is_finite() {
            return Err(p.fail(format!(
                "{name} with axis ratios ≠ 1 or an outerCutoffRadius is a Spheroid density expanded as a \
                 Multipole in agama: export it with agama's Potential.export and load the file"
            )));
        }
        Ok(())
    };
    match ty.as_str() {
        "plummer" => {
            spherical_only("Plummer")?;
            Ok(AgamaPotential::Plummer(Plummer { mass, scale_radius: a }))
        }
        "nfw" => {
            spherical_only("NFW")?;
            Ok(AgamaPotential::Nfw(Nfw { mass, scale_radius: a }))
        }
        "miyamotonagai" => {
            if b.is_nan() || b < 0.0 {
                return Err(p.fail(format!("expected scaleHeight ≥ 0, got {b}")));
            }
            Ok(AgamaPotential::MiyamotoNagai(MiyamotoNagai { mass, scale_radius: a, scale_height: b }))
        }
        "dehnen" => {
            if !(0.0..=2.0).contains(&gamma) {
                return Err(p.fail(format!("expected 0 ≤ gamma ≤ 2, got {gamma}")));
            }
            if !(py > 0.0 && qz > 0.0) {
                return Err(p.fail("expected axisRatioY > 0 and axisRatioZ > 0"));
            }
            if cutoff.is_finite() {
                return Err(p.fail("a Dehnen model with outerCutoffRadius is not supported: export it from agama"));
            }
            Ok(AgamaPotential::Dehnen(Dehnen { mass, scale_radius: a, gamma, axis_ratio_y: py, axis_ratio_z: qz }))
        }
        "ferrers" => {
            if !(1.0 > py && py > qz && qz > 0.0) {
                return Err(p.fail(format!(
                    "Ferrers needs 1 > axisRatioY > axisRatioZ > 0 (as agama), got axisRatioY={py}, axisRatioZ={qz}"
                )));
            }
            let mode = match p.find(&["evaluation"]) {
                None => FerrersMode::Exact,
                Some((v, l)) => match v.trim().to_ascii_lowercase().as_str() {
                    "exact" => FerrersMode::Exact,
                    "agama" => FerrersMode::Agama,
                    _ => {
                        return Err(err(
                            if l == 0 { p.line } else { l },
                            p.section,
                            format!("expected evaluation=exact or evaluation=agama, got '{v}'"),
                        ))
                    }
                },
            };
            Ok(AgamaPotential::Ferrers(Ferrers { mass, scale_radius: a, axis_ratio_y: py, axis_ratio_z: qz, mode }))
        }
        "hernquist" => Err(p.fail("agama has no type 'Hernquist': use type=Dehnen with gamma=1")),
        "multipole" | "cylspline" => {
            Err(p.fail(format!("type={ty} needs coefficient tables: load agama's exported file with parse_export")))
        }
        other => Err(p.fail(format!(
            "unsupported potential type '{other}' (supported: Plummer, NFW, MiyamotoNagai, Dehnen, Ferrers, \
             Multipole, CylSpline)"
        ))),
    }
}
