//! `kubectl drtest run`: restore the latest backup into a sandbox, wait for it, smoke-test it,
//! measure RPO and RTO, report, and always clean up what the drill created.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};
use shipshape::output::{Report, Table, Tone};
use shipshape::wait::{Check, Wait};
use shipshape::{ApiCall, Kube};

use crate::velero;

/// The label on everything a drill creates; cleanup deletes nothing without it.
pub const DRILL_LABEL: &str = "drtest.shipshape.dev/drill";
/// When a drill's leftovers may be removed by `kubectl drtest cleanup`.
pub const EXPIRES_ANNOTATION: &str = "drtest.shipshape.dev/expires";

/// One phase of the drill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    pub name: String,
    /// `passed`, `failed` or `skipped`.
    pub result: String,
    pub seconds: f64,
    pub message: String,
}

/// The drill report (`kind: DrillReport`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DrillReport {
    /// `passed` or `failed`.
    pub result: String,
    pub backup: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpo_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rto_seconds: Option<i64>,
    pub phases: Vec<Phase>,
    /// Restored workloads and claims with their readiness.
    pub objects: Vec<Value>,
    pub smoke: Vec<Value>,
}

impl DrillReport {
    pub fn passed(&self) -> bool {
        self.result == "passed"
    }

    /// JUnit: a test case per phase.
    pub fn junit(&self) -> String {
        let cases = self
            .phases
            .iter()
            .map(|p| shipshape::junit::Case {
                classname: "drtest".into(),
                name: p.name.clone(),
                time: Some(p.seconds),
                outcome: match p.result.as_str() {
                    "passed" => shipshape::junit::Outcome::Passed,
                    "skipped" => shipshape::junit::Outcome::Skipped {
                        message: p.message.clone(),
                    },
                    _ => shipshape::junit::Outcome::Failed {
                        message: p.message.clone(),
                        text: p.message.clone(),
                    },
                },
                output: None,
            })
            .collect();
        shipshape::junit::render(
            "kubectl drtest run",
            &[shipshape::junit::Suite {
                name: "drill".into(),
                cases,
            }],
        )
    }
}

impl Report for DrillReport {
    const KIND: &'static str = "DrillReport";

    fn human(&self, _wide: bool) -> String {
        let mut table = Table::new(["PHASE", "RESULT", "SECONDS", "MESSAGE"]);
        table
            .color(shipshape::output::color_enabled(&std::io::stdout()))
            .align_right(2);
        for p in &self.phases {
            let tone = match p.result.as_str() {
                "passed" => Tone::Good,
                "failed" => Tone::Bad,
                _ => Tone::Muted,
            };
            table.toned_row(vec![
                (p.name.clone(), Tone::Plain),
                (p.result.clone(), tone),
                (format!("{:.1}", p.seconds), Tone::Plain),
                (p.message.clone(), Tone::Plain),
            ]);
        }
        let seconds = |s: Option<i64>| {
            s.map_or("-".into(), |s| {
                shipshape::duration::human(Duration::from_secs(s.max(0) as u64))
            })
        };
        format!(
            "{}drill {}: backup {}, RPO {}, RTO {}\n",
            table.render(),
            self.result,
            self.backup["name"].as_str().unwrap_or("-"),
            seconds(self.rpo_seconds),
            seconds(self.rto_seconds)
        )
    }
}

/// What a drill needs.
#[derive(Debug, Clone)]
pub struct Plan {
    pub namespaces: Vec<String>,
    pub backup: Option<String>,
    pub allow_partially_failed: bool,
    pub velero_namespace: String,
    pub smoke_image: Option<String>,
    pub smoke_command: Option<String>,
    pub max_backup_age: Duration,
    pub timeout: Duration,
    pub keep: bool,
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
        let phase = b["status"]["phase"].as_str().unwrap_or_default();
        (phase == "Completed" || (plan.allow_partially_failed && phase == "PartiallyFailed"))
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
    started: Instant,
}

