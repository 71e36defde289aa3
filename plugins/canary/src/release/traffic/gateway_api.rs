//! `--traffic gateway-api:ROUTE[#RULE]`: the weights of a Gateway API HTTPRoute rule's
//! backendRefs (`spec.rules[RULE].backendRefs`), relative to each other.

use kube::core::ApiResource;
use serde_json::{Value, json};

use super::route::RouteKind;

/// Gateway API's HTTPRoute.
pub struct HttpRoute;

impl RouteKind for HttpRoute {
    fn resource(&self) -> ApiResource {
        ApiResource {
            group: "gateway.networking.k8s.io".into(),
            version: "v1".into(),
            api_version: "gateway.networking.k8s.io/v1".into(),
            kind: "HTTPRoute".into(),
            plural: "httproutes".into(),
        }
    }

    fn rule_word(&self) -> &'static str {
        "rule"
    }

    fn backends_path(&self, rule: usize) -> String {
        format!("/spec/rules/{rule}/backendRefs")
    }

    fn service<'v>(&self, backend: &'v Value) -> Option<&'v str> {
        backend["name"].as_str()
    }

    fn send_to(&self, backend: &mut Value, service: &str) {
        backend["name"] = json!(service);
    }
}
