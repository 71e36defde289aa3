//! `kubectl quota generate`: a profile's (or usage's) quota and LimitRange, printed or applied.

use k8s_openapi::api::core::v1 as core;
use shipshape::exit::Exit;
use shipshape::output::ObjectsFormat;
use shipshape::{GlobalArgs, Kube, UsageError};

use super::usage::recommendations;
use super::{list, resource};
use crate::PLUGIN;
use crate::cli::GenerateArgs;
use crate::generate;

pub async fn run(global: &GlobalArgs, args: &GenerateArgs) -> anyhow::Result<Exit> {
    let from_usage = args.profile == generate::Profile::FromUsage;
    // Only sizing from usage and applying need the cluster; one client serves both.
    let kube = if args.apply || from_usage {
        Some(Kube::connect(&global.kube, PLUGIN).await?)
    } else {
        None
    };
    let namespace = match (&global.kube.namespace, &kube) {
        (Some(ns), _) => ns.clone(),
        (None, Some(kube)) => kube.namespace.clone(),
        (None, None) => return Err(UsageError("name the namespace: -n NAMESPACE".into()).into()),
    };
    let hard = if let Some(kube) = kube.as_ref().filter(|_| from_usage) {
        let (workloads, report) = recommendations(kube, Some(&namespace), args.sampling()).await?;
        let pods: i64 = workloads.iter().map(|w| w.replicas).sum();
        generate::hard_from_usage(report.namespaces.first(), pods, args.headroom).ok_or_else(
            || {
                UsageError(format!(
                    "namespace {namespace} has no workloads to size a quota from"
                ))
            },
        )?
    } else {
        args.profile.hard()
    };
    let objects = generate::objects(&namespace, hard);
    let Some(kube) = kube.filter(|_| args.apply) else {
        let text = if args.output == ObjectsFormat::Json {
            let mut text = String::new();
            for object in &objects {
                text.push_str(&serde_json::to_string_pretty(object)?);
                text.push('\n');
            }
            text
        } else {
            shipshape::output::yaml_documents(&objects)?
        };
        shipshape::output::print(&text)?;
        return Ok(Exit::Success);
    };
    let pods = list(&kube, resource::<core::Pod>(), Some(&namespace)).await?;
    for warning in generate::warnings(&objects, &pods) {
        eprintln!("warning: {warning}");
    }
    let action = format!(
        "apply the {:?} quota and LimitRange to namespace {namespace}",
        args.profile
    )
    .to_lowercase();
    let json = args.output == ObjectsFormat::Json;
    let result = shipshape::apply::preview_then_apply(
        &kube,
        PLUGIN,
        &objects,
        &shipshape::apply::Write {
            dry_run: args.dry_run.dry_run,
            force_conflicts: args.force_conflicts.force_conflicts,
            action: &action,
            yes: global.yes,
            diffs_to_stderr: json,
        },
    )
    .await;
    // -o json: what was applied, what failed and what was not attempted, also when it failed.
    let applying = args.dry_run.dry_run == shipshape::apply::DryRun::None;
    if json && applying && !is_refusal(&result) {
        shipshape::output::print_report(
            &shipshape::apply::WriteReport::of(&result),
            shipshape::OutputFormat::Json,
        )?;
    }
    for applied in result? {
        eprintln!(
            "{} {}",
            applied.id.to_lowercase(),
            if applied.changed() {
                "applied"
            } else {
                "unchanged"
            }
        );
    }
    Ok(Exit::Success)
}

/// Whether a write was refused before anything was sent (no terminal to ask, or declined).
fn is_refusal(result: &anyhow::Result<Vec<shipshape::apply::Applied>>) -> bool {
    result
        .as_ref()
        .err()
        .is_some_and(|e| e.downcast_ref::<shipshape::confirm::Refused>().is_some())
}
