//! `kubectl drtest backups`: Velero's backups, with their age and expiry.

use shipshape::GlobalArgs;
use shipshape::exit::Exit;

use super::now;
use crate::PLUGIN;
use crate::cli::BackupsArgs;
use crate::{inventory, velero};

pub async fn run(global: &GlobalArgs, args: &BackupsArgs) -> anyhow::Result<Exit> {
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    velero::ensure_installed(&kube).await?;
    let objects = velero::list(&kube, &args.velero.velero_namespace, "backups", "Backup").await?;
    let report = inventory::backups(&objects, args.for_namespace.as_deref(), now());
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(Exit::Success)
}
