//! `kubectl quota`: quota usage, admission previews and right-sized requests for Kubernetes namespaces.
//!
//! The logic lives here; `main.rs` only hands [`run`] to [`shipshape::plugin_main!`].

pub mod check;
pub mod generate;
pub mod recommend;
pub mod status;

use std::collections::BTreeMap;

use clap::{Parser, Subcommand};
use k8s_openapi::api::{apps::v1 as apps, batch::v1 as batch, core::v1 as core};
use kube::core::ApiResource;
use serde_json::Value;
use shipshape::admission::Quota;
use shipshape::exit::Exit;
use shipshape::manifests::{Input, Manifest};
use shipshape::process::HasGlobalArgs;
use shipshape::version::VersionArgs;
use shipshape::{GlobalArgs, Kube, OutputArg, Plugin, UsageError};

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "quota",
    version: env!("CARGO_PKG_VERSION"),
};

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

/// Quota usage, admission previews and right-sized requests for Kubernetes namespaces.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl quota",
    bin_name = "kubectl quota",
    version,
    about = "Quota usage, admission previews and right-sized requests for Kubernetes namespaces.",
    long_about = "Quota usage, admission previews and right-sized requests for Kubernetes namespaces.\n\nThe capacity step of the playbook: ResourceQuotas and LimitRanges on namespaces, and requests and limits that fit them, sized from what workloads really use.",
    after_help = EXAMPLES,
    max_term_width = 100,
    propagate_version = true,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
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
    #[command(after_help = VERSION_EXAMPLES)]
    Version(VersionArgs),
}

const VERSION_EXAMPLES: &str = "\
Examples:
  # The plugin's version, and the API server's for the current context
  kubectl quota version

  # Only the plugin's version, without contacting the cluster
  kubectl quota version --client

  # Against another context, as JSON for a script
  kubectl quota version --context staging -o json
";

impl HasGlobalArgs for Cli {
    fn global(&self) -> &GlobalArgs {
        &self.global
    }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Version(args) => shipshape::version::run(PLUGIN, &cli.global, args).await,
        Command::Status(args) => run_status(&cli.global, args).await,
        Command::Check(args) => run_check(&cli.global, args).await,
        Command::Generate(args) => run_generate(&cli.global, args).await,
        Command::Recommend(args) => run_recommend(&cli.global, args).await,
    }
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

fn resource<K: kube::Resource<DynamicType = ()>>() -> ApiResource {
    ApiResource::erase::<K>(&())
}

/// A listed object's (namespace, name): the key of maps of objects.
use status::namespace_of;

