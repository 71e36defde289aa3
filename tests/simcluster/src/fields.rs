//! Field sets: which fields of an object a manager set, as managedFields' `fieldsV1` records
//! them, built and compared the way the API server's structured-merge-diff does.
//!
//! A set holds paths; a path's elements are spelled as in `fieldsV1`: `f:spec` (a field),
//! `k:{"name":"web"}` (an item of a keyed list), `v:"kubernetes"` (an item of a set list).
//! structured-merge-diff reads the shape of each field from the kind's OpenAPI schema;
//! simcluster knows the shapes that matter for the kinds it serves ([`list_keys`], [`atomic`]).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// One path of a field set, as `["f:spec", "f:containers", "k:{\"name\":\"web\"}"]`.
pub type Path = Vec<String>;

/// A set of paths (fields, list items) of one object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSet(BTreeSet<Path>);

impl FieldSet {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn insert(&mut self, path: Path) {
        self.0.insert(path);
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.0.iter()
    }

    pub fn union(&self, other: &FieldSet) -> FieldSet {
        FieldSet(self.0.union(&other.0).cloned().collect())
    }

    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        FieldSet(self.0.difference(&other.0).cloned().collect())
    }

    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        FieldSet(self.0.intersection(&other.0).cloned().collect())
    }

    /// Keeps the paths for which `keep` is true.
    pub fn filter(&self, keep: impl Fn(&Path) -> bool) -> FieldSet {
        FieldSet(self.0.iter().filter(|p| keep(p)).cloned().collect())
    }

    /// The set as `fieldsV1`: a tree of elements, `.` marking a node that is itself a member.
    pub fn to_fields_v1(&self) -> Value {
        fn tidy(node: &mut Map<String, Value>) {
            for child in node.values_mut() {
                if let Value::Object(map) = child {
                    tidy(map);
                    if map.len() == 1 && map.contains_key(".") {
                        map.clear();
                    }
                }
            }
        }
        let mut root = Map::new();
        for path in &self.0 {
            let mut node = &mut root;
            for element in path {
                node = match node.entry(element.clone()).or_insert_with(|| json!({})) {
                    Value::Object(map) => map,
                    _ => unreachable!("every node is an object"),
                };
            }
            node.insert(".".into(), json!({}));
        }
        tidy(&mut root);
        Value::Object(root)
    }

    /// Reads `fieldsV1` back into a set.
    pub fn from_fields_v1(fields: &Value) -> FieldSet {
        fn walk(node: &Map<String, Value>, path: &mut Path, set: &mut FieldSet) {
            for (element, child) in node {
                if element == "." {
                    continue;
                }
                path.push(element.clone());
                match child {
                    Value::Object(map) if !map.is_empty() => {
                        if map.contains_key(".") {
                            set.insert(path.clone());
                        }
                        walk(map, path, set);
                    }
                    _ => set.insert(path.clone()),
                }
                path.pop();
            }
        }
        let mut set = FieldSet::default();
        if let Value::Object(map) = fields {
            walk(map, &mut Vec::new(), &mut set);
        }
        set
    }
}

/// A path as the API server prints it in conflicts: `.spec.containers[name="web"].image`.
pub fn display(path: &Path) -> String {
    let mut text = String::new();
    for element in path {
        if let Some(field) = element.strip_prefix("f:") {
            text.push('.');
            text.push_str(field);
        } else if let Some(key) = element.strip_prefix("k:") {
            let keys: Map<String, Value> = serde_json::from_str(key).unwrap_or_default();
            let inner: Vec<String> = keys.iter().map(|(k, v)| format!("{k}={v}")).collect();
            text.push_str(&format!("[{}]", inner.join(",")));
        } else if let Some(value) = element.strip_prefix("v:") {
            text.push_str(&format!("[={value}]"));
        }
    }
    text
}

/// The shape of a list field.
enum ListShape {
    /// Replaced whole: one leaf (`command`, `args`, `tolerations`, most lists).
    Atomic,
    /// Items identified by these fields (`containers` by name).
    Keyed(&'static [&'static str]),
    /// Scalar items identified by their value (`finalizers`).
    Set,
}

