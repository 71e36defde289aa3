//! `kubectl harden fix` through the real kubectl: manifest files, and live objects.

use e2e::{Cluster, kubectl, kubectl_available, run, unique_namespace};

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

/// The ids `kubectl harden checks -o json` marks fixable.
fn fixable() -> Vec<String> {
    let out = run(kubectl().args(["harden", "checks", "-o", "json"]));
    let catalogue: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    catalogue["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["fixable"] == true)
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn fixing_the_insecure_sample_leaves_no_fixable_findings_and_a_minimal_diff() {
    if !kubectl_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let insecure =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hastecrm/insecure");
    copy_dir(&insecure, dir.path());
    let path = dir.path().to_string_lossy().into_owned();

    // --diff changes nothing on disk and exits 1 when something would change.
    let out = run(kubectl().args(["harden", "fix", "-f", &path, "--diff"]));
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stdout.contains("+          securityContext:"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout
            .lines()
            .any(|l| l.starts_with('-') && !l.starts_with("---")),
        "a fix of the sample only adds lines:\n{}",
        out.stdout
    );
    // What needs a person points at the field's line, as the audit does.
    let image_line = format!(
        "image-untagged Deployment/api [api] ({}:36): container \"api\" uses `hastecrm/api:latest`",
        dir.path().join("api.yaml").display()
    );
    assert!(out.stderr.contains(&image_line), "{}", out.stderr);
    let api = std::fs::read_to_string(dir.path().join("api.yaml")).expect("read");
    assert_eq!(
        api,
        std::fs::read_to_string(insecure.join("api.yaml")).expect("read")
    );

    let out = run(kubectl().args([
        "harden",
        "fix",
        "-f",
        &path,
        "--in-place",
        "--add-missing",
        "--tmp-volume",
    ]));
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stderr.contains("need a person"), "{out:?}");

    let out = run(kubectl().args(["harden", "audit", "-f", &path, "-o", "json"]));
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let fixable = fixable();
    let left: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| fixable.iter().any(|id| f["check"] == id.as_str()))
        .collect();
    assert!(left.is_empty(), "{left:#?}");
    // Comments survive.
    let api = std::fs::read_to_string(dir.path().join("api.yaml")).expect("read");
    assert!(api.contains("# Probes without timeoutSeconds"), "{api}");

    // Fixing again changes nothing.
    let out = run(kubectl().args([
        "harden",
        "fix",
        "-f",
        &path,
        "--diff",
        "--add-missing",
        "--tmp-volume",
    ]));
    assert_eq!((out.code, out.stdout.as_str()), (Some(0), ""), "{out:?}");

    // stdin to stdout; --output-dir keeps file names.
    let out = run(kubectl()
        .args(["harden", "fix", "-f", "-"])
        .stdin(std::fs::File::open(insecure.join("cronjob.yaml")).expect("open")));
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout.contains("automountServiceAccountToken: false"),
        "{}",
        out.stdout
    );
    let copies = tempfile::tempdir().expect("tempdir");
    let out = run(kubectl()
        .args([
            "harden",
            "fix",
            "-f",
            &insecure.to_string_lossy(),
            "--output-dir",
        ])
        .arg(copies.path()));
    assert_eq!(out.code, Some(0), "{out:?}");
    let copy = std::fs::read_to_string(copies.path().join("api.yaml")).expect("api.yaml written");
    assert!(copy.contains("readOnlyRootFilesystem: true"), "{copy}");

    // Helm templates are refused with the file and line.
    let chart = tempfile::tempdir().expect("tempdir");
    let template = chart.path().join("deployment.yaml");
    std::fs::write(&template, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n    - name: x\n      image: \"{{ .Values.image }}\"\n").expect("write");
    let out = run(kubectl().args(["harden", "fix", "-f"]).arg(&template));
    assert_ne!(out.code, Some(0));
    assert!(
        out.stderr
            .contains(&format!("{}:8: Helm template syntax", template.display())),
        "{out:?}"
    );
}

const WORKLOAD: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
        - name: shop
          image: registry.k8s.io/pause:3.10
          resources:
            requests: {cpu: 10m, memory: 16Mi}
";

/// A cluster with a namespace of its own holding [`WORKLOAD`].
fn with_workload(test: &str) -> (Cluster, String) {
    let cluster = Cluster::start(&[]);
    let ns = unique_namespace(test);
    cluster.ok(&["create", "namespace", &ns]);
    let out = cluster.kubectl_stdin(&["apply", "-n", &ns, "-f", "-"], WORKLOAD);
    assert_eq!(out.code, Some(0), "{out:?}");
    (cluster, ns)
}

