#!/usr/bin/env bash
# Reference timing of CGAL's 3D Delaunay triangulation on starmill's golden
# inputs (single-threaded). See tools/bench_cgal.cpp for what is measured.
# Usage: bash tools/bench_cgal.sh [file.npy ...]   (runs from the repo root; give
# file paths relative to it or absolute)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d /usr/include/CGAL ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q libcgal-dev
fi

g++ -O3 -DNDEBUG -DCGAL_NDEBUG -o /tmp/bench_cgal tools/bench_cgal.cpp -lgmp

G=tests/golden/tessellation
if [ "$#" -gt 0 ]; then
    FILES=("$@")
else
    FILES=("$G/orbit_loop_3d_n200.npy" "$G/orbit_loop_3d_n1000.npy" "$G/orbit_loop_3d_n2000.npy"
           "$G/orbit_loop_3d_n5000.npy" "$G/orbit_box_3d_n2000.npy")
fi

echo "g++: $(g++ -dumpfullversion); CGAL: $(sed -n 's/^#define CGAL_VERSION \(.*\)$/\1/p' /usr/include/CGAL/version.h)"
echo
# The program is single-threaded; no pinning (on a 2-core box pinning can collide with other work).
/tmp/bench_cgal "${FILES[@]}"
