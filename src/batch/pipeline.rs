//! The batch pipeline: a reader thread splits the input into lines, worker threads grade them,
//! and the calling thread receives the results in input order. At most `window_lines` lines
//! (and about `window_bytes` of input) are between the reader and the consumer at any time,
//! so memory does not depend on the size of the input, however slow one line is to grade.

use std::io::{self, BufRead};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, PoisonError};

use crate::bank::Bank;
use crate::grade::GradeSettings;

use super::{grade_line, LineResult};

/// How the pipeline runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Grading threads (at least one).
    pub workers: usize,
    /// The most lines read but not yet consumed.
    pub window_lines: usize,
    /// The most input bytes read but not yet consumed (one line is always let through).
    pub window_bytes: usize,
    /// A longer line is not read into memory: it is an error for that line.
    pub max_line_bytes: usize,
    /// Serialise each result as its output line on the worker (`Some(en)`): keyword-only
    /// batches, where the output line does not depend on anything else.
    pub serialize: Option<bool>,
    /// Lines handed to a worker at once (at least one). More than one saves a thread hand-off
    /// per line, but a line waits for the rest of its chunk to be read: for files, not for a
    /// pipe that may deliver one line at a time.
    pub chunk_lines: usize,
    /// The process ends after the run: a worker leaves its per-thread memos (words, phrases,
    /// matches; millions of small allocations) to the operating system instead of freeing
    /// them one by one as it exits (about a twentieth of a 10,000-line batch).
    pub leave_memos: bool,
}

impl Options {
    /// Defaults for `workers` threads and answers of at most `max_answer_bytes`.
    pub fn new(workers: usize, max_answer_bytes: usize) -> Options {
        let workers = workers.max(1);
        Options {
            workers,
            window_lines: (workers * 256).clamp(256, 4096),
            window_bytes: 16 << 20,
            max_line_bytes: max_line_bytes(max_answer_bytes),
            serialize: None,
            chunk_lines: 1,
            leave_memos: false,
        }
    }
}

/// The longest batch line read: room for an answer at its limit written with JSON escapes
/// (up to six bytes per byte), and for the id and question id.
pub fn max_line_bytes(max_answer_bytes: usize) -> usize {
    max_answer_bytes
        .saturating_mul(6)
        .saturating_add(64 * 1024)
        .max(1 << 20)
}

/// One graded line, handed to the consumer in input order.
#[derive(Debug)]
pub struct Graded {
    pub result: LineResult,
    /// The output line (without its line break) when [`Options::serialize`] asked for it.
    pub json: Option<String>,
    /// Input bytes this line took, its line break included.
    pub input_bytes: usize,
}

/// What the consumer wants next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Stop reading: nothing more is wanted (the reader of the output went away).
    Stop,
}

/// How a run ended.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Lines handed to the consumer.
    pub lines: usize,
    /// Reading the input failed after this many lines (1-based number of the line that could
    /// not be read) with this error; every line before it was graded.
    pub read_error: Option<(usize, io::Error)>,
}

/// A line as read: its bytes, or only its length when it is longer than the limit.
enum Text {
    Bytes(Vec<u8>),
    TooLong(usize),
}

struct Item {
    seq: usize,
    line: usize,
    text: Text,
    input_bytes: usize,
}

/// The reader's budget: how far it may run ahead of the consumer.
struct Window {
    state: Mutex<WindowState>,
    changed: Condvar,
}

struct WindowState {
    consumed: usize,
    bytes_in_flight: usize,
    stopped: bool,
}

/// Whether item `seq` of `bytes` may be admitted now.
enum Admitted {
    Yes,
    /// Not before the consumer takes more.
    NotYet,
    /// The run was stopped.
    Stopped,
}

impl Window {
    /// Admit item `seq` of `bytes` if it fits now, without waiting.
    fn try_admit(&self, seq: usize, bytes: usize, options: &Options) -> Admitted {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Self::admit_locked(&mut state, seq, bytes, options)
    }

