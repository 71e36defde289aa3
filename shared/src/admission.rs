//! What the API server's LimitRanger and ResourceQuota admission do to a pod, in their order,
//! with their messages: pod defaulting (requests from limits), LimitRange defaulting, LimitRange
//! validation, the quota constraint rule (`must specify …`) and quota arithmetic (`exceeded
//! quota: …`). Pure: pods, LimitRanges and ResourceQuotas in as JSON, decisions out.
//!
//! `kubectl quota check` predicts rejections with it and `kubectl quota status` recomputes quota
//! usage with it (simcluster admits pods with a port of its own, so the two can be compared);
//! the upstream behaviour it follows is in the reference notes (`quota.md`):
//! `SetDefaults_LimitRangeItem`, `PodMutateLimitFunc`, `minConstraint`/`maxConstraint`/
//! `limitRequestRatioConstraint`, `PodUsageFunc`, `enforcePodContainerConstraints` and
//! `checkRequest`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::quantity::{self, Quantity};

/// Resource name → quantity, sorted like the API server prints them.
pub type Resources = BTreeMap<String, Quantity>;

/// Reads a `ResourceList` (`{cpu: 100m, memory: 1Gi}`), skipping values that do not parse.
pub fn resources(value: &Value) -> Resources {
    value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), quantity::from_value(v)?.ok()?)))
        .collect()
}

/// `a=1,b=2`, the API server's `prettyPrint` of a resource list.
pub fn pretty(resources: &Resources) -> String {
    resources
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn containers_mut(spec: &mut Value) -> impl Iterator<Item = &mut Value> {
    let (init, app) = match spec.as_object_mut() {
        Some(map) => {
            let mut init = None;
            let mut app = None;
            for (key, value) in map.iter_mut() {
                match key.as_str() {
                    "initContainers" => init = value.as_array_mut(),
                    "containers" => app = value.as_array_mut(),
                    _ => {}
                }
            }
            (init, app)
        }
        None => (None, None),
    };
    init.into_iter().flatten().chain(app.into_iter().flatten())
}

fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
    ["initContainers", "containers"]
        .into_iter()
        .flat_map(move |field| spec[field].as_array().into_iter().flatten())
}

/// Pod API defaulting: a container with a limit but no request gets request = limit.
pub fn default_requests(spec: &mut Value) {
    for container in containers_mut(spec) {
        let limits = container["resources"]["limits"].clone();
        let Some(limits) = limits.as_object() else {
            continue;
        };
        for (resource, limit) in limits {
            if container["resources"]["requests"][resource].is_null() {
                if !container["resources"]["requests"].is_object() {
                    container["resources"]["requests"] = json!({});
                }
                container["resources"]["requests"][resource] = limit.clone();
            }
        }
    }
}

/// One LimitRange item after the API's own defaulting of the object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LimitItem {
    /// `Container`, `Pod` or `PersistentVolumeClaim`.
    pub kind: String,
    pub min: Resources,
    pub max: Resources,
    pub default: Resources,
    pub default_request: Resources,
    pub max_limit_request_ratio: Resources,
}

/// A LimitRange's items, defaulted as `SetDefaults_LimitRangeItem` does for Container items:
/// default ← max, then defaultRequest ← default, then defaultRequest ← min.
pub fn limit_items(limit_range: &Value) -> Vec<LimitItem> {
    limit_range["spec"]["limits"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| {
            let mut parsed = LimitItem {
                kind: item["type"].as_str().unwrap_or_default().to_owned(),
                min: resources(&item["min"]),
                max: resources(&item["max"]),
                default: resources(&item["default"]),
                default_request: resources(&item["defaultRequest"]),
                max_limit_request_ratio: resources(&item["maxLimitRequestRatio"]),
            };
            if parsed.kind == "Container" {
                for (r, q) in &parsed.max {
                    parsed.default.entry(r.clone()).or_insert(*q);
                }
                for (r, q) in &parsed.default {
                    parsed.default_request.entry(r.clone()).or_insert(*q);
                }
                for (r, q) in &parsed.min {
                    parsed.default_request.entry(r.clone()).or_insert(*q);
                }
            }
            parsed
        })
        .collect()
}

