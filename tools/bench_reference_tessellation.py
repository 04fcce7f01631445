"""Times the Python reference, commensurability.tessellation.Tessellation(points).measure, on golden cases.

Run through `bash tools/golden_tessellation.sh bench` (pinned venv, single-threaded BLAS). For each case:
one warm-up call, then REPEATS timed calls, for the seed's call (defaults: incremental=True) and for
incremental=False. Prints a table and writes docs/bench-data/reference_tessellation.json (min / median ms).
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from commensurability.tessellation import Tessellation

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "tessellation"
OUT = REPO / "docs" / "bench-data" / "reference_tessellation.json"
CASES = ["orbit_loop_3d_n200", "orbit_loop_3d_n1000", "orbit_loop_3d_n2000", "orbit_loop_3d_n5000",
         "orbit_loop_2d_n500"]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def nproc() -> int:
    try:
        # GNU nproc honours OMP_NUM_THREADS, which the wrapper sets to 1 for BLAS: drop it here.
        env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
        return int(subprocess.run(["nproc"], capture_output=True, text=True, check=True, env=env).stdout)
    except Exception:
        return len(os.sched_getaffinity(0))


def time_calls(points: np.ndarray, repeats: int, **kwargs) -> tuple[list[float], float]:
    value = Tessellation(points, **kwargs).measure  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        v = Tessellation(points, **kwargs).measure
        times.append((time.perf_counter() - t0) * 1e3)
        assert v == value or (v != v and value != value)
    return times, float(value)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    load_start = os.getloadavg()
    results = []
    print(f"{'case':24s} {'mode':28s} {'min ms':>10s} {'median ms':>10s}  measure")
    for name in CASES:
        points = np.load(GOLDEN / f"{name}.npy")
        for label, kwargs in (("default (incremental=True)", {}), ("incremental=False", {"incremental": False})):
            times, value = time_calls(points, args.repeats, **kwargs)
            row = dict(
                case=name, npoints=int(points.shape[0]), ndim=int(points.shape[1]), mode=label,
                call="Tessellation(points).measure" if not kwargs else "Tessellation(points, incremental=False).measure",
                repeats=args.repeats, warmup=1, min_ms=min(times), median_ms=statistics.median(times),
                times_ms=times, measure=value,
            )
            results.append(row)
            print(f"{name:24s} {label:28s} {row['min_ms']:10.2f} {row['median_ms']:10.2f}  {value!r}", flush=True)
    load_end = os.getloadavg()

    doc = dict(
        benchmark="reference tessellation: commensurability.tessellation.Tessellation(points).measure",
        method=f"one warm-up call, then {args.repeats} timed calls (time.perf_counter) per case and mode; "
               "single-threaded BLAS (OMP/OPENBLAS/MKL_NUM_THREADS=1)",
        machine=dict(
            nproc=nproc(), cpu_count=os.cpu_count(), affinity=len(os.sched_getaffinity(0)), cpu_model=cpu_model(), platform=platform.platform(),
            loadavg_start=list(load_start), loadavg_end=list(load_end),
        ),
        versions=dict(
            python=platform.python_version(), numpy=md.version("numpy"), scipy=md.version("scipy"),
            commensurability=md.version("commensurability"),
        ),
        date_utc=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        results=results,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
