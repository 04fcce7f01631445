#!/usr/bin/env bash
# Paired A/B timing of the tessellation crate at two revisions, for optimisation work (not a test).
#
#   bash tools/ab_tessellation.sh REV_A REV_B [PAIRS] [CASE ...]
#
# REV is a git revision of this repository or WORKTREE (the files as they are). Both versions are
# compiled into one binary (the crate twice, under two version numbers) and their calls alternate,
# A, B, A, B, on the same golden orbit, so that the host's slow spells hit both alike. Prints per
# case the minimum and median of each, and the median and quartiles of the per-pair ratios B / A
# (an A/A comparison gives 1.000 ± 0.005 here), and whether the two measures agree to the bit.
# Defaults: 300 pairs, the 3-D loop orbits of 200 and 2000 points. Builds in $AB_DIR
# (default /tmp/starmill-ab), pinned to CPU 1 when taskset exists.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
A=${1:?revision A}; B=${2:?revision B}; PAIRS=${3:-300}; shift $(( $# < 3 ? $# : 3 ))
CASES=("$@"); [ ${#CASES[@]} -gt 0 ] || CASES=(orbit_loop_3d_n200 orbit_loop_3d_n2000)
DIR=${AB_DIR:-/tmp/starmill-ab}
mkdir -p "$DIR/src"

variant() { # slot revision version
  local slot=$1 rev=$2 ver=$3
  rm -rf "${DIR:?}/$slot"; mkdir -p "$DIR/$slot/src"
  if [ "$rev" = WORKTREE ]; then
    cp crates/tessellation/src/*.rs "$DIR/$slot/src/"
  else
    for f in $(git ls-tree --name-only "$rev" crates/tessellation/src/); do
      git show "$rev:$f" > "$DIR/$slot/src/$(basename "$f")"
    done
  fi
  # The crate's manifest with the workspace's fields filled in and a version of its own.
  sed -e "s/^version.workspace = true/version = \"$ver\"/" -e 's/^edition.workspace = true/edition = "2021"/' \
      -e '/^rust-version.workspace/d' -e '/^license.workspace/d' -e '/^\[dev-dependencies\]/,$d' \
      crates/tessellation/Cargo.toml > "$DIR/$slot/Cargo.toml"
}
variant a "$A" 0.1.1
variant b "$B" 0.1.2

cat > "$DIR/Cargo.toml" <<T
[package]
name = "starmill-ab"
version = "0.1.0"
edition = "2021"
[dependencies]
ta = { package = "starmill-tessellation", path = "a" }
tb = { package = "starmill-tessellation", path = "b" }
[profile.release]
opt-level = 3
debug = "line-tables-only"
T

cat > "$DIR/src/main.rs" <<'T'
//! Paired A/B timing: see tools/ab_tessellation.sh.
use std::time::Instant;

fn read_npy(path: &str) -> (Vec<f64>, usize) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + hlen]).unwrap();
    assert!(header.contains("'<f8'") && header.contains("'fortran_order': False"), "{path}: float64, C order");
    let shape = header.split("'shape': (").nth(1).unwrap().split(')').next().unwrap();
    let dims: Vec<usize> = shape.split(',').filter(|s| !s.trim().is_empty()).map(|s| s.trim().parse().unwrap()).collect();
    (bytes[10 + hlen..].chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect(), dims[1])
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (golden, pairs) = (&args[0], args[1].parse::<usize>().unwrap());
    for case in &args[2..] {
        let (pts, ndim) = read_npy(&format!("{golden}/{case}.npy"));
        let (mut a, mut b) = (ta::Tessellator::new(), tb::Tessellator::new());
        let (oa, ob) = (ta::Options::default(), tb::Options::default());
        let (ma, mb) = (a.tessellate(&pts, ndim, &oa).unwrap().measure, b.tessellate(&pts, ndim, &ob).unwrap().measure);
        let (mut times_a, mut times_b) = (Vec::new(), Vec::new());
        for i in 0..pairs {
            for turn in 0..2 {
                let t = Instant::now();
                if (i + turn) % 2 == 0 {
                    std::hint::black_box(a.tessellate(&pts, ndim, &oa).unwrap());
                    times_a.push(t.elapsed().as_secs_f64() * 1e3);
                } else {
                    std::hint::black_box(b.tessellate(&pts, ndim, &ob).unwrap());
                    times_b.push(t.elapsed().as_secs_f64() * 1e3);
                }
            }
        }
        let mut ratios: Vec<f64> = times_a.iter().zip(&times_b).map(|(x, y)| y / x).collect();
        ratios.sort_by(f64::total_cmp);
        let sorted = |v: &[f64]| {
            let mut s = v.to_vec();
            s.sort_by(f64::total_cmp);
            s
        };
        let (sa, sb) = (sorted(&times_a), sorted(&times_b));
        let q = |v: &[f64], f: f64| v[((v.len() - 1) as f64 * f) as usize];
        println!(
            "{case}: A min {:.4} med {:.4} ms | B min {:.4} med {:.4} ms | B/A median {:.4} [quartiles {:.4} {:.4}] | measures {}",
            sa[0], q(&sa, 0.5), sb[0], q(&sb, 0.5), q(&ratios, 0.5), q(&ratios, 0.25), q(&ratios, 0.75),
            if ma.to_bits() == mb.to_bits() { "equal".to_string() } else { format!("differ: {ma} {mb}") }
        );
    }
}
T

(cd "$DIR" && cargo build --release -q)
PIN=(); command -v taskset >/dev/null && PIN=(taskset -c 1)
"${PIN[@]}" "$DIR/target/release/starmill-ab" "$REPO/tests/golden/tessellation" "$PAIRS" "${CASES[@]}"
