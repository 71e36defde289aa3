//! The driver: a canary run's record in the cluster, its lease, and the loop that applies the
//! state machine's actions to Deployments.
//!
//! The record is a ConfigMap `<deploy>-canary-state` (key `run.json`): settings, the primary's
//! pre-canary template and replica count, the machine's state and an event history, rewritten
//! after every action — so a run whose CLI died resumes from the recorded step. A Lease
//! `<deploy>-canary` names the process driving the run; a second driver is refused while the
//! lease is fresh. `abort` and `promote` from elsewhere annotate the ConfigMap
//! (`canary.shipshape.dev/request`), which the driver reads every interval; without a live
//! driver they act themselves.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shipshape::{ApiCall, Kube};

use crate::analysis::Check;
use crate::machine::{self, Action, Config, Observation, Phase, State};

/// The annotation other processes use to ask the driver for something.
pub const REQUEST_ANNOTATION: &str = "canary.shipshape.dev/request";
/// The label on everything a run creates.
pub const CANARY_OF_LABEL: &str = "canary.shipshape.dev/canary-of";
/// The label that keeps the canary's pods apart from the primary's.
pub const TRACK_LABEL: &str = "canary.shipshape.dev/track";

/// How traffic reaches the canary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "mode")]
pub enum Traffic {
    /// Canary and primary pods behind the same Service, in proportion to the weight.
    #[default]
    Replicas,
    /// A Gateway API HTTPRoute rule's backendRefs weights: the primary Service and a canary
    /// Service `<service>-canary`.
    GatewayApi {
        route: String,
        rule: usize,
        /// The rule's backendRefs before the canary, restored at the end.
        original: Value,
        /// The primary Service (the rule's first backend) and its selector.
        service: String,
        selector: Value,
        /// An Istio VirtualService (`spec.http[RULE].route`) rather than an HTTPRoute.
        #[serde(default)]
        istio: bool,
    },
    /// NGINX ingress: a canary Ingress `<ingress>-canary` (canary-weight annotation) in front of
    /// a canary Service, next to the primary Ingress.
    Nginx {
        ingress: String,
        /// The primary Service (the Ingress backend that selects the Deployment's pods).
        service: String,
        selector: Value,
    },
    /// Blue-green: a full-size preview Deployment behind a preview Service, analysed, then the
    /// active Service switched to it in one patch.
    BlueGreen {
        /// The active Service and its selector before the release.
        service: String,
        selector: Value,
        scale_down_delay_seconds: u64,
    },
}

impl Traffic {
    /// The Service the release needs a twin of, its selector, and the twin's suffix.
    fn twin(&self) -> Option<(&str, &Value, &'static str)> {
        match self {
            Traffic::Replicas => None,
            Traffic::GatewayApi {
                service, selector, ..
            }
            | Traffic::Nginx {
                service, selector, ..
            } => Some((service, selector, "canary")),
            Traffic::BlueGreen {
                service, selector, ..
            } => Some((service, selector, "preview")),
        }
    }
}

/// The canary's label for a key the primary Service selects on: the canary's pods must not be
/// selected by the primary Service when a route splits traffic by Service.
fn twin_value(value: &Value, suffix: &str) -> Value {
    json!(format!("{}-{suffix}", value.as_str().unwrap_or_default()))
}

/// One event of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub time: String,
    pub message: String,
}

/// Everything a run needs to continue, as recorded in the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub deployment: String,
    pub namespace: String,
    pub container: String,
    pub image: String,
    pub config: Config,
    pub interval_seconds: u64,
    pub checks: Vec<Check>,
    pub prometheus: String,
    /// The primary's replicas before the canary (kept constant across both).
    pub total_replicas: i64,
    /// The primary's pod template before the canary, for rollbacks.
    pub original_template: Value,
    pub state: State,
    pub started: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    pub events: Vec<Event>,
    /// Earlier runs: (started, image, phase, reason).
    #[serde(default)]
    pub history: Vec<Value>,
    #[serde(default)]
    pub webhooks: Vec<crate::webhooks::Webhook>,
    /// How traffic reaches the canary.
    #[serde(default)]
    pub traffic: Traffic,
    #[serde(default = "ten")]
    pub webhook_timeout_seconds: u64,
    /// `--canary-name`: the canary (or preview) Deployment's name, when not the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_name: Option<String>,
}

fn ten() -> u64 {
    10
}

/// How many earlier runs a record keeps in its history.
pub const HISTORY_KEPT: usize = 50;

impl Record {
    /// Calls the webhooks of a kind; the failures.
    pub async fn call_hooks(
        &self,
        kind: crate::webhooks::Kind,
    ) -> Vec<(String, Result<(), String>)> {
        let mut results = Vec::new();
        for hook in self.webhooks.iter().filter(|h| h.kind == kind) {
            let payload = crate::webhooks::payload(
                kind,
                &self.deployment,
                &self.namespace,
                &format!("{:?}", self.state.phase),
                &self.image,
            );
            let outcome = crate::webhooks::call(
                hook,
                &payload,
                Duration::from_secs(self.webhook_timeout_seconds),
            )
            .await;
            results.push((hook.url.clone(), outcome));
        }
        results
    }
}

impl Record {
    /// This run as a history entry: started, finished, image, phase, reason and steps.
    pub fn summary(&self) -> Value {
        json!({"started": self.started, "finished": self.finished, "image": self.image, "phase": self.state.phase, "reason": self.state.reason, "steps": self.state.step})
    }

    /// The history of the run after this one: this one's history and this run, the newest
    /// [`HISTORY_KEPT`] (new runs are appended, so the oldest are dropped).
    pub fn next_history(&self) -> Vec<Value> {
        let mut history = self.history.clone();
        history.push(self.summary());
        let excess = history.len().saturating_sub(HISTORY_KEPT);
        history.drain(..excess);
        history
    }

