use super::*;
use serde_json::json;

fn restricted_pod() -> Value {
    json!({
        "securityContext": {"runAsNonRoot": true, "runAsUser": 65534, "seccompProfile": {"type": "RuntimeDefault"}},
        "initContainers": [container("init")],
        "containers": [container("app")],
        "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "c"}}]
    })
}

fn container(name: &str) -> Value {
    json!({"name": name, "image": "app:1", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}})
}

fn checks(spec: &Value, level: Level, version: &str) -> Vec<(&'static str, Option<String>)> {
    evaluate(spec, &json!({}), level, version.parse().unwrap())
        .into_iter()
        .map(|v| (v.check, v.container))
        .collect()
}

fn with(mut spec: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let mut node = &mut spec;
    for part in parent.split('/').filter(|p| !p.is_empty()) {
        node = match part.parse::<usize>() {
            Ok(i) => &mut node[i],
            Err(_) => {
                if node[part].is_null() {
                    node[part] = json!({});
                }
                &mut node[part]
            }
        };
    }
    match (node.as_array_mut(), key.parse::<usize>()) {
        (Some(items), Ok(index)) => items[index] = value,
        _ => node[key] = value,
    }
    spec
}

#[test]
fn a_hardened_pod_passes_every_version_and_level() {
    for version in ["v1.0", "v1.19", "v1.25", "v1.35", "latest"] {
        for level in [Level::Baseline, Level::Restricted] {
            assert_eq!(
                checks(&restricted_pod(), level, version),
                [],
                "{level:?} {version}"
            );
        }
    }
}

#[test]
fn baseline_controls() {
    let pod = restricted_pod();
    let cases: Vec<(Value, &str)> = vec![
        (
            with(pod.clone(), "/hostNetwork", json!(true)),
            "hostNamespaces",
        ),
        (
            with(
                pod.clone(),
                "/containers/0/securityContext/privileged",
                json!(true),
            ),
            "privileged",
        ),
        (
            with(
                pod.clone(),
                "/containers/0/ports",
                json!([{"containerPort": 80, "hostPort": 8080}]),
            ),
            "hostPorts",
        ),
        (
            with(
                pod.clone(),
                "/securityContext/windowsOptions",
                json!({"hostProcess": true}),
            ),
            "windowsHostProcess",
        ),
        (
            with(
                pod.clone(),
                "/containers/0/securityContext/seLinuxOptions",
                json!({"type": "spc_t"}),
            ),
            "seLinuxOptions",
        ),
        (
            with(
                pod.clone(),
                "/containers/0/securityContext/seLinuxOptions",
                json!({"user": "root"}),
            ),
            "seLinuxOptions",
        ),
        (
            with(
                pod.clone(),
                "/containers/0/securityContext/procMount",
                json!("Unmasked"),
            ),
            "procMount",
        ),
        (
            with(
                pod.clone(),
                "/containers/0/securityContext/appArmorProfile",
                json!({"type": "Unconfined"}),
            ),
            "appArmorProfile",
        ),
        (
            with(
                pod.clone(),
                "/securityContext/sysctls",
                json!([{"name": "kernel.msgmax", "value": "1"}]),
            ),
            "sysctls",
        ),
        (
            with(
                pod.clone(),
                "/volumes/0",
                json!({"name": "h", "hostPath": {"path": "/"}}),
            ),
            "hostPathVolumes",
        ),
        (
            with(
                pod.clone(),
                "/containers/0/securityContext/capabilities/add",
                json!(["SYS_ADMIN"]),
            ),
            "capabilities_baseline",
        ),
        (
            with(
                pod.clone(),
                "/containers/0/securityContext/seccompProfile",
                json!({"type": "Unconfined"}),
            ),
            "seccompProfile_baseline",
        ),
        (
            with(
                pod.clone(),
                "/containers/0/readinessProbe",
                json!({"httpGet": {"host": "10.0.0.1", "port": 80}}),
            ),
            "hostProbesAndHostLifecycle",
        ),
    ];
    for (spec, check) in cases {
        let found = checks(&spec, Level::Baseline, "latest");
        assert!(found.iter().any(|(c, _)| *c == check), "{check}: {found:?}");
    }
}

