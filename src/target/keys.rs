//! Client keys in a target file: a client role's `key_file` (PKCS#8 PEM or private JWK,
//! relative to the target file's directory), `key_alg` and `key_id`, loaded into a
//! [`ClientKey`] that signs its `private_key_jwt` / `client_secret_jwt` assertions
//! (RFC 7523 §2.2, OIDC Core §9). Every mistake is a [`Diagnostic`] at the setting's span.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Source};
use crate::execute::jwt::{JwtAlg, KeyError, KeyKind, SigningKey};

/// A client's signing key and the algorithm its assertions use. `Debug` shows the key's
/// kind and `kid`, never its private material.
#[derive(Debug, Clone)]
pub struct ClientKey {
    pub key: SigningKey,
    pub alg: JwtAlg,
    pub source: KeySource,
}

/// Where a [`ClientKey`] came from, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The `key_file`, resolved against the target file's directory.
    File(PathBuf),
    /// `key_alg = "HS…"` without `key_file`: an HMAC over the client secret.
    ClientSecret,
}

/// One setting's value (after `${env:…}` substitution) and its span in the file.
#[derive(Debug, Clone)]
pub struct Setting {
    pub value: String,
    pub span: Range<usize>,
}

/// The key settings of one `[clients.<role>]` table.
#[derive(Debug, Clone, Default)]
pub struct KeySettings {
    pub file: Option<Setting>,
    pub alg: Option<Setting>,
    pub id: Option<Setting>,
}

/// Loads the client's key: `None` when the table sets no key, else the key or the
/// diagnostics that say why it cannot be used.
pub fn load(
    source: &Source,
    settings: &KeySettings,
    client_secret: Option<&str>,
) -> Result<Option<ClientKey>, Vec<Diagnostic>> {
    let alg = match &settings.alg {
        None => None,
        Some(s) => match JwtAlg::parse(&s.value) {
            Some(a) => Some((a, s)),
            None => {
                return Err(vec![
                    Diagnostic::new(
                        source,
                        s.span.clone(),
                        format!("unknown key_alg `{}`", s.value),
                    )
                    .expected(JwtAlg::expected()),
                ]);
            }
        },
    };
    let (key, alg, origin) = match (&settings.file, alg) {
        (Some(file), alg) => {
            let path = resolve(source, &file.value);
            let key = SigningKey::from_file(&path).map_err(|e| {
                let d = Diagnostic::new(source, file.span.clone(), e.to_string());
                vec![match e {
                    KeyError::Read { .. } => d.expected("a path relative to the target file"),
                    _ => d.expected(
                        "a PKCS#8 PEM private key (RSA, EC P-256/P-384, Ed25519) or a private JWK",
                    ),
                }]
            })?;
            let alg = match alg {
                None => key.kind().default_alg(),
                Some((a, s)) if !key.kind().algorithms().contains(&a) => {
                    return Err(vec![
                        Diagnostic::new(
                            source,
                            s.span.clone(),
                            format!("the {} key in `key_file` cannot sign `{a}`", key.kind()),
                        )
                        .expected(names(key.kind())),
                    ]);
                }
                Some((a, _)) => a,
            };
            (key, alg, KeySource::File(path))
        }
        (None, Some((a, s))) if a.is_symmetric() => {
            let key = client_secret
                .ok_or_else(|| "the client has no `client_secret`".to_string())
                .and_then(|secret| {
                    SigningKey::from_secret(secret.as_bytes()).map_err(|e| e.to_string())
                })
                .map_err(|why| {
                    vec![Diagnostic::new(
                        source,
                        s.span.clone(),
                        format!("key_alg `{a}` signs with the client secret, but {why}"),
                    )]
                })?;
            (key, a, KeySource::ClientSecret)
        }
        (None, Some((a, s))) => {
            return Err(vec![
                Diagnostic::new(
                    source,
                    s.span.clone(),
                    format!("key_alg `{a}` needs `key_file`"),
                )
                .expected("`key_file = \"keys/client.pem\"` (PEM or private JWK)"),
            ]);
        }
        (None, None) => {
            return match &settings.id {
                Some(id) => Err(vec![
                    Diagnostic::new(source, id.span.clone(), "key_id without a key")
                        .expected("`key_file` (or `key_alg = \"HS256\"` for the client secret)"),
                ]),
                None => Ok(None),
            };
        }
    };
    let key = match &settings.id {
        Some(id) => key.with_kid(id.value.clone()),
        None => key,
    };
    Ok(Some(ClientKey {
        key,
        alg,
        source: origin,
    }))
}

