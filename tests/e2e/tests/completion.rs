//! Completion: the committed scripts in `completions/` against what `--generate` prints, the man
//! pages, and the `kubectl_complete-<plugin>` helpers through the real kubectl's plugin completion
//! (`kubectl __complete <plugin> …`), with live values from the cluster.

use std::path::{Path, PathBuf};
use std::process::Command;

use e2e::{Cluster, PLUGINS, Run, kubectl, kubectl_available, run, target_dir};

/// The command that rewrites `completions/`.
const REGENERATE: &str = "completions/generate.sh";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn binary(name: &str) -> PathBuf {
    e2e::ensure_built();
    target_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

fn generate(plugin: &str, what: &str) -> String {
    let out = run(Command::new(binary(&format!("kubectl-{plugin}"))).args(["--generate", what]));
    assert_eq!(
        out.code,
        Some(0),
        "kubectl-{plugin} --generate {what}: {out:?}"
    );
    assert!(out.stderr.is_empty(), "{out:?}");
    out.stdout
}

#[test]
fn committed_completion_scripts_are_what_the_plugins_generate() {
    let dir = repo().join("completions");
    let mut expected = vec!["README.md".to_owned(), "generate.sh".to_owned()];
    let mut stale = Vec::new();
    for plugin in PLUGINS {
        // Every `--generate` target but the man page, under the name it is committed as.
        for what in shipshape::generate::TARGETS
            .into_iter()
            .filter(|t| *t != "man")
        {
            let target = what.parse().expect("a --generate target");
            let name = shipshape::generate::file_name(
                target,
                shipshape::client::Plugin {
                    name: plugin,
                    version: "",
                },
            );
            let generated = generate(plugin, what);
            assert!(generated.contains(&format!("kubectl-{plugin}")), "{name}");
            let committed = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
            if committed != generated {
                stale.push(name.clone());
            }
            expected.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "completions/{} differ from what `kubectl-<plugin> --generate` prints now: run `{REGENERATE}` and commit the result",
        stale.join(", completions/")
    );
    let mut unexpected = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("completions/ exists") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if !expected.contains(&name) {
            unexpected.push(name);
        }
    }
    assert!(
        unexpected.is_empty(),
        "completions/ holds files no plugin generates: {unexpected:?} (run `{REGENERATE}`, delete the rest)"
    );
}

#[test]
fn generate_refuses_unknown_targets() {
    let out = run(Command::new(binary("kubectl-harden")).args(["--generate", "complete-tcsh"]));
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("complete-tcsh"), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
}

#[test]
fn man_pages_document_every_subcommand() {
    for plugin in PLUGINS {
        let man = generate(plugin, "man");
        let title = format!(".TH KUBECTL-{} 1 ", plugin.to_uppercase());
        assert!(man.contains(&title), "{plugin}: {man}");
        for section in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "COMMANDS",
            "\"EXIT STATUS\"",
        ] {
            assert!(
                man.contains(&format!("\n.SH {section}\n")),
                "{plugin} lacks {section}"
            );
        }
        // Every subcommand `--help` lists has its own section.
        let help = run(Command::new(binary(&format!("kubectl-{plugin}"))).arg("--help"));
        let subs = e2e::subcommands(&help.stdout);
        assert!(!subs.is_empty(), "{plugin}: no Commands: list");
        for sub in subs {
            let section = format!(
                ".SH \"KUBECTL {} {}\"",
                plugin.to_uppercase(),
                sub.to_uppercase()
            );
            assert!(man.contains(&section), "{plugin}: no {section}");
        }
    }
}

/// `kubectl __complete <args>` with the plugins and the helpers on PATH.
fn complete(kubeconfig: Option<&Path>, args: &[&str]) -> Run {
    let out = kubectl_complete("__complete", kubeconfig, args);
    assert_eq!(
        out.code,
        Some(0),
        "kubectl __complete {}: {out:?}",
        args.join(" ")
    );
    out
}

