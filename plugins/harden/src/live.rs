//! Live audits: each kind listed once per cluster (all namespaces or one), paginated, never a
//! loop per namespace; the objects then go through the same audit as manifests.

use k8s_openapi::api::{
    apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch, core::v1 as core,
    networking::v1 as net, policy::v1 as policy,
};
use kube::core::ApiResource;
use serde_json::Value;
use shipshape::Kube;
use shipshape::manifests::Manifest;

use crate::fix::Bindings;

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// One namespace, or None for all namespaces.
    pub namespace: Option<String>,
    /// A label selector for the workloads.
    pub selector: Option<String>,
}

fn resources() -> Vec<(ApiResource, bool)> {
    // (resource, is a workload the selector applies to)
    vec![
        (ApiResource::erase::<core::Namespace>(&()), false),
        (ApiResource::erase::<apps::Deployment>(&()), true),
        (ApiResource::erase::<apps::StatefulSet>(&()), true),
        (ApiResource::erase::<apps::DaemonSet>(&()), true),
        (ApiResource::erase::<apps::ReplicaSet>(&()), true),
        (ApiResource::erase::<batch::Job>(&()), true),
        (ApiResource::erase::<batch::CronJob>(&()), true),
        (ApiResource::erase::<core::Pod>(&()), true),
        (
            ApiResource::erase::<policy::PodDisruptionBudget>(&()),
            false,
        ),
        (ApiResource::erase::<net::NetworkPolicy>(&()), false),
        // Their `automountServiceAccountToken` decides whether pods mount a token.
        (ApiResource::erase::<core::ServiceAccount>(&()), false),
        (
            ApiResource::erase::<autoscaling::HorizontalPodAutoscaler>(&()),
            false,
        ),
    ]
}

/// Whether a controller owns the object (a ReplicaSet of a Deployment, a Pod of a ReplicaSet):
/// its owner is audited instead, so findings are not repeated.
fn controlled(object: &Value) -> bool {
    object["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|refs| refs.iter().any(|r| r["controller"] == Value::Bool(true)))
}

/// Lists every kind the audit needs, once each, in pages of 500.
pub async fn collect(kube: &Kube, scope: &Scope) -> anyhow::Result<Vec<Manifest>> {
    let mut manifests = Vec::new();
    let origin = kube.origin();
    for (resource, is_workload) in resources() {
        let namespaced = resource.kind != "Namespace";
        let namespace = scope.namespace.as_deref().filter(|_| namespaced);
        let selector = scope.selector.as_deref().filter(|_| is_workload);
        for object in shipshape::list::list(kube, &resource, namespace, selector).await? {
            if resource.kind == "Namespace"
                && scope
                    .namespace
                    .as_deref()
                    .is_some_and(|ns| object["metadata"]["name"] != ns)
            {
                continue;
            }
            if is_workload && controlled(&object) {
                continue;
            }
            // `list` has removed what the server defaulted (probe settings, pull policies):
            // the audit sees what the author wrote, as an audit of the manifests would.
            manifests.push(Manifest::live(object, origin.clone()));
        }
    }
    Ok(manifests)
}

/// The RoleBindings of `namespace` and the ClusterRoleBindings: whose pods call the API. A
/// user who may not list them gets [`Bindings::Unknown`], and fix leaves every token alone.
pub async fn bindings(kube: &Kube, namespace: &str) -> anyhow::Result<Bindings> {
    use k8s_openapi::api::rbac::v1 as rbac;
    let mut found = Vec::new();
    for (resource, namespace) in [
        (
            ApiResource::erase::<rbac::RoleBinding>(&()),
            Some(namespace),
        ),
        (ApiResource::erase::<rbac::ClusterRoleBinding>(&()), None),
    ] {
        match shipshape::list::list(kube, &resource, namespace, None).await {
            Ok(objects) => found.extend(
                objects
                    .into_iter()
                    .map(|o| Manifest::live(o, kube.origin())),
            ),
            Err(e) => match e.downcast_ref::<shipshape::ClusterError>() {
                Some(shipshape::ClusterError::Forbidden { .. }) => {
                    let scope = namespace.map_or(String::new(), |ns| format!(" -n {ns}"));
                    return Ok(Bindings::Unknown(format!(
                        "you may not list {}{scope}",
                        resource.plural
                    )));
                }
                _ => return Err(e),
            },
        }
    }
    Ok(Bindings::of(&found, "in the cluster"))
}

/// The kind a `TYPE/NAME` argument names, as kubectl spells types.
fn kind_of(kind: &str) -> Option<&'static str> {
    Some(match kind.to_ascii_lowercase().as_str() {
        "deploy" | "deployment" | "deployments" | "deployment.apps" | "deployments.apps" => {
            "Deployment"
        }
        "sts" | "statefulset" | "statefulsets" | "statefulset.apps" | "statefulsets.apps" => {
            "StatefulSet"
        }
        "ds" | "daemonset" | "daemonsets" | "daemonset.apps" | "daemonsets.apps" => "DaemonSet",
        "cj" | "cronjob" | "cronjobs" | "cronjob.batch" | "cronjobs.batch" => "CronJob",
        "job" | "jobs" | "job.batch" | "jobs.batch" => "Job",
        "ns" | "namespace" | "namespaces" => "Namespace",
        _ => return None,
    })
}

