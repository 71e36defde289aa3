//! `kubectl canary`: canary releases with metric analysis and automatic rollback, without an in-cluster controller.
//!
//! The logic lives here; `main.rs` only hands [`run`] to [`shipshape::plugin_main!`].

pub mod analysis;
pub mod checklist;
pub mod detach;
pub mod machine;
pub mod run;
pub mod webhooks;

use std::time::Duration;

use clap::Subcommand;
use serde_json::{Value, json};
use shipshape::exit::Exit;
use shipshape::output::{Report, Table};
use shipshape::version::VersionArgs;
use shipshape::{GlobalArgs, Kube, OutputArg, Plugin, UsageError};

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "canary",
    version: env!("CARGO_PKG_VERSION"),
};

const EXAMPLES: &str = "\
Examples:
  # Release api:2.1 to the web Deployment as a canary: 10 % steps to 50 %, promoted when the
  # success rate stays ≥ 99 % and p99 latency ≤ 500 ms, rolled back after 5 failed checks
  kubectl canary start web -n shop --image web=registry.example/web:2.1 --prometheus http://localhost:9090

  # Where every canary stands
  kubectl canary status -A

  # From another terminal or CI: roll back now, or promote now
  kubectl canary abort web -n shop
  kubectl canary promote web -n shop --skip-analysis

  # Run the database migration Job first (exit code follows the Job)
  kubectl canary migrate -n shop -f migrate-job.yaml

  # Show the plugin's version, and the cluster's for the current context
  kubectl canary version

  # The same against another context, as JSON for a script
  kubectl canary version --context staging -o json
";

shipshape::plugin_cli! {
    name: "canary",
    about: "Canary releases with metric analysis and automatic rollback, without an in-cluster controller.",
    long_about: "The deploy step of the playbook: preflight checklist, migration job, canary release watched on error rate and latency, promote or roll back, post-deployment verification.",
    examples: EXAMPLES,
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a canary release and drive it to promotion or rollback (blocks; resumable).
    #[command(after_help = START_EXAMPLES)]
    Start(Box<StartArgs>),
    /// Where canary runs stand: phase, step, weight, failed checks, last metric values.
    #[command(after_help = STATUS_EXAMPLES)]
    Status(StatusArgs),
    /// Continue a run whose CLI died, from its recorded step.
    #[command(after_help = RESUME_EXAMPLES)]
    Resume(TargetArgs),
    /// Roll the canary back now (the primary is left untouched).
    #[command(after_help = ABORT_EXAMPLES)]
    Abort(TargetArgs),
    /// Promote the canary now (opens a manual gate; --skip-analysis promotes mid-analysis).
    #[command(after_help = PROMOTE_EXAMPLES)]
    Promote(PromoteArgs),
    /// Past releases of a Deployment with their result, duration and reason.
    #[command(after_help = HISTORY_EXAMPLES)]
    History(TargetArgs),
    /// Apply a migration Job and wait for it; exit code follows the Job, logs shown on failure.
    #[command(after_help = MIGRATE_EXAMPLES)]
    Migrate(MigrateArgs),
    /// The pre-deployment checklist for a new image: ✓/✗ rows, exit 1 on a blocking one.
    #[command(after_help = PREFLIGHT_EXAMPLES)]
    Preflight(PreflightArgs),
    /// Post-deployment verification: rollout, restarts, warning events, metrics over a window.
    #[command(after_help = VERIFY_EXAMPLES)]
    Verify(VerifyArgs),
    /// Roll the Deployment back: to the template recorded before the last canary, or a revision.
    #[command(after_help = ROLLBACK_EXAMPLES)]
    Rollback(RollbackArgs),
    /// Print the plugin's version, and the API server's version and context when reachable.
    #[command(after_help = shipshape::version_examples!("canary"))]
    Version(VersionArgs),
}

const STATUS_EXAMPLES: &str = "\
Examples:
  # Every canary run in the playbook's production namespace
  kubectl canary status -n hastecrm-production

  # One Deployment, printed again on every change until its run ends
  kubectl canary status web -n hastecrm-production -w

  # Every namespace, as JSON for a script
  kubectl canary status -A -o json
";

