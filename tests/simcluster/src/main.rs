//! `simcluster serve --kubeconfig PATH [--port N] [--speed FACTOR] [--seed DIR]...`
//! `simcluster metrics --kubeconfig PATH [--port N] [--egress-socket PATH]`
//! `simcluster velero --kubeconfig PATH [--port N]`

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
        #[command(flatten)]
        faults: FaultArgs,
    },
    /// Serve simcluster's per-pod application and cAdvisor metrics for the pods of another
    /// API server (a real control plane, whose KWOK pods run no processes), for Prometheus to
    /// scrape at `/simcluster/metrics` and `/metrics/cadvisor`; prints `ready <url>`.
    Metrics {
        /// The kubeconfig of the cluster whose pods to simulate.
        #[arg(long)]
        kubeconfig: PathBuf,
        /// Port on 127.0.0.1 (default: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Also serve the simulated pods (HTTP, for the service proxy), kubelets (container
        /// logs) and metrics.k8s.io (registered as an APIService, in place of metrics-server)
        /// as an HTTP CONNECT proxy on this Unix socket, for the API server's egress selector
        /// (`tests/realcluster/up.sh --egress-socket PATH`).
        #[arg(long, value_name = "PATH")]
        egress_socket: Option<PathBuf>,
    },
    /// Run simcluster's simulated Velero server against another API server (a real control
    /// plane with Velero's CRDs and no Velero): Backups, Restores, DownloadRequests. Serves the
    /// simulated object storage and prints `ready <url>`.
    Velero {
        /// The kubeconfig of the cluster to run Velero for.
        #[arg(long)]
        kubeconfig: PathBuf,
        /// Port on 127.0.0.1 for the object storage (default: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
}

/// Faults to inject from the start, as the e2e tests set them through the library.
#[derive(clap::Args)]
struct FaultArgs {
    /// Fraction of requests answered 500.
    #[arg(long = "error-rate", default_value_t = 0.0, value_name = "FRACTION")]
    error_rate: f64,
    /// Fraction of requests answered 429 with `Retry-After: 1`.
    #[arg(long = "throttle-rate", default_value_t = 0.0, value_name = "FRACTION")]
    throttle_rate: f64,
    /// Fraction of connections dropped without an answer.
    #[arg(long = "drop-rate", default_value_t = 0.0, value_name = "FRACTION")]
    drop_rate: f64,
    /// Milliseconds added to every request.
    #[arg(long = "latency-ms", default_value_t = 0, value_name = "MS")]
    latency_ms: u64,
    /// Answer 403 to VERB on RESOURCE (`*` for any), optionally only in NAMESPACE; repeatable.
    #[arg(long = "forbid", value_name = "VERB:RESOURCE[:NAMESPACE]")]
    forbid: Vec<simcluster::Forbid>,
    /// Answer STATUS to TIMES (default 1) requests of VERB on RESOURCE, after serving the first
    /// AFTER (default 0) of them; repeatable.
    #[arg(long = "fail", value_name = "VERB:RESOURCE:STATUS[:TIMES[:AFTER]]")]
    fail: Vec<simcluster::Fail>,
}

impl FaultArgs {
    fn faults(self) -> simcluster::Faults {
        simcluster::Faults {
            latency: std::time::Duration::from_millis(self.latency_ms),
            error_rate: self.error_rate,
            throttle_rate: self.throttle_rate,
            drop_rate: self.drop_rate,
            forbid: self.forbid,
            fail: self.fail,
            ..simcluster::Faults::default()
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Installed before anything prints `ready`: a script may send SIGTERM the moment it
    // reads that line, and an uninstalled handler means death by the default action.
    let signals = Signals::install()?;
    let (kubeconfig, port, speed, seeds, tls, faults) = match Cli::parse().command {
        Command::Serve {
            kubeconfig,
            port,
            speed,
            seeds,
            tls,
            faults,
        } => (kubeconfig, port, speed, seeds, tls, faults.faults()),
        Command::Metrics {
            kubeconfig,
            port,
            egress_socket,
        } => {
            let address = simcluster::mirror::serve(&kubeconfig, port).await?;
            if let Some(socket) = egress_socket {
                let client = simcluster::mirror::connect(&kubeconfig).await?;
                simcluster::egress::serve(client.clone(), &socket).await?;
                simcluster::aggregated::register(&client).await?;
            }
            println!("ready http://{address}");
            return signals.exit_on_signal().await;
        }
        Command::Velero { kubeconfig, port } => {
            let address = simcluster::remote::serve(&kubeconfig, port).await?;
            println!("ready http://{address}");
            return signals.exit_on_signal().await;
        }
    };
    let cluster = simcluster::SimCluster::start(simcluster::Options {
        port,
        speed,
        seeds,
        tls,
        kubeconfig: Some(kubeconfig),
        faults,
        ..simcluster::Options::default()
    })
    .await?;
    println!("ready {}", cluster.url());
    signals.wait().await;
    drop(cluster);
    Ok(())
}

/// SIGTERM and SIGINT, listened for from the moment `install` returns.
struct Signals {
    term: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> anyhow::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.interrupt.recv() => {}
        }
    }

    /// Waits for a signal, then exits at once: the external controllers' loops run on
    /// blocking threads, which the runtime would otherwise wait for forever.
    async fn exit_on_signal(self) -> anyhow::Result<()> {
        self.wait().await;
        std::process::exit(0)
    }
}
