//! starmill-runner: runs many independent work items on all cores, in input order, with progress.
//!
//! Owns: the parallel streaming of work (rayon), ordered collection of results, chunking so memory
//! stays bounded, and the progress bar (shown on a terminal, silent in pipes or with `quiet`).
//!
//! Must not know about: what the work is (orbits, tessellations, frames), file formats, the CLI.

mod progress;

pub use progress::Progress;

use rayon::prelude::*;

/// Applies `work` to every item index in `0..count` on all cores and returns the results in index
/// order. Items are processed in chunks of `chunk` so that at most `chunk` results beyond those
/// already handed to `sink` are held; `sink` receives each finished chunk (first index, results) in
/// order, which lets callers write results out as they come and keep memory flat.
pub fn for_each_chunk<T, W, S, E>(
    count: usize,
    chunk: usize,
    progress: &Progress,
    work: W,
    mut sink: S,
) -> Result<(), E>
where
    T: Send,
    W: Fn(usize) -> T + Sync + Send,
    S: FnMut(usize, Vec<T>) -> Result<(), E>,
{
    let chunk = chunk.max(1);
    let mut start = 0;
    while start < count {
        let end = (start + chunk).min(count);
        let results: Vec<T> = (start..end)
            .into_par_iter()
            .map(|i| {
                let r = work(i);
                progress.inc(1);
                r
            })
            .collect();
        sink(start, results)?;
        start = end;
    }
    Ok(())
}

/// Applies `work` to every index in `0..count` on all cores and returns all results in index order.
/// Use [`for_each_chunk`] instead when the results are large.
pub fn map_ordered<T, W>(count: usize, progress: &Progress, work: W) -> Vec<T>
where
    T: Send,
    W: Fn(usize) -> T + Sync + Send,
{
    (0..count)
        .into_par_iter()
        .map(|i| {
            let r = work(i);
            progress.inc(1);
            r
        })
        .collect()
}

/// Like [`map_ordered`], but each worker thread first builds a reusable workspace with `init` (for
/// example a tessellation buffer) and passes it to every item it processes.
pub fn map_ordered_with<T, S, I, W>(count: usize, progress: &Progress, init: I, work: W) -> Vec<T>
where
    T: Send,
    I: Fn() -> S + Sync + Send,
    W: Fn(&mut S, usize) -> T + Sync + Send,
{
    (0..count)
        .into_par_iter()
        .map_init(init, |state, i| {
            let r = work(state, i);
            progress.inc(1);
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_input_order_across_chunks() {
        let progress = Progress::hidden();
        let mut seen = Vec::new();
        for_each_chunk::<_, _, _, ()>(
            103,
            10,
            &progress,
            |i| i * i,
            |start, chunk| {
                assert_eq!(start, seen.len());
                assert!(chunk.len() <= 10);
                seen.extend(chunk);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..103).map(|i| i * i).collect::<Vec<_>>());
        assert_eq!(progress.position(), 103);
        assert_eq!(map_ordered(50, &Progress::hidden(), |i| 2 * i), (0..50).map(|i| 2 * i).collect::<Vec<_>>());
        let with = map_ordered_with(40, &Progress::hidden(), Vec::<usize>::new, |scratch, i| {
            scratch.push(i);
            i + 1
        });
        assert_eq!(with, (1..=40).collect::<Vec<_>>());
    }
}
