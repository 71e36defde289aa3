//! Lossless YAML edits: change a few values of a YAML document and leave every other byte alone.
//!
//! A [`Patch`] says what to change (set a value, add keys, append list items); [`apply`] finds
//! the nodes with the parser's byte spans and splices new text in, so comments, key order,
//! quoting and the formatting of untouched lines survive, and `git diff` shows only what
//! changed. New keys are written in the style of their mapping: block mappings get new lines
//! at the mapping's indentation, flow mappings (`{a: 1}`) get `, key: value` before the `}`.
//!
//! The same patch applies to a JSON value ([`Patch::apply_json`]) and becomes a server-side
//! apply body ([`Patch::apply_body`]), so file fixes and live fixes are one computation.

use serde_json::{Map, Value};

/// A change to one node of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Patch {
    /// Replace the node (or create it) with this value.
    Set(Value),
    /// Change or add these keys of a mapping (created when missing).
    Map(Vec<(String, Patch)>),
    /// Change these items of a sequence, by index.
    Items(Vec<(usize, Patch)>),
    /// Add these items at the end of a sequence (created when missing).
    Append(Vec<Value>),
}

impl Patch {
    /// An empty mapping patch.
    pub fn map() -> Self {
        Patch::Map(Vec::new())
    }

    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        match self {
            Patch::Set(_) => false,
            Patch::Map(entries) => entries.iter().all(|(_, p)| p.is_empty()),
            Patch::Items(items) => items.iter().all(|(_, p)| p.is_empty()),
            Patch::Append(values) => values.is_empty(),
        }
    }

    /// The patch at `path` inside this mapping patch, created as empty mappings on the way.
    /// Path segments are keys; a segment that parses as a number addresses a sequence item.
    pub fn at(&mut self, path: &[&str]) -> &mut Patch {
        let Some((first, rest)) = path.split_first() else {
            return self;
        };
        let child = match (self, first.parse::<usize>()) {
            (Patch::Items(items), Ok(index)) => {
                let position = match items.iter().position(|(i, _)| *i == index) {
                    Some(p) => p,
                    None => {
                        items.push((index, Patch::map()));
                        items.len() - 1
                    }
                };
                &mut items[position].1
            }
            (Patch::Map(entries), _) => {
                let position = match entries.iter().position(|(k, _)| k == first) {
                    Some(p) => p,
                    None => {
                        let next = if rest.first().is_some_and(|s| s.parse::<usize>().is_ok()) {
                            Patch::Items(Vec::new())
                        } else {
                            Patch::map()
                        };
                        entries.push(((*first).to_owned(), next));
                        entries.len() - 1
                    }
                };
                &mut entries[position].1
            }
            (other, _) => {
                panic!("Patch::at through a {other:?}: paths must follow the patch's shape")
            }
        };
        child.at(rest)
    }

    /// Sets `path` (keys; numbers index sequences) to `value`.
    pub fn set(&mut self, path: &[&str], value: impl Into<Value>) {
        let (last, parent) = path.split_last().expect("a non-empty path");
        let Patch::Map(entries) = self.at(parent) else {
            panic!("Patch::set: the parent of {path:?} is not a mapping patch");
        };
        entries.retain(|(k, _)| k != last);
        entries.push(((*last).to_owned(), Patch::Set(value.into())));
    }

    /// Appends `value` to the sequence at `path`.
    pub fn append(&mut self, path: &[&str], value: Value) {
        let (last, parent) = path.split_last().expect("a non-empty path");
        let Patch::Map(entries) = self.at(parent) else {
            panic!("Patch::append: the parent of {path:?} is not a mapping patch");
        };
        match entries.iter_mut().find(|(k, _)| k == last) {
            Some((_, Patch::Append(values))) => values.push(value),
            Some((_, other)) => panic!("Patch::append onto {other:?}"),
            None => entries.push(((*last).to_owned(), Patch::Append(vec![value]))),
        }
    }

    /// The value a missing node gets from this patch.
    fn to_value(&self) -> Value {
        match self {
            Patch::Set(v) => v.clone(),
            Patch::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, p)| (k.clone(), p.to_value()))
                    .collect(),
            ),
            Patch::Items(_) => Value::Array(Vec::new()),
            Patch::Append(values) => Value::Array(values.clone()),
        }
    }

    /// Applies the patch to a JSON value, as [`apply`] does to YAML text.
    pub fn apply_json(&self, target: &mut Value) {
        match self {
            Patch::Set(v) => *target = v.clone(),
            Patch::Map(entries) => {
                if !target.is_object() {
                    *target = Value::Object(Map::new());
                }
                let object = target.as_object_mut().expect("an object");
                for (key, patch) in entries {
                    patch.apply_json(object.entry(key.clone()).or_insert(Value::Null));
                }
            }
            Patch::Items(items) => {
                if let Value::Array(array) = target {
                    for (index, patch) in items {
                        if let Some(item) = array.get_mut(*index) {
                            patch.apply_json(item);
                        }
                    }
                }
            }
            Patch::Append(values) => match target {
                Value::Array(array) => array.extend(values.iter().cloned()),
                other => *other = Value::Array(values.clone()),
            },
        }
    }

    /// The patch as a server-side apply body for `original`: only the patched fields, with
    /// sequence items identified by their `name` (the merge key of containers, volumes, ports).
    pub fn apply_body(&self, original: &Value) -> Value {
        match self {
            Patch::Set(v) => v.clone(),
            Patch::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, p)| (k.clone(), p.apply_body(&original[k.as_str()])))
                    .collect(),
            ),
            Patch::Items(items) => Value::Array(
                items
                    .iter()
                    .map(|(index, patch)| {
                        let item = &original[*index];
                        let mut body = patch.apply_body(item);
                        if let (Some(object), Some(name)) = (body.as_object_mut(), item.get("name"))
                        {
                            object.insert("name".into(), name.clone());
                        }
                        body
                    })
                    .collect(),
            ),
            Patch::Append(values) => Value::Array(values.clone()),
        }
    }
}

