//! The resource types simcluster serves: the built-in ones and those CRDs add.

use serde_json::{Value, json};

/// One served resource type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    /// API group, empty for core.
    pub group: String,
    /// Served versions, the storage version first.
    pub versions: Vec<String>,
    /// `Deployment`.
    pub kind: String,
    /// `deployments`.
    pub plural: String,
    /// `deployment`.
    pub singular: String,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// `deploy`.
    pub short_names: Vec<String>,
    /// `status`, `scale`, `log`.
    pub subresources: Vec<String>,
    /// `all` and friends.
    pub categories: Vec<String>,
    /// Create-only kinds (SelfSubjectAccessReview) answer a POST and store nothing.
    pub virtual_create: bool,
}

impl ResourceType {
    /// `apps/v1`, `v1`.
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_owned()
        } else {
            format!("{}/{version}", self.group)
        }
    }

    /// The storage version.
    pub fn version(&self) -> &str {
        &self.versions[0]
    }

    /// `deployments.apps`, `pods`.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The verbs discovery advertises.
    pub fn verbs(&self) -> Vec<&'static str> {
        if self.virtual_create {
            vec!["create"]
        } else if self.group == "metrics.k8s.io" {
            vec!["get", "list"]
        } else {
            vec![
                "create",
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "update",
                "watch",
            ]
        }
    }
}

type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
    &'static [&'static str],
);

/// (group, version, kind, plural, namespaced, short names, subresources)
const BUILTINS: &[Builtin] = &[
    (
        "",
        "v1",
        "Namespace",
        "namespaces",
        false,
        &["ns"],
        &["status"],
    ),
    ("", "v1", "Pod", "pods", true, &["po"], &["status", "log"]),
    ("", "v1", "Service", "services", true, &["svc"], &["status"]),
    ("", "v1", "Endpoints", "endpoints", true, &["ep"], &[]),
    ("", "v1", "ConfigMap", "configmaps", true, &["cm"], &[]),
    ("", "v1", "Secret", "secrets", true, &[], &[]),
    (
        "",
        "v1",
        "ServiceAccount",
        "serviceaccounts",
        true,
        &["sa"],
        &["token"],
    ),
    ("", "v1", "Event", "events", true, &["ev"], &[]),
    (
        "",
        "v1",
        "ResourceQuota",
        "resourcequotas",
        true,
        &["quota"],
        &["status"],
    ),
    (
        "",
        "v1",
        "LimitRange",
        "limitranges",
        true,
        &["limits"],
        &[],
    ),
    (
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
        &["pvc"],
        &["status"],
    ),
    ("", "v1", "Node", "nodes", false, &["no"], &["status"]),
    (
        "apps",
        "v1",
        "Deployment",
        "deployments",
        true,
        &["deploy"],
        &["status", "scale"],
    ),
    (
        "apps",
        "v1",
        "ReplicaSet",
        "replicasets",
        true,
        &["rs"],
        &["status", "scale"],
    ),
    (
        "apps",
        "v1",
        "StatefulSet",
        "statefulsets",
        true,
        &["sts"],
        &["status", "scale"],
    ),
    (
        "apps",
        "v1",
        "DaemonSet",
        "daemonsets",
        true,
        &["ds"],
        &["status"],
    ),
    (
        "apps",
        "v1",
        "ControllerRevision",
        "controllerrevisions",
        true,
        &[],
        &[],
    ),
    ("batch", "v1", "Job", "jobs", true, &[], &["status"]),
    (
        "batch",
        "v1",
        "CronJob",
        "cronjobs",
        true,
        &["cj"],
        &["status"],
    ),
    (
        "metrics.k8s.io",
        "v1beta1",
        "PodMetrics",
        "pods",
        true,
        &[],
        &[],
    ),
    (
        "metrics.k8s.io",
        "v1beta1",
        "NodeMetrics",
        "nodes",
        false,
        &[],
        &[],
    ),
    (
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
        &["pdb"],
        &["status"],
    ),
    (
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
        &["netpol"],
        &[],
    ),
    (
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        true,
        &["ing"],
        &["status"],
    ),
    (
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
        &["hpa"],
        &["status"],
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "roles",
        true,
        &[],
        &[],
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
        &[],
        &[],
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
        &[],
        &[],
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
        &[],
        &[],
    ),
    // Stored and served, not enforced: the real control plane's tests check what they deny.
    (
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingAdmissionPolicy",
        "validatingadmissionpolicies",
        false,
        &[],
        &["status"],
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingAdmissionPolicyBinding",
        "validatingadmissionpolicybindings",
        false,
        &[],
        &[],
    ),
    (
        "coordination.k8s.io",
        "v1",
        "Lease",
        "leases",
        true,
        &[],
        &[],
    ),
    (
        "authorization.k8s.io",
        "v1",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
        false,
        &[],
        &[],
    ),
    (
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
        &["crd", "crds"],
        &["status"],
    ),
];

