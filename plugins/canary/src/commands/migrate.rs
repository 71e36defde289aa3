//! `kubectl canary migrate`: applies a migration Job and waits for it.

use shipshape::exit::Exit;
use shipshape::{GlobalArgs, Kube};

use crate::PLUGIN;
use crate::cli::MigrateArgs;

/// Runs `kubectl canary migrate`.
pub async fn run(global: &GlobalArgs, args: &MigrateArgs) -> anyhow::Result<Exit> {
    let job = shipshape::manifests::load_one(&args.file, "Job")?;
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let applier = shipshape::apply::Applier::new(&kube, PLUGIN, shipshape::apply::DryRun::None);
    let job = shipshape::job::Job::apply(&kube, &applier, &job).await?;
    let (name, namespace) = (&job.name, &job.namespace);
    eprintln!("job.batch/{name} applied in namespace {namespace}");
    let wait = shipshape::wait::Wait::new(format!("job {name} to finish"), args.timeout);
    if job.finished(&wait).await? {
        eprintln!("job.batch/{name} complete");
        return Ok(Exit::Success);
    }
    eprintln!("job.batch/{name} failed; its pods' logs:");
    for (pod_name, log) in job.logs().await? {
        let log = log.unwrap_or_else(|e| format!("(no log: {e})"));
        eprintln!("--- pod/{pod_name}\n{}", log.trim_end());
    }
    Ok(Exit::No)
}
