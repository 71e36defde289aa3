//! `kubectl quota status`: used against hard for every quota, by pressure, with each
//! namespace's LimitRanges, and a second opinion on usage summed from the pods themselves.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use shipshape::admission::{self, Quota};
use shipshape::output::{Report, Table, Tone};

/// The report (`kind: QuotaStatus`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct QuotaStatus {
    pub namespaces: Vec<NamespaceStatus>,
}

/// One namespace.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceStatus {
    /// The kubeconfig context, in multi-cluster runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    pub name: String,
    pub quotas: Vec<QuotaView>,
    pub limit_ranges: Vec<LimitRangeView>,
}

/// One ResourceQuota.
#[derive(Debug, Clone, Serialize)]
pub struct QuotaView {
    pub name: String,
    /// `spec.scopes`, then the scope selector's expressions (`PriorityClass In (high)`).
    pub scopes: Vec<String>,
    /// Sorted by pressure, highest first.
    pub resources: Vec<ResourceRow>,
}

/// One quota resource.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceRow {
    pub resource: String,
    /// `status.used`, canonical.
    pub used: String,
    pub hard: String,
    /// used / hard (1 when hard is 0 and something is used, 0 when nothing is).
    pub ratio: f64,
    /// What the pods add up to, when it differs from `used` (a stale or broken quota controller,
    /// or objects the quota counts that are not pods).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed: Option<String>,
}

/// One LimitRange.
#[derive(Debug, Clone, Serialize)]
pub struct LimitRangeView {
    pub name: String,
    pub limits: Vec<LimitRow>,
}

/// One type × resource of a LimitRange.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitRow {
    #[serde(rename = "type")]
    pub kind: String,
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_request: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_limit_request_ratio: Option<String>,
}

/// Resources the pods alone decide, so a recomputation from pods can be compared.
fn pod_decided(resource: &str) -> bool {
    matches!(
        resource,
        "pods" | "count/pods" | "cpu" | "memory" | "ephemeral-storage"
    ) || (resource.starts_with("requests.") && resource != "requests.storage")
        || resource.starts_with("limits.")
}

fn ratio(used: f64, hard: f64) -> f64 {
    if hard > 0.0 {
        used / hard
    } else if used > 0.0 {
        1.0
    } else {
        0.0
    }
}

fn limit_rows(object: &Value) -> Vec<LimitRow> {
    let mut rows = Vec::new();
    for item in object["spec"]["limits"].as_array().into_iter().flatten() {
        let kind = item["type"].as_str().unwrap_or_default();
        let mut resources: Vec<String> = [
            "min",
            "max",
            "default",
            "defaultRequest",
            "maxLimitRequestRatio",
        ]
        .iter()
        .flat_map(|f| {
            item[*f]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone())
        })
        .collect();
        resources.sort();
        resources.dedup();
        let get = |field: &str, resource: &str| {
            shipshape::quantity::from_value(&item[field][resource])
                .and_then(Result::ok)
                .map(|q| q.to_string())
        };
        for resource in resources {
            rows.push(LimitRow {
                kind: kind.to_owned(),
                min: get("min", &resource),
                max: get("max", &resource),
                default: get("default", &resource),
                default_request: get("defaultRequest", &resource),
                max_limit_request_ratio: get("maxLimitRequestRatio", &resource),
                resource,
            });
        }
    }
    rows
}

/// The namespace's entry, created empty the first time.
fn entry(namespaces: &mut BTreeMap<String, NamespaceStatus>, name: String) -> &mut NamespaceStatus {
    namespaces
        .entry(name.clone())
        .or_insert_with(|| NamespaceStatus {
            cluster: None,
            name,
            quotas: Vec::new(),
            limit_ranges: Vec::new(),
        })
}

