#!/usr/bin/env bash
# Installs the Debian packages starmill needs to build and test, only those missing.
# Used by `make demo`, `make test` and .ci/run. Needs root (or sudo) on a fresh Debian machine.
set -euo pipefail
PACKAGES=(
  pkg-config        # finds the C libraries below
  libclang-dev      # bindgen for qhull-sys (Qhull, the N-D Delaunay engine and tie fallback)
  libcfitsio-dev    # FITS reading/writing (fitsio crate)
  libhdf5-dev       # HDF5 scan outputs (hdf5-metno crate)
  fitsverify        # tests check every FITS file we write
  python3-venv      # tests that open our outputs with astropy / h5py
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust 1.95 (rustup) first" >&2
  exit 1
fi
