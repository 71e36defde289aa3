//! ResourceQuota: the evaluators' usage (upstream `pkg/quota/v1/evaluator/core`: pods,
//! services, persistent volume claims, object counts), the pod evaluator's scopes and
//! constraints, and the admission check (`k8s.io/apiserver` resourcequota `CheckRequest`).

use serde_json::Value;
use shipshape::quantity::{Format, Quantity};

use super::pod::{
    AffinityTerm, Pod, PodAffinity, Qos, ResourceList, plus, pod_limits, pod_requests, qos, sum,
};
use super::validation::{extended, native};

/// One selector of a quota's scopes: (scopeName, operator, values).
type Scope = (String, String, Vec<String>);

/// A ResourceQuota as admission and the controller read it.
#[derive(Debug, Clone, Default)]
pub struct Quota {
    pub name: String,
    /// `spec.hard`.
    pub spec_hard: ResourceList,
    /// `status.hard` and `status.used`, None until the controller wrote them.
    pub hard: Option<ResourceList>,
    pub used: Option<ResourceList>,
    pub scopes: Vec<Scope>,
}

fn list(value: &Value) -> Option<ResourceList> {
    value
        .is_object()
        .then(|| serde_json::from_value(value.clone()).unwrap_or_default())
}

impl Quota {
    pub fn from_object(object: &Value) -> Self {
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        let mut scopes: Vec<Scope> = strings(&object["spec"]["scopes"])
            .into_iter()
            .map(|s| (s, "Exists".to_owned(), Vec::new()))
            .collect();
        for e in object["spec"]["scopeSelector"]["matchExpressions"]
            .as_array()
            .into_iter()
            .flatten()
        {
            scopes.push((
                e["scopeName"].as_str().unwrap_or_default().to_owned(),
                e["operator"].as_str().unwrap_or_default().to_owned(),
                strings(&e["values"]),
            ));
        }
        Self {
            name: object["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            spec_hard: list(&object["spec"]["hard"]).unwrap_or_default(),
            hard: list(&object["status"]["hard"]),
            used: list(&object["status"]["used"]),
            scopes,
        }
    }
}

const POD_RESOURCES: [&str; 11] = [
    "count/pods",
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
];

/// `isExtendedResourceNameForQuota`.
fn extended_for_quota(name: &str) -> bool {
    (!native(name) || name.starts_with("requests.deviceclass.resource.kubernetes.io/"))
        && name.starts_with("requests.")
}

/// The pod evaluator's `MatchingResources`.
fn pod_matching<'a>(names: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    names
        .into_iter()
        .filter(|n| {
            POD_RESOURCES.contains(&n.as_str())
                || n.starts_with("hugepages-")
                || n.starts_with("requests.hugepages-")
                || extended_for_quota(n)
        })
        .cloned()
        .collect()
}

fn one() -> Quantity {
    Quantity::from_units(1, Format::DecimalSi)
}

/// `podComputeUsageHelper`.
fn compute_usage(requests: &ResourceList, limits: &ResourceList) -> ResourceList {
    let mut usage = ResourceList::from([("pods".to_owned(), one())]);
    for name in ["cpu", "memory", "ephemeral-storage"] {
        if let Some(r) = requests.get(name) {
            usage.insert(name.to_owned(), *r);
            usage.insert(format!("requests.{name}"), *r);
        }
        if let Some(l) = limits.get(name) {
            usage.insert(format!("limits.{name}"), *l);
        }
    }
    for (name, r) in requests {
        if name.starts_with("hugepages-") {
            usage.insert(name.clone(), *r);
            usage.insert(format!("requests.{name}"), *r);
        }
        if extended(name) || name.starts_with("deviceclass.resource.kubernetes.io/") {
            usage.insert(format!("requests.{name}"), *r);
        }
    }
    usage
}

