//! `kubectl quota check`: would each workload's pods be admitted, and what would the API server
//! say? Every workload's pod template goes through [`shipshape::admission::admit`] — pod
//! defaulting, LimitRange defaulting and validation, the quota constraint rule, then quota
//! arithmetic for replicas × per-pod usage — in input order, so the workloads of one release
//! share what is left of each quota, as they would when applied together.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use shipshape::admission::{self, Problem, Quota, Resources};
use shipshape::manifests::Manifest;
use shipshape::output::{Report, Table, Tone};
use shipshape::workload;

/// What constrains one namespace.
#[derive(Debug, Clone, Default)]
pub struct Namespace {
    pub limit_ranges: Vec<Value>,
    pub quotas: Vec<Quota>,
}

/// The report (`kind: QuotaCheck`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct QuotaCheck {
    pub workloads: Vec<WorkloadCheck>,
}

/// One workload.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadCheck {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The pods checked: replicas (or parallelism), or 1 for a live workload's next pod.
    pub replicas: i64,
    pub admitted: bool,
    /// How many of the pods fit, when not all do and the template itself is fine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fitting: Option<i64>,
    pub problems: Vec<Problem>,
}

impl QuotaCheck {
    /// Whether anything would be rejected.
    pub fn rejected(&self) -> bool {
        self.workloads.iter().any(|w| !w.admitted)
    }
}

/// The pods a workload asks for at once.
pub fn pods_wanted(object: &Value) -> i64 {
    match object["kind"].as_str().unwrap_or_default() {
        "Pod" => 1,
        "Job" => object["spec"]["parallelism"].as_i64().unwrap_or(1),
        "CronJob" => object["spec"]["jobTemplate"]["spec"]["parallelism"]
            .as_i64()
            .unwrap_or(1),
        _ => workload::replicas(object).unwrap_or(1),
    }
}

/// The pod spec as the API server would see it from this workload: the template's spec, with
/// the `activeDeadlineSeconds` a Job sets on its pods (it decides the Terminating scope).
fn pod_spec(object: &Value) -> Option<Value> {
    let mut spec = workload::pod_spec(object)?.clone();
    let job = match object["kind"].as_str() {
        Some("Job") => &object["spec"],
        Some("CronJob") => &object["spec"]["jobTemplate"]["spec"],
        _ => &Value::Null,
    };
    if let (Some(deadline), true) = (
        job["activeDeadlineSeconds"].as_i64(),
        spec["activeDeadlineSeconds"].is_null(),
    ) {
        spec["activeDeadlineSeconds"] = deadline.into();
    }
    Some(spec)
}

/// Checks workloads against their namespaces' LimitRanges and quotas; a workload that names no
/// namespace is checked in `namespace`, where `kubectl apply` would create it (`-n`, else the
/// context's namespace). `replicas` overrides how many pods each workload asks for (1 for live
/// workloads, whose pods already count).
pub fn check(
    workloads: &[&Manifest],
    namespaces: &BTreeMap<String, Namespace>,
    replicas: Option<i64>,
    namespace: &str,
) -> QuotaCheck {
    // What each quota has used so far, advancing as workloads are admitted.
    let mut used: BTreeMap<(String, String), Resources> = BTreeMap::new();
    let mut report = QuotaCheck::default();
    let empty = Namespace::default();
    for manifest in workloads {
        let Some(spec) = pod_spec(&manifest.object) else {
            continue;
        };
        let ns_name = manifest.namespace().unwrap_or(namespace).to_owned();
        let ns = namespaces.get(&ns_name).unwrap_or(&empty);
        let wanted = replicas
            .unwrap_or_else(|| pods_wanted(&manifest.object))
            .max(0);
        let quotas: Vec<Quota> = ns
            .quotas
            .iter()
            .map(|q| {
                let mut q = q.clone();
                if let Some(u) = used.get(&(ns_name.clone(), q.name.clone())) {
                    q.used = Some(u.clone());
                }
                q
            })
            .collect();
        let admission = admission::admit(&spec, &ns.limit_ranges, &quotas, wanted);
        let admitted = admission.problems.is_empty();
        let mut fitting = None;
        if admitted {
            for (quota, charge) in &admission.charges {
                let start = quotas
                    .iter()
                    .find(|q| &q.name == quota)
                    .and_then(|q| q.used.clone())
                    .unwrap_or_default();
                let total = used
                    .entry((ns_name.clone(), quota.clone()))
                    .or_insert(start);
                for (resource, amount) in charge {
                    let sum = total.get(resource).map_or(*amount, |have| *have + *amount);
                    total.insert(resource.clone(), sum);
                }
            }
        } else if admission
            .problems
            .iter()
            .all(|p| p.reason == "QuotaExceeded")
        {
            // The template is fine: how many replicas would fit?
            fitting = Some(
                (0..wanted)
                    .rev()
                    .find(|n| {
                        *n == 0
                            || admission::admit(&spec, &ns.limit_ranges, &quotas, *n)
                                .problems
                                .is_empty()
                    })
                    .unwrap_or(0),
            );
        }
        report.workloads.push(WorkloadCheck {
            kind: manifest.kind().to_owned(),
            namespace: ns_name,
            name: manifest.name().to_owned(),
            replicas: wanted,
            admitted,
            fitting,
            problems: admission.problems,
        });
    }
    report
}

