//! The simulated kubelet: pods scheduled, started, ready, crash-looping or finished.

use super::*;

impl Controllers {
    pub(super) fn kubelet(&mut self, store: &mut Store) {
        let Some(pod_rt) = rt(store, "", "v1", "pods") else {
            return;
        };
        let now_instant = Instant::now();
        for pod in store.all("", "pods") {
            let uid = pod["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let namespace = pod["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let name = pod["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if pod["metadata"]["deletionTimestamp"].is_string() {
                store.remove_object(&pod_rt, &namespace, &name);
                continue;
            }
            let phase = pod["status"]["phase"]
                .as_str()
                .unwrap_or("Pending")
                .to_owned();
            if phase == "Succeeded" || phase == "Failed" {
                continue;
            }
            let started = *self.started.entry(uid).or_insert(now_instant);
            let age = now_instant.duration_since(started);
            let mut next = pod.clone();
            if next["spec"]["nodeName"].is_null() {
                next["spec"]["nodeName"] = json!(NODES[self.next_node % NODES.len()]);
                self.next_node += 1;
            }
            let images = image_tags(&pod);
            let crashloop = images.iter().any(|i| i.ends_with("-crashloop"));
            let unready = images.iter().any(|i| i.ends_with("-unready"));
            let fail = images.iter().any(|i| i.ends_with("-fail"));
            let run_to_completion = matches!(
                pod["spec"]["restartPolicy"].as_str(),
                Some("Never" | "OnFailure")
            );
            let running = age >= self.scaled(1.0);
            let delay = pod["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["readinessProbe"]["initialDelaySeconds"].as_f64())
                .fold(0.0, f64::max);
            let ready = running && !crashloop && !unready && age >= self.scaled(1.0 + delay);
            let start_time = pod["status"]["startTime"].clone();
            let containers: Vec<Value> = pod["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| {
                    let restarts = if crashloop && running { (age.as_secs_f64() * self.speed / 10.0) as i64 + 1 } else { 0 };
                    let state = if !running {
                        json!({"waiting": {"reason": "ContainerCreating"}})
                    } else if crashloop {
                        json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off restarting failed container"}})
                    } else {
                        json!({"running": {"startedAt": start_time.as_str().map_or_else(now, str::to_owned)}})
                    };
                    json!({
                        "name": c["name"], "image": c["image"], "imageID": format!("sim://{}", c["image"].as_str().unwrap_or_default()),
                        "ready": ready, "started": running && !crashloop, "restartCount": restarts, "state": state
                    })
                })
                .collect();
            let mut status = json!({
                "phase": if running { "Running" } else { "Pending" },
                "hostIP": "10.0.0.1",
                "podIP": format!("10.244.{}.{}", fnv(&name) % 250, fnv(&namespace) % 250),
                "qosClass": "BestEffort",
                "startTime": if start_time.is_null() { json!(now()) } else { start_time },
                "conditions": [
                    {"type": "PodScheduled", "status": "True"},
                    {"type": "Initialized", "status": "True"},
                    {"type": "ContainersReady", "status": if ready { "True" } else { "False" }},
                    {"type": "Ready", "status": if ready { "True" } else { "False" }}
                ],
                "containerStatuses": containers,
            });
            if run_to_completion && age >= self.scaled(2.0) {
                status["phase"] = json!(if fail { "Failed" } else { "Succeeded" });
                status["conditions"][2]["status"] = json!("False");
                status["conditions"][3]["status"] = json!("False");
                for container in status["containerStatuses"]
                    .as_array_mut()
                    .into_iter()
                    .flatten()
                {
                    container["ready"] = json!(false);
                    container["started"] = json!(false);
                    container["state"] = json!({"terminated": {"exitCode": i32::from(fail), "reason": if fail { "Error" } else { "Completed" }}});
                }
            }
            next["status"] = status;
            for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
                let cname = c["name"].as_str().unwrap_or_default().to_owned();
                if let Some(log) = crate::kubelet::container_log(&next, &cname) {
                    store
                        .logs
                        .insert((namespace.clone(), name.clone(), cname), log);
                }
            }
            let _ = store.put(&pod_rt, next);
        }
        let live: std::collections::HashSet<String> = store
            .all("", "pods")
            .iter()
            .filter_map(|p| p["metadata"]["uid"].as_str().map(str::to_owned))
            .collect();
        self.started.retain(|uid, _| live.contains(uid));
    }
}
