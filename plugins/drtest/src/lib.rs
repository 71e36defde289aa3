//! `kubectl drtest`: disaster-recovery drills from Velero backups, in a sandbox, with smoke tests and RTO/RPO.
//!
//! The logic lives here; `main.rs` only hands [`run`] to [`shipshape::plugin_main!`].

pub mod cleanup;
pub mod cron;
pub mod drill;
pub mod history;
pub mod inventory;
pub mod labels;
pub mod report;
pub mod results;
pub mod schedule;
pub mod smoke;
pub mod velero;

use clap::{Parser, Subcommand};
use shipshape::exit::Exit;
use shipshape::process::HasGlobalArgs;
use shipshape::version::VersionArgs;
use shipshape::{GlobalArgs, Plugin};

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "drtest",
    version: env!("CARGO_PKG_VERSION"),
};

const EXAMPLES: &str = "\
Examples:
  # The playbook's recover step: restore the latest backup of production into a sandbox,
  # wait for it, smoke-test it, report RPO and RTO, clean up
  kubectl drtest run --for hastecrm-production --http-check api:http/health

  # Which backups exist, and whether every protected namespace meets its RPO
  kubectl drtest backups
  kubectl drtest status --max-backup-age 6h

  # The weekly in-cluster drill, with the playbook's 6-hourly Velero Schedule
  kubectl drtest schedule -n drtest-system --for hastecrm-production --velero-schedule --apply --yes
";

const RUN_EXAMPLES: &str = "\
Examples:
  # Restore the latest Completed backup of production into a sandbox and check the API answers
  kubectl drtest run --for hastecrm-production --http-check api:http/health

  # A smoke Job from the image, with its command; the report as JUnit for CI
  kubectl drtest run --for hastecrm-production --smoke-image busybox:1.36 \\
      --smoke-command 'wget -qO- http://api:4000/health' -o junit --report drill.xml

  # Two namespaces from one backup, a smoke Job from a file, an RPO of 6 hours
  kubectl drtest run --for hastecrm-production --for hastecrm-data --backup nightly-20261122 \\
      --smoke-job smoke-job.yaml --max-backup-age 6h

  # Keep the sandbox to look around (`kubectl drtest cleanup` removes it once expired)
  kubectl drtest run --for hastecrm-production --keep
";

const BACKUPS_EXAMPLES: &str = "\
Examples:
  # Every Velero backup: phase, age, expiry, location, items, errors and warnings
  kubectl drtest backups

  # Only those that cover production, as JSON
  kubectl drtest backups --for hastecrm-production -o json
";

const STATUS_EXAMPLES: &str = "\
Examples:
  # Is every protected namespace backed up within the playbook's 6 hours? (exit 1 if not)
  kubectl drtest status --max-backup-age 6h

  # One namespace, with Velero in another namespace
  kubectl drtest status --for hastecrm-production --velero-namespace backup-system
";

const HISTORY_EXAMPLES: &str = "\
Examples:
  # The last drills: result, RPO, RTO and the trend
  kubectl drtest history

  # Production's drills, with the failed phase, as JSON for a dashboard
  kubectl drtest history --for hastecrm-production -o json
";

const CLEANUP_EXAMPLES: &str = "\
Examples:
  # What killed drills left behind and has expired (asks first)
  kubectl drtest cleanup

  # Everything a drill left more than an hour ago, without asking; or just show it
  kubectl drtest cleanup --older-than 1h --yes
  kubectl drtest cleanup --older-than 1h --dry-run

  # The leftovers of one drill whose cleanup failed, at once (the command its error prints)
  kubectl drtest cleanup --drill drtest-18c2f3a --yes
";

const SCHEDULE_EXAMPLES: &str = "\
Examples:
  # The weekly drill as YAML to review or commit (CronJob, ServiceAccount, RBAC)
  kubectl drtest schedule -n drtest-system --for hastecrm-production --http-check api:http/health

  # Apply it, with the playbook's Velero Schedule: every 6 hours, kept a week, to `secondary`
  kubectl drtest schedule -n drtest-system --for hastecrm-production --cron '0 0 * * 0' \\
      --velero-schedule --every 6h --ttl 168h --storage-location secondary --apply --yes
";

