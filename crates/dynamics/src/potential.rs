//! The interface every potential implements.

/// A Cartesian 3-vector; positions in kpc, accelerations in (km/s)²/kpc.
pub type Vec3 = [f64; 3];

/// A static gravitational potential in galactocentric Cartesian coordinates.
///
/// Implementations must be cheap to share between threads (`Send + Sync`): one instance serves every
/// orbit of a run by reference.
pub trait Potential: Send + Sync + std::fmt::Debug {
    /// Φ(x) in (km/s)² at position `x` in kpc.
    fn potential(&self, x: Vec3) -> f64;

    /// −∇Φ(x) in (km/s)²/kpc at position `x` in kpc.
    fn acceleration(&self, x: Vec3) -> Vec3;

    /// Mass density ρ(x) in Msun/kpc³, where a closed form exists.
    fn density(&self, _x: Vec3) -> Option<f64> {
        None
    }
}
