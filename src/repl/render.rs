//! Terminal text for the end of a session, `sobes history` and `sobes stats`.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use crate::history::{AnswerRecord, SessionRow};
use crate::session::summary::{Mean, Summary};
use crate::ui::{bar, sanitize, truncate, Band, Style, Ui};

/// "42 s", "3:05".
pub fn duration(seconds: f64) -> String {
    let whole = seconds.max(0.0).round() as u64;
    if whole < 60 {
        format!("{whole} s")
    } else {
        format!("{}:{:02}", whole / 60, whole % 60)
    }
}

/// Pad to a display width (Cyrillic and CJK safe).
fn pad(text: &str, width: usize) -> String {
    let shown = text.width();
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}

fn means_line(means: &[Mean]) -> String {
    means
        .iter()
        .map(|m| format!("{} {:.0}% ({})", m.key, m.mean, m.count))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The end-of-session summary: the table of questions, means, the level estimate, what to revise.
pub fn summary(answers: &[AnswerRecord], summary: &Summary, ui: &Ui) -> String {
    let en = ui.lang.is_en();
    let mut out = String::new();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        ui.paint(
            Style::Bold,
            ui.lang.pick("Итоги собеседования", "Interview summary")
        )
    );
    if answers.is_empty() {
        let _ = writeln!(out, "{}", ui.lang.pick("Ответов нет.", "No answers."));
        return out;
    }
    let id_width = answers
        .iter()
        .map(|a| a.question_id.width())
        .max()
        .unwrap_or(0)
        .clamp(8, 34);
    let _ = writeln!(
        out,
        "{}",
        ui.paint(
            Style::Dim,
            &format!(
                " #  {}  {}  {}  {}",
                pad(ui.lang.pick("вопрос", "question"), id_width),
                pad(ui.lang.pick("уровень", "level"), 7),
                pad(ui.lang.pick("оценка", "score"), 6),
                ui.lang.pick("время", "time"),
            )
        )
    );
    for answer in answers {
        let score = if answer.is_skipped() {
            pad(ui.lang.pick("пропуск", "skipped"), 6)
        } else {
            format!("{:>6.0}", answer.score)
        };
        let _ = writeln!(
            out,
            "{:>2}  {}  {}  {}  {}",
            answer.position,
            pad(&truncate(&answer.question_id, id_width), id_width),
            pad(answer.level.as_str(), 7),
            ui.paint(Band::of(answer.score).style(), &score),
            duration(answer.seconds)
        );
    }
    if let Some(mean) = summary.mean {
        let _ = writeln!(
            out,
            "{} {mean:.0}/100  {}",
            ui.lang.pick("Средняя оценка:", "Mean score:"),
            ui.paint(Band::of(mean).style(), &bar(mean, 20))
        );
    }
    let _ = writeln!(
        out,
        "{} {}",
        ui.lang.pick("По уровням:", "By level:"),
        means_line(&summary.by_level)
    );
    let _ = writeln!(
        out,
        "{}",
        ui.wrap(
            &format!(
                "{} {}",
                ui.lang.pick("По темам:", "By topic:"),
                means_line(&summary.by_topic)
            ),
            ""
        )
    );
    if let Some(estimate) = &summary.estimate {
        let _ = writeln!(
            out,
            "{} {}",
            ui.paint(
                Style::Bold,
                ui.lang.pick("Оценка уровня:", "Estimated level:")
            ),
            estimate.reasoning(en)
        );
        let _ = writeln!(
            out,
            "{}",
            ui.paint(
                Style::Dim,
                &format!(
                    "{} {:.0}%, {} {:.0}%.",
                    ui.lang
                        .pick("Уровень засчитывается от", "A level counts as passed from"),
                    estimate.thresholds.pass,
                    ui.lang.pick("«близко» — от", "\"close\" from"),
                    estimate.thresholds.close
                )
            )
        );
    }
    if !summary.weakest.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            ui.paint(
                Style::Bold,
                ui.lang.pick("Что повторить:", "What to revise:")
            )
        );
        for weak in &summary.weakest {
            let mut line = format!("• {} {:.0}%", weak.topic, weak.mean);
            if !weak.revise.is_empty() {
                let revise: Vec<String> = weak.revise.iter().map(|r| sanitize(r)).collect();
                line.push_str(&format!(" — {}", revise.join("; ")));
            }
            let _ = writeln!(out, "{}", ui.wrap(&line, ""));
        }
    }
    out
}

