//! What the author set, told from what the API server defaulted, on objects read from a cluster.
//!
//! A real API server fills in defaults before it stores a pod template: a probe's
//! `timeoutSeconds: 1`, `periodSeconds: 10`, `successThreshold: 1`, `failureThreshold: 3`, a
//! container's `imagePullPolicy` (Always for `:latest` or no tag, else IfNotPresent). Read back,
//! a probe the author left to its defaults looks explicit. [`strip_server_defaults`] removes such
//! a value again unless the author demonstrably set it:
//!
//! - a manager whose operation is `Apply` (server-side apply: `kubectl apply --server-side`,
//!   Helm 4, Argo CD, Flux, `shipshape-*`) lists it in its `managedFields`: apply records exactly
//!   the fields of the applied configuration, never defaults;
//! - or the `kubectl.kubernetes.io/last-applied-configuration` annotation of client-side
//!   `kubectl apply` holds it.
//!
//! A value that differs from the default was set by someone and is always kept. What stays
//! ambiguous is a value equal to the default written by an `Update` (`kubectl create`, `kubectl
//! edit`, a client's PUT): its manager owns the defaults too, so it is treated as left to the
//! default, which is what it is in effect.

use serde_json::Value;

/// The probe fields and the values the API server defaults them to.
const PROBE_DEFAULTS: [(&str, i64); 4] = [
    ("timeoutSeconds", 1),
    ("periodSeconds", 10),
    ("successThreshold", 1),
    ("failureThreshold", 3),
];

const PROBES: [&str; 3] = ["livenessProbe", "readinessProbe", "startupProbe"];

/// The path from the object to its pod spec, by kind.
fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pod" => &["spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController"
        | "PodTemplate" => &["spec", "template", "spec"],
        _ => return None,
    })
}

/// What the author provably wrote for one container field: the fieldsV1 of every `Apply`
/// manager, and the last applied configuration.
struct Authored<'a> {
    applied: Vec<&'a Value>,
    last_applied: Option<Value>,
    path: &'static [&'static str],
}

impl Authored<'_> {
    /// Whether `list[name=container].field.sub` (sub optional) was set by the author.
    fn set(&self, list: &str, container: &str, field: &str, sub: Option<&str>) -> bool {
        let key = format!("k:{}", serde_json::json!({ "name": container }));
        let owned = self.applied.iter().any(|fields| {
            let mut node = *fields;
            for step in self.path {
                node = &node[format!("f:{step}")];
            }
            let mut node = &node[format!("f:{list}")][&key][format!("f:{field}")];
            if let Some(sub) = sub {
                node = &node[format!("f:{sub}")];
            }
            !node.is_null()
        });
        owned
            || self.last_applied.as_ref().is_some_and(|config| {
                let mut node = config;
                for step in self.path {
                    node = &node[*step];
                }
                node[list].as_array().into_iter().flatten().any(|c| {
                    c["name"] == container && {
                        let value = &c[field];
                        match sub {
                            Some(sub) => !value[sub].is_null(),
                            None => !value.is_null(),
                        }
                    }
                })
            })
    }
}

/// The pull policy the API server defaults a container with this image to.
pub fn default_pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) if tag != "latest" => "IfNotPresent",
        _ => "Always",
    }
}

