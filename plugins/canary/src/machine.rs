//! The canary state machine: observations in, one action out per interval. Pure — the driver
//! applies the action to the cluster and records the state, so a run can resume anywhere.
//!
//! Failure semantics:
//! - Each interval, the canary must be available and every check must pass. A failed check
//!   holds the weight where it is and adds one to `failed_checks`.
//! - A canary whose pods are still starting (created, or scaled up for a higher weight) holds
//!   the weight without counting, as Flagger waits for a rollout: pods take seconds to minutes
//!   to become ready on a real cluster. It is rolled back when its Deployment reports
//!   `ProgressDeadlineExceeded`, or when it stays unavailable for longer than its
//!   `progressDeadlineSeconds` (a scale-up never sets that condition).
//! - The count is **cumulative** over the run, as in Flagger: a canary that fails every other
//!   check is as suspect as one that fails several in a row, and resetting on success would let
//!   a flapping release through. At `threshold` failed checks the canary is rolled back.
//! - Checks without data follow `--on-no-data`: `fail` counts them as failed (the default: no
//!   traffic is no evidence), `hold` keeps the weight without counting, `pass` ignores them.
//! - When every check passes the weight goes up by `step_weight`, up to `max_weight`. A passing
//!   interval at `max_weight` promotes — or, with a manual gate, waits for `promote`.
//! - `abort` rolls back and `promote` promotes at the next interval, whatever the checks say.
//! - Webhooks are observations too: a failed rollout webhook is a failed check, a rollback
//!   webhook that answers 2xx rolls back (before `abort`, naming the webhook), and a
//!   confirm-promotion webhook that refuses keeps a due promotion waiting at its weight.

use serde::{Deserialize, Serialize};

/// What to do with checks that return no data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum NoData {
    Fail,
    Hold,
    Pass,
}

/// The run's settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    pub step_weight: u32,
    pub max_weight: u32,
    pub threshold: u32,
    pub on_no_data: NoData,
    pub manual_gate: bool,
}

impl Default for Config {
    /// The playbook's: step 10, max 50, threshold 5.
    fn default() -> Self {
        Self {
            step_weight: 10,
            max_weight: 50,
            threshold: 5,
            on_no_data: NoData::Fail,
            manual_gate: false,
        }
    }
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Shifting traffic step by step.
    Progressing,
    /// At the maximum weight, checks passing, waiting for `kubectl canary promote`.
    WaitingPromotion,
    /// Copying the canary onto the primary.
    Promoting,
    /// Done: the primary runs the new version.
    Succeeded,
    /// Routing everything back and removing the canary.
    RollingBack,
    /// Done: the primary is untouched, the canary gone.
    RolledBack,
}

impl Phase {
    /// Whether the run is over.
    pub fn finished(self) -> bool {
        matches!(self, Phase::Succeeded | Phase::RolledBack)
    }
}

/// One check's outcome this interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub name: String,
    /// None when the query returned no data.
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl CheckResult {
    /// Whether the value is within bounds (None without data).
    pub fn passed(&self) -> Option<bool> {
        let value = self.value?;
        Some(self.min.is_none_or(|m| value >= m) && self.max.is_none_or(|m| value <= m))
    }

    /// `request-success-rate 97.5 (min 99)`.
    pub fn describe(&self) -> String {
        let bound = match (self.min, self.max) {
            (Some(min), _) => format!("min {min}"),
            (_, Some(max)) => format!("max {max}"),
            _ => "no bound".into(),
        };
        match self.value {
            Some(v) => format!("{} {} ({bound})", self.name, (v * 100.0).round() / 100.0),
            None => format!("{} no data ({bound})", self.name),
        }
    }
}

/// Whether the canary's pods are all available.
#[derive(Debug, Clone, PartialEq)]
pub enum Availability {
    /// All available at the size asked for.
    Ready,
    /// Still starting: tolerated for `patience` intervals in a row (the Deployment's
    /// progress deadline in intervals).
    Starting { patience: u32 },
    /// The Deployment gave up (`ProgressDeadlineExceeded`): its condition's message.
    Stalled(String),
}

