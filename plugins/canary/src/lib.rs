//! `kubectl canary`: canary releases with metric analysis and automatic rollback, without an in-cluster controller.
//!
//! The logic lives here; `main.rs` only hands [`run`] to [`shipshape::exit::main`].

use clap::{Parser, Subcommand};
use shipshape::exit::{Exit, HasGlobalArgs};
use shipshape::version::VersionArgs;
use shipshape::{GlobalArgs, Plugin};

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "canary",
    version: env!("CARGO_PKG_VERSION"),
};

const EXAMPLES: &str = "\
Examples:
  # Show the plugin's version, and the cluster's for the current context
  kubectl canary version

  # The same against another context, as JSON for a script
  kubectl canary version --context staging -o json
";

/// Canary releases with metric analysis and automatic rollback, without an in-cluster controller.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl canary",
    bin_name = "kubectl canary",
    version,
    about = "Canary releases with metric analysis and automatic rollback, without an in-cluster controller.",
    long_about = "Canary releases with metric analysis and automatic rollback, without an in-cluster controller.\n\nThe deploy step of the playbook: preflight checklist, migration job, canary release watched on error rate and latency, promote or roll back, post-deployment verification.",
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
