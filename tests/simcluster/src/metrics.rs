//! metrics.k8s.io/v1beta1, as metrics-server serves it: PodMetrics and NodeMetrics, read-only,
//! computed from the running pods at the moment of the request — one sample, no history.
//!
//! A container uses half its CPU request (5m without one) and 60 % of its memory request (20Mi
//! without one), or what the pod annotation `simcluster.shipshape.dev/usage: cpu=250m,memory=300Mi`
//! says; CPU varies ±20 % and memory ±5 % every five seconds, deterministically per container.

use serde_json::{Value, json};
use shipshape::quantity::Quantity;

use crate::selectors::LabelSelector;
use crate::store::{ApiError, Store};

/// The annotation that sets a pod's containers' usage.
pub const USAGE_ANNOTATION: &str = "simcluster.shipshape.dev/usage";

fn hash(text: &str) -> u64 {
    // FNV-1a: stable across runs and platforms.
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn quantity(text: Option<&str>) -> Option<Quantity> {
    text?.parse().ok()
}

/// (CPU in nanocores, memory in bytes) a container uses at `now` (Unix seconds).
pub fn usage(pod: &Value, container: &Value, now: u64) -> (i128, i128) {
    let annotation = pod["metadata"]["annotations"][USAGE_ANNOTATION]
        .as_str()
        .unwrap_or_default();
    let setting = |name: &str| {
        annotation
            .split(',')
            .filter_map(|part| part.split_once('='))
            .find(|(k, _)| k.trim() == name)
            .and_then(|(_, v)| quantity(Some(v.trim())))
    };
    let request = |name: &str| quantity(container["resources"]["requests"][name].as_str());
    let cpu = setting("cpu")
        .map(|q| q.nanos())
        .or_else(|| request("cpu").map(|q| q.nanos() / 2))
        .unwrap_or(5_000_000);
    let memory = setting("memory")
        .map(|q| q.nanos() / 1_000_000_000)
        .or_else(|| request("memory").map(|q| q.nanos() / 1_000_000_000 * 6 / 10))
        .unwrap_or(20 * 1024 * 1024);
    let seed = hash(&format!(
        "{}/{}/{}",
        pod["metadata"]["name"].as_str().unwrap_or_default(),
        container["name"].as_str().unwrap_or_default(),
        now / 5
    ));
    let spread = |percent: i128, salt: u64| -> i128 {
        ((seed.rotate_left(salt as u32) % 1001) as i128 - 500) * percent / 500
    };
    (
        cpu + cpu * spread(20, 0) / 100,
        memory + memory * spread(5, 17) / 100,
    )
}

fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn running(pod: &Value) -> bool {
    pod["status"]["phase"] == "Running" && pod["metadata"]["deletionTimestamp"].is_null()
}

fn pod_metrics(pod: &Value, now: u64) -> Value {
    let containers: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let (cpu, memory) = usage(pod, c, now);
            json!({"name": c["name"], "usage": {"cpu": format!("{cpu}n"), "memory": format!("{}Ki", memory / 1024)}})
        })
        .collect();
    json!({
        "kind": "PodMetrics",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {
            "name": pod["metadata"]["name"],
            "namespace": pod["metadata"]["namespace"],
            "labels": pod["metadata"]["labels"],
            "creationTimestamp": crate::store::now(),
        },
        "timestamp": crate::store::now(),
        "window": "15s",
        "containers": containers,
    })
}

