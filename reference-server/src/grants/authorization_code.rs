//! The authorization code grant (RFC 6749 §4.1): issuing a code once the user approved,
//! and exchanging it at the token endpoint (§4.1.3) with PKCE (RFC 7636 §4.6).

use std::sync::atomic::Ordering;
use std::time::SystemTime;

use crate::authz_request::{AuthRequest, OPENID};
use crate::codes::{CodeRecord, Redemption};
use crate::errors::OAuthError;
use crate::fixtures::ClientFixture;
use crate::form::Form;
use crate::grants::{
    TokenResponse, access_token_ttl, issue_access_token_in_grant, issue_refresh_token, new_grant_id,
};
use crate::id_token::{self, IdTokenClaims};
use crate::pkce::{self, Challenge, Method};
use crate::policy::Policy;
use crate::response_mode::Outcome;
use crate::session::Session;
use crate::state::AppState;
use crate::store::{new_opaque_token, revocation_now};

pub const GRANT_TYPE: &str = "authorization_code";

/// Issues a code for an approved request (RFC 6749 §4.1.2): "The authorization code MUST
/// expire shortly after it is issued ... The client MUST NOT use the authorization code
/// more than once."
pub fn issue_code(state: &AppState, request: &AuthRequest, session: &Session) -> Outcome {
    let mut code = if !state.policy.code.random {
        format!(
            "code-{}",
            state.code_counter.fetch_add(1, Ordering::Relaxed)
        )
    } else {
        // RFC 6749 §10.10: 256 random bits.
        new_opaque_token()
    };
    if !state.policy.pkce.challenge_hidden
        && let Some(challenge) = &request.challenge
    {
        code = format!("{code}.{}", challenge.value);
    }
    let now = SystemTime::now();
    state.codes.insert(
        code.clone(),
        CodeRecord {
            client_id: request.target.client_id.clone(),
            subject: session.subject.clone(),
            scope: request.scope(),
            redirect_uri: request.target.redirect_uri.clone(),
            redirect_uri_sent: request.redirect_uri_sent,
            challenge: request.challenge.clone(),
            nonce: request.nonce.clone(),
            auth_time: session.auth_time,
            expires_at: now + state.policy.code.lifetime,
            grant_id: new_grant_id(),
        },
    );
    Outcome::Success(vec![("code", code)])
}

/// Exchanges a code (RFC 6749 §4.1.3) for the authenticated (or, if public, identified)
/// `client`.
pub fn grant(
    state: &AppState,
    client: &ClientFixture,
    form: &Form,
) -> Result<TokenResponse, OAuthError> {
    if !client.has_grant_type(GRANT_TYPE) {
        return Err(OAuthError::unauthorized_client(
            "the client is not registered for authorization_code",
        ));
    }
    // RFC 6749 §4.1.3: code is REQUIRED; §5.2: a missing parameter is invalid_request.
    let Some(code) = form.get("code") else {
        if !state.policy.code.missing_is_invalid_request {
            return Err(invalid_grant("the code is missing"));
        }
        return Err(OAuthError::invalid_request("code is missing"));
    };
    let redirect_uri = form.get("redirect_uri");
    let verifier = form.get("code_verifier");
    let redemption = state
        .codes
        .redeem(code, !state.policy.code.single_use, |record, history| {
            check(
                &state.policy,
                client,
                record,
                history,
                redirect_uri,
                verifier,
            )
        });
    match redemption {
        Redemption::Redeemed(record) => Ok(tokens(
            state,
            client,
            &record.subject,
            &record.scope,
            &record.grant_id,
            record.nonce.as_deref(),
            record.auth_time,
        )),
        Redemption::Refused(error) => Err(error),
        Redemption::Replayed { grant_id } => {
            // RFC 6749 §4.1.2: "If an authorization code is used more than once, the
            // authorization server MUST deny the request and SHOULD revoke (when possible)
            // all tokens previously issued based on that authorization code."
            if state.policy.code.replay_revokes_tokens {
                state.store.revoke_grant(&grant_id, revocation_now());
            }
            Err(invalid_grant("the code was already used"))
        }
        Redemption::Expired => Err(invalid_grant("the code has expired")),
        Redemption::Unknown if !state.policy.code.unknown_refused => {
            let subject = state.config.fixtures.first_subject();
            let scope = client.scope.clone();
            Ok(tokens(
                state,
                client,
                &subject,
                &scope,
                &new_grant_id(),
                None,
                SystemTime::now(),
            ))
        }
        // RFC 6749 §5.2 invalid_grant: "The provided authorization grant ... is invalid,
        // expired, revoked".
        Redemption::Unknown => Err(invalid_grant("the code is not valid")),
    }
}

