//! The archives `krew/package.sh` builds: their contents, their checksums, the filled
//! manifests (checked by `e2e::krew`), and what `kubectl krew install --manifest … --archive …`
//! would install from them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use e2e::krew::*;
use serde_json::Value;

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
