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
