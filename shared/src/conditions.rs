//! Typed wait conditions on the kinds the plugins wait for, decided as kubectl and the
//! controllers decide them (in the manner of kube-runtime's `wait::conditions`): read from the
//! objects' own types, not from JSON lookups.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::PersistentVolumeClaim;

use crate::wait::Check;

/// Whether a Deployment's rollout is complete, as `kubectl rollout status` decides it: the new
/// generation observed, every replica updated, no old replica left, every updated one
/// available. Pending says where the rollout is.
pub fn rolled_out(d: &Deployment) -> Check<()> {
    let wanted = d.spec.replicas.unwrap_or(1);
    let status = d.status.clone().unwrap_or_default();
    let generation = d.metadata.generation.unwrap_or(0);
    let updated = status.updated_replicas.unwrap_or(0);
    let replicas = status.replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    if status.observed_generation.unwrap_or(0) < generation {
        return Check::Pending("waiting for the rollout to be observed".into());
    }
    if updated < wanted {
        return Check::Pending(format!("{updated} of {wanted} updated replicas"));
    }
    if replicas > updated {
        return Check::Pending(format!(
            "{} old replicas pending termination",
            replicas - updated
        ));
    }
    if available < updated {
        return Check::Pending(format!(
            "{available} of {updated} updated replicas available"
        ));
    }
    Check::Done(())
}

/// A Deployment that asked for replicas has them all updated and available in its current
/// generation.
pub fn available(d: &Deployment) -> bool {
    let wanted = d.spec.replicas.unwrap_or(1);
    let status = d.status.clone().unwrap_or_default();
    wanted > 0
        && status.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
        && status.available_replicas.unwrap_or(0) >= wanted
        && status.updated_replicas.unwrap_or(0) >= wanted
}

/// The message of a Deployment whose rollout stopped progressing (`Progressing=False` with
/// `ProgressDeadlineExceeded`), if it did.
pub fn progress_deadline_exceeded(d: &Deployment) -> Option<String> {
    let conditions = d.status.as_ref()?.conditions.as_ref()?;
    conditions
        .iter()
        .find(|c| {
            c.type_.as_deref() == Some("Progressing")
                && c.status.as_deref() == Some("False")
                && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
        })
        .map(|c| {
            c.message
                .clone()
                .unwrap_or_else(|| "progress deadline exceeded".into())
        })
}

/// Whether a Deployment has every wanted replica ready, and `ready/wanted`.
pub fn deployment_ready(d: &Deployment) -> (bool, String) {
    let wanted = d.spec.replicas.unwrap_or(1);
    let ready = d
        .status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    (ready >= wanted, format!("{ready}/{wanted} ready"))
}

/// Whether a StatefulSet has every wanted replica ready, and `ready/wanted`.
pub fn stateful_set_ready(s: &StatefulSet) -> (bool, String) {
    let wanted = s.spec.replicas.unwrap_or(1);
    let ready = s
        .status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    (ready >= wanted, format!("{ready}/{wanted} ready"))
}

/// Whether a DaemonSet has a ready pod on every node it schedules to, and `ready/desired`.
pub fn daemon_set_ready(d: &DaemonSet) -> (bool, String) {
    let status = d.status.clone().unwrap_or_default();
    let (want, have) = (status.desired_number_scheduled, status.number_ready);
    (have >= want, format!("{have}/{want} ready"))
}

/// Whether a claim is Bound, and its phase.
pub fn claim_bound(c: &PersistentVolumeClaim) -> (bool, String) {
    let phase = c
        .status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_else(|| "Pending".into());
    (phase == "Bound", phase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(value: serde_json::Value) -> Deployment {
        serde_json::from_value(value).expect("a Deployment")
    }

    #[test]
    fn a_rollout_is_done_when_observed_updated_and_available() {
        let d = |observed: i64, updated: i64, replicas: i64, available: i64| {
            deployment(json!({
                "metadata": {"name": "web", "generation": 2},
                "spec": {"replicas": 3, "selector": {}, "template": {}},
                "status": {"observedGeneration": observed, "updatedReplicas": updated,
                           "replicas": replicas, "availableReplicas": available},
            }))
        };
        assert_eq!(
            rolled_out(&d(1, 3, 3, 3)),
            Check::Pending("waiting for the rollout to be observed".into())
        );
        assert_eq!(
            rolled_out(&d(2, 2, 3, 3)),
            Check::Pending("2 of 3 updated replicas".into())
        );
        assert_eq!(
            rolled_out(&d(2, 3, 4, 3)),
            Check::Pending("1 old replicas pending termination".into())
        );
        assert_eq!(
            rolled_out(&d(2, 3, 3, 2)),
            Check::Pending("2 of 3 updated replicas available".into())
        );
        assert_eq!(rolled_out(&d(2, 3, 3, 3)), Check::Done(()));
        assert!(available(&d(2, 3, 3, 3)));
        assert!(!available(&d(1, 3, 3, 3)));
    }

    #[test]
    fn readiness_of_each_kind() {
        let d = deployment(json!({"metadata": {"name": "a"},
            "spec": {"replicas": 2, "selector": {}, "template": {}}, "status": {"readyReplicas": 1}}));
        assert_eq!(deployment_ready(&d), (false, "1/2 ready".into()));
        let ds: DaemonSet = serde_json::from_value(json!({"metadata": {"name": "a"},
            "status": {"desiredNumberScheduled": 3, "numberReady": 3, "currentNumberScheduled": 3, "numberMisscheduled": 0}}))
        .expect("a DaemonSet");
        assert_eq!(daemon_set_ready(&ds), (true, "3/3 ready".into()));
        let pvc: PersistentVolumeClaim =
            serde_json::from_value(json!({"metadata": {"name": "a"}})).expect("a claim");
        assert_eq!(claim_bound(&pvc), (false, "Pending".into()));
        let stalled = deployment(json!({"metadata": {"name": "a"},
            "spec": {"selector": {}, "template": {}},
            "status": {"conditions": [{"type": "Progressing", "status": "False",
                "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet \"a-1\" has timed out progressing."}]}}));
        assert_eq!(
            progress_deadline_exceeded(&stalled).as_deref(),
            Some("ReplicaSet \"a-1\" has timed out progressing.")
        );
    }
}
