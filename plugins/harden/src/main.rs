//! The `kubectl-harden` binary: parsing, runtime and exit codes come from `shipshape::exit::main`.

fn main() -> std::process::ExitCode {
    shipshape::exit::main(kubectl_harden::PLUGIN, kubectl_harden::run)
}
