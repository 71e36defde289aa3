//! kubectl's global flags, shared by every plugin through `#[command(flatten)]`.
//!
//! kubectl hands a plugin its arguments untouched, so a plugin has to parse `--context`,
//! `-n` and friends itself, with kubectl's meaning. [`GlobalArgs`] is flattened into each plugin's
//! top-level command with `global = true`, so the flags work after any subcommand, as in
//! `kubectl harden audit -n hastecrm-production`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Args};

/// The connection flags of kubectl (`genericclioptions.ConfigFlags`).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Cluster connection (kubectl's global flags)")]
pub struct KubeFlags {
    /// Path to the kubeconfig file to use, alone (KUBECONFIG is then ignored).
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// The name of the kubeconfig context to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// The name of the kubeconfig cluster to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub cluster: Option<String>,

    /// The name of the kubeconfig user to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,

    /// The namespace scope for this request (default: the context's namespace, then `default`).
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE", value_parser = crate::names::namespace)]
    pub namespace: Option<String>,

    /// Username to impersonate for the operation.
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,

    /// Group to impersonate for the operation; repeat it to specify several groups.
    #[arg(long = "as-group", global = true, value_name = "GROUP", action = ArgAction::Append)]
    pub as_group: Vec<String>,

    /// UID to impersonate for the operation.
    #[arg(long = "as-uid", global = true, value_name = "UID")]
    pub as_uid: Option<String>,

    /// How long to wait for a single server request before giving up (`0` = no timeout), e.g. `5s`, `1m`.
    #[arg(long, global = true, value_name = "DURATION", value_parser = crate::duration::parse)]
    pub request_timeout: Option<Duration>,

    /// The address and port of the Kubernetes API server.
    #[arg(short = 's', long, global = true, value_name = "URL")]
    pub server: Option<String>,

    /// Bearer token for authentication to the API server.
    #[arg(long, global = true, value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// Path to a PEM file of certificate authorities that sign the server's certificate.
    #[arg(long, global = true, value_name = "PATH")]
    pub certificate_authority: Option<PathBuf>,

    /// Path to a client certificate file for TLS.
    #[arg(long, global = true, value_name = "PATH")]
    pub client_certificate: Option<PathBuf>,

    /// Path to a client key file for TLS.
    #[arg(long, global = true, value_name = "PATH")]
    pub client_key: Option<PathBuf>,

    /// Server name to use for certificate validation (default: the server URL's host).
    #[arg(long, global = true, value_name = "NAME")]
    pub tls_server_name: Option<String>,

    /// Do not check the server certificate's validity: this makes HTTPS connections insecure.
    #[arg(
        long,
        global = true,
        num_args = 0..=1,
        default_missing_value = "true",
        value_name = "BOOL",
        require_equals = true
    )]
    pub insecure_skip_tls_verify: Option<bool>,
}

/// Everything global: connection flags, verbosity and `--yes`.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    #[command(flatten)]
    pub kube: KubeFlags,

    /// Log what happens on stderr: `-v` for progress and API calls, `-vv` for debug detail.
    #[arg(short = 'v', long = "verbose", global = true, action = ArgAction::Count, help_heading = "Global options")]
    pub verbose: u8,

    /// Answer yes to every confirmation prompt (needed for destructive steps when stdin is not a terminal).
    #[arg(short = 'y', long, global = true, help_heading = "Global options")]
    pub yes: bool,
}

/// `-o/--output`, for commands that print a report.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct OutputArg {
    /// Output format: `table` for people, `wide` for more columns, `json`/`yaml` for scripts.
    #[arg(
        short = 'o',
        long = "output",
        value_enum,
        default_value_t,
        value_name = "FORMAT"
    )]
    pub output: crate::output::OutputFormat,
}

/// `--contexts a,b` / `--all-contexts`: run against several clusters at once.
#[derive(Debug, Clone, Default, Args)]
pub struct ContextArgs {
    /// Run against these kubeconfig contexts (clusters) concurrently, with a cluster column;
    /// comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "CONTEXT,…",
        conflicts_with = "all_contexts"
    )]
    pub contexts: Vec<String>,

    /// Run against every context of the kubeconfig concurrently.
    #[arg(long = "all-contexts")]
    pub all_contexts: bool,
}

impl ContextArgs {
    /// Whether several clusters were asked for.
    pub fn any(&self) -> bool {
        !self.contexts.is_empty() || self.all_contexts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    #[command(name = "kubectl test")]
    struct Cli {
        #[command(flatten)]
        global: GlobalArgs,
        #[command(subcommand)]
        command: Sub,
    }

    #[derive(clap::Subcommand, Debug)]
    enum Sub {
        Run(OutputArg),
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "kubectl-test",
            "run",
            "-n",
            "prod",
            "--context=staging",
            "--as",
            "jane",
            "--as-group",
            "dev",
            "--as-group=ops",
            "--request-timeout",
            "5s",
            "--insecure-skip-tls-verify",
            "-vv",
            "--yes",
            "-o",
            "json",
        ])
        .expect("parses");
        let kube = &cli.global.kube;
        assert_eq!(kube.namespace.as_deref(), Some("prod"));
        assert_eq!(kube.context.as_deref(), Some("staging"));
        assert_eq!(kube.as_user.as_deref(), Some("jane"));
        assert_eq!(kube.as_group, ["dev", "ops"]);
        assert_eq!(kube.request_timeout, Some(Duration::from_secs(5)));
        assert_eq!(kube.insecure_skip_tls_verify, Some(true));
        assert_eq!(cli.global.verbose, 2);
        assert!(cli.global.yes);
        let Sub::Run(out) = cli.command;
        assert_eq!(out.output, crate::output::OutputFormat::Json);
    }

    #[test]
    fn insecure_flag_takes_an_explicit_false_like_kubectl() {
        let cli =
            Cli::try_parse_from(["k", "run", "--insecure-skip-tls-verify=false"]).expect("parses");
        assert_eq!(cli.global.kube.insecure_skip_tls_verify, Some(false));
    }

    #[test]
    fn a_bad_timeout_is_a_usage_error_naming_the_flag() {
        let err = Cli::try_parse_from(["k", "run", "--request-timeout", "soon"]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("--request-timeout"), "{text}");
        assert!(text.contains("soon"), "{text}");
    }
}
