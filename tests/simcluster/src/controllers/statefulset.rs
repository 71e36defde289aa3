//! The StatefulSet controller: ordered pods and their claims.

use super::*;

impl Controllers {
    pub(super) fn statefulsets(&mut self, store: &mut Store) {
        let (Some(sts_rt), Some(pod_rt), Some(pvc_rt)) = (
            rt(store, "apps", "v1", "statefulsets"),
            rt(store, "", "v1", "pods"),
            rt(store, "", "v1", "persistentvolumeclaims"),
        ) else {
            return;
        };
        for sts in store.all("apps", "statefulsets") {
            let desired = sts["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
            let name = sts["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let namespace = sts["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let pods = store.all("", "pods");
            let owned = owned_by(&pods, &sts);
            let exists = |i: usize| {
                owned
                    .iter()
                    .find(|p| p["metadata"]["name"] == format!("{name}-{i}").as_str())
            };
            // Ordered: pod i only once pod i-1 is Ready.
            for i in 0..desired {
                match exists(i) {
                    Some(pod) if is_ready(pod) => continue,
                    Some(_) => break,
                    None => {
                        for claim in sts["spec"]["volumeClaimTemplates"]
                            .as_array()
                            .into_iter()
                            .flatten()
                        {
                            let claim_name = format!(
                                "{}-{name}-{i}",
                                claim["metadata"]["name"].as_str().unwrap_or_default()
                            );
                            let pvc = json!({
                                "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                                "metadata": {"name": claim_name, "namespace": namespace, "labels": sts["spec"]["selector"]["matchLabels"].clone()},
                                "spec": claim["spec"].clone()
                            });
                            let _ = store.create(&pvc_rt, &namespace, pvc, false);
                        }
                        let pod_name = format!("{name}-{i}");
                        let mut pod = new_pod(
                            &sts,
                            &sts["spec"]["template"],
                            &pod_name,
                            &json!({"statefulset.kubernetes.io/pod-name": pod_name}),
                        );
                        pod["spec"]["hostname"] = json!(pod_name);
                        let _ = store.create(&pod_rt, &namespace, pod, false);
                        break;
                    }
                }
            }
            for pod in &owned {
                let index = pod["metadata"]["name"]
                    .as_str()
                    .and_then(|n| n.rsplit('-').next())
                    .and_then(|i| i.parse::<usize>().ok());
                if index.is_some_and(|i| i >= desired) {
                    store.remove_object(
                        &pod_rt,
                        &namespace,
                        pod["metadata"]["name"].as_str().unwrap_or_default(),
                    );
                }
            }
            let pods = store.all("", "pods");
            let owned = owned_by(&pods, &sts);
            let ready = owned.iter().filter(|p| is_ready(p)).count();
            let mut sts = sts.clone();
            let revision = format!("{name}-{}", short_hash(&sts["spec"]["template"]));
            sts["status"] = json!({
                "observedGeneration": sts["metadata"]["generation"].as_i64().unwrap_or(1),
                "replicas": owned.len(), "readyReplicas": ready, "availableReplicas": ready,
                "currentReplicas": owned.len(), "updatedReplicas": owned.len(),
                "currentRevision": revision, "updateRevision": revision,
            });
            let _ = store.put(&sts_rt, sts);
        }
    }
}
