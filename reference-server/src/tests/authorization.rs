//! The authorization endpoint with the HTML login and consent pages.

use axum::http::{Method, StatusCode, header};

use super::flow::*;
use super::*;

fn assert_error_page(reply: &Reply, what: &str) {
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "{what}: {}",
        reply.text()
    );
    assert!(reply.header(header::LOCATION).is_none(), "{what}");
    assert!(
        reply
            .header(header::CONTENT_TYPE)
            .is_some_and(|c| c.starts_with("text/html")),
        "{what}"
    );
    assert!(!reply.text().contains("onload"), "{what}");
}

#[tokio::test]
async fn code_flow_with_login_and_consent() {
    let router = strict();
    let mut agent = Agent::new(&router);
    let first = agent
        .get(&format!("/authorize?{}", encode(&conf_request(&[]))))
        .await;
    assert_eq!(first.status, StatusCode::FOUND);
    let login_url = first
        .header(header::LOCATION)
        .expect("location")
        .to_string();
    assert!(
        login_url.starts_with(&format!("{BASE}/login?interaction=")),
        "{login_url}"
    );

    let page = agent.get(&login_url).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for needle in [
        "<form method=\"post\" action=\"/login\">",
        "name=\"interaction\"",
        "name=\"csrf_token\"",
        "<input type=\"text\" name=\"username\"",
        "<input type=\"password\" name=\"password\"",
        "<button type=\"submit\">Sign in</button>",
    ] {
        assert!(html.contains(needle), "{needle} in {html}");
    }
    assert_eq!(page.header(header::X_FRAME_OPTIONS), Some("DENY"));
    assert_eq!(
        page.header(header::CONTENT_SECURITY_POLICY),
        Some("frame-ancestors 'none'")
    );
    assert_eq!(page.header(header::CACHE_CONTROL), Some("no-store"));

    // A wrong password shows the page again.
    let wrong = agent.submit_login(&html, "alice", "nope").await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.text().contains("not correct"));
    assert!(agent.cookies.is_empty());

    let logged_in = agent.submit_login(&html, ALICE.0, ALICE.1).await;
    assert_eq!(logged_in.status, StatusCode::SEE_OTHER, "RFC 9700 §4.12");
    let cookie = logged_in
        .header(header::SET_COOKIE)
        .expect("session cookie")
        .to_string();
    assert!(cookie.starts_with("oauth2spec_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let consent_url = logged_in
        .header(header::LOCATION)
        .expect("location")
        .to_string();
    assert!(consent_url.starts_with(&format!("{BASE}/consent?interaction=")));

    let consent = agent.get(&consent_url).await;
    let html = consent.text();
    for needle in [
        "<form method=\"post\" action=\"/consent\">",
        "<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>",
        "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>",
        "<code>read</code>",
    ] {
        assert!(html.contains(needle), "{needle} in {html}");
    }
    let done = agent.submit_consent(&html, "allow").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let cb = callback(&done).expect("callback");
    assert_eq!(cb.mode, "query");
    assert!(
        cb.url.starts_with(&format!("{CALLBACK}?code=")),
        "{}",
        cb.url
    );
    assert_eq!(cb.get("state"), Some("s-123"));
    assert_eq!(cb.get("iss"), Some(BASE));
    assert_eq!(cb.code().len(), 43);

    // The session skips the login page but not consent.
    let again = agent
        .get(&format!("/authorize?{}", encode(&conf_request(&[]))))
        .await;
    let next = again.header(header::LOCATION).expect("location");
    assert!(next.starts_with(&format!("{BASE}/consent?")), "{next}");
}

#[tokio::test]
async fn post_authorization_requests_work_too() {
    let router = strict();
    let mut agent = Agent::new(&router);
    let first = agent.post_form("/authorize", &conf_request(&[])).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let done = agent.walk(first, Decision::Allow).await;
    assert!(callback(&done).is_some_and(|cb| !cb.code().is_empty()));
}

#[tokio::test]
async fn untrusted_client_or_redirect_uri_gets_an_error_page() {
    let router = strict();
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "missing client",
            vec![("response_type", "code"), ("redirect_uri", CALLBACK)],
        ),
        (
            "unknown client",
            vec![
                ("response_type", "code"),
                ("client_id", "nobody"),
                ("redirect_uri", CALLBACK),
            ],
        ),
        (
            "trailing slash",
            conf_with_redirect("http://127.0.0.1:8400/callback/"),
        ),
        ("case", conf_with_redirect("http://127.0.0.1:8400/Callback")),
        (
            "extra query",
            conf_with_redirect("http://127.0.0.1:8400/callback?x=1"),
        ),
        (
            "prefix",
            conf_with_redirect("http://127.0.0.1:8400/callback/evil"),
        ),
        (
            "fragment",
            conf_with_redirect("http://127.0.0.1:8400/callback#frag"),
        ),
        ("relative", conf_with_redirect("/callback")),
        ("javascript", conf_with_redirect("javascript:alert(1)")),
        (
            "repeated redirect_uri",
            vec![
                ("response_type", "code"),
                ("client_id", CONF_ID),
                ("redirect_uri", CALLBACK),
                ("redirect_uri", CALLBACK),
            ],
        ),
        (
            "several registered, none sent",
            vec![("response_type", "code"), ("client_id", POST_ID)],
        ),
    ];
    for (what, pairs) in cases {
        let reply = get(&router, &format!("/authorize?{}", encode(&pairs))).await;
        assert_error_page(&reply, what);
    }
}

