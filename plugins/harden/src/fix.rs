//! The fixer's plan: audit findings in, one [`Patch`] per object out (plus new objects with
//! `--add-missing`). Pure — `files` writes the patches into YAML files, `live` applies them.
//!
//! Every fix only sets fields a finding names, so fixing fixed objects plans nothing, and
//! re-auditing them finds none of the [`FIXABLE`] checks (except where a value needs a person:
//! a capability the app adds, a probe that does not exist).

use std::collections::BTreeMap;

use crate::checks::ids;
use serde_json::{Value, json};
use shipshape::manifests::Manifest;
use shipshape::workload::{self, ContainerKind};
use shipshape::yamledit::Patch;

use crate::audit::{AuditReport, Finding};
use crate::pss::{Level, Version};

/// The checks `harden fix` fixes; `--add-missing` adds the last two.
pub const FIXABLE: &[&str] = &[
    ids::PSS_RUN_AS_NON_ROOT,
    ids::PSS_RUN_AS_USER,
    ids::PSS_SECCOMP_BASELINE,
    ids::PSS_SECCOMP_RESTRICTED,
    ids::PSS_PRIVILEGE_ESCALATION,
    ids::PSS_CAPABILITIES_RESTRICTED,
    ids::READ_ONLY_ROOT_FILESYSTEM,
    ids::SECURITY_CONTEXT_IDS,
    ids::AUTOMOUNT_SERVICE_ACCOUNT_TOKEN,
    ids::RESOURCES_REQUESTS,
    ids::RESOURCES_LIMITS,
    ids::PROBE_SETTINGS_IMPLICIT,
    ids::NAMESPACE_PSS_LABELS,
    ids::PDB_MISSING,
    ids::NETWORK_POLICY_MISSING,
];

/// Whether `harden fix` fixes a check (`pdb-missing` and `network-policy-missing` need
/// `--add-missing`).
pub fn fixable(check: &str) -> bool {
    FIXABLE.contains(&check)
}

/// The values fixes write.
#[derive(Debug, Clone)]
pub struct FixOptions {
    /// runAsUser, runAsGroup and fsGroup (65534, `nobody`, as in the hardening report).
    pub user: i64,
    /// Mount an emptyDir at /tmp in containers made read-only.
    pub tmp_volume: bool,
    /// Requests for containers without them.
    pub cpu_request: String,
    pub memory_request: String,
    /// Limits for containers without them.
    pub cpu_limit: String,
    pub memory_limit: String,
    /// Probe timings made explicit.
    pub probe_timeout: i64,
    pub probe_period: i64,
    pub probe_failure_threshold: i64,
    /// The Pod Security level and version for namespace labels.
    pub level: Level,
    pub version: Version,
    /// Write PodDisruptionBudgets and default-deny NetworkPolicies that are missing.
    pub add_missing: bool,
    /// Change values the author wrote explicitly (`--override-explicit`); by default they are
    /// decisions, left as they are and reported.
    pub override_explicit: bool,
}

impl Default for FixOptions {
    fn default() -> Self {
        // The playbook's values: the hardening report's ids and probe timeout, the
        // production-readiness list's LimitRange defaults.
        Self {
            user: 65534,
            tmp_volume: false,
            cpu_request: "100m".into(),
            memory_request: "128Mi".into(),
            cpu_limit: "1".into(),
            memory_limit: "1Gi".into(),
            probe_timeout: 3,
            probe_period: 10,
            probe_failure_threshold: 3,
            level: Level::Restricted,
            version: Version::LATEST,
            add_missing: false,
            override_explicit: false,
        }
    }
}

/// An object `--add-missing` creates, and the object it goes next to.
#[derive(Debug, Clone, PartialEq)]
pub struct Addition {
    /// The index of the object it belongs with (the workload, or the namespace or its first
    /// workload).
    pub after: usize,
    /// The new object.
    pub object: Value,
}

/// What fixing a set of objects does.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// One patch per audited object (empty where nothing changes).
    pub patches: Vec<Patch>,
    /// New objects.
    pub additions: Vec<Addition>,
    /// Findings fixed.
    pub fixed: Vec<Finding>,
    /// Findings left for a person.
    pub manual: Vec<Finding>,
}

