//! Load Kubernetes objects from files, directories, stdin and `kubectl kustomize`.
//!
//! - Files are YAML (multi-document) or JSON (`.json`, or stdin starting with `{`; JSON takes a
//!   fast path through serde_json).
//! - Directories are walked recursively for `.yaml`, `.yml` and `.json` files, in name order;
//!   hidden entries and kustomization files (build instructions, not objects) are skipped.
//! - `kind: List` and `*List` documents are flattened into their items.
//! - Empty and comment-only documents are skipped.
//! - Every object remembers its source: the file, the document's index and the line where the
//!   object starts. A malformed document is an error naming `file:line:column`; the other
//!   documents and files are still loaded and every error is reported.
//! - Each YAML document is parsed on its own, under its own budget (so a stream of any number of
//!   documents loads, while alias bombs, deep nesting and oversized documents are refused), and
//!   documents are parsed on all cores.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use rayon::prelude::*;
use serde_json::Value;

mod stream;
pub use stream::{BATCH_BYTES, Batch, Sources};

/// Where to read manifests from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or a directory (walked recursively).
    Path(PathBuf),
    /// Standard input (`-f -`).
    Stdin,
    /// The output of `kubectl kustomize DIR` (`-k DIR`).
    Kustomize(PathBuf),
}

impl Input {
    /// The input a `-f` value names: `-` is stdin.
    pub fn file_flag(value: &str) -> Self {
        if value == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(value))
        }
    }
}

/// The file (or stream) an object or error came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// A file on disk.
    File(PathBuf),
    /// Standard input.
    Stdin,
    /// `kubectl kustomize DIR`: lines count in its output.
    Kustomize(PathBuf),
    /// Read from a cluster (the server URL or context); such objects have no file line.
    Cluster(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Stdin => f.write_str("<stdin>"),
            Origin::Kustomize(dir) => write!(f, "<kustomize {}>", dir.display()),
            Origin::Cluster(cluster) => write!(f, "<cluster {cluster}>"),
        }
    }
}

/// Where one object came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Source {
    /// The file or stream.
    pub origin: Origin,
    /// The document's index in the stream, from 1 (JSON values count as documents).
    pub document: usize,
    /// The line where the document's content starts, from 1.
    pub line: usize,
    /// The index in a `List`'s items, from 0, when the object came out of a List.
    pub item: Option<usize>,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.origin, self.line)?;
        if let Some(item) = self.item {
            write!(f, " (List item {item})")?;
        }
        Ok(())
    }
}

/// A Kubernetes object and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The object, as loaded (a JSON object with `apiVersion` and `kind`).
    pub object: Value,
    /// Its source.
    pub source: Source,
}

impl Manifest {
    /// An object read from a cluster: no document or line, only its origin (see
    /// [`Kube::origin`](crate::Kube::origin)).
    pub fn live(object: Value, origin: Origin) -> Self {
        Self {
            object,
            source: Source {
                origin,
                document: 0,
                line: 0,
                item: None,
            },
        }
    }

    /// `metadata.kind`.
    pub fn kind(&self) -> &str {
        self.object["kind"].as_str().unwrap_or_default()
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        self.object["apiVersion"].as_str().unwrap_or_default()
    }

    /// `metadata.name` (empty when the object uses `generateName` or has none).
    pub fn name(&self) -> &str {
        self.object["metadata"]["name"].as_str().unwrap_or_default()
    }

    /// `metadata.namespace`, when set.
    pub fn namespace(&self) -> Option<&str> {
        self.object["metadata"]["namespace"].as_str()
    }

    /// `Kind/name`, as kubectl names objects.
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind(), self.name())
    }

    /// The object as a typed k8s-openapi value; the error names the object and its source.
    pub fn to_typed<T: serde::de::DeserializeOwned>(&self) -> Result<T, LoadError> {
        serde_json::from_value(self.object.clone()).map_err(|e| LoadError {
            origin: self.source.origin.clone(),
            line: Some(self.source.line),
            column: None,
            message: format!("{} is not a valid {}: {e}", self.id(), self.kind()),
        })
    }
}

/// A file, document or object that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file or stream.
    pub origin: Origin,
    /// The line, from 1, when known.
    pub line: Option<usize>,
    /// The column, from 1, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for LoadError {}

/// Every load error of a run, reported together (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<LoadError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        writeln!(
            f,
            "{count} manifest{} could not be loaded:",
            if count == 1 { "" } else { "s" }
        )?;
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "  {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