#[test]
fn restricted_controls_and_their_containers() {
    let pod = restricted_pod();
    let found = checks(
        &with(
            pod.clone(),
            "/initContainers/0/securityContext/allowPrivilegeEscalation",
            json!(true),
        ),
        Level::Restricted,
        "latest",
    );
    assert_eq!(
        found,
        [("allowPrivilegeEscalation", Some("init".to_owned()))]
    );
    let found = checks(
        &with(
            pod.clone(),
            "/containers/0/securityContext/capabilities",
            json!({"add": ["NET_BIND_SERVICE"]}),
        ),
        Level::Restricted,
        "latest",
    );
    assert_eq!(
        found,
        [("capabilities_restricted", Some("app".to_owned()))],
        "drop ALL is required"
    );
    let found = checks(
        &with(
            pod.clone(),
            "/volumes/0",
            json!({"name": "n", "nfs": {"server": "x", "path": "/"}}),
        ),
        Level::Restricted,
        "latest",
    );
    assert_eq!(found, [("restrictedVolumes", None)]);
    let found = checks(
        &with(pod.clone(), "/securityContext/runAsUser", json!(0)),
        Level::Restricted,
        "latest",
    );
    assert_eq!(found, [("runAsUser", None)]);
    // Ephemeral containers are visited too.
    let debug = json!([{"name": "debug", "image": "busybox:1.36"}]);
    let found = checks(
        &with(pod.clone(), "/ephemeralContainers", debug),
        Level::Restricted,
        "latest",
    );
    let names: Vec<&str> = found.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        names,
        ["capabilities_restricted", "allowPrivilegeEscalation"],
        "{found:?}"
    );
}

#[test]
fn pod_level_settings_cover_containers_but_explicit_false_fails() {
    let mut pod = restricted_pod();
    pod["securityContext"] = json!({"seccompProfile": {"type": "RuntimeDefault"}});
    let found = checks(&pod, Level::Restricted, "latest");
    assert_eq!(
        found,
        [
            ("runAsNonRoot", Some("init".to_owned())),
            ("runAsNonRoot", Some("app".to_owned()))
        ]
    );
    let pod = with(
        restricted_pod(),
        "/containers/0/securityContext/runAsNonRoot",
        json!(false),
    );
    assert_eq!(
        checks(&pod, Level::Restricted, "latest"),
        [("runAsNonRoot", Some("app".to_owned()))]
    );
    let mut pod = restricted_pod();
    pod["securityContext"]["seccompProfile"] = Value::Null;
    let found = checks(&pod, Level::Restricted, "latest");
    assert_eq!(
        found.len(),
        2,
        "each container needs a seccomp profile when the pod has none: {found:?}"
    );
}

