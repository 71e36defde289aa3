//! Fixes written into manifest files: each document's patch spliced into its own text, new
//! objects (`--add-missing`) as new documents after the object they belong with.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use shipshape::manifests::{Manifest, Origin, split_documents};
use shipshape::yamledit::{self, Patch};

use crate::fix::Plan;

/// A changed region: its byte range in the original text and in the fixed text.
pub type Region = (Range<usize>, Range<usize>);

/// One source file (or stdin) and its fixed text.
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
    pub regions: Vec<Region>,
}

impl FixedFile {
    /// Whether the fix changed it.
    pub fn changed(&self) -> bool {
        self.before != self.after
    }

    /// The name for messages and diffs.
    pub fn name(&self) -> String {
        match &self.origin {
            Origin::File(path) => path.display().to_string(),
            other => other.to_string(),
        }
    }

    /// A unified diff, `git diff` style, empty when unchanged. Only the changed regions are
    /// diffed (and their hunks stitched together with the unchanged text between them), so the
    /// time is linear in the file, not in its size times the number of changes.
    pub fn diff(&self) -> String {
        use similar::{Algorithm, DiffOp, capture_diff_slices, group_diff_ops};
        if !self.changed() {
            return String::new();
        }
        let old: Vec<&str> = self.before.split_inclusive('\n').collect();
        let new: Vec<&str> = self.after.split_inclusive('\n').collect();
        let ops = if self.regions.is_empty() {
            capture_diff_slices(Algorithm::Myers, &old, &new)
        } else {
            let mut ops = Vec::new();
            // Line indices: regions start on lines, so count newlines up to each.
            let (mut old_line, mut new_line, mut old_byte, mut new_byte) = (0, 0, 0, 0);
            let lines = |text: &str| text.bytes().filter(|b| *b == b'\n').count();
            for (before, after) in &self.regions {
                let old_start = old_line + lines(&self.before[old_byte..before.start]);
                let new_start = new_line + lines(&self.after[new_byte..after.start]);
                if old_start > old_line {
                    ops.push(DiffOp::Equal {
                        old_index: old_line,
                        new_index: new_line,
                        len: old_start - old_line,
                    });
                }
                let old_end = old_start + lines(&self.before[before.clone()]);
                let new_end = new_start + lines(&self.after[after.clone()]);
                let (old_end, new_end) = (old_end.min(old.len()), new_end.min(new.len()));
                let (old_end, new_end) = if before.end == self.before.len() {
                    (old.len(), new.len())
                } else {
                    (old_end, new_end)
                };
                for op in capture_diff_slices(
                    Algorithm::Myers,
                    &old[old_start..old_end],
                    &new[new_start..new_end],
                ) {
                    ops.push(shift(op, old_start, new_start));
                }
                (old_line, new_line, old_byte, new_byte) =
                    (old_end, new_end, before.end, after.end);
            }
            if old_line < old.len() {
                ops.push(DiffOp::Equal {
                    old_index: old_line,
                    new_index: new_line,
                    len: old.len() - old_line,
                });
            }
            ops
        };
        let name = self.name();
        let name = name.trim_start_matches('/');
        let mut out = format!("--- a/{name}\n+++ b/{name}\n");
        for group in group_diff_ops(merge_equal(ops), 3) {
            out.push_str(&format!(
                "{}\n",
                similar::udiff::UnifiedHunkHeader::new(&group)
            ));
            for op in &group {
                let mut line = |tag: char, text: &str| {
                    out.push(tag);
                    out.push_str(text);
                    if !text.ends_with('\n') {
                        out.push_str("\n\\ No newline at end of file\n");
                    }
                };
                for i in op.old_range() {
                    let tag = if matches!(op, DiffOp::Equal { .. }) {
                        ' '
                    } else {
                        '-'
                    };
                    line(tag, old[i]);
                }
                if !matches!(op, DiffOp::Equal { .. }) {
                    for i in op.new_range() {
                        line('+', new[i]);
                    }
                }
            }
        }
        out
    }
}

/// Adjacent `Equal` ops as one, as a whole-file diff has them (grouping hunks relies on it).
fn merge_equal(ops: Vec<similar::DiffOp>) -> Vec<similar::DiffOp> {
    use similar::DiffOp;
    let mut merged: Vec<DiffOp> = Vec::with_capacity(ops.len());
    for op in ops {
        match (merged.last_mut(), op) {
            (Some(DiffOp::Equal { len, .. }), DiffOp::Equal { len: more, .. }) => *len += more,
            (_, op) => merged.push(op),
        }
    }
    merged
}

/// A diff op of a region, moved to the region's place in the file.
fn shift(op: similar::DiffOp, old: usize, new: usize) -> similar::DiffOp {
    use similar::DiffOp;
    match op {
        DiffOp::Equal {
            old_index,
            new_index,
            len,
        } => DiffOp::Equal {
            old_index: old_index + old,
            new_index: new_index + new,
            len,
        },
        DiffOp::Delete {
            old_index,
            old_len,
            new_index,
        } => DiffOp::Delete {
            old_index: old_index + old,
            old_len,
            new_index: new_index + new,
        },
        DiffOp::Insert {
            old_index,
            new_index,
            new_len,
        } => DiffOp::Insert {
            old_index: old_index + old,
            new_index: new_index + new,
            new_len,
        },
        DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        } => DiffOp::Replace {
            old_index: old_index + old,
            old_len,
            new_index: new_index + new,
            new_len,
        },
    }
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

