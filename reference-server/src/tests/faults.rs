//! Every fault has an observable effect: each fault's scenario is run against the strict
//! server and against a server with only that fault, and the observations must differ.
//! The `match` in `observe` is exhaustive, so a new fault cannot be added without a scenario.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::http::header;
use serde_json::Value;

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
        Fault::RevokeDelayed => {
            let token = token_for(r, conf()).await;
            revoke(r, conf(), &[("token", &token)]).await;
            show(&introspect(r, &token).await.json()["active"])
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
        Fault::MetadataMissingTokenEndpoint => show(
            &get(r, "/.well-known/oauth-authorization-server")
                .await
                .json()["token_endpoint"],
        ),
        Fault::MetadataEmptyArray => show(
            &get(r, "/.well-known/oauth-authorization-server")
                .await
                .json()["ui_locales_supported"],
        ),
        Fault::MetadataNoneAuthAlg => show(
            &get(r, "/.well-known/oauth-authorization-server")
                .await
                .json()["token_endpoint_auth_signing_alg_values_supported"],
        ),
        Fault::MetadataNoPkceMethods => show(
            &get(r, "/.well-known/oauth-authorization-server")
                .await
                .json()["code_challenge_methods_supported"],
        ),
        Fault::MetadataArrayAsString => show(
            &get(r, "/.well-known/oauth-authorization-server")
                .await
                .json()["grant_types_supported"],
        ),
        Fault::OidcConfigIssuerMismatch => {
            let rfc = get(r, "/.well-known/oauth-authorization-server")
                .await
                .json();
            let oidc = get(r, "/.well-known/openid-configuration").await.json();
            format!("{} {}", rfc["issuer"], oidc["issuer"])
        }
        Fault::JwksLeaksPrivateKey => {
            let jwks = get(r, "/jwks").await.json();
            format!("{}", jwks["keys"][0].get("d").is_some())
        }
        // Authorization requests.
        Fault::AuthzMissingResponseTypeAccepted => {
            let pairs: Vec<(&str, &str)> = conf_request(&[])
                .into_iter()
                .filter(|(k, _)| *k != "response_type")
                .collect();
            walk_summary(r, &pairs).await
        }
        Fault::AuthzUnknownResponseTypeWrongCode => {
            walk_summary(r, &conf_request(&[("response_type", "foo")])).await
        }
        Fault::AuthzRestrictedClientAccepted => {
            walk_summary(r, &conf_request(&[("client_id", RESTRICTED_ID)])).await
        }
        Fault::AuthzInvalidScopeAccepted => {
            walk_summary(r, &conf_request(&[("scope", "read admin")])).await
        }
        Fault::AuthzErrorDescriptionQuotes => {
            let cb = callback_of(r, &conf_request(&[("scope", "read admin")])).await;
            format!("{:?}", cb.get("error_description"))
        }
        Fault::AuthzRepeatedParamAccepted => {
            walk_summary(r, &conf_request(&[("scope", "read"), ("scope", "write")])).await
        }
        Fault::AuthzUnknownParamRejected => walk_summary(r, &conf_request(&[("foo", "bar")])).await,
        Fault::AuthzEmptyRedirectUriRejected => {
            walk_summary(r, &conf_request(&[("redirect_uri", "")])).await
        }
        Fault::AuthzUnknownClientRedirects => {
            walk_summary(r, &conf_request(&[("client_id", "nobody")])).await
        }
        Fault::AuthzRedirectUriTrailingSlash => {
            walk_summary(
                r,
                &conf_request(&[("redirect_uri", "http://127.0.0.1:8400/callback/")]),
            )
            .await
        }
        Fault::AuthzRedirectUriCaseInsensitive => {
            walk_summary(
                r,
                &conf_request(&[("redirect_uri", "http://127.0.0.1:8400/CALLBACK")]),
            )
            .await
        }
        Fault::AuthzRedirectUriExtraQuery => {
            walk_summary(
                r,
                &conf_request(&[("redirect_uri", "http://127.0.0.1:8400/callback?code=evil")]),
            )
            .await
        }
        Fault::AuthzRedirectUriPrefixMatch => {
            walk_summary(
                r,
                &conf_request(&[("redirect_uri", "http://127.0.0.1:8400/callback/evil")]),
            )
            .await
        }
        Fault::AuthzRedirectUriFragmentAccepted => {
            walk_summary(
                r,
                &conf_request(&[("redirect_uri", "http://127.0.0.1:8400/callback#x")]),
            )
            .await
        }
        Fault::AuthzRedirectUriDefaultOfSeveral => {
            walk_summary(r, &[("response_type", "code"), ("client_id", POST_ID)]).await
        }
        Fault::AuthzMismatchErrorRedirects => {
            walk_summary(
                r,
                &conf_request(&[("redirect_uri", "https://evil.example/cb")]),
            )
            .await
        }
        Fault::AuthzRedirectDropsQuery => {
            let pairs = conf_request(&[("client_id", POST_ID), ("redirect_uri", TENANT_CALLBACK)]);
            format!("{:?}", callback_of(r, &pairs).await.get("tenant"))
        }
        Fault::AuthzErrorBeforeLogin => {
            let first = get(
                r,
                &format!(
                    "/authorize?{}",
                    encode(&conf_request(&[("scope", "admin")]))
                ),
            )
            .await;
            format!(
                "{:?}",
                first.header(header::LOCATION).map(|l| l.starts_with(BASE))
            )
        }
        Fault::AuthzCorsEnabled => {
            let reply = get(r, &format!("/authorize?{}", encode(&conf_request(&[])))).await;
            format!("{:?}", reply.header(header::ACCESS_CONTROL_ALLOW_ORIGIN))
        }
        Fault::AuthzPagesFrameable => {
            let mut agent = Agent::new(r);
            let first = agent
                .get(&format!("/authorize?{}", encode(&conf_request(&[]))))
                .await;
            let page = agent
                .get(first.header(header::LOCATION).unwrap_or_default())
                .await;
            format!(
                "{:?} {:?}",
                page.header(header::X_FRAME_OPTIONS),
                page.header(header::CONTENT_SECURITY_POLICY)
            )
        }
        // State and iss.
        Fault::StateDropped | Fault::IssMissing | Fault::IssWrongValue => {
            let cb = callback_of(r, &conf_request(&[])).await;
            format!("{:?} {:?}", cb.get("state"), cb.get("iss"))
        }
        Fault::StateDroppedOnError | Fault::IssMissingOnError | Fault::ConsentDenyWrongError => {
            let reply = Agent::new(r)
                .authorize(&conf_request(&[]), Decision::Deny)
                .await;
            summary(&reply)
        }
        Fault::StateAltered => {
            let cb = callback_of(r, &conf_request(&[("state", "a+b%41c")])).await;
            format!("{:?}", cb.get("state"))
        }
        Fault::StateInvented => {
            let cb = callback_of(r, &conf_request(&[("state", "")])).await;
            format!("{:?}", cb.get("state"))
        }
        Fault::IssMissingInFragment => {
            walk_summary(r, &conf_request(&[("response_mode", "fragment")])).await
        }
        // Response modes.
        Fault::CodeResponseInFragment => walk_summary(r, &conf_request(&[])).await,
        Fault::ErrorIgnoresResponseMode => {
            walk_summary(
                r,
                &conf_request(&[("response_mode", "fragment"), ("scope", "admin")]),
            )
            .await
        }
        Fault::FormPostNoAutoSubmit
        | Fault::FormPostGetMethod
        | Fault::FormPostNoStore
        | Fault::FormPostNotEscaped => {
            let state = "\"><b>x</b>";
            let page = Agent::new(r)
                .authorize(
                    &conf_request(&[("response_mode", "form_post"), ("state", state)]),
                    Decision::Allow,
                )
                .await;
            let html = page.text();
            format!(
                "onload={} post={} raw={} {:?}",
                html.contains("onload="),
                html.contains("method=\"post\""),
                html.contains("<b>x</b>"),
                page.header(header::CACHE_CONTROL)
            )
        }
        Fault::FormPostWrongAction | Fault::FormPostParamsInAction | Fault::FormPostNoState => {
            let cb = callback_of(r, &conf_request(&[("response_mode", "form_post")])).await;
            format!("{} {:?}", cb.url, cb.get("state"))
        }
        // Implicit.
        Fault::ImplicitTokenInQuery | Fault::ImplicitRefreshToken => {
            let reply = Agent::new(r)
                .authorize(&implicit_request(&[]), Decision::Allow)
                .await;
            let cb = callback(&reply);
            format!(
                "{:?} {:?}",
                cb.as_ref().map(|c| c.mode),
                cb.as_ref().map(|c| c.get("refresh_token").is_some())
            )
        }
        Fault::ImplicitQueryModeAccepted => {
            walk_summary(r, &implicit_request(&[("response_mode", "query")])).await
        }
        Fault::ImplicitErrorInQuery => {
            walk_summary(r, &implicit_request(&[("scope", "admin")])).await
        }
        // Login and consent.
        Fault::ConsentCsrfNotChecked => {
            let mut agent = Agent::new(r);
            let page = agent.authorize(&conf_request(&[]), Decision::Stop).await;
            let interaction = hidden(&page.text(), "interaction").unwrap_or_default();
            let reply = agent
                .post_form(
                    "/consent",
                    &[("interaction", &interaction), ("decision", "allow")],
                )
                .await;
            summary(&reply)
        }
        Fault::ConsentNotBoundToSession => {
            let mut alice = Agent::new(r);
            let page = alice.authorize(&conf_request(&[]), Decision::Stop).await;
            let html = page.text();
            let mut bob = Agent::new(r);
            bob.user = BOB;
            bob.authorize(&conf_request(&[]), Decision::Stop).await;
            let reply = bob.submit_consent(&html, "allow").await;
            summary(&reply)
        }
        Fault::ConsentGetAccepted => {
            let mut agent = Agent::new(r);
            let page = agent.authorize(&conf_request(&[]), Decision::Stop).await;
            let interaction = hidden(&page.text(), "interaction").unwrap_or_default();
            let reply = agent
                .get(&format!(
                    "/consent?interaction={interaction}&decision=allow"
                ))
                .await;
            summary(&reply)
        }
        Fault::LoginRedirect307 => {
            let mut agent = Agent::new(r);
            let first = agent
                .get(&format!("/authorize?{}", encode(&conf_request(&[]))))
                .await;
            let page = agent
                .get(first.header(header::LOCATION).unwrap_or_default())
                .await;
            agent
                .submit_login(&page.text(), ALICE.0, ALICE.1)
                .await
                .status
                .to_string()
        }
        Fault::LoginOpenRedirect => {
            let reply = get(r, "/login?next=https://evil.example/").await;
            format!("{} {:?}", reply.status, reply.header(header::LOCATION))
        }
        // Code exchange.
        Fault::CodeReuseAllowed | Fault::CodeReplayNoRevoke => {
            let code = conf_code(r, &[]).await;
            let first = exchange(r, conf(), &code, &[("redirect_uri", CALLBACK)])
                .await
                .json();
            let again = exchange(r, conf(), &code, &[("redirect_uri", CALLBACK)])
                .await
                .status;
            let active =
                introspect(r, str_of(&first, "access_token")).await.json()["active"].clone();
            format!("{again} {active}")
        }
        Fault::CodeNotBoundToClient => {
            let code = conf_code(r, &[]).await;
            exchange(r, second(), &code, &[("redirect_uri", CALLBACK)])
                .await
                .status
                .to_string()
        }
        Fault::CodeRedirectUriNotChecked => {
            let code = conf_code(r, &[]).await;
            exchange(
                r,
                conf(),
                &code,
                &[("redirect_uri", "http://127.0.0.1:8400/other")],
            )
            .await
            .status
            .to_string()
        }
        Fault::CodeRedirectUriNotRequired => {
            let code = conf_code(r, &[]).await;
            exchange(r, conf(), &code, &[]).await.status.to_string()
        }
        Fault::CodeUnknownAccepted => exchange(r, conf(), "no-such-code", &[])
            .await
            .status
            .to_string(),
        Fault::CodeLongLifetime => {
            let code = conf_code(r, &[]).await;
            let left = server
                .state
                .codes
                .expires_at(&code)
                .and_then(|t| t.duration_since(SystemTime::now()).ok())
                .unwrap_or_default();
            format!("{}", left > Duration::from_secs(600))
        }
        Fault::CodeMissingWrongError => {
            let reply =
                post_form(r, "/token", conf(), &[("grant_type", "authorization_code")]).await;
            format!("{:?}", reply.error())
        }
        Fault::CodeConfidentialNoSecret => {
            let code = conf_code(r, &[]).await;
            exchange(
                r,
                Auth::ClientId(CONF_ID),
                &code,
                &[("redirect_uri", CALLBACK)],
            )
            .await
            .status
            .to_string()
        }
        Fault::CodePublicNoClientId => {
            let code = public_code(r, &[]).await;
            exchange(
                r,
                Auth::None,
                &code,
                &[("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)],
            )
            .await
            .status
            .to_string()
        }
        Fault::CodeSequential | Fault::PkceChallengeInCode => {
            let code = public_code(r, &[]).await;
            format!("{} {}", code.len(), code.contains(CHALLENGE))
        }
        // PKCE.
        Fault::PkceS256NotVerified => public_exchange(r, &[], Some(OTHER_VERIFIER)).await,
        Fault::PkcePlainDowngrade => public_exchange(r, &[], Some(CHALLENGE)).await,
        Fault::PkceMissingVerifierAccepted => public_exchange(r, &[], None).await,
        Fault::PkceDefaultS256 => {
            let pairs: Vec<(&str, &str)> = public_request(&[])
                .into_iter()
                .filter(|(k, _)| *k != "code_challenge_method")
                .collect();
            let code = callback_of(r, &pairs).await.code();
            exchange(
                r,
                Auth::ClientId(PUBLIC_ID),
                &code,
                &[("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)],
            )
            .await
            .status
            .to_string()
        }
        Fault::PkceVerifierSyntaxUnchecked => {
            let short = "a".repeat(42);
            let challenge = crate::pkce::s256(&short);
            let code = public_code(r, &[("code_challenge", &challenge)]).await;
            exchange(
                r,
                Auth::ClientId(PUBLIC_ID),
                &code,
                &[("redirect_uri", CALLBACK), ("code_verifier", &short)],
            )
            .await
            .status
            .to_string()
        }
        Fault::PkceVerifierWithoutChallenge => {
            let code = conf_code(r, &[]).await;
            exchange(
                r,
                conf(),
                &code,
                &[("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)],
            )
            .await
            .status
            .to_string()
        }
        Fault::PkcePublicWithoutChallenge => {
            let pairs: Vec<(&str, &str)> = public_request(&[])
                .into_iter()
                .filter(|(k, _)| !k.starts_with("code_challenge"))
                .collect();
            walk_summary(r, &pairs).await
        }
        Fault::PkceUnsupportedMethodAccepted => {
            walk_summary(r, &public_request(&[("code_challenge_method", "S512")])).await
        }
        Fault::PkceChallengeSyntaxUnchecked => {
            walk_summary(r, &public_request(&[("code_challenge", "tooshort")])).await
        }
        Fault::PkceVerifierAnyFlow => {
            let other = crate::pkce::s256(OTHER_VERIFIER);
            let code_a = public_code(r, &[]).await;
            let _code_b = public_code(r, &[("code_challenge", &other)]).await;
            exchange(
                r,
                Auth::ClientId(PUBLIC_ID),
                &code_a,
                &[
                    ("redirect_uri", CALLBACK),
                    ("code_verifier", OTHER_VERIFIER),
                ],
            )
            .await
            .status
            .to_string()
        }
        // Refresh tokens.
        Fault::RefreshNoRotationPublic
        | Fault::RefreshOldValidAfterRotation
        | Fault::RefreshReuseNotDetected => {
            let public = Auth::ClientId(PUBLIC_ID);
            let first = public_tokens(r, &[]).await;
            let rt1 = str_of(&first, "refresh_token").to_string();
            let second = refresh(r, public, &rt1, &[]).await.json();
            let rt2 = second["refresh_token"].as_str().map(str::to_string);
            let replay = refresh(r, public, &rt1, &[]).await.status;
            let after = match &rt2 {
                Some(rt2) => refresh(r, public, rt2, &[]).await.status.to_string(),
                None => "none".to_string(),
            };
            format!("{} {replay} {after}", rt2.is_some())
        }
        Fault::RefreshNotBoundToClient => {
            let tokens = conf_tokens(r, &[]).await;
            refresh(r, second(), str_of(&tokens, "refresh_token"), &[])
                .await
                .status
                .to_string()
        }
        Fault::RefreshScopeExpansion => {
            let tokens = conf_tokens(r, &[("scope", "read")]).await;
            let reply = refresh(
                r,
                conf(),
                str_of(&tokens, "refresh_token"),
                &[("scope", "read write")],
            )
            .await;
            format!("{} {:?}", reply.status, reply.error())
        }
        Fault::RefreshRevokedAccepted => {
            let tokens = conf_tokens(r, &[]).await;
            let rt = str_of(&tokens, "refresh_token");
            post_form(r, "/revoke", conf(), &[("token", rt)]).await;
            refresh(r, conf(), rt, &[]).await.status.to_string()
        }
        Fault::RefreshConfidentialNoSecret => {
            let tokens = conf_tokens(r, &[]).await;
            refresh(
                r,
                Auth::ClientId(CONF_ID),
                str_of(&tokens, "refresh_token"),
                &[],
            )
            .await
            .status
            .to_string()
        }
        Fault::RefreshRotatedScopeNarrowed => {
            let tokens = conf_tokens(r, &[("scope", "read write")]).await;
            let rt = str_of(&tokens, "refresh_token");
            refresh(r, conf(), rt, &[("scope", "read")]).await;
            refresh(r, conf(), rt, &[("scope", "read write")])
                .await
                .status
                .to_string()
        }
        Fault::RefreshRestrictedWrongError => {
            let reply = refresh(r, Auth::Basic(RESTRICTED_ID, RESTRICTED_SECRET), "x", &[]).await;
            format!("{:?}", reply.error())
        }
        // Refresh tokens at revocation and introspection.
        Fault::RevokeRefreshNoCascade | Fault::RevokeRefreshUnsupported => {
            let tokens = conf_tokens(r, &[]).await;
            let status = revoke(r, conf(), &[("token", str_of(&tokens, "refresh_token"))])
                .await
                .status;
            let active =
                introspect(r, str_of(&tokens, "access_token")).await.json()["active"].clone();
            format!("{status} {active}")
        }
        Fault::IntrospectRefreshInactive => {
            let tokens = conf_tokens(r, &[]).await;
            show(&introspect(r, str_of(&tokens, "refresh_token")).await.json()["active"])
        }
        // UserInfo.
        Fault::UserinfoNoWwwAuthenticate | Fault::UserinfoErrorWithoutCredentials => {
            let reply = get(r, "/userinfo").await;
            format!(
                "{} {:?}",
                reply.status,
                reply.header(header::WWW_AUTHENTICATE)
            )
        }
        Fault::UserinfoInvalidTokenAccepted => {
            userinfo(r, "no-such-token").await.status.to_string()
        }
        Fault::UserinfoInsufficientScope401 | Fault::UserinfoIgnoresScope => {
            let token = token_for(r, conf()).await;
            userinfo(r, &token).await.status.to_string()
        }
        Fault::UserinfoRevokedAccepted => {
            let token = openid_access_token(r).await;
            revoke(r, conf(), &[("token", &token)]).await;
            userinfo(r, &token).await.status.to_string()
        }
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
        // OpenID CIBA: scenarios with their own servers and callback receiver.
        fault @ (Fault::CibaMetadataMissingModes
        | Fault::CibaWrongSecretAccepted
        | Fault::CibaInvalidClient400
        | Fault::CibaGrantNotChecked
        | Fault::CibaAcceptsTwoHints
        | Fault::CibaNoOpenidScopeCheck
        | Fault::CibaNotificationTokenOptional
        | Fault::CibaUnknownUserAccepted
        | Fault::CibaIdTokenHintRefused
        | Fault::CibaUserCodeNotRequired
        | Fault::CibaUserCodeNotChecked
        | Fault::CibaBindingMessageIgnored
        | Fault::CibaUnknownParamsRejected
        | Fault::CibaRequestObjectErrorCode
        | Fault::CibaAckNoExpiresIn
        | Fault::CibaAuthReqIdLowEntropy
        | Fault::CibaMissingNoStore
        | Fault::CibaNoSlowDown
        | Fault::CibaTokenNoIdToken
        | Fault::CibaExpiredStillIssues
        | Fault::CibaDeniedStillIssues
        | Fault::CibaAuthReqIdNotClientBound
        | Fault::CibaAuthReqIdReusable
        | Fault::CibaPushTokensStillAtTokenEndpoint
        | Fault::CibaPingPollRefused
        | Fault::CibaPingWithoutBearer
        | Fault::CibaPingExtraBody
        | Fault::CibaPingNotOnDenial
        | Fault::CibaPingBeforeDecision
        | Fault::CibaNotificationFollowsRedirects
        | Fault::CibaPushWithoutBearer
        | Fault::CibaPushIdTokenMissingAuthReqIdClaim
        | Fault::CibaPushIdTokenMissingAtHash
        | Fault::CibaPushErrorNotSent) => {
            let on: Vec<Fault> = server.state.config.faults.iter().copied().collect();
            super::ciba_faults::observe(fault, &on).await
        }
        Fault::UserinfoQueryTokenNotPrivate => {
            let token = openid_access_token(r).await;
            let reply = get(r, &format!("/userinfo?access_token={token}")).await;
            format!("{} {:?}", reply.status, reply.header(header::CACHE_CONTROL))
        }
        Fault::DeviceGrantNotInMetadata
        | Fault::DeviceDuplicateParamAccepted
        | Fault::DeviceBasicNeedsClientId
        | Fault::DeviceExpiresInString
        | Fault::DeviceErrorNotJson
        | Fault::DeviceResponseCacheable
        | Fault::DeviceUserCodeInVerificationUri
        | Fault::DeviceCompleteAutoApproves
        | Fault::DeviceConfidentialNoSecret
        | Fault::DevicePublicNoClientId
        | Fault::DeviceCodeNotClientBound
        | Fault::DevicePendingAsInvalidGrant
        | Fault::DeviceNoSlowDown
        | Fault::DeviceIntervalNotIncreased
        | Fault::DeviceDeniedStillIssues
        | Fault::DeviceExpiredStillIssues
        | Fault::DeviceUnknownCodePending
        | Fault::DeviceCodeReusable
        | Fault::DeviceCodeLowEntropy
        | Fault::DeviceExpiredUserCodeAccepted
        | Fault::DeviceUserCodeReusable => {
            let faults: Vec<Fault> = server.state.config.faults.iter().copied().collect();
            super::device_faults::observe(fault, &faults)
                .await
                .unwrap_or_default()
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
    }
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
