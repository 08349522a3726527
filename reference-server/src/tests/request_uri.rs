//! Request objects by reference (RFC 9101 §5.2): what the server fetches, from where and
//! how, what it makes of a failure, and the observable effect of the request_uri faults.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::get as route_get;
use serde_json::json;

use super::*;
use crate::endpoints::par::{Resolved, resolve, resolve_with};
use crate::form::Form;
use crate::request_uri::{self, Fetched};
use crate::state::AppState;

/// A client's document server on an ephemeral port: `/ro` serves `object` to GET only,
/// `/missing` is 404. Returns its origin.
async fn document_server(object: String) -> String {
    let app = Router::new().route(
        "/ro",
        route_get(move || {
            let object = object.clone();
            async move {
                (
                    [("content-type", "application/oauth-authz-req+jwt")],
                    object,
                )
            }
        }),
    );
    let tcp = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let addr = tcp.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(tcp, app).await;
    });
    format!("http://{addr}")
}

/// An HS256 request object of the `jwt_secret` client with `state`.
fn object(state: &AppState, st: &str) -> (String, String) {
    let client = state
        .config
        .fixtures
        .client_by_role("jwt_secret")
        .expect("jwt_secret fixture");
    let claims = json!({
        "iss": client.client_id, "aud": state.issuer, "client_id": client.client_id,
        "response_type": "code", "redirect_uri": client.redirect_uris.first(),
        "scope": client.scope, "state": st,
    });
    let key = jsonwebtoken::EncodingKey::from_secret(
        client
            .client_secret
            .as_deref()
            .unwrap_or_default()
            .as_bytes(),
    )
    .expect("key");
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    let jwt = jsonwebtoken::encode(&header, &claims, &key).expect("sign");
    (client.client_id.clone(), jwt)
}

/// The `jwt_secret` client's id and the origin of a document server hosting its request
/// object with state `s1` at `/ro`.
async fn hosted_object() -> (String, String) {
    let (client_id, jwt) = object(&server(&[], &[]), "s1");
    (client_id, document_server(jwt).await)
}

/// A server with `faults` that fetches from `origins`.
fn server(faults: &[Fault], origins: &[&str]) -> Arc<AppState> {
    let mut config = config_with(Layout::Generic, faults);
    config.request_uri_origins = origins.iter().map(|o| o.to_string()).collect();
    Arc::new(AppState::new(config, BASE).expect("state"))
}

/// What the fetch and the resolution of `request_uri` came to, without the random parts.
async fn outcome(state: &AppState, client_id: &str, uri: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![("client_id", client_id), ("request_uri", uri)];
    pairs.extend_from_slice(extra);
    let form = Form::from_pairs(pairs);
    let fetched = request_uri::fetch(state, &form).await;
    let fetch = match &fetched {
        None => "not fetched".to_string(),
        Some(Fetched::Object(_)) => "fetched".to_string(),
        Some(Fetched::Failed(why)) => format!("failed ({why})"),
    };
    let resolved = match resolve_with(state, &form, fetched) {
        Resolved::ByValue(f) => format!("object state={:?}", f.get("state")),
        Resolved::FrontChannel => format!("front channel state={:?}", form.get("state")),
        Resolved::ObjectError { code, .. } => code.to_string(),
        Resolved::UriUnsupported => "request_uri_not_supported".to_string(),
        Resolved::Refused(why) => format!("refused: {why}"),
        Resolved::Pushed(_) => "pushed".to_string(),
    };
    format!("{fetch}; {resolved}")
}

/// The scenario of a request_uri fault on a generic server with `faults`.
pub async fn observe(fault: Fault, faults: &[Fault]) -> String {
    // The object is signed with the fixture secret, the same whatever the faults.
    let (client_id, origin) = hosted_object().await;
    match fault {
        Fault::JarRequestUriPosted | Fault::JarRequestUriFailureIgnored => {
            let state = server(faults, &[&origin]);
            let path = match fault {
                Fault::JarRequestUriPosted => "/ro",
                _ => "/missing",
            };
            let uri = format!("{origin}{path}");
            outcome(&state, &client_id, &uri, &[("state", "s2")]).await
        }
        Fault::JarUnsupportedRequestUriIgnored => {
            let state = server(faults, &[]);
            let uri = format!("{origin}/ro");
            outcome(&state, &client_id, &uri, &[("state", "s2")]).await
        }
        other => format!("not a request_uri fault: {other}"),
    }
}

#[tokio::test]
async fn an_object_at_a_listed_origin_is_fetched_with_get_and_is_the_request() {
    let (client_id, origin) = hosted_object().await;
    let state = server(&[], &[&origin]);
    let uri = format!("{origin}/ro");
    // RFC 9101 §6.3: only the object's parameters count, not the query's state.
    assert_eq!(
        outcome(&state, &client_id, &uri, &[("state", "s2")]).await,
        "fetched; object state=Some(\"s1\")"
    );
}

#[tokio::test]
async fn an_unlisted_origin_is_never_fetched_and_is_invalid_request_uri() {
    let (client_id, origin) = hosted_object().await;
    // §10.4.1: only expected locations; here another origin is listed.
    let state = server(&[], &["https://client.example"]);
    let got = outcome(&state, &client_id, &format!("{origin}/ro"), &[]).await;
    assert_eq!(
        got,
        "failed (the request_uri is not at a location this server fetches from); \
         invalid_request_uri"
    );
}

#[tokio::test]
async fn a_failed_fetch_is_invalid_request_uri() {
    let (client_id, origin) = hosted_object().await;
    let state = server(&[], &[&origin]);
    let got = outcome(&state, &client_id, &format!("{origin}/missing"), &[]).await;
    assert_eq!(
        got,
        "failed (fetching the request_uri gave HTTP 404); invalid_request_uri"
    );
}

#[tokio::test]
async fn without_origins_request_uri_is_not_supported_and_advertised_so() {
    let state = server(&[], &[]);
    let form = Form::from_pairs([
        ("client_id", CONF_ID),
        ("request_uri", "https://c.example/r"),
    ]);
    assert_eq!(resolve(&state, &form), Resolved::UriUnsupported);
    let doc = get(&crate::router(state), "/.well-known/openid-configuration")
        .await
        .json();
    assert_eq!(doc["request_uri_parameter_supported"], json!(false));
    let listed = server(&[], &["https://client.example"]);
    let doc = get(&crate::router(listed), "/.well-known/openid-configuration")
        .await
        .json();
    assert_eq!(doc["request_uri_parameter_supported"], json!(true));
}

#[tokio::test]
async fn a_par_request_uri_is_never_fetched() {
    let state = server(&[], &["https://client.example"]);
    let uri = format!("{}abc", crate::par::REQUEST_URI_PREFIX);
    let form = Form::from_pairs([("client_id", CONF_ID), ("request_uri", uri.as_str())]);
    assert_eq!(request_uri::fetch(&state, &form).await, None);
}
