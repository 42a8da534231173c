//! The bank-wide lexicon (`rubrics/_lexicon.toml`): Russian and English ML synonyms and
//! transliterations shared by every rubric, and named terms that claims refer to.
//!
//! One lexicon instead of per-rubric alias lists that each author extends differently: a
//! synonym written here makes every alias, cue and claim term that uses one of its words
//! match the others too.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The file name of the lexicon inside a bank's `rubrics/` folder.
pub const FILE_NAME: &str = "_lexicon.toml";

/// A group of words or phrases that mean the same thing ("переобучение", "overfitting").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymGroup {
    pub terms: Vec<String>,
}

/// The lexicon file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    #[serde(default)]
    pub synonyms: Vec<SynonymGroup>,
    /// Named terms for claims (`variance = ["дисперсия", "разброс", "variance"]`); a rubric's
    /// own `[terms]` add to these and win on a clash.
    #[serde(default)]
    pub terms: BTreeMap<String, Vec<String>>,
}

impl Lexicon {
    /// Problems that make the lexicon unusable: empty groups, one-word groups, bad names.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, group) in self.synonyms.iter().enumerate() {
            let filled = group.terms.iter().filter(|t| !t.trim().is_empty()).count();
            if filled < 2 || filled != group.terms.len() {
                out.push(format!(
                    "synonym group {} ({:?}) needs two or more non-empty terms",
                    i + 1,
                    group.terms
                ));
            }
        }
        for (name, phrases) in &self.terms {
            if !super::is_term_name(name) {
                out.push(format!(
                    "term name {name:?} is not lowercase letters, digits and '-'"
                ));
            }
            if phrases.is_empty() || phrases.iter().any(|p| p.trim().is_empty()) {
                out.push(format!("term {name:?} needs non-empty phrases"));
            }
        }
        out
    }
}
