//! Automatic rubric drafting from a reference answer.
//!
//! Key points come from the answer's structure (bullets, else sentences); aliases are the
//! point's heading and its most specific terms, where "specific" means rare across the bank
//! (inverse document frequency). Drafts are marked `drafted = true` for a person to curate.

use std::collections::{HashMap, HashSet};

use super::{Concept, Rubric};
use crate::bank::Question;
use crate::grade::text::{self, Script, Token};

/// Document frequencies of stems across a bank, for judging how specific a term is.
#[derive(Debug, Clone, Default)]
pub struct DraftContext {
    document_frequency: HashMap<String, usize>,
    documents: usize,
}

impl DraftContext {
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> DraftContext {
        let mut context = DraftContext::default();
        for text in texts {
            context.documents += 1;
            let stems: HashSet<String> = text::analyze(text)
                .tokens
                .into_iter()
                .filter(|t| !t.is_stop)
                .map(|t| t.stem.to_string())
                .collect();
            for stem in stems {
                *context.document_frequency.entry(stem).or_default() += 1;
            }
        }
        context
    }

    /// Inverse document frequency: 1 for a term in every answer, higher for rarer ones.
    pub fn idf(&self, stem: &str) -> f64 {
        let df = self.document_frequency.get(stem).copied().unwrap_or(0) as f64;
        ((self.documents as f64 + 1.0) / (df + 1.0)).ln() + 1.0
    }
}

/// Words too general to show that a candidate knows a particular idea.
const GENERIC: &[&str] = &[
    "модел",
    "данн",
    "метод",
    "использ",
    "использова",
    "помога",
    "позволя",
    "задач",
    "работ",
    "случа",
    "пример",
    "например",
    "котор",
    "являет",
    "явля",
    "нужн",
    "можн",
    "больш",
    "нов",
    "разн",
    "друг",
    "одн",
    "част",
    "так",
    "сво",
    "цел",
    "основн",
    "важн",
    "качеств",
    "процесс",
    "результат",
    "зависим",
    "значен",
    "обычн",
    "есл",
    "такж",
    "эт",
    "model",
    "data",
    "use",
    "used",
    "using",
    "method",
    "example",
    "result",
    "value",
    "thing",
    "way",
    "make",
    "get",
    "new",
    "different",
    "main",
    "important",
    "usual",
    "usually",
    "often",
    "allow",
    "help",
    "also",
    "problem",
    "program",
];

fn is_generic(token: &Token) -> bool {
    GENERIC.contains(&&*token.stem)
}

fn is_term(token: &Token) -> bool {
    !token.is_stop
        && token.script != Script::Other
        && token.word.chars().count() >= if token.script == Script::Latin { 2 } else { 3 }
}

/// Bullet markers used by question channels and Markdown.
fn strip_bullet(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    let first = trimmed.chars().next()?;
    let is_marker = matches!(first, '-' | '*' | '•' | '–' | '—' | '+')
        || (!first.is_alphanumeric()
            && !matches!(first, '"' | '«' | '(' | '[' | '\'' | '`' | '<' | '#'));
    if is_marker {
        let rest =
            trimmed.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(' && c != '«');
        return (!rest.is_empty()).then_some(rest);
    }
    // "1." / "2)" numbering.
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits < 3 {
        let rest = &trimmed[digits..];
        if let Some(rest) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')')) {
            return Some(rest.trim_start());
        }
    }
    None
}

/// A key point of the reference answer: its heading (bullet line) and full text.
#[derive(Debug, Clone)]
struct Point {
    heading: String,
    body: String,
}