const RESUME_EXAMPLES: &str = "\
Examples:
  # The terminal running `kubectl canary start web` died: continue from the recorded step
  kubectl canary resume web -n hastecrm-production
";

const ABORT_EXAMPLES: &str = "\
Examples:
  # Error rate up after the release: roll the canary back now (the primary keeps serving)
  kubectl canary abort web -n hastecrm-production
";

const PROMOTE_EXAMPLES: &str = "\
Examples:
  # Open the manual gate of a run started with --manual-gate
  kubectl canary promote web -n hastecrm-production

  # Promote now, while the analysis is still running (the emergency path)
  kubectl canary promote web -n hastecrm-production --skip-analysis
";

const HISTORY_EXAMPLES: &str = "\
Examples:
  # Recent releases of web with their result, duration and reason (the runbook's first step)
  kubectl canary history web -n hastecrm-production
";

const MIGRATE_EXAMPLES: &str = "\
Examples:
  # The playbook's migration step: apply the Job, wait for it, exit with its result
  kubectl canary migrate -n hastecrm-production -f examples/hastecrm/release/migrate-2.2.yaml

  # With a shorter deadline than the default 15m
  kubectl canary migrate -n hastecrm-production -f k8s/jobs/migration-v2.1.0.yaml --timeout 60s
";

const PREFLIGHT_EXAMPLES: &str = "\
Examples:
  # The pre-deployment checklist for the new image (exit 1 on a blocking row)
  kubectl canary preflight web -n hastecrm-production --image hastecrm/web:2.2.0 --prometheus http://localhost:9090

  # One container's image, as JSON for a CI gate
  kubectl canary preflight web -n hastecrm-production --image web=hastecrm/web:2.2.0 -o json
";

const VERIFY_EXAMPLES: &str = "\
Examples:
  # Post-deployment verification: rollout, restarts, warning events, metrics over 10 minutes
  kubectl canary verify web -n hastecrm-production --window 10m --prometheus http://localhost:9090

  # With a stricter success rate than the default
  kubectl canary verify web -n hastecrm-production --metric request-success-rate:min=99.5
";

const ROLLBACK_EXAMPLES: &str = "\
Examples:
  # The runbook's mitigation: back to the template recorded before the last canary
  kubectl canary rollback web -n hastecrm-production

  # Back to a ReplicaSet revision (`kubectl rollout history deployment/web` lists them)
  kubectl canary rollback web -n hastecrm-production --to-revision 3
";

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Version(args) => shipshape::version::run(PLUGIN, &cli.global, args).await,
        Command::Start(args) => start(&cli.global, args).await,
        Command::Status(args) => status(&cli.global, args).await,
        Command::Resume(args) => resume(&cli.global, args).await,
        Command::Abort(args) => control(&cli.global, &args.deployment, "abort").await,
        Command::Promote(args) => promote(&cli.global, args).await,
        Command::History(args) => history(&cli.global, args).await,
        Command::Migrate(args) => migrate(&cli.global, args).await,
        Command::Preflight(args) => preflight(&cli.global, args).await,
        Command::Verify(args) => verify(&cli.global, args).await,
        Command::Rollback(args) => rollback(&cli.global, args).await,
    }
}

const START_EXAMPLES: &str = "\
Examples:
  # The playbook's defaults: interval 30s, threshold 5, step 10 %, max 50 %
  kubectl canary start web -n shop --image registry.example/web:2.1 --prometheus http://localhost:9090

  # Faster steps, a custom check, and a person to say when
  kubectl canary start web -n shop --image web=registry.example/web:2.1 --prometheus http://localhost:9090 \\
      --interval 10s --step-weight 25 --query queue-depth='max(queue_depth)' --metric queue-depth:max=100 \\
      --metric request-success-rate:min=99.5 --manual-gate
";

/// The values of canary's own arguments for `kubectl_complete-canary`: the Deployments of the
/// namespace for every command's DEPLOYMENT.
pub fn complete_values(
    request: &shipshape::complete::Request<'_>,
) -> Option<shipshape::complete::Values> {
    (request.id() == "deployment").then_some(shipshape::complete::Values::Names {
        resource: kube::core::ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&()),
        namespace: None,
    })
}

/// A Deployment in the current (or -n) namespace.
#[derive(Debug, clap::Args)]
pub struct TargetArgs {
    /// The primary Deployment.
    #[arg(value_parser = shipshape::names::object)]
    pub deployment: String,
}

