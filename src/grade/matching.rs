//! Where the answer says each concept: alias phrases (explained, bare or listed), plain-word
//! cues, and denials; and the rubric's misconceptions it repeats.

use super::binding::{COMPARATIVES, REPLACED_SIDE_MARKERS};
use super::cues::{CompiledCue, CueHit};
use super::matcher::{AnswerIndex, Occurrence, Phrase, Positions, Vocabulary};
use super::predicate::Statements;
use super::text::{Script, Token};
use super::{span, CompiledRubric, FoundBy, FoundMisconception, GradeSettings, StatedWrong};

/// What the answer says about one concept.
#[derive(Debug, Clone, Default)]
pub struct ConceptEvidence {
    /// The best positive alias occurrence and how it is said (explained before bare before
    /// listed; the earliest among equals).
    pub alias: Option<(Occurrence, FoundBy)>,
    /// A plain-words cue stated positively.
    pub cue: Option<CueHit>,
    /// An alias or cue of the concept is denied somewhere.
    pub denied: bool,
    /// Every positive alias occurrence: (phrase index, first token, last token).
    pub positive: Vec<(usize, usize, usize)>,
}

fn rank(found_by: FoundBy) -> u8 {
    match found_by {
        FoundBy::Term | FoundBy::Claim | FoundBy::Cue | FoundBy::Semantic => 2,
        FoundBy::Bare => 1,
        FoundBy::Listed => 0,
    }
}