/// What fixing one object does.
#[derive(Debug, Clone)]
pub struct ObjectPlan {
    /// Its patch (empty when nothing changes).
    pub patch: Patch,
    /// New objects that go after it.
    pub additions: Vec<Value>,
    /// Findings fixed.
    pub fixed: Vec<Finding>,
    /// Findings left for a person.
    pub manual: Vec<Finding>,
}

/// The facts about the whole input a single object's fixes depend on.
#[derive(Debug, Clone)]
pub struct Facts {
    /// Which pods call the API.
    pub bindings: Bindings,
    /// Per namespace, the strictest Pod Security level every workload there meets once fixed
    /// (`enforce` is set no stricter); a namespace missing here takes `--level`.
    pub strictest: BTreeMap<String, String>,
}

/// The rank of a Pod Security level: privileged < baseline < restricted.
fn rank(level: &str) -> Option<usize> {
    ["privileged", "baseline", "restricted"]
        .iter()
        .position(|l| *l == level)
}

/// Plans the fixes of one object for its (configured) `findings`, and for `anchored`: the
/// findings of namespaces the input has no Namespace object for, whose default-deny policy
/// goes after this object (the first workload there). Pure, and independent of every other
/// object but through `facts`.
pub fn plan_object(
    manifest: &Manifest,
    findings: &[Finding],
    anchored: &[Finding],
    options: &FixOptions,
    facts: &Facts,
) -> ObjectPlan {
    let mut plan = ObjectPlan {
        patch: Patch::map(),
        additions: Vec::new(),
        fixed: Vec::new(),
        manual: Vec::new(),
    };
    let annotated = |finding: &Finding, note: String| {
        let mut finding = finding.clone();
        finding.message = format!("{} ({note})", finding.message);
        finding
    };
    for finding in findings.iter().filter(|f| !f.ignored) {
        let kept = (finding.check == ids::AUTOMOUNT_SERVICE_ACCOUNT_TOKEN)
            .then(|| workload::pod_spec(&manifest.object))
            .flatten()
            .and_then(|spec| {
                facts
                    .bindings
                    .keeps_token(manifest.namespace(), crate::audit::service_account(spec))
            });
        if let Some(why) = kept {
            // The pod calls the API (an operator, a controller): its token stays.
            plan.manual.push(annotated(finding, format!("left: {why}")));
            continue;
        }
        let fixed = match finding.check {
            ids::NAMESPACE_PSS_LABELS => {
                let notes = label_namespace(manifest, &mut plan.patch, options, &facts.strictest);
                if !notes.is_empty() {
                    plan.manual.push(annotated(finding, notes.join("; ")));
                    continue;
                }
                true
            }
            ids::PDB_MISSING if options.add_missing => {
                plan.additions.push(budget_for(manifest));
                true
            }
            ids::NETWORK_POLICY_MISSING if options.add_missing => {
                plan.additions
                    .push(default_deny(Some(finding.object.name.as_str())));
                true
            }
            check => {
                let mut left = Explicit::new(options.override_explicit);
                let fixed = fix(
                    check,
                    finding.container.as_deref(),
                    manifest,
                    &mut plan.patch,
                    options,
                    &mut left,
                );
                if !left.fields.is_empty() {
                    plan.manual.push(annotated(
                        finding,
                        format!(
                            "left as written: {}; --override-explicit changes it",
                            left.fields.join(", ")
                        ),
                    ));
                    continue;
                }
                fixed
            }
        };
        if fixed {
            plan.fixed.push(finding.clone());
        } else {
            plan.manual.push(finding.clone());
        }
    }
    for finding in anchored.iter().filter(|f| !f.ignored) {
        if options.add_missing {
            // A namespace-less bundle gets a namespace-less policy: it goes wherever the
            // bundle is applied (`kubectl apply -n NS`).
            plan.additions.push(default_deny(manifest.namespace()));
            plan.fixed.push(finding.clone());
        } else {
            plan.manual.push(finding.clone());
        }
    }
    plan
}

/// The namespace (`default` when it has none) of a workload, as the audit names namespaces.
fn namespace_key(manifest: &Manifest) -> &str {
    manifest.namespace().unwrap_or("default")
}

