//! The four patch types: JSON patch (RFC 6902), merge patch (RFC 7386), strategic merge patch
//! (with the list merge keys the Kubernetes types declare) and server-side apply.

use serde_json::Value;

/// List fields merged by key in a strategic merge patch, as the Kubernetes types declare them
/// (`patchMergeKey`). Other lists are replaced whole.
pub fn merge_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "readinessGates" => "name",
        "ports" => "containerPort",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "hostAliases" => "ip",
        "conditions" => "type",
        "ownerReferences" => "uid",
        "topologySpreadConstraints" => "topologyKey",
        _ => return None,
    })
}

/// RFC 7386 merge patch: maps merge recursively, `null` deletes, everything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => {
            let mut patch = patch.clone();
            strip_nulls(&mut patch);
            *target = patch;
        }
    }
}

fn strip_nulls(value: &mut Value) {
    if let Value::Object(map) = value {
        map.retain(|_, v| !v.is_null());
        map.values_mut().for_each(strip_nulls);
    }
}

/// Strategic merge patch: like a merge patch, but lists with a merge key merge item by item,
/// `$patch: delete|replace` directives apply, and kubectl's `$setElementOrder`, `$retainKeys` and
/// `$deleteFromPrimitiveList` directives are honoured.
pub fn strategic_merge(target: &mut Value, patch: &Value) {
    let (Value::Object(target_map), Value::Object(patch_map)) = (&mut *target, patch) else {
        let mut patch = patch.clone();
        strip_directives(&mut patch);
        *target = patch;
        return;
    };
    if patch_map.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut replacement = patch.clone();
        strip_directives(&mut replacement);
        *target = replacement;
        return;
    }
    if let Some(keys) = patch_map.get("$retainKeys").and_then(Value::as_array) {
        let keep: Vec<&str> = keys.iter().filter_map(Value::as_str).collect();
        target_map.retain(|k, _| keep.contains(&k.as_str()));
    }
    for (key, value) in patch_map {
        if key.starts_with('$') {
            continue;
        }
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Some(remove)) =
                (target_map.get_mut(field), value.as_array())
            {
                list.retain(|item| !remove.contains(item));
            }
            continue;
        }
        if value.is_null() {
            target_map.remove(key);
            continue;
        }
        match (target_map.get_mut(key), value, merge_key(key)) {
            (Some(Value::Array(list)), Value::Array(items), Some(merge_key)) => {
                merge_list(list, items, merge_key)
            }
            (Some(existing @ Value::Object(_)), Value::Object(_), _) => {
                strategic_merge(existing, value)
            }
            _ => {
                let mut value = value.clone();
                strip_directives(&mut value);
                target_map.insert(key.clone(), value);
            }
        }
    }
    // `$setElementOrder/<field>` fixes the order of merged lists.
    for (key, order) in patch_map {
        if let (Some(field), Some(order)) =
            (key.strip_prefix("$setElementOrder/"), order.as_array())
            && let (Some(merge_key), Some(Value::Array(list))) =
                (merge_key(field), target_map.get_mut(field))
        {
            let position = |item: &Value| {
                order
                    .iter()
                    .position(|o| o.get(merge_key) == item.get(merge_key))
                    .unwrap_or(usize::MAX)
            };
            list.sort_by_key(position);
        }
    }
}

fn merge_list(list: &mut Vec<Value>, items: &[Value], merge_key: &str) {
    for item in items {
        let key = item.get(merge_key);
        let existing = list
            .iter()
            .position(|e| key.is_some() && e.get(merge_key) == key);
        let directive = item.get("$patch").and_then(Value::as_str);
        match (existing, directive) {
            (Some(i), Some("delete")) => {
                list.remove(i);
            }
            (None, Some("delete")) => {}
            (Some(i), _) => strategic_merge(&mut list[i], item),
            (None, _) => {
                let mut item = item.clone();
                strip_directives(&mut item);
                list.push(item);
            }
        }
    }
}

fn strip_directives(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, v| !k.starts_with('$') && !v.is_null());
            map.values_mut().for_each(strip_directives);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_directives),
        _ => {}
    }
}

fn pointer_parts(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| format!("invalid JSON pointer `{path}`"))?;
    Ok(rest
        .split('/')
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn parent_mut<'a>(root: &'a mut Value, parts: &[String]) -> Result<&'a mut Value, String> {
    let mut node = root;
    for part in parts {
        node = match node {
            Value::Object(map) => map
                .get_mut(part)
                .ok_or_else(|| format!("path element `{part}` does not exist"))?,
            Value::Array(items) => {
                let index: usize = part
                    .parse()
                    .map_err(|_| format!("`{part}` is not an array index"))?;
                items
                    .get_mut(index)
                    .ok_or_else(|| format!("array index {index} is out of range"))?
            }
            _ => return Err(format!("cannot descend into `{part}`")),
        };
    }
    Ok(node)
}

