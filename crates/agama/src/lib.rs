//! starmill-agama: agama's (commit 0c5993d) potentials, reimplemented without agama.
//!
//! This crate owns
//! * the reader of agama's INI-style potential export (`Potential.export`): [`parse_export`],
//!   [`read_export`], with errors naming the line and what was expected ([`ParseError`]);
//! * the evaluation of agama's `Multipole` and `CylSpline` expansions exactly as agama does it
//!   (same grids, scalings, quintic splines, Legendre synthesis, inner/outer power-law
//!   extrapolation, analytic derivatives) — see [`Multipole`], [`CylSpline`];
//! * agama's analytic types under agama's parameter names: [`Plummer`], [`Nfw`],
//!   [`MiyamotoNagai`], [`Dehnen`] (spherical closed form, and agama's QNG quadrature when
//!   non-spherical), [`Ferrers`] (n = 2; exact by default, agama's evaluation as an option);
//! * the embedded Milky Way bar model of agama's `example_mw_bar_potential_new.py`
//!   ([`agama_mw_bar`], pattern speed [`AGAMA_MW_BAR_PATTERN_SPEED`]).
//!
//! Units throughout (agama with `setUnits(mass=1, length=1, velocity=1)`): positions kpc, masses
//! M_sun, Φ in (km/s)², force −∇Φ in (km/s)²/kpc, G = [`G`]. Expansions are evaluated in the units
//! the file was written in and need no G.
//!
//! Behaviour beyond the golden range (1e-3 ≤ r ≤ 500 kpc) follows agama: a Multipole uses its
//! fitted power laws inside its first and beyond its last radius; a CylSpline uses, outside its
//! (R, z) grid, the m = 0, even-l part of a least-squares multipole fit to the grid boundary only —
//! **so a bar represented in a CylSpline vanishes beyond the grid** (R > 50 kpc or |z| > 20 kpc
//! for the bar model) and Φ jumps slightly across the grid edge, exactly as in agama.
//!
//! This crate must not know about starmill's dynamics crate (its `Potential` trait, registry,
//! integrators, frames) or any command-line front end: it exposes plain `Send + Sync` types that
//! the dynamics crate wraps. Rotation (pattern speed) is not part of a potential here, as in agama.

#![deny(missing_docs)]
#![allow(clippy::needless_range_loop)]

mod analytic;
mod cylspline;
mod legendre;
mod multipole;
mod params;
mod parse;
mod powerlaw;
mod qng_rule;
mod spline;

pub use analytic::{Dehnen, Ferrers, FerrersMode, MiyamotoNagai, Nfw, Plummer};
pub use cylspline::{CylBlock, CylSpline, CylSplineTables};
pub use multipole::{Multipole, MultipoleTables};
pub use parse::ParseError;

use std::path::Path;
use std::sync::OnceLock;

/// agama's gravitational constant in kpc (km/s)² / M_sun.
pub const G: f64 = 4.30091727067736e-6;

/// agama's time unit kpc/(km/s) in Gyr.
pub const TIME_UNIT_GYR: f64 = 0.9777922216835249;

/// The exported Milky Way bar model (`makePotentialModel()` of agama's
/// example_mw_bar_potential_new.py at commit 0c5993d, written by `Potential.export`): a Composite
/// of a CylSpline (bar, stellar and gas disks) and a Multipole (halo, nuclear disk and cluster,
/// black hole). 232 306 bytes.
pub const AGAMA_MW_BAR_INI: &str = include_str!("../data/mwbar_new_0c5993d.ini");

/// Pattern speed of the bar model in the agama example, Ω = −39 km/s/kpc: negative because the bar
/// rotates clockwise (seen from +z). In agama it is passed to `agama.orbit(..., Omega=-39)`, not
/// stored in the potential; the potential itself is static in the bar frame (bar along x).
pub const AGAMA_MW_BAR_PATTERN_SPEED: f64 = -39.0;

/// Any potential this crate can evaluate. All variants are `Send + Sync`.
#[derive(Debug, Clone)]
pub enum AgamaPotential {
    /// agama `Multipole` expansion.
    Multipole(Box<Multipole>),
    /// agama `CylSpline` expansion.
    CylSpline(Box<CylSpline>),
    /// agama `Plummer`.
    Plummer(Plummer),
    /// agama `NFW`.
    Nfw(Nfw),
    /// agama `MiyamotoNagai`.
    MiyamotoNagai(MiyamotoNagai),
    /// agama `Dehnen` (spherical or with axis ratios).
    Dehnen(Dehnen),
    /// agama `Ferrers` (n = 2).
    Ferrers(Ferrers),
    /// Sum of components (agama `Composite`), in order.
    Composite(Vec<AgamaPotential>),
}

