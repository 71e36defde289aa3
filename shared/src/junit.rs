//! JUnit XML, the report format CI systems (GitLab, Jenkins, GitHub test reporters) read:
//! `<testsuites>` of `<testsuite>`s of `<testcase>`s that pass, fail or are skipped.

use std::fmt::Write;

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

/// Renders suites as a JUnit XML document named `name`.
pub fn render(name: &str, suites: &[Suite]) -> String {
    let count = |suite: &Suite, f: fn(&Outcome) -> bool| {
        suite.cases.iter().filter(|c| f(&c.outcome)).count()
    };
    let failed = |o: &Outcome| matches!(o, Outcome::Failed { .. });
    let skipped = |o: &Outcome| matches!(o, Outcome::Skipped { .. });
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().map(|s| count(s, failed)).sum();
    let time: f64 = suites
        .iter()
        .flat_map(|s| &s.cases)
        .filter_map(|c| c.time)
        .fold(0.0, |a, b| a + b);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"{}\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\" time=\"{time:.3}\">",
        escape(name)
    );
    for suite in suites {
        let suite_time: f64 = suite
            .cases
            .iter()
            .filter_map(|c| c.time)
            .fold(0.0, |a, b| a + b);
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{suite_time:.3}\">",
            escape(&suite.name),
            suite.cases.len(),
            count(suite, failed),
            count(suite, skipped)
        );
        for case in &suite.cases {
            let _ = write!(
                xml,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                escape(&case.classname),
                escape(&case.name),
                case.time.unwrap_or(0.0)
            );
            if case.outcome == Outcome::Passed && case.output.is_none() {
                xml.push_str("/>\n");
                continue;
            }
            xml.push_str(">\n");
            match &case.outcome {
                Outcome::Passed => {}
                Outcome::Failed { message, text } => {
                    let _ = writeln!(
                        xml,
                        "      <failure message=\"{}\">{}</failure>",
                        escape(message),
                        escape(text)
                    );
                }
                Outcome::Skipped { message } => {
                    let _ = writeln!(xml, "      <skipped message=\"{}\"/>", escape(message));
                }
            }
            if let Some(output) = &case.output {
                let _ = writeln!(xml, "      <system-out>{}</system-out>", escape(output));
            }
            xml.push_str("    </testcase>\n");
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
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
