//! `kubectl harden`: audit Kubernetes workloads against the Pod Security Standards and production practice.
//!
//! The logic lives here; `main.rs` only hands [`run`] to [`shipshape::plugin_main!`].

pub mod audit;
pub mod checks;
pub mod ci_formats;
pub mod config;
pub mod files;
pub mod fix;
pub mod image;
pub mod live;
pub mod locate;
pub mod namespaces;
pub mod pss;
pub mod render;
pub mod sink;
pub mod streamed;
pub mod streamed_fix;

use clap::{Parser, Subcommand};
use shipshape::exit::Exit;
use shipshape::manifests::Input;
use shipshape::process::HasGlobalArgs;
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
    #[command(after_help = AUDIT_EXAMPLES)]
    Audit(AuditArgs),
    /// Fix what the audit finds, in manifest files (formatting kept) or live objects.
    #[command(after_help = FIX_EXAMPLES)]
    Fix(FixArgs),
    /// Per namespace: the strictest Pod Security level its workloads meet; label namespaces.
    #[command(after_help = PSS_EXAMPLES)]
    Pss(PssArgs),
    /// List every check: id, standard, severity, title (and the fix with -o wide).
    #[command(after_help = CHECKS_EXAMPLES)]
    Checks(OutputArg),
    /// Print the plugin's version, and the API server's version and context when reachable.
    #[command(after_help = VERSION_EXAMPLES)]
    Version(VersionArgs),
}

const CHECKS_EXAMPLES: &str = "\
Examples:
  # Every check: id, standard, severity and title
  kubectl harden checks

  # ... and how to fix each one
  kubectl harden checks -o wide

  # The catalogue for scripts, with why each check matters and its references
  kubectl harden checks -o json
";

const VERSION_EXAMPLES: &str = "\
Examples:
  # The plugin's version, and the API server's for the current context
  kubectl harden version

  # Only the plugin's version, without contacting the cluster
  kubectl harden version --client

  # Against another context, as JSON for a script
  kubectl harden version --context staging -o json
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
        Command::Checks(output) => {
            let catalogue = render::Catalogue::new();
            shipshape::output::print(&shipshape::output::render(&catalogue, output.output)?)?;
            Ok(Exit::Success)
        }
        Command::Audit(args) => run_audit(&cli.global, args).await,
        Command::Fix(args) => run_fix(&cli.global, args).await,
        Command::Pss(args) => run_pss(&cli.global, args).await,
    }
}

/// What the audit measures against: shared by `audit` and `fix`.
#[derive(Debug, Clone, clap::Args)]
pub struct PolicyArgs {
    /// The Pod Security Standards level (`fix` also labels namespaces with it).
    #[arg(long, value_enum, default_value = "restricted")]
    pub level: pss::Level,

    /// The Pod Security Standards policy version: `latest` (the default) or `v1.N`. `fix` pins
    /// namespace labels to it; with `latest`, a live fix pins the API server's own version (as
    /// `pss --apply-labels` does) and a fix of files the newest this release knows.
    #[arg(long = "pss-version", value_name = "VERSION", value_parser = |s: &str| s.parse::<pss::Version>())]
    pub pss_version: Option<pss::Version>,

    /// Do not run these checks (repeatable or comma-separated; `kubectl harden checks` lists
    /// the ids), on top of the config file's `disable` list.
    #[arg(long, value_name = "CHECK", value_delimiter = ',')]
    pub disable: Vec<String>,

    /// Disregard `harden.shipshape.dev/ignore` annotations and config exemptions.
    #[arg(long = "no-ignores")]
    pub no_ignores: bool,

    /// The config file (default: the nearest .harden.yaml from the working directory up).
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
}

impl PolicyArgs {
    /// The audit options, with the config file read.
    pub fn options(&self) -> anyhow::Result<audit::Options> {
        let mut config = load_config(self.config.as_deref())?;
        for id in &self.disable {
            if checks::find(id).is_none() {
                return Err(UsageError(format!(
                    "--disable: unknown check `{id}` (`kubectl harden checks` lists them)"
                ))
                .into());
            }
            config.disable.push(id.clone());
        }
        Ok(audit::Options {
            level: self.level,
            version: self.pss_version.unwrap_or(pss::Version::LATEST),
            no_ignores: self.no_ignores,
            config,
        })
    }
}

