//! The krew manifests in `krew/` against every rule krew's tooling and the krew-index reviewers
//! enforce (`../shared/docs/reference/kubectl-and-krew.md` §1.2–1.5), plus this project's own
//! (the workspace's version and homepage, the five platforms, the release URL pattern), and the
//! archives `krew/package.sh` builds: their contents, their checksums, the filled manifests, and
//! what `kubectl krew install --manifest … --archive …` would install from them.
//!
//! Nothing here needs krew, Go or the network: the rules are re-implemented below.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value};

/// krew's `CurrentAPIVersion` (`pkg/constants/constants.go`).
const API_VERSION: &str = "krew.googlecontainertools.github.com/v1alpha2";

/// The `<os, arch>` pairs `validate-krew-manifest` knows; every selector must match one.
const SUPPORTED: [(&str, &str); 11] = [
    ("windows", "386"),
    ("windows", "amd64"),
    ("windows", "arm64"),
    ("linux", "386"),
    ("linux", "amd64"),
    ("linux", "arm"),
    ("linux", "arm64"),
    ("linux", "ppc64le"),
    ("darwin", "386"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
];

/// The platforms every Shipshape manifest ships, exactly.
const RELEASED: [(&str, &str); 5] = [
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "amd64"),
];

/// Base names `validateLicenseFileExists` accepts (lower-cased).
const LICENSE_NAMES: [&str; 8] = [
    "license",
    "license.txt",
    "license.md",
    "licenses",
    "licenses.txt",
    "licenses.md",
    "copying",
    "copying.txt",
];

const WINDOWS_RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}

/// `[workspace.package]` of a workspace's Cargo.toml.
#[derive(Debug, Clone)]
struct Workspace {
    version: String,
    homepage: String,
    repository: String,
}

fn workspace_of(cargo_toml: &str) -> Workspace {
    let get = |key: &str| {
        let mut in_section = false;
        for line in cargo_toml.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_section = line == "[workspace.package]";
                continue;
            }
            if in_section
                && let Some((k, v)) = line.split_once('=')
                && k.trim() == key
            {
                return v.trim().trim_matches('"').to_owned();
            }
        }
        panic!("Cargo.toml has no [workspace.package] {key}");
    };
    Workspace {
        version: get("version"),
        homepage: get("homepage"),
        repository: get("repository").trim_end_matches('/').to_owned(),
    }
}

fn workspace() -> Workspace {
    workspace_of(&std::fs::read_to_string(repo_root().join("Cargo.toml")).expect("Cargo.toml"))
}

/// What the project rules expect beyond krew's.
struct Expect<'a> {
    workspace: &'a Workspace,
    /// The platforms the manifest must have, exactly: all of [`RELEASED`] for a committed
    /// manifest, the packaged ones for a filled one.
    platforms: &'a [(&'a str, &'a str)],
}

/// A manifest file, read with the suite's own YAML loader (serde-saphyr, bounded).
fn load(path: &Path) -> Value {
    shipshape::manifests::load_one(path, "Plugin").unwrap_or_else(|e| panic!("{e:#}"))
}

fn str_at<'a>(errors: &mut Vec<String>, file: &str, v: &'a Value, path: &str) -> Option<&'a str> {
    let mut cur = v;
    for key in path.split('.') {
        match cur.get(key) {
            Some(next) => cur = next,
            None => {
                errors.push(format!("{file}: {path}: is required"));
                return None;
            }
        }
    }
    match cur.as_str() {
        Some(s) => Some(s),
        None => {
            errors.push(format!("{file}: {path}: must be a string, not {cur}"));
            None
        }
    }
}

/// Go's `filepath.Clean` (slash-separated).
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            part => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// A relative path that stays inside the directory it is joined to.
fn stays_inside(path: &str) -> bool {
    let cleaned = clean(path);
    !cleaned.starts_with('/') && cleaned != ".." && !cleaned.starts_with("../")
}

/// `k8s.io/apimachinery` `ParseSemantic` after krew's required leading `v`.
fn is_krew_version(version: &str) -> bool {
    fn identifiers(s: &str, numeric_no_leading_zero: bool) -> bool {
        s.split('.').all(|id| {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !(numeric_no_leading_zero
                    && id.len() > 1
                    && id.starts_with('0')
                    && id.bytes().all(|b| b.is_ascii_digit()))
        })
    }
    let Some(rest) = version.strip_prefix('v') else {
        return false;
    };
    let (rest, build) = match rest.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (rest, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    numbers.len() == 3
        && numbers.iter().all(|n| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && (n.len() == 1 || !n.starts_with('0'))
        })
        && pre.is_none_or(|p| identifiers(p, true))
        && build.is_none_or(|b| identifiers(b, false))
}

/// Whether a (valid) `metav1.LabelSelector` matches the labels `os` and `arch`.
fn selector_matches(selector: &Map<String, Value>, os: &str, arch: &str) -> bool {
    let label = |key: &str| match key {
        "os" => Some(os),
        "arch" => Some(arch),
        _ => None,
    };
    let labels_ok = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .is_none_or(|m| {
            m.iter()
                .all(|(k, v)| label(k).is_some_and(|l| Some(l) == v.as_str()))
        });
    let expressions_ok = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .is_none_or(|exprs| {
            exprs.iter().all(|e| {
                let key = e.get("key").and_then(Value::as_str).unwrap_or_default();
                let values: Vec<&str> = e
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|vs| vs.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let have = label(key);
                match e.get("operator").and_then(Value::as_str) {
                    Some("In") => have.is_some_and(|h| values.contains(&h)),
                    Some("NotIn") => have.is_none_or(|h| !values.contains(&h)),
                    Some("Exists") => have.is_some(),
                    Some("DoesNotExist") => have.is_none(),
                    _ => false,
                }
            })
        });
    labels_ok && expressions_ok
}

