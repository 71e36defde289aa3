//! The canary Deployment: created from the primary with the new image, sized, removed, and the
//! pods of this run its analysis reads.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
use kube::api::DeleteParams;
use serde_json::{Value, json};

use super::traffic::twin_value;
use super::{Cluster, Record, TRACK_LABEL, labels, set_image};
use crate::analysis::{self, Check};
use crate::machine;

impl Cluster<'_> {
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
        if let Some(twin) = record.traffic.strategy().twin() {
            let mut canary_selector = serde_json::Map::new();
            for (key, value) in twin.selector.as_object().into_iter().flatten() {
                let value = twin_value(value, twin.suffix);
                template["metadata"]["labels"][key] = value.clone();
                if !selector["matchLabels"][key].is_null() {
                    selector["matchLabels"][key] = value.clone();
                }
                canary_selector.insert(key.clone(), value);
            }
            let primary_service = self
                .services
                .get(twin.service)
                .await
                .map_err(|e| self.scope.explain::<Service>("get", twin.service, e))?;
            let ports = serde_json::to_value(
                primary_service
                    .spec
                    .and_then(|s| s.ports)
                    .unwrap_or_default(),
            )?;
            let name = twin.name();
            let canary_service = json!({
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {
                    "name": name,
                    "namespace": self.scope.namespace,
                    "labels": labels(&record.deployment),
                },
                "spec": {"selector": canary_selector, "ports": ports},
            });
            self.scope
                .apply(&self.services, &name, &canary_service)
                .await?;
        }
        let name = record.canary();
        let canary = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": name,
                "namespace": self.scope.namespace,
                "labels": labels(&record.deployment),
            },
            "spec": {"replicas": replicas, "selector": selector, "template": template},
        });
        self.scope.apply(&self.deployments, &name, &canary).await
    }

    /// Behind a route or a Service switch, the canary runs at full size (none at weight 0).
    pub(crate) async fn size_canary(&self, record: &Record, weight: u32) -> anyhow::Result<()> {
        let size = if weight == 0 {
            0
        } else {
            record.total_replicas
        };
        self.merge_patch_deployment(&record.canary(), json!({"spec": {"replicas": size}}))
            .await
    }

    /// Removes the canary Deployment (only ours: [`Cluster::delete_ours`]).
    pub(crate) async fn delete_canary(&self, record: &Record) -> anyhow::Result<()> {
        self.delete_ours(
            &self.deployments,
            &record.canary(),
            &record.deployment,
            &DeleteParams::background(),
        )
        .await
    }

    /// The run's checks with the canary pod pattern narrowed to the pods that exist now.
    pub async fn current_checks(&self, record: &Record) -> anyhow::Result<Vec<Check>> {
        let listed = shipshape::list::list(
            self.scope.kube,
            &kube::core::ApiResource::erase::<k8s_openapi::api::core::v1::Pod>(&()),
            Some(self.scope.namespace),
            Some(TRACK_LABEL),
        )
        .await?;
        let names = run_pods(&listed, &record.canary(), &record.container, &record.image);
        let generic = analysis::pod_pattern(&record.canary());
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
}
