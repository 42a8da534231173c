//! Finding rubric phrases in an analysed answer: word forms, typos, word order and negation.

use rustc_hash::FxHashMap as HashMap;

use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use super::predicate::Person;
use super::text::{self, is_parenthetical_word, is_relative_word, Analyzed, Script, Token};
use super::GradeSettings;

/// One content word of a rubric phrase, prepared for comparison.
#[derive(Debug, Clone)]
pub struct Term {
    pub stem: text::WordText,
    pub script: Script,
    /// Latin reading of the stem, for matching across scripts ("датасет" / "dataset").
    pub latin: text::WordText,
    pub chars: usize,
}

impl Term {
    /// First letter of the stem and of its Latin reading.
    fn keys(&self) -> (char, char) {
        (
            self.stem.chars().next().unwrap_or(' '),
            self.latin.chars().next().unwrap_or(' '),
        )
    }

    fn of(token: &Token) -> Self {
        Term {
            stem: token.stem.clone(),
            script: token.script,
            latin: token.latin.clone(),
            chars: token.stem.chars().count(),
        }
    }
}

/// The term indices of a phrase: phrases are a few words long, so they are kept inline.
pub type PhraseTerms = smallvec::SmallVec<[usize; 4]>;

/// A rubric phrase (alias or misconception) compiled to term indices.
#[derive(Debug, Clone)]
pub struct Phrase {
    pub text: String,
    /// Indices into the vocabulary of the compiled rubric. Inline: an answer is first checked
    /// for every term of every phrase, and most phrases miss one, so this is read far more
    /// often than anything else of a phrase.
    pub terms: PhraseTerms,
    /// The phrase itself states a negation ("не зависит от прошлого", "без учителя").
    pub negated: bool,
    /// A formula of short symbols ("p y x"): word order and adjacency matter.
    pub strict: bool,
    /// Numbers make order matter ("от 0 до 2" is not "от 2 до 0", "один минус" is not
    /// "минус один"): such phrases match in order, within one clause.
    pub ordered: bool,
    /// Indices `i` of terms that must stand right before term `i + 1`: neighbouring short
    /// symbols of a formula inside a phrase of words ("concept drift меняет p(x)" must not
    /// match "меняется p(y|x)").
    pub adjacent: Vec<usize>,
    /// Per term, the person of a Russian verb as the phrase writes it (see [`Person`]).
    pub persons: Vec<Option<Person>>,
}

impl Phrase {
    /// Does the phrase say what it means at this occurrence? A positive phrase must not be
    /// negated there; a phrase that is itself a negation must be.
    pub fn holds_at(&self, occurrence: &Occurrence) -> bool {
        occurrence.negated == self.negated
    }

    /// Do the chosen content positions (one per term, in term order) keep the symbols of a
    /// formula together?
    fn keeps_formulas(&self, positions: &[usize]) -> bool {
        self.adjacent.iter().all(|&i| {
            matches!((positions.get(i), positions.get(i + 1)), (Some(a), Some(b)) if a + 1 == *b)
        })
    }
}

/// The distinct terms of a rubric; phrases point into it so that each term is looked up once
/// per answer however many phrases share it.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub terms: Vec<Term>,
    /// Changes whenever a term is added, so that remembered matches of one state of a
    /// vocabulary are never used for another (see `MatchMemo`).
    id: u64,
    index: HashMap<text::WordText, usize>,
    /// Terms by the first letter of the stem and of its Latin reading: a word can only match
    /// terms that share one of these (see `terms_match`).
    by_first: HashMap<char, Vec<usize>>,
    by_latin_first: HashMap<char, Vec<usize>>,
}

impl Vocabulary {
    /// Compile a phrase; `None` when it has no content word to match.
    pub fn phrase(&mut self, phrase_text: &str) -> Option<Phrase> {
        self.phrase_analyzed(phrase_text, &text::analyze_phrase(phrase_text))
    }

    /// [`Self::phrase`] for a phrase already analysed: `analyzed` is `text::analyze(phrase_text)`.
    pub fn phrase_analyzed(&mut self, phrase_text: &str, analyzed: &Analyzed) -> Option<Phrase> {
        let negated = analyzed.tokens.iter().filter(|t| t.is_negation).count() % 2 == 1;
        let mut content: Vec<_> = analyzed.tokens.iter().filter(|t| !t.is_stop).collect();
        if content.is_empty() {
            // A phrase of function words only ("это"): match it literally rather than never.
            content = analyzed.tokens.iter().filter(|t| !t.is_negation).collect();
        }
        if content.is_empty() {
            return None;
        }
        let terms = content
            .iter()
            .map(|token| {
                if let Some(&index) = self.index.get(&*token.stem) {
                    return index;
                }
                let term = Term::of(token);
                let index = self.terms.len();
                let (first, latin_first) = term.keys();
                self.by_first.entry(first).or_default().push(index);
                self.by_latin_first
                    .entry(latin_first)
                    .or_default()
                    .push(index);
                self.terms.push(term);
                self.id = NEXT_VOCABULARY_ID.fetch_add(1, Ordering::Relaxed);
                self.index.insert(token.stem.clone(), index);
                index
            })
            .collect();
        let short = |t: &&Token| t.word.chars().count() <= 2;
        let strict = content.len() > 1 && content.iter().all(short);
        let adjacent = if strict {
            Vec::new()
        } else {
            (0..content.len().saturating_sub(1))
                .filter(|&i| short(&content[i]) && short(&content[i + 1]))
                .collect()
        };
        let ordered = content.len() > 1
            && content.iter().any(|t| {
                t.word.chars().all(|c| c.is_ascii_digit())
                    || matches!(t.word.as_str(), "минус" | "плюс" | "minus" | "plus")
            });
        let persons = content
            .iter()
            .map(|t| person_of(t).filter(|_| t.is_predicate))
            .collect();
        Some(Phrase {
            text: phrase_text.to_owned(),
            terms,
            negated,
            strict,
            ordered,
            adjacent,
            persons,
        })
    }
}

/// The person of a Russian verb form (see [`Person`]); `None` for other words.
fn person_of(token: &Token) -> Option<Person> {
    (token.script == Script::Cyrillic)
        .then(|| Person::of(&token.word))
        .flatten()
}

static NEXT_VOCABULARY_ID: AtomicU64 = AtomicU64::new(1);

/// Words remembered per thread before the memo starts afresh.
const MEMO_LIMIT: usize = 400_000;

/// The terms each answer word matched, remembered per thread for each vocabulary and fuzzy
/// setting: a batch or a session sees the same words again and again, and comparing a new
/// word with every candidate term (edit distances, transliteration) is most of the cost of
/// grading. What is remembered is exactly what `terms_match` returns, so grades do not change.
/// The terms an answer word (by stem) matched in one vocabulary.
type WordMatches = HashMap<text::WordText, Box<[u32]>>;

#[derive(Default)]
struct MatchMemo {
    words: usize,
    /// By vocabulary id and `fuzzy_key`.
    by_vocabulary: HashMap<(u64, u64), WordMatches>,
}

thread_local! {
    static MATCH_MEMO: RefCell<MatchMemo> = RefCell::new(MatchMemo::default());
}

/// Leave this thread's memo of word matches to the operating system (see
/// [`super::leave_thread_memos`]).
pub(super) fn leave_match_memo() {
    MATCH_MEMO.with(|memo| std::mem::forget(std::mem::take(&mut *memo.borrow_mut())));
}