/// The structural errors of one selector (`validateSelector` and `LabelSelectorAsSelector`).
fn selector_errors(errors: &mut Vec<String>, at: &str, selector: Option<&Value>) -> bool {
    let before = errors.len();
    let Some(selector) = selector.and_then(Value::as_object) else {
        errors.push(format!("{at}.selector: is required"));
        return false;
    };
    for key in selector.keys() {
        if key != "matchLabels" && key != "matchExpressions" {
            errors.push(format!("{at}.selector.{key}: not a LabelSelector field"));
        }
    }
    let labels = selector.get("matchLabels");
    let exprs = selector.get("matchExpressions");
    if labels.is_none() && exprs.is_none() {
        errors.push(format!("{at}.selector: must not be empty"));
    }
    if let Some(labels) = labels {
        match labels.as_object() {
            Some(m) if m.is_empty() => {
                errors.push(format!("{at}.selector.matchLabels: must not be empty"));
            }
            Some(m) => {
                for (k, v) in m {
                    if k != "os" && k != "arch" {
                        errors.push(format!(
                            "{at}.selector.matchLabels.{k}: only `os` and `arch` are allowed"
                        ));
                    }
                    if !v.is_string() {
                        errors.push(format!("{at}.selector.matchLabels.{k}: must be a string"));
                    }
                }
            }
            None => errors.push(format!("{at}.selector.matchLabels: must be a map")),
        }
    }
    if let Some(exprs) = exprs {
        match exprs.as_array() {
            Some(list) if list.is_empty() => {
                errors.push(format!("{at}.selector.matchExpressions: must not be empty"));
            }
            Some(list) => {
                for (j, e) in list.iter().enumerate() {
                    let at = format!("{at}.selector.matchExpressions[{j}]");
                    let key = e.get("key").and_then(Value::as_str);
                    if key != Some("os") && key != Some("arch") {
                        errors.push(format!("{at}.key: only `os` and `arch` are allowed"));
                    }
                    let values = e.get("values").and_then(Value::as_array);
                    let n = values.map_or(0, Vec::len);
                    if values.is_some_and(|vs| vs.iter().any(|v| !v.is_string())) {
                        errors.push(format!("{at}.values: must be strings"));
                    }
                    match e.get("operator").and_then(Value::as_str) {
                        Some("In" | "NotIn") if n == 0 => {
                            errors.push(format!("{at}.values: In and NotIn need values"));
                        }
                        Some("Exists" | "DoesNotExist") if n > 0 => errors.push(format!(
                            "{at}.values: Exists and DoesNotExist take no values"
                        )),
                        Some("In" | "NotIn" | "Exists" | "DoesNotExist") => {}
                        other => errors.push(format!("{at}.operator: invalid: {other:?}")),
                    }
                }
            }
            None => errors.push(format!("{at}.selector.matchExpressions: must be a list")),
        }
    }
    errors.len() == before
}

