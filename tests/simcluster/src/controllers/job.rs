//! The Job controller: pods to completion, conditions and status.

use super::*;

impl Controllers {
    pub(super) fn jobs(&mut self, store: &mut Store) {
        let (Some(job_rt), Some(pod_rt)) = (
            rt(store, "batch", "v1", "jobs"),
            rt(store, "", "v1", "pods"),
        ) else {
            return;
        };
        for job in store.all("batch", "jobs") {
            if job["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter().any(|c| {
                    (c["type"] == "Complete" || c["type"] == "Failed") && c["status"] == "True"
                })
            }) {
                continue;
            }
            let name = job["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let namespace = job["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let completions = job["spec"]["completions"].as_i64().unwrap_or(1);
            let backoff_limit = job["spec"]["backoffLimit"].as_i64().unwrap_or(6);
            let pods = store.all("", "pods");
            let owned = owned_by(&pods, &job);
            let succeeded = owned
                .iter()
                .filter(|p| p["status"]["phase"] == "Succeeded")
                .count() as i64;
            let failed = owned
                .iter()
                .filter(|p| p["status"]["phase"] == "Failed")
                .count() as i64;
            let active = owned.len() as i64 - succeeded - failed;
            let mut job = job.clone();
            if job["status"]["startTime"].is_null() {
                job["status"]["startTime"] = json!(now());
            }
            job["status"]["active"] = json!(active);
            job["status"]["succeeded"] = json!(succeeded);
            job["status"]["failed"] = json!(failed);
            if succeeded >= completions {
                job["status"]["completionTime"] = json!(now());
                job["status"]["conditions"] =
                    json!([{"type": "Complete", "status": "True", "lastTransitionTime": now()}]);
                job["status"]["active"] = json!(0);
            } else if failed > backoff_limit {
                job["status"]["conditions"] = json!([{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                    "message": "Job has reached the specified backoff limit", "lastTransitionTime": now()}]);
                job["status"]["active"] = json!(0);
            } else if active == 0 {
                let seed = format!("{}{}", job["metadata"]["uid"], store.resource_version());
                let mut template = job["spec"]["template"].clone();
                template["metadata"]["labels"]["job-name"] = json!(name);
                let pod = new_pod(
                    &job,
                    &template,
                    &format!("{name}-{}", &short_hash(&json!(seed))[..5]),
                    &json!({}),
                );
                let _ = store.create(&pod_rt, &namespace, pod, false);
                job["status"]["active"] = json!(1);
            }
            let _ = store.put(&job_rt, job);
        }
    }
}
