//! numpy-compatible random initial conditions: `numpy.random.default_rng(seed).normal(loc, scale, n)`
//! reproduced bit for bit, so `starmill commensurability --random N --seed S` draws exactly the
//! initial conditions of the commensurability documentation's example.
//!
//! The chain is numpy's: `SeedSequence(seed)` hashes the integer seed into a pool and expands it into
//! four 64-bit words; those seed a PCG64 generator (128-bit LCG, XSL-RR output); normal deviates come
//! from a 256-layer ziggurat. The integer parts are exact algorithms. The ziggurat's layer widths are
//! floating-point constants: `ziggurat_tables.json` (written by `tools/golden_commensurability.sh`)
//! holds them, built from the Marsaglia–Tsang construction and calibrated to numpy 2.4.6's own draws
//! (numpy built its table in double precision, a few ulps from the exact widths).

use serde::Deserialize;
use std::sync::OnceLock;

const INIT_A: u32 = 0x43b0_d7e5;
const MULT_A: u32 = 0x931e_8875;
const INIT_B: u32 = 0x8b51_f9dd;
const MULT_B: u32 = 0x58f3_8ded;
const MIX_MULT_L: u32 = 0xca01_f9dd;
const MIX_MULT_R: u32 = 0x4973_f715;
const POOL: usize = 4;

/// numpy's `SeedSequence` for a non-negative integer seed without spawn key: the mixed entropy pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSequence {
    pool: [u32; POOL],
}

fn hashmix(value: u32, hash_const: &mut u32) -> u32 {
    let mut v = value ^ *hash_const;
    *hash_const = hash_const.wrapping_mul(MULT_A);
    v = v.wrapping_mul(*hash_const);
    v ^ (v >> 16)
}

fn mix(x: u32, y: u32) -> u32 {
    let r = MIX_MULT_L.wrapping_mul(x).wrapping_sub(MIX_MULT_R.wrapping_mul(y));
    r ^ (r >> 16)
}

impl SeedSequence {
    /// The pool for integer `seed` (any size: it is split into 32-bit words, least significant first).
    pub fn new(seed: u128) -> Self {
        let mut entropy = Vec::new();
        let mut n = seed;
        if n == 0 {
            entropy.push(0u32);
        }
        while n > 0 {
            entropy.push((n & 0xffff_ffff) as u32);
            n >>= 32;
        }
        let mut hash_const = INIT_A;
        let mut pool = [0u32; POOL];
        for (i, slot) in pool.iter_mut().enumerate() {
            *slot = hashmix(entropy.get(i).copied().unwrap_or(0), &mut hash_const);
        }
        for src in 0..POOL {
            for dst in 0..POOL {
                if src != dst {
                    let h = hashmix(pool[src], &mut hash_const);
                    pool[dst] = mix(pool[dst], h);
                }
            }
        }
        for &e in entropy.iter().skip(POOL) {
            for slot in pool.iter_mut() {
                let h = hashmix(e, &mut hash_const);
                *slot = mix(*slot, h);
            }
        }
        Self { pool }
    }

    /// `generate_state(n, np.uint64)`: `n` 64-bit words (pairs of 32-bit words, little-endian).
    pub fn generate_state_u64(&self, n: usize) -> Vec<u64> {
        let mut hash_const = INIT_B;
        let words: Vec<u32> = (0..2 * n)
            .map(|i| {
                let mut v = self.pool[i % POOL] ^ hash_const;
                hash_const = hash_const.wrapping_mul(MULT_B);
                v = v.wrapping_mul(hash_const);
                v ^ (v >> 16)
            })
            .collect();
        words.chunks_exact(2).map(|p| u64::from(p[0]) | (u64::from(p[1]) << 32)).collect()
    }
}

const PCG_MULT: u128 = (0x2360_ed05_1fc6_5da4_u128 << 64) | 0x4385_df64_9fcc_f645;

