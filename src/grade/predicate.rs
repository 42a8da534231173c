//! Does a clause say something, or only name things?
//!
//! A keyword list ("bias, variance, шум, переобучение") names the right terms without any
//! predicate linking them; an explanation has verbs, copulas ("это", "is"), modal words
//! ("нужно", "can") or subordinate clauses ("потому что", "which"). This module tells the two
//! apart clause by clause, and marks sentences that are lists of terms.

use super::text::{Analyzed, Script, Token};

/// Words that make a clause a statement whatever else it holds.
const PREDICATE_WORDS: &[&str] = &[
    // Russian copulas, modal and predicative words, subordinators.
    "это",
    "есть",
    "является",
    "являются",
    "был",
    "была",
    "было",
    "были",
    "будет",
    "будут",
    "можно",
    "нужно",
    "надо",
    "нельзя",
    "должен",
    "должна",
    "должно",
    "должны",
    "стоит",
    "важно",
    "обязательно",
    "необходимо",
    "нужен",
    "нужна",
    "нужны",
    // Short adjectives are predicates ("валидация по времени не обязательна").
    "обязателен",
    "обязательна",
    "обязательны",
    "важен",
    "важна",
    "важны",
    "необходим",
    "необходима",
    "необходимы",
    "полезен",
    "полезна",
    "полезно",
    "полезны",
    "вреден",
    "вредна",
    "вредно",
    "вредны",
    "известен",
    "известна",
    "известно",
    "известны",
    "доступен",
    "доступна",
    "доступны",
    "устойчив",
    "устойчива",
    "устойчивы",
    "чувствителен",
    "чувствительна",
    "чувствительны",
    "инвариантен",
    "инвариантна",
    "инвариантны",
    "связан",
    "связана",
    "связаны",
    "основан",
    "основана",
    "основаны",
    "применим",
    "применима",
    "применимы",
    "эффективен",
    "эффективна",
    "эффективны",
    "похож",
    "похожа",
    "похожи",
    "склонен",
    "склонна",
    "склонны",
    // Short verbs that the ending rules miss (they need five letters).
    "дает",
    "дают",
    "идет",
    "идут",
    "ведет",
    "ведут",
    "берет",
    "берут",
    "лучше",
    "хуже",
    "что",
    "чтобы",
    "потому",
    "поэтому",
    "если",
    "когда",
    "который",
    "которая",
    "которое",
    "которые",
    "которых",
    "которым",
    "которой",
    "пока",
    "чем",
    "значит",
    "т.е",
    "иначе",
    "тогда",
    "так",
    "как",
    // English auxiliaries, copulas, modals, subordinators.
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "has",
    "have",
    "had",
    "does",
    "do",
    "did",
    "can",
    "could",
    "will",
    "would",
    "should",
    "may",
    "might",
    "must",
    "that",
    "which",
    "because",
    "so",
    "when",
    "if",
    "while",
    "than",
    "since",
    "whereas",
    "thus",
    "therefore",
    "hence",
    "isnt",
    "arent",
    "doesnt",
    "dont",
    "cant",
    "wont",
];

