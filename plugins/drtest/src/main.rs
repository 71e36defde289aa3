//! The `kubectl-drtest` binary: allocator, parsing, runtime and exit codes come from
//! `shipshape::plugin_main!`.

shipshape::plugin_main!(kubectl_drtest::PLUGIN, kubectl_drtest::run);
