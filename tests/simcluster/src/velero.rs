//! A simulated Velero on the real CRDs (seed `crds/velero/`): BackupStorageLocations,
//! Backups that snapshot namespaces in memory, and Restores that recreate them with a
//! namespace mapping, moving through Velero's phases with its timestamps and counters.
//!
//! Conventions (this is a simulation):
//! - A BackupStorageLocation is Available unless annotated
//!   `simcluster.shipshape.dev/unavailable: "true"`.
//! - A Backup snapshots the namespaced objects of its `includedNamespaces` (`*` for all) except
//!   pods, ReplicaSets, Endpoints and Events (their controllers recreate them), and completes
//!   within a tick; `expiration` = start + `ttl` (default 720h).
//! - A Restore fails validation without `backupName`, when the backup is missing or not
//!   Completed, or when its storage location is unavailable ("The BSL %s is unavailable, cannot
//!   retrieve the backup"); otherwise it recreates the objects under `namespaceMapping`, with
//!   `velero.io/backup-name` and `velero.io/restore-name` labels, skipping objects that exist
//!   (a warning each, as `existingResourcePolicy: none`). It ends PartiallyFailed when an object
//!   cannot be created (an error each), Completed otherwise.
//! - A DownloadRequest for `RestoreResults` or `RestoreLog` of a finished Restore becomes
//!   Processed with a `downloadURL` under `/simcluster/downloads/` (the simulated object
//!   storage, on simcluster's own address: `https://` with simcluster's CA when it serves TLS, so
//!   clients need the storage location's `caCert`, as with a private MinIO; no API token needed,
//!   as with a presigned URL) valid for 10 minutes; the payload is
//!   gzip-compressed as Velero's is: results are `{"warnings": Result, "errors": Result}`, each
//!   Result `{"velero": [...], "cluster": [...], "namespaces": {"<ns>": [...]}}`.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::registry::ResourceType;
use crate::store::{Store, now};

/// Objects a Backup holds: (resource type, object as stored).
pub type Snapshot = Vec<(ResourceType, Value)>;

const SKIPPED: &[&str] = &[
    "pods",
    "replicasets",
    "endpoints",
    "events",
    "controllerrevisions",
    "leases",
];

fn velero(store: &Store, plural: &str) -> Option<ResourceType> {
    store.registry.find("velero.io", "v1", plural).cloned()
}

fn duration_seconds(text: &str) -> Option<i64> {
    shipshape::duration::parse(text)
        .ok()
        .map(|d| d.as_secs() as i64)
}

