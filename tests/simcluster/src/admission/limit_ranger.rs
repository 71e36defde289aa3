//! The LimitRanger admission plugin (upstream `plugin/pkg/admission/limitranger`): a
//! LimitRange's defaults merged into each container, the annotation that says so, and the
//! min / max / maxLimitRequestRatio constraints per Container and per Pod.

use serde::Deserialize;
use serde_json::Value;
use shipshape::quantity::Quantity;

use super::pod::{Container, Pod, PodSpec, ResourceList, pod_limits, pod_requests};

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Item {
    #[serde(rename = "type")]
    pub kind: String,
    pub default: Option<ResourceList>,
    pub default_request: Option<ResourceList>,
    pub min: Option<ResourceList>,
    pub max: Option<ResourceList>,
    pub max_limit_request_ratio: Option<ResourceList>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct Spec {
    limits: Vec<Item>,
}

/// A LimitRange as the API server stores it: its items defaulted.
#[derive(Debug, Default, Clone)]
pub struct LimitRange {
    pub name: String,
    pub items: Vec<Item>,
}

impl LimitRange {
    /// Reads a LimitRange object; None when its spec does not parse.
    pub fn from_object(object: &Value) -> Option<Self> {
        let spec: Spec = serde_json::from_value(object["spec"].clone()).ok()?;
        Some(Self {
            name: object["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            items: spec.limits.into_iter().map(defaulted).collect(),
        })
    }
}

/// `SetDefaults_LimitRangeItem`: for Container items, a missing default limit is the max, a
/// missing default request is the default limit, else the min.
pub fn defaulted(mut item: Item) -> Item {
    if item.kind != "Container" {
        return item;
    }
    let mut default = item.default.take().unwrap_or_default();
    for (name, value) in item.max.iter().flatten() {
        default.entry(name.clone()).or_insert(*value);
    }
    let mut request = item.default_request.take().unwrap_or_default();
    for (name, value) in &default {
        request.entry(name.clone()).or_insert(*value);
    }
    for (name, value) in item.min.iter().flatten() {
        request.entry(name.clone()).or_insert(*value);
    }
    item.default = Some(default);
    item.default_request = Some(request);
    item
}

/// `SetDefaults_LimitRangeItem` on a stored LimitRange object (what `kubectl get -o yaml`
/// shows): the defaults written into `spec.limits[*]`.
pub fn default_object(object: &mut Value) {
    let Some(items) = object["spec"]["limits"].as_array_mut() else {
        return;
    };
    for item in items {
        let Ok(typed) = serde_json::from_value::<Item>(item.clone()) else {
            continue;
        };
        if typed.kind != "Container" {
            continue;
        }
        let typed = defaulted(typed);
        let list = |l: &ResourceList| {
            serde_json::to_value(l).unwrap_or_else(|_| Value::Object(Default::default()))
        };
        if let Some(default) = &typed.default
            && !default.is_empty()
        {
            item["default"] = list(default);
        }
        if let Some(request) = &typed.default_request
            && !request.is_empty()
        {
            item["defaultRequest"] = list(request);
        }
    }
}

/// `mergeContainerResources`: sets the defaults the container lacks; returns the annotation
/// parts (`cpu, memory request for container app`).
fn merge(
    container: &mut Container,
    requests: &ResourceList,
    limits: &ResourceList,
    what: &str,
) -> Vec<String> {
    let mut set_limits: Vec<&str> = Vec::new();
    let mut set_requests: Vec<&str> = Vec::new();
    for (name, value) in limits {
        if !container.resources.limits.contains_key(name) {
            container.resources.limits.insert(name.clone(), *value);
            set_limits.push(name);
        }
    }
    for (name, value) in requests {
        if !container.resources.requests.contains_key(name) {
            container.resources.requests.insert(name.clone(), *value);
            set_requests.push(name);
        }
    }
    let mut notes = Vec::new();
    if !set_requests.is_empty() {
        set_requests.sort_unstable();
        notes.push(format!(
            "{} request for {what} {}",
            set_requests.join(", "),
            container.name
        ));
    }
    if !set_limits.is_empty() {
        set_limits.sort_unstable();
        notes.push(format!(
            "{} limit for {what} {}",
            set_limits.join(", "),
            container.name
        ));
    }
    notes
}

/// `PodMutateLimitFunc`: merges the LimitRange's Container defaults into every container
/// (app containers first); returns the `kubernetes.io/limit-ranger` annotation when it set
/// anything.
pub fn mutate(range: &LimitRange, pod: &mut Pod) -> Option<String> {
    let mut requests = ResourceList::new();
    let mut limits = ResourceList::new();
    for item in range.items.iter().filter(|i| i.kind == "Container") {
        requests.extend(
            item.default_request
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), *v)),
        );
        limits.extend(item.default.iter().flatten().map(|(k, v)| (k.clone(), *v)));
    }
    let mut notes = Vec::new();
    for container in &mut pod.spec.containers {
        notes.extend(merge(container, &requests, &limits, "container"));
    }
    for container in &mut pod.spec.init_containers {
        notes.extend(merge(container, &requests, &limits, "init container"));
    }
    (!notes.is_empty()).then(|| format!("LimitRanger plugin set: {}", notes.join("; ")))
}

