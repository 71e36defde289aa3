//! Manifests read in a stream: batches of whole documents, parsed in parallel, so an input of
//! any size is read with memory for one batch (about [`BATCH_BYTES`], at least one document),
//! and can be read more than once (a streamed audit reads its input twice: once for the facts
//! that span objects, once to audit each object against them).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;

use super::{Document, Input, LoadError, Manifest, Origin};
use super::{Limits, describe_io, file_error, kustomize, parse_json};
use super::{files_of, stdin_twice, validated};

/// How much text a batch holds before it is parsed: enough documents to keep every core busy.
pub const BATCH_BYTES: usize = 1 << 20;

/// Whole documents of one source, and what they parsed into, in order.
#[derive(Debug)]
pub struct Batch {
    /// Where they were read from.
    pub origin: Origin,
    /// Their text.
    pub text: String,
    /// The source line of the text's first line, less one.
    pub line_offset: usize,
    /// The source index of the text's first document, less one.
    pub index_offset: usize,
    /// What they parsed into: objects (validated) and errors.
    pub results: Vec<Result<Manifest, LoadError>>,
}

impl Batch {
    /// The objects that loaded, in order.
    pub fn manifests(&self) -> Vec<&Manifest> {
        self.results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .collect()
    }

    /// The documents of the batch, with their source lines and indexes.
    pub fn documents(&self) -> Vec<Document<'_>> {
        let mut documents = super::split_from(&self.text, self.line_offset == 0);
        for document in &mut documents {
            document.first_line += self.line_offset;
            document.index += self.index_offset;
        }
        documents
    }
}

/// One source to read.
#[derive(Debug)]
enum Source {
    /// A file, read anew each time.
    File(PathBuf),
    /// A text that was held (`kubectl kustomize`'s output).
    Held(Origin, String),
    /// Standard input, copied into a temporary file as it was read.
    Spooled(Origin, File),
}

/// The sources of a run, resolved once: directories walked, `kubectl kustomize` run, stdin
/// copied to a temporary file, so every pass reads the same text.
#[derive(Debug)]
pub struct Sources {
    sources: Vec<Result<Source, LoadError>>,
    batch_bytes: usize,
}

impl Sources {
    /// Resolves the inputs, reading `-` from `stdin`.
    pub fn open(inputs: &[Input], stdin: &mut dyn Read) -> Self {
        let mut sources = Vec::new();
        let mut stdin_read = false;
        for input in inputs {
            match input {
                Input::Stdin if stdin_read => sources.push(Err(stdin_twice())),
                Input::Stdin => {
                    stdin_read = true;
                    let spooled = tempfile::tempfile().and_then(|mut file| {
                        std::io::copy(stdin, &mut file)?;
                        Ok(file)
                    });
                    sources.push(
                        spooled
                            .map(|file| Source::Spooled(Origin::Stdin, file))
                            .map_err(|e| LoadError {
                                origin: Origin::Stdin,
                                line: None,
                                column: None,
                                message: describe_io(&e),
                            }),
                    );
                }
                Input::Kustomize(dir) => {
                    sources.push(kustomize(dir).map(|(origin, text)| Source::Held(origin, text)))
                }
                Input::Path(path) => match files_of(path) {
                    Ok(files) => sources.extend(files.into_iter().map(Source::File).map(Ok)),
                    Err(e) => sources.push(Err(e)),
                },
            }
        }
        Self {
            sources,
            batch_bytes: BATCH_BYTES,
        }
    }

    /// The same sources read in batches of about `bytes` (tests cut batches small).
    pub fn with_batch_bytes(mut self, bytes: usize) -> Self {
        self.batch_bytes = bytes.max(1);
        self
    }

