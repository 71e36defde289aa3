//! Where an audit goes as it is made: each object's findings are written (or spooled) as soon as
//! the object is audited, in every output format, so no report of the whole input is held.
//! Tables are written object by object; JSON, YAML and SARIF spool their items to a temporary
//! file and serialize them one at a time after the summary they open with; JUnit spools its
//! test cases until the suite's totals are known.

use std::io::Write;

use shipshape::junit::{self, Tally};
use shipshape::output::OutputFormat;
use shipshape::spool::Spool;

use crate::audit::{AuditReport, AuditedObject, Finding, Summary};
use crate::pss::Level;

/// An audit output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `table` (one table per object with findings; `wide` adds the fix and the source), or
    /// the `AuditReport` document in JSON or YAML.
    Report(OutputFormat),
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit: a test case per object and check that applies at `level`.
    Junit { level: Level },
}

enum State {
    Table {
        wide: bool,
        several: bool,
    },
    Document {
        yaml: bool,
        objects: Spool,
        findings: Spool,
    },
    Sarif {
        results: Spool,
    },
    Junit {
        level: Level,
        cases: Spool,
        tally: Tally,
    },
}

/// An audit being written.
pub struct Sink<'o> {
    out: &'o mut dyn Write,
    state: State,
    summary: Summary,
}

impl<'o> Sink<'o> {
    /// A sink writing `format` into `out`; `several` clusters add a cluster column to tables.
    pub fn new(format: Format, several: bool, out: &'o mut dyn Write) -> std::io::Result<Self> {
        let state = match format {
            Format::Report(OutputFormat::Table) => State::Table {
                wide: false,
                several,
            },
            Format::Report(OutputFormat::Wide) => State::Table {
                wide: true,
                several,
            },
            Format::Report(format) => State::Document {
                yaml: format == OutputFormat::Yaml,
                objects: Spool::new()?,
                findings: Spool::new()?,
            },
            Format::Sarif => State::Sarif {
                results: Spool::new()?,
            },
            Format::Junit { level } => State::Junit {
                level,
                cases: Spool::new()?,
                tally: Tally::default(),
            },
        };
        Ok(Self {
            out,
            state,
            summary: Summary::default(),
        })
    }

    /// One audited object and its findings; `workload` says whether it runs pods (JUnit's
    /// workload checks apply to it).
    pub fn object(
        &mut self,
        object: &AuditedObject,
        findings: &[Finding],
        workload: bool,
    ) -> std::io::Result<()> {
        self.summary.objects += 1;
        self.summary.count(findings);
        match &mut self.state {
            State::Table { wide, several } => {
                crate::render::write_group(findings, *several, *wide, self.out)
            }
            State::Document {
                objects,
                findings: spooled,
                ..
            } => {
                objects.push(object)?;
                findings.iter().try_for_each(|f| spooled.push(f))
            }
            State::Sarif { results } => findings
                .iter()
                .try_for_each(|f| results.push(&crate::ci_formats::result(f))),
            State::Junit {
                level,
                cases,
                tally,
            } => {
                let findings: Vec<&Finding> = findings.iter().collect();
                for case in crate::ci_formats::object_cases(object, workload, &findings, *level) {
                    tally.add(&case);
                    junit::write_case(cases.writer(), &case)?;
                }
                Ok(())
            }
        }
    }

    /// Findings about no object of the input (a namespace whose Namespace object it lacks).
    pub fn orphans(&mut self, findings: &[Finding]) -> std::io::Result<()> {
        self.summary.count(findings);
        match &mut self.state {
            State::Table { wide, several } => {
                let same =
                    |a: &Finding, b: &Finding| a.object == b.object && a.cluster == b.cluster;
                for group in findings.chunk_by(same) {
                    crate::render::write_group(group, *several, *wide, self.out)?;
                }
                Ok(())
            }
            State::Document {
                findings: spooled, ..
            } => findings.iter().try_for_each(|f| spooled.push(f)),
            State::Sarif { results } => findings
                .iter()
                .try_for_each(|f| results.push(&crate::ci_formats::result(f))),
            State::Junit { cases, tally, .. } => {
                for finding in findings {
                    let case = crate::ci_formats::orphan_case(finding);
                    tally.add(&case);
                    junit::write_case(cases.writer(), &case)?;
                }
                Ok(())
            }
        }
    }

    /// Writes what waited for the end (the summary, the spooled items) and returns the counts.
    pub fn finish(self) -> std::io::Result<Summary> {
        let Self {
            out,
            state,
            summary,
        } = self;
        match state {
            State::Table { .. } => crate::render::write_summary(&summary, out)?,
            State::Document {
                yaml,
                objects,
                findings,
            } => {
                #[derive(serde::Serialize)]
                struct Body<'s> {
                    summary: &'s Summary,
                    objects: shipshape::spool::Items,
                    findings: shipshape::spool::Items,
                }
                let body = Body {
                    summary: &summary,
                    objects: objects.items()?,
                    findings: findings.items()?,
                };
                let format = if yaml {
                    OutputFormat::Yaml
                } else {
                    OutputFormat::Json
                };
                shipshape::output::write_document("AuditReport", &body, format, out)?;
            }
            State::Sarif { results } => crate::ci_formats::write_sarif(results.items()?, out)?,
            State::Junit { cases, tally, .. } => {
                let name = "kubectl harden audit";
                junit::write_one_suite(out, name, name, &tally, |out| {
                    shipshape::spool::copy(cases, out)
                })?;
            }
        }
        Ok(summary)
    }
}

/// Writes an audit held in memory (a live audit's) in `format`; `workloads[i]` says whether the
/// `i`-th object runs pods. The findings are walked once, in their order (each object's
/// together, as [`crate::audit::audit`] makes them), without copying them.
pub fn write(
    report: &AuditReport,
    workloads: &[bool],
    format: Format,
    out: &mut dyn Write,
) -> std::io::Result<Summary> {
    let several = report.findings.iter().any(|f| f.cluster.is_some())
        || report.objects.iter().any(|o| o.cluster.is_some());
    let mut sink = Sink::new(format, several, out)?;
    let workload = |i: usize| workloads.get(i).copied().unwrap_or(false);
    let mut next = 0;
    for group in report.findings.chunk_by(|a, b| a.index == b.index) {
        match group[0].index {
            Some(index) if (next..report.objects.len()).contains(&index) => {
                for quiet in next..index {
                    sink.object(&report.objects[quiet], &[], workload(quiet))?;
                }
                sink.object(&report.objects[index], group, workload(index))?;
                next = index + 1;
            }
            _ => sink.orphans(group)?,
        }
    }
    for quiet in next..report.objects.len() {
        sink.object(&report.objects[quiet], &[], workload(quiet))?;
    }
    sink.finish()
}
