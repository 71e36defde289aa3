//! `kubectl canary`'s command line: clap's definitions only (flags, help, examples, value
//! parsers). [`crate::settings`] turns them into what the commands run.

use std::time::Duration;

use clap::Subcommand;
use shipshape::OutputArg;
use shipshape::version::VersionArgs;

use crate::{analysis, machine, webhooks};

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
    #[arg(long, default_value = "replicas", value_name = "MODE", value_parser = str::parse::<TrafficFlag>)]
    pub traffic: TrafficFlag,

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

/// `--traffic`, parsed once: how the release's traffic is split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrafficFlag {
    /// `replicas`: canary and primary pods behind the same Service.
    Replicas,
    /// `gateway-api:ROUTE[#RULE]`: an HTTPRoute rule's backendRefs weights.
    GatewayApi { route: String, rule: usize },
    /// `istio:VIRTUALSERVICE[#ROUTE]`: a VirtualService http route's weights.
    Istio { service: String, route: usize },
    /// `nginx:INGRESS`: a canary Ingress with NGINX's canary-weight annotation.
    Nginx { ingress: String },
}

impl std::str::FromStr for TrafficFlag {
    type Err = String;

    /// `replicas`, `gateway-api:ROUTE[#RULE]`, `istio:VIRTUALSERVICE[#ROUTE]` or `nginx:INGRESS`.
    fn from_str(text: &str) -> Result<Self, String> {
        let expected = || {
            format!(
                "`{text}`: expected replicas, gateway-api:ROUTE[#RULE], istio:VIRTUALSERVICE[#ROUTE] or nginx:INGRESS"
            )
        };
        if text == "replicas" {
            return Ok(Self::Replicas);
        }
        let (mode, target) = text.split_once(':').ok_or_else(expected)?;
        let (name, index) = match mode {
            "gateway-api" | "istio" => target.split_once('#').unwrap_or((target, "0")),
            "nginx" => (target, "0"),
            _ => return Err(expected()),
        };
        let index = index
            .parse()
            .map_err(|_| format!("`{text}`: the rule after # is an index (0, 1, …)"))?;
        if name.is_empty() {
            return Err(expected());
        }
        let name = name.to_owned();
        Ok(match mode {
            "gateway-api" => Self::GatewayApi {
                route: name,
                rule: index,
            },
            "istio" => Self::Istio {
                service: name,
                route: index,
            },
            _ => Self::Nginx { ingress: name },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::TrafficFlag;
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

    #[test]
    fn traffic_modes() {
        let parse = |text: &str| text.parse::<TrafficFlag>();
        assert_eq!(parse("replicas"), Ok(TrafficFlag::Replicas));
        assert_eq!(
            parse("gateway-api:shop#1"),
            Ok(TrafficFlag::GatewayApi {
                route: "shop".into(),
                rule: 1
            })
        );
        assert_eq!(
            parse("istio:shop"),
            Ok(TrafficFlag::Istio {
                service: "shop".into(),
                route: 0
            })
        );
        assert_eq!(
            parse("nginx:shop"),
            Ok(TrafficFlag::Nginx {
                ingress: "shop".into()
            })
        );
        assert!(parse("gateway-api:shop#x").unwrap_err().contains("index"));
        assert!(
            parse("linkerd:x")
                .unwrap_err()
                .contains("expected replicas")
        );
        assert!(parse("nginx:").is_err());
    }
}