/// The values of harden's own flags for `kubectl_complete-harden`: check ids (with their titles)
/// for `--disable`.
pub fn complete_values(
    request: &shipshape::complete::Request<'_>,
) -> Option<shipshape::complete::Values> {
    use shipshape::complete::{Candidate, Values};
    (request.id() == "disable").then(|| {
        Values::Fixed(
            checks::CATALOGUE
                .iter()
                .map(|check| Candidate::new(check.id, Some(check.title.to_owned())))
                .collect(),
        )
    })
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

    /// Without -f/-k: several clusters at once.
    #[command(flatten)]
    pub clusters: shipshape::ContextArgs,

    /// Without -f/-k: audit only the workloads matching this label selector.
    #[arg(short = 'l', long = "selector", value_name = "SELECTOR", value_parser = shipshape::names::label_selector)]
    pub selector: Option<String>,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Exit 1 when a finding is at least this severe (`none`: never).
    #[arg(long = "fail-on", value_name = "FAIL_ON", default_value = "error", value_parser = fail_on())]
    pub fail_on: FailOn,

    /// Output format: `table`, `wide` (with the fix), `json`/`yaml` (AuditReport), `sarif`
    /// (SARIF 2.1.0 for code scanning), `junit` (a test case per object and check).
    #[arg(
        short = 'o',
        long = "output",
        value_enum,
        default_value = "table",
        value_name = "FORMAT"
    )]
    pub output: AuditFormat,
}

/// `--fail-on`: the severity that fails the audit, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn(pub Option<checks::Severity>);

/// `error`, `warning`, `info` (a [`checks::Severity`]) or `none`.
fn fail_on() -> impl clap::builder::TypedValueParser<Value = FailOn> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(["error", "warning", "info", "none"])
        .map(|value| FailOn(<checks::Severity as clap::ValueEnum>::from_str(&value, false).ok()))
}

shipshape::output_format! {
    /// `kubectl harden audit -o`.
    pub enum AuditFormat {
        /// SARIF 2.1.0, for code scanning.
        Sarif,
        /// JUnit XML: a test case per object and check.
        Junit,
    }
}

async fn run_audit(global: &GlobalArgs, args: &AuditArgs) -> anyhow::Result<Exit> {
    let mut inputs: Vec<Input> = args.files.iter().map(|f| Input::file_flag(f)).collect();
    inputs.extend(args.kustomize.iter().cloned().map(Input::Kustomize));
    let options = args.policy.options()?;
    let multi = args.clusters.any();
    let scope = |kube: &shipshape::Kube| live::Scope {
        namespace: (!args.all_namespaces).then(|| kube.namespace.clone()),
        selector: args.selector.clone(),
    };
    let format = match args.output.report() {
        Ok(format) => sink::Format::Report(format),
        Err(AuditFormat::Junit) => sink::Format::Junit {
            level: args.policy.level,
        },
        Err(_) => sink::Format::Sarif,
    };
    // Every format streams into stdout: the output never exists as a whole in memory.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // Files that do not load are reported after the others' audit, which they never suppress.
    let mut load_errors = Vec::new();
    let summary = if !inputs.is_empty() {
        if args.all_namespaces || args.selector.is_some() || multi {
            return Err(UsageError(
                "-A, -l, --contexts and --all-contexts select live objects: they cannot be combined with -f or -k".into(),
            )
            .into());
        }
        // Files are read twice, batch by batch: memory for one batch, whatever their size.
        let sources = shipshape::manifests::Sources::open(&inputs, &mut std::io::stdin().lock());
        let limits = shipshape::manifests::Limits::default();
        let gathered = streamed::gather(&sources, limits);
        if gathered.loaded == 0 && !gathered.errors.is_empty() {
            return Err(shipshape::manifests::LoadErrors(gathered.errors).into());
        }
        load_errors = gathered.errors;
        let sink = sink::Sink::new(format, false, &mut out)?;
        streamed::audit_into(&sources, &gathered.context, &options, limits, sink)?
    } else {
        let (manifests, report) = if multi {
            // Each cluster is listed concurrently and audited on its own: cross-object checks
            // never mix clusters.
            let clusters = shipshape::client::each_context(
                &global.kube,
                &args.clusters,
                PLUGIN,
                |kube| async move { live::collect(&kube, &scope(&kube)).await },
            )
            .await?;
            let mut all = Vec::new();
            let mut reports = Vec::new();
            for (context, manifests) in clusters {
                reports.push((context, audit::audit(&manifests, &options)));
                all.extend(manifests);
            }
            (all, audit::AuditReport::merge(reports))
        } else {
            let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
            let manifests = live::collect(&kube, &scope(&kube)).await?;
            let report = audit::audit(&manifests, &options);
            (manifests, report)
        };
        let workloads: Vec<bool> = manifests
            .iter()
            .map(|m| shipshape::workload::is_workload(&m.object))
            .collect();
        sink::write(&report, &workloads, format, &mut out)?
    };
    std::io::Write::flush(&mut out)?;
    drop(out);
    let FailOn(threshold) = args.fail_on;
    if !load_errors.is_empty() {
        return Err(shipshape::manifests::LoadErrors(load_errors).into());
    }
    let failed = matches!((summary.worst(), threshold), (Some(worst), Some(threshold)) if worst >= threshold);
    Ok(if failed { Exit::No } else { Exit::Success })
}