    fn admit_locked(
        state: &mut WindowState,
        seq: usize,
        bytes: usize,
        options: &Options,
    ) -> Admitted {
        if state.stopped {
            return Admitted::Stopped;
        }
        let lines_fit = seq < state.consumed + options.window_lines;
        let bytes_fit =
            state.bytes_in_flight == 0 || state.bytes_in_flight + bytes <= options.window_bytes;
        if lines_fit && bytes_fit {
            state.bytes_in_flight += bytes;
            return Admitted::Yes;
        }
        Admitted::NotYet
    }

    /// Wait until item `seq` of `bytes` fits; false when the run was stopped.
    fn admit(&self, seq: usize, bytes: usize, options: &Options) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match Self::admit_locked(&mut state, seq, bytes, options) {
                Admitted::Yes => return true,
                Admitted::Stopped => return false,
                Admitted::NotYet => {}
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// The consumer took `lines` more lines of `bytes` in all.
    fn release(&self, lines: usize, bytes: usize) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.consumed += lines;
        state.bytes_in_flight = state.bytes_in_flight.saturating_sub(bytes);
        self.changed.notify_all();
    }

    fn stop(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.stopped = true;
        self.changed.notify_all();
    }
}

/// Grade every non-blank line of `input` and hand the results to `consume` in input order, on
/// the calling thread. A UTF-8 byte-order mark before line 1 is skipped; `\r\n` line ends are
/// accepted. An error from `consume` stops the run and is returned.
pub fn run<R, E>(
    input: R,
    bank: &Bank,
    settings: &GradeSettings,
    options: &Options,
    mut consume: impl FnMut(Graded) -> Result<Flow, E>,
) -> Result<Outcome, E>
where
    R: BufRead + Send,
{
    let window = Window {
        state: Mutex::new(WindowState {
            consumed: 0,
            bytes_in_flight: 0,
            stopped: false,
        }),
        changed: Condvar::new(),
    };
    let chunk_lines = options.chunk_lines.max(1);
    let (work_tx, work_rx) = mpsc::sync_channel::<Vec<Item>>(options.window_lines);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<Vec<(usize, Graded)>>();
    std::thread::scope(|scope| {
        let window = &window;
        let reader = scope.spawn(move || {
            let mut chunk: Vec<Item> = Vec::with_capacity(chunk_lines);
            let send = |chunk: &mut Vec<Item>| {
                chunk.is_empty()
                    || work_tx
                        .send(std::mem::replace(chunk, Vec::with_capacity(chunk_lines)))
                        .is_ok()
            };
            let result = read_lines(input, options.max_line_bytes, |seq, item| {
                let admitted = match window.try_admit(seq, item.input_bytes, options) {
                    Admitted::Yes => true,
                    Admitted::Stopped => false,
                    // The lines held back here may be what the consumer waits for.
                    Admitted::NotYet => {
                        send(&mut chunk) && window.admit(seq, item.input_bytes, options)
                    }
                };
                if !admitted {
                    return false;
                }
                chunk.push(item);
                chunk.len() < chunk_lines || send(&mut chunk)
            });
            send(&mut chunk);
            drop(work_tx);
            result
        });
        let mut workers = Vec::with_capacity(options.workers.max(1));
        for _ in 0..options.workers.max(1) {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            workers.push(scope.spawn(move || loop {
                let items = work_rx
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .recv();
                let Ok(items) = items else {
                    if options.leave_memos {
                        crate::grade::leave_thread_memos();
                    }
                    break;
                };
                let graded: Vec<(usize, Graded)> = items
                    .into_iter()
                    .map(|item| {
                        let graded = grade_item(bank, settings, options, item.line, item.text);
                        let graded = Graded {
                            input_bytes: item.input_bytes,
                            ..graded
                        };
                        (item.seq, graded)
                    })
                    .collect();
                if done_tx.send(graded).is_err() {
                    break;
                }
            }));
        }
        drop(done_tx);
        let consumed = consume_in_order(&done_rx, window, options, &mut consume);
        // Whatever ended the run, let the reader go; workers end when their channels close.
        window.stop();
        drop(done_rx);
        let read = reader.join().unwrap_or(Ok(()));
        // Join the workers by hand: the scope only waits for their closures to return, and
        // their thread-local memos are freed after that, so without the join a caller (and the
        // leak checker of the fuzz target) could see the run end while the memos still exist.
        for worker in workers {
            let _ = worker.join();
        }
        let lines = consumed?;
        Ok(Outcome {
            lines,
            read_error: read.err(),
        })
    })
}

