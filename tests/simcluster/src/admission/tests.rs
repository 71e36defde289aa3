//! Cases from upstream's own tests (limitranger/admission_test.go, evaluator/core/pods_test.go
//! and services_test.go, helper/qos/qos_test.go, validation_test.go), in our words.

use serde_json::{Value, json};

use super::pod::{Pod, Qos, qos};
use super::{Refusal, admit, quota};

fn now() -> jiff::Timestamp {
    "2026-12-06T12:00:00Z".parse().expect("timestamp")
}

fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
}

fn container(name: &str, resources: Value) -> Value {
    json!({"name": name, "image": "registry.example/app:1", "resources": resources})
}

fn quota_object(name: &str, hard: Value, used: Value) -> Value {
    json!({"metadata": {"name": name}, "spec": {"hard": hard}, "status": {"hard": hard, "used": used}})
}

fn limit_range(items: Value) -> Value {
    json!({"metadata": {"name": "limits"}, "spec": {"limits": items}})
}

#[test]
fn limit_range_defaults_are_merged_and_annotated() {
    let mut object =
        pod(json!({"containers": [container("app", json!({"requests": {"cpu": "100m"}}))]}));
    let ranges = [limit_range(
        json!([{"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"}}]),
    )];
    admit(&mut object, "p", &ranges, &[], now()).expect("admitted");
    let resources = &object["spec"]["containers"][0]["resources"];
    assert_eq!(
        resources["limits"],
        json!({"cpu": "500m", "memory": "256Mi"})
    );
    // The default request comes from the default limit (SetDefaults_LimitRangeItem).
    assert_eq!(
        resources["requests"],
        json!({"cpu": "100m", "memory": "256Mi"})
    );
    assert_eq!(
        object["metadata"]["annotations"]["kubernetes.io/limit-ranger"],
        "LimitRanger plugin set: memory request for container app; cpu, memory limit for container app"
    );
}

#[test]
fn a_request_above_the_defaulted_limit_is_invalid() {
    let mut object =
        pod(json!({"containers": [container("app", json!({"requests": {"cpu": "700m"}}))]}));
    let ranges = [limit_range(
        json!([{"type": "Container", "default": {"cpu": "500m"}}]),
    )];
    assert_eq!(
        admit(&mut object, "p", &ranges, &[], now()),
        Err(Refusal::Invalid(
            "Pod \"p\" is invalid: spec.containers[0].resources.requests: Invalid value: \"700m\": must be less than or equal to cpu limit of 500m".into()
        ))
    );
}

#[test]
fn hugepages_and_extended_resources_are_validated() {
    let cases = [
        (
            json!({"limits": {"hugepages-2Mi": "4Mi"}}),
            "spec.containers[0].resources: Forbidden: HugePages require cpu or memory",
        ),
        (
            json!({"requests": {"example.com/gpu": "1"}}),
            "spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources",
        ),
        (
            json!({"requests": {"example.com/gpu": "1"}, "limits": {"example.com/gpu": "2"}}),
            "spec.containers[0].resources.requests: Invalid value: \"1\": must be equal to example.com/gpu limit of 2",
        ),
        (
            json!({"limits": {"memory": "64Mi", "hugepages-2Mi": "3Mi"}}),
            "is not positive integer multiple of hugepages-2Mi",
        ),
    ];
    for (resources, message) in cases {
        let mut object = pod(json!({"containers": [container("app", resources.clone())]}));
        let range = [limit_range(json!([]))];
        match admit(&mut object, "p", &range, &[], now()) {
            Err(Refusal::Invalid(m)) => assert!(m.contains(message), "{resources}: {m}"),
            other => panic!("{resources}: {other:?}"),
        }
    }
}

#[test]
fn limit_range_constraints_have_the_servers_words() {
    let cases = [
        (
            json!([{"type": "Container", "max": {"cpu": "1"}}]),
            json!({"requests": {"cpu": "500m"}, "limits": {"cpu": "2"}}),
            "maximum cpu usage per Container is 1, but limit is 2",
        ),
        (
            json!([{"type": "Container", "min": {"memory": "64Mi"}}]),
            json!({"requests": {"memory": "32Mi"}, "limits": {"memory": "128Mi"}}),
            "minimum memory usage per Container is 64Mi, but request is 32Mi",
        ),
        (
            json!([{"type": "Container", "maxLimitRequestRatio": {"cpu": "2"}}]),
            json!({"requests": {"cpu": "100m"}, "limits": {"cpu": "500m"}}),
            "cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000",
        ),
    ];
    for (items, resources, message) in cases {
        let mut object = pod(json!({"containers": [container("app", resources)]}));
        assert_eq!(
            admit(&mut object, "p", &[limit_range(items)], &[], now()),
            Err(Refusal::Forbidden(format!(
                "pods \"p\" is forbidden: {message}"
            )))
        );
    }
}

#[test]
fn quotas_on_cpu_and_memory_need_them_on_every_container() {
    let quotas = [quota_object(
        "compute",
        json!({"requests.cpu": "2", "memory": "1Gi"}),
        json!({"requests.cpu": "0", "memory": "0"}),
    )];
    let mut object = pod(json!({"containers": [
        container("foo", json!({})),
        container("bar", json!({"requests": {"cpu": "100m"}})),
    ]}));
    assert_eq!(
        admit(&mut object, "p", &[], &quotas, now()),
        Err(Refusal::Forbidden(
            "pods \"p\" is forbidden: failed quota: compute: must specify memory for: bar,foo; requests.cpu for: foo".into()
        ))
    );
}

