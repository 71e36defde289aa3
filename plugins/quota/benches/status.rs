//! `kubectl quota status -A` at scale: `cargo bench -p kubectl-quota`.
//!
//! simcluster with 1,000 namespaces (SIM_NAMESPACES), each with a ResourceQuota, a LimitRange
//! and 10 pods (SIM_PODS_PER_NAMESPACE); the real binary lists them all. Prints the wall time
//! and the API requests by verb, which must not grow with the namespace count. Asserts no time.

use std::time::Instant;

use serde_json::json;

fn scale(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (namespaces, per_namespace) = (
        scale("SIM_NAMESPACES", 1000),
        scale("SIM_PODS_PER_NAMESPACE", 10),
    );
    let cluster = simcluster::SimCluster::start(simcluster::Options {
        controllers: false,
        ..Default::default()
    })
    .await?;
    let started = Instant::now();
    cluster.with_store(|store| {
        let rt = |plural: &str| store.registry.find("", "v1", plural).cloned().expect("served");
        let (ns_rt, quota_rt, range_rt, pod_rt) = (rt("namespaces"), rt("resourcequotas"), rt("limitranges"), rt("pods"));
        for n in 0..namespaces {
            let ns = format!("team-{n}");
            store.create(&ns_rt, "", json!({"metadata": {"name": ns}}), false).expect("namespace");
            store
                .create(&quota_rt, &ns, json!({"metadata": {"name": "compute"}, "spec": {"hard": {"requests.cpu": "8", "requests.memory": "16Gi", "limits.cpu": "16", "limits.memory": "32Gi", "pods": "50"}}}), false)
                .expect("quota");
            store
                .create(&range_rt, &ns, json!({"metadata": {"name": "defaults"}, "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"}, "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]}}), false)
                .expect("limitrange");
            for p in 0..per_namespace {
                store
                    .create(&pod_rt, &ns, json!({"metadata": {"name": format!("app-{p}")}, "spec": {"containers": [{"name": "app", "image": "app:1"}]}, "status": {"phase": "Running"}}), false)
                    .expect("pod");
            }
        }
    });
    println!(
        "loaded {namespaces} namespaces with a quota, a LimitRange and {per_namespace} pods each in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    cluster.reset_counters();
    let started = Instant::now();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-quota"))
        .args(["status", "-A", "-o", "json"])
        .env("KUBECONFIG", cluster.kubeconfig())
        .output()?;
    let wall = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let mut requests: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for ((verb, _, _), count) in cluster.counters() {
        *requests.entry(verb).or_default() += count;
    }
    println!(
        "status -A: {} namespaces reported in {wall:.2}s (target 5 s: ratio {:.2}); API requests {requests:?}",
        report["namespaces"].as_array().map_or(0, Vec::len),
        wall / 5.0
    );
    Ok(())
}