/// Which lists are keyed, and by what (`+listType=map` and `+listMapKey` upstream).
fn list_shape(field: &str, items: &[Value]) -> ListShape {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "resourceClaims"
        | "claims" => ListShape::Keyed(&["name"]),
        // Container ports by port and protocol, Service ports by port and protocol.
        "ports" if items.iter().any(|i| i.get("containerPort").is_some()) => {
            ListShape::Keyed(&["containerPort", "protocol"])
        }
        "ports" if items.iter().any(|i| i.get("port").is_some()) => {
            ListShape::Keyed(&["port", "protocol"])
        }
        "volumeMounts" => ListShape::Keyed(&["mountPath"]),
        "volumeDevices" => ListShape::Keyed(&["devicePath"]),
        "hostAliases" => ListShape::Keyed(&["ip"]),
        "readinessGates" => ListShape::Keyed(&["conditionType"]),
        "conditions" => ListShape::Keyed(&["type"]),
        "ownerReferences" => ListShape::Keyed(&["uid"]),
        "topologySpreadConstraints" => ListShape::Keyed(&["topologyKey", "whenUnsatisfiable"]),
        "finalizers" => ListShape::Set,
        _ => ListShape::Atomic,
    }
}

/// Maps and structs set and replaced whole (`+structType=atomic`, `+mapType=atomic`): label
/// selectors and the node selector.
fn atomic(field: &str) -> bool {
    matches!(
        field,
        "selector" | "podSelector" | "namespaceSelector" | "labelSelector" | "nodeSelector"
    )
}

/// The element naming a keyed list item, `k:{"containerPort":80,"protocol":"TCP"}`; a missing
/// `protocol` is its default, TCP, as the schema says.
fn key_element(item: &Value, keys: &[&str]) -> Option<String> {
    let mut id = Map::new();
    for key in keys {
        let value = match item.get(*key) {
            Some(v) if !v.is_null() => v.clone(),
            _ if *key == "protocol" => json!("TCP"),
            _ => return None,
        };
        id.insert((*key).to_owned(), value);
    }
    Some(format!("k:{}", Value::Object(id)))
}

/// A list's items by element, the first of duplicates kept.
fn items_by_element<'a>(items: &'a [Value], shape: &ListShape) -> Vec<(String, &'a Value)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for item in items {
        let element = match shape {
            ListShape::Keyed(keys) => key_element(item, keys),
            ListShape::Set => Some(format!("v:{item}")),
            ListShape::Atomic => None,
        };
        if let Some(element) = element
            && seen.insert(element.clone())
        {
            out.push((element, item));
        }
    }
    out
}

/// A value or nothing: `null` is an unset field, as Go's decoding makes it.
fn present(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| !v.is_null())
}

/// The fields an applied configuration sets (structured-merge-diff's `ToFieldSet`): every leaf,
/// every list item, and every empty map.
pub fn applied(object: &Value) -> FieldSet {
    fn walk(value: &Value, field: Option<&str>, path: &mut Path, set: &mut FieldSet) {
        match value {
            Value::Object(map) if !field.is_some_and(atomic) => {
                if map.is_empty() && !path.is_empty() {
                    set.insert(path.clone());
                }
                for (key, child) in map {
                    path.push(format!("f:{key}"));
                    if child.is_null() {
                        set.insert(path.clone());
                    } else {
                        walk(child, Some(key), path, set);
                    }
                    path.pop();
                }
            }
            Value::Array(items) => {
                let shape = list_shape(field.unwrap_or_default(), items);
                if let ListShape::Atomic = shape {
                    set.insert(path.clone());
                    return;
                }
                for (element, item) in items_by_element(items, &shape) {
                    path.push(element);
                    set.insert(path.clone());
                    if let ListShape::Keyed(_) = shape {
                        walk(item, None, path, set);
                    }
                    path.pop();
                }
            }
            _ => set.insert(path.clone()),
        }
    }
    let mut set = FieldSet::default();
    walk(object, None, &mut Vec::new(), &mut set);
    set
}

