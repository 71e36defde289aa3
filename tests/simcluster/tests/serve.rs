//! `simcluster serve`: the interface scripts depend on.

use std::io::BufRead;
use std::process::{Command, Stdio};

#[test]
fn serve_writes_the_kubeconfig_prints_ready_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("nested/kubeconfig");
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crds/velero");
    let mut child = Command::new(env!("CARGO_BIN_EXE_simcluster"))
        .args(["serve", "--speed", "10", "--kubeconfig"])
        .arg(&kubeconfig)
        .arg("--seed")
        .arg(&seed)
        .stdout(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("a line");
    let url = line
        .strip_prefix("ready ")
        .expect("`ready <url>`")
        .trim()
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let config = std::fs::read_to_string(&kubeconfig).expect("kubeconfig written");
    assert!(config.contains(&format!("server: {url}")), "{config}");
    assert!(config.contains("current-context: simcluster"), "{config}");
    // SIGTERM ends it cleanly.
    let status = Command::new("kill")
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = child.wait().expect("exits");
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn a_bad_seed_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("bad.yaml"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
    )
    .expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_simcluster"))
        .args(["serve", "--kubeconfig"])
        .arg(dir.path().join("kubeconfig"))
        .arg("--seed")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.yaml:1: simcluster does not serve Widget `example.com/v1`"),
        "{stderr}"
    );
}
