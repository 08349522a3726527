//! Every fault has an observable effect: each fault's scenario is run against the strict
//! server and against a server with only that fault, and the observations must differ.
//! A new fault without a scenario observes the same thing on both servers (the families'
//! modules answer "not a ... fault"), so this test fails until the fault has one.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::http::header;
use serde_json::Value;

mod scenarios;

use super::flow::*;
use super::*;
use crate::state::AppState;

struct TestServer {
    router: Router,
    state: Arc<AppState>,
}

fn server(faults: &[Fault]) -> TestServer {
    let state = Arc::new(AppState::new(config_with(Layout::Generic, faults), BASE).expect("state"));
    TestServer {
        router: crate::router(state.clone()),
        state,
    }
}

fn show(value: &Value) -> String {
    value.to_string()
}

async fn revoke(router: &Router, auth: Auth<'_>, pairs: &[(&str, &str)]) -> Reply {
    post_form(router, "/revoke", auth, pairs).await
}

/// What the server does in the scenario that `fault` is about.
async fn observe(fault: Fault, server: &TestServer) -> String {
    let r = &server.router;
    let cc = [("grant_type", "client_credentials")];
    match fault {
        Fault::TokenMissingNoStore => {
            let reply = post_form(r, "/token", conf(), &cc).await;
            format!("{:?}", reply.header(header::CACHE_CONTROL))
        }
        Fault::TokenMissingPragma => {
            let reply = post_form(r, "/token", conf(), &cc).await;
            format!("{:?}", reply.header(header::PRAGMA))
        }
        Fault::TokenMissingTokenType => {
            show(&post_form(r, "/token", conf(), &cc).await.json()["token_type"])
        }
        Fault::TokenNoExpiresIn => {
            show(&post_form(r, "/token", conf(), &cc).await.json()["expires_in"])
        }
        Fault::TokenBasicFailure400 => {
            let reply = post_form(r, "/token", Auth::Basic(CONF_ID, "wrong"), &cc).await;
            format!("{} {:?}", reply.status, reply.error())
        }
        Fault::TokenBasicNoWwwAuthenticate => {
            let reply = post_form(r, "/token", Auth::Basic(CONF_ID, "wrong"), &cc).await;
            format!(
                "{} {:?}",
                reply.status,
                reply.header(header::WWW_AUTHENTICATE)
            )
        }
        Fault::TokenBasicNoUrldecode => {
            post_form(r, "/token", conf(), &cc).await.status.to_string()
        }
        Fault::TokenWrongSecretAccepted => {
            let reply = post_form(r, "/token", Auth::Basic(CONF_ID, "wrong"), &cc).await;
            reply.status.to_string()
        }
        Fault::TokenUnsupportedGrantWrongCode => {
            let reply = post_form(r, "/token", conf(), &[("grant_type", "urn:example:nope")]).await;
            format!("{:?}", reply.error())
        }
        Fault::TokenMissingGrantTypeAccepted => {
            post_form(r, "/token", conf(), &[]).await.status.to_string()
        }
        Fault::TokenDuplicateParamAccepted => {
            let pairs = [
                ("grant_type", "client_credentials"),
                ("grant_type", "client_credentials"),
            ];
            post_form(r, "/token", conf(), &pairs)
                .await
                .status
                .to_string()
        }
        Fault::TokenErrorNotJson => {
            let reply = post_form(r, "/token", conf(), &[("grant_type", "urn:example:nope")]).await;
            format!(
                "{:?} {}",
                reply.header(header::CONTENT_TYPE),
                reply.json().is_object()
            )
        }
        Fault::TokenScopeWidened => {
            let pairs = [
                ("grant_type", "client_credentials"),
                ("scope", "read admin"),
            ];
            let reply = post_form(r, "/token", second(), &pairs).await;
            format!("{} {}", reply.status, reply.json()["scope"])
        }

        Fault::RevokeUnknownToken400 => revoke(r, conf(), &[("token", "no-such-token")])
            .await
            .status
            .to_string(),
        Fault::RevokeRevokedToken400 => {
            let token = token_for(r, conf()).await;
            revoke(r, conf(), &[("token", &token)]).await;
            revoke(r, conf(), &[("token", &token)])
                .await
                .status
                .to_string()
        }
        Fault::RevokeMissingToken200 => revoke(r, conf(), &[]).await.status.to_string(),
        Fault::RevokeNoClientAuth => {
            let token = token_for(r, conf()).await;
            let status = revoke(r, Auth::None, &[("token", &token)]).await.status;
            format!("{status} {}", introspect(r, &token).await.json()["active"])
        }
        Fault::RevokeWrongSecretAccepted => {
            let token = token_for(r, conf()).await;
            let status = revoke(r, Auth::Basic(CONF_ID, "wrong"), &[("token", &token)])
                .await
                .status;
            format!("{status} {}", introspect(r, &token).await.json()["active"])
        }
        Fault::RevokeAccessTokenNoop => {
            let token = token_for(r, conf()).await;
            let status = revoke(r, conf(), &[("token", &token)]).await.status;
            format!("{status} {}", introspect(r, &token).await.json()["active"])
        }
        Fault::RevokeHonoursHintStrictly => {
            let token = token_for(r, conf()).await;
            let pairs = [
                ("token", token.as_str()),
                ("token_type_hint", "refresh_token"),
            ];
            let status = revoke(r, conf(), &pairs).await.status;
            format!("{status} {}", introspect(r, &token).await.json()["active"])
        }
        Fault::RevokeRejectsUnknownHint => {
            let token = token_for(r, conf()).await;
            let pairs = [("token", token.as_str()), ("token_type_hint", "foo")];
            let status = revoke(r, conf(), &pairs).await.status;
            format!("{status} {}", introspect(r, &token).await.json()["active"])
        }
        Fault::RevokeAnyClientsToken => {
            let token = token_for(r, conf()).await;
            let status = revoke(r, second(), &[("token", &token)]).await.status;
            format!("{status} {}", introspect(r, &token).await.json()["active"])
        }
        Fault::RevokeErrorNotJson => {
            let reply = revoke(r, conf(), &[]).await;
            format!(
                "{:?} {}",
                reply.header(header::CONTENT_TYPE),
                reply.json().is_object()
            )
        }

        Fault::IntrospectActiveAsString => {
            let token = token_for(r, conf()).await;
            let active = show(&introspect(r, &token).await.json()["active"]);
            let inactive = show(&introspect(r, "no-such-token").await.json()["active"]);
            format!("{active} {inactive}")
        }
        Fault::IntrospectActiveAlwaysFalse => {
            let token = token_for(r, conf()).await;
            show(&introspect(r, &token).await.json()["active"])
        }
        Fault::IntrospectUnknownToken400 => {
            let reply = introspect(r, "no-such-token").await;
            format!("{} {}", reply.status, show(&reply.json()))
        }
        Fault::IntrospectInactiveLeaksClaims => {
            let token = token_for(r, conf()).await;
            revoke(r, conf(), &[("token", &token)]).await;
            let revoked = introspect(r, &token).await.json();
            let unknown = introspect(r, "no-such-token").await.json();
            let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
            format!("{:?} {:?}", keys(&revoked), keys(&unknown))
        }
        Fault::IntrospectIgnoresRevocation => {
            let token = token_for(r, conf()).await;
            revoke(r, conf(), &[("token", &token)]).await;
            show(&introspect(r, &token).await.json()["active"])
        }
        Fault::IntrospectIgnoresExpiry => {
            let token = token_for(r, conf()).await;
            let past = SystemTime::now() - Duration::from_secs(1);
            assert!(server.state.store.set_expires_at(&token, past));
            show(&introspect(r, &token).await.json()["active"])
        }
        Fault::IntrospectMissingTokenInactive => {
            let reply = post_form(r, "/introspect", conf(), &[]).await;
            format!("{} {}", reply.status, show(&reply.json()))
        }
        Fault::IntrospectNoClientAuth => {
            let token = token_for(r, conf()).await;
            let reply = post_form(r, "/introspect", Auth::None, &[("token", &token)]).await;
            format!("{} {}", reply.status, reply.json()["active"])
        }
        Fault::IntrospectWrongSecretAccepted => {
            let token = token_for(r, conf()).await;
            let reply = post_form(
                r,
                "/introspect",
                Auth::Basic(CONF_ID, "x"),
                &[("token", &token)],
            )
            .await;
            format!("{} {}", reply.status, reply.json()["active"])
        }
        Fault::IntrospectHonoursHintStrictly => {
            let token = token_for(r, conf()).await;
            let pairs = [
                ("token", token.as_str()),
                ("token_type_hint", "refresh_token"),
            ];
            show(&post_form(r, "/introspect", conf(), &pairs).await.json()["active"])
        }
        Fault::IntrospectExpAsString => {
            let token = token_for(r, conf()).await;
            let body = introspect(r, &token).await.json();
            format!("{} {}", body["exp"].is_u64(), body["iat"].is_u64())
        }
        Fault::IntrospectWrongClientId => {
            let token = token_for(r, second()).await;
            show(&introspect(r, &token).await.json()["client_id"])
        }
        Fault::IntrospectWrongScope => {
            let token = token_for(r, conf()).await;
            show(&introspect(r, &token).await.json()["scope"])
        }
        Fault::IntrospectWrongContentType => {
            let token = token_for(r, conf()).await;
            let reply = introspect(r, &token).await;
            format!(
                "{:?} {}",
                reply.header(header::CONTENT_TYPE),
                reply.json()["active"]
            )
        }
        Fault::IntrospectCrossClient403 => {
            let token = token_for(r, second()).await;
            let own = token_for(r, conf()).await;
            let cross = introspect(r, &token).await;
            let own = introspect(r, &own).await;
            format!("{} {}", cross.status, own.status)
        }
        Fault::IntrospectMissingNoStore => {
            let token = token_for(r, conf()).await;
            format!(
                "{:?}",
                introspect(r, &token).await.header(header::CACHE_CONTROL)
            )
        }

        Fault::MetadataNoRfc8414Path => {
            let rfc = get(r, "/.well-known/oauth-authorization-server")
                .await
                .status;
            let oidc = get(r, "/.well-known/openid-configuration").await.status;
            format!("{rfc} {oidc}")
        }
        Fault::MetadataWrongContentType => {
            let reply = get(r, "/.well-known/oauth-authorization-server").await;
            format!("{:?}", reply.header(header::CONTENT_TYPE))
        }
        Fault::MetadataIssuerTrailingSlash | Fault::MetadataIssuerWithQuery => show(
            &get(r, "/.well-known/oauth-authorization-server")
                .await
                .json()["issuer"],
        ),
        Fault::MetadataMissingResponseTypes => show(
            &get(r, "/.well-known/oauth-authorization-server")
                .await
                .json()["response_types_supported"],
        ),
        Fault::UserinfoExpiredAccepted => {
            let token = openid_access_token(r).await;
            let past = SystemTime::now() - Duration::from_secs(1);
            assert!(server.state.store.set_expires_at(&token, past));
            userinfo(r, &token).await.status.to_string()
        }
        Fault::UserinfoPostUnsupported | Fault::UserinfoMultipleMethodsAccepted => {
            let token = openid_access_token(r).await;
            let bearer = format!("Bearer {token}");
            let mut agent = Agent::new(r);
            let header_only = agent
                .send(
                    axum::http::Method::POST,
                    "/userinfo",
                    &[
                        ("authorization", &bearer),
                        ("content-type", "application/x-www-form-urlencoded"),
                    ],
                    Vec::new(),
                )
                .await
                .status;
            let both = agent
                .send(
                    axum::http::Method::POST,
                    "/userinfo",
                    &[
                        ("authorization", &bearer),
                        ("content-type", "application/x-www-form-urlencoded"),
                    ],
                    format!("access_token={token}").into_bytes(),
                )
                .await
                .status;
            format!("{header_only} {both}")
        }
        Fault::UserinfoSchemeCaseSensitive => {
            let token = openid_access_token(r).await;
            let lower = format!("bearer {token}");
            Agent::new(r)
                .send(
                    axum::http::Method::GET,
                    "/userinfo",
                    &[("authorization", &lower)],
                    Vec::new(),
                )
                .await
                .status
                .to_string()
        }
        Fault::UserinfoWrongContentType | Fault::UserinfoNoSub | Fault::UserinfoSubMismatch => {
            let tokens = conf_tokens(r, &[("scope", "openid read")]).await;
            let reply = userinfo(r, str_of(&tokens, "access_token")).await;
            let id_sub = id_token_sub(str_of(&tokens, "id_token"));
            format!(
                "{:?} {}",
                reply.header(header::CONTENT_TYPE),
                reply.json()["sub"] == id_sub
            )
        }
        Fault::UserinfoRefreshTokenAccepted => {
            let tokens = conf_tokens(r, &[("scope", "openid read")]).await;
            userinfo(r, str_of(&tokens, "refresh_token"))
                .await
                .status
                .to_string()
        }
        Fault::UserinfoQueryTokenNotPrivate => {
            let token = openid_access_token(r).await;
            let reply = get(r, &format!("/userinfo?access_token={token}")).await;
            format!("{} {:?}", reply.status, reply.header(header::CACHE_CONTROL))
        }
        // Families whose scenarios run servers of their own (CIBA with its callback
        // receiver). A fault of a family its module does not handle shows no effect, which
        // `every_fault_has_an_observable_effect` reports, so none is forgotten.
        fault @ (Fault::JarRequestUriPosted
        | Fault::JarRequestUriFailureIgnored
        | Fault::JarUnsupportedRequestUriIgnored) => {
            super::request_uri::observe(fault, &on(server)).await
        }
        fault if family(fault, &["ciba-"]) => super::ciba_faults::observe(fault, &on(server)).await,
        fault if family(fault, &["device-"]) => super::device_faults::observe(fault, &on(server))
            .await
            .unwrap_or_default(),
        fault if family(fault, &["par-", "jar-"]) => {
            super::par_faults::observe(fault, &on(server)).await
        }
        fault if family(fault, &["macaroon-"]) => {
            super::macaroon::observe(fault, &on(server)).await
        }
        Fault::JwksDuplicateKid => {
            let jwks = get(r, "/jwks").await.json();
            let kids: Vec<String> = jwks["keys"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|k| k["kid"].to_string())
                .collect();
            let mut unique = kids.clone();
            unique.dedup();
            format!("{} keys, {} distinct kids", kids.len(), unique.len())
        }
        other if family(other, &["registration-"]) => {
            super::registration_faults::observe(other, r).await
        }
        // The metadata, authorization-endpoint, code, PKCE and refresh faults.
        other => scenarios::observe(other, server)
            .await
            .unwrap_or_else(|| format!("no scenario for `{other}`")),
    }
}

