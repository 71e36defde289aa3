//! The `kubectl-canary` binary: parsing, runtime and exit codes come from `shipshape::exit::main`.

fn main() -> std::process::ExitCode {
    shipshape::exit::main(kubectl_canary::PLUGIN, kubectl_canary::run)
}