/// The settings that `terms_match` reads, as one key.
fn fuzzy_key(settings: &GradeSettings) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    (
        settings.fuzzy_min_len,
        settings.fuzzy_max_edits,
        settings.fuzzy_long_len,
        settings.prefix_min_len,
        settings.prefix_max_extra,
        settings.cross_script_similarity.to_bits(),
    )
        .hash(&mut hasher);
    hasher.finish()
}

/// Do two stems name the same word, allowing for typos, derivation and script?
pub fn terms_match(rubric: &Term, answer: &Term, settings: &GradeSettings) -> bool {
    stems_match(rubric, answer, settings, true)
}

/// As [`terms_match`], typos not allowed: the word as written, in another form or script.
pub fn terms_match_as_spelled(rubric: &Term, answer: &Term, settings: &GradeSettings) -> bool {
    stems_match(rubric, answer, settings, false)
}

#[inline]
fn stems_match(rubric: &Term, answer: &Term, settings: &GradeSettings, typos: bool) -> bool {
    if rubric.stem == answer.stem {
        return true;
    }
    let shorter = rubric.chars.min(answer.chars);
    let length_gap = rubric.chars.abs_diff(answer.chars);
    if rubric.script == answer.script {
        if rubric.script == Script::Other || shorter < settings.fuzzy_min_len {
            return false;
        }
        let allowed = if shorter >= settings.fuzzy_long_len {
            settings.fuzzy_max_edits + 1
        } else {
            settings.fuzzy_max_edits
        };
        // Derived forms the stemmer leaves apart: "затуха(ет)" / "затухан(ие)", "пробл" / "проблем".
        if shorter >= settings.prefix_min_len
            && length_gap <= settings.prefix_max_extra
            && (rubric.stem.starts_with(&*answer.stem) || answer.stem.starts_with(&*rubric.stem))
        {
            return !unrelated_derivation(&rubric.stem, &answer.stem);
        }
        // Cheap filters first: typo distance is at least the length gap; and candidates rarely
        // mistype a first letter, while a different first letter often makes a different term
        // ("hdbscan" / "dbscan").
        return typos
            && length_gap <= allowed
            && rubric.stem.chars().next() == answer.stem.chars().next()
            && within_edits(&rubric.stem, &answer.stem, allowed);
    }
    // Across scripts: a transliterated term ("оверфиттинг") against an English stem ("overfit").
    if rubric.script == Script::Other || answer.script == Script::Other {
        return false;
    }
    let (a, b) = (&*rubric.latin, &*answer.latin);
    let shorter = a.len().min(b.len());
    if shorter < settings.fuzzy_min_len + 1 || a.as_bytes()[0] != b.as_bytes()[0] {
        return false;
    }
    if a.starts_with(b) || b.starts_with(a) {
        return true;
    }
    if !typos {
        return false;
    }
    let longest = a.len().max(b.len());
    let longer = longest as f64;
    let gap = a.len().abs_diff(b.len()) as f64;
    if gap / longer > 1.0 - settings.cross_script_similarity {
        return false;
    }
    // The similarity falls as the distance grows, so it holds exactly up to the largest
    // distance that still meets it (worked out with the same arithmetic, so no rounding
    // differs); knowing that bound lets letter counts rule most pairs out.
    (0..=longest)
        .take_while(|&d| 1.0 - d as f64 / longer >= settings.cross_script_similarity)
        .last()
        .is_some_and(|bound| osa_within(a, b, bound))
}

/// How many tokens back from a match its relative word ("которой") is looked for.
const RELATIVE_REACH: usize = 12;

/// Stems of which one starts with the other although their words mean different things:
/// "случай" (a case: "в случае", "частный случай") is not "случайный" (random). Each pair is
/// (shorter, longer) as the stemmer gives them.
const UNRELATED_DERIVATIONS: &[(&str, &str)] = &[("случа", "случайн")];

/// Is the derivation from one stem to the other only apparent (see [`UNRELATED_DERIVATIONS`])?
fn unrelated_derivation(a: &str, b: &str) -> bool {
    let (shorter, longer) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    UNRELATED_DERIVATIONS
        .iter()
        .any(|&(s, l)| shorter == s && longer.starts_with(l))
}

/// Optimal-string-alignment distance at most `allowed`, computed on what is left after the
/// common prefix and suffix: typos are local, so the remainder is usually a few letters.
fn within_edits(a: &str, b: &str, allowed: usize) -> bool {
    let prefix: usize = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix: usize = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.max(lb) <= allowed {
        return true;
    }
    la.abs_diff(lb) <= allowed && osa_within(a, b, allowed)
}

/// Whether the [`osa_distance`] of two words is at most `bound`; counting letters rules out
/// most pairs of different words before the distance is computed.
fn osa_within(a: &str, b: &str, bound: usize) -> bool {
    letter_count_gap(a, b) <= bound && osa_distance(a, b) <= bound
}

/// A lower bound of [`osa_distance`]: the larger of the letters one word has more of and
/// those the other has more of. An insertion, deletion or substitution changes each by at
/// most one and a transposition by none. Letters are counted in 64 buckets by code point
/// (basic Cyrillic and ASCII letters each get their own); letters that share a bucket can
/// only hide a difference, so the bound holds.
fn letter_count_gap(a: &str, b: &str) -> usize {
    let mut counts = [0i32; 64];
    for c in a.chars() {
        counts[c as usize % 64] += 1;
    }
    for c in b.chars() {
        counts[c as usize % 64] -= 1;
    }
    let (mut surplus, mut shortfall) = (0, 0);
    for n in counts {
        if n > 0 {
            surplus += n;
        } else {
            shortfall -= n;
        }
    }
    surplus.max(shortfall).unsigned_abs() as usize
}

/// Longest second word [`osa_distance`] compares without allocating.
const OSA_STACK_CHARS: usize = 48;

/// `strsim::osa_distance` (optimal string alignment: insertions, deletions, substitutions and
/// transpositions of neighbours, each substring edited once), the same figure computed in
/// three rows on the stack for the short words that grading compares.
fn osa_distance(a: &str, b: &str) -> usize {
    let b_len = b.chars().count();
    if b_len >= OSA_STACK_CHARS {
        return strsim::osa_distance(a, b);
    }
    let mut rows = [[0usize; OSA_STACK_CHARS]; 3];
    // Rows i - 2, i - 1 and i, by index into `rows`.
    let (mut two_back, mut previous, mut current) = (0, 1, 2);
    let [first, second, _] = &mut rows;
    for (j, (a, b)) in first.iter_mut().zip(second.iter_mut()).enumerate() {
        (*a, *b) = (j, j);
    }
    let mut prev_a_char = char::MAX;
    for (i, a_char) in a.chars().enumerate() {
        rows[current][0] = i + 1;
        let mut prev_b_char = char::MAX;
        for (j, b_char) in b.chars().enumerate() {
            let cost = usize::from(a_char != b_char);
            let mut distance = (rows[current][j] + 1)
                .min(rows[previous][j + 1] + 1)
                .min(rows[previous][j] + cost);
            if i > 0 && j > 0 && a_char != b_char && a_char == prev_b_char && b_char == prev_a_char
            {
                distance = distance.min(rows[two_back][j - 1] + 1);
            }
            rows[current][j + 1] = distance;
            prev_b_char = b_char;
        }
        (two_back, previous, current) = (previous, current, two_back);
        prev_a_char = a_char;
    }
    rows[previous][b_len]
}