/// English verbs in the forms that carry a clause ("reduces", "learns").
const ENGLISH_VERBS: &[&str] = &[
    "reduces",
    "increases",
    "decreases",
    "lowers",
    "raises",
    "grows",
    "drops",
    "removes",
    "adds",
    "keeps",
    "makes",
    "takes",
    "gives",
    "helps",
    "allows",
    "lets",
    "uses",
    "needs",
    "learns",
    "trains",
    "fits",
    "predicts",
    "computes",
    "measures",
    "depends",
    "works",
    "tends",
    "means",
    "shows",
    "avoids",
    "prevents",
    "causes",
    "leads",
    "becomes",
    "stays",
    "remains",
    "combines",
    "averages",
    "builds",
    "corrects",
    "splits",
    "picks",
    "chooses",
    "compares",
    "penalizes",
    "penalises",
    "shrinks",
    "pushes",
    "forces",
    "stops",
    "assumes",
    "requires",
    "handles",
    "ignores",
    "treats",
    "applies",
    "estimates",
    "converges",
    "explodes",
    "vanishes",
    "overfits",
    "underfits",
    "memorizes",
    "generalizes",
    "generalises",
    "captures",
    "looks",
    "finds",
    "ranks",
    "returns",
    "produces",
    "creates",
    "selects",
    "samples",
    "updates",
    "multiplies",
    "divides",
    "scales",
    "normalizes",
    "normalises",
    "encodes",
    "maps",
    "replaces",
    "fills",
    "turns",
    "switches",
    "sees",
    "gets",
    "goes",
    "comes",
    "runs",
    "counts",
    "cuts",
    "zeroes",
    "reduce",
    "increase",
    "decrease",
    "lower",
    "raise",
    "grow",
    "remove",
    "add",
    "keep",
    "make",
    "take",
    "give",
    "help",
    "allow",
    "let",
    "use",
    "need",
    "learn",
    "train",
    "fit",
    "predict",
    "compute",
    "measure",
    "depend",
    "work",
    "tend",
    "mean",
    "show",
    "avoid",
    "prevent",
    "cause",
    "lead",
    "become",
    "stay",
    "combine",
    "average",
    "build",
    "correct",
    "split",
    "pick",
    "choose",
    "compare",
    "penalize",
    "shrink",
    "push",
    "force",
    "stop",
    "assume",
    "require",
    "handle",
    "ignore",
    "treat",
    "apply",
    "estimate",
    "converge",
    "explode",
    "vanish",
    "capture",
    "find",
    "rank",
    "return",
    "produce",
    "create",
    "select",
    "update",
    "scale",
    "encode",
    "replace",
    "fill",
    "turn",
    "switch",
    "see",
    "get",
    "count",
    "cut",
    "check",
    "look",
    "try",
    "want",
    "solve",
    "handle",
    "lose",
    "lost",
    "set",
    "put",
];

/// Russian nouns with a verb-like ending ("результат", "бюджет"), which are not predicates.
const RUSSIAN_NOUNS_LIKE_VERBS: &[&str] = &[
    "результат",
    "формат",
    "квадрат",
    "кандидат",
    "аппарат",
    "агрегат",
    "бюджет",
    "ответ",
    "совет",
    "пакет",
    "предмет",
    "скелет",
    "портрет",
    "датасет",
    "сет",
    "кредит",
    "лимит",
    "сплит",
    "депозит",
    "алфавит",
    "атрибут",
    "институт",
    "маршрут",
    "компьют",
    "трафик",
];

/// Endings of Russian finite verbs and infinitives: present tense, reflexive forms and
/// infinitives. Past-tense endings are left out: too many nouns end in "-ала", "-ило", "-ели"
/// ("шкала", "правило", "модели").
const RUSSIAN_VERB_ENDINGS: &[&str] = &[
    "ется", "ются", "ится", "ятся", "ает", "яет", "еет", "ует", "ают", "яют", "еют", "уют", "ит",
    "ят", "ат", "ут", "ет", "ют", "ать", "ять", "ить", "еть", "уть", "ыть", "ться", "ешь", "ишь",
    "лся", "лась", "лось",
    "лись", // first person plural: "считаем", "фиксируем"
    "аем", "яем", "уем", "еем", // participles: "вытекающая", "обучаемый"
    "ющий", "ющая", "ющее", "ющие", "ющих", "ящий", "ящая", "ящее", "ящие", "ащий", "ащая", "ащие",
    "вший", "вшая", "вшее", "вшие", "емый", "емая", "емое", "емые", "имый", "имая", "имое", "имые",
];

/// Nouns that end like a past-tense verb ("модели", "сигнал", "правило").
const RUSSIAN_NOUNS_LIKE_PAST: &[&str] = &[
    "модели",
    "цели",
    "недели",
    "детали",
    "правило",
    "правила",
    "начало",
    "начала",
    "сигнал",
    "сигнала",
    "интервал",
    "интервала",
    "канал",
    "канала",
    "материал",
    "потенциал",
    "капитал",
    "шкала",
    "шкалы",
    "идеал",
    "минимал",
    "формула",
    "формулы",
    "файлы",
    "стили",
    "глубокие",
];