fn add(root: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let parts = pointer_parts(path)?;
    let Some((last, parents)) = parts.split_last() else {
        *root = value;
        return Ok(());
    };
    match parent_mut(root, parents)? {
        Value::Object(map) => {
            map.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(items) => {
            let index = if last == "-" {
                items.len()
            } else {
                last.parse()
                    .map_err(|_| format!("`{last}` is not an array index"))?
            };
            if index > items.len() {
                return Err(format!("array index {index} is out of range"));
            }
            items.insert(index, value);
            Ok(())
        }
        _ => Err(format!("cannot add at `{path}`")),
    }
}

fn remove(root: &mut Value, path: &str) -> Result<Value, String> {
    let parts = pointer_parts(path)?;
    let (last, parents) = parts
        .split_last()
        .ok_or("cannot remove the whole document")?;
    match parent_mut(root, parents)? {
        Value::Object(map) => map
            .remove(last)
            .ok_or_else(|| format!("`{path}` does not exist")),
        Value::Array(items) => {
            let index: usize = last
                .parse()
                .map_err(|_| format!("`{last}` is not an array index"))?;
            if index >= items.len() {
                return Err(format!("array index {index} is out of range"));
            }
            Ok(items.remove(index))
        }
        _ => Err(format!("cannot remove `{path}`")),
    }
}

/// RFC 6902 JSON patch. The document is left unchanged when any operation fails.
pub fn json_patch(target: &mut Value, operations: &Value) -> Result<(), String> {
    let operations = operations
        .as_array()
        .ok_or("a JSON patch must be a list of operations")?;
    let mut doc = target.clone();
    for op in operations {
        let path = op["path"]
            .as_str()
            .ok_or("every operation needs a `path`")?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| format!("`{}` needs a `value`", op["op"]))
        };
        match op["op"].as_str().unwrap_or_default() {
            "add" => add(&mut doc, path, value()?)?,
            "remove" => {
                remove(&mut doc, path)?;
            }
            "replace" => {
                remove(&mut doc, path)?;
                add(&mut doc, path, value()?)?;
            }
            "move" => {
                let from = op["from"].as_str().ok_or("`move` needs `from`")?;
                let moved = remove(&mut doc, from)?;
                add(&mut doc, path, moved)?;
            }
            "copy" => {
                let from = op["from"].as_str().ok_or("`copy` needs `from`")?;
                let copied = doc
                    .pointer(from)
                    .cloned()
                    .ok_or_else(|| format!("`{from}` does not exist"))?;
                add(&mut doc, path, copied)?;
            }
            "test" => {
                if doc.pointer(path) != Some(&value()?) {
                    return Err(format!("test operation failed at `{path}`"));
                }
            }
            other => return Err(format!("unknown JSON patch operation `{other}`")),
        }
    }
    *target = doc;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(
            &mut doc,
            &json!({"a": "z", "c": {"f": null}, "n": [1, {"x": null}]}),
        );
        assert_eq!(
            doc,
            json!({"a": "z", "c": {"d": "e"}, "n": [1, {"x": null}]}),
            "arrays replace as sent"
        );
    }

    #[test]
    fn strategic_merge_merges_containers_by_name() {
        let mut doc = json!({"spec": {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}], "tolerations": [{"key": "x"}]}});
        strategic_merge(
            &mut doc,
            &json!({"spec": {
                "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}, {"name": "c"}],
                "containers": [{"name": "a", "image": "a:2"}, {"name": "c", "image": "c:1"}],
                "tolerations": [{"key": "y"}]
            }}),
        );
        assert_eq!(
            doc,
            json!({"spec": {"containers": [{"name": "b", "image": "b:1"}, {"name": "a", "image": "a:2"}, {"name": "c", "image": "c:1"}], "tolerations": [{"key": "y"}]}})
        );
        strategic_merge(
            &mut doc,
            &json!({"spec": {"containers": [{"name": "b", "$patch": "delete"}]}}),
        );
        assert_eq!(doc["spec"]["containers"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn json_patch_is_atomic() {
        let mut doc = json!({"metadata": {"labels": {"a": "1"}}, "list": [1, 2]});
        json_patch(
            &mut doc,
            &json!([
                {"op": "add", "path": "/metadata/labels/b~1c", "value": "2"},
                {"op": "replace", "path": "/list/0", "value": 9},
                {"op": "add", "path": "/list/-", "value": 3},
                {"op": "test", "path": "/list/2", "value": 3}
            ]),
        )
        .unwrap();
        assert_eq!(
            doc,
            json!({"metadata": {"labels": {"a": "1", "b/c": "2"}}, "list": [9, 2, 3]})
        );
        let before = doc.clone();
        assert!(
            json_patch(
                &mut doc,
                &json!([{"op": "remove", "path": "/list/0"}, {"op": "remove", "path": "/nope"}])
            )
            .is_err()
        );
        assert_eq!(doc, before);
    }
}
