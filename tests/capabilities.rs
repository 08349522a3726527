//! Optional features are capabilities, not premises: what no black-box request can tell
//! (RFC 7662 §2.1 "all of its supported token types") is assumed from what it rests on, and
//! the target file can deny it, which skips the cases that need it with that reason.

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
