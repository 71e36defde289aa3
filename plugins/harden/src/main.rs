//! The `kubectl-harden` binary: allocator, parsing, runtime and exit codes come from
//! `shipshape::plugin_main!`.

shipshape::plugin_main!(kubectl_harden::PLUGIN, kubectl_harden::run);
