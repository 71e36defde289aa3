//! The `kubectl-canary` binary: allocator, parsing, runtime and exit codes come from
//! `shipshape::plugin_main!`.

shipshape::plugin_main!(kubectl_canary::PLUGIN, kubectl_canary::run);
