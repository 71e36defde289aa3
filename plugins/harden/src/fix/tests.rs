use std::collections::BTreeMap;

use shipshape::manifests::{Input, Manifest, Origin, load, parse_text};

use super::*;
use crate::audit::{Options, audit};
use crate::files::{self, FixedFile};

fn insecure() -> Vec<Manifest> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hastecrm/insecure");
    load(&[Input::Path(dir)]).into_result().unwrap()
}

fn texts(manifests: &[Manifest]) -> BTreeMap<Origin, String> {
    manifests
        .iter()
        .filter_map(|m| match &m.source.origin {
            Origin::File(path) => Some((
                m.source.origin.clone(),
                std::fs::read_to_string(path).unwrap(),
            )),
            _ => None,
        })
        .collect()
}

/// Audits, plans and writes; returns the fixed files and the objects parsed back from them.
fn fix_once(
    manifests: &[Manifest],
    texts: &BTreeMap<Origin, String>,
    options: &FixOptions,
) -> (Vec<FixedFile>, Vec<Manifest>) {
    let report = audit(manifests, &Options::default());
    let plan = plan(
        manifests,
        &report,
        options,
        &Bindings::of(manifests, "in the input"),
    );
    let (fixed, skipped) = files::apply(manifests, &plan, texts);
    assert!(skipped.is_empty(), "{skipped:?}");
    let reparsed = fixed
        .iter()
        .flat_map(|f| parse_text(&f.origin, &f.after, Default::default()))
        .map(|r| r.unwrap())
        .collect();
    (fixed, reparsed)
}

#[test]
fn fixed_manifests_have_no_fixable_findings_left() {
    let manifests = insecure();
    let options = FixOptions {
        add_missing: true,
        tmp_volume: true,
        ..FixOptions::default()
    };
    let (_, fixed) = fix_once(&manifests, &texts(&manifests), &options);
    let report = audit(&fixed, &Options::default());
    let left: Vec<String> = report
        .findings
        .iter()
        .filter(|f| fixable(f.check))
        .map(|f| {
            format!(
                "{} {}/{}: {}",
                f.check, f.object.kind, f.object.name, f.message
            )
        })
        .collect();
    assert_eq!(left, Vec::<String>::new());
    // The additions are there: a budget per multi-replica Deployment, a policy per namespace.
    let count = |kind: &str| fixed.iter().filter(|m| m.kind() == kind).count();
    assert_eq!(count("PodDisruptionBudget"), 3);
    assert_eq!(count("NetworkPolicy"), 2);
}

#[test]
fn fixing_twice_changes_nothing_the_second_time() {
    let manifests = insecure();
    let options = FixOptions {
        add_missing: true,
        tmp_volume: true,
        ..FixOptions::default()
    };
    let (first, _) = fix_once(&manifests, &texts(&manifests), &options);
    let again: BTreeMap<Origin, String> = first
        .iter()
        .map(|f| (f.origin.clone(), f.after.clone()))
        .collect();
    let reloaded: Vec<Manifest> = first
        .iter()
        .flat_map(|f| parse_text(&f.origin, &f.after, Default::default()))
        .map(|r| r.unwrap())
        .collect();
    let (second, _) = fix_once(&reloaded, &again, &options);
    for file in second {
        assert!(
            !file.changed(),
            "{} changed again:\n{}",
            file.name(),
            file.diff()
        );
    }
}

#[test]
fn fixes_only_add_or_change_lines_and_keep_comments() {
    let manifests = insecure();
    let (fixed, _) = fix_once(&manifests, &texts(&manifests), &FixOptions::default());
    for file in &fixed {
        let diff = similar::TextDiff::from_lines(&file.before, &file.after);
        let removed: Vec<String> = diff
            .iter_all_changes()
            .filter(|c| c.tag() == similar::ChangeTag::Delete)
            .map(|c| c.to_string())
            .collect();
        // Only scalars that were wrong are replaced (none in the sample: it adds everything).
        assert_eq!(removed, Vec::<String>::new(), "{}", file.name());
    }
    let api = fixed
        .iter()
        .find(|f| f.name().ends_with("api.yaml"))
        .unwrap();
    assert!(api.after.contains("# Probes without timeoutSeconds"));
}

