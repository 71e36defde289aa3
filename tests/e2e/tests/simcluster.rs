//! The real kubectl against simcluster (or a real cluster through `SHIPSHAPE_E2E_KUBECONFIG`).
//! Every test works in its own namespace and relies only on what a real cluster also does.

use e2e::{Cluster, kubectl_available, unique_namespace};

fn deployment(name: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: app
          image: {image}
          ports: [{{containerPort: 8080}}]
"
    )
}

#[test]
fn get_create_apply_patch_label_delete() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&[]);
    let ns = unique_namespace("crud");
    cluster.ok(&["create", "namespace", &ns]);

    // Client-side apply creates, then re-applies unchanged.
    let out = cluster.kubectl_stdin(
        &["apply", "-n", &ns, "-f", "-"],
        &deployment("web", "nginx:1.27"),
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout.trim(), "deployment.apps/web created");
    let out = cluster.kubectl_stdin(
        &["apply", "-n", &ns, "-f", "-"],
        &deployment("web", "nginx:1.27"),
    );
    assert_eq!(
        out.stdout.trim(),
        "deployment.apps/web unchanged",
        "{out:?}"
    );

    // Server-side apply, twice.
    let cm = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: {ns}\ndata:\n  level: info\n"
    );
    let out = cluster.kubectl_stdin(&["apply", "--server-side", "-f", "-"], &cm);
    assert_eq!(
        out.stdout.trim(),
        "configmap/settings serverside-applied",
        "{out:?}"
    );
    let out = cluster.kubectl_stdin(
        &["apply", "--server-side", "-f", "-"],
        &cm.replace("info", "debug"),
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(
        cluster.ok(&[
            "get",
            "cm",
            "settings",
            "-n",
            &ns,
            "-o",
            "jsonpath={.data.level}"
        ]),
        "debug"
    );

    // Every output format.
    let json: serde_json::Value =
        serde_json::from_str(&cluster.ok(&["get", "deploy", "web", "-n", &ns, "-o", "json"]))
            .expect("json");
    assert_eq!(json["spec"]["replicas"], 2);
    assert!(
        cluster
            .ok(&["get", "deploy", "web", "-n", &ns, "-o", "yaml"])
            .contains("kind: Deployment")
    );
    assert_eq!(
        cluster
            .ok(&["get", "deploy", "-n", &ns, "-o", "name"])
            .trim(),
        "deployment.apps/web"
    );
    let table = cluster.ok(&["get", "deploy", "-n", &ns]);
    assert!(table.starts_with("NAME"), "{table}");
    assert!(
        cluster
            .ok(&["get", "deploy", "-n", &ns, "-o", "wide"])
            .contains("web")
    );

    // Patches of every kind, label and annotate.
    cluster.ok(&[
        "patch",
        "deploy",
        "web",
        "-n",
        &ns,
        "-p",
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}}}}"#,
    ]);
    cluster.ok(&[
        "patch",
        "deploy",
        "web",
        "-n",
        &ns,
        "--type=merge",
        "-p",
        r#"{"metadata":{"labels":{"merge":"yes"}}}"#,
    ]);
    cluster.ok(&[
        "patch",
        "deploy",
        "web",
        "-n",
        &ns,
        "--type=json",
        "-p",
        r#"[{"op":"add","path":"/metadata/labels/json","value":"yes"}]"#,
    ]);
    cluster.ok(&["label", "deploy", "web", "-n", &ns, "tier=front"]);
    cluster.ok(&["annotate", "deploy", "web", "-n", &ns, "owner=platform"]);
    let json: serde_json::Value =
        serde_json::from_str(&cluster.ok(&["get", "deploy", "web", "-n", &ns, "-o", "json"]))
            .expect("json");
    assert_eq!(
        json["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.28"
    );
    assert_eq!(
        json["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"], 8080,
        "strategic merge kept the port"
    );
    for label in ["merge", "json"] {
        assert_eq!(json["metadata"]["labels"][label], "yes");
    }
    assert_eq!(json["metadata"]["labels"]["tier"], "front");
    assert_eq!(json["metadata"]["annotations"]["owner"], "platform");
    assert_eq!(
        cluster
            .ok(&["get", "deploy", "-n", &ns, "-l", "tier=front", "-o", "name"])
            .trim(),
        "deployment.apps/web"
    );
    assert_eq!(
        cluster
            .ok(&[
                "get",
                "deploy",
                "-n",
                &ns,
                "-l",
                "tier!=front",
                "-o",
                "name"
            ])
            .trim(),
        ""
    );

    // Conflicts and missing objects are errors with the API server's wording.
    let out = cluster.kubectl(&["create", "namespace", &ns]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr
            .contains(&format!("namespaces \"{ns}\" already exists")),
        "{out:?}"
    );
    let out = cluster.kubectl(&["get", "deploy", "nope", "-n", &ns]);
    assert!(
        out.stderr.contains("deployments.apps \"nope\" not found"),
        "{out:?}"
    );

    // create -f (the dynamic client), generateName with a server dry run, a watch that ends.
    let out = cluster.kubectl_stdin(
        &["create", "-n", &ns, "-f", "-"],
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: created\n",
    );
    assert_eq!(out.stdout.trim(), "configmap/created created", "{out:?}");
    let out = cluster.kubectl_stdin(
        &[
            "create",
            "-n",
            &ns,
            "-f",
            "-",
            "--dry-run=server",
            "-o",
            "name",
        ],
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: gen-\n",
    );
    assert!(out.stdout.starts_with("configmap/gen-"), "{out:?}");
    assert_eq!(
        cluster
            .ok(&["get", "cm", "-n", &ns, "-o", "name"])
            .lines()
            .filter(|l| l.contains("gen-"))
            .count(),
        0
    );
    let watched = cluster.ok(&[
        "get",
        "cm",
        "created",
        "-n",
        &ns,
        "-w",
        "--request-timeout=2s",
    ]);
    assert!(watched.contains("created"), "{watched}");
    assert_eq!(
        cluster
            .ok(&["auth", "can-i", "list", "pods", "-n", &ns])
            .trim(),
        "yes"
    );

    // Replace and delete.
    let current = cluster.ok(&["get", "cm", "settings", "-n", &ns, "-o", "json"]);
    let replaced = current.replace("\"debug\"", "\"warn\"");
    let out = cluster.kubectl_stdin(&["replace", "-f", "-"], &replaced);
    assert_eq!(out.code, Some(0), "{out:?}");
    cluster.ok(&["delete", "cm", "settings", "-n", &ns]);
    cluster.ok(&["delete", "namespace", &ns, "--wait=true", "--timeout=60s"]);
}

