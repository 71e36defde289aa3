//! `kubectl drtest status`: per protected namespace, its newest backup against the RPO.

use shipshape::GlobalArgs;
use shipshape::exit::Exit;

use super::now;
use crate::PLUGIN;
use crate::cli::StatusArgs;
use crate::{inventory, velero};

pub async fn run(global: &GlobalArgs, args: &StatusArgs) -> anyhow::Result<Exit> {
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    let ns = &args.velero.velero_namespace;
    velero::ensure_installed(&kube).await?;
    let (backups, schedules, locations) = tokio::try_join!(
        velero::list(&kube, ns, "backups", "Backup"),
        velero::list(&kube, ns, "schedules", "Schedule"),
        velero::list(&kube, ns, "backupstoragelocations", "BackupStorageLocation"),
    )?;
    let report = inventory::status(
        &args.namespaces,
        &backups,
        &schedules,
        &locations,
        args.max_backup_age.as_secs() as i64,
        now(),
    );
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(if report.healthy() {
        Exit::Success
    } else {
        Exit::No
    })
}
