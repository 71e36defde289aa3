//! Plugins running in the cluster (`canary start --detach`, the `drtest schedule` CronJob): the
//! pod they run in, from the suite's image (the repository's Dockerfile), under a ServiceAccount
//! of their own, meeting the restricted Pod Security Standard — what `kubectl harden` asks of
//! every workload.

use serde_json::{Value, json};

/// The user and group the image runs as (distroless `nonroot`).
pub const NONROOT: i64 = 65532;

/// A pod spec running `binary args…` from `image` as `service_account`.
pub fn pod_spec(
    service_account: &str,
    container: &str,
    image: &str,
    binary: &str,
    args: &[String],
    restart_policy: &str,
) -> Value {
    json!({
        "serviceAccountName": service_account,
        "restartPolicy": restart_policy,
        "securityContext": {
            "runAsNonRoot": true,
            "runAsUser": NONROOT,
            "runAsGroup": NONROOT,
            "fsGroup": NONROOT,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [{
            "name": container,
            "image": image,
            "command": [format!("/usr/local/bin/{binary}")],
            "args": args,
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "capabilities": {"drop": ["ALL"]},
            },
            "resources": {
                "requests": {"cpu": "50m", "memory": "64Mi"},
                "limits": {"cpu": "500m", "memory": "256Mi"},
            },
        }],
    })
}
