//! Automatic rubric drafting from a reference answer.
//!
//! Key points come from the answer's structure (bullets, else sentences); aliases are the
//! point's heading and its most specific terms, where "specific" means rare across the bank
//! (inverse document frequency). Drafts are marked `drafted = true` for a person to curate.

use std::collections::{HashMap, HashSet};

use super::{Concept, Rubric, Scoring};
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
    "important",
    "usual",
    "usually",
    "often",
    "allow",
    "help",
    "also",
    "made",
    "make",
    "makes",
    "every",
    "each",
    "thing",
    "things",
    "something",
    "way",
    "ways",
    "need",
    "needs",
    "called",
    "given",
    "able",
    "based",
    "whose",
    "problem",
    "program",
];

/// Everyday words: in a small bank a rare everyday word ("taking", "currently") looks specific
/// by document frequency alone, but a candidate is unlikely to reuse it, so it weighs less.
const EVERYDAY: &[&str] = &[
    "take",
    "taking",
    "took",
    "give",
    "go",
    "goes",
    "going",
    "come",
    "see",
    "look",
    "looking",
    "know",
    "think",
    "want",
    "let",
    "put",
    "set",
    "keep",
    "turn",
    "show",
    "try",
    "ask",
    "work",
    "seem",
    "feel",
    "leave",
    "bring",
    "begin",
    "happen",
    "occur",
    "write",
    "provide",
    "include",
    "continue",
    "change",
    "lead",
    "understand",
    "follow",
    "stop",
    "create",
    "speak",
    "read",
    "allow",
    "add",
    "spend",
    "grow",
    "open",
    "walk",
    "offer",
    "remember",
    "consider",
    "appear",
    "buy",
    "wait",
    "serve",
    "send",
    "expect",
    "build",
    "stay",
    "fall",
    "cut",
    "reach",
    "remain",
    "suggest",
    "raise",
    "pass",
    "require",
    "report",
    "decide",
    "pull",
    "achieve",
    "achieved",
    "identify",
    "identifies",
    "involve",
    "ensure",
    "perform",
    "done",
    "doing",
    "time",
    "times",
    "left",
    "right",
    "current",
    "currently",
    "remaining",
    "good",
    "better",
    "best",
    "bad",
    "high",
    "low",
    "long",
    "short",
    "little",
    "own",
    "other",
    "old",
    "right",
    "big",
    "same",
    "able",
    "last",
    "late",
    "hard",
    "early",
    "young",
    "important",
    "few",
    "public",
    "private",
    "real",
    "sure",
    "simple",
    "easy",
    "possible",
    "whole",
    "free",
    "true",
    "full",
    "certain",
    "clear",
    "specific",
    "general",
    "particular",
    "actual",
    "usual",
    "single",
    "multiple",
    "several",
    "various",
    "kind",
    "sort",
    "part",
    "place",
    "case",
    "point",
    "fact",
    "number",
    "group",
    "order",
    "area",
    "level",
    "form",
    "line",
    "end",
    "side",
    "home",
    "state",
    "world",
    "year",
    "day",
    "week",
    "people",
    "person",
    "man",
    "woman",
    "life",
    "hand",
    "eye",
    "name",
    "information",
    "system",
    "process",
    "word",
    "words",
    "question",
    "answer",
    "idea",
    "reason",
    "among",
    "within",
    "without",
    "throughout",
    "already",
    "always",
    "sometimes",
    "instead",
    "rather",
    "either",
    "neither",
    "whether",
    "however",
    "therefore",
    "thus",
    "hence",
];

fn is_everyday(token: &Token) -> bool {
    static STEMS: std::sync::OnceLock<HashSet<String>> = std::sync::OnceLock::new();
    let stems = STEMS.get_or_init(|| {
        EVERYDAY
            .iter()
            .filter_map(|w| text::analyze(w).tokens.first().map(|t| t.stem.to_string()))
            .collect()
    });
    stems.contains(&*token.stem)
}

/// Weight of a key term: its specificity across the bank, halved for everyday words.
fn term_weight(token: &Token, context: &DraftContext) -> f64 {
    let idf = context.idf(&token.stem);
    if is_everyday(token) {
        idf * EVERYDAY_FACTOR
    } else {
        idf
    }
}