/// Find every concept's aliases and cues in the answer.
pub fn find(
    compiled: &CompiledRubric,
    index: &AnswerIndex,
    statements: &Statements,
    settings: &GradeSettings,
) -> Vec<ConceptEvidence> {
    let analyzed = index.analyzed;
    let count_negated = compiled
        .rubric
        .scoring
        .as_ref()
        .and_then(|s| s.count_negated)
        .unwrap_or(false);
    let mut found: Vec<ConceptEvidence> =
        vec![ConceptEvidence::default(); compiled.concept_phrases.len()];
    let mut hits: Vec<Vec<Occurrence>> = vec![Vec::new(); compiled.concept_phrases.len()];
    let mut alias_word = vec![false; index.content.len()];
    for (i, phrases) in compiled.concept_phrases.iter().enumerate() {
        // Denials, as token spans: words a longer alias reads as saying the concept ("размеры
        // кластеров ничего не значат" holds where "размеры кластеров" alone is negated) deny
        // nothing.
        let mut denials: Vec<(usize, usize)> = Vec::new();
        for (j, phrase) in phrases.iter().enumerate() {
            for occurrence in index.find(phrase, settings) {
                if count_negated || phrase.holds_at(&occurrence) {
                    for &p in &occurrence.positions {
                        alias_word[p] = true;
                    }
                    found[i]
                        .positive
                        .push((j, occurrence.first_token, occurrence.last_token));
                    hits[i].push(occurrence);
                } else if denies(compiled, index, phrase, &occurrence) {
                    denials.push((occurrence.first_token, occurrence.last_token));
                }
            }
        }
        found[i].denied = denials.iter().any(|&(first, last)| {
            !found[i]
                .positive
                .iter()
                .any(|&(_, from, to)| from <= first && last <= to)
        });
    }

    // Content words per sentence that are not rubric terms: the candidate's own explanation.
    // A sentence also counts as explanation when one of its clauses mixes the candidate's own
    // words with rubric terms ("сигнал ошибки затухает на длинных последовательностях"): a
    // keyword list has items that are rubric terms and nothing else.
    let sentence_count = analyzed
        .tokens
        .last()
        .map_or(0, |t| t.sentence as usize + 1);
    let mut own_words = vec![0usize; sentence_count];
    let mut sentence_words = vec![0usize; sentence_count];
    let mut mixed_clause = vec![false; sentence_count];
    let mut clause_counts: (u32, usize, usize) = (u32::MAX, 0, 0);
    for (position, &token_index) in index.content.iter().enumerate() {
        let token = &analyzed.tokens[token_index];
        let sentence = token.sentence as usize;
        sentence_words[sentence] += 1;
        if token.clause != clause_counts.0 {
            clause_counts = (token.clause, 0, 0);
        }
        if alias_word[position] {
            clause_counts.2 += 1;
        } else {
            own_words[sentence] += 1;
            clause_counts.1 += 1;
        }
        if clause_counts.1 >= 2 && clause_counts.2 >= 1 {
            mixed_clause[sentence] = true;
        }
    }
    // A sentence said again adds nothing, not even as the explanation of a heading before it.
    // Asked only for the sentence after a short heading, so nothing is built per answer.
    let stems_of = |sentence: usize| {
        index
            .content
            .iter()
            .map(|&t| &analyzed.tokens[t])
            .filter(move |t| t.sentence as usize == sentence)
            .map(|t| &t.stem)
    };
    let repeated = |sentence: usize| {
        sentence_words[sentence] > 0
            && (0..sentence).any(|earlier| {
                sentence_words[earlier] == sentence_words[sentence]
                    && stems_of(earlier).eq(stems_of(sentence))
            })
    };
    let how_said = |sentence: u32| {
        let s = sentence as usize;
        let mut words = own_words[s];
        let mut mixed = mixed_clause[s];
        let mut states = statements.states(sentence);
        // A short heading ("▪️ Взрывающийся градиент.") is explained by the sentence after it,
        // when that one is on the subject (names a rubric term): an unrelated sentence next to
        // a bare term explains nothing.
        if sentence_words[s] <= 4
            && s + 1 < sentence_count
            && sentence_words[s + 1] > own_words[s + 1]
            && !repeated(s + 1)
        {
            words += own_words[s + 1];
            mixed |= mixed_clause[s + 1];
            states |= statements.states(sentence + 1);
        }
        if statements.is_list(sentence) {
            FoundBy::Listed
        } else if states && (words >= settings.explanation_min_words || mixed) {
            FoundBy::Term
        } else {
            FoundBy::Bare
        }
    };

    for (i, concept_hits) in hits.into_iter().enumerate() {
        found[i].alias = concept_hits
            .into_iter()
            .map(|o| {
                let how = how_said(o.sentence);
                (o, how)
            })
            .max_by_key(|(o, how)| (rank(*how), std::cmp::Reverse(o.first_token)));
        for cue in &compiled.concept_cues[i] {
            match cue.find(index, settings, settings.cue_window) {
                Some(hit) if hit.negated => found[i].denied = true,
                // A cue's words in a list of terms state nothing.
                Some(hit) if !statements.states(hit.sentence) => {}
                Some(hit) if found[i].cue.is_none() => found[i].cue = Some(hit),
                _ => {}
            }
        }
    }
    found
}

/// Does a negated occurrence of an alias deny its concept? A one-word alias is a weak witness:
/// a negated one-word alias ("не случайно") found without its negation is too common a word
/// to deny anything ("маловероятно случайно"), and a one-word alias denies only in its own
/// word, not in a derived form or a typo that is enough to credit it ("не трогал бы параметры
/// нормировки" says nothing of whether the gradient "нормируется").
fn denies(
    compiled: &CompiledRubric,
    index: &AnswerIndex,
    phrase: &Phrase,
    occurrence: &Occurrence,
) -> bool {
    let [term] = phrase.terms[..] else {
        return true;
    };
    let written = &index.analyzed.tokens[occurrence.first_token];
    !phrase.negated && *written.stem == *compiled.vocabulary.terms[term].stem
}

