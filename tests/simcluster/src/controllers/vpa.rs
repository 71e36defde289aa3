//! A VPA recommender for VerticalPodAutoscalers.

use super::*;

impl Controllers {
    /// A VPA recommender, when the VPA CRD is installed: each VerticalPodAutoscaler's
    /// `status.recommendation` from its target's pods' simulated usage (the highest per
    /// container): target = usage + 15 %, lowerBound = half, upperBound = twice.
    pub(super) fn vertical_autoscalers(&mut self, store: &mut Store) {
        let Some(vpa_rt) = rt(store, "autoscaling.k8s.io", "v1", "verticalpodautoscalers") else {
            return;
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let pods = store.all("", "pods");
        for vpa in store.all("autoscaling.k8s.io", "verticalpodautoscalers") {
            let namespace = vpa["metadata"]["namespace"].as_str().unwrap_or_default();
            let target = &vpa["spec"]["targetRef"];
            let plural = match target["kind"].as_str() {
                Some("Deployment") => "deployments",
                Some("StatefulSet") => "statefulsets",
                Some("DaemonSet") => "daemonsets",
                _ => continue,
            };
            let Some(workload) = store.all("apps", plural).into_iter().find(|w| {
                w["metadata"]["namespace"] == namespace && w["metadata"]["name"] == target["name"]
            }) else {
                continue;
            };
            let selector = &workload["spec"]["selector"]["matchLabels"];
            let mine: Vec<&Value> = pods
                .iter()
                .filter(|p| {
                    p["metadata"]["namespace"] == namespace
                        && p["status"]["phase"] == "Running"
                        && selector.as_object().is_some_and(|m| {
                            !m.is_empty() && m.iter().all(|(k, v)| p["metadata"]["labels"][k] == *v)
                        })
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            let mut recommendations = Vec::new();
            for container in workload["spec"]["template"]["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let name = container["name"].as_str().unwrap_or_default();
                let (mut cpu, mut memory) = (0i128, 0i128);
                for pod in &mine {
                    if let Some(c) = pod["spec"]["containers"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|c| c["name"] == name)
                    {
                        let (c_cpu, c_memory) = crate::metrics::usage(pod, c, now);
                        cpu = cpu.max(c_cpu);
                        memory = memory.max(c_memory);
                    }
                }
                let bound = |cpu: i128, memory: i128| json!({"cpu": format!("{}m", (cpu / 1_000_000).max(1)), "memory": format!("{}", memory.max(1))});
                recommendations.push(json!({
                    "containerName": name,
                    "target": bound(cpu * 115 / 100, memory * 115 / 100),
                    "lowerBound": bound(cpu / 2, memory / 2),
                    "upperBound": bound(cpu * 2, memory * 2),
                    "uncappedTarget": bound(cpu * 115 / 100, memory * 115 / 100),
                }));
            }
            let mut next = vpa.clone();
            let provided_since = vpa["status"]["conditions"][0]["lastTransitionTime"]
                .as_str()
                .map_or_else(crate::store::now, str::to_owned);
            next["status"] = json!({
                "recommendation": {"containerRecommendations": recommendations},
                "conditions": [{"type": "RecommendationProvided", "status": "True", "lastTransitionTime": provided_since}],
            });
            if next != vpa {
                let _ = store.put(&vpa_rt, next);
            }
        }
    }
}
