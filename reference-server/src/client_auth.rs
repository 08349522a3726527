//! Client authentication at the token, introspection and revocation endpoints
//! (RFC 6749 §2.3; RFC 7009 §2.1 and RFC 7662 §2.1 reuse it).
//!
//! Supported: HTTP Basic (`client_secret_basic`), credentials in the body
//! (`client_secret_post`), JWT assertions (`private_key_jwt`, `client_secret_jwt`: RFC 7523,
//! see [`crate::client_assertion`]), and public clients that only identify with `client_id`
//! (`none`). A client must use the method it is registered with.

use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::client_assertion::{self, AssertionContext, Failure};
use crate::errors::{ErrorCode, OAuthError};
use std::sync::Arc;

use crate::client_registry::ClientRegistry;
use crate::fixtures::{AuthMethod, ClientFixture};
use crate::form::{Form, urldecode_component};
use crate::policy::ClientAuthPolicy;

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No client credentials and no `client_id` at all.
    Anonymous,
    /// A confidential client that proved its secret, or a public client that named itself.
    /// RFC 6749 §2.3: a public client's `client_id` is not proof of identity, so callers
    /// must check [`ClientFixture::is_confidential`] before granting confidential privileges.
    Client(Arc<ClientFixture>),
}

/// Why client authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientAuthError {
    /// RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each
    /// request." Reported as `invalid_request`.
    #[error("more than one client authentication method was used")]
    MultipleMethods,
    /// The body's `client_id` names another client than the Basic credentials.
    #[error("client_id in the body differs from the client in the Authorization header")]
    ConflictingClientId,
    /// Unknown client, wrong secret, wrong method or missing secret: `invalid_client`.
    #[error("{reason}")]
    Failed {
        /// The client tried the `Authorization` header (RFC 6749 §5.2 then requires 401 with
        /// a matching `WWW-Authenticate` challenge).
        authorization_header: bool,
        reason: &'static str,
    },
    /// Under `assertion-wrong-error-code`: a failed assertion reported as `invalid_request`.
    #[error("{0}")]
    WrongCode(&'static str),
    /// Under `assertion-malformed-500`: the server fails on a malformed assertion.
    #[error("internal error")]
    Crashed,
}

impl ClientAuthError {
    /// Whether the failed attempt used the `Authorization` header.
    pub fn used_authorization_header(&self) -> bool {
        matches!(
            self,
            ClientAuthError::Failed {
                authorization_header: true,
                ..
            }
        )
    }

    /// The strict OAuth error: 400 `invalid_request` for mixed methods, otherwise 401
    /// `invalid_client` with a Basic challenge (RFC 6749 §5.2).
    pub fn to_oauth_error(&self) -> OAuthError {
        match self {
            ClientAuthError::MultipleMethods | ClientAuthError::ConflictingClientId => {
                OAuthError::invalid_request(self.to_string())
            }
            ClientAuthError::Failed { reason, .. } => {
                OAuthError::new(StatusCode::UNAUTHORIZED, ErrorCode::InvalidClient, *reason)
            }
            ClientAuthError::WrongCode(reason) => OAuthError::invalid_request(*reason),
            ClientAuthError::Crashed => OAuthError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::ServerError,
                "internal error",
            ),
        }
    }
}

/// Credentials taken from the `Authorization: Basic` header.
struct BasicCredentials {
    client_id: String,
    secret: String,
}

