//! `kubectl canary start --detach`: the same loop as a Kubernetes Job, so a release goes on
//! without the laptop. The Job runs `kubectl-canary resume` from the suite's image under a
//! ServiceAccount whose Role allows exactly what a run does, in the run's namespace only; its
//! pod meets the restricted Pod Security Standard.

use serde_json::{Value, json};

use crate::run::{CANARY_OF_LABEL, Record};

/// What a run touches, and how.
fn rules() -> Value {
    json!([
        {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "create", "patch", "update", "delete"]},
        {"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": ["get", "list"]},
        {"apiGroups": [""], "resources": ["services"], "verbs": ["get", "create", "patch", "delete"]},
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "create", "patch"]},
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]},
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get", "create", "update", "delete"]},
        {"apiGroups": ["gateway.networking.k8s.io"], "resources": ["httproutes"], "verbs": ["get", "patch"]},
        {"apiGroups": ["networking.istio.io"], "resources": ["virtualservices"], "verbs": ["get", "patch"]},
        {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses"], "verbs": ["get", "create", "patch", "delete"]},
    ])
}

/// The ServiceAccount, Role, RoleBinding and Job that drive a run in the cluster.
pub fn objects(record: &Record, image: &str) -> Vec<Value> {
    let name = format!("{}-canary-runner", record.deployment);
    let namespace = &record.namespace;
    let labels = json!({CANARY_OF_LABEL: record.deployment, "app.kubernetes.io/managed-by": "shipshape-canary"});
    let meta = |name: &str| json!({"name": name, "namespace": namespace, "labels": labels});
    let job_name = format!(
        "{name}-{}",
        record
            .started
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
    );
    vec![
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(&name)}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta(&name), "rules": rules()}),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta(&name),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}],
        }),
        json!({
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": meta(&job_name),
            "spec": {
                "backoffLimit": 3,
                "ttlSecondsAfterFinished": 86400,
                "template": {
                    "metadata": {"labels": labels},
                    "spec": shipshape::runner::pod_spec(
                        &name,
                        "canary",
                        image,
                        "kubectl-canary",
                        &["resume".into(), record.deployment.clone(), "--namespace".into(), namespace.clone()],
                        "OnFailure",
                    ),
                },
            },
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runner_passes_hardens_restricted_audit() {
        let record: Record = serde_json::from_value(json!({
            "deployment": "web", "namespace": "shop", "container": "web", "image": "web:1.1",
            "config": {"stepWeight": 10, "maxWeight": 50, "threshold": 5, "onNoData": "fail", "manualGate": false},
            "intervalSeconds": 30, "checks": [], "prometheus": "http://p:9090", "totalReplicas": 4,
            "originalTemplate": {}, "state": {"phase": "Progressing", "weight": 10, "step": 0, "failedChecks": 0, "lastChecks": []},
            "started": "2026-11-22T07:00:00Z", "events": []
        }))
        .expect("record");
        let objects = objects(&record, "registry.example/shipshape:0.1.0");
        let job = objects.last().expect("job");
        assert_eq!(
            job["spec"]["template"]["spec"]["containers"][0]["args"],
            json!(["resume", "web", "--namespace", "shop"])
        );
        let errors = kubectl_harden::audit::errors_in_generated(&objects);
        assert_eq!(errors, Vec::<String>::new());
    }

    #[test]
    fn the_runner_may_read_and_patch_every_route_kind() {
        let rules = rules();
        let verbs = |group: &str, resource: &str| -> Vec<Value> {
            rules
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| r["apiGroups"] == json!([group]) && r["resources"] == json!([resource]))
                .flat_map(|r| r["verbs"].as_array().cloned().unwrap_or_default())
                .collect()
        };
        // The driver reads the route at start and JSON-patches one rule's backends.
        for (group, resource) in [
            ("gateway.networking.k8s.io", "httproutes"),
            ("networking.istio.io", "virtualservices"),
        ] {
            assert_eq!(
                verbs(group, resource),
                [json!("get"), json!("patch")],
                "{resource}.{group}"
            );
        }
    }
}
