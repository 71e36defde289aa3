//! `-o table|wide|json|yaml` and the renderers.
//!
//! Tables look like kubectl's: no borders, upper-case headers, columns three spaces apart, fitted
//! to the terminal width on a TTY and never wrapped in a pipe. JSON and YAML reports carry
//! `apiVersion: shipshape.dev/v1alpha1` and a `kind` first, so scripts can depend on them.
//! Results go to stdout; progress and logs go to stderr. Colour only on a TTY, never with
//! `NO_COLOR`.

use std::io::{IsTerminal, Write};

use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table as Comfy, presets};
use serde::Serialize;

/// The API version every JSON/YAML report carries.
pub const API_VERSION: &str = "shipshape.dev/v1alpha1";

/// The output formats every reporting command accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Columns for people (default).
    #[default]
    Table,
    /// The table with extra columns.
    Wide,
    /// A JSON document with `apiVersion` and `kind`.
    Json,
    /// A YAML document with `apiVersion` and `kind`.
    Yaml,
}

/// `-o` of the commands that print Kubernetes objects rather than a report (`quota generate`,
/// `drtest schedule`): YAML documents (the default) or JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ObjectsFormat {
    // Plain comments: clap lists the values on one line, as kubectl's -o help does.
    // YAML documents, for `kubectl apply -f -` or a repository.
    #[default]
    Yaml,
    // JSON.
    Json,
}

/// Declares a command's `-o` type: the four [`OutputFormat`]s every report has, then the
/// command's own extras (SARIF, JUnit, patches), in one clap value enum; `report()` gives the
/// shared format, or the extra. Every plugin's `-o` is made by it, so the common formats are
/// spelled, documented and handled in one place.
///
/// ```
/// shipshape::output_format! {
///     /// `kubectl harden audit -o`.
///     pub enum AuditFormat {
///         /// SARIF 2.1.0.
///         Sarif,
///     }
/// }
/// assert_eq!(AuditFormat::Json.report(), Ok(shipshape::OutputFormat::Json));
/// assert_eq!(AuditFormat::Sarif.report(), Err(AuditFormat::Sarif));
/// ```
#[macro_export]
macro_rules! output_format {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$extra_meta:meta])* $extra:ident,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
        $vis enum $name {
            /// Columns for people (default).
            Table,
            /// The table with extra columns.
            Wide,
            /// A JSON document with `apiVersion` and `kind`.
            Json,
            /// A YAML document with `apiVersion` and `kind`.
            Yaml,
            $($(#[$extra_meta])* $extra,)*
        }

        impl $name {
            /// The shared report format, or the command's own (`Err`).
            pub fn report(self) -> Result<$crate::OutputFormat, Self> {
                match self {
                    Self::Table => Ok($crate::OutputFormat::Table),
                    Self::Wide => Ok($crate::OutputFormat::Wide),
                    Self::Json => Ok($crate::OutputFormat::Json),
                    Self::Yaml => Ok($crate::OutputFormat::Yaml),
                    #[allow(unreachable_patterns)]
                    other => Err(other),
                }
            }
        }
    };
}

/// A report a command prints: a `kind` for JSON/YAML and text (usually a [`Table`]) for people.
pub trait Report: Serialize {
    /// The `kind` of the JSON/YAML document, e.g. `Version`, `AuditReport`.
    const KIND: &'static str;
    /// The view for people, ending with a newline; `wide` adds columns.
    fn human(&self, wide: bool) -> String;
}

/// Renders a report in the chosen format, ending with a newline (what [`write_report`] writes).
pub fn render<R: Report>(report: &R, format: OutputFormat) -> std::io::Result<String> {
    let mut text = Vec::new();
    write_report(report, format, &mut text)?;
    String::from_utf8(text).map_err(std::io::Error::other)
}

/// `apiVersion` and `kind`, then the report's own fields.
#[derive(Serialize)]
struct Envelope<'r, R> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    #[serde(flatten)]
    body: &'r R,
}

