//! Failures of the live clients, sorted into the kinds an engineer acts on (authentication,
//! name resolution, refused, timeout, throttled, permission) with a message free of
//! credentials.

use crate::model::{FailureKind, SourceFailure};
use std::error::Error as StdError;

/// Longest message kept: the rest of a long error chain says nothing new.
const MAX_MESSAGE: usize = 400;

/// The Display texts of an error and its sources, with repeats dropped.
pub fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// The kind of the first I/O error found in an error's chain.
pub fn io_kind(err: &(dyn StdError + 'static)) -> Option<FailureKind> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            let kind = match io.kind() {
                K::ConnectionRefused => Some(FailureKind::Refused),
                K::TimedOut | K::WouldBlock => Some(FailureKind::Timeout),
                K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof | K::NotConnected => {
                    Some(FailureKind::Refused)
                }
                K::PermissionDenied => Some(FailureKind::Permission),
                _ => None,
            };
            if kind.is_some() {
                return kind;
            }
            if let Some(k) = kind_from_text(&io.to_string()) {
                return Some(k);
            }
        }
        cur = e.source();
    }
    None
}

/// A kind recognised in an error's words, for clients that only give text.
pub fn kind_from_text(text: &str) -> Option<FailureKind> {
    let t = text.to_ascii_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if any(&[
        "failed to lookup address",
        "name or service not known",
        "nodename nor servname",
        "dns error",
        "no such host",
        "temporary failure in name resolution",
        "no address associated",
        "name resolution",
    ]) {
        Some(FailureKind::NameResolution)
    } else if any(&[
        "throttl",
        "too many requests",
        "toomanyrequests",
        "rate exceeded",
        "requestlimitexceeded",
        "slowdown",
        "slow down",
    ]) {
        Some(FailureKind::Throttled)
    } else if any(&[
        "noauth",
        "wrongpass",
        "password authentication failed",
        "authentication",
        "unauthorized",
        "invalidclienttokenid",
        "unrecognizedclientexception",
        "signaturedoesnotmatch",
        "expiredtoken",
        "invalid username-password",
        "no credentials",
        "credentials",
    ]) {
        Some(FailureKind::Authentication)
    } else if any(&["forbidden", "accessdenied", "access denied", "noperm", "permission denied", "not authorized"]) {
        Some(FailureKind::Permission)
    } else if any(&[
        "connection refused",
        "refused",
        "connection reset",
        "broken pipe",
        "connection closed",
        "closed connection",
        "unexpected eof",
        "not connected",
    ]) {
        Some(FailureKind::Refused)
    } else if any(&["timed out", "timeout", "deadline has elapsed", "elapsed"]) {
        Some(FailureKind::Timeout)
    } else {
        None
    }
}

/// A failure from any error: the kind from its I/O cause or its words, the message with the
/// credentials taken out, prefixed by what was being done.
pub fn from_error(context: &str, err: &(dyn StdError + 'static)) -> SourceFailure {
    let text = chain(err);
    let kind = io_kind(err).or_else(|| kind_from_text(&text)).unwrap_or(FailureKind::Other);
    failure(kind, context, &text)
}

/// A failure of this kind with "context: detail", credentials taken out, bounded in length.
pub fn failure(kind: FailureKind, context: &str, detail: &str) -> SourceFailure {
    let mut message = if context.is_empty() { detail.to_string() } else { format!("{context}: {detail}") };
    message = super::redact(&message);
    if message.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
        message.push('…');
    }
    SourceFailure::new(kind, message)
}

/// A Kubernetes client error.
pub fn kube(context: &str, err: &::kube::Error) -> SourceFailure {
    if let ::kube::Error::Api(status) = err {
        let kind = match status.code {
            401 => FailureKind::Authentication,
            403 => FailureKind::Permission,
            429 => FailureKind::Throttled,
            408 | 504 => FailureKind::Timeout,
            _ => FailureKind::Protocol,
        };
        let detail = format!("{} ({} {})", status.message, status.code, status.reason);
        let hint = match kind {
            FailureKind::Authentication => ": the token or certificate of the kubeconfig user is not accepted",
            _ => "",
        };
        return failure(kind, context, &format!("{detail}{hint}"));
    }
    from_error(context, err)
}

