//! `kubectl drtest` through the real kubectl, against simcluster's simulated Velero (the real
//! Velero CRDs, seeded), on simcluster or on the real control plane (where `simcluster velero`
//! runs the same simulation as an external controller, and KWOK's stages follow simcluster's
//! image conventions).

use std::sync::{Mutex, MutexGuard, PoisonError};

use e2e::{Cluster, kubectl_available};

/// On a real cluster the drills share one control plane, and its `velero` and `shop`
/// namespaces: one drill test at a time, each from a clean slate.
static REAL_CLUSTER_TURN: Mutex<()> = Mutex::new(());

/// A cluster ready for drills: on a real cluster, this test's turn on it.
struct Drill {
    cluster: Cluster,
    _turn: Option<MutexGuard<'static, ()>>,
}

impl std::ops::Deref for Drill {
    type Target = Cluster;
    fn deref(&self) -> &Cluster {
        &self.cluster
    }
}

/// Removes what earlier drill tests left on a shared real cluster, and waits until it is gone.
fn clean_slate(cluster: &Cluster) {
    for args in [
        &["delete", "namespace", "-l", "drtest.shipshape.dev/drill"][..],
        &[
            "delete",
            "namespace",
            "shop",
            "velero",
            "drtest-system",
            "--ignore-not-found",
        ][..],
    ] {
        let mut args = args.to_vec();
        args.extend(["--wait", "--timeout=120s"]);
        cluster.ok(&args);
    }
}

/// HTTP checks through the API server's service proxy (`--http-check` before each): simcluster
/// answers them itself, and the real control plane reaches its KWOK pods through `simcluster
/// metrics --egress-socket`.
fn http_checks<'a>(checks: &[&'a str]) -> Vec<&'a str> {
    checks.iter().flat_map(|c| ["--http-check", c]).collect()
}