/// `--strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Strategy {
    /// Traffic shifted to the canary in steps.
    Canary,
    /// A full-size preview analysed, then the active Service switched to it.
    BlueGreen,
}

/// `kubectl canary start`'s flags.
#[derive(Debug, clap::Args)]
pub struct StartArgs {
    /// The primary Deployment.
    #[arg(value_parser = shipshape::names::object)]
    pub deployment: String,

    /// The new image: `IMAGE` (first container) or `CONTAINER=IMAGE`.
    #[arg(long, value_name = "[CONTAINER=]IMAGE")]
    pub image: String,

    /// `canary` (traffic shifted in steps) or `blue-green` (a full-size preview analysed, then
    /// the --active-service switched to it in one patch; --manual-gate keeps it waiting for
    /// `kubectl canary promote`, like Argo Rollouts' autoPromotionEnabled: false).
    #[arg(long, value_enum, default_value = "canary")]
    pub strategy: Strategy,

    /// The canary Deployment's name (default `<deployment>-canary`; `<deployment>-preview` for
    /// blue-green), for when that name is taken by something that is not a canary of this
    /// Deployment: kubectl canary refuses to touch such an object.
    #[arg(long = "canary-name", value_name = "NAME")]
    pub canary_name: Option<String>,

    /// For blue-green: the Service that carries production traffic.
    #[arg(long = "active-service", value_name = "SERVICE")]
    pub active_service: Option<String>,

    /// For blue-green: how long the old version keeps running after the switch.
    #[arg(long = "scale-down-delay", default_value = "30s", value_parser = shipshape::duration::parse)]
    pub scale_down_delay: Duration,

    /// How traffic reaches the canary: `replicas` (no mesh: canary and primary pods in
    /// proportion to the weight behind the same Service, the total kept constant — with N
    /// replicas each canary pod is 100/N %, so small Deployments move in coarse steps), or
    /// `gateway-api:ROUTE[#RULE]` (the weights of an HTTPRoute rule's backendRefs: the primary
    /// Service and a canary Service; only that rule changes), `istio:VIRTUALSERVICE[#ROUTE]` (the
    /// weights of a VirtualService's http route, summing to 100), or `nginx:INGRESS` (a canary
    /// Ingress with NGINX's canary-weight annotation).
    #[arg(long, default_value = "replicas", value_name = "MODE", value_parser = str::parse::<run::TrafficFlag>)]
    pub traffic: run::TrafficFlag,

    /// Weight added after each passing interval, percent.
    #[arg(long = "step-weight", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub step_weight: u32,

    /// The weight at which the canary is promoted, percent.
    #[arg(long = "max-weight", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_weight: u32,

    /// Time between checks.
    #[arg(long, default_value = "30s", value_parser = shipshape::duration::positive)]
    pub interval: Duration,

    /// Failed checks (cumulative over the run) that roll the canary back.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub threshold: u32,

    /// A check and its bound: `request-success-rate:min=99`, `request-duration:max=500` (ms), or
    /// a --query name. Default: both built-ins with the playbook's bounds. Repeatable.
    #[arg(long = "metric", value_name = "NAME[:min=X|:max=Y]")]
    pub metrics: Vec<String>,

    /// A custom check's PromQL (bound it with --metric NAME:…). Repeatable.
    #[arg(long = "query", value_name = "NAME=PROMQL")]
    pub queries: Vec<String>,

    /// Checks and webhooks from a YAML file, added to the flags':
    /// `metrics: [{name, query?, min?, max?}]`, `webhooks: [{type, url}]`.
    #[arg(long = "analysis-file", value_name = "FILE")]
    pub analysis_file: Option<std::path::PathBuf>,

    /// Metric names the built-in checks use.
    #[arg(long, value_enum, default_value = "generic")]
    pub provider: analysis::Provider,

    /// The Prometheus to query.
    #[arg(long, value_name = "URL", default_value = "http://localhost:9090")]
    pub prometheus: String,

    /// Checks without data: fail (count as failed), hold (keep the weight), or pass.
    #[arg(long = "on-no-data", value_enum, default_value = "fail")]
    pub on_no_data: machine::NoData,

