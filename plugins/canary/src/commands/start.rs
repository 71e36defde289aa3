//! `kubectl canary start`: checks the release, creates the canary and drives it (or hands it to
//! a Job with --detach).

use std::time::Duration;

use shipshape::exit::Exit;
use shipshape::{GlobalArgs, Kube, UsageError};

use super::finish;
use crate::cli::StartArgs;
use crate::settings::Routing;
use crate::{PLUGIN, analysis, detach, machine, release, webhooks};

/// Runs `kubectl canary start`.
pub async fn run(global: &GlobalArgs, args: &StartArgs) -> anyhow::Result<Exit> {
    let plan = args.release()?;
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let cluster = release::Cluster::new(&kube);
    let Some(primary) = cluster.deployment(&args.deployment).await? else {
        return Err(UsageError(format!(
            "deployment \"{}\" not found in namespace \"{}\"",
            args.deployment, kube.namespace
        ))
        .into());
    };
    let previous = cluster.store.record(&args.deployment).await?;
    if let Some((record, _)) = &previous
        && !record.state.phase.finished()
    {
        // The answer is no (exit 1), as for any refused release: the run in progress stays.
        let driver = match cluster.leases.holder(&args.deployment).await? {
            Some(holder) => format!("driven by {holder}"),
            None => "no live driver: `kubectl canary resume` continues it".to_owned(),
        };
        return Err(shipshape::exit::Refused(format!(
            "a canary is already running for deployment {} ({:?}, step {}, weight {}%, {driver}): `kubectl canary status {0}`, `resume`, `abort` or `promote` it",
            args.deployment, record.state.phase, record.state.step, record.state.weight
        ))
        .into());
    }
    let containers = primary["spec"]["template"]["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let container = match plan.container {
        Some(name) if containers.iter().any(|c| c["name"] == name.as_str()) => name,
        Some(name) => {
            return Err(UsageError(format!(
                "deployment {} has no container {name}",
                args.deployment
            ))
            .into());
        }
        None => containers
            .first()
            .and_then(|c| c["name"].as_str())
            .unwrap_or_default()
            .to_owned(),
    };
    let traffic = match plan.routing {
        Routing::Replicas => release::Traffic::Replicas,
        Routing::Route { name, rule, istio } => {
            release::traffic::route::discover(&cluster, name, rule, istio).await?
        }
        Routing::Nginx { ingress } => {
            release::traffic::nginx::discover(&cluster, ingress, &primary).await?
        }
        Routing::BlueGreen {
            active_service,
            scale_down_delay,
        } => {
            release::traffic::blue_green::discover(&cluster, active_service, scale_down_delay)
                .await?
        }
    };
    let step_weight = plan.config.step_weight;
    let canary_ingress = traffic.strategy().canary_ingress();
    let target = analysis::Target {
        namespace: &kube.namespace,
        workload: &plan.canary_name,
        ingress: canary_ingress.as_deref(),
        window: args.interval.as_secs().max(10),
    };
    let checks = analysis::checks(&plan.metrics, &plan.queries, args.provider, &target)
        .map_err(UsageError)?;
    let total = shipshape::workload::replicas(&primary).unwrap_or(1);
    let history = previous.map(|(r, _)| r.next_history()).unwrap_or_default();
    let mut record = release::Record {
        deployment: args.deployment.clone(),
        namespace: kube.namespace.clone(),
        container,
        image: plan.image,
        config: plan.config,
        interval_seconds: args.interval.as_secs().max(1),
        checks,
        prometheus: args.prometheus.clone(),
        total_replicas: total,
        original_template: primary["spec"]["template"].clone(),
        state: machine::State::default(),
        started: release::now(),
        finished: None,
        events: Vec::new(),
        history,
        webhooks: plan.webhooks,
        traffic,
        webhook_timeout_seconds: args.webhook_timeout.as_secs().max(1),
        canary_name: args.canary_name.clone(),
    };
    let prometheus =
        shipshape::prometheus::Prometheus::new(&record.prometheus, Duration::from_secs(5))
            .map_err(UsageError)?;
    // Prometheus must answer before production changes: a release that cannot be analysed
    // is not started (the canary and the halved primary would wait for data that never comes).
    if !record.checks.is_empty()
        && let Err(e) = prometheus.query("vector(1)").await
    {
        return Err(anyhow::Error::new(e).context(
            "the release did not start and nothing was changed: the analysis needs Prometheus",
        ));
    }
    // Another team's `web-canary` (or a Service or Ingress of the name we would create) is
    // refused before anything is written.
    cluster.check_names_free(&record).await?;
    for (url, outcome) in record.call_hooks(webhooks::Kind::PreRollout).await {
        if let Err(why) = outcome {
            eprintln!("error: {why}; the release did not start and nothing was changed ({url})");
            return Ok(Exit::No);
        }
    }
    cluster
        .leases
        .take(
            &args.deployment,
            &release::identity(),
            Duration::from_secs(record.interval_seconds * 3 + 10),
        )
        .await?;
    record.state.weight = step_weight;
    let (canary, primary_pods) = release::split(total, step_weight);
    cluster.store.save(&record, true).await?;
    cluster.create_canary(&record, &primary, canary).await?;
    cluster.route(&record, step_weight).await?;
    let means = match record.traffic {
        release::Traffic::Replicas => format!(
            "{canary} canary / {primary_pods} primary pods of {total}; each canary pod is {}%",
            100 / total.max(1)
        ),
        _ => record.weight_means(step_weight),
    };
    record.event(format!(
        "started: deployment {} → {} (container {}); weight {}% ({means})",
        record.deployment, record.image, record.container, step_weight
    ));
    cluster.store.save(&record, false).await?;
    if args.detach {
        // The loop continues in the cluster: `kubectl canary resume` in a Job.
        let objects = detach::objects(&record, &args.runner_image);
        let applier = shipshape::apply::Applier::new(&kube, PLUGIN, shipshape::apply::DryRun::None);
        let handed_over = shipshape::apply::apply_each(&applier, &objects).await;
        // Whether or not the Job could be created, this process stops driving: a failed hand
        // over leaves a canary with no driver, which the message says how to continue.
        cluster.leases.give_up(&record.deployment).await?;
        handed_over.map_err(|e| {
            e.context(format!(
                "the canary of deployment {0} is running with no driver: `kubectl canary resume {0} -n {1}` drives it from here, `kubectl canary abort {0} -n {1}` rolls it back",
                record.deployment, record.namespace
            ))
        })?;
        let job = objects
            .last()
            .and_then(|o| o["metadata"]["name"].as_str())
            .unwrap_or_default()
            .to_owned();
        eprintln!(
            "detached: job.batch/{job} drives the release in namespace {}; follow it with `kubectl canary status {} -n {0} -w`",
            record.namespace, record.deployment
        );
        return Ok(Exit::Success);
    }
    finish(&cluster, &mut record, args.timeout, args.output.output).await
}
