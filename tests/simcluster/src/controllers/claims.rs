//! PersistentVolumeClaim binding.

use super::*;

impl Controllers {
    pub(super) fn claims(&mut self, store: &mut Store) {
        let Some(pvc_rt) = rt(store, "", "v1", "persistentvolumeclaims") else {
            return;
        };
        for pvc in store.all("", "persistentvolumeclaims") {
            if pvc["status"]["phase"] == "Bound" {
                continue;
            }
            let mut pvc = pvc.clone();
            pvc["spec"]["volumeName"] = json!(format!(
                "pvc-{}",
                pvc["metadata"]["uid"].as_str().unwrap_or_default()
            ));
            pvc["status"] = json!({
                "phase": "Bound",
                "accessModes": pvc["spec"]["accessModes"].clone(),
                "capacity": {"storage": pvc["spec"]["resources"]["requests"]["storage"].clone()},
            });
            let _ = store.put(&pvc_rt, pvc);
        }
    }
}
