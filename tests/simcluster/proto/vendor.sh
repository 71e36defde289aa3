#!/usr/bin/env bash
# Vendors what simcluster decodes Kubernetes protobuf request bodies with (src/protobuf.rs):
# the upstream .proto definitions of k8s.io/api and the apimachinery types they import, at the
# versions tests/realcluster/go.mod pins, and go-types.txt, what those definitions do not say
# (the message of each kind, the fields that keep a zero value), printed by
# tests/realcluster/protoschema from the Go types. build.rs compiles the .proto files with protox.
#
#   tests/simcluster/proto/vendor.sh     # after changing the Kubernetes version in go.mod
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
realcluster="$here/../../realcluster"
export PATH="$PATH:/usr/local/go/bin" GOFLAGS="${GOFLAGS:--mod=readonly}"
dir() { (cd "$realcluster" && go mod download "$1" && go list -m -f '{{.Dir}}' "$1"); }
api="$(dir k8s.io/api)"
machinery="$(dir k8s.io/apimachinery)"
version="$(cd "$realcluster" && go list -m -f '{{.Version}}' k8s.io/api)"
rm -rf "$here/k8s.io"
(cd "$api" && find . -name generated.proto | sort) | while read -r file; do
    install -D -m 644 "$api/$file" "$here/k8s.io/api/${file#./}"
done
for package in pkg/api/resource pkg/apis/meta/v1 pkg/runtime pkg/runtime/schema pkg/util/intstr; do
    install -D -m 644 "$machinery/$package/generated.proto" "$here/k8s.io/apimachinery/$package/generated.proto"
done
{
    echo "# k8s.io/api $version: printed by tests/realcluster/protoschema (tests/simcluster/proto/vendor.sh); do not edit."
    (cd "$realcluster" && go run ./protoschema)
} > "$here/go-types.txt"
echo "vendored k8s.io/api $version: $(find "$here/k8s.io" -name '*.proto' | wc -l) files, $(grep -c '^kind ' "$here/go-types.txt") kinds"
