//! Wiring only: parse the command line and run it.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = blackbelt::cli::Cli::parse();
    blackbelt::cli::run(cli).await
}
