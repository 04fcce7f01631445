"""Writes starmill's dynamics golden data from the reference packages (galpy 1.12.1, gala 1.11.0).

Usage: python tools/golden_dynamics.py OUTDIR   (normally via tools/golden_dynamics.sh)

Outputs, all in starmill's physical units (kpc, km/s, Msun, Gyr; potentials (km/s)^2,
accelerations (km/s)^2/kpc, densities Msun/kpc^3):

* potentials.json: for every potential type and named model, a starmill description (the same format
  `starmill orbit --potential FILE` reads), test points, and the reference package's potential,
  acceleration (-grad Phi, Cartesian) and density there.
* seed_ics.npy (500, 6): the seed workload, numpy default_rng(0), draws z, x, y; v = (0, 250, 0).
* seed_times_gyr.npy (200,): sample times k * 0.01 Gyr.
* seed_galpy_mw2014_symplec4.npy (500, 200, 3): galpy MWPotential2014, symplec4_c, integrated directly
  in the right-handed (astropy Galactocentric) Cartesian frame, i.e. without pidgey's x-mirror.
* seed_gala_mwv1_leapfrog.npy (500, 200, 3): gala MilkyWayPotential (v1), leapfrog with the 10 Myr
  output spacing as the step (as pidgey runs it).
"""

import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")

import numpy as np
import astropy
import astropy.units as u
import scipy.special
import galpy
import gala
import gala.potential as gp
import gala.dynamics as gd
import gala.integrate as gi
from gala.units import galactic
from galpy import potential as gpot
from galpy.orbit import Orbit

G = 4.300917270036279e-6  # kpc (km/s)^2 / Msun (astropy)
RO, VO = 8.0, 220.0  # galpy natural units
TIME_NAT_GYR = 0.035556080788392334  # galpy natural time unit in Gyr
KMS_PER_KPC_MYR = 977.7922216807892
GALA_E = KMS_PER_KPC_MYR**2  # kpc^2/Myr^2 -> (km/s)^2 and kpc/Myr^2 -> (km/s)^2/kpc
MASS_NAT = VO**2 * RO / G  # galpy natural mass unit in Msun
DENS_NAT = VO**2 / (RO**2 * G)  # galpy natural density unit in Msun/kpc^3

POINTS = np.array(
    [
        [8.0, 0.0, 0.0],
        [4.0, 0.0, 1.0],
        [1.0, 0.0, 0.5],
        [3.0, 4.0, -2.0],
        [0.3, -0.2, 0.1],
        [-20.0, 10.0, 5.0],
        [100.0, -50.0, 80.0],
        [0.05, 0.02, 0.01],
        [-6.5, 2.5, -0.7],
    ]
)


def galpy_eval(pot, points, times_gyr=None, density=True):
    """Phi, Cartesian acceleration and density of a galpy potential (natural units inside)."""
    phis, accs, dens = [], [], []
    for k, (x, y, z) in enumerate(points):
        R = np.hypot(x, y)
        phi = np.arctan2(y, x)
        t = 0.0 if times_gyr is None else times_gyr[k] / TIME_NAT_GYR
        Rn, zn = R / RO, z / RO
        pot_v = gpot.evaluatePotentials(pot, Rn, zn, phi=phi, t=t) * VO**2
        fR = gpot.evaluateRforces(pot, Rn, zn, phi=phi, t=t) * VO**2 / RO
        fz = gpot.evaluatezforces(pot, Rn, zn, phi=phi, t=t) * VO**2 / RO
        tq = gpot.evaluatephitorques(pot, Rn, zn, phi=phi, t=t) * VO**2  # -dPhi/dphi in (km/s)^2
        fphi = tq / R
        c, s = np.cos(phi), np.sin(phi)
        phis.append(float(pot_v))
        accs.append([float(fR * c - fphi * s), float(fR * s + fphi * c), float(fz)])
        if density:
            dens.append(float(gpot.evaluateDensities(pot, Rn, zn, phi=phi, t=t) * DENS_NAT))
        else:
            dens.append(None)
    return phis, accs, dens


def gala_eval(pot, points, density=True):
    xyz = points.T.copy()
    phis = (pot.energy(xyz).value * GALA_E).tolist()
    accs = (pot.acceleration(xyz).value.T * GALA_E).tolist()
    dens = pot.density(xyz).value.tolist() if density else [None] * len(points)
    return phis, accs, dens


def case(name, source, description, points, values, times_gyr=None):
    phis, accs, dens = values
    out = {
        "name": name,
        "source": source,
        "description": description,
        "points_kpc": points.tolist(),
        "phi_km2_s2": phis,
        "acc_km2_s2_kpc": accs,
        "density_msun_kpc3": dens,
    }
    if times_gyr is not None:
        out["times_gyr"] = list(times_gyr)
    return out


