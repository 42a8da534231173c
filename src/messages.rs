//! Every message of the REPL, the session (with a model's notes) and the interview command in both interface
//! languages, in one catalogue: [`Msg::text`] picks the language. Messages with values in
//! them are format helpers next to it.

use crate::ui::Lang;

macro_rules! catalogue {
    ($($name:ident => ($ru:expr, $en:expr),)*) => {
        /// A message with a Russian and an English text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg {
            $($name,)*
        }

        impl Msg {
            /// Every message, for checks over the whole catalogue.
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)*];

            /// The message in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match self {
                    $(Msg::$name => lang.pick($ru, $en),)*
                }
            }
        }
    };
}

catalogue! {
    LlmNotUsed => (
        "LLM не использована, оценка по рубрике:",
        "The LLM was not used; graded with the keyword rubric:"
    ),
    InjectionNote => (
        "Ответ пытается давать указания оценщику; оценка не выше, чем по рубрике.",
        "The answer tries to instruct the grader; the score is no higher than the rubric's."
    ),
    InventedQuotesNote => (
        "Модель привела цитаты, которых нет в ответе; её оценка не выше рубрики.",
        "The model quoted words the answer does not contain; its score cannot raise the rubric's."
    ),
    HistoryBusyRetrying => (
        "База истории занята другой программой; повторяю запись…",
        "The history database is busy (another program holds it); retrying…"
    ),
    AdaptiveFromJunior => (
        "адаптивно, с junior",
        "adaptive, from junior"
    ),
    InterviewTitle => (
        "Собеседование",
        "Interview"
    ),
    SubmitHint => (
        "Пустая строка отправляет ответ; :help — команды.",
        "An empty line submits the answer; :help lists the commands."
    ),
    HintLabel => (
        "Подсказка:",
        "Hint:"
    ),
    NoMoreHints => (
        "Подсказок больше нет.",
        "No more hints."
    ),
    NoReferenceYet => (
        "Эталонный ответ показывается для уже оценённого вопроса.",
        "The reference answer is shown for a question already graded."
    ),
    AnswerLongerThan => (
        "Ответ длиннее",
        "The answer is longer than"
    ),
    AnswerNotGradedShorten => (
        "Он не оценён; сократите его и отправьте снова.",
        "It was not graded; shorten it and submit again."
    ),
    AnswerNotSaved => (
        "Ответ не сохранён в историю:",
        "The answer was not saved to history:"
    ),
    AnswerWillBeRetried => (
        "Попробую снова после следующего ответа и в конце; не сохранённое будет записано в отдельный файл.",
        "It will be retried after the next answer and at the end; what cannot be saved goes to a file of its own."
    ),
    QuestionTitle => (
        "Вопрос",
        "Question"
    ),
    Of => (
        "из",
        "of"
    ),
    ReferenceAnswer => (
        "Эталонный ответ",
        "Reference answer"
    ),
    CtrlCAgainEnds => (
        "Ctrl-C ещё раз или Ctrl-D — закончить собеседование.",
        "Ctrl-C again or Ctrl-D ends the interview."
    ),
    AnswerCancelled => (
        "Ответ отменён.",
        "Answer cancelled."
    ),
    UnknownCommand => (
        "Неизвестная команда",
        "Unknown command"
    ),
    DidYouMean => (
        "Может быть,",
        "Did you mean"
    ),
    HelpListsCommands => (
        " :help — список команд.",
        " :help lists them."
    ),
    TypeAnswerOrSkip => (
        "Напишите ответ (пустая строка отправляет его) или :skip.",
        "Type your answer (an empty line submits it) or :skip."
    ),
    QuestionSkipped => (
        "Вопрос пропущен (0).",
        "Question skipped (0)."
    ),
    ModelComment => (
        "Комментарий модели:",
        "Model's comment:"
    ),
    HintsUsed => (
        "Подсказок:",
        "Hints used:"
    ),
    TimeLabel => (
        "Время:",
        "Time:"
    ),
    LevelPrompt => (
        "Уровень (junior, middle, senior или adaptive) [junior]: ",
        "Level (junior, middle, senior or adaptive) [junior]: "
    ),
    NoSuchLevel => (
        "Нет такого уровня:",
        "No such level:"
    ),
    InterviewSummary => (
        "Итоги собеседования",
        "Interview summary"
    ),
    NoAnswers => (
        "Ответов нет.",
        "No answers."
    ),
    ColumnQuestion => (
        "вопрос",
        "question"
    ),
    ColumnLevel => (
        "уровень",
        "level"
    ),
    ColumnScore => (
        "оценка",
        "score"
    ),
    ColumnTime => (
        "время",
        "time"
    ),
    CellSkipped => (
        "пропуск",
        "skipped"
    ),
    MeanScore => (
        "Средняя оценка:",
        "Mean score:"
    ),
    ByLevel => (
        "По уровням:",
        "By level:"
    ),
    ByTopic => (
        "По темам:",
        "By topic:"
    ),
    EstimatedLevel => (
        "Оценка уровня:",
        "Estimated level:"
    ),
    PassedFrom => (
        "Уровень засчитывается от",
        "A level counts as passed from"
    ),
    CloseFrom => (
        "«близко» — от",
        "\"close\" from"
    ),
    WhatToRevise => (
        "Что повторить:",
        "What to revise:"
    ),
    NoHistoryYet => (
        "История пуста: начните собеседование командой sobes.",
        "No history yet: start an interview with sobes."
    ),
    ColumnStarted => (
        "начало",
        "started"
    ),
    ColumnAnswered => (
        "ответов",
        "answered"
    ),
    ColumnMean => (
        "средняя",
        "mean"
    ),
    ColumnState => (
        "состояние",
        "state"
    ),
    StateFinished => (
        "завершено",
        "finished"
    ),
    StateUnfinished => (
        "не завершено",
        "unfinished"
    ),
    SessionsLabel => (
        "Сессий:",
        "Sessions:"
    ),
    AnswersLabel => (
        "ответов:",
        "answers:"
    ),
    ColumnAnswers => (
        "ответов",
        "answers"
    ),
    ColumnFirst => (
        "сначала",
        "first"
    ),
    ColumnRecent => (
        "сейчас",
        "recent"
    ),
    ColumnEverySession => (
        "все сессии",
        "every session"
    ),
    ByLevelTitle => (
        "По уровням",
        "By level"
    ),
    ByTopicTitle => (
        "По темам",
        "By topic"
    ),
    LevelFromRecent => (
        "Уровень по последним ответам:",
        "Level from recent answers:"
    ),
    HelpIntro => (
        "Ответ можно писать в несколько строк; пустая строка отправляет его.\nКоманды:\n",
        "An answer may span several lines; an empty line submits it.\nCommands:\n"
    ),
    HelpCtrlC => (
        "Ctrl-C отменяет набранный ответ; Ctrl-C ещё раз или Ctrl-D — закончить.\n",
        "Ctrl-C cancels the answer being typed; Ctrl-C again or Ctrl-D ends the session.\n"
    ),
    SessionSaved => (
        "Сессия сохранена:",
        "Session saved:"
    ),
    ReportLabel => (
        "Отчёт:",
        "Report:"
    ),
    ReportNotWritten => (
        "отчёт не записан:",
        "the report was not written:"
    ),
    SessionNotMarkedFinished => (
        "ответы сохранены, но сессия не отмечена завершённой в",
        "the answers are saved, but the session could not be marked finished in"
    ),
    WebStartTitle => (
        "Тренировка собеседования",
        "Interview practice"
    ),
    WebLevel => (
        "Уровень",
        "Level"
    ),
    WebTopics => (
        "Темы (если ни одна не отмечена — все)",
        "Topics (none ticked: all of them)"
    ),
    WebCount => (
        "Сколько вопросов",
        "How many questions"
    ),
    WebLanguage => (
        "Язык",
        "Language"
    ),
    WebStart => (
        "Начать",
        "Start"
    ),
    WebYourAnswer => (
        "Ваш ответ",
        "Your answer"
    ),
    WebSubmit => (
        "Отправить ответ",
        "Submit the answer"
    ),
    WebHint => (
        "Подсказка",
        "Hint"
    ),
    WebSkip => (
        "Пропустить",
        "Skip"
    ),
    WebHints => (
        "Подсказки",
        "Hints"
    ),
    WebFeedback => (
        "Разбор ответа",
        "Feedback"
    ),
    WebNext => (
        "Следующий вопрос",
        "Next question"
    ),
    WebToSummary => (
        "К итогам",
        "To the summary"
    ),
    WebReport => (
        "Отчёт",
        "Report"
    ),
    WebHistory => (
        "История",
        "History"
    ),
    WebProgress => (
        "Прогресс",
        "Progress"
    ),
    WebNewSession => (
        "Новое собеседование",
        "New interview"
    ),
    WebHintPenalty => (
        "Снято за подсказки:",
        "Taken off for hints:"
    ),
    WebForbidden => (
        "Форма устарела или пришла не с этой страницы (проверка CSRF). Откройте страницу заново.",
        "The form is stale or did not come from this page (CSRF check). Open the page again."
    ),
    WebTokenNeeded => (
        "Нужен токен: откройте адрес с ?token=ТОКЕН, который напечатал сервер.",
        "A token is required: open the address with ?token=TOKEN, as the server printed it."
    ),
    WebUnknownSession => (
        "Такой сессии нет: сессии хранятся в памяти, пока работает сервер (ответы — в истории).",
        "No such session: sessions live in memory while the server runs (their answers are in history)."
    ),
    WebSessionOver => (
        "Собеседование закончено.",
        "The interview is over."
    ),
    WebNotFound => (
        "Такой страницы нет.",
        "No such page."
    ),
    WebBadInput => (
        "Запрос не принят:",
        "The request was refused:"
    ),
    WebNoSessions => (
        "Сессий пока нет.",
        "No sessions yet."
    ),
    WebQuit => (
        "Закончить",
        "Finish now"
    ),
}

