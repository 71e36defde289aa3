//! `kubectl drtest schedule`: the in-cluster weekly drill. A CronJob runs `kubectl-drtest run`
//! from the suite's image under a ServiceAccount whose ClusterRole and Roles allow exactly what a
//! drill does (the e2e tests run a drill with nothing more), and optionally the playbook's Velero
//! Schedule that makes the backups the drill restores.

use serde_json::{Value, json};

/// What the generated objects are for.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The CronJob's (and ServiceAccount's, and bindings') name.
    pub name: String,
    /// Where the CronJob runs.
    pub namespace: String,
    pub cron: String,
    pub image: String,
    /// `kubectl-drtest run`'s arguments, without the smoke Job file.
    pub run_args: Vec<String>,
    /// The smoke Job's manifest, mounted from a ConfigMap.
    pub smoke_job: Option<Value>,
    pub velero_namespace: String,
    /// Where drill reports are recorded (None: not recorded).
    pub history_namespace: Option<String>,
    /// How long a drill may take: the Job's deadline.
    pub timeout_seconds: u64,
    /// The Velero Schedule to generate too: (every, ttl, storage location), for the namespaces.
    pub velero_schedule: Option<(String, String, Option<String>)>,
    pub namespaces: Vec<String>,
}

/// Where the smoke Job file is mounted in the drill's pod.
const SMOKE_DIR: &str = "/etc/drtest";

/// Cluster-wide: the sandbox namespaces' names are only known at run time. What is granted
/// everywhere is only what makes a sandbox: the namespace itself and the RoleBinding of
/// [`sandbox_rules`] inside it (`bind` on that one ClusterRole); the policy below confines
/// every one of these writes to labelled sandboxes.
fn cluster_rules(sandbox_role: &str) -> Value {
    json!([
        // Sandbox namespaces: created by server-side apply, read back, deleted.
        {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "create", "patch", "delete"]},
        // The drill's RoleBinding in each sandbox, of the sandbox role only.
        // (server-side apply authorizes a create by its name, so all three are named).
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings"], "resourceNames": [SANDBOX_BINDING], "verbs": ["get", "create", "patch"]},
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "resourceNames": [sandbox_role], "verbs": ["bind"]},
    ])
}

/// The name of the drill's RoleBinding in each sandbox.
pub const SANDBOX_BINDING: &str = "drtest";

/// Inside one sandbox, through the RoleBinding the drill creates there (never bound
/// cluster-wide): only the verbs the drill uses.
fn sandbox_rules() -> Value {
    json!([
        // The isolating NetworkPolicy.
        {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": ["get", "create", "patch"]},
        // Readiness of what was restored.
        {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "daemonsets"], "verbs": ["list"]},
        {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": ["list"]},
        // The smoke Job, its pods and their logs.
        {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "create", "patch"]},
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]},
        {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
        // HTTP checks through the service proxy.
        {"apiGroups": [""], "resources": ["services/proxy"], "verbs": ["get"]},
    ])
}

/// What RBAC cannot say: the ClusterRole's writes (namespaces, the sandbox RoleBinding) apply
/// only to drill sandboxes, namespaces carrying [`crate::labels::DRILL_LABEL`]. A
/// ValidatingAdmissionPolicy bound to the drill's ServiceAccount denies the rest: creating a
/// namespace without the label, changing or deleting one that does not carry it, and writing
/// RoleBindings (and, should a grant ever reach them, Jobs and NetworkPolicies) in any other
/// namespace: binding the sandbox role in kube-system, say.
fn sandbox_policy(name: &str, user: &str, labels: &Value) -> [Value; 2] {
    let label = crate::labels::DRILL_LABEL;
    let labelled = |object: &str| {
        format!("(has({object}.metadata.labels) && '{label}' in {object}.metadata.labels)")
    };
    let expression = format!(
        "request.resource.resource == 'namespaces' ? (request.operation == 'CREATE' ? {} : {}) : (namespaceObject != null && {})",
        labelled("object"),
        labelled("oldObject"),
        labelled("namespaceObject"),
    );
    // `matchConstraints` is an atomic struct: written with the API server's defaults (matchPolicy,
    // the empty selectors, each rule's scope) so that applying this policy again, after
    // `kubectl apply` of the printed YAML, is the same value and no conflict.
    let rule = |group: &str, resource: &str| json!({"apiGroups": [group], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE", "DELETE"], "resources": [resource], "scope": "*"});
    [
        json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {
                "matchPolicy": "Equivalent",
                "namespaceSelector": {},
                "objectSelector": {},
                "resourceRules": [
                    rule("", "namespaces"),
                    rule("batch", "jobs"),
                    rule("networking.k8s.io", "networkpolicies"),
                    rule("rbac.authorization.k8s.io", "rolebindings"),
                ],
            },
            "matchConditions": [{"name": "the-drill-service-account", "expression": format!("request.userInfo.username == '{user}'")}],
            "validations": [{
                "expression": expression,
                "reason": "Forbidden",
                "message": format!("{user} may only create, change and delete drill sandboxes (namespaces labelled {label}) and Jobs, NetworkPolicies and RoleBindings inside them"),
            }],
        }}),
        json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": name, "labels": labels},
            "spec": {"policyName": name, "validationActions": ["Deny"]}}),
    ]
}

