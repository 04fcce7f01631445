#!/usr/bin/env bash
# Creates (once) the small Python venv some tests use as an independent reader of our outputs
# (astropy opens every FITS file we write; h5py reads scan results). Tests find it through
# target/test-venv/bin/python. Only readers are installed here, never the reference packages.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/test-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import astropy, h5py, numpy" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q numpy astropy h5py
fi
