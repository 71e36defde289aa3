//! The API server as the oracle: its PodSecurity, LimitRanger and ResourceQuota admission
//! decide a corpus of pods, and `kubectl harden audit` and `kubectl quota check` must predict
//! every verdict and message. The PodSecurity corpus runs only against a real control plane
//! (tests/realcluster/e2e.sh, or `SHIPSHAPE_E2E_KUBECONFIG`): simcluster has no PodSecurity
//! admission. The quota corpus runs against both: simcluster admits pods with its own port of
//! upstream's LimitRanger and ResourceQuota (tests/simcluster/src/admission), not with the
//! `shipshape::admission` code `quota check` uses, so on simcluster it compares two independent
//! implementations and on the real control plane it checks both against the real one.

use std::collections::BTreeMap;

use e2e::{Cluster, Run, kubectl_available};

/// The PSS version the namespaces enforce and harden audits at.
const PSS_VERSION: &str = "v1.37";

fn real_cluster() -> Option<Cluster> {
    if !kubectl_available() {
        return None;
    }
    if e2e::real_cluster().is_none() {
        eprintln!(
            "skipped: needs a real API server as the oracle (tests/realcluster/e2e.sh runs it)"
        );
        return None;
    }
    Some(Cluster::start(&[]))
}

/// Waits until the namespace's default ServiceAccount exists: the ServiceAccount admission
/// plugin refuses pods before the controller has made it.
fn await_service_account(cluster: &Cluster, namespace: &str) {
    for _ in 0..200 {
        if cluster
            .kubectl(&["get", "serviceaccount", "default", "-n", namespace])
            .code
            == Some(0)
        {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("no default ServiceAccount in {namespace} after 20 s");
}

/// The server's verdict on creating `pod` in `namespace` (dry run: admission runs, nothing is
/// stored): Ok when admitted, Err(message) when admission forbids it. Anything else (invalid,
/// unreachable) fails the test: the corpus must hold only valid pods.
fn server_verdict(cluster: &Cluster, namespace: &str, pod: &str) -> Result<(), String> {
    let out: Run = cluster.kubectl_stdin(
        &["create", "--dry-run=server", "-n", namespace, "-f", "-"],
        pod,
    );
    if out.code == Some(0) {
        return Ok(());
    }
    let message = out
        .stderr
        .trim()
        .trim_start_matches("Error from server (Forbidden): error when creating \"STDIN\": ")
        .to_owned();
    // Forbidden by admission, or resources invalid once LimitRanger's defaults are in (a
    // request above its defaulted limit, hugepages without cpu or memory): both are the
    // server's verdict on the pod as admission leaves it.
    assert!(
        out.stderr.contains("(Forbidden)")
            || (out.stderr.contains("is invalid:") && out.stderr.contains(".resources")),
        "the server refused the pod for another reason than admission: {out:?}\n{pod}"
    );
    Err(message)
}

fn pod(name: &str, spec: &str) -> String {
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n{spec}")
}

/// A restricted-compliant pod spec with `pod_extra` added to its pod securityContext section,
/// `container_security` to its container's securityContext and `extra` to the spec.
fn restricted(pod_security: &str, container_security: &str, extra: &str) -> String {
    format!(
        "  securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}{pod_security}}}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext: {{allowPrivilegeEscalation: false, capabilities: {{drop: [ALL]{container_security}}}}}
{extra}"
    )
}

/// (name, pod spec): each case changes one PSS control.
fn pss_corpus() -> Vec<(&'static str, String)> {
    let r = restricted;
    vec![
        ("restricted", r("", "", "")),
        (
            "bare",
            "  containers: [{name: app, image: registry.example/app:1.0}]\n".to_owned(),
        ),
        (
            "privileged",
            "  containers: [{name: app, image: registry.example/app:1.0, securityContext: {privileged: true}}]\n"
                .to_owned(),
        ),
        ("host-network", r("", "", "  hostNetwork: true\n")),
        ("host-pid", r("", "", "  hostPID: true\n")),
        ("host-ipc", r("", "", "  hostIPC: true\n")),
        (
            "host-path",
            r(
                "",
                "",
                "  volumes: [{name: logs, hostPath: {path: /var/log}}]\n",
            ),
        ),
        (
            "host-port",
            format!(
                "{}    ports: [{{containerPort: 8080, hostPort: 8080}}]\n",
                r("", "", "")
            ),
        ),
        ("cap-net-admin", r("", ", add: [NET_ADMIN]", "")),
        ("cap-net-bind-service", r("", ", add: [NET_BIND_SERVICE]", "")),
        ("cap-chown", r("", ", add: [CHOWN]", "")),
        (
            "no-drop-all",
            "  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext: {allowPrivilegeEscalation: false}
"
            .to_owned(),
        ),
        (
            "privilege-escalation",
            "  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext: {allowPrivilegeEscalation: true, capabilities: {drop: [ALL]}}
"
            .to_owned(),
        ),
        (
            "run-as-root-allowed",
            "  securityContext: {seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
"
            .to_owned(),
        ),
        (
            "run-as-non-root-false",
            "  securityContext: {runAsNonRoot: false, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
"
            .to_owned(),
        ),
        ("run-as-user-0", r(", runAsUser: 0", "", "")),
        ("run-as-user-1000", r(", runAsUser: 1000", "", "")),
        (
            "seccomp-unconfined",
            "  securityContext: {runAsNonRoot: true, seccompProfile: {type: Unconfined}}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
"
            .to_owned(),
        ),
        (
            "seccomp-missing",
            "  securityContext: {runAsNonRoot: true}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
"
            .to_owned(),
        ),
        (
            "seccomp-on-container-only",
            "  securityContext: {runAsNonRoot: true}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}
"
            .to_owned(),
        ),
        (
            "seccomp-localhost",
            r(
                "",
                "",
                "",
            )
            .replace("type: RuntimeDefault", "type: Localhost, localhostProfile: profiles/app.json"),
        ),
        ("sysctl-safe", r(", sysctls: [{name: kernel.shm_rmid_forced, value: '0'}]", "", "")),
        ("sysctl-unsafe", r(", sysctls: [{name: kernel.msgmax, value: '65536'}]", "", "")),
        ("apparmor-unconfined", r(", appArmorProfile: {type: Unconfined}", "", "")),
        ("apparmor-runtime-default", r(", appArmorProfile: {type: RuntimeDefault}", "", "")),
        ("selinux-spc", r(", seLinuxOptions: {type: spc_t}", "", "")),
        ("selinux-container", r(", seLinuxOptions: {type: container_t}", "", "")),
        ("selinux-user", r(", seLinuxOptions: {user: system_u}", "", "")),
        (
            "volume-nfs",
            r("", "", "  volumes: [{name: nfs-data, nfs: {server: nfs.example, path: /}}]\n"),
        ),
        (
            "volume-empty-dir",
            r("", "", "  volumes: [{name: scratch, emptyDir: {}}]\n"),
        ),
        (
            "init-privileged",
            format!(
                "{}  initContainers: [{{name: init, image: registry.example/init:1.0, securityContext: {{privileged: true}}}}]\n",
                r("", "", "")
            ),
        ),
        (
            "init-not-restricted",
            format!(
                "{}  initContainers: [{{name: init, image: registry.example/init:1.0}}]\n",
                r("", "", "")
            ),
        ),
    ]
}

#[test]
fn pod_security_admission_rejects_exactly_the_pods_harden_flags_at_each_level() {
    let Some(cluster) = real_cluster() else {
        return;
    };
    let corpus = pss_corpus();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("pods.yaml");
    let all: Vec<String> = corpus
        .iter()
        .map(|(name, spec)| pod(&format!("p-{name}"), spec))
        .collect();
    std::fs::write(&file, all.join("---\n")).expect("write corpus");

    let mut disagreements = Vec::new();
    for level in ["baseline", "restricted"] {
        let namespace = e2e::unique_namespace(&format!("pss-{level}"));
        cluster.ok(&["create", "namespace", &namespace]);
        cluster.ok(&[
            "label",
            "namespace",
            &namespace,
            &format!("pod-security.kubernetes.io/enforce={level}"),
            &format!("pod-security.kubernetes.io/enforce-version={PSS_VERSION}"),
        ]);
        await_service_account(&cluster, &namespace);

        let out = cluster.kubectl(&[
            "harden",
            "audit",
            "-f",
            file.to_str().expect("utf-8 path"),
            "--level",
            level,
            "--pss-version",
            PSS_VERSION,
            "-o",
            "json",
        ]);
        let report: serde_json::Value =
            serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
        let standards: &[&str] = if level == "baseline" {
            &["pss-baseline"]
        } else {
            &["pss-baseline", "pss-restricted"]
        };
        let mut flagged: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for finding in report["findings"].as_array().expect("findings") {
            if standards.contains(&finding["standard"].as_str().unwrap_or_default()) {
                flagged
                    .entry(
                        finding["object"]["name"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    )
                    .or_default()
                    .push(finding["check"].as_str().unwrap_or_default().to_owned());
            }
        }
        for ((name, _), manifest) in corpus.iter().zip(&all) {
            let object = format!("p-{name}");
            let server = server_verdict(&cluster, &namespace, manifest);
            let ours = flagged.get(&object);
            match (&server, ours) {
                (Ok(()), None) => {}
                (Err(message), Some(_)) => assert!(
                    message.contains("violates PodSecurity"),
                    "{object}: refused, but not by PodSecurity: {message}"
                ),
                (Ok(()), Some(checks)) => disagreements.push(format!(
                    "{level}/{object}: the server admits it; harden flags {checks:?}"
                )),
                (Err(message), None) => disagreements.push(format!(
                    "{level}/{object}: harden passes it; the server says {message}"
                )),
            }
        }
        cluster.ok(&["delete", "namespace", &namespace, "--wait=false"]);
    }
    assert!(
        disagreements.is_empty(),
        "harden audit and PodSecurity admission disagree:\n{}",
        disagreements.join("\n")
    );
}

/// (name, the namespace's LimitRanges and ResourceQuotas, the pod's spec).
fn quota_corpus() -> Vec<(&'static str, &'static str, &'static str)> {
    const CPU_QUOTA: &str = "apiVersion: v1
kind: ResourceQuota
metadata: {name: compute}
spec: {hard: {requests.cpu: '1', requests.memory: 1Gi, limits.memory: 2Gi, pods: '3'}}
";
    vec![
        (
            "within-quota",
            CPU_QUOTA,
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {memory: 512Mi}}}]\n",
        ),
        (
            "over-cpu-quota",
            CPU_QUOTA,
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {cpu: '2', memory: 256Mi}, limits: {memory: 512Mi}}}]\n",
        ),
        (
            "over-limits-memory-quota",
            CPU_QUOTA,
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 3Gi}}}]\n",
        ),
        (
            "unspecified-under-quota",
            CPU_QUOTA,
            "  containers: [{name: a, image: registry.example/a:1}]\n",
        ),
        (
            "explicit-zero-requests",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: cpu}
