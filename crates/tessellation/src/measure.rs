//! Per-simplex quantities (largest side, smallest side, volume), the median, trimming and sums.

/// Per-simplex arrays for one triangulation, reused between calls.
#[derive(Debug, Default)]
#[cfg_attr(test, derive(PartialEq))]
pub(crate) struct SimplexStats {
    largest: Vec<f64>,
    smallest: Vec<f64>,
    volume: Vec<f64>,
    /// The smallest sides' bit patterns, for the median.
    scratch: Vec<u64>,
}

/// A compensated (Neumaier) running sum: the error does not grow with the number of terms.
#[derive(Debug, Default, Clone, Copy)]
struct Sum {
    sum: f64,
    comp: f64,
}

impl Sum {
    #[inline]
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }
    fn value(self) -> f64 {
        self.sum + self.comp
    }
}

impl SimplexStats {
    /// Fills the arrays for `simplices` (point indices, `ndim + 1` per simplex).
    pub(crate) fn compute(&mut self, points: &[f64], ndim: usize, simplices: &[u32]) {
        if ndim == 2 || ndim == 3 {
            // Written by index into arrays sized beforehand: no call in the loop.
            let n = simplices.len() / (ndim + 1);
            // Every entry is overwritten: no clearing (a resize between equal lengths costs nothing).
            self.resize(n);
            let outputs = self.smallest.iter_mut().zip(self.largest.iter_mut()).zip(self.volume.iter_mut());
            // Points and simplices as fixed-size rows: one bounds check per vertex.
            if ndim == 2 {
                let pts = points.as_chunks::<2>().0;
                for (t, ((smallest, largest), volume)) in simplices.as_chunks::<3>().0.iter().zip(outputs) {
                    let [a, b, c] = t.map(|i| &pts[i as usize]);
                    (*smallest, *largest, *volume) = triangle(a, b, c);
                }
            } else {
                let pts = points.as_chunks::<3>().0;
                for (t, ((smallest, largest), volume)) in simplices.as_chunks::<4>().0.iter().zip(outputs) {
                    let [a, b, c, d] = t.map(|i| &pts[i as usize]);
                    (*smallest, *largest, *volume) = tetrahedron(a, b, c, d);
                }
            }
            return;
        }
        self.largest.clear();
        self.smallest.clear();
        self.volume.clear();
        let p = |i: u32| &points[i as usize * ndim..(i as usize + 1) * ndim];
        let factorial: f64 = (1..=ndim).map(|k| k as f64).product();
        let mut d2 = Vec::with_capacity(ndim * (ndim + 1) / 2);
        let mut m = vec![0.0; ndim * ndim];
        for t in simplices.chunks_exact(ndim + 1) {
            d2.clear();
            for i in 0..=ndim {
                for j in i + 1..=ndim {
                    d2.push(dist2(p(t[i]), p(t[j])));
                }
            }
            let (lo, hi) = extremes(&d2);
            self.smallest.push(lo.sqrt());
            self.largest.push(hi.sqrt());
            let v0 = p(t[0]);
            for r in 0..ndim {
                let vr = p(t[r + 1]);
                for c in 0..ndim {
                    m[r * ndim + c] = vr[c] - v0[c];
                }
            }
            self.volume.push(determinant(&mut m, ndim).abs() / factorial);
        }
    }

    /// The number of simplices.
    pub(crate) fn len(&self) -> usize {
        self.volume.len()
    }

    /// Room for `n` simplices, written by index through [`Self::columns_mut`] and then cut to
    /// length with [`Self::truncate`] (entries are overwritten, not cleared).
    pub(crate) fn resize(&mut self, n: usize) {
        for array in [&mut self.largest, &mut self.smallest, &mut self.volume] {
            array.resize(n, 0.0);
        }
    }

    /// Keeps the first `n` simplices.
    pub(crate) fn truncate(&mut self, n: usize) {
        for array in [&mut self.largest, &mut self.smallest, &mut self.volume] {
            array.truncate(n);
        }
    }

    /// The arrays of smallest sides, largest sides (lengths) and volumes, to write by index.
    pub(crate) fn columns_mut(&mut self) -> (&mut [f64], &mut [f64], &mut [f64]) {
        (&mut self.smallest, &mut self.largest, &mut self.volume)
    }

    /// numpy's median of the smallest sides (mean of the two middle values for an even count);
    /// NaN when there are no simplices.
    pub(crate) fn median_smallest_side(&mut self) -> f64 {
        let n = self.smallest.len();
        if n == 0 {
            return f64::NAN;
        }
        // Lengths are finite and not negative, so their bit patterns sort as the values do:
        // the selection compares integers.
        self.scratch.clear();
        self.scratch.extend(self.smallest.iter().map(|x| x.to_bits()));
        let mid = n / 2;
        let (below, &mut upper, _) = self.scratch.select_nth_unstable(mid);
        let upper = f64::from_bits(upper);
        if n % 2 == 1 {
            upper
        } else {
            let lower = f64::from_bits(below.iter().copied().max().unwrap_or(0));
            (lower + upper) / 2.0
        }
    }

