//! Everything sobes prints on standard output goes through here, so that a write error can never
//! panic the way `println!` does: a closed pipe (`sobes questions | head`) ends the command
//! quietly with status 0, any other error (`> /dev/full`) is reported and the status is 1.
//!
//! Diagnostics on standard error go through [`diag`]: if standard error itself cannot be
//! written there is nowhere left to report that, so the error is dropped.
//!
//! Files named by `--out` and `--report` are written by [`write_file`]: a regular file is
//! replaced atomically (a uniquely named temporary file next to it, then a rename), so a failed
//! write never leaves half a file; anything else (a symlink, `/dev/stdout`, `/dev/null`, a
//! FIFO) is written through in place, so it stays what it was.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Standard output could not be written.
#[derive(Debug, Error)]
pub enum OutputError {
    /// The reader went away (`EPIPE`): not an error for the user, who closed it on purpose.
    #[error("standard output was closed")]
    Closed,
    #[error("cannot write to standard output: {0}")]
    Failed(io::Error),
}

impl From<io::Error> for OutputError {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            OutputError::Closed
        } else {
            OutputError::Failed(error)
        }
    }
}

/// Write `text` to standard output and flush it, so that a failure is seen here.
pub fn print(text: &str) -> Result<(), OutputError> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// [`print()`] with a line break after `text`.
pub fn print_line(text: &str) -> Result<(), OutputError> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// A file could not be written (exit status 1, like any other output that failed).
#[derive(Debug, Error)]
#[error("cannot write {}: {reason}", path.display())]
pub struct WriteFileError {
    pub path: PathBuf,
    pub reason: io::Error,
}

/// Write `contents` to `path`; see the module documentation for how.
pub fn write_file(path: &Path, contents: &[u8]) -> Result<(), WriteFileError> {
    let mut file = OutputFile::create(path)?;
    file.write_all(contents)?;
    file.commit()
}

/// A file named by `--out` or `--report`, written as it goes and put in place by
/// [`commit`](OutputFile::commit): a regular file (or a new one) is written to a temporary
/// sibling and renamed over the target at the end, so a failure or a kill before then leaves
/// the old file as it was; anything else is written through in place.
pub struct OutputFile {
    path: PathBuf,
    file: io::BufWriter<File>,
    /// The temporary sibling to rename, and the permissions of the file it replaces.
    temporary: Option<(Temporary, Option<fs::Permissions>)>,
}

impl OutputFile {
    /// Open `path` for writing; a directory, or a place where nothing can be written, fails
    /// here, before any work is done.
    pub fn create(path: &Path) -> Result<OutputFile, WriteFileError> {
        let failed = |reason| WriteFileError {
            path: path.to_path_buf(),
            reason,
        };
        let (file, temporary) = match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(failed(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "it is a directory",
                )))
            }
            Ok(meta) if meta.is_file() => {
                create_replacement(path, Some(meta.permissions())).map_err(failed)?
            }
            // A symlink, FIFO, device or socket: renaming over it would replace it.
            Ok(_) => (open_in_place(path).map_err(failed)?, None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(dir) = parent_dir(path) {
                    fs::create_dir_all(dir).map_err(failed)?;
                }
                create_replacement(path, None).map_err(failed)?
            }
            Err(e) => return Err(failed(e)),
        };
        Ok(OutputFile {
            path: path.to_path_buf(),
            file: io::BufWriter::with_capacity(64 * 1024, file),
            temporary,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), WriteFileError> {
        self.file
            .write_all(bytes)
            .map_err(|reason| self.error(reason))
    }

    /// `reason` as a failure to write this file.
    pub fn error(&self, reason: io::Error) -> WriteFileError {
        WriteFileError {
            path: self.path.clone(),
            reason,
        }
    }

    /// A [`Write`] for code that writes through `io::Write`; map its errors with
    /// [`error`](OutputFile::error).
    pub fn writer(&mut self) -> &mut impl Write {
        &mut self.file
    }

    /// Flush and sync what was written and put it in place.
    pub fn commit(self) -> Result<(), WriteFileError> {
        let path = self.path;
        let failed = |reason| WriteFileError {
            path: path.clone(),
            reason,
        };
        let file = self.file.into_inner().map_err(|e| failed(e.into_error()))?;
        match self.temporary {
            Some((mut temporary, permissions)) => {
                if let Some(permissions) = permissions {
                    file.set_permissions(permissions).map_err(failed)?;
                }
                file.sync_all().map_err(failed)?;
                drop(file);
                fs::rename(&temporary.path, &path).map_err(failed)?;
                temporary.renamed = true;
            }
            None => {
                // Only a regular file has anything to sync; a pipe or a terminal refuses fsync.
                if file.metadata().map_err(failed)?.is_file() {
                    file.sync_all().map_err(failed)?;
                }
            }
        }
        Ok(())
    }
}

