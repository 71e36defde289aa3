//! `kubectl harden pss`: per namespace, the strictest Pod Security level every workload meets,
//! and what enforcing a level would reject. Pure: objects in, report out.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use shipshape::manifests::Manifest;
use shipshape::output::{Report, Table, Tone};
use shipshape::workload;

use crate::pss::{self, Level, Version};

/// The report (`kind: PssReport`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PssReport {
    /// The level the violations are counted against.
    pub level: Level,
    /// The policy version.
    pub version: String,
    pub namespaces: Vec<NamespaceLevel>,
}

/// One namespace.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceLevel {
    pub name: String,
    /// Its current `pod-security.kubernetes.io/*` labels, without the prefix.
    pub labels: BTreeMap<String, String>,
    /// `restricted`, `baseline` or `privileged`: the strictest level all its workloads meet.
    pub strictest: String,
    /// Workloads (and standalone pods) evaluated.
    pub workloads: usize,
    /// Those enforcing the chosen level would reject.
    pub violations: Vec<Rejected>,
}

/// A workload the chosen level rejects.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejected {
    pub kind: String,
    pub name: String,
    /// The PodSecurity messages, one per failed control.
    pub messages: Vec<String>,
}

impl PssReport {
    /// Whether any namespace has violations at the chosen level.
    pub fn has_violations(&self) -> bool {
        self.namespaces.iter().any(|n| !n.violations.is_empty())
    }
}

/// Assesses every namespace in `manifests` (Namespace objects, workloads and pods).
pub fn assess(manifests: &[Manifest], level: Level, version: Version) -> PssReport {
    let mut namespaces: BTreeMap<String, NamespaceLevel> = BTreeMap::new();
    let entry = |namespaces: &mut BTreeMap<String, NamespaceLevel>, name: &str| {
        namespaces
            .entry(name.to_owned())
            .or_insert_with(|| NamespaceLevel {
                name: name.to_owned(),
                labels: BTreeMap::new(),
                strictest: "restricted".into(),
                workloads: 0,
                violations: Vec::new(),
            })
            .name
            .clone()
    };
    for manifest in manifests {
        if manifest.kind() == "Namespace" {
            let name = entry(&mut namespaces, manifest.name());
            let labels = &manifest.object["metadata"]["labels"];
            if let Some(map) = labels.as_object() {
                for (key, value) in map {
                    if let (Some(short), Some(value)) = (
                        key.strip_prefix("pod-security.kubernetes.io/"),
                        value.as_str(),
                    ) {
                        namespaces
                            .get_mut(&name)
                            .map(|n| n.labels.insert(short.to_owned(), value.to_owned()));
                    }
                }
            }
        }
    }
    for manifest in manifests {
        let Some(spec) = workload::pod_spec(&manifest.object) else {
            continue;
        };
        let name = entry(&mut namespaces, manifest.namespace().unwrap_or("default"));
        let annotations = workload::pod_metadata(&manifest.object)
            .map_or(Value::Null, |m| m["annotations"].clone());
        let restricted = pss::evaluate(spec, &annotations, Level::Restricted, version);
        let baseline = pss::evaluate(spec, &annotations, Level::Baseline, version);
        let namespace = namespaces.get_mut(&name).expect("entry made above");
        namespace.workloads += 1;
        let strictest = if restricted.is_empty() {
            "restricted"
        } else if baseline.is_empty() {
            "baseline"
        } else {
            "privileged"
        };
        let rank = |level: &str| {
            ["privileged", "baseline", "restricted"]
                .iter()
                .position(|l| *l == level)
        };
        if rank(strictest) < rank(&namespace.strictest) {
            namespace.strictest = strictest.into();
        }
        let failing = match level {
            Level::Restricted => restricted,
            Level::Baseline => baseline,
        };
        if !failing.is_empty() {
            namespace.violations.push(Rejected {
                kind: manifest.kind().to_owned(),
                name: manifest.name().to_owned(),
                messages: failing.into_iter().map(|v| v.message).collect(),
            });
        }
    }
    PssReport {
        level,
        version: version.to_string(),
        namespaces: namespaces.into_values().collect(),
    }
}

impl Report for PssReport {
    const KIND: &'static str = "PssReport";

    fn human(&self, wide: bool) -> String {
        let mut table = Table::new([
            "NAMESPACE",
            "ENFORCE",
            "STRICTEST PASSING",
            "WORKLOADS",
            &format!("REJECTED AT {}", self.level.to_string().to_uppercase()),
        ]);
        for ns in &self.namespaces {
            let enforce = match (ns.labels.get("enforce"), ns.labels.get("enforce-version")) {
                (Some(level), Some(version)) => format!("{level}:{version}"),
                (Some(level), None) => format!("{level}:latest"),
                (None, _) => "-".into(),
            };
            let tone = if ns.violations.is_empty() {
                Tone::Good
            } else {
                Tone::Bad
            };
            table.toned_row(vec![
                (ns.name.clone(), Tone::Plain),
                (enforce, Tone::Plain),
                (ns.strictest.clone(), Tone::Plain),
                (ns.workloads.to_string(), Tone::Plain),
                (ns.violations.len().to_string(), tone),
            ]);
        }
        let mut text = table.render();
        for ns in self.namespaces.iter().filter(|n| !n.violations.is_empty()) {
            text.push_str(&format!("\n{} would reject:\n", ns.name));
            for rejected in &ns.violations {
                let messages = if wide {
                    rejected.messages.join("; ")
                } else {
                    rejected.messages.first().cloned().unwrap_or_default()
                        + &if rejected.messages.len() > 1 {
                            format!(" (+{} more)", rejected.messages.len() - 1)
                        } else {
                            String::new()
                        }
                };
                text.push_str(&format!(
                    "  {}/{}: {messages}\n",
                    rejected.kind, rejected.name
                ));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape::manifests::{Input, load};

    #[test]
    fn the_samples_strictest_levels() {
        let dir = |variant: &str| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/hastecrm")
                .join(variant)
        };
        let insecure = load(&[Input::Path(dir("insecure"))]).into_result().unwrap();
        let report = assess(&insecure, Level::Restricted, Version::LATEST);
        let production = report
            .namespaces
            .iter()
            .find(|n| n.name == "hastecrm-production")
            .unwrap();
        assert_eq!(production.strictest, "baseline");
        assert!(production.violations.iter().any(|v| v.name == "api"));
        assert!(report.has_violations());
        assert!(!assess(&insecure, Level::Baseline, Version::LATEST).has_violations());

        let hardened = load(&[Input::Path(dir("hardened"))]).into_result().unwrap();
        let report = assess(&hardened, Level::Restricted, Version::LATEST);
        assert!(!report.has_violations(), "{report:?}");
        let production = report
            .namespaces
            .iter()
            .find(|n| n.name == "hastecrm-production")
            .unwrap();
        assert_eq!(
            production.labels.get("enforce").map(String::as_str),
            Some("restricted")
        );
    }
}
