//! simcluster's metrics.k8s.io ([`metrics`]) as an aggregated API of a real API server, in
//! place of metrics-server: `simcluster metrics --egress-socket` registers an APIService
//! `v1beta1.metrics.k8s.io` for a selector-less Service `kube-system/metrics-server` whose
//! EndpointSlice names [`ADDRESS`], and answers what the API server's aggregator proxies there
//! through its egress ([`crate::egress`]): discovery, PodMetrics and NodeMetrics, computed from
//! the cluster's running pods at each request.

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use crate::metrics;
use crate::mirror::api_resource as resource;
use crate::selectors::LabelSelector;
use crate::store::Store;

/// The address of the metrics API's endpoint: no pod's or node's (a documentation range).
pub const ADDRESS: &str = "192.0.2.10";

const GROUP_VERSION: &str = "metrics.k8s.io/v1beta1";

/// Registers the metrics API with the API server (server-side apply, field manager
/// `simcluster`): the Service, its EndpointSlice and the APIService.
pub async fn register(client: &kube::Client) -> anyhow::Result<()> {
    let objects = [
        (
            resource("", "v1", "Service", "services"),
            Some("kube-system"),
            json!({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "metrics-server", "namespace": "kube-system"},
                "spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP"}]}
            }),
        ),
        (
            resource("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"),
            Some("kube-system"),
            json!({
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {
                    "name": "metrics-server-simcluster", "namespace": "kube-system",
                    "labels": {"kubernetes.io/service-name": "metrics-server"}
                },
                "addressType": "IPv4",
                "endpoints": [{"addresses": [ADDRESS], "conditions": {"ready": true}}],
                "ports": [{"name": "https", "port": 443, "protocol": "TCP"}]
            }),
        ),
        (
            resource("apiregistration.k8s.io", "v1", "APIService", "apiservices"),
            None,
            json!({
                "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                "metadata": {"name": "v1beta1.metrics.k8s.io"},
                "spec": {
                    "group": "metrics.k8s.io", "version": "v1beta1",
                    "service": {"namespace": "kube-system", "name": "metrics-server", "port": 443},
                    "insecureSkipTLSVerify": true,
                    "groupPriorityMinimum": 100, "versionPriority": 100
                }
            }),
        ),
    ];
    let params = PatchParams::apply("simcluster").force();
    for (resource, namespace, object) in objects {
        let api: Api<DynamicObject> = match namespace {
            Some(ns) => Api::namespaced_with(client.clone(), ns, &resource),
            None => Api::all_with(client.clone(), &resource),
        };
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        api.patch(name, &params, &Patch::Apply(&object))
            .await
            .map_err(|e| anyhow::anyhow!("cannot register the metrics API ({name}): {e}"))?;
    }
    Ok(())
}

/// The answer to a GET the aggregator proxies: (status, JSON body).
pub async fn answer(client: &kube::Client, path: &str, query: &str) -> (u16, Value) {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (plural, namespace, name) = match parts.as_slice() {
        ["apis"] => {
            return (
                200,
                json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [group()]}),
            );
        }
        ["apis", "metrics.k8s.io"] => return (200, group()),
        ["apis", "metrics.k8s.io", "v1beta1"] => return (200, resources()),
        ["apis", "metrics.k8s.io", "v1beta1", plural] => (*plural, None, None),
        ["apis", "metrics.k8s.io", "v1beta1", plural, name] => (*plural, None, Some(*name)),
        [
            "apis",
            "metrics.k8s.io",
            "v1beta1",
            "namespaces",
            ns,
            plural,
        ] => (*plural, Some(*ns), None),
        [
            "apis",
            "metrics.k8s.io",
            "v1beta1",
            "namespaces",
            ns,
            plural,
            name,
        ] => (*plural, Some(*ns), Some(*name)),
        _ => return (404, status(404, "NotFound", &format!("{path} not found"))),
    };
    if !(plural == "pods" || plural == "nodes" && namespace.is_none()) {
        return (404, status(404, "NotFound", &format!("{path} not found")));
    }
    let selector = query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == "labelSelector")
        .map(|(_, v)| crate::server::decode(v))
        .unwrap_or_default();
    let selector = match LabelSelector::parse(&selector) {
        Ok(selector) => selector,
        Err(why) => return (400, status(400, "BadRequest", &why)),
    };
    let mut store = Store::default();
    for (plural, kind) in [("pods", "Pod"), ("nodes", "Node")] {
        match crate::mirror::list(client, "", "v1", kind, plural).await {
            Some(objects) => store.mirror("", plural, objects),
            None => {
                return (
                    503,
                    status(503, "ServiceUnavailable", &format!("cannot list {plural}")),
                );
            }
        }
    }
    match metrics::serve(&store, plural, namespace, name, &selector) {
        Ok(body) => (200, body),
        Err(e) => (e.code, status(e.code, e.reason, &e.message)),
    }
}

fn group() -> Value {
    let version = json!({"groupVersion": GROUP_VERSION, "version": "v1beta1"});
    json!({
        "kind": "APIGroup", "apiVersion": "v1", "name": "metrics.k8s.io",
        "versions": [version], "preferredVersion": version
    })
}

fn resources() -> Value {
    let resource = |name: &str, kind: &str, namespaced: bool| json!({"name": name, "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": ["get", "list"]});
    json!({
        "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": GROUP_VERSION,
        "resources": [resource("nodes", "NodeMetrics", false), resource("pods", "PodMetrics", true)]
    })
}

fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": message, "reason": reason, "code": code})
}
