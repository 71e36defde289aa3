//! HTTP: routing, faults and request counters; the verbs are in `server/verbs.rs`, watch streams
//! in `server/watch.rs`.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use serde_json::{Value, json};

use crate::discovery;
use crate::registry::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::store::{ApiError, ListOptions, Store};

mod verbs;
mod watch;

use verbs::serve;
use watch::watch_response;

/// The response body type.
pub type Body = BoxBody<Bytes, Infallible>;

/// A 403 the server returns for a chosen verb, resource and (optionally) namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbid {
    /// `list`, `get`, `create`, … or `*`.
    pub verb: String,
    /// Plural resource name (`pods`) or `*`.
    pub resource: String,
    /// Only in this namespace, or everywhere.
    pub namespace: Option<String>,
}

/// Faults to inject, changeable at runtime.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Added to every request.
    pub latency: Duration,
    /// Fraction of requests answered 500.
    pub error_rate: f64,
    /// Fraction of requests answered 429 with `Retry-After: 1`.
    pub throttle_rate: f64,
    /// Fraction of connections dropped without an answer.
    pub drop_rate: f64,
    /// Watches end after this long.
    pub watch_lifetime: Option<Duration>,
    /// 403 for these.
    pub forbid: Vec<Forbid>,
    /// Every request answers 503 until then.
    pub unavailable_until: Option<Instant>,
    /// The next requests of a verb on a resource fail with a status (a transient fault).
    pub fail: Vec<Fail>,
}

/// `times` requests of `verb` on `resource` (`*` for any) answer `status`, then no more —
/// after the first `after` such requests have been served.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fail {
    pub verb: String,
    pub resource: String,
    pub status: u16,
    pub times: u32,
    pub after: u32,
}

impl std::str::FromStr for Fail {
    type Err = String;

    /// `VERB:RESOURCE:STATUS[:TIMES[:AFTER]]`, e.g. `delete:namespaces:500:1`.
    fn from_str(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(':').collect();
        let (verb, resource, status, times, after) = match parts.as_slice() {
            [v, r, s] => (v, r, s, "1", "0"),
            [v, r, s, t] => (v, r, s, *t, "0"),
            [v, r, s, t, a] => (v, r, s, *t, *a),
            _ => {
                return Err(format!(
                    "{text:?}: expected VERB:RESOURCE:STATUS[:TIMES[:AFTER]]"
                ));
            }
        };
        Ok(Self {
            verb: (*verb).to_owned(),
            resource: (*resource).to_owned(),
            status: status
                .parse()
                .ok()
                .filter(|s| (400..600).contains(s))
                .ok_or_else(|| format!("{text:?}: STATUS must be an HTTP error status"))?,
            times: times
                .parse()
                .map_err(|_| format!("{text:?}: TIMES must be a count"))?,
            after: after
                .parse()
                .map_err(|_| format!("{text:?}: AFTER must be a count"))?,
        })
    }
}

impl std::str::FromStr for Forbid {
    type Err = String;

    /// `VERB:RESOURCE[:NAMESPACE]`, e.g. `create:limitranges`.
    fn from_str(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(':').collect();
        match parts.as_slice() {
            [v, r] | [v, r, _] => Ok(Self {
                verb: (*v).to_owned(),
                resource: (*r).to_owned(),
                namespace: parts.get(2).map(|n| (*n).to_owned()),
            }),
            _ => Err(format!("{text:?}: expected VERB:RESOURCE[:NAMESPACE]")),
        }
    }
}

/// Request counters by (verb, resource, namespace).
pub type Counters = BTreeMap<(String, String, String), u64>;

/// One request as received: what tests check about the client's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// `GET`, `PATCH`, …
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// `User-Agent`.
    pub user_agent: String,
    /// `Impersonate-User`.
    pub impersonate_user: Option<String>,
    /// `Impersonate-Group` values.
    pub impersonate_groups: Vec<String>,
    /// `Content-Type`.
    pub content_type: String,
}

/// How many requests the log keeps.
const REQUEST_LOG: usize = 1000;

