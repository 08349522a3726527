//! A client per grant (issue 7 item 7): a target whose `confidential` role is one client for
//! client_credentials and another for the code grant runs the shipped token-endpoint and
//! code-flow cases with the right client each; a case needing a grant no client of the role
//! has is skipped with that reason; and an `unauthorized_client` for a grant the target never
//! declared for the client is no finding.

use std::collections::BTreeSet;
use std::path::Path;

use oauth2spec::app::run_target;
use oauth2spec::execute::RunOptions;
use oauth2spec::outcome::{Exchange, RunRecord, SkipReason, Status};
use oauth2spec::plan::Filter;
use oauth2spec::suite::{self, Catalog, Grant, Role};
use oauth2spec::target::{ClientConfig, Target};
use reference_server::ServerConfig;
use reference_server::fixtures::ClientFixture;

/// The machine client's access tokens live this long: a token response with this
/// `expires_in` was issued to it, any other to the web client (which has the default).
const MACHINE_TTL: u64 = 777;

fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        suite::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("suites")).expect("suites")
    })
}

/// The reference server with one more client, registered for client_credentials only and
/// played by no role of the generated target.
fn config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.fixtures.clients.push(ClientFixture {
        role: "machine".into(),
        client_id: "machine-only".into(),
        // Reserved characters, as RFC 6749 §2.3.1's form-urlencoding case wants.
        client_secret: Some("m4ch:ne+%/=only&x y".into()),
        auth_method: "client_secret_basic".into(),
        grant_types: vec!["client_credentials".into()],
        scope: "read".into(),
        redirect_uris: Vec::new(),
        may_introspect: true,
        access_token_ttl: Some(MACHINE_TTL),
        backchannel_token_delivery_mode: None,
        backchannel_client_notification_endpoint: None,
        backchannel_user_code_parameter: false,
        require_pushed_authorization_requests: false,
        macaroon_tokens: false,
        jwks: None,
        key_file: None,
        key_alg: None,
    });
    config
}

/// `confidential` becomes the machine client (client_credentials only), with the
/// generated confidential client (conf-basic) as its alternative for the code grant.
fn split_confidential(t: &mut Target, with_web: bool) {
    let Some(mut web) = t.clients.remove(&Role::Confidential) else {
        panic!("the reference target has a confidential client");
    };
    web.grants = Some(BTreeSet::from([
        Grant::AuthorizationCode,
        Grant::RefreshToken,
    ]));
    let machine = ClientConfig {
        client_id: "machine-only".into(),
        client_secret: Some("m4ch:ne+%/=only&x y".into()),
        auth_method: web.auth_method,
        scope: Some("read".into()),
        redirect_uri: None,
        key: None,
        grants: Some(BTreeSet::from([Grant::ClientCredentials])),
        also: if with_web { vec![web] } else { Vec::new() },
    };
    t.clients.insert(Role::Confidential, machine);
}

async fn run(only: &[&str], adjust: impl FnOnce(&mut Target)) -> RunRecord {
    let oauth2spec::app::Reference {
        server, mut target, ..
    } = oauth2spec::app::start_reference(config())
        .await
        .expect("reference server");
    adjust(&mut target);
    let only: Vec<String> = only.iter().map(|s| s.to_string()).collect();
    let filter = Filter::new(&only, &[]).expect("filter");
    let record = run_target(catalog(), target, &filter, &RunOptions::default(), &|_| {})
        .await
        .expect("run starts");
    server.shutdown().await;
    record
}

fn form_has(e: &Exchange, pair: &str) -> bool {
    e.request
        .body
        .as_deref()
        .is_some_and(|b| b.split('&').any(|p| p == pair))
}

fn expires_in(e: &Exchange) -> Option<u64> {
    let body = e.response.as_ref()?.body.as_deref()?;
    serde_json::from_str::<serde_json::Value>(body)
        .ok()?
        .get("expires_in")?
        .as_u64()
}

