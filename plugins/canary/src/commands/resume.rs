//! `kubectl canary resume`: drives a run whose CLI died from its recorded step.

use std::time::Duration;

use shipshape::exit::Exit;
use shipshape::{GlobalArgs, Kube, UsageError};

use super::{finish, recorded};
use crate::cli::TargetArgs;
use crate::{PLUGIN, release};

/// Runs `kubectl canary resume`.
pub async fn run(global: &GlobalArgs, args: &TargetArgs) -> anyhow::Result<Exit> {
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let (mut record, _) = recorded(&kube, &args.deployment).await?;
    if record.state.phase.finished() {
        return Err(UsageError(format!(
            "the canary of deployment {} already ended: {:?}",
            args.deployment, record.state.phase
        ))
        .into());
    }
    let cluster = release::Cluster::new(&kube);
    record.events.push(release::Event {
        time: release::now(),
        message: format!(
            "resumed at step {} by {}",
            record.state.step,
            release::identity()
        ),
    });
    eprintln!(
        "resuming deployment/{} at step {}, weight {}%",
        record.deployment, record.state.step, record.state.weight
    );
    finish(
        &cluster,
        &mut record,
        Duration::from_secs(600),
        shipshape::OutputFormat::Table,
    )
    .await
}
