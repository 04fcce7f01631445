//! starmill-dynamics: gravitational potentials, rotating frames and orbit integration.
//!
//! Owns: potentials (analytic and named Milky Way models) with one uniform interface in physical
//! units, their description as data, and integrators that turn initial conditions into sampled orbits.
//!
//! Must not know about: tessellation or commensurability, FITS, files other than potential
//! descriptions and the agama export files they name, progress bars, the CLI.
//!
//! Units at every interface: positions kpc, velocities km/s, masses Msun, times Gyr, potentials
//! (km/s)², accelerations (km/s)²/kpc, densities Msun/kpc³, pattern speeds km/s/kpc;
//! G = 4.300917270036279e-6 kpc (km/s)²/Msun (astropy's, as galpy and gala use).
//!
//! The two calls a runner needs:
//!
//! ```
//! use starmill_dynamics::{load_potential, integrate_orbit, OrbitOptions, Vec3};
//! let pot = load_potential("MWPotential2014").unwrap();
//! let options = OrbitOptions::new(0.01, 200); // dt = 0.01 Gyr, 200 samples
//! let mut buf = vec![[0.0; 3]; options.steps];
//! let ic = [8.0, 0.0, 0.0, 0.0, 220.0, 0.0];
//! integrate_orbit(&pot, &ic, &options, &mut buf, None).unwrap();
//! ```

#![warn(missing_docs)]

pub mod agama;
pub mod components;
pub mod composite;
pub mod description;
pub mod integrate;
pub mod models;
pub mod orbit;
pub mod potential;
pub mod special;
pub mod units;

pub use agama::AgamaComponent;
pub use composite::{Component, Composite};
pub use description::{load_potential, parse_potential, ComponentSpec, Description, DescriptionError};
pub use integrate::{IntegrationError, IntegrationStats};
pub use orbit::{compute_orbits, integrate_orbit, Frame, Integrator, OrbitError, OrbitOptions, Orbits};
pub use potential::{Potential, Sum, Vec3};
pub use units::G;
