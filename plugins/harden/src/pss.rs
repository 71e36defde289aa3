//! The Pod Security Standards, evaluated the way the API server's PodSecurity admission does
//! (kubernetes/pod-security-admission `policy/check_*.go`): every baseline and restricted check,
//! by policy version, over containers, init containers and ephemeral containers, with the Windows
//! and user-namespace exemptions. Pure: a pod spec and its annotations in, violations out.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

/// `baseline` or `restricted` (`privileged` allows everything).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Prevents known privilege escalations.
    Baseline,
    /// Current pod hardening best practice.
    Restricted,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        })
    }
}

/// The newest policy version this crate knows.
pub const LATEST_MINOR: u32 = 37;

/// A policy version: `v1.N`, or `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// The minor version; `latest` is [`LATEST_MINOR`].
    pub minor: u32,
}

impl Version {
    /// `latest`.
    pub const LATEST: Version = Version {
        minor: LATEST_MINOR,
    };

    fn at_least(self, minor: u32) -> bool {
        self.minor >= minor
    }
}

impl FromStr for Version {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "latest" {
            return Ok(Self::LATEST);
        }
        let minor = text
            .strip_prefix("v1.")
            .and_then(|m| m.parse::<u32>().ok())
            .ok_or_else(|| format!("invalid Pod Security Standards version `{text}`: use `latest` or `v1.N`, e.g. `v1.30`"))?;
        // Versions newer than this crate knows evaluate as the newest it knows, like PSA's latest.
        Ok(Self {
            minor: minor.min(LATEST_MINOR),
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}", self.minor)
    }
}

/// One failed check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// The PSA check ID: `runAsNonRoot`, `capabilities_restricted`, …
    pub check: &'static str,
    /// The level the check belongs to.
    pub level: Level,
    /// The container it concerns, when it concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// What is wrong, in PodSecurity's words.
    pub message: String,
}

const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

fn allowed_sysctls(version: Version) -> Vec<&'static str> {
    let mut allowed = vec![
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    ];
    if version.at_least(27) {
        allowed.push("net.ipv4.ip_local_reserved_ports");
    }
    if version.at_least(29) {
        allowed.extend([
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        ]);
    }
    if version.at_least(32) {
        allowed.extend(["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]);
    }
    if version.at_least(37) {
        allowed.extend([
            "net.ipv4.tcp_slow_start_after_idle",
            "net.ipv4.tcp_notsent_lowat",
        ]);
    }
    allowed
}

/// The containers PodSecurity visits: init containers, containers and ephemeral containers.
fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |field| spec[field].as_array().into_iter().flatten())
}

