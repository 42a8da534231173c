//! Plain-language recall: an idea stated without the textbook term.
//!
//! A cue is groups of alternative words that must occur close together in one sentence:
//! "случайно|random + выключаем|обнуляем|zero + нейроны|узлы" finds "на каждом шаге мы
//! случайно выключаем часть узлов" although the answer never says "dropout". Words match as
//! rubric aliases do (word forms, typos, scripts, the lexicon's synonyms).

use super::matcher::{AnswerIndex, Occurrence, Phrase, Vocabulary};
use super::GradeSettings;

/// Pronouns that stand for a subject named before them.
const SUBJECT_PRONOUNS: &[&str] = &["он", "она", "оно", "они", "it", "they"];

/// A cue compiled against a rubric's vocabulary.
#[derive(Debug, Clone)]
pub struct CompiledCue {
    pub text: String,
    /// Per group, its alternatives.
    groups: Vec<Vec<Phrase>>,
}

/// Where all of a cue's groups must occur.
#[derive(Debug, Clone, Copy)]
enum Scope {
    Sentence,
    Statement,
}

/// Where a cue was found.
#[derive(Debug, Clone)]
pub struct CueHit {
    pub sentence: u32,
    pub first_token: usize,
    pub last_token: usize,
    /// A word of the cue is negated there ("мы не выключаем нейроны").
    pub negated: bool,
    /// Content positions of the matched words.
    pub positions: super::matcher::Positions,
}

impl CompiledCue {
    /// Compile the groups of a parsed cue; `None` when a group has no usable word.
    pub fn new(
        text: &str,
        groups: &[Vec<String>],
        vocabulary: &mut Vocabulary,
        expand: impl Fn(&str) -> Vec<String>,
    ) -> Option<CompiledCue> {
        let groups: Vec<Vec<Phrase>> = groups
            .iter()
            .map(|alternatives| {
                alternatives
                    .iter()
                    .flat_map(|a| expand(a))
                    .filter_map(|a| vocabulary.phrase(&a))
                    .collect::<Vec<_>>()
            })
            .collect();
        if groups.iter().any(Vec::is_empty) {
            return None;
        }
        Some(CompiledCue {
            text: text.to_owned(),
            groups,
        })
    }

    /// Is every word of `hit` one of the cue's words as written, not only up to a typo?
    pub fn spelled_out(
        &self,
        hit: &CueHit,
        index: &AnswerIndex,
        vocabulary: &Vocabulary,
        settings: &GradeSettings,
    ) -> bool {
        hit.positions.iter().all(|&p| {
            self.groups
                .iter()
                .flatten()
                .any(|phrase| index.spelled_as(p, phrase, vocabulary, settings))
        })
    }

    /// The best place the cue occurs: all groups in one sentence within `window` content
    /// words, positive places first.
    pub fn find(
        &self,
        index: &AnswerIndex,
        settings: &GradeSettings,
        window: usize,
    ) -> Option<CueHit> {
        self.find_within(index, settings, window, Scope::Sentence)
    }

    /// As [`Self::find`], with all groups in one statement (a clause, with what follows a
    /// dash): a wrong statement is one clause ("MSE штрафует квадратично, а MAE линейно" holds
    /// the words of "MSE + линейно" across two), and "CTR — идеальный таргет" is one.
    pub fn find_in_statement(
        &self,
        index: &AnswerIndex,
        settings: &GradeSettings,
        window: usize,
    ) -> Option<CueHit> {
        self.find_within(index, settings, window, Scope::Statement)
    }

    /// As [`Self::find_in_statement`], with the first group (the subject: "dbscan + …")
    /// named earlier in the sentence rather than in the statement itself: "Главное
    /// преимущество DBSCAN: он отлично работает при разной плотности".
    pub fn find_with_subject_before(
        &self,
        index: &AnswerIndex,
        settings: &GradeSettings,
        window: usize,
    ) -> Option<CueHit> {
        // No subject anywhere in the answer, or too few groups to leave one out: nothing to
        // carry (and nothing to search for, on every misconception of every answer).
        if self.groups.len() < 3 || !self.groups[0].iter().any(|p| index.has_every_term(p)) {
            return None;
        }
        let hit = find_groups(&self.groups[1..], index, settings, window, Scope::Statement)?;
        // The statement refers back to a subject with a pronoun ("…, он отлично работает"),
        // and the subject is named before that pronoun.
        let tokens = &index.analyzed.tokens;
        let pronoun = (0..hit.first_token)
            .rev()
            // One boundary at a time, going back: linear in the statement.
            .take_while(|&i| index.no_statement_break(i, i + 1))
            .find(|&i| SUBJECT_PRONOUNS.contains(&tokens[i].word.as_str()))?;
        let named_before = self.groups[0].iter().any(|phrase| {
            index
                .find(phrase, settings)
                .iter()
                .any(|o| o.sentence == hit.sentence && o.last_token < pronoun && phrase.holds_at(o))
        });
        named_before.then_some(hit)
    }

