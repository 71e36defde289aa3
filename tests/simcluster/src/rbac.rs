//! ServiceAccount tokens and RBAC, for requests that authenticate as a ServiceAccount.
//!
//! `kubectl create token NAME` (the TokenRequest subresource) returns a token for an existing
//! ServiceAccount; requests bearing it are `system:serviceaccount:NS:NAME` (groups
//! `system:serviceaccounts`, `system:serviceaccounts:NS`, `system:authenticated`) and are
//! authorized by the RBAC objects in the store, as the API server's RBAC authorizer does:
//! RoleBindings in the request's namespace (to a Role there or a ClusterRole), and
//! ClusterRoleBindings; rules match on apiGroups, resources (`resource/subresource` for
//! subresources, `*`), verbs, and resourceNames. Discovery and health paths are open to every
//! authenticated user (the `system:discovery` and `system:public-info-viewer` ClusterRoles).
//! A server-side apply that would create its object needs `create` as well as `patch`, as on a
//! real API server. Every other token (the kubeconfig's own) is the unrestricted admin.

use serde_json::{Value, json};

use crate::store::{ApiError, Store};

const TOKEN_PREFIX: &str = "simcluster-sa:";

/// A ServiceAccount a request authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccount {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
}

impl ServiceAccount {
    /// `system:serviceaccount:NS:NAME`.
    pub fn user(&self) -> String {
        format!("system:serviceaccount:{}:{}", self.namespace, self.name)
    }

    fn groups(&self) -> [String; 3] {
        [
            "system:serviceaccounts".into(),
            format!("system:serviceaccounts:{}", self.namespace),
            "system:authenticated".into(),
        ]
    }
}

/// The token a TokenRequest for `namespace/name` returns.
pub fn token(namespace: &str, name: &str) -> String {
    format!("{TOKEN_PREFIX}{namespace}:{name}")
}

/// The TokenRequest answer for an existing ServiceAccount.
pub fn token_request(store: &Store, namespace: &str, name: &str) -> Result<Value, ApiError> {
    let rt = store
        .registry
        .find("", "v1", "serviceaccounts")
        .cloned()
        .ok_or_else(|| ApiError::new(404, "NotFound", "serviceaccounts are not served"))?;
    store.get(&rt, namespace, name)?;
    let expiration = crate::store::after(3600);
    Ok(json!({
        "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": crate::store::now()},
        "spec": {"audiences": ["https://kubernetes.default.svc"], "expirationSeconds": 3600},
        "status": {"token": token(namespace, name), "expirationTimestamp": expiration},
    }))
}

/// A ServiceAccount token that names no ServiceAccount (401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unauthenticated;

/// The ServiceAccount a bearer token names: `Ok(None)` for other tokens (the admin), an error
/// (401) for a ServiceAccount token whose account does not exist.
pub fn authenticate(
    store: &Store,
    bearer: Option<&str>,
) -> Result<Option<ServiceAccount>, Unauthenticated> {
    let Some(rest) = bearer.and_then(|b| b.strip_prefix(TOKEN_PREFIX)) else {
        return Ok(None);
    };
    let (namespace, name) = rest.split_once(':').ok_or(Unauthenticated)?;
    let exists = store
        .registry
        .find("", "v1", "serviceaccounts")
        .is_some_and(|rt| store.get(rt, namespace, name).is_ok());
    if !exists {
        return Err(Unauthenticated);
    }
    Ok(Some(ServiceAccount {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
    }))
}

/// What a request asks to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attributes<'a> {
    /// get, list, watch, create, update, patch, delete, deletecollection.
    pub verb: &'a str,
    /// API group (`""` for core).
    pub group: &'a str,
    /// Plural resource.
    pub resource: &'a str,
    /// Subresource, if any.
    pub subresource: Option<&'a str>,
    /// Namespace, for namespaced requests.
    pub namespace: Option<&'a str>,
    /// Object name, if any.
    pub name: Option<&'a str>,
}

fn contains(list: &Value, wanted: &str) -> bool {
    list.as_array()
        .is_some_and(|l| l.iter().any(|v| v == "*" || v == wanted))
}

fn rule_allows(rule: &Value, a: &Attributes<'_>) -> bool {
    let resource_ok = rule["resources"].as_array().is_some_and(|resources| {
        resources
            .iter()
            .filter_map(Value::as_str)
            .any(|r| match a.subresource {
                None => r == "*" || r == a.resource,
                Some(sub) => {
                    r == "*"
                        || r == format!("{}/{sub}", a.resource)
                        || r == format!("*/{sub}")
                        || r == format!("{}/*", a.resource)
                }
            })
    });
    let names_ok = match rule["resourceNames"].as_array() {
        Some(names) if !names.is_empty() => a.name.is_some_and(|n| names.iter().any(|x| x == n)),
        _ => true,
    };
    contains(&rule["apiGroups"], a.group)
        && resource_ok
        && contains(&rule["verbs"], a.verb)
        && names_ok
}

