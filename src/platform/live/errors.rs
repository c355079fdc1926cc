//! Client errors as the actions see them (`PlatformError`), credentials taken out.

use crate::live::classify;
use crate::model::{FailureKind, SourceFailure, SourceId};
use crate::platform::{ErrorKind, PlatformError};

pub fn kube(context: &str, e: &kube::Error) -> PlatformError {
    if let kube::Error::Api(s) = e {
        let kind = match s.code {
            409 => ErrorKind::Conflict,
            404 => ErrorKind::NotFound,
            401 | 403 => ErrorKind::Forbidden,
            400 | 422 => ErrorKind::Invalid,
            408 | 504 => ErrorKind::Timeout,
            429 | 500 | 502 | 503 => ErrorKind::Unavailable,
            _ => ErrorKind::Other,
        };
        return PlatformError::new(
            kind,
            crate::live::redact(&format!("{context}: {} ({} {})", s.message, s.code, s.reason)),
        );
    }
    from_failure(classify::kube(context, e))
}

/// A source failure (a transport error) as a platform error.
pub fn from_failure(f: SourceFailure) -> PlatformError {
    let kind = match f.kind {
        FailureKind::Timeout => ErrorKind::Timeout,
        FailureKind::Refused | FailureKind::NameResolution | FailureKind::Throttled => ErrorKind::Unavailable,
        FailureKind::Authentication | FailureKind::Permission => ErrorKind::Forbidden,
        FailureKind::Protocol | FailureKind::Other => ErrorKind::Other,
    };
    PlatformError::new(kind, f.message)
}

/// A source the operation needs is not configured: blind (not transient, so no step waits
/// for it until its timeout), with the settings that configure it.
pub fn not_configured(source: SourceId) -> PlatformError {
    let what = match source {
        SourceId::CloudWatch | SourceId::Rds => "AWS",
        s => s.name(),
    };
    PlatformError::new(
        ErrorKind::Blind,
        format!("{what} is not configured: see `cockpit check` (set {})", source.setting()),
    )
}

/// An input the platform cannot see: the gap's reason and the setting that would give it.
pub fn blind(gap: &crate::model::Gap) -> PlatformError {
    PlatformError::new(ErrorKind::Blind, gap.describe())
}

pub fn aws<E, R>(context: &str, e: &aws_sdk_cloudwatch::error::SdkError<E, R>) -> PlatformError
where
    E: aws_sdk_cloudwatch::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if let aws_sdk_cloudwatch::error::SdkError::ServiceError(se) = e {
        let code = se.err().code().unwrap_or("");
        let kind = match code {
            "DBInstanceNotFound" | "DBInstanceNotFoundFault" => Some(ErrorKind::NotFound),
            "InvalidDBInstanceState" | "InvalidDBInstanceStateFault" => Some(ErrorKind::Conflict),
            "InvalidParameterValue" | "InvalidParameterCombination" | "InvalidParameterCombinationException" => {
                Some(ErrorKind::Invalid)
            }
            _ => None,
        };
        if let Some(kind) = kind {
            return PlatformError::new(kind, format!("{context}: {code}: {}", se.err().message().unwrap_or("")));
        }
    }
    from_failure(classify::aws(context, e))
}
