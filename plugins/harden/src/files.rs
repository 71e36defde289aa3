//! Fixes written into manifest files, batch by batch: each document's patches spliced into its
//! own text, new objects (`--add-missing`) as new documents after the object they belong with.
//! A file's pieces (unchanged text, changed regions) go to a [`Pieces`] sink as they are made:
//! the fixed text ([`Text`]) or a unified diff ([`Diff`]), so no file is ever held whole.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::ops::Range;
use std::path::PathBuf;

use serde_json::Value;
use shipshape::manifests::{Batch, Document, Manifest, Origin};
use shipshape::yamledit::{self, Patch};

use crate::fix::Plan;

/// What changes in one document: its objects' patches, and the new objects after it.
#[derive(Debug, Default)]
pub struct DocumentEdit<'p> {
    pub patches: Vec<&'p Patch>,
    pub additions: Vec<&'p Value>,
    /// Whether a patched object is an item of a `kind: List`.
    pub in_list: bool,
}

/// The edits of a batch, by document index; documents without edits are absent.
pub type Edits<'p> = HashMap<usize, DocumentEdit<'p>>;

/// Where a file's pieces go, in order: together they are the whole fixed file.
pub trait Pieces {
    /// Text the fix leaves as it is.
    fn same(&mut self, text: &str) -> io::Result<()>;
    /// A region (whole lines) the fix changed, before and after.
    fn changed(&mut self, before: &str, after: &str) -> io::Result<()>;
}

/// The fixed text.
pub struct Text<W>(pub W);

impl<W: Write> Pieces for Text<W> {
    fn same(&mut self, text: &str) -> io::Result<()> {
        self.0.write_all(text.as_bytes())
    }

    fn changed(&mut self, _: &str, after: &str) -> io::Result<()> {
        self.0.write_all(after.as_bytes())
    }
}

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// A unified diff, `git diff` style, written hunk by hunk as the pieces come: memory for the
/// hunk being written, not the file. Only changed regions are diffed (Myers, line by line),
/// so the time is linear in the file; the hunks are those of a diff of the whole file.
pub struct Diff<W> {
    out: W,
    name: String,
    /// Lines read so far, before and after.
    old_line: usize,
    new_line: usize,
    /// The hunk being written, if a change is near.
    hunk: Option<Hunk>,
    /// Unchanged lines since the last change (or the last lines, with no hunk open).
    tail: std::collections::VecDeque<String>,
    header_written: bool,
}

struct Hunk {
    old_start: usize,
    new_start: usize,
    old_len: usize,
    new_len: usize,
    lines: String,
}

impl<W: Write> Diff<W> {
    /// A diff of the file `name` written to `out` (nothing when nothing changes).
    pub fn new(name: &str, out: W) -> Self {
        Self {
            out,
            name: name.trim_start_matches('/').to_owned(),
            old_line: 0,
            new_line: 0,
            hunk: None,
            tail: Default::default(),
            header_written: false,
        }
    }

    fn line(lines: &mut String, tag: char, text: &str) {
        lines.push(tag);
        lines.push_str(text);
        if !text.ends_with('\n') {
            lines.push_str("\n\\ No newline at end of file\n");
        }
    }

    fn equal(&mut self, text: &str) -> io::Result<()> {
        self.old_line += 1;
        self.new_line += 1;
        self.tail.push_back(text.to_owned());
        if self.hunk.is_some() && self.tail.len() > 2 * CONTEXT {
            // Too far from the next change: the hunk ends with its context.
            let mut hunk = self.hunk.take().expect("open");
            for line in self.tail.drain(..CONTEXT) {
                Self::line(&mut hunk.lines, ' ', &line);
                hunk.old_len += 1;
                hunk.new_len += 1;
            }
            self.flush(hunk)?;
        }
        if self.hunk.is_none() {
            while self.tail.len() > CONTEXT {
                self.tail.pop_front();
            }
        }
        Ok(())
    }

