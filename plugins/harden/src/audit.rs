//! The audit: objects in, findings out. Pure — the CLI loads manifests and renders the report.

use serde::Serialize;
use serde_json::Value;
use shipshape::manifests::{Manifest, Origin};
use shipshape::workload::{self, ContainerKind};

use crate::checks::{self, Severity, Standard, ids};
use crate::config::Config;
use crate::image::{ImageRef, Pinning};
use crate::pss::{self, Level, Version};

/// What to audit against.
#[derive(Debug, Clone)]
pub struct Options {
    /// The Pod Security Standards level.
    pub level: Level,
    /// The policy version.
    pub version: Version,
    /// Disregard ignore annotations and config exemptions (`--no-ignores`).
    pub no_ignores: bool,
    /// `.harden.yaml`: disabled checks, severities, exemptions.
    pub config: Config,
}

/// The annotation listing ignored checks: `check-id` or `check-id=container`, comma-separated.
pub const IGNORE_ANNOTATION: &str = "harden.shipshape.dev/ignore";
/// The annotation saying why.
pub const IGNORE_REASON_ANNOTATION: &str = "harden.shipshape.dev/ignore-reason";

impl Default for Options {
    fn default() -> Self {
        Self {
            level: Level::Restricted,
            version: Version::LATEST,
            no_ignores: false,
            config: Config::default(),
        }
    }
}

/// The object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// `apps/v1`.
    pub api_version: String,
    /// `Deployment`.
    pub kind: String,
    /// The namespace, for namespaced objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

/// Where an object was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// The file (or `<stdin>`).
    pub file: String,
    /// The line: the object's first for an object, the field's for a finding.
    pub line: usize,
}

/// An audited object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditedObject {
    #[serde(flatten)]
    pub object: ObjectRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
    /// The kubeconfig context, in multi-cluster audits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The check id.
    pub check: &'static str,
    /// Its standard.
    pub standard: Standard,
    /// Its severity.
    pub severity: Severity,
    /// The object.
    pub object: ObjectRef,
    /// The kubeconfig context, in multi-cluster audits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The container, when the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The field the finding is about (`spec.template.spec.containers[0].image`), when the
    /// check names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Where the object was read from; the line is the field's (or, when the field is missing,
    /// the line of the parent it would go under).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
    /// What is wrong.
    pub message: String,
    /// Whether an ignore annotation covers it; ignored findings do not count or fail the audit.
    pub ignored: bool,
    /// Why it is ignored (the `harden.shipshape.dev/ignore-reason` annotation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The index of the object in the audited slice (None for a namespace the input lacks).
    #[serde(skip)]
    pub index: Option<usize>,
}

/// Counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Objects audited.
    pub objects: usize,
    /// Findings at each severity (ignored ones excluded).
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings an ignore annotation covers.
    pub ignored: usize,
}

/// The `AuditReport`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub summary: Summary,
    pub objects: Vec<AuditedObject>,
    pub findings: Vec<Finding>,
}

impl AuditReport {
    /// One report from several clusters' reports, each object and finding tagged with its
    /// context.
    pub fn merge(reports: Vec<(String, AuditReport)>) -> AuditReport {
        let mut merged = AuditReport::default();
        for (cluster, report) in reports {
            let s = &report.summary;
            merged.summary.objects += s.objects;
            merged.summary.errors += s.errors;
            merged.summary.warnings += s.warnings;
            merged.summary.infos += s.infos;
            merged.summary.ignored += s.ignored;
            let offset = merged.objects.len();
            merged
                .objects
                .extend(report.objects.into_iter().map(|mut o| {
                    o.cluster = Some(cluster.clone());
                    o
                }));
            merged
                .findings
                .extend(report.findings.into_iter().map(|mut f| {
                    f.cluster = Some(cluster.clone());
                    f.index = f.index.map(|i| i + offset);
                    f
                }));
        }
        merged
    }
}

fn object_ref(object: &Value) -> ObjectRef {
    ObjectRef {
        api_version: object["apiVersion"].as_str().unwrap_or_default().to_owned(),
        kind: object["kind"].as_str().unwrap_or_default().to_owned(),
        namespace: object["metadata"]["namespace"].as_str().map(str::to_owned),
        name: object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    }
}

fn source_ref(manifest: &Manifest) -> Option<SourceRef> {
    let file = match &manifest.source.origin {
        Origin::File(path) => path.display().to_string(),
        Origin::Cluster(_) => return None,
        other => other.to_string(),
    };
    Some(SourceRef {
        file,
        line: manifest.source.line,
    })
}

struct Collector {
    findings: Vec<Finding>,
    index: usize,
    object: ObjectRef,
    source: Option<SourceRef>,
}

