//! `kubectl_complete-drtest`: completes `kubectl drtest …` for kubectl (kubectl ≥ 1.26 runs it on
//! `kubectl drtest <TAB>`); the protocol and the engine are in `shipshape::complete`.

use shipshape::complete::{Request, Resource, Values};

/// Velero's Backup objects.
const BACKUPS: Resource = Resource {
    group: "velero.io",
    version: "v1",
    kind: "Backup",
    plural: "backups",
};

/// drtest's own values: backup names for `--backup`, from the `--velero-namespace` given on the
/// line (default `velero`).
fn values(request: &Request<'_>) -> Option<Values> {
    (request.id() == "backup").then(|| Values::Names {
        resource: BACKUPS,
        namespace: Some(
            request
                .given
                .value("velero_namespace")
                .unwrap_or("velero")
                .to_owned(),
        ),
    })
}

fn main() -> std::process::ExitCode {
    use clap::CommandFactory;
    shipshape::complete::main(
        kubectl_drtest::PLUGIN,
        kubectl_drtest::Cli::command(),
        values,
    )
}
