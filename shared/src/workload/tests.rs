use super::*;
use crate::manifests::{Input, load};
use serde_json::json;

fn container(name: &str) -> Value {
    json!({"name": name, "image": format!("{name}:1")})
}

fn pod_spec_json() -> Value {
    json!({
        "initContainers": [container("init")],
        "containers": [container("app"), container("sidecar")],
        "ephemeralContainers": [container("debug")]
    })
}

fn with_template(kind: &str, api_version: &str) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "x"},
        "spec": {
            "selector": {"matchLabels": {"app": "x"}},
            "template": {"metadata": {"labels": {"app": "x"}}, "spec": pod_spec_json()}
        }
    })
}

fn every_kind() -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "labels": {"app": "x"}}, "spec": pod_spec_json()}),
        with_template("Deployment", "apps/v1"),
        with_template("StatefulSet", "apps/v1"),
        with_template("DaemonSet", "apps/v1"),
        with_template("ReplicaSet", "apps/v1"),
        json!({
            "apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "x"},
            "spec": {"replicas": 4, "selector": {"app": "x"}, "template": {"metadata": {"labels": {"app": "x"}}, "spec": pod_spec_json()}}
        }),
        json!({
            "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "x"},
            "spec": {"parallelism": 2, "template": {"metadata": {"labels": {"app": "x"}}, "spec": pod_spec_json()}}
        }),
        json!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "x"},
            "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app": "x"}}, "spec": pod_spec_json()}}}}
        }),
        with_template("Rollout", "argoproj.io/v1alpha1"),
    ]
}

#[test]
fn every_kind_yields_its_pod_spec_and_containers_in_order() {
    for object in every_kind() {
        let kind = object["kind"].as_str().unwrap().to_owned();
        assert!(is_workload(&object), "{kind}");
        let names: Vec<(ContainerKind, &str)> = containers(&object)
            .iter()
            .map(|c| (c.kind, c.name))
            .collect();
        assert_eq!(
            names,
            [
                (ContainerKind::Init, "init"),
                (ContainerKind::App, "app"),
                (ContainerKind::App, "sidecar"),
                (ContainerKind::Ephemeral, "debug"),
            ],
            "{kind}"
        );
        let spec = typed_pod_spec(&object).unwrap().expect("has a pod spec");
        assert_eq!(spec.containers.len(), 2, "{kind}");
        let meta = typed_pod_metadata(&object)
            .unwrap()
            .expect("has pod metadata");
        assert_eq!(meta.labels.unwrap()["app"], "x", "{kind}");
    }
}

#[test]
fn replicas_follow_the_api_server_defaults() {
    let counts: Vec<(String, Option<i64>)> = every_kind()
        .iter()
        .map(|o| (o["kind"].as_str().unwrap().to_owned(), replicas(o)))
        .collect();
    assert_eq!(
        counts,
        [
            ("Pod".into(), Some(1)),
            ("Deployment".into(), Some(1)),
            ("StatefulSet".into(), Some(1)),
            ("DaemonSet".into(), None),
            ("ReplicaSet".into(), Some(1)),
            ("ReplicationController".into(), Some(4)),
            ("Job".into(), Some(2)),
            ("CronJob".into(), Some(1)),
            ("Rollout".into(), Some(1)),
        ]
    );
}

#[test]
fn selectors_come_typed_including_replication_controllers() {
    for object in every_kind() {
        let kind = object["kind"].as_str().unwrap();
        let selector = selector(&object);
        match kind {
            "Pod" | "Job" | "CronJob" => assert_eq!(selector, None, "{kind}"),
            _ => assert_eq!(
                selector
                    .and_then(|s| s.match_labels)
                    .map(|l| l["app"].clone()),
                Some("x".to_owned()),
                "{kind}"
            ),
        }
    }
}

#[test]
fn container_paths_name_the_field() {
    let cron = &every_kind()[7];
    let paths: Vec<String> = containers(cron).iter().map(|c| c.path(cron)).collect();
    assert_eq!(
        paths[0],
        "spec.jobTemplate.spec.template.spec.initContainers[0]"
    );
    assert_eq!(
        paths[2],
        "spec.jobTemplate.spec.template.spec.containers[1]"
    );
    let pod = &every_kind()[0];
    assert_eq!(containers(pod)[3].path(pod), "spec.ephemeralContainers[0]");
}

#[test]
fn edits_in_place_keep_unknown_fields() {
    let mut object = with_template("Rollout", "argoproj.io/v1alpha1");
    object["spec"]["template"]["spec"]["x-custom"] = json!("kept");
    for_each_container_mut(&mut object, |kind, _, c| {
        if kind == ContainerKind::Init {
            c["resources"] = json!({"limits": {"cpu": "50m"}});
        }
    });
    pod_metadata_mut(&mut object).unwrap()["annotations"] = json!({"a": "b"});
    assert!(set_replicas(&mut object, 5));
    assert_eq!(
        object["spec"]["template"]["spec"]["initContainers"][0]["resources"]["limits"]["cpu"],
        "50m"
    );
    assert_eq!(object["spec"]["template"]["spec"]["x-custom"], "kept");
    assert_eq!(
        object["spec"]["template"]["metadata"]["annotations"]["a"],
        "b"
    );
    assert_eq!(replicas(&object), Some(5));
}

#[test]
fn typed_writes_replace_the_pod_spec() {
    let mut object = every_kind()[7].clone();
    let mut spec = typed_pod_spec(&object).unwrap().unwrap();
    spec.containers.truncate(1);
    assert!(set_pod_spec(&mut object, &spec).unwrap());
    assert_eq!(containers(&object).len(), 3);
    let mut service = json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": []}});
    assert!(!set_pod_spec(&mut service, &spec).unwrap());
    assert!(!set_replicas(&mut service, 2));
    assert!(
        !set_replicas(&mut every_kind()[3].clone(), 2),
        "DaemonSets have no replicas"
    );
}

#[test]
fn non_workloads_have_no_pod_template() {
    let service =
        json!({"apiVersion": "v1", "kind": "Service", "spec": {"template": "not an object"}});
    assert!(!is_workload(&service));
    assert_eq!(containers(&service), []);
    assert_eq!(replicas(&service), None);
    assert_eq!(typed_pod_spec(&service).unwrap(), None);
}

#[test]
fn the_insecure_sample_has_init_containers_without_resources() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hastecrm/insecure");
    let manifests = load(&[Input::Path(dir)]).into_result().unwrap();
    let workloads: Vec<&str> = manifests
        .iter()
        .filter(|m| is_workload(&m.object))
        .map(|m| m.name())
        .collect();
    assert_eq!(
        workloads,
        [
            "api",
            "session-cleanup",
            "migration",
            "postgres",
            "redis",
            "web",
            "workers"
        ]
    );
    let api = manifests
        .iter()
        .find(|m| m.id() == "Deployment/api")
        .unwrap();
    let init = containers(&api.object)
        .into_iter()
        .find(|c| c.kind == ContainerKind::Init)
        .unwrap();
    assert_eq!(init.name, "wait-for-postgres");
    assert!(init.typed().unwrap().resources.is_none());
}