/// numpy's `PCG64` bit generator (PCG XSL-RR 128/64).
#[derive(Debug, Clone)]
pub struct Pcg64 {
    state: u128,
    inc: u128,
}

impl Pcg64 {
    /// Seeded as `numpy.random.PCG64(seed)`.
    pub fn from_seed(seed: u128) -> Self {
        let s = SeedSequence::new(seed).generate_state_u64(4);
        let initstate = (u128::from(s[0]) << 64) | u128::from(s[1]);
        let initseq = (u128::from(s[2]) << 64) | u128::from(s[3]);
        let mut g = Self { state: 0, inc: (initseq << 1) | 1 };
        g.step();
        g.state = g.state.wrapping_add(initstate);
        g.step();
        g
    }

    fn step(&mut self) {
        self.state = self.state.wrapping_mul(PCG_MULT).wrapping_add(self.inc);
    }

    /// The next 64 random bits (`random_raw`).
    pub fn next_u64(&mut self) -> u64 {
        self.step();
        let hi = (self.state >> 64) as u64;
        let lo = self.state as u64;
        (hi ^ lo).rotate_right((self.state >> 122) as u32)
    }

    /// A double in [0, 1) from the top 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }
}

#[derive(Deserialize)]
struct TablesJson {
    k: Vec<String>,
    w: Vec<String>,
    f: Vec<String>,
}

struct Tables {
    k: [u64; 256],
    w: [f64; 256],
    f: [f64; 256],
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let raw: TablesJson = serde_json::from_str(include_str!("ziggurat_tables.json"))
            .expect("ziggurat_tables.json is compiled in and checked by the tests");
        let word = |s: &String| u64::from_str_radix(s, 16).expect("hex word in ziggurat_tables.json");
        let mut t = Tables { k: [0; 256], w: [0.0; 256], f: [0.0; 256] };
        for i in 0..256 {
            t.k[i] = word(&raw.k[i]);
            t.w[i] = f64::from_bits(word(&raw.w[i]));
            t.f[i] = f64::from_bits(word(&raw.f[i]));
        }
        t
    })
}

/// Start of the ziggurat's tail, r = 3.654152885361009.
const TAIL_R: f64 = 3.654_152_885_361_009;
/// 1 / r as numpy rounds it.
const TAIL_INV_R: f64 = 0.273_661_237_329_758_3;

/// numpy's `Generator`: normal deviates drawn exactly as numpy 2.x draws them.
#[derive(Debug, Clone)]
pub struct NumpyRng {
    bits: Pcg64,
}

impl NumpyRng {
    /// `numpy.random.default_rng(seed)`.
    pub fn new(seed: u128) -> Self {
        Self { bits: Pcg64::from_seed(seed) }
    }

    /// One standard normal deviate (`standard_normal()`).
    pub fn standard_normal(&mut self) -> f64 {
        let t = tables();
        loop {
            let r = self.bits.next_u64();
            let idx = (r & 0xff) as usize;
            let r = r >> 8;
            let negative = r & 1 == 1;
            let rabs = (r >> 1) & 0x000f_ffff_ffff_ffff;
            let mut x = rabs as f64 * t.w[idx];
            if negative {
                x = -x;
            }
            if rabs < t.k[idx] {
                return x;
            }
            if idx == 0 {
                loop {
                    let xx = -TAIL_INV_R * (-self.bits.next_f64()).ln_1p();
                    let yy = -(-self.bits.next_f64()).ln_1p();
                    if yy + yy > xx * xx {
                        return if (rabs >> 8) & 1 == 1 { -(TAIL_R + xx) } else { TAIL_R + xx };
                    }
                }
            } else if (t.f[idx - 1] - t.f[idx]) * self.bits.next_f64() + t.f[idx] < (-0.5 * x * x).exp() {
                return x;
            }
        }
    }

