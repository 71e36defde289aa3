//! The check catalogue: every check's stable id, standard, default severity, and why and how.

use serde::Serialize;

/// Which standard a check comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Standard {
    /// A Pod Security Standards baseline control.
    #[serde(rename = "pss-baseline")]
    PssBaseline,
    /// A Pod Security Standards restricted control.
    #[serde(rename = "pss-restricted")]
    PssRestricted,
    /// Production practice from the hardening report and the readiness list.
    #[serde(rename = "best-practice")]
    BestPractice,
}

/// How bad a finding is; `--fail-on` compares against it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Should be fixed before production.
    Warning,
    /// Must be fixed.
    Error,
}

/// One check.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Check {
    /// Stable kebab-case id, used in ignores and reports.
    pub id: &'static str,
    /// Where it comes from.
    pub standard: Standard,
    /// Default severity.
    pub severity: Severity,
    /// One line.
    pub title: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// The PodSecurity admission check it mirrors, for PSS checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psa: Option<&'static str>,
}

const fn pss(
    id: &'static str,
    psa: &'static str,
    restricted: bool,
    title: &'static str,
    fix: &'static str,
) -> Check {
    Check {
        id,
        standard: if restricted {
            Standard::PssRestricted
        } else {
            Standard::PssBaseline
        },
        severity: Severity::Error,
        title,
        why: "The API server's PodSecurity admission rejects this pod in namespaces that enforce the level.",
        fix,
        psa: Some(psa),
    }
}

const fn practice(
    id: &'static str,
    severity: Severity,
    title: &'static str,
    why: &'static str,
    fix: &'static str,
) -> Check {
    Check {
        id,
        standard: Standard::BestPractice,
        severity,
        title,
        why,
        fix,
        psa: None,
    }
}

