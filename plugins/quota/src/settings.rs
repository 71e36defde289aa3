//! Flags resolved once into the typed settings the commands take.

use crate::cli::{GenerateArgs, RecommendArgs, UsageSource};
use crate::recommend;

/// How `recommend` (and `generate --profile from-usage`) measure usage.
#[derive(Debug, Clone, Copy)]
pub struct Sampling<'a> {
    pub source: UsageSource,
    /// The Prometheus base URL, for `UsageSource::Prometheus`.
    pub prometheus: Option<&'a str>,
    pub window: std::time::Duration,
    pub interval: std::time::Duration,
    pub options: recommend::Options,
}

impl RecommendArgs {
    /// How to measure usage.
    pub fn sampling(&self) -> Sampling<'_> {
        Sampling {
            source: self.source,
            prometheus: self.prometheus.as_deref(),
            window: self.window,
            interval: self.interval,
            options: recommend::Options {
                percentile: self.percentile,
                headroom: self.headroom,
            },
        }
    }
}

impl GenerateArgs {
    /// How `--profile from-usage` measures usage: the 95th CPU percentile, with the headroom.
    pub fn sampling(&self) -> Sampling<'_> {
        Sampling {
            source: self.source,
            prometheus: self.prometheus.as_deref(),
            window: self.window,
            interval: self.interval,
            options: recommend::Options {
                percentile: 95,
                headroom: self.headroom,
            },
        }
    }
}