/// `QuotaV1Pod`: not finished, and not stuck terminating past its grace period.
fn charged(pod: &Pod, now: jiff::Timestamp) -> bool {
    if matches!(pod.status.phase.as_deref(), Some("Failed" | "Succeeded")) {
        return false;
    }
    match (
        pod.metadata.deletion_timestamp,
        pod.metadata.deletion_grace_period_seconds,
    ) {
        (Some(deleted), Some(grace)) => now <= deleted + jiff::SignedDuration::from_secs(grace),
        _ => true,
    }
}

/// `PodUsageFunc`.
pub fn pod_usage(pod: &Pod, now: jiff::Timestamp) -> ResourceList {
    let mut usage = ResourceList::from([("count/pods".to_owned(), one())]);
    if charged(pod, now) {
        usage = sum(
            &usage,
            &compute_usage(&pod_requests(&pod.spec), &pod_limits(&pod.spec)),
        );
    }
    usage
}

fn cross_namespace(term: &AffinityTerm) -> bool {
    term.namespaces.as_ref().is_some_and(|n| !n.is_empty()) || term.namespace_selector.is_some()
}

fn cross_namespace_affinity(affinity: Option<&PodAffinity>) -> bool {
    affinity.is_some_and(|a| {
        a.required_during_scheduling_ignored_during_execution
            .iter()
            .any(cross_namespace)
            || a.preferred_during_scheduling_ignored_during_execution
                .iter()
                .any(|w| cross_namespace(&w.pod_affinity_term))
    })
}

/// `podMatchesScopeFunc`.
fn pod_matches(scope: &Scope, pod: &Pod) -> bool {
    let (name, operator, values) = scope;
    let terminating = pod.spec.active_deadline_seconds.is_some_and(|s| s >= 0);
    match name.as_str() {
        "Terminating" => terminating,
        "NotTerminating" => !terminating,
        "BestEffort" => qos(pod) == Qos::BestEffort,
        "NotBestEffort" => qos(pod) != Qos::BestEffort,
        "PriorityClass" => {
            let class = pod
                .spec
                .priority_class_name
                .as_deref()
                .filter(|c| !c.is_empty());
            match operator.as_str() {
                "Exists" => class.is_some(),
                "DoesNotExist" => class.is_none(),
                "In" => class.is_some_and(|c| values.iter().any(|v| v == c)),
                "NotIn" => class.is_none_or(|c| !values.iter().any(|v| v == c)),
                _ => false,
            }
        }
        "CrossNamespacePodAffinity" => pod.spec.affinity.as_ref().is_some_and(|a| {
            cross_namespace_affinity(a.pod_affinity.as_ref())
                || cross_namespace_affinity(a.pod_anti_affinity.as_ref())
        }),
        _ => false,
    }
}

const VALIDATION_SET: [&str; 6] = [
    "cpu",
    "memory",
    "requests.cpu",
    "requests.memory",
    "limits.cpu",
    "limits.memory",
];

