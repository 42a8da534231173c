//! The rules that keep LLM scoring hard to game: the rubric score bounds the result.
//!
//! - `blend`: `(1 - w) * rubric + w * llm`, clamped to `rubric ± band` (and 0–100).
//! - `llm`: the model's score.
//! - Either way, when the model and the rubric differ by more than the band the grade is
//!   flagged as a disagreement, and an answer that tries to instruct the grader, or a model
//!   grade backed by invented quotes, never scores above the rubric score.

use serde::{Deserialize, Serialize};

/// Which grader decides the score (`llm.mode`, `--mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The keyword rubric only (offline).
    #[default]
    Keyword,
    /// The rubric score, moved by the LLM within a band.
    Blend,
    /// The LLM's score (still capped for answers that address the grader).
    Llm,
}

impl Mode {
    /// Read `llm.mode` from the configuration.
    pub fn parse(text: &str) -> Option<Mode> {
        match text.trim() {
            "keyword" => Some(Mode::Keyword),
            "blend" => Some(Mode::Blend),
            "llm" => Some(Mode::Llm),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Keyword => "keyword",
            Mode::Blend => "blend",
            Mode::Llm => "llm",
        }
    }
}

/// Notes attached to a blended grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlendFlag {
    /// The answer tries to instruct the grader; the score is capped at the rubric's.
    Injection,
    /// The LLM and the rubric differ by more than the band.
    Disagreement,
    /// The LLM was not used; the rubric score stands.
    LlmFallback,
    /// The model quoted text that is not in the answer; its grade cannot raise the score.
    InventedQuotes,
}

/// The score and flags for a rubric score and an LLM score, both 0–100.
pub fn blend(
    mode: Mode,
    keyword: f64,
    llm: f64,
    weight: f64,
    band: f64,
    injection: bool,
    invented_quotes: bool,
) -> (f64, Vec<BlendFlag>) {
    // The configuration refuses non-finite values; a library caller's NaN must not become a
    // NaN score (history could not store it).
    let weight = if weight.is_finite() {
        weight.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let band = if band.is_finite() { band.max(0.0) } else { 0.0 };
    let mut flags = Vec::new();
    let mut score = match mode {
        Mode::Keyword => keyword,
        Mode::Blend => {
            let mixed = (1.0 - weight) * keyword + weight * llm;
            mixed.clamp((keyword - band).max(0.0), (keyword + band).min(100.0))
        }
        Mode::Llm => llm,
    };
    if (llm - keyword).abs() > band {
        flags.push(BlendFlag::Disagreement);
    }
    if injection {
        flags.push(BlendFlag::Injection);
        score = score.min(keyword);
    }
    if invented_quotes {
        flags.push(BlendFlag::InventedQuotes);
        score = score.min(keyword);
    }
    if !score.is_finite() {
        score = keyword;
    }
    ((score.clamp(0.0, 100.0) * 10.0).round() / 10.0, flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blend_mixes_within_the_band() {
        assert_eq!(
            blend(Mode::Blend, 50.0, 70.0, 0.5, 20.0, false, false),
            (60.0, vec![])
        );
        // The LLM says 100 where the rubric says 40: moved by the band only, and flagged.
        assert_eq!(
            blend(Mode::Blend, 40.0, 100.0, 1.0, 20.0, false, false),
            (60.0, vec![BlendFlag::Disagreement])
        );
        assert_eq!(
            blend(Mode::Blend, 90.0, 0.0, 1.0, 20.0, false, false),
            (70.0, vec![BlendFlag::Disagreement])
        );
        assert_eq!(
            blend(Mode::Blend, 95.0, 100.0, 1.0, 20.0, false, false).0,
            100.0
        );
    }

    #[test]
    fn llm_mode_takes_the_model_score() {
        assert_eq!(
            blend(Mode::Llm, 30.0, 45.0, 0.5, 20.0, false, false),
            (45.0, vec![])
        );
    }

    #[test]
    fn an_injection_never_raises_the_score() {
        for mode in [Mode::Blend, Mode::Llm] {
            let (score, flags) = blend(mode, 10.0, 100.0, 0.5, 20.0, true, false);
            assert_eq!(score, 10.0);
            assert!(flags.contains(&BlendFlag::Injection));
        }
        let (score, flags) = blend(Mode::Blend, 40.0, 60.0, 0.5, 20.0, false, true);
        assert_eq!((score, flags), (40.0, vec![BlendFlag::InventedQuotes]));
        // It may still lower it.
        assert_eq!(
            blend(Mode::Blend, 50.0, 20.0, 0.5, 20.0, true, false).0,
            35.0
        );
    }

    #[test]
    fn non_finite_settings_never_make_a_nan_score() {
        for (weight, band) in [(f64::NAN, 20.0), (0.5, f64::NAN), (f64::INFINITY, f64::NAN)] {
            for mode in [Mode::Blend, Mode::Llm] {
                let (score, _) = blend(mode, 40.0, 80.0, weight, band, false, false);
                assert!(score.is_finite(), "{weight} {band}");
            }
        }
        assert!(blend(Mode::Llm, 40.0, f64::NAN, 0.5, 20.0, false, false)
            .0
            .is_finite());
    }

    #[test]
    fn modes_parse() {
        for mode in [Mode::Keyword, Mode::Blend, Mode::Llm] {
            assert_eq!(Mode::parse(mode.as_str()), Some(mode));
        }
        assert_eq!(Mode::parse("smart"), None);
    }
}
