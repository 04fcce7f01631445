use std::path::PathBuf;

/// Everything that can go wrong reading or writing an array file. Every variant names the file and
/// says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The operating system refused an operation on the file.
    #[error("{}: {error}", path.display())]
    Os {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error (shown in the message, not repeated as a cause).
        error: std::io::Error,
    },
    /// The file's content is not what the format requires.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file concerned.
        path: PathBuf,
        /// What was wrong and how to fix it.
        message: String,
    },
    /// The array has the wrong shape for its use.
    #[error("{}{message}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Shape {
        /// The file concerned, when there is one.
        path: Option<PathBuf>,
        /// What shape was expected and what was found.
        message: String,
    },
}

impl IoError {
    pub(crate) fn os(path: &std::path::Path, source: std::io::Error) -> Self {
        IoError::Os { path: path.to_path_buf(), error: source }
    }
    pub(crate) fn format(path: &std::path::Path, message: impl Into<String>) -> Self {
        IoError::Format { path: path.to_path_buf(), message: message.into() }
    }
}
