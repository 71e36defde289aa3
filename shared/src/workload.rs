//! The pod template of every workload kind, read and written generically.
//!
//! Pod (the spec itself), Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController
//! and Job (`spec.template`), CronJob (`spec.jobTemplate.spec.template`), and any other object
//! with `spec.template.spec` or `spec.jobTemplate.spec.template.spec` (an Argo Rollout, say).
//! Works on the JSON object, so fields this crate does not know survive a round trip.

use k8s_openapi::api::core::v1::{Container, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde_json::Value;

/// Where a kind keeps its pod template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A Pod: `spec` and `metadata` are the pod's own.
    Pod,
    /// `spec.template`: Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
    /// Job and custom kinds shaped like them.
    Template,
    /// `spec.jobTemplate.spec.template`: CronJob and custom kinds shaped like it.
    JobTemplate,
}

impl Shape {
    /// The path of the pod template (the object holding `metadata` and `spec`).
    pub fn template_path(self) -> &'static [&'static str] {
        match self {
            Shape::Pod => &[],
            Shape::Template => &["spec", "template"],
            Shape::JobTemplate => &["spec", "jobTemplate", "spec", "template"],
        }
    }
}

/// The shape of an object, or None when it has no pod template.
pub fn shape(object: &Value) -> Option<Shape> {
    let kind = object["kind"].as_str().unwrap_or_default();
    if kind == "Pod" {
        return object["spec"].is_object().then_some(Shape::Pod);
    }
    if object["spec"]["template"]["spec"].is_object() {
        return Some(Shape::Template);
    }
    if object["spec"]["jobTemplate"]["spec"]["template"]["spec"].is_object() {
        return Some(Shape::JobTemplate);
    }
    None
}

/// Whether the object runs pods.
pub fn is_workload(object: &Value) -> bool {
    shape(object).is_some()
}

fn template(object: &Value) -> Option<&Value> {
    let mut node = object;
    for key in shape(object)?.template_path() {
        node = node.get(key)?;
    }
    Some(node)
}

fn template_mut(object: &mut Value) -> Option<&mut Value> {
    let path = shape(object)?.template_path();
    let mut node = object;
    for key in path {
        node = node.get_mut(key)?;
    }
    Some(node)
}

/// The pod spec, as JSON.
pub fn pod_spec(object: &Value) -> Option<&Value> {
    template(object)?.get("spec")
}

/// The pod spec, as JSON, for editing in place.
pub fn pod_spec_mut(object: &mut Value) -> Option<&mut Value> {
    template_mut(object)?.get_mut("spec")
}

/// The pod spec, typed. `Ok(None)` when the object has no pod template.
pub fn typed_pod_spec(object: &Value) -> Result<Option<PodSpec>, serde_json::Error> {
    pod_spec(object)
        .map(|spec| serde_json::from_value(spec.clone()))
        .transpose()
}

/// Replaces the pod spec with a typed one. Returns false when the object has no pod template.
/// Fields the typed spec does not model are lost: prefer [`pod_spec_mut`] for surgical edits.
pub fn set_pod_spec(object: &mut Value, spec: &PodSpec) -> Result<bool, serde_json::Error> {
    let value = serde_json::to_value(spec)?;
    Ok(match template_mut(object) {
        Some(Value::Object(template)) => {
            template.insert("spec".into(), value);
            true
        }
        _ => false,
    })
}

/// The pod template's metadata (for a Pod, the pod's own metadata).
pub fn pod_metadata(object: &Value) -> Option<&Value> {
    template(object)?.get("metadata")
}

/// The pod template's metadata, created empty when missing, for editing.
pub fn pod_metadata_mut(object: &mut Value) -> Option<&mut Value> {
    match template_mut(object)? {
        Value::Object(template) => Some(
            template
                .entry("metadata")
                .or_insert_with(|| Value::Object(serde_json::Map::new())),
        ),
        _ => None,
    }
}

/// The pod template's metadata, typed.
pub fn typed_pod_metadata(object: &Value) -> Result<Option<ObjectMeta>, serde_json::Error> {
    pod_metadata(object)
        .map(|m| serde_json::from_value(m.clone()))
        .transpose()
}

