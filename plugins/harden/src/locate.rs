//! Where a finding points: the field its check is about (`spec.template.spec.containers[0].
//! securityContext.readOnlyRootFilesystem`), and that field's line in the file it came from —
//! or, when the field is missing, the line of the parent it would go under.

use crate::checks::ids;
use std::collections::HashMap;

use rayon::prelude::*;
use serde_json::Value;
use shipshape::manifests::{Document, Manifest, Origin};
use shipshape::workload;
use shipshape::yamledit::{self, Step};

use crate::audit::Finding;

/// What a check's fields are relative to.
#[derive(Clone, Copy)]
enum Scope {
    /// The object itself.
    Object,
    /// The pod spec.
    Pod,
    /// The finding's container (the pod spec for pod-level findings).
    Container,
}

/// The fields a check is about, relative to its scope; the first that the object has wins,
/// else the first.
fn fields(check: &str) -> Option<(Scope, &'static [&'static str])> {
    use Scope::*;
    Some(match check {
        ids::PSS_HOST_NAMESPACES => (Pod, &["hostNetwork", "hostPID", "hostIPC"]),
        ids::PSS_HOST_PATH | ids::PSS_VOLUME_TYPES => (Pod, &["volumes"]),
        ids::PSS_SYSCTLS => (Pod, &["securityContext.sysctls"]),
        ids::AUTOMOUNT_SERVICE_ACCOUNT_TOKEN => (Pod, &["automountServiceAccountToken"]),
        ids::TOPOLOGY_SPREAD => (Pod, &["topologySpreadConstraints"]),
        ids::PSS_HOST_PROCESS => (Container, &["securityContext.windowsOptions.hostProcess"]),
        ids::PSS_PRIVILEGED => (Container, &["securityContext.privileged"]),
        ids::PSS_CAPABILITIES_BASELINE | ids::PSS_CAPABILITIES_RESTRICTED => {
            (Container, &["securityContext.capabilities"])
        }
        ids::PSS_HOST_PORTS => (Container, &["ports"]),
        ids::PSS_APPARMOR => (Container, &["securityContext.appArmorProfile"]),
        ids::PSS_SELINUX => (Container, &["securityContext.seLinuxOptions"]),
        ids::PSS_PROC_MOUNT | ids::PSS_PROC_MOUNT_RESTRICTED => {
            (Container, &["securityContext.procMount"])
        }
        ids::PSS_SECCOMP_BASELINE | ids::PSS_SECCOMP_RESTRICTED => {
            (Container, &["securityContext.seccompProfile"])
        }
        ids::PSS_HOST_PROBES => (
            Container,
            &[
                "livenessProbe",
                "readinessProbe",
                "startupProbe",
                "lifecycle",
            ],
        ),
        ids::PSS_PRIVILEGE_ESCALATION => (Container, &["securityContext.allowPrivilegeEscalation"]),
        ids::PSS_RUN_AS_NON_ROOT => (Container, &["securityContext.runAsNonRoot"]),
        ids::PSS_RUN_AS_USER | ids::SECURITY_CONTEXT_IDS => {
            (Container, &["securityContext.runAsUser"])
        }
        ids::READ_ONLY_ROOT_FILESYSTEM => (Container, &["securityContext.readOnlyRootFilesystem"]),
        ids::RESOURCES_REQUESTS => (Container, &["resources.requests"]),
        ids::RESOURCES_LIMITS | ids::RESOURCES_LIMIT_BELOW_REQUEST => {
            (Container, &["resources.limits"])
        }
        ids::IMAGE_UNTAGGED | ids::IMAGE_MUTABLE_TAG | ids::IMAGE_INVALID => {
            (Container, &["image"])
        }
        ids::IMAGE_PULL_POLICY => (Container, &["imagePullPolicy", "image"]),
        ids::PROBE_READINESS_MISSING => (Container, &["readinessProbe"]),
        ids::PROBE_LIVENESS_MISSING | ids::PROBE_LIVENESS_EQUALS_READINESS => {
            (Container, &["livenessProbe"])
        }
        ids::PROBE_SETTINGS_IMPLICIT => (
            Container,
            &["readinessProbe", "livenessProbe", "startupProbe"],
        ),
        ids::SINGLE_REPLICA => (Object, &["spec.replicas"]),
        ids::NAMESPACE_PSS_LABELS => (Object, &["metadata.labels"]),
        ids::DEFAULT_NAMESPACE => (Object, &["metadata.namespace"]),
        _ => return None,
    })
}