/// Serialises a value as YAML through serde-saphyr (the one YAML stack).
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut text = serde_saphyr::to_string(value).map_err(serde::ser::Error::custom)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// Objects as one multi-document YAML stream, each document opened by `---`.
pub fn yaml_documents(objects: &[serde_json::Value]) -> Result<String, serde_json::Error> {
    let mut text = String::new();
    for object in objects {
        text.push_str("---\n");
        text.push_str(&to_yaml(object)?);
    }
    Ok(text)
}

/// Renders a report straight to stdout: JSON and YAML are serialized from the report into the
/// output (never a document of it first), tables as [`Report::human`] renders them.
pub fn print_report<R: Report>(report: &R, format: OutputFormat) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    write_report(report, format, &mut out)?;
    out.flush()
}

/// Writes a report in the chosen format, ending with a newline. A report is a struct: its
/// fields follow `apiVersion` and `kind`.
pub fn write_report<R: Report>(
    report: &R,
    format: OutputFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Table => out.write_all(report.human(false).as_bytes()),
        OutputFormat::Wide => out.write_all(report.human(true).as_bytes()),
        OutputFormat::Json | OutputFormat::Yaml => write_document(R::KIND, report, format, out),
    }
}

/// Writes the JSON or YAML document of `kind` whose fields are `body`'s, serialized into the
/// output as they come (a body whose sequences are read from a spool is never held whole).
pub fn write_document<T: Serialize>(
    kind: &'static str,
    body: &T,
    format: OutputFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let envelope = Envelope {
        api_version: API_VERSION,
        kind,
        body,
    };
    if format == OutputFormat::Yaml {
        serde_saphyr::to_io_writer(&mut &mut *out, &envelope).map_err(std::io::Error::other)
    } else {
        serde_json::to_writer_pretty(&mut *out, &envelope)?;
        writeln!(out)
    }
}

/// Writes text to stdout. A closed pipe comes back as a `BrokenPipe` error, which the exit
/// handling treats as success.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Whether to colour a stream: only a terminal, and never when `NO_COLOR` is set and non-empty.
pub fn color_enabled<S: IsTerminal>(stream: &S) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && stream.is_terminal()
}

/// How a cell should stand out, when colour is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Plain text.
    Plain,
    /// Good news (green).
    Good,
    /// Needs attention (yellow).
    Warn,
    /// Bad news (red).
    Bad,
    /// Less important (dim grey).
    Muted,
}

/// A kubectl-style table: headers, rows of cells with optional tones.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<(String, Tone)>>,
    right_aligned: Vec<usize>,
    color: Option<bool>,
    width: Option<u16>,
}