/// In Velero's namespace: read backups and locations, create and delete the drill's Restore and
/// DownloadRequest.
fn velero_rules() -> Value {
    json!([
        {"apiGroups": ["velero.io"], "resources": ["backups", "backupstoragelocations"], "verbs": ["list"]},
        {"apiGroups": ["velero.io"], "resources": ["restores"], "verbs": ["get", "create", "patch", "delete"]},
        {"apiGroups": ["velero.io"], "resources": ["downloadrequests"], "verbs": ["get", "create", "delete"]},
    ])
}

/// Where reports are recorded: the drill's ConfigMaps, and the trimming of old ones.
fn history_rules() -> Value {
    json!([
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "create", "patch", "delete"]},
    ])
}

/// The objects, in the order they should be applied.
pub fn objects(plan: &Plan) -> Vec<Value> {
    let name = &plan.name;
    let namespace = &plan.namespace;
    let labels = json!({"app.kubernetes.io/name": "drtest", "app.kubernetes.io/instance": name, "app.kubernetes.io/managed-by": "shipshape-drtest"});
    let meta = |name: &str, namespace: Option<&str>| {
        let mut meta = json!({"name": name, "labels": labels});
        if let Some(ns) = namespace {
            meta["namespace"] = json!(ns);
        }
        meta
    };
    let subject = json!([{"kind": "ServiceAccount", "name": name, "namespace": namespace}]);
    // Cluster-scoped names must not collide between namespaces.
    let cluster_name = format!("drtest-{namespace}-{name}");
    let role = |role_namespace: &str, rules: Value| -> [Value; 2] {
        let role_name = format!("drtest-{namespace}-{name}");
        [
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta(&role_name, Some(role_namespace)), "rules": rules}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta(&role_name, Some(role_namespace)),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role_name}, "subjects": subject}),
        ]
    };
    let user = format!("system:serviceaccount:{namespace}:{name}");
    let sandbox_role = format!("{cluster_name}-sandbox");
    let [policy, policy_binding] = sandbox_policy(&cluster_name, &user, &labels);
    // The policy comes before the ClusterRoleBinding, so there is no moment when the grant
    // reaches outside the sandboxes.
    let mut objects = vec![
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name, Some(namespace))}),
        policy,
        policy_binding,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta(&sandbox_role, None), "rules": sandbox_rules()}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta(&cluster_name, None), "rules": cluster_rules(&sandbox_role)}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": meta(&cluster_name, None),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_name}, "subjects": subject}),
    ];
    match &plan.history_namespace {
        Some(history) if *history == plan.velero_namespace => {
            let mut rules = velero_rules();
            if let (Some(rules), Some(more)) = (rules.as_array_mut(), history_rules().as_array()) {
                rules.extend(more.iter().cloned());
            }
            objects.extend(role(&plan.velero_namespace, rules));
        }
        Some(history) => {
            objects.extend(role(&plan.velero_namespace, velero_rules()));
            objects.extend(role(history, history_rules()));
        }
        None => objects.extend(role(&plan.velero_namespace, velero_rules())),
    }
    let mut args = plan.run_args.clone();
    args.extend([
        "--sandbox-role".into(),
        sandbox_role.clone(),
        "--sandbox-account".into(),
        format!("{namespace}/{name}"),
    ]);
    let mut volumes = Vec::new();
    let mut mounts = Vec::new();
    if let Some(job) = &plan.smoke_job {
        let config_map = format!("{name}-smoke");
        let text = shipshape::output::to_yaml(job).unwrap_or_default();
        objects.push(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(&config_map, Some(namespace)), "data": {"smoke-job.yaml": text}}));
        volumes.push(json!({"name": "smoke", "configMap": {"name": config_map}}));
        mounts.push(json!({"name": "smoke", "mountPath": SMOKE_DIR, "readOnly": true}));
        args.extend(["--smoke-job".into(), format!("{SMOKE_DIR}/smoke-job.yaml")]);
    }
    let mut pod = shipshape::runner::pod_spec(
        name,
        "drtest",
        &plan.image,
        "kubectl-drtest",
        &args,
        "Never",
    );
    if !volumes.is_empty() {
        pod["volumes"] = json!(volumes);
        pod["containers"][0]["volumeMounts"] = json!(mounts);
    }
    objects.push(json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": meta(name, Some(namespace)),
        "spec": {
            "schedule": plan.cron,
            // One drill at a time: a slow drill is not joined by the next one.
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 3600,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 5,
            "jobTemplate": {
                "metadata": {"labels": labels},
                "spec": {
                    // A failed drill is a result, not something to retry.
                    "backoffLimit": 0,
                    // The drill's own waits, plus time to clean up.
                    "activeDeadlineSeconds": plan.timeout_seconds * 4 + 600,
                    "ttlSecondsAfterFinished": 7 * 24 * 3600,
                    "template": {"metadata": {"labels": labels}, "spec": pod},
                },
            },
        },
    }));
    if let Some((every, ttl, location)) = &plan.velero_schedule {
        let mut template =
            json!({"includedNamespaces": plan.namespaces, "ttl": ttl, "snapshotVolumes": true});
        if let Some(location) = location {
            template["storageLocation"] = json!(location);
        }
        objects.push(json!({
            "apiVersion": "velero.io/v1",
            "kind": "Schedule",
            "metadata": meta(&format!("{name}-backup"), Some(&plan.velero_namespace)),
            "spec": {"schedule": format!("@every {every}"), "template": template, "useOwnerReferencesInBackup": false},
        }));
    }
    objects
}

