//! JWT client authentication (RFC 7523, OIDC Core §9): the strict behaviour at the token,
//! introspection and revocation endpoints, and the scenarios of the `assertion-*` faults
//! (called from `faults::scenarios`).

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use super::*;
use crate::client_assertion::JWT_BEARER;

pub const KEY_ID: &str = "conf-jwt-key";
pub const SECRET_ID: &str = "conf-jwt-secret";
pub const SECRET: &str = "jwt-secret-5b1e9c0d7a2f4e6b8c3d1a0f9e7b5c2d";
const RSA_PEM: &[u8] = include_bytes!("../../../fixtures/keys/rsa.pem");
const TOKEN_URL: &str = "http://127.0.0.1:41234/token";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Default claims for `client_id`, with `over` merged in (`null` removes a claim).
fn claims(client_id: &str, over: Value) -> Value {
    let now = now();
    let mut c = json!({
        "iss": client_id, "sub": client_id, "aud": TOKEN_URL,
        "jti": format!("jti-{}", rand::random::<u64>()), "iat": now, "exp": now + 60,
    });
    if let (Some(base), Value::Object(over)) = (c.as_object_mut(), over) {
        for (k, v) in over {
            if v.is_null() {
                base.remove(&k);
            } else {
                base.insert(k, v);
            }
        }
    }
    c
}

/// An assertion of the private_key_jwt client, signed with `alg` by its RSA key.
pub fn key_assertion(alg: Algorithm, over: Value) -> String {
    let key = EncodingKey::from_rsa_pem(RSA_PEM).expect("rsa key");
    jsonwebtoken::encode(&Header::new(alg), &claims(KEY_ID, over), &key).expect("sign")
}

/// An assertion of the client_secret_jwt client, MACed with `secret`.
pub fn secret_assertion(secret: &str) -> String {
    let key = EncodingKey::from_secret(secret.as_bytes()).expect("key");
    let c = claims(SECRET_ID, json!({}));
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &c, &key).expect("sign")
}

/// An unsecured (`alg` none) assertion of the private_key_jwt client.
fn unsecured() -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(KEY_ID, json!({})).to_string());
    format!("{header}.{payload}.")
}

/// A client_credentials request authenticated by `assertion`, with `extra` pairs.
async fn cc(router: &Router, assertion: &str, auth: Auth<'_>, extra: &[(&str, &str)]) -> Reply {
    let mut pairs = vec![
        ("grant_type", "client_credentials"),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ];
    pairs.extend_from_slice(extra);
    post_form(router, "/token", auth, &pairs).await
}

fn outcome(reply: &Reply) -> String {
    format!("{} {:?}", reply.status, reply.error())
}

