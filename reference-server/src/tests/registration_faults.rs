//! The observable effect of each RFC 7591 / RFC 7592 fault (see
//! `faults::every_fault_has_an_observable_effect`): one scenario per fault, run against the
//! strict server and against the faulty one, described without the random parts.

use axum::Router;
use axum::http::{Method, header};
use serde_json::{Value, json};

use super::registration::{path_of, register, send_json, text};
use super::*;

const CB: &str = "https://client.example/cb";

fn status_of(reply: &Reply) -> String {
    format!("{} {:?}", reply.status, reply.error())
}

/// A registered client_credentials client: its reply, client_id, secret, token and path.
async fn cc_client(r: &Router) -> (Reply, String, String, String, String) {
    let reply = register(
        r,
        json!({ "grant_types": ["client_credentials"], "response_types": [] }),
    )
    .await;
    let id = text(&reply, "client_id");
    let secret = text(&reply, "client_secret");
    let rat = text(&reply, "registration_access_token");
    let path = path_of(&reply);
    (reply, id, secret, rat, path)
}

/// An update of the client at `path` with `body` merged over a valid update.
async fn update(r: &Router, id: &str, rat: &str, path: &str, extra: Value) -> Reply {
    let mut body =
        json!({ "client_id": id, "grant_types": ["client_credentials"], "response_types": [] });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    send_json(r, Method::PUT, path, Some(rat), Some(body)).await
}

