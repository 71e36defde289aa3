//! `kubectl harden`: audit Kubernetes workloads against the Pod Security Standards and production practice.
//!
//! The logic lives here; `main.rs` only hands [`run`] to [`shipshape::plugin_main!`].

pub mod audit;
pub mod checks;
pub mod ci_formats;
pub mod cli;
pub mod commands;
pub mod config;
pub mod files;
pub mod fix;
pub mod image;
pub mod live;
pub mod locate;
pub mod namespaces;
pub mod pss;
pub mod render;
pub mod settings;
pub mod sink;
pub mod streamed;
pub mod streamed_fix;

pub use cli::{Cli, Command, complete_values};
use shipshape::Plugin;
use shipshape::exit::Exit;

/// This plugin, for the user agent, the field manager and messages.
pub const PLUGIN: Plugin = Plugin {
    name: "harden",
    version: env!("CARGO_PKG_VERSION"),
};

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Version(args) => shipshape::version::run(PLUGIN, &cli.global, args).await,
        Command::Checks(output) => {
            let catalogue = render::Catalogue::new();
            shipshape::output::print(&shipshape::output::render(&catalogue, output.output)?)?;
            Ok(Exit::Success)
        }
        Command::Audit(args) => commands::audit::run(&cli.global, args).await,
        Command::Fix(args) => commands::fix::run(&cli.global, args).await,
        Command::Pss(args) => commands::pss::run(&cli.global, args).await,
    }
}