spec: {hard: {requests.cpu: '1'}}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {cpu: '0'}}}]\n",
        ),
        (
            "limitrange-defaults-satisfy-quota",
            "apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 512Mi}
    defaultRequest: {cpu: 200m, memory: 256Mi}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute}
spec: {hard: {requests.cpu: '1', requests.memory: 1Gi, limits.memory: 2Gi}}
",
            "  containers: [{name: a, image: registry.example/a:1}]\n",
        ),
        (
            "limitrange-defaults-exceed-quota",
            "apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
  - type: Container
    default: {cpu: '2'}
    defaultRequest: {cpu: '2'}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: cpu}
spec: {hard: {requests.cpu: '1'}}
",
            "  containers: [{name: a, image: registry.example/a:1}]\n",
        ),
        (
            "limitrange-max",
            "apiVersion: v1
kind: LimitRange
metadata: {name: bounds}
spec:
  limits:
  - type: Container
    max: {cpu: '1'}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {cpu: 500m}, limits: {cpu: '2'}}}]\n",
        ),
        (
            "limitrange-min",
            "apiVersion: v1
kind: LimitRange
metadata: {name: bounds}
spec:
  limits:
  - type: Container
    min: {memory: 64Mi}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {memory: 32Mi}, limits: {memory: 128Mi}}}]\n",
        ),
        (
            "limitrange-ratio",
            "apiVersion: v1
kind: LimitRange
metadata: {name: ratio}
spec:
  limits:
  - type: Container
    maxLimitRequestRatio: {cpu: '2'}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {cpu: 100m}, limits: {cpu: 500m}}}]\n",
        ),
        (
            "limitrange-pod-max",
            "apiVersion: v1
kind: LimitRange
metadata: {name: pod}
spec:
  limits:
  - type: Pod
    max: {cpu: '1'}
",
            "  containers:
  - {name: a, image: registry.example/a:1, resources: {requests: {cpu: 600m}, limits: {cpu: 600m}}}
  - {name: b, image: registry.example/b:1, resources: {requests: {cpu: 600m}, limits: {cpu: 600m}}}
",
        ),
        (
            "limitrange-default-limit-below-request",
            "apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
  - type: Container
    default: {cpu: 500m}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {cpu: 700m}}}]\n",
        ),
        (
            "pod-count-full",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: count}