    /// Records (and prints) an event.
    pub fn event(&mut self, message: impl Into<String>) {
        let message = message.into();
        let line = format!("{} {message}", now_clock());
        match progress() {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
        self.events.push(Event {
            time: now(),
            message,
        });
    }

    /// How a weight is carried out: `2 canary / 2 primary pods`, or the route's weights.
    pub fn weight_means(&self, weight: u32) -> String {
        match &self.traffic {
            Traffic::Replicas => {
                let (canary, primary) = split(self.total_replicas, weight);
                format!("{canary} canary / {primary} primary pods")
            }
            Traffic::Nginx { ingress, .. } => {
                format!("ingress {ingress}-canary with canary-weight {weight}")
            }
            Traffic::BlueGreen { service, .. } => format!(
                "a preview of {} pods behind service {service}-preview; service {service} unchanged",
                self.total_replicas
            ),
            Traffic::GatewayApi {
                route,
                rule,
                service,
                ..
            } => {
                format!(
                    "httproute {route} rule {rule}: {service} {}, {service}-canary {weight}",
                    100 - weight
                )
            }
        }
    }

    /// The canary Deployment's name.
    pub fn canary(&self) -> String {
        if let Some(name) = &self.canary_name {
            return name.clone();
        }
        match self.traffic {
            Traffic::BlueGreen { .. } => format!("{}-preview", self.deployment),
            _ => format!("{}-canary", self.deployment),
        }
    }
}

/// The live view on a terminal: weight against the maximum, step, failed checks and the last
/// metric values against their bounds. Without a terminal, runs print plain lines only.
static PROGRESS: std::sync::Mutex<Option<indicatif::ProgressBar>> = std::sync::Mutex::new(None);

fn progress() -> Option<indicatif::ProgressBar> {
    PROGRESS.lock().ok().and_then(|p| p.clone())
}

fn show_progress(record: &Record) {
    let Some(bar) = progress() else {
        return;
    };
    bar.set_length(u64::from(record.config.max_weight));
    bar.set_position(u64::from(record.state.weight));
    let checks: Vec<String> = record
        .state
        .last_checks
        .iter()
        .map(crate::machine::CheckResult::describe)
        .collect();
    bar.set_message(format!(
        "step {} · {:?} · {}/{} failed · {}",
        record.state.step,
        record.state.phase,
        record.state.failed_checks,
        record.config.threshold,
        if checks.is_empty() {
            "no checks yet".into()
        } else {
            checks.join(" · ")
        }
    ));
}

/// RFC 3339 now.
pub fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn now_clock() -> String {
    jiff::Zoned::now().strftime("%H:%M:%S").to_string()
}

/// `web-canary-state`.
pub fn state_name(deployment: &str) -> String {
    format!("{deployment}-canary-state")
}

/// Canary replicas for a weight, with `total` pods shared: at least one each while running.
pub fn split(total: i64, weight: u32) -> (i64, i64) {
    if total <= 1 {
        return (1, total.max(1));
    }
    let canary = (total * i64::from(weight)).div_euclid(100)
        + i64::from((total * i64::from(weight)).rem_euclid(100) != 0);
    let canary = canary.clamp(1, total - 1);
    (canary, total - canary)
}

/// The API handles of one run.
pub struct Cluster<'k> {
    pub kube: &'k Kube,
    pub namespace: String,
    deployments: Api<Deployment>,
    configmaps: Api<ConfigMap>,
    leases: Api<Lease>,
    services: Api<k8s_openapi::api::core::v1::Service>,
}

impl<'k> Cluster<'k> {
    /// The handles for the context's (or -n) namespace.
    pub fn new(kube: &'k Kube) -> Self {
        let namespace = kube.namespace.as_str();
        Self {
            kube,
            namespace: namespace.to_owned(),
            deployments: Api::namespaced(kube.client.clone(), namespace),
            configmaps: Api::namespaced(kube.client.clone(), namespace),
            leases: Api::namespaced(kube.client.clone(), namespace),
            services: Api::namespaced(kube.client.clone(), namespace),
        }
    }

    /// A failed call on an object of kind `K` in the run's namespace, explained.
    fn explain<K: kube::Resource<DynamicType = ()>>(
        &self,
        verb: &'static str,
        name: &str,
        e: kube::Error,
    ) -> anyhow::Error {
        self.explain_call(ApiCall::of::<K>(verb), name, e)
    }

    /// [`Cluster::explain`] for a call on a resource known only at run time.
    fn explain_call(&self, call: ApiCall, name: &str, e: kube::Error) -> anyhow::Error {
        self.kube
            .explain(call.named(name).in_namespace(self.namespace.clone()), e)
            .into()
    }

    /// A Deployment, or None.
    async fn deployment_object(&self, name: &str) -> anyhow::Result<Option<Deployment>> {
        self.deployments
            .get_opt(name)
            .await
            .map_err(|e| self.explain::<Deployment>("get", name, e))
    }

    /// A Deployment as JSON, or None.
    pub async fn deployment(&self, name: &str) -> anyhow::Result<Option<Value>> {
        Ok(match self.deployment_object(name).await? {
            Some(d) => Some(serde_json::to_value(d)?),
            None => None,
        })
    }

    async fn merge_patch_deployment(&self, name: &str, patch: Value) -> anyhow::Result<()> {
        self.deployments
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map_err(|e| self.explain::<Deployment>("patch", name, e))?;
        Ok(())
    }

