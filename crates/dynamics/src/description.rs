//! Potentials as data: a serde description (TOML for people, JSON for machines) of components in
//! physical units, named models, and the pattern speed, which builds a [`Composite`] and serialises
//! back so every output can record exactly what it was computed in.
//!
//! ```toml
//! pattern_speed = -39.0          # km/s/kpc about +z, optional (default 0: static)
//!
//! [[components]]
//! type = "model"
//! name = "MWPotential2014"
//!
//! [[components]]
//! type = "long_murali_bar"
//! mass = 1e10                    # Msun
//! a = 4.0                        # kpc
//! b = 0.5
//! c = 1.0
//! angle = 0.4                    # rad, from +x towards +y
//! ```
//!
//! agama's potentials (crate `starmill-agama`, docs/agama.md):
//!
//! ```toml
//! [[components]]
//! type = "agama_file"            # a file written by agama's Potential.export
//! path = "my_model.ini"          # relative to this description file's folder
//!
//! [[components]]
//! type = "agama"                 # one of agama's analytic types, agama's parameter names
//! params = { type = "Ferrers", mass = 1e9, scaleRadius = 3, axisRatioY = 0.5, axisRatioZ = 0.4 }
//! ```
//!
//! Adding a component type: a variant in [`ComponentSpec`], its arm in `ComponentSpec::build` and a
//! variant in [`Component`]; nothing else changes.

use crate::agama::{AgamaComponent, AGAMA_PARAMETER_KEYS};
use crate::components::*;
use crate::composite::{Component, Composite};
use crate::models::{find_model, model_names};
use serde::{Deserialize, Serialize};
use starmill_agama::AgamaPotential;
use std::collections::BTreeMap;
use std::path::Path;

/// A potential described as data. All quantities in physical units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// Pattern speed Ω in km/s/kpc: the whole figure rotates counter-clockwise about +z for Ω > 0
    /// (angle Ω t). 0 means static.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub pattern_speed: f64,
    /// The summed components, in order.
    pub components: Vec<ComponentSpec>,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn yes() -> bool {
    true
}

fn one() -> f64 {
    1.0
}

/// Zero point of the power-law-with-cut-off potential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZeroPoint {
    /// Φ(0) = 0, galpy's convention (MWPotential2014's bulge).
    #[default]
    Center,
    /// Φ(∞) = 0, gala's convention.
    Infinity,
}

/// The value of one agama parameter: a number (masses Msun, lengths kpc) or a word
/// (`type = "Ferrers"`, `evaluation = "agama"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AgamaValue {
    /// A number, e.g. `mass = 1e9` (Msun) or `scaleRadius = 3` (kpc).
    Number(f64),
    /// A word, e.g. `type = "Ferrers"`.
    Text(String),
}

impl AgamaValue {
    fn to_param_string(&self) -> String {
        match self {
            // Display of f64 is the shortest string that round-trips exactly
            AgamaValue::Number(x) => x.to_string(),
            AgamaValue::Text(t) => t.clone(),
        }
    }
}

