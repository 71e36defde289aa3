//! `--tls`: a freshly generated CA and server certificate (rcgen), served with rustls, and a
//! bearer token the server requires — so clients' TLS and token paths are exercised too.

use std::sync::Arc;

use anyhow::Context;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// The TLS material of one cluster.
pub struct Tls {
    /// The CA certificate, PEM, for the kubeconfig's `certificate-authority-data`.
    pub ca_pem: String,
    /// The acceptor for incoming connections.
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// The bearer token every request must carry.
    pub token: String,
}

/// Generates a CA, a server certificate for `127.0.0.1` and `localhost`, and a token.
pub fn generate() -> anyhow::Result<Tls> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).context("CA parameters")?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "simcluster CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().context("CA key")?;
    let ca = ca_params.self_signed(&ca_key).context("CA certificate")?;

    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .context("server parameters")?;
    params
        .distinguished_name
        .push(DnType::CommonName, "simcluster");
    let key = KeyPair::generate().context("server key")?;
    let cert = params
        .signed_by(&key, &ca, &ca_key)
        .context("server certificate")?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .context("TLS server configuration")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];

    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    Ok(Tls {
        ca_pem: ca.pem(),
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        token: format!("simcluster-{nanos:x}"),
    })
}