const AUDIT_EXAMPLES: &str = "\
Examples:
  # Audit the playbook's sample app before deploying it (exit 1 on errors)
  kubectl harden audit -f examples/hastecrm/insecure

  # Audit a kustomization at the baseline level of Kubernetes 1.30, failing on warnings too
  kubectl harden audit -k overlays/prod --level baseline --pss-version v1.30 --fail-on warning

  # SARIF for code scanning, JUnit for the CI test report
  kubectl harden audit -f k8s/ -o sarif > harden.sarif
  kubectl harden audit -f k8s/ -o junit > harden.xml

  # Every namespace of two clusters at once, with a cluster column
  kubectl harden audit -A --contexts staging,production

  # Leave out checks the team has accepted (ids from `kubectl harden checks`)
  kubectl harden audit -f examples/hastecrm/hardened --disable image-mutable-tag,pdb-missing
";

const FIX_EXAMPLES: &str = "\
Examples:
  # Show what fixing the sample app changes, as a diff (exit 1 when something would change)
  kubectl harden fix -f examples/hastecrm/insecure --diff

  # Fix the files in place, adding missing PodDisruptionBudgets and default-deny NetworkPolicies
  kubectl harden fix -f k8s/ --in-place --add-missing

  # Write fixed copies elsewhere, with an emptyDir at /tmp for read-only containers
  kubectl harden fix -f k8s/ --output-dir k8s-hardened --tmp-volume

  # Preview the fix of a live Deployment (the API server validates, nothing is persisted)
  kubectl harden fix -n shop deploy/api --dry-run=server

  # Fix every workload of a namespace, and label it for Pod Security admission
  kubectl harden fix -n shop --all --yes

  # Write the live fixes as a kustomize component instead of touching the cluster
  kubectl harden fix -n shop --all --emit-kustomize overlays/prod/harden
";

/// The `--config` file, or the nearest `.harden.yaml`; an empty config when there is none.
fn load_config(explicit: Option<&std::path::Path>) -> anyhow::Result<config::Config> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let found = config::Config::discover(explicit, &cwd).map_err(UsageError)?;
    Ok(found.unwrap_or_default())
}

/// `kubectl harden fix`'s flags.
#[derive(Debug, clap::Args)]
pub struct FixArgs {
    /// Live objects to fix, as TYPE/NAME (deploy/api, sts/db, cronjob/cleanup, ns/shop).
    #[arg(value_name = "TYPE/NAME", conflicts_with = "files")]
    pub objects: Vec<String>,

    /// Fix every workload of the namespace (-n), and the namespace's labels.
    #[arg(long, conflicts_with_all = ["objects", "files"])]
    pub all: bool,

    /// A manifest file or directory (recursive), or `-` for stdin; repeatable. Prints the fixed
    /// manifests unless --in-place, --output-dir or --diff says otherwise.
    #[arg(short = 'f', long = "filename", value_name = "FILE|DIR|-")]
    pub files: Vec<String>,

    /// Rewrite the files (atomically; only files that change are touched).
    #[arg(long = "in-place", requires = "files", conflicts_with_all = ["output_dir", "diff"])]
    pub in_place: bool,

