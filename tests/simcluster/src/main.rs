//! `simcluster serve --kubeconfig PATH [--port N] [--speed FACTOR] [--seed DIR]...`

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "simcluster",
    version,
    about = "An in-memory Kubernetes API server for tests and demos"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve until SIGTERM or SIGINT; prints `ready <url>` once it accepts requests.
    Serve {
        /// Where to write the kubeconfig (context `simcluster`).
        #[arg(long)]
        kubeconfig: PathBuf,
        /// Port on 127.0.0.1 (default: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Divide every simulated delay by this.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Apply every manifest under this directory at start (CRDs first); repeatable.
        #[arg(long = "seed")]
        seeds: Vec<PathBuf>,
        /// Serve HTTPS with a generated self-signed CA and require the kubeconfig's bearer token.
        #[arg(long)]
        tls: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Command::Serve {
        kubeconfig,
        port,
        speed,
        seeds,
        tls,
    } = Cli::parse().command;
    let cluster = simcluster::SimCluster::start(simcluster::Options {
        port,
        speed,
        seeds,
        tls,
        kubeconfig: Some(kubeconfig),
        ..simcluster::Options::default()
    })
    .await?;
    println!("ready {}", cluster.url());
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    drop(cluster);
    Ok(())
}
