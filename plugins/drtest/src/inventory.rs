//! `kubectl drtest backups` and `kubectl drtest status`: what Velero holds, and whether each
//! protected namespace has a recent enough successful backup. Pure: Velero objects in.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use shipshape::output::{Report, Table, Tone};

/// One Backup.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupRow {
    pub name: String,
    pub phase: String,
    pub namespaces: Vec<String>,
    pub storage_location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Seconds since completion (or start).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<i64>,
    pub items: i64,
    pub errors: i64,
    pub warnings: i64,
}

/// `kind: BackupList`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Backups {
    pub backups: Vec<BackupRow>,
}

fn seconds_since(text: Option<&str>, now: i64) -> Option<i64> {
    Some(now - text?.parse::<jiff::Timestamp>().ok()?.as_second())
}

/// The namespaces a Backup spec (or a Schedule's template) includes; none listed means all.
fn included(spec: &Value) -> Vec<String> {
    let list: Vec<String> = spec["includedNamespaces"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect();
    if list.is_empty() {
        vec!["*".into()]
    } else {
        list
    }
}

/// Whether a backup covers a namespace.
pub fn covers(backup: &Value, namespace: &str) -> bool {
    spec_covers(&backup["spec"], namespace)
}

/// Whether a Backup spec (or a Schedule's template) covers a namespace.
fn spec_covers(spec: &Value, namespace: &str) -> bool {
    included(spec).iter().any(|n| n == "*" || n == namespace)
        && !spec["excludedNamespaces"]
            .as_array()
            .is_some_and(|e| e.iter().any(|n| n == namespace))
}

/// The rows, newest first, optionally only those covering `namespace`.
pub fn backups(objects: &[Value], namespace: Option<&str>, now: i64) -> Backups {
    let mut rows: Vec<BackupRow> = objects
        .iter()
        .filter(|b| namespace.is_none_or(|ns| covers(b, ns)))
        .map(|b| {
            let status = &b["status"];
            let completed = status["completionTimestamp"].as_str().map(str::to_owned);
            BackupRow {
                name: b["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                phase: status["phase"].as_str().unwrap_or("New").to_owned(),
                namespaces: included(&b["spec"]),
                storage_location: b["spec"]["storageLocation"]
                    .as_str()
                    .unwrap_or("default")
                    .to_owned(),
                age_seconds: seconds_since(
                    completed.as_deref().or(status["startTimestamp"].as_str()),
                    now,
                ),
                completed,
                expires: status["expiration"].as_str().map(str::to_owned),
                items: status["progress"]["itemsBackedUp"].as_i64().unwrap_or(0),
                errors: status["errors"].as_i64().unwrap_or(0),
                warnings: status["warnings"].as_i64().unwrap_or(0),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.age_seconds.cmp(&b.age_seconds).then(a.name.cmp(&b.name)));
    Backups { backups: rows }
}

fn age(seconds: Option<i64>) -> String {
    seconds.map_or("-".into(), |s| {
        shipshape::duration::human(std::time::Duration::from_secs(s.max(0) as u64))
    })
}

impl Report for Backups {
    const KIND: &'static str = "BackupList";

    fn human(&self, _wide: bool) -> String {
        if self.backups.is_empty() {
            return "No Velero backups found.\n".into();
        }
        let mut table = Table::new([
            "NAME",
            "PHASE",
            "AGE",
            "EXPIRES",
            "LOCATION",
            "ITEMS",
            "ERRORS",
            "WARNINGS",
            "NAMESPACES",
        ]);
        for b in &self.backups {
            let tone = match b.phase.as_str() {
                "Completed" => Tone::Good,
                "PartiallyFailed" => Tone::Warn,
                "Failed" | "FailedValidation" => Tone::Bad,
                _ => Tone::Plain,
            };
            table.toned_row(vec![
                (b.name.clone(), Tone::Plain),
                (b.phase.clone(), tone),
                (age(b.age_seconds), Tone::Plain),
                (b.expires.clone().unwrap_or_else(|| "-".into()), Tone::Plain),
                (b.storage_location.clone(), Tone::Plain),
                (b.items.to_string(), Tone::Plain),
                (b.errors.to_string(), Tone::Plain),
                (b.warnings.to_string(), Tone::Plain),
                (b.namespaces.join(","), Tone::Plain),
            ]);
        }
        table.render()
    }
}

/// One protected namespace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Protection {
    pub namespace: String,
    /// The newest Completed backup covering it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_backup: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<i64>,
    /// Whether that backup is younger than `--max-backup-age`.
    pub fresh: bool,
    /// Schedules whose template covers it.
    pub schedules: Vec<String>,
    /// Its backups' storage location and that location's phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_phase: Option<String>,
}

/// `kind: ProtectionStatus`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    pub max_backup_age_seconds: i64,
    pub namespaces: Vec<Protection>,
}

impl Status {
    /// Whether every namespace has a fresh backup on an available location.
    pub fn healthy(&self) -> bool {
        self.namespaces
            .iter()
            .all(|n| n.fresh && n.location_phase.as_deref() == Some("Available"))
    }
}

/// Per namespace (given, or every namespace any backup or schedule names): the last successful
/// backup, its age against `max_age`, covering Schedules, the location's health.
pub fn status(
    namespaces: &[String],
    backups: &[Value],
    schedules: &[Value],
    locations: &[Value],
    max_age: i64,
    now: i64,
) -> Status {
    let mut names: Vec<String> = namespaces.to_vec();
    if names.is_empty() {
        let specs = backups
            .iter()
            .map(|b| &b["spec"])
            .chain(schedules.iter().map(|s| &s["spec"]["template"]));
        for spec in specs {
            for n in spec["includedNamespaces"].as_array().into_iter().flatten() {
                if let Some(n) = n.as_str().filter(|n| *n != "*") {
                    names.push(n.to_owned());
                }
            }
        }
        names.sort();
        names.dedup();
    }
    let phases: BTreeMap<String, String> = locations
        .iter()
        .map(|l| {
            (
                l["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                l["status"]["phase"]
                    .as_str()
                    .unwrap_or("Unknown")
                    .to_owned(),
            )
        })
        .collect();
    let rows = names
        .into_iter()
        .map(|namespace| {
            let list = self::backups(backups, Some(&namespace), now);
            let last = list.backups.into_iter().find(|b| b.phase == "Completed");
            let covering: Vec<String> = schedules
                .iter()
                .filter(|s| spec_covers(&s["spec"]["template"], &namespace))
                .filter_map(|s| s["metadata"]["name"].as_str().map(str::to_owned))
                .collect();
            let location = last.as_ref().map(|b| b.storage_location.clone());
            Protection {
                fresh: last
                    .as_ref()
                    .and_then(|b| b.age_seconds)
                    .is_some_and(|a| a <= max_age),
                age_seconds: last.as_ref().and_then(|b| b.age_seconds),
                last_backup: last.map(|b| b.name),
                schedules: covering,
                location_phase: location
                    .as_ref()
                    .map(|l| phases.get(l).cloned().unwrap_or_else(|| "NotFound".into())),
                storage_location: location,
                namespace,
            }
        })
        .collect();
    Status {
        max_backup_age_seconds: max_age,
        namespaces: rows,
    }
}

impl Report for Status {
    const KIND: &'static str = "ProtectionStatus";

    fn human(&self, _wide: bool) -> String {
        if self.namespaces.is_empty() {
            return "No protected namespaces found (no backups or schedules name one).\n".into();
        }
        let mut table = Table::new([
            "NAMESPACE",
            "LAST BACKUP",
            "AGE",
            "FRESH",
            "SCHEDULES",
            "LOCATION",
        ]);
        for n in &self.namespaces {
            let fresh = if n.fresh {
                ("yes".into(), Tone::Good)
            } else {
                ("no".into(), Tone::Bad)
            };
            let location = match (&n.storage_location, &n.location_phase) {
                (Some(l), Some(p)) => (
                    format!("{l} ({p})"),
                    if p == "Available" {
                        Tone::Good
                    } else {
                        Tone::Bad
                    },
                ),
                _ => ("-".into(), Tone::Plain),
            };
            table.toned_row(vec![
                (n.namespace.clone(), Tone::Plain),
                (
                    n.last_backup.clone().unwrap_or_else(|| "none".into()),
                    Tone::Plain,
                ),
                (age(n.age_seconds), Tone::Plain),
                fresh,
                (
                    if n.schedules.is_empty() {
                        "none".into()
                    } else {
                        n.schedules.join(",")
                    },
                    Tone::Plain,
                ),
                location,
            ]);
        }
        format!(
            "{}max backup age {}\n",
            table.render(),
            shipshape::duration::human(std::time::Duration::from_secs(
                self.max_backup_age_seconds.max(0) as u64
            ))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn backup(name: &str, phase: &str, namespaces: &[&str], completed: &str) -> Value {
        json!({"metadata": {"name": name}, "spec": {"includedNamespaces": namespaces, "storageLocation": "default"},
            "status": {"phase": phase, "completionTimestamp": completed, "progress": {"itemsBackedUp": 12}, "errors": 0, "warnings": 1}})
    }

    #[test]
    fn newest_completed_backup_per_namespace_against_the_age_limit() {
        let now: i64 = "2026-11-22T12:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_second();
        let backups = [
            backup("old", "Completed", &["shop"], "2026-11-22T02:00:00Z"),
            backup(
                "new-failed",
                "PartiallyFailed",
                &["shop"],
                "2026-11-22T11:00:00Z",
            ),
            backup("everything", "Completed", &["*"], "2026-11-22T09:00:00Z"),
        ];
        let list = super::backups(&backups, Some("shop"), now);
        assert_eq!(
            list.backups
                .iter()
                .map(|b| b.name.as_str())
                .collect::<Vec<_>>(),
            ["new-failed", "everything", "old"]
        );
        let schedules = [
            json!({"metadata": {"name": "nightly"}, "spec": {"schedule": "0 0 * * *", "template": {"includedNamespaces": ["shop"]}}}),
        ];
        let locations =
            [json!({"metadata": {"name": "default"}, "status": {"phase": "Available"}})];
        let status = status(
            &["shop".into(), "blog".into()],
            &backups,
            &schedules,
            &locations,
            6 * 3600,
            now,
        );
        let shop = &status.namespaces[0];
        assert_eq!(
            (shop.last_backup.as_deref(), shop.fresh, shop.age_seconds),
            (Some("everything"), true, Some(3 * 3600))
        );
        assert_eq!(shop.schedules, ["nightly"]);
        assert_eq!(shop.location_phase.as_deref(), Some("Available"));
        let blog = &status.namespaces[1];
        assert_eq!(
            (blog.last_backup.as_deref(), blog.fresh),
            (Some("everything"), true),
            "`*` covers every namespace"
        );
        let strict = super::status(
            &["shop".into()],
            &backups,
            &schedules,
            &locations,
            3600,
            now,
        );
        assert!(!strict.healthy(), "3 h old is too old for a 1 h limit");
    }
}