/// "1 question", "5 вопросов".
pub fn questions_count(n: usize, lang: Lang) -> String {
    let word = match lang {
        Lang::En if n == 1 => "question",
        Lang::En => "questions",
        Lang::Ru => match (n % 10, n % 100) {
            (1, h) if h != 11 => "вопрос",
            (2..=4, h) if !(12..=14).contains(&h) => "вопроса",
            _ => "вопросов",
        },
    };
    format!("{n} {word}")
}

/// The note under a grade when the model and the rubric disagree widely.
pub fn disagreement(rubric: f64, model: f64, lang: Lang) -> String {
    match lang {
        Lang::Ru => {
            format!("Модель и рубрика сильно расходятся: рубрика {rubric:.0}, модель {model:.0}.")
        }
        Lang::En => format!(
            "The model and the rubric disagree a lot: rubric {rubric:.0}, model {model:.0}."
        ),
    }
}

/// Why a session ends with an error: `count` answers history did not take (`reason`), kept
/// in the file `kept_in`, unless writing it failed with `write_error`.
pub fn session_not_saved(
    count: usize,
    reason: &str,
    kept_in: &str,
    write_error: Option<String>,
    lang: Lang,
) -> String {
    match (write_error, lang) {
        (None, Lang::Ru) => format!(
            "сессия НЕ сохранена: ответов не записано в историю: {count} ({reason}); они сохранены в {kept_in}"
        ),
        (None, Lang::En) => format!(
            "the session was NOT saved: {count} answer(s) could not be written to history ({reason}); they are kept in {kept_in}"
        ),
        (Some(e), Lang::Ru) => format!(
            "сессия НЕ сохранена: ответов не записано в историю: {count} ({reason}), и файл {kept_in} не записан ({e}); ответы показаны выше"
        ),
        (Some(e), Lang::En) => format!(
            "the session was NOT saved: {count} answer(s) could not be written to history ({reason}), nor to {kept_in} ({e}); they are shown above"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_texts() {
        for &msg in Msg::ALL {
            let (ru, en) = (msg.text(Lang::Ru), msg.text(Lang::En));
            assert!(!ru.trim().is_empty() && !en.trim().is_empty(), "{msg:?}");
            // The Russian text is Russian, not the English one copied.
            let cyrillic = ru
                .chars()
                .any(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё'));
            assert!(cyrillic && ru != en, "{msg:?}: {ru}");
        }
    }

    #[test]
    fn russian_plurals_of_questions() {
        let ru = |n| questions_count(n, Lang::Ru);
        assert_eq!(ru(1), "1 вопрос");
        assert_eq!(ru(3), "3 вопроса");
        assert_eq!(ru(5), "5 вопросов");
        assert_eq!(ru(11), "11 вопросов");
        assert_eq!(ru(21), "21 вопрос");
        assert_eq!(ru(12), "12 вопросов");
        assert_eq!(questions_count(1, Lang::En), "1 question");
        assert_eq!(questions_count(2, Lang::En), "2 questions");
    }
}
