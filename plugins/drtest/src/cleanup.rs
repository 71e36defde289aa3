//! `kubectl drtest cleanup`: removes what killed drills left behind — sandbox namespaces and
//! Restores that carry the drill label — once past their expiry annotation, or older than
//! `--older-than`. Nothing without the label is ever touched.

use serde::Serialize;
use serde_json::Value;
use shipshape::output::{Report, Table};

use crate::labels::{DRILL_LABEL, EXPIRES_ANNOTATION};

/// A drill's leftover: a sandbox namespace or a Restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leftover {
    /// `Namespace` or `Restore`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    /// The drill (its label's value).
    pub drill: String,
    /// Seconds since creation.
    pub age_seconds: i64,
    /// Why it is due.
    pub reason: String,
}

/// What `cleanup` deleted (or, with `--dry-run`, would delete).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CleanupReport {
    pub dry_run: bool,
    pub deleted: Vec<Leftover>,
}

impl Report for CleanupReport {
    const KIND: &'static str = "DrillCleanup";

    fn human(&self, _wide: bool) -> String {
        if self.deleted.is_empty() {
            return "No drill leftovers are due for cleanup.\n".into();
        }
        let mut table = Table::new(["KIND", "NAMESPACE", "NAME", "DRILL", "AGE", "REASON"]);
        for l in &self.deleted {
            table.row(vec![
                l.kind.clone(),
                l.namespace.clone().unwrap_or_else(|| "-".into()),
                l.name.clone(),
                l.drill.clone(),
                shipshape::duration::human(std::time::Duration::from_secs(
                    l.age_seconds.max(0) as u64
                )),
                l.reason.clone(),
            ]);
        }
        format!(
            "{}{} {} object(s).\n",
            table.render(),
            if self.dry_run {
                "Would delete"
            } else {
                "Deleted"
            },
            self.deleted.len()
        )
    }
}

fn seconds(text: &Value) -> Option<i64> {
    text.as_str()?
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_second())
}

/// The labelled objects due for deletion at `now`: past their expiry, or (with `older_than`)
/// created at least that many seconds ago. Objects without the drill label are never due.
pub fn due(objects: &[(&str, &Value)], older_than: Option<i64>, now: i64) -> Vec<Leftover> {
    objects
        .iter()
        .filter_map(|(kind, o)| {
            let meta = &o["metadata"];
            let drill = meta["labels"][DRILL_LABEL].as_str()?;
            if !meta["deletionTimestamp"].is_null() {
                return None;
            }
            let created = seconds(&meta["creationTimestamp"]).unwrap_or(now);
            let age = now - created;
            let reason = match older_than {
                Some(limit) => (age >= limit).then(|| {
                    format!(
                        "older than {}",
                        shipshape::duration::human(std::time::Duration::from_secs(
                            limit.max(0) as u64
                        ))
                    )
                }),
                None => {
                    let expires = seconds(&meta["annotations"][EXPIRES_ANNOTATION]);
                    // Without an expiry annotation, a day after creation.
                    let expires = expires.unwrap_or(created + 24 * 3600);
                    (expires <= now).then(|| "expired".to_owned())
                }
            }?;
            Some(Leftover {
                kind: (*kind).to_owned(),
                namespace: meta["namespace"].as_str().map(str::to_owned),
                name: meta["name"].as_str().unwrap_or_default().to_owned(),
                drill: drill.to_owned(),
                age_seconds: age,
                reason,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(name: &str, labelled: bool, created: &str, expires: Option<&str>) -> Value {
        let mut o = json!({"metadata": {"name": name, "creationTimestamp": created}});
        if labelled {
            o["metadata"]["labels"] = json!({ DRILL_LABEL: "drtest-1" });
        }
        if let Some(e) = expires {
            o["metadata"]["annotations"] = json!({ EXPIRES_ANNOTATION: e });
        }
        o
    }

    #[test]
    fn only_labelled_objects_past_expiry_or_age_are_due() {
        let now: i64 = "2026-11-22T12:00:00Z"
            .parse::<jiff::Timestamp>()
            .expect("time")
            .as_second();
        let expired = object(
            "a-drtest-1",
            true,
            "2026-11-20T12:00:00Z",
            Some("2026-11-21T12:00:00Z"),
        );
        let fresh = object(
            "b-drtest-2",
            true,
            "2026-11-22T11:00:00Z",
            Some("2026-11-23T11:00:00Z"),
        );
        let unlabelled = object(
            "production",
            false,
            "2020-01-01T00:00:00Z",
            Some("2020-01-02T00:00:00Z"),
        );
        let no_expiry_old = object("c-drtest-3", true, "2026-11-20T00:00:00Z", None);
        let objects = [
            ("Namespace", &expired),
            ("Namespace", &fresh),
            ("Namespace", &unlabelled),
            ("Namespace", &no_expiry_old),
        ];
        let names = |l: Vec<Leftover>| l.into_iter().map(|l| l.name).collect::<Vec<_>>();
        assert_eq!(
            names(due(&objects, None, now)),
            ["a-drtest-1", "c-drtest-3"]
        );
        // --older-than 30m: the fresh one (an hour old) too, never the unlabelled one.
        assert_eq!(
            names(due(&objects, Some(1800), now)),
            ["a-drtest-1", "b-drtest-2", "c-drtest-3"]
        );
        assert_eq!(
            names(due(&objects, Some(7 * 24 * 3600), now)),
            Vec::<String>::new()
        );
        let mut terminating = expired.clone();
        terminating["metadata"]["deletionTimestamp"] = json!("2026-11-22T11:59:00Z");
        assert!(due(&[("Namespace", &terminating)], None, now).is_empty());
    }
}
