//! `kubectl canary`: canary releases with metric analysis and automatic rollback, without an in-cluster controller.
//!
//! The table of contents: the command line ([`cli`]) and its settings ([`settings`]), one
//! module per subcommand's I/O ([`commands`]), the release in the cluster ([`release`], [`detach`]) and
//! the pure core ([`machine`], [`analysis`], [`checklist`], [`webhooks`]). `main.rs` only hands
//! [`run`] to [`shipshape::plugin_main!`].

pub mod analysis;
pub mod checklist;
pub mod cli;
pub mod commands;
pub mod detach;
pub mod machine;
pub mod release;
pub mod settings;
pub mod webhooks;

pub use cli::{Cli, Command, complete_values};
use shipshape::Plugin;
use shipshape::exit::Exit;

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "canary",
    version: env!("CARGO_PKG_VERSION"),
};

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<Exit> {
    let global = &cli.global;
    match &cli.command {
        Command::Version(args) => shipshape::version::run(PLUGIN, global, args).await,
        Command::Start(args) => commands::start::run(global, args).await,
        Command::Status(args) => commands::status::run(global, args).await,
        Command::Resume(args) => commands::resume::run(global, args).await,
        Command::Abort(args) => commands::control::abort(global, args).await,
        Command::Promote(args) => commands::control::promote(global, args).await,
        Command::History(args) => commands::history::run(global, args).await,
        Command::Migrate(args) => commands::migrate::run(global, args).await,
        Command::Preflight(args) => commands::preflight::run(global, args).await,
        Command::Verify(args) => commands::verify::run(global, args).await,
        Command::Rollback(args) => commands::rollback::run(global, args).await,
    }
}