impl Collector {
    fn add(&mut self, id: &str, container: Option<&str>, message: String) {
        let Some(check) = checks::find(id) else {
            return;
        };
        self.findings.push(Finding {
            check: check.id,
            standard: check.standard,
            severity: check.severity,
            object: self.object.clone(),
            cluster: None,
            container: container.map(str::to_owned),
            field: None,
            source: self.source.clone(),
            message,
            ignored: false,
            reason: None,
            index: Some(self.index),
        });
    }
}

/// Marks the findings an object's (or its pod template's) ignore annotations cover.
fn apply_ignores(findings: &mut [Finding], object: &Value) {
    let annotations = [
        &object["metadata"]["annotations"],
        &workload::pod_metadata(object).map_or(Value::Null, |m| m["annotations"].clone()),
    ]
    .map(Value::clone);
    for annotations in annotations {
        let Some(list) = annotations[IGNORE_ANNOTATION].as_str() else {
            continue;
        };
        let reason = annotations[IGNORE_REASON_ANNOTATION]
            .as_str()
            .unwrap_or("no reason given")
            .to_owned();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (check, container) = match entry.split_once('=') {
                Some((check, container)) => (check.trim(), Some(container.trim())),
                None => (entry, None),
            };
            for finding in findings.iter_mut() {
                let container_matches =
                    container.is_none_or(|c| finding.container.as_deref() == Some(c));
                if finding.check == check && container_matches {
                    finding.ignored = true;
                    finding.reason = Some(reason.clone());
                }
            }
        }
    }
}

fn namespace_of(manifest: &Manifest) -> String {
    manifest.namespace().unwrap_or("default").to_owned()
}

fn labels_match(selector: &Value, labels: &Value) -> bool {
    let match_labels = selector["matchLabels"].as_object();
    let expressions = selector["matchExpressions"].as_array();
    if match_labels.is_none_or(|m| m.is_empty()) && expressions.is_none_or(|e| e.is_empty()) {
        return selector.is_object();
    }
    let labels_ok = match_labels
        .into_iter()
        .flatten()
        .all(|(k, v)| labels[k] == *v);
    let expressions_ok = expressions.into_iter().flatten().all(|e| {
        let key = e["key"].as_str().unwrap_or_default();
        let value = &labels[key];
        let values = e["values"].as_array().cloned().unwrap_or_default();
        match e["operator"].as_str().unwrap_or_default() {
            "In" => values.contains(value),
            "NotIn" => !values.contains(value),
            "Exists" => !value.is_null(),
            _ => value.is_null(),
        }
    });
    labels_ok && expressions_ok
}

fn resolve_budget(value: &Value, replicas: i64) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s
            .strip_suffix('%')
            .and_then(|p| p.parse::<i64>().ok())
            .map(|p| (p * replicas + 99) / 100),
        _ => None,
    }
}

/// The objects other objects' checks look at, by namespace.
#[derive(Debug, Default)]
struct Related {
    pdbs: std::collections::HashMap<String, Vec<Manifest>>,
    hpas: std::collections::HashMap<String, Vec<Manifest>>,
    accounts: std::collections::HashMap<String, Vec<Manifest>>,
}

