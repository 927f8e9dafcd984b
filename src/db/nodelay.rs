//! TCP_NODELAY for PostgreSQL connections. sqlx 0.9.0 stopped setting it
//! (transact-rs/sqlx#4335; the fix, #4336, is merged but not yet released), so a query
//! larger than the socket's send buffer — a multi-row insert of a statement batch — has
//! its tail held back by Nagle's algorithm until the server's delayed ACK, about 40 ms.
//! Measured here: 1,000-statement group commits took 2.6 s over TCP and 0.6 s over a
//! Unix socket. sqlx gives no access to its socket, so after each new connection this
//! finds the process's own TCP sockets to the database port and sets the option on them.
//! Delete this module when sqlx ships the fix.

use std::net::SocketAddr;

/// Sets TCP_NODELAY on every TCP socket of this process connected to `port`. Returns
/// how many were set; sockets that are not TCP or not ours to change are skipped.
#[cfg(target_os = "linux")]
pub fn set_on_database_sockets(port: u16) -> std::io::Result<usize> {
    use rustix::process::{PidfdFlags, PidfdGetfdFlags, getpid, pidfd_getfd, pidfd_open};

    let this_process = pidfd_open(getpid(), PidfdFlags::empty())?;
    let mut set = 0;
    for entry in std::fs::read_dir("/proc/self/fd")?.flatten() {
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        let Some(number) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        if !is_socket {
            continue;
        }
        // A duplicate of our own descriptor: options set on it apply to the socket.
        let Ok(socket) = pidfd_getfd(&this_process, number, PidfdGetfdFlags::empty()) else {
            continue;
        };
        let peer = rustix::net::getpeername(&socket)
            .ok()
            .flatten()
            .and_then(|addr| SocketAddr::try_from(addr).ok());
        let is_tcp = rustix::net::sockopt::socket_type(&socket)
            .is_ok_and(|kind| kind == rustix::net::SocketType::STREAM);
        if is_tcp
            && peer.is_some_and(|peer| peer.port() == port)
            && rustix::net::sockopt::set_tcp_nodelay(&socket, true).is_ok()
        {
            set += 1;
        }
    }
    Ok(set)
}

/// Elsewhere the latency stays; correctness does not depend on it.
#[cfg(not(target_os = "linux"))]
pub fn set_on_database_sockets(_port: u16) -> std::io::Result<usize> {
    Ok(0)
}

/// The TCP port of a `postgres://` URL, if it names a TCP host (not a Unix socket).
pub fn tcp_port(url: &str) -> Option<u16> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    if host.is_empty() || host.starts_with('%') || host.starts_with('/') {
        return None;
    }
    Some(parsed.port().unwrap_or(5432))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_port_comes_from_the_url_or_defaults() {
        assert_eq!(tcp_port("postgres://u@db.example:6543/x"), Some(6543));
        assert_eq!(tcp_port("postgres://u@127.0.0.1/x"), Some(5432));
        assert_eq!(tcp_port("postgres://u@%2Fvar%2Frun%2Fpostgresql/x"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn nodelay_is_set_on_a_connected_socket() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        assert!(!client.nodelay().unwrap());
        assert!(set_on_database_sockets(port).unwrap() >= 1);
        assert!(client.nodelay().unwrap());
    }
}
