//! agama's potentials (crate `starmill-agama`) as dynamics components: exported expansion files,
//! agama's analytic types under agama's parameter names, and the embedded Milky Way bar model.
//!
//! Units are those of the dynamics crate and of agama with `setUnits(mass=1, length=1, velocity=1)`:
//! positions kpc, Φ in (km/s)², accelerations (km/s)²/kpc. agama's own G (4.30091727067736e-6
//! kpc (km/s)²/Msun, 1.5e-10 relative above starmill's [`crate::G`]) is used for agama's analytic types,
//! so they match agama, not starmill's native components of the same name.

use crate::potential::{Potential, Vec3};
use starmill_agama::AgamaPotential;
use std::sync::Arc;

/// An agama potential shared between threads, with a label naming where it came from (a file path,
/// agama's parameters, or `agama-mw-bar`). Cloning is cheap (the coefficient tables are shared).
#[derive(Clone)]
pub struct AgamaComponent {
    potential: Arc<AgamaPotential>,
    label: String,
}

impl AgamaComponent {
    /// Wraps `potential` (static, in its own frame: for a bar, the bar frame at t = 0); `label` names
    /// its origin in summaries and error messages.
    pub fn new(potential: AgamaPotential, label: impl Into<String>) -> Self {
        Self { potential: Arc::new(potential), label: label.into() }
    }

    /// The wrapped agama potential.
    pub fn inner(&self) -> &AgamaPotential {
        &self.potential
    }

    /// Where the potential came from, e.g. `agama-mw-bar` or `agama file models/bar.ini`.
    pub fn label(&self) -> &str {
        &self.label
    }
}

impl std::fmt::Debug for AgamaComponent {
    // the coefficient tables are large: print the origin only
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AgamaComponent({})", self.label)
    }
}

impl PartialEq for AgamaComponent {
    /// Equal when they share the same tables or were built from the same source (label).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.potential, &other.potential) || self.label == other.label
    }
}

impl Potential for AgamaComponent {
    #[inline]
    fn potential(&self, x: Vec3) -> f64 {
        self.potential.potential(x)
    }

    #[inline]
    fn acceleration(&self, x: Vec3) -> Vec3 {
        self.potential.force(x)
    }

    #[inline]
    fn potential_and_acceleration(&self, x: Vec3) -> (f64, Vec3) {
        self.potential.potential_and_force(x)
    }

    fn name(&self) -> String {
        self.label.clone()
    }
}

/// agama parameter keys (lower case) that starmill passes to agama's analytic types; any other key
/// is rejected (agama would silently ignore a misspelt key).
pub const AGAMA_PARAMETER_KEYS: &[&str] = &[
    "type",
    "mass",
    "scaleradius",
    "rscale",
    "scaleheight",
    "scaleradius2",
    "gamma",
    "axisratioy",
    "p",
    "axisratioz",
    "q",
    "outercutoffradius",
    "evaluation",
];