/// The name of the ServiceAccount a pod spec runs as.
pub fn service_account(spec: &Value) -> &str {
    spec["serviceAccountName"]
        .as_str()
        .or_else(|| spec["serviceAccount"].as_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
}

/// Whether the pod gets a token: its own `automountServiceAccountToken`, else its
/// ServiceAccount's (when the input holds it), else yes — as the kubelet decides.
fn mounts_token(spec: &Value, accounts: &[Manifest]) -> bool {
    match spec["automountServiceAccountToken"].as_bool() {
        Some(mounts) => mounts,
        None => {
            let name = service_account(spec);
            !accounts.iter().any(|a| {
                a.name() == name && a.object["automountServiceAccountToken"] == Value::Bool(false)
            })
        }
    }
}

/// The findings about one object on its own (and its PDB/HPA neighbours).
fn audit_object(
    index: usize,
    manifest: &Manifest,
    related: &Related,
    options: &Options,
) -> (AuditedObject, Vec<Finding>) {
    let object = &manifest.object;
    let mut c = Collector {
        findings: Vec::new(),
        index,
        object: object_ref(object),
        source: source_ref(manifest),
    };
    let audited = AuditedObject {
        object: c.object.clone(),
        source: c.source.clone(),
        cluster: None,
    };
    if manifest.kind() == "Namespace" {
        audit_namespace(&mut c, object);
    }
    if let Some(spec) = workload::pod_spec(object) {
        let namespace = namespace_of(manifest);
        let accounts = related
            .accounts
            .get(&namespace)
            .map_or(&[][..], Vec::as_slice);
        audit_pod(&mut c, manifest, spec, options, accounts);
        audit_availability(&mut c, manifest, related, &namespace);
        if namespace == "default" {
            c.add(
                ids::DEFAULT_NAMESPACE,
                None,
                "runs in the `default` namespace".into(),
            );
        }
    }
    if !options.no_ignores {
        apply_ignores(&mut c.findings, object);
    }
    (audited, c.findings)
}

/// What the cross-object checks need to know of the whole input, gathered in one pass over
/// it and small: the neighbours workloads are checked against (PDBs, HPAs, ServiceAccounts),
/// the namespaces with workloads, those a default-deny policy covers, and where each
/// Namespace object is.
#[derive(Debug, Default)]
pub struct Context {
    related: Related,
    /// Namespaces with workloads, in the order they were first seen, and as a set.
    workload_namespaces: Vec<String>,
    with_workloads: std::collections::HashSet<String>,
    /// Namespaces a default-deny ingress policy covers.
    denied: std::collections::HashSet<String>,
    /// The index of each namespace's first Namespace object.
    namespace_objects: std::collections::HashMap<String, usize>,
    /// Objects seen.
    seen: usize,
}

impl Context {
    /// The context of a whole set of objects.
    pub fn of(manifests: &[Manifest]) -> Self {
        let mut context = Self::default();
        for manifest in manifests {
            context.add(manifest);
        }
        context
    }

    /// Takes note of the next object of the input (the `index`-th is the one added `index`-th).
    pub fn add(&mut self, manifest: &Manifest) {
        let index = self.seen;
        self.seen += 1;
        let namespace = || namespace_of(manifest);
        let neighbours = match manifest.kind() {
            "PodDisruptionBudget" => Some(&mut self.related.pdbs),
            "HorizontalPodAutoscaler" => Some(&mut self.related.hpas),
            "ServiceAccount" => Some(&mut self.related.accounts),
            "NetworkPolicy" => {
                if denies_ingress(&manifest.object) {
                    self.denied.insert(namespace());
                }
                None
            }
            "Namespace" => {
                self.namespace_objects
                    .entry(manifest.name().to_owned())
                    .or_insert(index);
                None
            }
            _ => None,
        };
        if let Some(neighbours) = neighbours {
            neighbours
                .entry(namespace())
                .or_default()
                .push(manifest.clone());
        }
        if workload::is_workload(&manifest.object) {
            let namespace = namespace();
            if self.with_workloads.insert(namespace.clone()) {
                self.workload_namespaces.push(namespace);
            }
        }
    }

    /// Whether a namespace has workloads but no default-deny policy.
    fn lacks_policy(&self, namespace: &str) -> bool {
        !self.denied.contains(namespace) && self.with_workloads.contains(namespace)
    }
}

/// A default-deny ingress policy: every pod (`podSelector: {}`), no ingress rule, and ingress
/// among its `policyTypes` (absent means Ingress); an Egress-only policy leaves ingress open.
fn denies_ingress(policy: &Value) -> bool {
    policy["spec"]["podSelector"]
        .as_object()
        .is_some_and(serde_json::Map::is_empty)
        && policy["spec"]["ingress"]
            .as_array()
            .is_none_or(Vec::is_empty)
        && policy["spec"]["policyTypes"]
            .as_array()
            .is_none_or(|types| types.iter().any(|t| t == "Ingress"))
}

/// The `network-policy-missing` finding of a namespace (its Namespace object's, when the input
/// has one).
fn policy_missing(
    namespace: &str,
    ns_object: Option<(usize, &Manifest)>,
    options: &Options,
) -> Finding {
    let mut finding = Finding {
        check: ids::NETWORK_POLICY_MISSING,
        standard: Standard::BestPractice,
        severity: checks::find(ids::NETWORK_POLICY_MISSING)
            .map_or(Severity::Warning, |c| c.severity),
        object: ns_object.map_or_else(
            || ObjectRef {
                api_version: "v1".into(),
                kind: "Namespace".into(),
                namespace: None,
                name: namespace.to_owned(),
            },
            |(_, m)| object_ref(&m.object),
        ),
        cluster: None,
        container: None,
        field: None,
        source: ns_object.and_then(|(_, m)| source_ref(m)),
        message: format!(
            "namespace `{namespace}` has workloads but no default-deny NetworkPolicy (podSelector: {{}}, no ingress rules)"
        ),
        ignored: false,
        reason: None,
        index: ns_object.map(|(i, _)| i),
    };
    if let (Some((_, ns)), false) = (ns_object, options.no_ignores) {
        apply_ignores(std::slice::from_mut(&mut finding), &ns.object);
    }
    finding
}

/// Audits the `index`-th object of the input the context was gathered from: its own findings,
/// its namespace's when it is the Namespace object, configured (disabled checks dropped,
/// severities and exemptions of the config applied) and named by field.
pub fn audit_one(
    index: usize,
    manifest: &Manifest,
    context: &Context,
    options: &Options,
) -> (AuditedObject, Vec<Finding>) {
    let (object, mut findings) = audit_object(index, manifest, &context.related, options);
    if manifest.kind() == "Namespace"
        && context.namespace_objects.get(manifest.name()) == Some(&index)
        && context.lacks_policy(manifest.name())
    {
        findings.push(policy_missing(
            manifest.name(),
            Some((index, manifest)),
            options,
        ));
    }
    configure(&mut findings, options);
    crate::locate::name_one(&mut findings, manifest);
    (object, findings)
}

/// The findings of namespaces that have workloads in the input but no Namespace object there:
/// they come after every object's.
pub fn namespaces_left(context: &Context, options: &Options) -> Vec<Finding> {
    let mut findings: Vec<Finding> = context
        .workload_namespaces
        .iter()
        .filter(|n| !context.namespace_objects.contains_key(n.as_str()) && context.lacks_policy(n))
        .map(|n| policy_missing(n, None, options))
        .collect();
    configure(&mut findings, options);
    findings
}

/// The config applied to findings: disabled checks go, severities change, exemptions ignore.
fn configure(findings: &mut Vec<Finding>, options: &Options) {
    let config = &options.config;
    findings.retain(|f| config.enabled(f.check));
    for finding in findings {
        finding.severity = config.severity(finding.check, finding.severity);
        if options.no_ignores || finding.ignored {
            continue;
        }
        let object = &finding.object;
        if let Some(reason) = config.exempt(
            finding.check,
            object
                .namespace
                .as_deref()
                .or((object.kind == "Namespace").then_some(object.name.as_str())),
            &object.kind,
            &object.name,
            finding.container.as_deref(),
        ) {
            finding.ignored = true;
            finding.reason = Some(format!(
                "{reason} (exempted in {})",
                config
                    .path
                    .as_ref()
                    .map_or(".harden.yaml".into(), |p| p.display().to_string())
            ));
        }
    }
}

impl Summary {
    /// The highest severity counted, if any.
    pub fn worst(&self) -> Option<Severity> {
        [
            (self.errors, Severity::Error),
            (self.warnings, Severity::Warning),
            (self.infos, Severity::Info),
        ]
        .into_iter()
        .find(|(n, _)| *n > 0)
        .map(|(_, s)| s)
    }

    /// Counts an object's findings in.
    pub fn count(&mut self, findings: &[Finding]) {
        for finding in findings {
            match (finding.ignored, finding.severity) {
                (true, _) => self.ignored += 1,
                (false, Severity::Error) => self.errors += 1,
                (false, Severity::Warning) => self.warnings += 1,
                (false, Severity::Info) => self.infos += 1,
            }
        }
    }
}

/// Audits manifests: every workload's pod template, plus the cross-object checks (PDBs,
/// NetworkPolicies, namespace labels) within the same set of objects.
pub fn audit(manifests: &[Manifest], options: &Options) -> AuditReport {
    use rayon::prelude::*;

    let context = Context::of(manifests);
    // Objects are independent given the context: audit them on every core, in input order.
    let audited: Vec<(AuditedObject, Vec<Finding>)> = manifests
        .par_iter()
        .enumerate()
        .map(|(index, manifest)| audit_one(index, manifest, &context, options))
        .collect();
    let mut report = AuditReport::default();
    for (object, findings) in audited {
        report.objects.push(object);
        report.findings.extend(findings);
    }
    report.findings.extend(namespaces_left(&context, options));
    report.summary.objects = report.objects.len();
    report.summary.count(&report.findings);
    report
}

fn audit_namespace(c: &mut Collector, object: &Value) {
    // kube-system, kube-public and kube-node-lease belong to the distribution, not the user.
    if object["metadata"]["name"]
        .as_str()
        .is_some_and(|n| n.starts_with("kube-"))
    {
        return;
    }
    let labels = &object["metadata"]["labels"];
    let enforce = labels["pod-security.kubernetes.io/enforce"].as_str();
    let version = labels["pod-security.kubernetes.io/enforce-version"].as_str();
    match (enforce, version) {
        (None, _) => c.add(
            ids::NAMESPACE_PSS_LABELS,
            None,
            "has no pod-security.kubernetes.io/enforce label".into(),
        ),
        (Some(_), None | Some("latest")) => c.add(
            ids::NAMESPACE_PSS_LABELS,
            None,
            "pod-security.kubernetes.io/enforce-version is not pinned to a version (`v1.N`)".into(),
        ),
        _ => {}
    }
}

fn audit_pod(
    c: &mut Collector,
    manifest: &Manifest,
    spec: &Value,
    options: &Options,
    accounts: &[Manifest],
) {
    let annotations =
        workload::pod_metadata(&manifest.object).map_or(Value::Null, |m| m["annotations"].clone());
    for violation in pss::evaluate(spec, &annotations, options.level, options.version) {
        if let Some(check) = checks::for_psa(violation.check) {
            c.add(check.id, violation.container.as_deref(), violation.message);
        }
    }
    if mounts_token(spec, accounts) {
        c.add(
            ids::AUTOMOUNT_SERVICE_ACCOUNT_TOKEN,
            None,
            "mounts a service account token (automountServiceAccountToken is not false)".into(),
        );
    }
    let pod_context = &spec["securityContext"];
    let all_containers = workload::containers(&manifest.object);
    let implicit: Vec<&str> = ["runAsUser", "runAsGroup", "fsGroup"]
        .into_iter()
        .filter(|field| {
            pod_context[*field].is_null()
                && (*field == "fsGroup"
                    || all_containers
                        .iter()
                        .any(|c| c.value["securityContext"][*field].is_null()))
        })
        .collect();
    if !implicit.is_empty() {
        c.add(
            ids::SECURITY_CONTEXT_IDS,
            None,
            format!(
                "leaves {} to the image (not set in the pod's securityContext)",
                implicit.join(", ")
            ),
        );
    }
    let long_running =
        !matches!(manifest.kind(), "Job" | "CronJob" | "Pod") || spec["restartPolicy"] == "Always";
    for container in workload::containers(&manifest.object) {
        if container.kind == ContainerKind::Ephemeral {
            continue;
        }
        let name = container.name;
        let value = container.value;
        let noun = container.kind.noun();
        if value["securityContext"]["readOnlyRootFilesystem"] != Value::Bool(true) {
            c.add(
                ids::READ_ONLY_ROOT_FILESYSTEM,
                Some(name),
                format!(
                    "{noun} \"{name}\" does not set securityContext.readOnlyRootFilesystem: true"
                ),
            );
        }
        let resources = &value["resources"];
        let missing = |kind: &str| -> Vec<&str> {
            ["cpu", "memory"]
                .into_iter()
                .filter(|r| resources[kind][*r].is_null())
                .collect()
        };
        // The API server defaults a missing request to the container's limit.
        let requests: Vec<&str> = missing("requests")
            .into_iter()
            .filter(|r| resources["limits"][*r].is_null())
            .collect();
        let limits = missing("limits");
        if !requests.is_empty() {
            c.add(
                ids::RESOURCES_REQUESTS,
                Some(name),
                format!("{noun} \"{name}\" has no {} request", requests.join(" or ")),
            );
        }
        if !limits.is_empty() {
            c.add(
                ids::RESOURCES_LIMITS,
                Some(name),
                format!("{noun} \"{name}\" has no {} limit", limits.join(" or ")),
            );
        }
        for resource in ["cpu", "memory"] {
            let quantity = |kind: &str| {
                resources[kind][resource]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| resources[kind][resource].as_f64().map(|n| n.to_string()))
            };
            if let (Some(request), Some(limit)) = (quantity("requests"), quantity("limits"))
                && let (Ok(r), Ok(l)) = (
                    shipshape::quantity::parse(&request),
                    shipshape::quantity::parse(&limit),
                )
                && l < r
            {
                c.add(ids::RESOURCES_LIMIT_BELOW_REQUEST, Some(name), format!("{noun} \"{name}\" has a {resource} limit ({limit}) below its request ({request})"));
            }
        }
        match value["image"].as_str().map(ImageRef::parse) {
            Some(Ok(image)) => match image.pinning() {
                Pinning::Latest => c.add(
                    ids::IMAGE_UNTAGGED,
                    Some(name),
                    format!("{noun} \"{name}\" uses `{image}`: the `latest` tag"),
                ),
                Pinning::Untagged => c.add(
                    ids::IMAGE_UNTAGGED,
                    Some(name),
                    format!("{noun} \"{name}\" uses `{image}` without a tag (means `latest`)"),
                ),
                Pinning::Tag => c.add(
                    ids::IMAGE_MUTABLE_TAG,
                    Some(name),
                    format!("{noun} \"{name}\" uses `{image}`: a tag, not a digest"),
                ),
                Pinning::Digest => {}
            },
            Some(Err(e)) => c.add(
                ids::IMAGE_INVALID,
                Some(name),
                format!("{noun} \"{name}\": {e}"),
            ),
            None => c.add(
                ids::IMAGE_INVALID,
                Some(name),
                format!("{noun} \"{name}\" has no image"),
            ),
        }
        let moving = value["image"]
            .as_str()
            .and_then(|i| ImageRef::parse(i).ok())
            .is_some_and(|i| matches!(i.pinning(), Pinning::Latest | Pinning::Untagged));
        match value["imagePullPolicy"].as_str() {
            Some("Never") => c.add(
                ids::IMAGE_PULL_POLICY,
                Some(name),
                format!("{noun} \"{name}\" has imagePullPolicy: Never"),
            ),
            Some("IfNotPresent") if moving => c.add(
                ids::IMAGE_PULL_POLICY,
                Some(name),
                format!("{noun} \"{name}\" pulls a moving tag with imagePullPolicy: IfNotPresent"),
            ),
            _ => {}
        }
        // Native sidecars (init containers with restartPolicy: Always) run for the pod's life.
        let sidecar = container.kind == ContainerKind::Init && value["restartPolicy"] == "Always";
        if (container.kind == ContainerKind::App || sidecar) && long_running {
            let readiness = &value["readinessProbe"];
            let liveness = &value["livenessProbe"];
            if readiness.is_null() {
                c.add(
                    ids::PROBE_READINESS_MISSING,
                    Some(name),
                    format!("{noun} \"{name}\" has no readinessProbe"),
                );
            }
            if liveness.is_null() {
                c.add(
                    ids::PROBE_LIVENESS_MISSING,
                    Some(name),
                    format!("{noun} \"{name}\" has no livenessProbe"),
                );
            }
            for (probe_name, probe) in [("readinessProbe", readiness), ("livenessProbe", liveness)]
            {
                if probe.is_object() {
                    let implicit: Vec<&str> =
                        ["timeoutSeconds", "periodSeconds", "failureThreshold"]
                            .into_iter()
                            .filter(|f| probe[*f].is_null())
                            .collect();
                    if !implicit.is_empty() {
                        c.add(
                            ids::PROBE_SETTINGS_IMPLICIT,
                            Some(name),
                            format!(
                                "{noun} \"{name}\" {probe_name} leaves {} to defaults",
                                implicit.join(", ")
                            ),
                        );
                    }
                }
            }
            if readiness.is_object() && readiness == liveness {
                c.add(
                    ids::PROBE_LIVENESS_EQUALS_READINESS,
                    Some(name),
                    format!("{noun} \"{name}\" has identical liveness and readiness probes"),
                );
            }
        }
    }
}

