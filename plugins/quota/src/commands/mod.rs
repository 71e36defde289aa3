//! One module per subcommand: each does its I/O (lists, samples, applies) around the pure
//! core and prints the result.

pub mod check;
pub mod generate;
pub mod recommend;
pub mod status;
pub mod usage;

use kube::core::ApiResource;
use serde_json::Value;
use shipshape::Kube;

use crate::status::namespace_of;

/// The API resource of a built-in kind.
pub(crate) fn resource<K: kube::Resource<DynamicType = ()>>() -> ApiResource {
    ApiResource::erase::<K>(&())
}

/// A listed object's (namespace, name): the key of maps of objects.
pub(crate) fn object_key(object: &Value) -> (String, String) {
    (
        namespace_of(object),
        object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Lists one kind in a namespace or across all (`None`).
pub(crate) async fn list(
    kube: &Kube,
    resource: ApiResource,
    namespace: Option<&str>,
) -> anyhow::Result<Vec<Value>> {
    shipshape::list::list(kube, &resource, namespace, None).await
}
