//! Text analysis shared by rubrics and answers: normalisation, tokenisation, stemming.
//!
//! Both sides of a match go through the same pipeline, so an alias written in a rubric and
//! the same words typed by a candidate always produce the same stems.

use rustc_hash::FxHashSet as HashSet;
use std::rc::Rc;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

/// The writing system of a word, which decides its stemmer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    Cyrillic,
    Latin,
    /// Digits and anything else: compared literally.
    Other,
}

/// A word, stem or Latin reading: kept inline up to 24 bytes (12 Cyrillic letters), as
/// nearly every one is, so that tokenising allocates nothing per word and copying a memoised
/// stem touches no other memory.
pub type WordText = compact_str::CompactString;

/// One word of a text after normalisation.
#[derive(Debug, Clone)]
pub struct Token {
    /// The normalised word as written (lowercase, `ё` → `е`).
    pub word: WordText,
    /// The Snowball stem for the word's script.
    pub stem: WordText,
    /// Latin reading of the stem, for matching across scripts ("датасет" / "dataset").
    pub latin: WordText,
    pub script: Script,
    /// Function words carry no content on their own (prepositions, pronouns, auxiliaries).
    pub is_stop: bool,
    /// A word that reverses the meaning of what follows ("не", "нет", "without").
    pub is_negation: bool,
    /// A predicate, or a word that only occurs in statements (see
    /// [`super::predicate::is_predicate_word`]); known with the word's other facts.
    pub is_predicate: bool,
    /// A negated predicate by itself ("нельзя", "unnecessary"; see
    /// [`super::predicate::is_negative_predicative`]).
    pub is_negative_predicative: bool,
    /// Index of the clause (split at commas, semicolons, sentence ends, "но", "but").
    pub clause: u32,
    /// Index of the sentence (split at `.`, `!`, `?`, `;` and line breaks).
    pub sentence: u32,
    /// The word starts a clause after a dash, as Russian definitions do ("Dropout — приём …").
    pub after_dash: bool,
    /// The word stands inside quotation marks: a candidate quoting a wrong statement to reject
    /// it («с вероятностью 95% параметр в интервале» — неверно) does not state it.
    pub quoted: bool,
}

/// A text broken into tokens.
#[derive(Debug, Clone, Default)]
pub struct Analyzed {
    pub tokens: Vec<Token>,
}

impl Analyzed {
    pub fn content_count(&self) -> usize {
        self.tokens.iter().filter(|t| !t.is_stop).count()
    }

    /// Does one of `words` stand among the `reach` tokens just before token `token`, in its
    /// clause ("в отличие от X", "вместо X")?
    pub fn preceded_in_clause(&self, token: usize, reach: usize, words: &[&str]) -> bool {
        let clause = self.tokens[token].clause;
        self.tokens[..token]
            .iter()
            .rev()
            .take_while(|t| t.clause == clause)
            .take(reach)
            .any(|t| words.contains(&t.word.as_str()))
    }
}

/// Characters that are invisible or reorder text and must never influence matching.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}')
}

/// Unicode NFKC, lowercase, `ё` → `е`, invisible characters removed.
///
/// Punctuation is kept here because the tokenizer uses it for clause boundaries.
pub fn normalize(text: &str) -> String {
    use unicode_normalization::{is_nfkc_quick, IsNormalized};
    let mut out = String::with_capacity(text.len());
    // Most answers are plain text, already NFKC: fold them in the pass that finds so, and
    // skip the (comparatively slow) normaliser.
    if for_each_plain_char(text, |c| fold_char(c, &mut out)) {
        return out;
    }
    out.clear();
    if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        text.chars().for_each(|c| fold_char(c, &mut out));
    } else {
        text.nfkc().for_each(|c| fold_char(c, &mut out));
    }
    out
}

