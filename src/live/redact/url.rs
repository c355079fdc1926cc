//! URLs shown by where they point (scheme, host and port), and described without being
//! repeated when they do not parse.

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
pub(super) struct UrlParts<'a> {
    pub(super) scheme: &'a str,
    pub(super) password: Option<&'a str>,
    pub(super) host_port: &'a str,
    pub(super) path: &'a str,
    pub(super) query: &'a str,
    pub(super) fragment: &'a str,
    /// Everything after the authority.
    pub(super) rest: &'a str,
}

impl<'a> UrlParts<'a> {
    pub(super) fn parse(url: &'a str) -> Result<UrlParts<'a>, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
