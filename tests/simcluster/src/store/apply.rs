//! Server-side apply: managed fields and conflicts.

use super::*;

impl Store {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn apply(
        &mut self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        body: &Value,
        existing: Option<Value>,
        manager: Option<&str>,
        force: bool,
        dry_run: bool,
    ) -> Result<(Value, bool), ApiError> {
        let manager = manager
            .ok_or_else(|| ApiError::bad_request("fieldManager is required for apply requests"))?;
        if body["metadata"]["name"].as_str().is_some_and(|n| n != name) {
            return Err(ApiError::bad_request(
                "the name of the object does not match the name on the URL",
            ));
        }
        let fields = patch::field_set(body);
        let entry = json!({
            "manager": manager,
            "operation": "Apply",
            "apiVersion": rt.api_version(rt.version()),
            "time": now(),
            "fieldsType": "FieldsV1",
            "fieldsV1": fields,
        });
        match existing {
            None => {
                let mut object = body.clone();
                object["metadata"]["name"] = json!(name);
                object["metadata"]["managedFields"] = json!([entry]);
                self.create(rt, namespace, object, dry_run)
                    .map(|v| (v, true))
            }
            Some(current) => {
                let mut next = current.clone();
                let managed = current["metadata"]["managedFields"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                // Conflicts: another Apply manager owning a field this apply sets to another value.
                if !force {
                    for other in managed
                        .iter()
                        .filter(|m| m["manager"] != manager && m["operation"] == "Apply")
                    {
                        if let Some(conflict) =
                            conflict(&other["fieldsV1"], &fields, &current, body, "")
                        {
                            return Err(ApiError::new(
                                409,
                                "Conflict",
                                format!(
                                    "Apply failed with 1 conflict: conflict with \"{}\": {conflict}",
                                    other["manager"].as_str().unwrap_or_default()
                                ),
                            ));
                        }
                    }
                }
                if let Some(previous) = managed
                    .iter()
                    .find(|m| m["manager"] == manager && m["operation"] == "Apply")
                {
                    patch::remove_dropped_fields(&mut next, &previous["fieldsV1"], &fields);
                }
                let mut applied = body.clone();
                if let Some(meta) = applied["metadata"].as_object_mut() {
                    meta.remove("managedFields");
                    meta.remove("resourceVersion");
                }
                patch::strategic_merge(&mut next, &applied);
                let mut entries: Vec<Value> = managed
                    .into_iter()
                    .filter(|m| m["manager"] != manager)
                    .collect();
                entries.push(entry);
                next["metadata"]["managedFields"] = json!(entries);
                next["metadata"]["resourceVersion"] =
                    current["metadata"]["resourceVersion"].clone();
                self.update(rt, namespace, name, next, None, dry_run)
                    .map(|v| (v, false))
            }
        }
    }
}

/// The first field another manager owns that this apply sets differently, as `.spec.replicas`.
fn conflict(
    owned: &Value,
    applied_set: &Value,
    live: &Value,
    body: &Value,
    path: &str,
) -> Option<String> {
    let (Value::Object(owned), Value::Object(applied)) = (owned, applied_set) else {
        return None;
    };
    for (key, sub) in applied {
        let Some(other) = owned.get(key) else {
            continue;
        };
        let field = key.strip_prefix("f:")?;
        let here = format!("{path}.{field}");
        let (live_child, body_child) = (&live[field], &body[field]);
        let leaf = sub.as_object().is_some_and(Map::is_empty);
        if leaf {
            if live_child != body_child {
                return Some(here);
            }
        } else if let Some(found) = conflict(other, sub, live_child, body_child, &here) {
            return Some(found);
        }
    }
    None
}