/// Call `each` with the characters of `text` while they are [`is_plain_char`] characters, and
/// say whether all of them were. ASCII and the Cyrillic letters U+0400–U+047F (two bytes led by
/// 0xD0 or 0xD1), nearly all of an answer, are read from their bytes without the general UTF-8
/// decoder; other characters (dashes, quotes) are decoded one by one.
fn for_each_plain_char(text: &str, mut each: impl FnMut(char)) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let c = if b.is_ascii() {
            char::from(b)
        } else if let (0xD0 | 0xD1, Some(&next)) = (b, bytes.get(i + 1)) {
            let Some(c) = char::from_u32((u32::from(b & 0x1F) << 6) | u32::from(next & 0x3F))
            else {
                return false;
            };
            c
        } else {
            match text.get(i..).and_then(|rest| rest.chars().next()) {
                Some(c) if is_plain_char(c) => c,
                _ => return false,
            }
        };
        each(c);
        i += c.len_utf8();
    }
    true
}

/// Typography common in answers that NFKC leaves alone (a test checks each).
const PLAIN_TYPOGRAPHY: [char; 34] = [
    '—', '–', '«', '»', '▪', '▫', '’', '‘', '“', '”', '„', '•', '×', '≈', '≤', '≥', '→', '−',
    // Mathematical notation in answers about formulas.
    '·', '√', '‖', '±', '∝', '°', '←', '↑', '↓', '⇒', '≫', '≠', '∞', '∂', '∑', '∈',
];

/// Whether `text` holds only ASCII, basic Cyrillic and Greek letters and common typography:
/// characters that NFKC leaves alone, told apart faster than the normaliser's own quick check
/// does.
pub(crate) fn is_plain_nfkc(text: &str) -> bool {
    for_each_plain_char(text, |_| {})
}

/// A character of [`is_plain_nfkc`] text.
#[inline]
fn is_plain_char(c: char) -> bool {
    c.is_ascii() || is_basic_cyrillic(c) || is_basic_greek(c) || PLAIN_TYPOGRAPHY.contains(&c)
}

/// Greek letters without accents (α, β, σ, Σ in formulas): stable under NFKC, and no letter
/// before them combines with them.
fn is_basic_greek(c: char) -> bool {
    matches!(c, '\u{0391}'..='\u{03A1}' | '\u{03A3}'..='\u{03A9}' | '\u{03B1}'..='\u{03C9}')
}

/// Append a normalised character lowercased, `ё` read as `е`, dropped if invisible.
#[inline]
fn fold_char(c: char, out: &mut String) {
    // ASCII and basic Cyrillic first: no invisible character is among them.
    if c.is_ascii() {
        out.push(if c == '`' {
            '\''
        } else {
            c.to_ascii_lowercase()
        });
        return;
    }
    if is_basic_cyrillic(c) {
        out.push(lower_cyrillic(c));
        return;
    }
    if is_invisible(c) {
        return;
    }
    for lower in c.to_lowercase() {
        out.push(match lower {
            'ё' => 'е',
            // Typographic apostrophes become ASCII so "don’t" and "don't" agree.
            '\u{2019}' | '\u{02BC}' => '\'',
            other => other,
        });
    }
}

/// Cyrillic letters (U+0400–U+04FF without the combining marks): stable under NFKC.
fn is_basic_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{0482}' | '\u{048A}'..='\u{04FF}')
}

/// Lowercase a basic Cyrillic letter, folding `ё` into `е`.
fn lower_cyrillic(c: char) -> char {
    match c {
        'Ё' | 'ё' => 'е',
        'А'..='Я' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
        '\u{0400}'..='\u{040F}' => char::from_u32(c as u32 + 0x50).unwrap_or(c),
        'а'..='я' | '\u{0450}'..='\u{045F}' => c,
        _ => c.to_lowercase().next().unwrap_or(c),
    }
}

/// Letters and digits, with a fast path for ASCII and Cyrillic.
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if matches!(c, '\u{0400}'..='\u{0481}' | '\u{048A}'..='\u{04FF}') {
        return true;
    }
    // Common typography: answer it before the (slow) Unicode tables.
    !matches!(
        c,
        '—' | '–' | '«' | '»' | '\u{a0}' | '…' | '“' | '”' | '„' | '’' | '•'
    ) && c.is_alphanumeric()
}

