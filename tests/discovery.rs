//! Discovery merges what it finds: members missing from the RFC 8414 document are taken from
//! the OpenID configuration, each recorded with the document it came from.

use oauth2spec::app;
use oauth2spec::diagnostic::Source;
use oauth2spec::outcome::Status;
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

/// One root cause, one finding: a server that serves no metadata document at all fails the
/// case that requires the document, and the cases about its content skip, naming the gap.
#[tokio::test]
async fn no_document_is_one_failure_and_the_member_cases_skip() {
    let server = MockServer::start().await;
    let base = server.uri();
    let text = format!(
        "name = \"bare\"\nbase_url = \"{base}\"\nlayout = \"custom\"\ndiscovery = true\n\
         [capabilities]\nclient_credentials = true\n\
         [clients.confidential]\nclient_id = \"c\"\nclient_secret = \"s\"\nauth_method = \"client_secret_basic\"\n"
    );
    let target = oauth2spec::target::file::parse(&Source::new("t.toml", text), &|_| None)
        .unwrap_or_else(|d| panic!("{}", oauth2spec::diagnostic::render_all(&d)));
    let catalog = oauth2spec::suite::load_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("suites"),
    )
    .expect("suites load");
    let filter = oauth2spec::plan::Filter::new(&["rfc8414/*".to_string()], &[]).expect("glob");
    let record = app::run_target(
        &catalog,
        target,
        &filter,
        &oauth2spec::execute::RunOptions::default(),
        &|_| {},
    )
    .await
    .expect("run");
    let failed: Vec<&str> = record
        .cases
        .iter()
        .filter(|c| c.status != Status::Skip)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        failed,
        ["rfc8414/document/served-at-inserted-well-known-location"],
        "{:#?}",
        record
            .cases
            .iter()
            .map(|c| (&c.id, c.status, &c.message))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        record
            .cases
            .iter()
            .find(|c| c.id == failed[0])
            .map(|c| c.status),
        Some(Status::Fail)
    );
    let skipped = record
        .cases
        .iter()
        .find(|c| c.id == "rfc8414/members/required-members-present")
        .expect("case");
    assert!(
        skipped
            .message
            .contains("discovery found no metadata document"),
        "{}",
        skipped.message
    );
    assert!(record.alerts()[0].contains("discovery was requested but found no metadata document"));
}
