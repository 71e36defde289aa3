//! API validation of container resources (upstream `pkg/apis/core/validation`:
//! `validateResourceRequirements`, `ValidateContainerResourceName`,
//! `ValidateResourceQuantityValue`), run on the pod after LimitRanger's defaults.

use shipshape::quantity::Quantity;

use super::pod::{Pod, Requirements};

/// `IsNativeResource`: no domain, or a `kubernetes.io/` one.
pub fn native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

pub fn hugepages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `IsOvercommitAllowed`.
pub fn overcommit_allowed(name: &str) -> bool {
    native(name) && !hugepages(name)
}

fn dns_label_chars(part: &str, extra: &[char]) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric();
    !part.is_empty()
        && part.starts_with(ok)
        && part.ends_with(ok)
        && part
            .chars()
            .all(|c| ok(c) || c == '-' || extra.contains(&c))
}

/// `validation.IsQualifiedName`: `[prefix/]name`, prefix a DNS subdomain, name up to 63
/// characters of alphanumerics, `-`, `_`, `.`.
pub fn qualified_name(value: &str) -> bool {
    let (prefix, name) = match value.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, value),
    };
    if name.contains('/') || name.len() > 63 || !dns_label_chars(name, &['_', '.']) {
        return false;
    }
    prefix.is_none_or(|p| {
        p.len() <= 253
            && p.split('.').all(|label| {
                label.len() <= 63 && dns_label_chars(label, &[]) && label == label.to_lowercase()
            })
    })
}

/// `IsExtendedResourceName`.
pub fn extended(name: &str) -> bool {
    !native(name) && !name.starts_with("requests.") && qualified_name(&format!("requests.{name}"))
}

fn standard_container_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage") || hugepages(name)
}

fn quoted(q: Quantity) -> String {
    format!("\"{q}\"")
}

/// The page size of `hugepages-2Mi`.
fn page_size(name: &str) -> Option<Quantity> {
    name.strip_prefix("hugepages-")?.parse().ok()
}

fn resource_errors(name: &str, quantity: Quantity, path: &str, errors: &mut Vec<String>) {
    if !name.contains('/') {
        if !standard_container_resource(name) {
            errors.push(format!(
                "{path}: Invalid value: \"{name}\": must be a standard resource for containers"
            ));
            return;
        }
    } else if !native(name) && !extended(name) {
        errors.push(format!(
            "{path}: Invalid value: \"{name}\": doesn't follow extended resource name standard"
        ));
        return;
    }
    if quantity.nanos() < 0 {
        errors.push(format!(
            "{path}: Invalid value: {}: must be greater than or equal to 0",
            quoted(quantity)
        ));
    }
    if extended(name) && quantity.nanos() % 1_000_000_000 != 0 {
        errors.push(format!(
            "{path}: Invalid value: {}: must be an integer",
            quoted(quantity)
        ));
    }
}

fn hugepage_errors(name: &str, quantity: Quantity, path: &str, errors: &mut Vec<String>) {
    let divisible = page_size(name).is_some_and(|page| {
        page.nanos() > 0
            && page.nanos() % 1_000_000_000 == 0
            && quantity.nanos() % page.nanos() == 0
    });
    if !divisible {
        errors.push(format!(
            "{path}: Invalid value: {}: {quantity} is not positive integer multiple of {name}",
            quoted(quantity)
        ));
    }
}

/// `validateResourceRequirements` for one container at `path` (`spec.containers[0].resources`).
pub fn requirements(r: &Requirements, path: &str, errors: &mut Vec<String>) {
    let (limits_path, requests_path) = (format!("{path}.limits"), format!("{path}.requests"));
    let mut cpu_or_memory = false;
    let mut huge = false;
    for (name, quantity) in &r.limits {
        let here = format!("{limits_path}[{name}]");
        resource_errors(name, *quantity, &here, errors);
        if hugepages(name) {
            huge = true;
            hugepage_errors(name, *quantity, &here, errors);
        }
        cpu_or_memory |= matches!(name.as_str(), "cpu" | "memory");
    }
    for (name, quantity) in &r.requests {
        let here = format!("{requests_path}[{name}]");
        resource_errors(name, *quantity, &here, errors);
        match r.limits.get(name) {
            Some(limit) if quantity != limit && !overcommit_allowed(name) => errors.push(format!(
                "{requests_path}: Invalid value: {}: must be equal to {name} limit of {limit}",
                quoted(*quantity)
            )),
            Some(limit) if quantity > limit => errors.push(format!(
                "{requests_path}: Invalid value: {}: must be less than or equal to {name} limit of {limit}",
                quoted(*quantity)
            )),
            Some(_) => {}
            None if !overcommit_allowed(name) => errors.push(format!(
                "{limits_path}: Required value: Limit must be set for non overcommitable resources"
            )),
            None => {}
        }
        if hugepages(name) {
            huge = true;
            hugepage_errors(name, *quantity, &here, errors);
        }
        cpu_or_memory |= matches!(name.as_str(), "cpu" | "memory");
    }
    if huge && !cpu_or_memory {
        errors.push(format!(
            "{path}: Forbidden: HugePages require cpu or memory"
        ));
    }
}

/// Every container's resources, app containers first as `ValidatePodSpec` walks them.
pub fn pod(pod: &Pod) -> Vec<String> {
    let mut errors = Vec::new();
    for (field, containers) in [
        ("containers", &pod.spec.containers),
        ("initContainers", &pod.spec.init_containers),
    ] {
        for (i, container) in containers.iter().enumerate() {
            requirements(
                &container.resources,
                &format!("spec.{field}[{i}].resources"),
                &mut errors,
            );
        }
    }
    errors
}
