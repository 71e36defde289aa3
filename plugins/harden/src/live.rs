//! Live audits: each kind listed once per cluster (all namespaces or one), paginated, never a
//! loop per namespace; the objects then go through the same audit as manifests.

use k8s_openapi::api::{
    apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch, core::v1 as core,
    networking::v1 as net, policy::v1 as policy,
};
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::ApiResource;
use serde_json::Value;
use shipshape::manifests::{Manifest, Origin, Source};
use shipshape::{ApiCall, Kube};

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
    let origin = Origin::Cluster(kube.context.clone().unwrap_or_else(|| kube.server.clone()));
    for (resource, is_workload) in resources() {
        let namespaced = resource.kind != "Namespace";
        let api: Api<DynamicObject> = match (&scope.namespace, namespaced) {
            (Some(ns), true) => Api::namespaced_with(kube.client.clone(), ns, &resource),
            _ => Api::all_with(kube.client.clone(), &resource),
        };
        let mut params = ListParams::default().limit(500);
        if is_workload && let Some(selector) = &scope.selector {
            params = params.labels(selector);
        }
        let plural = if resource.group.is_empty() {
            resource.plural.clone()
        } else {
            format!("{}.{}", resource.plural, resource.group)
        };
        let call = || {
            let call = ApiCall::new("list", plural.clone());
            match (&scope.namespace, namespaced) {
                (Some(ns), true) => call.in_namespace(ns.clone()),
                _ => call,
            }
        };
        let mut token: Option<String> = None;
        loop {
            let mut page_params = params.clone();
            if let Some(t) = &token {
                page_params = page_params.continue_token(t);
            }
            let page = api
                .list(&page_params)
                .await
                .map_err(|e| kube.explain(call(), e))?;
            for item in page.items {
                let mut object = serde_json::to_value(item)?;
                // List items may leave apiVersion and kind to the list.
                object["apiVersion"] = Value::String(resource.api_version.clone());
                object["kind"] = Value::String(resource.kind.clone());
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
                manifests.push(Manifest {
                    object,
                    source: Source {
                        origin: origin.clone(),
                        document: 0,
                        line: 0,
                        item: None,
                    },
                });
            }
            token = page.metadata.continue_.filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
    }
    Ok(manifests)
}