/// The rubric's misconceptions that the answer states.
pub fn misconceptions(
    compiled: &CompiledRubric,
    index: &AnswerIndex,
    settings: &GradeSettings,
) -> Vec<StatedWrong> {
    let mut out = Vec::new();
    for (i, phrases) in compiled.misconception_phrases.iter().enumerate() {
        let by_phrase = phrases.iter().find_map(|phrase| {
            index
                // A wrong statement is one clause: "MSE штрафует квадратично, а MAE линейно"
                // holds the words of "MSE штрафует линейно" across its two clauses.
                .find_in_statements(phrase, settings)
                .into_iter()
                .find(|o| {
                    phrase.holds_at(o)
                        && !quoted_or_supposed(index, o.first_token, o.last_token)
                        && o.positions
                            .iter()
                            .all(|&p| index.spelled_as(p, phrase, &compiled.vocabulary, settings))
                        && !turned_aside(
                            index,
                            &o.positions,
                            (o.first_token, o.last_token),
                            &phrase.text,
                        )
                })
                .map(|o| (o.first_token, o.last_token))
        });
        let found = by_phrase.or_else(|| {
            compiled.misconception_cues[i].iter().find_map(|cue| {
                stated_by_cue(cue, index, &compiled.vocabulary, settings)
                    .filter(|hit| !said_of_nearer_subject(compiled, index, hit, settings))
                    .map(|hit| (hit.first_token, hit.last_token))
            })
        });
        if let Some((first, last)) = found {
            let m = &compiled.rubric.misconceptions[i];
            let found = FoundMisconception {
                id: m.id.clone(),
                label: m.label.clone(),
                label_en: m.label_en.clone(),
                penalty: m.penalty.max(0.0),
                explanation: m.explanation.clone(),
                explanation_en: m.explanation_en.clone(),
                evidence: span(index.analyzed, first, last),
            };
            out.push(StatedWrong::new(found, index.analyzed, first));
        }
    }
    out
}

/// Per concept: does a misconception the answer states contradict it?
pub fn contradicted_concepts(compiled: &CompiledRubric, found: &[StatedWrong]) -> Vec<bool> {
    let rubric = &compiled.rubric;
    let mut out = vec![false; rubric.concepts.len()];
    for stated in found.iter().map(|s| &s.found) {
        let Some(misconception) = rubric.misconceptions.iter().find(|m| m.id == stated.id) else {
            continue;
        };
        for id in &misconception.contradicts {
            if let Some(i) = rubric.concepts.iter().position(|c| &c.id == id) {
                out[i] = true;
            }
        }
    }
    out
}

/// Where a misconception's cue states its wrong claim as the candidate's own: in one
/// statement, in the cue's words as written (not a typo away from them), not negated, not
/// turned around by "менее/less", not quoted, supposed or called a mistake. `rubric check`
/// asks the same of the reference answer.
pub(crate) fn stated_by_cue(
    cue: &CompiledCue,
    index: &AnswerIndex,
    vocabulary: &Vocabulary,
    settings: &GradeSettings,
) -> Option<CueHit> {
    cue.find_in_statement(index, settings, settings.misconception_cue_window)
        .or_else(|| {
            cue.find_with_subject_before(index, settings, settings.misconception_cue_window)
        })
        .filter(|hit| {
            !hit.negated
                && cue.spelled_out(hit, index, vocabulary, settings)
                && !inverted(index, hit)
                && !turned_aside(
                    index,
                    &hit.positions,
                    (hit.first_token, hit.last_token),
                    &cue.text,
                )
                && !directions_cross(index, hit)
                && !quoted_or_supposed(index, hit.first_token, hit.last_token)
        })
}

/// Words that turn a gradable word around: "менее шумный" says the opposite of "шумный".
const INVERTERS: &[&str] = &["менее", "наименее", "less", "least", "fewer"];

/// Does an inverter stand right before a word the cue matched (and is not itself matched)?
/// A cue "большой батч + шумный" must not read "большой батч даёт менее шумный градиент".
fn inverted(index: &AnswerIndex, hit: &CueHit) -> bool {
    let tokens = &index.analyzed.tokens;
    let matched = matched_tokens(index, &hit.positions);
    matched.iter().any(|&t| {
        t > 0 && !matched.contains(&(t - 1)) && INVERTERS.contains(&tokens[t - 1].word.as_str())
    })
}

