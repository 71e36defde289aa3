//! simcluster at scale: `cargo bench -p simcluster --bench scale`.
//!
//! Loads 1,000 namespaces, 10,000 Deployments and 50,000 Pods, then lists every pod in pages of
//! 500 through kube-rs, as a plugin's `-A` listing does. Prints the figures and their ratio to the
//! targets (under 2 s for the listing, under 1 GiB resident); asserts nothing about time.

use std::time::Instant;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use serde_json::json;

fn resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scale = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (namespaces, deployments, pods) = (
        scale("SIM_NAMESPACES", 1000),
        scale("SIM_DEPLOYMENTS", 10_000),
        scale("SIM_PODS", 50_000),
    );
    let cluster = simcluster::SimCluster::start(simcluster::Options {
        controllers: false,
        ..Default::default()
    })
    .await?;

    let started = Instant::now();
    cluster.with_store(|store| {
        let rt = |plural: &str, group: &str| store.registry.find(group, "v1", plural).cloned().expect("served");
        let (ns_rt, deploy_rt, pod_rt) = (rt("namespaces", ""), rt("deployments", "apps"), rt("pods", ""));
        for n in 0..namespaces {
            store.create(&ns_rt, "", json!({"metadata": {"name": format!("team-{n}")}}), false).expect("namespace");
        }
        for d in 0..deployments {
            let ns = format!("team-{}", d % namespaces);
            let deploy = json!({"metadata": {"name": format!("app-{d}")}, "spec": {"replicas": 5,
                "selector": {"matchLabels": {"app": format!("app-{d}")}},
                "template": {"metadata": {"labels": {"app": format!("app-{d}")}}, "spec": {"containers": [{"name": "app", "image": "app:1"}]}}}});
            store.create(&deploy_rt, &ns, deploy, false).expect("deployment");
        }
        for p in 0..pods {
            let d = p % deployments;
            let ns = format!("team-{}", d % namespaces);
            let pod = json!({"metadata": {"name": format!("app-{d}-{p}"), "labels": {"app": format!("app-{d}")}},
                "spec": {"nodeName": "sim-node-1", "containers": [{"name": "app", "image": "app:1",
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}}]},
                "status": {"phase": "Running"}});
            store.create(&pod_rt, &ns, pod, false).expect("pod");
        }
    });
    let loaded = started.elapsed().as_secs_f64();
    println!(
        "loaded {namespaces} namespaces, {deployments} deployments, {pods} pods in {loaded:.2}s"
    );

    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::read_from(cluster.kubeconfig())?,
        &kube::config::KubeConfigOptions::default(),
    )
    .await?;
    let client = kube::Client::try_from(config)?;
    let api: Api<Pod> = Api::all(client.clone());

    // The store alone: pages of 500, serialised.
    let started = Instant::now();
    let (pages, bytes) = cluster.with_store(|store| {
        let rt = store
            .registry
            .find("", "v1", "pods")
            .cloned()
            .expect("pods");
        let mut options = simcluster::store::ListOptions {
            limit: 500,
            ..Default::default()
        };
        let (mut pages, mut bytes) = (0, 0);
        loop {
            let page = store.list(&rt, None, &options).expect("list");
            pages += 1;
            bytes += page
                .items
                .iter()
                .map(|i| i.to_string().len())
                .sum::<usize>();
            match page.continue_token {
                Some(token) => options.continue_token = Some(token),
                None => break,
            }
        }
        (pages, bytes)
    });
    println!(
        "store only: {pages} pages, {:.1} MB serialised in {:.2}s",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    // The server and the wire alone: pages as text, only `continue` parsed.
    #[derive(serde::Deserialize)]
    struct Page {
        metadata: Meta,
    }
    #[derive(serde::Deserialize)]
    struct Meta {
        #[serde(rename = "continue")]
        continue_: Option<String>,
    }
    let started = Instant::now();
    let mut token: Option<String> = None;
    let mut bytes = 0usize;
    loop {
        let uri = match &token {
            Some(t) => format!("/api/v1/pods?limit=500&continue={t}"),
            None => "/api/v1/pods?limit=500".to_owned(),
        };
        let text = client
            .request_text(http::Request::get(uri).body(Vec::new())?)
            .await?;
        bytes += text.len();
        token = serde_json::from_str::<Page>(&text)?.metadata.continue_;
        if token.is_none() {
            break;
        }
    }
    println!(
        "server and wire only: {:.1} MB of pages in {:.2}s",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    cluster.reset_counters();
    let started = Instant::now();
    let mut listed = 0;
    let mut token: Option<String> = None;
    loop {
        let mut params = ListParams::default().limit(500);
        if let Some(t) = &token {
            params = params.continue_token(t);
        }
        let page = api.list(&params).await?;
        listed += page.items.len();
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let requests: u64 = cluster.counters().values().sum();
    println!(
        "listed {listed} typed pods (kube-rs decoding included) in {requests} pages of 500 in {seconds:.2}s (target < 2 s: {:.2}x of the budget)",
        seconds / 2.0
    );
    if let Some(mib) = resident_mib() {
        println!(
            "resident memory (server and client in one process): {mib:.0} MiB (target < 1024 MiB: {:.2}x of the budget)",
            mib / 1024.0
        );
    }
    assert_eq!(listed, pods, "every pod listed exactly once");
    Ok(())
}