/// State shared by every connection.
pub struct Shared {
    /// The objects.
    pub store: Mutex<Store>,
    /// The faults in force.
    pub faults: Mutex<Faults>,
    /// Requests so far.
    pub counters: Mutex<Counters>,
    /// The last requests.
    pub requests: Mutex<std::collections::VecDeque<RequestRecord>>,
    /// The bearer token required, if any.
    pub token: Option<String>,
    /// `host:port`, for discovery.
    pub address: String,
    random: Mutex<u64>,
}

impl Shared {
    /// New state around a store.
    pub fn new(store: Store, token: Option<String>, address: String) -> Self {
        Self {
            store: Mutex::new(store),
            faults: Mutex::new(Faults::default()),
            counters: Mutex::new(BTreeMap::new()),
            requests: Mutex::new(std::collections::VecDeque::new()),
            token,
            address,
            random: Mutex::new(0x9e37_79b9_7f4a_7c15),
        }
    }

    fn log_request(&self, req: &Request<Incoming>) {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let record = RequestRecord {
            method: req.method().to_string(),
            uri: req.uri().to_string(),
            user_agent: header("user-agent").unwrap_or_default(),
            impersonate_user: header("impersonate-user"),
            impersonate_groups: req
                .headers()
                .get_all("impersonate-group")
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_owned))
                .collect(),
            content_type: header("content-type").unwrap_or_default(),
        };
        let mut log = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() == REQUEST_LOG {
            log.pop_front();
        }
        log.push_back(record);
    }

    /// A deterministic pseudo-random number in [0, 1).
    /// Takes one injected failure for this request, if one is due.
    fn take_failure(&self, verb: &str, resource: &str) -> Option<u16> {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        let fail = faults.fail.iter_mut().find(|f| {
            f.times > 0
                && (f.verb == "*" || f.verb == verb)
                && (f.resource == "*" || f.resource == resource)
        })?;
        if fail.after > 0 {
            fail.after -= 1;
            return None;
        }
        fail.times -= 1;
        Some(fail.status)
    }

    fn roll(&self) -> f64 {
        let mut state = self.random.lock().unwrap_or_else(|e| e.into_inner());
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

fn json_response(code: u16, value: &Value) -> Response<Body> {
    Response::builder()
        .status(code)
        .header(header::CONTENT_TYPE, "application/json")
        .body(full(value.to_string()))
        .unwrap_or_else(|_| Response::new(full("")))
}

fn error_response(error: &ApiError) -> Response<Body> {
    json_response(error.code, &error.status())
}

/// A parsed resource path.
#[derive(Debug)]
struct Target {
    rt: ResourceType,
    version: String,
    namespace: Option<String>,
    name: Option<String>,
    subresource: Option<String>,
}

/// The request's query parameters, percent-decoded.
pub(crate) fn query(req: &Request<Incoming>) -> HashMap<String, String> {
    req.uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Percent-decodes a query value (`+` is a space).
pub(crate) fn decode(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {}
            b => out.push(b),
        }
        if bytes[i] == b'%' {
            match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            }
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_target(store: &Store, path: &str) -> Result<Option<Target>, ApiError> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match parts.as_slice() {
        ["api", version, rest @ ..] if !rest.is_empty() => ("", *version, rest),
        ["apis", group, version, rest @ ..] if !rest.is_empty() => (*group, *version, rest),
        _ => return Ok(None),
    };
    let namespaced_path = rest.len() >= 3
        && rest[0] == "namespaces"
        && store.registry.find(group, version, rest[2]).is_some();
    let (namespace, rest) = if namespaced_path {
        (Some(rest[1].to_owned()), &rest[2..])
    } else {
        (None, rest)
    };
    let rt = store
        .registry
        .find(group, version, rest[0])
        .cloned()
        .ok_or_else(|| {
            ApiError::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            )
        })?;
    if namespace.is_some() && !rt.namespaced {
        return Err(ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ));
    }
    let subresource = rest.get(2).map(|s| (*s).to_owned());
    if let Some(sub) = &subresource
        && (!rt.subresources.contains(sub) || rest.len() > 3)
    {
        {
            return Err(ApiError::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ));
        }
    }
    Ok(Some(Target {
        rt,
        version: version.to_owned(),
        namespace,
        name: rest.get(1).map(|s| (*s).to_owned()),
        subresource,
    }))
}

