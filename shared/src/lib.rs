//! `shipshape`: what the four Shipshape kubectl plugins share, one module per job.
//!
//! - [`admission`]: LimitRanger and ResourceQuota admission, simulated exactly.
//! - [`flags`]: kubectl's global flags, flattened into every plugin.
//! - [`client`]: flags + kubeconfig → a `kube::Client`, resolved the way kubectl resolves them.
//! - [`list`]: one paginated list per kind, across namespaces.
//! - [`manifests`]: Kubernetes objects from files, directories, stdin and `kubectl kustomize`.
//! - [`workload`]: the pod template of every workload kind.
//! - [`output`]: `-o table|wide|json|yaml` and the renderers.
//! - [`http`]: HTTP(S) GET and POST with a deadline, and the http:// or https:// URL check.
//! - [`prometheus`]: the Prometheus HTTP API, every response and error shape.
//! - [`wait`]: polling with a deadline, progress and Ctrl-C.
//! - [`confirm`]: yes/no prompts, `--yes`, and refusing without a terminal.
//! - [`apply`]: server-side apply, `--dry-run`, diffs.
//! - [`job`]: a Job run to its end: applied, waited for, its pods' logs.
//! - [`junit`]: JUnit XML reports for CI.
//! - [`exit`]: errors → exit codes and messages; the plugin `main`.
//! - [`generate`]: `--generate`: completion scripts and the man page from the clap definition.
//! - [`complete`]: the `kubectl_complete-<plugin>` helpers: kubectl's plugin completion protocol.
//! - [`duration`]: `30s`, `1m30s`, `6h` for flags; ages for tables.
//! - [`names`]: DNS-1123 names, checked before they reach a URL path.
//! - [`quantity`]: `500m`, `256Mi` as numbers, for comparisons.
//! - [`retry`]: bounded retries of transient API failures, and `-v`'s log of API calls.
//! - [`validate`]: the API server's validation of quantities and counts in loaded manifests.
//! - [`version`]: the `version` subcommand every plugin has.
//! - [`yamledit`]: lossless edits of YAML files (comments and formatting kept).

pub mod admission;
pub mod apply;
pub mod client;
pub mod complete;
pub mod conditions;
pub mod confirm;
pub mod defaulted;
pub mod duration;
pub mod exit;
pub mod flags;
pub mod generate;
pub mod http;
pub mod job;
pub mod junit;
pub mod list;
pub mod manifests;
pub mod names;
pub mod output;
pub mod process;
pub mod prometheus;
pub mod quantity;
pub mod retry;
pub mod runner;
pub mod spool;
pub mod validate;
pub mod version;
pub mod wait;
pub mod workload;
pub mod yamledit;

pub use client::{ApiCall, ClusterError};
pub use client::{Kube, Plugin};
pub use exit::{Exit, UsageError};
pub use flags::{ContextArgs, GlobalArgs, KubeFlags, OutputArg};
pub use output::OutputFormat;