/// Beginnings of words that say a property is broken or lost, or a thing removed: "тренд
/// нарушает стационарность", "trend breaks stationarity" and "к стационарному виду приводят,
/// удаляя тренд" deny that a trending series is stationary.
const PRIVATIVES: &[&str] = &[
    "наруш",
    "разруш",
    "теря",
    "потер",
    "утрач",
    "ломает",
    "ломают",
    "ломается",
    "слома",
    "убива",
    "лиша",
    "удал",
    "устран",
    "вычита",
    "меша",
    "препятств",
    "break",
    "broke",
    "violat",
    "destroy",
    "lose",
    "losing",
    "lost",
    "kill",
    "remov",
    "eliminat",
    "subtract",
    "prevent",
    "hinder",
    // "speeds nothing up".
    "nothing",
];

/// Is a misconception's phrase or cue, matched at `positions` over `span`, turned around by a
/// word of loss or removal ([`privated`]) or said of the side a comparison sets aside
/// ([`subject_contrasted`])? `own_text` is the phrase or cue as written.
fn turned_aside(
    index: &AnswerIndex,
    positions: &[usize],
    span: (usize, usize),
    own_text: &str,
) -> bool {
    privated(index, positions, span, own_text) || subject_contrasted(index, positions)
}

/// Does a word of loss or violation stand in the statement of a cue or phrase, from its first
/// matched word to just after its last (and is not itself matched)? "При наличии тренда
/// стационарность теряется" does not say a trending series is stationary. A cue that is itself
/// about removing ("duplicated + удаляет + дубликаты") is not turned around by such words.
fn privated(
    index: &AnswerIndex,
    positions: &[usize],
    (first, last): (usize, usize),
    own_text: &str,
) -> bool {
    let tokens = &index.analyzed.tokens;
    let matched = matched_tokens(index, positions);
    let clause = tokens[last].clause;
    let after = (last + 1..tokens.len())
        .take_while(|&t| tokens[t].clause == clause)
        .take(2);
    // Or just before the first matched word, governing it: "после вычитания тренда ряд
    // становится стационарным", "removing the trend makes it stationary".
    let before =
        (first.saturating_sub(2)..first).filter(|&t| tokens[t].clause == tokens[first].clause);
    let own_word_opens = |prefix: &str| {
        own_text
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w.to_lowercase().starts_with(prefix))
    };
    before
        .chain(first..=last)
        .chain(after)
        .filter(|t| !matched.contains(t))
        .any(|t| {
            let word = tokens[t].word.as_str();
            PRIVATIVES
                .iter()
                .any(|p| word.starts_with(p) && !own_word_opens(p))
        })
}

/// Does the opposite of a direction word the cue matched stand, unmatched, among the words it
/// matched or just after them in the clause? Then the statement moves two quantities two ways,
/// and the cue's words are not one claim: "с ростом сложности bias падает variance растёт"
/// says neither that bias grows nor that variance falls.
fn directions_cross(index: &AnswerIndex, hit: &CueHit) -> bool {
    use super::claims::{DOWN_WORDS, UP_WORDS};
    let tokens = &index.analyzed.tokens;
    let matched = matched_tokens(index, &hit.positions);
    let lo = matched.iter().copied().min().unwrap_or(hit.first_token);
    let hi = matched.iter().copied().max().unwrap_or(hit.last_token);
    let direction = |t: usize| {
        let word = tokens[t].word.as_str();
        if UP_WORDS.contains(&word) {
            Some(true)
        } else if DOWN_WORDS.contains(&word) {
            Some(false)
        } else {
            None
        }
    };
    // A subject matched last may have its own verb right after it: "bias падает variance
    // растёт" gives "падает" to bias, not to variance.
    let clause = tokens[hi].clause;
    let reach = if direction(hi).is_some() { 0 } else { 2 };
    let after = (hi + 1..tokens.len())
        .take_while(|&t| tokens[t].clause == clause)
        .take(reach);
    matched.iter().filter_map(|&t| direction(t)).any(|up| {
        (lo..=hi)
            .chain(after.clone())
            .filter(|t| !matched.contains(t))
            .any(|t| direction(t) == Some(!up))
    })
}

