//! `kubectl <plugin> version`: the client version, and the server's when it is reachable — the
//! client path end to end (flags → kubeconfig → TLS/auth → `GET /version`).

use clap::Args;
use serde::Serialize;

use crate::client::ApiCall;
use crate::client::{Kube, Plugin};
use crate::exit::Exit;
use crate::flags::{GlobalArgs, OutputArg};
use crate::output::{self, Report};

/// The `version` subcommand's examples for `kubectl <name>`, the same in every plugin.
#[macro_export]
macro_rules! version_examples {
    ($name:literal) => {
        concat!(
            "Examples:\n",
            "  # The plugin's version, and the API server's for the current context\n",
            "  kubectl ",
            $name,
            " version\n",
            "\n",
            "  # Only the plugin's version, without contacting the cluster\n",
            "  kubectl ",
            $name,
            " version --client\n",
            "\n",
            "  # Against another context, as JSON for a script\n",
            "  kubectl ",
            $name,
            " version --context staging -o json\n",
        )
    };
}

/// `version`'s own flags.
#[derive(Debug, Clone, Args)]
pub struct VersionArgs {
    /// Print only the client version; do not contact the cluster.
    #[arg(long)]
    pub client: bool,

    #[command(flatten)]
    pub output: OutputArg,
}

/// The `Version` report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionReport {
    /// This plugin.
    pub client_version: ClientVersion,
    /// The kubeconfig context used, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The API server URL, once resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The namespace commands would use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The server's `/version`, when reachable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version: Option<ServerVersion>,
}

/// The plugin's own version.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientVersion {
    /// `kubectl-harden`, …
    pub plugin: String,
    /// `v0.1.0`.
    pub git_version: String,
}

/// What `GET /version` answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerVersion {
    /// `v1.37.0`.
    pub git_version: String,
    /// `linux/amd64`.
    pub platform: String,
}

impl Report for VersionReport {
    const KIND: &'static str = "Version";

    fn human(&self, _wide: bool) -> String {
        let mut text = format!(
            "Client Version: {} {}\n",
            self.client_version.plugin, self.client_version.git_version
        );
        if let Some(server) = &self.server_version {
            text.push_str(&format!(
                "Server Version: {} ({})\n",
                server.git_version, server.platform
            ));
        }
        if let Some(url) = &self.server {
            text.push_str(&format!("Server: {url}\n"));
        }
        if let Some(context) = &self.context {
            text.push_str(&format!("Context: {context}\n"));
        }
        if let Some(namespace) = &self.namespace {
            text.push_str(&format!("Namespace: {namespace}\n"));
        }
        text
    }
}

/// Runs `version`. Prints what it knows even when the cluster fails, then returns the error.
pub async fn run(plugin: Plugin, global: &GlobalArgs, args: &VersionArgs) -> anyhow::Result<Exit> {
    let mut report = VersionReport {
        client_version: ClientVersion {
            plugin: format!("kubectl-{}", plugin.name),
            git_version: format!("v{}", plugin.version),
        },
        context: None,
        server: None,
        namespace: None,
        server_version: None,
    };
    let result = if args.client {
        Ok(())
    } else {
        fetch_server(plugin, global, &mut report).await
    };
    output::print(&output::render(&report, args.output.output)?)?;
    result.map(|()| Exit::Success)
}

async fn fetch_server(
    plugin: Plugin,
    global: &GlobalArgs,
    report: &mut VersionReport,
) -> anyhow::Result<()> {
    let kube = Kube::connect(&global.kube, plugin).await?;
    report.context = kube.context.clone();
    report.server = Some(kube.server.clone());
    report.namespace = Some(kube.namespace.clone());
    let info = kube
        .client
        .apiserver_version()
        .await
        .map_err(|e| kube.explain(ApiCall::new("get", "/version"), e))?;
    report.server_version = Some(ServerVersion {
        git_version: info.git_version,
        platform: info.platform,
    });
    Ok(())
}
