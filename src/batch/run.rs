//! The `grade --batch FILE|-` command around the [`pipeline`](super::pipeline): where lines come
//! from and go to, the group report, the model's grades, progress on a terminal, and the exit
//! status (1 when any line could not be graded).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::pipeline::{self, Flow, Graded, Options};
use super::LineResult;
use crate::bank::Bank;
use crate::cli::{GradeArgs, GradeFormat};
use crate::error::{ExitStatus, InputError};
use crate::grade::GradeSettings;
use crate::llm::LlmGrader;
use crate::output::{diagln, OutputError, OutputFile};
use crate::report::group::GroupCollector;
use crate::report::ReportFormat;
use crate::ui::Lang;

/// Grade the batch at `batch_path` (`-`: standard input) as `args` ask.
pub fn grade_batch(
    bank: &Bank,
    args: &GradeArgs,
    batch_path: &Path,
    llm: Option<&LlmGrader>,
    settings: &GradeSettings,
    lang: Lang,
) -> anyhow::Result<ExitStatus> {
    if matches!(args.format, Some(GradeFormat::Text | GradeFormat::Json)) {
        return Err(InputError::Other(
            "--batch writes JSON Lines: use --format jsonl (the default)".into(),
        )
        .into());
    }
    let (input, size) = open_input(batch_path)?;
    let report_format = args
        .report
        .as_deref()
        .map(|path| crate::report::write::pick_format(None, Some(path), ReportFormat::Html))
        .transpose()?;
    // Outputs are opened before any work, so a place that cannot be written fails at once.
    let out = args.out.as_deref().map(OutputFile::create).transpose()?;
    let report = match (&args.report, report_format) {
        (Some(path), Some(format)) => {
            let file = OutputFile::create(path)?;
            let scratch_dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let collector =
                GroupCollector::new(format, lang, scratch_dir).map_err(|e| file.error(e))?;
            Some((file, collector))
        }
        _ => None,
    };
    let stdout = io::stdout();
    // Output lines on the same terminal would be drawn over by the bar; they show progress.
    let show_progress = io::stderr().is_terminal() && (out.is_some() || !stdout.is_terminal());
    let total = match size {
        // Counting the lines first costs a read of the file, nothing beside a model's seconds
        // per line.
        Some(_) if show_progress && llm.is_some() => {
            count_lines(batch_path).map_or(Total::Unknown, Total::Lines)
        }
        Some(size) => Total::Bytes(size),
        None => Total::Unknown,
    };
    let mut sink = Sink {
        out: match out {
            Some(file) => Destination::File(file),
            None => Destination::Stdout {
                writer: BufWriter::with_capacity(64 * 1024, stdout.lock()),
                closed: false,
            },
        },
        report,
        lines: 0,
        errors: 0,
        fallback_reasons: BTreeSet::new(),
        progress: Progress::new(show_progress, total, llm.is_some(), lang),
    };
    let mut options = Options::new(rayon::current_num_threads(), settings.max_answer_bytes);
    if llm.is_none() {
        options.serialize = Some(lang.is_en());
    }
    // `sobes grade --batch` ends the process when this returns.
    options.leave_memos = true;
    if size.is_some() {
        // A regular file: its lines are all there, so workers take them a chunk at a time.
        options.chunk_lines = 16;
    }
    let chunk = llm.map_or(1, |grader| (grader.concurrency() * 4).clamp(16, 256));
    let mut pending: Vec<(LineResult, usize)> = Vec::new();
    let outcome = pipeline::run(input, bank, settings, &options, |graded: Graded| {
        let Some(grader) = llm else {
            let line = graded.json.as_deref().unwrap_or_default();
            return sink.emit(&graded.result, line, None, graded.input_bytes);
        };
        pending.push((graded.result, graded.input_bytes));
        if pending.len() < chunk {
            return Ok(Flow::Continue);
        }
        sink.emit_graded_by(grader, bank, lang, &mut pending)
    })?;
    let mut stopped = false;
    if let Some(grader) = llm {
        stopped = sink.emit_graded_by(grader, bank, lang, &mut pending)? == Flow::Stop;
    }
    let Sink {
        out,
        report,
        lines,
        errors,
        fallback_reasons,
        progress,
    } = sink;
    progress.finish();
    match out {
        Destination::File(file) => file.commit()?,
        Destination::Stdout { mut writer, closed } => {
            if !closed && !stopped {
                match writer.flush().map_err(OutputError::from) {
                    // A reader that closed the pipe has what it wanted; the report is still
                    // written.
                    Ok(()) | Err(OutputError::Closed) => {}
                    Err(failed) => return Err(failed.into()),
                }
            }
        }
    }
    if let Some(grader) = llm {
        let reasons: Vec<&str> = fallback_reasons.iter().map(String::as_str).collect();
        crate::llm::run::print_summary(grader, lang, &reasons);
    }
    if let Some((mut file, collector)) = report {
        collector
            .finish(bank, file.writer())
            .map_err(|e| file.error(e))?;
        let path = file.path().to_path_buf();
        file.commit()?;
        diagln!("{} {}", lang.pick("Отчёт:", "Report:"), path.display());
    }
    let mut status = ExitStatus::Success;
    if let Some((line, error)) = outcome.read_error {
        diagln!(
            "sobes: {}",
            match lang {
                Lang::Ru => format!(
                    "чтение {} прервалось на строке {line}: {error}; строки до неё оценены и записаны",
                    batch_path.display()
                ),
                Lang::En => format!(
                    "reading {} failed at line {line}: {error}; the lines before it were graded and written",
                    batch_path.display()
                ),
            }
        );
        status = ExitStatus::Failure;
    }
    if errors > 0 {
        diagln!(
            "{}",
            match lang {
                Lang::Ru => format!(
                    "sobes: {errors} из {lines} строк не оценены (см. поле \"error\")"
                ),
                Lang::En => format!(
                    "sobes: {errors} of {lines} lines could not be graded (see their \"error\" field)"
                ),
            }
        );
        status = ExitStatus::Failure;
    }
    Ok(status)
}

