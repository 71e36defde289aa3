//! The ReplicaSet controller: pods up or down to the replica count, admission failures in status.

use super::*;

impl Controllers {
    pub(super) fn replicasets(&mut self, store: &mut Store) {
        let (Some(rs_rt), Some(pod_rt)) = (
            rt(store, "apps", "v1", "replicasets"),
            rt(store, "", "v1", "pods"),
        ) else {
            return;
        };
        let pods = store.all("", "pods");
        for rs in store.all("apps", "replicasets") {
            let desired = rs["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
            let owned: Vec<&Value> = owned_by(&pods, &rs)
                .into_iter()
                .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
                .collect();
            let name = rs["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let namespace = rs["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            // Admission (LimitRange, quota) can refuse pods: the ReplicaSet says so, as upstream.
            let mut failure: Option<String> = None;
            if owned.len() < desired {
                for i in owned.len()..desired {
                    let seed = format!("{}{}{i}", rs["metadata"]["uid"], store.resource_version());
                    let pod_name = format!("{name}-{}", &short_hash(&json!(seed))[..5]);
                    let pod = new_pod(&rs, &rs["spec"]["template"], &pod_name, &json!({}));
                    if let Err(e) = store.create(&pod_rt, &namespace, pod, false) {
                        failure.get_or_insert(e.message.clone());
                    }
                }
            } else if owned.len() > desired {
                // Delete not-ready pods first, then the newest.
                let mut doomed: Vec<&&Value> = owned.iter().collect();
                doomed.sort_by_key(|p| {
                    (
                        is_ready(p),
                        std::cmp::Reverse(
                            p["metadata"]["creationTimestamp"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                        ),
                    )
                });
                for pod in doomed.into_iter().take(owned.len() - desired) {
                    store.remove_object(
                        &pod_rt,
                        &namespace,
                        pod["metadata"]["name"].as_str().unwrap_or_default(),
                    );
                }
            }
            let pods_now = store.all("", "pods");
            let owned = owned_by(&pods_now, &rs);
            let ready = owned.iter().filter(|p| is_ready(p)).count();
            let mut rs = rs.clone();
            rs["status"] = json!({
                "replicas": owned.len(),
                "fullyLabeledReplicas": owned.len(),
                "readyReplicas": ready,
                "availableReplicas": ready,
                "observedGeneration": rs["metadata"]["generation"].as_i64().unwrap_or(1),
            });
            if let Some(message) = failure {
                rs["status"]["conditions"] = json!([{
                    "type": "ReplicaFailure",
                    "status": "True",
                    "reason": "FailedCreate",
                    "message": message,
                    "lastTransitionTime": crate::store::now(),
                }]);
            }
            let _ = store.put(&rs_rt, rs);
        }
    }
}