#[test]
fn exceeded_quota_names_requested_used_and_limited() {
    let quotas = [quota_object(
        "compute",
        json!({"requests.cpu": "1", "pods": "5"}),
        json!({"requests.cpu": "800m", "pods": "1"}),
    )];
    let mut object =
        pod(json!({"containers": [container("a", json!({"requests": {"cpu": "300m"}}))]}));
    assert_eq!(
        admit(&mut object, "p", &[], &quotas, now()),
        Err(Refusal::Forbidden(
            "pods \"p\" is forbidden: exceeded quota: compute, requested: requests.cpu=300m, used: requests.cpu=800m, limited: requests.cpu=1".into()
        ))
    );
    let unknown = [json!({"metadata": {"name": "new"}, "spec": {"hard": {"pods": "1"}}})];
    let mut object = pod(json!({"containers": [container("a", json!({}))]}));
    assert!(
        admit(&mut object, "p", &[], &unknown, now()).is_ok(),
        "no status.hard: the quota matches nothing yet"
    );
}

#[test]
fn qos_classes_follow_compute_pod_qos() {
    let class =
        |spec: Value| qos(&serde_json::from_value::<Pod>(json!({"spec": spec})).expect("pod"));
    let guaranteed =
        json!({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}});
    assert_eq!(
        class(json!({"containers": [container("a", guaranteed.clone())]})),
        Qos::Guaranteed
    );
    assert_eq!(
        class(json!({"containers": [container("a", json!({}))]})),
        Qos::BestEffort
    );
    // Zeros, ephemeral-storage and hugepages do not count.
    assert_eq!(
        class(
            json!({"containers": [container("a", json!({"requests": {"cpu": "0", "ephemeral-storage": "1Gi"}}))]})
        ),
        Qos::BestEffort
    );
    assert_eq!(
        class(
            json!({"containers": [container("a", json!({"limits": {"cpu": "1", "memory": "1Gi", "hugepages-2Mi": "2Mi"}, "requests": {"cpu": "1", "memory": "1Gi", "hugepages-2Mi": "2Mi"}}))]})
        ),
        Qos::Guaranteed
    );
    // One container BestEffort and one Guaranteed: Burstable; cpu only: Burstable.
    assert_eq!(
        class(json!({"containers": [container("a", guaranteed), container("b", json!({}))]})),
        Qos::Burstable
    );
    assert_eq!(
        class(
            json!({"containers": [container("a", json!({"requests": {"cpu": "1"}, "limits": {"cpu": "1"}}))]})
        ),
        Qos::Burstable
    );
    // Pod-level resources decide.
    assert_eq!(
        class(
            json!({"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}, "containers": [container("a", json!({}))]})
        ),
        Qos::Guaranteed
    );
}

#[test]
fn the_controller_counts_pods_services_and_claims_as_the_evaluators() {
    let q = quota::Quota::from_object(&json!({"metadata": {"name": "all"}, "spec": {"hard": {
        "pods": "10", "count/pods": "10", "requests.memory": "4Gi", "hugepages-2Mi": "8Mi",
        "services.nodeports": "10", "services.loadbalancers": "3", "requests.storage": "100Gi",
        "fast.storageclass.storage.k8s.io/persistentvolumeclaims": "2", "count/deployments.apps": "4"}}}));
    let running = json!({"spec": {"containers": [container("a", json!({"requests": {"memory": "256Mi", "hugepages-2Mi": "2Mi"}, "limits": {"memory": "256Mi", "hugepages-2Mi": "2Mi"}}))]}, "status": {"phase": "Running"}});
    let finished = json!({"spec": {"containers": [container("a", json!({"requests": {"memory": "1Gi"}}))]}, "status": {"phase": "Succeeded"}});
    let stuck = json!({"metadata": {"deletionTimestamp": "2026-12-06T11:00:00Z", "deletionGracePeriodSeconds": 30},
        "spec": {"containers": [container("a", json!({"requests": {"memory": "1Gi"}}))]}});
    let node_port = json!({"spec": {"type": "NodePort", "ports": [{"port": 80}, {"port": 443}]}});
    let balancer = json!({"spec": {"type": "LoadBalancer", "allocateLoadBalancerNodePorts": false, "ports": [{"port": 80, "nodePort": 30080}, {"port": 443}]}});
    let claim = json!({"spec": {"storageClassName": "fast", "resources": {"requests": {"storage": "10Gi"}}}});
    let deployment = json!({});
    let (_, used) = quota::status(
        &q,
        [
            ("", "pods", &running),
            ("", "pods", &finished),
            ("", "pods", &stuck),
            ("", "services", &node_port),
            ("", "services", &balancer),
            ("", "persistentvolumeclaims", &claim),
            ("apps", "deployments", &deployment),
        ],
        now(),
    );
    let shown: Vec<String> = used.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(
        shown.join(","),
        "count/deployments.apps=1,count/pods=3,fast.storageclass.storage.k8s.io/persistentvolumeclaims=1,hugepages-2Mi=2Mi,pods=1,requests.memory=256Mi,requests.storage=10Gi,services.loadbalancers=1,services.nodeports=3"
    );
}
