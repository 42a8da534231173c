//! Rubric files: weighted key concepts with alias phrases, hints and misconceptions.
//!
//! This module only describes and reads the format; scoring lives in `grade`, checking in
//! `rubric::check`, and automatic drafting from a reference answer in `rubric::draft`.

pub mod check;
pub mod draft;

use serde::{Deserialize, Serialize};

/// The rubric of one question (`rubrics/<question-id>.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub question_id: String,
    /// True while the rubric is an automatic draft that nobody has curated yet.
    #[serde(default)]
    pub drafted: bool,
    /// How this rubric turns coverage into a score, when it differs from `[grading]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<Scoring>,
    #[serde(default, rename = "concept")]
    pub concepts: Vec<Concept>,
    #[serde(
        default,
        rename = "misconception",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub misconceptions: Vec<Misconception>,
}

/// Per-rubric scoring constants (`[scoring]` in a rubric file); unset ones come from
/// `[grading]` of the configuration. Drafts of short reference answers use them: each key term
/// is a concept, so a term named without explanation still counts in full, and covering some of
/// the terms already shows the idea (the score rises as a root of the coverage).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    /// Share of the weight that earns full marks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_marks_coverage: Option<f64>,
    /// Share of a concept's weight earned when it is only named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bare_mention_credit: Option<f64>,
    /// The score is `100 * (coverage / full_marks_coverage) ^ coverage_exponent` (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage_exponent: Option<f64>,
    /// Aliases match whatever their polarity (default false): a term where the answer negates
    /// it, and a negated alias ("not included") where the answer does not. In a short answer
    /// the negation belongs to the clause, not to one term: "no held-out set" and "the
    /// held-out set is not kept apart" both name the held-out set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_negated: Option<bool>,
    /// Share of the score (0–1, default 0) given by a second similarity: how many of the
    /// answer's own words (not repeating the question) the reference answer also uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_blend: Option<f64>,
}

/// One idea a good answer contains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concept {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// An answer that misses a required concept is capped, however much else it covers.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    pub aliases: Vec<String>,
    #[serde(default)]
    pub hint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint_en: Option<String>,
}

/// A wrong claim that candidates make, and what it costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Misconception {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    pub phrases: Vec<String>,
    /// Points taken off a 0–100 score.
    #[serde(default = "default_penalty")]
    pub penalty: f64,
    #[serde(default)]
    pub explanation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation_en: Option<String>,
}

fn default_weight() -> f64 {
    1.0
}

fn default_penalty() -> f64 {
    15.0
}

impl Rubric {
    pub fn total_weight(&self) -> f64 {
        self.concepts.iter().map(|c| c.weight.max(0.0)).sum()
    }

    /// Serialise for writing to `rubrics/<id>.toml`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

/// Text in the interface language, falling back to the Russian original.
pub fn localized<'a>(ru: &'a str, en: Option<&'a str>, english: bool) -> &'a str {
    match en {
        Some(en) if english && !en.trim().is_empty() => en,
        _ => ru,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rubric_round_trips_through_toml() {
        let rubric = Rubric {
            question_id: "q".into(),
            drafted: true,
            scoring: Some(Scoring {
                coverage_exponent: Some(0.5),
                ..Scoring::default()
            }),
            concepts: vec![Concept {
                id: "c".into(),
                label: "Метка".into(),
                label_en: Some("Label".into()),
                weight: 2.0,
                required: true,
                aliases: vec!["градиент".into(), "gradient".into()],
                hint: "Подсказка".into(),
                hint_en: None,
            }],
            misconceptions: vec![],
        };
        let text = rubric.to_toml();
        let back: Rubric = toml::from_str(&text).unwrap();
        assert_eq!(back, rubric);
    }

    #[test]
    fn integer_weights_are_accepted() {
        let rubric: Rubric = toml::from_str(
            "question_id = \"q\"\n[[concept]]\nid = \"c\"\nlabel = \"l\"\nweight = 3\naliases = [\"a\"]\n",
        )
        .unwrap();
        assert_eq!(rubric.concepts[0].weight, 3.0);
    }
}
