//! Kubernetes object names, checked before they reach a URL path: DNS-1123 labels (namespaces,
//! Services, most names a plugin derives `-canary` names from) and subdomains (everything
//! else). A name that fails is a usage error naming the rule, not a request for
//! `…/configmaps/../../secrets/x`.

/// At most 63 lowercase letters, digits and '-', starting and ending alphanumeric: a
/// namespace's or Service's name (`IsDNS1123Label`).
pub fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// Dot-separated DNS labels, at most 253 characters: a Deployment's or ConfigMap's name
/// (`IsDNS1123Subdomain`).
pub fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns_label)
}

/// The rule [`is_dns_label`] checks, for messages.
pub const DNS_LABEL_RULE: &str = "a DNS-1123 label: at most 63 lowercase letters, digits and \
     '-', starting and ending with a letter or digit";

/// The rule [`is_dns_subdomain`] checks, for messages.
pub const DNS_SUBDOMAIN_RULE: &str = "a DNS-1123 subdomain: lowercase letters, digits, '-' and \
     '.', at most 253, each part starting and ending with a letter or digit";

/// A clap value parser for a namespace (`-n`).
pub fn namespace(text: &str) -> Result<String, String> {
    if text.is_empty() || is_dns_label(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} is not a valid namespace name: it must be {DNS_LABEL_RULE}"
        ))
    }
}

/// A clap value parser for an object's name (Deployments, ConfigMaps, CronJobs).
pub fn object(text: &str) -> Result<String, String> {
    if is_dns_subdomain(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "{text:?} is not a valid object name: it must be {DNS_SUBDOMAIN_RULE}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_subdomains_follow_the_api_server() {
        for good in ["web", "a", "web-2", "0abc", &"a".repeat(63)] {
            assert!(is_dns_label(good), "{good}");
        }
        for bad in [
            "",
            "Web",
            "web_",
            "-web",
            "web-",
            "a.b",
            "../x",
            &"a".repeat(64),
        ] {
            assert!(!is_dns_label(bad), "{bad}");
        }
        assert!(is_dns_subdomain("web.v2"));
        assert!(!is_dns_subdomain("../../secrets/x"));
        assert!(!is_dns_subdomain("web..v2"));
        assert!(!is_dns_subdomain(&"a.".repeat(127)));
        assert!(namespace("Bad_NS!").unwrap_err().contains("DNS-1123 label"));
        assert_eq!(namespace("shop"), Ok("shop".into()));
    }
}
