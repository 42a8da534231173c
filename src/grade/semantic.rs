//! The semantic signal: which clause of an answer says the most the same thing as each
//! concept of a rubric, by the cosine of their sentence embeddings.
//!
//! Pure: no I/O, no async. The vectors come from [`crate::embed`], which fetches (and caches)
//! them from an embeddings server; this module only splits answers into clauses and compares
//! vectors, so it is tested with hand-made vectors.
//!
//! Cosine sees meaning, not polarity: "there is no vanishing gradient" is close to "vanishing
//! gradient". A match here says that a clause is *about* a concept; negation and wrong claims
//! are the keyword grader's business.

/// The vectors one answer is compared with its rubric by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SemanticInput {
    /// Per concept of the rubric, in rubric order: the vectors of its texts (label, label_en,
    /// hint, hint_en: those that are present, each distinct text once).
    pub concepts: Vec<Vec<Vec<f32>>>,
    /// The answer's clauses, from [`answer_clauses`].
    pub clauses: Vec<String>,
    /// One vector per clause, in the same order.
    pub clause_vectors: Vec<Vec<f32>>,
}

/// The clause that states a concept best.
#[derive(Debug, Clone, PartialEq)]
pub struct SemanticMatch {
    /// Index into [`SemanticInput::clauses`].
    pub clause: usize,
    /// The clause's text.
    pub text: String,
    /// Its cosine with the nearest of the concept's vectors.
    pub cosine: f32,
}

/// A piece with fewer words than this is merged into a neighbour.
pub const MIN_CLAUSE_WORDS: usize = 4;

/// Split an answer into clauses: at sentence ends (`.`, `!`, `?`, `…` before a space or the
/// end), semicolons, line breaks and bullets (`-`, `*`, `•`, `–`, `—`, `1.`, `1)` at the start
/// of a line; `•` anywhere). Pieces of fewer than [`MIN_CLAUSE_WORDS`] words are merged into
/// the previous piece (into the next one when there is none before, or when the short piece
/// ends with `:` and so introduces what follows). Whitespace runs become one space; pieces
/// without a letter or digit are dropped.
pub fn answer_clauses(answer: &str) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    for line in answer.lines() {
        for part in line.split('•') {
            split_sentences(strip_bullet(part), &mut pieces);
        }
    }
    merge_short(pieces)
}

/// Split one line at sentence ends and semicolons, keeping the terminator with its sentence.
fn split_sentences(line: &str, out: &mut Vec<String>) {
    let mut start = 0;
    let mut chars = line.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        let boundary = match c {
            ';' => true,
            '.' | '!' | '?' | '…' => {
                // Keep runs like "?!" or "..." together, then require a space or the end.
                while let Some(&(_, next)) = chars.peek() {
                    if matches!(next, '.' | '!' | '?' | '…') {
                        chars.next();
                    } else {
                        break;
                    }
                }
                chars.peek().is_none_or(|&(_, next)| next.is_whitespace())
            }
            _ => false,
        };
        if boundary {
            let stop = chars.peek().map_or(line.len(), |&(j, _)| j);
            push_piece(&line[start..stop], out);
            start = stop;
        }
    }
    push_piece(&line[start..], out);
}

fn push_piece(piece: &str, out: &mut Vec<String>) {
    let text = piece.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().any(char::is_alphanumeric) {
        out.push(text);
    }
}

/// A line without its bullet or list number.
fn strip_bullet(line: &str) -> &str {
    let trimmed = line.trim_start();
    for bullet in ['-', '*', '•', '–', '—', '·', '+'] {
        if let Some(rest) = trimmed.strip_prefix(bullet) {
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                return rest;
            }
        }
    }
    let digits = trimmed.len()
        - trimmed
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    if (1..=3).contains(&digits) {
        let rest = &trimmed[digits..];
        for mark in ['.', ')'] {
            if let Some(after) = rest.strip_prefix(mark) {
                if after.starts_with(char::is_whitespace) {
                    return after;
                }
            }
        }
    }
    trimmed
}

fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

fn merge_short(pieces: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending: Option<String> = None;
    for piece in pieces {
        let piece = match pending.take() {
            Some(before) => format!("{before} {piece}"),
            None => piece,
        };
        if word_count(&piece) >= MIN_CLAUSE_WORDS {
            out.push(piece);
        } else if piece.ends_with(':') {
            pending = Some(piece);
        } else if let Some(last) = out.last_mut() {
            last.push(' ');
            last.push_str(&piece);
        } else {
            pending = Some(piece);
        }
    }
    if let Some(rest) = pending {
        match out.last_mut() {
            Some(last) => {
                last.push(' ');
                last.push_str(&rest);
            }
            None => out.push(rest),
        }
    }
    out
}