/// `--every 6h` as Velero's `@every` accepts it (Go durations: `6h`, `90m`, `1h30m`).
pub fn every(text: &str) -> Result<String, String> {
    let duration = shipshape::duration::parse(text)?;
    if duration.as_secs() < 60 {
        return Err(format!(
            "`{text}`: backups more often than every minute are not a schedule"
        ));
    }
    Ok(go_duration(duration))
}

/// A duration as Go prints it (`168h0m0s`), which is how Velero stores `ttl`.
pub fn go_duration(duration: std::time::Duration) -> String {
    let s = duration.as_secs();
    format!("{}h{}m{}s", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            name: "drtest-weekly".into(),
            namespace: "drtest-system".into(),
            cron: "0 0 * * 0".into(),
            image: "registry.example/shipshape:0.1.0".into(),
            run_args: vec!["run".into(), "--for".into(), "hastecrm-production".into()],
            smoke_job: Some(
                json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "smoke"}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "curl:8"}]}}}}),
            ),
            velero_namespace: "velero".into(),
            history_namespace: Some("velero".into()),
            timeout_seconds: 1800,
            velero_schedule: Some(("6h0m0s".into(), "168h0m0s".into(), Some("secondary".into()))),
            namespaces: vec!["hastecrm-production".into()],
        }
    }

    #[test]
    fn the_cronjob_is_forbid_hardened_and_mounts_the_smoke_job() {
        let objects = objects(&plan());
        let kinds: Vec<&str> = objects.iter().filter_map(|o| o["kind"].as_str()).collect();
        assert_eq!(
            kinds,
            [
                "ServiceAccount",
                "ValidatingAdmissionPolicy",
                "ValidatingAdmissionPolicyBinding",
                "ClusterRole",
                "ClusterRole",
                "ClusterRoleBinding",
                "Role",
                "RoleBinding",
                "ConfigMap",
                "CronJob",
                "Schedule"
            ]
        );
        let cron = &objects[9];
        assert_eq!(cron["spec"]["concurrencyPolicy"], "Forbid");
        let container = &cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["command"][0], "/usr/local/bin/kubectl-drtest");
        assert_eq!(
            container["args"],
            json!([
                "run",
                "--for",
                "hastecrm-production",
                "--sandbox-role",
                "drtest-drtest-system-drtest-weekly-sandbox",
                "--sandbox-account",
                "drtest-system/drtest-weekly",
                "--smoke-job",
                "/etc/drtest/smoke-job.yaml"
            ])
        );
        assert_eq!(objects[10]["spec"]["schedule"], "@every 6h0m0s");
        assert_eq!(
            objects[10]["spec"]["template"]["storageLocation"],
            "secondary"
        );
        // harden finds no error in what it generates.
        let errors = kubectl_harden::audit::errors_in_generated(&objects);
        assert_eq!(errors, Vec::<String>::new());
    }

    #[test]
    fn every_is_a_go_duration() {
        assert_eq!(every("6h").as_deref(), Ok("6h0m0s"));
        assert_eq!(every("90m").as_deref(), Ok("1h30m0s"));
        assert!(every("10s").is_err());
    }
}
