//! `kubectl drtest run`: restore the latest backup into a sandbox, wait for it, smoke-test it,
//! measure RPO and RTO, report, and always clean up what the drill created.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shipshape::wait::{Check, Wait};
use shipshape::{ApiCall, Kube};

use crate::labels::{DRILL_LABEL, EXPIRES_ANNOTATION};
use crate::report::{DrillReport, Outcome, Phase};
use crate::velero;

/// What a drill needs.
#[derive(Debug, Clone)]
pub struct Plan {
    pub namespaces: Vec<String>,
    pub backup: Option<String>,
    pub allow_partially_failed: bool,
    pub velero_namespace: String,
    /// A Job to run as the smoke test (from `--smoke-job`).
    pub smoke_job: Option<Value>,
    pub smoke_image: Option<String>,
    pub smoke_command: Option<String>,
    pub http_checks: Vec<crate::smoke::HttpCheck>,
    pub max_backup_age: Duration,
    pub timeout: Duration,
    pub keep: bool,
    /// Where to record the report (a ConfigMap per drill), and how many to keep.
    pub history: Option<(String, usize)>,
    /// A ClusterRole to bind in each sandbox for a ServiceAccount (namespace, name).
    pub sandbox_binding: Option<(String, (String, String))>,
}

impl Plan {
    /// Whether a backup or restore in this phase counts: Completed, or PartiallyFailed with
    /// `--allow-partially-failed`.
    pub fn accepts(&self, phase: &str) -> bool {
        phase == "Completed" || (self.allow_partially_failed && phase == "PartiallyFailed")
    }
}

