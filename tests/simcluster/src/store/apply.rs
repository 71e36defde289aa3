//! Server-side apply: the applied configuration merged into the live object, its fields
//! recorded for the applier, conflicts with other managers refused (see [`managed`]).

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
        match existing {
            None => {
                let mut object = body.clone();
                object["metadata"]["name"] = json!(name);
                managed::record_apply(rt, None, &mut object, body, manager, force)?;
                self.create(rt, namespace, object, dry_run)
                    .map(|v| (v, true))
            }
            Some(current) => {
                let mut next = current.clone();
                managed::remove_dropped(&mut next, body, manager);
                let mut applied = body.clone();
                if let Some(meta) = applied["metadata"].as_object_mut() {
                    meta.remove("managedFields");
                    meta.remove("resourceVersion");
                }
                patch::strategic_merge(&mut next, &applied);
                managed::record_apply(rt, Some(&current), &mut next, body, manager, force)?;
                next["metadata"]["resourceVersion"] =
                    current["metadata"]["resourceVersion"].clone();
                self.update(rt, namespace, name, next, None, dry_run)
                    .map(|v| (v, false))
            }
        }
    }
}
