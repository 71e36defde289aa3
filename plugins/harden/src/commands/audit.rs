//! `kubectl harden audit`: files streamed through the audit, or live objects listed.

use shipshape::exit::Exit;
use shipshape::manifests::Input;
use shipshape::{GlobalArgs, UsageError};

use crate::cli::{AuditArgs, AuditFormat, FailOn};
use crate::{PLUGIN, audit, live, sink, streamed};

pub async fn run(global: &GlobalArgs, args: &AuditArgs) -> anyhow::Result<Exit> {
    let mut inputs: Vec<Input> = args.files.iter().map(|f| Input::file_flag(f)).collect();
    inputs.extend(args.kustomize.iter().cloned().map(Input::Kustomize));
    let options = args.policy.options()?;
    let multi = args.clusters.any();
    let scope = |kube: &shipshape::Kube| live::Scope {
        namespace: (!args.all_namespaces).then(|| kube.namespace.clone()),
        selector: args.selector.clone(),
    };
    let format = match args.output.report() {
        Ok(format) => sink::Format::Report(format),
        Err(AuditFormat::Junit) => sink::Format::Junit {
            level: args.policy.level,
        },
        Err(_) => sink::Format::Sarif,
    };
    // Every format streams into stdout: the output never exists as a whole in memory.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // Files that do not load are reported after the others' audit, which they never suppress.
    let mut load_errors = Vec::new();
    let summary = if !inputs.is_empty() {
        if args.all_namespaces || args.selector.is_some() || multi {
            return Err(UsageError(
                "-A, -l, --contexts and --all-contexts select live objects: they cannot be combined with -f or -k".into(),
            )
            .into());
        }
        // Files are read twice, batch by batch: memory for one batch, whatever their size.
        let sources = shipshape::manifests::Sources::open(&inputs, &mut std::io::stdin().lock());
        let limits = shipshape::manifests::Limits::default();
        let gathered = streamed::gather(&sources, limits);
        if gathered.loaded == 0 && !gathered.errors.is_empty() {
            return Err(shipshape::manifests::LoadErrors(gathered.errors).into());
        }
        load_errors = gathered.errors;
        let sink = sink::Sink::new(format, false, &mut out)?;
        streamed::audit_into(&sources, &gathered.context, &options, limits, sink)?
    } else {
        let (manifests, report) = if multi {
            // Each cluster is listed concurrently and audited on its own: cross-object checks
            // never mix clusters.
            let clusters = shipshape::client::each_context(
                &global.kube,
                &args.clusters,
                PLUGIN,
                |kube| async move { live::collect(&kube, &scope(&kube)).await },
            )
            .await?;
            let mut all = Vec::new();
            let mut reports = Vec::new();
            for (context, manifests) in clusters {
                reports.push((context, audit::audit(&manifests, &options)));
                all.extend(manifests);
            }
            (all, audit::AuditReport::merge(reports))
        } else {
            let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
            let manifests = live::collect(&kube, &scope(&kube)).await?;
            let report = audit::audit(&manifests, &options);
            (manifests, report)
        };
        let workloads: Vec<bool> = manifests
            .iter()
            .map(|m| shipshape::workload::is_workload(&m.object))
            .collect();
        sink::write(&report, &workloads, format, &mut out)?
    };
    std::io::Write::flush(&mut out)?;
    drop(out);
    let FailOn(threshold) = args.fail_on;
    if !load_errors.is_empty() {
        return Err(shipshape::manifests::LoadErrors(load_errors).into());
    }
    let failed = matches!((summary.worst(), threshold), (Some(worst), Some(threshold)) if worst >= threshold);
    Ok(if failed { Exit::No } else { Exit::Success })
}