fn verb(method: &Method, target: &Target, watch: bool) -> &'static str {
    match (method, target.name.is_some()) {
        (&Method::GET, _) if watch => "watch",
        (&Method::GET, true) => "get",
        (&Method::GET, false) => "list",
        (&Method::POST, _) => "create",
        (&Method::PUT, _) => "update",
        (&Method::PATCH, _) => "patch",
        (&Method::DELETE, true) => "delete",
        (&Method::DELETE, false) => "deletecollection",
        _ => "unknown",
    }
}

/// Who a fault-injected 403 says the request came from.
const FAULT_USER: &str = "simcluster-user";

fn forbidden(faults: &Faults, verb: &str, resource: &str, namespace: Option<&str>) -> bool {
    faults.forbid.iter().any(|f| {
        (f.verb == "*" || f.verb == verb)
            && (f.resource == "*" || f.resource == resource)
            && f.namespace
                .as_deref()
                .is_none_or(|ns| Some(ns) == namespace)
    })
}

/// The 403 for a request, if any: an injected fault on `fault_resource` first, then the
/// ServiceAccount's RBAC (requests without a token are the cluster admin's).
fn denial(
    faults: &Faults,
    store: &Store,
    account: Option<&crate::rbac::ServiceAccount>,
    attributes: &crate::rbac::Attributes<'_>,
    fault_resource: &str,
) -> Option<ApiError> {
    if forbidden(
        faults,
        attributes.verb,
        fault_resource,
        attributes.namespace,
    ) {
        return Some(crate::rbac::forbidden(FAULT_USER, attributes));
    }
    let account = account?;
    (!crate::rbac::allowed(store, account, attributes))
        .then(|| crate::rbac::forbidden(&account.user(), attributes))
}

/// Serves one request. An `Err` drops the connection (a fault).
pub async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Body>, std::io::Error> {
    shared.log_request(&req);
    let faults = shared
        .faults
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if faults
        .unavailable_until
        .is_some_and(|until| Instant::now() < until)
    {
        return Ok(error_response(&ApiError::new(
            503,
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        )));
    }
    if faults.drop_rate > 0.0 && shared.roll() < faults.drop_rate {
        return Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault: dropped connection",
        ));
    }
    if faults.error_rate > 0.0 && shared.roll() < faults.error_rate {
        return Ok(error_response(&ApiError::new(
            500,
            "InternalError",
            "Internal error occurred: fault injected by simcluster",
        )));
    }
    if faults.throttle_rate > 0.0 && shared.roll() < faults.throttle_rate {
        let mut error = ApiError::new(
            429,
            "TooManyRequests",
            "Too many requests, please try again later.",
        );
        error.details = Some(json!({"retryAfterSeconds": 1}));
        let mut response = error_response(&error);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, http::HeaderValue::from_static("1"));
        return Ok(response);
    }
    let sent = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bearer = sent.as_deref().and_then(|s| s.strip_prefix("Bearer "));
    let unauthorized = || error_response(&ApiError::new(401, "Unauthorized", "Unauthorized"));
    // A ServiceAccount's token (from `kubectl create token`) is authorized by RBAC; the
    // kubeconfig's own token is the admin.
    let account = match crate::rbac::authenticate(&shared.store(), bearer) {
        Ok(account) => account,
        Err(crate::rbac::Unauthenticated) => return Ok(unauthorized()),
    };
    // Download URLs are presigned: object storage checks its own signature, not the API token.
    let presigned = req.uri().path().starts_with("/simcluster/downloads/");
    if let Some(token) = &shared.token
        && account.is_none()
        && !presigned
        && bearer != Some(token.as_str())
    {
        return Ok(unauthorized());
    }
    // The admin may impersonate a ServiceAccount (`kubectl --as
    // system:serviceaccount:NS:NAME`), which is then authorized by that account's RBAC, as a
    // real API server does for a cluster-admin. Other users are not modelled.
    let impersonated = req
        .headers()
        .get("impersonate-user")
        .and_then(|v| v.to_str().ok())
        .and_then(|user| user.strip_prefix("system:serviceaccount:"))
        .and_then(|rest| rest.split_once(':'))
        .map(|(namespace, name)| crate::rbac::ServiceAccount {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        });
    let account = match (account, impersonated) {
        (None, Some(impersonated)) => Some(impersonated),
        (account, _) => account,
    };
    Ok(route(shared, req, &faults, account.as_ref()).await)
}

