//! Server-side apply with the field manager `shipshape-<plugin>`, `--dry-run=none|client|server`,
//! and a before/after unified diff for previews.

use std::collections::HashMap;

use clap::Args;
use kube::api::{Api, DynamicObject, Patch, PatchParams, ValidationDirective};
use kube::core::GroupVersionKind;
use kube::discovery::{ApiCapabilities, ApiResource, Scope};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::client::{ApiCall, ClusterError};
use crate::client::{Kube, Plugin};
use crate::exit::UsageError;

/// How much of a write actually happens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DryRun {
    /// Write for real.
    #[default]
    None,
    /// Send nothing: show what would be sent.
    Client,
    /// Send with `dryRun=All`: the server validates and admits, but persists nothing.
    Server,
}

/// `--dry-run`, as kubectl spells it (`--dry-run` alone means `client`).
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct DryRunArg {
    /// Only show what would change: `client` sends nothing, `server` lets the API server validate
    /// and admit the change without persisting it.
    #[arg(
        long = "dry-run",
        value_enum,
        default_value_t,
        num_args = 0..=1,
        default_missing_value = "client",
        require_equals = true,
        value_name = "MODE"
    )]
    pub dry_run: DryRun,
}

/// `--force-conflicts`, as `kubectl apply --server-side` spells it, for every command that
/// applies to the cluster.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct ForceConflictsArg {
    /// Take over fields another field manager owns (`kubectl apply`, `kubectl edit`, another
    /// tool): without it, applying such a field is refused with a 409 Conflict naming each one.
    #[arg(long = "force-conflicts")]
    pub force_conflicts: bool,
}

/// What one apply did (or would do).
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// `Kind/name`.
    pub id: String,
    /// The namespace, for namespaced kinds.
    pub namespace: Option<String>,
    /// The live object before, or None when it did not exist.
    pub before: Option<Value>,
    /// The object after (as the server returned it; for a client dry run, what would be sent).
    pub after: Value,
}

impl Applied {
    /// Whether the object is new or its content changed.
    pub fn changed(&self) -> bool {
        match &self.before {
            None => true,
            Some(before) => normalise(before) != normalise(&self.after),
        }
    }

    /// A unified diff of the object before and after, as YAML, without server bookkeeping.
    pub fn diff(&self) -> String {
        let label = match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.id),
            None => self.id.clone(),
        };
        diff(self.before.as_ref(), &self.after, &label)
    }
}

/// Server-side apply for one plugin.
pub struct Applier<'a> {
    kube: &'a Kube,
    field_manager: String,
    dry_run: DryRun,
    force: bool,
    resources: Mutex<HashMap<GroupVersionKind, (ApiResource, ApiCapabilities)>>,
}

impl<'a> Applier<'a> {
    /// An applier with the plugin's field manager.
    pub fn new(kube: &'a Kube, plugin: Plugin, dry_run: DryRun) -> Self {
        Self {
            kube,
            field_manager: plugin.field_manager(),
            dry_run,
            force: false,
            resources: Mutex::new(HashMap::new()),
        }
    }