/// The directory a path's file lives in, when the path names one.
fn parent_dir(path: &Path) -> Option<&Path> {
    path.parent().filter(|p| !p.as_os_str().is_empty())
}

/// Open `path` as it is (following symlinks, into pipes and devices) for writing.
fn open_in_place(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
}

/// A temporary file that is removed unless it was renamed into place.
struct Temporary {
    path: PathBuf,
    renamed: bool,
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

type Replacement = (File, Option<(Temporary, Option<fs::Permissions>)>);

/// A temporary sibling of `path` to be renamed over it. `permissions` are those of the file
/// replaced, which the new one keeps.
fn create_replacement(
    path: &Path,
    permissions: Option<fs::Permissions>,
) -> io::Result<Replacement> {
    let dir = parent_dir(path).unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    match create_temporary(dir, &name) {
        Ok((file, temporary)) => Ok((
            file,
            Some((
                Temporary {
                    path: temporary,
                    renamed: false,
                },
                permissions,
            )),
        )),
        // A directory we may not create files in, holding a file we may write: write it in
        // place rather than not at all.
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied && permissions.is_some() => {
            Ok((open_in_place(path)?, None))
        }
        Err(e) => Err(e),
    }
}

/// An anonymous scratch file for output assembled at the end (a group report's rows): created
/// in the temporary directory, else in `fallback_dir`, and unlinked at once, so nothing is
/// left behind however the process ends.
pub fn scratch_file(fallback_dir: &Path) -> io::Result<File> {
    let (file, path) = match create_temporary(&std::env::temp_dir(), "scratch") {
        Ok(created) => created,
        Err(_) => create_temporary(fallback_dir, "scratch")?,
    };
    fs::remove_file(&path)?;
    Ok(file)
}

/// A new, uniquely named file `.NAME.PID-RANDOM.sobes-tmp` in `dir`: two outputs with the same
/// stem (`a.json`, `a.jsonl`) or two processes never share one.
fn create_temporary(dir: &Path, name: &str) -> io::Result<(File, PathBuf)> {
    let mut last_error = None;
    for _ in 0..16 {
        let path = dir.join(format!(
            ".{name}.{}-{}.sobes-tmp",
            std::process::id(),
            random_tag()
        ));
        match OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((file, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

/// 16 hex digits from the OS random source (the clock when there is none).
fn random_tag() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        bytes = nanos.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One line on standard error. Errors are ignored: standard error is the last resort.
pub fn diag(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.write_all(b"\n");
    let _ = err.flush();
}

/// `outln!("…", args)`: a line on standard output; `?` it.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::print_line(&format!($($arg)*))
    };
}

/// `out!("…", args)`: text on standard output without a line break; `?` it.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::print(&format!($($arg)*))
    };
}

/// `diagln!("…", args)`: a line on standard error that never fails.
macro_rules! diagln {
    ($($arg:tt)*) => {
        $crate::output::diag(&format!($($arg)*))
    };
}

pub(crate) use {diagln, out, outln};

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sobes-tmp"))
            .collect()
    }

    #[test]
    fn regular_files_are_replaced_keeping_their_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        write_file(&path, b"one").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_file(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_directory_is_refused_and_nothing_is_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let error = write_file(dir.path(), b"x").unwrap_err();
        assert!(error.to_string().contains("it is a directory"), "{error}");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn temporary_names_differ_for_the_same_stem() {
        let dir = tempfile::tempdir().unwrap();
        let (_a, first) = create_temporary(dir.path(), "a.json").unwrap();
        let (_b, second) = create_temporary(dir.path(), "a.json").unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn a_broken_pipe_is_a_closed_output_and_other_errors_fail() {
        let closed = OutputError::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(matches!(closed, OutputError::Closed));
        let full = OutputError::from(io::Error::from_raw_os_error(28));
        assert!(matches!(full, OutputError::Failed(_)));
        assert!(full
            .to_string()
            .starts_with("cannot write to standard output: "));
    }
}
