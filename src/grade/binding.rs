//! Which of the things a question contrasts a statement is about.
//!
//! A comparison question (bagging and boosting, INNER and LEFT JOIN, additive and
//! multiplicative seasonality) is answered wrongly most often by swapping: the right property,
//! said of the wrong subject ("бэггинг снижает смещение"). Every word of such an answer is a
//! rubric term, so term matching alone gives it full marks. A rubric names what its question
//! contrasts (`contrast = ["bagging", "boosting"]`, terms of `[terms]` or the lexicon); each
//! alias is then bound to the subjects the reference answer says it of, and an answer that says
//! it only of another subject has swapped them.
//!
//! The subject of a statement is the contrasted thing named in its clause; failing that, the
//! ones of the clause just before it in the same sentence. Subjects are named by their
//! own words only, not within the typo tolerance ("офлайн" is not "онлайн"). The check is
//! lenient: a clause that names both subjects, an alias the reference does not say or says of
//! no subject or of all, or one said of the right subject anywhere in the answer is never a swap.

use super::matcher::{AnswerIndex, Phrase, Vocabulary};
use super::matching::ConceptEvidence;
use super::text::Analyzed;
use super::GradeSettings;

/// A set of contrasted subjects, one bit each (a rubric contrasts at most 64 things).
pub type SubjectSet = u64;

/// One contrasted subject: its term name and phrases.
#[derive(Debug, Clone)]
struct Subject {
    name: String,
    /// How feedback names it: the term's first phrase in Cyrillic, and in Latin script.
    display_ru: String,
    display_en: String,
    phrases: Vec<Phrase>,
    /// The stems (and Latin readings) of its words: a subject is named only by its own words,
    /// not within the typo tolerance ("офлайн" is not "онлайн").
    stems: Vec<(super::text::WordText, super::text::WordText)>,
}

/// The contrast of a rubric, compiled, with each alias bound to its subjects.
#[derive(Debug, Clone, Default)]
pub struct Binding {
    subjects: Vec<Subject>,
    /// Per concept, per alias phrase (parallel to the compiled rubric's concept phrases): the
    /// subjects the reference answer says it of (0: not said, or said of no subject).
    alias_subjects: Vec<Vec<SubjectSet>>,
    /// Per concept: the union over its aliases, for cues and for aliases the reference does
    /// not use.
    concept_subjects: Vec<SubjectSet>,
}

/// A concept the answer says only of the wrong subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Swap {
    pub concept: usize,
    /// The subjects the answer says it of, and those it belongs to, for feedback.
    pub said_of: (String, String),
    pub belongs_to: (String, String),
    pub first_token: usize,
    pub last_token: usize,
}

/// Where the contrasted subjects are named in one text.
struct Mentions {
    /// Per clause, the subjects named in it.
    by_clause: Vec<SubjectSet>,
    /// (token index, subject bit) of every mention, in text order.
    tokens: Vec<(usize, SubjectSet)>,
}

impl Subject {
    /// Whether every content word of the occurrence is one of the subject's own words (the
    /// same stem, or one stem a prefix of the other), not a near miss.
    fn names(&self, analyzed: &Analyzed, o: &super::matcher::Occurrence) -> bool {
        let related = |a: &str, b: &str| {
            a == b
                || (a.chars().count().min(b.chars().count()) >= 4
                    && (a.starts_with(b) || b.starts_with(a)))
        };
        analyzed.tokens[o.first_token..=o.last_token]
            .iter()
            .filter(|t| !t.is_stop)
            .all(|t| {
                self.stems
                    .iter()
                    .any(|(stem, latin)| related(&t.stem, stem) || related(&t.latin, latin))
            })
    }
}

