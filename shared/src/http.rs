//! Plain HTTP requests with a deadline, for the services plugins talk to besides the API server:
//! Prometheus, webhooks, Velero's download URLs. Errors say why the request did not get an answer.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// POSTs `body` to an `http://` URL; the status and body of the answer, or why there was none.
pub async fn post(
    url: &str,
    content_type: &str,
    body: Vec<u8>,
    timeout: Duration,
) -> Result<(u16, bytes::Bytes), String> {
    let request = http::Request::post(url)
        .header(http::header::CONTENT_TYPE, content_type)
        .header(http::header::ACCEPT, "application/json")
        .body(Full::new(bytes::Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    send(request, timeout).await
}

/// GETs an `http://` URL; the status and body of the answer, or why there was none.
pub async fn get(url: &str, timeout: Duration) -> Result<(u16, bytes::Bytes), String> {
    let request = http::Request::get(url)
        .body(Full::new(bytes::Bytes::new()))
        .map_err(|e| e.to_string())?;
    send(request, timeout).await
}

async fn send(
    request: http::Request<Full<bytes::Bytes>>,
    timeout: Duration,
) -> Result<(u16, bytes::Bytes), String> {
    let url = request.uri().to_string();
    if request.uri().scheme_str() != Some("http") {
        return Err(format!("`{url}`: only http:// URLs are supported"));
    }
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<bytes::Bytes>>();
    let exchange = async {
        let response = client.request(request).await.map_err(|e| {
            let mut reason = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(inner) = source {
                reason = format!("{reason}: {inner}");
                source = inner.source();
            }
            reason
        })?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok::<_, String>((status, body))
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("no answer within {}", crate::duration::human(timeout)))?
}