/// Every rule, krew's and the project's, for the manifest `file` (a path ending in `<name>.yaml`).
/// Each error names the file and the field.
fn validate(file: &str, doc: &Value, expect: &Expect<'_>) -> Vec<String> {
    let mut errors = Vec::new();
    let e = &mut errors;

    // validate-krew-manifest: the extension, and the name comes from the file name.
    let base = file.rsplit('/').next().unwrap_or(file);
    let Some(stem) = base.strip_suffix(".yaml") else {
        e.push(format!("{file}: the file name must end in `.yaml`"));
        return errors;
    };

    // ValidatePlugin.
    if let Some(api) = str_at(e, file, doc, "apiVersion")
        && api != API_VERSION
    {
        e.push(format!(
            "{file}: apiVersion: must be `{API_VERSION}`, not `{api}`"
        ));
    }
    if let Some(kind) = str_at(e, file, doc, "kind")
        && kind != "Plugin"
    {
        e.push(format!("{file}: kind: must be `Plugin`, not `{kind}`"));
    }
    let name = str_at(e, file, doc, "metadata.name").unwrap_or_default();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        e.push(format!(
            "{file}: metadata.name: `{name}` must match ^[\\w-]+$"
        ));
    }
    if WINDOWS_RESERVED
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
    {
        e.push(format!(
            "{file}: metadata.name: `{name}` is a reserved name on Windows"
        ));
    }
    if name != stem {
        e.push(format!(
            "{file}: metadata.name: `{name}` must equal the file name without `.yaml` (`{stem}`)"
        ));
    }
    if let Some(short) = str_at(e, file, doc, "spec.shortDescription") {
        if short.trim().is_empty() {
            e.push(format!("{file}: spec.shortDescription: must not be empty"));
        }
        if short.contains(['\r', '\n']) {
            e.push(format!("{file}: spec.shortDescription: must be one line"));
        }
        // Review convention (krew-index welcome bot).
        let len = short.chars().count();
        if len > 50 {
            e.push(format!(
                "{file}: spec.shortDescription: {len} characters, at most 50 allowed"
            ));
        }
    }
    let version = str_at(e, file, doc, "spec.version").unwrap_or_default();
    if !is_krew_version(version) {
        e.push(format!(
            "{file}: spec.version: `{version}` is not `v` followed by strict semver"
        ));
    }
    let wanted_version = format!("v{}", expect.workspace.version);
    if version != wanted_version {
        e.push(format!(
            "{file}: spec.version: `{version}` must equal the workspace version `{wanted_version}`"
        ));
    }
    if let Some(homepage) = str_at(e, file, doc, "spec.homepage")
        && homepage != expect.workspace.homepage
    {
        e.push(format!(
            "{file}: spec.homepage: `{homepage}` must be the workspace homepage `{}`",
            expect.workspace.homepage
        ));
    }
    // Review convention: wrapped at 80 columns, no usage examples.
    if let Some(description) = str_at(e, file, doc, "spec.description") {
        if description.trim().is_empty() {
            e.push(format!("{file}: spec.description: must not be empty"));
        }
        for (i, line) in description.lines().enumerate() {
            let len = line.chars().count();
            if len > 80 {
                e.push(format!(
                    "{file}: spec.description: line {} has {len} characters, wrap at 80",
                    i + 1
                ));
            }
            let t = line.trim_start();
            if t.starts_with("$ ")
                || t.starts_with("kubectl ")
                || t.to_ascii_lowercase().contains("usage:")
                || line.contains(&format!("kubectl {name} "))
            {
                e.push(format!(
                    "{file}: spec.description: line {} is usage text: {line:?}",
                    i + 1
                ));
            }
        }
    }
    // Project: the caveats explain completion.
    if let Some(caveats) = str_at(e, file, doc, "spec.caveats")
        && !caveats.contains(&format!("kubectl_complete-{name}"))
    {
        e.push(format!(
            "{file}: spec.caveats: must explain completion (kubectl_complete-{name})"
        ));
    }

    let platforms = match doc.pointer("/spec/platforms").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => list.as_slice(),
        _ => {
            e.push(format!(
                "{file}: spec.platforms: at least one platform is required"
            ));
            &[]
        }
    };
    let mut matched_by: Vec<Vec<usize>> = vec![Vec::new(); SUPPORTED.len()];
    for (i, platform) in platforms.iter().enumerate() {
        let at = format!("{file}: spec.platforms[{i}]");
        let field = |key: &str| {
            platform
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
        };
        for key in ["uri", "sha256", "bin"] {
            if field(key).is_empty() {
                e.push(format!("{at}.{key}: is required"));
            }
        }
        let sha = field("sha256");
        if !(sha.len() == 64 && sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))) {
            e.push(format!("{at}.sha256: `{sha}` must match ^[a-f0-9]{{64}}$"));
        }
        let uri = field("uri");
        if !(uri.ends_with(".tar.gz") || uri.ends_with(".zip")) {
            e.push(format!(
                "{at}.uri: `{uri}` must be a .tar.gz or .zip archive"
            ));
        }
        let bin = field("bin");
        if !bin.is_empty() && !stays_inside(bin) {
            e.push(format!(
                "{at}.bin: `{bin}` must stay inside the install directory"
            ));
        }
        match platform.get("files") {
            None => {}
            Some(Value::Array(files)) if files.is_empty() => {
                e.push(format!("{at}.files: omit it or list at least one file"));
            }
            Some(Value::Array(files)) => {
                for (j, f) in files.iter().enumerate() {
                    let from = f.get("from").and_then(Value::as_str).unwrap_or_default();
                    let to = f.get("to").and_then(Value::as_str);
                    if from.is_empty() {
                        e.push(format!("{at}.files[{j}].from: is required"));
                    }
                    match to {
                        None | Some("") => e.push(format!("{at}.files[{j}].to: is required")),
                        Some(to) if clean(to) != to => e.push(format!(
                            "{at}.files[{j}].to: `{to}` is not a clean path, use `{}`",
                            clean(to)
                        )),
                        Some(to) if !stays_inside(to) => e.push(format!(
                            "{at}.files[{j}].to: `{to}` leaves the install directory"
                        )),
                        Some(_) => {}
                    }
                }
            }
            Some(_) => e.push(format!("{at}.files: must be a list")),
        }
        if !selector_errors(e, &at, platform.get("selector")) {
            continue;
        }
        let selector = platform
            .get("selector")
            .and_then(Value::as_object)
            .expect("checked above");
        let pairs: Vec<usize> = (0..SUPPORTED.len())
            .filter(|&p| selector_matches(selector, SUPPORTED[p].0, SUPPORTED[p].1))
            .collect();
        if pairs.is_empty() {
            e.push(format!(
                "{at}.selector: matches none of the supported os/arch pairs"
            ));
        }
        for &p in &pairs {
            matched_by[p].push(i);
        }
        // Project: one platform per archive, named after its os and arch.
        if let [p] = pairs[..] {
            let (os, arch) = SUPPORTED[p];
            let exe = if os == "windows" { ".exe" } else { "" };
            let want_bin = format!("kubectl-{name}{exe}");
            if bin != want_bin {
                e.push(format!("{at}.bin: `{bin}` must be `{want_bin}` on {os}"));
            }
            let want_uri = format!(
                "{}/releases/download/{version}/kubectl-{name}_{version}_{os}_{arch}.tar.gz",
                expect.workspace.repository
            );
            if uri != want_uri {
                e.push(format!("{at}.uri: `{uri}` must be `{want_uri}`"));
            }
            if let Some(files) = platform.get("files").and_then(Value::as_array) {
                let froms: Vec<&str> = files
                    .iter()
                    .filter_map(|f| f.get("from").and_then(Value::as_str))
                    .collect();
                if !froms.contains(&bin) {
                    e.push(format!("{at}.files: must install the binary `{bin}`"));
                }
                let helper = format!("kubectl_complete-{name}{exe}");
                if !froms.contains(&helper.as_str()) {
                    e.push(format!(
                        "{at}.files: must install the completion helper `{helper}`"
                    ));
                }
                if !froms
                    .iter()
                    .any(|f| LICENSE_NAMES.contains(&f.to_ascii_lowercase().as_str()))
                {
                    e.push(format!("{at}.files: must install a LICENSE file"));
                }
            }
        } else if pairs.len() > 1 {
            e.push(format!(
                "{at}.selector: matches {} os/arch pairs; each platform is one archive",
                pairs.len()
            ));
        }
    }
    for (p, platforms) in matched_by.iter().enumerate() {
        let (os, arch) = SUPPORTED[p];
        if platforms.len() > 1 {
            e.push(format!(
                "{file}: spec.platforms: {os}/{arch} is matched by more than one selector \
                 (platforms {platforms:?})"
            ));
        }
        let wanted = expect.platforms.contains(&(os, arch));
        if wanted && platforms.is_empty() {
            e.push(format!(
                "{file}: spec.platforms: no platform for {os}/{arch}"
            ));
        }
        if !wanted && !platforms.is_empty() {
            e.push(format!(
                "{file}: spec.platforms: {os}/{arch} is not a platform Shipshape releases"
            ));
        }
    }
    errors
}

