//! One module per subcommand: each does its I/O (the Deployment, the run record, Prometheus)
//! around the pure core (`machine`, `analysis`, `checklist`) and prints the result; the
//! helpers two of them share are here.

pub mod control;
pub mod history;
pub mod migrate;
pub mod preflight;
pub mod resume;
pub mod rollback;
pub mod start;
pub mod status;
pub mod verify;

use std::time::Duration;

use serde_json::Value;
use shipshape::exit::Exit;
use shipshape::output::Report;
use shipshape::{Kube, UsageError};

use crate::cli::MetricArgs;
use crate::{analysis, checklist, machine, release};

/// The run as a report: its record.
#[derive(Debug, serde::Serialize)]
pub(crate) struct RunReport<'a> {
    #[serde(flatten)]
    pub(crate) record: &'a release::Record,
}

impl Report for RunReport<'_> {
    const KIND: &'static str = "CanaryRun";

    fn human(&self, _wide: bool) -> String {
        let r = self.record;
        let phase = format!("{:?}", r.state.phase);
        let mut text = format!(
            "deployment/{} {}: {phase} after {} step(s) at {}%, {} failed check(s)",
            r.deployment, r.image, r.state.step, r.state.weight, r.state.failed_checks
        );
        if let Some(reason) = &r.state.reason {
            text.push_str(&format!("; {reason}"));
        }
        text.push('\n');
        text
    }
}

pub(crate) async fn finish(
    cluster: &release::Cluster<'_>,
    record: &mut release::Record,
    timeout: Duration,
    output: shipshape::OutputFormat,
) -> anyhow::Result<Exit> {
    let phase = release::drive(cluster, record, timeout).await?;
    shipshape::output::print(&shipshape::output::render(&RunReport { record }, output)?)?;
    Ok(if phase == machine::Phase::Succeeded {
        Exit::Success
    } else {
        Exit::No
    })
}

pub(crate) async fn recorded(
    kube: &Kube,
    deployment: &str,
) -> anyhow::Result<(release::Record, Option<String>)> {
    let cluster = release::Cluster::new(kube);
    cluster.store.record(deployment).await?.ok_or_else(|| {
        UsageError(format!("no canary run recorded for deployment {deployment} in namespace {} (configmap {} not found)", kube.namespace, release::state_name(deployment))).into()
    })
}

/// The checklist row of a missing Deployment, printed; exit 1.
pub(crate) fn missing(
    mut list: checklist::Checklist,
    deployment: &str,
    ns: &str,
    output: shipshape::OutputFormat,
) -> anyhow::Result<Exit> {
    list.row(
        "the deployment exists",
        false,
        true,
        format!("deployment \"{deployment}\" not found in namespace \"{ns}\""),
    );
    shipshape::output::print_report(&list, output)?;
    Ok(Exit::No)
}

/// The ReplicaSets a Deployment owns (its revisions), from one list of the namespace's.
pub(crate) async fn replicasets_of(
    kube: &Kube,
    namespace: &str,
    deployment: &Value,
) -> anyhow::Result<Vec<Value>> {
    let uid = &deployment["metadata"]["uid"];
    let replicasets = shipshape::list::list(
        kube,
        &kube::core::ApiResource::erase::<k8s_openapi::api::apps::v1::ReplicaSet>(&()),
        Some(namespace),
        None,
    )
    .await?;
    Ok(replicasets
        .into_iter()
        .filter(|rs| {
            rs["metadata"]["ownerReferences"]
                .as_array()
                .is_some_and(|o| o.iter().any(|r| r["uid"] == *uid))
        })
        .collect())
}

/// Rows for Prometheus: reachable, and each check's query returning data (and, when
/// `bounded`, within its bounds) for the Deployment's own pods over `window` seconds.
pub(crate) async fn metric_rows(
    list: &mut checklist::Checklist,
    args: &MetricArgs,
    namespace: &str,
    deployment: &str,
    window: u64,
) {
    let target = analysis::Target {
        namespace,
        workload: deployment,
        ingress: None,
        window,
    };
    let checks = match analysis::checks(&args.metrics, &args.queries, args.provider, &target) {
        Ok(checks) => checks,
        Err(e) => {
            list.row("analysis checks", false, true, e);
            return;
        }
    };
    let prometheus =
        match shipshape::prometheus::Prometheus::new(&args.prometheus, Duration::from_secs(15)) {
            Ok(p) => p,
            Err(e) => {
                list.row("Prometheus reachable", false, true, e);
                return;
            }
        };
    match analysis::evaluate(&prometheus, &checks).await {
        Err(e) => list.row("Prometheus reachable", false, true, e.to_string()),
        Ok(results) => {
            list.row(
                "Prometheus reachable",
                true,
                true,
                prometheus.base().to_owned(),
            );
            for result in results {
                let detail = result.describe();
                let passed = result.passed().unwrap_or(false);
                list.row(
                    &format!(
                        "{} over {}",
                        result.name,
                        shipshape::duration::human(Duration::from_secs(window))
                    ),
                    passed,
                    true,
                    detail,
                );
            }
        }
    }
}