/// Why a patch could not be applied to a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The text is not valid YAML.
    #[error("line {line}: {message}")]
    Parse { line: usize, message: String },
    /// The document is not a single mapping, or a path runs through something else.
    #[error("line {line}: {message}")]
    Shape { line: usize, message: String },
}

#[derive(Debug)]
enum Kind {
    Scalar {
        null: bool,
    },
    Mapping {
        flow: bool,
        entries: Vec<(String, Node)>,
        /// The line of each entry's key.
        key_lines: Vec<usize>,
        close: usize,
    },
    Sequence {
        flow: bool,
        items: Vec<Node>,
        close: usize,
    },
}

#[derive(Debug)]
struct Node {
    kind: Kind,
    /// The first byte of the node.
    start: usize,
    /// One past its last content byte (trailing blank lines of block scalars excluded).
    end: usize,
    /// The column of its first byte.
    col: usize,
    line: usize,
}

struct Tree<'t> {
    text: &'t str,
    events: std::iter::Peekable<granit_parser::Parser<'t, granit_parser::StrInput<'t>>>,
}

type Event<'t> = (granit_parser::Event<'t>, granit_parser::Span);

impl<'t> Tree<'t> {
    fn next(&mut self) -> Result<Option<Event<'t>>, EditError> {
        loop {
            match self.events.next() {
                None => return Ok(None),
                Some(Err(e)) => {
                    return Err(EditError::Parse {
                        line: e.marker().line(),
                        message: e.info(),
                    });
                }
                Some(Ok((granit_parser::Event::Comment(..), _))) => {}
                Some(Ok(event)) => return Ok(Some(event)),
            }
        }
    }

    fn range(&self, span: &granit_parser::Span) -> (usize, usize) {
        span.byte_range()
            .map_or((0, 0), |r| (r.start, r.end.min(self.text.len())))
    }

    /// Reads the node that starts with `event`.
    fn node(&mut self, event: Event<'t>) -> Result<Node, EditError> {
        use granit_parser::{Event as E, ScalarStyle, StructureStyle};
        let (event, span) = event;
        let (start, end) = self.range(&span);
        let (line, col) = (span.start.line(), span.start.col());
        let shape = |message: &str| EditError::Shape {
            line,
            message: message.into(),
        };
        match event {
            E::Scalar(value, style, ..) => {
                let end = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    start + self.text[start..end].trim_end().len()
                } else {
                    end
                };
                let null = matches!(style, ScalarStyle::Plain)
                    && matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL");
                Ok(Node {
                    kind: Kind::Scalar { null },
                    start,
                    end,
                    col,
                    line,
                })
            }
            E::MappingStart(style, ..) => {
                let mut entries = Vec::new();
                let mut key_lines = Vec::new();
                let mut last = start;
                loop {
                    let Some(event) = self.next()? else {
                        return Err(shape("unterminated mapping"));
                    };
                    if let (E::MappingEnd, span) = &event {
                        let (close, close_end) = self.range(span);
                        let flow = style == StructureStyle::Flow;
                        return Ok(Node {
                            kind: Kind::Mapping {
                                flow,
                                entries,
                                key_lines,
                                close,
                            },
                            start,
                            end: if flow { close_end } else { last },
                            col,
                            line,
                        });
                    }
                    let key = match &event.0 {
                        E::Scalar(k, ..) => k.to_string(),
                        _ => return Err(shape("a mapping key that is not a plain string")),
                    };
                    key_lines.push(event.1.start.line());
                    let Some(value) = self.next()? else {
                        return Err(shape("a mapping key without a value"));
                    };
                    let value = self.node(value)?;
                    last = last.max(value.end);
                    entries.push((key, value));
                }
            }
            E::SequenceStart(style, ..) => {
                let mut items: Vec<Node> = Vec::new();
                loop {
                    let Some(event) = self.next()? else {
                        return Err(shape("unterminated sequence"));
                    };
                    if let (E::SequenceEnd, span) = &event {
                        let (close, close_end) = self.range(span);
                        let flow = style == StructureStyle::Flow;
                        let end = if flow {
                            close_end
                        } else {
                            items.last().map_or(start, |n| n.end)
                        };
                        return Ok(Node {
                            kind: Kind::Sequence { flow, items, close },
                            start,
                            end,
                            col,
                            line,
                        });
                    }
                    items.push(self.node(event)?);
                }
            }
            E::Alias(..) => Err(shape("aliases (`*name`) cannot be edited in place")),
            _ => Err(shape("unexpected YAML event")),
        }
    }
}