    /// Reads every source in batches, in order, handing each to `each`; a source that cannot be
    /// read at all (missing, unreadable, not UTF-8) is a batch of one error. `each` stops the
    /// read by returning an error.
    pub fn read<E>(
        &self,
        limits: Limits,
        each: &mut dyn FnMut(Batch) -> Result<(), E>,
    ) -> Result<(), E> {
        for source in &self.sources {
            let (origin, reader): (Origin, Box<dyn BufRead + '_>) = match source {
                Err(error) => {
                    each(failed(error.clone()))?;
                    continue;
                }
                Ok(Source::File(path)) => {
                    let origin = Origin::File(path.clone());
                    let opened = File::open(path)
                        .map_err(|e| file_error(path, describe_io(&e)))
                        .and_then(|file| checked(file, &origin));
                    match opened {
                        Ok(file) => (origin, Box::new(BufReader::with_capacity(1 << 16, file))),
                        Err(error) => {
                            each(failed(error))?;
                            continue;
                        }
                    }
                }
                Ok(Source::Held(origin, text)) => (origin.clone(), Box::new(text.as_bytes())),
                Ok(Source::Spooled(origin, file)) => {
                    let reopened = file
                        .try_clone()
                        .map_err(|e| LoadError {
                            origin: origin.clone(),
                            line: None,
                            column: None,
                            message: describe_io(&e),
                        })
                        .and_then(|file| checked(file, origin));
                    match reopened {
                        Ok(file) => (origin.clone(), Box::new(BufReader::new(file))),
                        Err(error) => {
                            each(failed(error))?;
                            continue;
                        }
                    }
                }
            };
            read_source(origin, reader, limits, self.batch_bytes, each)?;
        }
        Ok(())
    }
}

fn failed(error: LoadError) -> Batch {
    Batch {
        origin: error.origin.clone(),
        text: String::new(),
        line_offset: 0,
        index_offset: 0,
        results: vec![Err(error)],
    }
}

/// Reads one source: JSON whole (one value or a stream of them), YAML in batches cut before a
/// `---` line once they are [`BATCH_BYTES`] long. Text that is not UTF-8 rejects the source
/// whole, as loading it whole would.
fn read_source<E>(
    origin: Origin,
    mut reader: Box<dyn BufRead + '_>,
    limits: Limits,
    batch_bytes: usize,
    each: &mut dyn FnMut(Batch) -> Result<(), E>,
) -> Result<(), E> {
    let io_error = |e: std::io::Error, origin: &Origin| LoadError {
        origin: origin.clone(),
        line: None,
        column: None,
        message: describe_io(&e),
    };
    let json_by_name =
        matches!(&origin, Origin::File(p) if p.extension().is_some_and(|e| e == "json"));
    let is_json = json_by_name
        || (!matches!(origin, Origin::File(_))
            && match reader.fill_buf() {
                Ok(buf) => buf.trim_ascii_start().starts_with(b"{"),
                Err(_) => false,
            });
    if is_json {
        let mut text = String::new();
        if let Err(e) = reader.read_to_string(&mut text) {
            return each(failed(io_error(e, &origin)));
        }
        let results = validated(parse_json(&origin, &text));
        return each(Batch {
            origin,
            text,
            line_offset: 0,
            index_offset: 0,
            results,
        });
    }
    let mut chunk = String::new();
    let mut line = String::new();
    let (mut chunk_lines, mut line_offset, mut index_offset) = (0usize, 0usize, 0usize);
    loop {
        line.clear();
        let n = match reader.read_line(&mut line) {
            Ok(n) => n,
            Err(e) => return each(failed(io_error(e, &origin))),
        };
        let end = n == 0;
        // A batch ends before a `---` once it is long enough and holds content (comments before
        // a stream's first document stay with it), or at the end of the source.
        let cut = (end && (chunk_lines > 0 || line_offset == 0))
            || (super::marker(&line) == Some("---")
                && chunk.len() >= batch_bytes
                && !super::is_blank(&chunk));
        if cut {
            let text = std::mem::take(&mut chunk);
            let (batch, documents) = parse_batch(&origin, text, line_offset, index_offset, limits);
            each(batch)?;
            line_offset += chunk_lines;
            index_offset += documents;
            chunk_lines = 0;
        }
        if end {
            return Ok(());
        }
        chunk_lines += 1;
        chunk.push_str(&line);
    }
}