/// Builds the report from listed objects (any namespaces, in any order).
pub fn build(quotas: &[Value], limit_ranges: &[Value], pods: &[Value]) -> QuotaStatus {
    let namespace = namespace_of;
    let mut pods_by_ns: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for pod in pods {
        pods_by_ns.entry(namespace(pod)).or_default().push(pod);
    }
    let mut namespaces: BTreeMap<String, NamespaceStatus> = BTreeMap::new();
    for object in quotas {
        let ns = namespace(object);
        let quota = Quota::from_object(object);
        let used = quota.used.clone().unwrap_or_default();
        let pods: Vec<(&str, &str, &Value)> = pods_by_ns
            .get(&ns)
            .into_iter()
            .flatten()
            .map(|p| ("pods", "", *p))
            .collect();
        let computed = admission::quota_used(&quota, pods);
        let mut resources: Vec<ResourceRow> = quota
            .hard
            .iter()
            .map(|(resource, hard)| {
                let have = used.get(resource).copied().unwrap_or_default();
                let mine = computed.get(resource).copied().unwrap_or_default();
                ResourceRow {
                    resource: resource.clone(),
                    used: have.with_format(hard.format()).to_string(),
                    hard: hard.to_string(),
                    ratio: ratio(have.as_f64(), hard.as_f64()),
                    computed: (pod_decided(resource) && mine != have)
                        .then(|| mine.with_format(hard.format()).to_string()),
                }
            })
            .collect();
        resources.sort_by(|a, b| {
            b.ratio
                .total_cmp(&a.ratio)
                .then(a.resource.cmp(&b.resource))
        });
        let mut scopes = quota.scopes.clone();
        scopes.extend(quota.selector.iter().map(|(scope, operator, values)| {
            if values.is_empty() {
                format!("{scope} {operator}")
            } else {
                format!("{scope} {operator} ({})", values.join(", "))
            }
        }));
        entry(&mut namespaces, ns).quotas.push(QuotaView {
            name: quota.name.clone(),
            scopes,
            resources,
        });
    }
    for object in limit_ranges {
        entry(&mut namespaces, namespace(object))
            .limit_ranges
            .push(LimitRangeView {
                name: object["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                limits: limit_rows(object),
            });
    }
    let mut namespaces: Vec<NamespaceStatus> = namespaces.into_values().collect();
    for ns in &mut namespaces {
        ns.quotas.sort_by(|a, b| {
            let top = |q: &QuotaView| q.resources.first().map_or(0.0, |r| r.ratio);
            top(b).total_cmp(&top(a)).then(a.name.cmp(&b.name))
        });
    }
    let mut report = QuotaStatus { namespaces };
    report.sort();
    report
}

fn pressure(ns: &NamespaceStatus) -> f64 {
    ns.quotas
        .iter()
        .flat_map(|q| q.resources.iter().map(|r| r.ratio))
        .fold(0.0, f64::max)
}

impl QuotaStatus {
    /// Most pressed namespaces first.
    fn sort(&mut self) {
        self.namespaces.sort_by(|a, b| {
            pressure(b)
                .total_cmp(&pressure(a))
                .then(a.cluster.cmp(&b.cluster))
                .then(a.name.cmp(&b.name))
        });
    }

    /// One report from several clusters', each namespace tagged with its context.
    pub fn merge(reports: Vec<(String, QuotaStatus)>) -> QuotaStatus {
        let mut merged = QuotaStatus::default();
        for (cluster, report) in reports {
            merged
                .namespaces
                .extend(report.namespaces.into_iter().map(|mut ns| {
                    ns.cluster = Some(cluster.clone());
                    ns
                }));
        }
        merged.sort();
        merged
    }
}

/// A bar of `width` cells for a ratio.
pub fn bar(ratio: f64, width: usize) -> String {
    let filled = ((ratio.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// The tone of a ratio: red from 95 %, yellow from 80 %.
pub fn pressure_tone(ratio: f64) -> Tone {
    if ratio >= 0.95 {
        Tone::Bad
    } else if ratio >= 0.8 {
        Tone::Warn
    } else {
        Tone::Plain
    }
}

impl Report for QuotaStatus {
    const KIND: &'static str = "QuotaStatus";

    fn human(&self, wide: bool) -> String {
        if self.namespaces.is_empty() {
            return "No ResourceQuotas or LimitRanges found.\n".into();
        }
        let color = shipshape::output::color_enabled(&std::io::stdout());
        let several = self.namespaces.iter().any(|n| n.cluster.is_some());
        let mut headers = vec!["NAMESPACE", "QUOTA", "RESOURCE", "USED", "HARD", "USE", ""];
        if wide {
            headers.push("SCOPES");
        }
        if several {
            headers.insert(0, "CLUSTER");
        }
        let shift = usize::from(several);
        let mut table = Table::new(headers);
        table
            .color(color)
            .align_right(3 + shift)
            .align_right(4 + shift)
            .align_right(5 + shift);
        let mut disagreements = Vec::new();
        for ns in &self.namespaces {
            for quota in &ns.quotas {
                for row in &quota.resources {
                    let tone = pressure_tone(row.ratio);
                    let mut cells = vec![
                        (ns.name.clone(), Tone::Plain),
                        (quota.name.clone(), Tone::Plain),
                        (row.resource.clone(), Tone::Plain),
                        (row.used.clone(), Tone::Plain),
                        (row.hard.clone(), Tone::Plain),
                        (format!("{:.0}%", row.ratio * 100.0), tone),
                        (bar(row.ratio, 20), tone),
                    ];
                    if wide {
                        cells.push((quota.scopes.join(", "), Tone::Muted));
                    }
                    if several {
                        cells.insert(0, (ns.cluster.clone().unwrap_or_default(), Tone::Plain));
                    }
                    table.toned_row(cells);
                    if let Some(computed) = &row.computed {
                        disagreements.push(format!(
                            "{}/{} {}: status.used says {}, the pods add up to {computed}",
                            ns.name, quota.name, row.resource, row.used
                        ));
                    }
                }
            }
        }
        let mut text = if table.is_empty() {
            String::new()
        } else {
            table.render()
        };
        for line in &disagreements {
            text.push_str(&format!("warning: {line}\n"));
        }
        let mut limits = Table::new([
            "NAMESPACE",
            "LIMITRANGE",
            "TYPE",
            "RESOURCE",
            "MIN",
            "MAX",
            "DEFAULT REQUEST",
            "DEFAULT LIMIT",
            "MAX LIMIT/REQUEST",
        ]);
        let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        for ns in &self.namespaces {
            for range in &ns.limit_ranges {
                for row in &range.limits {
                    limits.row([
                        ns.name.clone(),
                        range.name.clone(),
                        row.kind.clone(),
                        row.resource.clone(),
                        dash(&row.min),
                        dash(&row.max),
                        dash(&row.default_request),
                        dash(&row.default),
                        dash(&row.max_limit_request_ratio),
                    ]);
                }
            }
        }
        if !limits.is_empty() {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&limits.render());
        }
        text
    }
}

/// A listed object's `metadata.namespace` (empty for cluster-scoped objects).
pub fn namespace_of(object: &Value) -> String {
    object["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_by_pressure_and_disagreements() {
        let quotas = [
            json!({"metadata": {"name": "compute", "namespace": "shop"},
                "spec": {"hard": {"requests.cpu": "4", "pods": "10"}},
                "status": {"hard": {"requests.cpu": "4", "pods": "10"}, "used": {"requests.cpu": "3800m", "pods": "2"}}}),
            json!({"metadata": {"name": "small", "namespace": "quiet"},
                "spec": {"hard": {"pods": "10"}, "scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}},
                "status": {"hard": {"pods": "10"}, "used": {"pods": "1"}}}),
        ];
        let pods = [
            json!({"metadata": {"namespace": "shop"}, "spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "1900m"}}}]}, "status": {"phase": "Running"}}),
        ];
        let ranges = [
            json!({"metadata": {"name": "limits", "namespace": "shop"}, "spec": {"limits": [{"type": "Container", "default": {"cpu": "1"}, "defaultRequest": {"cpu": "100m"}}]}}),
        ];
        let report = build(&quotas, &ranges, &pods);
        assert_eq!(report.namespaces[0].name, "shop", "most pressed first");
        let rows = &report.namespaces[0].quotas[0].resources;
        assert_eq!(
            (rows[0].resource.as_str(), rows[0].ratio),
            ("requests.cpu", 0.95)
        );
        // One pod of 1900m and 1 pod: the controller's 3800m and 2 disagree.
        assert_eq!(rows[0].computed.as_deref(), Some("1900m"));
        assert_eq!(rows[1].computed.as_deref(), Some("1"));
        assert_eq!(
            report.namespaces[1].quotas[0].scopes,
            ["PriorityClass In (high)"]
        );
        assert_eq!(
            report.namespaces[0].limit_ranges[0].limits[0]
                .default
                .as_deref(),
            Some("1")
        );
        let text = report.human(false);
        assert!(text.contains("warning: shop/compute requests.cpu: status.used says 3800m, the pods add up to 1900m"), "{text}");
        assert!(text.contains("95%   ███████████████████░"), "{text}");
    }

    #[test]
    fn bars_and_tones() {
        assert_eq!(bar(0.5, 10), "█████░░░░░");
        assert_eq!(bar(1.7, 4), "████");
        assert_eq!(pressure_tone(0.79), Tone::Plain);
        assert_eq!(pressure_tone(0.8), Tone::Warn);
        assert_eq!(pressure_tone(0.95), Tone::Bad);
    }
}
