//! The interface every potential implements.

/// A Cartesian 3-vector; positions in kpc, accelerations in (km/s)²/kpc.
pub type Vec3 = [f64; 3];

/// A static gravitational potential in galactocentric Cartesian coordinates.
///
/// Implementations must be cheap to share between threads (`Send + Sync`): one instance serves every
/// orbit of a run by reference. A potential that rotates about +z is described by a static potential
/// (its figure at t = 0) plus a pattern speed, which the orbit integrators apply (see
/// [`crate::orbit::OrbitOptions::pattern_speed`]).
pub trait Potential: Send + Sync + std::fmt::Debug {
    /// Φ(x) in (km/s)² at position `x` in kpc.
    fn potential(&self, x: Vec3) -> f64;

    /// −∇Φ(x) in (km/s)²/kpc at position `x` in kpc.
    fn acceleration(&self, x: Vec3) -> Vec3;

    /// Mass density ρ(x) in Msun/kpc³, where a closed form exists.
    fn density(&self, _x: Vec3) -> Option<f64> {
        None
    }

    /// Φ(x) in (km/s)² and −∇Φ(x) in (km/s)²/kpc together at position `x` in kpc. Override when both
    /// share work (e.g. the incomplete gamma function of the power-law bulge).
    fn potential_and_acceleration(&self, x: Vec3) -> (f64, Vec3) {
        (self.potential(x), self.acceleration(x))
    }

    /// A short human-readable name, e.g. "MiyamotoNagai" or "MWPotential2014".
    fn name(&self) -> String {
        "potential".to_string()
    }
}

/// A sum of arbitrary potentials (trait objects), e.g. analytic components plus an externally
/// implemented expansion. Φ, −∇Φ and ρ are the sums over the parts, in order.
#[derive(Debug, Default)]
pub struct Sum {
    /// The summed parts.
    pub parts: Vec<Box<dyn Potential>>,
}

impl Sum {
    /// A sum of `parts`.
    pub fn new(parts: Vec<Box<dyn Potential>>) -> Self {
        Self { parts }
    }
}

impl Potential for Sum {
    fn potential(&self, x: Vec3) -> f64 {
        self.parts.iter().map(|p| p.potential(x)).sum()
    }

    fn acceleration(&self, x: Vec3) -> Vec3 {
        let mut a = [0.0; 3];
        for p in &self.parts {
            let b = p.acceleration(x);
            a[0] += b[0];
            a[1] += b[1];
            a[2] += b[2];
        }
        a
    }

    fn density(&self, x: Vec3) -> Option<f64> {
        let mut rho = 0.0;
        for p in &self.parts {
            rho += p.density(x)?;
        }
        Some(rho)
    }

    fn name(&self) -> String {
        let names: Vec<String> = self.parts.iter().map(|p| p.name()).collect();
        names.join(" + ")
    }
}
