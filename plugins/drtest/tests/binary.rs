//! The binary cargo builds for this crate (so `cargo test --workspace` builds it for the e2e tests).

#[test]
fn the_binary_reports_its_version() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kubectl-drtest"))
        .arg("--version")
        .output()
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        concat!("kubectl drtest ", env!("CARGO_PKG_VERSION"), "\n")
    );
}
