//! The API handles of one run, in the context's (or -n) namespace: the primary Deployment and
//! its Services, and the rule for everything else — a run touches only what it created.

use std::time::Duration;

use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use serde_json::{Value, json};
use shipshape::{ApiCall, Kube};

use super::lease::Leases;
use super::store::Store;
use super::{CANARY_OF_LABEL, MANAGED_BY, Record, set_image};

/// The client and namespace every part of a run works in, and how their failures read.
#[derive(Clone, Copy)]
pub struct Scope<'k> {
    pub kube: &'k Kube,
    pub namespace: &'k str,
}

impl<'k> Scope<'k> {
    /// The namespaced API of a kind.
    pub fn api<K>(&self) -> Api<K>
    where
        K: kube::Resource<Scope = NamespaceResourceScope, DynamicType = ()>,
    {
        Api::namespaced(self.kube.client.clone(), self.namespace)
    }

    /// A failed call on an object of kind `K` in the run's namespace, explained.
    pub fn explain<K: kube::Resource<DynamicType = ()>>(
        &self,
        verb: &'static str,
        name: &str,
        e: kube::Error,
    ) -> anyhow::Error {
        self.explain_call(ApiCall::of::<K>(verb), name, e)
    }

    /// [`Scope::explain`] for a call on a resource known only at run time.
    pub fn explain_call(&self, call: ApiCall, name: &str, e: kube::Error) -> anyhow::Error {
        self.kube
            .explain(call.named(name).in_namespace(self.namespace.to_owned()), e)
            .into()
    }

    /// An object by name, or None; a failed call explained.
    pub async fn get_opt<K>(&self, api: &Api<K>, name: &str) -> anyhow::Result<Option<K>>
    where
        K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        api.get_opt(name)
            .await
            .map_err(|e| self.explain::<K>("get", name, e))
    }

    /// Creates or updates an object the run owns: a server-side apply, forced, as the plugin's
    /// field manager. Callers check first that the name is free or ours
    /// ([`Cluster::ensure_ours`]).
    pub async fn apply<K>(&self, api: &Api<K>, name: &str, body: &Value) -> anyhow::Result<()>
    where
        K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        let params = PatchParams::apply(&crate::PLUGIN.field_manager()).force();
        api.patch(name, &params, &Patch::Apply(body))
            .await
            .map_err(|e| self.explain::<K>("patch", name, e))?;
        Ok(())
    }
}

/// The API handles of one run.
pub struct Cluster<'k> {
    pub scope: Scope<'k>,
    /// The run records.
    pub store: Store<'k>,
    /// Who drives each run.
    pub leases: Leases<'k>,
    pub(crate) deployments: Api<Deployment>,
    pub(crate) services: Api<Service>,
    pub(crate) ingresses: Api<Ingress>,
}

impl<'k> Cluster<'k> {
    /// The handles for the context's (or -n) namespace.
    pub fn new(kube: &'k Kube) -> Self {
        let scope = Scope {
            kube,
            namespace: &kube.namespace,
        };
        Self {
            scope,
            store: Store::new(scope),
            leases: Leases::new(scope),
            deployments: scope.api(),
            services: scope.api(),
            ingresses: scope.api(),
        }
    }

    /// A Deployment, or None.
    pub(crate) async fn deployment_object(&self, name: &str) -> anyhow::Result<Option<Deployment>> {
        self.scope.get_opt(&self.deployments, name).await
    }

    /// A Deployment as JSON, or None.
    pub async fn deployment(&self, name: &str) -> anyhow::Result<Option<Value>> {
        Ok(match self.deployment_object(name).await? {
            Some(d) => Some(serde_json::to_value(d)?),
            None => None,
        })
    }

    /// A merge patch of a Deployment (its replicas, mostly).
    pub(crate) async fn merge_patch_deployment(
        &self,
        name: &str,
        patch: Value,
    ) -> anyhow::Result<()> {
        self.deployments
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map_err(|e| self.scope.explain::<Deployment>("patch", name, e))?;
        Ok(())
    }

    /// Whether a Deployment's rollout is complete, as `kubectl rollout status` decides it.
    pub async fn rolled_out(&self, name: &str) -> anyhow::Result<shipshape::wait::Check<()>> {
        Ok(match self.deployment_object(name).await? {
            Some(d) => shipshape::conditions::rolled_out(&d),
            None => shipshape::wait::Check::Pending(format!("deployment {name} not found")),
        })
    }

    /// The new image onto the primary at full size, rolled out.
    pub(crate) async fn update_primary(
        &self,
        record: &Record,
        timeout: Duration,
    ) -> anyhow::Result<()> {
        let mut template = record.original_template.clone();
        set_image(&mut template, &record.container, &record.image);
        let containers = template["spec"]["containers"].clone();
        // A strategic merge patch: containers merge by name, nothing else in the template moves.
        let patch = json!({"spec": {"replicas": record.total_replicas, "template": {"spec": {"containers": containers}}}});
        self.deployments
            .patch(
                &record.deployment,
                &PatchParams::default(),
                &Patch::Strategic(&patch),
            )
            .await
            .map_err(|e| {
                self.scope
                    .explain::<Deployment>("patch", &record.deployment, e)
            })?;
        shipshape::wait::Wait::new(
            format!("deployment {} to roll out", record.deployment),
            timeout,
        )
        .until(|| self.rolled_out(&record.deployment))
        .await?;
        Ok(())
    }

    /// A Service's selector, or None when there is no such Service.
    pub(crate) async fn service_selector(&self, name: &str) -> anyhow::Result<Option<Value>> {
        self.scope
            .get_opt(&self.services, name)
            .await?
            .map(|s| serde_json::to_value(s.spec.and_then(|s| s.selector).unwrap_or_default()))
            .transpose()
            .map_err(Into::into)
    }

