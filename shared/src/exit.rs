//! Errors → exit codes and messages, the same in every plugin:
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success |
//! | 1 | the command ran and the answer is no (findings, failed drill, rolled-back canary) |
//! | 2 | usage or input error (bad flags, unreadable or malformed manifests, refused prompt) |
//! | 3 | cluster or API error (no kubeconfig, unreachable, unauthorized, forbidden, timed out) |
//! | 130 | interrupted (Ctrl-C) |

use std::fmt;
use std::future::Future;
use std::process::ExitCode;

use clap::Parser;

use crate::client::{ConfigError, Kube, Plugin};
use crate::flags::GlobalArgs;

/// The process exit status of a plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success.
    Success,
    /// 1: the command ran and the answer is no.
    No,
    /// 2: usage or input error.
    Usage,
    /// 3: cluster or API error.
    Cluster,
    /// 130: interrupted.
    Interrupted,
}

impl Exit {
    /// The numeric exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::No => 1,
            Exit::Usage => 2,
            Exit::Cluster => 3,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// A usage or input error (exit 2) raised by plugin code.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// An object of the name a plugin would create or change exists and is not the plugin's (no
/// ownership labels of this plugin and this run): the plugin refuses to touch it (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotOurs(pub String);

/// The command ran and refuses (exit 1): a second `canary start` while a run is live.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// Whether the plugin already said it was interrupted (and what it did about it).
static INTERRUPT_SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Says on stderr that the command was interrupted, with what it does about it; the plugin
/// `main` then does not print a second bare "interrupted".
pub fn say_interrupted(message: &str) {
    INTERRUPT_SAID.store(true, std::sync::atomic::Ordering::SeqCst);
    eprintln!("interrupted: {message}");
}

/// The user pressed Ctrl-C (exit 130).
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

static SELF_INTERRUPTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Says that the running command handles Ctrl-C itself (to clean up before it exits 130):
/// [`main`] then ends the process only on a second Ctrl-C.
pub fn handle_interrupts() {
    SELF_INTERRUPTING.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Resolves on Ctrl-C, or on the second one once the command handles interrupts itself.
async fn interrupted() {
    let mut seen = 0;
    loop {
        if tokio::signal::ctrl_c().await.is_err() {
            return std::future::pending().await;
        }
        seen += 1;
        // The first one is the command's to announce and handle.
        if !SELF_INTERRUPTING.load(std::sync::atomic::Ordering::SeqCst) || seen >= 2 {
            return;
        }
    }
}

/// One API request, for messages: "list pods in namespace `prod`".
#[derive(Debug, Clone)]
pub struct ApiCall {
    /// The Kubernetes verb: get, list, watch, create, update, patch, delete.
    pub verb: &'static str,
    /// The resource, plural and with its group where it has one: `deployments.apps`.
    pub resource: String,
    /// The namespace, or None for cluster-scoped requests and all-namespace lists.
    pub namespace: Option<String>,
    /// The object name, for requests on one object.
    pub name: Option<String>,
}

impl ApiCall {
    /// A call on a resource: `ApiCall::new("list", "pods")`.
    pub fn new(verb: &'static str, resource: impl Into<String>) -> Self {
        Self {
            verb,
            resource: resource.into(),
            namespace: None,
            name: None,
        }
    }

    /// In a namespace.
    pub fn in_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// On one named object.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

impl fmt::Display for ApiCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.verb, self.resource)?;
        if let Some(name) = &self.name {
            write!(f, " `{name}`")?;
        }
        match &self.namespace {
            Some(ns) => write!(f, " in namespace `{ns}`"),
            None => Ok(()),
        }
    }
}