    /// Write the fixed files under DIR, keeping their paths below the -f directory.
    #[arg(
        long = "output-dir",
        value_name = "DIR",
        requires = "files",
        conflicts_with = "diff"
    )]
    pub output_dir: Option<std::path::PathBuf>,

    /// Print a unified diff of each changed file instead; exit 1 when anything would change.
    #[arg(long, requires = "files")]
    pub diff: bool,

    /// Also write a PodDisruptionBudget (maxUnavailable: 1) for each multi-replica workload
    /// without one, and a default-deny NetworkPolicy (DNS egress allowed) per namespace.
    #[arg(long = "add-missing")]
    pub add_missing: bool,

    /// Also change values the author wrote explicitly (`readOnlyRootFilesystem: false`,
    /// `automountServiceAccountToken: true`, `runAsUser: 0`, a `-version: latest` label…). By
    /// default an explicit value is a decision: it is left and listed among the findings that
    /// need a person. Live, such fields usually belong to another field manager
    /// (`kubectl apply`), so this also needs --force-conflicts.
    #[arg(long = "override-explicit")]
    pub override_explicit: bool,

    /// The runAsUser, runAsGroup and fsGroup to set where they are missing or root
    /// (1-2147483647: 0 is root, which runAsNonRoot forbids).
    #[arg(long = "run-as-user", value_name = "ID", default_value_t = 65534, value_parser = run_as_user)]
    pub run_as_user: i64,

    /// Mount an emptyDir at /tmp in containers made read-only.
    #[arg(long = "tmp-volume")]
    pub tmp_volume: bool,

    /// Requests for containers without them.
    #[arg(long, value_name = "cpu=Q,memory=Q", default_value = "cpu=100m,memory=128Mi", value_parser = parse_resources)]
    pub requests: (String, String),

    /// Limits for containers without them (raised to the request where that is higher).
    #[arg(long, value_name = "cpu=Q,memory=Q", default_value = "cpu=1,memory=1Gi", value_parser = parse_resources)]
    pub limits: (String, String),

    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub dry_run: shipshape::apply::DryRunArg,

    #[command(flatten)]
    pub force_conflicts: shipshape::apply::ForceConflictsArg,

    /// Write the live fixes as patches and a kustomize Component (kustomization.yaml) in DIR.
    #[arg(long = "emit-kustomize", value_name = "DIR", conflicts_with = "files")]
    pub emit_kustomize: Option<std::path::PathBuf>,
}

/// `cpu=100m,memory=128Mi` → (cpu, memory).
fn parse_resources(text: &str) -> Result<(String, String), String> {
    let (mut cpu, mut memory) = (None, None);
    for part in text.split(',') {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| format!("`{part}`: expected cpu=QUANTITY,memory=QUANTITY"))?;
        shipshape::quantity::parse(value).map_err(|e| format!("`{value}`: {e}"))?;
        match key.trim() {
            "cpu" => cpu = Some(value.trim().to_owned()),
            "memory" => memory = Some(value.trim().to_owned()),
            other => return Err(format!("unknown resource `{other}`: use cpu and memory")),
        }
    }
    match (cpu, memory) {
        (Some(cpu), Some(memory)) => Ok((cpu, memory)),
        _ => Err("give both: cpu=QUANTITY,memory=QUANTITY".into()),
    }
}

impl FixArgs {
    fn options(&self) -> fix::FixOptions {
        fix::FixOptions {
            user: self.run_as_user,
            tmp_volume: self.tmp_volume,
            cpu_request: self.requests.0.clone(),
            memory_request: self.requests.1.clone(),
            cpu_limit: self.limits.0.clone(),
            memory_limit: self.limits.1.clone(),
            level: self.policy.level,
            version: self.policy.pss_version.unwrap_or(pss::Version::LATEST),
            add_missing: self.add_missing,
            override_explicit: self.override_explicit,
            ..fix::FixOptions::default()
        }
    }

    fn audit_options(&self) -> anyhow::Result<audit::Options> {
        self.policy.options()
    }
}

