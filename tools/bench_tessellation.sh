#!/usr/bin/env bash
# Tessellation benchmark: starmill and the Python reference on the same golden inputs, one after the
# other in the same run, then a table of the ratios. Writes docs/bench-data/{starmill,reference}_tessellation.json
# and prints the markdown table that docs/benchmarks.md quotes. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/bench-data
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cargo run --release --locked -q -p starmill-tessellation --example bench_tessellation -- --json docs/bench-data/starmill_tessellation.json
bash tools/golden_tessellation.sh bench
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - <<'PY'
import json
ours = {r["case"]: r for r in json.load(open("docs/bench-data/starmill_tessellation.json"))["single_thread"]}
ref = json.load(open("docs/bench-data/reference_tessellation.json"))["results"]
print("| case | simplices | reference min (ms), incremental=False | starmill min (ms) | ratio (min) | starmill median (ms) |")
print("|---|---|---|---|---|---|")
for r in ref:
    if r["mode"] != "incremental=False" or r["case"] not in ours:
        continue
    o = ours[r["case"]]
    print(f"| {r['case']} | {o['nsimplex']} | {r['min_ms']:.1f} | {o['native_min_ms']:.3f} | {r['min_ms']/o['native_min_ms']:.0f}x | {o['native_median_ms']:.3f} |")
b = json.load(open("docs/bench-data/starmill_tessellation.json"))["batch"]
print(f"\nbatch: {b['norbits']} orbits x {b['npoints']} points on {b['threads']} threads: {b['seconds']:.3f} s = {b['orbits_per_second']:.0f} orbits/s")
PY