    /// The run record, with the request annotation (abort/promote), or None.
    pub async fn record(
        &self,
        deployment: &str,
    ) -> anyhow::Result<Option<(Record, Option<String>)>> {
        let name = state_name(deployment);
        let Some(cm) = self
            .configmaps
            .get_opt(&name)
            .await
            .map_err(|e| self.explain::<ConfigMap>("get", &name, e))?
        else {
            return Ok(None);
        };
        let request = cm
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REQUEST_ANNOTATION))
            .cloned();
        let text = cm
            .data
            .as_ref()
            .and_then(|d| d.get("run.json"))
            .cloned()
            .unwrap_or_default();
        let record: Record = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "configmap/{name}: the run record is unreadable ({e}); delete it to start over"
            )
        })?;
        Ok(Some((record, request)))
    }

    /// Writes the record (server-side apply), clearing a handled request.
    pub async fn save(&self, record: &Record, clear_request: bool) -> anyhow::Result<()> {
        let name = state_name(&record.deployment);
        let mut body = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": name,
                "namespace": self.namespace,
                "labels": {CANARY_OF_LABEL: record.deployment, "app.kubernetes.io/managed-by": "shipshape-canary"},
            },
            "data": {"run.json": serde_json::to_string_pretty(record)?},
        });
        let params = PatchParams::apply(&crate::PLUGIN.field_manager()).force();
        self.configmaps
            .patch(&name, &params, &Patch::Apply(&body))
            .await
            .map_err(|e| self.explain::<ConfigMap>("patch", &name, e))?;
        if clear_request {
            body = json!({"metadata": {"annotations": {REQUEST_ANNOTATION: null}}});
            self.configmaps
                .patch(&name, &PatchParams::default(), &Patch::Merge(&body))
                .await
                .map_err(|e| self.explain::<ConfigMap>("patch", &name, e))?;
        }
        Ok(())
    }

    /// Asks the driver for `abort` or `promote`.
    pub async fn request(&self, deployment: &str, what: &str) -> anyhow::Result<()> {
        let name = state_name(deployment);
        let body = json!({"metadata": {"annotations": {REQUEST_ANNOTATION: what}}});
        self.configmaps
            .patch(&name, &PatchParams::default(), &Patch::Merge(&body))
            .await
            .map_err(|e| self.explain::<ConfigMap>("patch", &name, e))?;
        Ok(())
    }

    /// Takes (or renews) the run's lease; Err names the holder when another live driver has it.
    pub async fn lease(
        &self,
        deployment: &str,
        identity: &str,
        duration: Duration,
    ) -> anyhow::Result<()> {
        let name = format!("{deployment}-canary");
        let now = jiff::Timestamp::now();
        let body = json!({
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": name, "namespace": self.namespace, "labels": {CANARY_OF_LABEL: deployment}},
            "spec": {
                "holderIdentity": identity,
                "leaseDurationSeconds": duration.as_secs().max(1),
                "renewTime": now.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            },
        });
        if let Some(current) = self
            .leases
            .get_opt(&name)
            .await
            .map_err(|e| self.explain::<Lease>("get", &name, e))?
        {
            let spec = current.spec.unwrap_or_default();
            let holder = spec.holder_identity.unwrap_or_default();
            let renewed = spec.renew_time.map(|t| t.0.as_second()).unwrap_or_default();
            let lasts = i64::from(spec.lease_duration_seconds.unwrap_or_default());
            if holder != identity && renewed + lasts > now.as_second() && !dead_here(&holder) {
                anyhow::bail!(shipshape::UsageError(format!(
                    "another process ({holder}) is driving this canary (lease {name} renewed {}s ago); wait {}s for it to expire, or use `kubectl canary abort|promote`",
                    now.as_second() - renewed,
                    renewed + lasts - now.as_second()
                )));
            }
            let mut body = body;
            body["metadata"]["resourceVersion"] = json!(current.metadata.resource_version);
            let lease: Lease = serde_json::from_value(body)?;
            self.leases
                .replace(&name, &PostParams::default(), &lease)
                .await
                .map_err(|e| self.explain::<Lease>("update", &name, e))?;
        } else {
            let lease: Lease = serde_json::from_value(body)?;
            self.leases
                .create(&PostParams::default(), &lease)
                .await
                .map_err(|e| self.explain::<Lease>("create", &name, e))?;
        }
        Ok(())
    }

    /// Whether a live driver holds the lease.
    pub async fn driven(&self, deployment: &str) -> anyhow::Result<bool> {
        Ok(self.holder(deployment).await?.is_some())
    }

    /// The identity of the live driver holding the lease, if any.
    pub async fn holder(&self, deployment: &str) -> anyhow::Result<Option<String>> {
        let name = format!("{deployment}-canary");
        let Some(lease) = self
            .leases
            .get_opt(&name)
            .await
            .map_err(|e| self.explain::<Lease>("get", &name, e))?
        else {
            return Ok(None);
        };
        let spec = lease.spec.unwrap_or_default();
        let renewed = spec.renew_time.map(|t| t.0.as_second()).unwrap_or_default();
        let live = renewed + i64::from(spec.lease_duration_seconds.unwrap_or_default())
            > jiff::Timestamp::now().as_second();
        Ok(live.then(|| spec.holder_identity.unwrap_or_default()))
    }

    /// Gives the lease up (the run continues elsewhere, or has ended).
    pub async fn release(&self, deployment: &str) -> anyhow::Result<()> {
        let name = format!("{deployment}-canary");
        match self.leases.delete(&name, &DeleteParams::default()).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            Err(e) => Err(self.explain::<Lease>("delete", &name, e)),
        }
    }

    /// The route resource of the traffic: Istio's VirtualService or Gateway API's HTTPRoute.
    fn route_resource(istio: bool) -> kube::core::ApiResource {
        if istio {
            kube::core::ApiResource {
                group: "networking.istio.io".into(),
                version: "v1".into(),
                api_version: "networking.istio.io/v1".into(),
                kind: "VirtualService".into(),
                plural: "virtualservices".into(),
            }
        } else {
            kube::core::ApiResource {
                group: "gateway.networking.k8s.io".into(),
                version: "v1".into(),
                api_version: "gateway.networking.k8s.io/v1".into(),
                kind: "HTTPRoute".into(),
                plural: "httproutes".into(),
            }
        }
    }

    fn routes(&self, istio: bool) -> Api<kube::api::DynamicObject> {
        Api::namespaced_with(
            self.kube.client.clone(),
            &self.namespace,
            &Self::route_resource(istio),
        )
    }

    /// An HTTPRoute as JSON.
    pub async fn route_object(&self, name: &str, istio: bool) -> anyhow::Result<Value> {
        let route = self.routes(istio).get_opt(name).await.map_err(|e| {
            self.explain_call(ApiCall::on("get", &Self::route_resource(istio)), name, e)
        })?;
        let route = route.ok_or_else(|| {
            shipshape::UsageError(format!(
                "httproute \"{name}\" not found in namespace \"{}\"",
                self.namespace
            ))
        })?;
        Ok(serde_json::to_value(route)?)
    }

    fn ingresses(&self) -> Api<k8s_openapi::api::networking::v1::Ingress> {
        Api::namespaced(self.kube.client.clone(), &self.namespace)
    }

    /// The NGINX setup: the Ingress backend whose Service selects the Deployment's pods.
    pub async fn nginx_traffic(&self, ingress: &str, primary: &Value) -> anyhow::Result<Traffic> {
        let found = self
            .ingresses()
            .get_opt(ingress)
            .await
            .map_err(|e| self.explain::<Ingress>("get", ingress, e))?;
        let found = found.ok_or_else(|| {
            shipshape::UsageError(format!(
                "ingress \"{ingress}\" not found in namespace \"{}\"",
                self.namespace
            ))
        })?;
        let object = serde_json::to_value(found)?;
        let labels = &primary["spec"]["template"]["metadata"]["labels"];
        let backends: Vec<String> = object["spec"]["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["http"]["paths"].as_array().into_iter().flatten())
            .filter_map(|p| p["backend"]["service"]["name"].as_str().map(str::to_owned))
            .collect();
        for name in backends {
            if let Some(selector) = self.service_selector(&name).await?
                && selector
                    .as_object()
                    .is_some_and(|m| !m.is_empty() && m.iter().all(|(k, v)| labels[k] == *v))
            {
                return Ok(Traffic::Nginx {
                    ingress: ingress.to_owned(),
                    service: name,
                    selector,
                });
            }
        }
        Err(shipshape::UsageError(format!(
            "ingress {ingress} has no backend Service that selects deployment {}'s pods",
            primary["metadata"]["name"].as_str().unwrap_or_default()
        ))
        .into())
    }

    /// The canary Ingress for a weight: the primary's rules for the primary Service, pointed at
    /// the canary Service, with NGINX's canary annotations.
    async fn nginx_weight(
        &self,
        record: &Record,
        ingress: &str,
        service: &str,
        weight: u32,
    ) -> anyhow::Result<()> {
        let primary = self
            .ingresses()
            .get(ingress)
            .await
            .map_err(|e| self.explain::<Ingress>("get", ingress, e))?;
        let mut spec = serde_json::to_value(primary.spec.unwrap_or_default())?;
        spec.as_object_mut().map(|m| m.remove("tls"));
        let mut rules = Vec::new();
        for mut rule in spec["rules"].as_array().cloned().unwrap_or_default() {
            let paths: Vec<Value> = rule["http"]["paths"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["backend"]["service"]["name"] == service)
                .map(|p| {
                    let mut p = p.clone();
                    p["backend"]["service"]["name"] = json!(format!("{service}-canary"));
                    p
                })
                .collect();
            if !paths.is_empty() {
                rule["http"]["paths"] = Value::Array(paths);
                rules.push(rule);
            }
        }
        spec["rules"] = Value::Array(rules);
        let name = format!("{ingress}-canary");
        let canary = json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {
                "name": name,
                "namespace": self.namespace,
                "labels": {CANARY_OF_LABEL: record.deployment, "app.kubernetes.io/managed-by": "shipshape-canary"},
                "annotations": {
                    "nginx.ingress.kubernetes.io/canary": "true",
                    "nginx.ingress.kubernetes.io/canary-weight": weight.to_string(),
                },
            },
            "spec": spec,
        });
        let params = PatchParams::apply(&crate::PLUGIN.field_manager()).force();
        self.ingresses()
            .patch(&name, &params, &Patch::Apply(&canary))
            .await
            .map_err(|e| self.explain::<Ingress>("patch", &name, e))?;
        Ok(())
    }

    /// A Service's selector, or None when there is no such Service.
    async fn service_selector(&self, name: &str) -> anyhow::Result<Option<Value>> {
        let found = self
            .services
            .get_opt(name)
            .await
            .map_err(|e| self.explain::<Service>("get", name, e))?;
        found
            .map(|s| serde_json::to_value(s.spec.and_then(|s| s.selector).unwrap_or_default()))
            .transpose()
            .map_err(Into::into)
    }

    /// The blue-green setup: the active Service and its selector.
    pub async fn blue_green_traffic(
        &self,
        service: &str,
        delay: Duration,
    ) -> anyhow::Result<Traffic> {
        let selector = self.service_selector(service).await?.ok_or_else(|| {
            shipshape::UsageError(format!(
                "service \"{service}\" not found in namespace \"{}\"",
                self.namespace
            ))
        })?;
        Ok(Traffic::BlueGreen {
            service: service.to_owned(),
            selector,
            scale_down_delay_seconds: delay.as_secs(),
        })
    }

    /// The Gateway API mode's setup: the designated rule's first backend is the primary
    /// Service; returns the traffic record.
    pub async fn gateway_traffic(
        &self,
        route: &str,
        rule: usize,
        istio: bool,
    ) -> anyhow::Result<Traffic> {
        let object = self.route_object(route, istio).await?;
        let refs = if istio {
            object["spec"]["http"][rule]["route"].clone()
        } else {
            object["spec"]["rules"][rule]["backendRefs"].clone()
        };
        // Istio names hosts `web`, `web.shop` or `web.shop.svc.cluster.local`.
        let first = if istio {
            refs[0]["destination"]["host"]
                .as_str()
                .map(|h| h.split('.').next().unwrap_or(h))
        } else {
            refs[0]["name"].as_str()
        };
        let service = first.map(str::to_owned).ok_or_else(|| {
            shipshape::UsageError(format!(
                "httproute {route} has no rule {rule} with a Service backendRef"
            ))
        })?;
        let service = service.as_str();
        let selector = self.service_selector(service).await?.ok_or_else(|| {
            shipshape::UsageError(format!(
                "service \"{service}\" (route {route} rule {rule}) not found"
            ))
        })?;
        Ok(Traffic::GatewayApi {
            route: route.to_owned(),
            rule,
            original: refs,
            service: service.to_owned(),
            selector,
            istio,
        })
    }

    /// Creates the canary Deployment: the primary with the new image, its own track label (and,
    /// behind a route, its own values for the primary Service's selector keys plus a canary
    /// Service).
    pub async fn create_canary(
        &self,
        record: &Record,
        primary: &Value,
        replicas: i64,
    ) -> anyhow::Result<()> {
        let mut template = primary["spec"]["template"].clone();
        template["metadata"]["labels"][TRACK_LABEL] = json!("canary");
        set_image(&mut template, &record.container, &record.image);
        let mut selector = primary["spec"]["selector"].clone();
        selector["matchLabels"][TRACK_LABEL] = json!("canary");
        if let Some((service, service_selector, suffix)) = record.traffic.twin() {
            let mut canary_selector = serde_json::Map::new();
            for (key, value) in service_selector.as_object().into_iter().flatten() {
                template["metadata"]["labels"][key] = twin_value(value, suffix);
                if !selector["matchLabels"][key].is_null() {
                    selector["matchLabels"][key] = twin_value(value, suffix);
                }
                canary_selector.insert(key.clone(), twin_value(value, suffix));
            }
            let primary_service = self
                .services
                .get(service)
                .await
                .map_err(|e| self.explain::<Service>("get", service, e))?;
            let ports = serde_json::to_value(
                primary_service
                    .spec
                    .and_then(|s| s.ports)
                    .unwrap_or_default(),
            )?;
            let name = format!("{service}-{suffix}");
            let canary_service = json!({
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {
                    "name": name,
                    "namespace": self.namespace,
                    "labels": {CANARY_OF_LABEL: record.deployment, "app.kubernetes.io/managed-by": "shipshape-canary"},
                },
                "spec": {"selector": canary_selector, "ports": ports},
            });
            let params = PatchParams::apply(&crate::PLUGIN.field_manager()).force();
            self.services
                .patch(&name, &params, &Patch::Apply(&canary_service))
                .await
                .map_err(|e| self.explain::<Service>("patch", &name, e))?;
        }
        let canary = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": record.canary(),
                "namespace": self.namespace,
                "labels": {CANARY_OF_LABEL: record.deployment, "app.kubernetes.io/managed-by": "shipshape-canary"},
            },
            "spec": {"replicas": replicas, "selector": selector, "template": template},
        });
        let params = PatchParams::apply(&crate::PLUGIN.field_manager()).force();
        self.deployments
            .patch(&record.canary(), &params, &Patch::Apply(&canary))
            .await
            .map_err(|e| self.explain::<Deployment>("patch", &record.canary(), e))?;
        Ok(())
    }

    /// Sends `weight` percent of the traffic to the canary: pod counts, or a route's weights.
    pub async fn route(&self, record: &Record, weight: u32) -> anyhow::Result<()> {
        match &record.traffic {
            Traffic::Replicas => {
                let (canary, primary) = if weight == 0 {
                    (0, record.total_replicas)
                } else {
                    split(record.total_replicas, weight)
                };
                self.merge_patch_deployment(
                    &record.canary(),
                    json!({"spec": {"replicas": canary}}),
                )
                .await?;
                return self
                    .merge_patch_deployment(
                        &record.deployment,
                        json!({"spec": {"replicas": primary}}),
                    )
                    .await;
            }
            Traffic::Nginx {
                ingress, service, ..
            } => {
                if weight > 0 {
                    self.nginx_weight(record, ingress, service, weight).await?;
                }
            }
            // The preview takes no traffic until promotion: it only runs, at full size.
            Traffic::BlueGreen { .. } => {}
            Traffic::GatewayApi {
                route,
                rule,
                original,
                service,
                istio,
                ..
            } => {
                // Only the designated rule's backends change; every other byte of the route
                // stays. Istio's weights must add up to 100, Gateway API's are relative: 100 - w
                // and w.
                let mut primary = original[0].clone();
                primary["weight"] = json!(100 - weight);
                let mut canary = original[0].clone();
                if *istio {
                    canary["destination"]["host"] = json!(format!("{service}-canary"));
                } else {
                    canary["name"] = json!(format!("{service}-canary"));
                }
                canary["weight"] = json!(weight);
                let refs = if weight == 0 {
                    original.clone()
                } else {
                    json!([primary, canary])
                };
                self.set_backends(route, *rule, refs, *istio).await?;
            }
        }
        // Behind a route or a Service switch, the canary runs at full size (none at weight 0).
        let size = if weight == 0 {
            0
        } else {
            record.total_replicas
        };
        self.merge_patch_deployment(&record.canary(), json!({"spec": {"replicas": size}}))
            .await
    }

    async fn set_backends(
        &self,
        route: &str,
        rule: usize,
        refs: Value,
        istio: bool,
    ) -> anyhow::Result<()> {
        // A JSON patch: one path replaced, so nothing else in the route can change.
        let path = if istio {
            format!("/spec/http/{rule}/route")
        } else {
            format!("/spec/rules/{rule}/backendRefs")
        };
        let resource = Self::route_resource(istio);
        let body = serde_json::to_vec(&json!([{"op": "replace", "path": path, "value": refs}]))?;
        let request = http::Request::patch(format!(
            "/apis/{}/namespaces/{}/{}/{route}?fieldManager={}",
            resource.api_version,
            self.namespace,
            resource.plural,
            crate::PLUGIN.field_manager()
        ))
        .header(http::header::CONTENT_TYPE, "application/json-patch+json")
        .body(body)?;
        self.kube.client.request_text(request).await.map_err(|e| {
            self.explain_call(ApiCall::on("patch", &Self::route_resource(istio)), route, e)
        })?;
        Ok(())
    }

    /// Back to the route (and Service) as they were, when a route carried traffic.
    async fn restore_route(&self, record: &Record) -> anyhow::Result<()> {
        match &record.traffic {
            Traffic::Replicas => return Ok(()),
            Traffic::GatewayApi {
                route,
                rule,
                original,
                istio,
                ..
            } => {
                self.set_backends(route, *rule, original.clone(), *istio)
                    .await?
            }
            Traffic::BlueGreen {
                service, selector, ..
            } => self.select(service, selector).await?,
            Traffic::Nginx { ingress, .. } => {
                let name = format!("{ingress}-canary");
                self.delete_ours(
                    &self.ingresses(),
                    &name,
                    &record.deployment,
                    &DeleteParams::default(),
                )
                .await?;
            }
        }
        if let Some((service, _, suffix)) = record.traffic.twin() {
            let name = format!("{service}-{suffix}");
            self.delete_ours(
                &self.services,
                &name,
                &record.deployment,
                &DeleteParams::default(),
            )
            .await?;
        }
        Ok(())
    }

    /// Before a force-apply of an object a run creates: it must not exist, or be one of ours
    /// (`app.kubernetes.io/managed-by: shipshape-canary` and a canary of this Deployment).
    /// Another team's `web-canary` is refused ([`shipshape::exit::NotOurs`], exit 1), never
    /// taken over: a forced apply would make it ours and the cleanup would delete it.
    async fn ensure_ours<K>(
        &self,
        api: &Api<K>,
        name: &str,
        deployment: &str,
        rename: &str,
    ) -> anyhow::Result<()>
    where
        K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        let Some(found) = api
            .get_opt(name)
            .await
            .map_err(|e| self.explain::<K>("get", name, e))?
        else {
            return Ok(());
        };
        let labels = kube::ResourceExt::labels(&found);
        let managed = labels
            .get("app.kubernetes.io/managed-by")
            .map(String::as_str);
        let of = labels.get(CANARY_OF_LABEL).map(String::as_str);
        if managed == Some("shipshape-canary") && of == Some(deployment) {
            return Ok(());
        }
        let why = match (managed, of) {
            (Some("shipshape-canary"), Some(other)) => {
                format!("it is the canary of another Deployment, {other}")
            }
            _ => "it does not carry the app.kubernetes.io/managed-by=shipshape-canary and \
                  shipshape.dev/canary-of labels of a canary this command made"
                .to_owned(),
        };
        let resource = ApiCall::of::<K>("get").resource;
        Err(shipshape::exit::NotOurs(format!(
            "{resource}/{name} already exists in namespace {} and is not this canary's: {why}. \
             kubectl canary never overwrites or deletes what it did not create; {rename}",
            self.namespace
        ))
        .into())
    }

    /// Refuses to start when an object the run would create exists and is not ours (see
    /// [`Cluster::ensure_ours`]): the canary Deployment, a canary or preview Service, an NGINX
    /// canary Ingress. Checked before the first write, so nothing is changed on refusal.
    pub async fn check_names_free(&self, record: &Record) -> anyhow::Result<()> {
        let deployment = &record.deployment;
        self.ensure_ours(
            &self.deployments,
            &record.canary(),
            deployment,
            "choose another name with --canary-name",
        )
        .await?;
        if let Some((service, _, suffix)) = record.traffic.twin() {
            let name = format!("{service}-{suffix}");
            self.ensure_ours(
                &self.services,
                &name,
                deployment,
                "rename or remove that Service first",
            )
            .await?;
        }
        if let Traffic::Nginx { ingress, .. } = &record.traffic {
            let name = format!("{ingress}-canary");
            self.ensure_ours(
                &self.ingresses(),
                &name,
                deployment,
                "rename or remove that Ingress first",
            )
            .await?;
        }
        Ok(())
    }

    /// Deletes an object a run created — only when it carries the run's label; already gone
    /// is fine.
    async fn delete_ours<K>(
        &self,
        api: &Api<K>,
        name: &str,
        deployment: &str,
        params: &DeleteParams,
    ) -> anyhow::Result<()>
    where
        K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        let Some(found) = api
            .get_opt(name)
            .await
            .map_err(|e| self.explain::<K>("get", name, e))?
        else {
            return Ok(());
        };
        if kube::ResourceExt::labels(&found)
            .get(CANARY_OF_LABEL)
            .map(String::as_str)
            != Some(deployment)
        {
            return Ok(());
        }
        match api.delete(name, params).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            Err(e) => Err(self.explain::<K>("delete", name, e)),
        }
    }

    /// Points a Service at other pods: its whole selector replaced in one patch.
    async fn select(&self, service: &str, selector: &Value) -> anyhow::Result<()> {
        let current = self
            .services
            .get(service)
            .await
            .map_err(|e| self.explain::<Service>("get", service, e))?;
        let mut patch = serde_json::Map::new();
        // Keys the new selector drops are removed (null), the rest set.
        for key in current
            .spec
            .and_then(|s| s.selector)
            .unwrap_or_default()
            .keys()
        {
            patch.insert(key.clone(), Value::Null);
        }
        for (key, value) in selector.as_object().into_iter().flatten() {
            patch.insert(key.clone(), value.clone());
        }
        let body = json!({"spec": {"selector": patch}});
        self.services
            .patch(service, &PatchParams::default(), &Patch::Merge(&body))
            .await
            .map_err(|e| self.explain::<Service>("patch", service, e))?;
        Ok(())
    }

    /// Blue-green promotion: the active Service switched to the preview's pods in one patch,
    /// the primary updated while it serves nothing (after the scale-down delay), the Service
    /// switched back, the preview removed — the Deployment keeps its name.
    async fn promote_blue_green(&self, record: &Record, timeout: Duration) -> anyhow::Result<()> {
        let Traffic::BlueGreen {
            service,
            selector,
            scale_down_delay_seconds,
        } = &record.traffic
        else {
            return Ok(());
        };
        let preview: serde_json::Map<String, Value> = selector
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), twin_value(v, "preview")))
            .collect();
        self.select(service, &Value::Object(preview)).await?;
        eprintln!(
            "{} switched service/{service} to the preview; scaling the old version down in {}s",
            now_clock(),
            scale_down_delay_seconds
        );
        tokio::time::sleep(Duration::from_secs(*scale_down_delay_seconds)).await;
        self.update_primary(record, timeout).await?;
        // Switches the Service back (restore_route selects the recorded selector again).
        self.restore_route(record).await?;
        self.delete_canary(record).await
    }

    /// Whether a Deployment's rollout is complete, as `kubectl rollout status` decides it.
    pub async fn rolled_out(&self, name: &str) -> anyhow::Result<shipshape::wait::Check<()>> {
        Ok(match self.deployment_object(name).await? {
            Some(d) => shipshape::conditions::rolled_out(&d),
            None => shipshape::wait::Check::Pending(format!("deployment {name} not found")),
        })
    }

    /// The new image onto the primary at full size, rolled out.
    async fn update_primary(&self, record: &Record, timeout: Duration) -> anyhow::Result<()> {
        let mut template = record.original_template.clone();
        set_image(&mut template, &record.container, &record.image);
        let containers = template["spec"]["containers"].clone();
        // A strategic merge patch: containers merge by name, nothing else in the template moves.
        let patch = json!({"spec": {"replicas": record.total_replicas, "template": {"spec": {"containers": containers}}}});
        self.deployments
            .patch(
                &record.deployment,
                &PatchParams::default(),
                &Patch::Strategic(&patch),
            )
            .await
            .map_err(|e| self.explain::<Deployment>("patch", &record.deployment, e))?;
        shipshape::wait::Wait::new(
            format!("deployment {} to roll out", record.deployment),
            timeout,
        )
        .until(|| self.rolled_out(&record.deployment))
        .await?;
        Ok(())
    }

    /// Promotion: the new image onto the primary at full size, rolled out; the route restored
    /// and the canary removed (blue-green: switch, wait, update, switch back).
    pub async fn promote(&self, record: &Record, timeout: Duration) -> anyhow::Result<()> {
        if matches!(record.traffic, Traffic::BlueGreen { .. }) {
            return self.promote_blue_green(record, timeout).await;
        }
        self.update_primary(record, timeout).await?;
        self.restore_route(record).await?;
        self.delete_canary(record).await
    }

    /// Rollback: the primary back to its size, the canary removed, nothing else touched.
    pub async fn rollback(&self, record: &Record) -> anyhow::Result<()> {
        self.restore_route(record).await?;
        self.merge_patch_deployment(
            &record.deployment,
            json!({"spec": {"replicas": record.total_replicas}}),
        )
        .await?;
        self.delete_canary(record).await
    }

    async fn delete_canary(&self, record: &Record) -> anyhow::Result<()> {
        self.delete_ours(
            &self.deployments,
            &record.canary(),
            &record.deployment,
            &DeleteParams::background(),
        )
        .await
    }

    /// The run's checks with the canary pod pattern narrowed to the pods that exist now.
    pub async fn current_checks(
        &self,
        record: &Record,
    ) -> anyhow::Result<Vec<crate::analysis::Check>> {
        let listed = shipshape::list::list(
            self.kube,
            &kube::core::ApiResource::erase::<k8s_openapi::api::core::v1::Pod>(&()),
            Some(&self.namespace),
            Some(TRACK_LABEL),
        )
        .await?;
        let names = run_pods(&listed, &record.canary(), &record.container, &record.image);
        let generic = crate::analysis::pod_pattern(&record.canary());
        // No pod of this run yet: a name no pod has, so the checks see no data (and the
        // --on-no-data policy decides) rather than an earlier canary's series.
        let pods = if names.is_empty() {
            format!("{}-no-pods-of-this-run", record.canary())
        } else {
            names.join("|")
        };
        Ok(record
            .checks
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c.query = c.query.replace(&generic, &pods);
                c
            })
            .collect())
    }

    /// Whether the canary's pods are all available at the size asked for; while they are
    /// not, how many intervals its progress deadline allows.
    pub async fn canary_availability(
        &self,
        record: &Record,
    ) -> anyhow::Result<machine::Availability> {
        let canary = record.canary();
        let Some(d) = self.deployment_object(&canary).await? else {
            return Ok(machine::Availability::Stalled(format!(
                "deployment {canary} is gone"
            )));
        };
        Ok(availability(&d, record.interval_seconds))
    }
}

