//! simcluster's own pod admission, ported from upstream Kubernetes v1.37 rather than shared
//! with the plugins: `kubectl quota check` predicts admission with `shipshape::admission`, and
//! its tests compare that prediction with this server (and, on the real control plane, with
//! the real one), so two independent implementations meet.
//!
//! The order is the API server's: pod defaulting (requests from limits), LimitRanger's
//! mutation, API validation of the resources (422), LimitRanger's validation and ResourceQuota
//! admission (403).

pub mod limit_ranger;
pub mod pod;
pub mod quota;
pub mod validation;

use serde_json::{Value, json};

use pod::{Container, Pod};

/// Why the server refuses a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 400: the pod does not decode.
    BadRequest(String),
    /// 422: `Pod "x" is invalid: …`.
    Invalid(String),
    /// 403: `pods "x" is forbidden: …`.
    Forbidden(String),
}

fn write_resources(target: &mut Value, container: &Container) {
    if !target["resources"].is_object() {
        target["resources"] = json!({});
    }
    let r = &container.resources;
    if !r.limits.is_empty() {
        target["resources"]["limits"] = json!(r.limits);
    }
    if !r.requests.is_empty() {
        target["resources"]["requests"] = json!(r.requests);
    }
}

fn write_back(object: &mut Value, pod: &Pod) {
    for (field, containers) in [
        ("containers", &pod.spec.containers),
        ("initContainers", &pod.spec.init_containers),
    ] {
        if let Some(targets) = object["spec"][field].as_array_mut() {
            for (target, container) in targets.iter_mut().zip(containers) {
                write_resources(target, container);
            }
        }
    }
}

/// `SetDefaults_Pod`: a container's missing requests default to its limits.
fn default_requests(pod: &mut Pod) {
    for container in pod
        .spec
        .containers
        .iter_mut()
        .chain(pod.spec.init_containers.iter_mut())
    {
        let r = &mut container.resources;
        for (name, limit) in &r.limits {
            r.requests.entry(name.clone()).or_insert(*limit);
        }
    }
}

/// Admits a pod being created (dry runs too) into a namespace with these LimitRanges and
/// ResourceQuotas (objects as stored): sets the defaults on `object`, or says why not.
pub fn admit(
    object: &mut Value,
    name: &str,
    limit_ranges: &[Value],
    quotas: &[Value],
    now: jiff::Timestamp,
) -> Result<(), Refusal> {
    let mut pod: Pod = serde_json::from_value(object.clone()).map_err(|e| {
        Refusal::BadRequest(format!(
            "Pod in version \"v1\" cannot be handled as a Pod: {e}"
        ))
    })?;
    default_requests(&mut pod);
    let mut ranges: Vec<limit_ranger::LimitRange> = limit_ranges
        .iter()
        .filter_map(limit_ranger::LimitRange::from_object)
        .collect();
    ranges.sort_by(|a, b| a.name.cmp(&b.name));
    let mut annotation = None;
    for range in &ranges {
        if let Some(note) = limit_ranger::mutate(range, &mut pod) {
            annotation = Some(note);
        }
    }
    let invalid = validation::pod(&pod);
    if !invalid.is_empty() {
        return Err(Refusal::Invalid(format!(
            "Pod \"{name}\" is invalid: {}",
            limit_ranger::aggregate(&invalid)
        )));
    }
    let forbidden = |m: String| Refusal::Forbidden(format!("pods \"{name}\" is forbidden: {m}"));
    for range in &ranges {
        let errors = limit_ranger::validate(range, &pod);
        if !errors.is_empty() {
            return Err(forbidden(limit_ranger::aggregate(&errors)));
        }
    }
    let mut quotas: Vec<quota::Quota> = quotas.iter().map(quota::Quota::from_object).collect();
    quotas.sort_by(|a, b| a.name.cmp(&b.name));
    quota::check(&quotas, &pod, now).map_err(forbidden)?;
    write_back(object, &pod);
    if let Some(note) = annotation {
        if !object["metadata"]["annotations"].is_object() {
            object["metadata"]["annotations"] = json!({});
        }
        object["metadata"]["annotations"]["kubernetes.io/limit-ranger"] = json!(note);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