const VERSION_EXAMPLES: &str = "\
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
    #[command(after_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// Velero backups: phase, age, expiry, storage location, item counts, errors and warnings.
    #[command(after_help = BACKUPS_EXAMPLES)]
    Backups(BackupsArgs),
    /// Per protected namespace: the last successful backup and its age, Schedules, location health.
    #[command(after_help = STATUS_EXAMPLES)]
    Status(StatusArgs),
    /// Past drills from their recorded reports: result, RPO and RTO, and the trend.
    #[command(after_help = HISTORY_EXAMPLES)]
    History(HistoryArgs),
    /// Delete what killed drills left behind: labelled sandbox namespaces and Restores, once
    /// expired or older than --older-than.
    #[command(after_help = CLEANUP_EXAMPLES)]
    Cleanup(CleanupArgs),
    /// The in-cluster drill: a CronJob running `kubectl-drtest run` under least-privilege RBAC,
    /// and optionally the Velero Schedule that makes its backups.
    #[command(after_help = SCHEDULE_EXAMPLES)]
    Schedule(ScheduleArgs),
    /// Print the plugin's version, and the API server's version and context when reachable.
    #[command(after_help = VERSION_EXAMPLES)]
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
        Command::Schedule(args) => schedule_command(&cli.global, args).await,
    }
}

/// drtest's own values for `kubectl_complete-drtest`: backup names for `--backup`, from the
/// `--velero-namespace` given on the line (default `velero`).
pub fn complete_values(
    request: &shipshape::complete::Request<'_>,
) -> Option<shipshape::complete::Values> {
    (request.id() == "backup").then(|| shipshape::complete::Values::Names {
        resource: velero::resource("backups", "Backup"),
        namespace: Some(
            request
                .given
                .value("velero_namespace")
                .unwrap_or("velero")
                .to_owned(),
        ),
    })
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// `--velero-namespace`, for every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct VeleroArgs {
    /// Where Velero runs.
    #[arg(long = "velero-namespace", default_value = "velero")]
    pub velero_namespace: String,
}

/// `kubectl drtest backups`' flags.
#[derive(Debug, clap::Args)]
pub struct BackupsArgs {
    /// Only backups that cover this namespace (`-n` is the Velero namespace's flag of kubectl).
    #[arg(long = "for", value_name = "NAMESPACE")]
    pub for_namespace: Option<String>,

    #[command(flatten)]
    pub velero: VeleroArgs,

    #[command(flatten)]
    pub output: shipshape::OutputArg,
}

async fn backups(global: &GlobalArgs, args: &BackupsArgs) -> anyhow::Result<Exit> {
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    velero::ensure_installed(&kube).await?;
    let objects = velero::list(&kube, &args.velero.velero_namespace, "backups", "Backup").await?;
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

    #[command(flatten)]
    pub velero: VeleroArgs,

    #[command(flatten)]
    pub output: shipshape::OutputArg,
}

