//! Where answer lines come from: a line editor on a terminal, or plain lines from a pipe, so
//! that a whole interview can be scripted.

use std::io::{self, BufRead};
use std::path::PathBuf;

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Config, Editor};

/// One read from the candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    Line(String),
    /// Ctrl-C.
    Interrupted,
    /// Ctrl-D at an empty line, or the end of piped input.
    Eof,
}

pub trait LineReader {
    fn read(&mut self, prompt: &str) -> io::Result<Read>;
    /// Remember a line in the editor's history (no-op for pipes).
    fn remember(&mut self, _line: &str) {}
    /// Save the editor's history (no-op for pipes).
    fn save(&mut self) {}
    /// Whether a person is typing (prompts and Ctrl-C hints make sense).
    fn interactive(&self) -> bool;
}

/// A rustyline editor with its history in the user's data directory.
pub struct TerminalReader {
    editor: Editor<(), DefaultHistory>,
    history_file: Option<PathBuf>,
}

impl TerminalReader {
    pub fn new(history_file: Option<PathBuf>) -> io::Result<TerminalReader> {
        let config = Config::builder()
            .auto_add_history(false)
            .max_history_size(1000)
            .map_err(io::Error::other)?
            .build();
        let mut editor = Editor::with_config(config).map_err(io::Error::other)?;
        if let Some(path) = &history_file {
            // A missing or unreadable history file only means an empty history.
            let _ = editor.load_history(path);
        }
        Ok(TerminalReader {
            editor,
            history_file,
        })
    }
}

impl LineReader for TerminalReader {
    fn read(&mut self, prompt: &str) -> io::Result<Read> {
        match self.editor.readline(prompt) {
            Ok(line) => Ok(Read::Line(line)),
            Err(ReadlineError::Interrupted) => Ok(Read::Interrupted),
            Err(ReadlineError::Eof) => Ok(Read::Eof),
            Err(ReadlineError::Io(e)) => Err(e),
            Err(e) => Err(io::Error::other(e)),
        }
    }

    fn remember(&mut self, line: &str) {
        if !line.trim().is_empty() {
            let _ = self.editor.add_history_entry(line);
        }
    }

    fn save(&mut self) {
        if let Some(path) = &self.history_file {
            if let Some(parent) = path.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            let _ = self.editor.save_history(path);
        }
    }

    fn interactive(&self) -> bool {
        true
    }
}

/// Plain lines from standard input (or any reader). A line longer than `max_line` bytes is
/// read in full but only its first `max_line + 1` bytes are kept, so the caller sees that it
/// is too long without the process holding gigabytes.
pub struct PipedReader<R> {
    reader: R,
    max_line: usize,
}

impl<R: BufRead> PipedReader<R> {
    pub fn new(reader: R, max_line: usize) -> PipedReader<R> {
        PipedReader { reader, max_line }
    }
}

impl<R: BufRead> LineReader for PipedReader<R> {
    fn read(&mut self, _prompt: &str) -> io::Result<Read> {
        let mut kept = Vec::new();
        let mut seen_any = false;
        loop {
            let buffer = self.reader.fill_buf()?;
            if buffer.is_empty() {
                break;
            }
            seen_any = true;
            let (chunk, done) = match buffer.iter().position(|&b| b == b'\n') {
                Some(i) => (&buffer[..=i], true),
                None => (buffer, false),
            };
            let room = (self.max_line + 1).saturating_sub(kept.len());
            kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            let used = chunk.len();
            self.reader.consume(used);
            if done {
                break;
            }
        }
        if !seen_any {
            return Ok(Read::Eof);
        }
        while kept.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
            kept.pop();
        }
        Ok(Read::Line(String::from_utf8_lossy(&kept).into_owned()))
    }

    fn interactive(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piped_lines_end_with_eof_and_long_lines_are_cut() {
        let text = format!("first\r\n\n{}\nlast", "x".repeat(50));
        let mut reader = PipedReader::new(text.as_bytes(), 10);
        assert_eq!(reader.read("").unwrap(), Read::Line("first".into()));
        assert_eq!(reader.read("").unwrap(), Read::Line(String::new()));
        assert_eq!(reader.read("").unwrap(), Read::Line("x".repeat(11)));
        assert_eq!(reader.read("").unwrap(), Read::Line("last".into()));
        assert_eq!(reader.read("").unwrap(), Read::Eof);
    }
}
