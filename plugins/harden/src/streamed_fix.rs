//! `harden fix -f` in a stream, with memory for one batch of documents whatever the input's
//! size, as the streamed audit ([`crate::streamed`]):
//! 1. the first read gathers the audit's [`Context`] and the fix's facts: the RBAC bindings,
//!    each namespace's first workload, and what each file is (a template, JSON, CRLF);
//! 2. when the input holds Namespace objects, a second read plans every workload's fixes to
//!    learn the strictest Pod Security level each namespace meets once fixed;
//! 3. the last read audits and plans each object, splices its patches into its file's text
//!    and writes the pieces (the fixed text, or a diff) to a temporary file per source file,
//!    which is committed (written in place, under `--output-dir`, or to stdout) once the whole
//!    file could be fixed, and dropped when it could not: that file's fixes are then reported
//!    as not written, and the other files are still fixed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufWriter, Seek, SeekFrom};

use rayon::prelude::*;
use shipshape::manifests::{Batch, Limits, LoadError, Manifest, Origin, Sources};

use crate::audit::{self, Context, Finding, Options};
use crate::files::{Diff, Edits, FileError, FileFacts, FileFix, Pieces, Text, add_edit};
use crate::fix::{self, Bindings, Facts, FixOptions, ObjectPlan};
use crate::render::Tally;

/// What the first read found.
pub struct Gathered {
    pub context: Context,
    pub errors: Vec<LoadError>,
    bindings: Bindings,
    first_workloads: HashMap<String, usize>,
    files: HashMap<Origin, FileFacts>,
    /// Whether the input holds Namespace objects (their labels need the levels read).
    namespaces: bool,
    /// The sources that hold objects.
    with_objects: HashSet<Origin>,
}

impl Gathered {
    /// How many files there are to fix (stdout marks each with `# Source:` when several).
    pub fn sources(&self) -> usize {
        self.with_objects.len()
    }
}

/// The first read.
pub fn gather(sources: &Sources, limits: Limits) -> Gathered {
    let mut gathered = Gathered {
        context: Context::default(),
        errors: Vec::new(),
        bindings: Bindings::Known(BTreeMap::new()),
        first_workloads: HashMap::new(),
        files: HashMap::new(),
        namespaces: false,
        with_objects: HashSet::new(),
    };
    let mut index = 0;
    let _ = sources.read::<std::convert::Infallible>(limits, &mut |batch| {
        gathered
            .files
            .entry(batch.origin.clone())
            .or_default()
            .note(&batch);
        for result in batch.results {
            match result {
                Ok(manifest) => {
                    gathered.context.add(&manifest);
                    gathered.bindings.add(&manifest, "in the input");
                    fix::note_first_workload(&mut gathered.first_workloads, index, &manifest);
                    gathered.namespaces |= manifest.kind() == "Namespace";
                    if !gathered.with_objects.contains(&batch.origin) {
                        gathered.with_objects.insert(batch.origin.clone());
                    }
                    index += 1;
                }
                Err(error) => gathered.errors.push(error),
            }
        }
        Ok(())
    });
    gathered
}

/// The objects of a batch, audited (findings pointed at their lines) and planned.
fn planned<'b>(
    batch: &'b Batch,
    base: usize,
    context: &Context,
    options: &Options,
    fix_options: &FixOptions,
    facts: &Facts,
    anchored: &HashMap<usize, Vec<Finding>>,
) -> Vec<(&'b Manifest, ObjectPlan)> {
    let documents = batch.documents();
    let by_index: HashMap<usize, &shipshape::manifests::Document<'_>> =
        documents.iter().map(|d| (d.index, d)).collect();
    let manifests = batch.manifests();
    manifests
        .into_par_iter()
        .enumerate()
        .map(|(i, manifest)| {
            let index = base + i;
            let (_, mut findings) = audit::audit_one(index, manifest, context, options);
            if let Some(document) = by_index.get(&manifest.source.document) {
                crate::locate::point_one(&mut findings, manifest, document);
            }
            let anchored = anchored.get(&index).map_or(&[][..], Vec::as_slice);
            (
                manifest,
                fix::plan_object(manifest, &findings, anchored, fix_options, facts),
            )
        })
        .collect()
}

/// The second read: each namespace's strictest level once its workloads are fixed.
fn levels(
    sources: &Sources,
    gathered: &Gathered,
    options: &Options,
    fix_options: &FixOptions,
    facts: &Facts,
    limits: Limits,
) -> BTreeMap<String, String> {
    let mut strictest = BTreeMap::new();
    let mut next = 0;
    let none = HashMap::new();
    let _ = sources.read::<std::convert::Infallible>(limits, &mut |batch| {
        let base = next;
        let plans = planned(
            &batch,
            base,
            &gathered.context,
            options,
            fix_options,
            facts,
            &none,
        );
        next += plans.len();
        let found = fix::strictest_after(
            plans
                .iter()
                .map(|(manifest, plan)| (*manifest, &plan.patch)),
            fix_options,
        );
        fix::merge_strictest(&mut strictest, found);
        Ok(())
    });
    strictest
}

