#!/usr/bin/env bash
# A real Kubernetes v1.37 control plane on loopback, with the interface of `simcluster serve`:
#
#   tests/realcluster/up.sh --kubeconfig FILE [--seed DIR]... [--nodes N] [--logs DIR]
#                           [--egress-socket PATH]
#   tests/realcluster/up.sh --build-only        # build (or find in the cache) and print the binary
#
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and KWOK are the
# upstream programs, built from the Go modules pinned in go.mod/go.sum into one multi-call
# binary. The build is cached under $SHIPSHAPE_REALCLUSTER_CACHE (default
# ~/.cache/shipshape/realcluster), keyed by go.mod, go.sum, the sources and the Go version, so a
# second run does not rebuild. With --egress-socket, the API server reaches pods, services and
# kubelets (service proxy, `kubectl logs`) through an HTTP CONNECT proxy on that Unix socket,
# which `simcluster metrics --egress-socket PATH` serves for KWOK's pods and nodes. Prints
# `ready https://127.0.0.1:PORT` once the API server is ready, the fake nodes are Ready and the
# seeds are applied; stops everything on SIGTERM or SIGINT.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${SHIPSHAPE_REALCLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipshape/realcluster}"
export GOFLAGS="${GOFLAGS:--mod=readonly} -trimpath"
export PATH="$PATH:/usr/local/go/bin"

command -v go >/dev/null 2>&1 || { echo "up.sh: Go is required (https://go.dev/dl; /usr/local/go/bin is searched)" >&2; exit 1; }

key() { (cd "$here" && cat go.mod go.sum "$@" && go version) | sha256sum | cut -c1-16; }

# build OUT PACKAGE [LDFLAGS]: go build into the cache unless it is there already.
build() {
    local out="$1" pkg="$2" ldflags="${3:-}"
    if [ ! -x "$out" ]; then
        echo "up.sh: building $pkg into $out (the first build of the control plane takes about 12 minutes on 2 cores)" >&2
        mkdir -p "$(dirname "$out")"
        (cd "$here" && go build -ldflags "$ldflags" -o "$out.tmp" "$pkg")
        mv "$out.tmp" "$out"
    fi
}

# The release the binaries report (/version, `kubectl version`), as upstream's build stamps it.
release="$(cd "$here" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
minor="${release#v1.}"
minor="${minor%%.*}"
version_flags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    version_flags+=" -X $pkg.gitVersion=$release -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    version_flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

kube="$cache/kube-$(key kube/main.go)/kubectl"
up="$cache/up-$(key up/main.go)"
build "$kube" ./kube "-s -w$version_flags"
build "$up" ./up

# KWOK's own stages (from the pinned kwok module): nodes become Ready and keep a lease; pods are
# scheduled, start, become Ready, complete (Jobs) and are deleted. The pod stages' delays are
# shortened so a rollout takes a second, not half a minute. stages.yaml adds simcluster's image
# conventions (`-unready`, `-crashloop`, `-fail`), which KWOK's pod-ready and pod-complete leave
# alone.
# unless IMAGE_SUFFIXES: a selector requirement that no container image ends with any of them.
unless() {
    local test
    test="$(printf 'endswith("%s") or ' "$@")"
    printf "    - key: '[.spec.containers[].image | %s] | any'\n      operator: 'NotIn'\n      values: ['true']\n" "${test% or }"
}
kwok_config="$cache/kwok-$(key stages.yaml).yaml"
if [ ! -s "$kwok_config" ]; then
    stages="$(cd "$here" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage"
    {
        for f in "$stages"/node/fast/node-initialize.yaml "$stages"/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml; do
            echo "---"; cat "$f"
        done
        for f in pod-create pod-init-container-running pod-init-container-completed pod-ready pod-complete pod-delete; do
            echo "---"
            case "$f" in
                pod-ready) extra="$(unless -unready -crashloop)" ;;
                pod-complete) extra="$(unless -fail)" ;;
                *) extra="" ;;
            esac
            sed -E 's/(jitterDurationMilliseconds|durationMilliseconds): [0-9]+/\1: 100/' "$stages/pod/general/$f.yaml" |
                EXTRA="$extra" awk '{ print } /^    matchExpressions:$/ && ENVIRON["EXTRA"] != "" { print ENVIRON["EXTRA"] }'
        done
        echo "---"
        cat "$here/stages.yaml"
    } > "$kwok_config.tmp"
    mv "$kwok_config.tmp" "$kwok_config"
fi

if [ "${1:-}" = "--build-only" ]; then
    echo "$kube"
    exit 0
fi
exec "$up" --kube "$kube" --kwok-config "$kwok_config" "$@"
