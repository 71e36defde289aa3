#!/usr/bin/env bash
# The deployment playbook as real kubectl commands, each printed before its output.
# Runs against the current kubectl context; examples/demo.sh points it at simcluster.
# Each plugin issue adds its step here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    step() { printf '\n\033[1m## %s\033[0m\n' "$*"; }
else
    step() { printf '\n## %s\n' "$*"; }
fi
run() {
    printf '$ %s\n' "$*"
    "$@"
}

step "The cluster and the app as deployed"
run kubectl get nodes
run kubectl get deploy,statefulset -A
run kubectl wait --for=condition=Available deploy --all -n hastecrm-production --timeout=120s

step "Before deploy: audit the manifests (kubectl harden)"
# The insecure app fails the audit (exit 1); the hardened one passes.
run kubectl harden audit -f "$root/examples/hastecrm/insecure/api.yaml" || echo "(exit $?: the audit found errors)"
run kubectl harden audit -f "$root/examples/hastecrm/hardened"

step "Before deploy: fix what the audit found (kubectl harden fix)"
# The fix as a diff: only added lines, comments and formatting kept (exit 1: there are changes).
run kubectl harden fix -f "$root/examples/hastecrm/insecure/api.yaml" --diff --add-missing || echo "(exit $?: the fix would change the file; --in-place writes it)"
# The live app: the server-validated diff of fixing one Deployment, nothing persisted.
run kubectl harden fix -n hastecrm-production deploy/web --dry-run=server

step "Before deploy: Pod Security labels (kubectl harden pss)"
run kubectl harden pss -A
# baseline is what the running app meets today; preview the labels without setting them.
run kubectl harden pss -n hastecrm-data --level baseline --apply-labels --dry-run=server

step "Capacity: quotas and limits (kubectl quota)"
run kubectl quota status -A
# The hardened release brings its own quota and LimitRange: would its pods be admitted?
run kubectl quota check -f "$root/examples/hastecrm/hardened"
# The playbook's production quota for the namespace, previewed on the server (nothing written).
run kubectl quota generate -n hastecrm-production --profile production --apply --dry-run=server

step "Deploy: preflight, migrate, canary, verify (kubectl canary)"
if [ -n "${SHIPSHAPE_PROMETHEUS:-}" ]; then
    prom=(--prometheus "$SHIPSHAPE_PROMETHEUS")
    fast=(--interval 2s --step-weight 50 --threshold 3 --on-no-data hold)
    # The checklist: the insecure sample fails harden's audit, which blocks (exit 1).
    run kubectl canary preflight web -n hastecrm-production --image hastecrm/web:2.2.0 "${prom[@]}" || echo "(exit $?: blocking rows)"
    run kubectl canary migrate -n hastecrm-production -f "$root/examples/hastecrm/release/migrate-2.2.yaml" --timeout 60s
    # A good release: analysed at 50 %, promoted.
    run kubectl canary start web -n hastecrm-production --image hastecrm/web:2.2.0 "${prom[@]}" "${fast[@]}"
    run kubectl canary verify web -n hastecrm-production --window 10s "${prom[@]}"
    # A bad release (20 % errors): rolled back after three failed checks, the primary untouched.
    run kubectl canary start web -n hastecrm-production --image hastecrm/web:2.3.0-errors "${prom[@]}" "${fast[@]}" || echo "(exit $?: rolled back)"
    run kubectl canary history web -n hastecrm-production
else
    echo "(skipped: Prometheus is not installed; with Debian's prometheus package this step runs too)"
fi

step "Recover: a disaster-recovery drill (kubectl drtest)"
# HTTP checks reach the restored app through the API server's service proxy.
http_check=(--http-check api:http/health)
if kubectl get crd backups.velero.io >/dev/null 2>&1; then
    # A backup of the production namespace (Velero's own objects; simcluster simulates Velero).
    kubectl create namespace velero --dry-run=client -o yaml | kubectl apply -f - >/dev/null
    run kubectl apply -f "$root/examples/hastecrm/release/velero-backup.yaml"
    run kubectl wait --for=jsonpath='{.status.phase}'=Completed backup/hastecrm-production-nightly -n velero --timeout=60s
    run kubectl drtest backups
    # Restore it into a sandbox, wait for it, smoke-test it, clean up.
    run kubectl drtest run --for hastecrm-production --smoke-image busybox:1.36 --smoke-command 'wget -qO- http://api:4000/health' \
        "${http_check[@]}"
    # Every drill is recorded; the trend of result, RPO and RTO.
    run kubectl drtest history
    # Weekly, in the cluster: a CronJob under least-privilege RBAC, and the 6-hourly backups.
    kubectl create namespace drtest-system --dry-run=client -o yaml | kubectl apply -f - >/dev/null
    run kubectl drtest schedule -n drtest-system --for hastecrm-production "${http_check[@]}" \
        --velero-schedule --every 6h --ttl 168h --apply --yes
else
    echo "(skipped: Velero is not installed in this cluster)"
fi

step "The Shipshape plugins, through kubectl's plugin dispatch"
run kubectl plugin list
for plugin in harden quota canary drtest; do
    run kubectl "$plugin" version
done