const EVERYDAY_FACTOR: f64 = 0.5;

fn is_generic(token: &Token) -> bool {
    GENERIC.contains(&&*token.stem) || GENERIC.contains(&token.word.as_str())
}

/// Is the token at `index` denied by a negation shortly before it in its clause ("if the
/// sample is not large")? Then its alias keeps the negation, so that the grader's polarity
/// rule matches "when the sample is not big" and not "the sample is large".
fn negated_at(tokens: &[Token], index: usize) -> bool {
    let clause = tokens[index].clause;
    tokens[..index]
        .iter()
        .rev()
        .take(3)
        .take_while(|t| t.clause == clause)
        .filter(|t| t.is_negation)
        .count()
        % 2
        == 1
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
            if text::analyze(&sentence).content_count() >= 1 {
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

/// Words that join two key points in one sentence ("bias and variance").
const JOINERS: &[&str] = &["and", "or", "и", "или", "а", "also", "plus"];

/// Obvious synonyms: a key term written with one of these also gets the others as aliases.
/// Each group is one meaning; words are matched by stem, so one form per word is enough.
const SYNONYMS: &[&[&str]] = &[
    &["function", "method", "procedure", "функция", "метод"],
    &["begin", "start", "начало", "начинать"],
    &["end", "finish", "конец", "окончание"],
    &["store", "hold", "keep", "save", "хранить", "сохранять"],
    &["location", "place", "address", "место", "адрес"],
    &["memory", "ram", "память"],
    &["error", "mistake", "bug", "fault", "ошибка"],
    &["remove", "delete", "erase", "удалить", "удаление"],
    &["insert", "add", "вставка", "добавление"],
    &["search", "find", "lookup", "поиск", "найти"],
    &["fast", "quick", "efficient", "быстрый", "эффективный"],
    &["slow", "inefficient", "медленный"],
    &["large", "big", "huge", "большой"],
    &["small", "little", "tiny", "маленький"],
    &["size", "length", "размер", "длина"],
    &["element", "item", "entry", "элемент"],
    &["argument", "parameter", "аргумент", "параметр"],
    &["reference", "pointer", "address", "ссылка", "указатель"],
    &["copy", "duplicate", "копия"],
    &["change", "modify", "alter", "изменить", "изменение"],
    &["hide", "conceal", "encapsulate", "скрывать", "инкапсуляция"],
    &["reuse", "reusability", "reusable", "переиспользование"],
    &["simulate", "imitate", "emulate", "model", "имитировать"],
    &["behavior", "behaviour", "поведение"],
    &["array", "массив"],
    &["list", "список"],
    &["queue", "очередь"],
    &["tree", "дерево"],
    &["node", "vertex", "узел", "вершина"],
    &["sort", "order", "сортировка", "упорядочить"],
    &["feature", "признак"],
    &["sample", "выборка"],
    &["training", "обучение"],
    &["weight", "вес"],
    &["overfitting", "переобучение"],
    &["speed", "скорость"],
    &["complexity", "сложность"],
    &["declare", "define", "объявить"],
    &["variable", "переменная"],
    &["loop", "iteration", "цикл", "итерация"],
    &["recursion", "recursive", "рекурсия"],
    &["class", "класс"],
    &["object", "instance", "объект", "экземпляр"],
    &[
        "minimum",
        "smallest",
        "lowest",
        "min",
        "минимум",
        "наименьший",
    ],
    &[
        "maximum",
        "largest",
        "biggest",
        "highest",
        "greatest",
        "max",
        "максимум",
        "наибольший",
    ],
    &[
        "unlimited",
        "infinite",
        "unbounded",
        "arbitrary",
        "неограниченный",
        "бесконечный",
    ],
    &["position", "place", "spot", "позиция"],
    &[
        "swap",
        "exchange",
        "switch",
        "interchange",
        "обмен",
        "поменять",
    ],
    &["select", "choose", "pick", "выбрать", "выбор"],
    &["first", "beginning", "front", "первый"],
    &["last", "final", "tail", "последний"],
    &["next", "following", "subsequent", "следующий"],
    &["previous", "prior", "preceding", "предыдущий"],
    &["correct", "proper", "правильный"],
    &["whole", "entire", "complete", "весь", "целый"],
    &["part", "portion", "section", "segment", "часть"],
    &["increase", "grow", "increment", "увеличить", "рост"],
    &["decrease", "shrink", "decrement", "reduce", "уменьшить"],
    &["contain", "include", "содержать"],
    &["create", "construct", "build", "создать"],
    &["allocate", "reserve", "выделить"],
    &["release", "free", "deallocate", "освободить"],
    &["access", "retrieve", "reach", "доступ"],
    &["pass", "send", "передать"],
    &["call", "invoke", "вызов", "вызвать"],
    &["execute", "run", "perform", "выполнить", "запуск"],
    &["exist", "live", "persist", "существовать"],
    &["duration", "lifetime", "life", "время жизни"],
    &["visible", "accessible", "видимый", "доступный"],
    &["identify", "determine", "detect", "определить"],
    &["compare", "comparison", "сравнить", "сравнение"],
    &["combine", "merge", "join", "объединить"],
    &["divide", "split", "partition", "разделить", "разбить"],
    &["remaining", "rest", "остальные", "оставшиеся"],
    &["sorted", "ordered", "отсортированный"],
    &["value", "значение"],
    &["type", "kind", "тип"],
    &["operator", "operation", "оператор", "операция"],
    &["provide", "supply", "give", "предоставить"],
    &["lifo", "last in first out"],
    &["fifo", "first in first out"],
    &["top", "peek", "вершина стека"],
    &["constant", "fixed", "unchanging", "константа", "постоянный"],
    &["signature", "prototype", "parameter list", "сигнатура"],
    &["traverse", "visit", "walk", "обход", "обойти"],
    &["parent", "ancestor", "родитель", "предок"],
    &["child", "descendant", "потомок", "ребенок"],
    &["leaf", "terminal node", "лист"],
    &["scope", "visibility", "область видимости"],
    &["inherit", "derive", "extend", "наследовать"],
    &["storage", "storing", "хранение"],
    &["half", "middle", "midpoint", "половина", "середина"],
    &["collision", "conflict", "clash", "коллизия"],
    &["limit", "bound", "предел", "граница"],
    &["linear", "proportional", "линейный"],
    &["logarithmic", "log", "логарифмический"],
    &["quadratic", "squared", "квадратичный"],
    &["empty", "blank", "пустой"],
    &["efficient", "faster", "эффективный"],
    &["height", "depth", "высота", "глубина"],
    &[
        "repeat",
        "repetition",
        "repeatedly",
        "повторять",
        "повторение",
    ],
    &["condition", "check", "условие", "проверка"],
    &["terminate", "halt", "завершиться", "остановиться"],
    &["average", "mean", "expected", "среднее", "ожидаемый"],
    &["worst case", "upper bound", "худший случай"],
    &["heap", "free store", "dynamic memory", "куча"],
    &["overflow", "exceed", "переполнение"],
    &["dynamic", "runtime", "динамический"],
    &["link", "connection", "связь"],
    &["locate", "lookup", "найти"],
];

/// The synonym group of a stem, if any (compared by stem, so any word form finds it).
fn synonyms_of(word: &str, stem: &str) -> Option<&'static [&'static str]> {
    static STEMS: std::sync::OnceLock<Vec<Vec<String>>> = std::sync::OnceLock::new();
    let stems = STEMS.get_or_init(|| {
        SYNONYMS
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|w| {
                        text::analyze(w)
                            .tokens
                            .first()
                            .map(|t| t.stem.to_string())
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect()
    });
    // The same stem and nearly the same length: "stores" finds "store", but "meaning" does
    // not find "mean" nor "initializer" "initial" (the stemmer conflates them).
    stems
        .iter()
        .enumerate()
        .position(|(g, group)| {
            group
                .iter()
                .zip(SYNONYMS[g])
                .any(|(s, w)| s == stem && word.chars().count().abs_diff(w.chars().count()) <= 2)
        })
        .map(|i| SYNONYMS[i])
}

/// A key point as tokens: the words of a bullet, sentence or clause.
struct Unit<'a> {
    label: String,
    tokens: Vec<&'a Token>,
}

/// Split a point into clauses: at commas and brackets (the tokeniser's clauses) and at "and",
/// "or", "и", "или".
fn clauses<'a>(tokens: &[&'a Token]) -> Vec<Vec<&'a Token>> {
    let mut out: Vec<Vec<&Token>> = Vec::new();
    let mut current: Vec<&Token> = Vec::new();
    let mut clause = tokens.first().map_or(0, |t| t.clause);
    for &token in tokens {
        let joiner = JOINERS.contains(&token.word.as_str());
        if token.clause != clause || joiner {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            clause = token.clause;
        }
        if !joiner {
            current.push(token);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Draft a rubric for `question`, judging term specificity by `context`.
///
/// Key points are the reference answer's bullets, else its sentences; a short answer (fewer
/// than three points) is split further into clauses, so that an answer naming half of
/// "bias and variance" earns half. Terms that only repeat the question are never
/// key terms: repeating the question shows nothing.
pub fn draft(question: &Question, context: &DraftContext) -> Rubric {
    stated_in_reference(
        without_echoes(draft_raw(question, context), question),
        question,
    )
}

/// Drop concepts none of whose aliases the grader finds in the reference answer (a function
/// word taken for a term, say): no answer could earn them, and `rubric check`, which every
/// command that uses a bank runs, refuses them.
fn stated_in_reference(mut rubric: Rubric, question: &Question) -> Rubric {
    let compiled = crate::grade::CompiledRubric::new(rubric.clone(), &question.all_texts());
    let (found, _) =
        compiled.phrases_found_in(&question.answer, &crate::grade::GradeSettings::default());
    let mut stated = found.iter().map(|aliases| !aliases.is_empty());
    rubric.concepts.retain(|_| stated.next().unwrap_or(false));
    rubric
}

/// Drop aliases that only repeat the question (the grader ignores them, and `rubric check`
/// warns about them), and concepts left without aliases.
fn without_echoes(mut rubric: Rubric, question: &Question) -> Rubric {
    let compiled = crate::grade::CompiledRubric::new(rubric.clone(), &question.all_texts());
    if compiled.echoes.is_empty() {
        return rubric;
    }
    for (index, concept) in rubric.concepts.iter_mut().enumerate() {
        concept
            .aliases
            .retain(|a| !compiled.echoes.iter().any(|(i, e)| *i == index && e == a));
    }
    rubric.concepts.retain(|c| !c.aliases.is_empty());
    rubric
}

fn draft_raw(question: &Question, context: &DraftContext) -> Rubric {
    let english = question.lang == "en";
    let question_stems: HashSet<String> = text::analyze(&question.all_texts())
        .tokens
        .iter()
        .filter(|t| !t.is_stop)
        .map(|t| t.stem.to_string())
        .collect();
    let is_key = |t: &Token| is_term(t) && !is_generic(t) && !question_stems.contains(&*t.stem);
    if let Some(rubric) = draft_terms(question, context, &is_key) {
        return rubric;
    }
    let points = split_points(&question.answer);
    let analyzed: Vec<(String, text::Analyzed)> = points
        .iter()
        .map(|p| (p.heading.clone(), text::analyze(&p.body)))
        .collect();
    let mut units: Vec<Unit> = analyzed
        .iter()
        .map(|(heading, a)| Unit {
            label: heading.clone(),
            tokens: a.tokens.iter().collect(),
        })
        .filter(|u| u.tokens.iter().any(|t| is_key(t)))
        .collect();
    if units.len() < 3 {
        let mut finer = Vec::new();
        for unit in &units {
            let parts: Vec<Vec<&Token>> = clauses(&unit.tokens)
                .into_iter()
                .filter(|c| c.iter().any(|t| is_key(t)))
                .collect();
            if parts.len() <= 1 {
                finer.push(Unit {
                    label: unit.label.clone(),
                    tokens: unit.tokens.clone(),
                });
                continue;
            }
            for part in parts {
                finer.push(Unit {
                    label: part
                        .iter()
                        .map(|t| t.word.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    tokens: part,
                });
            }
        }
        units = finer;
    }
    let salience = |unit: &Unit| -> f64 {
        let mut seen = HashSet::new();
        unit.tokens
            .iter()
            .filter(|t| is_key(t) && seen.insert(t.stem.to_string()))
            .map(|t| context.idf(&t.stem))
            .sum()
    };
    if units.len() > 8 {
        let mut ranked: Vec<(f64, usize)> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (salience(u), i))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let keep: HashSet<usize> = ranked.iter().take(8).map(|&(_, i)| i).collect();
        units = units
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, u)| u)
            .collect();
    }
    let saliences: Vec<f64> = units.iter().map(salience).collect();
    let mean = saliences.iter().sum::<f64>() / saliences.len().max(1) as f64;

    let mut used_keys: HashSet<String> = HashSet::new();
    let mut used_ids: HashSet<String> = HashSet::new();
    let mut concepts = Vec::new();
    for (index, unit) in units.iter().enumerate() {
        let aliases = unit_aliases(unit, &is_key, context, &mut used_keys);
        if aliases.is_empty() {
            continue;
        }
        let label = shorten(&unit.label, 10);
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
            cues: Vec::new(),
            claims: Vec::new(),
            hint,
            hint_en: None,
        });
    }
    Rubric {
        question_id: question.id.clone(),
        drafted: true,
        scoring: None,
        terms: Default::default(),
        contrast: Vec::new(),
        concepts,
        misconceptions: Vec::new(),
    }
}