/// Where each namespace's findings that name no object in the input go: after the first
/// workload of that namespace. Returns (anchor index, finding) pairs and the findings with no
/// anchor.
pub fn anchor<'f>(
    first_workloads: &std::collections::HashMap<String, usize>,
    findings: &'f [Finding],
) -> (
    std::collections::HashMap<usize, Vec<Finding>>,
    Vec<&'f Finding>,
) {
    let mut anchored: std::collections::HashMap<usize, Vec<Finding>> = Default::default();
    let mut left = Vec::new();
    for finding in findings {
        match first_workloads.get(&finding.object.name) {
            Some(&at) if finding.check == ids::NETWORK_POLICY_MISSING => {
                anchored.entry(at).or_default().push(finding.clone())
            }
            _ => left.push(finding),
        }
    }
    (anchored, left)
}

/// Notes the first workload of each namespace (see [`anchor`]).
pub fn note_first_workload(
    first_workloads: &mut std::collections::HashMap<String, usize>,
    index: usize,
    manifest: &Manifest,
) {
    if workload::is_workload(&manifest.object)
        && !first_workloads.contains_key(namespace_key(manifest))
    {
        first_workloads.insert(namespace_key(manifest).to_owned(), index);
    }
}

/// New objects that were already added (the same kind, namespace and name) are left out.
#[derive(Debug, Default)]
pub struct Added(std::collections::HashSet<(String, String, String)>);

impl Added {
    /// Whether `object` is new (and takes note of it).
    pub fn first(&mut self, object: &Value) -> bool {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        self.0.insert((
            text(&object["kind"]),
            text(&object["metadata"]["namespace"]),
            text(&object["metadata"]["name"]),
        ))
    }
}

/// Plans the fixes for the findings of `report` (an audit of `manifests`) in memory (the
/// live fix); `bindings` tells which pods call the API.
pub fn plan(
    manifests: &[Manifest],
    report: &AuditReport,
    options: &FixOptions,
    bindings: &Bindings,
) -> Plan {
    let mut by_index: Vec<Vec<Finding>> = vec![Vec::new(); manifests.len()];
    let mut unplaced = Vec::new();
    for finding in &report.findings {
        match finding.index {
            Some(index) => by_index[index].push(finding.clone()),
            None => unplaced.push(finding.clone()),
        }
    }
    let mut first_workloads = std::collections::HashMap::new();
    for (index, manifest) in manifests.iter().enumerate() {
        note_first_workload(&mut first_workloads, index, manifest);
    }
    let (mut anchored, left) = anchor(&first_workloads, &unplaced);
    let mut facts = Facts {
        bindings: bindings.clone(),
        strictest: BTreeMap::new(),
    };
    let mut plans: Vec<ObjectPlan> = manifests
        .iter()
        .enumerate()
        .map(|(index, manifest)| {
            let anchored = anchored.remove(&index).unwrap_or_default();
            plan_object(manifest, &by_index[index], &anchored, options, &facts)
        })
        .collect();
    // Namespace labels take the level their workloads meet once fixed: plan them again.
    if manifests.iter().any(|m| m.kind() == "Namespace") {
        let patches: Vec<&Patch> = plans.iter().map(|p| &p.patch).collect();
        facts.strictest = strictest_after(manifests.iter().zip(patches), options);
        for (index, manifest) in manifests.iter().enumerate() {
            if manifest.kind() == "Namespace" {
                plans[index] = plan_object(manifest, &by_index[index], &[], options, &facts);
            }
        }
    }
    let mut plan = Plan::default();
    let mut added = Added::default();
    for (index, object_plan) in plans.into_iter().enumerate() {
        plan.patches.push(object_plan.patch);
        plan.additions.extend(
            object_plan
                .additions
                .into_iter()
                .filter(|object| added.first(object))
                .map(|object| Addition {
                    after: index,
                    object,
                }),
        );
        plan.fixed.extend(object_plan.fixed);
        plan.manual.extend(object_plan.manual);
    }
    plan.manual
        .extend(left.into_iter().filter(|f| !f.ignored).cloned());
    plan
}

