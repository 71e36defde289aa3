//! `kubectl drtest`: disaster-recovery drills from Velero backups, in a sandbox, with smoke tests and RTO/RPO.
//!
//! The logic lives here; `main.rs` only hands [`run`] to [`shipshape::exit::main`].

use clap::{Parser, Subcommand};
use shipshape::exit::{Exit, HasGlobalArgs};
use shipshape::version::VersionArgs;
use shipshape::{GlobalArgs, Plugin};

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "drtest",
    version: env!("CARGO_PKG_VERSION"),
};

const EXAMPLES: &str = "\
Examples:
  # Show the plugin's version, and the cluster's for the current context
  kubectl drtest version

  # The same against another context, as JSON for a script
  kubectl drtest version --context staging -o json
";

/// Disaster-recovery drills from Velero backups, in a sandbox, with smoke tests and RTO/RPO.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl drtest",
    bin_name = "kubectl drtest",
    version,
    about = "Disaster-recovery drills from Velero backups, in a sandbox, with smoke tests and RTO/RPO.",
    long_about = "Disaster-recovery drills from Velero backups, in a sandbox, with smoke tests and RTO/RPO.\n\nThe recover step of the playbook: restore the latest backup into sandbox namespaces, wait for it to become ready, run smoke tests, measure RTO and RPO, and always clean up.",
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
