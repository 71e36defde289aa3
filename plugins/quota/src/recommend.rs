//! `kubectl quota recommend`: requests and limits from what containers really use, and the
//! namespace quota that would hold them. Pure: workloads and usage in, recommendations out.
//!
//! From samples (metrics.k8s.io polled over a window, since the API keeps one point per pod):
//! the CPU request is a high percentile of the samples and the memory request and limit are the
//! maximum, each plus headroom — KRR's rules. CPU limits are left as they are (KRR advises none;
//! removing one is a decision for a person). From a VerticalPodAutoscaler: its `target` for
//! requests and its `upperBound` for the memory limit.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};
use shipshape::output::{Report, Table, Tone};
use shipshape::quantity::{Format, Quantity};

/// A workload whose containers get recommendations.
#[derive(Debug, Clone)]
pub struct Workload {
    pub object: Value,
    /// Replicas the quota must hold: an HPA's maxReplicas, else spec.replicas.
    pub replicas: i64,
}

impl Workload {
    fn namespace(&self) -> &str {
        self.object["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
    }
    fn name(&self) -> &str {
        self.object["metadata"]["name"].as_str().unwrap_or_default()
    }
    fn kind(&self) -> &str {
        self.object["kind"].as_str().unwrap_or_default()
    }
}

/// One usage sample of one container.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub namespace: String,
    /// The workload (`Deployment/web`) the pod belongs to.
    pub workload: String,
    pub container: String,
    pub cpu: Quantity,
    pub memory: Quantity,
}

/// How to turn usage into values.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The CPU percentile (95).
    pub percentile: u8,
    /// Added to every recommended value, in percent (20).
    pub headroom: i64,
}

/// Requests and limits of one container.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_request: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_limit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_request: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_limit: Option<String>,
}

/// One container's recommendation.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub container: String,
    pub replicas: i64,
    pub current: Resources,
    pub recommended: Resources,
    /// What backs it: `40 samples over 10m (metrics.k8s.io)`, `VPA web-vpa target`.
    pub basis: String,
    /// Samples behind it (0 for VPA).
    pub samples: usize,
}

/// A namespace's quota from the recommendations: Σ replicas × recommended, plus headroom.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceQuota {
    pub name: String,
    pub hard: BTreeMap<String, String>,
}

/// The report (`kind: ResourceRecommendation`).
#[derive(Debug, Clone, Serialize)]
pub struct RecommendReport {
    pub source: String,
    pub recommendations: Vec<Recommendation>,
    pub namespaces: Vec<NamespaceQuota>,
}

fn current(container: &Value) -> Resources {
    let get = |kind: &str, resource: &str| {
        shipshape::quantity::from_value(&container["resources"][kind][resource])
            .and_then(Result::ok)
            .map(|q| q.to_string())
    };
    Resources {
        cpu_request: get("requests", "cpu"),
        cpu_limit: get("limits", "cpu"),
        memory_request: get("requests", "memory"),
        memory_limit: get("limits", "memory"),
    }
}

/// The `p`th percentile (nearest rank) of sorted values.
pub fn percentile(sorted: &[Quantity], p: u8) -> Option<Quantity> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (usize::from(p.min(100)) * sorted.len())
        .div_ceil(100)
        .max(1);
    sorted.get(rank - 1).copied()
}

/// CPU rounded up to a whole millicore (at least 10m); memory up to a whole MiB.
fn round_cpu(q: Quantity) -> Quantity {
    Quantity::from_millis(q.millis_ceil().max(10) as i64)
}

fn round_memory(q: Quantity) -> Quantity {
    let mib = 1024 * 1024 * 1_000_000_000i128;
    let whole = q.nanos().div_euclid(mib) + i128::from(q.nanos().rem_euclid(mib) != 0);
    Quantity::from_units((whole.max(1) * 1024 * 1024) as i64, Format::BinarySi)
}

