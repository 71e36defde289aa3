//! Support for the end-to-end tests: the real `kubectl`, with the freshly built plugins on its
//! `PATH`, run the way users run it.
//!
//! The plugins are linked into a clean directory rather than putting `target/debug` on `PATH`:
//! cargo leaves `kubectl-<plugin>.d` dep-info files beside the binaries there, and
//! `kubectl plugin list` rightly warns about those as non-executable plugins.
//!
//! Run them with `cargo test --workspace`, which builds the plugins first.
//! Set `SHIPSHAPE_E2E_KUBECONFIG` to run the cluster tests against a real cluster.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The four plugins.
pub const PLUGINS: [&str; 4] = ["canary", "drtest", "harden", "quota"];

struct Sandbox {
    bin: tempfile::TempDir,
    home: tempfile::TempDir,
}

/// `target/<profile>`, where cargo put the binaries.
pub fn target_dir() -> PathBuf {
    // tests run from target/<profile>/deps/<test-binary>
    let exe = std::env::current_exe().expect("the test binary has a path");
    exe.parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps")
        .to_path_buf()
}

/// `cargo test --workspace` builds the plugin binaries before any test runs. When they are
/// missing (`cargo test -p e2e` on a fresh tree), build them. Building them always would relink
/// them with different features from the test build's and cost a minute per run.
fn build_plugins_if_missing() {
    let missing = PLUGINS
        .iter()
        .map(|plugin| format!("kubectl-{plugin}"))
        .chain(["simcluster".to_owned()])
        .any(|bin| {
            !target_dir()
                .join(format!("{bin}{}", std::env::consts::EXE_SUFFIX))
                .exists()
        });
    if !missing {
        return;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--quiet", "--bins"]);
    for plugin in PLUGINS {
        cmd.args(["-p", &format!("kubectl-{plugin}")]);
    }
    cmd.args(["-p", "simcluster"]);
    if target_dir().file_name().is_some_and(|p| p == "release") {
        cmd.arg("--release");
    }
    let status = cmd
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the plugins failed");
}

fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        build_plugins_if_missing();
        let bin = tempfile::tempdir().expect("tempdir");
        for plugin in PLUGINS {
            let name = format!("kubectl-{plugin}{}", std::env::consts::EXE_SUFFIX);
            let built = target_dir().join(&name);
            assert!(
                built.exists(),
                "{} is missing: run `cargo build --workspace`",
                built.display()
            );
            link(&built, &bin.path().join(&name));
        }
        Sandbox {
            bin,
            home: tempfile::tempdir().expect("tempdir"),
        }
    })
}

#[cfg(unix)]
fn link(from: &Path, to: &Path) {
    std::os::unix::fs::symlink(from, to).expect("symlink");
}

#[cfg(not(unix))]
fn link(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("copy");
}

/// Makes sure the binaries exist (see [`build_plugins_if_missing`]).
pub fn ensure_built() {
    sandbox();
}

/// The directory holding exactly the four plugin executables.
pub fn plugin_dir() -> &'static Path {
    sandbox().bin.path()
}

/// The real kubectl on `PATH`, or a clear failure in CI (a skip locally, reported by `None`).
pub fn kubectl_available() -> bool {
    let found = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "kubectl must be installed in CI (.ci/run installs it)"
        );
        eprintln!("skipped: kubectl is not installed");
    }
    found
}

/// `kubectl` with the plugins first on `PATH`, an empty `HOME` (so no `~/.kube/config` and a
/// fresh discovery cache), no `KUBECONFIG` and no colour.
pub fn kubectl() -> Command {
    let sandbox = sandbox();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![sandbox.bin.path().to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    let mut cmd = Command::new("kubectl");
    cmd.env("PATH", std::env::join_paths(dirs).expect("PATH"))
        .env("HOME", sandbox.home.path())
        .env("NO_COLOR", "1")
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST");
    cmd
}

/// The real cluster to test against, when `SHIPSHAPE_E2E_KUBECONFIG` names one.
pub fn real_cluster() -> Option<PathBuf> {
    std::env::var_os("SHIPSHAPE_E2E_KUBECONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// What a command printed and how it exited.
#[derive(Debug)]
pub struct Run {
    /// The exit code (None when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs a command to completion.
pub fn run(cmd: &mut Command) -> Run {
    let output = cmd.output().expect("the command starts");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A kubeconfig whose only context points at `server`.
pub fn kubeconfig(dir: &Path, context: &str, server: &str) -> PathBuf {
    let path = dir.join(format!("{context}.kubeconfig"));
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1
kind: Config
current-context: {context}
clusters:
- name: {context}
  cluster:
    server: {server}
users:
- name: {context}
  user:
    token: e2e-token
contexts:
- name: {context}
  context:
    cluster: {context}
    user: {context}
    namespace: hastecrm-production
"
        ),
    )
    .expect("write kubeconfig");
    path
}

/// A cluster for a test: simcluster started through its `serve` binary, or the real cluster named
/// by `SHIPSHAPE_E2E_KUBECONFIG`. Dropping it stops simcluster.
pub struct Cluster {
    kubeconfig: PathBuf,
    child: Option<std::process::Child>,
    _dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts simcluster (seeded from `seeds`, relative to the repository), or uses the real
    /// cluster. On a real cluster the seeds are not applied: tests create what they need.
    pub fn start(seeds: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        if let Some(kubeconfig) = real_cluster() {
            return Self {
                kubeconfig,
                child: None,
                _dir: dir,
            };
        }
        sandbox();
        let kubeconfig = dir.path().join("kubeconfig");
        let mut cmd = Command::new(target_dir().join("simcluster"));
        cmd.args(["serve", "--speed", "20", "--kubeconfig"])
            .arg(&kubeconfig);
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for seed in seeds {
            cmd.arg("--seed").arg(root.join(seed));
        }
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("simcluster starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
            .expect("ready line");
        assert!(
            line.starts_with("ready http://127.0.0.1:"),
            "simcluster said {line:?}"
        );
        Self {
            kubeconfig,
            child: Some(child),
            _dir: dir,
        }
    }

    /// Whether this is simcluster (not a real cluster).
    pub fn is_simulated(&self) -> bool {
        self.child.is_some()
    }

    /// The kubeconfig to use.
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// `kubectl --kubeconfig <this cluster> <args>`, with the plugins on PATH.
    pub fn kubectl(&self, args: &[&str]) -> Run {
        let mut cmd = kubectl();
        cmd.env("KUBECONFIG", &self.kubeconfig).args(args);
        run(&mut cmd)
    }

    /// Like [`Cluster::kubectl`], failing the test unless it exits 0.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert_eq!(out.code, Some(0), "kubectl {}: {out:?}", args.join(" "));
        out.stdout
    }

    /// `kubectl ... ` with stdin.
    pub fn kubectl_stdin(&self, args: &[&str], stdin: &str) -> Run {
        use std::io::Write;
        let mut cmd = kubectl();
        cmd.env("KUBECONFIG", &self.kubeconfig)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("kubectl starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        let output = child.wait_with_output().expect("kubectl ends");
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A namespace name unique to this test run.
pub fn unique_namespace(test: &str) -> String {
    format!("e2e-{test}-{}", std::process::id())
}