fn script_of(word: &str) -> Script {
    let mut cyrillic = 0usize;
    let mut latin = 0usize;
    for c in word.chars() {
        if ('\u{0400}'..='\u{04FF}').contains(&c) {
            cyrillic += 1;
        } else if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
            latin += 1;
        }
    }
    if cyrillic == 0 && latin == 0 {
        Script::Other
    } else if cyrillic >= latin {
        Script::Cyrillic
    } else {
        Script::Latin
    }
}

fn stemmers() -> &'static (Stemmer, Stemmer) {
    static STEMMERS: OnceLock<(Stemmer, Stemmer)> = OnceLock::new();
    STEMMERS.get_or_init(|| {
        (
            Stemmer::create(Algorithm::Russian),
            Stemmer::create(Algorithm::English),
        )
    })
}

/// The stem of one normalised word.
pub fn stem(word: &str, script: Script) -> String {
    stem_and_latin(word, script).0.to_string()
}

/// The stem of a word and its Latin reading.
pub fn stem_and_latin(word: &str, script: Script) -> (WordText, WordText) {
    let (stem, latin) = stem_uncached(word, script);
    (stem.into(), latin.into())
}

fn stem_uncached(word: &str, script: Script) -> (String, String) {
    let (russian, english) = stemmers();
    let stem = match script {
        Script::Cyrillic => russian.stem(word).into_owned(),
        Script::Latin => english.stem(word).into_owned(),
        Script::Other => word.to_owned(),
    };
    let latin = match script {
        Script::Cyrillic => transliterate(&stem),
        _ => stem.clone(),
    };
    (stem, latin)
}

/// What tokenising needs to know of a word, which depends on the word alone: worked out once
/// per word and memoised.
#[derive(Clone)]
struct WordFacts {
    stem: WordText,
    latin: WordText,
    script: Script,
    is_stop: bool,
    is_negation: bool,
    /// The word starts a new clause ("но", "but").
    is_conjunction: bool,
    is_predicate: bool,
    is_negative_predicative: bool,
}

impl WordFacts {
    fn of(word: &str) -> WordFacts {
        let script = script_of(word);
        let is_negation = is_negation_word(word);
        let is_stop = is_negation || is_stop_word(word);
        // Function words are compared literally, so their "stem" is the word itself.
        let (stem, latin) = stem_uncached(word, if is_stop { Script::Other } else { script });
        WordFacts {
            stem: stem.into(),
            latin: latin.into(),
            script,
            is_stop,
            is_negation,
            is_conjunction: CLAUSE_CONJUNCTIONS.contains(&word),
            is_predicate: super::predicate::predicate_word(word, script),
            is_negative_predicative: super::predicate::negative_predicative_word(word),
        }
    }
}

/// The facts of a word, memoised.
fn word_facts(word: &str) -> WordFacts {
    STEM_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(found) = cache.get(word) {
            return found.clone();
        }
        let facts = WordFacts::of(word);
        if cache.len() >= STEM_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(word.into(), facts.clone());
        facts
    })
}

type StemCache = rustc_hash::FxHashMap<WordText, WordFacts>;

/// Candidates reuse a small vocabulary, so stems are memoised per thread: stemming is the
/// costliest step of grading. Bounded so a stream of unusual words cannot grow it forever.
const STEM_CACHE_LIMIT: usize = 200_000;

thread_local! {
    static STEM_CACHE: std::cell::RefCell<StemCache> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::default());
}

/// Forget memoised stems (benchmarks measure grading with a cold cache this way).
pub fn clear_stem_cache() {
    STEM_CACHE.with(|cache| cache.borrow_mut().clear());
}

