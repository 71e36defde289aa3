//! Flags resolved once into the typed options the commands take: the audit's options with
//! the config file read and `--disable` checked, the fix's values.

use shipshape::UsageError;

use crate::cli::{FixArgs, PolicyArgs};
use crate::{audit, checks, config, fix, pss};

impl PolicyArgs {
    /// The audit options, with the config file read.
    pub fn options(&self) -> anyhow::Result<audit::Options> {
        let mut config = load_config(self.config.as_deref())?;
        for id in &self.disable {
            if checks::find(id).is_none() {
                return Err(UsageError(format!(
                    "--disable: unknown check `{id}` (`kubectl harden checks` lists them)"
                ))
                .into());
            }
            config.disable.push(id.clone());
        }
        Ok(audit::Options {
            level: self.level,
            version: self.pss_version.unwrap_or(pss::Version::LATEST),
            no_ignores: self.no_ignores,
            config,
        })
    }
}

/// The `--config` file, or the nearest `.harden.yaml`; an empty config when there is none.
fn load_config(explicit: Option<&std::path::Path>) -> anyhow::Result<config::Config> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let found = config::Config::discover(explicit, &cwd).map_err(UsageError)?;
    Ok(found.unwrap_or_default())
}

impl FixArgs {
    pub fn options(&self) -> fix::FixOptions {
        fix::FixOptions {
            user: self.run_as_user,
            tmp_volume: self.tmp_volume,
            cpu_request: self.requests.0.clone(),
            memory_request: self.requests.1.clone(),
            cpu_limit: self.limits.0.clone(),
            memory_limit: self.limits.1.clone(),
            level: self.policy.level,
            version: self.policy.pss_version.unwrap_or(pss::Version::LATEST),
            add_missing: self.add_missing,
            override_explicit: self.override_explicit,
            ..fix::FixOptions::default()
        }
    }

    pub fn audit_options(&self) -> anyhow::Result<audit::Options> {
        self.policy.options()
    }
}