    /// Take over fields other managers own (`--force-conflicts`).
    pub fn force_conflicts(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// The field manager sent with every apply.
    pub fn field_manager(&self) -> &str {
        &self.field_manager
    }

    async fn resource(
        &self,
        gvk: &GroupVersionKind,
    ) -> Result<(ApiResource, ApiCapabilities), anyhow::Error> {
        let mut cache = self.resources.lock().await;
        if let Some(found) = cache.get(gvk) {
            return Ok(found.clone());
        }
        let group_version = if gvk.group.is_empty() {
            gvk.version.clone()
        } else {
            format!("{}/{}", gvk.group, gvk.version)
        };
        let found = kube::discovery::pinned_kind(&self.kube.client, gvk)
            .await
            .map_err(|e| match &e {
                kube::Error::Discovery(_) => UsageError(format!(
                    "the cluster does not serve kind `{}` in `{group_version}` (is its CRD installed?)",
                    gvk.kind
                ))
                .into(),
                _ => anyhow::Error::from(self.kube.explain(ApiCall::new("get", format!("/apis/{group_version}")), e)),
            })?;
        cache.insert(gvk.clone(), found.clone());
        Ok(found)
    }

    /// Applies one object (a JSON object with apiVersion, kind and metadata.name).
    pub async fn apply(&self, object: &Value) -> Result<Applied, anyhow::Error> {
        let api_version = object["apiVersion"].as_str().unwrap_or_default();
        let kind = object["kind"].as_str().unwrap_or_default();
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        if kind.is_empty() || api_version.is_empty() || name.is_empty() {
            return Err(UsageError(format!(
                "cannot apply an object without apiVersion, kind and metadata.name (got `{api_version}` `{kind}` `{name}`)"
            ))
            .into());
        }
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (resource, capabilities) = self.resource(&gvk).await?;
        let namespace = match capabilities.scope {
            Scope::Namespaced => Some(
                object["metadata"]["namespace"]
                    .as_str()
                    .map_or_else(|| self.kube.namespace.clone(), str::to_owned),
            ),
            Scope::Cluster => None,
        };
        let api: Api<DynamicObject> = match &namespace {
            Some(ns) => Api::namespaced_with(self.kube.client.clone(), ns, &resource),
            None => Api::all_with(self.kube.client.clone(), &resource),
        };
        let plural = if resource.group.is_empty() {
            resource.plural.clone()
        } else {
            format!("{}.{}", resource.plural, resource.group)
        };
        let call = |verb| {
            let call = ApiCall::new(verb, plural.clone()).named(name);
            match &namespace {
                Some(ns) => call.in_namespace(ns.clone()),
                None => call,
            }
        };
        let before = api
            .get_opt(name)
            .await
            .map_err(|e| self.kube.explain(call("get"), e))?
            .map(|o| serde_json::to_value(o).unwrap_or(Value::Null));
        let mut body = object.clone();
        if let (Some(ns), Value::Object(_)) = (&namespace, &body["metadata"]) {
            body["metadata"]["namespace"] = Value::String(ns.clone());
        }
        let after = match self.dry_run {
            DryRun::Client => body,
            DryRun::None | DryRun::Server => {
                let mut params = PatchParams::apply(&self.field_manager);
                params.field_validation = Some(ValidationDirective::Strict);
                params.force = self.force;
                params.dry_run = self.dry_run == DryRun::Server;
                let applied = api
                    .patch(name, &params, &Patch::Apply(&body))
                    .await
                    .map_err(|e| -> ClusterError { self.kube.explain(call("patch"), e) })?;
                serde_json::to_value(applied)?
            }
        };
        Ok(Applied {
            id: format!("{kind}/{name}"),
            namespace,
            before,
            after,
        })
    }
}

/// How [`preview_then_apply`] writes.
#[derive(Debug, Clone, Copy)]
pub struct Write<'a> {
    pub dry_run: DryRun,
    /// Take over fields another field manager owns.
    pub force_conflicts: bool,
    /// What is asked before applying: "apply … to namespace shop".
    pub action: &'a str,
    /// `--yes`: do not ask.
    pub yes: bool,
    /// Show the previews on stderr, keeping stdout for a `-o json` report.
    pub diffs_to_stderr: bool,
}

/// The one way plugins change a cluster: `--dry-run=client` prints what would be sent,
/// `--dry-run=server` prints the diffs the API server computes without persisting anything, and
/// otherwise the diffs are shown, `action` is asked about (`--yes` skips the question; without a
/// terminal it refuses), and the objects are applied. Returns what was applied (empty for dry
/// runs).
pub async fn preview_then_apply(
    kube: &Kube,
    plugin: Plugin,
    objects: &[Value],
    write: &Write<'_>,
) -> Result<Vec<Applied>, anyhow::Error> {
    let Write {
        dry_run,
        force_conflicts,
        action,
        yes,
        diffs_to_stderr,
    } = *write;
    if objects.is_empty() {
        return Ok(Vec::new());
    }
    let show = |text: &str| -> std::io::Result<()> {
        if diffs_to_stderr {
            eprint!("{text}");
            Ok(())
        } else {
            crate::output::print(text)
        }
    };
    if dry_run == DryRun::Client {
        show(&crate::output::yaml_documents(objects)?)?;
        return Ok(Vec::new());
    }
    let preview = Applier::new(kube, plugin, DryRun::Server).force_conflicts(force_conflicts);
    for object in objects {
        show(&preview.apply(object).await?.diff())?;
    }
    if dry_run == DryRun::Server {
        return Ok(Vec::new());
    }
    crate::confirm::confirm(action, yes)?;
    let applier = Applier::new(kube, plugin, DryRun::None).force_conflicts(force_conflicts);
    apply_each(&applier, objects).await
}

/// Applies `objects` in order. When one fails, the error carries a [`PartialWrite`] naming
/// what was applied (and stays), what failed and what was not attempted.
pub async fn apply_each(
    applier: &Applier<'_>,
    objects: &[Value],
) -> Result<Vec<Applied>, anyhow::Error> {
    let mut applied = Vec::new();
    for (at, object) in objects.iter().enumerate() {
        match applier.apply(object).await {
            Ok(done) => applied.push(done),
            Err(error) => {
                return Err(error.context(PartialWrite {
                    applied: applied.iter().map(|a| label(&a.after)).collect(),
                    failed: label(object),
                    not_attempted: objects[at + 1..].iter().map(label).collect(),
                }));
            }
        }
    }
    Ok(applied)
}

