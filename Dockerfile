# The Shipshape suite as a container image: the four plugins as static binaries on a distroless
# base, run as a non-root user. `kubectl canary start --detach` runs `kubectl-canary resume` from
# it in a Job, and `kubectl drtest schedule` runs `kubectl-drtest run` from it in a CronJob; both
# set the container's command, and both pods meet the restricted Pod Security Standard (read-only
# root filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp;
# `shipshape::runner::pod_spec`, audited by harden in the tests).
#
#   docker build -t registry.example/shipshape:0.1.0 .
#   kubectl canary start web --image … --detach --runner-image registry.example/shipshape:0.1.0
#   kubectl drtest schedule -n drtest-system --for shop --image registry.example/shipshape:0.1.0 --apply
#
# It is not built by CI (no container engine there); `.dockerignore` keeps the context small.

FROM docker.io/library/rust:1.89-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Static musl binaries for the architecture being built (x86_64 or aarch64, e.g. with
# `docker buildx build --platform linux/amd64,linux/arm64`), copied to /out.
RUN target="$(uname -m)-unknown-linux-musl" \
    && rustup target add "$target" \
    && cargo build --release --locked --target "$target" \
        -p kubectl-harden -p kubectl-quota -p kubectl-canary -p kubectl-drtest \
    && mkdir /out \
    && for plugin in harden quota canary drtest; do \
        cp "target/$target/release/kubectl-$plugin" /out/; \
    done

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /usr/local/bin/
# distroless's nonroot user; the Job's securityContext sets the same ids. Nothing is written at
# run time, so the root filesystem can be read-only.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/kubectl-canary"]
