//! `kubectl_complete-quota`: completes `kubectl quota …` for kubectl (kubectl ≥ 1.26 runs it on
//! `kubectl quota <TAB>`); the protocol and the engine are in `shipshape::complete`. quota has no
//! values of its own beyond the shared ones (namespaces, contexts, enums).

fn main() -> std::process::ExitCode {
    use clap::CommandFactory;
    shipshape::complete::main(
        kubectl_quota::PLUGIN,
        kubectl_quota::Cli::command(),
        shipshape::complete::no_values,
    )
}