fn split_points(answer: &str) -> Vec<Point> {
    let lines: Vec<&str> = answer
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let bullets = lines.iter().filter(|l| strip_bullet(l).is_some()).count();
    let mut points: Vec<Point> = Vec::new();
    if bullets >= 2 {
        let mut intro = String::new();
        for line in lines {
            match strip_bullet(line) {
                Some(rest) => points.push(Point {
                    heading: rest.to_owned(),
                    body: rest.to_owned(),
                }),
                None => match points.last_mut() {
                    Some(point) => {
                        point.body.push('\n');
                        point.body.push_str(line);
                    }
                    None => {
                        intro.push_str(line);
                        intro.push('\n');
                    }
                },
            }
        }
        if text::analyze(&intro).content_count() >= 5 {
            points.insert(
                0,
                Point {
                    heading: first_sentence(&intro),
                    body: intro,
                },
            );
        }
    } else {
        for sentence in sentences(answer) {
            if text::analyze(&sentence).content_count() >= 2 {
                points.push(Point {
                    heading: sentence.clone(),
                    body: sentence,
                });
            }
        }
    }
    points
}

fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        current.push(c);
        let next_is_space = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        if (matches!(c, '.' | '!' | '?' | ';') && next_is_space) || c == '\n' {
            let s = current.trim().to_owned();
            if !s.is_empty() {
                out.push(s);
            }
            current.clear();
        }
    }
    let s = current.trim().to_owned();
    if !s.is_empty() {
        out.push(s);
    }
    out
}

fn first_sentence(text: &str) -> String {
    sentences(text).into_iter().next().unwrap_or_default()
}

fn shorten(text: &str, words: usize) -> String {
    let cleaned = text.trim().trim_end_matches(['.', ':', ';', ',']);
    let all: Vec<&str> = cleaned.split_whitespace().collect();
    if all.len() <= words {
        all.join(" ")
    } else {
        format!("{}…", all[..words].join(" "))
    }
}

/// Turn text into an ASCII slug (Cyrillic transliterated).
pub fn slug(text: &str, max_words: usize) -> String {
    let analyzed = text::analyze(text);
    let words: Vec<String> = analyzed
        .tokens
        .iter()
        .filter(|t| !t.is_stop || analyzed.tokens.len() <= 2)
        .map(|t| {
            text::transliterate(&t.word)
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .take(max_words)
        .collect();
    let mut slug = words.join("-");
    slug.truncate(60);
    slug.trim_end_matches('-').to_owned()
}

/// Draft a rubric for `question`, judging term specificity by `context`.
pub fn draft(question: &Question, context: &DraftContext) -> Rubric {
    let english = question.lang == "en";
    let mut points = split_points(&question.answer);
    let salience = |point: &Point| -> f64 {
        let mut seen = HashSet::new();
        text::analyze(&point.body)
            .tokens
            .iter()
            .filter(|t| is_term(t) && !is_generic(t) && seen.insert(t.stem.to_string()))
            .map(|t| context.idf(&t.stem))
            .sum()
    };
    if points.len() > 8 {
        let mut ranked: Vec<(f64, usize)> = points
            .iter()
            .enumerate()
            .map(|(i, p)| (salience(p), i))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let keep: HashSet<usize> = ranked.iter().take(8).map(|&(_, i)| i).collect();
        points = points
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, p)| p)
            .collect();
    }
    let saliences: Vec<f64> = points.iter().map(salience).collect();
    let mean = saliences.iter().sum::<f64>() / saliences.len().max(1) as f64;

    let mut used_keys: HashSet<String> = HashSet::new();
    let mut used_ids: HashSet<String> = HashSet::new();
    let mut concepts = Vec::new();
    for (index, point) in points.iter().enumerate() {
        let aliases = point_aliases(point, context, &mut used_keys);
        if aliases.is_empty() {
            continue;
        }
        let label = shorten(&point.heading, 10);
        let mut id = slug(&aliases[0], 4);
        if id.is_empty() {
            id = format!("point-{}", index + 1);
        }
        while !used_ids.insert(id.clone()) {
            id.push_str("-2");
        }
        let weight = if mean > 0.0 {
            (2.0 * saliences[index] / mean).round().clamp(1.0, 4.0)
        } else {
            1.0
        };
        let hint = if english {
            format!("Mention: {label}")
        } else {
            format!("Раскройте пункт: {label}")
        };
        concepts.push(Concept {
            id,
            label,
            label_en: None,
            weight,
            required: false,
            aliases,
            hint,
            hint_en: None,
        });
    }
    Rubric {
        question_id: question.id.clone(),
        drafted: true,
        concepts,
        misconceptions: Vec::new(),
    }
}

