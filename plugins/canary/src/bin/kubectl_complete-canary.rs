//! `kubectl_complete-canary`: completes `kubectl canary …` for kubectl (kubectl ≥ 1.26 runs it on
//! `kubectl canary <TAB>`); the protocol and the engine are in `shipshape::complete`.

fn main() -> std::process::ExitCode {
    use clap::CommandFactory;
    shipshape::complete::main(
        kubectl_canary::PLUGIN,
        kubectl_canary::Cli::command(),
        kubectl_canary::complete_values,
    )
}