/// What the driver saw this interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub canary: Availability,
    pub checks: Vec<CheckResult>,
    /// `kubectl canary abort` was asked for.
    pub abort: bool,
    /// `kubectl canary promote` was asked for (it also opens the manual gate).
    pub promote: bool,
    /// A rollback webhook answered 2xx: the URL of the first that did (it rolls back, as
    /// `abort` does).
    pub rollback_webhook: Option<String>,
    /// The answers of the confirm-promotion webhooks that did not agree, when a promotion was
    /// due: the canary waits at its weight until they do.
    pub promotion_refused: Vec<String>,
}

/// What the driver must do now.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Route this share of traffic to the canary.
    SetWeight(u32),
    /// Keep everything as it is this interval.
    Hold,
    /// Copy the canary onto the primary.
    Promote,
    /// Keep the weight: a promotion is due, but confirm-promotion webhooks refused (their
    /// answers).
    AwaitConfirmation(String),
    /// Route everything back to the primary and remove the canary.
    Rollback(String),
}

/// The machine's state (recorded in the cluster between intervals).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    pub phase: Phase,
    pub weight: u32,
    /// Intervals decided so far.
    pub step: u32,
    pub failed_checks: u32,
    /// Intervals in a row the canary has been starting (not yet available).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unready_intervals: u32,
    pub last_checks: Vec<CheckResult>,
    /// Why it rolled back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            phase: Phase::Progressing,
            weight: 0,
            step: 0,
            failed_checks: 0,
            unready_intervals: 0,
            last_checks: Vec::new(),
            reason: None,
        }
    }
}