/// A failed API request, explained. Always exit 3.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cannot reach the API server at {server}{context}: {reason}\nhint: {hint}")]
    Unreachable {
        server: String,
        context: String,
        reason: String,
        hint: &'static str,
    },
    #[error(
        "the API server at {server}{context} rejected the credentials (401 Unauthorized) while trying to {call}\n\
         hint: log in again or refresh the token of this context."
    )]
    Unauthorized {
        server: String,
        context: String,
        call: ApiCall,
    },
    #[error(
        "forbidden: RBAC does not allow {user} to {verb} {resource}{scope}: {message}\n\
         hint: check with `kubectl auth can-i {verb} {resource}{can_i_scope}`, and ask a cluster admin for a Role that grants it."
    )]
    Forbidden {
        user: String,
        verb: &'static str,
        resource: String,
        scope: String,
        can_i_scope: String,
        message: String,
    },
    #[error("timed out waiting for the API server at {server}{context} to {call}")]
    TimedOut {
        server: String,
        context: String,
        call: ApiCall,
    },
    #[error(
        "the API server refused to {call}: {message} (409 Conflict)\n\
         hint: another field manager set those fields (`kubectl-client-side-apply` is `kubectl apply`, \
         `kubectl-edit` and `kubectl-patch` are kubectl edit and patch): change them where that \
         manager's source lives, or re-run with --force-conflicts to take them over."
    )]
    Conflict { call: ApiCall, message: String },
    #[error("the API server refused to {call}: {message} ({code} {reason})")]
    Api {
        call: ApiCall,
        code: u16,
        reason: String,
        message: String,
    },
    #[error("failed to {call}: {source}")]
    Other {
        call: ApiCall,
        #[source]
        source: kube::Error,
    },
}

impl ClusterError {
    /// Whether trying again later may succeed: the server unreachable or slow, throttling, or a
    /// server-side error — not a denial, a conflict or a bad request.
    pub fn is_transient(&self) -> bool {
        match self {
            ClusterError::Unreachable { .. } | ClusterError::TimedOut { .. } => true,
            ClusterError::Api { code, .. } => matches!(code, 429 | 500 | 502 | 503 | 504),
            ClusterError::Unauthorized { .. }
            | ClusterError::Forbidden { .. }
            | ClusterError::Conflict { .. }
            | ClusterError::Other { .. } => false,
        }
    }
}

impl Kube {
    /// Explains a failed request in terms of the call, the server and the context.
    pub fn explain(&self, call: ApiCall, err: kube::Error) -> ClusterError {
        let server = self.server.clone();
        let context = self
            .context
            .as_ref()
            .map(|c| format!(" (context `{c}`)"))
            .unwrap_or_default();
        match err {
            kube::Error::Api(status) => match status.code {
                401 => ClusterError::Unauthorized {
                    server,
                    context,
                    call,
                },
                403 => {
                    let scope = match (&call.namespace, &call.name) {
                        (Some(ns), _) => format!(" in namespace `{ns}`"),
                        (None, _) => " cluster-wide".to_owned(),
                    };
                    let can_i_scope = match &call.namespace {
                        Some(ns) => format!(" -n {ns}"),
                        None => " --all-namespaces".to_owned(),
                    };
                    ClusterError::Forbidden {
                        user: self.context.as_ref().map_or_else(
                            || "the current user".to_owned(),
                            |c| format!("the user of context `{c}`"),
                        ),
                        verb: call.verb,
                        resource: call.resource,
                        scope,
                        can_i_scope,
                        message: status.message,
                    }
                }
                // Server-side apply's field-ownership conflict (not a resourceVersion one).
                409 if status.message.starts_with("Apply failed with") => ClusterError::Conflict {
                    call,
                    message: status.message,
                },
                504 => ClusterError::TimedOut {
                    server,
                    context,
                    call,
                },
                code => ClusterError::Api {
                    call,
                    code,
                    reason: status.reason,
                    message: status.message,
                },
            },
            other => match transport_failure(&other) {
                Some(Transport::TimedOut) => ClusterError::TimedOut {
                    server,
                    context,
                    call,
                },
                Some(Transport::Unreachable(reason)) => {
                    let hint = if reason.contains("certificate") {
                        "the server's certificate is not trusted: check the kubeconfig's certificate-authority, \
                         or pass --certificate-authority (--insecure-skip-tls-verify only for testing)."
                    } else {
                        "is the cluster running, and is the kubeconfig context current? Try `kubectl cluster-info`."
                    };
                    ClusterError::Unreachable {
                        server,
                        context,
                        reason,
                        hint,
                    }
                }
                None => ClusterError::Other {
                    call,
                    source: other,
                },
            },
        }
    }
}