/// Receive graded lines in any order and hand them to `consume` in input order, keeping at
/// most `window_lines` of them waiting.
fn consume_in_order<E>(
    done_rx: &mpsc::Receiver<Vec<(usize, Graded)>>,
    window: &Window,
    options: &Options,
    consume: &mut impl FnMut(Graded) -> Result<Flow, E>,
) -> Result<usize, E> {
    let mut waiting: Vec<Option<Graded>> = Vec::new();
    waiting.resize_with(options.window_lines, || None);
    let mut next = 0usize;
    for chunk in done_rx {
        for (seq, graded) in chunk {
            waiting[seq % options.window_lines] = Some(graded);
        }
        let (mut lines, mut bytes) = (0, 0);
        let mut flow = Flow::Continue;
        while let Some(graded) = waiting[next % options.window_lines].take() {
            bytes += graded.input_bytes;
            lines += 1;
            next += 1;
            flow = match consume(graded) {
                Ok(flow) => flow,
                Err(e) => {
                    window.release(lines, bytes);
                    return Err(e);
                }
            };
            if flow == Flow::Stop {
                break;
            }
        }
        // Released once per chunk: the reader is woken once, not once per line.
        window.release(lines, bytes);
        if flow == Flow::Stop {
            return Ok(next);
        }
    }
    Ok(next)
}

fn grade_item(
    bank: &Bank,
    settings: &GradeSettings,
    options: &Options,
    line: usize,
    text: Text,
) -> Graded {
    let result = match text {
        Text::Bytes(bytes) => grade_line(bank, settings, line, &bytes),
        Text::TooLong(bytes) => LineResult {
            line,
            id: None,
            question_id: None,
            answer: None,
            outcome: Err(format!(
                "line {line} is {bytes} bytes long, more than a batch line may be ({} bytes; \
                 an answer may have at most {} bytes)",
                options.max_line_bytes, settings.max_answer_bytes
            )),
        },
    };
    let json = options
        .serialize
        .map(|en| serde_json::to_string(&result.to_json(en)).unwrap_or_default());
    Graded {
        result,
        json,
        input_bytes: 0,
    }
}

