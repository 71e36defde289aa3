//! `--traffic istio:VIRTUALSERVICE[#ROUTE]`: the weights of an Istio VirtualService's http
//! route (`spec.http[ROUTE].route`), which must add up to 100.

use kube::core::ApiResource;
use serde_json::{Value, json};

use super::route::RouteKind;

/// Istio's VirtualService.
pub struct VirtualService;

impl RouteKind for VirtualService {
    fn resource(&self) -> ApiResource {
        ApiResource {
            group: "networking.istio.io".into(),
            version: "v1".into(),
            api_version: "networking.istio.io/v1".into(),
            kind: "VirtualService".into(),
            plural: "virtualservices".into(),
        }
    }

    fn rule_word(&self) -> &'static str {
        "route"
    }

    fn backends_path(&self, rule: usize) -> String {
        format!("/spec/http/{rule}/route")
    }

    /// Istio names hosts `web`, `web.shop` or `web.shop.svc.cluster.local`.
    fn service<'v>(&self, backend: &'v Value) -> Option<&'v str> {
        backend["destination"]["host"]
            .as_str()
            .map(|h| h.split('.').next().unwrap_or(h))
    }

    fn send_to(&self, backend: &mut Value, service: &str) {
        backend["destination"]["host"] = json!(service);
    }
}