fn conf_with_redirect(uri: &str) -> Vec<(&str, &str)> {
    vec![
        ("response_type", "code"),
        ("client_id", CONF_ID),
        ("redirect_uri", uri),
        ("state", "x"),
    ]
}

type Pairs<'a> = Vec<(&'a str, &'a str)>;

/// RFC 9700 §4.11.2: errors reach the client only after the user logged in.
#[tokio::test]
async fn request_errors_are_redirected_after_login() {
    let router = strict();
    let cases: Vec<(&str, Pairs, &str)> = vec![
        (
            "missing response_type",
            vec![
                ("client_id", CONF_ID),
                ("redirect_uri", CALLBACK),
                ("state", "e1"),
            ],
            "invalid_request",
        ),
        (
            "unknown response_type",
            conf_request_rt("foo"),
            "unsupported_response_type",
        ),
        (
            "unknown scope",
            conf_request(&[("scope", "read admin")]),
            "invalid_scope",
        ),
        (
            "upper-case scope",
            conf_request(&[("scope", "READ")]),
            "invalid_scope",
        ),
        (
            "repeated scope",
            conf_request(&[("scope", "read"), ("scope", "write")]),
            "invalid_request",
        ),
        (
            "restricted client",
            vec![
                ("response_type", "code"),
                ("client_id", RESTRICTED_ID),
                ("redirect_uri", CALLBACK),
                ("state", "e1"),
            ],
            "unauthorized_client",
        ),
        (
            "confidential client asks for token",
            conf_request_rt("token"),
            "unauthorized_client",
        ),
        (
            "unknown response_mode",
            conf_request(&[("response_mode", "bogus")]),
            "invalid_request",
        ),
        (
            "pi.flow outside pingone",
            conf_request(&[("response_mode", "pi.flow")]),
            "invalid_request",
        ),
        (
            "public client without PKCE",
            vec![
                ("response_type", "code"),
                ("client_id", PUBLIC_ID),
                ("redirect_uri", CALLBACK),
                ("state", "e1"),
            ],
            "invalid_request",
        ),
        (
            "unsupported challenge method",
            public_request(&[("code_challenge_method", "S512")]),
            "invalid_request",
        ),
        (
            "challenge method is case-sensitive",
            public_request(&[("code_challenge_method", "s256")]),
            "invalid_request",
        ),
        (
            "short challenge",
            vec![
                ("response_type", "code"),
                ("client_id", PUBLIC_ID),
                ("redirect_uri", CALLBACK),
                ("code_challenge", "tooshort"),
                ("code_challenge_method", "S256"),
            ],
            "invalid_request",
        ),
    ];
    for (what, pairs, error) in cases {
        let mut agent = Agent::new(&router);
        let first = agent.get(&format!("/authorize?{}", encode(&pairs))).await;
        let location = first
            .header(header::LOCATION)
            .unwrap_or_default()
            .to_string();
        assert!(
            location.starts_with(&format!("{BASE}/login?")),
            "{what}: login first, got {location}"
        );
        let done = agent.walk(first, Decision::Stop).await;
        let cb = callback(&done).unwrap_or_else(|| panic!("{what}: {}", done.text()));
        assert_eq!(cb.get("error"), Some(error), "{what}");
        assert_eq!(cb.get("iss"), Some(BASE), "{what}");
        let description = cb.get("error_description").unwrap_or_default();
        assert!(!description.contains('"') && !description.contains('\\'));
        if pairs.iter().any(|(k, _)| *k == "state") {
            assert!(cb.get("state").is_some(), "{what}");
        }
        assert!(cb.get("code").is_none(), "{what}");
    }
}