/// Sets a namespace's missing `pod-security.kubernetes.io/*` labels: `enforce` at the
/// strictest level its workloads meet after fixing (at most `--level`), `audit` and `warn` at
/// `--level`, and the `-version` labels pinned. Existing values are kept (a `latest` version
/// is an explicit value: `--override-explicit` pins it). Returns what a person should know.
fn label_namespace(
    manifest: &Manifest,
    patch: &mut Patch,
    options: &FixOptions,
    strictest: &BTreeMap<String, String>,
) -> Vec<String> {
    let wanted = options.level.to_string();
    let met = strictest
        .get(manifest.name())
        .map_or(wanted.as_str(), String::as_str);
    let enforce = if rank(met) < rank(&wanted) {
        met
    } else {
        wanted.as_str()
    };
    let mut left = Explicit::new(options.override_explicit);
    let labels = &manifest.object["metadata"]["labels"];
    let version = options.version.to_string();
    for mode in ["enforce", "audit", "warn"] {
        let key = format!("pod-security.kubernetes.io/{mode}");
        let version_key = format!("{key}-version");
        if labels[&key].is_null() {
            let level = if mode == "enforce" {
                enforce.to_owned()
            } else {
                wanted.clone()
            };
            patch.set(&["metadata", "labels", &key], level);
        }
        let explicit = &labels[&version_key];
        if explicit.as_str().is_none_or(|v| v == "latest") && left.may_set(&version_key, explicit) {
            patch.set(&["metadata", "labels", &version_key], version.clone());
        }
    }
    let mut notes = Vec::new();
    if enforce != wanted && labels["pod-security.kubernetes.io/enforce"].is_null() {
        notes.push(format!(
            "enforce set to {enforce}, the strictest level all its workloads meet after \
             fixing; {wanted} would reject some (see `kubectl harden pss`), so audit and \
             warn are {wanted}"
        ));
    }
    if !left.fields.is_empty() {
        notes.push(format!(
            "left as written: {}; --override-explicit changes it",
            left.fields.join(", ")
        ));
    }
    notes
}

/// The strictest Pod Security level (`restricted`, `baseline`, `privileged`) every workload of
/// each namespace meets once its patch is applied.
pub fn strictest_after<'m>(
    objects: impl Iterator<Item = (&'m Manifest, &'m Patch)>,
    options: &FixOptions,
) -> BTreeMap<String, String> {
    let fixed: Vec<Manifest> = objects
        .filter(|(m, _)| workload::pod_spec(&m.object).is_some())
        .map(|(m, patch)| {
            let mut m = m.clone();
            patch.apply_json(&mut m.object);
            m
        })
        .collect();
    crate::namespaces::assess(&fixed, options.level, options.version)
        .namespaces
        .into_iter()
        .map(|n| (n.name, n.strictest))
        .collect()
}

/// Two maps of [`strictest_after`] as one: each namespace at the less strict level.
pub fn merge_strictest(into: &mut BTreeMap<String, String>, more: BTreeMap<String, String>) {
    for (namespace, level) in more {
        match into.get_mut(&namespace) {
            Some(known) if rank(&level) < rank(known) => *known = level,
            Some(_) => {}
            None => {
                into.insert(namespace, level);
            }
        }
    }
}

/// Who RBAC bindings grant roles to. A pod whose ServiceAccount is bound calls the API (an
/// operator, a controller, an ingress controller), so `fix` never takes its token away.
#[derive(Debug, Clone)]
pub enum Bindings {
    /// The bound ServiceAccounts by (namespace, name), each with the first binding that binds
    /// it and where that was seen (`RoleBinding/x in the input`).
    Known(BTreeMap<(String, String), String>),
    /// The bindings could not be read (why): no pod's token is taken away.
    Unknown(String),
}

impl Bindings {
    /// The ServiceAccounts the RoleBindings and ClusterRoleBindings among `manifests` bind;
    /// `place` says where they were read (`in the input`, `in the cluster`).
    pub fn of(manifests: &[Manifest], place: &str) -> Self {
        let mut bindings = Bindings::Known(BTreeMap::new());
        for manifest in manifests {
            bindings.add(manifest, place);
        }
        bindings
    }

    /// Takes note of the ServiceAccounts `manifest` binds, when it is a RoleBinding or a
    /// ClusterRoleBinding.
    pub fn add(&mut self, manifest: &Manifest, place: &str) {
        let Bindings::Known(bound) = self else {
            return;
        };
        let kind = manifest.kind();
        if !matches!(kind, "RoleBinding" | "ClusterRoleBinding") {
            return;
        }
        let own_namespace = manifest.namespace().unwrap_or("default");
        for subject in manifest.object["subjects"].as_array().into_iter().flatten() {
            if subject["kind"] != "ServiceAccount" {
                continue;
            }
            let Some(name) = subject["name"].as_str() else {
                continue;
            };
            let namespace = subject["namespace"].as_str().unwrap_or(own_namespace);
            bound
                .entry((namespace.to_owned(), name.to_owned()))
                .or_insert_with(|| format!("{kind}/{} {place}", manifest.name()));
        }
    }