def potentials():
    cases = []
    P = POINTS
    gal = "gala " + gala.__version__
    gpy = "galpy " + galpy.__version__

    def comp(**kw):
        return {"components": [kw]}

    # --- gala components (physical units) ---
    cases.append(case("point_mass", gal, comp(type="point_mass", mass=1e10),
                      P, gala_eval(gp.KeplerPotential(m=1e10, units=galactic), P, density=False)))
    cases.append(case("plummer", gal, comp(type="plummer", mass=2e10, a=0.8),
                      P, gala_eval(gp.PlummerPotential(m=2e10, b=0.8, units=galactic), P)))
    cases.append(case("hernquist", gal, comp(type="hernquist", mass=5e9, a=1.0),
                      P, gala_eval(gp.HernquistPotential(m=5e9, c=1.0, units=galactic), P)))
    cases.append(case("jaffe", gal, comp(type="jaffe", mass=3e10, a=2.0),
                      P, gala_eval(gp.JaffePotential(m=3e10, c=2.0, units=galactic), P)))
    cases.append(case("isochrone", gal, comp(type="isochrone", mass=4e10, b=1.5),
                      P, gala_eval(gp.IsochronePotential(m=4e10, b=1.5, units=galactic), P)))
    cases.append(case("nfw", gal, comp(type="nfw", mass=5.4e11, a=15.62),
                      P, gala_eval(gp.NFWPotential(m=5.4e11, r_s=15.62, units=galactic), P)))
    cases.append(case("miyamoto_nagai", gal, comp(type="miyamoto_nagai", mass=6.8e10, a=3.0, b=0.28),
                      P, gala_eval(gp.MiyamotoNagaiPotential(m=6.8e10, a=3.0, b=0.28, units=galactic), P)))
    cases.append(case("mn3_exponential_disk", gal,
                      comp(type="mn3_exponential_disk", mass=4.7717e10, h_r=2.6, h_z=0.3),
                      P, gala_eval(gp.MN3ExponentialDiskPotential(m=4.7717e10, h_R=2.6, h_z=0.3,
                                                                  units=galactic), P)))
    cases.append(case("mn3_exponential_disk_exp_z_any_density", gal,
                      comp(type="mn3_exponential_disk", mass=4e10, h_r=3.0, h_z=0.4,
                           positive_density=False, sech2_z=False),
                      P, gala_eval(gp.MN3ExponentialDiskPotential(m=4e10, h_R=3.0, h_z=0.4, positive_density=False,
                                                                  sech2_z=False, units=galactic), P, density=False)))
    cases.append(case("logarithmic_triaxial", gal,
                      comp(type="logarithmic", v_c=200.0, r_h=1.0, q1=1.0, q2=0.85, q3=0.7),
                      P, gala_eval(gp.LogarithmicPotential(v_c=200.0 * u.km / u.s, r_h=1.0, q1=1.0, q2=0.85,
                                                           q3=0.7, units=galactic), P, density=False)))
    cases.append(case("power_law_cutoff_zero_at_infinity", gal,
                      comp(type="power_law_cutoff", mass=1e10, alpha=1.8, r_c=1.9, zero="infinity"),
                      P, gala_eval(gp.PowerLawCutoffPotential(m=1e10, alpha=1.8, r_c=1.9, units=galactic), P)))
    cases.append(case("long_murali_bar", gal,
                      comp(type="long_murali_bar", mass=1e10, a=4.0, b=0.5, c=1.0, angle=0.3),
                      P, gala_eval(gp.LongMuraliBarPotential(m=1e10, a=4.0, b=0.5, c=1.0, alpha=0.3,
                                                             units=galactic), P, density=False)))

    # --- galpy components (natural units inside, converted) ---
    m = 1e10
    rc = 1.9
    alpha = 1.8
    s1 = 1.5 - alpha / 2
    amp = (m / MASS_NAT) / (2 * np.pi * (rc / RO) ** (3 - alpha) * scipy.special.gamma(s1))
    cases.append(case("power_law_cutoff_galpy", gpy,
                      comp(type="power_law_cutoff", mass=m, alpha=alpha, r_c=rc),
                      P, galpy_eval(gpot.PowerSphericalPotentialwCutoff(amp=amp, alpha=alpha, rc=rc / RO), P)))
    for gamma in (0.5, 1.2, 2.0):
        mass = 3e10
        pot = gpot.DehnenSphericalPotential(amp=(3 - gamma) * mass / MASS_NAT, a=2.5 / RO, alpha=gamma)
        cases.append(case(f"dehnen_gamma_{gamma}", gpy, comp(type="dehnen", mass=mass, a=2.5, gamma=gamma),
                          P, galpy_eval(pot, P)))
    cases.append(case("nfw_galpy", gpy, comp(type="nfw", mass=4.3683324849589417e11, a=16.0),
                      P, galpy_eval(gpot.NFWPotential(amp=4.3683324849589417e11 / MASS_NAT, a=2.0), P)))
    pot = gpot.LogarithmicHaloPotential(amp=1.0, core=1.0 / RO, q=0.7, b=0.85)
    vals = galpy_eval(pot, P)
    # galpy's zero point is at m^2 = r_o^2; starmill's at m^2 = 1 kpc^2: shift by (v_o^2/2) ln(r_o^2).
    vals = ([p + 0.5 * VO**2 * np.log(RO**2) for p in vals[0]], vals[1], vals[2])
    cases.append(case("logarithmic_halo_galpy", gpy,
                      comp(type="logarithmic", v_c=VO, r_h=1.0, q1=1.0, q2=0.85, q3=0.7), P, vals))
    # Softened needle bar with its own pattern speed (galpy defaults), evaluated at several times.
    amp, a, b, c, pa, omegab = 1.0, 4.0, 0.5, 1.0, 0.4, 1.8
    pot = gpot.SoftenedNeedleBarPotential(amp=amp, a=a, b=b, c=c, pa=pa, omegab=omegab)
    times = [0.0, 0.05, 0.2, 0.7, 1.3, 0.01, 2.0, 0.4, 0.9]
    cases.append(case("softened_needle_bar_rotating", gpy,
                      {"pattern_speed": omegab * VO / RO,
                       "components": [{"type": "long_murali_bar", "mass": amp * MASS_NAT, "a": a * RO,
                                       "b": b * RO, "c": c * RO, "angle": pa}]},
                      P, galpy_eval(pot, P, times_gyr=times, density=False), times_gyr=times))

    # --- named models ---
    mw = gpot.MWPotential2014
    cases.append(case("MWPotential2014", gpy, {"components": [{"type": "model", "name": "MWPotential2014"}]},
                      P, galpy_eval(mw, P)))
    cases.append(case("gala-MilkyWayPotential", gal,
                      {"components": [{"type": "model", "name": "gala-MilkyWayPotential"}]},
                      P, gala_eval(gp.MilkyWayPotential(), P)))
    cases.append(case("gala-MilkyWayPotential2022", gal,
                      {"components": [{"type": "model", "name": "gala-MilkyWayPotential2022"}]},
                      P, gala_eval(gp.MilkyWayPotential2022(), P)))
    return cases


