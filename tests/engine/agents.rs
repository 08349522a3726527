//! Captured forms, a second user agent, registered clients with cleanup, and browser walks
//! that start at a page and fill its fields.

use super::*;

async fn page_server(session_enforced: bool) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/page"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("set-cookie", "sid=s1; Path=/")
                .insert_header("content-type", "text/html")
                .set_body_string(
                    r#"<html><body><form id="other" action="/elsewhere"></form>
                    <form id="consent" method="post" action="submit">
                    <input type="hidden" name="csrf" value="c1"></form></body></html>"#,
                ),
        )
        .mount(&server)
        .await;
    let good = Mock::given(method("POST"))
        .and(path("/submit"))
        .and(body_string_contains("csrf=c1"));
    if session_enforced {
        good.and(header("cookie", "sid=s1"))
            .respond_with(ResponseTemplate::new(200))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/submit"))
            .respond_with(ResponseTemplate::new(403))
            .with_priority(2)
            .mount(&server)
            .await;
    } else {
        good.respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
async fn a_captured_form_is_submitted_and_a_second_agent_has_no_session() {
    let server = page_server(true).await;
    let r = one(
        &run(&server.uri(), "engine/agents/captured-*", 5).await,
        "captured-form-needs-its-session",
    );
    assert_eq!(r.status, Status::Pass, "{}", r.message);
    let posts: Vec<_> = r
        .exchanges
        .iter()
        .filter(|x| x.request.method == "POST")
        .collect();
    // The relative action was resolved against the page's URL.
    assert!(
        posts[0].request.url.ends_with("/submit"),
        "{}",
        posts[0].request.url
    );

    let server = page_server(false).await;
    let r = one(
        &run(&server.uri(), "engine/agents/captured-*", 5).await,
        "captured-form-needs-its-session",
    );
    assert_eq!(r.status, Status::Fail, "{}", r.message);
    assert!(r.message.contains("step 3"), "{}", r.message);
}

async fn registration_server(token_ok: bool) -> MockServer {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("POST"))
        .and(path("/registration"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "client_id": "dyn-1", "client_secret": "dyn-secret",
            "token_endpoint_auth_method": "client_secret_basic",
            "registration_client_uri": format!("{base}/register/dyn-1"),
            "registration_access_token": "rat-1"
        })))
        .mount(&server)
        .await;
    // Basic dyn-1:dyn-secret (RFC 6749 §2.3.1).
    Mock::given(path("/token"))
        .and(header("authorization", "Basic ZHluLTE6ZHluLXNlY3JldA=="))
        .respond_with(if token_ok {
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "x", "token_type": "Bearer"}))
        } else {
            ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": "invalid_client"}))
        })
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/register/dyn-1"))
        .and(header("authorization", "Bearer rat-1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_registered_client_is_used_and_deleted_even_when_the_case_fails() {
    for (ok, want) in [(true, Status::Pass), (false, Status::Fail)] {
        let server = registration_server(ok).await;
        let r = one(
            &run(&server.uri(), "engine/agents/registered-*", 5).await,
            "registered-client-is-used-then-deleted",
        );
        assert_eq!(r.status, want, "{}", r.message);
        assert!(r.exchanges.iter().any(|x| x.request.method == "DELETE"));
        // `{{now + 120}}` went out as a JSON number in the future.
        let reqs = server.received_requests().await.unwrap_or_default();
        let reg = reqs
            .iter()
            .find(|q| q.url.path() == "/registration")
            .expect("registration request");
        let body: serde_json::Value = serde_json::from_slice(&reg.body).expect("JSON body");
        let exp = body["software_statement_exp"].as_u64().expect("a number");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        assert!(exp > now + 100 && exp <= now + 121, "exp {exp}, now {now}");
        drop(server); // verifies the DELETE expectation
    }
}

fn html(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "text/html")
        .set_body_string(format!("<html><body>{body}</body></html>"))
}

/// A device verification page in three steps, as RFC 8628 §3.3 describes it: a login
/// form, a user-code form (its button unnamed), and an approval form; `code` is the user
/// code the server knows.
async fn device_page_server(code: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/device/start"))
        .respond_with(html(
            r#"<form method="post" action="/device/login"><input name="login">
            <input type="password" name="pw"><button>Sign in</button></form>"#,
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/device/login"))
        .and(body_string_contains("login=alice&pw=alice-pw"))
        .respond_with(html(
            r#"<form method="post" action="/device/code"><input type="text" name="user_code">
            <input type="hidden" name="t" value="1"><button type="submit">Next</button></form>"#,
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/device/code"))
        .and(body_string_contains(format!("user_code={code}")))
        .and(body_string_contains("t=1"))
        .respond_with(html(
            r#"<form method="post" action="/device/decide">
            <button name="decision" value="allow">Allow</button>
            <button name="decision" value="deny">Deny</button></form>"#,
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/device/code"))
        .respond_with(html("<p>Unknown code</p>"))
        .with_priority(10)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/device/decide"))
        .and(body_string_contains("decision=allow"))
        .respond_with(html("<h1>Device approved</h1>"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_walk_from_a_page_logs_in_fills_the_user_code_and_ends_on_a_page() {
    let server = device_page_server("WDJB-MJHT").await;
    let r = one(
        &run(&server.uri(), "engine/agents/device-page-*", 5).await,
        "device-page-walk-fills-the-user-code",
    );
    assert_eq!(r.status, Status::Pass, "{}", r.message);
    let urls: Vec<&str> = r.exchanges.iter().map(|x| x.request.url.as_str()).collect();
    assert_eq!(urls.len(), 4, "{urls:?}");
    assert!(urls[3].ends_with("/device/decide"), "{urls:?}");

    // A server that does not know the code ends the walk on its error page.
    let server = device_page_server("OTHER-CODE").await;
    let r = one(
        &run(&server.uri(), "engine/agents/device-page-*", 5).await,
        "device-page-walk-fills-the-user-code",
    );
    assert_eq!(r.status, Status::Fail, "{}", r.message);
    assert!(r.message.contains("Device approved"), "{}", r.message);
}

#[tokio::test]
async fn a_transport_error_quoting_a_code_leaves_no_code_in_the_record() {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    let secret = "SplxlOBeZQQYbYS6WxSbIA";
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/go"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("http://127.0.0.1:9/next?code={secret}")),
        )
        .mount(&server)
        .await;
    let r = one(
        &run(&server.uri(), "engine/agents/a-hop-*", 5).await,
        "a-hop-that-cannot-connect",
    );
    assert_eq!(r.status, Status::Error, "{}", r.message);
    let json = serde_json::to_string(&r).expect("record serializes");
    assert!(
        json.contains("127.0.0.1:9"),
        "the error names the address: {json}"
    );
    assert!(!json.contains(secret), "the code leaked: {json}");
}
