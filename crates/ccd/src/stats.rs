//! Per-pixel statistics with numpy's exact rounding: the NaN-ignoring median, numpy's pairwise sum
//! (streamed, so a frame never has to be in memory at once) and an astropy-style sigma-clipped mean.

/// numpy's pairwise summation block: runs of at most this many elements are summed with eight
/// accumulators; longer runs are split in two.
const PW_BLOCK: usize = 128;

/// Sums a run of at most [`PW_BLOCK`] elements exactly as numpy's pairwise sum does at its leaves.
fn leaf_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &x in a {
            res += x;
        }
        return res;
    }
    let mut r = [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]];
    let full = n - n % 8;
    let mut i = 8;
    while i < full {
        for j in 0..8 {
            r[j] += a[i + j];
        }
        i += 8;
    }
    let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    while i < n {
        res += a[i];
        i += 1;
    }
    res
}

/// Where numpy splits a run of `n` > 128 elements: half, rounded down to a multiple of 8.
fn split(n: usize) -> usize {
    let n2 = n / 2;
    n2 - n2 % 8
}

/// numpy's pairwise sum of a whole slice (`np.sum` of a contiguous float64 array), bit for bit.
pub fn pairwise_sum(a: &[f64]) -> f64 {
    if a.len() <= PW_BLOCK {
        return leaf_sum(a);
    }
    let n2 = split(a.len());
    pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
}

/// numpy's `np.mean` of a contiguous float64 array: the pairwise sum divided by the count.
pub fn numpy_mean(a: &[f64]) -> f64 {
    pairwise_sum(a) / a.len() as f64
}

/// numpy's pairwise sum of `n` values fed in order in pieces of any size, giving exactly
/// [`pairwise_sum`] of the concatenation while holding at most 128 values.
#[derive(Debug, Clone)]
pub struct PairwiseSum {
    n: usize,
    leaves: Vec<usize>,
    next_leaf: usize,
    buffer: Vec<f64>,
    sums: Vec<f64>,
    seen: usize,
}

impl PairwiseSum {
    /// A sum over exactly `n` values.
    pub fn new(n: usize) -> Self {
        let mut leaves = Vec::new();
        collect_leaves(n, &mut leaves);
        let sums = Vec::with_capacity(leaves.len());
        Self { n, leaves, next_leaf: 0, buffer: Vec::with_capacity(PW_BLOCK), sums, seen: 0 }
    }

    /// Feeds the next values (in array order).
    pub fn push(&mut self, mut values: &[f64]) {
        self.seen += values.len();
        while !values.is_empty() && self.next_leaf < self.leaves.len() {
            let len = self.leaves[self.next_leaf];
            if self.buffer.is_empty() && values.len() >= len {
                self.sums.push(leaf_sum(&values[..len]));
                self.next_leaf += 1;
                values = &values[len..];
            } else {
                let take = (len - self.buffer.len()).min(values.len());
                self.buffer.extend_from_slice(&values[..take]);
                values = &values[take..];
                if self.buffer.len() == len {
                    self.sums.push(leaf_sum(&self.buffer));
                    self.buffer.clear();
                    self.next_leaf += 1;
                }
            }
        }
    }

    /// The sum, or `None` if a number of values other than `n` was fed.
    pub fn finish(&self) -> Option<f64> {
        if self.seen != self.n || self.sums.len() != self.leaves.len() {
            return None;
        }
        let mut it = self.sums.iter().copied();
        combine(self.n, &mut it)
    }
}

fn collect_leaves(n: usize, out: &mut Vec<usize>) {
    if n <= PW_BLOCK {
        out.push(n);
    } else {
        let n2 = split(n);
        collect_leaves(n2, out);
        collect_leaves(n - n2, out);
    }
}

fn combine(n: usize, sums: &mut impl Iterator<Item = f64>) -> Option<f64> {
    if n <= PW_BLOCK {
        return sums.next();
    }
    let n2 = split(n);
    let a = combine(n2, sums)?;
    let b = combine(n - n2, sums)?;
    Some(a + b)
}

/// A comparator network that leaves the median of `n` values in place: Batcher's odd–even merge
/// sort for the next power of two, restricted to the first `n` inputs and pruned to the comparators
/// that can influence the middle position(s). Applied to non-NaN data with min/max, it gives the
/// same values as sorting, branch-free and vectorisable across pixels.
#[derive(Debug, Clone)]
pub struct MedianNetwork {
    n: usize,
    comparators: Vec<(usize, usize)>,
}

