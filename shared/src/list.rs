//! Listing a kind the way every plugin should: once per cluster (one namespace or all), in pages
//! of 500, never a loop per namespace.

use kube::api::{Api, DynamicObject, ListParams};
use kube::core::ApiResource;
use serde_json::Value;

use crate::{ApiCall, Kube};

/// The page size of every list.
pub const PAGE: u32 = 500;

/// Lists every object of a kind in one namespace (or all with None), optionally by label
/// selector. Items carry `apiVersion` and `kind`, and no `managedFields`: before they are
/// dropped, they tell the author's probe settings and pull policies from the server's
/// defaults, which are removed ([`crate::defaulted`]), so live objects read as their manifests.
pub async fn list(
    kube: &Kube,
    resource: &ApiResource,
    namespace: Option<&str>,
    selector: Option<&str>,
) -> anyhow::Result<Vec<Value>> {
    let namespaced = namespace.is_some();
    let api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(kube.client.clone(), ns, resource),
        None => Api::all_with(kube.client.clone(), resource),
    };
    let mut params = ListParams::default().limit(PAGE);
    if let Some(selector) = selector {
        params = params.labels(selector);
    }
    let plural = if resource.group.is_empty() {
        resource.plural.clone()
    } else {
        format!("{}.{}", resource.plural, resource.group)
    };
    let call = || {
        let call = ApiCall::new("list", plural.clone());
        match namespace {
            Some(ns) if namespaced => call.in_namespace(ns.to_owned()),
            _ => call,
        }
    };
    let mut items = Vec::new();
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
            crate::defaulted::strip_server_defaults(&mut object);
            // Bookkeeping nothing else reads: dropped to keep large clusters small in memory.
            if let Some(meta) = object["metadata"].as_object_mut() {
                meta.remove("managedFields");
            }
            items.push(object);
        }
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(items);
        }
    }
}
