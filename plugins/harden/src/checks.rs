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
/// Every check's id as a constant, each checked against the [`CATALOGUE`] when the crate
/// compiles: code names checks only through these, so a typo is a build error (an unknown
/// constant, or an id the catalogue lacks), never a check silently dropped.
pub mod ids {
    use super::known;

    pub const PSS_HOST_PROCESS: &str = known("pss-host-process");
    pub const PSS_HOST_NAMESPACES: &str = known("pss-host-namespaces");
    pub const PSS_PRIVILEGED: &str = known("pss-privileged");
    pub const PSS_CAPABILITIES_BASELINE: &str = known("pss-capabilities-baseline");
    pub const PSS_HOST_PATH: &str = known("pss-host-path");
    pub const PSS_HOST_PORTS: &str = known("pss-host-ports");
    pub const PSS_APPARMOR: &str = known("pss-apparmor");
    pub const PSS_SELINUX: &str = known("pss-selinux");
    pub const PSS_PROC_MOUNT: &str = known("pss-proc-mount");
    pub const PSS_SECCOMP_BASELINE: &str = known("pss-seccomp-baseline");
    pub const PSS_SYSCTLS: &str = known("pss-sysctls");
    pub const PSS_HOST_PROBES: &str = known("pss-host-probes");
    pub const PSS_VOLUME_TYPES: &str = known("pss-volume-types");
    pub const PSS_PRIVILEGE_ESCALATION: &str = known("pss-privilege-escalation");
    pub const PSS_RUN_AS_NON_ROOT: &str = known("pss-run-as-non-root");
    pub const PSS_RUN_AS_USER: &str = known("pss-run-as-user");
    pub const PSS_SECCOMP_RESTRICTED: &str = known("pss-seccomp-restricted");
    pub const PSS_CAPABILITIES_RESTRICTED: &str = known("pss-capabilities-restricted");
    pub const PSS_PROC_MOUNT_RESTRICTED: &str = known("pss-proc-mount-restricted");
    pub const READ_ONLY_ROOT_FILESYSTEM: &str = known("read-only-root-filesystem");
    pub const SECURITY_CONTEXT_IDS: &str = known("security-context-ids");
    pub const AUTOMOUNT_SERVICE_ACCOUNT_TOKEN: &str = known("automount-service-account-token");
    pub const RESOURCES_REQUESTS: &str = known("resources-requests");
    pub const RESOURCES_LIMITS: &str = known("resources-limits");
    pub const RESOURCES_LIMIT_BELOW_REQUEST: &str = known("resources-limit-below-request");
    pub const IMAGE_UNTAGGED: &str = known("image-untagged");
    pub const IMAGE_MUTABLE_TAG: &str = known("image-mutable-tag");
    pub const IMAGE_PULL_POLICY: &str = known("image-pull-policy");
    pub const IMAGE_INVALID: &str = known("image-invalid");
    pub const PROBE_READINESS_MISSING: &str = known("probe-readiness-missing");
    pub const PROBE_LIVENESS_MISSING: &str = known("probe-liveness-missing");
    pub const PROBE_SETTINGS_IMPLICIT: &str = known("probe-settings-implicit");
    pub const PROBE_LIVENESS_EQUALS_READINESS: &str = known("probe-liveness-equals-readiness");
    pub const SINGLE_REPLICA: &str = known("single-replica");
    pub const TOPOLOGY_SPREAD: &str = known("topology-spread");
    pub const PDB_MISSING: &str = known("pdb-missing");
    pub const PDB_BLOCKS_EVICTION: &str = known("pdb-blocks-eviction");
    pub const NETWORK_POLICY_MISSING: &str = known("network-policy-missing");
    pub const NAMESPACE_PSS_LABELS: &str = known("namespace-pss-labels");
    pub const DEFAULT_NAMESPACE: &str = known("default-namespace");