    /// Why the pod's token stays, when it does: `namespace` None is a namespace-less bundle
    /// (`kubectl apply -n argocd -f …`), whose bindings name the namespace it is meant for.
    fn keeps_token(&self, namespace: Option<&str>, account: &str) -> Option<String> {
        match self {
            Bindings::Known(bound) => {
                let binding = match namespace {
                    Some(namespace) => bound.get(&(namespace.to_owned(), account.to_owned())),
                    None => bound
                        .iter()
                        .find(|((_, name), _)| name == account)
                        .map(|(_, binding)| binding),
                };
                binding.map(|b| {
                    format!("its ServiceAccount is bound by {b}, so the pod calls the API")
                })
            }
            Bindings::Unknown(why) => Some(format!(
                "whether its ServiceAccount is bound to a role is unknown ({why}), so the pod may call the API"
            )),
        }
    }
}

/// The path of the pod spec inside an object, as strings.
fn pod_spec_path(object: &Value) -> Vec<String> {
    let mut path: Vec<String> = workload::shape(object)
        .map(|s| s.template_path().iter().map(|p| (*p).to_owned()).collect())
        .unwrap_or_default();
    path.push("spec".into());
    path
}

fn append(patch: &mut Patch, base: &[String], rest: &[&str], value: Value) {
    let path: Vec<&str> = base
        .iter()
        .map(String::as_str)
        .chain(rest.iter().copied())
        .collect();
    patch.append(&path, value);
}

fn set(patch: &mut Patch, base: &[String], rest: &[&str], value: Value) {
    let path: Vec<&str> = base
        .iter()
        .map(String::as_str)
        .chain(rest.iter().copied())
        .collect();
    patch.set(&path, value);
}

/// The containers a finding is about: the named one, or every regular and init container.
fn targets<'v>(object: &'v Value, container: Option<&str>) -> Vec<(Vec<String>, &'v Value)> {
    let base = pod_spec_path(object);
    let mut counters = [0usize; 3];
    workload::containers(object)
        .into_iter()
        .filter_map(|c| {
            let slot = match c.kind {
                ContainerKind::Init => 0,
                ContainerKind::App => 1,
                ContainerKind::Ephemeral => 2,
            };
            let index = counters[slot];
            counters[slot] += 1;
            let wanted =
                c.kind != ContainerKind::Ephemeral && container.is_none_or(|name| name == c.name);
            wanted.then(|| {
                let mut path = base.clone();
                path.push(c.kind.field().to_owned());
                path.push(index.to_string());
                (path, c.value)
            })
        })
        .collect()
}

/// The values a fix found written explicitly and left (unless overriding them).
struct Explicit {
    override_explicit: bool,
    fields: Vec<String>,
}

impl Explicit {
    fn new(override_explicit: bool) -> Self {
        Self {
            override_explicit,
            fields: Vec::new(),
        }
    }

    /// Whether the fix may write `field`, whose current value is `value`: always when it is
    /// unset, otherwise only with `--override-explicit` (the value is recorded as left).
    fn may_set(&mut self, field: &str, value: &Value) -> bool {
        if value.is_null() || self.override_explicit {
            return true;
        }
        let field = format!("`{field}: {value}`");
        if !self.fields.contains(&field) {
            self.fields.push(field);
        }
        false
    }
}

