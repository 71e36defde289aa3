//! kubectl's flags and kubeconfig → a [`kube::Client`], the way kubectl resolves them.
//!
//! - `--kubeconfig PATH` loads only that file and fails when it is missing.
//! - Otherwise `KUBECONFIG` is split like a `PATH`; missing or empty entries are skipped, and the
//!   files merge first-wins (the first file to set a value or a named entry wins, whole).
//! - Without either, `~/.kube/config`; without that, the in-cluster service account; without that,
//!   `--server` alone is enough.
//! - `--context`, `--cluster`, `--user`, `--server`, `--token`, `--certificate-authority`,
//!   `--client-certificate`, `--client-key`, `--tls-server-name`, `--insecure-skip-tls-verify`,
//!   `--as`, `--as-group`, `--as-uid` and `--request-timeout` override what the kubeconfig says.
//! - The namespace is `-n`, else the context's namespace, else `default`.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use http::{HeaderName, HeaderValue};
use kube::config::{
    AuthInfo, Cluster, Context, KubeConfigOptions, Kubeconfig, NamedAuthInfo, NamedCluster,
    NamedContext,
};

use crate::flags::KubeFlags;

mod explain;
pub use explain::{ApiCall, ClusterError, resource_name};

/// Who is calling: the plugin's name and version, for the user agent and the field manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plugin {
    /// `harden`, `quota`, `canary` or `drtest`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

impl Plugin {
    /// `shipshape-<plugin>/<version>`, sent as the User-Agent.
    pub fn user_agent(&self) -> String {
        format!("shipshape-{}/{}", self.name, self.version)
    }

    /// `shipshape-<plugin>`, the server-side apply field manager.
    pub fn field_manager(&self) -> String {
        format!("shipshape-{}", self.name)
    }

    /// How users type the command: `kubectl harden`.
    pub fn command(&self) -> String {
        format!("kubectl {}", self.name)
    }
}

/// The process environment the loader reads, passed in so tests need not touch the real one.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// The value of `KUBECONFIG`.
    pub kubeconfig: Option<OsString>,
    /// The home directory (`~/.kube/config`).
    pub home: Option<PathBuf>,
    /// Whether `KUBERNETES_SERVICE_HOST` is set (running in a pod).
    pub in_cluster: bool,
}

impl Environment {
    /// Reads `KUBECONFIG`, `HOME` (`USERPROFILE` on Windows) and `KUBERNETES_SERVICE_HOST`.
    pub fn from_process() -> Self {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        Self {
            kubeconfig: std::env::var_os("KUBECONFIG"),
            home,
            in_cluster: std::env::var_os("KUBERNETES_SERVICE_HOST").is_some(),
        }
    }
}

