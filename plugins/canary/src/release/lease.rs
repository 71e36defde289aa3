//! The run's lease: a Lease `<deploy>-canary` names the process driving the run. A second
//! driver is refused while the lease is fresh — unless its holder is a process on this machine
//! that no longer runs (a driver killed with SIGKILL), whose lease need not be waited out.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Api, DeleteParams, PostParams};
use serde_json::json;

use super::CANARY_OF_LABEL;
use super::cluster::Scope;

/// The Lease's name: `web-canary`.
fn lease_name(deployment: &str) -> String {
    format!("{deployment}-canary")
}

/// The leases of a namespace's runs.
pub struct Leases<'k> {
    scope: Scope<'k>,
    leases: Api<Lease>,
}

impl<'k> Leases<'k> {
    pub(super) fn new(scope: Scope<'k>) -> Self {
        Self {
            leases: scope.api(),
            scope,
        }
    }

    /// Takes (or renews) the run's lease; Err names the holder when another live driver has it.
    pub async fn take(
        &self,
        deployment: &str,
        identity: &str,
        duration: Duration,
    ) -> anyhow::Result<()> {
        let name = lease_name(deployment);
        let now = jiff::Timestamp::now();
        let body = json!({
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": name, "namespace": self.scope.namespace, "labels": {CANARY_OF_LABEL: deployment}},
            "spec": {
                "holderIdentity": identity,
                "leaseDurationSeconds": duration.as_secs().max(1),
                "renewTime": now.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            },
        });
        if let Some(current) = self.scope.get_opt(&self.leases, &name).await? {
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
                .map_err(|e| self.scope.explain::<Lease>("update", &name, e))?;
        } else {
            let lease: Lease = serde_json::from_value(body)?;
            self.leases
                .create(&PostParams::default(), &lease)
                .await
                .map_err(|e| self.scope.explain::<Lease>("create", &name, e))?;
        }
        Ok(())
    }

    /// Whether a live driver holds the lease.
    pub async fn driven(&self, deployment: &str) -> anyhow::Result<bool> {
        Ok(self.holder(deployment).await?.is_some())
    }

    /// The identity of the live driver holding the lease, if any.
    pub async fn holder(&self, deployment: &str) -> anyhow::Result<Option<String>> {
        let name = lease_name(deployment);
        let Some(lease) = self.scope.get_opt(&self.leases, &name).await? else {
            return Ok(None);
        };
        let spec = lease.spec.unwrap_or_default();
        let renewed = spec.renew_time.map(|t| t.0.as_second()).unwrap_or_default();
        let live = renewed + i64::from(spec.lease_duration_seconds.unwrap_or_default())
            > jiff::Timestamp::now().as_second();
        Ok(live.then(|| spec.holder_identity.unwrap_or_default()))
    }

    /// Gives the lease up (the run continues elsewhere, or has ended).
    pub async fn give_up(&self, deployment: &str) -> anyhow::Result<()> {
        let name = lease_name(deployment);
        match self.leases.delete(&name, &DeleteParams::default()).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            Err(e) => Err(self.scope.explain::<Lease>("delete", &name, e)),
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
