//! managedFields: who set which fields, recorded on every write as the API server's field
//! manager does — an `Update` entry per manager, API version and subresource for creates,
//! updates and patches; an `Apply` entry per manager for server-side apply, whose conflicts
//! with the fields other managers own are refused.

use super::*;
use crate::fields::{self, Comparison, FieldSet, Path};

/// One managedFields entry, its field set read.
struct Entry {
    value: Value,
    set: FieldSet,
}

impl Entry {
    fn is(&self, manager: &str, operation: &str, api_version: &str, sub: Option<&str>) -> bool {
        let v = &self.value;
        v["manager"] == manager
            && v["operation"] == operation
            && (operation == "Apply" || v["apiVersion"] == api_version)
            && v["subresource"].as_str() == sub
    }

    /// How conflicts name the manager: `"kubectl-create" using v1` (upstream prints the
    /// manager's identity, which has no time).
    fn describe(&self) -> String {
        let v = &self.value;
        let mut text = format!("{}", json!(v["manager"].as_str().unwrap_or_default()));
        if let Some(sub) = v["subresource"].as_str() {
            text.push_str(&format!(" with subresource {}", json!(sub)));
        }
        if v["operation"] == "Update" {
            text.push_str(&format!(
                " using {}",
                v["apiVersion"].as_str().unwrap_or_default()
            ));
        }
        text
    }
}

fn entries(object: &Value) -> Vec<Entry> {
    object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|value| Entry {
            set: FieldSet::from_fields_v1(&value["fieldsV1"]),
            value: value.clone(),
        })
        .collect()
}

/// Writes the entries back, in the API server's order (operation, time, manager, version,
/// subresource), dropping those that own nothing any more.
fn store_entries(object: &mut Value, mut list: Vec<Entry>) {
    list.retain(|e| !e.set.is_empty());
    let sort_key = |e: &Entry| {
        let v = &e.value;
        ["operation", "time", "manager", "apiVersion", "subresource"]
            .map(|k| v[k].as_str().unwrap_or_default().to_owned())
    };
    list.sort_by_key(sort_key);
    let values: Vec<Value> = list
        .into_iter()
        .map(|mut e| {
            e.value["fieldsV1"] = e.set.to_fields_v1();
            e.value
        })
        .collect();
    let Some(meta) = object["metadata"].as_object_mut() else {
        return;
    };
    if values.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), Value::Array(values));
    }
}

/// The fields a write to the main resource or to a subresource may own: the strategy resets
/// status on the main resource of a kind with a status subresource, and everything but status
/// on the status subresource.
fn owned(rt: &ResourceType, sub: Option<&str>, set: &FieldSet) -> FieldSet {
    let status = |p: &Path| p.first().is_some_and(|f| f == "f:status");
    let has_status = rt.subresources.iter().any(|s| s == "status");
    set.filter(|p| {
        !fields::stripped(p)
            && match sub {
                Some("status") => status(p),
                _ => !(has_status && status(p)),
            }
    })
}

fn new_entry(manager: &str, operation: &str, api_version: &str, sub: Option<&str>) -> Entry {
    let mut value = json!({
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now(),
        "fieldsType": "FieldsV1",
    });
    if let Some(sub) = sub {
        value["subresource"] = json!(sub);
    }
    Entry {
        value,
        set: FieldSet::default(),
    }
}

/// Records an `Update` by `manager` that turned `old` (the live object, or the kind's zero
/// value on create) into `new`: the fields it changed become its own, taken from whoever owned
/// them; fields it removed leave every owner. An object that has no managed fields on update
/// stays without, as upstream skips it.
pub(super) fn record_update(
    rt: &ResourceType,
    old: &Value,
    new: &mut Value,
    manager: &str,
    sub: Option<&str>,
) {
    let creating = old["metadata"]["uid"].is_null();
    let mut list = entries(new);
    if list.is_empty() {
        list = entries(old);
    }
    if list.is_empty() && !creating {
        return;
    }
    let comparison = fields::compare(old, new);
    let changed = owned(rt, sub, &comparison.changed());
    for entry in &mut list {
        entry.set = entry
            .set
            .difference(&changed)
            .difference(&comparison.removed);
    }
    if !changed.is_empty() {
        let api_version = rt.api_version(rt.version());
        let position = list
            .iter()
            .position(|e| e.is(manager, "Update", &api_version, sub));
        let mut entry = match position {
            Some(i) => list.remove(i),
            None => new_entry(manager, "Update", &api_version, sub),
        };
        entry.set = entry.set.union(&changed);
        entry.value["time"] = json!(now());
        list.push(entry);
    }
    store_entries(new, list);
}

