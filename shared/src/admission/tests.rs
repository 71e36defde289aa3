use super::*;
use serde_json::json;

fn pod(containers: Value) -> Value {
    json!({"containers": containers})
}

fn limit_range(limits: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "limits"}, "spec": {"limits": limits}})
}

fn quota(name: &str, hard: Value, used: Option<Value>) -> Quota {
    let mut object = json!({"metadata": {"name": name}, "spec": {"hard": hard}});
    if let Some(used) = used {
        object["status"] = json!({"hard": object["spec"]["hard"].clone(), "used": used});
    }
    Quota::from_object(&object)
}

#[test]
fn limit_range_objects_default_like_the_api() {
    // max only: default = max, defaultRequest = default (the "silent huge limits" quirk).
    let items = limit_items(&limit_range(
        json!([{"type": "Container", "max": {"cpu": "2"}}]),
    ));
    assert_eq!(
        items[0].default.get("cpu").map(ToString::to_string),
        Some("2".into())
    );
    assert_eq!(
        items[0].default_request.get("cpu").map(ToString::to_string),
        Some("2".into())
    );
    // min only: defaultRequest = min, no default limit.
    let items = limit_items(&limit_range(
        json!([{"type": "Container", "min": {"memory": "64Mi"}}]),
    ));
    assert!(items[0].default.is_empty());
    assert_eq!(
        items[0]
            .default_request
            .get("memory")
            .map(ToString::to_string),
        Some("64Mi".into())
    );
}

