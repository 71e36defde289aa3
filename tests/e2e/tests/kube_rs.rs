//! kube-rs and the shared client crate against simcluster: list, watch, patch and apply through
//! `kube::Api`; the user agent and impersonation headers on the wire; RBAC and throttling faults.

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use serde_json::json;
use shipshape::apply::{Applier, DryRun};
use shipshape::flags::KubeFlags;
use shipshape::{ApiCall, Kube, Plugin};
use simcluster::{Faults, Forbid, Options, SimCluster};

const PLUGIN: Plugin = Plugin {
    name: "e2e",
    version: "0.0.0",
};

async fn connect(cluster: &SimCluster, flags: KubeFlags) -> Kube {
    let flags = KubeFlags {
        kubeconfig: Some(cluster.kubeconfig().to_path_buf()),
        ..flags
    };
    Kube::connect(&flags, PLUGIN).await.expect("connects")
}

async fn namespace(kube: &Kube, name: &str) {
    let api: Api<Namespace> = Api::all(kube.client.clone());
    let ns: Namespace =
        serde_json::from_value(json!({"metadata": {"name": name}})).expect("namespace");
    api.create(&PostParams::default(), &ns)
        .await
        .expect("namespace created");
}

#[tokio::test]
async fn the_client_sends_its_user_agent_and_impersonation_headers() {
    let cluster = SimCluster::start(Options::default()).await.expect("starts");
    let flags = KubeFlags {
        as_user: Some("jane".into()),
        as_group: vec!["dev".into(), "ops".into()],
        ..KubeFlags::default()
    };
    let kube = connect(&cluster, flags).await;
    assert_eq!(kube.context.as_deref(), Some(simcluster::CONTEXT));
    let version = kube.client.apiserver_version().await.expect("version");
    assert_eq!(version.git_version, "v1.33.0-simcluster");
    let requests = cluster.requests();
    let request = requests
        .iter()
        .find(|r| r.uri.starts_with("/version"))
        .unwrap_or_else(|| panic!("no /version request in {requests:?}"));
    assert_eq!(request.user_agent, "shipshape-e2e/0.0.0");
    assert_eq!(request.impersonate_user.as_deref(), Some("jane"));
    assert_eq!(request.impersonate_groups, ["dev", "ops"]);
}

#[tokio::test]
async fn list_paginate_watch_patch_and_apply() {
    let cluster = SimCluster::start(Options::default()).await.expect("starts");
    let kube = connect(&cluster, KubeFlags::default()).await;
    namespace(&kube, "team").await;
    let maps: Api<ConfigMap> = Api::namespaced(kube.client.clone(), "team");
    for i in 0..5 {
        let cm: ConfigMap = serde_json::from_value(
            json!({"metadata": {"name": format!("cm-{i}"), "labels": {"n": i.to_string()}}}),
        )
        .expect("cm");
        maps.create(&PostParams::default(), &cm)
            .await
            .expect("created");
    }
    // Pagination: pages of two, continue tokens, nothing lost.
    let first = maps
        .list(&ListParams::default().limit(2))
        .await
        .expect("page 1");
    assert_eq!(first.items.len(), 2);
    let token = first.metadata.continue_.clone().expect("a continue token");
    let second = maps
        .list(&ListParams::default().limit(2).continue_token(&token))
        .await
        .expect("page 2");
    assert_eq!(second.items[0].metadata.name.as_deref(), Some("cm-2"));
    let selected = maps
        .list(&ListParams::default().labels("n in (1,3)"))
        .await
        .expect("selected");
    assert_eq!(selected.items.len(), 2);

    // Watch from the list's resourceVersion sees the next change.
    let rv = first.metadata.resource_version.clone().expect("rv");
    let mut stream = maps
        .watch(&WatchParams::default().timeout(5), &rv)
        .await
        .expect("watch")
        .boxed();
    maps.patch(
        "cm-0",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"k": "v"}})),
    )
    .await
    .expect("merge patch");
    let event = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .expect("an event in time")
        .expect("no error")
        .expect("an event");
    match event {
        WatchEvent::Modified(cm) => assert_eq!(cm.data.expect("data")["k"], "v"),
        other => panic!("expected MODIFIED, got {other:?}"),
    }

    // Server-side apply through the shared crate: field manager, server dry run, diff.
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "team"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "web:1"}]}}}
    });
    let harden = Plugin {
        name: "harden",
        version: "0.0.0",
    };
    let dry = Applier::new(&kube, harden, DryRun::Server)
        .apply(&deployment)
        .await
        .expect("dry run");
    assert!(dry.before.is_none() && dry.changed());
    let deployments: Api<Deployment> = Api::namespaced(kube.client.clone(), "team");
    assert!(
        deployments.get_opt("web").await.expect("get").is_none(),
        "a server dry run persists nothing"
    );
    let applied = Applier::new(&kube, harden, DryRun::None)
        .apply(&deployment)
        .await
        .expect("applied");
    assert!(
        applied.diff().contains("+  replicas: 2"),
        "{}",
        applied.diff()
    );
    let live = deployments.get("web").await.expect("exists");
    let managers: Vec<String> = live
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert_eq!(managers, ["shipshape-harden"]);
    let mut changed = deployment.clone();
    changed["spec"]["replicas"] = json!(3);
    let again = Applier::new(&kube, harden, DryRun::None)
        .apply(&changed)
        .await
        .expect("re-applied");
    assert!(
        again.diff().contains("-  replicas: 2\n+  replicas: 3"),
        "{}",
        again.diff()
    );

    // A plain kube-rs apply patch by another manager that disagrees is a conflict.
    let err = deployments
        .patch(
            "web",
            &PatchParams::apply("someone-else"),
            &Patch::Apply(&deployment),
        )
        .await
        .expect_err("conflict");
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 409),
        "{err:?}"
    );
}