/// One component of a [`Description`], tagged by `type`. Masses in Msun, lengths in kpc, angles in
/// radians, speeds in km/s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ComponentSpec {
    /// A named model (see [`crate::models::MODELS`]), e.g. "MWPotential2014".
    Model {
        /// Model name or alias.
        name: String,
    },
    /// Point mass Φ = −GM/r.
    PointMass {
        /// Mass in Msun.
        mass: f64,
    },
    /// Plummer sphere Φ = −GM/√(r² + a²).
    Plummer {
        /// Mass in Msun.
        mass: f64,
        /// Scale radius in kpc.
        a: f64,
    },
    /// Hernquist sphere Φ = −GM/(r + a).
    Hernquist {
        /// Mass in Msun.
        mass: f64,
        /// Scale radius in kpc.
        a: f64,
    },
    /// Jaffe sphere Φ = (GM/a) ln(r/(r + a)).
    Jaffe {
        /// Mass in Msun.
        mass: f64,
        /// Scale radius in kpc.
        a: f64,
    },
    /// Isochrone Φ = −GM/(b + √(r² + b²)).
    Isochrone {
        /// Mass in Msun.
        mass: f64,
        /// Scale radius in kpc.
        b: f64,
    },
    /// Spherical NFW halo, ρ = M/(4π a³)/(u (1 + u)²), u = r/a.
    Nfw {
        /// Scale mass M in Msun (gala's `m`).
        mass: f64,
        /// Scale radius in kpc.
        a: f64,
    },
    /// Miyamoto–Nagai disk Φ = −GM/√(R² + (a + √(z² + b²))²).
    MiyamotoNagai {
        /// Mass in Msun.
        mass: f64,
        /// Radial scale in kpc.
        a: f64,
        /// Vertical scale in kpc.
        b: f64,
    },
    /// Three-Miyamoto–Nagai approximation of an exponential disk (Smith et al. 2015, as gala).
    Mn3ExponentialDisk {
        /// Disk mass in Msun.
        mass: f64,
        /// Exponential scale length in kpc.
        h_r: f64,
        /// Scale height in kpc.
        h_z: f64,
        /// Use the fit that keeps the density positive (default true).
        #[serde(default = "yes")]
        positive_density: bool,
        /// Fit a sech² vertical profile (default true) instead of an exponential.
        #[serde(default = "yes")]
        sech2_z: bool,
    },
    /// Cored logarithmic potential Φ = ½ v_c² ln(r_h² + x²/q1² + y²/q2² + z²/q3²) (lengths in kpc).
    Logarithmic {
        /// Asymptotic circular speed in km/s.
        v_c: f64,
        /// Core radius in kpc.
        r_h: f64,
        /// x axis ratio (default 1).
        #[serde(default = "one")]
        q1: f64,
        /// y axis ratio (default 1).
        #[serde(default = "one")]
        q2: f64,
        /// z axis ratio (flattening, default 1).
        #[serde(default = "one")]
        q3: f64,
    },
    /// Power-law sphere with exponential cut-off, ρ ∝ r^{−α} exp(−(r/r_c)²) (galpy's
    /// PowerSphericalPotentialwCutoff), parameterised by its total mass.
    PowerLawCutoff {
        /// Total mass in Msun.
        mass: f64,
        /// Slope α, 0 ≤ α < 2.
        alpha: f64,
        /// Cut-off radius in kpc.
        r_c: f64,
        /// Zero point: "center" (galpy, default) or "infinity" (gala).
        #[serde(default)]
        zero: ZeroPoint,
    },
    /// Spherical Dehnen model (galpy's DehnenSphericalPotential), parameterised by total mass.
    Dehnen {
        /// Total mass in Msun.
        mass: f64,
        /// Scale radius in kpc.
        a: f64,
        /// Inner slope γ, 0 ≤ γ < 3.
        gamma: f64,
    },
    /// Long & Murali softened needle bar (gala's LongMuraliBarPotential, galpy's SoftenedNeedleBar).
    LongMuraliBar {
        /// Mass in Msun.
        mass: f64,
        /// Half-length in kpc.
        a: f64,
        /// In-plane softening in kpc.
        b: f64,
        /// Vertical softening in kpc.
        c: f64,
        /// Angle of the long axis from +x towards +y at t = 0, in rad (default 0).
        #[serde(default)]
        angle: f64,
    },
    /// A potential exported by agama's `Potential.export` (INI text with Multipole / CylSpline
    /// coefficient tables and/or analytic sections), written with `agama.setUnits(mass=1, length=1,
    /// velocity=1)` (kpc, km/s, Msun). Evaluated exactly as agama does (docs/agama.md).
    AgamaFile {
        /// Path of the exported file; a relative path is relative to the description file's folder
        /// (to the working directory for descriptions not read from a file).
        path: String,
    },
    /// One of agama's analytic types (Plummer, NFW, MiyamotoNagai, Dehnen with axis ratios, Ferrers)
    /// with agama's own parameter names, case-insensitive, and agama's defaults (mass 1,
    /// scaleRadius 1, scaleHeight 1, gamma 1, axis ratios 1); masses in Msun, lengths in kpc, G is
    /// agama's. Unknown keys are errors (agama would ignore them).
    Agama {
        /// agama's `key = value` parameters including `type`, e.g. `{ type = "Ferrers", mass = 1e9,
        /// scaleRadius = 3, axisRatioY = 0.5, axisRatioZ = 0.4 }`.
        params: BTreeMap<String, AgamaValue>,
    },
}