impl Report for QuotaCheck {
    const KIND: &'static str = "QuotaCheck";

    fn human(&self, wide: bool) -> String {
        if self.workloads.is_empty() {
            return "No workloads to check.\n".into();
        }
        let color = shipshape::output::color_enabled(&std::io::stdout());
        let mut table = Table::new([
            "NAMESPACE",
            "WORKLOAD",
            "PODS",
            "ADMITTED",
            "REASON",
            "MESSAGE",
        ]);
        table.color(color).align_right(2);
        for w in &self.workloads {
            let pods = match w.fitting {
                Some(fit) => format!("{fit}/{} fit", w.replicas),
                None => w.replicas.to_string(),
            };
            let verdict = if w.admitted {
                ("yes".to_owned(), Tone::Good)
            } else {
                ("no".to_owned(), Tone::Bad)
            };
            let first = w.problems.first();
            table.toned_row(vec![
                (w.namespace.clone(), Tone::Plain),
                (format!("{}/{}", w.kind.to_lowercase(), w.name), Tone::Plain),
                (pods, Tone::Plain),
                verdict,
                (
                    first.map(|p| p.reason.clone()).unwrap_or_default(),
                    Tone::Plain,
                ),
                (
                    first.map(|p| p.message.clone()).unwrap_or_default(),
                    Tone::Plain,
                ),
            ]);
            if wide {
                for extra in w.problems.iter().skip(1) {
                    table.row([
                        "",
                        "",
                        "",
                        "",
                        extra.reason.as_str(),
                        extra.message.as_str(),
                    ]);
                }
            }
        }
        let rejected = self.workloads.iter().filter(|w| !w.admitted).count();
        format!(
            "{}{} workload(s) checked: {} admitted, {rejected} rejected\n",
            table.render(),
            self.workloads.len(),
            self.workloads.len() - rejected
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shipshape::manifests::{Origin, parse_text};

    fn manifests(text: &str) -> Vec<Manifest> {
        parse_text(&Origin::Stdin, text, Default::default())
            .into_iter()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn workloads_share_what_is_left_and_report_how_many_fit() {
        let objects = manifests(
            "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api:1, resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {cpu: '1', memory: 512Mi}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1, resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {cpu: '1', memory: 512Mi}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: shop}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: api:1}]
",
        );
        let quota = Quota::from_object(&json!({"metadata": {"name": "compute"},
            "spec": {"hard": {"requests.cpu": "3", "limits.memory": "4Gi"}},
            "status": {"hard": {"requests.cpu": "3", "limits.memory": "4Gi"}, "used": {"requests.cpu": "500m", "limits.memory": "0"}}}));
        let namespaces = BTreeMap::from([(
            "shop".to_owned(),
            Namespace {
                limit_ranges: vec![],
                quotas: vec![quota],
            },
        )]);
        let refs: Vec<&Manifest> = objects.iter().collect();
        let report = check(&refs, &namespaces, None, "shop");
        let w = &report.workloads;
        assert!(w[0].admitted, "{w:?}");
        // 500m used + 1500m for api leaves 1 CPU: two of web's four replicas fit.
        assert!(!w[1].admitted);
        assert_eq!(w[1].fitting, Some(2));
        assert_eq!(
            w[1].problems[0].message,
            "exceeded quota: compute, requested: requests.cpu=2, used: requests.cpu=2, limited: requests.cpu=3"
        );
        assert_eq!(
            w[2].problems[0].message,
            "failed quota: compute: must specify limits.memory for: migrate; requests.cpu for: migrate"
        );
        assert!(report.rejected());
    }

    #[test]
    fn a_workload_without_a_namespace_is_checked_in_the_given_one() {
        let objects = manifests(
            "\
apiVersion: v1
kind: Pod
metadata: {name: bare}
spec:
  containers: [{name: app, image: app:1, resources: {requests: {cpu: 500m}}}]
",
        );
        let quota = Quota::from_object(&json!({"metadata": {"name": "tight"},
            "spec": {"hard": {"requests.cpu": "100m"}},
            "status": {"hard": {"requests.cpu": "100m"}, "used": {"requests.cpu": "0"}}}));
        let namespaces = BTreeMap::from([(
            "shop".to_owned(),
            Namespace {
                limit_ranges: vec![],
                quotas: vec![quota],
            },
        )]);
        let refs: Vec<&Manifest> = objects.iter().collect();
        let report = check(&refs, &namespaces, None, "shop");
        assert_eq!(report.workloads[0].namespace, "shop");
        assert!(report.rejected(), "{report:?}");
        let report = check(&refs, &namespaces, None, "default");
        assert_eq!(report.workloads[0].namespace, "default");
        assert!(!report.rejected(), "{report:?}");
    }
}