/// The batch's input and its size in bytes when it is a regular file.
fn open_input(path: &Path) -> Result<(Box<dyn BufRead + Send>, Option<u64>), InputError> {
    if path.as_os_str() == "-" {
        return Ok((
            Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
            None,
        ));
    }
    let cannot_read =
        |e: io::Error| InputError::Other(format!("cannot read batch file {}: {e}", path.display()));
    let file = File::open(path).map_err(cannot_read)?;
    let meta = file.metadata().map_err(cannot_read)?;
    if meta.is_dir() {
        return Err(cannot_read(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a directory",
        )));
    }
    let size = meta.is_file().then_some(meta.len());
    Ok((Box::new(BufReader::with_capacity(1 << 16, file)), size))
}

enum Destination<'a> {
    File(OutputFile),
    Stdout {
        writer: BufWriter<io::StdoutLock<'a>>,
        /// The reader went away: output is dropped, the report still written.
        closed: bool,
    },
}

/// Where each graded line goes, in input order.
struct Sink<'a> {
    out: Destination<'a>,
    report: Option<(OutputFile, GroupCollector)>,
    lines: usize,
    errors: usize,
    /// Why the model was not used, each reason once.
    fallback_reasons: BTreeSet<String>,
    progress: Progress,
}

impl Sink<'_> {
    /// Write one output line and add the result to the report. `llm_value` is the output
    /// object when the model graded too.
    fn emit(
        &mut self,
        result: &LineResult,
        line: &str,
        llm_value: Option<&Value>,
        input_bytes: usize,
    ) -> anyhow::Result<Flow> {
        self.lines += 1;
        self.errors += usize::from(result.is_error());
        self.progress.advance(input_bytes);
        if let Some((file, collector)) = &mut self.report {
            collector
                .add(result, llm_value)
                .map_err(|e| file.error(e))?;
        }
        match &mut self.out {
            Destination::File(file) => {
                file.write_all(line.as_bytes())?;
                file.write_all(b"\n")?;
            }
            Destination::Stdout { writer, closed } => {
                if *closed {
                    return Ok(Flow::Continue);
                }
                let written = writer
                    .write_all(line.as_bytes())
                    .and_then(|()| writer.write_all(b"\n"));
                match written.map_err(OutputError::from) {
                    Ok(()) => {}
                    Err(OutputError::Closed) => {
                        *closed = true;
                        if self.report.is_none() {
                            return Ok(Flow::Stop);
                        }
                    }
                    Err(failed) => return Err(failed.into()),
                }
            }
        }
        Ok(Flow::Continue)
    }

    /// Have the model grade the `pending` lines, then write them.
    fn emit_graded_by(
        &mut self,
        grader: &LlmGrader,
        bank: &Bank,
        lang: Lang,
        pending: &mut Vec<(LineResult, usize)>,
    ) -> anyhow::Result<Flow> {
        if pending.is_empty() {
            return Ok(Flow::Continue);
        }
        let (results, sizes): (Vec<LineResult>, Vec<usize>) = pending.drain(..).unzip();
        // The bar moves as the model grades each line, ahead of the lines written.
        let bar = self.progress.bar.clone();
        let base = self.lines as u64;
        let graded = AtomicU64::new(0);
        let on_graded = || {
            let graded = graded.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(bar) = &bar {
                bar.set_position(base + graded);
            }
        };
        let values = crate::llm::run::batch_values(grader, bank, &results, lang, &on_graded);
        for ((result, value), input_bytes) in results.iter().zip(&values).zip(sizes) {
            if let Some(reason) = value.get("llm_error").and_then(Value::as_str) {
                if !self.fallback_reasons.contains(reason) {
                    self.fallback_reasons.insert(reason.to_owned());
                }
            }
            let line = serde_json::to_string(value)?;
            if self.emit(result, &line, Some(value), input_bytes)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }
}

