//! The DaemonSet controller: one pod per simulated node.

use super::*;

impl Controllers {
    pub(super) fn daemonsets(&mut self, store: &mut Store) {
        let (Some(ds_rt), Some(pod_rt)) = (
            rt(store, "apps", "v1", "daemonsets"),
            rt(store, "", "v1", "pods"),
        ) else {
            return;
        };
        for ds in store.all("apps", "daemonsets") {
            let name = ds["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let namespace = ds["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let pods = store.all("", "pods");
            let owned = owned_by(&pods, &ds);
            for node in NODES {
                if !owned.iter().any(|p| p["spec"]["nodeName"] == node) {
                    let mut pod = new_pod(
                        &ds,
                        &ds["spec"]["template"],
                        &format!("{name}-{}", &short_hash(&json!(node))[..5]),
                        &json!({}),
                    );
                    pod["spec"]["nodeName"] = json!(node);
                    let _ = store.create(&pod_rt, &namespace, pod, false);
                }
            }
            let pods = store.all("", "pods");
            let owned = owned_by(&pods, &ds);
            let ready = owned.iter().filter(|p| is_ready(p)).count();
            let mut ds = ds.clone();
            ds["status"] = json!({
                "observedGeneration": ds["metadata"]["generation"].as_i64().unwrap_or(1),
                "desiredNumberScheduled": NODES.len(), "currentNumberScheduled": owned.len(),
                "updatedNumberScheduled": owned.len(), "numberReady": ready, "numberAvailable": ready,
                "numberMisscheduled": 0,
            });
            let _ = store.put(&ds_rt, ds);
        }
    }
}
