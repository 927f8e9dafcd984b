//! The connection limit follows the process's open-file limit: every connection is a
//! descriptor, and a server that runs out of them cannot even answer `/healthz`.

/// Descriptors kept back for the database pool, the SQLite files, logs and packages.
pub const RESERVED: u64 = 256;

/// Raises the soft open-file limit to the hard one (as systemd's `LimitNOFILE` would)
/// and returns the soft limit now in effect, if the platform has one.
pub fn raise_and_read() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.maximum > limit.current {
            let raised = rustix::process::Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            };
            if let Err(error) = setrlimit(Resource::Nofile, raised) {
                tracing::debug!(%error, "could not raise the open-file limit");
            }
        }
        getrlimit(Resource::Nofile).current
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// The connections to serve at once: what the configuration asks, never more than the
/// descriptors left after `RESERVED`, and at least a handful.
pub fn connection_limit(configured: usize, open_files: Option<u64>) -> usize {
    let available = open_files
        .map(|n| n.saturating_sub(RESERVED))
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(usize::MAX);
    configured.min(available).max(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_stays_below_the_open_file_limit() {
        assert_eq!(connection_limit(4096, Some(1024)), 768);
        assert_eq!(connection_limit(500, Some(1024)), 500);
        assert_eq!(connection_limit(4096, None), 4096);
        assert_eq!(connection_limit(4096, Some(100)), 16);
    }

    #[test]
    fn reading_the_limit_gives_a_positive_number_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(raise_and_read().is_some_and(|n| n > 0));
        }
    }
}
