//! `--traffic nginx:INGRESS`: a canary Ingress `<ingress>-canary` with NGINX's canary-weight
//! annotation, for the primary Ingress's rules that send to the primary Service, pointed at a
//! canary Service.

use futures_util::future::BoxFuture;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::DeleteParams;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Strategy, Traffic, Twin, named, twin_grant};
use crate::release::{Cluster, Record, labels};

/// The recorded NGINX setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nginx {
    pub ingress: String,
    /// The primary Service (the Ingress backend that selects the Deployment's pods).
    pub service: String,
    pub selector: Value,
}

/// The setup: the Ingress backend whose Service selects the Deployment's pods.
pub async fn discover(
    cluster: &Cluster<'_>,
    ingress: &str,
    primary: &Value,
) -> anyhow::Result<Traffic> {
    let found = cluster.scope.get_opt(&cluster.ingresses, ingress).await?;
    let found = found.ok_or_else(|| {
        shipshape::UsageError(format!(
            "ingress \"{ingress}\" not found in namespace \"{}\"",
            cluster.scope.namespace
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
        if let Some(selector) = cluster.service_selector(&name).await?
            && selector
                .as_object()
                .is_some_and(|m| !m.is_empty() && m.iter().all(|(k, v)| labels[k] == *v))
        {
            return Ok(Traffic::Nginx(Nginx {
                ingress: ingress.to_owned(),
                service: name,
                selector,
            }));
        }
    }
    Err(shipshape::UsageError(format!(
        "ingress {ingress} has no backend Service that selects deployment {}'s pods",
        primary["metadata"]["name"].as_str().unwrap_or_default()
    ))
    .into())
}

impl Nginx {
    /// The canary Ingress's name.
    fn canary(&self) -> String {
        format!("{}-canary", self.ingress)
    }

    /// The canary Ingress for a weight: the primary's rules for the primary Service, pointed
    /// at the canary Service, with NGINX's canary annotations.
    async fn set_weight(
        &self,
        cluster: &Cluster<'_>,
        record: &Record,
        weight: u32,
    ) -> anyhow::Result<()> {
        let primary = cluster
            .ingresses
            .get(&self.ingress)
            .await
            .map_err(|e| cluster.scope.explain::<Ingress>("get", &self.ingress, e))?;
        let mut spec = serde_json::to_value(primary.spec.unwrap_or_default())?;
        spec.as_object_mut().map(|m| m.remove("tls"));
        let service = &self.service;
        let mut rules = Vec::new();
        for mut rule in spec["rules"].as_array().cloned().unwrap_or_default() {
            let paths: Vec<Value> = rule["http"]["paths"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["backend"]["service"]["name"] == service.as_str())
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
        let name = self.canary();
        let canary = json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {
                "name": name,
                "namespace": cluster.scope.namespace,
                "labels": labels(&record.deployment),
                "annotations": {
                    "nginx.ingress.kubernetes.io/canary": "true",
                    "nginx.ingress.kubernetes.io/canary-weight": weight.to_string(),
                },
            },
            "spec": spec,
        });
        cluster
            .scope
            .apply(&cluster.ingresses, &name, &canary)
            .await
    }
}

impl Strategy for Nginx {
    fn means(&self, _record: &Record, weight: u32) -> String {
        format!("ingress {} with canary-weight {weight}", self.canary())
    }

    fn twin(&self) -> Option<Twin<'_>> {
        Some(Twin {
            service: &self.service,
            selector: &self.selector,
            suffix: "canary",
        })
    }

    fn canary_ingress(&self) -> Option<String> {
        Some(self.canary())
    }

    fn grants(&self) -> Vec<Value> {
        let mut grants = vec![named(
            "networking.k8s.io",
            "ingresses",
            &[self.ingress.clone(), self.canary()],
            &["get", "create", "patch", "delete"],
        )];
        grants.extend(self.twin().as_ref().map(twin_grant));
        grants
    }

    fn check_free<'a>(
        &'a self,
        cluster: &'a Cluster<'a>,
        record: &'a Record,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            cluster
                .ensure_ours(
                    &cluster.ingresses,
                    &self.canary(),
                    &record.deployment,
                    "rename or remove that Ingress first",
                )
                .await
        })
    }

    fn route<'a>(
        &'a self,
        cluster: &'a Cluster<'a>,
        record: &'a Record,
        weight: u32,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if weight > 0 {
                self.set_weight(cluster, record, weight).await?;
            }
            cluster.size_canary(record, weight).await
        })
    }

    fn restore<'a>(
        &'a self,
        cluster: &'a Cluster<'a>,
        record: &'a Record,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            cluster
                .delete_ours(
                    &cluster.ingresses,
                    &self.canary(),
                    &record.deployment,
                    &DeleteParams::default(),
                )
                .await
        })
    }
}
