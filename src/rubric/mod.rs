//! Rubric files: weighted key concepts with alias phrases, hints and misconceptions.
//!
//! This module only describes and reads the format; scoring lives in `grade`, checking in
//! `rubric::check`, and automatic drafting from a reference answer in `rubric::draft`.

pub mod check;
pub mod draft;
pub mod lexicon;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use lexicon::Lexicon;

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
    /// Named terms that claims refer to (`bagging = ["бэггинг", "bagging"]`), besides the
    /// bank-wide ones of the lexicon.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub terms: BTreeMap<String, Vec<String>>,
    /// The things the question contrasts, as term names (`contrast = ["bagging", "boosting"]`):
    /// a concept the answer says only of another of them is a swapped claim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contrast: Vec<String>,
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
    /// The idea in plain words: each cue is word groups joined by `+`, alternatives by `|`
    /// ("случайно|random + выключаем|обнуляем|zero + нейроны|узлы"); all groups must occur
    /// close together in one sentence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cues: Vec<String>,
    /// Relations the concept states, `"<subject> <direction> <quantity>"` with names from
    /// `[terms]` or the lexicon and a direction of `reduces`, `increases`, `has`, `lacks`
    /// ("bagging reduces variance"). An answer that states the opposite, or gives the
    /// property to another subject, earns nothing for the concept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<String>,
    #[serde(default)]
    pub hint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint_en: Option<String>,
}

/// Which way a claim says a quantity goes, or whether a subject has a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    Reduces,
    Increases,
    Has,
    Lacks,
}

impl Direction {
    pub fn opposite(self) -> Direction {
        match self {
            Direction::Reduces => Direction::Increases,
            Direction::Increases => Direction::Reduces,
            Direction::Has => Direction::Lacks,
            Direction::Lacks => Direction::Has,
        }
    }

    fn parse(word: &str) -> Option<Direction> {
        Some(match word {
            "reduces" => Direction::Reduces,
            "increases" => Direction::Increases,
            "has" => Direction::Has,
            "lacks" => Direction::Lacks,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Reduces => "reduces",
            Direction::Increases => "increases",
            Direction::Has => "has",
            Direction::Lacks => "lacks",
        }
    }
}

/// A parsed claim: `subject direction quantity`, the names of terms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Claim {
    pub subject: String,
    pub direction: Direction,
    pub quantity: String,
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.subject,
            self.direction.as_str(),
            self.quantity
        )
    }
}

pub(crate) fn is_term_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Claim {
    /// Parse `"bagging reduces variance"`.
    pub fn parse(text: &str) -> Result<Claim, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let [subject, direction, quantity] = words[..] else {
            return Err(format!(
                "claim {text:?} is not \"<subject> <direction> <quantity>\""
            ));
        };
        let direction = Direction::parse(direction).ok_or_else(|| {
            format!(
                "claim {text:?}: direction {direction:?} is not one of reduces, increases, has, lacks"
            )
        })?;
        for name in [subject, quantity] {
            if !is_term_name(name) {
                return Err(format!(
                    "claim {text:?}: {name:?} is not a term name (lowercase letters, digits, '-')"
                ));
            }
        }
        if subject == quantity {
            return Err(format!("claim {text:?}: subject and quantity are the same"));
        }
        Ok(Claim {
            subject: subject.to_owned(),
            direction,
            quantity: quantity.to_owned(),
        })
    }
}

/// A parsed cue: groups of alternative words or phrases that must occur together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    pub groups: Vec<Vec<String>>,
}

impl Cue {
    /// Parse `"случайно|random + выключаем|zero + нейроны"`.
    pub fn parse(text: &str) -> Result<Cue, String> {
        let groups: Vec<Vec<String>> = text
            .split('+')
            .map(|group| {
                group
                    .split('|')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        if groups.iter().any(Vec::is_empty) {
            return Err(format!("cue {text:?} has an empty group"));
        }
        if groups.len() < 2 {
            return Err(format!(
                "cue {text:?} has one group: a cue joins two or more groups with '+' (one group is an alias)"
            ));
        }
        Ok(Cue { groups })
    }
}

/// A wrong claim that candidates make, and what it costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Misconception {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    /// Phrases of the wrong statement, matched within one statement (a clause, with what follows a dash).
    #[serde(default)]
    pub phrases: Vec<String>,
    /// The wrong statement in other words: cues as a concept's (`"adam + всегда|always +
    /// лучше|better + sgd"`), whose groups must all occur in one statement, none of them negated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cues: Vec<String>,
    /// Points taken off a 0–100 score.
    #[serde(default = "default_penalty")]
    pub penalty: f64,
    #[serde(default)]
    pub explanation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation_en: Option<String>,
    /// Concepts this wrong statement contradicts: an answer that states it earns nothing for
    /// them, however well it names their terms ("MSE штрафует линейно" against "MSE squares
    /// the error").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contradicts: Vec<String>,
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
            terms: Default::default(),
            contrast: Vec::new(),
            concepts: vec![Concept {
                id: "c".into(),
                label: "Метка".into(),
                label_en: Some("Label".into()),
                weight: 2.0,
                required: true,
                aliases: vec!["градиент".into(), "gradient".into()],
                cues: Vec::new(),
                claims: Vec::new(),
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
