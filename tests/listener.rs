//! The callback listener: a fake server calls back the URL of one case's mailbox; that
//! case sees the request while another case's mailbox, waiting at the same time, sees
//! nothing; unknown prefixes, hosted documents, body caps, `[listener]` in target files.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use oauth2spec::diagnostic::Source;
use oauth2spec::execute::listener::{Listener, ListenerHandle, MAX_BODY_BYTES, Respond};
use oauth2spec::target::ListenerConfig;
use oauth2spec::target::file::parse;
use serde_json::{Value, json};

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A "server under test": `POST /notify {"url": ...}` makes it call `url` back as a CIBA
/// ping would (CIBA Core §10.2), and answers with the status the callback got.
async fn fake_server() -> String {
    async fn notify(State(client): State<reqwest::Client>, Json(v): Json<Value>) -> Json<Value> {
        let url = v["url"].as_str().unwrap_or_default().to_string();
        let status = client
            .post(&url)
            .bearer_auth("client-notification-token-1")
            .json(&json!({"auth_req_id": "req-1"}))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        Json(json!({"callback_status": status}))
    }
    let app = Router::new()
        .route("/notify", post(notify))
        .with_state(reqwest::Client::new());
    let tcp = tokio::net::TcpListener::bind(loopback())
        .await
        .expect("bind fake server");
    let addr = tcp.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(tcp, app).await;
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_callback_reaches_its_case_only() {
    let server = fake_server().await;
    let listener = Listener::start(loopback(), None).await.expect("start");
    let a = listener.mailbox("case-a");
    let b = listener.mailbox("case-b");
    assert_ne!(a.url("ping"), b.url("ping"));
    assert!(
        a.url("ping")
            .starts_with(listener.public_url().as_str().trim_end_matches('/'))
    );
    // Both cases wait at the same time; only A's URL is given to the server.
    let wait_a = a.receive("ping", Duration::from_secs(5));
    let wait_b = b.receive("ping", Duration::from_millis(400));
    let call = async {
        reqwest::Client::new()
            .post(format!("{server}/notify"))
            .json(&json!({"url": a.url("ping")}))
            .send()
            .await
            .expect("fake server answers")
            .json::<Value>()
            .await
            .expect("json")
    };
    let (got_a, got_b, answer) = tokio::join!(wait_a, wait_b, call);
    let got_a = got_a.expect("case A received the callback");
    assert_eq!(got_a.method, "POST");
    assert_eq!(got_a.bearer_token(), Some("client-notification-token-1"));
    assert_eq!(
        got_a.header("content-type"),
        Some("application/json"),
        "{:?}",
        got_a.headers
    );
    assert_eq!(got_a.json(), Some(json!({"auth_req_id": "req-1"})));
    assert!(got_a.path.ends_with("/ping"), "{}", got_a.path);
    assert!(got_b.is_none(), "case B saw {got_b:?}");
    // CIBA Core §10.2: the client answers a ping with 204.
    assert_eq!(answer["callback_status"], 204);
    // Nothing else arrives for A.
    assert!(
        a.expect_none("ping", Duration::from_millis(100))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn requests_already_received_are_returned_in_order() {
    let listener = Listener::start(loopback(), None).await.expect("start");
    let m = listener.mailbox("ordered");
    m.expect(
        "cb",
        Respond {
            status: 202,
            headers: vec![("x-test".into(), "yes".into())],
            body: b"ok".to_vec(),
        },
    )
    .expect("valid response");
    let client = reqwest::Client::new();
    for i in 0..3 {
        let resp = client
            .post(format!("{}?n={i}", m.url("cb")))
            .body(format!("body-{i}"))
            .send()
            .await
            .expect("listener answers");
        assert_eq!(resp.status(), 202);
        assert_eq!(resp.headers()["x-test"], "yes");
        assert_eq!(resp.text().await.expect("body"), "ok");
    }
    for i in 0..3 {
        let r = m
            .receive("cb", Duration::from_millis(10))
            .await
            .expect("queued");
        assert_eq!(r.query.as_deref(), Some(format!("n={i}").as_str()));
        assert_eq!(r.body, format!("body-{i}").into_bytes());
    }
    assert!(m.receive("cb", Duration::from_millis(10)).await.is_none());
    // Another name of the same mailbox is a separate queue.
    client.get(m.url("other")).send().await.expect("answers");
    assert_eq!(m.drain("other").len(), 1);
    assert!(m.drain("cb").is_empty());
}

#[tokio::test]
async fn unknown_prefixes_get_404_and_reach_nobody() {
    let listener = Listener::start(loopback(), None).await.expect("start");
    let m = listener.mailbox("known");
    let base = format!("http://{}", listener.local_addr());
    let client = reqwest::Client::new();
    for path in ["/", "/nope/ping", "/nope", "/ping"] {
        let resp = client
            .post(format!("{base}{path}"))
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 404, "{path}");
    }
    assert!(m.receive("ping", Duration::from_millis(50)).await.is_none());
    // Dropping a mailbox unregisters it: its URL is now unknown.
    let url = m.url("ping");
    assert_eq!(listener.open_mailboxes(), 1);
    drop(m);
    assert_eq!(listener.open_mailboxes(), 0);
    let resp = client.post(&url).send().await.expect("answers");
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn hosted_documents_are_served_and_their_fetches_delivered() {
    let listener = Listener::start(loopback(), None).await.expect("start");
    let m = listener.mailbox("hosting");
    m.host(
        "request.jwt",
        Respond {
            status: 200,
            headers: vec![(
                "content-type".into(),
                "application/oauth-authz-req+jwt".into(),
            )],
            body: b"eyJhbGciOiJub25lIn0.e30.".to_vec(),
        },
    )
    .expect("valid");
    let resp = reqwest::get(m.url("request.jwt")).await.expect("served");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/oauth-authz-req+jwt"
    );
    assert_eq!(resp.text().await.expect("body"), "eyJhbGciOiJub25lIn0.e30.");
    let fetch = m
        .receive("request.jwt", Duration::from_millis(10))
        .await
        .expect("the fetch is delivered");
    assert_eq!(fetch.method, "GET");
    // A POST to a hosted name is a callback, answered by default with 204.
    let resp = reqwest::Client::new()
        .post(m.url("request.jwt"))
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), 204);
}

