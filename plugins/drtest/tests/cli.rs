//! The binary's command line, as users see it.

use assert_cmd::Command;

fn plugin() -> Command {
    let mut cmd = Command::cargo_bin("kubectl-drtest").expect("binary is built");
    cmd.env("NO_COLOR", "1")
        .env_remove("KUBECONFIG")
        .env("HOME", "/nonexistent");
    cmd
}

#[test]
fn help_is_written_for_kubectl_users() {
    let output = plugin()
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(String::from_utf8(output).expect("utf-8"));
}

#[test]
fn client_version_needs_no_cluster() {
    let output = plugin()
        .args(["version", "--client", "-o", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&output).expect("json");
    assert_eq!(doc["apiVersion"], "shipshape.dev/v1alpha1");
    assert_eq!(doc["kind"], "Version");
    assert_eq!(doc["clientVersion"]["plugin"], "kubectl-drtest");
    assert_eq!(
        doc["clientVersion"]["gitVersion"],
        concat!("v", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2() {
    plugin().arg("--no-such-flag").assert().code(2);
    plugin()
        .args(["version", "--request-timeout", "soon"])
        .assert()
        .code(2);
}

#[test]
fn no_kubeconfig_is_a_cluster_error_that_says_where_it_looked() {
    let assert = plugin().arg("version").assert().code(3);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).expect("utf-8");
    assert!(stderr.contains("no kubeconfig found"), "{stderr}");
    assert!(stderr.contains("/nonexistent/.kube/config"), "{stderr}");
}