    fn change(&mut self, tag: char, text: &str) {
        let hunk = self.hunk.get_or_insert_with(|| Hunk {
            old_start: self.old_line - self.tail.len(),
            new_start: self.new_line - self.tail.len(),
            old_len: 0,
            new_len: 0,
            lines: String::new(),
        });
        for line in self.tail.drain(..) {
            Self::line(&mut hunk.lines, ' ', &line);
            hunk.old_len += 1;
            hunk.new_len += 1;
        }
        Self::line(&mut hunk.lines, tag, text);
        if tag == '-' {
            hunk.old_len += 1;
            self.old_line += 1;
        } else {
            hunk.new_len += 1;
            self.new_line += 1;
        }
    }

    fn flush(&mut self, hunk: Hunk) -> io::Result<()> {
        if !self.header_written {
            self.header_written = true;
            write!(self.out, "--- a/{0}\n+++ b/{0}\n", self.name)?;
        }
        // As `diff -u`: a range of one line is its number, an empty one starts before it.
        let range = |start: usize, len: usize| match len {
            1 => format!("{}", start + 1),
            0 => format!("{start},0"),
            _ => format!("{},{len}", start + 1),
        };
        write!(
            self.out,
            "@@ -{} +{} @@\n{}",
            range(hunk.old_start, hunk.old_len),
            range(hunk.new_start, hunk.new_len),
            hunk.lines
        )
    }

    /// Ends the diff, returning where it was written.
    pub fn finish(mut self) -> io::Result<W> {
        if let Some(mut hunk) = self.hunk.take() {
            for line in self.tail.drain(..).take(CONTEXT) {
                Self::line(&mut hunk.lines, ' ', &line);
                hunk.old_len += 1;
                hunk.new_len += 1;
            }
            self.flush(hunk)?;
        }
        Ok(self.out)
    }
}

impl<W: Write> Pieces for Diff<W> {
    fn same(&mut self, text: &str) -> io::Result<()> {
        for line in text.split_inclusive('\n') {
            self.equal(line)?;
        }
        Ok(())
    }

    fn changed(&mut self, before: &str, after: &str) -> io::Result<()> {
        use similar::{Algorithm, DiffOp, capture_diff_slices};
        let old: Vec<&str> = before.split_inclusive('\n').collect();
        let new: Vec<&str> = after.split_inclusive('\n').collect();
        for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
            if let DiffOp::Equal { old_index, len, .. } = op {
                for line in &old[old_index..old_index + len] {
                    self.equal(line)?;
                }
                continue;
            }
            for i in op.old_range() {
                self.change('-', old[i]);
            }
            for i in op.new_range() {
                self.change('+', new[i]);
            }
        }
        Ok(())
    }
}

/// What the first read knows of a file before it is edited.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    /// The line of its first Helm/Go template action.
    template: Option<usize>,
    /// A `.json` file.
    json: bool,
    /// Whether it has lines ending in CRLF, and in a bare LF.
    crlf: bool,
    lf: bool,
}

impl FileFacts {
    /// Takes note of the next batch of the file.
    pub fn note(&mut self, batch: &Batch) {
        self.json =
            matches!(&batch.origin, Origin::File(p) if p.extension().is_some_and(|e| e == "json"));
        if self.template.is_none() {
            self.template = template_line(&batch.text).map(|line| line + batch.line_offset);
        }
        let crlf = batch.text.matches("\r\n").count();
        self.crlf |= crlf > 0;
        self.lf |= batch.text.bytes().filter(|b| *b == b'\n').count() > crlf;
    }

    /// Why the file cannot be edited in place, if it cannot.
    fn refusal(&self) -> Option<(Option<usize>, String)> {
        if let Some(line) = self.template {
            return Some((
                Some(line),
                "Helm template syntax (`{{ }}`): fix the chart's values file (securityContext, resources, probes) or the rendered output of `helm template`, not the template".into(),
            ));
        }
        self.json.then(|| {
            (
                None,
                "JSON manifests are not edited in place: convert the file to YAML, or fix the live objects".into(),
            )
        })
    }

    /// Whether every line ends in CRLF: such a file is edited as LF and written back as CRLF,
    /// so the lines a fix inserts match.
    fn crlf(&self) -> bool {
        self.crlf && !self.lf
    }
}

/// The line of the first Helm/Go template action (`{{ … }}`) outside comments.
fn template_line(text: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let code = line.split(" #").next().unwrap_or_default();
            !line.trim_start().starts_with('#') && code.contains("{{")
        })
        .map(|i| i + 1)
}

