//! HTTP: routing, the verbs, watch streams, faults and request counters.

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
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return error_response(&ApiError::bad_request("could not read the request body")),
    };
    match serve(
        &shared,
        &method,
        &target,
        &params,
        &content_type,
        &body,
        wants_table,
    ) {
        Ok(response) => response,
        Err(error) => error_response(&error),
    }
}

fn parse_body(body: &[u8], content_type: &str) -> Result<Value, ApiError> {
    if content_type.contains("protobuf") {
        return crate::protobuf::decode(body)
            .map_err(|e| ApiError::new(415, "UnsupportedMediaType", e));
    }
    if content_type.contains("yaml") {
        let text = std::str::from_utf8(body)
            .map_err(|_| ApiError::bad_request("the body is not UTF-8"))?;
        // JSON is YAML too; parse_text takes the JSON fast path when the body starts with `{`.
        let loaded = shipshape::manifests::parse_text(
            &shipshape::manifests::Origin::Stdin,
            text,
            shipshape::manifests::Limits::default(),
        );
        return match loaded.into_iter().next() {
            Some(Ok(m)) => Ok(m.object),
            Some(Err(e)) => Err(ApiError::bad_request(format!("invalid body: {e}"))),
            None => Err(ApiError::bad_request("empty body")),
        };
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}

/// `labelSelector`, `fieldSelector`, `limit` and `continue` of a list request.
fn list_options(
    params: &HashMap<String, String>,
    rt: &ResourceType,
) -> Result<ListOptions, ApiError> {
    let param = |name: &str| params.get(name).map_or("", String::as_str);
    Ok(ListOptions {
        labels: LabelSelector::parse(param("labelSelector")).map_err(ApiError::bad_request)?,
        fields: FieldSelector::parse(param("fieldSelector"), &rt.kind)
            .map_err(ApiError::bad_request)?,
        limit: param("limit").parse().unwrap_or(0),
        continue_token: Some(param("continue").to_owned()).filter(|c| !c.is_empty()),
    })
}

fn list_kind(rt: &ResourceType) -> String {
    format!("{}List", rt.kind)
}

fn serve(
    shared: &Shared,
    method: &Method,
    target: &Target,
    params: &HashMap<String, String>,
    content_type: &str,
    body: &[u8],
    wants_table: bool,
) -> Result<Response<Body>, ApiError> {
    let rt = &target.rt;
    let namespace = target.namespace.clone().unwrap_or_default();
    let dry_run = params.get("dryRun").is_some_and(|v| v == "All");
    let mut store = shared.store();
    let with_version = |mut object: Value| {
        object["apiVersion"] = json!(rt.api_version(&target.version));
        object
    };
    if rt.group == "metrics.k8s.io" {
        // metrics-server's API: computed on request, read-only.
        if method != Method::GET || target.subresource.is_some() {
            return Err(ApiError::new(
                405,
                "MethodNotAllowed",
                "the server does not allow this method on the requested resource",
            ));
        }
        let options = list_options(params, rt)?;
        let answer = crate::metrics::serve(
            &store,
            &rt.plural,
            target.namespace.as_deref(),
            target.name.as_deref(),
            &options.labels,
        )?;
        return Ok(json_response(200, &answer));
    }
    match (
        method.as_str(),
        target.name.as_deref(),
        target.subresource.as_deref(),
    ) {
        ("GET", None, _) => {
            let options = list_options(params, rt)?;
            let result = store.list(rt, target.namespace.as_deref(), &options)?;
            let mut metadata = json!({"resourceVersion": result.rv.to_string()});
            if let Some(token) = &result.continue_token {
                metadata["continue"] = json!(token);
            }
            let api_version = rt.api_version(&target.version);
            let stored_version = rt.api_version(rt.version());
            if wants_table {
                let items: Vec<Value> = result
                    .items
                    .into_iter()
                    .cloned()
                    .map(with_version)
                    .collect();
                return Ok(json_response(
                    200,
                    &crate::table::table(rt, &items, metadata),
                ));
            }
            // Serialise straight from the store: no copies of the objects.
            let mut text = format!(
                "{{\"kind\":{},\"apiVersion\":{},\"metadata\":{},\"items\":[",
                json!(list_kind(rt)),
                json!(api_version),
                metadata
            );
            for (i, item) in result.items.into_iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                if api_version == stored_version {
                    text.push_str(&item.to_string());
                } else {
                    text.push_str(&with_version(item.clone()).to_string());
                }
            }
            text.push_str("]}");
            Ok(Response::builder()
                .status(200)
                .header(header::CONTENT_TYPE, "application/json")
                .body(full(text))
                .unwrap_or_else(|_| Response::new(full(""))))
        }
        ("GET", Some(name), Some("log")) => {
            let pod = store.get(rt, &namespace, name)?;
            let container = params
                .get("container")
                .cloned()
                .or_else(|| {
                    pod["spec"]["containers"][0]["name"]
                        .as_str()
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            let log = store
                .logs
                .get(&(namespace.clone(), name.to_owned(), container.clone()))
                .cloned()
                .ok_or_else(|| ApiError::bad_request(crate::kubelet::waiting(name, &container)))?;
            let tail = params
                .get("tailLines")
                .and_then(|t| t.parse::<usize>().ok());
            let text = crate::kubelet::tail(&log, tail);
            Ok(Response::builder()
                .header(header::CONTENT_TYPE, "text/plain")
                .body(full(text))
                .unwrap_or_else(|_| Response::new(full(""))))
        }
        ("GET", Some(name), Some("scale")) => Ok(json_response(
            200,
            &scale(&store.get(rt, &namespace, name)?),
        )),
        ("GET", Some(name), None) if wants_table => {
            let object = with_version(store.get(rt, &namespace, name)?);
            let metadata = json!({"resourceVersion": object["metadata"]["resourceVersion"]});
            Ok(json_response(
                200,
                &crate::table::table(rt, &[object], metadata),
            ))
        }
        ("GET", Some(name), _) => Ok(json_response(
            200,
            &with_version(store.get(rt, &namespace, name)?),
        )),
        ("POST", None, None) => {
            let object = parse_body(body, content_type)?;
            if rt.virtual_create {
                let attrs = &object["spec"]["resourceAttributes"];
                let faults = shared
                    .faults
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                let denied = forbidden(
                    &faults,
                    attrs["verb"].as_str().unwrap_or_default(),
                    attrs["resource"].as_str().unwrap_or_default(),
                    attrs["namespace"].as_str(),
                );
                let mut review = object.clone();
                review["status"] = json!({"allowed": !denied});
                return Ok(json_response(201, &review));
            }
            let created = store.create(rt, &namespace, object, dry_run)?;
            Ok(json_response(201, &with_version(created)))
        }
        ("PUT", Some(name), sub) => {
            let object = parse_body(body, content_type)?;
            if sub == Some("scale") {
                let replicas = object["spec"]["replicas"].as_i64().unwrap_or(0);
                let mut current = store.get(rt, &namespace, name)?;
                current["spec"]["replicas"] = json!(replicas);
                let updated = store.update(rt, &namespace, name, current, None, dry_run)?;
                return Ok(json_response(200, &scale(&updated)));
            }
            let updated = store.update(rt, &namespace, name, object, sub, dry_run)?;
            Ok(json_response(200, &with_version(updated)))
        }
        ("PATCH", Some(name), sub) => {
            let flavour = if content_type.starts_with("application/json-patch+json") {
                "json"
            } else if content_type.starts_with("application/merge-patch+json") {
                "merge"
            } else if content_type.starts_with("application/strategic-merge-patch+json") {
                "strategic"
            } else if content_type.starts_with("application/apply-patch") {
                "apply"
            } else {
                return Err(ApiError::new(
                    415,
                    "UnsupportedMediaType",
                    format!(
                        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got `{content_type}`)"
                    ),
                ));
            };
            let patch = parse_body(body, content_type)?;
            if sub == Some("scale") {
                let mut current_scale = scale(&store.get(rt, &namespace, name)?);
                match flavour {
                    "json" => crate::patch::json_patch(&mut current_scale, &patch)
                        .map_err(|e| ApiError::new(422, "Invalid", e))?,
                    _ => crate::patch::merge_patch(&mut current_scale, &patch),
                }
                let mut current = store.get(rt, &namespace, name)?;
                current["spec"]["replicas"] = current_scale["spec"]["replicas"].clone();
                let updated = store.update(rt, &namespace, name, current, None, dry_run)?;
                return Ok(json_response(200, &scale(&updated)));
            }
            let force = params.get("force").is_some_and(|f| f == "true");
            let (object, created) = store.patch(
                rt,
                &namespace,
                name,
                flavour,
                &patch,
                sub,
                params.get("fieldManager").map(String::as_str),
                force,
                dry_run,
            )?;
            Ok(json_response(
                if created { 201 } else { 200 },
                &with_version(object),
            ))
        }
        ("DELETE", Some(name), None) => {
            let options: Value = if body.is_empty() {
                json!({})
            } else {
                serde_json::from_slice(body).unwrap_or(json!({}))
            };
            let propagation = params
                .get("propagationPolicy")
                .cloned()
                .or_else(|| options["propagationPolicy"].as_str().map(str::to_owned))
                .unwrap_or_else(|| "Background".to_owned());
            let dry_run = dry_run
                || options["dryRun"]
                    .as_array()
                    .is_some_and(|d| d.iter().any(|v| v == "All"));
            let deleted = store.delete(rt, &namespace, name, &propagation, dry_run)?;
            Ok(json_response(200, &with_version(deleted)))
        }
        ("DELETE", None, None) => {
            let options = ListOptions {
                limit: 0,
                continue_token: None,
                ..list_options(params, rt)?
            };
            let doomed: Vec<Value> = store
                .list(rt, target.namespace.as_deref(), &options)?
                .items
                .into_iter()
                .cloned()
                .collect();
            let mut items = Vec::new();
            for object in doomed {
                let ns = object["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let name = object["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                items.push(store.delete(rt, &ns, &name, "Background", dry_run)?);
            }
            Ok(json_response(
                200,
                &json!({"kind": list_kind(rt), "apiVersion": rt.api_version(&target.version), "metadata": {}, "items": items}),
            ))
        }
        _ => Err(ApiError::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({method})"),
        )),
    }
}

fn scale(object: &Value) -> Value {
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": object["metadata"]["name"],
            "namespace": object["metadata"]["namespace"],
            "uid": object["metadata"]["uid"],
            "resourceVersion": object["metadata"]["resourceVersion"],
            "creationTimestamp": object["metadata"]["creationTimestamp"],
        },
        "spec": {"replicas": object["spec"]["replicas"].as_i64().unwrap_or(1)},
        "status": {
            "replicas": object["status"]["replicas"].as_i64().unwrap_or(0),
            "selector": selector_string(&object["spec"]["selector"]),
        }
    })
}