#[tokio::test]
async fn rbac_denials_are_explained_with_verb_resource_and_namespace() {
    let cluster = SimCluster::start(Options::default()).await.expect("starts");
    cluster.set_faults(Faults {
        forbid: vec![Forbid {
            verb: "list".into(),
            resource: "deployments".into(),
            namespace: Some("prod".into()),
        }],
        ..Faults::default()
    });
    let kube = connect(&cluster, KubeFlags::default()).await;
    let api: Api<Deployment> = Api::namespaced(kube.client.clone(), "prod");
    let err = api
        .list(&ListParams::default())
        .await
        .expect_err("forbidden");
    let explained = kube
        .explain(
            ApiCall::new("list", "deployments.apps").in_namespace("prod"),
            err,
        )
        .to_string();
    assert!(explained.starts_with("forbidden: RBAC does not allow the user of context `simcluster` to list deployments.apps in namespace `prod`"), "{explained}");
    assert!(
        explained.contains(
            "cannot list resource \"deployments\" in API group \"apps\" in the namespace \"prod\""
        ),
        "{explained}"
    );
    // Other namespaces are not affected.
    Api::<Deployment>::namespaced(kube.client.clone(), "default")
        .list(&ListParams::default())
        .await
        .expect("allowed");
}

#[tokio::test]
async fn throttling_is_retried_and_request_counts_stay_flat() {
    let cluster = SimCluster::start(Options::default()).await.expect("starts");
    let kube = connect(&cluster, KubeFlags::default()).await;
    cluster.set_faults(Faults {
        throttle_rate: 0.3,
        ..Faults::default()
    });
    let api: Api<Namespace> = Api::all(kube.client.clone());
    for _ in 0..10 {
        api.list(&ListParams::default())
            .await
            .expect("429s are retried after Retry-After");
    }
    cluster.set_faults(Faults::default());
    cluster.reset_counters();
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::all(kube.client.clone());
    pods.list(&ListParams::default()).await.expect("all pods");
    let counters = cluster.counters();
    assert_eq!(
        counters.get(&("list".to_owned(), "pods".to_owned(), String::new())),
        Some(&1),
        "{counters:?}"
    );
}