/// The union of two ascending lists without repeats (as term buckets are, being filled in
/// term order), ascending, into `out`: what sorting both and removing repeats gives.
fn union_ascending(a: &[usize], b: &[usize], out: &mut Vec<usize>) {
    out.clear();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

/// Where an answer's content words sit, for phrase search.
pub struct AnswerIndex<'a> {
    pub analyzed: &'a Analyzed,
    /// Token index of each content word, in order.
    pub content: Vec<usize>,
    /// For each vocabulary term `t`, the content positions where it occurs, in order:
    /// `term_positions[term_starts[t]..term_starts[t + 1]]` (one allocation for all terms;
    /// `u32` so that the offsets of a large vocabulary, read for every phrase, take less cache).
    term_starts: Vec<u32>,
    term_positions: Vec<usize>,
}

/// Verb stems that, negated after a term, deny it exists or matters ("не возникает",
/// "не помогает", "doesn't occur"); other verbs ("не даёт учиться") still affirm the term.
const EXISTENCE_VERBS: &[&str] = &[
    "встреча",
    "возника",
    "быва",
    "существ",
    "наблюда",
    "характер",
    "грози",
    "свойствен",
    "появля",
    "случа",
    "происход",
    "страда",
    "помо",
    "спас",
    "реш",
    "влия",
    "нуж",
    "работа",
    "occur",
    "happen",
    "exist",
    "appear",
    "arise",
    "help",
    "matter",
    "work",
    "solve",
    "need",
];

/// Verb stems that, negated, deny the clause "что" / "that" opens after them ("не означает,
/// что", "не значит, что", "не гарантирует, что", "не следует, что", "не говорит о том, что").
const CLAIM_VERBS: &[&str] = &[
    "означа",
    "значит",
    "подразумева",
    "гарантир",
    "следует",
    "доказыва",
    "говор",
    "mean",
    "impl",
    "guarantee",
];

/// Modal verbs, and verbs of ability, whose infinitive is denied with them: "не должна
/// покрывать сезонность", "не может объяснить", "не умеет работать с …", "не стоит делать",
/// "не требует хранить …".
const MODAL_VERBS: &[&str] = &[
    "долж",
    "может",
    "могут",
    "можем",
    "стоит",
    "следует",
    "нужно",
    "надо",
    "требу",
    "обязан",
    "обязательно",
    "умеет",
    "умеют",
    "способ",
    "can",
    "should",
    "must",
    "need",
];

/// Words that, negated, deny the clause "что" opens after them ("не факт, что", "не верно,
/// что", "не обязательно, что").
const CLAIM_PREDICATIVES: &[&str] = &["факт", "верно", "правда", "обязательно", "true"];

/// Words that deny the clause "что" opens after them on their own ("неверно, что …").
const DENIAL_PREDICATIVES: &[&str] = &["неверно", "неправда", "ошибочно", "false"];

/// Content positions of a match: phrases are a few words long, so they are kept inline.
pub type Positions = smallvec::SmallVec<[usize; 4]>;

/// One place where a phrase was found.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// Content positions of the matched words.
    pub positions: Positions,
    /// First and last token index of the match.
    pub first_token: usize,
    pub last_token: usize,
    pub sentence: u32,
    /// The match reads as negated ("нет проблем с градиентом").
    pub negated: bool,
}

impl<'a> AnswerIndex<'a> {
    /// Is the answer word at content `position` one of the phrase's terms as written (in any
    /// form or script), not only up to a typo? A wrong claim is read from the words the
    /// candidate wrote: "дальше" is a typo away from "дальнему", and no one claims anything by
    /// it. A Russian verb must agree in person with the phrase's (see [`Person::agrees`]):
    /// "строю индексы … через EXPLAIN" does not make EXPLAIN the one that "строит" them.
    pub fn spelled_as(
        &self,
        position: usize,
        phrase: &Phrase,
        vocabulary: &Vocabulary,
        settings: &GradeSettings,
    ) -> bool {
        let token = &self.analyzed.tokens[self.content[position]];
        let word = Term::of(token);
        let person = person_of(token);
        phrase
            .terms
            .iter()
            .zip(&phrase.persons)
            .any(|(&t, written)| {
                terms_match_as_spelled(&vocabulary.terms[t], &word, settings)
                    && Person::agrees(*written, person)
            })
    }