/// What the server does in the scenario of an assertion fault; `None` for other faults.
pub(super) async fn observe(fault: Fault, r: &Router) -> Option<String> {
    let rs = |over: Value| key_assertion(Algorithm::RS256, over);
    let reply = match fault {
        Fault::AssertionTypeNotChecked => {
            let pairs = [
                ("grant_type", "client_credentials"),
                ("client_assertion_type", "urn:example:other"),
                ("client_assertion", &rs(json!({}))),
            ];
            post_form(r, "/token", Auth::None, &pairs).await
        }
        Fault::AssertionMixedMethodsInvalidRequest => {
            cc(r, &rs(json!({})), Auth::Basic(SECRET_ID, SECRET), &[]).await
        }
        Fault::AssertionClientIdIgnored => {
            cc(r, &rs(json!({})), Auth::None, &[("client_id", POST_ID)]).await
        }
        Fault::AssertionIssSubNotChecked => {
            cc(r, &rs(json!({ "iss": "someone" })), Auth::None, &[]).await
        }
        Fault::AssertionAudNotChecked => {
            let a = rs(json!({ "aud": "https://elsewhere.example/token" }));
            cc(r, &a, Auth::None, &[]).await
        }
        Fault::AssertionAudIssuerOnly => cc(r, &rs(json!({})), Auth::None, &[]).await,
        Fault::AssertionExpNotChecked => {
            cc(r, &rs(json!({ "exp": now() - 600 })), Auth::None, &[]).await
        }
        Fault::AssertionNbfNotChecked => {
            cc(r, &rs(json!({ "nbf": now() + 600 })), Auth::None, &[]).await
        }
        Fault::AssertionJtiNotChecked => cc(r, &rs(json!({ "jti": null })), Auth::None, &[]).await,
        Fault::AssertionSignatureNotChecked => {
            let a = rs(json!({}));
            let tampered = format!("{}AAAA", &a[..a.len() - 4]);
            cc(r, &tampered, Auth::None, &[]).await
        }
        Fault::AssertionAlgNoneAccepted => cc(r, &unsecured(), Auth::None, &[]).await,
        Fault::AssertionSecretNotChecked => {
            cc(r, &secret_assertion("wrong"), Auth::None, &[]).await
        }
        Fault::AssertionMalformed500 => cc(r, "not.a.jwt", Auth::None, &[]).await,
        Fault::AssertionAlgNotAllowlisted => {
            cc(
                r,
                &key_assertion(Algorithm::RS384, json!({})),
                Auth::None,
                &[],
            )
            .await
        }
        Fault::AssertionWrongErrorCode => {
            cc(r, &rs(json!({ "exp": now() - 600 })), Auth::None, &[]).await
        }
        Fault::JwtClientSecretAccepted => {
            let pairs = [("grant_type", "client_credentials")];
            post_form(r, "/token", Auth::Basic(SECRET_ID, SECRET), &pairs).await
        }
        _ => return None,
    };
    Some(outcome(&reply))
}

#[tokio::test]
async fn both_jwt_methods_get_tokens() {
    let r = strict();
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        let reply = cc(&r, &key_assertion(alg, json!({})), Auth::None, &[]).await;
        assert_eq!(reply.status, StatusCode::OK, "{alg:?}: {:?}", reply.json());
    }
    let reply = cc(&r, &secret_assertion(SECRET), Auth::None, &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    // The issuer and an array holding the token endpoint URL are accepted as aud too.
    for aud in [json!(BASE), json!(["https://other.example", TOKEN_URL])] {
        let a = key_assertion(Algorithm::RS256, json!({ "aud": aud }));
        assert_eq!(cc(&r, &a, Auth::None, &[]).await.status, StatusCode::OK);
    }
    // client_id naming the same client is fine (RFC 7521 §4.2).
    let a = key_assertion(Algorithm::RS256, json!({}));
    let reply = cc(&r, &a, Auth::None, &[("client_id", KEY_ID)]).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn a_replayed_assertion_is_refused() {
    let r = strict();
    let a = key_assertion(Algorithm::RS256, json!({}));
    assert_eq!(cc(&r, &a, Auth::None, &[]).await.status, StatusCode::OK);
    let again = cc(&r, &a, Auth::None, &[]).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.error().as_deref(), Some("invalid_client"));
}

#[tokio::test]
async fn every_invalid_assertion_is_invalid_client() {
    let r = strict();
    for fault in Fault::ALL {
        if matches!(fault, Fault::AssertionAudIssuerOnly) {
            continue;
        }
        if let Some(seen) = observe(*fault, &r).await {
            assert!(seen.starts_with("401"), "{fault}: {seen}");
            assert!(seen.contains("invalid_client"), "{fault}: {seen}");
        }
    }
}

#[tokio::test]
async fn introspection_and_revocation_take_assertions() {
    let r = strict();
    let token = token_for(&r, conf()).await;
    let a = key_assertion(
        Algorithm::RS256,
        json!({ "aud": format!("{BASE}/introspect") }),
    );
    let pairs = [
        ("token", token.as_str()),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", &a),
    ];
    let reply = post_form(&r, "/introspect", Auth::None, &pairs).await;
    assert_eq!(reply.json()["active"], true, "{:?}", reply.json());
    let a = key_assertion(
        Algorithm::RS256,
        json!({ "aud": "https://elsewhere.example" }),
    );
    let pairs = [
        ("token", token.as_str()),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", &a),
    ];
    let reply = post_form(&r, "/revoke", Auth::None, &pairs).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}