/// The cosine of two vectors; 0 when their lengths differ, one is empty or all zero, or the
/// result is not finite.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let (mut dot, mut na, mut nb) = (0.0f64, 0.0f64, 0.0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    let value = dot / (na.sqrt() * nb.sqrt());
    if value.is_finite() {
        value.clamp(-1.0, 1.0) as f32
    } else {
        0.0
    }
}

/// For each concept, the clause nearest to any of its vectors (the first clause on a tie),
/// whatever the cosine; `None` for a concept without vectors or an answer without clauses.
pub fn best_matches(input: &SemanticInput) -> Vec<Option<SemanticMatch>> {
    input
        .concepts
        .iter()
        .map(|vectors| {
            let mut best: Option<(usize, f32)> = None;
            for (i, clause) in input.clause_vectors.iter().enumerate() {
                for vector in vectors {
                    let c = cosine(vector, clause);
                    if best.is_none_or(|(_, b)| c > b) {
                        best = Some((i, c));
                    }
                }
            }
            best.map(|(clause, cosine)| SemanticMatch {
                clause,
                text: input.clauses.get(clause).cloned().unwrap_or_default(),
                cosine,
            })
        })
        .collect()
}

/// For each concept, in rubric order, the clause that states it best when its cosine is at
/// least `threshold` (`embeddings.similarity`); `None` otherwise. A NaN threshold matches
/// nothing.
///
/// A clause states one idea: it counts only for the concept it is nearest to, so a clause
/// about one concept does not also earn its neighbours on the same topic (the cosines of one
/// topic's texts are all high).
pub fn semantic_matches(input: &SemanticInput, threshold: f32) -> Vec<Option<SemanticMatch>> {
    let nearest = |clause: usize| -> Option<usize> {
        let vector = input.clause_vectors.get(clause)?;
        let mut best: Option<(usize, f32)> = None;
        for (concept, vectors) in input.concepts.iter().enumerate() {
            for v in vectors {
                let c = cosine(v, vector);
                if best.is_none_or(|(_, b)| c > b) {
                    best = Some((concept, c));
                }
            }
        }
        best.map(|(concept, _)| concept)
    };
    best_matches(input)
        .into_iter()
        .enumerate()
        .map(|(concept, m)| {
            m.filter(|m| m.cosine >= threshold && nearest(m.clause) == Some(concept))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_split_at_sentences_semicolons_lines_and_bullets() {
        let answer = "Главная беда RNN — исчезающий градиент при обучении. Бывает и взрывающийся градиент, его режут clipping; а ещё обучение идёт медленно и последовательно!\n\
                      - шаги нельзя распараллелить по времени\n\
                      2) LSTM и GRU помогают с памятью • трансформеры решают это вниманием";
        assert_eq!(
            answer_clauses(answer),
            [
                "Главная беда RNN — исчезающий градиент при обучении.",
                "Бывает и взрывающийся градиент, его режут clipping;",
                "а ещё обучение идёт медленно и последовательно!",
                "шаги нельзя распараллелить по времени",
                "LSTM и GRU помогают с памятью",
                "трансформеры решают это вниманием",
            ]
        );
    }

    #[test]
    fn numbers_and_inner_dots_do_not_split() {
        assert_eq!(
            answer_clauses("Learning rate 0.001 works for Adam in most cases, see e.g.Karpathy"),
            ["Learning rate 0.001 works for Adam in most cases, see e.g.Karpathy"]
        );
    }

    #[test]
    fn short_pieces_merge_into_a_neighbour() {
        // "Да." has no piece before it: it joins the next one.
        assert_eq!(
            answer_clauses("Да. Градиент затухает на длинных последовательностях. Это плохо."),
            ["Да. Градиент затухает на длинных последовательностях. Это плохо.",]
        );
        // A short heading ending in ':' introduces what follows.
        assert_eq!(
            answer_clauses(
                "The gradient vanishes over many steps.\nTwo fixes:\n- clip the gradient norm\n- use LSTM or GRU cells"
            ),
            [
                "The gradient vanishes over many steps.",
                "Two fixes: clip the gradient norm",
                "use LSTM or GRU cells",
            ]
        );
        // "?!" and "..." stay with their sentence.
        assert_eq!(
            answer_clauses("Why does the gradient vanish?! Because of repeated products... Right"),
            [
                "Why does the gradient vanish?!",
                "Because of repeated products... Right"
            ]
        );
    }

    #[test]
    fn empty_and_punctuation_only_pieces_are_dropped() {
        assert!(answer_clauses("").is_empty());
        assert!(answer_clauses("  \n\n - \n ... ;;").is_empty());
        assert_eq!(answer_clauses("не знаю"), ["не знаю"]);
        assert_eq!(
            answer_clauses("\n\n---\nBias is the error of the model's assumptions.\n\n"),
            ["Bias is the error of the model's assumptions."]
        );
    }

    #[test]
    fn every_word_survives_splitting() {
        let answer = "One two three four. Five; six seven\n* eight nine ten eleven • twelve!";
        let words = |s: &str| {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(words(&answer_clauses(answer).join(" ")), words(answer));
    }

    #[test]
    fn cosine_of_hand_made_vectors() {
        assert!((cosine(&[1.0, 0.0], &[1.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 2.0]).abs() < 1e-6);
        assert!((cosine(&[1.0, 1.0], &[2.0, 2.0]) - 1.0).abs() < 1e-6);
        assert!((cosine(&[1.0, 0.0], &[-3.0, 0.0]) + 1.0).abs() < 1e-6);
        assert!((cosine(&[3.0, 4.0], &[4.0, 3.0]) - 0.96).abs() < 1e-6);
        // Degenerate input is no match rather than NaN.
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
        assert_eq!(cosine(&[1.0], &[1.0, 0.0]), 0.0);
        assert_eq!(cosine(&[], &[]), 0.0);
        assert_eq!(cosine(&[f32::NAN, 1.0], &[1.0, 0.0]), 0.0);
    }

    fn input() -> SemanticInput {
        SemanticInput {
            concepts: vec![
                // Concept 0: near clause 1 through its second vector.
                vec![vec![0.0, 0.0, 1.0], vec![0.0, 1.0, 0.1]],
                // Concept 1: between clauses, close to none.
                vec![vec![1.0, -1.0, 0.0]],
                // Concept 2: no texts at all.
                vec![],
            ],
            clauses: vec!["first".into(), "second".into()],
            clause_vectors: vec![vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]],
        }
    }

    #[test]
    fn each_concept_gets_its_best_clause_at_or_above_the_threshold() {
        let matches = semantic_matches(&input(), 0.9);
        assert_eq!(matches.len(), 3);
        let first = matches[0].as_ref().unwrap();
        assert_eq!((first.clause, first.text.as_str()), (1, "second"));
        assert!((first.cosine - 0.995_037).abs() < 1e-5, "{}", first.cosine);
        assert_eq!(matches[1], None);
        assert_eq!(matches[2], None);
        // At exactly the threshold it counts.
        let exact = first.cosine;
        assert!(semantic_matches(&input(), exact)[0].is_some());
        assert!(semantic_matches(&input(), exact + 1e-6)[0].is_none());
    }

    #[test]
    fn best_matches_ignore_the_threshold_and_nan_matches_nothing() {
        let best = best_matches(&input());
        let second = best[1].as_ref().unwrap();
        assert_eq!(second.clause, 0);
        assert!((second.cosine - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-5);
        assert!(semantic_matches(&input(), f32::NAN)
            .iter()
            .all(Option::is_none));
    }

    #[test]
    fn an_answer_without_clauses_matches_nothing() {
        let empty = SemanticInput {
            clauses: vec![],
            clause_vectors: vec![],
            ..input()
        };
        assert_eq!(semantic_matches(&empty, 0.0), vec![None, None, None]);
        assert!(semantic_matches(&SemanticInput::default(), 0.0).is_empty());
    }

    #[test]
    fn a_clause_counts_only_for_the_concept_it_is_nearest_to() {
        // One clause, close to both concepts of one topic but closer to the first.
        let input = SemanticInput {
            concepts: vec![vec![vec![1.0, 0.1]], vec![vec![1.0, 0.3]]],
            clauses: vec!["about the first".into()],
            clause_vectors: vec![vec![1.0, 0.05]],
        };
        let best = best_matches(&input);
        assert!(best.iter().all(|m| m.as_ref().unwrap().cosine > 0.9));
        let matches = semantic_matches(&input, 0.9);
        assert!(matches[0].is_some());
        assert_eq!(matches[1], None);
    }

    #[test]
    fn ties_keep_the_first_clause() {
        let input = SemanticInput {
            concepts: vec![vec![vec![1.0, 0.0]]],
            clauses: vec!["a".into(), "b".into()],
            clause_vectors: vec![vec![2.0, 0.0], vec![5.0, 0.0]],
        };
        assert_eq!(semantic_matches(&input, 0.5)[0].as_ref().unwrap().clause, 0);
    }
}
