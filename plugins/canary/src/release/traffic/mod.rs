//! How traffic reaches the canary: one module per strategy, each behind [`Strategy`].
//!
//! - [`replicas`]: no mesh — canary and primary pods in proportion behind the same Service.
//! - [`gateway_api`] and [`istio`]: the weights of an HTTPRoute rule's backendRefs, or of a
//!   VirtualService http route's destinations ([`route`] holds what they share).
//! - [`nginx`]: a canary Ingress with NGINX's canary-weight annotation.
//! - [`blue_green`]: a full-size preview, then the active Service switched to it.
//!
//! [`Traffic`] is what the run record keeps (its JSON shape is fixed: a run started by one
//! version is resumed by the next); [`Traffic::strategy`] is the one place that tells the
//! modes apart.

pub mod blue_green;
pub mod gateway_api;
pub mod istio;
pub mod nginx;
pub mod replicas;
pub mod route;

use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Cluster, Record};

/// How traffic reaches the canary, as recorded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "mode")]
pub enum Traffic {
    /// Canary and primary pods behind the same Service, in proportion to the weight.
    #[default]
    Replicas,
    /// A Gateway API HTTPRoute rule's backendRefs weights (or an Istio VirtualService's): the
    /// primary Service and a canary Service `<service>-canary`.
    GatewayApi(route::Route),
    /// NGINX ingress: a canary Ingress `<ingress>-canary` (canary-weight annotation) in front of
    /// a canary Service, next to the primary Ingress.
    Nginx(nginx::Nginx),
    /// Blue-green: a full-size preview Deployment behind a preview Service, analysed, then the
    /// active Service switched to it in one patch.
    BlueGreen(blue_green::BlueGreen),
}

impl Traffic {
    /// The strategy that carries this mode out.
    pub fn strategy(&self) -> &dyn Strategy {
        match self {
            Traffic::Replicas => &replicas::Replicas,
            Traffic::GatewayApi(route) => route,
            Traffic::Nginx(nginx) => nginx,
            Traffic::BlueGreen(blue_green) => blue_green,
        }
    }
}

/// The Service a strategy routes the canary's share through: a twin of the primary Service
/// (`<service>-canary`, or `-preview`), selecting the canary's pods by their own values of the
/// primary Service's selector keys.
#[derive(Debug, Clone, Copy)]
pub struct Twin<'a> {
    /// The primary Service.
    pub service: &'a str,
    /// Its selector.
    pub selector: &'a Value,
    /// `canary` or `preview`.
    pub suffix: &'static str,
}

impl Twin<'_> {
    /// The twin Service's name.
    pub fn name(&self) -> String {
        format!("{}-{}", self.service, self.suffix)
    }
}

/// The canary's label for a key the primary Service selects on: the canary's pods must not be
/// selected by the primary Service when a route splits traffic by Service.
pub fn twin_value(value: &Value, suffix: &str) -> Value {
    json!(format!("{}-{suffix}", value.as_str().unwrap_or_default()))
}

/// What a strategy answers to: the words for a weight, the objects it creates, and how it
/// shifts, restores and promotes.
pub trait Strategy: Send + Sync {
    /// How a weight is carried out, for the run's events.
    fn means(&self, record: &Record, weight: u32) -> String;

    /// The twin of the primary Service this strategy routes through, if any.
    fn twin(&self) -> Option<Twin<'_>> {
        None
    }

    /// The canary Deployment's default name is `<deployment>-<suffix>`.
    fn canary_suffix(&self) -> &'static str {
        "canary"
    }

    /// The Ingress whose metrics the analysis reads (NGINX's canary Ingress).
    fn canary_ingress(&self) -> Option<String> {
        None
    }

    /// The RBAC rules a detached run needs for this strategy's objects (besides the
    /// Deployments, the record and the lease every run needs).
    fn grants(&self) -> Vec<Value> {
        Vec::new()
    }

    /// Refuses when an object this strategy creates (besides the canary Deployment and the
    /// twin Service) exists and is not the run's.
    fn check_free<'a>(
        &'a self,
        _cluster: &'a Cluster<'a>,
        _record: &'a Record,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }

    /// Sends `weight` percent of the traffic to the canary.
    fn route<'a>(
        &'a self,
        cluster: &'a Cluster<'a>,
        record: &'a Record,
        weight: u32,
    ) -> BoxFuture<'a, anyhow::Result<()>>;

    /// Back to the traffic as it was before the run (the twin Service is removed by the
    /// caller).
    fn restore<'a>(
        &'a self,
        _cluster: &'a Cluster<'a>,
        _record: &'a Record,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }

    /// Promotion: the new image onto the primary at full size, rolled out; the traffic
    /// restored and the canary removed.
    fn promote<'a>(
        &'a self,
        cluster: &'a Cluster<'a>,
        record: &'a Record,
        timeout: Duration,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            cluster.update_primary(record, timeout).await?;
            cluster.restore_route(record).await?;
            cluster.delete_canary(record).await
        })
    }
}

/// An RBAC rule for named objects.
pub(crate) fn named(group: &str, resource: &str, names: &[String], verbs: &[&str]) -> Value {
    json!({"apiGroups": [group], "resources": [resource], "resourceNames": names, "verbs": verbs})
}

/// The primary Service (read, and switched for blue-green) and its twin (created, deleted).
pub(crate) fn twin_grant(twin: &Twin<'_>) -> Value {
    named(
        "",
        "services",
        &[twin.service.to_owned(), twin.name()],
        &["get", "create", "patch", "delete"],
    )
}