#[test]
fn pod_defaulting_runs_before_limit_ranger() {
    // A container with a limit gets request = limit from the API first, so defaultRequest does
    // not apply to it.
    let ranges = [limit_range(
        json!([{"type": "Container", "default": {"cpu": "1", "memory": "1Gi"}, "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]),
    )];
    let spec = pod(json!([
        {"name": "a", "resources": {"limits": {"cpu": "2"}}},
        {"name": "b"}
    ]));
    let admission = admit(&spec, &ranges, &[], 1);
    assert_eq!(admission.problems, []);
    let a = &admission.spec["containers"][0]["resources"];
    assert_eq!(a["requests"]["cpu"], "2");
    assert_eq!(a["requests"]["memory"], "128Mi");
    assert_eq!(a["limits"]["memory"], "1Gi");
    assert_eq!(
        admission.limit_ranger.as_deref(),
        Some(
            "LimitRanger plugin set: memory request for container a; memory limit for container a; cpu, memory request for container b; cpu, memory limit for container b"
        )
    );
}

#[test]
fn limit_range_validation_messages_match_upstream() {
    let ranges = [limit_range(json!([{"type": "Container",
        "min": {"cpu": "100m"}, "max": {"memory": "1Gi"}, "maxLimitRequestRatio": {"cpu": "2"},
        "default": {"cpu": "200m"}, "defaultRequest": {"cpu": "100m"}}]))];
    let cases = [
        (
            json!({"requests": {"cpu": "50m"}, "limits": {"cpu": "50m", "memory": "512Mi"}}),
            "minimum cpu usage per Container is 100m, but request is 50m",
        ),
        (
            json!({"requests": {"cpu": "200m"}, "limits": {"cpu": "400m", "memory": "2Gi"}}),
            "maximum memory usage per Container is 1Gi, but limit is 2Gi",
        ),
        (
            json!({"requests": {"cpu": "100m"}, "limits": {"cpu": "400m", "memory": "1Gi"}}),
            "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000",
        ),
    ];
    for (resources, message) in cases {
        let admission = admit(
            &pod(json!([{"name": "app", "resources": resources}])),
            &ranges,
            &[],
            1,
        );
        assert_eq!(admission.message().as_deref(), Some(message));
        assert_eq!(admission.problems[0].reason, "LimitRange");
    }
    // No limit at all: max defaults the limit (default = max), so the memory max passes.
    let admission = admit(&pod(json!([{"name": "app"}])), &ranges, &[], 1);
    assert_eq!(
        admission.spec["containers"][0]["resources"]["limits"]["memory"],
        "1Gi"
    );
    assert_eq!(admission.problems, []);
    // Several problems print as a list.
    let strict = [limit_range(
        json!([{"type": "Container", "min": {"cpu": "1"}}, {"type": "Container", "max": {"memory": "1Gi"}, "default": {}}]),
    )];
    let admission = admit(
        &pod(
            json!([{"name": "a", "resources": {"requests": {"cpu": "10m"}, "limits": {"memory": "2Gi"}}}]),
        ),
        &strict,
        &[],
        1,
    );
    assert_eq!(
        admission.message().as_deref(),
        Some(
            "[minimum cpu usage per Container is 1, but request is 10m, maximum memory usage per Container is 1Gi, but limit is 2Gi]"
        )
    );
}

#[test]
fn quotas_require_explicit_cpu_and_memory_on_every_container() {
    let quotas = [quota(
        "compute",
        json!({"requests.cpu": "4", "limits.memory": "8Gi", "pods": "10"}),
        Some(json!({})),
    )];
    let spec = json!({
        "initContainers": [{"name": "init", "resources": {"requests": {"cpu": "100m"}}}],
        "containers": [{"name": "app", "resources": {"requests": {"cpu": "1"}, "limits": {"memory": "1Gi"}}}]
    });
    let admission = admit(&spec, &[], &quotas, 1);
    assert_eq!(
        admission.message().as_deref(),
        Some("failed quota: compute: must specify limits.memory for: init")
    );
    assert_eq!(admission.problems[0].reason, "QuotaConstraint");
}

#[test]
fn exceeded_quota_names_only_what_does_not_fit() {
    let quotas = [quota(
        "compute",
        json!({"requests.cpu": "4", "requests.memory": "8Gi", "pods": "10"}),
        Some(json!({"requests.cpu": "3500m", "requests.memory": "2Gi", "pods": "3"})),
    )];
    let spec =
        pod(json!([{"name": "app", "resources": {"requests": {"cpu": "250m", "memory": "1Gi"}}}]));
    assert_eq!(admit(&spec, &[], &quotas, 2).problems, []);
    let admission = admit(&spec, &[], &quotas, 3);
    assert_eq!(
        admission.message().as_deref(),
        Some(
            "exceeded quota: compute, requested: requests.cpu=750m, used: requests.cpu=3500m, limited: requests.cpu=4"
        )
    );
    // A quota whose usage is not computed yet refuses, as the API server does.
    let fresh = [quota("fresh", json!({"pods": "1"}), None)];
    assert_eq!(
        admit(&spec, &[], &fresh, 1).message().as_deref(),
        Some("status unknown for quota: fresh, resources: pods")
    );
}

#[test]
fn scopes_select_pods() {
    let best_effort = quota("be", json!({"pods": "0"}), Some(json!({"pods": "0"})));
    let mut scoped = best_effort.clone();
    scoped.scopes = vec!["BestEffort".into()];
    let empty = pod(json!([{"name": "a"}]));
    let sized = pod(json!([{"name": "a", "resources": {"requests": {"cpu": "1"}}}]));
    assert!(
        admit(&empty, &[], std::slice::from_ref(&scoped), 1)
            .message()
            .is_some()
    );
    assert!(
        admit(&sized, &[], std::slice::from_ref(&scoped), 1)
            .message()
            .is_none()
    );
    let mut terminating = best_effort.clone();
    terminating.scopes = vec!["Terminating".into()];
    let job = json!({"activeDeadlineSeconds": 60, "containers": [{"name": "a"}]});
    assert!(terminating.selects(&job) && !terminating.selects(&empty));
    let mut priority = best_effort;
    priority.selector = vec![("PriorityClass".into(), "In".into(), vec!["high".into()])];
    assert!(priority.selects(&json!({"priorityClassName": "high", "containers": []})));
    assert!(!priority.selects(&json!({"priorityClassName": "low", "containers": []})));
}

#[test]
fn effective_requests_follow_the_init_and_sidecar_formula() {
    let spec = json!({
        "initContainers": [
            {"name": "sidecar", "restartPolicy": "Always", "resources": {"requests": {"cpu": "100m"}}},
            {"name": "migrate", "resources": {"requests": {"cpu": "2"}}}
        ],
        "containers": [{"name": "app", "resources": {"requests": {"cpu": "500m"}}}],
        "overhead": {"cpu": "10m"}
    });
    let (requests, _) = pod_totals(&spec);
    // max(app 500m + sidecar 100m, sidecar 100m + migrate 2) + overhead 10m.
    assert_eq!(requests["cpu"].to_string(), "2110m");
    let usage = pod_usage(&spec);
    assert_eq!(usage["requests.cpu"], usage["cpu"]);
    assert_eq!(usage["pods"].to_string(), "1");
}

#[test]
fn quota_usage_counts_pods_objects_and_storage() {
    let q = quota(
        "all",
        json!({"pods": "10", "requests.cpu": "4", "services": "5", "services.loadbalancers": "1", "requests.storage": "100Gi", "count/deployments.apps": "5", "configmaps": "3"}),
        Some(json!({})),
    );
    let running = json!({"spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "250m"}}}]}, "status": {"phase": "Running"}});
    let done = json!({"spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "1"}}}]}, "status": {"phase": "Succeeded"}});
    let lb = json!({"spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}});
    let pvc = json!({"spec": {"resources": {"requests": {"storage": "10Gi"}}}});
    let deploy = json!({});
    let used = quota_used(
        &q,
        [
            ("pods", "", &running),
            ("pods", "", &running),
            ("pods", "", &done),
            ("services", "", &lb),
            ("persistentvolumeclaims", "", &pvc),
            ("deployments", "apps", &deploy),
        ],
    );
    assert_eq!(
        pretty(&used),
        "configmaps=0,count/deployments.apps=1,pods=2,requests.cpu=500m,requests.storage=10Gi,services=1,services.loadbalancers=1"
    );
}

#[test]
fn a_request_above_its_defaulted_limit_is_invalid_before_quota_is_asked() {
    // LimitRanger defaults the limit to 500m; API validation then refuses the 700m request,
    // as upstream's ValidateResourceRequirements does, before any quota is evaluated.
    let limit_ranges = [
        json!({"metadata": {"name": "defaults"}, "spec": {"limits": [
            {"type": "Container", "default": {"cpu": "500m"}}
        ]}}),
    ];
    let quotas = [quota(
        "compute",
        json!({"pods": "0"}),
        Some(json!({"pods": "0"})),
    )];
    let spec = json!({"containers": [{"name": "a", "resources": {"requests": {"cpu": "700m"}}}]});
    let admission = admit(&spec, &limit_ranges, &quotas, 1);
    assert_eq!(admission.problems.len(), 1, "{:?}", admission.problems);
    assert_eq!(admission.problems[0].reason, "Invalid");
    assert_eq!(
        admission.problems[0].message,
        "spec.containers[0].resources.requests: Invalid value: \"700m\": must be less than or equal to cpu limit of 500m"
    );
    // Within the limit: valid, and on to quota (which is full).
    let spec = json!({"containers": [{"name": "a", "resources": {"requests": {"cpu": "300m"}}}]});
    let admission = admit(&spec, &limit_ranges, &quotas, 1);
    assert_eq!(
        admission.problems[0].reason, "QuotaExceeded",
        "{:?}",
        admission.problems
    );
}
