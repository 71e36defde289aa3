//! The `kubectl-quota` binary: parsing, runtime and exit codes come from `shipshape::exit::main`.

fn main() -> std::process::ExitCode {
    shipshape::exit::main(kubectl_quota::PLUGIN, kubectl_quota::run)
}