/// A canary Deployment's availability, from its spec and status.
fn availability(d: &Deployment, interval_seconds: u64) -> machine::Availability {
    if shipshape::conditions::available(d) {
        return machine::Availability::Ready;
    }
    if let Some(message) = shipshape::conditions::progress_deadline_exceeded(d) {
        return machine::Availability::Stalled(message);
    }
    let deadline = d
        .spec
        .progress_deadline_seconds
        .map_or(600, |s| u64::try_from(s).unwrap_or(600));
    let patience = deadline.div_ceil(interval_seconds.max(1));
    machine::Availability::Starting {
        patience: u32::try_from(patience).unwrap_or(u32::MAX),
    }
}

/// The names of this run's canary pods among `pods`: named after the canary Deployment, not
/// terminating, and running the run's image in its container. An earlier run's pods can
/// still be terminating under the same name prefix (a real cluster's graceful deletion) with a
/// healthy history that would hide this release's errors.
fn run_pods(pods: &[Value], canary: &str, container: &str, image: &str) -> Vec<String> {
    let prefix = format!("{canary}-");
    pods.iter()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .filter(|p| {
            let containers = p["spec"]["containers"].as_array();
            let chosen = containers.and_then(|cs| {
                cs.iter()
                    .find(|c| c["name"] == container)
                    .or_else(|| cs.first())
            });
            chosen.is_some_and(|c| c["image"] == image)
        })
        .filter_map(|p| p["metadata"]["name"].as_str())
        .filter(|n| n.starts_with(&prefix))
        .map(str::to_owned)
        .collect()
}