impl MedianNetwork {
    /// Largest count for which a network is built; beyond it the per-pixel sort is used.
    pub const MAX_INPUTS: usize = 64;

    /// The network for `n` values (1 ≤ n ≤ [`Self::MAX_INPUTS`]).
    pub fn new(n: usize) -> Self {
        let mut p = 1;
        while p < n {
            p *= 2;
        }
        let mut all = Vec::new();
        // Batcher's odd–even merge sort, iterative form.
        let mut size = 1;
        while size < p {
            let mut k = size;
            while k >= 1 {
                let mut j = k % size;
                while j + k < p {
                    for i in 0..k.min(p - j - k) {
                        let a = i + j;
                        let b = i + j + k;
                        if a / (size * 2) == b / (size * 2) && b < n {
                            all.push((a, b));
                        }
                    }
                    j += 2 * k;
                }
                k /= 2;
            }
            size *= 2;
        }
        // Keep only comparators that can reach the middle position(s).
        let mut needed = vec![false; n];
        if n > 0 {
            needed[n / 2] = true;
            if n.is_multiple_of(2) {
                needed[n / 2 - 1] = true;
            }
        }
        let mut kept = Vec::new();
        for &(a, b) in all.iter().rev() {
            if needed[a] || needed[b] {
                needed[a] = true;
                needed[b] = true;
                kept.push((a, b));
            }
        }
        kept.reverse();
        Self { n, comparators: kept }
    }

    /// Number of values the network combines.
    pub fn inputs(&self) -> usize {
        self.n
    }

    /// Medians of `len` pixels at once: `stack` holds the values of input `i` at
    /// `stack[i * stride .. i * stride + len]` (no NaN allowed; they are reordered in place);
    /// `out[j]` receives the median of pixel j, with eloy's even-count rule (lo + hi) / 2.
    pub fn medians(&self, stack: &mut [f64], stride: usize, len: usize, out: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2 (checked just above).
                unsafe { self.medians_avx2(stack, stride, len, out) };
                return;
            }
        }
        self.medians_generic(stack, stride, len, out)
    }

    /// [`Self::medians`] compiled for AVX2; min/max are exact, so the values are the same.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn medians_avx2(&self, stack: &mut [f64], stride: usize, len: usize, out: &mut [f64]) {
        self.medians_generic(stack, stride, len, out)
    }

    #[inline(always)]
    fn medians_generic(&self, stack: &mut [f64], stride: usize, len: usize, out: &mut [f64]) {
        const CHUNK: usize = 256;
        let mut start = 0;
        while start < len {
            let end = (start + CHUNK).min(len);
            for &(a, b) in &self.comparators {
                let (lo_part, hi_part) = stack.split_at_mut(b * stride);
                let xa = &mut lo_part[a * stride + start..a * stride + end];
                let xb = &mut hi_part[start..end];
                for (x, y) in xa.iter_mut().zip(xb.iter_mut()) {
                    let (u, v) = (*x, *y);
                    // Written as the two patterns that compile to MINPD and MAXPD.
                    *x = if u < v { u } else { v };
                    *y = if u > v { u } else { v };
                }
            }
            start = end;
        }
        let m = self.n / 2;
        if self.n % 2 == 1 {
            out[..len].copy_from_slice(&stack[m * stride..m * stride + len]);
        } else {
            for (j, o) in out[..len].iter_mut().enumerate() {
                *o = (stack[(m - 1) * stride + j] + stack[m * stride + j]) / 2.0;
            }
        }
    }
}

