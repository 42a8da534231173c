//! The lexicon's synonyms applied to rubric phrases: an alias that uses one word of a synonym
//! group also matches the phrase with each other word of the group in its place, so
//! "борется с переобучением" also finds "борется с overfitting" and "борется с оверфиттингом".

use rustc_hash::FxHashMap;

use super::text::{self, Analyzed};
use crate::rubric::Lexicon;

/// Most variants one phrase may grow into.
const MAX_VARIANTS: usize = 24;

/// A member of a synonym group: its content stems and its text.
#[derive(Debug, Clone)]
struct Member {
    stems: Vec<String>,
    text: String,
}

/// Synonym groups prepared for rewriting phrases.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<Member>>,
    /// By the first stem of a member, the groups (indices into `groups`, in order) that have
    /// such a member: only those can apply to a phrase with that stem.
    by_first_stem: FxHashMap<String, Vec<usize>>,
}

fn content(analyzed: &Analyzed) -> Vec<(usize, &str)> {
    analyzed
        .tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_stop)
        .map(|(i, t)| (i, &*t.stem))
        .collect()
}

impl Synonyms {
    pub fn new(lexicon: &Lexicon) -> Synonyms {
        let groups = lexicon
            .synonyms
            .iter()
            .map(|group| {
                group
                    .terms
                    .iter()
                    .filter_map(|term| {
                        let stems: Vec<String> = content(&text::analyze_phrase(term))
                            .into_iter()
                            .map(|(_, s)| s.to_owned())
                            .collect();
                        (!stems.is_empty()).then(|| Member {
                            stems,
                            text: term.clone(),
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|g| g.len() >= 2)
            .collect::<Vec<_>>();
        let mut by_first_stem: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (index, group) in groups.iter().enumerate() {
            for member in group {
                let indices = by_first_stem.entry(member.stems[0].clone()).or_default();
                if indices.last() != Some(&index) {
                    indices.push(index);
                }
            }
        }
        Synonyms {
            groups,
            by_first_stem,
        }
    }

    /// The phrase and its variants with synonyms in place of the words they stand for.
    pub fn expand(&self, phrase: &str) -> Vec<String> {
        if self.groups.is_empty() {
            return vec![phrase.to_owned()];
        }
        self.expand_analyzed(phrase, &text::analyze_phrase(phrase))
    }

    /// [`Self::expand`] for a phrase already analysed: `analyzed` is `text::analyze(phrase)`.
    /// The first variant is always `phrase` itself.
    pub fn expand_analyzed(&self, phrase: &str, analyzed: &Analyzed) -> Vec<String> {
        let mut out = vec![phrase.to_owned()];
        if self.groups.is_empty() {
            return out;
        }
        let words = content(analyzed);
        // A group applies only through a member whose first stem is a word of the phrase:
        // the others are skipped, and the rest taken in their order as before.
        let mut candidates: Vec<usize> = words
            .iter()
            .filter_map(|(_, stem)| self.by_first_stem.get(*stem))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for group in candidates.iter().map(|&g| &self.groups[g]) {
            for member in group {
                let n = member.stems.len();
                let Some(start) = (0..words.len().saturating_sub(n - 1)).find(|&s| {
                    words[s..s + n]
                        .iter()
                        .zip(&member.stems)
                        .all(|((_, a), b)| a == b)
                }) else {
                    continue;
                };
                let (first, last) = (words[start].0, words[start + n - 1].0);
                let before = join(analyzed, 0, first);
                let after = join(analyzed, last + 1, analyzed.tokens.len());
                for other in group.iter().filter(|m| m.text != member.text) {
                    let variant = [before.as_str(), other.text.as_str(), after.as_str()]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(" ");
                    if !out.contains(&variant) {
                        out.push(variant);
                    }
                    if out.len() >= MAX_VARIANTS {
                        return out;
                    }
                }
                break;
            }
        }
        out
    }
}

fn join(analyzed: &Analyzed, from: usize, to: usize) -> String {
    analyzed.tokens[from..to]
        .iter()
        .map(|t| t.word.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rubric::lexicon::SynonymGroup;

    fn synonyms() -> Synonyms {
        Synonyms::new(&Lexicon {
            synonyms: vec![
                SynonymGroup {
                    terms: vec![
                        "переобучение".into(),
                        "overfitting".into(),
                        "подгонка под шум".into(),
                    ],
                },
                SynonymGroup {
                    terms: vec!["дисперсия".into(), "разброс".into()],
                },
            ],
            terms: Default::default(),
        })
    }

    #[test]
    fn a_word_of_a_group_brings_the_others_in_any_word_form() {
        let variants = synonyms().expand("борется с переобучением");
        assert!(variants.contains(&"борется с переобучением".to_owned()));
        assert!(variants.contains(&"борется с overfitting".to_owned()));
        assert!(variants.contains(&"борется с подгонка под шум".to_owned()));
    }

    #[test]
    fn several_groups_apply_and_phrases_without_synonyms_stay_alone() {
        let variants = synonyms().expand("высокая дисперсия");
        assert_eq!(variants, vec!["высокая дисперсия", "высокая разброс"]);
        assert_eq!(synonyms().expand("learning rate"), vec!["learning rate"]);
    }
}
