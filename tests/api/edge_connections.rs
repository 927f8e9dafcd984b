//! Issue 12, item 3: silent and slow clients are closed, and connections are bounded.
//! These run the real accept loop on a loopback port.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::build_app;

async fn serve(tweak: impl FnOnce(&mut blackbelt::config::Config)) -> (SocketAddr, impl Drop) {
    let (app, _, schema, dir) = build_app(|c| {
        c.header_read_timeout_secs = 1;
        tweak(c);
    })
    .await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(app.serve_with(listener));
    (addr, Guard(task, dir, schema))
}

/// Stops the server, then removes its database folder or schema.
struct Guard<T>(
    tokio::task::JoinHandle<T>,
    #[allow(dead_code)] Option<tempfile::TempDir>,
    #[allow(dead_code)] Option<std::sync::Arc<crate::helpers::Schema>>,
);

impl<T> Drop for Guard<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Reads until the server closes the connection; the time it took.
async fn time_to_close(stream: &mut TcpStream, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(
            within.saturating_sub(started.elapsed()),
            stream.read(&mut buf),
        )
        .await
        {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_header_timeout() {
    let (addr, _guard) = serve(|_| {}).await;
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let closed = time_to_close(&mut silent, Duration::from_secs(5)).await;
    assert!(closed.is_some(), "a silent connection stayed open 5 s");
}

#[tokio::test]
async fn a_head_sent_a_byte_at_a_time_is_cut_at_the_header_timeout() {
    let (addr, _guard) = serve(|_| {}).await;
    let mut slow = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    let head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let mut cut = false;
    for byte in head {
        if slow.write_all(&[*byte]).await.is_err() {
            cut = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        if started.elapsed() > Duration::from_secs(6) {
            break;
        }
    }
    let closed = cut
        || time_to_close(&mut slow, Duration::from_secs(2))
            .await
            .is_some();
    assert!(
        closed,
        "a trickled head was still being read after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_until_a_slot_frees() {
    let (addr, _guard) = serve(|c| c.max_connections = 16).await;
    let mut silent = Vec::new();
    for _ in 0..16 {
        silent.push(TcpStream::connect(addr).await.unwrap());
    }
    // Give the accept loop time to take all 16.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let mut probe = TcpStream::connect(addr).await.unwrap();
    probe
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), probe.read_to_end(&mut answer))
        .await
        .expect("answered once the silent connections timed out")
        .unwrap();
    let waited = started.elapsed();
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    // It was served only after the silent ones were closed at the 1 s header timeout.
    assert!(
        waited >= Duration::from_millis(500),
        "served after {waited:?}: no limit?"
    );
}

#[tokio::test]
async fn kept_alive_requests_are_served_in_turn_on_one_connection() {
    let (addr, _guard) = serve(|_| {}).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    for _ in 0..3 {
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 4096];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    }
}

/// Sends one GET with `X-Forwarded-For: forwarded` on a new connection; its status.
async fn status_of_forwarded_get(addr: SocketAddr, path: &str, forwarded: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: {forwarded}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() {
    let (addr, _guard) = serve(|c| {
        c.trusted_proxies = vec!["127.0.0.0/8".into()];
        c.public_rate_limit_burst = 1;
        c.public_rate_limit_per_minute = 1;
    })
    .await;
    assert_eq!(
        status_of_forwarded_get(addr, "/ob/issuer", "198.51.100.1").await,
        200
    );
    assert_eq!(
        status_of_forwarded_get(addr, "/ob/issuer", "198.51.100.1").await,
        429
    );
    assert_eq!(
        status_of_forwarded_get(addr, "/ob/issuer", "198.51.100.2").await,
        200,
        "another client behind the same proxy"
    );
}

#[tokio::test]
async fn an_untrusted_peer_cannot_escape_its_bucket_by_naming_another_client() {
    let (addr, _guard) = serve(|c| {
        c.public_rate_limit_burst = 1;
        c.public_rate_limit_per_minute = 1;
    })
    .await;
    assert_eq!(
        status_of_forwarded_get(addr, "/ob/issuer", "198.51.100.1").await,
        200
    );
    assert_eq!(
        status_of_forwarded_get(addr, "/ob/issuer", "198.51.100.2").await,
        429
    );
}

#[tokio::test]
async fn a_trusted_proxy_entry_that_is_not_an_address_stops_the_start_naming_it() {
    let config = blackbelt::config::Config {
        trusted_proxies: vec!["10.0.0.0/8".into(), "proxy.internal".into()],
        ..Default::default()
    };
    let error = blackbelt::app::App::build(config)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("proxy.internal"), "{error}");
}
