//! simcluster: an in-memory Kubernetes API server with simulated controllers and fault
//! injection, for the plugins' end-to-end tests and the playbook demo.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let cluster = simcluster::SimCluster::start(simcluster::Options::default()).await?;
//! println!("{} {}", cluster.url(), cluster.kubeconfig().display());
//! # Ok(()) }
//! ```

pub mod admission;
pub mod aggregated;
pub mod controllers;
pub mod cron;
pub mod discovery;
pub mod egress;
pub mod fields;
pub mod kubelet;
pub mod metrics;
pub mod mirror;
pub mod patch;
pub mod protobuf;
pub mod proxy;
pub mod rbac;
pub mod registry;
pub mod remote;
pub mod schema;
pub mod selectors;
pub mod server;
pub mod store;
pub mod table;
pub mod tls;
pub mod velero;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;

pub use server::{Counters, Fail, Faults, Forbid, RequestRecord};

/// How to start a cluster.
#[derive(Debug, Clone)]
pub struct Options {
    /// Port to bind on 127.0.0.1 (0 = any free port).
    pub port: u16,
    /// Simulated delays are divided by this.
    pub speed: f64,
    /// Directories of manifests to load at start (CRDs and namespaces first).
    pub seeds: Vec<PathBuf>,
    /// Where to write the kubeconfig (default: a temporary directory owned by the cluster).
    pub kubeconfig: Option<PathBuf>,
    /// The namespace of the kubeconfig's context.
    pub namespace: String,
    /// How many changes watches can resume from (older resourceVersions get 410 Gone).
    pub watch_history: usize,
    /// Faults in force from the start.
    pub faults: Faults,
    /// Run the controllers and the kubelet (off for benchmarks that load objects directly).
    pub controllers: bool,
    /// Serve HTTPS with a generated CA and require a bearer token.
    pub tls: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            port: 0,
            speed: 10.0,
            seeds: Vec::new(),
            kubeconfig: None,
            namespace: "default".into(),
            watch_history: store::HISTORY,
            faults: Faults::default(),
            controllers: true,
            tls: false,
        }
    }
}