fn one(text: &str) -> (Vec<Manifest>, BTreeMap<Origin, String>) {
    let manifests: Vec<Manifest> = parse_text(&Origin::Stdin, text, Default::default())
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    (
        manifests,
        BTreeMap::from([(Origin::Stdin, text.to_owned())]),
    )
}

#[test]
fn explicit_values_are_left_and_reported_unless_overridden_then_replaced_in_place() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: prod}
spec:
  securityContext: {runAsUser: 0, runAsGroup: 3000, fsGroup: 3000, seccompProfile: {type: RuntimeDefault}}
  automountServiceAccountToken: false
  containers:
    - name: app
      image: app:1@sha256:0000000000000000000000000000000000000000000000000000000000000000
      securityContext:
        runAsNonRoot: false   # was root
        allowPrivilegeEscalation: true
        readOnlyRootFilesystem: true
        capabilities: {drop: [NET_RAW]}
      resources:
        limits: {cpu: 50m, memory: 2Gi}
";
    let (manifests, texts) = one(text);
    // By default the author's explicit values are decisions: left, and listed for a person.
    let (fixed, _) = fix_once(&manifests, &texts, &FixOptions::default());
    let after = &fixed[0].after;
    for kept in [
        "runAsNonRoot: false   # was root",
        "allowPrivilegeEscalation: true",
        "securityContext: {runAsUser: 0,",
    ] {
        assert!(after.contains(kept), "{kept}: {after}");
    }
    let report = audit(&manifests, &Options::default());
    let planned = plan(
        &manifests,
        &report,
        &FixOptions::default(),
        &Bindings::of(&manifests, "in the input"),
    );
    let left: Vec<&str> = planned
        .manual
        .iter()
        .filter(|f| f.message.contains("--override-explicit"))
        .map(|f| f.check)
        .collect();
    for check in [
        "pss-run-as-non-root",
        "pss-run-as-user",
        "pss-privilege-escalation",
    ] {
        assert!(left.contains(&check), "{check}: {left:?}");
    }
    assert!(
        planned.manual.iter().any(|f| f
            .message
            .contains("left as written: `allowPrivilegeEscalation: true`")),
        "{:?}",
        planned.manual
    );
    // Unset fields are still fixed alongside (resources, the capability drop).
    assert!(
        after.contains("capabilities: {drop: [NET_RAW, ALL]}"),
        "{after}"
    );

    let overriding = FixOptions {
        override_explicit: true,
        ..FixOptions::default()
    };
    let (fixed, reparsed) = fix_once(&manifests, &texts, &overriding);
    let after = &fixed[0].after;
    assert!(after.contains("runAsNonRoot: true   # was root"), "{after}");
    assert!(after.contains("allowPrivilegeEscalation: false"), "{after}");
    assert!(
        after.contains("capabilities: {drop: [NET_RAW, ALL]}"),
        "{after}"
    );
    assert!(
        after.contains("securityContext: {runAsUser: 65534, runAsGroup: 3000"),
        "{after}"
    );
    // Limits only: the API server defaults the requests to them (a Guaranteed pod stays
    // Guaranteed), so no request is written.
    let resources = &reparsed[0].object["spec"]["containers"][0]["resources"];
    assert!(resources["requests"].is_null(), "{resources}");
}

#[test]
fn ignored_findings_are_not_fixed_and_added_capabilities_stay_manual() {
    let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: prod
  annotations:
    harden.shipshape.dev/ignore: read-only-root-filesystem
spec:
  containers:
    - name: app
      image: app:1
      securityContext: {capabilities: {add: [SYS_ADMIN]}}
";
    let (manifests, texts) = one(text);
    let report = audit(&manifests, &Options::default());
    let plan = plan(
        &manifests,
        &report,
        &FixOptions::default(),
        &Bindings::of(&manifests, "in the input"),
    );
    assert!(
        plan.fixed
            .iter()
            .all(|f| f.check != "read-only-root-filesystem")
    );
    assert!(
        plan.manual
            .iter()
            .any(|f| f.check == "pss-capabilities-restricted")
    );
    let (fixed, skipped) = files::apply(&manifests, &plan, &texts);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert!(!fixed[0].after.contains("readOnlyRootFilesystem"));
    assert!(fixed[0].after.contains("drop: [ALL]"), "{}", fixed[0].after);
}

