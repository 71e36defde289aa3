//! Pod admission (simcluster's own port of upstream's defaulting, LimitRanger and validation) and the quota controller, as the store runs them on writes.

use super::*;

impl Store {
    /// The quota controller, run on every change in a namespace with ResourceQuotas:
    /// `status.hard` from the spec, `status.used` from the namespace's objects.
    pub(super) fn sync_quotas(&mut self, namespace: &str) {
        let quota_key = |name: &str| {
            (
                String::new(),
                "resourcequotas".to_owned(),
                namespace.to_owned(),
                name.to_owned(),
            )
        };
        let quotas: Vec<(Key, Value)> = self
            .objects
            .range(quota_key("")..)
            .take_while(|(k, _)| k.1 == "resourcequotas" && k.2 == namespace && k.0.is_empty())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if quotas.is_empty() {
            return;
        }
        self.syncing_quotas = true;
        for (key, mut object) in quotas {
            let quota = crate::admission::quota::Quota::from_object(&object);
            // Only the kinds the quota's resources count are read.
            let kinds = crate::admission::quota::counted_kinds(&quota);
            let mut objects: Vec<(String, String, Value)> = Vec::new();
            for (group, plural) in &kinds {
                let start: Key = (
                    group.clone(),
                    plural.clone(),
                    namespace.to_owned(),
                    String::new(),
                );
                objects.extend(
                    self.objects
                        .range(start..)
                        .take_while(|(k, _)| &k.0 == group && &k.1 == plural && k.2 == namespace)
                        .map(|(k, v)| (k.0.clone(), k.1.clone(), v.clone())),
                );
            }
            let (hard, used) = crate::admission::quota::status(
                &quota,
                objects.iter().map(|(g, p, v)| (g.as_str(), p.as_str(), v)),
                jiff::Timestamp::now(),
            );
            let status = json!({"hard": hard, "used": used});
            if object["status"] != status {
                object["status"] = status;
                let rv = self.next_rv();
                object["metadata"]["resourceVersion"] = json!(rv.to_string());
                self.objects.insert(key.clone(), object.clone());
                self.record("MODIFIED", &key, &object);
            }
        }
        self.syncing_quotas = false;
    }

    /// LimitRanger and ResourceQuota admission for a pod being created (dry runs included):
    /// defaults set, or the API server's 403 with its message.
    pub(super) fn admit_pod(
        &self,
        namespace: &str,
        name: &str,
        pod: &mut Value,
    ) -> Result<(), ApiError> {
        let in_namespace = |plural: &str| -> Vec<Value> {
            let start: Key = (
                String::new(),
                plural.to_owned(),
                namespace.to_owned(),
                String::new(),
            );
            self.objects
                .range(start..)
                .take_while(|(k, _)| k.0.is_empty() && k.1 == plural && k.2 == namespace)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let ranges = in_namespace("limitranges");
        let quotas = in_namespace("resourcequotas");
        use crate::admission::Refusal;
        crate::admission::admit(pod, name, &ranges, &quotas, jiff::Timestamp::now()).map_err(
            |refusal| match refusal {
                Refusal::BadRequest(m) => ApiError::bad_request(m),
                Refusal::Invalid(m) => ApiError::new(422, "Invalid", m),
                Refusal::Forbidden(m) => ApiError::new(403, "Forbidden", m),
            },
        )
    }
}