/// `kubectl <verb> <args>`, `verb` being `__complete` or `__completeNoDesc`.
fn kubectl_complete(verb: &str, kubeconfig: Option<&Path>, args: &[&str]) -> Run {
    let mut cmd = kubectl();
    let path = cmd
        .get_envs()
        .find(|(key, _)| *key == "PATH")
        .and_then(|(_, value)| value.map(ToOwned::to_owned))
        .unwrap_or_default();
    let mut dirs = vec![e2e::completion_helper_dir().to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    cmd.env("PATH", std::env::join_paths(dirs).expect("PATH"));
    if let Some(kubeconfig) = kubeconfig {
        cmd.env("KUBECONFIG", kubeconfig);
    }
    cmd.arg(verb).args(args);
    run(&mut cmd)
}

/// The candidates (without descriptions) and the directive kubectl printed.
fn candidates(out: &Run) -> (Vec<&str>, &str) {
    let mut lines: Vec<&str> = out.stdout.lines().collect();
    let directive = lines.pop().unwrap_or_default();
    let values = lines
        .iter()
        .map(|l| l.split('\t').next().unwrap_or_default())
        .collect();
    (values, directive)
}

#[test]
fn kubectl_completes_subcommands_and_flags_through_the_helpers() {
    if !kubectl_available() {
        return;
    }
    let out = complete(None, &["harden", ""]);
    let (values, directive) = candidates(&out);
    assert_eq!(
        values,
        ["audit", "fix", "pss", "checks", "version"],
        "{out:?}"
    );
    assert_eq!(directive, ":4");
    assert!(
        out.stdout
            .contains("audit\tAudit manifests against the Pod Security Standards"),
        "descriptions pass through: {}",
        out.stdout
    );
    let out = complete(None, &["quota", "st"]);
    assert_eq!(candidates(&out).0, ["status"], "{out:?}");
    let out = complete(None, &["harden", "audit", "--disable", "pss-run-as-"]);
    assert_eq!(
        candidates(&out).0,
        ["pss-run-as-non-root", "pss-run-as-user"],
        "{out:?}"
    );
    let out = complete(None, &["canary", "start", "web", "--strat"]);
    assert_eq!(candidates(&out).0, ["--strategy"], "{out:?}");
    let out = complete(None, &["canary", "start", "web", "--strategy", ""]);
    assert_eq!(candidates(&out).0, ["canary", "blue-green"], "{out:?}");
    // Files where a flag takes one: kubectl's shell falls back to file names.
    let out = complete(None, &["harden", "audit", "-f", ""]);
    assert_eq!(candidates(&out), (vec![], ":0"), "{out:?}");
    // Without descriptions, as shells that cannot show them ask.
    let out = kubectl_complete("__completeNoDesc", None, &["drtest", "vers"]);
    assert_eq!(out.stdout, "version\n:4\n", "{out:?}");
}

#[test]
fn live_values_come_from_the_cluster_named_on_the_line() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&["tests/simcluster/crds/velero"]);
    let namespace = e2e::unique_namespace("completion");
    cluster.ok(&["create", "namespace", &namespace]);
    let deployments: String = ["web", "worker"]
        .map(|name| {
            format!(
                "apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: app, image: nginx:1.27}}]}}
---
"
            )
        })
        .concat();
    let out = cluster.kubectl_stdin(&["apply", "-f", "-"], &deployments);
    assert_eq!(out.code, Some(0), "{out:?}");
    let kubeconfig = Some(cluster.kubeconfig());

    // The deployments of the -n namespace, for every canary command's DEPLOYMENT.
    let out = complete(kubeconfig, &["canary", "status", "-n", &namespace, ""]);
    assert_eq!(candidates(&out), (vec!["web", "worker"], ":4"), "{out:?}");
    let out = complete(kubeconfig, &["canary", "-n", &namespace, "abort", "wo"]);
    assert_eq!(candidates(&out).0, ["worker"], "{out:?}");
    // … of the context's namespace without -n (there is no `web` in it, but there is ours).
    let context_namespace =
        Some(cluster.ok(&["config", "view", "--minify", "-o", "jsonpath={..namespace}"]))
            .filter(|ns| !ns.trim().is_empty())
            .map_or_else(|| "default".to_owned(), |ns| ns.trim().to_owned());
    let ours = format!("{namespace}-here");
    let out = cluster.kubectl_stdin(
        &["apply", "-f", "-"],
        &deployments
            .split("---\n")
            .next()
            .expect("the web Deployment")
            .replace("name: web,", &format!("name: {ours},"))
            .replace(
                &format!("namespace: {namespace}"),
                &format!("namespace: {context_namespace}"),
            ),
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    let out = complete(kubeconfig, &["canary", "status", "we"]);
    assert!(!candidates(&out).0.contains(&"web"), "{out:?}");
    let out = complete(kubeconfig, &["canary", "status", &ours[..ours.len() - 2]]);
    assert_eq!(candidates(&out).0, [ours.as_str()], "{out:?}");
    cluster.ok(&[
        "delete",
        "deployment",
        &ours,
        "-n",
        &context_namespace,
        "--wait=false",
    ]);

    // Namespaces for -n, in any plugin, after any subcommand.
    let out = complete(kubeconfig, &["harden", "audit", "-n", ""]);
    assert!(candidates(&out).0.contains(&namespace.as_str()), "{out:?}");
    let out = complete(kubeconfig, &["quota", "--namespace", "e2e-completion"]);
    assert_eq!(candidates(&out).0, [namespace.as_str()], "{out:?}");

    // --kubeconfig on the line, with no KUBECONFIG in the environment.
    let path = cluster.kubeconfig().to_string_lossy().into_owned();
    let out = complete(
        None,
        &[
            "canary",
            "--kubeconfig",
            &path,
            "verify",
            "-n",
            &namespace,
            "",
        ],
    );
    assert_eq!(candidates(&out).0, ["web", "worker"], "{out:?}");

    // Velero backups for drtest's --backup (simcluster simulates Velero).
    if cluster.is_simulated() {
        cluster.ok(&["create", "namespace", "velero"]);
        let out = cluster.kubectl_stdin(
            &["apply", "-f", "-"],
            "apiVersion: velero.io/v1
kind: Backup
metadata: {name: nightly-1, namespace: velero}
spec: {includedNamespaces: [shop]}
---
apiVersion: velero.io/v1
kind: Backup
metadata: {name: nightly-2, namespace: velero}
spec: {includedNamespaces: [shop]}
",
        );
        assert_eq!(out.code, Some(0), "{out:?}");
        let out = complete(
            kubeconfig,
            &["drtest", "run", "--for", "shop", "--backup", ""],
        );
        assert_eq!(
            candidates(&out),
            (vec!["nightly-1", "nightly-2"], ":4"),
            "{out:?}"
        );
        let out = complete(
            kubeconfig,
            &[
                "drtest",
                "run",
                "--velero-namespace",
                &namespace,
                "--backup",
                "",
            ],
        );
        assert_eq!(candidates(&out).0, Vec::<&str>::new(), "{out:?}");
    }
    if !cluster.is_simulated() {
        cluster.ok(&["delete", "namespace", &namespace, "--wait=false"]);
    }
}

#[test]
fn an_unreachable_cluster_completes_nothing_quickly_and_silently() {
    if !kubectl_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = e2e::kubeconfig(dir.path(), "gone", "https://127.0.0.1:1");
    let started = std::time::Instant::now();
    let out = complete(Some(&kubeconfig), &["canary", "status", ""]);
    assert_eq!(candidates(&out), (vec![], ":4"), "{out:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // The helper itself writes nothing on stderr (kubectl adds its own debug lines).
    let out = run(Command::new(binary("kubectl_complete-canary"))
        .env("KUBECONFIG", &kubeconfig)
        .args(["status", ""]));
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (Some(0), ":4\n", "")
    );
    // A kubeconfig that does not exist is no different.
    let out = complete(
        None,
        &["harden", "--kubeconfig", "/nonexistent", "pss", "-n", ""],
    );
    assert_eq!(candidates(&out), (vec![], ":4"), "{out:?}");
}
