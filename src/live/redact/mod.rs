//! Keeping secrets out of everything the cockpit shows or writes: the screen, `check`,
//! snapshots, the journal and the log. Three layers, each working from structure rather than
//! from the look of a secret:
//!
//! 1. A connection setting is shown by where it points, never as it was given: a URL as its
//!    scheme, host and port ([`shown_url`]), a webhook as `https://host/…` ([`shown_origin`]).
//!    A URL that does not parse is described ([`url_problem`]) and never echoed.
//! 2. Free text from clients, servers and commands ([`redact`]): every URL in it is cut to its
//!    scheme, host and port; a `user:password@` is taken out of any word; the values of
//!    credential keys (`password=`, `sslpassword=`, `token:`, `Authorization:`, AWS keys,
//!    `Bearer …`) are replaced.
//! 3. Every secret the cockpit was given is registered when it is read ([`register`]): the
//!    passwords of URLs and connection strings, password files, webhook paths and queries, the
//!    values of credential environment variables (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, …).
//!    [`scrub`] takes each out of any text; [`redact`] applies it, and so do the log writer and
//!    the journal on every line they write, so that a secret that slipped past 1 and 2 (a
//!    server echoing a webhook's path, a notify command printing its token) still never
//!    reaches a file or the screen.

mod known;
mod url;

use std::borrow::Cow;

pub use known::{
    is_secret_var, register, register_config, register_conninfo, register_env, register_fields, register_url, scrub,
};
pub use url::{shown_origin, shown_url, url_problem};

/// What a secret is replaced with.
pub const HIDDEN: &str = "***";

/// Free text with the credentials taken out: URLs cut to scheme, host and port;
/// `user:password@` out of any word; the values of credential keys and bearer tokens; every
/// registered secret.
pub fn redact(text: &str) -> String {
    let text = scrub(text);
    let text = redact_urls(&text);
    let text = redact_user_info(&text);
    let text = replace_spans(&text, bearer_values(&text));
    replace_spans(&text, pair_values(&text))
}

/// Characters that end a word of free text.
fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | ')' | '(' | ']' | '[' | '<' | '>' | '`' | '{' | '}')
}

/// Each `scheme://…` word cut to scheme, host and port.
fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let scheme_start =
            rest[..i].rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c))).map(|j| j + 1).unwrap_or(0);
        let end = rest[i..].find(ends_word).map(|j| i + j).unwrap_or(rest.len());
        let word = &rest[scheme_start..end];
        if scheme_start == i || end == i + 3 {
            // No scheme before it, or nothing after it: not a URL ("://" in words).
            out.push_str(&rest[..i + 3]);
            rest = &rest[i + 3..];
            continue;
        }
        out.push_str(&rest[..scheme_start]);
        match shown_url(word) {
            Ok(shown) => out.push_str(&shown),
            Err(_) => {
                out.push_str(&rest[scheme_start..i + 3]);
                out.push('…');
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `…user:password@host` in any word: the user info taken out (a URL that lost its `://`).
fn redact_user_info(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word_start = 0;
    for (i, c) in text.char_indices() {
        if ends_word(c) {
            out.push_str(&redact_word(&text[word_start..i]));
            out.push(c);
            word_start = i + c.len_utf8();
        }
    }
    out.push_str(&redact_word(&text[word_start..]));
    out
}

fn redact_word(word: &str) -> Cow<'_, str> {
    match word.rfind('@') {
        Some(at) if word[..at].contains(':') => {
            let keep = word[..at].rfind("//").map(|j| j + 2).unwrap_or(0);
            Cow::Owned(format!("{}{HIDDEN}{}", &word[..keep], &word[at..]))
        }
        _ => Cow::Borrowed(word),
    }
}

/// Keys whose values are credentials, lower case.
const KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "sslpassword",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "session_token",
    "aws_session_token",
    "secret",
    "client_secret",
    "secret_key",
    "secret_access_key",
    "aws_secret_access_key",
    "api_key",
    "apikey",
    "x-api-key",
    "authorization",
    "proxy-authorization",
    "x-amz-security-token",
    "x-amz-signature",
    "private_key",
];

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The byte spans of the values of `key=value`, `key: value`, `"key": "value"` pairs whose
/// key is a credential key.
pub(super) fn pair_values(text: &str) -> Vec<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < lower.len() {
        let Some(rel) = lower[i..].find(|c: char| c.is_ascii_alphabetic()) else { break };
        let start = i + rel;
        let end = lower[start..].find(|c: char| !is_key_char(c)).map(|j| start + j).unwrap_or(lower.len());
        let word = &lower[start..end];
        i = end.max(start + 1);
        if !KEYS.contains(&word) {
            continue;
        }
        let mut j = end;
        if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
            j += 1;
        }
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        if j >= bytes.len() || (bytes[j] != b'=' && bytes[j] != b':') {
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        if j >= bytes.len() {
            continue;
        }
        let value_end = match bytes[j] {
            q @ (b'\'' | b'"') => lower[j + 1..].find(q as char).map(|k| j + 1 + k + 1).unwrap_or(lower.len()),
            _ => lower[j..]
                .find(|c: char| c.is_whitespace() || matches!(c, '&' | ',' | ';' | '"' | '\'' | '}' | ')'))
                .map(|k| j + k)
                .unwrap_or(lower.len()),
        };
        if value_end > j {
            spans.push((j, value_end));
        }
        i = value_end.max(i);
    }
    spans
}

