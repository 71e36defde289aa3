//! Container image references, parsed by the grammar of the distribution reference library
//! (`[registry[:port]/]path[:tag][@algorithm:hex]`), so `host:5000/app` is an untagged image on a
//! registry with a port, not an image tagged `5000/app` — the misreading several linters make.

use std::fmt;

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// `registry.example.com:5000`, when the reference names one (`docker.io` is implied otherwise).
    pub registry: Option<String>,
    /// `team/app`, or `nginx`.
    pub path: String,
    /// `1.27`, when given.
    pub tag: Option<String>,
    /// `sha256:…`, when given.
    pub digest: Option<String>,
}

/// How firmly a reference pins what runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pinning {
    /// `@sha256:…`: the content is fixed.
    Digest,
    /// A tag other than `latest`: usually fixed, but tags can be moved.
    Tag,
    /// `:latest`.
    Latest,
    /// No tag and no digest: means `latest`.
    Untagged,
}

/// Why a reference is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid image reference `{reference}`: {reason}")]
pub struct ImageError {
    /// The reference as written.
    pub reference: String,
    /// What is wrong with it.
    pub reason: String,
}

fn path_component_ok(component: &str) -> bool {
    // [a-z0-9]+ separated by `.`, `_`, `__` or runs of `-`.
    !component.is_empty()
        && component.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && component.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && component
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && !component.contains("..")
        && !component.contains("___")
}

fn tag_ok(tag: &str) -> bool {
    (1..=128).contains(&tag.len())
        && tag.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn digest_ok(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '.' | '_' | '-')
        });
    let hex_ok = hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit());
    let length_ok = match algorithm {
        "sha256" => hex.len() == 64,
        "sha512" => hex.len() == 128,
        _ => true,
    };
    algorithm_ok && hex_ok && length_ok
}

