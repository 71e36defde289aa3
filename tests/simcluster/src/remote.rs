//! `simcluster velero --kubeconfig FILE`: the simulated Velero server ([`crate::velero`]) as an
//! external controller of another API server (the real control plane, which has Velero's CRDs
//! but no Velero), until the suite runs real Velero.
//!
//! Every tick it reads the Velero objects from the API server, snapshots the namespaces a new
//! Backup includes (every namespaced kind discovery lists, less [`velero::SKIPPED`]), writes
//! phases and counters back, and restores by creating the objects through the API server, so
//! the server's admission decides what a restore can create. Restore results and logs are served
//! from 127.0.0.1 as the simulated object storage (plain HTTP, as a presigned URL of a local
//! MinIO would be).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use kube::api::{Api, ApiResource, DynamicObject, PostParams};
use kube::discovery::{Discovery, verbs};
use serde_json::Value;
use tokio::runtime::Handle;

use crate::mirror;
use crate::registry::ResourceType;
use crate::velero::{self, Snapshot};

/// How often the simulated server looks at the Velero objects.
const TICK: Duration = Duration::from_millis(250);

/// Connects to the cluster of `kubeconfig`, serves the simulated object storage on
/// 127.0.0.1:`port` and runs the simulated Velero server until the process ends. Returns the
/// storage's address.
pub async fn serve(kubeconfig: &Path, port: u16) -> anyhow::Result<SocketAddr> {
    let client = mirror::connect(kubeconfig).await?;
    let files: Files = Arc::default();
    let served = files.clone();
    let address = mirror::serve_http(port, "application/octet-stream", move |path| {
        let file = served.lock().ok().and_then(|f| f.get(&path).cloned());
        async move { file }
    })
    .await?;
    let mut remote = Remote {
        client,
        handle: Handle::current(),
        files,
        url: format!("http://{address}"),
    };
    tokio::task::spawn_blocking(move || {
        let mut snapshots = HashMap::new();
        loop {
            velero::tick(&mut remote, &mut snapshots);
            std::thread::sleep(TICK);
        }
    });
    Ok(address)
}

/// Uploaded files by path.
type Files = Arc<Mutex<HashMap<String, Bytes>>>;

/// Another API server, seen through [`velero::Cluster`] (blocking: the simulation runs on its
/// own thread).
struct Remote {
    client: kube::Client,
    handle: Handle,
    files: Files,
    url: String,
}

fn resource(rt: &ResourceType) -> ApiResource {
    let version = rt.versions.first().cloned().unwrap_or_default();
    mirror::api_resource(&rt.group, &version, &rt.kind, &rt.plural)
}

fn velero_resource(plural: &str) -> ApiResource {
    let kind = match plural {
        "backupstoragelocations" => "BackupStorageLocation",
        "backups" => "Backup",
        "restores" => "Restore",
        _ => "DownloadRequest",
    };
    mirror::api_resource("velero.io", "v1", kind, plural)
}

fn text<'a>(object: &'a Value, field: &str) -> &'a str {
    object["metadata"][field].as_str().unwrap_or_default()
}

impl Remote {
    fn api(&self, resource: &ApiResource, namespace: &str) -> Api<DynamicObject> {
        if namespace.is_empty() {
            Api::all_with(self.client.clone(), resource)
        } else {
            Api::namespaced_with(self.client.clone(), namespace, resource)
        }
    }

    /// The namespaced kinds discovery lists that backups hold.
    fn backed_up_types(&self) -> Vec<ResourceType> {
        let Ok(discovery) = self
            .handle
            .block_on(Discovery::new(self.client.clone()).run())
        else {
            return Vec::new();
        };
        let mut types = Vec::new();
        for group in discovery.groups() {
            for (resource, capabilities) in group.recommended_resources() {
                let rt = ResourceType {
                    group: resource.group.clone(),
                    versions: vec![resource.version.clone()],
                    kind: resource.kind.clone(),
                    singular: resource.kind.to_lowercase(),
                    plural: resource.plural.clone(),
                    namespaced: capabilities.scope == kube::discovery::Scope::Namespaced,
                    short_names: Vec::new(),
                    subresources: Vec::new(),
                    categories: Vec::new(),
                    virtual_create: false,
                };
                if capabilities.supports_operation(verbs::LIST) && velero::backed_up(&rt) {
                    types.push(rt);
                }
            }
        }
        types
    }
}

impl velero::Cluster for Remote {
    fn velero(&mut self, plural: &str) -> Vec<Value> {
        let resource = velero_resource(plural);
        self.handle
            .block_on(mirror::list(
                &self.client,
                &resource.group,
                &resource.version,
                &resource.kind,
                plural,
            ))
            .unwrap_or_default()
    }

    fn write(&mut self, plural: &str, object: Value) {
        let api = self.api(&velero_resource(plural), text(&object, "namespace"));
        let name = text(&object, "name").to_owned();
        if let Ok(object) = serde_json::from_value::<DynamicObject>(object) {
            // A conflict means someone changed it since: the next tick reads it again.
            let _ = self
                .handle
                .block_on(api.replace(&name, &PostParams::default(), &object));
        }
    }

    fn snapshot(&mut self, wanted: &dyn Fn(&str) -> bool) -> Snapshot {
        let mut snapshot = Snapshot::new();
        for rt in self.backed_up_types() {
            let resource = resource(&rt);
            let objects = self.handle.block_on(mirror::list(
                &self.client,
                &resource.group,
                &resource.version,
                &resource.kind,
                &resource.plural,
            ));
            for object in objects.unwrap_or_default() {
                if wanted(text(&object, "namespace"))
                    && object["metadata"]["deletionTimestamp"].is_null()
                {
                    snapshot.push((rt.clone(), object));
                }
            }
        }
        snapshot
    }

    fn namespace_exists(&mut self, name: &str) -> bool {
        self.exists(&velero::namespaces(), "", name)
    }

    fn exists(&mut self, rt: &ResourceType, namespace: &str, name: &str) -> bool {
        let api = self.api(&resource(rt), namespace);
        matches!(self.handle.block_on(api.get_opt(name)), Ok(Some(_)))
    }

    fn create(&mut self, rt: &ResourceType, namespace: &str, object: Value) -> Result<(), String> {
        let api = self.api(&resource(rt), namespace);
        let object: DynamicObject = serde_json::from_value(object).map_err(|e| e.to_string())?;
        match self
            .handle
            .block_on(api.create(&PostParams::default(), &object))
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) => Err(status.message),
            Err(e) => Err(e.to_string()),
        }
    }

    fn upload(&mut self, path: String, bytes: Bytes) {
        if let Ok(mut files) = self.files.lock() {
            files.insert(path, bytes);
        }
    }

    fn download_url(&self, path: &str) -> Option<String> {
        let files = self.files.lock().ok()?;
        files
            .contains_key(path)
            .then(|| format!("{}{path}", self.url))
    }
}