#[tokio::test]
async fn a_watch_from_an_expired_version_is_gone() {
    let cluster = SimCluster::start(Options {
        watch_history: 5,
        ..Options::default()
    })
    .await
    .expect("starts");
    let kube = connect(&cluster, KubeFlags::default()).await;
    let maps: Api<ConfigMap> = Api::namespaced(kube.client.clone(), "default");
    let start = maps
        .list(&ListParams::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    for i in 0..10 {
        let cm: ConfigMap =
            serde_json::from_value(json!({"metadata": {"name": format!("c{i}")}})).expect("cm");
        maps.create(&PostParams::default(), &cm)
            .await
            .expect("created");
    }
    let mut stream = maps
        .watch(&WatchParams::default().timeout(5), &start)
        .await
        .expect("watch")
        .boxed();
    match stream
        .try_next()
        .await
        .expect("no transport error")
        .expect("an event")
    {
        WatchEvent::Error(status) => {
            assert_eq!(status.code, 410);
            assert_eq!(status.reason, "Expired");
        }
        other => panic!("expected 410 Gone, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_auth_can_i_follows_rbac() {
    if !e2e::kubectl_available() {
        return;
    }
    let cluster = SimCluster::start(Options {
        faults: Faults {
            forbid: vec![Forbid {
                verb: "delete".into(),
                resource: "pods".into(),
                namespace: Some("prod".into()),
            }],
            ..Faults::default()
        },
        ..Options::default()
    })
    .await
    .expect("starts");
    let can_i = |args: &[&str]| {
        let mut cmd = e2e::kubectl();
        cmd.env("KUBECONFIG", cluster.kubeconfig())
            .args(["auth", "can-i"])
            .args(args);
        e2e::run(&mut cmd)
    };
    let out = tokio::task::block_in_place(|| can_i(&["delete", "pods", "-n", "prod"]));
    assert_eq!((out.code, out.stdout.trim()), (Some(1), "no"), "{out:?}");
    let out = tokio::task::block_in_place(|| can_i(&["delete", "pods", "-n", "staging"]));
    assert_eq!((out.code, out.stdout.trim()), (Some(0), "yes"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_and_bearer_tokens_through_the_plugins() {
    if !e2e::kubectl_available() {
        return;
    }
    let cluster = SimCluster::start(Options {
        tls: true,
        ..Options::default()
    })
    .await
    .expect("starts");
    assert!(cluster.url().starts_with("https://127.0.0.1:"));
    let kubeconfig = std::fs::read_to_string(cluster.kubeconfig()).expect("kubeconfig");
    let token = kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .expect("a token")
        .to_owned();
    let plugin = |args: &[&str], with_kubeconfig: bool| {
        let mut cmd = e2e::kubectl();
        if with_kubeconfig {
            cmd.env("KUBECONFIG", cluster.kubeconfig());
        }
        cmd.args(args);
        tokio::task::block_in_place(|| e2e::run(&mut cmd))
    };
    // The CA from the kubeconfig and its token.
    let out = plugin(&["harden", "version"], true);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout.contains("Server Version: v1.33.0-simcluster"),
        "{out:?}"
    );
    // A wrong token is rejected, and the message says so.
    let out = plugin(&["quota", "version", "--token", "wrong"], true);
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(
        out.stderr
            .contains("rejected the credentials (401 Unauthorized)"),
        "{out:?}"
    );
    // No kubeconfig: --server and --token alone, with and without certificate verification.
    let out = plugin(
        &[
            "canary",
            "version",
            "--server",
            cluster.url(),
            "--token",
            &token,
        ],
        false,
    );
    assert_eq!(
        out.code,
        Some(3),
        "an unknown CA must fail verification: {out:?}"
    );
    assert!(
        out.stderr
            .contains(&format!("cannot reach the API server at {}", cluster.url())),
        "{out:?}"
    );
    assert!(
        out.stderr
            .contains("hint: the server's certificate is not trusted"),
        "{out:?}"
    );
    assert!(
        !out.stderr.contains("ERROR"),
        "library logs stay quiet without -v: {out:?}"
    );
    let out = plugin(
        &[
            "canary",
            "version",
            "--server",
            cluster.url(),
            "--token",
            &token,
            "--insecure-skip-tls-verify",
        ],
        false,
    );
    assert_eq!(out.code, Some(0), "{out:?}");
}

#[tokio::test]
async fn server_errors_and_dropped_connections_are_explained() {
    let cluster = SimCluster::start(Options::default()).await.expect("starts");
    // Persistent faults are retried for the retry budget, at most --request-timeout.
    let kube = connect(
        &cluster,
        KubeFlags {
            request_timeout: Some(Duration::from_secs(1)),
            ..KubeFlags::default()
        },
    )
    .await;
    let api: Api<ConfigMap> = Api::namespaced(kube.client.clone(), "default");
    let call = || ApiCall::new("list", "configmaps").in_namespace("default");

    cluster.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let err = api.list(&ListParams::default()).await.expect_err("500");
    let text = kube.explain(call(), err).to_string();
    assert!(text.starts_with("the API server refused to list configmaps in namespace `default`: Internal error occurred"), "{text}");
    assert!(text.ends_with("(500 InternalError)"), "{text}");

    cluster.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    let err = api.list(&ListParams::default()).await.expect_err("dropped");
    let text = kube.explain(call(), err).to_string();
    assert!(
        text.starts_with(&format!(
            "cannot reach the API server at {} (context `simcluster`)",
            cluster.url()
        )),
        "{text}"
    );

    cluster.set_faults(Faults {
        latency: Duration::from_millis(300),
        ..Faults::default()
    });
    let slow = Kube::connect(
        &KubeFlags {
            kubeconfig: Some(cluster.kubeconfig().to_path_buf()),
            request_timeout: Some(Duration::from_millis(100)),
            ..KubeFlags::default()
        },
        PLUGIN,
    )
    .await
    .expect("connects");
    let err = Api::<ConfigMap>::namespaced(slow.client.clone(), "default")
        .list(&ListParams::default())
        .await
        .expect_err("--request-timeout applies");
    let text = slow.explain(call(), err).to_string();
    assert!(
        text.starts_with("timed out waiting for the API server"),
        "{text}"
    );

    cluster.set_faults(Faults::default());
    api.list(&ListParams::default())
        .await
        .expect("healthy again");
}

#[tokio::test]
async fn one_transient_failure_is_retried_and_a_create_is_never_repeated() {
    let cluster = SimCluster::start(Options::default()).await.expect("starts");
    let kube = connect(&cluster, KubeFlags::default()).await;
    let api: Api<ConfigMap> = Api::namespaced(kube.client.clone(), "default");
    let fail = |verb: &str, status| simcluster::Fail {
        verb: verb.into(),
        resource: "configmaps".into(),
        status,
        times: 1,
        after: 0,
    };
    // A 500 and a dropped GET are tried again; so is a DELETE (gone is gone).
    cluster.set_faults(Faults {
        fail: vec![fail("list", 500)],
        ..Faults::default()
    });
    api.list(&ListParams::default()).await.expect("retried");
    // A 500 on a create may have created: it is not repeated, the caller sees it.
    cluster.set_faults(Faults {
        fail: vec![fail("create", 500)],
        ..Faults::default()
    });
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "once"}})).expect("configmap");
    let err = api
        .create(&PostParams::default(), &cm)
        .await
        .expect_err("not retried");
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 500),
        "{err:?}"
    );
    // A 429 on a create is retried: the server did not act on it.
    cluster.set_faults(Faults {
        fail: vec![fail("create", 429)],
        ..Faults::default()
    });
    api.create(&PostParams::default(), &cm)
        .await
        .expect("429 retried");
    cluster.set_faults(Faults {
        fail: vec![fail("delete", 503)],
        ..Faults::default()
    });
    api.delete("once", &Default::default())
        .await
        .expect("503 retried");
}

