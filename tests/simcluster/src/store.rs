//! Objects, resource versions and watch history: the API server's storage and its write rules.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::patch;
use crate::registry::{Registry, ResourceType};
use crate::schema;
use crate::selectors::{FieldSelector, LabelSelector};

mod admission;
mod apply;
mod defaults;
mod gc;
mod managed;

use defaults::{allocate_service, apply_defaults};

/// An API error, rendered as a `Status` body.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub code: u16,
    /// `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Forbidden`, `BadRequest`, `Gone`, …
    pub reason: &'static str,
    /// The message, worded like the API server's.
    pub message: String,
    /// `details`: name, group, kind.
    pub details: Option<Value>,
}

impl ApiError {
    /// An error without details.
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    fn about(mut self, rt: &ResourceType, name: &str) -> Self {
        self.details = Some(json!({"name": name, "group": rt.group, "kind": rt.plural}));
        self
    }

    /// 404 for one object, worded like the API server.
    pub fn not_found(rt: &ResourceType, name: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", rt.qualified()),
        )
        .about(rt, name)
    }

    /// 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 422 Invalid.
    ///
    /// `message` is one field error as the API server words it (`FIELD: Invalid value: …`); it
    /// becomes the `details.causes` entry too, with the reason its wording names.
    pub fn invalid(rt: &ResourceType, name: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let (field, detail) = message.split_once(": ").unwrap_or(("", message.as_str()));
        let reason = [
            ("Invalid value", "FieldValueInvalid"),
            ("Required value", "FieldValueRequired"),
            ("Unsupported value", "FieldValueNotSupported"),
            ("Duplicate value", "FieldValueDuplicate"),
            ("Forbidden", "FieldValueForbidden"),
            ("Too long", "FieldValueTooLong"),
            ("Too many", "FieldValueTooMany"),
            ("Not found", "FieldValueNotFound"),
        ]
        .iter()
        .find(|(wording, _)| detail.starts_with(wording))
        .map_or("FieldValueInvalid", |(_, reason)| reason);
        let mut error = Self::new(
            422,
            "Invalid",
            format!("{} \"{name}\" is invalid: {message}", rt.kind),
        );
        let mut details = json!({"name": name, "kind": rt.kind,
            "causes": [{"reason": reason, "message": detail, "field": field}]});
        if !rt.group.is_empty() {
            details["group"] = json!(rt.group);
        }
        error.details = Some(details);
        error
    }

    /// The `Status` object.
    pub fn status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        // An error the storage layer raised has no reason (the API server leaves it out).
        if self.reason.is_empty() {
            status.as_object_mut().map(|s| s.remove("reason"));
        }
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        status
    }
}

/// `current` with a JSON, merge or strategic merge patch applied.
pub fn patched(
    rt: &ResourceType,
    current: &Value,
    flavour: &str,
    body: &Value,
) -> Result<Value, ApiError> {
    let mut next = current.clone();
    match flavour {
        "json" => {
            patch::json_patch(&mut next, body).map_err(|e| ApiError::new(422, "Invalid", e))?
        }
        "merge" => patch::merge_patch(&mut next, body),
        "strategic" => {
            if rt.group.contains('.') && !rt.group.ends_with(".k8s.io") {
                return Err(ApiError::new(
                    415,
                    "UnsupportedMediaType",
                    "strategic merge patch is not supported for custom resources: use a merge or JSON patch",
                ));
            }
            patch::strategic_merge(&mut next, body)
        }
        other => {
            return Err(ApiError::new(
                415,
                "UnsupportedMediaType",
                format!("unsupported patch type {other}"),
            ));
        }
    }
    Ok(next)
}

/// Where an object is stored: group, plural, namespace ("" when cluster-scoped), name.
pub type Key = (String, String, String, String);

