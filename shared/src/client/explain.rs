//! What went wrong talking to the API server, in terms of the call, the server and the context:
//! an [`ApiCall`] names a request, a [`ClusterError`] says what failed (and whether it is worth
//! a retry), and [`Kube::explain`] turns a kube error into one.

use std::fmt;

use super::Kube;

/// One API request, for messages: "list pods in namespace `prod`".
#[derive(Debug, Clone)]
pub struct ApiCall {
    /// The Kubernetes verb: get, list, watch, create, update, patch, delete.
    pub verb: &'static str,
    /// The resource, plural and with its group where it has one: `deployments.apps`.
    pub resource: String,
    /// The namespace, or None for cluster-scoped requests and all-namespace lists.
    pub namespace: Option<String>,
    /// The object name, for requests on one object.
    pub name: Option<String>,
}

impl ApiCall {
    /// A call on a resource: `ApiCall::new("list", "pods")`.
    pub fn new(verb: &'static str, resource: impl Into<String>) -> Self {
        Self {
            verb,
            resource: resource.into(),
            namespace: None,
            name: None,
        }
    }

    /// A call on objects of a typed kind, its resource named as kubectl names it
    /// (`deployments.apps`, `pods`): from the kind's own plural and group, never typed by hand.
    pub fn of<K: kube::Resource<DynamicType = ()>>(verb: &'static str) -> Self {
        Self::new(verb, resource_name(&K::plural(&()), &K::group(&())))
    }

    /// A call on a resource known at run time (a custom resource, a discovered kind).
    pub fn on(verb: &'static str, resource: &kube::core::ApiResource) -> Self {
        Self::new(verb, resource_name(&resource.plural, &resource.group))
    }

    /// In a namespace.
    pub fn in_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// On one named object.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// A resource as kubectl names it: the plural, then the group when it has one.
pub fn resource_name(plural: &str, group: &str) -> String {
    if group.is_empty() {
        plural.to_owned()
    } else {
        format!("{plural}.{group}")
    }
}

impl fmt::Display for ApiCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.verb, self.resource)?;
        if let Some(name) = &self.name {
            write!(f, " `{name}`")?;
        }
        match &self.namespace {
            Some(ns) => write!(f, " in namespace `{ns}`"),
            None => Ok(()),
        }
    }
}

/// A failed API request, explained. Always exit 3.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cannot reach the API server at {server}{context}: {reason}\nhint: {hint}")]
    Unreachable {
        server: String,
        context: String,
        reason: String,
        hint: &'static str,
    },
    #[error(
        "the API server at {server}{context} rejected the credentials (401 Unauthorized) while trying to {call}\n\
         hint: log in again or refresh the token of this context."
    )]
    Unauthorized {
        server: String,
        context: String,
        call: ApiCall,
    },
    #[error(
        "forbidden: RBAC does not allow {user} to {verb} {resource}{scope}: {message}\n\
         hint: check with `kubectl auth can-i {verb} {resource}{can_i_scope}`, and ask a cluster admin for a Role that grants it."
    )]
    Forbidden {
        user: String,
        verb: &'static str,
        resource: String,
        scope: String,
        can_i_scope: String,
        message: String,
    },
    #[error("timed out waiting for the API server at {server}{context} to {call}")]
    TimedOut {
        server: String,
        context: String,
        call: ApiCall,
    },
    #[error(
        "the API server refused to {call}: {message} (409 Conflict)\n\
         hint: another field manager set those fields (`kubectl-client-side-apply` is `kubectl apply`, \
         `kubectl-edit` and `kubectl-patch` are kubectl edit and patch): change them where that \
         manager's source lives, or re-run with --force-conflicts to take them over."
    )]
    Conflict { call: ApiCall, message: String },
    #[error("the API server refused to {call}: {message} ({code} {reason})")]
    Api {
        call: ApiCall,
        code: u16,
        reason: String,
        message: String,
    },
    #[error("failed to {call}: {source}")]
    Other {
        call: ApiCall,
        #[source]
        source: kube::Error,
    },
}

impl ClusterError {
    /// Whether trying again later may succeed: the server unreachable or slow, throttling, or a
    /// server-side error — not a denial, a conflict or a bad request.
    pub fn is_transient(&self) -> bool {
        match self {
            ClusterError::Unreachable { .. } | ClusterError::TimedOut { .. } => true,
            ClusterError::Api { code, .. } => matches!(code, 429 | 500 | 502 | 503 | 504),
            ClusterError::Unauthorized { .. }
            | ClusterError::Forbidden { .. }
            | ClusterError::Conflict { .. }
            | ClusterError::Other { .. } => false,
        }
    }
}