impl Recorder {
    fn phase(&mut self, name: &str, since: Instant, outcome: Result<String, String>) -> bool {
        let (result, message, ok) = match outcome {
            Ok(m) => ("passed", m, true),
            Err(m) => ("failed", m, false),
        };
        eprintln!("{name}: {result}: {message}");
        self.report.phases.push(Phase {
            name: name.into(),
            result: result.into(),
            seconds: since.elapsed().as_secs_f64(),
            message,
        });
        ok
    }
}

/// Runs a drill. API errors end it like failures (the report says where) after cleanup;
/// Ctrl-C ends it after cleanup with the interruption as the error.
pub async fn run(kube: &Kube, plan: &Plan) -> anyhow::Result<DrillReport> {
    let mut rec = Recorder {
        report: DrillReport {
            result: "failed".into(),
            ..DrillReport::default()
        },
        started: Instant::now(),
    };
    let id = format!("{:x}", jiff::Timestamp::now().as_second() % 0xfffff);
    let sandbox: Vec<(String, String)> = plan
        .namespaces
        .iter()
        .map(|ns| (ns.clone(), format!("{ns}-drtest-{id}")))
        .collect();
    let restore_name = format!("drtest-{id}");
    let outcome = drill(kube, plan, &sandbox, &restore_name, &mut rec).await;
    // Cleanup, always.
    let since = Instant::now();
    if plan.keep {
        rec.report.phases.push(Phase {
            name: "cleanup".into(),
            result: "skipped".into(),
            seconds: 0.0,
            message: format!(
                "--keep: sandbox {} left in place",
                sandbox
                    .iter()
                    .map(|(_, s)| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    } else {
        let cleaned = cleanup(kube, &plan.velero_namespace, &sandbox, &restore_name).await;
        rec.phase("cleanup", since, cleaned.map_err(|e| e.to_string()));
    }
    match outcome {
        Ok(()) => {
            if rec.report.phases.iter().all(|p| p.result != "failed") {
                rec.report.result = "passed".into();
                rec.report
                    .rto_seconds
                    .get_or_insert(rec.started.elapsed().as_secs() as i64);
            }
            Ok(rec.report)
        }
        Err(e)
            if e.chain().any(|c| {
                c.is::<shipshape::wait::WaitError>() && c.to_string().starts_with("interrupted")
            }) =>
        {
            Err(shipshape::exit::Interrupted.into())
        }
        Err(e) => {
            rec.report.phases.push(Phase {
                name: "error".into(),
                result: "failed".into(),
                seconds: 0.0,
                message: format!("{e:#}"),
            });
            Ok(rec.report)
        }
    }
}

async fn drill(
    kube: &Kube,
    plan: &Plan,
    sandbox: &[(String, String)],
    restore_name: &str,
    rec: &mut Recorder,
) -> anyhow::Result<()> {
    use k8s_openapi::api::core::v1 as core;
    let vns = plan.velero_namespace.as_str();
    // Preflight.
    let since = Instant::now();
    let backups =
        shipshape::list::list(kube, &velero("backups", "Backup"), Some(vns), None).await?;
    let locations = shipshape::list::list(
        kube,
        &velero("backupstoragelocations", "BackupStorageLocation"),
        Some(vns),
        None,
    )
    .await?;
    let backup = match pick_backup(&backups, plan) {
        Ok(b) => b.clone(),
        Err(e) => {
            rec.phase("preflight", since, Err(e));
            return Ok(());
        }
    };
    let name = backup["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let completed = backup["status"]["completionTimestamp"]
        .as_str()
        .map(str::to_owned);
    rec.report.backup =
        json!({"name": name, "completed": completed, "phase": backup["status"]["phase"]});
    let now = jiff::Timestamp::now().as_second();
    let age = completed
        .as_deref()
        .and_then(|c| c.parse::<jiff::Timestamp>().ok())
        .map(|c| now - c.as_second());
    rec.report.rpo_seconds = age;
    let location = backup["spec"]["storageLocation"]
        .as_str()
        .unwrap_or("default");
    let location_phase = locations
        .iter()
        .find(|l| l["metadata"]["name"] == location)
        .and_then(|l| l["status"]["phase"].as_str())
        .unwrap_or("NotFound");
    let problems: Vec<String> = [
        (!matches!(
            backup["status"]["phase"].as_str(),
            Some("Completed") | Some("PartiallyFailed")
        ) || (!plan.allow_partially_failed && backup["status"]["phase"] == "PartiallyFailed"))
            .then(|| {
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
    if !rec.phase(
        "preflight",
        since,
        if problems.is_empty() {
            Ok(format!(
                "backup {name} from {}, location {location} Available",
                completed.unwrap_or_default()
            ))
        } else {
            Err(problems.join("; "))
        },
    ) {
        return Ok(());
    }

    // Sandbox: our namespaces, labelled, with an expiry, isolated by NetworkPolicies.
    let since = Instant::now();
    let applier =
        shipshape::apply::Applier::new(kube, crate::PLUGIN, shipshape::apply::DryRun::None);
    let expires = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(24 * 3600))
        .map(|t| {
            t.round(jiff::Unit::Second)
                .map(|t| t.to_string())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    for (_, target) in sandbox {
        applier.apply(&json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": target, "labels": {DRILL_LABEL: restore_name}, "annotations": {EXPIRES_ANNOTATION: expires}}})).await?;
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
    let mapping: serde_json::Map<String, Value> =
        sandbox.iter().map(|(s, t)| (s.clone(), json!(t))).collect();
    applier
        .apply(&json!({"apiVersion": "velero.io/v1", "kind": "Restore", "metadata": {"name": restore_name, "namespace": vns, "labels": {DRILL_LABEL: restore_name}},
            "spec": {"backupName": name, "includedNamespaces": plan.namespaces, "namespaceMapping": mapping, "includeClusterResources": false, "existingResourcePolicy": "none"}}))
        .await?;
    let restores: kube::Api<kube::api::DynamicObject> =
        kube::Api::namespaced_with(kube.client.clone(), vns, &velero("restores", "Restore"));
    let restores = &restores;
    let status = Wait::new(format!("restore {restore_name}"), plan.timeout)
        .every(Duration::from_millis(500))
        .until(|| async move {
            let r = restores.get(restore_name).await.map_err(|e| {
                kube.explain(
                    ApiCall::new("get", "restores.velero.io")
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
    let ok = phase == "Completed" || (phase == "PartiallyFailed" && plan.allow_partially_failed);
    let message = if status["validationErrors"].is_array() {
        format!("{phase}: {}", status["validationErrors"])
    } else {
        format!("{phase}: {counts}")
    };
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
                for (resource, kind) in [
                    (kube::core::ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&()), "Deployment"),
                    (kube::core::ApiResource::erase::<k8s_openapi::api::apps::v1::StatefulSet>(&()), "StatefulSet"),
                    (kube::core::ApiResource::erase::<k8s_openapi::api::apps::v1::DaemonSet>(&()), "DaemonSet"),
                    (kube::core::ApiResource::erase::<core::PersistentVolumeClaim>(&()), "PersistentVolumeClaim"),
                ] {
                    for o in shipshape::list::list(kube, &resource, Some(target), None).await? {
                        let name = o["metadata"]["name"].as_str().unwrap_or_default().to_owned();
                        let s = &o["status"];
                        let (ready, detail) = match kind {
                            "PersistentVolumeClaim" => (s["phase"] == "Bound", s["phase"].as_str().unwrap_or("Pending").to_owned()),
                            "DaemonSet" => {
                                let want = s["desiredNumberScheduled"].as_i64().unwrap_or(0);
                                (s["numberReady"].as_i64().unwrap_or(0) >= want, format!("{}/{want} ready", s["numberReady"].as_i64().unwrap_or(0)))
                            }
                            _ => {
                                let want = o["spec"]["replicas"].as_i64().unwrap_or(1);
                                let have = s["readyReplicas"].as_i64().unwrap_or(0);
                                (have >= want, format!("{have}/{want} ready"))
                            }
                        };
                        if !ready {
                            pending.push(format!("{kind}/{name} {detail}"));
                        }
                        objects.push(json!({"kind": kind, "namespace": target, "name": name, "ready": ready, "status": detail}));
                    }
                }
                anyhow::Ok(if pending.is_empty() { Check::Done(objects) } else { Check::Pending(pending.join(", ")) })
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

    // Smoke test: a Job in the (first) sandbox namespace, its logs kept.
    let since = Instant::now();
    match (&plan.smoke_image, &plan.smoke_command) {
        (Some(image), command) => {
            let target = sandbox[0].1.clone();
            let job_name = format!("{restore_name}-smoke");
            let mut container = json!({"name": "smoke", "image": image, "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}});
            if let Some(command) = command {
                container["command"] = json!(["sh", "-c", command]);
            }
            applier
                .apply(&json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": job_name, "namespace": target, "labels": {DRILL_LABEL: restore_name}},
                    "spec": {"backoffLimit": 0, "template": {"metadata": {"labels": {DRILL_LABEL: restore_name}}, "spec": {"restartPolicy": "Never", "containers": [container]}}}}))
                .await?;
            let jobs: kube::Api<k8s_openapi::api::batch::v1::Job> =
                kube::Api::namespaced(kube.client.clone(), &target);
            let (jobs_ref, job_ref) = (&jobs, job_name.as_str());
            let passed = Wait::new(format!("smoke job {job_name}"), plan.timeout)
                .every(Duration::from_millis(500))
                .until(|| async move {
                    let job = jobs_ref.get(job_ref).await?;
                    let conditions = job.status.and_then(|s| s.conditions).unwrap_or_default();
                    let done = |t: &str| {
                        conditions
                            .iter()
                            .any(|c| c.type_ == t && c.status == "True")
                    };
                    anyhow::Ok(if done("Complete") {
                        Check::Done(true)
                    } else if done("Failed") {
                        Check::Done(false)
                    } else {
                        Check::Pending("running".into())
                    })
                })
                .await?;
            let pods: kube::Api<core::Pod> = kube::Api::namespaced(kube.client.clone(), &target);
            let mut log = String::new();
            for pod in pods
                .list(&kube::api::ListParams::default().labels(&format!("job-name={job_name}")))
                .await?
                .items
            {
                let pod_name = pod.metadata.name.unwrap_or_default();
                log.push_str(
                    &pods
                        .logs(&pod_name, &Default::default())
                        .await
                        .unwrap_or_default(),
                );
            }
            rec.report
                .smoke
                .push(json!({"job": job_name, "passed": passed, "log": log}));
            let message = format!(
                "job {job_name} {}",
                if passed { "completed" } else { "failed" }
            );
            if !rec.phase(
                "smoke",
                since,
                if passed {
                    Ok(message)
                } else {
                    Err(format!("{message}: {}", log.trim()))
                },
            ) {
                return Ok(());
            }
        }
        (None, _) => rec.report.phases.push(Phase {
            name: "smoke".into(),
            result: "skipped".into(),
            seconds: 0.0,
            message: "no --smoke-image".into(),
        }),
    }
    rec.report.rto_seconds = Some(rec.started.elapsed().as_secs() as i64);
    Ok(())
}

/// Deletes a drill's sandbox namespaces (only those carrying its label) and its Restore.
pub async fn cleanup(
    kube: &Kube,
    velero_namespace: &str,
    sandbox: &[(String, String)],
    restore_name: &str,
) -> anyhow::Result<String> {
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> =
        kube::Api::all(kube.client.clone());
    let mut deleted = Vec::new();
    for (_, target) in sandbox {
        if let Some(ns) = namespaces.get_opt(target).await?
            && ns
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(DRILL_LABEL))
                .map(String::as_str)
                == Some(restore_name)
        {
            namespaces.delete(target, &Default::default()).await?;
            deleted.push(target.clone());
        }
    }
    let restores: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
        kube.client.clone(),
        velero_namespace,
        &velero("restores", "Restore"),
    );
    match restores.delete(restore_name, &Default::default()).await {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 404 => {}
        Err(e) => return Err(e.into()),
    }
    Ok(format!(
        "deleted namespace(s) {} and restore {restore_name}",
        if deleted.is_empty() {
            "-".into()
        } else {
            deleted.join(", ")
        }
    ))
}
