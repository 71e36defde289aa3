//! What every API request goes through on its way out: bounded retries of transient failures
//! and, at `-v`, one log line per request as `kubectl -v=6` prints them.
//!
//! kube-rs' default retries a 429 up to 15 times with a backoff that grows to minutes, silently.
//! Here a request is retried only while a budget lasts ([`Budget`]: 20 s by default, never more
//! than `--request-timeout`), `Retry-After` is honoured up to [`RETRY_AFTER_CAP`], every retry is
//! logged at `-v`, and only failures that are safe to repeat are retried:
//! - 429 and 503 (the server did not act on the request), any verb;
//! - 500, 502 and 504, and connections dropped before an answer, for every verb but POST (GET,
//!   PUT, PATCH, DELETE are idempotent here: server-side apply, and deletes that treat "already
//!   gone" as done);
//! - never a refused connection (no server: retrying only delays the error) or a timeout.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http::{Method, Request, Response, StatusCode};
use kube::client::Body;
use tower::retry::Policy;
use tower::{BoxError, Layer, Service};

/// The longest `Retry-After` waited for at once.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(10);

/// How long a request may keep being retried, from its first failure.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(20);

/// The first backoff; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(4);

/// The retry budget of a client: [`DEFAULT_BUDGET`], or `--request-timeout` when shorter.
pub fn budget(request_timeout: Option<Duration>) -> Duration {
    request_timeout
        .filter(|t| !t.is_zero())
        .map_or(DEFAULT_BUDGET, |t| t.min(DEFAULT_BUDGET))
}

/// The retry policy of one request (tower clones it per request).
#[derive(Debug, Clone)]
pub struct Budget {
    budget: Duration,
    server: String,
    first_failure: Option<Instant>,
    attempt: u32,
}

impl Budget {
    pub fn new(budget: Duration, server: String) -> Self {
        Self {
            budget,
            server,
            first_failure: None,
            attempt: 0,
        }
    }
}

/// Why a response or error is worth another try, if it is.
fn transient(method: &Method, outcome: Outcome<'_>) -> Option<String> {
    let idempotent = method != Method::POST;
    match outcome {
        Outcome::Status(status) => match status {
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                Some(status.to_string())
            }
            StatusCode::INTERNAL_SERVER_ERROR
            | StatusCode::BAD_GATEWAY
            | StatusCode::GATEWAY_TIMEOUT
                if idempotent =>
            {
                Some(status.to_string())
            }
            _ => None,
        },
        Outcome::Error(error) => {
            (idempotent && dropped(error)).then(|| "connection dropped".into())
        }
    }
}

enum Outcome<'a> {
    Status(StatusCode),
    Error(&'a (dyn std::error::Error + 'static)),
}

/// A connection that was open and then closed or reset before the answer — not a refused
/// connection and not a timeout.
fn dropped(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    let mut seen_drop = false;
    while let Some(e) = cause {
        if let Some(legacy) = e.downcast_ref::<hyper_util::client::legacy::Error>()
            && legacy.is_connect()
        {
            return false;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::ConnectionRefused => {
                    return false;
                }
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof => seen_drop = true,
                _ => {}
            }
        }
        if let Some(hyper) = e.downcast_ref::<hyper::Error>()
            && (hyper.is_incomplete_message() || hyper.is_closed() || hyper.is_canceled())
        {
            seen_drop = true;
        }
        cause = e.source();
    }
    seen_drop
}

