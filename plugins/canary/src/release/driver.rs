//! The loop that drives a recorded run to its end: every interval take the lease, observe
//! (the canary's availability, the checks, the webhooks, a request from elsewhere), let
//! [`crate::machine::decide`] choose the action, apply it, record.

use std::time::Duration;

use super::{Cluster, Record, identity, now, progress, state_name};
use crate::machine::{self, Action, Observation, Phase};
use crate::webhooks::Kind;

/// Drives a recorded run to its end: every interval, observe, decide, act, record.
/// Returns the final phase. Ctrl-C leaves the run resumable (exit 130).
pub async fn drive(
    cluster: &Cluster<'_>,
    record: &mut Record,
    timeout: Duration,
) -> anyhow::Result<Phase> {
    // Transient failures (the API server unreachable or answering 5xx/429 past the client's
    // own retries) do not end the run: the driver tries again for a while, converging on the
    // recorded weight first. Progress (a new event) resets the allowance.
    let interval = Duration::from_secs(record.interval_seconds.max(1));
    let allowance = (interval * 3).max(Duration::from_secs(30));
    let mut failing_since: Option<(std::time::Instant, usize)> = None;
    let mut backoff = Duration::from_secs(1);
    loop {
        let error = match drive_steps(cluster, record, timeout, failing_since.is_some()).await {
            Ok(phase) => return Ok(phase),
            Err(e) => e,
        };
        let transient = error
            .chain()
            .filter_map(|c| c.downcast_ref::<shipshape::ClusterError>())
            .any(shipshape::ClusterError::is_transient);
        let progressed = failing_since.is_some_and(|(_, events)| record.events.len() > events);
        if progressed || failing_since.is_none() {
            failing_since = Some((std::time::Instant::now(), record.events.len()));
            backoff = Duration::from_secs(1);
        }
        if shipshape::exit::exit_for(&error) == shipshape::Exit::Interrupted {
            return Err(error);
        }
        let since = failing_since
            .map(|(t, _)| t)
            .unwrap_or_else(std::time::Instant::now);
        if !transient || since.elapsed() + backoff > allowance {
            return Err(error.context(format!(
                "the canary run stopped at step {}, weight {}% (phase {:?}); the run is \
                 recorded in configmap/{} and `kubectl canary resume {} -n {}` continues it",
                record.state.step,
                record.state.weight,
                record.state.phase,
                state_name(&record.deployment),
                record.deployment,
                record.namespace
            )));
        }
        eprintln!(
            "warning: {error:#}; trying again in {} (the run continues)",
            shipshape::duration::human(backoff)
        );
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = tokio::signal::ctrl_c() => {
                shipshape::process::say_interrupted(&format!("the run is recorded in configmap/{}; `kubectl canary resume {}` continues it", state_name(&record.deployment), record.deployment));
                return Err(shipshape::exit::Interrupted.into());
            }
        }
        backoff = (backoff * 2).min(interval.max(Duration::from_secs(1)));
    }
}

