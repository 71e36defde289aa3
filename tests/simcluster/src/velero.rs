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
//!
//! The simulation reads and writes through [`Cluster`]: simcluster's own [`Store`], or another
//! API server ([`crate::remote`], `simcluster velero --kubeconfig F`, for the real control plane
//! whose clusters have no Velero server).

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::registry::ResourceType;
use crate::store::{Store, now};

/// Objects a Backup holds: (resource type, object as stored).
pub type Snapshot = Vec<(ResourceType, Value)>;

/// Kinds a backup leaves out: their controllers recreate them.
pub const SKIPPED: &[&str] = &[
    "pods",
    "replicasets",
    "endpoints",
    "endpointslices",
    "events",
    "controllerrevisions",
    "leases",
];

/// Whether a backup holds objects of `rt`.
pub fn backed_up(rt: &ResourceType) -> bool {
    rt.namespaced
        && !SKIPPED.contains(&rt.plural.as_str())
        && rt.group != "velero.io"
        && rt.group != "metrics.k8s.io"
}

/// What the simulated Velero server reads and writes.
pub trait Cluster {
    /// Every object of a `velero.io/v1` kind (`backups`…) in every namespace; empty when the
    /// CRD is not installed.
    fn velero(&mut self, plural: &str) -> Vec<Value>;
    /// Writes back a Velero object as read, with its new status.
    fn write(&mut self, plural: &str, object: Value);
    /// The objects a backup of the namespaces `wanted` accepts holds (see [`backed_up`]).
    fn snapshot(&mut self, wanted: &dyn Fn(&str) -> bool) -> Snapshot;
    /// Whether the namespace exists.
    fn namespace_exists(&mut self, name: &str) -> bool;
    /// Whether the object exists.
    fn exists(&mut self, rt: &ResourceType, namespace: &str, name: &str) -> bool;
    /// Creates an object (a namespace when `rt` is namespaces); the API server's message when
    /// it refuses.
    fn create(&mut self, rt: &ResourceType, namespace: &str, object: Value) -> Result<(), String>;
    /// Stores a file in the simulated object storage.
    fn upload(&mut self, path: String, bytes: bytes::Bytes);
    /// The URL that serves an uploaded file, or None when there is no such file yet.
    fn download_url(&self, path: &str) -> Option<String>;
}

impl Cluster for Store {
    fn velero(&mut self, plural: &str) -> Vec<Value> {
        self.all("velero.io", plural)
    }

    fn write(&mut self, plural: &str, object: Value) {
        if let Some(rt) = self.registry.find("velero.io", "v1", plural).cloned() {
            let _ = self.put(&rt, object);
        }
    }

    fn snapshot(&mut self, wanted: &dyn Fn(&str) -> bool) -> Snapshot {
        let mut snapshot = Snapshot::new();
        for rt in self.registry.types().iter().filter(|t| backed_up(t)) {
            for object in self.all(&rt.group, &rt.plural) {
                if object["metadata"]["namespace"].as_str().is_some_and(wanted)
                    && object["metadata"]["deletionTimestamp"].is_null()
                {
                    snapshot.push((rt.clone(), object));
                }
            }
        }
        snapshot
    }

    fn namespace_exists(&mut self, name: &str) -> bool {
        self.registry
            .find("", "v1", "namespaces")
            .cloned()
            .is_some_and(|rt| self.get(&rt, "", name).is_ok())
    }

    fn exists(&mut self, rt: &ResourceType, namespace: &str, name: &str) -> bool {
        self.get(rt, namespace, name).is_ok()
    }

    fn create(&mut self, rt: &ResourceType, namespace: &str, object: Value) -> Result<(), String> {
        let served = self
            .registry
            .types()
            .iter()
            .find(|t| t.group == rt.group && t.plural == rt.plural)
            .cloned()
            .ok_or_else(|| format!("the server does not serve {}", rt.plural))?;
        Store::create(self, &served, namespace, object, false)
            .map(drop)
            .map_err(|e| {
                e.status()["message"]
                    .as_str()
                    .unwrap_or("failed")
                    .to_owned()
            })
    }

    fn upload(&mut self, path: String, bytes: bytes::Bytes) {
        self.downloads.insert(path, bytes);
    }

    fn download_url(&self, path: &str) -> Option<String> {
        self.downloads
            .contains_key(path)
            .then(|| format!("{}{path}", self.url))
    }
}

/// The namespaces type, for creating restored namespaces.
pub fn namespaces() -> ResourceType {
    ResourceType {
        group: String::new(),
        versions: vec!["v1".into()],
        kind: "Namespace".into(),
        plural: "namespaces".into(),
        singular: "namespace".into(),
        namespaced: false,
        short_names: vec!["ns".into()],
        subresources: vec!["status".into(), "finalize".into()],
        categories: Vec::new(),
        virtual_create: false,
    }
}

fn duration_seconds(text: &str) -> Option<i64> {
    shipshape::duration::parse(text)
        .ok()
        .map(|d| d.as_secs() as i64)
}

