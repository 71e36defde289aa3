//! Smoke tests of a restored sandbox: a Job (from a file, or an image and a command) with its
//! logs, and HTTP checks through the API server's service proxy, so the drill needs no network
//! path to the sandbox.

use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};
use shipshape::{ApiCall, Kube};

/// `--http-check [NAMESPACE/]SERVICE:PORT/PATH[=STATUS]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpCheck {
    /// The original (backed-up) namespace of the Service; the drill's first one when omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub service: String,
    /// Port number or name.
    pub port: String,
    /// Starts with `/`.
    pub path: String,
    /// The status the check expects.
    pub status: u16,
}

impl std::fmt::Display for HttpCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(ns) = &self.namespace {
            write!(f, "{ns}/")?;
        }
        write!(
            f,
            "{}:{}{}={}",
            self.service, self.port, self.path, self.status
        )
    }
}

/// Parses `[NAMESPACE/]SERVICE:PORT/PATH[=STATUS]` (STATUS defaults to 200).
pub fn parse_http_check(text: &str) -> Result<HttpCheck, String> {
    let usage = || {
        format!(
            "`{text}`: expected [NAMESPACE/]SERVICE:PORT/PATH[=STATUS], e.g. web:8080/healthz=200"
        )
    };
    // A trailing `=DIGITS` is the status; append `=200` when the path's query ends in digits.
    let (target, status) = match text.rsplit_once('=') {
        Some((target, status))
            if !status.is_empty() && status.chars().all(|c| c.is_ascii_digit()) =>
        {
            let code: u16 = status
                .parse()
                .ok()
                .filter(|c| (100..=599).contains(c))
                .ok_or_else(|| {
                    format!(
                        "`{text}`: `{status}` is not an HTTP status code (when the path's query ends in digits, append the status: `=200`)"
                    )
                })?;
            (target, code)
        }
        // Outside a query string, `=` can only introduce the status: `=999x` is a typo, not a
        // path.
        Some((target, status)) if !target.contains('?') => {
            return Err(format!(
                "`{text}`: `{status}` is not an HTTP status code (write it as `=200`)"
            ));
        }
        _ => (text, 200),
    };
    let (service_part, rest) = target.split_once(':').ok_or_else(usage)?;
    let (namespace, service) = match service_part.split_once('/') {
        Some((ns, service)) => (Some(ns.to_owned()), service),
        None => (None, service_part),
    };
    let (port, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let dns_label = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-')
    };
    if !dns_label(service) || namespace.as_deref().is_some_and(|n| !dns_label(n)) {
        return Err(usage());
    }
    // A port number (1-65535) or an IANA service name, as a Service port's `name` is.
    let numbered = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    let valid = if numbered {
        port.parse::<u16>().is_ok_and(|n| n > 0)
    } else {
        port.len() <= 15
            && dns_label(port)
            && port.bytes().any(|b| b.is_ascii_lowercase())
            && !port.contains("--")
    };
    if !valid {
        return Err(format!(
            "`{text}`: `{port}` is not a port number (1-65535) or name (at most 15 lowercase letters, digits and '-')"
        ));
    }
    Ok(HttpCheck {
        namespace,
        service: service.to_owned(),
        port: port.to_owned(),
        path: path.to_owned(),
        status,
    })
}