#[test]
fn helm_templates_are_refused_with_the_line() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: {{ .Values.image }}\n";
    let origin = Origin::File("chart/templates/pod.yaml".into());
    let manifests = vec![Manifest {
        object: serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "x"}]}}),
        source: shipshape::manifests::Source {
            origin: origin.clone(),
            document: 1,
            line: 1,
            item: None,
        },
    }];
    let report = audit(&manifests, &Options::default());
    let plan = plan(
        &manifests,
        &report,
        &FixOptions::default(),
        &Bindings::of(&manifests, "in the input"),
    );
    let (_, errors) = files::apply(
        &manifests,
        &plan,
        &BTreeMap::from([(origin, text.to_owned())]),
    );
    assert!(
        errors[0]
            .to_string()
            .starts_with("chart/templates/pod.yaml:7: Helm template syntax"),
        "{}",
        errors[0]
    );
}

/// Argo CD's shape: a namespace-less bundle whose controller's ServiceAccount is bound to a
/// ClusterRole (it calls the API), a web server whose ServiceAccount turns tokens off, and a
/// worker that needs nothing.
const BUNDLE: &str = "\
apiVersion: v1
kind: ServiceAccount
metadata: {name: argocd-application-controller}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: argocd-server}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: argocd-application-controller}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: argocd-application-controller}
subjects: [{kind: ServiceAccount, name: argocd-application-controller, namespace: argocd}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: argocd-application-controller}
spec:
  selector: {matchLabels: {app: controller}}
  template:
    metadata: {labels: {app: controller}}
    spec:
      serviceAccountName: argocd-application-controller
      containers: [{name: controller, image: 'quay.io/argoproj/argocd:v2.13.0'}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-server}
spec:
  selector: {matchLabels: {app: server}}
  template:
    metadata: {labels: {app: server}}
    spec:
      serviceAccountName: argocd-server
      containers: [{name: server, image: 'quay.io/argoproj/argocd:v2.13.0'}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers: [{name: worker, image: 'registry.example/worker:1'}]
";

#[test]
fn tokens_stay_for_pods_that_call_the_api_and_a_service_accounts_false_counts() {
    let (manifests, _) = one(BUNDLE);
    let report = audit(&manifests, &Options::default());
    let automount: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.check == "automount-service-account-token")
        .map(|f| f.object.name.as_str())
        .collect();
    // argocd-server's ServiceAccount already says false.
    assert_eq!(automount, ["argocd-application-controller", "worker"]);
    let planned = plan(
        &manifests,
        &report,
        &FixOptions::default(),
        &Bindings::of(&manifests, "in the input"),
    );
    let left = planned
        .manual
        .iter()
        .find(|f| f.check == "automount-service-account-token")
        .expect("the controller's finding is left");
    assert_eq!(left.object.name, "argocd-application-controller");
    assert!(
        left.message
            .contains("bound by ClusterRoleBinding/argocd-application-controller"),
        "{}",
        left.message
    );
    assert!(
        planned
            .fixed
            .iter()
            .any(|f| f.check == "automount-service-account-token" && f.object.name == "worker")
    );
}

#[test]
fn no_token_is_taken_when_the_bindings_cannot_be_read() {
    let (manifests, _) = one(BUNDLE);
    let report = audit(&manifests, &Options::default());
    let planned = plan(
        &manifests,
        &report,
        &FixOptions::default(),
        &Bindings::Unknown("you may not list clusterrolebindings".into()),
    );
    assert!(
        !planned
            .fixed
            .iter()
            .any(|f| f.check == "automount-service-account-token"),
        "{:?}",
        planned.fixed
    );
    let left: Vec<&str> = planned
        .manual
        .iter()
        .filter(|f| f.check == "automount-service-account-token")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(
        left[1].contains("unknown (you may not list clusterrolebindings)"),
        "{left:?}"
    );
}