/// Past tense ("поехало", "стал", "выросли"): a vowel before the final "л", "ла", "ло", "ли".
fn past_tense(word: &str) -> bool {
    let stem = ["ла", "ло", "ли", "л"]
        .iter()
        .find_map(|e| word.strip_suffix(e));
    let Some(stem) = stem else { return false };
    // Plural agent nouns in "-тели" ("пользователи", "показатели", "родители") end like a
    // past tense; no verb ends in "-атели", "-ители" or "-ятели".
    if ["атели", "ители", "ятели"]
        .iter()
        .any(|e| word.ends_with(e))
    {
        return false;
    }
    matches!(
        stem.chars().last(),
        Some('а' | 'я' | 'е' | 'и' | 'ы' | 'у' | 'о')
    ) && !RUSSIAN_NOUNS_LIKE_PAST.contains(&word)
}

/// First person plural in "-им" ("делим", "строим"), told from adjectives ("глубоким",
/// "последним") by the letter before the ending.
fn first_person_in_im(word: &str) -> bool {
    let Some(stem) = word.strip_suffix("им") else {
        return false;
    };
    matches!(
        stem.chars().last(),
        Some('л' | 'р' | 'т' | 'д' | 'в' | 'б' | 'з' | 'с' | 'м' | 'п' | 'о')
    )
}

/// First person singular, as a candidate tells what they do ("исправляю", "проверяю",
/// "фиксирую", "использую"); not "-ую" in general, which ends adjectives ("каждую", "новую").
fn first_person_singular(word: &str) -> bool {
    ["аю", "яю", "ирую", "пользую"]
        .iter()
        .any(|ending| word.ends_with(ending))
}

/// A clause without a predicate of at most this many words reads as an item of a list.
const LIST_ITEM_WORDS: usize = 3;
/// Words in a clause that opens a sentence with a statement and so introduces its list.
const LEAD_IN_WORDS: usize = 3;

/// Words that are a negated predicate on their own: "проверять необязательно".
const NEGATIVE_PREDICATIVES: &[&str] = &[
    "нельзя",
    "необязательно",
    "ненужно",
    "бесполезно",
    "бессмысленно",
    "незачем",
    "неважно",
    "unnecessary",
    "pointless",
    "useless",
    "needless",
];

/// Is this word a negated predicate by itself ("бессмысленно", "unnecessary")? Known with
/// the word's other facts when a text is analysed (see [`negative_predicative_word`]).
pub fn is_negative_predicative(token: &Token) -> bool {
    token.is_negative_predicative
}

/// [`is_negative_predicative`] of a normalised word, worked out once per distinct word.
pub fn negative_predicative_word(word: &str) -> bool {
    NEGATIVE_PREDICATIVES.contains(&word)
}

/// Is this word an infinitive ("обучать", "учиться")? English has no marked form.
pub fn is_infinitive(token: &Token) -> bool {
    token.script == Script::Cyrillic
        && ["ть", "ться", "ти", "чь"]
            .iter()
            .any(|e| token.word.ends_with(e))
}

/// Is this word a predicate, or a word that only occurs in statements? Worked out once per
/// distinct word when a text is analysed (see [`predicate_word`]).
pub fn is_predicate_word(token: &Token) -> bool {
    token.is_predicate
}

/// The person of a Russian verb in the present or simple future, read from its ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Person {
    FirstSingular,
    FirstPlural,
    Second,
    ThirdSingular,
    ThirdPlural,
}

impl Person {
    /// The person of a finite Russian verb form (`word` a predicate, lowercase); `None` for
    /// anything else, and for reflexive forms, whose subject may be the verb's object
    /// ("dropout выключается").
    pub fn of(word: &str) -> Option<Person> {
        if word.ends_with("ся") || word.ends_with("сь") || word.chars().count() < 4 {
            return None;
        }
        const ENDINGS: [(&str, Person); 14] = [
            ("ешь", Person::Second),
            ("ишь", Person::Second),
            ("ете", Person::Second),
            ("ите", Person::Second),
            ("ем", Person::FirstPlural),
            ("им", Person::FirstPlural),
            ("ет", Person::ThirdSingular),
            ("ит", Person::ThirdSingular),
            ("ют", Person::ThirdPlural),
            ("ут", Person::ThirdPlural),
            ("ят", Person::ThirdPlural),
            ("ат", Person::ThirdPlural),
            ("ю", Person::FirstSingular),
            ("у", Person::FirstSingular),
        ];
        ENDINGS
            .iter()
            .find(|(ending, _)| word.ends_with(ending))
            .map(|&(_, person)| person)
    }

