//! Canary analysis: the checks, their PromQL, and running them against Prometheus.
//!
//! Built-in templates, as Flagger names them: `request-success-rate` (percent of non-5xx
//! responses, default min 99) and `request-duration` (p99 in milliseconds through
//! `histogram_quantile`, default max 500), for the generic `http_requests_total` /
//! `http_request_duration_seconds` metrics, Istio's `istio_requests_total` /
//! `istio_request_duration_milliseconds`, or the NGINX ingress controller's. Custom checks are
//! PromQL given with `--query NAME=PROMQL` and bounded with `--metric NAME:min=X|:max=Y`.

use serde::{Deserialize, Serialize};

use crate::machine::CheckResult;

/// Which metric names the built-in templates use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// `http_requests_total{namespace,pod,code}` and `http_request_duration_seconds`.
    Generic,
    /// Istio's telemetry: `istio_requests_total`, `istio_request_duration_milliseconds`.
    Istio,
    /// ingress-nginx: `nginx_ingress_controller_requests`, `..._request_duration_seconds`.
    Nginx,
}

/// What the templates are about.
#[derive(Debug, Clone, PartialEq)]
pub struct Target<'a> {
    pub namespace: &'a str,
    /// The canary Deployment (its pods are `<name>-…`).
    pub workload: &'a str,
    /// The Ingress, for NGINX.
    pub ingress: Option<&'a str>,
    /// The rate window, seconds.
    pub window: u64,
}

/// One check: a name, its PromQL and its bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub query: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// The regular expression matching a Deployment's pods (`<name>-<hash>-<suffix>`).
pub fn pod_pattern(workload: &str) -> String {
    format!("{workload}-[a-z0-9]+(-[a-z0-9]+)?")
}

/// The built-in template of a metric, or None for an unknown name.
pub fn template(name: &str, provider: Provider, target: &Target<'_>) -> Option<String> {
    let Target {
        namespace: ns,
        workload,
        window: w,
        ..
    } = target;
    let ingress = target.ingress.unwrap_or(workload);
    let pods = pod_pattern(workload);
    Some(match (name, provider) {
        ("request-success-rate", Provider::Generic) => format!(
            "sum(rate(http_requests_total{{namespace=\"{ns}\",pod=~\"{pods}\",code!~\"5..\"}}[{w}s])) / sum(rate(http_requests_total{{namespace=\"{ns}\",pod=~\"{pods}\"}}[{w}s])) * 100"
        ),
        ("request-duration", Provider::Generic) => format!(
            "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{namespace=\"{ns}\",pod=~\"{pods}\"}}[{w}s]))) * 1000"
        ),
        ("request-success-rate", Provider::Istio) => format!(
            "sum(rate(istio_requests_total{{reporter=\"destination\",destination_workload_namespace=\"{ns}\",destination_workload=\"{workload}\",response_code!~\"5.*\"}}[{w}s])) / sum(rate(istio_requests_total{{reporter=\"destination\",destination_workload_namespace=\"{ns}\",destination_workload=\"{workload}\"}}[{w}s])) * 100"
        ),
        ("request-duration", Provider::Istio) => format!(
            "histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{{reporter=\"destination\",destination_workload_namespace=\"{ns}\",destination_workload=\"{workload}\"}}[{w}s])))"
        ),
        ("request-success-rate", Provider::Nginx) => format!(
            "sum(rate(nginx_ingress_controller_requests{{namespace=\"{ns}\",ingress=\"{ingress}\",status!~\"5.*\"}}[{w}s])) / sum(rate(nginx_ingress_controller_requests{{namespace=\"{ns}\",ingress=\"{ingress}\"}}[{w}s])) * 100"
        ),
        ("request-duration", Provider::Nginx) => format!(
            "histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{{namespace=\"{ns}\",ingress=\"{ingress}\"}}[{w}s]))) * 1000"
        ),
        _ => return None,
    })
}