#[tokio::test]
async fn oversized_bodies_are_refused_and_not_delivered() {
    let listener = Listener::start(loopback(), None).await.expect("start");
    let m = listener.mailbox("big");
    let client = reqwest::Client::new();
    let resp = client
        .post(m.url("cb"))
        .body(vec![b'x'; MAX_BODY_BYTES + 1])
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), 413);
    // Chunked, without a Content-Length: the cap holds while reading.
    assert_eq!(chunked_post(&m.url("cb"), 17, 64 * 1024).await, 413);
    assert!(m.receive("cb", Duration::from_millis(20)).await.is_none());
    // A body at the cap passes.
    let resp = client
        .post(m.url("cb"))
        .body(vec![b'z'; MAX_BODY_BYTES])
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), 204);
    let r = m
        .receive("cb", Duration::from_millis(20))
        .await
        .expect("kept");
    assert_eq!(r.body.len(), MAX_BODY_BYTES);
}

#[tokio::test]
async fn a_public_url_with_a_path_is_honoured() {
    let public = url::Url::parse("https://abc.tunnel.example/hooks/").expect("url");
    let listener = Listener::start(loopback(), Some(public))
        .await
        .expect("start");
    let m = listener.mailbox("tunnel");
    let url = m.url("ping");
    assert!(
        url.starts_with("https://abc.tunnel.example/hooks/"),
        "{url}"
    );
    // A proxy forwarding the whole path reaches the mailbox, and so does one that strips it.
    let path = url.trim_start_matches("https://abc.tunnel.example");
    let local = format!("http://{}", listener.local_addr());
    let client = reqwest::Client::new();
    for p in [
        path.to_string(),
        path.trim_start_matches("/hooks").to_string(),
    ] {
        let resp = client
            .post(format!("{local}{p}"))
            .send()
            .await
            .expect("answers");
        assert_eq!(resp.status(), 204, "{p}");
    }
    assert_eq!(m.drain("ping").len(), 2);
}

#[tokio::test]
async fn invalid_responses_are_refused() {
    let listener = Listener::start(loopback(), None).await.expect("start");
    let m = listener.mailbox("bad");
    assert!(
        m.expect(
            "x",
            Respond {
                status: 1000,
                ..Respond::default()
            }
        )
        .is_err()
    );
    assert!(
        m.expect(
            "x",
            Respond {
                headers: vec![("bad header".into(), "v".into())],
                ..Respond::default()
            }
        )
        .is_err()
    );
    assert!(
        m.host(
            "doc",
            Respond {
                status: 200,
                headers: vec![("content-type".into(), "text/plain\n".into())],
                body: Vec::new(),
            }
        )
        .is_err()
    );
}