/// `file` relative to the target file's directory (an absolute path stays as it is).
fn resolve(source: &Source, file: &str) -> PathBuf {
    let dir = source.path.parent().unwrap_or(Path::new(""));
    dir.join(file)
}

fn names(kind: KeyKind) -> String {
    let names: Vec<String> = kind.algorithms().iter().map(|a| format!("`{a}`")).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(value: &str, at: usize) -> Option<Setting> {
        Some(Setting {
            value: value.into(),
            span: at..at + value.len(),
        })
    }

    fn source() -> Source {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/target.toml");
        Source::new(dir, "x".repeat(64))
    }

    #[test]
    fn fixture_keys_load_with_their_default_algorithms() {
        for (file, kind, alg) in [
            ("keys/rsa.pem", KeyKind::Rsa, JwtAlg::Rs256),
            ("keys/ec-p256.pem", KeyKind::EcP256, JwtAlg::Es256),
            ("keys/ed25519.pem", KeyKind::Ed25519, JwtAlg::EdDsa),
            ("keys/rsa-private.jwk.json", KeyKind::Rsa, JwtAlg::Rs256),
        ] {
            let settings = KeySettings {
                file: setting(file, 0),
                ..KeySettings::default()
            };
            let key = load(&source(), &settings, None)
                .unwrap_or_else(|d| panic!("{file}: {}", d[0].message))
                .expect("a key");
            assert_eq!((key.key.kind(), key.alg), (kind, alg), "{file}");
            assert!(matches!(key.source, KeySource::File(_)));
        }
    }

    #[test]
    fn alg_and_kid_are_configurable() {
        let settings = KeySettings {
            file: setting("keys/rsa-private.jwk.json", 0),
            alg: setting("PS256", 30),
            id: setting("mine", 40),
        };
        let key = load(&source(), &settings, None)
            .map_err(|d| d[0].message.clone())
            .expect("loads")
            .expect("a key");
        assert_eq!((key.alg, key.key.kid()), (JwtAlg::Ps256, Some("mine")));
        let shown = format!("{key:?}");
        // The JWK's private exponent never shows.
        let jwk = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys/rsa-private.jwk.json"),
        )
        .expect("fixture");
        let value: serde_json::Value = serde_json::from_str(&jwk).expect("json");
        let d = value["d"].as_str().expect("d");
        assert!(!shown.contains(&d[..16]), "{shown}");
    }

    #[test]
    fn hs256_comes_from_the_client_secret() {
        let settings = KeySettings {
            alg: setting("HS256", 3),
            ..KeySettings::default()
        };
        let key = load(&source(), &settings, Some("s3cret"))
            .map_err(|d| d[0].message.clone())
            .expect("loads")
            .expect("a key");
        assert_eq!(
            (key.alg, key.source),
            (JwtAlg::Hs256, KeySource::ClientSecret)
        );
        let err = load(&source(), &settings, None).expect_err("no secret");
        assert_eq!(err[0].span, 3..8);
        assert!(
            err[0].message.contains("client_secret"),
            "{}",
            err[0].message
        );
    }

    #[test]
    fn mistakes_point_at_their_setting() {
        let cases = [
            (
                KeySettings {
                    file: setting("keys/missing.pem", 5),
                    ..KeySettings::default()
                },
                5..21,
                "cannot read key file",
            ),
            (
                KeySettings {
                    file: setting("keys/ec-p256.pem", 0),
                    alg: setting("PS256", 20),
                    ..KeySettings::default()
                },
                20..25,
                "EC P-256 key in `key_file` cannot sign `PS256`",
            ),
            (
                KeySettings {
                    file: setting("keys/rsa.pem", 0),
                    alg: setting("RSA256", 20),
                    ..KeySettings::default()
                },
                20..26,
                "unknown key_alg",
            ),
            (
                KeySettings {
                    alg: setting("ES256", 7),
                    ..KeySettings::default()
                },
                7..12,
                "needs `key_file`",
            ),
            (
                KeySettings {
                    id: setting("k1", 9),
                    ..KeySettings::default()
                },
                9..11,
                "key_id without a key",
            ),
            (
                KeySettings {
                    file: setting("keys/README.md", 2),
                    ..KeySettings::default()
                },
                2..16,
                "PKCS#8",
            ),
        ];
        for (settings, span, needle) in cases {
            let err = load(&source(), &settings, Some("x")).expect_err(needle);
            assert_eq!(err[0].span, span, "{needle}");
            assert!(err[0].message.contains(needle), "{}", err[0].message);
        }
        assert!(matches!(
            load(&source(), &KeySettings::default(), None),
            Ok(None)
        ));
    }
}
