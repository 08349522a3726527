//! The observable effect of each RFC 9126 fault (see `faults::every_fault_has_an_observable_effect`):
//! one scenario per fault, run against the strict server and against the faulty one.

use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use serde_json::json;

use super::*;
use crate::authz_request::{self, Checked, Pending};
use crate::endpoints::par::{Resolved, resolve};
use crate::form::Form;
use crate::state::AppState;

const CALLBACK: &str = "http://127.0.0.1:8400/callback";

/// What a resolution came to, without the random parts.
fn summary(resolved: &Resolved) -> String {
    match resolved {
        Resolved::FrontChannel => "front channel".into(),
        Resolved::Refused(why) => format!("refused: {why}"),
        Resolved::ByValue(form) => format!("by value state={:?}", form.get("state")),
        Resolved::ObjectError {
            code, description, ..
        } => format!("{code}: {description}"),
        Resolved::UriUnsupported => "request_uri not supported".into(),
        Resolved::Pushed(form) => format!(
            "pushed state={:?} challenge={:?}",
            form.get("state"),
            form.get("code_challenge").is_some()
        ),
    }
}

/// An HS256 JWT over `claims` keyed by `secret` (OIDC Core §10.1 symmetric signing).
fn hs256(claims: &serde_json::Value, secret: &str) -> String {
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    let Ok(key) = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()) else {
        return String::new();
    };
    jsonwebtoken::encode(&header, claims, &key).unwrap_or_default()
}

/// An unsecured JWT (RFC 7519 §6).
fn unsecured(claims: &serde_json::Value) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let part = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.", part(&json!({"alg": "none"})), part(claims))
}