/// Parses one YAML document into its root node.
fn parse(text: &str) -> Result<Option<Node>, EditError> {
    use granit_parser::Event as E;
    let mut tree = Tree {
        text,
        events: granit_parser::Parser::new_from_str(text).peekable(),
    };
    let mut root = None;
    while let Some(event) = tree.next()? {
        match event.0 {
            E::StreamStart | E::DocumentStart(..) | E::DocumentEnd | E::StreamEnd => {}
            _ if root.is_none() => root = Some(tree.node(event)?),
            _ => {
                return Err(EditError::Shape {
                    line: event.1.start.line(),
                    message: "more than one document: split the stream first".into(),
                });
            }
        }
    }
    Ok(root)
}

/// One step of a path into a document: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// The line (from 1, within `text`) of the deepest node along `path` that the document has:
/// the field's key when it is there, else the key of the nearest parent it would go under.
/// None when the document cannot be read this way (aliases, flow keys that are not strings).
pub fn locate(text: &str, path: &[Step]) -> Option<usize> {
    locate_all(text, std::slice::from_ref(&path))
        .pop()
        .flatten()
}

/// [`locate`] for several paths into one document, parsed once.
pub fn locate_all<P: AsRef<[Step]>>(text: &str, paths: &[P]) -> Vec<Option<usize>> {
    let Ok(Some(root)) = parse(text) else {
        return vec![None; paths.len()];
    };
    paths
        .iter()
        .map(|path| Some(deepest_line(&root, path.as_ref())))
        .collect()
}

fn deepest_line(root: &Node, path: &[Step]) -> usize {
    let mut node = root;
    let mut line = root.line;
    for step in path {
        let next = match (&node.kind, step) {
            (
                Kind::Mapping {
                    entries, key_lines, ..
                },
                Step::Key(want),
            ) => entries
                .iter()
                .zip(key_lines)
                .find(|((key, _), _)| key == want)
                .map(|((_, child), key_line)| (child, *key_line)),
            (Kind::Sequence { items, .. }, Step::Index(i)) => items.get(*i).map(|n| (n, n.line)),
            _ => None,
        };
        let Some((child, at)) = next else { break };
        node = child;
        line = at;
    }
    line
}