/// How many pods the workload asks for at once, with the API server's defaults: `spec.replicas`
/// (default 1) for Deployments, StatefulSets, ReplicaSets, ReplicationControllers and custom
/// kinds that have it; `parallelism` (default 1) for Jobs and CronJobs; 1 for a Pod; None for a
/// DaemonSet (one pod per node) and for objects without a pod template.
pub fn replicas(object: &Value) -> Option<i64> {
    let kind = object["kind"].as_str().unwrap_or_default();
    match (kind, shape(object)?) {
        (_, Shape::Pod) => Some(1),
        ("DaemonSet", _) => None,
        ("Job", _) => Some(object["spec"]["parallelism"].as_i64().unwrap_or(1)),
        (_, Shape::JobTemplate) => Some(
            object["spec"]["jobTemplate"]["spec"]["parallelism"]
                .as_i64()
                .unwrap_or(1),
        ),
        (_, Shape::Template) => Some(object["spec"]["replicas"].as_i64().unwrap_or(1)),
    }
}

/// Sets `spec.replicas`. Returns false for kinds that have no replica count.
pub fn set_replicas(object: &mut Value, count: i64) -> bool {
    let kind = object["kind"].as_str().unwrap_or_default();
    if matches!(kind, "DaemonSet" | "Job" | "CronJob" | "Pod")
        || shape(object) != Some(Shape::Template)
    {
        return false;
    }
    match object.get_mut("spec") {
        Some(Value::Object(spec)) => {
            spec.insert("replicas".into(), count.into());
            true
        }
        _ => false,
    }
}

/// The workload's pod selector. A ReplicationController's map selector becomes `matchLabels`; a
/// Job without one selects by its template labels, as the API server defaults it.
pub fn selector(object: &Value) -> Option<LabelSelector> {
    let kind = object["kind"].as_str().unwrap_or_default();
    let spec = match shape(object)? {
        Shape::Pod => return None,
        Shape::Template => &object["spec"],
        Shape::JobTemplate => &object["spec"]["jobTemplate"]["spec"],
    };
    let raw = &spec["selector"];
    if kind == "ReplicationController" {
        let labels = raw
            .as_object()
            .or_else(|| pod_metadata(object)?["labels"].as_object())?;
        return Some(LabelSelector {
            match_labels: Some(
                labels
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect(),
            ),
            match_expressions: None,
        });
    }
    if raw.is_object() {
        return serde_json::from_value(raw.clone()).ok();
    }
    None
}

/// Which list of the pod spec a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ContainerKind {
    /// `initContainers` (including restartable sidecars).
    Init,
    /// `containers`.
    App,
    /// `ephemeralContainers`.
    Ephemeral,
}

impl ContainerKind {
    /// All kinds, in the order the kubelet starts them.
    pub const ALL: [ContainerKind; 3] = [
        ContainerKind::Init,
        ContainerKind::App,
        ContainerKind::Ephemeral,
    ];

    /// The pod spec field holding this kind.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::App => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }

    /// How messages name it: "init container", "container", "ephemeral container".
    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Init => "init container",
            ContainerKind::App => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

/// One container of a pod spec, as JSON.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContainerRef<'a> {
    /// Which list it is in.
    pub kind: ContainerKind,
    /// Its index in that list.
    pub index: usize,
    /// Its name.
    pub name: &'a str,
    /// The container object.
    pub value: &'a Value,
}

impl ContainerRef<'_> {
    /// The container, typed. Ephemeral containers share the fields checks look at.
    pub fn typed(&self) -> Result<Container, serde_json::Error> {
        serde_json::from_value(self.value.clone())
    }

    /// The JSON path of the container in the object, e.g. `spec.template.spec.initContainers[0]`.
    pub fn path(&self, object: &Value) -> String {
        let mut path: Vec<&str> = shape(object)
            .map(|s| s.template_path().to_vec())
            .unwrap_or_default();
        path.push("spec");
        format!("{}.{}[{}]", path.join("."), self.kind.field(), self.index)
    }
}

/// Every container of the workload: init containers, then containers, then ephemeral
/// containers, each tagged with its kind.
pub fn containers(object: &Value) -> Vec<ContainerRef<'_>> {
    let Some(spec) = pod_spec(object) else {
        return Vec::new();
    };
    ContainerKind::ALL
        .iter()
        .flat_map(|&kind| {
            spec[kind.field()]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(index, value)| ContainerRef {
                    kind,
                    index,
                    name: value["name"].as_str().unwrap_or_default(),
                    value,
                })
        })
        .collect()
}

/// Calls `edit` on every container of the workload, for in-place changes.
pub fn for_each_container_mut(
    object: &mut Value,
    mut edit: impl FnMut(ContainerKind, usize, &mut Value),
) {
    let Some(spec) = pod_spec_mut(object) else {
        return;
    };
    for kind in ContainerKind::ALL {
        if let Some(list) = spec.get_mut(kind.field()).and_then(Value::as_array_mut) {
            for (index, container) in list.iter_mut().enumerate() {
                edit(kind, index, container);
            }
        }
    }
}

#[cfg(test)]
mod tests;
