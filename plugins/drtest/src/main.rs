//! The `kubectl-drtest` binary: parsing, runtime and exit codes come from `shipshape::process::main`.

fn main() -> std::process::ExitCode {
    shipshape::process::main(kubectl_drtest::PLUGIN, kubectl_drtest::run)
}
