//! Outputs appear whole or not at all: write under a temporary name in the same folder, then rename.

use crate::IoError;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A temporary path beside a final destination. Write the file at [`AtomicPath::temp`] (with any
/// library, e.g. cfitsio or HDF5, that wants a path), then call [`AtomicPath::commit`] to rename it
/// into place. Dropped without commit, the temporary file is removed.
#[derive(Debug)]
pub struct AtomicPath {
    temp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl AtomicPath {
    /// Prepares a temporary name for `dest` (`.NAME.PID.tmp` in the destination's folder) and
    /// removes any stale file of that name.
    pub fn new(dest: &Path) -> Self {
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
        let temp_name = format!(".{name}.{}.tmp", std::process::id());
        let temp = match dest.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join(temp_name),
            _ => PathBuf::from(temp_name),
        };
        let _ = std::fs::remove_file(&temp);
        Self { temp, dest: dest.to_path_buf(), committed: false }
    }

    /// Where to write the content.
    pub fn temp(&self) -> &Path {
        &self.temp
    }

    /// The final destination.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Moves the finished temporary file to its destination (atomic on one filesystem).
    pub fn commit(mut self) -> Result<(), IoError> {
        std::fs::rename(&self.temp, &self.dest).map_err(|e| IoError::os(&self.dest, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for AtomicPath {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes `dest` atomically: `fill` writes the content into a buffered temporary file, which is
/// flushed, synced and renamed into place only if `fill` succeeds.
pub fn write_atomic<F>(dest: &Path, fill: F) -> Result<(), IoError>
where
    F: FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
{
    let atomic = AtomicPath::new(dest);
    let file = File::create(atomic.temp()).map_err(|e| IoError::os(dest, e))?;
    let mut writer = BufWriter::new(file);
    fill(&mut writer).map_err(|e| IoError::os(dest, e))?;
    writer.flush().map_err(|e| IoError::os(dest, e))?;
    let file = writer.into_inner().map_err(|e| IoError::os(dest, e.into_error()))?;
    file.sync_all().map_err(|e| IoError::os(dest, e))?;
    atomic.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_fill_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("starmill-io-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dest = dir.join("out.bin");
        let result = write_atomic(&dest, |w| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("interrupted"))
        });
        assert!(result.is_err());
        assert!(!dest.exists());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "temporary file left behind");
        write_atomic(&dest, |w| w.write_all(b"whole")).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"whole");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