/// LimitRanger's mutation: missing container limits from `default`, missing requests from
/// `defaultRequest`, for containers and init containers. Returns the
/// `kubernetes.io/limit-ranger` annotation text, when it changed anything.
pub fn apply_limit_defaults(spec: &mut Value, items: &[LimitItem]) -> Option<String> {
    let mut notes = Vec::new();
    for item in items.iter().filter(|i| i.kind == "Container") {
        for container in containers_mut(spec) {
            let name = container["name"].as_str().unwrap_or_default().to_owned();
            let mut set_requests = Vec::new();
            let mut set_limits = Vec::new();
            for (field, defaults, set) in [
                ("requests", &item.default_request, &mut set_requests),
                ("limits", &item.default, &mut set_limits),
            ] {
                for (resource, quantity) in defaults {
                    if container["resources"][field][resource].is_null() {
                        if !container["resources"].is_object() {
                            container["resources"] = json!({});
                        }
                        if !container["resources"][field].is_object() {
                            container["resources"][field] = json!({});
                        }
                        container["resources"][field][resource] = json!(quantity.to_string());
                        set.push(resource.clone());
                    }
                }
            }
            if !set_requests.is_empty() {
                notes.push(format!(
                    "{} request for container {name}",
                    set_requests.join(", ")
                ));
            }
            if !set_limits.is_empty() {
                notes.push(format!(
                    "{} limit for container {name}",
                    set_limits.join(", ")
                ));
            }
        }
    }
    (!notes.is_empty()).then(|| format!("LimitRanger plugin set: {}", notes.join("; ")))
}

fn min_constraint(
    kind: &str,
    resource: &str,
    min: Quantity,
    request: Option<Quantity>,
    limit: Option<Quantity>,
) -> Option<String> {
    match request {
        None => Some(format!(
            "minimum {resource} usage per {kind} is {min}.  No request is specified"
        )),
        Some(r) if r < min => Some(format!(
            "minimum {resource} usage per {kind} is {min}, but request is {r}"
        )),
        _ => match limit {
            Some(l) if l < min => Some(format!(
                "minimum {resource} usage per {kind} is {min}, but limit is {l}"
            )),
            _ => None,
        },
    }
}

fn max_constraint(
    kind: &str,
    resource: &str,
    max: Quantity,
    request: Option<Quantity>,
    limit: Option<Quantity>,
) -> Option<String> {
    match limit {
        None => Some(format!(
            "maximum {resource} usage per {kind} is {max}.  No limit is specified"
        )),
        Some(l) if l > max => Some(format!(
            "maximum {resource} usage per {kind} is {max}, but limit is {l}"
        )),
        _ => match request {
            Some(r) if r > max => Some(format!(
                "maximum {resource} usage per {kind} is {max}, but request is {r}"
            )),
            _ => None,
        },
    }
}

fn ratio_constraint(
    kind: &str,
    resource: &str,
    ratio: Quantity,
    request: Option<Quantity>,
    limit: Option<Quantity>,
) -> Option<String> {
    let request = match request {
        Some(r) if !r.is_zero() => r,
        _ => {
            return Some(format!(
                "{resource} max limit to request ratio per {kind} is {ratio}, but no request is specified or request is 0"
            ));
        }
    };
    let limit = match limit {
        Some(l) if !l.is_zero() => l,
        _ => {
            return Some(format!(
                "{resource} max limit to request ratio per {kind} is {ratio}, but no limit is specified or limit is 0"
            ));
        }
    };
    // limit / request > ratio  ⇔  limit > ratio × request, exactly.
    let allowed = ratio.nanos().checked_mul(request.nanos());
    let observed = limit.nanos().checked_mul(1_000_000_000);
    match (allowed, observed) {
        (Some(allowed), Some(observed)) if observed > allowed => Some(format!(
            "{resource} max limit to request ratio per {kind} is {ratio}, but provided ratio is {:.6}",
            limit.as_f64() / request.as_f64()
        )),
        _ => None,
    }
}

