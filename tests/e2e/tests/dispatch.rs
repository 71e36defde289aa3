//! The plugins through the real kubectl: dispatch, help, flags, kubeconfig and exit codes.

use e2e::{Cluster, PLUGINS, kubeconfig, kubectl, kubectl_available, plugin_dir, run};

#[test]
fn plugin_list_shows_all_four_without_warnings() {
    if !kubectl_available() {
        return;
    }
    let out = run(kubectl().args(["plugin", "list"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(!out.stderr.contains("warning"), "{out:?}");
    for plugin in PLUGINS {
        let path = plugin_dir().join(format!("kubectl-{plugin}"));
        assert!(
            out.stdout.lines().any(|l| l == path.to_string_lossy()),
            "{plugin} missing: {out:?}"
        );
    }
}

#[test]
fn help_through_kubectl_lists_the_global_flags() {
    if !kubectl_available() {
        return;
    }
    for plugin in PLUGINS {
        let out = run(kubectl().args([plugin, "--help"]));
        assert_eq!(out.code, Some(0), "{out:?}");
        assert!(
            out.stdout
                .contains(&format!("Usage: kubectl {plugin} [OPTIONS] <COMMAND>")),
            "{}",
            out.stdout
        );
        for flag in [
            "--kubeconfig",
            "--context",
            "--cluster",
            "--user",
            "--namespace",
            "--as ",
            "--as-group",
            "--as-uid",
            "--request-timeout",
            "--server",
            "--token",
            "--certificate-authority",
            "--insecure-skip-tls-verify",
            "--verbose",
            "--yes",
        ] {
            assert!(
                out.stdout.contains(flag),
                "`kubectl {plugin} --help` lacks {flag}:\n{}",
                out.stdout
            );
        }
        // Subcommand help shows the global flags too, since they work after the subcommand.
        let out = run(kubectl().args([plugin, "version", "--help"]));
        assert!(
            out.stdout.contains(
                "Usage: kubectl {plugin} version"
                    .replace("{plugin}", plugin)
                    .as_str()
            ),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains("--context"), "{}", out.stdout);
    }
}

#[test]
fn client_version_through_kubectl() {
    if !kubectl_available() {
        return;
    }
    for plugin in PLUGINS {
        let out = run(kubectl().args([plugin, "version", "--client"]));
        assert_eq!(out.code, Some(0), "{out:?}");
        assert_eq!(
            out.stdout,
            format!(
                "Client Version: kubectl-{plugin} v{}\n",
                env!("CARGO_PKG_VERSION")
            )
        );
        let out = run(kubectl().args([plugin, "--version"]));
        assert_eq!(
            out.stdout,
            format!("kubectl {plugin} {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn a_missing_kubeconfig_exits_3_and_names_it() {
    if !kubectl_available() {
        return;
    }
    let out = run(kubectl().args(["harden", "version", "--kubeconfig", "/nonexistent"]));
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(
        out.stderr.contains(
            "error: the kubeconfig file `/nonexistent` given with --kubeconfig does not exist"
        ),
        "{out:?}"
    );
    // What is known is still printed.
    assert!(
        out.stdout.starts_with("Client Version: kubectl-harden"),
        "{out:?}"
    );
}

#[test]
fn a_closed_port_exits_3_naming_the_server_and_the_context() {
    if !kubectl_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    }; // dropped: nothing listens there any more
    let server = format!("http://127.0.0.1:{port}");
    let config = kubeconfig(dir.path(), "closed-port", &server);
    let out = run(kubectl()
        .args(["quota", "version", "--kubeconfig"])
        .arg(&config));
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "cannot reach the API server at {server} (context `closed-port`): connection refused"
        )),
        "{out:?}"
    );

    // The same through KUBECONFIG, with a missing file listed first (skipped, like kubectl).
    let list = std::env::join_paths([dir.path().join("missing"), config]).expect("join");
    let out = run(kubectl()
        .args(["canary", "version", "-o", "json"])
        .env("KUBECONFIG", list));
    assert_eq!(out.code, Some(3), "{out:?}");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("json on stdout");
    assert_eq!(doc["context"], "closed-port");
    assert_eq!(doc["namespace"], "hastecrm-production");
    assert!(out.stderr.contains("connection refused"), "{out:?}");
}

#[test]
fn flags_after_the_plugin_name_are_the_plugins() {
    if !kubectl_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let config = kubeconfig(dir.path(), "only", "http://127.0.0.1:9");
    let out = run(kubectl()
        .args(["drtest", "version", "--context", "elsewhere", "-n", "x"])
        .env("KUBECONFIG", &config));
    assert_eq!(out.code, Some(3), "{out:?}");
    assert!(
        out.stderr
            .contains("context `elsewhere` is not in the kubeconfig (it has: only)"),
        "{out:?}"
    );

    // kubectl itself refuses flags before the plugin name.
    let out = run(kubectl().args(["-n", "x", "harden", "version"]));
    assert_ne!(out.code, Some(0), "{out:?}");
}

#[test]
fn usage_errors_exit_2_through_kubectl() {
    if !kubectl_available() {
        return;
    }
    let out = run(kubectl().args(["harden", "version", "-o", "xml"]));
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(out.stderr.contains("invalid value 'xml'"), "{out:?}");
    assert!(
        out.stderr
            .contains("[possible values: table, wide, json, yaml]"),
        "{out:?}"
    );
}

#[test]
fn server_version_context_and_namespace_from_the_cluster() {
    if !kubectl_available() {
        return;
    }
    let cluster = Cluster::start(&[]);
    for plugin in PLUGINS {
        let out = cluster.kubectl(&[
            plugin,
            "version",
            "-o",
            "json",
            "-n",
            "team-a",
            "--as",
            "jane",
            "--as-group",
            "dev",
        ]);
        assert_eq!(out.code, Some(0), "{out:?}");
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        assert!(
            doc["serverVersion"]["gitVersion"]
                .as_str()
                .is_some_and(|v| v.starts_with('v')),
            "{doc}"
        );
        assert_eq!(doc["namespace"], "team-a");
        assert!(doc["context"].is_string(), "{doc}");
        if cluster.is_simulated() {
            assert_eq!(doc["context"], "simcluster");
            assert_eq!(doc["serverVersion"]["gitVersion"], "v1.33.0-simcluster");
        }
    }
}
