//! The audit of manifest files in a stream, with memory for one batch of documents whatever the
//! input's size: a first read gathers the facts that span objects (the [`Context`]), a second
//! audits each object against them, points its findings at their lines and hands them to the
//! [`Sink`] before the next batch is read.

use std::collections::HashMap;

use rayon::prelude::*;
use shipshape::manifests::{Limits, LoadError, Sources};

use crate::audit::{self, Context, Options, Summary};
use crate::sink::Sink;

/// What the first read found: the context, every load error, and how many objects loaded.
pub struct Gathered {
    pub context: Context,
    pub errors: Vec<LoadError>,
    pub loaded: usize,
}

/// The first read: the context of the whole input and its load errors.
pub fn gather(sources: &Sources, limits: Limits) -> Gathered {
    let mut gathered = Gathered {
        context: Context::default(),
        errors: Vec::new(),
        loaded: 0,
    };
    let _ = sources.read::<std::convert::Infallible>(limits, &mut |batch| {
        for result in batch.results {
            match result {
                Ok(manifest) => {
                    gathered.context.add(&manifest);
                    gathered.loaded += 1;
                }
                Err(error) => gathered.errors.push(error),
            }
        }
        Ok(())
    });
    gathered
}

/// The second read: every object audited against the context and written to the sink, in
/// input order, then the namespaces' findings; returns the counts.
pub fn audit_into(
    sources: &Sources,
    context: &Context,
    options: &Options,
    limits: Limits,
    mut sink: Sink<'_>,
) -> std::io::Result<Summary> {
    let mut next = 0usize;
    sources.read::<std::io::Error>(limits, &mut |batch| {
        let documents = batch.documents();
        let by_index: HashMap<usize, &shipshape::manifests::Document<'_>> =
            documents.iter().map(|d| (d.index, d)).collect();
        let manifests = batch.manifests();
        let base = next;
        next += manifests.len();
        let audited: Vec<_> = manifests
            .par_iter()
            .enumerate()
            .map(|(i, manifest)| {
                let (object, mut findings) = audit::audit_one(base + i, manifest, context, options);
                if let Some(document) = by_index.get(&manifest.source.document) {
                    crate::locate::point_one(&mut findings, manifest, document);
                }
                (
                    object,
                    findings,
                    shipshape::workload::is_workload(&manifest.object),
                )
            })
            .collect();
        for (object, findings, workload) in &audited {
            sink.object(object, findings, *workload)?;
        }
        Ok(())
    })?;
    sink.orphans(&audit::namespaces_left(context, options))?;
    sink.finish()
}
