//! `kubectl harden` at scale: `cargo bench -p kubectl-harden`.
//!
//! 1. Offline: a generated corpus of Deployments (default 50,000, about 25 MB of YAML; set
//!    SHIPSHAPE_BENCH_OBJECTS) parsed only, then parsed and audited, on every core. Prints
//!    objects/s and the ratio audit/parse (goal ≤ 1.3); then `fix --diff`'s work (plan,
//!    splice, diff) on the same corpus and the ratio fix/audit (goal ≤ 2).
//! 2. End to end: the binary on the same corpus in every format, and `fix -f`.
//!
//! The live audit (`-A`) and start-up are measured with the other plugins', on simcluster and
//! on the real control plane: `cargo bench -p e2e --bench live`.
//!
//! Nothing here asserts a time: the numbers are printed as ratios to their targets.

use std::time::Instant;

use shipshape::manifests::{Limits, Origin, parse_text};

fn deployment(i: usize) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  namespace: team-{ns}
  labels: {{app: web-{i}, tier: frontend}}
spec:
  replicas: 3
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}}}
    spec:
      securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}
      containers:
        - name: web
          image: registry.example:5000/team-{ns}/web:1.{i}
          ports: [{{containerPort: 8080}}]
          securityContext: {{allowPrivilegeEscalation: false, capabilities: {{drop: [ALL]}}}}
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 256Mi}}
",
        ns = i % 500
    )
}