/// The driving loop of [`drive`]; `converge` first re-applies the recorded weight (after a
/// failure that may have left the traffic split behind the record).
async fn drive_steps(
    cluster: &Cluster<'_>,
    record: &mut Record,
    timeout: Duration,
    converge: bool,
) -> anyhow::Result<Phase> {
    if converge && record.state.phase == Phase::Progressing && record.state.weight > 0 {
        cluster.route(record, record.state.weight).await?;
    }
    let prometheus =
        shipshape::prometheus::Prometheus::new(&record.prometheus, Duration::from_secs(30))
            .map_err(shipshape::UsageError)?;
    let interval = Duration::from_secs(record.interval_seconds.max(1));
    progress::start(record);
    let me = identity();
    let lease_for = interval * 3 + Duration::from_secs(10);
    let mut asked = false;
    loop {
        cluster
            .leases
            .take(&record.deployment, &me, lease_for)
            .await?;
        match record.state.phase {
            Phase::Promoting => {
                record.event(format!(
                    "promoting: {} onto deployment {}",
                    record.image, record.deployment
                ));
                cluster.store.save(record, false).await?;
                cluster.promote(record, timeout).await?;
                record.state.phase = Phase::Succeeded;
                record.finished = Some(now());
                record.event(format!(
                    "promoted: deployment {} runs {}",
                    record.deployment, record.image
                ));
            }
            Phase::RollingBack => {
                cluster.rollback(record).await?;
                record.state.phase = Phase::RolledBack;
                record.finished = Some(now());
                record.event(format!(
                    "rolled back: deployment {} untouched; {}",
                    record.deployment,
                    record.state.reason.clone().unwrap_or_default()
                ));
            }
            _ => {}
        }
        if record.state.phase.finished() {
            for (_, outcome) in record.call_hooks(Kind::PostRollout).await {
                if let Err(why) = outcome {
                    record.event(format!("post-rollout: {why}"));
                }
            }
            cluster.store.save(record, true).await?;
            cluster.leases.give_up(&record.deployment).await?;
            progress::finish();
            return Ok(record.state.phase);
        }
        // Wait out the interval (Ctrl-C leaves everything as recorded).
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = tokio::signal::ctrl_c() => {
                shipshape::process::say_interrupted(&format!("the run is recorded in configmap/{}; `kubectl canary resume {}` continues it", state_name(&record.deployment), record.deployment));
                return Err(shipshape::exit::Interrupted.into());
            }
        }
        let request = cluster
            .store
            .record(&record.deployment)
            .await?
            .and_then(|(_, r)| r);
        let canary = cluster.canary_availability(record).await?;
        let ready = canary == machine::Availability::Ready;
        let mut checks = if ready {
            // Only this run's pods: series of an earlier canary's pods linger in Prometheus for
            // a while after they are gone.
            let checks = cluster.current_checks(record).await?;
            crate::analysis::evaluate(&prometheus, &checks).await?
        } else {
            Vec::new()
        };
        if ready {
            // A failed rollout webhook is a failed check.
            for (url, outcome) in record.call_hooks(Kind::Rollout).await {
                checks.push(machine::CheckResult {
                    name: format!("rollout webhook {url}"),
                    value: Some(if outcome.is_ok() { 1.0 } else { 0.0 }),
                    min: Some(1.0),
                    max: None,
                });
            }
        }
        // A rollback webhook that answers 2xx asks for a rollback.
        let rollback_webhook = record
            .call_hooks(Kind::Rollback)
            .await
            .into_iter()
            .find(|(_, outcome)| outcome.is_ok())
            .map(|(url, _)| url);
        let mut observation = Observation {
            canary,
            checks,
            abort: request.as_deref() == Some("abort"),
            promote: request.as_deref().is_some_and(|r| r.starts_with("promote")),
            rollback_webhook,
            promotion_refused: Vec::new(),
        };
        let before = record.state.clone();
        let mut action = machine::decide(&record.config, &mut record.state, &observation);
        if action == Action::Promote && !observation.promote {
            // confirm-promotion webhooks are asked only when a promotion is due (as Flagger
            // does); with their answers, the machine decides the interval again.
            observation.promotion_refused = record
                .call_hooks(Kind::ConfirmPromotion)
                .await
                .into_iter()
                .filter_map(|(_, outcome)| outcome.err())
                .collect();
            if !observation.promotion_refused.is_empty() {
                record.state = before;
                action = machine::decide(&record.config, &mut record.state, &observation);
            }
        }
        let values: Vec<String> = record
            .state
            .last_checks
            .iter()
            .map(machine::CheckResult::describe)
            .collect();
        let seen = if ready {
            values.join(", ")
        } else {
            "canary not ready".into()
        };
        match &action {
            Action::SetWeight(weight) => {
                cluster.route(record, *weight).await?;
                let means = record.weight_means(*weight);
                record.event(format!(
                    "step {}: weight {weight}% ({means}); {seen}",
                    record.state.step
                ));
            }
            Action::Hold => record.event(format!(
                "step {}: holding at {}% ({} of {} failed checks); {seen}{}",
                record.state.step,
                record.state.weight,
                record.state.failed_checks,
                record.config.threshold,
                if record.state.phase == Phase::WaitingPromotion {
                    "; waiting for `kubectl canary promote`"
                } else {
                    ""
                }
            )),
            Action::Promote => {
                record.event(format!("step {}: promoting; {seen}", record.state.step))
            }
            Action::AwaitConfirmation(refusals) => record.event(format!(
                "step {}: waiting to promote: {refusals}",
                record.state.step
            )),
            Action::Rollback(reason) => record.event(format!(
                "step {}: rolling back: {reason}",
                record.state.step
            )),
        }
        cluster.store.save(record, request.is_some()).await?;
        progress::show(record);
        // At a manual gate with a person at the terminal, ask once (`promote` from elsewhere
        // works either way).
        if record.state.phase == Phase::WaitingPromotion
            && record.config.manual_gate
            && !asked
            && std::io::IsTerminal::is_terminal(&std::io::stdin())
        {
            asked = true;
            let action = format!(
                "promote deployment {} to {} now",
                record.deployment, record.image
            );
            let bar = progress::bar();
            let yes = tokio::task::spawn_blocking(move || {
                let ask = || shipshape::confirm::confirm(&action, false).is_ok();
                match bar {
                    Some(bar) => bar.suspend(ask),
                    None => ask(),
                }
            })
            .await
            .unwrap_or(false);
            if yes {
                record.state.phase = Phase::Promoting;
                record.event(format!(
                    "step {}: promotion confirmed at the terminal",
                    record.state.step
                ));
                cluster.store.save(record, false).await?;
            } else {
                record.event("not promoted: waiting for `kubectl canary promote` (or `abort`)");
            }
        }
    }
}
