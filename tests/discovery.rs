//! Discovery merges what it finds: members missing from the RFC 8414 document are taken from
//! the OpenID configuration, each recorded with the document it came from.

use oauth2spec::app;
use oauth2spec::diagnostic::Source;
use oauth2spec::suite::Endpoint;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn an_endpoint_found_only_in_the_openid_document_is_used() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(path("/.well-known/oauth-authorization-server"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "issuer": base, "token_endpoint": format!("{base}/oauth/token"),
            "authorization_endpoint": format!("{base}/oauth/authorize"),
        })))
        .mount(&server)
        .await;
    Mock::given(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "issuer": base, "token_endpoint": format!("{base}/other/token"),
            "userinfo_endpoint": format!("{base}/oidc/me"),
        })))
        .mount(&server)
        .await;
    let text =
        format!("name = \"merge\"\nbase_url = \"{base}\"\nlayout = \"custom\"\ndiscovery = true\n");
    let target = oauth2spec::target::file::parse(&Source::new("t.toml", text), &|_| None)
        .unwrap_or_else(|d| panic!("{}", oauth2spec::diagnostic::render_all(&d)));
    let resolved = app::resolve(target).await.expect("resolves");
    // The RFC 8414 document wins where both have a member...
    assert_eq!(
        resolved.endpoints.get(&Endpoint::Token).map(String::as_str),
        Some(format!("{base}/oauth/token").as_str())
    );
    // ...and the OpenID configuration supplies what it lacks, with its origin recorded.
    assert_eq!(
        resolved
            .endpoints
            .get(&Endpoint::Userinfo)
            .map(String::as_str),
        Some(format!("{base}/oidc/me").as_str())
    );
    assert_eq!(
        resolved
            .discovery
            .merged
            .get("userinfo_endpoint")
            .map(String::as_str),
        Some(format!("{base}/.well-known/openid-configuration").as_str())
    );
    assert!(!resolved.discovery.merged.contains_key("token_endpoint"));
}
