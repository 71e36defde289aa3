//! The `kubectl-quota` binary: allocator, parsing, runtime and exit codes come from
//! `shipshape::plugin_main!`.

shipshape::plugin_main!(kubectl_quota::PLUGIN, kubectl_quota::run);
