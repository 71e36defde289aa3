//! Server-side `Table` rendering for `kubectl get`, with the columns kubectl users know.

use serde_json::{Value, json};

use crate::registry::ResourceType;

fn age(object: &Value) -> String {
    let created = object["metadata"]["creationTimestamp"]
        .as_str()
        .unwrap_or_default();
    let Ok(created) = created.parse::<jiff::Timestamp>() else {
        return "<unknown>".into();
    };
    let seconds = jiff::Timestamp::now().as_second() - created.as_second();
    shipshape::duration::human(std::time::Duration::from_secs(seconds.max(0) as u64))
}

fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or(0)
}

fn columns(rt: &ResourceType) -> Vec<(&'static str, &'static str)> {
    match rt.kind.as_str() {
        "Deployment" => vec![
            ("Name", "name"),
            ("Ready", ""),
            ("Up-to-date", ""),
            ("Available", ""),
            ("Age", ""),
        ],
        "ReplicaSet" => vec![
            ("Name", "name"),
            ("Desired", ""),
            ("Current", ""),
            ("Ready", ""),
            ("Age", ""),
        ],
        "StatefulSet" => vec![("Name", "name"), ("Ready", ""), ("Age", "")],
        "DaemonSet" => vec![
            ("Name", "name"),
            ("Desired", ""),
            ("Current", ""),
            ("Ready", ""),
            ("Up-to-date", ""),
            ("Available", ""),
            ("Age", ""),
        ],
        "Pod" => vec![
            ("Name", "name"),
            ("Ready", ""),
            ("Status", ""),
            ("Restarts", ""),
            ("Age", ""),
        ],
        "Namespace" => vec![("Name", "name"), ("Status", ""), ("Age", "")],
        "Node" => vec![
            ("Name", "name"),
            ("Status", ""),
            ("Roles", ""),
            ("Age", ""),
            ("Version", ""),
        ],
        "Service" => vec![
            ("Name", "name"),
            ("Type", ""),
            ("Cluster-IP", ""),
            ("External-IP", ""),
            ("Port(s)", ""),
            ("Age", ""),
        ],
        "Job" => vec![
            ("Name", "name"),
            ("Status", ""),
            ("Completions", ""),
            ("Age", ""),
        ],
        "PersistentVolumeClaim" => vec![
            ("Name", "name"),
            ("Status", ""),
            ("Volume", ""),
            ("Capacity", ""),
            ("Age", ""),
        ],
        "ResourceQuota" => vec![
            ("Name", "name"),
            ("Age", ""),
            ("Request", ""),
            ("Limit", ""),
        ],
        "PodDisruptionBudget" => vec![
            ("Name", "name"),
            ("Min Available", ""),
            ("Max Unavailable", ""),
            ("Allowed Disruptions", ""),
            ("Age", ""),
        ],
        _ => vec![("Name", "name"), ("Age", "")],
    }
}