/// The path of the field a finding is about, in `object`.
pub fn field(check: &str, container: Option<&str>, object: &Value) -> Option<Vec<Step>> {
    let (scope, candidates) = fields(check)?;
    let key = |k: &str| Step::Key(k.to_owned());
    let mut prefix: Vec<Step> = Vec::new();
    if let Scope::Pod | Scope::Container = scope {
        let shape = workload::shape(object)?;
        prefix.extend(shape.template_path().iter().map(|k| key(k)));
        prefix.push(key("spec"));
    }
    if let (Scope::Container, Some(name)) = (scope, container) {
        let found = workload::containers(object)
            .into_iter()
            .find(|c| c.name == name)?;
        prefix.push(key(found.kind.field()));
        prefix.push(Step::Index(found.index));
    }
    let path = |candidate: &str| -> Vec<Step> {
        prefix
            .iter()
            .cloned()
            .chain(candidate.split('.').map(key))
            .collect()
    };
    let chosen = candidates
        .iter()
        .find(|c| !lookup(object, &path(c)).is_null())
        .unwrap_or(&candidates[0]);
    Some(path(chosen))
}

/// The value at `path` (null when missing).
fn lookup<'v>(mut value: &'v Value, path: &[Step]) -> &'v Value {
    for step in path {
        value = match step {
            Step::Key(k) => &value[k.as_str()],
            Step::Index(i) => &value[*i],
        };
    }
    value
}

/// `spec.template.spec.containers[0].image`.
pub fn display(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A finding (by its index) and the path of its field in its document.
type Wanted = (usize, Vec<Step>);

/// Names the field of each finding of one object.
pub fn name_one(findings: &mut [Finding], manifest: &Manifest) {
    for finding in findings {
        finding.field = field(
            finding.check,
            finding.container.as_deref(),
            &manifest.object,
        )
        .as_deref()
        .map(display);
    }
}

/// The path of a finding's field from its document's root (through `items[i]` for an object
/// of a List).
fn steps_in_document(finding: &Finding, manifest: &Manifest) -> Option<Vec<Step>> {
    let path = field(
        finding.check,
        finding.container.as_deref(),
        &manifest.object,
    )?;
    let mut steps = Vec::new();
    if let Some(item) = manifest.source.item {
        steps.extend([Step::Key("items".into()), Step::Index(item)]);
    }
    steps.extend(path);
    Some(steps)
}

/// [`point`] for the findings of one object, given the document it was read from.
pub fn point_one(findings: &mut [Finding], manifest: &Manifest, document: &Document<'_>) {
    let wanted: Vec<Wanted> = findings
        .iter()
        .enumerate()
        .filter_map(|(at, f)| Some((at, steps_in_document(f, manifest)?)))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let paths: Vec<&[Step]> = wanted.iter().map(|(_, p)| p.as_slice()).collect();
    let lines = yamledit::locate_all(&document.text, &paths);
    for (line, (at, _)) in lines.into_iter().zip(&wanted) {
        if let (Some(line), Some(source)) = (line, findings[*at].source.as_mut()) {
            source.line = document.first_line + line - 1;
        }
    }
}

/// Moves the line of findings read from text (YAML, or a single JSON object) to their field's
/// line. `texts` are the files and streams the manifests were read from; each object with
/// findings has its document parsed once more, for its spans ([`point_one`]), on every core.
pub fn point<'t>(
    findings: &mut [Finding],
    manifests: &[Manifest],
    texts: impl IntoIterator<Item = (&'t Origin, &'t str)>,
) {
    let texts: HashMap<&Origin, &str> = texts.into_iter().collect();
    let split: HashMap<&Origin, Vec<Document<'_>>> = texts
        .iter()
        .map(|(origin, text)| (*origin, shipshape::manifests::split_documents(text)))
        .collect();
    findings
        .par_chunk_by_mut(|a, b| a.index == b.index)
        .for_each(|group| {
            let Some(manifest) = group[0].index.and_then(|i| manifests.get(i)) else {
                return;
            };
            let document = split.get(&manifest.source.origin).and_then(|documents| {
                let index = manifest.source.document.checked_sub(1)?;
                documents.get(index)
            });
            if let Some(document) = document {
                point_one(group, manifest, document);
            }
        });
}
