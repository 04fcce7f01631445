#!/usr/bin/env bash
# Regenerates the CCD parity data in tests/golden/ccd/ with the reference package itself:
#   1. a throwaway venv OUTSIDE the repository (default /work/venvs/golden-ccd, override with
#      GOLDEN_CCD_VENV) with eloy 0.0.11b0, astropy 7.2.3 and numpy 2.4.6 from PyPI;
#   2. a small synthetic night written by `starmill synth-night` (64×48 px, 4 bias, 5 darks, 4 flats,
#      3 science frames, seed 7) with the planted edge-case pixels (0/0, x/0, negative, exact zero, −0);
#   3. tools/golden_ccd.py runs eloy's master_bias/master_dark/master_flat/calibrate on it exactly as
#      the eloy tutorial does and saves every result as float64 .npy next to the inputs.
# The inputs and expected arrays are committed (about 0.4 MB); the venv is not.
# Usage: bash tools/golden_ccd.sh   (STARMILL=path/to/starmill to use an existing binary)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${GOLDEN_CCD_VENV:-/work/venvs/golden-ccd}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import eloy, astropy" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "eloy==0.0.11b0" "astropy==7.2.3" "numpy==2.4.6"
fi
if [ -z "${STARMILL:-}" ]; then
  cargo build --release --locked -p starmill
  STARMILL="${CARGO_TARGET_DIR:-target}/release/starmill"
fi
OUT=tests/golden/ccd
rm -rf "$OUT/night" "$OUT/expected"
"$STARMILL" synth-night "$OUT/night" --width 64 --height 48 --bias 4 --darks 5 --flats 4 --science 3 \
  --seed 7 --edge-cases --quiet
"$VENV/bin/python" tools/golden_ccd.py "$OUT"
du -sh "$OUT"