/// `kind/name` (`namespace/kind/name` when namespaced), as messages name objects.
fn label(object: &Value) -> String {
    let kind = object["kind"].as_str().unwrap_or_default().to_lowercase();
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    match object["metadata"]["namespace"].as_str() {
        Some(ns) => format!("{ns}/{kind}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

/// A write that stopped part way: what was applied (and stays applied), what failed, and what
/// was not attempted. The cause (a 403, a conflict) keeps deciding the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialWrite {
    pub applied: Vec<String>,
    pub failed: String,
    pub not_attempted: Vec<String>,
}

impl std::fmt::Display for PartialWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |items: &[String]| {
            if items.is_empty() {
                "none".to_owned()
            } else {
                items.join(", ")
            }
        };
        write!(
            f,
            "applying {} stopped: applied (and still in place): {}; failed: {}; not attempted: {}",
            if self.applied.len() + self.not_attempted.len() == 0 {
                "1 object".to_owned()
            } else {
                format!(
                    "{} objects",
                    self.applied.len() + self.not_attempted.len() + 1
                )
            },
            list(&self.applied),
            self.failed,
            list(&self.not_attempted)
        )
    }
}

/// What a write command did, for `-o json` with `--apply`: every object applied (and whether
/// it changed), the one that failed with the error, and those not attempted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteReport {
    pub applied: Vec<WrittenObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<FailedWrite>,
    pub not_attempted: Vec<String>,
}

/// One object a write applied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WrittenObject {
    /// `namespace/kind/name` (`kind/name` when cluster-scoped).
    pub object: String,
    pub changed: bool,
}

/// The write that failed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FailedWrite {
    /// The object, when the failure was applying one (not, say, the preview before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub error: String,
}

