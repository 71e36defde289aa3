#!/usr/bin/env bash
# The playbook demo: builds the suite, starts simcluster seeded with the insecure sample app,
# puts the plugins on PATH and runs examples/playbook.sh against it. Needs cargo and kubectl.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# SHIPSHAPE_BIN_DIR: use binaries built already (the e2e test of this demo does).
if [ -n "${SHIPSHAPE_BIN_DIR:-}" ]; then
    bin=$SHIPSHAPE_BIN_DIR
else
    echo "building the plugins and simcluster..." >&2
    cargo build --quiet --bins -p kubectl-harden -p kubectl-quota -p kubectl-canary -p kubectl-drtest -p simcluster
    target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
    bin=${target:-$root/target}/debug
fi

work=$(mktemp -d)
# A directory with only the plugins (target/debug also holds kubectl-*.d dep-info files).
mkdir -p "$work/bin"
for plugin in harden quota canary drtest; do
    ln -s "$bin/kubectl-$plugin" "$work/bin/kubectl-$plugin"
done

"$bin/simcluster" serve --kubeconfig "$work/kubeconfig" --speed 10 \
    --seed "$root/examples/hastecrm/insecure" --seed "$root/tests/simcluster/crds/velero" > "$work/simcluster.out" &
simcluster=$!
prometheus=
cleanup() {
    [ -n "$prometheus" ] && { kill "$prometheus" 2>/dev/null || true; wait "$prometheus" 2>/dev/null || true; }
    kill "$simcluster" 2>/dev/null || true
    wait "$simcluster" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
    grep -q '^ready ' "$work/simcluster.out" 2>/dev/null && break
    kill -0 "$simcluster" 2>/dev/null || { echo "simcluster failed to start" >&2; exit 1; }
    sleep 0.1
done
echo "simcluster: $(head -1 "$work/simcluster.out")" >&2

# A real Prometheus scraping simcluster's application metrics, for the canary analysis
# (Debian's `prometheus` package; without it the playbook skips the canary step).
if command -v prometheus >/dev/null 2>&1; then
    server=$(sed -n 's/^ready http:\/\///p' "$work/simcluster.out")
    port=$((20000 + RANDOM % 20000))
    printf 'global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n  - job_name: simcluster\n    metrics_path: /simcluster/metrics\n    static_configs: [{targets: ["%s"]}]\n' \
        "$server" > "$work/prometheus.yml"
    prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
        --web.listen-address="127.0.0.1:$port" > "$work/prometheus.log" 2>&1 &
    prometheus=$!
    export SHIPSHAPE_PROMETHEUS="http://127.0.0.1:$port"
    echo "prometheus: $SHIPSHAPE_PROMETHEUS" >&2
fi

export KUBECONFIG="$work/kubeconfig"
export PATH="$work/bin:$PATH"
# A private discovery cache: every demo cluster is a new server on a new port.
export HOME="$work/home"
mkdir -p "$HOME"
bash "$root/examples/playbook.sh"
