//! What a kubelet would serve for a simulated pod: its containers' logs, derived from the pod's
//! status alone, so simcluster's own pods and a real control plane's KWOK pods (whose fake
//! kubelets serve nothing) log alike.

use serde_json::Value;

/// The log of `container` in `pod` so far, or `None` while it has not started (the kubelet's
/// `waiting to start` answer). A container logs that it started on its node, then that it
/// crash-loops (`-crashloop` images), exited with its code, or completed.
pub fn container_log(pod: &Value, container: &str) -> Option<String> {
    let status = pod["status"]["containerStatuses"]
        .as_array()?
        .iter()
        .find(|s| s["name"] == container)?;
    let state = &status["state"];
    let waiting = state["waiting"]["reason"].as_str();
    if !(state["running"].is_object()
        || state["terminated"].is_object()
        || waiting == Some("CrashLoopBackOff"))
    {
        return None;
    }
    let image = pod["spec"]["containers"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == container))
        .and_then(|c| c["image"].as_str())
        .or_else(|| status["image"].as_str())
        .unwrap_or_default();
    let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
    let mut log = format!("simcluster: started {image} on {node}\n");
    if let Some(code) = state["terminated"]["exitCode"].as_i64() {
        if code == 0 {
            log.push_str(&format!("simcluster: {image} completed\n"));
        } else {
            let why = if image.ends_with("-fail") {
                " (image tag ends in -fail)"
            } else {
                ""
            };
            log.push_str(&format!(
                "simcluster: {image} exited with code {code}{why}\n"
            ));
        }
    } else if waiting == Some("CrashLoopBackOff") {
        log.push_str(&format!(
            "simcluster: {image} crashed (image tag ends in -crashloop)\n"
        ));
    }
    Some(log)
}

/// The last `lines` lines of `log` (`tailLines`), or all of it.
pub fn tail(log: &str, lines: Option<usize>) -> String {
    match lines {
        Some(n) => {
            let all: Vec<&str> = log.lines().collect();
            let start = all.len().saturating_sub(n);
            all[start..].iter().map(|l| format!("{l}\n")).collect()
        }
        None => log.to_owned(),
    }
}

/// The kubelet's error for a container that has not started.
pub fn waiting(pod: &str, container: &str) -> String {
    format!("container \"{container}\" in pod \"{pod}\" is waiting to start: ContainerCreating")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(state: Value) -> Value {
        json!({
            "spec": {"nodeName": "kwok-node-0", "containers": [{"name": "smoke", "image": "smoke:1-fail"}]},
            "status": {"containerStatuses": [{"name": "smoke", "state": state}]}
        })
    }

    #[test]
    fn logs_follow_the_container_state() {
        assert_eq!(
            container_log(
                &pod(json!({"waiting": {"reason": "ContainerCreating"}})),
                "smoke"
            ),
            None
        );
        assert_eq!(
            container_log(&pod(json!({"running": {}})), "smoke").as_deref(),
            Some("simcluster: started smoke:1-fail on kwok-node-0\n")
        );
        assert_eq!(
            container_log(&pod(json!({"terminated": {"exitCode": 1}})), "smoke").as_deref(),
            Some(
                "simcluster: started smoke:1-fail on kwok-node-0\nsimcluster: smoke:1-fail exited with code 1 (image tag ends in -fail)\n"
            )
        );
        assert_eq!(container_log(&pod(json!({"running": {}})), "other"), None);
        assert_eq!(tail("a\nb\nc\n", Some(2)), "b\nc\n");
        assert_eq!(tail("a\nb\n", None), "a\nb\n");
    }
}
