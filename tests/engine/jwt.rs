//! JWT client assertions, JWT values and `signed_by = "jwks"`.

use super::*;

use oauth2spec::execute::jwt::{self as jose, JwtAlg, KeyKind, SigningKey};

/// The fixture key the `jwt_key` client signs with.
fn client_key() -> SigningKey {
    SigningKey::from_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys/rsa.pem"))
        .expect("fixture key")
}

fn form_value(req: &Request, name: &str) -> Option<String> {
    url::form_urlencoded::parse(&req.body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn jwks_of(key: &SigningKey) -> serde_json::Value {
    serde_json::json!({ "keys": [jose::public_jwk(key).expect("public JWK")] })
}

/// A token endpoint that verifies client assertions as RFC 7523 §3 asks (signature by
/// the client's key or secret, `iss` = `sub` = client id) and answers with an ID token
/// signed by `signer`.
struct JwtTokenEndpoint {
    client: SigningKey,
    signer: SigningKey,
}

impl Respond for JwtTokenEndpoint {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let refuse = ResponseTemplate::new(401)
            .set_body_json(serde_json::json!({ "error": "invalid_client" }));
        let Some(assertion) = form_value(req, "client_assertion") else {
            // Basic with the configured secret only.
            let ok = req
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                == Some(&oauth2spec::execute::auth::basic_header("conf", "conf-secret")[..]);
            return if ok {
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"access_token": "x", "token_type": "Bearer"}))
            } else {
                refuse
            };
        };
        if form_value(req, "client_assertion_type").as_deref()
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return refuse;
        }
        let hs = SigningKey::from_secret(b"a-long-shared-secret-for-hs256-32b!").expect("secret");
        let verified = jose::verify_with_key(&assertion, &self.client)
            .or_else(|_| jose::verify_with_key(&assertion, &hs));
        let Ok(claims) = verified else { return refuse };
        let iss = claims
            .get("iss")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        if claims.get("sub").and_then(|v| v.as_str()) != Some(&iss)
            || claims.get("jti").is_none()
            || claims
                .get("aud")
                .and_then(|v| v.as_str())
                .is_none_or(|a| !a.ends_with("/token"))
        {
            return refuse;
        }
        let id_token = jose::sign(
            JwtAlg::Es256,
            &self.signer,
            &serde_json::Map::new(),
            &serde_json::json!({ "iss": "x", "sub": "s", "aud": iss, "exp": 4_000_000_000u64 }),
        )
        .expect("sign");
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "x", "token_type": "Bearer", "id_token": id_token
        }))
    }
}

/// A PAR endpoint that accepts a request object only when the client's key signed it.
struct Par {
    client: SigningKey,
}

impl Respond for Par {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let ok = form_value(req, "request")
            .and_then(|r| jose::verify_with_key(&r, &self.client).ok())
            .and_then(|c| c.get("exp").and_then(|e| e.as_u64()))
            .is_some_and(|exp| exp > oauth2spec::execute::assertion::now());
        if ok {
            ResponseTemplate::new(201)
                .set_body_json(serde_json::json!({ "request_uri": "urn:x", "expires_in": 60 }))
        } else {
            ResponseTemplate::new(400)
                .set_body_json(serde_json::json!({ "error": "invalid_request_object" }))
        }
    }
}

async fn jwt_server(published: &SigningKey, signer: SigningKey) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks_of(published)))
        .mount(&server)
        .await;
    Mock::given(path("/token"))
        .respond_with(JwtTokenEndpoint {
            client: client_key(),
            signer,
        })
        .mount(&server)
        .await;
    Mock::given(path("/par"))
        .respond_with(Par {
            client: client_key(),
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn assertions_jwt_values_and_signed_by_jwks() {
    let server_key = SigningKey::generate(KeyKind::EcP256)
        .expect("key")
        .with_kid("server-1");
    let server = jwt_server(&server_key, server_key.clone()).await;
    let r = one(
        &run(&server.uri(), "engine/jwt/*", 5).await,
        "assertions-values-and-signatures",
    );
    assert_eq!(r.status, Status::Pass, "{}", r.message);
    // Assertions are credentials: never in the record.
    let text = serde_json::to_string(&r).unwrap_or_default();
    assert!(!text.contains("client_assertion=ey"), "an assertion leaked");
}

#[tokio::test]
async fn signed_by_jwks_fails_on_a_token_signed_by_another_key() {
    let published = SigningKey::generate(KeyKind::EcP256)
        .expect("key")
        .with_kid("server-1");
    // Same kid, another key: only the signature gives it away.
    let other = SigningKey::generate(KeyKind::EcP256)
        .expect("key")
        .with_kid("server-1");
    let server = jwt_server(&published, other).await;
    let r = one(
        &run(&server.uri(), "engine/jwt/*", 5).await,
        "assertions-values-and-signatures",
    );
    assert_eq!(r.status, Status::Fail, "{}", r.message);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert!(
        r.findings[0].check.contains("signature"),
        "{:?}",
        r.findings
    );
}