/// The heading (when short), then the most specific word pairs and words of a point.
fn point_aliases(point: &Point, context: &DraftContext, used: &mut HashSet<String>) -> Vec<String> {
    let mut aliases = Vec::new();
    let mut push = |phrase: String, used: &mut HashSet<String>| -> bool {
        let key: String = text::analyze(&phrase)
            .tokens
            .iter()
            .filter(|t| !t.is_stop)
            .map(|t| t.stem.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        let fresh = !key.is_empty() && used.insert(key);
        if fresh {
            aliases.push(phrase);
        }
        fresh
    };
    let heading = text::analyze(&point.heading);
    let heading_terms: Vec<&Token> = heading.tokens.iter().filter(|t| is_term(t)).collect();
    if (1..=4).contains(&heading_terms.len()) && point.heading != point.body {
        push(
            heading_terms
                .iter()
                .map(|t| t.word.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            used,
        );
    }
    let body = text::analyze(&point.body);
    let tokens = &body.tokens;
    let specific = |t: &Token| is_term(t) && !is_generic(t);
    let mut pairs: Vec<(f64, String)> = Vec::new();
    let content: Vec<usize> = (0..tokens.len()).filter(|&i| !tokens[i].is_stop).collect();
    for window in content.windows(2) {
        let (a, b) = (&tokens[window[0]], &tokens[window[1]]);
        if specific(a) && specific(b) && a.clause == b.clause && a.stem != b.stem {
            pairs.push((
                context.idf(&a.stem) + context.idf(&b.stem),
                format!("{} {}", a.word, b.word),
            ));
        }
    }
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0));
    for (_, pair) in pairs.into_iter().take(2) {
        push(pair, used);
    }
    let mut singles: Vec<(f64, &Token)> = tokens
        .iter()
        .filter(|t| specific(t) && (t.word.chars().count() >= 5 || t.script == Script::Latin))
        .map(|t| (context.idf(&t.stem), t))
        .collect();
    singles.sort_by(|x, y| y.0.total_cmp(&x.0));
    let mut taken = 0;
    for (_, token) in singles {
        if taken == 3 {
            break;
        }
        if push(token.word.clone(), used) {
            taken += 1;
        }
    }
    aliases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Level;

    fn question(answer: &str) -> Question {
        Question {
            id: "q".into(),
            question: "?".into(),
            answer: answer.into(),
            levels: vec![Level::Junior],
            topics: vec![],
            lang: "ru".into(),
            source: String::new(),
            popularity: None,
            question_en: None,
            answer_en: None,
        }
    }

    #[test]
    fn bullets_become_concepts_with_their_headings() {
        let q = question(
            "RNN обрабатывают последовательности и хранят скрытое состояние между шагами.\n\
             ▪️Взрывающийся градиент.\nГрадиент растёт экспоненциально и обучение расходится.\n\
             ▪️Исчезающий градиент.\nГрадиент стремится к нулю, ранние шаги не учатся.\n\
             ▪️Медленное обучение.\nШаги по времени нельзя распараллелить.",
        );
        let rubric = draft(&q, &DraftContext::from_texts([q.answer.as_str()]));
        assert!(rubric.drafted);
        assert_eq!(rubric.concepts.len(), 4);
        assert_eq!(rubric.concepts[1].aliases[0], "взрывающийся градиент");
        assert_eq!(rubric.concepts[1].label, "Взрывающийся градиент");
    }

    #[test]
    fn plain_text_splits_into_sentences() {
        let q = question("Abstraction hides details. Reusability saves effort across programs.");
        let rubric = draft(&q, &DraftContext::from_texts([q.answer.as_str()]));
        assert_eq!(rubric.concepts.len(), 2);
    }

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Что за алгоритм DBSCAN?", 5), "algoritm-dbscan");
    }
}
