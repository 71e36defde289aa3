//! `kubectl canary` through the real kubectl, against a real Prometheus scraping the pods'
//! application metrics: simcluster's, or on a real control plane (`SHIPSHAPE_E2E_KUBECONFIG`)
//! the same simulation served for the real pods by `simcluster metrics`
//! (`SHIPSHAPE_E2E_METRICS`), so its image conventions (`-errors`, `-slow`) decide the outcomes
//! on both. Tests that need simcluster's fault injection or a process in a pod skip there.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use e2e::{PrometheusServer, Run, kubectl, kubectl_available, run};

/// Where a test runs.
enum Cluster {
    /// Its own in-process simcluster.
    Simulated(simcluster::SimCluster),
    /// The real cluster of `SHIPSHAPE_E2E_KUBECONFIG`, shared by every test.
    Real(std::path::PathBuf),
}

impl Cluster {
    fn kubeconfig(&self) -> &std::path::Path {
        match self {
            Cluster::Simulated(cluster) => cluster.kubeconfig(),
            Cluster::Real(kubeconfig) => kubeconfig,
        }
    }

    /// Faults injected into simcluster (tests that use it skip on a real cluster).
    fn set_faults(&self, faults: simcluster::Faults) {
        match self {
            Cluster::Simulated(cluster) => cluster.set_faults(faults),
            Cluster::Real(_) => panic!("fault injection needs simcluster"),
        }
    }
}

struct Setup {
    cluster: Cluster,
    prometheus: PrometheusServer,
    /// The test's namespace: `shop` in its own simcluster, a unique one on a real cluster.
    ns: String,
}

impl Drop for Setup {
    fn drop(&mut self) {
        if matches!(self.cluster, Cluster::Real(_)) {
            let _ = run(self
                .command(&["delete", "namespace", &self.ns, "--wait=false"])
                .stdout(Stdio::null()));
        }
    }
}

impl Setup {
    async fn start() -> Option<Self> {
        Self::start_with(Vec::new()).await
    }

    /// Skips on a real cluster (recording why) for tests that need simcluster.
    async fn simulated(reason: &str) -> Option<Self> {
        if e2e::skip_on_real_cluster(reason) {
            return None;
        }
        Self::start().await
    }

    /// A cluster with the CRDs under `crds` installed, a namespace, and in it a Deployment
    /// `web` of four replicas rolled out.
    async fn start_with(crds: Vec<std::path::PathBuf>) -> Option<Self> {
        if !kubectl_available() {
            return None;
        }
        let (cluster, ns, target) = match e2e::real_cluster() {
            Some(kubeconfig) => {
                static TESTS: AtomicUsize = AtomicUsize::new(0);
                let ns = format!(
                    "shop-{}-{}",
                    std::process::id(),
                    TESTS.fetch_add(1, Ordering::Relaxed)
                );
                let target = std::env::var("SHIPSHAPE_E2E_METRICS").expect(
                    "SHIPSHAPE_E2E_METRICS: the `simcluster metrics` of the real cluster \
                     (tests/realcluster/e2e.sh sets it)",
                );
                (Cluster::Real(kubeconfig), ns, target)
            }
            None => {
                let cluster = simcluster::SimCluster::start(simcluster::Options {
                    speed: 20.0,
                    seeds: crds.clone(),
                    ..simcluster::Options::default()
                })
                .await
                .expect("simcluster");
                let target = cluster.url().trim_start_matches("http://").to_owned();
                (Cluster::Simulated(cluster), "shop".to_owned(), target)
            }
        };
        let prometheus = tokio::task::block_in_place(|| {
            PrometheusServer::start(&target, "/simcluster/metrics")
        })?;
        let setup = Self {
            cluster,
            prometheus,
            ns,
        };
        if matches!(setup.cluster, Cluster::Real(_)) {
            // Shared by the tests running at once: applied server-side, idempotently.
            for dir in &crds {
                let dir = dir.to_string_lossy();
                setup.ok(&["apply", "--server-side", "--force-conflicts", "-f", &dir]);
                setup.ok(&[
                    "wait",
                    "--for=condition=Established",
                    "--timeout=60s",
                    "-f",
                    &dir,
                ]);
            }
        }
        setup.ok(&["create", "namespace", &setup.ns]);
        let out = setup.kubectl_stdin(
            &["apply", "-n", &setup.ns, "-f", "-"],
            "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: 'registry.example/web:1.0'}]
",
        );
        assert_eq!(out.code, Some(0), "{out:?}");
        setup.ok(&[
            "rollout",
            "status",
            "deploy/web",
            "-n",
            &setup.ns,
            "--timeout=60s",
        ]);
        Some(setup)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = kubectl();
        // No terminal: the manual gate waits for `promote` instead of asking.
        cmd.env("KUBECONFIG", self.cluster.kubeconfig())
            .args(args)
            .stdin(Stdio::null());
        cmd
    }

