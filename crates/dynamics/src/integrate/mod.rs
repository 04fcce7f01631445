//! Integrators for one orbit: adaptive DOP853 with dense output and fixed-step KDK leapfrog.
//!
//! Internal units: positions kpc, velocities km/s, time kpc/(km/s) (= 0.9778 Gyr), so that
//! dx/dt = v and dv/dt = −∇Φ with Φ in (km/s)², and a pattern speed in km/s/kpc times an internal
//! time is an angle in radians. The public orbit API ([`crate::orbit`]) converts from Gyr.

pub(crate) mod dop853;
mod dop853_tableau;
pub(crate) mod leapfrog;
pub(crate) mod symplec4;

use crate::potential::{Potential, Vec3};

/// Phase-space state (x, y, z [kpc], v_x, v_y, v_z [km/s]).
pub type State = [f64; 6];

/// The force field seen by the integrators: a potential whose figure turns about +z by the angle
/// `omega · t` (rad; `omega` in km/s/kpc, `t` in kpc/(km/s)), evaluated in the inertial frame.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a, P: Potential + ?Sized> {
    /// The potential's figure at t = 0.
    pub potential: &'a P,
    /// Pattern speed Ω in km/s/kpc (rad per internal time unit).
    pub omega: f64,
}

impl<'a, P: Potential + ?Sized> Field<'a, P> {
    /// Acceleration in (km/s)²/kpc at inertial position `x` (kpc) and internal time `t`.
    #[inline]
    pub fn acceleration(&self, t: f64, x: Vec3) -> Vec3 {
        if self.omega == 0.0 {
            return self.potential.acceleration(x);
        }
        let (s, c) = (self.omega * t).sin_cos();
        let xb = [c * x[0] + s * x[1], -s * x[0] + c * x[1], x[2]];
        let ab = self.potential.acceleration(xb);
        [c * ab[0] - s * ab[1], s * ab[0] + c * ab[1], ab[2]]
    }

    /// Φ in (km/s)² at inertial position `x` (kpc) and internal time `t`.
    pub fn potential_at(&self, t: f64, x: Vec3) -> f64 {
        if self.omega == 0.0 {
            return self.potential.potential(x);
        }
        let (s, c) = (self.omega * t).sin_cos();
        self.potential.potential([c * x[0] + s * x[1], -s * x[0] + c * x[1], x[2]])
    }

    /// Time derivative of the state.
    #[inline]
    pub(crate) fn derivative(&self, t: f64, y: &State) -> State {
        let a = self.acceleration(t, [y[0], y[1], y[2]]);
        [y[3], y[4], y[5], a[0], a[1], a[2]]
    }
}

/// Counters of one integration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntegrationStats {
    /// Accepted steps.
    pub steps: u64,
    /// Rejected (repeated) steps.
    pub rejected: u64,
    /// Force (acceleration) evaluations.
    pub force_evaluations: u64,
}

/// Why one orbit could not be integrated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IntegrationError {
    /// The state became NaN or infinite (e.g. the orbit hit a singular centre).
    #[error("the orbit's state became non-finite at t = {t_gyr} Gyr (it probably passed through a singular point of the potential); use a softened potential or other initial conditions")]
    NonFinite {
        /// Time in Gyr.
        t_gyr: f64,
    },
    /// The adaptive step shrank below the floating-point resolution of t.
    #[error("the step size underflowed at t = {t_gyr} Gyr (the orbit passes too close to a singularity); use a softened potential or a looser --rtol")]
    StepUnderflow {
        /// Time in Gyr.
        t_gyr: f64,
    },
    /// The step budget was exhausted.
    #[error("more than {max_steps} steps were needed before t = {t_gyr} Gyr; loosen --rtol or raise the step limit")]
    TooManySteps {
        /// The limit.
        max_steps: u64,
        /// Time in Gyr reached.
        t_gyr: f64,
    },
}
