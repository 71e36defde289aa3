//! The audit report and the catalogue for people (tables) and scripts (JSON/YAML).

use std::io::Write;

use crate::checks::ids;
use shipshape::output::{Report, Table, Tone};

use crate::audit::{Finding, Summary};
use crate::checks::{CATALOGUE, Check, Severity};

fn tone(severity: Severity) -> Tone {
    match severity {
        Severity::Error => Tone::Bad,
        Severity::Warning => Tone::Warn,
        Severity::Info => Tone::Muted,
    }
}

/// The table of one object's findings (none when all are ignored), under a line naming it;
/// `several` clusters add a cluster column, `wide` the fix and the source.
pub fn write_group(
    group: &[Finding],
    several: bool,
    wide: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let visible = || group.iter().filter(|f| !f.ignored);
    if visible().next().is_none() {
        return Ok(());
    }
    let mut headers = vec!["severity", "check", "message"];
    if several {
        headers.insert(0, "cluster");
    }
    if wide {
        headers.push("fix");
        headers.push("source");
    }
    let mut table = Table::new(headers);
    for finding in visible() {
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
    let object = &group[0].object;
    let ns = object
        .namespace
        .as_ref()
        .map(|n| format!("{n}/"))
        .unwrap_or_default();
    writeln!(out, "{} {ns}{}", object.kind, object.name)?;
    for line in table.render().lines() {
        writeln!(out, "  {line}")?;
    }
    writeln!(out)
}

/// The line that ends the table view: the counts.
pub fn write_summary(s: &Summary, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write!(
        out,
        "{} objects audited: {} errors, {} warnings, {} info",
        s.objects, s.errors, s.warnings, s.infos
    )?;
    if s.ignored > 0 {
        write!(out, " ({} ignored by annotation)", s.ignored)?;
    }
    writeln!(out)
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
                    (true, ids::PDB_MISSING | ids::NETWORK_POLICY_MISSING) => "add-missing",
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

/// What a fix did, counted as it goes: findings fixed and the objects they were in, and the
/// findings left for a person, whose lines are spooled to a temporary file (a fix of any size
/// reports them all without holding them).
pub struct Tally {
    fixed: usize,
    objects: std::collections::HashSet<Option<usize>>,
    manual: shipshape::spool::Spool,
    /// Whether a finding left is one `--add-missing` would fix.
    missing: bool,
}

impl Tally {
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            fixed: 0,
            objects: Default::default(),
            manual: shipshape::spool::Spool::new()?,
            missing: false,
        })
    }

    /// A finding fixed.
    pub fn fixed(&mut self, finding: &Finding) {
        self.fixed += 1;
        self.objects.insert(finding.index);
    }

    /// A finding left for a person.
    pub fn manual(&mut self, finding: &Finding) -> std::io::Result<()> {
        self.missing |= matches!(
            finding.check,
            ids::PDB_MISSING | ids::NETWORK_POLICY_MISSING
        );
        let container = finding
            .container
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        let at = finding
            .source
            .as_ref()
            .map(|s| format!(" ({}:{})", s.file, s.line))
            .unwrap_or_default();
        self.manual.push_line(&format!(
            "  {} {}/{}{container}{at}: {}",
            finding.check, finding.object.kind, finding.object.name, finding.message
        ))
    }

    /// Findings fixed, objects they were in, findings left.
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.fixed, self.objects.len(), self.manual.len())
    }

    /// Everything of `other` added to this one.
    pub fn extend(&mut self, other: Tally) -> std::io::Result<()> {
        self.fixed += other.fixed;
        self.objects.extend(other.objects);
        self.missing |= other.missing;
        self.manual.append(other.manual)
    }

    /// Writes the summary and the findings left, on stderr: `verb` (fixed, would fix) and
    /// `what` (` across 3 file(s)`) say what was done.
    pub fn report(self, verb: &str, what: &str) -> std::io::Result<()> {
        let left = self.manual.len();
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "{verb} {} finding(s) in {} object(s){what}; {left} need a person{}",
            self.fixed,
            self.objects.len(),
            if left == 0 { "" } else { ":" }
        )?;
        shipshape::spool::copy(self.manual, &mut err)?;
        if self.missing {
            writeln!(
                err,
                "  (--add-missing writes the missing PodDisruptionBudgets and NetworkPolicies)"
            )?;
        }
        Ok(())
    }
}

/// A plan's summary and findings left for a person, on stderr.
pub fn report_plan(plan: &crate::fix::Plan, verb: &str, what: &str) -> std::io::Result<()> {
    let mut tally = Tally::new()?;
    for finding in &plan.fixed {
        tally.fixed(finding);
    }
    for finding in &plan.manual {
        tally.manual(finding)?;
    }
    tally.report(verb, what)
}
