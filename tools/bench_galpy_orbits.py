"""Times galpy's C integrators on the seed workload (500 orbits x 200 samples, dt = 0.01 Gyr,
MWPotential2014) and measures their accuracy against a converged run (galpy dop853_c, rtol = atol =
1e-14), for comparison with `cargo run --release -p starmill-dynamics --example bench_orbits`.

Usage: OMP_NUM_THREADS=1 /work/venvs/golden-dyn/bin/python tools/bench_galpy_orbits.py [REPEATS]
(the venv is the one tools/golden_dynamics.sh creates). Prints min wall time over REPEATS runs.
galpy's C integrators parallelise over orbits with OpenMP regardless of `numcores`: the thread count is
OMP_NUM_THREADS (run once with 1 for single-thread figures and once unset for all cores).

Instruction counts (load-independent): `... tools/bench_galpy_orbits.py --single METHOD TOL N` integrates
the first N orbits once on one thread (METHOD none|dop853_c|symplec4_c), e.g. under
`valgrind --tool=callgrind`; subtract the `none` run (imports and set-up).
"""

import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import numpy as np
from galpy.orbit import Orbit
from galpy.potential import MWPotential2014

RO, VO = 8.0, 220.0
TIME_NAT_GYR = 0.035556080788392334
single = len(sys.argv) > 1 and sys.argv[1] == "--single"
repeats = int(sys.argv[1]) if len(sys.argv) > 1 and not single else 2
ics = np.load("tests/golden/dynamics/seed_ics.npy")
if single:
    ics = ics[: int(sys.argv[4])]
x, y, z, vx, vy, vz = ics.T
R = np.hypot(x, y)
vxvv = np.column_stack([R / RO, (x * vx + y * vy) / R / VO, (x * vy - y * vx) / R / VO, z / RO, vz / VO,
                        np.arctan2(y, x)])
ts = np.arange(200) * 0.01 / TIME_NAT_GYR


def run(method, numcores, **kw):
    best, pos = np.inf, None
    for _ in range(repeats):
        o = Orbit(vxvv)
        t0 = time.perf_counter()
        o.integrate(ts, MWPotential2014, method=method, progressbar=False, numcores=numcores, **kw)
        best = min(best, time.perf_counter() - t0)
        pos = np.stack([o.x(ts), o.y(ts), o.z(ts)], axis=-1) * RO
    return best, pos


if single:
    method, tol = sys.argv[2], float(sys.argv[3])
    if method != "none":
        kw = {"rtol": tol, "atol": tol} if method == "dop853_c" else {}
        Orbit(vxvv).integrate(ts, MWPotential2014, method=method, progressbar=False, numcores=1, **kw)
    sys.exit(0)

_, ref = run("dop853_c", 2, rtol=1e-14, atol=1e-14)
threads = os.environ.get("OMP_NUM_THREADS", "all")
print(f"workload: {len(ics)} orbits x 200 samples, dt 0.01 Gyr, MWPotential2014; min of {repeats} runs; "
      f"OMP_NUM_THREADS={threads}")
print(f"{'config':<32} {'max|dx| kpc':>12} {'wall s':>8} {'orbits/s':>10}")
configs = [("symplec4_c (default)", "symplec4_c", {})]
for tol in (1e-9, 1e-10, 1e-11, 1e-12):
    configs.append((f"dop853_c rtol=atol={tol:g}", "dop853_c", {"rtol": tol, "atol": tol}))
for name, method, kw in configs:
    t1, pos = run(method, 1, **kw)
    err = np.max(np.abs(pos - ref))
    print(f"{name:<32} {err:>12.2e} {t1:>8.3f} {len(ics) / t1:>10.0f}")