fn committed_manifests() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("krew"))
        .expect("krew/")
        .map(|entry| entry.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_plugin_has_a_manifest_and_every_manifest_passes() {
    let ws = workspace();
    let expect = Expect {
        workspace: &ws,
        platforms: &RELEASED,
    };
    let files = committed_manifests();
    let names: BTreeSet<String> = files
        .iter()
        .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
        .collect();
    let plugins: BTreeSet<String> = e2e::PLUGINS.iter().map(|p| (*p).to_owned()).collect();
    assert_eq!(
        names, plugins,
        "krew/ must hold exactly one manifest per plugin"
    );
    for path in files {
        let file = format!("krew/{}", path.file_name().expect("name").to_string_lossy());
        let errors = validate(&file, &load(&path), &expect);
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
}

// --- the validator rejects what krew rejects ------------------------------------------------

fn harden() -> Value {
    load(&repo_root().join("krew/harden.yaml"))
}

/// The errors for a changed copy of krew/harden.yaml.
fn errors_after(change: impl FnOnce(&mut Value)) -> Vec<String> {
    let mut doc = harden();
    change(&mut doc);
    errors_for("krew/harden.yaml", &doc)
}

/// The errors for a manifest committed as `file`, expecting every released platform.
fn errors_for(file: &str, doc: &Value) -> Vec<String> {
    let ws = workspace();
    validate(
        file,
        doc,
        &Expect {
            workspace: &ws,
            platforms: &RELEASED,
        },
    )
}

#[track_caller]
fn assert_rejected(errors: &[String], needle: &str) {
    assert!(
        errors.iter().any(|e| e.contains(needle)),
        "expected an error containing {needle:?}, got {errors:#?}"
    );
}

fn platform(doc: &mut Value, i: usize) -> &mut Value {
    &mut doc["spec"]["platforms"][i]
}

#[test]
fn the_validator_accepts_the_unchanged_manifest() {
    assert_eq!(errors_after(|_| {}), Vec::<String>::new());
}

#[test]
fn rejects_a_wrong_api_version_or_kind() {
    let errors = errors_after(|d| {
        d["apiVersion"] = "krew.googlecontainertools.github.com/v1alpha1".into();
        d["kind"] = "plugin".into();
    });
    assert_rejected(&errors, "krew/harden.yaml: apiVersion: must be");
    assert_rejected(&errors, "krew/harden.yaml: kind: must be `Plugin`");
}

#[test]
fn rejects_a_name_that_differs_from_the_file_name() {
    let errors = errors_after(|d| d["metadata"]["name"] = "hardener".into());
    assert_rejected(
        &errors,
        "metadata.name: `hardener` must equal the file name",
    );
    let errors = errors_for("krew/harden.yml", &harden());
    assert_rejected(&errors, "must end in `.yaml`");
}

#[test]
fn rejects_bad_and_reserved_names() {
    assert_rejected(
        &errors_after(|d| d["metadata"]["name"] = "harden.exe".into()),
        "must match ^[\\w-]+$",
    );
    let mut doc = harden();
    doc["metadata"]["name"] = "com1".into();
    let errors = errors_for("krew/com1.yaml", &doc);
    assert_rejected(
        &errors,
        "metadata.name: `com1` is a reserved name on Windows",
    );
}

#[test]
fn rejects_a_long_empty_or_multiline_short_description() {
    assert_rejected(
        &errors_after(|d| {
            d["spec"]["shortDescription"] =
                "Audit Kubernetes workloads against the Pod Security Standards".into();
        }),
        "spec.shortDescription: 61 characters, at most 50 allowed",
    );
    assert_rejected(
        &errors_after(|d| d["spec"]["shortDescription"] = "".into()),
        "spec.shortDescription: must not be empty",
    );
    assert_rejected(
        &errors_after(|d| d["spec"]["shortDescription"] = "Audit\nworkloads".into()),
        "spec.shortDescription: must be one line",
    );
}

#[test]
fn rejects_versions_krew_cannot_parse_or_that_are_not_the_workspace_version() {
    for bad in [
        "0.1.0",
        "v0.1",
        "v01.0.0",
        "v0.1.0-",
        "v0.1.0-01",
        "v0.1.0+a..b",
        "",
    ] {
        assert_rejected(
            &errors_after(|d| d["spec"]["version"] = bad.into()),
            "is not `v` followed by strict semver",
        );
    }
    for good in ["v0.1.0", "v1.20.3", "v1.0.0-rc.1", "v1.0.0-alpha-1+build.5"] {
        assert!(is_krew_version(good), "{good}");
    }
    let errors = errors_after(|d| d["spec"]["version"] = "v9.9.9".into());
    assert_rejected(&errors, "must equal the workspace version");
    assert!(
        !errors.iter().any(|e| e.contains("strict semver")),
        "{errors:#?}"
    );
}

#[test]
fn rejects_a_description_that_is_not_wrapped_or_shows_usage() {
    assert_rejected(
        &errors_after(|d| d["spec"]["description"] = "word ".repeat(20).into()),
        "spec.description: line 1 has 100 characters, wrap at 80",
    );
    assert_rejected(
        &errors_after(|d| {
            d["spec"]["description"] = "Audits workloads.\n\n  kubectl harden audit -A\n".into();
        }),
        "spec.description: line 3 is usage text",
    );
    assert_rejected(
        &errors_after(|d| d["spec"]["homepage"] = "https://example.com".into()),
        "spec.homepage: `https://example.com` must be the workspace homepage",
    );
    assert_rejected(
        &errors_after(|d| d["spec"]["caveats"] = "Enjoy.".into()),
        "spec.caveats: must explain completion",
    );
}

#[test]
fn rejects_uppercase_short_or_missing_sha256() {
    let upper = "0123456789ABCDEF".repeat(4);
    assert_rejected(
        &errors_after(|d| platform(d, 0)["sha256"] = upper.clone().into()),
        &format!("spec.platforms[0].sha256: `{upper}` must match ^[a-f0-9]{{64}}$"),
    );
    assert_rejected(
        &errors_after(|d| platform(d, 1)["sha256"] = "abc123".into()),
        "spec.platforms[1].sha256: `abc123` must match",
    );
    // Unquoted, a hash of digits reads as a YAML number.
    assert_rejected(
        &errors_after(|d| platform(d, 3)["sha256"] = 0.into()),
        "spec.platforms[3].sha256: `` must match",
    );
    let errors = errors_after(|d| {
        let p = platform(d, 2).as_object_mut().expect("platform");
        p.remove("sha256");
        p.remove("bin");
        p.remove("uri");
    });
    for key in ["sha256", "bin", "uri"] {
        assert_rejected(&errors, &format!("spec.platforms[2].{key}: is required"));
    }
}

#[test]
fn rejects_unclean_or_escaping_to_paths_and_incomplete_files() {
    for (to, needle) in [
        ("./bin", "`./bin` is not a clean path, use `bin`"),
        ("bin/", "`bin/` is not a clean path, use `bin`"),
        ("a//b", "`a//b` is not a clean path, use `a/b`"),
        ("a/../b", "`a/../b` is not a clean path, use `b`"),
        ("..", "`..` leaves the install directory"),
        (
            "/usr/local/bin",
            "`/usr/local/bin` leaves the install directory",
        ),
    ] {
        assert_rejected(
            &errors_after(|d| platform(d, 0)["files"][1]["to"] = to.into()),
            &format!("spec.platforms[0].files[1].to: {needle}"),
        );
    }
    assert_rejected(
        &errors_after(|d| platform(d, 0)["files"][0] = serde_json::json!({"from": "x"})),
        "spec.platforms[0].files[0].to: is required",
    );
    assert_rejected(
        &errors_after(|d| platform(d, 0)["files"] = serde_json::json!([])),
        "spec.platforms[0].files: omit it or list at least one file",
    );
    assert_rejected(
        &errors_after(|d| platform(d, 0)["bin"] = "../kubectl-harden".into()),
        "spec.platforms[0].bin: `../kubectl-harden` must stay inside",
    );
    assert_rejected(
        &errors_after(|d| {
            let files = platform(d, 0)["files"].as_array_mut().expect("files");
            files.retain(|f| f["from"] != "LICENSE");
        }),
        "spec.platforms[0].files: must install a LICENSE file",
    );
    assert_rejected(
        &errors_after(|d| {
            let files = platform(d, 4)["files"].as_array_mut().expect("files");
            files.retain(|f| f["from"] != "kubectl_complete-harden.exe");
        }),
        "spec.platforms[4].files: must install the completion helper `kubectl_complete-harden.exe`",
    );
}

#[test]
fn rejects_overlapping_selectors() {
    // linux/arm64's entry widened to every linux arch: overlaps linux/amd64.
    let errors = errors_after(|d| {
        platform(d, 1)["selector"] = serde_json::json!({
            "matchLabels": {"os": "linux"},
        });
    });
    assert_rejected(
        &errors,
        "spec.platforms: linux/amd64 is matched by more than one selector (platforms [0, 1])",
    );
    // The same pair twice, written differently.
    let errors = errors_after(|d| {
        platform(d, 1)["selector"] = serde_json::json!({
            "matchExpressions": [
                {"key": "os", "operator": "In", "values": ["linux"]},
                {"key": "arch", "operator": "NotIn", "values": ["arm64", "arm", "386", "ppc64le"]},
            ],
        });
    });
    assert_rejected(&errors, "linux/amd64 is matched by more than one selector");
    assert_rejected(&errors, "spec.platforms: no platform for linux/arm64");
}

#[test]
fn rejects_bad_selectors() {
    assert_rejected(
        &errors_after(|d| {
            platform(d, 0)["selector"]["matchLabels"]["distro"] = "debian".into();
        }),
        "spec.platforms[0].selector.matchLabels.distro: only `os` and `arch` are allowed",
    );
    assert_rejected(
        &errors_after(|d| platform(d, 0)["selector"] = serde_json::json!({"matchLabels": {}})),
        "spec.platforms[0].selector.matchLabels: must not be empty",
    );
    assert_rejected(
        &errors_after(|d| {
            platform(d, 0)["selector"] = serde_json::json!({"matchExpressions": []});
        }),
        "spec.platforms[0].selector.matchExpressions: must not be empty",
    );
    assert_rejected(
        &errors_after(|d| platform(d, 0)["selector"] = serde_json::json!({})),
        "spec.platforms[0].selector: must not be empty",
    );
    assert_rejected(
        &errors_after(|d| {
            platform(d, 0)
                .as_object_mut()
                .expect("platform")
                .remove("selector");
        }),
        "spec.platforms[0].selector: is required",
    );
    assert_rejected(
        &errors_after(|d| {
            platform(d, 0)["selector"]["matchLabels"]["os"] = "plan9".into();
        }),
        "spec.platforms[0].selector: matches none of the supported os/arch pairs",
    );
    assert_rejected(
        &errors_after(|d| {
            platform(d, 0)["selector"] = serde_json::json!({
                "matchExpressions": [{"key": "os", "operator": "Exists", "values": ["linux"]}],
            });
        }),
        "Exists and DoesNotExist take no values",
    );
}

#[test]
fn rejects_missing_or_extra_platforms_and_wrong_uris() {
    assert_rejected(
        &errors_after(|d| {
            d["spec"]["platforms"]
                .as_array_mut()
                .expect("platforms")
                .pop();
        }),
        "spec.platforms: no platform for windows/amd64",
    );
    assert_rejected(
        &errors_after(|d| d["spec"]["platforms"] = serde_json::json!([])),
        "spec.platforms: at least one platform is required",
    );
    assert_rejected(
        &errors_after(|d| {
            platform(d, 0)["selector"]["matchLabels"]["arch"] = "ppc64le".into();
        }),
        "linux/ppc64le is not a platform Shipshape releases",
    );
    assert_rejected(
        &errors_after(|d| platform(d, 4)["bin"] = "kubectl-harden".into()),
        "spec.platforms[4].bin: `kubectl-harden` must be `kubectl-harden.exe` on windows",
    );
    assert_rejected(
        &errors_after(|d| {
            platform(d, 0)["uri"] = "https://example.com/kubectl-harden.tar.xz".into();
        }),
        "spec.platforms[0].uri: `https://example.com/kubectl-harden.tar.xz` must be a .tar.gz or .zip",
    );
    assert_rejected(
        &errors_after(|d| {
            let uri = platform(d, 0)["uri"]
                .as_str()
                .expect("uri")
                .replace("amd64", "arm64");
            platform(d, 0)["uri"] = uri.into();
        }),
        "spec.platforms[0].uri: `https://github.com/",
    );
}

#[test]
fn clean_matches_go_filepath_clean() {
    for (path, cleaned) in [
        ("", "."),
        (".", "."),
        ("./foo", "foo"),
        ("foo/", "foo"),
        ("a/./b/../c", "a/c"),
        ("../a", "../a"),
        ("/../a", "/a"),
        ("bin", "bin"),
    ] {
        assert_eq!(clean(path), cleaned, "{path}");
    }
}

// --- krew/package.sh -----------------------------------------------------------------------

/// Go's `filepath.Glob` for `*`, `?` and literal characters, within one path segment.
fn glob_segment(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.first(), name.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            glob_segment(&pattern[1..], name)
                || (!name.is_empty() && glob_segment(pattern, &name[1..]))
        }
        (Some(b'?'), Some(_)) => glob_segment(&pattern[1..], &name[1..]),
        (Some(p), Some(n)) if p == n => glob_segment(&pattern[1..], &name[1..]),
        _ => false,
    }
}

