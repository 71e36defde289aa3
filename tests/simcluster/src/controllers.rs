//! The simulated controllers and kubelet: Deployment → ReplicaSet → Pod, StatefulSet, DaemonSet,
//! Job, PVC binding, PDB status, garbage collection. Deterministic; delays divide by `speed`.
//!
//! Image conventions: a tag ending in `-crashloop` crash-loops, `-unready` runs but never becomes
//! Ready, `-fail` makes a Job's pod exit 1; everything else succeeds.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::registry::ResourceType;
use crate::selectors::LabelSelector;
use crate::store::{Store, now};

mod claims;
mod cronjob;
mod daemonset;
mod deployment;
mod disruption;
mod job;
mod kubelet;
mod replicaset;
mod statefulset;
mod vpa;

/// The simulated nodes.
pub const NODES: [&str; 3] = ["sim-node-1", "sim-node-2", "sim-node-3"];

/// Controller state that is not in the API: when each pod started.
pub struct Controllers {
    speed: f64,
    started: HashMap<String, Instant>,
    next_node: usize,
    /// Per Deployment uid: its last rollout state and when it last changed.
    progress: HashMap<String, (String, Instant)>,
    /// The simulated Velero's backups, by `namespace/name`.
    snapshots: HashMap<String, crate::velero::Snapshot>,
}

fn rt(store: &Store, group: &str, version: &str, plural: &str) -> Option<ResourceType> {
    store.registry.find(group, version, plural).cloned()
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A pod-template-hash: 10 characters of the API server's name alphabet.
fn short_hash(value: &Value) -> String {
    crate::store::name_suffix(value, 10)
}

fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or(0)
}

/// maxSurge and maxUnavailable of a RollingUpdate strategy, resolved against `desired` as the
/// Deployment controller does (surge rounds up, unavailable rounds down; never both zero).
pub fn rolling_limits(strategy: &Value, desired: i64) -> (i64, i64) {
    let resolve = |value: &Value, round_up: bool| -> i64 {
        match value {
            Value::Number(n) => n.as_i64().unwrap_or(0),
            Value::String(s) => {
                let percent: i64 = s.trim_end_matches('%').parse().unwrap_or(25);
                if round_up {
                    (percent * desired + 99) / 100
                } else {
                    percent * desired / 100
                }
            }
            _ => {
                if round_up {
                    (25 * desired + 99) / 100
                } else {
                    25 * desired / 100
                }
            }
        }
    };
    let surge = resolve(&strategy["rollingUpdate"]["maxSurge"], true);
    let unavailable = resolve(&strategy["rollingUpdate"]["maxUnavailable"], false);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

fn owner_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": true,
        "blockOwnerDeletion": true
    })
}

fn owned_by<'a>(objects: &'a [Value], owner: &Value) -> Vec<&'a Value> {
    let uid = &owner["metadata"]["uid"];
    objects
        .iter()
        .filter(|o| {
            o["metadata"]["ownerReferences"]
                .as_array()
                .is_some_and(|refs| refs.iter().any(|r| r["uid"] == *uid))
        })
        .collect()
}

/// Whether a pod's Ready condition is True.
pub(crate) fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

fn image_tags(pod: &Value) -> Vec<String> {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["image"].as_str().map(str::to_owned))
        .collect()
}

fn new_pod(owner: &Value, template: &Value, name: &str, extra_labels: &Value) -> Value {
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": template["metadata"].clone(),
        "spec": template["spec"].clone(),
    });
    if !pod["metadata"].is_object() {
        pod["metadata"] = json!({});
    }
    pod["metadata"]["name"] = json!(name);
    pod["metadata"]["namespace"] = owner["metadata"]["namespace"].clone();
    pod["metadata"]["ownerReferences"] = json!([owner_ref(owner)]);
    if let Some(extra) = extra_labels.as_object() {
        for (k, v) in extra {
            pod["metadata"]["labels"][k] = v.clone();
        }
    }
    pod["status"] =
        json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False"}]});
    pod
}