/// Why a description could not be read or built. Messages name the file or value and the fix.
#[derive(Debug, thiserror::Error)]
pub enum DescriptionError {
    /// The argument is neither a named model nor a readable file.
    #[error("`{0}` is neither a named potential model ({models}) nor a readable file: {1}; pass a model name or the path of a .toml/.json description", models = model_names().join(", "))]
    NotFound(String, std::io::Error),
    /// The file's syntax or schema is wrong.
    #[error("{path}: cannot parse the potential description as {format}: {message}\n  fix: see docs/dynamics.md for the format; each [[components]] entry needs a `type` and its parameters in physical units")]
    Parse {
        /// The file.
        path: String,
        /// "TOML" or "JSON".
        format: &'static str,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A parameter value is invalid.
    #[error("{0}")]
    Invalid(String),
}

impl Description {
    /// A description of one named model.
    pub fn model(name: &str) -> Result<Self, DescriptionError> {
        let m = find_model(name).ok_or_else(|| {
            DescriptionError::Invalid(format!(
                "unknown potential model `{name}`; known models: {}",
                model_names().join(", ")
            ))
        })?;
        Ok(Self { pattern_speed: m.pattern_speed, components: vec![ComponentSpec::Model { name: m.name.to_string() }] })
    }

    /// Makes every relative `agama_file` path relative to `base_dir` (the folder of the file this
    /// description was read from); absolute paths are left alone. [`parse_potential`] calls it.
    pub fn resolve_paths(&mut self, base_dir: &Path) {
        for c in &mut self.components {
            if let ComponentSpec::AgamaFile { path } = c {
                let p = Path::new(path.as_str());
                if p.is_relative() && !base_dir.as_os_str().is_empty() {
                    *path = base_dir.join(p).display().to_string();
                }
            }
        }
    }

    /// Parses TOML text.
    pub fn from_toml_str(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Parses JSON text.
    pub fn from_json_str(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// Serialises to pretty TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a Description always serialises to TOML")
    }

    /// Serialises to a JSON value (embed it in run outputs).
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a Description always serialises to JSON")
    }

    /// Serialises to compact JSON text.
    pub fn to_json(&self) -> String {
        self.to_json_value().to_string()
    }

    /// A one-line summary, e.g. "MWPotential2014" or "miyamoto_nagai + nfw, Ω = 30 km/s/kpc".
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .components
            .iter()
            .map(|c| match c {
                ComponentSpec::Model { name } => name.clone(),
                ComponentSpec::AgamaFile { path } => format!("agama file {path}"),
                ComponentSpec::Agama { params } => {
                    let ty = params.iter().find(|(k, _)| k.eq_ignore_ascii_case("type"));
                    match ty {
                        Some((_, v)) => format!("agama {}", v.to_param_string()),
                        None => "agama".to_string(),
                    }
                }
                other => other.type_name().to_string(),
            })
            .collect();
        let mut s = parts.join(" + ");
        if self.pattern_speed != 0.0 {
            s.push_str(&format!(", pattern speed {} km/s/kpc", self.pattern_speed));
        }
        s
    }

    /// Checks every parameter and builds the potential.
    pub fn build(&self) -> Result<Composite, DescriptionError> {
        if !self.pattern_speed.is_finite() {
            return Err(DescriptionError::Invalid(format!(
                "pattern_speed must be a finite number in km/s/kpc, got {}",
                self.pattern_speed
            )));
        }
        if self.components.is_empty() {
            return Err(DescriptionError::Invalid(
                "the potential description has no components; add at least one [[components]] entry".into(),
            ));
        }
        let mut out = Vec::new();
        for (i, c) in self.components.iter().enumerate() {
            c.build(&mut out)
                .map_err(|msg| DescriptionError::Invalid(format!("component {} ({}): {msg}", i + 1, c.type_name())))?;
        }
        Ok(Composite::from_parts(out, self.clone()))
    }
}

fn positive(name: &str, unit: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!("`{name}` must be a finite number > 0 {unit}, got {v}"))
    }
}

fn non_negative(name: &str, unit: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(format!("`{name}` must be a finite number ≥ 0 {unit}, got {v}"))
    }
}