/// `requestLimitEnforcedValues`: whole units, or thousandths when none would overflow.
fn enforced_values(request: Quantity, limit: Quantity, enforced: Quantity) -> (i128, i128, i128) {
    const MAX_MILLI: i128 = (i64::MAX / 1000) as i128;
    let units = |q: Quantity| {
        q.nanos().div_euclid(1_000_000_000) + i128::from(q.nanos().rem_euclid(1_000_000_000) != 0)
    };
    let (r, l, e) = (units(request), units(limit), units(enforced));
    if r <= MAX_MILLI && l <= MAX_MILLI && e <= MAX_MILLI {
        (
            request.millis_ceil(),
            limit.millis_ceil(),
            enforced.millis_ceil(),
        )
    } else {
        (r, l, e)
    }
}

fn min_constraint(
    kind: &str,
    name: &str,
    enforced: Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Option<String> {
    let request = requests.get(name);
    let limit = limits.get(name);
    let (req, lim, min) = enforced_values(
        request.copied().unwrap_or_default(),
        limit.copied().unwrap_or_default(),
        enforced,
    );
    let Some(request) = request else {
        return Some(format!(
            "minimum {name} usage per {kind} is {enforced}.  No request is specified"
        ));
    };
    if req < min {
        return Some(format!(
            "minimum {name} usage per {kind} is {enforced}, but request is {request}"
        ));
    }
    match limit {
        Some(limit) if lim < min => Some(format!(
            "minimum {name} usage per {kind} is {enforced}, but limit is {limit}"
        )),
        _ => None,
    }
}

fn max_constraint(
    kind: &str,
    name: &str,
    enforced: Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Option<String> {
    let request = requests.get(name);
    let limit = limits.get(name);
    let (req, lim, max) = enforced_values(
        request.copied().unwrap_or_default(),
        limit.copied().unwrap_or_default(),
        enforced,
    );
    let Some(limit) = limit else {
        return Some(format!(
            "maximum {name} usage per {kind} is {enforced}.  No limit is specified"
        ));
    };
    if lim > max {
        return Some(format!(
            "maximum {name} usage per {kind} is {enforced}, but limit is {limit}"
        ));
    }
    match request {
        Some(request) if req > max => Some(format!(
            "maximum {name} usage per {kind} is {enforced}, but request is {request}"
        )),
        _ => None,
    }
}

fn ratio_constraint(
    kind: &str,
    name: &str,
    enforced: Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Option<String> {
    let request = requests.get(name);
    let limit = limits.get(name);
    let (req, lim, _) = enforced_values(
        request.copied().unwrap_or_default(),
        limit.copied().unwrap_or_default(),
        enforced,
    );
    if request.is_none() || req == 0 {
        return Some(format!(
            "{name} max limit to request ratio per {kind} is {enforced}, but no request is specified or request is 0"
        ));
    }
    if limit.is_none() || lim == 0 {
        return Some(format!(
            "{name} max limit to request ratio per {kind} is {enforced}, but no limit is specified or limit is 0"
        ));
    }
    let shown = lim as f64 / req as f64;
    let enforced_units = enforced.nanos().div_euclid(1_000_000_000)
        + i128::from(enforced.nanos().rem_euclid(1_000_000_000) != 0);
    let (observed, maximum) = if enforced_units <= (i64::MAX / 1000) as i128 {
        (shown * 1000.0, enforced.millis_ceil() as f64)
    } else {
        (shown, enforced_units as f64)
    };
    (observed > maximum).then(|| format!("{name} max limit to request ratio per {kind} is {enforced}, but provided ratio is {shown:.6}"))
}

fn check(
    kind: &str,
    item: &Item,
    requests: &ResourceList,
    limits: &ResourceList,
    errors: &mut Vec<String>,
) {
    for (name, value) in item.min.iter().flatten() {
        errors.extend(min_constraint(kind, name, *value, requests, limits));
    }
    for (name, value) in item.max.iter().flatten() {
        errors.extend(max_constraint(kind, name, *value, requests, limits));
    }
    for (name, value) in item.max_limit_request_ratio.iter().flatten() {
        errors.extend(ratio_constraint(kind, name, *value, requests, limits));
    }
}

/// `PodValidateLimitFunc`: every violation of one LimitRange, in upstream's order (items,
/// then app containers before init containers; resource names sorted where upstream walks a
/// map).
pub fn validate(range: &LimitRange, pod: &Pod) -> Vec<String> {
    let mut errors = Vec::new();
    for item in &range.items {
        match item.kind.as_str() {
            "Container" => {
                for container in pod.spec.containers.iter().chain(&pod.spec.init_containers) {
                    let r = &container.resources;
                    check("Container", item, &r.requests, &r.limits, &mut errors);
                }
            }
            "Pod" => {
                // LimitRanger's own podRequests/podLimits: no overhead.
                let spec = PodSpec {
                    overhead: None,
                    ..pod.spec.clone()
                };
                let (requests, limits) = (pod_requests(&spec), pod_limits(&spec));
                check("Pod", item, &requests, &limits, &mut errors);
            }
            _ => {}
        }
    }
    errors
}

/// `utilerrors.NewAggregate(...).Error()`: one message, or `[a, b]` without repeats.
pub fn aggregate(errors: &[String]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for e in errors {
        if !unique.contains(&e.as_str()) {
            unique.push(e);
        }
    }
    match unique.as_slice() {
        [one] => (*one).to_owned(),
        many => format!("[{}]", many.join(", ")),
    }
}