/// Sets the image of the named container (or the first) in a pod template.
pub fn set_image(template: &mut Value, container: &str, image: &str) {
    if let Some(containers) = template["spec"]["containers"].as_array_mut() {
        let index = containers
            .iter()
            .position(|c| c["name"] == container)
            .unwrap_or(0);
        if let Some(c) = containers.get_mut(index) {
            c["image"] = json!(image);
        }
    }
}

/// Whether a lease holder is a process on this machine that no longer runs (a driver killed
/// with SIGKILL): its lease need not be waited out.
fn dead_here(holder: &str) -> bool {
    let mine = identity();
    let host = |id: &str| id.rsplit_once('-').map(|(h, _)| h.to_owned());
    let pid = holder
        .rsplit_once('-')
        .and_then(|(_, p)| p.parse::<u32>().ok());
    match (host(holder), host(&mine), pid) {
        (Some(a), Some(b), Some(pid)) if a == b => {
            !std::path::Path::new(&format!("/proc/{pid}")).exists()
        }
        _ => false,
    }
}

/// This process, for the lease: `host-pid`.
pub fn identity() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .unwrap_or_else(|| "localhost".into());
    format!("{host}-{}", std::process::id())
}

/// Drives a recorded run to its end: every interval, observe, decide, act, record.
/// Returns the final phase. Ctrl-C leaves the run resumable (exit 130).
pub async fn drive(
    cluster: &Cluster<'_>,
    record: &mut Record,
    timeout: Duration,
) -> anyhow::Result<Phase> {
    // Transient failures (the API server unreachable or answering 5xx/429 past the client's
    // own retries) do not end the run: the driver tries again for a while, converging on the
    // recorded weight first. Progress (a new event) resets the allowance.
    let interval = Duration::from_secs(record.interval_seconds.max(1));
    let allowance = (interval * 3).max(Duration::from_secs(30));
    let mut failing_since: Option<(std::time::Instant, usize)> = None;
    let mut backoff = Duration::from_secs(1);
    loop {
        let error = match drive_steps(cluster, record, timeout, failing_since.is_some()).await {
            Ok(phase) => return Ok(phase),
            Err(e) => e,
        };
        let transient = error
            .chain()
            .filter_map(|c| c.downcast_ref::<shipshape::ClusterError>())
            .any(shipshape::ClusterError::is_transient);
        let progressed = failing_since.is_some_and(|(_, events)| record.events.len() > events);
        if progressed || failing_since.is_none() {
            failing_since = Some((std::time::Instant::now(), record.events.len()));
            backoff = Duration::from_secs(1);
        }
        if shipshape::exit::exit_for(&error) == shipshape::Exit::Interrupted {
            return Err(error);
        }
        let since = failing_since
            .map(|(t, _)| t)
            .unwrap_or_else(std::time::Instant::now);
        if !transient || since.elapsed() + backoff > allowance {
            return Err(error.context(format!(
                "the canary run stopped at step {}, weight {}% (phase {:?}); the run is \
                 recorded in configmap/{} and `kubectl canary resume {} -n {}` continues it",
                record.state.step,
                record.state.weight,
                record.state.phase,
                state_name(&record.deployment),
                record.deployment,
                record.namespace
            )));
        }
        eprintln!(
            "warning: {error:#}; trying again in {} (the run continues)",
            shipshape::duration::human(backoff)
        );
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = tokio::signal::ctrl_c() => {
                shipshape::process::say_interrupted(&format!("the run is recorded in configmap/{}; `kubectl canary resume {}` continues it", state_name(&record.deployment), record.deployment));
                return Err(shipshape::exit::Interrupted.into());
            }
        }
        backoff = (backoff * 2).min(interval.max(Duration::from_secs(1)));
    }
}