#[test]
fn rollouts_scale_wait_and_logs() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&[]);
    let ns = unique_namespace("rollout");
    cluster.ok(&["create", "namespace", &ns]);
    let rollout_status = || {
        cluster.ok(&[
            "rollout",
            "status",
            "deploy/api",
            "-n",
            &ns,
            "--timeout=60s",
        ]);
    };
    let out = cluster.kubectl_stdin(
        &["apply", "-n", &ns, "-f", "-"],
        &deployment("api", "nginx:1.27"),
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    rollout_status();
    cluster.ok(&[
        "wait",
        "--for=condition=Available",
        "deploy/api",
        "-n",
        &ns,
        "--timeout=60s",
    ]);
    cluster.ok(&["scale", "deploy/api", "-n", &ns, "--replicas=3"]);
    rollout_status();
    assert_eq!(
        cluster.ok(&[
            "get",
            "deploy",
            "api",
            "-n",
            &ns,
            "-o",
            "jsonpath={.status.readyReplicas}"
        ]),
        "3"
    );

    cluster.ok(&["set", "image", "deploy/api", "app=nginx:1.28", "-n", &ns]);
    rollout_status();
    let history = cluster.ok(&["rollout", "history", "deploy/api", "-n", &ns]);
    assert!(
        history.contains("1 ") && history.contains("2 "),
        "{history}"
    );
    cluster.ok(&["rollout", "undo", "deploy/api", "-n", &ns]);
    rollout_status();
    assert_eq!(
        cluster.ok(&[
            "get",
            "deploy",
            "api",
            "-n",
            &ns,
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}"
        ]),
        "nginx:1.27"
    );
    cluster.ok(&["rollout", "restart", "deploy/api", "-n", &ns]);
    rollout_status();

    let pods = cluster.ok(&["get", "pods", "-n", &ns, "-l", "app=api", "-o", "name"]);
    let pod = pods.lines().next().expect("a pod");
    // On the real control plane, from the simulated kubelet behind its egress proxy.
    let out = cluster.kubectl(&["logs", "-n", &ns, pod]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout.starts_with("simcluster: started nginx:1.27"),
        "{out:?}"
    );
    assert!(
        cluster
            .ok(&["describe", "deploy", "api", "-n", &ns])
            .contains("Replicas:")
    );

    // Deleting the Deployment takes its ReplicaSets and pods with it.
    cluster.ok(&[
        "delete",
        "deploy",
        "api",
        "-n",
        &ns,
        "--cascade=foreground",
        "--wait=true",
        "--timeout=60s",
    ]);
    cluster.ok(&["delete", "namespace", &ns, "--wait=true", "--timeout=60s"]);
}

