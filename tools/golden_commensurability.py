"""Reference values of the commensurability seed workflow (pidgey 1.0.4 + galpy 1.12.1 +
commensurability 1.1.1), for starmill's end-to-end parity test and benchmark.

Usage: python tools/golden_commensurability.py OUTDIR [--pool]   (normally via the .sh wrapper)

The pipeline is the commensurability documentation's "Using Multiprocessing" example:
500 ICs from numpy default_rng(0) (SkyCoord keywords z, x, y, so draws z ~ N(0,1), x ~ N(8,1),
y ~ N(0,1) kpc; v = (0, 250, 0) km/s, Galactocentric, Cartesian); GalpyBackend().compute_orbit with
MWPotential2014, dt = 0.01 Gyr, 200 steps; points transposed to (500, 200, 3); then
Tessellation(points[i]).measure for every orbit with the package defaults (as the example calls it).

Writes to OUTDIR:
* seed_ics.npy (500, 6): x, y, z [kpc], vx, vy, vz [km/s] in astropy's Galactocentric frame.
* values.npy (500,): the reference measures (pidgey's galpy output is mirrored in x, x -> -x;
  the measure is invariant under that mirror).
* reference.json: versions, call, summary statistics, orbit #65's exact zero, per-orbit nsimplex /
  kept counts, and wall times of each stage (seconds) on this machine.
With --pool the measures are computed with multiprocessing.Pool().map, as the example does, and the
timing of that variant is recorded instead (values must be identical).
"""

import json
import multiprocessing
import os
import platform
import sys
import time
import warnings

warnings.filterwarnings("ignore")

import astropy
import astropy.coordinates as coord
import astropy.units as u
import commensurability
import galpy
import numpy as np
import pidgey
from commensurability.tessellation import Tessellation
from galpy.potential import MWPotential2014

try:
    from importlib.metadata import version
except ImportError:  # pragma: no cover
    version = None


def measure(points):
    return Tessellation(points).measure


def details(points):
    t = Tessellation(points)
    kept = int(np.sum(t.mask)) if t.mask is not None else 0
    return float(t.measure), int(t.tri.nsimplex), kept, float(t.normalization_const)


def main():
    outdir = sys.argv[1]
    pool = "--pool" in sys.argv[2:]
    os.makedirs(outdir, exist_ok=True)
    times = {}

    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    n = 500
    coords = coord.SkyCoord(
        z=rng.normal(0, 1, size=n) * u.kpc,
        x=rng.normal(8, 1, size=n) * u.kpc,
        y=rng.normal(0, 1, size=n) * u.kpc,
        v_x=np.zeros(n) * u.km / u.s,
        v_y=np.full(n, 250.0) * u.km / u.s,
        v_z=np.zeros(n) * u.km / u.s,
        frame="galactocentric",
        representation_type="cartesian",
    )
    t1 = time.perf_counter()
    times["ics"] = t1 - t0

    backend = pidgey.GalpyBackend()
    rep = backend.compute_orbit(coords, MWPotential2014, 0.01 * u.Gyr, 200, progressbar=False)
    t2 = time.perf_counter()
    times["integrate"] = t2 - t1
    points = np.transpose(np.array([rep.x, rep.y, rep.z]), axes=(1, 2, 0))
    assert points.shape == (500, 200, 3)

    if pool:
        t3 = time.perf_counter()
        with multiprocessing.Pool() as p:
            t4 = time.perf_counter()
            values = np.array(p.map(measure, points))
        t5 = time.perf_counter()
        times["pool_start"] = t4 - t3
        times["pool_map"] = t5 - t4
        times["total_with_pool"] = t5 - t0
        np.histogram(values, bins=50, range=(0, 1))
        print(json.dumps({"times": times, "values_sum": float(values.sum())}))
        ref = np.load(os.path.join(outdir, "values.npy")) if os.path.exists(os.path.join(outdir, "values.npy")) else None
        if ref is not None and not np.allclose(ref, values, rtol=0, atol=1e-14):
            raise SystemExit("Pool values differ from the serial golden values")
        return

    t3 = time.perf_counter()
    values = np.array([measure(p) for p in points])
    t4 = time.perf_counter()
    times["tessellate_serial"] = t4 - t3
    times["total_serial"] = t4 - t0
    np.histogram(values, bins=50, range=(0, 1))

    det = [details(p) for p in points]
    assert np.array_equal(np.array([d[0] for d in det]), values)

    ics = np.column_stack([coords.x.to_value(u.kpc), coords.y.to_value(u.kpc), coords.z.to_value(u.kpc),
                           coords.v_x.to_value(u.km / u.s), coords.v_y.to_value(u.km / u.s),
                           coords.v_z.to_value(u.km / u.s)])
    # pidgey's galpy output is mirrored in x (galpy's left-handed frame): sample 0 is (-x0, y0, z0).
    mirror = float(np.max(np.abs(points[:, 0, :] - ics[:, :3] * np.array([-1.0, 1.0, 1.0]))))
    np.save(os.path.join(outdir, "seed_ics.npy"), ics)
    np.save(os.path.join(outdir, "values.npy"), values)
    zeros = [int(i) for i in np.flatnonzero(values == 0.0)]
    ref = {
        "about": "commensurability seed example through pidgey GalpyBackend + galpy MWPotential2014 + "
        "commensurability Tessellation(points).measure with the package defaults (incremental=True, "
        "axis_ratio=10, convexhull_rot4)",
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "astropy": astropy.__version__,
            "galpy": galpy.__version__,
            "pidgey": version("pidgey") if version else "?",
            "commensurability": version("commensurability") if version else "?",
        },
        "call": {"n": 500, "seed": 0, "dt_gyr": 0.01, "steps": 200, "potential": "MWPotential2014",
                 "backend": "pidgey.GalpyBackend (symplec4_c)", "pattern_speed": 0.0},
        "pidgey_x_mirror_max_deviation_kpc": mirror,
        "summary": {"min": float(values.min()), "median": float(np.median(values)), "mean": float(values.mean()),
                    "max": float(values.max()), "exact_zeros": zeros},
        "orbit_65": {"ic": ics[65].tolist(), "measure": float(values[65]), "nsimplex": det[65][1],
                     "kept": det[65][2], "normalization_constant": det[65][3],
                     "note": "exactly 0.0 without a warning: the orbit is nearly closed, every simplex is trimmed"},
        "per_orbit": {"nsimplex": [d[1] for d in det], "kept": [d[2] for d in det],
                      "normalization_constant": [d[3] for d in det]},
        "times_seconds": times,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    }
    with open(os.path.join(outdir, "reference.json"), "w") as fh:
        json.dump(ref, fh, indent=1)
    print(json.dumps({"times": times, "summary": ref["summary"], "orbit_65": values[65], "mirror": mirror}))


if __name__ == "__main__":
    main()
