//! The outbound client against real local servers: refused addresses are never
//! connected to, answers are cut at the limit while they stream, silent servers time
//! out, and redirects are not followed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use blackbelt::outbound::{Outbound, OutboundError, OutboundSettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub fn client(allow_private: bool) -> Outbound {
    Outbound::new(OutboundSettings {
        allow_private,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(2),
    })
    .unwrap()
}

/// A listener on 127.0.0.1 that counts the connections it accepts and answers each
/// with `answer` (raw HTTP), or stays silent when `answer` is `None`.
pub async fn listener(answer: Option<&'static [u8]>) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                match answer {
                    Some(bytes) => {
                        let _ = socket.write_all(bytes).await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    (port, seen)
}

#[tokio::test]
async fn a_loopback_url_is_refused_without_connecting() {
    let (port, seen) = listener(Some(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")).await;
    let refused = client(false)
        .get(&format!("http://127.0.0.1:{port}/internal"), None, 1024)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, OutboundError::Refused { .. }),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("outbound_allow_private"));
    for url in [
        format!("http://[::1]:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        format!("http://2130706433:{port}/"),
        format!("http://0x7f.1:{port}/"),
        format!("http://127.0.0.1.:{port}/"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.0.0.1/".to_owned(),
    ] {
        let err = client(false).get(&url, None, 1024).await.unwrap_err();
        assert!(
            matches!(err, OutboundError::Refused { .. }),
            "{url}: {err:?}"
        );
    }
    assert_eq!(seen.load(Ordering::SeqCst), 0, "no connection was made");
    // The same server is reachable when private networks are allowed.
    let answer = client(true)
        .get(&format!("http://127.0.0.1:{port}/"), None, 1024)
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_without_connecting() {
    let (port, seen) = listener(Some(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")).await;
    let refused = client(false)
        .get(&format!("http://localhost:{port}/"), None, 1024)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, OutboundError::Refused { .. }),
        "{refused:?}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_metadata_service_is_refused_even_when_private_networks_are_allowed() {
    let err = client(true)
        .get("http://169.254.169.254/latest/meta-data/", None, 1024)
        .await
        .unwrap_err();
    assert!(matches!(err, OutboundError::Refused { .. }), "{err:?}");
}

#[tokio::test]
async fn an_endless_answer_is_cut_at_the_limit_while_it_streams() {
    // 300 MB announced nowhere (chunked), sent as fast as the socket takes it.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request).await;
        let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        if socket.write_all(head).await.is_err() {
            return;
        }
        let chunk = vec![b' '; 64 * 1024];
        let framed = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk,
            b"\r\n".to_vec(),
        ]
        .concat();
        for _ in 0..(300 * 1024 * 1024 / (64 * 1024)) {
            if socket.write_all(&framed).await.is_err() {
                return;
            }
            counter.fetch_add(64 * 1024, Ordering::SeqCst);
        }
    });
    let started = Instant::now();
    let err = client(true)
        .get(&format!("http://127.0.0.1:{port}/"), None, 256 * 1024)
        .await
        .unwrap_err();
    assert_eq!(err, OutboundError::TooLarge(256 * 1024));
    assert!(started.elapsed() < Duration::from_secs(2));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let total = sent.load(Ordering::SeqCst);
    assert!(
        total < 32 * 1024 * 1024,
        "the client stopped reading early ({total} bytes sent)"
    );
}

#[tokio::test]
async fn an_announced_oversized_answer_is_refused_before_reading() {
    let (port, _) = listener(Some(
        b"HTTP/1.1 200 OK\r\ncontent-length: 314572800\r\n\r\n{\"keys\":[",
    ))
    .await;
    let err = client(true)
        .get(&format!("http://127.0.0.1:{port}/"), None, 256 * 1024)
        .await
        .unwrap_err();
    assert_eq!(err, OutboundError::TooLarge(256 * 1024));
}

#[tokio::test]
async fn a_silent_server_times_out_with_the_same_words_as_a_closed_port() {
    let (port, seen) = listener(None).await;
    let started = Instant::now();
    let silent = client(true)
        .get(&format!("http://127.0.0.1:{port}/"), None, 1024)
        .await
        .unwrap_err();
    assert_eq!(silent, OutboundError::Unreachable);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    // A closed port reads the same, so answers cannot map ports.
    let closed = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let refused = client(true)
        .get(&format!("http://127.0.0.1:{closed}/"), None, 1024)
        .await
        .unwrap_err();
    assert_eq!(refused.to_string(), silent.to_string());
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let (target, target_seen) =
        listener(Some(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")).await;
    let location: &'static str = Box::leak(
        format!(
            "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{target}/internal\r\ncontent-length: 0\r\n\r\n"
        )
        .into_boxed_str(),
    );
    let (port, _) = listener(Some(location.as_bytes())).await;
    let err = client(true)
        .get(&format!("http://127.0.0.1:{port}/"), None, 1024)
        .await
        .unwrap_err();
    assert_eq!(err, OutboundError::Redirect(302));
    assert_eq!(
        target_seen.load(Ordering::SeqCst),
        0,
        "the target was not called"
    );
}

#[tokio::test]
async fn only_http_and_https_urls_are_called() {
    for url in [
        "file:///etc/passwd",
        "ftp://example.com/",
        "not a url",
        "gopher://x/",
    ] {
        let err = client(true).get(url, None, 1024).await.unwrap_err();
        assert_eq!(err, OutboundError::BadUrl, "{url}");
    }
}

#[tokio::test]
async fn call_keeps_link_retry_after_and_content_type_and_the_same_rules() {
    let (port, _) = listener(Some(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         retry-after: 30\r\nlink: </p2>; rel=“next”\r\nlink: </d>; rel=differences\r\n\
         content-length: 2\r\n\r\n{}"
            .as_bytes(),
    ))
    .await;
    let url = format!("http://127.0.0.1:{port}/items");
    let call = || blackbelt::outbound::Call {
        accept: Some("application/vnd.ims.lis.v2.lineitemcontainer+json"),
        bearer: Some("tok"),
        ..blackbelt::outbound::Call::new(reqwest::Method::GET, &url, 1024)
    };
    let answer = client(true).call(call()).await.unwrap();
    assert_eq!(answer.status, 503);
    assert_eq!(answer.headers.retry_after.as_deref(), Some("30"));
    assert_eq!(
        answer.headers.content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(answer.headers.link.len(), 2);
    let base = url::Url::parse(&url).unwrap();
    assert_eq!(
        blackbelt::outbound::link::next_link(&answer.headers.link, &base)
            .unwrap()
            .as_str(),
        format!("http://127.0.0.1:{port}/p2")
    );
    let refused = client(false).call(call()).await.unwrap_err();
    assert!(
        matches!(refused, OutboundError::Refused { .. }),
        "{refused:?}"
    );
    let small = blackbelt::outbound::Call { limit: 1, ..call() };
    assert_eq!(
        client(true).call(small).await.unwrap_err(),
        OutboundError::TooLarge(1)
    );
}