/// Whether `fault`'s name starts with one of `prefixes`.
fn family(fault: Fault, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| fault.name().starts_with(p))
}

/// The faults `server` runs with.
fn on(server: &TestServer) -> Vec<Fault> {
    server.state.config.faults.iter().copied().collect()
}

/// One line describing an authorization response (or the page shown instead).
fn summary(reply: &Reply) -> String {
    match callback(reply) {
        Some(cb) => format!(
            "{} {} error={:?} code={} state={:?} iss={:?}",
            cb.mode,
            cb.url.split(['?', '#']).next().unwrap_or_default(),
            cb.get("error"),
            cb.get("code").is_some() || cb.get("access_token").is_some(),
            cb.get("state"),
            cb.get("iss"),
        ),
        None => format!("page {}", reply.status),
    }
}

/// Walks an authorization request (allowing consent) and summarises the result.
async fn walk_summary(router: &Router, pairs: &[(&str, &str)]) -> String {
    let reply = Agent::new(router).authorize(pairs, Decision::Allow).await;
    summary(&reply)
}

fn implicit_request<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut pairs = vec![
        ("response_type", "token"),
        ("client_id", PUBLIC_ID),
        ("redirect_uri", CALLBACK),
        ("state", "imp"),
        ("scope", "openid read"),
    ];
    merge(&mut pairs, extra);
    pairs
}

