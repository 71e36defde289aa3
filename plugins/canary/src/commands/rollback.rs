//! `kubectl canary rollback`: back to the template recorded before the last canary, or a
//! revision.

use serde_json::{Value, json};
use shipshape::exit::Exit;
use shipshape::{GlobalArgs, Kube, UsageError};

use super::replicasets_of;
use crate::cli::RollbackArgs;
use crate::{PLUGIN, machine, release};

/// Runs `kubectl canary rollback`.
pub async fn run(global: &GlobalArgs, args: &RollbackArgs) -> anyhow::Result<Exit> {
    use k8s_openapi::api::apps::v1 as apps;
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let ns = kube.namespace.clone();
    let cluster = release::Cluster::new(&kube);
    let Some(deployment) = cluster.deployment(&args.deployment).await? else {
        return Err(UsageError(format!(
            "deployment \"{}\" not found in namespace \"{ns}\"",
            args.deployment
        ))
        .into());
    };
    let record = cluster
        .store
        .record(&args.deployment)
        .await?
        .map(|(r, _)| r);
    if record.as_ref().is_some_and(|r| !r.state.phase.finished()) {
        return Err(UsageError(format!(
            "a canary of deployment {} is running: `kubectl canary abort {0}` first",
            args.deployment
        ))
        .into());
    }
    let replicasets = replicasets_of(&kube, &ns, &deployment).await?;
    let mut revisions: Vec<(u64, &Value)> = replicasets
        .iter()
        .filter_map(|rs| {
            Some((
                rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                    .as_str()?
                    .parse()
                    .ok()?,
                rs,
            ))
        })
        .collect();
    revisions.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    let (template, from) = match args.to_revision {
        Some(n) => {
            let (_, rs) = revisions.iter().find(|(r, _)| *r == n).ok_or_else(|| {
                let known: Vec<String> = revisions.iter().map(|(r, _)| r.to_string()).collect();
                UsageError(format!(
                    "deployment {} has no revision {n} (recorded: {})",
                    args.deployment,
                    known.join(", ")
                ))
            })?;
            (rs["spec"]["template"].clone(), format!("revision {n}"))
        }
        None => match record.filter(|r| r.state.phase == machine::Phase::Succeeded) {
            Some(r) => (
                r.original_template.clone(),
                format!("the template recorded before the canary of {}", r.image),
            ),
            None => {
                let (n, rs) = revisions.get(1).ok_or_else(|| {
                    UsageError(format!(
                        "deployment {} has no previous revision to roll back to",
                        args.deployment
                    ))
                })?;
                (rs["spec"]["template"].clone(), format!("revision {n}"))
            }
        },
    };
    let mut template = template;
    if let Some(labels) = template["metadata"]["labels"].as_object_mut() {
        labels.remove("pod-template-hash");
    }
    let deployments: kube::Api<apps::Deployment> = kube::Api::namespaced(kube.client.clone(), &ns);
    let patch = json!({"spec": {"template": template}});
    deployments
        .patch(
            &args.deployment,
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(&patch),
        )
        .await
        .map_err(|e| {
            kube.explain(
                shipshape::ApiCall::of::<k8s_openapi::api::apps::v1::Deployment>("patch")
                    .named(&args.deployment)
                    .in_namespace(ns.clone()),
                e,
            )
        })?;
    eprintln!("deployment.apps/{} rolling back to {from}", args.deployment);
    shipshape::wait::Wait::new(
        format!("deployment {} to roll out", args.deployment),
        args.timeout,
    )
    .until(|| cluster.rolled_out(&args.deployment))
    .await?;
    eprintln!("deployment.apps/{} rolled back", args.deployment);
    Ok(Exit::Success)
}
