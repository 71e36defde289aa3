//! `kubectl harden audit` and `kubectl harden checks` through the real kubectl.

use e2e::{kubectl, kubectl_available, run};

fn examples(variant: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/hastecrm")
        .join(variant)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn auditing_the_insecure_sample_fails_with_the_report_findings() {
    if !kubectl_available() {
        return;
    }
    let out = run(kubectl().args(["harden", "audit", "-f", &examples("insecure"), "-o", "json"]));
    assert_eq!(out.code, Some(1), "errors fail the audit: {out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(report["kind"], "AuditReport");
    assert_eq!(report["objects"].as_array().map(Vec::len), Some(15));
    let findings = report["findings"].as_array().expect("findings");
    let init_limits = findings
        .iter()
        .find(|f| f["check"] == "resources-limits" && f["container"] == "wait-for-postgres")
        .expect("init containers are audited");
    assert_eq!(init_limits["object"]["kind"], "Deployment");
    assert!(
        init_limits["source"]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("api.yaml"))
    );
    assert!(
        init_limits["source"]["line"]
            .as_u64()
            .is_some_and(|l| l > 1)
    );
    assert_eq!(init_limits["ignored"], false);
}

#[test]
fn the_hardened_sample_passes_and_fail_on_sets_the_bar() {
    if !kubectl_available() {
        return;
    }
    let out = run(kubectl().args(["harden", "audit", "-k", &examples("hardened")]));
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout
            .ends_with("29 objects audited: 0 errors, 0 warnings, 16 info\n"),
        "{}",
        out.stdout
    );
    let out = run(kubectl().args([
        "harden",
        "audit",
        "-f",
        &examples("hardened"),
        "--fail-on",
        "info",
    ]));
    assert_eq!(out.code, Some(1), "{out:?}");
    // Baseline is looser than restricted: the insecure sample has no baseline violations.
    let out = run(kubectl().args([
        "harden",
        "audit",
        "-f",
        &examples("insecure"),
        "--level",
        "baseline",
        "--fail-on",
        "error",
        "-o",
        "json",
    ]));
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(report["summary"]["errors"], 0, "{}", out.stdout);
    assert_eq!(out.code, Some(0));
}

#[test]
fn stdin_bad_input_and_the_catalogue() {
    if !kubectl_available() {
        return;
    }
    // Without -f/-k the audit is live, so without a cluster it is a cluster error.
    let out = run(kubectl().args(["harden", "audit"]));
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(out.stderr.contains("no kubeconfig found"), "{out:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n",
    )
    .expect("write");
    let out = run(kubectl().args(["harden", "audit", "-f"]).arg(&broken));
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stderr
            .contains(&format!("{}:4:9: invalid YAML", broken.display())),
        "{out:?}"
    );
    // A broken file next to a good one: the good one is still audited and reported, exit 2.
    std::fs::write(
        dir.path().join("good.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: good, namespace: shop}\nspec:\n  containers: [{name: a, image: 'a:1'}]\n",
    )
    .expect("write");
    let out = run(kubectl()
        .args(["harden", "audit", "-o", "json", "-f"])
        .arg(dir.path()));
    assert_eq!(out.code, Some(2), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json report");
    assert_eq!(report["objects"][0]["name"], "good", "{report}");
    assert!(
        out.stderr.contains("broken.yaml:4:9: invalid YAML"),
        "{out:?}"
    );
    let out = run(kubectl().args(["harden", "audit", "--pss-version", "1.30", "-f", "-"]));
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("`latest` or `v1.N`"), "{out:?}");

    let out = run(kubectl().args(["harden", "checks", "-o", "json"]));
    assert_eq!(out.code, Some(0));
    let catalogue: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let ids: Vec<&str> = catalogue["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"pss-run-as-non-root") && ids.contains(&"resources-limits"),
        "{ids:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_audits_list_each_kind_once_across_namespaces() {
    if !kubectl_available() {
        return;
    }
    let cluster = simcluster::SimCluster::start(simcluster::Options {
        seeds: vec![std::path::PathBuf::from(examples("insecure"))],
        ..simcluster::Options::default()
    })
    .await
    .expect("starts");
    // More namespaces must not mean more requests.
    for i in 0..20 {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("ns.yaml"),
            format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra-{i}\n"),
        )
        .expect("write");
        cluster.seed(dir.path()).expect("seeded");
    }
    cluster.reset_counters();
    let audit = |args: &[&str]| {
        let mut cmd = kubectl();
        cmd.env("KUBECONFIG", cluster.kubeconfig())
            .args(["harden", "audit"])
            .args(args);
        tokio::task::block_in_place(|| run(&mut cmd))
    };
    let out = audit(&["-A", "-o", "json"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let api = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["object"]["name"] == "api" && f["check"] == "pss-run-as-non-root")
        .expect("the live Deployment is audited");
    assert!(
        api.get("source").is_none(),
        "live objects have no file: {api}"
    );
    // Pods and ReplicaSets owned by controllers are audited through their owners only.
    assert!(
        !report["objects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["kind"] == "ReplicaSet")
    );
    let lists: Vec<_> = cluster
        .counters()
        .into_iter()
        .filter(|((verb, _, _), _)| verb == "list")
        .collect();
    assert_eq!(lists.len(), 12, "one list per kind: {lists:?}");
    for ((_, resource, namespace), count) in lists {
        assert_eq!(
            (namespace.as_str(), count),
            ("", 1),
            "{resource} listed once, cluster-wide"
        );
    }

    // One namespace, and a label selector.
    let out = audit(&["-n", "hastecrm-data", "-o", "json"]);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(
        report["objects"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["namespace"] == "hastecrm-data" || o["name"] == "hastecrm-data"),
        "{report}"
    );
    let out = audit(&["-A", "-l", "app=hastecrm-web", "-o", "json"]);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let workloads: Vec<&str> = report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] != "Namespace")
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(workloads, ["web"]);
    let out = audit(&["-A", "-f", "x.yaml"]);
    assert_eq!(out.code, Some(2), "{out:?}");
}

