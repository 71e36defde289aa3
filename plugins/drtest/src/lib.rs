//! `kubectl drtest`: disaster-recovery drills from Velero backups, in a sandbox, with smoke tests and RTO/RPO.
//!
//! The logic lives here; `main.rs` only hands [`run`] to [`shipshape::exit::main`].

pub mod cleanup;
pub mod drill;
pub mod history;
pub mod inventory;
pub mod results;
pub mod smoke;

use clap::{Parser, Subcommand};
use shipshape::exit::{Exit, HasGlobalArgs};
use shipshape::version::VersionArgs;
use shipshape::{GlobalArgs, Plugin};

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "drtest",
    version: env!("CARGO_PKG_VERSION"),
};

const EXAMPLES: &str = "\
Examples:
  # Show the plugin's version, and the cluster's for the current context
  kubectl drtest version

  # The same against another context, as JSON for a script
  kubectl drtest version --context staging -o json
";

/// Disaster-recovery drills from Velero backups, in a sandbox, with smoke tests and RTO/RPO.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl drtest",
    bin_name = "kubectl drtest",
    version,
    about = "Disaster-recovery drills from Velero backups, in a sandbox, with smoke tests and RTO/RPO.",
    long_about = "Disaster-recovery drills from Velero backups, in a sandbox, with smoke tests and RTO/RPO.\n\nThe recover step of the playbook: restore the latest backup into sandbox namespaces, wait for it to become ready, run smoke tests, measure RTO and RPO, and always clean up.",
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
    /// A disaster-recovery drill: restore the latest backup into a sandbox, wait, smoke-test,
    /// report RPO and RTO, clean up.
    Run(RunArgs),
    /// Velero backups: phase, age, expiry, storage location, item counts, errors and warnings.
    Backups(BackupsArgs),
    /// Per protected namespace: the last successful backup and its age, Schedules, location health.
    Status(StatusArgs),
    /// Past drills from their recorded reports: result, RPO and RTO, and the trend.
    History(HistoryArgs),
    /// Delete what killed drills left behind: labelled sandbox namespaces and Restores, once
    /// expired or older than --older-than.
    Cleanup(CleanupArgs),
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
        Command::Backups(args) => backups(&cli.global, args).await,
        Command::Run(args) => drill_run(&cli.global, args).await,
        Command::Status(args) => status(&cli.global, args).await,
        Command::History(args) => history(&cli.global, args).await,
        Command::Cleanup(args) => cleanup(&cli.global, args).await,
    }
}

/// A Velero kind of velero.io/v1.
pub(crate) fn velero(plural: &str, kind: &str) -> kube::core::ApiResource {
    kube::core::ApiResource {
        group: "velero.io".into(),
        version: "v1".into(),
        api_version: "velero.io/v1".into(),
        kind: kind.into(),
        plural: plural.into(),
    }
}

/// A clear error when Velero's CRDs are not installed (one discovery request).
async fn ensure_velero(kube: &shipshape::Kube) -> anyhow::Result<()> {
    if !kube.serves("velero.io/v1").await? {
        return Err(shipshape::UsageError(
            "Velero is not installed: the cluster does not serve velero.io/v1 (install Velero, or its CRDs)".into(),
        )
        .into());
    }
    Ok(())
}

/// Lists a Velero kind in Velero's namespace.
async fn list_velero(
    kube: &shipshape::Kube,
    velero_namespace: &str,
    plural: &str,
    kind: &str,
) -> anyhow::Result<Vec<serde_json::Value>> {
    shipshape::list::list(kube, &velero(plural, kind), Some(velero_namespace), None).await
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// `kubectl drtest backups`' flags.
#[derive(Debug, clap::Args)]
pub struct BackupsArgs {
    /// Only backups that cover this namespace (`-n` is the Velero namespace's flag of kubectl).
    #[arg(long = "for", value_name = "NAMESPACE")]
    pub for_namespace: Option<String>,

    /// Where Velero runs.
    #[arg(long = "velero-namespace", default_value = "velero")]
    pub velero_namespace: String,

    #[command(flatten)]
    pub output: shipshape::OutputArg,
}

async fn backups(global: &GlobalArgs, args: &BackupsArgs) -> anyhow::Result<Exit> {
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    ensure_velero(&kube).await?;
    let objects = list_velero(&kube, &args.velero_namespace, "backups", "Backup").await?;
    let report = inventory::backups(&objects, args.for_namespace.as_deref(), now());
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(Exit::Success)
}

/// `kubectl drtest status`' flags.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Protected namespaces to report on (default: every namespace a backup or Schedule names).
    #[arg(long = "for", value_name = "NAMESPACE")]
    pub namespaces: Vec<String>,

    /// The RPO: the newest successful backup must be younger.
    #[arg(long = "max-backup-age", default_value = "24h", value_parser = shipshape::duration::parse)]
    pub max_backup_age: std::time::Duration,

    /// Where Velero runs.
    #[arg(long = "velero-namespace", default_value = "velero")]
    pub velero_namespace: String,

    #[command(flatten)]
    pub output: shipshape::OutputArg,
}

