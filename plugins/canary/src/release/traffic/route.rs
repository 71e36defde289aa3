//! What `--traffic gateway-api:ROUTE[#RULE]` and `--traffic istio:VIRTUALSERVICE[#ROUTE]`
//! share: one rule of a route object carries the split, as the weights of two backends — the
//! primary Service (the rule's first backend) and a canary Service. Only that rule changes, by
//! a JSON patch of one path, so every other byte of the route stays; at the end the rule's
//! backends are put back as they were. [`RouteKind`] is where the two APIs differ.

use futures_util::future::BoxFuture;
use kube::core::ApiResource;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shipshape::ApiCall;

use super::{Strategy, Traffic, Twin, gateway_api, istio, named, twin_grant};
use crate::release::{Cluster, Record};

/// The differences between a Gateway API HTTPRoute and an Istio VirtualService.
pub trait RouteKind: Sync {
    /// The route's resource.
    fn resource(&self) -> ApiResource;
    /// The word for a rule in messages: `rule` (HTTPRoute) or `route` (VirtualService).
    fn rule_word(&self) -> &'static str;
    /// The JSON pointer of a rule's backends.
    fn backends_path(&self, rule: usize) -> String;
    /// The Service a backend sends to.
    fn service<'v>(&self, backend: &'v Value) -> Option<&'v str>;
    /// A backend sent to another Service instead.
    fn send_to(&self, backend: &mut Value, service: &str);
    /// The kind in messages: `httproute`, `virtualservice`.
    fn noun(&self) -> String {
        self.resource().kind.to_lowercase()
    }
}

/// The recorded route: the rule, its backends before the canary, the primary Service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub route: String,
    pub rule: usize,
    /// The rule's backends before the canary, restored at the end.
    pub original: Value,
    /// The primary Service (the rule's first backend) and its selector.
    pub service: String,
    pub selector: Value,
    /// An Istio VirtualService (`spec.http[RULE].route`) rather than an HTTPRoute.
    #[serde(default)]
    pub istio: bool,
}

/// The kind of route: Istio's VirtualService or Gateway API's HTTPRoute.
fn kind(istio: bool) -> &'static dyn RouteKind {
    if istio {
        &istio::VirtualService
    } else {
        &gateway_api::HttpRoute
    }
}

/// The setup: the designated rule's first backend is the primary Service.
pub async fn discover(
    cluster: &Cluster<'_>,
    name: &str,
    rule: usize,
    istio: bool,
) -> anyhow::Result<Traffic> {
    let kind = kind(istio);
    let resource = kind.resource();
    let noun = kind.noun();
    let api: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
        cluster.scope.kube.client.clone(),
        cluster.scope.namespace,
        &resource,
    );
    let found = api.get_opt(name).await.map_err(|e| {
        cluster
            .scope
            .explain_call(ApiCall::on("get", &resource), name, e)
    })?;
    let object = serde_json::to_value(found.ok_or_else(|| {
        shipshape::UsageError(format!(
            "{noun} \"{name}\" not found in namespace \"{}\"",
            cluster.scope.namespace
        ))
    })?)?;
    let refs = object
        .pointer(&kind.backends_path(rule))
        .cloned()
        .unwrap_or(Value::Null);
    let word = kind.rule_word();
    let service = kind.service(&refs[0]).map(str::to_owned).ok_or_else(|| {
        shipshape::UsageError(format!(
            "{noun} {name} has no {word} {rule} with a Service backend"
        ))
    })?;
    let selector = cluster.service_selector(&service).await?.ok_or_else(|| {
        shipshape::UsageError(format!(
            "service \"{service}\" ({noun} {name} {word} {rule}) not found"
        ))
    })?;
    Ok(Traffic::GatewayApi(Route {
        route: name.to_owned(),
        rule,
        original: refs,
        service,
        selector,
        istio,
    }))
}

