//! The playbook's checklists as ✓/✗ rows: `preflight` before a release, `verify` after one.
//! Each row says what was checked and what was found; a failed blocking row fails the command.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use shipshape::manifests::{Manifest, Origin};
use shipshape::output::{Report, Table, Tone};

/// One row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub check: String,
    pub passed: bool,
    /// A failed blocking row fails the checklist; others warn.
    pub blocking: bool,
    pub detail: String,
}

/// A checklist (`kind: Checklist`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checklist {
    pub name: String,
    pub rows: Vec<Row>,
}

impl Checklist {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, check: &str, passed: bool, blocking: bool, detail: impl Into<String>) {
        self.rows.push(Row {
            check: check.to_owned(),
            passed,
            blocking,
            detail: detail.into(),
        });
    }

    /// Whether a blocking row failed.
    pub fn blocked(&self) -> bool {
        self.rows.iter().any(|r| r.blocking && !r.passed)
    }
}

impl Report for Checklist {
    const KIND: &'static str = "Checklist";

    fn human(&self, _wide: bool) -> String {
        let color = shipshape::output::color_enabled(&std::io::stdout());
        let mut table = Table::new(["", "CHECK", "DETAIL"]);
        table.color(color);
        for row in &self.rows {
            let mark = match (row.passed, row.blocking) {
                (true, _) => ("✓".to_owned(), Tone::Good),
                (false, true) => ("✗".to_owned(), Tone::Bad),
                (false, false) => ("!".to_owned(), Tone::Warn),
            };
            table.toned_row(vec![
                mark,
                (row.check.clone(), Tone::Plain),
                (row.detail.clone(), Tone::Plain),
            ]);
        }
        let failed = self.rows.iter().filter(|r| !r.passed && r.blocking).count();
        let warned = self
            .rows
            .iter()
            .filter(|r| !r.passed && !r.blocking)
            .count();
        format!(
            "{}{}: {} passed, {failed} blocking, {warned} warning(s)\n",
            table.render(),
            self.name,
            self.rows.iter().filter(|r| r.passed).count()
        )
    }
}

fn manifest(object: Value) -> Manifest {
    Manifest::live(object, Origin::Cluster("preflight".into()))
}

/// What preflight looked at.
pub struct Preflight<'a> {
    /// The primary Deployment with the new image in its template.
    pub release: &'a Value,
    /// PDBs and HPAs of the namespace, and the Namespace itself.
    pub related: &'a [Value],
    /// The namespace's LimitRanges and ResourceQuotas (live, with usage).
    pub limit_ranges: &'a [Value],
    pub quotas: &'a [shipshape::admission::Quota],
    /// Canary pods at the maximum weight.
    pub canary_pods: i64,
    /// The Deployment's recorded revisions (ReplicaSets).
    pub revisions: usize,
    /// Whether a canary run is in progress.
    pub running: Option<String>,
}