#[test]
fn backups_and_protection_status_from_the_simulated_velero() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&["tests/simcluster/crds/velero", "examples/hastecrm/insecure"]);
    if !cluster.is_simulated() {
        e2e::skip(
            "needs the sample app seeded and a cluster of its own (`drtest status` covers every namespace)",
        );
        return;
    }
    let out = cluster.kubectl(&["drtest", "backups"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout, "No Velero backups found.\n");
    cluster.ok(&["create", "namespace", "velero"]);
    let out = cluster.kubectl_stdin(
        &["apply", "-f", "-"],
        "apiVersion: velero.io/v1
kind: BackupStorageLocation
metadata: {name: default, namespace: velero}
spec: {provider: aws, objectStorage: {bucket: drills}}
---
apiVersion: velero.io/v1
kind: Backup
metadata: {name: nightly-1, namespace: velero}
spec: {includedNamespaces: [hastecrm-production], ttl: 168h0m0s}
",
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_phase(&cluster, "backup/nightly-1", "Completed");

    let out = cluster.kubectl(&[
        "drtest",
        "backups",
        "--for",
        "hastecrm-production",
        "-o",
        "json",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let list: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(list["kind"], "BackupList");
    let backup = &list["backups"][0];
    assert_eq!(
        (backup["name"].as_str(), backup["phase"].as_str()),
        (Some("nightly-1"), Some("Completed"))
    );
    assert!(backup["items"].as_i64().is_some_and(|n| n > 5), "{backup}");
    assert!(backup["expires"].is_string());

    let out = cluster.kubectl(&["drtest", "status", "--max-backup-age", "6h", "-o", "json"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let status: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(status["namespaces"][0]["namespace"], "hastecrm-production");
    assert_eq!(status["namespaces"][0]["fresh"], true);

    // A restore maps the namespace and labels what it recreates.
    let out = cluster.kubectl_stdin(
        &["apply", "-f", "-"],
        "apiVersion: velero.io/v1
kind: Restore
metadata: {name: drill-1, namespace: velero}
spec: {backupName: nightly-1, includedNamespaces: [hastecrm-production], namespaceMapping: {hastecrm-production: hastecrm-production-drtest-1}}
",
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_phase(&cluster, "restore/drill-1", "Completed");
    let labels = cluster.ok(&[
        "get",
        "deploy",
        "web",
        "-n",
        "hastecrm-production-drtest-1",
        "-o",
        "jsonpath={.metadata.labels}",
    ]);
    assert!(
        labels.contains("\"velero.io/restore-name\":\"drill-1\""),
        "{labels}"
    );

    // An unavailable storage location: status fails, and restores fail validation.
    make_location_unavailable(&cluster);
    let out = cluster.kubectl(&["drtest", "status"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stdout.contains("default (Unavailable)"),
        "{}",
        out.stdout
    );
    let out = cluster.kubectl_stdin(
        &["apply", "-f", "-"],
        "apiVersion: velero.io/v1\nkind: Restore\nmetadata: {name: drill-2, namespace: velero}\nspec: {backupName: nightly-1}\n",
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_phase(&cluster, "restore/drill-2", "FailedValidation");
    let errors = cluster.ok(&[
        "get",
        "restore",
        "drill-2",
        "-n",
        "velero",
        "-o",
        "jsonpath={.status.validationErrors}",
    ]);
    assert!(
        errors.contains("The BSL default is unavailable, cannot retrieve the backup"),
        "{errors}"
    );
}

/// A cluster with Velero, a storage location, and a backup of `shop` (one Deployment of
/// `image`) and of the sample app.
fn with_backup(image: &str) -> Option<Drill> {
    with_backup_on(image, false)
}

/// [`with_backup`], over TLS when `tls` (for ServiceAccount tokens).
fn with_backup_on(image: &str, tls: bool) -> Option<Drill> {
    if !kubectl_available() {
        return None;
    }
    let seeds = ["tests/simcluster/crds/velero"];
    let cluster = if tls {
        Cluster::start_tls(&seeds)
    } else {
        Cluster::start(&seeds)
    };
    with_backup_in(cluster, image)
}

/// [`with_backup`] on simcluster with faults injected (`simcluster serve` flags).
fn with_backup_faulty(image: &str, faults: &[&str]) -> Option<Drill> {
    if !kubectl_available() {
        return None;
    }
    with_backup_in(
        Cluster::start_faulty(&["tests/simcluster/crds/velero"], faults)?,
        image,
    )
}

fn with_backup_in(cluster: Cluster, image: &str) -> Option<Drill> {
    let turn = (!cluster.is_simulated()).then(|| {
        let turn = REAL_CLUSTER_TURN
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        clean_slate(&cluster);
        turn
    });
    cluster.ok(&["create", "namespace", "velero"]);
    cluster.ok(&["create", "namespace", "shop"]);
    let out = cluster.kubectl_stdin(
        &["apply", "-f", "-"],
        &format!(
            "apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: '{image}'}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: shop}}
spec:
  selector: {{app: web}}
  ports: [{{name: http, port: 80, targetPort: 8080}}]
---
apiVersion: velero.io/v1
kind: BackupStorageLocation
metadata: {{name: default, namespace: velero}}
spec: {{provider: aws, objectStorage: {{bucket: drills}}}}
---
apiVersion: velero.io/v1
kind: Backup
metadata: {{name: shop-1, namespace: velero}}
spec: {{includedNamespaces: [shop]}}
"
        ),
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_phase(&cluster, "backup/shop-1", "Completed");
    Some(Drill {
        cluster,
        _turn: turn,
    })
}

fn leftovers(cluster: &Cluster) -> String {
    cluster.ok(&[
        "get",
        "namespaces",
        "-l",
        "drtest.shipshape.dev/drill",
        "-o",
        "name",
    ])
}

#[test]
fn a_drill_passes_and_cleans_up_and_failures_say_which_phase() {
    let Some(cluster) = with_backup("registry.example/web:1.0") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let junit = dir.path().join("drill.xml");
    let junit_arg = junit.to_string_lossy();
    let checks = http_checks(&["web:http/healthz", "shop/web:80/=200"]);
    let mut args = vec![
        "drtest",
        "run",
        "--for",
        "shop",
        "--smoke-image",
        "registry.example/smoke:1",
        "--smoke-command",
        "curl -f http://web/",
        "-o",
        "json",
        "--report",
        &junit_arg,
    ];
    args.extend(&checks);
    let out = cluster.kubectl(&args);
    // Each drill's result, for the history at the end.
    let mut results = vec!["passed"];
    assert_eq!(out.code, Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(
        (report["kind"].as_str(), report["result"].as_str()),
        (Some("DrillReport"), Some("passed"))
    );
    assert_eq!(report["backup"]["name"], "shop-1");
    assert!(
        report["rpoSeconds"].is_i64() && report["rtoSeconds"].is_i64(),
        "{report}"
    );
    let phases: Vec<&str> = report["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(
        phases,
        [
            "preflight",
            "sandbox",
            "restore",
            "readiness",
            "smoke",
            "cleanup"
        ]
    );
    assert!(
        report["objects"]
            .as_array()
            .is_some_and(|o| o.iter().any(|o| o["name"] == "web" && o["ready"] == true)),
        "{report}"
    );
    let checks_run: Vec<(&str, bool)> = report["smoke"]
        .as_array()
        .expect("smoke")
        .iter()
        .map(|c| {
            (
                c["check"]
                    .as_str()
                    .or(c["job"].as_str())
                    .unwrap_or_default(),
                c["passed"] == true,
            )
        })
        .collect();
    let smoke_job = report["id"]
        .as_str()
        .map(|id| format!("{id}-smoke"))
        .unwrap_or_default();
    assert_eq!(
        checks_run,
        [
            (smoke_job.as_str(), true),
            ("web:http/healthz=200", true),
            ("shop/web:80/=200", true)
        ],
        "{report}"
    );
    // Velero's restore results, through a DownloadRequest that is not left behind.
    assert!(
        report["restoreResults"]["warnings"].is_object()
            && report["restoreResults"]["errors"].is_object(),
        "{report}"
    );
    assert_eq!(
        cluster.ok(&["get", "downloadrequests", "-n", "velero", "-o", "name"]),
        ""
    );
    assert_eq!(leftovers(&cluster), "", "nothing left behind");
    assert_eq!(
        drill_restores(&cluster),
        "",
        "the drill's Restore is deleted"
    );
    assert_eq!(
        std::fs::read_to_string(&junit).expect("report written"),
        out.stdout
    );

    // A smoke Job from a file, and an HTTP check that fails: the API server's own 404 for a
    // Service the backup does not have, and a status the app does not answer.
    let job = dir.path().join("smoke.yaml");
    std::fs::write(
        &job,
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: checkout-smoke, namespace: production}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: smoke, image: registry.example/smoke:1, command: [sh, -c, 'curl -f http://web/']}]\n",
    )
    .expect("write job");
    let out = cluster.kubectl(&[
        "drtest",
        "run",
        "--for",
        "shop",
        "--smoke-job",
        &job.to_string_lossy(),
        "--http-check",
        "payments:80/health",
        "--http-check",
        "web:80/=204",
    ]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stdout.contains("smoke       failed")
            && out.stdout.contains(
                "GET payments:80/health answered 404 (expected 200): services \"payments\" not found"
            )
            && out.stdout.contains("GET web:80/ answered 200 (expected 204)"),
        "{}",
        out.stdout
    );
    results.push("failed");
    assert_eq!(leftovers(&cluster), "");
    let out = cluster.kubectl(&[
        "drtest",
        "run",
        "--for",
        "shop",
        "--smoke-job",
        "/nonexistent/job.yaml",
    ]);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stderr.contains("/nonexistent/job.yaml"),
        "{}",
        out.stderr
    );
    let out = cluster.kubectl(&["drtest", "run", "--for", "shop", "--http-check", "web"]);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stderr
            .contains("expected [NAMESPACE/]SERVICE:PORT/PATH[=STATUS]"),
        "{}",
        out.stderr
    );
    // JUnit: a test case per phase.
    let out = cluster.kubectl(&["drtest", "run", "--for", "shop", "-o", "junit"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    results.push("passed");
    assert!(
        out.stdout.starts_with("<?xml")
            && out
                .stdout
                .contains("<testcase classname=\"drtest\" name=\"restore\""),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("<skipped message=\"no --smoke-job, --smoke-image or --http-check\"/>"),
        "{}",
        out.stdout
    );
    junit_is_well_formed(&out.stdout);

    // A failing smoke Job: failed, its log in the message, cleaned up.
    let out = cluster.kubectl(&[
        "drtest",
        "run",
        "--for",
        "shop",
        "--smoke-image",
        "registry.example/smoke:1-fail",
    ]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(out.stdout.contains("smoke       failed"), "{}", out.stdout);
    // The pod's log: from simcluster, or from the simulated kubelet behind the real API server.
    assert!(out.stdout.contains("exited with code 1"), "{}", out.stdout);
    results.push("failed");
    assert_eq!(leftovers(&cluster), "");

    // A missing backup, a too old one, a namespace it does not cover: preflight fails.
    for (args, message) in [
        (vec!["--backup", "nope"], "backup nope not found"),
        (vec!["--max-backup-age", "1ms"], "above --max-backup-age"),
    ] {
        let mut full = vec!["drtest", "run", "--for", "shop"];
        full.extend(args);
        let out = cluster.kubectl(&full);
        assert_eq!(out.code, Some(1), "{out:?}");
        assert!(
            out.stdout.contains("preflight   failed") && out.stdout.contains(message),
            "{}",
            out.stdout
        );
        results.push("failed");
    }
    let out = cluster.kubectl(&["drtest", "run", "--for", "billing"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stdout.contains("no Completed backup covers billing"),
        "{}",
        out.stdout
    );
    results.push("failed");

    // An unavailable storage location.
    make_location_unavailable(&cluster);
    let out = cluster.kubectl(&["drtest", "run", "--for", "shop"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stdout
            .contains("storage location default is Unavailable"),
        "{}",
        out.stdout
    );
    results.push("failed");
    assert_eq!(leftovers(&cluster), "");

    // Every drill is in the history, newest first.
    let out = cluster.kubectl(&["drtest", "history", "--for", "shop", "-o", "json"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let history: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(history["kind"], "DrillHistory");
    let recorded: Vec<&str> = history["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .filter_map(|r| r["result"].as_str())
        .collect();
    // Newest first; `--for billing` is not a drill of shop.
    let mut of_shop = results.clone();
    of_shop.remove(of_shop.len() - 2);
    of_shop.reverse();
    assert_eq!(recorded, of_shop, "{history}");
    assert_eq!(history["runs"][0]["failedPhase"], "preflight");
    let out = cluster.kubectl(&["drtest", "history"]);
    let passed = results.iter().filter(|r| **r == "passed").count();
    assert!(
        out.stdout.contains(&format!(
            "{} drill(s): {passed} passed, {} failed",
            results.len(),
            results.len() - passed
        )),
        "{}",
        out.stdout
    );
}

/// The JUnit report parses as XML, with a testcase per phase; `xmllint` agrees when installed.
fn junit_is_well_formed(xml: &str) {
    let doc = roxmltree::Document::parse(xml).expect("JUnit is well-formed XML");
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    let cases = suites
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert!(cases >= 6, "a testcase per phase: {xml}");
    let have_xmllint = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok();
    // CI installs it (`.ci/run`); elsewhere the XML parser's verdict stands alone.
    assert!(
        have_xmllint || std::env::var_os("CI").is_none(),
        "xmllint is missing: install libxml2-utils"
    );
    if have_xmllint {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("junit.xml");
        std::fs::write(&file, xml).expect("write");
        let out = std::process::Command::new("xmllint")
            .args(["--noout"])
            .arg(&file)
            .output()
            .expect("xmllint runs");
        assert!(
            out.status.success(),
            "xmllint: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_restored_workload_that_never_becomes_ready_fails_the_drill() {
    let Some(cluster) = with_backup("registry.example/web:1.0-unready") else {
        return;
    };
    let out = cluster.kubectl(&["drtest", "run", "--for", "shop", "--timeout", "10s"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stdout.contains("readiness   failed")
            && out.stdout.contains("Deployment/web 0/2 ready"),
        "{}",
        out.stdout
    );
    assert_eq!(leftovers(&cluster), "", "cleaned up after a failure too");
}

/// Starts a drill of an `-unready` backup (it waits in readiness) and returns the running
/// process once its sandbox exists. kubectl execs the plugin, so signals reach the plugin.
fn drill_waiting_in_readiness(cluster: &Cluster) -> std::process::Child {
    let mut cmd = e2e::kubectl();
    cmd.env("KUBECONFIG", cluster.kubeconfig())
        .args(["drtest", "run", "--for", "shop", "--timeout", "5m"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().expect("kubectl starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while cluster
        .ok(&[
            "get",
            "deploy",
            "-A",
            "-l",
            "velero.io/backup-name=shop-1",
            "-o",
            "name",
        ])
        .is_empty()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the drill never restored"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_ne!(leftovers(cluster), "");
    child
}

fn signal(child: &std::process::Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// Waits (up to 30 s) until a Velero object (`backup/nightly-1`) reaches `phase`.
fn wait_phase(cluster: &Cluster, object: &str, phase: &str) {
    cluster.ok(&[
        "wait",
        &format!("--for=jsonpath={{.status.phase}}={phase}"),
        object,
        "-n",
        "velero",
        "--timeout=30s",
    ]);
}

/// Makes the `default` storage location Unavailable (simcluster's annotation) and waits for it.
fn make_location_unavailable(cluster: &Cluster) {
    cluster.ok(&[
        "annotate",
        "bsl",
        "default",
        "-n",
        "velero",
        "simcluster.shipshape.dev/unavailable=true",
    ]);
    wait_phase(cluster, "bsl/default", "Unavailable");
}

fn drill_restores(cluster: &Cluster) -> String {
    cluster.ok(&[
        "get",
        "restores",
        "-n",
        "velero",
        "-l",
        "drtest.shipshape.dev/drill",
        "-o",
        "name",
    ])
}

#[test]
fn ctrl_c_mid_drill_cleans_up_and_a_killed_drill_is_cleaned_up_later() {
    let Some(cluster) = with_backup("registry.example/web:1.0-unready") else {
        return;
    };
    // Ctrl-C while waiting: the drill deletes its sandbox and Restore, then exits 130.
    let child = drill_waiting_in_readiness(&cluster);
    signal(&child, "-INT");
    let out = child.wait_with_output().expect("drill ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(
        stderr.matches("interrupted").count(),
        1,
        "said once: {stderr}"
    );
    assert_eq!(leftovers(&cluster), "", "{stderr}");
    assert_eq!(drill_restores(&cluster), "");

    // SIGKILL: nothing can clean up; `drtest cleanup` does, later.
    let mut child = drill_waiting_in_readiness(&cluster);
    signal(&child, "-KILL");
    let _ = child.wait();
    let left = leftovers(&cluster);
    assert!(left.starts_with("namespace/shop-drtest-"), "{left}");
    assert_ne!(drill_restores(&cluster), "");
    // Not expired yet: the default cleanup leaves a running drill's sandbox alone.
    let out = cluster.kubectl(&["drtest", "cleanup", "--yes"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout, "No drill leftovers are due for cleanup.\n");
    // Destructive: no terminal and no --yes is a refusal, not a hang.
    let out = cluster.kubectl(&["drtest", "cleanup", "--older-than", "0s"]);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("--yes"), "{}", out.stderr);
    let out = cluster.kubectl(&[
        "drtest",
        "cleanup",
        "--older-than",
        "0s",
        "--dry-run",
        "-o",
        "json",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let kinds: Vec<&str> = report["deleted"]
        .as_array()
        .expect("deleted")
        .iter()
        .filter_map(|l| l["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["Namespace", "Restore"], "{report}");
    assert_eq!(leftovers(&cluster), left, "--dry-run deletes nothing");
    let out = cluster.kubectl(&["drtest", "cleanup", "--older-than", "0s", "--yes"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout.contains("Deleted 2 object(s)."),
        "{}",
        out.stdout
    );
    assert_eq!(leftovers(&cluster), "");
    assert_eq!(drill_restores(&cluster), "");
    // The backed-up namespace itself is never touched.
    cluster.ok(&["get", "namespace", "shop"]);
}

#[test]
fn a_403_on_restores_ends_the_drill_as_an_api_error_after_cleanup() {
    if !kubectl_available() {
        return;
    }
    if e2e::skip_on_real_cluster("needs simcluster's fault injection") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let cluster = runtime
        .block_on(simcluster::SimCluster::start(simcluster::Options {
            seeds: vec![
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../simcluster/crds/velero"),
            ],
            speed: 20.0,
            ..simcluster::Options::default()
        }))
        .expect("simcluster");
    let kubectl = |args: &[&str]| {
        let mut cmd = e2e::kubectl();
        cmd.env("KUBECONFIG", cluster.kubeconfig()).args(args);
        e2e::run(&mut cmd)
    };
    let setup = "apiVersion: v1\nkind: Namespace\nmetadata: {name: velero}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: b}\n---\napiVersion: velero.io/v1\nkind: BackupStorageLocation\nmetadata: {name: default, namespace: velero}\nspec: {provider: aws, objectStorage: {bucket: drills}}\n---\napiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: shop-1, namespace: velero}\nspec: {includedNamespaces: [shop]}\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("setup.yaml");
    std::fs::write(&file, setup).expect("write");
    let out = kubectl(&["apply", "-f", &file.to_string_lossy()]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let out = kubectl(&[
        "wait",
        "--for=jsonpath={.status.phase}=Completed",
        "backup/shop-1",
        "-n",
        "velero",
        "--timeout=30s",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    cluster.set_faults(simcluster::Faults {
        forbid: vec![simcluster::Forbid {
            verb: "patch".into(),
            resource: "restores".into(),
            namespace: None,
        }],
        ..simcluster::Faults::default()
    });
    let out = kubectl(&["drtest", "run", "--for", "shop"]);
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(
        out.stdout.contains("error       failed") && out.stdout.contains("cleanup     passed"),
        "the report is printed: {}",
        out.stdout
    );
    // The Restore was never created, so cleanup does not claim to have deleted it.
    assert!(!out.stdout.contains("restore/drtest-"), "{}", out.stdout);
    assert!(
        out.stderr.contains("restores.velero.io \"drtest-") && out.stderr.contains("is forbidden"),
        "{}",
        out.stderr
    );
    let out = kubectl(&[
        "get",
        "namespaces",
        "-l",
        "drtest.shipshape.dev/drill",
        "-o",
        "name",
    ]);
    assert_eq!(out.stdout, "", "the sandbox is cleaned up");
}

#[test]
fn the_scheduled_drill_runs_under_exactly_its_generated_rbac() {
    let Some(cluster) = with_backup_on("registry.example/web:1.0", true) else {
        return;
    };
    cluster.ok(&["create", "namespace", "drtest-system"]);
    // What it would create, for review: the CronJob, its RBAC, the Velero Schedule.
    let mut schedule = vec![
        "drtest",
        "schedule",
        "-n",
        "drtest-system",
        "--for",
        "shop",
        "--smoke-image",
        "registry.example/smoke:1",
        "--velero-schedule",
        "--every",
        "6h",
        "--ttl",
        "168h",
        "--storage-location",
        "default",
    ];
    schedule.extend(http_checks(&["web:http/healthz"]));
    let yaml = cluster.ok(&schedule);
    for expected in [
        "kind: CronJob",
        "concurrencyPolicy: Forbid",
        "kind: ClusterRole",
        "@every 6h0m0s",
        "ttl: 168h0m0s",
        "readOnlyRootFilesystem: true",
    ] {
        assert!(yaml.contains(expected), "{expected} in:\n{yaml}");
    }
    let applied = cluster.kubectl_stdin(&["apply", "--server-side", "-f", "-"], &yaml);
    assert_eq!(applied.code, Some(0), "{applied:?}");
    // --apply creates cluster-wide RBAC: asked first, and refused without a terminal.
    let out = cluster.kubectl(&[&schedule[..], &["--apply"]].concat());
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stderr.contains(
            "refusing to apply cluster-wide RBAC (clusterrole/drtest-drtest-system-drtest-weekly"
        ) && out.stderr.contains("without --yes"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "", "nothing applied");
    // --apply --yes is idempotent with what kubectl applied.
    let out = cluster.kubectl(&[&schedule[..], &["--apply", "--yes"]].concat());
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout.contains("cronjob/drtest-weekly "),
        "{}",
        out.stdout
    );
    // -o json with --apply: a WriteReport of every object, unchanged the second time.
    let out = cluster.kubectl(&[&schedule[..], &["--apply", "--yes", "-o", "json"]].concat());
    assert_eq!(out.code, Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(report["kind"], "WriteReport");
    let applied = report["applied"].as_array().expect("applied");
    assert!(
        applied.len() >= 8
            && applied.iter().all(|a| a["changed"] == false)
            && applied
                .iter()
                .any(|a| a["object"] == "drtest-system/cronjob/drtest-weekly"),
        "{report}"
    );
    cluster.ok(&[
        "get",
        "schedules.velero.io",
        "drtest-weekly-backup",
        "-n",
        "velero",
    ]);

    // The CronJob's drill, as its ServiceAccount.
    let token = cluster.ok(&["create", "token", "drtest-weekly", "-n", "drtest-system"]);
    let server = cluster.ok(&[
        "config",
        "view",
        "--raw",
        "--minify",
        "-o",
        "jsonpath={.clusters[0].cluster.server}",
    ]);
    let ca = cluster.ok(&[
        "config",
        "view",
        "--raw",
        "--minify",
        "-o",
        "jsonpath={.clusters[0].cluster.certificate-authority-data}",
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("sa.kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!("apiVersion: v1\nkind: Config\ncurrent-context: sa\nclusters:\n- name: c\n  cluster: {{server: '{server}', certificate-authority-data: '{ca}'}}\nusers:\n- name: sa\n  user: {{token: '{}'}}\ncontexts:\n- name: sa\n  context: {{cluster: c, user: sa, namespace: drtest-system}}\n", token.trim()),
    )
    .expect("kubeconfig");
    let args: Vec<String> = serde_json::from_str(&cluster.ok(&[
        "get",
        "cronjob",
        "drtest-weekly",
        "-n",
        "drtest-system",
        "-o",
        "jsonpath={.spec.jobTemplate.spec.template.spec.containers[0].args}",
    ]))
    .expect("args");
    let as_sa = |args: &[String]| {
        let mut cmd = e2e::kubectl();
        cmd.env("KUBECONFIG", &kubeconfig).args(args);
        e2e::run(&mut cmd)
    };
    let mut drill = vec!["drtest".to_owned()];
    drill.extend(args.iter().cloned());
    drill.extend(["-o".into(), "json".into()]);
    let out = as_sa(&drill);
    assert_eq!(
        out.code,
        Some(0),
        "the drill passes under its RBAC: {out:?}"
    );
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(report["result"], "passed");
    assert_eq!(leftovers(&cluster), "");
    // simcluster's download URL is HTTPS under its own CA, which the drill does not trust...
    // (`simcluster velero`'s object storage serves plain HTTP on loopback.)
    assert!(
        !cluster.is_simulated()
            || report["restoreResults"]["unavailable"]
                .as_str()
                .is_some_and(|why| why.contains("certificate")),
        "{report}"
    );
    // ...until the storage location says so (`caCert`, as for a private MinIO).
    cluster.ok(&[
        "patch",
        "bsl",
        "default",
        "-n",
        "velero",
        "--type=merge",
        "-p",
        &format!(
            "{{\"spec\":{{\"objectStorage\":{{\"caCert\":\"{}\"}}}}}}",
            ca.trim()
        ),
    ]);
    let out = as_sa(&drill);
    assert_eq!(out.code, Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(
        report["restoreResults"]["errors"].is_object()
            && report["restoreResults"]["warnings"].is_object(),
        "{report}"
    );
    // Nothing more: the ServiceAccount cannot read Secrets or touch Deployments.
    let out = as_sa(&["get".into(), "secrets".into(), "-n".into(), "shop".into()]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr.contains("cannot list resource \"secrets\""),
        "{}",
        out.stderr
    );
    let out = as_sa(&[
        "delete".into(),
        "deployment".into(),
        "web".into(),
        "-n".into(),
        "shop".into(),
    ]);
    assert_eq!(out.code, Some(1), "{out:?}");
    // And without its Role in Velero's namespace, the drill is an API error (3), cleaned up.
    cluster.ok(&[
        "delete",
        "rolebinding",
        "drtest-drtest-system-drtest-weekly",
        "-n",
        "velero",
    ]);
    let out = as_sa(&drill);
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(out.stderr.contains("forbidden"), "{}", out.stderr);
    assert_eq!(leftovers(&cluster), "");
}

#[test]
fn cleanup_rides_out_a_transient_500_and_names_what_it_leaves_behind() {
    // One 500 on the sandbox's delete: retried, the drill passes and leaves nothing.
    let Some(cluster) = with_backup_faulty(
        "registry.example/web:1.0",
        &["--fail", "delete:namespaces:500:2"],
    ) else {
        return;
    };
    let out = cluster.kubectl(&["drtest", "run", "--for", "shop", "-o", "json"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let cleanup = report["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .find(|p| p["name"] == "cleanup")
        .expect("cleanup phase");
    assert_eq!(cleanup["result"], "passed", "{report}");
    let id = report["id"].as_str().expect("id");
    assert!(
        cleanup["message"].as_str().is_some_and(
            |m| m.contains("namespace/shop-drtest-") && m.contains(&format!("restore/{id}"))
        ),
        "{cleanup}"
    );
    assert_eq!(leftovers(&cluster), "");
    drop(cluster);

    // A 403 on the Restore's delete is not transient: the drill names the leftover and the
    // command that removes it, and that command finds it at once (no --older-than).
    let Some(cluster) = with_backup_faulty(
        "registry.example/web:1.0",
        &["--fail", "delete:restores:403:1"],
    ) else {
        return;
    };
    let out = cluster.kubectl(&["drtest", "run", "--for", "shop", "-o", "json"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let id = report["id"].as_str().expect("id").to_owned();
    let command = format!("kubectl drtest cleanup --drill {id} --yes");
    assert!(
        out.stderr
            .contains(&format!("cleanup left restore/{id} behind"))
            && out.stderr.contains(&command),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("Api(") && !out.stderr.contains("ErrorResponse"),
        "no debug dump: {}",
        out.stderr
    );
    assert_eq!(leftovers(&cluster), "", "the sandbox itself was deleted");
    assert_ne!(drill_restores(&cluster), "");
    let out = cluster.kubectl(&["drtest", "cleanup", "--drill", &id, "--yes"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout.contains("Deleted 1 object(s)."),
        "{}",
        out.stdout
    );
    assert_eq!(drill_restores(&cluster), "");
}

#[test]
fn bad_input_and_an_unwritable_report_fail_before_the_drill_and_a_proxy_403_is_exit_3() {
    let Some(cluster) = with_backup_faulty(
        "registry.example/web:1.0",
        &["--forbid", "get:services/proxy"],
    ) else {
        return;
    };
    // Malformed input is exit 2 with the rule, before anything is created.
    for (args, says) in [
        (
            vec!["drtest", "schedule", "--for", "shop", "--cron", "bad"],
            "--cron",
        ),
        (
            vec![
                "drtest",
                "schedule",
                "--for",
                "shop",
                "--cron",
                "0 25 * * *",
            ],
            "hour",
        ),
        (
            vec![
                "drtest",
                "run",
                "--for",
                "shop",
                "--http-check",
                "web:80/healthz=999x",
            ],
            "999x",
        ),
        (
            vec![
                "drtest",
                "run",
                "--for",
                "shop",
                "--http-check",
                "web:99999/",
            ],
            "not a port number",
        ),
    ] {
        let out = cluster.kubectl(&args);
        assert_eq!(out.code, Some(2), "{args:?}: {out:?}");
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
    // --report to a path that cannot be written: exit 2 naming it, and no drill ran.
    let out = cluster.kubectl(&[
        "drtest",
        "run",
        "--for",
        "shop",
        "--report",
        "/nonexistent-dir/drill.json",
    ]);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stderr.contains("/nonexistent-dir/drill.json"),
        "{}",
        out.stderr
    );
    assert_eq!(drill_restores(&cluster), "", "no drill ran");
    assert_eq!(leftovers(&cluster), "");
    // The API server refusing services/proxy is not the application's answer: exit 3 naming
    // the call, after the report and cleanup.
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("drill.json");
    let out = cluster.kubectl(&[
        "drtest",
        "run",
        "--for",
        "shop",
        "--http-check",
        "web:http/healthz",
        "-o",
        "json",
        "--report",
        &report.to_string_lossy(),
    ]);
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(
        out.stderr.contains("services/proxy") && out.stderr.contains("forbidden"),
        "{}",
        out.stderr
    );
    let written = std::fs::read_to_string(&report).expect("the report is written");
    assert_eq!(written.trim(), out.stdout.trim());
    assert_eq!(leftovers(&cluster), "", "the sandbox is cleaned up");
}

#[test]
fn the_scheduled_drills_account_writes_only_in_drill_sandboxes() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&[]);
    let home = e2e::unique_namespace("drtest-home");
    let velero = e2e::unique_namespace("drtest-velero");
    let sandbox = e2e::unique_namespace("drtest-sandbox");
    cluster.ok(&["create", "namespace", &home]);
    cluster.ok(&["create", "namespace", &velero]);
    let out = cluster.kubectl(&[
        "drtest",
        "schedule",
        "-n",
        &home,
        "--for",
        "shop",
        "--velero-namespace",
        &velero,
        "--apply",
        "--yes",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout.contains("validatingadmissionpolicy/drtest-")
            && out.stdout.contains("clusterrolebinding/drtest-"),
        "{}",
        out.stdout
    );
    if cluster.is_simulated() {
        // simcluster stores the policy but does not evaluate CEL: what it denies is proven on
        // the real control plane.
        e2e::skip("ValidatingAdmissionPolicy enforcement needs the real control plane");
        return;
    }
    let account = format!("system:serviceaccount:{home}:drtest-weekly");
    let as_drill = |args: &[&str]| {
        let mut args = args.to_vec();
        args.extend(["--as", account.as_str()]);
        cluster.kubectl(&args)
    };
    let job = |namespace: &str| {
        as_drill(&[
            "create",
            "job",
            "probe",
            "-n",
            namespace,
            "--image=registry.example/x:1",
            "--dry-run=server",
        ])
    };
    let sandbox_role = format!("drtest-{home}-drtest-weekly-sandbox");
    let binding = |namespace: &str, role: &str| {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: drtest, namespace: {namespace}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\nsubjects: [{{kind: ServiceAccount, name: drtest-weekly, namespace: {home}}}]\n"
        )
    };
    let apply_as_drill = |yaml: &str| {
        cluster.kubectl_stdin(
            &[
                "apply",
                "--server-side",
                "--field-manager",
                "e2e",
                "--as",
                &account,
                "-f",
                "-",
            ],
            yaml,
        )
    };
    // Nothing is granted in namespaces that are not sandboxes: no Jobs, no pods, no logs.
    let out = job("kube-system");
    assert!(
        out.code == Some(1) && out.stderr.contains("forbidden"),
        "{out:?}"
    );
    // Binding the sandbox role outside a sandbox is what the policy denies (RBAC alone would
    // allow it). A new policy takes a moment to be enforced.
    let mut denied = apply_as_drill(&binding("kube-system", &sandbox_role));
    for _ in 0..40 {
        if denied.code != Some(0) {
            break;
        }
        cluster.ok(&["delete", "rolebinding", "drtest", "-n", "kube-system"]);
        std::thread::sleep(std::time::Duration::from_millis(500));
        denied = apply_as_drill(&binding("kube-system", &sandbox_role));
    }
    assert!(
        denied.code == Some(1)
            && denied
                .stderr
                .contains("may only create, change and delete drill sandboxes"),
        "{denied:?}"
    );
    // A labelled sandbox may be created; the drill binds its role there, and only then may it
    // run Jobs and read pods in it.
    let out = apply_as_drill(&format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {sandbox}\n  labels: {{drtest.shipshape.dev/drill: drtest-1}}\n"
    ));
    assert_eq!(out.code, Some(0), "{out:?}");
    // Binding any other role (cluster-admin) is an escalation RBAC refuses, even in the sandbox.
    let out = apply_as_drill(&binding(&sandbox, "cluster-admin"));
    assert!(
        out.code == Some(1) && out.stderr.contains("forbidden"),
        "{out:?}"
    );
    let out = apply_as_drill(&binding(&sandbox, &sandbox_role));
    assert_eq!(out.code, Some(0), "{out:?}");
    let mut out = job(&sandbox);
    for _ in 0..40 {
        if out.code == Some(0) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
        out = job(&sandbox);
    }
    assert_eq!(out.code, Some(0), "a Job in the sandbox: {out:?}");
    assert_eq!(as_drill(&["get", "pods", "-n", &sandbox]).code, Some(0));
    let out = as_drill(&["get", "pods", "-n", "kube-system"]);
    assert!(out.stderr.contains("forbidden"), "{out:?}");
    for attempt in [
        &[
            "label",
            "namespace",
            &velero,
            "drtest.shipshape.dev/drill=x",
        ][..],
        &["delete", "namespace", &velero, "--dry-run=server"],
        &[
            "create",
            "namespace",
            "drtest-unlabelled",
            "--dry-run=server",
        ],
    ] {
        let out = as_drill(attempt);
        assert!(
            out.code == Some(1) && out.stderr.contains("may only create"),
            "{attempt:?}: {out:?}"
        );
    }
    let out = as_drill(&["delete", "namespace", &sandbox, "--wait=false"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    for namespace in [&home, &velero] {
        cluster.ok(&["delete", "namespace", namespace, "--wait=false"]);
    }
    for kind in [
        "validatingadmissionpolicybinding",
        "validatingadmissionpolicy",
        "clusterrolebinding",
        "clusterrole",
    ] {
        cluster.ok(&["delete", kind, &format!("drtest-{home}-drtest-weekly")]);
    }
    cluster.ok(&["delete", "clusterrole", &sandbox_role]);
}
