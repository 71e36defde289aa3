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

    /// A VPA recommender, when the VPA CRD is installed: each VerticalPodAutoscaler's
    /// `status.recommendation` from its target's pods' simulated usage (the highest per
    /// container): target = usage + 15 %, lowerBound = half, upperBound = twice.
    fn vertical_autoscalers(&mut self, store: &mut Store) {
        let Some(vpa_rt) = rt(store, "autoscaling.k8s.io", "v1", "verticalpodautoscalers") else {
            return;
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let pods = store.all("", "pods");
        for vpa in store.all("autoscaling.k8s.io", "verticalpodautoscalers") {
            let namespace = vpa["metadata"]["namespace"].as_str().unwrap_or_default();
            let target = &vpa["spec"]["targetRef"];
            let plural = match target["kind"].as_str() {
                Some("Deployment") => "deployments",
                Some("StatefulSet") => "statefulsets",
                Some("DaemonSet") => "daemonsets",
                _ => continue,
            };
            let Some(workload) = store.all("apps", plural).into_iter().find(|w| {
                w["metadata"]["namespace"] == namespace && w["metadata"]["name"] == target["name"]
            }) else {
                continue;
            };
            let selector = &workload["spec"]["selector"]["matchLabels"];
            let mine: Vec<&Value> = pods
                .iter()
                .filter(|p| {
                    p["metadata"]["namespace"] == namespace
                        && p["status"]["phase"] == "Running"
                        && selector.as_object().is_some_and(|m| {
                            !m.is_empty() && m.iter().all(|(k, v)| p["metadata"]["labels"][k] == *v)
                        })
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            let mut recommendations = Vec::new();
            for container in workload["spec"]["template"]["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let name = container["name"].as_str().unwrap_or_default();
                let (mut cpu, mut memory) = (0i128, 0i128);
                for pod in &mine {
                    if let Some(c) = pod["spec"]["containers"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|c| c["name"] == name)
                    {
                        let (c_cpu, c_memory) = crate::metrics::usage(pod, c, now);
                        cpu = cpu.max(c_cpu);
                        memory = memory.max(c_memory);
                    }
                }
                let bound = |cpu: i128, memory: i128| json!({"cpu": format!("{}m", (cpu / 1_000_000).max(1)), "memory": format!("{}", memory.max(1))});
                recommendations.push(json!({
                    "containerName": name,
                    "target": bound(cpu * 115 / 100, memory * 115 / 100),
                    "lowerBound": bound(cpu / 2, memory / 2),
                    "upperBound": bound(cpu * 2, memory * 2),
                    "uncappedTarget": bound(cpu * 115 / 100, memory * 115 / 100),
                }));
            }
            let mut next = vpa.clone();
            let provided_since = vpa["status"]["conditions"][0]["lastTransitionTime"]
                .as_str()
                .map_or_else(crate::store::now, str::to_owned);
            next["status"] = json!({
                "recommendation": {"containerRecommendations": recommendations},
                "conditions": [{"type": "RecommendationProvided", "status": "True", "lastTransitionTime": provided_since}],
            });
            if next != vpa {
                let _ = store.put(&vpa_rt, next);
            }
        }
    }

    fn deployments(&mut self, store: &mut Store) {
        let (Some(deploy_rt), Some(rs_rt)) = (
            rt(store, "apps", "v1", "deployments"),
            rt(store, "apps", "v1", "replicasets"),
        ) else {
            return;
        };
        let all_rs = store.all("apps", "replicasets");
        for deploy in store.all("apps", "deployments") {
            if deploy["metadata"]["deletionTimestamp"].is_string() {
                continue;
            }
            let desired = deploy["spec"]["replicas"].as_i64().unwrap_or(1);
            let template = &deploy["spec"]["template"];
            let hash = short_hash(template);
            let name = deploy["metadata"]["name"].as_str().unwrap_or_default();
            let namespace = deploy["metadata"]["namespace"].as_str().unwrap_or_default();
            let owned = owned_by(&all_rs, &deploy);
            let revision = |rs: &Value| -> i64 {
                rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                    .as_str()
                    .and_then(|r| r.parse().ok())
                    .unwrap_or(0)
            };
            let max_revision = owned.iter().map(|rs| revision(rs)).max().unwrap_or(0);
            let current = owned
                .iter()
                .find(|rs| rs["metadata"]["labels"]["pod-template-hash"] == hash.as_str());
            let paused = deploy["spec"]["paused"].as_bool().unwrap_or(false);
            let (surge, unavailable) = rolling_limits(&deploy["spec"]["strategy"], desired);
            let recreate = deploy["spec"]["strategy"]["type"] == "Recreate";
            let old: Vec<&&Value> = owned
                .iter()
                .filter(|rs| rs["metadata"]["labels"]["pod-template-hash"] != hash.as_str())
                .collect();
            let old_replicas: i64 = old.iter().map(|rs| int(&rs["spec"]["replicas"])).sum();
            let old_pods: i64 = old.iter().map(|rs| int(&rs["status"]["replicas"])).sum();
            let new_rs = match current {
                Some(rs) => (*rs).clone(),
                None if paused => continue,
                None => {
                    let mut template = template.clone();
                    template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
                    let mut selector = deploy["spec"]["selector"].clone();
                    selector["matchLabels"]["pod-template-hash"] = json!(hash);
                    json!({
                        "apiVersion": "apps/v1",
                        "kind": "ReplicaSet",
                        "metadata": {
                            "name": format!("{name}-{hash}"),
                            "namespace": namespace,
                            "labels": template["metadata"]["labels"].clone(),
                            "annotations": {
                                "deployment.kubernetes.io/revision": (max_revision + 1).to_string(),
                                "deployment.kubernetes.io/desired-replicas": desired.to_string(),
                            },
                            "ownerReferences": [owner_ref(&deploy)],
                        },
                        "spec": {"replicas": 0, "selector": selector, "template": template},
                    })
                }
            };
            let mut new_rs = new_rs;
            // A rollback to an old template makes its ReplicaSet the newest revision again.
            if revision(&new_rs) < max_revision && !old.is_empty() {
                new_rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] =
                    json!((max_revision + 1).to_string());
            }
            let new_replicas = int(&new_rs["spec"]["replicas"]);
            if !paused {
                // Scale the new ReplicaSet up: Recreate waits for the old pods to be gone;
                // RollingUpdate stays within desired + maxSurge pods.
                let target = if recreate {
                    if old_pods == 0 { desired } else { 0 }
                } else if old_replicas == 0 {
                    desired
                } else {
                    (desired + surge - old_replicas).clamp(new_replicas.min(desired), desired)
                };
                new_rs["spec"]["replicas"] = json!(target);
                new_rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] =
                    json!(desired.to_string());
            }
            let Ok(new_rs) = store.put(&rs_rt, new_rs) else {
                continue;
            };
            let new_available = int(&new_rs["status"]["availableReplicas"]);
            if !paused {
                // Scale the old ReplicaSets down, oldest first: all at once for Recreate,
                // otherwise while at least desired - maxUnavailable pods stay available.
                let available_now: i64 = new_available
                    + old
                        .iter()
                        .map(|rs| int(&rs["status"]["availableReplicas"]))
                        .sum::<i64>();
                let mut removable = if recreate {
                    i64::MAX
                } else {
                    (available_now - (desired - unavailable)).max(0)
                };
                let mut by_age: Vec<&&&Value> = old.iter().collect();
                by_age.sort_by_key(|rs| revision(rs));
                for rs in by_age {
                    let replicas = int(&rs["spec"]["replicas"]);
                    // Pods that are not available can always go.
                    let unhealthy = (int(&rs["status"]["replicas"])
                        - int(&rs["status"]["availableReplicas"]))
                    .max(0);
                    let cut = replicas.min(removable.saturating_add(unhealthy));
                    if cut > 0 {
                        let mut scaled = (**rs).clone();
                        scaled["spec"]["replicas"] = json!(replicas - cut);
                        let _ = store.put(&rs_rt, scaled);
                        removable = (removable - (cut - unhealthy.min(cut))).max(0);
                    }
                }
            }
            let mut total = 0;
            let mut ready = 0;
            let mut available = 0;
            for rs in &old {
                total += int(&rs["status"]["replicas"]);
                ready += int(&rs["status"]["readyReplicas"]);
                available += int(&rs["status"]["availableReplicas"]);
            }
            let updated = new_rs["status"]["replicas"].as_i64().unwrap_or(0);
            total += updated;
            ready += new_rs["status"]["readyReplicas"].as_i64().unwrap_or(0);
            available += new_available;
            let mut deploy = deploy.clone();
            let revision =
                new_rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"].clone();
            deploy["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = revision;
            let complete = updated == desired && available >= desired && total == desired;
            let old_conditions = deploy["status"]["conditions"].clone();
            let transition = |kind: &str, status: &str| {
                old_conditions
                    .as_array()
                    .and_then(|c| {
                        c.iter()
                            .find(|c| c["type"] == kind && c["status"] == status)
                    })
                    .map_or_else(|| json!(now()), |c| c["lastTransitionTime"].clone())
            };
            let (_, max_unavailable) = rolling_limits(&deploy["spec"]["strategy"], desired);
            let available_ok = available >= desired - max_unavailable;
            // ProgressDeadlineExceeded when the rollout has not moved for progressDeadlineSeconds.
            let uid = deploy["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let state = format!(
                "{total}/{updated}/{ready}/{available}/{}",
                deploy["metadata"]["generation"]
            );
            let deadline = self.scaled(
                deploy["spec"]["progressDeadlineSeconds"]
                    .as_f64()
                    .unwrap_or(600.0),
            );
            let entry = self
                .progress
                .entry(uid)
                .or_insert_with(|| (state.clone(), Instant::now()));
            if entry.0 != state {
                *entry = (state, Instant::now());
            }
            let stalled = !complete && !paused && entry.1.elapsed() > deadline;
            let rs_name = new_rs["metadata"]["name"].as_str().unwrap_or_default();
            let (progressing, reason, message) = if stalled {
                (
                    "False",
                    "ProgressDeadlineExceeded",
                    format!("ReplicaSet \"{rs_name}\" has timed out progressing."),
                )
            } else if complete {
                (
                    "True",
                    "NewReplicaSetAvailable",
                    format!("ReplicaSet \"{rs_name}\" has successfully progressed."),
                )
            } else {
                (
                    "True",
                    "ReplicaSetUpdated",
                    format!("ReplicaSet \"{rs_name}\" is progressing."),
                )
            };
            let mut status = json!({
                "observedGeneration": deploy["metadata"]["generation"].as_i64().unwrap_or(1),
                "replicas": total,
                "updatedReplicas": updated,
                "readyReplicas": ready,
                "availableReplicas": available,
                "conditions": [
                    {"type": "Available", "status": if available_ok { "True" } else { "False" },
                     "reason": if available_ok { "MinimumReplicasAvailable" } else { "MinimumReplicasUnavailable" },
                     "message": if available_ok { "Deployment has minimum availability." } else { "Deployment does not have minimum availability." },
                     "lastTransitionTime": transition("Available", if available_ok { "True" } else { "False" }),
                     "lastUpdateTime": transition("Available", if available_ok { "True" } else { "False" })},
                    {"type": "Progressing", "status": progressing, "reason": reason, "message": message,
                     "lastTransitionTime": transition("Progressing", progressing),
                     "lastUpdateTime": transition("Progressing", progressing)}
                ]
            });
            if total - available > 0 {
                status["unavailableReplicas"] = json!(total - available);
            }
            deploy["status"] = status;
            let _ = store.put(&deploy_rt, deploy);
        }
    }

    fn replicasets(&mut self, store: &mut Store) {
        let (Some(rs_rt), Some(pod_rt)) = (
            rt(store, "apps", "v1", "replicasets"),
            rt(store, "", "v1", "pods"),
        ) else {
            return;
        };
        let pods = store.all("", "pods");
        for rs in store.all("apps", "replicasets") {
            let desired = rs["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
            let owned: Vec<&Value> = owned_by(&pods, &rs)
                .into_iter()
                .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
                .collect();
            let name = rs["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let namespace = rs["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            // Admission (LimitRange, quota) can refuse pods: the ReplicaSet says so, as upstream.
            let mut failure: Option<String> = None;
            if owned.len() < desired {
                for i in owned.len()..desired {
                    let seed = format!("{}{}{i}", rs["metadata"]["uid"], store.resource_version());
                    let pod_name = format!("{name}-{}", &short_hash(&json!(seed))[..5]);
                    let pod = new_pod(&rs, &rs["spec"]["template"], &pod_name, &json!({}));
                    if let Err(e) = store.create(&pod_rt, &namespace, pod, false) {
                        failure.get_or_insert(e.message.clone());
                    }
                }
            } else if owned.len() > desired {
                // Delete not-ready pods first, then the newest.
                let mut doomed: Vec<&&Value> = owned.iter().collect();
                doomed.sort_by_key(|p| {
                    (
                        is_ready(p),
                        std::cmp::Reverse(
                            p["metadata"]["creationTimestamp"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                        ),
                    )
                });
                for pod in doomed.into_iter().take(owned.len() - desired) {
                    store.remove_object(
                        &pod_rt,
                        &namespace,
                        pod["metadata"]["name"].as_str().unwrap_or_default(),
                    );
                }
            }
            let pods_now = store.all("", "pods");
            let owned = owned_by(&pods_now, &rs);
            let ready = owned.iter().filter(|p| is_ready(p)).count();
            let mut rs = rs.clone();
            rs["status"] = json!({
                "replicas": owned.len(),
                "fullyLabeledReplicas": owned.len(),
                "readyReplicas": ready,
                "availableReplicas": ready,
                "observedGeneration": rs["metadata"]["generation"].as_i64().unwrap_or(1),
            });
            if let Some(message) = failure {
                rs["status"]["conditions"] = json!([{
                    "type": "ReplicaFailure",
                    "status": "True",
                    "reason": "FailedCreate",
                    "message": message,
                    "lastTransitionTime": crate::store::now(),
                }]);
            }
            let _ = store.put(&rs_rt, rs);
        }
    }

    fn statefulsets(&mut self, store: &mut Store) {
        let (Some(sts_rt), Some(pod_rt), Some(pvc_rt)) = (
            rt(store, "apps", "v1", "statefulsets"),
            rt(store, "", "v1", "pods"),
            rt(store, "", "v1", "persistentvolumeclaims"),
        ) else {
            return;
        };
        for sts in store.all("apps", "statefulsets") {
            let desired = sts["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
            let name = sts["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let namespace = sts["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let pods = store.all("", "pods");
            let owned = owned_by(&pods, &sts);
            let exists = |i: usize| {
                owned
                    .iter()
                    .find(|p| p["metadata"]["name"] == format!("{name}-{i}").as_str())
            };
            // Ordered: pod i only once pod i-1 is Ready.
            for i in 0..desired {
                match exists(i) {
                    Some(pod) if is_ready(pod) => continue,
                    Some(_) => break,
                    None => {
                        for claim in sts["spec"]["volumeClaimTemplates"]
                            .as_array()
                            .into_iter()
                            .flatten()
                        {
                            let claim_name = format!(
                                "{}-{name}-{i}",
                                claim["metadata"]["name"].as_str().unwrap_or_default()
                            );
                            let pvc = json!({
                                "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                                "metadata": {"name": claim_name, "namespace": namespace, "labels": sts["spec"]["selector"]["matchLabels"].clone()},
                                "spec": claim["spec"].clone()
                            });
                            let _ = store.create(&pvc_rt, &namespace, pvc, false);
                        }
                        let pod_name = format!("{name}-{i}");
                        let mut pod = new_pod(
                            &sts,
                            &sts["spec"]["template"],
                            &pod_name,
                            &json!({"statefulset.kubernetes.io/pod-name": pod_name}),
                        );
                        pod["spec"]["hostname"] = json!(pod_name);
                        let _ = store.create(&pod_rt, &namespace, pod, false);
                        break;
                    }
                }
            }
            for pod in &owned {
                let index = pod["metadata"]["name"]
                    .as_str()
                    .and_then(|n| n.rsplit('-').next())
                    .and_then(|i| i.parse::<usize>().ok());
                if index.is_some_and(|i| i >= desired) {
                    store.remove_object(
                        &pod_rt,
                        &namespace,
                        pod["metadata"]["name"].as_str().unwrap_or_default(),
                    );
                }
            }
            let pods = store.all("", "pods");
            let owned = owned_by(&pods, &sts);
            let ready = owned.iter().filter(|p| is_ready(p)).count();
            let mut sts = sts.clone();
            let revision = format!("{name}-{}", short_hash(&sts["spec"]["template"]));
            sts["status"] = json!({
                "observedGeneration": sts["metadata"]["generation"].as_i64().unwrap_or(1),
                "replicas": owned.len(), "readyReplicas": ready, "availableReplicas": ready,
                "currentReplicas": owned.len(), "updatedReplicas": owned.len(),
                "currentRevision": revision, "updateRevision": revision,
            });
            let _ = store.put(&sts_rt, sts);
        }
    }

    fn daemonsets(&mut self, store: &mut Store) {
        let (Some(ds_rt), Some(pod_rt)) = (
            rt(store, "apps", "v1", "daemonsets"),
            rt(store, "", "v1", "pods"),
        ) else {
            return;
        };
        for ds in store.all("apps", "daemonsets") {
            let name = ds["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let namespace = ds["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let pods = store.all("", "pods");
            let owned = owned_by(&pods, &ds);
            for node in NODES {
                if !owned.iter().any(|p| p["spec"]["nodeName"] == node) {
                    let mut pod = new_pod(
                        &ds,
                        &ds["spec"]["template"],
                        &format!("{name}-{}", &short_hash(&json!(node))[..5]),
                        &json!({}),
                    );
                    pod["spec"]["nodeName"] = json!(node);
                    let _ = store.create(&pod_rt, &namespace, pod, false);
                }
            }
            let pods = store.all("", "pods");
            let owned = owned_by(&pods, &ds);
            let ready = owned.iter().filter(|p| is_ready(p)).count();
            let mut ds = ds.clone();
            ds["status"] = json!({
                "observedGeneration": ds["metadata"]["generation"].as_i64().unwrap_or(1),
                "desiredNumberScheduled": NODES.len(), "currentNumberScheduled": owned.len(),
                "updatedNumberScheduled": owned.len(), "numberReady": ready, "numberAvailable": ready,
                "numberMisscheduled": 0,
            });
            let _ = store.put(&ds_rt, ds);
        }
    }

    /// CronJobs start a Job for the latest schedule time they missed (wall-clock UTC minutes;
    /// `--speed` does not compress calendars), honouring `suspend` and `concurrencyPolicy`.
    pub fn cronjobs(&mut self, store: &mut Store, now: jiff::Timestamp) {
        let (Some(cron_rt), Some(job_rt)) = (
            rt(store, "batch", "v1", "cronjobs"),
            rt(store, "batch", "v1", "jobs"),
        ) else {
            return;
        };
        let parse_time = |v: &Value| v.as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok());
        for cron in store.all("batch", "cronjobs") {
            if cron["spec"]["suspend"].as_bool().unwrap_or(false) {
                continue;
            }
            let Ok(schedule) =
                crate::cron::Schedule::parse(cron["spec"]["schedule"].as_str().unwrap_or_default())
            else {
                continue;
            };
            let Some(last) = parse_time(&cron["status"]["lastScheduleTime"])
                .or_else(|| parse_time(&cron["metadata"]["creationTimestamp"]))
            else {
                continue;
            };
            let Some(when) = schedule.latest_between(last, now) else {
                continue;
            };
            let namespace = cron["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let jobs = store.all("batch", "jobs");
            let finished = |job: &Value| {
                job["status"]["conditions"].as_array().is_some_and(|c| {
                    c.iter().any(|c| {
                        (c["type"] == "Complete" || c["type"] == "Failed") && c["status"] == "True"
                    })
                })
            };
            let active: Vec<&Value> = owned_by(&jobs, &cron)
                .into_iter()
                .filter(|j| !finished(j))
                .collect();
            match cron["spec"]["concurrencyPolicy"]
                .as_str()
                .unwrap_or("Allow")
            {
                "Forbid" if !active.is_empty() => continue,
                "Replace" => {
                    for job in &active {
                        store.remove_object(
                            &job_rt,
                            &namespace,
                            job["metadata"]["name"].as_str().unwrap_or_default(),
                        );
                    }
                }
                _ => {}
            }
            let template = &cron["spec"]["jobTemplate"];
            let name = format!(
                "{}-{}",
                cron["metadata"]["name"].as_str().unwrap_or_default(),
                when.as_second() / 60
            );
            let mut job = json!({
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "labels": template["metadata"]["labels"].clone(),
                    "annotations": {"batch.kubernetes.io/cronjob-scheduled-timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()},
                    "ownerReferences": [owner_ref(&cron)],
                },
                "spec": template["spec"].clone(),
            });
            if job["metadata"]["labels"].is_null() {
                job["metadata"].as_object_mut().map(|m| m.remove("labels"));
            }
            let Ok(created) = store.create(&job_rt, &namespace, job, false) else {
                continue;
            };
            let mut cron = cron.clone();
            cron["status"]["lastScheduleTime"] =
                json!(when.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
            cron["status"]["active"] = json!([{
                "apiVersion": "batch/v1", "kind": "Job", "namespace": namespace,
                "name": created["metadata"]["name"], "uid": created["metadata"]["uid"],
            }]);
            let _ = store.put(&cron_rt, cron);
        }
    }

    fn jobs(&mut self, store: &mut Store) {
        let (Some(job_rt), Some(pod_rt)) = (
            rt(store, "batch", "v1", "jobs"),
            rt(store, "", "v1", "pods"),
        ) else {
            return;
        };
        for job in store.all("batch", "jobs") {
            if job["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter().any(|c| {
                    (c["type"] == "Complete" || c["type"] == "Failed") && c["status"] == "True"
                })
            }) {
                continue;
            }
            let name = job["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let namespace = job["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let completions = job["spec"]["completions"].as_i64().unwrap_or(1);
            let backoff_limit = job["spec"]["backoffLimit"].as_i64().unwrap_or(6);
            let pods = store.all("", "pods");
            let owned = owned_by(&pods, &job);
            let succeeded = owned
                .iter()
                .filter(|p| p["status"]["phase"] == "Succeeded")
                .count() as i64;
            let failed = owned
                .iter()
                .filter(|p| p["status"]["phase"] == "Failed")
                .count() as i64;
            let active = owned.len() as i64 - succeeded - failed;
            let mut job = job.clone();
            if job["status"]["startTime"].is_null() {
                job["status"]["startTime"] = json!(now());
            }
            job["status"]["active"] = json!(active);
            job["status"]["succeeded"] = json!(succeeded);
            job["status"]["failed"] = json!(failed);
            if succeeded >= completions {
                job["status"]["completionTime"] = json!(now());
                job["status"]["conditions"] =
                    json!([{"type": "Complete", "status": "True", "lastTransitionTime": now()}]);
                job["status"]["active"] = json!(0);
            } else if failed > backoff_limit {
                job["status"]["conditions"] = json!([{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                    "message": "Job has reached the specified backoff limit", "lastTransitionTime": now()}]);
                job["status"]["active"] = json!(0);
            } else if active == 0 {
                let seed = format!("{}{}", job["metadata"]["uid"], store.resource_version());
                let mut template = job["spec"]["template"].clone();
                template["metadata"]["labels"]["job-name"] = json!(name);
                let pod = new_pod(
                    &job,
                    &template,
                    &format!("{name}-{}", &short_hash(&json!(seed))[..5]),
                    &json!({}),
                );
                let _ = store.create(&pod_rt, &namespace, pod, false);
                job["status"]["active"] = json!(1);
            }
            let _ = store.put(&job_rt, job);
        }
    }

    fn kubelet(&mut self, store: &mut Store) {
        let Some(pod_rt) = rt(store, "", "v1", "pods") else {
            return;
        };
        let now_instant = Instant::now();
        for pod in store.all("", "pods") {
            let uid = pod["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let namespace = pod["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let name = pod["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if pod["metadata"]["deletionTimestamp"].is_string() {
                store.remove_object(&pod_rt, &namespace, &name);
                continue;
            }
            let phase = pod["status"]["phase"]
                .as_str()
                .unwrap_or("Pending")
                .to_owned();
            if phase == "Succeeded" || phase == "Failed" {
                continue;
            }
            let started = *self.started.entry(uid).or_insert(now_instant);
            let age = now_instant.duration_since(started);
            let mut next = pod.clone();
            if next["spec"]["nodeName"].is_null() {
                next["spec"]["nodeName"] = json!(NODES[self.next_node % NODES.len()]);
                self.next_node += 1;
            }
            let images = image_tags(&pod);
            let crashloop = images.iter().any(|i| i.ends_with("-crashloop"));
            let unready = images.iter().any(|i| i.ends_with("-unready"));
            let fail = images.iter().any(|i| i.ends_with("-fail"));
            let run_to_completion = matches!(
                pod["spec"]["restartPolicy"].as_str(),
                Some("Never" | "OnFailure")
            );
            let running = age >= self.scaled(1.0);
            let delay = pod["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["readinessProbe"]["initialDelaySeconds"].as_f64())
                .fold(0.0, f64::max);
            let ready = running && !crashloop && !unready && age >= self.scaled(1.0 + delay);
            let start_time = pod["status"]["startTime"].clone();
            let containers: Vec<Value> = pod["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| {
                    let restarts = if crashloop && running { (age.as_secs_f64() * self.speed / 10.0) as i64 + 1 } else { 0 };
                    let state = if !running {
                        json!({"waiting": {"reason": "ContainerCreating"}})
                    } else if crashloop {
                        json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off restarting failed container"}})
                    } else {
                        json!({"running": {"startedAt": start_time.as_str().map_or_else(now, str::to_owned)}})
                    };
                    json!({
                        "name": c["name"], "image": c["image"], "imageID": format!("sim://{}", c["image"].as_str().unwrap_or_default()),
                        "ready": ready, "started": running && !crashloop, "restartCount": restarts, "state": state
                    })
                })
                .collect();
            let mut status = json!({
                "phase": if running { "Running" } else { "Pending" },
                "hostIP": "10.0.0.1",
                "podIP": format!("10.244.{}.{}", fnv(&name) % 250, fnv(&namespace) % 250),
                "qosClass": "BestEffort",
                "startTime": if start_time.is_null() { json!(now()) } else { start_time },
                "conditions": [
                    {"type": "PodScheduled", "status": "True"},
                    {"type": "Initialized", "status": "True"},
                    {"type": "ContainersReady", "status": if ready { "True" } else { "False" }},
                    {"type": "Ready", "status": if ready { "True" } else { "False" }}
                ],
                "containerStatuses": containers,
            });
            if run_to_completion && age >= self.scaled(2.0) {
                status["phase"] = json!(if fail { "Failed" } else { "Succeeded" });
                status["conditions"][2]["status"] = json!("False");
                status["conditions"][3]["status"] = json!("False");
                for container in status["containerStatuses"]
                    .as_array_mut()
                    .into_iter()
                    .flatten()
                {
                    container["ready"] = json!(false);
                    container["started"] = json!(false);
                    container["state"] = json!({"terminated": {"exitCode": i32::from(fail), "reason": if fail { "Error" } else { "Completed" }}});
                }
            }
            next["status"] = status;
            for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
                let cname = c["name"].as_str().unwrap_or_default().to_owned();
                if let Some(log) = crate::kubelet::container_log(&next, &cname) {
                    store
                        .logs
                        .insert((namespace.clone(), name.clone(), cname), log);
                }
            }
            let _ = store.put(&pod_rt, next);
        }
        let live: std::collections::HashSet<String> = store
            .all("", "pods")
            .iter()
            .filter_map(|p| p["metadata"]["uid"].as_str().map(str::to_owned))
            .collect();
        self.started.retain(|uid, _| live.contains(uid));
    }

    fn claims(&mut self, store: &mut Store) {
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

    fn disruption_budgets(&mut self, store: &mut Store) {
        let Some(pdb_rt) = rt(store, "policy", "v1", "poddisruptionbudgets") else {
            return;
        };
        let pods = store.all("", "pods");
        for pdb in store.all("policy", "poddisruptionbudgets") {
            let namespace = pdb["metadata"]["namespace"].as_str().unwrap_or_default();
            let selector = LabelSelector::from_object(&pdb["spec"]["selector"]);
            let selected: Vec<&Value> = pods
                .iter()
                .filter(|p| {
                    p["metadata"]["namespace"] == namespace
                        && selector.matches(&p["metadata"]["labels"])
                })
                .collect();
            let expected = selected.len() as i64;
            let healthy = selected.iter().filter(|p| is_ready(p)).count() as i64;
            let resolve = |v: &Value| -> Option<i64> {
                match v {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s
                        .strip_suffix('%')
                        .and_then(|p| p.parse::<i64>().ok())
                        .map(|p| (p * expected + 99) / 100),
                    _ => None,
                }
            };
            let desired = match (
                resolve(&pdb["spec"]["minAvailable"]),
                resolve(&pdb["spec"]["maxUnavailable"]),
            ) {
                (Some(min), _) => min,
                (None, Some(max)) => (expected - max).max(0),
                (None, None) => expected,
            };
            let allowed = (healthy - desired).max(0);
            let mut pdb = pdb.clone();
            pdb["status"] = json!({
                "observedGeneration": pdb["metadata"]["generation"].as_i64().unwrap_or(1),
                "currentHealthy": healthy, "desiredHealthy": desired, "expectedPods": expected,
                "disruptionsAllowed": allowed,
                "conditions": [{"type": "DisruptionAllowed", "status": if allowed > 0 { "True" } else { "False" },
                                "reason": if allowed > 0 { "SufficientPods" } else { "InsufficientPods" }}]
            });
            let _ = store.put(&pdb_rt, pdb);
        }
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
