//! `--strategy blue-green --active-service SERVICE`: a full-size preview Deployment behind a
//! preview Service takes no traffic while it is analysed; promotion switches the active
//! Service to it in one patch, updates the primary while it serves nothing (after the
//! scale-down delay), switches the Service back and removes the preview — the Deployment keeps
//! its name.

use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Strategy, Traffic, Twin, twin_grant, twin_value};
use crate::release::{Cluster, Record, now_clock};

/// The recorded blue-green setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlueGreen {
    /// The active Service and its selector before the release.
    pub service: String,
    pub selector: Value,
    pub scale_down_delay_seconds: u64,
}

/// The setup: the active Service and its selector.
pub async fn discover(
    cluster: &Cluster<'_>,
    service: &str,
    delay: Duration,
) -> anyhow::Result<Traffic> {
    let selector = cluster.service_selector(service).await?.ok_or_else(|| {
        shipshape::UsageError(format!(
            "service \"{service}\" not found in namespace \"{}\"",
            cluster.scope.namespace
        ))
    })?;
    Ok(Traffic::BlueGreen(BlueGreen {
        service: service.to_owned(),
        selector,
        scale_down_delay_seconds: delay.as_secs(),
    }))
}

impl Strategy for BlueGreen {
    fn means(&self, record: &Record, _weight: u32) -> String {
        format!(
            "a preview of {} pods behind service {service}-preview; service {service} unchanged",
            record.total_replicas,
            service = self.service
        )
    }

    fn twin(&self) -> Option<Twin<'_>> {
        Some(Twin {
            service: &self.service,
            selector: &self.selector,
            suffix: "preview",
        })
    }

    fn canary_suffix(&self) -> &'static str {
        "preview"
    }

    fn grants(&self) -> Vec<Value> {
        self.twin().as_ref().map(twin_grant).into_iter().collect()
    }

    /// The preview takes no traffic until promotion: it only runs, at full size.
    fn route<'a>(
        &'a self,
        cluster: &'a Cluster<'a>,
        record: &'a Record,
        weight: u32,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(cluster.size_canary(record, weight))
    }

    /// The active Service selects the primary's pods again.
    fn restore<'a>(
        &'a self,
        cluster: &'a Cluster<'a>,
        _record: &'a Record,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(cluster.select(&self.service, &self.selector))
    }

    fn promote<'a>(
        &'a self,
        cluster: &'a Cluster<'a>,
        record: &'a Record,
        timeout: Duration,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let preview: serde_json::Map<String, Value> = self
                .selector
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), twin_value(v, "preview")))
                .collect();
            cluster
                .select(&self.service, &Value::Object(preview))
                .await?;
            eprintln!(
                "{} switched service/{} to the preview; scaling the old version down in {}s",
                now_clock(),
                self.service,
                self.scale_down_delay_seconds
            );
            tokio::time::sleep(Duration::from_secs(self.scale_down_delay_seconds)).await;
            cluster.update_primary(record, timeout).await?;
            // Switches the Service back (restore selects the recorded selector again) and
            // removes the preview Service.
            cluster.restore_route(record).await?;
            cluster.delete_canary(record).await
        })
    }
}
