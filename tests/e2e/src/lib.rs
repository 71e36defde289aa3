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

pub mod krew;
pub mod measure;

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
        .flat_map(|plugin| {
            [
                format!("kubectl-{plugin}"),
                format!("kubectl_complete-{plugin}"),
            ]
        })
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
        Sandbox {
            bin: linked("kubectl-"),
            home: tempfile::tempdir().expect("tempdir"),
        }
    })
}

/// A new directory holding links to the four built `<prefix><plugin>` executables, and nothing
/// else (target/debug itself holds cargo's `kubectl-*.d` files, which kubectl warns about).
fn linked(prefix: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for plugin in PLUGINS {
        let name = format!("{prefix}{plugin}{}", std::env::consts::EXE_SUFFIX);
        let built = target_dir().join(&name);
        assert!(
            built.exists(),
            "{} is missing: run `cargo build --workspace`",
            built.display()
        );
        link(&built, &dir.path().join(&name));
    }
    dir
}

/// The directory holding exactly the four `kubectl_complete-<plugin>` helpers.
pub fn completion_helper_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    ensure_built();
    DIR.get_or_init(|| linked("kubectl_complete-")).path()
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

/// Records that the running test skips on a real cluster, and why: on stderr, and as a line
/// `<test>: <reason>` in the file `SHIPSHAPE_E2E_SKIPS` names (tests/realcluster/e2e.sh prints
/// them all at the end).
pub fn skip(reason: &str) {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("?");
    eprintln!("skipped on a real cluster: {reason}");
    if let Some(path) = std::env::var_os("SHIPSHAPE_E2E_SKIPS").filter(|v| !v.is_empty()) {
        use std::io::Write;
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(file, "{test}: {reason}");
        }
    }
}

/// Whether the tests run against a real cluster; when they do, records the skip of the
/// running test with `reason` (see [`skip`]). For tests that need simcluster.
pub fn skip_on_real_cluster(reason: &str) -> bool {
    let real = real_cluster().is_some();
    if real {
        skip(reason);
    }
    real
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
        Self::launch(seeds, false, &[])
    }

    /// simcluster with faults injected from the start (`simcluster serve` flags such as
    /// `--fail delete:namespaces:500:1` or `--throttle-rate 1`). A real cluster cannot inject
    /// faults: `None` there, and the test is recorded as skipped.
    pub fn start_faulty(seeds: &[&str], faults: &[&str]) -> Option<Self> {
        if skip_on_real_cluster("fault injection needs simcluster") {
            return None;
        }
        Some(Self::launch(seeds, false, faults))
    }

    /// Like [`Cluster::start`], with simcluster serving HTTPS and requiring a token: kubectl
    /// (client-go) sends bearer tokens only over TLS, so tests of ServiceAccount tokens and RBAC
    /// need it.
    pub fn start_tls(seeds: &[&str]) -> Self {
        Self::launch(seeds, true, &[])
    }

    fn launch(seeds: &[&str], tls: bool, faults: &[&str]) -> Self {
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
        if tls {
            cmd.arg("--tls");
        }
        cmd.args(faults);
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
            line.starts_with("ready http://127.0.0.1:")
                || line.starts_with("ready https://127.0.0.1:"),
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

/// A real Prometheus (the Debian package `.ci/run` installs) scraping simcluster's cAdvisor
/// endpoint every second, in a temporary directory; killed on drop. On a real cluster, the
/// Prometheus named by `SHIPSHAPE_E2E_PROMETHEUS` is used instead.
pub struct PrometheusServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    child: Option<std::process::Child>,
    _dir: Option<tempfile::TempDir>,
}

impl PrometheusServer {
    /// Starts Prometheus scraping `target` (`host:port`) at `metrics_path`, and waits until it
    /// has scraped once. None (a skip) when Prometheus is not installed outside CI.
    pub fn start(target: &str, metrics_path: &str) -> Option<Self> {
        if let Some(url) = std::env::var("SHIPSHAPE_E2E_PROMETHEUS")
            .ok()
            .filter(|u| !u.is_empty())
        {
            return Some(Self {
                url,
                child: None,
                _dir: None,
            });
        }
        if Command::new("prometheus")
            .arg("--version")
            .output()
            .is_err()
        {
            assert!(
                std::env::var_os("CI").is_none(),
                "prometheus must be installed in CI (.ci/run installs it)"
            );
            eprintln!("skipped: prometheus is not installed");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\nscrape_configs:\n  - job_name: simcluster\n    metrics_path: {metrics_path}\n    static_configs: [{{targets: [\"{target}\"]}}]\n"
            ),
        )
        .expect("config");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("addr")
            .port();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("prometheus.log")).expect("log"))
            .spawn()
            .expect("prometheus starts");
        let server = Self {
            url: format!("http://127.0.0.1:{port}"),
            child: Some(child),
            _dir: Some(dir),
        };
        // Ready, and the target scraped once.
        for _ in 0..300 {
            if http_get(port, "/api/v1/query?query=up").is_some_and(|body| body.contains("\"1\"]"))
            {
                return Some(server);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("Prometheus did not scrape {target} within 30 s");
    }
}

/// A plain HTTP/1.0 GET to 127.0.0.1:port, the body when it answers.
fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The subcommands a `--help` lists under `Commands:` (without `help`).
pub fn subcommands(help: &str) -> Vec<String> {
    let commands = help.split("Commands:\n").nth(1).unwrap_or_default();
    commands
        .lines()
        .take_while(|l| l.starts_with("  "))
        // Wrapped descriptions continue on deeper-indented lines.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|sub| *sub != "help")
        .map(str::to_owned)
        .collect()
}