/// The HorizontalPodAutoscaler's minReplicas (default 1) for a workload, when one targets it.
fn hpa_min_replicas(
    manifest: &Manifest,
    hpas: &std::collections::HashMap<String, Vec<Manifest>>,
    namespace: &str,
) -> Option<i64> {
    hpas.get(namespace)?
        .iter()
        .find(|h| {
            let target = &h.object["spec"]["scaleTargetRef"];
            target["kind"] == manifest.kind() && target["name"] == manifest.name()
        })
        .map(|h| h.object["spec"]["minReplicas"].as_i64().unwrap_or(1))
}

fn audit_availability(c: &mut Collector, manifest: &Manifest, related: &Related, namespace: &str) {
    if !matches!(manifest.kind(), "Deployment" | "StatefulSet") {
        return;
    }
    let declared = workload::replicas(&manifest.object).unwrap_or(1);
    // An autoscaler owns the replica count: its floor is what availability rests on.
    let hpa_min = hpa_min_replicas(manifest, &related.hpas, namespace);
    let replicas = hpa_min.map_or(declared, |min| min.max(1));
    if manifest.kind() == "Deployment" && replicas == 1 {
        let message = match hpa_min {
            Some(_) => "its HorizontalPodAutoscaler's minReplicas is 1".into(),
            None => "runs one replica".into(),
        };
        c.add(ids::SINGLE_REPLICA, None, message);
    }
    if replicas < 2 {
        return;
    }
    let spec = workload::pod_spec(&manifest.object).unwrap_or(&Value::Null);
    let spread = spec["topologySpreadConstraints"]
        .as_array()
        .is_some_and(|a| !a.is_empty())
        || spec["affinity"]["podAntiAffinity"].is_object();
    if !spread {
        c.add(
            ids::TOPOLOGY_SPREAD,
            None,
            format!(
                "runs {replicas} replicas without topologySpreadConstraints or podAntiAffinity"
            ),
        );
    }
    let labels =
        workload::pod_metadata(&manifest.object).map_or(Value::Null, |m| m["labels"].clone());
    let covering: Vec<&Manifest> = related
        .pdbs
        .get(namespace)
        .into_iter()
        .flatten()
        .filter(|p| labels_match(&p.object["spec"]["selector"], &labels))
        .collect();
    let Some(pdb) = covering.first() else {
        c.add(
            ids::PDB_MISSING,
            None,
            format!("runs {replicas} replicas but no PodDisruptionBudget selects its pods"),
        );
        return;
    };
    let spec = &pdb.object["spec"];
    let allowed = match (
        resolve_budget(&spec["minAvailable"], replicas),
        resolve_budget(&spec["maxUnavailable"], replicas),
    ) {
        (Some(min), _) => replicas - min,
        (None, Some(max)) => max,
        (None, None) => 1,
    };
    if allowed < 1 {
        c.add(
            ids::PDB_BLOCKS_EVICTION,
            None,
            format!(
                "PodDisruptionBudget `{}` allows no eviction of its {replicas} replicas",
                pdb.name()
            ),
        );
    }
}