#[tokio::test]
async fn outages_are_retried_and_watches_can_be_closed_by_the_server() {
    let cluster = SimCluster::start(Options::default()).await.expect("starts");
    let kube = connect(&cluster, KubeFlags::default()).await;
    let api: Api<ConfigMap> = Api::namespaced(kube.client.clone(), "default");

    // The whole server answers 503 for a moment; kube's retry layer rides it out.
    cluster.set_faults(Faults {
        unavailable_until: Some(std::time::Instant::now() + Duration::from_millis(300)),
        ..Faults::default()
    });
    api.list(&ListParams::default())
        .await
        .expect("retried past the outage");
    let outage_requests: u64 = cluster
        .requests()
        .iter()
        .filter(|r| r.uri.starts_with("/api/v1/namespaces/default/configmaps"))
        .count() as u64;
    assert!(
        outage_requests >= 2,
        "the first attempt hit the outage: {outage_requests}"
    );

    // Watches end when the server closes them.
    cluster.set_faults(Faults {
        watch_lifetime: Some(Duration::from_millis(200)),
        ..Faults::default()
    });
    let started = std::time::Instant::now();
    let mut stream = api
        .watch(&WatchParams::default().timeout(60), "0")
        .await
        .expect("watch")
        .boxed();
    while let Some(event) = stream.next().await {
        event.expect("no error");
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "closed after its lifetime, not the 60 s timeout"
    );
}
