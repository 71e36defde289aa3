//! The Deployment controller: ReplicaSets per template, rolling and recreate rollouts, progress.

use super::*;

impl Controllers {
    pub(super) fn deployments(&mut self, store: &mut Store) {
        let (Some(deploy_rt), Some(rs_rt)) = (
            rt(store, "apps", "v1", "deployments"),
            rt(store, "apps", "v1", "replicasets"),
        ) else {
            return;
        };
        let all_rs = store.all("apps", "replicasets");
        for deploy in store.all("apps", "deployments") {
            if deploy["metadata"]["deletionTimestamp"].is_string() {
                continue;
            }
            let desired = deploy["spec"]["replicas"].as_i64().unwrap_or(1);
            let template = &deploy["spec"]["template"];
            let hash = short_hash(template);
            let name = deploy["metadata"]["name"].as_str().unwrap_or_default();
            let namespace = deploy["metadata"]["namespace"].as_str().unwrap_or_default();
            let owned = owned_by(&all_rs, &deploy);
            let revision = |rs: &Value| -> i64 {
                rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                    .as_str()
                    .and_then(|r| r.parse().ok())
                    .unwrap_or(0)
            };
            let max_revision = owned.iter().map(|rs| revision(rs)).max().unwrap_or(0);
            let current = owned
                .iter()
                .find(|rs| rs["metadata"]["labels"]["pod-template-hash"] == hash.as_str());
            let paused = deploy["spec"]["paused"].as_bool().unwrap_or(false);
            let (surge, unavailable) = rolling_limits(&deploy["spec"]["strategy"], desired);
            let recreate = deploy["spec"]["strategy"]["type"] == "Recreate";
            let old: Vec<&&Value> = owned
                .iter()
                .filter(|rs| rs["metadata"]["labels"]["pod-template-hash"] != hash.as_str())
                .collect();
            let old_replicas: i64 = old.iter().map(|rs| int(&rs["spec"]["replicas"])).sum();
            let old_pods: i64 = old.iter().map(|rs| int(&rs["status"]["replicas"])).sum();
            let new_rs = match current {
                Some(rs) => (*rs).clone(),
                None if paused => continue,
                None => {
                    let mut template = template.clone();
                    template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
                    let mut selector = deploy["spec"]["selector"].clone();
                    selector["matchLabels"]["pod-template-hash"] = json!(hash);
                    json!({
                        "apiVersion": "apps/v1",
                        "kind": "ReplicaSet",
                        "metadata": {
                            "name": format!("{name}-{hash}"),
                            "namespace": namespace,
                            "labels": template["metadata"]["labels"].clone(),
                            "annotations": {
                                "deployment.kubernetes.io/revision": (max_revision + 1).to_string(),
                                "deployment.kubernetes.io/desired-replicas": desired.to_string(),
                            },
                            "ownerReferences": [owner_ref(&deploy)],
                        },
                        "spec": {"replicas": 0, "selector": selector, "template": template},
                    })
                }
            };
            let mut new_rs = new_rs;
            // A rollback to an old template makes its ReplicaSet the newest revision again.
            if revision(&new_rs) < max_revision && !old.is_empty() {
                new_rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] =
                    json!((max_revision + 1).to_string());
            }
            let new_replicas = int(&new_rs["spec"]["replicas"]);
            if !paused {
                // Scale the new ReplicaSet up: Recreate waits for the old pods to be gone;
                // RollingUpdate stays within desired + maxSurge pods.
                let target = if recreate {
                    if old_pods == 0 { desired } else { 0 }
                } else if old_replicas == 0 {
                    desired
                } else {
                    (desired + surge - old_replicas).clamp(new_replicas.min(desired), desired)
                };
                new_rs["spec"]["replicas"] = json!(target);
                new_rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] =
                    json!(desired.to_string());
            }
            let Ok(new_rs) = store.put(&rs_rt, new_rs) else {
                continue;
            };
            let new_available = int(&new_rs["status"]["availableReplicas"]);
            if !paused {
                // Scale the old ReplicaSets down, oldest first: all at once for Recreate,
                // otherwise while at least desired - maxUnavailable pods stay available.
                let available_now: i64 = new_available
                    + old
                        .iter()
                        .map(|rs| int(&rs["status"]["availableReplicas"]))
                        .sum::<i64>();
                let mut removable = if recreate {
                    i64::MAX
                } else {
                    (available_now - (desired - unavailable)).max(0)
                };
                let mut by_age: Vec<&&&Value> = old.iter().collect();
                by_age.sort_by_key(|rs| revision(rs));
                for rs in by_age {
                    let replicas = int(&rs["spec"]["replicas"]);
                    // Pods that are not available can always go.
                    let unhealthy = (int(&rs["status"]["replicas"])
                        - int(&rs["status"]["availableReplicas"]))
                    .max(0);
                    let cut = replicas.min(removable.saturating_add(unhealthy));
                    if cut > 0 {
                        let mut scaled = (**rs).clone();
                        scaled["spec"]["replicas"] = json!(replicas - cut);
                        let _ = store.put(&rs_rt, scaled);
                        removable = (removable - (cut - unhealthy.min(cut))).max(0);
                    }
                }
            }
            let mut total = 0;
            let mut ready = 0;
            let mut available = 0;
            for rs in &old {
                total += int(&rs["status"]["replicas"]);
                ready += int(&rs["status"]["readyReplicas"]);
                available += int(&rs["status"]["availableReplicas"]);
            }
            let updated = new_rs["status"]["replicas"].as_i64().unwrap_or(0);
            total += updated;
            ready += new_rs["status"]["readyReplicas"].as_i64().unwrap_or(0);
            available += new_available;
            let mut deploy = deploy.clone();
            let revision =
                new_rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"].clone();
            deploy["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = revision;
            let complete = updated == desired && available >= desired && total == desired;
            let old_conditions = deploy["status"]["conditions"].clone();
            let transition = |kind: &str, status: &str| {
                old_conditions
                    .as_array()
                    .and_then(|c| {
                        c.iter()
                            .find(|c| c["type"] == kind && c["status"] == status)
                    })
                    .map_or_else(|| json!(now()), |c| c["lastTransitionTime"].clone())
            };
            let (_, max_unavailable) = rolling_limits(&deploy["spec"]["strategy"], desired);
            let available_ok = available >= desired - max_unavailable;
            // ProgressDeadlineExceeded when the rollout has not moved for progressDeadlineSeconds.
            let uid = deploy["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let state = format!(
                "{total}/{updated}/{ready}/{available}/{}",
                deploy["metadata"]["generation"]
            );
            let deadline = self.scaled(
                deploy["spec"]["progressDeadlineSeconds"]
                    .as_f64()
                    .unwrap_or(600.0),
            );
            let entry = self
                .progress
                .entry(uid)
                .or_insert_with(|| (state.clone(), Instant::now()));
            if entry.0 != state {
                *entry = (state, Instant::now());
            }
            let stalled = !complete && !paused && entry.1.elapsed() > deadline;
            let rs_name = new_rs["metadata"]["name"].as_str().unwrap_or_default();
            let (progressing, reason, message) = if stalled {
                (
                    "False",
                    "ProgressDeadlineExceeded",
                    format!("ReplicaSet \"{rs_name}\" has timed out progressing."),
                )
            } else if complete {
                (
                    "True",
                    "NewReplicaSetAvailable",
                    format!("ReplicaSet \"{rs_name}\" has successfully progressed."),
                )
            } else {
                (
                    "True",
                    "ReplicaSetUpdated",
                    format!("ReplicaSet \"{rs_name}\" is progressing."),
                )
            };
            let mut status = json!({
                "observedGeneration": deploy["metadata"]["generation"].as_i64().unwrap_or(1),
                "replicas": total,
                "updatedReplicas": updated,
                "readyReplicas": ready,
                "availableReplicas": available,
                "conditions": [
                    {"type": "Available", "status": if available_ok { "True" } else { "False" },
                     "reason": if available_ok { "MinimumReplicasAvailable" } else { "MinimumReplicasUnavailable" },
                     "message": if available_ok { "Deployment has minimum availability." } else { "Deployment does not have minimum availability." },
                     "lastTransitionTime": transition("Available", if available_ok { "True" } else { "False" }),
                     "lastUpdateTime": transition("Available", if available_ok { "True" } else { "False" })},
                    {"type": "Progressing", "status": progressing, "reason": reason, "message": message,
                     "lastTransitionTime": transition("Progressing", progressing),
                     "lastUpdateTime": transition("Progressing", progressing)}
                ]
            });
            if total - available > 0 {
                status["unavailableReplicas"] = json!(total - available);
            }
            deploy["status"] = status;
            let _ = store.put(&deploy_rt, deploy);
        }
    }
}
