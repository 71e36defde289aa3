//! Drill history: every drill's report is kept in a ConfigMap (`drtest-<id>`, labelled
//! [`REPORT_LABEL`]) in a namespace of the user's choice; `kubectl drtest history` shows the
//! trend of result, RTO and RPO.

use serde::Serialize;
use serde_json::{Value, json};
use shipshape::output::{Report, Table, Tone};

use crate::report::DrillReport;

/// The label on history ConfigMaps.
pub const REPORT_LABEL: &str = "drtest.shipshape.dev/report";

/// The ConfigMap that records a drill.
pub fn config_map(report: &DrillReport, namespace: &str) -> anyhow::Result<Value> {
    Ok(json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": report.id,
            "namespace": namespace,
            "labels": {
                REPORT_LABEL: "true",
                "drtest.shipshape.dev/result": report.result,
                "app.kubernetes.io/managed-by": "shipshape-drtest",
            },
        },
        "data": {"report.json": shipshape::output::render(report, shipshape::OutputFormat::Json)?},
    }))
}

/// One past drill.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub id: String,
    pub started: String,
    pub result: String,
    pub namespaces: Vec<String>,
    pub backup: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpo_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rto_seconds: Option<i64>,
    /// The first failed phase, when the drill failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_phase: Option<String>,
}

/// Past drills, newest first, and their trend.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct History {
    pub runs: Vec<Run>,
    pub passed: usize,
    pub failed: usize,
    /// Median RTO of the passed drills.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_rto_seconds: Option<i64>,
    /// Median RPO of the drills.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_rpo_seconds: Option<i64>,
    /// ConfigMaps that could not be read, by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
}

fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    let n = values.len();
    (n > 0).then(|| {
        if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2
        }
    })
}