/// Every check, PSS first.
pub const CATALOGUE: &[Check] = &[
    pss(
        "pss-host-process",
        "windowsHostProcess",
        false,
        "Windows HostProcess containers",
        "Remove securityContext.windowsOptions.hostProcess.",
    ),
    pss(
        "pss-host-namespaces",
        "hostNamespaces",
        false,
        "Host network, PID or IPC namespace",
        "Remove hostNetwork, hostPID and hostIPC.",
    ),
    pss(
        "pss-privileged",
        "privileged",
        false,
        "Privileged container",
        "Remove securityContext.privileged or set it to false.",
    ),
    pss(
        "pss-capabilities-baseline",
        "capabilities_baseline",
        false,
        "Capabilities beyond the baseline set",
        "Add only the baseline capabilities (e.g. NET_BIND_SERVICE).",
    ),
    pss(
        "pss-host-path",
        "hostPathVolumes",
        false,
        "hostPath volume",
        "Use a PersistentVolumeClaim, ConfigMap, Secret or emptyDir instead.",
    ),
    pss(
        "pss-host-ports",
        "hostPorts",
        false,
        "hostPort on a container",
        "Remove hostPort; expose the port through a Service.",
    ),
    pss(
        "pss-apparmor",
        "appArmorProfile",
        false,
        "AppArmor profile overridden",
        "Use RuntimeDefault or a Localhost profile.",
    ),
    pss(
        "pss-selinux",
        "seLinuxOptions",
        false,
        "Custom SELinux type, user or role",
        "Remove seLinuxOptions or use an allowed type.",
    ),
    pss(
        "pss-proc-mount",
        "procMount",
        false,
        "Unmasked /proc",
        "Remove securityContext.procMount or set Default.",
    ),
    pss(
        "pss-seccomp-baseline",
        "seccompProfile_baseline",
        false,
        "seccomp Unconfined",
        "Set seccompProfile.type to RuntimeDefault.",
    ),
    pss(
        "pss-sysctls",
        "sysctls",
        false,
        "Unsafe sysctls",
        "Use only the namespaced safe sysctls.",
    ),
    pss(
        "pss-host-probes",
        "hostProbesAndHostLifecycle",
        false,
        "Probes or lifecycle hooks against another host",
        "Remove the host field of probes and lifecycle handlers.",
    ),
    pss(
        "pss-volume-types",
        "restrictedVolumes",
        true,
        "Volume type outside the restricted set",
        "Use configMap, secret, emptyDir, projected, downwardAPI, PVC, CSI or ephemeral volumes.",
    ),
    pss(
        "pss-privilege-escalation",
        "allowPrivilegeEscalation",
        true,
        "Privilege escalation allowed",
        "Set securityContext.allowPrivilegeEscalation: false on every container.",
    ),
    pss(
        "pss-run-as-non-root",
        "runAsNonRoot",
        true,
        "May run as root",
        "Set securityContext.runAsNonRoot: true on the pod (and never false on a container).",
    ),
    pss(
        "pss-run-as-user",
        "runAsUser",
        true,
        "Runs as UID 0",
        "Set runAsUser to a non-zero UID such as 65534.",
    ),
    pss(
        "pss-seccomp-restricted",
        "seccompProfile_restricted",
        true,
        "No seccomp profile",
        "Set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
    ),
    pss(
        "pss-capabilities-restricted",
        "capabilities_restricted",
        true,
        "Capabilities not dropped",
        "Set capabilities.drop: [ALL]; add at most NET_BIND_SERVICE.",
    ),
    pss(
        "pss-proc-mount-restricted",
        "procMount_restricted",
        true,
        "Unmasked /proc",
        "Remove securityContext.procMount or set Default.",
    ),
    practice(
        "read-only-root-filesystem",
        Severity::Warning,
        "Writable root filesystem",
        "A writable root filesystem lets an attacker drop tools and persist changes in the container.",
        "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes.",
    ),
    practice(
        "security-context-ids",
        Severity::Warning,
        "Implicit user, group or fsGroup",
        "Without explicit ids the container runs as whatever user the image says, and volumes keep root ownership.",
        "Set runAsUser, runAsGroup and fsGroup (65534, say) in the pod's securityContext.",
    ),
    practice(
        "automount-service-account-token",
        Severity::Info,
        "Service account token mounted",
        "Most applications never call the Kubernetes API; a mounted token is a credential to steal.",
        "Set automountServiceAccountToken: false on the pod spec unless the app uses the API.",
    ),
    practice(
        "resources-requests",
        Severity::Warning,
        "Missing CPU or memory requests",
        "Without requests the scheduler cannot place the pod sensibly and it is the first to be evicted.",
        "Set resources.requests.cpu and resources.requests.memory on every container and init container.",
    ),
    practice(
        "resources-limits",
        Severity::Warning,
        "Missing CPU or memory limits",
        "Without limits one container can starve its neighbours; quotas with limits reject it outright.",
        "Set resources.limits.cpu and resources.limits.memory on every container and init container.",
    ),
    practice(
        "resources-limit-below-request",
        Severity::Error,
        "Limit below request",
        "The API server rejects a container whose limit is lower than its request.",
        "Raise the limit to at least the request.",
    ),
    practice(
        "image-untagged",
        Severity::Warning,
        "Image without a tag or with `latest`",
        "`latest` and untagged images change under you: rollbacks and audits cannot tell what ran.",
        "Pin a version tag, or better a digest (`image:1.2.3@sha256:…`).",
    ),
    practice(
        "image-mutable-tag",
        Severity::Info,
        "Image pinned by a tag, not a digest",
        "A tag can be pushed again: two nodes may run different code under the same name.",
        "Pin the image by digest (`name:tag@sha256:…`) in the release pipeline.",
    ),
    practice(
        "image-pull-policy",
        Severity::Warning,
        "Pull policy that can run stale or missing images",
        "`IfNotPresent` with `latest` keeps whatever a node pulled first; `Never` fails on nodes without the image.",
        "Pin a tag or digest and leave imagePullPolicy unset (IfNotPresent), or use Always for moving tags.",
    ),
    practice(
        "image-invalid",
        Severity::Error,
        "Invalid image reference",
        "The kubelet cannot pull an image whose reference does not parse.",
        "Fix the reference: `[registry[:port]/]path[:tag][@sha256:…]`, lower-case path.",
    ),
    practice(
        "probe-readiness-missing",
        Severity::Warning,
        "No readiness probe",
        "Without one, traffic reaches pods before they can serve and during restarts.",
        "Add a readinessProbe to every long-running container.",
    ),
    practice(
        "probe-liveness-missing",
        Severity::Info,
        "No liveness probe",
        "A hung process is never restarted.",
        "Add a livenessProbe that checks the process is alive (not its dependencies).",
    ),
    practice(
        "probe-settings-implicit",
        Severity::Info,
        "Probe timeouts and thresholds left to defaults",
        "The defaults (1 s timeout, 3 failures) are rarely what an app needs and hide the intent.",
        "Set timeoutSeconds, periodSeconds and failureThreshold explicitly (e.g. 3, 10, 3).",
    ),
    practice(
        "probe-liveness-equals-readiness",
        Severity::Warning,
        "Liveness probe identical to readiness",
        "When a dependency slows down, an identical liveness probe restarts every pod at once.",
        "Make liveness check only the process; keep dependency checks in readiness.",
    ),
    practice(
        "single-replica",
        Severity::Warning,
        "One replica",
        "A single replica is down during every rollout, node drain and crash.",
        "Run at least 2 replicas, with a PodDisruptionBudget.",
    ),
    practice(
        "topology-spread",
        Severity::Warning,
        "Replicas not spread across nodes or zones",
        "Replicas the scheduler puts on one node all go down with it.",
        "Add topologySpreadConstraints (kubernetes.io/hostname or topology.kubernetes.io/zone) or a preferred podAntiAffinity.",
    ),
    practice(
        "pdb-missing",
        Severity::Warning,
        "No PodDisruptionBudget",
        "Node drains may evict every replica at once.",
        "Add a PodDisruptionBudget selecting the workload's pods (e.g. maxUnavailable: 1).",
    ),
    practice(
        "pdb-blocks-eviction",
        Severity::Warning,
        "PodDisruptionBudget allows no eviction",
        "A budget that never allows a disruption blocks node drains and cluster upgrades.",
        "Use maxUnavailable: 1, or a minAvailable below the replica count.",
    ),
    practice(
        "network-policy-missing",
        Severity::Warning,
        "No default-deny NetworkPolicy",
        "Without one, every pod can reach every other pod and the internet.",
        "Add a NetworkPolicy with podSelector: {} and policyTypes [Ingress, Egress], then allow what is needed.",
    ),
    practice(
        "namespace-pss-labels",
        Severity::Warning,
        "Namespace without pinned Pod Security labels",
        "Without enforce labels nothing stops an insecure pod; an unpinned version changes meaning on upgrade.",
        "Label the namespace pod-security.kubernetes.io/enforce=restricted and enforce-version=v1.N (and audit/warn).",
    ),
    practice(
        "default-namespace",
        Severity::Warning,
        "Workload in the default namespace",
        "The default namespace has no quota, policy or ownership boundaries.",
        "Deploy into a namespace of its own.",
    ),
];