async fn status(global: &GlobalArgs, args: &StatusArgs) -> anyhow::Result<Exit> {
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    let ns = &args.velero_namespace;
    ensure_velero(&kube).await?;
    let (backups, schedules, locations) = tokio::try_join!(
        list_velero(&kube, ns, "backups", "Backup"),
        list_velero(&kube, ns, "schedules", "Schedule"),
        list_velero(&kube, ns, "backupstoragelocations", "BackupStorageLocation"),
    )?;
    let report = inventory::status(
        &args.namespaces,
        &backups,
        &schedules,
        &locations,
        args.max_backup_age.as_secs() as i64,
        now(),
    );
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(if report.healthy() {
        Exit::Success
    } else {
        Exit::No
    })
}

/// `kubectl drtest run`'s flags.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// A namespace to recover (repeatable). kubectl's own `-n/--namespace` flag names one
    /// namespace only, so the drill's are given with `--for`.
    #[arg(long = "for", value_name = "NAMESPACE", required = true)]
    pub namespaces: Vec<String>,

    /// The backup to restore (default: the latest Completed one covering every namespace).
    #[arg(long)]
    pub backup: Option<String>,

    /// Accept a PartiallyFailed backup or restore.
    #[arg(long = "allow-partially-failed")]
    pub allow_partially_failed: bool,

    /// Where Velero runs.
    #[arg(long = "velero-namespace", default_value = "velero")]
    pub velero_namespace: String,

    /// A smoke-test Job manifest, run in the (first) sandbox namespace once the restore is
    /// ready; its namespace is replaced by the sandbox's.
    #[arg(
        long = "smoke-job",
        value_name = "FILE",
        conflicts_with = "smoke_image"
    )]
    pub smoke_job: Option<std::path::PathBuf>,

    /// A smoke-test Job's image, run in the sandbox after the restore is ready.
    #[arg(long = "smoke-image", value_name = "IMAGE")]
    pub smoke_image: Option<String>,

    /// The smoke test's shell command.
    #[arg(long = "smoke-command", value_name = "CMD", requires = "smoke_image")]
    pub smoke_command: Option<String>,

    /// An HTTP check through the API server's service proxy, after the smoke Job (repeatable):
    /// [NAMESPACE/]SERVICE:PORT/PATH[=STATUS], STATUS 200 by default; NAMESPACE is the
    /// backed-up namespace, mapped to its sandbox.
    #[arg(long = "http-check", value_name = "CHECK", value_parser = smoke::parse_http_check)]
    pub http_checks: Vec<smoke::HttpCheck>,

    /// The RPO: the backup must be younger.
    #[arg(long = "max-backup-age", default_value = "6h", value_parser = shipshape::duration::parse)]
    pub max_backup_age: std::time::Duration,

    /// How long each wait may take.
    #[arg(long, default_value = "30m", value_parser = shipshape::duration::parse)]
    pub timeout: std::time::Duration,

    /// Leave the sandbox in place for inspection.
    #[arg(long)]
    pub keep: bool,

    /// Where each drill's report is recorded, as a ConfigMap (default: the Velero namespace).
    #[arg(long = "history-namespace", value_name = "NAMESPACE")]
    pub history_namespace: Option<String>,

    /// How many recorded reports to keep; 0 records nothing.
    #[arg(long = "history-limit", default_value_t = 50, value_name = "N")]
    pub history_limit: usize,

    /// Output format: table, json or junit.
    #[arg(short = 'o', long = "output", default_value = "table", value_parser = ["table", "json", "junit"])]
    pub output: String,

    /// Also write the report (in the -o format) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<std::path::PathBuf>,
}