fn object_key(object: &Value) -> (String, String) {
    (
        namespace_of(object),
        object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Lists one kind in a namespace or across all (`None`).
async fn list(
    kube: &Kube,
    resource: ApiResource,
    namespace: Option<&str>,
) -> anyhow::Result<Vec<Value>> {
    shipshape::list::list(kube, &resource, namespace, None).await
}

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

/// One cluster's quota status: three lists, whatever the number of namespaces.
async fn cluster_status(kube: &Kube, all_namespaces: bool) -> anyhow::Result<status::QuotaStatus> {
    let namespace = (!all_namespaces).then(|| kube.namespace.clone());
    let ns = namespace.as_deref();
    let (quotas, ranges, pods) = tokio::try_join!(
        list(kube, resource::<core::ResourceQuota>(), ns),
        list(kube, resource::<core::LimitRange>(), ns),
        list(kube, resource::<core::Pod>(), ns),
    )?;
    Ok(status::build(&quotas, &ranges, &pods))
}

async fn run_status(global: &GlobalArgs, args: &StatusArgs) -> anyhow::Result<Exit> {
    let report = if args.clusters.any() {
        let all = args.all_namespaces;
        let clusters = shipshape::client::each_context(
            &global.kube,
            &args.clusters,
            PLUGIN,
            |kube| async move { cluster_status(&kube, all).await },
        )
        .await?;
        status::QuotaStatus::merge(clusters)
    } else {
        let kube = Kube::connect(&global.kube, PLUGIN).await?;
        cluster_status(&kube, args.all_namespaces).await?
    };
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(Exit::Success)
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

/// Namespace constraints from ResourceQuota and LimitRange objects that are not in a cluster
/// (usage counted from zero); objects that name no namespace belong to `namespace`.
fn offline_namespaces(
    objects: &[&Manifest],
    namespace: &str,
) -> BTreeMap<String, check::Namespace> {
    let mut namespaces: BTreeMap<String, check::Namespace> = BTreeMap::new();
    for manifest in objects {
        let ns = namespaces
            .entry(manifest.namespace().unwrap_or(namespace).to_owned())
            .or_default();
        match manifest.kind() {
            "ResourceQuota" => {
                let mut quota = Quota::from_object(&manifest.object);
                quota.used.get_or_insert_with(Default::default);
                ns.quotas.push(quota);
            }
            "LimitRange" => ns.limit_ranges.push(manifest.object.clone()),
            _ => {}
        }
    }
    namespaces
}

/// Namespace constraints from the cluster: quotas with their live usage, and LimitRanges.
fn live_namespaces(quotas: &[Value], ranges: &[Value]) -> BTreeMap<String, check::Namespace> {
    let mut namespaces: BTreeMap<String, check::Namespace> = BTreeMap::new();
    for quota in quotas {
        namespaces
            .entry(namespace_of(quota))
            .or_default()
            .quotas
            .push(Quota::from_object(quota));
    }
    for range in ranges {
        namespaces
            .entry(namespace_of(range))
            .or_default()
            .limit_ranges
            .push(range.clone());
    }
    namespaces
}

/// The namespace `kubectl apply` would give objects that name none: `-n`, else the context's,
/// else `default`. Read from the kubeconfig alone, so an offline check needs no cluster (and
/// without a kubeconfig it is `-n`, else `default`).
async fn apply_namespace(global: &GlobalArgs) -> String {
    let env = shipshape::client::Environment::from_process();
    match shipshape::client::resolve(&global.kube, &env, PLUGIN).await {
        Ok(resolved) => resolved.namespace,
        Err(_) => global
            .kube
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".into()),
    }
}

async fn run_check(global: &GlobalArgs, args: &CheckArgs) -> anyhow::Result<Exit> {
    let mut inputs: Vec<Input> = args.files.iter().map(|f| Input::file_flag(f)).collect();
    inputs.extend(args.kustomize.iter().cloned().map(Input::Kustomize));
    let report = if inputs.is_empty() {
        if args.quota_file.is_some() {
            return Err(UsageError(
                "--quota-file goes with -f or -k: live workloads are checked against live quotas"
                    .into(),
            )
            .into());
        }
        let kube = Kube::connect(&global.kube, PLUGIN).await?;
        let namespace = (!args.all_namespaces).then(|| kube.namespace.clone());
        let ns = namespace.as_deref();
        let (quotas, ranges, deployments, statefulsets, daemonsets, jobs, cronjobs) = tokio::try_join!(
            list(&kube, resource::<core::ResourceQuota>(), ns),
            list(&kube, resource::<core::LimitRange>(), ns),
            list(&kube, resource::<apps::Deployment>(), ns),
            list(&kube, resource::<apps::StatefulSet>(), ns),
            list(&kube, resource::<apps::DaemonSet>(), ns),
            list(&kube, resource::<batch::Job>(), ns),
            list(&kube, resource::<batch::CronJob>(), ns),
        )?;
        let origin = kube.origin();
        let workloads: Vec<Manifest> = [deployments, statefulsets, daemonsets, jobs, cronjobs]
            .into_iter()
            .flatten()
            // Jobs a CronJob owns are checked through the CronJob.
            .filter(|o| {
                o["metadata"]["ownerReferences"]
                    .as_array()
                    .is_none_or(|r| r.is_empty())
            })
            .map(|object| Manifest::live(object, origin.clone()))
            .collect();
        let refs: Vec<&Manifest> = workloads.iter().collect();
        // Live pods already count in status.used: what matters is the next one. (Live objects
        // name their namespace.)
        check::check(
            &refs,
            &live_namespaces(&quotas, &ranges),
            Some(1),
            &kube.namespace,
        )
    } else {
        if args.all_namespaces {
            return Err(UsageError(
                "-A selects live workloads: it cannot be combined with -f or -k".into(),
            )
            .into());
        }
        let manifests = shipshape::manifests::load(&inputs).into_result()?;
        let workloads: Vec<&Manifest> = manifests
            .iter()
            .filter(|m| shipshape::workload::is_workload(&m.object))
            .collect();
        let in_set: Vec<&Manifest> = manifests
            .iter()
            .filter(|m| matches!(m.kind(), "ResourceQuota" | "LimitRange"))
            .collect();
        let (namespaces, namespace) = if let Some(file) = &args.quota_file {
            let loaded = shipshape::manifests::load(&[Input::Path(file.clone())]).into_result()?;
            let refs: Vec<&Manifest> = loaded.iter().collect();
            let namespace = apply_namespace(global).await;
            (offline_namespaces(&refs, &namespace), namespace)
        } else if !in_set.is_empty() {
            // The release brings its own quota: check against that, from zero usage.
            let namespace = apply_namespace(global).await;
            (offline_namespaces(&in_set, &namespace), namespace)
        } else {
            let kube = Kube::connect(&global.kube, PLUGIN).await.map_err(|e| {
                anyhow::anyhow!(
                    "{e}\n(no cluster to read quotas from: pass --quota-file FILE to check offline)"
                )
            })?;
            let mut quotas = Vec::new();
            let mut ranges = Vec::new();
            let mut seen: Vec<&str> = workloads
                .iter()
                .map(|m| m.namespace().unwrap_or(&kube.namespace))
                .collect();
            seen.sort_unstable();
            seen.dedup();
            for ns in seen {
                quotas.extend(list(&kube, resource::<core::ResourceQuota>(), Some(ns)).await?);
                ranges.extend(list(&kube, resource::<core::LimitRange>(), Some(ns)).await?);
            }
            (live_namespaces(&quotas, &ranges), kube.namespace.clone())
        };
        check::check(&workloads, &namespaces, None, &namespace)
    };
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(if report.rejected() {
        Exit::No
    } else {
        Exit::Success
    })
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
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "yaml", value_parser = ["yaml", "json"])]
    pub output: String,
}

async fn run_generate(global: &GlobalArgs, args: &GenerateArgs) -> anyhow::Result<Exit> {
    let from_usage = args.profile == generate::Profile::FromUsage;
    // Only sizing from usage and applying need the cluster; one client serves both.
    let kube = if args.apply || from_usage {
        Some(Kube::connect(&global.kube, PLUGIN).await?)
    } else {
        None
    };
    let namespace = match (&global.kube.namespace, &kube) {
        (Some(ns), _) => ns.clone(),
        (None, Some(kube)) => kube.namespace.clone(),
        (None, None) => return Err(UsageError("name the namespace: -n NAMESPACE".into()).into()),
    };
    let hard = if let Some(kube) = kube.as_ref().filter(|_| from_usage) {
        let sampling = Sampling {
            source: args.source,
            prometheus: args.prometheus.as_deref(),
            window: args.window,
            interval: args.interval,
            options: recommend::Options {
                percentile: 95,
                headroom: args.headroom,
            },
        };
        let (workloads, report) = recommendations(kube, Some(&namespace), sampling).await?;
        let pods: i64 = workloads.iter().map(|w| w.replicas).sum();
        generate::hard_from_usage(report.namespaces.first(), pods, args.headroom).ok_or_else(
            || {
                UsageError(format!(
                    "namespace {namespace} has no workloads to size a quota from"
                ))
            },
        )?
    } else {
        args.profile.hard()
    };
    let objects = generate::objects(&namespace, hard);
    let Some(kube) = kube.filter(|_| args.apply) else {
        let text = if args.output == "json" {
            let mut text = String::new();
            for object in &objects {
                text.push_str(&serde_json::to_string_pretty(object)?);
                text.push('\n');
            }
            text
        } else {
            shipshape::output::yaml_documents(&objects)?
        };
        shipshape::output::print(&text)?;
        return Ok(Exit::Success);
    };
    let pods = list(&kube, resource::<core::Pod>(), Some(&namespace)).await?;
    for warning in generate::warnings(&objects, &pods) {
        eprintln!("warning: {warning}");
    }
    let action = format!(
        "apply the {:?} quota and LimitRange to namespace {namespace}",
        args.profile
    )
    .to_lowercase();
    let json = args.output == "json";
    let result = shipshape::apply::preview_then_apply(
        &kube,
        PLUGIN,
        &objects,
        &shipshape::apply::Write {
            dry_run: args.dry_run.dry_run,
            force_conflicts: args.force_conflicts.force_conflicts,
            action: &action,
            yes: global.yes,
            diffs_to_stderr: json,
        },
    )
    .await;
    // -o json: what was applied, what failed and what was not attempted, also when it failed.
    let applying = args.dry_run.dry_run == shipshape::apply::DryRun::None;
    if json && applying && !is_refusal(&result) {
        shipshape::output::print_report(
            &shipshape::apply::WriteReport::of(&result),
            shipshape::OutputFormat::Json,
        )?;
    }
    for applied in result? {
        eprintln!(
            "{} {}",
            applied.id.to_lowercase(),
            if applied.changed() {
                "applied"
            } else {
                "unchanged"
            }
        );
    }
    Ok(Exit::Success)
}

/// Whether a write was refused before anything was sent (no terminal to ask, or declined).
fn is_refusal(result: &anyhow::Result<Vec<shipshape::apply::Applied>>) -> bool {
    result
        .as_ref()
        .err()
        .is_some_and(|e| e.downcast_ref::<shipshape::confirm::Refused>().is_some())
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

/// The workload a pod belongs to (`Deployment/web`), following ReplicaSets to Deployments.
fn owner_of(pod: &Value, replicasets: &BTreeMap<(String, String), Value>) -> Option<String> {
    let owner = pod["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["controller"] == true)?;
    let (kind, name) = (owner["kind"].as_str()?, owner["name"].as_str()?);
    if kind == "ReplicaSet" {
        let rs = replicasets.get(&(namespace_of(pod), name.to_owned()))?;
        return owner_of(rs, replicasets).or_else(|| Some(format!("ReplicaSet/{name}")));
    }
    Some(format!("{kind}/{name}"))
}

fn metrics_resource() -> ApiResource {
    ApiResource {
        group: "metrics.k8s.io".into(),
        version: "v1beta1".into(),
        api_version: "metrics.k8s.io/v1beta1".into(),
        kind: "PodMetrics".into(),
        plural: "pods".into(),
    }
}

fn vpa_resource() -> ApiResource {
    ApiResource {
        group: "autoscaling.k8s.io".into(),
        version: "v1".into(),
        api_version: "autoscaling.k8s.io/v1".into(),
        kind: "VerticalPodAutoscaler".into(),
        plural: "verticalpodautoscalers".into(),
    }
}

/// Every pod's workload (`Deployment/web`), by (namespace, pod name): two lists.
async fn pod_owners(
    kube: &Kube,
    ns: Option<&str>,
) -> anyhow::Result<BTreeMap<(String, String), String>> {
    let (pods, replicasets) = tokio::try_join!(
        list(kube, resource::<core::Pod>(), ns),
        list(kube, resource::<apps::ReplicaSet>(), ns),
    )?;
    let replicasets: BTreeMap<(String, String), Value> = replicasets
        .into_iter()
        .map(|rs| (object_key(&rs), rs))
        .collect();
    Ok(pods
        .iter()
        .filter_map(|p| Some((object_key(p), owner_of(p, &replicasets)?)))
        .collect())
}

/// Usage from Prometheus (cAdvisor's metrics): per workload container, the CPU percentile of
/// each pod's rate over the window and the memory maximum, the highest across its pods. Three
/// queries in all, per pod and container, combined here by the pods' owners.
async fn prometheus_usage(
    prometheus: &shipshape::prometheus::Prometheus,
    ns: Option<&str>,
    owners: &BTreeMap<(String, String), String>,
    window: std::time::Duration,
    step: std::time::Duration,
    percentile: u8,
) -> anyhow::Result<recommend::UsageMap> {
    if owners.is_empty() {
        // No pods, nothing to ask Prometheus about.
        return Ok(recommend::UsageMap::new());
    }
    let (w, st) = (window.as_secs().max(1), step.as_secs().max(1));
    let rate = (st * 4).max(4);
    let namespace = ns
        .map(|ns| format!("namespace=\"{ns}\","))
        .unwrap_or_default();
    let selector = format!("{namespace}container!=\"\",container!=\"POD\"");
    let by = "by (namespace, pod, container)";
    let quantile = f64::from(percentile) / 100.0;
    let queries = [
        format!(
            "quantile_over_time({quantile}, max {by} (rate(container_cpu_usage_seconds_total{{{selector}}}[{rate}s]))[{w}s:{st}s])"
        ),
        format!("max {by} (max_over_time(container_memory_working_set_bytes{{{selector}}}[{w}s]))"),
        format!(
            "sum {by} (count_over_time(container_memory_working_set_bytes{{{selector}}}[{w}s]))"
        ),
    ];
    let (cpu, memory, points) = tokio::try_join!(
        prometheus.query(&queries[0]),
        prometheus.query(&queries[1]),
        prometheus.query(&queries[2]),
    )?;
    // Per (namespace, workload, container), the pods' series combined as PromQL's `max` (NaN
    // ignored) and `sum` would; a non-finite result is dropped, as before.
    let by_container = |answer: &shipshape::prometheus::Answer,
                        combine: fn(f64, f64) -> f64|
     -> BTreeMap<(String, String, String), f64> {
        let mut combined = BTreeMap::new();
        for series in answer.data.series() {
            let label = |name: &str| series.labels.get(name).cloned();
            let (Some(namespace), Some(pod), Some(container), Some(value)) = (
                label("namespace"),
                label("pod"),
                label("container"),
                series.points.first().map(|p| p.1),
            ) else {
                continue;
            };
            let Some(workload) = owners.get(&(namespace.clone(), pod)) else {
                continue;
            };
            combined
                .entry((namespace, workload.clone(), container))
                .and_modify(|have: &mut f64| *have = combine(*have, value))
                .or_insert(value);
        }
        combined.retain(|_, v| v.is_finite());
        combined
    };
    let (cpu, memory, points) = (
        by_container(&cpu, f64::max),
        by_container(&memory, f64::max),
        by_container(&points, |a, b| a + b),
    );
    let mut usage = recommend::UsageMap::new();
    for (key, cores) in cpu {
        // A container without memory series is skipped.
        let Some(bytes) = memory.get(&key) else {
            continue;
        };
        let points = points.get(&key).copied().unwrap_or_default() as usize;
        usage.insert(
            key,
            recommend::Usage {
                cpu: shipshape::quantity::Quantity::from_millis((cores * 1000.0).ceil() as i64),
                memory: shipshape::quantity::Quantity::from_units(
                    bytes.ceil() as i64,
                    shipshape::quantity::Format::BinarySi,
                ),
                points,
            },
        );
    }
    Ok(usage)
}

/// Usage from metrics.k8s.io, listed `rounds` times `interval` apart: per workload container, the
/// CPU percentile and the memory maximum over the samples of its pods.
async fn sample_metrics(
    kube: &Kube,
    ns: Option<&str>,
    owners: &BTreeMap<(String, String), String>,
    rounds: u64,
    interval: std::time::Duration,
    percentile: u8,
) -> anyhow::Result<recommend::UsageMap> {
    let progress = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::new(rounds)
    } else {
        indicatif::ProgressBar::hidden()
    };
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "sampling metrics.k8s.io {bar:30} {pos}/{len} samples, {eta} left",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut samples = Vec::new();
    for round in 0..rounds {
        if round > 0 {
            tokio::time::sleep(interval).await;
        }
        for metrics in list(kube, metrics_resource(), ns).await? {
            let key = object_key(&metrics);
            let Some(workload) = owners.get(&key) else {
                continue;
            };
            for container in metrics["containers"].as_array().into_iter().flatten() {
                let usage = |r: &str| {
                    shipshape::quantity::from_value(&container["usage"][r])
                        .and_then(Result::ok)
                        .unwrap_or_default()
                };
                samples.push(recommend::Sample {
                    namespace: key.0.clone(),
                    workload: workload.clone(),
                    container: container["name"].as_str().unwrap_or_default().to_owned(),
                    cpu: usage("cpu"),
                    memory: usage("memory"),
                });
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(recommend::reduce(&samples, percentile))
}

/// How `recommend` (and `generate --profile from-usage`) measure usage.
#[derive(Debug, Clone, Copy)]
pub struct Sampling<'a> {
    pub source: UsageSource,
    /// The Prometheus base URL, for `UsageSource::Prometheus`.
    pub prometheus: Option<&'a str>,
    pub window: std::time::Duration,
    pub interval: std::time::Duration,
    pub options: recommend::Options,
}

/// The workloads of a namespace (or all) and their recommendations.
async fn recommendations(
    kube: &Kube,
    ns: Option<&str>,
    sampling: Sampling<'_>,
) -> anyhow::Result<(Vec<recommend::Workload>, recommend::RecommendReport)> {
    let options = sampling.options;
    let hpa_resource = resource::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>();
    let (deployments, statefulsets, daemonsets, hpas) = tokio::try_join!(
        list(kube, resource::<apps::Deployment>(), ns),
        list(kube, resource::<apps::StatefulSet>(), ns),
        list(kube, resource::<apps::DaemonSet>(), ns),
        list(kube, hpa_resource, ns),
    )?;
    let workloads: Vec<recommend::Workload> = [deployments, statefulsets, daemonsets]
        .into_iter()
        .flatten()
        .map(|object| {
            let hpa_max = hpas.iter().find_map(|h| {
                let target = &h["spec"]["scaleTargetRef"];
                (h["metadata"]["namespace"] == object["metadata"]["namespace"]
                    && target["kind"] == object["kind"]
                    && target["name"] == object["metadata"]["name"])
                    .then(|| h["spec"]["maxReplicas"].as_i64())
                    .flatten()
            });
            let replicas =
                hpa_max.unwrap_or_else(|| shipshape::workload::replicas(&object).unwrap_or(1));
            recommend::Workload { object, replicas }
        })
        .collect();
    let recommendations = match sampling.source {
        UsageSource::Prometheus => {
            let url = sampling.prometheus.ok_or_else(|| {
                UsageError("--source prometheus needs --prometheus URL (http://…:9090)".into())
            })?;
            let prometheus =
                shipshape::prometheus::Prometheus::new(url, std::time::Duration::from_secs(30))
                    .map_err(UsageError)?;
            let owners = pod_owners(kube, ns).await?;
            let usage = prometheus_usage(
                &prometheus,
                ns,
                &owners,
                sampling.window,
                sampling.interval,
                options.percentile,
            )
            .await?;
            let window = shipshape::duration::human(sampling.window);
            recommend::from_usage(&workloads, &usage, "Prometheus", &window, options)
        }
        UsageSource::Vpa => {
            if !kube.serves("autoscaling.k8s.io/v1").await? {
                return Err(UsageError("the VerticalPodAutoscaler API (autoscaling.k8s.io/v1) is not served: install VPA, or use --source metrics".into()).into());
            }
            let vpas = list(kube, vpa_resource(), ns).await?;
            recommend::from_vpas(&workloads, &vpas, options)
        }
        UsageSource::Metrics => {
            if !kube.serves("metrics.k8s.io/v1beta1").await? {
                return Err(UsageError(
                    "metrics.k8s.io is not served: install metrics-server, or use --source vpa"
                        .into(),
                )
                .into());
            }
            let rounds = (sampling.window.as_secs_f64()
                / sampling.interval.as_secs_f64().max(0.001))
            .floor()
            .max(1.0) as u64;
            let owners = pod_owners(kube, ns).await?;
            let usage = sample_metrics(
                kube,
                ns,
                &owners,
                rounds,
                sampling.interval,
                options.percentile,
            )
            .await?;
            let window =
                shipshape::duration::human(sampling.interval * (rounds.saturating_sub(1)) as u32);
            recommend::from_usage(&workloads, &usage, "metrics.k8s.io", &window, options)
        }
    };
    let report = recommend::RecommendReport {
        source: match sampling.source {
            UsageSource::Vpa => "vpa",
            UsageSource::Metrics | UsageSource::Prometheus => "metrics",
        }
        .into(),
        namespaces: recommend::namespace_quotas(&recommendations, options),
        recommendations,
    };
    Ok((workloads, report))
}

async fn run_recommend(global: &GlobalArgs, args: &RecommendArgs) -> anyhow::Result<Exit> {
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let namespace = (!args.all_namespaces).then(|| kube.namespace.clone());
    let sampling = Sampling {
        source: args.source,
        prometheus: args.prometheus.as_deref(),
        window: args.window,
        interval: args.interval,
        options: recommend::Options {
            percentile: args.percentile,
            headroom: args.headroom,
        },
    };
    let (workloads, report) = recommendations(&kube, namespace.as_deref(), sampling).await?;
    let patches = recommend::patches(&report.recommendations, &workloads);
    if !args.apply {
        match args.output.report() {
            Ok(format) => shipshape::output::print_report(&report, format)?,
            Err(_) => shipshape::output::print(&shipshape::output::yaml_documents(&patches)?)?,
        }
        return Ok(Exit::Success);
    }
    shipshape::output::print(&shipshape::output::render(
        &report,
        shipshape::OutputFormat::Table,
    )?)?;
    if patches.is_empty() {
        eprintln!("nothing to change");
        return Ok(Exit::Success);
    }
    let action = format!(
        "apply new requests and limits to {} workload(s)",
        patches.len()
    );
    let applied = shipshape::apply::preview_then_apply(
        &kube,
        PLUGIN,
        &patches,
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
        eprintln!("{} resized", applied.id.to_lowercase());
    }
    Ok(Exit::Success)
}
