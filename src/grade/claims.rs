//! Wrong claims: which property belongs to which subject, and which way a quantity moves.
//!
//! A rubric states facts as claims ("bagging reduces variance", "boosting reduces bias",
//! "dbscan lacks number-of-clusters"). The answer's statements are read from its sentences: a
//! direction word ("снижает", "increases", "ниже") with the nearest quantity term and the
//! nearest subject term, or a subject and a property named together for `has`/`lacks`. A
//! statement that matches a fact supports its concept; one that reverses it, negates it, or
//! gives the property to another subject contradicts it, and the concept earns nothing.

use std::collections::BTreeMap;

use super::matcher::{AnswerIndex, Occurrence, Phrase, Vocabulary};
use super::GradeSettings;
use crate::rubric::{Claim, Direction};

/// Words that say a quantity goes down.
pub(crate) const DOWN_WORDS: &[&str] = &[
    "снижает",
    "снижение",
    "снижается",
    "уменьшает",
    "уменьшение",
    "уменьшается",
    "сокращает",
    "понижает",
    "падает",
    "убывает",
    "ниже",
    "меньше",
    "гасит",
    "подавляет",
    "борется",
    "устраняет",
    "reduces",
    "reduce",
    "reduction",
    "decreases",
    "decrease",
    "lowers",
    "lower",
    "less",
    "smaller",
    "drops",
    "shrinks",
    "suppresses",
    "fights",
];

/// Words that say a quantity goes up.
pub(crate) const UP_WORDS: &[&str] = &[
    "увеличивает",
    "увеличение",
    "увеличивается",
    "повышает",
    "повышение",
    "растет",
    "рост",
    "возрастает",
    "выше",
    "больше",
    "усиливает",
    "increases",
    "increase",
    "raises",
    "higher",
    "more",
    "larger",
    "grows",
    "amplifies",
];

/// How far (content words) a term may stand from the word it is read with.
const REACH: usize = 6;

/// How far the quantity may stand from its direction word ("снижает разброс предсказаний").
const OBJECT_REACH: usize = 3;

/// How a statement of the answer relates to the rubric's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Supports,
    /// The direction is reversed ("bagging increases variance").
    Reversed,
    /// The fact is denied ("bagging does not reduce variance").
    Negated,
    /// The property is given to another subject ("boosting reduces variance").
    Swapped,
}

/// A statement of the answer checked against one fact.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Index of the concept whose fact it is.
    pub concept: usize,
    /// The fact as the rubric states it.
    pub fact: Claim,
    pub verdict: Verdict,
    /// What the answer says, as a claim.
    pub said: Claim,
    pub first_token: usize,
    pub last_token: usize,
}

/// A rubric's claims compiled for searching.
#[derive(Debug, Clone, Default)]
pub struct CompiledClaims {
    /// Facts with the concept they belong to.
    facts: Vec<(usize, Claim)>,
    /// Phrases of each term name that facts use.
    terms: BTreeMap<String, Vec<Phrase>>,
    down: Vec<Phrase>,
    up: Vec<Phrase>,
}

/// A term found in the answer.
#[derive(Debug, Clone)]
struct Mention<'a> {
    name: &'a str,
    occurrence: Occurrence,
}