    fn kubectl(&self, args: &[&str]) -> Run {
        tokio::task::block_in_place(|| run(&mut self.command(args)))
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert_eq!(out.code, Some(0), "kubectl {}: {out:?}", args.join(" "));
        out.stdout
    }

    fn kubectl_stdin(&self, args: &[&str], stdin: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write");
        let output = child.wait_with_output().expect("kubectl ends");
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `kubectl canary start web …` with the test's fast settings.
    fn start_args(&self, image: &str, extra: &[&str]) -> Vec<String> {
        let mut args: Vec<String> = [
            "canary",
            "start",
            "web",
            "-n",
            &self.ns,
            "--image",
            image,
            "--prometheus",
            &self.prometheus.url,
            "--interval",
            "2s",
            "--threshold",
            "3",
            "--on-no-data",
            "hold",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        if !extra.contains(&"--step-weight") {
            args.extend(["--step-weight".to_owned(), "25".to_owned()]);
        }
        args
    }

    fn spawn(&self, args: &[String]) -> Child {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.command(&refs)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl canary starts")
    }

    fn image(&self) -> String {
        self.ok(&[
            "get",
            "deploy",
            "web",
            "-n",
            &self.ns,
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ])
    }

    fn run_record(&self) -> serde_json::Value {
        let out = self.ok(&["canary", "status", "web", "-n", &self.ns, "-o", "json"]);
        let status: serde_json::Value = serde_json::from_str(&out).expect("json");
        status["runs"][0].clone()
    }

    fn wait_for(&self, what: &str, done: impl Fn(&serde_json::Value) -> bool) {
        for _ in 0..300 {
            let out = self.kubectl(&["canary", "status", "web", "-n", &self.ns, "-o", "json"]);
            if out.code == Some(0) {
                let status: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
                if done(&status["runs"][0]) {
                    return;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!(
            "timed out waiting for {what}: {}",
            self.kubectl(&["canary", "status", "web", "-n", &self.ns, "-o", "wide"])
                .stdout
        );
    }
}

fn finish(child: Child) -> Run {
    let output = child.wait_with_output().expect("ends");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_release_is_promoted_and_a_bad_one_rolled_back() {
    let Some(setup) = Setup::start().await else {
        return;
    };
    let args = setup.start_args("registry.example/web:1.1", &[]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = setup.kubectl(&refs);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stdout.contains("Succeeded"), "{out:?}");
    assert!(
        out.stderr
            .contains("weight 50% (2 canary / 2 primary pods)"),
        "{}",
        out.stderr
    );
    assert_eq!(
        setup.image(),
        "registry.example/web:1.1",
        "the primary runs the new version"
    );
    let out = setup.kubectl(&["get", "deploy", "web-canary", "-n", &setup.ns]);
    assert_ne!(out.code, Some(0), "the canary is gone");
    assert_eq!(setup.run_record()["state"]["phase"], "Succeeded");
    let out = setup.kubectl(&[
        "canary",
        "verify",
        "web",
        "-n",
        &setup.ns,
        "--window",
        "10s",
        "--prometheus",
        &setup.prometheus.url,
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout.contains("✓   rollout complete"),
        "{}",
        out.stdout
    );

    // An -errors image: 20 % 5xx, rolled back after three failed checks; the primary unchanged.
    let args = setup.start_args("registry.example/web:1.2-errors", &["-o", "json"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = setup.kubectl(&refs);
    assert_eq!(out.code, Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(report["kind"], "CanaryRun");
    assert_eq!(report["state"]["phase"], "RolledBack");
    assert_eq!(report["state"]["failedChecks"], 3);
    let reason = report["state"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("3 failed checks (threshold 3); last: request-success-rate"),
        "{reason}"
    );
    assert_eq!(setup.image(), "registry.example/web:1.1");
    assert_eq!(
        setup.ok(&[
            "get",
            "deploy",
            "web",
            "-n",
            &setup.ns,
            "-o",
            "jsonpath={.spec.replicas}"
        ]),
        "4"
    );
    let history = setup.ok(&["canary", "history", "web", "-n", &setup.ns]);
    assert!(
        history.contains("Succeeded") && history.contains("RolledBack"),
        "{history}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_run_resumes_without_repeating_a_step() {
    let Some(setup) = Setup::start().await else {
        return;
    };
    let args = setup.start_args(
        "registry.example/web:1.1",
        &["--step-weight", "10", "--max-weight", "40"],
    );
    let mut child = setup.spawn(&args);
    setup.wait_for("step 2", |r| {
        r["state"]["step"].as_u64().is_some_and(|s| s >= 2)
    });
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let before = setup.run_record();
    assert_eq!(before["state"]["phase"], "Progressing");
    let out = setup.kubectl(&["canary", "resume", "web", "-n", &setup.ns]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let record = setup.run_record();
    assert_eq!(record["state"]["phase"], "Succeeded");
    let steps: Vec<u64> = record["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| {
            e["message"]
                .as_str()?
                .strip_prefix("step ")?
                .split(':')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    let mut unique = steps.clone();
    unique.dedup();
    assert_eq!(steps, unique, "no step decided twice: {steps:?}");
    assert!(steps.windows(2).all(|w| w[1] == w[0] + 1), "{steps:?}");
    assert_eq!(setup.image(), "registry.example/web:1.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_and_promote_from_a_second_process() {
    let Some(setup) = Setup::start().await else {
        return;
    };
    // abort: the driver rolls back at its next interval and both processes say so.
    let args = setup.start_args(
        "registry.example/web:1.1",
        &["--step-weight", "10", "--max-weight", "100"],
    );
    let driver = setup.spawn(&args);
    setup.wait_for("step 1", |r| {
        r["state"]["step"].as_u64().is_some_and(|s| s >= 1)
    });
    let out = setup.kubectl(&["canary", "abort", "web", "-n", &setup.ns]);
    assert_eq!(out.code, Some(1), "{out:?}");
    let driven = finish(driver);
    assert_eq!(driven.code, Some(1), "{driven:?}");
    assert_eq!(
        setup.run_record()["state"]["reason"],
        "aborted with `kubectl canary abort`"
    );
    assert_eq!(setup.image(), "registry.example/web:1.0");

    // promote: a manual gate waits at the maximum weight until someone promotes.
    let args = setup.start_args(
        "registry.example/web:1.3",
        &["--step-weight", "50", "--manual-gate"],
    );
    let driver = setup.spawn(&args);
    setup.wait_for("the manual gate", |r| {
        r["state"]["phase"] == "WaitingPromotion"
    });
    // A watcher sees the gate, then the promotion, and stops when the run ends.
    let watch: Vec<String> = ["canary", "status", "web", "-n", &setup.ns, "-w"]
        .map(String::from)
        .into();
    let mut watcher = setup.spawn(&watch);
    // Promote only once the watcher has shown the gate, however slow its start.
    let lines = {
        use std::io::BufRead;
        let stdout = watcher.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        rx
    };
    let mut watched = String::new();
    while !watched.contains("WaitingPromotion") {
        let line = lines
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("the watcher never showed the gate ({e}): {watched}"));
        watched.push_str(&line);
        watched.push('\n');
    }
    let out = setup.kubectl(&["canary", "promote", "web", "-n", &setup.ns]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(finish(driver).code, Some(0));
    assert_eq!(setup.image(), "registry.example/web:1.3");
    let ended = finish(watcher);
    assert_eq!(ended.code, Some(0), "{ended:?}");
    watched.extend(lines.iter().map(|l| l + "\n"));
    assert!(watched.contains("Succeeded"), "{watched}");
    // Nothing left to control.
    let out = setup.kubectl(&["canary", "abort", "web", "-n", &setup.ns]);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("already ended"), "{out:?}");
}

/// A migration Job written to a file, in the test's namespace.
fn migration(dir: &std::path::Path, ns: &str, name: &str, image: &str) -> String {
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, format!("apiVersion: batch/v1\nkind: Job\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: migrate, image: '{image}'}}]\n")).expect("write");
    path.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_follow_the_job_to_completion() {
    let Some(setup) = Setup::start().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let good = migration(
        dir.path(),
        &setup.ns,
        "migrate-ok",
        "registry.example/migrate:1",
    );
    let out = setup.kubectl(&["canary", "migrate", "-f", &good, "--timeout", "60s"]);
    assert_eq!(out.code, Some(0), "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_migration_stops_the_release_and_shows_its_log() {
    // The `-fail` image convention holds on both clusters (KWOK's stages follow it); without a
    // kubelet a real cluster's pod has no log, which the report says under the pod's name.
    let Some(setup) = Setup::start().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = migration(
        dir.path(),
        &setup.ns,
        "migrate-bad",
        "registry.example/migrate:1-fail",
    );
    let out = setup.kubectl(&["canary", "migrate", "-f", &bad, "--timeout", "60s"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr.contains("job.batch/migrate-bad failed")
            && out.stderr.contains("--- pod/migrate-bad-"),
        "{out:?}"
    );
}

/// A webhook receiver on loopback: records every payload; `/gate` answers 500 until opened.
struct Hooks {
    port: u16,
    payloads: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
    open: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Hooks {
    fn start() -> Self {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let payloads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (seen, gate) = (payloads.clone(), open.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut buffer = vec![0u8; 16384];
                let mut read = 0;
                // Headers, then the body by Content-Length.
                while let Ok(n) = stream.read(&mut buffer[read..]) {
                    if n == 0 {
                        break;
                    }
                    read += n;
                    let text = String::from_utf8_lossy(&buffer[..read]).into_owned();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let length = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if body.len() >= length {
                            let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                            if let Ok(json) = serde_json::from_str::<serde_json::Value>(body) {
                                seen.lock()
                                    .expect("lock")
                                    .push(serde_json::json!({"path": path, "payload": json}));
                            }
                            let status = if path == "/gate"
                                && !gate.load(std::sync::atomic::Ordering::SeqCst)
                            {
                                "500 Internal Server Error"
                            } else {
                                "200 OK"
                            };
                            let _ = write!(
                                stream,
                                "HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                            );
                            break;
                        }
                    }
                }
            }
        });
        Self {
            port,
            payloads,
            open,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn types(&self) -> Vec<String> {
        self.payloads
            .lock()
            .expect("lock")
            .iter()
            .filter_map(|p| p["payload"]["type"].as_str().map(str::to_owned))
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_gate_and_follow_the_release() {
    let Some(setup) = Setup::start().await else {
        return;
    };
    let hooks = Hooks::start();
    let hook = |kind: &str, path: &str| format!("--webhook={kind}={}", hooks.url(path));
    let (pre, roll, confirm, post) = (
        hook("pre-rollout", "/pre"),
        hook("rollout", "/check"),
        hook("confirm-promotion", "/gate"),
        hook("post-rollout", "/post"),
    );
    let args = setup.start_args(
        "registry.example/web:1.1",
        &["--step-weight", "50", &pre, &roll, &confirm, &post],
    );
    let driver = setup.spawn(&args);
    // confirm-promotion answers 500: the canary waits at its weight.
    setup.wait_for("the confirm-promotion gate", |r| {
        r["state"]["phase"] == "WaitingPromotion"
    });
    assert_eq!(setup.image(), "registry.example/web:1.0");
    hooks.open.store(true, std::sync::atomic::Ordering::SeqCst);
    let out = finish(driver);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(setup.image(), "registry.example/web:1.1");
    let types = hooks.types();
    for kind in [
        "pre-rollout",
        "rollout",
        "confirm-promotion",
        "post-rollout",
    ] {
        assert!(types.iter().any(|t| t == kind), "{kind} called: {types:?}");
    }
    assert_eq!(types.first().map(String::as_str), Some("pre-rollout"));
    assert_eq!(types.last().map(String::as_str), Some("post-rollout"));
    let first = hooks.payloads.lock().expect("lock")[0]["payload"].clone();
    assert_eq!(
        (first["name"].as_str(), first["namespace"].as_str()),
        (Some("web"), Some(setup.ns.as_str()))
    );
    assert!(
        first["checksum"].is_string() && first["metadata"]["image"] == "registry.example/web:1.1",
        "{first}"
    );
    // A pre-rollout hook that fails stops the release before anything changes.
    let bad = "--webhook=pre-rollout=http://127.0.0.1:9/pre".to_string();
    let args = setup.start_args("registry.example/web:1.2", &[&bad]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = setup.kubectl(&refs);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(out.stderr.contains("the release did not start"), "{out:?}");
    assert_ne!(
        setup
            .kubectl(&["get", "deploy", "web-canary", "-n", &setup.ns])
            .code,
        Some(0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_api_weights_change_only_the_designated_rule() {
    let crds =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../simcluster/crds/gateway-api");
    let Some(setup) = Setup::start_with(vec![crds]).await else {
        return;
    };
    let out = setup.kubectl_stdin(&["apply", "-n", &setup.ns, "-f", "-"], "\
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop}
spec:
  parentRefs: [{name: public}]
  rules:
    - matches: [{path: {type: PathPrefix, value: /}}]
      backendRefs: [{name: web, port: 80}]
    - matches: [{path: {type: PathPrefix, value: /api}}]
      filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: x-team, value: crm}]}}]
      backendRefs: [{name: api, port: 4000, weight: 1}]
");
    assert_eq!(out.code, Some(0), "{out:?}");
    let rules = || -> serde_json::Value {
        let route: serde_json::Value = serde_json::from_str(&setup.ok(&[
            "get",
            "httproute",
            "shop",
            "-n",
            &setup.ns,
            "-o",
            "json",
        ]))
        .expect("json");
        route["spec"]["rules"].clone()
    };
    let before = rules();
    let args = setup.start_args(
        "registry.example/web:1.1",
        &[
            "--step-weight",
            "50",
            "--manual-gate",
            "--traffic",
            "gateway-api:shop#0",
        ],
    );
    let driver = setup.spawn(&args);
    setup.wait_for("the manual gate", |r| {
        r["state"]["phase"] == "WaitingPromotion"
    });
    let during = rules();
    // Name, port and weight of each backend (a real API server also defaults `group` and
    // `kind` from the CRD's schema).
    let backends: Vec<_> = during[0]["backendRefs"]
        .as_array()
        .expect("backendRefs")
        .iter()
        .map(|b| (b["name"].clone(), b["port"].clone(), b["weight"].clone()))
        .collect();
    assert_eq!(
        backends,
        [("web", 80, 50), ("web-canary", 80, 50)]
            .map(|(n, p, w)| (n.into(), p.into(), w.into()))
            .to_vec(),
        "{during}"
    );
    assert_eq!(during[0]["matches"], before[0]["matches"]);
    assert_eq!(
        during[1].to_string(),
        before[1].to_string(),
        "the other rule is byte-identical"
    );
    let canary_service: serde_json::Value = serde_json::from_str(&setup.ok(&[
        "get",
        "service",
        "web-canary",
        "-n",
        &setup.ns,
        "-o",
        "json",
    ]))
    .expect("json");
    assert_eq!(canary_service["spec"]["selector"]["app"], "web-canary");
    let out = setup.kubectl(&["canary", "promote", "web", "-n", &setup.ns]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(finish(driver).code, Some(0));
    assert_eq!(
        rules().to_string(),
        before.to_string(),
        "the route is back as it was"
    );
    assert_ne!(
        setup
            .kubectl(&["get", "service", "web-canary", "-n", &setup.ns])
            .code,
        Some(0),
        "the canary Service is gone"
    );
    assert_eq!(setup.image(), "registry.example/web:1.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blue_green_switches_the_active_service_after_the_preview_passes() {
    let Some(setup) = Setup::start().await else {
        return;
    };
    let out = setup.kubectl_stdin(&["apply", "-n", &setup.ns, "-f", "-"], "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n");
    assert_eq!(out.code, Some(0), "{out:?}");
    let selector = |name: &str| {
        setup.ok(&[
            "get",
            "service",
            name,
            "-n",
            &setup.ns,
            "-o",
            "jsonpath={.spec.selector}",
        ])
    };
    let blue_green = [
        "--strategy",
        "blue-green",
        "--active-service",
        "web",
        "--scale-down-delay",
        "1s",
    ];
    let mut extra: Vec<&str> = blue_green.to_vec();
    extra.push("--manual-gate");
    let args = setup.start_args("registry.example/web:1.1", &extra);
    let driver = setup.spawn(&args);
    setup.wait_for("the preview to pass", |r| {
        r["state"]["phase"] == "WaitingPromotion"
    });
    assert_eq!(
        setup.ok(&[
            "get",
            "deploy",
            "web-preview",
            "-n",
            &setup.ns,
            "-o",
            "jsonpath={.spec.replicas}"
        ]),
        "4",
        "a full-size preview"
    );
    assert_eq!(selector("web-preview"), r#"{"app":"web-preview"}"#);
    assert_eq!(
        selector("web"),
        r#"{"app":"web"}"#,
        "the active Service is untouched before promotion"
    );
    let out = setup.kubectl(&["canary", "promote", "web", "-n", &setup.ns]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let driven = finish(driver);
    assert_eq!(driven.code, Some(0), "{driven:?}");
    assert!(
        driven
            .stderr
            .contains("switched service/web to the preview"),
        "{}",
        driven.stderr
    );
    assert_eq!(setup.image(), "registry.example/web:1.1");
    assert_eq!(selector("web"), r#"{"app":"web"}"#);
    assert_ne!(
        setup
            .kubectl(&["get", "deploy", "web-preview", "-n", &setup.ns])
            .code,
        Some(0)
    );
    assert_ne!(
        setup
            .kubectl(&["get", "service", "web-preview", "-n", &setup.ns])
            .code,
        Some(0)
    );

    // A failing preview is deleted; the active Service and the primary stay as they were.
    let args = setup.start_args("registry.example/web:1.2-errors", &blue_green);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = setup.kubectl(&refs);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(setup.image(), "registry.example/web:1.1");
    assert_eq!(selector("web"), r#"{"app":"web"}"#);
    assert_ne!(
        setup
            .kubectl(&["get", "deploy", "web-preview", "-n", &setup.ns])
            .code,
        Some(0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_canary_ingress_carries_the_weight() {
    let Some(setup) = Setup::start().await else {
        return;
    };
    let out = setup.kubectl_stdin(
        &["apply", "-n", &setup.ns, "-f", "-"],
        "\
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
",
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    let before = setup.ok(&[
        "get",
        "ingress",
        "shop",
        "-n",
        &setup.ns,
        "-o",
        "jsonpath={.spec}",
    ]);
    let args = setup.start_args(
        "registry.example/web:1.1",
        &[
            "--step-weight",
            "30",
            "--max-weight",
            "30",
            "--manual-gate",
            "--traffic",
            "nginx:shop",
        ],
    );
    let driver = setup.spawn(&args);
    setup.wait_for("the manual gate", |r| {
        r["state"]["phase"] == "WaitingPromotion"
    });
    let canary: serde_json::Value = serde_json::from_str(&setup.ok(&[
        "get",
        "ingress",
        "shop-canary",
        "-n",
        &setup.ns,
        "-o",
        "json",
    ]))
    .expect("json");
    assert_eq!(
        canary["metadata"]["annotations"]["nginx.ingress.kubernetes.io/canary"],
        "true"
    );
    assert_eq!(
        canary["metadata"]["annotations"]["nginx.ingress.kubernetes.io/canary-weight"],
        "30"
    );
    assert_eq!(
        canary["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"],
        "web-canary"
    );
    assert_eq!(
        setup.ok(&[
            "get",
            "ingress",
            "shop",
            "-n",
            &setup.ns,
            "-o",
            "jsonpath={.spec}"
        ]),
        before,
        "the primary Ingress is untouched"
    );
    let out = setup.kubectl(&["canary", "promote", "web", "-n", &setup.ns]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(finish(driver).code, Some(0));
    assert_ne!(
        setup
            .kubectl(&["get", "ingress", "shop-canary", "-n", &setup.ns])
            .code,
        Some(0),
        "the canary Ingress is gone"
    );
    assert_eq!(setup.image(), "registry.example/web:1.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detached_runs_hand_the_loop_to_a_job_with_its_own_role() {
    let Some(setup) =
        Setup::simulated("the detached driver runs in a pod, and KWOK's pods run no processes")
            .await
    else {
        return;
    };
    let args = setup.start_args(
        "registry.example/web:1.1",
        &[
            "--step-weight",
            "50",
            "--detach",
            "--runner-image",
            "registry.example/shipshape:0.1.0",
        ],
    );
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = setup.kubectl(&refs);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stderr
            .contains("detached: job.batch/web-canary-runner-"),
        "{out:?}"
    );
    let jobs: serde_json::Value = serde_json::from_str(&setup.ok(&[
        "get",
        "jobs",
        "-n",
        &setup.ns,
        "-l",
        "canary.shipshape.dev/canary-of=web",
        "-o",
        "json",
    ]))
    .expect("json");
    let pod = &jobs["items"][0]["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], "web-canary-runner");
    assert_eq!(
        pod["containers"][0]["image"],
        "registry.example/shipshape:0.1.0"
    );
    assert_eq!(
        pod["containers"][0]["args"],
        serde_json::json!(["resume", "web", "--namespace", &setup.ns])
    );
    let role: serde_json::Value = serde_json::from_str(&setup.ok(&[
        "get",
        "role",
        "web-canary-runner",
        "-n",
        &setup.ns,
        "-o",
        "json",
    ]))
    .expect("json");
    // Least privilege: Deployments, ConfigMaps and the Lease by name; no traffic kind this run
    // does not use.
    let rules = role["rules"].as_array().expect("rules");
    for resource in ["deployments", "configmaps"] {
        let rule = rules
            .iter()
            .find(|r| r["resources"] == serde_json::json!([resource]))
            .expect(resource);
        assert!(rule["resourceNames"].is_array(), "{rule}");
    }
    assert!(
        !rules.iter().any(|r| {
            ["ingresses", "httproutes", "virtualservices", "services"]
                .iter()
                .any(|kind| r["resources"] == serde_json::json!([kind]))
        }),
        "{role}"
    );
    setup.ok(&["get", "rolebinding", "web-canary-runner", "-n", &setup.ns]);
    let runner = "system:serviceaccount:shop:web-canary-runner";
    for attempt in [
        &[
            "delete",
            "deployment",
            "web",
            "-n",
            &setup.ns,
            "--dry-run=server",
        ][..],
        &["get", "secrets", "-n", &setup.ns],
        &["get", "configmap", "other", "-n", &setup.ns],
    ] {
        let mut args = attempt.to_vec();
        args.extend(["--as", runner]);
        let out = setup.kubectl(&args);
        assert!(
            out.code == Some(1) && out.stderr.contains("forbidden"),
            "{attempt:?}: {out:?} {role}"
        );
    }
    // The lease is free for the Job; resuming as its ServiceAccount (what the Job's pod runs)
    // finishes the run under exactly the generated Role.
    let out = setup.kubectl(&["canary", "resume", "web", "-n", &setup.ns, "--as", runner]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(setup.image(), "registry.example/web:1.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_detach_that_cannot_create_its_job_says_what_was_applied_and_how_to_go_on() {
    let Some(setup) = Setup::simulated("fault injection needs simcluster").await else {
        return;
    };
    setup.cluster.set_faults(simcluster::Faults {
        forbid: vec![simcluster::Forbid {
            verb: "patch".into(),
            resource: "jobs".into(),
            namespace: None,
        }],
        ..simcluster::Faults::default()
    });
    let args = setup.start_args(
        "registry.example/web:1.1",
        &[
            "--detach",
            "--runner-image",
            "registry.example/shipshape:0.1.0",
        ],
    );
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = setup.kubectl(&refs);
    assert_eq!(out.code, Some(3), "{out:?}");
    for says in [
        "applied (and still in place): shop/serviceaccount/web-canary-runner, shop/role/web-canary-runner, shop/rolebinding/web-canary-runner",
        "failed: shop/job/web-canary-runner-",
        "is running with no driver: `kubectl canary resume web -n shop`",
        "jobs.batch",
    ] {
        assert!(out.stderr.contains(says), "{says}: {}", out.stderr);
    }
    setup.cluster.set_faults(simcluster::Faults::default());
    // The lease was given up: this terminal can drive the run to its end.
    let out = setup.kubectl(&["canary", "resume", "web", "-n", &setup.ns]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(setup.image(), "registry.example/web:1.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn istio_virtual_service_weights_sum_to_100_on_one_route() {
    let crds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../simcluster/crds/istio");
    let Some(setup) = Setup::start_with(vec![crds]).await else {
        return;
    };
    let out = setup.kubectl_stdin(
        &["apply", "-n", &setup.ns, "-f", "-"],
        &"\
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop}
spec:
  hosts: [shop.example]
  http:
    - route: [{destination: {host: web.NAMESPACE.svc.cluster.local, port: {number: 80}}}]
    - match: [{uri: {prefix: /api}}]
      route: [{destination: {host: api}, weight: 100}]
"
        .replace("NAMESPACE", &setup.ns),
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    let http = || -> serde_json::Value {
        let vs: serde_json::Value = serde_json::from_str(&setup.ok(&[
            "get",
            "virtualservice",
            "shop",
            "-n",
            &setup.ns,
            "-o",
            "json",
        ]))
        .expect("json");
        vs["spec"]["http"].clone()
    };
    let before = http();
    let args = setup.start_args(
        "registry.example/web:1.1",
        &[
            "--step-weight",
            "20",
            "--max-weight",
            "20",
            "--manual-gate",
            "--traffic",
            "istio:shop#0",
        ],
    );
    let driver = setup.spawn(&args);
    setup.wait_for("the manual gate", |r| {
        r["state"]["phase"] == "WaitingPromotion"
    });
    let during = http();
    let routes = during[0]["route"].as_array().expect("routes");
    let weights: Vec<i64> = routes.iter().filter_map(|r| r["weight"].as_i64()).collect();
    assert_eq!(weights, [80, 20], "{during}");
    assert_eq!(routes[1]["destination"]["host"], "web-canary");
    assert_eq!(
        during[1].to_string(),
        before[1].to_string(),
        "the other route is byte-identical"
    );
    let out = setup.kubectl(&["canary", "promote", "web", "-n", &setup.ns]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(finish(driver).code, Some(0));
    assert_eq!(http().to_string(), before.to_string());
    assert_eq!(setup.image(), "registry.example/web:1.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_teams_object_of_the_canarys_name_is_refused_and_left_untouched() {
    let Some(setup) = Setup::start().await else {
        return;
    };
    // Another team's Deployments that happen to have the names a canary or a preview takes.
    for name in ["web-canary", "web-preview"] {
        let out = setup.kubectl_stdin(
            &["apply", "-n", &setup.ns, "-f", "-"],
            &format!(
                "\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, labels: {{team: search}}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: tool, image: 'registry.example/search-tool:3'}}]
"
            ),
        );
        assert_eq!(out.code, Some(0), "{out:?}");
    }
    let out = setup.kubectl_stdin(&["apply", "-n", &setup.ns, "-f", "-"], "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n");
    assert_eq!(out.code, Some(0), "{out:?}");
    let theirs = |name: &str| {
        setup.ok(&[
            "get",
            "deploy",
            name,
            "-n",
            &setup.ns,
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image} {.spec.replicas} {.metadata.labels}",
        ])
    };
    let before = (theirs("web-canary"), theirs("web-preview"));
    let replicas = || {
        setup.ok(&[
            "get",
            "deploy",
            "web",
            "-n",
            &setup.ns,
            "-o",
            "jsonpath={.spec.replicas}",
        ])
    };

    for (extra, name) in [
        (&[][..], "web-canary"),
        (
            &["--strategy", "blue-green", "--active-service", "web"][..],
            "web-preview",
        ),
    ] {
        let args = setup.start_args("registry.example/web:1.1", extra);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = setup.kubectl(&refs);
        assert_eq!(out.code, Some(1), "{out:?}");
        assert!(
            out.stderr
                .contains(&format!("deployments.apps/{name} already exists"))
                && out.stderr.contains("--canary-name"),
            "names the object and the way out: {}",
            out.stderr
        );
        assert_eq!(setup.image(), "registry.example/web:1.0");
        assert_eq!(replicas(), "4", "the primary is not scaled down");
        assert_eq!(
            setup
                .kubectl(&["get", "configmap", "web-canary-state", "-n", &setup.ns])
                .code,
            Some(1),
            "no run was recorded"
        );
    }
    assert_eq!((theirs("web-canary"), theirs("web-preview")), before);

    // The way out: a canary of another name runs, and is removed, without touching theirs.
    let args = setup.start_args("registry.example/web:1.1", &["--canary-name", "web-next"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = setup.kubectl(&refs);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(setup.image(), "registry.example/web:1.1");
    assert_eq!(
        setup
            .kubectl(&["get", "deploy", "web-next", "-n", &setup.ns])
            .code,
        Some(1),
        "the canary is removed after promotion"
    );
    assert_eq!((theirs("web-canary"), theirs("web-preview")), before);

    let out = setup.kubectl(&[
        "canary",
        "start",
        "web",
        "-n",
        &setup.ns,
        "--image",
        "x:1",
        "--canary-name",
        "Web_Next",
    ]);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("--canary-name"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_inputs_and_an_unreachable_prometheus_are_refused_before_production_changes() {
    let Some(setup) = Setup::start().await else {
        return;
    };
    let primary = || {
        setup.ok(&[
            "get",
            "deploy",
            "web",
            "-n",
            &setup.ns,
            "-o",
            "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}",
        ])
    };
    let before = primary();
    // `extra` holds (flag, value) pairs that replace start_args' own.
    let start = |image: &str, extra: &[&str]| {
        let mut args = setup.start_args(image, &[]);
        for pair in extra.chunks(2) {
            let at = args
                .iter()
                .position(|a| a == pair[0])
                .expect("a flag start_args sets");
            args[at + 1] = pair[1].to_owned();
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        setup.kubectl(&refs)
    };
    for (image, extra, says) in [
        ("", &[][..], "--image: the image is empty"),
        ("UPPER_CASE!!", &[], "repository part"),
        ("registry.example/web:", &[], "the tag"),
        ("registry.example/web:1.1", &["--interval", "0s"], "is zero"),
    ] {
        let out = start(image, extra);
        assert_eq!(out.code, Some(2), "{image} {extra:?}: {out:?}");
        assert!(out.stderr.contains(says), "{says}: {}", out.stderr);
    }
    // Nothing listens on port 1: the release does not start, nothing is written.
    let out = start(
        "registry.example/web:1.1",
        &["--prometheus", "http://127.0.0.1:1"],
    );
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(
        out.stderr.contains("nothing was changed")
            && out
                .stderr
                .contains("cannot reach Prometheus at http://127.0.0.1:1"),
        "{}",
        out.stderr
    );
    assert_eq!(primary(), before, "the primary is untouched");
    for object in [
        "deploy/web-canary",
        "configmap/web-canary-state",
        "lease/web-canary",
    ] {
        let out = setup.kubectl(&["get", object, "-n", &setup.ns]);
        assert_ne!(out.code, Some(0), "{object} was created: {out:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_rides_out_transient_api_failures_and_says_how_to_resume_when_it_cannot() {
    let Some(setup) = Setup::simulated("fault injection needs simcluster").await else {
        return;
    };
    // --request-timeout 1s: the client's own retries give up within a second, so the
    // failures reach the driver.
    let mut args = setup.start_args("registry.example/web:1.1", &[]);
    args.extend(["--request-timeout".to_owned(), "1s".to_owned()]);
    let child = setup.spawn(&args);
    setup.wait_for("step 1", |r| {
        r["state"]["step"].as_u64().is_some_and(|s| s >= 1)
    });
    setup.cluster.set_faults(simcluster::Faults {
        fail: vec![simcluster::Fail {
            verb: "patch".into(),
            resource: "configmaps".into(),
            status: 500,
            times: 6,
            after: 0,
        }],
        ..simcluster::Faults::default()
    });
    let out = finish(child);
    assert_eq!(out.code, Some(0), "promoted despite the 500s: {out:?}");
    assert!(
        out.stderr.contains("trying again in") && out.stderr.contains("(the run continues)"),
        "{}",
        out.stderr
    );
    assert_eq!(setup.image(), "registry.example/web:1.1");

    // A failure that persists: the driver stops and says how to continue.
    let mut args = setup.start_args("registry.example/web:1.2", &[]);
    args.extend(["--request-timeout".to_owned(), "1s".to_owned()]);
    let child = setup.spawn(&args);
    setup.wait_for("step 1 of the second run", |r| {
        r["image"] == "registry.example/web:1.2"
            && r["state"]["step"].as_u64().is_some_and(|s| s >= 1)
    });
    setup.cluster.set_faults(simcluster::Faults {
        forbid: vec![simcluster::Forbid {
            verb: "patch".into(),
            resource: "configmaps".into(),
            namespace: None,
        }],
        ..simcluster::Faults::default()
    });
    let out = finish(child);
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(
        out.stderr
            .contains("`kubectl canary resume web -n shop` continues it"),
        "{}",
        out.stderr
    );
    setup.cluster.set_faults(simcluster::Faults::default());
    let out = setup.kubectl(&["canary", "resume", "web", "-n", &setup.ns]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(setup.image(), "registry.example/web:1.2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_start_on_a_live_run_is_refused_with_exit_1_naming_the_driver() {
    let Some(setup) = Setup::start().await else {
        return;
    };
    let args = setup.start_args("registry.example/web:1.1", &[]);
    let child = setup.spawn(&args);
    setup.wait_for("step 1", |r| {
        r["state"]["step"].as_u64().is_some_and(|s| s >= 1)
    });
    let second = setup.start_args("registry.example/web:1.2", &[]);
    let refs: Vec<&str> = second.iter().map(String::as_str).collect();
    let out = setup.kubectl(&refs);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr
            .contains("a canary is already running for deployment web")
            && out.stderr.contains("driven by "),
        "{}",
        out.stderr
    );
    let out = finish(child);
    assert_eq!(out.code, Some(0), "the first run is unaffected: {out:?}");
    assert_eq!(setup.image(), "registry.example/web:1.1");
}
