//! Macaroon access tokens and the AIC macaroon endpoint: what the strict server does, and the
//! observable effect of each macaroon fault (see `faults::every_fault_has_an_observable_effect`).

use std::sync::Arc;

use axum::Router;
use oauth2spec_vocab::macaroon::Macaroon;
use serde_json::{Value, json};

use super::*;
use crate::layouts::LayoutPaths;
use crate::state::AppState;

const MACAROON_ID: &str = "conf-macaroon";
const MACAROON_SECRET: &str = "macaroon-secret-8c1d";

/// An AIC server with `faults`: its router, paths and macaroon endpoint path.
struct Aic {
    router: Router,
    paths: LayoutPaths,
    endpoint: String,
}

fn aic(faults: &[Fault]) -> Aic {
    let config = config_with(Layout::Aic, faults);
    let endpoint = Layout::Aic
        .path(
            oauth2spec_vocab::Endpoint::Macaroon,
            &config.layout_params(),
        )
        .expect("aic has the macaroon endpoint");
    let state = Arc::new(AppState::new(config, BASE).expect("state"));
    Aic {
        paths: state.paths.clone(),
        router: crate::router(state),
        endpoint,
    }
}

fn client() -> Auth<'static> {
    Auth::Basic(MACAROON_ID, MACAROON_SECRET)
}

impl Aic {
    async fn token(&self, scope: &str) -> String {
        let reply = post_form(
            &self.router,
            &self.paths.token,
            client(),
            &[("grant_type", "client_credentials"), ("scope", scope)],
        )
        .await;
        reply.json()["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn call(&self, action: &str, body: Value) -> Reply {
        let request = Request::builder()
            .method(Method::POST)
            .uri(format!("{}?_action={action}", self.endpoint))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        send(&self.router, request).await
    }

    async fn restrict(&self, token: &str, identifier: Value) -> String {
        let body = json!({ "macaroon": token,
            "caveat": { "type": "first-party", "identifier": identifier } });
        self.call("restrict", body).await.json()["macaroon"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// `active` and `scope` of `token` at introspection.
    async fn introspect(&self, token: &str) -> String {
        let reply = post_form(
            &self.router,
            &self.paths.introspection,
            client(),
            &[("token", token)],
        )
        .await
        .json();
        format!("active={} scope={}", reply["active"], reply["scope"])
    }
}

fn local(token: &str, caveat: Value) -> String {
    let m = Macaroon::parse(token).expect("a macaroon");
    m.with_caveat(caveat.to_string().as_bytes()).serialize()
}

/// The scenario of a macaroon fault on an AIC server with `faults`.
pub async fn observe(fault: Fault, faults: &[Fault]) -> String {
    let s = aic(faults);
    let at = s.token("read write").await;
    match fault {
        Fault::MacaroonSignatureNotVerified => {
            let mut m = Macaroon::parse(&s.restrict(&at, json!({"scope": "read"})).await)
                .expect("a macaroon");
            m.caveats.pop();
            s.introspect(&m.serialize()).await
        }
        Fault::MacaroonLocalAttenuationRefused => {
            s.introspect(&local(&at, json!({"scope": "read"}))).await
        }
        Fault::MacaroonUnknownCaveatIgnored => {
            s.introspect(&local(&at, json!({"x_unknown": "1"}))).await
        }
        Fault::MacaroonRevocationNotCascaded => {
            let narrowed = s.restrict(&at, json!({"scope": "read"})).await;
            post_form(&s.router, &s.paths.revocation, client(), &[("token", &at)]).await;
            s.introspect(&narrowed).await
        }
        Fault::MacaroonScopeCaveatIgnored => {
            let narrowed = s.restrict(&at, json!({"scope": "read"})).await;
            s.introspect(&narrowed).await
        }
        Fault::MacaroonScopeCaveatWidens => {
            let read = s.token("read").await;
            let widened = s.restrict(&read, json!({"scope": "read write"})).await;
            s.introspect(&widened).await
        }
        Fault::MacaroonExpCaveatIgnored => {
            let past = s.restrict(&at, json!({"exp": 1_000_000})).await;
            s.introspect(&past).await
        }
        Fault::MacaroonRestrictUnchanged => {
            let narrowed = s.restrict(&at, json!({"scope": "read"})).await;
            format!("unchanged: {}", narrowed == at)
        }
        Fault::MacaroonInspectWithoutCaveats => {
            let narrowed = s.restrict(&at, json!({"scope": "read"})).await;
            s.call("inspect", json!({ "macaroon": narrowed }))
                .await
                .json()["caveats"]
                .to_string()
        }
        Fault::MacaroonInspectIncomplete => {
            let shown = s.call("inspect", json!({ "macaroon": at })).await.json();
            format!(
                "identifier={} signature={}",
                shown["identifier"].is_string(),
                shown["signature"].is_string()
            )
        }
        Fault::MacaroonMalformedServerError => s
            .call("inspect", json!({ "macaroon": "not a macaroon!" }))
            .await
            .status
            .to_string(),
        other => format!("not a macaroon fault: {other}"),
    }
}

#[tokio::test]
async fn the_macaroon_client_gets_macaroons_that_introspect_with_their_scope() {
    let s = aic(&[]);
    let at = s.token("read write").await;
    assert!(Macaroon::parse(&at).is_ok(), "{at}");
    assert_eq!(s.introspect(&at).await, r#"active=true scope="read write""#);
    // Other clients keep opaque tokens.
    let reply = post_form(
        &s.router,
        &s.paths.token,
        conf(),
        &[("grant_type", "client_credentials")],
    )
    .await;
    let opaque = reply.json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(Macaroon::parse(&opaque).is_err());
}

#[tokio::test]
async fn restrict_and_inspect_show_the_caveat_and_narrow_the_token() {
    let s = aic(&[]);
    let at = s.token("read write").await;
    let narrowed = s.restrict(&at, json!({"scope": "read"})).await;
    let shown = s.call("inspect", json!({ "macaroon": narrowed })).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(
        shown.json()["caveats"],
        json!([{ "type": "first-party", "identifier": { "scope": "read" } }])
    );
    assert_eq!(s.introspect(&narrowed).await, r#"active=true scope="read""#);
    // The original is untouched.
    assert_eq!(s.introspect(&at).await, r#"active=true scope="read write""#);
}

#[tokio::test]
async fn bad_requests_get_am_error_bodies() {
    let s = aic(&[]);
    let reply = s.call("explode", json!({ "macaroon": "x" })).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let at = s.token("read").await;
    let third = json!({ "macaroon": at, "caveat": { "type": "third-party", "identifier": "x" } });
    let reply = s.call("restrict", third).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["code"], json!(400));
}
