//! A sum of analytic components with static dispatch: what a [`crate::Description`] builds.

use crate::agama::AgamaComponent;
use crate::components::*;
use crate::description::Description;
use crate::potential::{Potential, Vec3};

/// One component of a [`Composite`]: an analytic starmill potential or an agama potential.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Component {
    PointMass(PointMass),
    Plummer(Plummer),
    Hernquist(Hernquist),
    Jaffe(Jaffe),
    Isochrone(Isochrone),
    Nfw(Nfw),
    MiyamotoNagai(MiyamotoNagai),
    Mn3ExponentialDisk(Mn3ExponentialDisk),
    Logarithmic(Logarithmic),
    PowerLawCutoff(PowerLawCutoff),
    Dehnen(Dehnen),
    LongMuraliBar(LongMuraliBar),
    Agama(AgamaComponent),
}

macro_rules! dispatch {
    ($self:expr, $p:ident => $e:expr) => {
        match $self {
            Component::PointMass($p) => $e,
            Component::Plummer($p) => $e,
            Component::Hernquist($p) => $e,
            Component::Jaffe($p) => $e,
            Component::Isochrone($p) => $e,
            Component::Nfw($p) => $e,
            Component::MiyamotoNagai($p) => $e,
            Component::Mn3ExponentialDisk($p) => $e,
            Component::Logarithmic($p) => $e,
            Component::PowerLawCutoff($p) => $e,
            Component::Dehnen($p) => $e,
            Component::LongMuraliBar($p) => $e,
            Component::Agama($p) => $e,
        }
    };
}

impl Potential for Component {
    #[inline]
    fn potential(&self, x: Vec3) -> f64 {
        dispatch!(self, p => p.potential(x))
    }
    #[inline]
    fn acceleration(&self, x: Vec3) -> Vec3 {
        dispatch!(self, p => p.acceleration(x))
    }
    fn density(&self, x: Vec3) -> Option<f64> {
        dispatch!(self, p => p.density(x))
    }
    #[inline]
    fn potential_and_acceleration(&self, x: Vec3) -> (f64, Vec3) {
        dispatch!(self, p => p.potential_and_acceleration(x))
    }
    fn name(&self) -> String {
        dispatch!(self, p => p.name())
    }
}

/// A potential built from a [`Description`]: the sum of its components (named models expanded in their
/// reference order), plus the description itself and its pattern speed.
#[derive(Debug, Clone)]
pub struct Composite {
    components: Vec<Component>,
    description: Description,
}

impl Composite {
    /// A composite of `components`, recorded as `description`. Prefer [`Description::build`].
    pub fn from_parts(components: Vec<Component>, description: Description) -> Self {
        Self { components, description }
    }

    /// The components, in summation order.
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    /// The description this potential was built from (serialise it to record the potential).
    pub fn description(&self) -> &Description {
        &self.description
    }

    /// Pattern speed Ω of the figure about +z in km/s/kpc, from the description (0 = static).
    pub fn pattern_speed(&self) -> f64 {
        self.description.pattern_speed
    }
}

impl Potential for Composite {
    fn potential(&self, x: Vec3) -> f64 {
        let mut phi = 0.0;
        for c in &self.components {
            phi += c.potential(x);
        }
        phi
    }

    #[inline]
    fn acceleration(&self, x: Vec3) -> Vec3 {
        let mut a = [0.0; 3];
        for c in &self.components {
            let b = c.acceleration(x);
            a[0] += b[0];
            a[1] += b[1];
            a[2] += b[2];
        }
        a
    }

    fn density(&self, x: Vec3) -> Option<f64> {
        let mut rho = 0.0;
        for c in &self.components {
            rho += c.density(x)?;
        }
        Some(rho)
    }

    fn potential_and_acceleration(&self, x: Vec3) -> (f64, Vec3) {
        let mut phi = 0.0;
        let mut a = [0.0; 3];
        for c in &self.components {
            let (p, b) = c.potential_and_acceleration(x);
            phi += p;
            a[0] += b[0];
            a[1] += b[1];
            a[2] += b[2];
        }
        (phi, a)
    }

    fn name(&self) -> String {
        self.description.summary()
    }
}