impl Kube {
    /// Explains a failed request in terms of the call, the server and the context.
    pub fn explain(&self, call: ApiCall, err: kube::Error) -> ClusterError {
        let server = self.server.clone();
        let context = self
            .context
            .as_ref()
            .map(|c| format!(" (context `{c}`)"))
            .unwrap_or_default();
        match err {
            kube::Error::Api(status) => match status.code {
                401 => ClusterError::Unauthorized {
                    server,
                    context,
                    call,
                },
                403 => {
                    let scope = match (&call.namespace, &call.name) {
                        (Some(ns), _) => format!(" in namespace `{ns}`"),
                        (None, _) => " cluster-wide".to_owned(),
                    };
                    let can_i_scope = match &call.namespace {
                        Some(ns) => format!(" -n {ns}"),
                        None => " --all-namespaces".to_owned(),
                    };
                    ClusterError::Forbidden {
                        user: self.context.as_ref().map_or_else(
                            || "the current user".to_owned(),
                            |c| format!("the user of context `{c}`"),
                        ),
                        verb: call.verb,
                        resource: call.resource,
                        scope,
                        can_i_scope,
                        message: status.message,
                    }
                }
                // Server-side apply's field-ownership conflict (not a resourceVersion one).
                409 if status.message.starts_with("Apply failed with") => ClusterError::Conflict {
                    call,
                    message: status.message,
                },
                504 => ClusterError::TimedOut {
                    server,
                    context,
                    call,
                },
                code => ClusterError::Api {
                    call,
                    code,
                    reason: status.reason,
                    message: status.message,
                },
            },
            other => match transport_failure(&other) {
                Some(Transport::TimedOut) => ClusterError::TimedOut {
                    server,
                    context,
                    call,
                },
                Some(Transport::Unreachable(reason)) => {
                    let hint = if reason.contains("certificate") {
                        "the server's certificate is not trusted: check the kubeconfig's certificate-authority, \
                         or pass --certificate-authority (--insecure-skip-tls-verify only for testing)."
                    } else {
                        "is the cluster running, and is the kubeconfig context current? Try `kubectl cluster-info`."
                    };
                    ClusterError::Unreachable {
                        server,
                        context,
                        reason,
                        hint,
                    }
                }
                None => ClusterError::Other {
                    call,
                    source: other,
                },
            },
        }
    }
}

enum Transport {
    TimedOut,
    Unreachable(String),
}

/// Finds the network failure under a kube error: refused, reset, DNS, TLS or a timeout.
fn transport_failure(err: &kube::Error) -> Option<Transport> {
    if !matches!(err, kube::Error::HyperError(_) | kube::Error::Service(_)) {
        return None;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut deepest = err.to_string();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            return Some(match io.kind() {
                TimedOut => Transport::TimedOut,
                ConnectionRefused => Transport::Unreachable("connection refused".into()),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
                    Transport::Unreachable("the connection was closed by the server".into())
                }
                _ => Transport::Unreachable(io.to_string()),
            });
        }
        if e.to_string().to_ascii_lowercase().contains("timed out")
            || e.to_string().to_ascii_lowercase().contains("elapsed")
        {
            return Some(Transport::TimedOut);
        }
        deepest = e.to_string();
        source = e.source();
    }
    Some(Transport::Unreachable(deepest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_named_from_their_kinds_as_kubectl_names_them() {
        use k8s_openapi::api::{apps::v1::Deployment, coordination::v1::Lease, core::v1::Pod};
        assert_eq!(
            ApiCall::of::<Deployment>("get").resource,
            "deployments.apps"
        );
        assert_eq!(ApiCall::of::<Pod>("list").resource, "pods");
        assert_eq!(
            ApiCall::of::<Lease>("create").resource,
            "leases.coordination.k8s.io"
        );
        let route = kube::core::ApiResource {
            group: "networking.istio.io".into(),
            version: "v1".into(),
            api_version: "networking.istio.io/v1".into(),
            kind: "VirtualService".into(),
            plural: "virtualservices".into(),
        };
        assert_eq!(
            ApiCall::on("patch", &route).resource,
            "virtualservices.networking.istio.io"
        );
    }
}