/// A running cluster; dropping it stops the server.
pub struct SimCluster {
    shared: Arc<server::Shared>,
    url: String,
    kubeconfig: PathBuf,
    _dir: Option<tempfile::TempDir>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for SimCluster {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The context name in the kubeconfig simcluster writes.
pub const CONTEXT: &str = "simcluster";

fn write_kubeconfig(
    path: &Path,
    url: &str,
    namespace: &str,
    tls: Option<&tls::Tls>,
) -> anyhow::Result<()> {
    use base64::Engine;
    let (ca, token) = match tls {
        Some(tls) => (
            format!(
                "\n    certificate-authority-data: {}",
                base64::engine::general_purpose::STANDARD.encode(&tls.ca_pem)
            ),
            tls.token.clone(),
        ),
        None => (String::new(), "simcluster-token".to_owned()),
    };
    let text = format!(
        "apiVersion: v1
kind: Config
current-context: {CONTEXT}
clusters:
- name: {CONTEXT}
  cluster:
    server: {url}{ca}
users:
- name: {CONTEXT}-user
  user:
    token: {token}
contexts:
- name: {CONTEXT}
  context:
    cluster: {CONTEXT}
    user: {CONTEXT}-user
    namespace: {namespace}
"
    );
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    std::fs::write(path, text)
        .with_context(|| format!("cannot write the kubeconfig `{}`", path.display()))
}

/// Loads manifests into the store: CRDs first, then namespaces, then everything else.
pub fn seed(store: &mut store::Store, dirs: &[PathBuf]) -> anyhow::Result<usize> {
    let inputs: Vec<shipshape::manifests::Input> = dirs
        .iter()
        .cloned()
        .map(shipshape::manifests::Input::Path)
        .collect();
    let mut manifests = shipshape::manifests::load(&inputs).into_result()?;
    manifests.sort_by_key(|m| match m.kind() {
        "CustomResourceDefinition" => 0,
        "Namespace" => 1,
        _ => 2,
    });
    let count = manifests.len();
    for manifest in manifests {
        let rt = store
            .registry
            .by_kind(manifest.api_version(), manifest.kind())
            .cloned()
            .with_context(|| {
                format!(
                    "{}: simcluster does not serve {} `{}`",
                    manifest.source,
                    manifest.kind(),
                    manifest.api_version()
                )
            })?;
        let namespace = manifest.namespace().unwrap_or("default").to_owned();
        store
            .create(&rt, &namespace, manifest.object.clone(), false)
            .map_err(|e| {
                anyhow::anyhow!(
                    "{}: cannot create {}: {}",
                    manifest.source,
                    manifest.id(),
                    e.message
                )
            })?;
    }
    Ok(count)
}

impl SimCluster {
    /// Starts a cluster on 127.0.0.1 and writes its kubeconfig.
    pub async fn start(options: Options) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], options.port)))
            .await
            .with_context(|| format!("cannot listen on 127.0.0.1:{}", options.port))?;
        let address = listener.local_addr()?;
        let tls = if options.tls {
            Some(tls::generate()?)
        } else {
            None
        };
        let url = if tls.is_some() {
            format!("https://{address}")
        } else {
            format!("http://{address}")
        };
        let mut store = store::Store::default();
        store.url = url.clone();
        store.set_history_limit(options.watch_history);
        controllers::Controllers::seed_nodes(&mut store);
        seed(&mut store, &options.seeds)?;
        let shared = Arc::new(server::Shared::new(
            store,
            tls.as_ref().map(|t| t.token.clone()),
            address.to_string(),
        ));
        *shared.faults.lock().unwrap_or_else(|e| e.into_inner()) = options.faults.clone();

        let (dir, kubeconfig) = match &options.kubeconfig {
            Some(path) => (None, path.clone()),
            None => {
                let dir = tempfile::tempdir()?;
                let path = dir.path().join("kubeconfig");
                (Some(dir), path)
            }
        };
        write_kubeconfig(&kubeconfig, &url, &options.namespace, tls.as_ref())?;
        let acceptor = tls.map(|t| t.acceptor);

        let serve_shared = shared.clone();
        let server = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = serve_shared.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |req| server::handle(shared.clone(), req));
                    let http = hyper::server::conn::http1::Builder::new();
                    match acceptor {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                let _ = http.serve_connection(TokioIo::new(stream), service).await;
                            }
                        }
                        None => {
                            let _ = http.serve_connection(TokioIo::new(stream), service).await;
                        }
                    }
                });
            }
        });
        let control_shared = shared.clone();
        let speed = options.speed;
        let run_controllers = options.controllers;
        let controllers = tokio::spawn(async move {
            if !run_controllers {
                return;
            }
            let mut controllers = controllers::Controllers::new(speed);
            let mut interval = tokio::time::interval(Duration::from_millis(100));
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let mut store = control_shared
                    .store
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                controllers.tick(&mut store);
            }
        });
        Ok(Self {
            shared,
            url,
            kubeconfig,
            _dir: dir,
            tasks: vec![server, controllers],
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The kubeconfig written for this cluster (context `simcluster`).
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// Requests served so far, by (verb, resource, namespace).
    pub fn counters(&self) -> Counters {
        self.shared
            .counters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The last requests received (up to 1,000), oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Forgets the request counts.
    pub fn reset_counters(&self) {
        self.shared
            .counters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Changes the injected faults.
    pub fn set_faults(&self, faults: Faults) {
        *self.shared.faults.lock().unwrap_or_else(|e| e.into_inner()) = faults;
    }

    /// Reads an object straight from the store (no request counted).
    pub fn object(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Option<Value> {
        let store = self.shared.store.lock().unwrap_or_else(|e| e.into_inner());
        let rt = store.registry.by_kind(api_version, kind)?.clone();
        store.get(&rt, namespace, name).ok()
    }

    /// Runs `edit` on the store directly (benchmarks load objects this way).
    pub fn with_store<T>(&self, edit: impl FnOnce(&mut store::Store) -> T) -> T {
        let mut store = self.shared.store.lock().unwrap_or_else(|e| e.into_inner());
        edit(&mut store)
    }

    /// Loads more manifests from a directory.
    pub fn seed(&self, dir: &Path) -> anyhow::Result<usize> {
        let mut store = self.shared.store.lock().unwrap_or_else(|e| e.into_inner());
        seed(&mut store, &[dir.to_path_buf()])
    }
}