impl Binding {
    /// Compile the subjects named by `contrast`; `terms` gives each name its phrases.
    pub fn new(
        contrast: &[String],
        terms: &std::collections::BTreeMap<String, Vec<String>>,
        vocabulary: &mut Vocabulary,
        expand: impl Fn(&str) -> Vec<String>,
    ) -> Binding {
        let subjects: Vec<Subject> = contrast
            .iter()
            .take(SubjectSet::BITS as usize)
            .filter_map(|name| {
                let texts = terms.get(name)?;
                let phrases: Vec<Phrase> = texts
                    .iter()
                    .flat_map(|p| expand(p))
                    .filter_map(|p| vocabulary.phrase(&p))
                    .collect();
                let cyrillic = |t: &&String| t.chars().any(|c| ('а'..='я').contains(&c));
                let display_ru = texts.iter().find(cyrillic).or(texts.first())?.clone();
                let display_en = texts
                    .iter()
                    .find(|t| !cyrillic(t))
                    .unwrap_or(&display_ru)
                    .clone();
                let stems = phrases
                    .iter()
                    .flat_map(|p| &p.terms)
                    .filter_map(|&t| vocabulary.terms.get(t))
                    .map(|t| (t.stem.clone(), t.latin.clone()))
                    .collect();
                Some(Subject {
                    name: name.clone(),
                    display_ru,
                    display_en,
                    phrases,
                    stems,
                })
            })
            .collect();
        if subjects.len() < 2 {
            return Binding::default();
        }
        Binding {
            subjects,
            ..Binding::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.subjects.is_empty()
    }

    /// The names of the compiled subjects, in `contrast` order.
    pub fn subject_names(&self) -> Vec<&str> {
        self.subjects.iter().map(|s| s.name.as_str()).collect()
    }

    /// Bind every alias to the subjects the reference answer says it of.
    pub fn bind(
        &mut self,
        reference: &AnswerIndex,
        concept_phrases: &[Vec<Phrase>],
        settings: &GradeSettings,
    ) {
        if self.is_empty() {
            return;
        }
        let mentions = self.mentions(reference, settings);
        self.alias_subjects = concept_phrases
            .iter()
            .map(|phrases| {
                phrases
                    .iter()
                    .map(|phrase| {
                        // Within one statement: a match across clauses ("строки, у которых
                        // есть совпадение в обеих таблицах") is not what the reference says.
                        reference
                            .find_in_statements(phrase, settings)
                            .iter()
                            .filter(|o| phrase.holds_at(o))
                            .fold(0, |set, o| {
                                set | mentions.subject_of(
                                    reference.analyzed,
                                    o.first_token,
                                    o.last_token,
                                )
                            })
                    })
                    .collect()
            })
            .collect();
        self.concept_subjects = self.alias_subjects.iter().map(|sets| union(sets)).collect();
    }

    /// The subjects named in `text` (a concept's label), not as the other side of a comparison.
    pub fn subjects_named(&self, text: &AnswerIndex, settings: &GradeSettings) -> SubjectSet {
        self.mentions(text, settings)
            .tokens
            .iter()
            .fold(0, |set, &(_, subject)| set | subject)
    }

    /// Keep each concept's bindings to what its label says: an alias the reference says only
    /// of subjects the label does not name is unbound, and one it says of some of them is bound
    /// to all. The reference may use a concept's words
    /// in a sentence about something else ("статистики по батчу неудобны, поэтому берут
    /// LayerNorm" in a reference whose concept reads "BatchNorm считает статистики по батчу"),
    /// and the label, written for that concept, is the better witness. `named`: per concept,
    /// the subjects its labels name (0 or all of them: nothing to check).
    pub fn agree_with_labels(&mut self, named: &[SubjectSet]) {
        let all = self.all();
        for (concept, sets) in self.alias_subjects.iter_mut().enumerate() {
            let label = named.get(concept).copied().unwrap_or(0);
            if label == 0 || label == all {
                continue;
            }
            for set in sets.iter_mut() {
                if *set & label == 0 {
                    *set = 0;
                } else {
                    // The reference says it of one of them, the label of all of them ("LEFT/RIGHT
                    // JOIN — без пары NULL" where the reference's NULL sentence names RIGHT).
                    *set |= label;
                }
            }
            self.concept_subjects[concept] = union(sets);
        }
    }

    /// The subjects an alias is bound to (0 when the reference does not say it); a cue, which
    /// the reference does not use word for word, takes its concept's (and only confirms).
    fn bound(&self, concept: usize, phrase: Option<usize>) -> SubjectSet {
        match phrase {
            Some(p) => self
                .alias_subjects
                .get(concept)
                .and_then(|sets| sets.get(p))
                .copied()
                .unwrap_or(0),
            None => self.concept_subjects.get(concept).copied().unwrap_or(0),
        }
    }

    /// Concepts the answer says only of a subject they do not belong to.
    pub fn swaps(
        &self,
        index: &AnswerIndex,
        found: &[ConceptEvidence],
        settings: &GradeSettings,
    ) -> Vec<Swap> {
        if self.is_empty() || self.concept_subjects.is_empty() {
            return Vec::new();
        }
        let mentions = self.mentions(index, settings);
        if mentions.tokens.is_empty() {
            return Vec::new();
        }
        let analyzed = index.analyzed;
        let mut swaps = Vec::new();
        for (concept, evidence) in found.iter().enumerate() {
            let said: Vec<(Option<usize>, usize, usize)> = evidence
                .positive
                .iter()
                .map(|&(phrase, first, last)| (Some(phrase), first, last))
                .chain(
                    evidence
                        .cue
                        .iter()
                        .map(|h| (None, h.first_token, h.last_token)),
                )
                .collect();
            let mut swap: Option<Swap> = None;
            let mut said_rightly = false;
            for (phrase, first, last) in said {
                let bound = self.bound(concept, phrase);
                // Bound to every subject (or none): it tells nothing either way.
                if bound == 0 || bound == self.all() {
                    continue;
                }
                let subject = mentions.subject_of(analyzed, first, last);
                if subject == 0 {
                    continue;
                }
                if subject & bound != 0 {
                    said_rightly = true;
                } else if swap.is_none() && phrase.is_some() {
                    // A cue matches its words in any order ("по центральному слову — соседей"
                    // fits a cue for "центральное слово по соседям"): it can confirm a subject,
                    // never accuse one.
                    swap = Some(Swap {
                        concept,
                        said_of: self.display(subject),
                        belongs_to: self.display(bound),
                        first_token: first,
                        last_token: last,
                    });
                }
            }
            if !said_rightly {
                swaps.extend(swap);
            }
        }
        swaps
    }

    fn all(&self) -> SubjectSet {
        if self.subjects.len() >= SubjectSet::BITS as usize {
            SubjectSet::MAX
        } else {
            (1 << self.subjects.len()) - 1
        }
    }

    /// The subjects of a set as text (Russian, English), joined by "/".
    fn display(&self, set: SubjectSet) -> (String, String) {
        let pick = |f: fn(&Subject) -> &String| {
            self.subjects
                .iter()
                .enumerate()
                .filter(|(i, _)| set & (1 << i) != 0)
                .map(|(_, s)| f(s).as_str())
                .collect::<Vec<_>>()
                .join(" / ")
        };
        (pick(|s| &s.display_ru), pick(|s| &s.display_en))
    }

    /// Does another contrasted subject stand between a subject named at token `subject` and a
    /// word at token `word` after it? Then what the word says belongs to the nearer subject:
    /// in "MSE is outlier-sensitive and MAE is more robust", robust is said of MAE.
    pub fn nearer_subject_between(
        &self,
        index: &AnswerIndex,
        settings: &GradeSettings,
        subject: usize,
        word: usize,
    ) -> bool {
        if self.subjects.is_empty() || word <= subject {
            return false;
        }
        let mentions = self.mentions(index, settings);
        let own = mentions
            .tokens
            .iter()
            .filter(|(t, _)| *t == subject)
            .fold(0, |all, (_, bit)| all | bit);
        own != 0
            && mentions
                .tokens
                .iter()
                .any(|&(t, bit)| t > subject && t < word && bit & own == 0)
    }

    fn mentions(&self, index: &AnswerIndex, settings: &GradeSettings) -> Mentions {
        let analyzed = index.analyzed;
        let clauses = analyzed.tokens.last().map_or(0, |t| t.clause as usize + 1);
        let mut by_clause = vec![0; clauses];
        let mut tokens = Vec::new();
        for (i, subject) in self.subjects.iter().enumerate() {
            for phrase in &subject.phrases {
                for o in index.find(phrase, settings) {
                    if contrasted_with(analyzed, o.first_token) || !subject.names(analyzed, &o) {
                        continue;
                    }
                    for t in o.first_token..=o.last_token {
                        by_clause[analyzed.tokens[t].clause as usize] |= 1 << i;
                    }
                    tokens.push((o.first_token, 1 << i));
                }
            }
        }
        tokens.sort_unstable();
        Mentions { by_clause, tokens }
    }
}

/// All the subjects of some sets.
fn union(sets: &[SubjectSet]) -> SubjectSet {
    sets.iter().fold(0, |all, s| all | s)
}

/// Words before a subject that make it the side a comparison sets aside, not what the clause
/// speaks of ("в отличие от бэггинга", "unlike bagging", "вместо beam search"). Misconception
/// cues read them too (`matching`).
pub(crate) const REPLACED_SIDE_MARKERS: &[&str] = &[
    "отличие",
    "отличии",
    "сравнению",
    "сравнении",
    "вместо",
    "unlike",
    "instead",
    "compared",
    "versus",
    "vs",
];

/// More words before a subject that make it the other side of a comparison when binding a
/// property to subjects ("быстрее, чем LightGBM").
const COMPARISON_MARKERS: &[&str] = &[
    // "мягкую метку, а не жёсткую, как в k-means": said to compare, not of k-means.
    "как", "чем", "than",
    // "прирост над TF-IDF", "an improvement over TF-IDF".
    "над", "over",
];

/// Russian comparatives, which take the other side of a comparison without "чем": "быстрее
/// t-SNE", "лучше бэггинга" (a list: many adjectives end in "-ее" too, "среднее", "последнее").
pub(crate) const COMPARATIVES: &[&str] = &[
    "быстрее",
    "медленнее",
    "точнее",
    "лучше",
    "хуже",
    "больше",
    "меньше",
    "проще",
    "сложнее",
    "дешевле",
    "дороже",
    "стабильнее",
    "устойчивее",
    "надежнее",
    "сильнее",
    "слабее",
    "легче",
    "тяжелее",
    "выше",
    "ниже",
    "чаще",
    "реже",
];

/// Is the subject named at `token` only as the other side of a comparison?
fn contrasted_with(analyzed: &Analyzed, token: usize) -> bool {
    analyzed.preceded_in_clause(token, 3, REPLACED_SIDE_MARKERS)
        || analyzed.preceded_in_clause(token, 3, COMPARISON_MARKERS)
        || analyzed.preceded_in_clause(token, 1, COMPARATIVES)
}

impl Mentions {
    /// The subjects a statement spanning tokens `first..=last` is about (0: none named): those
    /// named in its clause, else those of the clause just before it in the sentence. A statement across clauses is about what its last clause says ("строки, у
    /// которых есть совпадение в обеих таблицах"). Earlier sentences are not read: a general
    /// sentence often follows one about a single subject, in answers and references alike
    /// (where one language's text also follows the other's).
    fn subject_of(&self, analyzed: &Analyzed, first: usize, last: usize) -> SubjectSet {
        let tokens = &analyzed.tokens;
        let in_clause = self.by_clause[tokens[last].clause as usize];
        if in_clause != 0 {
            return in_clause;
        }
        let first = (first..=last)
            .find(|&t| tokens[t].clause == tokens[last].clause)
            .unwrap_or(first);
        let sentence = tokens[first].sentence;
        // The subjects of the clause that last named any earlier in the sentence ("NDCG и MAP —
        // …" speaks of both).
        if let Some(&(t, _)) = self
            .tokens
            .iter()
            .rev()
            .find(|(t, _)| *t < first && tokens[*t].sentence == sentence)
        {
            // Only into the next clause: further on, a list or an aside has come between.
            if tokens[t].clause + 1 == tokens[first].clause {
                return self.by_clause[tokens[t].clause as usize];
            }
        }
        0
    }
}

/// The feedback for a swap: a misconception that names both subjects.
pub fn swapped_misconception(
    concept: &crate::rubric::Concept,
    swap: &Swap,
    analyzed: &Analyzed,
    settings: &GradeSettings,
) -> super::FoundMisconception {
    let label_en = concept.label_en.as_deref().unwrap_or(&concept.label);
    super::FoundMisconception {
        id: format!("swapped:{}", concept.id),
        label: format!(
            "«{}» сказано о {}, а это про {}",
            concept.label, swap.said_of.0, swap.belongs_to.0
        ),
        label_en: Some(format!(
            "\"{}\" is said of {}; it is true of {}",
            label_en, swap.said_of.1, swap.belongs_to.1
        )),
        penalty: settings.wrong_claim_penalty,
        explanation: format!(
            "Перепутаны {} и {}: это свойство {}.",
            swap.said_of.0, swap.belongs_to.0, swap.belongs_to.0
        ),
        explanation_en: Some(format!(
            "{} and {} are swapped: this is a property of {}.",
            swap.said_of.1, swap.belongs_to.1, swap.belongs_to.1
        )),
        evidence: super::span(analyzed, swap.first_token, swap.last_token),
    }
}

#[cfg(test)]
mod tests {
    use super::{Binding, Subject};
    use crate::grade::tests::{assert_misconception_stated, assert_no_misconception};
    use crate::grade::{grade, CompiledRubric, Grade, GradeSettings};
    use crate::rubric::Rubric;

