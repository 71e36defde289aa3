# The Shipshape suite as a container image: the four plugins as static binaries on a distroless
# base, run as a non-root user. `kubectl canary start --detach` runs `kubectl-canary resume` from
# it in a Job whose pod meets the restricted Pod Security Standard (read-only root filesystem,
# no privilege escalation, all capabilities dropped, RuntimeDefault seccomp).
#
#   docker build -t registry.example/shipshape:0.1.0 .
#   kubectl canary start web --image … --detach --runner-image registry.example/shipshape:0.1.0
#
# It is not built by CI (no container engine there); `.dockerignore` keeps the context small.

FROM docker.io/library/rust:1.89-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools \
    && rm -rf /var/lib/apt/lists/* \
    && rustup target add x86_64-unknown-linux-musl
WORKDIR /src
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl \
    -p kubectl-harden -p kubectl-quota -p kubectl-canary -p kubectl-drtest

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/target/x86_64-unknown-linux-musl/release/kubectl-harden \
    /src/target/x86_64-unknown-linux-musl/release/kubectl-quota \
    /src/target/x86_64-unknown-linux-musl/release/kubectl-canary \
    /src/target/x86_64-unknown-linux-musl/release/kubectl-drtest \
    /usr/local/bin/
# distroless's nonroot user; the Job's securityContext sets the same ids.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/kubectl-canary"]