/// Records a server-side apply by `manager` of `config`, which turned `live` into `merged`:
/// fields other managers own and the apply changes are conflicts, refused unless `force`
/// (then they change hands); the applier owns exactly what its configuration sets.
pub(super) fn record_apply(
    rt: &ResourceType,
    live: Option<&Value>,
    merged: &mut Value,
    config: &Value,
    manager: &str,
    force: bool,
) -> Result<(), ApiError> {
    let mut list = live.map(entries).unwrap_or_default();
    let comparison = match live {
        Some(live) => fields::compare(live, merged),
        None => Comparison::default(),
    };
    let changed = owned(rt, None, &comparison.changed());
    let position = list.iter().position(|e| e.is(manager, "Apply", "", None));
    let mine = position.map(|i| list.remove(i));
    let mut conflicts = Vec::new();
    for entry in &list {
        for path in entry.set.intersection(&changed).paths() {
            conflicts.push((entry.describe(), fields::display(path)));
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflict_error(&conflicts));
    }
    for entry in &mut list {
        entry.set = entry
            .set
            .difference(&changed)
            .difference(&comparison.removed);
    }
    let set = owned(rt, None, &fields::applied(config));
    let unchanged = live.is_some_and(|live| {
        let strip = |v: &Value| {
            let mut v = v.clone();
            if let Some(meta) = v["metadata"].as_object_mut() {
                meta.remove("managedFields");
            }
            v
        };
        strip(live) == strip(merged) && mine.as_ref().is_some_and(|m| m.set == set)
    });
    let mut entry = match mine {
        Some(entry) if unchanged => entry,
        _ => new_entry(manager, "Apply", &rt.api_version(rt.version()), None),
    };
    entry.set = set;
    list.push(entry);
    store_entries(merged, list);
    Ok(())
}

/// Removes from `live` what `manager` applied before and no longer applies, unless another
/// manager owns it too, as server-side apply does.
pub(super) fn remove_dropped(live: &mut Value, config: &Value, manager: &str) {
    let list = entries(live);
    let (mine, others): (Vec<&Entry>, Vec<&Entry>) =
        list.iter().partition(|e| e.is(manager, "Apply", "", None));
    let Some(previous) = mine.first() else {
        return;
    };
    let owned_elsewhere = others
        .iter()
        .fold(FieldSet::default(), |all, e| all.union(&e.set));
    let dropped = previous
        .set
        .difference(&fields::applied(config))
        .difference(&owned_elsewhere);
    fields::remove(live, &dropped);
}

/// 409 with one cause per conflicting field, worded as upstream's.
fn conflict_error(conflicts: &[(String, String)]) -> ApiError {
    let message = match conflicts {
        [(manager, path)] => {
            format!("Apply failed with 1 conflict: conflict with {manager}: {path}")
        }
        _ => {
            let mut by_manager: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for (manager, path) in conflicts {
                by_manager.entry(manager).or_default().push(path);
            }
            let mut lines = Vec::new();
            for (manager, paths) in by_manager {
                lines.push(format!("conflicts with {manager}:"));
                lines.extend(paths.iter().map(|p| format!("- {p}")));
            }
            format!(
                "Apply failed with {} conflicts: {}",
                conflicts.len(),
                lines.join("\n")
            )
        }
    };
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(manager, path)| {
            json!({"reason": "FieldManagerConflict", "message": format!("conflict with {manager}"), "field": path})
        })
        .collect();
    let mut error = ApiError::new(409, "Conflict", message);
    error.details = Some(json!({"causes": causes}));
    error
}