    const QUESTION: &str = "Чем INNER JOIN отличается от LEFT JOIN?";

    fn joins_rubric() -> Rubric {
        let text = r#"
question_id = "joins"
contrast = ["inner", "left"]
[terms]
inner = ["inner join"]
left = ["left join"]
[[concept]]
id = "matched-only"
label = "Только совпавшие строки"
label_en = "Only matched rows"
weight = 1
aliases = ["только совпавшие строки", "only matched rows"]
[[concept]]
id = "all-left"
label = "Все строки левой таблицы"
label_en = "All rows of the left table"
weight = 1
aliases = ["все строки левой таблицы", "all rows of the left table"]
"#;
        toml::from_str(text).unwrap()
    }

    fn joins() -> CompiledRubric {
        CompiledRubric::new(joins_rubric(), QUESTION).with_reference(
            "INNER JOIN возвращает только совпавшие строки. \
             LEFT JOIN сохраняет все строки левой таблицы, недостающее заполняет NULL.",
            QUESTION,
        )
    }

    fn graded(answer: &str) -> Grade {
        grade(&joins(), answer, &GradeSettings::default())
    }

    fn swapped(grade: &Grade) -> Vec<&str> {
        grade
            .misconceptions
            .iter()
            .filter_map(|m| m.id.strip_prefix("swapped:"))
            .collect()
    }