/// Removes the fields and list items at `set`'s paths from `object` (what an applier stopped
/// setting and nobody else owns).
pub fn remove(object: &mut Value, set: &FieldSet) {
    fn matches(item: &Value, element: &str) -> bool {
        if let Some(value) = element.strip_prefix("v:") {
            return serde_json::from_str::<Value>(value).is_ok_and(|v| *item == v);
        }
        let Some(key) = element.strip_prefix("k:") else {
            return false;
        };
        let keys: Map<String, Value> = serde_json::from_str(key).unwrap_or_default();
        keys.iter().all(|(k, v)| match item.get(k) {
            Some(found) => found == v,
            None => k == "protocol" && v == "TCP",
        })
    }
    // Parents before their children: a list item goes before its key fields would.
    for path in set.paths() {
        let Some((last, parents)) = path.split_last() else {
            continue;
        };
        let mut node = Some(&mut *object);
        for element in parents {
            node = node.and_then(|n| match element.strip_prefix("f:") {
                Some(field) => n.get_mut(field),
                None => n
                    .as_array_mut()
                    .and_then(|items| items.iter_mut().find(|i| matches(i, element))),
            });
        }
        match (node, last.strip_prefix("f:")) {
            (Some(Value::Object(map)), Some(field)) => {
                map.remove(field);
            }
            (Some(Value::Array(items)), None) => items.retain(|i| !matches(i, last)),
            _ => {}
        }
    }
}

/// What changed from one version of an object to the next.
#[derive(Debug, Default)]
pub struct Comparison {
    pub added: FieldSet,
    pub modified: FieldSet,
    pub removed: FieldSet,
}

impl Comparison {
    /// The fields the writer set: added or modified.
    pub fn changed(&self) -> FieldSet {
        self.added.union(&self.modified)
    }
}

/// Compares two versions of an object as structured-merge-diff does: a leaf (a scalar, an
/// atomic list or map) is added, removed or modified; a map, struct or list item present on
/// one side only is added or removed itself, and so is everything in it.
pub fn compare(old: &Value, new: &Value) -> Comparison {
    fn walk(
        old: Option<&Value>,
        new: Option<&Value>,
        field: Option<&str>,
        path: &mut Path,
        out: &mut Comparison,
    ) {
        let (old, new) = (present(old), present(new));
        let either = new.or(old);
        let Some(either) = either else { return };
        let granular_map = either.is_object() && !field.is_some_and(atomic);
        let shape = match either {
            Value::Array(items) => Some(list_shape(field.unwrap_or_default(), items)),
            _ => None,
        };
        let leaf = !granular_map && !matches!(shape, Some(ListShape::Keyed(_) | ListShape::Set));
        if !path.is_empty() {
            match (old, new) {
                (None, Some(_)) => out.added.insert(path.clone()),
                (Some(_), None) => out.removed.insert(path.clone()),
                (Some(a), Some(b)) if leaf && a != b => out.modified.insert(path.clone()),
                _ => {}
            }
        }
        if leaf {
            return;
        }
        if granular_map {
            let empty = Map::new();
            let (a, b) = (
                old.and_then(Value::as_object).unwrap_or(&empty),
                new.and_then(Value::as_object).unwrap_or(&empty),
            );
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                path.push(format!("f:{key}"));
                walk(a.get(key), b.get(key), Some(key), path, out);
                path.pop();
            }
            return;
        }
        let shape = shape.unwrap_or(ListShape::Atomic);
        let none: Vec<Value> = Vec::new();
        let (a, b) = (
            items_by_element(old.and_then(Value::as_array).unwrap_or(&none), &shape),
            items_by_element(new.and_then(Value::as_array).unwrap_or(&none), &shape),
        );
        let elements: BTreeSet<&String> = a.iter().chain(b.iter()).map(|(e, _)| e).collect();
        for element in elements {
            let find = |items: &[(String, &Value)]| {
                items
                    .iter()
                    .find(|(e, _)| e == element)
                    .map(|(_, v)| (*v).clone())
            };
            let (x, y) = (find(&a), find(&b));
            path.push(element.clone());
            match shape {
                ListShape::Set => match (x.is_some(), y.is_some()) {
                    (false, true) => out.added.insert(path.clone()),
                    (true, false) => out.removed.insert(path.clone()),
                    _ => {}
                },
                _ => walk(x.as_ref(), y.as_ref(), None, path, out),
            }
            path.pop();
        }
    }
    let mut out = Comparison::default();
    walk(Some(old), Some(new), None, &mut Vec::new(), &mut out);
    out
}