#[test]
fn a_harden_yaml_above_the_working_directory_disables_reweights_and_exempts() {
    if !kubectl_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".harden.yaml"),
        "disable: [automount-service-account-token]\nseverity:\n  image-untagged: error\nexemptions:\n  - checks: [pss-*]\n    namespace: hastecrm-data\n    kind: StatefulSet\n    name: postgres\n    reason: upstream image runs as root\n",
    )
    .expect("write");
    let nested = dir.path().join("deploy");
    std::fs::create_dir(&nested).expect("mkdir");
    let audit = |extra: &[&str]| {
        let out = run(kubectl()
            .current_dir(&nested)
            .args(["harden", "audit", "-f", &examples("insecure"), "-o", "json"])
            .args(extra));
        let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        report["findings"].as_array().expect("findings").clone()
    };
    let findings = audit(&[]);
    assert!(
        !findings
            .iter()
            .any(|f| f["check"] == "automount-service-account-token")
    );
    assert!(
        findings
            .iter()
            .filter(|f| f["check"] == "image-untagged")
            .all(|f| f["severity"] == "error")
    );
    let postgres: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["object"]["name"] == "postgres" && f["standard"] == "pss-restricted")
        .collect();
    assert!(!postgres.is_empty());
    assert!(postgres.iter().all(|f| {
        f["ignored"] == true
            && f["reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("upstream image runs as root (exempted in "))
    }));
    // --no-ignores lifts the exemptions; a bad config is a usage error naming the file.
    assert!(
        audit(&["--no-ignores"])
            .iter()
            .all(|f| f["ignored"] == false)
    );
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "disable: [nope]\n").expect("write");
    let out = run(kubectl()
        .args(["harden", "audit", "-f", &examples("insecure"), "--config"])
        .arg(&bad));
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stderr
            .contains("bad.yaml: disable: unknown check `nope`"),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_context_audits_tag_every_finding_with_its_cluster() {
    if !kubectl_available() {
        return;
    }
    if let Some(real) = e2e::real_cluster() {
        // One real cluster: audit its current context through --contexts.
        let out = run(kubectl()
            .env("KUBECONFIG", &real)
            .args(["config", "current-context"]));
        let context = out.stdout.trim().to_owned();
        let out = run(kubectl().env("KUBECONFIG", &real).args([
            "harden",
            "audit",
            "-A",
            "--contexts",
            &context,
            "-o",
            "json",
        ]));
        let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        assert!(
            report["objects"]
                .as_array()
                .expect("objects")
                .iter()
                .all(|o| o["cluster"] == context.as_str())
        );
        return;
    }
    let start = |variant: &str| {
        simcluster::SimCluster::start(simcluster::Options {
            seeds: vec![std::path::PathBuf::from(examples(variant))],
            ..simcluster::Options::default()
        })
    };
    let (east, west) = (
        start("insecure").await.expect("east"),
        start("hardened").await.expect("west"),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        e2e::kubeconfig(dir.path(), "east", east.url()),
        e2e::kubeconfig(dir.path(), "west", west.url()),
    ];
    let kubeconfig = std::env::join_paths(&files).expect("join");
    let audit = |args: &[&str]| {
        let mut cmd = kubectl();
        cmd.env("KUBECONFIG", &kubeconfig)
            .args(["harden", "audit", "-A"])
            .args(args);
        tokio::task::block_in_place(|| run(&mut cmd))
    };
    let out = audit(&["--all-contexts", "-o", "json"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let objects = report["objects"].as_array().expect("objects");
    for cluster in ["east", "west"] {
        assert!(
            objects
                .iter()
                .any(|o| o["cluster"] == cluster && o["name"] == "api"),
            "{cluster}"
        );
    }
    let findings = report["findings"].as_array().expect("findings");
    // The insecure app runs in east only; west's hardened copy has no errors.
    assert!(
        findings
            .iter()
            .any(|f| f["cluster"] == "east" && f["severity"] == "error")
    );
    assert!(
        !findings
            .iter()
            .any(|f| f["cluster"] == "west" && f["severity"] == "error")
    );
    let summary = &report["summary"];
    assert_eq!(summary["objects"].as_u64(), Some(objects.len() as u64));

    let out = audit(&["--contexts", "west,east"]);
    assert!(out.stdout.contains("CLUSTER"), "{}", out.stdout);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.trim_start().starts_with("east ")),
        "{}",
        out.stdout
    );
    let out = audit(&["--contexts", "east,nowhere"]);
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(out.stderr.contains("nowhere"), "{out:?}");
}

/// A live audit reports what the author wrote, not what the API server defaulted: a real
/// server fills a probe's timeoutSeconds, periodSeconds and failureThreshold, which would hide
/// `probe-settings-implicit`. Applied server-side, client-side and created: the same findings
/// as the manifests' audit, and explicit values are the author's.
#[test]
fn a_live_audit_sees_the_authors_probe_settings_not_the_servers_defaults() {
    if !kubectl_available() {
        return;
    }
    let cluster = e2e::Cluster::start(&[]);
    let ns = e2e::unique_namespace("harden-defaults");
    cluster.ok(&["create", "namespace", &ns]);
    let deployment = |name: &str, probe: &str| {
        format!(
            "apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: app
        image: registry.example/app:1.0
        livenessProbe: {{httpGet: {{path: /healthz, port: 8080}}{probe}}}
"
        )
    };
    for (name, verb, probe) in [
        ("server-side", "--server-side", ""),
        ("client-side", "", ""),
        ("created", "create", ""),
        (
            "explicit",
            "--server-side",
            ", timeoutSeconds: 1, periodSeconds: 10, failureThreshold: 3",
        ),
    ] {
        let mut args = vec!["apply", "-f", "-"];
        if verb == "create" {
            args = vec!["create", "-f", "-"];
        } else if !verb.is_empty() {
            args.push(verb);
        }
        let out = cluster.kubectl_stdin(&args, &deployment(name, probe));
        assert_eq!(out.code, Some(0), "{name}: {out:?}");
    }
    let out = cluster.kubectl(&["harden", "audit", "-n", &ns, "-o", "json"]);
    let report: serde_json::Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    let implicit: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["check"] == "probe-settings-implicit")
        .filter_map(|f| f["object"]["name"].as_str())
        .collect();
    assert_eq!(
        implicit,
        ["client-side", "created", "server-side"].into(),
        "{report}"
    );
    cluster.ok(&["delete", "namespace", &ns, "--wait=false"]);
}

