//! OAuth error responses (RFC 6749 §5.2, reused by RFC 7009 §2.2.1 and RFC 7662 §2.3) and the
//! server's own plain HTTP errors (404, 405, 500, 501).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The realm of the `WWW-Authenticate: Basic` challenge sent with every 401.
pub const BASIC_REALM: &str = "oauth2spec-reference";

/// The error codes this server sends (RFC 6749 §5.2, RFC 7009 §2.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    /// RFC 6749 §4.1.2.1, returned directly by the PAR endpoint (RFC 9126 §2.3).
    UnsupportedResponseType,
    AccessDenied,
    UnsupportedTokenType,
    ServerError,
    // CIBA §11 (the RFC 8628 §3.5 codes) and §13.
    AuthorizationPending,
    SlowDown,
    ExpiredToken,
    ExpiredLoginHintToken,
    UnknownUserId,
    MissingUserCode,
    InvalidUserCode,
    InvalidBindingMessage,
    /// Not a CIBA §13 code: only the `ciba-request-object-error-code` fault sends it.
    InvalidRequestObject,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::ServerError => "server_error",
            ErrorCode::AuthorizationPending => "authorization_pending",
            ErrorCode::SlowDown => "slow_down",
            ErrorCode::ExpiredToken => "expired_token",
            ErrorCode::ExpiredLoginHintToken => "expired_login_hint_token",
            ErrorCode::UnknownUserId => "unknown_user_id",
            ErrorCode::MissingUserCode => "missing_user_code",
            ErrorCode::InvalidUserCode => "invalid_user_code",
            ErrorCode::InvalidBindingMessage => "invalid_binding_message",
            ErrorCode::InvalidRequestObject => "invalid_request_object",
        }
    }
}

impl ErrorCode {
    /// The code of an authorization error (RFC 6749 §4.1.2.1) when it is returned
    /// directly, as RFC 9126 §2.3 has the PAR endpoint do; `invalid_request` ("the
    /// default error code") for any other.
    pub fn of_authorization_error(code: &str) -> ErrorCode {
        match code {
            "unauthorized_client" => ErrorCode::UnauthorizedClient,
            "unsupported_response_type" => ErrorCode::UnsupportedResponseType,
            "invalid_scope" => ErrorCode::InvalidScope,
            "access_denied" => ErrorCode::AccessDenied,
            "invalid_request_object" => ErrorCode::InvalidRequestObject,
            _ => ErrorCode::InvalidRequest,
        }
    }
}

/// How an error body is encoded: JSON as RFC 6749 §5.2 requires, or plain text for the
/// faults that break exactly that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFormat {
    Json,
    PlainText,
}

/// One OAuth error response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} ({}): {description}", code.as_str(), status.as_u16())]
pub struct OAuthError {
    pub status: StatusCode,
    pub code: ErrorCode,
    /// Human-readable, ASCII, never echoing request data (see [`sanitize_description`]).
    pub description: String,
    /// Send `WWW-Authenticate: Basic realm=...`. RFC 9110 §15.5.2 requires a challenge on
    /// every 401; RFC 6749 §5.2 requires one matching Basic when the client tried Basic.
    pub www_authenticate: bool,
}

impl OAuthError {
    pub fn new(status: StatusCode, code: ErrorCode, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            code,
            description: description.into(),
            www_authenticate: status == StatusCode::UNAUTHORIZED,
        }
    }

    /// 400 `invalid_request`: missing, repeated or malformed parameter (RFC 6749 §5.2).
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidRequest,
            description,
        )
    }

    /// 401 `invalid_client` with a Basic challenge (RFC 6749 §5.2).
    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidClient,
            description,
        )
    }

    /// 400 `invalid_grant`: an invalid, expired, revoked or misbound code or refresh token
    /// (RFC 6749 §5.2).
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidGrant,
            description,
        )
    }

    /// 400 `unauthorized_client`: the client may not use this grant or operation.
    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::UnauthorizedClient,
            description,
        )
    }

    /// 400 `unsupported_grant_type` (RFC 6749 §5.2).
    pub fn unsupported_grant_type(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::UnsupportedGrantType,
            description,
        )
    }

    /// 400 `invalid_scope` (RFC 6749 §5.2).
    pub fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidScope,
            description,
        )
    }

    /// 400 with `code` (the CIBA §11 and §13 codes).
    pub fn bad_request(code: ErrorCode, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, description)
    }

    /// Replaces the HTTP status, keeping everything else.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Renders the error. JSON: `{"error":..., "error_description":...}` as
    /// `application/json` (RFC 6749 §5.2).
    pub fn to_response(&self, format: ErrorFormat) -> Response {
        let description = sanitize_description(&self.description);
        let mut response = match format {
            ErrorFormat::Json => (
                self.status,
                axum::Json(json!({
                    "error": self.code.as_str(),
                    "error_description": description,
                })),
            )
                .into_response(),
            ErrorFormat::PlainText => (
                self.status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("{}: {description}\n", self.code.as_str()),
            )
                .into_response(),
        };
        if self.www_authenticate {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, basic_challenge());
        }
        response
    }
}

/// `Basic realm="oauth2spec-reference"`.
/// A 200 JSON object response; `wrong_content_type` (a fault) sends the same body as
/// text/plain, which RFC 7662 §2.2 and OIDC Core §5.3.2 both rule out.
pub fn json_ok(
    object: serde_json::Map<String, serde_json::Value>,
    wrong_content_type: bool,
) -> Response {
    let content_type = if wrong_content_type {
        "text/plain; charset=utf-8"
    } else {
        "application/json"
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type)],
        serde_json::Value::Object(object).to_string(),
    )
        .into_response()
}

pub fn basic_challenge() -> HeaderValue {
    HeaderValue::from_static(r#"Basic realm="oauth2spec-reference""#)
}

/// RFC 6749 §5.2: `error_description` MUST NOT include characters outside
/// %x20-21 / %x23-5B / %x5D-7E, so quotes, backslashes and non-ASCII are dropped.
pub fn sanitize_description(description: &str) -> String {
    description
        .chars()
        .filter(|c| matches!(*c as u32, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
        .collect()
}

/// A non-OAuth JSON error such as `{"error":"not_found"}`.
pub fn plain_error(status: StatusCode, error: &'static str) -> Response {
    (status, axum::Json(json!({ "error": error }))).into_response()
}

/// 404 for every path the configured layout does not serve.
pub async fn not_found() -> Response {
    plain_error(StatusCode::NOT_FOUND, "not_found")
}

/// 405 for a method an endpoint does not accept; `allow` lists the ones it does.
pub fn method_not_allowed(allow: &'static str, format: ErrorFormat) -> Response {
    let mut response = OAuthError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::InvalidRequest,
        format!("this endpoint accepts only {allow}"),
    )
    .to_response(format);
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_restricted_to_the_allowed_characters() {
        assert_eq!(sanitize_description("a \"b\" \\c é"), "a b c ");
    }
}
