//! Helpers shared by the CLI integration tests (each test file includes this module).
#![allow(dead_code)] // each test crate uses its own subset

use std::path::PathBuf;
use std::process::Command;

/// The built `starmill` binary, ready for arguments.
pub fn starmill_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_starmill"))
}

/// A fresh, empty scratch directory for test `name` of `suite`, unique to this process.
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("starmill-{suite}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