impl CompiledClaims {
    /// Compile the claims of every concept; `terms` gives each name its phrases.
    pub fn new(
        claims: Vec<(usize, Claim)>,
        terms: &BTreeMap<String, Vec<String>>,
        vocabulary: &mut Vocabulary,
        expand: impl Fn(&str) -> Vec<String>,
    ) -> CompiledClaims {
        if claims.is_empty() {
            return CompiledClaims::default();
        }
        let mut compiled_terms = BTreeMap::new();
        for (_, claim) in &claims {
            for name in [&claim.subject, &claim.quantity] {
                if compiled_terms.contains_key(name) {
                    continue;
                }
                let phrases: Vec<Phrase> = terms
                    .get(name)
                    .into_iter()
                    .flatten()
                    .flat_map(|p| expand(p))
                    .filter_map(|p| vocabulary.phrase(&p))
                    .collect();
                compiled_terms.insert(name.clone(), phrases);
            }
        }
        let mut words = |list: &[&str]| -> Vec<Phrase> {
            list.iter().filter_map(|w| vocabulary.phrase(w)).collect()
        };
        let down = words(DOWN_WORDS);
        let up = words(UP_WORDS);
        CompiledClaims {
            facts: claims,
            terms: compiled_terms,
            down,
            up,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// The answer's statements checked against the facts.
    pub fn check(&self, index: &AnswerIndex, settings: &GradeSettings) -> Vec<Finding> {
        if self.facts.is_empty() {
            return Vec::new();
        }
        let tokens = &index.analyzed.tokens;
        let mentions: Vec<Mention> = self
            .terms
            .iter()
            .flat_map(|(name, phrases)| {
                phrases.iter().flat_map(move |p| {
                    index.find(p, settings).into_iter().map(move |o| Mention {
                        name: name.as_str(),
                        occurrence: o,
                    })
                })
            })
            .collect();
        if mentions.is_empty() {
            return Vec::new();
        }
        let subjects: Vec<&str> = self.facts.iter().map(|(_, c)| c.subject.as_str()).collect();
        let quantities: Vec<&str> = self
            .facts
            .iter()
            .map(|(_, c)| c.quantity.as_str())
            .collect();
        let at = |o: &Occurrence| o.positions[0];
        let mut statements: Vec<(Claim, bool, usize, usize)> = Vec::new();

        // Direction words: "<subject> снижает <quantity>".
        for (direction, phrases) in [
            (Direction::Reduces, &self.down),
            (Direction::Increases, &self.up),
        ] {
            for phrase in phrases {
                for word in index.find(phrase, settings) {
                    let p = at(&word);
                    let clause = tokens[word.first_token].clause;
                    let intransitive = intransitive(&tokens[word.last_token].word);
                    // The quantity is the verb's own object or subject: in its clause, next to it.
                    let quantity = mentions
                        .iter()
                        .filter(|m| {
                            quantities.contains(&m.name)
                                && tokens[m.occurrence.first_token].clause == clause
                        })
                        .filter(|m| at(&m.occurrence).abs_diff(p) <= OBJECT_REACH)
                        .min_by_key(|m| {
                            let same_clause = tokens[m.occurrence.first_token].clause == clause;
                            let q = at(&m.occurrence);
                            // As near before as after ("bias падает variance растёт"): a verb
                            // without an object moves what stands before it, one with an
                            // object what follows.
                            (!same_clause, q.abs_diff(p), (q > p) == intransitive)
                        });
                    let Some(quantity) = quantity else { continue };
                    let subject = mentions
                        .iter()
                        .filter(|m| {
                            subjects.contains(&m.name)
                                && m.name != quantity.name
                                && m.occurrence.sentence == word.sentence
                                && !in_contrast(index, &m.occurrence)
                        })
                        .min_by_key(|m| {
                            let q = at(&m.occurrence);
                            // The nearest subject before the verb, else the nearest after it.
                            (q > p, q.abs_diff(p))
                        });
                    let Some(subject) = subject else { continue };
                    // "снижает не смещение" denies the statement as "не снижает смещение" does.
                    let negated = word.negated || quantity.occurrence.negated;
                    let first = word
                        .first_token
                        .min(subject.occurrence.first_token)
                        .min(quantity.occurrence.first_token);
                    let last = word
                        .last_token
                        .max(subject.occurrence.last_token)
                        .max(quantity.occurrence.last_token);
                    statements.push((
                        Claim {
                            subject: subject.name.to_owned(),
                            direction,
                            quantity: quantity.name.to_owned(),
                        },
                        negated,
                        first,
                        last,
                    ));
                }
            }
        }

        // Properties: a subject and a property of a `has`/`lacks` fact named together.
        let property_names: Vec<&str> = self
            .facts
            .iter()
            .filter(|(_, c)| matches!(c.direction, Direction::Has | Direction::Lacks))
            .map(|(_, c)| c.quantity.as_str())
            .collect();
        for property in mentions.iter().filter(|m| property_names.contains(&m.name)) {
            let p = at(&property.occurrence);
            let clause = tokens[property.occurrence.first_token].clause;
            let subject = mentions
                .iter()
                .filter(|m| {
                    subjects.contains(&m.name)
                        && m.name != property.name
                        && m.occurrence.sentence == property.occurrence.sentence
                        && at(&m.occurrence).abs_diff(p) <= REACH
                        && !in_contrast(index, &m.occurrence)
                })
                .min_by_key(|m| {
                    let same_clause = tokens[m.occurrence.first_token].clause == clause;
                    let q = at(&m.occurrence);
                    (!same_clause, q > p, q.abs_diff(p))
                });
            let Some(subject) = subject else { continue };
            let direction = if property.occurrence.negated {
                Direction::Lacks
            } else {
                Direction::Has
            };
            statements.push((
                Claim {
                    subject: subject.name.to_owned(),
                    direction,
                    quantity: property.name.to_owned(),
                },
                false,
                property
                    .occurrence
                    .first_token
                    .min(subject.occurrence.first_token),
                property
                    .occurrence
                    .last_token
                    .max(subject.occurrence.last_token),
            ));
        }

        let mut findings = Vec::new();
        for (said, negated, first, last) in statements {
            for (concept, fact, verdict) in self.judge(&said, negated) {
                findings.push(Finding {
                    concept,
                    fact: fact.clone(),
                    verdict,
                    said: said.clone(),
                    first_token: first,
                    last_token: last,
                });
            }
        }
        findings
    }

    /// The facts a statement supports or contradicts, with the concepts they belong to.
    fn judge(&self, said: &Claim, negated: bool) -> Vec<(usize, &Claim, Verdict)> {
        let same = |c: &Claim, s: &str, d: Direction, q: &str| {
            c.subject == s && c.direction == d && c.quantity == q
        };
        let exact: Vec<_> = self
            .facts
            .iter()
            .filter(|(_, c)| same(c, &said.subject, said.direction, &said.quantity))
            .collect();
        if negated {
            return exact
                .into_iter()
                .map(|(i, c)| (*i, c, Verdict::Negated))
                .collect();
        }
        if !exact.is_empty() {
            return exact
                .into_iter()
                .map(|(i, c)| (*i, c, Verdict::Supports))
                .collect();
        }
        let reversed: Vec<_> = self
            .facts
            .iter()
            .filter(|(_, c)| same(c, &said.subject, said.direction.opposite(), &said.quantity))
            .map(|(i, c)| (*i, c, Verdict::Reversed))
            .collect();
        if !reversed.is_empty() {
            return reversed;
        }
        // Another subject has this property: the answer gives it to the wrong one.
        let swapped: Vec<_> = self
            .facts
            .iter()
            .filter(|(_, c)| {
                c.subject != said.subject
                    && c.direction == said.direction
                    && c.quantity == said.quantity
            })
            .map(|(i, c)| (*i, c, Verdict::Swapped))
            .collect();
        if !swapped.is_empty() {
            return swapped;
        }
        let own_in_direction: Vec<_> = self
            .facts
            .iter()
            .filter(|(_, c)| {
                c.subject == said.subject
                    && c.direction == said.direction
                    && c.quantity != said.quantity
            })
            .map(|(i, c)| (*i, c, Verdict::Swapped))
            .collect();
        // The subject's property in this direction is another quantity of the rubric.
        let quantity_known = self.facts.iter().any(|(_, c)| c.quantity == said.quantity);
        if quantity_known {
            return own_in_direction;
        }
        Vec::new()
    }
}

/// Words that put a subject in contrast rather than make it the subject: "в отличие от Y",
/// "unlike Y", "compared to Y".
const CONTRAST_WORDS: &[&str] = &[
    "отличие",
    "отличии",
    "unlike",
    "compared",
    "contrast",
    "versus",
];

/// A direction verb that takes no object ("падает", "растёт", "снижается", "falls"): what it
/// moves is its subject, before it.
fn intransitive(word: &str) -> bool {
    word.ends_with("ся")
        || word.ends_with("сь")
        || matches!(
            word,
            "падает"
                | "падают"
                | "растет"
                | "растут"
                | "falls"
                | "fall"
                | "rises"
                | "rise"
                | "grows"
                | "grow"
                | "drops"
                | "drop"
        )
}

/// Is the mention inside a contrast ("X, в отличие от Y, …"), so that it is not the subject?
fn in_contrast(index: &AnswerIndex, occurrence: &Occurrence) -> bool {
    index
        .analyzed
        .preceded_in_clause(occurrence.first_token, 4, CONTRAST_WORDS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::text::analyze;

    fn terms() -> BTreeMap<String, Vec<String>> {
        [
            ("bagging", vec!["бэггинг", "bagging"]),
            ("boosting", vec!["бустинг", "boosting"]),
            ("variance", vec!["дисперсия", "разброс", "variance"]),
            ("bias", vec!["смещение", "bias"]),
            ("dbscan", vec!["dbscan"]),
            ("kmeans", vec!["k-means", "kmeans"]),
            ("clusters-given", vec!["число кластеров"]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
        .collect()
    }

    fn verdicts(answer: &str) -> Vec<(usize, Verdict)> {
        let settings = GradeSettings::default();
        let mut vocabulary = Vocabulary::default();
        let claims = vec![
            (0, Claim::parse("bagging reduces variance").unwrap()),
            (1, Claim::parse("boosting reduces bias").unwrap()),
            (2, Claim::parse("kmeans has clusters-given").unwrap()),
            (2, Claim::parse("dbscan lacks clusters-given").unwrap()),
        ];
        let compiled =
            CompiledClaims::new(claims, &terms(), &mut vocabulary, |p| vec![p.to_owned()]);
        let analyzed = analyze(answer);
        let index = AnswerIndex::new(&analyzed, &vocabulary, &settings);
        let mut out: Vec<(usize, Verdict)> = compiled
            .check(&index, &settings)
            .into_iter()
            .map(|f| (f.concept, f.verdict))
            .collect();
        out.sort_by_key(|(c, v)| (*c, format!("{v:?}")));
        out.dedup();
        out
    }

    #[test]
    fn right_statements_support_their_facts() {
        assert_eq!(
            verdicts("Бэггинг снижает дисперсию, а бустинг уменьшает смещение."),
            vec![(0, Verdict::Supports), (1, Verdict::Supports)]
        );
        assert_eq!(
            verdicts("Bagging reduces variance while boosting reduces bias."),
            vec![(0, Verdict::Supports), (1, Verdict::Supports)]
        );
    }

    #[test]
    fn a_subject_in_contrast_is_not_the_subject() {
        assert_eq!(
            verdicts("Бэггинг, в отличие от бустинга, снижает дисперсию."),
            vec![(0, Verdict::Supports)]
        );
        assert_eq!(
            verdicts("Unlike bagging, boosting reduces bias."),
            vec![(1, Verdict::Supports)]
        );
    }

    #[test]
    fn swapped_subjects_contradict_both_facts() {
        assert_eq!(
            verdicts("Бэггинг снижает смещение, а бустинг снижает разброс."),
            vec![(0, Verdict::Swapped), (1, Verdict::Swapped)]
        );
    }

    #[test]
    fn reversed_and_negated_statements_contradict() {
        assert_eq!(
            verdicts("Бэггинг увеличивает дисперсию."),
            vec![(0, Verdict::Reversed)]
        );
        assert_eq!(
            verdicts("Бустинг не снижает смещение."),
            vec![(1, Verdict::Negated)]
        );
        assert_eq!(
            verdicts("Смещение бустинг не уменьшает."),
            vec![(1, Verdict::Negated)]
        );
        // The negation may stand before the quantity: "снижает не X, а Y" says nothing
        // about another subject reducing X.
        assert_eq!(
            verdicts("Бустинг снижает не смещение, а что-то ещё."),
            vec![(1, Verdict::Negated)]
        );
        assert!(verdicts("Бэггинг снижает не смещение, а разброс.").is_empty());
    }

    #[test]
    fn a_verb_without_an_object_moves_what_stands_before_it() {
        // No comma between the two statements: "падает" is as near to "смещение" after it
        // as to "разброс" before it.
        assert_eq!(
            verdicts("У бэггинга разброс падает смещение растёт."),
            vec![(0, Verdict::Supports)]
        );
        // A verb with an object moves what follows it.
        assert_eq!(
            verdicts("Бэггинг снижает разброс."),
            vec![(0, Verdict::Supports)]
        );
    }

    #[test]
    fn properties_belong_to_their_subjects() {
        assert_eq!(
            verdicts("DBSCAN не требует задавать число кластеров, в отличие от k-means."),
            vec![(2, Verdict::Supports)]
        );
        assert_eq!(
            verdicts("В DBSCAN нужно заранее задать число кластеров."),
            vec![(2, Verdict::Reversed)]
        );
    }

    #[test]
    fn statements_without_both_terms_say_nothing() {
        assert!(verdicts("Бэггинг строит модели параллельно.").is_empty());
        assert!(verdicts("Дисперсия снижается при усреднении.").is_empty());
    }
}