fn check_item(
    kind: &str,
    item: &LimitItem,
    requests: &Resources,
    limits: &Resources,
    errors: &mut Vec<String>,
) {
    for (resource, min) in &item.min {
        errors.extend(min_constraint(
            kind,
            resource,
            *min,
            requests.get(resource).copied(),
            limits.get(resource).copied(),
        ));
    }
    for (resource, max) in &item.max {
        errors.extend(max_constraint(
            kind,
            resource,
            *max,
            requests.get(resource).copied(),
            limits.get(resource).copied(),
        ));
    }
    for (resource, ratio) in &item.max_limit_request_ratio {
        errors.extend(ratio_constraint(
            kind,
            resource,
            *ratio,
            requests.get(resource).copied(),
            limits.get(resource).copied(),
        ));
    }
}

/// LimitRanger's validation of a (defaulted) pod spec: Container items per container and init
/// container, Pod items on the pod's totals. Messages as the API server words them.
pub fn validate_limits(spec: &Value, items: &[LimitItem]) -> Vec<String> {
    let mut errors = Vec::new();
    for item in items {
        match item.kind.as_str() {
            "Container" => {
                for container in containers(spec) {
                    let requests = resources(&container["resources"]["requests"]);
                    let limits = resources(&container["resources"]["limits"]);
                    check_item("Container", item, &requests, &limits, &mut errors);
                }
            }
            "Pod" => {
                let (requests, limits) = pod_totals(spec);
                check_item("Pod", item, &requests, &limits, &mut errors);
            }
            _ => {}
        }
    }
    errors
}

/// The pod's effective requests and limits: the sum over app containers and restartable
/// (sidecar) init containers, maxed with each regular init container plus the sidecars started
/// before it; pod overhead added.
pub fn pod_totals(spec: &Value) -> (Resources, Resources) {
    let mut totals = (Resources::new(), Resources::new());
    for (field, total) in [("requests", &mut totals.0), ("limits", &mut totals.1)] {
        let add = |into: &mut Resources, from: &Resources| {
            for (r, q) in from {
                let sum = into.get(r).map_or(*q, |have| *have + *q);
                into.insert(r.clone(), sum);
            }
        };
        let mut sum = Resources::new();
        for container in spec["containers"].as_array().into_iter().flatten() {
            add(&mut sum, &resources(&container["resources"][field]));
        }
        let mut sidecars = Resources::new();
        let mut init_max = Resources::new();
        for init in spec["initContainers"].as_array().into_iter().flatten() {
            let own = resources(&init["resources"][field]);
            if init["restartPolicy"] == "Always" {
                add(&mut sum, &own);
                add(&mut sidecars, &own);
            } else {
                let mut during = sidecars.clone();
                add(&mut during, &own);
                for (r, q) in during {
                    let max = init_max.get(&r).map_or(q, |have| Quantity::max(*have, q));
                    init_max.insert(r, max);
                }
            }
        }
        for (r, q) in init_max {
            let max = sum.get(&r).map_or(q, |have| Quantity::max(*have, q));
            sum.insert(r, max);
        }
        // Pod-level resources (`spec.resources`) replace the containers' sum for the resources
        // they name (cpu, memory, hugepages-*): `applyPodLevelResources`. Limits count only
        // when some pod-level resource is set at all (`IsPodLevelResourcesSet`).
        let pod_level = &spec["resources"][field];
        if (field == "requests" && pod_level_has(pod_level))
            || (field == "limits" && pod_level_set(spec))
        {
            for (r, q) in resources(pod_level) {
                if pod_level_resource(&r) {
                    sum.insert(r, q);
                }
            }
        }
        // Overhead adds to every request, and to the limits that are set and non-zero.
        for (r, q) in resources(&spec["overhead"]) {
            match sum.get_mut(&r) {
                Some(have) if field == "requests" || !have.is_zero() => *have = *have + q,
                None if field == "requests" => {
                    sum.insert(r, q);
                }
                _ => {}
            }
        }
        *total = sum;
    }
    totals
}

/// Whether pod-level resources may name this resource (`IsSupportedPodLevelResource`).
fn pod_level_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory") || name.starts_with("hugepages-")
}

fn pod_level_has(list: &Value) -> bool {
    list.as_object()
        .is_some_and(|m| m.keys().any(|k| pod_level_resource(k)))
}

