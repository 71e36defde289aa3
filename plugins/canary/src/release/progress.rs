//! The live view on a terminal: weight against the maximum, step, failed checks and the last
//! metric values against their bounds. Without a terminal, runs print plain lines only.

use std::time::Duration;

use super::Record;
use crate::machine::CheckResult;

static PROGRESS: std::sync::Mutex<Option<indicatif::ProgressBar>> = std::sync::Mutex::new(None);

/// The bar, when one is shown.
pub(super) fn bar() -> Option<indicatif::ProgressBar> {
    PROGRESS.lock().ok().and_then(|p| p.clone())
}

/// Shows a bar for the run when stderr is a terminal.
pub(super) fn start(record: &Record) {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return;
    }
    let Ok(mut slot) = PROGRESS.lock() else {
        return;
    };
    let bar = indicatif::ProgressBar::new(u64::from(record.config.max_weight));
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} weight {pos:>3}%/{len}% [{bar:20}] {msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    *slot = Some(bar);
}

/// The bar brought up to the record's state.
pub(super) fn show(record: &Record) {
    let Some(bar) = bar() else {
        return;
    };
    bar.set_length(u64::from(record.config.max_weight));
    bar.set_position(u64::from(record.state.weight));
    let checks: Vec<String> = record
        .state
        .last_checks
        .iter()
        .map(CheckResult::describe)
        .collect();
    bar.set_message(format!(
        "step {} · {:?} · {}/{} failed · {}",
        record.state.step,
        record.state.phase,
        record.state.failed_checks,
        record.config.threshold,
        if checks.is_empty() {
            "no checks yet".into()
        } else {
            checks.join(" · ")
        }
    ));
}

/// The bar removed (the run has ended).
pub(super) fn finish() {
    if let Some(bar) = PROGRESS.lock().ok().and_then(|mut p| p.take()) {
        bar.finish_and_clear();
    }
}