/// Answers a GET on metrics.k8s.io: a list or one object, pods or nodes.
pub fn serve(
    store: &Store,
    plural: &str,
    namespace: Option<&str>,
    name: Option<&str>,
    selector: &LabelSelector,
) -> Result<Value, ApiError> {
    let now = now_seconds();
    let pods: Vec<Value> = store
        .all("", "pods")
        .into_iter()
        .filter(running)
        .filter(|p| namespace.is_none_or(|ns| p["metadata"]["namespace"] == ns))
        .collect();
    let not_found = |kind: &str, name: &str| {
        ApiError::new(
            404,
            "NotFound",
            format!("{kind}.metrics.k8s.io \"{name}\" not found"),
        )
    };
    match plural {
        "pods" => {
            let items: Vec<Value> = pods
                .iter()
                .filter(|p| name.is_none_or(|n| p["metadata"]["name"] == n))
                .filter(|p| selector.matches(&p["metadata"]["labels"]))
                .map(|p| pod_metrics(p, now))
                .collect();
            match name {
                Some(n) => items.into_iter().next().ok_or_else(|| not_found("pods", n)),
                None => Ok(
                    json!({"kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items}),
                ),
            }
        }
        _ => {
            let items: Vec<Value> = store
                .all("", "nodes")
                .iter()
                .filter(|n| name.is_none_or(|wanted| n["metadata"]["name"] == wanted))
                .filter(|n| selector.matches(&n["metadata"]["labels"]))
                .map(|node| {
                    let node_name = node["metadata"]["name"].as_str().unwrap_or_default();
                    let (mut cpu, mut memory) = (0i128, 0i128);
                    for pod in pods.iter().filter(|p| p["spec"]["nodeName"] == node_name) {
                        for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
                            let (c_cpu, c_memory) = usage(pod, c, now);
                            cpu += c_cpu;
                            memory += c_memory;
                        }
                    }
                    json!({
                        "kind": "NodeMetrics",
                        "apiVersion": "metrics.k8s.io/v1beta1",
                        "metadata": {"name": node_name, "labels": node["metadata"]["labels"], "creationTimestamp": crate::store::now()},
                        "timestamp": crate::store::now(),
                        "window": "20s",
                        "usage": {"cpu": format!("{cpu}n"), "memory": format!("{}Ki", memory / 1024)},
                    })
                })
                .collect();
            match name {
                Some(n) => items
                    .into_iter()
                    .next()
                    .ok_or_else(|| not_found("nodes", n)),
                None => Ok(
                    json!({"kind": "NodeMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items}),
                ),
            }
        }
    }
}

fn started(pod: &Value) -> u64 {
    pod["status"]["startTime"]
        .as_str()
        .or(pod["metadata"]["creationTimestamp"].as_str())
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map_or(0, |t| t.as_second().max(0) as u64)
}

fn label(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_default()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

/// What a kubelet's cAdvisor endpoint would give Prometheus for the running pods, in the text
/// exposition format: `container_cpu_usage_seconds_total` (the usage above integrated over five-second
/// steps since the pod started, at most the last six hours) and `container_memory_working_set_bytes`.
pub fn cadvisor(store: &Store) -> String {
    let now = now_seconds();
    let mut cpu = String::from(
        "# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.\n# TYPE container_cpu_usage_seconds_total counter\n",
    );
    let mut memory = String::from(
        "# HELP container_memory_working_set_bytes Current working set in bytes.\n# TYPE container_memory_working_set_bytes gauge\n",
    );
    for pod in store.all("", "pods").iter().filter(|p| running(p)) {
        let from = started(pod).max(now.saturating_sub(6 * 3600));
        for container in pod["spec"]["containers"].as_array().into_iter().flatten() {
            let labels = format!(
                "container=\"{}\",image=\"{}\",namespace=\"{}\",pod=\"{}\"",
                label(&container["name"]),
                label(&container["image"]),
                label(&pod["metadata"]["namespace"]),
                label(&pod["metadata"]["name"]),
            );
            let seconds: f64 = (from / 5..=now / 5)
                .map(|bucket| {
                    let span = (bucket * 5 + 5)
                        .min(now)
                        .saturating_sub((bucket * 5).max(from));
                    usage(pod, container, bucket * 5).0 as f64 / 1e9 * span as f64
                })
                .sum();
            cpu.push_str(&format!(
                "container_cpu_usage_seconds_total{{{labels}}} {seconds:.6}\n"
            ));
            memory.push_str(&format!(
                "container_memory_working_set_bytes{{{labels}}} {}\n",
                usage(pod, container, now).1
            ));
        }
    }
    cpu + &memory
}

/// Requests per second each ready pod serves on average: traffic splits evenly over the ready
/// pods behind a Service, so a Deployment's share is its share of the ready pods — unless an
/// HTTPRoute rule weights its backends, in which case each Service gets its weighted share of
/// the rule's traffic (10 per second per pod behind the rule).
pub const REQUESTS_PER_SECOND: f64 = 10.0;

/// The pods (of `pods`) behind a Service: in its namespace and matched by its selector. None
/// without such a Service, or when its selector is empty (a Service without a selector selects
/// no pods).
fn behind<'p, 'v>(
    services: &[Value],
    pods: &'p [&'v Value],
    namespace: &str,
    service: &str,
) -> Vec<&'p &'v Value> {
    let Some(selector) = services
        .iter()
        .find(|s| s["metadata"]["namespace"] == namespace && s["metadata"]["name"] == service)
        .and_then(|s| s["spec"]["selector"].as_object())
        .filter(|m| !m.is_empty())
    else {
        return Vec::new();
    };
    let selector = LabelSelector::from_object(&json!({ "matchLabels": selector }));
    pods.iter()
        .filter(|p| {
            p["metadata"]["namespace"] == namespace && selector.matches(&p["metadata"]["labels"])
        })
        .collect()
}

/// Each ready pod's request rate, by uid, with HTTPRoute weights applied.
fn rates(store: &Store, pods: &[&Value]) -> std::collections::HashMap<String, f64> {
    let uid = |p: &Value| p["metadata"]["uid"].as_str().unwrap_or_default().to_owned();
    let mut rates: std::collections::HashMap<String, f64> =
        pods.iter().map(|p| (uid(p), REQUESTS_PER_SECOND)).collect();
    let services = store.all("", "services");
    for route in store.all("gateway.networking.k8s.io", "httproutes") {
        let namespace = route["metadata"]["namespace"].as_str().unwrap_or_default();
        for rule in route["spec"]["rules"].as_array().into_iter().flatten() {
            let backends: Vec<(Vec<&&Value>, f64)> = rule["backendRefs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| r["kind"].as_str().is_none_or(|k| k == "Service"))
                .map(|r| {
                    let service = r["name"].as_str().unwrap_or_default();
                    (
                        behind(&services, pods, namespace, service),
                        r["weight"].as_f64().unwrap_or(1.0),
                    )
                })
                .collect();
            let total_weight: f64 = backends.iter().map(|(_, w)| w).sum();
            let total_pods: usize = backends.iter().map(|(p, _)| p.len()).sum();
            if total_weight <= 0.0 || total_pods == 0 {
                continue;
            }
            let traffic = REQUESTS_PER_SECOND * total_pods as f64;
            for (behind, weight) in backends {
                for pod in &behind {
                    rates.insert(
                        uid(pod),
                        traffic * weight / total_weight / behind.len() as f64,
                    );
                }
            }
        }
    }
    // NGINX canary Ingresses: `canary-weight` percent of a host and path's traffic goes to the
    // canary Ingress's Service, the rest to the primary Ingress's.
    let ingresses = store.all("networking.k8s.io", "ingresses");
    let annotation = |i: &Value, key: &str| {
        i["metadata"]["annotations"][format!("nginx.ingress.kubernetes.io/{key}")]
            .as_str()
            .map(str::to_owned)
    };
    let backends = |i: &Value| -> Vec<(String, String, String)> {
        i["spec"]["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| {
                let host = r["host"].as_str().unwrap_or_default().to_owned();
                r["http"]["paths"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(move |p| {
                        Some((
                            host.clone(),
                            p["path"].as_str().unwrap_or("/").to_owned(),
                            p["backend"]["service"]["name"].as_str()?.to_owned(),
                        ))
                    })
            })
            .collect()
    };
    for canary in ingresses
        .iter()
        .filter(|i| annotation(i, "canary").as_deref() == Some("true"))
    {
        let namespace = canary["metadata"]["namespace"].as_str().unwrap_or_default();
        let weight: f64 = annotation(canary, "canary-weight")
            .and_then(|w| w.parse().ok())
            .unwrap_or(0.0);
        for (host, path, canary_service) in backends(canary) {
            let primary_service = ingresses
                .iter()
                .filter(|i| {
                    i["metadata"]["namespace"] == namespace
                        && annotation(i, "canary").as_deref() != Some("true")
                })
                .flat_map(&backends)
                .find(|(h, p, _)| *h == host && *p == path)
                .map(|(_, _, s)| s);
            let Some(primary_service) = primary_service else {
                continue;
            };
            let (canaries, primaries) = (
                behind(&services, pods, namespace, &canary_service),
                behind(&services, pods, namespace, &primary_service),
            );
            let traffic = REQUESTS_PER_SECOND * (canaries.len() + primaries.len()) as f64;
            for (group, share) in [
                (&canaries, weight / 100.0),
                (&primaries, 1.0 - weight / 100.0),
            ] {
                for pod in group.iter() {
                    rates.insert(uid(pod), traffic * share / group.len() as f64);
                }
            }
        }
    }
    rates
}

/// The latency histogram's bucket bounds, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How an image's pods answer: (share of 5xx, cumulative share of requests under each bucket).
fn behaviour(image: &str) -> (f64, [f64; 11]) {
    let tag = image.rsplit_once(':').map_or("", |(_, t)| t);
    let errors = if tag.ends_with("-errors") {
        0.20
    } else {
        0.001
    };
    let latency = if tag.ends_with("-slow") {
        // p99 above 1.5 s.
        [0.0, 0.0, 0.0, 0.01, 0.05, 0.2, 0.5, 0.8, 0.995, 1.0, 1.0]
    } else {
        // About 50 ms, p99 under 100 ms.
        [0.01, 0.05, 0.2, 0.9, 0.995, 0.999, 1.0, 1.0, 1.0, 1.0, 1.0]
    };
    (errors, latency)
}

/// Whether a pod is running and Ready.
pub fn ready(pod: &Value) -> bool {
    running(pod) && crate::controllers::is_ready(pod)
}

/// Application metrics for every ready pod, in the Prometheus text format, as an instrumented
/// HTTP service would expose them: `http_requests_total{namespace,pod,container,code}` and the
/// `http_request_duration_seconds` histogram. Each ready pod serves [`REQUESTS_PER_SECOND`] since
/// it started; an image whose tag ends in `-errors` answers 20 % with 500, one ending in `-slow`
/// has a p99 above 1.5 s, and the others answer about 0.1 % errors in about 50 ms.
pub fn application(store: &mut Store) -> String {
    let now = now_seconds();
    let precise = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let all = store.all("", "pods");
    let ready_pods: Vec<&Value> = all.iter().filter(|p| ready(p)).collect();
    let rates = rates(store, &ready_pods);
    let mut requests = String::from(
        "# HELP http_requests_total Requests served, by status code.\n# TYPE http_requests_total counter\n",
    );
    let mut durations = String::from(
        "# HELP http_request_duration_seconds Request latency.\n# TYPE http_request_duration_seconds histogram\n",
    );
    for pod in ready_pods {
        let Some(container) = pod["spec"]["containers"].get(0) else {
            continue;
        };
        let labels = format!(
            "container=\"{}\",namespace=\"{}\",pod=\"{}\"",
            label(&container["name"]),
            label(&pod["metadata"]["namespace"]),
            label(&pod["metadata"]["name"]),
        );
        // Counters only grow: each scrape adds what the pod served since the last one.
        let uid = pod["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let rate = rates.get(&uid).copied().unwrap_or(REQUESTS_PER_SECOND);
        let (last, served) = store
            .served
            .get(&uid)
            .copied()
            .unwrap_or((started(pod).min(now) as f64, 0.0));
        let served = served + rate * (precise - last).max(0.0);
        store.served.insert(uid, (precise, served));
        let total = served.floor();
        let (error_share, latency) = behaviour(container["image"].as_str().unwrap_or_default());
        let errors = (total * error_share).round();
        requests.push_str(&format!(
            "http_requests_total{{{labels},code=\"200\"}} {}\n",
            total - errors
        ));
        requests.push_str(&format!(
            "http_requests_total{{{labels},code=\"500\"}} {errors}\n"
        ));
        let mut sum = 0.0;
        let mut previous = 0.0;
        for (bound, share) in BUCKETS.iter().zip(latency) {
            let count = (total * share).round();
            durations.push_str(&format!(
                "http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}\n"
            ));
            sum += (count - previous) * bound * 0.8;
            previous = count;
        }
        durations.push_str(&format!(
            "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {total}\n"
        ));
        durations.push_str(&format!(
            "http_request_duration_seconds_sum{{{labels}}} {sum:.3}\n"
        ));
        durations.push_str(&format!(
            "http_request_duration_seconds_count{{{labels}}} {total}\n"
        ));
    }
    let current: std::collections::HashSet<&String> = rates.keys().collect();
    store.served.retain(|uid, _| current.contains(uid));
    requests + &durations
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_follows_requests_or_the_annotation_and_varies_within_bounds() {
        let pod = json!({"metadata": {"name": "web-1"}});
        let container =
            json!({"name": "web", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}});
        let mut seen = std::collections::BTreeSet::new();
        for t in (0..600).step_by(5) {
            let (cpu, memory) = usage(&pod, &container, t);
            assert!((200_000_000..=300_000_000).contains(&cpu), "{cpu}");
            let base = 1024 * 1024 * 1024 * 6 / 10;
            assert!(
                (base * 95 / 100..=base * 105 / 100).contains(&memory),
                "{memory}"
            );
            seen.insert(cpu);
        }
        assert!(seen.len() > 10, "usage varies over time");
        let annotated = json!({"metadata": {"name": "x", "annotations": {USAGE_ANNOTATION: "cpu=1,memory=100Mi"}}});
        let (cpu, memory) = usage(&annotated, &json!({"name": "a"}), 0);
        assert!((800_000_000..=1_200_000_000).contains(&cpu));
        assert!((95 * 1024 * 1024..=105 * 1024 * 1024).contains(&memory));
    }
}
