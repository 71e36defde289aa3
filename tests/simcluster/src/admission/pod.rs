//! The typed view of a pod that admission reads, and upstream's resource arithmetic on it:
//! `quota.Add`, `maxResourceList`, component-helpers' `PodRequests`/`PodLimits` and the QoS
//! class of `pkg/apis/core/v1/helper/qos`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use shipshape::quantity::Quantity;

/// Resource name → quantity (`v1.ResourceList`).
pub type ResourceList = BTreeMap<String, Quantity>;

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Requirements {
    #[serde(deserialize_with = "null_as_default")]
    pub requests: ResourceList,
    #[serde(deserialize_with = "null_as_default")]
    pub limits: ResourceList,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Container {
    #[serde(deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(deserialize_with = "null_as_default")]
    pub resources: Requirements,
    pub restart_policy: Option<String>,
}

impl Container {
    /// A sidecar: an init container with `restartPolicy: Always`.
    pub fn restartable(&self) -> bool {
        self.restart_policy.as_deref() == Some("Always")
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AffinityTerm {
    pub namespaces: Option<Vec<String>>,
    pub namespace_selector: Option<serde_json::Value>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WeightedTerm {
    #[serde(deserialize_with = "null_as_default")]
    pub pod_affinity_term: AffinityTerm,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodAffinity {
    #[serde(deserialize_with = "null_as_default")]
    pub required_during_scheduling_ignored_during_execution: Vec<AffinityTerm>,
    #[serde(deserialize_with = "null_as_default")]
    pub preferred_during_scheduling_ignored_during_execution: Vec<WeightedTerm>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Affinity {
    pub pod_affinity: Option<PodAffinity>,
    pub pod_anti_affinity: Option<PodAffinity>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodSpec {
    #[serde(deserialize_with = "null_as_default")]
    pub containers: Vec<Container>,
    #[serde(deserialize_with = "null_as_default")]
    pub init_containers: Vec<Container>,
    pub resources: Option<Requirements>,
    pub overhead: Option<ResourceList>,
    pub active_deadline_seconds: Option<i64>,
    pub priority_class_name: Option<String>,
    pub affinity: Option<Affinity>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Meta {
    pub deletion_timestamp: Option<jiff::Timestamp>,
    pub deletion_grace_period_seconds: Option<i64>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Status {
    pub phase: Option<String>,
    pub qos_class: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Pod {
    #[serde(deserialize_with = "null_as_default")]
    pub metadata: Meta,
    #[serde(deserialize_with = "null_as_default")]
    pub spec: PodSpec,
    #[serde(deserialize_with = "null_as_default")]
    pub status: Status,
}

/// `Quantity.Add`: a zero takes the format of what is added to it.
pub fn plus(a: Quantity, b: Quantity) -> Quantity {
    let sum = a + b;
    if a.is_zero() {
        sum.with_format(b.format())
    } else {
        sum
    }
}

/// `addResourceList`: list += other, key by key (a missing key is copied).
pub fn add_into(list: &mut ResourceList, other: &ResourceList) {
    for (name, quantity) in other {
        match list.get_mut(name) {
            Some(current) => *current = plus(*current, *quantity),
            None => {
                list.insert(name.clone(), *quantity);
            }
        }
    }
}

/// `maxResourceList`: list = max(list, other), key by key.
pub fn max_into(list: &mut ResourceList, other: &ResourceList) {
    for (name, quantity) in other {
        match list.get(name) {
            Some(current) if current >= quantity => {}
            _ => {
                list.insert(name.clone(), *quantity);
            }
        }
    }
}

/// `quota.Add`: a + b over the union of their keys.
pub fn sum(a: &ResourceList, b: &ResourceList) -> ResourceList {
    let mut out = a.clone();
    add_into(&mut out, b);
    out
}

const POD_LEVEL: [&str; 2] = ["cpu", "memory"];

fn any_pod_level(list: &ResourceList) -> bool {
    list.keys().any(|k| POD_LEVEL.contains(&k.as_str()))
}

/// `IsPodLevelResourcesSet`.
pub fn pod_level_set(spec: &PodSpec) -> bool {
    spec.resources
        .as_ref()
        .is_some_and(|r| any_pod_level(&r.requests) || any_pod_level(&r.limits))
}

/// `aggregateContainerResourcesByFn`: app containers and sidecars add up; each ordinary init
/// container runs alongside the sidecars started before it; the pod needs the larger.
fn aggregate(spec: &PodSpec, pick: impl Fn(&Requirements) -> &ResourceList) -> ResourceList {
    let mut result = ResourceList::new();
    for container in &spec.containers {
        add_into(&mut result, pick(&container.resources));
    }
    let mut sidecars = ResourceList::new();
    let mut init = ResourceList::new();
    for container in &spec.init_containers {
        let own = pick(&container.resources);
        let running = if container.restartable() {
            add_into(&mut result, own);
            add_into(&mut sidecars, own);
            sidecars.clone()
        } else {
            sum(own, &sidecars)
        };
        max_into(&mut init, &running);
    }
    max_into(&mut result, &init);
    result
}

/// component-helpers `PodRequests` (spec only): containers, then pod-level requests of cpu
/// and memory override, then the overhead is added.
pub fn pod_requests(spec: &PodSpec) -> ResourceList {
    let mut requests = aggregate(spec, |r| &r.requests);
    if let Some(pod) = &spec.resources
        && any_pod_level(&pod.requests)
    {
        for (name, quantity) in &pod.requests {
            if POD_LEVEL.contains(&name.as_str()) {
                requests.insert(name.clone(), *quantity);
            }
        }
    }
    if let Some(overhead) = &spec.overhead {
        add_into(&mut requests, overhead);
    }
    requests
}

/// component-helpers `PodLimits` (spec only): the overhead is added only to limits that are
/// set and non-zero.
pub fn pod_limits(spec: &PodSpec) -> ResourceList {
    let mut limits = aggregate(spec, |r| &r.limits);
    if pod_level_set(spec)
        && let Some(pod) = &spec.resources
    {
        for (name, quantity) in &pod.limits {
            if POD_LEVEL.contains(&name.as_str()) {
                limits.insert(name.clone(), *quantity);
            }
        }
    }
    for (name, quantity) in spec.overhead.iter().flatten() {
        if let Some(limit) = limits.get_mut(name)
            && !limit.is_zero()
        {
            *limit = plus(*limit, *quantity);
        }
    }
    limits
}

/// A pod's QoS class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qos {
    Guaranteed,
    Burstable,
    BestEffort,
}

fn resource_qos(r: &Requirements, name: &str) -> Qos {
    let request = r.requests.get(name).copied().unwrap_or_default();
    let limit = r.limits.get(name).copied().unwrap_or_default();
    if request != limit {
        Qos::Burstable
    } else if request.is_zero() {
        Qos::BestEffort
    } else {
        Qos::Guaranteed
    }
}

fn requirements_qos(r: &Requirements) -> Qos {
    if r.requests.is_empty() && r.limits.is_empty() {
        return Qos::BestEffort;
    }
    let (cpu, memory) = (resource_qos(r, "cpu"), resource_qos(r, "memory"));
    if cpu == memory { cpu } else { Qos::Burstable }
}

/// `GetPodQOS`: `status.qosClass` when the server set it, else `ComputePodQOS`.
pub fn qos(pod: &Pod) -> Qos {
    match pod.status.qos_class.as_deref() {
        Some("Guaranteed") => return Qos::Guaranteed,
        Some("Burstable") => return Qos::Burstable,
        Some("BestEffort") => return Qos::BestEffort,
        _ => {}
    }
    if pod_level_set(&pod.spec)
        && let Some(resources) = &pod.spec.resources
    {
        return requirements_qos(resources);
    }
    let mut class = None;
    for container in pod.spec.init_containers.iter().chain(&pod.spec.containers) {
        let own = requirements_qos(&container.resources);
        match class {
            _ if own == Qos::Burstable => return Qos::Burstable,
            None => class = Some(own),
            Some(seen) if seen != own => return Qos::Burstable,
            Some(_) => {}
        }
    }
    class.unwrap_or(Qos::BestEffort)
}