    #[test]
    fn a_misconception_cue_gives_a_property_to_the_nearer_subject() {
        let mut rubric = joins_rubric();
        rubric.misconceptions = toml::from_str::<Rubric>(
            r#"
question_id = "joins"
[[misconception]]
id = "inner-keeps-all"
label = "INNER JOIN будто бы сохраняет все строки"
cues = ["inner join + сохраняет|keeps + строки|rows"]
penalty = 10
"#,
        )
        .unwrap()
        .misconceptions;
        let compiled = CompiledRubric::new(rubric, QUESTION);
        assert_misconception_stated(&compiled, &["INNER JOIN сохраняет все строки."]);
        assert_no_misconception(
            &compiled,
            &["INNER JOIN is strict and LEFT JOIN keeps rows."],
        );
    }

    #[test]
    fn a_label_naming_its_subject_outweighs_a_stray_use_in_the_reference() {
        // The reference uses the alias only in a sentence about the other subject.
        let reference = "INNER JOIN возвращает только совпавшие строки. \
                         Все строки левой таблицы INNER JOIN сверяет с правой.";
        let answer = "LEFT JOIN сохраняет все строки левой таблицы.";
        let compiled = |rubric: Rubric| {
            CompiledRubric::new(rubric, QUESTION).with_reference(reference, QUESTION)
        };
        // A label that names no subject leaves the reference as the only witness.
        let unnamed = grade(&compiled(joins_rubric()), answer, &GradeSettings::default());
        assert_eq!(swapped(&unnamed), ["all-left"], "{unnamed:?}");
        // A label that names LEFT JOIN says whose property it is.
        let mut rubric = joins_rubric();
        rubric.concepts[1].label = "LEFT JOIN сохраняет все строки левой таблицы".into();
        let named = grade(&compiled(rubric), answer, &GradeSettings::default());
        assert!(swapped(&named).is_empty(), "{named:?}");
        assert!(
            named.covered.iter().any(|c| c.id == "all-left"),
            "{named:?}"
        );
    }

