//! Waiting for the cluster: poll a check until it holds or a deadline passes, with a spinner on a
//! TTY and plain log lines otherwise, cancelled cleanly by Ctrl-C.

use std::future::Future;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check<T> {
    /// The condition holds; stop waiting with this value.
    Done(T),
    /// Not yet; the text says what the wait is at ("2/3 replicas ready").
    Pending(String),
}

/// Why a wait ended without the condition holding.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error("timed out after {} waiting for {what} (last seen: {last})", crate::duration::human(*after))]
    TimedOut {
        what: String,
        after: Duration,
        last: String,
    },
    #[error("interrupted while waiting for {what}")]
    Interrupted { what: String },
}

/// How to wait.
#[derive(Debug, Clone)]
pub struct Wait {
    /// What is awaited, for messages: "deployment `web` to be available".
    pub what: String,
    /// Give up after this long.
    pub timeout: Duration,
    /// Check this often.
    pub interval: Duration,
    /// Show a spinner (default: stderr is a terminal).
    pub spinner: bool,
}

impl Wait {
    /// A wait with a 1 s interval and a spinner when stderr is a terminal.
    pub fn new(what: impl Into<String>, timeout: Duration) -> Self {
        Self {
            what: what.into(),
            timeout,
            interval: Duration::from_secs(1),
            spinner: std::io::stderr().is_terminal(),
        }
    }

    /// Sets the polling interval.
    pub fn every(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Polls `check` until it returns [`Check::Done`], the deadline passes, or Ctrl-C is pressed.
    /// An error from `check` ends the wait at once.
    pub async fn until<T, E, F, Fut>(&self, mut check: F) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Check<T>, E>>,
        E: From<WaitError>,
    {
        let started = Instant::now();
        let deadline = started + self.timeout;
        let bar = self.spinner.then(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        let mut last = String::from("nothing yet");
        let result = loop {
            match check().await? {
                Check::Done(value) => break Ok(value),
                Check::Pending(status) => {
                    if status != last {
                        match &bar {
                            Some(bar) => {
                                bar.set_message(format!("waiting for {}: {status}", self.what))
                            }
                            None => tracing::info!("waiting for {}: {status}", self.what),
                        }
                        last = status;
                    }
                }
            }
            let now = Instant::now();
            if now >= deadline {
                break Err(WaitError::TimedOut {
                    what: self.what.clone(),
                    after: self.timeout,
                    last,
                }
                .into());
            }
            let nap = self.interval.min(deadline - now);
            tokio::select! {
                _ = tokio::time::sleep(nap) => {}
                _ = tokio::signal::ctrl_c() => {
                    break Err(WaitError::Interrupted { what: self.what.clone() }.into());
                }
            }
        };
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn returns_once_the_check_holds() {
        let mut calls = 0;
        let wait = Wait {
            spinner: false,
            ..Wait::new("three calls", Duration::from_secs(60))
        };
        let value = wait
            .until(|| {
                calls += 1;
                let n = calls;
                async move {
                    Ok::<_, WaitError>(if n == 3 {
                        Check::Done(n)
                    } else {
                        Check::Pending(format!("{n}/3"))
                    })
                }
            })
            .await
            .expect("done");
        assert_eq!(value, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn times_out_with_the_last_status() {
        let wait = Wait {
            spinner: false,
            ..Wait::new("deployment `web` to be available", Duration::from_secs(5))
        };
        let err = wait
            .until(|| async {
                Ok::<Check<()>, WaitError>(Check::Pending("1/3 replicas ready".into()))
            })
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "timed out after 5s waiting for deployment `web` to be available (last seen: 1/3 replicas ready)"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_error_from_the_check_ends_the_wait() {
        #[derive(Debug)]
        enum E {
            Wait,
            Gone,
        }
        impl From<WaitError> for E {
            fn from(_: WaitError) -> Self {
                E::Wait
            }
        }
        let wait = Wait {
            spinner: false,
            ..Wait::new("x", Duration::from_secs(5))
        };
        let err = wait
            .until(|| async { Err::<Check<()>, E>(E::Gone) })
            .await
            .unwrap_err();
        assert!(matches!(err, E::Gone));
    }
}
