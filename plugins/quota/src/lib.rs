//! `kubectl quota`: quota usage, admission previews and right-sized requests for Kubernetes namespaces.
//!
//! The logic lives here; `main.rs` only hands [`run`] to [`shipshape::exit::main`].

use clap::{Parser, Subcommand};
use shipshape::exit::{Exit, HasGlobalArgs};
use shipshape::version::VersionArgs;
use shipshape::{GlobalArgs, Plugin};

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "quota",
    version: env!("CARGO_PKG_VERSION"),
};

const EXAMPLES: &str = "\
Examples:
  # Show the plugin's version, and the cluster's for the current context
  kubectl quota version

  # The same against another context, as JSON for a script
  kubectl quota version --context staging -o json
";

/// Quota usage, admission previews and right-sized requests for Kubernetes namespaces.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl quota",
    bin_name = "kubectl quota",
    version,
    about = "Quota usage, admission previews and right-sized requests for Kubernetes namespaces.",
    long_about = "Quota usage, admission previews and right-sized requests for Kubernetes namespaces.\n\nThe capacity step of the playbook: ResourceQuotas and LimitRanges on namespaces, and requests and limits that fit them, sized from what workloads really use.",
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
