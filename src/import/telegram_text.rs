//! The plain-text dump of a Telegram question channel.
//!
//! A post is: a question line, the answer body, hashtag lines (`#junior` `#middle`), the same
//! body and hashtags again (the dump repeats them), then a reactions line such as `👍17❤1`.

use super::{Imported, Parsed};
use crate::bank::{Level, Question};

/// A post as read, before it becomes a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub question: String,
    pub answer: String,
    pub tags: Vec<String>,
    pub popularity: Option<u64>,
}

/// A reactions line: emoji followed by counts and nothing else, e.g. `🔥10❤2💯2`.
fn reactions(line: &str) -> Option<u64> {
    let line = line.trim();
    let first = line.chars().next()?;
    if first.is_alphanumeric() || first == '#' || !line.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    if line
        .chars()
        .any(|c| c.is_alphabetic() || c.is_whitespace() || c.is_ascii_punctuation())
    {
        return None;
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in line.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            number.push(c);
        } else if !number.is_empty() {
            total = total.saturating_add(number.parse::<u64>().unwrap_or(0));
            number.clear();
        }
    }
    Some(total)
}

fn hashtags(line: &str) -> Option<Vec<String>> {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.is_empty() || !words.iter().all(|w| w.starts_with('#') && w.len() > 1) {
        return None;
    }
    Some(
        words
            .iter()
            .map(|w| w.trim_start_matches('#').to_lowercase())
            .collect(),
    )
}

/// Read a dump into questions; posts without a level hashtag are tagged middle (and noted).
pub fn parse_file(text: &str, source: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut without_level = 0;
    for post in parse(text) {
        let mut question = post.into_question(source);
        if question.levels.is_empty() {
            // A question needs a level to be asked; middle is the least surprising guess.
            question.levels.push(Level::Middle);
            without_level += 1;
        }
        parsed.items.push(Imported::checked(question));
    }
    if without_level > 0 {
        parsed.notes.push(format!(
            "{without_level} questions had no level hashtag and were tagged middle"
        ));
    }
    parsed
}

/// Split a dump into posts.
pub fn parse(text: &str) -> Vec<Post> {
    let mut posts = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines() {
        if let Some(count) = reactions(line) {
            posts.extend(post_from(&lines, Some(count)));
            lines.clear();
        } else {
            lines.push(line);
        }
    }
    posts.extend(post_from(&lines, None));
    posts
}

fn post_from(lines: &[&str], popularity: Option<u64>) -> Option<Post> {
    let mut rest = lines
        .iter()
        .map(|l| l.trim_end())
        .skip_while(|l| l.trim().is_empty());
    let question = rest.next()?.trim().to_owned();
    let mut bodies: Vec<Vec<&str>> = vec![Vec::new()];
    let mut tags: Vec<String> = Vec::new();
    for line in rest {
        match hashtags(line) {
            Some(found) => {
                for tag in found {
                    if !tags.contains(&tag) {
                        tags.push(tag);
                    }
                }
                if !bodies.last().is_some_and(Vec::is_empty) {
                    bodies.push(Vec::new());
                }
            }
            None => bodies
                .last_mut()
                .expect("bodies starts non-empty")
                .push(line),
        }
    }
    // The dump repeats the body: keep each distinct body once, in order.
    let mut kept: Vec<String> = Vec::new();
    for body in bodies {
        let body = body.join("\n").trim().to_owned();
        if !body.is_empty() && !kept.contains(&body) {
            kept.push(body);
        }
    }
    let answer = kept.join("\n");
    if answer.is_empty() && tags.is_empty() {
        return None;
    }
    Some(Post {
        question,
        answer,
        tags,
        popularity,
    })
}

impl Post {
    /// The question this post becomes; hashtags that are not levels become topics.
    pub fn into_question(self, source: &str) -> Question {
        let mut levels: Vec<Level> = Vec::new();
        let mut topics = Vec::new();
        for tag in &self.tags {
            match Level::from_tag(tag) {
                Some(level) if !levels.contains(&level) => levels.push(level),
                Some(_) => {}
                None => topics.push(tag.clone()),
            }
        }
        levels.sort();
        Question {
            id: String::new(),
            question: self.question,
            answer: self.answer,
            levels,
            topics,
            lang: "ru".into(),
            source: source.to_owned(),
            popularity: self.popularity,
            question_en: None,
            answer_en: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "Вопрос один?\nОтвет строка 1.\nОтвет строка 2.\n#junior\n#middle\n\
Ответ строка 1.\nОтвет строка 2.\n#junior\n#middle\n👍17❤1\n\
Вопрос два?\nТело.\n#senior #nlp\nТело.\n#senior #nlp\n🔥10❤2💯2🥰1\n";

    #[test]
    fn posts_keep_the_body_once() {
        let posts = parse(DUMP);
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[0].question, "Вопрос один?");
        assert_eq!(posts[0].answer, "Ответ строка 1.\nОтвет строка 2.");
        assert_eq!(posts[0].tags, vec!["junior", "middle"]);
        assert_eq!(posts[0].popularity, Some(18));
        assert_eq!(posts[1].popularity, Some(15));
    }

    #[test]
    fn unknown_hashtags_become_topics() {
        let q = parse(DUMP).remove(1).into_question("test");
        assert_eq!(q.levels, vec![Level::Senior]);
        assert_eq!(q.topics, vec!["nlp"]);
    }

    #[test]
    fn reaction_lines_are_recognised() {
        assert_eq!(reactions("👍4"), Some(4));
        assert_eq!(reactions("❤7👍2"), Some(9));
        assert_eq!(reactions("▪️Медленное обучение."), None);
        assert_eq!(reactions("#junior"), None);
        assert_eq!(reactions("2024"), None);
    }
}
