#!/usr/bin/env bash
# Regenerates tests/golden/dynamics/ from the reference packages (galpy, gala, astropy, numpy).
# The virtual environment lives OUTSIDE the repository (default /work/venvs/golden-dyn, override with
# GOLDEN_DYN_VENV) and is never committed; only the written JSON/npy files are.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${GOLDEN_DYN_VENV:-/work/venvs/golden-dyn}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import galpy, gala, astropy, numpy" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q "numpy==2.4.6" "scipy==1.17.1" "astropy==7.2.3" "galpy==1.12.1" "gala==1.11.0"
fi
"$VENV/bin/python" tools/golden_dynamics.py tests/golden/dynamics "$@"