impl Route {
    fn kind(&self) -> &'static dyn RouteKind {
        kind(self.istio)
    }

    /// The rule's backends replaced: a JSON patch of one path, so nothing else in the route
    /// can change.
    async fn set_backends(&self, cluster: &Cluster<'_>, refs: Value) -> anyhow::Result<()> {
        let kind = self.kind();
        let resource = kind.resource();
        let body = serde_json::to_vec(
            &json!([{"op": "replace", "path": kind.backends_path(self.rule), "value": refs}]),
        )?;
        let request = http::Request::patch(format!(
            "/apis/{}/namespaces/{}/{}/{}?fieldManager={}",
            resource.api_version,
            cluster.scope.namespace,
            resource.plural,
            self.route,
            crate::PLUGIN.field_manager()
        ))
        .header(http::header::CONTENT_TYPE, "application/json-patch+json")
        .body(body)?;
        cluster
            .scope
            .kube
            .client
            .request_text(request)
            .await
            .map_err(|e| {
                cluster
                    .scope
                    .explain_call(ApiCall::on("patch", &resource), &self.route, e)
            })?;
        Ok(())
    }

    /// The rule's backends at a weight: the primary at `100 - weight`, its twin at `weight`
    /// (Istio's weights must add up to 100, Gateway API's are relative: this suits both).
    fn backends(&self, weight: u32) -> Value {
        if weight == 0 {
            return self.original.clone();
        }
        let kind = self.kind();
        let mut primary = self.original[0].clone();
        primary["weight"] = json!(100 - weight);
        let mut canary = self.original[0].clone();
        kind.send_to(&mut canary, &format!("{}-canary", self.service));
        canary["weight"] = json!(weight);
        json!([primary, canary])
    }
}

impl Strategy for Route {
    fn means(&self, _record: &Record, weight: u32) -> String {
        let kind = self.kind();
        format!(
            "{} {} {} {}: {service} {}, {service}-canary {weight}",
            kind.noun(),
            self.route,
            kind.rule_word(),
            self.rule,
            100 - weight,
            service = self.service,
        )
    }

    fn twin(&self) -> Option<Twin<'_>> {
        Some(Twin {
            service: &self.service,
            selector: &self.selector,
            suffix: "canary",
        })
    }

    fn grants(&self) -> Vec<Value> {
        let resource = self.kind().resource();
        let mut grants = vec![named(
            &resource.group,
            &resource.plural,
            std::slice::from_ref(&self.route),
            &["get", "patch"],
        )];
        grants.extend(self.twin().as_ref().map(twin_grant));
        grants
    }

    fn route<'a>(
        &'a self,
        cluster: &'a Cluster<'a>,
        record: &'a Record,
        weight: u32,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            self.set_backends(cluster, self.backends(weight)).await?;
            cluster.size_canary(record, weight).await
        })
    }

    fn restore<'a>(
        &'a self,
        cluster: &'a Cluster<'a>,
        _record: &'a Record,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(self.set_backends(cluster, self.original.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(istio: bool, original: Value) -> Route {
        Route {
            route: "shop".into(),
            rule: 1,
            original,
            service: "web".into(),
            selector: json!({"app": "web"}),
            istio,
        }
    }

    #[test]
    fn a_weight_splits_the_first_backend_into_primary_and_canary() {
        let gateway = route(false, json!([{"name": "web", "port": 80}]));
        assert_eq!(
            gateway.backends(30),
            json!([{"name": "web", "port": 80, "weight": 70}, {"name": "web-canary", "port": 80, "weight": 30}])
        );
        assert_eq!(gateway.backends(0), gateway.original);
        let istio = route(
            true,
            json!([{"destination": {"host": "web.shop.svc.cluster.local", "port": {"number": 80}}}]),
        );
        assert_eq!(
            istio.backends(10)[1],
            json!({"destination": {"host": "web-canary", "port": {"number": 80}}, "weight": 10})
        );
        assert_eq!(istio.backends(10)[0]["weight"], 90);
    }

    #[test]
    fn messages_name_the_route_kind() {
        let record: Record = serde_json::from_value(json!({
            "deployment": "web", "namespace": "shop", "container": "web", "image": "web:2",
            "config": {"stepWeight": 10, "maxWeight": 50, "threshold": 5, "onNoData": "fail", "manualGate": false},
            "intervalSeconds": 30, "checks": [], "prometheus": "http://p:9090", "totalReplicas": 4,
            "originalTemplate": {}, "state": {"phase": "Progressing", "weight": 10, "step": 1, "failedChecks": 0, "lastChecks": []},
            "started": "2026-11-22T07:00:00Z", "events": []
        }))
        .expect("record");
        assert_eq!(
            route(false, json!([])).means(&record, 20),
            "httproute shop rule 1: web 80, web-canary 20"
        );
        assert_eq!(
            route(true, json!([])).means(&record, 20),
            "virtualservice shop route 1: web 80, web-canary 20"
        );
    }
}