/// Split `input` into lines and pass each non-blank one to `emit` with its sequence number;
/// stop when `emit` returns false. Lines longer than `max` are not kept, only measured.
fn read_lines<R: BufRead>(
    mut input: R,
    max: usize,
    mut emit: impl FnMut(usize, Item) -> bool,
) -> Result<(), (usize, io::Error)> {
    let mut line = 0usize;
    let mut seq = 0usize;
    loop {
        line += 1;
        let mut bytes = Vec::new();
        let mut length = 0usize;
        let mut blank = true;
        let mut ended = false;
        loop {
            let available = match input.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err((line, e)),
            };
            if available.is_empty() {
                break;
            }
            let (piece, newline) = match available.iter().position(|&b| b == b'\n') {
                Some(at) => (&available[..at], true),
                None => (available, false),
            };
            if length + piece.len() <= max {
                bytes.extend_from_slice(piece);
            } else {
                if !bytes.is_empty() {
                    blank = bytes.iter().all(u8::is_ascii_whitespace);
                    bytes = Vec::new();
                }
                blank = blank && piece.iter().all(u8::is_ascii_whitespace);
            }
            length += piece.len();
            let used = piece.len() + usize::from(newline);
            input.consume(used);
            if newline {
                ended = true;
                break;
            }
        }
        if length == 0 && !ended {
            return Ok(());
        }
        let input_bytes = length + usize::from(ended);
        let text = if length <= max {
            let mut start = 0;
            // A UTF-8 byte-order mark (Windows editors write one) is not part of line 1.
            if line == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
                start = 3;
            }
            let mut end = bytes.len();
            if bytes[start..end].ends_with(b"\r") {
                end -= 1;
            }
            if bytes[start..end].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if start > 0 || end < bytes.len() {
                bytes.truncate(end);
                bytes.drain(..start);
            }
            Text::Bytes(bytes)
        } else {
            if blank {
                continue;
            }
            Text::TooLong(length)
        };
        let item = Item {
            seq,
            line,
            text,
            input_bytes,
        };
        if !emit(seq, item) {
            return Ok(());
        }
        seq += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<(usize, Result<Vec<u8>, usize>)> {
        let mut out = Vec::new();
        read_lines(io::BufReader::with_capacity(4, input), max, |_, item| {
            out.push((
                item.line,
                match item.text {
                    Text::Bytes(b) => Ok(b),
                    Text::TooLong(n) => Err(n),
                },
            ));
            true
        })
        .unwrap();
        out
    }

    #[test]
    fn lines_are_split_numbered_and_blank_ones_skipped() {
        let got = lines(b"\xEF\xBB\xBFone\r\n\n  \t\ntwo\nthree", 100);
        assert_eq!(
            got,
            vec![
                (1, Ok(b"one".to_vec())),
                (4, Ok(b"two".to_vec())),
                (5, Ok(b"three".to_vec()))
            ]
        );
    }

    #[test]
    fn a_line_over_the_limit_is_measured_not_kept() {
        let got = lines(b"short\n0123456789abc\n             \nend\n", 10);
        assert_eq!(
            got,
            vec![
                (1, Ok(b"short".to_vec())),
                (2, Err(13)),
                (4, Ok(b"end".to_vec()))
            ]
        );
    }

    /// The output lines of a run over `input` with `options`, and how many lines it handed on.
    fn graded_lines(input: &[u8], options: &Options, stop_after: usize) -> (Vec<String>, usize) {
        use crate::bank::{Bank, BankSource};
        let bank = Bank::load(&BankSource::Bundled).unwrap();
        let settings = GradeSettings::default();
        let mut out = Vec::new();
        let outcome = run(
            io::BufReader::with_capacity(64, input),
            &bank,
            &settings,
            options,
            |graded| {
                out.push(graded.json.unwrap_or_default());
                Ok::<_, ()>(if out.len() >= stop_after {
                    Flow::Stop
                } else {
                    Flow::Continue
                })
            },
        )
        .unwrap();
        (out, outcome.lines)
    }

    #[test]
    fn chunks_of_lines_keep_input_order_in_a_narrow_window() {
        let mut input = Vec::new();
        for i in 0..40 {
            let line = match i % 4 {
                0 => format!(
                    r#"{{"id": {i}, "question_id": "bootstrap", "answer": "Бутстрэп: выборки с возвращением, {i}"}}"#
                ),
                1 => format!(
                    r#"{{"id": {i}, "question_id": "dbscan", "answer": "DBSCAN ищет плотные области"}}"#
                ),
                2 => "not json".to_owned(),
                _ => format!(r#"{{"id": {i}, "question_id": "no-such-question", "answer": "x"}}"#),
            };
            input.extend_from_slice(line.as_bytes());
            input.push(b'\n');
        }
        let mut one_by_one = Options::new(2, 64 * 1024);
        one_by_one.serialize = Some(true);
        let (expected, lines) = graded_lines(&input, &one_by_one, usize::MAX);
        assert_eq!(lines, 40);
        assert!(expected[0].contains(r#""id":0"#), "{}", expected[0]);
        assert!(expected[39].contains(r#""id":39"#), "{}", expected[39]);
        // Chunks larger than the window, and a byte budget of about two lines: the reader
        // must hand on what it holds before it waits, or the run would never end.
        for (window_lines, window_bytes, chunk_lines) in
            [(3, 200, 16), (5, 1 << 20, 4), (64, 1 << 20, 7)]
        {
            let options = Options {
                window_lines,
                window_bytes,
                chunk_lines,
                ..one_by_one.clone()
            };
            assert_eq!(
                graded_lines(&input, &options, usize::MAX),
                (expected.clone(), 40)
            );
            // A consumer that stops early gets the first lines, in order.
            let (first, handed) = graded_lines(&input, &options, 5);
            assert_eq!((first.as_slice(), handed), (&expected[..5], 5));
        }
    }

    #[test]
    fn a_lone_bom_or_carriage_return_is_blank() {
        assert!(lines(b"\xEF\xBB\xBF\n\r\n", 10).is_empty());
    }
}