impl ComponentSpec {
    /// The `type` tag.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Model { .. } => "model",
            Self::PointMass { .. } => "point_mass",
            Self::Plummer { .. } => "plummer",
            Self::Hernquist { .. } => "hernquist",
            Self::Jaffe { .. } => "jaffe",
            Self::Isochrone { .. } => "isochrone",
            Self::Nfw { .. } => "nfw",
            Self::MiyamotoNagai { .. } => "miyamoto_nagai",
            Self::Mn3ExponentialDisk { .. } => "mn3_exponential_disk",
            Self::Logarithmic { .. } => "logarithmic",
            Self::PowerLawCutoff { .. } => "power_law_cutoff",
            Self::Dehnen { .. } => "dehnen",
            Self::LongMuraliBar { .. } => "long_murali_bar",
            Self::AgamaFile { .. } => "agama_file",
            Self::Agama { .. } => "agama",
        }
    }

    fn build(&self, out: &mut Vec<Component>) -> Result<(), String> {
        const MSUN: &str = "Msun";
        const KPC: &str = "kpc";
        let c = match *self {
            Self::Model { ref name } => {
                let m = find_model(name)
                    .ok_or_else(|| format!("unknown model `{name}`; known models: {}", model_names().join(", ")))?;
                out.extend(m.components());
                return Ok(());
            }
            Self::AgamaFile { ref path } => {
                if path.trim().is_empty() {
                    return Err("`path` is empty; give the file written by agama's Potential.export".into());
                }
                let pot = starmill_agama::read_export(path).map_err(|e| {
                    format!(
                        "agama file {path}: {e}\n  fix: pass a file written by agama's Potential.export after \
                         agama.setUnits(mass=1, length=1, velocity=1) (docs/agama.md)"
                    )
                })?;
                Component::Agama(AgamaComponent::new(pot, format!("agama file {path}")))
            }
            Self::Agama { ref params } => Component::Agama(agama_from_params(params)?),
            Self::PointMass { mass } => Component::PointMass(PointMass::new(positive("mass", MSUN, mass)?)),
            Self::Plummer { mass, a } => {
                Component::Plummer(Plummer::new(positive("mass", MSUN, mass)?, positive("a", KPC, a)?))
            }
            Self::Hernquist { mass, a } => {
                Component::Hernquist(Hernquist::new(positive("mass", MSUN, mass)?, positive("a", KPC, a)?))
            }
            Self::Jaffe { mass, a } => {
                Component::Jaffe(Jaffe::new(positive("mass", MSUN, mass)?, positive("a", KPC, a)?))
            }
            Self::Isochrone { mass, b } => {
                Component::Isochrone(Isochrone::new(positive("mass", MSUN, mass)?, positive("b", KPC, b)?))
            }
            Self::Nfw { mass, a } => Component::Nfw(Nfw::new(positive("mass", MSUN, mass)?, positive("a", KPC, a)?)),
            Self::MiyamotoNagai { mass, a, b } => Component::MiyamotoNagai(MiyamotoNagai::new(
                positive("mass", MSUN, mass)?,
                non_negative("a", KPC, a)?,
                positive("b", KPC, b)?,
            )),
            Self::Mn3ExponentialDisk { mass, h_r, h_z, positive_density, sech2_z } => {
                Component::Mn3ExponentialDisk(Mn3ExponentialDisk::new(
                    positive("mass", MSUN, mass)?,
                    positive("h_r", KPC, h_r)?,
                    positive("h_z", KPC, h_z)?,
                    positive_density,
                    sech2_z,
                ))
            }
            Self::Logarithmic { v_c, r_h, q1, q2, q3 } => Component::Logarithmic(Logarithmic::new(
                positive("v_c", "km/s", v_c)?,
                non_negative("r_h", KPC, r_h)?,
                positive("q1", "", q1)?,
                positive("q2", "", q2)?,
                positive("q3", "", q3)?,
            )),
            Self::PowerLawCutoff { mass, alpha, r_c, zero } => {
                if !(alpha.is_finite() && (0.0..2.0).contains(&alpha)) {
                    return Err(format!("`alpha` must satisfy 0 ≤ alpha < 2, got {alpha}"));
                }
                Component::PowerLawCutoff(PowerLawCutoff::new(
                    positive("mass", MSUN, mass)?,
                    alpha,
                    positive("r_c", KPC, r_c)?,
                    zero == ZeroPoint::Center,
                ))
            }
            Self::Dehnen { mass, a, gamma } => {
                if !(gamma.is_finite() && (0.0..3.0).contains(&gamma)) {
                    return Err(format!("`gamma` must satisfy 0 ≤ gamma < 3, got {gamma}"));
                }
                Component::Dehnen(Dehnen::new(positive("mass", MSUN, mass)?, positive("a", KPC, a)?, gamma))
            }
            Self::LongMuraliBar { mass, a, b, c, angle } => {
                if !angle.is_finite() {
                    return Err(format!("`angle` must be a finite number of radians, got {angle}"));
                }
                Component::LongMuraliBar(LongMuraliBar::new(
                    positive("mass", MSUN, mass)?,
                    positive("a", KPC, a)?,
                    non_negative("b", KPC, b)?,
                    positive("c", KPC, c)?,
                    angle,
                ))
            }
        };
        out.push(c);
        Ok(())
    }
}