/// What a load produced: every object that loaded and every error, in input order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    /// The objects.
    pub manifests: Vec<Manifest>,
    /// The errors.
    pub errors: Vec<LoadError>,
    /// The text of every file and stream that was read, so reports can point at a field's line.
    pub texts: Vec<(Origin, String)>,
}

impl Loaded {
    /// The load errors, if any, as an error (the manifests stay).
    pub fn errors_as_result(&self) -> Result<(), LoadErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(LoadErrors(self.errors.clone()))
        }
    }

    /// The objects, or every error when there was any.
    pub fn into_result(self) -> Result<Vec<Manifest>, LoadErrors> {
        if self.errors.is_empty() {
            Ok(self.manifests)
        } else {
            Err(LoadErrors(self.errors))
        }
    }
}

/// Limits that keep a hostile or broken input from exhausting memory or time.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest YAML document accepted, in bytes.
    pub max_document_bytes: usize,
    /// The deepest nesting accepted.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_document_bytes: 32 * 1024 * 1024,
            max_depth: 64,
        }
    }
}

/// Loads a file that must hold exactly one object of `kind` (a Job to run, say); a usage error
/// naming the file otherwise.
pub fn load_one(path: &Path, kind: &str) -> anyhow::Result<Value> {
    let manifests = load(&[Input::Path(path.to_path_buf())]).into_result()?;
    match manifests.as_slice() {
        [one] if one.kind() == kind => Ok(one.object.clone()),
        _ => Err(crate::UsageError(format!(
            "{}: expected exactly one {kind}, found {}",
            path.display(),
            if manifests.is_empty() {
                "no object".to_owned()
            } else {
                manifests
                    .iter()
                    .map(Manifest::id)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ))
        .into()),
    }
}

/// Loads every input with the default limits.
pub fn load(inputs: &[Input]) -> Loaded {
    load_with(inputs, Limits::default())
}

/// Loads every input: reads them in order, then parses all documents in parallel.
pub fn load_with(inputs: &[Input], limits: Limits) -> Loaded {
    load_from(inputs, limits, &mut std::io::stdin().lock())
}

/// [`load_with`], reading `-` from the given stream instead of the process's stdin.
pub fn load_from(inputs: &[Input], limits: Limits, stdin: &mut dyn Read) -> Loaded {
    let mut texts: Vec<Result<(Origin, String), LoadError>> = Vec::new();
    let mut stdin_read = false;
    for input in inputs {
        if *input == Input::Stdin {
            if stdin_read {
                texts.push(Err(stdin_twice()));
                continue;
            }
            stdin_read = true;
            texts.push(read_stdin(stdin));
            continue;
        }
        read_input(input, &mut texts);
    }
    let results: Vec<Vec<Result<Manifest, LoadError>>> = texts
        .par_iter()
        .map(|text| match text {
            Ok((origin, text)) => parse_text(origin, text, limits),
            Err(error) => vec![Err(error.clone())],
        })
        .collect();
    let mut loaded = Loaded::default();
    for result in validated(results.into_iter().flatten()) {
        match result {
            Ok(manifest) => loaded.manifests.push(manifest),
            Err(error) => loaded.errors.push(error),
        }
    }
    loaded.texts = texts.into_iter().flatten().collect();
    loaded
}

/// Parse results with every object that fails validation turned into errors naming its fields.
fn validated(
    results: impl IntoIterator<Item = Result<Manifest, LoadError>>,
) -> Vec<Result<Manifest, LoadError>> {
    let mut out = Vec::new();
    for result in results {
        let manifest = match result {
            Ok(manifest) => manifest,
            Err(error) => {
                out.push(Err(error));
                continue;
            }
        };
        let invalid = crate::validate::object(&manifest.object);
        if invalid.is_empty() {
            out.push(Ok(manifest));
            continue;
        }
        for (field, why) in invalid {
            out.push(Err(LoadError {
                origin: manifest.source.origin.clone(),
                line: Some(manifest.source.line),
                column: None,
                message: format!("{}: {field}: {why}", manifest.id()),
            }));
        }
    }
    out
}

fn read_stdin(stdin: &mut dyn Read) -> Result<(Origin, String), LoadError> {
    let mut bytes = Vec::new();
    stdin
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())
        .and_then(|_| into_text(bytes))
        .map(|t| (Origin::Stdin, t))
        .map_err(|message| LoadError {
            origin: Origin::Stdin,
            line: None,
            column: None,
            message,
        })
}

