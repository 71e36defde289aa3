//! `kubectl harden`'s command line: clap's definitions only (flags, help, examples, value
//! parsers). [`crate::settings`] turns them into the typed options the commands take.

use clap::Subcommand;
use shipshape::OutputArg;
use shipshape::version::VersionArgs;

use crate::{checks, pss};

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

shipshape::plugin_cli! {
    name: "harden",
    about: "Audit Kubernetes workloads against the Pod Security Standards and production practice.",
    long_about: "The before-deploy step of the playbook: security contexts, requests and limits (init containers too), pinned images, probe settings, PodDisruptionBudgets, NetworkPolicies and namespace Pod Security labels.",
    examples: EXAMPLES,
    command: Command,
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
    #[command(after_help = shipshape::version_examples!("harden"))]
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
    use clap::{CommandFactory, Parser};
    use shipshape::exit::Exit;

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