    /// Wait at the maximum weight for `kubectl canary promote`.
    #[arg(long = "manual-gate")]
    pub manual_gate: bool,

    /// A webhook, Flagger-style: pre-rollout, rollout, confirm-promotion, post-rollout or
    /// rollback, with its URL. Repeatable.
    #[arg(long = "webhook", value_name = "TYPE=URL", value_parser = webhooks::parse)]
    pub webhooks: Vec<webhooks::Webhook>,

    /// How long a webhook may take to answer.
    #[arg(long = "webhook-timeout", default_value = "10s", value_parser = shipshape::duration::positive)]
    pub webhook_timeout: Duration,

    /// Return at once and let a Job in the cluster drive the release (`kubectl canary resume`
    /// from the suite's image, with a ServiceAccount and a Role of its own).
    #[arg(long)]
    pub detach: bool,

    /// The suite's container image, for --detach (see the Dockerfile).
    #[arg(long = "runner-image", value_name = "IMAGE", default_value = concat!("shipshape:", env!("CARGO_PKG_VERSION")))]
    pub runner_image: String,

    /// How long the primary's rollout may take at promotion.
    #[arg(long, default_value = "10m", value_parser = shipshape::duration::parse)]
    pub timeout: Duration,

    #[command(flatten)]
    pub output: OutputArg,
}

/// The run as a report: its record.
#[derive(Debug, serde::Serialize)]
struct RunReport<'a> {
    #[serde(flatten)]
    record: &'a run::Record,
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

fn split_image(text: &str) -> (Option<String>, String) {
    match text.split_once('=') {
        Some((container, image)) if !container.contains('/') && !container.contains(':') => {
            (Some(container.to_owned()), image.to_owned())
        }
        _ => (None, text.to_owned()),
    }
}

