#!/usr/bin/env bash
# The end-to-end suite against a real Kubernetes control plane instead of simcluster:
#
#   tests/realcluster/e2e.sh                    # cargo test -p e2e, against a fresh control plane
#   tests/realcluster/e2e.sh --test quota       # any `cargo test -p e2e` arguments
#
# Starts tests/realcluster/up.sh (building it once into its cache) with Velero's CRDs, puts that
# release's kubectl first on PATH, simulates its KWOK pods (`simcluster metrics`: their metrics
# for Prometheus, and their HTTP and container logs behind the API server's egress proxy) and
# runs simcluster's simulated Velero server against it (`simcluster velero`: the
# control plane has no Velero), runs the tests with SHIPSHAPE_E2E_KUBECONFIG set, prints the
# tests that skipped and why, and stops everything. Exits with cargo's status.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

kube="$("$here/up.sh" --build-only)"
work="$(mktemp -d "${TMPDIR:-/tmp}/realcluster-e2e.XXXXXX")"
mkdir "$work/bin"
ln -s "$kube" "$work/bin/kubectl"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# await FILE PID WHAT: the URL of the `ready <url>` line PID prints into FILE.
await() {
    local file="$1" pid="$2" what="$3"
    for _ in $(seq 1 600); do
        if grep -q '^ready ' "$file" 2>/dev/null; then
            sed -n 's/^ready //p' "$file" | head -n1
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "e2e.sh: $what exited before it was ready:" >&2
            cat "$file" "$file.err" >&2 || true
            return 1
        fi
        sleep 0.5
    done
    echo "e2e.sh: $what was not ready within 5 minutes" >&2
    return 1
}

start=$(date +%s)
"$here/up.sh" --kubeconfig "$work/kubeconfig" --logs "$work/logs" --egress-socket "$work/egress.sock" \
    --seed "$root/tests/simcluster/crds/velero" >"$work/up" 2>"$work/up.err" &
pids+=($!)
url="$(await "$work/up" "$!" "the control plane")"
echo "e2e.sh: control plane ready at $url in $(( $(date +%s) - start )) s ($(PATH="$work/bin:$PATH" kubectl version --client | head -n1))" >&2

cargo build --quiet --locked -p simcluster --bins
"$root/target/debug/simcluster" metrics --kubeconfig "$work/kubeconfig" --egress-socket "$work/egress.sock" >"$work/metrics" 2>"$work/metrics.err" &
pids+=($!)
metrics="$(await "$work/metrics" "$!" "simcluster metrics")"
PATH="$work/bin:$PATH" kubectl --kubeconfig "$work/kubeconfig" wait --for condition=Established \
    --timeout 60s crd/backups.velero.io crd/restores.velero.io crd/backupstoragelocations.velero.io \
    crd/downloadrequests.velero.io crd/schedules.velero.io >/dev/null
"$root/target/debug/simcluster" velero --kubeconfig "$work/kubeconfig" >"$work/velero" 2>"$work/velero.err" &
pids+=($!)
await "$work/velero" "$!" "simcluster velero" >/dev/null

export SHIPSHAPE_E2E_KUBECONFIG="$work/kubeconfig"
export SHIPSHAPE_E2E_METRICS="${metrics#http://}"
export SHIPSHAPE_E2E_SKIPS="$work/skips"
export PATH="$work/bin:$PATH"
: >"$SHIPSHAPE_E2E_SKIPS"
status=0
(cd "$root" && cargo test --locked --no-fail-fast -p e2e "$@") || status=$?

count=$(wc -l <"$SHIPSHAPE_E2E_SKIPS")
echo "e2e.sh: $count test(s) skipped on the real control plane:" >&2
sort "$SHIPSHAPE_E2E_SKIPS" | sed 's/^/  /' >&2
if [ "$status" != 0 ]; then
    echo "e2e.sh: the control plane's logs:" >&2
    for log in "$work"/logs/*.log; do
        echo "--- $log (last 20 lines)" >&2
        tail -n 20 "$log" >&2
    done
fi
exit "$status"