/// `kubectl harden fix` on live objects: audit the namespace, plan, then preview, emit or apply.
/// The API server's version as a Pod Security Standards version label value (`v1.37`).
pub async fn server_version(kube: &shipshape::Kube) -> anyhow::Result<String> {
    let info = kube
        .client
        .apiserver_version()
        .await
        .map_err(|e| kube.explain(shipshape::ApiCall::new("get", "/version"), e))?;
    let minor: String = info
        .minor
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Ok(format!("v{}.{minor}", info.major))
}

/// What `harden fix` does to live objects, resolved from its flags once.
#[derive(Debug, Clone)]
pub struct LiveFix {
    /// The objects named on the line, as (kind, name); empty with `all`.
    pub objects: Vec<(&'static str, String)>,
    /// Every workload of the namespace, and the namespace's labels.
    pub all: bool,
    /// The audit the fixes answer.
    pub audit: crate::audit::Options,
    /// The values fixes write.
    pub fix: crate::fix::FixOptions,
    /// The Pod Security version was given (else the server's is pinned).
    pub version_given: bool,
    /// Write a kustomize overlay there instead of applying.
    pub emit_kustomize: Option<std::path::PathBuf>,
    pub dry_run: shipshape::apply::DryRun,
    pub force_conflicts: bool,
}

/// `TYPE/NAME` (deploy/api, sts/db, ns/shop) as the kind and name to fix.
pub fn object_argument(argument: &str) -> Result<(&'static str, String), String> {
    argument
        .split_once('/')
        .and_then(|(k, n)| Some((kind_of(k)?, n)))
        .filter(|(_, n)| !n.is_empty())
        .map(|(k, n)| (k, n.to_owned()))
        .ok_or_else(|| format!(
            "`{argument}`: expected TYPE/NAME with TYPE one of deploy, sts, ds, cronjob, job, ns (pods are fixed through their controller)"
        ))
}

pub async fn fix(
    global: &shipshape::GlobalArgs,
    args: &LiveFix,
) -> anyhow::Result<shipshape::Exit> {
    use shipshape::UsageError;
    use shipshape::apply::DryRun;

    if args.objects.is_empty() && !args.all {
        return Err(UsageError(
            "name what to fix: -f FILE|DIR for manifests, TYPE/NAME (deploy/api) or --all for the live objects of the namespace".into(),
        )
        .into());
    }
    let wanted = &args.objects;
    let kube = shipshape::Kube::connect(&global.kube, crate::PLUGIN).await?;
    let namespace = kube.namespace.clone();
    let manifests = collect(
        &kube,
        &Scope {
            namespace: Some(namespace.clone()),
            selector: None,
        },
    )
    .await?;
    for (kind, name) in wanted {
        let found = manifests
            .iter()
            .any(|m| m.kind() == *kind && m.name() == *name);
        if !found {
            return Err(UsageError(format!(
                "{} \"{name}\" not found in namespace \"{namespace}\"",
                kind.to_ascii_lowercase()
            ))
            .into());
        }
    }
    let chosen = |m: &Manifest| {
        if args.all {
            m.kind() == "Namespace" || shipshape::workload::is_workload(&m.object)
        } else {
            wanted.iter().any(|(k, n)| m.kind() == *k && m.name() == n)
        }
    };
    let mut audit_options = args.audit.clone();
    let mut options = args.fix.clone();
    if !args.version_given {
        // `latest` would float with every upgrade: pin (and check against) the server's version.
        let server = server_version(&kube).await?;
        let version = server.parse().map_err(UsageError)?;
        audit_options.version = version;
        options.version = version;
    }
    let report = crate::audit::audit(&manifests, &audit_options);
    let bindings = bindings(&kube, &namespace).await?;
    let mut plan = crate::fix::plan(&manifests, &report, &options, &bindings);
    for (index, manifest) in manifests.iter().enumerate() {
        if !chosen(manifest) {
            plan.patches[index] = shipshape::yamledit::Patch::map();
        }
    }
    plan.additions.retain(|a| chosen(&manifests[a.after]));
    plan.fixed
        .retain(|f| f.index.is_some_and(|i| chosen(&manifests[i])));
    plan.manual
        .retain(|f| f.index.is_some_and(|i| chosen(&manifests[i])));

    // The apply bodies: only the fixed fields, plus what identifies the object.
    let mut bodies: Vec<(Value, &Manifest, &shipshape::yamledit::Patch)> = Vec::new();
    for (manifest, patch) in manifests.iter().zip(&plan.patches) {
        if patch.is_empty() {
            continue;
        }
        let mut body = patch.apply_body(&manifest.object);
        body["apiVersion"] = manifest.object["apiVersion"].clone();
        body["kind"] = manifest.object["kind"].clone();
        body["metadata"]["name"] = manifest.object["metadata"]["name"].clone();
        if let Some(ns) = manifest.namespace() {
            body["metadata"]["namespace"] = Value::String(ns.to_owned());
        }
        bodies.push((body, manifest, patch));
    }
    let additions: Vec<Value> = plan.additions.iter().map(|a| a.object.clone()).collect();
    crate::render::report_plan(
        &plan,
        "planned fixes for",
        &format!(" in namespace {namespace}"),
    )?;
    if bodies.is_empty() && additions.is_empty() {
        return Ok(shipshape::Exit::Success);
    }

    if let Some(dir) = &args.emit_kustomize {
        emit_kustomize(dir, &bodies, &additions)?;
        return Ok(shipshape::Exit::Success);
    }

    let dry_run = args.dry_run;
    if dry_run == DryRun::Client {
        for (_, manifest, patch) in &bodies {
            let mut after = manifest.object.clone();
            patch.apply_json(&mut after);
            let label = format!("{namespace}/{}", manifest.id());
            shipshape::output::print(&shipshape::apply::diff(
                Some(&manifest.object),
                &after,
                &label,
            ))?;
        }
        for object in &additions {
            let label = format!(
                "{namespace}/{}/{}",
                object["kind"].as_str().unwrap_or_default(),
                object["metadata"]["name"].as_str().unwrap_or_default()
            );
            shipshape::output::print(&shipshape::apply::diff(None, object, &label))?;
        }
        return Ok(shipshape::Exit::Success);
    }
    // Preview through the API server (admission and validation included), then confirm.
    let objects: Vec<Value> = bodies
        .iter()
        .map(|(b, ..)| b.clone())
        .chain(additions)
        .collect();
    let action = format!(
        "apply these fixes to {} object(s) in namespace {namespace}",
        objects.len()
    );
    let applied = shipshape::apply::preview_then_apply(
        &kube,
        crate::PLUGIN,
        &objects,
        &shipshape::apply::Write {
            dry_run,
            force_conflicts: args.force_conflicts,
            action: &action,
            yes: global.yes,
            diffs_to_stderr: false,
        },
    )
    .await?;
    for applied in applied {
        eprintln!("{} fixed", applied.id.to_ascii_lowercase());
    }
    Ok(shipshape::Exit::Success)
}

/// Writes the fixes as strategic-merge patches (containers merge by name) and the new objects
/// as resources of a kustomize Component, for `components: [DIR]` in an overlay.
fn emit_kustomize(
    dir: &std::path::Path,
    bodies: &[(Value, &Manifest, &shipshape::yamledit::Patch)],
    additions: &[Value],
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    let file_name = |object: &Value| {
        format!(
            "{}-{}.yaml",
            object["kind"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase(),
            object["metadata"]["name"].as_str().unwrap_or_default()
        )
    };
    let mut patches = Vec::new();
    let mut resources = Vec::new();
    for (body, ..) in bodies {
        let name = format!("patch-{}", file_name(body));
        crate::files::write_atomically(&dir.join(&name), &shipshape::output::to_yaml(body)?)?;
        patches.push(serde_json::json!({"path": name}));
    }
    for object in additions {
        let name = file_name(object);
        crate::files::write_atomically(&dir.join(&name), &shipshape::output::to_yaml(object)?)?;
        resources.push(Value::String(name));
    }
    let mut kustomization = serde_json::json!({
        "apiVersion": "kustomize.config.k8s.io/v1alpha1",
        "kind": "Component",
    });
    if !resources.is_empty() {
        kustomization["resources"] = Value::Array(resources);
    }
    if !patches.is_empty() {
        kustomization["patches"] = Value::Array(patches);
    }
    let text = format!(
        "# Written by `kubectl harden fix --emit-kustomize`: add this directory to an overlay's\n# `components:` list.\n{}",
        shipshape::output::to_yaml(&kustomization)?
    );
    crate::files::write_atomically(&dir.join("kustomization.yaml"), &text)?;
    eprintln!(
        "wrote {} patch(es) and {} new object(s) to {}",
        bodies.len(),
        additions.len(),
        dir.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_named_as_kubectl_names_them() {
        assert_eq!(
            object_argument("deploy/api"),
            Ok(("Deployment", "api".into()))
        );
        assert_eq!(
            object_argument("statefulsets.apps/db"),
            Ok(("StatefulSet", "db".into()))
        );
        assert_eq!(object_argument("ns/shop"), Ok(("Namespace", "shop".into())));
        for bad in ["api", "deploy/", "pod/web-1", "/api"] {
            let error = object_argument(bad).expect_err(bad);
            assert!(error.contains("expected TYPE/NAME"), "{error}");
        }
    }
}
