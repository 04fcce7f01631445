//! The one error type of the crate: every variant names the file concerned and says what to do.

use std::path::{Path, PathBuf};

/// Everything that can go wrong reading frames, building masters or writing products.
#[derive(Debug, thiserror::Error)]
pub enum CcdError {
    /// A FITS file could not be opened, read or written (cfitsio's status and message are included).
    #[error("{}: {message}", path.display())]
    Fits {
        /// The file concerned.
        path: PathBuf,
        /// What went wrong and how to fix it.
        message: String,
    },
    /// The file is readable but its content is unusable for this purpose (missing keyword, wrong
    /// shape, not an image, ...).
    #[error("{}: {message}", path.display())]
    Input {
        /// The file concerned.
        path: PathBuf,
        /// What went wrong and how to fix it.
        message: String,
    },
    /// The operating system refused an operation on a file or folder.
    #[error("{}: {source}", path.display())]
    Os {
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An inconsistent request (e.g. no frames of a needed type, options that contradict each other).
    #[error("{0}")]
    Usage(String),
}

impl CcdError {
    pub(crate) fn input(path: &Path, message: impl Into<String>) -> Self {
        CcdError::Input { path: path.to_path_buf(), message: message.into() }
    }
    pub(crate) fn os(path: &Path, source: std::io::Error) -> Self {
        CcdError::Os { path: path.to_path_buf(), source }
    }
}

impl From<starmill_io::IoError> for CcdError {
    fn from(e: starmill_io::IoError) -> Self {
        match e {
            starmill_io::IoError::Os { path, error } => CcdError::Os { path, source: error },
            starmill_io::IoError::Format { path, message } => CcdError::Input { path, message },
            starmill_io::IoError::Shape { path, message } => {
                CcdError::Input { path: path.unwrap_or_default(), message }
            }
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, CcdError>;
