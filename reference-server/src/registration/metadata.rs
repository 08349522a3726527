//! Validation of client metadata (RFC 7591 §2) sent to the registration endpoint or in an
//! RFC 7592 §2.2 update: what is registered, the defaults filled in, and the
//! `invalid_redirect_uri` / `invalid_client_metadata` errors of RFC 7591 §3.2.2.

use serde_json::{Map, Value, json};

use crate::fixtures::AuthMethod;
use crate::policy::RegistrationPolicy;

/// RFC 7591 §3.2.2 error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataErrorCode {
    InvalidRedirectUri,
    InvalidClientMetadata,
}

impl MetadataErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            MetadataErrorCode::InvalidRedirectUri => "invalid_redirect_uri",
            MetadataErrorCode::InvalidClientMetadata => "invalid_client_metadata",
        }
    }
}

/// Why metadata was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataError {
    pub code: MetadataErrorCode,
    pub description: &'static str,
}

fn redirect_error(description: &'static str) -> MetadataError {
    MetadataError {
        code: MetadataErrorCode::InvalidRedirectUri,
        description,
    }
}

fn metadata_error(description: &'static str) -> MetadataError {
    MetadataError {
        code: MetadataErrorCode::InvalidClientMetadata,
        description,
    }
}

/// The grant types a registered client may ask for.
const GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "implicit",
    "refresh_token",
    "client_credentials",
    "urn:ietf:params:oauth:grant-type:device_code",
];
/// The scope values a registered client may be given; others are dropped (RFC 7591 §2:
/// the server "MAY" replace requested values, and the response shows what was stored).
const SCOPES: &[&str] = &["openid", "read", "write"];
/// Scope registered when the client asks for none.
pub const DEFAULT_SCOPE: &str = "read";
/// Human-readable string members, which may carry a language tag (§2.2).
const STRINGS: &[&str] = &[
    "client_name",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "software_id",
    "software_version",
    "jwks_uri",
];
/// Members the server itself sets, ignored in a registration request (§3.2.1, §6: the
/// client never chooses its `client_id` or secret).
pub const MANAGED: &[&str] = &[
    "client_id",
    "client_secret",
    "client_id_issued_at",
    "client_secret_expires_at",
    "registration_access_token",
    "registration_client_uri",
];

/// Metadata that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// Every registered value, defaults included, as the response echoes it.
    pub echoed: Map<String, Value>,
    /// The names of the values the server filled in itself.
    pub defaulted: Vec<&'static str>,
    pub auth_method: String,
    pub grant_types: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub scope: String,
    pub jwks: Option<Value>,
}