impl WriteReport {
    /// The report of [`apply_each`] or [`preview_then_apply`]'s result.
    pub fn of(result: &Result<Vec<Applied>, anyhow::Error>) -> Self {
        match result {
            Ok(applied) => Self {
                applied: applied
                    .iter()
                    .map(|a| WrittenObject {
                        object: label(&a.after),
                        changed: a.changed(),
                    })
                    .collect(),
                failed: None,
                not_attempted: Vec::new(),
            },
            Err(error) => {
                let partial = error.downcast_ref::<PartialWrite>();
                // The cause, without the PartialWrite context already spelled out as fields.
                let spelled_out = partial.map(ToString::to_string);
                let cause = error
                    .chain()
                    .map(ToString::to_string)
                    .filter(|e| Some(e) != spelled_out.as_ref())
                    .collect::<Vec<_>>()
                    .join(": ");
                Self {
                    // What stays applied was written, but its before is not known here.
                    applied: partial
                        .map(|p| {
                            p.applied
                                .iter()
                                .map(|object| WrittenObject {
                                    object: object.clone(),
                                    changed: true,
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    failed: Some(FailedWrite {
                        object: partial.map(|p| p.failed.clone()),
                        error: cause,
                    }),
                    not_attempted: partial.map(|p| p.not_attempted.clone()).unwrap_or_default(),
                }
            }
        }
    }
}

impl crate::output::Report for WriteReport {
    const KIND: &'static str = "WriteReport";

    fn human(&self, _wide: bool) -> String {
        let mut text = String::new();
        for written in &self.applied {
            text.push_str(&format!(
                "{} {}\n",
                written.object,
                if written.changed {
                    "applied"
                } else {
                    "unchanged"
                }
            ));
        }
        if let Some(failed) = &self.failed {
            text.push_str(&format!(
                "failed: {}{}\n",
                failed
                    .object
                    .as_ref()
                    .map(|o| format!("{o}: "))
                    .unwrap_or_default(),
                failed.error
            ));
        }
        for object in &self.not_attempted {
            text.push_str(&format!("{object} not attempted\n"));
        }
        text
    }
}

/// The object without what the server keeps for itself, for diffs and comparisons.
pub fn normalise(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in [
            "managedFields",
            "resourceVersion",
            "uid",
            "creationTimestamp",
            "generation",
            "selfLink",
        ] {
            meta.remove(key);
        }
        if let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
            if annotations.is_empty() {
                meta.remove("annotations");
            }
        }
    }
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
    }
    object
}

/// A unified diff of two objects as YAML, `a/<label>` before and `b/<label>` after. Empty when
/// nothing changed.
pub fn diff(before: Option<&Value>, after: &Value, label: &str) -> String {
    let to_yaml = |v: &Value| crate::output::to_yaml(&normalise(v)).unwrap_or_default();
    let old = before.map(to_yaml).unwrap_or_default();
    // Keys in the order `before` has them: a server that reorders keys changes nothing.
    let new = match before {
        Some(before) => to_yaml(&in_order_of(after, before)),
        None => to_yaml(after),
    };
    if old == new {
        return String::new();
    }
    let old_label = if before.is_some() {
        format!("a/{label}")
    } else {
        "/dev/null".to_owned()
    };
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(&old_label, &format!("b/{label}"))
        .to_string()
}

/// `value` with its object keys in `template`'s order (keys `template` lacks go last).
fn in_order_of(value: &Value, template: &Value) -> Value {
    match (value, template) {
        (Value::Object(map), Value::Object(order)) => {
            let mut out = serde_json::Map::new();
            for key in order.keys() {
                if let Some(v) = map.get(key) {
                    out.insert(key.clone(), in_order_of(v, &order[key]));
                }
            }
            for (key, v) in map {
                if !out.contains_key(key) {
                    out.insert(key.clone(), v.clone());
                }
            }
            Value::Object(out)
        }
        (Value::Array(items), Value::Array(order)) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    order
                        .get(i)
                        .map_or_else(|| v.clone(), |t| in_order_of(v, t))
                })
                .collect(),
        ),
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_write_report_names_what_was_applied_failed_and_not_attempted() {
        let partial: anyhow::Result<Vec<Applied>> = Err(anyhow::anyhow!(
            "limitranges is forbidden"
        )
        .context(PartialWrite {
            applied: vec!["shop/resourcequota/q".into()],
            failed: "shop/limitrange/l".into(),
            not_attempted: vec!["shop/configmap/c".into()],
        }));
        let report = WriteReport::of(&partial);
        assert_eq!(
            report,
            WriteReport {
                applied: vec![WrittenObject {
                    object: "shop/resourcequota/q".into(),
                    changed: true
                }],
                failed: Some(FailedWrite {
                    object: Some("shop/limitrange/l".into()),
                    error: "limitranges is forbidden".into()
                }),
                not_attempted: vec!["shop/configmap/c".into()],
            }
        );
        // A failure before any write (the preview): nothing applied, no object named.
        let early: anyhow::Result<Vec<Applied>> = Err(anyhow::anyhow!("unreachable"));
        let report = WriteReport::of(&early);
        assert!(report.applied.is_empty() && report.not_attempted.is_empty());
        assert_eq!(report.failed.and_then(|f| f.object), None);
        let done: anyhow::Result<Vec<Applied>> = Ok(vec![Applied {
            id: "ConfigMap/c".into(),
            namespace: Some("shop".into()),
            before: None,
            after: json!({"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "shop"}}),
        }]);
        let text = crate::output::render(&WriteReport::of(&done), crate::OutputFormat::Json)
            .expect("json");
        assert!(text.contains("\"kind\": \"WriteReport\""), "{text}");
        assert!(text.contains("\"object\": \"shop/configmap/c\""), "{text}");
    }

    #[test]
    fn reordered_keys_are_not_a_change() {
        let before = json!({"metadata": {"namespace": "a", "name": "x"}, "spec": {"b": 1, "a": 2}});
        let after =
            json!({"spec": {"a": 2, "b": 1, "c": 3}, "metadata": {"name": "x", "namespace": "a"}});
        let text = diff(Some(&before), &after, "x");
        assert_eq!(
            text.lines().filter(|l| l.starts_with(['+', '-'])).count(),
            3,
            "{text}"
        );
        assert!(text.contains("+  c: 3"), "{text}");
    }

    fn deployment(image: &str) -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "prod", "resourceVersion": "7", "managedFields": [{}]},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "image": image}]}}},
            "status": {"readyReplicas": 3}
        })
    }

    #[test]
    fn diff_shows_only_what_changed_without_bookkeeping() {
        let text = diff(
            Some(&deployment("web:1.0")),
            &deployment("web:1.1"),
            "prod/Deployment/web",
        );
        insta::assert_snapshot!(text, @r"
        --- a/prod/Deployment/web
        +++ b/prod/Deployment/web
        @@ -9,4 +9,4 @@
             spec:
               containers:
               - name: web
        -        image: web:1.0
        +        image: web:1.1
        ");
    }

    #[test]
    fn a_new_object_diffs_against_nothing() {
        let text = diff(
            None,
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}),
            "Namespace/x",
        );
        insta::assert_snapshot!(text, @r"
        --- /dev/null
        +++ b/Namespace/x
        @@ -0,0 +1,4 @@
        +apiVersion: v1
        +kind: Namespace
        +metadata:
        +  name: x
        ");
    }

    #[test]
    fn unchanged_means_an_empty_diff() {
        let a = deployment("web:1.0");
        let mut b = a.clone();
        b["metadata"]["resourceVersion"] = json!("8");
        assert_eq!(diff(Some(&a), &b, "x"), "");
        let applied = Applied {
            id: "Deployment/web".into(),
            namespace: Some("prod".into()),
            before: Some(a),
            after: b,
        };
        assert!(!applied.changed());
    }
}
