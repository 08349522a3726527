//! JWT engine: an assertion signed with each algorithm verifies with the public key and
//! the JWKS; a token from another key under the same `kid`, an unsigned token and an
//! unknown `kid` fail with their reasons. Keys come from `fixtures/keys/` through the
//! target file, as a run would load them.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth2spec::diagnostic::Source;
use oauth2spec::execute::jwt::{
    self, JwtAlg, KeyKind, SigningKey, VerifyFailure, public_jwk, verify_with_jwks, verify_with_key,
};
use oauth2spec::suite::Role;
use oauth2spec::target::file;
use oauth2spec::target::keys::{ClientKey, KeySource};
use serde_json::{Map, Value, json};

const SECRET: &str = "a-client-secret-of-at-least-32-bytes!";

/// A target file (as if in `fixtures/`) with one key per client role.
fn clients() -> Vec<(Role, ClientKey)> {
    let text = format!(
        r#"
name = "keys"
base_url = "https://as.example"
layout = "generic"

[clients.confidential]
client_id = "rs256"
client_secret = "x"
auth_method = "client_secret_basic"
key_file = "keys/rsa.pem"

[clients.jwt_key]
client_id = "ps256"
client_secret = "x"
auth_method = "client_secret_basic"
key_file = "keys/rsa-private.jwk.json"
key_alg = "PS256"

[clients.second]
client_id = "es256"
client_secret = "x"
auth_method = "client_secret_basic"
key_file = "keys/ec-p256.pem"
key_id = "ec-key"

[clients.restricted]
client_id = "eddsa"
client_secret = "x"
auth_method = "client_secret_basic"
key_file = "keys/ed25519.pem"

[clients.jwt_secret]
client_id = "hs256"
client_secret = "{SECRET}"
auth_method = "client_secret_basic"
key_alg = "HS256"
"#
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys-target.toml");
    let target = file::parse(&Source::new(path, text), &|_| None)
        .unwrap_or_else(|d| panic!("{}", oauth2spec::diagnostic::render_all(&d)));
    target
        .clients
        .into_iter()
        .filter_map(|(role, c)| Some((role, c.key?)))
        .collect()
}

/// An RFC 7523 §3 client assertion.
fn assertion(client_id: &str) -> Value {
    json!({
        "iss": client_id,
        "sub": client_id,
        "aud": "https://as.example/token",
        "jti": format!("{client_id}-1"),
        "iat": 1_700_000_000,
        "exp": 1_700_000_060,
    })
}

/// The set a verifier holds: the public JWK, or for HMAC the `oct` key of the secret.
fn jwks_for(key: &ClientKey) -> Value {
    let jwk = match public_jwk(&key.key) {
        Some(jwk) => jwk,
        None => json!({"kty": "oct", "k": URL_SAFE_NO_PAD.encode(SECRET)}),
    };
    json!({"keys": [jwk]})
}

#[test]
fn every_algorithm_signs_an_assertion_that_verifies() {
    let clients = clients();
    let mut algs: Vec<JwtAlg> = clients.iter().map(|(_, k)| k.alg).collect();
    algs.sort();
    assert_eq!(
        algs,
        [
            JwtAlg::Rs256,
            JwtAlg::Ps256,
            JwtAlg::Es256,
            JwtAlg::EdDsa,
            JwtAlg::Hs256
        ]
    );
    for (role, key) in &clients {
        let claims = assertion(key.alg.as_str());
        let token = jwt::sign(key.alg, &key.key, &Map::new(), &claims).expect("signs");
        let (header, _) = jwt::decode_unverified(&token).expect("decodes");
        assert_eq!(header["alg"], key.alg.as_str(), "{role}");
        assert_eq!(
            header.get("kid").and_then(Value::as_str),
            key.key.kid(),
            "{role}"
        );
        let by_key = verify_with_key(&token, &key.key).expect("verifies with the key");
        assert_eq!(Value::Object(by_key), claims, "{role}");
        let by_set = verify_with_jwks(&token, &jwks_for(key)).expect("verifies with the JWKS");
        assert_eq!(Value::Object(by_set), claims, "{role}");
    }
}

#[test]
fn kids_come_from_the_jwk_the_setting_or_the_thumbprint() {
    for (_, key) in clients() {
        match key.alg {
            JwtAlg::Ps256 => assert_eq!(key.key.kid(), Some("fixture-rsa-jwk")),
            JwtAlg::Es256 => assert_eq!(key.key.kid(), Some("ec-key")),
            JwtAlg::Hs256 => {
                assert_eq!(key.key.kid(), None);
                assert_eq!(key.source, KeySource::ClientSecret);
            }
            _ => assert_eq!(key.key.kid().map(str::to_string), key.key.thumbprint()),
        }
    }
}

#[test]
fn a_token_from_another_key_under_the_same_kid_fails_on_its_signature() {
    for (role, key) in clients() {
        // Another key of the same kind under the same kid (a secret has none).
        let mut impostor = SigningKey::generate(key.key.kind()).expect("generate");
        if let Some(kid) = key.key.kid() {
            impostor = impostor.with_kid(kid);
        }
        let token = jwt::sign(key.alg, &impostor, &Map::new(), &assertion("x")).expect("signs");
        let err = verify_with_jwks(&token, &jwks_for(&key)).expect_err("must not verify");
        match &err {
            VerifyFailure::BadSignature { alg, .. } => assert_eq!(*alg, key.alg, "{role}"),
            other => panic!("{role}: expected a bad signature, got {other}"),
        }
        assert!(err.to_string().contains("does not verify"), "{err}");
        assert!(verify_with_key(&token, &key.key).is_err(), "{role}");
    }
}

#[test]
fn alg_none_is_rejected() {
    for (_, key) in clients() {
        let mut header = Map::new();
        if let Some(kid) = key.key.kid() {
            header.insert("kid".into(), json!(kid));
        }
        let token = jwt::unsecured(&header, &assertion("x")).expect("builds");
        assert_eq!(
            verify_with_jwks(&token, &jwks_for(&key)),
            Err(VerifyFailure::AlgNone)
        );
    }
    // `None` spelt otherwise is still `none`.
    let token = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"None"}"#),
        URL_SAFE_NO_PAD.encode(b"{}")
    );
    let any = SigningKey::generate(KeyKind::EcP256).expect("generate");
    assert_eq!(verify_with_key(&token, &any), Err(VerifyFailure::AlgNone));
}

#[test]
fn an_unknown_kid_is_reported_with_the_published_ones() {
    let clients = clients();
    let (_, es) = clients
        .iter()
        .find(|(_, k)| k.alg == JwtAlg::Es256)
        .expect("ES256 client");
    let mut header = Map::new();
    header.insert("kid".into(), json!("rotated-away"));
    let token = jwt::sign(es.alg, &es.key, &header, &assertion("x")).expect("signs");
    let err = verify_with_jwks(&token, &jwks_for(es)).expect_err("unknown kid");
    assert_eq!(
        err,
        VerifyFailure::NoKeyWithKid {
            kid: "rotated-away".into(),
            published: vec!["ec-key".into()],
        }
    );
    assert!(err.to_string().contains("rotated-away"), "{err}");
}