/// How the fixed files are written.
pub enum Written {
    /// The fixed text.
    Text,
    /// A unified diff.
    Diff,
}

/// What fixing the files did.
pub struct Fixed {
    pub tally: Tally,
    /// Files changed.
    pub changed: usize,
    /// Files that could not be fixed.
    pub skipped: Vec<FileError>,
}

/// Where one file's pieces go until it is committed.
enum Out {
    Text(Text<BufWriter<std::fs::File>>),
    Diff(Diff<BufWriter<std::fs::File>>),
}

impl Out {
    fn pieces(&mut self) -> &mut dyn Pieces {
        match self {
            Out::Text(text) => text,
            Out::Diff(diff) => diff,
        }
    }

    fn finish(self) -> std::io::Result<std::fs::File> {
        let writer = match self {
            Out::Text(Text(writer)) => writer,
            Out::Diff(diff) => diff.finish()?,
        };
        let mut file = writer.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    }
}

/// The file being fixed.
struct Current {
    file: FileFix,
    out: Out,
    /// What was fixed in it, and the same findings as not written (if it fails).
    fixed: Tally,
    unwritten: Tally,
}

/// Commits a fixed file: its origin, whether it changed, and its fixed text or diff.
pub type Commit<'c> = dyn FnMut(&Origin, bool, &mut dyn std::io::Read) -> anyhow::Result<()> + 'c;