/// The object a create compares against: the kind's zero value as the API server's Go types
/// encode it (structs that are not pointers are there, empty, so a created Deployment's
/// `spec.strategy` is not itself added while `spec.strategy.rollingUpdate` is). Custom
/// resources start from nothing.
pub fn zero(kind: &str, custom: bool) -> Value {
    if custom {
        return json!({});
    }
    let template = || json!({"metadata": {}, "spec": {"containers": []}});
    let mut zero = json!({"apiVersion": "", "kind": "", "metadata": {}});
    let spec = match kind {
        "ConfigMap" | "Secret" | "ServiceAccount" | "Event" | "Endpoints" => return zero,
        "Deployment" => json!({"template": template(), "strategy": {}}),
        "StatefulSet" | "DaemonSet" => json!({"template": template(), "updateStrategy": {}}),
        "ReplicaSet" | "Job" | "ReplicationController" => json!({"template": template()}),
        "CronJob" => json!({"jobTemplate": {"metadata": {}, "spec": {"template": template()}}}),
        "Pod" => json!({"containers": []}),
        "NetworkPolicy" => json!({"podSelector": {}}),
        "LimitRange" => json!({"limits": []}),
        _ => json!({}),
    };
    zero["spec"] = spec;
    zero
}

/// What the managed fields never record: the object's identity and the server's metadata
/// (`metadata` itself included, not what is under it).
pub fn stripped(path: &Path) -> bool {
    match path.as_slice() {
        [one] => matches!(one.as_str(), "f:apiVersion" | "f:kind" | "f:metadata"),
        [meta, field] if meta == "f:metadata" => matches!(
            field.as_str(),
            "f:name"
                | "f:namespace"
                | "f:creationTimestamp"
                | "f:selfLink"
                | "f:uid"
                | "f:generation"
                | "f:managedFields"
                | "f:resourceVersion"
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(set: &FieldSet) -> Vec<String> {
        set.paths().map(display).collect()
    }

    #[test]
    fn a_created_deployment_records_what_upstream_does() {
        let deployment = json!({
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                    {"name": "web", "image": "nginx", "ports": [{"containerPort": 80}], "resources": {}}
                ]}}
            }
        });
        let changed = compare(&zero("Deployment", false), &deployment).changed();
        let set = changed.filter(|p| !stripped(p));
        assert_eq!(
            set.to_fields_v1(),
            json!({
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {
                    "f:replicas": {},
                    "f:selector": {},
                    "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}}, "f:type": {}},
                    "f:template": {
                        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                        "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
                            ".": {}, "f:image": {}, "f:name": {}, "f:resources": {},
                            "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}
                        }}}
                    }
                }
            })
        );
        assert_eq!(FieldSet::from_fields_v1(&set.to_fields_v1()), set);
    }

    #[test]
    fn an_update_records_only_what_changed() {
        let old = json!({"data": {"a": "1", "b": "2"}, "metadata": {"finalizers": ["x"]}});
        let new = json!({"data": {"a": "9", "c": "3"}, "metadata": {"finalizers": ["x", "y"]}});
        let comparison = compare(&old, &new);
        assert_eq!(paths(&comparison.modified), [".data.a"]);
        assert_eq!(
            paths(&comparison.added),
            [".data.c", ".metadata.finalizers[=\"y\"]"]
        );
        assert_eq!(paths(&comparison.removed), [".data.b"]);
    }

    #[test]
    fn removing_a_set_leaves_what_it_does_not_name() {
        let mut object = json!({"metadata": {"labels": {"a": "1", "b": "2"}, "finalizers": ["x", "y"]},
            "spec": {"ports": [{"port": 80}, {"port": 81, "protocol": "UDP"}]}});
        let set = applied(
            &json!({"metadata": {"labels": {"b": "2"}, "finalizers": ["y"]},
            "spec": {"ports": [{"port": 80}]}}),
        );
        remove(&mut object, &set);
        assert_eq!(
            object,
            json!({"metadata": {"labels": {"a": "1"}, "finalizers": ["x"]},
                "spec": {"ports": [{"port": 81, "protocol": "UDP"}]}})
        );
    }

    #[test]
    fn applied_sets_name_leaves_and_items_not_maps() {
        let set = applied(&json!({
            "metadata": {"labels": {"app": "web"}},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], "command": ["a"], "empty": {}}
        }));
        assert_eq!(
            paths(&set),
            [
                ".metadata.labels.app",
                ".spec.command",
                ".spec.empty",
                ".spec.ports[port=80,protocol=\"TCP\"]",
                ".spec.ports[port=80,protocol=\"TCP\"].port",
                ".spec.selector",
            ]
        );
    }
}
