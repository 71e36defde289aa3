//! `kubectl_complete-drtest`: completes `kubectl drtest …` for kubectl (kubectl ≥ 1.26 runs it on
//! `kubectl drtest <TAB>`); the protocol and the engine are in `shipshape::complete`.

fn main() -> std::process::ExitCode {
    use clap::CommandFactory;
    shipshape::complete::main(
        kubectl_drtest::PLUGIN,
        kubectl_drtest::Cli::command(),
        kubectl_drtest::complete_values,
    )
}