/// Cylindrical (Φ, ∂Φ/∂R, ∂Φ/∂z, ∂Φ/∂φ) → (Φ, ∇Φ) in Cartesian coordinates (expansions.md §5).
#[inline]
fn cyl_to_cart(x: [f64; 3], rr: f64, c: [f64; 4]) -> (f64, [f64; 3]) {
    if rr == 0.0 {
        let g = c[1] + c[3];
        return (c[0], [g, g, c[2]]);
    }
    let (cp, sp) = (x[0] / rr, x[1] / rr);
    (c[0], [cp * c[1] - sp / rr * c[3], sp * c[1] + cp / rr * c[3], c[2]])
}

impl AgamaPotential {
    /// Φ [(km/s)²] at `x` [kpc].
    pub fn potential(&self, x: [f64; 3]) -> f64 {
        self.eval(x).0
    }

    /// Force per unit mass F = −∇Φ [(km/s)²/kpc] at `x` [kpc].
    pub fn force(&self, x: [f64; 3]) -> [f64; 3] {
        let g = self.eval(x).1;
        [-g[0], -g[1], -g[2]]
    }

    /// (Φ [(km/s)²], F = −∇Φ [(km/s)²/kpc]) at `x` [kpc] in one evaluation.
    pub fn potential_and_force(&self, x: [f64; 3]) -> (f64, [f64; 3]) {
        let (p, g) = self.eval(x);
        (p, [-g[0], -g[1], -g[2]])
    }

    /// (Φ [(km/s)²], ∇Φ [(km/s)²/kpc]) at `x` [kpc].
    pub fn eval(&self, x: [f64; 3]) -> (f64, [f64; 3]) {
        let rr = (x[0] * x[0] + x[1] * x[1]).sqrt();
        let phi = if rr == 0.0 { 0.0 } else { x[1].atan2(x[0]) };
        match self {
            AgamaPotential::Multipole(m) => cyl_to_cart(x, rr, m.eval_cyl(rr, x[2], phi)),
            AgamaPotential::CylSpline(c) => cyl_to_cart(x, rr, c.eval_cyl(rr, x[2], phi)),
            AgamaPotential::Plummer(p) => p.eval(x),
            AgamaPotential::Nfw(p) => p.eval(x),
            AgamaPotential::MiyamotoNagai(p) => p.eval(x),
            AgamaPotential::Dehnen(p) => p.eval(x),
            AgamaPotential::Ferrers(p) => p.eval(x),
            AgamaPotential::Composite(parts) => {
                // expansions: sum cylindrical gradients and convert once (as agama)
                let mut cyl = [0.0; 4];
                let mut any_cyl = false;
                let mut val = 0.0;
                let mut grad = [0.0; 3];
                for p in parts {
                    match p {
                        AgamaPotential::Multipole(m) => {
                            let c = m.eval_cyl(rr, x[2], phi);
                            (0..4).for_each(|i| cyl[i] += c[i]);
                            any_cyl = true;
                        }
                        AgamaPotential::CylSpline(m) => {
                            let c = m.eval_cyl(rr, x[2], phi);
                            (0..4).for_each(|i| cyl[i] += c[i]);
                            any_cyl = true;
                        }
                        other => {
                            let (v, g) = other.eval(x);
                            val += v;
                            (0..3).for_each(|i| grad[i] += g[i]);
                        }
                    }
                }
                if any_cyl {
                    let (v, g) = cyl_to_cart(x, rr, cyl);
                    val += v;
                    (0..3).for_each(|i| grad[i] += g[i]);
                }
                (val, grad)
            }
        }
    }

    /// The components of a Composite (a single-element slice for any other variant).
    pub fn components(&self) -> &[AgamaPotential] {
        match self {
            AgamaPotential::Composite(p) => p,
            other => std::slice::from_ref(other),
        }
    }

