//! The `kubectl-quota` binary: parsing, runtime and exit codes come from `shipshape::process::main`.

fn main() -> std::process::ExitCode {
    shipshape::process::main(kubectl_quota::PLUGIN, kubectl_quota::run)
}