    /// Every constant, in catalogue order.
    pub const ALL: &[&str] = &[
        PSS_HOST_PROCESS,
        PSS_HOST_NAMESPACES,
        PSS_PRIVILEGED,
        PSS_CAPABILITIES_BASELINE,
        PSS_HOST_PATH,
        PSS_HOST_PORTS,
        PSS_APPARMOR,
        PSS_SELINUX,
        PSS_PROC_MOUNT,
        PSS_SECCOMP_BASELINE,
        PSS_SYSCTLS,
        PSS_HOST_PROBES,
        PSS_VOLUME_TYPES,
        PSS_PRIVILEGE_ESCALATION,
        PSS_RUN_AS_NON_ROOT,
        PSS_RUN_AS_USER,
        PSS_SECCOMP_RESTRICTED,
        PSS_CAPABILITIES_RESTRICTED,
        PSS_PROC_MOUNT_RESTRICTED,
        READ_ONLY_ROOT_FILESYSTEM,
        SECURITY_CONTEXT_IDS,
        AUTOMOUNT_SERVICE_ACCOUNT_TOKEN,
        RESOURCES_REQUESTS,
        RESOURCES_LIMITS,
        RESOURCES_LIMIT_BELOW_REQUEST,
        IMAGE_UNTAGGED,
        IMAGE_MUTABLE_TAG,
        IMAGE_PULL_POLICY,
        IMAGE_INVALID,
        PROBE_READINESS_MISSING,
        PROBE_LIVENESS_MISSING,
        PROBE_SETTINGS_IMPLICIT,
        PROBE_LIVENESS_EQUALS_READINESS,
        SINGLE_REPLICA,
        TOPOLOGY_SPREAD,
        PDB_MISSING,
        PDB_BLOCKS_EVICTION,
        NETWORK_POLICY_MISSING,
        NAMESPACE_PSS_LABELS,
        DEFAULT_NAMESPACE,
    ];
}

/// An id of the catalogue; evaluated in a `const`, so a missing id fails the build.
const fn known(id: &'static str) -> &'static str {
    let mut i = 0;
    while i < CATALOGUE.len() {
        if same(CATALOGUE[i].id, id) {
            return id;
        }
        i += 1;
    }
    panic!("not a check id of the catalogue (checks::CATALOGUE)");
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

pub fn references(id: &str) -> &'static [&'static str] {
    match id {
        _ if id.starts_with("pss-") => &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
            "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
        ],
        ids::NAMESPACE_PSS_LABELS => &[
            "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
            "https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/",
        ],
        ids::READ_ONLY_ROOT_FILESYSTEM | ids::SECURITY_CONTEXT_IDS => {
            &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"]
        }
        ids::AUTOMOUNT_SERVICE_ACCOUNT_TOKEN => {
            &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"]
        }
        ids::RESOURCES_REQUESTS | ids::RESOURCES_LIMITS | ids::RESOURCES_LIMIT_BELOW_REQUEST => {
            &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"]
        }
        ids::IMAGE_UNTAGGED
        | ids::IMAGE_MUTABLE_TAG
        | ids::IMAGE_PULL_POLICY
        | ids::IMAGE_INVALID => &["https://kubernetes.io/docs/concepts/containers/images/"],
        ids::PROBE_READINESS_MISSING
        | ids::PROBE_LIVENESS_MISSING
        | ids::PROBE_SETTINGS_IMPLICIT
        | ids::PROBE_LIVENESS_EQUALS_READINESS => &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
        ],
        ids::SINGLE_REPLICA | ids::PDB_MISSING | ids::PDB_BLOCKS_EVICTION => &[
            "https://kubernetes.io/docs/concepts/workloads/pods/disruptions/",
            "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
        ],
        ids::TOPOLOGY_SPREAD => &[
            "https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/",
        ],
        ids::NETWORK_POLICY_MISSING => {
            &["https://kubernetes.io/docs/concepts/services-networking/network-policies/"]
        }
        ids::DEFAULT_NAMESPACE => {
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
    fn every_check_has_its_constant() {
        let catalogue: Vec<&str> = CATALOGUE.iter().map(|c| c.id).collect();
        assert_eq!(ids::ALL, catalogue.as_slice());
    }

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
