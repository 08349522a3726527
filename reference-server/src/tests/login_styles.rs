//! The three login styles end to end: HTML forms over a real socket, PingOne `pi.flow`,
//! and AIC REST login with `csrf` + `decision`.

use std::net::SocketAddr;

use axum::http::{Method, StatusCode, header};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::flow::*;
use super::*;
use crate::config::{DEFAULT_ENV_ID, DEFAULT_REALM};

const CHECK: &str = "application/vnd.pingidentity.usernamePassword.check+json";

fn pingone(path: &str) -> String {
    format!("/{DEFAULT_ENV_ID}{path}")
}

async fn check(agent: &mut Agent, href: &str, user: &str, password: &str) -> Reply {
    let body = serde_json::json!({"username": user, "password": password}).to_string();
    agent
        .send(
            Method::POST,
            href,
            &[("content-type", CHECK)],
            body.into_bytes(),
        )
        .await
}

#[tokio::test]
async fn pingone_pi_flow() {
    let router = router_with(Layout::Pingone, &[]);
    let mut agent = Agent::new(&router);
    let pairs = conf_request(&[("response_mode", "pi.flow"), ("scope", "openid read")]);
    let flow = agent
        .get(&format!("{}?{}", pingone("/as/authorize"), encode(&pairs)))
        .await;
    assert_eq!(flow.status, StatusCode::OK, "{}", flow.text());
    let flow = flow.json();
    assert_eq!(flow["status"], "USERNAME_PASSWORD_REQUIRED");
    let id = str_of(&flow, "id").to_string();
    let href = flow["_links"]["usernamePassword.check"]["href"]
        .as_str()
        .expect("check link")
        .to_string();
    assert_eq!(href, format!("{BASE}/{DEFAULT_ENV_ID}/flows/{id}"));
    let resume = str_of(&flow, "resumeUrl").to_string();
    assert_eq!(
        resume,
        format!("{BASE}/{DEFAULT_ENV_ID}/as/resume?flowId={id}")
    );

    // Not completed yet.
    assert_eq!(agent.get(&resume).await.status, StatusCode::BAD_REQUEST);
    // Wrong password: 400, the flow stays open.
    let wrong = check(&mut agent, &href, "alice", "nope").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.json()["code"], "INVALID_DATA");
    // Wrong media type.
    let reply = agent
        .send(
            Method::POST,
            &href,
            &[("content-type", "application/json")],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let done = check(&mut agent, &href, ALICE.0, ALICE.1).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert_eq!(done.json()["status"], "COMPLETED");
    assert_eq!(done.json()["resumeUrl"], resume.as_str());

    let result = agent.get(&resume).await;
    assert_eq!(result.status, StatusCode::OK);
    let result = result.json();
    assert_eq!(result["status"], "COMPLETED");
    let response = &result["authorizeResponse"];
    assert_eq!(response["state"], "s-123");
    assert_eq!(response["iss"], format!("{BASE}/{DEFAULT_ENV_ID}/as"));
    let code = str_of(response, "code").to_string();
    // Resumed once only.
    assert_eq!(agent.get(&resume).await.status, StatusCode::NOT_FOUND);

    let reply = post_form(
        &router,
        &pingone("/as/token"),
        conf(),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert!(reply.json()["id_token"].is_string());

    // With the session cookie the next flow completes at once, by POST too.
    let flow = agent
        .post_form(&pingone("/as/authorize"), &pairs)
        .await
        .json();
    assert_eq!(flow["status"], "COMPLETED");
    let result = agent.get(str_of(&flow, "resumeUrl")).await.json();
    assert!(result["authorizeResponse"]["code"].is_string());
}

#[tokio::test]
async fn pingone_errors_and_implicit() {
    let router = router_with(Layout::Pingone, &[]);
    // Untrusted client: 400 JSON, no flow.
    let pairs = [
        ("response_type", "code"),
        ("client_id", "nobody"),
        ("response_mode", "pi.flow"),
    ];
    let reply = get(
        &router,
        &format!("{}?{}", pingone("/as/authorize"), encode(&pairs)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.json()["code"].is_string());

    // A request error arrives after the credentials check.
    let mut agent = Agent::new(&router);
    let pairs = conf_request(&[("response_mode", "pi.flow"), ("scope", "admin")]);
    let flow = agent
        .get(&format!("{}?{}", pingone("/as/authorize"), encode(&pairs)))
        .await
        .json();
    assert_eq!(flow["status"], "USERNAME_PASSWORD_REQUIRED");
    let href = flow["_links"]["usernamePassword.check"]["href"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    check(&mut agent, &href, ALICE.0, ALICE.1).await;
    let result = agent.get(str_of(&flow, "resumeUrl")).await.json();
    assert_eq!(result["authorizeResponse"]["error"], "invalid_scope");
    assert_eq!(result["authorizeResponse"]["state"], "s-123");

    // Implicit through pi.flow: the token in authorizeResponse.
    let pairs = [
        ("response_type", "token"),
        ("client_id", PUBLIC_ID),
        ("redirect_uri", CALLBACK),
        ("response_mode", "pi.flow"),
        ("scope", "openid read"),
    ];
    let flow = agent
        .get(&format!("{}?{}", pingone("/as/authorize"), encode(&pairs)))
        .await
        .json();
    let result = agent.get(str_of(&flow, "resumeUrl")).await.json();
    assert_eq!(result["authorizeResponse"]["token_type"], "Bearer");
    assert!(result["authorizeResponse"].get("refresh_token").is_none());

    // The HTML style works in this layout too.
    let mut agent = Agent::new(&router);
    let reply = agent
        .authorize_at(
            &pingone("/as/authorize"),
            &conf_request(&[]),
            Decision::Allow,
        )
        .await;
    let cb = callback(&reply).expect("callback");
    assert_eq!(
        cb.get("iss"),
        Some(format!("{BASE}/{DEFAULT_ENV_ID}/as").as_str())
    );
}

#[tokio::test]
async fn aic_rest_login() {
    let router = router_with(Layout::Aic, &[]);
    let authenticate = format!("/am/json/realms/{DEFAULT_REALM}/authenticate");
    let authorize = format!("/am/oauth2/realms/{DEFAULT_REALM}/authorize");
    let api = ("accept-api-version", "resource=2.0, protocol=1.0");
    let mut agent = Agent::new(&router);

    let wrong = agent
        .send(
            Method::POST,
            &authenticate,
            &[
                ("x-openam-username", "alice"),
                ("x-openam-password", "x"),
                api,
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.json(),
        serde_json::json!({"code": 401, "reason": "Unauthorized", "message": "Login failure"})
    );

    // Without a session the decision POST gets the HTML login.
    let mut pairs = conf_request(&[("csrf", "x"), ("decision", "allow")]);
    let reply = agent.post_form(&authorize, &pairs).await;
    assert!(
        reply
            .header(header::LOCATION)
            .is_some_and(|l| l.contains("/login?interaction="))
    );

    let ok = agent
        .send(
            Method::POST,
            &authenticate,
            &[
                ("x-openam-username", ALICE.0),
                ("x-openam-password", ALICE.1),
                api,
                ("content-type", "application/json"),
            ],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let body = ok.json();
    assert_eq!(body["successUrl"], "/am/console");
    assert_eq!(body["realm"], "/alpha");
    let token = str_of(&body, "tokenId").to_string();
    assert!(
        agent
            .cookies
            .contains(&("iPlanetDirectoryPro".to_string(), token.clone()))
    );

    // A csrf that is not the session token: error page.
    let reply = agent.post_form(&authorize, &pairs).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.header(header::LOCATION).is_none());

    pairs = conf_request(&[("csrf", &token), ("decision", "allow")]);
    let reply = agent.post_form(&authorize, &pairs).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let cb = callback(&reply).expect("callback");
    assert_eq!(cb.get("state"), Some("s-123"));
    assert_eq!(
        cb.get("iss"),
        Some(format!("{BASE}/am/oauth2/realms/{DEFAULT_REALM}").as_str())
    );
    let reply = post_form(
        &router,
        &format!("/am/oauth2/realms/{DEFAULT_REALM}/access_token"),
        conf(),
        &[
            ("grant_type", "authorization_code"),
            ("code", &cb.code()),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    let pairs = conf_request(&[("csrf", &token), ("decision", "deny")]);
    let cb = callback(&agent.post_form(&authorize, &pairs).await).expect("callback");
    assert_eq!(cb.get("error"), Some("access_denied"));

    // The session also skips the HTML login page.
    let reply = agent
        .get(&format!("{authorize}?{}", encode(&conf_request(&[]))))
        .await;
    assert!(
        reply
            .header(header::LOCATION)
            .is_some_and(|l| l.contains("/consent?interaction="))
    );
}

/// One HTTP/1.1 exchange over a fresh connection.
async fn http(addr: SocketAddr, request: String) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header_of<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn html_forms_over_a_real_socket() {
    let bind: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let server = crate::spawn(ServerConfig::default(), bind)
        .await
        .expect("spawn");
    let addr = server.addr;
    let get = |path: String, cookie: Option<String>| {
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n")
    };
    let post = |path: &str, cookie: Option<&str>, body: String| {
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let strip = |url: &str| {
        url.strip_prefix(&server.base_url)
            .unwrap_or(url)
            .to_string()
    };

    let pairs = public_request(&[("scope", "openid read")]);
    let (status, headers, _) =
        http(addr, get(format!("/authorize?{}", encode(&pairs)), None)).await;
    assert_eq!(status, 302);
    let login = strip(header_of(&headers, "location").expect("location"));
    let (status, _, html) = http(addr, get(login, None)).await;
    assert_eq!(status, 200);
    let interaction = hidden(&html, "interaction").expect("interaction");
    let csrf = hidden(&html, "csrf_token").expect("csrf");
    let body = encode(&[
        ("interaction", &interaction),
        ("csrf_token", &csrf),
        ("username", ALICE.0),
        ("password", ALICE.1),
    ]);
    let (status, headers, _) = http(addr, post("/login", None, body)).await;
    assert_eq!(status, 303);
    let cookie = header_of(&headers, "set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_string();
    let consent = strip(header_of(&headers, "location").expect("location"));
    let (status, _, html) = http(addr, get(consent, Some(cookie.clone()))).await;
    assert_eq!(status, 200);
    let body = encode(&[
        (
            "interaction",
            &hidden(&html, "interaction").expect("interaction"),
        ),
        ("csrf_token", &hidden(&html, "csrf_token").expect("csrf")),
        ("decision", "allow"),
    ]);
    let (status, headers, _) = http(addr, post("/consent", Some(&cookie), body)).await;
    assert_eq!(status, 303);
    let location = header_of(&headers, "location").expect("location");
    let url = url::Url::parse(location).expect("url");
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let body = encode(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("client_id", PUBLIC_ID),
        ("redirect_uri", CALLBACK),
        ("code_verifier", VERIFIER),
    ]);
    let (status, _, body) = http(addr, post("/token", None, body)).await;
    assert_eq!(status, 200, "{body}");
    let tokens: Value = serde_json::from_str(&body).expect("json");
    let (status, _, body) = http(
        addr,
        format!(
            "GET /userinfo HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            str_of(&tokens, "access_token")
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"preferred_username\":\"alice\""));
    server.shutdown().await;
}
