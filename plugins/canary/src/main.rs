//! The `kubectl-canary` binary: parsing, runtime and exit codes come from `shipshape::process::main`.

fn main() -> std::process::ExitCode {
    shipshape::process::main(kubectl_canary::PLUGIN, kubectl_canary::run)
}
