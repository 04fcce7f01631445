#!/usr/bin/env bash
# Regenerates the tessellation golden data (tests/golden/tessellation/) with the Python reference,
# commensurability 1.1.1, in a throwaway venv outside the repository. Run by hand, never in CI.
#
#   bash tools/golden_tessellation.sh          # write tests/golden/tessellation/ (about 5 minutes)
#   bash tools/golden_tessellation.sh bench    # time the reference -> docs/bench-data/reference_tessellation.json
#
# The venv lives in $GOLDEN_TESS_VENV (default /work/venvs/golden-tess) and is (re)created when it is
# missing or does not hold the pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${GOLDEN_TESS_VENV:-/work/venvs/golden-tess}"
PINS=(commensurability==1.1.1 numpy==2.4.6 scipy==1.17.1 galpy==1.12.1 astropy==7.2.3)

venv_ok() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - <<'EOF' 2>/dev/null
import importlib.metadata as md
want = {"commensurability": "1.1.1", "numpy": "2.4.6", "scipy": "1.17.1", "galpy": "1.12.1", "astropy": "7.2.3"}
bad = [k for k, v in want.items() if md.version(k) != v]
raise SystemExit(1 if bad else 0)
EOF
}

if ! venv_ok; then
  echo "creating venv $VENV" >&2
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "${PINS[@]}"
  venv_ok || { echo "venv $VENV does not hold the pinned versions" >&2; exit 1; }
fi

# Single-threaded BLAS: deterministic and fair on a shared machine.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0

case "${1:-golden}" in
  golden) exec "$VENV/bin/python" tools/golden_tessellation.py "${@:2}" ;;
  bench) exec "$VENV/bin/python" tools/bench_reference_tessellation.py "${@:2}" ;;
  *) echo "usage: $0 [golden|bench] [args...]" >&2; exit 2 ;;
esac
