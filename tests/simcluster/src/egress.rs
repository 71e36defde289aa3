//! `simcluster metrics --egress-socket PATH`: the simulated pods and kubelets behind a real API
//! server, which reaches them through this HTTP CONNECT proxy on a Unix socket (its egress
//! selector's `cluster` connection, as it would reach a cluster's network through Konnectivity).
//!
//! KWOK's pods run no processes and its fake nodes serve no kubelet API, so without this the
//! real API server's service proxy (`kubectl get --raw …/services/web/proxy/`, `drtest
//! --http-check`) and `kubectl logs` have nothing to reach. A tunnel to a pod's IP answers HTTP
//! as simcluster's own service proxy does ([`proxy::pod_answer`]: the `-errors` image tag
//! convention); a tunnel to any other address is a node's kubelet, answering
//! `/containerLogs/{namespace}/{pod}/{container}` over TLS with [`kubelet::container_log`], or the
//! metrics API the aggregator proxies to ([`aggregated`]).

use std::path::Path;

use anyhow::Context;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::UnixListener;

use crate::{aggregated, kubelet, proxy, tls};

/// The most a CONNECT request's head may take.
const MAX_HEAD: usize = 8 * 1024;

/// Serves the proxy on the Unix socket `socket` (replacing a stale one) until the process ends.
pub async fn serve(client: kube::Client, socket: &Path) -> anyhow::Result<()> {
    let _ = std::fs::remove_file(socket);
    let listener = UnixListener::bind(socket)
        .with_context(|| format!("cannot listen on the Unix socket `{}`", socket.display()))?;
    // The API server verifies no kubelet certificate unless it is given a CA for them.
    let kubelet_tls = tls::generate()?.acceptor;
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let client = client.clone();
            let kubelet_tls = kubelet_tls.clone();
            tokio::spawn(async move {
                let _ = tunnel(stream, client, kubelet_tls).await;
            });
        }
    });
    Ok(())
}

/// One CONNECT: the pod at the address, or else a kubelet.
async fn tunnel<S>(
    mut stream: S,
    client: kube::Client,
    kubelet_tls: tokio_rustls::TlsAcceptor,
) -> anyhow::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let Some(address) = connect_target(&mut stream).await? else {
        stream
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    let ip = address
        .rsplit_once(':')
        .map_or(address.as_str(), |(host, _)| host)
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let pod = pods(&client, &format!("status.podIP={ip}"))
        .await
        .into_iter()
        .find(|p| p["spec"]["hostNetwork"] != true);
    stream
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .await?;
    let http = hyper::server::conn::http1::Builder::new();
    match pod {
        Some(pod) => {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let (status, body) = proxy::pod_answer(&pod, req.uri().path());
                async move { respond(status, "text/plain; charset=utf-8", body) }
            });
            http.serve_connection(TokioIo::new(stream), service).await?;
        }
        None => {
            let stream = kubelet_tls.accept(stream).await?;
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let client = client.clone();
                async move {
                    if req.uri().path().starts_with("/containerLogs/") {
                        let (status, body) = kubelet_answer(&client, &req).await;
                        respond(status, "text/plain; charset=utf-8", body)
                    } else {
                        let query = req.uri().query().unwrap_or_default();
                        let (status, body) =
                            aggregated::answer(&client, req.uri().path(), query).await;
                        respond(status, "application/json", body.to_string())
                    }
                }
            });
            http.serve_connection(TokioIo::new(stream), service).await?;
        }
    }
    Ok(())
}

/// Reads a request head and returns the `host:port` of a CONNECT, or `None` for another method.
async fn connect_target<S: AsyncRead + Unpin>(stream: &mut S) -> anyhow::Result<Option<String>> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    let end = loop {
        if let Some(at) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut chunk).await?;
        anyhow::ensure!(n > 0, "the client closed the connection mid-request");
        head.extend_from_slice(&chunk[..n]);
        anyhow::ensure!(head.len() <= MAX_HEAD, "request head over {MAX_HEAD} bytes");
    };
    // The client waits for our answer before it speaks through the tunnel.
    anyhow::ensure!(
        end == head.len(),
        "data after the CONNECT request before it was answered"
    );
    let line = String::from_utf8_lossy(&head);
    let mut words = line.lines().next().unwrap_or_default().split_whitespace();
    Ok(match (words.next(), words.next()) {
        (Some("CONNECT"), Some(target)) => Some(target.to_owned()),
        _ => None,
    })
}

/// The kubelet API's container logs, as the API server asks for them for `pods/log`.
async fn kubelet_answer(client: &kube::Client, req: &Request<Incoming>) -> (u16, String) {
    let path = req.uri().path();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let ["containerLogs", namespace, name, container] = parts.as_slice() else {
        return (404, format!("404 page not found: {path}\n"));
    };
    let query = crate::server::query(req);
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &pod_resource());
    let pod = match api.get(name).await {
        Ok(pod) => serde_json::to_value(pod).unwrap_or_default(),
        Err(kube::Error::Api(status)) => return (status.code, status.message),
        Err(e) => return (503, e.to_string()),
    };
    match kubelet::container_log(&pod, container) {
        Some(log) => {
            let tail = query.get("tailLines").and_then(|t| t.parse().ok());
            (200, kubelet::tail(&log, tail))
        }
        None => (400, kubelet::waiting(name, container)),
    }
}

fn respond(
    status: u16,
    content_type: &str,
    body: String,
) -> Result<Response<Full<Bytes>>, hyper::http::Error> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
}

fn pod_resource() -> ApiResource {
    crate::mirror::api_resource("", "v1", "Pod", "pods")
}

/// The pods a field selector picks, in every namespace (none when the list fails).
async fn pods(client: &kube::Client, fields: &str) -> Vec<Value> {
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &pod_resource());
    match api.list(&ListParams::default().fields(fields)).await {
        Ok(list) => list
            .items
            .into_iter()
            .filter_map(|p| serde_json::to_value(p).ok())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_the_target_of_a_connect() {
        let mut input: &[u8] = b"CONNECT 10.244.0.7:8080 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        assert_eq!(
            connect_target(&mut input).await.expect("head").as_deref(),
            Some("10.244.0.7:8080")
        );
        let mut input: &[u8] = b"GET / HTTP/1.1\r\n\r\n";
        assert_eq!(connect_target(&mut input).await.expect("head"), None);
        let mut input: &[u8] = b"CONNECT 10.244.0.7:8080 HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n";
        assert!(connect_target(&mut input).await.is_err());
        let mut input: &[u8] = b"CONNECT 10.244.0.7:8080 HTTP/1.1\r\n";
        assert!(connect_target(&mut input).await.is_err());
    }
}
