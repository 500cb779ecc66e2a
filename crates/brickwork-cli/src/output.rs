//! Inputs and atomic outputs: `-` means stdin/stdout; a file is written to a temporary file in the
//! destination directory, renamed into place only when everything succeeded, and removed otherwise.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use brickwork::{Error, Result};

/// Reads all of `path` (`-` = stdin).
pub fn read_input(path: &str) -> Result<Vec<u8>> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Error::io("reading stdin", e))?;
        Ok(buf)
    } else {
        fs::read(path).map_err(|e| Error::io(format!("reading {path}"), e))
    }
}

/// Writes `data` to `path` (`-` = stdout) atomically.
pub fn write_output(path: &str, data: &[u8]) -> Result<()> {
    if path == "-" {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(data)
            .and_then(|()| out.flush())
            .map_err(|e| Error::io("writing stdout", e));
    }
    let target = Path::new(path);
    let tmp = AtomicFile::create(target)?;
    tmp.write_and_commit(data)
}

/// A temporary file that becomes `target` on commit and is removed if dropped before.
struct AtomicFile {
    tmp: PathBuf,
    target: PathBuf,
    file: Option<fs::File>,
}

impl AtomicFile {
    fn create(target: &Path) -> Result<Self> {
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .ok_or_else(|| Error::io(target.display(), std::io::Error::other("not a file name")))?;
        let tmp = dir.join(format!(
            ".{}.brickwork-{}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| {
                Error::io(
                    format!("creating {} (as a temporary file first)", target.display()),
                    e,
                )
            })?;
        Ok(AtomicFile {
            tmp,
            target: target.to_path_buf(),
            file: Some(file),
        })
    }

    fn write_and_commit(mut self, data: &[u8]) -> Result<()> {
        let target = self.target.display().to_string();
        if let Some(mut f) = self.file.take() {
            f.write_all(data)
                .and_then(|()| f.sync_all())
                .map_err(|e| Error::io(format!("writing {target}"), e))?;
        }
        fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(format!("renaming into {target}"), e))?;
        self.tmp = PathBuf::new();
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}