/// The line of the first Helm/Go template action (`{{ … }}`) outside comments.
fn template_line(text: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let code = line.split(" #").next().unwrap_or_default();
            !line.trim_start().starts_with('#') && code.contains("{{")
        })
        .map(|i| i + 1)
}

/// Applies a plan to the texts the manifests were read from. `texts` holds each source's text
/// (read again from disk, or kept from stdin). A file that cannot be edited in place is an
/// error of its own and does not stop the others: every file that can be fixed is.
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
    let anchors: std::collections::HashSet<usize> =
        plan.additions.iter().map(|a| a.after).collect();
    let mut fixed = Vec::new();
    let mut errors = Vec::new();
    for (origin, indices) in by_origin {
        let Some(text) = texts.get(origin) else {
            continue;
        };
        let file = match origin {
            Origin::File(path) => path.display().to_string(),
            other => other.to_string(),
        };
        let error = |line: Option<usize>, message: String| FileError {
            origin: origin.clone(),
            file: file.clone(),
            line,
            message,
        };
        let touched = indices
            .iter()
            .any(|i| !plan.patches[*i].is_empty() || anchors.contains(i));
        if !touched {
            fixed.push(FixedFile {
                origin: origin.clone(),
                before: text.clone(),
                after: text.clone(),
                regions: Vec::new(),
            });
            continue;
        }
        if let Some(line) = template_line(text) {
            errors.push(error(
                Some(line),
                "Helm template syntax (`{{ }}`): fix the chart's values file (securityContext, resources, probes) or the rendered output of `helm template`, not the template".into(),
            ));
            continue;
        }
        if matches!(origin, Origin::File(p) if p.extension().is_some_and(|e| e == "json")) {
            errors.push(error(None, "JSON manifests are not edited in place: convert the file to YAML, or fix the live objects".into()));
            continue;
        }
        // CRLF files are edited as LF and written back as CRLF, so inserted lines match.
        let crlf = text.contains("\r\n") && !text.replace("\r\n", "").contains('\n');
        let edited = if crlf {
            // Byte ranges of the LF text do not hold in the CRLF one: diff the whole file.
            fix_text(&text.replace("\r\n", "\n"), manifests, &indices, plan)
                .map(|(after, _)| (after.replace('\n', "\r\n"), Vec::new()))
        } else {
            fix_text(text, manifests, &indices, plan)
        };
        match edited {
            Ok((after, regions)) => fixed.push(FixedFile {
                origin: origin.clone(),
                before: text.clone(),
                after,
                regions,
            }),
            Err((line, message)) => errors.push(error(line, message)),
        }
    }
    (fixed, errors)
}

fn fix_text(
    text: &str,
    manifests: &[Manifest],
    indices: &[usize],
    plan: &Plan,
) -> Result<(String, Vec<Region>), (Option<usize>, String)> {
    // Lookups by document and by object, so the work is linear in the file.
    let mut by_document: std::collections::HashMap<usize, Vec<usize>> =
        std::collections::HashMap::new();
    for &i in indices {
        by_document
            .entry(manifests[i].source.document)
            .or_default()
            .push(i);
    }
    let mut additions_after: std::collections::HashMap<usize, Vec<&serde_json::Value>> =
        std::collections::HashMap::new();
    for addition in &plan.additions {
        additions_after
            .entry(addition.after)
            .or_default()
            .push(&addition.object);
    }
    let mut splices: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for doc in split_documents(text) {
        let Some(in_doc) = by_document.get(&doc.index) else {
            continue;
        };
        let patches: Vec<&Patch> = in_doc
            .iter()
            .map(|i| &plan.patches[*i])
            .filter(|p| !p.is_empty())
            .collect();
        let additions: Vec<&serde_json::Value> = in_doc
            .iter()
            .filter_map(|i| additions_after.get(i))
            .flatten()
            .copied()
            .collect();
        if patches.is_empty() && additions.is_empty() {
            continue;
        }
        let mut new_text = doc.text.to_string();
        if !patches.is_empty() {
            if in_doc.iter().any(|i| manifests[*i].source.item.is_some()) {
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
            for patch in patches {
                new_text = yamledit::apply(&new_text, patch).map_err(|e| {
                    let (line, message) = match e {
                        yamledit::EditError::Parse { line, message }
                        | yamledit::EditError::Shape { line, message } => (line, message),
                    };
                    (Some(doc.first_line + line - 1), message)
                })?;
            }
        }
        for object in additions {
            if !new_text.is_empty() && !new_text.ends_with('\n') {
                new_text.push('\n');
            }
            let yaml = shipshape::output::to_yaml(object).map_err(|e| (None, e.to_string()))?;
            new_text.push_str("---\n");
            new_text.push_str(&yaml);
        }
        splices.push((doc.range.clone(), new_text));
    }
    // Splices are in document order: copy the text between them once.
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut regions = Vec::with_capacity(splices.len());
    let mut at = 0;
    for (range, with) in splices {
        out.push_str(&text[at..range.start]);
        let start = out.len();
        out.push_str(&with);
        regions.push((range.clone(), start..out.len()));
        at = range.end;
    }
    out.push_str(&text[at..]);
    Ok((out, regions))
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
        std::io::Write::write_all(&mut temporary, text.as_bytes())?;
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