/// Where to read more about a check: the Kubernetes documentation pages it rests on.
pub fn references(id: &str) -> &'static [&'static str] {
    match id {
        _ if id.starts_with("pss-") => &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
            "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
        ],
        "namespace-pss-labels" => &[
            "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
            "https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/",
        ],
        "read-only-root-filesystem" | "security-context-ids" => {
            &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"]
        }
        "automount-service-account-token" => {
            &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"]
        }
        "resources-requests" | "resources-limits" | "resources-limit-below-request" => {
            &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"]
        }
        "image-untagged" | "image-mutable-tag" | "image-pull-policy" | "image-invalid" => {
            &["https://kubernetes.io/docs/concepts/containers/images/"]
        }
        "probe-readiness-missing"
        | "probe-liveness-missing"
        | "probe-settings-implicit"
        | "probe-liveness-equals-readiness" => &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
        ],
        "single-replica" | "pdb-missing" | "pdb-blocks-eviction" => &[
            "https://kubernetes.io/docs/concepts/workloads/pods/disruptions/",
            "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
        ],
        "topology-spread" => &[
            "https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/",
        ],
        "network-policy-missing" => {
            &["https://kubernetes.io/docs/concepts/services-networking/network-policies/"]
        }
        "default-namespace" => {
            &["https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"]
        }
        _ => &[],
    }
}

/// The catalogue entry of a check id.
pub fn find(id: &str) -> Option<&'static Check> {
    CATALOGUE.iter().find(|c| c.id == id)
}

/// The check that mirrors a PodSecurity admission check id.
pub fn for_psa(psa: &str) -> Option<&'static Check> {
    CATALOGUE.iter().find(|c| c.psa == Some(psa))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for check in CATALOGUE {
            assert!(seen.insert(check.id), "duplicate {}", check.id);
            assert!(
                check.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                check.id
            );
        }
    }

    #[test]
    fn every_check_has_references() {
        for check in CATALOGUE {
            assert!(!references(check.id).is_empty(), "{}", check.id);
        }
    }

    #[test]
    fn every_psa_check_has_an_entry() {
        for psa in [
            "windowsHostProcess",
            "hostNamespaces",
            "privileged",
            "capabilities_baseline",
            "hostPathVolumes",
            "hostPorts",
            "appArmorProfile",
            "seLinuxOptions",
            "procMount",
            "seccompProfile_baseline",
            "sysctls",
            "hostProbesAndHostLifecycle",
            "restrictedVolumes",
            "allowPrivilegeEscalation",
            "runAsNonRoot",
            "runAsUser",
            "seccompProfile_restricted",
            "capabilities_restricted",
            "procMount_restricted",
        ] {
            assert!(for_psa(psa).is_some(), "{psa}");
        }
    }
}