async fn drill_run(global: &GlobalArgs, args: &RunArgs) -> anyhow::Result<Exit> {
    let smoke_job = match &args.smoke_job {
        Some(path) => Some(shipshape::manifests::load_one(path, "Job")?),
        None => None,
    };
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    ensure_velero(&kube).await?;
    let plan = drill::Plan {
        namespaces: args.namespaces.clone(),
        backup: args.backup.clone(),
        allow_partially_failed: args.allow_partially_failed,
        velero_namespace: args.velero_namespace.clone(),
        smoke_job,
        smoke_image: args.smoke_image.clone(),
        smoke_command: args.smoke_command.clone(),
        http_checks: args.http_checks.clone(),
        max_backup_age: args.max_backup_age,
        timeout: args.timeout,
        keep: args.keep,
        history: (args.history_limit > 0).then(|| {
            (
                args.history_namespace
                    .clone()
                    .unwrap_or_else(|| args.velero_namespace.clone()),
                args.history_limit,
            )
        }),
    };
    let (report, error) = match drill::run(&kube, &plan).await {
        Ok(report) => (report, None),
        Err(e) => match e.downcast::<drill::Unfinished>() {
            Ok(unfinished) => (*unfinished.report, Some(unfinished.error)),
            Err(e) => return Err(e),
        },
    };
    let text = match args.output.as_str() {
        "json" => shipshape::output::render(&report, shipshape::OutputFormat::Json)?,
        "junit" => report.junit(),
        _ => shipshape::output::render(&report, shipshape::OutputFormat::Table)?,
    };
    if let Some(path) = &args.report {
        std::fs::write(path, &text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    shipshape::output::print(&text)?;
    if let Some(error) = error {
        // The report is out; the exit says the API cut the drill short (3).
        return Err(error);
    }
    Ok(if report.passed() {
        Exit::Success
    } else {
        Exit::No
    })
}

/// `kubectl drtest history`'s flags.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// Only drills that recovered this namespace.
    #[arg(long = "for", value_name = "NAMESPACE")]
    pub for_namespace: Option<String>,

    /// Where the reports are recorded (default: the Velero namespace).
    #[arg(long = "history-namespace", value_name = "NAMESPACE")]
    pub history_namespace: Option<String>,

    /// Where Velero runs.
    #[arg(long = "velero-namespace", default_value = "velero")]
    pub velero_namespace: String,

    /// How many drills to show, newest first.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,

    #[command(flatten)]
    pub output: shipshape::OutputArg,
}

async fn history(global: &GlobalArgs, args: &HistoryArgs) -> anyhow::Result<Exit> {
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    let namespace = args
        .history_namespace
        .as_deref()
        .unwrap_or(&args.velero_namespace);
    let config_maps = shipshape::list::list(
        &kube,
        &kube::core::ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&()),
        Some(namespace),
        Some(&format!("{}=true", history::REPORT_LABEL)),
    )
    .await?;
    let report = history::history(&config_maps, args.for_namespace.as_deref(), args.limit);
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(Exit::Success)
}

/// `kubectl drtest cleanup`'s flags.
#[derive(Debug, clap::Args)]
pub struct CleanupArgs {
    /// Delete drill leftovers created at least this long ago, expired or not (default: only
    /// those past their expiry annotation).
    #[arg(long = "older-than", value_name = "DURATION", value_parser = shipshape::duration::parse)]
    pub older_than: Option<std::time::Duration>,

    /// Where Velero runs (the drills' Restores live there).
    #[arg(long = "velero-namespace", default_value = "velero")]
    pub velero_namespace: String,

    /// Delete without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,

    #[command(flatten)]
    pub dry_run: shipshape::apply::DryRunArg,

    #[command(flatten)]
    pub output: shipshape::OutputArg,
}

async fn cleanup(global: &GlobalArgs, args: &CleanupArgs) -> anyhow::Result<Exit> {
    use shipshape::apply::DryRun;
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    let selector = drill::DRILL_LABEL;
    let namespaces_rt =
        kube::core::ApiResource::erase::<k8s_openapi::api::core::v1::Namespace>(&());
    let namespaces = shipshape::list::list(&kube, &namespaces_rt, None, Some(selector)).await?;
    let restores = if kube.serves("velero.io/v1").await? {
        shipshape::list::list(
            &kube,
            &velero("restores", "Restore"),
            Some(&args.velero_namespace),
            Some(selector),
        )
        .await?
    } else {
        Vec::new()
    };
    let objects: Vec<(&str, &serde_json::Value)> = namespaces
        .iter()
        .map(|n| ("Namespace", n))
        .chain(restores.iter().map(|r| ("Restore", r)))
        .collect();
    let due = cleanup::due(&objects, args.older_than.map(|d| d.as_secs() as i64), now());
    let dry_run = args.dry_run.dry_run;
    if !due.is_empty() && dry_run == DryRun::None {
        shipshape::confirm::confirm(
            &format!(
                "delete {} drill leftover(s): {}",
                due.len(),
                due.iter()
                    .map(|l| format!("{}/{}", l.kind.to_lowercase(), l.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            args.yes,
        )?;
    }
    if dry_run != DryRun::Client {
        let params = kube::api::DeleteParams {
            dry_run: dry_run == DryRun::Server,
            ..Default::default()
        };
        let ns_api: kube::Api<k8s_openapi::api::core::v1::Namespace> =
            kube::Api::all(kube.client.clone());
        let restore_api: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
            kube.client.clone(),
            &args.velero_namespace,
            &velero("restores", "Restore"),
        );
        for l in &due {
            let result = match l.kind.as_str() {
                "Namespace" => ns_api.delete(&l.name, &params).await.map(|_| ()),
                _ => restore_api.delete(&l.name, &params).await.map(|_| ()),
            };
            match result {
                Ok(()) => {}
                // Gone already: someone else cleaned up.
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(e) => {
                    return Err(kube
                        .explain(
                            shipshape::ApiCall::new(
                                "delete",
                                if l.kind == "Namespace" {
                                    "namespaces"
                                } else {
                                    "restores.velero.io"
                                },
                            )
                            .named(&l.name),
                            e,
                        )
                        .into());
                }
            }
        }
    }
    let report = cleanup::CleanupReport {
        dry_run: dry_run != DryRun::None,
        deleted: due,
    };
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(Exit::Success)
}