/// The history from the recorded ConfigMaps, newest first, only drills of `namespace` if given,
/// at most `limit` of them.
pub fn history(config_maps: &[Value], namespace: Option<&str>, limit: usize) -> History {
    let mut runs = Vec::new();
    let mut unreadable = Vec::new();
    for cm in config_maps {
        let name = cm["metadata"]["name"].as_str().unwrap_or_default();
        let Some(report) = cm["data"]["report.json"]
            .as_str()
            .and_then(|t| serde_json::from_str::<Value>(t).ok())
        else {
            unreadable.push(name.to_owned());
            continue;
        };
        let namespaces: Vec<String> = report["namespaces"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect();
        if namespace.is_some_and(|ns| !namespaces.iter().any(|n| n == ns)) {
            continue;
        }
        runs.push(Run {
            id: report["id"].as_str().unwrap_or(name).to_owned(),
            started: report["started"].as_str().unwrap_or_default().to_owned(),
            result: report["result"].as_str().unwrap_or("unknown").to_owned(),
            namespaces,
            backup: report["backup"]["name"].as_str().unwrap_or("-").to_owned(),
            rpo_seconds: report["rpoSeconds"].as_i64(),
            rto_seconds: report["rtoSeconds"].as_i64(),
            failed_phase: report["phases"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["result"] == "failed")
                .and_then(|p| p["name"].as_str().map(str::to_owned)),
        });
    }
    let when = |r: &Run| r.started.parse::<jiff::Timestamp>().ok();
    runs.sort_by(|a, b| {
        when(b)
            .cmp(&when(a))
            .then_with(|| b.started.cmp(&a.started))
    });
    runs.truncate(limit);
    History {
        passed: runs.iter().filter(|r| r.result == "passed").count(),
        failed: runs.iter().filter(|r| r.result != "passed").count(),
        median_rto_seconds: median(
            runs.iter()
                .filter(|r| r.result == "passed")
                .filter_map(|r| r.rto_seconds)
                .collect(),
        ),
        median_rpo_seconds: median(runs.iter().filter_map(|r| r.rpo_seconds).collect()),
        runs,
        unreadable,
    }
}

fn human_seconds(s: Option<i64>) -> String {
    s.map_or("-".into(), |s| {
        shipshape::duration::human(std::time::Duration::from_secs(s.max(0) as u64))
    })
}

impl Report for History {
    const KIND: &'static str = "DrillHistory";

    fn human(&self, wide: bool) -> String {
        if self.runs.is_empty() {
            return "No drills recorded.\n".into();
        }
        let mut header = vec!["STARTED", "RESULT", "NAMESPACES", "BACKUP", "RPO", "RTO"];
        if wide {
            header.extend(["FAILED PHASE", "ID"]);
        }
        let mut table = Table::new(header);
        table.align_right(4).align_right(5);
        for r in &self.runs {
            let tone = if r.result == "passed" {
                Tone::Good
            } else {
                Tone::Bad
            };
            let mut row = vec![
                (r.started.clone(), Tone::Plain),
                (r.result.clone(), tone),
                (r.namespaces.join(","), Tone::Plain),
                (r.backup.clone(), Tone::Plain),
                (human_seconds(r.rpo_seconds), Tone::Plain),
                (human_seconds(r.rto_seconds), Tone::Plain),
            ];
            if wide {
                row.push((
                    r.failed_phase.clone().unwrap_or_else(|| "-".into()),
                    Tone::Plain,
                ));
                row.push((r.id.clone(), Tone::Plain));
            }
            table.toned_row(row);
        }
        // The trend: the latest passed drill's RTO against the median.
        let latest_rto = self
            .runs
            .iter()
            .find(|r| r.result == "passed")
            .and_then(|r| r.rto_seconds);
        let trend = match (latest_rto, self.median_rto_seconds) {
            (Some(latest), Some(median)) if latest > median => " (latest above the median)",
            (Some(latest), Some(median)) if latest < median => " (latest below the median)",
            _ => "",
        };
        let mut text = format!(
            "{}{} drill(s): {} passed, {} failed; median RTO {}{trend}, median RPO {}\n",
            table.render(),
            self.runs.len(),
            self.passed,
            self.failed,
            human_seconds(self.median_rto_seconds),
            human_seconds(self.median_rpo_seconds),
        );
        for name in &self.unreadable {
            text.push_str(&format!(
                "warning: configmap {name} holds no readable report\n"
            ));
        }
        text
    }
}

/// The recorded drill reports in `namespace`.
pub async fn list(
    kube: &shipshape::Kube,
    namespace: &str,
) -> anyhow::Result<Vec<serde_json::Value>> {
    shipshape::list::list(
        kube,
        &kube::core::ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&()),
        Some(namespace),
        Some(&format!("{}=true", REPORT_LABEL)),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(id: &str, started: &str, result: &str, ns: &str, rto: i64) -> Value {
        let report = json!({"apiVersion": "shipshape.dev/v1alpha1", "kind": "DrillReport", "id": id, "started": started, "result": result, "namespaces": [ns], "backup": {"name": "b"}, "rpoSeconds": 60, "rtoSeconds": rto,
            "phases": [{"name": "preflight", "result": "passed"}, {"name": "restore", "result": if result == "passed" {"passed"} else {"failed"}}]});
        json!({"metadata": {"name": id}, "data": {"report.json": report.to_string()}})
    }

    #[test]
    fn history_is_newest_first_with_medians_and_filters() {
        let cms = [
            recorded("drtest-1", "2026-11-01T00:00:00Z", "passed", "shop", 100),
            recorded("drtest-3", "2026-11-15T00:00:00Z", "passed", "shop", 300),
            recorded("drtest-2", "2026-11-08T00:00:00Z", "failed", "shop", 50),
            recorded("drtest-4", "2026-11-16T00:00:00Z", "passed", "billing", 10),
            json!({"metadata": {"name": "drtest-broken"}, "data": {"report.json": "{"}}),
        ];
        let h = history(&cms, Some("shop"), 10);
        let ids: Vec<&str> = h.runs.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["drtest-3", "drtest-2", "drtest-1"]);
        assert_eq!((h.passed, h.failed), (2, 1));
        assert_eq!(h.median_rto_seconds, Some(200));
        assert_eq!(h.runs[1].failed_phase.as_deref(), Some("restore"));
        assert_eq!(h.unreadable, ["drtest-broken"]);
        let text = h.human(false);
        assert!(
            text.contains(
                "3 drill(s): 2 passed, 1 failed; median RTO 3m20s (latest above the median)"
            ),
            "{text}"
        );
        assert_eq!(history(&cms, None, 2).runs.len(), 2);
    }
}