/// Leave this thread's memos of words and phrases to the operating system (see
/// [`super::leave_thread_memos`]).
pub(super) fn leave_thread_memos() {
    STEM_CACHE.with(|cache| std::mem::forget(std::mem::take(&mut *cache.borrow_mut())));
    PHRASE_MEMO.with(|memo| std::mem::forget(std::mem::take(&mut *memo.borrow_mut())));
}

const STOP_WORDS: &[&str] = &[
    // Russian
    "а",
    "в",
    "во",
    "и",
    "к",
    "ко",
    "с",
    "со",
    "у",
    "о",
    "об",
    "от",
    "до",
    "по",
    "на",
    "за",
    "из",
    "для",
    "при",
    "про",
    "над",
    "под",
    "это",
    "этот",
    "эта",
    "эти",
    "то",
    "те",
    "та",
    "тот",
    "как",
    "так",
    "что",
    "чтобы",
    "ли",
    "же",
    "бы",
    "или",
    "либо",
    "его",
    "ее",
    "их",
    "им",
    "ими",
    "он",
    "она",
    "оно",
    "они",
    "мы",
    "вы",
    "я",
    "ты",
    "есть",
    "быть",
    "был",
    "была",
    "было",
    "были",
    "будет",
    "уже",
    "еще",
    "тоже",
    "также",
    "очень",
    "можно",
    "нужно",
    "надо",
    "который",
    "которая",
    "которое",
    "которые",
    "которых",
    "котором",
    "которой",
    "такой",
    "такие",
    "там",
    "тут",
    "здесь",
    "вот",
    "ну",
    "типа",
    "всё",
    "все",
    "весь",
    "вся",
    "всего",
    "свой",
    "своих",
    "если",
    "то",
    "когда",
    "где",
    "чем",
    "чего",
    "кто",
    "из-за",
    "между",
    "через",
    "после",
    "перед",
    "сам",
    "сама",
    "само",
    "либо",
    "да",
    "просто",
    "по-моему",
    "значит",
    "вообще",
    "собственно",
    "короче",
    "именно",
    "сути",
    "суть",
    "может",
    "могут",
    "мочь",
    // English
    "a",
    "an",
    "the",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "by",
    "with",
    "from",
    "and",
    "or",
    "as",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "which",
    "who",
    "whom",
    "what",
    "when",
    "where",
    "how",
    "than",
    "then",
    "so",
    "such",
    "can",
    "could",
    "will",
    "would",
    "should",
    "may",
    "might",
    "must",
    "do",
    "does",
    "did",
    "has",
    "have",
    "had",
    "we",
    "you",
    "he",
    "she",
    "they",
    "them",
    "their",
    "our",
    "your",
    "my",
    "me",
    "us",
    "if",
    "but",
    "into",
    "about",
    "also",
    "just",
    "very",
    "there",
    "here",
    "some",
    "any",
    "each",
    "other",
    "more",
    "most",
    "one",
    "all",
];

const NEGATIONS: &[&str] = &[
    "не",
    "нет",
    "ни",
    "без",
    "никогда",
    "нельзя",
    "not",
    "no",
    "never",
    "without",
    "cannot",
    "none",
    "nor",
    "dont",
    "doesnt",
    "isnt",
    "arent",
    "cant",
    "wont",
    "didnt",
    "wasnt",
    "werent",
    "shouldnt",
    "neither",
];

/// Words after a negation that cancel it: "не только", "not only".
const NEGATION_CANCELLERS: &[&str] = &["только", "лишь", "просто", "only", "just", "merely"];

/// Words that start a new clause for negation scope.
const CLAUSE_CONJUNCTIONS: &[&str] = &["но", "однако", "зато", "but", "however", "whereas"];

/// A fixed word list as a set (FxHash: the words are ours, not an attacker's keys).
pub(crate) fn word_set(words: &'static [&'static str]) -> HashSet<&'static str> {
    words.iter().copied().collect()
}

pub fn is_stop_word(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| word_set(STOP_WORDS)).contains(word)
}

