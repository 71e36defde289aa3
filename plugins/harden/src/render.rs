//! The audit report and the catalogue for people (tables) and scripts (JSON/YAML).

use shipshape::output::{Report, Table, Tone};

use crate::audit::AuditReport;
use crate::checks::{CATALOGUE, Check, Severity};

fn tone(severity: Severity) -> Tone {
    match severity {
        Severity::Error => Tone::Bad,
        Severity::Warning => Tone::Warn,
        Severity::Info => Tone::Muted,
    }
}

impl Report for AuditReport {
    const KIND: &'static str = "AuditReport";

    fn human(&self, wide: bool) -> String {
        let mut text = String::new();
        type Group<'a> = ((&'a crate::audit::ObjectRef, Option<&'a str>), Table);
        let mut current: Option<Group<'_>> = None;
        let several = self.findings.iter().any(|f| f.cluster.is_some());
        let flush = |text: &mut String, current: Option<Group<'_>>| {
            if let Some(((object, _), table)) = current {
                let ns = object
                    .namespace
                    .as_ref()
                    .map(|n| format!("{n}/"))
                    .unwrap_or_default();
                text.push_str(&format!("{} {ns}{}\n", object.kind, object.name));
                for line in table.render().lines() {
                    text.push_str("  ");
                    text.push_str(line);
                    text.push('\n');
                }
                text.push('\n');
            }
        };
        for finding in self.findings.iter().filter(|f| !f.ignored) {
            let key = (&finding.object, finding.cluster.as_deref());
            if current.as_ref().is_none_or(|(k, _)| *k != key) {
                flush(&mut text, current.take());
                let mut headers = vec!["severity", "check", "message"];
                if several {
                    headers.insert(0, "cluster");
                }
                if wide {
                    headers.push("fix");
                    headers.push("source");
                }
                current = Some((key, Table::new(headers)));
            }
            if let Some((_, table)) = current.as_mut() {
                let mut row = vec![
                    (
                        format!("{:?}", finding.severity).to_uppercase(),
                        tone(finding.severity),
                    ),
                    (finding.check.to_owned(), Tone::Plain),
                    (finding.message.clone(), Tone::Plain),
                ];
                if several {
                    row.insert(
                        0,
                        (finding.cluster.clone().unwrap_or_default(), Tone::Plain),
                    );
                }
                if wide {
                    let fix = crate::checks::find(finding.check).map_or("", |c| c.fix);
                    row.push((fix.to_owned(), Tone::Plain));
                    let source = finding
                        .source
                        .as_ref()
                        .map(|s| format!("{}:{}", s.file, s.line))
                        .unwrap_or_default();
                    row.push((source, Tone::Muted));
                }
                table.toned_row(row);
            }
        }
        flush(&mut text, current);
        let s = &self.summary;
        text.push_str(&format!(
            "{} objects audited: {} errors, {} warnings, {} info",
            s.objects, s.errors, s.warnings, s.infos
        ));
        if s.ignored > 0 {
            text.push_str(&format!(" ({} ignored by annotation)", s.ignored));
        }
        text.push('\n');
        text
    }
}

/// The `Checks` report: the catalogue.
#[derive(Debug, serde::Serialize)]
pub struct Catalogue {
    /// Every check.
    pub checks: Vec<CatalogueEntry>,
}

/// A check and whether `harden fix` fixes it.
#[derive(Debug, serde::Serialize)]
pub struct CatalogueEntry {
    #[serde(flatten)]
    pub check: &'static Check,
    /// `harden fix` fixes it (`pdb-missing` and `network-policy-missing` with --add-missing).
    pub fixable: bool,
    /// Documentation to read.
    pub references: &'static [&'static str],
}

impl Catalogue {
    /// The whole catalogue.
    pub fn new() -> Self {
        Self {
            checks: CATALOGUE
                .iter()
                .map(|check| CatalogueEntry {
                    check,
                    fixable: crate::fix::fixable(check.id),
                    references: crate::checks::references(check.id),
                })
                .collect(),
        }
    }
}

impl Default for Catalogue {
    fn default() -> Self {
        Self::new()
    }
}

impl Report for Catalogue {
    const KIND: &'static str = "CheckCatalogue";

    fn human(&self, wide: bool) -> String {
        let mut headers = vec!["id", "standard", "severity", "fixable", "title"];
        if wide {
            headers.push("fix");
        }
        let mut table = Table::new(headers);
        for CatalogueEntry { check, fixable, .. } in &self.checks {
            let standard = serde_json::to_value(check.standard)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let mut row = vec![
                check.id.to_owned(),
                standard,
                format!("{:?}", check.severity).to_lowercase(),
                match (*fixable, check.id) {
                    (false, _) => "",
                    (true, "pdb-missing" | "network-policy-missing") => "add-missing",
                    (true, _) => "yes",
                }
                .to_owned(),
                check.title.to_owned(),
            ];
            if wide {
                row.push(check.fix.to_owned());
            }
            table.row(row);
        }
        table.render()
    }
}
