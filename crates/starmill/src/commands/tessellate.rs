use crate::Global;
use std::process::ExitCode;

/// Arguments of `starmill tessellate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Points file.
    pub file: std::path::PathBuf,
}

pub fn run(_args: Args, _global: Global) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not built yet")
}
