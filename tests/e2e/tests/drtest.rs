//! `kubectl drtest backups` and `status` through the real kubectl, against simcluster's simulated
//! Velero (the real Velero CRDs, seeded).

use e2e::{Cluster, kubectl_available};

#[test]
fn backups_and_protection_status_from_the_simulated_velero() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&["tests/simcluster/crds/velero", "examples/hastecrm/insecure"]);
    if !cluster.is_simulated() {
        // Needs simcluster's Velero simulation (and its unavailable-location convention).
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
    cluster.ok(&[
        "wait",
        "--for=jsonpath={.status.phase}=Completed",
        "backup/nightly-1",
        "-n",
        "velero",
        "--timeout=30s",
    ]);

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
    cluster.ok(&[
        "wait",
        "--for=jsonpath={.status.phase}=Completed",
        "restore/drill-1",
        "-n",
        "velero",
        "--timeout=30s",
    ]);
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
    cluster.ok(&[
        "annotate",
        "bsl",
        "default",
        "-n",
        "velero",
        "simcluster.shipshape.dev/unavailable=true",
    ]);
    cluster.ok(&[
        "wait",
        "--for=jsonpath={.status.phase}=Unavailable",
        "bsl/default",
        "-n",
        "velero",
        "--timeout=30s",
    ]);
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
    cluster.ok(&[
        "wait",
        "--for=jsonpath={.status.phase}=FailedValidation",
        "restore/drill-2",
        "-n",
        "velero",
        "--timeout=30s",
    ]);
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
fn with_backup(image: &str) -> Option<Cluster> {
    if !kubectl_available() {
        return None;
    }
    let cluster = Cluster::start(&["tests/simcluster/crds/velero"]);
    if !cluster.is_simulated() {
        return None;
    }
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
    cluster.ok(&[
        "wait",
        "--for=jsonpath={.status.phase}=Completed",
        "backup/shop-1",
        "-n",
        "velero",
        "--timeout=30s",
    ]);
    Some(cluster)
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
    let out = cluster.kubectl(&[
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
        &junit.to_string_lossy(),
    ]);
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
    assert_eq!(leftovers(&cluster), "", "nothing left behind");
    assert_eq!(
        std::fs::read_to_string(&junit).expect("report written"),
        out.stdout
    );
    // JUnit: a test case per phase.
    let out = cluster.kubectl(&["drtest", "run", "--for", "shop", "-o", "junit"]);
    assert_eq!(out.code, Some(0), "{out:?}");
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
            .contains("<skipped message=\"no --smoke-image\"/>"),
        "{}",
        out.stdout
    );

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
    assert!(
        out.stdout.contains("smoke       failed") && out.stdout.contains("exited with code 1"),
        "{}",
        out.stdout
    );
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
    }
    let out = cluster.kubectl(&["drtest", "run", "--for", "billing"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stdout.contains("no Completed backup covers billing"),
        "{}",
        out.stdout
    );

    // An unavailable storage location.
    cluster.ok(&[
        "annotate",
        "bsl",
        "default",
        "-n",
        "velero",
        "simcluster.shipshape.dev/unavailable=true",
    ]);
    cluster.ok(&[
        "wait",
        "--for=jsonpath={.status.phase}=Unavailable",
        "bsl/default",
        "-n",
        "velero",
        "--timeout=30s",
    ]);
    let out = cluster.kubectl(&["drtest", "run", "--for", "shop"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stdout
            .contains("storage location default is Unavailable"),
        "{}",
        out.stdout
    );
    assert_eq!(leftovers(&cluster), "");
}

#[test]
fn a_restored_workload_that_never_becomes_ready_fails_the_drill() {
    let Some(cluster) = with_backup("registry.example/web:1.0-unready") else {
        return;
    };
    let out = cluster.kubectl(&["drtest", "run", "--for", "shop", "--timeout", "3s"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stdout.contains("readiness   failed")
            && out.stdout.contains("Deployment/web 0/2 ready"),
        "{}",
        out.stdout
    );
    assert_eq!(leftovers(&cluster), "", "cleaned up after a failure too");
}