def seed_orbits(outdir):
    rng = np.random.default_rng(0)
    z = rng.normal(0.0, 1.0, 500)
    x = rng.normal(8.0, 1.0, 500)
    y = rng.normal(0.0, 1.0, 500)
    n = len(x)
    ics = np.column_stack([x, y, z, np.zeros(n), np.full(n, 250.0), np.zeros(n)])
    times = np.arange(200) * 0.01
    np.save(os.path.join(outdir, "seed_ics.npy"), ics)
    np.save(os.path.join(outdir, "seed_times_gyr.npy"), times)

    # galpy, directly in the right-handed Cartesian frame (no pidgey x-mirror), natural units.
    R = np.hypot(x, y)
    phi = np.arctan2(y, x)
    vx, vy, vz = ics[:, 3], ics[:, 4], ics[:, 5]
    vR = (x * vx + y * vy) / R
    vT = (x * vy - y * vx) / R
    vxvv = np.column_stack([R / RO, vR / VO, vT / VO, z / RO, vz / VO, phi])
    o = Orbit(vxvv)
    ts = times / TIME_NAT_GYR
    o.integrate(ts, gpot.MWPotential2014, method="symplec4_c", progressbar=False)
    pos = np.stack([o.x(ts), o.y(ts), o.z(ts)], axis=-1) * RO
    assert pos.shape == (500, 200, 3)
    assert np.max(np.abs(pos[:, 0, :] - ics[:, :3])) < 1e-12
    np.save(os.path.join(outdir, "seed_galpy_mw2014_symplec4.npy"), pos)

    # gala leapfrog, MilkyWayPotential v1, one 10 Myr step per sample.
    H = gp.Hamiltonian(gp.MilkyWayPotential())
    w0 = gd.PhaseSpacePosition(pos=ics[:, :3].T * u.kpc, vel=ics[:, 3:].T * u.km / u.s)
    orbit = H.integrate_orbit(w0, dt=10.0 * u.Myr, n_steps=199, Integrator=gi.LeapfrogIntegrator)
    gpos = np.transpose(orbit.xyz.to_value(u.kpc), (2, 1, 0))
    assert gpos.shape == (500, 200, 3)
    np.save(os.path.join(outdir, "seed_gala_mwv1_leapfrog.npy"), np.ascontiguousarray(gpos))


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    cases = potentials()
    meta = {
        "generator": "tools/golden_dynamics.sh (tools/golden_dynamics.py)",
        "versions": {"galpy": galpy.__version__, "gala": gala.__version__, "astropy": astropy.__version__,
                     "numpy": np.__version__},
        "units": {"points": "kpc", "phi": "(km/s)^2", "acc": "(km/s)^2/kpc (-grad Phi)",
                  "density": "Msun/kpc^3", "times": "Gyr"},
        "cases": cases,
    }
    with open(os.path.join(outdir, "potentials.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    if "--no-orbits" not in sys.argv:
        seed_orbits(outdir)


if __name__ == "__main__":
    main()
