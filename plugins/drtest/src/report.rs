//! The drill report (`kind: DrillReport`): its phases, the recovery times, and its table and
//! JUnit views.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use shipshape::output::{Report, Table, Tone};

/// One phase of the drill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    pub name: String,
    /// `passed`, `failed` or `skipped`.
    pub result: String,
    pub seconds: f64,
    pub message: String,
}

/// The drill report (`kind: DrillReport`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DrillReport {
    /// The drill's id: its Restore's name, its sandboxes' suffix, its history ConfigMap's name.
    pub id: String,
    /// When the drill started (RFC 3339).
    pub started: String,
    /// The namespaces recovered.
    pub namespaces: Vec<String>,
    /// `passed` or `failed`.
    pub result: String,
    pub backup: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpo_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rto_seconds: Option<i64>,
    pub phases: Vec<Phase>,
    /// Restored workloads and claims with their readiness.
    pub objects: Vec<Value>,
    /// The smoke Job and the HTTP checks, with their outcomes.
    pub smoke: Vec<Value>,
    /// Velero's restore results (warnings and errors per namespace) through a DownloadRequest,
    /// or why they could not be fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restore_results: Option<Value>,
}

impl DrillReport {
    pub fn passed(&self) -> bool {
        self.result == "passed"
    }

    /// JUnit: a test case per phase, and one per smoke check.
    pub fn junit(&self) -> String {
        let checks = self.smoke.iter().map(|c| Phase {
            name: format!(
                "smoke {}",
                c["check"].as_str().or(c["job"].as_str()).unwrap_or("check")
            ),
            result: if c["passed"] == true {
                "passed".into()
            } else {
                "failed".into()
            },
            seconds: 0.0,
            message: c["detail"].as_str().unwrap_or_default().to_owned(),
        });
        let cases = self
            .phases
            .iter()
            .cloned()
            .chain(checks)
            .map(|p| shipshape::junit::Case {
                classname: "drtest".into(),
                name: p.name,
                time: Some(p.seconds),
                outcome: match p.result.as_str() {
                    "passed" => shipshape::junit::Outcome::Passed,
                    "skipped" => shipshape::junit::Outcome::Skipped { message: p.message },
                    _ => shipshape::junit::Outcome::Failed {
                        message: p.message.clone(),
                        text: p.message,
                    },
                },
                output: None,
            })
            .collect();
        shipshape::junit::render(
            "kubectl drtest run",
            &[shipshape::junit::Suite {
                name: "drill".into(),
                cases,
            }],
        )
    }
}

impl Report for DrillReport {
    const KIND: &'static str = "DrillReport";

    fn human(&self, _wide: bool) -> String {
        let mut table = Table::new(["PHASE", "RESULT", "SECONDS", "MESSAGE"]);
        table.align_right(2);
        for p in &self.phases {
            let tone = match p.result.as_str() {
                "passed" => Tone::Good,
                "failed" => Tone::Bad,
                _ => Tone::Muted,
            };
            table.toned_row(vec![
                (p.name.clone(), Tone::Plain),
                (p.result.clone(), tone),
                (format!("{:.1}", p.seconds), Tone::Plain),
                (p.message.clone(), Tone::Plain),
            ]);
        }
        let seconds = |s: Option<i64>| {
            s.map_or("-".into(), |s| {
                shipshape::duration::human(Duration::from_secs(s.max(0) as u64))
            })
        };
        format!(
            "{}drill {}: backup {}, RPO {}, RTO {}\n",
            table.render(),
            self.result,
            self.backup["name"].as_str().unwrap_or("-"),
            seconds(self.rpo_seconds),
            seconds(self.rto_seconds)
        )
    }
}
