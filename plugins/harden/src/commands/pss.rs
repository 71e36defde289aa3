//! `kubectl harden pss`: per namespace, the strictest level its workloads meet; labels.

use shipshape::exit::Exit;
use shipshape::{GlobalArgs, UsageError};

use crate::cli::PssArgs;
use crate::*;

pub async fn run(global: &GlobalArgs, args: &PssArgs) -> anyhow::Result<Exit> {
    let version: pss::Version = args.pss_version.parse().map_err(UsageError)?;
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    let scope = live::Scope {
        namespace: (!args.all_namespaces).then(|| kube.namespace.clone()),
        selector: None,
    };
    let manifests = live::collect(&kube, &scope).await?;
    let report = namespaces::assess(&manifests, args.level, version);
    shipshape::output::print(&shipshape::output::render(&report, args.output.output)?)?;
    if !args.apply_labels {
        return Ok(Exit::Success);
    }
    // `latest` would float with every upgrade: pin the server's own version instead.
    let pinned = if args.pss_version == "latest" {
        live::server_version(&kube).await?
    } else {
        version.to_string()
    };
    let (blocked, ready): (Vec<_>, Vec<_>) = report
        .namespaces
        .iter()
        .filter(|n| !n.name.starts_with("kube-"))
        .partition(|n| !n.violations.is_empty() && !args.force);
    if !blocked.is_empty() {
        let names: Vec<&str> = blocked.iter().map(|n| n.name.as_str()).collect();
        eprintln!(
            "error: not labelling {}: enforcing {} would reject workloads listed above (fix them with `kubectl harden fix`, or pass --force)",
            names.join(", "),
            args.level
        );
        return Ok(Exit::No);
    }
    let level = args.level.to_string();
    let bodies: Vec<serde_json::Value> = ready
        .iter()
        .map(|n| {
            let mut labels = serde_json::Map::new();
            for mode in ["enforce", "audit", "warn"] {
                labels.insert(format!("pod-security.kubernetes.io/{mode}"), level.clone().into());
                labels.insert(format!("pod-security.kubernetes.io/{mode}-version"), pinned.clone().into());
            }
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n.name, "labels": labels}})
        })
        .collect();
    let action = format!("label {} namespace(s) {level}:{pinned}", bodies.len());
    let applied = shipshape::apply::preview_then_apply(
        &kube,
        PLUGIN,
        &bodies,
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
        eprintln!("{} labeled", applied.id.to_lowercase());
    }
    Ok(Exit::Success)
}