    /// `normal(loc, scale, n)`: `n` deviates loc + scale · N(0, 1).
    pub fn normal(&mut self, loc: f64, scale: f64, n: usize) -> Vec<f64> {
        (0..n).map(|_| loc + scale * self.standard_normal()).collect()
    }
}

/// The commensurability example's initial conditions: with `default_rng(seed)`, draw z ~ N(0, 1),
/// then x ~ N(8, 1), then y ~ N(0, 1) kpc (`n` each, in that order); velocity (0, 250, 0) km/s.
/// Rows are (x, y, z [kpc], v_x, v_y, v_z [km/s]).
pub fn seed_initial_conditions(n: usize, seed: u128) -> Vec<[f64; 6]> {
    let mut rng = NumpyRng::new(seed);
    let z = rng.normal(0.0, 1.0, n);
    let x = rng.normal(8.0, 1.0, n);
    let y = rng.normal(0.0, 1.0, n);
    (0..n).map(|i| [x[i], y[i], z[i], 0.0, 250.0, 0.0]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn golden() -> Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/commensurability/random_draws.json");
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("{path}: {e}; run tools/golden_commensurability.sh to create it"));
        serde_json::from_str(&text).unwrap()
    }

    fn hex(v: &Value) -> u64 {
        u64::from_str_radix(v.as_str().unwrap(), 16).unwrap()
    }

    #[test]
    fn seed_sequence_and_pcg64_match_numpy() {
        let g = golden();
        let state = SeedSequence::new(0).generate_state_u64(4);
        let want: Vec<u64> = g["seedsequence0_state"].as_array().unwrap().iter().map(hex).collect();
        assert_eq!(state, want);
        let mut pcg = Pcg64::from_seed(0);
        for w in g["pcg64_seed0_raw"].as_array().unwrap() {
            assert_eq!(pcg.next_u64(), hex(w));
        }
    }

    #[test]
    fn normal_draws_are_bit_identical_to_numpy() {
        let g = golden();
        for case in g["cases"].as_array().unwrap() {
            let seed: u128 = case["seed"].as_str().unwrap().parse().unwrap();
            let want: Vec<u64> = case["values"].as_array().unwrap().iter().map(hex).collect();
            let got =
                NumpyRng::new(seed).normal(case["loc"].as_f64().unwrap(), case["scale"].as_f64().unwrap(), want.len());
            for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                assert_eq!(a.to_bits(), *b, "seed {seed}, draw {i}: {a} vs numpy {}", f64::from_bits(*b));
            }
        }
        // A million draws per seed (tail and wedge branches included), compared by an XOR of the bits.
        for c in g["checksums"].as_array().unwrap() {
            let seed = c["seed"].as_u64().unwrap() as u128;
            let n = c["n"].as_u64().unwrap() as usize;
            let mut rng = NumpyRng::new(seed);
            let (mut xor, mut sum) = (0u64, 0.0f64);
            for _ in 0..n {
                let v = rng.standard_normal();
                xor ^= v.to_bits();
                sum += v;
            }
            assert_eq!(xor, hex(&c["xor_bits"]), "seed {seed}");
            assert!((sum - c["sum"].as_f64().unwrap()).abs() < 1e-6, "seed {seed}: sum {sum}");
        }
    }

    #[test]
    fn seed_ics_match_the_dynamics_golden_file() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/dynamics/seed_ics.npy");
        let ics = starmill_io::read_array(std::path::Path::new(path)).unwrap();
        assert_eq!(ics.shape, vec![500, 6]);
        let mine = seed_initial_conditions(500, 0);
        for (i, row) in mine.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                assert_eq!(v.to_bits(), ics.data[i * 6 + c].to_bits(), "orbit {i} component {c}");
            }
        }
        assert_eq!(mine[0][0], 9.292893050193806);
        assert_eq!(mine[65][..3], [8.47240749695851, -1.4105351572732683, -0.258572545473924]);
    }
}
