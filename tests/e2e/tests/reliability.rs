//! Faults between the plugins and the API server (simcluster's `serve` fault flags): bounded,
//! logged retries; transient failures ridden out; nothing hidden.

use e2e::{Cluster, kubectl_available};

#[test]
fn a_persistent_429_gives_up_within_the_budget_and_every_retry_is_logged_at_v() {
    if !kubectl_available() {
        return;
    }
    let Some(cluster) = Cluster::start_faulty(&[], &["--throttle-rate", "1"]) else {
        return;
    };
    let out = cluster.kubectl(&["quota", "status", "-A", "-v", "--request-timeout", "3s"]);
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(
        out.stderr
            .contains("429 Too Many Requests; retry 1 in 1s (Retry-After)"),
        "{}",
        out.stderr
    );
    // Bounded by --request-timeout (3 s), not kube-rs' 15 tries over minutes.
    assert!(
        out.stderr.contains("the retry budget is 3s"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Too many requests"), "{}", out.stderr);
    // Without -v the retries are silent and the error is said once.
    let quiet = cluster.kubectl(&["quota", "status", "-A", "--request-timeout", "2s"]);
    assert_eq!(quiet.code, Some(3), "{quiet:?}");
    assert!(!quiet.stderr.contains("retry 1"), "{}", quiet.stderr);
}

#[test]
fn v_logs_every_api_call_and_one_transient_500_is_ridden_out() {
    if !kubectl_available() {
        return;
    }
    let Some(cluster) = Cluster::start_faulty(&[], &["--fail", "list:resourcequotas:500:1"]) else {
        return;
    };
    let out = cluster.kubectl(&["quota", "status", "-A", "-v"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stderr.contains("GET http://127.0.0.1:") && out.stderr.contains(" 200 OK in "),
        "-v logs the API calls: {}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("500 Internal Server Error; retry 1 in 250ms"),
        "{}",
        out.stderr
    );
    // -vv too (it used to print nothing).
    let out = cluster.kubectl(&["quota", "status", "-A", "-vv"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stderr.contains(" 200 OK in "), "{}", out.stderr);
}

#[test]
fn a_write_that_stops_part_way_says_what_was_applied_failed_and_not_attempted() {
    if !kubectl_available() {
        return;
    }
    // The LimitRange's server-side dry run passes; its real apply is refused.
    let Some(cluster) = Cluster::start_faulty(&[], &["--fail", "patch:limitranges:403:1:1"]) else {
        return;
    };
    cluster.ok(&["create", "namespace", "shop"]);
    let out = cluster.kubectl(&[
        "quota",
        "generate",
        "-n",
        "shop",
        "--profile",
        "small",
        "--apply",
        "--yes",
    ]);
    assert_eq!(out.code, Some(3), "a 403 is exit 3: {out:?}");
    assert!(
        out.stderr
            .contains("applied (and still in place): shop/resourcequota/")
            && out.stderr.contains("failed: shop/limitrange/")
            && out.stderr.contains("not attempted: none"),
        "{}",
        out.stderr
    );
    // What it says is in place is.
    assert!(
        cluster
            .ok(&["get", "resourcequota", "-n", "shop", "-o", "name"])
            .starts_with("resourcequota/"),
    );
    assert_eq!(
        cluster.ok(&["get", "limitrange", "-n", "shop", "-o", "name"]),
        ""
    );
    drop(cluster);

    // -o json carries the same: stdout is one WriteReport (the previews go to stderr).
    let Some(cluster) = Cluster::start_faulty(&[], &["--fail", "patch:limitranges:403:1:1"]) else {
        return;
    };
    cluster.ok(&["create", "namespace", "shop"]);
    let out = cluster.kubectl(&[
        "quota",
        "generate",
        "-n",
        "shop",
        "--profile",
        "small",
        "--apply",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(out.code, Some(3), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    assert_eq!(report["kind"], "WriteReport", "{report}");
    assert_eq!(
        report["applied"][0]["object"],
        "shop/resourcequota/shop-quota"
    );
    assert!(
        report["failed"]["object"]
            .as_str()
            .is_some_and(|o| o.starts_with("shop/limitrange/"))
            && report["failed"]["error"]
                .as_str()
                .is_some_and(|e| e.contains("forbidden")),
        "{report}"
    );
    assert_eq!(report["notAttempted"], serde_json::json!([]));
    // And when all goes well, every object applied.
    let out = cluster.kubectl(&[
        "quota",
        "generate",
        "-n",
        "shop",
        "--profile",
        "small",
        "--apply",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    assert_eq!(
        report["applied"].as_array().map(Vec::len),
        Some(2),
        "{report}"
    );
    assert!(report.get("failed").is_none(), "{report}");
}