#[test]
fn versions_change_verdicts_like_the_control_table() {
    // runAsUser=0 is a restricted violation only from v1.23.
    let root = with(restricted_pod(), "/securityContext/runAsUser", json!(0));
    assert_eq!(checks(&root, Level::Restricted, "v1.22"), []);
    assert_eq!(checks(&root, Level::Restricted, "v1.23").len(), 1);
    // Sysctls allowed from v1.29.
    let keepalive = with(
        restricted_pod(),
        "/securityContext/sysctls",
        json!([{"name": "net.ipv4.tcp_keepalive_time", "value": "60"}]),
    );
    assert_eq!(checks(&keepalive, Level::Baseline, "v1.28").len(), 1);
    assert_eq!(checks(&keepalive, Level::Baseline, "v1.29"), []);
    // container_engine_t from v1.31.
    let engine = with(
        restricted_pod(),
        "/containers/0/securityContext/seLinuxOptions",
        json!({"type": "container_engine_t"}),
    );
    assert_eq!(checks(&engine, Level::Baseline, "v1.30").len(), 1);
    assert_eq!(checks(&engine, Level::Baseline, "v1.31"), []);
    // Host probes only from v1.34.
    let probe = with(
        restricted_pod(),
        "/containers/0/livenessProbe",
        json!({"tcpSocket": {"host": "db", "port": 5432}}),
    );
    assert_eq!(checks(&probe, Level::Baseline, "v1.33"), []);
    assert_eq!(checks(&probe, Level::Baseline, "v1.34").len(), 1);
    // Before v1.19 seccomp lives in annotations.
    let annotated = evaluate(
        &restricted_pod(),
        &json!({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}),
        Level::Baseline,
        "v1.18".parse().unwrap(),
    );
    assert_eq!(annotated.len(), 1);
    assert!(
        evaluate(
            &restricted_pod(),
            &json!({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}),
            Level::Baseline,
            "v1.19".parse().unwrap()
        )
        .is_empty()
    );
}

#[test]
fn windows_pods_are_exempt_from_three_restricted_checks_from_v1_25() {
    let mut pod = json!({"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": true}, "containers": [{"name": "w", "image": "win:1"}]});
    assert_eq!(checks(&pod, Level::Restricted, "v1.25"), []);
    let before: Vec<&str> = checks(&pod, Level::Restricted, "v1.24")
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert_eq!(
        before,
        [
            "capabilities_restricted",
            "seccompProfile_restricted",
            "allowPrivilegeEscalation"
        ]
    );
    pod["os"] = Value::Null;
    assert_eq!(checks(&pod, Level::Restricted, "v1.25").len(), 3);
}

#[test]
fn user_namespaces_relax_run_as_checks_from_v1_35() {
    let pod = json!({"hostUsers": false, "securityContext": {"runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}},
                     "containers": [container("app")]});
    assert_eq!(checks(&pod, Level::Restricted, "v1.35"), []);
    let before: Vec<&str> = checks(&pod, Level::Restricted, "v1.34")
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert_eq!(before, ["runAsNonRoot", "runAsUser"]);
    // procMount: baseline relaxes with user namespaces, restricted does not.
    let unmasked = with(
        pod,
        "/containers/0/securityContext/procMount",
        json!("Unmasked"),
    );
    assert_eq!(checks(&unmasked, Level::Baseline, "v1.35"), []);
    assert_eq!(
        checks(&unmasked, Level::Restricted, "v1.35"),
        [("procMount_restricted", Some("app".to_owned()))]
    );
}

#[test]
fn versions_parse_and_refuse_nonsense() {
    assert_eq!("latest".parse::<Version>().unwrap(), Version::LATEST);
    assert_eq!("v1.30".parse::<Version>().unwrap().to_string(), "v1.30");
    assert_eq!("v1.99".parse::<Version>().unwrap(), Version::LATEST);
    assert!(
        "1.30"
            .parse::<Version>()
            .unwrap_err()
            .contains("`latest` or `v1.N`")
    );
}

#[test]
fn the_insecure_sample_fails_restricted_and_the_hardened_one_passes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hastecrm");
    for (variant, expect_clean) in [("insecure", false), ("hardened", true)] {
        let manifests =
            shipshape::manifests::load(&[shipshape::manifests::Input::Path(root.join(variant))])
                .into_result()
                .unwrap();
        for m in manifests
            .iter()
            .filter(|m| shipshape::workload::is_workload(&m.object))
        {
            let spec = shipshape::workload::pod_spec(&m.object).unwrap();
            let annotations = shipshape::workload::pod_metadata(&m.object)
                .map_or(Value::Null, |meta| meta["annotations"].clone());
            let violations = evaluate(spec, &annotations, Level::Restricted, Version::LATEST);
            assert_eq!(
                violations.is_empty(),
                expect_clean,
                "{variant} {}: {violations:?}",
                m.id()
            );
        }
    }
}
