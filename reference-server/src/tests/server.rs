//! A real server on port 0, spoken to with plain HTTP/1.1 over `tokio::net`.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::*;

async fn raw_request(addr: SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn spawned_server_serves_and_shuts_down() {
    let config = config_with(Layout::Pingone, &[]);
    let bind: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let server = crate::spawn(config, bind).await.expect("spawn");
    assert_ne!(server.addr.port(), 0);
    assert_eq!(server.base_url, format!("http://{}", server.addr));
    assert_eq!(
        server.issuer,
        format!("{}/{}/as", server.base_url, crate::config::DEFAULT_ENV_ID)
    );

    let path = format!(
        "/{}/as/.well-known/openid-configuration",
        crate::config::DEFAULT_ENV_ID
    );
    let response = raw_request(
        server.addr,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        ),
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(&format!("\"issuer\":\"{}\"", server.issuer)));

    let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        urlencode(CONF_ID),
        urlencode(CONF_SECRET)
    ));
    let body = "grant_type=client_credentials";
    let response = raw_request(
        server.addr,
        &format!(
            "POST /{}/as/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Authorization: Basic {credentials}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            crate::config::DEFAULT_ENV_ID,
            body.len()
        ),
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("cache-control: no-store")
    );

    let addr = server.addr;
    server.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let bind: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let server = crate::spawn(ServerConfig::default(), bind)
        .await
        .expect("spawn");
    let addr = server.addr;
    drop(server);
    let mut refused = false;
    for _ in 0..50 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused);
}

#[test]
fn wildcard_bind_yields_a_loopback_base_url() {
    let addr: SocketAddr = "0.0.0.0:8400".parse().expect("addr");
    assert_eq!(crate::base_url_for(addr), "http://127.0.0.1:8400");
    let addr: SocketAddr = "[::]:8400".parse().expect("addr");
    assert_eq!(crate::base_url_for(addr), "http://[::1]:8400");
}
