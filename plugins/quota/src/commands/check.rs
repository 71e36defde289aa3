//! `kubectl quota check`: manifests or live workloads against quotas and LimitRanges from the
//! cluster or from files.

use std::collections::BTreeMap;

use k8s_openapi::api::{apps::v1 as apps, batch::v1 as batch, core::v1 as core};
use serde_json::Value;
use shipshape::admission::Quota;
use shipshape::exit::Exit;
use shipshape::manifests::{Input, Manifest};
use shipshape::{GlobalArgs, Kube, UsageError};

use super::{list, resource};
use crate::PLUGIN;
use crate::check;
use crate::cli::CheckArgs;
use crate::status::namespace_of;

/// Namespace constraints from ResourceQuota and LimitRange objects that are not in a cluster
/// (usage counted from zero); objects that name no namespace belong to `namespace`.
fn offline_namespaces(
    objects: &[&Manifest],
    namespace: &str,
) -> BTreeMap<String, check::Namespace> {
    let mut namespaces: BTreeMap<String, check::Namespace> = BTreeMap::new();
    for manifest in objects {
        let ns = namespaces
            .entry(manifest.namespace().unwrap_or(namespace).to_owned())
            .or_default();
        match manifest.kind() {
            "ResourceQuota" => {
                let mut quota = Quota::from_object(&manifest.object);
                quota.used.get_or_insert_with(Default::default);
                ns.quotas.push(quota);
            }
            "LimitRange" => ns.limit_ranges.push(manifest.object.clone()),
            _ => {}
        }
    }
    namespaces
}

/// Namespace constraints from the cluster: quotas with their live usage, and LimitRanges.
fn live_namespaces(quotas: &[Value], ranges: &[Value]) -> BTreeMap<String, check::Namespace> {
    let mut namespaces: BTreeMap<String, check::Namespace> = BTreeMap::new();
    for quota in quotas {
        namespaces
            .entry(namespace_of(quota))
            .or_default()
            .quotas
            .push(Quota::from_object(quota));
    }
    for range in ranges {
        namespaces
            .entry(namespace_of(range))
            .or_default()
            .limit_ranges
            .push(range.clone());
    }
    namespaces
}

/// The namespace `kubectl apply` would give objects that name none: `-n`, else the context's,
/// else `default`. Read from the kubeconfig alone, so an offline check needs no cluster (and
/// without a kubeconfig it is `-n`, else `default`).
async fn apply_namespace(global: &GlobalArgs) -> String {
    let env = shipshape::client::Environment::from_process();
    match shipshape::client::resolve(&global.kube, &env, PLUGIN).await {
        Ok(resolved) => resolved.namespace,
        Err(_) => global
            .kube
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".into()),
    }
}

pub async fn run(global: &GlobalArgs, args: &CheckArgs) -> anyhow::Result<Exit> {
    let mut inputs: Vec<Input> = args.files.iter().map(|f| Input::file_flag(f)).collect();
    inputs.extend(args.kustomize.iter().cloned().map(Input::Kustomize));
    let report = if inputs.is_empty() {
        if args.quota_file.is_some() {
            return Err(UsageError(
                "--quota-file goes with -f or -k: live workloads are checked against live quotas"
                    .into(),
            )
            .into());
        }
        let kube = Kube::connect(&global.kube, PLUGIN).await?;
        let namespace = (!args.all_namespaces).then(|| kube.namespace.clone());
        let ns = namespace.as_deref();
        let (quotas, ranges, deployments, statefulsets, daemonsets, jobs, cronjobs) = tokio::try_join!(
            list(&kube, resource::<core::ResourceQuota>(), ns),
            list(&kube, resource::<core::LimitRange>(), ns),
            list(&kube, resource::<apps::Deployment>(), ns),
            list(&kube, resource::<apps::StatefulSet>(), ns),
            list(&kube, resource::<apps::DaemonSet>(), ns),
            list(&kube, resource::<batch::Job>(), ns),
            list(&kube, resource::<batch::CronJob>(), ns),
        )?;
        let origin = kube.origin();
        let workloads: Vec<Manifest> = [deployments, statefulsets, daemonsets, jobs, cronjobs]
            .into_iter()
            .flatten()
            // Jobs a CronJob owns are checked through the CronJob.
            .filter(|o| {
                o["metadata"]["ownerReferences"]
                    .as_array()
                    .is_none_or(|r| r.is_empty())
            })
            .map(|object| Manifest::live(object, origin.clone()))
            .collect();
        let refs: Vec<&Manifest> = workloads.iter().collect();
        // Live pods already count in status.used: what matters is the next one. (Live objects
        // name their namespace.)
        check::check(
            &refs,
            &live_namespaces(&quotas, &ranges),
            Some(1),
            &kube.namespace,
        )
    } else {
        if args.all_namespaces {
            return Err(UsageError(
                "-A selects live workloads: it cannot be combined with -f or -k".into(),
            )
            .into());
        }
        let manifests = shipshape::manifests::load(&inputs).into_result()?;
        let workloads: Vec<&Manifest> = manifests
            .iter()
            .filter(|m| shipshape::workload::is_workload(&m.object))
            .collect();
        let in_set: Vec<&Manifest> = manifests
            .iter()
            .filter(|m| matches!(m.kind(), "ResourceQuota" | "LimitRange"))
            .collect();
        let (namespaces, namespace) = if let Some(file) = &args.quota_file {
            let loaded = shipshape::manifests::load(&[Input::Path(file.clone())]).into_result()?;
            let refs: Vec<&Manifest> = loaded.iter().collect();
            let namespace = apply_namespace(global).await;
            (offline_namespaces(&refs, &namespace), namespace)
        } else if !in_set.is_empty() {
            // The release brings its own quota: check against that, from zero usage.
            let namespace = apply_namespace(global).await;
            (offline_namespaces(&in_set, &namespace), namespace)
        } else {
            let kube = Kube::connect(&global.kube, PLUGIN).await.map_err(|e| {
                anyhow::anyhow!(
                    "{e}\n(no cluster to read quotas from: pass --quota-file FILE to check offline)"
                )
            })?;
            let mut quotas = Vec::new();
            let mut ranges = Vec::new();
            let mut seen: Vec<&str> = workloads
                .iter()
                .map(|m| m.namespace().unwrap_or(&kube.namespace))
                .collect();
            seen.sort_unstable();
            seen.dedup();
            for ns in seen {
                quotas.extend(list(&kube, resource::<core::ResourceQuota>(), Some(ns)).await?);
                ranges.extend(list(&kube, resource::<core::LimitRange>(), Some(ns)).await?);
            }
            (live_namespaces(&quotas, &ranges), kube.namespace.clone())
        };
        check::check(&workloads, &namespaces, None, &namespace)
    };
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(if report.rejected() {
        Exit::No
    } else {
        Exit::Success
    })
}
