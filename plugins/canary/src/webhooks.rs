//! Webhooks with Flagger's payload (`{"name","namespace","phase","checksum","type","metadata"}`)
//! and Flagger's meaning:
//! - `pre-rollout`: before the canary is created; a failure stops the release before anything
//!   changes.
//! - `rollout`: every interval, with the metric checks; a failure is a failed check.
//! - `confirm-promotion`: before promoting; until it answers 2xx the canary waits at its weight.
//! - `post-rollout`: after promotion or rollback; informational.
//! - `rollback`: every interval; a 2xx answer rolls the canary back (a manual trigger).
//!
//! A webhook passes when it answers 2xx within the timeout.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// When a webhook is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    PreRollout,
    Rollout,
    ConfirmPromotion,
    PostRollout,
    Rollback,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::PreRollout => "pre-rollout",
            Kind::Rollout => "rollout",
            Kind::ConfirmPromotion => "confirm-promotion",
            Kind::PostRollout => "post-rollout",
            Kind::Rollback => "rollback",
        }
    }
}

/// One webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    #[serde(rename = "type")]
    pub kind: Kind,
    pub url: String,
}

/// `TYPE=URL` (`--webhook`).
pub fn parse(text: &str) -> Result<Webhook, String> {
    let (kind, url) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: expected TYPE=URL"))?;
    let kind = match kind {
        "pre-rollout" => Kind::PreRollout,
        "rollout" => Kind::Rollout,
        "confirm-promotion" => Kind::ConfirmPromotion,
        "post-rollout" => Kind::PostRollout,
        "rollback" => Kind::Rollback,
        other => {
            return Err(format!(
                "`{other}`: webhook types are pre-rollout, rollout, confirm-promotion, post-rollout, rollback"
            ));
        }
    };
    shipshape::http::check_scheme(url)?;
    Ok(Webhook {
        kind,
        url: url.to_owned(),
    })
}

/// Flagger's payload.
pub fn payload(kind: Kind, name: &str, namespace: &str, phase: &str, image: &str) -> Value {
    let checksum = format!(
        "{:016x}",
        image
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b))
                .wrapping_mul(0x0100_0000_01b3))
    );
    json!({
        "name": name,
        "namespace": namespace,
        "phase": phase,
        "checksum": checksum,
        "type": kind.name(),
        "metadata": {"image": image},
    })
}

/// Calls a webhook; Ok when it answers 2xx in time, Err saying what it did instead.
pub async fn call(hook: &Webhook, payload: &Value, timeout: Duration) -> Result<(), String> {
    let body = serde_json::to_vec(payload).map_err(|e| e.to_string())?;
    match shipshape::http::post(&hook.url, "application/json", body, timeout).await {
        Ok((status, _)) if (200..300).contains(&status) => Ok(()),
        Ok((status, body)) => Err(format!(
            "{} webhook {} answered {status}: {}",
            hook.kind.name(),
            hook.url,
            String::from_utf8_lossy(&body)
                .chars()
                .take(200)
                .collect::<String>()
                .trim()
        )),
        Err(why) => Err(format!("{} webhook {}: {why}", hook.kind.name(), hook.url)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_types_and_builds_flaggers_payload() {
        assert_eq!(
            parse("confirm-promotion=http://gate/ok").unwrap(),
            Webhook {
                kind: Kind::ConfirmPromotion,
                url: "http://gate/ok".into()
            }
        );
        assert!(
            parse("later=http://x")
                .unwrap_err()
                .contains("webhook types are")
        );
        assert!(parse("rollout").is_err());
        assert_eq!(
            parse("rollout=https://x").map(|h| h.url),
            Ok("https://x".into())
        );
        assert!(
            parse("rollout=x:80")
                .unwrap_err()
                .contains("only http:// and https://")
        );
        let p = payload(Kind::Rollout, "web", "shop", "Progressing", "web:1.1");
        assert_eq!(p["type"], "rollout");
        assert_eq!(p["name"], "web");
        assert_eq!(p["checksum"].as_str().map(str::len), Some(16));
    }

    #[tokio::test]
    async fn unreachable_hooks_fail_with_the_url() {
        let hook = parse("rollout=http://127.0.0.1:9/check").unwrap();
        let err = call(&hook, &json!({}), Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(
            err.starts_with("rollout webhook http://127.0.0.1:9/check: "),
            "{err}"
        );
    }
}
