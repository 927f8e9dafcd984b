//! Structured logs with `tracing`: text for people, JSON for log pipelines;
//! `RUST_LOG` filters (default `info` for the server, `warn` for one-shot commands,
//! whose output is their printed result).

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

pub fn init(format: LogFormat, default_level: &str) {
    // sea-orm-migration logs each migration it checks at info (about 25 lines per
    // start); `db::connect` logs one line when some were applied.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{default_level},sea_orm_migration=warn")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colour codes only for a person at a terminal, not in files or pipes.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless: keep the first subscriber.
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