spec: {hard: {pods: '0'}}
",
            "  containers: [{name: a, image: registry.example/a:1}]\n",
        ),
        (
            "plain-cpu-name",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: plain}
spec: {hard: {cpu: '1'}}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {cpu: '2'}}}]\n",
        ),
        (
            "best-effort-scope-best-effort-pod",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: best-effort}
spec: {hard: {pods: '0'}, scopes: [BestEffort]}
",
            "  containers: [{name: a, image: registry.example/a:1}]\n",
        ),
        (
            "best-effort-scope-burstable-pod",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: best-effort}
spec: {hard: {pods: '0'}, scopes: [BestEffort]}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {cpu: 100m}}}]\n",
        ),
        (
            "not-best-effort-scope-best-effort-pod",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: not-best-effort}
spec: {hard: {requests.cpu: '0'}, scopes: [NotBestEffort]}
",
            "  containers: [{name: a, image: registry.example/a:1}]\n",
        ),
        (
            "best-effort-scope-explicit-zero-requests",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: best-effort}
spec: {hard: {pods: '0'}, scopes: [BestEffort]}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {cpu: '0', memory: '0'}}}]\n",
        ),
        (
            "not-best-effort-scope-ephemeral-storage-only",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: not-best-effort}
spec: {hard: {pods: '0'}, scopes: [NotBestEffort]}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {ephemeral-storage: 1Gi}}}]\n",
        ),
        (
            "best-effort-scope-hugepages-with-zero-cpu",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: best-effort}