    pub fn new(analyzed: &'a Analyzed, vocabulary: &Vocabulary, settings: &GradeSettings) -> Self {
        let content: Vec<usize> = analyzed
            .tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.is_stop)
            .map(|(i, _)| i)
            .collect();
        // Group the answer's content words by stem so each distinct word is compared once.
        let mut distinct: Vec<Term> = Vec::new();
        let mut distinct_of_position: Vec<usize> = Vec::with_capacity(content.len());
        let mut by_stem: HashMap<&str, usize> =
            HashMap::with_capacity_and_hasher(content.len(), Default::default());
        for &token_index in &content {
            let token = &analyzed.tokens[token_index];
            let slot = *by_stem.entry(&*token.stem).or_insert_with(|| {
                distinct.push(Term::of(token));
                distinct.len() - 1
            });
            distinct_of_position.push(slot);
        }
        // Compare each distinct answer word only with the terms that could match it; the
        // matches of word `w` are `matched[starts[w]..starts[w + 1]]`.
        let mut matched: Vec<usize> = Vec::new();
        let mut starts: Vec<usize> = Vec::with_capacity(distinct.len() + 1);
        let mut candidates: Vec<usize> = Vec::new();
        let memo_key = (vocabulary.id, fuzzy_key(settings));
        MATCH_MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            if memo.words >= MEMO_LIMIT {
                *memo = MatchMemo::default();
            }
            let mut added = 0;
            let remembered = memo.by_vocabulary.entry(memo_key).or_default();
            for word in &distinct {
                starts.push(matched.len());
                if let Some(terms) = remembered.get(&*word.stem) {
                    matched.extend(terms.iter().map(|&t| t as usize));
                    continue;
                }
                let (first, latin_first) = word.keys();
                let no_terms: &[usize] = &[];
                union_ascending(
                    vocabulary
                        .by_first
                        .get(&first)
                        .map_or(no_terms, Vec::as_slice),
                    vocabulary
                        .by_latin_first
                        .get(&latin_first)
                        .map_or(no_terms, Vec::as_slice),
                    &mut candidates,
                );
                let from = matched.len();
                matched.extend(
                    candidates
                        .iter()
                        .copied()
                        .filter(|&term| terms_match(&vocabulary.terms[term], word, settings)),
                );
                let terms: Box<[u32]> = matched[from..].iter().map(|&t| t as u32).collect();
                remembered.insert(word.stem.clone(), terms);
                added += 1;
            }
            memo.words += added;
        });
        starts.push(matched.len());
        // Count each term's positions, then fill them in: walking positions in order leaves
        // every list sorted.
        let mut term_starts = vec![0u32; vocabulary.terms.len() + 1];
        for &word in &distinct_of_position {
            for &term in &matched[starts[word]..starts[word + 1]] {
                term_starts[term + 1] += 1;
            }
        }
        for t in 1..term_starts.len() {
            term_starts[t] += term_starts[t - 1];
        }
        let mut next = term_starts.clone();
        let mut term_positions = vec![0usize; term_starts.last().map_or(0, |&n| n as usize)];
        for (position, &word) in distinct_of_position.iter().enumerate() {
            for &term in &matched[starts[word]..starts[word + 1]] {
                term_positions[next[term] as usize] = position;
                next[term] += 1;
            }
        }
        AnswerIndex {
            analyzed,
            content,
            term_starts,
            term_positions,
        }
    }

    /// How many vocabulary terms the index covers.
    pub fn term_count(&self) -> usize {
        self.term_starts.len().saturating_sub(1)
    }

    /// The content positions where vocabulary term `term` occurs, in order.
    pub fn positions_of(&self, term: usize) -> &[usize] {
        &self.term_positions[self.term_starts[term] as usize..self.term_starts[term + 1] as usize]
    }

    /// Whether every word of `phrase` occurs in the answer: without that, [`Self::find`] finds
    /// nothing.
    pub fn has_every_term(&self, phrase: &Phrase) -> bool {
        phrase
            .terms
            .iter()
            .all(|&t| self.term_starts[t] != self.term_starts[t + 1])
    }

    /// For each content position, whether its word matches any term of the vocabulary.
    pub fn matched(&self) -> Vec<bool> {
        let mut matched = vec![false; self.content.len()];
        for &position in &self.term_positions {
            matched[position] = true;
        }
        matched
    }

    /// Every non-overlapping place the phrase occurs, in answer order.
    pub fn find(&self, phrase: &Phrase, settings: &GradeSettings) -> Vec<Occurrence> {
        self.find_scoped(phrase, settings, false)
    }

    /// Occurrences that lie in one statement each: a clause, with what follows a dash ("MAE —
    /// квадратично"). A word of the phrase in an earlier clause does not hide the statement.
    pub fn find_in_statements(&self, phrase: &Phrase, settings: &GradeSettings) -> Vec<Occurrence> {
        self.find_scoped(phrase, settings, true)
            .into_iter()
            .filter(|o| self.in_one_statement(o))
            .collect()
    }

    fn find_scoped(
        &self,
        phrase: &Phrase,
        settings: &GradeSettings,
        by_statement: bool,
    ) -> Vec<Occurrence> {
        // Most phrases miss a word: answer that before allocating anything.
        if !self.has_every_term(phrase) {
            return Vec::new();
        }
        let lists: Vec<&[usize]> = phrase.terms.iter().map(|&t| self.positions_of(t)).collect();
        if lists.iter().any(|l| l.is_empty()) {
            return Vec::new();
        }
        let n = phrase.terms.len();
        let max_span = n - 1 + settings.max_gap;
        let mut found: Vec<Occurrence> = Vec::new();
        let mut last_end: Option<usize> = None;
        for &anchor in lists[0].iter() {
            if last_end.is_some_and(|end| anchor <= end) {
                continue;
            }
            let window = if phrase.strict {
                self.in_order_from(anchor, &lists)
            } else if phrase.ordered {
                self.in_order_within(anchor, &lists, max_span)
            } else {
                self.window_around(anchor, &lists, max_span, by_statement)
            };
            let Some(positions) = window.filter(|p| phrase.keeps_formulas(p)) else {
                continue;
            };
            let first = *positions.iter().min().unwrap_or(&anchor);
            let last = *positions.iter().max().unwrap_or(&anchor);
            last_end = Some(last);
            let first_token = self.content[first];
            let last_token = self.content[last];
            let negated = self.negated_between(first_token, last_token, phrase.negated, settings);
            found.push(Occurrence {
                positions,
                first_token,
                last_token,
                sentence: self.analyzed.tokens[first_token].sentence,
                negated,
            });
        }
        found
    }

    /// Choose, for each phrase term, the position nearest the anchor, so that all fit in
    /// `max_span` content words of one sentence.
    fn window_around(
        &self,
        anchor: usize,
        lists: &[&[usize]],
        max_span: usize,
        by_statement: bool,
    ) -> Option<Positions> {
        let sentence = self.sentence_of(anchor);
        let mut chosen = Positions::new();
        chosen.push(anchor);
        for list in &lists[1..] {
            // Lists are sorted: look only at the positions within reach of the anchor, so a
            // word repeated thousands of times costs a binary search, not a scan per anchor.
            let best = within_reach(list, anchor, max_span)
                .iter()
                .copied()
                .filter(|&p| {
                    !chosen.contains(&p)
                        && self.sentence_of(p) == sentence
                        && (!by_statement || self.same_statement(anchor, p))
                })
                .min_by_key(|&p| p.abs_diff(anchor))?;
            chosen.push(best);
        }
        let lo = *chosen.iter().min()?;
        let hi = *chosen.iter().max()?;
        (hi - lo <= max_span).then_some(chosen)
    }

    /// The terms at consecutive positions starting at `anchor`, in phrase order.
    fn in_order_from(&self, anchor: usize, lists: &[&[usize]]) -> Option<Positions> {
        let positions: Positions = (0..lists.len()).map(|i| anchor + i).collect();
        lists
            .iter()
            .zip(&positions)
            .all(|(list, p)| list.binary_search(p).is_ok())
            .then_some(positions)
    }

    /// Each term after the previous one, within `max_span` of the anchor and in its clause.
    fn in_order_within(
        &self,
        anchor: usize,
        lists: &[&[usize]],
        max_span: usize,
    ) -> Option<Positions> {
        let clause = self.clause_of(anchor);
        let mut chosen: Positions = smallvec::smallvec![anchor];
        for list in &lists[1..] {
            let previous = *chosen.last()?;
            let after = &list[list.partition_point(|&p| p <= previous)..];
            let next = after
                .iter()
                .copied()
                .take_while(|&p| p <= anchor + max_span)
                .find(|&p| self.clause_of(p) == clause)?;
            chosen.push(next);
        }
        Some(chosen)
    }

    fn clause_of(&self, content_position: usize) -> u32 {
        self.analyzed.tokens[self.content[content_position]].clause
    }

    fn sentence_of(&self, content_position: usize) -> u32 {
        self.analyzed.tokens[self.content[content_position]].sentence
    }

    /// Does a match lie in one statement: no comma, contrast or sentence end inside it? A dash
    /// does not end a statement ("MAE — квадратично" says MAE is quadratic).
    fn in_one_statement(&self, occurrence: &Occurrence) -> bool {
        self.no_statement_break(occurrence.first_token, occurrence.last_token)
    }

    /// Are two content positions in one statement?
    fn same_statement(&self, a: usize, b: usize) -> bool {
        let (a, b) = (self.content[a.min(b)], self.content[a.max(b)]);
        self.no_statement_break(a, b)
    }

    pub(crate) fn no_statement_break(&self, first_token: usize, last_token: usize) -> bool {
        let tokens = &self.analyzed.tokens;
        (first_token + 1..=last_token).all(|i| {
            tokens[i].clause == tokens[i - 1].clause
                || tokens[i].after_dash
                || self.relative_clause_starts(i)
                || self.parenthetical_clause_at(i)
                || self.parenthetical_clause_at(i - 1)
        })
    }

    /// The first and last token of the clause holding token `i` (a clause's tokens are
    /// contiguous).
    fn clause_span(&self, i: usize) -> (usize, usize) {
        let tokens = &self.analyzed.tokens;
        let clause = tokens[i].clause;
        let start = (0..i)
            .rev()
            .take_while(|&j| tokens[j].clause == clause)
            .last()
            .unwrap_or(i);
        let end = (i + 1..tokens.len())
            .take_while(|&j| tokens[j].clause == clause)
            .last()
            .unwrap_or(i);
        (start, end)
    }

    /// Is the token at `i` in a clause that only holds a parenthetical word ("Pruning,
    /// наоборот, добавляет ветви")? Such a clause qualifies the statement around it and does
    /// not end it.
    fn parenthetical_clause_at(&self, i: usize) -> bool {
        let tokens = &self.analyzed.tokens;
        let (start, end) = self.clause_span(i);
        let within_sentence = start > 0
            && end + 1 < tokens.len()
            && tokens[start - 1].sentence == tokens[i].sentence
            && tokens[end + 1].sentence == tokens[i].sentence;
        within_sentence
            && tokens[start..=end]
                .iter()
                .any(|t| is_parenthetical_word(&t.word))
            && tokens[start..=end]
                .iter()
                .all(|t| t.is_stop || is_parenthetical_word(&t.word))
    }

    /// Does a relative clause start at token `i`, continuing the statement before it? "выбрать
    /// k, при котором inertia минимальна" is one claim, though a comma stands inside.
    fn relative_clause_starts(&self, i: usize) -> bool {
        let tokens = &self.analyzed.tokens;
        let relative = |t: &Token| is_relative_word(&t.word);
        tokens[i].sentence == tokens[i - 1].sentence
            && (relative(&tokens[i])
                || (tokens[i].is_stop
                    && tokens
                        .get(i + 1)
                        .is_some_and(|next| next.clause == tokens[i].clause && relative(next))))
    }

    /// Is the match negated? A negation word in its clause just before it or inside it, or
    /// after it a word that denies existence ("проблем с градиентом нет", "градиент не
    /// возникает"). Russian stacks negations for emphasis ("никогда не"), so any one counts.
    /// For a phrase that is itself a negation, a "не" right after it counts too
    /// ("число кластеров задавать не нужно").
    fn negated_between(
        &self,
        first: usize,
        last: usize,
        phrase_negated: bool,
        settings: &GradeSettings,
    ) -> bool {
        let tokens = &self.analyzed.tokens;
        let clause = tokens[first].clause;
        let from = first.saturating_sub(settings.negation_window);
        if !phrase_negated && self.in_denied_claim(first) {
            return true;
        }
        let relative = if phrase_negated {
            None
        } else {
            self.relative_word_before(first)
        };
        if let Some(relative) = relative {
            // A negation before the relative clause denies the match, and so does one right
            // before it ("шум, который не убрать"); the clause's own predicate denied
            // elsewhere ("которой ещё нет") only describes its noun.
            let before = tokens[from.min(relative)..relative]
                .iter()
                .any(|t| t.is_negation && t.clause == clause);
            // "нет" there is the clause's own predicate of absence ("которой нет в момент
            // прогноза"), not a particle negating the match.
            let governing = (first.saturating_sub(2).max(relative + 1)..first)
                .any(|i| tokens[i].is_negation && tokens[i].word != "нет");
            return before || governing;
        }
        if tokens[from..=last].iter().enumerate().any(|(offset, t)| {
            let at = from + offset;
            t.is_negation
                && (at >= first || t.clause == clause)
                && !self.corrected_after(at, last)
                && !self.lacks_only_its_noun(at, first)
        }) {
            return true;
        }
        let after_end = (last + 4).min(tokens.len());
        let trailing = &tokens[last + 1..after_end];
        for (i, t) in trailing.iter().enumerate() {
            // A relative clause after the match describes its noun: "инфу из будущего которой
            // нет в момент прогноза" does not deny the information.
            if t.clause != tokens[last].clause || opens_relative_clause(&t.word) {
                break;
            }
            if matches!(t.word.as_str(), "нет" | "отсутствует")
                || (t.is_negation && phrase_negated && i < 2)
                || (t.is_negation
                    && trailing.get(i + 1).is_some_and(|next| {
                        EXISTENCE_VERBS.iter().any(|v| next.word.starts_with(v))
                    }))
            {
                return true;
            }
        }
        self.clause_denies(first, last)
    }

    /// Does the match at `first` stand in a clause that "что" opens after a denied verb of
    /// saying or implying: "95% не означает, что интервалы накроют значение", "это не
    /// гарантирует, что дерево оптимально", "неверно, что …"? The comma before "что" ends the
    /// verb's clause, so the negation's own reach stops short of what it denies.
    fn in_denied_claim(&self, first: usize) -> bool {
        let tokens = &self.analyzed.tokens;
        // Clause numbers never decrease along the tokens: the clause's first token is found by
        // bisection, not by walking back over it for every match (an answer of one long
        // clause holds many).
        let clause_of_match = tokens[first].clause;
        let start = tokens[..first].partition_point(|t| t.clause < clause_of_match);
        if start == 0
            || !matches!(tokens[start].word.as_str(), "что" | "that")
            || tokens[start - 1].sentence != tokens[start].sentence
        {
            return false;
        }
        // Back over "о том" ("не говорит о том, что") to the verb, in the clause before.
        let clause = tokens[start - 1].clause;
        let mut verb = start - 1;
        while verb > 0
            && tokens[verb - 1].clause == clause
            && matches!(
                tokens[verb].word.as_str(),
                "о" | "об" | "том" | "этом" | "то"
            )
        {
            verb -= 1;
        }
        let word = tokens[verb].word.as_str();
        if DENIAL_PREDICATIVES.contains(&word) {
            return true;
        }
        verb > 0
            && tokens[verb - 1].is_negation
            && tokens[verb - 1].clause == clause
            && (CLAIM_VERBS.iter().any(|v| word.starts_with(v))
                || CLAIM_PREDICATIVES.contains(&word))
    }

    /// The relative word ("которой", "which") that opens the relative clause the match at
    /// `first` stands in, if it does: "информация, которой в момент прогноза ещё нет",
    /// "information which is not available at forecast time". A negation there qualifies the
    /// noun the clause describes; it does not deny the match.
    fn relative_word_before(&self, first: usize) -> Option<usize> {
        let tokens = &self.analyzed.tokens;
        let clause = tokens[first].clause;
        // A relative clause's words follow its relative word closely; the bound keeps a long
        // clause of many matches from being read again for each.
        (first.saturating_sub(RELATIVE_REACH)..first)
            .rev()
            .take_while(|&i| tokens[i].clause == clause)
            .find(|&i| opens_relative_clause(&tokens[i].word))
    }

    /// "без" / "without" at `negation` names what is absent, a noun: a predicate after it
    /// starts what is said ("Pooling без параметров уменьшает разрешение" affirms the
    /// reduction), so the match at `first` is out of its reach when a predicate stands
    /// between them or opens the match.
    fn lacks_only_its_noun(&self, negation: usize, first: usize) -> bool {
        let tokens = &self.analyzed.tokens;
        matches!(tokens[negation].word.as_str(), "без" | "without")
            && negation < first
            && tokens[negation + 1..=first]
                .iter()
                .any(super::predicate::is_predicate_word)
    }

    /// "не X, а Y" / "not X but Y": the negation at `negation` denies X only, and a match that
    /// ends in Y ("снижает не смещение, а разброс") is affirmed. Y is a noun phrase here; "не
    /// снижает смещение, а увеличивает" puts a new predicate after "а" and keeps the denial.
    fn corrected_after(&self, negation: usize, last: usize) -> bool {
        let tokens = &self.analyzed.tokens;
        (negation + 2..last).any(|k| {
            matches!(tokens[k].word.as_str(), "а" | "but")
                && tokens.get(k + 1).is_some_and(|next| {
                    !next.is_negation && !super::predicate::is_predicate_word(next)
                })
        })
    }

    /// Is the match an item of a list that a negated predicate earlier in its sentence
    /// governs ("Точки не делятся на ядровые, граничные и шум")? Its clause, and every clause
    /// back to that predicate's, has no predicate of its own and no dash, and the negated
    /// predicate's clause goes on past it with the list's first item.
    fn list_after_denial(&self, first: usize) -> bool {
        use super::predicate::{is_negative_predicative, is_predicate_word};
        let tokens = &self.analyzed.tokens;
        let sentence = tokens[first].sentence;
        // Walk clause ranges back, not the whole answer per clause (an answer of thousands of
        // commas would make that cubic). `start..end` is the clause being read.
        let (mut start, last) = self.clause_span(first);
        let mut end = last + 1;
        loop {
            let current = &tokens[start..end];
            if matches!(current[0].word.as_str(), "а" | "но" | "but" | "however") {
                return false;
            }
            if current.iter().any(|t| t.after_dash || is_predicate_word(t)) {
                return false;
            }
            // The clause just before, in the same sentence (none if a clause number between
            // them holds no word, as after a bracket).
            if start == 0 {
                return false;
            }
            let before = &tokens[start - 1];
            if before.clause + 1 != current[0].clause || before.sentence != sentence {
                return false;
            }
            end = start;
            start = self.clause_span(end - 1).0;
            let previous = start..end;
            // The last predicate of the previous clause, if any: negated, and the last one.
            let Some(at) = previous
                .clone()
                .rev()
                .find(|&i| is_predicate_word(&tokens[i]) || is_negative_predicative(&tokens[i]))
            else {
                continue;
            };
            let negated = is_negative_predicative(&tokens[at])
                || (at > 0 && tokens[at - 1].is_negation && tokens[at - 1].clause == before.clause);
            // The list starts in that clause: something follows the predicate there ("не
            // требуется: …" explains rather than lists).
            let object_follows = (at + 1..end).any(|i| !tokens[i].is_stop);
            return negated
                && object_follows
                && !(at + 1..end).any(|i| is_predicate_word(&tokens[i]));
        }
    }

    /// Does the clause of a match deny what it says? A negated predicate anywhere in it
    /// ("Stratified k-fold не сохраняет доли классов", "переобучение он не снижает") or a
    /// closing "нет" ("чувствительности к eps нет"). "Без" / "without" only reach the words
    /// right after them (handled above): "валидация без утечки" affirms the validation.
    fn clause_denies(&self, first: usize, last: usize) -> bool {
        let tokens = &self.analyzed.tokens;
        let clause = tokens[first].clause;
        let start = self.clause_span(first).0;
        let end = self.clause_span(last).1;
        // Before the match, "и" / "and" joins the verb's complements ("PCA не является
        // линейным и детерминированным") unless a new predicate follows it, which the
        // predicate test below catches.
        let breaks = |b: &Token| {
            matches!(b.word.as_str(), "а" | "but" | "пока" | "чтобы" | "until")
                || super::predicate::is_predicate_word(b)
        };
        // After the match, a conjunction only ends the negation's reach when it joins
        // predicates ("X быстрый и не требует памяти"); joined nouns share the verb ("RAG и
        // цитирование источников не снижают галлюцинации"), and an infinitive is the verb's
        // complement ("требование цитировать источники не помогает").
        let breaks_after = |i: usize, negation: &Token| {
            let b = &tokens[i];
            match b.word.as_str() {
                "и" | "and" => tokens.get(i + 1).is_some_and(|next| next.is_negation),
                "а" | "but" | "пока" | "чтобы" | "until" => true,
                _ => {
                    super::predicate::is_predicate_word(b)
                        && !super::predicate::is_infinitive(b)
                        && !term_in_russian(b, negation)
                }
            }
        };
        // A negated predicate before the match, with no other predicate or conjunction between
        // ("DBSCAN не является алгоритмом на основе плотности").
        let before = (start..first).any(|i| {
            let t = &tokens[i];
            if super::predicate::is_negative_predicative(t) {
                // Its infinitive is its complement: "бессмысленно сравнивать офлайн признаки".
                return !tokens[i + 1..first]
                    .iter()
                    .any(|b| breaks(b) && !super::predicate::is_infinitive(b));
            }
            let Some(verb) = tokens.get(i + 1) else {
                return false;
            };
            // An infinitive completes a negated modal verb ("длительность не должна покрывать
            // недельную сезонность", "не стоит считать …"), unless "и" joins it as a second
            // predicate ("чтобы не считать их заново и переиспользовать в разных моделях").
            // Other verbs keep it out of reach: "не успеем прогнать бустинг в пределах
            // latency" says the latency is too short, and "не даёт сети переобучиться"
            // prevents what follows.
            let modal = MODAL_VERBS.iter().any(|m| verb.word.starts_with(m));
            let completes = |k: usize| {
                modal
                    && super::predicate::is_infinitive(&tokens[k])
                    && !matches!(tokens[k - 1].word.as_str(), "и" | "или" | "and" | "or")
            };
            t.is_negation
                && !matches!(t.word.as_str(), "без" | "without")
                && verb.clause == clause
                && super::predicate::is_predicate_word(verb)
                && !((i + 2).min(first)..first).any(|k| breaks(&tokens[k]) && !completes(k))
        });
        if before || self.list_after_denial(first) {
            return true;
        }
        // A negation after the match, with nothing between that starts another predicate of
        // the same subject ("X считает блоками и не хранит матрицу" affirms X).
        (last + 1..=end).any(|i| {
            let t = &tokens[i];
            let predicative = super::predicate::is_negative_predicative(t);
            if !(t.is_negation || predicative) || matches!(t.word.as_str(), "без" | "without") {
                return false;
            }
            if (last + 1..i).any(|k| breaks_after(k, t)) {
                return false;
            }
            if t.word == "нет" || predicative {
                return true;
            }
            // "не даёт (объектам группы) попасть" means "prevents": it affirms, denies nothing.
            let prevents = tokens.get(i + 1).is_some_and(|n| n.word.starts_with("да"))
                && tokens
                    .iter()
                    .skip(i + 2)
                    .take(8)
                    .take_while(|n| n.sentence == t.sentence)
                    .any(super::predicate::is_infinitive);
            if prevents {
                return false;
            }
            tokens.get(i + 1).is_some_and(|next| {
                next.clause == t.clause && super::predicate::is_predicate_word(next)
            })
        })
    }
}

