//! The `kubectl-harden` binary: parsing, runtime and exit codes come from `shipshape::process::main`.

fn main() -> std::process::ExitCode {
    shipshape::process::main(kubectl_harden::PLUGIN, kubectl_harden::run)
}
