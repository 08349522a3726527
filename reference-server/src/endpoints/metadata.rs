//! Authorization server metadata (RFC 8414) and the OpenID Provider configuration (OpenID
//! Connect Discovery 1.0): one document, served at every metadata location of the layout.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::errors::{ErrorFormat, method_not_allowed, not_found};
use oauth2spec_vocab::Endpoint;

use crate::layouts::Layout;
use crate::policy::IssuerClaim;
use crate::state::{AppState, SharedState};

/// Which well-known location a document is served from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// RFC 8414 §3: `/.well-known/oauth-authorization-server` inserted before the issuer path.
    Rfc8414,
    /// OpenID Connect Discovery §4: `/.well-known/openid-configuration` appended.
    OpenidConfiguration,
}

/// `GET` on the RFC 8414 location.
pub async fn rfc8414(State(state): State<SharedState>) -> Response {
    if !state.policy.metadata.rfc8414_path {
        return not_found().await;
    }
    respond(&state, Location::Rfc8414)
}

/// `GET` on the OpenID configuration location.
pub async fn openid_configuration(State(state): State<SharedState>) -> Response {
    respond(&state, Location::OpenidConfiguration)
}

/// Any other method: metadata is retrieved with GET (RFC 8414 §3.1).
pub async fn other_method() -> Response {
    method_not_allowed("GET, HEAD", ErrorFormat::Json)
}

fn respond(state: &AppState, location: Location) -> Response {
    // RFC 8414 §3.2: "using the "application/json" content type".
    let content_type = if !state.policy.metadata.json_content_type {
        "text/plain; charset=utf-8"
    } else {
        "application/json"
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type)],
        Value::Object(document(state, location)).to_string(),
    )
        .into_response()
}

