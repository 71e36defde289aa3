//! `.harden.yaml`: turn checks off, change their severity, and exempt objects you cannot edit
//! (a vendor chart, say) by namespace, kind, name and container globs, always with a reason.
//!
//! ```yaml
//! disable: [automount-service-account-token]
//! severity:
//!   image-mutable-tag: warning
//! exemptions:
//!   - checks: [pss-run-as-non-root, pss-run-as-user]
//!     namespace: vendor-*
//!     kind: StatefulSet
//!     name: postgres*
//!     container: "*"
//!     reason: the upstream chart runs postgres as root; tracked in OPS-12
//! ```
//!
//! Found upward from the working directory (the nearest `.harden.yaml` or `.harden.yml`), or
//! named with `--config`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::checks::{self, Severity};

/// The file names looked for, in order.
pub const FILE_NAMES: &[&str] = &[".harden.yaml", ".harden.yml"];

/// The configuration.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Checks not run at all.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Severity overrides.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Findings marked ignored, with the reason.
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
    /// Where it was read from (for messages).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// One exemption: every given glob must match; a missing one matches everything.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    /// Check ids (globs allowed: `pss-*`); all checks when absent.
    #[serde(default)]
    pub checks: Vec<String>,
    pub namespace: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub container: Option<String>,
    /// Why: required.
    pub reason: String,
}

impl Config {
    /// Parses a config file's text, checking check ids and reasons.
    pub fn parse(path: &Path, text: &str) -> Result<Self, String> {
        let at = path.display();
        let mut config: Config = if text.trim().is_empty() {
            Config::default()
        } else {
            serde_saphyr::from_str(text).map_err(|e| format!("{at}: {e}"))?
        };
        let known = |id: &str, field: &str| -> Result<(), String> {
            if checks::find(id).is_none() {
                return Err(format!(
                    "{at}: {field}: unknown check `{id}` (`kubectl harden checks` lists them)"
                ));
            }
            Ok(())
        };
        for id in &config.disable {
            known(id, "disable")?;
        }
        for id in config.severity.keys() {
            known(id, "severity")?;
        }
        for (i, exemption) in config.exemptions.iter().enumerate() {
            for id in exemption.checks.iter().filter(|c| !c.contains(['*', '?'])) {
                known(id, &format!("exemptions[{i}].checks"))?;
            }
            if exemption.reason.trim().is_empty() {
                return Err(format!(
                    "{at}: exemptions[{i}]: the reason must not be empty"
                ));
            }
        }
        config.path = Some(path.to_owned());
        Ok(config)
    }

    /// Reads `--config FILE`, or the nearest config file from `dir` upward; None when none.
    pub fn discover(explicit: Option<&Path>, dir: &Path) -> Result<Option<Self>, String> {
        let path = match explicit {
            Some(path) => Some(path.to_owned()),
            None => dir.ancestors().find_map(|d| {
                FILE_NAMES
                    .iter()
                    .map(|name| d.join(name))
                    .find(|p| p.is_file())
            }),
        };
        let Some(path) = path else {
            return Ok(None);
        };
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&path, &text).map(Some)
    }

    /// Whether a check runs.
    pub fn enabled(&self, check: &str) -> bool {
        !self.disable.iter().any(|d| d == check)
    }

    /// A check's severity after overrides.
    pub fn severity(&self, check: &str, default: Severity) -> Severity {
        self.severity.get(check).copied().unwrap_or(default)
    }

    /// The reason an exemption covers a finding, if one does.
    pub fn exempt(
        &self,
        check: &str,
        namespace: Option<&str>,
        kind: &str,
        name: &str,
        container: Option<&str>,
    ) -> Option<&str> {
        let matches = |pattern: &Option<String>, value: Option<&str>| {
            pattern
                .as_deref()
                .is_none_or(|p| value.is_some_and(|v| glob(p, v)))
        };
        self.exemptions
            .iter()
            .find(|e| {
                (e.checks.is_empty() || e.checks.iter().any(|c| glob(c, check)))
                    && matches(&e.namespace, namespace)
                    && matches(&e.kind, Some(kind))
                    && matches(&e.name, Some(name))
                    && matches(&e.container, container)
            })
            .map(|e| e.reason.as_str())
    }
}

/// `*` (any run) and `?` (one character) globs.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((star, matched)) = backtrack {
            pi = star + 1;
            ti = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("vendor-*", "vendor-redis"));
        assert!(glob("*", ""));
        assert!(glob("pss-*-restricted", "pss-seccomp-restricted"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("vendor-*", "prod"));
        assert!(!glob("a?c", "ac"));
    }

    #[test]
    fn parses_checks_ids_and_requires_reasons() {
        let path = Path::new(".harden.yaml");
        let config = Config::parse(
            path,
            "disable: [automount-service-account-token]\nseverity: {image-mutable-tag: warning}\nexemptions:\n  - {checks: [pss-*], namespace: vendor-*, reason: upstream chart}\n",
        )
        .unwrap();
        assert!(!config.enabled("automount-service-account-token"));
        assert_eq!(
            config.severity("image-mutable-tag", Severity::Info),
            Severity::Warning
        );
        assert_eq!(
            config.exempt("pss-run-as-user", Some("vendor-x"), "Deployment", "a", None),
            Some("upstream chart")
        );
        assert_eq!(
            config.exempt("pss-run-as-user", Some("prod"), "Deployment", "a", None),
            None
        );
        assert_eq!(
            config.exempt("image-untagged", Some("vendor-x"), "Deployment", "a", None),
            None
        );

        let err = Config::parse(path, "disable: [no-such-check]\n").unwrap_err();
        assert_eq!(
            err,
            ".harden.yaml: disable: unknown check `no-such-check` (`kubectl harden checks` lists them)"
        );
        let err = Config::parse(path, "exemptions:\n  - {name: x, reason: ''}\n").unwrap_err();
        assert!(
            err.contains("exemptions[0]: the reason must not be empty"),
            "{err}"
        );
        let err = Config::parse(path, "disabled: []\n").unwrap_err();
        assert!(
            err.starts_with(".harden.yaml: ") && err.contains("disabled"),
            "{err}"
        );
    }

    #[test]
    fn discovery_walks_up_from_the_working_directory() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(Config::discover(None, &nested).unwrap(), None);
        std::fs::write(
            dir.path().join(".harden.yaml"),
            "disable: [default-namespace]\n",
        )
        .unwrap();
        let found = Config::discover(None, &nested).unwrap().unwrap();
        assert_eq!(found.path, Some(dir.path().join(".harden.yaml")));
    }
}