fn read_input(input: &Input, out: &mut Vec<Result<(Origin, String), LoadError>>) {
    match input {
        Input::Stdin => out.push(read_stdin(&mut std::io::stdin().lock())),
        Input::Kustomize(dir) => out.push(kustomize(dir)),
        Input::Path(path) => match files_of(path) {
            Ok(files) => out.extend(files.iter().map(|file| read_file(file))),
            Err(e) => out.push(Err(e)),
        },
    }
}

/// The error of a second `-f -`.
fn stdin_twice() -> LoadError {
    LoadError {
        origin: Origin::Stdin,
        line: None,
        column: None,
        message: "`-f -` can be given only once: stdin is read once".into(),
    }
}

/// The manifest files a `-f` path names: the file itself, or a directory's `.yaml`, `.yml` and
/// `.json` files in name order (an error when it has none).
fn files_of(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| file_error(path, describe_io(&e)))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    walk(path, &mut files, &mut HashSet::new())?;
    if files.is_empty() {
        return Err(file_error(
            path,
            "the directory has no .yaml, .yml or .json files".into(),
        ));
    }
    Ok(files)
}

fn file_error(path: &Path, message: String) -> LoadError {
    LoadError {
        origin: Origin::File(path.to_path_buf()),
        line: None,
        column: None,
        message,
    }
}

fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn into_text(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {}); manifests must be UTF-8 YAML or JSON",
            e.utf8_error().valid_up_to()
        )
    })
}

fn read_file(path: &Path) -> Result<(Origin, String), LoadError> {
    std::fs::read(path)
        .map_err(|e| describe_io(&e))
        .and_then(into_text)
        .map(|text| (Origin::File(path.to_path_buf()), text))
        .map_err(|message| file_error(path, message))
}

/// Whether a directory entry is a manifest file.
fn is_manifest_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let kustomization = matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    );
    !kustomization
        && path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
}

fn walk(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    seen: &mut HashSet<PathBuf>,
) -> Result<(), LoadError> {
    // Symlinked directories are followed once, so a link loop ends.
    let canonical = dir
        .canonicalize()
        .map_err(|e| file_error(dir, describe_io(&e)))?;
    if !seen.insert(canonical) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| file_error(dir, describe_io(&e)))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, files, seen)?;
        } else if is_manifest_file(&path) {
            files.push(path);
        }
    }
    Ok(())
}

/// The kubectl to run: `KUBECTL_PATH` (set by kubectl ≥ 1.37 for its plugins), else `kubectl`.
pub fn kubectl_program() -> PathBuf {
    std::env::var_os("KUBECTL_PATH")
        .filter(|p| !p.is_empty())
        .map_or_else(|| PathBuf::from("kubectl"), PathBuf::from)
}

fn kustomize(dir: &Path) -> Result<(Origin, String), LoadError> {
    let origin = Origin::Kustomize(dir.to_path_buf());
    let error = |message: String| LoadError {
        origin: origin.clone(),
        line: None,
        column: None,
        message,
    };
    let program = kubectl_program();
    let output = Command::new(&program)
        .arg("kustomize")
        .arg(dir)
        .output()
        .map_err(|e| error(format!("cannot run `{} kustomize`: {e}", program.display())))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stderr = stderr.trim().trim_start_matches("error: ");
        return Err(error(format!(
            "`kubectl kustomize {}` failed: {stderr}",
            dir.display()
        )));
    }
    into_text(output.stdout)
        .map(|text| (origin.clone(), text))
        .map_err(error)
}

/// Parses one file's or stream's text into objects and errors, in document order.
pub fn parse_text(origin: &Origin, text: &str, limits: Limits) -> Vec<Result<Manifest, LoadError>> {
    let is_json = match origin {
        Origin::File(path) => path.extension().is_some_and(|e| e == "json"),
        Origin::Stdin | Origin::Kustomize(_) | Origin::Cluster(_) => {
            text.trim_start().starts_with('{')
        }
    };
    if is_json {
        return parse_json(origin, text);
    }
    parse_documents(origin, &split_documents(text), limits)
}

/// Parses YAML documents into objects and errors, in order: on every core when there are
/// enough of them to pay for it.
fn parse_documents(
    origin: &Origin,
    documents: &[Document<'_>],
    limits: Limits,
) -> Vec<Result<Manifest, LoadError>> {
    let parse = |doc: &Document<'_>| parse_yaml_document(origin, doc, limits);
    if documents.len() > 64 {
        documents.par_iter().flat_map_iter(parse).collect()
    } else {
        documents.iter().flat_map(parse).collect()
    }
}

/// One YAML document of a stream: its text and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document<'a> {
    /// The document's text; a `--- ` marker that shares the first line is blanked out, so
    /// columns stay true.
    pub text: Cow<'a, str>,
    /// The file line of the text's first line, from 1.
    pub first_line: usize,
    /// The document's index in the stream, from 1.
    pub index: usize,
    /// The bytes of the stream the document covers (a shared `--- ` marker line excluded).
    pub range: std::ops::Range<usize>,
}