spec: {hard: {pods: '0'}, scopes: [BestEffort]}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {cpu: '0', hugepages-2Mi: 4Mi}, limits: {hugepages-2Mi: 4Mi}}}]\n",
        ),
        (
            "plain-hugepages-name",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: huge}
spec: {hard: {hugepages-2Mi: 2Mi}}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {limits: {memory: 64Mi, hugepages-2Mi: 4Mi}}}]\n",
        ),
        (
            "hugepages-without-cpu-or-memory",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: count}
spec: {hard: {pods: '5'}}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {limits: {hugepages-2Mi: 4Mi}}}]\n",
        ),
        (
            "extended-resource-request-without-limit",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: gpus}
spec: {hard: {requests.example.com/gpu: '4'}}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {requests: {example.com/gpu: '1'}}}]\n",
        ),
        (
            "extended-resource-quota",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: gpus}
spec: {hard: {requests.example.com/gpu: '1'}}
",
            "  containers: [{name: a, image: registry.example/a:1, resources: {limits: {example.com/gpu: '2'}}}]\n",
        ),
        (
            "terminating-scope-long-running-pod",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: terminating}
spec: {hard: {pods: '0'}, scopes: [Terminating]}
",
            "  containers: [{name: a, image: registry.example/a:1}]\n",
        ),
        (
            "terminating-scope-deadline-pod",
            "apiVersion: v1
kind: ResourceQuota
metadata: {name: terminating}
spec: {hard: {pods: '0'}, scopes: [Terminating]}
",
            "  activeDeadlineSeconds: 60\n  containers: [{name: a, image: registry.example/a:1}]\n",
        ),
    ]
}