/// One HTTP check through the service proxy of `sandbox` (the namespace the Service was restored
/// into). Retried every second within `within` while there is no answer or a gateway error
/// (502, 503, 504: endpoints can lag the readiness the drill saw); any other answer is final.
///
/// The API server refusing the proxy itself (401, or 403 for `services/proxy` under RBAC) is not
/// the application's answer: it is an error naming the call (exit 3), not a failed check.
pub async fn http_check(
    kube: &Kube,
    sandbox: &str,
    check: &HttpCheck,
    within: Duration,
) -> anyhow::Result<Value> {
    let url = format!(
        "/api/v1/namespaces/{sandbox}/services/{}:{}/proxy{}",
        check.service, check.port, check.path
    );
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let (status, body) = match fetch(kube, &url).await {
            Ok(Answer::App(status, body)) => (status, body),
            Ok(Answer::Refused(refusal)) => {
                return Err(kube
                    .explain(
                        ApiCall::new("get", "services/proxy")
                            .named(format!("{}:{}", check.service, check.port))
                            .in_namespace(sandbox.to_owned()),
                        kube::Error::Api(refusal),
                    )
                    .into());
            }
            Err(e) => (0, e.to_string()),
        };
        let passed = status == check.status;
        let transient = matches!(status, 0 | 502..=504);
        if passed || !transient || tokio::time::Instant::now() >= deadline {
            let mut body = body.trim().to_owned();
            if body.len() > 200 {
                let cut = (0..=200)
                    .rev()
                    .find(|i| body.is_char_boundary(*i))
                    .unwrap_or(0);
                body.truncate(cut);
                body.push('…');
            }
            return Ok(
                json!({"check": check.to_string(), "namespace": sandbox, "url": url, "status": status, "expected": check.status, "passed": passed, "body": body}),
            );
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// What a GET through the service proxy got back.
enum Answer {
    /// The application's (or the proxy's gateway) status and body, whatever the status.
    App(u16, String),
    /// The API server refused the proxy call itself: 401, or 403 with a Forbidden Status.
    Refused(Box<kube::core::Status>),
}

/// A GET through the API server's service proxy.
async fn fetch(kube: &Kube, url: &str) -> anyhow::Result<Answer> {
    let request = http::Request::get(url).body(Vec::new().into())?;
    let response = kube.client.send(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect_bytes().await?;
    let mut text = String::from_utf8_lossy(&body).into_owned();
    // The API server's own errors are Status objects: keep their message.
    if let Ok(value) = serde_json::from_str::<Value>(&text)
        && value["kind"] == "Status"
    {
        if matches!(status, 401 | 403)
            && matches!(value["reason"].as_str(), Some("Unauthorized" | "Forbidden"))
            && let Ok(mut refusal) = serde_json::from_value::<kube::core::Status>(value.clone())
        {
            refusal.code = status;
            return Ok(Answer::Refused(Box::new(refusal)));
        }
        if let Some(message) = value["message"].as_str() {
            text = message.to_owned();
        }
    }
    Ok(Answer::App(status, text))
}

/// The smoke Job to create in `namespace`: the file's Job (its namespace replaced), or one from
/// an image and a shell command; labelled as the drill's, with no retries.
pub fn job(
    template: Option<&Value>,
    image: Option<&str>,
    command: Option<&str>,
    name: &str,
    namespace: &str,
    label: (&str, &str),
) -> Option<Value> {
    let mut job = match (template, image) {
        (Some(job), _) => job.clone(),
        (None, Some(image)) => {
            let mut container = json!({"name": "smoke", "image": image,
                "securityContext": {"allowPrivilegeEscalation": false, "runAsNonRoot": true, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
                "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}});
            if let Some(command) = command {
                container["command"] = json!(["sh", "-c", command]);
            }
            json!({"apiVersion": "batch/v1", "kind": "Job",
                "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never", "containers": [container]}}}})
        }
        (None, None) => return None,
    };
    let (key, value) = label;
    if job["metadata"]["name"].as_str().is_none_or(str::is_empty) {
        job["metadata"]["name"] = json!(name);
    }
    job["metadata"]["namespace"] = json!(namespace);
    job["metadata"]["labels"][key] = json!(value);
    job["spec"]["template"]["metadata"]["labels"][key] = json!(value);
    if job["spec"]["backoffLimit"].is_null() {
        job["spec"]["backoffLimit"] = json!(0);
    }
    Some(job)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_checks_parse_with_and_without_namespace_path_and_status() {
        let check = parse_http_check("web:8080/healthz").expect("valid");
        assert_eq!(
            check,
            HttpCheck {
                namespace: None,
                service: "web".into(),
                port: "8080".into(),
                path: "/healthz".into(),
                status: 200
            }
        );
        let check = parse_http_check("shop/web:http/api/v1/ping?x=1=204").expect("valid");
        assert_eq!(check.namespace.as_deref(), Some("shop"));
        assert_eq!(
            (check.port.as_str(), check.path.as_str(), check.status),
            ("http", "/api/v1/ping?x=1", 204)
        );
        assert_eq!(parse_http_check("web:80").expect("valid").path, "/");
        let query = parse_http_check("web:80/search?q=abc").expect("valid");
        assert_eq!((query.path.as_str(), query.status), ("/search?q=abc", 200));
        assert_eq!(
            parse_http_check("web:80/=503").expect("valid").to_string(),
            "web:80/=503"
        );
        for bad in [
            "web",
            "Web:80/",
            ":80/",
            "web:/x",
            "web:80/=99",
            "a/b/c:80/",
            "web:8080/healthz=999x",
            "web:99999/",
            "web:0/",
            "web:Http/",
            "web:a-very-long-port-name/",
        ] {
            assert!(parse_http_check(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn the_smoke_job_comes_from_the_file_or_the_image_and_is_labelled() {
        let from_image = job(
            None,
            Some("curl:8"),
            Some("curl -f http://web/"),
            "d-smoke",
            "shop-drtest-1",
            ("drill", "d"),
        )
        .expect("job");
        assert_eq!(from_image["metadata"]["namespace"], "shop-drtest-1");
        assert_eq!(
            from_image["spec"]["template"]["spec"]["containers"][0]["command"][2],
            "curl -f http://web/"
        );
        assert_eq!(
            from_image["spec"]["template"]["metadata"]["labels"]["drill"],
            "d"
        );
        let file = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "check", "namespace": "prod"}, "spec": {"backoffLimit": 2, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}}}});
        let from_file = job(
            Some(&file),
            None,
            None,
            "d-smoke",
            "shop-drtest-1",
            ("drill", "d"),
        )
        .expect("job");
        assert_eq!(
            (
                from_file["metadata"]["name"].as_str(),
                from_file["metadata"]["namespace"].as_str(),
                from_file["spec"]["backoffLimit"].as_i64()
            ),
            (Some("check"), Some("shop-drtest-1"), Some(2))
        );
        assert_eq!(job(None, None, None, "n", "ns", ("a", "b")), None);
    }
}