/// One tick of the simulated Velero server.
pub fn tick(store: &mut Store, snapshots: &mut HashMap<String, Snapshot>) {
    let (Some(bsl_rt), Some(backup_rt), Some(restore_rt)) = (
        velero(store, "backupstoragelocations"),
        velero(store, "backups"),
        velero(store, "restores"),
    ) else {
        return;
    };
    for mut bsl in store.all("velero.io", "backupstoragelocations") {
        let unavailable =
            bsl["metadata"]["annotations"]["simcluster.shipshape.dev/unavailable"] == "true";
        let phase = if unavailable {
            "Unavailable"
        } else {
            "Available"
        };
        if bsl["status"]["phase"] != phase {
            bsl["status"] = json!({"phase": phase, "lastValidationTime": now()});
            let _ = store.put(&bsl_rt, bsl);
        }
    }
    let available = |store: &Store, namespace: &str, name: &str| {
        store
            .all("velero.io", "backupstoragelocations")
            .iter()
            .any(|b| {
                b["metadata"]["namespace"] == namespace
                    && b["metadata"]["name"] == name
                    && b["status"]["phase"] == "Available"
            })
    };
    for mut backup in store.all("velero.io", "backups") {
        let phase = backup["status"]["phase"].as_str().unwrap_or("").to_owned();
        if !phase.is_empty() && phase != "New" {
            continue;
        }
        let namespace = backup["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let name = backup["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let location = backup["spec"]["storageLocation"]
            .as_str()
            .unwrap_or("default")
            .to_owned();
        let started = now();
        if !available(store, &namespace, &location) {
            backup["status"] = json!({"phase": "FailedValidation", "validationErrors": [format!("The BSL {location} is unavailable")], "startTimestamp": started, "completionTimestamp": started});
            let _ = store.put(&backup_rt, backup);
            continue;
        }
        let included: Vec<String> = backup["spec"]["includedNamespaces"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect();
        let wanted = |ns: &str| included.is_empty() || included.iter().any(|n| n == "*" || n == ns);
        let mut snapshot = Snapshot::new();
        for rt in store.registry.types().iter().filter(|t| {
            t.namespaced
                && !SKIPPED.contains(&t.plural.as_str())
                && t.group != "velero.io"
                && t.group != "metrics.k8s.io"
        }) {
            for object in store.all(&rt.group, &rt.plural) {
                if object["metadata"]["namespace"].as_str().is_some_and(wanted)
                    && object["metadata"]["deletionTimestamp"].is_null()
                {
                    snapshot.push((rt.clone(), object));
                }
            }
        }
        let ttl = backup["spec"]["ttl"]
            .as_str()
            .and_then(duration_seconds)
            .unwrap_or(720 * 3600);
        let expiration = crate::store::after(ttl);
        let items = snapshot.len();
        snapshots.insert(format!("{namespace}/{name}"), snapshot);
        backup["status"] = json!({
            "phase": "Completed",
            "version": 1,
            "formatVersion": "1.1.0",
            "startTimestamp": started,
            "completionTimestamp": now(),
            "expiration": expiration,
            "progress": {"totalItems": items, "itemsBackedUp": items},
            "warnings": 0,
            "errors": 0,
        });
        let _ = store.put(&backup_rt, backup);
    }
    for mut restore in store.all("velero.io", "restores") {
        let phase = restore["status"]["phase"].as_str().unwrap_or("").to_owned();
        if !phase.is_empty() && phase != "New" {
            continue;
        }
        let namespace = restore["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let name = restore["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let started = now();
        let fail = |restore: &mut Value, why: String| {
            restore["status"] = json!({"phase": "FailedValidation", "validationErrors": [why], "startTimestamp": started, "completionTimestamp": now()});
        };
        let Some(backup_name) = restore["spec"]["backupName"]
            .as_str()
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
        else {
            fail(&mut restore, "Either a backup or schedule must be specified as a source for the restore, but not both".into());
            let _ = store.put(&restore_rt, restore);
            continue;
        };
        let backup = store.all("velero.io", "backups").into_iter().find(|b| {
            b["metadata"]["namespace"] == namespace.as_str()
                && b["metadata"]["name"] == backup_name.as_str()
        });
        let Some(backup) = backup.filter(|b| b["status"]["phase"] == "Completed") else {
            fail(
                &mut restore,
                format!("backups.velero.io \"{backup_name}\" not found"),
            );
            let _ = store.put(&restore_rt, restore);
            continue;
        };
        let location = backup["spec"]["storageLocation"]
            .as_str()
            .unwrap_or("default")
            .to_owned();
        if !available(store, &namespace, &location) {
            fail(
                &mut restore,
                format!("The BSL {location} is unavailable, cannot retrieve the backup"),
            );
            let _ = store.put(&restore_rt, restore);
            continue;
        }
        let Some(snapshot) = snapshots
            .get(&format!("{namespace}/{backup_name}"))
            .cloned()
        else {
            fail(
                &mut restore,
                format!("backup {backup_name} has no contents in this simulation"),
            );
            let _ = store.put(&restore_rt, restore);
            continue;
        };
        let mapping = restore["spec"]["namespaceMapping"].clone();
        let included: Vec<String> = restore["spec"]["includedNamespaces"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect();
        let (mut restored, mut warnings, mut errors) = (0, 0, 0);
        let mut messages: HashMap<&str, serde_json::Map<String, Value>> = HashMap::new();
        let mut log = vec![format!(
            "Starting restore of backup {namespace}/{backup_name}"
        )];
        let ns_rt = store.registry.find("", "v1", "namespaces").cloned();
        let total = snapshot.len();
        for (rt, object) in snapshot {
            let source = object["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if !included.is_empty() && !included.iter().any(|n| n == "*" || *n == source) {
                continue;
            }
            let target = mapping[&source].as_str().unwrap_or(&source).to_owned();
            if let Some(ns_rt) = &ns_rt
                && store.get(ns_rt, "", &target).is_err()
            {
                let _ = store.create(ns_rt, "", json!({"metadata": {"name": target, "labels": {"velero.io/backup-name": backup_name, "velero.io/restore-name": name}}}), false);
            }
            let mut copy = object.clone();
            if let Some(meta) = copy["metadata"].as_object_mut() {
                for field in [
                    "uid",
                    "resourceVersion",
                    "creationTimestamp",
                    "generation",
                    "ownerReferences",
                    "managedFields",
                    "deletionTimestamp",
                    "finalizers",
                ] {
                    meta.remove(field);
                }
                meta.insert("namespace".into(), json!(target));
            }
            copy.as_object_mut().map(|o| o.remove("status"));
            if rt.plural == "services" {
                copy["spec"].as_object_mut().map(|s| {
                    s.remove("clusterIP");
                    s.remove("clusterIPs")
                });
            }
            copy["metadata"]["labels"]["velero.io/backup-name"] = json!(backup_name);
            copy["metadata"]["labels"]["velero.io/restore-name"] = json!(name);
            let object_name = copy["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let kind = object["kind"].as_str().unwrap_or_default().to_owned();
            let mut note = |severity: &'static str, text: String| {
                let list = messages.entry(severity).or_default();
                if let Some(a) = list
                    .entry(target.clone())
                    .or_insert_with(|| json!([]))
                    .as_array_mut()
                {
                    a.push(json!(text));
                }
            };
            if store.get(&rt, &target, &object_name).is_ok() {
                warnings += 1;
                note(
                    "warnings",
                    format!(
                        "could not restore, {kind} \"{object_name}\" already exists. Warning: the in-cluster version is different than the backed-up version"
                    ),
                );
                continue;
            }
            match store.create(&rt, &target, copy, false) {
                Ok(_) => {
                    restored += 1;
                    log.push(format!("Restored {}/{target}/{object_name}", rt.plural));
                }
                Err(e) => {
                    errors += 1;
                    note(
                        "errors",
                        format!(
                            "error restoring {}/{target}/{object_name}: {}",
                            rt.plural,
                            e.status()["message"].as_str().unwrap_or("failed")
                        ),
                    );
                }
            }
        }
        restore["status"] = json!({
            "phase": if errors > 0 { "PartiallyFailed" } else { "Completed" },
            "startTimestamp": started,
            "completionTimestamp": now(),
            "progress": {"totalItems": total, "itemsRestored": restored},
            "warnings": warnings,
            "errors": errors,
        });
        let _ = store.put(&restore_rt, restore);
        let result = |severity: &str| json!({"namespaces": messages.get(severity).cloned().unwrap_or_default()});
        let results = json!({"warnings": result("warnings"), "errors": result("errors")});
        log.push(format!(
            "restore completed: {restored} restored, {warnings} warnings, {errors} errors"
        ));
        let base = format!("/simcluster/downloads/{namespace}/restores/{name}");
        store.downloads.insert(
            format!("{base}/results.json.gz"),
            gzip(results.to_string().as_bytes()),
        );
        store
            .downloads
            .insert(format!("{base}/log.gz"), gzip(log.join("\n").as_bytes()));
    }
    downloads(store);
}

fn gzip(bytes: &[u8]) -> bytes::Bytes {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default().into()
}

/// Answers DownloadRequests for a Restore's results and log.
fn downloads(store: &mut Store) {
    let Some(rt) = velero(store, "downloadrequests") else {
        return;
    };
    for mut request in store.all("velero.io", "downloadrequests") {
        if request["status"]["phase"] == "Processed" {
            continue;
        }
        let namespace = request["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default();
        let target = request["spec"]["target"]["name"]
            .as_str()
            .unwrap_or_default();
        let file = match request["spec"]["target"]["kind"].as_str() {
            Some("RestoreResults") => "results.json.gz",
            Some("RestoreLog") => "log.gz",
            _ => continue,
        };
        let path = format!("/simcluster/downloads/{namespace}/restores/{target}/{file}");
        if !store.downloads.contains_key(&path) {
            // Velero retries until the restore has uploaded it.
            continue;
        }
        let expiration = crate::store::after(600);
        request["status"] = json!({"phase": "Processed", "downloadURL": format!("{}{path}", store.url), "expiration": expiration});
        let _ = store.put(&rt, request);
    }
}
