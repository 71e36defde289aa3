//! `kubectl quota generate`: a ResourceQuota and a LimitRange for a namespace, from a profile,
//! and what applying them would do to the pods already running there.

use serde_json::{Value, json};
use shipshape::admission::{self, Quota};

/// A sizing profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// A team's development namespace.
    Small,
    /// A service with a few workloads.
    Medium,
    /// A busy product namespace.
    Large,
    /// The playbook's production quota (requests.cpu 100, requests.memory 200Gi, limits.cpu
    /// 200, limits.memory 400Gi, 20 PVCs, 2 load balancers).
    Production,
    /// Σ of `recommend`'s values for the namespace's workloads, plus headroom.
    FromUsage,
}

impl Profile {
    /// `hard` for the ResourceQuota (empty for `from-usage`, which measures first).
    pub fn hard(self) -> Value {
        match self {
            Profile::FromUsage => json!({}),
            Profile::Small => json!({
                "requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "limits.memory": "16Gi",
                "pods": "50", "persistentvolumeclaims": "5", "services.loadbalancers": "0",
            }),
            Profile::Medium => json!({
                "requests.cpu": "16", "requests.memory": "32Gi", "limits.cpu": "32", "limits.memory": "64Gi",
                "pods": "200", "persistentvolumeclaims": "10", "services.loadbalancers": "1",
            }),
            Profile::Large => json!({
                "requests.cpu": "48", "requests.memory": "96Gi", "limits.cpu": "96", "limits.memory": "192Gi",
                "pods": "500", "persistentvolumeclaims": "20", "services.loadbalancers": "2",
            }),
            Profile::Production => json!({
                "requests.cpu": "100", "requests.memory": "200Gi", "limits.cpu": "200", "limits.memory": "400Gi",
                "persistentvolumeclaims": "20", "services.loadbalancers": "2",
            }),
        }
    }
}

/// `hard` from a namespace's recommended quota, with a pod count: the replicas plus headroom.
pub fn hard_from_usage(
    quota: Option<&crate::recommend::NamespaceQuota>,
    pods: i64,
    headroom: i64,
) -> Option<Value> {
    let quota = quota?;
    let mut hard = serde_json::Map::new();
    for (resource, value) in &quota.hard {
        hard.insert(resource.clone(), json!(value));
    }
    let pods = (pods * (100 + headroom) + 99).div_euclid(100).max(1);
    hard.insert("pods".into(), json!(pods.to_string()));
    Some(Value::Object(hard))
}

/// The ResourceQuota (with this `hard`) and the LimitRange for a namespace, named like the
/// playbook's `<namespace>-quota` and `<namespace>-limits`.
pub fn objects(namespace: &str, hard: Value) -> Vec<Value> {
    let labels = json!({"app.kubernetes.io/managed-by": "shipshape-quota"});
    vec![
        json!({
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": format!("{namespace}-quota"), "namespace": namespace, "labels": labels},
            "spec": {"hard": hard},
        }),
        json!({
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": {"name": format!("{namespace}-limits"), "namespace": namespace, "labels": labels},
            "spec": {"limits": [{
                "type": "Container",
                "default": {"cpu": "1", "memory": "1Gi"},
                "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
            }]},
        }),
    ]
}

/// What the new objects would mean for the pods running now: pods whose containers lack the
/// requests or limits the quota makes mandatory (their next restart fails unless the
/// LimitRange fills them in), and resources already over the new hard limits.
pub fn warnings(generated: &[Value], pods: &[Value]) -> Vec<String> {
    let Some(quota) = generated.iter().find(|o| o["kind"] == "ResourceQuota") else {
        return Vec::new();
    };
    let mut quota = Quota::from_object(quota);
    let ranges: Vec<Value> = generated
        .iter()
        .filter(|o| o["kind"] == "LimitRange")
        .cloned()
        .collect();
    let items: Vec<admission::LimitItem> = ranges.iter().flat_map(admission::limit_items).collect();
    let mut warnings = Vec::new();
    let active: Vec<&Value> = pods
        .iter()
        .filter(|p| admission::pod_is_active(p))
        .collect();
    for pod in &active {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let mut spec = pod["spec"].clone();
        admission::default_requests(&mut spec);
        admission::apply_limit_defaults(&mut spec, &items);
        if let Some(message) = admission::constraint(&quota, &spec) {
            warnings.push(format!(
                "pod {name}: a new pod like it would be refused: {message}"
            ));
        }
        for message in admission::validate_limits(&spec, &items) {
            warnings.push(format!(
                "pod {name}: a new pod like it would be refused: {message}"
            ));
        }
    }
    quota.used = None;
    let used = admission::quota_used(&quota, active.iter().map(|p| ("pods", "", *p)));
    for (resource, hard) in &quota.hard {
        if let Some(have) = used.get(resource).filter(|u| *u > hard) {
            warnings.push(format!(
                "{resource}: the running pods already use {}, above the new hard limit {hard}: new pods will be refused until usage drops",
                have.with_format(hard.format())
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_is_the_playbooks_quota() {
        let objects = objects("hastecrm-production", Profile::Production.hard());
        assert_eq!(objects[0]["metadata"]["name"], "hastecrm-production-quota");
        assert_eq!(objects[0]["spec"]["hard"]["requests.memory"], "200Gi");
        assert_eq!(objects[0]["spec"]["hard"]["limits.cpu"], "200");
        assert_eq!(
            objects[1]["spec"]["limits"][0]["defaultRequest"],
            json!({"cpu": "100m", "memory": "128Mi"})
        );
    }

    #[test]
    fn from_usage_takes_the_recommended_sums_and_pods_with_headroom() {
        let quota = crate::recommend::NamespaceQuota {
            name: "shop".into(),
            hard: [("requests.cpu".to_owned(), "1210m".to_owned())]
                .into_iter()
                .collect(),
        };
        let hard = hard_from_usage(Some(&quota), 5, 20).unwrap();
        assert_eq!(hard, json!({"requests.cpu": "1210m", "pods": "6"}));
        assert_eq!(hard_from_usage(None, 5, 20), None);
    }

    #[test]
    fn warns_about_running_pods_the_new_objects_constrain() {
        let generated = objects("shop", Profile::Small.hard());
        let pods = [
            // No resources: the LimitRange fills them in, so no constraint problem.
            json!({"metadata": {"name": "plain"}, "spec": {"containers": [{"name": "a"}]}, "status": {"phase": "Running"}}),
            // Huge requests: over the small profile's 4 CPUs.
            json!({"metadata": {"name": "big"}, "spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "6", "memory": "1Gi"}, "limits": {"cpu": "6", "memory": "1Gi"}}}]}, "status": {"phase": "Running"}}),
        ];
        let warnings = warnings(&generated, &pods);
        assert!(
            warnings.iter().any(|w| w.starts_with(
                "requests.cpu: the running pods already use 6, above the new hard limit 4"
            )),
            "{warnings:?}"
        );
        // Without a LimitRange, pods without limits would be refused.
        let quota_only = &generated[..1];
        let warnings = super::warnings(quota_only, &pods[..1]);
        assert_eq!(
            warnings,
            [
                "pod plain: a new pod like it would be refused: failed quota: shop-quota: must specify limits.cpu for: a; limits.memory for: a; requests.cpu for: a; requests.memory for: a"
            ]
        );
    }
}
