//! The verbs on a resource: get, list (with selectors and pages), create, update, patch, apply, delete, and the scale subresource.

use super::*;
use crate::schema::{self, Validation};

fn parse_body(body: &[u8], content_type: &str) -> Result<Value, ApiError> {
    if content_type.contains("protobuf") {
        return crate::protobuf::decode(body).map_err(|e| match e {
            crate::protobuf::DecodeError::Unsupported(m) => {
                ApiError::new(415, "UnsupportedMediaType", m)
            }
            crate::protobuf::DecodeError::Malformed(m) => ApiError::bad_request(m),
        });
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

/// Kinds whose storage answers a DELETE with the object (upstream's `ReturnDeletedObject`);
/// the others answer with a `Status` of `Success` once the object is gone.
const RETURN_DELETED_OBJECT: [&str; 7] = [
    "Pod",
    "Service",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "PodTemplate",
    "Namespace",
    "Node",
];

/// What a DELETE answers: the object while it is still there (finalizers, a terminating
/// namespace) or for the kinds that return it, else `Status` `Success` naming it.
fn deleted_answer(rt: &ResourceType, object: Value) -> Value {
    let pending = !object["metadata"]["deletionTimestamp"].is_null();
    if pending || (rt.group.is_empty() && RETURN_DELETED_OBJECT.contains(&rt.kind.as_str())) {
        return object;
    }
    let mut details = json!({
        "name": object["metadata"]["name"],
        "kind": rt.plural,
        "uid": object["metadata"]["uid"],
    });
    if !rt.group.is_empty() {
        details["group"] = json!(rt.group);
    }
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}

fn list_kind(rt: &ResourceType) -> String {
    format!("{}List", rt.kind)
}

/// An object as a list item: every field but `apiVersion` and `kind`.
fn push_item(text: &mut String, item: &Value) {
    let Some(fields) = item.as_object() else {
        text.push_str(&item.to_string());
        return;
    };
    text.push('{');
    let mut first = true;
    for (key, value) in fields {
        if key == "apiVersion" || key == "kind" {
            continue;
        }
        if !first {
            text.push(',');
        }
        first = false;
        text.push_str(&json!(key).to_string());
        text.push(':');
        text.push_str(&value.to_string());
    }
    text.push('}');
}

/// The request headers the verbs read.
#[derive(Clone, Copy)]
pub(super) struct Headers<'a> {
    pub content_type: &'a str,
    pub user_agent: &'a str,
    /// `Accept` asks for a Table.
    pub wants_table: bool,
}

/// The manager a write is recorded under: the `fieldManager` parameter, else the user agent up
/// to its first `/` (printable characters, at most 128 bytes), else `unknown`, as the API
/// server names it.
fn manager(params: &HashMap<String, String>, user_agent: &str) -> String {
    if let Some(manager) = params.get("fieldManager").filter(|m| !m.is_empty()) {
        return manager.clone();
    }
    let mut name = String::new();
    for c in user_agent.split('/').next().unwrap_or_default().chars() {
        if c.is_control() {
            continue;
        }
        if name.len() + c.len_utf8() > 128 {
            break;
        }
        name.push(c);
    }
    if name.is_empty() {
        name.push_str("unknown");
    }
    name
}

/// A request option out of range: 422 on the verb's options kind, as upstream's
/// `CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: …`.
fn options_invalid(method: &Method, detail: String) -> ApiError {
    let kind = match method.as_str() {
        "POST" => "CreateOptions",
        "PUT" => "UpdateOptions",
        "PATCH" => "PatchOptions",
        _ => "DeleteOptions",
    };
    let (field, message) = detail.split_once(": ").unwrap_or(("", detail.as_str()));
    let mut error = ApiError::new(
        422,
        "Invalid",
        format!("{kind}.meta.k8s.io \"\" is invalid: {detail}"),
    );
    error.details = Some(json!({"group": "meta.k8s.io", "kind": kind, "causes": [
        {"reason": "FieldValueNotSupported", "message": message, "field": field}
    ]}));
    error
}

/// `fieldValidation=Strict` refuses unknown fields: a 400 for a create or an update, a 422 on
/// the patch for a patch (`patched` is the object it made), as upstream words them.
fn refuse_unknown(
    rt: &ResourceType,
    validation: Validation,
    unknown: &[schema::FieldPath],
    patched: Option<&Value>,
) -> Result<(), ApiError> {
    if validation != Validation::Strict || unknown.is_empty() {
        return Ok(());
    }
    let strict = schema::strict_decoding_error(unknown);
    Err(match patched {
        None => ApiError::bad_request(format!(
            "{kind} in version {version} cannot be handled as a {kind}: {strict}",
            kind = rt.kind,
            version = json!(rt.version()),
        )),
        Some(object) => {
            let detail = format!("Invalid value: {}: {strict}", json!(object.to_string()));
            let mut error =
                ApiError::new(422, "Invalid", format!(" \"\" is invalid: patch: {detail}"));
            error.details = Some(json!({"causes": [
                {"reason": "FieldValueInvalid", "message": detail, "field": "patch"}
            ]}));
            error
        }
    })
}

/// `fieldValidation=Warn` (the default) names each unknown field it dropped in a `Warning`
/// header, as kubectl prints them.
fn warn_unknown(
    mut response: Response<Body>,
    validation: Validation,
    unknown: &[schema::FieldPath],
) -> Response<Body> {
    if validation == Validation::Warn {
        for path in unknown {
            let text = json!(schema::warning(path));
            if let Ok(value) = header::HeaderValue::from_str(&format!("299 - {text}")) {
                response.headers_mut().append(header::WARNING, value);
            }
        }
    }
    response
}

pub(super) fn serve(
    shared: &Shared,
    method: &Method,
    target: &Target,
    params: &HashMap<String, String>,
    headers: &Headers<'_>,
    body: &[u8],
) -> Result<Response<Body>, ApiError> {
    let Headers {
        content_type,
        user_agent,
        wants_table,
    } = *headers;
    let writer = manager(params, user_agent);
    let writer = Some(writer.as_str());
    let validation = Validation::parse(params.get("fieldValidation").map(String::as_str))
        .map_err(|e| options_invalid(method, e))?;
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
                // Items leave apiVersion and kind to the list, as the API server's do.
                push_item(&mut text, item);
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
            // The storage layer's plain error: a 500 with no reason, as the API server sends.
            if object["metadata"]["resourceVersion"]
                .as_str()
                .is_some_and(|v| !v.is_empty())
            {
                return Err(ApiError::new(
                    500,
                    "",
                    "resourceVersion should not be set on objects to be created",
                ));
            }
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
            let unknown = store.unknown_fields(rt, &object);
            refuse_unknown(rt, validation, &unknown, None)?;
            let created = store.create_as(rt, &namespace, object, dry_run, writer)?;
            Ok(warn_unknown(
                json_response(201, &with_version(created)),
                validation,
                &unknown,
            ))
        }
        ("PUT", Some(name), sub) => {
            let object = parse_body(body, content_type)?;
            if sub == Some("scale") {
                let replicas = object["spec"]["replicas"].as_i64().unwrap_or(0);
                let mut current = store.get(rt, &namespace, name)?;
                current["spec"]["replicas"] = json!(replicas);
                let updated =
                    store.update_as(rt, &namespace, name, current, None, dry_run, writer)?;
                return Ok(json_response(200, &scale(&updated)));
            }
            let unknown = store.unknown_fields(rt, &object);
            refuse_unknown(rt, validation, &unknown, None)?;
            let updated = store.update_as(rt, &namespace, name, object, sub, dry_run, writer)?;
            Ok(warn_unknown(
                json_response(200, &with_version(updated)),
                validation,
                &unknown,
            ))
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
                let updated =
                    store.update_as(rt, &namespace, name, current, None, dry_run, writer)?;
                return Ok(json_response(200, &scale(&updated)));
            }
            // A patch's unknown fields are those of the object it makes.
            let unknown = match store.get(rt, &namespace, name) {
                Ok(current) if flavour != "apply" => {
                    match crate::store::patched(rt, &current, flavour, &patch) {
                        Ok(next) => {
                            let unknown = store.unknown_fields(rt, &next);
                            refuse_unknown(rt, validation, &unknown, Some(&next))?;
                            unknown
                        }
                        Err(_) => Vec::new(),
                    }
                }
                _ => Vec::new(),
            };
            let force = params.get("force").is_some_and(|f| f == "true");
            let (object, created) = store.patch(
                rt,
                &namespace,
                name,
                flavour,
                &patch,
                sub,
                params.get("fieldManager").map(String::as_str),
                writer,
                force,
                dry_run,
            )?;
            Ok(warn_unknown(
                json_response(if created { 201 } else { 200 }, &with_version(object)),
                validation,
                &unknown,
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
            Ok(json_response(
                200,
                &deleted_answer(rt, with_version(deleted)),
            ))
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
