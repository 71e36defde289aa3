//! The live commands at scale, on simcluster and on the real control plane:
//! `cargo bench -p e2e --bench live`.
//!
//! Both clusters get the same objects, created through their APIs: SIM_NAMESPACES namespaces
//! (default 500), each with a ResourceQuota, a LimitRange, SIM_DEPLOYMENTS_PER_NAMESPACE
//! Deployments scaled to zero (10) and SIM_PODS_PER_NAMESPACE standalone Pods (40: 20,000 in
//! all) bound to the fake nodes; in `velero`, a BackupStorageLocation, a Schedule and one
//! Completed Backup per namespace. Then `harden audit -A`, `quota status -A`, `canary status
//! -A` and `drtest status` run through the release binaries with `-v`. Printed for each, on
//! each cluster: the wall time, the API requests by verb (counted from the plugin's own request
//! log: they must not grow with the namespaces) and the plugin's peak resident memory.
//!
//! First, start-up: each plugin's `version --client` and `--help` against `kubectl version
//! --client` (goal ≤ 2×), the best of ten runs.
//!
//! The real control plane is tests/realcluster/up.sh (built once into its cache; KWOK's nodes
//! take the pods). Set SHIPSHAPE_BENCH_REAL=0 to measure simcluster only. Asserts no time.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, PostParams};
use serde_json::{Value, json};
use shipshape::flags::KubeFlags;
use shipshape::{Kube, Plugin};

const PLUGIN: Plugin = Plugin {
    name: "bench",
    version: "0.0.0",
};

/// How many fake nodes the real control plane gets; the pods are spread over them.
const NODES: usize = 10;

#[derive(Debug, Clone, Copy)]
struct Scale {
    namespaces: usize,
    deployments: usize,
    pods: usize,
}

