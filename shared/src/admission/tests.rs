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
fn node_ports_count_as_the_service_evaluator_counts_them() {
    // upstream pkg/quota/v1/evaluator/core/services.go: every port of a NodePort Service or of
    // a LoadBalancer that allocates node ports; only the ports with a nodePort of a
    // LoadBalancer with allocateLoadBalancerNodePorts: false; none for ClusterIP.
    let q = quota(
        "ports",
        json!({"services.nodeports": "10", "services.loadbalancers": "5"}),
        Some(json!({})),
    );
    let node_port = json!({"spec": {"type": "NodePort", "ports": [{"port": 80}, {"port": 443}]}});
    let lb = json!({"spec": {"type": "LoadBalancer", "ports": [{"port": 80}, {"port": 443}]}});
    let lb_without = json!({"spec": {"type": "LoadBalancer", "allocateLoadBalancerNodePorts": false,
        "ports": [{"port": 80, "nodePort": 30080}, {"port": 443}, {"port": 8443, "nodePort": 0}]}});
    let cluster_ip = json!({"spec": {"ports": [{"port": 80}]}});
    let used = quota_used(
        &q,
        [
            ("services", "", &node_port),
            ("services", "", &lb),
            ("services", "", &lb_without),
            ("services", "", &cluster_ip),
        ],
    );
    assert_eq!(
        pretty(&used),
        "services.loadbalancers=2,services.nodeports=5"
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

/// Upstream's `TestComputePodQOS` table (pkg/apis/core/v1/helper/qos/qos_test.go), with the
/// v1.37 feature gates (PodLevelResources and PodLevelResourcesFixKubeletQOSClass on).
#[test]
fn qos_class_follows_upstream_compute_pod_qos() {
    let list = |cpu: &str, memory: &str| json!({"cpu": cpu, "memory": memory});
    let guaranteed = json!({"requests": {"cpu": "100m", "memory": "100Mi", "ephemeral-storage": "10Gi"}, "limits": list("100m", "100Mi")});
    let best_effort = [
        json!({}),
        json!({"requests": list("0", "0")}),
        json!({"requests": list("0", "0"), "limits": list("0", "0")}),
        json!({"requests": {"ephemeral-storage": "10Gi"}}),
        json!({"requests": {"ephemeral-storage": "10Gi"}, "limits": {"ephemeral-storage": "10Gi"}}),
        json!({"requests": {"hugepages-2Mi": "100Mi"}, "limits": {"hugepages-2Mi": "100Mi"}}),
        json!({"requests": {"example.com/gpu": "1"}, "limits": {"example.com/gpu": "1"}}),
    ];
    let burstable = [
        json!({"requests": list("100m", "100Mi"), "limits": list("200m", "200Mi")}),
        json!({"requests": list("100m", "100Mi"), "limits": list("100m", "200Mi")}),
        json!({"requests": list("100m", "100Mi"), "limits": list("200m", "100Mi")}),
        json!({"requests": list("100m", "100Mi")}),
        json!({"requests": list("100m", "100Mi"), "limits": {"cpu": "100m"}}),
    ];
    let one = |resources: &Value| pod(json!([{"name": "a", "resources": resources}]));
    let two = |a: &Value, b: &Value| {
        pod(json!([{"name": "a", "resources": a}, {"name": "b", "resources": b}]))
    };
    let mut cases: Vec<(String, Value, QosClass)> =
        vec![("guaranteed".into(), one(&guaranteed), QosClass::Guaranteed)];
    for (i, r) in best_effort.iter().enumerate() {
        cases.push((format!("best-effort-{i}"), one(r), QosClass::BestEffort));
    }
    for (i, r) in burstable.iter().enumerate() {
        cases.push((format!("burstable-{i}"), one(r), QosClass::Burstable));
    }
    let mut pairs = vec![
        (
            "2c-guaranteed".to_owned(),
            &guaranteed,
            &guaranteed,
            QosClass::Guaranteed,
        ),
        (
            "2c-best-effort".into(),
            &best_effort[0],
            &best_effort[1],
            QosClass::BestEffort,
        ),
        (
            "2c-burstable".into(),
            &burstable[0],
            &burstable[1],
            QosClass::Burstable,
        ),
    ];
    let left = [&guaranteed, &best_effort[0], &burstable[0]];
    let right = [&guaranteed, &best_effort[1], &burstable[1]];
    for (i, a) in left.iter().enumerate() {
        for (j, b) in right.iter().enumerate() {
            if i != j {
                pairs.push((format!("2c-mixed-{i}-{j}"), a, b, QosClass::Burstable));
            }
        }
    }
    for (name, a, b, expected) in pairs {
        cases.push((name.clone(), two(a, b), expected));
        // The second container as an init container: the same class.
        let init = json!({"containers": [{"name": "a", "resources": a}], "initContainers": [{"name": "b", "resources": b}]});
        cases.push((format!("{name}-init"), init, expected));
    }
    // Pod-level resources decide when any supported one is set, even zeros.
    let pod_level = |resources: Value| json!({"containers": [{"name": "a", "resources": guaranteed.clone()}], "resources": resources});
    cases.push((
        "pod-level-guaranteed".into(),
        json!({"containers": [{"name": "a"}], "resources": {"requests": list("1", "1Gi"), "limits": list("1", "1Gi")}}),
        QosClass::Guaranteed,
    ));
    cases.push((
        "pod-level-burstable".into(),
        pod_level(json!({"requests": list("1", "1Gi")})),
        QosClass::Burstable,
    ));
    cases.push((
        "zero-pod-level-resources-do-not-fall-back".into(),
        pod_level(json!({"requests": list("0", "0"), "limits": list("0", "0")})),
        QosClass::BestEffort,
    ));
    cases.push((
        "empty-pod-level-resources-fall-back".into(),
        pod_level(json!({"requests": {}, "limits": {}})),
        QosClass::Guaranteed,
    ));
    cases.push((
        "pod-level-ephemeral-storage-only-falls-back".into(),
        pod_level(json!({"requests": {"ephemeral-storage": "1Gi"}})),
        QosClass::Guaranteed,
    ));
    for (name, spec, expected) in cases {
        assert_eq!(qos_class(&spec), expected, "{name}: {spec}");
    }
}

#[test]
fn best_effort_scopes_count_hugepages_and_zero_request_pods() {
    let mut best_effort = quota("be", json!({"pods": "1"}), Some(json!({"pods": "1"})));
    best_effort.scopes = vec!["BestEffort".into()];
    let mut not_best_effort = quota("nbe", json!({"pods": "1"}), Some(json!({"pods": "1"})));
    not_best_effort.scopes = vec!["NotBestEffort".into()];
    for spec in [
        pod(
            json!([{"name": "a", "resources": {"requests": {"cpu": "0", "hugepages-2Mi": "64Mi"}, "limits": {"hugepages-2Mi": "64Mi"}}}]),
        ),
        pod(json!([{"name": "a", "resources": {"requests": {"cpu": "0", "memory": "0"}}}])),
        pod(json!([{"name": "a", "resources": {"limits": {"ephemeral-storage": "1Gi"}}}])),
    ] {
        assert!(best_effort.selects(&spec), "{spec}");
        assert!(!not_best_effort.selects(&spec), "{spec}");
        assert_eq!(
            admit(&spec, &[], std::slice::from_ref(&best_effort), 1)
                .message()
                .as_deref(),
            Some("exceeded quota: be, requested: pods=1, used: pods=1, limited: pods=1")
        );
        assert_eq!(
            admit(&spec, &[], std::slice::from_ref(&not_best_effort), 1).problems,
            []
        );
    }
}

/// Upstream's `TestPodEvaluatorUsage` cases for the names a pod is charged under.
#[test]
fn pod_usage_names_follow_pod_compute_usage_helper() {
    let names = |spec: Value| -> Vec<String> { pod_usage(&spec).into_keys().collect() };
    let hugepages = pod(json!([{"name": "a", "resources": {
        "requests": {"hugepages-1Gi": "2Gi"}, "limits": {"hugepages-1Gi": "2Gi", "memory": "1Gi"}}}]));
    assert_eq!(
        names(hugepages.clone()),
        [
            "count/pods",
            "hugepages-1Gi",
            "limits.memory",
            "pods",
            "requests.hugepages-1Gi"
        ]
    );
    // A plain `hugepages-<size>` quota limits pods, as `requests.hugepages-<size>` does.
    let plain = quota(
        "huge",
        json!({"hugepages-1Gi": "3Gi"}),
        Some(json!({"hugepages-1Gi": "2Gi"})),
    );
    assert_eq!(
        admit(&hugepages, &[], &[plain], 1).message().as_deref(),
        Some(
            "exceeded quota: huge, requested: hugepages-1Gi=2Gi, used: hugepages-1Gi=2Gi, limited: hugepages-1Gi=3Gi"
        )
    );
    let extended = pod(json!([{"name": "a", "resources": {
        "requests": {"example.com/dongle": "3"}, "limits": {"example.com/dongle": "3"}}}]));
    assert_eq!(
        names(extended),
        ["count/pods", "pods", "requests.example.com/dongle"]
    );
    let device_class = pod(json!([{"name": "a", "resources": {
        "requests": {"deviceclass.resource.kubernetes.io/gpu": "1"}}}]));
    assert_eq!(
        names(device_class),
        [
            "count/pods",
            "pods",
            "requests.deviceclass.resource.kubernetes.io/gpu"
        ]
    );
    let storage = pod(json!([{"name": "a", "resources": {
        "requests": {"ephemeral-storage": "32Mi"}, "limits": {"ephemeral-storage": "64Mi"}}}]));
    assert_eq!(
        names(storage),
        [
            "count/pods",
            "ephemeral-storage",
            "limits.ephemeral-storage",
            "pods",
            "requests.ephemeral-storage"
        ]
    );
    assert!(extended_resource("example.com/dongle"));
    assert!(!extended_resource("kubernetes.io/something") && !extended_resource("cpu"));
    assert!(!extended_resource("requests.example.com/x") && !extended_resource("Bad_Domain/x"));
}

#[test]
fn pod_level_resources_and_overhead_as_pod_requests_and_pod_limits() {
    let spec = json!({
        "containers": [{"name": "a", "resources": {"requests": {"cpu": "100m", "memory": "1Gi"}}}],
        "resources": {"requests": {"cpu": "2"}},
        "overhead": {"cpu": "10m", "memory": "10Mi"}
    });
    let (requests, limits) = pod_totals(&spec);
    // The pod-level cpu replaces the containers' sum; memory stays the containers'.
    assert_eq!(requests["cpu"].to_string(), "2010m");
    assert_eq!(requests["memory"].to_string(), "1034Mi");
    // Overhead adds only to limits that are set and non-zero.
    assert!(limits.is_empty(), "{limits:?}");
    let limited = json!({
        "containers": [{"name": "a", "resources": {"limits": {"cpu": "1"}}}],
        "overhead": {"cpu": "10m", "memory": "10Mi"}
    });
    let (_, limits) = pod_totals(&limited);
    assert_eq!(pretty(&limits), "cpu=1010m");
    // Pod-level resources lift the `must specify` rule.
    let q = quota("q", json!({"requests.cpu": "4"}), Some(json!({})));
    assert_eq!(admit(&spec, &[], std::slice::from_ref(&q), 1).problems, []);
}

#[test]
fn finished_pods_still_count_as_objects() {
    let q = quota(
        "q",
        json!({"pods": "10", "count/pods": "10", "requests.cpu": "4"}),
        Some(json!({})),
    );
    let running = json!({"spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "250m"}}}]}, "status": {"phase": "Running"}});
    let done = json!({"spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "1"}}}]}, "status": {"phase": "Succeeded"}});
    let used = quota_used(&q, [("pods", "", &running), ("pods", "", &done)]);
    assert_eq!(pretty(&used), "count/pods=2,pods=1,requests.cpu=250m");
}

/// Upstream's `validateResourceRequirements` rules that admission meets after defaulting.
#[test]
fn resource_requirements_are_validated_as_the_api_does() {
    let check = |resources: Value| {
        validate_requirements(&pod(json!([{"name": "a", "resources": resources}])))
    };
    assert_eq!(
        check(json!({"requests": {"hugepages-2Mi": "4Mi"}, "limits": {"hugepages-2Mi": "4Mi"}})),
        ["spec.containers[0].resources: Forbidden: HugePages require cpu or memory"]
    );
    assert_eq!(
        check(
            json!({"requests": {"memory": "1Gi", "hugepages-2Mi": "2Mi"}, "limits": {"hugepages-2Mi": "4Mi"}})
        ),
        [
            "spec.containers[0].resources.requests: Invalid value: \"2Mi\": must be equal to hugepages-2Mi limit of 4Mi"
        ]
    );
    assert_eq!(
        check(json!({"requests": {"example.com/gpu": "1"}})),
        [
            "spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources"
        ]
    );
    assert_eq!(
        check(json!({"requests": {"cpu": "2"}, "limits": {"cpu": "1"}})),
        [
            "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1"
        ]
    );
    assert!(check(json!({"requests": {"cpu": "500m", "example.com/gpu": "1"}, "limits": {"example.com/gpu": "1"}})).is_empty());
}