impl Controllers {
    /// Controllers running at `speed` (10 = delays ten times shorter).
    pub fn new(speed: f64) -> Self {
        Self {
            speed: if speed > 0.0 { speed } else { 1.0 },
            started: HashMap::new(),
            next_node: 0,
            progress: HashMap::new(),
            snapshots: HashMap::new(),
        }
    }

    fn scaled(&self, seconds: f64) -> Duration {
        Duration::from_secs_f64(seconds / self.speed)
    }

    /// The nodes every cluster starts with.
    pub fn seed_nodes(store: &mut Store) {
        let Some(node_rt) = rt(store, "", "v1", "nodes") else {
            return;
        };
        let Some(ns_rt) = rt(store, "", "v1", "namespaces") else {
            return;
        };
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let _ = store.create(&ns_rt, "", json!({"metadata": {"name": ns}}), false);
        }
        for (i, name) in NODES.iter().enumerate() {
            let node = json!({
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": name, "labels": {
                    "kubernetes.io/hostname": name,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "topology.kubernetes.io/zone": format!("sim-zone-{}", (b'a' + i as u8) as char),
                }},
                "spec": {},
                "status": {
                    "capacity": {"cpu": "8", "memory": "32Gi", "pods": "110", "ephemeral-storage": "100Gi"},
                    "allocatable": {"cpu": "7800m", "memory": "31Gi", "pods": "110", "ephemeral-storage": "95Gi"},
                    "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status"}],
                    "nodeInfo": {"kubeletVersion": crate::discovery::GIT_VERSION, "osImage": "simcluster", "containerRuntimeVersion": "sim://1.0", "architecture": "amd64", "operatingSystem": "linux"}
                }
            });
            let _ = store.create(&node_rt, "", node, false);
        }
    }

    /// One reconciliation pass over everything.
    pub fn tick(&mut self, store: &mut Store) {
        store.collect_garbage();
        self.deployments(store);
        self.replicasets(store);
        self.statefulsets(store);
        self.daemonsets(store);
        self.cronjobs(store, jiff::Timestamp::now());
        self.jobs(store);
        self.kubelet(store);
        self.claims(store);
        self.disruption_budgets(store);
        self.vertical_autoscalers(store);
        crate::velero::tick(store, &mut self.snapshots);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(image: &str, strategy: Value) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 4, "progressDeadlineSeconds": 600, "strategy": strategy,
                     "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}}}
        })
    }

    fn run_until(
        store: &mut Store,
        controllers: &mut Controllers,
        mut done: impl FnMut(&Store) -> bool,
    ) -> (usize, usize) {
        let (mut max_pods, mut min_ready) = (0, usize::MAX);
        for _ in 0..2000 {
            controllers.tick(store);
            let pods = store.all("", "pods");
            max_pods = max_pods.max(pods.len());
            min_ready = min_ready.min(pods.iter().filter(|p| is_ready(p)).count());
            if done(store) {
                return (max_pods, min_ready);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        panic!("did not converge");
    }

    fn cluster() -> (Store, Controllers, ResourceType) {
        let mut store = Store::default();
        Controllers::seed_nodes(&mut store);
        let deploy_rt = store
            .registry
            .find("apps", "v1", "deployments")
            .cloned()
            .unwrap();
        (store, Controllers::new(1000.0), deploy_rt)
    }

    fn set_image(store: &mut Store, deploy_rt: &ResourceType, image: &str) {
        let mut d = store.all("apps", "deployments")[0].clone();
        d["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
        store.put(deploy_rt, d).unwrap();
    }

    fn deploy_status(store: &Store) -> Value {
        store.all("apps", "deployments")[0]["status"].clone()
    }

    fn rolled_out(image: &'static str) -> impl FnMut(&Store) -> bool {
        move |store| {
            let pods = store.all("", "pods");
            let status = deploy_status(store);
            pods.len() == 4
                && pods
                    .iter()
                    .all(|p| p["spec"]["containers"][0]["image"] == image && is_ready(p))
                && status["availableReplicas"] == 4
        }
    }

    #[test]
    fn rolling_updates_respect_max_surge_and_max_unavailable() {
        let (mut store, mut controllers, deploy_rt) = cluster();
        let strategy =
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}});
        store
            .create(
                &deploy_rt,
                "default",
                deployment("web:1", strategy.clone()),
                false,
            )
            .unwrap();
        run_until(&mut store, &mut controllers, rolled_out("web:1"));

        set_image(&mut store, &deploy_rt, "web:2");
        let (max_pods, min_ready) = run_until(&mut store, &mut controllers, rolled_out("web:2"));
        assert!(max_pods <= 5, "maxSurge 1 allows 5 pods, saw {max_pods}");
        assert!(
            min_ready >= 4,
            "maxUnavailable 0 keeps 4 ready, saw {min_ready}"
        );
        let revisions: Vec<Value> = store
            .all("apps", "replicasets")
            .iter()
            .map(|rs| {
                json!([
                    rs["spec"]["replicas"],
                    rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                ])
            })
            .collect();
        assert!(
            revisions.contains(&json!([0, "1"])) && revisions.contains(&json!([4, "2"])),
            "{revisions:?}"
        );
    }

    #[test]
    fn recreate_removes_the_old_pods_first() {
        let (mut store, mut controllers, deploy_rt) = cluster();
        store
            .create(
                &deploy_rt,
                "default",
                deployment("web:1", json!({"type": "Recreate"})),
                false,
            )
            .unwrap();
        run_until(&mut store, &mut controllers, rolled_out("web:1"));
        set_image(&mut store, &deploy_rt, "web:2");
        let mut mixed = false;
        run_until(&mut store, &mut controllers, |store| {
            let images: std::collections::HashSet<String> = store
                .all("", "pods")
                .iter()
                .filter_map(|p| {
                    p["spec"]["containers"][0]["image"]
                        .as_str()
                        .map(str::to_owned)
                })
                .collect();
            mixed |= images.len() > 1;
            rolled_out("web:2")(store)
        });
        assert!(!mixed, "Recreate never runs old and new pods together");
    }

    #[test]
    fn a_stuck_rollout_exceeds_its_progress_deadline() {
        let (mut store, mut controllers, deploy_rt) = cluster();
        let mut stuck = deployment("web:1-unready", json!({"type": "RollingUpdate"}));
        stuck["spec"]["progressDeadlineSeconds"] = json!(5);
        store.create(&deploy_rt, "default", stuck, false).unwrap();
        run_until(&mut store, &mut controllers, |store| {
            deploy_status(store)["conditions"]
                .as_array()
                .is_some_and(|c| {
                    c.iter().any(|c| {
                        c["type"] == "Progressing"
                            && c["reason"] == "ProgressDeadlineExceeded"
                            && c["status"] == "False"
                    })
                })
        });
        assert_eq!(deploy_status(&store)["availableReplicas"], 0);
    }

    #[test]
    fn cronjobs_start_jobs_on_schedule_and_honour_forbid() {
        let (mut store, mut controllers, _) = cluster();
        let cron_rt = store
            .registry
            .find("batch", "v1", "cronjobs")
            .cloned()
            .unwrap();
        let cron = json!({
            "metadata": {"name": "cleanup", "namespace": "default"},
            "spec": {"schedule": "* * * * *", "concurrencyPolicy": "Forbid",
                     "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "cleanup:1"}]}}}}}
        });
        store.create(&cron_rt, "default", cron, false).unwrap();
        let now = jiff::Timestamp::now();
        controllers.cronjobs(&mut store, now);
        assert!(store.all("batch", "jobs").is_empty(), "nothing is due yet");
        let later = now + jiff::SignedDuration::from_mins(2);
        controllers.cronjobs(&mut store, later);
        let jobs = store.all("batch", "jobs");
        assert_eq!(jobs.len(), 1, "only the latest missed start runs");
        assert_eq!(jobs[0]["metadata"]["ownerReferences"][0]["kind"], "CronJob");
        let status = &store.all("batch", "cronjobs")[0]["status"];
        assert_eq!(status["active"][0]["name"], jobs[0]["metadata"]["name"]);
        // Forbid: the first Job is still running, so the next start is skipped.
        controllers.cronjobs(&mut store, later + jiff::SignedDuration::from_mins(1));
        assert_eq!(store.all("batch", "jobs").len(), 1);
    }

    #[test]
    fn rolling_limits_round_like_the_deployment_controller() {
        assert_eq!(rolling_limits(&json!({}), 10), (3, 2));
        assert_eq!(
            rolling_limits(
                &json!({"rollingUpdate": {"maxSurge": "50%", "maxUnavailable": 1}}),
                3
            ),
            (2, 1)
        );
        assert_eq!(
            rolling_limits(
                &json!({"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}),
                3
            ),
            (0, 1)
        );
    }

    #[test]
    fn quota_admission_caps_replicas_and_the_replicaset_says_why() {
        let (mut store, mut controllers, deploy_rt) = cluster();
        let quota_rt = store
            .registry
            .find("", "v1", "resourcequotas")
            .cloned()
            .unwrap();
        store
            .create(&quota_rt, "default", json!({"metadata": {"name": "compute"}, "spec": {"hard": {"pods": "3", "requests.cpu": "1"}}}), false)
            .unwrap();
        let used = |store: &Store| store.all("", "resourcequotas")[0]["status"]["used"].clone();
        assert_eq!(used(&store), json!({"pods": "0", "requests.cpu": "0"}));
        let mut d = deployment("web:1", json!({"type": "RollingUpdate"}));
        d["spec"]["template"]["spec"]["containers"][0]["resources"] =
            json!({"requests": {"cpu": "300m"}});
        store.create(&deploy_rt, "default", d, false).unwrap();
        run_until(&mut store, &mut controllers, |s| {
            s.all("", "pods").len() == 3
        });
        for _ in 0..5 {
            controllers.tick(&mut store);
        }
        // Four wanted, three fit (pods and CPU both full); the fourth is refused as upstream says.
        assert_eq!(store.all("", "pods").len(), 3);
        assert_eq!(used(&store), json!({"pods": "3", "requests.cpu": "900m"}));
        let rs = &store.all("apps", "replicasets")[0];
        let message = rs["status"]["conditions"][0]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(
            message.ends_with("is forbidden: exceeded quota: compute, requested: pods=1,requests.cpu=300m, used: pods=3,requests.cpu=900m, limited: pods=3,requests.cpu=1"),
            "{message}"
        );
        assert_eq!(rs["status"]["conditions"][0]["reason"], "FailedCreate");
    }

    #[test]
    fn a_request_above_its_defaulted_limit_is_invalid_not_forbidden() {
        let (mut store, _, _) = cluster();
        let find =
            |store: &Store, plural: &str| store.registry.find("", "v1", plural).cloned().unwrap();
        let ranges = find(&store, "limitranges");
        store
            .create(&ranges, "default", json!({"metadata": {"name": "defaults"}, "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}}]}}), false)
            .unwrap();
        let pods = find(&store, "pods");
        let pod = json!({"metadata": {"name": "big"}, "spec": {"containers": [{"name": "a", "image": "a:1", "resources": {"requests": {"cpu": "700m"}}}]}});
        let error = store.create(&pods, "default", pod, false).unwrap_err();
        assert_eq!((error.code, error.reason), (422, "Invalid"));
        assert_eq!(
            error.message,
            "Pod \"big\" is invalid: spec.containers[0].resources.requests: Invalid value: \"700m\": must be less than or equal to cpu limit of 500m"
        );
    }
}