    fn find_within(
        &self,
        index: &AnswerIndex,
        settings: &GradeSettings,
        window: usize,
        scope: Scope,
    ) -> Option<CueHit> {
        find_groups(&self.groups, index, settings, window, scope)
    }
}

/// Where one alternative of a cue group occurs.
struct Place {
    occurrence: Occurrence,
    /// It says what the alternative says (not negated, or negated as the alternative is).
    holds: bool,
    /// The alternative is itself a negation and holds here ("ничего не значат").
    states_negation: bool,
}

/// Where all of `groups` occur together within `scope` and `window` content words, positive
/// places first.
fn find_groups(
    groups: &[Vec<Phrase>],
    index: &AnswerIndex,
    settings: &GradeSettings,
    window: usize,
    scope: Scope,
) -> Option<CueHit> {
    // A group none of whose alternatives has all its words in the answer finds nothing.
    if !groups
        .iter()
        .all(|alternatives| alternatives.iter().any(|p| index.has_every_term(p)))
    {
        return None;
    }
    let together = |a: &Occurrence, b: &Occurrence| match scope {
        Scope::Sentence => a.sentence == b.sentence,
        Scope::Statement => index.no_statement_break(
            a.first_token.min(b.first_token),
            a.last_token.max(b.last_token),
        ),
    };
    let found: Vec<Vec<Place>> = groups
        .iter()
        .map(|alternatives| {
            alternatives
                .iter()
                .flat_map(|phrase| {
                    index
                        .find(phrase, settings)
                        .into_iter()
                        .map(|occurrence| {
                            let holds = phrase.holds_at(&occurrence);
                            Place {
                                holds,
                                states_negation: phrase.negated && holds,
                                occurrence,
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .collect()
        })
        .collect();
    if found.iter().any(Vec::is_empty) {
        return None;
    }
    let mut best: Option<CueHit> = None;
    for first in &found[0] {
        let anchor = &first.occurrence;
        let centre = anchor.positions[0];
        let mut chosen: Vec<&Place> = vec![first];
        for group in &found[1..] {
            // One farther than the window can never be part of a hit: leave it out before the
            // statement test, which reads every token in between.
            let nearest = group
                .iter()
                .filter(|p| p.occurrence.positions[0].abs_diff(centre) <= window)
                .filter(|p| together(anchor, &p.occurrence))
                .filter(|p| {
                    !chosen.iter().any(|c| {
                        c.occurrence
                            .positions
                            .iter()
                            .any(|q| p.occurrence.positions.contains(q))
                    })
                })
                .min_by_key(|p| p.occurrence.positions[0].abs_diff(centre));
            match nearest {
                Some(place) => chosen.push(place),
                None => break,
            }
        }
        if chosen.len() < found.len() {
            continue;
        }
        let positions: super::matcher::Positions = chosen
            .iter()
            .flat_map(|p| p.occurrence.positions.iter().copied())
            .collect();
        let lo = positions.iter().copied().min().unwrap_or(centre);
        let hi = positions.iter().copied().max().unwrap_or(centre);
        if hi - lo > window {
            continue;
        }
        let hit = CueHit {
            sentence: anchor.sentence,
            first_token: chosen
                .iter()
                .map(|p| p.occurrence.first_token)
                .min()
                .unwrap_or(0),
            last_token: chosen
                .iter()
                .map(|p| p.occurrence.last_token)
                .max()
                .unwrap_or(0),
            // A cue that states a negation itself ("расстояния + кластерами + ничего не
            // значат") is not denied by it: its other words read as negated by that very word.
            negated: chosen.iter().any(|p| !p.holds) && !chosen.iter().any(|p| p.states_negation),
            positions,
        };
        let better = match &best {
            None => true,
            Some(b) => b.negated && !hit.negated,
        };
        if better {
            best = Some(hit);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::text::analyze;
    use crate::rubric::Cue;

    fn cue(text: &str, vocabulary: &mut Vocabulary) -> CompiledCue {
        let parsed = Cue::parse(text).unwrap();
        CompiledCue::new(text, &parsed.groups, vocabulary, |a| vec![a.to_owned()]).unwrap()
    }

    fn hit(cue_text: &str, answer: &str) -> Option<CueHit> {
        let settings = GradeSettings::default();
        let mut vocabulary = Vocabulary::default();
        let compiled = cue(cue_text, &mut vocabulary);
        let analyzed = analyze(answer);
        let index = AnswerIndex::new(&analyzed, &vocabulary, &settings);
        compiled.find(&index, &settings, 12)
    }

    /// Run `look` on the index of `answer` against `vocabulary`, with the default settings.
    fn on_index<R>(
        vocabulary: &Vocabulary,
        answer: &str,
        look: impl FnOnce(&AnswerIndex, &GradeSettings) -> R,
    ) -> R {
        let settings = GradeSettings::default();
        let analyzed = analyze(answer);
        look(
            &AnswerIndex::new(&analyzed, vocabulary, &settings),
            &settings,
        )
    }

    const DROPOUT: &str = "случайно|random + выключаем|обнуляем|zero + нейроны|узлы";

    #[test]
    fn a_plain_words_statement_matches_in_any_word_form() {
        let h = hit(
            DROPOUT,
            "Пока сеть учится, на каждом шаге мы случайно выключаем часть её узлов.",
        )
        .expect("found");
        assert!(!h.negated);
        assert!(hit(DROPOUT, "We randomly zero some neurons at every step.").is_some());
    }

    #[test]
    fn groups_in_different_sentences_or_far_apart_do_not_match() {
        assert!(hit(
            DROPOUT,
            "Нейроны бывают разными. Мы случайно выключаем свет."
        )
        .is_none());
        let far = "Случайно в этой длинной фразе очень много разных посторонних слов про \
                   погоду природу город реку лес поле горы и только потом выключаем нейроны.";
        assert!(hit(DROPOUT, far).is_none());
    }

    #[test]
    fn a_negated_cue_is_reported_as_negated() {
        let h = hit(DROPOUT, "Мы не выключаем случайно нейроны.").expect("found");
        assert!(h.negated);
    }

    #[test]
    fn a_cue_that_states_a_negation_is_not_denied_by_it() {
        let meaningless = "расстояния|размеры + кластерами|кластеров + ничего не значат";
        let h = hit(
            meaningless,
            "На t-SNE размеры кластеров и расстояния между кластерами ничего не значат.",
        )
        .expect("found");
        assert!(!h.negated);
    }

    #[test]
    fn a_statement_cue_needs_every_group_in_one_statement() {
        let mut vocabulary = Vocabulary::default();
        let compiled = cue("mse + линейно|linearly", &mut vocabulary);
        let in_clause = |answer: &str| {
            on_index(&vocabulary, answer, |index, settings| {
                compiled.find_in_statement(index, settings, 12)
            })
        };
        assert!(in_clause("MSE штрафует ошибку линейно.").is_some());
        assert!(in_clause("MSE штрафует квадратично, а MAE линейно.").is_none());
        assert!(in_clause("MSE penalises errors quadratically, but MAE linearly.").is_none());
        assert!(in_clause("MSE — штраф линейно растёт с ошибкой.").is_some());
    }

    #[test]
    fn a_statement_goes_on_across_a_relative_clause_and_an_aside() {
        let mut vocabulary = Vocabulary::default();
        let minimal = cue(
            "выбрать|choose + минимальной|lowest + inertia",
            &mut vocabulary,
        );
        let grows = cue("pruning + добавляет|adds + ветви|branches", &mut vocabulary);
        let found = |compiled: &CompiledCue, answer: &str| {
            on_index(&vocabulary, answer, |index, settings| {
                compiled.find_in_statement(index, settings, 12).is_some()
            })
        };
        assert!(found(
            &minimal,
            "Надо выбрать k, при котором inertia минимальна."
        ));
        assert!(found(
            &minimal,
            "Choose the k for which inertia is the lowest."
        ));
        assert!(found(&minimal, "Choose the k, when inertia is the lowest."));
        assert!(found(&grows, "Pruning, наоборот, добавляет ветви."));
        assert!(found(&grows, "Pruning, conversely, adds branches."));
        // A clause of its own, with a subject and a verb, still ends the statement; so does a
        // sentence end after an aside.
        assert!(!found(
            &minimal,
            "Надо выбрать k, а inertia минимальна у другого."
        ));
        assert!(!found(
            &grows,
            "Pruning is simple, it is common. Naturally, trees add branches."
        ));
    }

    #[test]
    fn a_subject_named_before_a_pronoun_carries_into_its_statement() {
        let mut vocabulary = Vocabulary::default();
        let compiled = cue(
            "dbscan + разной плотности|varying density + отлично|хорошо|well",
            &mut vocabulary,
        );
        let found = |answer: &str| {
            on_index(&vocabulary, answer, |index, settings| {
                compiled.find_in_statement(index, settings, 6).is_some()
                    || compiled
                        .find_with_subject_before(index, settings, 6)
                        .is_some()
            })
        };
        assert!(found(
            "Про DBSCAN скажу так, он отлично работает при разной плотности."
        ));
        assert!(found(
            "DBSCAN is simple, and it works well with varying density."
        ));
        // No pronoun: the statement may have a subject of its own.
        assert!(!found(
            "DBSCAN прост, k-means отлично работает при разной плотности."
        ));
        // The subject must come before the pronoun, in the same sentence.
        assert!(!found(
            "Он отлично работает при разной плотности, как и DBSCAN."
        ));
        assert!(!found(
            "Это DBSCAN. Он отлично работает при разной плотности."
        ));
    }

    #[test]
    fn a_missing_group_means_no_match() {
        assert!(hit(DROPOUT, "Мы случайно выбираем нейроны.").is_none());
    }
}