#[test]
fn findings_point_at_the_fields_line_in_every_format() {
    if !kubectl_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("app.yaml");
    // Line numbers matter: a comment and a first document shift the second one.
    let text = "\
# the shop
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: sidecar
          image: registry.example/proxy@sha256:0000000000000000000000000000000000000000000000000000000000000000
        - name: web
          image: registry.example/web:latest
          securityContext:
            readOnlyRootFilesystem: false
            privileged: true
";
    std::fs::write(&file, text).expect("write");
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).expect(needle) + 1;
    let out = run(kubectl()
        .args(["harden", "audit", "-o", "json", "-f"])
        .arg(&file));
    assert_eq!(out.code, Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let finding = |check: &str, container: Option<&str>| {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["check"] == check && f["container"].as_str() == container)
            .unwrap_or_else(|| panic!("no {check} finding: {report}"))
            .clone()
    };
    let expect = [
        // Fields that are there: their own line.
        (
            "pss-privileged",
            Some("web"),
            "spec.template.spec.containers[1].securityContext.privileged",
            line_of("privileged: true"),
        ),
        (
            "read-only-root-filesystem",
            Some("web"),
            "spec.template.spec.containers[1].securityContext.readOnlyRootFilesystem",
            line_of("readOnlyRootFilesystem"),
        ),
        (
            "image-untagged",
            Some("web"),
            "spec.template.spec.containers[1].image",
            line_of("web:latest"),
        ),
        (
            "single-replica",
            None,
            "spec.replicas",
            line_of("replicas: 1"),
        ),
        // Missing fields: the parent they would go under.
        (
            "resources-limits",
            Some("web"),
            "spec.template.spec.containers[1].resources.limits",
            line_of("- name: web"),
        ),
        (
            "probe-readiness-missing",
            Some("sidecar"),
            "spec.template.spec.containers[0].readinessProbe",
            line_of("- name: sidecar"),
        ),
    ];
    let mut lines = Vec::new();
    for (check, container, field, line) in expect {
        let f = finding(check, container);
        assert_eq!(f["field"], field, "{f}");
        assert_eq!(f["source"]["line"], line, "{check}: {f}");
        lines.push(line);
    }
    // The object still starts where it starts.
    let web = report["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .find(|o| o["name"] == "web")
        .expect("web")
        .clone();
    assert_eq!(
        web["source"]["line"],
        line_of("apiVersion: apps/v1"),
        "{web}"
    );

    // SARIF regions and the wide table's source column carry the same lines.
    let out = run(kubectl()
        .args(["harden", "audit", "-o", "sarif", "-f"])
        .arg(&file));
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).expect("sarif");
    let regions: Vec<u64> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64())
        .collect();
    for line in &lines {
        assert!(
            regions.contains(&(*line as u64)),
            "line {line} in {regions:?}"
        );
    }
    let out = run(kubectl()
        .args(["harden", "audit", "-o", "wide", "-f"])
        .arg(&file));
    let privileged = out
        .stdout
        .lines()
        .find(|l| l.contains("pss-privileged"))
        .expect("a privileged row");
    assert!(
        privileged.contains(&format!("app.yaml:{}", line_of("privileged: true"))),
        "{privileged}"
    );

    // From stdin too (it is read once and kept).
    let out = run(kubectl()
        .args(["harden", "audit", "-o", "json", "-f", "-"])
        .stdin(std::fs::File::open(&file).expect("open")));
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let privileged = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["check"] == "pss-privileged")
        .expect("privileged")
        .clone();
    assert_eq!(
        privileged["source"]["line"],
        line_of("privileged: true"),
        "{privileged}"
    );
}