/// The error-severity findings of generated objects (what other plugins create in the cluster),
/// as `check message` lines: their tests require none.
pub fn errors_in_generated(objects: &[serde_json::Value]) -> Vec<String> {
    let manifests: Vec<Manifest> = objects
        .iter()
        .enumerate()
        .map(|(document, object)| Manifest {
            object: object.clone(),
            source: shipshape::manifests::Source {
                origin: shipshape::manifests::Origin::Stdin,
                document: document + 1,
                line: 1,
                item: None,
            },
        })
        .collect();
    audit(&manifests, &Options::default())
        .findings
        .iter()
        .filter(|f| f.severity == crate::checks::Severity::Error)
        .map(|f| format!("{} {}", f.check, f.message))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape::manifests::{Input, load};

    fn sample(variant: &str) -> AuditReport {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/hastecrm")
            .join(variant);
        audit(
            &load(&[Input::Path(dir)]).into_result().unwrap(),
            &Options::default(),
        )
    }

    fn count(report: &AuditReport, check: &str) -> usize {
        report.findings.iter().filter(|f| f.check == check).count()
    }

    #[test]
    fn the_insecure_sample_has_the_hardening_report_findings() {
        let report = sample("insecure");
        assert_eq!(report.summary.worst(), Some(Severity::Error));
        for check in [
            "pss-run-as-non-root",
            "pss-privilege-escalation",
            "pss-capabilities-restricted",
            "pss-seccomp-restricted",
            "resources-limits",
            "image-untagged",
            "probe-settings-implicit",
            "pdb-missing",
            "network-policy-missing",
            "namespace-pss-labels",
        ] {
            assert!(count(&report, check) > 0, "{check} missing");
        }
        // Init containers are audited too.
        assert!(report.findings.iter().any(|f| f.check == "resources-limits"
            && f.container.as_deref() == Some("wait-for-postgres")));
        // `postgres` without a tag, `busybox:latest`.
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.message.contains("`postgres` without a tag"))
        );
        assert_eq!(report.summary.objects, 15);
    }

    #[test]
    fn the_hardened_sample_is_clean_at_warning() {
        let report = sample("hardened");
        let serious: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .map(|f| {
                format!(
                    "{} {}/{}: {}",
                    f.check, f.object.kind, f.object.name, f.message
                )
            })
            .collect();
        assert_eq!(serious, Vec::<String>::new());
    }

    #[test]
    fn ignore_annotations_cover_checks_and_containers_with_a_reason() {
        let text = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: legacy
  namespace: prod
  annotations:
    harden.shipshape.dev/ignore: image-untagged=sidecar, probe-liveness-missing
    harden.shipshape.dev/ignore-reason: vendor chart, tracked in OPS-12
spec:
  replicas: 1
  selector: {matchLabels: {app: legacy}}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers:
        - {name: app, image: app}
        - {name: sidecar, image: proxy}
";
        let manifests = parse(text);
        let report = audit(&manifests, &Options::default());
        let untagged: Vec<(Option<&str>, bool)> = report
            .findings
            .iter()
            .filter(|f| f.check == "image-untagged")
            .map(|f| (f.container.as_deref(), f.ignored))
            .collect();
        assert_eq!(untagged, [(Some("app"), false), (Some("sidecar"), true)]);
        let liveness: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.check == "probe-liveness-missing")
            .collect();
        assert!(
            liveness.iter().all(
                |f| f.ignored && f.reason.as_deref() == Some("vendor chart, tracked in OPS-12")
            )
        );
        assert_eq!(report.summary.ignored, 3);
        let all = audit(
            &manifests,
            &Options {
                no_ignores: true,
                ..Options::default()
            },
        );
        assert_eq!(all.summary.ignored, 0);
        assert_eq!(
            all.findings.len(),
            report.findings.len(),
            "ignored findings stay in the report"
        );
    }

    #[test]
    fn limits_below_requests_and_blocking_budgets() {
        let text = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: web:1
          resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: 250m, memory: 2Gi}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: prod}