/// Builds an agama analytic type from its parameters (keys case-insensitive, each at most once).
fn agama_from_params(params: &BTreeMap<String, AgamaValue>) -> Result<AgamaComponent, String> {
    let mut pairs: Vec<(String, String)> = Vec::with_capacity(params.len());
    for (key, value) in params {
        let lower = key.trim().to_ascii_lowercase();
        if !AGAMA_PARAMETER_KEYS.contains(&lower.as_str()) {
            return Err(format!(
                "unknown agama parameter `{key}`; accepted (case-insensitive): type, mass, scaleRadius (rscale), \
                 scaleHeight (scaleRadius2), gamma, axisRatioY (p), axisRatioZ (q), outerCutoffRadius, \
                 evaluation (Ferrers: exact|agama)"
            ));
        }
        if let Some((other, _)) = params.iter().find(|(k, _)| *k != key && k.trim().eq_ignore_ascii_case(&lower)) {
            return Err(format!("agama parameter `{key}` is given twice (also as `{other}`); keep one"));
        }
        if let AgamaValue::Number(x) = value {
            if !x.is_finite() {
                return Err(format!("agama parameter `{key}` must be a finite number, got {x}"));
            }
        }
        pairs.push((lower, value.to_param_string()));
    }
    if !pairs.iter().any(|(k, _)| k == "type") {
        return Err("agama parameters need a `type` (Plummer, NFW, MiyamotoNagai, Dehnen or Ferrers), e.g. \
                    params = { type = \"Ferrers\", mass = 1e9, scaleRadius = 3, axisRatioY = 0.5, axisRatioZ = 0.4 }"
            .into());
    }
    let pot = AgamaPotential::from_params(&pairs).map_err(|e| format!("agama parameters: {e}"))?;
    let label = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
    Ok(AgamaComponent::new(pot, format!("agama {label}")))
}

/// Reads a potential: `name_or_path` is a named model (e.g. "MWPotential2014",
/// "gala-MilkyWayPotential", "gala-MilkyWayPotential2022", "agama-mw-bar" with its pattern speed
/// −39 km/s/kpc) or the path of a `.toml` or `.json`
/// description (other extensions: JSON if the text starts with `{`, TOML otherwise).
pub fn parse_potential(name_or_path: &str) -> Result<Description, DescriptionError> {
    if find_model(name_or_path).is_some() {
        return Description::model(name_or_path);
    }
    let path = Path::new(name_or_path);
    let text = std::fs::read_to_string(path).map_err(|e| DescriptionError::NotFound(name_or_path.to_string(), e))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let json = match ext.as_str() {
        "json" => true,
        "toml" => false,
        _ => text.trim_start().starts_with('{'),
    };
    let parsed = if json { Description::from_json_str(&text) } else { Description::from_toml_str(&text) };
    let mut d = parsed.map_err(|message| DescriptionError::Parse {
        path: path.display().to_string(),
        format: if json { "JSON" } else { "TOML" },
        message,
    })?;
    if let Some(dir) = path.parent() {
        d.resolve_paths(dir);
    }
    Ok(d)
}

/// [`parse_potential`] followed by [`Description::build`]; errors name the file.
pub fn load_potential(name_or_path: &str) -> Result<Composite, DescriptionError> {
    let d = parse_potential(name_or_path)?;
    d.build().map_err(|e| match e {
        DescriptionError::Invalid(msg) if find_model(name_or_path).is_none() => {
            DescriptionError::Invalid(format!("{name_or_path}: {msg}"))
        }
        other => other,
    })
}