/// Picks the backup as Velero's `--from-backup latest` does: the newest Completed (or, when
/// allowed, PartiallyFailed) backup by start time that covers every namespace.
pub fn pick_backup<'a>(backups: &'a [Value], plan: &Plan) -> Result<&'a Value, String> {
    if let Some(name) = &plan.backup {
        let found = backups
            .iter()
            .find(|b| b["metadata"]["name"] == name.as_str())
            .ok_or_else(|| {
                format!(
                    "backup {name} not found in namespace {}",
                    plan.velero_namespace
                )
            })?;
        return Ok(found);
    }
    let usable = |b: &&Value| {
        plan.accepts(b["status"]["phase"].as_str().unwrap_or_default())
            && plan
                .namespaces
                .iter()
                .all(|ns| crate::inventory::covers(b, ns))
    };
    backups
        .iter()
        .filter(usable)
        .max_by_key(|b| {
            b["status"]["startTimestamp"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .ok_or_else(|| format!("no Completed backup covers {}", plan.namespaces.join(", ")))
}

struct Recorder {
    report: DrillReport,
    /// When the restore started: the RTO's start.
    restore_started: Option<Instant>,
}

impl Recorder {
    /// Restore start to now.
    fn rto(&self) -> Option<i64> {
        self.restore_started.map(|t| t.elapsed().as_secs() as i64)
    }

    fn phase(&mut self, name: &str, since: Instant, outcome: Result<String, String>) -> bool {
        let (result, message, ok) = match outcome {
            Ok(m) => (Outcome::Passed, m, true),
            Err(m) => (Outcome::Failed, m, false),
        };
        eprintln!("{name}: {result}: {message}");
        self.report.phases.push(Phase {
            name: name.into(),
            result,
            seconds: since.elapsed().as_secs_f64(),
            message,
        });
        ok
    }
}

/// The sandbox namespace for `namespace` in drill `id`: `<ns>-drtest-<id>`, the original name
/// shortened when the whole would exceed the 63 characters of a namespace name.
pub fn sandbox_name(namespace: &str, id: &str) -> String {
    let suffix = format!("-drtest-{id}");
    let keep = 63usize.saturating_sub(suffix.len()).min(namespace.len());
    format!("{}{suffix}", namespace[..keep].trim_end_matches('-'))
}

/// A new drill id: hexadecimal milliseconds, unique enough for drills that do not start in the
/// same millisecond, and short enough for namespace names.
fn new_id() -> String {
    format!("{:x}", jiff::Timestamp::now().as_millisecond() % 0xfff_ffff)
}

/// Runs a drill. API errors end it like failures (the report says where) after cleanup;
/// Ctrl-C ends it after cleanup with the interruption as the error. The report is recorded in
/// the history whatever the outcome, unless the drill was interrupted.
pub async fn run(kube: &Kube, plan: &Plan) -> anyhow::Result<DrillReport> {
    let id = format!("drtest-{}", new_id());
    let mut rec = Recorder {
        report: DrillReport {
            id: id.clone(),
            started: jiff::Timestamp::now()
                .round(jiff::Unit::Millisecond)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            namespaces: plan.namespaces.clone(),
            result: Outcome::Failed,
            ..DrillReport::default()
        },
        restore_started: None,
    };
    let suffix = id.trim_start_matches("drtest-");
    let sandbox: Vec<(String, String)> = plan
        .namespaces
        .iter()
        .map(|ns| (ns.clone(), sandbox_name(ns, suffix)))
        .collect();
    // The drill handles Ctrl-C itself: it stops where it is, then cleans up.
    shipshape::process::handle_interrupts();
    let outcome = tokio::select! {
        outcome = drill(kube, plan, &sandbox, &id, &mut rec) => outcome,
        _ = tokio::signal::ctrl_c() => Err(shipshape::exit::Interrupted.into()),
    };
    let interrupted = outcome
        .as_ref()
        .err()
        .is_some_and(|e| shipshape::exit::exit_for(e) == shipshape::Exit::Interrupted);
    if interrupted {
        shipshape::process::say_interrupted(
            "cleaning up the drill's sandbox (Ctrl-C again to quit at once)",
        );
    }
    // Cleanup, always.
    let since = Instant::now();
    if plan.keep {
        rec.report.phases.push(Phase {
            name: "cleanup".into(),
            result: Outcome::Skipped,
            seconds: 0.0,
            message: format!(
                "--keep: sandbox {} left in place; `kubectl drtest cleanup` removes it once expired",
                sandbox
                    .iter()
                    .map(|(_, s)| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    } else {
        let cleaned = cleanup(kube, &plan.velero_namespace, &sandbox, &id).await;
        if let Err(e) = &cleaned {
            eprintln!("error: {e:#}");
        }
        rec.phase("cleanup", since, cleaned.map_err(|e| format!("{e:#}")));
    }
    if interrupted {
        return Err(shipshape::exit::Interrupted.into());
    }
    let api_error = match outcome {
        Ok(()) => {
            if rec
                .report
                .phases
                .iter()
                .all(|p| p.result != Outcome::Failed)
            {
                rec.report.result = Outcome::Passed;
            }
            None
        }
        Err(e) => {
            rec.report.phases.push(Phase {
                name: "error".into(),
                result: Outcome::Failed,
                seconds: 0.0,
                message: format!("{e:#}"),
            });
            Some(e)
        }
    };
    if let Some((namespace, keep)) = &plan.history
        && let Err(e) = record(kube, &rec.report, namespace, *keep).await
    {
        eprintln!(
            "warning: could not record the drill in configmap {id} in namespace {namespace}: {e:#}"
        );
    }
    match api_error {
        // The report is printed, and the exit says it was the API (3).
        Some(e) => Err(Unfinished {
            report: Box::new(rec.report),
            error: e,
        }
        .into()),
        None => Ok(rec.report),
    }
}

/// A drill that an API error cut short: the report so far (printed before the error), and the
/// error (exit 3).
#[derive(Debug, thiserror::Error)]
#[error("{error:#}")]
pub struct Unfinished {
    pub report: Box<DrillReport>,
    #[source]
    pub error: anyhow::Error,
}

/// Records the report as a ConfigMap, and keeps only the newest `keep` of them.
async fn record(
    kube: &Kube,
    report: &DrillReport,
    namespace: &str,
    keep: usize,
) -> anyhow::Result<()> {
    let applier =
        shipshape::apply::Applier::new(kube, crate::PLUGIN, shipshape::apply::DryRun::None);
    applier
        .apply(&crate::history::config_map(report, namespace)?)
        .await?;
    let config_maps: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::namespaced(kube.client.clone(), namespace);
    let mut recorded: Vec<(String, String)> = crate::history::list(kube, namespace)
        .await?
        .iter()
        .map(|cm| {
            (
                cm["metadata"]["creationTimestamp"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                cm["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    recorded.sort();
    let excess = recorded.len().saturating_sub(keep);
    for (_, name) in recorded.into_iter().take(excess) {
        match config_maps.delete(&name, &Default::default()).await {
            Ok(_) | Err(kube::Error::Api(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

async fn drill(
    kube: &Kube,
    plan: &Plan,
    sandbox: &[(String, String)],
    restore_name: &str,
    rec: &mut Recorder,
) -> anyhow::Result<()> {
    let vns = plan.velero_namespace.as_str();
    // Preflight.
    let since = Instant::now();
    let (backups, locations) = tokio::try_join!(
        crate::velero::list(kube, vns, "backups", "Backup"),
        crate::velero::list(kube, vns, "backupstoragelocations", "BackupStorageLocation"),
    )?;
    let found = preflight(
        &backups,
        &locations,
        plan,
        jiff::Timestamp::now().as_second(),
    );
    if let Some(backup) = &found.backup {
        rec.report.backup = json!({
            "name": backup["metadata"]["name"],
            "completed": backup["status"]["completionTimestamp"],
            "phase": backup["status"]["phase"],
        });
    }
    rec.report.rpo_seconds = found.rpo_seconds;
    let (Some(backup), true) = (found.backup, rec.phase("preflight", since, found.verdict)) else {
        return Ok(());
    };
    let name = backup["metadata"]["name"].as_str().unwrap_or_default();
    let ca_pem = found.ca_pem;

    // Sandbox: our namespaces, labelled, with an expiry, isolated by NetworkPolicies.
    let since = Instant::now();
    let applier =
        shipshape::apply::Applier::new(kube, crate::PLUGIN, shipshape::apply::DryRun::None);
    // Leftovers of a killed drill expire a day later, or later still for drills with long waits.
    let lifetime = (24 * 3600).max(4 * plan.timeout.as_secs() as i64);
    let expires = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(lifetime))
        .map(|t| {
            t.round(jiff::Unit::Second)
                .map(|t| t.to_string())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    for (_, target) in sandbox {
        applier.apply(&json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": target, "labels": {DRILL_LABEL: restore_name}, "annotations": {EXPIRES_ANNOTATION: expires}}})).await?;
        if let Some((role, account)) = &plan.sandbox_binding {
            bind_sandbox_role(kube, &applier, target, role, account, restore_name).await?;
        }
        for policy in [
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "drtest-isolate", "namespace": target, "labels": {DRILL_LABEL: restore_name}},
                "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
                    "ingress": [{"from": [{"podSelector": {}}]}],
                    "egress": [{"to": [{"podSelector": {}}]}, {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}], "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]}}),
        ] {
            applier.apply(&policy).await?;
        }
    }
    rec.phase(
        "sandbox",
        since,
        Ok(format!(
            "{} with a deny-outside NetworkPolicy (DNS allowed)",
            sandbox
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    );

    // Restore.
    let since = Instant::now();
    rec.restore_started = Some(since);
    let mapping: serde_json::Map<String, Value> =
        sandbox.iter().map(|(s, t)| (s.clone(), json!(t))).collect();
    applier
        .apply(&json!({"apiVersion": "velero.io/v1", "kind": "Restore", "metadata": {"name": restore_name, "namespace": vns, "labels": {DRILL_LABEL: restore_name}, "annotations": {EXPIRES_ANNOTATION: expires}},
            "spec": {"backupName": name, "includedNamespaces": plan.namespaces, "namespaceMapping": mapping, "includeClusterResources": false, "existingResourcePolicy": "none"}}))
        .await?;
    let restores: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
        kube.client.clone(),
        vns,
        &velero::resource("restores", "Restore"),
    );
    let restores = &restores;
    let status = Wait::new(format!("restore {restore_name}"), plan.timeout)
        .every(Duration::from_millis(500))
        .until(|| async move {
            let r = restores.get(restore_name).await.map_err(|e| {
                kube.explain(
                    ApiCall::on("get", &crate::velero::resource("restores", "Restore"))
                        .named(restore_name)
                        .in_namespace(vns.to_owned()),
                    e,
                )
            })?;
            let status = serde_json::to_value(&r)?["status"].clone();
            anyhow::Ok(match status["phase"].as_str().unwrap_or("New") {
                "Completed" | "PartiallyFailed" | "Failed" | "FailedValidation" => {
                    Check::Done(status)
                }
                other => Check::Pending(other.to_owned()),
            })
        })
        .await?;
    let phase = status["phase"].as_str().unwrap_or_default();
    let counts = format!(
        "{} of {} items restored, {} warnings, {} errors",
        status["progress"]["itemsRestored"],
        status["progress"]["totalItems"],
        status["warnings"],
        status["errors"]
    );
    let ok = plan.accepts(phase);
    let mut message = if status["validationErrors"].is_array() {
        format!("{phase}: {}", status["validationErrors"])
    } else {
        format!("{phase}: {counts}")
    };
    if phase != "FailedValidation" {
        let results = crate::results::restore_results(
            kube,
            vns,
            restore_name,
            ca_pem.as_deref(),
            plan.timeout,
        )
        .await;
        if let Some(first) = crate::results::first_problem(&results) {
            message.push_str(&format!("; {first}"));
        }
        rec.report.restore_results = Some(results);
    }
    if !rec.phase(
        "restore",
        since,
        if ok { Ok(message) } else { Err(message) },
    ) {
        return Ok(());
    }

    // Readiness of what was restored.
    let since = Instant::now();
    let mut waiting = Vec::new();
    for (_, target) in sandbox {
        let target = target.as_str();
        let ready = Wait::new(format!("the restored workloads in {target}"), plan.timeout)
            .every(Duration::from_millis(500))
            .until(|| async move {
                let mut objects = Vec::new();
                let mut pending = Vec::new();
                for (resource, kind) in restored_kinds() {
                    for o in shipshape::list::list(kube, &resource, Some(target), None).await? {
                        let name = o["metadata"]["name"].as_str().unwrap_or_default();
                        let (ready, detail) = readiness(kind, &o);
                        if !ready {
                            pending.push(format!("{kind}/{name} {detail}"));
                        }
                        objects.push(json!({"kind": kind, "namespace": target, "name": name, "ready": ready, "status": detail}));
                    }
                }
                anyhow::Ok(if pending.is_empty() {
                    Check::Done(objects)
                } else {
                    Check::Pending(pending.join(", "))
                })
            })
            .await;
        match ready {
            Ok(objects) => rec.report.objects.extend(objects),
            Err(e)
                if e.downcast_ref::<shipshape::wait::WaitError>()
                    .is_some_and(|w| matches!(w, shipshape::wait::WaitError::TimedOut { .. })) =>
            {
                waiting.push(e.to_string())
            }
            Err(e) => return Err(e),
        }
    }
    let count = rec.report.objects.len();
    if !rec.phase(
        "readiness",
        since,
        if waiting.is_empty() {
            Ok(format!("{count} restored workload(s) and claim(s) ready"))
        } else {
            Err(waiting.join("; "))
        },
    ) {
        return Ok(());
    }

    // Smoke tests: a Job in the first sandbox namespace (its logs kept), then the HTTP checks
    // through the service proxy.
    let since = Instant::now();
    let job = crate::smoke::job(
        plan.smoke_job.as_ref(),
        plan.smoke_image.as_deref(),
        plan.smoke_command.as_deref(),
        &format!("{restore_name}-smoke"),
        &sandbox[0].1,
        (DRILL_LABEL, restore_name),
    );
    if job.is_none() && plan.http_checks.is_empty() {
        rec.report.phases.push(Phase {
            name: "smoke".into(),
            result: Outcome::Skipped,
            seconds: 0.0,
            message: "no --smoke-job, --smoke-image or --http-check".into(),
        });
        rec.report.rto_seconds = rec.rto();
        return Ok(());
    }
    let mut failures = Vec::new();
    let mut passes = Vec::new();
    if let Some(job) = job {
        let outcome = smoke_job(kube, &applier, &job, plan.timeout).await?;
        if outcome["passed"] == true {
            passes.push(outcome["detail"].as_str().unwrap_or_default().to_owned());
        } else {
            failures.push(outcome["detail"].as_str().unwrap_or_default().to_owned());
        }
        rec.report.smoke.push(outcome);
    }
    for check in &plan.http_checks {
        let target = match &check.namespace {
            Some(ns) => match sandbox.iter().find(|(source, _)| source == ns) {
                Some((_, target)) => target.as_str(),
                None => {
                    failures.push(format!("{check}: namespace {ns} is not part of the drill"));
                    continue;
                }
            },
            None => sandbox[0].1.as_str(),
        };
        let within = plan.timeout.min(Duration::from_secs(30));
        let mut outcome = crate::smoke::http_check(kube, target, check, within).await?;
        let detail = format!(
            "GET {}:{}{} answered {} (expected {}){}",
            check.service,
            check.port,
            check.path,
            outcome["status"],
            check.status,
            match outcome["body"].as_str() {
                Some(body) if !body.is_empty() && outcome["passed"] != true => format!(": {body}"),
                _ => String::new(),
            }
        );
        if outcome["passed"] == true {
            passes.push(detail.clone());
        } else {
            failures.push(detail.clone());
        }
        outcome["detail"] = json!(detail);
        rec.report.smoke.push(outcome);
    }
    let passed = failures.is_empty();
    if passed {
        rec.report.rto_seconds = rec.rto();
    }
    rec.phase(
        "smoke",
        since,
        if passed {
            Ok(passes.join("; "))
        } else {
            Err(failures.join("; "))
        },
    );
    Ok(())
}

/// Runs the smoke Job to its end; its outcome with the pods' logs.
async fn smoke_job(
    kube: &Kube,
    applier: &shipshape::apply::Applier<'_>,
    job: &Value,
    timeout: Duration,
) -> anyhow::Result<Value> {
    let job = shipshape::job::Job::apply(kube, applier, job).await?;
    let job_name = job.name.as_str();
    let finished = job
        .finished(
            &Wait::new(format!("smoke job {job_name}"), timeout).every(Duration::from_millis(500)),
        )
        .await;
    let passed = match finished {
        Ok(passed) => passed,
        Err(e)
            if matches!(
                e.downcast_ref::<shipshape::wait::WaitError>(),
                Some(shipshape::wait::WaitError::TimedOut { .. })
            ) =>
        {
            false
        }
        Err(e) => return Err(e),
    };
    let log: String = job
        .logs()
        .await?
        .into_iter()
        .map(|(_, log)| log.unwrap_or_default())
        .collect();
    let detail = if passed {
        format!("job {job_name} completed")
    } else {
        format!("job {job_name} failed: {}", log.trim())
    };
    Ok(json!({"job": job_name, "passed": passed, "log": log, "detail": detail}))
}

/// What preflight found, without calling the cluster: the backup to restore, the RPO, the
/// storage's certificate authority (for restore results), and the verdict.
struct Preflight {
    backup: Option<Value>,
    rpo_seconds: Option<i64>,
    ca_pem: Option<Vec<u8>>,
    verdict: Result<String, String>,
}

/// Preflight over the Velero namespace's Backups and BackupStorageLocations at `now`: the backup
/// is picked (and usable, covering every namespace, young enough) and its location Available.
fn preflight(backups: &[Value], locations: &[Value], plan: &Plan, now: i64) -> Preflight {
    let backup = match pick_backup(backups, plan) {
        Ok(b) => b.clone(),
        Err(e) => {
            return Preflight {
                backup: None,
                rpo_seconds: None,
                ca_pem: None,
                verdict: Err(e),
            };
        }
    };
    let name = backup["metadata"]["name"].as_str().unwrap_or_default();
    let completed = backup["status"]["completionTimestamp"].as_str();
    let age = completed
        .and_then(|c| c.parse::<jiff::Timestamp>().ok())
        .map(|c| now - c.as_second());
    let location = backup["spec"]["storageLocation"]
        .as_str()
        .unwrap_or("default");
    let location_object = locations.iter().find(|l| l["metadata"]["name"] == location);
    let location_phase = location_object
        .and_then(|l| l["status"]["phase"].as_str())
        .unwrap_or("NotFound");
    let ca_pem = location_object
        .and_then(|l| l["spec"]["objectStorage"]["caCert"].as_str())
        .and_then(|c| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, c).ok());
    let problems: Vec<String> = [
        (!plan.accepts(backup["status"]["phase"].as_str().unwrap_or_default())).then(|| {
            format!(
                "backup {name} is {}",
                backup["status"]["phase"].as_str().unwrap_or("New")
            )
        }),
        plan.namespaces
            .iter()
            .find(|ns| !crate::inventory::covers(&backup, ns))
            .map(|ns| format!("backup {name} does not cover namespace {ns}")),
        (location_phase != "Available")
            .then(|| format!("storage location {location} is {location_phase}")),
        age.filter(|a| *a > plan.max_backup_age.as_secs() as i64)
            .map(|a| {
                format!(
                    "backup {name} is {} old, above --max-backup-age {}",
                    shipshape::duration::human(Duration::from_secs(a as u64)),
                    shipshape::duration::human(plan.max_backup_age)
                )
            }),
    ]
    .into_iter()
    .flatten()
    .collect();
    let verdict = if problems.is_empty() {
        Ok(format!(
            "backup {name} from {}, location {location} Available",
            completed.unwrap_or_default()
        ))
    } else {
        Err(problems.join("; "))
    };
    Preflight {
        backup: Some(backup),
        rpo_seconds: age,
        ca_pem,
        verdict,
    }
}

/// The kinds whose restored objects the readiness phase waits for.
fn restored_kinds() -> [(kube::core::ApiResource, &'static str); 4] {
    use kube::core::ApiResource;
    [
        (
            ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&()),
            "Deployment",
        ),
        (
            ApiResource::erase::<k8s_openapi::api::apps::v1::StatefulSet>(&()),
            "StatefulSet",
        ),
        (
            ApiResource::erase::<k8s_openapi::api::apps::v1::DaemonSet>(&()),
            "DaemonSet",
        ),
        (
            ApiResource::erase::<k8s_openapi::api::core::v1::PersistentVolumeClaim>(&()),
            "PersistentVolumeClaim",
        ),
    ]
}

/// Whether a restored object is ready (workloads: every replica ready; claims: Bound), and its
/// status for the report: `1/2 ready`, `Pending`.
fn readiness(kind: &str, object: &Value) -> (bool, String) {
    use shipshape::conditions;
    fn typed<T: serde::de::DeserializeOwned>(object: &Value) -> Result<T, (bool, String)> {
        serde_json::from_value(object.clone()).map_err(|e| (false, format!("unreadable: {e}")))
    }
    let readiness = match kind {
        "PersistentVolumeClaim" => typed(object).map(|c| conditions::claim_bound(&c)),
        "DaemonSet" => typed(object).map(|d| conditions::daemon_set_ready(&d)),
        "StatefulSet" => typed(object).map(|s| conditions::stateful_set_ready(&s)),
        _ => typed(object).map(|d| conditions::deployment_ready(&d)),
    };
    readiness.unwrap_or_else(|unreadable| unreadable)
}

/// How long a drill's cleanup keeps retrying transient failures before it gives up and names
/// what it left behind.
pub const CLEANUP_DEADLINE: Duration = Duration::from_secs(60);

/// One thing a drill may leave behind.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Remains {
    /// `Namespace` or `Restore`.
    kind: &'static str,
    name: String,
}

impl std::fmt::Display for Remains {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            "Namespace" => write!(f, "namespace/{}", self.name),
            _ => write!(f, "restore/{}", self.name),
        }
    }
}

/// The command that removes a drill's leftovers at once.
pub fn cleanup_command(drill: &str, velero_namespace: &str) -> String {
    let velero = if velero_namespace == "velero" {
        String::new()
    } else {
        format!(" --velero-namespace {velero_namespace}")
    };
    format!("kubectl drtest cleanup --drill {drill}{velero} --yes")
}

/// Deletes a drill's sandbox namespaces (only those carrying its label) and its Restore (only
/// if it exists: a drill that failed before restoring created none). Transient failures are
/// retried with backoff for [`CLEANUP_DEADLINE`]; when cleanup still fails, the error names
/// every leftover and the `kubectl drtest cleanup` command that removes them.
pub async fn cleanup(
    kube: &Kube,
    velero_namespace: &str,
    sandbox: &[(String, String)],
    restore_name: &str,
) -> anyhow::Result<String> {
    let mut pending: Vec<Remains> = sandbox
        .iter()
        .map(|(_, target)| Remains {
            kind: "Namespace",
            name: target.clone(),
        })
        .chain([Remains {
            kind: "Restore",
            name: restore_name.to_owned(),
        }])
        .collect();
    let deadline = Instant::now() + CLEANUP_DEADLINE;
    let mut backoff = Duration::from_millis(500);
    let mut deleted: Vec<Remains> = Vec::new();
    let left_behind = |left: &[&Remains], why: String| {
        anyhow::anyhow!(
            "cleanup left {} behind: {why}\nremove {} with: {}",
            left.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            if left.len() == 1 { "it" } else { "them" },
            cleanup_command(restore_name, velero_namespace)
        )
    };
    let failure = loop {
        let mut failed: Vec<(Remains, anyhow::Error)> = Vec::new();
        for item in pending {
            match remove(kube, velero_namespace, &item, restore_name).await {
                Ok(true) => deleted.push(item),
                Ok(false) => {}
                Err(e) => failed.push((item, e)),
            }
        }
        let Some((_, first)) = failed.first() else {
            break None;
        };
        let transient = failed.iter().all(|(_, e)| {
            e.downcast_ref::<shipshape::ClusterError>()
                .is_some_and(shipshape::ClusterError::is_transient)
        });
        if !transient || Instant::now() + backoff > deadline {
            let why = format!("{first:#}");
            break Some((
                failed.into_iter().map(|(item, _)| item).collect::<Vec<_>>(),
                why,
            ));
        }
        tracing::info!(
            "cleanup: {first:#}; trying again in {}",
            shipshape::duration::human(backoff)
        );
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(8));
        pending = failed.into_iter().map(|(item, _)| item).collect();
    };
    // What was deleted is waited for even when something else failed, so the leftovers named
    // are exactly what is still there.
    let namespaces: Vec<String> = deleted
        .iter()
        .filter(|d| d.kind == "Namespace")
        .map(|d| d.name.clone())
        .collect();
    let terminating = await_namespaces_gone(kube, &namespaces).await;
    match (failure, terminating) {
        (None, Ok(())) => {}
        (Some((failed, why)), terminating) => {
            let mut left: Vec<&Remains> = failed.iter().collect();
            if terminating.is_err() {
                left.extend(deleted.iter().filter(|d| d.kind == "Namespace"));
            }
            return Err(left_behind(&left, why));
        }
        (None, Err(e)) => {
            let left: Vec<&Remains> = deleted.iter().filter(|d| d.kind == "Namespace").collect();
            return Err(left_behind(&left, format!("{e:#}")));
        }
    }
    Ok(if deleted.is_empty() {
        "nothing to delete".to_owned()
    } else {
        format!(
            "deleted {}",
            deleted
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// Deletes one leftover if it exists and carries this drill's label; `false` when there was
/// nothing of ours to delete.
async fn remove(
    kube: &Kube,
    velero_namespace: &str,
    item: &Remains,
    drill: &str,
) -> anyhow::Result<bool> {
    let labels = if item.kind == "Namespace" {
        let api: kube::Api<k8s_openapi::api::core::v1::Namespace> =
            kube::Api::all(kube.client.clone());
        api.get_opt(&item.name)
            .await
            .map_err(|e| {
                kube.explain(
                    ApiCall::of::<k8s_openapi::api::core::v1::Namespace>("get").named(&item.name),
                    e,
                )
            })?
            .map(|ns| ns.metadata.labels.unwrap_or_default())
    } else {
        let api: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
            kube.client.clone(),
            velero_namespace,
            &velero::resource("restores", "Restore"),
        );
        api.get_opt(&item.name)
            .await
            .map_err(|e| {
                kube.explain(
                    ApiCall::on("get", &crate::velero::resource("restores", "Restore"))
                        .named(&item.name)
                        .in_namespace(velero_namespace.to_owned()),
                    e,
                )
            })?
            .map(|r| r.metadata.labels.unwrap_or_default())
    };
    if labels.and_then(|l| l.get(DRILL_LABEL).cloned()).as_deref() != Some(drill) {
        return Ok(false);
    }
    delete_leftover(
        kube,
        velero_namespace,
        item.kind,
        &item.name,
        &Default::default(),
    )
    .await?;
    Ok(true)
}

/// Binds `role` to the drill's ServiceAccount inside a new sandbox, then waits until the API
/// server's authorizer honours it (a real one learns of bindings through a watch, a moment
/// later): the scheduled drill's rights inside sandboxes come from this binding alone.
async fn bind_sandbox_role(
    kube: &Kube,
    applier: &shipshape::apply::Applier<'_>,
    sandbox: &str,
    role: &str,
    (namespace, name): &(String, String),
    drill: &str,
) -> anyhow::Result<()> {
    applier
        .apply(&json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": crate::schedule::SANDBOX_BINDING, "namespace": sandbox, "labels": {DRILL_LABEL: drill}},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}]}))
        .await?;
    let pods: kube::Api<k8s_openapi::api::core::v1::Pod> =
        kube::Api::namespaced(kube.client.clone(), sandbox);
    Wait::new(
        format!("the drill's RoleBinding in {sandbox} to take effect"),
        Duration::from_secs(30),
    )
    .every(Duration::from_millis(250))
    .until(|| async {
        match pods.list(&kube::api::ListParams::default().limit(1)).await {
            Ok(_) => anyhow::Ok(Check::Done(())),
            Err(kube::Error::Api(status)) if status.code == 403 => {
                Ok(Check::Pending("not yet authorized".to_owned()))
            }
            Err(e) => Err(kube
                .explain(
                    ApiCall::of::<k8s_openapi::api::core::v1::Pod>("list")
                        .in_namespace(sandbox.to_owned()),
                    e,
                )
                .into()),
        }
    })
    .await
}

/// How long cleanup waits for deleted namespaces to finish terminating.
pub const NAMESPACE_TERMINATION: Duration = Duration::from_secs(120);

/// Waits until deleted namespaces are gone. Deleting a namespace only starts its termination
/// (its contents go first, finalizers may hold it), so like `kubectl delete` the drill and
/// `drtest cleanup` wait, and a namespace stuck in Terminating is an error that names it.
pub async fn await_namespaces_gone(kube: &Kube, names: &[String]) -> anyhow::Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let api: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(kube.client.clone());
    Wait::new(
        format!("namespace(s) {} to terminate", names.join(", ")),
        NAMESPACE_TERMINATION,
    )
    .every(Duration::from_millis(500))
    .until(|| async {
        let mut left = Vec::new();
        for name in names {
            let found = api.get_opt(name).await.map_err(|e| {
                kube.explain(
                    ApiCall::of::<k8s_openapi::api::core::v1::Namespace>("get").named(name),
                    e,
                )
            })?;
            if found.is_some() {
                left.push(name.as_str());
            }
        }
        anyhow::Ok(if left.is_empty() {
            Check::Done(())
        } else {
            Check::Pending(format!("still terminating: {}", left.join(", ")))
        })
    })
    .await
}

/// Deletes one thing a drill created: a sandbox `Namespace`, or a `Restore` in Velero's
/// namespace. Already gone is fine (someone else cleaned up).
pub async fn delete_leftover(
    kube: &Kube,
    velero_namespace: &str,
    kind: &str,
    name: &str,
    params: &kube::api::DeleteParams,
) -> anyhow::Result<()> {
    let (deleted, call) = if kind == "Namespace" {
        let api: kube::Api<k8s_openapi::api::core::v1::Namespace> =
            kube::Api::all(kube.client.clone());
        (
            api.delete(name, params).await.map(|_| ()),
            ApiCall::of::<k8s_openapi::api::core::v1::Namespace>("delete").named(name),
        )
    } else {
        let api: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
            kube.client.clone(),
            velero_namespace,
            &velero::resource("restores", "Restore"),
        );
        (
            api.delete(name, params).await.map(|_| ()),
            ApiCall::on("delete", &crate::velero::resource("restores", "Restore"))
                .named(name)
                .in_namespace(velero_namespace.to_owned()),
        )
    };
    match deleted {
        Ok(()) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(e) => Err(kube.explain(call, e).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_are_ready_with_every_replica_and_claims_when_bound() {
        let deployment = json!({"spec": {"replicas": 2}, "status": {"readyReplicas": 1}});
        assert_eq!(
            readiness("Deployment", &deployment),
            (false, "1/2 ready".into())
        );
        // Without spec.replicas the API server defaults to 1.
        let one = json!({"spec": {}, "status": {"readyReplicas": 1}});
        assert_eq!(readiness("StatefulSet", &one), (true, "1/1 ready".into()));
        let daemons = json!({"status": {"desiredNumberScheduled": 3, "numberReady": 3}});
        assert_eq!(readiness("DaemonSet", &daemons), (true, "3/3 ready".into()));
        let claim = json!({"status": {}});
        assert_eq!(
            readiness("PersistentVolumeClaim", &claim),
            (false, "Pending".into())
        );
        let bound = json!({"status": {"phase": "Bound"}});
        assert_eq!(
            readiness("PersistentVolumeClaim", &bound),
            (true, "Bound".into())
        );
    }

    /// A drill of `shop` with a 1 h RPO.
    fn plan() -> Plan {
        Plan {
            namespaces: vec!["shop".into()],
            backup: None,
            allow_partially_failed: false,
            velero_namespace: "velero".into(),
            smoke_job: None,
            smoke_image: None,
            smoke_command: None,
            http_checks: Vec::new(),
            sandbox_binding: None,
            max_backup_age: Duration::from_secs(3600),
            timeout: Duration::from_secs(60),
            keep: false,
            history: None,
        }
    }

    fn backup(
        name: &str,
        namespaces: &[&str],
        phase: &str,
        started: &str,
        completed: &str,
    ) -> Value {
        json!({
            "metadata": {"name": name},
            "spec": {"includedNamespaces": namespaces, "storageLocation": "default"},
            "status": {"phase": phase, "startTimestamp": started, "completionTimestamp": completed},
        })
    }

    fn location(phase: &str) -> Value {
        json!({"metadata": {"name": "default"}, "spec": {"objectStorage": {"caCert": "UEVN"}}, "status": {"phase": phase}})
    }

    /// 2026-11-22T12:00:00Z.
    const NOON: i64 = 1_795_348_800;

    #[test]
    fn preflight_picks_the_newest_usable_backup_and_measures_the_rpo() {
        let backups = [
            backup(
                "old",
                &["shop"],
                "Completed",
                "2026-11-22T09:00:00Z",
                "2026-11-22T09:01:00Z",
            ),
            backup(
                "new",
                &["shop"],
                "Completed",
                "2026-11-22T11:00:00Z",
                "2026-11-22T11:30:00Z",
            ),
            backup(
                "partial",
                &["shop"],
                "PartiallyFailed",
                "2026-11-22T11:45:00Z",
                "2026-11-22T11:46:00Z",
            ),
            backup(
                "other",
                &["web"],
                "Completed",
                "2026-11-22T11:50:00Z",
                "2026-11-22T11:51:00Z",
            ),
        ];
        let found = preflight(&backups, &[location("Available")], &plan(), NOON);
        assert_eq!(found.backup.expect("a backup")["metadata"]["name"], "new");
        assert_eq!(found.rpo_seconds, Some(1800));
        assert_eq!(found.ca_pem.as_deref(), Some(&b"PEM"[..]));
        assert_eq!(
            found.verdict,
            Ok("backup new from 2026-11-22T11:30:00Z, location default Available".into())
        );
    }

    #[test]
    fn preflight_names_every_problem() {
        let backups = [backup(
            "new",
            &["shop"],
            "Completed",
            "2026-11-22T09:00:00Z",
            "2026-11-22T09:00:00Z",
        )];
        let found = preflight(&backups, &[location("Unavailable")], &plan(), NOON);
        assert_eq!(
            found.verdict,
            Err("storage location default is Unavailable; backup new is 3h old, above --max-backup-age 1h".into())
        );
        let found = preflight(&backups, &[], &plan(), NOON);
        assert_eq!(
            found.verdict,
            Err("storage location default is NotFound; backup new is 3h old, above --max-backup-age 1h".into())
        );
        let named = Plan {
            backup: Some("missing".into()),
            ..plan()
        };
        let found = preflight(&backups, &[location("Available")], &named, NOON);
        assert!(found.backup.is_none() && found.rpo_seconds.is_none());
        assert_eq!(
            found.verdict,
            Err("backup missing not found in namespace velero".into())
        );
        let uncovered = Plan {
            backup: Some("new".into()),
            namespaces: vec!["shop".into(), "web".into()],
            max_backup_age: Duration::from_secs(86400),
            ..plan()
        };
        let found = preflight(&backups, &[location("Available")], &uncovered, NOON);
        assert_eq!(
            found.verdict,
            Err("backup new does not cover namespace web".into())
        );
    }

    #[test]
    fn a_plan_accepts_partially_failed_only_when_allowed() {
        let mut plan = plan();
        assert!(plan.accepts("Completed"));
        assert!(!plan.accepts("PartiallyFailed"));
        assert!(!plan.accepts("Failed"));
        plan.allow_partially_failed = true;
        assert!(plan.accepts("PartiallyFailed"));
        assert!(!plan.accepts("InProgress"));
    }
}