async fn run_fix(global: &GlobalArgs, args: &FixArgs) -> anyhow::Result<Exit> {
    if args.files.is_empty() {
        let objects = args
            .objects
            .iter()
            .map(|o| live::object_argument(o))
            .collect::<Result<Vec<_>, _>>()
            .map_err(UsageError)?;
        let settings = live::LiveFix {
            objects,
            all: args.all,
            audit: args.audit_options()?,
            fix: args.options(),
            version_given: args.policy.pss_version.is_some(),
            emit_kustomize: args.emit_kustomize.clone(),
            dry_run: args.dry_run.dry_run,
            force_conflicts: args.force_conflicts.force_conflicts,
        };
        return live::fix(global, &settings).await;
    }
    // Files are read in batches (stdin copied to a temporary file): memory for one batch.
    let inputs: Vec<Input> = args.files.iter().map(|f| Input::file_flag(f)).collect();
    let sources = shipshape::manifests::Sources::open(&inputs, &mut std::io::stdin().lock());
    let limits = shipshape::manifests::Limits::default();
    let gathered = streamed_fix::gather(&sources, limits);
    if !gathered.errors.is_empty() {
        return Err(shipshape::manifests::LoadErrors(gathered.errors).into());
    }
    let several = gathered.sources() > 1;
    let roots: Vec<std::path::PathBuf> = args.files.iter().map(std::path::PathBuf::from).collect();
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut printed = 0usize;
    use std::io::Write;
    let mut commit = |origin: &shipshape::manifests::Origin,
                      changed: bool,
                      text: &mut dyn std::io::Read|
     -> anyhow::Result<()> {
        use shipshape::manifests::Origin;
        if args.diff {
            std::io::copy(text, &mut stdout)?;
        } else if args.in_place {
            match origin {
                Origin::File(path) if changed => files::write_from(path, text)?,
                Origin::File(_) => {}
                _ if changed => {
                    std::io::copy(text, &mut stdout)?;
                }
                _ => {}
            }
        } else if let Some(dir) = &args.output_dir {
            match origin {
                Origin::File(path) => {
                    files::write_from(&files::output_path(dir, path, &roots), text)?
                }
                _ => files::write_from(&dir.join("stdin.yaml"), text)?,
            }
        } else {
            if several {
                if printed > 0 {
                    stdout.write_all(b"---\n")?;
                }
                writeln!(stdout, "# Source: {}", files::name_of(origin))?;
            }
            printed += 1;
            // The text, with a final newline (the last line is held back to check it).
            let mut last = 0u8;
            let mut buffer = vec![0u8; 1 << 16];
            loop {
                let n = text.read(&mut buffer)?;
                if n == 0 {
                    break;
                }
                stdout.write_all(&buffer[..n])?;
                last = buffer[n - 1];
            }
            if last != b'\n' {
                stdout.write_all(b"\n")?;
            }
        }
        Ok(())
    };
    let written = if args.diff {
        streamed_fix::Written::Diff
    } else {
        streamed_fix::Written::Text
    };
    let fixed = streamed_fix::fix_into(
        &sources,
        &gathered,
        &args.audit_options()?,
        &args.options(),
        limits,
        written,
        &mut commit,
    )?;
    stdout.flush()?;
    drop(stdout);
    let changed = fixed.changed;
    fixed
        .tally
        .report("fixed", &format!(" across {changed} file(s)"))?;
    let skipped = fixed.skipped;
    if !skipped.is_empty() {
        return Err(shipshape::exit::UsageError(format!(
            "{} file(s) skipped, the others fixed:\n{}",
            skipped.len(),
            skipped
                .iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        ))
        .into());
    }
    Ok(if args.diff && changed > 0 {
        Exit::No
    } else {
        Exit::Success
    })
}

const PSS_EXAMPLES: &str = "\
Examples:
  # Which Pod Security level could each namespace enforce today?
  kubectl harden pss -A

  # What would enforcing baseline reject in one namespace, with every message
  kubectl harden pss -n shop --level baseline -o wide

  # Preview the enforce/audit/warn labels, then set them (refused while violations remain)
  kubectl harden pss -n shop --apply-labels --dry-run=server
  kubectl harden pss -n shop --apply-labels --yes
";

/// `kubectl harden pss`'s flags.
#[derive(Debug, clap::Args)]
pub struct PssArgs {
    /// Every namespace (default: the current namespace).
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,

    /// The level to check against and to label with.
    #[arg(long, value_enum, default_value = "restricted")]
    pub level: pss::Level,

    /// The policy version: `v1.N`, or `latest`, which labels with the API server's version.
    #[arg(long = "pss-version", default_value = "latest")]
    pub pss_version: String,

    /// Set pod-security.kubernetes.io/enforce, audit and warn (and their -version labels) on
    /// each namespace; asks first unless --yes. Namespaces whose workloads the level would reject
    /// are refused unless --force.
    #[arg(long = "apply-labels")]
    pub apply_labels: bool,

    /// Label namespaces even though enforcing the level would reject some of their workloads.
    #[arg(long, requires = "apply_labels")]
    pub force: bool,

    #[command(flatten)]
    pub dry_run: shipshape::apply::DryRunArg,

    #[command(flatten)]
    pub force_conflicts: shipshape::apply::ForceConflictsArg,

    #[command(flatten)]
    pub output: OutputArg,
}