async fn status(global: &GlobalArgs, args: &StatusArgs) -> anyhow::Result<Exit> {
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    let ns = &args.velero.velero_namespace;
    velero::ensure_installed(&kube).await?;
    let (backups, schedules, locations) = tokio::try_join!(
        velero::list(&kube, ns, "backups", "Backup"),
        velero::list(&kube, ns, "schedules", "Schedule"),
        velero::list(&kube, ns, "backupstoragelocations", "BackupStorageLocation"),
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

/// What a drill does: the flags `run` takes and `schedule` passes on to the CronJob's run.
#[derive(Debug, Clone, clap::Args)]
pub struct DrillArgs {
    /// A namespace to recover (repeatable). kubectl's own `-n/--namespace` flag names one
    /// namespace only, so the drill's are given with `--for`.
    #[arg(long = "for", value_name = "NAMESPACE", required = true, value_parser = shipshape::names::namespace)]
    pub namespaces: Vec<String>,

    /// Accept a PartiallyFailed backup or restore.
    #[arg(long = "allow-partially-failed")]
    pub allow_partially_failed: bool,

    #[command(flatten)]
    pub velero: VeleroArgs,

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

    /// Where each drill's report is recorded, as a ConfigMap (default: the Velero namespace).
    #[arg(long = "history-namespace", value_name = "NAMESPACE")]
    pub history_namespace: Option<String>,

    /// How many recorded reports to keep; 0 records nothing.
    #[arg(long = "history-limit", default_value_t = 50, value_name = "N")]
    pub history_limit: usize,
}

impl DrillArgs {
    /// Where reports go, unless the history is off.
    pub fn history(&self) -> Option<(String, usize)> {
        (self.history_limit > 0).then(|| {
            (
                self.history_namespace
                    .clone()
                    .unwrap_or_else(|| self.velero.velero_namespace.clone()),
                self.history_limit,
            )
        })
    }

    /// `kubectl-drtest run …` as the CronJob runs it (the smoke Job file aside).
    pub fn run_args(&self) -> Vec<String> {
        let mut args = vec!["run".to_owned()];
        for ns in &self.namespaces {
            args.extend(["--for".into(), ns.clone()]);
        }
        args.extend([
            "--velero-namespace".into(),
            self.velero.velero_namespace.clone(),
            "--max-backup-age".into(),
            format!("{}s", self.max_backup_age.as_secs()),
            "--timeout".into(),
            format!("{}s", self.timeout.as_secs()),
            "--history-limit".into(),
            self.history_limit.to_string(),
        ]);
        if self.allow_partially_failed {
            args.push("--allow-partially-failed".into());
        }
        if let Some(ns) = &self.history_namespace {
            args.extend(["--history-namespace".into(), ns.clone()]);
        }
        if let Some(image) = &self.smoke_image {
            args.extend(["--smoke-image".into(), image.clone()]);
        }
        if let Some(command) = &self.smoke_command {
            args.extend(["--smoke-command".into(), command.clone()]);
        }
        for check in &self.http_checks {
            args.extend(["--http-check".into(), check.to_string()]);
        }
        args
    }

    /// The smoke Job file's object, loaded (a usage error naming the file otherwise).
    fn smoke_job(&self) -> anyhow::Result<Option<serde_json::Value>> {
        self.smoke_job
            .as_deref()
            .map(|path| shipshape::manifests::load_one(path, "Job"))
            .transpose()
    }
}

/// `kubectl drtest run`'s flags.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub drill: DrillArgs,

    /// The backup to restore (default: the latest Completed one covering every namespace).
    #[arg(long)]
    pub backup: Option<String>,

    /// Restore the latest Completed backup covering every namespace, as Velero picks it (the
    /// default; for scripts that want to say so).
    #[arg(long, conflicts_with = "backup")]
    pub latest: bool,

    /// Leave the sandbox in place for inspection.
    #[arg(long)]
    pub keep: bool,

    /// Output format.
    #[arg(
        short = 'o',
        long = "output",
        value_enum,
        default_value = "table",
        value_name = "FORMAT"
    )]
    pub output: DrillFormat,

    /// Also write the report (in the -o format) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<std::path::PathBuf>,

    /// Bind this ClusterRole to --sandbox-account in each sandbox as it is created (what
    /// `drtest schedule` sets: the drill's reads and writes inside a sandbox come from that
    /// binding alone, not from a cluster-wide grant).
    #[arg(long = "sandbox-role", value_name = "CLUSTERROLE", requires = "sandbox_account", value_parser = shipshape::names::object)]
    pub sandbox_role: Option<String>,

    /// The ServiceAccount (NAMESPACE/NAME) the --sandbox-role binding is for.
    #[arg(long = "sandbox-account", value_name = "NAMESPACE/NAME", requires = "sandbox_role", value_parser = service_account)]
    pub sandbox_account: Option<(String, String)>,
}

shipshape::output_format! {
    /// `kubectl drtest run -o`.
    pub enum DrillFormat {
        /// JUnit XML: a test case per phase and smoke check.
        Junit,
    }
}