/// A Redis client error.
pub fn redis(context: &str, err: &::redis::RedisError) -> SourceFailure {
    use ::redis::ErrorKind as K;
    let code = err.code().unwrap_or("");
    let kind = if matches!(err.kind(), K::AuthenticationFailed) || code == "NOAUTH" || code == "WRONGPASS" {
        FailureKind::Authentication
    } else if code == "NOPERM" {
        FailureKind::Permission
    } else if err.is_connection_refusal() {
        FailureKind::Refused
    } else if err.is_timeout() {
        FailureKind::Timeout
    } else {
        io_kind(err).or_else(|| kind_from_text(&chain(err))).unwrap_or(FailureKind::Other)
    };
    let mut detail = chain(err);
    if kind == FailureKind::Authentication {
        detail.push_str(": check the password (password_env, password_file or the URL)");
    }
    failure(kind, context, &detail)
}

/// A PostgreSQL client error (its Display is only "db error": read the server's answer).
pub fn postgres(context: &str, err: &tokio_postgres::Error) -> SourceFailure {
    if let Some(db) = err.as_db_error() {
        let code = db.code().code();
        let kind = match code {
            "28P01" | "28000" => FailureKind::Authentication,
            "42501" => FailureKind::Permission,
            "53300" => FailureKind::Throttled,
            "57014" => FailureKind::Timeout,
            "57P01" | "57P02" | "57P03" => FailureKind::Refused,
            _ => FailureKind::Protocol,
        };
        return failure(kind, context, &format!("{} ({code}: {})", db.message(), db.severity()));
    }
    if err.is_closed() {
        return failure(FailureKind::Refused, context, "the connection was closed");
    }
    from_error(context, err)
}

/// An AWS SDK error: the service's error code decides when there is one.
pub fn aws<E, R>(context: &str, err: &aws_sdk_cloudwatch::error::SdkError<E, R>) -> SourceFailure
where
    E: aws_sdk_cloudwatch::error::ProvideErrorMetadata + StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    use aws_sdk_cloudwatch::error::SdkError;
    match err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().unwrap_or("");
            let message = e.message().unwrap_or("");
            let kind = match code {
                "Throttling"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "TooManyRequestsException"
                | "RequestThrottled"
                | "SlowDown" => FailureKind::Throttled,
                "InvalidClientTokenId"
                | "UnrecognizedClientException"
                | "SignatureDoesNotMatch"
                | "ExpiredToken"
                | "ExpiredTokenException"
                | "AuthFailure"
                | "IncompleteSignature"
                | "MissingAuthenticationToken" => FailureKind::Authentication,
                "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => FailureKind::Permission,
                _ => kind_from_text(code).unwrap_or(FailureKind::Protocol),
            };
            let detail = if code.is_empty() { chain(e) } else { format!("{code}: {message}") };
            failure(kind, context, &detail)
        }
        SdkError::TimeoutError(_) => failure(FailureKind::Timeout, context, "no answer in time"),
        other => from_error(context, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_give_kinds() {
        assert_eq!(
            kind_from_text("dns error: failed to lookup address information"),
            Some(FailureKind::NameResolution)
        );
        assert_eq!(kind_from_text("Connection refused (os error 111)"), Some(FailureKind::Refused));
        assert_eq!(kind_from_text("WRONGPASS invalid username-password pair"), Some(FailureKind::Authentication));
        assert_eq!(kind_from_text("Rate exceeded"), Some(FailureKind::Throttled));
        assert_eq!(kind_from_text("deadline has elapsed"), Some(FailureKind::Timeout));
        assert_eq!(kind_from_text("something odd"), None);
    }

    #[test]
    fn io_errors_are_classified_through_the_chain() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "nope");
        let f = from_error("connecting", &io);
        assert_eq!(f.kind, FailureKind::Refused);
        assert!(f.message.starts_with("connecting: nope"), "{}", f.message);
    }

    #[test]
    fn messages_lose_credentials_and_stay_short() {
        let f = failure(FailureKind::Other, "redis://:pw@h:1", &"x".repeat(1000));
        assert!(!f.message.contains("pw@"), "{}", f.message);
        assert!(f.message.len() < MAX_MESSAGE + 8);
    }
}
