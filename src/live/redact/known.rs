//! The secrets the cockpit was given, registered when they are read, and taken out of any
//! text by [`scrub`].

use super::url::UrlParts;
use super::{HIDDEN, bearer_values, pair_values};
use std::borrow::Cow;
use std::sync::RwLock;

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
