//! The krew manifests in `krew/` against the validator (`e2e::krew`), and the validator
//! against what krew rejects.

use std::collections::BTreeSet;

use e2e::krew::*;
use serde_json::Value;

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