/// Adds the fix for one finding to `patch`; false when the check has no automatic fix.
fn fix(
    check: &str,
    container: Option<&str>,
    manifest: &Manifest,
    patch: &mut Patch,
    options: &FixOptions,
    left: &mut Explicit,
) -> bool {
    let object = &manifest.object;
    let spec_path = pod_spec_path(object);
    let spec = workload::pod_spec(object).unwrap_or(&Value::Null);
    let pod_context = &spec["securityContext"];
    let user = json!(options.user);
    match check {
        ids::PSS_RUN_AS_NON_ROOT => {
            let pod_value = &pod_context["runAsNonRoot"];
            if *pod_value != Value::Bool(true) && left.may_set("runAsNonRoot", pod_value) {
                set(
                    patch,
                    &spec_path,
                    &["securityContext", "runAsNonRoot"],
                    json!(true),
                );
            }
            for (path, value) in targets(object, container) {
                let explicit = &value["securityContext"]["runAsNonRoot"];
                if *explicit == Value::Bool(false) && left.may_set("runAsNonRoot", explicit) {
                    set(
                        patch,
                        &path,
                        &["securityContext", "runAsNonRoot"],
                        json!(true),
                    );
                }
            }
        }
        ids::PSS_RUN_AS_USER => {
            if pod_context["runAsUser"] == json!(0)
                && left.may_set("runAsUser", &pod_context["runAsUser"])
            {
                set(
                    patch,
                    &spec_path,
                    &["securityContext", "runAsUser"],
                    user.clone(),
                );
            }
            for (path, value) in targets(object, container) {
                let explicit = &value["securityContext"]["runAsUser"];
                if *explicit == json!(0) && left.may_set("runAsUser", explicit) {
                    set(
                        patch,
                        &path,
                        &["securityContext", "runAsUser"],
                        user.clone(),
                    );
                }
            }
        }
        ids::PSS_SECCOMP_BASELINE | ids::PSS_SECCOMP_RESTRICTED => {
            let allowed = |profile: &Value| {
                matches!(
                    profile["type"].as_str(),
                    Some("RuntimeDefault" | "Localhost")
                )
            };
            let pod_profile = &pod_context["seccompProfile"]["type"];
            if !allowed(&pod_context["seccompProfile"])
                && left.may_set("seccompProfile.type", pod_profile)
            {
                set(
                    patch,
                    &spec_path,
                    &["securityContext", "seccompProfile", "type"],
                    json!("RuntimeDefault"),
                );
            }
            for (path, value) in targets(object, container) {
                let profile = &value["securityContext"]["seccompProfile"];
                if !profile.is_null()
                    && !allowed(profile)
                    && left.may_set("seccompProfile.type", &profile["type"])
                {
                    set(
                        patch,
                        &path,
                        &["securityContext", "seccompProfile", "type"],
                        json!("RuntimeDefault"),
                    );
                }
            }
        }
        ids::PSS_PRIVILEGE_ESCALATION => {
            for (path, value) in targets(object, container) {
                let explicit = &value["securityContext"]["allowPrivilegeEscalation"];
                if *explicit != Value::Bool(false)
                    && left.may_set("allowPrivilegeEscalation", explicit)
                {
                    set(
                        patch,
                        &path,
                        &["securityContext", "allowPrivilegeEscalation"],
                        json!(false),
                    );
                }
            }
        }
        ids::PSS_CAPABILITIES_RESTRICTED => {
            // Dropping ALL is the fix; capabilities the app adds need a person to judge.
            let mut complete = true;
            for (path, value) in targets(object, container) {
                let capabilities = &value["securityContext"]["capabilities"];
                let drops_all = capabilities["drop"]
                    .as_array()
                    .is_some_and(|d| d.iter().any(|c| c == "ALL"));
                if !drops_all {
                    append(
                        patch,
                        &path,
                        &["securityContext", "capabilities", "drop"],
                        json!("ALL"),
                    );
                }
                complete &= capabilities["add"]
                    .as_array()
                    .is_none_or(|a| a.iter().all(|c| c == "NET_BIND_SERVICE"));
            }
            return complete;
        }
        ids::READ_ONLY_ROOT_FILESYSTEM => {
            let mut needs_tmp = false;
            for (path, value) in targets(object, container) {
                let explicit = &value["securityContext"]["readOnlyRootFilesystem"];
                if *explicit != Value::Bool(true)
                    && left.may_set("readOnlyRootFilesystem", explicit)
                {
                    set(
                        patch,
                        &path,
                        &["securityContext", "readOnlyRootFilesystem"],
                        json!(true),
                    );
                    let mounts_tmp = value["volumeMounts"]
                        .as_array()
                        .is_some_and(|m| m.iter().any(|m| m["mountPath"] == "/tmp"));
                    if options.tmp_volume && !mounts_tmp {
                        append(
                            patch,
                            &path,
                            &["volumeMounts"],
                            json!({"name": "tmp", "mountPath": "/tmp"}),
                        );
                        needs_tmp = true;
                    }
                }
            }
            let has_tmp = spec["volumes"]
                .as_array()
                .is_some_and(|v| v.iter().any(|v| v["name"] == "tmp"));
            if needs_tmp && !has_tmp {
                append(
                    patch,
                    &spec_path,
                    &["volumes"],
                    json!({"name": "tmp", "emptyDir": {}}),
                );
            }
        }
        ids::SECURITY_CONTEXT_IDS => {
            for field in ["runAsUser", "runAsGroup", "fsGroup"] {
                if pod_context[field].is_null() {
                    set(patch, &spec_path, &["securityContext", field], user.clone());
                }
            }
        }
        ids::AUTOMOUNT_SERVICE_ACCOUNT_TOKEN => {
            let explicit = &spec["automountServiceAccountToken"];
            if left.may_set("automountServiceAccountToken", explicit) {
                set(
                    patch,
                    &spec_path,
                    &["automountServiceAccountToken"],
                    json!(false),
                );
            }
        }
        ids::RESOURCES_REQUESTS | ids::RESOURCES_LIMITS => {
            for (path, value) in targets(object, container) {
                fix_resources(
                    patch,
                    &path,
                    &value["resources"],
                    check == ids::RESOURCES_REQUESTS,
                    options,
                );
            }
        }
        ids::PROBE_SETTINGS_IMPLICIT => {
            for (path, value) in targets(object, container) {
                for probe in ["readinessProbe", "livenessProbe"] {
                    if !value[probe].is_object() {
                        continue;
                    }
                    for (field, default) in [
                        ("timeoutSeconds", options.probe_timeout),
                        ("periodSeconds", options.probe_period),
                        ("failureThreshold", options.probe_failure_threshold),
                    ] {
                        if value[probe][field].is_null() {
                            set(patch, &path, &[probe, field], json!(default));
                        }
                    }
                }
            }
        }
        _ => return false,
    }
    true
}