/// A file checked to be UTF-8 text, read through once in blocks (a source with a bad byte
/// anywhere is rejected whole, as loading it whole would), and rewound.
fn checked(mut file: File, origin: &Origin) -> Result<File, LoadError> {
    let error = |message: String| LoadError {
        origin: origin.clone(),
        line: None,
        column: None,
        message,
    };
    let mut block = vec![0u8; 1 << 16];
    let (mut carried, mut offset) = (0usize, 0usize);
    loop {
        let n = file
            .read(&mut block[carried..])
            .map_err(|e| error(describe_io(&e)))?;
        let filled = carried + n;
        match std::str::from_utf8(&block[..filled]) {
            Ok(_) => carried = 0,
            // A character cut by the block's end is carried into the next block.
            Err(e) if e.error_len().is_none() && n > 0 => {
                let valid = e.valid_up_to();
                block.copy_within(valid..filled, 0);
                carried = filled - valid;
                offset += valid;
                continue;
            }
            Err(e) => {
                return Err(error(format!(
                    "not UTF-8 text (invalid byte at offset {}); manifests must be UTF-8 YAML or JSON",
                    offset + e.valid_up_to()
                )));
            }
        }
        if n == 0 {
            break;
        }
        offset += filled;
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|e| error(describe_io(&e)))?;
    Ok(file)
}

/// A batch parsed, and how many documents it holds.
fn parse_batch(
    origin: &Origin,
    text: String,
    line_offset: usize,
    index_offset: usize,
    limits: Limits,
) -> (Batch, usize) {
    let mut batch = Batch {
        origin: origin.clone(),
        text,
        line_offset,
        index_offset,
        results: Vec::new(),
    };
    let documents = batch.documents();
    let count = documents.len();
    let results = super::parse_documents(origin, &documents, limits);
    drop(documents);
    batch.results = validated(results);
    (batch, count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifests::load_from;

    /// Objects and errors of a streamed read, in order.
    fn streamed(
        inputs: &[Input],
        stdin: &str,
        batch_bytes: usize,
    ) -> (Vec<Manifest>, Vec<LoadError>) {
        let sources = Sources::open(inputs, &mut stdin.as_bytes()).with_batch_bytes(batch_bytes);
        let (mut manifests, mut errors) = (Vec::new(), Vec::new());
        sources
            .read::<()>(Limits::default(), &mut |batch| {
                for result in batch.results {
                    match result {
                        Ok(m) => manifests.push(m),
                        Err(e) => errors.push(e),
                    }
                }
                Ok(())
            })
            .unwrap();
        (manifests, errors)
    }

    const STREAM: &str = "# leading comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# only a comment\n--- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n...\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: d}\n---\nkind: [broken\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e\ndata:\n  x: |\n    text\n\n    more\n---\n";

    #[test]
    fn a_streamed_read_loads_what_a_whole_read_loads_at_any_batch_size() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = dir.path().join("a.yaml");
        std::fs::write(&yaml, STREAM).unwrap();
        let json = dir.path().join("b.json");
        std::fs::write(
            &json,
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"}}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("c.yaml"), b"kind: x\n\xff\n").unwrap();
        let inputs = [
            Input::Path(dir.path().to_path_buf()),
            Input::Stdin,
            Input::Stdin,
        ];
        let whole = load_from(&inputs, Limits::default(), &mut STREAM.as_bytes());
        assert!(
            whole.manifests.len() >= 6 && whole.errors.len() >= 3,
            "{whole:?}"
        );
        for batch_bytes in [1, 7, 40, 100, BATCH_BYTES] {
            let (manifests, errors) = streamed(&inputs, STREAM, batch_bytes);
            assert_eq!(manifests, whole.manifests, "batches of {batch_bytes} bytes");
            assert_eq!(errors, whole.errors, "batches of {batch_bytes} bytes");
        }
    }

    #[test]
    fn a_batch_knows_its_documents_source_lines() {
        let sources = Sources::open(&[Input::Stdin], &mut STREAM.as_bytes()).with_batch_bytes(1);
        let mut firsts = Vec::new();
        sources
            .read::<()>(Limits::default(), &mut |batch| {
                firsts.extend(batch.documents().iter().map(|d| (d.index, d.first_line)));
                Ok(())
            })
            .unwrap();
        let whole: Vec<_> = crate::manifests::split_documents(STREAM)
            .iter()
            .map(|d| (d.index, d.first_line))
            .collect();
        assert_eq!(firsts, whole);
    }
}
