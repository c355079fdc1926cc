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

use std::borrow::Cow;
use std::sync::RwLock;

/// What a secret is replaced with.
pub const HIDDEN: &str = "***";

/// The secrets registered so far, longest first (so that a secret containing another is
/// replaced whole).
static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// A value too short or too plain to scrub from every text without garbling it ("postgres",
/// "redis", "admin"): such a password is still kept out by layers 1 and 2.
fn worth_scrubbing(s: &str) -> bool {
    let n = s.chars().count();
    n >= 6 && !(n < 12 && s.chars().all(|c| c.is_ascii_lowercase()))
}

/// Remember a secret: [`scrub`] takes it out of every text from now on (with its
/// percent-encoded and JSON-escaped forms).
pub fn register(secret: &str) {
    let secret = secret.trim_matches(['\n', '\r']);
    if !worth_scrubbing(secret) {
        return;
    }
    let mut forms = vec![secret.to_string(), percent_decode(secret), percent_encode(secret)];
    if let Ok(json) = serde_json::to_string(secret) {
        forms.push(json.trim_matches('"').to_string());
    }
    let Ok(mut known) = KNOWN.write() else { return };
    for f in forms {
        if worth_scrubbing(&f) && !known.contains(&f) {
            known.push(f);
        }
    }
    known.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// Words in the name of a query parameter that carries a credential.
const CREDENTIAL_WORDS: &[&str] = &["pass", "pwd", "token", "secret", "key", "sig", "auth", "credential"];

/// Register what is secret in a URL: its password, the values of its credential parameters
/// and, for a URL that is a credential itself (`whole`: a webhook), its path, every path
/// segment and every query value.
pub fn register_url(url: &str, whole: bool) {
    let Some(parts) = UrlParts::parse(url).ok() else {
        // Unparseable: whatever follows the scheme may be the secret.
        register(url);
        if let Some((before, _)) = url.rsplit_once('@') {
            let user_info = before.rsplit(['/', ':']).next().unwrap_or("");
            register(user_info);
            if let Some((_, pw)) = before.rsplit_once(':') {
                register(pw);
            }
        }
        return;
    };
    if let Some(pw) = parts.password {
        register(pw);
    }
    for pair in parts.query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or(("", pair));
        let key = key.to_ascii_lowercase();
        if whole || CREDENTIAL_WORDS.iter().any(|w| key.contains(w)) {
            register(value);
        }
    }
    if whole {
        register(url);
        let rest = &url[url.len() - parts.rest.len()..];
        register(rest);
        register(parts.path);
        for seg in parts.path.split('/') {
            register(seg);
        }
    }
}

/// Register the `password` of a libpq `key=value` string.
pub fn register_conninfo(text: &str) {
    if text.contains("://") {
        register_url(text, false);
        return;
    }
    for (start, end) in pair_values(text) {
        register(text[start..end].trim_matches(['\'', '"']));
    }
}

/// Names of environment variables whose values are credentials.
pub fn is_secret_var(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    if ["_FILE", "_PATH", "_DIR", "_SOCK"].iter().any(|s| n.ends_with(s)) {
        return false;
    }
    // AUTH only as a word of its own (REDISCLI_AUTH), not in GIT_AUTHOR_NAME.
    n.split('_').any(|w| w == "AUTH" || w == "AUTHORIZATION")
        || ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "PRIVATE_KEY", "API_KEY", "APIKEY", "WEBHOOK", "CREDENTIAL"]
            .iter()
            .any(|w| n.contains(w))
}

/// Register the credentials of an environment: every credential variable's value, and the
/// password and query of every URL-valued variable (`REDIS_URL`, `DATABASE_URL`, …).
pub fn register_env<'a>(vars: impl IntoIterator<Item = (&'a str, &'a str)>) {
    for (name, value) in vars {
        if value.is_empty() {
            continue;
        }
        let webhook = name.to_ascii_uppercase().contains("WEBHOOK");
        if is_secret_var(name) && !webhook {
            register(value);
        }
        if value.contains("://") || webhook {
            register_url(value, webhook);
        } else if name.eq_ignore_ascii_case("DATABASE_URL") {
            register_conninfo(value);
        }
    }
}

/// Register the secrets of the config file: the URLs' passwords, a libpq string's password,
/// the notify webhook whole.
pub fn register_config(c: &crate::config::Config) {
    for url in c.redis.url.iter().flat_map(|u| u.split(',')) {
        register_url(url.trim(), false);
    }
    if let Some(pg) = &c.postgres.url {
        register_conninfo(pg);
    }
    if let Some(hook) = &c.notify.webhook {
        register_url(hook, true);
    }
    if let Some(cmd) = &c.notify.command {
        for (start, end) in pair_values(cmd) {
            register(cmd[start..end].trim_matches(['\'', '"']));
        }
        for (start, end) in bearer_values(cmd) {
            register(cmd[start..end].trim_matches(['\'', '"']));
        }
    }
}