    #[test]
    fn labels_unbind_strays_and_extend_partial_bindings() {
        let subject = |name: &str| Subject {
            name: name.into(),
            display_ru: name.into(),
            display_en: name.into(),
            phrases: Vec::new(),
            stems: Vec::new(),
        };
        let (inner, left, right, full) = (1, 2, 4, 8);
        let mut binding = Binding {
            subjects: ["inner", "left", "right", "full"].map(subject).to_vec(),
            alias_subjects: vec![vec![inner, right | full, left, 0], vec![inner, right]],
            concept_subjects: vec![inner | left | right | full, inner | right],
        };
        // The first label names LEFT and RIGHT; the second names every subject or none.
        binding.agree_with_labels(&[left | right, 0]);
        assert_eq!(
            binding.alias_subjects,
            [
                vec![0, left | right | full, left | right, 0],
                vec![inner, right]
            ]
        );
        assert_eq!(
            binding.concept_subjects,
            [left | right | full, inner | right]
        );
    }

    #[test]
    fn properties_said_of_their_own_subjects_are_not_swaps() {
        let right = graded(
            "INNER JOIN возвращает только совпавшие строки, а LEFT JOIN сохраняет все строки \
             левой таблицы.",
        );
        assert!(swapped(&right).is_empty(), "{right:?}");
        assert!(right.score >= 90.0, "{right:?}");
    }

