//! The drill report (`kind: DrillReport`): its phases, the recovery times, and its table and
//! JUnit views.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use shipshape::output::{Report, Table, Tone};

/// How a phase, a check or the drill ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    /// A drill is failed until every phase has passed.
    #[default]
    Failed,
    Skipped,
}

impl Outcome {
    /// `passed`, `failed` or `skipped`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One phase of the drill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    pub name: String,
    pub result: Outcome,
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
    /// Passed or failed.
    pub result: Outcome,
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
        self.result == Outcome::Passed
    }

    /// JUnit: a test case per phase, and one per smoke check.
    pub fn junit(&self) -> String {
        let checks = self.smoke.iter().map(|c| Phase {
            name: format!(
                "smoke {}",
                c["check"].as_str().or(c["job"].as_str()).unwrap_or("check")
            ),
            result: if c["passed"] == true {
                Outcome::Passed
            } else {
                Outcome::Failed
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
                outcome: match p.result {
                    Outcome::Passed => shipshape::junit::Outcome::Passed,
                    Outcome::Skipped => shipshape::junit::Outcome::Skipped { message: p.message },
                    Outcome::Failed => shipshape::junit::Outcome::Failed {
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
            let tone = match p.result {
                Outcome::Passed => Tone::Good,
                Outcome::Failed => Tone::Bad,
                Outcome::Skipped => Tone::Muted,
            };
            table.toned_row(vec![
                (p.name.clone(), Tone::Plain),
                (p.result.to_string(), tone),
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