/// Why a file cannot be fixed in place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct FileError {
    /// The source it is about.
    pub origin: Origin,
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

/// The name of a source for messages and diffs.
pub fn name_of(origin: &Origin) -> String {
    match origin {
        Origin::File(path) => path.display().to_string(),
        other => other.to_string(),
    }
}

/// One file being fixed, batch by batch. Once it fails (a template, JSON, an edit that cannot
/// be made) the rest of it is not edited, and what was written of it must be discarded.
pub struct FileFix {
    origin: Origin,
    facts: FileFacts,
    error: Option<FileError>,
    changed: bool,
}

impl FileFix {
    pub fn new(origin: Origin, facts: FileFacts) -> Self {
        Self {
            origin,
            facts,
            error: None,
            changed: false,
        }
    }

    /// Fixes the next batch of the file with `edits`, handing its pieces to `out`.
    pub fn batch(
        &mut self,
        batch: &Batch,
        edits: &Edits<'_>,
        out: &mut dyn Pieces,
    ) -> io::Result<()> {
        if self.error.is_some() {
            return Ok(());
        }
        if edits.is_empty() {
            return out.same(&batch.text);
        }
        if let Some((line, message)) = self.facts.refusal() {
            self.fail(line, message);
            return Ok(());
        }
        let crlf = self.facts.crlf();
        let lf;
        let batch = if crlf {
            lf = Batch {
                origin: batch.origin.clone(),
                text: batch.text.replace("\r\n", "\n"),
                line_offset: batch.line_offset,
                index_offset: batch.index_offset,
                results: Vec::new(),
            };
            &lf
        } else {
            batch
        };
        let text = batch.text.as_str();
        let splices = match splice(&batch.documents(), edits) {
            Ok(splices) => splices,
            Err((line, message)) => {
                self.fail(line, message);
                return Ok(());
            }
        };
        let mut at = 0;
        for (range, with) in splices {
            out.same(&crlf_back(&text[at..range.start], crlf))?;
            let before = &text[range.clone()];
            self.changed |= before != with;
            out.changed(&crlf_back(before, crlf), &crlf_back(&with, crlf))?;
            at = range.end;
        }
        out.same(&crlf_back(&text[at..], crlf))
    }

    fn fail(&mut self, line: Option<usize>, message: String) {
        self.error = Some(FileError {
            file: name_of(&self.origin),
            origin: self.origin.clone(),
            line,
            message,
        });
    }

    /// Whether the fix changed the file (so far).
    pub fn changed(&self) -> bool {
        self.changed
    }

    /// The file it fixes.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The file's outcome: why it could not be fixed, or the file and whether it changed.
    pub fn finish(self) -> Result<(Origin, bool), FileError> {
        match self.error {
            Some(error) => Err(error),
            None => Ok((self.origin, self.changed)),
        }
    }
}

/// A piece of an LF-edited CRLF file in CRLF again.
fn crlf_back(piece: &str, crlf: bool) -> Cow<'_, str> {
    if crlf {
        Cow::Owned(piece.replace('\n', "\r\n"))
    } else {
        Cow::Borrowed(piece)
    }
}

/// Why an edit cannot be made: the line, and the reason.
type EditFailure = (Option<usize>, String);