/// Whether a line is a document marker (`---` or `...` at column 0, then whitespace or nothing).
fn marker(line: &str) -> Option<&str> {
    for m in ["---", "..."] {
        if let Some(rest) = line.strip_prefix(m)
            && (rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
        {
            return Some(m);
        }
    }
    None
}

/// Splits a YAML stream into its documents at `---` and `...` markers. A marker at the start of
/// a line always ends a document, even inside a scalar, so this needs no YAML parser.
pub fn split_documents(text: &str) -> Vec<Document<'_>> {
    split_from(text, true)
}

/// [`split_documents`] of a text that starts the stream (where comments before the first `---`
/// are no document) or continues it from a `---` line (a batch of a streamed read).
fn split_from(text: &str, starts_stream: bool) -> Vec<Document<'_>> {
    // (start byte, end byte, first line, text of a `--- content` marker line)
    let mut ranges: Vec<(usize, usize, usize, Option<String>)> = Vec::new();
    let mut start = 0usize;
    let mut first_line = 1usize;
    let mut prefix: Option<String> = None;
    let mut offset = 0usize;
    for (line_index, line) in text.split_inclusive('\n').enumerate() {
        let line_no = line_index + 1;
        if let Some(m) = marker(line) {
            // Close the document before the marker; a leading marker closes nothing.
            if line_no > 1 {
                ranges.push((start, offset, first_line, prefix.take()));
            }
            let rest = &line[3..];
            let content = rest.trim();
            start = offset + line.len();
            first_line = line_no + 1;
            if m == "---" && !content.is_empty() && !content.starts_with('#') {
                // `--- {a: 1}` or `--- !tag`: the document starts on the marker's line.
                prefix = Some(format!("   {rest}"));
                first_line = line_no;
            }
        }
        offset += line.len();
    }
    ranges.push((start, text.len(), first_line, prefix));
    // Comments before the first `---` are not a document of their own.
    if starts_stream
        && ranges.len() > 1
        && ranges[0].3.is_none()
        && is_blank(&text[ranges[0].0..ranges[0].1])
    {
        ranges.remove(0);
    }
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, (from, to, first_line, prefix))| Document {
            range: from..to,
            text: match prefix {
                Some(mut p) => {
                    p.push_str(&text[from..to]);
                    Cow::Owned(p)
                }
                None => Cow::Borrowed(&text[from..to]),
            },
            first_line,
            index: i + 1,
        })
        .collect()
}

/// Whether a document holds nothing but blank lines, comments and directives.
fn is_blank(text: &str) -> bool {
    text.lines().all(|line| {
        let t = line.trim();
        t.is_empty() || t.starts_with('#') || line.starts_with('%')
    })
}

/// The line, from 1, of the first content line of a text.
fn content_line(text: &str) -> usize {
    text.lines()
        .position(|line| {
            let t = line.trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .map_or(1, |i| i + 1)
}

fn yaml_options(doc_len: usize, limits: Limits) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    // Each parser event needs input bytes; aliases are bounded separately by the alias limits.
    budget.max_events = budget.max_events.max(doc_len);
    budget.max_nodes = budget.max_nodes.max(doc_len / 2);
    budget.max_depth = limits.max_depth;
    budget.max_documents = 1;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    options
}

fn parse_yaml_document(
    origin: &Origin,
    doc: &Document<'_>,
    limits: Limits,
) -> Vec<Result<Manifest, LoadError>> {
    if is_blank(&doc.text) {
        return Vec::new();
    }
    let line = doc.first_line + content_line(&doc.text) - 1;
    let error_at = |line: usize, column: Option<usize>, message: String| LoadError {
        origin: origin.clone(),
        line: Some(line),
        column,
        message,
    };
    if doc.text.len() > limits.max_document_bytes {
        return vec![Err(error_at(
            line,
            None,
            format!(
                "document {} is {} bytes, over the {}-byte limit for one document; split it, or pass JSON",
                doc.index,
                doc.text.len(),
                limits.max_document_bytes
            ),
        ))];
    }
    match serde_saphyr::from_str_with_options::<Value>(
        &doc.text,
        yaml_options(doc.text.len(), limits),
    ) {
        Ok(Value::Null) => Vec::new(),
        Ok(value) => {
            let source = Source {
                origin: origin.clone(),
                document: doc.index,
                line,
                item: None,
            };
            objects(value, source)
        }
        Err(e) => {
            let (err_line, column) = e.location().map_or((line, None), |l| {
                (
                    doc.first_line + l.line() as usize - 1,
                    Some(l.column() as usize),
                )
            });
            vec![Err(error_at(err_line, column, yaml_message(&e)))]
        }
    }
}

/// serde-saphyr's message without the location it appends (the error carries that already).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    let text = match text.find(" at line ") {
        Some(i) => &text[..i],
        None => text,
    };
    let text = match text.strip_prefix("line ") {
        // "line 2 column 1: message" form
        Some(rest) => rest.split_once(": ").map_or(rest, |(_, m)| m),
        None => text,
    };
    let text = text.lines().next().unwrap_or(text);
    if text.contains("budget breached") {
        format!("refused: {text} (alias expansion, nesting or size over the safety limits)")
    } else {
        format!("invalid YAML: {text}")
    }
}

