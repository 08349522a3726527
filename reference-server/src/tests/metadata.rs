//! Metadata, JWKS, layouts, placeholders and 404s.

use axum::http::{StatusCode, header};
use serde_json::Value;

use super::*;
use crate::config::{DEFAULT_ENV_ID, DEFAULT_REALM};
use crate::layouts::{LayoutParams, LayoutPaths};

/// Both metadata locations of a layout, relative to BASE.
fn metadata_paths(layout: Layout) -> [String; 2] {
    let params = LayoutParams {
        env_id: DEFAULT_ENV_ID.into(),
        realm: DEFAULT_REALM.into(),
    };
    let p = LayoutPaths::new(layout, &params);
    [p.metadata_rfc8414, p.metadata_oidc]
}

fn path_of(url: &Value) -> String {
    url.as_str()
        .and_then(|u| u.strip_prefix(BASE))
        .expect("absolute URL on BASE")
        .to_string()
}

fn assert_no_empty_arrays(doc: &Value) {
    if let Value::Object(map) = doc {
        for (name, value) in map {
            assert!(value.as_array().is_none_or(|a| !a.is_empty()), "{name}");
        }
    }
}

#[tokio::test]
async fn every_layout_serves_identical_metadata_at_both_locations() {
    for &layout in Layout::WITH_PATHS {
        let router = router_with(layout, &[]);
        let issuer = config_with(layout, &[]).issuer(BASE);
        let [rfc8414, oidc] = metadata_paths(layout);
        let a = get(&router, &rfc8414).await;
        let b = get(&router, &oidc).await;
        for reply in [&a, &b] {
            assert_eq!(reply.status, StatusCode::OK, "{layout} {reply:?}");
            assert_eq!(reply.header(header::CONTENT_TYPE), Some("application/json"));
        }
        let doc = a.json();
        assert_eq!(doc, b.json(), "{layout}");
        assert_eq!(doc["issuer"], issuer.as_str(), "{layout}");
        assert_no_empty_arrays(&doc);
        assert_eq!(
            doc["response_types_supported"],
            serde_json::json!(["code", "token"])
        );
        assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
        // RFC 8414 §2: RS256 listed (RFC 7523 §5), "none" never.
        assert_eq!(
            doc["token_endpoint_auth_signing_alg_values_supported"],
            serde_json::json!(["RS256", "PS256", "ES256", "EdDSA", "HS256"])
        );

        // The advertised endpoints are the routed ones.
        let token_path = path_of(&doc["token_endpoint"]);
        let reply = post_form(
            &router,
            &token_path,
            conf(),
            &[("grant_type", "client_credentials")],
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{layout} {token_path}");
        let token = reply.json()["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let introspection_path = path_of(&doc["introspection_endpoint"]);
        let reply = post_form(&router, &introspection_path, conf(), &[("token", &token)]).await;
        assert_eq!(reply.json()["active"], true, "{layout}");
        assert_eq!(reply.json()["iss"], issuer.as_str(), "{layout}");
        let revocation_path = path_of(&doc["revocation_endpoint"]);
        let reply = post_form(&router, &revocation_path, conf(), &[("token", &token)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{layout}");
        let jwks = get(&router, &path_of(&doc["jwks_uri"])).await;
        assert_eq!(
            jwks.json()["keys"].as_array().map(Vec::len),
            Some(1),
            "{layout}"
        );
        // Without parameters: the authorization endpoint's error page, userinfo's challenge.
        let reply = get(&router, &path_of(&doc["authorization_endpoint"])).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{layout}");
        assert!(
            reply
                .header(header::CONTENT_TYPE)
                .is_some_and(|c| c.starts_with("text/html"))
        );
        let reply = get(&router, &path_of(&doc["userinfo_endpoint"])).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{layout}");
        assert!(reply.header(header::WWW_AUTHENTICATE).is_some());
    }
}

#[tokio::test]
async fn vendor_paths() {
    let router = router_with(Layout::Pingone, &[]);
    let reply = get(
        &router,
        &format!("/.well-known/oauth-authorization-server/{DEFAULT_ENV_ID}/as"),
    )
    .await;
    assert_eq!(
        reply.json()["token_endpoint"],
        format!("{BASE}/{DEFAULT_ENV_ID}/as/token")
    );
    // The generic paths do not exist in a vendor layout.
    let reply = post_form(
        &router,
        "/token",
        conf(),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    let router = router_with(Layout::Aic, &[]);
    let reply = get(
        &router,
        "/am/oauth2/realms/root/realms/alpha/.well-known/openid-configuration",
    )
    .await;
    let doc = reply.json();
    assert_eq!(
        doc["issuer"],
        format!("{BASE}/am/oauth2/realms/root/realms/alpha")
    );
    assert_eq!(
        doc["revocation_endpoint"],
        format!("{BASE}/am/oauth2/realms/root/realms/alpha/token/revoke")
    );

    let router = router_with(Layout::Pingfederate, &[]);
    let doc = get(&router, "/.well-known/openid-configuration")
        .await
        .json();
    assert_eq!(doc["issuer"], BASE);
    assert_eq!(doc["jwks_uri"], format!("{BASE}/pf/JWKS"));
}

#[tokio::test]
async fn unknown_paths_are_json_404() {
    let router = strict();
    for path in [
        "/nope",
        "/token/extra",
        "/.well-known/oauth-authorization-server/x",
    ] {
        let reply = get(&router, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.json(), serde_json::json!({"error": "not_found"}));
    }
}

#[tokio::test]
async fn jwks_is_public_only() {
    let router = strict();
    let jwks = get(&router, "/jwks").await.json();
    let keys = jwks["keys"].as_array().cloned().unwrap_or_default();
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["alg"], "RS256");
    assert!(key["kid"].is_string() && key["n"].is_string() && key["e"].is_string());
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(key.get(private).is_none());
    }
}

#[tokio::test]
async fn odd_configuration_values_do_not_panic() {
    let mut config = config_with(Layout::Pingone, &[]);
    config.env_id = "{weird}/*x/:y".into();
    let router = build_router(config.clone(), BASE);
    let reply = get(
        &router,
        "/{weird}/*x/:y/as/.well-known/openid-configuration",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    config.layout = Layout::Aic;
    config.realm = String::new();
    let _ = build_router(config, BASE);
}
