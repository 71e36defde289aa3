//! `kubectl canary abort` and `promote`: through the live driver when there is one, else here.

use std::time::Duration;

use shipshape::exit::Exit;
use shipshape::{GlobalArgs, Kube, UsageError};

use super::{RunReport, finish, recorded};
use crate::cli::{PromoteArgs, TargetArgs};
use crate::{PLUGIN, machine, release};

/// Runs `kubectl canary abort`.
pub async fn abort(global: &GlobalArgs, args: &TargetArgs) -> anyhow::Result<Exit> {
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let (record, _) = recorded(&kube, &args.deployment).await?;
    control_run(&kube, record, &args.deployment, "abort").await
}

/// `abort`, or `promote`, of a run already read: through the live driver when there is one,
/// else here.
async fn control_run(
    kube: &Kube,
    mut record: release::Record,
    deployment: &str,
    what: &str,
) -> anyhow::Result<Exit> {
    if record.state.phase.finished() {
        return Err(UsageError(format!(
            "the canary of deployment {deployment} already ended: {:?}",
            record.state.phase
        ))
        .into());
    }
    let cluster = release::Cluster::new(kube);
    let timeout = Duration::from_secs(record.interval_seconds * 4 + 600);
    if cluster.leases.driven(deployment).await? {
        cluster.store.request(deployment, what).await?;
        eprintln!("asked the running canary of deployment/{deployment} to {what}; waiting for it");
        let cluster = &cluster;
        let finished =
            shipshape::wait::Wait::new(format!("the canary of {deployment} to {what}"), timeout)
                .until(|| async move {
                    let (record, _) = cluster
                        .store
                        .record(deployment)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("the run record disappeared"))?;
                    anyhow::Ok(if record.state.phase.finished() {
                        shipshape::wait::Check::Done(record)
                    } else {
                        shipshape::wait::Check::Pending(format!(
                            "{:?} at step {}",
                            record.state.phase, record.state.step
                        ))
                    })
                })
                .await?;
        shipshape::output::print(&shipshape::output::render(
            &RunReport { record: &finished },
            shipshape::OutputFormat::Table,
        )?)?;
        return Ok(if finished.state.phase == machine::Phase::Succeeded {
            Exit::Success
        } else {
            Exit::No
        });
    }
    // Nobody drives it: act here.
    if what == "abort" {
        record.state.phase = machine::Phase::RollingBack;
        record.state.reason = Some("aborted with `kubectl canary abort`".into());
    } else {
        record.state.phase = machine::Phase::Promoting;
    }
    finish(
        &cluster,
        &mut record,
        timeout,
        shipshape::OutputFormat::Table,
    )
    .await
}

/// Runs `kubectl canary promote`.
pub async fn promote(global: &GlobalArgs, args: &PromoteArgs) -> anyhow::Result<Exit> {
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let (record, _) = recorded(&kube, &args.deployment).await?;
    if record.state.phase == machine::Phase::Progressing && !args.skip_analysis {
        return Err(UsageError(format!(
            "the canary of deployment {} is still being analysed (step {}, weight {}%): pass --skip-analysis to promote now",
            args.deployment, record.state.step, record.state.weight
        ))
        .into());
    }
    control_run(&kube, record, &args.deployment, "promote").await
}
