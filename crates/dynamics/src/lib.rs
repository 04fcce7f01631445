//! starmill-dynamics: gravitational potentials, rotating frames and orbit integration.
//!
//! Owns: potentials (analytic and named Milky Way models) with one uniform interface in physical
//! units, their description as data, and integrators that turn initial conditions into sampled orbits.
//!
//! Must not know about: tessellation or commensurability, FITS, files, progress bars, the CLI.
//!
//! Units at every interface: positions kpc, velocities km/s, masses Msun, times Gyr, potentials
//! (km/s)², accelerations (km/s)²/kpc, densities Msun/kpc³, pattern speeds km/s/kpc.

pub mod potential;

pub use potential::{Potential, Vec3};