async fn run_pss(global: &GlobalArgs, args: &PssArgs) -> anyhow::Result<Exit> {
    let version: pss::Version = args.pss_version.parse().map_err(UsageError)?;
    let kube = shipshape::Kube::connect(&global.kube, PLUGIN).await?;
    let scope = live::Scope {
        namespace: (!args.all_namespaces).then(|| kube.namespace.clone()),
        selector: None,
    };
    let manifests = live::collect(&kube, &scope).await?;
    let report = namespaces::assess(&manifests, args.level, version);
    shipshape::output::print(&shipshape::output::render(&report, args.output.output)?)?;
    if !args.apply_labels {
        return Ok(Exit::Success);
    }
    // `latest` would float with every upgrade: pin the server's own version instead.
    let pinned = if args.pss_version == "latest" {
        live::server_version(&kube).await?
    } else {
        version.to_string()
    };
    let (blocked, ready): (Vec<_>, Vec<_>) = report
        .namespaces
        .iter()
        .filter(|n| !n.name.starts_with("kube-"))
        .partition(|n| !n.violations.is_empty() && !args.force);
    if !blocked.is_empty() {
        let names: Vec<&str> = blocked.iter().map(|n| n.name.as_str()).collect();
        eprintln!(
            "error: not labelling {}: enforcing {} would reject workloads listed above (fix them with `kubectl harden fix`, or pass --force)",
            names.join(", "),
            args.level
        );
        return Ok(Exit::No);
    }
    let level = args.level.to_string();
    let bodies: Vec<serde_json::Value> = ready
        .iter()
        .map(|n| {
            let mut labels = serde_json::Map::new();
            for mode in ["enforce", "audit", "warn"] {
                labels.insert(format!("pod-security.kubernetes.io/{mode}"), level.clone().into());
                labels.insert(format!("pod-security.kubernetes.io/{mode}-version"), pinned.clone().into());
            }
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n.name, "labels": labels}})
        })
        .collect();
    let action = format!("label {} namespace(s) {level}:{pinned}", bodies.len());
    let applied = shipshape::apply::preview_then_apply(
        &kube,
        PLUGIN,
        &bodies,
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
        eprintln!("{} labeled", applied.id.to_lowercase());
    }
    Ok(Exit::Success)
}

/// `--run-as-user`: a non-root Linux ID the API server accepts (`IsValidUserID`: at most
/// 2147483647), since fix also sets runAsNonRoot.
fn run_as_user(text: &str) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(0) => Err(
            "0 is root, and fix sets runAsNonRoot: true: give a non-root ID such as 65534".into(),
        ),
        Ok(id) if (1..=2_147_483_647).contains(&id) => Ok(id),
        _ => Err(format!(
            "`{text}` is not a user ID: give a number from 1 to 2147483647, such as 65534"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn audit(args: &[&str]) -> AuditArgs {
        let cli =
            Cli::try_parse_from(["kubectl-harden", "audit"].iter().chain(args)).expect("parses");
        match cli.command {
            Command::Audit(args) => args,
            other => panic!("not audit: {other:?}"),
        }
    }

    #[test]
    fn disable_turns_checks_off_and_refuses_unknown_ids() {
        let args = audit(&[
            "--disable",
            "image-untagged,image-mutable-tag",
            "--disable=pdb-missing",
        ]);
        let options = args.policy.options().expect("options");
        assert_eq!(
            options.config.disable,
            ["image-untagged", "image-mutable-tag", "pdb-missing"]
        );
        let err = audit(&["--disable", "image-untaged"])
            .policy
            .options()
            .unwrap_err();
        assert!(
            err.to_string().contains("unknown check `image-untaged`"),
            "{err}"
        );
        assert_eq!(shipshape::exit::exit_for(&err), Exit::Usage);
    }

    #[test]
    fn disable_completes_check_ids_from_the_catalogue() {
        let args: Vec<String> = ["fix", "--disable", "image-untagged,image-m"]
            .map(String::from)
            .to_vec();
        let plan = shipshape::complete::complete(&Cli::command(), &args, complete_values);
        let values: Vec<&str> = plan.candidates.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(values, ["image-untagged,image-mutable-tag"]);
        let args = vec!["audit".to_owned(), "--disable".to_owned(), String::new()];
        let plan = shipshape::complete::complete(&Cli::command(), &args, complete_values);
        assert_eq!(plan.candidates.len(), checks::CATALOGUE.len());
    }
}
