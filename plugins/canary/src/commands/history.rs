//! `kubectl canary history`: past releases of a Deployment.

use std::time::Duration;

use serde_json::Value;
use shipshape::exit::Exit;
use shipshape::output::Table;
use shipshape::{GlobalArgs, Kube};

use super::recorded;
use crate::PLUGIN;
use crate::cli::TargetArgs;

/// Runs `kubectl canary history`.
pub async fn run(global: &GlobalArgs, args: &TargetArgs) -> anyhow::Result<Exit> {
    let kube = Kube::connect(&global.kube, PLUGIN).await?;
    let (record, _) = recorded(&kube, &args.deployment).await?;
    let mut table = Table::new(["STARTED", "IMAGE", "RESULT", "STEPS", "DURATION", "REASON"]);
    let current = record.summary();
    for run in record.history.iter().chain([&current]) {
        let duration = match (
            run["started"]
                .as_str()
                .and_then(|s| s.parse::<jiff::Timestamp>().ok()),
            run["finished"]
                .as_str()
                .and_then(|s| s.parse::<jiff::Timestamp>().ok()),
        ) {
            (Some(a), Some(b)) => shipshape::duration::human(Duration::from_secs(
                b.as_second().saturating_sub(a.as_second()).max(0) as u64,
            )),
            _ => "-".into(),
        };
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        table.row([
            text(&run["started"]),
            text(&run["image"]),
            text(&run["phase"]),
            run["steps"].to_string(),
            duration,
            run["reason"].as_str().unwrap_or("").to_owned(),
        ]);
    }
    shipshape::output::print(&table.render())?;
    Ok(Exit::Success)
}