fn scale(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One command's figures on one cluster.
struct Figures {
    seconds: f64,
    peak_mib: f64,
    requests: BTreeMap<&'static str, u64>,
    exit: Option<i32>,
}

/// The commands measured, each with the exit codes that are its normal answers (drtest status
/// exits 1 when a namespace's newest backup is older than the RPO).
const COMMANDS: [(&str, &[&str], &[i32]); 4] = [
    (
        "harden",
        &["audit", "-A", "-o", "json", "--fail-on", "none"],
        &[0],
    ),
    ("quota", &["status", "-A", "-o", "json"], &[0]),
    ("canary", &["status", "-A", "-o", "json"], &[0]),
    ("drtest", &["status", "-o", "json"], &[0, 1]),
];

fn main() -> anyhow::Result<()> {
    let scale = Scale {
        namespaces: scale("SIM_NAMESPACES", 500),
        deployments: scale("SIM_DEPLOYMENTS_PER_NAMESPACE", 10),
        pods: scale("SIM_PODS_PER_NAMESPACE", 40),
    };
    build_release_plugins()?;
    startup();
    let runtime = tokio::runtime::Runtime::new()?;
    println!(
        "live: {} namespaces, {} Deployments, {} Pods, {} Backups",
        scale.namespaces,
        scale.namespaces * scale.deployments,
        scale.namespaces * scale.pods,
        scale.namespaces
    );
    let simulated = runtime.block_on(simcluster_figures(scale))?;
    let real = if std::env::var("SHIPSHAPE_BENCH_REAL").is_ok_and(|v| v == "0") {
        println!("  (SHIPSHAPE_BENCH_REAL=0: the real control plane is skipped)");
        None
    } else {
        Some(runtime.block_on(real_figures(scale))?)
    };
    for (i, (plugin, args, _)) in COMMANDS.iter().enumerate() {
        println!("  kubectl {plugin} {}", args.join(" "));
        print_figures("simcluster", &simulated[i]);
        if let Some(real) = &real {
            print_figures("real", &real[i]);
            println!(
                "    {:<12} wall time {:.2}× simcluster's",
                "",
                real[i].seconds / simulated[i].seconds
            );
        }
    }
    Ok(())
}

fn print_figures(cluster: &str, figures: &Figures) {
    let total: u64 = figures.requests.values().sum();
    let exit = figures
        .exit
        .map_or_else(|| "signal".to_owned(), |c| c.to_string());
    println!(
        "    {cluster:<12} {:>7.2}s, peak {:>5.0} MiB, exit {exit}, {total} requests {:?}",
        figures.seconds, figures.peak_mib, figures.requests
    );
}

/// The best wall time of ten runs of `program ARGS`, or `None` if it cannot run or fails.
fn best_of_ten(program: &Path, args: &[&str]) -> Option<f64> {
    let mut best = f64::MAX;
    for _ in 0..10 {
        let started = Instant::now();
        let status = Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    Some(best)
}

/// Start-up against `kubectl version --client` (goal ≤ 2×).
fn startup() {
    let kubectl = best_of_ten(Path::new("kubectl"), &["version", "--client"]);
    match kubectl {
        Some(k) => println!(
            "start-up (best of 10): kubectl version --client {:.1} ms",
            k * 1e3
        ),
        None => println!("start-up (best of 10): no kubectl to compare with"),
    }
    for plugin in e2e::PLUGINS {
        let binary = release_binary(plugin);
        let ratio = |t: f64| {
            kubectl.map_or_else(String::new, |k| format!(" (ratio {:.2}, goal ≤ 2)", t / k))
        };
        match (
            best_of_ten(&binary, &["version", "--client"]),
            best_of_ten(&binary, &["--help"]),
        ) {
            (Some(version), Some(help)) => println!(
                "  kubectl-{plugin:<7} version --client {:.1} ms{}, --help {:.1} ms{}",
                version * 1e3,
                ratio(version),
                help * 1e3,
                ratio(help)
            ),
            _ => println!("  kubectl-{plugin}: version --client or --help failed"),
        }
    }
}

/// `cargo build --release` of the four plugins: the benchmark measures what users install.
fn build_release_plugins() -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(["build", "--release", "--quiet", "--bins"]);
    for plugin in e2e::PLUGINS {
        command.args(["-p", &format!("kubectl-{plugin}")]);
    }
    let status = command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .context("running cargo")?;
    anyhow::ensure!(status.success(), "building the release plugins failed");
    Ok(())
}

async fn simcluster_figures(scale: Scale) -> anyhow::Result<Vec<Figures>> {
    let cluster = simcluster::SimCluster::start(simcluster::Options {
        controllers: false,
        seeds: vec![repo().join("tests/simcluster/crds/velero")],
        ..Default::default()
    })
    .await?;
    let started = Instant::now();
    seed(cluster.kubeconfig(), scale).await?;
    println!(
        "  simcluster seeded through its API in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let kubeconfig = cluster.kubeconfig().to_path_buf();
    tokio::task::spawn_blocking(move || measure_all(&kubeconfig)).await?
}

async fn real_figures(scale: Scale) -> anyhow::Result<Vec<Figures>> {
    let dir = tempfile::tempdir()?;
    let kubeconfig = dir.path().join("kubeconfig");
    let started = Instant::now();
    let control_plane = ControlPlane::start(&kubeconfig)?;
    println!(
        "  real control plane (tests/realcluster/up.sh, {NODES} KWOK nodes) ready in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    seed(&kubeconfig, scale).await?;
    println!(
        "  real control plane seeded in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    settle(&kubeconfig).await?;
    println!(
        "  KWOK started every pod in {:.1}s more",
        started.elapsed().as_secs_f64()
    );
    let figures = tokio::task::spawn_blocking(move || measure_all(&kubeconfig)).await?;
    drop(control_plane);
    figures
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// tests/realcluster/up.sh, stopped (SIGTERM) when dropped.
struct ControlPlane(Child);

impl ControlPlane {
    fn start(kubeconfig: &Path) -> anyhow::Result<Self> {
        let mut child = Command::new(repo().join("tests/realcluster/up.sh"))
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(["--nodes", &NODES.to_string(), "--seed"])
            .arg(repo().join("tests/simcluster/crds/velero"))
            .stdout(Stdio::piped())
            .spawn()
            .context("starting tests/realcluster/up.sh")?;
        let stdout = child.stdout.take().expect("piped");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let control_plane = Self(child);
        anyhow::ensure!(
            line.starts_with("ready "),
            "tests/realcluster/up.sh did not print `ready <url>` (its stderr says why)"
        );
        Ok(control_plane)
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

async fn connect(kubeconfig: &Path) -> anyhow::Result<kube::Client> {
    let flags = KubeFlags {
        kubeconfig: Some(kubeconfig.to_path_buf()),
        ..KubeFlags::default()
    };
    Ok(Kube::connect(&flags, PLUGIN).await?.client)
}

/// The objects, in the order a cluster accepts them (namespaces, then their quotas and ranges,
/// then what those admit), created 32 at a time.
async fn seed(kubeconfig: &Path, scale: Scale) -> anyhow::Result<()> {
    let client = connect(kubeconfig).await?;
    let namespaces: Vec<String> = (0..scale.namespaces).map(|n| format!("team-{n}")).collect();
    let core = |kind: &str, plural: &str| {
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("", "v1", kind), plural)
    };
    let velero = |kind: &str, plural: &str| {
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("velero.io", "v1", kind), plural)
    };
    let (namespace, quota, range, pod) = (
        core("Namespace", "namespaces"),
        core("ResourceQuota", "resourcequotas"),
        core("LimitRange", "limitranges"),
        core("Pod", "pods"),
    );
    let deployment = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("apps", "v1", "Deployment"),
        "deployments",
    );
    let (location, schedule, backup) = (
        velero("BackupStorageLocation", "backupstoragelocations"),
        velero("Schedule", "schedules"),
        velero("Backup", "backups"),
    );

    let mut first = vec![(
        namespace.clone(),
        None,
        json!({"metadata": {"name": "velero"}}),
    )];
    first.extend(
        namespaces
            .iter()
            .map(|ns| (namespace.clone(), None, json!({"metadata": {"name": ns}}))),
    );
    create_all(&client, first).await?;

    let mut second = Vec::new();
    for ns in &namespaces {
        second.push((
            quota.clone(),
            Some(ns.clone()),
            json!({"metadata": {"name": "compute"},
            "spec": {"hard": {"requests.cpu": "64", "requests.memory": "256Gi", "limits.cpu": "128",
                "limits.memory": "512Gi", "pods": "1000"}}}),
        ));
        second.push((
            range.clone(),
            Some(ns.clone()),
            json!({"metadata": {"name": "defaults"},
            "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"},
                "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]}}),
        ));
    }
    let now = jiff::Timestamp::now().to_string();
    second.push((
        location,
        Some("velero".into()),
        json!({"metadata": {"name": "default"},
        "spec": {"provider": "aws", "objectStorage": {"bucket": "backups"}, "default": true},
        "status": {"phase": "Available"}}),
    ));
    second.push((schedule, Some("velero".into()), json!({"metadata": {"name": "every-namespace"},
        "spec": {"schedule": "0 */6 * * *", "template": {"includedNamespaces": namespaces, "ttl": "168h0m0s"}}})));
    for ns in &namespaces {
        second.push((
            backup.clone(),
            Some("velero".into()),
            json!({"metadata": {"name": format!("{ns}-nightly"),
            "labels": {"velero.io/schedule-name": "every-namespace"}},
            "spec": {"includedNamespaces": [ns], "storageLocation": "default", "ttl": "168h0m0s"},
            "status": {"phase": "Completed", "startTimestamp": now, "completionTimestamp": now}}),
        ));
    }
    create_all(&client, second).await?;

    let mut third = Vec::new();
    for (n, ns) in namespaces.iter().enumerate() {
        for d in 0..scale.deployments {
            let name = format!("web-{d}");
            third.push((deployment.clone(), Some(ns.clone()), json!({"metadata": {"name": name},
                "spec": {"replicas": 0, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}},
                        "spec": {"containers": [{"name": "web", "image": format!("registry.example/web:1.{d}"),
                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                "limits": {"cpu": "500m", "memory": "256Mi"}}}]}}}})));
        }
        for p in 0..scale.pods {
            // Standalone pods, so harden audits each (it skips controller-owned ones), bound to
            // a node so no scheduler is needed.
            third.push((
                pod.clone(),
                Some(ns.clone()),
                json!({"metadata": {"name": format!("worker-{p}"),
                "labels": {"app": "worker"}},
                "spec": {"nodeName": format!("kwok-node-{}", (n * scale.pods + p) % NODES),
                    "containers": [{"name": "worker", "image": "registry.example/worker:2.1",
                        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"},
                            "limits": {"cpu": "100m", "memory": "64Mi"}}}]}}),
            ));
        }
    }
    create_all(&client, third).await
}

