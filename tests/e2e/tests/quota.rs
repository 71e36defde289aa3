//! `kubectl quota` through the real kubectl, against simcluster (or SHIPSHAPE_E2E_KUBECONFIG).

use e2e::{Cluster, kubectl_available, unique_namespace};

fn deployment(ns: &str, replicas: u32) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {ns}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
        - name: web
          image: registry.k8s.io/pause:3.10
          resources: {{requests: {{cpu: 300m, memory: 64Mi}}, limits: {{cpu: 300m, memory: 64Mi}}}}
"
    )
}

fn pod(ns: &str, name: &str, resources: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}}}
spec:
  containers:
    - name: app
      image: registry.k8s.io/pause:3.10
      resources: {resources}
"
    )
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

#[test]
fn status_check_and_generate_agree_with_the_api_server() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&[]);
    let ns = unique_namespace("quota");
    cluster.ok(&["create", "namespace", &ns]);
    cluster.ok(&[
        "create",
        "quota",
        "compute",
        "-n",
        &ns,
        "--hard=requests.cpu=1,limits.cpu=2,requests.memory=1Gi,limits.memory=2Gi,pods=5",
    ]);
    let dir = tempfile::tempdir().expect("tempdir");

    // A single pod: check's message is the API server's, word for word.
    let bare = write(dir.path(), "bare.yaml", &pod(&ns, "bare", "{}"));
    let predicted = cluster.kubectl(&["quota", "check", "-f", &bare, "-o", "json"]);
    assert_eq!(predicted.code, Some(1), "{predicted:?}");
    let report: serde_json::Value = serde_json::from_str(&predicted.stdout).expect("json");
    assert_eq!(report["kind"], "QuotaCheck");
    let message = report["workloads"][0]["problems"][0]["message"]
        .as_str()
        .expect("message")
        .to_owned();
    assert_eq!(
        message,
        "failed quota: compute: must specify limits.cpu for: app; limits.memory for: app; requests.cpu for: app; requests.memory for: app"
    );
    let refused = cluster.kubectl(&["create", "--dry-run=server", "-f", &bare]);
    assert_eq!(refused.code, Some(1), "{refused:?}");
    assert!(
        refused
            .stderr
            .contains(&format!("pods \"bare\" is forbidden: {message}")),
        "{refused:?}"
    );

    // Four replicas of 300m in 1 CPU: check says three fit; the API server admits three.
    let web = write(dir.path(), "web.yaml", &deployment(&ns, 4));
    let out = cluster.kubectl(&["quota", "check", "-f", &web, "-o", "json"]);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let workload = &report["workloads"][0];
    assert_eq!(
        (workload["admitted"].as_bool(), workload["fitting"].as_i64()),
        (Some(false), Some(3)),
        "{report}"
    );
    assert_eq!(workload["problems"][0]["reason"], "QuotaExceeded");
    cluster.ok(&["apply", "-f", &web]);
    // `kubectl wait -l` fails at once while nothing matches: the Deployment controller creates
    // the ReplicaSet a moment after the apply.
    for _ in 0..120 {
        if !cluster
            .ok(&["get", "rs", "-l", "app=web", "-n", &ns, "-o", "name"])
            .is_empty()
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    cluster.ok(&[
        "wait",
        "--for=jsonpath={.status.replicas}=3",
        "rs",
        "-l",
        "app=web",
        "-n",
        &ns,
        "--timeout=60s",
    ]);
    let conditions = cluster.ok(&[
        "get",
        "rs",
        "-l",
        "app=web",
        "-n",
        &ns,
        "-o",
        "jsonpath={.items[0].status.conditions[0].message}",
    ]);
    assert!(conditions.contains("exceeded quota: compute, requested: requests.cpu=300m, used: requests.cpu=900m, limited: requests.cpu=1"), "{conditions}");

    // status: used from the quota controller, in canonical form, with ratios.
    let out = cluster.kubectl(&["quota", "status", "-n", &ns, "-o", "json"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let status: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(status["kind"], "QuotaStatus");
    let resources = status["namespaces"][0]["quotas"][0]["resources"]
        .as_array()
        .expect("resources");
    let cpu = resources
        .iter()
        .find(|r| r["resource"] == "requests.cpu")
        .expect("requests.cpu");
    assert_eq!(
        (cpu["used"].as_str(), cpu["hard"].as_str()),
        (Some("900m"), Some("1"))
    );
    assert!((cpu["ratio"].as_f64().unwrap_or_default() - 0.9).abs() < 1e-9);
    assert!(
        cpu.get("computed").is_none(),
        "the controller and the pods agree: {cpu}"
    );
    assert_eq!(
        resources[0]["resource"], "requests.cpu",
        "sorted by pressure"
    );
    let table = cluster.ok(&["quota", "status", "-n", &ns]);
    assert!(table.contains("90%"), "{table}");

    // generate: the playbook's production objects; apply asks, --yes applies.
    let out = cluster.kubectl(&["quota", "generate", "-n", &ns, "--profile", "production"]);
    assert!(out.stdout.contains("requests.memory: 200Gi"), "{out:?}");
    let out = cluster.kubectl(&[
        "quota",
        "generate",
        "-n",
        &ns,
        "--profile",
        "small",
        "--apply",
    ]);
    assert_eq!(out.code, Some(2), "no terminal, no --yes: {out:?}");
    let out = cluster.kubectl(&[
        "quota",
        "generate",
        "-n",
        &ns,
        "--profile",
        "small",
        "--apply",
        "--yes",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    cluster.ok(&["get", "resourcequota", &format!("{ns}-quota"), "-n", &ns]);
    cluster.ok(&["get", "limitrange", &format!("{ns}-limits"), "-n", &ns]);
    // With the LimitRange in place the bare pod gets defaults and is admitted.
    let out = cluster.kubectl(&["quota", "check", "-f", &bare]);
    assert_eq!(out.code, Some(0), "{out:?}");
    cluster.ok(&["delete", "namespace", &ns, "--wait=false"]);
}

#[test]
fn offline_checks_use_the_release_quota_or_a_quota_file() {
    if !kubectl_available() {
        return;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hastecrm");
    let out = e2e::run(
        e2e::kubectl()
            .args(["quota", "check", "-f"])
            .arg(root.join("hardened")),
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout
            .ends_with("7 workload(s) checked: 7 admitted, 0 rejected\n"),
        "{}",
        out.stdout
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let quota = write(
        dir.path(),
        "quota.yaml",
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: tight, namespace: hastecrm-production}\nspec:\n  hard: {requests.cpu: 100m}\n",
    );
    let out = e2e::run(
        e2e::kubectl()
            .args(["quota", "check", "-o", "json", "--quota-file", &quota, "-f"])
            .arg(root.join("hardened")),
    );
    assert_eq!(out.code, Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let api = report["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .find(|w| w["name"] == "api")
        .expect("api");
    assert_eq!(
        api["problems"][0]["message"],
        "exceeded quota: tight, requested: requests.cpu=750m, used: requests.cpu=0, limited: requests.cpu=100m"
    );
}

#[test]
fn manifests_without_a_namespace_are_checked_where_kubectl_would_apply_them() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&[]);
    let ns = unique_namespace("quota-ns");
    cluster.ok(&["create", "namespace", &ns]);
    cluster.ok(&[
        "create",
        "quota",
        "tight",
        "-n",
        &ns,
        "--hard=requests.cpu=500m",
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    // `kubectl apply -f web.yaml -n NS` would create it in NS, under the tight quota.
    let web = write(
        dir.path(),
        "web.yaml",
        &deployment(&ns, 2).replace(&format!(", namespace: {ns}"), ""),
    );
    let check = |args: &[&str]| {
        let mut all = vec!["quota", "check", "-f", &web, "-o", "json"];
        all.extend_from_slice(args);
        let out = cluster.kubectl(&all);
        let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        (out.code, report["workloads"][0].clone())
    };
    let (code, workload) = check(&["-n", &ns]);
    assert_eq!(code, Some(1), "{workload}");
    assert_eq!(workload["namespace"], ns.as_str());
    assert_eq!(workload["fitting"], 1, "{workload}");
    assert_eq!(workload["problems"][0]["reason"], "QuotaExceeded");
    assert!(
        workload["problems"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("exceeded quota: tight, requested: requests.cpu=600m")),
        "{workload}"
    );
    // Offline, a quota file that names no namespace lands in the same one.
    let quota = write(
        dir.path(),
        "quota.yaml",
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: file}\nspec:\n  hard: {requests.cpu: 100m}\n",
    );
    let (code, workload) = check(&["-n", &ns, "--quota-file", &quota]);
    assert_eq!(code, Some(1), "{workload}");
    assert_eq!(workload["namespace"], ns.as_str());
    assert_eq!(workload["fitting"], 0, "{workload}");
    cluster.ok(&["delete", "namespace", &ns, "--wait=false"]);
}

#[test]
fn recommend_sizes_containers_from_sampled_metrics_and_from_vpa() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&["tests/simcluster/crds/vpa"]);
    let ns = unique_namespace("recommend");
    cluster.ok(&["create", "namespace", &ns]);
    let deployment = format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: api, namespace: {ns}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata:
      labels: {{app: api}}
      annotations: {{simcluster.shipshape.dev/usage: 'cpu=100m,memory=100Mi'}}
    spec:
      containers:
        - name: api
          image: registry.k8s.io/pause:3.10
          resources: {{requests: {{cpu: 500m, memory: 512Mi}}, limits: {{cpu: '1', memory: 1Gi}}}}
"
    );
    let out = cluster.kubectl_stdin(&["apply", "-f", "-"], &deployment);
    assert_eq!(out.code, Some(0), "{out:?}");
    cluster.ok(&[
        "rollout",
        "status",
        "deploy/api",
        "-n",
        &ns,
        "--timeout=60s",
    ]);

    // On the real control plane, metrics.k8s.io is simcluster's, aggregated (`simcluster
    // metrics --egress-socket` registers it in place of metrics-server).
    let out = cluster.kubectl(&[
        "quota",
        "recommend",
        "-n",
        &ns,
        "--window",
        "2s",
        "--interval",
        "1s",
        "-o",
        "json",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(report["kind"], "ResourceRecommendation");
    let rec = &report["recommendations"][0];
    assert_eq!(
        (rec["name"].as_str(), rec["container"].as_str()),
        (Some("api"), Some("api"))
    );
    assert!(
        rec["samples"].as_u64().is_some_and(|n| n >= 4),
        "two pods, at least two rounds: {rec}"
    );
    assert_eq!(rec["current"]["cpuRequest"], "500m");
    assert!(
        report["namespaces"][0]["hard"]["requests.cpu"].is_string(),
        "{report}"
    );
    // 100m ± 20 % at p95, + 20 % headroom; 100Mi ± 5 % at most, + 20 %.
    let millis = |v: &serde_json::Value| {
        v.as_str()
            .and_then(|s| s.strip_suffix('m'))
            .and_then(|m| m.parse::<u32>().ok())
    };
    let cpu = millis(&rec["recommended"]["cpuRequest"]).expect("cpu in millicores");
    assert!((96..=144).contains(&cpu), "{rec}");
    let memory = rec["recommended"]["memoryRequest"]
        .as_str()
        .and_then(|s| s.strip_suffix("Mi"))
        .and_then(|m| m.parse::<u32>().ok())
        .expect("Mi");
    assert!((114..=127).contains(&memory), "{rec}");
    assert_eq!(
        rec["recommended"]["memoryLimit"],
        rec["recommended"]["memoryRequest"]
    );
    assert_eq!(rec["recommended"]["cpuLimit"], "1", "CPU limits stay");

    // generate --profile from-usage: the quota that holds the recommendations.
    let generated = cluster.ok(&[
        "quota",
        "generate",
        "-n",
        &ns,
        "--profile",
        "from-usage",
        "--window",
        "1s",
        "-o",
        "json",
    ]);
    assert!(
        generated.contains("\"requests.cpu\"") && generated.contains("\"pods\": \"3\""),
        "2 replicas + 20 %: {generated}"
    );

    // -o patch, then --apply --yes resizes the Deployment.
    let patch = cluster.ok(&[
        "quota",
        "recommend",
        "-n",
        &ns,
        "--window",
        "1s",
        "-o",
        "patch",
    ]);
    assert!(
        patch.contains("kind: Deployment") && patch.contains("- name: api"),
        "{patch}"
    );
    let apply = [
        "quota",
        "recommend",
        "-n",
        &ns,
        "--window",
        "1s",
        "--apply",
        "--yes",
    ];
    if !cluster.is_simulated() {
        // `kubectl apply` owns the requests and limits (client-side apply's managedFields,
        // which simcluster does not record): the conflict names each field and the way out.
        let out = cluster.kubectl(&apply);
        assert_eq!(out.code, Some(3), "{out:?}");
        assert!(
            out.stderr
                .contains("conflicts with \"kubectl-client-side-apply\"")
                && out.stderr.contains(
                    ".spec.template.spec.containers[name=\"api\"].resources.requests.cpu"
                )
                && out.stderr.contains("--force-conflicts"),
            "{out:?}"
        );
    }
    let out = cluster.kubectl(&[&apply[..], &["--force-conflicts"]].concat());
    assert_eq!(out.code, Some(0), "{out:?}");
    let live: serde_json::Value =
        serde_json::from_str(&cluster.ok(&["get", "deploy", "api", "-n", &ns, "-o", "json"]))
            .expect("json");
    let resources = &live["spec"]["template"]["spec"]["containers"][0]["resources"];
    assert_ne!(resources["requests"]["cpu"], "500m", "{resources}");
    assert_eq!(resources["limits"]["cpu"], "1");

    // VPA: the recommender's target and upper bound (simcluster runs one when the CRD exists).
    if cluster.is_simulated() {
        let vpa = format!(
            "apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata: {{name: api, namespace: {ns}}}\nspec:\n  targetRef: {{apiVersion: apps/v1, kind: Deployment, name: api}}\n"
        );
        let out = cluster.kubectl_stdin(&["apply", "-f", "-"], &vpa);
        assert_eq!(out.code, Some(0), "{out:?}");
        cluster.ok(&[
            "wait",
            "--for=condition=RecommendationProvided",
            "vpa/api",
            "-n",
            &ns,
            "--timeout=30s",
        ]);
        let out = cluster.kubectl(&[
            "quota",
            "recommend",
            "-n",
            &ns,
            "--source",
            "vpa",
            "-o",
            "json",
        ]);
        assert_eq!(out.code, Some(0), "{out:?}");
        let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        let rec = &report["recommendations"][0];
        assert!(
            rec["basis"]
                .as_str()
                .is_some_and(|b| b.starts_with("VPA api")),
            "{rec}"
        );
        assert!(rec["recommended"]["memoryLimit"].is_string());
    }
    cluster.ok(&["delete", "namespace", &ns, "--wait=false"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_across_contexts_tags_each_namespace_with_its_cluster() {
    if !kubectl_available()
        || e2e::skip_on_real_cluster(
            "needs two clusters (the harden multi-context test covers a real one)",
        )
    {
        return;
    }
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hastecrm/hardened");
    let start = || {
        simcluster::SimCluster::start(simcluster::Options {
            seeds: vec![root.clone()],
            ..simcluster::Options::default()
        })
    };
    let (east, west) = (start().await.expect("east"), start().await.expect("west"));
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        e2e::kubeconfig(dir.path(), "east", east.url()),
        e2e::kubeconfig(dir.path(), "west", west.url()),
    ];
    let kubeconfig = std::env::join_paths(&files).expect("join");
    let mut cmd = e2e::kubectl();
    cmd.env("KUBECONFIG", &kubeconfig).args([
        "quota",
        "status",
        "-A",
        "--all-contexts",
        "-o",
        "json",
    ]);
    let out = tokio::task::block_in_place(|| e2e::run(&mut cmd));
    assert_eq!(out.code, Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let clusters: std::collections::BTreeSet<&str> = report["namespaces"]
        .as_array()
        .expect("namespaces")
        .iter()
        .filter_map(|n| n["cluster"].as_str())
        .collect();
    assert_eq!(clusters.into_iter().collect::<Vec<_>>(), ["east", "west"]);
    let mut cmd = e2e::kubectl();
    cmd.env("KUBECONFIG", &kubeconfig)
        .args(["quota", "status", "-A", "--contexts", "west"]);
    let out = tokio::task::block_in_place(|| e2e::run(&mut cmd));
    assert!(out.stdout.starts_with("CLUSTER"), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_lists_each_kind_once_however_many_namespaces() {
    if !kubectl_available()
        || e2e::skip_on_real_cluster("counts requests with simcluster's counters")
    {
        return;
    }
    let cluster = simcluster::SimCluster::start(simcluster::Options::default())
        .await
        .expect("starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut objects = String::new();
    for i in 0..12 {
        let ns = format!("team-{i}");
        objects.push_str(&format!(
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {{name: compute, namespace: {ns}}}
spec:
  hard: {{requests.cpu: '2', pods: '10'}}
---
apiVersion: v1
kind: LimitRange
metadata: {{name: limits, namespace: {ns}}}
spec:
  limits: [{{type: Container, defaultRequest: {{cpu: 100m}}}}]
---
{}",
            pod(&ns, "app", "{requests: {cpu: 500m}}")
        ));
    }
    write(dir.path(), "teams.yaml", &objects);
    cluster.seed(dir.path()).expect("seeded");
    cluster.reset_counters();
    let mut cmd = e2e::kubectl();
    cmd.env("KUBECONFIG", cluster.kubeconfig())
        .args(["quota", "status", "-A", "-o", "json"]);
    let out = tokio::task::block_in_place(|| e2e::run(&mut cmd));
    assert_eq!(out.code, Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let teams = report["namespaces"]
        .as_array()
        .expect("namespaces")
        .iter()
        .filter(|n| {
            n["name"].as_str().is_some_and(|n| n.starts_with("team-"))
                && n["quotas"].as_array().is_some_and(|q| q.len() == 1)
                && n["limitRanges"].as_array().is_some_and(|l| l.len() == 1)
        })
        .count();
    assert_eq!(teams, 12, "{report}");
    let requests = cluster.counters();
    let lists: Vec<_> = requests
        .iter()
        .filter(|((verb, _, _), _)| verb == "list")
        .collect();
    assert_eq!(lists.len(), 3, "quotas, LimitRanges, pods: {requests:?}");
    for ((_, resource, namespace), count) in lists {
        assert_eq!(
            (namespace.as_str(), *count),
            ("", 1),
            "{resource} listed once, cluster-wide"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recommend_reads_history_from_a_real_prometheus() {
    if !kubectl_available()
        || e2e::skip_on_real_cluster("reads usage history from simcluster's seeded sample")
    {
        return;
    }
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hastecrm/hardened");
    let cluster = simcluster::SimCluster::start(simcluster::Options {
        seeds: vec![root],
        speed: 20.0,
        ..simcluster::Options::default()
    })
    .await
    .expect("simcluster");
    let target = cluster.url().trim_start_matches("http://").to_owned();
    let Some(prometheus) =
        tokio::task::block_in_place(|| e2e::PrometheusServer::start(&target, "/metrics/cadvisor"))
    else {
        return;
    };
    // A few seconds of history, scraped every second.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let mut cmd = e2e::kubectl();
    cmd.env("KUBECONFIG", cluster.kubeconfig()).args([
        "quota",
        "recommend",
        "-A",
        "--source",
        "prometheus",
        "--prometheus",
        &prometheus.url,
        "--window",
        "30s",
        "--interval",
        "1s",
        "-o",
        "json",
    ]);
    let out = tokio::task::block_in_place(|| e2e::run(&mut cmd));
    assert_eq!(out.code, Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let api = report["recommendations"]
        .as_array()
        .expect("recommendations")
        .iter()
        .find(|r| r["name"] == "api")
        .expect("api");
    assert!(
        api["basis"]
            .as_str()
            .is_some_and(|b| b.ends_with("(Prometheus)")),
        "{api}"
    );
    assert!(
        api["samples"].as_u64().is_some_and(|n| n >= 6),
        "three pods, several scrapes: {api}"
    );
    // simcluster's api containers use half their 250m request ± 20 %: p95 + 20 % lands near 150m.
    let millis = api["recommended"]["cpuRequest"]
        .as_str()
        .and_then(|s| s.strip_suffix('m'))
        .and_then(|m| m.parse::<u32>().ok())
        .expect("millicores");
    assert!((100..=190).contains(&millis), "{api}");
    // An unreachable Prometheus is an API error (exit 3) naming the URL.
    let mut cmd = e2e::kubectl();
    cmd.env("KUBECONFIG", cluster.kubeconfig()).args([
        "quota",
        "recommend",
        "-A",
        "--source",
        "prometheus",
        "--prometheus",
        "http://127.0.0.1:9",
    ]);
    let out = tokio::task::block_in_place(|| e2e::run(&mut cmd));
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(
        out.stderr
            .contains("cannot reach Prometheus at http://127.0.0.1:9/api/v1/query"),
        "{out:?}"
    );
}

#[test]
fn quantities_and_counts_the_api_server_rejects_are_input_errors_with_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let quota = write(
        dir.path(),
        "quota.yaml",
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: shop}\nspec: {hard: {pods: '10'}}\n",
    );
    let bad_quota = write(
        dir.path(),
        "bad-quota.yaml",
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: shop}\nspec: {hard: {requests.cpu: zz}}\n",
    );
    let check = |manifest: &str, quota: &str| {
        let file = write(dir.path(), "app.yaml", manifest);
        let mut cmd = std::process::Command::new(e2e::plugin_dir().join("kubectl-quota"));
        cmd.args(["check", "-f", &file, "--quota-file", quota])
            .env_remove("KUBECONFIG")
            .env("HOME", dir.path());
        e2e::run(&mut cmd)
    };
    let good = deployment("shop", 2);
    let out = check(&good, &quota);
    assert_eq!(out.code, Some(0), "{out:?}");
    for (from, to, says) in [
        (
            "replicas: 2",
            "replicas: 99999999999999999999999",
            "spec.replicas: Invalid value",
        ),
        (
            "replicas: 2",
            "replicas: -5",
            "must be greater than or equal to 0",
        ),
        (
            "cpu: 300m, memory: 64Mi}, limits",
            "cpu: abc, memory: 64Mi}, limits",
            "requests.cpu: Invalid value: \"abc\"",
        ),
        (
            "cpu: 300m, memory: 64Mi}, limits",
            "cpu: 300m, memory: -1Gi}, limits",
            "requests.memory: Invalid value: \"-1Gi\"",
        ),
    ] {
        let manifest = good.replacen(from, to, 1);
        assert_ne!(manifest, good, "{from}");
        let out = check(&manifest, &quota);
        assert_eq!(out.code, Some(2), "{to}: {out:?}");
        assert!(
            out.stderr.contains("app.yaml:1: Deployment/web: ") && out.stderr.contains(says),
            "{to}: {}",
            out.stderr
        );
    }
    // The API server stores `1e400` cores: admitted where nothing limits cpu, over any quota
    // that does.
    let huge = good.replacen(
        "cpu: 300m, memory: 64Mi}}",
        "cpu: '1e400', memory: 64Mi}}",
        1,
    );
    assert_ne!(huge, good);
    let out = check(&huge, &quota);
    assert_eq!(out.code, Some(0), "{out:?}");
    let cpu_quota = write(
        dir.path(),
        "cpu-quota.yaml",
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: shop}\nspec: {hard: {limits.cpu: '1000000'}}\n",
    );
    let out = check(&huge, &cpu_quota);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(out.stdout.contains("exceeded quota: q"), "{out:?}");
    let out = check(&good, &bad_quota);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stderr
            .contains("bad-quota.yaml:1: ResourceQuota/q: spec.hard.requests.cpu"),
        "{}",
        out.stderr
    );
}