/// Fields whose string values are credentials, in files such as a kubeconfig.
const SECRET_FIELDS: &[&str] =
    &["token", "password", "client-key-data", "client-secret", "id-token", "refresh-token", "access-token"];

/// Register the values of every credential field (`token`, `password`, `client-key-data`, …)
/// anywhere in a structured document, such as a kubeconfig.
pub fn register_fields(doc: &serde_json::Value) {
    use serde_json::Value;
    match doc {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) if SECRET_FIELDS.contains(&k.to_ascii_lowercase().as_str()) => register(s),
                    other => register_fields(other),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(register_fields),
        _ => {}
    }
}

/// Every registered secret taken out of `text`.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let Ok(known) = KNOWN.read() else { return Cow::Owned(HIDDEN.to_string()) };
    let mut out = Cow::Borrowed(text);
    for s in known.iter() {
        if out.contains(s.as_str()) {
            out = Cow::Owned(out.replace(s.as_str(), HIDDEN));
        }
    }
    out
}

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

/// How a URL is shown: `scheme://host:port`, with a path only when it is a database number
/// (`redis://h:6379/2`); no user, password, query or fragment. Err: what is wrong with it,
/// without repeating it.
pub fn shown_url(url: &str) -> Result<String, String> {
    let p = UrlParts::parse(url)?;
    let path = if p.path.trim_matches('/').chars().all(|c| c.is_ascii_digit()) { p.path } else { "/…" };
    let tail = if p.query.is_empty() && p.fragment.is_empty() { "" } else { "?…" };
    let tail = if path == "/…" { "" } else { tail };
    Ok(format!("{}://{}{}{}", p.scheme, p.host_port, path.trim_end_matches('/'), tail))
}

/// How a URL that is a credential itself (a webhook) is shown: `scheme://host[:port]/…`.
pub fn shown_origin(url: &str) -> Result<String, String> {
    let p = UrlParts::parse(url)?;
    let more = !p.path.trim_matches('/').is_empty() || !p.query.is_empty() || !p.fragment.is_empty();
    Ok(format!("{}://{}{}", p.scheme, p.host_port, if more { "/…" } else { "" }))
}

/// What is wrong with a URL, without repeating any of it; None when it parses.
pub fn url_problem(url: &str) -> Option<String> {
    UrlParts::parse(url).err()
}

/// The parts of `scheme://[user[:password]@]host[:port][/path][?query][#fragment]`.
#[derive(Debug)]
struct UrlParts<'a> {
    scheme: &'a str,
    password: Option<&'a str>,
    host_port: &'a str,
    path: &'a str,
    query: &'a str,
    fragment: &'a str,
    /// Everything after the authority.
    rest: &'a str,
}