/// Lines done, rate and time left on standard error, only when it is a terminal. With a
/// model, the bar counts lines (the model takes seconds per line) and moves as each is graded.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    /// Positions are lines (with a model), not input bytes.
    by_lines: bool,
    lang: Lang,
    started: Instant,
    shown: Instant,
    lines: u64,
    bytes: u64,
}

/// What the bar measures against.
enum Total {
    Unknown,
    Bytes(u64),
    Lines(u64),
}

impl Progress {
    fn new(show: bool, total: Total, llm: bool, lang: Lang) -> Progress {
        let bar = show.then(|| {
            let (bar, template) = match (&total, llm) {
                (Total::Lines(lines), _) => (
                    indicatif::ProgressBar::new(*lines),
                    "{bar:30} {pos}/{len} {elapsed} {msg}",
                ),
                (Total::Bytes(size), false) => (
                    indicatif::ProgressBar::new(*size),
                    "{bar:30} {percent:>3}% {msg} · ETA {eta}",
                ),
                (_, true) => (
                    indicatif::ProgressBar::new_spinner(),
                    "{spinner} {pos} {elapsed} {msg}",
                ),
                (Total::Unknown, false) => {
                    (indicatif::ProgressBar::new_spinner(), "{spinner} {msg}")
                }
            };
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(10));
            bar.set_style(
                indicatif::ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            if llm {
                bar.set_message(lang.pick("оценка LLM", "LLM grading").to_owned());
            }
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            by_lines: llm,
            lang,
            started: now,
            shown: now,
            lines: 0,
            bytes: 0,
        }
    }

    fn advance(&mut self, input_bytes: usize) {
        let Some(bar) = &self.bar else { return };
        self.lines += 1;
        self.bytes += input_bytes as u64;
        if self.by_lines {
            bar.set_position(self.lines);
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.shown) < Duration::from_millis(100) {
            return;
        }
        self.shown = now;
        bar.set_position(self.bytes);
        let seconds = now.duration_since(self.started).as_secs_f64().max(1e-3);
        let rate = self.lines as f64 / seconds;
        bar.set_message(match self.lang {
            Lang::Ru => format!("{} строк · {rate:.0}/с", self.lines),
            Lang::En => format!("{} lines · {rate:.0}/s", self.lines),
        });
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// How many lines of a file hold something other than ASCII white space (what the batch
/// grades), read in constant memory.
fn count_lines(path: &Path) -> io::Result<u64> {
    let mut input = BufReader::with_capacity(1 << 16, File::open(path)?);
    let mut count = 0;
    let mut filled = false;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            return Ok(count + u64::from(filled));
        }
        for &byte in available {
            if byte == b'\n' {
                count += u64::from(filled);
                filled = false;
            } else if !byte.is_ascii_whitespace() {
                filled = true;
            }
        }
        let used = available.len();
        input.consume(used);
    }
}