#[test]
fn a_namespace_less_bundle_gets_a_namespace_less_network_policy() {
    let (manifests, _) = one(BUNDLE);
    let report = audit(&manifests, &Options::default());
    let options = FixOptions {
        add_missing: true,
        ..FixOptions::default()
    };
    let planned = plan(
        &manifests,
        &report,
        &options,
        &Bindings::of(&manifests, "in the input"),
    );
    let policies: Vec<&Value> = planned
        .additions
        .iter()
        .map(|a| &a.object)
        .filter(|o| o["kind"] == "NetworkPolicy")
        .collect();
    assert_eq!(policies.len(), 1);
    assert!(
        policies[0]["metadata"]["namespace"].is_null(),
        "{}",
        policies[0]
    );
    // With a namespace, the policy is in it.
    let (manifests, _) = one(&BUNDLE.replace(
        "metadata: {name: worker}",
        "metadata: {name: worker, namespace: jobs}",
    ));
    let report = audit(&manifests, &Options::default());
    let planned = plan(
        &manifests,
        &report,
        &options,
        &Bindings::of(&manifests, "in the input"),
    );
    let namespaces: Vec<&Value> = planned
        .additions
        .iter()
        .filter(|a| a.object["kind"] == "NetworkPolicy")
        .map(|a| &a.object["metadata"]["namespace"])
        .collect();
    assert!(namespaces.contains(&&json!("jobs")), "{namespaces:?}");
}

#[test]
fn an_egress_only_policy_is_not_default_deny_and_limits_stand_in_for_requests() {
    let text = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-only, namespace: shop}
spec: {podSelector: {}, policyTypes: [Egress]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.example/web:1
          resources: {limits: {cpu: 500m, memory: 256Mi}}
";
    let (manifests, _) = one(text);
    let report = audit(&manifests, &Options::default());
    let checks: Vec<&str> = report.findings.iter().map(|f| f.check).collect();
    assert!(checks.contains(&"network-policy-missing"), "{checks:?}");
    // Requests default to the limits: nothing to fix, and a Guaranteed pod stays Guaranteed.
    assert!(!checks.contains(&"resources-requests"), "{checks:?}");
    let (manifests, _) =
        one(&text.replace("policyTypes: [Egress]", "policyTypes: [Ingress, Egress]"));
    let report = audit(&manifests, &Options::default());
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.check == "network-policy-missing")
    );
    // Only memory limited: the cpu request is written, the memory one left to the server.
    let (manifests, texts) = one(&text.replace(
        "limits: {cpu: 500m, memory: 256Mi}",
        "limits: {memory: 256Mi}",
    ));
    let (_, reparsed) = fix_once(&manifests, &texts, &FixOptions::default());
    let resources = &reparsed[1].object["spec"]["template"]["spec"]["containers"][0]["resources"];
    assert_eq!(resources["requests"], json!({"cpu": "100m"}), "{resources}");
}

#[test]
fn a_namespace_is_enforced_only_at_a_level_its_fixed_workloads_meet() {
    // kube-prometheus's shape: node-exporter (hostNetwork, hostPID, hostPath) next to a
    // Deployment fix can make restricted; a second namespace holds only the Deployment.
    let text = "\
apiVersion: v1
kind: Namespace
metadata: {name: monitoring, labels: {pod-security.kubernetes.io/warn-version: latest}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-exporter, namespace: monitoring}
spec:
  selector: {matchLabels: {app: node-exporter}}
  template:
    metadata: {labels: {app: node-exporter}}
    spec:
      hostNetwork: true
      hostPID: true
      volumes: [{name: root, hostPath: {path: /}}]
      containers: [{name: node-exporter, image: 'quay.io/prometheus/node-exporter:v1.8.2', volumeMounts: [{name: root, mountPath: /host/root}]}]
---
apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: 'registry.example/web:1'}]
";
    let (manifests, texts) = one(text);
    let report = audit(&manifests, &Options::default());
    let planned = plan(
        &manifests,
        &report,
        &FixOptions::default(),
        &Bindings::of(&manifests, "in the input"),
    );
    let (_, fixed) = fix_once(&manifests, &texts, &FixOptions::default());
    let labels = |name: &str| {
        fixed
            .iter()
            .find(|m| m.kind() == "Namespace" && m.name() == name)
            .map(|m| m.object["metadata"]["labels"].clone())
            .expect("namespace")
    };
    let monitoring = labels("monitoring");
    assert_eq!(
        monitoring["pod-security.kubernetes.io/enforce"], "privileged",
        "{monitoring}"
    );
    assert_eq!(monitoring["pod-security.kubernetes.io/audit"], "restricted");
    assert_eq!(monitoring["pod-security.kubernetes.io/warn"], "restricted");
    assert_eq!(
        monitoring["pod-security.kubernetes.io/warn-version"], "latest",
        "an explicit label is not rewritten"
    );
    let said = planned
        .manual
        .iter()
        .find(|f| f.check == "namespace-pss-labels" && f.object.name == "monitoring")
        .expect("the lower level is said");
    assert!(
        said.message.contains("enforce set to privileged")
            && said
                .message
                .contains("left as written: `pod-security.kubernetes.io/warn-version: \"latest\"`"),
        "{}",
        said.message
    );
    // The namespace whose workloads fix makes restricted is enforced at restricted.
    assert_eq!(
        labels("web")["pod-security.kubernetes.io/enforce"],
        "restricted"
    );
    assert!(
        planned
            .fixed
            .iter()
            .any(|f| f.check == "namespace-pss-labels" && f.object.name == "web")
    );
}