impl<'a> UrlParts<'a> {
    fn parse(url: &'a str) -> Result<UrlParts<'a>, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("it is empty".into());
        }
        if url.chars().any(char::is_whitespace) {
            return Err("it contains a space".into());
        }
        let Some((scheme, after)) = url.split_once("://") else {
            let lead: String = url.chars().take_while(|c| c.is_ascii_alphanumeric() || "+-.".contains(*c)).collect();
            let next = &url[lead.len()..];
            return Err(if !lead.is_empty() && next.starts_with("//") {
                format!("the scheme {lead:?} is not followed by \"://\" (a \":\" is missing)")
            } else if !lead.is_empty() && next.starts_with(':') {
                format!("the scheme {lead:?} is not followed by \"://\" (a \"/\" is missing)")
            } else {
                "it does not start with a scheme and \"://\" (such as redis://)".into()
            });
        };
        if scheme.is_empty()
            || !scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return Err("its scheme (before \"://\") is not a scheme name".into());
        }
        let auth_end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(auth_end);
        let (user_info, host_port) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        let password = user_info.and_then(|u| u.split_once(':').map(|(_, p)| p));
        let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
            match v6.split_once(']') {
                Some((h, p)) if h.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') => {
                    ("ipv6", p.strip_prefix(':'))
                }
                _ => return Err("its IPv6 host is not an address in [ ]".into()),
            }
        } else {
            match host_port.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (host_port, None),
            }
        };
        if host.is_empty() && scheme != "unix" && scheme != "file" && !scheme.ends_with("+unix") {
            return Err("it names no host after \"://\"".into());
        }
        if host.contains(['@', ':']) {
            return Err("its host contains a stray \"@\" or \":\"".into());
        }
        if let Some(p) = port
            && (p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) || p.parse::<u16>().is_err())
        {
            return Err("its port is not a number from 0 to 65535".into());
        }
        let (before_fragment, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        let (path, query) = before_fragment.split_once('?').unwrap_or((before_fragment, ""));
        Ok(UrlParts { scheme, password, host_port, path, query, fragment, rest })
    }
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
fn pair_values(text: &str) -> Vec<(usize, usize)> {
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
fn bearer_values(text: &str) -> Vec<(usize, usize)> {
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

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
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

    #[test]
    fn shown_urls_and_origins() {
        assert_eq!(shown_url("rediss://u:pw@cache.internal:6380/2").as_deref(), Ok("rediss://cache.internal:6380/2"));
        assert_eq!(shown_url("redis://h:1/?protocol=resp3").as_deref(), Ok("redis://h:1?…"));
        assert_eq!(shown_url("https://[::1]:6443").as_deref(), Ok("https://[::1]:6443"));
        assert_eq!(
            shown_origin("https://hooks.slack.com/services/T000/B000/XXXXSECRET").as_deref(),
            Ok("https://hooks.slack.com/…")
        );
        assert_eq!(shown_origin("http://127.0.0.1:9").as_deref(), Ok("http://127.0.0.1:9"));
    }

    #[test]
    fn problems_are_described_without_the_url() {
        for (url, words) in [
            ("redis//:PASSWORD-9@host:6379", "a \":\" is missing"),
            ("redis:/:PASSWORD-9@host", "a \"/\" is missing"),
            ("redis://:PASSWORD-9@", "no host"),
            ("redis://:PASSWORD-9@host:63x9", "port"),
            ("PASSWORD-9", "does not start with a scheme"),
            ("redis://h:1/ PASSWORD-9", "space"),
        ] {
            let p = url_problem(url).unwrap_or_default();
            assert!(p.contains(words), "{url}: {p}");
            assert!(!p.contains("PASSWORD-9"), "{p}");
        }
        assert_eq!(url_problem("redis://h:6379"), None);
    }

    #[test]
    fn registered_secrets_are_scrubbed_in_every_form() {
        register("Zq-registered-9f!x");
        register_url("https://hooks.example/services/T1/B2/Zq-hookpath-77c?k=Zq-hookquery-5", true);
        register_url("redis://:Zq%40pw-in-url@h:1?application_name=Zq-app-name-1&api_key=Zq-api-key-2", false);
        register("short");
        register("plainword");
        let text = "a Zq-registered-9f!x b Zq-registered-9f%21x c /services/T1/B2/Zq-hookpath-77c d Zq-hookquery-5 \
                    e Zq@pw-in-url f short plainword";
        let out = scrub(text);
        for s in ["Zq-registered", "Zq-hookpath", "Zq-hookquery", "Zq@pw", "Zq%40pw"] {
            assert!(!out.contains(s), "{out}");
        }
        assert!(out.contains("short plainword"), "too plain to scrub everywhere: {out}");
        assert_eq!(scrub("Zq-app-name-1 Zq-api-key-2"), "Zq-app-name-1 ***", "only credential parameters");
    }

    #[test]
    fn credential_fields_of_a_document_are_registered() {
        register_fields(&serde_json::json!({"users": [{"name": "u", "user": {"token": "Zq-doc-token-47",
            "auth-provider": {"config": {"id-token": "Zq-doc-id-48", "client-id": "Zq-not-a-secret-49"}}}}]}));
        assert_eq!(scrub("Zq-doc-token-47 Zq-doc-id-48 Zq-not-a-secret-49"), "*** *** Zq-not-a-secret-49");
    }

    #[test]
    fn environment_credentials_are_registered_by_name_and_by_url() {
        register_env([
            ("CHAT_TOKEN", "Zq-env-token-41"),
            ("DATABASE_URL", "host=db password=Zq-env-pg-42 user=u"),
            ("REDIS_URL", "redis://:Zq-env-redis-43@h:1"),
            ("SLACK_WEBHOOK_URL", "https://hooks.example/services/Zq-env-hook-44"),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/Zq-not-a-secret-45"),
            ("HOME", "/home/Zq-not-a-secret-46"),
            ("GIT_AUTHOR_NAME", "Zq-not-a-secret-50"),
            ("REDISCLI_AUTH", "Zq-env-auth-51"),
        ]);
        let out = scrub("Zq-env-token-41 Zq-env-pg-42 Zq-env-redis-43 Zq-env-hook-44 Zq-env-auth-51");
        assert_eq!(out, "*** *** *** *** ***");
        let out = scrub("Zq-not-a-secret-45 Zq-not-a-secret-46 Zq-not-a-secret-50");
        assert_eq!(out, "Zq-not-a-secret-45 Zq-not-a-secret-46 Zq-not-a-secret-50");
    }
}
