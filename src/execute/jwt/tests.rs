//! Unit tests of signing, key loading and verification.

use aws_lc_rs::encoding::AsBigEndian as _;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::*;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn claims() -> Value {
    json!({"iss": "client", "sub": "client", "aud": "https://as.example/token", "jti": "1", "exp": 1, "iat": 0})
}

fn jwks_of(key: &SigningKey) -> Value {
    json!({"keys": [key.verification_jwk()]})
}

#[test]
fn alg_names_round_trip() {
    for alg in JwtAlg::ALL {
        assert_eq!(JwtAlg::parse(alg.as_str()), Some(alg));
    }
    assert_eq!(JwtAlg::parse("rs256"), None);
    assert_eq!(JwtAlg::parse("none"), None);
}

#[test]
fn every_generated_kind_signs_every_algorithm_it_claims() {
    for kind in [
        KeyKind::Rsa,
        KeyKind::EcP256,
        KeyKind::EcP384,
        KeyKind::Ed25519,
        KeyKind::Secret,
    ] {
        let key = SigningKey::generate(kind).expect("generate");
        assert_eq!(key.kind(), kind);
        assert_eq!(key.kid().is_some(), kind != KeyKind::Secret);
        for &alg in kind.algorithms() {
            let token = sign(alg, &key, &Map::new(), &claims()).expect("sign");
            let got = verify_with_jwks(&token, &jwks_of(&key)).expect("verifies");
            assert_eq!(Value::Object(got), claims(), "{kind} {alg}");
            let (header, _) = decode_unverified(&token).expect("decode");
            assert_eq!(header["alg"], alg.as_str());
            assert_eq!(header["typ"], "JWT");
        }
    }
}

#[test]
fn a_key_refuses_an_algorithm_of_another_kind() {
    let key = SigningKey::generate(KeyKind::EcP256).expect("generate");
    assert_eq!(
        sign(JwtAlg::Rs256, &key, &Map::new(), &claims()),
        Err(JwtError::KeyCannotSign {
            alg: JwtAlg::Rs256,
            kind: KeyKind::EcP256
        })
    );
}

#[test]
fn header_extra_adds_overrides_and_removes_members() {
    let key = SigningKey::generate(KeyKind::Ed25519).expect("generate");
    let extra = json!({"typ": "client-authentication+jwt", "kid": null, "x-test": 1});
    let Value::Object(extra) = extra else {
        unreachable!()
    };
    let token = sign(JwtAlg::EdDsa, &key, &extra, &claims()).expect("sign");
    let (header, _) = decode_unverified(&token).expect("decode");
    assert_eq!(header["typ"], "client-authentication+jwt");
    assert_eq!(header["x-test"], 1);
    assert!(!header.contains_key("kid"));
    // Without a kid the one Ed25519 key in the set is chosen.
    assert!(verify_with_jwks(&token, &jwks_of(&key)).is_ok());

    let mut other_alg = Map::new();
    other_alg.insert("alg".into(), json!("HS256"));
    assert!(matches!(
        sign(JwtAlg::EdDsa, &key, &other_alg, &claims()),
        Err(JwtError::HeaderAlg { .. })
    ));
}

#[test]
fn unsecured_tokens_decode_but_never_verify() {
    let token = unsecured(&Map::new(), &claims()).expect("build");
    assert!(token.ends_with('.'));
    let (header, body) = decode_unverified(&token).expect("decode");
    assert_eq!(header["alg"], "none");
    assert_eq!(Value::Object(body), claims());
    let key = SigningKey::generate(KeyKind::EcP256).expect("generate");
    assert_eq!(
        verify_with_jwks(&token, &jwks_of(&key)),
        Err(VerifyFailure::AlgNone)
    );
    assert_eq!(verify_with_key(&token, &key), Err(VerifyFailure::AlgNone));
}

#[test]
fn malformed_tokens_are_named() {
    for (token, needle) in [
        ("a.b", "2 part"),
        ("a.b.c.d.e", "JWE"),
        ("!!.e30.", "base64url"),
        (
            &format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(b"[1]")),
            "JSON object",
        ),
    ] {
        let err = decode_unverified(token).expect_err(token);
        assert!(err.to_string().contains(needle), "{err}");
    }
}

