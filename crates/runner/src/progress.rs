//! A progress bar that draws only on a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Progress of a long job: a bar with rate and ETA on stderr when stderr is a terminal and the user
/// did not ask for quiet; otherwise it only counts.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `total` items labelled `what` (e.g. "orbits"). Hidden when `quiet` is set or stderr
    /// is not a terminal.
    pub fn new(total: u64, what: &str, quiet: bool) -> Self {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        let template = format!("{{elapsed_precise}} [{{wide_bar}}] {{pos}}/{{len}} {what} ({{per_sec}}, ETA {{eta}})");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self { bar }
    }

    /// A progress counter that never draws.
    pub fn hidden() -> Self {
        Self { bar: ProgressBar::hidden() }
    }

    /// Marks `n` more items done.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Sets the count of items already done (e.g. when resuming).
    pub fn set_position(&self, n: u64) {
        self.bar.set_position(n);
    }

    /// Items done so far.
    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