/// The byte spans of the tokens after `Bearer ` and `Basic `.
pub(super) fn bearer_values(text: &str) -> Vec<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    let mut spans = Vec::new();
    for scheme in ["bearer ", "basic "] {
        let mut from = 0;
        while let Some(rel) = lower[from..].find(scheme) {
            let at = from + rel;
            from = at + scheme.len();
            if at > 0 && lower[..at].ends_with(is_key_char) {
                continue;
            }
            let start = from + (lower[from..].len() - lower[from..].trim_start().len());
            let end = lower[start..].find(ends_word).map(|k| start + k).unwrap_or(lower.len());
            if end > start && lower[start..end] != *HIDDEN {
                spans.push((start, end));
            }
        }
    }
    spans.sort();
    spans
}

fn replace_spans(text: &str, mut spans: Vec<(usize, usize)>) -> String {
    spans.sort();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in spans {
        if s < at {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(HIDDEN);
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_in_text_keep_scheme_host_and_port_only() {
        assert_eq!(redact("redis://:s3cret@10.0.0.1:6379/0 refused"), "redis://10.0.0.1:6379/0 refused");
        assert_eq!(redact("postgres://u:p%40ss@db/x"), "postgres://db/…");
        assert_eq!(redact("http://127.0.0.1:8080/path?a=b"), "http://127.0.0.1:8080/…");
        assert_eq!(
            redact("posting to https://hooks.slack.com/services/T0A/B0B/XXXXSECRETXX failed"),
            "posting to https://hooks.slack.com/… failed"
        );
        assert_eq!(redact("(https://h.example/x?token=abc)"), "(https://h.example/…)");
    }

    #[test]
    fn a_url_without_its_slashes_loses_its_user_info() {
        assert_eq!(
            redact("bad URL redis//:PASSWORD-1@host:6379 did not parse"),
            "bad URL redis//***@host:6379 did not parse"
        );
        assert_eq!(redact("redis:/:PASSWORD-1@host"), "***@host");
        assert_eq!(redact("mail alice@example.com"), "mail alice@example.com");
    }

    #[test]
    fn credential_pairs_and_bearer_tokens_lose_their_values() {
        assert_eq!(redact("host=db password='a b' user=x"), "host=db password=*** user=x");
        assert_eq!(redact("host=db sslpassword=abc user=x"), "host=db sslpassword=*** user=x");
        assert_eq!(redact(r#"{"token": "abc", "ok": 1}"#), r#"{"token": ***, "ok": 1}"#);
        assert_eq!(
            redact("AWS_SECRET_ACCESS_KEY=wJalr AWS_SESSION_TOKEN=FwoG x"),
            "AWS_SECRET_ACCESS_KEY=*** AWS_SESSION_TOKEN=*** x"
        );
        assert_eq!(redact("Authorization: Bearer eyJhbGciOi.x.y sent"), "Authorization: *** *** sent");
        assert_eq!(redact("curl -H 'bearer abc123'"), "curl -H 'bearer ***'");
        // Words that only look like keys stay.
        assert_eq!(
            redact("password authentication failed; check the password (password_env)"),
            "password authentication failed; check the password (password_env)"
        );
    }
}
