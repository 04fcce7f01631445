#!/usr/bin/env bash
# Tessellation benchmark: starmill, the Python reference and CGAL's Delaunay_triangulation_3 (the
# practical floor for a 3-D Delaunay engine; tools/bench_cgal.sh) on the same golden inputs, one after
# the other in the same run, then a table of the ratios. Writes docs/bench-data/{starmill,reference}_tessellation.json
# and docs/bench-data/cgal_tessellation.md and prints the markdown table that docs/benchmarks.md
# quotes. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/bench-data
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cargo run --release --locked -q -p starmill-tessellation --example bench_tessellation -- --json docs/bench-data/starmill_tessellation.json
bash tools/golden_tessellation.sh bench
G=tests/golden/tessellation
bash tools/bench_cgal.sh $G/orbit_loop_3d_n200.npy $G/orbit_loop_3d_n1000.npy $G/orbit_loop_3d_n2000.npy \
  $G/orbit_loop_3d_n5000.npy > docs/bench-data/cgal_tessellation.md
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - <<'PY'
import json
ours = {r["case"]: r for r in json.load(open("docs/bench-data/starmill_tessellation.json"))["single_thread"]}
ref = json.load(open("docs/bench-data/reference_tessellation.json"))["results"]
# CGAL rows: | file.npy | n | vertices | cells | build min | build median | reps | ...
cgal = {}
for line in open("docs/bench-data/cgal_tessellation.md"):
    cols = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cols) > 4 and cols[0].endswith(".npy"):
        cgal[cols[0][:-4]] = float(cols[4])
print("| case | simplices | reference min (ms), incremental=False | CGAL build min (ms) | starmill min (ms) | vs reference | vs CGAL | starmill median (ms) |")
print("|---|---|---|---|---|---|---|---|")
for r in ref:
    if r["mode"] != "incremental=False" or r["case"] not in ours:
        continue
    o = ours[r["case"]]
    c = cgal.get(r["case"])
    cg = f"{c:.3f}" if c else "–"
    vs = f"{c/o['native_min_ms']:.2f}x" if c else "–"
    print(f"| {r['case']} | {o['nsimplex']} | {r['min_ms']:.1f} | {cg} | {o['native_min_ms']:.3f} | {r['min_ms']/o['native_min_ms']:.0f}x | {vs} | {o['native_median_ms']:.3f} |")
b = json.load(open("docs/bench-data/starmill_tessellation.json"))["batch"]
print(f"\nbatch: {b['norbits']} orbits x {b['npoints']} points on {b['threads']} threads: {b['seconds']:.3f} s = {b['orbits_per_second']:.0f} orbits/s")
PY
