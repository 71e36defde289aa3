//! The defaults the API server fills in that kubectl and the plugins rely on.

use super::*;

fn default(object: &mut Value, path: &[&str], value: Value) {
    let mut node = object;
    for key in &path[..path.len() - 1] {
        if !node[*key].is_object() {
            node[*key] = json!({});
        }
        node = &mut node[*key];
    }
    let last = path[path.len() - 1];
    if node[last].is_null() {
        node[last] = value;
    }
}

/// The pull policy the API server defaults a container to: Always for `:latest` or no tag
/// (a digest pins the image), else IfNotPresent.
fn pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) if tag != "latest" => "IfNotPresent",
        _ => "Always",
    }
}

/// Upstream's SetDefaults for a pod spec and its containers (core/v1 defaults.go): the
/// policies, the grace period, an empty securityContext, and per container the pull policy,
/// termination message, empty resources, probe timings and port protocols.
fn pod_spec(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    default(spec, &["dnsPolicy"], json!("ClusterFirst"));
    default(spec, &["restartPolicy"], json!("Always"));
    default(spec, &["schedulerName"], json!("default-scheduler"));
    default(spec, &["securityContext"], json!({}));
    default(spec, &["terminationGracePeriodSeconds"], json!(30));
    for list in ["initContainers", "containers"] {
        let Some(containers) = spec[list].as_array_mut() else {
            continue;
        };
        for container in containers.iter_mut().filter(|c| c.is_object()) {
            let policy = pull_policy(container["image"].as_str().unwrap_or_default());
            default(container, &["imagePullPolicy"], json!(policy));
            default(
                container,
                &["terminationMessagePath"],
                json!("/dev/termination-log"),
            );
            default(container, &["terminationMessagePolicy"], json!("File"));
            default(container, &["resources"], json!({}));
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                if container[probe].is_object() {
                    default(container, &[probe, "timeoutSeconds"], json!(1));
                    default(container, &[probe, "periodSeconds"], json!(10));
                    default(container, &[probe, "successThreshold"], json!(1));
                    default(container, &[probe, "failureThreshold"], json!(3));
                }
            }
            if let Some(ports) = container["ports"].as_array_mut() {
                for port in ports.iter_mut().filter(|p| p.is_object()) {
                    if port["protocol"].is_null() {
                        port["protocol"] = json!("TCP");
                    }
                }
            }
        }
    }
}

/// The defaults the API server fills in: the workloads' strategies (rollout status reads them;
/// describe shows them), every pod spec's and template's (see [`pod_spec`]), Services' and
/// Secrets'.
/// What the Service registry allocates on create, after defaulting (so no manager owns it): the
/// cluster IP and the IP families.
pub(super) fn allocate_service(object: &mut Value) {
    if object["spec"]["clusterIP"].is_null() {
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        let n = name
            .bytes()
            .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        object["spec"]["clusterIP"] = json!(format!("10.96.{}.{}", n % 250, (n / 250) % 250 + 1));
    }
    if object["spec"]["type"] != "ExternalName" {
        let ip = object["spec"]["clusterIP"].clone();
        default(object, &["spec", "clusterIPs"], json!([ip]));
        default(object, &["spec", "ipFamilies"], json!(["IPv4"]));
        default(object, &["spec", "ipFamilyPolicy"], json!("SingleStack"));
    }
}

pub(super) fn apply_defaults(object: &mut Value) {
    let template: &[&str] = match object["kind"].as_str().unwrap_or_default() {
        "Pod" => &["spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController"
        | "PodTemplate" => &["spec", "template", "spec"],
        _ => &[],
    };
    if !template.is_empty() {
        // Only where every step is there: a missing or malformed spec is validation's to refuse.
        let spec = template
            .iter()
            .try_fold(&mut *object, |node, step| node.get_mut(*step));
        if let Some(spec) = spec {
            pod_spec(spec);
        }
    }
    match object["kind"].as_str().unwrap_or_default() {
        "Deployment" => {
            default(object, &["status"], json!({}));
            default(object, &["spec", "replicas"], json!(1));
            default(object, &["spec", "revisionHistoryLimit"], json!(10));
            default(object, &["spec", "progressDeadlineSeconds"], json!(600));
            default(
                object,
                &["spec", "strategy", "type"],
                json!("RollingUpdate"),
            );
            if object["spec"]["strategy"]["type"] == "RollingUpdate" {
                default(
                    object,
                    &["spec", "strategy", "rollingUpdate", "maxSurge"],
                    json!("25%"),
                );
                default(
                    object,
                    &["spec", "strategy", "rollingUpdate", "maxUnavailable"],
                    json!("25%"),
                );
            }
        }
        "StatefulSet" => {
            default(object, &["spec", "replicas"], json!(1));
            default(
                object,
                &["spec", "podManagementPolicy"],
                json!("OrderedReady"),
            );
            default(object, &["spec", "revisionHistoryLimit"], json!(10));
            default(
                object,
                &["spec", "updateStrategy", "type"],
                json!("RollingUpdate"),
            );
            if object["spec"]["updateStrategy"]["type"] == "RollingUpdate" {
                default(
                    object,
                    &["spec", "updateStrategy", "rollingUpdate", "partition"],
                    json!(0),
                );
            }
        }
        "DaemonSet" => {
            default(
                object,
                &["spec", "updateStrategy", "type"],
                json!("RollingUpdate"),
            );
            default(object, &["spec", "revisionHistoryLimit"], json!(10));
        }
        "LimitRange" => crate::admission::limit_ranger::default_object(object),
        "Job" => {
            default(object, &["spec", "backoffLimit"], json!(6));
            default(object, &["spec", "completions"], json!(1));
            default(object, &["spec", "parallelism"], json!(1));
        }
        "Service" => {
            default(object, &["spec", "type"], json!("ClusterIP"));
            if object["spec"]["type"] != "ExternalName" {
                default(object, &["spec", "internalTrafficPolicy"], json!("Cluster"));
            }
            default(object, &["spec", "sessionAffinity"], json!("None"));
            if let Some(ports) = object["spec"]["ports"].as_array_mut() {
                for port in ports.iter_mut().filter(|p| p.is_object()) {
                    if port["protocol"].is_null() {
                        port["protocol"] = json!("TCP");
                    }
                    if port["targetPort"].is_null() {
                        port["targetPort"] = port["port"].clone();
                    }
                }
            }
            default(object, &["status", "loadBalancer"], json!({}));
        }
        "Secret" => {
            // stringData is write-only: merged into data, base64-encoded, and dropped.
            if let Some(Value::Object(strings)) =
                object.as_object_mut().and_then(|o| o.remove("stringData"))
            {
                use base64::Engine as _;
                if !object["data"].is_object() {
                    object["data"] = json!({});
                }
                for (key, value) in strings {
                    let text = value.as_str().unwrap_or_default();
                    object["data"][key] =
                        json!(base64::engine::general_purpose::STANDARD.encode(text));
                }
            }
            default(object, &["type"], json!("Opaque"));
        }
        _ => {}
    }
}