#[test]
fn a_sourceless_volume_is_an_empty_dir_and_native_sidecars_need_probes() {
    let text = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      volumes: [{name: scratch}]
      initContainers:
        - {name: proxy, image: 'registry.example/proxy:1', restartPolicy: Always}
        - {name: migrate, image: 'registry.example/migrate:1'}
      containers: [{name: web, image: 'registry.example/web:1'}]
";
    let (manifests, _) = one(text);
    let report = audit(&manifests, &Options::default());
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.check == "pss-volume-types"),
        "{:?}",
        report.findings
    );
    let readiness: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.check == "probe-readiness-missing")
        .filter_map(|f| f.container.as_deref())
        .collect();
    assert_eq!(
        readiness,
        ["proxy", "web"],
        "the sidecar, not the one-shot init container"
    );
}

#[test]
fn crlf_files_get_crlf_lines_and_a_file_that_cannot_be_edited_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let crlf = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: crlf\r\n  namespace: shop\r\nspec:\r\n  containers:\r\n    - name: a\r\n      image: a:1\r\n";
    std::fs::write(dir.path().join("crlf.yaml"), crlf).unwrap();
    std::fs::write(
        dir.path().join("anchors.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: anchors, namespace: shop, labels: &l {app: b}}\nspec:\n  containers: [{name: b, image: 'b:1', env: [{name: X, value: *l}]}]\n",
    )
    .unwrap();
    let manifests = load(&[Input::Path(dir.path().to_owned())])
        .into_result()
        .unwrap();
    let report = audit(&manifests, &Options::default());
    let plan = plan(
        &manifests,
        &report,
        &FixOptions::default(),
        &Bindings::of(&manifests, "in the input"),
    );
    let (fixed, skipped) = files::apply(&manifests, &plan, &texts(&manifests));
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].file.ends_with("anchors.yaml"), "{skipped:?}");
    let after = &fixed
        .iter()
        .find(|f| f.changed())
        .expect("the CRLF file is fixed")
        .after;
    assert!(after.contains("securityContext:\r\n"), "{after:?}");
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF: {after:?}"
    );
}

#[test]
fn the_region_diff_is_the_whole_file_diff() {
    let mut inputs: Vec<(Vec<Manifest>, BTreeMap<Origin, String>)> = Vec::new();
    let sample = insecure();
    let sample_texts = texts(&sample);
    inputs.push((sample, sample_texts));
    // Many documents, one untouched in the middle, the last without a final newline.
    let mut text = String::new();
    for i in 0..30 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: {}\nmetadata: {{name: p{i}, namespace: shop}}\nspec:\n  containers: [{{name: a, image: 'a:1'}}]\n",
            if i == 15 { "ConfigMap" } else { "Pod" }
        ));
    }
    let text = text.trim_end().to_owned();
    inputs.push(one(&text));
    for (manifests, texts) in inputs {
        let report = audit(&manifests, &Options::default());
        let options = FixOptions {
            add_missing: true,
            ..FixOptions::default()
        };
        let plan = plan(
            &manifests,
            &report,
            &options,
            &Bindings::of(&manifests, "in the input"),
        );
        let (fixed, _) = files::apply(&manifests, &plan, &texts);
        for file in fixed.iter().filter(|f| f.changed()) {
            assert!(!file.regions.is_empty());
            // The oracle: similar's own diff of the whole files.
            let name = file.name();
            let name = name.trim_start_matches('/');
            let whole = similar::TextDiff::from_lines(&file.before, &file.after)
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string();
            assert_eq!(file.diff(), whole, "{}", file.name());
        }
    }
}
