//! Snapshots of every audit output format for one small, fixed input.

use kubectl_harden::audit::{Options, audit};
use kubectl_harden::sink::{Format, Sink};
use kubectl_harden::streamed;
use shipshape::manifests::{Input, Limits, Manifest, Origin, Sources, parse_text};
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

/// The audit of the input as `harden audit -f` writes it: read in a stream, through the sink.
fn written(format: Format) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.yaml");
    std::fs::write(&path, INPUT).expect("writes");
    let sources = Sources::open(&[Input::Path(path.clone())], &mut std::io::empty());
    let gathered = streamed::gather(&sources, Limits::default());
    assert!(gathered.errors.is_empty());
    let mut out = Vec::new();
    let sink = Sink::new(format, false, &mut out).expect("sink");
    streamed::audit_into(
        &sources,
        &gathered.context,
        &Options::default(),
        Limits::default(),
        sink,
    )
    .expect("writes");
    let text = String::from_utf8(out).expect("UTF-8");
    // The snapshots name the file as the input named it.
    let streamed = text.replace(&path.display().to_string(), "shop.yaml");
    // The same audit held in memory (a live audit's path) writes the same bytes.
    let mut held = Vec::new();
    let manifests = manifests();
    let workloads: Vec<bool> = manifests
        .iter()
        .map(|m| shipshape::workload::is_workload(&m.object))
        .collect();
    let mut report = report();
    let origin = Origin::File("shop.yaml".into());
    kubectl_harden::locate::point(&mut report.findings, &manifests, [(&origin, INPUT)]);
    kubectl_harden::sink::write(&report, &workloads, format, &mut held).expect("writes");
    assert_eq!(
        streamed,
        String::from_utf8(held).expect("UTF-8"),
        "{format:?}"
    );
    streamed
}

#[test]
fn table() {
    insta::assert_snapshot!(written(Format::Report(OutputFormat::Table)));
}

#[test]
fn wide() {
    insta::assert_snapshot!(written(Format::Report(OutputFormat::Wide)));
}

#[test]
fn json() {
    insta::assert_snapshot!(written(Format::Report(OutputFormat::Json)));
}

#[test]
fn yaml() {
    insta::assert_snapshot!(written(Format::Report(OutputFormat::Yaml)));
}

#[test]
fn sarif() {
    let text = written(Format::Sarif);
    let mut log: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
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
    insta::assert_snapshot!(written(Format::Junit {
        level: kubectl_harden::pss::Level::Restricted
    }));
}

#[test]
fn catalogue() {
    let catalogue = kubectl_harden::render::Catalogue::new();
    insta::assert_snapshot!(render(&catalogue, OutputFormat::Table).expect("renders"));
}