async fn start(global: &GlobalArgs, args: &StartArgs) -> anyhow::Result<Exit> {
    let route = match &args.traffic {
        run::TrafficFlag::Replicas => None,
        run::TrafficFlag::GatewayApi { route, rule } => Some((route.clone(), *rule, false)),
        run::TrafficFlag::Istio { service, route } => Some((service.clone(), *route, true)),
        run::TrafficFlag::Nginx { ingress } => Some((ingress.clone(), 0, false)),
    };
    shipshape::names::image_reference(&split_image(&args.image).1)
        .map_err(|e| UsageError(format!("--image: {e}")))?;
    if args.max_weight < args.step_weight {
        return Err(UsageError("--max-weight must be at least --step-weight".into()).into());
    }
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let cluster = run::Cluster::new(&kube);
    let Some(primary) = cluster.deployment(&args.deployment).await? else {
        return Err(UsageError(format!(
            "deployment \"{}\" not found in namespace \"{}\"",
            args.deployment, kube.namespace
        ))
        .into());
    };
    let previous = cluster.record(&args.deployment).await?;
    if let Some((record, _)) = &previous
        && !record.state.phase.finished()
    {
        // The answer is no (exit 1), as for any refused release: the run in progress stays.
        let driver = match cluster.holder(&args.deployment).await? {
            Some(holder) => format!("driven by {holder}"),
            None => "no live driver: `kubectl canary resume` continues it".to_owned(),
        };
        return Err(shipshape::exit::Refused(format!(
            "a canary is already running for deployment {} ({:?}, step {}, weight {}%, {driver}): `kubectl canary status {0}`, `resume`, `abort` or `promote` it",
            args.deployment, record.state.phase, record.state.step, record.state.weight
        ))
        .into());
    }
    let (container, image) = split_image(&args.image);
    let containers = primary["spec"]["template"]["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let container = match container {
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
    let blue_green = args.strategy == Strategy::BlueGreen;
    let traffic = match (&route, blue_green, &args.active_service) {
        (_, true, None) => {
            return Err(
                UsageError("--strategy blue-green needs --active-service SERVICE".into()).into(),
            );
        }
        (Some(_), true, _) => {
            return Err(UsageError(
                "--strategy blue-green switches --active-service: it does not take --traffic"
                    .into(),
            )
            .into());
        }
        (_, true, Some(service)) => {
            cluster
                .blue_green_traffic(service, args.scale_down_delay)
                .await?
        }
        (Some((name, _, _)), false, _)
            if matches!(args.traffic, run::TrafficFlag::Nginx { .. }) =>
        {
            cluster.nginx_traffic(name, &primary).await?
        }
        (Some((name, rule, istio)), false, _) => {
            cluster.gateway_traffic(name, *rule, *istio).await?
        }
        (None, false, _) => run::Traffic::Replicas,
    };
    let canary_name = match &args.canary_name {
        Some(name) => {
            if !shipshape::names::is_dns_label(name) || name == &args.deployment {
                return Err(UsageError(format!(
                    "--canary-name {name:?}: must be a DNS label (lowercase letters, digits and \
                     '-', at most 63, starting and ending alphanumeric) other than the \
                     Deployment's own name"
                ))
                .into());
            }
            name.clone()
        }
        None if blue_green => format!("{}-preview", args.deployment),
        None => format!("{}-canary", args.deployment),
    };
    let (step_weight, max_weight) = if blue_green {
        (100, 100)
    } else {
        (args.step_weight, args.max_weight)
    };
    let canary_ingress = match &traffic {
        run::Traffic::Nginx { ingress, .. } => Some(format!("{ingress}-canary")),
        _ => None,
    };
    let target = analysis::Target {
        namespace: &kube.namespace,
        workload: &canary_name,
        ingress: canary_ingress.as_deref(),
        window: args.interval.as_secs().max(10),
    };
    let mut metrics = args.metrics.clone();
    let mut queries = args.queries.clone();
    let mut hooks = args.webhooks.clone();
    if let Some(path) = &args.analysis_file {
        let file = analysis::AnalysisFile::read(path).map_err(UsageError)?;
        metrics.extend(file.metric_flags());
        queries.extend(file.query_flags());
        hooks.extend(file.webhooks);
    }
    let checks =
        analysis::checks(&metrics, &queries, args.provider, &target).map_err(UsageError)?;
    let total = shipshape::workload::replicas(&primary).unwrap_or(1);
    let history = previous.map(|(r, _)| r.next_history()).unwrap_or_default();
    let mut record = run::Record {
        deployment: args.deployment.clone(),
        namespace: kube.namespace.clone(),
        container,
        image,
        config: machine::Config {
            step_weight,
            max_weight,
            threshold: args.threshold,
            on_no_data: args.on_no_data,
            manual_gate: args.manual_gate,
        },
        interval_seconds: args.interval.as_secs().max(1),
        checks,
        prometheus: args.prometheus.clone(),
        total_replicas: total,
        original_template: primary["spec"]["template"].clone(),
        state: machine::State::default(),
        started: run::now(),
        finished: None,
        events: Vec::new(),
        history,
        webhooks: hooks,
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
        .lease(
            &args.deployment,
            &run::identity(),
            Duration::from_secs(record.interval_seconds * 3 + 10),
        )
        .await?;
    record.state.weight = step_weight;
    let (canary, primary_pods) = run::split(total, step_weight);
    cluster.save(&record, true).await?;
    cluster.create_canary(&record, &primary, canary).await?;
    cluster.route(&record, step_weight).await?;
    let means = match record.traffic {
        run::Traffic::Replicas => format!(
            "{canary} canary / {primary_pods} primary pods of {total}; each canary pod is {}%",
            100 / total.max(1)
        ),
        _ => record.weight_means(step_weight),
    };
    record.event(format!(
        "started: deployment {} → {} (container {}); weight {}% ({means})",
        record.deployment, record.image, record.container, step_weight
    ));
    cluster.save(&record, false).await?;
    if args.detach {
        // The loop continues in the cluster: `kubectl canary resume` in a Job.
        let objects = detach::objects(&record, &args.runner_image);
        let applier = shipshape::apply::Applier::new(&kube, PLUGIN, shipshape::apply::DryRun::None);
        let handed_over = shipshape::apply::apply_each(&applier, &objects).await;
        // Whether or not the Job could be created, this process stops driving: a failed hand
        // over leaves a canary with no driver, which the message says how to continue.
        cluster.release(&record.deployment).await?;
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

async fn finish(
    cluster: &run::Cluster<'_>,
    record: &mut run::Record,
    timeout: Duration,
    output: shipshape::OutputFormat,
) -> anyhow::Result<Exit> {
    let phase = run::drive(cluster, record, timeout).await?;
    shipshape::output::print(&shipshape::output::render(&RunReport { record }, output)?)?;
    Ok(if phase == machine::Phase::Succeeded {
        Exit::Success
    } else {
        Exit::No
    })
}

async fn recorded(kube: &Kube, deployment: &str) -> anyhow::Result<(run::Record, Option<String>)> {
    let cluster = run::Cluster::new(kube);
    cluster.record(deployment).await?.ok_or_else(|| {
        UsageError(format!("no canary run recorded for deployment {deployment} in namespace {} (configmap {} not found)", kube.namespace, run::state_name(deployment))).into()
    })
}

async fn resume(global: &GlobalArgs, args: &TargetArgs) -> anyhow::Result<Exit> {
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let (mut record, _) = recorded(&kube, &args.deployment).await?;
    if record.state.phase.finished() {
        return Err(UsageError(format!(
            "the canary of deployment {} already ended: {:?}",
            args.deployment, record.state.phase
        ))
        .into());
    }
    let cluster = run::Cluster::new(&kube);
    record.events.push(run::Event {
        time: run::now(),
        message: format!(
            "resumed at step {} by {}",
            record.state.step,
            run::identity()
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

/// `abort`, or `promote`: through the live driver when there is one, else here.
async fn control(global: &GlobalArgs, deployment: &str, what: &str) -> anyhow::Result<Exit> {
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let (record, _) = recorded(&kube, deployment).await?;
    control_run(&kube, record, deployment, what).await
}

/// [`control`] of a run already read.
async fn control_run(
    kube: &Kube,
    mut record: run::Record,
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
    let cluster = run::Cluster::new(kube);
    let timeout = Duration::from_secs(record.interval_seconds * 4 + 600);
    if cluster.driven(deployment).await? {
        cluster.request(deployment, what).await?;
        eprintln!("asked the running canary of deployment/{deployment} to {what}; waiting for it");
        let cluster = &cluster;
        let finished =
            shipshape::wait::Wait::new(format!("the canary of {deployment} to {what}"), timeout)
                .until(|| async move {
                    let (record, _) = cluster
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

/// `kubectl canary promote`'s flags.
#[derive(Debug, clap::Args)]
pub struct PromoteArgs {
    /// The primary Deployment.
    #[arg(value_parser = shipshape::names::object)]
    pub deployment: String,

    /// Promote even though the analysis has not finished (the emergency path).
    #[arg(long = "skip-analysis")]
    pub skip_analysis: bool,
}

async fn promote(global: &GlobalArgs, args: &PromoteArgs) -> anyhow::Result<Exit> {
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

/// `kubectl canary status`'s flags.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// One Deployment (default: every run in the namespace).
    #[arg(value_parser = shipshape::names::object)]
    pub deployment: Option<String>,

    /// Every namespace.
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,

    /// Keep watching: print again on every change, until every run shown has ended.
    #[arg(short = 'w', long)]
    pub watch: bool,

    #[command(flatten)]
    pub output: OutputArg,
}

/// `kind: CanaryStatus`.
#[derive(Debug, serde::Serialize)]
struct StatusReport {
    runs: Vec<run::Record>,
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

async fn runs(kube: &Kube, args: &StatusArgs) -> anyhow::Result<Vec<run::Record>> {
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
                Some(run::CANARY_OF_LABEL),
            )
            .await?;
            maps.iter()
                .filter_map(|m| {
                    serde_json::from_str::<run::Record>(m["data"]["run.json"].as_str()?).ok()
                })
                .collect()
        }
    })
}

async fn status(global: &GlobalArgs, args: &StatusArgs) -> anyhow::Result<Exit> {
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

async fn history(global: &GlobalArgs, args: &TargetArgs) -> anyhow::Result<Exit> {
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let (record, _) = recorded(&kube, &args.deployment).await?;
    let mut table = Table::new(["STARTED", "IMAGE", "RESULT", "STEPS", "DURATION", "REASON"]);
    let current = record.summary();
    for run in record.history.iter().chain([&current]) {
        let duration = match (
            run["started"]
                .as_str()
                .and_then(|s| s.parse::<jiff::Timestamp>().ok()),
            run["finished"]
                .as_str()
                .and_then(|s| s.parse::<jiff::Timestamp>().ok()),
        ) {
            (Some(a), Some(b)) => shipshape::duration::human(Duration::from_secs(
                b.as_second().saturating_sub(a.as_second()).max(0) as u64,
            )),
            _ => "-".into(),
        };
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        table.row([
            text(&run["started"]),
            text(&run["image"]),
            text(&run["phase"]),
            run["steps"].to_string(),
            duration,
            run["reason"].as_str().unwrap_or("").to_owned(),
        ]);
    }
    shipshape::output::print(&table.render())?;
    Ok(Exit::Success)
}

/// `kubectl canary migrate`'s flags.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// The migration Job's manifest.
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    pub file: std::path::PathBuf,

    /// How long the Job may take.
    #[arg(long, default_value = "15m", value_parser = shipshape::duration::parse)]
    pub timeout: Duration,
}

async fn migrate(global: &GlobalArgs, args: &MigrateArgs) -> anyhow::Result<Exit> {
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

/// The checklist row of a missing Deployment, printed; exit 1.
fn missing(
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

/// The flags preflight and verify share for metrics.
#[derive(Debug, clap::Args)]
pub struct MetricArgs {
    /// A check and its bound (as for `start`); default: the built-in success rate and latency.
    #[arg(long = "metric", value_name = "NAME[:min=X|:max=Y]")]
    pub metrics: Vec<String>,

    /// A custom check's PromQL.
    #[arg(long = "query", value_name = "NAME=PROMQL")]
    pub queries: Vec<String>,

    /// Metric names the built-in checks use.
    #[arg(long, value_enum, default_value = "generic")]
    pub provider: analysis::Provider,

    /// The Prometheus to query.
    #[arg(long, value_name = "URL", default_value = "http://localhost:9090")]
    pub prometheus: String,
}

/// `kubectl canary preflight`'s flags.
#[derive(Debug, clap::Args)]
pub struct PreflightArgs {
    /// The primary Deployment.
    #[arg(value_parser = shipshape::names::object)]
    pub deployment: String,

    /// The image about to be released: `IMAGE` or `CONTAINER=IMAGE`.
    #[arg(long, value_name = "[CONTAINER=]IMAGE")]
    pub image: String,

    /// The maximum weight the canary will reach (decides how many canary pods need quota).
    #[arg(long = "max-weight", default_value_t = 50)]
    pub max_weight: u32,

    #[command(flatten)]
    pub metrics: MetricArgs,

    #[command(flatten)]
    pub output: OutputArg,
}

async fn preflight(global: &GlobalArgs, args: &PreflightArgs) -> anyhow::Result<Exit> {
    use k8s_openapi::api::{
        autoscaling::v2 as autoscaling, core::v1 as core, policy::v1 as policy,
    };
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let ns = kube.namespace.clone();
    let cluster = run::Cluster::new(&kube);
    let mut list = checklist::Checklist::new(&format!(
        "preflight of deployment/{} → {}",
        args.deployment, args.image
    ));
    let Some(primary) = cluster.deployment(&args.deployment).await? else {
        return missing(list, &args.deployment, &ns, args.output.output);
    };
    let (container, image) = split_image(&args.image);
    let mut release = primary.clone();
    run::set_image(
        &mut release["spec"]["template"],
        container.as_deref().unwrap_or(""),
        &image,
    );
    let list_of = |resource: kube::core::ApiResource| {
        let kube = &kube;
        let ns = ns.clone();
        async move { shipshape::list::list(kube, &resource, Some(&ns), None).await }
    };
    let (pdbs, hpas, ranges, quotas, replicasets) = tokio::try_join!(
        list_of(kube::core::ApiResource::erase::<policy::PodDisruptionBudget>(&())),
        list_of(kube::core::ApiResource::erase::<
            autoscaling::HorizontalPodAutoscaler,
        >(&())),
        list_of(kube::core::ApiResource::erase::<core::LimitRange>(&())),
        list_of(kube::core::ApiResource::erase::<core::ResourceQuota>(&())),
        replicasets_of(&kube, &ns, &primary),
    )?;
    let revisions = replicasets.len();
    let running = cluster
        .record(&args.deployment)
        .await?
        .filter(|(r, _)| !r.state.phase.finished())
        .map(|(r, _)| {
            format!(
                "{:?} at step {}, weight {}%",
                r.state.phase, r.state.step, r.state.weight
            )
        });
    let related: Vec<Value> = pdbs.into_iter().chain(hpas).collect();
    let quotas: Vec<shipshape::admission::Quota> = quotas
        .iter()
        .map(shipshape::admission::Quota::from_object)
        .collect();
    let total = shipshape::workload::replicas(&primary).unwrap_or(1);
    checklist::preflight(
        &checklist::Preflight {
            release: &release,
            related: &related,
            limit_ranges: &ranges,
            quotas: &quotas,
            canary_pods: run::split(total, args.max_weight).0,
            revisions,
            running,
        },
        &mut list,
    );
    metric_rows(&mut list, &args.metrics, &ns, &args.deployment, 300).await;
    shipshape::output::print_report(&list, args.output.output)?;
    Ok(if list.blocked() {
        Exit::No
    } else {
        Exit::Success
    })
}

/// The ReplicaSets a Deployment owns (its revisions), from one list of the namespace's.
async fn replicasets_of(
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
async fn metric_rows(
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

/// `kubectl canary verify`'s flags.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The Deployment.
    #[arg(value_parser = shipshape::names::object)]
    pub deployment: String,

    /// How far back the metrics are judged.
    #[arg(long, default_value = "5m", value_parser = shipshape::duration::positive)]
    pub window: Duration,

    #[command(flatten)]
    pub metrics: MetricArgs,

    #[command(flatten)]
    pub output: OutputArg,
}

async fn verify(global: &GlobalArgs, args: &VerifyArgs) -> anyhow::Result<Exit> {
    use k8s_openapi::api::core::v1 as core;
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let ns = kube.namespace.clone();
    let cluster = run::Cluster::new(&kube);
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
        .filter(|p| p["metadata"]["labels"][run::TRACK_LABEL].is_null())
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

/// `kubectl canary rollback`'s flags.
#[derive(Debug, clap::Args)]
pub struct RollbackArgs {
    /// The Deployment.
    #[arg(value_parser = shipshape::names::object)]
    pub deployment: String,

    /// The ReplicaSet revision to return to (default: the template recorded before the last
    /// canary, or else the previous revision, as `kubectl rollout undo`).
    #[arg(long = "to-revision", value_name = "N")]
    pub to_revision: Option<u64>,

    /// How long the rollout may take.
    #[arg(long, default_value = "10m", value_parser = shipshape::duration::parse)]
    pub timeout: Duration,
}

async fn rollback(global: &GlobalArgs, args: &RollbackArgs) -> anyhow::Result<Exit> {
    use k8s_openapi::api::apps::v1 as apps;
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let ns = kube.namespace.clone();
    let cluster = run::Cluster::new(&kube);
    let Some(deployment) = cluster.deployment(&args.deployment).await? else {
        return Err(UsageError(format!(
            "deployment \"{}\" not found in namespace \"{ns}\"",
            args.deployment
        ))
        .into());
    };
    let record = cluster.record(&args.deployment).await?.map(|(r, _)| r);
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

#[cfg(test)]
mod completion_tests {
    use clap::CommandFactory;
    use shipshape::complete::Values;

    #[test]
    fn every_deployment_argument_completes_the_namespace_deployments() {
        let cmd = super::Cli::command();
        let with_deployment: Vec<&str> = cmd
            .get_subcommands()
            .filter(|sub| sub.get_arguments().any(|a| a.get_id() == "deployment"))
            .map(|sub| sub.get_name())
            .collect();
        assert!(with_deployment.len() >= 8, "{with_deployment:?}");
        for sub in with_deployment {
            let args = vec![
                "-n".to_owned(),
                "shop".to_owned(),
                sub.to_owned(),
                "w".to_owned(),
            ];
            let plan = shipshape::complete::complete(&cmd, &args, super::complete_values);
            assert!(
                matches!(
                    plan.lookup,
                    Some(Values::Names {
                        namespace: None,
                        ..
                    })
                ),
                "{sub}: {plan:?}"
            );
            assert_eq!(plan.given.kube_flags().namespace.as_deref(), Some("shop"));
        }
    }
}
