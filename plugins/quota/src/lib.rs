//! `kubectl quota`: quota usage, admission previews and right-sized requests for Kubernetes namespaces.
//!
//! The table of contents: the command line ([`cli`]) and its settings ([`settings`]), one
//! module per subcommand's I/O ([`commands`]), and the pure core (`check`, `generate`,
//! `recommend`, `status`). `main.rs` only hands [`run`] to [`shipshape::plugin_main!`].

pub mod check;
pub mod cli;
pub mod commands;
pub mod generate;
pub mod recommend;
pub mod settings;
pub mod status;

pub use cli::{Cli, Command};
use shipshape::Plugin;
use shipshape::exit::Exit;

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "quota",
    version: env!("CARGO_PKG_VERSION"),
};

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Version(args) => shipshape::version::run(PLUGIN, &cli.global, args).await,
        Command::Status(args) => commands::status::run(&cli.global, args).await,
        Command::Check(args) => commands::check::run(&cli.global, args).await,
        Command::Generate(args) => commands::generate::run(&cli.global, args).await,
        Command::Recommend(args) => commands::recommend::run(&cli.global, args).await,
    }
}