fn containers(workload: &Workload) -> Vec<&Value> {
    shipshape::workload::pod_spec(&workload.object)
        .and_then(|s| s["containers"].as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// Measured usage of one container of one workload: the CPU at the chosen percentile, the
/// maximum memory, and how many data points back them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    pub cpu: Quantity,
    pub memory: Quantity,
    pub points: usize,
}

/// (namespace, `Kind/name`, container) → usage.
pub type UsageMap = BTreeMap<(String, String, String), Usage>;

/// Reduces raw samples to usage: the percentile of CPU, the maximum of memory.
pub fn reduce(samples: &[Sample], percentile_rank: u8) -> UsageMap {
    let mut grouped: BTreeMap<(String, String, String), (Vec<Quantity>, Quantity)> =
        BTreeMap::new();
    for s in samples {
        let entry = grouped
            .entry((s.namespace.clone(), s.workload.clone(), s.container.clone()))
            .or_insert_with(|| (Vec::new(), Quantity::ZERO));
        entry.0.push(s.cpu);
        entry.1 = entry.1.max(s.memory);
    }
    grouped
        .into_iter()
        .filter_map(|(key, (mut cpu, memory))| {
            cpu.sort();
            let points = cpu.len();
            Some((
                key,
                Usage {
                    cpu: percentile(&cpu, percentile_rank)?,
                    memory,
                    points,
                },
            ))
        })
        .collect()
}

/// Recommendations from measured usage; `source` names it for the basis column
/// (`metrics.k8s.io`, `Prometheus`), `window` says over how long.
pub fn from_usage(
    workloads: &[Workload],
    usage: &UsageMap,
    source: &str,
    window: &str,
    options: Options,
) -> Vec<Recommendation> {
    let mut recommendations = Vec::new();
    for workload in workloads {
        let id = format!("{}/{}", workload.kind(), workload.name());
        for container in containers(workload) {
            let name = container["name"].as_str().unwrap_or_default();
            let measured =
                usage.get(&(workload.namespace().to_owned(), id.clone(), name.to_owned()));
            let current = current(container);
            let recommended = match measured {
                Some(u) => {
                    let memory =
                        round_memory(u.memory.scale_percent(100 + options.headroom)).to_string();
                    Resources {
                        cpu_request: Some(
                            round_cpu(u.cpu.scale_percent(100 + options.headroom)).to_string(),
                        ),
                        cpu_limit: current.cpu_limit.clone(),
                        memory_request: Some(memory.clone()),
                        memory_limit: Some(memory),
                    }
                }
                None => current.clone(),
            };
            let points = measured.map_or(0, |u| u.points);
            recommendations.push(Recommendation {
                namespace: workload.namespace().to_owned(),
                kind: workload.kind().to_owned(),
                name: workload.name().to_owned(),
                container: name.to_owned(),
                replicas: workload.replicas,
                current,
                recommended,
                basis: if measured.is_none() {
                    format!("no data in {source}: unchanged")
                } else {
                    format!("{points} samples over {window} ({source})")
                },
                samples: points,
            });
        }
    }
    recommendations
}

/// Recommendations from VerticalPodAutoscalers' `status.recommendation`.
pub fn from_vpas(workloads: &[Workload], vpas: &[Value], options: Options) -> Vec<Recommendation> {
    let mut recommendations = Vec::new();
    for workload in workloads {
        let Some(vpa) = vpas.iter().find(|v| {
            let target = &v["spec"]["targetRef"];
            v["metadata"]["namespace"].as_str().unwrap_or("default") == workload.namespace()
                && target["kind"] == workload.kind()
                && target["name"] == workload.name()
        }) else {
            continue;
        };
        let vpa_name = vpa["metadata"]["name"].as_str().unwrap_or_default();
        for container in containers(workload) {
            let name = container["name"].as_str().unwrap_or_default();
            let current = current(container);
            let found = vpa["status"]["recommendation"]["containerRecommendations"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["containerName"] == name);
            let quantity = |r: &Value, field: &str, resource: &str| {
                shipshape::quantity::from_value(&r[field][resource]).and_then(Result::ok)
            };
            let (recommended, basis) = match found {
                Some(r) => {
                    let memory_limit = quantity(r, "upperBound", "memory").or_else(|| {
                        quantity(r, "target", "memory")
                            .map(|m| m.scale_percent(100 + options.headroom))
                    });
                    (
                        Resources {
                            cpu_request: quantity(r, "target", "cpu")
                                .map(|q| round_cpu(q).to_string()),
                            cpu_limit: current.cpu_limit.clone(),
                            memory_request: quantity(r, "target", "memory")
                                .map(|q| round_memory(q).to_string()),
                            memory_limit: memory_limit.map(|q| round_memory(q).to_string()),
                        },
                        format!("VPA {vpa_name}: target, upperBound for the memory limit"),
                    )
                }
                None => (
                    current.clone(),
                    format!("VPA {vpa_name} has no recommendation yet: unchanged"),
                ),
            };
            recommendations.push(Recommendation {
                namespace: workload.namespace().to_owned(),
                kind: workload.kind().to_owned(),
                name: workload.name().to_owned(),
                container: name.to_owned(),
                replicas: workload.replicas,
                current,
                recommended,
                basis,
                samples: 0,
            });
        }
    }
    recommendations
}

/// Per namespace: Σ replicas × recommended requests (and memory limits), plus headroom.
pub fn namespace_quotas(
    recommendations: &[Recommendation],
    options: Options,
) -> Vec<NamespaceQuota> {
    let mut sums: BTreeMap<String, BTreeMap<String, Quantity>> = BTreeMap::new();
    for r in recommendations {
        let totals = sums.entry(r.namespace.clone()).or_default();
        for (resource, value) in [
            ("requests.cpu", &r.recommended.cpu_request),
            ("requests.memory", &r.recommended.memory_request),
            ("limits.memory", &r.recommended.memory_limit),
        ] {
            if let Some(q) = value.as_deref().and_then(|v| v.parse::<Quantity>().ok()) {
                let add = q.checked_mul(r.replicas).unwrap_or(q);
                let total = totals
                    .entry(resource.to_owned())
                    .or_insert(Quantity::ZERO.with_format(q.format()));
                *total = *total + add;
            }
        }
    }
    sums.into_iter()
        .map(|(name, totals)| NamespaceQuota {
            name,
            hard: totals
                .into_iter()
                .map(|(k, v)| {
                    let with = v.scale_percent(100 + options.headroom);
                    let rounded = if k == "requests.cpu" {
                        round_cpu(with)
                    } else {
                        round_memory(with)
                    };
                    (k, rounded.to_string())
                })
                .collect(),
        })
        .collect()
}

/// Strategic-merge (and server-side apply) patches setting the recommended values, one per
/// workload; containers merge by name.
pub fn patches(recommendations: &[Recommendation], workloads: &[Workload]) -> Vec<Value> {
    let mut out = Vec::new();
    for workload in workloads {
        let mine: Vec<&Recommendation> = recommendations
            .iter()
            .filter(|r| {
                r.namespace == workload.namespace()
                    && r.kind == workload.kind()
                    && r.name == workload.name()
            })
            .filter(|r| r.recommended != r.current)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let containers: Vec<Value> = mine
            .iter()
            .map(|r| {
                let mut resources = json!({});
                let rec = &r.recommended;
                for (kind, resource, value) in [
                    ("requests", "cpu", &rec.cpu_request),
                    ("requests", "memory", &rec.memory_request),
                    ("limits", "memory", &rec.memory_limit),
                ] {
                    if let Some(v) = value {
                        resources[kind][resource] = json!(v);
                    }
                }
                json!({"name": r.container, "resources": resources})
            })
            .collect();
        let mut patch = json!({
            "apiVersion": workload.object["apiVersion"],
            "kind": workload.kind(),
            "metadata": {"name": workload.name(), "namespace": workload.namespace()},
        });
        let spec = json!({"containers": containers});
        patch["spec"] = match shipshape::workload::shape(&workload.object) {
            Some(shipshape::workload::Shape::JobTemplate) => {
                json!({"jobTemplate": {"spec": {"template": {"spec": spec}}}})
            }
            Some(shipshape::workload::Shape::Pod) => spec,
            _ => json!({"template": {"spec": spec}}),
        };
        out.push(patch);
    }
    out
}

impl Report for RecommendReport {
    const KIND: &'static str = "ResourceRecommendation";

    fn human(&self, wide: bool) -> String {
        if self.recommendations.is_empty() {
            return "No workloads to size.\n".into();
        }
        let color = shipshape::output::color_enabled(&std::io::stdout());
        let mut headers = vec![
            "NAMESPACE",
            "WORKLOAD",
            "CONTAINER",
            "CPU REQUEST",
            "MEMORY REQUEST",
            "MEMORY LIMIT",
        ];
        if wide {
            headers.push("BASIS");
        }
        let mut table = Table::new(headers);
        table.color(color);
        let change = |from: &Option<String>, to: &Option<String>| -> (String, Tone) {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
            if from == to {
                (show(to), Tone::Plain)
            } else {
                (format!("{} → {}", show(from), show(to)), Tone::Warn)
            }
        };
        for r in &self.recommendations {
            let mut row = vec![
                (r.namespace.clone(), Tone::Plain),
                (format!("{}/{}", r.kind.to_lowercase(), r.name), Tone::Plain),
                (r.container.clone(), Tone::Plain),
                change(&r.current.cpu_request, &r.recommended.cpu_request),
                change(&r.current.memory_request, &r.recommended.memory_request),
                change(&r.current.memory_limit, &r.recommended.memory_limit),
            ];
            if wide {
                row.push((r.basis.clone(), Tone::Muted));
            }
            table.toned_row(row);
        }
        let mut text = table.render();
        for ns in &self.namespaces {
            let hard: Vec<String> = ns.hard.iter().map(|(k, v)| format!("{k}={v}")).collect();
            text.push_str(&format!("quota for {}: {}\n", ns.name, hard.join(",")));
        }
        let thin = self
            .recommendations
            .iter()
            .filter(|r| self.source == "metrics" && r.samples > 0 && r.samples < 10)
            .count();
        if thin > 0 {
            text.push_str(&format!(
                "note: {thin} container(s) rest on fewer than 10 samples — a point in time, not a history; sample longer (--window) or use --source vpa\n"
            ));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workload(replicas: i64) -> Workload {
        Workload {
            object: json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                {"name": "web", "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "2Gi"}}}
            ]}}}}),
            replicas,
        }
    }

    fn q(text: &str) -> Quantity {
        text.parse().unwrap()
    }

    #[test]
    fn percentiles_and_rounding() {
        let values: Vec<Quantity> = (1..=100).map(Quantity::from_millis).collect();
        assert_eq!(percentile(&values, 95), Some(Quantity::from_millis(95)));
        assert_eq!(percentile(&values[..1], 95), Some(Quantity::from_millis(1)));
        assert_eq!(percentile(&[], 95), None);
        assert_eq!(round_cpu(q("1234567n")).to_string(), "10m");
        assert_eq!(round_cpu(q("123456789n")).to_string(), "124m");
        assert_eq!(round_memory(q("300Mi")).to_string(), "300Mi");
        assert_eq!(round_memory(q("300000Ki")).to_string(), "293Mi");
    }

    #[test]
    fn samples_give_percentile_cpu_and_max_memory_plus_headroom() {
        let samples: Vec<Sample> = (0..20)
            .map(|i| Sample {
                namespace: "shop".into(),
                workload: "Deployment/web".into(),
                container: "web".into(),
                cpu: Quantity::from_millis(100 + i * 10),
                memory: q(&format!("{}Mi", 200 + i)),
            })
            .collect();
        let options = Options {
            percentile: 95,
            headroom: 20,
        };
        let recs = from_usage(
            &[workload(3)],
            &reduce(&samples, 95),
            "metrics.k8s.io",
            "10m",
            options,
        );
        let r = &recs[0].recommended;
        // p95 of 100..290m is 280m, +20 % = 336m; max memory 219Mi +20 % = 262.8 → 263Mi.
        assert_eq!(r.cpu_request.as_deref(), Some("336m"));
        assert_eq!(r.memory_request.as_deref(), Some("263Mi"));
        assert_eq!(r.memory_limit.as_deref(), Some("263Mi"));
        assert_eq!(
            r.cpu_limit.as_deref(),
            Some("2"),
            "CPU limits are left alone"
        );
        assert_eq!(recs[0].basis, "20 samples over 10m (metrics.k8s.io)");
        let quota = namespace_quotas(&recs, options);
        // 3 × 336m = 1008m, +20 % = 1209.6 → 1210m; 3 × 263Mi = 789Mi, +20 % → 947Mi.
        assert_eq!(quota[0].hard["requests.cpu"], "1210m");
        assert_eq!(quota[0].hard["requests.memory"], "947Mi");
        let patch = &patches(&recs, &[workload(3)])[0];
        assert_eq!(
            patch["spec"]["template"]["spec"]["containers"][0],
            json!({"name": "web", "resources": {"requests": {"cpu": "336m", "memory": "263Mi"}, "limits": {"memory": "263Mi"}}})
        );
    }

    #[test]
    fn vpa_targets_and_upper_bounds() {
        let vpa = json!({"metadata": {"name": "web-vpa", "namespace": "shop"}, "spec": {"targetRef": {"kind": "Deployment", "name": "web"}},
            "status": {"recommendation": {"containerRecommendations": [{"containerName": "web", "target": {"cpu": "250m", "memory": "262144k"}, "upperBound": {"cpu": "1", "memory": "512Mi"}}]}}});
        let recs = from_vpas(
            &[workload(2)],
            &[vpa],
            Options {
                percentile: 95,
                headroom: 20,
            },
        );
        let r = &recs[0].recommended;
        assert_eq!(r.cpu_request.as_deref(), Some("250m"));
        assert_eq!(r.memory_request.as_deref(), Some("250Mi"));
        assert_eq!(r.memory_limit.as_deref(), Some("512Mi"));
    }
}
