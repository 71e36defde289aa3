//! `kubectl drtest`'s command line: clap's definitions only (flags, help, examples, value
//! parsers). [`crate::settings`] turns them into the plans the commands run.

use clap::Subcommand;
use shipshape::version::VersionArgs;

use crate::{cron, schedule, smoke, velero};

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

shipshape::plugin_cli! {
    name: "drtest",
    about: "Disaster-recovery drills from Velero backups, in a sandbox, with smoke tests and RTO/RPO.",
    long_about: "The recover step of the playbook: restore the latest backup into sandbox namespaces, wait for it to become ready, run smoke tests, measure RTO and RPO, and always clean up.",
    examples: EXAMPLES,
    command: Command,
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
    #[command(after_help = shipshape::version_examples!("drtest"))]
    Version(VersionArgs),
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
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT",
        value_enum,
        default_value = "yaml"
    )]
    pub output: shipshape::output::ObjectsFormat,
}
