//! A canary release in the cluster: its record, its lease, the canary Deployment, the traffic
//! strategies and the loop that drives it.
//!
//! - [`record`]: the run record — settings, the primary's pre-canary template and replica
//!   count, the machine's state and an event history — and [`store`], which keeps it in a
//!   ConfigMap `<deploy>-canary-state` (key `run.json`), rewritten after every action, so a run
//!   whose CLI died resumes from the recorded step. `abort` and `promote` from elsewhere
//!   annotate that ConfigMap (`canary.shipshape.dev/request`); the driver reads it every
//!   interval, and without a live driver they act themselves.
//! - [`lease`]: a Lease `<deploy>-canary` names the process driving the run; a second driver
//!   is refused while the lease is fresh.
//! - [`cluster`]: the API handles of one run, the primary Deployment, and what the run may
//!   touch (only what it created: [`cluster::Cluster::ensure_ours`]); [`canary`]: the canary
//!   Deployment and the pods its analysis reads.
//! - [`traffic`]: how traffic reaches the canary, one module per strategy behind
//!   [`traffic::Strategy`].
//! - [`driver`]: every interval observe, let [`crate::machine`] decide, act, record.

pub mod canary;
pub mod cluster;
pub mod driver;
pub mod lease;
mod progress;
pub mod record;
pub mod store;
pub mod traffic;

pub use cluster::Cluster;
pub use driver::drive;
pub use lease::identity;
pub use record::{Event, HISTORY_KEPT, Record};
pub use store::state_name;
pub use traffic::Traffic;

/// The annotation other processes use to ask the driver for something.
pub const REQUEST_ANNOTATION: &str = "canary.shipshape.dev/request";
/// The label on everything a run creates.
pub const CANARY_OF_LABEL: &str = "canary.shipshape.dev/canary-of";
/// The label that keeps the canary's pods apart from the primary's.
pub const TRACK_LABEL: &str = "canary.shipshape.dev/track";
/// The value of `app.kubernetes.io/managed-by` on everything a run creates.
pub const MANAGED_BY: &str = "shipshape-canary";

/// The labels of an object a run creates for `deployment`.
pub fn labels(deployment: &str) -> serde_json::Value {
    serde_json::json!({CANARY_OF_LABEL: deployment, "app.kubernetes.io/managed-by": MANAGED_BY})
}

/// RFC 3339 now.
pub fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// The wall clock for event lines: `14:03:07`.
fn now_clock() -> String {
    jiff::Zoned::now().strftime("%H:%M:%S").to_string()
}

/// Canary replicas for a weight, with `total` pods shared: at least one each while running.
pub fn split(total: i64, weight: u32) -> (i64, i64) {
    if total <= 1 {
        return (1, total.max(1));
    }
    let canary = (total * i64::from(weight)).div_euclid(100)
        + i64::from((total * i64::from(weight)).rem_euclid(100) != 0);
    let canary = canary.clamp(1, total - 1);
    (canary, total - canary)
}

/// Sets the image of the named container (or the first) in a pod template.
pub fn set_image(template: &mut serde_json::Value, container: &str, image: &str) {
    if let Some(containers) = template["spec"]["containers"].as_array_mut() {
        let index = containers
            .iter()
            .position(|c| c["name"] == container)
            .unwrap_or(0);
        if let Some(c) = containers.get_mut(index) {
            c["image"] = serde_json::json!(image);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_keep_the_total_and_one_pod_each() {
        assert_eq!(split(4, 10), (1, 3));
        assert_eq!(split(4, 50), (2, 2));
        assert_eq!(split(10, 10), (1, 9));
        assert_eq!(split(10, 50), (5, 5));
        assert_eq!(split(3, 90), (2, 1));
        assert_eq!(split(1, 50), (1, 1));
    }
}