/// Words that open a relative clause: what follows the comma qualifies the statement before
/// it ("k, при котором inertia минимальна"; "работает, когда плотность разная"). Not "где":
/// "где градиенты большие — шаг меньше, где мелкие — больше" pairs contrasts.
const RELATIVE_WORDS: &[&str] = &[
    "который",
    "которая",
    "которое",
    "которые",
    "которого",
    "которой",
    "которому",
    "которую",
    "котором",
    "которым",
    "которых",
    "которыми",
    "which",
    "whose",
    "когда",
    "when",
];

pub fn is_relative_word(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| word_set(RELATIVE_WORDS)).contains(word)
}

/// Words that stand between commas as an aside ("Pruning, наоборот, добавляет ветви"): the
/// statement goes on across them.
const PARENTHETICAL_WORDS: &[&str] = &[
    "наоборот",
    "например",
    "конечно",
    "кстати",
    "впрочем",
    "правда",
    "разумеется",
    "естественно",
    "видимо",
    "кажется",
    "очевидно",
    "обычно",
    "соответственно",
    "напротив",
    "вообще",
    "собственно",
    "действительно",
    "instead",
    "conversely",
    "naturally",
    "obviously",
    "typically",
    "usually",
    "actually",
    "indeed",
    "basically",
    "therefore",
];

pub fn is_parenthetical_word(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| word_set(PARENTHETICAL_WORDS))
        .contains(word)
}

pub fn is_negation_word(word: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| word_set(NEGATIONS)).contains(word)
}

/// Can a dash typed as a spaced hyphen follow this word? Not a number or a one-letter symbol,
/// where the hyphen is a minus.
fn is_dash_subject(word: &str) -> bool {
    word.chars().nth(1).is_some() && !word.chars().all(|c| c.is_ascii_digit())
}

/// Tokenise normalised text into words, tracking clause and sentence boundaries.
///
/// Words are runs of letters and digits; `_`, `-` and `/` split words, so `min_samples`,
/// `t-SNE` and `L1/L2` are read the same way in rubrics and in answers.
pub fn analyze(text: &str) -> Analyzed {
    let normalized = normalize(text);
    // "don't" → "dont" so that English contractions become one negation word.
    // About one word in seven bytes of Russian or six of English: room for most answers.
    let mut tokens = Vec::with_capacity(normalized.len() / 6 + 1);
    let mut clause = 0u32;
    let mut sentence = 0u32;
    let mut word = String::with_capacity(64);
    let mut dash = false;
    let mut quoted = false;
    // Per open bracket: did it start a parenthetical clause? A bracket glued to a word is code
    // or a formula ("COUNT(*) не помогает") and splits nothing.
    let mut brackets: Vec<bool> = Vec::new();
    let mut after_word = false;
    // The next word continues an identifier ("updated_at", "df.groupby").
    let mut in_code = false;
    let mut chars = normalized.chars().peekable();
    while let Some(c) = chars.next() {
        let word_char = is_word_char(c);
        let glued = std::mem::replace(&mut after_word, word_char);
        if word_char {
            word.push(c);
            continue;
        }
        let inside_word = !word.is_empty() && chars.peek().is_some_and(|&n| is_word_char(n));
        if c == '\'' && inside_word {
            // Apostrophes inside a word are dropped: "don't" → "dont".
            continue;
        }
        if !word.is_empty() {
            // A word glued to code punctuation is an identifier: a function ("COUNT(*)"), a
            // keyword argument ("keep='last'"), a part of a snake_case or dotted name
            // ("updated_at", "df.groupby").
            let joined = inside_word && matches!(c, '_' | '.');
            let code = std::mem::replace(&mut in_code, joined) || joined || matches!(c, '(' | '=');
            push_word(
                &mut tokens,
                &word,
                &mut clause,
                sentence,
                std::mem::take(&mut dash),
                quoted,
                code,
            );
            word.clear();
        }
        if c == '.' && inside_word {
            // A dot between two word characters ("0.05", "df.groupby") is part of an
            // expression, not the end of a sentence.
            continue;
        }
        match c {
            '.' | '!' | '?' | ';' | '\n' | '•' | '▪' | '▫' | '✔' | '❤' | '✅' | '❌' => {
                sentence += 1;
                clause += 1;
                dash = false;
            }
            // A hyphen between spaces is how a keyboard types a dash ("проверка - calibration
            // curve"); a hyphen glued to a word joins ("t-SNE") or is a minus ("-1"), and so is
            // one after a number or a one-letter symbol ("1 - cos", "y - ŷ").
            '—' | '–' => {
                clause += 1;
                dash = true;
            }
            '-' if !glued
                && chars.peek().is_some_and(|n| n.is_whitespace())
                && tokens
                    .last()
                    .is_some_and(|t: &Token| is_dash_subject(&t.word)) =>
            {
                clause += 1;
                dash = true;
            }
            '(' | '[' => {
                brackets.push(!glued);
                if !glued {
                    clause += 1;
                    dash = false;
                }
            }
            ')' | ']' if brackets.pop().unwrap_or(true) => {
                clause += 1;
                dash = false;
            }
            '«' | '“' | '„' => {
                quoted = true;
                clause += 1;
                dash = false;
            }
            '»' | '”' => {
                quoted = false;
                clause += 1;
                dash = false;
            }
            '"' => {
                quoted = !quoted;
                clause += 1;
                dash = false;
            }
            ',' | ':' => {
                clause += 1;
                dash = false;
            }
            _ => {}
        }
        if matches!(c, '.' | '!' | '?' | '\n') {
            // An unclosed quotation mark does not run on past its sentence.
            quoted = false;
        }
    }
    if !word.is_empty() {
        push_word(
            &mut tokens,
            &word,
            &mut clause,
            sentence,
            dash,
            quoted,
            in_code,
        );
    }
    cancel_negations(&mut tokens);
    Analyzed { tokens }
}