/// One stored change, for watches.
#[derive(Debug, Clone)]
pub struct Change {
    /// The resourceVersion it made.
    pub rv: u64,
    /// `ADDED`, `MODIFIED`, `DELETED`.
    pub kind: &'static str,
    /// Where.
    pub key: Key,
    /// The object after the change (before, for DELETED, with the new resourceVersion).
    pub object: Value,
}

/// How many changes watches can resume from, by default.
pub const HISTORY: usize = 100_000;

/// The store.
pub struct Store {
    /// The served types.
    pub registry: Registry,
    objects: BTreeMap<Key, Value>,
    rv: u64,
    uids: u64,
    history: VecDeque<Arc<Change>>,
    history_limit: usize,
    /// Every change, as it happens.
    pub changes: broadcast::Sender<Arc<Change>>,
    /// Container logs by (namespace, pod, container).
    pub logs: BTreeMap<(String, String, String), String>,
    /// Requests each pod has served so far, by pod uid: (when last counted, how many).
    pub served: std::collections::HashMap<String, (f64, f64)>,
    /// Files the simulated object storage serves under `/simcluster/downloads/`, by path.
    pub downloads: std::collections::HashMap<String, bytes::Bytes>,
    /// The server's URL (`http://127.0.0.1:PORT`), for URLs handed to clients.
    pub url: String,
    /// Set while quota usage is being written, so that writing it does not recompute it.
    syncing_quotas: bool,
}

/// What a list returns: the matching objects, borrowed from the store.
pub struct ListResult<'a> {
    /// The matching objects.
    pub items: Vec<&'a Value>,
    /// The continue token, when there are more.
    pub continue_token: Option<String>,
    /// The list's resourceVersion.
    pub rv: u64,
}

/// Options of a list.
#[derive(Default)]
pub struct ListOptions {
    /// `labelSelector`.
    pub labels: LabelSelector,
    /// `fieldSelector`.
    pub fields: FieldSelector,
    /// `limit` (0 = all).
    pub limit: usize,
    /// `continue`.
    pub continue_token: Option<String>,
}