#[test]
fn discovery_and_crds() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&[]);
    let resources = cluster.ok(&["api-resources"]);
    for name in [
        "deployments",
        "poddisruptionbudgets",
        "networkpolicies",
        "horizontalpodautoscalers",
        "customresourcedefinitions",
    ] {
        assert!(
            resources.contains(name),
            "{name} missing from:\n{resources}"
        );
    }
    let crds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../simcluster/crds/velero");
    let out = cluster.kubectl(&["apply", "-f", &crds.to_string_lossy()]);
    assert_eq!(out.code, Some(0), "{out:?}");
    cluster.ok(&[
        "wait",
        "--for=condition=Established",
        "crd/backups.velero.io",
        "--timeout=60s",
    ]);
    let out = cluster.kubectl(&["get", "backups.velero.io", "-A"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    if cluster.is_simulated() {
        cluster.ok(&["create", "namespace", "velero"]);
        let backup = "apiVersion: velero.io/v1\nkind: Backup\nmetadata:\n  name: nightly\n  namespace: velero\nspec:\n  includedNamespaces: [hastecrm-production]\n";
        let out = cluster.kubectl_stdin(&["apply", "-f", "-"], backup);
        assert_eq!(out.code, Some(0), "{out:?}");
        assert!(
            cluster
                .ok(&["get", "backups", "-n", "velero"])
                .contains("nightly")
        );
    }
}

#[test]
fn the_sample_app_runs_on_simcluster() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&["examples/hastecrm/insecure"]);
    if !cluster.is_simulated() {
        return; // the sample's images do not exist on a real cluster
    }
    cluster.ok(&[
        "wait",
        "--for=condition=Available",
        "deploy",
        "--all",
        "-n",
        "hastecrm-production",
        "--timeout=60s",
    ]);
    let deployments = cluster.ok(&["get", "deploy", "-A"]);
    for name in ["api", "web", "workers"] {
        assert!(deployments.contains(name), "{deployments}");
    }
    cluster.ok(&[
        "rollout",
        "status",
        "statefulset/postgres",
        "-n",
        "hastecrm-data",
        "--timeout=60s",
    ]);
    cluster.ok(&[
        "wait",
        "--for=condition=Complete",
        "job/migration",
        "-n",
        "hastecrm-production",
        "--timeout=60s",
    ]);
}