/// Exchanges a public S256 code with `verifier` (or none).
async fn public_exchange(
    router: &Router,
    extra: &[(&str, &str)],
    verifier: Option<&str>,
) -> String {
    let code = public_code(router, extra).await;
    let mut pairs = vec![("redirect_uri", CALLBACK)];
    if let Some(verifier) = verifier {
        pairs.push(("code_verifier", verifier));
    }
    exchange(router, Auth::ClientId(PUBLIC_ID), &code, &pairs)
        .await
        .status
        .to_string()
}

async fn openid_access_token(router: &Router) -> String {
    let tokens = conf_tokens(router, &[("scope", "openid read")]).await;
    str_of(&tokens, "access_token").to_string()
}

fn id_token_sub(jwt: &str) -> Value {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = jwt.split('.').nth(1).unwrap_or_default();
    let claims: Value = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    claims["sub"].clone()
}

#[tokio::test]
async fn every_fault_has_an_observable_effect() {
    let strict = server(&[]);
    let mut silent = Vec::new();
    for &fault in Fault::ALL {
        let faulty = server(&[fault]);
        let expected = observe(fault, &strict).await;
        let observed = observe(fault, &faulty).await;
        if expected == observed {
            silent.push(format!("{fault}: {observed}"));
        }
    }
    assert!(silent.is_empty(), "faults without effect: {silent:#?}");
}

/// A fault that is about one endpoint leaves a plain client_credentials + introspection +
/// revocation round trip alone unless it is about exactly that round trip.
#[tokio::test]
async fn metadata_and_jwks_faults_leave_tokens_alone() {
    for &fault in Fault::ALL {
        let name = fault.name();
        if !(name.starts_with("metadata-")
            || name.starts_with("jwks-")
            || name.starts_with("oidc-"))
        {
            continue;
        }
        let s = server(&[fault]);
        let token = token_for(&s.router, conf()).await;
        assert_eq!(
            introspect(&s.router, &token).await.json()["active"],
            true,
            "{fault}"
        );
        let reply = post_form(&s.router, "/revoke", conf(), &[("token", &token)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{fault}");
    }
}

#[test]
fn names_parse_back() {
    for &fault in Fault::ALL {
        assert_eq!(fault.name().parse::<Fault>(), Ok(fault));
        assert!(!fault.description().is_empty());
    }
    assert!("no-such-fault".parse::<Fault>().is_err());
}
