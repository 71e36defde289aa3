//! Velero's restore results (the warnings and errors behind a Restore's counters), fetched as the
//! Velero CLI does: a DownloadRequest, its `downloadURL`, then a gzip-compressed JSON
//! `{"warnings": Result, "errors": Result}` where each Result is
//! `{"velero": [...], "cluster": [...], "namespaces": {"<ns>": [...]}}`.

use std::io::Read;
use std::time::Duration;

use serde_json::{Value, json};
use shipshape::Kube;
use shipshape::wait::{Check, Wait};

use crate::labels::DRILL_LABEL;
use crate::velero;

/// The restore's results, or `{"unavailable": why}`: the URL is object storage's, which the
/// drill may not reach, and results are a bonus, never a reason to fail a drill. HTTPS URLs are
/// trusted with the system's certificate authorities and the storage location's `caCert`
/// (`ca_pem`), as the Velero CLI does. The restore's name is the drill's id, so it labels the
/// DownloadRequest too.
pub async fn restore_results(
    kube: &Kube,
    velero_namespace: &str,
    restore: &str,
    ca_pem: Option<&[u8]>,
    timeout: Duration,
) -> Value {
    match fetch(kube, velero_namespace, restore, ca_pem, timeout).await {
        Ok(results) => results,
        Err(e) => json!({"unavailable": format!("{e:#}")}),
    }
}

async fn fetch(
    kube: &Kube,
    velero_namespace: &str,
    restore: &str,
    ca_pem: Option<&[u8]>,
    timeout: Duration,
) -> anyhow::Result<Value> {
    let name = format!("{restore}-results");
    let requests: kube::Api<kube::api::DynamicObject> = kube::Api::namespaced_with(
        kube.client.clone(),
        velero_namespace,
        &velero::resource("downloadrequests", "DownloadRequest"),
    );
    let request: kube::api::DynamicObject = serde_json::from_value(json!({
        "apiVersion": "velero.io/v1", "kind": "DownloadRequest",
        "metadata": {"name": name, "namespace": velero_namespace, "labels": {DRILL_LABEL: restore}},
        "spec": {"target": {"kind": "RestoreResults", "name": restore}},
    }))?;
    requests
        .create(&kube::api::PostParams::default(), &request)
        .await?;
    let requests_ref = &requests;
    let name_ref = name.as_str();
    let url = Wait::new(
        format!("downloadrequest {name}"),
        timeout.min(Duration::from_secs(30)),
    )
    .every(Duration::from_millis(200))
    .until(|| async move {
        let r = serde_json::to_value(requests_ref.get(name_ref).await?)?;
        anyhow::Ok(match r["status"]["downloadURL"].as_str() {
            Some(url) if !url.is_empty() => Check::Done(url.to_owned()),
            _ => Check::Pending(r["status"]["phase"].as_str().unwrap_or("New").to_owned()),
        })
    })
    .await;
    // Velero expires them itself; we delete ours at once.
    let _ = requests.delete(&name, &Default::default()).await;
    let url = url?;
    let (status, body) = shipshape::http::get(&url, ca_pem, Duration::from_secs(30))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(status == 200, "GET {url}: status {status}");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut text)
        .map_err(|e| anyhow::anyhow!("GET {url}: not gzip-compressed JSON: {e}"))?;
    let results: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("GET {url}: not restore results: {e}"))?;
    Ok(results)
}

/// The first error, else the first warning, of restore results, as one line.
pub fn first_problem(results: &Value) -> Option<String> {
    ["errors", "warnings"].iter().find_map(|severity| {
        let result = &results[*severity];
        let kind = severity.trim_end_matches('s');
        let scoped = ["velero", "cluster"].iter().find_map(|scope| {
            result[*scope]
                .as_array()
                .and_then(|a| a.first())
                .and_then(Value::as_str)
                .map(|m| format!("{kind} ({scope}): {m}"))
        });
        scoped.or_else(|| {
            result["namespaces"].as_object().and_then(|namespaces| {
                namespaces.iter().find_map(|(ns, messages)| {
                    messages
                        .as_array()
                        .and_then(|a| a.first())
                        .and_then(Value::as_str)
                        .map(|m| format!("{kind} in {ns}: {m}"))
                })
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_problem_prefers_errors_and_names_the_namespace() {
        let results = json!({"warnings": {"namespaces": {"shop-drtest-1": ["could not restore, Service \"web\" already exists. Warning: the in-cluster version is different than the backed-up version"]}},
            "errors": {}});
        assert_eq!(
            first_problem(&results).as_deref(),
            Some(
                "warning in shop-drtest-1: could not restore, Service \"web\" already exists. Warning: the in-cluster version is different than the backed-up version"
            )
        );
        let results = json!({"warnings": {"velero": ["w"]}, "errors": {"cluster": ["e"]}});
        assert_eq!(
            first_problem(&results).as_deref(),
            Some("error (cluster): e")
        );
        assert_eq!(first_problem(&json!({"warnings": {}, "errors": {}})), None);
        assert_eq!(first_problem(&json!({"unavailable": "x"})), None);
    }
}
