//! Velero's API as the drills use it: its kinds of velero.io/v1, a check that it is installed,
//! and lists in its namespace.

/// A Velero kind of velero.io/v1.
pub fn resource(plural: &str, kind: &str) -> kube::core::ApiResource {
    kube::core::ApiResource {
        group: "velero.io".into(),
        version: "v1".into(),
        api_version: "velero.io/v1".into(),
        kind: kind.into(),
        plural: plural.into(),
    }
}

/// A clear error when Velero's CRDs are not installed (one discovery request).
pub async fn ensure_installed(kube: &shipshape::Kube) -> anyhow::Result<()> {
    if !kube.serves("velero.io/v1").await? {
        return Err(shipshape::UsageError(
            "Velero is not installed: the cluster does not serve velero.io/v1 (install Velero, or its CRDs)".into(),
        )
        .into());
    }
    Ok(())
}

/// Lists a Velero kind in Velero's namespace.
pub async fn list(
    kube: &shipshape::Kube,
    velero_namespace: &str,
    plural: &str,
    kind: &str,
) -> anyhow::Result<Vec<serde_json::Value>> {
    shipshape::list::list(kube, &resource(plural, kind), Some(velero_namespace), None).await
}
