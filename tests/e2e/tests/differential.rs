//! simcluster against the real control plane: the same requests sent to both, their answers
//! normalised (uids, resourceVersions, timestamps, generated names, continue tokens) and
//! compared — status codes, Status bodies (reason, code, message, details and their causes) and
//! objects. Runs where the suite runs against a real cluster (tests/realcluster/e2e.sh sets
//! `SHIPSHAPE_E2E_KUBECONFIG`); without one it says so and passes. The differences it allows,
//! each with its reason, are [`ACCEPTED`], listed in tests/simcluster/README.md too.

use std::path::Path;

use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::{Value, json};
use simcluster::{Options, SimCluster};

/// One request of the sequence. `{ns}` in the path or body is the test's namespace.
struct Step {
    what: &'static str,
    method: &'static str,
    path: &'static str,
    body: Option<Value>,
    /// The Content-Type, when not JSON (a merge patch for PATCH).
    content_type: Option<&'static str>,
}

fn step(what: &'static str, method: &'static str, path: &'static str, body: Option<Value>) -> Step {
    Step {
        what,
        method,
        path,
        body,
        content_type: None,
    }
}

/// A server-side apply of `body` by the `shipshape` manager (`force` takes fields over).
fn apply(what: &'static str, path: &'static str, body: Value) -> Step {
    Step {
        content_type: Some("application/apply-patch+yaml"),
        ..step(what, "PATCH", path, Some(body))
    }
}

/// Differences allowed, as (step, JSON path of the field that differs — a prefix, `*` for every
/// step —, why).
const ACCEPTED: &[(&str, &str, &str)] = &[(
    "list ConfigMaps by label, one per page",
    ".body.metadata.continue",
    "the real API server pages through every object before the label selector filters them \
         (the namespace's kube-root-ca.crt ConfigMap is left) and hands a continue token for a \
         page that will be empty; clients follow tokens until there is none, so either answer \
         lists the same items",
)];

