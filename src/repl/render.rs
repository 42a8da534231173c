//! Terminal text for the end of a session, `sobes history` and `sobes stats`.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use crate::history::{AnswerRecord, SessionRow};
use crate::messages::Msg;
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
        ui.paint(Style::Bold, Msg::InterviewSummary.text(ui.lang))
    );
    if answers.is_empty() {
        let _ = writeln!(out, "{}", Msg::NoAnswers.text(ui.lang));
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
                pad(Msg::ColumnQuestion.text(ui.lang), id_width),
                pad(Msg::ColumnLevel.text(ui.lang), 7),
                pad(Msg::ColumnScore.text(ui.lang), 6),
                Msg::ColumnTime.text(ui.lang),
            )
        )
    );
    for answer in answers {
        let score = if answer.is_skipped() {
            pad(Msg::CellSkipped.text(ui.lang), 6)
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
            Msg::MeanScore.text(ui.lang),
            ui.paint(Band::of(mean).style(), &bar(mean, 20))
        );
    }
    let _ = writeln!(
        out,
        "{} {}",
        Msg::ByLevel.text(ui.lang),
        means_line(&summary.by_level)
    );
    let _ = writeln!(
        out,
        "{}",
        ui.wrap(
            &format!(
                "{} {}",
                Msg::ByTopic.text(ui.lang),
                means_line(&summary.by_topic)
            ),
            ""
        )
    );
    if let Some(estimate) = &summary.estimate {
        let _ = writeln!(
            out,
            "{} {}",
            ui.paint(Style::Bold, Msg::EstimatedLevel.text(ui.lang)),
            estimate.reasoning(en)
        );
        let _ = writeln!(
            out,
            "{}",
            ui.paint(
                Style::Dim,
                &format!(
                    "{} {:.0}%, {} {:.0}%.",
                    Msg::PassedFrom.text(ui.lang),
                    estimate.thresholds.pass,
                    Msg::CloseFrom.text(ui.lang),
                    estimate.thresholds.close
                )
            )
        );
    }
    if !summary.weakest.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            ui.paint(Style::Bold, Msg::WhatToRevise.text(ui.lang))
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
        return format!("{}\n", Msg::NoHistoryYet.text(ui.lang));
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
                pad(Msg::ColumnStarted.text(ui.lang), 20),
                pad(Msg::ColumnLevel.text(ui.lang), 8),
                pad(Msg::ColumnAnswered.text(ui.lang), 8),
                pad(Msg::ColumnMean.text(ui.lang), 7),
                Msg::ColumnState.text(ui.lang),
            )
        )
    );
    for session in sessions {
        let mean = session
            .mean_score
            .map_or_else(|| "—".to_owned(), |m| format!("{m:.0}"));
        let state = if session.finished {
            Msg::StateFinished.text(ui.lang)
        } else {
            Msg::StateUnfinished.text(ui.lang)
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
        Msg::SessionsLabel.text(ui.lang),
        progress.sessions,
        Msg::AnswersLabel.text(ui.lang),
        progress.answers
    );
    let heading = format!(
        "{}  {}  {}  {}  {}",
        pad("", 24),
        pad(Msg::ColumnAnswers.text(ui.lang), 7),
        pad(Msg::ColumnFirst.text(ui.lang), 7),
        pad(Msg::ColumnRecent.text(ui.lang), 7),
        Msg::ColumnEverySession.text(ui.lang),
    );
    for (title, rows) in [
        (Msg::ByLevelTitle.text(ui.lang), &progress.by_level),
        (Msg::ByTopicTitle.text(ui.lang), &progress.by_topic),
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
            ui.paint(Style::Bold, Msg::LevelFromRecent.text(ui.lang)),
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
