//! A Prometheus HTTP API client: instant queries, every documented response shape (vector,
//! matrix — a range selector's result —, scalar, string; `status: error` with `errorType`), and the HTTP
//! failures around them (400 bad_data, 422 execution, 503 unavailable, timeouts, refused
//! connections, non-JSON bodies), each as an error that says what happened and where.

use std::time::Duration;

use serde_json::Value;

/// One series: its labels and its points (a vector has one point, a matrix many).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: std::collections::BTreeMap<String, String>,
    /// (Unix seconds, value); `NaN`, `+Inf` and `-Inf` are parsed as such.
    pub points: Vec<(f64, f64)>,
}

/// A query's result.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    Vector(Vec<Series>),
    Matrix(Vec<Series>),
    Scalar(f64, f64),
    String(f64, String),
}

impl Data {
    /// The series of a vector or matrix (empty for scalars and strings).
    pub fn series(&self) -> &[Series] {
        match self {
            Data::Vector(s) | Data::Matrix(s) => s,
            _ => &[],
        }
    }

    /// Every value of every series (and a scalar's), for aggregating.
    pub fn values(&self) -> Vec<f64> {
        match self {
            Data::Scalar(_, v) => vec![*v],
            Data::String(..) => Vec::new(),
            _ => self
                .series()
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.1))
                .collect(),
        }
    }
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub data: Data,
}

/// Why a query failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    /// Could not connect, or the request timed out.
    #[error("cannot reach Prometheus at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// Prometheus answered `status: error`.
    #[error(
        "Prometheus rejected the query ({error_type}, HTTP {status}): {message}\n  query: {query}"
    )]
    Rejected {
        status: u16,
        error_type: String,
        message: String,
        query: String,
    },
    /// Something that is not a Prometheus API answer (a proxy's HTML page, say).
    #[error("unexpected answer from {url} (HTTP {status}): {detail}")]
    Unexpected {
        url: String,
        status: u16,
        detail: String,
    },
}

/// A Prometheus server.
#[derive(Debug, Clone)]
pub struct Prometheus {
    base: String,
    timeout: Duration,
}

fn number(value: &Value) -> Option<f64> {
    match value.as_str()? {
        "NaN" => Some(f64::NAN),
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        text => text.parse().ok(),
    }
}

fn point(value: &Value) -> Option<(f64, f64)> {
    Some((value.get(0)?.as_f64()?, number(value.get(1)?)?))
}

