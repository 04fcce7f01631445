//! Physical constants and unit conversions shared by every part of the crate (astropy 7.2.3 values,
//! as used by galpy and gala).

/// Gravitational constant G in kpc (km/s)² / Msun (CODATA 2018 G, IAU 2015 nominal solar mass).
pub const G: f64 = 4.300917270036279e-6;

/// 1 km/s expressed in kpc/Gyr; equivalently the number of internal time units kpc/(km/s) in one Gyr,
/// and the angle in radians swept in 1 Gyr at a pattern speed of 1 km/s/kpc.
pub const KMS_TO_KPC_PER_GYR: f64 = 1.022712165045695;

/// Converts a time in Gyr to the integrators' internal unit kpc/(km/s) (≈ 0.9778 Gyr).
#[inline]
pub fn gyr_to_internal(t_gyr: f64) -> f64 {
    t_gyr * KMS_TO_KPC_PER_GYR
}