fn scale(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn offline() {
    let count = scale("SHIPSHAPE_BENCH_OBJECTS", 50_000);
    let yaml: String = (0..count).map(deployment).collect::<Vec<_>>().join("---\n");
    let origin = Origin::File("corpus.yaml".into());
    let parse = || -> Vec<shipshape::manifests::Manifest> {
        parse_text(&origin, &yaml, Limits::default())
            .into_iter()
            .map(|r| r.expect("valid"))
            .collect()
    };
    println!(
        "offline corpus: {count} Deployments, {:.1} MB of YAML, {} threads",
        yaml.len() as f64 / 1e6,
        rayon::current_num_threads()
    );
    // Warm up once, then take the best of three of each.
    let _ = parse();
    let best = |f: &dyn Fn() -> usize| {
        (0..3)
            .map(|_| {
                let started = Instant::now();
                assert_eq!(f(), count);
                started.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min)
    };
    let parse_only = best(&|| parse().len());
    let options = kubectl_harden::audit::Options::default();
    let mut findings = 0;
    let audited = best(&|| {
        let manifests = parse();
        let report = kubectl_harden::audit::audit(&manifests, &options);
        report.objects.len()
    });
    {
        let manifests = parse();
        findings += kubectl_harden::audit::audit(&manifests, &options)
            .findings
            .len();
    }
    println!(
        "  parse only       {parse_only:>7.3}s = {:>8.0} objects/s",
        count as f64 / parse_only
    );
    println!(
        "  parse + audit    {audited:>7.3}s = {:>8.0} objects/s ({findings} findings)",
        count as f64 / audited
    );
    println!(
        "  audit/parse ratio {:.2} (goal ≤ 1.30)",
        audited / parse_only
    );
    // What `harden audit -f` does besides: each finding pointed at its field's line (a second,
    // span-keeping parse of the documents with findings).
    let texts_read = [(origin.clone(), yaml.clone())];
    let located = best(&|| {
        let manifests = parse();
        let mut report = kubectl_harden::audit::audit(&manifests, &options);
        kubectl_harden::locate::point(
            &mut report.findings,
            &manifests,
            texts_read.iter().map(|(o, t)| (o, t.as_str())),
        );
        report.objects.len()
    });
    println!(
        "  + field lines    {located:>7.3}s = {:>8.0} objects/s (ratio to parse {:.2})",
        count as f64 / located,
        located / parse_only
    );
    // `harden fix --diff` on the same corpus: parse, audit, plan, splice every fix into the
    // text and diff it. Linear in the input (goal: within 2× the audit).
    let texts = std::collections::BTreeMap::from([(origin.clone(), yaml.clone())]);
    let fix_options = kubectl_harden::fix::FixOptions::default();
    let fixed = best(&|| {
        let manifests = parse();
        let report = kubectl_harden::audit::audit(&manifests, &options);
        let bindings = kubectl_harden::fix::Bindings::of(&manifests, "in the input");
        let plan = kubectl_harden::fix::plan(&manifests, &report, &fix_options, &bindings);
        let (files, skipped) = kubectl_harden::files::apply(&manifests, &plan, &texts);
        assert!(skipped.is_empty());
        let diff: usize = files.iter().map(|f| f.diff().len()).sum();
        assert!(diff > 0);
        manifests.len()
    });
    println!(
        "  fix --diff       {fixed:>7.3}s = {:>8.0} objects/s",
        count as f64 / fixed
    );
    println!("  fix/audit ratio   {:.2} (goal ≤ 2.00)", fixed / audited);
    end_to_end(&yaml, count, parse_only);
}

/// Runs the plugin binary with `args` (stdout discarded) and returns its wall time in seconds
/// and its peak resident memory in KiB, sampled from /proc.
fn run_sampled(args: &[&str]) -> (f64, u64) {
    run_sampled_exit(args, &[0])
}

/// [`run_sampled`] for a command whose exit codes `ok` are success (`fix --diff` exits 1 when
/// something would change).
fn run_sampled_exit(args: &[&str], ok: &[i32]) -> (f64, u64) {
    let mut measured = e2e::measure::Measured::new(env!("CARGO_BIN_EXE_kubectl-harden"))
        .expect("a temporary file");
    measured
        .command()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let run = measured.run().expect("the plugin starts");
    assert!(
        run.status.code().is_some_and(|c| ok.contains(&c)),
        "kubectl-harden {args:?} failed: {}",
        run.status
    );
    (run.seconds, run.peak_kib)
}

/// The command end to end, as a user runs it: read the file, parse, audit, render to stdout,
/// in every format, against the in-process parse-only time (goal ≤ 1.5) and the input's size
/// (memory goal: under 2× the input).
fn end_to_end(yaml: &str, count: usize, parse_only: f64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("corpus.yaml");
    std::fs::write(&path, yaml).expect("writes the corpus");
    let file = path.to_string_lossy().into_owned();
    println!("  end to end (`kubectl-harden audit -f corpus.yaml -o FORMAT > /dev/null`):");
    let mut json = (0.0, 0);
    for format in ["json", "yaml", "table", "sarif", "junit"] {
        let (wall, peak) = run_sampled(&["audit", "-f", &file, "-o", format, "--fail-on", "none"]);
        if format == "json" {
            json = (wall, peak);
        }
        println!(
            "    -o {format:<6} {wall:>7.3}s = {:>8.0} objects/s, ratio to parse {:.2} (goal ≤ 1.50), peak {:.0} MiB = {:.2}× the input (goal < 2)",
            count as f64 / wall,
            wall / parse_only,
            peak as f64 / 1024.0,
            peak as f64 * 1024.0 / yaml.len() as f64
        );
    }
    // `harden fix` streams too (goal: within 2× the audit's time and memory).
    println!("  fix end to end (`kubectl-harden fix -f corpus.yaml [--diff] > /dev/null`):");
    for (what, args) in [
        ("--diff", vec!["fix", "-f", &file, "--diff"]),
        ("stdout", vec!["fix", "-f", &file]),
    ] {
        let (wall, peak) = run_sampled_exit(&args, &[0, 1]);
        println!(
            "    {what:<9} {wall:>7.3}s = {:>8.0} objects/s, {:.2}× `audit -o json`'s time (goal ≤ 2), peak {:.0} MiB = {:.2}× its memory (goal ≤ 2)",
            count as f64 / wall,
            wall / json.0,
            peak as f64 / 1024.0,
            peak as f64 / json.1 as f64
        );
    }
}

fn main() {
    offline();
}
