//! placeholder until the manifest parser lands
