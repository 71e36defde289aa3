//! The run record store: one ConfigMap `<deploy>-canary-state` per primary Deployment, its
//! `run.json` the [`Record`], its `canary.shipshape.dev/request` annotation what another
//! process asked the driver for (`abort`, `promote`).

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

use super::cluster::Scope;
use super::{REQUEST_ANNOTATION, Record, labels};

/// `web-canary-state`.
pub fn state_name(deployment: &str) -> String {
    format!("{deployment}-canary-state")
}

/// The run records of a namespace.
pub struct Store<'k> {
    scope: Scope<'k>,
    configmaps: Api<ConfigMap>,
}

impl<'k> Store<'k> {
    pub(super) fn new(scope: Scope<'k>) -> Self {
        Self {
            configmaps: scope.api(),
            scope,
        }
    }

    /// The run record, with the request annotation (abort/promote), or None.
    pub async fn record(
        &self,
        deployment: &str,
    ) -> anyhow::Result<Option<(Record, Option<String>)>> {
        let name = state_name(deployment);
        let Some(cm) = self.scope.get_opt(&self.configmaps, &name).await? else {
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
        let body = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": name,
                "namespace": self.scope.namespace,
                "labels": labels(&record.deployment),
            },
            "data": {"run.json": serde_json::to_string_pretty(record)?},
        });
        self.scope.apply(&self.configmaps, &name, &body).await?;
        if clear_request {
            self.annotate(&name, json!(null)).await?;
        }
        Ok(())
    }

    /// Asks the driver for `abort` or `promote`.
    pub async fn request(&self, deployment: &str, what: &str) -> anyhow::Result<()> {
        self.annotate(&state_name(deployment), json!(what)).await
    }

    /// Sets (or, with null, removes) the request annotation.
    async fn annotate(&self, name: &str, value: serde_json::Value) -> anyhow::Result<()> {
        let body = json!({"metadata": {"annotations": {REQUEST_ANNOTATION: value}}});
        self.configmaps
            .patch(name, &PatchParams::default(), &Patch::Merge(&body))
            .await
            .map_err(|e| self.scope.explain::<ConfigMap>("patch", name, e))?;
        Ok(())
    }
}