/// Whether the pod sets pod-level resources (`IsPodLevelResourcesSet`): a supported resource
/// in `spec.resources.requests` or `.limits`.
pub fn pod_level_set(spec: &Value) -> bool {
    pod_level_has(&spec["resources"]["requests"]) || pod_level_has(&spec["resources"]["limits"])
}

/// Whether a pod counts against quota: not Succeeded or Failed.
pub fn pod_is_active(pod: &Value) -> bool {
    !matches!(
        pod["status"]["phase"].as_str(),
        Some("Succeeded" | "Failed")
    )
}

/// What an active pod charges a quota (`PodUsageFunc`): `pods`, `count/pods`, and its
/// effective requests and limits under the names upstream's `podComputeUsageHelper` gives them.
pub fn pod_usage(spec: &Value) -> Resources {
    let mut usage = Resources::new();
    let one = Quantity::from_units(1, quantity::Format::DecimalSi);
    usage.insert("count/pods".into(), one);
    let (requests, limits) = pod_totals(spec);
    usage.extend(compute_usage(&requests, &limits));
    usage
}

/// `podComputeUsageHelper`: `pods`; cpu, memory and ephemeral-storage under their plain,
/// `requests.` and `limits.` names; `hugepages-<size>` under its plain and `requests.` names;
/// extended resources (`example.com/gpu`, `deviceclass.resource.kubernetes.io/…`) under
/// `requests.` only.
fn compute_usage(requests: &Resources, limits: &Resources) -> Resources {
    let mut usage = Resources::new();
    usage.insert(
        "pods".into(),
        Quantity::from_units(1, quantity::Format::DecimalSi),
    );
    for (resource, q) in requests {
        if matches!(resource.as_str(), "cpu" | "memory" | "ephemeral-storage")
            || resource.starts_with("hugepages-")
        {
            usage.insert(resource.clone(), *q);
            usage.insert(format!("requests.{resource}"), *q);
        } else if extended_resource(resource) {
            usage.insert(format!("requests.{resource}"), *q);
        }
    }
    for (resource, q) in limits {
        if matches!(resource.as_str(), "cpu" | "memory" | "ephemeral-storage") {
            usage.insert(format!("limits.{resource}"), *q);
        }
    }
    usage
}

/// `IsDRAExtendedResourceName`: an extended resource (outside `kubernetes.io/`, with a
/// domain, a valid quota name once prefixed with `requests.`) or a DRA device class resource.
fn extended_resource(name: &str) -> bool {
    if name.starts_with("deviceclass.resource.kubernetes.io/") {
        return true;
    }
    if native_resource(name) || name.starts_with("requests.") {
        return false;
    }
    qualified_name(&format!("requests.{name}"))
}

/// `validation.IsQualifiedName`: an optional DNS-subdomain prefix and `/`, then a name of at
/// most 63 alphanumerics, `-`, `_` and `.`, starting and ending alphanumeric.
fn qualified_name(value: &str) -> bool {
    let (prefix, name) = match value.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, value),
    };
    let alnum_ends = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric())
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && alnum_ends(name)
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|label| {
                !label.is_empty()
                    && alnum_ends(label)
                    && label
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
    });
    name_ok && prefix_ok
}

/// A ResourceQuota, as admission sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Quota {
    pub name: String,
    pub hard: Resources,
    /// `status.used`; None when the quota controller has not computed it yet.
    pub used: Option<Resources>,
    pub scopes: Vec<String>,
    /// `scopeSelector.matchExpressions`: (scopeName, operator, values).
    pub selector: Vec<(String, String, Vec<String>)>,
}

