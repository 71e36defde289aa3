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

/// Checks an image reference as the container runtime parses it (distribution's reference
/// grammar): `[HOST[:PORT]/]PATH[:TAG][@ALGO:HEX]`, path components lowercase, tags up to 128
/// of `[A-Za-z0-9_.-]`. The error says which part is wrong.
pub fn image_reference(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("the image is empty".into());
    }
    if text.len() > 255 {
        return Err(format!("{text:?} is longer than 255 characters"));
    }
    let (rest, digest) = match text.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (text, None),
    };
    if let Some(digest) = digest {
        let ok = digest.split_once(':').is_some_and(|(algo, hex)| {
            !algo.is_empty()
                && algo
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b))
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        });
        if !ok {
            return Err(format!(
                "{text:?}: the digest must be ALGORITHM:HEX, such as sha256:<64 hex digits>"
            ));
        }
    }
    // A tag follows the last ':' after the last '/'.
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(tag) = tag {
        let ok = !tag.is_empty()
            && tag.len() <= 128
            && !tag.starts_with(['.', '-'])
            && tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !ok {
            return Err(format!(
                "{text:?}: the tag {tag:?} must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"
            ));
        }
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    // The first part is a registry host when it has a '.' or ':' or is `localhost`.
    if parts.len() > 1
        && (parts[0].contains(['.', ':'])
            || parts[0] == "localhost"
            || parts[0].bytes().any(|b| b.is_ascii_uppercase()))
    {
        let host = parts.remove(0);
        let (hostname, port) = match host.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host, None),
        };
        let host_ok = hostname.split('.').all(|l| {
            !l.is_empty()
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        }) && port
            .is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !host_ok {
            return Err(format!(
                "{text:?}: the registry {host:?} is not a host name with an optional port"
            ));
        }
    }
    for part in &parts {
        let ok = !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
            && part.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && part.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !ok {
            return Err(format!(
                "{text:?}: the repository part {part:?} must be lowercase letters and digits, separated by '.', '_' or '-'"
            ));
        }
    }
    Ok(())
}

/// A label key (`IsQualifiedName`): an optional DNS-subdomain prefix and `/`, then at most 63
/// letters, digits, '-', '_' and '.', starting and ending alphanumeric.
pub fn is_label_key(key: &str) -> bool {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    prefix.is_none_or(|p| !p.is_empty() && is_dns_subdomain(p))
        && !name.is_empty()
        && is_label_value(name)
}

/// A label value (`IsValidLabelValue`): empty, or at most 63 letters, digits, '-', '_' and '.',
/// starting and ending alphanumeric.
pub fn is_label_value(value: &str) -> bool {
    value.is_empty()
        || (value.len() <= 63
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && value.as_bytes()[0].is_ascii_alphanumeric()
            && value.as_bytes()[value.len() - 1].is_ascii_alphanumeric())
}

/// A clap value parser for `-l/--selector`, checked as the API server's `labels.Parse` does:
/// comma-separated requirements `key`, `!key`, `key=value`, `key==value`, `key!=value`,
/// `key in (a,b)`, `key notin (a,b)`, `key>1`, `key<1`. The error says which requirement is wrong
/// and why, instead of a 400 from the server (or, worse, an empty result).
pub fn label_selector(text: &str) -> Result<String, String> {
    let fail = |why: String| Err(format!("{text:?} is not a valid label selector: {why}"));
    let mut rest = text.trim();
    if rest.is_empty() {
        return Ok(String::new());
    }
    loop {
        // One requirement: up to a comma that is not inside parentheses.
        let mut depth = 0i32;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                c == ',' && depth == 0
            })
            .map_or(rest.len(), |(i, _)| i);
        let requirement = rest[..end].trim();
        if let Err(why) = selector_requirement(requirement) {
            return fail(why);
        }
        if end == rest.len() {
            return Ok(text.to_owned());
        }
        rest = &rest[end + 1..];
    }
}