fn glob(dir: &Path, pattern: &str) -> Vec<PathBuf> {
    let mut found = vec![dir.to_path_buf()];
    for segment in pattern.split('/') {
        let mut next = Vec::new();
        for base in &found {
            let Ok(entries) = std::fs::read_dir(base) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            for name in names {
                if glob_segment(segment.as_bytes(), name.as_bytes()) {
                    next.push(base.join(name));
                }
            }
        }
        found = next;
    }
    found
}

/// What krew's `findMoveTargets` and `moveFiles` do with a platform's `files`: every `from` glob
/// must match, and each match moves to `<install>/<to>/<basename>`.
fn krew_install(extracted: &Path, install: &Path, platform: &Value) {
    let files = platform["files"].as_array().expect("files");
    for f in files {
        let from = f["from"].as_str().expect("from");
        let to = f["to"].as_str().expect("to");
        let matches = glob(extracted, from);
        assert!(
            !matches.is_empty(),
            "no file in the archive matches `{from}`"
        );
        // (create_dir_all trips over a trailing `.`)
        let dir = match to {
            "." => install.to_path_buf(),
            to => install.join(to),
        };
        std::fs::create_dir_all(&dir).expect("mkdir");
        for m in matches {
            let dest = dir.join(m.file_name().expect("base name"));
            std::fs::rename(&m, &dest).expect("move");
        }
    }
}