fn cells(rt: &ResourceType, o: &Value) -> Vec<Value> {
    let name = json!(o["metadata"]["name"]);
    let s = &o["status"];
    match rt.kind.as_str() {
        "Deployment" => vec![
            name,
            json!(format!(
                "{}/{}",
                int(&s["readyReplicas"]),
                o["spec"]["replicas"].as_i64().unwrap_or(1)
            )),
            json!(int(&s["updatedReplicas"])),
            json!(int(&s["availableReplicas"])),
            json!(age(o)),
        ],
        "ReplicaSet" => vec![
            name,
            json!(int(&o["spec"]["replicas"])),
            json!(int(&s["replicas"])),
            json!(int(&s["readyReplicas"])),
            json!(age(o)),
        ],
        "StatefulSet" => vec![
            name,
            json!(format!(
                "{}/{}",
                int(&s["readyReplicas"]),
                o["spec"]["replicas"].as_i64().unwrap_or(1)
            )),
            json!(age(o)),
        ],
        "DaemonSet" => vec![
            name,
            json!(int(&s["desiredNumberScheduled"])),
            json!(int(&s["currentNumberScheduled"])),
            json!(int(&s["numberReady"])),
            json!(int(&s["updatedNumberScheduled"])),
            json!(int(&s["numberAvailable"])),
            json!(age(o)),
        ],
        "Pod" => {
            let statuses = s["containerStatuses"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let total = o["spec"]["containers"].as_array().map_or(0, Vec::len);
            let ready = statuses.iter().filter(|c| c["ready"] == true).count();
            let restarts: i64 = statuses.iter().map(|c| int(&c["restartCount"])).sum();
            let waiting = statuses
                .iter()
                .find_map(|c| c["state"]["waiting"]["reason"].as_str());
            let status = if o["metadata"]["deletionTimestamp"].is_string() {
                "Terminating".to_owned()
            } else {
                match (s["phase"].as_str(), waiting) {
                    (Some("Succeeded"), _) => "Completed".to_owned(),
                    (Some("Failed"), _) => "Error".to_owned(),
                    (_, Some(reason)) => reason.to_owned(),
                    (phase, None) => phase.unwrap_or("Pending").to_owned(),
                }
            };
            vec![
                name,
                json!(format!("{ready}/{total}")),
                json!(status),
                json!(restarts),
                json!(age(o)),
            ]
        }
        "Namespace" => vec![
            name,
            json!(s["phase"].as_str().unwrap_or("Active")),
            json!(age(o)),
        ],
        "Node" => vec![
            name,
            json!("Ready"),
            json!("<none>"),
            json!(age(o)),
            json!(o["status"]["nodeInfo"]["kubeletVersion"]),
        ],
        "Service" => {
            let ports: Vec<String> = o["spec"]["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| format!("{}/{}", p["port"], p["protocol"].as_str().unwrap_or("TCP")))
                .collect();
            vec![
                name,
                json!(o["spec"]["type"].as_str().unwrap_or("ClusterIP")),
                json!(o["spec"]["clusterIP"].as_str().unwrap_or("<none>")),
                json!("<none>"),
                json!(if ports.is_empty() {
                    "<none>".to_owned()
                } else {
                    ports.join(",")
                }),
                json!(age(o)),
            ]
        }
        "Job" => {
            let complete = s["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Complete" && c["status"] == "True")
            });
            let failed = s["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Failed" && c["status"] == "True")
            });
            let status = if complete {
                "Complete"
            } else if failed {
                "Failed"
            } else {
                "Running"
            };
            vec![
                name,
                json!(status),
                json!(format!(
                    "{}/{}",
                    int(&s["succeeded"]),
                    o["spec"]["completions"].as_i64().unwrap_or(1)
                )),
                json!(age(o)),
            ]
        }
        "PersistentVolumeClaim" => vec![
            name,
            json!(s["phase"].as_str().unwrap_or("Pending")),
            json!(o["spec"]["volumeName"].as_str().unwrap_or_default()),
            json!(s["capacity"]["storage"].as_str().unwrap_or_default()),
            json!(age(o)),
        ],
        "ResourceQuota" => {
            // As kubectl's printer: `name: used/hard`, limits.* in LIMIT, the rest in REQUEST.
            let list = |limits: bool| {
                s["hard"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(k, _)| k.starts_with("limits.") == limits)
                    .map(|(k, hard)| {
                        let used = s["used"][k].as_str().unwrap_or("0");
                        format!("{k}: {used}/{}", hard.as_str().unwrap_or_default())
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            vec![name, json!(age(o)), json!(list(false)), json!(list(true))]
        }
        "PodDisruptionBudget" => {
            let show = |v: &Value| match v {
                Value::Null => "N/A".to_owned(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            vec![
                name,
                json!(show(&o["spec"]["minAvailable"])),
                json!(show(&o["spec"]["maxUnavailable"])),
                json!(int(&s["disruptionsAllowed"])),
                json!(age(o)),
            ]
        }
        _ => vec![name, json!(age(o))],
    }
}

/// A `meta.k8s.io/v1` Table of the objects, each row carrying its object.
pub fn table(rt: &ResourceType, objects: &[Value], metadata: Value) -> Value {
    let definitions: Vec<Value> = columns(rt)
        .into_iter()
        .map(|(name, format)| json!({"name": name, "type": "string", "format": format, "description": "", "priority": 0}))
        .collect();
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| json!({"cells": cells(rt, o), "object": o}))
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata, "columnDefinitions": definitions, "rows": rows})
}