/// `sobes history` as a table.
pub fn history_table(sessions: &[SessionRow], ui: &Ui) -> String {
    if sessions.is_empty() {
        return format!(
            "{}\n",
            ui.lang.pick(
                "История пуста: начните собеседование командой sobes.",
                "No history yet: start an interview with sobes."
            )
        );
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        ui.paint(
            Style::Dim,
            &format!(
                "{:>4}  {}  {}  {}  {}  {}",
                "id",
                pad(ui.lang.pick("начало", "started"), 20),
                pad(ui.lang.pick("уровень", "level"), 8),
                pad(ui.lang.pick("ответов", "answered"), 8),
                pad(ui.lang.pick("средняя", "mean"), 7),
                ui.lang.pick("состояние", "state"),
            )
        )
    );
    for session in sessions {
        let mean = session
            .mean_score
            .map_or_else(|| "—".to_owned(), |m| format!("{m:.0}"));
        let state = if session.finished {
            ui.lang.pick("завершено", "finished")
        } else {
            ui.lang.pick("не завершено", "unfinished")
        };
        let _ = writeln!(
            out,
            "{:>4}  {}  {}  {}  {}  {}",
            session.id,
            pad(&session.started_at, 20),
            pad(&session.level, 8),
            pad(
                &format!("{}/{}", session.answered + session.skipped, session.planned),
                8
            ),
            pad(&mean, 7),
            if session.finished {
                state.to_owned()
            } else {
                ui.paint(Style::Warn, state)
            }
        );
    }
    out
}

/// `sobes stats`: progress by level and topic over time, and the level estimate over history.
pub fn stats(progress: &crate::session::progress::Progress, ui: &Ui) -> String {
    let en = ui.lang.is_en();
    let mut out = String::new();
    if progress.sessions == 0 {
        return history_table(&[], ui);
    }
    let _ = writeln!(
        out,
        "{} {}, {} {}",
        ui.lang.pick("Сессий:", "Sessions:"),
        progress.sessions,
        ui.lang.pick("ответов:", "answers:"),
        progress.answers
    );
    let heading = format!(
        "{}  {}  {}  {}  {}",
        pad("", 24),
        pad(ui.lang.pick("ответов", "answers"), 7),
        pad(ui.lang.pick("сначала", "first"), 7),
        pad(ui.lang.pick("сейчас", "recent"), 7),
        ui.lang.pick("все сессии", "every session"),
    );
    for (title, rows) in [
        (ui.lang.pick("По уровням", "By level"), &progress.by_level),
        (ui.lang.pick("По темам", "By topic"), &progress.by_topic),
    ] {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", ui.paint(Style::Bold, title));
        let _ = writeln!(out, "{}", ui.paint(Style::Dim, &heading));
        for row in rows.iter() {
            let trend = match row.recent - row.first {
                d if d >= 5.0 => ui.paint(Style::Good, "↑"),
                d if d <= -5.0 => ui.paint(Style::Bad, "↓"),
                _ => "→".to_owned(),
            };
            let _ = writeln!(
                out,
                "{}  {:>7}  {:>7.0}  {:>5.0} {trend}  {}",
                pad(&truncate(&row.key, 24), 24),
                row.count,
                row.first,
                row.recent,
                sparkline(&row.per_session)
            );
        }
    }
    if let Some(estimate) = &progress.estimate {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} {}",
            ui.paint(
                Style::Bold,
                ui.lang.pick(
                    "Уровень по последним ответам:",
                    "Level from recent answers:"
                )
            ),
            estimate.reasoning(en)
        );
    }
    out
}

/// ▁▂▃▄▅▆▇█ for scores 0–100.
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|v| BARS[((v.clamp(0.0, 100.0) / 100.0) * 7.0).round() as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sparklines() {
        assert_eq!(duration(4.4), "4 s");
        assert_eq!(duration(185.0), "3:05");
        assert_eq!(sparkline(&[0.0, 50.0, 100.0]), "▁▅█");
    }

    #[test]
    fn padding_counts_display_width() {
        assert_eq!(pad("ёж", 4), "ёж  ");
        assert_eq!(truncate("градиентный бустинг", 8), "градиен…");
        assert_eq!(truncate("короткий", 8), "короткий");
    }
}
