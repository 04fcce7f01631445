#!/usr/bin/env bash
# CCD benchmark: starmill against eloy 0.0.11b0 on the same synthetic night, in the same run, with
# the plain-I/O floors. Results go to $BENCH_DIR/bench-ccd.log; figures are copied by hand into
# docs/bench-ccd.md. Needs ~3 GB free in $BENCH_DIR (1.2 GB of inputs, 1.7 GB of outputs).
#
#   BENCH_DIR   where the night and outputs live (default /work/benchdata; outside the repository)
#   SIZE        frame size in pixels (default 2048)      SCIENCE   science frames (default 100)
#   REPEATS     starmill repeats (default 3)             ELOY_REPEATS  eloy repeats (default 2)
#   GOLDEN_CCD_VENV  venv with eloy/astropy (default /work/venvs/golden-ccd; created if missing)
#   KEEP=1      keep the night afterwards (it is deleted otherwise)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH_DIR="${BENCH_DIR:-/work/benchdata}"
SIZE="${SIZE:-2048}"; SCIENCE="${SCIENCE:-100}"
REPEATS="${REPEATS:-3}"; ELOY_REPEATS="${ELOY_REPEATS:-2}"
VENV="${GOLDEN_CCD_VENV:-/work/venvs/golden-ccd}"
NIGHT="$BENCH_DIR/night-$SIZE"
WORK="$BENCH_DIR/work"
LOG="$BENCH_DIR/bench-ccd.log"
mkdir -p "$BENCH_DIR" "$WORK"
: > "$LOG"
say() { echo "$*" | tee -a "$LOG"; }

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import eloy, astropy, tqdm" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "eloy==0.0.11b0" "astropy==7.2.3" "numpy==2.4.6" tqdm
fi
if [ -z "${STARMILL:-}" ]; then
  cargo build --release --locked -p starmill
  STARMILL="${CARGO_TARGET_DIR:-target}/release/starmill"
fi
if [ -z "${BENCH_BIN:-}" ]; then
  cargo build --release --locked -p starmill-ccd --example bench_ccd
  BENCH_BIN="${CARGO_TARGET_DIR:-target}/release/examples/bench_ccd"
fi
TIME="/usr/bin/time -f %e_s_wall_%U_s_user_%S_s_sys_%M_KiB_maxrss"

say "machine: $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{printf "%.0f GiB", $2/1048576}'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "starmill $($STARMILL --version 2>/dev/null || echo '?'); eloy $("$VENV/bin/pip" show eloy 2>/dev/null | awk '/^Version/{print $2}'), numpy $("$VENV/bin/python" -c 'import numpy; print(numpy.__version__)')"

if [ ! -d "$NIGHT/ScienceImages" ] || [ "$(ls "$NIGHT/ScienceImages" | wc -l)" -ne "$SCIENCE" ]; then
  rm -rf "$NIGHT"
  say "== generating the night: starmill synth-night $NIGHT --width $SIZE --height $SIZE --bias 15 --darks 15 --flats 15 --science $SCIENCE"
  $TIME "$STARMILL" synth-night "$NIGHT" --width "$SIZE" --height "$SIZE" --bias 15 --darks 15 --flats 15 --science "$SCIENCE" 2>&1 | tee -a "$LOG"
fi
say "night: $(du -sb "$NIGHT" | cut -f1) bytes in $(find "$NIGHT" -name '*.fit' | wc -l) files"

say "== I/O floors (page cache warm)"
cat $(find "$NIGHT" -name '*.fit') > /dev/null
for i in 1 2 3; do
  s=$(date +%s.%N); cat $(find "$NIGHT" -name '*.fit' | sort) > /dev/null; e=$(date +%s.%N)
  say "cat all inputs: $(echo "$e - $s" | bc) s"