spec: {minAvailable: 3, selector: {matchLabels: {app: web}}}
";
        let manifests = parse(text);
        let report = audit(&manifests, &Options::default());
        assert_eq!(count(&report, "resources-limit-below-request"), 1);
        assert_eq!(count(&report, "pdb-blocks-eviction"), 1);
        assert_eq!(count(&report, "pdb-missing"), 0);
        let finding = report
            .findings
            .iter()
            .find(|f| f.check == "resources-limit-below-request")
            .unwrap();
        assert_eq!(
            finding.message,
            "container \"web\" has a cpu limit (250m) below its request (500m)"
        );
        assert_eq!(
            finding.source,
            Some(SourceRef {
                file: "<stdin>".into(),
                line: 1
            })
        );
    }

    fn parse(text: &str) -> Vec<Manifest> {
        shipshape::manifests::parse_text(&Origin::Stdin, text, Default::default())
            .into_iter()
            .map(Result::unwrap)
            .collect()
    }

    const SPREAD_DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsUser: 1000, runAsGroup: 1000}
      containers:
        - {name: web, image: 'web:1', imagePullPolicy: IfNotPresent}
        - {name: proxy, image: 'envoy:latest', imagePullPolicy: IfNotPresent}
        - {name: cache, image: 'cache@sha256:0000000000000000000000000000000000000000000000000000000000000000', imagePullPolicy: Never}
