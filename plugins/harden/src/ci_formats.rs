//! The audit for CI systems: SARIF 2.1.0 (code scanning: rules, results with file and line
//! regions, suppressions for ignored findings) and JUnit (a test case per object × check).

use serde_json::{Value, json};
use shipshape::junit::{self, Case, Outcome, Suite};

use crate::audit::{AuditReport, AuditedObject, ObjectRef};
use crate::checks::{CATALOGUE, Severity, Standard};
use crate::pss::Level;

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn object_name(object: &ObjectRef) -> String {
    match &object.namespace {
        Some(ns) => format!("{}/{ns}/{}", object.kind, object.name),
        None => format!("{}/{}", object.kind, object.name),
    }
}

/// The SARIF 2.1.0 log of an audit.
pub fn sarif(report: &AuditReport) -> Value {
    let rules: Vec<Value> = CATALOGUE
        .iter()
        .map(|check| {
            json!({
                "id": check.id,
                "name": check.title,
                "shortDescription": {"text": check.title},
                "fullDescription": {"text": check.why},
                "help": {"text": check.fix},
                "helpUri": crate::checks::references(check.id).first(),
                "defaultConfiguration": {"level": sarif_level(check.severity)},
                "properties": {"tags": [serde_json::to_value(check.standard).unwrap_or(Value::Null)]},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            let mut location = json!({
                "logicalLocations": [{
                    "fullyQualifiedName": object_name(&finding.object),
                    "kind": "resource",
                }],
            });
            if let Some(source) = &finding.source {
                location["physicalLocation"] = json!({
                    "artifactLocation": {"uri": source.file.replace('\\', "/")},
                    "region": {"startLine": source.line.max(1)},
                });
            }
            let container = finding
                .container
                .as_deref()
                .map(|c| format!(" (container {c})"))
                .unwrap_or_default();
            let mut result = json!({
                "ruleId": finding.check,
                "ruleIndex": CATALOGUE.iter().position(|c| c.id == finding.check),
                "level": sarif_level(finding.severity),
                "message": {"text": format!("{}{container}: {}", object_name(&finding.object), finding.message)},
                "locations": [location],
            });
            if finding.ignored {
                result["suppressions"] = json!([{
                    "kind": "inSource",
                    "justification": finding.reason.clone().unwrap_or_default(),
                }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kubectl-harden",
                "version": crate::PLUGIN.version,
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// The checks that apply to an object at a level: workload checks for objects with pods,
/// namespace checks for Namespaces.
fn applicable(object: &AuditedObject, workload: bool, level: Level) -> Vec<&'static str> {
    let namespace_checks = ["namespace-pss-labels", "network-policy-missing"];
    CATALOGUE
        .iter()
        .filter(|c| level == Level::Restricted || c.standard != Standard::PssRestricted)
        .filter(|c| {
            if object.object.kind == "Namespace" {
                namespace_checks.contains(&c.id)
            } else {
                workload && !namespace_checks.contains(&c.id)
            }
        })
        .map(|c| c.id)
        .collect()
}

/// JUnit: one suite, a test case per audited object and applicable check; a finding fails it,
/// an ignored finding skips it.
pub fn junit(report: &AuditReport, workloads: &[bool], level: Level) -> String {
    let mut cases = Vec::new();
    for (index, object) in report.objects.iter().enumerate() {
        let mut checks = applicable(
            object,
            workloads.get(index).copied().unwrap_or(false),
            level,
        );
        for finding in report.findings.iter().filter(|f| f.index == Some(index)) {
            if !checks.contains(&finding.check) {
                checks.push(finding.check);
            }
        }
        for check in checks {
            let findings: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.index == Some(index) && f.check == check)
                .collect();
            let failing: Vec<_> = findings.iter().filter(|f| !f.ignored).collect();
            let outcome = if let Some(first) = failing.first() {
                Outcome::Failed {
                    message: first.message.clone(),
                    text: failing
                        .iter()
                        .map(|f| {
                            let at = f
                                .source
                                .as_ref()
                                .map(|s| format!("{}:{}: ", s.file, s.line))
                                .unwrap_or_default();
                            format!("{at}{}", f.message)
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                }
            } else if let Some(ignored) = findings.first() {
                Outcome::Skipped {
                    message: format!("ignored: {}", ignored.reason.clone().unwrap_or_default()),
                }
            } else {
                Outcome::Passed
            };
            cases.push(Case {
                classname: object_name(&object.object),
                name: check.to_owned(),
                time: None,
                outcome,
                output: None,
            });
        }
    }
    // Findings about namespaces the input does not hold (no object of their own).
    for finding in report.findings.iter().filter(|f| f.index.is_none()) {
        cases.push(Case {
            classname: object_name(&finding.object),
            name: finding.check.to_owned(),
            time: None,
            outcome: if finding.ignored {
                Outcome::Skipped {
                    message: "ignored".into(),
                }
            } else {
                Outcome::Failed {
                    message: finding.message.clone(),
                    text: finding.message.clone(),
                }
            },
            output: None,
        });
    }
    junit::render(
        "kubectl harden audit",
        &[Suite {
            name: "kubectl harden audit".into(),
            cases,
        }],
    )
}
