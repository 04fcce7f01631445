#!/usr/bin/env bash
# Benchmarks of the commensurability workflow (docs/bench-commensurability.md), starmill and the Python
# reference pipeline timed in the same run on the same machine:
#   1. the seed example end to end (500 orbits, MWPotential2014, 200 samples of 0.01 Gyr, 3-D measure):
#      `starmill demo` wall time (all cores and 1 thread, REPEATS runs each) versus the reference
#      (pidgey + galpy + commensurability: serial loop and multiprocessing.Pool, REF_REPEATS runs each);
#   2. a 100 x 100 2-D scan (x, v_y) in a rotating bar potential (MWPotential2014 + Long-Murali bar,
#      pattern speed 40 km/s/kpc), 500 samples per orbit, measured in x-y;
#   3. peak RSS (GNU time -v) of 10^4 versus 10^5 orbits with 50 samples each, for `scan` (fully
#      streamed) and `commensurability --random` (holds the ICs and values, 56 bytes per orbit).
# Usage: tools/bench_commensurability.sh [OUTFILE]   (env: REPEATS=7 REF_REPEATS=1 SKIP_REF=0)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-/dev/stdout}"
REPEATS="${REPEATS:-7}"
REF_REPEATS="${REF_REPEATS:-1}"
TARGET="${CARGO_TARGET_DIR:-target}"
cargo build --release -p starmill --locked -q
BIN="$TARGET/release/starmill"
VENV="${GOLDEN_COMM_VENV:-/work/venvs/golden-comm}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

now() { python3 -c 'import time; print(time.perf_counter())'; }
stats() { python3 -c 'import sys; v=sorted(float(x) for x in sys.argv[1:]); n=len(v); print(f"min {v[0]:.3f} s / median {v[n//2] if n%2 else (v[n//2-1]+v[n//2])/2:.3f} s (n={n})")' "$@"; }
wall() { local t0 t1; t0=$(now); "$@" >/dev/null; t1=$(now); python3 -c "print($t1 - $t0)"; }

{
echo "# starmill commensurability benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "starmill: $($BIN --version), binary $BIN"
echo

echo "## 1. Seed example end to end (500 orbits)"
for threads in all 1; do
  times=()
  for _ in $(seq "$REPEATS"); do
    if [ "$threads" = all ]; then times+=("$(wall "$BIN" -q demo -o "$TMP/demo")");
    else times+=("$(wall "$BIN" -q demo -o "$TMP/demo" --threads 1)"); fi
  done
  echo "starmill demo, threads=$threads: $(stats "${times[@]}")"
done
python3 - "$TMP/demo/run.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"  last run.json: integrate+measure {r['seconds']['integrate_and_measure']:.3f} s, write {r['seconds']['write']:.3f} s, "
      f"median {r['summary']['median']}, exact zeros {r['summary']['exact_zeros']}")
PY
if [ "${SKIP_REF:-0}" != 1 ]; then
  for _ in $(seq "$REF_REPEATS"); do
    echo "reference serial:  $("$VENV/bin/python" tools/golden_commensurability.py "$TMP/ref" | tail -1)"
    echo "reference Pool():  $("$VENV/bin/python" tools/golden_commensurability.py "$TMP/ref" --pool | tail -1)"
  done
fi
echo "load now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

echo "## 2. 100 x 100 scan in a rotating bar (500 samples, x-y measure)"
cat > "$TMP/bar.toml" <<'TOML'
dt = 0.01
steps = 500
dims = "xy"
chunk = 2000
[potential]
pattern_speed = 40.0
[[potential.components]]
type = "model"
name = "MWPotential2014"
[[potential.components]]
type = "long_murali_bar"
mass = 1e10
a = 4.0
b = 0.5
c = 0.5
angle = 0.0
[initial]
y = 0.0
z = 0.0
vx = 0.0
vz = 0.0
[[axes]]
name = "x"
start = 2.0
stop = 12.0
num = 100
[[axes]]
name = "vy"
start = 50.0
stop = 300.0
num = 100
TOML
"$BIN" scan "$TMP/bar.toml" -o "$TMP/bar.h5" | head -2
echo "load now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

echo "## 3. Peak RSS, 10^4 vs 10^5 orbits (50 samples each)"
for n in 100 1000; do
  sed -e 's/^steps = 500/steps = 50/' -e "0,/^num = 100/! s/^num = 100/num = $n/" "$TMP/bar.toml" \
    | sed -e 's/^pattern_speed = 40.0/pattern_speed = 0.0/' > "$TMP/rss.toml"
  /usr/bin/time -v "$BIN" -q scan "$TMP/rss.toml" -o "$TMP/rss-$n.h5" --no-png 2> "$TMP/time.txt"
  echo "scan $((100 * n)) orbits: peak RSS $(awk -F': ' '/Maximum resident/{print $2}' "$TMP/time.txt") kB, wall $(awk -F': ' '/Elapsed/{print $2}' "$TMP/time.txt")"
done
for n in 10000 100000; do
  /usr/bin/time -v "$BIN" -q commensurability --random "$n" --steps 50 -o "$TMP/rss-c-$n" 2> "$TMP/time.txt"
  echo "commensurability --random $n: peak RSS $(awk -F': ' '/Maximum resident/{print $2}' "$TMP/time.txt") kB, wall $(awk -F': ' '/Elapsed/{print $2}' "$TMP/time.txt")"
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"
