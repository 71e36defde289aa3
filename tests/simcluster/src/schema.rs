//! Unknown fields: what the API server's strict decoder refuses and its decoder drops.
//!
//! A built-in kind's fields are those of its upstream Go type, which k8s-openapi generates from
//! the same OpenAPI: the object is decoded into the k8s-openapi type and encoded again, and
//! what did not survive is unknown. A custom resource's are its CRD's structural schema
//! (`properties`, `items`, `additionalProperties`, `x-kubernetes-preserve-unknown-fields`,
//! `x-kubernetes-embedded-resource`). The `fieldValidation` parameter decides what happens to
//! them: `Strict` refuses the write (400), `Warn` (the default) and `Ignore` drop them, `Warn`
//! with a `Warning` header each.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::registry::ResourceType;

/// A step into an object: a field or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Field(String),
    Index(usize),
}

/// Where a field is, as `spec.template.spec.containers[0].imagePullPolice` says it.
pub type FieldPath = Vec<Step>;

/// The path as the API server's strict decoding errors print it.
pub fn display(path: &FieldPath) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Field(name) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(name);
            }
            Step::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}

/// `fieldValidation`: Strict, Warn (the default) or Ignore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    Strict,
    Warn,
    Ignore,
}

impl Validation {
    pub fn parse(value: Option<&str>) -> Result<Validation, String> {
        match value.unwrap_or_default() {
            "" | "Warn" => Ok(Validation::Warn),
            "Strict" => Ok(Validation::Strict),
            "Ignore" => Ok(Validation::Ignore),
            other => Err(format!(
                "fieldValidation: Unsupported value: {}: supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
                Value::String(other.to_owned())
            )),
        }
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(object: &Value) -> Option<Value> {
    let typed: T = serde_json::from_value(object.clone()).ok()?;
    serde_json::to_value(typed).ok()
}

/// The object as its k8s-openapi type encodes it, for the built-in kinds simcluster knows;
/// `None` for others and for objects that do not decode (validation refuses those).
fn typed(rt: &ResourceType, object: &Value) -> Option<Value> {
    use k8s_openapi::api::{
        apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch,
        coordination::v1 as coordination, core::v1 as core, networking::v1 as networking,
        policy::v1 as policy, rbac::v1 as rbac, scheduling::v1 as scheduling,
        storage::v1 as storage,
    };
    let mut object = object.clone();
    object["apiVersion"] = Value::String(rt.api_version(rt.version()));
    object["kind"] = Value::String(rt.kind.clone());
    macro_rules! kinds {
        ($(($group:literal, $kind:literal, $ty:ty)),* $(,)?) => {
            match (rt.group.as_str(), rt.kind.as_str()) {
                $(($group, $kind) => round_trip::<$ty>(&object),)*
                _ => None,
            }
        };
    }
    kinds!(
        ("", "ConfigMap", core::ConfigMap),
        ("", "Secret", core::Secret),
        ("", "Service", core::Service),
        ("", "Pod", core::Pod),
        ("", "Namespace", core::Namespace),
        ("", "ServiceAccount", core::ServiceAccount),
        ("", "PersistentVolumeClaim", core::PersistentVolumeClaim),
        ("", "PersistentVolume", core::PersistentVolume),
        ("", "ResourceQuota", core::ResourceQuota),
        ("", "LimitRange", core::LimitRange),
        ("", "Node", core::Node),
        ("", "Event", core::Event),
        ("", "ReplicationController", core::ReplicationController),
        ("apps", "Deployment", apps::Deployment),
        ("apps", "StatefulSet", apps::StatefulSet),
        ("apps", "DaemonSet", apps::DaemonSet),
        ("apps", "ReplicaSet", apps::ReplicaSet),
        ("batch", "Job", batch::Job),
        ("batch", "CronJob", batch::CronJob),
        ("policy", "PodDisruptionBudget", policy::PodDisruptionBudget),
        (
            "networking.k8s.io",
            "NetworkPolicy",
            networking::NetworkPolicy
        ),
        ("networking.k8s.io", "Ingress", networking::Ingress),
        ("rbac.authorization.k8s.io", "Role", rbac::Role),
        (
            "rbac.authorization.k8s.io",
            "RoleBinding",
            rbac::RoleBinding
        ),
        (
            "rbac.authorization.k8s.io",
            "ClusterRole",
            rbac::ClusterRole
        ),
        (
            "rbac.authorization.k8s.io",
            "ClusterRoleBinding",
            rbac::ClusterRoleBinding
        ),
        (
            "autoscaling",
            "HorizontalPodAutoscaler",
            autoscaling::HorizontalPodAutoscaler
        ),
        ("coordination.k8s.io", "Lease", coordination::Lease),
        (
            "scheduling.k8s.io",
            "PriorityClass",
            scheduling::PriorityClass
        ),
        ("storage.k8s.io", "StorageClass", storage::StorageClass),
    )
}

/// The fields of `sent` that `kept` (the same object, decoded and encoded) lost.
fn lost(sent: &Value, kept: &Value, path: &mut FieldPath, out: &mut Vec<FieldPath>) {
    match (sent, kept) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                if value.is_null() {
                    continue;
                }
                path.push(Step::Field(key.clone()));
                match b.get(key) {
                    Some(other) => lost(value, other, path, out),
                    None => out.push(path.clone()),
                }
                path.pop();
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                path.push(Step::Index(i));
                lost(x, y, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The fields of a custom resource its schema does not declare.
fn undeclared(value: &Value, schema: &Value, path: &mut FieldPath, out: &mut Vec<FieldPath>) {
    match value {
        Value::Object(map) => {
            let preserve = schema["x-kubernetes-preserve-unknown-fields"] == true;
            let embedded = schema["x-kubernetes-embedded-resource"] == true || path.is_empty();
            let properties = schema["properties"].as_object();
            let additional = &schema["additionalProperties"];
            for (key, child) in map {
                if embedded && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                path.push(Step::Field(key.clone()));
                match properties.and_then(|p| p.get(key)) {
                    Some(sub) => undeclared(child, sub, path, out),
                    None if additional.is_object() => undeclared(child, additional, path, out),
                    None if *additional == true || preserve => {}
                    None if child.is_null() => {}
                    None => out.push(path.clone()),
                }
                path.pop();
            }
        }
        Value::Array(items) if schema["items"].is_object() => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                undeclared(item, &schema["items"], path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The fields of `object` its kind does not declare. `crd_schema` is the custom resource's
/// `openAPIV3Schema` for the version written.
pub fn unknown_fields(
    rt: &ResourceType,
    object: &Value,
    crd_schema: Option<&Value>,
) -> Vec<FieldPath> {
    let mut out = Vec::new();
    if let Some(schema) = crd_schema {
        undeclared(object, schema, &mut Vec::new(), &mut out);
    } else if let Some(kept) = typed(rt, object) {
        lost(object, &kept, &mut Vec::new(), &mut out);
    }
    out
}

/// Removes the fields at `paths` (as [`unknown_fields`] found them) from `object`.
pub fn prune(object: &mut Value, paths: &[FieldPath]) {
    // The last first, so that list indices stay right.
    for path in paths.iter().rev() {
        let Some((Step::Field(last), parents)) = path.split_last() else {
            continue;
        };
        let mut node = &mut *object;
        for step in parents {
            node = match step {
                Step::Field(name) => &mut node[name.as_str()],
                Step::Index(i) => &mut node[*i],
            };
        }
        if let Some(map) = node.as_object_mut() {
            map.remove(last);
        }
    }
}

/// The strict decoder's error: `strict decoding error: unknown field "spec.foo", …`.
pub fn strict_decoding_error(unknown: &[FieldPath]) -> String {
    let fields: Vec<String> = unknown.iter().map(warning).collect();
    format!("strict decoding error: {}", fields.join(", "))
}

/// One unknown field as a warning: `unknown field "spec.foo"`.
pub fn warning(path: &FieldPath) -> String {
    format!("unknown field {}", Value::String(display(path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployments() -> ResourceType {
        let registry = crate::registry::Registry::default();
        registry
            .find("apps", "v1", "deployments")
            .cloned()
            .expect("deployments")
    }

    #[test]
    fn built_in_kinds_know_their_upstream_fields() {
        let object = json!({"metadata": {"name": "web", "colour": "red"}, "spec": {
            "replicas": 1, "replicaz": 2,
            "template": {"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "imagePullPolice": "Always"}]}}
        }});
        let unknown = unknown_fields(&deployments(), &object, None);
        let names: Vec<String> = unknown.iter().map(display).collect();
        assert_eq!(
            names,
            [
                "metadata.colour",
                "spec.replicaz",
                "spec.template.spec.containers[1].imagePullPolice"
            ]
        );
        let mut pruned = object.clone();
        prune(&mut pruned, &unknown);
        assert!(unknown_fields(&deployments(), &pruned, None).is_empty());
        assert_eq!(pruned["spec"]["replicas"], 1);
        assert_eq!(
            strict_decoding_error(&unknown[..2]),
            "strict decoding error: unknown field \"metadata.colour\", unknown field \"spec.replicaz\""
        );
    }

    #[test]
    fn custom_resources_follow_their_schema() {
        let schema = json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "names": {"type": "array", "items": {"type": "string"}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
            }}
        }});
        let object = json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "a"},
            "spec": {"names": ["a"], "labels": {"any": "b"}, "free": {"z": 1}, "extra": true}});
        let unknown = unknown_fields(&deployments(), &object, Some(&schema));
        assert_eq!(
            unknown.iter().map(display).collect::<Vec<_>>(),
            ["spec.extra"]
        );
    }
}
