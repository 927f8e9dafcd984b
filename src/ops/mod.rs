//! Operations: health and readiness probes, Prometheus metrics.

pub mod api;
pub mod metrics;
