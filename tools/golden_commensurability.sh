#!/usr/bin/env bash
# Regenerates tests/golden/commensurability/ from the reference packages:
#   1. the commensurability seed workflow (pidgey 1.0.4 + galpy 1.12.1 + commensurability 1.1.1):
#      seed_ics.npy, values.npy, reference.json;
#   2. numpy 2.4.6 random draws (random_draws.json) and the ziggurat tables compiled into starmill
#      (crates/starmill/src/ziggurat_tables.json), see tools/golden_commensurability_random.py.
# The virtual environment lives OUTSIDE the repository (default /work/venvs/golden-comm, override with
# GOLDEN_COMM_VENV) and is never committed; only the written files are.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${GOLDEN_COMM_VENV:-/work/venvs/golden-comm}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import commensurability, pidgey, galpy, mpmath" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q "numpy==2.4.6" "scipy==1.17.1" "astropy==7.2.3" "galpy==1.12.1" \
    "pidgey==1.0.4" "commensurability==1.1.1" "mpmath==1.3.0"
fi
OUT=tests/golden/commensurability
mkdir -p "$OUT"
"$VENV/bin/python" tools/golden_commensurability_random.py "$OUT" crates/starmill/src/ziggurat_tables.json
"$VENV/bin/python" tools/golden_commensurability.py "$OUT"