enum Transport {
    TimedOut,
    Unreachable(String),
}

/// Finds the network failure under a kube error: refused, reset, DNS, TLS or a timeout.
fn transport_failure(err: &kube::Error) -> Option<Transport> {
    if !matches!(err, kube::Error::HyperError(_) | kube::Error::Service(_)) {
        return None;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut deepest = err.to_string();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            return Some(match io.kind() {
                TimedOut => Transport::TimedOut,
                ConnectionRefused => Transport::Unreachable("connection refused".into()),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
                    Transport::Unreachable("the connection was closed by the server".into())
                }
                _ => Transport::Unreachable(io.to_string()),
            });
        }
        if e.to_string().to_ascii_lowercase().contains("timed out")
            || e.to_string().to_ascii_lowercase().contains("elapsed")
        {
            return Some(Transport::TimedOut);
        }
        deepest = e.to_string();
        source = e.source();
    }
    Some(Transport::Unreachable(deepest))
}

/// The exit status an error maps to, found by walking its cause chain.
pub fn exit_for(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if cause.is::<Interrupted>() {
            return Exit::Interrupted;
        }
        if cause.is::<ClusterError>() || cause.is::<ConfigError>() || cause.is::<kube::Error>() {
            return Exit::Cluster;
        }
        if let Some(query) = cause.downcast_ref::<crate::prometheus::QueryError>() {
            // A query Prometheus cannot parse is the user's to fix; the rest is an API error.
            return match query {
                crate::prometheus::QueryError::Rejected { error_type, .. }
                    if error_type == "bad_data" =>
                {
                    Exit::Usage
                }
                _ => Exit::Cluster,
            };
        }
        if cause.is::<UsageError>()
            || cause.is::<crate::manifests::LoadErrors>()
            || cause.is::<crate::confirm::Refused>()
            || cause.is::<clap::Error>()
        {
            return Exit::Usage;
        }
        if cause.is::<NotOurs>() || cause.is::<Refused>() {
            return Exit::No;
        }
        if let Some(wait) = cause.downcast_ref::<crate::wait::WaitError>() {
            return match wait {
                crate::wait::WaitError::Interrupted { .. } => Exit::Interrupted,
                crate::wait::WaitError::TimedOut { .. } => Exit::No,
            };
        }
    }
    Exit::Usage
}

/// Whether an error is only a closed stdout (`kubectl harden audit | head`): that is success.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Renders an error with its cause chain, cargo style: `error: …` then `caused by: …` lines.
pub fn render_error(err: &anyhow::Error) -> String {
    let mut text = format!("error: {err}");
    let mut previous = err.to_string();
    for cause in err.chain().skip(1) {
        let line = cause.to_string();
        // thiserror messages often embed their source; don't say the same thing twice.
        if previous.contains(&line) {
            continue;
        }
        text.push_str(&format!("\ncaused by: {line}"));
        previous = line;
    }
    text
}

/// Access to the global flags of a plugin's top-level command.
pub trait HasGlobalArgs {
    /// The flattened global flags.
    fn global(&self) -> &GlobalArgs;
}

/// The whole life of a plugin process: `--generate` ([`crate::generate`]), parse, set up logging, run on tokio with Ctrl-C handling,
/// print errors with their causes, and map everything to the exit code table above.
pub fn main<C, F, Fut>(plugin: Plugin, run: F) -> ExitCode
where
    C: Parser + HasGlobalArgs,
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = anyhow::Result<Exit>>,
{
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(exit) = crate::generate::from_args(&args, C::command, plugin) {
        return exit.into();
    }
    let cli = match C::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
            // Printing help to a closed pipe is not worth a panic or an error.
            let _ = err.print();
            return code.into();
        }
    };
    init_logging(plugin, cli.global().verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return Exit::Cluster.into();
        }
    };
    let result = runtime.block_on(async {
        tokio::select! {
            result = run(cli) => result,
            _ = interrupted() => Err(Interrupted.into()),
        }
    });
    // Don't wait for lingering connection tasks.
    runtime.shutdown_background();
    match result {
        Ok(exit) => exit.into(),
        Err(err) if is_broken_pipe(&err) => Exit::Success.into(),
        Err(err) => {
            let exit = exit_for(&err);
            if exit == Exit::Interrupted {
                if !INTERRUPT_SAID.load(std::sync::atomic::Ordering::SeqCst) {
                    eprintln!("interrupted");
                }
            } else {
                eprintln!("{}", render_error(&err));
            }
            exit.into()
        }
    }
}

