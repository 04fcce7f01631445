//! starmill-runner: runs many independent work items on all cores, in input order, with progress.
//!
//! Owns: the parallel streaming of work (rayon), ordered collection of results, chunking so memory
//! stays bounded, per-thread reusable workspaces, handing finished chunks to a writer that runs
//! beside the workers, the thread count (including Slurm's `SLURM_CPUS_PER_TASK`), and the progress
//! bar (shown on a terminal with rate and ETA, silent in pipes or with `quiet`).
//!
//! Must not know about: what the work is (orbits, tessellations, frames), file formats, the CLI.
//!
//! The main entry point is [`stream`]: items `0..count` are computed in chunks on all cores, each
//! worker reusing a workspace built once by `init`; every finished chunk goes, in order, to a `sink`
//! running on its own thread (typically writing the chunk to disk) while the workers compute the next
//! chunk. At most three chunks of results exist at any time, so memory does not grow with `count`.

#![warn(missing_docs)]

mod progress;

pub use progress::Progress;

use rayon::prelude::*;
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;

/// Sets the number of worker threads of the global pool, once per process, and returns the number in
/// use. `requested` wins; otherwise `SLURM_CPUS_PER_TASK` (so a Slurm task uses the cores it was
/// given, not every core of the node); otherwise rayon's default (all cores). Errors if the pool was
/// already started with a different size or the variable is not a positive integer.
pub fn init_threads(requested: Option<usize>) -> Result<usize, String> {
    let from_env = match std::env::var("SLURM_CPUS_PER_TASK") {
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                return Err(format!(
                    "SLURM_CPUS_PER_TASK={v:?} is not a positive integer; unset it or fix the job script"
                ))
            }
        },
        Err(_) => None,
    };
    let threads = requested.or(from_env);
    if let Some(n) = threads {
        if n == 0 {
            return Err("the thread count must be at least 1".into());
        }
        if rayon::ThreadPoolBuilder::new().num_threads(n).build_global().is_err() && rayon::current_num_threads() != n {
            return Err(format!(
                "the worker pool already runs {} threads; cannot switch to {n}",
                rayon::current_num_threads()
            ));
        }
    }
    Ok(rayon::current_num_threads())
}

/// The number of worker threads in use.
pub fn threads() -> usize {
    rayon::current_num_threads()
}

/// A workspace borrowed from a shared pool and returned to it when the rayon job that used it ends, so
/// workspaces (and their buffers) survive from one chunk to the next.
struct Lease<'a, S> {
    workspace: Option<S>,
    pool: &'a Mutex<Vec<S>>,
}

impl<S> Drop for Lease<'_, S> {
    fn drop(&mut self) {
        if let (Some(ws), Ok(mut pool)) = (self.workspace.take(), self.pool.lock()) {
            pool.push(ws);
        }
    }
}

