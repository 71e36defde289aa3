//! The audit for CI systems: SARIF 2.1.0 (code scanning: rules, results with file and line
//! regions, suppressions for ignored findings) and JUnit (a test case per object × check).

use crate::checks::ids;
use std::io::Write;

use serde_json::{Value, json};
use shipshape::junit::{Case, Outcome};
use shipshape::spool::Items;

use crate::audit::{AuditedObject, Finding, ObjectRef};
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

/// The SARIF rule of each check, in catalogue order (`ruleIndex` points into it).
fn rules() -> Vec<Value> {
    CATALOGUE
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
        .collect()
}

/// One SARIF result. Every finding has a logical location (the object); findings read from a
/// file have a physical one too (the file and the field's line).
pub(crate) fn result(finding: &Finding) -> Value {
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
}

#[derive(serde::Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(serde::Serialize)]
struct Run {
    tool: Value,
    results: Items,
}

/// Writes the SARIF 2.1.0 log of an audit whose results were spooled, result by result: no
/// document of the whole log is built.
pub(crate) fn write_sarif(results: Items, out: &mut dyn Write) -> std::io::Result<()> {
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: json!({"driver": {
                "name": "kubectl-harden",
                "version": crate::PLUGIN.version,
                "rules": rules(),
            }}),
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// The checks that apply to an object at a level: workload checks for objects with pods,
/// namespace checks for Namespaces.
fn applicable(object: &AuditedObject, workload: bool, level: Level) -> Vec<&'static str> {
    let namespace_checks = [ids::NAMESPACE_PSS_LABELS, ids::NETWORK_POLICY_MISSING];
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

/// The test cases of one object: a case per applicable check (and per check it has findings
/// of); a finding fails it, an ignored finding skips it.
pub(crate) fn object_cases(
    object: &AuditedObject,
    workload: bool,
    findings: &[&Finding],
    level: Level,
) -> Vec<Case> {
    let mut checks = applicable(object, workload, level);
    for finding in findings {
        if !checks.contains(&finding.check) {
            checks.push(finding.check);
        }
    }
    checks
        .into_iter()
        .map(|check| {
            let findings: Vec<&&Finding> = findings.iter().filter(|f| f.check == check).collect();
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
            Case {
                classname: object_name(&object.object),
                name: check.to_owned(),
                time: None,
                outcome,
                output: None,
            }
        })
        .collect()
}

/// A case for a finding about a namespace the input does not hold (no object of its own).
pub(crate) fn orphan_case(finding: &Finding) -> Case {
    Case {
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
    }
}
