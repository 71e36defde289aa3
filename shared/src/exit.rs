//! Errors → exit codes and messages, the same in every plugin:
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success |
//! | 1 | the command ran and the answer is no (findings, failed drill, rolled-back canary) |
//! | 2 | usage or input error (bad flags, unreadable or malformed manifests, refused prompt) |
//! | 3 | cluster or API error (no kubeconfig, unreachable, unauthorized, forbidden, timed out) |
//! | 130 | interrupted (Ctrl-C) |

use std::process::ExitCode;

use crate::client::{ClusterError, ConfigError};

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

/// The user pressed Ctrl-C (exit 130).
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{ApiCall, Kube};

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