/// One splice: replace `text[from..to]` with `with`.
struct Splice {
    from: usize,
    to: usize,
    with: String,
}

/// Applies `patch` to one YAML document (no `---` separators inside) and returns the new text.
/// An empty patch returns the text unchanged.
pub fn apply(text: &str, patch: &Patch) -> Result<String, EditError> {
    if patch.is_empty() {
        return Ok(text.to_owned());
    }
    let Some(root) = parse(text)? else {
        return Err(EditError::Shape {
            line: 1,
            message: "the document is empty".into(),
        });
    };
    let mut splices = Vec::new();
    edit(text, &root, patch, &mut splices)?;
    splices.sort_by_key(|s| s.from);
    let mut out = String::with_capacity(text.len() + 256);
    let mut at = 0;
    for splice in splices {
        out.push_str(&text[at..splice.from]);
        out.push_str(&splice.with);
        at = splice.to.max(splice.from);
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// The end of the line holding byte `at - 1` (where new block lines go after a node).
fn line_end(text: &str, at: usize) -> usize {
    let from = at.saturating_sub(1).min(text.len());
    text[from..].find('\n').map_or(text.len(), |i| from + i)
}

/// The indentation of new nested blocks.
const STEP: usize = 2;

fn edit(
    text: &str,
    node: &Node,
    patch: &Patch,
    splices: &mut Vec<Splice>,
) -> Result<(), EditError> {
    let shape = |message: String| EditError::Shape {
        line: node.line,
        message,
    };
    match (patch, &node.kind) {
        (Patch::Set(_) | Patch::Map(_) | Patch::Append(_), Kind::Scalar { null: true }) => {
            replace_null(text, node, &patch.to_value(), splices);
        }
        (Patch::Set(value), _) => {
            // A quoted string stays quoted the same way.
            let quote = text[node.start..]
                .chars()
                .next()
                .filter(|c| *c == '\'' || *c == '"');
            let with = match (value, quote, &node.kind) {
                (Value::String(s), Some('\''), Kind::Scalar { .. }) => {
                    format!("'{}'", s.replace('\'', "''"))
                }
                (Value::String(s), Some(_), Kind::Scalar { .. }) => {
                    Value::String(s.clone()).to_string()
                }
                _ => flow(value),
            };
            splices.push(Splice {
                from: node.start,
                to: node.end,
                with,
            });
        }
        (
            Patch::Map(entries),
            Kind::Mapping {
                flow: is_flow,
                entries: existing,
                close,
                ..
            },
        ) => {
            let mut missing: Vec<(&String, Value)> = Vec::new();
            for (key, child) in entries {
                if child.is_empty() {
                    continue;
                }
                match existing.iter().find(|(k, _)| k == key) {
                    Some((_, value)) => edit(text, value, child, splices)?,
                    None => missing.push((key, child.to_value())),
                }
            }
            if missing.is_empty() {
                return Ok(());
            }
            if *is_flow {
                let mut with = String::new();
                for (i, (key, value)) in missing.iter().enumerate() {
                    if i > 0 || !existing.is_empty() {
                        with.push_str(", ");
                    }
                    with.push_str(&format!(
                        "{}: {}",
                        scalar_text(&Value::String((*key).clone())),
                        flow(value)
                    ));
                }
                splices.push(Splice {
                    from: *close,
                    to: *close,
                    with,
                });
            } else {
                let column = node.col;
                let mut with = String::new();
                for (key, value) in &missing {
                    with.push('\n');
                    with.push_str(&" ".repeat(column));
                    block_entry(&mut with, key, value, column);
                }
                let at = line_end(text, node.end);
                splices.push(Splice {
                    from: at,
                    to: at,
                    with,
                });
            }
        }
        (
            Patch::Items(items),
            Kind::Sequence {
                items: existing, ..
            },
        ) => {
            for (index, child) in items {
                let Some(item) = existing.get(*index) else {
                    return Err(shape(format!("the sequence has no item {index}")));
                };
                edit(text, item, child, splices)?;
            }
        }
        (
            Patch::Append(values),
            Kind::Sequence {
                flow: is_flow,
                items,
                close,
            },
        ) => {
            if values.is_empty() {
                return Ok(());
            }
            if *is_flow {
                let rendered: Vec<String> = values.iter().map(flow).collect();
                let separator = if items.is_empty() { "" } else { ", " };
                splices.push(Splice {
                    from: *close,
                    to: *close,
                    with: format!("{separator}{}", rendered.join(", ")),
                });
            } else {
                let dash = dash_column(text, node);
                let mut with = String::new();
                for value in values {
                    with.push('\n');
                    with.push_str(&" ".repeat(dash));
                    with.push_str("- ");
                    block_item(&mut with, value, dash + 2);
                }
                let at = line_end(text, node.end);
                splices.push(Splice {
                    from: at,
                    to: at,
                    with,
                });
            }
        }
        (patch, kind) => {
            let what = match kind {
                Kind::Scalar { .. } => "a scalar",
                Kind::Mapping { .. } => "a mapping",
                Kind::Sequence { .. } => "a sequence",
            };
            let wanted = match patch {
                Patch::Map(_) => "a mapping",
                _ => "a sequence",
            };
            return Err(shape(format!("expected {wanted} here, found {what}")));
        }
    }
    Ok(())
}

/// The column of a block sequence's `-` markers: the first non-blank of its first line.
fn dash_column(text: &str, node: &Node) -> usize {
    let line_start = text[..node.start].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..node.start];
    match line.rfind('-') {
        Some(dash) if line[dash + 1..].trim().is_empty() => line[..dash].chars().count(),
        _ => line.len() - line.trim_start().len(),
    }
}

/// `key:` with a null value or nothing: the value goes after the colon.
fn replace_null(text: &str, node: &Node, value: &Value, splices: &mut Vec<Splice>) {
    if node.end > node.start {
        splices.push(Splice {
            from: node.start,
            to: node.end,
            with: flow(value),
        });
        return;
    }
    // An empty scalar sits where the key ends; put the value after the `:`.
    let colon = text[node.start..]
        .find(':')
        .map_or(node.start, |i| node.start + i + 1);
    splices.push(Splice {
        from: colon,
        to: colon,
        with: format!(" {}", flow(value)),
    });
}

/// Writes `key: value` for a block mapping whose keys sit at `column`.
fn block_entry(out: &mut String, key: &str, value: &Value, column: usize) {
    out.push_str(&scalar_text(&Value::String(key.to_owned())));
    out.push(':');
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                out.push('\n');
                out.push_str(&" ".repeat(column + STEP));
                block_entry(out, k, v, column + STEP);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push('\n');
                out.push_str(&" ".repeat(column + STEP));
                out.push_str("- ");
                block_item(out, item, column + STEP + 2);
            }
        }
        other => {
            out.push(' ');
            out.push_str(&flow(other));
        }
    }
}

/// Writes a sequence item's value after its `- `; continuation lines start at `column`.
fn block_item(out: &mut String, value: &Value, column: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                    out.push_str(&" ".repeat(column));
                }
                block_entry(out, k, v, column);
            }
        }
        other => out.push_str(&flow(other)),
    }
}

/// A value in flow style: `{a: 1, b: [x, y]}`.
pub fn flow(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar_text(&Value::String(k.clone())), flow(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", items.join(", "))
        }
        scalar => scalar_text(scalar),
    }
}

/// A scalar, plain when YAML would read it back as the same string, double-quoted otherwise.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) if plain_safe(s) => s.clone(),
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

fn plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let reserved = matches!(
        s.to_ascii_lowercase().as_str(),
        "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | "null"
            | "~"
            | ".nan"
            | ".inf"
            | "-.inf"
    );
    let numeric = s.parse::<f64>().is_ok()
        || s.starts_with("0x")
        || s.starts_with("0o")
        || s.chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == ':');
    (first.is_ascii_alphanumeric() || first == '/' || first == '.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@".contains(c))
        && !s.ends_with(':')
        && !reserved
        && !numeric
}

#[cfg(test)]
mod tests;