    /// Builds an analytic agama potential from agama-style `key=value` parameters (analytic.md §1):
    /// keys and the type name are case-insensitive; aliases `rscale` (scaleRadius), `scaleRadius2`
    /// (scaleHeight), `p`/`q` (axisRatioY/Z); defaults mass = 1, scaleRadius = 1, scaleHeight = 1,
    /// gamma = 1, axis ratios 1; unknown keys are ignored as agama ignores them. Supported types:
    /// `Plummer`, `NFW`, `MiyamotoNagai`, `Dehnen` (`gamma`, axis ratios; agama has no `Hernquist`,
    /// use Dehnen with gamma = 1), `Ferrers` (starmill's extra key `evaluation=exact|agama`, default
    /// exact). Masses in M_sun, lengths in kpc.
    ///
    /// Example: `from_params(&[("type", "Ferrers"), ("mass", "1e9"), ("scaleRadius", "3"),
    /// ("axisRatioY", "0.5"), ("axisratioz", "0.4")])`.
    pub fn from_params<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> Result<Self, ParseError> {
        let p = params::Params {
            items: params.iter().map(|(k, v)| (k.as_ref().trim().to_ascii_lowercase(), v.as_ref(), 0)).collect(),
            section: None,
            line: 0,
        };
        params::analytic_from_params(&p)
    }
}

/// Parses agama's exported potential text (the INI file written by `Potential.export`): every
/// `[Potential…]` section is one component, in file order; `type=Multipole` and `type=CylSpline`
/// sections with their coefficient tables, and analytic types given by their parameters. A file with
/// one section gives that component, several give a [`AgamaPotential::Composite`].
pub fn parse_export(text: &str) -> Result<AgamaPotential, ParseError> {
    let sections = parse::split_sections(text)?;
    let mut comps = Vec::with_capacity(sections.len());
    for sec in &sections {
        let (ty, tl) = sec.get("type").ok_or_else(|| ParseError {
            line: sec.line,
            section: Some(sec.name.clone()),
            message: "expected a 'type=' line in this section".into(),
        })?;
        let wrap = |msg: String| ParseError { line: sec.line, section: Some(sec.name.clone()), message: msg };
        let comp = match ty.to_ascii_lowercase().as_str() {
            "multipole" => {
                let t = parse::read_multipole(sec)?;
                AgamaPotential::Multipole(Box::new(Multipole::new(&t).map_err(wrap)?))
            }
            "cylspline" => {
                let t = parse::read_cylspline(sec)?;
                AgamaPotential::CylSpline(Box::new(CylSpline::new(&t).map_err(wrap)?))
            }
            _ => {
                let p = params::Params {
                    items: sec.keys.iter().map(|(k, v, l)| (k.clone(), v.as_str(), *l)).collect(),
                    section: Some(&sec.name),
                    line: tl,
                };
                params::analytic_from_params(&p)?
            }
        };
        comps.push(comp);
    }
    if comps.len() == 1 {
        Ok(comps.pop().unwrap_or(AgamaPotential::Composite(Vec::new())))
    } else {
        Ok(AgamaPotential::Composite(comps))
    }
}

/// Reads and parses an exported potential file (see [`parse_export`]); I/O errors are reported as a
/// [`ParseError`] with line 0.
pub fn read_export(path: impl AsRef<Path>) -> Result<AgamaPotential, ParseError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| ParseError {
        line: 0,
        section: None,
        message: format!("cannot read {}: {e}", path.display()),
    })?;
    parse_export(&text)
}

/// The Milky Way bar model ([`AGAMA_MW_BAR_INI`]) as a Composite of its CylSpline (component 0) and
/// Multipole (component 1), in the bar frame (bar long axis along x). Built once per process
/// (a few milliseconds) and cloned. Use it with pattern speed [`AGAMA_MW_BAR_PATTERN_SPEED`]
/// (−39 km/s/kpc, clockwise) for agama's rotating-bar example.
pub fn agama_mw_bar() -> AgamaPotential {
    static MODEL: OnceLock<Result<AgamaPotential, ParseError>> = OnceLock::new();
    match MODEL.get_or_init(|| parse_export(AGAMA_MW_BAR_INI)) {
        Ok(m) => m.clone(),
        // unreachable for the embedded file (covered by the tests); keep a defined result
        Err(_) => AgamaPotential::Composite(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn potential_types_are_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<AgamaPotential>();
    }

    #[test]
    fn embedded_model_parses() {
        let m = parse_export(AGAMA_MW_BAR_INI).expect("embedded model");
        assert_eq!(m.components().len(), 2);
        match &m.components()[0] {
            AgamaPotential::CylSpline(c) => {
                assert!((c.scale_radius() - 2.4209254650422762).abs() < 1e-13 * 2.42, "{}", c.scale_radius())
            }
            _ => panic!("component 0 should be a CylSpline"),
        }
    }
}
