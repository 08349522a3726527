//! The target describes the server and its users as they are. Optional features are
//! capabilities, not premises: what no black-box request can tell (RFC 7662 §2.1 "all of its
//! supported token types") is assumed from what it rests on, and the target file can deny
//! it. A user's CIBA `login_hint` and `user_code` come from `[users.<role>]`; a case that
//! needs a value the target lacks is skipped with that reason.

use oauth2spec::app;
use oauth2spec::diagnostic::Source;
use oauth2spec::suite::Capability;
use oauth2spec::target::CapabilitySource;

async fn resolved(extra: &str) -> oauth2spec::target::Resolved {
    let text = format!(
        "name = \"caps\"\nbase_url = \"http://127.0.0.1:9\"\nlayout = \"generic\"\n\
         discovery = false\n[capabilities]\nrefresh_token = true\n{extra}"
    );
    let target = oauth2spec::target::file::parse(&Source::new("t.toml", text), &|_| None)
        .unwrap_or_else(|d| panic!("{}", oauth2spec::diagnostic::render_all(&d)));
    app::resolve(target).await.expect("resolves")
}

#[tokio::test]
async fn refresh_token_introspection_is_assumed_and_can_be_denied() {
    let r = resolved("introspection = true\n").await;
    let (offered, source) = &r.capabilities[&Capability::RefreshTokenIntrospection];
    assert!(*offered);
    assert!(matches!(source, CapabilitySource::Assumed(_)), "{source}");

    let r = resolved("introspection = true\nrefresh_token_introspection = false\n").await;
    let why = r
        .offers(Capability::RefreshTokenIntrospection)
        .expect_err("denied by the file");
    assert!(why.contains("refresh_token_introspection"), "{why}");
    assert!(why.contains("target file"), "{why}");

    let r = resolved("introspection = false\n").await;
    assert!(!r.capabilities[&Capability::RefreshTokenIntrospection].0);
}

#[tokio::test]
async fn ciba_user_code_comes_from_the_target_or_the_case_is_skipped() {
    use oauth2spec::outcome::SkipReason;
    use oauth2spec::plan::{Decision, Filter, plan};
    let catalog = oauth2spec::suite::load_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("suites"),
    )
    .expect("suites load");
    let filter =
        Filter::new(&["ciba/backchannel/user-code-checked".to_string()], &[]).expect("glob");
    let client = "[clients.ciba_poll]\nclient_id = \"p\"\nclient_secret = \"s\"\n\
                  auth_method = \"client_secret_basic\"\n";
    let users = "[users.primary]\nusername = \"alice\"\npassword = \"a\"\n\
                 [users.secondary]\nusername = \"bob\"\npassword = \"b\"\n";
    let without = resolved(&format!("ciba = true\n{client}{users}")).await;
    let planned = plan(&catalog, &without, &filter);
    assert_eq!(planned.len(), 1);
    let Decision::Skip(SkipReason::NoUserField { role, field }) = &planned[0].1 else {
        panic!(
            "expected a skip for the missing user_code: {:?}",
            planned[0].1
        );
    };
    assert_eq!((role.as_str(), field.as_str()), ("secondary", "user_code"));

    let with = resolved(&format!(
        "ciba = true\n{client}{users}user_code = \"bob-code\"\nlogin_hint = \"bob@example.com\"\n"
    ))
    .await;
    assert!(matches!(
        plan(&catalog, &with, &filter)[0].1,
        Decision::Run(_)
    ));
    let bob = &with.target.users["secondary"];
    assert_eq!(bob.login_hint.as_deref(), Some("bob@example.com"));
    // A CIBA user code is "known only to the user": redacted like a password.
    assert!(with.target.secrets().contains(&"bob-code".to_string()));
}