/// Authenticates the caller of an endpoint with that endpoint's `policy`; `jwt` checks
/// client assertions.
pub fn authenticate(
    clients: &ClientRegistry,
    policy: ClientAuthPolicy,
    jwt: &AssertionContext<'_>,
    headers: &HeaderMap,
    form: &Form,
) -> Result<Caller, ClientAuthError> {
    let body_id = form.get("client_id");
    let body_secret = form.get("client_secret");

    if let Some(assertion) = form.get("client_assertion") {
        // RFC 7521 §4.2.1: the use of "more than one mechanism" with an assertion: "The
        // value of the error parameter MUST be the invalid_client error code".
        if headers.contains_key(header::AUTHORIZATION) || body_secret.is_some() {
            return Err(if jwt.policy.mixed_is_invalid_client {
                ClientAuthError::Failed {
                    authorization_header: headers.contains_key(header::AUTHORIZATION),
                    reason: "more than one client authentication mechanism was used",
                }
            } else {
                ClientAuthError::MultipleMethods
            });
        }
        let assertion_type = form.get("client_assertion_type");
        return match client_assertion::authenticate(
            clients,
            jwt,
            assertion_type,
            assertion,
            body_id,
        ) {
            Ok(client) => Ok(Caller::Client(client)),
            Err(Failure::Crash) => Err(ClientAuthError::Crashed),
            // RFC 7523 §3.2: "the value of the error parameter MUST be the invalid_client".
            Err(Failure::Invalid(reason)) if jwt.policy.invalid_client_code => {
                Err(body_failure(reason))
            }
            Err(Failure::Invalid(reason)) => Err(ClientAuthError::WrongCode(reason)),
        };
    }
    // RFC 7591 §2: a JWT client "MUST" use its registered method; the fault lets a
    // client_secret_jwt client send its secret as well.
    let secret_jwt_too = |c: &ClientFixture| {
        !jwt.policy.method_bound && c.auth_method() == Some(AuthMethod::ClientSecretJwt)
    };

    if let Some(basic) = basic_credentials(policy, headers)? {
        // RFC 6749 §2.3: one authentication method per request.
        if body_secret.is_some() {
            return Err(ClientAuthError::MultipleMethods);
        }
        if body_id.is_some_and(|id| id != basic.client_id) {
            return Err(ClientAuthError::ConflictingClientId);
        }
        let client = clients
            .client(&basic.client_id)
            .ok_or(basic_failure("unknown client"))?;
        if client.auth_method() != Some(AuthMethod::ClientSecretBasic) && !secret_jwt_too(&client) {
            return Err(basic_failure(
                "the client is not registered for client_secret_basic",
            ));
        }
        check_secret(policy, &client, &basic.secret)
            .ok_or(basic_failure("client authentication failed"))?;
        return Ok(Caller::Client(client));
    }

    match (body_id, body_secret) {
        (None, None) => Ok(Caller::Anonymous),
        (None, Some(_)) => Err(body_failure("client_secret was sent without client_id")),
        (Some(id), Some(secret)) => {
            let client = clients.client(id).ok_or(body_failure("unknown client"))?;
            if client.auth_method() != Some(AuthMethod::ClientSecretPost)
                && !secret_jwt_too(&client)
            {
                return Err(body_failure(
                    "the client is not registered for client_secret_post",
                ));
            }
            check_secret(policy, &client, secret)
                .ok_or(body_failure("client authentication failed"))?;
            Ok(Caller::Client(client))
        }
        (Some(id), None) => {
            let client = clients.client(id).ok_or(body_failure("unknown client"))?;
            if client.auth_method() == Some(AuthMethod::None) {
                Ok(Caller::Client(client))
            } else {
                // RFC 6749 §3.2.1: confidential clients MUST authenticate.
                Err(body_failure("the client must authenticate"))
            }
        }
    }
}

/// Reads `Authorization: Basic`; `Ok(None)` when the header is absent.
fn basic_credentials(
    policy: ClientAuthPolicy,
    headers: &HeaderMap,
) -> Result<Option<BasicCredentials>, ClientAuthError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(basic_failure("more than one Authorization header"));
    }
    let value = value
        .to_str()
        .map_err(|_| basic_failure("malformed Authorization header"))?;
    let value = value.trim();
    let (scheme, encoded) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(basic_failure(
            "unsupported authentication scheme; use Basic",
        ));
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .map_err(|_| basic_failure("malformed Basic credentials"))?;
    let decoded =
        String::from_utf8(decoded).map_err(|_| basic_failure("malformed Basic credentials"))?;
    // RFC 7617 §2: the user-id cannot contain ':', so split at the first one.
    let (raw_id, raw_secret) = decoded
        .split_once(':')
        .ok_or(basic_failure("malformed Basic credentials"))?;
    if !policy.basic_urldecoded {
        return Ok(Some(BasicCredentials {
            client_id: raw_id.to_string(),
            secret: raw_secret.to_string(),
        }));
    }
    // RFC 6749 §2.3.1: id and secret are form-urlencoded (Appendix B) before Base64.
    Ok(Some(BasicCredentials {
        client_id: urldecode_component(raw_id),
        secret: urldecode_component(raw_secret),
    }))
}

/// `Some(())` when `presented` is the client's secret.
fn check_secret(policy: ClientAuthPolicy, client: &ClientFixture, presented: &str) -> Option<()> {
    let registered = client.client_secret.as_deref()?;
    if !policy.secret_checked {
        return Some(());
    }
    // Compare digests in constant time so that neither content nor length leaks.
    let equal: bool = Sha256::digest(presented.as_bytes())
        .ct_eq(&Sha256::digest(registered.as_bytes()))
        .into();
    equal.then_some(())
}