/// Content words in a reference answer up to which it counts as short.
const SHORT_ANSWER_WORDS: usize = 40;

/// Scoring of short-answer drafts: 60% of the key terms' weight earns full marks, and the
/// score rises as coverage to the power 0.65 (a concave curve: the first key terms show the
/// idea, the rest add detail). Chosen on held-out halves of an English short-answer data set
/// (see README, "Calibration"), not per question.
const SHORT_FULL_MARKS: f64 = 0.6;
const SHORT_EXPONENT: f64 = 0.65;
/// Share of a short-answer score from the overlap of the answer's own words with the reference
/// answer (`reference_blend`): a second signal that does not depend on the key terms. Chosen
/// the same way; 0.15-0.3 score alike.
const SHORT_REFERENCE_BLEND: f64 = 0.2;

/// Most concepts in a draft: a person curates it, and more are hard to review.
const MAX_CONCEPTS: usize = 8;

/// A short reference answer without bullets ("Bias and variance.", "By the validation
/// loss."): each key term is a concept, weighted by how specific it is across the bank,
/// so an answer earns by the key terms it uses. The score rises faster than that share (see
/// `SHORT_EXPONENT`): a short answer that says half of it usually has the idea. Key terms
/// count whatever their polarity ("no held-out set" names the held-out set), and a fifth of the
/// score comes from the answer's overlap with the reference answer (`SHORT_REFERENCE_BLEND`).
fn draft_terms(
    question: &Question,
    context: &DraftContext,
    is_key: &dyn Fn(&Token) -> bool,
) -> Option<Rubric> {
    let analyzed = text::analyze(&question.answer);
    let has_bullets = question
        .answer
        .lines()
        .filter(|l| strip_bullet(l).is_some())
        .count()
        >= 2;
    if has_bullets || analyzed.content_count() > SHORT_ANSWER_WORDS {
        return None;
    }
    let mut seen = HashSet::new();
    let mut terms: Vec<(f64, usize, &Token, bool)> = analyzed
        .tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| is_key(t) && seen.insert(t.stem.to_string()))
        .map(|(i, t)| (i, t, negated_at(&analyzed.tokens, i)))
        .enumerate()
        .map(|(order, (_, t, negated))| (term_weight(t, context), order, t, negated))
        .collect();
    if terms.is_empty() {
        return None;
    }
    terms.sort_by(|a, b| b.0.total_cmp(&a.0));
    terms.truncate(MAX_CONCEPTS);
    terms.sort_by_key(|t| t.1);
    let english = question.lang == "en";
    let mut used_ids = HashSet::new();
    // Every alias once in the rubric: a synonym of one key term may be another key term
    // ("location", "address"); then the later term is the same idea and is left out.
    let stems_of = |phrase: &str| -> String {
        text::analyze(phrase)
            .tokens
            .iter()
            .filter(|t| !t.is_stop)
            .map(|t| t.stem.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut used_aliases: HashSet<String> = HashSet::new();
    let mut concepts: Vec<Concept> = Vec::new();
    for &(idf, _, token, negated) in &terms {
        if !used_aliases.insert(token.stem.to_string()) {
            continue;
        }
        let mut words = vec![token.word.to_string()];
        if let Some(group) = synonyms_of(&token.word, &token.stem) {
            for synonym in group {
                if used_aliases.insert(stems_of(synonym)) {
                    words.push((*synonym).to_owned());
                }
            }
        }
        let aliases = words
            .into_iter()
            .map(|w| match negated {
                false => w,
                true if text::analyze(&w)
                    .tokens
                    .first()
                    .is_some_and(|t| t.script == Script::Cyrillic) =>
                {
                    format!("не {w}")
                }
                true => format!("not {w}"),
            })
            .collect();
        let mut id = slug(&token.word, 1);
        if id.is_empty() {
            id = "term".into();
        }
        while !used_ids.insert(id.clone()) {
            id.push_str("-2");
        }
        concepts.push(Concept {
            id,
            label: token.word.to_string(),
            label_en: None,
            weight: (idf * 10.0).round() / 10.0,
            required: false,
            aliases,
            cues: Vec::new(),
            claims: Vec::new(),
            hint: if english {
                format!("Mention: {}", token.word)
            } else {
                format!("Упомяните: {}", token.word)
            },
            hint_en: None,
        });
    }
    Some(Rubric {
        question_id: question.id.clone(),
        drafted: true,
        scoring: Some(Scoring {
            full_marks_coverage: Some(SHORT_FULL_MARKS),
            bare_mention_credit: Some(1.0),
            coverage_exponent: Some(SHORT_EXPONENT),
            count_negated: Some(true),
            reference_blend: Some(SHORT_REFERENCE_BLEND),
        }),
        terms: Default::default(),
        contrast: Vec::new(),
        concepts,
        misconceptions: Vec::new(),
    })
}

/// Aliases of a key point: its key terms as one phrase (when short), then the most specific
/// word pairs and words, then obvious synonyms of those words.
fn unit_aliases(
    unit: &Unit,
    is_key: &dyn Fn(&Token) -> bool,
    context: &DraftContext,
    used: &mut HashSet<String>,
) -> Vec<String> {
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
    let tokens = &unit.tokens;
    // A bullet's heading ("▪️ Взрывающийся градиент.") names the point: it comes first.
    let heading = text::analyze(&unit.label);
    let heading_terms: Vec<&Token> = heading.tokens.iter().filter(|t| is_key(t)).collect();
    if (1..=4).contains(&heading_terms.len()) && heading.tokens.len() < tokens.len() {
        push(
            heading_terms
                .iter()
                .map(|t| t.word.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            used,
        );
    }
    let key_terms: Vec<&Token> = tokens.iter().copied().filter(|t| is_key(t)).collect();
    if (2..=4).contains(&key_terms.len()) {
        push(
            key_terms
                .iter()
                .map(|t| t.word.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            used,
        );
    }
    let mut pairs: Vec<(f64, String)> = Vec::new();
    let content: Vec<&Token> = tokens.iter().copied().filter(|t| !t.is_stop).collect();
    for window in content.windows(2) {
        let (a, b) = (window[0], window[1]);
        if is_key(a) && is_key(b) && a.clause == b.clause && a.stem != b.stem {
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
    let mut singles: Vec<(f64, &Token)> = key_terms
        .iter()
        .copied()
        .filter(|t| t.word.chars().count() >= 4 || t.script == Script::Latin)
        .map(|t| (context.idf(&t.stem), t))
        .collect();
    singles.sort_by(|x, y| y.0.total_cmp(&x.0));
    let mut taken = Vec::new();
    for (_, token) in singles {
        if taken.len() == 3 {
            break;
        }
        if push(token.word.to_string(), used) {
            taken.push(token);
        }
    }
    for token in taken {
        if let Some(group) = synonyms_of(&token.word, &token.stem) {
            for synonym in group {
                push((*synonym).to_owned(), used);
            }
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
    fn long_plain_text_splits_into_sentences() {
        let q = question(
            "Градиентный бустинг строит ансамбль деревьев последовательно, каждое следующее дерево \
             обучается на антиградиенте функции потерь предыдущего ансамбля. Темп обучения \
             уменьшает вклад каждого дерева и вместе с числом деревьев регулирует переобучение. \
             Глубина деревьев обычно небольшая, потому что слабые ученики с высоким смещением \
             хорошо дополняют друг друга. Подвыборка строк и признаков добавляет случайность и \
             снижает дисперсию итоговой модели, как в случайном лесе. Ранняя остановка по \
             валидационной выборке выбирает число итераций без ручного перебора.",
        );
        let rubric = draft(&q, &DraftContext::from_texts([q.answer.as_str()]));
        assert_eq!(rubric.concepts.len(), 5);
        assert_eq!(rubric.scoring, None);
    }

    fn english(question_text: &str, answer: &str) -> Question {
        Question {
            question: question_text.into(),
            lang: "en".into(),
            ..question(answer)
        }
    }

    #[test]
    fn short_answers_become_weighted_key_terms() {
        let q = english(
            "What makes a validation score too optimistic?",
            "Overfitting and leakage.",
        );
        let bank = [
            q.answer.as_str(),
            "Leakage of the target.",
            "Score, score and score.",
        ];
        let rubric = draft(&q, &DraftContext::from_texts(bank));
        let ids: Vec<&str> = rubric.concepts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["overfitting", "leakage"]);
        // "overfitting" is in one answer of the bank, "leakage" in two: less specific.
        assert!(rubric.concepts[0].weight > rubric.concepts[1].weight);
        assert!(rubric.concepts[0]
            .aliases
            .contains(&"переобучение".to_owned()));
        let scoring = rubric.scoring.expect("short drafts set their scoring");
        assert_eq!(scoring.bare_mention_credit, Some(1.0));
        assert_eq!(scoring.count_negated, Some(true));
        assert_eq!(scoring.reference_blend, Some(SHORT_REFERENCE_BLEND));
    }

    #[test]
    fn terms_of_the_question_are_not_key_terms_and_negations_stay() {
        let q = english(
            "When is a bootstrap estimate unreliable?",
            "If the sample is not large, the bootstrap estimate is unstable.",
        );
        let rubric = draft(&q, &DraftContext::from_texts([q.answer.as_str()]));
        let first: Vec<&str> = rubric
            .concepts
            .iter()
            .map(|c| c.aliases[0].as_str())
            .collect();
        assert_eq!(first, ["sample", "not large", "unstable"]);
        // Synonyms keep the negation too, in their own language.
        let large = &rubric.concepts[1].aliases;
        assert!(large.contains(&"not big".to_owned()), "{large:?}");
        assert!(large.contains(&"не большой".to_owned()), "{large:?}");
    }

    #[test]
    fn synonyms_and_question_words_are_not_repeated() {
        let q = english(
            "What is an embedding?",
            "A dense vector that stores what a token means; it keeps similar tokens close, and the model learns one embedding per token.",
        );
        let rubric = draft(&q, &DraftContext::from_texts([q.answer.as_str()]));
        let aliases: Vec<&str> = rubric
            .concepts
            .iter()
            .flat_map(|c| c.aliases.iter().map(String::as_str))
            .collect();
        let mut unique = aliases.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), aliases.len(), "{aliases:?}");
        // "stores" and "keeps" are one idea: one concept holds both.
        assert!(rubric
            .concepts
            .iter()
            .any(|c| c.aliases.contains(&"stores".to_owned())
                && c.aliases.contains(&"keep".to_owned())));
        assert!(!aliases.contains(&"keeps"), "{aliases:?}");
        // "embedding" only repeats the question.
        assert!(
            !aliases.iter().any(|a| a.starts_with("embed")),
            "{aliases:?}"
        );
    }

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Что за алгоритм DBSCAN?", 5), "algoritm-dbscan");
    }
}
