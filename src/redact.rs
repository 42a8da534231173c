//! Keeping secrets out of everything sobes shows or stores: the API key, and credentials written
//! into a server URL (`https://user:pass@host/v1`, `…/v1?key=…`).
//!
//! Anything that came from a server or the configuration passes through [`Secrets::hide`]
//! before it is printed, written to history, a report or the LLM cache; URLs are shown as
//! [`shown_url`] gives them.

/// What replaces a secret.
pub const MASK: &str = "[redacted]";

/// Shorter values are not hidden: masking every "ab" in a message would garble it, and no real
/// key or password is that short.
const MIN_SECRET_CHARS: usize = 4;

/// The secrets of one server: its API key and the credentials in its URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    /// Longest first, so that a secret containing another is hidden whole.
    values: Vec<String>,
}

impl Secrets {
    /// The secrets of a server reached at `base_url` with `api_key`.
    pub fn of(base_url: &str, api_key: Option<&str>) -> Secrets {
        let mut secrets = Secrets::default();
        if let Some(key) = api_key {
            secrets.add(key);
        }
        for credential in url_credentials(base_url) {
            secrets.add(&credential);
        }
        secrets
    }

    /// Hide `secret`, as written and as it reads percent-encoded or decoded.
    pub fn add(&mut self, secret: &str) {
        let secret = secret.trim();
        for form in [
            secret.to_owned(),
            percent_decode(secret),
            percent_encode(secret),
        ] {
            if form.chars().count() >= MIN_SECRET_CHARS && !self.values.contains(&form) {
                self.values.push(form);
            }
        }
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    /// `text` with every secret replaced by [`MASK`].
    pub fn hide(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in &self.values {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), MASK);
            }
        }
        text
    }
}

/// The parts of a URL: `(scheme://, user info, host and path, query, fragment)`.
fn split_url(url: &str) -> (&str, Option<&str>, &str, Option<&str>, Option<&str>) {
    let (scheme, rest) = match url.find("://") {
        Some(at) => url.split_at(at + 3),
        None => ("", url),
    };
    let (rest, fragment) = match rest.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (rest, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (user_info, rest) = match rest[..authority_end].rfind('@') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    (scheme, user_info, rest, query, fragment)
}

/// The credentials in a URL: user and password of its user info, and every query value.
pub fn url_credentials(url: &str) -> Vec<String> {
    let (_, user_info, _, query, fragment) = split_url(url.trim());
    let mut found = Vec::new();
    if let Some(info) = user_info {
        found.push(info.to_owned());
        // `user:password`: the password is the secret (a user name alone may be a token).
        if let Some((_, password)) = info.split_once(':') {
            found.push(password.to_owned());
        }
    }
    for part in [query, fragment].into_iter().flatten() {
        for pair in part.split('&') {
            if let Some((_, value)) = pair.split_once('=') {
                found.push(value.to_owned());
            } else {
                found.push(pair.to_owned());
            }
        }
    }
    found.retain(|s| !s.is_empty());
    found
}

/// A URL as it may be shown: user info and query values replaced by [`MASK`].
pub fn shown_url(url: &str) -> String {
    let (scheme, user_info, host_path, query, fragment) = split_url(url.trim());
    let mut shown = String::from(scheme);
    if user_info.is_some() {
        shown.push_str(MASK);
        shown.push('@');
    }
    shown.push_str(host_path);
    if let Some(query) = query {
        shown.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) => format!("{name}={MASK}"),
                None if pair.is_empty() => String::new(),
                None => MASK.to_owned(),
            })
            .collect();
        shown.push_str(&pairs.join("&"));
    }
    if fragment.is_some() {
        shown.push('#');
        shown.push_str(MASK);
    }
    shown
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_credentials() {
        assert_eq!(
            shown_url("https://bob:s3cr3t@api.example.com/v1?key=abcd1234&x=1"),
            "https://[redacted]@api.example.com/v1?key=[redacted]&x=[redacted]"
        );
        assert_eq!(
            shown_url("http://localhost:11434/v1"),
            "http://localhost:11434/v1"
        );
        assert_eq!(shown_url("http://h/v1?token"), "http://h/v1?[redacted]");
    }

    #[test]
    fn keys_and_url_credentials_are_hidden_in_any_form() {
        let secrets = Secrets::of(
            "http://user:p%40ss-word@127.0.0.1:9/v1?api_key=q-secret-77",
            Some("sk-live-123456"),
        );
        let text = "error for url (http://user:p%40ss-word@127.0.0.1:9/v1?api_key=q-secret-77): \
                    key sk-live-123456, password p@ss-word";
        let hidden = secrets.hide(text);
        for secret in ["q-secret-77", "sk-live-123456", "p@ss-word", "p%40ss-word"] {
            assert!(!hidden.contains(secret), "{hidden}");
        }
        assert!(hidden.contains("127.0.0.1:9/v1"), "{hidden}");
    }

    #[test]
    fn short_values_are_left_alone() {
        let secrets = Secrets::of("http://h/v1?a=1", Some("ab"));
        assert_eq!(secrets.hide("a=1 ab"), "a=1 ab");
    }
}
