//! `kubectl canary verify`: post-deployment verification.

use serde_json::Value;
use shipshape::exit::Exit;
use shipshape::{GlobalArgs, Kube};

use super::{metric_rows, missing};
use crate::cli::VerifyArgs;
use crate::{PLUGIN, checklist, release};

/// Runs `kubectl canary verify`.
pub async fn run(global: &GlobalArgs, args: &VerifyArgs) -> anyhow::Result<Exit> {
    use k8s_openapi::api::core::v1 as core;
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let ns = kube.namespace.clone();
    let cluster = release::Cluster::new(&kube);
    let mut list =
        checklist::Checklist::new(&format!("verification of deployment/{}", args.deployment));
    let Some(deployment) = cluster.deployment(&args.deployment).await? else {
        return missing(list, &args.deployment, &ns, args.output.output);
    };
    match cluster.rolled_out(&args.deployment).await? {
        shipshape::wait::Check::Done(()) => list.row(
            "rollout complete",
            true,
            true,
            format!(
                "{} replica(s) updated and available",
                deployment["status"]["availableReplicas"]
            ),
        ),
        shipshape::wait::Check::Pending(why) => list.row("rollout complete", false, true, why),
    }
    let selector = deployment["spec"]["selector"]["matchLabels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let pods = shipshape::list::list(
        &kube,
        &kube::core::ApiResource::erase::<core::Pod>(&()),
        Some(&ns),
        Some(&selector),
    )
    .await?;
    let pods: Vec<&Value> = pods
        .iter()
        .filter(|p| p["metadata"]["labels"][release::TRACK_LABEL].is_null())
        .collect();
    let mut restarts = 0;
    let mut crashing = Vec::new();
    for pod in &pods {
        for status in pod["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
        {
            restarts += status["restartCount"].as_i64().unwrap_or(0);
            if status["state"]["waiting"]["reason"] == "CrashLoopBackOff" {
                crashing.push(
                    pod["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
        }
    }
    list.row(
        "no restarts or CrashLoopBackOff",
        restarts == 0 && crashing.is_empty(),
        true,
        if crashing.is_empty() {
            format!("{} pod(s), {restarts} restart(s)", pods.len())
        } else {
            format!("CrashLoopBackOff: {}", crashing.join(", "))
        },
    );
    let events = shipshape::list::list(
        &kube,
        &kube::core::ApiResource::erase::<core::Event>(&()),
        Some(&ns),
        None,
    )
    .await?;
    let warnings: Vec<String> = events
        .iter()
        .filter(|e| e["type"] == "Warning")
        .filter(|e| {
            e["involvedObject"]["name"].as_str().is_some_and(|n| {
                n == args.deployment || n.starts_with(&format!("{}-", args.deployment))
            })
        })
        .map(|e| {
            format!(
                "{}: {}",
                e["reason"].as_str().unwrap_or_default(),
                e["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    list.row(
        "no warning events",
        warnings.is_empty(),
        true,
        if warnings.is_empty() {
            "none".into()
        } else {
            warnings.join("; ")
        },
    );
    metric_rows(
        &mut list,
        &args.metrics,
        &ns,
        &args.deployment,
        args.window.as_secs().max(10),
    )
    .await;
    shipshape::output::print_report(&list, args.output.output)?;
    Ok(if list.blocked() {
        Exit::No
    } else {
        Exit::Success
    })
}