";

    #[test]
    fn an_hpa_floor_counts_as_replicas_for_spread_and_budgets() {
        let alone = audit(&parse(SPREAD_DEPLOYMENT), &Options::default());
        assert_eq!(count(&alone, "single-replica"), 1);
        assert_eq!(count(&alone, "topology-spread"), 0);
        let hpa = "\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: prod}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 3\n  maxReplicas: 10\n";
        let scaled = audit(
            &parse(&format!("{SPREAD_DEPLOYMENT}{hpa}")),
            &Options::default(),
        );
        assert_eq!(count(&scaled, "single-replica"), 0);
        assert_eq!(count(&scaled, "topology-spread"), 1);
        assert_eq!(count(&scaled, "pdb-missing"), 1);
        // An HPA in another namespace does not count.
        let elsewhere = hpa.replace("namespace: prod", "namespace: other");
        let report = audit(
            &parse(&format!("{SPREAD_DEPLOYMENT}{elsewhere}")),
            &Options::default(),
        );
        assert_eq!(count(&report, "single-replica"), 1);
        // Spread constraints or anti-affinity satisfy the check.
        let spread = SPREAD_DEPLOYMENT.replace("replicas: 1", "replicas: 3").replace(
            "      containers:",
            "      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}]\n      containers:",
        );
        assert_eq!(
            count(
                &audit(&parse(&spread), &Options::default()),
                "topology-spread"
            ),
            0
        );
    }

    #[test]
    fn pull_policies_digests_and_explicit_ids() {
        let report = audit(&parse(SPREAD_DEPLOYMENT), &Options::default());
        let by_container = |check: &str| -> Vec<Option<&str>> {
            report
                .findings
                .iter()
                .filter(|f| f.check == check)
                .map(|f| f.container.as_deref())
                .collect()
        };
        // IfNotPresent is fine for a pinned tag, stale for `latest`; Never always fails.
        assert_eq!(
            by_container("image-pull-policy"),
            [Some("proxy"), Some("cache")]
        );
        assert_eq!(by_container("image-mutable-tag"), [Some("web")]);
        let ids = report
            .findings
            .iter()
            .find(|f| f.check == "security-context-ids")
            .unwrap();
        assert_eq!(
            ids.message,
            "leaves fsGroup to the image (not set in the pod's securityContext)"
        );
        // Container-level ids count when every container sets them.
        let per_container = SPREAD_DEPLOYMENT
            .replace("securityContext: {runAsUser: 1000, runAsGroup: 1000}", "securityContext: {fsGroup: 1000}")
            .replace("imagePullPolicy: IfNotPresent}", "imagePullPolicy: IfNotPresent, securityContext: {runAsUser: 1000, runAsGroup: 1000}}")
            .replace("imagePullPolicy: Never}", "imagePullPolicy: Never, securityContext: {runAsUser: 1000}}");
        let report = audit(&parse(&per_container), &Options::default());
        let ids: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.check == "security-context-ids")
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            ids,
            ["leaves runAsGroup to the image (not set in the pod's securityContext)"]
        );
    }
}