async fn route(
    shared: Arc<Shared>,
    req: Request<Incoming>,
    faults: &Faults,
    account: Option<&crate::rbac::ServiceAccount>,
) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let count = |verb: &str, resource: &str, namespace: &str| {
        let mut counters = shared.counters.lock().unwrap_or_else(|e| e.into_inner());
        *counters
            .entry((verb.to_owned(), resource.to_owned(), namespace.to_owned()))
            .or_default() += 1;
    };
    if method == Method::GET {
        let fixed = {
            let mut store = shared.store();
            match path.trim_end_matches('/') {
                "/version" => Some(discovery::version()),
                "/api" => Some(discovery::core_versions(&shared.address)),
                "/apis" => Some(discovery::group_list(&store.registry)),
                "/openapi/v3" => Some(discovery::openapi_index(&store.registry)),
                "/healthz" | "/readyz" | "/livez" => {
                    count("get", &path, "");
                    return Response::new(full("ok"));
                }
                "/simcluster/metrics" => {
                    // The applications' own metrics, as Prometheus would scrape them from pods.
                    count("get", &path, "");
                    return Response::builder()
                        .header(header::CONTENT_TYPE, "text/plain; version=0.0.4")
                        .body(full(crate::metrics::application(&mut store)))
                        .unwrap_or_else(|_| Response::new(full("")));
                }
                "/metrics/cadvisor" => {
                    // What Prometheus scrapes from kubelets, for the running pods.
                    count("get", &path, "");
                    return Response::builder()
                        .header(header::CONTENT_TYPE, "text/plain; version=0.0.4")
                        .body(full(crate::metrics::cadvisor(&store)))
                        .unwrap_or_else(|_| Response::new(full("")));
                }
                p if p.starts_with("/simcluster/downloads/") => {
                    // The simulated object storage behind Velero's download URLs.
                    count("get", "/simcluster/downloads", "");
                    return match store.downloads.get(p) {
                        Some(bytes) => Response::builder()
                            .header(header::CONTENT_TYPE, "application/octet-stream")
                            .body(full(bytes.clone()))
                            .unwrap_or_else(|_| Response::new(full(""))),
                        None => Response::builder()
                            .status(404)
                            .body(full("NoSuchKey: The specified key does not exist.\n"))
                            .unwrap_or_else(|_| Response::new(full(""))),
                    };
                }
                p => {
                    let parts: Vec<&str> = p.trim_matches('/').split('/').collect();
                    match parts.as_slice() {
                        ["api", v] => store.registry.resource_list("", v),
                        ["apis", g] => discovery::group_doc(&store.registry, g),
                        ["apis", g, v] => store.registry.resource_list(g, v),
                        ["openapi", "v3", "api", v] => {
                            discovery::openapi_doc(&store.registry, "", v)
                        }
                        ["openapi", "v3", "apis", g, v] => {
                            discovery::openapi_doc(&store.registry, g, v)
                        }
                        _ => None,
                    }
                }
            }
        };
        let discovery_path = path == "/version"
            || path.starts_with("/api/") && path.matches('/').count() == 2
            || path == "/api"
            || path == "/apis"
            || path.starts_with("/apis/") && path.trim_end_matches('/').matches('/').count() <= 3
            || path.starts_with("/openapi");
        if let Some(doc) = fixed {
            count("get", &path, "");
            return json_response(200, &doc);
        }
        if discovery_path {
            count("get", &path, "");
            return error_response(&ApiError::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ));
        }
    }
    if let Some(proxied) = crate::proxy::parse(&path) {
        let verb = method.as_str().to_ascii_lowercase();
        count(&verb, "services/proxy", &proxied.namespace);
        let attributes = crate::rbac::Attributes {
            verb: &verb,
            group: "",
            resource: "services",
            subresource: Some("proxy"),
            namespace: Some(&proxied.namespace),
            name: Some(&proxied.service),
        };
        if let Some(error) = denial(
            faults,
            &shared.store(),
            account,
            &attributes,
            "services/proxy",
        ) {
            return error_response(&error);
        }
        return match crate::proxy::answer(&shared.store(), &proxied) {
            Ok((code, body)) => Response::builder()
                .status(code)
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(full(body))
                .unwrap_or_else(|_| Response::new(full(""))),
            Err(error) => error_response(&error),
        };
    }
    let params = query(&req);
    let target = match parse_target(&shared.store(), &path) {
        Ok(Some(target)) => target,
        Ok(None) => {
            return error_response(&ApiError::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ));
        }
        Err(error) => return error_response(&error),
    };
    let watch = params.get("watch").is_some_and(|v| v == "true" || v == "1");
    let verb = verb(&method, &target, watch);
    let namespace = target.namespace.clone().unwrap_or_default();
    count(verb, &target.rt.plural, &namespace);
    if let Some(status) = shared.take_failure(verb, &target.rt.plural) {
        let (reason, message) = match status {
            429 => (
                "TooManyRequests",
                "Too many requests, please try again later.",
            ),
            503 => (
                "ServiceUnavailable",
                "the server is currently unable to handle the request",
            ),
            _ => (
                "InternalError",
                "Internal error occurred: fault injected by simcluster",
            ),
        };
        return error_response(&ApiError::new(status, reason, message));
    }
    let mut attributes = crate::rbac::Attributes {
        verb,
        group: &target.rt.group,
        resource: &target.rt.plural,
        subresource: target.subresource.as_deref(),
        namespace: target.namespace.as_deref(),
        name: target.name.as_deref(),
    };
    if let Some(error) = denial(
        faults,
        &shared.store(),
        account,
        &attributes,
        &target.rt.plural,
    ) {
        return error_response(&error);
    }
    if let Some(account) = account {
        let store = shared.store();
        // A server-side apply that creates its object needs `create` too.
        let applying = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/apply-patch"));
        if applying
            && target.subresource.is_none()
            && let Some(name) = target.name.as_deref()
            && store
                .get(
                    &target.rt,
                    target.namespace.as_deref().unwrap_or_default(),
                    name,
                )
                .is_err()
        {
            attributes.verb = "create";
            if !crate::rbac::allowed(&store, account, &attributes) {
                return error_response(&crate::rbac::forbidden(&account.user(), &attributes));
            }
        }
    }
    if method == Method::POST
        && target.subresource.as_deref() == Some("token")
        && target.rt.plural == "serviceaccounts"
    {
        let namespace = target.namespace.clone().unwrap_or_default();
        let name = target.name.clone().unwrap_or_default();
        return match crate::rbac::token_request(&shared.store(), &namespace, &name) {
            Ok(answer) => json_response(201, &answer),
            Err(error) => error_response(&error),
        };
    }
    if watch && method == Method::GET {
        let table = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("as=Table"));
        return watch_response(&shared, &target, &params, faults, table);
    }
    let wants_table = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("as=Table"));
    let text_header = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let content_type = text_header(header::CONTENT_TYPE);
    let user_agent = text_header(header::USER_AGENT);
    let body = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return error_response(&ApiError::bad_request("could not read the request body")),
    };
    let headers = verbs::Headers {
        content_type: &content_type,
        user_agent: &user_agent,
        wants_table,
    };
    match serve(&shared, &method, &target, &params, &headers, &body) {
        Ok(response) => response,
        Err(error) => error_response(&error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_decoded() {
        assert_eq!(decode("app%3Dweb%2Ctier+in+%28a%29"), "app=web,tier in (a)");
        assert_eq!(decode("100%"), "100%");
    }
}
