//! `kubectl canary start --detach`: the same loop as a Kubernetes Job, so a release goes on
//! without the laptop. The Job runs `kubectl-canary resume` from the suite's image under a
//! ServiceAccount whose Role allows exactly what a run does, in the run's namespace only; its
//! pod meets the restricted Pod Security Standard.

use serde_json::{Value, json};

use crate::release::traffic::named;
use crate::release::{Record, labels};

/// What this run touches, and how: named objects by `resourceNames` (an object created by
/// server-side apply is authorized as `create` with its name, so creates are named too), and
/// only the traffic kind in use. What cannot be named stays namespaced: the Lease is created by
/// POST (no name to authorize), and pods and ReplicaSets are listed to read the canary's
/// status.
fn rules(record: &Record) -> Value {
    let canary = record.canary();
    let mut rules = vec![
        // The primary is scaled and, on promotion, given the new template; never deleted.
        named(
            "apps",
            "deployments",
            std::slice::from_ref(&record.deployment),
            &["get", "patch", "update"],
        ),
        named(
            "apps",
            "deployments",
            std::slice::from_ref(&canary),
            &["get", "create", "patch", "update", "delete"],
        ),
        json!({"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": ["get", "list"]}),
        json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}),
        named(
            "",
            "configmaps",
            &[crate::release::state_name(&record.deployment)],
            &["get", "create", "patch"],
        ),
        json!({"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]}),
        named(
            "coordination.k8s.io",
            "leases",
            &[format!("{}-canary", record.deployment)],
            &["get", "update", "delete"],
        ),
    ];
    rules.extend(record.traffic.strategy().grants());
    Value::Array(rules)
}

/// The ServiceAccount, Role, RoleBinding and Job that drive a run in the cluster.
pub fn objects(record: &Record, image: &str) -> Vec<Value> {
    let name = format!("{}-canary-runner", record.deployment);
    let namespace = &record.namespace;
    let labels = labels(&record.deployment);
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
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta(&name), "rules": rules(record)}),
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
    use crate::release::Traffic;
    use crate::release::traffic::nginx::Nginx;
    use crate::release::traffic::route::Route;

    /// A replicas run of deployment shop/web.
    fn record() -> Record {
        serde_json::from_value(json!({
        "deployment": "web", "namespace": "shop", "container": "web", "image": "web:1.1",
        "config": {"stepWeight": 10, "maxWeight": 50, "threshold": 5, "onNoData": "fail", "manualGate": false},
        "intervalSeconds": 30, "checks": [], "prometheus": "http://p:9090", "totalReplicas": 4,
        "originalTemplate": {}, "state": {"phase": "Progressing", "weight": 10, "step": 0, "failedChecks": 0, "lastChecks": []},
        "started": "2026-11-22T07:00:00Z", "events": []
    }))
    .expect("record")
    }

    #[test]
    fn the_runner_passes_hardens_restricted_audit() {
        let record = record();
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
    fn the_runner_may_touch_only_the_traffic_kind_in_use_and_named_objects() {
        let mut record = record();
        let grants = |rules: &Value, group: &str, resource: &str| -> Vec<(Value, Value)> {
            rules
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| r["apiGroups"] == json!([group]) && r["resources"] == json!([resource]))
                .map(|r| (r["verbs"].clone(), r["resourceNames"].clone()))
                .collect()
        };
        let kinds = [
            ("gateway.networking.k8s.io", "httproutes"),
            ("networking.istio.io", "virtualservices"),
            ("networking.k8s.io", "ingresses"),
            ("", "services"),
        ];
        // Replicas: no traffic object at all, and the Deployments by name.
        let granted = rules(&record);
        for (group, resource) in kinds {
            assert!(grants(&granted, group, resource).is_empty(), "{resource}");
        }
        assert_eq!(
            grants(&granted, "apps", "deployments"),
            [
                (json!(["get", "patch", "update"]), json!(["web"])),
                (
                    json!(["get", "create", "patch", "update", "delete"]),
                    json!(["web-canary"])
                ),
            ]
        );
        // An Istio VirtualService: that one by name, its Services, nothing of the other kinds.
        record.traffic = Traffic::GatewayApi(Route {
            route: "shop".into(),
            rule: 0,
            original: json!([]),
            service: "web".into(),
            selector: json!({"app": "web"}),
            istio: true,
        });
        let granted = rules(&record);
        assert_eq!(
            grants(&granted, "networking.istio.io", "virtualservices"),
            [(json!(["get", "patch"]), json!(["shop"]))]
        );
        assert_eq!(
            grants(&granted, "", "services"),
            [(
                json!(["get", "create", "patch", "delete"]),
                json!(["web", "web-canary"])
            )]
        );
        assert!(grants(&granted, "gateway.networking.k8s.io", "httproutes").is_empty());
        assert!(grants(&granted, "networking.k8s.io", "ingresses").is_empty());
        // NGINX: the primary Ingress and its canary twin.
        record.traffic = Traffic::Nginx(Nginx {
            ingress: "shop".into(),
            service: "web".into(),
            selector: json!({"app": "web"}),
        });
        assert_eq!(
            grants(&rules(&record), "networking.k8s.io", "ingresses"),
            [(
                json!(["get", "create", "patch", "delete"]),
                json!(["shop", "shop-canary"])
            )]
        );
    }
}
