//! The `kubectl-drtest` binary: parsing, runtime and exit codes come from `shipshape::exit::main`.

fn main() -> std::process::ExitCode {
    shipshape::exit::main(kubectl_drtest::PLUGIN, kubectl_drtest::run)
}
