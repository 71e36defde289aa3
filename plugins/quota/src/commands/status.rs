//! `kubectl quota status`: three lists per cluster, then the report.

use k8s_openapi::api::core::v1 as core;
use shipshape::exit::Exit;
use shipshape::{GlobalArgs, Kube};

use super::{list, resource};
use crate::PLUGIN;
use crate::cli::StatusArgs;
use crate::status;

/// One cluster's quota status: three lists, whatever the number of namespaces.
async fn cluster_status(kube: &Kube, all_namespaces: bool) -> anyhow::Result<status::QuotaStatus> {
    let namespace = (!all_namespaces).then(|| kube.namespace.clone());
    let ns = namespace.as_deref();
    let (quotas, ranges, pods) = tokio::try_join!(
        list(kube, resource::<core::ResourceQuota>(), ns),
        list(kube, resource::<core::LimitRange>(), ns),
        list(kube, resource::<core::Pod>(), ns),
    )?;
    Ok(status::build(&quotas, &ranges, &pods))
}

pub async fn run(global: &GlobalArgs, args: &StatusArgs) -> anyhow::Result<Exit> {
    let report = if args.clusters.any() {
        let all = args.all_namespaces;
        let clusters = shipshape::client::each_context(
            &global.kube,
            &args.clusters,
            PLUGIN,
            |kube| async move { cluster_status(&kube, all).await },
        )
        .await?;
        status::QuotaStatus::merge(clusters)
    } else {
        let kube = Kube::connect(&global.kube, PLUGIN).await?;
        cluster_status(&kube, args.all_namespaces).await?
    };
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(Exit::Success)
}