    /// Σ volumes of the simplices whose largest side is strictly below `threshold`, and their count.
    pub(crate) fn kept_sum(&self, threshold: f64) -> (f64, usize) {
        let mut sum = Sum::default();
        let mut n = 0;
        for (&l, &v) in self.largest.iter().zip(&self.volume) {
            if l < threshold {
                sum.add(v);
                n += 1;
            }
        }
        (sum.value(), n)
    }

    /// Σ of all simplex volumes.
    pub(crate) fn total_volume(&self) -> f64 {
        let mut sum = Sum::default();
        self.volume.iter().for_each(|&v| sum.add(v));
        sum.value()
    }

    /// Per simplex: kept (largest side < threshold) or not.
    pub(crate) fn kept_mask(&self, threshold: f64) -> Vec<bool> {
        self.largest.iter().map(|&l| l < threshold).collect()
    }
}

/// The smallest and the largest of the squared side lengths `d2` (never NaN: the points are
/// finite), by plain comparisons (one instruction each, where `f64::min` also handles NaN).
#[inline(always)]
fn extremes(d2: &[f64]) -> (f64, f64) {
    d2.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| (if x < lo { x } else { lo }, if x > hi { x } else { hi }))
}

/// Smallest and largest side (lengths) of the triangle (a, b, c).
#[inline(always)]
pub(crate) fn triangle_sides(a: &[f64; 2], b: &[f64; 2], c: &[f64; 2]) -> (f64, f64) {
    let (lo, hi) = extremes(&[dist2(a, b), dist2(a, c), dist2(b, c)]);
    (lo.sqrt(), hi.sqrt())
}

/// Smallest and largest side (lengths) of the tetrahedron (a, b, c, d).
#[inline(always)]
pub(crate) fn tetrahedron_sides(a: &[f64; 3], b: &[f64; 3], c: &[f64; 3], d: &[f64; 3]) -> (f64, f64) {
    let (lo, hi) = extremes(&[dist2(a, b), dist2(a, c), dist2(a, d), dist2(b, c), dist2(b, d), dist2(c, d)]);
    (lo.sqrt(), hi.sqrt())
}

/// Smallest side, largest side (lengths) and area of the triangle (a, b, c).
#[inline(always)]
fn triangle(a: &[f64; 2], b: &[f64; 2], c: &[f64; 2]) -> (f64, f64, f64) {
    let (lo, hi) = triangle_sides(a, b, c);
    let area = ((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])).abs() / 2.0;
    (lo, hi, area)
}

/// Smallest side, largest side (lengths) and volume of the tetrahedron (v1, v2, v3, v4).
#[inline(always)]
fn tetrahedron(v1: &[f64; 3], v2: &[f64; 3], v3: &[f64; 3], v4: &[f64; 3]) -> (f64, f64, f64) {
    let (lo, hi) = tetrahedron_sides(v1, v2, v3, v4);
    // The reference's expansion, term by term.
    let a1 = (v2[0] - v1[0]) * ((v3[1] - v1[1]) * (v4[2] - v1[2]) - (v4[1] - v1[1]) * (v3[2] - v1[2]));
    let a2 = (v3[0] - v1[0]) * ((v4[1] - v1[1]) * (v2[2] - v1[2]) - (v2[1] - v1[1]) * (v4[2] - v1[2]));
    let a3 = (v4[0] - v1[0]) * ((v2[1] - v1[1]) * (v3[2] - v1[2]) - (v3[1] - v1[1]) * (v2[2] - v1[2]));
    (lo, hi, (a1 + a2 + a3).abs() / 6.0)
}

#[inline]
fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Determinant of the row-major `n × n` matrix `m` by LU with partial pivoting (overwrites `m`).
fn determinant(m: &mut [f64], n: usize) -> f64 {
    let mut det = 1.0;
    for col in 0..n {
        let pivot = (col..n).max_by(|&a, &b| m[a * n + col].abs().total_cmp(&m[b * n + col].abs())).unwrap_or(col);
        if m[pivot * n + col] == 0.0 {
            return 0.0;
        }
        if pivot != col {
            for k in 0..n {
                m.swap(pivot * n + k, col * n + k);
            }
            det = -det;
        }
        let d = m[col * n + col];
        det *= d;
        for r in col + 1..n {
            let f = m[r * n + col] / d;
            if f != 0.0 {
                for k in col..n {
                    m[r * n + k] -= f * m[col * n + k];
                }
            }
        }
    }
    det
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_even_and_odd() {
        let mut s = SimplexStats { smallest: vec![3.0, 1.0, 2.0], ..Default::default() };
        assert_eq!(s.median_smallest_side(), 2.0);
        s.smallest = vec![4.0, 1.0, 3.0, 2.0];
        assert_eq!(s.median_smallest_side(), 2.5);
    }

    #[test]
    fn determinant_of_permutation_and_scaling() {
        let mut m = vec![0.0, 2.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 5.0, 0.0];
        assert_eq!(determinant(&mut m, 4), 2.0 * 3.0 * 4.0 * 5.0);
    }

    #[test]
    fn unit_simplex_volumes() {
        let mut s = SimplexStats::default();
        let pts4 = [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        s.compute(&pts4, 4, &[0, 2, 1, 3, 4]);
        assert!((s.total_volume() - 1.0 / 24.0).abs() < 1e-17);
        assert_eq!(s.largest[0], 2f64.sqrt());
        assert_eq!(s.smallest[0], 1.0);
    }
}
