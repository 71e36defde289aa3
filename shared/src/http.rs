//! Plain HTTP(S) requests with a deadline, for the services plugins talk to besides the API
//! server: Prometheus, webhooks, Velero's download URLs. HTTPS trusts the system's certificate
//! authorities, plus any the caller passes (a Velero storage location's `caCert`). Errors say why
//! the request did not get an answer.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Whether a URL is one [`get`] and [`post`] can fetch: `http://` or `https://`. Err says why not;
/// callers that take a URL from the user check it here before using it.
pub fn check_scheme(url: &str) -> Result<(), String> {
    match url.split_once("://") {
        Some((scheme, _))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            Ok(())
        }
        _ => Err(format!(
            "`{url}`: only http:// and https:// URLs are supported"
        )),
    }
}

/// POSTs `body` to an `http://` or `https://` URL; the status and body of the answer, or why there was none.
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
    send_trusting(request, None, timeout).await
}

/// GETs an `http://` or `https://` URL, trusting `ca_pem`'s certificate authorities besides the
/// system's; the status and body of the answer, or why there was none.
pub async fn get(
    url: &str,
    ca_pem: Option<&[u8]>,
    timeout: Duration,
) -> Result<(u16, bytes::Bytes), String> {
    let request = http::Request::get(url)
        .body(Full::new(bytes::Bytes::new()))
        .map_err(|e| e.to_string())?;
    send_trusting(request, ca_pem, timeout).await
}

/// The TLS configuration: the system's roots and `ca_pem`'s.
fn tls_config(ca_pem: Option<&[u8]>) -> Result<rustls::ClientConfig, String> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    // Unreadable system certificates are skipped, as kubectl's Go TLS does.
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(pem) = ca_pem {
        let extra: Vec<_> = rustls_pki_types::CertificateDer::pem_slice_iter(pem)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("the certificate authority is not PEM: {e}"))?;
        if extra.is_empty() {
            return Err("the certificate authority holds no PEM certificate".into());
        }
        for cert in extra {
            roots
                .add(cert)
                .map_err(|e| format!("the certificate authority is not usable: {e}"))?;
        }
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
        .map_err(|e| e.to_string())
}

async fn send_trusting(
    request: http::Request<Full<bytes::Bytes>>,
    ca_pem: Option<&[u8]>,
    timeout: Duration,
) -> Result<(u16, bytes::Bytes), String> {
    check_scheme(&request.uri().to_string())?;
    // The system's roots are read once per process.
    static SYSTEM: std::sync::OnceLock<Result<rustls::ClientConfig, String>> =
        std::sync::OnceLock::new();
    let config = match ca_pem {
        Some(pem) => tls_config(Some(pem))?,
        None => SYSTEM.get_or_init(|| tls_config(None)).clone()?,
    };
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .build();
    let client = Client::builder(TokioExecutor::new()).build::<_, Full<bytes::Bytes>>(connector);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_authority_must_be_pem() {
        assert!(tls_config(None).is_ok());
        let error = tls_config(Some(b"not a certificate")).expect_err("refused");
        assert!(error.contains("no PEM certificate"), "{error}");
    }

    #[tokio::test]
    async fn only_http_and_https_urls_are_fetched() {
        let error = get("ftp://example/x", None, Duration::from_secs(1))
            .await
            .expect_err("refused");
        assert!(error.contains("only http:// and https://"), "{error}");
    }

    #[test]
    fn http_and_https_schemes_pass_the_check() {
        assert_eq!(check_scheme("http://prometheus:9090"), Ok(()));
        assert_eq!(check_scheme("https://prometheus.example"), Ok(()));
        assert_eq!(check_scheme("HTTPS://prometheus.example"), Ok(()));
        for url in ["ftp://example/x", "prometheus:9090", "httpx://p", ""] {
            let error = check_scheme(url).expect_err(url);
            assert_eq!(
                error,
                format!("`{url}`: only http:// and https:// URLs are supported")
            );
        }
    }
}