/// Kinds `kubectl get all` shows.
const IN_ALL: &[&str] = &[
    "pods",
    "services",
    "deployments",
    "replicasets",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "horizontalpodautoscalers",
];

/// Every resource type served, in discovery order.
#[derive(Debug, Clone)]
pub struct Registry {
    types: Vec<ResourceType>,
}

impl Default for Registry {
    fn default() -> Self {
        let types = BUILTINS
            .iter()
            .map(
                |&(group, version, kind, plural, namespaced, short, sub)| ResourceType {
                    group: group.into(),
                    versions: vec![version.into()],
                    kind: kind.into(),
                    plural: plural.into(),
                    singular: kind.to_lowercase(),
                    namespaced,
                    short_names: short.iter().map(|s| (*s).to_owned()).collect(),
                    subresources: sub.iter().map(|s| (*s).to_owned()).collect(),
                    categories: if IN_ALL.contains(&plural) {
                        vec!["all".into()]
                    } else {
                        Vec::new()
                    },
                    virtual_create: kind == "SelfSubjectAccessReview",
                },
            )
            .collect();
        Self { types }
    }
}

impl Registry {
    /// All served types.
    pub fn types(&self) -> &[ResourceType] {
        &self.types
    }

    /// The type served at `group`/`version`/`plural`.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.types.iter().find(|t| {
            t.group == group && t.plural == plural && t.versions.iter().any(|v| v == version)
        })
    }

    /// The type of a kind in an apiVersion.
    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<&ResourceType> {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        self.types
            .iter()
            .find(|t| t.group == group && t.kind == kind && t.versions.iter().any(|v| v == version))
    }

    /// Groups with their versions, in order, core excluded.
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for t in self.types.iter().filter(|t| !t.group.is_empty()) {
            match groups.iter_mut().find(|(g, _)| *g == t.group) {
                Some((_, versions)) => {
                    for v in &t.versions {
                        if !versions.contains(v) {
                            versions.push(v.clone());
                        }
                    }
                }
                None => groups.push((t.group.clone(), t.versions.clone())),
            }
        }
        groups
    }

    /// Adds or replaces the type a CRD defines. Returns an error message for an invalid CRD.
    pub fn register_crd(&mut self, crd: &Value) -> Result<ResourceType, String> {
        let spec = &crd["spec"];
        let group = spec["group"].as_str().ok_or("spec.group is required")?;
        let names = &spec["names"];
        let plural = names["plural"]
            .as_str()
            .ok_or("spec.names.plural is required")?;
        let kind = names["kind"]
            .as_str()
            .ok_or("spec.names.kind is required")?;
        let expected = format!("{plural}.{group}");
        if crd["metadata"]["name"].as_str() != Some(expected.as_str()) {
            return Err(format!(
                "metadata.name must be spec.names.plural+\".\"+spec.group: `{expected}`"
            ));
        }
        let mut versions: Vec<(bool, String)> = spec["versions"]
            .as_array()
            .ok_or("spec.versions is required")?
            .iter()
            .filter(|v| v["served"].as_bool().unwrap_or(true))
            .filter_map(|v| {
                Some((
                    v["storage"].as_bool().unwrap_or(false),
                    v["name"].as_str()?.to_owned(),
                ))
            })
            .collect();
        if versions.is_empty() {
            return Err("spec.versions must serve at least one version".into());
        }
        versions.sort_by_key(|(storage, _)| !storage);
        let status = spec["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|v| v["subresources"]["status"].is_object());
        let scale = spec["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|v| v["subresources"]["scale"].is_object());
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        let mut subresources = Vec::new();
        if status {
            subresources.push("status".to_owned());
        }
        if scale {
            subresources.push("scale".to_owned());
        }
        let resource = ResourceType {
            group: group.to_owned(),
            versions: versions.into_iter().map(|(_, v)| v).collect(),
            kind: kind.to_owned(),
            plural: plural.to_owned(),
            singular: names["singular"]
                .as_str()
                .map_or_else(|| kind.to_lowercase(), str::to_owned),
            namespaced: spec["scope"].as_str() != Some("Cluster"),
            short_names: strings(&names["shortNames"]),
            subresources,
            categories: strings(&names["categories"]),
            virtual_create: false,
        };
        self.types
            .retain(|t| !(t.group == resource.group && t.plural == resource.plural));
        self.types.push(resource.clone());
        Ok(resource)
    }

    /// Stops serving a CRD's type.
    pub fn unregister(&mut self, group: &str, plural: &str) {
        self.types
            .retain(|t| !(t.group == group && t.plural == plural));
    }

    /// `APIResourceList` for one group version.
    pub fn resource_list(&self, group: &str, version: &str) -> Option<Value> {
        let api_version = if group.is_empty() {
            version.to_owned()
        } else {
            format!("{group}/{version}")
        };
        let mut resources = Vec::new();
        for t in self
            .types
            .iter()
            .filter(|t| t.group == group && t.versions.iter().any(|v| v == version))
        {
            let mut entry = json!({
                "name": t.plural,
                "singularName": t.singular,
                "namespaced": t.namespaced,
                "kind": t.kind,
                "verbs": t.verbs(),
            });
            if !t.short_names.is_empty() {
                entry["shortNames"] = json!(t.short_names);
            }
            if !t.categories.is_empty() {
                entry["categories"] = json!(t.categories);
            }
            resources.push(entry);
            for sub in &t.subresources {
                let (kind, verbs) = match sub.as_str() {
                    "scale" => ("Scale", vec!["get", "patch", "update"]),
                    "log" => ("Pod", vec!["get"]),
                    _ => (t.kind.as_str(), vec!["get", "patch", "update"]),
                };
                let mut entry = json!({
                    "name": format!("{}/{sub}", t.plural),
                    "singularName": "",
                    "namespaced": t.namespaced,
                    "kind": kind,
                    "verbs": verbs,
                });
                if sub == "scale" {
                    entry["group"] = json!("autoscaling");
                    entry["version"] = json!("v1");
                }
                resources.push(entry);
            }
        }
        if resources.is_empty() {
            return None;
        }
        Some(
            json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": api_version, "resources": resources}),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_cover_the_issue_list() {
        let registry = Registry::default();
        for (g, v, p) in [
            ("", "v1", "pods"),
            ("apps", "v1", "deployments"),
            ("policy", "v1", "poddisruptionbudgets"),
            ("autoscaling", "v2", "horizontalpodautoscalers"),
        ] {
            assert!(registry.find(g, v, p).is_some(), "{p}");
        }
        assert_eq!(
            registry
                .by_kind("apps/v1", "Deployment")
                .map(|t| t.plural.as_str()),
            Some("deployments")
        );
        assert!(registry.groups().iter().any(|(g, _)| g == "apps"));
    }

    #[test]
    fn crds_add_types_with_their_subresources() {
        let mut registry = Registry::default();
        let crd = json!({
            "metadata": {"name": "backups.velero.io"},
            "spec": {"group": "velero.io", "scope": "Namespaced",
                     "names": {"plural": "backups", "kind": "Backup", "singular": "backup"},
                     "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}}}]}
        });
        let t = registry.register_crd(&crd).unwrap();
        assert_eq!(t.subresources, ["status"]);
        let list = registry.resource_list("velero.io", "v1").unwrap();
        assert_eq!(list["resources"][1]["name"], "backups/status");
        let bad = json!({"metadata": {"name": "x"}, "spec": {"group": "g", "names": {"plural": "ps", "kind": "P"}, "versions": []}});
        assert!(
            registry
                .register_crd(&bad)
                .unwrap_err()
                .contains("metadata.name")
        );
    }
}
