//! Snapshots of `kubectl quota` reports in every format, for fixed inputs.

use std::collections::BTreeMap;

use kubectl_quota::{check, status};
use serde_json::json;
use shipshape::admission::Quota;
use shipshape::manifests::{Manifest, Origin, parse_text};
use shipshape::output::{OutputFormat, render};

fn status_report() -> status::QuotaStatus {
    let quotas = [
        json!({"metadata": {"name": "compute", "namespace": "shop"},
            "spec": {"hard": {"requests.cpu": "4", "requests.memory": "8Gi", "pods": "10"}, "scopes": ["NotBestEffort"]},
            "status": {"hard": {"requests.cpu": "4", "requests.memory": "8Gi", "pods": "10"}, "used": {"requests.cpu": "3900m", "requests.memory": "6Gi", "pods": "4"}}}),
        json!({"metadata": {"name": "objects", "namespace": "blog"},
            "spec": {"hard": {"services.loadbalancers": "1", "count/deployments.apps": "5"}},
            "status": {"hard": {"services.loadbalancers": "1", "count/deployments.apps": "5"}, "used": {"services.loadbalancers": "0", "count/deployments.apps": "1"}}}),
    ];
    let ranges = [
        json!({"metadata": {"name": "defaults", "namespace": "shop"}, "spec": {"limits": [
            {"type": "Container", "default": {"cpu": "1", "memory": "1Gi"}, "defaultRequest": {"cpu": "100m", "memory": "128Mi"}, "max": {"memory": "4Gi"}},
            {"type": "Pod", "maxLimitRequestRatio": {"cpu": "4"}}
        ]}}),
    ];
    let pods: Vec<serde_json::Value> = (0..4)
        .map(|i| json!({"metadata": {"name": format!("api-{i}"), "namespace": "shop"}, "spec": {"containers": [{"name": "api", "resources": {"requests": {"cpu": "975m", "memory": "1536Mi"}}}]}, "status": {"phase": "Running"}}))
        .collect();
    status::build(&quotas, &ranges, &pods)
}

fn check_report() -> check::QuotaCheck {
    let text = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 4
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: 'api:1', resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {cpu: 500m, memory: 256Mi}}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: report, namespace: shop}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: report, image: 'report:1', resources: {limits: {memory: 8Gi}}}]
";
    let manifests: Vec<Manifest> = parse_text(&Origin::Stdin, text, Default::default())
        .into_iter()
        .map(|r| r.expect("valid"))
        .collect();
    let quota = Quota::from_object(&json!({"metadata": {"name": "compute"},
        "spec": {"hard": {"requests.cpu": "2", "limits.memory": "4Gi"}},
        "status": {"hard": {"requests.cpu": "2", "limits.memory": "4Gi"}, "used": {"requests.cpu": "500m", "limits.memory": "1Gi"}}}));
    let ranges = vec![
        json!({"metadata": {"name": "defaults"}, "spec": {"limits": [{"type": "Container", "defaultRequest": {"cpu": "100m"}, "max": {"memory": "4Gi"}}]}}),
    ];
    let namespaces = BTreeMap::from([(
        "shop".to_owned(),
        check::Namespace {
            limit_ranges: ranges,
            quotas: vec![quota],
        },
    )]);
    let refs: Vec<&Manifest> = manifests.iter().collect();
    check::check(&refs, &namespaces, None, "shop")
}

#[test]
fn status_table() {
    insta::assert_snapshot!(render(&status_report(), OutputFormat::Wide).expect("renders"));
}

#[test]
fn status_json() {
    insta::assert_snapshot!(render(&status_report(), OutputFormat::Json).expect("renders"));
}

#[test]
fn check_table() {
    insta::assert_snapshot!(render(&check_report(), OutputFormat::Wide).expect("renders"));
}

#[test]
fn check_yaml() {
    insta::assert_snapshot!(render(&check_report(), OutputFormat::Yaml).expect("renders"));
}

fn recommend_report() -> kubectl_quota::recommend::RecommendReport {
    use kubectl_quota::recommend::{self, Options, Sample, Workload};
    let workload = Workload {
        object: json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "shop"},
        "spec": {"replicas": 3, "template": {"spec": {"containers": [
            {"name": "api", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "2Gi"}}},
            {"name": "proxy", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}
        ]}}}}),
        replicas: 3,
    };
    let samples: Vec<Sample> = (0..30)
        .map(|i| Sample {
            namespace: "shop".into(),
            workload: "Deployment/api".into(),
            container: "api".into(),
            cpu: shipshape::quantity::Quantity::from_millis(200 + i * 5),
            memory: format!("{}Mi", 300 + i).parse().expect("quantity"),
        })
        .collect();
    let options = Options {
        percentile: 95,
        headroom: 20,
    };
    let recommendations = recommend::from_usage(
        &[workload],
        &recommend::reduce(&samples, 95),
        "metrics.k8s.io",
        "5m",
        options,
    );
    recommend::RecommendReport {
        source: "metrics".into(),
        namespaces: recommend::namespace_quotas(&recommendations, options),
        recommendations,
    }
}

#[test]
fn recommend_table() {
    insta::assert_snapshot!(render(&recommend_report(), OutputFormat::Wide).expect("renders"));
}

#[test]
fn recommend_json() {
    insta::assert_snapshot!(render(&recommend_report(), OutputFormat::Json).expect("renders"));
}