fn parse_json(origin: &Origin, text: &str) -> Vec<Result<Manifest, LoadError>> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut line = 1usize;
    let mut counted = 0usize; // bytes of `text` whose newlines `line` accounts for
    let mut index = 0usize;
    loop {
        let offset = stream.byte_offset();
        let rest = &text[offset..];
        let skipped = rest.len() - rest.trim_start().len();
        let start = offset + skipped;
        line += text[counted..start].matches('\n').count();
        counted = start;
        match stream.next() {
            None => break,
            Some(Ok(value)) => {
                index += 1;
                let source = Source {
                    origin: origin.clone(),
                    document: index,
                    line,
                    item: None,
                };
                out.extend(objects(value, source));
            }
            Some(Err(e)) => {
                out.push(Err(LoadError {
                    origin: origin.clone(),
                    line: Some(e.line()),
                    column: Some(e.column()),
                    message: format!("invalid JSON: {}", json_message(&e)),
                }));
                break;
            }
        }
    }
    out
}

fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Checks that a value is a Kubernetes object and flattens Lists.
fn objects(value: Value, source: Source) -> Vec<Result<Manifest, LoadError>> {
    let error = |message: String| {
        vec![Err(LoadError {
            origin: source.origin.clone(),
            line: Some(source.line),
            column: None,
            message,
        })]
    };
    let Value::Object(map) = &value else {
        return error(format!(
            "document {} is {}, not a Kubernetes object (a mapping with apiVersion and kind)",
            source.document,
            type_name(&value)
        ));
    };
    let kind = map.get("kind").and_then(Value::as_str).unwrap_or_default();
    let api_version = map
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let what = if source.item.is_some() {
        "List item"
    } else {
        "object"
    };
    if kind.is_empty() {
        return error(format!(
            "{what} has no `kind` (document {})",
            source.document
        ));
    }
    if api_version.is_empty() {
        return error(format!(
            "{what} of kind `{kind}` has no `apiVersion` (document {})",
            source.document
        ));
    }
    let is_list =
        kind == "List" || (kind.ends_with("List") && map.get("items").is_some_and(Value::is_array));
    if !is_list {
        return vec![Ok(Manifest {
            object: value,
            source,
        })];
    }
    let item_kind = kind
        .strip_suffix("List")
        .filter(|k| !k.is_empty())
        .map(str::to_owned);
    let api_version = api_version.to_owned();
    let Value::Object(mut map) = value else {
        return Vec::new();
    };
    let items = match map.remove("items") {
        Some(Value::Array(items)) => items,
        Some(Value::Null) | None => Vec::new(),
        Some(other) => {
            return error(format!(
                "the `items` of a List must be a list, not {}",
                type_name(&other)
            ));
        }
    };
    let mut out = Vec::new();
    for (i, mut item) in items.into_iter().enumerate() {
        // Typed lists (`DeploymentList`) may leave kind and apiVersion off their items.
        if let (Value::Object(fields), Some(item_kind)) = (&mut item, &item_kind) {
            fields
                .entry("kind")
                .or_insert_with(|| Value::String(item_kind.clone()));
            fields
                .entry("apiVersion")
                .or_insert_with(|| Value::String(api_version.clone()));
        }
        let item_source = Source {
            item: Some(i),
            ..source.clone()
        };
        out.extend(objects(item, item_source));
    }
    out
}

#[cfg(test)]
mod tests;