/// Waits until the quota controller has written every quota's `status.hard`: until then
/// ResourceQuota admission refuses pods ("status unknown for quota").
fn await_quota_status(cluster: &Cluster, namespace: &str) {
    for _ in 0..300 {
        let out = cluster.ok(&["get", "resourcequotas", "-n", namespace, "-o", "json"]);
        let list: serde_json::Value = serde_json::from_str(&out).expect("a list");
        if list["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|q| q["status"]["hard"].is_object())
        {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the quota controller did not fill status.hard in {namespace} within 30 s");
}

#[test]
fn quota_check_predicts_limit_ranger_and_resource_quota_admission() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut disagreements = Vec::new();
    let mut messages = Vec::new();
    for (i, (name, setup, spec)) in quota_corpus().into_iter().enumerate() {
        let namespace = e2e::unique_namespace(&format!("quota-oracle-{i}"));
        cluster.ok(&["create", "namespace", &namespace]);
        let out = cluster.kubectl_stdin(&["apply", "-n", &namespace, "-f", "-"], setup);
        assert_eq!(out.code, Some(0), "{name}: {out:?}");
        await_quota_status(&cluster, &namespace);
        if e2e::real_cluster().is_some() {
            // simcluster has no ServiceAccount admission to wait for.
            await_service_account(&cluster, &namespace);
        }

        let manifest = pod(name, spec);
        let server = server_verdict(&cluster, &namespace, &manifest);
        let file = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&file, &manifest).expect("write pod");
        let out = cluster.kubectl(&[
            "quota",
            "check",
            "-n",
            &namespace,
            "-f",
            file.to_str().expect("utf-8 path"),
            "-o",
            "json",
        ]);
        let report: serde_json::Value =
            serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{name}: {e}: {out:?}"));
        let workload = &report["workloads"][0];
        let admitted = workload["admitted"].as_bool().expect("admitted");
        let ours: Vec<&str> = workload["problems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["message"].as_str())
            .collect();
        match (&server, admitted) {
            (Ok(()), true) => {}
            (Err(message), false) => {
                if !ours
                    .iter()
                    .any(|m| message.ends_with(m) || message.contains(m))
                {
                    messages.push(format!("{name}:\n  server: {message}\n  ours:   {ours:?}"));
                }
            }
            (Ok(()), false) => disagreements.push(format!(
                "{name}: the server admits it; quota check says {ours:?}"
            )),
            (Err(message), true) => disagreements.push(format!(
                "{name}: quota check admits it; the server says {message}"
            )),
        }
        cluster.ok(&["delete", "namespace", &namespace, "--wait=false"]);
    }
    assert!(
        disagreements.is_empty(),
        "quota check and the API server's admission disagree:\n{}",
        disagreements.join("\n")
    );
    assert!(
        messages.is_empty(),
        "same verdict, other words (quota check must give the server's message):\n{}",
        messages.join("\n")
    );
}