/// Streams items `0..count` through `work` on all cores and hands the results, in index order and in
/// chunks of at most `chunk` items, to `sink(first_index, results)`.
///
/// * `init` builds a workspace (buffers, engines); workspaces are reused across items and chunks, and
///   about one exists per worker thread.
/// * `sink` runs on its own thread while the workers compute the next chunk; if it returns an error,
///   no further chunk is started and that error is returned.
/// * Memory: at most three chunks of results (one being computed, one queued, one in `sink`).
/// * `progress` advances by one per finished item.
pub fn stream<T, S, I, W, K, E>(
    count: usize,
    chunk: usize,
    progress: &Progress,
    init: I,
    work: W,
    sink: K,
) -> Result<(), E>
where
    T: Send,
    S: Send,
    I: Fn() -> S + Sync + Send,
    W: Fn(&mut S, usize) -> T + Sync + Send,
    K: FnMut(usize, Vec<T>) -> Result<(), E> + Send,
    E: Send,
{
    let chunk = chunk.max(1);
    let pool: Mutex<Vec<S>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<(usize, Vec<T>)>(1);
        let writer = scope.spawn(move || {
            let mut sink = sink;
            for (start, results) in rx {
                sink(start, results)?;
            }
            Ok(())
        });
        let mut start = 0;
        while start < count {
            let end = (start + chunk).min(count);
            let results: Vec<T> = (start..end)
                .into_par_iter()
                .map_init(
                    || {
                        let ws = pool.lock().ok().and_then(|mut p| p.pop()).unwrap_or_else(&init);
                        Lease { workspace: Some(ws), pool: &pool }
                    },
                    |lease, i| {
                        let ws = lease.workspace.as_mut().expect("a lease holds its workspace until dropped");
                        let r = work(ws, i);
                        progress.inc(1);
                        r
                    },
                )
                .collect();
            if tx.send((start, results)).is_err() {
                break; // the sink failed; its error is returned below
            }
            start = end;
        }
        drop(tx);
        match writer.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

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

    #[test]
    fn stream_delivers_every_item_once_in_order_and_reuses_workspaces() {
        let progress = Progress::hidden();
        let built = std::sync::atomic::AtomicUsize::new(0);
        let mut seen = Vec::new();
        let mut largest = 0;
        stream::<_, _, _, _, _, ()>(
            1000,
            64,
            &progress,
            || {
                built.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Vec::<usize>::with_capacity(8)
            },
            |scratch, i| {
                scratch.clear();
                scratch.extend([i, i + 1]);
                scratch.iter().sum::<usize>()
            },
            |start, chunk| {
                assert_eq!(start, seen.len());
                largest = largest.max(chunk.len());
                seen.extend(chunk);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..1000).map(|i| 2 * i + 1).collect::<Vec<_>>());
        assert_eq!(largest, 64);
        assert_eq!(progress.position(), 1000);
        // Workspaces are reused across the 16 chunks: far fewer built than items or chunks × splits.
        let n = built.load(std::sync::atomic::Ordering::Relaxed);
        assert!(n >= 1 && n <= 4 * rayon::current_num_threads() + 4, "{n} workspaces built");
    }

    #[test]
    fn stream_holds_at_most_three_chunks_of_results() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static LIVE: AtomicUsize = AtomicUsize::new(0);
        static PEAK: AtomicUsize = AtomicUsize::new(0);
        struct Tracked;
        impl Tracked {
            fn new() -> Self {
                let now = LIVE.fetch_add(1, Ordering::SeqCst) + 1;
                PEAK.fetch_max(now, Ordering::SeqCst);
                Tracked
            }
        }
        impl Drop for Tracked {
            fn drop(&mut self) {
                LIVE.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let progress = Progress::hidden();
        let mut delivered = 0;
        stream::<_, _, _, _, _, ()>(
            20_000,
            100,
            &progress,
            || (),
            |_, _| Tracked::new(),
            |_, chunk| {
                delivered += chunk.len();
                std::thread::sleep(std::time::Duration::from_micros(200)); // a slow writer
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(delivered, 20_000);
        assert_eq!(LIVE.load(Ordering::SeqCst), 0);
        let peak = PEAK.load(Ordering::SeqCst);
        assert!(peak <= 300, "{peak} results alive at once; the bound is three chunks of 100");
    }

    #[test]
    fn stream_stops_at_the_first_sink_error() {
        let progress = Progress::hidden();
        let mut calls = 0;
        let r = stream(
            10_000,
            100,
            &progress,
            || (),
            |_, i| i,
            |start, _chunk| {
                calls += 1;
                if start >= 200 {
                    Err(format!("disk full at {start}"))
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(r, Err("disk full at 200".to_string()));
        assert_eq!(calls, 3);
        // The workers stop soon after: at most a few chunks beyond the failing one were computed.
        assert!(progress.position() <= 600, "{} items computed", progress.position());
    }

    #[test]
    fn stream_of_nothing_calls_no_sink() {
        let r: Result<(), ()> = stream(0, 10, &Progress::hidden(), || (), |_, i| i, |_, _| panic!("no chunk expected"));
        assert!(r.is_ok());
    }
}
