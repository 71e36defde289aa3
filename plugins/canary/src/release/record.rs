//! The run record: everything a run needs to continue, as kept in the cluster by
//! [`super::store`].

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::traffic::Traffic;
use super::{now, now_clock, progress};
use crate::analysis::Check;
use crate::machine::{Config, State};
use crate::webhooks;

/// One event of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub time: String,
    pub message: String,
}

/// Everything a run needs to continue, as recorded in the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub deployment: String,
    pub namespace: String,
    pub container: String,
    pub image: String,
    pub config: Config,
    pub interval_seconds: u64,
    pub checks: Vec<Check>,
    pub prometheus: String,
    /// The primary's replicas before the canary (kept constant across both).
    pub total_replicas: i64,
    /// The primary's pod template before the canary, for rollbacks.
    pub original_template: Value,
    pub state: State,
    pub started: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    pub events: Vec<Event>,
    /// Earlier runs: (started, image, phase, reason).
    #[serde(default)]
    pub history: Vec<Value>,
    #[serde(default)]
    pub webhooks: Vec<webhooks::Webhook>,
    /// How traffic reaches the canary.
    #[serde(default)]
    pub traffic: Traffic,
    #[serde(default = "ten")]
    pub webhook_timeout_seconds: u64,
    /// `--canary-name`: the canary (or preview) Deployment's name, when not the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_name: Option<String>,
}

fn ten() -> u64 {
    10
}

/// How many earlier runs a record keeps in its history.
pub const HISTORY_KEPT: usize = 50;

impl Record {
    /// Calls the webhooks of a kind: each one's URL and outcome.
    pub async fn call_hooks(&self, kind: webhooks::Kind) -> Vec<(String, Result<(), String>)> {
        let mut results = Vec::new();
        for hook in self.webhooks.iter().filter(|h| h.kind == kind) {
            let payload = webhooks::payload(
                kind,
                &self.deployment,
                &self.namespace,
                &format!("{:?}", self.state.phase),
                &self.image,
            );
            let outcome = webhooks::call(
                hook,
                &payload,
                Duration::from_secs(self.webhook_timeout_seconds),
            )
            .await;
            results.push((hook.url.clone(), outcome));
        }
        results
    }

    /// This run as a history entry: started, finished, image, phase, reason and steps.
    pub fn summary(&self) -> Value {
        json!({"started": self.started, "finished": self.finished, "image": self.image, "phase": self.state.phase, "reason": self.state.reason, "steps": self.state.step})
    }

    /// The history of the run after this one: this one's history and this run, the newest
    /// [`HISTORY_KEPT`] (new runs are appended, so the oldest are dropped).
    pub fn next_history(&self) -> Vec<Value> {
        let mut history = self.history.clone();
        history.push(self.summary());
        let excess = history.len().saturating_sub(HISTORY_KEPT);
        history.drain(..excess);
        history
    }

    /// Records (and prints) an event.
    pub fn event(&mut self, message: impl Into<String>) {
        let message = message.into();
        let line = format!("{} {message}", now_clock());
        match progress::bar() {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
        self.events.push(Event {
            time: now(),
            message,
        });
    }

    /// How a weight is carried out: `2 canary / 2 primary pods`, or the route's weights.
    pub fn weight_means(&self, weight: u32) -> String {
        self.traffic.strategy().means(self, weight)
    }

    /// The canary Deployment's name.
    pub fn canary(&self) -> String {
        match &self.canary_name {
            Some(name) => name.clone(),
            None => format!(
                "{}-{}",
                self.deployment,
                self.traffic.strategy().canary_suffix()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(history: Vec<Value>) -> Record {
        serde_json::from_value(json!({
            "deployment": "web", "namespace": "shop", "container": "web", "image": "web:1.1",
            "config": {"stepWeight": 10, "maxWeight": 50, "threshold": 5, "onNoData": "fail", "manualGate": false},
            "intervalSeconds": 30, "checks": [], "prometheus": "http://p:9090", "totalReplicas": 4,
            "originalTemplate": {}, "state": {"phase": "Succeeded", "weight": 50, "step": 5, "failedChecks": 0, "lastChecks": []},
            "started": "2026-11-22T07:00:00Z", "events": [], "history": history
        }))
        .expect("record")
    }

    #[test]
    fn history_keeps_the_newest_runs() {
        let short = record(vec![json!({"image": "web:1.0"})]).next_history();
        assert_eq!(short.len(), 2);
        assert_eq!(short[1]["image"], "web:1.1");
        assert_eq!(short[1]["steps"], 5);
        let full: Vec<Value> = (0..HISTORY_KEPT)
            .map(|i| json!({"image": format!("web:0.{i}")}))
            .collect();
        let next = record(full).next_history();
        assert_eq!(next.len(), HISTORY_KEPT);
        assert_eq!(next[0]["image"], "web:0.1", "the oldest run is dropped");
        assert_eq!(
            next[HISTORY_KEPT - 2]["image"],
            format!("web:0.{}", HISTORY_KEPT - 1)
        );
        assert_eq!(
            next[HISTORY_KEPT - 1]["image"],
            "web:1.1",
            "the newest run is kept"
        );
    }

    #[test]
    fn records_of_every_traffic_mode_read_back_as_written() {
        // The record outlives the CLI that wrote it: a run started by one version is resumed
        // by the next, so the `traffic` field's shape is fixed.
        for traffic in [
            json!({"mode": "replicas"}),
            json!({"mode": "gatewayApi", "route": "shop", "rule": 1, "original": [{"name": "web"}],
                "service": "web", "selector": {"app": "web"}, "istio": false}),
            json!({"mode": "nginx", "ingress": "shop", "service": "web", "selector": {"app": "web"}}),
            json!({"mode": "blueGreen", "service": "web", "selector": {"app": "web"},
                "scale_down_delay_seconds": 30}),
        ] {
            let mut value = serde_json::to_value(record(vec![])).expect("serializes");
            value["traffic"] = traffic.clone();
            let read: Record = serde_json::from_value(value).expect("reads");
            assert_eq!(
                serde_json::to_value(&read.traffic).expect("serializes"),
                traffic
            );
        }
        // Records written before Istio was a mode have no `istio` field.
        let mut value = serde_json::to_value(record(vec![])).expect("serializes");
        value["traffic"] = json!({"mode": "gatewayApi", "route": "shop", "rule": 0,
            "original": [], "service": "web", "selector": {}});
        let read: Record = serde_json::from_value(value).expect("reads");
        assert_eq!(read.canary(), "web-canary");
    }
}
