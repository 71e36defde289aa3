//! `kubectl harden`: audit Kubernetes workloads against the Pod Security Standards and production practice.
//!
//! The logic lives here; `main.rs` only hands [`run`] to [`shipshape::exit::main`].

pub mod audit;
pub mod checks;
pub mod image;
pub mod pss;

use clap::{Parser, Subcommand};
use shipshape::exit::{Exit, HasGlobalArgs};
use shipshape::version::VersionArgs;
use shipshape::{GlobalArgs, Plugin};

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "harden",
    version: env!("CARGO_PKG_VERSION"),
};

const EXAMPLES: &str = "\
Examples:
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
    }
}
