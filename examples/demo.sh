#!/usr/bin/env bash
# The playbook demo: builds the suite, starts simcluster seeded with the insecure sample app,
# puts the plugins on PATH and runs examples/playbook.sh against it. Needs cargo and kubectl.
#
#   examples/demo.sh           # against simcluster (starts in a fraction of a second)
#   examples/demo.sh --real    # against a real v1.37 control plane (tests/realcluster/up.sh: needs
#                              # Go; the first run builds it, about 12 minutes on 2 cores)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
real=
case "${1:-}" in
    --real) real=1 ;;
    "") ;;
    *) echo "usage: examples/demo.sh [--real]" >&2; exit 2 ;;
esac

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

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# await NAME FILE: waits for the `ready <url>` line of the last process started.
await() {
    local pid=$! name="$1" file="$2"
    for _ in $(seq 1 3000); do
        grep -q '^ready ' "$file" 2>/dev/null && { echo "$name: $(head -1 "$file")" >&2; return 0; }
        kill -0 "$pid" 2>/dev/null || { echo "$name failed to start" >&2; cat "$file.err" >&2 2>/dev/null; exit 1; }
        sleep 0.1
    done
    echo "$name did not start" >&2
    exit 1
}

if [ -n "$real" ]; then
    # The real control plane with Velero's CRDs, its kubectl first on PATH, simcluster's
    # simulation of its KWOK pods (they run no processes: metrics for Prometheus, HTTP and logs
    # behind the API server's egress proxy) and simcluster's simulated Velero server as an
    # external controller.
    kube=$("$root/tests/realcluster/up.sh" --build-only)
    ln -s "$kube" "$work/bin/kubectl"
    "$root/tests/realcluster/up.sh" --kubeconfig "$work/kubeconfig" --egress-socket "$work/egress.sock" \
        --seed "$root/examples/hastecrm/insecure" --seed "$root/tests/simcluster/crds/velero" \
        > "$work/cluster.out" 2> "$work/cluster.out.err" &
    pids+=($!)
    await "real control plane" "$work/cluster.out"
    "$kube" --kubeconfig "$work/kubeconfig" wait --for condition=Established --timeout 60s \
        crd/backups.velero.io crd/restores.velero.io crd/backupstoragelocations.velero.io \
        crd/downloadrequests.velero.io crd/schedules.velero.io > /dev/null
    "$bin/simcluster" metrics --kubeconfig "$work/kubeconfig" --egress-socket "$work/egress.sock" > "$work/metrics.out" 2> "$work/metrics.out.err" &
    pids+=($!)
    await "pod metrics" "$work/metrics.out"
    metrics=$(sed -n 's/^ready http:\/\///p' "$work/metrics.out")
    "$bin/simcluster" velero --kubeconfig "$work/kubeconfig" > "$work/velero.out" 2> "$work/velero.out.err" &
    pids+=($!)
    await "simulated velero" "$work/velero.out"
else
    "$bin/simcluster" serve --kubeconfig "$work/kubeconfig" --speed 10 \
        --seed "$root/examples/hastecrm/insecure" --seed "$root/tests/simcluster/crds/velero" > "$work/cluster.out" &
    pids+=($!)
    await simcluster "$work/cluster.out"
    metrics=$(sed -n 's/^ready http:\/\///p' "$work/cluster.out")
fi

# A real Prometheus scraping the application metrics, for the canary analysis (Debian's
# `prometheus` package; without it the playbook skips the canary step).
if command -v prometheus >/dev/null 2>&1; then
    server=$metrics
    port=$((20000 + RANDOM % 20000))
    printf 'global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n  - job_name: simcluster\n    metrics_path: /simcluster/metrics\n    static_configs: [{targets: ["%s"]}]\n' \
        "$server" > "$work/prometheus.yml"
    prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
        --web.listen-address="127.0.0.1:$port" > "$work/prometheus.log" 2>&1 &
    pids+=($!)
    export SHIPSHAPE_PROMETHEUS="http://127.0.0.1:$port"
    # Prometheus opens its port a moment after it starts and answers 503 until its TSDB is
    # open: wait for `/-/ready` to say 200 (bash's /dev/tcp, so no curl is needed).
    prometheus_pid=$!
    for attempt in $(seq 1 600); do
        if status=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" &&
            printf 'GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && head -1 <&3) 2>/dev/null) &&
            [[ $status == *" 200 "* ]]; then
            break
        fi
        kill -0 "$prometheus_pid" 2>/dev/null || { echo "prometheus failed to start" >&2; cat "$work/prometheus.log" >&2; exit 1; }
        [ "$attempt" = 600 ] && { echo "prometheus did not become ready" >&2; cat "$work/prometheus.log" >&2; exit 1; }
        sleep 0.1
    done
    echo "prometheus: $SHIPSHAPE_PROMETHEUS" >&2
fi

export KUBECONFIG="$work/kubeconfig"
export PATH="$work/bin:$PATH"
# A private discovery cache: every demo cluster is a new server on a new port.
export HOME="$work/home"
mkdir -p "$HOME"
bash "$root/examples/playbook.sh"
