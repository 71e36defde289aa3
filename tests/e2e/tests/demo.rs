//! `examples/demo.sh`: the README's first quick-start command, run as users run it; against a
//! real cluster (tests/realcluster/e2e.sh), `examples/demo.sh --real`, which starts its own.

use std::process::Command;

use e2e::{ensure_built, kubectl_available, run, target_dir};

#[test]
fn the_playbook_demo_runs() {
    if !kubectl_available() {
        return;
    }
    ensure_built();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let real = e2e::real_cluster().is_some();
    let out = run(Command::new("bash")
        .arg(root.join("examples/demo.sh"))
        .args(real.then_some("--real"))
        .env("SHIPSHAPE_BIN_DIR", target_dir())
        .env("NO_COLOR", "1")
        .env_remove("KUBECONFIG"));
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout.contains("$ kubectl get deploy,statefulset -A"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("deployment.apps/api condition met"),
        "{}",
        out.stdout
    );
    for plugin in ["harden", "quota", "canary", "drtest"] {
        assert!(
            out.stdout.contains(&format!(
                "$ kubectl {plugin} version\nClient Version: kubectl-{plugin} v"
            )),
            "{}",
            out.stdout
        );
    }
    let server = if real {
        "Server Version: v1.37"
    } else {
        "Server Version: v1.33.0-simcluster"
    };
    assert_eq!(out.stdout.matches(server).count(), 4, "{}", out.stdout);
    assert!(!out.stderr.contains("plugin warnings"), "{}", out.stderr);
    // The recover step: simcluster's simulated Velero (on the real control plane, run by
    // `simcluster velero` as an external controller), a drill that passes.
    assert!(
        out.stdout
            .contains("drill passed: backup hastecrm-production-nightly"),
        "{}",
        out.stdout
    );
    // The deploy step needs Prometheus (CI installs it): a good release promoted, a bad one
    // rolled back.
    if Command::new("prometheus").arg("--version").output().is_ok() {
        for line in [
            "deployment/web hastecrm/web:2.2.0: Succeeded",
            "deployment/web hastecrm/web:2.3.0-errors: RolledBack",
            "verification of deployment/web: 6 passed, 0 blocking",
        ] {
            assert!(out.stdout.contains(line), "{line}: {}", out.stdout);
        }
    }
}