#[test]
fn live_fixes_preview_on_the_server_then_apply_with_yes() {
    if !kubectl_available() {
        return;
    }
    let (cluster, ns) = with_workload("harden-fix");

    let out = cluster.kubectl(&[
        "harden",
        "fix",
        "-n",
        &ns,
        "deploy/shop",
        "--dry-run=server",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout
            .contains("+          allowPrivilegeEscalation: false"),
        "{}",
        out.stdout
    );
    let live = cluster.ok(&["get", "deploy", "shop", "-n", &ns, "-o", "json"]);
    assert!(
        !live.contains("allowPrivilegeEscalation"),
        "a dry run persists nothing"
    );

    // No terminal and no --yes: refused.
    let out = cluster.kubectl(&["harden", "fix", "-n", &ns, "deploy/shop"]);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("without --yes"), "{out:?}");

    let out = cluster.kubectl(&[
        "harden",
        "fix",
        "-n",
        &ns,
        "deploy/shop",
        "--yes",
        "--add-missing",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let live: serde_json::Value =
        serde_json::from_str(&cluster.ok(&["get", "deploy", "shop", "-n", &ns, "-o", "json"]))
            .expect("json");
    let container = &live["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        container["securityContext"]["allowPrivilegeEscalation"], false,
        "{live}"
    );
    assert_eq!(
        container["image"], "registry.k8s.io/pause:3.10",
        "untouched fields stay"
    );
    assert_eq!(container["resources"]["requests"]["cpu"], "10m");
    assert_eq!(container["resources"]["limits"]["memory"], "1Gi");
    cluster.ok(&["get", "pdb", "shop", "-n", &ns]);

    // Fixed: nothing fixable left on the Deployment, and a second fix plans nothing.
    let out = cluster.kubectl(&["harden", "audit", "-n", &ns, "-o", "json"]);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let fixable = fixable();
    let left: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["object"]["kind"] == "Deployment"
                && fixable.iter().any(|id| f["check"] == id.as_str())
        })
        .collect();
    assert!(left.is_empty(), "{left:#?}");
    let out = cluster.kubectl(&[
        "harden",
        "fix",
        "-n",
        &ns,
        "deploy/shop",
        "--dry-run=server",
    ]);
    assert_eq!((out.code, out.stdout.as_str()), (Some(0), ""), "{out:?}");

    // --emit-kustomize writes a component and touches nothing.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = cluster.kubectl(&[
        "harden",
        "fix",
        "-n",
        &ns,
        "--all",
        "--emit-kustomize",
        &dir.path().to_string_lossy(),
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let kustomization =
        std::fs::read_to_string(dir.path().join("kustomization.yaml")).expect("kustomization");
    assert!(
        kustomization.contains("kind: Component") && kustomization.contains("patch-namespace-"),
        "{kustomization}"
    );

    // The namespace's PSS labels pin the API server's version, not the newest this release
    // knows (as `harden pss --apply-labels` does).
    let out = cluster.kubectl(&["harden", "fix", "-n", &ns, &format!("ns/{ns}"), "--yes"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let version: serde_json::Value =
        serde_json::from_str(&cluster.ok(&["version", "-o", "json"])).expect("json");
    let minor: String = version["serverVersion"]["minor"]
        .as_str()
        .expect("minor")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let labels: serde_json::Value = serde_json::from_str(&cluster.ok(&[
        "get",
        "namespace",
        &ns,
        "-o",
        "jsonpath={.metadata.labels}",
    ]))
    .expect("labels");
    for mode in ["enforce", "audit", "warn"] {
        assert_eq!(
            labels[format!("pod-security.kubernetes.io/{mode}-version")],
            format!("v1.{minor}"),
            "{labels}"
        );
    }

    let out = cluster.kubectl(&["harden", "fix", "-n", &ns, "deploy/nope"]);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stderr.contains("deployment \"nope\" not found"),
        "{out:?}"
    );
    cluster.ok(&["delete", "namespace", &ns, "--wait=false"]);
}

/// An operator whose ServiceAccount a RoleBinding in the cluster grants a Role: it calls the
/// API, so a live fix keeps its token; the plain workload's is turned off.
const OPERATOR: &str = "\
apiVersion: v1
kind: ServiceAccount
metadata: {name: operator}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: operator}
rules: [{apiGroups: [''], resources: [configmaps], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: operator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: operator}
subjects: [{kind: ServiceAccount, name: operator}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: operator}
spec:
  selector: {matchLabels: {app: operator}}
  template:
    metadata: {labels: {app: operator}}
    spec:
      serviceAccountName: operator
      containers:
        - name: operator
          image: registry.k8s.io/pause:3.10
";

#[test]
fn a_live_fix_keeps_the_token_of_pods_bound_by_rbac_in_the_cluster() {
    if !kubectl_available() {
        return;
    }
    let (cluster, ns) = with_workload("harden-rbac");
    let out = cluster.kubectl_stdin(&["apply", "-n", &ns, "-f", "-"], OPERATOR);
    assert_eq!(out.code, Some(0), "{out:?}");
    let out = cluster.kubectl(&["harden", "fix", "-n", &ns, "--all", "--dry-run=client"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stderr.contains(
            "automount-service-account-token Deployment/operator: mounts a service account token"
        ) && out
            .stderr
            .contains("bound by RoleBinding/operator in the cluster, so the pod calls the API"),
        "{}",
        out.stderr
    );
    let diffs: Vec<&str> = out.stdout.split("\n---").collect();
    let operator = diffs
        .iter()
        .find(|d| d.contains("deployment/operator") || d.contains("Deployment/operator"))
        .expect("a diff for the operator");
    assert!(
        !operator.contains("automountServiceAccountToken"),
        "{operator}"
    );
    assert!(
        out.stdout
            .contains("+      automountServiceAccountToken: false"),
        "the workload without bindings loses its token: {}",
        out.stdout
    );
    cluster.ok(&["delete", "namespace", &ns, "--wait=false"]);
}

#[test]
fn pss_reports_the_strictest_level_and_labels_only_clean_namespaces() {
    if !kubectl_available() {
        return;
    }
    let (cluster, ns) = with_workload("harden-pss");

    let out = cluster.kubectl(&["harden", "pss", "-n", &ns, "-o", "json"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(report["kind"], "PssReport");
    let namespace = &report["namespaces"][0];
    assert_eq!(
        (namespace["name"].as_str(), namespace["strictest"].as_str()),
        (Some(ns.as_str()), Some("baseline"))
    );
    assert_eq!(namespace["violations"][0]["name"], "shop");

    // Restricted would reject the Deployment: refused, nothing labelled.
    let out = cluster.kubectl(&["harden", "pss", "-n", &ns, "--apply-labels", "--yes"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(out.stderr.contains("not labelling"), "{out:?}");

    // Baseline passes: a server dry run shows the labels, then --yes sets them.
    let out = cluster.kubectl(&[
        "harden",
        "pss",
        "-n",
        &ns,
        "--level",
        "baseline",
        "--apply-labels",
        "--dry-run=server",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout
            .contains("+    pod-security.kubernetes.io/enforce: baseline"),
        "{}",
        out.stdout
    );
    let out = cluster.kubectl(&[
        "harden",
        "pss",
        "-n",
        &ns,
        "--level",
        "baseline",
        "--apply-labels",
        "--yes",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let labels = cluster.ok(&["get", "namespace", &ns, "-o", "jsonpath={.metadata.labels}"]);
    assert!(
        labels.contains("\"pod-security.kubernetes.io/enforce\":\"baseline\""),
        "{labels}"
    );
    assert!(
        labels.contains("\"pod-security.kubernetes.io/warn-version\":\"v1."),
        "{labels}"
    );
    cluster.ok(&["delete", "namespace", &ns, "--wait=false"]);
}

#[test]
fn explicit_values_set_by_kubectl_apply_are_left_and_only_taken_over_when_asked() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&[]);
    let ns = unique_namespace("harden-explicit");
    cluster.ok(&["create", "namespace", &ns]);
    // `kubectl apply` (client-side) owns these fields as `kubectl-client-side-apply`.
    let out = cluster.kubectl_stdin(
        &["apply", "-n", &ns, "-f", "-"],
        "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.example/web:1.0
          securityContext: {allowPrivilegeEscalation: true, readOnlyRootFilesystem: false}
",
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    let context = || {
        let live: serde_json::Value =
            serde_json::from_str(&cluster.ok(&["get", "deploy", "web", "-n", &ns, "-o", "json"]))
                .expect("json");
        live["spec"]["template"]["spec"]["containers"][0]["securityContext"].clone()
    };
    let fix = |extra: &[&str]| {
        let mut args = vec!["harden", "fix", "-n", &ns, "deploy/web", "--yes"];
        args.extend_from_slice(extra);
        cluster.kubectl(&args)
    };

    // By default the author's values stay, the rest is fixed, and what was left is said.
    let out = fix(&[]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stderr.contains(
            "left as written: `allowPrivilegeEscalation: true`; --override-explicit changes it"
        ) && out
            .stderr
            .contains("left as written: `readOnlyRootFilesystem: false`"),
        "{}",
        out.stderr
    );
    let after = context();
    assert_eq!(after["allowPrivilegeEscalation"], true);
    assert_eq!(after["readOnlyRootFilesystem"], false);
    assert_eq!(
        after["capabilities"]["drop"],
        serde_json::json!(["ALL"]),
        "an unset field is fixed: {after}"
    );

    // Overriding them: fields another manager owns are a conflict on a real API server,
    // explained, and nothing changes until --force-conflicts. (simcluster records managers
    // for server-side apply only, so it has no conflict to report here.)
    if !cluster.is_simulated() {
        let out = fix(&["--override-explicit"]);
        assert_eq!(out.code, Some(3), "{out:?}");
        assert!(
            out.stderr
                .contains("conflicts with \"kubectl-client-side-apply\"")
                && out
                    .stderr
                    .contains("securityContext.allowPrivilegeEscalation")
                && out.stderr.contains("re-run with --force-conflicts"),
            "{}",
            out.stderr
        );
        assert_eq!(context()["allowPrivilegeEscalation"], true);
    }
    let out = fix(&["--override-explicit", "--force-conflicts"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let after = context();
    assert_eq!(after["allowPrivilegeEscalation"], false, "{after}");
    assert_eq!(after["readOnlyRootFilesystem"], true, "{after}");
    let _ = cluster.kubectl(&["delete", "namespace", &ns, "--wait=false"]);
}
