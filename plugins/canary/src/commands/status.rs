//! `kubectl canary status`: where the runs stand, once or on every change.

use std::time::Duration;

use shipshape::exit::Exit;
use shipshape::output::{Report, Table};
use shipshape::{GlobalArgs, Kube};

use super::recorded;
use crate::cli::StatusArgs;
use crate::{PLUGIN, machine, release};

/// `kind: CanaryStatus`.
#[derive(Debug, serde::Serialize)]
struct StatusReport {
    runs: Vec<release::Record>,
}

impl Report for StatusReport {
    const KIND: &'static str = "CanaryStatus";

    fn human(&self, wide: bool) -> String {
        if self.runs.is_empty() {
            return "No canary runs found.\n".into();
        }
        let mut table = Table::new([
            "NAMESPACE",
            "DEPLOYMENT",
            "IMAGE",
            "PHASE",
            "STEP",
            "WEIGHT",
            "FAILED",
            "LAST",
        ]);
        for r in &self.runs {
            let last = if wide {
                r.events
                    .last()
                    .map(|e| e.message.clone())
                    .unwrap_or_default()
            } else {
                r.state
                    .last_checks
                    .iter()
                    .map(machine::CheckResult::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            table.row([
                r.namespace.clone(),
                r.deployment.clone(),
                r.image.clone(),
                format!("{:?}", r.state.phase),
                r.state.step.to_string(),
                format!("{}%", r.state.weight),
                format!("{}/{}", r.state.failed_checks, r.config.threshold),
                last,
            ]);
        }
        table.render()
    }
}

async fn runs(kube: &Kube, args: &StatusArgs) -> anyhow::Result<Vec<release::Record>> {
    Ok(match &args.deployment {
        Some(deployment) => vec![recorded(kube, deployment).await?.0],
        None => {
            let namespace = (!args.all_namespaces).then(|| kube.namespace.clone());
            let resource =
                kube::core::ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&());
            let maps = shipshape::list::list(
                kube,
                &resource,
                namespace.as_deref(),
                Some(release::CANARY_OF_LABEL),
            )
            .await?;
            maps.iter()
                .filter_map(|m| {
                    serde_json::from_str::<release::Record>(m["data"]["run.json"].as_str()?).ok()
                })
                .collect()
        }
    })
}

/// Runs `kubectl canary status`.
pub async fn run(global: &GlobalArgs, args: &StatusArgs) -> anyhow::Result<Exit> {
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let mut last = String::new();
    loop {
        let report = StatusReport {
            runs: runs(&kube, args).await?,
        };
        let text = shipshape::output::render(&report, args.output.output)?;
        if text != last {
            shipshape::output::print(&text)?;
            last = text;
        }
        if !args.watch || report.runs.iter().all(|r| r.state.phase.finished()) {
            return Ok(Exit::Success);
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = tokio::signal::ctrl_c() => return Err(shipshape::exit::Interrupted.into()),
        }
    }
}