/// Is what the cue's later words say given to a nearer contrasted subject than its first word
/// (its subject, by the convention of cues)? "MSE чувствительна к выбросам, а MAE устойчива"
/// does not call MSE robust.
fn said_of_nearer_subject(
    compiled: &CompiledRubric,
    index: &AnswerIndex,
    hit: &CueHit,
    settings: &GradeSettings,
) -> bool {
    let Some(subject) = subject_token(index, &hit.positions) else {
        return false;
    };
    let last = matched_tokens(index, &hit.positions)
        .into_iter()
        .max()
        .unwrap_or(subject);
    compiled
        .binding
        .nearer_subject_between(index, settings, subject, last)
}

/// Does a marker of the side a comparison sets aside stand just before the cue's subject, in
/// its clause? "вместо beam search используют случайное сэмплирование" says nothing random of
/// beam search.
fn subject_contrasted(index: &AnswerIndex, positions: &[usize]) -> bool {
    subject_token(index, positions).is_some_and(|subject| {
        index
            .analyzed
            .preceded_in_clause(subject, 3, REPLACED_SIDE_MARKERS)
            // "медиана (устойчивее среднего к выбросам)": the subject right after a Russian
            // comparative is what the comparison is made against.
            || index.analyzed.preceded_in_clause(subject, 1, COMPARATIVES)
    })
}

/// The token of the first word a cue or phrase matched at `positions`: its subject, by the
/// convention of cues and phrases ("subject + property").
fn subject_token(index: &AnswerIndex, positions: &[usize]) -> Option<usize> {
    positions.first().map(|&p| index.content[p])
}

/// The tokens of the content positions a match took.
fn matched_tokens(index: &AnswerIndex, positions: &[usize]) -> Positions {
    positions.iter().map(|&p| index.content[p]).collect()
}

/// Is the statement from `first` to `last` not the candidate's own claim: quoted («…» —
/// неверно), supposed ("если заполнить нулями, …"), or named as a mistake ("Главная ошибка — считать расстояния на
/// t-SNE реальными", "…, — это миф")?
fn quoted_or_supposed(index: &AnswerIndex, first: usize, last: usize) -> bool {
    let tokens = &index.analyzed.tokens;
    if tokens[first..=last].iter().all(|t| t.quoted) {
        return true;
    }
    let clause = tokens[first].clause;
    let supposed = tokens[..first]
        .iter()
        .rev()
        .take_while(|t| t.clause == clause)
        .any(|t| matches!(t.word.as_str(), "если" | "if"));
    supposed || disclaimed(index, first, last)
}

/// Words that call what the sentence says a mistake, wherever they stand in it.
const DISCLAIMERS: &[&str] = &[
    "ошибочно",
    "неверно",
    "неправильно",
    "миф",
    "мифом",
    "заблуждение",
    "заблуждением",
    "myth",
    "misconception",
    "wrongly",
    "incorrectly",
];

/// Adjectives that make "ошибка" / "mistake" a name for a mistake rather than a term
/// ("ошибка первого рода" is a term; "частая ошибка" introduces a mistake).
const MISTAKE_ADJECTIVES: &[&str] = &[
    "главная",
    "частая",
    "типичная",
    "распространенная",
    "классическая",
    "основная",
    "обычная",
    "популярная",
    "common",
    "usual",
    "frequent",
    "typical",
    "classic",
    "main",
];

/// Does the sentence of a statement call it a mistake?
fn disclaimed(index: &AnswerIndex, first: usize, last: usize) -> bool {
    let tokens = &index.analyzed.tokens;
    let sentence = tokens[first].sentence;
    let start = (0..first)
        .rev()
        .take_while(|&i| tokens[i].sentence == sentence)
        .last()
        .unwrap_or(first);
    let end = (last..tokens.len())
        .take_while(|&i| tokens[i].sentence == sentence)
        .last()
        .unwrap_or(last);
    let named_a_mistake = (start..=end).filter(|&i| i < first || i > last).any(|i| {
        let word = tokens[i].word.as_str();
        DISCLAIMERS.contains(&word)
            || (MISTAKE_ADJECTIVES.contains(&word)
                && tokens.get(i + 1).is_some_and(|next| {
                    matches!(next.word.as_str(), "ошибка" | "mistake" | "error")
                }))
    });
    named_a_mistake || others_believe(tokens, start, first) || refuted_after(tokens, last, end)
}