fn conf_request_rt(rt: &str) -> Vec<(&str, &str)> {
    vec![
        ("response_type", rt),
        ("client_id", CONF_ID),
        ("redirect_uri", CALLBACK),
        ("state", "e1"),
    ]
}

#[tokio::test]
async fn state_is_echoed_exactly_and_never_invented() {
    let router = strict();
    let odd = "a+b/c%20d&e=f g\u{e9}\u{1F600}\"'<>".repeat(8);
    let cb = callback_of(&router, &conf_request(&[("state", &odd)])).await;
    let states: Vec<&str> = cb
        .params
        .iter()
        .filter(|(k, _)| k == "state")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(states, vec![odd.as_str()]);

    let pairs: Vec<(&str, &str)> = conf_request(&[])
        .into_iter()
        .filter(|(k, _)| *k != "state")
        .collect();
    let cb = callback_of(&router, &pairs).await;
    assert!(cb.get("state").is_none());

    // An empty state counts as absent (RFC 6749 §3.1).
    let cb = callback_of(&router, &conf_request(&[("state", "")])).await;
    assert!(cb.get("state").is_none());
}

#[tokio::test]
async fn empty_and_unknown_parameters() {
    let router = strict();
    // redirect_uri= with one registered URI: the registered one; unknown parameters ignored.
    let pairs = [
        ("response_type", "code"),
        ("client_id", CONF_ID),
        ("redirect_uri", ""),
        ("scope", ""),
        ("foo", "bar"),
    ];
    let cb = callback_of(&router, &pairs).await;
    assert!(cb.url.starts_with(CALLBACK));
    assert!(!cb.code().is_empty());
}

#[tokio::test]
async fn registered_query_is_kept() {
    let router = strict();
    let pairs = [
        ("response_type", "code"),
        ("client_id", POST_ID),
        ("redirect_uri", TENANT_CALLBACK),
        ("state", "t"),
    ];
    let cb = callback_of(&router, &pairs).await;
    assert!(
        cb.url.starts_with(&format!("{TENANT_CALLBACK}&code=")),
        "{}",
        cb.url
    );
    assert_eq!(cb.get("tenant"), Some("1"));
}

#[tokio::test]
async fn deny_is_access_denied() {
    let router = strict();
    let mut agent = Agent::new(&router);
    let reply = agent.authorize(&conf_request(&[]), Decision::Deny).await;
    let cb = callback(&reply).expect("callback");
    assert_eq!(cb.get("error"), Some("access_denied"));
    assert_eq!(cb.get("state"), Some("s-123"));
    assert_eq!(cb.get("iss"), Some(BASE));
}