fn sha256_of(path: &Path) -> String {
    let out = e2e::run(Command::new("sha256sum").arg(path));
    assert_eq!(out.code, Some(0), "{out:?}");
    out.stdout
        .split_whitespace()
        .next()
        .expect("a hash")
        .to_owned()
}

/// The host as a krew platform, when it is one Shipshape releases.
fn host_platform() -> Option<(&'static str, &'static str)> {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        "linux" => "linux",
        _ => return None,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        _ => return None,
    };
    Some((os, arch))
}

fn package_sh(args: &[&str]) -> e2e::Run {
    let out = e2e::run(
        Command::new("bash")
            .arg(repo_root().join("krew/package.sh"))
            .args(args),
    );
    eprintln!("package.sh {args:?}:\n{}", out.stderr);
    out
}

/// The plugin's two debug binaries, without their debug info (a tenth of the size, so packaging
/// them takes seconds), in `<tmp>/bin`; copies when `strip` is not installed.
#[cfg(unix)]
fn debug_binaries_without_debug_info(tmp: &Path, plugin: &str) -> PathBuf {
    let dir = tmp.join("bin");
    std::fs::create_dir(&dir).expect("mkdir");
    for bin in [
        format!("kubectl-{plugin}"),
        format!("kubectl_complete-{plugin}"),
    ] {
        let from = e2e::target_dir().join(&bin);
        let to = dir.join(&bin);
        let stripped = Command::new("strip")
            .arg("--strip-debug")
            .arg("-o")
            .arg(&to)
            .arg(&from)
            .status()
            .is_ok_and(|s| s.success());
        if !stripped {
            std::fs::copy(&from, &to).expect("copy the binary");
        }
    }
    dir
}