    /// Points a Service at other pods: its whole selector replaced in one patch.
    pub(crate) async fn select(&self, service: &str, selector: &Value) -> anyhow::Result<()> {
        let current = self
            .services
            .get(service)
            .await
            .map_err(|e| self.scope.explain::<Service>("get", service, e))?;
        let mut patch = serde_json::Map::new();
        // Keys the new selector drops are removed (null), the rest set.
        for key in current
            .spec
            .and_then(|s| s.selector)
            .unwrap_or_default()
            .keys()
        {
            patch.insert(key.clone(), Value::Null);
        }
        for (key, value) in selector.as_object().into_iter().flatten() {
            patch.insert(key.clone(), value.clone());
        }
        let body = json!({"spec": {"selector": patch}});
        self.services
            .patch(service, &PatchParams::default(), &Patch::Merge(&body))
            .await
            .map_err(|e| self.scope.explain::<Service>("patch", service, e))?;
        Ok(())
    }

    /// Before a force-apply of an object a run creates: it must not exist, or be one of ours
    /// (`app.kubernetes.io/managed-by: shipshape-canary` and a canary of this Deployment).
    /// Another team's `web-canary` is refused ([`shipshape::exit::NotOurs`], exit 1), never
    /// taken over: a forced apply would make it ours and the cleanup would delete it.
    pub(crate) async fn ensure_ours<K>(
        &self,
        api: &Api<K>,
        name: &str,
        deployment: &str,
        rename: &str,
    ) -> anyhow::Result<()>
    where
        K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        let Some(found) = self.scope.get_opt(api, name).await? else {
            return Ok(());
        };
        let labels = kube::ResourceExt::labels(&found);
        let managed = labels
            .get("app.kubernetes.io/managed-by")
            .map(String::as_str);
        let of = labels.get(CANARY_OF_LABEL).map(String::as_str);
        if managed == Some(MANAGED_BY) && of == Some(deployment) {
            return Ok(());
        }
        let why = match (managed, of) {
            (Some(MANAGED_BY), Some(other)) => {
                format!("it is the canary of another Deployment, {other}")
            }
            _ => format!(
                "it does not carry the app.kubernetes.io/managed-by={MANAGED_BY} and \
                 {CANARY_OF_LABEL} labels of a canary this command made"
            ),
        };
        let resource = ApiCall::of::<K>("get").resource;
        Err(shipshape::exit::NotOurs(format!(
            "{resource}/{name} already exists in namespace {} and is not this canary's: {why}. \
             kubectl canary never overwrites or deletes what it did not create; {rename}",
            self.scope.namespace
        ))
        .into())
    }

    /// Deletes an object a run created — only when it carries the run's label; already gone
    /// is fine.
    pub(crate) async fn delete_ours<K>(
        &self,
        api: &Api<K>,
        name: &str,
        deployment: &str,
        params: &DeleteParams,
    ) -> anyhow::Result<()>
    where
        K: kube::Resource<DynamicType = ()> + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        let Some(found) = self.scope.get_opt(api, name).await? else {
            return Ok(());
        };
        if kube::ResourceExt::labels(&found)
            .get(CANARY_OF_LABEL)
            .map(String::as_str)
            != Some(deployment)
        {
            return Ok(());
        }
        match api.delete(name, params).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            Err(e) => Err(self.scope.explain::<K>("delete", name, e)),
        }
    }

    /// Refuses to start when an object the run would create exists and is not ours (see
    /// [`Cluster::ensure_ours`]): the canary Deployment, a canary or preview Service, and what
    /// the traffic strategy creates (an NGINX canary Ingress). Checked before the first write,
    /// so nothing is changed on refusal.
    pub async fn check_names_free(&self, record: &Record) -> anyhow::Result<()> {
        let deployment = &record.deployment;
        self.ensure_ours(
            &self.deployments,
            &record.canary(),
            deployment,
            "choose another name with --canary-name",
        )
        .await?;
        let strategy = record.traffic.strategy();
        if let Some(twin) = strategy.twin() {
            self.ensure_ours(
                &self.services,
                &twin.name(),
                deployment,
                "rename or remove that Service first",
            )
            .await?;
        }
        strategy.check_free(self, record).await
    }

    /// Sends `weight` percent of the traffic to the canary, as the run's strategy does.
    pub async fn route(&self, record: &Record, weight: u32) -> anyhow::Result<()> {
        record.traffic.strategy().route(self, record, weight).await
    }

    /// Back to the route (and Service) as they were; the twin Service removed.
    pub(crate) async fn restore_route(&self, record: &Record) -> anyhow::Result<()> {
        let strategy = record.traffic.strategy();
        strategy.restore(self, record).await?;
        if let Some(twin) = strategy.twin() {
            self.delete_ours(
                &self.services,
                &twin.name(),
                &record.deployment,
                &DeleteParams::default(),
            )
            .await?;
        }
        Ok(())
    }

    /// Promotion: the new image onto the primary at full size, rolled out; the route restored
    /// and the canary removed (blue-green: switch, wait, update, switch back).
    pub async fn promote(&self, record: &Record, timeout: Duration) -> anyhow::Result<()> {
        record
            .traffic
            .strategy()
            .promote(self, record, timeout)
            .await
    }

    /// Rollback: the primary back to its size, the canary removed, nothing else touched.
    pub async fn rollback(&self, record: &Record) -> anyhow::Result<()> {
        self.restore_route(record).await?;
        self.merge_patch_deployment(
            &record.deployment,
            json!({"spec": {"replicas": record.total_replicas}}),
        )
        .await?;
        self.delete_canary(record).await
    }
}