/// An input of several read batches (about 1 MiB each) from stdin: every object and finding
/// keeps its own document's lines, and the cross-object checks see the whole input (a policy
/// at the end covers namespaces whose workloads came first).
#[test]
fn a_large_input_streamed_from_stdin_keeps_every_line_and_cross_object_fact() {
    if !kubectl_available() {
        return;
    }
    let mut text = String::new();
    let mut lines = Vec::new();
    let count = 6_000;
    for i in 0..count {
        text.push_str("---\n");
        lines.push(i * 17 + 2);
        text.push_str(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\n  namespace: team-{}\n  labels: {{app: web-{i}}}\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: web-{i}}}}}\n  template:\n    metadata: {{labels: {{app: web-{i}}}}}\n    spec:\n      containers:\n        - name: web\n          image: registry.example/web:1.{i}\n          resources: {{requests: {{cpu: 10m, memory: 16Mi}}, limits: {{cpu: 50m, memory: 64Mi}}}}\n",
            i % 2
        ));
    }
    text.push_str("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: team-1}\nspec: {podSelector: {}}\n");
    assert!(text.len() > 2 << 20, "more than two batches");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.yaml");
    std::fs::write(&path, &text).expect("writes");
    let out = run(kubectl()
        .args(["harden", "audit", "-f", "-", "-o", "json"])
        .stdin(std::fs::File::open(&path).expect("opens")));
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let objects = report["objects"].as_array().expect("objects");
    assert_eq!(objects.len(), count + 1);
    assert_eq!(report["summary"]["objects"], count + 1);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(objects[i]["name"], format!("web-{i}"));
        assert_eq!(objects[i]["source"]["line"], *line, "web-{i}");
    }
    let findings = report["findings"].as_array().expect("findings");
    // Each Deployment's replicas line is the 8th of its document.
    let replicas: Vec<_> = findings
        .iter()
        .filter(|f| f["check"] == "single-replica")
        .collect();
    assert_eq!(replicas.len(), count);
    for finding in &replicas {
        let name = finding["object"]["name"].as_str().expect("name");
        let i: usize = name.trim_start_matches("web-").parse().expect("index");
        assert_eq!(finding["source"]["line"], lines[i] + 7, "{name}");
    }
    // Only team-0 lacks a default-deny policy: the one at the end covers team-1.
    let missing: Vec<_> = findings
        .iter()
        .filter(|f| f["check"] == "network-policy-missing")
        .map(|f| f["object"]["name"].clone())
        .collect();
    assert_eq!(missing, [serde_json::json!("team-0")]);
}