/// Rubric phrases analysed, memoised per thread: compiling a bank analyses the same short
/// texts (cue words, synonym variants, the words of reference answers) again and again, in
/// rubric after rubric. Exactly [`analyze`] of the text; answers are not memoised (they seldom
/// repeat, and are long).
pub fn analyze_phrase(text: &str) -> Rc<Analyzed> {
    PHRASE_MEMO.with(|memo| {
        if let Some(found) = memo.borrow().get(text) {
            return found.clone();
        }
        let analyzed = Rc::new(analyze(text));
        let mut memo = memo.borrow_mut();
        if memo.len() >= PHRASE_MEMO_LIMIT {
            memo.clear();
        }
        memo.insert(text.into(), analyzed.clone());
        analyzed
    })
}

/// Phrases remembered per thread before the memo starts afresh (the bundled bank has fewer
/// distinct ones).
const PHRASE_MEMO_LIMIT: usize = 100_000;

thread_local! {
    static PHRASE_MEMO: std::cell::RefCell<rustc_hash::FxHashMap<Box<str>, Rc<Analyzed>>> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::default());
}

/// `code`: the word is part of an identifier in code, which names something and states
/// nothing, so an English verb there ("count" of "COUNT(*)") is no predicate.
fn push_word(
    tokens: &mut Vec<Token>,
    word: &str,
    clause: &mut u32,
    sentence: u32,
    after_dash: bool,
    quoted: bool,
    code: bool,
) {
    let facts = word_facts(word);
    if facts.is_conjunction {
        *clause += 1;
    }
    tokens.push(Token {
        word: word.into(),
        stem: facts.stem,
        latin: facts.latin,
        script: facts.script,
        is_stop: facts.is_stop,
        is_negation: facts.is_negation,
        is_predicate: facts.is_predicate && !(code && facts.script == Script::Latin),
        is_negative_predicative: facts.is_negative_predicative,
        clause: *clause,
        sentence,
        after_dash,
        quoted,
    });
}