/// The splices of a batch's edits: (the document's byte range, its new text), in order; or
/// the line and reason an edit cannot be made.
fn splice(
    documents: &[Document<'_>],
    edits: &Edits<'_>,
) -> Result<Vec<(Range<usize>, String)>, EditFailure> {
    let mut splices = Vec::new();
    for doc in documents {
        let Some(edit) = edits.get(&doc.index) else {
            continue;
        };
        if edit.patches.is_empty() && edit.additions.is_empty() {
            continue;
        }
        let mut new_text = doc.text.to_string();
        if !edit.patches.is_empty() {
            if edit.in_list {
                return Err((
                    Some(doc.first_line),
                    "objects inside a `kind: List` are not edited in place: split the list into documents".into(),
                ));
            }
            if doc.range.len() != doc.text.len() {
                return Err((
                    Some(doc.first_line),
                    "the document starts on its `---` line: move its content to the next line"
                        .into(),
                ));
            }
            for patch in &edit.patches {
                new_text = yamledit::apply(&new_text, patch).map_err(|e| {
                    let (line, message) = match e {
                        yamledit::EditError::Parse { line, message }
                        | yamledit::EditError::Shape { line, message } => (line, message),
                    };
                    (Some(doc.first_line + line - 1), message)
                })?;
            }
        }
        for object in &edit.additions {
            if !new_text.is_empty() && !new_text.ends_with('\n') {
                new_text.push('\n');
            }
            let yaml = shipshape::output::to_yaml(object).map_err(|e| (None, e.to_string()))?;
            new_text.push_str("---\n");
            new_text.push_str(&yaml);
        }
        splices.push((doc.range.clone(), new_text));
    }
    Ok(splices)
}

/// The edits of `plan` for the objects `indices` (positions in `manifests`).
pub fn edits_of<'p>(manifests: &[Manifest], indices: &[usize], plan: &'p Plan) -> Edits<'p> {
    let mut edits = Edits::new();
    let mut additions: HashMap<usize, Vec<&Value>> = HashMap::new();
    for addition in &plan.additions {
        additions
            .entry(addition.after)
            .or_default()
            .push(&addition.object);
    }
    for &i in indices {
        add_edit(
            &mut edits,
            &manifests[i].source,
            &plan.patches[i],
            additions.remove(&i).unwrap_or_default(),
        );
    }
    edits
}

/// Adds an object's patch and the new objects after it to the edits of its document (nothing
/// when neither changes anything).
pub fn add_edit<'p>(
    edits: &mut Edits<'p>,
    source: &shipshape::manifests::Source,
    patch: &'p Patch,
    additions: Vec<&'p Value>,
) {
    if patch.is_empty() && additions.is_empty() {
        return;
    }
    let edit = edits.entry(source.document).or_default();
    if !patch.is_empty() {
        edit.patches.push(patch);
        edit.in_list |= source.item.is_some();
    }
    edit.additions.extend(additions);
}

/// One source file (or stdin) and its fixed text, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedFile {
    /// Where it came from.
    pub origin: Origin,
    /// The text before.
    pub before: String,
    /// The text after.
    pub after: String,
    /// The byte ranges that changed, in order: (in `before`, in `after`), each starting on a
    /// line. Empty when unknown: the whole file is diffed then.
    pub regions: Vec<(Range<usize>, Range<usize>)>,
}

impl FixedFile {
    /// Whether the fix changed it.
    pub fn changed(&self) -> bool {
        self.before != self.after
    }

    /// The name for messages and diffs.
    pub fn name(&self) -> String {
        name_of(&self.origin)
    }

    /// Its unified diff ([`Diff`]), empty when unchanged.
    pub fn diff(&self) -> String {
        let mut diff = Diff::new(&self.name(), Vec::new());
        let mut at = 0;
        let regions = if self.regions.is_empty() && self.changed() {
            vec![(0..self.before.len(), 0..self.after.len())]
        } else {
            self.regions.clone()
        };
        for (before, after) in regions {
            diff.same(&self.before[at..before.start])
                .expect("in memory");
            diff.changed(&self.before[before.clone()], &self.after[after])
                .expect("in memory");
            at = before.end;
        }
        diff.same(&self.before[at..]).expect("in memory");
        String::from_utf8(diff.finish().expect("in memory")).expect("UTF-8 in, UTF-8 out")
    }
}

/// Records the pieces of a file in memory, with the regions that changed.
#[derive(Default)]
struct Recorder {
    before: String,
    after: String,
    regions: Vec<(Range<usize>, Range<usize>)>,
}

impl Pieces for Recorder {
    fn same(&mut self, text: &str) -> io::Result<()> {
        self.before.push_str(text);
        self.after.push_str(text);
        Ok(())
    }

    fn changed(&mut self, before: &str, after: &str) -> io::Result<()> {
        let (b, a) = (self.before.len(), self.after.len());
        self.before.push_str(before);
        self.after.push_str(after);
        self.regions
            .push((b..self.before.len(), a..self.after.len()));
        Ok(())
    }
}