fn invalid_grant(description: &str) -> OAuthError {
    OAuthError::invalid_grant(description)
}

/// The bindings of RFC 6749 §4.1.3 and RFC 7636 §4.6, checked with the code still held.
fn check(
    policy: &Policy,
    client: &ClientFixture,
    record: &CodeRecord,
    history: &[Challenge],
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Result<(), OAuthError> {
    // §4.1.3: "ensure that the authorization code was issued to the authenticated
    // confidential client, or if the client is public, ensure that the code was issued to
    // "client_id" in the request".
    if record.client_id != client.client_id && policy.code.bound_to_client {
        return Err(invalid_grant("the code was issued to another client"));
    }
    // §4.1.3: "ensure that the "redirect_uri" parameter is present if the "redirect_uri"
    // parameter was included in the initial authorization request ..., and if included
    // ensure that their values are identical."
    match redirect_uri {
        None if record.redirect_uri_sent && policy.code.redirect_uri_required => {
            return Err(invalid_grant(
                "redirect_uri is required: the authorization request had one",
            ));
        }
        Some(uri) if uri != record.redirect_uri && policy.code.redirect_uri_compared => {
            return Err(invalid_grant(
                "redirect_uri differs from the authorization request's",
            ));
        }
        _ => {}
    }
    match (&record.challenge, verifier) {
        // RFC 7636 §4.6 / RFC 9700 §2.1.1: a code bound to a challenge needs the verifier.
        (Some(_), None) if policy.pkce.verifier_required => {
            Err(invalid_grant("code_verifier is required"))
        }
        (Some(_), None) => Ok(()),
        (Some(challenge), Some(verifier)) => {
            // RFC 7636 §4.1: 43 to 128 unreserved characters.
            if !pkce::is_well_formed(verifier) && policy.pkce.verifier_syntax_checked {
                return Err(OAuthError::invalid_request(
                    "code_verifier must be 43 to 128 unreserved characters",
                ));
            }
            let s256 = challenge.method == Method::S256;
            let matches = pkce::verify(challenge, verifier)
                || (s256 && !policy.pkce.s256_verified)
                || (s256
                    && !policy.pkce.plain_downgrade_refused
                    && pkce::constant_time_eq(verifier, &challenge.value))
                || (!policy.pkce.verifier_bound_to_code
                    && history.iter().any(|c| pkce::verify(c, verifier)));
            if matches {
                Ok(())
            } else {
                // RFC 7636 §4.6: "If the values are not equal, an error response indicating
                // "invalid_grant" ... MUST be returned."
                Err(invalid_grant(
                    "code_verifier does not match the code_challenge",
                ))
            }
        }
        // RFC 9700 §2.1.1 / §4.8.2 (PKCE downgrade): "authorization servers MUST ... ensure
        // that if there was no code_challenge in the authorization request, a request to
        // the token endpoint containing a code_verifier is rejected."
        (None, Some(_)) if policy.pkce.verifier_needs_challenge => Err(invalid_grant(
            "code_verifier was sent but the authorization request had no code_challenge",
        )),
        (None, _) => Ok(()),
    }
}

/// The token response of a code exchange (RFC 6749 §4.1.4, OIDC Core §3.1.3.3); the
/// device grant issues the same (RFC 8628 §3.5).
pub(crate) fn tokens(
    state: &AppState,
    client: &ClientFixture,
    subject: &str,
    scope: &str,
    grant_id: &str,
    nonce: Option<&str>,
    auth_time: SystemTime,
) -> TokenResponse {
    let access = issue_access_token_in_grant(state, client, subject, scope, grant_id);
    let refresh_token = client
        .has_grant_type(super::refresh_token::GRANT_TYPE)
        .then(|| issue_refresh_token(state, client, subject, scope, grant_id));
    let id_token = scope
        .split(' ')
        .any(|s| s == OPENID)
        .then(|| {
            id_token::issue(
                state,
                &IdTokenClaims {
                    client_id: &client.client_id,
                    subject,
                    nonce,
                    auth_time,
                    ttl: access_token_ttl(state, client),
                },
            )
        })
        .flatten();
    TokenResponse {
        access_token: access.token,
        token_type: Some("Bearer"),
        expires_in: Some(access.expires_in),
        refresh_token,
        scope: (!scope.is_empty()).then(|| scope.to_string()),
        id_token,
    }
}
