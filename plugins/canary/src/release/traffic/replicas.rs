//! `--traffic replicas`: no mesh. Canary and primary pods behind the same Service, in
//! proportion to the weight, the total kept constant — with N replicas each canary pod is
//! 100/N %, so small Deployments move in coarse steps.

use futures_util::future::BoxFuture;
use serde_json::json;

use super::Strategy;
use crate::release::{Cluster, Record, split};

/// The replicas strategy (it keeps no state of its own).
pub struct Replicas;

impl Strategy for Replicas {
    fn means(&self, record: &Record, weight: u32) -> String {
        let (canary, primary) = split(record.total_replicas, weight);
        format!("{canary} canary / {primary} primary pods")
    }

    fn route<'a>(
        &'a self,
        cluster: &'a Cluster<'a>,
        record: &'a Record,
        weight: u32,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let (canary, primary) = if weight == 0 {
                (0, record.total_replicas)
            } else {
                split(record.total_replicas, weight)
            };
            cluster
                .merge_patch_deployment(&record.canary(), json!({"spec": {"replicas": canary}}))
                .await?;
            cluster
                .merge_patch_deployment(&record.deployment, json!({"spec": {"replicas": primary}}))
                .await
        })
    }
}