/// Is `word` an English term in a Russian statement, which a Russian negation cannot make its
/// predicate? In "HAVING COUNT(*) > 1 не помогает" the SQL function "count" reads like an
/// English verb, but "не" negates "помогает" and what stands before it.
fn term_in_russian(word: &Token, negation: &Token) -> bool {
    word.script == Script::Latin && negation.script == Script::Cyrillic
}

/// A word that opens a relative clause: "который" in any form, "which".
fn opens_relative_clause(word: &str) -> bool {
    word == "which" || (word.starts_with("котор") && is_relative_word(word))
}

/// The part of a sorted list of positions within `span` of `anchor`.
fn within_reach(list: &[usize], anchor: usize, span: usize) -> &[usize] {
    let from = list.partition_point(|&p| p + span < anchor);
    let to = list.partition_point(|&p| p <= anchor + span);
    &list[from..to.max(from)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn osa_distance_is_strsims(a in "[abcба]{0,12}", b in "[abcба]{0,12}") {
            prop_assert_eq!(osa_distance(&a, &b), strsim::osa_distance(&a, &b));
        }

        #[test]
        fn union_ascending_is_sorted_concatenation_without_repeats(
            a in proptest::collection::btree_set(0usize..40, 0..12),
            b in proptest::collection::btree_set(0usize..40, 0..12),
        ) {
            let (a, b): (Vec<usize>, Vec<usize>) = (a.into_iter().collect(), b.into_iter().collect());
            let mut expected: Vec<usize> = a.iter().chain(&b).copied().collect();
            expected.sort_unstable();
            expected.dedup();
            let mut union = vec![99];
            union_ascending(&a, &b, &mut union);
            prop_assert_eq!(union, expected);
        }

        #[test]
        fn letter_counts_never_overstate_the_distance(
            a in "[abcxyzабвгдеё\u{0470}\u{0530}]{0,12}",
            b in "[abcxyzабвгдеё\u{0470}\u{0530}]{0,12}",
        ) {
            let distance = strsim::osa_distance(&a, &b);
            prop_assert!(letter_count_gap(&a, &b) <= distance);
            for bound in 0..=12 {
                prop_assert_eq!(osa_within(&a, &b, bound), distance <= bound);
            }
        }
    }

    #[test]
    fn osa_distance_is_strsims_on_words() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "ca",
            "overfit",
            "overfitting",
            "ovrefit",
            "оверфит",
            "градиент",
            "граидент",
            "градинет",
            "gradient",
            "clustering",
            "clusteirng",
            &"x".repeat(OSA_STACK_CHARS - 1),
            &"x".repeat(OSA_STACK_CHARS),
            &"xy".repeat(OSA_STACK_CHARS),
        ];
        for a in words {
            for b in words {
                assert_eq!(osa_distance(a, b), strsim::osa_distance(a, b), "{a} / {b}");
            }
        }
    }

    fn settings() -> GradeSettings {
        GradeSettings::default()
    }

    fn find(phrase: &str, answer: &str) -> Vec<Occurrence> {
        let mut vocabulary = Vocabulary::default();
        let phrase = vocabulary.phrase(phrase).unwrap();
        let analyzed = text::analyze(answer);
        let index = AnswerIndex::new(&analyzed, &vocabulary, &settings());
        index.find(&phrase, &settings())
    }

    #[test]
    fn word_forms_match() {
        assert_eq!(
            find("исчезающий градиент", "проблема исчезающего градиента").len(),
            1
        );
        assert_eq!(
            find("vanishing gradient", "gradients were vanishing").len(),
            1
        );
    }

    #[test]
    fn a_case_is_not_random_though_one_stem_starts_the_other() {
        assert!(find("случайное разбиение", "в случае разбиения по времени").is_empty());
        assert!(find("случайно", "частный случай").is_empty());
        // The adjective's own forms and other derivations still match.
        assert_eq!(
            find("случайное разбиение", "делаем случайное разбиение").len(),
            1
        );
        assert_eq!(find("случайно", "случайный выбор").len(), 1);
        assert_eq!(find("затухание градиента", "градиент затухает").len(), 1);
    }

    #[test]
    fn a_negation_inside_a_relative_clause_qualifies_its_noun() {
        let negated = |phrase: &str, answer: &str| find(phrase, answer)[0].negated;
        for (phrase, answer) in [
            (
                "момент прогноза",
                "Утечка — использование информации, которой в момент прогноза ещё нет.",
            ),
            (
                "forecast time",
                "Leakage uses information which is not available at forecast time.",
            ),
        ] {
            assert!(!negated(phrase, answer), "{answer}");
        }
        // Outside a relative clause the negation still denies, and so does one right before
        // the match inside it.
        assert!(negated(
            "момент прогноза",
            "В момент прогноза этой информации нет."
        ));
        assert!(negated("убрать шум", "Это шум, который не убрать."));
        // A phrase that is itself a negation still needs its negation there.
        let mut vocabulary = Vocabulary::default();
        let phrase = vocabulary.phrase("не должны ухудшиться").unwrap();
        let analyzed = text::analyze("Guardrail — метрики, которые не должны ухудшиться.");
        let index = AnswerIndex::new(&analyzed, &vocabulary, &settings());
        assert!(index
            .find(&phrase, &settings())
            .iter()
            .any(|o| phrase.holds_at(o)));
    }

    #[test]
    fn words_may_be_reordered_and_separated() {
        assert_eq!(
            find("затухание градиента", "градиент быстро затухает").len(),
            1
        );
        assert!(find(
            "затухание градиента",
            "затухание сигнала в очень длинной сети и градиента"
        )
        .is_empty());
    }

    #[test]
    fn symbols_of_a_formula_in_a_phrase_stay_together() {
        // "p(x)" within words: another symbol between p and x makes another formula.
        assert!(find(
            "concept drift меняется p(x)",
            "concept drift — меняется сама зависимость p(y|x)"
        )
        .is_empty());
        assert_eq!(
            find(
                "concept drift меняется p(x)",
                "при concept drift меняется не p(x), а зависимость"
            )
            .len(),
            1
        );
        // Words around the formula may still be apart or reordered.
        assert_eq!(
            find("меняется p(y|x)", "p(y|x) со временем меняется").len(),
            1
        );
    }

    #[test]
    fn typos_in_long_words_are_tolerated_short_words_are_exact() {
        assert_eq!(find("градиент", "градеент").len(), 1);
        assert_eq!(find("регуляризация", "регуляризацыя").len(), 1);
        assert!(find("eps", "ops").is_empty());
        assert!(find("lstm", "lsmt").is_empty());
    }

    #[test]
    fn transliteration_matches_across_scripts() {
        assert_eq!(find("overfitting", "у модели оверфиттинг").len(), 1);
        assert_eq!(find("dataset", "большой датасет").len(), 1);
    }

    #[test]
    fn negation_before_or_inside_reverses_a_match() {
        assert!(find("проблемы с градиентом", "у RNN нет проблем с градиентами")[0].negated);
        assert!(find("градиент затухает", "градиент не затухает")[0].negated);
        assert!(find("градиент затухает", "проблем нет, градиент затухает")
            .iter()
            .all(|o| !o.negated));
        assert!(find("vanishing gradient", "there is no vanishing gradient")[0].negated);
        assert!(find("проблемы с градиентом", "проблем с градиентом нет")[0].negated);
        assert!(find("исчезающий градиент", "исчезающий градиент не возникает")[0].negated);
        // "не X, а Y" denies X and affirms Y.
        assert!(!find("снижает разброс", "бэггинг снижает не смещение, а разброс")[0].negated);
        assert!(!find("reduces variance", "bagging reduces not bias but variance")[0].negated);
        assert!(find("снижает смещение", "бэггинг снижает не смещение, а разброс")[0].negated);
        assert!(
            find(
                "снижает разброс",
                "бэггинг не снижает разброс, а увеличивает"
            )[0]
            .negated
        );
        assert!(!find("исчезающий градиент", "исчезающий градиент не дает учиться")[0].negated);
        assert!(
            !find(
                "group k-fold",
                "Group k-fold не даёт объектам одной группы (одного пользователя, пациента) попасть в test"
            )[0]
            .negated
        );
        // Joined nouns share the negated verb; joined predicates do not.
        assert!(
            find(
                "rag",
                "RAG и требование цитировать источники не снижают ошибки"
            )[0]
            .negated
        );
        assert!(!find("быстрый", "он быстрый и не требует памяти")[0].negated);
        // Joined complements share a negated verb before them; a new predicate after "и" ends it.
        assert!(
            find(
                "детерминированный",
                "PCA не является линейным и детерминированным"
            )[0]
            .negated
        );
        assert!(
            !find(
                "переобучение",
                "dropout не медленный и снижает переобучение"
            )[0]
            .negated
        );
        // A negated verb governs the list that starts after it, across the list's commas.
        assert!(find("шум", "точки не делятся на ядровые, граничные и шум")[0].negated);
        assert!(!find("шум", "точки делятся на ядровые, граничные и шум")[0].negated);
        // An item with a predicate of its own, an "а" clause or an explanation after a colon
        // is not part of that list.
        assert!(!find("шум", "точки не делятся на части, шум выделяется отдельно")[0].negated);
        assert!(!find("шум", "это не влияет на точки, а шум отбрасывается")[0].negated);
        assert!(
            !find(
                "инвариантны",
                "деревьям масштабирование не требуется: разбиения инвариантны"
            )[0]
            .negated
        );
        // Brackets and decimal points keep the negation in the clause.
        assert!(find("having count", "HAVING COUNT(*) > 1 не помогает")[0].negated);
        assert!(find("уровень значимости", "уровень значимости 0.05 не нужен")[0].negated);
        // One-word negated predicates.
        assert!(find("калибратор", "калибратор обучать необязательно")[0].negated);
        assert!(find("офлайн", "бессмысленно сравнивать офлайн признаки")[0].negated);
        let negated = |phrase: &str, answer: &str| find(phrase, answer)[0].negated;
        // A negated short adjective is a negated predicate.
        assert!(negated(
            "валидация по времени",
            "валидация по времени не обязательна"
        ));
        assert!(negated(
            "индикатор пропуска",
            "индикатор пропуска не полезен"
        ));
        // "без" names a missing noun; the verb after it is said, not denied.
        assert!(!negated(
            "уменьшает разрешение",
            "pooling без параметров уменьшает разрешение"
        ));
        assert!(negated(
            "параметров",
            "pooling без параметров уменьшает разрешение"
        ));
        assert!(negated(
            "разрешение",
            "без пулинга разрешение не уменьшается"
        ));
        // A short adjective after "и" is a new predicate, out of the negation's reach.
        let known_in_advance = "если ответ не нужен сразу и список объектов известен заранее";
        assert!(!negated("заранее", known_in_advance));
        // "нет" in a relative clause after the match describes its noun.
        let unavailable = "юзаем инфу из будущего которой нет в момент прогноза";
        assert!(!negated("инфу из будущего", unavailable));
        assert!(negated("инфу из будущего", "инфы из будущего нет"));
        assert!(!negated("момент прогноза", unavailable));
        assert!(negated("убрать", "шум, который не убрать"));
    }

    #[test]
    fn statements_are_found_past_a_repeated_word_and_not_across_clauses() {
        let find_stated = |phrase: &str, answer: &str| {
            let mut vocabulary = Vocabulary::default();
            let phrase = vocabulary.phrase(phrase).unwrap();
            let analyzed = text::analyze(answer);
            let index = AnswerIndex::new(&analyzed, &vocabulary, &settings());
            index.find_in_statements(&phrase, &settings()).len()
        };
        let phrase = "медиана чувствительна к выбросам";
        assert_eq!(
            find_stated(
                phrase,
                "Заполнять медианой, медиана чувствительна к выбросам"
            ),
            1
        );
        assert_eq!(
            find_stated(
                phrase,
                "Медиана устойчива, а среднее чувствительно к выбросам"
            ),
            0
        );
        assert_eq!(
            find_stated("mae квадратично", "MSE линейно, а MAE — квадратично"),
            1
        );
    }

    /// Whether the one occurrence of `phrase` in `answer` reads as negated.
    fn negated_once(phrase: &str, answer: &str) -> bool {
        let found = find(phrase, answer);
        assert_eq!(found.len(), 1, "{phrase} in {answer}");
        found[0].negated
    }

    #[test]
    fn a_denied_verb_of_saying_denies_the_clause_after_it() {
        let phrase = "интервалы накроют истинное значение";
        for denied in [
            "95% не означает, что интервалы накроют истинное значение",
            "Это не значит, что интервалы накроют истинное значение.",
            "Отсюда не следует, что интервалы накроют истинное значение",
            "Это ничего не говорит о том, что интервалы накроют истинное значение",
            "Неверно, что интервалы накроют истинное значение",
            "Не факт, что интервалы накроют истинное значение",
        ] {
            assert!(negated_once(phrase, denied), "{denied}");
        }
        for affirmed in [
            "95% означает, что интервалы накроют истинное значение",
            "Не забываем: важно, что интервалы накроют истинное значение",
            "Это не страшно. Значит, что интервалы накроют истинное значение",
            "Не означает ничего плохого, что интервалы накроют истинное значение",
        ] {
            assert!(!negated_once(phrase, affirmed), "{affirmed}");
        }
        assert!(negated_once(
            "greedy split is optimal",
            "this does not guarantee, that the greedy split is optimal"
        ));
    }

    #[test]
    fn negated_phrases_keep_their_polarity() {
        let mut vocabulary = Vocabulary::default();
        let phrase = vocabulary.phrase("не зависит от прошлого").unwrap();
        assert!(phrase.negated);
        let analyzed = text::analyze("будущее не зависит от прошлых состояний");
        let index = AnswerIndex::new(&analyzed, &vocabulary, &settings());
        assert!(index.find(&phrase, &settings())[0].negated);
    }

    #[test]
    fn edit_distance_is_bounded_on_the_differing_middle() {
        assert!(within_edits("градиент", "градеент", 1));
        assert!(within_edits("градиент", "граидент", 1));
        assert!(!within_edits("градиент", "гриадент", 1));
        assert!(within_edits("регуляризац", "регулеризац", 1));
        assert!(!within_edits("процесс", "проблем", 2));
        assert!(within_edits("abc", "abc", 0));
    }

    #[test]
    fn numbers_keep_their_order_within_a_clause() {
        assert!(find("от 0 до 1", "сходство от -1 до 1, а расстояние от 0 до 2").is_empty());
        assert_eq!(find("от 0 до 2", "расстояние от 0 до 2").len(), 1);
        assert!(find("один минус", "от минус один до один").is_empty());
    }

    #[test]
    fn an_infinitive_completes_a_negated_modal_unless_it_is_joined() {
        assert!(negated_once(
            "сезонность",
            "Длительность не должна покрывать недельную сезонность."
        ));
        assert!(negated_once(
            "сравнивать распределения",
            "Модель не может сравнивать распределения признаков."
        ));
        // Only a modal's infinitive: "не успеем прогнать" says the time is short, and
        // denies neither what is run nor the latency.
        assert!(!negated_once(
            "latency",
            "Мы не успеем прогнать бустинг по каждому товару в пределах latency."
        ));
        // "заранее" is an adverb, not a comparative predicate that would end the reach.
        assert!(negated_once(
            "гипотеза",
            "Гипотезу и метрики заранее формулировать не обязательно."
        ));
        // "и" joins a second predicate, out of the first one's negation.
        assert!(!negated_once(
            "в разных моделях",
            "Фичи хранят, чтобы не считать их заново и переиспользовать в разных моделях."
        ));
    }

    #[test]
    fn an_english_term_is_no_predicate_of_a_russian_negation() {
        // "count" is an English verb, but here the SQL function: "не помогает" still denies.
        assert!(negated_once(
            "having",
            "GROUP BY с HAVING COUNT(*) > 1 не помогает найти повторяющиеся ключи."
        ));
        // A Russian predicate between still ends the reach.
        assert!(!negated_once(
            "having",
            "HAVING фильтрует группы, а дубли удаляет не он."
        ));
    }

    #[test]
    fn stacked_russian_negations_still_negate() {
        assert!(
            find(
                "исчезающий градиент",
                "никогда не бывает исчезающий градиент"
            )[0]
            .negated
        );
        assert!(find("adam", "не спасут ни Adam, ни momentum")[0].negated);
        assert!(find("adam", "Adam тут не поможет")[0].negated);
    }

    #[test]
    fn a_first_letter_typo_is_a_different_term() {
        assert!(find("hdbscan", "алгоритм dbscan").is_empty());
    }

    #[test]
    fn formulas_keep_their_order() {
        assert_eq!(find("p y x", "модель учит P(Y|X)").len(), 1);
        assert!(find("p y x", "модель учит P(X, Y)").is_empty());
    }

    #[test]
    fn matches_do_not_cross_sentences() {
        assert!(find("исчезающий градиент", "Он исчезающий. Градиент большой.").is_empty());
    }
}