#[tokio::test]
async fn token_endpoint_and_code_flow_cases_use_the_client_of_their_grant() {
    let record = run(
        &["rfc6749/token-endpoint/*", "rfc6749/code-exchange/*"],
        |t| split_confidential(t, true),
    )
    .await;
    let not_passed: Vec<String> = record
        .cases
        .iter()
        .filter(|c| c.status != Status::Pass)
        .map(|c| format!("{} {:?}: {}", c.id, c.status, c.message))
        .collect();
    assert!(not_passed.is_empty(), "{not_passed:#?}");
    assert!(record.cases.len() > 20, "{} cases", record.cases.len());

    let exchanges: Vec<&Exchange> = record.cases.iter().flat_map(|c| &c.exchanges).collect();
    // Every client_credentials token the server issued went to the machine client.
    let cc: Vec<&&Exchange> = exchanges
        .iter()
        .filter(|e| form_has(e, "grant_type=client_credentials"))
        .filter(|e| e.response.as_ref().is_some_and(|r| r.status == 200))
        .collect();
    assert!(cc.len() >= 4, "{} client_credentials tokens", cc.len());
    for e in &cc {
        assert_eq!(expires_in(e), Some(MACHINE_TTL), "{}", e.label);
    }
    // No authorization request named the machine client, and every code exchanged was
    // issued to a client other than the machine one.
    let authz: Vec<&&Exchange> = exchanges
        .iter()
        .filter(|e| e.request.url.contains("response_type=code"))
        .collect();
    // (Cases acting as `public` or `second` send their own clients' ids.)
    for e in &authz {
        assert!(!e.request.url.contains("machine-only"), "{}", e.request.url);
    }
    let web = authz
        .iter()
        .filter(|e| e.request.url.contains("client_id=conf-basic"))
        .count();
    assert!(web >= 10, "{web} authorization requests by the web client");
    let codes: Vec<&&Exchange> = exchanges
        .iter()
        .filter(|e| form_has(e, "grant_type=authorization_code"))
        .filter(|e| e.response.as_ref().is_some_and(|r| r.status == 200))
        .collect();
    assert!(!codes.is_empty());
    for e in &codes {
        let ttl = expires_in(e);
        assert!(ttl.is_some() && ttl != Some(MACHINE_TTL), "{}", e.label);
    }
}

#[tokio::test]
async fn a_case_whose_grant_no_client_of_the_role_has_is_skipped_with_that_reason() {
    let record = run(&["rfc6749/code-exchange/code-is-single-use"], |t| {
        split_confidential(t, false)
    })
    .await;
    let [case] = record.cases.as_slice() else {
        panic!("one case: {:?}", record.cases.len());
    };
    assert_eq!(case.status, Status::Skip, "{}", case.message);
    assert!(
        matches!(
            &case.skip_reason,
            Some(SkipReason::NoClientForGrants { role, grants })
                if role == "confidential" && grants.contains(&"authorization_code".to_string())
        ),
        "{:?}",
        case.skip_reason
    );
    assert!(
        case.message
            .contains("no `confidential` client in the target is registered for"),
        "{}",
        case.message
    );
}

/// A refresh with a token no server issued: `invalid_grant` (RFC 6749 §5.2) from a client
/// registered for refresh, but a client without the grant may be refused first.
const PROBE: &str = r#"
spec = "RFC 6749"
needs = ["refresh_token"]

[[case]]
slug = "unknown-refresh-token-is-invalid-grant"
title = "A refresh token nobody issued is refused with invalid_grant"
section = "5.2"
level = "MUST"
requirement = "new"
proof = "state-dropped"
[[case.step]]
endpoint = "token"
form = { grant_type = "refresh_token", refresh_token = "oauth2spec-never-issued" }
expect = [{ status = 400 }, { json = "/error", equals = "invalid_grant" }]
"#;

async fn probe(grants: Option<BTreeSet<Grant>>) -> oauth2spec::outcome::CaseRecord {
    let dir = std::env::temp_dir()
        .join(format!("oauth2spec-grants-{}", std::process::id()))
        .join("grants");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join(format!("probe-{}.toml", grants.is_some()));
    std::fs::write(&file, PROBE).expect("write suite");
    let catalog = suite::load_files(None, &[file])
        .unwrap_or_else(|d| panic!("{}", oauth2spec::diagnostic::render_all(&d)));
    let oauth2spec::app::Reference {
        server, mut target, ..
    } = oauth2spec::app::start_reference(config())
        .await
        .expect("reference server");
    split_confidential(&mut target, false);
    if let Some(c) = target.clients.get_mut(&Role::Confidential) {
        c.grants = grants;
    }
    let record = run_target(
        &catalog,
        target,
        &Filter::default(),
        &RunOptions::default(),
        &|_| {},
    )
    .await
    .expect("run starts");
    server.shutdown().await;
    record.cases.into_iter().next().expect("one case")
}

#[tokio::test]
async fn unauthorized_client_for_an_undeclared_grant_is_no_finding() {
    // The target says the machine client has client_credentials only: the server's
    // `unauthorized_client` to its refresh is what the target said, not a finding.
    let declared = probe(Some(BTreeSet::from([Grant::ClientCredentials]))).await;
    assert_eq!(declared.status, Status::Skip, "{}", declared.message);
    assert!(
        matches!(
            &declared.skip_reason,
            Some(SkipReason::GrantNotRegistered { role, client_id, grant })
                if role == "confidential" && client_id == "machine-only" && grant == "refresh_token"
        ),
        "{:?}",
        declared.skip_reason
    );
    // A target that says nothing of the client's grants claims it may refresh: the same
    // answer fails the case, as before.
    let undeclared = probe(None).await;
    assert_eq!(undeclared.status, Status::Fail, "{}", undeclared.message);
}