/// The pure part of preflight: harden's audit of the release, availability, image pinning,
/// quota headroom for the canary pods, a revision to roll back to, no canary running.
pub fn preflight(input: &Preflight<'_>, list: &mut Checklist) {
    let mut objects = vec![manifest(input.release.clone())];
    objects.extend(input.related.iter().cloned().map(manifest));
    let report = kubectl_harden::audit::audit(&objects, &kubectl_harden::audit::Options::default());
    let findings: Vec<&kubectl_harden::audit::Finding> = report
        .findings
        .iter()
        .filter(|f| !f.ignored && f.index == Some(0))
        .collect();
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == kubectl_harden::checks::Severity::Error)
        .map(|f| format!("{}: {}", f.check, f.message))
        .collect();
    list.row(
        "harden audit of the new pod template",
        errors.is_empty(),
        true,
        if errors.is_empty() {
            format!(
                "no errors ({} warning or info findings: `kubectl harden audit`)",
                findings.len()
            )
        } else {
            errors.join("; ")
        },
    );
    let by = |check: &str| {
        findings
            .iter()
            .find(|f| f.check == check)
            .map(|f| f.message.clone())
    };
    let replicas = shipshape::workload::replicas(input.release).unwrap_or(1);
    list.row(
        "replicas ≥ 2",
        replicas >= 2,
        false,
        format!("{replicas} replica(s)"),
    );
    let budget = by("pdb-missing").or_else(|| by("pdb-blocks-eviction"));
    list.row(
        "a PodDisruptionBudget that allows evictions",
        replicas >= 2 && budget.is_none(),
        false,
        budget.unwrap_or_else(|| "covered".into()),
    );
    let untagged = by("image-untagged").or_else(|| by("image-invalid"));
    list.row(
        "image pinned",
        untagged.is_none(),
        true,
        untagged.unwrap_or_else(|| {
            by("image-mutable-tag").map_or("pinned by digest".into(), |m| {
                format!("tag, not digest: {m}")
            })
        }),
    );
    let release = manifest(input.release.clone());
    let namespace = release.namespace().unwrap_or("default").to_owned();
    let namespaces = BTreeMap::from([(
        namespace.clone(),
        kubectl_quota::check::Namespace {
            limit_ranges: input.limit_ranges.to_vec(),
            quotas: input.quotas.to_vec(),
        },
    )]);
    let check = kubectl_quota::check::check(
        &[&release],
        &namespaces,
        Some(input.canary_pods),
        &namespace,
    );
    let problems: Vec<String> = check
        .workloads
        .iter()
        .flat_map(|w| w.problems.iter().map(|p| p.message.clone()))
        .collect();
    list.row(
        "quota headroom for the canary pods",
        problems.is_empty(),
        true,
        if problems.is_empty() {
            format!(
                "{} canary pod(s) fit the namespace's quotas and LimitRanges",
                input.canary_pods
            )
        } else {
            problems.join("; ")
        },
    );
    list.row(
        "a recorded revision to roll back to",
        input.revisions >= 1,
        false,
        format!("{} ReplicaSet revision(s) recorded", input.revisions),
    );
    list.row(
        "no canary already running",
        input.running.is_none(),
        true,
        input.running.clone().unwrap_or_else(|| "none".into()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn release(image: &str, replicas: i64) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "web", "image": image, "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}}}]}}}})
    }

    #[test]
    fn rows_block_on_audit_errors_unpinned_images_quota_and_running_canaries() {
        let good = release("registry.example/web:1.1", 4);
        let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "web"}}}});
        let quota = shipshape::admission::Quota::from_object(
            &json!({"metadata": {"name": "q"}, "spec": {"hard": {"requests.cpu": "1"}}, "status": {"hard": {"requests.cpu": "1"}, "used": {"requests.cpu": "900m"}}}),
        );
        let input = Preflight {
            release: &good,
            related: std::slice::from_ref(&pdb),
            limit_ranges: &[],
            quotas: &[],
            canary_pods: 2,
            revisions: 1,
            running: None,
        };
        let mut list = Checklist::new("preflight");
        preflight(&input, &mut list);
        assert!(!list.blocked(), "{list:?}");

        let bad = release("web", 1);
        let quotas = [quota];
        let input = Preflight {
            release: &bad,
            related: &[],
            limit_ranges: &[],
            quotas: &quotas,
            canary_pods: 2,
            revisions: 0,
            running: Some("step 3 at 30%".into()),
        };
        let mut list = Checklist::new("preflight");
        preflight(&input, &mut list);
        let failed: Vec<&str> = list
            .rows
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.check.as_str())
            .collect();
        assert_eq!(
            failed,
            [
                "replicas ≥ 2",
                "a PodDisruptionBudget that allows evictions",
                "image pinned",
                "quota headroom for the canary pods",
                "a recorded revision to roll back to",
                "no canary already running"
            ]
        );
        assert!(list.blocked());
        let quota_row = list
            .rows
            .iter()
            .find(|r| r.check.starts_with("quota"))
            .unwrap();
        assert!(
            quota_row
                .detail
                .starts_with("exceeded quota: q, requested: requests.cpu=200m"),
            "{}",
            quota_row.detail
        );
    }
}