    #[test]
    fn properties_said_of_the_other_subject_earn_nothing_and_say_why() {
        let wrong = graded(
            "INNER JOIN сохраняет все строки левой таблицы, а LEFT JOIN возвращает только \
             совпавшие строки.",
        );
        assert_eq!(swapped(&wrong), ["matched-only", "all-left"], "{wrong:?}");
        assert!(wrong.missed.iter().all(|m| m.contradicted), "{wrong:?}");
        assert!(wrong.score < 10.0, "{wrong:?}");
        let feedback = &wrong.misconceptions[0];
        assert!(feedback.label.contains("left join"), "{feedback:?}");
        assert!(feedback.label.contains("inner join"), "{feedback:?}");
    }

    #[test]
    fn the_subject_carries_over_within_a_sentence_not_beyond() {
        let wrong =
            graded("INNER JOIN используют чаще всего, и он сохраняет все строки левой таблицы.");
        assert_eq!(swapped(&wrong), ["all-left"], "{wrong:?}");
        let general =
            graded("INNER JOIN используют чаще всего. Все строки левой таблицы сохраняются.");
        assert!(swapped(&general).is_empty(), "{general:?}");
    }

    #[test]
    fn subjects_named_together_share_what_follows() {
        let both = graded("INNER JOIN и LEFT JOIN — сохраняет все строки левой таблицы.");
        assert!(swapped(&both).is_empty(), "{both:?}");
    }

    #[test]
    fn a_near_miss_of_a_subject_name_does_not_name_it() {
        // "inner jion" is within the typo tolerance of "inner join", but a subject is named by
        // its own words only, so nothing here is said of INNER JOIN.
        let typo = graded("Inner jion сохраняет все строки левой таблицы.");
        assert!(swapped(&typo).is_empty(), "{typo:?}");
    }

    #[test]
    fn the_other_side_of_a_comparison_is_not_the_subject() {
        let right =
            graded("В отличие от INNER JOIN, LEFT JOIN сохраняет все строки левой таблицы.");
        assert!(swapped(&right).is_empty(), "{right:?}");
        let english = graded("Unlike inner join, left join keeps all rows of the left table.");
        assert!(swapped(&english).is_empty(), "{english:?}");
        // A Russian comparative takes the other side without "чем"; so does "над" / "over".
        let comparative = graded("Он медленнее INNER JOIN и сохраняет все строки левой таблицы.");
        assert!(swapped(&comparative).is_empty(), "{comparative:?}");
        let over = graded("Его выигрыш над INNER JOIN — сохраняет все строки левой таблицы.");
        assert!(swapped(&over).is_empty(), "{over:?}");
        // Without the comparative the clause speaks of INNER JOIN, and that is the swap.
        let wrong = graded("Ещё INNER JOIN и сохраняет все строки левой таблицы.");
        assert!(!swapped(&wrong).is_empty(), "{wrong:?}");
    }

    #[test]
    fn a_clause_naming_both_subjects_or_none_is_not_a_swap() {
        let both = graded("И INNER JOIN, и LEFT JOIN: все строки левой таблицы? Нет.");
        assert!(swapped(&both).is_empty(), "{both:?}");
        let none = graded("Возвращаются только совпавшие строки.");
        assert!(swapped(&none).is_empty(), "{none:?}");
    }

    #[test]
    fn said_rightly_once_is_enough() {
        let mixed = graded(
            "LEFT JOIN сохраняет все строки левой таблицы. Кстати, INNER JOIN тоже не теряет \
             все строки левой таблицы, если ключи совпадают.",
        );
        assert!(!swapped(&mixed).contains(&"all-left"), "{mixed:?}");
    }

    #[test]
    fn without_a_reference_nothing_is_bound_and_nothing_swaps() {
        let unbound = CompiledRubric::new(joins_rubric(), QUESTION);
        let answer = "INNER JOIN сохраняет все строки левой таблицы.";
        let graded = grade(&unbound, answer, &GradeSettings::default());
        assert!(swapped(&graded).is_empty(), "{graded:?}");
    }
}