fn binds(binding: &Value, sa: &ServiceAccount) -> bool {
    let groups = sa.groups();
    binding["subjects"].as_array().is_some_and(|subjects| {
        subjects.iter().any(|s| match s["kind"].as_str() {
            Some("ServiceAccount") => {
                s["name"] == sa.name.as_str() && s["namespace"] == sa.namespace.as_str()
            }
            Some("User") => s["name"] == sa.user().as_str(),
            Some("Group") => groups.iter().any(|g| s["name"] == g.as_str()),
            _ => false,
        })
    })
}

/// Whether RBAC allows the request.
pub fn allowed(store: &Store, sa: &ServiceAccount, a: &Attributes<'_>) -> bool {
    let role_rules = |kind: &str, namespace: Option<&str>, name: &str| -> Vec<Value> {
        let (plural, ns) = match kind {
            "Role" => ("roles", namespace),
            _ => ("clusterroles", None),
        };
        store
            .all("rbac.authorization.k8s.io", plural)
            .into_iter()
            .find(|r| {
                r["metadata"]["name"] == name
                    && ns.is_none_or(|ns| r["metadata"]["namespace"] == ns)
            })
            .and_then(|r| r["rules"].as_array().cloned())
            .unwrap_or_default()
    };
    let mut rules = Vec::new();
    if let Some(ns) = a.namespace {
        for binding in store.all("rbac.authorization.k8s.io", "rolebindings") {
            if binding["metadata"]["namespace"] == ns && binds(&binding, sa) {
                let role = &binding["roleRef"];
                rules.extend(role_rules(
                    role["kind"].as_str().unwrap_or_default(),
                    Some(ns),
                    role["name"].as_str().unwrap_or_default(),
                ));
            }
        }
    }
    for binding in store.all("rbac.authorization.k8s.io", "clusterrolebindings") {
        if binds(&binding, sa) {
            rules.extend(role_rules(
                "ClusterRole",
                None,
                binding["roleRef"]["name"].as_str().unwrap_or_default(),
            ));
        }
    }
    rules.iter().any(|rule| rule_allows(rule, a))
}

/// The API server's 403 for a request RBAC does not allow.
pub fn forbidden(user: &str, a: &Attributes<'_>) -> ApiError {
    let qualified = if a.group.is_empty() {
        a.resource.to_owned()
    } else {
        format!("{}.{}", a.resource, a.group)
    };
    let subject = match a.name {
        Some(name) => format!("{qualified} \"{name}\" is forbidden"),
        None => format!("{qualified} is forbidden"),
    };
    let resource = match a.subresource {
        Some(sub) => format!("{}/{sub}", a.resource),
        None => a.resource.to_owned(),
    };
    let scope = match a.namespace {
        Some(ns) => format!(" in the namespace \"{ns}\""),
        None => " at the cluster scope".to_owned(),
    };
    ApiError::new(
        403,
        "Forbidden",
        format!(
            "{subject}: User \"{user}\" cannot {} resource \"{resource}\" in API group \"{}\"{scope}",
            a.verb, a.group
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes<'a>(
        verb: &'a str,
        group: &'a str,
        resource: &'a str,
        sub: Option<&'a str>,
    ) -> Attributes<'a> {
        Attributes {
            verb,
            group,
            resource,
            subresource: sub,
            namespace: Some("shop"),
            name: Some("web"),
        }
    }

    #[test]
    fn rules_match_groups_resources_subresources_verbs_and_names() {
        let rule = json!({"apiGroups": [""], "resources": ["pods", "pods/log", "services/proxy"], "verbs": ["get", "list"]});
        assert!(rule_allows(&rule, &attributes("get", "", "pods", None)));
        assert!(rule_allows(
            &rule,
            &attributes("get", "", "pods", Some("log"))
        ));
        assert!(rule_allows(
            &rule,
            &attributes("get", "", "services", Some("proxy"))
        ));
        assert!(!rule_allows(
            &rule,
            &attributes("get", "", "services", None)
        ));
        assert!(!rule_allows(&rule, &attributes("delete", "", "pods", None)));
        assert!(!rule_allows(
            &rule,
            &attributes("get", "apps", "pods", None)
        ));
        assert!(!rule_allows(
            &rule,
            &attributes("get", "", "pods", Some("exec"))
        ));
        let named = json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"], "resourceNames": ["api"]});
        assert!(!rule_allows(
            &named,
            &attributes("get", "apps", "deployments", None)
        ));
        assert!(rule_allows(
            &named,
            &Attributes {
                name: Some("api"),
                ..attributes("get", "apps", "deployments", None)
            }
        ));
    }

    #[test]
    fn forbidden_says_what_the_api_server_says() {
        let error = forbidden(
            "system:serviceaccount:ops:drtest",
            &Attributes {
                namespace: Some("velero"),
                name: Some("drtest-1"),
                ..attributes("patch", "velero.io", "restores", None)
            },
        );
        assert_eq!(
            error.status()["message"],
            "restores.velero.io \"drtest-1\" is forbidden: User \"system:serviceaccount:ops:drtest\" cannot patch resource \"restores\" in API group \"velero.io\" in the namespace \"velero\""
        );
    }
}