    /// Can a verb said in person `said` state what the verb written in person `written` does?
    /// A verb in the third person singular has a named subject ("EXPLAIN строит индекс"): the
    /// speaker's own verb ("индексы строю … через EXPLAIN", "строим") has another. The number
    /// of the third person follows its subject ("повороты подходят"), and a procedure reads
    /// the same said by anyone ("относим", "относят", "отношу").
    pub fn agrees(written: Option<Person>, said: Option<Person>) -> bool {
        written != Some(Person::ThirdSingular)
            || !matches!(
                said,
                Some(Person::FirstSingular | Person::FirstPlural | Person::Second)
            )
    }
}

/// [`is_predicate_word`] of a word in its own script: it depends on the word alone.
pub(crate) fn predicate_word(word: &str, script: Script) -> bool {
    use std::sync::OnceLock;
    static WORDS: OnceLock<rustc_hash::FxHashSet<&'static str>> = OnceLock::new();
    static VERBS: OnceLock<rustc_hash::FxHashSet<&'static str>> = OnceLock::new();
    static NOUNS: OnceLock<rustc_hash::FxHashSet<&'static str>> = OnceLock::new();
    if WORDS
        .get_or_init(|| super::text::word_set(PREDICATE_WORDS))
        .contains(word)
    {
        return true;
    }
    match script {
        Script::Latin => {
            VERBS
                .get_or_init(|| super::text::word_set(ENGLISH_VERBS))
                .contains(word)
                || (word.len() >= 5 && word.ends_with("ed"))
        }
        Script::Cyrillic => {
            let letters = word.chars().count();
            if letters < 5
                || NOUNS
                    .get_or_init(|| super::text::word_set(RUSSIAN_NOUNS_LIKE_VERBS))
                    .contains(word)
            {
                return false;
            }
            // Comparatives as predicates: "стабильнее", "быстрее"; not the adverbs that only
            // look like one ("заранее", and "наиболее" of a superlative).
            if letters >= 7 && word.ends_with("ее") {
                return !matches!(word, "заранее" | "наиболее" | "наименее");
            }
            RUSSIAN_VERB_ENDINGS.iter().any(|e| word.ends_with(e))
                || first_person_in_im(word)
                || first_person_singular(word)
                || past_tense(word)
        }
        Script::Other => false,
    }
}

/// What the analysis says about each clause and sentence of an answer.
#[derive(Debug, Clone, Default)]
pub struct Statements {
    /// Per clause: it has a predicate.
    pub clause_predicate: Vec<bool>,
    /// Per sentence: it is a list of terms (three or more short clauses without a predicate,
    /// and at most one with a predicate for four such items).
    pub list_sentence: Vec<bool>,
    /// Per sentence: some clause of it has a predicate.
    pub sentence_predicate: Vec<bool>,
}