fn cancel_negations(tokens: &mut [Token]) {
    for i in 0..tokens.len().saturating_sub(1) {
        if tokens[i].is_negation && NEGATION_CANCELLERS.contains(&tokens[i + 1].word.as_str()) {
            tokens[i].is_negation = false;
        }
        // "не уехали ли средние", "не стало ли больше пропусков": a question to check, not a
        // denial.
        if tokens[i].word == "не"
            && tokens[i + 1..]
                .iter()
                .take(2)
                .take_while(|t| t.clause == tokens[i].clause)
                .any(|t| t.word == "ли")
        {
            tokens[i].is_negation = false;
        }
    }
}

/// Latin transliteration of a Cyrillic word, to compare "оверфиттинг" with "overfitting".
pub fn transliterate(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 4);
    for c in word.chars() {
        let piece = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'й' | 'ы' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "sch",
            'ъ' | 'ь' => "",
            'ю' => "yu",
            'я' => "ya",
            other => {
                out.push(other);
                continue;
            }
        };
        out.push_str(piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        analyze(text)
            .tokens
            .into_iter()
            .map(|t| t.stem.to_string())
            .collect()
    }

    #[test]
    fn plain_text_is_what_nfkc_leaves_alone() {
        use unicode_normalization::{is_nfkc_quick, IsNormalized};
        let plain: String = (0..=0x04FF_u32)
            .chain(PLAIN_TYPOGRAPHY.iter().map(|&c| u32::from(c)))
            .filter_map(char::from_u32)
            .filter(|&c| is_plain_nfkc(c.encode_utf8(&mut [0; 4])))
            .collect();
        assert!(plain.chars().count() > 128 + 240 + 48 + 33, "{plain}");
        for c in plain.chars() {
            let one = c.to_string();
            assert_eq!(is_nfkc_quick(one.chars()), IsNormalized::Yes, "{c:?}");
            assert_eq!(one.nfkc().collect::<String>(), one, "{c:?}");
        }
        assert_eq!(plain.nfkc().collect::<String>(), plain);
    }

    proptest::proptest! {
        /// The byte-by-byte reading of plain text normalises as the Unicode normaliser does.
        #[test]
        fn plain_text_is_normalised_as_nfkc_does(
            text in "[a-zA-Z0-9 .,`'\\-ЁёА-яЀ-ѿ—–«»’…\u{a0}\u{200B}ﬁＲ™]{0,40}"
        ) {
            let mut expected = String::new();
            text.nfkc().for_each(|c| fold_char(c, &mut expected));
            proptest::prop_assert_eq!(normalize(&text), expected);
        }
    }

    #[test]
    fn normalize_folds_case_yo_width_and_invisibles() {
        assert_eq!(normalize("ЁЖИК"), "ежик");
        assert_eq!(normalize("гра\u{200B}ди\u{00AD}ент"), "градиент");
        // NFKC folds full-width Latin and ligatures.
        assert_eq!(normalize("ＲＮＮ ﬁt"), "rnn fit");
        assert_eq!(normalize("don\u{2019}t"), "don't");
    }

    #[test]
    fn a_spaced_hyphen_is_a_dash_but_not_a_minus_or_a_joiner() {
        let dashed = |text: &str| -> Vec<String> {
            analyze(text)
                .tokens
                .into_iter()
                .filter(|t| t.after_dash)
                .map(|t| t.word.to_string())
                .collect()
        };
        assert_eq!(dashed("проверка - calibration curve"), ["calibration"]);
        assert_eq!(dashed("проверка — calibration curve"), ["calibration"]);
        // A minus after a number or a one-letter symbol, and hyphens inside words.
        assert!(dashed("расстояние = 1 - cos sim").is_empty());
        assert!(dashed("ошибка y - f(x) мала").is_empty());
        assert!(dashed("t-SNE и state-of-the-art, -1").is_empty());
        let a = analyze("проверка - calibration curve");
        assert_ne!(a.tokens[0].clause, a.tokens[1].clause);
    }

    #[test]
    fn russian_word_forms_share_a_stem() {
        assert_eq!(stems("градиент"), stems("градиентами"));
        assert_eq!(stems("исчезающий"), stems("исчезающего"));
        assert_eq!(stems("нейронные сети"), stems("нейронных сетей"));
    }

    #[test]
    fn english_word_forms_share_a_stem() {
        assert_eq!(stems("gradients vanishing"), stems("gradient vanish"));
        assert_eq!(stems("clustering"), stems("clusters"));
    }

    #[test]
    fn each_word_uses_the_stemmer_of_its_script() {
        let analyzed = analyze("vanishing градиента");
        assert_eq!(analyzed.tokens[0].script, Script::Latin);
        assert_eq!(&*analyzed.tokens[0].stem, "vanish");
        assert_eq!(analyzed.tokens[1].script, Script::Cyrillic);
        assert_eq!(&*analyzed.tokens[1].stem, "градиент");
    }

    #[test]
    fn decimal_points_and_glued_brackets_do_not_split() {
        let analyzed = analyze("alpha 0.05 и df.groupby count(*) f(x) (по ключу) дальше");
        let clauses: Vec<u32> = analyzed.tokens.iter().map(|t| t.clause).collect();
        assert!(analyzed.tokens.iter().all(|t| t.sentence == 0));
        // Glued brackets split nothing; a parenthetical is a clause of its own.
        assert_eq!(clauses, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]);
        let words: Vec<&str> = analyzed.tokens.iter().map(|t| t.word.as_str()).collect();
        assert_eq!(
            words,
            [
                "alpha",
                "0",
                "05",
                "и",
                "df",
                "groupby",
                "count",
                "f",
                "x",
                "по",
                "ключу",
                "дальше"
            ]
        );
    }

    #[test]
    fn quotations_are_marked() {
        let analyzed = analyze("говорить «параметр в интервале» неверно. \"bad\" ok");
        let quoted: Vec<bool> = analyzed.tokens.iter().map(|t| t.quoted).collect();
        assert_eq!(quoted, [false, true, true, true, false, true, false]);
    }

    #[test]
    fn punctuation_splits_clauses_and_sentences() {
        let analyzed = analyze("первое, второе. третье\nчетвертое");
        let clauses: Vec<u32> = analyzed.tokens.iter().map(|t| t.clause).collect();
        let sentences: Vec<u32> = analyzed.tokens.iter().map(|t| t.sentence).collect();
        assert_eq!(clauses, vec![0, 1, 2, 3]);
        assert_eq!(sentences, vec![0, 0, 1, 2]);
    }

    #[test]
    fn a_roman_one_is_a_word_so_type_i_is_not_type_ii() {
        // "i" would be the English pronoun; dropped as a function word it made "type i error"
        // read "type error", which "type ii error" holds too.
        assert_eq!(stems("type I error"), ["type", "i", "error"]);
        assert_eq!(stems("ошибка I рода"), ["ошибк", "i", "род"]);
    }

    #[test]
    fn contractions_become_negations() {
        let analyzed = analyze("It doesn't converge");
        assert!(analyzed.tokens[1].is_negation);
        assert_eq!(analyzed.tokens[1].word, "doesnt");
    }

    #[test]
    fn a_question_with_ne_li_is_not_a_negation() {
        let analyzed = analyze("проверяю, не уехали ли средние признаков");
        assert!(!analyzed.tokens[1].is_negation);
        let denial = analyze("средние не уехали");
        assert!(denial.tokens[1].is_negation);
    }

    #[test]
    fn not_only_is_not_a_negation() {
        let analyzed = analyze("не только градиент");
        assert!(!analyzed.tokens[0].is_negation);
    }

    #[test]
    fn separators_split_identifiers() {
        assert_eq!(stems("min_samples t-SNE L1/L2").len(), 6);
    }

    #[test]
    fn transliteration_reads_cyrillic_as_latin() {
        assert_eq!(transliterate("оверфиттинг"), "overfitting");
        assert_eq!(transliterate("бустинг"), "busting");
    }
}