impl Table {
    /// A table with these column headers (upper-cased when rendered).
    pub fn new<I, S>(headers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            headers: headers.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// Adds a row of plain cells.
    pub fn row<I, S>(&mut self, cells: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows
            .push(cells.into_iter().map(|c| (c.into(), Tone::Plain)).collect());
        self
    }

    /// Adds a row of cells with tones.
    pub fn toned_row(&mut self, cells: Vec<(String, Tone)>) -> &mut Self {
        self.rows.push(cells);
        self
    }

    /// Right-aligns a column (numbers).
    pub fn align_right(&mut self, column: usize) -> &mut Self {
        self.right_aligned.push(column);
        self
    }

    /// Forces colour on or off (default: on for a colour-capable stdout TTY).
    pub fn color(&mut self, on: bool) -> &mut Self {
        self.color = Some(on);
        self
    }

    /// Fits the table into this many columns (default: the terminal's width on a TTY, no limit
    /// otherwise).
    pub fn width(&mut self, columns: u16) -> &mut Self {
        self.width = Some(columns);
        self
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text, each line without trailing spaces, ending with a newline.
    pub fn render(&self) -> String {
        let stdout = std::io::stdout();
        let color = self.color.unwrap_or_else(|| color_enabled(&stdout));
        let mut table = Comfy::new();
        table.load_preset(presets::NOTHING);
        let width = self.width.or_else(|| {
            if stdout.is_terminal() {
                terminal_width()
            } else {
                None
            }
        });
        match width {
            Some(w) => {
                table
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .set_width(w);
            }
            None => {
                table.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        if color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table.set_header(self.headers.iter().map(|h| Cell::new(h.to_uppercase())));
        for row in &self.rows {
            table.add_row(row.iter().map(|(text, tone)| {
                let cell = Cell::new(text);
                match (color, tone) {
                    (true, Tone::Good) => cell.fg(Color::Green),
                    (true, Tone::Warn) => cell.fg(Color::Yellow),
                    (true, Tone::Bad) => cell.fg(Color::Red),
                    (true, Tone::Muted) => cell.fg(Color::DarkGrey),
                    _ => cell,
                }
            }));
        }
        for (index, column) in table.column_iter_mut().enumerate() {
            // kubectl separates columns with three spaces.
            column.set_padding((0, 3));
            if self.right_aligned.contains(&index) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
        let mut text = String::new();
        for line in table.to_string().lines() {
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    }
}

/// The terminal's width in columns, when stdout is one.
fn terminal_width() -> Option<u16> {
    Comfy::new().width()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_documents_open_each_document_with_a_separator() {
        let objects = [
            serde_json::json!({"kind": "A", "spec": {"replicas": 1}}),
            serde_json::json!({"kind": "B"}),
        ];
        assert_eq!(
            yaml_documents(&objects).expect("renders"),
            "---\nkind: A\nspec:\n  replicas: 1\n---\nkind: B\n"
        );
        assert_eq!(yaml_documents(&[]).expect("renders"), "");
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Sample {
        items: Vec<(String, u32)>,
        total_count: u32,
    }

    impl Report for Sample {
        const KIND: &'static str = "Sample";
        fn human(&self, wide: bool) -> String {
            let mut headers = vec!["name", "count"];
            if wide {
                headers.push("share");
            }
            let mut table = Table::new(headers);
            table.align_right(1);
            for (name, count) in &self.items {
                let mut row = vec![name.clone(), count.to_string()];
                if wide {
                    row.push(format!(
                        "{:.0}%",
                        f64::from(*count) * 100.0 / f64::from(self.total_count)
                    ));
                }
                table.row(row);
            }
            table.color(false);
            table.render()
        }
    }

    fn sample() -> Sample {
        Sample {
            items: vec![("web".into(), 3), ("api-server".into(), 12)],
            total_count: 15,
        }
    }

    #[test]
    fn table_looks_like_kubectl() {
        insta::assert_snapshot!(render(&sample(), OutputFormat::Table).expect("render"), @r"
        NAME         COUNT
        web              3
        api-server      12
        ");
    }

    #[test]
    fn wide_adds_columns() {
        insta::assert_snapshot!(render(&sample(), OutputFormat::Wide).expect("render"), @r"
        NAME         COUNT   SHARE
        web              3   20%
        api-server      12   80%
        ");
    }

    #[test]
    fn json_carries_api_version_and_kind_first() {
        insta::assert_snapshot!(render(&sample(), OutputFormat::Json).expect("render"), @r#"
        {
          "apiVersion": "shipshape.dev/v1alpha1",
          "kind": "Sample",
          "items": [
            [
              "web",
              3
            ],
            [
              "api-server",
              12
            ]
          ],
          "totalCount": 15
        }
        "#);
    }

    #[test]
    fn yaml_carries_api_version_and_kind_first() {
        insta::assert_snapshot!(render(&sample(), OutputFormat::Yaml).expect("render"), @r"
        apiVersion: shipshape.dev/v1alpha1
        kind: Sample
        items:
        - - web
          - 3
        - - api-server
          - 12
        totalCount: 15
        ");
    }

    #[test]
    fn narrow_width_wraps_instead_of_overflowing() {
        let mut table = Table::new(["name", "message"]);
        table
            .row([
                "web",
                "container `app` has no memory limit and no CPU limit set",
            ])
            .color(false)
            .width(40);
        for line in table.render().lines() {
            assert!(line.chars().count() <= 40, "{line:?} is wider than 40");
        }
    }
}