/// `--sandbox-account NAMESPACE/NAME`.
fn service_account(text: &str) -> Result<(String, String), String> {
    let (namespace, name) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}`: expected NAMESPACE/NAME"))?;
    Ok((
        shipshape::names::namespace(namespace)?,
        shipshape::names::object(name)?,
    ))
}

async fn drill_run(global: &GlobalArgs, args: &RunArgs) -> anyhow::Result<Exit> {
    let drill = &args.drill;
    let smoke_job = drill.smoke_job()?;
    if let Some(path) = &args.report {
        probe_writable(path)?;
    }
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    velero::ensure_installed(&kube).await?;
    let plan = drill::Plan {
        namespaces: drill.namespaces.clone(),
        backup: args.backup.clone(),
        allow_partially_failed: drill.allow_partially_failed,
        velero_namespace: drill.velero.velero_namespace.clone(),
        smoke_job,
        smoke_image: drill.smoke_image.clone(),
        smoke_command: drill.smoke_command.clone(),
        http_checks: drill.http_checks.clone(),
        max_backup_age: drill.max_backup_age,
        timeout: drill.timeout,
        keep: args.keep,
        history: drill.history(),
        sandbox_binding: args.sandbox_role.clone().zip(args.sandbox_account.clone()),
    };
    let (report, error) = match drill::run(&kube, &plan).await {
        Ok(report) => (report, None),
        Err(e) => match e.downcast::<drill::Unfinished>() {
            Ok(unfinished) => (*unfinished.report, Some(unfinished.error)),
            Err(e) => return Err(e),
        },
    };
    let text = match args.output.report() {
        Ok(format) => shipshape::output::render(&report, format)?,
        Err(_) => report.junit(),
    };
    // The report reaches stdout first, so a write that fails now loses nothing.
    shipshape::output::print(&text)?;
    if let Some(path) = &args.report {
        std::fs::write(path, &text).map_err(|e| {
            shipshape::UsageError(format!(
                "cannot write the report to {}: {e}",
                path.display()
            ))
        })?;
    }
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

/// Fails (exit 2, naming the path) when `--report FILE` could not be written, before the drill
/// touches the cluster: an existing file is opened for writing without truncating it, a new one
/// is created and removed again.
fn probe_writable(path: &std::path::Path) -> anyhow::Result<()> {
    let refused = |e: std::io::Error| {
        shipshape::UsageError(format!(
            "--report {}: cannot write there: {e}",
            path.display()
        ))
    };
    if path.is_dir() {
        return Err(shipshape::UsageError(format!(
            "--report {}: is a directory, not a file",
            path.display()
        ))
        .into());
    }
    if path.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(refused)?;
    } else {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(refused)?;
        std::fs::remove_file(path).map_err(refused)?;
    }
    Ok(())
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

    #[command(flatten)]
    pub velero: VeleroArgs,

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
        .unwrap_or(&args.velero.velero_namespace);
    let config_maps = history::list(&kube, namespace).await?;
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

    /// Delete this drill's leftovers now, whatever their age (the id a drill's report and
    /// its cleanup error name: `drtest-18c2f3a`).
    #[arg(long, value_name = "ID", value_parser = shipshape::names::object)]
    pub drill: Option<String>,

    #[command(flatten)]
    pub velero: VeleroArgs,

    #[command(flatten)]
    pub dry_run: shipshape::apply::DryRunArg,

    #[command(flatten)]
    pub output: shipshape::OutputArg,
}

async fn cleanup(global: &GlobalArgs, args: &CleanupArgs) -> anyhow::Result<Exit> {
    use shipshape::apply::DryRun;
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    let selector = match &args.drill {
        Some(id) => format!("{}={id}", labels::DRILL_LABEL),
        None => labels::DRILL_LABEL.to_owned(),
    };
    let selector = selector.as_str();
    let namespaces_rt =
        kube::core::ApiResource::erase::<k8s_openapi::api::core::v1::Namespace>(&());
    let namespaces = shipshape::list::list(&kube, &namespaces_rt, None, Some(selector)).await?;
    let restores = if kube.serves("velero.io/v1").await? {
        shipshape::list::list(
            &kube,
            &velero::resource("restores", "Restore"),
            Some(&args.velero.velero_namespace),
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
    // --drill: that drill's leftovers at once, expired or not.
    let older_than = args
        .older_than
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .or(args.drill.as_ref().map(|_| 0));
    let due = cleanup::due(&objects, older_than, now());
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
            global.yes,
        )?;
    }
    if dry_run != DryRun::Client {
        let params = kube::api::DeleteParams {
            dry_run: dry_run == DryRun::Server,
            ..Default::default()
        };
        for l in &due {
            drill::delete_leftover(
                &kube,
                &args.velero.velero_namespace,
                &l.kind,
                &l.name,
                &params,
            )
            .await?;
        }
        if dry_run == DryRun::None {
            let namespaces: Vec<String> = due
                .iter()
                .filter(|l| l.kind == "Namespace")
                .map(|l| l.name.clone())
                .collect();
            drill::await_namespaces_gone(&kube, &namespaces).await?;
        }
    }
    let report = cleanup::CleanupReport {
        dry_run: dry_run != DryRun::None,
        deleted: due,
    };
    shipshape::output::print_report(&report, args.output.output)?;
    Ok(Exit::Success)
}

/// `kubectl drtest schedule`'s flags.
#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    #[command(flatten)]
    pub drill: DrillArgs,

    /// When to drill, in cron syntax (default: Sundays at midnight).
    #[arg(long, default_value = "0 0 * * 0", value_name = "SCHEDULE", value_parser = cron::parse)]
    pub cron: String,

    /// The CronJob's name (and its ServiceAccount's); it runs in the -n namespace.
    #[arg(long, default_value = "drtest-weekly", value_parser = shipshape::names::object)]
    pub name: String,

    /// The suite's image (built from the repository's Dockerfile).
    #[arg(long, value_name = "IMAGE", default_value = concat!("shipshape:", env!("CARGO_PKG_VERSION")))]
    pub image: String,

    /// Also generate a Velero Schedule backing up the --for namespaces.
    #[arg(long = "velero-schedule")]
    pub velero_schedule: bool,

    /// How often the Velero Schedule backs up (Velero's `@every`).
    #[arg(long, default_value = "6h", requires = "velero_schedule", value_parser = schedule::every)]
    pub every: String,

    /// How long Velero keeps each backup.
    #[arg(long, default_value = "168h", requires = "velero_schedule", value_parser = shipshape::duration::parse)]
    pub ttl: std::time::Duration,

    /// The BackupStorageLocation the Schedule's backups go to (default: Velero's default).
    #[arg(
        long = "storage-location",
        requires = "velero_schedule",
        value_name = "NAME"
    )]
    pub storage_location: Option<String>,

    /// Apply the objects (server-side apply) instead of printing them.
    #[arg(long)]
    pub apply: bool,

    #[command(flatten)]
    pub dry_run: shipshape::apply::DryRunArg,

    /// Output format of the printed objects: yaml (for `kubectl apply -f -` or a repository)
    /// or json (a List); with --apply, json is a WriteReport of what was applied.
    #[arg(short = 'o', long = "output", default_value = "yaml", value_parser = ["yaml", "json"])]
    pub output: String,
}

async fn schedule_command(global: &GlobalArgs, args: &ScheduleArgs) -> anyhow::Result<Exit> {
    let smoke_job = args.drill.smoke_job()?;
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    let plan = schedule::Plan {
        name: args.name.clone(),
        namespace: kube.namespace.clone(),
        cron: args.cron.clone(),
        image: args.image.clone(),
        run_args: args.drill.run_args(),
        smoke_job,
        velero_namespace: args.drill.velero.velero_namespace.clone(),
        history_namespace: args.drill.history().map(|(ns, _)| ns),
        timeout_seconds: args.drill.timeout.as_secs(),
        velero_schedule: args.velero_schedule.then(|| {
            (
                args.every.clone(),
                schedule::go_duration(args.ttl),
                args.storage_location.clone(),
            )
        }),
        namespaces: args.drill.namespaces.clone(),
    };
    let objects = schedule::objects(&plan);
    if !args.apply {
        let text = match args.output.as_str() {
            "json" => {
                let mut text = serde_json::to_string_pretty(
                    &serde_json::json!({"apiVersion": "v1", "kind": "List", "items": objects}),
                )?;
                text.push('\n');
                text
            }
            _ => objects
                .iter()
                .map(shipshape::output::to_yaml)
                .collect::<Result<Vec<_>, _>>()?
                .join("---\n"),
        };
        shipshape::output::print(&text)?;
        return Ok(Exit::Success);
    }
    let dry_run = args.dry_run.dry_run;
    // Cluster-wide RBAC is asked for first: sandbox names are only known at run time, so the
    // ClusterRole reaches every namespace.
    let cluster_wide: Vec<String> = objects
        .iter()
        .filter(|o| {
            matches!(
                o["kind"].as_str(),
                Some("ClusterRole" | "ClusterRoleBinding")
            )
        })
        .map(|o| {
            format!(
                "{}/{}",
                o["kind"].as_str().unwrap_or_default().to_lowercase(),
                o["metadata"]["name"].as_str().unwrap_or_default()
            )
        })
        .collect();
    if !cluster_wide.is_empty() && dry_run == shipshape::apply::DryRun::None {
        shipshape::confirm::confirm(
            &format!(
                "apply cluster-wide RBAC ({}) giving serviceaccount {}/{} what a drill does in sandbox namespaces, confined to them by a ValidatingAdmissionPolicy (review it with `-o yaml` first)",
                cluster_wide.join(", "),
                plan.namespace,
                plan.name
            ),
            global.yes,
        )?;
    }
    let applier = shipshape::apply::Applier::new(&kube, PLUGIN, dry_run);
    let suffix = match dry_run {
        shipshape::apply::DryRun::None => "",
        shipshape::apply::DryRun::Client => " (dry run)",
        shipshape::apply::DryRun::Server => " (server dry run)",
    };
    let result = shipshape::apply::apply_each(&applier, &objects).await;
    if args.output == "json" {
        // What was applied, what failed and what was not attempted, also when it failed.
        shipshape::output::print_report(
            &shipshape::apply::WriteReport::of(&result),
            shipshape::OutputFormat::Json,
        )?;
        return result.map(|_| Exit::Success);
    }
    for applied in result? {
        let verb = match (&applied.before, applied.changed()) {
            (None, _) => "created",
            (Some(_), true) => "configured",
            (Some(_), false) => "unchanged",
        };
        println!("{} {verb}{suffix}", applied.id.to_lowercase());
    }
    Ok(Exit::Success)
}