/// Sorts a short slice of non-NaN values in place (insertion sort: the usual 5–50 frames).
fn sort_small(v: &mut [f64]) {
    if v.len() > 48 {
        v.sort_unstable_by(f64::total_cmp);
        return;
    }
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

/// Moves the non-NaN values to the front and returns how many there are.
fn drop_nan(values: &mut [f64]) -> usize {
    let mut k = 0;
    for i in 0..values.len() {
        if !values[i].is_nan() {
            values.swap(k, i);
            k += 1;
        }
    }
    k
}

/// numpy's `nanmedian` of the values (reordered in place): NaNs ignored; the middle value for an
/// odd count; for an even count the two middle values added, then halved; NaN when no value is left.
pub fn nan_median(values: &mut [f64]) -> f64 {
    let k = drop_nan(values);
    let v = &mut values[..k];
    if k == 0 {
        return f64::NAN;
    }
    sort_small(v);
    if k % 2 == 1 {
        v[k / 2]
    } else {
        (v[k / 2 - 1] + v[k / 2]) / 2.0
    }
}

/// Sigma-clipped mean of the values (reordered in place), like astropy's `sigma_clip` with its
/// defaults followed by a mean: NaNs ignored; repeatedly keep the values within `sigma` population
/// standard deviations of the median of the values kept so far (bounds inclusive), until nothing
/// changes or `max_iters` rounds were done; return the mean of what is kept. NaN if no value.
pub fn sigma_clipped_mean(values: &mut [f64], sigma: f64, max_iters: usize) -> f64 {
    let mut k = drop_nan(values);
    if k == 0 {
        return f64::NAN;
    }
    for _ in 0..max_iters {
        let v = &mut values[..k];
        sort_small(v);
        let centre = if k % 2 == 1 { v[k / 2] } else { (v[k / 2 - 1] + v[k / 2]) / 2.0 };
        let mean = v.iter().sum::<f64>() / k as f64;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / k as f64;
        let std = var.sqrt();
        let (lo, hi) = (centre - sigma * std, centre + sigma * std);
        let mut kept = 0;
        for i in 0..k {
            if v[i] >= lo && v[i] <= hi {
                v.swap(kept, i);
                kept += 1;
            }
        }
        if kept == k || kept == 0 {
            break;
        }
        k = kept;
    }
    values[..k].iter().sum::<f64>() / k as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_rules() {
        assert_eq!(nan_median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(nan_median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(nan_median(&mut [f64::NAN, 1.0, 5.0]), 3.0);
        assert!(nan_median(&mut [f64::NAN, f64::NAN]).is_nan());
        assert_eq!(nan_median(&mut [1281.0, 1280.0]), 1280.5);
    }

    #[test]
    fn streamed_pairwise_equals_recursive() {
        let n = 64 * 48 + 5;
        let a: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1000) as f64 * 0.1 + 1.0 / (i as f64 + 3.0)).collect();
        let whole = pairwise_sum(&a);
        for piece in [1, 7, 64, 129, 1000] {
            let mut s = PairwiseSum::new(n);
            for c in a.chunks(piece) {
                s.push(c);
            }
            assert_eq!(s.finish().unwrap().to_bits(), whole.to_bits(), "piece {piece}");
        }
        let sequential: f64 = a.iter().sum();
        assert!((sequential - whole).abs() < 1e-9 * whole.abs());
        let mut short = PairwiseSum::new(n);
        short.push(&a[..n - 1]);
        assert!(short.finish().is_none());
    }

    #[test]
    fn pairwise_leaf_order() {
        // 9 elements: accumulators r0..r7 = a0..a7, then a8 added after combining.
        let a = [1e16, 1.0, -1e16, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        assert_eq!(pairwise_sum(&a), ((1e16 + 1.0) + (-1e16 + 1.0)) + 1.0);
    }

    #[test]
    fn median_network_equals_sorting_for_every_count() {
        let mut rng = crate::synth::Rng::new(1, 2, 3);
        for n in 1..=MedianNetwork::MAX_INPUTS {
            let net = MedianNetwork::new(n);
            let len = 300;
            let mut stack: Vec<f64> =
                (0..n * len).map(|_| (rng.uniform() * 50.0).round() - 10.0 + rng.uniform() * 0.25).collect();
            let mut want = vec![0.0; len];
            for (j, w) in want.iter_mut().enumerate() {
                let mut col: Vec<f64> = (0..n).map(|i| stack[i * len + j]).collect();
                *w = nan_median(&mut col);
            }
            let mut got = vec![0.0; len];
            net.medians(&mut stack, len, len, &mut got);
            assert_eq!(got, want, "n = {n}");
        }
    }

    #[test]
    fn sigma_clip_rejects_outlier() {
        let mut v = [10.0, 10.5, 9.5, 10.2, 9.8, 10.1, 9.9, 10.0, 9.7, 10.3, 500.0];
        let m = sigma_clipped_mean(&mut v, 3.0, 5);
        assert!((m - 10.0).abs() < 1e-12, "{m}");
    }
}