impl ImageRef {
    /// Parses a reference as a container runtime would.
    pub fn parse(reference: &str) -> Result<Self, ImageError> {
        let error = |reason: &str| ImageError {
            reference: reference.to_owned(),
            reason: reason.to_owned(),
        };
        if reference.is_empty() {
            return Err(error("it is empty"));
        }
        if reference.trim() != reference {
            return Err(error("it has surrounding whitespace"));
        }
        let (rest, digest) = match reference.split_once('@') {
            Some((rest, digest)) => {
                if !digest_ok(digest) {
                    return Err(error(
                        "the digest must be `algorithm:hex`, e.g. `sha256:` and 64 hex digits",
                    ));
                }
                (rest, Some(digest.to_owned()))
            }
            None => (reference, None),
        };
        // The tag follows the last `:` after the last `/` (a `:` before it is a registry port).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => {
                let tag = &rest[last_slash + i + 1..];
                if !tag_ok(tag) {
                    return Err(error(
                        "the tag must be 1-128 letters, digits, `_`, `.` or `-`, not starting with `.` or `-`",
                    ));
                }
                (&rest[..last_slash + i], Some(tag.to_owned()))
            }
            None => (rest, None),
        };
        let mut components: Vec<&str> = name.split('/').collect();
        // The first component is a registry when it has a `.` or a `:`, or is `localhost`.
        let registry = if components.len() > 1
            && (components[0].contains(['.', ':']) || components[0] == "localhost")
        {
            Some(components.remove(0).to_owned())
        } else {
            None
        };
        if let Some(registry) = &registry {
            let (host, port) = registry.split_once(':').unwrap_or((registry, ""));
            if host.is_empty() || (!port.is_empty() && port.parse::<u16>().is_err()) {
                return Err(error("the registry must be `host` or `host:port`"));
            }
        }
        if components.iter().any(|c| !path_component_ok(c)) {
            let reason = if name.chars().any(|c| c.is_ascii_uppercase()) {
                "repository names must be lower case"
            } else {
                "each path component must be lower-case letters and digits, separated by `.`, `_` or `-`"
            };
            return Err(error(reason));
        }
        Ok(Self {
            registry,
            path: components.join("/"),
            tag,
            digest,
        })
    }

    /// How firmly this reference pins the image.
    pub fn pinning(&self) -> Pinning {
        match (&self.digest, self.tag.as_deref()) {
            (Some(_), _) => Pinning::Digest,
            (None, Some("latest")) => Pinning::Latest,
            (None, Some(_)) => Pinning::Tag,
            (None, None) => Pinning::Untagged,
        }
    }

    /// The fully qualified form a runtime pulls: `docker.io/library/nginx:latest`.
    pub fn canonical(&self) -> String {
        let registry = self.registry.as_deref().unwrap_or("docker.io");
        let path = if self.registry.is_none() && !self.path.contains('/') {
            format!("library/{}", self.path)
        } else {
            self.path.clone()
        };
        let mut text = format!("{registry}/{path}");
        if self.digest.is_none() || self.tag.is_some() {
            text.push(':');
            text.push_str(self.tag.as_deref().unwrap_or("latest"));
        }
        if let Some(digest) = &self.digest {
            text.push('@');
            text.push_str(digest);
        }
        text
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(registry) = &self.registry {
            write!(f, "{registry}/")?;
        }
        f.write_str(&self.path)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SHA: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn parsed(
        reference: &str,
    ) -> (
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Pinning,
    ) {
        let image = ImageRef::parse(reference).unwrap_or_else(|e| panic!("{e}"));
        let pinning = image.pinning();
        (image.registry, image.path, image.tag, image.digest, pinning)
    }

    #[test]
    fn registry_ports_are_not_tags() {
        assert_eq!(
            parsed("localhost:5000/app"),
            (
                Some("localhost:5000".into()),
                "app".into(),
                None,
                None,
                Pinning::Untagged
            )
        );
        assert_eq!(
            parsed("registry.example.com:5000/team/app:1.2"),
            (
                Some("registry.example.com:5000".into()),
                "team/app".into(),
                Some("1.2".into()),
                None,
                Pinning::Tag
            )
        );
    }

    #[test]
    fn tags_digests_and_both() {
        assert_eq!(
            parsed("nginx"),
            (None, "nginx".into(), None, None, Pinning::Untagged)
        );
        assert_eq!(parsed("busybox:latest").4, Pinning::Latest);
        assert_eq!(parsed("nats:2.10-alpine").2, Some("2.10-alpine".into()));
        assert_eq!(parsed(&format!("app@{SHA}")).4, Pinning::Digest);
        let both = parsed(&format!("ghcr.io/org/app:v1@{SHA}"));
        assert_eq!((both.2.as_deref(), both.4), (Some("v1"), Pinning::Digest));
    }

    #[test]
    fn canonical_names_add_docker_io_library_and_latest() {
        assert_eq!(
            ImageRef::parse("nginx").unwrap().canonical(),
            "docker.io/library/nginx:latest"
        );
        assert_eq!(
            ImageRef::parse("hastecrm/api:2.1.0").unwrap().canonical(),
            "docker.io/hastecrm/api:2.1.0"
        );
        assert_eq!(
            ImageRef::parse(&format!("quay.io/a/b@{SHA}"))
                .unwrap()
                .canonical(),
            format!("quay.io/a/b@{SHA}")
        );
    }

    #[test]
    fn invalid_references_say_why() {
        for (reference, reason) in [
            ("", "empty"),
            ("Nginx", "lower case"),
            ("app:", "the tag"),
            ("app:-x", "the tag"),
            ("app@sha256:xyz", "the digest"),
            ("host:notaport/app", "registry"),
            ("a//b", "path component"),
        ] {
            let err = ImageRef::parse(reference).expect_err(reference);
            assert!(err.to_string().contains(reason), "{reference}: {err}");
        }
    }

    proptest! {
        #[test]
        fn display_round_trips(
            registry in proptest::option::of("[a-z]{1,8}\\.[a-z]{2,3}(:[0-9]{2,5})?"),
            path in "[a-z0-9]{1,6}(/[a-z0-9]{1,6}){0,2}",
            tag in proptest::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,10}"),
            digest in proptest::option::of("[0-9a-f]{64}"),
        ) {
            let registry = registry.filter(|r| r.split_once(':').is_none_or(|(_, p)| p.parse::<u16>().is_ok()));
            let image = ImageRef { registry, path, tag, digest: digest.map(|d| format!("sha256:{d}")) };
            let text = image.to_string();
            prop_assert_eq!(ImageRef::parse(&text), Ok(image));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,40}") {
            let _ = ImageRef::parse(&text);
        }
    }
}