impl Quota {
    /// Reads a ResourceQuota object (`status.hard` when set, else `spec.hard`).
    pub fn from_object(object: &Value) -> Self {
        let hard = if object["status"]["hard"].is_object() {
            resources(&object["status"]["hard"])
        } else {
            resources(&object["spec"]["hard"])
        };
        Self {
            name: object["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            hard,
            used: object["status"]["used"]
                .is_object()
                .then(|| resources(&object["status"]["used"])),
            scopes: object["spec"]["scopes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect(),
            selector: object["spec"]["scopeSelector"]["matchExpressions"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    (
                        e["scopeName"].as_str().unwrap_or_default().to_owned(),
                        e["operator"].as_str().unwrap_or_default().to_owned(),
                        e["values"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect(),
                    )
                })
                .collect(),
        }
    }

    /// Whether the quota's scopes select this pod spec.
    pub fn selects(&self, spec: &Value) -> bool {
        let scopes = self
            .scopes
            .iter()
            .map(|s| (s.clone(), "Exists".to_owned(), Vec::new()));
        scopes
            .chain(self.selector.iter().cloned())
            .all(|(scope, operator, values)| scope_matches(&scope, spec, &operator, &values))
    }
}

/// A pod's quality-of-service class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QosClass {
    Guaranteed,
    Burstable,
    BestEffort,
}

/// The pod's QoS class as upstream's `ComputePodQOS` decides it (after defaulting): from the
/// pod-level resources when any is set, else from every init and app container, where only
/// cpu and memory count and a zero is as good as unset.
pub fn qos_class(spec: &Value) -> QosClass {
    if pod_level_set(spec) {
        return requirements_qos(&spec["resources"]);
    }
    let mut pod = None;
    for container in containers(spec) {
        let own = requirements_qos(&container["resources"]);
        match pod {
            _ if own == QosClass::Burstable => return own,
            None => pod = Some(own),
            Some(class) if class != own => return QosClass::Burstable,
            Some(_) => {}
        }
    }
    pod.unwrap_or(QosClass::BestEffort)
}

/// `requirementsQOS`: one ResourceRequirements' class over cpu and memory.
fn requirements_qos(requirements: &Value) -> QosClass {
    let quantity = |field: &str, name: &str| {
        quantity::from_value(&requirements[field][name])
            .and_then(Result::ok)
            .unwrap_or(Quantity::ZERO)
    };
    let mut class = None;
    for name in ["cpu", "memory"] {
        let (request, limit) = (quantity("requests", name), quantity("limits", name));
        let own = if request != limit {
            QosClass::Burstable
        } else if request.is_zero() {
            QosClass::BestEffort
        } else {
            QosClass::Guaranteed
        };
        match class {
            _ if own == QosClass::Burstable => return own,
            None => class = Some(own),
            Some(c) if c != own => return QosClass::Burstable,
            Some(_) => {}
        }
    }
    class.unwrap_or(QosClass::BestEffort)
}

fn scope_matches(scope: &str, spec: &Value, operator: &str, values: &[String]) -> bool {
    let holds = match scope {
        "Terminating" => spec["activeDeadlineSeconds"]
            .as_i64()
            .is_some_and(|s| s >= 0),
        "NotTerminating" => spec["activeDeadlineSeconds"].is_null(),
        "BestEffort" => qos_class(spec) == QosClass::BestEffort,
        "NotBestEffort" => qos_class(spec) != QosClass::BestEffort,
        "PriorityClass" => {
            let class = spec["priorityClassName"].as_str();
            return match operator {
                "In" => class.is_some_and(|c| values.iter().any(|v| v == c)),
                "NotIn" => class.is_none_or(|c| !values.iter().any(|v| v == c)),
                "Exists" => class.is_some(),
                "DoesNotExist" => class.is_none(),
                _ => false,
            };
        }
        "CrossNamespacePodAffinity" => {
            let terms = |kind: &str| {
                [
                    "requiredDuringSchedulingIgnoredDuringExecution",
                    "preferredDuringSchedulingIgnoredDuringExecution",
                ]
                .iter()
                .flat_map(|f| spec["affinity"][kind][*f].as_array().into_iter().flatten())
                .any(|t| {
                    let term = if t["podAffinityTerm"].is_object() {
                        &t["podAffinityTerm"]
                    } else {
                        t
                    };
                    term["namespaces"].as_array().is_some_and(|n| !n.is_empty())
                        || term["namespaceSelector"].is_object()
                })
            };
            terms("podAffinity") || terms("podAntiAffinity")
        }
        _ => false,
    };
    match operator {
        "DoesNotExist" | "NotIn" => !holds,
        _ => holds,
    }
}

/// API validation of each container's resources after defaulting (upstream's
/// `validateResourceRequirements`), in the server's words: a request above its limit
/// (`spec.containers[0].resources.requests: Invalid value: "700m": must be less than or equal to
/// cpu limit of 500m`), a hugepages or extended resource whose request differs from its limit
/// or has none (they cannot be overcommitted), and hugepages without cpu or memory.
pub fn validate_requirements(spec: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    for field in ["initContainers", "containers"] {
        for (i, container) in spec[field].as_array().into_iter().flatten().enumerate() {
            let path = format!("spec.{field}[{i}].resources");
            let resources = &container["resources"];
            let names = |list: &str| -> Vec<String> {
                resources[list]
                    .as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let (limit_names, request_names) = (names("limits"), names("requests"));
            for name in &request_names {
                let Some(Ok(request)) = quantity::from_value(&resources["requests"][name]) else {
                    continue;
                };
                let overcommit = overcommit_allowed(name);
                match quantity::from_value(&resources["limits"][name]) {
                    Some(Ok(limit)) if !overcommit && request != limit => errors.push(format!(
                        "{path}.requests: Invalid value: \"{request}\": must be equal to {name} limit of {limit}"
                    )),
                    Some(Ok(limit)) if request > limit => errors.push(format!(
                        "{path}.requests: Invalid value: \"{request}\": must be less than or equal to {name} limit of {limit}"
                    )),
                    None if !overcommit => errors.push(format!(
                        "{path}.limits: Required value: Limit must be set for non overcommitable resources"
                    )),
                    _ => {}
                }
            }
            let all = || limit_names.iter().chain(&request_names);
            if all().any(|n| n.starts_with("hugepages-"))
                && !all().any(|n| n == "cpu" || n == "memory")
            {
                errors.push(format!(
                    "{path}: Forbidden: HugePages require cpu or memory"
                ));
            }
        }
    }
    errors
}

/// `IsOvercommitAllowed`: native resources other than hugepages may request less than their
/// limit.
fn overcommit_allowed(name: &str) -> bool {
    native_resource(name) && !name.starts_with("hugepages-")
}

/// `IsNativeResource`: no domain, or in `kubernetes.io/`.
fn native_resource(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// The quota names that need every container to be explicit.
const CONSTRAINED: [&str; 6] = [
    "cpu",
    "memory",
    "requests.cpu",
    "requests.memory",
    "limits.cpu",
    "limits.memory",
];

/// The quota constraint rule: with cpu or memory under a matching quota, every container and
/// init container must set them. The `failed quota: …: must specify …` message, if violated,
/// in upstream's form (pkg/quota/v1/evaluator/core/pods.go): each missing resource, sorted,
/// with the containers that miss it, sorted: `must specify cpu for: bar,foo; memory for: foo`.
/// Pod-level resources (`spec.resources`) lift the rule, as they do upstream.
pub fn constraint(quota: &Quota, spec: &Value) -> Option<String> {
    if pod_level_set(spec) {
        return None;
    }
    let required: Vec<&str> = CONSTRAINED
        .into_iter()
        .filter(|r| quota.hard.contains_key(*r))
        .collect();
    let mut missing: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for container in containers(spec) {
        let requests = &container["resources"]["requests"];
        let limits = &container["resources"]["limits"];
        for name in &required {
            let present = match *name {
                "cpu" | "requests.cpu" => !requests["cpu"].is_null(),
                "memory" | "requests.memory" => !requests["memory"].is_null(),
                "limits.cpu" => !limits["cpu"].is_null(),
                _ => !limits["memory"].is_null(),
            };
            if !present {
                missing
                    .entry(*name)
                    .or_default()
                    .insert(container["name"].as_str().unwrap_or_default());
            }
        }
    }
    (!missing.is_empty()).then(|| {
        let parts: Vec<String> = missing
            .into_iter()
            .map(|(resource, names)| {
                format!(
                    "{resource} for: {}",
                    names.into_iter().collect::<Vec<_>>().join(",")
                )
            })
            .collect();
        format!(
            "failed quota: {}: must specify {}",
            quota.name,
            parts.join("; ")
        )
    })
}

/// Quota arithmetic: `used + requested ≤ hard` for the resources the quota limits; the
/// `exceeded quota: …` message naming only the exceeded resources, when it does not fit.
pub fn exceeds(quota: &Quota, used: &Resources, requested: &Resources) -> Option<String> {
    let mut failed_requested = Resources::new();
    let mut failed_used = Resources::new();
    let mut failed_hard = Resources::new();
    for (resource, hard) in &quota.hard {
        let Some(asked) = requested.get(resource) else {
            continue;
        };
        let have = used.get(resource).copied().unwrap_or(Quantity::ZERO);
        if have + *asked > *hard {
            failed_requested.insert(resource.clone(), *asked);
            failed_used.insert(resource.clone(), have.with_format(hard.format()));
            failed_hard.insert(resource.clone(), *hard);
        }
    }
    (!failed_hard.is_empty()).then(|| {
        format!(
            "exceeded quota: {}, requested: {}, used: {}, limited: {}",
            quota.name,
            pretty(&failed_requested),
            pretty(&failed_used),
            pretty(&failed_hard)
        )
    })
}

/// Why a pod would be (or was) refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// `LimitRange`, `QuotaConstraint`, `QuotaExceeded` or `QuotaStatusUnknown`.
    pub reason: String,
    /// The API server's message.
    pub message: String,
}

/// A pod's way through admission.
#[derive(Debug, Clone, PartialEq)]
pub struct Admission {
    /// The pod spec after defaulting and LimitRanger (what would be stored).
    pub spec: Value,
    /// The `kubernetes.io/limit-ranger` annotation, if LimitRanger set anything.
    pub limit_ranger: Option<String>,
    /// What it charges each matching quota (by quota name).
    pub charges: BTreeMap<String, Resources>,
    /// Empty when admitted.
    pub problems: Vec<Problem>,
}

impl Admission {
    /// The message the API server would return: one problem, or `[a, b]` for several.
    pub fn message(&self) -> Option<String> {
        match self.problems.as_slice() {
            [] => None,
            [one] => Some(one.message.clone()),
            many => Some(format!(
                "[{}]",
                many.iter()
                    .map(|p| p.message.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

/// Admits `replicas` pods of one spec in a namespace with these LimitRanges and quotas, in the
/// API server's order. `used` overrides each quota's status (by name) when given. LimitRange
/// problems stop before quota; the first quota that refuses stops the rest, as upstream.
pub fn admit(spec: &Value, limit_ranges: &[Value], quotas: &[Quota], replicas: i64) -> Admission {
    let mut spec = spec.clone();
    default_requests(&mut spec);
    let items: Vec<LimitItem> = limit_ranges.iter().flat_map(limit_items).collect();
    let limit_ranger = apply_limit_defaults(&mut spec, &items);
    let mut admission = Admission {
        spec,
        limit_ranger,
        charges: BTreeMap::new(),
        problems: Vec::new(),
    };
    // The API server validates the pod between mutating admission (LimitRanger's defaults)
    // and validating admission (LimitRanger's bounds, then quota).
    let invalid = validate_requirements(&admission.spec);
    if !invalid.is_empty() {
        admission.problems.push(Problem {
            reason: "Invalid".into(),
            message: invalid.join(", "),
        });
        return admission;
    }
    let problems: Vec<Problem> = validate_limits(&admission.spec, &items)
        .into_iter()
        .map(|message| Problem {
            reason: "LimitRange".into(),
            message,
        })
        .collect();
    if !problems.is_empty() {
        admission.problems = problems;
        return admission;
    }
    let usage = pod_usage(&admission.spec);
    let mut ordered: Vec<&Quota> = quotas.iter().collect();
    ordered.sort_by(|a, b| a.name.cmp(&b.name));
    for quota in ordered.into_iter().filter(|q| q.selects(&admission.spec)) {
        if let Some(message) = constraint(quota, &admission.spec) {
            admission.problems.push(Problem {
                reason: "QuotaConstraint".into(),
                message,
            });
            return admission;
        }
        let requested: Resources = usage
            .iter()
            .filter(|(r, _)| quota.hard.contains_key(*r))
            .map(|(r, q)| (r.clone(), q.checked_mul(replicas).unwrap_or(*q)))
            .collect();
        let Some(used) = &quota.used else {
            admission.problems.push(Problem {
                reason: "QuotaStatusUnknown".into(),
                message: format!(
                    "status unknown for quota: {}, resources: {}",
                    quota.name,
                    requested.keys().cloned().collect::<Vec<_>>().join(",")
                ),
            });
            return admission;
        };
        if let Some(message) = exceeds(quota, used, &requested) {
            admission.problems.push(Problem {
                reason: "QuotaExceeded".into(),
                message,
            });
            return admission;
        }
        admission.charges.insert(quota.name.clone(), requested);
    }
    admission
}

/// A quota's usage computed from the namespace's objects, given as (plural, group, object):
/// active pods its scopes select, object counts, services, and PVC storage. Every hard resource
/// gets an entry, zero when nothing uses it, as the quota controller writes `status.used`.
pub fn quota_used<'a>(
    quota: &Quota,
    objects: impl IntoIterator<Item = (&'a str, &'a str, &'a Value)>,
) -> Resources {
    let mut used: Resources = quota
        .hard
        .iter()
        .map(|(r, hard)| (r.clone(), Quantity::ZERO.with_format(hard.format())))
        .collect();
    let one = Quantity::from_units(1, quantity::Format::DecimalSi);
    let mut charge = |resource: &str, amount: Quantity| {
        if let Some(total) = used.get_mut(resource) {
            *total = *total + amount;
        }
    };
    let scoped = !quota.scopes.is_empty() || !quota.selector.is_empty();
    for (plural, group, object) in objects {
        if plural == "pods" && group.is_empty() {
            let spec = &object["spec"];
            if !quota.selects(spec) {
                continue;
            }
            if pod_is_active(object) {
                for (resource, amount) in pod_usage(spec) {
                    charge(&resource, amount);
                }
            } else {
                // Object counts track every pod in storage, finished or not.
                charge("count/pods", one);
            }
            continue;
        }
        if scoped {
            // Pod scopes select pods only.
            continue;
        }
        let count = if group.is_empty() {
            format!("count/{plural}")
        } else {
            format!("count/{plural}.{group}")
        };
        charge(&count, one);
        if !group.is_empty() {
            continue;
        }
        match plural {
            "services" => {
                charge("services", one);
                let kind = object["spec"]["type"].as_str().unwrap_or("ClusterIP");
                if kind == "LoadBalancer" {
                    charge("services.loadbalancers", one);
                }
                if matches!(kind, "NodePort" | "LoadBalancer") {
                    let ports = object["spec"]["ports"]
                        .as_array()
                        .map_or(&[][..], Vec::as_slice);
                    // A LoadBalancer that does not allocate node ports uses only the node
                    // ports it names (upstream's serviceEvaluator `portsWithNodePorts`).
                    let ports = if kind == "LoadBalancer"
                        && object["spec"]["allocateLoadBalancerNodePorts"] == false
                    {
                        ports
                            .iter()
                            .filter(|p| p["nodePort"].as_i64().is_some_and(|n| n != 0))
                            .count()
                    } else {
                        ports.len()
                    };
                    charge(
                        "services.nodeports",
                        Quantity::from_units(ports as i64, quantity::Format::DecimalSi),
                    );
                }
            }
            "persistentvolumeclaims" => {
                charge("persistentvolumeclaims", one);
                let storage =
                    quantity::from_value(&object["spec"]["resources"]["requests"]["storage"])
                        .and_then(Result::ok)
                        .unwrap_or(Quantity::ZERO);
                charge("requests.storage", storage);
                if let Some(class) = object["spec"]["storageClassName"].as_str() {
                    charge(
                        &format!("{class}.storageclass.storage.k8s.io/requests.storage"),
                        storage,
                    );
                    charge(
                        &format!("{class}.storageclass.storage.k8s.io/persistentvolumeclaims"),
                        one,
                    );
                }
            }
            "secrets" | "configmaps" | "replicationcontrollers" | "resourcequotas" => {
                charge(plural, one)
            }
            _ => {}
        }
    }
    used
}

#[cfg(test)]
mod tests;
