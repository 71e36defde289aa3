//! `simcluster metrics --kubeconfig FILE`: simcluster's application and cAdvisor metrics for
//! the pods of a real API server, for Prometheus to scrape.
//!
//! KWOK's pods run no processes, so on the real control plane nothing serves the per-pod
//! metrics canary analysis reads. This serves the same simulation simcluster serves for its own
//! pods (the `-errors`/`-slow` image tag conventions, traffic weighted by HTTPRoutes, Istio
//! VirtualServices and NGINX canary Ingresses): at every scrape it lists the pods and traffic
//! objects from the API server into a local [`Store`] and renders [`metrics::application`] and
//! [`metrics::cadvisor`] from it. Request counters carry over between scrapes.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use crate::metrics;
use crate::store::Store;

/// (group, version, kind, plural) of what the simulation reads.
const MIRRORED: [(&str, &str, &str, &str); 5] = [
    ("", "v1", "Pod", "pods"),
    ("", "v1", "Service", "services"),
    ("networking.k8s.io", "v1", "Ingress", "ingresses"),
    ("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes"),
    (
        "networking.istio.io",
        "v1",
        "VirtualService",
        "virtualservices",
    ),
];

/// Connects to the cluster of `kubeconfig` and serves `/simcluster/metrics` and
/// `/metrics/cadvisor` on 127.0.0.1:`port` until the process ends. Returns the address.
pub async fn serve(kubeconfig: &Path, port: u16) -> anyhow::Result<SocketAddr> {
    let client = connect(kubeconfig).await?;
    let store = Arc::new(Mutex::new(Store::default()));
    serve_http(port, "text/plain; version=0.0.4", move |path| {
        let client = client.clone();
        let store = store.clone();
        async move { scrape(&client, &store, &path).await.map(Bytes::from) }
    })
    .await
}

/// A client for the cluster of `kubeconfig`.
pub async fn connect(kubeconfig: &Path) -> anyhow::Result<kube::Client> {
    let config = kube::config::Kubeconfig::read_from(kubeconfig)
        .with_context(|| format!("cannot read the kubeconfig `{}`", kubeconfig.display()))?;
    let config = kube::Config::from_custom_kubeconfig(config, &Default::default()).await?;
    Ok(kube::Client::try_from(config)?)
}

/// Serves GET on 127.0.0.1:`port` until the process ends: `answer(path)`'s body with
/// `content_type`, or 404 when it has none. Returns the address.
pub async fn serve_http<F, Fut>(
    port: u16,
    content_type: &'static str,
    answer: F,
) -> anyhow::Result<SocketAddr>
where
    F: Fn(String) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Option<Bytes>> + Send,
{
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let answer = answer.clone();
                    async move {
                        let body = answer(req.uri().path().to_owned()).await;
                        let status = if body.is_some() { 200 } else { 404 };
                        hyper::Response::builder()
                            .status(status)
                            .header("content-type", content_type)
                            .body(Full::new(body.unwrap_or_default()))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(address)
}

async fn scrape(client: &kube::Client, store: &Mutex<Store>, path: &str) -> Option<String> {
    let render: fn(&mut Store) -> String = match path {
        "/simcluster/metrics" => metrics::application,
        "/metrics/cadvisor" => |store| metrics::cadvisor(store),
        _ => return None,
    };
    let mut lists = Vec::new();
    for (group, version, kind, plural) in MIRRORED {
        lists.push((
            group,
            plural,
            list(client, group, version, kind, plural).await,
        ));
    }
    let mut store = store.lock().await;
    for (group, plural, objects) in lists {
        // A kind the cluster does not serve (no Istio) has nothing to mirror; a failed list
        // keeps the last one rather than dropping every pod for one scrape.
        if let Some(objects) = objects {
            store.mirror(group, plural, objects);
        }
    }
    Some(render(&mut store))
}

/// Every object of one kind in all namespaces, as JSON (an empty list when the server does not
/// serve the kind); None when the list fails.
pub async fn list(
    client: &kube::Client,
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
) -> Option<Vec<Value>> {
    let resource = api_resource(group, version, kind, plural);
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    let mut objects = Vec::new();
    let mut params = ListParams::default().limit(500);
    loop {
        let page = match api.list(&params).await {
            Ok(page) => page,
            Err(kube::Error::Api(status)) if status.code == 404 => return Some(Vec::new()),
            Err(_) => return None,
        };
        for item in page.items {
            let mut value = serde_json::to_value(item).ok()?;
            value["apiVersion"] = Value::from(resource.api_version.clone());
            value["kind"] = Value::from(kind);
            objects.push(value);
        }
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => return Some(objects),
        }
    }
}

/// The kube-rs description of a kind.
pub fn api_resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: group.to_owned(),
        version: version.to_owned(),
        api_version: if group.is_empty() {
            version.to_owned()
        } else {
            format!("{group}/{version}")
        },
        kind: kind.to_owned(),
        plural: plural.to_owned(),
    }
}