/// The scenario of `fault` on a generic server with `faults`.
pub async fn observe(fault: Fault, faults: &[Fault]) -> String {
    let mut config = config_with(Layout::Generic, faults);
    if fault == Fault::ParRequestUriNeverExpires {
        config.par_ttl = Duration::ZERO;
    }
    let state = Arc::new(AppState::new(config, BASE).expect("state"));
    let r = &crate::router(state.clone());
    let push = |auth: Auth<'static>, extra: Vec<(&'static str, &'static str)>| async move {
        let mut pairs = vec![
            ("response_type", "code"),
            ("redirect_uri", CALLBACK),
            ("state", "s1"),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
        ];
        pairs.extend(extra);
        post_form(r, "/par", auth, &pairs).await
    };
    let pushed_uri = || async {
        push(conf(), vec![]).await.json()["request_uri"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let front = |client_id: Option<&str>, uri: &str, extra: &[(&str, &str)]| {
        let mut pairs: Vec<(String, String)> = vec![("request_uri".into(), uri.into())];
        if let Some(id) = client_id {
            pairs.push(("client_id".into(), id.into()));
        }
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Form::from_pairs(pairs)
    };
    match fault {
        Fault::ParWrongStatus => push(conf(), vec![]).await.status.to_string(),
        Fault::ParAssertionOwnUrlRefused => {
            let aud = json!({ "aud": format!("{BASE}/par") });
            let assertion = super::assertions::key_assertion(jsonwebtoken::Algorithm::RS256, aud);
            let assertion: &'static str = Box::leak(assertion.into_boxed_str());
            let extra = vec![
                ("client_id", "conf-jwt-key"),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion),
            ];
            push(Auth::None, extra).await.status.to_string()
        }
        Fault::ParExpiresInString => push(conf(), vec![]).await.json()["expires_in"].to_string(),
        Fault::ParRequestUriGuessable => format!("long: {}", pushed_uri().await.len() > 60),
        Fault::ParGetAccepted => {
            let path = format!("/par?response_type=code&client_id={PUBLIC_ID}");
            get(r, &path).await.status.to_string()
        }
        Fault::ParWrongSecretAccepted => push(Auth::Basic(CONF_ID, "wrong"), vec![])
            .await
            .status
            .to_string(),
        Fault::ParUnauthenticatedAccepted => push(Auth::ClientId(POST_ID), vec![])
            .await
            .status
            .to_string(),
        Fault::ParRequestUriParamAccepted => push(conf(), vec![("request_uri", "urn:x")])
            .await
            .status
            .to_string(),
        Fault::ParPushedRequestNotValidated => {
            push(Auth::Basic(RESTRICTED_ID, RESTRICTED_SECRET), vec![])
                .await
                .status
                .to_string()
        }
        Fault::ParErrorNotJson => {
            let reply = push(Auth::Basic(CONF_ID, "wrong"), vec![]).await;
            format!("{:?}", reply.header(header::CONTENT_TYPE))
        }
        Fault::ParPushedChallengeDropped => {
            let uri = pushed_uri().await;
            summary(&resolve(&state, &front(Some(CONF_ID), &uri, &[])))
        }
        Fault::ParRequestUriReusable => {
            let uri = pushed_uri().await;
            let form = front(Some(CONF_ID), &uri, &[]);
            let _ = resolve(&state, &form);
            summary(&resolve(&state, &form))
        }
        Fault::ParRequestUriNotBoundToClient => {
            let uri = pushed_uri().await;
            summary(&resolve(&state, &front(Some(POST_ID), &uri, &[])))
        }
        Fault::ParRequestUriNeverExpires => {
            let uri = pushed_uri().await;
            summary(&resolve(&state, &front(Some(CONF_ID), &uri, &[])))
        }
        Fault::ParUnknownRequestUriIgnored => {
            summary(&resolve(&state, &front(Some(CONF_ID), "urn:unknown", &[])))
        }
        Fault::ParFrontChannelOverrides => {
            let uri = pushed_uri().await;
            summary(&resolve(
                &state,
                &front(Some(CONF_ID), &uri, &[("state", "s2")]),
            ))
        }
        Fault::ParClientIdOptional => {
            let uri = pushed_uri().await;
            summary(&resolve(&state, &front(None, &uri, &[])))
        }
        Fault::ParRequiredNotEnforced => {
            let path = format!(
                "/authorize?response_type=code&client_id=conf-par&redirect_uri={}&state=s",
                urlencode(CALLBACK)
            );
            let query = path.split_once('?').map_or("", |(_, q)| q);
            match authz_request::check(&state, &Form::from_query(query)) {
                Checked::Trusted {
                    pending: Pending::Error(_, error),
                    ..
                } => format!("error {}", error.code),
                other => format!("{other:?}").chars().take(20).collect(),
            }
        }
        Fault::ParRequireFlagNotBoolean => {
            let doc = get(r, "/.well-known/oauth-authorization-server")
                .await
                .json();
            doc["require_pushed_authorization_requests"].to_string()
        }
        Fault::ParPushedRequestAutoApproved => {
            let uri = pushed_uri().await;
            let path = format!(
                "/authorize?client_id={CONF_ID}&request_uri={}",
                urlencode(&uri)
            );
            let reply = get(r, &path).await;
            format!(
                "{:?}",
                reply.header(header::LOCATION).map(|l| l.contains("code="))
            )
        }
        Fault::JarSignatureNotVerified
        | Fault::JarAlgNoneAccepted
        | Fault::JarAudNotChecked
        | Fault::JarLifetimeNotChecked
        | Fault::JarClientIdMismatchAccepted
        | Fault::JarNestedRequestUriAccepted => {
            let Some(client) = state.config.fixtures.client_by_role("jwt_secret") else {
                return "no jwt_secret client".into();
            };
            let mut claims = json!({ "client_id": client.client_id, "state": "s1" });
            let mut secret = client.client_secret.clone().unwrap_or_default();
            match fault {
                Fault::JarSignatureNotVerified => secret.push('x'),
                Fault::JarAudNotChecked => claims["aud"] = json!("https://other.example"),
                Fault::JarLifetimeNotChecked => claims["exp"] = json!(1_000_000),
                Fault::JarClientIdMismatchAccepted => claims["client_id"] = json!(CONF_ID),
                Fault::JarNestedRequestUriAccepted => {
                    claims["request_uri"] = json!("https://c.example/r")
                }
                _ => {}
            }
            let jwt = if fault == Fault::JarAlgNoneAccepted {
                unsecured(&claims)
            } else {
                hs256(&claims, &secret)
            };
            match crate::request_object::verify(&state, client, &jwt) {
                Ok(form) => format!("accepted state={:?}", form.get("state")),
                Err(description) => format!("refused: {description}"),
            }
        }
        Fault::JarQueryParamsOverride
        | Fault::JarRequestAndUriAccepted
        | Fault::JarClientIdOutsideOptional => {
            let Some(client) = state.config.fixtures.client_by_role("jwt_secret") else {
                return "no jwt_secret client".into();
            };
            let claims = json!({ "client_id": client.client_id, "state": "s1" });
            let jwt = hs256(&claims, client.client_secret.as_deref().unwrap_or_default());
            let mut pairs = vec![("request", jwt.as_str())];
            match fault {
                Fault::JarQueryParamsOverride => {
                    pairs.extend([("client_id", client.client_id.as_str()), ("state", "s2")]);
                }
                Fault::JarRequestAndUriAccepted => {
                    pairs.extend([
                        ("client_id", client.client_id.as_str()),
                        ("request_uri", "urn:x"),
                    ]);
                }
                _ => {}
            }
            summary(&resolve(&state, &Form::from_pairs(pairs)))
        }
        Fault::JarUnsupportedRequestIgnored => {
            let doc = get(r, "/.well-known/openid-configuration").await.json();
            doc["request_parameter_supported"].to_string()
        }
        other => format!("not a PAR fault: {other}"),
    }
}
