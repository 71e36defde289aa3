//! Flags resolved once into what the commands run: a drill's [`drill::Plan`], the weekly
//! drill's [`schedule::Plan`], and the arguments the CronJob passes on.

use crate::cli::{DrillArgs, RunArgs, ScheduleArgs};
use crate::{drill, schedule};

impl DrillArgs {
    /// Where reports go, unless the history is off.
    pub fn history(&self) -> Option<(String, usize)> {
        (self.history_limit > 0).then(|| {
            (
                self.history_namespace
                    .clone()
                    .unwrap_or_else(|| self.velero.velero_namespace.clone()),
                self.history_limit,
            )
        })
    }

    /// `kubectl-drtest run …` as the CronJob runs it (the smoke Job file aside).
    pub fn run_args(&self) -> Vec<String> {
        let mut args = vec!["run".to_owned()];
        for ns in &self.namespaces {
            args.extend(["--for".into(), ns.clone()]);
        }
        args.extend([
            "--velero-namespace".into(),
            self.velero.velero_namespace.clone(),
            "--max-backup-age".into(),
            format!("{}s", self.max_backup_age.as_secs()),
            "--timeout".into(),
            format!("{}s", self.timeout.as_secs()),
            "--history-limit".into(),
            self.history_limit.to_string(),
        ]);
        if self.allow_partially_failed {
            args.push("--allow-partially-failed".into());
        }
        if let Some(ns) = &self.history_namespace {
            args.extend(["--history-namespace".into(), ns.clone()]);
        }
        if let Some(image) = &self.smoke_image {
            args.extend(["--smoke-image".into(), image.clone()]);
        }
        if let Some(command) = &self.smoke_command {
            args.extend(["--smoke-command".into(), command.clone()]);
        }
        for check in &self.http_checks {
            args.extend(["--http-check".into(), check.to_string()]);
        }
        args
    }

    /// The smoke Job file's object, loaded (a usage error naming the file otherwise).
    pub fn smoke_job(&self) -> anyhow::Result<Option<serde_json::Value>> {
        self.smoke_job
            .as_deref()
            .map(|path| shipshape::manifests::load_one(path, "Job"))
            .transpose()
    }
}

impl RunArgs {
    /// The drill to run, with the smoke Job file's object (loaded once, by the caller).
    pub fn plan(&self, smoke_job: Option<serde_json::Value>) -> drill::Plan {
        let drill = &self.drill;
        drill::Plan {
            namespaces: drill.namespaces.clone(),
            backup: self.backup.clone(),
            allow_partially_failed: drill.allow_partially_failed,
            velero_namespace: drill.velero.velero_namespace.clone(),
            smoke_job,
            smoke_image: drill.smoke_image.clone(),
            smoke_command: drill.smoke_command.clone(),
            http_checks: drill.http_checks.clone(),
            max_backup_age: drill.max_backup_age,
            timeout: drill.timeout,
            keep: self.keep,
            history: drill.history(),
            sandbox_binding: self.sandbox_role.clone().zip(self.sandbox_account.clone()),
        }
    }
}

impl ScheduleArgs {
    /// The weekly drill's objects to generate, for the CronJob in `namespace`.
    pub fn plan(&self, namespace: String, smoke_job: Option<serde_json::Value>) -> schedule::Plan {
        schedule::Plan {
            name: self.name.clone(),
            namespace,
            cron: self.cron.clone(),
            image: self.image.clone(),
            run_args: self.drill.run_args(),
            smoke_job,
            velero_namespace: self.drill.velero.velero_namespace.clone(),
            history_namespace: self.drill.history().map(|(ns, _)| ns),
            timeout_seconds: self.drill.timeout.as_secs(),
            velero_schedule: self.velero_schedule.then(|| {
                (
                    self.every.clone(),
                    schedule::go_duration(self.ttl),
                    self.storage_location.clone(),
                )
            }),
            namespaces: self.drill.namespaces.clone(),
        }
    }
}