/// `Retry-After: <seconds>`, if the answer has one.
fn retry_after<B>(response: &Response<B>) -> Option<Duration> {
    let seconds: u64 = response
        .headers()
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

impl Budget {
    /// The wait before the next try, or `None` when the budget does not allow one.
    fn next_wait(&mut self, server_asks: Option<Duration>, now: Instant) -> Option<Duration> {
        let first = *self.first_failure.get_or_insert(now);
        let backoff = FIRST_BACKOFF
            .saturating_mul(1u32 << self.attempt.min(16))
            .min(MAX_BACKOFF);
        let wait = server_asks.map_or(backoff, |asked| asked.min(RETRY_AFTER_CAP));
        let left = self.budget.checked_sub(now.duration_since(first))?;
        if wait > left {
            return None;
        }
        self.attempt += 1;
        Some(wait)
    }
}

impl<B> Policy<Request<Body>, Response<B>, BoxError> for Budget {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        req: &mut Request<Body>,
        result: &mut Result<Response<B>, BoxError>,
    ) -> Option<Self::Future> {
        let (why, asks) = match result {
            Ok(response) => (
                transient(req.method(), Outcome::Status(response.status()))?,
                retry_after(response),
            ),
            Err(error) => (
                transient(req.method(), Outcome::Error(error.as_ref()))?,
                None,
            ),
        };
        let target = format!("{} {}{}", req.method(), self.server, req.uri());
        match self.next_wait(asks, Instant::now()) {
            Some(wait) => {
                tracing::info!(
                    "{target}: {why}; retry {} in {}{}",
                    self.attempt,
                    crate::duration::human(wait),
                    if asks.is_some() { " (Retry-After)" } else { "" }
                );
                Some(tokio::time::sleep(wait))
            }
            None => {
                tracing::info!(
                    "{target}: {why}; giving up after {} retr{} (the retry budget is {})",
                    self.attempt,
                    if self.attempt == 1 { "y" } else { "ies" },
                    crate::duration::human(self.budget)
                );
                None
            }
        }
    }

    fn clone_request(&mut self, req: &Request<Body>) -> Option<Request<Body>> {
        let body = req.body().try_clone()?;
        let mut clone = Request::builder()
            .method(req.method().clone())
            .uri(req.uri().clone())
            .version(req.version())
            .body(body)
            .ok()?;
        *clone.headers_mut() = req.headers().clone();
        *clone.extensions_mut() = req.extensions().clone();
        Some(clone)
    }
}

/// Logs every request at `-v` (`GET https://…/api/v1/pods?limit=500 200 OK in 12 ms`), as
/// `kubectl -v=6` does.
#[derive(Debug, Clone)]
pub struct LogLayer {
    pub server: String,
}

impl<S> Layer<S> for LogLayer {
    type Service = Log<S>;

    fn layer(&self, inner: S) -> Log<S> {
        Log {
            inner,
            server: self.server.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Log<S> {
    inner: S,
    server: String,
}

impl<S, B> Service<Request<Body>> for Log<S>
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Error: fmt::Display,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let target = format!("{} {}{}", req.method(), self.server, req.uri());
        let started = Instant::now();
        let answer = self.inner.call(req);
        Box::pin(async move {
            let answer = answer.await;
            let took = started.elapsed().as_millis();
            match &answer {
                Ok(response) => tracing::info!("{target} {} in {took} ms", response.status()),
                Err(error) => tracing::info!("{target} failed in {took} ms: {error}"),
            }
            answer
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_stop_when_the_budget_is_spent_and_retry_after_is_capped() {
        let start = Instant::now();
        let mut budget = Budget::new(Duration::from_secs(20), String::new());
        // Backoff doubles from 250 ms up to 4 s.
        let waits: Vec<_> = (0..5)
            .map(|_| budget.next_wait(None, start).expect("within budget"))
            .collect();
        assert_eq!(
            waits,
            [250, 500, 1000, 2000, 4000].map(Duration::from_millis)
        );
        // Retry-After 300 is waited for 10 s at most.
        assert_eq!(
            budget.next_wait(Some(Duration::from_secs(300)), start),
            Some(RETRY_AFTER_CAP)
        );
        // 15 s after the first failure, a 10 s wait no longer fits in 20 s.
        let later = start + Duration::from_secs(15);
        assert_eq!(budget.next_wait(Some(Duration::from_secs(10)), later), None);
        assert_eq!(
            budget.next_wait(Some(Duration::from_secs(1)), later),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            budget.next_wait(None, start + Duration::from_secs(21)),
            None
        );
    }

    #[test]
    fn the_budget_is_never_more_than_the_request_timeout() {
        assert_eq!(budget(None), DEFAULT_BUDGET);
        assert_eq!(budget(Some(Duration::ZERO)), DEFAULT_BUDGET);
        assert_eq!(budget(Some(Duration::from_secs(3))), Duration::from_secs(3));
        assert_eq!(budget(Some(Duration::from_secs(300))), DEFAULT_BUDGET);
    }

    #[test]
    fn only_what_is_safe_to_repeat_is_retried() {
        let status = |m: Method, s: u16| {
            transient(
                &m,
                Outcome::Status(StatusCode::from_u16(s).expect("status")),
            )
            .is_some()
        };
        assert!(status(Method::POST, 429));
        assert!(status(Method::POST, 503));
        assert!(!status(Method::POST, 500));
        assert!(status(Method::GET, 500));
        assert!(status(Method::DELETE, 500));
        assert!(status(Method::PATCH, 504));
        assert!(!status(Method::GET, 404));
        assert!(!status(Method::GET, 403));
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert!(transient(&Method::GET, Outcome::Error(&reset)).is_some());
        assert!(transient(&Method::POST, Outcome::Error(&reset)).is_none());
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(transient(&Method::GET, Outcome::Error(&refused)).is_none());
    }
}