fn name(container: &Value) -> String {
    container["name"].as_str().unwrap_or_default().to_owned()
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

struct Report {
    violations: Vec<Violation>,
    level: Level,
}

impl Report {
    fn fail(
        &mut self,
        check: &'static str,
        level: Level,
        container: Option<String>,
        message: String,
    ) {
        if level <= self.level {
            self.violations.push(Violation {
                check,
                level,
                container,
                message,
            });
        }
    }

    /// One violation per check and container, as PodSecurity reports per-container failures.
    fn per_container(&mut self, check: &'static str, level: Level, failing: Vec<(String, String)>) {
        for (container, detail) in failing {
            let message = format!("container \"{container}\" {detail}");
            self.fail(check, level, Some(container), message);
        }
    }
}

/// Evaluates a pod spec (and the pod's annotations) against a level at a policy version.
pub fn evaluate(
    spec: &Value,
    annotations: &Value,
    level: Level,
    version: Version,
) -> Vec<Violation> {
    let mut report = Report {
        violations: Vec::new(),
        level,
    };
    let pod_sc = &spec["securityContext"];
    let windows = version.at_least(25) && spec["os"]["name"].as_str() == Some("windows");
    let user_namespaces = version.at_least(35) && spec["hostUsers"] == Value::Bool(false);
    let sc = |c: &Value| c["securityContext"].clone();

    // --- baseline ---
    let mut host_process: Vec<(String, String)> = containers(spec)
        .filter(|c| sc(c)["windowsOptions"]["hostProcess"] == Value::Bool(true))
        .map(|c| {
            (
                name(c),
                "must not set securityContext.windowsOptions.hostProcess=true".to_owned(),
            )
        })
        .collect();
    if pod_sc["windowsOptions"]["hostProcess"] == Value::Bool(true) {
        report.fail(
            "windowsHostProcess",
            Level::Baseline,
            None,
            "pod must not set securityContext.windowsOptions.hostProcess=true".into(),
        );
    }
    report.per_container(
        "windowsHostProcess",
        Level::Baseline,
        std::mem::take(&mut host_process),
    );

    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if spec[field] == Value::Bool(true) {
            report.fail(
                "hostNamespaces",
                Level::Baseline,
                None,
                format!("pod must not set {field}=true"),
            );
        }
    }

    let privileged = containers(spec)
        .filter(|c| sc(c)["privileged"] == Value::Bool(true))
        .map(|c| {
            (
                name(c),
                "must not set securityContext.privileged=true".to_owned(),
            )
        })
        .collect();
    report.per_container("privileged", Level::Baseline, privileged);

    // Restricted capabilities replace the baseline check (and Windows pods are exempt from it).
    if level == Level::Restricted && version.at_least(22) {
        if windows {
            // exempt
        } else {
            let failing = containers(spec)
                .filter_map(|c| {
                    let caps = &sc(c)["capabilities"];
                    let drops_all = caps["drop"]
                        .as_array()
                        .is_some_and(|d| d.iter().any(|v| v == "ALL"));
                    let bad_adds: Vec<String> = caps["add"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .filter(|a| *a != "NET_BIND_SERVICE")
                        .map(str::to_owned)
                        .collect();
                    let mut problems = Vec::new();
                    if !drops_all {
                        problems.push(
                            "must set securityContext.capabilities.drop=[\"ALL\"]".to_owned(),
                        );
                    }
                    if !bad_adds.is_empty() {
                        problems.push(format!(
                            "must not include {} in securityContext.capabilities.add",
                            quoted(&bad_adds)
                        ));
                    }
                    (!problems.is_empty()).then(|| (name(c), problems.join("; ")))
                })
                .collect();
            report.per_container("capabilities_restricted", Level::Restricted, failing);
        }
    } else {
        let failing = containers(spec)
            .filter_map(|c| {
                let bad: Vec<String> = sc(c)["capabilities"]["add"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .filter(|a| !BASELINE_CAPABILITIES.contains(a))
                    .map(str::to_owned)
                    .collect();
                (!bad.is_empty()).then(|| {
                    (
                        name(c),
                        format!(
                            "must not include {} in securityContext.capabilities.add",
                            quoted(&bad)
                        ),
                    )
                })
            })
            .collect();
        report.per_container("capabilities_baseline", Level::Baseline, failing);
    }

    let volumes: Vec<&Value> = spec["volumes"].as_array().into_iter().flatten().collect();
    if level == Level::Restricted {
        for volume in &volumes {
            // A volume with no source is defaulted to emptyDir before PodSecurity sees it.
            let kind = volume
                .as_object()
                .and_then(|m| m.keys().find(|k| *k != "name").cloned())
                .unwrap_or_else(|| "emptyDir".to_owned());
            if !RESTRICTED_VOLUMES.contains(&kind.as_str()) {
                let vname = volume["name"].as_str().unwrap_or_default();
                report.fail(
                    "restrictedVolumes",
                    Level::Restricted,
                    None,
                    format!("volume \"{vname}\" uses restricted volume type \"{kind}\""),
                );
            }
        }
    } else {
        for volume in volumes.iter().filter(|v| !v["hostPath"].is_null()) {
            let vname = volume["name"].as_str().unwrap_or_default();
            report.fail(
                "hostPathVolumes",
                Level::Baseline,
                None,
                format!("volume \"{vname}\" must not use hostPath"),
            );
        }
    }

    let host_ports = containers(spec)
        .filter_map(|c| {
            let ports: Vec<String> = c["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["hostPort"].as_i64().filter(|hp| *hp != 0))
                .map(|p| p.to_string())
                .collect();
            (!ports.is_empty()).then(|| {
                (
                    name(c),
                    format!("must not use hostPort {}", ports.join(", ")),
                )
            })
        })
        .collect();
    report.per_container("hostPorts", Level::Baseline, host_ports);

    // AppArmor: annotations and fields.
    for (key, value) in annotations.as_object().into_iter().flatten() {
        if let Some(container) = key.strip_prefix("container.apparmor.security.beta.kubernetes.io/")
        {
            let value = value.as_str().unwrap_or_default();
            if !(value.is_empty() || value == "runtime/default" || value.starts_with("localhost/"))
            {
                report.fail(
                    "appArmorProfile",
                    Level::Baseline,
                    Some(container.to_owned()),
                    format!("annotation {key}=\"{value}\" is not allowed"),
                );
            }
        }
    }
    let apparmor_ok = |v: &Value| v.is_null() || v == "RuntimeDefault" || v == "Localhost";
    if !apparmor_ok(&pod_sc["appArmorProfile"]["type"]) {
        report.fail(
            "appArmorProfile",
            Level::Baseline,
            None,
            format!(
                "pod must not set securityContext.appArmorProfile.type={}",
                pod_sc["appArmorProfile"]["type"]
            ),
        );
    }
    let apparmor = containers(spec)
        .filter(|c| !apparmor_ok(&sc(c)["appArmorProfile"]["type"]))
        .map(|c| {
            (
                name(c),
                format!(
                    "must not set securityContext.appArmorProfile.type={}",
                    sc(c)["appArmorProfile"]["type"]
                ),
            )
        })
        .collect();
    report.per_container("appArmorProfile", Level::Baseline, apparmor);

    // SELinux.
    let mut types = vec!["", "container_t", "container_init_t", "container_kvm_t"];
    if version.at_least(31) {
        types.push("container_engine_t");
    }
    let selinux_problem = |options: &Value| -> Option<String> {
        let t = options["type"].as_str().unwrap_or_default();
        if !types.contains(&t) {
            return Some(format!("seLinuxOptions.type \"{t}\" is not allowed"));
        }
        for field in ["user", "role"] {
            if options[field].as_str().is_some_and(|v| !v.is_empty()) {
                return Some(format!("must not set seLinuxOptions.{field}"));
            }
        }
        None
    };
    if let Some(problem) = selinux_problem(&pod_sc["seLinuxOptions"]) {
        report.fail(
            "seLinuxOptions",
            Level::Baseline,
            None,
            format!("pod {problem}"),
        );
    }
    let selinux = containers(spec)
        .filter_map(|c| selinux_problem(&sc(c)["seLinuxOptions"]).map(|p| (name(c), p)))
        .collect();
    report.per_container("seLinuxOptions", Level::Baseline, selinux);

    // /proc mount: restricted replaces baseline from 1.35; user namespaces relax only baseline.
    let proc_ok = |c: &Value| sc(c)["procMount"].is_null() || sc(c)["procMount"] == "Default";
    let unmasked = || -> Vec<(String, String)> {
        containers(spec)
            .filter(|c| !proc_ok(c))
            .map(|c| {
                (
                    name(c),
                    format!(
                        "must not set securityContext.procMount={}",
                        sc(c)["procMount"]
                    ),
                )
            })
            .collect()
    };
    if level == Level::Restricted && version.at_least(35) {
        report.per_container("procMount_restricted", Level::Restricted, unmasked());
    } else if !user_namespaces {
        report.per_container("procMount", Level::Baseline, unmasked());
    }

    // Seccomp: restricted replaces baseline from 1.19.
    let seccomp_type = |v: &Value| v["seccompProfile"]["type"].as_str().map(str::to_owned);
    if level == Level::Restricted && version.at_least(19) {
        if windows {
            // exempt; the restricted check replaces the baseline one
        } else {
            let pod_type = seccomp_type(pod_sc);
            let pod_ok = matches!(pod_type.as_deref(), Some("RuntimeDefault" | "Localhost"));
            if pod_type.is_some() && !pod_ok {
                report.fail(
                    "seccompProfile_restricted",
                    Level::Restricted,
                    None,
                    format!(
                        "pod must not set securityContext.seccompProfile.type to \"{}\"",
                        pod_type.unwrap_or_default()
                    ),
                );
            }
            let failing = containers(spec)
            .filter_map(|c| match seccomp_type(&sc(c)).as_deref() {
                Some("RuntimeDefault" | "Localhost") => None,
                Some(other) => Some((name(c), format!("must not set securityContext.seccompProfile.type to \"{other}\""))),
                None if pod_ok => None,
                None => Some((name(c), "must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"".to_owned())),
            })
            .collect();
            report.per_container("seccompProfile_restricted", Level::Restricted, failing);
        }
    } else if version.at_least(19) {
        if seccomp_type(pod_sc).as_deref() == Some("Unconfined") {
            report.fail(
                "seccompProfile_baseline",
                Level::Baseline,
                None,
                "pod must not set securityContext.seccompProfile.type to \"Unconfined\"".into(),
            );
        }
        let failing = containers(spec)
            .filter(|c| seccomp_type(&sc(c)).as_deref() == Some("Unconfined"))
            .map(|c| {
                (
                    name(c),
                    "must not set securityContext.seccompProfile.type to \"Unconfined\"".to_owned(),
                )
            })
            .collect();
        report.per_container("seccompProfile_baseline", Level::Baseline, failing);
    } else {
        let ok = |v: &str| {
            v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
        };
        for (key, value) in annotations.as_object().into_iter().flatten() {
            let applies = key == "seccomp.security.alpha.kubernetes.io/pod"
                || key.starts_with("container.seccomp.security.alpha.kubernetes.io/");
            if applies && !value.as_str().is_some_and(ok) {
                report.fail(
                    "seccompProfile_baseline",
                    Level::Baseline,
                    None,
                    format!("annotation {key}={value} is not allowed"),
                );
            }
        }
    }

    let sysctls = allowed_sysctls(version);
    for sysctl in pod_sc["sysctls"].as_array().into_iter().flatten() {
        let sysctl_name = sysctl["name"].as_str().unwrap_or_default();
        if !sysctls.contains(&sysctl_name) {
            report.fail(
                "sysctls",
                Level::Baseline,
                None,
                format!("pod must not set sysctl \"{sysctl_name}\""),
            );
        }
    }

    if version.at_least(34) {
        let failing = containers(spec)
            .filter_map(|c| {
                let handlers = ["livenessProbe", "readinessProbe", "startupProbe"]
                    .iter()
                    .map(|p| &c[*p])
                    .chain(["postStart", "preStop"].iter().map(|h| &c["lifecycle"][*h]));
                let bad = handlers
                    .flat_map(|h| [&h["httpGet"]["host"], &h["tcpSocket"]["host"]])
                    .any(|host| host.as_str().is_some_and(|h| !h.is_empty()));
                bad.then(|| {
                    (
                        name(c),
                        "must not set host in probes or lifecycle handlers".to_owned(),
                    )
                })
            })
            .collect();
        report.per_container("hostProbesAndHostLifecycle", Level::Baseline, failing);
    }

    // --- restricted only ---
    if level == Level::Restricted {
        if version.at_least(8) && !windows {
            let failing = containers(spec)
                .filter(|c| sc(c)["allowPrivilegeEscalation"] != Value::Bool(false))
                .map(|c| {
                    (
                        name(c),
                        "must set securityContext.allowPrivilegeEscalation=false".to_owned(),
                    )
                })
                .collect();
            report.per_container("allowPrivilegeEscalation", Level::Restricted, failing);
        }
        if !user_namespaces {
            let pod_value = &pod_sc["runAsNonRoot"];
            if *pod_value == Value::Bool(false) {
                report.fail(
                    "runAsNonRoot",
                    Level::Restricted,
                    None,
                    "pod must not set securityContext.runAsNonRoot=false".into(),
                );
            }
            let pod_true = *pod_value == Value::Bool(true);
            let failing = containers(spec)
                .filter_map(|c| match &sc(c)["runAsNonRoot"] {
                    Value::Bool(false) => Some((
                        name(c),
                        "must not set securityContext.runAsNonRoot=false".to_owned(),
                    )),
                    Value::Bool(true) => None,
                    _ if pod_true => None,
                    _ => Some((
                        name(c),
                        "must set securityContext.runAsNonRoot=true (here or on the pod)"
                            .to_owned(),
                    )),
                })
                .collect();
            report.per_container("runAsNonRoot", Level::Restricted, failing);
            if version.at_least(23) {
                if pod_sc["runAsUser"].as_i64() == Some(0) {
                    report.fail(
                        "runAsUser",
                        Level::Restricted,
                        None,
                        "pod must not set securityContext.runAsUser=0".into(),
                    );
                }
                let failing = containers(spec)
                    .filter(|c| sc(c)["runAsUser"].as_i64() == Some(0))
                    .map(|c| {
                        (
                            name(c),
                            "must not set securityContext.runAsUser=0".to_owned(),
                        )
                    })
                    .collect();
                report.per_container("runAsUser", Level::Restricted, failing);
            }
        }
    }
    report.violations
}

#[cfg(test)]
mod tests;
