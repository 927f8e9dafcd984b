//! The accept loop: a bounded number of connections, each with header, idle and write
//! deadlines, and a loop that backs off and says so when `accept` fails. Poem's own
//! server has no header timeout and retries a failing `accept` at once without a log
//! line, which an attacker with 1,100 silent connections turned into a locked-out
//! server spinning a core.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use poem::endpoint::BoxEndpoint;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use super::proxies::TrustedProxies;
use super::write_deadline::WriteDeadline;

/// A full server says so at most this often.
const FULL_WARNING_EVERY: Duration = Duration::from_secs(10);

/// The service limits of one instance (README, "Service limits").
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections served at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// From the first byte of a request head (or the end of the previous response on a
    /// kept-alive connection) to its last: slow or silent clients are closed after it.
    pub header_timeout: Duration,
    /// How long a write to a client that does not read may stay blocked.
    pub write_timeout: Duration,
    /// On shutdown, how long requests in progress may take to finish.
    pub drain_timeout: Duration,
}

/// What every connection serves, and whose word on the client it takes.
struct Served {
    endpoint: BoxEndpoint<'static>,
    proxies: TrustedProxies,
}

/// Serves `endpoint` on `listener` until `shutdown` completes, then drains.
pub async fn serve(
    listener: TcpListener,
    endpoint: BoxEndpoint<'static>,
    limits: ConnectionLimits,
    proxies: TrustedProxies,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let local = listener.local_addr()?;
    let served = Arc::new(Served { endpoint, proxies });
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    // `serve` says "listening" itself, before the one-time credential it prints last.
    tracing::debug!(address = %local, max_connections = limits.max_connections, "listening");
    tokio::pin!(shutdown);
    let mut backoff = Backoff::default();
    let mut last_full_warning: Option<Instant> = None;
    loop {
        // A slot first: at the limit, new connections wait in the backlog, not in memory.
        if slots.available_permits() == 0
            && last_full_warning.is_none_or(|at| at.elapsed() > FULL_WARNING_EVERY)
        {
            last_full_warning = Some(Instant::now());
            tracing::warn!(
                max_connections = limits.max_connections,
                "connection limit reached; new connections wait until others close (raise max_connections and the open-file limit if this is legitimate load)"
            );
        }
        let slot = tokio::select! {
            _ = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                backoff.reset();
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(
                    stream,
                    local,
                    peer,
                    served.clone(),
                    limits,
                    stopping.clone(),
                    slot,
                ));
            }
            Err(error) => {
                drop(slot);
                let pause = backoff.next();
                tracing::warn!(%error, pause_ms = pause.as_millis() as u64, "accept failed (file-descriptor limit?); pausing before the next accept");
                tokio::time::sleep(pause).await;
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    drain(&slots, limits).await;
    Ok(())
}

/// Waits until every connection has returned its slot, or the drain time is over.
async fn drain(slots: &Semaphore, limits: ConnectionLimits) {
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout(limits.drain_timeout, slots.acquire_many(all)).await;
    if drained.is_err() {
        tracing::warn!(
            open = limits.max_connections - slots.available_permits(),
            "connections still open after the drain time; closing them"
        );
    }
}

async fn connection(
    stream: TcpStream,
    local: SocketAddr,
    peer: SocketAddr,
    served: Arc<Served>,
    limits: ConnectionLimits,
    mut stopping: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let service = hyper::service::service_fn(move |req: hyper::Request<_>| {
        let served = served.clone();
        // Behind a trusted proxy, the client it names; everything after (throttles,
        // sign-in lock-outs, logs) sees that address as the peer.
        let client = served.proxies.client(peer, req.headers());
        async move {
            let req: poem::Request = (
                req,
                LocalAddr(Addr::SocketAddr(local)),
                RemoteAddr(Addr::SocketAddr(client)),
                poem::http::uri::Scheme::HTTP,
            )
                .into();
            let response = served.endpoint.get_response(req).await;
            Ok::<_, std::convert::Infallible>(hyper::Response::from(response))
        }
    });
    let io = TokioIo::new(WriteDeadline::new(stream, limits.write_timeout));
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(io, service);
    tokio::pin!(conn);
    let stop = async move {
        // The guard `wait_for` returns is not Send; drop it before any await.
        let _ = stopping.wait_for(|stop| *stop).await.map(|_| ());
    };
    tokio::select! {
        result = conn.as_mut() => log_end(result, peer),
        () = stop => {
            conn.as_mut().graceful_shutdown();
            log_end(conn.await, peer);
        }
    }
}

fn log_end(result: Result<(), hyper::Error>, peer: SocketAddr) {
    if let Err(error) = result {
        // Timeouts and resets are what the deadlines are for: not worth more than debug.
        tracing::debug!(%peer, %error, "connection closed with an error");
    }
}

/// 10 ms doubling to 1 s: long enough for descriptors to free, short enough to recover.
#[derive(Default)]
struct Backoff {
    failures: u32,
}

impl Backoff {
    fn next(&mut self) -> Duration {
        let pause =
            Duration::from_millis(10u64 << self.failures.min(7)).min(Duration::from_secs(1));
        self.failures = self.failures.saturating_add(1);
        pause
    }

    fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_one_second_and_resets() {
        let mut backoff = Backoff::default();
        let pauses: Vec<u64> = (0..9).map(|_| backoff.next().as_millis() as u64).collect();
        assert_eq!(pauses, [10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        backoff.reset();
        assert_eq!(backoff.next(), Duration::from_millis(10));
    }
}
