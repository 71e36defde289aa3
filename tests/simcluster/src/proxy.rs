//! The API server's service proxy, `/api/v1/namespaces/{ns}/services/{name}[:{port}]/proxy/{path}`:
//! what `kubectl get --raw` and `kubectl drtest run --http-check` reach applications through.
//!
//! No application runs here, so the answer follows the same image conventions as the simulated
//! application metrics: the service's ready pods answer `200 OK`, a pod whose image tag ends in
//! `-errors` answers `500`, and a service without ready endpoints gets the API server's own `503`
//! (`no endpoints available for service`).

use serde_json::Value;

use crate::selectors::LabelSelector;
use crate::store::{ApiError, Store};

/// A proxied request: the service's namespace, name, port (name or number, when given) and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyTarget {
    /// Namespace.
    pub namespace: String,
    /// Service name.
    pub service: String,
    /// Port name or number, when the path names one.
    pub port: Option<String>,
    /// The path after `/proxy`, starting with `/`.
    pub path: String,
}

/// Parses a service proxy path, or `None` when the path is not one.
pub fn parse(path: &str) -> Option<ProxyTarget> {
    let rest = path.strip_prefix("/api/v1/namespaces/")?;
    let (namespace, rest) = rest.split_once('/')?;
    let rest = rest.strip_prefix("services/")?;
    let (name, rest) = rest.split_once('/')?;
    let after = rest.strip_prefix("proxy")?;
    if !(after.is_empty() || after.starts_with('/')) {
        return None;
    }
    // `name`, `name:port` or `scheme:name:port`.
    let parts: Vec<&str> = name.split(':').collect();
    let (service, port) = match parts.as_slice() {
        [service] => (*service, None),
        [service, port] => (*service, Some(*port)),
        [_scheme, service, port] => (*service, Some(*port)),
        _ => return None,
    };
    Some(ProxyTarget {
        namespace: namespace.to_owned(),
        service: service.to_owned(),
        port: port.filter(|p| !p.is_empty()).map(str::to_owned),
        path: if after.is_empty() {
            "/".to_owned()
        } else {
            after.to_owned()
        },
    })
}

/// The proxied answer: a status code and a plain-text body, or the API server's own error.
pub fn answer(store: &Store, target: &ProxyTarget) -> Result<(u16, String), ApiError> {
    let services = store
        .registry
        .find("", "v1", "services")
        .cloned()
        .ok_or_else(|| ApiError::new(404, "NotFound", "services are not served"))?;
    let service = store.get(&services, &target.namespace, &target.service)?;
    let ports = service["spec"]["ports"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let port = match &target.port {
        None => ports.first(),
        Some(p) => ports.iter().find(|sp| {
            sp["name"].as_str() == Some(p.as_str())
                || sp["port"].as_i64().map(|n| n.to_string()).as_deref() == Some(p.as_str())
        }),
    };
    let unavailable = || {
        let named = match &target.port {
            Some(p) => format!("{}:{p}", target.service),
            None => target.service.clone(),
        };
        ApiError::new(
            503,
            "ServiceUnavailable",
            format!("no endpoints available for service \"{named}\""),
        )
    };
    if port.is_none() {
        return Err(unavailable());
    }
    let Some(selector) = service["spec"]["selector"]
        .as_object()
        .filter(|s| !s.is_empty())
    else {
        return Err(unavailable());
    };
    let selector = LabelSelector::from_object(&serde_json::json!({ "matchLabels": selector }));
    let pods: Vec<Value> = store
        .all("", "pods")
        .into_iter()
        .filter(|p| {
            p["metadata"]["namespace"] == target.namespace.as_str()
                && selector.matches(&p["metadata"]["labels"])
                && crate::metrics::ready(p)
        })
        .collect();
    let Some(pod) = pods.first() else {
        return Err(unavailable());
    };
    Ok(pod_answer(pod, &target.path))
}

/// What a simulated pod answers to a request for `path`: `500` when its image tag ends in
/// `-errors`, `200 OK` otherwise.
pub fn pod_answer(pod: &Value, path: &str) -> (u16, String) {
    let image = pod["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap_or_default();
    let tag = image.rsplit_once(':').map_or("", |(_, t)| t);
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    if tag.ends_with("-errors") {
        (500, format!("Internal Server Error from {name}\n"))
    } else {
        (200, format!("OK {path} from {name}\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form_of_the_proxy_path() {
        let t = parse("/api/v1/namespaces/shop/services/web:http/proxy/healthz").expect("proxy");
        assert_eq!(
            (
                t.namespace.as_str(),
                t.service.as_str(),
                t.port.as_deref(),
                t.path.as_str()
            ),
            ("shop", "web", Some("http"), "/healthz")
        );
        let t = parse("/api/v1/namespaces/shop/services/https:web:443/proxy").expect("proxy");
        assert_eq!((t.port.as_deref(), t.path.as_str()), (Some("443"), "/"));
        let t = parse("/api/v1/namespaces/shop/services/web/proxy/").expect("proxy");
        assert_eq!((t.port, t.path.as_str()), (None, "/"));
        assert_eq!(parse("/api/v1/namespaces/shop/services/web"), None);
        assert_eq!(parse("/api/v1/namespaces/shop/services/web/proxyx"), None);
        assert_eq!(parse("/api/v1/namespaces/shop/pods/web/proxy/"), None);
    }
}
