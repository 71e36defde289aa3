//! Garbage collection: dependents by owner reference, orphaned or deleted with their owner.

use super::*;

impl Store {
    /// Keys of objects owned by `uid`.
    pub fn dependents(&self, uid: &str) -> Vec<Key> {
        self.objects
            .iter()
            .filter(|(_, o)| {
                o["metadata"]["ownerReferences"]
                    .as_array()
                    .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid))
            })
            .map(|(k, _)| k.clone())
            .collect()
    }

    pub(super) fn orphan_dependents(&mut self, uid: &str) {
        for key in self.dependents(uid) {
            if let Some(mut object) = self.objects.get(&key).cloned() {
                if let Some(refs) = object["metadata"]["ownerReferences"].as_array_mut() {
                    refs.retain(|r| r["uid"] != uid);
                }
                let rv = self.next_rv();
                object["metadata"]["resourceVersion"] = json!(rv.to_string());
                self.objects.insert(key.clone(), object.clone());
                self.record("MODIFIED", &key, &object);
            }
        }
    }

    pub(super) fn delete_dependents(&mut self, uid: &str) {
        for key in self.dependents(uid) {
            let dependent_uid = self
                .objects
                .get(&key)
                .and_then(|o| o["metadata"]["uid"].as_str().map(str::to_owned));
            if let Some(dependent_uid) = dependent_uid {
                self.delete_dependents(&dependent_uid);
            }
            self.remove(&key);
        }
    }

    /// Garbage collection: removes objects whose every owner is gone, and finishes namespaces
    /// in Terminating by removing their contents. Returns how many objects it removed.
    pub fn collect_garbage(&mut self) -> usize {
        let uids: std::collections::HashSet<String> = self
            .objects
            .values()
            .filter_map(|o| o["metadata"]["uid"].as_str().map(str::to_owned))
            .collect();
        let orphans: Vec<Key> = self
            .objects
            .iter()
            .filter(|(_, o)| {
                o["metadata"]["ownerReferences"]
                    .as_array()
                    .is_some_and(|refs| {
                        !refs.is_empty()
                            && refs
                                .iter()
                                .all(|r| !uids.contains(r["uid"].as_str().unwrap_or_default()))
                    })
            })
            .map(|(k, _)| k.clone())
            .collect();
        let mut removed = 0;
        for key in orphans {
            removed += usize::from(self.remove(&key).is_some());
        }
        let terminating: Vec<String> = self
            .all("", "namespaces")
            .iter()
            .filter(|ns| ns["status"]["phase"] == "Terminating")
            .filter_map(|ns| ns["metadata"]["name"].as_str().map(str::to_owned))
            .collect();
        for ns in terminating {
            let contents: Vec<Key> = self.objects.keys().filter(|k| k.2 == ns).cloned().collect();
            for key in contents {
                removed += usize::from(self.remove(&key).is_some());
            }
            let key = (String::new(), "namespaces".to_owned(), String::new(), ns);
            removed += usize::from(self.remove(&key).is_some());
        }
        removed
    }
}