fn steps() -> Vec<Step> {
    let config_map = |name: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"app": "diff"}}, "data": {"k": "v"}});
    vec![
        step(
            "create the namespace",
            "POST",
            "/api/v1/namespaces",
            Some(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "{ns}"}})),
        ),
        step(
            "create a ConfigMap",
            "POST",
            "/api/v1/namespaces/{ns}/configmaps",
            Some(config_map("a")),
        ),
        step(
            "create it again",
            "POST",
            "/api/v1/namespaces/{ns}/configmaps",
            Some(config_map("a")),
        ),
        step(
            "get a missing ConfigMap",
            "GET",
            "/api/v1/namespaces/{ns}/configmaps/missing",
            None,
        ),
        step(
            "create with an invalid name",
            "POST",
            "/api/v1/namespaces/{ns}/configmaps",
            Some(config_map("Not_A_Name")),
        ),
        step(
            "create with a resourceVersion",
            "POST",
            "/api/v1/namespaces/{ns}/configmaps",
            Some({
                let mut object = config_map("with-rv");
                object["metadata"]["resourceVersion"] = json!("12345");
                object
            }),
        ),
        step(
            "create in a missing namespace",
            "POST",
            "/api/v1/namespaces/{ns}-missing/configmaps",
            Some(config_map("b")),
        ),
        step(
            "update with a stale resourceVersion",
            "PUT",
            "/api/v1/namespaces/{ns}/configmaps/a",
            Some({
                let mut object = config_map("a");
                object["metadata"]["resourceVersion"] = json!("1");
                object
            }),
        ),
        step(
            "merge-patch a missing ConfigMap",
            "PATCH",
            "/api/v1/namespaces/{ns}/configmaps/missing",
            Some(json!({"data": {"k": "w"}})),
        ),
        step(
            "merge-patch the ConfigMap",
            "PATCH",
            "/api/v1/namespaces/{ns}/configmaps/a",
            Some(json!({"data": {"k": "w"}})),
        ),
        step(
            "create a ConfigMap as kubectl create does",
            "POST",
            "/api/v1/namespaces/{ns}/configmaps?fieldManager=kubectl-create",
            Some(config_map("m")),
        ),
        step(
            "merge-patch it as kubectl patch does",
            "PATCH",
            "/api/v1/namespaces/{ns}/configmaps/m?fieldManager=kubectl-patch",
            Some(json!({"data": {"k": "w", "n": "1"}})),
        ),
        step(
            "replace it: a key less, one changed, no resourceVersion",
            "PUT",
            "/api/v1/namespaces/{ns}/configmaps/m?fieldManager=kubectl-replace",
            Some(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m", "labels": {"app": "diff", "tier": "web"}}, "data": {"n": "5"}}),
            ),
        ),
        apply(
            "apply two fields another manager owns",
            "/api/v1/namespaces/{ns}/configmaps/m?fieldManager=shipshape",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m", "labels": {"tier": "api"}}, "data": {"n": "2"}}),
        ),
        apply(
            "apply it with force",
            "/api/v1/namespaces/{ns}/configmaps/m?fieldManager=shipshape&force=true",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m", "labels": {"tier": "api"}}, "data": {"n": "2"}}),
        ),
        apply(
            "apply again without a field it set",
            "/api/v1/namespaces/{ns}/configmaps/m?fieldManager=shipshape",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m"}, "data": {"n": "2", "o": "3"}}),
        ),
        apply(
            "apply a new ConfigMap",
            "/api/v1/namespaces/{ns}/configmaps/applied?fieldManager=shipshape",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied", "labels": {"app": "diff"}}, "data": {"k": "v"}}),
        ),
        step(
            "create with an unknown field, strictly",
            "POST",
            "/api/v1/namespaces/{ns}/configmaps?fieldValidation=Strict",
            Some({
                let mut object = config_map("strict");
                object["colour"] = json!("red");
                object["metadata"]["shade"] = json!("dark");
                object
            }),
        ),
        step(
            "create with an unknown field, warned by default",
            "POST",
            "/api/v1/namespaces/{ns}/configmaps",
            Some({
                let mut object = config_map("warned");
                object["colour"] = json!("red");
                object
            }),
        ),
        step(
            "create with an unknown field, ignored",
            "POST",
            "/api/v1/namespaces/{ns}/configmaps?fieldValidation=Ignore",
            Some({
                let mut object = config_map("ignored");
                object["colour"] = json!("red");
                object
            }),
        ),
        step(
            "create with a fieldValidation that does not exist",
            "POST",
            "/api/v1/namespaces/{ns}/configmaps?fieldValidation=Loose",
            Some(config_map("loose")),
        ),
        step(
            "list ConfigMaps by label, one per page",
            "GET",
            "/api/v1/namespaces/{ns}/configmaps?labelSelector=app%3Ddiff&limit=1",
            None,
        ),
        step(
            "delete the ConfigMap",
            "DELETE",
            "/api/v1/namespaces/{ns}/configmaps/a",
            None,
        ),
        step(
            "delete it again",
            "DELETE",
            "/api/v1/namespaces/{ns}/configmaps/a",
            None,
        ),
        step(
            "create a ConfigMap in a dry run",
            "POST",
            "/api/v1/namespaces/{ns}/configmaps?dryRun=All",
            Some(config_map("dry")),
        ),
        step(
            "create a Deployment naming its generation",
            "POST",
            "/apis/apps/v1/namespaces/{ns}/deployments",
            Some(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "generation": 7},
                "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "web", "image": "registry.example/web:1.0"}]}}}})),
        ),
        step(
            "delete the Deployment",
            "DELETE",
            "/apis/apps/v1/namespaces/{ns}/deployments/web",
            None,
        ),
        step(
            "create a Secret",
            "POST",
            "/api/v1/namespaces/{ns}/secrets",
            Some(
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "v"}}),
            ),
        ),
        step(
            "delete the Secret",
            "DELETE",
            "/api/v1/namespaces/{ns}/secrets/s",
            None,
        ),
        step(
            "create a Service",
            "POST",
            "/api/v1/namespaces/{ns}/services",
            Some(
                json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}),
            ),
        ),
        step(
            "delete the Service",
            "DELETE",
            "/api/v1/namespaces/{ns}/services/web",
            None,
        ),
        step(
            "create a Velero Backup",
            "POST",
            "/apis/velero.io/v1/namespaces/{ns}/backups",
            Some(
                json!({"apiVersion": "velero.io/v1", "kind": "Backup", "metadata": {"name": "b"},
                "spec": {"includedNamespaces": ["{ns}"]}}),
            ),
        ),
        step(
            "create a Backup with an undeclared field, strictly",
            "POST",
            "/apis/velero.io/v1/namespaces/{ns}/backups?fieldValidation=Strict",
            Some(
                json!({"apiVersion": "velero.io/v1", "kind": "Backup", "metadata": {"name": "strict"},
                "spec": {"includedNamespaces": ["{ns}"], "bogus": true}}),
            ),
        ),
        step(
            "create a Backup with an undeclared field, pruned",
            "POST",
            "/apis/velero.io/v1/namespaces/{ns}/backups",
            Some(
                json!({"apiVersion": "velero.io/v1", "kind": "Backup", "metadata": {"name": "pruned"},
                "spec": {"includedNamespaces": ["{ns}"], "bogus": true}}),
            ),
        ),
        step(
            "create a Deployment with an unknown container field, strictly",
            "POST",
            "/apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Strict",
            Some(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "strict"},
                "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "web", "image": "registry.example/web:1.0", "imagePullPolice": "Always"}]}}}})),
        ),
        step(
            "delete the Backup",
            "DELETE",
            "/apis/velero.io/v1/namespaces/{ns}/backups/b",
            None,
        ),
        step(
            "delete the namespace",
            "DELETE",
            "/api/v1/namespaces/{ns}",
            None,
        ),
    ]
}

