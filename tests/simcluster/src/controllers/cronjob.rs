//! The CronJob controller: Jobs on schedule, with its concurrency policy.

use super::*;

impl Controllers {
    /// CronJobs start a Job for the latest schedule time they missed (wall-clock UTC minutes;
    /// `--speed` does not compress calendars), honouring `suspend` and `concurrencyPolicy`.
    pub(super) fn cronjobs(&mut self, store: &mut Store, now: jiff::Timestamp) {
        let (Some(cron_rt), Some(job_rt)) = (
            rt(store, "batch", "v1", "cronjobs"),
            rt(store, "batch", "v1", "jobs"),
        ) else {
            return;
        };
        let parse_time = |v: &Value| v.as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok());
        for cron in store.all("batch", "cronjobs") {
            if cron["spec"]["suspend"].as_bool().unwrap_or(false) {
                continue;
            }
            let Ok(schedule) =
                crate::cron::Schedule::parse(cron["spec"]["schedule"].as_str().unwrap_or_default())
            else {
                continue;
            };
            let Some(last) = parse_time(&cron["status"]["lastScheduleTime"])
                .or_else(|| parse_time(&cron["metadata"]["creationTimestamp"]))
            else {
                continue;
            };
            let Some(when) = schedule.latest_between(last, now) else {
                continue;
            };
            let namespace = cron["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let jobs = store.all("batch", "jobs");
            let finished = |job: &Value| {
                job["status"]["conditions"].as_array().is_some_and(|c| {
                    c.iter().any(|c| {
                        (c["type"] == "Complete" || c["type"] == "Failed") && c["status"] == "True"
                    })
                })
            };
            let active: Vec<&Value> = owned_by(&jobs, &cron)
                .into_iter()
                .filter(|j| !finished(j))
                .collect();
            match cron["spec"]["concurrencyPolicy"]
                .as_str()
                .unwrap_or("Allow")
            {
                "Forbid" if !active.is_empty() => continue,
                "Replace" => {
                    for job in &active {
                        store.remove_object(
                            &job_rt,
                            &namespace,
                            job["metadata"]["name"].as_str().unwrap_or_default(),
                        );
                    }
                }
                _ => {}
            }
            let template = &cron["spec"]["jobTemplate"];
            let name = format!(
                "{}-{}",
                cron["metadata"]["name"].as_str().unwrap_or_default(),
                when.as_second() / 60
            );
            let mut job = json!({
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "labels": template["metadata"]["labels"].clone(),
                    "annotations": {"batch.kubernetes.io/cronjob-scheduled-timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()},
                    "ownerReferences": [owner_ref(&cron)],
                },
                "spec": template["spec"].clone(),
            });
            if job["metadata"]["labels"].is_null() {
                job["metadata"].as_object_mut().map(|m| m.remove("labels"));
            }
            let Ok(created) = store.create(&job_rt, &namespace, job, false) else {
                continue;
            };
            let mut cron = cron.clone();
            cron["status"]["lastScheduleTime"] =
                json!(when.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
            cron["status"]["active"] = json!([{
                "apiVersion": "batch/v1", "kind": "Job", "namespace": namespace,
                "name": created["metadata"]["name"], "uid": created["metadata"]["uid"],
            }]);
            let _ = store.put(&cron_rt, cron);
        }
    }
}