/// `NAME`, `NAME:min=X` or `NAME:max=Y` (`--metric`).
pub fn parse_metric(text: &str) -> Result<(String, Option<f64>, Option<f64>), String> {
    let (name, bound) = text.split_once(':').unwrap_or((text, ""));
    if name.is_empty() {
        return Err(format!("`{text}`: expected NAME, NAME:min=X or NAME:max=Y"));
    }
    let number = |v: &str| {
        v.parse::<f64>()
            .map_err(|_| format!("`{text}`: `{v}` is not a number"))
    };
    match bound.split_once('=') {
        None if bound.is_empty() => Ok((name.into(), None, None)),
        Some(("min", v)) => Ok((name.into(), Some(number(v)?), None)),
        Some(("max", v)) => Ok((name.into(), None, Some(number(v)?))),
        _ => Err(format!("`{text}`: expected NAME, NAME:min=X or NAME:max=Y")),
    }
}

/// The checks of a run: the built-in defaults (success rate ≥ 99 %, p99 ≤ 500 ms) unless
/// `--metric` names its own, with `--query` adding custom PromQL.
pub fn checks(
    metrics: &[String],
    queries: &[String],
    provider: Provider,
    target: &Target<'_>,
) -> Result<Vec<Check>, String> {
    let mut custom = std::collections::BTreeMap::new();
    for q in queries {
        let (name, query) = q
            .split_once('=')
            .filter(|(n, q)| !n.is_empty() && !q.is_empty())
            .ok_or_else(|| format!("`{q}`: expected NAME=PROMQL"))?;
        custom.insert(name.to_owned(), query.to_owned());
    }
    let mut wanted: Vec<(String, Option<f64>, Option<f64>)> = metrics
        .iter()
        .map(|m| parse_metric(m))
        .collect::<Result<_, _>>()?;
    if wanted.is_empty() {
        wanted = vec![
            ("request-success-rate".into(), Some(99.0), None),
            ("request-duration".into(), None, Some(500.0)),
        ];
    }
    for name in custom.keys() {
        if !wanted.iter().any(|(n, ..)| n == name) {
            return Err(format!(
                "--query {name}=…: bound it with --metric {name}:min=X or --metric {name}:max=Y"
            ));
        }
    }
    wanted
        .into_iter()
        .map(|(name, min, max)| {
            let (min, max) = match (name.as_str(), min, max) {
                ("request-success-rate", None, None) => (Some(99.0), None),
                ("request-duration", None, None) => (None, Some(500.0)),
                (_, None, None) => return Err(format!("--metric {name}: give a bound, {name}:min=X or {name}:max=Y")),
                bounds => (bounds.1, bounds.2),
            };
            let query = match custom.get(&name) {
                Some(q) => q.clone(),
                None => template(&name, provider, target).ok_or_else(|| {
                    format!("--metric {name}: not a built-in (request-success-rate, request-duration); give its PromQL with --query {name}=…")
                })?,
            };
            Ok(Check { name, query, min, max })
        })
        .collect()
}

/// Runs the checks: the first value of each query's answer (None when it has no data, or only
/// NaN — a rate over no requests).
pub async fn evaluate(
    prometheus: &shipshape::prometheus::Prometheus,
    checks: &[Check],
) -> Result<Vec<CheckResult>, shipshape::prometheus::QueryError> {
    let mut results = Vec::new();
    for check in checks {
        let answer = prometheus.query(&check.query).await?;
        let value = answer.data.values().into_iter().find(|v| v.is_finite());
        results.push(CheckResult {
            name: check.name.clone(),
            value,
            min: check.min,
            max: check.max,
        });
    }
    Ok(results)
}

/// `--analysis-file`: checks and webhooks kept with the application.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisFile {
    #[serde(default)]
    pub metrics: Vec<FileMetric>,
    #[serde(default)]
    pub webhooks: Vec<crate::webhooks::Webhook>,
}

/// One check of an analysis file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileMetric {
    pub name: String,
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
}

impl AnalysisFile {
    /// Reads and checks a file; errors name it.
    pub fn read(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file: AnalysisFile =
            serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        for hook in &file.webhooks {
            shipshape::http::check_scheme(&hook.url)
                .map_err(|why| format!("{}: webhook {why}", path.display()))?;
        }
        Ok(file)
    }

    /// The metrics as `--metric` values.
    pub fn metric_flags(&self) -> Vec<String> {
        self.metrics
            .iter()
            .map(|m| match (m.min, m.max) {
                (Some(min), _) => format!("{}:min={min}", m.name),
                (_, Some(max)) => format!("{}:max={max}", m.name),
                _ => m.name.clone(),
            })
            .collect()
    }