fn series(items: &Value, matrix: bool) -> Option<Vec<Series>> {
    items
        .as_array()?
        .iter()
        .map(|item| {
            let labels = item["metric"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect();
            let points = if matrix {
                item["values"]
                    .as_array()?
                    .iter()
                    .map(point)
                    .collect::<Option<Vec<_>>>()?
            } else {
                vec![point(&item["value"])?]
            };
            Some(Series { labels, points })
        })
        .collect()
}

/// Parses a Prometheus API response body (for any HTTP status).
pub fn parse(url: &str, status: u16, body: &[u8], query: &str) -> Result<Answer, QueryError> {
    let unexpected = |detail: String| QueryError::Unexpected {
        url: url.to_owned(),
        status,
        detail,
    };
    let json: Value = serde_json::from_slice(body).map_err(|_| {
        let text = String::from_utf8_lossy(body);
        let first = text
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(120)
            .collect::<String>();
        unexpected(format!("not JSON: {first:?}"))
    })?;
    match json["status"].as_str() {
        Some("success") => {}
        Some("error") => {
            return Err(QueryError::Rejected {
                status,
                error_type: json["errorType"].as_str().unwrap_or("unknown").to_owned(),
                message: json["error"].as_str().unwrap_or_default().to_owned(),
                query: query.to_owned(),
            });
        }
        _ => return Err(unexpected("no `status` field".into())),
    }
    let data = &json["data"];
    let result = &data["result"];
    let parsed = match data["resultType"].as_str() {
        Some("vector") => series(result, false).map(Data::Vector),
        Some("matrix") => series(result, true).map(Data::Matrix),
        Some("scalar") => point(result).map(|(t, v)| Data::Scalar(t, v)),
        Some("string") => Some(Data::String(
            result.get(0).and_then(Value::as_f64).unwrap_or_default(),
            result
                .get(1)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        )),
        other => return Err(unexpected(format!("unknown resultType {other:?}"))),
    };
    let data = parsed.ok_or_else(|| unexpected("malformed result".into()))?;
    Ok(Answer { data })
}

fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Prometheus {
    /// A client for a base URL such as `http://prometheus.monitoring:9090`.
    pub fn new(base: &str, timeout: Duration) -> Result<Self, String> {
        let base = base.trim_end_matches('/');
        crate::http::check_scheme(base).map_err(|why| {
            format!(
                "{why} (for a Prometheus inside the cluster, `kubectl port-forward` to it first)"
            )
        })?;
        Ok(Self {
            base: base.to_owned(),
            timeout,
        })
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn post(
        &self,
        path: &str,
        form: &[(&str, String)],
        query: &str,
    ) -> Result<Answer, QueryError> {
        let url = format!("{}{path}", self.base);
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let (status, body) = crate::http::post(
            &url,
            "application/x-www-form-urlencoded",
            body.into_bytes(),
            self.timeout,
        )
        .await
        .map_err(|reason| QueryError::Unreachable {
            url: url.clone(),
            reason,
        })?;
        parse(&url, status, &body, query)
    }

    /// An instant query at the current time.
    pub async fn query(&self, promql: &str) -> Result<Answer, QueryError> {
        self.post("/api/v1/query", &[("query", promql.to_owned())], promql)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> Answer {
        parse("http://p", 200, body.as_bytes(), "q").unwrap()
    }

    #[test]
    fn every_result_type() {
        let vector = ok(
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"a"},"value":[1700000000.5,"0.25"]}]}}"#,
        );
        assert_eq!(vector.data.series()[0].labels["pod"], "a");
        assert_eq!(vector.data.values(), [0.25]);
        let matrix = ok(
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"NaN"],[3,"+Inf"]]}]}}"#,
        );
        let values = matrix.data.values();
        assert_eq!(values[0], 1.0);
        assert!(values[1].is_nan() && values[2].is_infinite());
        assert_eq!(
            ok(r#"{"status":"success","data":{"resultType":"scalar","result":[1,"42"]}}"#).data,
            Data::Scalar(1.0, 42.0)
        );
        assert_eq!(
            ok(r#"{"status":"success","data":{"resultType":"string","result":[1,"hi"]}}"#).data,
            Data::String(1.0, "hi".into())
        );
        let empty = ok(
            r#"{"status":"success","data":{"resultType":"vector","result":[]},"warnings":["PromQL info: metric might not be a counter"]}"#,
        );
        assert!(empty.data.values().is_empty());
    }

    #[test]
    fn every_error_shape() {
        let rejected = parse(
            "http://p/api/v1/query",
            400,
            br#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected"}"#,
            "rate(x",
        )
        .unwrap_err();
        assert_eq!(
            rejected.to_string(),
            "Prometheus rejected the query (bad_data, HTTP 400): 1:5: parse error: unexpected\n  query: rate(x"
        );
        let timeout = parse("u", 503, br#"{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}"#, "q").unwrap_err();
        assert!(
            matches!(timeout, QueryError::Rejected { status: 503, ref error_type, .. } if error_type == "timeout")
        );
        let html = parse(
            "http://p/api/v1/query",
            502,
            b"<html>Bad Gateway</html>",
            "q",
        )
        .unwrap_err();
        assert_eq!(
            html.to_string(),
            "unexpected answer from http://p/api/v1/query (HTTP 502): not JSON: \"<html>Bad Gateway</html>\""
        );
        assert!(matches!(
            parse("u", 200, br#"{"data":{}}"#, "q"),
            Err(QueryError::Unexpected { .. })
        ));
        assert!(matches!(
            parse(
                "u",
                200,
                br#"{"status":"success","data":{"resultType":"histogram","result":[]}}"#,
                "q"
            ),
            Err(QueryError::Unexpected { .. })
        ));
        assert_eq!(
            Prometheus::new("https://p/", Duration::from_secs(1)).map(|p| p.base().to_owned()),
            Ok("https://p".to_owned())
        );
        assert!(
            Prometheus::new("p:9090", Duration::from_secs(1))
                .unwrap_err()
                .contains("only http:// and https://")
        );
    }

    #[test]
    fn form_encoding() {
        assert_eq!(
            encode("rate(x{a=\"b\"}[1m])"),
            "rate%28x%7Ba%3D%22b%22%7D%5B1m%5D%29"
        );
    }

    #[tokio::test]
    async fn refused_connections_name_the_url() {
        let prometheus = Prometheus::new("http://127.0.0.1:9", Duration::from_secs(5)).unwrap();
        let err = prometheus.query("up").await.unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot reach Prometheus at http://127.0.0.1:9/api/v1/query: "),
            "{err}"
        );
    }
}