/// Why no client could be configured. Every variant is a cluster/configuration error (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the kubeconfig file `{}` given with --kubeconfig does not exist", .0.display())]
    KubeconfigMissing(PathBuf),
    #[error("cannot read the kubeconfig file `{}`: {source}", path.display())]
    KubeconfigUnreadable {
        path: PathBuf,
        #[source]
        source: kube::config::KubeconfigError,
    },
    #[error(
        "no kubeconfig found: {searched}; point --kubeconfig or KUBECONFIG at one, or pass --server"
    )]
    NoConfiguration { searched: String },
    #[error("context `{name}` is not in the kubeconfig (it has: {available})")]
    ContextNotFound { name: String, available: String },
    #[error("the kubeconfig has no current-context; pick one with --context (it has: {available})")]
    NoCurrentContext { available: String },
    #[error("--certificate-authority and --insecure-skip-tls-verify cannot be used together")]
    CaWithInsecure,
    #[error("invalid kubeconfig: {0}")]
    Invalid(#[source] kube::config::KubeconfigError),
    #[error("cannot use the in-cluster service account: {0}")]
    InCluster(#[source] kube::config::InClusterError),
    #[error("invalid server URL `{url}`: {reason}")]
    InvalidServer { url: String, reason: String },
    #[error("cannot build the Kubernetes client: {0}")]
    Client(#[source] kube::Error),
}

/// A resolved connection: the kube config plus what messages need to name.
#[derive(Clone)]
pub struct Resolved {
    /// The kube-rs configuration, with every override applied.
    pub config: kube::Config,
    /// The kubeconfig context in use (None for in-cluster or `--server` without a kubeconfig).
    pub context: Option<String>,
    /// The namespace for namespaced requests.
    pub namespace: String,
    /// Whether `-n` set the namespace explicitly.
    pub namespace_from_flag: bool,
}

impl fmt::Debug for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolved")
            .field("server", &self.config.cluster_url.to_string())
            .field("context", &self.context)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// A connected cluster: the client and the facts error messages name.
#[derive(Clone)]
pub struct Kube {
    /// The client, with the user agent, impersonation and timeouts applied.
    pub client: kube::Client,
    /// The kubeconfig context in use, if any.
    pub context: Option<String>,
    /// The API server URL.
    pub server: String,
    /// The namespace for namespaced requests (flag, else context, else `default`).
    pub namespace: String,
    /// Whether `-n` set the namespace explicitly.
    pub namespace_from_flag: bool,
}

impl fmt::Debug for Kube {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kube")
            .field("server", &self.server)
            .field("context", &self.context)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl Kube {
    /// Whether the API server serves a group/version (`velero.io/v1`, `metrics.k8s.io/v1beta1`):
    /// one discovery request; a 404 is "no", other failures are errors.
    pub async fn serves(&self, group_version: &str) -> Result<bool, crate::ClusterError> {
        match self.client.list_api_group_resources(group_version).await {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
            Err(e) => Err(self.explain(
                crate::ApiCall::new("get", format!("/apis/{group_version}")),
                e,
            )),
        }
    }

    /// Where objects read through this client come from: the context, else the server URL.
    pub fn origin(&self) -> crate::manifests::Origin {
        crate::manifests::Origin::Cluster(
            self.context.clone().unwrap_or_else(|| self.server.clone()),
        )
    }

    /// Resolves the flags against the process environment and builds a client.
    pub async fn connect(flags: &KubeFlags, plugin: Plugin) -> Result<Self, ConfigError> {
        let resolved = resolve(flags, &Environment::from_process(), plugin).await?;
        Self::from_resolved(resolved)
    }

    /// Builds the client for an already resolved configuration.
    pub fn from_resolved(resolved: Resolved) -> Result<Self, ConfigError> {
        let server = resolved.config.cluster_url.to_string();
        let server = server
            .strip_suffix('/')
            .map(str::to_owned)
            .unwrap_or(server);
        let mut config = resolved.config;
        // Our own bounded retries replace kube-rs' (15 silent tries, minutes of backoff).
        config.default_retry = false;
        // `resolve` sets `reset_reader_on_write` exactly when `--request-timeout` is given.
        let request_timeout = config.read_timeout.filter(|_| config.reset_reader_on_write);
        let budget = crate::retry::budget(request_timeout);
        let client = kube::client::ClientBuilder::try_from(config)
            .map_err(ConfigError::Client)?
            .with_layer(&crate::retry::LogLayer {
                server: server.clone(),
            })
            .with_layer(&tower::buffer::BufferLayer::new(1024))
            .with_layer(&tower::retry::RetryLayer::new(crate::retry::Budget::new(
                budget,
                server.clone(),
            )))
            .build();
        Ok(Self {
            client,
            context: resolved.context,
            server,
            namespace: resolved.namespace,
            namespace_from_flag: resolved.namespace_from_flag,
        })
    }
}

/// The kubeconfig files kubectl would read, in order, and a description of where it looked.
pub fn kubeconfig_files(
    flags: &KubeFlags,
    env: &Environment,
) -> Result<(Vec<PathBuf>, String), ConfigError> {
    if let Some(path) = &flags.kubeconfig {
        if !path.exists() {
            return Err(ConfigError::KubeconfigMissing(path.clone()));
        }
        return Ok((vec![path.clone()], format!("`{}`", path.display())));
    }
    if let Some(list) = env.kubeconfig.as_ref().filter(|v| !v.is_empty()) {
        let listed: Vec<PathBuf> = std::env::split_paths(list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        let searched = format!(
            "KUBECONFIG lists {} and none exists",
            listed
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let existing = listed.into_iter().filter(|p| p.exists()).collect();
        return Ok((existing, searched));
    }
    match &env.home {
        Some(home) => {
            let default = home.join(".kube").join("config");
            let searched = format!("`{}` does not exist", default.display());
            let files = if default.exists() {
                vec![default]
            } else {
                Vec::new()
            };
            Ok((files, searched))
        }
        None => Ok((
            Vec::new(),
            "KUBECONFIG is unset and there is no home directory".into(),
        )),
    }
}

/// The context names of the kubeconfig kubectl would read, in file order (`--all-contexts`).
pub fn contexts(flags: &KubeFlags) -> Result<Vec<String>, ConfigError> {
    let (files, _) = kubeconfig_files(flags, &Environment::from_process())?;
    Ok(load_kubeconfig(&files)?
        .map(|k| k.contexts.into_iter().map(|c| c.name).collect())
        .unwrap_or_default())
}

/// Runs `run` against every context `selection` names, concurrently: one client per context,
/// results in the order of the contexts. The first error (naming its context) wins.
pub async fn each_context<T, F, Fut>(
    flags: &KubeFlags,
    selection: &crate::flags::ContextArgs,
    plugin: Plugin,
    run: F,
) -> anyhow::Result<Vec<(String, T)>>
where
    F: Fn(Kube) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let names = if selection.all_contexts {
        contexts(flags)?
    } else {
        selection.contexts.clone()
    };
    if names.is_empty() {
        return Err(crate::UsageError("the kubeconfig has no contexts".into()).into());
    }
    let run = &run;
    futures_util::future::try_join_all(names.into_iter().map(|name| async move {
        let mut flags = flags.clone();
        flags.context = Some(name.clone());
        let kube = Kube::connect(&flags, plugin).await?;
        Ok((name, run(kube).await?))
    }))
    .await
}

/// Reads and merges kubeconfig files first-wins, as kubectl does.
pub fn load_kubeconfig(files: &[PathBuf]) -> Result<Option<Kubeconfig>, ConfigError> {
    let mut merged: Option<Kubeconfig> = None;
    for path in files {
        let next =
            Kubeconfig::read_from(path).map_err(|source| ConfigError::KubeconfigUnreadable {
                path: path.clone(),
                source,
            })?;
        merged = Some(match merged {
            None => next,
            Some(first) => {
                first
                    .merge(next)
                    .map_err(|source| ConfigError::KubeconfigUnreadable {
                        path: path.clone(),
                        source,
                    })?
            }
        });
    }
    Ok(merged)
}

/// Resolves flags + environment into a kube config, applying every override.
pub async fn resolve(
    flags: &KubeFlags,
    env: &Environment,
    plugin: Plugin,
) -> Result<Resolved, ConfigError> {
    if flags.certificate_authority.is_some() && flags.insecure_skip_tls_verify == Some(true) {
        return Err(ConfigError::CaWithInsecure);
    }
    let (files, searched) = kubeconfig_files(flags, env)?;
    let kubeconfig = load_kubeconfig(&files)?;

    let (mut config, context) = match kubeconfig {
        Some(mut kubeconfig) => {
            let context = select_context(&mut kubeconfig, flags)?;
            apply_overrides(&mut kubeconfig, &context, flags)?;
            let options = KubeConfigOptions {
                context: Some(context.clone()),
                cluster: flags.cluster.clone(),
                user: flags.user.clone(),
            };
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(ConfigError::Invalid)?;
            (config, Some(context))
        }
        None if flags.server.is_some() => {
            // kubectl works with --server (and --token) alone; build a one-context kubeconfig.
            let mut kubeconfig = Kubeconfig {
                clusters: vec![NamedCluster {
                    name: "flags".into(),
                    cluster: Some(Cluster::default()),
                    ..Default::default()
                }],
                auth_infos: vec![NamedAuthInfo {
                    name: "flags".into(),
                    auth_info: Some(AuthInfo::default()),
                    ..Default::default()
                }],
                contexts: vec![NamedContext {
                    name: "flags".into(),
                    context: Some(Context {
                        cluster: "flags".into(),
                        user: Some("flags".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }],
                current_context: Some("flags".into()),
                ..Default::default()
            };
            apply_overrides(&mut kubeconfig, "flags", flags)?;
            let options = KubeConfigOptions {
                context: Some("flags".into()),
                ..Default::default()
            };
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(ConfigError::Invalid)?;
            (config, None)
        }
        None if env.in_cluster => {
            let mut config = kube::Config::incluster().map_err(ConfigError::InCluster)?;
            apply_config_overrides(&mut config, flags)?;
            (config, None)
        }
        None => return Err(ConfigError::NoConfiguration { searched }),
    };

    if let Some(timeout) = flags.request_timeout.filter(|t| !t.is_zero()) {
        config.connect_timeout = Some(timeout);
        config.read_timeout = Some(timeout);
        config.write_timeout = Some(timeout);
        config.reset_reader_on_write = true;
    }
    if let Ok(value) = HeaderValue::from_str(&plugin.user_agent()) {
        config
            .headers
            .push((HeaderName::from_static("user-agent"), value));
    }

    let namespace_from_flag = flags.namespace.is_some();
    let namespace = flags
        .namespace
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| config.default_namespace.clone());
    let namespace = if namespace.is_empty() {
        "default".to_owned()
    } else {
        namespace
    };
    config.default_namespace = namespace.clone();
    Ok(Resolved {
        config,
        context,
        namespace,
        namespace_from_flag,
    })
}

fn context_names(kubeconfig: &Kubeconfig) -> String {
    let names: Vec<&str> = kubeconfig
        .contexts
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    if names.is_empty() {
        "no contexts".into()
    } else {
        names.join(", ")
    }
}

/// The context to use: `--context`, else `current-context`.
fn select_context(kubeconfig: &mut Kubeconfig, flags: &KubeFlags) -> Result<String, ConfigError> {
    let name = match flags
        .context
        .clone()
        .or_else(|| kubeconfig.current_context.clone())
    {
        Some(name) if !name.is_empty() => name,
        _ if flags.server.is_some() || flags.cluster.is_some() => {
            // No context, but the flags name enough: make an empty one to hang overrides on.
            kubeconfig.contexts.push(NamedContext {
                name: "flags".into(),
                context: Some(Context {
                    cluster: flags.cluster.clone().unwrap_or_else(|| "flags".into()),
                    user: flags.user.clone(),
                    ..Default::default()
                }),
                ..Default::default()
            });
            "flags".into()
        }
        _ => {
            return Err(ConfigError::NoCurrentContext {
                available: context_names(kubeconfig),
            });
        }
    };
    if !kubeconfig.contexts.iter().any(|c| c.name == name) {
        return Err(ConfigError::ContextNotFound {
            available: context_names(kubeconfig),
            name,
        });
    }
    Ok(name)
}

/// Applies the flags that override the kubeconfig to the selected cluster and user entries.
fn apply_overrides(
    kubeconfig: &mut Kubeconfig,
    context_name: &str,
    flags: &KubeFlags,
) -> Result<(), ConfigError> {
    let context = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == context_name)
        .and_then(|c| c.context.clone())
        .unwrap_or_default();
    let cluster_name = flags.cluster.clone().unwrap_or(context.cluster);
    let user_name = flags
        .user
        .clone()
        .or(context.user)
        .unwrap_or_else(|| "flags".into());

    let needs_cluster = flags.server.is_some()
        || flags.certificate_authority.is_some()
        || flags.insecure_skip_tls_verify.is_some()
        || flags.tls_server_name.is_some();
    if needs_cluster {
        if !kubeconfig.clusters.iter().any(|c| c.name == cluster_name) {
            kubeconfig.clusters.push(NamedCluster {
                name: cluster_name.clone(),
                cluster: Some(Cluster::default()),
                ..Default::default()
            });
        }
        for named in kubeconfig
            .clusters
            .iter_mut()
            .filter(|c| c.name == cluster_name)
        {
            let cluster = named.cluster.get_or_insert_with(Cluster::default);
            if let Some(server) = &flags.server {
                validate_server(server)?;
                cluster.server = Some(server.clone());
            }
            if let Some(ca) = &flags.certificate_authority {
                cluster.certificate_authority = Some(absolute(ca));
                cluster.certificate_authority_data = None;
                cluster.insecure_skip_tls_verify = None;
            }
            if let Some(insecure) = flags.insecure_skip_tls_verify {
                cluster.insecure_skip_tls_verify = Some(insecure);
                if insecure {
                    cluster.certificate_authority = None;
                    cluster.certificate_authority_data = None;
                }
            }
            if let Some(name) = &flags.tls_server_name {
                cluster.tls_server_name = Some(name.clone());
            }
        }
    }

    let needs_user = flags.token.is_some()
        || flags.client_certificate.is_some()
        || flags.client_key.is_some()
        || flags.as_user.is_some()
        || !flags.as_group.is_empty()
        || flags.as_uid.is_some();
    if needs_user {
        if !kubeconfig.auth_infos.iter().any(|a| a.name == user_name) {
            kubeconfig.auth_infos.push(NamedAuthInfo {
                name: user_name.clone(),
                auth_info: Some(AuthInfo::default()),
                ..Default::default()
            });
        }
        if flags.user.is_none() {
            for named in kubeconfig
                .contexts
                .iter_mut()
                .filter(|c| c.name == context_name)
            {
                if let Some(ctx) = named.context.as_mut().filter(|ctx| ctx.user.is_none()) {
                    ctx.user = Some(user_name.clone());
                }
            }
        }
        for named in kubeconfig
            .auth_infos
            .iter_mut()
            .filter(|a| a.name == user_name)
        {
            let user = named.auth_info.get_or_insert_with(AuthInfo::default);
            if let Some(token) = &flags.token {
                // An explicit token replaces every other credential of the user, as in kubectl.
                user.token = Some(token.clone().into());
                user.token_file = None;
                user.exec = None;
                user.auth_provider = None;
                user.username = None;
                user.password = None;
            }
            if let Some(cert) = &flags.client_certificate {
                user.client_certificate = Some(absolute(cert));
                user.client_certificate_data = None;
            }
            if let Some(key) = &flags.client_key {
                user.client_key = Some(absolute(key));
                user.client_key_data = None;
            }
            if let Some(as_user) = &flags.as_user {
                user.impersonate = Some(as_user.clone());
            }
            if !flags.as_group.is_empty() {
                user.impersonate_groups = Some(flags.as_group.clone());
            }
            if let Some(uid) = &flags.as_uid {
                user.impersonate_uid = Some(uid.clone());
            }
        }
    }
    Ok(())
}

/// The in-cluster config has no kubeconfig to edit: apply the flags to it directly.
fn apply_config_overrides(config: &mut kube::Config, flags: &KubeFlags) -> Result<(), ConfigError> {
    if let Some(server) = &flags.server {
        config.cluster_url = validate_server(server)?;
    }
    if let Some(token) = &flags.token {
        config.auth_info.token = Some(token.clone().into());
        config.auth_info.token_file = None;
    }
    if let Some(insecure) = flags.insecure_skip_tls_verify {
        config.accept_invalid_certs = insecure;
    }
    if let Some(name) = &flags.tls_server_name {
        config.tls_server_name = Some(name.clone());
    }
    if let Some(as_user) = &flags.as_user {
        config.auth_info.impersonate = Some(as_user.clone());
    }
    if !flags.as_group.is_empty() {
        config.auth_info.impersonate_groups = Some(flags.as_group.clone());
    }
    if let Some(uid) = &flags.as_uid {
        config.auth_info.impersonate_uid = Some(uid.clone());
    }
    Ok(())
}

fn validate_server(server: &str) -> Result<http::Uri, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidServer {
        url: server.to_owned(),
        reason: reason.to_owned(),
    };
    let uri: http::Uri = server
        .parse()
        .map_err(|e: http::uri::InvalidUri| invalid(&e.to_string()))?;
    match uri.scheme_str() {
        Some("http" | "https") if uri.host().is_some() => Ok(uri),
        Some("http" | "https") => Err(invalid("it has no host")),
        _ => Err(invalid("it must start with https:// or http://")),
    }
}

fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const PLUGIN: Plugin = Plugin {
        name: "test",
        version: "0.0.0",
    };

    fn kubeconfig(context: &str, server: &str, namespace: Option<&str>) -> String {
        let ns = namespace
            .map(|n| format!("\n    namespace: {n}"))
            .unwrap_or_default();
        format!(
            "apiVersion: v1
kind: Config
current-context: {context}
clusters:
- name: {context}-cluster
  cluster:
    server: {server}
users:
- name: {context}-user
  user:
    token: {context}-token
contexts:
- name: {context}
  context:
    cluster: {context}-cluster
    user: {context}-user{ns}
"
        )
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, text).expect("write kubeconfig");
        path
    }

    fn env_with(list: &[&Path]) -> Environment {
        Environment {
            kubeconfig: Some(std::env::join_paths(list).expect("join")),
            home: None,
            in_cluster: false,
        }
    }

    async fn resolve_ok(flags: &KubeFlags, env: &Environment) -> Resolved {
        resolve(flags, env, PLUGIN).await.expect("resolves")
    }

    #[tokio::test]
    async fn kubeconfig_list_merges_first_wins_and_skips_missing_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = write(
            dir.path(),
            "a",
            &kubeconfig("alpha", "https://alpha.example:6443", Some("team-a")),
        );
        let b = write(
            dir.path(),
            "b",
            &kubeconfig("beta", "https://beta.example:6443", None),
        );
        let missing = dir.path().join("missing");
        let env = env_with(&[&missing, &a, &b]);

        let resolved = resolve_ok(&KubeFlags::default(), &env).await;
        // current-context comes from the first file that sets it.
        assert_eq!(resolved.context.as_deref(), Some("alpha"));
        assert_eq!(
            resolved.config.cluster_url.to_string(),
            "https://alpha.example:6443/"
        );
        assert_eq!(resolved.namespace, "team-a");

        // Contexts of the second file are reachable with --context.
        let flags = KubeFlags {
            context: Some("beta".into()),
            ..Default::default()
        };
        let resolved = resolve_ok(&flags, &env).await;
        assert_eq!(
            resolved.config.cluster_url.to_string(),
            "https://beta.example:6443/"
        );
        assert_eq!(resolved.namespace, "default");
    }

    #[tokio::test]
    async fn first_file_wins_whole_named_entries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = write(
            dir.path(),
            "a",
            &kubeconfig("same", "https://first.example", None),
        );
        let b = write(
            dir.path(),
            "b",
            &kubeconfig("same", "https://second.example", Some("ns")),
        );
        let resolved = resolve_ok(&KubeFlags::default(), &env_with(&[&a, &b])).await;
        assert_eq!(
            resolved.config.cluster_url.to_string(),
            "https://first.example/"
        );
        assert_eq!(resolved.namespace, "default");
    }

    #[tokio::test]
    async fn explicit_kubeconfig_must_exist_and_disables_merging() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("nope");
        let flags = KubeFlags {
            kubeconfig: Some(missing.clone()),
            ..Default::default()
        };
        let err = resolve(&flags, &Environment::default(), PLUGIN)
            .await
            .unwrap_err();
        assert!(matches!(err, ConfigError::KubeconfigMissing(ref p) if *p == missing));
        assert!(err.to_string().contains("nope"), "{err}");

        let a = write(
            dir.path(),
            "a",
            &kubeconfig("alpha", "https://alpha.example", None),
        );
        let b = write(
            dir.path(),
            "b",
            &kubeconfig("beta", "https://beta.example", None),
        );
        let flags = KubeFlags {
            kubeconfig: Some(b),
            ..Default::default()
        };
        let resolved = resolve_ok(&flags, &env_with(&[&a])).await;
        assert_eq!(resolved.context.as_deref(), Some("beta"));
    }

    #[tokio::test]
    async fn all_missing_is_an_error_that_says_where_it_looked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let env = env_with(&[&dir.path().join("x"), &dir.path().join("y")]);
        let err = resolve(&KubeFlags::default(), &env, PLUGIN)
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("KUBECONFIG lists"), "{text}");
        assert!(text.contains("--kubeconfig"), "{text}");
    }

    #[tokio::test]
    async fn unknown_context_lists_the_known_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = write(
            dir.path(),
            "a",
            &kubeconfig("alpha", "https://alpha.example", None),
        );
        let flags = KubeFlags {
            context: Some("gamma".into()),
            ..Default::default()
        };
        let err = resolve(&flags, &env_with(&[&a]), PLUGIN).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "context `gamma` is not in the kubeconfig (it has: alpha)"
        );
    }

    #[tokio::test]
    async fn flags_override_server_token_namespace_and_impersonation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = write(
            dir.path(),
            "a",
            &kubeconfig("alpha", "https://alpha.example", Some("team-a")),
        );
        let flags = KubeFlags {
            server: Some("http://127.0.0.1:8080".into()),
            token: Some("s3cret".into()),
            namespace: Some("prod".into()),
            as_user: Some("jane".into()),
            as_group: vec!["dev".into(), "ops".into()],
            as_uid: Some("42".into()),
            request_timeout: Some(std::time::Duration::from_secs(7)),
            ..Default::default()
        };
        let resolved = resolve_ok(&flags, &env_with(&[&a])).await;
        let config = &resolved.config;
        assert_eq!(config.cluster_url.to_string(), "http://127.0.0.1:8080/");
        assert_eq!(resolved.namespace, "prod");
        assert!(resolved.namespace_from_flag);
        assert_eq!(config.default_namespace, "prod");
        assert_eq!(config.auth_info.impersonate.as_deref(), Some("jane"));
        assert_eq!(
            config.auth_info.impersonate_groups.as_deref(),
            Some(&["dev".to_owned(), "ops".to_owned()][..])
        );
        assert_eq!(config.auth_info.impersonate_uid.as_deref(), Some("42"));
        assert!(config.auth_info.token.is_some());
        assert_eq!(config.read_timeout, Some(std::time::Duration::from_secs(7)));
        assert!(
            config
                .headers
                .iter()
                .any(|(k, v)| k == "user-agent" && v == "shipshape-test/0.0.0")
        );
    }

    #[tokio::test]
    async fn server_alone_is_enough_without_a_kubeconfig() {
        let flags = KubeFlags {
            server: Some("https://10.0.0.1:6443".into()),
            insecure_skip_tls_verify: Some(true),
            ..Default::default()
        };
        let resolved = resolve_ok(&flags, &Environment::default()).await;
        assert_eq!(resolved.context, None);
        assert!(resolved.config.accept_invalid_certs);
        assert_eq!(resolved.namespace, "default");
    }

    #[tokio::test]
    async fn bad_server_urls_are_named() {
        let flags = KubeFlags {
            server: Some("cluster.example:6443".into()),
            ..Default::default()
        };
        let err = resolve(&flags, &Environment::default(), PLUGIN)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("`cluster.example:6443`"), "{err}");
    }

    #[tokio::test]
    async fn ca_and_insecure_conflict() {
        let flags = KubeFlags {
            certificate_authority: Some("ca.pem".into()),
            insecure_skip_tls_verify: Some(true),
            ..Default::default()
        };
        let err = resolve(&flags, &Environment::default(), PLUGIN)
            .await
            .unwrap_err();
        assert!(matches!(err, ConfigError::CaWithInsecure));
    }

    #[tokio::test]
    async fn home_kubeconfig_is_the_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join(".kube")).expect("mkdir");
        write(
            &dir.path().join(".kube"),
            "config",
            &kubeconfig("home", "https://home.example", None),
        );
        let env = Environment {
            kubeconfig: None,
            home: Some(dir.path().to_path_buf()),
            in_cluster: false,
        };
        let resolved = resolve_ok(&KubeFlags::default(), &env).await;
        assert_eq!(resolved.context.as_deref(), Some("home"));
    }
}