impl Statements {
    pub fn of(analyzed: &Analyzed) -> Statements {
        let Some(last) = analyzed.tokens.last() else {
            return Statements::default();
        };
        let clauses = last.clause as usize + 1;
        let sentences = last.sentence as usize + 1;
        let mut clause_predicate = vec![false; clauses];
        let mut clause_words = vec![0usize; clauses];
        let mut clause_sentence = vec![0usize; clauses];
        let mut defined = vec![false; clauses];
        let mut clause_content = vec![0usize; clauses];
        for token in &analyzed.tokens {
            let c = token.clause as usize;
            clause_sentence[c] = token.sentence as usize;
            clause_words[c] += 1;
            clause_content[c] += usize::from(!token.is_stop);
            defined[c] |= token.after_dash;
            if is_predicate_word(token) {
                clause_predicate[c] = true;
            }
        }
        // "X — Y" is a Russian definition: the part after the dash states what X is, when it
        // is more than a name ("Peeking — многократная проверка значимости").
        for c in 0..clauses {
            if defined[c] && clause_words[c] >= 3 {
                clause_predicate[c] = true;
            }
        }
        let mut sentence_predicate = vec![false; sentences];
        let mut items = vec![0usize; sentences];
        let mut stated = vec![0usize; sentences];
        // A sentence that opens with a statement and then enumerates ("Аугментации —
        // случайные преобразования, сохраняющие метку: геометрические (flip, crop), …")
        // introduces its list: the items are examples of what it said, not a keyword list.
        let mut introduced = vec![None::<bool>; sentences];
        for c in 0..clauses {
            if clause_content[c] == 0 {
                continue;
            }
            let s = clause_sentence[c];
            // "Аугментации — …": the name before a definition's dash is its subject; a clause
            // with its own predicate before a dash ("переносит на новые ряды — стандарт") is a
            // statement.
            let defines = !clause_predicate[c]
                && c + 1 < clauses
                && defined[c + 1]
                && clause_sentence[c + 1] == s;
            if defines {
                continue;
            }
            if introduced[s].is_none() {
                let opens = clause_predicate[c] && clause_words[c] >= LEAD_IN_WORDS;
                // "Аугментация — случайные преобразования, сохраняющие метку (flip, crop, …)":
                // a short definition qualified after its comma opens with a statement too.
                let qualified = defined[c]
                    && c + 1 < clauses
                    && clause_sentence[c + 1] == s
                    && clause_predicate[c + 1]
                    && clause_words[c] + clause_words[c + 1] >= LEAD_IN_WORDS;
                introduced[s] = Some(opens || qualified);
            }
            if clause_predicate[c] {
                sentence_predicate[s] = true;
                stated[s] += 1;
            } else if clause_words[c] <= LIST_ITEM_WORDS {
                items[s] += 1;
            }
        }
        let list_sentence = (0..sentences)
            .map(|s| items[s] >= 3 && stated[s] * 4 <= items[s] && introduced[s] != Some(true))
            .collect();
        Statements {
            clause_predicate,
            list_sentence,
            sentence_predicate,
        }
    }

    /// Is the sentence a statement rather than a list of names?
    pub fn states(&self, sentence: u32) -> bool {
        let s = sentence as usize;
        self.sentence_predicate.get(s).copied().unwrap_or(false)
            && !self.list_sentence.get(s).copied().unwrap_or(false)
    }