/// Removes from a live object's pod template the probe settings and pull policies that equal
/// the server's defaults and that no `Apply` manager and no last applied configuration names
/// (see the module documentation). Objects without a pod template are left alone.
pub fn strip_server_defaults(object: &mut Value) {
    let Some(path) = pod_spec_path(object["kind"].as_str().unwrap_or_default()) else {
        return;
    };
    let metadata = &object["metadata"];
    let applied: Vec<Value> = metadata["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["operation"] == "Apply")
        .map(|m| m["fieldsV1"].clone())
        .collect();
    let authored = Authored {
        applied: applied.iter().collect(),
        last_applied: metadata["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .as_str()
            .and_then(|text| serde_json::from_str(text).ok()),
        path,
    };
    let mut spec = &mut *object;
    for step in path {
        spec = &mut spec[*step];
    }
    if !spec.is_object() {
        return;
    }
    for list in ["initContainers", "containers"] {
        let Some(containers) = spec.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for container in containers {
            let name = container["name"].as_str().unwrap_or_default().to_owned();
            for probe in PROBES {
                let Some(settings) = container.get_mut(probe).and_then(Value::as_object_mut) else {
                    continue;
                };
                for (field, default) in PROBE_DEFAULTS {
                    if settings.get(field).and_then(Value::as_i64) == Some(default)
                        && !authored.set(list, &name, probe, Some(field))
                    {
                        settings.remove(field);
                    }
                }
            }
            let image = container["image"].as_str().unwrap_or_default();
            if container["imagePullPolicy"].as_str() == Some(default_pull_policy(image))
                && !authored.set(list, &name, "imagePullPolicy", None)
                && let Some(map) = container.as_object_mut()
            {
                map.remove("imagePullPolicy");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(managed: Value, annotations: Value) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "api", "managedFields": managed, "annotations": annotations},
            "spec": {"template": {"spec": {"containers": [{
                "name": "api", "image": "api:1.0", "imagePullPolicy": "IfNotPresent",
                "livenessProbe": {"httpGet": {"path": "/", "port": 80}, "timeoutSeconds": 1,
                    "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 5},
            }]}}},
        })
    }

    fn probe(object: &Value) -> &Value {
        &object["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]
    }

    #[test]
    fn defaults_no_author_set_are_removed_and_other_values_kept() {
        // Applied with only httpGet: the server defaulted the rest; failureThreshold 5 is
        // nobody's default.
        let mut object = deployment(
            json!([{"manager": "kubectl", "operation": "Apply", "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                "k:{\"name\":\"api\"}": {"f:livenessProbe": {"f:httpGet": {"f:path": {}, "f:port": {}}}}
            }}}}}},
            {"manager": "kube-controller-manager", "operation": "Update", "fieldsV1": {}}]),
            json!({}),
        );
        strip_server_defaults(&mut object);
        assert_eq!(
            probe(&object),
            &json!({"httpGet": {"path": "/", "port": 80}, "failureThreshold": 5})
        );
        assert!(object["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"].is_null());
    }

    #[test]
    fn values_an_apply_manager_or_the_last_applied_configuration_names_are_the_authors() {
        let mut object = deployment(
            json!([{"manager": "argocd", "operation": "Apply", "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                "k:{\"name\":\"api\"}": {"f:livenessProbe": {"f:timeoutSeconds": {}}, "f:imagePullPolicy": {}}
            }}}}}}]),
            json!({}),
        );
        strip_server_defaults(&mut object);
        assert_eq!(probe(&object)["timeoutSeconds"], 1);
        assert!(probe(&object)["periodSeconds"].is_null());
        assert_eq!(
            object["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
            "IfNotPresent"
        );

        let last = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "api", "livenessProbe": {"periodSeconds": 10}}
        ]}}}})
        .to_string();
        let mut object = deployment(
            json!([{"manager": "kubectl-client-side-apply", "operation": "Update", "fieldsV1": {}}]),
            json!({"kubectl.kubernetes.io/last-applied-configuration": last}),
        );
        strip_server_defaults(&mut object);
        assert_eq!(probe(&object)["periodSeconds"], 10);
        assert!(probe(&object)["timeoutSeconds"].is_null());
    }

    #[test]
    fn pull_policy_defaults_follow_the_tag() {
        assert_eq!(default_pull_policy("nginx"), "Always");
        assert_eq!(default_pull_policy("nginx:latest"), "Always");
        assert_eq!(default_pull_policy("registry:5000/nginx"), "Always");
        assert_eq!(
            default_pull_policy("registry:5000/nginx:1.27"),
            "IfNotPresent"
        );
        assert_eq!(default_pull_policy("nginx@sha256:abc"), "IfNotPresent");
    }

    #[test]
    fn objects_without_a_pod_template_are_untouched() {
        let mut object = json!({"kind": "Service", "spec": {"ports": [{"port": 80}]}});
        let before = object.clone();
        strip_server_defaults(&mut object);
        assert_eq!(object, before);
    }
}