#[tokio::test]
async fn consent_needs_csrf_token_session_and_post() {
    let router = strict();
    let mut alice = Agent::new(&router);
    let page = alice.authorize(&conf_request(&[]), Decision::Stop).await;
    let html = page.text();
    let interaction = hidden(&html, "interaction").expect("interaction");
    let csrf = hidden(&html, "csrf_token").expect("csrf");

    // Without the token.
    let reply = alice
        .post_form(
            "/consent",
            &[("interaction", &interaction), ("decision", "allow")],
        )
        .await;
    assert_error_page(&reply, "no csrf");
    // From another session (bob's), with the token.
    let mut bob = Agent::new(&router);
    bob.user = BOB;
    bob.authorize(&conf_request(&[]), Decision::Stop).await;
    let reply = bob
        .post_form(
            "/consent",
            &[
                ("interaction", &interaction),
                ("csrf_token", &csrf),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_error_page(&reply, "other session");
    // With a plain GET.
    let reply = alice
        .get(&format!(
            "/consent?interaction={interaction}&csrf_token={csrf}&decision=allow"
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(callback(&reply).is_none());
    // The real thing still works, once.
    let reply = alice.submit_consent(&html, "allow").await;
    assert!(callback(&reply).is_some_and(|cb| !cb.code().is_empty()));
    let again = alice.submit_consent(&html, "allow").await;
    assert_error_page(&again, "second decision");
}

#[tokio::test]
async fn prompt_none_and_login() {
    let router = strict();
    let mut agent = Agent::new(&router);
    let reply = agent
        .get(&format!(
            "/authorize?{}",
            encode(&conf_request(&[("prompt", "none")]))
        ))
        .await;
    let cb = callback(&reply).expect("immediate answer");
    assert_eq!(cb.get("error"), Some("login_required"));
    assert_eq!(cb.get("state"), Some("s-123"));

    agent
        .authorize(&conf_request(&[("scope", "read")]), Decision::Allow)
        .await;
    // Logged in, consented to `read` but not `write`.
    let reply = agent
        .get(&format!(
            "/authorize?{}",
            encode(&conf_request(&[
                ("prompt", "none"),
                ("scope", "read write")
            ]))
        ))
        .await;
    assert_eq!(
        callback(&reply)
            .and_then(|cb| cb.get("error").map(str::to_string))
            .as_deref(),
        Some("consent_required")
    );
    let reply = agent
        .get(&format!(
            "/authorize?{}",
            encode(&conf_request(&[("prompt", "none"), ("scope", "read")]))
        ))
        .await;
    assert!(callback(&reply).is_some_and(|cb| !cb.code().is_empty()));
    // prompt=login goes back to the login page despite the session.
    let reply = agent
        .get(&format!(
            "/authorize?{}",
            encode(&conf_request(&[("prompt", "login")]))
        ))
        .await;
    assert!(
        reply
            .header(header::LOCATION)
            .is_some_and(|l| l.contains("/login?"))
    );
}

#[tokio::test]
async fn no_cors_and_only_get_and_post() {
    let router = strict();
    let request = axum::http::Request::builder()
        .method(Method::OPTIONS)
        .uri("/authorize")
        .header(header::ORIGIN, "https://evil.example")
        .body(axum::body::Body::empty())
        .expect("request");
    let reply = send(&router, request).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(reply.header(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn expired_interactions_and_open_redirect_probes() {
    let mut config = config_with(Layout::Generic, &[]);
    config.interaction_ttl = 0;
    let router = build_router(config, BASE);
    let mut agent = Agent::new(&router);
    let first = agent
        .get(&format!("/authorize?{}", encode(&conf_request(&[]))))
        .await;
    let login = agent
        .get(first.header(header::LOCATION).expect("location"))
        .await;
    assert_error_page(&login, "expired");

    let router = strict();
    for path in [
        "/login?next=https://evil.example",
        "/consent?next=https://evil.example",
    ] {
        let reply = get(&router, path).await;
        assert!(reply.header(header::LOCATION).is_none(), "{path}");
    }
}