fn init_logging(plugin: Plugin, verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("SHIPSHAPE_LOG").unwrap_or_else(|_| {
            let crate_name = format!("kubectl_{}", plugin.name);
            // kube logs transport failures at ERROR; the error message says it better, once.
            let deps = match verbose {
                0 => "off",
                1 | 2 => "warn",
                _ => level,
            };
            tracing_subscriber::EnvFilter::new(format!(
                "{deps},shipshape={level},{crate_name}={level}"
            ))
        });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(crate::output::color_enabled(&std::io::stderr()))
        .with_target(verbose >= 2)
        .without_time()
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kube() -> Kube {
        let config = kube::Config::new("http://127.0.0.1:1".parse().expect("uri"));
        Kube {
            client: kube::Client::try_from(config).expect("client"),
            context: Some("prod".into()),
            server: "http://127.0.0.1:1".into(),
            namespace: "default".into(),
            namespace_from_flag: false,
        }
    }

    fn status(code: u16, reason: &str, message: &str) -> kube::Error {
        kube::Error::Api(
            kube::core::Status::failure(message, reason)
                .with_code(code)
                .boxed(),
        )
    }

    #[tokio::test]
    async fn forbidden_names_verb_resource_and_namespace() {
        let err = kube().explain(
            ApiCall::new("list", "deployments.apps").in_namespace("hastecrm-production"),
            status(
                403,
                "Forbidden",
                "deployments.apps is forbidden: User \"jane\" cannot list resource \"deployments\"",
            ),
        );
        let text = err.to_string();
        assert!(
            text.contains("to list deployments.apps in namespace `hastecrm-production`"),
            "{text}"
        );
        assert!(
            text.contains("kubectl auth can-i list deployments.apps -n hastecrm-production"),
            "{text}"
        );
        assert!(text.contains("context `prod`"), "{text}");
        assert_eq!(exit_for(&err.into()), Exit::Cluster);
    }

    #[tokio::test]
    async fn unauthorized_says_the_credentials_were_rejected() {
        let err = kube().explain(
            ApiCall::new("get", "version"),
            status(401, "Unauthorized", "Unauthorized"),
        );
        assert!(
            err.to_string().contains("rejected the credentials"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn refused_connection_names_server_and_context() {
        let kube = kube();
        let err = kube.client.apiserver_version().await.unwrap_err();
        let err = kube.explain(ApiCall::new("get", "/version"), err);
        let text = err.to_string();
        assert!(
            text.contains("cannot reach the API server at http://127.0.0.1:1 (context `prod`)"),
            "{text}"
        );
        assert!(text.contains("connection refused"), "{text}");
    }

    #[test]
    fn exit_codes_follow_the_table() {
        assert_eq!(Exit::Success.code(), 0);
        assert_eq!(Exit::No.code(), 1);
        assert_eq!(exit_for(&UsageError("bad".into()).into()), Exit::Usage);
        assert_eq!(exit_for(&Interrupted.into()), Exit::Interrupted);
        assert_eq!(
            exit_for(
                &anyhow::Error::from(ConfigError::KubeconfigMissing("/x".into()))
                    .context("loading")
            ),
            Exit::Cluster
        );
        assert_eq!(Exit::Interrupted.code(), 130);
    }

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let err = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing");
        assert!(is_broken_pipe(&err));
    }

    #[test]
    fn rendered_errors_carry_their_causes_once() {
        let err = anyhow::anyhow!("disk on fire").context("cannot load `a.yaml`");
        assert_eq!(
            render_error(&err),
            "error: cannot load `a.yaml`\ncaused by: disk on fire"
        );
    }
}
