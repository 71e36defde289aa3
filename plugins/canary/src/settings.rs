//! Flags resolved once into the typed settings the commands take: everything that can be
//! checked without the cluster is checked here, before anything is read or written.

use std::time::Duration;

use shipshape::UsageError;

use crate::cli::{StartArgs, Strategy, TrafficFlag};
use crate::{analysis, machine, webhooks};

/// `--image`: `IMAGE` (no container named) or `CONTAINER=IMAGE`.
pub fn split_image(text: &str) -> (Option<String>, String) {
    match text.split_once('=') {
        Some((container, image)) if !container.contains('/') && !container.contains(':') => {
            (Some(container.to_owned()), image.to_owned())
        }
        _ => (None, text.to_owned()),
    }
}

/// `kubectl canary start`'s flags, checked and resolved.
#[derive(Debug)]
pub struct Release<'a> {
    /// The container named in `--image CONTAINER=IMAGE` (default: the first).
    pub container: Option<String>,
    pub image: String,
    /// The canary (or preview) Deployment's name.
    pub canary_name: String,
    pub routing: Routing<'a>,
    /// Steps, bounds and gates: blue-green goes to 100 % in one step.
    pub config: machine::Config,
    /// `--metric`, `--query` and `--webhook`, with the --analysis-file's added.
    pub metrics: Vec<String>,
    pub queries: Vec<String>,
    pub webhooks: Vec<webhooks::Webhook>,
}

/// How the release's traffic reaches the canary, as the flags say (the cluster's objects are
/// read by the command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing<'a> {
    /// Canary and primary pods in proportion behind the same Service.
    Replicas,
    /// The weights of an HTTPRoute rule, or of an Istio VirtualService http route.
    Route {
        name: &'a str,
        rule: usize,
        istio: bool,
    },
    /// A canary Ingress with NGINX's canary-weight annotation.
    Nginx { ingress: &'a str },
    /// A full-size preview, then the active Service switched to it.
    BlueGreen {
        active_service: &'a str,
        scale_down_delay: Duration,
    },
}

impl StartArgs {
    /// The release these flags ask for, or the usage error that names the flag.
    pub fn release(&self) -> Result<Release<'_>, UsageError> {
        let (container, image) = split_image(&self.image);
        shipshape::names::image_reference(&image)
            .map_err(|e| UsageError(format!("--image: {e}")))?;
        if self.max_weight < self.step_weight {
            return Err(UsageError(
                "--max-weight must be at least --step-weight".into(),
            ));
        }
        let blue_green = self.strategy == Strategy::BlueGreen;
        let routing = match (&self.traffic, blue_green, &self.active_service) {
            (_, true, None) => {
                return Err(UsageError(
                    "--strategy blue-green needs --active-service SERVICE".into(),
                ));
            }
            (TrafficFlag::Replicas, true, Some(service)) => Routing::BlueGreen {
                active_service: service,
                scale_down_delay: self.scale_down_delay,
            },
            (_, true, Some(_)) => {
                return Err(UsageError(
                    "--strategy blue-green switches --active-service: it does not take --traffic"
                        .into(),
                ));
            }
            (TrafficFlag::Replicas, false, _) => Routing::Replicas,
            (TrafficFlag::GatewayApi { route, rule }, false, _) => Routing::Route {
                name: route,
                rule: *rule,
                istio: false,
            },
            (TrafficFlag::Istio { service, route }, false, _) => Routing::Route {
                name: service,
                rule: *route,
                istio: true,
            },
            (TrafficFlag::Nginx { ingress }, false, _) => Routing::Nginx { ingress },
        };
        let canary_name = match &self.canary_name {
            Some(name) => {
                if !shipshape::names::is_dns_label(name) || name == &self.deployment {
                    return Err(UsageError(format!(
                        "--canary-name {name:?}: must be a DNS label (lowercase letters, digits and \
                         '-', at most 63, starting and ending alphanumeric) other than the \
                         Deployment's own name"
                    )));
                }
                name.clone()
            }
            None if blue_green => format!("{}-preview", self.deployment),
            None => format!("{}-canary", self.deployment),
        };
        let (step_weight, max_weight) = if blue_green {
            (100, 100)
        } else {
            (self.step_weight, self.max_weight)
        };
        let mut metrics = self.metrics.clone();
        let mut queries = self.queries.clone();
        let mut hooks = self.webhooks.clone();
        if let Some(path) = &self.analysis_file {
            let file = analysis::AnalysisFile::read(path).map_err(UsageError)?;
            metrics.extend(file.metric_flags());
            queries.extend(file.query_flags());
            hooks.extend(file.webhooks);
        }
        Ok(Release {
            container,
            image,
            canary_name,
            routing,
            config: machine::Config {
                step_weight,
                max_weight,
                threshold: self.threshold,
                on_no_data: self.on_no_data,
                manual_gate: self.manual_gate,
            },
            metrics,
            queries,
            webhooks: hooks,
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::{Cli, Command};

    fn release(args: &str) -> Result<String, String> {
        let cli = Cli::try_parse_from(format!("kubectl-canary start {args}").split_whitespace())
            .map_err(|e| e.to_string())?;
        let Command::Start(start) = cli.command else {
            unreachable!()
        };
        start
            .release()
            .map(|r| {
                format!(
                    "{:?} {} {:?} {}/{}",
                    r.container, r.image, r.routing, r.canary_name, r.config.step_weight
                )
            })
            .map_err(|e| e.0)
    }

    #[test]
    fn the_flags_resolve_to_a_release() {
        assert_eq!(
            release("web --image web=registry.example/web:2.1").as_deref(),
            Ok("Some(\"web\") registry.example/web:2.1 Replicas web-canary/10")
        );
        assert_eq!(
            release("web --image registry.example:5000/web:2.1 --traffic istio:shop#1").as_deref(),
            Ok(
                "None registry.example:5000/web:2.1 Route { name: \"shop\", rule: 1, istio: true } web-canary/10"
            )
        );
        let blue_green =
            release("web --image web:2 --strategy blue-green --active-service web").unwrap();
        assert!(
            blue_green.contains("BlueGreen { active_service: \"web\""),
            "{blue_green}"
        );
        assert!(blue_green.ends_with("web-preview/100"), "{blue_green}");
    }

    #[test]
    fn bad_combinations_are_usage_errors_naming_the_flag() {
        for (args, error) in [
            (
                "web --image web:2 --strategy blue-green",
                "needs --active-service",
            ),
            (
                "web --image web:2 --strategy blue-green --active-service web --traffic nginx:web",
                "does not take --traffic",
            ),
            (
                "web --image web:2 --step-weight 60 --max-weight 50",
                "--max-weight must be at least",
            ),
            (
                "web --image web:2 --canary-name web",
                "--canary-name \"web\"",
            ),
            (
                "web --image web:2 --canary-name Web_1",
                "must be a DNS label",
            ),
            ("web --image Web:2", "--image:"),
        ] {
            let got = release(args).unwrap_err();
            assert!(got.contains(error), "{args}: {got}");
        }
    }
}