#[test]
fn crit_and_unknown_algorithms_are_refused() {
    let key = SigningKey::generate(KeyKind::EcP256).expect("generate");
    let mut extra = Map::new();
    extra.insert("crit".into(), json!(["exp"]));
    extra.insert("exp".into(), json!(1));
    let token = sign(JwtAlg::Es256, &key, &extra, &claims()).expect("sign");
    assert_eq!(
        verify_with_jwks(&token, &jwks_of(&key)),
        Err(VerifyFailure::UnsupportedCritical(vec!["exp".into()]))
    );
    let token = format!("{}.{}.c2ln", b64(br#"{"alg":"ES512"}"#), b64(b"{}"));
    assert!(matches!(
        verify_with_jwks(&token, &jwks_of(&key)),
        Err(VerifyFailure::UnsupportedAlg(_))
    ));
}

#[test]
fn key_selection_reports_why_no_key_fits() {
    let ec = SigningKey::generate(KeyKind::EcP256).expect("generate");
    let rsa = SigningKey::generate(KeyKind::Rsa).expect("generate");
    let token = sign(JwtAlg::Es256, &ec, &Map::new(), &claims()).expect("sign");
    // A kid nobody publishes.
    let err = verify_with_jwks(&token, &jwks_of(&rsa)).expect_err("unknown kid");
    assert!(matches!(err, VerifyFailure::NoKeyWithKid { .. }), "{err}");
    // The right kid on a key of the wrong type: algorithm confusion refused.
    let confused = rsa.clone().with_kid(ec.kid().unwrap_or_default());
    let err = verify_with_jwks(&token, &jwks_of(&confused)).expect_err("wrong kty");
    assert!(matches!(err, VerifyFailure::KeyNotForAlg { .. }), "{err}");
    // A key restricted to another algorithm.
    let mut jwk = ec.verification_jwk();
    jwk["alg"] = json!("ES384");
    let err = verify_with_jwks(&token, &json!({"keys": [jwk]})).expect_err("alg member");
    assert!(matches!(err, VerifyFailure::KeyAlgMismatch { .. }), "{err}");
    // An encryption key.
    let mut jwk = ec.verification_jwk();
    jwk["use"] = json!("enc");
    let err = verify_with_jwks(&token, &json!({"keys": [jwk]})).expect_err("use enc");
    assert!(matches!(err, VerifyFailure::KeyNotForAlg { .. }), "{err}");
    // Two keys under one kid.
    let twin = SigningKey::generate(KeyKind::EcP256)
        .expect("generate")
        .with_kid(ec.kid().unwrap_or_default());
    let set = json!({"keys": [ec.verification_jwk(), twin.verification_jwk()]});
    let err = verify_with_jwks(&token, &set).expect_err("ambiguous");
    assert!(
        matches!(err, VerifyFailure::AmbiguousKey { count: 2, .. }),
        "{err}"
    );
    // Not a JWKS.
    let err = verify_with_jwks(&token, &json!([])).expect_err("not a set");
    assert!(matches!(err, VerifyFailure::NotAJwks(_)), "{err}");
}

#[test]
fn private_ec_and_okp_jwks_load() {
    let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("ec");
    let d = pair.private_key().as_be_bytes().expect("d");
    let point = pair.public_key().as_ref();
    let jwk = json!({
        "kty": "EC", "crv": "P-256", "kid": "ec-1",
        "d": b64(d.as_ref()), "x": b64(&point[1..33]), "y": b64(&point[33..]),
    });
    let key = SigningKey::from_jwk(&jwk).expect("EC JWK");
    assert_eq!((key.kind(), key.kid()), (KeyKind::EcP256, Some("ec-1")));
    let public = public_jwk(&key).expect("public");
    assert_eq!(public["x"], jwk["x"]);
    assert!(public.get("d").is_none());

    let pair = Ed25519KeyPair::generate().expect("ed");
    let seed = pair.seed().expect("seed").as_be_bytes().expect("bytes");
    let jwk = json!({
        "kty": "OKP", "crv": "Ed25519",
        "d": b64(seed.as_ref()), "x": b64(pair.public_key().as_ref()),
    });
    let key = SigningKey::from_jwk(&jwk).expect("OKP JWK");
    assert_eq!(key.kind(), KeyKind::Ed25519);
    // No kid in the JWK: the RFC 7638 thumbprint.
    assert_eq!(key.kid().map(str::to_string), key.thumbprint());

    let mut wrong = jwk.clone();
    wrong["x"] = json!(b64(&[7u8; 32]));
    assert!(matches!(
        SigningKey::from_jwk(&wrong),
        Err(KeyError::Jwk(_))
    ));
    assert!(matches!(
        SigningKey::from_jwk(&json!({"kty": "RSA", "n": "AQAB"})),
        Err(KeyError::Jwk(_))
    ));
}

#[test]
fn debug_never_shows_private_material() {
    let key = SigningKey::from_secret(b"correct horse battery staple").expect("secret");
    let shown = format!("{key:?}");
    assert!(!shown.contains("horse"), "{shown}");
    assert!(public_jwk(&key).is_none());
    assert_eq!(
        SigningKey::from_secret(b"").map(|_| ()),
        Err(KeyError::EmptySecret)
    );
}

#[test]
fn pem_errors_say_what_the_file_is() {
    let sec1 = b"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n";
    let err = SigningKey::from_pem(sec1).expect_err("sec1");
    assert!(err.to_string().contains("pkcs8"), "{err}");
    let err = SigningKey::from_pem(b"hello").expect_err("junk");
    assert!(err.to_string().contains("PKCS#8"), "{err}");
}

#[test]
fn token_hashes_take_the_left_half_of_the_alg_hash() {
    // OIDC Core §3.1.3.6; SHA-2 of "abc" (FIPS 180-2 test vector), left half, base64url.
    assert_eq!(
        token_hash("RS256", "abc").as_deref(),
        Some("ungWv48Bz-pBQUDeXa4iIw")
    );
    assert_eq!(
        token_hash("ES384", "abc").as_deref(),
        Some("ywB1P0WjXou1oD1pmsZQBycsMqsO3tFj")
    );
    assert_eq!(
        token_hash("PS512", "abc").as_deref(),
        Some("3a81oZNherrMQXNJriBBMRLm-k6JqX6iCp7u5ktV05o")
    );
    assert_eq!(token_hash("EdDSA", "abc"), token_hash("HS512", "abc"));
    assert_eq!(token_hash("none", "abc"), None);
}