/// One requirement of a label selector.
fn selector_requirement(text: &str) -> Result<(), String> {
    let key_error = |key: &str| {
        format!(
            "`{key}` is not a label key (an optional DNS-subdomain prefix and '/', then at most 63 \
             letters, digits, '-', '_' and '.', starting and ending with a letter or digit)"
        )
    };
    let value_error = |value: &str| {
        format!(
            "`{value}` is not a label value (at most 63 letters, digits, '-', '_' and '.', \
             starting and ending with a letter or digit)"
        )
    };
    if text.is_empty() {
        return Err("an empty requirement (a stray ',')".into());
    }
    if let Some(key) = text.strip_prefix('!') {
        let key = key.trim();
        return if is_label_key(key) {
            Ok(())
        } else {
            Err(key_error(key))
        };
    }
    let key_end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '=' | '!' | '<' | '>' | '('))
        .unwrap_or(text.len());
    let (key, after) = text.split_at(key_end);
    if !is_label_key(key) {
        return Err(key_error(key));
    }
    let after = after.trim_start();
    if after.is_empty() {
        return Ok(());
    }
    for op in ["==", "!=", "=", ">", "<"] {
        if let Some(value) = after.strip_prefix(op) {
            let value = value.trim();
            if matches!(op, ">" | "<") {
                return if !value.is_empty() && value.parse::<i64>().is_ok() {
                    Ok(())
                } else {
                    Err(format!("`{key}{op}{value}`: `{op}` needs an integer value"))
                };
            }
            return if is_label_value(value) {
                Ok(())
            } else {
                Err(value_error(value))
            };
        }
    }
    let (op, set) = if let Some(set) = after.strip_prefix("notin") {
        ("notin", set)
    } else if let Some(set) = after.strip_prefix("in") {
        ("in", set)
    } else {
        return Err(format!(
            "`{text}`: expected an operator after `{key}` (=, ==, !=, in, notin, >, <) or a comma"
        ));
    };
    let set = set.trim();
    let Some(values) = set.strip_prefix('(').and_then(|s| s.strip_suffix(')')) else {
        return Err(format!(
            "`{text}`: `{op}` needs a parenthesised set of values, such as `{key} {op} (a,b)`"
        ));
    };
    if values.trim().is_empty() {
        return Err(format!("`{text}`: the set of values for `{op}` is empty"));
    }
    for value in values.split(',').map(str::trim) {
        if value.contains(['(', ')']) || !is_label_value(value) {
            return Err(value_error(value));
        }
    }
    Ok(())
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

    #[test]
    fn label_selectors_follow_the_api_servers_parser() {
        for good in [
            "",
            "app",
            "!app",
            "app=web",
            "app==web",
            "app!=web",
            "app=",
            "app.kubernetes.io/name=web,tier!=db",
            "env in (prod, staging),!legacy",
            "env notin (dev)",
            "replicas>1",
            "x<10",
            " app = web ",
        ] {
            assert_eq!(label_selector(good), Ok(good.to_owned()), "{good}");
        }
        for (bad, says) in [
            ("app in (", "parenthesised"),
            ("app in ()", "empty"),
            ("Bad Key!", "expected an operator"),
            ("a,,b", "empty requirement"),
            ("app=we b", "not a label value"),
            ("app>x", "integer"),
            ("-app", "not a label key"),
            ("Example.com/app=x", "not a label key"),
            ("app=web)", "not a label value"),
            ("app in (a,b", "parenthesised"),
        ] {
            let error = label_selector(bad).expect_err(bad);
            assert!(error.contains(says), "{bad}: {error}");
        }
        assert!(label_selector(&format!("app={}", "v".repeat(64))).is_err());
    }

    #[test]
    fn image_references_follow_the_distribution_grammar() {
        for good in [
            "nginx",
            "web:2.2",
            "registry.example/web:2.2",
            "localhost:5000/team/web:v1.0-rc_1",
            "ghcr.io/org/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ghcr.io/org/web:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "Registry.Example:443/web",
        ] {
            assert_eq!(image_reference(good), Ok(()), "{good}");
        }
        for (bad, says) in [
            ("", "empty"),
            ("UPPER_CASE!!", "repository part"),
            ("web:", "tag"),
            ("web:bad!tag", "tag"),
            ("web@sha256:xyz", "digest"),
            ("registry.example//web", "repository part"),
            ("web/-x", "repository part"),
        ] {
            let err = image_reference(bad).expect_err(bad);
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
