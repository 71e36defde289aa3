//! The krew manifests' validator: every rule krew's tooling and the krew-index reviewers enforce
//! (`../shared/docs/reference/kubectl-and-krew.md` §1.2–1.5), plus this project's own (the
//! workspace's version and homepage, the five platforms, the release URL pattern). Nothing here
//! needs krew, Go or the network: the rules are re-implemented. Its tests are
//! `tests/krew.rs`; `tests/krew_package.rs` checks what `krew/package.sh` builds with it.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// krew's `CurrentAPIVersion` (`pkg/constants/constants.go`).
pub const API_VERSION: &str = "krew.googlecontainertools.github.com/v1alpha2";

/// The `<os, arch>` pairs `validate-krew-manifest` knows; every selector must match one.
pub const SUPPORTED: [(&str, &str); 11] = [
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
pub const RELEASED: [(&str, &str); 5] = [
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "amd64"),
];

/// Base names `validateLicenseFileExists` accepts (lower-cased).
pub const LICENSE_NAMES: [&str; 8] = [
    "license",
    "license.txt",
    "license.md",
    "licenses",
    "licenses.txt",
    "licenses.md",
    "copying",
    "copying.txt",
];

pub const WINDOWS_RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}

/// `[workspace.package]` of a workspace's Cargo.toml.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub version: String,
    pub homepage: String,
    pub repository: String,
}

pub fn workspace_of(cargo_toml: &str) -> Workspace {
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

pub fn workspace() -> Workspace {
    workspace_of(&std::fs::read_to_string(repo_root().join("Cargo.toml")).expect("Cargo.toml"))
}

/// What the project rules expect beyond krew's.
pub struct Expect<'a> {
    pub workspace: &'a Workspace,
    /// The platforms the manifest must have, exactly: all of [`RELEASED`] for a committed
    /// manifest, the packaged ones for a filled one.
    pub platforms: &'a [(&'a str, &'a str)],
}

/// A manifest file, read with the suite's own YAML loader (serde-saphyr, bounded).
pub fn load(path: &Path) -> Value {
    shipshape::manifests::load_one(path, "Plugin").unwrap_or_else(|e| panic!("{e:#}"))
}

pub fn str_at<'a>(
    errors: &mut Vec<String>,
    file: &str,
    v: &'a Value,
    path: &str,
) -> Option<&'a str> {
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
pub fn clean(path: &str) -> String {
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
pub fn stays_inside(path: &str) -> bool {
    let cleaned = clean(path);
    !cleaned.starts_with('/') && cleaned != ".." && !cleaned.starts_with("../")
}

/// `k8s.io/apimachinery` `ParseSemantic` after krew's required leading `v`.
pub fn is_krew_version(version: &str) -> bool {
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
pub fn selector_matches(selector: &Map<String, Value>, os: &str, arch: &str) -> bool {
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
pub fn selector_errors(errors: &mut Vec<String>, at: &str, selector: Option<&Value>) -> bool {
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
pub fn validate(file: &str, doc: &Value, expect: &Expect<'_>) -> Vec<String> {
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

pub fn committed_manifests() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("krew"))
        .expect("krew/")
        .map(|entry| entry.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// The committed krew/harden.yaml.
pub fn harden() -> Value {
    load(&repo_root().join("krew/harden.yaml"))
}
