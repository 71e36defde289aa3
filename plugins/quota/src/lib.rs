//! `kubectl quota`: quota usage, admission previews and right-sized requests for Kubernetes namespaces.
//!
//! The logic lives here; `main.rs` only hands [`run`] to [`shipshape::exit::main`].

pub mod check;
pub mod generate;
pub mod status;

use std::collections::BTreeMap;

use clap::{Parser, Subcommand};
use k8s_openapi::api::{apps::v1 as apps, batch::v1 as batch, core::v1 as core};
use kube::core::ApiResource;
use serde_json::Value;
use shipshape::admission::Quota;
use shipshape::exit::{Exit, HasGlobalArgs};
use shipshape::manifests::{Input, Manifest, Origin, Source};
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
    /// Write a ResourceQuota and LimitRange for a namespace from a profile; apply them with --apply.
    #[command(after_help = GENERATE_EXAMPLES)]
    Generate(GenerateArgs),
    /// Print the plugin's version, and the API server's version and context when reachable.
    Version(VersionArgs),
}

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
    pub output: OutputArg,
}

async fn run_status(global: &GlobalArgs, args: &StatusArgs) -> anyhow::Result<Exit> {
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let namespace = (!args.all_namespaces).then(|| kube.namespace.clone());
    let ns = namespace.as_deref();
    let (quotas, ranges, pods) = tokio::try_join!(
        list(&kube, resource::<core::ResourceQuota>(), ns),
        list(&kube, resource::<core::LimitRange>(), ns),
        list(&kube, resource::<core::Pod>(), ns),
    )?;
    let report = status::build(&quotas, &ranges, &pods);
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
/// (usage counted from zero).
fn offline_namespaces(objects: &[&Manifest]) -> BTreeMap<String, check::Namespace> {
    let mut namespaces: BTreeMap<String, check::Namespace> = BTreeMap::new();
    for manifest in objects {
        let ns = namespaces
            .entry(manifest.namespace().unwrap_or("default").to_owned())
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
    let ns = |o: &Value| {
        o["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    for quota in quotas {
        namespaces
            .entry(ns(quota))
            .or_default()
            .quotas
            .push(Quota::from_object(quota));
    }
    for range in ranges {
        namespaces
            .entry(ns(range))
            .or_default()
            .limit_ranges
            .push(range.clone());
    }
    namespaces
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
        let origin = Origin::Cluster(kube.context.clone().unwrap_or_else(|| kube.server.clone()));
        let workloads: Vec<Manifest> = [deployments, statefulsets, daemonsets, jobs, cronjobs]
            .into_iter()
            .flatten()
            // Jobs a CronJob owns are checked through the CronJob.
            .filter(|o| {
                o["metadata"]["ownerReferences"]
                    .as_array()
                    .is_none_or(|r| r.is_empty())
            })
            .map(|object| Manifest {
                object,
                source: Source {
                    origin: origin.clone(),
                    document: 0,
                    line: 0,
                    item: None,
                },
            })
            .collect();
        let refs: Vec<&Manifest> = workloads.iter().collect();
        // Live pods already count in status.used: what matters is the next one.
        check::check(&refs, &live_namespaces(&quotas, &ranges), Some(1))
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
        let namespaces = if let Some(file) = &args.quota_file {
            let loaded = shipshape::manifests::load(&[Input::Path(file.clone())]).into_result()?;
            let refs: Vec<&Manifest> = loaded.iter().collect();
            offline_namespaces(&refs)
        } else if !in_set.is_empty() {
            // The release brings its own quota: check against that, from zero usage.
            offline_namespaces(&in_set)
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
                .map(|m| m.namespace().unwrap_or("default"))
                .collect();
            seen.sort_unstable();
            seen.dedup();
            for ns in seen {
                quotas.extend(list(&kube, resource::<core::ResourceQuota>(), Some(ns)).await?);
                ranges.extend(list(&kube, resource::<core::LimitRange>(), Some(ns)).await?);
            }
            live_namespaces(&quotas, &ranges)
        };
        check::check(&workloads, &namespaces, None)
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
    /// The sizing profile.
    #[arg(long, value_enum, default_value = "production")]
    pub profile: generate::Profile,

    /// Apply the objects (server-side apply): shows the server's dry-run diff and warnings about
    /// running pods, then asks unless --yes.
    #[arg(long)]
    pub apply: bool,

    #[command(flatten)]
    pub dry_run: shipshape::apply::DryRunArg,

    /// Output format of the generated objects: yaml (default) or json.
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "yaml", value_parser = ["yaml", "json"])]
    pub output: String,
}

async fn run_generate(global: &GlobalArgs, args: &GenerateArgs) -> anyhow::Result<Exit> {
    let namespace = match (&global.kube.namespace, args.apply) {
        (Some(ns), _) => ns.clone(),
        (None, false) => return Err(UsageError("name the namespace: -n NAMESPACE".into()).into()),
        (None, true) => Kube::connect(&global.kube, PLUGIN).await?.namespace,
    };
    let objects = generate::objects(&namespace, args.profile);
    if !args.apply {
        let mut text = String::new();
        for object in &objects {
            if args.output == "json" {
                text.push_str(&serde_json::to_string_pretty(object)?);
                text.push('\n');
            } else {
                text.push_str("---\n");
                text.push_str(&shipshape::output::to_yaml(object)?);
            }
        }
        shipshape::output::print(&text)?;
        return Ok(Exit::Success);
    }
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let pods = list(&kube, resource::<core::Pod>(), Some(&namespace)).await?;
    for warning in generate::warnings(&objects, &pods) {
        eprintln!("warning: {warning}");
    }
    let dry_run = args.dry_run.dry_run;
    if dry_run == shipshape::apply::DryRun::Client {
        let mut text = String::new();
        for object in &objects {
            text.push_str("---\n");
            text.push_str(&shipshape::output::to_yaml(object)?);
        }
        shipshape::output::print(&text)?;
        return Ok(Exit::Success);
    }
    let preview = shipshape::apply::Applier::new(&kube, PLUGIN, shipshape::apply::DryRun::Server);
    for object in &objects {
        shipshape::output::print(&preview.apply(object).await?.diff())?;
    }
    if dry_run == shipshape::apply::DryRun::Server {
        return Ok(Exit::Success);
    }
    shipshape::confirm::confirm(
        &format!(
            "apply the {:?} quota and LimitRange to namespace {namespace}",
            args.profile
        )
        .to_lowercase(),
        global.yes,
    )?;
    let applier = shipshape::apply::Applier::new(&kube, PLUGIN, shipshape::apply::DryRun::None);
    for object in &objects {
        let applied = applier.apply(object).await?;
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
