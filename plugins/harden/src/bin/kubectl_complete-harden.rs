//! `kubectl_complete-harden`: completes `kubectl harden …` for kubectl (kubectl ≥ 1.26 runs it on
//! `kubectl harden <TAB>`); the protocol and the engine are in `shipshape::complete`.

fn main() -> std::process::ExitCode {
    use clap::CommandFactory;
    shipshape::complete::main(
        kubectl_harden::PLUGIN,
        kubectl_harden::Cli::command(),
        kubectl_harden::complete_values,
    )
}
