//! The disruption controller: PodDisruptionBudget status.

use super::*;

impl Controllers {
    pub(super) fn disruption_budgets(&mut self, store: &mut Store) {
        let Some(pdb_rt) = rt(store, "policy", "v1", "poddisruptionbudgets") else {
            return;
        };
        let pods = store.all("", "pods");
        for pdb in store.all("policy", "poddisruptionbudgets") {
            let namespace = pdb["metadata"]["namespace"].as_str().unwrap_or_default();
            let selector = LabelSelector::from_object(&pdb["spec"]["selector"]);
            let selected: Vec<&Value> = pods
                .iter()
                .filter(|p| {
                    p["metadata"]["namespace"] == namespace
                        && selector.matches(&p["metadata"]["labels"])
                })
                .collect();
            let expected = selected.len() as i64;
            let healthy = selected.iter().filter(|p| is_ready(p)).count() as i64;
            let resolve = |v: &Value| -> Option<i64> {
                match v {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s
                        .strip_suffix('%')
                        .and_then(|p| p.parse::<i64>().ok())
                        .map(|p| (p * expected + 99) / 100),
                    _ => None,
                }
            };
            let desired = match (
                resolve(&pdb["spec"]["minAvailable"]),
                resolve(&pdb["spec"]["maxUnavailable"]),
            ) {
                (Some(min), _) => min,
                (None, Some(max)) => (expected - max).max(0),
                (None, None) => expected,
            };
            let allowed = (healthy - desired).max(0);
            let mut pdb = pdb.clone();
            pdb["status"] = json!({
                "observedGeneration": pdb["metadata"]["generation"].as_i64().unwrap_or(1),
                "currentHealthy": healthy, "desiredHealthy": desired, "expectedPods": expected,
                "disruptionsAllowed": allowed,
                "conditions": [{"type": "DisruptionAllowed", "status": if allowed > 0 { "True" } else { "False" },
                                "reason": if allowed > 0 { "SufficientPods" } else { "InsufficientPods" }}]
            });
            let _ = store.put(&pdb_rt, pdb);
        }
    }
}
