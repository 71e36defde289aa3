#!/bin/sh
# Regenerates the committed completion scripts from the plugins' clap definitions, with each
# plugin's hidden `--generate` flag. Run it after changing any plugin's flags or subcommands, and
# commit the result: `cargo test -p e2e --test completion` fails while these files are stale.
set -eu
cd "$(dirname "$0")/.."
plugins="harden quota canary drtest"
packages=""
for plugin in $plugins; do packages="$packages -p kubectl-$plugin"; done
# shellcheck disable=SC2086 # one word per package flag
cargo build --quiet --bins $packages
target="${CARGO_TARGET_DIR:-target}/debug"
for plugin in $plugins; do
    bin="$target/kubectl-$plugin"
    "$bin" --generate complete-bash >"completions/kubectl-$plugin.bash"
    "$bin" --generate complete-zsh >"completions/_kubectl-$plugin"
    "$bin" --generate complete-fish >"completions/kubectl-$plugin.fish"
    "$bin" --generate complete-powershell >"completions/_kubectl-$plugin.ps1"
done
echo "completions/: regenerated for $plugins"
