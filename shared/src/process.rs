//! The whole life of a plugin process, the same in every plugin: `--generate`, parsing, logging,
//! the tokio runtime, Ctrl-C, and the error printed and mapped to its exit code
//! ([`crate::exit`]).

use std::future::Future;
use std::process::ExitCode;

use clap::Parser;

use crate::client::Plugin;
use crate::exit::{Exit, Interrupted, exit_for, is_broken_pipe, render_error};
use crate::flags::GlobalArgs;

/// Whether the plugin already said it was interrupted (and what it did about it).
static INTERRUPT_SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Says on stderr that the command was interrupted, with what it does about it; the plugin
/// `main` then does not print a second bare "interrupted".
pub fn say_interrupted(message: &str) {
    INTERRUPT_SAID.store(true, std::sync::atomic::Ordering::SeqCst);
    eprintln!("interrupted: {message}");
}

static SELF_INTERRUPTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Says that the running command handles Ctrl-C itself (to clean up before it exits 130):
/// [`main`] then ends the process only on a second Ctrl-C.
pub fn handle_interrupts() {
    SELF_INTERRUPTING.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Resolves on Ctrl-C, or on the second one once the command handles interrupts itself.
async fn interrupted() {
    let mut seen = 0;
    loop {
        if tokio::signal::ctrl_c().await.is_err() {
            return std::future::pending().await;
        }
        seen += 1;
        // The first one is the command's to announce and handle.
        if !SELF_INTERRUPTING.load(std::sync::atomic::Ordering::SeqCst) || seen >= 2 {
            return;
        }
    }
}

/// A plugin binary's whole `main.rs`: the allocator, then [`main`] with the plugin's `run`.
/// mimalloc, because a large audit allocates and frees millions of small values (parsed YAML,
/// findings) and the system allocator spent a quarter of the run in malloc and free.
#[macro_export]
macro_rules! plugin_main {
    ($plugin:path, $run:path) => {
        #[global_allocator]
        static ALLOCATOR: $crate::process::Allocator = $crate::process::Allocator;

        fn main() -> std::process::ExitCode {
            $crate::process::main($plugin, $run)
        }
    };
}

/// A plugin's top-level `Cli`: the clap command `kubectl <name>` with the global flags and the
/// plugin's subcommands, the same settings in every plugin, and its [`HasGlobalArgs`].
///
/// ```ignore
/// shipshape::plugin_cli! {
///     name: "quota",
///     about: "Quota usage, admission previews and right-sized requests for Kubernetes namespaces.",
///     long_about: "The capacity step of the playbook: …",
///     examples: EXAMPLES,
///     command: Command,
/// }
/// ```
// rustfmt re-indents the attribute inside the macro on every run: keep it as written.
#[rustfmt::skip]
#[macro_export]
macro_rules! plugin_cli {
    (
        name: $name:literal,
        about: $about:literal,
        long_about: $long_about:literal,
        examples: $examples:expr,
        command: $command:ty $(,)?
    ) => {
        #[doc = $about]
        #[derive(Debug, clap::Parser)]
        #[command(
            name = concat!("kubectl ", $name),
            bin_name = concat!("kubectl ", $name),
            version,
            about = $about,
            long_about = concat!($about, "\n\n", $long_about),
            after_help = $examples,
            max_term_width = 100,
            propagate_version = true,
            subcommand_required = true,
            arg_required_else_help = true
        )]
        pub struct Cli {
            #[command(flatten)]
            pub global: $crate::GlobalArgs,

            #[command(subcommand)]
            pub command: $command,
        }

        impl $crate::process::HasGlobalArgs for Cli {
            fn global(&self) -> &$crate::GlobalArgs {
                &self.global
            }
        }
    };
}

/// The plugins' allocator (see [`plugin_main!`](crate::plugin_main)).
pub use mimalloc::MiMalloc as Allocator;

/// Access to the global flags of a plugin's top-level command.
pub trait HasGlobalArgs {
    /// The flattened global flags.
    fn global(&self) -> &GlobalArgs;
}

/// The whole life of a plugin process: `--generate` ([`crate::generate`]), parse, set up logging, run on tokio with Ctrl-C handling,
/// print errors with their causes, and map everything to the exit code table above.
pub fn main<C, F, Fut>(plugin: Plugin, run: F) -> ExitCode
where
    C: Parser + HasGlobalArgs,
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = anyhow::Result<Exit>>,
{
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(exit) = crate::generate::from_args(&args, C::command, plugin) {
        return exit.into();
    }
    let cli = match C::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
            // Printing help to a closed pipe is not worth a panic or an error.
            let _ = err.print();
            return code.into();
        }
    };
    init_logging(plugin, cli.global().verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return Exit::Cluster.into();
        }
    };
    let result = runtime.block_on(async {
        tokio::select! {
            result = run(cli) => result,
            _ = interrupted() => Err(Interrupted.into()),
        }
    });
    // Don't wait for lingering connection tasks.
    runtime.shutdown_background();
    match result {
        Ok(exit) => exit.into(),
        Err(err) if is_broken_pipe(&err) => Exit::Success.into(),
        Err(err) => {
            let exit = exit_for(&err);
            if exit == Exit::Interrupted {
                if !INTERRUPT_SAID.load(std::sync::atomic::Ordering::SeqCst) {
                    eprintln!("interrupted");
                }
            } else {
                eprintln!("{}", render_error(&err));
            }
            exit.into()
        }
    }
}

fn init_logging(plugin: Plugin, verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("SHIPSHAPE_LOG").unwrap_or_else(|_| {
            let crate_name = format!("kubectl_{}", plugin.name);
            // kube logs transport failures at ERROR; the error message says it better, once.
            let deps = match verbose {
                0 => "off",
                1 | 2 => "warn",
                _ => level,
            };
            tracing_subscriber::EnvFilter::new(format!(
                "{deps},shipshape={level},{crate_name}={level}"
            ))
        });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(crate::output::color_enabled(&std::io::stderr()))
        .with_target(verbose >= 2)
        .without_time()
        .try_init();
}