/// Verbs that report what other people believe: "многие думают, что …", "новички путают …".
/// Plural forms only: "я думаю, что …" is the candidate's own claim.
const BELIEF_VERBS: &[&str] = &[
    "думают",
    "считают",
    "полагают",
    "верят",
    "путают",
    "говорят",
    "утверждают",
    "заблуждаются",
];

/// Verbs that report a belief whose holder must be named as someone else ("новичкам кажется",
/// "many people think"): on its own, "кажется" or "I think" hedges the candidate's own claim.
const HELD_BELIEF_VERBS: &[&str] = &[
    "кажется",
    "think",
    "believe",
    "assume",
    "confuse",
    "claim",
    "say",
];

/// Words that name other people as a belief's holders.
const OTHERS: &[&str] = &[
    "многие",
    "многим",
    "некоторые",
    "некоторым",
    "новички",
    "новичкам",
    "новичков",
    "джуны",
    "джунам",
    "люди",
    "людям",
    "many",
    "some",
    "people",
    "beginners",
    "newcomers",
    "juniors",
];

/// Words that turn from a belief reported to the candidate's own claim: "многие думают, что …,
/// но на самом деле …".
const TURNS: &[&str] = &[
    "но",
    "однако",
    "а",
    "хотя",
    "самом",
    "but",
    "however",
    "actually",
];

/// Is the statement starting at `first` a belief the sentence (from `start`) ascribes to other
/// people, with no turn to the candidate's own view in between?
fn others_believe(tokens: &[Token], start: usize, first: usize) -> bool {
    let before = &tokens[start..first];
    let Some(verb) = before.iter().rposition(|t| {
        let word = t.word.as_str();
        BELIEF_VERBS.contains(&word)
            || (HELD_BELIEF_VERBS.contains(&word)
                && before.iter().any(|o| OTHERS.contains(&o.word.as_str())))
    }) else {
        return false;
    };
    let between = &before[verb + 1..];
    // A Russian verb of belief takes what is believed as a clause: "думают, что …", "кажется,
    // будто …"; "наоборот, чем обычно думают: …" reports no belief. Confusing takes an object.
    let takes_clause = before[verb].script == Script::Cyrillic && before[verb].word != "путают";
    (!takes_clause
        || between
            .iter()
            .any(|t| matches!(t.word.as_str(), "что" | "будто")))
        && !between.iter().any(|t| TURNS.contains(&t.word.as_str()))
}

/// Does the sentence go on, after the statement ending at `last`, to deny it: "…, — это не
/// так", "that is not true", "not the case"?
fn refuted_after(tokens: &[Token], last: usize, end: usize) -> bool {
    let after = &tokens[last + 1..=end];
    after.windows(3).any(|w| {
        let words = [w[0].word.as_str(), w[1].word.as_str(), w[2].word.as_str()];
        let clause_ends_after = |i: usize| {
            let at = last + 1 + i;
            at == end || tokens[at + 1].clause != tokens[at].clause
        };
        match words {
            ["это", "не", "так"] => clause_ends_after(2),
            ["так", "делать", "нельзя"] => true,
            ["is", "not", "true"] | ["not", "the", "case"] => true,
            _ => false,
        }
    }) || after.windows(2).any(|w| {
        // "…; так нельзя".
        matches!(
            (w[0].word.as_str(), w[1].word.as_str()),
            ("isnt", "true") | ("так", "нельзя")
        )
    }) || after
        .iter()
        .any(|t| matches!(t.word.as_str(), "неправда" | "untrue"))
}
