//! JUnit XML, the report format CI systems (GitLab, Jenkins, GitHub test reporters) read:
//! `<testsuites>` of `<testsuite>`s of `<testcase>`s that pass, fail or are skipped.

/// How a test case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// `<failure message="…">text</failure>`.
    Failed {
        message: String,
        text: String,
    },
    /// `<skipped message="…"/>`.
    Skipped {
        message: String,
    },
}

/// One test case.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Groups cases in CI views (an object, a phase).
    pub classname: String,
    pub name: String,
    /// Seconds, when measured.
    pub time: Option<f64>,
    pub outcome: Outcome,
    /// Captured output, as `<system-out>`.
    pub output: Option<String>,
}

/// One suite.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Suite {
    pub name: String,
    pub cases: Vec<Case>,
}

/// Escapes text for XML attributes and content (and drops characters XML 1.0 forbids).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A suite's totals, for the attributes its element opens with.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub tests: usize,
    pub failures: usize,
    pub skipped: usize,
    /// Seconds, summed over the cases that were timed.
    pub time: f64,
}

impl Tally {
    /// The totals of `cases`.
    pub fn of<'c>(cases: impl IntoIterator<Item = &'c Case>) -> Self {
        let mut tally = Tally::default();
        for case in cases {
            tally.add(case);
        }
        tally
    }

    /// Counts one more case.
    pub fn add(&mut self, case: &Case) {
        self.tests += 1;
        match case.outcome {
            Outcome::Passed => {}
            Outcome::Failed { .. } => self.failures += 1,
            Outcome::Skipped { .. } => self.skipped += 1,
        }
        self.time += case.time.unwrap_or(0.0);
    }
}

/// Renders suites as a JUnit XML document named `name`.
pub fn render(name: &str, suites: &[Suite]) -> String {
    let mut xml = Vec::new();
    let tallies: Vec<Tally> = suites.iter().map(|s| Tally::of(&s.cases)).collect();
    let result = (|| {
        open(&mut xml, name, &tallies)?;
        for (suite, tally) in suites.iter().zip(&tallies) {
            open_suite(&mut xml, &suite.name, tally)?;
            for case in &suite.cases {
                write_case(&mut xml, case)?;
            }
            close_suite(&mut xml)?;
        }
        close(&mut xml)
    })();
    // Writing into memory cannot fail, and everything written is UTF-8.
    debug_assert!(result.is_ok());
    String::from_utf8(xml).unwrap_or_default()
}

/// Writes a document of one suite whose `tally` was counted beforehand; `cases` writes its
/// cases (from a spool, say: a report of any size is never held as a whole).
pub fn write_one_suite(
    out: &mut dyn std::io::Write,
    name: &str,
    suite: &str,
    tally: &Tally,
    cases: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    open(out, name, std::slice::from_ref(tally))?;
    open_suite(out, suite, tally)?;
    cases(out)?;
    close_suite(out)?;
    close(out)
}

fn open(out: &mut dyn std::io::Write, name: &str, tallies: &[Tally]) -> std::io::Result<()> {
    let total: usize = tallies.iter().map(|t| t.tests).sum();
    let failures: usize = tallies.iter().map(|t| t.failures).sum();
    let time: f64 = tallies.iter().map(|t| t.time).sum();
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\" time=\"{time:.3}\">",
        escape(name)
    )
}

fn open_suite(out: &mut dyn std::io::Write, name: &str, tally: &Tally) -> std::io::Result<()> {
    writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\">",
        escape(name),
        tally.tests,
        tally.failures,
        tally.skipped,
        tally.time
    )
}

/// Writes one `<testcase>` element.
pub fn write_case(out: &mut dyn std::io::Write, case: &Case) -> std::io::Result<()> {
    write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
        escape(&case.classname),
        escape(&case.name),
        case.time.unwrap_or(0.0)
    )?;
    if case.outcome == Outcome::Passed && case.output.is_none() {
        return writeln!(out, "/>");
    }
    writeln!(out, ">")?;
    match &case.outcome {
        Outcome::Passed => {}
        Outcome::Failed { message, text } => writeln!(
            out,
            "      <failure message=\"{}\">{}</failure>",
            escape(message),
            escape(text)
        )?,
        Outcome::Skipped { message } => {
            writeln!(out, "      <skipped message=\"{}\"/>", escape(message))?;
        }
    }
    if let Some(output) = &case.output {
        writeln!(out, "      <system-out>{}</system-out>", escape(output))?;
    }
    writeln!(out, "    </testcase>")
}

fn close_suite(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(out, "  </testsuite>")
}

fn close(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_escapes_and_nests() {
        let suite = Suite {
            name: "audit".into(),
            cases: vec![
                Case {
                    classname: "Deployment/a".into(),
                    name: "ok".into(),
                    time: None,
                    outcome: Outcome::Passed,
                    output: None,
                },
                Case {
                    classname: "Deployment/a".into(),
                    name: "bad".into(),
                    time: Some(1.5),
                    outcome: Outcome::Failed {
                        message: "x < \"y\"".into(),
                        text: "a & b\u{1}".into(),
                    },
                    output: None,
                },
                Case {
                    classname: "Deployment/a".into(),
                    name: "skip".into(),
                    time: None,
                    outcome: Outcome::Skipped {
                        message: "ignored".into(),
                    },
                    output: Some("log".into()),
                },
            ],
        };
        insta::assert_snapshot!(render("kubectl harden", &[suite]), @r#"
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="kubectl harden" tests="3" failures="1" errors="0" time="1.500">
          <testsuite name="audit" tests="3" failures="1" errors="0" skipped="1" time="1.500">
            <testcase classname="Deployment/a" name="ok" time="0.000"/>
            <testcase classname="Deployment/a" name="bad" time="1.500">
              <failure message="x &lt; &quot;y&quot;">a &amp; b</failure>
            </testcase>
            <testcase classname="Deployment/a" name="skip" time="0.000">
              <skipped message="ignored"/>
              <system-out>log</system-out>
            </testcase>
          </testsuite>
        </testsuites>
        "#);
    }
}
