//! Measuring usage for `recommend` and `generate --profile from-usage`: metrics.k8s.io samples,
//! VerticalPodAutoscaler recommendations or Prometheus history, by workload container.

use std::collections::BTreeMap;

use k8s_openapi::api::{apps::v1 as apps, core::v1 as core};
use kube::core::ApiResource;
use serde_json::Value;
use shipshape::{Kube, UsageError};

use super::{list, object_key, resource};
use crate::cli::UsageSource;
use crate::recommend;
use crate::settings::Sampling;
use crate::status::namespace_of;

/// The workload a pod belongs to (`Deployment/web`), following ReplicaSets to Deployments.
fn owner_of(pod: &Value, replicasets: &BTreeMap<(String, String), Value>) -> Option<String> {
    let owner = pod["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["controller"] == true)?;
    let (kind, name) = (owner["kind"].as_str()?, owner["name"].as_str()?);
    if kind == "ReplicaSet" {
        let rs = replicasets.get(&(namespace_of(pod), name.to_owned()))?;
        return owner_of(rs, replicasets).or_else(|| Some(format!("ReplicaSet/{name}")));
    }
    Some(format!("{kind}/{name}"))
}

fn metrics_resource() -> ApiResource {
    ApiResource {
        group: "metrics.k8s.io".into(),
        version: "v1beta1".into(),
        api_version: "metrics.k8s.io/v1beta1".into(),
        kind: "PodMetrics".into(),
        plural: "pods".into(),
    }
}

fn vpa_resource() -> ApiResource {
    ApiResource {
        group: "autoscaling.k8s.io".into(),
        version: "v1".into(),
        api_version: "autoscaling.k8s.io/v1".into(),
        kind: "VerticalPodAutoscaler".into(),
        plural: "verticalpodautoscalers".into(),
    }
}

/// Every pod's workload (`Deployment/web`), by (namespace, pod name): two lists.
async fn pod_owners(
    kube: &Kube,
    ns: Option<&str>,
) -> anyhow::Result<BTreeMap<(String, String), String>> {
    let (pods, replicasets) = tokio::try_join!(
        list(kube, resource::<core::Pod>(), ns),
        list(kube, resource::<apps::ReplicaSet>(), ns),
    )?;
    let replicasets: BTreeMap<(String, String), Value> = replicasets
        .into_iter()
        .map(|rs| (object_key(&rs), rs))
        .collect();
    Ok(pods
        .iter()
        .filter_map(|p| Some((object_key(p), owner_of(p, &replicasets)?)))
        .collect())
}

/// Usage from Prometheus (cAdvisor's metrics): per workload container, the CPU percentile of
/// each pod's rate over the window and the memory maximum, the highest across its pods. Three
/// queries in all, per pod and container, combined here by the pods' owners.
async fn prometheus_usage(
    prometheus: &shipshape::prometheus::Prometheus,
    ns: Option<&str>,
    owners: &BTreeMap<(String, String), String>,
    window: std::time::Duration,
    step: std::time::Duration,
    percentile: u8,
) -> anyhow::Result<recommend::UsageMap> {
    if owners.is_empty() {
        // No pods, nothing to ask Prometheus about.
        return Ok(recommend::UsageMap::new());
    }
    let (w, st) = (window.as_secs().max(1), step.as_secs().max(1));
    let rate = (st * 4).max(4);
    let namespace = ns
        .map(|ns| format!("namespace=\"{ns}\","))
        .unwrap_or_default();
    let selector = format!("{namespace}container!=\"\",container!=\"POD\"");
    let by = "by (namespace, pod, container)";
    let quantile = f64::from(percentile) / 100.0;
    let queries = [
        format!(
            "quantile_over_time({quantile}, max {by} (rate(container_cpu_usage_seconds_total{{{selector}}}[{rate}s]))[{w}s:{st}s])"
        ),
        format!("max {by} (max_over_time(container_memory_working_set_bytes{{{selector}}}[{w}s]))"),
        format!(
            "sum {by} (count_over_time(container_memory_working_set_bytes{{{selector}}}[{w}s]))"
        ),
    ];
    let (cpu, memory, points) = tokio::try_join!(
        prometheus.query(&queries[0]),
        prometheus.query(&queries[1]),
        prometheus.query(&queries[2]),
    )?;
    // Per (namespace, workload, container), the pods' series combined as PromQL's `max` (NaN
    // ignored) and `sum` would; a non-finite result is dropped, as before.
    let by_container = |answer: &shipshape::prometheus::Answer,
                        combine: fn(f64, f64) -> f64|
     -> BTreeMap<(String, String, String), f64> {
        let mut combined = BTreeMap::new();
        for series in answer.data.series() {
            let label = |name: &str| series.labels.get(name).cloned();
            let (Some(namespace), Some(pod), Some(container), Some(value)) = (
                label("namespace"),
                label("pod"),
                label("container"),
                series.points.first().map(|p| p.1),
            ) else {
                continue;
            };
            let Some(workload) = owners.get(&(namespace.clone(), pod)) else {
                continue;
            };
            combined
                .entry((namespace, workload.clone(), container))
                .and_modify(|have: &mut f64| *have = combine(*have, value))
                .or_insert(value);
        }
        combined.retain(|_, v| v.is_finite());
        combined
    };
    let (cpu, memory, points) = (
        by_container(&cpu, f64::max),
        by_container(&memory, f64::max),
        by_container(&points, |a, b| a + b),
    );
    let mut usage = recommend::UsageMap::new();
    for (key, cores) in cpu {
        // A container without memory series is skipped.
        let Some(bytes) = memory.get(&key) else {
            continue;
        };
        let points = points.get(&key).copied().unwrap_or_default() as usize;
        usage.insert(
            key,
            recommend::Usage {
                cpu: shipshape::quantity::Quantity::from_millis((cores * 1000.0).ceil() as i64),
                memory: shipshape::quantity::Quantity::from_units(
                    bytes.ceil() as i64,
                    shipshape::quantity::Format::BinarySi,
                ),
                points,
            },
        );
    }
    Ok(usage)
}

/// Usage from metrics.k8s.io, listed `rounds` times `interval` apart: per workload container, the
/// CPU percentile and the memory maximum over the samples of its pods.
async fn sample_metrics(
    kube: &Kube,
    ns: Option<&str>,
    owners: &BTreeMap<(String, String), String>,
    rounds: u64,
    interval: std::time::Duration,
    percentile: u8,
) -> anyhow::Result<recommend::UsageMap> {
    let progress = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::new(rounds)
    } else {
        indicatif::ProgressBar::hidden()
    };
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "sampling metrics.k8s.io {bar:30} {pos}/{len} samples, {eta} left",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut samples = Vec::new();
    for round in 0..rounds {
        if round > 0 {
            tokio::time::sleep(interval).await;
        }
        for metrics in list(kube, metrics_resource(), ns).await? {
            let key = object_key(&metrics);
            let Some(workload) = owners.get(&key) else {
                continue;
            };
            for container in metrics["containers"].as_array().into_iter().flatten() {
                let usage = |r: &str| {
                    shipshape::quantity::from_value(&container["usage"][r])
                        .and_then(Result::ok)
                        .unwrap_or_default()
                };
                samples.push(recommend::Sample {
                    namespace: key.0.clone(),
                    workload: workload.clone(),
                    container: container["name"].as_str().unwrap_or_default().to_owned(),
                    cpu: usage("cpu"),
                    memory: usage("memory"),
                });
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(recommend::reduce(&samples, percentile))
}

/// The workloads of a namespace (or all) and their recommendations.
pub(crate) async fn recommendations(
    kube: &Kube,
    ns: Option<&str>,
    sampling: Sampling<'_>,
) -> anyhow::Result<(Vec<recommend::Workload>, recommend::RecommendReport)> {
    let options = sampling.options;
    let hpa_resource = resource::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>();
    let (deployments, statefulsets, daemonsets, hpas) = tokio::try_join!(
        list(kube, resource::<apps::Deployment>(), ns),
        list(kube, resource::<apps::StatefulSet>(), ns),
        list(kube, resource::<apps::DaemonSet>(), ns),
        list(kube, hpa_resource, ns),
    )?;
    let workloads: Vec<recommend::Workload> = [deployments, statefulsets, daemonsets]
        .into_iter()
        .flatten()
        .map(|object| {
            let hpa_max = hpas.iter().find_map(|h| {
                let target = &h["spec"]["scaleTargetRef"];
                (h["metadata"]["namespace"] == object["metadata"]["namespace"]
                    && target["kind"] == object["kind"]
                    && target["name"] == object["metadata"]["name"])
                    .then(|| h["spec"]["maxReplicas"].as_i64())
                    .flatten()
            });
            let replicas =
                hpa_max.unwrap_or_else(|| shipshape::workload::replicas(&object).unwrap_or(1));
            recommend::Workload { object, replicas }
        })
        .collect();
    let recommendations = match sampling.source {
        UsageSource::Prometheus => {
            let url = sampling.prometheus.ok_or_else(|| {
                UsageError("--source prometheus needs --prometheus URL (http://…:9090)".into())
            })?;
            let prometheus =
                shipshape::prometheus::Prometheus::new(url, std::time::Duration::from_secs(30))
                    .map_err(UsageError)?;
            let owners = pod_owners(kube, ns).await?;
            let usage = prometheus_usage(
                &prometheus,
                ns,
                &owners,
                sampling.window,
                sampling.interval,
                options.percentile,
            )
            .await?;
            let window = shipshape::duration::human(sampling.window);
            recommend::from_usage(&workloads, &usage, "Prometheus", &window, options)
        }
        UsageSource::Vpa => {
            if !kube.serves("autoscaling.k8s.io/v1").await? {
                return Err(UsageError("the VerticalPodAutoscaler API (autoscaling.k8s.io/v1) is not served: install VPA, or use --source metrics".into()).into());
            }
            let vpas = list(kube, vpa_resource(), ns).await?;
            recommend::from_vpas(&workloads, &vpas, options)
        }
        UsageSource::Metrics => {
            if !kube.serves("metrics.k8s.io/v1beta1").await? {
                return Err(UsageError(
                    "metrics.k8s.io is not served: install metrics-server, or use --source vpa"
                        .into(),
                )
                .into());
            }
            let rounds = (sampling.window.as_secs_f64()
                / sampling.interval.as_secs_f64().max(0.001))
            .floor()
            .max(1.0) as u64;
            let owners = pod_owners(kube, ns).await?;
            let usage = sample_metrics(
                kube,
                ns,
                &owners,
                rounds,
                sampling.interval,
                options.percentile,
            )
            .await?;
            let window =
                shipshape::duration::human(sampling.interval * (rounds.saturating_sub(1)) as u32);
            recommend::from_usage(&workloads, &usage, "metrics.k8s.io", &window, options)
        }
    };
    let report = recommend::RecommendReport {
        source: match sampling.source {
            UsageSource::Vpa => "vpa",
            UsageSource::Metrics | UsageSource::Prometheus => "metrics",
        }
        .into(),
        namespaces: recommend::namespace_quotas(&recommendations, options),
        recommendations,
    };
    Ok((workloads, report))
}
