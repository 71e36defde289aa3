//! Each plugin binary run directly: help text, client version, exit codes without a cluster.

use std::process::Command;

use e2e::{PLUGINS, plugin_dir, run};

fn plugin(name: &str) -> Command {
    let mut cmd = Command::new(plugin_dir().join(format!("kubectl-{name}")));
    cmd.env("NO_COLOR", "1")
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("HOME", "/nonexistent");
    cmd
}

#[test]
fn help_is_written_for_kubectl_users() {
    for name in PLUGINS {
        let out = run(plugin(name).arg("--help"));
        assert_eq!(out.code, Some(0), "{out:?}");
        insta::assert_snapshot!(format!("help_{name}"), out.stdout);
    }
}

/// Every subcommand's help ends with examples from the playbook.
#[test]
fn every_subcommand_help_has_examples() {
    for name in PLUGINS {
        let subs = e2e::subcommands(&run(plugin(name).arg("--help")).stdout);
        assert!(subs.len() >= 5, "{name}: {subs:?}");
        for sub in subs {
            let out = run(plugin(name).args([sub.as_str(), "--help"]));
            assert_eq!(out.code, Some(0), "{out:?}");
            assert!(
                out.stdout.contains("\nExamples:\n  # "),
                "`kubectl {name} {sub} --help` has no examples:\n{}",
                out.stdout
            );
            assert!(
                out.stdout.contains(&format!("\n  kubectl {name} {sub}")),
                "`kubectl {name} {sub} --help`: examples of another command:\n{}",
                out.stdout
            );
            insta::assert_snapshot!(format!("help_{name}_{sub}"), out.stdout);
        }
    }
}

#[test]
fn client_version_needs_no_cluster() {
    for name in PLUGINS {
        let out = run(plugin(name).args(["version", "--client", "-o", "json"]));
        assert_eq!(out.code, Some(0), "{out:?}");
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        assert_eq!(doc["apiVersion"], "shipshape.dev/v1alpha1");
        assert_eq!(doc["kind"], "Version");
        assert_eq!(doc["clientVersion"]["plugin"], format!("kubectl-{name}"));
        assert_eq!(
            doc["clientVersion"]["gitVersion"],
            concat!("v", env!("CARGO_PKG_VERSION"))
        );
        let out = run(plugin(name).args(["version", "--client", "-o", "yaml"]));
        assert!(
            out.stdout
                .starts_with("apiVersion: shipshape.dev/v1alpha1\nkind: Version\n"),
            "{out:?}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    for name in PLUGINS {
        assert_eq!(run(plugin(name).arg("--no-such-flag")).code, Some(2));
        assert_eq!(
            run(plugin(name).args(["version", "--request-timeout", "soon"])).code,
            Some(2)
        );
        // No subcommand: help on stderr, a usage error.
        assert_eq!(run(&mut plugin(name)).code, Some(2));
    }
}

#[test]
fn names_that_are_not_dns_names_are_usage_errors_before_any_request() {
    // No kubeconfig either: the name is refused first, with the rule (exit 2, not 3).
    for name in PLUGINS {
        let out = run(plugin(name).args(["version", "-n", "Bad_NS!"]));
        assert_eq!(out.code, Some(2), "{name}: {}", out.stderr);
        assert!(out.stderr.contains("DNS-1123 label"), "{}", out.stderr);
    }
    // A name that would walk out of its URL path is never sent.
    for args in [
        &["status", "../../secrets/x"][..],
        &["abort", "../../secrets/x"],
        &["start", "Web", "--image", "web:2"],
    ] {
        let out = run(plugin("canary").args(args));
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("DNS-1123 subdomain"), "{}", out.stderr);
    }
    let out = run(plugin("drtest").args(["run", "--for", "../kube-system"]));
    assert_eq!(out.code, Some(2), "{}", out.stderr);
}

#[test]
fn selectors_user_ids_and_durations_are_checked_before_any_request() {
    // No kubeconfig: each is refused first, naming the flag and the rule (exit 2, not 3 or 0).
    for (name, args, says) in [
        (
            "harden",
            &["audit", "-l", "app in ("][..],
            "parenthesised set of values",
        ),
        ("harden", &["audit", "-l", "a,,b"], "empty requirement"),
        ("harden", &["audit", "-l", "tier>db"], "integer"),
        (
            "harden",
            &["fix", "-f", "-", "--run-as-user", "0"],
            "runAsNonRoot",
        ),
        (
            "harden",
            &["fix", "-f", "-", "--run-as-user", "9223372036854775808"],
            "1 to 2147483647",
        ),
        (
            "drtest",
            &["run", "--for", "shop", "--timeout", "9999999999999h"],
            "--timeout",
        ),
        (
            "canary",
            &["version", "--request-timeout", "99999999999999999999999"],
            "out of range",
        ),
        (
            "canary",
            &[
                "start",
                "web",
                "--image",
                "web:2",
                "--strategy",
                "blue-green",
            ],
            "--strategy blue-green needs --active-service SERVICE",
        ),
        (
            "canary",
            &[
                "start",
                "web",
                "--image",
                "web:2",
                "--strategy",
                "blue-green",
                "--active-service",
                "web",
                "--traffic",
                "nginx:shop",
            ],
            "it does not take --traffic",
        ),
        (
            "canary",
            &["start", "web", "--image", "web:2", "--canary-name", "web"],
            "--canary-name \"web\"",
        ),
        (
            "canary",
            &[
                "start",
                "web",
                "--image",
                "web:2",
                "--analysis-file",
                "/nonexistent/a.yaml",
            ],
            "/nonexistent/a.yaml",
        ),
    ] {
        let out = run(plugin(name).args(args));
        assert_eq!(out.code, Some(2), "{name} {args:?}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{name} {args:?}: {}", out.stderr);
    }
    // A valid selector gets past parsing (and then needs a cluster: exit 3).
    let out = run(plugin("harden").args(["audit", "-l", "app in (web, api),!legacy"]));
    assert_eq!(out.code, Some(3), "{}", out.stderr);
}

#[test]
fn no_kubeconfig_is_a_cluster_error_that_says_where_it_looked() {
    for name in PLUGINS {
        let out = run(plugin(name).arg("version"));
        assert_eq!(out.code, Some(3), "{out:?}");
        assert!(out.stderr.contains("no kubeconfig found"), "{out:?}");
        assert!(out.stderr.contains("/nonexistent/.kube/config"), "{out:?}");
    }
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    use std::process::Stdio;
    for name in PLUGINS {
        let mut child = plugin(name)
            .args(["version", "--client", "-o", "yaml"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take()); // like `| head -0`
        let output = child.wait_with_output().expect("wait");
        assert!(
            output.status.success() && output.stderr.is_empty(),
            "{name}: {:?} {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
