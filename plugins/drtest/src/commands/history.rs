//! `kubectl drtest history`: past drills from their recorded reports.

use shipshape::GlobalArgs;
use shipshape::exit::Exit;

use crate::PLUGIN;
use crate::cli::HistoryArgs;
use crate::history;

pub async fn run(global: &GlobalArgs, args: &HistoryArgs) -> anyhow::Result<Exit> {
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    let namespace = args
        .history_namespace
        .as_deref()
        .unwrap_or(&args.velero.velero_namespace);
    let config_maps = history::list(&kube, namespace).await?;
    let report = history::history(&config_maps, args.for_namespace.as_deref(), args.limit);
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(Exit::Success)
}
