//! `kubectl drtest`: disaster-recovery drills from Velero backups, in a sandbox, with smoke tests and RTO/RPO.
//!
//! The table of contents: the command line ([`cli`]) and its settings ([`settings`]), one
//! module per subcommand's I/O ([`commands`]), the drill ([`drill`]) and the pure core
//! (`report`, `results`, `inventory`, `cleanup`, `schedule`). `main.rs` only hands [`run`] to
//! [`shipshape::plugin_main!`].

pub mod cleanup;
pub mod cli;
pub mod commands;
pub mod cron;
pub mod drill;
pub mod history;
pub mod inventory;
pub mod labels;
pub mod report;
pub mod results;
pub mod schedule;
pub mod settings;
pub mod smoke;
pub mod velero;

pub use cli::{Cli, Command, complete_values};
use shipshape::Plugin;
use shipshape::exit::Exit;

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "drtest",
    version: env!("CARGO_PKG_VERSION"),
};

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Version(args) => shipshape::version::run(PLUGIN, &cli.global, args).await,
        Command::Backups(args) => commands::backups::run(&cli.global, args).await,
        Command::Run(args) => commands::run::run(&cli.global, args).await,
        Command::Status(args) => commands::status::run(&cli.global, args).await,
        Command::History(args) => commands::history::run(&cli.global, args).await,
        Command::Cleanup(args) => commands::cleanup::run(&cli.global, args).await,
        Command::Schedule(args) => commands::schedule::run(&cli.global, args).await,
    }
}