#[tokio::test]
async fn the_handle_starts_one_listener_lazily() {
    let handle = ListenerHandle::new(ListenerConfig::default());
    assert!(handle.get().is_none());
    let first = handle.get_or_start().await.expect("starts").local_addr();
    let second = handle.get_or_start().await.expect("same").local_addr();
    assert_eq!(first, second);
    assert!(handle.get().is_some());
    // A bind that cannot succeed is an error, not a panic.
    let taken = ListenerHandle::new(ListenerConfig {
        bind: first,
        public_url: None,
    });
    assert!(taken.get_or_start().await.is_err());
}

#[tokio::test]
async fn dropping_the_listener_stops_it() {
    let listener = Listener::start(loopback(), None).await.expect("start");
    let addr = listener.local_addr();
    drop(listener);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let refused = reqwest::Client::new()
        .get(format!("http://{addr}/x/y"))
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(refused.is_err(), "{refused:?}");
}

/// POSTs `chunks` chunks of `size` bytes with chunked framing; the answer's status.
async fn chunked_post(url: &str, chunks: usize, size: usize) -> u16 {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let u = url::Url::parse(url).expect("url");
    let addr = format!(
        "{}:{}",
        u.host_str().expect("host"),
        u.port().expect("port")
    );
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        u.path()
    );
    tcp.write_all(head.as_bytes()).await.expect("write");
    let chunk = vec![b'y'; size];
    for _ in 0..chunks {
        // The server may answer and close before every chunk is sent.
        if tcp
            .write_all(format!("{size:x}\r\n").as_bytes())
            .await
            .is_err()
            || tcp.write_all(&chunk).await.is_err()
            || tcp.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = tcp.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn target_file(extra: &str) -> Result<oauth2spec::target::Target, Vec<String>> {
    let text =
        format!("name = \"t\"\nbase_url = \"https://as.example\"\nlayout = \"generic\"\n{extra}");
    parse(&Source::new(Path::new("t.toml"), text), &|_| None)
        .map_err(|ds| ds.iter().map(|d| d.headline()).collect())
}

#[test]
fn the_listener_table_parses_and_defaults() {
    let t = target_file("").expect("no [listener]");
    assert_eq!(t.listener, ListenerConfig::default());
    let t = target_file(
        "[listener]\nbind = \"0.0.0.0:8765\"\npublic_url = \"https://abc.tunnel.example/\"\n",
    )
    .expect("valid");
    assert_eq!(t.listener.bind, "0.0.0.0:8765".parse().expect("addr"));
    assert_eq!(
        t.listener.public_url.map(|u| u.to_string()),
        Some("https://abc.tunnel.example/".to_string())
    );
}

#[test]
fn bad_listener_values_are_diagnosed_with_their_line() {
    let errs = target_file("[listener]\nbind = \"localhost\"\npublic_url = \"ftp://x/\"\n")
        .expect_err("invalid");
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[0].starts_with("t.toml:5:") && errs[0].contains("bind address"),
        "{errs:?}"
    );
    assert!(
        errs[1].starts_with("t.toml:6:") && errs[1].contains("public_url"),
        "{errs:?}"
    );
    let errs = target_file("[listener]\nport = 1\n").expect_err("unknown key");
    assert!(errs[0].contains("port"), "{errs:?}");
}

#[tokio::test]
async fn a_full_queue_answers_but_keeps_nothing_more() {
    use oauth2spec::execute::listener::MAX_QUEUED;
    let listener = Listener::start(loopback(), None).await.expect("start");
    let m = listener.mailbox("flood");
    let client = reqwest::Client::new();
    for _ in 0..MAX_QUEUED + 2 {
        let resp = client.post(m.url("cb")).send().await.expect("answers");
        assert_eq!(resp.status(), 204);
    }
    assert_eq!(m.dropped(), 2);
    assert_eq!(m.drain("cb").len(), MAX_QUEUED);
    // Receiving frees room again.
    client.post(m.url("cb")).send().await.expect("answers");
    assert!(m.receive("cb", Duration::ZERO).await.is_some());
}

#[test]
fn listeners_and_mailboxes_cross_tasks() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<Listener>();
    shared::<ListenerHandle>();
    shared::<oauth2spec::execute::listener::Mailbox>();
}
