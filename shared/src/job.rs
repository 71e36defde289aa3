//! Running a Job to its end, as `kubectl canary migrate` and `kubectl drtest run`'s smoke test
//! do: apply it, wait for its Complete or Failed condition, read its pods' logs.

use k8s_openapi::api::batch::v1::Job as JobObject;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::core::ApiResource;

use crate::apply::Applier;
use crate::wait::{Check, Wait};
use crate::{ApiCall, Kube};

/// An applied Job.
pub struct Job<'k> {
    kube: &'k Kube,
    /// The Job's name.
    pub name: String,
    /// Its namespace (the manifest's, or the context's).
    pub namespace: String,
}

/// One pod's log, or why it could not be read.
pub type PodLog = (String, Result<String, String>);

impl<'k> Job<'k> {
    /// Applies a Job manifest.
    pub async fn apply(
        kube: &'k Kube,
        applier: &Applier<'_>,
        manifest: &serde_json::Value,
    ) -> anyhow::Result<Self> {
        let applied = applier.apply(manifest).await?;
        Ok(Self {
            kube,
            name: manifest["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            namespace: applied.namespace.unwrap_or_else(|| kube.namespace.clone()),
        })
    }

    fn call(&self, verb: &'static str, resource: &str) -> ApiCall {
        ApiCall::new(verb, resource).in_namespace(self.namespace.clone())
    }

    /// Waits for the Job to end: true when it completed, false when it failed. A timeout is
    /// `wait`'s [`crate::wait::WaitError::TimedOut`].
    pub async fn finished(&self, wait: &Wait) -> anyhow::Result<bool> {
        let jobs: Api<JobObject> = Api::namespaced(self.kube.client.clone(), &self.namespace);
        let jobs = &jobs;
        wait.until(|| async move {
            let job = jobs.get(&self.name).await.map_err(|e| {
                self.kube
                    .explain(self.call("get", "jobs.batch").named(&self.name), e)
            })?;
            let conditions = job.status.and_then(|s| s.conditions).unwrap_or_default();
            let done = |kind: &str| {
                conditions
                    .iter()
                    .any(|c| c.type_ == kind && c.status == "True")
            };
            anyhow::Ok(if done("Complete") {
                Check::Done(true)
            } else if done("Failed") {
                Check::Done(false)
            } else {
                Check::Pending("running".into())
            })
        })
        .await
    }

    /// The logs of the Job's pods (labelled `job-name`), by pod name.
    pub async fn logs(&self) -> anyhow::Result<Vec<PodLog>> {
        let pods = crate::list::list(
            self.kube,
            &ApiResource::erase::<Pod>(&()),
            Some(&self.namespace),
            Some(&format!("job-name={}", self.name)),
        )
        .await?;
        let api: Api<Pod> = Api::namespaced(self.kube.client.clone(), &self.namespace);
        let mut logs = Vec::new();
        for pod in pods {
            let name = pod["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let log = api
                .logs(&name, &Default::default())
                .await
                .map_err(|e| e.to_string());
            logs.push((name, log));
        }
        Ok(logs)
    }
}