fn selector_string(selector: &Value) -> String {
    selector["matchLabels"]
        .as_object()
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

fn watch_line(kind: &str, object: &Value) -> Bytes {
    let mut line = json!({"type": kind, "object": object}).to_string();
    line.push('\n');
    Bytes::from(line)
}

fn watch_response(
    shared: &Arc<Shared>,
    target: &Target,
    params: &HashMap<String, String>,
    faults: &Faults,
    table: bool,
) -> Response<Body> {
    let table_rt = target.rt.clone();
    let watch_line = move |kind: &str, object: &Value| {
        if table && kind != "ERROR" {
            watch_line(
                kind,
                &crate::table::table(&table_rt, std::slice::from_ref(object), json!({})),
            )
        } else {
            watch_line(kind, object)
        }
    };
    let labels = match LabelSelector::parse(params.get("labelSelector").map_or("", String::as_str))
    {
        Ok(l) => l,
        Err(e) => return error_response(&ApiError::bad_request(e)),
    };
    let fields = match FieldSelector::parse(
        params.get("fieldSelector").map_or("", String::as_str),
        &target.rt.kind,
    ) {
        Ok(f) => f,
        Err(e) => return error_response(&ApiError::bad_request(e)),
    };
    let name_filter = target.name.clone();
    let rt = target.rt.clone();
    let api_version = rt.api_version(&target.version);
    let namespace = target.namespace.clone();
    let matches = move |key: &crate::store::Key, object: &Value| {
        key.0 == rt.group
            && key.1 == rt.plural
            && namespace.as_ref().is_none_or(|ns| &key.2 == ns)
            && name_filter.as_ref().is_none_or(|n| &key.3 == n)
            && labels.matches(&object["metadata"]["labels"])
            && fields.matches(object)
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(256);
    let mut backlog = Vec::new();
    let receiver;
    {
        let store = shared.store();
        receiver = store.changes.subscribe();
        // A streaming list (`sendInitialEvents=true`, what client-go's informers and
        // `kubectl wait` send since 1.34): the current objects as ADDED events, whatever the
        // resourceVersion (NotOlderThan it), then a bookmark that marks their end.
        let initial_events = params.get("sendInitialEvents").is_some_and(|v| v == "true");
        let since = params
            .get("resourceVersion")
            .and_then(|rv| rv.parse::<u64>().ok())
            .filter(|rv| *rv > 0 && !initial_events);
        match since {
            Some(rv) => match store.changes_since(rv) {
                Some(changes) => {
                    for change in changes.iter().filter(|c| matches(&c.key, &c.object)) {
                        let mut object = change.object.clone();
                        object["apiVersion"] = json!(api_version);
                        backlog.push(watch_line(change.kind, &object));
                    }
                }
                None => {
                    let gone = ApiError::new(
                        410,
                        "Expired",
                        format!(
                            "too old resource version: {rv} ({})",
                            store.resource_version()
                        ),
                    );
                    backlog.push(watch_line("ERROR", &gone.status()));
                }
            },
            None => {
                let options = ListOptions::default();
                if let Ok(result) = store.list(&target.rt, target.namespace.as_deref(), &options) {
                    for object in result.items {
                        let key = (
                            target.rt.group.clone(),
                            target.rt.plural.clone(),
                            object["metadata"]["namespace"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                            object["metadata"]["name"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                        );
                        if matches(&key, object) {
                            let mut object = object.clone();
                            object["apiVersion"] = json!(api_version);
                            backlog.push(watch_line("ADDED", &object));
                        }
                    }
                }
                if initial_events {
                    let bookmark = json!({
                        "kind": target.rt.kind,
                        "apiVersion": api_version,
                        "metadata": {
                            "resourceVersion": store.resource_version().to_string(),
                            "annotations": {"k8s.io/initial-events-end": "true"},
                        },
                    });
                    backlog.push(watch_line("BOOKMARK", &bookmark));
                }
            }
        }
    }
    let expired = backlog
        .last()
        .is_some_and(|l| l.starts_with(b"{\"type\":\"ERROR\""));
    let timeout = params
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs)
        .into_iter()
        .chain(faults.watch_lifetime)
        .min()
        .unwrap_or(Duration::from_secs(1800));
    let api_version = target.rt.api_version(&target.version);
    tokio::spawn(async move {
        for line in backlog {
            if tx.send(line).await.is_err() {
                return;
            }
        }
        if expired {
            return;
        }
        let mut receiver = receiver;
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut deadline => return,
                change = receiver.recv() => match change {
                    Ok(change) => {
                        if matches(&change.key, &change.object) {
                            let mut object = change.object.clone();
                            object["apiVersion"] = json!(api_version);
                            if tx.send(watch_line(change.kind, &object)).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|bytes| (Ok::<_, Infallible>(Frame::data(bytes)), rx))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::TRANSFER_ENCODING, "chunked")
        .body(StreamBody::new(stream).boxed())
        .unwrap_or_else(|_| Response::new(full("")))
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