    /// The custom queries as `--query` values.
    pub fn query_flags(&self) -> Vec<String> {
        self.metrics
            .iter()
            .filter_map(|m| Some(format!("{}={}", m.name, m.query.as_ref()?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_files_become_flags_and_bad_ones_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("analysis.yaml");
        std::fs::write(&path, "metrics:\n  - {name: request-success-rate, min: 99.5}\n  - {name: queue-depth, query: max(queue_depth), max: 100}\nwebhooks:\n  - {type: rollout, url: 'http://tests/run'}\n").unwrap();
        let file = AnalysisFile::read(&path).unwrap();
        assert_eq!(
            file.metric_flags(),
            ["request-success-rate:min=99.5", "queue-depth:max=100"]
        );
        assert_eq!(file.query_flags(), ["queue-depth=max(queue_depth)"]);
        assert_eq!(file.webhooks.len(), 1);
        std::fs::write(
            &path,
            "webhooks:\n  - {type: rollout, url: 'https://tests/run'}\n",
        )
        .unwrap();
        assert_eq!(AnalysisFile::read(&path).unwrap().webhooks.len(), 1);
        std::fs::write(
            &path,
            "webhooks:\n  - {type: rollout, url: 'tests:80/run'}\n",
        )
        .unwrap();
        assert_eq!(
            AnalysisFile::read(&path).unwrap_err(),
            format!(
                "{}: webhook `tests:80/run`: only http:// and https:// URLs are supported",
                path.display()
            )
        );
        std::fs::write(&path, "metric: []\n").unwrap();
        let err = AnalysisFile::read(&path).unwrap_err();
        assert!(
            err.starts_with(&format!("{}: ", path.display())) && err.contains("metric"),
            "{err}"
        );
    }

    fn target() -> Target<'static> {
        Target {
            namespace: "shop",
            workload: "web-canary",
            ingress: None,
            window: 30,
        }
    }

    #[test]
    fn defaults_are_the_playbooks_thresholds() {
        let checks = checks(&[], &[], Provider::Generic, &target()).unwrap();
        assert_eq!(checks.len(), 2);
        assert_eq!(
            (checks[0].name.as_str(), checks[0].min),
            ("request-success-rate", Some(99.0))
        );
        assert_eq!(
            (checks[1].name.as_str(), checks[1].max),
            ("request-duration", Some(500.0))
        );
        assert_eq!(
            checks[1].query,
            "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace=\"shop\",pod=~\"web-canary-[a-z0-9]+(-[a-z0-9]+)?\"}[30s]))) * 1000"
        );
    }

    #[test]
    fn providers_and_custom_queries() {
        let istio = template("request-success-rate", Provider::Istio, &target()).unwrap();
        assert!(
            istio.contains("destination_workload=\"web-canary\"")
                && istio.contains("response_code!~\"5.*\"")
        );
        let nginx = Target {
            ingress: Some("shop"),
            ..target()
        };
        assert!(
            template("request-duration", Provider::Nginx, &nginx)
                .unwrap()
                .contains("ingress=\"shop\"")
        );
        let custom = checks(
            &[
                "queue-depth:max=100".into(),
                "request-success-rate:min=95".into(),
            ],
            &["queue-depth=max(queue_depth)".into()],
            Provider::Generic,
            &target(),
        )
        .unwrap();
        assert_eq!(
            custom[0],
            Check {
                name: "queue-depth".into(),
                query: "max(queue_depth)".into(),
                min: None,
                max: Some(100.0)
            }
        );
        assert_eq!(custom[1].min, Some(95.0));
        for (metrics, queries, error) in [
            (vec!["nope:max=1"], vec![], "not a built-in"),
            (vec!["x:max=abc"], vec![], "is not a number"),
            (vec![], vec!["x=up"], "bound it with --metric x"),
            (vec!["x"], vec!["x=up"], "give a bound"),
            (vec![], vec!["broken"], "expected NAME=PROMQL"),
        ] {
            let metrics: Vec<String> = metrics.into_iter().map(String::from).collect();
            let queries: Vec<String> = queries.into_iter().map(String::from).collect();
            let err = checks(&metrics, &queries, Provider::Generic, &target()).unwrap_err();
            assert!(err.contains(error), "{err}");
        }
    }
}