/// The pod evaluator's `Constraints`: `must specify cpu for: a,b; memory for: a`.
fn constraints(required: &[String], pod: &Pod) -> Option<String> {
    if super::pod::pod_level_set(&pod.spec) {
        return None;
    }
    let required: Vec<&str> = required
        .iter()
        .map(String::as_str)
        .filter(|r| VALIDATION_SET.contains(r))
        .collect();
    let mut missing: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        Default::default();
    for container in pod.spec.containers.iter().chain(&pod.spec.init_containers) {
        let usage = compute_usage(&container.resources.requests, &container.resources.limits);
        for r in &required {
            if !usage.contains_key(*r) {
                missing.entry(r).or_default().insert(&container.name);
            }
        }
    }
    if missing.is_empty() {
        return None;
    }
    let parts: Vec<String> = missing
        .iter()
        .map(|(r, names)| {
            format!(
                "{r} for: {}",
                names.iter().copied().collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    Some(format!("must specify {}", parts.join("; ")))
}

fn pretty(list: &ResourceList) -> String {
    list.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn mask(list: &ResourceList, names: &[String]) -> ResourceList {
    list.iter()
        .filter(|(k, _)| names.contains(k))
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

/// `CheckRequest` for a pod being created: the first quota (by name) that refuses it, in the
/// server's words (without the `pods "x" is forbidden: ` prefix).
pub fn check(quotas: &[Quota], pod: &Pod, now: jiff::Timestamp) -> Result<(), String> {
    let mut interesting: Vec<(&Quota, ResourceList, ResourceList, Vec<String>)> = Vec::new();
    for quota in quotas {
        let hard = quota.hard.clone().unwrap_or_default();
        let restricted = pod_matching(hard.keys());
        let matches = !restricted.is_empty() && quota.scopes.iter().all(|s| pod_matches(s, pod));
        if !matches {
            continue;
        }
        if let Some(message) = constraints(&restricted, pod) {
            return Err(format!("failed quota: {}: {message}", quota.name));
        }
        let used = quota.used.clone().unwrap_or_default();
        if hard
            .keys()
            .any(|k| restricted.contains(k) && !used.contains_key(k))
        {
            let mut names = restricted.clone();
            names.sort();
            return Err(format!(
                "status unknown for quota: {}, resources: {}",
                quota.name,
                names.join(",")
            ));
        }
        interesting.push((quota, hard, used, restricted));
    }
    if interesting.is_empty() {
        return Ok(());
    }
    let usage = pod_usage(pod, now);
    let negative: Vec<String> = usage
        .iter()
        .filter(|(_, v)| v.nanos() < 0)
        .map(|(k, _)| k.clone())
        .collect();
    if !negative.is_empty() {
        return Err(format!(
            "quota usage is negative for resource(s): {}",
            negative.join(",")
        ));
    }
    let delta: ResourceList = usage.into_iter().filter(|(_, v)| !v.is_zero()).collect();
    if delta.is_empty() {
        return Ok(());
    }
    for (quota, hard, used, _) in interesting {
        let hard_names: Vec<String> = hard.keys().cloned().collect();
        let requested = mask(&delta, &hard_names);
        let mut exceeded = Vec::new();
        for (name, amount) in &requested {
            let total = used.get(name).map_or(*amount, |u| plus(*u, *amount));
            if hard.get(name).is_some_and(|h| total > *h) {
                exceeded.push(name.clone());
            }
        }
        if !exceeded.is_empty() {
            return Err(format!(
                "exceeded quota: {}, requested: {}, used: {}, limited: {}",
                quota.name,
                pretty(&mask(&requested, &exceeded)),
                pretty(&mask(&used, &exceeded)),
                pretty(&mask(&hard, &exceeded)),
            ));
        }
    }
    Ok(())
}

/// The (group, plural) of the objects a quota's hard resources count.
pub fn counted_kinds(quota: &Quota) -> Vec<(String, String)> {
    let mut kinds = vec![(String::new(), "pods".to_owned())];
    for name in quota.spec_hard.keys() {
        let kind = match name.as_str() {
            "services" | "services.loadbalancers" | "services.nodeports" => Some("services"),
            "persistentvolumeclaims" | "requests.storage" => Some("persistentvolumeclaims"),
            n if n.contains(".storageclass.storage.k8s.io/") => Some("persistentvolumeclaims"),
            "secrets" | "configmaps" | "replicationcontrollers" | "resourcequotas" => {
                Some(name.as_str())
            }
            _ => None,
        };
        if let Some(plural) = kind {
            kinds.push((String::new(), plural.to_owned()));
        } else if let Some(counted) = name.strip_prefix("count/") {
            let (plural, group) = counted.split_once('.').unwrap_or((counted, ""));
            kinds.push((group.to_owned(), plural.to_owned()));
        }
    }
    kinds.sort();
    kinds.dedup();
    kinds
}

/// The usage of one object that is not a pod: the service and PVC evaluators and the object
/// count evaluators.
fn object_usage(group: &str, plural: &str, object: &Value) -> ResourceList {
    let count = if group.is_empty() {
        format!("count/{plural}")
    } else {
        format!("count/{plural}.{group}")
    };
    let mut usage = ResourceList::from([(count, one())]);
    if !group.is_empty() {
        return usage;
    }
    let units = |n: usize| Quantity::from_units(n as i64, Format::DecimalSi);
    match plural {
        "services" => {
            let ports = object["spec"]["ports"]
                .as_array()
                .map_or(&[][..], Vec::as_slice);
            let (balancers, node_ports) = match object["spec"]["type"].as_str() {
                Some("NodePort") => (0, ports.len()),
                Some("LoadBalancer")
                    if object["spec"]["allocateLoadBalancerNodePorts"] == false =>
                {
                    (
                        1,
                        ports
                            .iter()
                            .filter(|p| p["nodePort"].as_i64().unwrap_or(0) != 0)
                            .count(),
                    )
                }
                Some("LoadBalancer") => (1, ports.len()),
                _ => (0, 0),
            };
            usage.insert("services".into(), one());
            usage.insert("services.loadbalancers".into(), units(balancers));
            usage.insert("services.nodeports".into(), units(node_ports));
        }
        "persistentvolumeclaims" => {
            usage.insert("persistentvolumeclaims".into(), one());
            let class = object["spec"]["storageClassName"]
                .as_str()
                .filter(|c| !c.is_empty());
            if let Some(class) = class {
                usage.insert(
                    format!("{class}.storageclass.storage.k8s.io/persistentvolumeclaims"),
                    one(),
                );
            }
            let storage = list(&object["spec"]["resources"]["requests"])
                .unwrap_or_default()
                .get("storage")
                .copied();
            if let Some(storage) = storage {
                // RoundUp(0): whole bytes.
                let nanos = storage.nanos();
                let bytes = nanos.div_euclid(1_000_000_000)
                    + i128::from(nanos.rem_euclid(1_000_000_000) != 0);
                let storage = if bytes * 1_000_000_000 == nanos {
                    storage
                } else {
                    Quantity::from_units(bytes as i64, storage.format())
                };
                usage.insert("requests.storage".into(), storage);
                if let Some(class) = class {
                    usage.insert(
                        format!("{class}.storageclass.storage.k8s.io/requests.storage"),
                        storage,
                    );
                }
            }
        }
        "secrets" | "configmaps" | "replicationcontrollers" | "resourcequotas" => {
            usage.insert(plural.to_owned(), one());
        }
        _ => {}
    }
    usage
}

/// The quota controller: `status.hard` is `spec.hard`, `status.used` every hard resource's
/// usage by the namespace's objects (given as (group, plural, object)), zero when unused.
pub fn status<'a>(
    quota: &Quota,
    objects: impl IntoIterator<Item = (&'a str, &'a str, &'a Value)>,
    now: jiff::Timestamp,
) -> (ResourceList, ResourceList) {
    let hard = quota.spec_hard.clone();
    let mut used: ResourceList = hard.keys().map(|k| (k.clone(), Quantity::ZERO)).collect();
    let scoped = !quota.scopes.is_empty();
    for (group, plural, object) in objects {
        let usage = if group.is_empty() && plural == "pods" {
            let Ok(pod) = serde_json::from_value::<Pod>(object.clone()) else {
                continue;
            };
            if !quota.scopes.iter().all(|s| pod_matches(s, &pod)) {
                continue;
            }
            pod_usage(&pod, now)
        } else if scoped {
            // Only the pod evaluator knows scopes.
            continue;
        } else {
            object_usage(group, plural, object)
        };
        for (name, amount) in usage {
            if let Some(total) = used.get_mut(&name) {
                *total = plus(*total, amount);
            }
        }
    }
    (hard, used)
}
