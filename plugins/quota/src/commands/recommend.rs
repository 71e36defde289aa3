//! `kubectl quota recommend`: recommendations from usage, printed as a report or patches, or
//! applied.

use shipshape::exit::Exit;
use shipshape::{GlobalArgs, Kube};

use super::usage::recommendations;
use crate::PLUGIN;
use crate::cli::RecommendArgs;
use crate::recommend;

pub async fn run(global: &GlobalArgs, args: &RecommendArgs) -> anyhow::Result<Exit> {
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let namespace = (!args.all_namespaces).then(|| kube.namespace.clone());
    let (workloads, report) = recommendations(&kube, namespace.as_deref(), args.sampling()).await?;
    let patches = recommend::patches(&report.recommendations, &workloads);
    if !args.apply {
        match args.output.report() {
            Ok(format) => shipshape::output::print_report(&report, format)?,
            Err(_) => shipshape::output::print(&shipshape::output::yaml_documents(&patches)?)?,
        }
        return Ok(Exit::Success);
    }
    shipshape::output::print(&shipshape::output::render(
        &report,
        shipshape::OutputFormat::Table,
    )?)?;
    if patches.is_empty() {
        eprintln!("nothing to change");
        return Ok(Exit::Success);
    }
    let action = format!(
        "apply new requests and limits to {} workload(s)",
        patches.len()
    );
    let applied = shipshape::apply::preview_then_apply(
        &kube,
        PLUGIN,
        &patches,
        &shipshape::apply::Write {
            dry_run: args.dry_run.dry_run,
            force_conflicts: args.force_conflicts.force_conflicts,
            action: &action,
            yes: global.yes,
            diffs_to_stderr: false,
        },
    )
    .await?;
    for applied in applied {
        eprintln!("{} resized", applied.id.to_lowercase());
    }
    Ok(Exit::Success)
}
