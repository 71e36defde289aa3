//! `kubectl quota`'s command line: clap's definitions only (flags, help, examples, value
//! parsers). [`crate::settings`] turns them into the typed settings the commands take.

use clap::Subcommand;
use shipshape::OutputArg;
use shipshape::version::VersionArgs;

use crate::generate;

const EXAMPLES: &str = "\
Examples:
  # Quota pressure in every namespace, most pressed first
  kubectl quota status -A

  # Would the new release be admitted by the namespace's quota and LimitRange?
  kubectl quota check -f examples/hastecrm/hardened

  # The playbook's production quota and LimitRange, previewed on the server
  kubectl quota generate -n hastecrm-production --profile production --apply --dry-run=server

  # Show the plugin's version, and the cluster's for the current context
  kubectl quota version

  # The same against another context, as JSON for a script
  kubectl quota version --context staging -o json
";

shipshape::plugin_cli! {
    name: "quota",
    about: "Quota usage, admission previews and right-sized requests for Kubernetes namespaces.",
    long_about: "The capacity step of the playbook: ResourceQuotas and LimitRanges on namespaces, and requests and limits that fit them, sized from what workloads really use.",
    examples: EXAMPLES,
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Used against hard for every quota, by pressure, with LimitRanges and a recount from pods.
    #[command(after_help = STATUS_EXAMPLES)]
    Status(StatusArgs),
    /// Predict whether workloads' pods would be admitted: LimitRange, then quota, as the API server.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Requests and limits from real usage (metrics sampled over a window, or VPA), and a quota.
    #[command(after_help = RECOMMEND_EXAMPLES)]
    Recommend(RecommendArgs),
    /// Write a ResourceQuota and LimitRange for a namespace from a profile; apply them with --apply.
    #[command(after_help = GENERATE_EXAMPLES)]
    Generate(GenerateArgs),
    /// Print the plugin's version, and the API server's version and context when reachable.
    #[command(after_help = shipshape::version_examples!("quota"))]
    Version(VersionArgs),
}

const STATUS_EXAMPLES: &str = "\
Examples:
  # The current namespace
  kubectl quota status

  # Every namespace (three list calls, however many namespaces there are)
  kubectl quota status -A -o wide

  # For a script
  kubectl quota status -n shop -o json
";

const CHECK_EXAMPLES: &str = "\
Examples:
  # Manifests against the live quotas of their namespaces (exit 1 if anything would be refused)
  kubectl quota check -f k8s/

  # Offline, against quota and LimitRange objects in a file
  kubectl quota check -f k8s/ --quota-file quota.yaml

  # Live workloads: would their next pod (a restart, a rollout surge) still be admitted?
  kubectl quota check -n shop
";

const GENERATE_EXAMPLES: &str = "\
Examples:
  # Print the playbook's production ResourceQuota and LimitRange
  kubectl quota generate -n hastecrm-production --profile production

  # Preview them on the server, with warnings about running pods, then apply
  kubectl quota generate -n shop --profile medium --apply --dry-run=server
  kubectl quota generate -n shop --profile medium --apply --yes
";

/// `kubectl quota status`'s flags.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Every namespace (default: the current one).
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,

    #[command(flatten)]
    pub clusters: shipshape::ContextArgs,

    #[command(flatten)]
    pub output: OutputArg,
}

/// `kubectl quota check`'s flags.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Manifests to check (file, directory or `-`; repeatable). Without them, the live workloads.
    #[arg(short = 'f', long = "filename", value_name = "FILE|DIR|-")]
    pub files: Vec<String>,

    /// A kustomization directory, built with `kubectl kustomize`.
    #[arg(short = 'k', long = "kustomize", value_name = "DIR")]
    pub kustomize: Vec<std::path::PathBuf>,

    /// ResourceQuota and LimitRange objects to check against instead of the cluster's (usage
    /// counted from zero).
    #[arg(long = "quota-file", value_name = "FILE")]
    pub quota_file: Option<std::path::PathBuf>,

    /// Without -f: every namespace's live workloads.
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,

    #[command(flatten)]
    pub output: OutputArg,
}

