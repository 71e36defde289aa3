//! Snapshots of every audit output format for one small, fixed input.

use kubectl_harden::audit::{Options, audit};
use kubectl_harden::ci_formats;
use shipshape::manifests::{Manifest, Origin, parse_text};
use shipshape::output::{OutputFormat, render};

const INPUT: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  annotations:
    harden.shipshape.dev/ignore: image-mutable-tag
    harden.shipshape.dev/ignore-reason: digests are pinned at release
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: api
          image: registry.example.com:5000/shop/api:1.4
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
          resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 256Mi}}
          readinessProbe: {httpGet: {path: /ready, port: 8080}, timeoutSeconds: 3, periodSeconds: 10, failureThreshold: 3}
";

fn manifests() -> Vec<Manifest> {
    parse_text(&Origin::File("shop.yaml".into()), INPUT, Default::default())
        .into_iter()
        .map(|r| r.expect("valid"))
        .collect()
}

fn report() -> kubectl_harden::audit::AuditReport {
    audit(&manifests(), &Options::default())
}

#[test]
fn table() {
    insta::assert_snapshot!(render(&report(), OutputFormat::Table).expect("renders"));
}

#[test]
fn wide() {
    insta::assert_snapshot!(render(&report(), OutputFormat::Wide).expect("renders"));
}

#[test]
fn json() {
    insta::assert_snapshot!(render(&report(), OutputFormat::Json).expect("renders"));
}

#[test]
fn yaml() {
    insta::assert_snapshot!(render(&report(), OutputFormat::Yaml).expect("renders"));
}

#[test]
fn sarif() {
    let mut text = Vec::new();
    ci_formats::write_sarif(&report(), &mut text).expect("writes");
    let mut log: serde_json::Value = serde_json::from_slice(&text).expect("SARIF is JSON");
    // The rules are the catalogue (tested elsewhere); keep the snapshot to the results.
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .map(Vec::len);
    assert_eq!(rules, Some(kubectl_harden::checks::CATALOGUE.len()));
    log["runs"][0]["tool"]["driver"]["rules"] = serde_json::json!("…");
    log["runs"][0]["tool"]["driver"]["version"] = serde_json::json!("…");
    insta::assert_snapshot!(serde_json::to_string_pretty(&log).expect("json"));
}

#[test]
fn junit() {
    let manifests = manifests();
    let workloads: Vec<bool> = manifests
        .iter()
        .map(|m| shipshape::workload::is_workload(&m.object))
        .collect();
    let mut xml = Vec::new();
    ci_formats::write_junit(
        &report(),
        &workloads,
        kubectl_harden::pss::Level::Restricted,
        &mut xml,
    )
    .expect("writes");
    insta::assert_snapshot!(String::from_utf8(xml).expect("UTF-8"));
}

#[test]
fn catalogue() {
    let catalogue = kubectl_harden::render::Catalogue::new();
    insta::assert_snapshot!(render(&catalogue, OutputFormat::Table).expect("renders"));
}