/// Applies a plan to the texts the manifests were read from, in memory: each source as one
/// batch through the same [`FileFix`] the streamed fix uses. A file that cannot be edited is
/// an error of its own and does not stop the others.
pub fn apply(
    manifests: &[Manifest],
    plan: &Plan,
    texts: &BTreeMap<Origin, String>,
) -> (Vec<FixedFile>, Vec<FileError>) {
    let mut by_origin: BTreeMap<&Origin, Vec<usize>> = BTreeMap::new();
    for (index, manifest) in manifests.iter().enumerate() {
        by_origin
            .entry(&manifest.source.origin)
            .or_default()
            .push(index);
    }
    let (mut fixed, mut errors) = (Vec::new(), Vec::new());
    for (origin, indices) in by_origin {
        let Some(text) = texts.get(origin) else {
            continue;
        };
        let batch = Batch {
            origin: origin.clone(),
            text: text.clone(),
            line_offset: 0,
            index_offset: 0,
            results: Vec::new(),
        };
        let mut facts = FileFacts::default();
        facts.note(&batch);
        let mut file = FileFix::new(origin.clone(), facts);
        let mut recorder = Recorder::default();
        file.batch(&batch, &edits_of(manifests, &indices, plan), &mut recorder)
            .expect("in memory");
        match file.finish() {
            Ok(_) => fixed.push(FixedFile {
                origin: origin.clone(),
                before: recorder.before,
                after: recorder.after,
                regions: recorder.regions,
            }),
            Err(error) => errors.push(error),
        }
    }
    (fixed, errors)
}

/// Where `--output-dir` puts a fixed file: its path under the `-f` directory it was found in,
/// or its file name.
pub fn output_path(dir: &std::path::Path, file: &std::path::Path, roots: &[PathBuf]) -> PathBuf {
    let relative = roots
        .iter()
        .filter(|root| root.is_dir())
        .find_map(|root| file.strip_prefix(root).ok())
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| file.file_name().map(PathBuf::from).unwrap_or_default());
    dir.join(relative)
}

/// Replaces a file's content atomically (a temporary file in the same directory, renamed over
/// it), keeping its permissions. A symlink is followed, as editors do: its target gets the new
/// text and the link stays a link. The error names the path and what failed.
pub fn write_atomically(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    write_from(path, &mut text.as_bytes())
}

/// [`write_atomically`] with the content read from `content`.
pub fn write_from(path: &std::path::Path, content: &mut dyn io::Read) -> anyhow::Result<()> {
    use anyhow::Context;
    let target = if path.is_symlink() {
        std::fs::canonicalize(path).with_context(|| {
            format!(
                "cannot write {}: it is a symlink whose target cannot be resolved",
                path.display()
            )
        })?
    } else {
        path.to_path_buf()
    };
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create directory {}", dir.display()))?;
    let permissions = std::fs::metadata(&target).map(|m| m.permissions()).ok();
    let write = || -> std::io::Result<()> {
        let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
        io::copy(content, &mut temporary)?;
        if let Some(permissions) = permissions {
            temporary.as_file().set_permissions(permissions)?;
        }
        temporary.persist(&target).map_err(|e| e.error)?;
        Ok(())
    };
    write().with_context(|| format!("cannot write {}", target.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writing_through_a_symlink_changes_its_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().expect("tempdir");
        let shared = dir.path().join("shared.yaml");
        std::fs::write(&shared, "old\n").expect("write");
        let link = dir.path().join("link.yaml");
        std::os::unix::fs::symlink(&shared, &link).expect("symlink");
        write_atomically(&link, "new\n").expect("written");
        assert!(link.is_symlink(), "the link is still a link");
        assert_eq!(std::fs::read_to_string(&shared).expect("read"), "new\n");
    }

    #[test]
    fn a_failed_write_names_the_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").expect("write");
        let err = write_atomically(&blocker.join("out.yaml"), "x").expect_err("not a directory");
        let text = format!("{err:#}");
        assert!(text.contains(&blocker.display().to_string()), "{text}");
        let dangling = dir.path().join("dangling.yaml");
        std::os::unix::fs::symlink(dir.path().join("gone"), &dangling).expect("symlink");
        let err = write_atomically(&dangling, "x").expect_err("dangling");
        assert!(format!("{err:#}").contains("dangling.yaml"), "{err:#}");
    }
}