/// What the server does in the scenario of the registration fault `fault`.
pub(super) async fn observe(fault: Fault, r: &Router) -> String {
    let reg = |body: Value| register(r, body);
    match fault {
        Fault::RegistrationWrongStatus => reg(json!({ "redirect_uris": [CB] })).await.status.to_string(),
        Fault::RegistrationSecretNoExpiry => reg(json!({ "redirect_uris": [CB] })).await.json()["client_secret_expires_at"].to_string(),
        Fault::RegistrationDefaultsNotEchoed => reg(json!({ "redirect_uris": [CB] })).await.json()["grant_types"].to_string(),
        Fault::RegistrationMetadataNotEchoed => reg(json!({ "redirect_uris": [CB] })).await.json()["redirect_uris"].to_string(),
        Fault::RegistrationScopeReplacedSilently => {
            let reply = reg(json!({ "grant_types": ["client_credentials"], "response_types": [], "scope": "read x-unoffered" })).await;
            let (id, secret) = (text(&reply, "client_id"), text(&reply, "client_secret"));
            let pairs = [("grant_type", "client_credentials"), ("scope", "x-unoffered")];
            status_of(&post_form(r, "/token", Auth::Basic(&id, &secret), &pairs).await)
        }
        Fault::RegistrationDefaultMethodPost => reg(json!({ "redirect_uris": [CB] })).await.json()["token_endpoint_auth_method"].to_string(),
        Fault::RegistrationNoneNeedsSecret => {
            let reply = reg(json!({ "redirect_uris": [CB], "token_endpoint_auth_method": "none" })).await;
            let id = text(&reply, "client_id");
            let pairs = [("grant_type", "authorization_code"), ("code", "bogus"), ("redirect_uri", CB)];
            status_of(&post_form(r, "/token", Auth::ClientId(&id), &pairs).await)
        }
        Fault::RegistrationJwksBothKept => status_of(
            &reg(json!({ "redirect_uris": [CB], "token_endpoint_auth_method": "private_key_jwt",
                "jwks_uri": "https://client.example/jwks", "jwks": { "keys": [{ "kty": "oct", "k": "AA" }] } }))
            .await,
        ),
        Fault::RegistrationRedirectSyntaxUnchecked => status_of(&reg(json!({ "redirect_uris": ["https://c.example/cb#f"] })).await),
        Fault::RegistrationHttpRedirectAccepted => status_of(&reg(json!({ "redirect_uris": ["http://c.example/cb"] })).await),
        Fault::RegistrationRedirectSchemeUnchecked => status_of(&reg(json!({ "redirect_uris": ["javascript:alert(1)"] })).await),
        Fault::RegistrationRedirectNotRequired => status_of(&reg(json!({ "grant_types": ["authorization_code"] })).await),
        Fault::RegistrationUnknownMemberRejected => status_of(&reg(json!({ "redirect_uris": [CB], "x_unknown": 1 })).await),
        Fault::RegistrationBadMetadataAccepted => status_of(&reg(json!({ "redirect_uris": [CB], "grant_types": "authorization_code" })).await),
        Fault::RegistrationInconsistentTypesKept => status_of(&reg(json!({ "redirect_uris": [CB], "response_types": ["token"] })).await),
        Fault::RegistrationErrorNotJson => format!("{:?}", reg(json!({ "redirect_uris": ["cb"] })).await.header(header::CONTENT_TYPE)),
        Fault::RegistrationClientChosenId => {
            let reply = reg(json!({ "redirect_uris": [CB], "client_id": "admin" })).await;
            format!("admin: {}", text(&reply, "client_id") == "admin")
        }
        Fault::RegistrationCacheable => format!("{:?}", reg(json!({ "redirect_uris": [CB] })).await.header(header::CACHE_CONTROL)),
        Fault::RegistrationSharedSecret => {
            let a = text(&reg(json!({ "redirect_uris": [CB] })).await, "client_secret");
            let b = text(&reg(json!({ "redirect_uris": [CB] })).await, "client_secret");
            format!("same secret: {}", a == b)
        }
        Fault::RegistrationNotStored => {
            let (_, id, secret, _, _) = cc_client(r).await;
            let pairs = [("grant_type", "client_credentials")];
            status_of(&post_form(r, "/token", Auth::Basic(&id, &secret), &pairs).await)
        }
        Fault::RegistrationRelativeClientUri => {
            let (reply, ..) = cc_client(r).await;
            format!("absolute: {}", text(&reply, "registration_client_uri").starts_with("http"))
        }
        Fault::RegistrationWeakRat => {
            let (_, _, _, rat, _) = cc_client(r).await;
            format!("long: {}", rat.len() >= 43)
        }
        Fault::RegistrationRatCrossClient => {
            let (_, _, _, _, path) = cc_client(r).await;
            let (_, _, _, other_rat, _) = cc_client(r).await;
            send_json(r, Method::GET, &path, Some(&other_rat), None).await.status.to_string()
        }
        Fault::RegistrationReadWithoutSecret => {
            let (_, _, _, rat, path) = cc_client(r).await;
            let read = send_json(r, Method::GET, &path, Some(&rat), None).await;
            format!("secret: {}", read.json().get("client_secret").is_some())
        }
        Fault::RegistrationNoWwwAuthenticate => {
            let (_, _, _, _, path) = cc_client(r).await;
            let read = send_json(r, Method::GET, &path, None, None).await;
            format!("{:?}", read.header(header::WWW_AUTHENTICATE))
        }
        Fault::RegistrationInvalidTokenUnflagged => {
            let (_, _, _, _, path) = cc_client(r).await;
            let read = send_json(r, Method::GET, &path, Some("junk"), None).await;
            format!("{:?}", read.header(header::WWW_AUTHENTICATE))
        }
        Fault::RegistrationUpdateAugments => {
            let reply = reg(json!({ "redirect_uris": ["https://c.example/1"] })).await;
            let (id, rat, path) = (text(&reply, "client_id"), text(&reply, "registration_access_token"), path_of(&reply));
            let body = json!({ "client_id": id, "redirect_uris": ["https://c.example/2"] });
            send_json(r, Method::PUT, &path, Some(&rat), Some(body)).await.json()["redirect_uris"].to_string()
        }
        Fault::RegistrationUpdateClientIdIgnored => {
            let (_, _, _, rat, path) = cc_client(r).await;
            status_of(&update(r, "other", &rat, &path, json!({})).await)
        }
        Fault::RegistrationUpdateFieldsApplied => {
            let (_, id, _, rat, path) = cc_client(r).await;
            status_of(&update(r, &id, &rat, &path, json!({ "registration_access_token": "mine-123456" })).await)
        }
        Fault::RegistrationUpdateSecretChosen => {
            let (_, id, _, rat, path) = cc_client(r).await;
            status_of(&update(r, &id, &rat, &path, json!({ "client_secret": "mine-123456" })).await)
        }
        Fault::RegistrationUpdateInvalidApplied => {
            let (_, id, _, rat, path) = cc_client(r).await;
            status_of(&update(r, &id, &rat, &path, json!({ "redirect_uris": ["https://c.example/cb#f"] })).await)
        }
        Fault::RegistrationDeleteKeepsClient => {
            let (_, _, _, rat, path) = cc_client(r).await;
            send_json(r, Method::DELETE, &path, Some(&rat), None).await;
            send_json(r, Method::GET, &path, Some(&rat), None).await.status.to_string()
        }
        Fault::RegistrationDeleteKeepsTokens => {
            let (_, id, secret, rat, path) = cc_client(r).await;
            let token = token_for(r, Auth::Basic(&id, &secret)).await;
            send_json(r, Method::DELETE, &path, Some(&rat), None).await;
            introspect(r, &token).await.json()["active"].to_string()
        }
        Fault::RegistrationPatchAccepted => {
            let (_, _, _, rat, path) = cc_client(r).await;
            send_json(r, Method::PATCH, &path, Some(&rat), Some(json!({}))).await.status.to_string()
        }
        other => format!("no registration scenario for `{other}`"),
    }
}