/// The driving loop of [`drive`]; `converge` first re-applies the recorded weight (after a
/// failure that may have left the traffic split behind the record).
async fn drive_steps(
    cluster: &Cluster<'_>,
    record: &mut Record,
    timeout: Duration,
    converge: bool,
) -> anyhow::Result<Phase> {
    if converge && record.state.phase == Phase::Progressing && record.state.weight > 0 {
        cluster.route(record, record.state.weight).await?;
    }
    let prometheus =
        shipshape::prometheus::Prometheus::new(&record.prometheus, Duration::from_secs(30))
            .map_err(shipshape::UsageError)?;
    let interval = Duration::from_secs(record.interval_seconds.max(1));
    if std::io::IsTerminal::is_terminal(&std::io::stderr())
        && let Ok(mut slot) = PROGRESS.lock()
    {
        let bar = indicatif::ProgressBar::new(u64::from(record.config.max_weight));
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} weight {pos:>3}%/{len}% [{bar:20}] {msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        *slot = Some(bar);
    }
    let me = identity();
    let lease_for = interval * 3 + Duration::from_secs(10);
    let mut asked = false;
    loop {
        cluster.lease(&record.deployment, &me, lease_for).await?;
        match record.state.phase {
            Phase::Promoting => {
                record.event(format!(
                    "promoting: {} onto deployment {}",
                    record.image, record.deployment
                ));
                cluster.save(record, false).await?;
                cluster.promote(record, timeout).await?;
                record.state.phase = Phase::Succeeded;
                record.finished = Some(now());
                record.event(format!(
                    "promoted: deployment {} runs {}",
                    record.deployment, record.image
                ));
            }
            Phase::RollingBack => {
                cluster.rollback(record).await?;
                record.state.phase = Phase::RolledBack;
                record.finished = Some(now());
                record.event(format!(
                    "rolled back: deployment {} untouched; {}",
                    record.deployment,
                    record.state.reason.clone().unwrap_or_default()
                ));
            }
            _ => {}
        }
        if record.state.phase.finished() {
            for (_, outcome) in record.call_hooks(crate::webhooks::Kind::PostRollout).await {
                if let Err(why) = outcome {
                    record.event(format!("post-rollout: {why}"));
                }
            }
            cluster.save(record, true).await?;
            cluster.release(&record.deployment).await?;
            if let Some(bar) = PROGRESS.lock().ok().and_then(|mut p| p.take()) {
                bar.finish_and_clear();
            }
            return Ok(record.state.phase);
        }
        // Wait out the interval (Ctrl-C leaves everything as recorded).
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = tokio::signal::ctrl_c() => {
                shipshape::process::say_interrupted(&format!("the run is recorded in configmap/{}; `kubectl canary resume {}` continues it", state_name(&record.deployment), record.deployment));
                return Err(shipshape::exit::Interrupted.into());
            }
        }
        let request = cluster
            .record(&record.deployment)
            .await?
            .and_then(|(_, r)| r);
        let canary = cluster.canary_availability(record).await?;
        let ready = canary == machine::Availability::Ready;
        let mut checks = if ready {
            // Only this run's pods: series of an earlier canary's pods linger in Prometheus for
            // a while after they are gone.
            let checks = cluster.current_checks(record).await?;
            crate::analysis::evaluate(&prometheus, &checks).await?
        } else {
            Vec::new()
        };
        if ready {
            // A failed rollout webhook is a failed check.
            for (url, outcome) in record.call_hooks(crate::webhooks::Kind::Rollout).await {
                checks.push(machine::CheckResult {
                    name: format!("rollout webhook {url}"),
                    value: Some(if outcome.is_ok() { 1.0 } else { 0.0 }),
                    min: Some(1.0),
                    max: None,
                });
            }
        }
        // A rollback webhook that answers 2xx asks for a rollback.
        let rollback_hook = record
            .call_hooks(crate::webhooks::Kind::Rollback)
            .await
            .into_iter()
            .find(|(_, outcome)| outcome.is_ok())
            .map(|(url, _)| url);
        let observation = Observation {
            canary,
            checks,
            abort: request.as_deref() == Some("abort") || rollback_hook.is_some(),
            promote: request.as_deref().is_some_and(|r| r.starts_with("promote")),
        };
        let mut action = machine::decide(&record.config, &mut record.state, &observation);
        if let (Some(url), Action::Rollback(_)) = (&rollback_hook, &action) {
            let reason = format!("the rollback webhook {url} asked for it");
            record.state.reason = Some(reason.clone());
            action = Action::Rollback(reason);
        }
        if action == Action::Promote && !observation.promote {
            // confirm-promotion webhooks hold the canary at its weight until they agree.
            let refusals: Vec<String> = record
                .call_hooks(crate::webhooks::Kind::ConfirmPromotion)
                .await
                .into_iter()
                .filter_map(|(_, outcome)| outcome.err())
                .collect();
            if !refusals.is_empty() {
                record.state.phase = Phase::WaitingPromotion;
                record.event(format!(
                    "step {}: waiting to promote: {}",
                    record.state.step,
                    refusals.join("; ")
                ));
                cluster.save(record, request.is_some()).await?;
                continue;
            }
        }
        let values: Vec<String> = record
            .state
            .last_checks
            .iter()
            .map(machine::CheckResult::describe)
            .collect();
        let seen = if ready {
            values.join(", ")
        } else {
            "canary not ready".into()
        };
        match &action {
            Action::SetWeight(weight) => {
                cluster.route(record, *weight).await?;
                let means = record.weight_means(*weight);
                record.event(format!(
                    "step {}: weight {weight}% ({means}); {seen}",
                    record.state.step
                ));
            }
            Action::Hold => record.event(format!(
                "step {}: holding at {}% ({} of {} failed checks); {seen}{}",
                record.state.step,
                record.state.weight,
                record.state.failed_checks,
                record.config.threshold,
                if record.state.phase == Phase::WaitingPromotion {
                    "; waiting for `kubectl canary promote`"
                } else {
                    ""
                }
            )),
            Action::Promote => {
                record.event(format!("step {}: promoting; {seen}", record.state.step))
            }
            Action::Rollback(reason) => record.event(format!(
                "step {}: rolling back: {reason}",
                record.state.step
            )),
        }
        cluster.save(record, request.is_some()).await?;
        show_progress(record);
        // At a manual gate with a person at the terminal, ask once (`promote` from elsewhere
        // works either way).
        if record.state.phase == Phase::WaitingPromotion
            && !asked
            && std::io::IsTerminal::is_terminal(&std::io::stdin())
        {
            asked = true;
            let action = format!(
                "promote deployment {} to {} now",
                record.deployment, record.image
            );
            let bar = progress();
            let yes = tokio::task::spawn_blocking(move || {
                let ask = || shipshape::confirm::confirm(&action, false).is_ok();
                match bar {
                    Some(bar) => bar.suspend(ask),
                    None => ask(),
                }
            })
            .await
            .unwrap_or(false);
            if yes {
                record.state.phase = Phase::Promoting;
                record.event(format!(
                    "step {}: promotion confirmed at the terminal",
                    record.state.step
                ));
                cluster.save(record, false).await?;
            } else {
                record.event("not promoted: waiting for `kubectl canary promote` (or `abort`)");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availability_follows_the_deployment_controller() {
        use machine::Availability;
        let mut d = json!({
            "metadata": {"generation": 2},
            "spec": {"replicas": 2, "progressDeadlineSeconds": 60, "selector": {}, "template": {}},
            "status": {"observedGeneration": 2, "availableReplicas": 2, "updatedReplicas": 2},
        });
        let availability = |d: &Value, interval| {
            availability(
                &serde_json::from_value(d.clone()).expect("a Deployment"),
                interval,
            )
        };
        assert_eq!(availability(&d, 10), Availability::Ready);
        // Not yet seen by the controller: its status is the previous generation's.
        d["metadata"]["generation"] = json!(3);
        assert_eq!(availability(&d, 10), Availability::Starting { patience: 6 });
        d["status"]["observedGeneration"] = json!(3);
        d["status"]["availableReplicas"] = json!(1);
        assert_eq!(availability(&d, 7), Availability::Starting { patience: 9 });
        d["status"]["conditions"] = json!([{"type": "Progressing", "status": "False",
            "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet \"web-canary-1\" has timed out progressing."}]);
        assert_eq!(
            availability(&d, 10),
            Availability::Stalled("ReplicaSet \"web-canary-1\" has timed out progressing.".into())
        );
    }

    #[test]
    fn only_this_runs_live_canary_pods_are_analysed() {
        let pod = |name: &str, image: &str, terminating: bool| {
            let mut pod = json!({"metadata": {"name": name},
                "spec": {"containers": [{"name": "sidecar", "image": "proxy:1"}, {"name": "web", "image": image}]}});
            if terminating {
                pod["metadata"]["deletionTimestamp"] = json!("2026-12-04T00:00:00Z");
            }
            pod
        };
        let pods = [
            pod("web-canary-aaa-1", "web:2", false),
            pod("web-canary-bbb-1", "web:1", true),
            pod("web-canary-aaa-2", "web:2", true),
            pod("web-canary-ccc-1", "web:1", false),
            pod("web-aaa-1", "web:2", false),
        ];
        assert_eq!(
            run_pods(&pods, "web-canary", "web", "web:2"),
            ["web-canary-aaa-1"]
        );
        assert!(run_pods(&pods, "web-canary", "web", "web:3").is_empty());
    }

    fn record(history: Vec<Value>) -> Record {
        serde_json::from_value(json!({
            "deployment": "web", "namespace": "shop", "container": "web", "image": "web:1.1",
            "config": {"stepWeight": 10, "maxWeight": 50, "threshold": 5, "onNoData": "fail", "manualGate": false},
            "intervalSeconds": 30, "checks": [], "prometheus": "http://p:9090", "totalReplicas": 4,
            "originalTemplate": {}, "state": {"phase": "Succeeded", "weight": 50, "step": 5, "failedChecks": 0, "lastChecks": []},
            "started": "2026-11-22T07:00:00Z", "events": [], "history": history
        }))
        .expect("record")
    }

    #[test]
    fn history_keeps_the_newest_runs() {
        let short = record(vec![json!({"image": "web:1.0"})]).next_history();
        assert_eq!(short.len(), 2);
        assert_eq!(short[1]["image"], "web:1.1");
        assert_eq!(short[1]["steps"], 5);
        let full: Vec<Value> = (0..HISTORY_KEPT)
            .map(|i| json!({"image": format!("web:0.{i}")}))
            .collect();
        let next = record(full).next_history();
        assert_eq!(next.len(), HISTORY_KEPT);
        assert_eq!(next[0]["image"], "web:0.1", "the oldest run is dropped");
        assert_eq!(
            next[HISTORY_KEPT - 2]["image"],
            format!("web:0.{}", HISTORY_KEPT - 1)
        );
        assert_eq!(
            next[HISTORY_KEPT - 1]["image"],
            "web:1.1",
            "the newest run is kept"
        );
    }

    #[test]
    fn splits_keep_the_total_and_one_pod_each() {
        assert_eq!(split(4, 10), (1, 3));
        assert_eq!(split(4, 50), (2, 2));
        assert_eq!(split(10, 10), (1, 9));
        assert_eq!(split(10, 50), (5, 5));
        assert_eq!(split(3, 90), (2, 1));
        assert_eq!(split(1, 50), (1, 1));
    }
}