async fn client(kubeconfig: &Path) -> kube::Client {
    let config = kube::Config::from_custom_kubeconfig(
        Kubeconfig::read_from(kubeconfig).expect("kubeconfig"),
        &KubeConfigOptions::default(),
    )
    .await
    .expect("kubeconfig config");
    kube::Client::try_from(config).expect("client")
}

/// Sends every step; returns each answer as `{"code": C, "body": …}`, normalised.
async fn answers(client: &kube::Client, namespace: &str) -> Vec<Value> {
    let mut answers = Vec::new();
    for step in steps() {
        let path = step.path.replace("{ns}", namespace);
        let body = step
            .body
            .map(|b| b.to_string().replace("{ns}", namespace).into_bytes())
            .unwrap_or_default();
        let content_type = step.content_type.unwrap_or(if step.method == "PATCH" {
            "application/merge-patch+json"
        } else {
            "application/json"
        });
        let request = http::Request::builder()
            .method(step.method)
            .uri(path)
            .header("Content-Type", content_type)
            .body(body)
            .expect("request");
        let answer = match client.request::<Value>(request).await {
            Ok(body) => json!({"code": 200, "body": body}),
            Err(kube::Error::Api(status)) => {
                json!({"code": status.code, "body": serde_json::to_value(&status).expect("json")})
            }
            Err(other) => json!({"code": 0, "body": other.to_string()}),
        };
        answers.push(normalise(answer, namespace));
    }
    answers
}

/// Replaces what differs between any two servers by nature with placeholders.
fn normalise(mut value: Value, namespace: &str) -> Value {
    fn walk(value: &mut Value, namespace: &str) {
        match value {
            Value::Object(map) => {
                for (key, field) in map.iter_mut() {
                    match key.as_str() {
                        "uid" | "resourceVersion" | "creationTimestamp" | "deletionTimestamp"
                        | "continue" | "time" | "clusterIP"
                            if field.is_string() =>
                        {
                            *field = json!(format!("<{key}>"));
                        }
                        // Allocated addresses differ by nature.
                        "clusterIPs" if field.is_array() => {
                            *field = json!(format!("<{key}>"));
                        }
                        _ => walk(field, namespace),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, namespace)),
            Value::String(text) => {
                *text = without_times(&text.replace(namespace, "{ns}"));
            }
            _ => {}
        }
    }
    walk(&mut value, namespace);
    value
}

/// `text` with every RFC 3339 time (`2026-12-07T10:00:00Z`, as conflict messages name the
/// other manager's) replaced by `<time>`.
fn without_times(text: &str) -> String {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:ddZ";
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let fits = bytes.len() - i >= SHAPE.len()
            && SHAPE.iter().zip(&bytes[i..]).all(|(s, b)| match s {
                b'd' => b.is_ascii_digit(),
                other => other == b,
            });
        if fits {
            out.push_str("<time>");
            i += SHAPE.len();
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Every leaf where `a` and `b` differ, as `path: a != b`.
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<(String, String)>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let (l, r) = (
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                );
                differences(&format!("{path}.{key}"), l, r, out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (l, r)) in x.iter().zip(y).enumerate() {
                differences(&format!("{path}[{i}]"), l, r, out);
            }
        }
        _ if a != b => out.push((path.to_owned(), format!("simcluster {a} != real {b}"))),
        _ => {}
    }
}

#[tokio::test]
async fn simcluster_answers_as_the_real_control_plane_does() {
    let Some(real) = e2e::real_cluster() else {
        eprintln!(
            "skipped: needs the real control plane to compare with (tests/realcluster/e2e.sh)"
        );
        return;
    };
    let namespace = format!("differential-{}", std::process::id());
    let simulated = SimCluster::start(Options {
        seeds: vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../simcluster/crds/velero")],
        ..Options::default()
    })
    .await
    .expect("simcluster starts");
    let simulated = answers(&client(simulated.kubeconfig()).await, &namespace).await;
    let real_client = client(&real).await;
    let reality = answers(&real_client, &namespace).await;
    let _ = real_client
        .request_text(
            http::Request::delete(format!("/api/v1/namespaces/{namespace}"))
                .body(Vec::new())
                .expect("request"),
        )
        .await;
    let mut report = Vec::new();
    for ((step, sim), real) in steps().iter().zip(&simulated).zip(&reality) {
        let mut found = Vec::new();
        differences("", sim, real, &mut found);
        for (path, difference) in found {
            if !ACCEPTED
                .iter()
                .any(|(s, p, _)| (*s == "*" || *s == step.what) && path.starts_with(p))
            {
                report.push(format!("{}: {path}: {difference}", step.what));
            }
        }
    }
    assert!(
        report.is_empty(),
        "simcluster differs from the real control plane:\n{}",
        report.join("\n")
    );
}