/// Missing requests or limits from the defaults, keeping every limit at or above its request.
fn fix_resources(
    patch: &mut Patch,
    path: &[String],
    resources: &Value,
    requests: bool,
    options: &FixOptions,
) {
    let quantity = |kind: &str, resource: &str| -> Option<(String, f64)> {
        let value = &resources[kind][resource];
        let text = value
            .as_str()
            .map(str::to_owned)
            .or_else(|| value.as_f64().map(|n| n.to_string()))?;
        let parsed = shipshape::quantity::parse(&text).ok()?;
        Some((text, parsed))
    };
    for (resource, request, limit) in [
        ("cpu", &options.cpu_request, &options.cpu_limit),
        ("memory", &options.memory_request, &options.memory_limit),
    ] {
        let parse = |q: &str| shipshape::quantity::parse(q).unwrap_or(0.0);
        // A missing request with a limit is defaulted to the limit by the API server: writing
        // a smaller one would demote a Guaranteed pod to Burstable.
        if requests
            && resources["requests"][resource].is_null()
            && resources["limits"][resource].is_null()
        {
            set(
                patch,
                path,
                &["resources", "requests", resource],
                json!(request),
            );
        }
        if !requests && resources["limits"][resource].is_null() {
            let value = match quantity("requests", resource) {
                Some((text, r)) if r > parse(limit) => text,
                _ => limit.clone(),
            };
            set(
                patch,
                path,
                &["resources", "limits", resource],
                json!(value),
            );
        }
    }
}

/// A PodDisruptionBudget that keeps all but one of a workload's pods up during evictions.
pub fn budget_for(manifest: &Manifest) -> Value {
    let object = &manifest.object;
    let selector = object["spec"]["selector"].clone();
    let mut budget = json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {
            "name": manifest.name(),
            "labels": {"app.kubernetes.io/managed-by": "shipshape-harden"},
        },
        "spec": {"maxUnavailable": 1, "selector": selector},
    });
    if let Some(namespace) = manifest.namespace() {
        budget["metadata"]["namespace"] = json!(namespace);
    }
    budget
}

/// A NetworkPolicy denying all ingress and all egress but DNS to the cluster's resolver, in
/// `namespace` (none: wherever it is applied).
pub fn default_deny(namespace: Option<&str>) -> Value {
    let mut policy = json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": "default-deny",
            "labels": {"app.kubernetes.io/managed-by": "shipshape-harden"},
        },
        "spec": {
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
            "egress": [{
                "to": [{
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                }],
                "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
            }],
        },
    });
    if let (Some(namespace), Some(metadata)) = (namespace, policy["metadata"].as_object_mut()) {
        let labels = metadata.remove("labels");
        metadata.insert("namespace".into(), json!(namespace));
        metadata.extend(labels.map(|l| ("labels".to_owned(), l)));
    }
    policy
}

#[cfg(test)]
mod tests;