fn text(object: &Value, pointer: &str) -> String {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// One tick of the simulated Velero server.
pub fn tick(cluster: &mut dyn Cluster, snapshots: &mut HashMap<String, Snapshot>) {
    let mut locations = Vec::new();
    for mut bsl in cluster.velero("backupstoragelocations") {
        let unavailable =
            bsl["metadata"]["annotations"]["simcluster.shipshape.dev/unavailable"] == "true";
        let phase = if unavailable {
            "Unavailable"
        } else {
            "Available"
        };
        if bsl["status"]["phase"] != phase {
            bsl["status"] = json!({"phase": phase, "lastValidationTime": now()});
            cluster.write("backupstoragelocations", bsl.clone());
        }
        if !unavailable {
            locations.push((
                text(&bsl, "/metadata/namespace"),
                text(&bsl, "/metadata/name"),
            ));
        }
    }
    let available =
        |namespace: &str, name: &str| locations.iter().any(|(n, l)| n == namespace && l == name);
    let mut backups = cluster.velero("backups");
    for backup in &mut backups {
        let phase = text(backup, "/status/phase");
        if !phase.is_empty() && phase != "New" {
            continue;
        }
        let namespace = text(backup, "/metadata/namespace");
        let name = text(backup, "/metadata/name");
        let location = backup["spec"]["storageLocation"]
            .as_str()
            .unwrap_or("default")
            .to_owned();
        let started = now();
        if !available(&namespace, &location) {
            backup["status"] = json!({"phase": "FailedValidation", "validationErrors": [format!("The BSL {location} is unavailable")], "startTimestamp": started, "completionTimestamp": started});
            cluster.write("backups", backup.clone());
            continue;
        }
        let included: Vec<String> = backup["spec"]["includedNamespaces"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect();
        let wanted = |ns: &str| included.is_empty() || included.iter().any(|n| n == "*" || n == ns);
        let snapshot = cluster.snapshot(&wanted);
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
        cluster.write("backups", backup.clone());
    }
    for mut restore in cluster.velero("restores") {
        let phase = text(&restore, "/status/phase");
        if !phase.is_empty() && phase != "New" {
            continue;
        }
        let namespace = text(&restore, "/metadata/namespace");
        let name = text(&restore, "/metadata/name");
        let started = now();
        let fail = |cluster: &mut dyn Cluster, mut restore: Value, why: String| {
            restore["status"] = json!({"phase": "FailedValidation", "validationErrors": [why], "startTimestamp": started, "completionTimestamp": now()});
            cluster.write("restores", restore);
        };
        let Some(backup_name) = restore["spec"]["backupName"]
            .as_str()
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
        else {
            fail(cluster, restore, "Either a backup or schedule must be specified as a source for the restore, but not both".into());
            continue;
        };
        let backup = backups.iter().find(|b| {
            b["metadata"]["namespace"] == namespace.as_str()
                && b["metadata"]["name"] == backup_name.as_str()
        });
        let Some(backup) = backup.filter(|b| b["status"]["phase"] == "Completed") else {
            fail(
                cluster,
                restore,
                format!("backups.velero.io \"{backup_name}\" not found"),
            );
            continue;
        };
        let location = backup["spec"]["storageLocation"]
            .as_str()
            .unwrap_or("default")
            .to_owned();
        if !available(&namespace, &location) {
            fail(
                cluster,
                restore,
                format!("The BSL {location} is unavailable, cannot retrieve the backup"),
            );
            continue;
        }
        let Some(snapshot) = snapshots
            .get(&format!("{namespace}/{backup_name}"))
            .cloned()
        else {
            fail(
                cluster,
                restore,
                format!("backup {backup_name} has no contents in this simulation"),
            );
            continue;
        };
        let outcome = restore_snapshot(cluster, &restore, &backup_name, snapshot);
        restore["status"] = json!({
            "phase": if outcome.errors > 0 { "PartiallyFailed" } else { "Completed" },
            "startTimestamp": started,
            "completionTimestamp": now(),
            "progress": {"totalItems": outcome.total, "itemsRestored": outcome.restored},
            "warnings": outcome.warnings,
            "errors": outcome.errors,
        });
        cluster.write("restores", restore);
        let base = format!("/simcluster/downloads/{namespace}/restores/{name}");
        cluster.upload(
            format!("{base}/results.json.gz"),
            gzip(outcome.results.to_string().as_bytes()),
        );
        cluster.upload(
            format!("{base}/log.gz"),
            gzip(outcome.log.join("\n").as_bytes()),
        );
    }
    downloads(cluster);
}

/// What restoring a backup's snapshot did.
struct Outcome {
    total: usize,
    restored: usize,
    warnings: usize,
    errors: usize,
    /// `{"warnings": Result, "errors": Result}`.
    results: Value,
    log: Vec<String>,
}

/// Recreates the snapshot's objects under the restore's namespace mapping.
/// What Velero's built-in restore item actions change before an object is created: a Service
/// loses the cluster IPs the API server allocated, and a Job the `controller-uid` labels its
/// selector and template carry (the API server generates them anew for the new Job's uid and
/// refuses a Job that brings the old ones: "`selector` not auto-generated").
fn restore_item_action(plural: &str, object: &mut Value) {
    match plural {
        "services" => {
            if let Some(spec) = object["spec"].as_object_mut() {
                spec.remove("clusterIP");
                spec.remove("clusterIPs");
            }
        }
        "jobs" => {
            for labels in [
                "/spec/selector/matchLabels",
                "/spec/template/metadata/labels",
            ] {
                if let Some(labels) = object.pointer_mut(labels).and_then(Value::as_object_mut) {
                    labels.remove("controller-uid");
                    labels.remove("batch.kubernetes.io/controller-uid");
                }
            }
        }
        _ => {}
    }
}

fn restore_snapshot(
    cluster: &mut dyn Cluster,
    restore: &Value,
    backup_name: &str,
    snapshot: Snapshot,
) -> Outcome {
    let namespace = text(restore, "/metadata/namespace");
    let name = text(restore, "/metadata/name");
    let mapping = &restore["spec"]["namespaceMapping"];
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
    let total = snapshot.len();
    for (rt, object) in snapshot {
        let source = text(&object, "/metadata/namespace");
        if !included.is_empty() && !included.iter().any(|n| n == "*" || *n == source) {
            continue;
        }
        let target = mapping[&source].as_str().unwrap_or(&source).to_owned();
        if !cluster.namespace_exists(&target) {
            let _ = cluster.create(&namespaces(), "", json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": target, "labels": {"velero.io/backup-name": backup_name, "velero.io/restore-name": name}}}));
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
        restore_item_action(&rt.plural, &mut copy);
        copy["metadata"]["labels"]["velero.io/backup-name"] = json!(backup_name);
        copy["metadata"]["labels"]["velero.io/restore-name"] = json!(name);
        let object_name = text(&copy, "/metadata/name");
        let kind = text(&object, "/kind");
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
        if cluster.exists(&rt, &target, &object_name) {
            warnings += 1;
            note(
                "warnings",
                format!(
                    "could not restore, {kind} \"{object_name}\" already exists. Warning: the in-cluster version is different than the backed-up version"
                ),
            );
            continue;
        }
        match cluster.create(&rt, &target, copy) {
            Ok(()) => {
                restored += 1;
                log.push(format!("Restored {}/{target}/{object_name}", rt.plural));
            }
            Err(message) => {
                errors += 1;
                note(
                    "errors",
                    format!(
                        "error restoring {}/{target}/{object_name}: {message}",
                        rt.plural
                    ),
                );
            }
        }
    }
    let result =
        |severity: &str| json!({"namespaces": messages.get(severity).cloned().unwrap_or_default()});
    let results = json!({"warnings": result("warnings"), "errors": result("errors")});
    log.push(format!(
        "restore completed: {restored} restored, {warnings} warnings, {errors} errors"
    ));
    Outcome {
        total,
        restored,
        warnings,
        errors,
        results,
        log,
    }
}

fn gzip(bytes: &[u8]) -> bytes::Bytes {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default().into()
}

/// Answers DownloadRequests for a Restore's results and log.
fn downloads(cluster: &mut dyn Cluster) {
    for mut request in cluster.velero("downloadrequests") {
        if request["status"]["phase"] == "Processed" {
            continue;
        }
        let namespace = text(&request, "/metadata/namespace");
        let target = text(&request, "/spec/target/name");
        let file = match request["spec"]["target"]["kind"].as_str() {
            Some("RestoreResults") => "results.json.gz",
            Some("RestoreLog") => "log.gz",
            _ => continue,
        };
        let path = format!("/simcluster/downloads/{namespace}/restores/{target}/{file}");
        // Velero retries until the restore has uploaded it.
        let Some(url) = cluster.download_url(&path) else {
            continue;
        };
        let expiration = crate::store::after(600);
        request["status"] =
            json!({"phase": "Processed", "downloadURL": url, "expiration": expiration});
        cluster.write("downloadrequests", request);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restored_job_leaves_its_old_controller_uid_behind() {
        let mut job = json!({
            "spec": {
                "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "old"}},
                "template": {"metadata": {"labels": {
                    "controller-uid": "old", "batch.kubernetes.io/controller-uid": "old",
                    "job-name": "migrate", "app": "api"
                }}}
            }
        });
        restore_item_action("jobs", &mut job);
        assert_eq!(job["spec"]["selector"]["matchLabels"], json!({}));
        assert_eq!(
            job["spec"]["template"]["metadata"]["labels"],
            json!({"job-name": "migrate", "app": "api"})
        );
        let mut service =
            json!({"spec": {"clusterIP": "10.96.0.9", "clusterIPs": ["10.96.0.9"], "ports": []}});
        restore_item_action("services", &mut service);
        assert_eq!(service, json!({"spec": {"ports": []}}));
    }
}