/// The metadata document.
pub fn document(state: &AppState, location: Location) -> Map<String, Value> {
    let paths = &state.paths;
    let mut doc = Map::new();
    doc.insert("issuer".into(), json!(issuer_claim(state, location)));
    // The member names come with the logical endpoints, so the document advertises exactly
    // the paths of the shared layout table.
    let mut advertise = |endpoint: Endpoint, path: &str| {
        if let Some(member) = endpoint.metadata_member() {
            doc.insert(member.into(), json!(state.url(path)));
        }
    };
    advertise(Endpoint::Authorization, &paths.authorization);
    // RFC 8414 §2: token_endpoint is REQUIRED unless only the implicit grant is supported.
    if state.policy.metadata.token_endpoint_listed {
        advertise(Endpoint::Token, &paths.token);
    }
    advertise(Endpoint::Introspection, &paths.introspection);
    advertise(Endpoint::Revocation, &paths.revocation);
    advertise(Endpoint::Jwks, &paths.jwks);
    advertise(Endpoint::Userinfo, &paths.userinfo);
    // RFC 8628 §4: device_authorization_endpoint.
    advertise(Endpoint::DeviceAuthorization, &paths.device_authorization);
    // CIBA §4: backchannel_authentication_endpoint REQUIRED for an OP that offers CIBA.
    advertise(
        Endpoint::BackchannelAuthentication,
        &paths.backchannel_authentication,
    );
    // RFC 9126 §5: pushed_authorization_request_endpoint, and whether only pushed requests
    // are accepted (a boolean, default false; clients may require it one by one, §6).
    advertise(Endpoint::Par, &paths.par);
    // RFC 8414 §2 / RFC 7591 §3: registration_endpoint, where the layout has one.
    if !paths.registration.is_empty() {
        advertise(Endpoint::Registration, &paths.registration);
    }
    doc.insert(
        "require_pushed_authorization_requests".into(),
        if state.policy.par.require_flag_boolean {
            json!(state.config.require_par)
        } else {
            json!(state.config.require_par.to_string())
        },
    );
    // RFC 9101 §10.5 / OIDC Discovery §3: request objects by value, signed with the
    // client's registered keys or its secret (a PAR request_uri works regardless of the
    // request_uri metadata, RFC 9126 §5).
    doc.insert(
        "request_parameter_supported".into(),
        json!(state.policy.jar.supported),
    );
    // RFC 9101 §5.2 by reference: only where the deployment lists origins to fetch from.
    doc.insert(
        "request_uri_parameter_supported".into(),
        json!(crate::request_uri::supported(state)),
    );
    // OpenID Connect Discovery §3: true when omitted; request_uris are not registered here.
    doc.insert("require_request_uri_registration".into(), json!(false));
    doc.insert(
        "request_object_signing_alg_values_supported".into(),
        json!(["RS256", "PS256", "ES256", "EdDSA", "HS256"]),
    );
    // RFC 8414 §2: response_types_supported is REQUIRED.
    if state.policy.metadata.response_types_listed {
        doc.insert("response_types_supported".into(), json!(["code", "token"]));
    }
    let mut modes = vec!["query", "fragment", "form_post"];
    if state.config.layout == Layout::Pingone {
        modes.push("pi.flow");
    }
    doc.insert("response_modes_supported".into(), json!(modes));
    // RFC 8414 §2: *_supported members are JSON arrays.
    // CIBA §4: the CIBA grant type is listed by OPs supporting ping or poll.
    let mut grant_types = vec![
        "authorization_code",
        "implicit",
        "client_credentials",
        "refresh_token",
        crate::ciba::GRANT_TYPE,
    ];
    // RFC 8628 §4: support "is declared" by listing the grant type.
    if state.policy.device.grant_listed {
        grant_types.push(crate::grants::device_code::GRANT_TYPE);
    }
    if !state.policy.metadata.lists_as_arrays {
        doc.insert("grant_types_supported".into(), json!(grant_types.join(" ")));
    } else {
        doc.insert("grant_types_supported".into(), json!(grant_types));
    }
    // RFC 8414 §2 and RFC 7523 §2.2 / OIDC Core §9: the JWT methods are offered at every
    // endpoint that authenticates clients (they share `client_auth`).
    let auth_methods = json!([
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "client_secret_jwt",
        "none"
    ]);
    doc.insert(
        "token_endpoint_auth_methods_supported".into(),
        auth_methods.clone(),
    );
    // RFC 8414 §2: the algorithms `client_assertion` may be signed with; RS256 first (RFC
    // 7523 §5). "The value "none" MUST NOT be used": only the `metadata-none-auth-alg`
    // fault adds it.
    let mut algs = json!(["RS256", "PS256", "ES256", "EdDSA", "HS256"]);
    if !state.policy.metadata.none_auth_alg_omitted
        && let Some(list) = algs.as_array_mut()
    {
        list.push(json!("none"));
    }
    doc.insert(
        "token_endpoint_auth_signing_alg_values_supported".into(),
        algs.clone(),
    );
    for endpoint in ["revocation", "introspection"] {
        doc.insert(
            format!("{endpoint}_endpoint_auth_methods_supported"),
            json!([
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
                "client_secret_jwt"
            ]),
        );
        doc.insert(
            format!("{endpoint}_endpoint_auth_signing_alg_values_supported"),
            algs.clone(),
        );
    }
    doc.insert(
        "scopes_supported".into(),
        json!(["openid", "read", "write"]),
    );
    // RFC 8414 §2: omitting code_challenge_methods_supported declares no PKCE support.
    if state.policy.metadata.pkce_methods_listed {
        doc.insert(
            "code_challenge_methods_supported".into(),
            json!(["S256", "plain"]),
        );
    }
    // CIBA §4: backchannel_token_delivery_modes_supported REQUIRED; user codes optional.
    if state.policy.ciba.modes_advertised {
        let modes: Vec<&str> = crate::ciba::DeliveryMode::ALL
            .iter()
            .map(|m| m.as_str())
            .collect();
        doc.insert(
            "backchannel_token_delivery_modes_supported".into(),
            json!(modes),
        );
    }
    doc.insert(
        "backchannel_user_code_parameter_supported".into(),
        json!(true),
    );
    doc.insert("subject_types_supported".into(), json!(["public"]));
    doc.insert(
        "claims_supported".into(),
        json!(["sub", "name", "preferred_username"]),
    );
    doc.insert(
        "prompt_values_supported".into(),
        json!(["none", "login", "consent"]),
    );
    doc.insert(
        "id_token_signing_alg_values_supported".into(),
        json!(["RS256"]),
    );
    // RFC 9207 §3: advertises the `iss` authorization response parameter.
    doc.insert(
        "authorization_response_iss_parameter_supported".into(),
        json!(true),
    );
    if !state.policy.metadata.empty_arrays_omitted {
        // RFC 8414 §3.2: "Claims with zero elements MUST be omitted from the response."
        doc.insert("ui_locales_supported".into(), json!([]));
    }
    doc
}

/// The `issuer` member. RFC 8414 §3.3 and OIDC Discovery §4.3: it MUST be identical to the
/// issuer the document was retrieved for.
fn issuer_claim(state: &AppState, location: Location) -> String {
    let issuer = &state.issuer;
    if location == Location::OpenidConfiguration && !state.policy.metadata.oidc_issuer_exact {
        return format!("{issuer}/oidc");
    }
    match state.policy.metadata.issuer {
        IssuerClaim::TrailingSlash => format!("{issuer}/"),
        // RFC 8414 §2: the issuer has no query or fragment components.
        IssuerClaim::WithQuery => format!("{issuer}?tenant=reference"),
        IssuerClaim::Exact => issuer.clone(),
    }
}