    /// Is the sentence a list of terms?
    pub fn is_list(&self, sentence: u32) -> bool {
        self.list_sentence
            .get(sentence as usize)
            .copied()
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::text::analyze;

    fn statements(text: &str) -> Statements {
        Statements::of(&analyze(text))
    }

    #[test]
    fn plural_agent_nouns_are_not_past_tense() {
        let predicate = |word: &str| predicate_word(word, Script::Cyrillic);
        for noun in ["пользователи", "показатели", "родители", "деятели"]
        {
            assert!(!predicate(noun), "{noun}");
        }
        for verb in ["хотели", "сделали", "обучили"] {
            assert!(predicate(verb), "{verb}");
        }
        // A list of names in which one is a plural agent noun is still a list.
        assert!(statements(
            "Temporal split, random split, leave-one-out, утечка, холодный старт, \
             валидационный период, baseline, взаимодействия, пользователи, айтемы."
        )
        .is_list(0));
    }

    #[test]
    fn identifiers_in_code_are_not_predicates() {
        let predicates = |text: &str| -> Vec<String> {
            analyze(text)
                .tokens
                .iter()
                .filter(|t| t.is_predicate)
                .map(|t| t.word.to_string())
                .collect()
        };
        assert!(predicates("HAVING COUNT(*) > 1").is_empty());
        assert!(predicates("ORDER BY updated_at").is_empty());
        assert!(predicates("drop_duplicates(keep='last')").is_empty());
        assert!(predicates("df.fit").is_empty());
        // The same words outside code are verbs.
        assert_eq!(
            predicates("the model counts and we keep it"),
            ["counts", "keep"]
        );
        assert!(statements(
            "GROUP BY, HAVING COUNT(*) > 1, DISTINCT, ROW_NUMBER, PARTITION BY, ORDER BY \
             updated_at, duplicated, drop_duplicates, keep='last', subset, бизнес-ключ, upsert."
        )
        .is_list(0));
    }

    #[test]
    fn adverbs_in_ee_are_not_comparatives() {
        let predicate = |word: &str| predicate_word(word, Script::Cyrillic);
        assert!(predicate("стабильнее"));
        assert!(predicate("быстрее"));
        for adverb in ["заранее", "наиболее", "наименее"] {
            assert!(!predicate(adverb), "{adverb}");
        }
        // Without a predicate, "наиболее важные метрики" states nothing.
        assert!(!statements("Наиболее важные метрики.").states(0));
    }

    #[test]
    fn a_list_of_terms_is_a_list_and_states_nothing() {
        let s =
            statements("Бэггинг, бустинг, бутстрэп, random forest, bias, variance, параллельно.");
        assert!(s.is_list(0));
        assert!(!s.states(0));
        let en = statements("bias, variance, bootstrap, weak learners, learning rate");
        assert!(en.is_list(0));
    }

    #[test]
    fn sentences_with_verbs_copulas_or_subordinators_state_something() {
        for text in [
            "Бэггинг снижает дисперсию за счёт усреднения.",
            "Dropout — это регуляризация нейросети.",
            "Модели нужно обучать параллельно.",
            "Bagging reduces variance by averaging.",
            "Boosting is sequential: each model corrects the previous ones.",
            "Сеть, которая запоминает шум, плохо обобщает.",
        ] {
            let s = statements(text);
            assert!(s.states(0), "{text}");
            assert!(!s.is_list(0), "{text}");
        }
    }

    #[test]
    fn a_list_introduced_by_a_statement_is_not_a_keyword_list() {
        let s = statements(
            "Аугментации — случайные преобразования изображений, сохраняющие метку: \
             геометрические (flip, crop, rotation), цветовые (яркость, контраст, шум).",
        );
        assert!(!s.is_list(0));
        assert!(s.states(0));
        // A short definition qualified after its comma introduces it as well.
        let qualified = statements(
            "Аугментация — случайные преобразования, сохраняющие метку (flip, crop, повороты, \
             blur, Cutout, Mixup, RandAugment), снижающие переобучение.",
        );
        assert!(!qualified.is_list(0));
        assert!(qualified.states(0));
        // A definition followed by bare names is still a list.
        let bare = statements("Аугментация — преобразования, flip, crop, повороты, blur, шум.");
        assert!(bare.is_list(0));
        // A short label before the colon introduces nothing.
        let label = statements("Attention: encoder, decoder, softmax, веса, Bahdanau, Luong.");
        assert!(label.is_list(0));
    }

    #[test]
    fn a_statement_before_a_dash_is_not_the_name_it_defines() {
        // The clause before the dash says something: it is no definition's subject, and the
        // short clauses around it do not make the sentence a list.
        let s = statements(
            "глобальный бустинг на всех рядах с лагами, роллингами, календарем, ценой и промо \
             учится на общих паттернах, переносит на новые ряды — практический стандарт (m5).",
        );
        assert!(!s.is_list(0));
        assert!(s.states(0));
    }

    #[test]
    fn the_person_of_a_russian_verb_comes_from_its_ending() {
        assert_eq!(Person::of("строю"), Some(Person::FirstSingular));
        assert_eq!(Person::of("строим"), Some(Person::FirstPlural));
        assert_eq!(Person::of("строишь"), Some(Person::Second));
        assert_eq!(Person::of("строит"), Some(Person::ThirdSingular));
        assert_eq!(Person::of("строят"), Some(Person::ThirdPlural));
        assert!(!Person::agrees(Person::of("строит"), Person::of("строю")));
        assert!(Person::agrees(
            Person::of("подходит"),
            Person::of("подходят")
        ));
        assert!(Person::agrees(Person::of("относим"), Person::of("относят")));
        // Reflexive forms may have their object as subject; past forms say no person.
        assert_eq!(Person::of("строится"), None);
        assert_eq!(Person::of("строил"), None);
    }

    #[test]
    fn a_candidate_telling_what_they_do_states_it() {
        for text in [
            "Исправляю через negative sampling и IPS-коррекцию в обучении.",
            "Проверяю утечку, фиксирую seed и использую стратификацию.",
        ] {
            let s = statements(text);
            assert!(s.states(0), "{text}");
        }
        // Adjectives in "-ую" are no verbs.
        assert!(!statements("каждую неделю, новую выборку").states(0));
    }

    #[test]
    fn nouns_with_verb_endings_are_not_predicates() {
        let s = statements("результат, датасет, бюджет");
        assert!(!s.states(0));
    }

    #[test]
    fn one_explained_sentence_among_list_sentences_keeps_its_own_verdict() {
        let s = statements("Dropout, p, ансамбль, инференс. Dropout обнуляет нейроны на обучении.");
        assert!(s.is_list(0));
        assert!(s.states(1));
    }
}