/// Validates `body` (a JSON object) under `policy`.
pub fn validate(policy: &RegistrationPolicy, body: &Value) -> Result<Metadata, MetadataError> {
    let object = body
        .as_object()
        .ok_or(metadata_error("the body is not a JSON object"))?;
    let checked = policy.metadata_checked;
    let mut echoed = Map::new();
    let mut defaulted = Vec::new();

    // redirect_uris (§2): an array of strings.
    let redirect_uris = match object.get("redirect_uris") {
        None => Vec::new(),
        Some(value) => {
            let uris = strings(value, checked)
                .ok_or(redirect_error("redirect_uris must be an array of strings"))?;
            for uri in &uris {
                check_redirect_uri(policy, uri)?;
            }
            echoed.insert("redirect_uris".into(), value.clone());
            uris
        }
    };

    // token_endpoint_auth_method (§2): "If unspecified or omitted, the default is
    // client_secret_basic".
    let auth_method = match object.get("token_endpoint_auth_method") {
        None => {
            defaulted.push("token_endpoint_auth_method");
            if policy.default_method_basic {
                "client_secret_basic".to_string()
            } else {
                "client_secret_post".to_string()
            }
        }
        Some(value) => {
            let method = value.as_str().filter(|m| AuthMethod::parse(m).is_some());
            match method {
                Some(m) => m.to_string(),
                None if checked => {
                    return Err(metadata_error(
                        "token_endpoint_auth_method is not a method this server supports",
                    ));
                }
                None => "client_secret_basic".to_string(),
            }
        }
    };
    echoed.insert(
        "token_endpoint_auth_method".into(),
        match object.get("token_endpoint_auth_method") {
            Some(v) if !checked => v.clone(),
            _ => json!(auth_method),
        },
    );

    // grant_types (§2): "If omitted, the default behavior is that the client will use only
    // the authorization_code Grant Type."
    let grant_types = match object.get("grant_types") {
        None => {
            defaulted.push("grant_types");
            vec!["authorization_code".to_string()]
        }
        Some(value) => {
            let grants = strings(value, checked)
                .ok_or(metadata_error("grant_types must be an array of strings"))?;
            if checked && grants.iter().any(|g| !GRANT_TYPES.contains(&g.as_str())) {
                return Err(metadata_error(
                    "grant_types holds an unsupported grant type",
                ));
            }
            grants
        }
    };
    echoed.insert(
        "grant_types".into(),
        match object.get("grant_types") {
            Some(v) if !checked => v.clone(),
            _ => json!(grant_types),
        },
    );

    // response_types (§2): "If omitted, the default is that the client will use only the
    // code response type." A client without the code grant gets none by default instead, so
    // that the default never contradicts its grants (§2.1).
    let has = |g: &str| grant_types.iter().any(|x| x == g);
    let response_types = match object.get("response_types") {
        None => {
            defaulted.push("response_types");
            if has("authorization_code") || object.get("grant_types").is_none() {
                vec!["code".to_string()]
            } else {
                Vec::new()
            }
        }
        Some(value) => {
            let types = strings(value, checked)
                .ok_or(metadata_error("response_types must be an array of strings"))?;
            if checked && types.iter().any(|t| t != "code" && t != "token") {
                return Err(metadata_error(
                    "response_types holds an unsupported response type",
                ));
            }
            types
        }
    };
    // §2.1: code goes with authorization_code, token with implicit; "the authorization server
    // SHOULD ensure that the values ... are consistent".
    let responds = |t: &str| response_types.iter().any(|x| x == t);
    if policy.types_consistent
        && (responds("code") != has("authorization_code") || responds("token") != has("implicit"))
    {
        return Err(metadata_error(
            "response_types and grant_types are not consistent (RFC 7591 section 2.1)",
        ));
    }
    echoed.insert("response_types".into(), json!(response_types));

    // §5: "the authorization server MUST require registered redirection URIs" for the
    // redirect-based grants (RFC 6749 §3.1.2.2 for public and implicit clients).
    if policy.redirect_required
        && redirect_uris.is_empty()
        && (has("authorization_code") || has("implicit"))
    {
        return Err(redirect_error(
            "redirect_uris are required for the authorization_code and implicit grants",
        ));
    }

    // jwks and jwks_uri (§2): "MUST NOT both be present in the same request or response".
    let jwks = object.get("jwks").cloned();
    if let Some(keys) = &jwks {
        let well_formed = keys
            .get("keys")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().all(|k| k.get("kty").is_some_and(Value::is_string)));
        if checked && !well_formed {
            return Err(metadata_error("jwks is not a JWK Set"));
        }
        echoed.insert("jwks".into(), keys.clone());
    }
    if jwks.is_some() && object.contains_key("jwks_uri") && policy.jwks_exclusive {
        return Err(metadata_error("jwks and jwks_uri must not both be present"));
    }
    if auth_method == "private_key_jwt" && jwks.is_none() && checked {
        return Err(metadata_error(
            "private_key_jwt needs jwks (this server does not fetch jwks_uri)",
        ));
    }

    // scope (§2): a space-separated string; values this server does not offer are dropped.
    let scope = match object.get("scope") {
        None => {
            defaulted.push("scope");
            DEFAULT_SCOPE.to_string()
        }
        Some(Value::String(s)) => s
            .split(' ')
            .filter(|v| SCOPES.contains(v))
            .collect::<Vec<_>>()
            .join(" "),
        Some(_) if checked => return Err(metadata_error("scope must be a string")),
        Some(_) => DEFAULT_SCOPE.to_string(),
    };
    echoed.insert("scope".into(), json!(scope));
    // The `registration-scope-replaced-silently` fault: the response shows the offered
    // values, the client keeps every requested one.
    let scope = match object.get("scope").and_then(Value::as_str) {
        Some(requested) if !policy.replacements_shown => requested.to_string(),
        _ => scope,
    };

    // contacts (§2): an array of strings.
    if let Some(value) = object.get("contacts") {
        strings(value, checked).ok_or(metadata_error("contacts must be an array of strings"))?;
        echoed.insert("contacts".into(), value.clone());
    }

    // Human-readable and URL members, with their language-tagged variants (§2.2).
    for (name, value) in object {
        let base = name.split('#').next().unwrap_or_default();
        if STRINGS.contains(&base) {
            if checked && !value.is_string() {
                return Err(metadata_error("a string member has another type"));
            }
            echoed.insert(name.clone(), value.clone());
        } else if !policy.unknown_ignored && !is_known(name) {
            return Err(metadata_error("unknown client metadata"));
        }
    }
    // §2: "The authorization server MUST ignore any client metadata sent by the client that
    // it does not understand": unknown members are dropped.

    Ok(Metadata {
        echoed,
        defaulted,
        auth_method,
        grant_types,
        redirect_uris,
        scope,
        jwks,
    })
}

/// A member this module reads, or one the server manages itself.
fn is_known(name: &str) -> bool {
    let base = name.split('#').next().unwrap_or_default();
    STRINGS.contains(&base)
        || MANAGED.contains(&name)
        || [
            "redirect_uris",
            "token_endpoint_auth_method",
            "grant_types",
            "response_types",
            "jwks",
            "scope",
            "contacts",
        ]
        .contains(&name)
}

/// An array of strings; unchecked, a single string counts as a one-element array.
fn strings(value: &Value, checked: bool) -> Option<Vec<String>> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect(),
        Value::String(s) if !checked => Some(vec![s.clone()]),
        _ => None,
    }
}

/// RFC 6749 §3.1.2: "The redirection endpoint URI MUST be an absolute URI ... MUST NOT
/// include a fragment component." RFC 7591 §5 and RFC 9700 §2.6: an https site, http on
/// the local machine, or an app-specific scheme; never a script.
fn check_redirect_uri(policy: &RegistrationPolicy, uri: &str) -> Result<(), MetadataError> {
    let parsed = url::Url::parse(uri);
    if policy.redirect_syntax_checked {
        let Ok(url) = &parsed else {
            return Err(redirect_error("a redirect URI is not an absolute URI"));
        };
        if url.fragment().is_some() || uri.contains('#') {
            return Err(redirect_error("a redirect URI contains a fragment"));
        }
    }
    let Ok(url) = parsed else {
        return Ok(());
    };
    let scheme = url.scheme();
    if policy.redirect_scheme_checked
        && ["javascript", "data", "vbscript", "file"].contains(&scheme)
    {
        return Err(redirect_error("this redirect URI scheme is not allowed"));
    }
    if scheme == "http" && policy.http_redirect_refused {
        let loopback = match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        if !loopback {
            return Err(redirect_error(
                "http redirect URIs are allowed only on the local machine",
            ));
        }
    }
    Ok(())
}