/// Creates every object, 32 requests at a time, retrying what the server throttles or has not
/// caught up with (a namespace's quota seen a moment late, a CRD not yet served).
async fn create_all(
    client: &kube::Client,
    objects: Vec<(ApiResource, Option<String>, Value)>,
) -> anyhow::Result<()> {
    let results: Vec<anyhow::Result<()>> = futures_util::stream::iter(objects)
        .map(|(resource, namespace, object)| create(client, resource, namespace, object))
        .buffer_unordered(32)
        .collect()
        .await;
    results.into_iter().collect()
}

async fn create(
    client: &kube::Client,
    resource: ApiResource,
    namespace: Option<String>,
    mut object: Value,
) -> anyhow::Result<()> {
    object["apiVersion"] = json!(resource.api_version);
    object["kind"] = json!(resource.kind);
    let status = object.get("status").cloned();
    let dynamic: DynamicObject = serde_json::from_value(object)?;
    let api: Api<DynamicObject> = match &namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &resource),
        None => Api::all_with(client.clone(), &resource),
    };
    let mut wait = Duration::from_millis(100);
    loop {
        match api.create(&PostParams::default(), &dynamic).await {
            Ok(created) => {
                // Velero's CRDs have no status subresource: the status is kept on create. A
                // real server may still drop it; it is written again if so.
                if let Some(status) = status
                    && created.data.get("status") != Some(&status)
                {
                    let mut updated = created;
                    updated.data["status"] = status;
                    let name = updated.metadata.name.clone().unwrap_or_default();
                    api.replace(&name, &PostParams::default(), &updated).await?;
                }
                return Ok(());
            }
            Err(kube::Error::Api(status)) if status.code == 409 => return Ok(()),
            Err(kube::Error::Api(status))
                if matches!(status.code, 403 | 404 | 429 | 500..=599)
                    && wait < Duration::from_secs(30) =>
            {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            Err(error) => {
                return Err(error).with_context(|| {
                    format!(
                        "creating {} {}/{}",
                        resource.kind,
                        namespace.as_deref().unwrap_or(""),
                        dynamic.metadata.name.as_deref().unwrap_or("")
                    )
                });
            }
        }
    }
}

