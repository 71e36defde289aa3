//! The API server's validation of the fields the plugins compute with, applied to manifests as
//! they load: resource quantities (container requests and limits, ResourceQuota `hard`,
//! LimitRange limits) parse exactly as `resource.Quantity` does and are not negative; replica
//! and parallelism counts are 32-bit integers of at least 0. A manifest that the API server
//! would reject is an input error naming the file, line, object and field (exit 2) — never a
//! wrong answer from `cpu: "abc"` read as nothing or `replicas: 99999999999999999999999` read
//! as one.

use serde_json::Value;

use crate::quantity::Quantity;

/// Why a field is invalid, with its path (`spec.template.spec.containers[0].resources...`).
pub type Invalid = (String, String);

/// A quantity that must parse and (for resources) not be negative.
fn quantity(path: String, value: &Value, out: &mut Vec<Invalid>) {
    match crate::quantity::from_value(value) {
        None => out.push((path, format!("{value} is not a quantity"))),
        Some(Err(_)) => out.push((
            path,
            format!(
                "Invalid value: {value}: quantities must match the regular expression \
                 '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            ),
        )),
        Some(Ok(q)) if q < Quantity::ZERO => out.push((
            path,
            format!("Invalid value: {value}: must be greater than or equal to 0"),
        )),
        Some(Ok(_)) => {}
    }
}

fn quantities(path: &str, map: &Value, out: &mut Vec<Invalid>) {
    if let Some(map) = map.as_object() {
        for (name, value) in map {
            quantity(format!("{path}.{name}"), value, out);
        }
    }
}

/// A count (`spec.replicas`): an integer from 0 to 2³¹−1, as the API's int32 field.
fn count(path: &str, value: &Value, out: &mut Vec<Invalid>) {
    if value.is_null() {
        return;
    }
    match value.as_i64() {
        Some(n) if (0..=i64::from(i32::MAX)).contains(&n) => {}
        Some(n) if n < 0 => out.push((
            path.to_owned(),
            format!("Invalid value: {n}: must be greater than or equal to 0"),
        )),
        _ => out.push((
            path.to_owned(),
            format!("Invalid value: {value}: must be an integer from 0 to 2147483647"),
        )),
    }
}

/// Every invalid field of one object.
pub fn object(object: &Value) -> Vec<Invalid> {
    let mut out = Vec::new();
    let spec = &object["spec"];
    match object["kind"].as_str().unwrap_or_default() {
        "ResourceQuota" => quantities("spec.hard", &spec["hard"], &mut out),
        "LimitRange" => {
            for (i, limit) in spec["limits"].as_array().into_iter().flatten().enumerate() {
                for field in [
                    "max",
                    "min",
                    "default",
                    "defaultRequest",
                    "maxLimitRequestRatio",
                ] {
                    quantities(
                        &format!("spec.limits[{i}].{field}"),
                        &limit[field],
                        &mut out,
                    );
                }
            }
        }
        _ => {}
    }
    if !crate::workload::is_workload(object) {
        return out;
    }
    for field in ["replicas", "parallelism", "completions"] {
        count(&format!("spec.{field}"), &spec[field], &mut out);
    }
    for field in ["parallelism", "completions"] {
        count(
            &format!("spec.jobTemplate.spec.{field}"),
            &spec["jobTemplate"]["spec"][field],
            &mut out,
        );
    }
    for container in crate::workload::containers(object) {
        let path = container.path(object);
        let resources = &container.value["resources"];
        quantities(
            &format!("{path}.resources.requests"),
            &resources["requests"],
            &mut out,
        );
        quantities(
            &format!("{path}.resources.limits"),
            &resources["limits"],
            &mut out,
        );
    }
    if let Some(overhead) = crate::workload::pod_spec(object).map(|s| &s["overhead"]) {
        quantities("overhead", overhead, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(replicas: Value, requests: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                {"name": "web", "image": "web:1", "resources": {"requests": requests}}]}}}})
    }

    fn fields(object: &Value) -> Vec<String> {
        super::object(object).into_iter().map(|(p, _)| p).collect()
    }

    #[test]
    fn quantities_and_counts_the_api_server_rejects_are_invalid() {
        assert!(fields(&deployment(json!(3), json!({"cpu": "100m", "memory": 64}))).is_empty());
        for bad in ["abc", "-1Gi", "1.2.3", ""] {
            assert_eq!(
                fields(&deployment(json!(1), json!({"cpu": bad}))),
                ["spec.template.spec.containers[0].resources.requests.cpu"],
                "{bad}"
            );
        }
        for bad in [
            json!(-5),
            json!(99999999999999999999999.0),
            json!(1.5),
            json!("3"),
            json!(2147483648u64),
        ] {
            assert_eq!(
                fields(&deployment(bad.clone(), json!({}))),
                ["spec.replicas"],
                "{bad}"
            );
        }
        let quota = json!({"kind": "ResourceQuota", "spec": {"hard": {"requests.cpu": "zz", "pods": "10"}}});
        assert_eq!(fields(&quota), ["spec.hard.requests.cpu"]);
        // The API server accepts quantities of any size (they compare above every quota).
        for huge in ["1e400", "1234567890123456789012345678901234567890"] {
            assert!(fields(&deployment(json!(1), json!({"cpu": huge}))).is_empty());
        }
        let garbage = super::object(&deployment(json!(1), json!({"cpu": "abc"})));
        assert!(garbage[0].1.contains("regular expression"), "{garbage:?}");
        let negative = super::object(&deployment(json!(1), json!({"memory": "-1Gi"})));
        assert!(
            negative[0].1.contains("greater than or equal to 0"),
            "{negative:?}"
        );
    }
}