fn basic_failure(reason: &'static str) -> ClientAuthError {
    ClientAuthError::Failed {
        authorization_header: true,
        reason,
    }
}

fn body_failure(reason: &'static str) -> ClientAuthError {
    ClientAuthError::Failed {
        authorization_header: false,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;
    use axum::http::HeaderValue;

    const STRICT: ClientAuthPolicy = ClientAuthPolicy {
        secret_checked: true,
        basic_urldecoded: true,
    };

    /// `authenticate` with the strict policies.
    fn authenticate(
        fixtures: &Fixtures,
        policy: ClientAuthPolicy,
        headers: &HeaderMap,
        form: &Form,
    ) -> Result<Caller, ClientAuthError> {
        let cache = client_assertion::JtiCache::new();
        let jwt = AssertionContext {
            policy: crate::policy::AssertionPolicy::STRICT,
            audiences: vec!["http://as.example".into()],
            replay: &cache,
        };
        super::authenticate(&ClientRegistry::new(fixtures), policy, &jwt, headers, form)
    }

    fn basic(id: &str, secret: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&value).expect("header"),
        );
        headers
    }

    const ENCODED_SECRET: &str = "s3cr%3At%2B%25%2F%3DZq9%26x+y";

    #[test]
    fn basic_with_reserved_characters_is_urldecoded() {
        let fixtures = Fixtures::builtin();
        let caller = authenticate(
            &fixtures,
            STRICT,
            &basic("conf-basic", ENCODED_SECRET),
            &Form::default(),
        );
        assert!(matches!(caller, Ok(Caller::Client(c)) if c.client_id == "conf-basic"));
        // The raw secret is not the urlencoded form: rejected.
        let raw = authenticate(
            &fixtures,
            STRICT,
            &basic("conf-basic", "s3cr:t+%/=Zq9&x y"),
            &Form::default(),
        );
        assert!(matches!(raw, Err(e) if e.used_authorization_header()));
        // Percent-encoding an unreserved character is still the same id.
        let variant = authenticate(
            &fixtures,
            STRICT,
            &basic("conf%2Dbasic", ENCODED_SECRET),
            &Form::default(),
        );
        assert!(variant.is_ok());
    }

    #[test]
    fn mixed_methods_are_invalid_request() {
        let fixtures = Fixtures::builtin();
        let form = Form::from_pairs([("client_id", "conf-basic"), ("client_secret", "x")]);
        let err = authenticate(
            &fixtures,
            STRICT,
            &basic("conf-basic", ENCODED_SECRET),
            &form,
        )
        .expect_err("mixed");
        assert_eq!(err, ClientAuthError::MultipleMethods);
        assert_eq!(err.to_oauth_error().code, ErrorCode::InvalidRequest);
    }

    #[test]
    fn registered_method_is_enforced() {
        let fixtures = Fixtures::builtin();
        // conf-basic may not use client_secret_post.
        let form = Form::from_pairs([
            ("client_id", "conf-basic"),
            ("client_secret", "s3cr:t+%/=Zq9&x y"),
        ]);
        assert!(authenticate(&fixtures, STRICT, &HeaderMap::new(), &form).is_err());
        // conf-post with client_secret_post works.
        let form = Form::from_pairs([
            ("client_id", "conf-post"),
            ("client_secret", "second-client-secret-7f3a"),
        ]);
        assert!(authenticate(&fixtures, STRICT, &HeaderMap::new(), &form).is_ok());
        // A confidential client naming itself only is not authenticated.
        let form = Form::from_pairs([("client_id", "conf-post")]);
        assert!(authenticate(&fixtures, STRICT, &HeaderMap::new(), &form).is_err());
        // A public client names itself.
        let form = Form::from_pairs([("client_id", "public-app")]);
        assert!(matches!(
            authenticate(&fixtures, STRICT, &HeaderMap::new(), &form),
            Ok(Caller::Client(c)) if !c.is_confidential()
        ));
        assert_eq!(
            authenticate(&fixtures, STRICT, &HeaderMap::new(), &Form::default()),
            Ok(Caller::Anonymous)
        );
    }

    #[test]
    fn garbage_authorization_headers_fail_cleanly() {
        let fixtures = Fixtures::builtin();
        for value in ["Basic", "Basic !!!", "Bearer abc", "Basic Zm9v", ""] {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::AUTHORIZATION,
                HeaderValue::from_str(value).expect("header"),
            );
            let result = authenticate(&fixtures, STRICT, &headers, &Form::default());
            assert!(result.is_err(), "{value}");
        }
    }
}
