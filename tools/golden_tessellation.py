"""Writes the tessellation golden data set, tests/golden/tessellation/, with the Python reference.

Run it through tools/golden_tessellation.sh (which builds the pinned venv); never in CI.

For every case the point cloud is saved as <case>.npy (float64, shape (npoints, ndim), exactly as
passed to the reference) and the results of commensurability.tessellation.Tessellation for a set of
(normalisation routine, axis ratio, incremental) combinations are collected in manifest.json. For
d >= 4 the script also records the *fixed* definition starmill implements (absolute simplex volumes,
convex hull of the points), computed here with scipy directly.

Everything is deterministic: orbits come from galpy's dop853_c, random clouds from one
numpy default_rng(12345) stream.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import math
import platform
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy.linalg
import scipy.spatial

from commensurability.tessellation import Tessellation

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "golden" / "tessellation"

ROUTINES = {
    2: ["circle"],
    3: ["sphere", "cylinder", "Rz_convexhull", "convexhull", "convexhull_rot4"],
    "nd": ["nsphere_approx", "convexhull", "convexhull_rot4"],
}
DEFAULT_NAME = {2: "circle", 3: "convexhull_rot4", "nd": "convexhull_rot4"}
ORBIT_NS = [100, 200, 500, 1000, 2000, 5000]
NSAMPLES = 5000
DT_GYR = 0.01
PER_SIMPLEX_CASES = {"orbit_loop_3d_n200", "orbit_loop_2d_n500"}


def dimkey(d: int):
    return d if d in (2, 3) else "nd"


# ---------------------------------------------------------------------------------------------
# JSON helpers


def jfloat(x):
    """A JSON-safe float: python float (repr round-trips) or "nan"/"inf"/"-inf"; None stays None."""
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def jint(x):
    return None if x is None else int(x)


# ---------------------------------------------------------------------------------------------
# Orbits (galpy)


def integrate_orbits() -> dict[str, dict]:
    """Five 5000-sample orbits, t = k * 0.01 Gyr, k = 0 .. 4999. Returns physical x, y, z (kpc), vz (km/s)."""
    import astropy.units as u
    from galpy.orbit import Orbit
    from galpy.potential import LogarithmicHaloPotential, MWPotential2014

    ro, vo = 8.0, 220.0
    ts = np.arange(NSAMPLES) * DT_GYR * u.Gyr
    kms, kpc, rad = u.km / u.s, u.kpc, u.rad

    # (R kpc, vR km/s, vT km/s, z kpc, vz km/s, phi rad)
    axisym = {
        "circular": (8.0, 0.0, 220.0, 0.1, 0.0, 0.0),
        "loop": (8.0, 40.0, 190.0, 0.3, 30.0, 0.0),
        "resonant": (8.0, 0.0, 207.51121853380027, 0.5, 20.0, 0.0),
        "seedlike": (8.0, 0.0, 250.0, 0.3, 0.0, 0.0),
    }
    out = {}
    for name, (R, vR, vT, z, vz, phi) in axisym.items():
        o = Orbit([R * kpc, vR * kms, vT * kms, z * kpc, vz * kms, phi * rad], ro=ro, vo=vo)
        o.integrate(ts, MWPotential2014, method="dop853_c")
        out[name] = dict(
            potential="galpy MWPotential2014 (ro = 8 kpc, vo = 220 km/s)",
            ics_cyl=dict(R_kpc=R, vR_kms=vR, vT_kms=vT, z_kpc=z, vz_kms=vz, phi_rad=phi),
            x=o.x(ts), y=o.y(ts), z=o.z(ts), vz=o.vz(ts),
        )

    # Box orbit: released at rest from (3, 2, 1.5) kpc in a triaxial cored logarithmic halo.
    pot = LogarithmicHaloPotential(amp=1.0, core=1.0 / 8.0, q=0.7, b=0.85, ro=ro, vo=vo)
    x0, y0, z0 = 3.0, 2.0, 1.5
    R0, phi0 = math.hypot(x0, y0), math.atan2(y0, x0)
    o = Orbit([R0 * kpc, 0.0 * kms, 0.0 * kms, z0 * kpc, 0.0 * kms, phi0 * rad], ro=ro, vo=vo)
    o.integrate(ts, pot, method="dop853_c")
    out["box"] = dict(
        potential="galpy LogarithmicHaloPotential(amp=1, core=1/8 (1 kpc), q=0.7, b=0.85), ro = 8 kpc, vo = 220 km/s",
        ics_cart=dict(x_kpc=x0, y_kpc=y0, z_kpc=z0, v_kms=[0.0, 0.0, 0.0]),
        x=o.x(ts), y=o.y(ts), z=o.z(ts), vz=o.vz(ts),
    )
    for name, o in out.items():
        for k in ("x", "y", "z", "vz"):
            o[k] = np.ascontiguousarray(np.asarray(o[k], dtype=np.float64))
            assert o[k].shape == (NSAMPLES,) and np.all(np.isfinite(o[k])), (name, k)
    assert abs(out["box"]["x"][0] - 3.0) < 1e-12 and abs(out["box"]["y"][0] - 2.0) < 1e-12
    return out


# ---------------------------------------------------------------------------------------------
# Case set


def build_cases() -> list[dict]:
    cases: list[dict] = []

    def add(name, points, category, description, **extra):
        pts = np.array(points, dtype=np.float64)
        cases.append(dict(name=name, points=pts, category=category, description=description, **extra))

    orbits = integrate_orbits()
    orbit_desc = {
        "circular": "near-circular disc orbit",
        "loop": "loop orbit",
        "resonant": "near-resonant orbit (Omega_z : Omega_R ~ 3 : 2)",
        "seedlike": "seed-like orbit (v_T = 250 km/s)",
        "box": "box orbit",
    }
    for oname, o in orbits.items():
        meta = {k: v for k, v in o.items() if k not in ("x", "y", "z", "vz")}
        meta.update(integrator="dop853_c", dt_gyr=DT_GYR, nsamples_integrated=NSAMPLES)
        for d, cols in ((2, ("x", "y")), (3, ("x", "y", "z"))):
            full = np.column_stack([o[c] for c in cols])
            for n in ORBIT_NS:
                add(
                    f"orbit_{oname}_{d}d_n{n}", full[:n], "orbit",
                    f"{orbit_desc[oname]}, first {n} samples (t = k*0.01 Gyr) of a {NSAMPLES}-sample "
                    f"dop853_c run, columns {', '.join(cols)} in kpc",
                    orbit=dict(meta, orbit=oname, columns=list(cols)),
                )
    loop = orbits["loop"]
    loop4 = np.column_stack([loop["x"], loop["y"], loop["z"], loop["vz"] / 100.0])
    for n in (200, 500, 1000):
        add(
            f"orbit_loop_4d_n{n}", loop4[:n], "orbit",
            f"loop orbit, first {n} samples, columns x, y, z (kpc), v_z/(100 km/s)",
            orbit=dict(orbit="loop", columns=["x", "y", "z", "vz/100"], integrator="dop853_c", dt_gyr=DT_GYR),
        )

    # Random clouds: one default_rng(12345) stream, drawn in this order.
    rng = np.random.default_rng(12345)

    def unit_ball(n, d, radius):
        g = rng.standard_normal((n, d))
        u = rng.random(n)
        return g / np.linalg.norm(g, axis=1)[:, None] * (u ** (1.0 / d))[:, None] * radius

    add("random_disc_2d_n1000", unit_ball(1000, 2, 5.0), "random",
        "uniform disc of radius 5 (normalised normal direction * u^(1/2) * 5), rng stream #1")
    add("random_normal_2d_n500", rng.standard_normal((500, 2)), "random", "standard normal 2-D, rng stream #2")
    add("random_ball_3d_n1000", unit_ball(1000, 3, 5.0), "random",
        "uniform ball of radius 5 (normalised normal direction * u^(1/3) * 5), rng stream #3")
    add("random_normal_3d_n500", rng.standard_normal((500, 3)), "random", "standard normal 3-D, rng stream #4")
    add("random_shifted_normal_3d_n500", rng.standard_normal((500, 3)) + np.array([8.0, 0.0, 0.0]), "random",
        "standard normal 3-D centred on (8, 0, 0), rng stream #5")
    add("random_cube_3d_n500", rng.uniform(-1.0, 1.0, (500, 3)), "random", "uniform cube [-1, 1]^3, rng stream #6")
    add("random_normal_4d_n300", rng.standard_normal((300, 4)), "random", "standard normal 4-D, rng stream #7")
    add("random_normal_5d_n150", rng.standard_normal((150, 5)), "random",
        "standard normal 5-D, rng stream #8 (Qhull adds Qx for d >= 5)")
    plane_xy = rng.uniform(-5.0, 5.0, (200, 2))

    # Degenerate and edge cases.
    add("degen_triangle_2d", [[0, 0], [1, 0], [0.2, 0.9]], "degenerate",
        "exactly one triangle: d + 1 points (incremental=True cannot start Qhull)")
    add("degen_tetrahedron_3d", [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0.1, 0.2, 1]], "degenerate",
        "exactly one tetrahedron (V = 1/6)")
    add("degen_flat_tetrahedron_3d", [[0, 0, 0], [10, 0, 0], [0, 10, 0], [0.1, 0.1, 0.5]], "degenerate",
        "one flat tetrahedron: largest side >= threshold, trimmed -> 0.0 without warning")
    add("degen_two_points_2d", [[0.0, 0.0], [1.0, 0.5]], "degenerate", "2 points in 2-D")
    add("degen_three_points_3d", [[0.0, 0.0, 0.0], [1.0, 0.5, 0.0], [0.2, 1.0, 0.3]], "degenerate",
        "3 points in 3-D")
    add("degen_one_point_3d", [[1.0, 2.0, 3.0]], "degenerate", "1 point in 3-D")
    add("degen_identical_3d_n10", np.tile([1.0, 2.0, 3.0], (10, 1)), "degenerate", "10 identical points (1, 2, 3)")
    s = np.linspace(-1.0, 1.0, 50)
    add("degen_collinear_2d_n50", np.column_stack([s, 2 * s + 1]), "degenerate",
        "50 collinear points y = 2x + 1, x = linspace(-1, 1, 50)")
    add("degen_collinear_3d_n50", np.column_stack([s, 2 * s + 1, -s + 0.5]), "degenerate",
        "50 collinear points (s, 2s + 1, -s + 0.5), s = linspace(-1, 1, 50)")
    add("degen_coplanar_z0_3d_n200", np.column_stack([plane_xy, np.zeros(200)]), "degenerate",
        "200 coplanar points: (x, y) uniform in [-5, 5]^2 (rng stream #9), z = 0 exactly")
    add("degen_tilted_plane_3d_n200",
        np.column_stack([plane_xy, 0.5 * plane_xy[:, 0] - 0.2 * plane_xy[:, 1] + 1.0]), "degenerate",
        "200 points on the tilted plane z = 0.5x - 0.2y + 1 (same x, y as the z = 0 case; rounding-level scatter)")
    loop3_200 = np.column_stack([loop["x"], loop["y"], loop["z"]])[:200]
    planar = loop3_200.copy()
    planar[:, 2] = 0.0
    add("degen_planar_orbit_3d_n200", planar, "degenerate", "loop orbit 3-D, first 200 samples, z set to 0")
    i = np.arange(200) + 0.5
    phi = np.arccos(1.0 - 2.0 * i / 200.0)
    theta = np.pi * (1.0 + np.sqrt(5.0)) * i
    fib = 3.0 * np.column_stack([np.cos(theta) * np.sin(phi), np.sin(theta) * np.sin(phi), np.cos(phi)])
    add("degen_fibonacci_sphere_3d_n200", fib, "degenerate",
        "200 cospherical points: Fibonacci lattice on a sphere of radius 3 (k = i + 0.5, phi = arccos(1 - 2k/200), "
        "theta = pi(1 + sqrt 5)k)")
    c10 = np.arange(10) - 4.5
    add("grid_10x10_2d", [(x, y) for x in c10 for y in c10], "grid",
        "10 x 10 regular grid, coordinates k - 4.5, x-major order (cocircular quadruples)")
    c5 = np.arange(5) - 2.0
    add("grid_5x5x5_3d", [(x, y, z) for x in c5 for y in c5 for z in c5], "grid",
        "5 x 5 x 5 regular grid, coordinates k - 2, x-major order (cospherical octuples)")
    loop2_200 = loop3_200[:, :2]
    add("degen_duplicated_loop_2d_n400", np.vstack([loop2_200, loop2_200]), "degenerate",
        "loop orbit 2-D, first 200 samples stacked twice (every point duplicated)")
    add("degen_duplicated_loop_3d_n400", np.vstack([loop3_200, loop3_200]), "degenerate",
        "loop orbit 3-D, first 200 samples stacked twice (every point duplicated)")
    p = loop3_200.copy()
    p[100, 0] = np.inf
    add("degen_inf_loop_3d_n200", p, "degenerate", "loop orbit 3-D, 200 samples, x of point 100 set to +inf")
    p = loop3_200.copy()
    p[100, 0] = np.nan
    add("degen_nan_loop_3d_n200", p, "degenerate", "loop orbit 3-D, 200 samples, x of point 100 set to NaN")
    add("degen_empty_3d", np.zeros((0, 3)), "degenerate", "no points, shape (0, 3)")
    add("degen_one_column_n50", np.linspace(-1.0, 1.0, 50)[:, None], "degenerate",
        "one column, shape (50, 1): below the supported dimensionality")
    return cases


# ---------------------------------------------------------------------------------------------
# Reference runs


def qhull_probe(points: np.ndarray, incremental: bool) -> str | None:
    """The Qhull error code (e.g. QH6214) bare scipy Delaunay raises in this mode, or None."""
    try:
        scipy.spatial.Delaunay(points, incremental=incremental)
    except scipy.spatial.QhullError as e:
        m = re.search(r"QH\d{4}", str(e))
        return m.group(0) if m else str(e).splitlines()[0]
    except Exception:
        return None
    return None


def reference_run(points: np.ndarray, routine: str, axis_ratio, incremental: bool):
    """One Tessellation call. Returns (RUN dict, tessellation object or None)."""
    d = points.shape[1]
    name = DEFAULT_NAME[dimkey(d)] if (routine == "default" and d >= 2) else routine
    run = dict(
        normalization=name, routine_argument=routine, axis_ratio=axis_ratio, incremental=incremental,
        fixed=False if d >= 4 else None,
        outcome=None, measure=None, nsimplex=None, nkept=None, threshold=None, median_smallest_side=None,
        normalization_constant=None, kept_volume=None, warning=None, error_type=None, error_message=None,
    )
    if d < 4:
        del run["fixed"]
    tess = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            tess = Tessellation(points, incremental=incremental, axis_ratio=axis_ratio,
                                normalization_routine=routine)
        except Exception as e:  # the reference lets these propagate
            run.update(outcome="error", error_type=type(e).__name__, error_message=str(e))
    msgs = [f"{w.category.__name__}: {w.message}" if w.category is not UserWarning else str(w.message)
            for w in caught]
    if msgs:
        run["warning"] = "\n".join(msgs)
    if tess is None:
        return run, None

    run["outcome"] = "warning" if msgs else "value"
    run["measure"] = jfloat(tess.measure)
    run["nsimplex"] = jint(tess.tri.nsimplex)
    run["normalization_constant"] = jfloat(tess.normalization_const)
    if tess.mask is not None:
        smallest = np.asarray(tess.tracers["smallest side"])
        measures = np.asarray(tess.tracers["measure"])
        med = np.median(smallest)
        run["median_smallest_side"] = jfloat(med)
        run["threshold"] = jfloat(axis_ratio * med)
        run["nkept"] = int(np.count_nonzero(tess.mask))
        kept = np.sum(measures[tess.mask])
        run["kept_volume"] = jfloat(kept)
        # Consistency with the reference's own formula.
        ref = kept / tess.normalization_const
        assert (np.isnan(ref) and np.isnan(tess.measure)) or ref == tess.measure, (ref, tess.measure)
        if d >= 4:
            run["negative_simplices"] = int(np.count_nonzero(measures < 0))
    if run["outcome"] == "warning":
        run["qhull_error_code"] = qhull_probe(points, incremental)
    return run, tess


# ---------------------------------------------------------------------------------------------
# Fixed N-D definition (d >= 4): absolute simplex volumes, hull of the points


def rot4_points(points: np.ndarray) -> np.ndarray:
    x, y = points[:, 0], points[:, 1]
    rest = points[:, 2:]
    copies = [
        np.column_stack([x, y, rest]),
        np.column_stack([-y, x, rest]),
        np.column_stack([-x, -y, rest]),
        np.column_stack([y, -x, rest]),
    ]
    return np.vstack(copies)


def fixed_runs(points: np.ndarray, ref_runs: list[dict]) -> list[dict]:
    n, d = points.shape
    tri = scipy.spatial.Delaunay(points, incremental=False)  # Qbb Qc Qz Q12 Qt (+ Qx for d >= 5)
    simplices = tri.simplices
    ns = len(simplices)
    largest = np.empty(ns)
    smallest = np.empty(ns)
    volume = np.empty(ns)
    fact = math.factorial(d)
    for i, simplex in enumerate(simplices):
        v = points[simplex]
        sides = [np.linalg.norm(v[a] - v[b]) for a in range(d + 1) for b in range(a + 1, d + 1)]
        largest[i] = max(sides)
        smallest[i] = min(sides)
        volume[i] = abs(scipy.linalg.det(v[1:] - v[0])) / fact
    med = np.median(smallest)
    radius = np.max(np.linalg.norm(points, axis=1))
    consts = {
        "convexhull_rot4": scipy.spatial.ConvexHull(rot4_points(points)).volume,
        "convexhull": scipy.spatial.ConvexHull(points).volume,
        "nsphere_approx": 1 / np.sqrt(d * np.pi) * (2 * np.pi * np.e / d) ** (d / 2) * radius**d,
    }
    out = []
    for routine, ar in [(r, 10) for r in ROUTINES["nd"]] + [("convexhull_rot4", 5), ("convexhull_rot4", 20)]:
        threshold = ar * med
        mask = largest < threshold
        kept = np.sum(volume[mask])
        run = dict(
            normalization=routine, routine_argument=routine, axis_ratio=ar, incremental=False, fixed=True,
            outcome="value", measure=jfloat(kept / consts[routine]), nsimplex=ns, nkept=int(np.count_nonzero(mask)),
            threshold=jfloat(threshold), median_smallest_side=jfloat(med),
            normalization_constant=jfloat(consts[routine]), kept_volume=jfloat(kept),
            warning=None, error_type=None, error_message=None,
        )
        # Trimming must agree with the reference run of the same axis ratio (same Qhull options).
        ref = next(r for r in ref_runs if r["axis_ratio"] == ar and not r["incremental"] and r["outcome"] == "value")
        assert (ref["nsimplex"], ref["nkept"], ref["threshold"]) == (ns, run["nkept"], run["threshold"]), (ref, run)
        if routine != "convexhull":  # the reference's N-D convexhull constant is defective (§12)
            refc = next((r for r in ref_runs if r["normalization"] == routine and not r["incremental"]), None)
            if refc is not None:
                assert refc["normalization_constant"] == run["normalization_constant"], (refc, run)
        out.append(run)
    return out


def case_runs(case: dict) -> list[dict]:
    pts = case["points"]
    d = pts.shape[1]
    runs = []
    if d >= 2:
        combos = [(r, 10, False) for r in ROUTINES[dimkey(d)]]
    else:
        combos = [("default", 10, False)]
    combos += [("default", 5, False), ("default", 20, False), ("default", 10, True)]
    for routine, ar, inc in combos:
        run, tess = reference_run(pts, routine, ar, inc)
        runs.append(run)
        if (case["name"] in PER_SIMPLEX_CASES and routine == DEFAULT_NAME[dimkey(d)] and ar == 10 and not inc):
            simp = np.asarray(tess.tri.simplices, dtype=np.int32)
            fname = f"{case['name']}.simplices.npy"
            np.save(OUT / fname, simp)
            case["simplices_file"] = fname
    if d >= 4:
        runs += fixed_runs(pts, runs)
    return runs


# ---------------------------------------------------------------------------------------------
# Self-check against the reference document's check values (tessellation.md §11, §12)

CHECKS = [
    # (case, normalization, axis_ratio, incremental, fixed, expected measure, relative tolerance or "6g" (the
    #  document quotes the value to 6 significant digits), expected (nkept, nsimplex))
    ("degen_triangle_2d", "circle", 10, False, None, 0.1432394487827058, 0, (1, 1)),
    ("degen_tetrahedron_3d", "convexhull_rot4", 10, False, None, 0.18518518518518515, 0, (1, 1)),
    ("degen_tetrahedron_3d", "sphere", 10, False, None, 0.03698079061273816, 0, None),
    ("degen_tetrahedron_3d", "cylinder", 10, False, None, 0.05305164769729844, 0, None),
    ("degen_tetrahedron_3d", "Rz_convexhull", 10, False, None, 0.0412784120294982, 0, None),
    ("degen_tetrahedron_3d", "convexhull", 10, False, None, 0.9999999999999997, 0, None),
    ("degen_flat_tetrahedron_3d", "convexhull_rot4", 10, False, None, 0.0, 0, (0, 1)),
    ("degen_fibonacci_sphere_3d_n200", "convexhull_rot4", 10, False, None, 0.9822822510856904, 1e-14, (390, 390)),
    ("degen_fibonacci_sphere_3d_n200", "sphere", 10, False, None, 0.9704211140488813, 1e-14, None),
    ("degen_fibonacci_sphere_3d_n200", "cylinder", 10, False, None, 0.6502146567392033, 1e-14, None),
    ("degen_fibonacci_sphere_3d_n200", "Rz_convexhull", 10, False, None, 0.4852648592159625, 1e-14, None),
    ("degen_fibonacci_sphere_3d_n200", "convexhull", 10, False, None, 0.9999999999999994, 1e-14, None),
    ("degen_fibonacci_sphere_3d_n200", "convexhull_rot4", 5, False, None, 0.09416414130248123, 1e-14, (118, 390)),
    ("grid_10x10_2d", "circle", 10, False, None, 0.6366197723675814, 1e-15, (162, 162)),
    ("grid_10x10_2d", "circle", 10, True, None, 0.6366197723675814, 1e-15, (162, 162)),
    ("grid_5x5x5_3d", "convexhull_rot4", 10, False, None, 1.0, 1e-15, (450, 450)),
    ("grid_5x5x5_3d", "convexhull_rot4", 10, True, None, 1.0, 1e-15, (466, 466)),
    ("grid_5x5x5_3d", "sphere", 10, False, None, 0.36755259694786147, 1e-15, None),
    ("grid_5x5x5_3d", "cylinder", 10, False, None, 0.6366197723675814, 1e-15, None),
    ("grid_5x5x5_3d", "Rz_convexhull", 10, False, None, 0.3183098861837905, 1e-15, None),
    ("orbit_loop_3d_n200", "convexhull_rot4", 10, False, None, 0.537227, "6g", (982, 1081)),
    ("orbit_loop_2d_n200", "circle", 10, False, None, 0.622293, "6g", (363, 367)),
    ("orbit_loop_3d_n2000", "convexhull_rot4", 10, False, None, 0.473446, "6g", (12236, 13316)),
    ("orbit_box_3d_n200", "convexhull_rot4", 10, False, None, 0.255182, "6g", (1021, 1139)),
    ("orbit_box_2d_n1000", "circle", 10, False, None, 0.413982, "6g", (1944, 1977)),
    ("orbit_circular_3d_n500", "convexhull_rot4", 10, False, None, 0.00211589, "6g", (705, 2235)),
    ("orbit_resonant_2d_n2000", "circle", 10, False, None, 0.186378, "6g", (3780, 3870)),
    ("orbit_seedlike_3d_n1000", "convexhull_rot4", 10, False, None, 0.38008, "6g", (5312, 5959)),
    ("degen_duplicated_loop_3d_n400", "convexhull_rot4", 10, False, None, 0.5372266237239697, 1e-15, (982, 1081)),
    ("degen_duplicated_loop_2d_n400", "circle", 10, False, None, 0.6222926348931592, 1e-15, (363, 367)),
    ("orbit_loop_4d_n200", "convexhull_rot4", 10, False, True, 0.5830739730088944, 1e-12, (3405, 4097)),
    ("orbit_loop_4d_n200", "convexhull", 10, False, True, 0.6569614902891311, 1e-12, None),
    # anchor (signed, defective) N-D values: only the same Qhull build reproduces these
    ("orbit_loop_4d_n200", "convexhull_rot4", 10, False, False, 0.0035949272423328313, 1e-12, None),
    ("orbit_loop_4d_n200", "convexhull_rot4", 10, True, False, -0.01788764070509842, 1e-12, None),
    ("orbit_loop_4d_n500", "convexhull_rot4", 10, False, False, -0.00044108862734919236, 1e-12, None),
    ("orbit_loop_4d_n500", "nsphere_approx", 10, False, False, -2.6539594048547376e-06, 1e-12, None),
    ("random_normal_4d_n300", "convexhull_rot4", 10, False, False, -0.0035575152080988648, 1e-12, None),
    ("random_normal_5d_n150", "convexhull_rot4", 10, True, False, 0.004267754034180899, 1e-12, None),
    ("orbit_loop_4d_n500", "convexhull", 10, False, True, 0.49893453887334716, 1e-12, None),
    ("orbit_loop_4d_n1000", "convexhull", 10, False, True, 0.5201810724864732, 1e-12, None),
    ("orbit_loop_4d_n500", "convexhull_rot4", 10, False, True, 0.4618366117759923, 1e-12, (10045, 14140)),
    ("orbit_loop_4d_n1000", "convexhull_rot4", 10, False, True, 0.5011905087218992, 1e-12, (25299, 35008)),
    ("random_disc_2d_n1000", "circle", 10, False, None, 0.9722285672203855, 1e-12, (1968, 1968)),
    ("random_normal_2d_n500", "circle", 10, False, None, 0.5055629459082204, 1e-12, None),
    ("random_disc_2d_n1000", "circle", 5, False, None, 0.9608385247778081, 1e-12, None),
    ("random_normal_2d_n500", "circle", 5, False, None, 0.3217836885981509, 1e-12, None),
    ("random_normal_2d_n500", "circle", 20, False, None, 0.5951049187579107, 1e-12, None),
    ("random_ball_3d_n1000", "sphere", 10, False, None, 0.8537407194878976, 1e-12, None),
    ("random_ball_3d_n1000", "cylinder", 10, False, None, 0.5969565439470831, 1e-12, None),
    ("random_ball_3d_n1000", "Rz_convexhull", 10, False, None, 0.43923803216603247, 1e-12, None),
    ("random_ball_3d_n1000", "convexhull", 10, False, None, 1.0000000000000002, 1e-12, None),
    ("random_normal_3d_n500", "Rz_convexhull", 10, False, None, 0.3015285014054147, 1e-12, None),
    ("random_shifted_normal_3d_n500", "convexhull", 10, False, None, 0.8470560756146325, 1e-12, None),
    ("random_cube_3d_n500", "convexhull", 10, False, None, 0.9957113930465529, 1e-12, None),
    ("random_ball_3d_n1000", "convexhull_rot4", 10, False, None, 0.9291781921969541, 1e-12, None),
    ("random_normal_3d_n500", "convexhull_rot4", 10, False, None, 0.7350304165323476, 1e-12, None),
    ("random_shifted_normal_3d_n500", "convexhull_rot4", 10, False, None, 0.048599468396116986, 1e-12, None),
    ("random_cube_3d_n500", "convexhull_rot4", 10, False, None, 0.9043593546559835, 1e-12, None),
    ("random_normal_4d_n300", "convexhull_rot4", 10, False, True, 0.5304149250848617, 1e-12, (6893, 6893)),
    ("random_normal_4d_n300", "convexhull", 10, False, True, 0.9999999999999998, 1e-12, None),
    ("random_normal_5d_n150", "convexhull_rot4", 10, False, True, 0.40474412517743147, 1e-12, (10983, 10983)),
    ("random_normal_5d_n150", "convexhull", 10, False, True, 1.0, 1e-12, None),
]

EXPECTED_OUTCOMES = {  # (case, incremental) -> outcome of the default run (§8)
    ("degen_triangle_2d", True): "warning",
    ("degen_tetrahedron_3d", True): "warning",
    ("degen_flat_tetrahedron_3d", False): "value",
    ("degen_flat_tetrahedron_3d", True): "warning",
    ("degen_two_points_2d", False): "warning",
    ("degen_three_points_3d", False): "warning",
    ("degen_one_point_3d", False): "warning",
    ("degen_identical_3d_n10", False): "warning",
    ("degen_collinear_2d_n50", False): "warning",
    ("degen_collinear_3d_n50", True): "warning",
    ("degen_coplanar_z0_3d_n200", False): "warning",
    ("degen_tilted_plane_3d_n200", False): "warning",
    ("degen_planar_orbit_3d_n200", True): "warning",
    ("degen_fibonacci_sphere_3d_n200", True): "warning",
    ("degen_inf_loop_3d_n200", False): "warning",
    ("degen_inf_loop_3d_n200", True): "warning",
    ("degen_nan_loop_3d_n200", False): "error",
    ("degen_empty_3d", False): "error",
    ("degen_one_column_n50", True): "error",
}


def self_check(manifest_cases: list[dict]) -> list[str]:
    by_name = {c["name"]: c for c in manifest_cases}
    lines = []
    ok_all = True
    for name, norm, ar, inc, fixed, want, rtol, counts in CHECKS:
        runs = [r for r in by_name[name]["runs"]
                if r["normalization"] == norm and r["axis_ratio"] == ar and r["incremental"] == inc
                and r.get("fixed") == fixed]
        assert len(runs) == 1, (name, norm, ar, inc, fixed, len(runs))
        r = runs[0]
        got = r["measure"]
        rel = abs(got - want) / abs(want) if want else abs(got)
        ok = float(f"{got:.6g}") == want if rtol == "6g" else rel <= rtol
        if counts is not None:
            ok = ok and (r["nkept"], r["nsimplex"]) == counts
        ok_all &= ok
        lines.append(f"{'OK ' if ok else 'BAD'} {name} {norm} ar={ar} inc={inc} fixed={fixed}: {got!r} vs {want!r} "
                     f"(rel {rel:.2e}); kept/total {r['nkept']}/{r['nsimplex']} vs {counts}")
    for (name, inc), want in EXPECTED_OUTCOMES.items():
        r = next(r for r in by_name[name]["runs"]
                 if r["incremental"] == inc and r["axis_ratio"] == 10 and r.get("fixed") is not True
                 and (r["routine_argument"] == "default" or r["normalization"] in ("circle", "convexhull_rot4")))
        ok = r["outcome"] == want
        ok_all &= ok
        lines.append(f"{'OK ' if ok else 'BAD'} outcome {name} inc={inc}: {r['outcome']} ({r.get('qhull_error_code') or r['error_type']}) vs {want}")
    lines.append("ALL CHECKS PASSED" if ok_all else "SOME CHECKS FAILED")
    return lines


# ---------------------------------------------------------------------------------------------


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for f in list(OUT.glob("*.npy")) + [OUT / "manifest.json"]:
        if f.exists():
            f.unlink()
    cases = build_cases()
    manifest_cases = []
    for case in cases:
        pts = case["points"]
        fname = f"{case['name']}.npy"
        np.save(OUT / fname, pts)
        print(f"{case['name']:36s} {str(pts.shape):12s}", end="", flush=True)
        runs = case_runs(case)
        entry = dict(
            name=case["name"], file=fname, ndim=int(pts.shape[1]), npoints=int(pts.shape[0]),
            description=case["description"], category=case["category"],
        )
        if "orbit" in case:
            entry["orbit"] = case["orbit"]
        if "simplices_file" in case:
            entry["simplices_file"] = case["simplices_file"]
        entry["runs"] = runs
        manifest_cases.append(entry)
        first = runs[0]
        print(f" {first['outcome']:8s} {first['measure']!r}")
    manifest = dict(
        generator=dict(
            script="tools/golden_tessellation.py (run via tools/golden_tessellation.sh)",
            reference="commensurability.tessellation.Tessellation(points, incremental=..., axis_ratio=..., "
                      "normalization_routine=...)",
            python=platform.python_version(),
            commensurability=md.version("commensurability"),
            numpy=md.version("numpy"),
            scipy=md.version("scipy"),
            galpy=md.version("galpy"),
            astropy=md.version("astropy"),
            rng="numpy.random.default_rng(12345), one stream for all random clouds",
            orbit_sampling=f"t = k * {DT_GYR} Gyr, k = 0 .. {NSAMPLES - 1}, galpy dop853_c",
            nonfinite_floats='stored as the strings "nan", "inf", "-inf"',
        ),
        cases=manifest_cases,
    )
    text = json.dumps(manifest, indent=1, allow_nan=False)
    (OUT / "manifest.json").write_text(text + "\n")
    report = self_check(manifest_cases)
    print("\n".join(report))
    return 0 if report[-1] == "ALL CHECKS PASSED" else 1


if __name__ == "__main__":
    sys.exit(main())