/// Waits until KWOK has started every pod (none Pending), so its status updates do not share
/// the two cores with the commands measured.
async fn settle(kubeconfig: &Path) -> anyhow::Result<()> {
    let pods: Api<Pod> = Api::all(connect(kubeconfig).await?);
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let pending = pods
            .list_metadata(
                &ListParams::default()
                    .fields("status.phase=Pending")
                    .limit(1),
            )
            .await?;
        if pending.items.is_empty() {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "pods were still Pending after 10 minutes"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

fn measure_all(kubeconfig: &Path) -> anyhow::Result<Vec<Figures>> {
    COMMANDS
        .iter()
        .map(|(plugin, args, ok)| measure(kubeconfig, plugin, args, ok))
        .collect()
}

/// target/release/kubectl-PLUGIN (`cargo bench` runs from target/release).
fn release_binary(plugin: &str) -> PathBuf {
    e2e::target_dir().join(format!("kubectl-{plugin}{}", std::env::consts::EXE_SUFFIX))
}

/// Runs `kubectl-PLUGIN ARGS -v`, its request log kept in a file.
fn measure(kubeconfig: &Path, plugin: &str, args: &[&str], ok: &[i32]) -> anyhow::Result<Figures> {
    let log = tempfile::NamedTempFile::new()?;
    let binary = release_binary(plugin);
    let mut measured = e2e::measure::Measured::new(&binary)?;
    measured
        .command()
        .args(args)
        .arg("-v")
        .env("KUBECONFIG", kubeconfig)
        .stdout(Stdio::null())
        .stderr(log.reopen()?);
    let run = measured
        .run()
        .with_context(|| format!("running {}", binary.display()))?;
    let text = std::fs::read_to_string(log.path())?;
    anyhow::ensure!(
        run.status.code().is_some_and(|c| ok.contains(&c)),
        "kubectl-{plugin} {args:?} failed ({}):\n{}",
        run.status,
        text.lines().rev().take(20).collect::<Vec<_>>().join("\n")
    );
    Ok(Figures {
        seconds: run.seconds,
        peak_mib: run.peak_kib as f64 / 1024.0,
        requests: e2e::measure::requests_by_verb(&text),
        exit: run.status.code(),
    })
}