#[cfg(unix)]
#[test]
fn package_sh_packages_the_host_archive_and_fills_its_manifest() {
    use std::os::unix::fs::PermissionsExt;

    let Some((os, arch)) = host_platform() else {
        eprintln!("skipped: the host is not a platform Shipshape releases");
        return;
    };
    e2e::ensure_built();
    let ws = workspace();
    let tag = format!("v{}", ws.version);
    let tmp = tempfile::tempdir().expect("tempdir");
    let bins = debug_binaries_without_debug_info(tmp.path(), "harden");
    let dist = tmp.path().join("dist");
    let out = package_sh(&[
        "--bin-dir",
        bins.to_str().expect("utf-8 path"),
        "--plugin",
        "harden",
        "--dist",
        dist.to_str().expect("utf-8 path"),
        "--gzip-level",
        "1",
    ]);
    assert_eq!(out.code, Some(0), "package.sh failed: {out:?}");

    let name = format!("kubectl-harden_{tag}_{os}_{arch}.tar.gz");
    let archive = dist.join(&name);
    assert!(archive.is_file(), "{} is missing", archive.display());
    let sha = sha256_of(&archive);

    // The checksum files.
    let line = format!("{sha}  {name}\n");
    let sidecar = std::fs::read_to_string(dist.join(format!("{name}.sha256"))).expect(".sha256");
    assert_eq!(sidecar, line, "{name}.sha256");
    let sums = std::fs::read_to_string(dist.join("sha256sums.txt")).expect("sha256sums.txt");
    assert_eq!(sums, line, "sha256sums.txt lists exactly the archive");

    // The archive: no top-level directory, the binary, LICENSE, README, man page, completions.
    let listing = e2e::run(Command::new("tar").arg("-tzf").arg(&archive));
    assert_eq!(listing.code, Some(0), "{listing:?}");
    let entries: BTreeSet<&str> = listing
        .stdout
        .lines()
        .map(|l| l.trim_start_matches("./").trim_end_matches('/'))
        .filter(|l| !l.is_empty() && *l != ".")
        .collect();
    for wanted in [
        "kubectl-harden",
        "kubectl_complete-harden",
        "LICENSE",
        "README.md",
        "kubectl-harden.1",
        "completions/kubectl-harden.bash",
        "completions/_kubectl-harden",
        "completions/kubectl-harden.fish",
        "completions/_kubectl-harden.ps1",
    ] {
        assert!(
            entries.contains(wanted),
            "{name} lacks {wanted}: {entries:?}"
        );
    }
    let extracted = tmp.path().join("extracted");
    std::fs::create_dir(&extracted).expect("mkdir");
    let untar = e2e::run(
        Command::new("tar")
            .arg("-xzf")
            .arg(&archive)
            .arg("-C")
            .arg(&extracted),
    );
    assert_eq!(untar.code, Some(0), "{untar:?}");
    let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    for bin in ["kubectl-harden", "kubectl_complete-harden"] {
        assert!(
            read(&extracted.join(bin)) == read(&bins.join(bin)),
            "the archived {bin} is not the packaged one"
        );
    }
    for script in ["kubectl-harden.bash", "_kubectl-harden.ps1"] {
        assert_eq!(
            read(&extracted.join("completions").join(script)),
            read(&repo_root().join("completions").join(script)),
            "{script}"
        );
    }
    assert_eq!(
        read(&extracted.join("LICENSE")),
        read(&repo_root().join("LICENSE"))
    );
    assert_eq!(
        read(&extracted.join("README.md")),
        read(&repo_root().join("README.md"))
    );
    let man = String::from_utf8(read(&extracted.join("kubectl-harden.1"))).expect("utf-8");
    assert!(
        man.lines().any(|l| l.starts_with(".TH KUBECTL-HARDEN")),
        "not a man page: {}",
        &man[..man.len().min(300)]
    );

    // The filled manifest: valid, the host platform only, the archive's real sha256, and
    // otherwise the committed platform entry.
    let filled_path = dist.join("krew/harden.yaml");
    let filled = load(&filled_path);
    let errors = validate(
        &filled_path.to_string_lossy(),
        &filled,
        &Expect {
            workspace: &ws,
            platforms: &[(os, arch)],
        },
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let platforms = filled["spec"]["platforms"].as_array().expect("platforms");
    assert_eq!(platforms.len(), 1, "{platforms:#?}");
    let entry = &platforms[0];
    assert_eq!(entry["selector"]["matchLabels"]["os"], os);
    assert_eq!(entry["selector"]["matchLabels"]["arch"], arch);
    assert_eq!(
        entry["sha256"], sha,
        "the filled manifest's {os}/{arch} sha256 is not the archive's"
    );
    let committed = harden();
    let mut expected = committed["spec"]["platforms"]
        .as_array()
        .expect("platforms")
        .iter()
        .find(|p| p["selector"]["matchLabels"] == entry["selector"]["matchLabels"])
        .expect("the committed manifest has the host platform")
        .clone();
    expected["sha256"] = sha.clone().into();
    assert_eq!(
        entry, &expected,
        "only sha256 differs from krew/harden.yaml"
    );
    let mut rest = filled.clone();
    let mut committed_rest = committed.clone();
    rest["spec"]["platforms"] = Value::Null;
    committed_rest["spec"]["platforms"] = Value::Null;
    assert_eq!(
        rest, committed_rest,
        "the rest of the manifest is unchanged"
    );

    // What krew installs from it: the files moved as `files` says, `bin` executable, a LICENSE.
    let install = tmp.path().join("store/harden").join(&tag);
    krew_install(&extracted, &install, entry);
    let bin = install.join(entry["bin"].as_str().expect("bin"));
    for exe in [bin.clone(), install.join("kubectl_complete-harden")] {
        let mode = std::fs::metadata(&exe)
            .unwrap_or_else(|e| panic!("{}: {e}", exe.display()))
            .permissions()
            .mode();
        assert!(mode & 0o111 != 0, "{} is not executable", exe.display());
    }
    let installed: Vec<String> = std::fs::read_dir(&install)
        .expect("install dir")
        .map(|e| {
            e.expect("entry")
                .file_name()
                .to_string_lossy()
                .to_lowercase()
        })
        .collect();
    assert!(
        installed
            .iter()
            .any(|n| LICENSE_NAMES.contains(&n.as_str())),
        "no license file installed: {installed:?}"
    );
    let version = e2e::run(Command::new(&bin).args(["version", "--client"]));
    assert_eq!(version.code, Some(0), "{version:?}");
    assert!(version.stdout.contains(&ws.version), "{version:?}");
}

/// A copy of what `package.sh --manifests-only` reads, with `version` as the workspace version.
#[cfg(unix)]
fn scratch_repo(version: &str) -> tempfile::TempDir {
    let root = repo_root();
    let tmp = tempfile::tempdir().expect("tempdir");
    let cargo = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let current = workspace_of(&cargo).version;
    let cargo = cargo.replacen(
        &format!("version = \"{current}\""),
        &format!("version = \"{version}\""),
        1,
    );
    std::fs::write(tmp.path().join("Cargo.toml"), cargo).expect("write");
    std::fs::create_dir(tmp.path().join("krew")).expect("mkdir");
    for entry in std::fs::read_dir(root.join("krew")).expect("krew/") {
        let path = entry.expect("entry").path();
        std::fs::copy(
            &path,
            tmp.path()
                .join("krew")
                .join(path.file_name().expect("name")),
        )
        .expect("copy");
    }
    for plugin in e2e::PLUGINS {
        let dir = tmp.path().join("plugins").join(plugin);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::copy(
            root.join("plugins").join(plugin).join("Cargo.toml"),
            dir.join("Cargo.toml"),
        )
        .expect("copy");
    }
    tmp
}

#[cfg(unix)]
#[test]
fn package_sh_updates_the_committed_manifests_only_with_every_platform() {
    let repo = scratch_repo("0.2.0");
    let script = repo.path().join("krew/package.sh");
    let dist = repo.path().join("dist");
    std::fs::create_dir(&dist).expect("mkdir");
    let mut sums = Vec::new();
    // Stand-in archives (their contents do not matter to --manifests-only).
    for (i, (os, arch)) in RELEASED.iter().enumerate() {
        let name = format!("kubectl-quota_v0.2.0_{os}_{arch}.tar.gz");
        let path = dist.join(&name);
        std::fs::write(&path, format!("archive {i}")).expect("write");
        let sha = sha256_of(&path);
        std::fs::write(
            dist.join(format!("{name}.sha256")),
            format!("{sha}  {name}\n"),
        )
        .expect("write");
        sums.push(((*os, *arch), sha));
    }
    let run = |args: &[&str]| {
        let out = e2e::run(Command::new("bash").arg(&script).args(args));
        eprintln!("package.sh {args:?}:\n{}", out.stderr);
        out
    };
    let before = std::fs::read_to_string(repo.path().join("krew/quota.yaml")).expect("read");

    // Four of five platforms: the release update refuses and leaves krew/quota.yaml alone.
    let windows = dist.join("kubectl-quota_v0.2.0_windows_amd64.tar.gz.sha256");
    let kept = std::fs::read_to_string(&windows).expect("read");
    std::fs::remove_file(&windows).expect("rm");
    let out = run(&["--manifests-only", "--update-manifests"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr
            .contains("not updating krew/quota.yaml: 1 of its platforms have no archive"),
        "{out:?}"
    );
    let after = std::fs::read_to_string(repo.path().join("krew/quota.yaml")).expect("read");
    assert_eq!(
        before, after,
        "krew/quota.yaml changed although a platform was missing"
    );

    // All five: krew/quota.yaml now carries v0.2.0 and the archives' hashes, and is valid.
    std::fs::write(&windows, kept).expect("write");
    let out = run(&["--manifests-only", "--update-manifests"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let text = std::fs::read_to_string(repo.path().join("krew/quota.yaml")).expect("read");
    assert!(!text.contains("v0.1.0"), "an old version is left:\n{text}");
    let doc = load(&repo.path().join("krew/quota.yaml"));
    let ws = Workspace {
        version: "0.2.0".to_owned(),
        ..workspace()
    };
    let errors = validate(
        "krew/quota.yaml",
        &doc,
        &Expect {
            workspace: &ws,
            platforms: &RELEASED,
        },
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    for platform in doc["spec"]["platforms"].as_array().expect("platforms") {
        let pair = (
            platform["selector"]["matchLabels"]["os"]
                .as_str()
                .expect("os"),
            platform["selector"]["matchLabels"]["arch"]
                .as_str()
                .expect("arch"),
        );
        let (_, sha) = sums.iter().find(|(p, _)| *p == pair).expect("a sum");
        assert_eq!(platform["sha256"], sha.as_str(), "{pair:?}");
    }
    // The other plugins had no archives: untouched.
    for plugin in ["harden", "canary", "drtest"] {
        let file = format!("krew/{plugin}.yaml");
        assert_eq!(
            std::fs::read_to_string(repo.path().join(&file)).expect("read"),
            std::fs::read_to_string(repo_root().join(&file)).expect("read"),
            "{file}"
        );
        assert!(!dist.join(&file).exists(), "dist/{file} without archives");
    }
    let sums_txt = std::fs::read_to_string(dist.join("sha256sums.txt")).expect("sums");
    assert_eq!(sums_txt.lines().count(), 5, "{sums_txt}");
}

#[cfg(unix)]
#[test]
fn package_sh_fails_clearly_on_bad_input() {
    let out = package_sh(&["--plugin", "kubectl"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(out.stderr.contains("unknown plugin 'kubectl'"), "{out:?}");
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = package_sh(&[
        "--bin-dir",
        tmp.path().to_str().expect("utf-8"),
        "--plugin",
        "quota",
        "--dist",
        tmp.path().join("dist").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr
            .contains("kubectl-quota is missing or not executable"),
        "{out:?}"
    );
    let out = package_sh(&[
        "--target",
        "riscv64gc-unknown-linux-gnu",
        "--bin-dir",
        tmp.path().to_str().expect("utf-8"),
        "--dist",
        tmp.path().join("dist").to_str().expect("utf-8"),
    ]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr
            .contains("no krew platform for target 'riscv64gc-unknown-linux-gnu'"),
        "{out:?}"
    );
}
