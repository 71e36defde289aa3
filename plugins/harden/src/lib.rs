//! `kubectl harden`: audit Kubernetes workloads against the Pod Security Standards and production practice.
//!
//! The logic lives here; `main.rs` only hands [`run`] to [`shipshape::exit::main`].

pub mod audit;
pub mod checks;
pub mod image;
pub mod live;
pub mod pss;
pub mod render;

use clap::{Parser, Subcommand};
use shipshape::exit::{Exit, HasGlobalArgs};
use shipshape::manifests::Input;
use shipshape::version::VersionArgs;
use shipshape::{GlobalArgs, OutputArg, Plugin, UsageError};

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "harden",
    version: env!("CARGO_PKG_VERSION"),
};

const EXAMPLES: &str = "\
Examples:
  # Audit the playbook's sample app before deploying it (exit 1 on errors)
  kubectl harden audit -f examples/hastecrm/insecure

  # Audit a kustomization at the baseline level of Kubernetes 1.30, failing on warnings too
  kubectl harden audit -k overlays/prod --level baseline --pss-version v1.30 --fail-on warning

  # Audit what runs in every namespace of the current cluster (one list per kind)
  kubectl harden audit -A

  # Every check, with how to fix it
  kubectl harden checks -o wide

  # Show the plugin's version, and the cluster's for the current context
  kubectl harden version

  # The same against another context, as JSON for a script
  kubectl harden version --context staging -o json
";

/// Audit Kubernetes workloads against the Pod Security Standards and production practice.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl harden",
    bin_name = "kubectl harden",
    version,
    about = "Audit Kubernetes workloads against the Pod Security Standards and production practice.",
    long_about = "Audit Kubernetes workloads against the Pod Security Standards and production practice.\n\nThe before-deploy step of the playbook: security contexts, requests and limits (init containers too), pinned images, probe settings, PodDisruptionBudgets, NetworkPolicies and namespace Pod Security labels.",
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
    /// Audit manifests against the Pod Security Standards and production practice.
    Audit(AuditArgs),
    /// List every check: id, standard, severity, title (and the fix with -o wide).
    Checks(OutputArg),
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
        Command::Checks(output) => {
            let catalogue = render::Catalogue {
                checks: checks::CATALOGUE,
            };
            shipshape::output::print(&shipshape::output::render(&catalogue, output.output)?)?;
            Ok(Exit::Success)
        }
        Command::Audit(args) => run_audit(&cli.global, args).await,
    }
}

/// `kubectl harden audit`'s flags.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// A manifest file or directory (recursive), or `-` for stdin; repeatable.
    #[arg(short = 'f', long = "filename", value_name = "FILE|DIR|-")]
    pub files: Vec<String>,

    /// A kustomization directory, built with `kubectl kustomize`.
    #[arg(short = 'k', long = "kustomize", value_name = "DIR")]
    pub kustomize: Vec<std::path::PathBuf>,

    /// Without -f/-k: audit the live objects of every namespace (default: the current namespace).
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,

    /// Without -f/-k: audit only the workloads matching this label selector.
    #[arg(short = 'l', long = "selector", value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// The Pod Security Standards level to audit against.
    #[arg(long, value_enum, default_value = "restricted")]
    pub level: pss::Level,

    /// The Pod Security Standards policy version: `latest` or `v1.N`.
    #[arg(long = "pss-version", default_value = "latest", value_parser = |s: &str| s.parse::<pss::Version>())]
    pub pss_version: pss::Version,

    /// Report findings even where a `harden.shipshape.dev/ignore` annotation covers them.
    #[arg(long = "no-ignores")]
    pub no_ignores: bool,

    /// Exit 1 when a finding is at least this severe (`none`: never).
    #[arg(long = "fail-on", default_value = "error", value_parser = ["error", "warning", "info", "none"])]
    pub fail_on: String,

    #[command(flatten)]
    pub output: OutputArg,
}

async fn run_audit(global: &GlobalArgs, args: &AuditArgs) -> anyhow::Result<Exit> {
    let mut inputs: Vec<Input> = args.files.iter().map(|f| Input::file_flag(f)).collect();
    inputs.extend(args.kustomize.iter().cloned().map(Input::Kustomize));
    let manifests = if inputs.is_empty() {
        let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
        let scope = live::Scope {
            namespace: (!args.all_namespaces).then(|| kube.namespace.clone()),
            selector: args.selector.clone(),
        };
        live::collect(&kube, &scope).await?
    } else {
        if args.all_namespaces || args.selector.is_some() {
            return Err(UsageError(
                "-A and -l select live objects: they cannot be combined with -f or -k".into(),
            )
            .into());
        }
        shipshape::manifests::load(&inputs).into_result()?
    };
    let options = audit::Options {
        level: args.level,
        version: args.pss_version,
        no_ignores: args.no_ignores,
    };
    let report = audit::audit(&manifests, &options);
    shipshape::output::print(&shipshape::output::render(&report, args.output.output)?)?;
    let threshold = match args.fail_on.as_str() {
        "error" => Some(checks::Severity::Error),
        "warning" => Some(checks::Severity::Warning),
        "info" => Some(checks::Severity::Info),
        _ => None,
    };
    let failed =
        matches!((report.worst(), threshold), (Some(worst), Some(threshold)) if worst >= threshold);
    Ok(if failed { Exit::No } else { Exit::Success })
}