/// Decides one interval.
pub fn decide(config: &Config, state: &mut State, observation: &Observation) -> Action {
    state.step += 1;
    state.last_checks = observation.checks.clone();
    if let Some(url) = &observation.rollback_webhook {
        return rollback(state, format!("the rollback webhook {url} asked for it"));
    }
    if observation.abort {
        return rollback(state, "aborted with `kubectl canary abort`".into());
    }
    if observation.promote {
        state.phase = Phase::Promoting;
        return Action::Promote;
    }
    match &observation.canary {
        Availability::Ready => state.unready_intervals = 0,
        Availability::Stalled(why) => {
            return rollback(state, format!("the canary did not become available: {why}"));
        }
        Availability::Starting { patience } => {
            state.unready_intervals += 1;
            if state.unready_intervals > *patience {
                return rollback(
                    state,
                    format!(
                        "the canary's pods were not all available for {} intervals (its progress deadline)",
                        state.unready_intervals
                    ),
                );
            }
            return Action::Hold;
        }
    }
    let failure = {
        let failed: Vec<String> = observation
            .checks
            .iter()
            .filter(|c| match c.passed() {
                Some(passed) => !passed,
                None => config.on_no_data == NoData::Fail,
            })
            .map(CheckResult::describe)
            .collect();
        let holding = config.on_no_data == NoData::Hold
            && observation.checks.iter().any(|c| c.value.is_none());
        if !failed.is_empty() {
            Some(failed.join(", "))
        } else if holding {
            return Action::Hold;
        } else {
            None
        }
    };
    if let Some(why) = failure {
        state.failed_checks += 1;
        if state.failed_checks >= config.threshold {
            return rollback(
                state,
                format!(
                    "{} failed checks (threshold {}); last: {why}",
                    state.failed_checks, config.threshold
                ),
            );
        }
        return Action::Hold;
    }
    if state.weight >= config.max_weight {
        if config.manual_gate {
            state.phase = Phase::WaitingPromotion;
            return Action::Hold;
        }
        if !observation.promotion_refused.is_empty() {
            state.phase = Phase::WaitingPromotion;
            return Action::AwaitConfirmation(observation.promotion_refused.join("; "));
        }
        state.phase = Phase::Promoting;
        return Action::Promote;
    }
    state.weight = (state.weight + config.step_weight).min(config.max_weight);
    Action::SetWeight(state.weight)
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn rollback(state: &mut State, reason: String) -> Action {
    state.phase = Phase::RollingBack;
    state.reason = Some(reason.clone());
    Action::Rollback(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Observation {
        Observation {
            canary: Availability::Ready,
            checks: vec![CheckResult {
                name: "request-success-rate".into(),
                value: Some(99.9),
                min: Some(99.0),
                max: None,
            }],
            abort: false,
            promote: false,
            rollback_webhook: None,
            promotion_refused: Vec::new(),
        }
    }

    fn bad() -> Observation {
        let mut o = good();
        o.checks[0].value = Some(80.0);
        o
    }

    fn no_data() -> Observation {
        let mut o = good();
        o.checks[0].value = None;
        o
    }

    fn run(
        config: &Config,
        observations: impl IntoIterator<Item = Observation>,
    ) -> (State, Vec<Action>) {
        let mut state = State::default();
        let mut actions = Vec::new();
        for o in observations {
            let action = decide(config, &mut state, &o);
            let done = matches!(action, Action::Promote | Action::Rollback(_));
            actions.push(action);
            if done {
                break;
            }
        }
        (state, actions)
    }

    #[test]
    fn weights_climb_by_step_to_the_maximum_then_promote() {
        let (state, actions) = run(&Config::default(), std::iter::repeat_n(good(), 10));
        assert_eq!(
            actions,
            [10, 20, 30, 40, 50]
                .map(Action::SetWeight)
                .into_iter()
                .chain([Action::Promote])
                .collect::<Vec<_>>()
        );
        assert_eq!(
            (state.phase, state.step, state.failed_checks),
            (Phase::Promoting, 6, 0)
        );
        let odd = Config {
            step_weight: 20,
            max_weight: 50,
            ..Config::default()
        };
        let (_, actions) = run(&odd, std::iter::repeat_n(good(), 10));
        assert_eq!(
            actions[..3],
            [
                Action::SetWeight(20),
                Action::SetWeight(40),
                Action::SetWeight(50)
            ]
        );
    }

    #[test]
    fn failures_hold_and_count_cumulatively_to_the_threshold() {
        let config = Config {
            threshold: 3,
            ..Config::default()
        };
        // Failures between successes still add up.
        let (state, actions) = run(
            &config,
            [good(), bad(), good(), bad(), good(), bad(), good()],
        );
        assert_eq!(actions[1], Action::Hold);
        assert_eq!(
            actions[2],
            Action::SetWeight(20),
            "a passing interval advances again"
        );
        assert!(
            matches!(actions.last(), Some(Action::Rollback(reason)) if reason.starts_with("3 failed checks (threshold 3); last: request-success-rate 80 (min 99)"))
        );
        assert_eq!((state.phase, state.weight), (Phase::RollingBack, 30));
    }

    #[test]
    fn a_starting_canary_holds_until_its_progress_deadline() {
        let config = Config {
            threshold: 2,
            ..Config::default()
        };
        let mut starting = good();
        starting.canary = Availability::Starting { patience: 4 };
        // Slow pods are not failed checks: the run holds, then goes on once they are ready.
        let (state, actions) = run(
            &config,
            std::iter::repeat_n(starting.clone(), 4).chain([good()]),
        );
        assert_eq!(
            actions,
            [
                Action::Hold,
                Action::Hold,
                Action::Hold,
                Action::Hold,
                Action::SetWeight(10)
            ]
        );
        assert_eq!((state.failed_checks, state.unready_intervals), (0, 0));
        // Unready for longer than the deadline rolls back.
        let (state, _) = run(&config, std::iter::repeat_n(starting, 6));
        assert_eq!(state.phase, Phase::RollingBack);
        assert_eq!(state.step, 5);
        assert!(
            state
                .reason
                .unwrap()
                .contains("not all available for 5 intervals")
        );
        // The Deployment's own verdict rolls back at once.
        let mut stalled = good();
        stalled.canary =
            Availability::Stalled("ReplicaSet \"web-canary-1\" has timed out progressing.".into());
        let (state, _) = run(&config, [stalled]);
        assert_eq!(state.phase, Phase::RollingBack);
        assert!(
            state
                .reason
                .unwrap()
                .starts_with("the canary did not become available: ReplicaSet")
        );
    }

    #[test]
    fn the_no_data_policy() {
        let fail = Config {
            threshold: 2,
            ..Config::default()
        };
        let (state, _) = run(&fail, [no_data(), no_data()]);
        assert_eq!(state.phase, Phase::RollingBack);
        let hold = Config {
            on_no_data: NoData::Hold,
            threshold: 2,
            ..Config::default()
        };
        let (state, actions) = run(&hold, [no_data(), no_data(), no_data(), good()]);
        assert_eq!(
            actions,
            [
                Action::Hold,
                Action::Hold,
                Action::Hold,
                Action::SetWeight(10)
            ]
        );
        assert_eq!(state.failed_checks, 0);
        let pass = Config {
            on_no_data: NoData::Pass,
            ..Config::default()
        };
        let (_, actions) = run(&pass, [no_data()]);
        assert_eq!(actions, [Action::SetWeight(10)]);
    }

    #[test]
    fn the_manual_gate_waits_for_promote_and_abort_wins() {
        let gated = Config {
            manual_gate: true,
            ..Config::default()
        };
        let (state, actions) = run(&gated, std::iter::repeat_n(good(), 8));
        assert_eq!(actions[5..], [Action::Hold, Action::Hold, Action::Hold]);
        assert_eq!(state.phase, Phase::WaitingPromotion);
        let mut promote = good();
        promote.promote = true;
        let mut state = state;
        assert_eq!(decide(&gated, &mut state, &promote), Action::Promote);
        let mut abort = promote.clone();
        abort.abort = true;
        let mut fresh = State::default();
        assert!(
            matches!(decide(&gated, &mut fresh, &abort), Action::Rollback(r) if r.contains("abort"))
        );
    }

    #[test]
    fn webhook_verdicts_are_decided_by_the_machine() {
        let config = Config::default();
        // A rollback webhook rolls back at once, whatever the checks, and says which.
        let mut asked = good();
        asked.rollback_webhook = Some("http://hooks/rollback".into());
        asked.abort = true;
        let mut state = State::default();
        let action = decide(&config, &mut state, &asked);
        assert_eq!(
            action,
            Action::Rollback("the rollback webhook http://hooks/rollback asked for it".into())
        );
        assert_eq!(state.phase, Phase::RollingBack);
        // A refused confirmation holds a due promotion at the maximum weight, then it goes
        // through once the webhooks agree.
        let (mut state, _) = run(&config, std::iter::repeat_n(good(), 5));
        assert_eq!(state.weight, 50);
        let mut refused = good();
        refused.promotion_refused = vec!["http://hooks/confirm: 403".into()];
        assert_eq!(
            decide(&config, &mut state, &refused),
            Action::AwaitConfirmation("http://hooks/confirm: 403".into())
        );
        assert_eq!((state.phase, state.weight), (Phase::WaitingPromotion, 50));
        assert_eq!(decide(&config, &mut state, &good()), Action::Promote);
        assert_eq!(state.phase, Phase::Promoting);
        // Refusals matter only when a promotion is due: below the maximum the weight climbs.
        let mut early = State::default();
        assert_eq!(decide(&config, &mut early, &refused), Action::SetWeight(10));
    }

    #[test]
    fn bounds_and_descriptions() {
        let latency = CheckResult {
            name: "request-duration".into(),
            value: Some(612.345),
            min: None,
            max: Some(500.0),
        };
        assert_eq!(latency.passed(), Some(false));
        assert_eq!(latency.describe(), "request-duration 612.35 (max 500)");
        assert_eq!(
            CheckResult {
                value: None,
                ..latency
            }
            .passed(),
            None
        );
    }
}