/// Fixes every file of `sources` (the first read gathered), committing each file fixed whole.
#[allow(clippy::too_many_arguments)]
pub fn fix_into(
    sources: &Sources,
    gathered: &Gathered,
    options: &Options,
    fix_options: &FixOptions,
    limits: Limits,
    written: Written,
    commit: &mut Commit<'_>,
) -> anyhow::Result<Fixed> {
    let mut facts = Facts {
        bindings: gathered.bindings.clone(),
        strictest: BTreeMap::new(),
    };
    if gathered.namespaces {
        facts.strictest = levels(sources, gathered, options, fix_options, &facts, limits);
    }
    // Namespaces without a Namespace object: their findings go with their first workload.
    let left_over = audit::namespaces_left(&gathered.context, options);
    let (anchored, unanchored) = fix::anchor(&gathered.first_workloads, &left_over);
    let mut fixed = Fixed {
        tally: Tally::new()?,
        changed: 0,
        skipped: Vec::new(),
    };
    let mut current: Option<Current> = None;
    let mut added = fix::Added::default();
    let mut next = 0;
    let mut finish = |current: Current, fixed: &mut Fixed| -> anyhow::Result<()> {
        let Current {
            file,
            out,
            fixed: done,
            unwritten,
        } = current;
        let origin_written = file.finish();
        let mut text = out.finish()?;
        match origin_written {
            Ok((origin, changed)) => {
                fixed.changed += usize::from(changed);
                fixed.tally.extend(done)?;
                if gathered.with_objects.contains(&origin) {
                    commit(&origin, changed, &mut text)?;
                }
            }
            Err(error) => {
                fixed.tally.extend(unwritten)?;
                fixed.skipped.push(error);
            }
        }
        Ok(())
    };
    sources.read::<anyhow::Error>(limits, &mut |batch| {
        if current
            .as_ref()
            .is_none_or(|c| c.file.origin() != &batch.origin)
        {
            if let Some(done) = current.take() {
                finish(done, &mut fixed)?;
            }
            let spool = BufWriter::new(tempfile::tempfile()?);
            current = Some(Current {
                file: FileFix::new(
                    batch.origin.clone(),
                    gathered
                        .files
                        .get(&batch.origin)
                        .cloned()
                        .unwrap_or_default(),
                ),
                out: match written {
                    Written::Text => Out::Text(Text(spool)),
                    Written::Diff => {
                        Out::Diff(Diff::new(&crate::files::name_of(&batch.origin), spool))
                    }
                },
                fixed: Tally::new()?,
                unwritten: Tally::new()?,
            });
        }
        let current = current.as_mut().expect("set above");
        let base = next;
        let plans = planned(
            &batch,
            base,
            &gathered.context,
            options,
            fix_options,
            &facts,
            &anchored,
        );
        next += plans.len();
        let mut edits = Edits::new();
        for (manifest, plan) in &plans {
            let new = plan.additions.iter().filter(|o| added.first(o)).collect();
            add_edit(&mut edits, &manifest.source, &plan.patch, new);
            for finding in &plan.fixed {
                current.fixed.fixed(finding);
                let mut finding = finding.clone();
                finding.message =
                    format!("{} (not written: its file was skipped)", finding.message);
                current.unwritten.manual(&finding)?;
            }
            for finding in &plan.manual {
                fixed.tally.manual(finding)?;
            }
        }
        current.file.batch(&batch, &edits, current.out.pieces())?;
        Ok(())
    })?;
    if let Some(done) = current.take() {
        finish(done, &mut fixed)?;
    }
    for finding in unanchored.into_iter().filter(|f| !f.ignored) {
        fixed.tally.manual(finding)?;
    }
    Ok(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape::manifests::{Input, load};

    /// The streamed fix of `dir`'s files at `batch_bytes`: each committed file's text (or
    /// diff), the counts, and the files skipped.
    fn streamed(
        dir: &std::path::Path,
        batch_bytes: usize,
        written: Written,
        fix_options: &FixOptions,
    ) -> (
        BTreeMap<Origin, String>,
        (usize, usize, usize),
        Vec<FileError>,
    ) {
        let sources = Sources::open(&[Input::Path(dir.to_owned())], &mut std::io::empty())
            .with_batch_bytes(batch_bytes);
        let gathered = gather(&sources, Limits::default());
        assert!(gathered.errors.is_empty(), "{:?}", gathered.errors);
        let mut texts = BTreeMap::new();
        let mut commit = |origin: &Origin, _: bool, text: &mut dyn std::io::Read| {
            let mut read = String::new();
            text.read_to_string(&mut read)?;
            texts.insert(origin.clone(), read);
            Ok(())
        };
        let fixed = fix_into(
            &sources,
            &gathered,
            &Options::default(),
            fix_options,
            Limits::default(),
            written,
            &mut commit,
        )
        .expect("fixed");
        (texts, fixed.tally.counts(), fixed.skipped)
    }

    #[test]
    fn a_streamed_fix_writes_what_the_whole_fix_writes_at_any_batch_size() {
        let dir = tempfile::tempdir().unwrap();
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/hastecrm/insecure");
        for entry in std::fs::read_dir(&sample).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
        // A CRLF file, one that cannot be edited after an edit that can (an alias), a
        // namespace whose DaemonSet keeps it from restricted, and pods of a namespace the
        // input has no Namespace object for.
        std::fs::write(
            dir.path().join("crlf.yaml"),
            "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: crlf\r\n  namespace: shop\r\nspec:\r\n  containers:\r\n    - name: a\r\n      image: a:1\r\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("later.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata: {name: fine, namespace: shop}\nspec:\n  containers:\n    - name: a\n      image: a:1\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: anchors, namespace: shop, labels: &l {app: b}}\nspec:\n  containers: [{name: b, image: 'b:1', env: [{name: X, value: *l}]}]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("nodes.yaml"),
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring}\n---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: node-exporter, namespace: monitoring}\nspec:\n  selector: {matchLabels: {app: n}}\n  template:\n    metadata: {labels: {app: n}}\n    spec:\n      hostNetwork: true\n      containers:\n        - name: n\n          image: n:1\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: lone, namespace: elsewhere}\nspec:\n  containers: [{name: a, image: 'a:1'}]\n",
        )
        .unwrap();
        let manifests = load(&[Input::Path(dir.path().to_owned())])
            .into_result()
            .unwrap();
        let texts: BTreeMap<Origin, String> = manifests
            .iter()
            .map(|m| {
                let Origin::File(path) = &m.source.origin else {
                    unreachable!()
                };
                (
                    m.source.origin.clone(),
                    std::fs::read_to_string(path).unwrap(),
                )
            })
            .collect();
        for add_missing in [false, true] {
            let fix_options = FixOptions {
                add_missing,
                ..FixOptions::default()
            };
            let report = audit::audit(&manifests, &Options::default());
            let plan = fix::plan(
                &manifests,
                &report,
                &fix_options,
                &Bindings::of(&manifests, "in the input"),
            );
            let (whole, skipped) = crate::files::apply(&manifests, &plan, &texts);
            assert_eq!(skipped.len(), 1, "{skipped:?}");
            let after: BTreeMap<Origin, String> = whole
                .iter()
                .map(|f| (f.origin.clone(), f.after.clone()))
                .collect();
            let diffs: BTreeMap<Origin, String> =
                whole.iter().map(|f| (f.origin.clone(), f.diff())).collect();
            assert!(after.values().any(|t| t.contains("securityContext:\r\n")));
            assert!(after.values().any(|t| t.contains("enforce: privileged")));
            assert_eq!(
                after.values().any(|t| t.contains("kind: NetworkPolicy")),
                add_missing
            );
            for batch_bytes in [1, 50, 400, 1 << 20] {
                let (texts, counts, streamed_skipped) =
                    streamed(dir.path(), batch_bytes, Written::Text, &fix_options);
                assert_eq!(texts, after, "batches of {batch_bytes} bytes");
                assert_eq!(streamed_skipped, skipped);
                // The skipped file's fix counts as left for a person, as the whole fix does.
                let fixed_whole: Vec<_> = plan
                    .fixed
                    .iter()
                    .filter(|f| {
                        f.index
                            .is_none_or(|i| manifests[i].source.origin != skipped[0].origin)
                    })
                    .collect();
                assert_eq!(
                    counts.0,
                    fixed_whole.len(),
                    "batches of {batch_bytes} bytes"
                );
                assert_eq!(
                    counts.2,
                    plan.manual.len() + plan.fixed.len() - fixed_whole.len()
                );
                let (streamed_diffs, ..) =
                    streamed(dir.path(), batch_bytes, Written::Diff, &fix_options);
                assert_eq!(streamed_diffs, diffs, "batches of {batch_bytes} bytes");
            }
        }
    }
}
