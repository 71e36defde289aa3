//! `kubectl drtest cleanup`: delete what killed drills left behind (labelled sandboxes and
//! Restores), once expired.

use shipshape::GlobalArgs;
use shipshape::exit::Exit;

use super::now;
use crate::PLUGIN;
use crate::cli::CleanupArgs;
use crate::{cleanup, drill, labels, velero};

pub async fn run(global: &GlobalArgs, args: &CleanupArgs) -> anyhow::Result<Exit> {
    use shipshape::apply::DryRun;
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    let selector = match &args.drill {
        Some(id) => format!("{}={id}", labels::DRILL_LABEL),
        None => labels::DRILL_LABEL.to_owned(),
    };
    let selector = selector.as_str();
    let namespaces_rt =
        kube::core::ApiResource::erase::<k8s_openapi::api::core::v1::Namespace>(&());
    let namespaces = shipshape::list::list(&kube, &namespaces_rt, None, Some(selector)).await?;
    let restores = if kube.serves("velero.io/v1").await? {
        shipshape::list::list(
            &kube,
            &velero::resource("restores", "Restore"),
            Some(&args.velero.velero_namespace),
            Some(selector),
        )
        .await?
    } else {
        Vec::new()
    };
    let objects: Vec<(&str, &serde_json::Value)> = namespaces
        .iter()
        .map(|n| ("Namespace", n))
        .chain(restores.iter().map(|r| ("Restore", r)))
        .collect();
    // --drill: that drill's leftovers at once, expired or not.
    let older_than = args
        .older_than
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .or(args.drill.as_ref().map(|_| 0));
    let due = cleanup::due(&objects, older_than, now());
    let dry_run = args.dry_run.dry_run;
    if !due.is_empty() && dry_run == DryRun::None {
        shipshape::confirm::confirm(
            &format!(
                "delete {} drill leftover(s): {}",
                due.len(),
                due.iter()
                    .map(|l| format!("{}/{}", l.kind.to_lowercase(), l.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            global.yes,
        )?;
    }
    if dry_run != DryRun::Client {
        let params = kube::api::DeleteParams {
            dry_run: dry_run == DryRun::Server,
            ..Default::default()
        };
        for l in &due {
            drill::delete_leftover(
                &kube,
                &args.velero.velero_namespace,
                &l.kind,
                &l.name,
                &params,
            )
            .await?;
        }
        if dry_run == DryRun::None {
            let namespaces: Vec<String> = due
                .iter()
                .filter(|l| l.kind == "Namespace")
                .map(|l| l.name.clone())
                .collect();
            drill::await_namespaces_gone(&kube, &namespaces).await?;
        }
    }
    let report = cleanup::CleanupReport {
        dry_run: dry_run != DryRun::None,
        deleted: due,
    };
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(Exit::Success)
}
