//! `kubectl canary preflight`: the pre-deployment checklist for a new image.

use serde_json::Value;
use shipshape::exit::Exit;
use shipshape::{GlobalArgs, Kube};

use super::{metric_rows, missing, replicasets_of};
use crate::cli::PreflightArgs;
use crate::settings::split_image;
use crate::{PLUGIN, checklist, release};

/// Runs `kubectl canary preflight`.
pub async fn run(global: &GlobalArgs, args: &PreflightArgs) -> anyhow::Result<Exit> {
    use k8s_openapi::api::{
        autoscaling::v2 as autoscaling, core::v1 as core, policy::v1 as policy,
    };
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let ns = kube.namespace.clone();
    let cluster = release::Cluster::new(&kube);
    let mut list = checklist::Checklist::new(&format!(
        "preflight of deployment/{} → {}",
        args.deployment, args.image
    ));
    let Some(primary) = cluster.deployment(&args.deployment).await? else {
        return missing(list, &args.deployment, &ns, args.output.output);
    };
    let (container, image) = split_image(&args.image);
    let mut release = primary.clone();
    release::set_image(
        &mut release["spec"]["template"],
        container.as_deref().unwrap_or(""),
        &image,
    );
    let list_of = |resource: kube::core::ApiResource| {
        let kube = &kube;
        let ns = ns.clone();
        async move { shipshape::list::list(kube, &resource, Some(&ns), None).await }
    };
    let (pdbs, hpas, ranges, quotas, replicasets) = tokio::try_join!(
        list_of(kube::core::ApiResource::erase::<policy::PodDisruptionBudget>(&())),
        list_of(kube::core::ApiResource::erase::<
            autoscaling::HorizontalPodAutoscaler,
        >(&())),
        list_of(kube::core::ApiResource::erase::<core::LimitRange>(&())),
        list_of(kube::core::ApiResource::erase::<core::ResourceQuota>(&())),
        replicasets_of(&kube, &ns, &primary),
    )?;
    let revisions = replicasets.len();
    let running = cluster
        .store
        .record(&args.deployment)
        .await?
        .filter(|(r, _)| !r.state.phase.finished())
        .map(|(r, _)| {
            format!(
                "{:?} at step {}, weight {}%",
                r.state.phase, r.state.step, r.state.weight
            )
        });
    let related: Vec<Value> = pdbs.into_iter().chain(hpas).collect();
    let quotas: Vec<shipshape::admission::Quota> = quotas
        .iter()
        .map(shipshape::admission::Quota::from_object)
        .collect();
    let total = shipshape::workload::replicas(&primary).unwrap_or(1);
    checklist::preflight(
        &checklist::Preflight {
            release: &release,
            related: &related,
            limit_ranges: &ranges,
            quotas: &quotas,
            canary_pods: release::split(total, args.max_weight).0,
            revisions,
            running,
        },
        &mut list,
    );
    metric_rows(&mut list, &args.metrics, &ns, &args.deployment, 300).await;
    shipshape::output::print_report(&list, args.output.output)?;
    Ok(if list.blocked() {
        Exit::No
    } else {
        Exit::Success
    })
}