/// A suffix for generated names from the API server's alphabet (no vowels, no look-alikes),
/// derived from `seed` so runs are reproducible.
pub fn name_suffix(seed: &Value, len: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut n = seed
        .to_string()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    (0..len)
        .map(|_| {
            let c = ALPHABET[(n % ALPHABET.len() as u64) as usize] as char;
            n /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// The current time, as the API server writes timestamps.
pub fn now() -> String {
    after(0)
}

/// `seconds` from now, as [`now`] writes it: expirations and token lifetimes.
pub fn after(seconds: i64) -> String {
    jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(seconds))
        .unwrap_or(jiff::Timestamp::MAX)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

impl Default for Store {
    fn default() -> Self {
        Self {
            registry: Registry::default(),
            objects: BTreeMap::new(),
            rv: 1,
            uids: 0,
            history: VecDeque::new(),
            history_limit: HISTORY,
            changes: broadcast::channel(4096).0,
            logs: BTreeMap::new(),
            served: std::collections::HashMap::new(),
            downloads: std::collections::HashMap::new(),
            url: String::new(),
            syncing_quotas: false,
        }
    }
}

impl Store {
    /// Keeps only the last `limit` changes for watches to resume from.
    pub fn set_history_limit(&mut self, limit: usize) {
        self.history_limit = limit.max(1);
    }

    /// The current resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    fn record(&mut self, kind: &'static str, key: &Key, object: &Value) {
        let change = Arc::new(Change {
            rv: self.rv,
            kind,
            key: key.clone(),
            object: object.clone(),
        });
        if self.history.len() >= self.history_limit {
            self.history.pop_front();
        }
        self.history.push_back(change.clone());
        let _ = self.changes.send(change);
        if !self.syncing_quotas && !key.2.is_empty() {
            self.sync_quotas(&key.2.clone());
        }
    }

    /// Changes after `rv`, or None when `rv` is too old to resume from (410 Gone).
    pub fn changes_since(&self, rv: u64) -> Option<Vec<Arc<Change>>> {
        let oldest = self.history.front().map_or(self.rv, |c| c.rv);
        if rv + 1 < oldest && rv < self.rv {
            return None;
        }
        Some(self.history.iter().filter(|c| c.rv > rv).cloned().collect())
    }

    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    fn next_uid(&mut self) -> String {
        self.uids += 1;
        format!("5e1c0000-0000-4000-8000-{:012x}", self.uids)
    }

    fn key(rt: &ResourceType, namespace: &str, name: &str) -> Key {
        (
            rt.group.clone(),
            rt.plural.clone(),
            if rt.namespaced {
                namespace.to_owned()
            } else {
                String::new()
            },
            name.to_owned(),
        )
    }

    /// One object.
    pub fn get(&self, rt: &ResourceType, namespace: &str, name: &str) -> Result<Value, ApiError> {
        self.objects
            .get(&Self::key(rt, namespace, name))
            .cloned()
            .ok_or_else(|| ApiError::not_found(rt, name))
    }

    /// Objects of a type, optionally in one namespace, by label and field selector, paginated.
    pub fn list(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        options: &ListOptions,
    ) -> Result<ListResult<'_>, ApiError> {
        let prefix_ns = if rt.namespaced { namespace } else { None };
        let start: Key = match &options.continue_token {
            Some(token) => {
                let (ns, name) = token
                    .split_once('/')
                    .ok_or_else(|| ApiError::bad_request("invalid continue token"))?;
                (
                    rt.group.clone(),
                    rt.plural.clone(),
                    ns.to_owned(),
                    format!("{name}\0"),
                )
            }
            None => (
                rt.group.clone(),
                rt.plural.clone(),
                prefix_ns.unwrap_or_default().to_owned(),
                String::new(),
            ),
        };
        let mut items = Vec::new();
        let mut last: Option<&Key> = None;
        let mut more = false;
        for (key, object) in self.objects.range(start..) {
            if key.0 != rt.group || key.1 != rt.plural {
                break;
            }
            if prefix_ns.is_some_and(|ns| key.2 != ns) {
                break;
            }
            if !options.labels.matches(&object["metadata"]["labels"])
                || !options.fields.matches(object)
            {
                continue;
            }
            if options.limit > 0 && items.len() == options.limit {
                // One more match means another page; counting them all would make every page
                // cost as much as the whole list.
                more = true;
                break;
            }
            items.push(object);
            last = Some(key);
        }
        let continue_token = more
            .then(|| last.map(|k| format!("{}/{}", k.2, k.3)))
            .flatten();
        Ok(ListResult {
            items,
            continue_token,
            rv: self.rv,
        })
    }

    /// Every stored object of every type (for controllers).
    pub fn all(&self, group: &str, plural: &str) -> Vec<Value> {
        let start: Key = (
            group.to_owned(),
            plural.to_owned(),
            String::new(),
            String::new(),
        );
        self.objects
            .range(start..)
            .take_while(|(k, _)| k.0 == group && k.1 == plural)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Creates an object, filling in the metadata the server owns, as simcluster's own
    /// controllers do: no managedFields entry of its own.
    pub fn create(
        &mut self,
        rt: &ResourceType,
        namespace: &str,
        object: Value,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        self.create_as(rt, namespace, object, dry_run, None)
    }

    /// Creates an object for a client: `manager` (the fieldManager, or the user agent's first
    /// word) gets the managedFields entry of an Update that set every field it sent and every
    /// default, as the API server records a create.
    pub fn create_as(
        &mut self,
        rt: &ResourceType,
        namespace: &str,
        mut object: Value,
        dry_run: bool,
        manager: Option<&str>,
    ) -> Result<Value, ApiError> {
        if !object.is_object() {
            return Err(ApiError::bad_request("the request body must be an object"));
        }
        if object["metadata"].is_null() {
            object["metadata"] = json!({});
        }
        let meta = object["metadata"]
            .as_object_mut()
            .ok_or_else(|| ApiError::bad_request("metadata must be an object"))?;
        if meta
            .get("name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            match meta.get("generateName").and_then(Value::as_str) {
                Some(prefix) => {
                    let suffix = name_suffix(&json!([self.uids, self.rv]), 5);
                    meta.insert("name".into(), json!(format!("{prefix}{suffix}")));
                }
                None => {
                    return Err(ApiError::invalid(
                        rt,
                        "",
                        "metadata.name: Required value: name or generateName is required",
                    ));
                }
            }
        }
        let name = meta["name"].as_str().unwrap_or_default().to_owned();
        if !valid_name(&name) {
            return Err(ApiError::invalid(
                rt,
                &name,
                format!(
                    "metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
                ),
            ));
        }
        if rt.namespaced {
            match meta.get("namespace").and_then(Value::as_str) {
                Some(ns) if ns != namespace && !namespace.is_empty() => {
                    return Err(ApiError::bad_request(format!(
                        "the namespace of the provided object ({ns}) does not match the namespace sent on the request ({namespace})"
                    )));
                }
                _ => {
                    meta.insert("namespace".into(), json!(namespace));
                }
            }
            let ns_type = self.registry.find("", "v1", "namespaces").cloned();
            if let Some(ns_type) = ns_type {
                match self.objects.get(&Self::key(&ns_type, "", namespace)) {
                    None => {
                        return Err(ApiError::new(
                            404,
                            "NotFound",
                            format!("namespaces \"{namespace}\" not found"),
                        )
                        .about(&ns_type, namespace));
                    }
                    Some(ns) if ns["status"]["phase"] == "Terminating" => {
                        return Err(ApiError::new(
                            403,
                            "Forbidden",
                            format!(
                                "{} \"{name}\" is forbidden: unable to create new content in namespace {namespace} because it is being terminated",
                                rt.qualified()
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
        } else {
            meta.remove("namespace");
        }
        let key = Self::key(rt, namespace, &name);
        if self.objects.contains_key(&key) {
            return Err(ApiError::new(
                409,
                "AlreadyExists",
                format!("{} \"{name}\" already exists", rt.qualified()),
            )
            .about(rt, &name));
        }
        meta.remove("resourceVersion");
        meta.remove("deletionTimestamp");
        object["apiVersion"] = json!(rt.api_version(rt.version()));
        object["kind"] = json!(rt.kind);
        self.drop_unknown_fields(rt, &mut object);
        apply_defaults(&mut object);
        if rt.kind == "Namespace" {
            // Defaulting's, so the creator owns it.
            let labels = object["metadata"]
                .as_object_mut()
                .map(|m| m.entry("labels").or_insert_with(|| json!({})));
            if let Some(Value::Object(labels)) = labels {
                labels.insert("kubernetes.io/metadata.name".into(), json!(name));
            }
        }
        if let Some(manager) = manager {
            let zero = crate::fields::zero(&rt.kind, self.crd(rt).is_some());
            managed::record_update(rt, &zero, &mut object, manager, None);
        }
        if rt.group.is_empty() && rt.kind == "Service" {
            allocate_service(&mut object);
        }
        if rt.group.is_empty() && rt.plural == "pods" {
            self.admit_pod(namespace, &name, &mut object)?;
        }
        // A dry run gets a uid of its own (a version-4 UUID, as upstream's), not the next one.
        let uid = if dry_run {
            let hash = |salt: &str| {
                json!([&name, namespace, self.rv, salt])
                    .to_string()
                    .bytes()
                    .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                    })
            };
            let (a, b) = (hash("a"), hash("b"));
            format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0xfff,
                b >> 52,
                b & 0xffff_ffff_ffff
            )
        } else {
            self.next_uid()
        };
        if dry_run {
            object["metadata"]["uid"] = json!(uid);
            object["metadata"]["creationTimestamp"] = json!(now());
            return Ok(object);
        }
        let rv = self.next_rv();
        let meta = object["metadata"]
            .as_object_mut()
            .ok_or_else(|| ApiError::bad_request("metadata"))?;
        meta.insert("uid".into(), json!(uid));
        meta.insert("resourceVersion".into(), json!(rv.to_string()));
        meta.insert("creationTimestamp".into(), json!(now()));
        // generation is the server's: 1 on create whatever the request said, for the kinds
        // whose strategy tracks it (a Service has none).
        if object.get("spec").is_some() && !(rt.group.is_empty() && rt.kind == "Service") {
            object["metadata"]["generation"] = json!(1);
        }
        if rt.kind == "Namespace" {
            object["status"] = json!({"phase": "Active"});
            if object["spec"]["finalizers"].is_null() {
                object["spec"] = json!({"finalizers": ["kubernetes"]});
            }
        }
        if rt.kind == "CustomResourceDefinition" {
            let resource = self
                .registry
                .register_crd(&object)
                .map_err(|e| ApiError::invalid(rt, &name, e))?;
            object["status"] = json!({
                "conditions": [
                    {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "lastTransitionTime": now()},
                    {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "lastTransitionTime": now()}
                ],
                "acceptedNames": {"plural": resource.plural, "kind": resource.kind, "singular": resource.singular},
                "storedVersions": [resource.version()]
            });
        }
        self.objects.insert(key.clone(), object.clone());
        self.record("ADDED", &key, &object);
        Ok(object)
    }

    /// Replaces an object (`PUT`), or its status/scale subresource, as simcluster's own
    /// controllers do: no managedFields entry of its own.
    pub fn update(
        &mut self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        object: Value,
        subresource: Option<&str>,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        self.update_as(rt, namespace, name, object, subresource, dry_run, None)
    }

    /// Replaces an object for a client. A stale resourceVersion is a 409 Conflict; a missing
    /// one means "last write wins". `manager` gets the fields the write changed.
    #[allow(clippy::too_many_arguments)]
    pub fn update_as(
        &mut self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        mut object: Value,
        subresource: Option<&str>,
        dry_run: bool,
        manager: Option<&str>,
    ) -> Result<Value, ApiError> {
        let key = Self::key(rt, namespace, name);
        let current = self
            .objects
            .get(&key)
            .cloned()
            .ok_or_else(|| ApiError::not_found(rt, name))?;
        if object["metadata"]["name"]
            .as_str()
            .is_some_and(|n| n != name)
        {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({}) does not match the name on the URL ({name})",
                object["metadata"]["name"].as_str().unwrap_or_default()
            )));
        }
        if let Some(sent) = object["metadata"]["resourceVersion"]
            .as_str()
            .filter(|s| !s.is_empty())
            && Some(sent) != current["metadata"]["resourceVersion"].as_str()
        {
            {
                return Err(ApiError::new(
                    409,
                    "Conflict",
                    format!(
                        "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                        rt.qualified()
                    ),
                )
                .about(rt, name));
            }
        }
        let has_status = rt.subresources.iter().any(|s| s == "status");
        let mut next = match subresource {
            Some("status") => {
                let mut next = current.clone();
                next["status"] = object.get("status").cloned().unwrap_or(Value::Null);
                next
            }
            _ => {
                if has_status {
                    object["status"] = current.get("status").cloned().unwrap_or(Value::Null);
                    if object["status"].is_null() {
                        object.as_object_mut().map(|o| o.remove("status"));
                    }
                }
                // The server owns these.
                for field in [
                    "uid",
                    "creationTimestamp",
                    "deletionTimestamp",
                    "generation",
                ] {
                    match current["metadata"].get(field) {
                        Some(v) => object["metadata"][field] = v.clone(),
                        None => {
                            object["metadata"].as_object_mut().map(|m| m.remove(field));
                        }
                    }
                }
                object["metadata"]["name"] = json!(name);
                if rt.namespaced {
                    object["metadata"]["namespace"] = json!(namespace);
                }
                object["apiVersion"] = current["apiVersion"].clone();
                object["kind"] = current["kind"].clone();
                if current.get("spec") != object.get("spec") && object.get("spec").is_some() {
                    let generation = current["metadata"]["generation"].as_i64().unwrap_or(1);
                    object["metadata"]["generation"] = json!(generation + 1);
                }
                object
            }
        };
        if rt.kind == "CustomResourceDefinition" && subresource.is_none() {
            self.registry
                .register_crd(&next)
                .map_err(|e| ApiError::invalid(rt, name, e))?;
        }
        self.drop_unknown_fields(rt, &mut next);
        if let Some(manager) = manager {
            managed::record_update(rt, &current, &mut next, manager, subresource);
        }
        let unchanged = {
            let mut a = current.clone();
            let mut b = next.clone();
            a["metadata"]
                .as_object_mut()
                .map(|m| m.remove("resourceVersion"));
            b["metadata"]
                .as_object_mut()
                .map(|m| m.remove("resourceVersion"));
            a == b
        };
        if unchanged || dry_run {
            if unchanged {
                return Ok(current);
            }
            return Ok(next);
        }
        // A deleted object whose last finalizer is gone disappears.
        if next["metadata"]["deletionTimestamp"].is_string()
            && next["metadata"]["finalizers"]
                .as_array()
                .is_none_or(Vec::is_empty)
        {
            self.remove(&key);
            return Ok(next);
        }
        let rv = self.next_rv();
        next["metadata"]["resourceVersion"] = json!(rv.to_string());
        self.objects.insert(key.clone(), next.clone());
        self.record("MODIFIED", &key, &next);
        Ok(next)
    }

    /// Applies a patch and stores the result. `flavour` is the Content-Type's patch flavour;
    /// `applier` the fieldManager a server-side apply must name, `writer` the manager other
    /// patches are recorded under.
    #[allow(clippy::too_many_arguments)]
    pub fn patch(
        &mut self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        flavour: &str,
        body: &Value,
        subresource: Option<&str>,
        applier: Option<&str>,
        writer: Option<&str>,
        force: bool,
        dry_run: bool,
    ) -> Result<(Value, bool), ApiError> {
        let existing = self.objects.get(&Self::key(rt, namespace, name)).cloned();
        if flavour == "apply" {
            return self.apply(rt, namespace, name, body, existing, applier, force, dry_run);
        }
        let current = existing.ok_or_else(|| ApiError::not_found(rt, name))?;
        let mut next = patched(rt, &current, flavour, body)?;
        if body["metadata"]["resourceVersion"].is_null() {
            next["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"].clone();
        }
        self.update_as(rt, namespace, name, next, subresource, dry_run, writer)
            .map(|v| (v, false))
    }

    /// The fields of `object` (of `rt`) that its type or its CRD's schema does not declare.
    pub fn unknown_fields(&self, rt: &ResourceType, object: &Value) -> Vec<schema::FieldPath> {
        let crd = self.crd(rt);
        let schema = crd.and_then(|crd| {
            crd["spec"]["versions"]
                .as_array()?
                .iter()
                .find(|v| v["name"] == rt.version())
                .map(|v| &v["schema"]["openAPIV3Schema"])
                .filter(|s| s.is_object())
        });
        if crd.is_some() && schema.is_none() {
            // A CRD without a schema keeps whatever it is sent.
            return Vec::new();
        }
        schema::unknown_fields(rt, object, schema)
    }

    /// The CustomResourceDefinition that serves `rt`, if a CRD does.
    fn crd(&self, rt: &ResourceType) -> Option<&Value> {
        let key = (
            "apiextensions.k8s.io".to_owned(),
            "customresourcedefinitions".to_owned(),
            String::new(),
            format!("{}.{}", rt.plural, rt.group),
        );
        self.objects.get(&key)
    }

    /// What the decoder keeps: the object without its unknown fields.
    fn drop_unknown_fields(&self, rt: &ResourceType, object: &mut Value) {
        let unknown = self.unknown_fields(rt, object);
        schema::prune(object, &unknown);
    }

    fn remove(&mut self, key: &Key) -> Option<Value> {
        let mut object = self.objects.remove(key)?;
        let rv = self.next_rv();
        object["metadata"]["resourceVersion"] = json!(rv.to_string());
        if key.0 == "apiextensions.k8s.io" {
            let group = object["spec"]["group"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let plural = object["spec"]["names"]["plural"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            self.registry.unregister(&group, &plural);
            let doomed: Vec<Key> = self
                .objects
                .keys()
                .filter(|k| k.0 == group && k.1 == plural)
                .cloned()
                .collect();
            for k in doomed {
                self.remove(&k);
            }
        }
        if key.1 == "pods" {
            self.logs
                .retain(|(ns, pod, _), _| !(ns == &key.2 && pod == &key.3));
        }
        self.record("DELETED", key, &object);
        Some(object)
    }

    /// Deletes an object. Finalizers (and namespaces) make it wait with a deletionTimestamp;
    /// `propagation` decides what happens to its dependents.
    pub fn delete(
        &mut self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        propagation: &str,
        dry_run: bool,
    ) -> Result<Value, ApiError> {
        let key = Self::key(rt, namespace, name);
        let current = self
            .objects
            .get(&key)
            .cloned()
            .ok_or_else(|| ApiError::not_found(rt, name))?;
        if dry_run {
            return Ok(current);
        }
        let uid = current["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        match propagation {
            "Orphan" => self.orphan_dependents(&uid),
            "Foreground" => self.delete_dependents(&uid),
            _ => {} // Background: the garbage collector removes dependents.
        }
        let has_finalizers = current["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| !f.is_empty());
        if rt.kind == "Namespace" || has_finalizers {
            let mut next = current.clone();
            if next["metadata"]["deletionTimestamp"].is_null() {
                next["metadata"]["deletionTimestamp"] = json!(now());
                if rt.kind == "Namespace" {
                    next["status"]["phase"] = json!("Terminating");
                }
                let rv = self.next_rv();
                next["metadata"]["resourceVersion"] = json!(rv.to_string());
                self.objects.insert(key.clone(), next.clone());
                self.record("MODIFIED", &key, &next);
            }
            return Ok(next);
        }
        Ok(self.remove(&key).unwrap_or(current))
    }

    /// Writes an object the way a controller does: create it, or replace it whole (status
    /// included), bumping the resourceVersion only when something changed.
    pub fn put(&mut self, rt: &ResourceType, object: Value) -> Result<Value, ApiError> {
        let namespace = object["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let key = Self::key(rt, &namespace, &name);
        let Some(current) = self.objects.get(&key) else {
            return self.create(rt, &namespace, object, false);
        };
        let mut next = object;
        next["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"].clone();
        if *current == next {
            return Ok(next);
        }
        let rv = self.next_rv();
        next["metadata"]["resourceVersion"] = json!(rv.to_string());
        self.objects.insert(key.clone(), next.clone());
        self.record("MODIFIED", &key, &next);
        Ok(next)
    }

    /// Replaces every object of one resource with `objects` as they are (resourceVersions and
    /// uids kept): a mirror of another API server's list, for `simcluster metrics`.
    pub fn mirror(&mut self, group: &str, plural: &str, objects: Vec<Value>) {
        self.objects
            .retain(|key, _| !(key.0 == group && key.1 == plural));
        for object in objects {
            let meta = &object["metadata"];
            let key: Key = (
                group.to_owned(),
                plural.to_owned(),
                meta["namespace"].as_str().unwrap_or_default().to_owned(),
                meta["name"].as_str().unwrap_or_default().to_owned(),
            );
            self.objects.insert(key, object);
        }
    }

    /// Removes an object at once (a controller deleting what it owns).
    pub fn remove_object(&mut self, rt: &ResourceType, namespace: &str, name: &str) {
        self.remove(&Self::key(rt, namespace, name));
    }
}
