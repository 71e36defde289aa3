//! The defaults the API server fills in that kubectl and the plugins rely on.

use super::*;

fn default(object: &mut Value, path: &[&str], value: Value) {
    let mut node = object;
    for key in &path[..path.len() - 1] {
        if !node[*key].is_object() {
            node[*key] = json!({});
        }
        node = &mut node[*key];
    }
    let last = path[path.len() - 1];
    if node[last].is_null() {
        node[last] = value;
    }
}

/// The defaults the API server fills in that kubectl relies on (rollout status reads the
/// update strategies; describe shows them).
pub(super) fn apply_defaults(object: &mut Value) {
    match object["kind"].as_str().unwrap_or_default() {
        "Deployment" => {
            default(object, &["spec", "replicas"], json!(1));
            default(object, &["spec", "revisionHistoryLimit"], json!(10));
            default(object, &["spec", "progressDeadlineSeconds"], json!(600));
            default(
                object,
                &["spec", "strategy", "type"],
                json!("RollingUpdate"),
            );
            if object["spec"]["strategy"]["type"] == "RollingUpdate" {
                default(
                    object,
                    &["spec", "strategy", "rollingUpdate", "maxSurge"],
                    json!("25%"),
                );
                default(
                    object,
                    &["spec", "strategy", "rollingUpdate", "maxUnavailable"],
                    json!("25%"),
                );
            }
        }
        "StatefulSet" => {
            default(object, &["spec", "replicas"], json!(1));
            default(
                object,
                &["spec", "podManagementPolicy"],
                json!("OrderedReady"),
            );
            default(object, &["spec", "revisionHistoryLimit"], json!(10));
            default(
                object,
                &["spec", "updateStrategy", "type"],
                json!("RollingUpdate"),
            );
            if object["spec"]["updateStrategy"]["type"] == "RollingUpdate" {
                default(
                    object,
                    &["spec", "updateStrategy", "rollingUpdate", "partition"],
                    json!(0),
                );
            }
        }
        "DaemonSet" => {
            default(
                object,
                &["spec", "updateStrategy", "type"],
                json!("RollingUpdate"),
            );
            default(object, &["spec", "revisionHistoryLimit"], json!(10));
        }
        "LimitRange" => crate::admission::limit_ranger::default_object(object),
        "Job" => {
            default(object, &["spec", "backoffLimit"], json!(6));
            default(object, &["spec", "completions"], json!(1));
            default(object, &["spec", "parallelism"], json!(1));
        }
        "Service" => {
            default(object, &["spec", "type"], json!("ClusterIP"));
            if object["spec"]["clusterIP"].is_null() {
                let name = object["metadata"]["name"].as_str().unwrap_or_default();
                let n = name
                    .bytes()
                    .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
                object["spec"]["clusterIP"] =
                    json!(format!("10.96.{}.{}", n % 250, (n / 250) % 250 + 1));
            }
        }
        _ => {}
    }
}