done
for i in 1 2 3; do
  s=$(date +%s.%N); cat "$NIGHT"/ScienceImages/*.fit > /dev/null; e=$(date +%s.%N)
  say "cat science inputs: $(echo "$e - $s" | bc) s"
done
FRAME_OUT=$(( SIZE * SIZE * 4 / 1048576 ))
for i in 1 2 3; do
  rm -rf "$WORK/dd"; mkdir -p "$WORK/dd"; sync
  s=$(date +%s.%N)
  for n in $(seq 1 "$SCIENCE"); do dd if=/dev/zero of="$WORK/dd/$n.fits" bs=1M count="$FRAME_OUT" status=none; done
  e=$(date +%s.%N)
  say "dd write $SCIENCE x $FRAME_OUT MiB: $(echo "$e - $s" | bc) s"
done
rm -rf "$WORK/dd"

say "== starmill phases (bench_ccd example: in-process, min / median)"
sync
"$BENCH_BIN" "$NIGHT" "$WORK" "$REPEATS" 0 2>&1 | tee -a "$LOG"
say "== starmill calibrate end to end (CLI: discovery, masters written, 100 frames written)"
for i in $(seq 1 "$REPEATS"); do
  rm -rf "$WORK/starmill"; sync
  $TIME "$STARMILL" calibrate "$NIGHT" -o "$WORK/starmill" 2>&1 | grep -E "masters |wall" | tee -a "$LOG"
done
say "== starmill calibrate with --masters (calibration only)"
MASTERS_DIR=$(ls -d "$WORK"/starmill/*/ | head -1)
cp -r "$MASTERS_DIR" "$WORK/masters"
for i in $(seq 1 "$REPEATS"); do
  rm -rf "$WORK/starmill2"; sync
  $TIME "$STARMILL" calibrate "$NIGHT" -o "$WORK/starmill2" --masters "$WORK/masters" 2>&1 | grep -E "masters |wall" | tee -a "$LOG"
done
rm -rf "$WORK/starmill2" "$WORK/masters"

say "== eloy masters (own loader), serial calibration, tutorial Pool pattern"
for i in $(seq 1 "$ELOY_REPEATS"); do
  $TIME "$VENV/bin/python" tools/bench_ccd_eloy.py masters "$NIGHT" "$WORK/eloy" 2>&1 | tee -a "$LOG"
done
for i in $(seq 1 "$ELOY_REPEATS"); do
  sync
  $TIME "$VENV/bin/python" tools/bench_ccd_eloy.py serial "$NIGHT" "$WORK/eloy" 2>&1 | tee -a "$LOG"
done
for i in $(seq 1 "$ELOY_REPEATS"); do
  sync
  $TIME "$VENV/bin/python" tools/bench_ccd_eloy.py pool "$NIGHT" "$WORK/eloy" 2>&1 | tee -a "$LOG"
done

say "== agreement: starmill float32 outputs vs eloy serial float32 outputs (all frames)"
"$VENV/bin/python" - "$WORK/starmill" "$WORK/eloy/eloy_serial" <<'PY' 2>&1 | tee -a "$LOG"
import glob, os, sys
import numpy as np
from astropy.io import fits
ours = sorted(glob.glob(os.path.join(sys.argv[1], "*", "calibrated", "*.fits")))
same = 0
worst = 0.0
for f in ours:
    a = fits.getdata(f).astype(np.float64)
    b = fits.getdata(os.path.join(sys.argv[2], os.path.basename(f)[:-1])).astype(np.float64)
    if np.array_equal(a, b):
        same += 1
    else:
        d = np.abs(a - b) / np.maximum(np.abs(b), 1e-300)
        worst = max(worst, float(d.max()))
print(f"{same} of {len(ours)} calibrated frames identical to eloy's float32 output; worst relative difference otherwise {worst:.3g}")
PY
say "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$WORK"
if [ "${KEEP:-0}" != 1 ]; then rm -rf "$NIGHT"; fi
echo "log: $LOG"