/// `kubectl quota generate`'s flags.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The sizing profile; `from-usage` sizes the quota from `recommend` (metrics sampled over
    /// --window, or --source vpa).
    #[arg(long, value_enum, default_value = "production")]
    pub profile: generate::Profile,

    /// For --profile from-usage: where usage comes from.
    #[arg(long, value_enum, default_value = "metrics")]
    pub source: UsageSource,

    /// For --profile from-usage: how long to sample metrics.k8s.io.
    #[arg(long, default_value = "2m", value_parser = shipshape::duration::parse)]
    pub window: std::time::Duration,

    /// For --profile from-usage: how often to sample.
    #[arg(long, default_value = "15s", value_parser = shipshape::duration::parse)]
    pub interval: std::time::Duration,

    /// For --profile from-usage with --source prometheus: its base URL.
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,

    /// For --profile from-usage: added to the summed recommendations: `20%` or `20`.
    #[arg(long, default_value = "20%", value_parser = parse_percent)]
    pub headroom: i64,

    /// Apply the objects (server-side apply): shows the server's dry-run diff and warnings about
    /// running pods, then asks unless --yes.
    #[arg(long)]
    pub apply: bool,

    #[command(flatten)]
    pub dry_run: shipshape::apply::DryRunArg,

    #[command(flatten)]
    pub force_conflicts: shipshape::apply::ForceConflictsArg,

    /// Output format of the generated objects: yaml (default) or json.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT",
        value_enum,
        default_value = "yaml"
    )]
    pub output: shipshape::output::ObjectsFormat,
}

const RECOMMEND_EXAMPLES: &str = "\
Examples:
  # Sample metrics.k8s.io for ten minutes and size every container of the namespace
  kubectl quota recommend -n shop --window 10m

  # Use the VerticalPodAutoscalers' recommendations instead
  kubectl quota recommend -A --source vpa -o wide

  # Print the changes as patches, or apply them (server dry-run diff first, then a question)
  kubectl quota recommend -n shop --window 5m -o patch
  kubectl quota recommend -n shop --window 5m --apply
";

/// Where usage comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UsageSource {
    /// metrics.k8s.io (metrics-server), sampled every --interval for --window.
    Metrics,
    /// VerticalPodAutoscaler status recommendations.
    Vpa,
    /// Prometheus history of cAdvisor's metrics over --window, at --interval resolution.
    Prometheus,
}

shipshape::output_format! {
    /// `kubectl quota recommend -o`.
    pub enum RecommendFormat {
        /// Strategic-merge patches of the workloads (YAML documents).
        Patch,
    }
}

/// `kubectl quota recommend`'s flags.
#[derive(Debug, clap::Args)]
pub struct RecommendArgs {
    /// Every namespace (default: the current one).
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,

    /// Where usage comes from.
    #[arg(long, value_enum, default_value = "metrics")]
    pub source: UsageSource,

    /// How long to sample metrics.k8s.io.
    #[arg(long, default_value = "10m", value_parser = shipshape::duration::parse)]
    pub window: std::time::Duration,

    /// How often to sample within the window.
    #[arg(long, default_value = "15s", value_parser = shipshape::duration::parse)]
    pub interval: std::time::Duration,

    /// The CPU percentile the request covers.
    #[arg(long, default_value_t = 95, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub percentile: u8,

    /// Added to every recommended value and to the namespace quota: `20%` or `20`.
    #[arg(long, default_value = "20%", value_parser = parse_percent)]
    pub headroom: i64,

    /// Prometheus base URL, for --source prometheus.
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,

    /// Apply the recommendations (server-side apply of the patches): shows the server's
    /// dry-run diff, then asks unless --yes.
    #[arg(long)]
    pub apply: bool,

    #[command(flatten)]
    pub dry_run: shipshape::apply::DryRunArg,

    #[command(flatten)]
    pub force_conflicts: shipshape::apply::ForceConflictsArg,

    /// Output format: table, wide (with what backs each value), json, yaml, or patch.
    #[arg(
        short = 'o',
        long = "output",
        value_enum,
        default_value = "table",
        value_name = "FORMAT"
    )]
    pub output: RecommendFormat,
}

fn parse_percent(text: &str) -> Result<i64, String> {
    text.trim_end_matches('%')
        .parse::<i64>()
        .ok()
        .filter(|p| (0..=1000).contains(p))
        .ok_or_else(|| format!("`{text}`: expected a percentage such as 20%"))
}
