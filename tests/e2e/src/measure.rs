//! What the benchmarks measure about a process: its wall time and its peak resident memory, and
//! the API requests a plugin logs at `-v`.

use std::collections::BTreeMap;
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

/// A finished run of a command.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub status: ExitStatus,
    /// Wall time, in seconds.
    pub seconds: f64,
    /// Peak resident memory, in KiB.
    pub peak_kib: u64,
}

/// GNU time, which reads the peak from the kernel's accounting of the finished process (exact
/// however short the run).
const GNU_TIME: &str = "/usr/bin/time";

/// A command to measure: build it with [`Measured::command`], then [`Measured::run`] it.
///
/// Its peak resident memory is the kernel's `ru_maxrss`, through GNU time (`/usr/bin/time -f
/// %M`; its own few hundred KiB are not counted), or where there is no GNU time VmHWM sampled
/// from /proc every 20 ms (which misses a process that lives less than that: 0).
pub struct Measured {
    command: Command,
    report: Option<tempfile::NamedTempFile>,
}

impl Measured {
    pub fn new(program: impl AsRef<std::ffi::OsStr>) -> std::io::Result<Self> {
        if !std::path::Path::new(GNU_TIME).exists() {
            return Ok(Self {
                command: Command::new(program),
                report: None,
            });
        }
        let report = tempfile::NamedTempFile::new()?;
        let mut command = Command::new(GNU_TIME);
        command
            .args(["--quiet", "-f", "%M", "-o"])
            .arg(report.path())
            .arg(program);
        Ok(Self {
            command,
            report: Some(report),
        })
    }

    /// The command, to add arguments, environment and stdio to.
    pub fn command(&mut self) -> &mut Command {
        &mut self.command
    }

    /// Runs it to its end.
    pub fn run(mut self) -> std::io::Result<Run> {
        let started = Instant::now();
        let mut child = self.command.spawn()?;
        let mut peak_kib = 0;
        let status = match &self.report {
            Some(_) => child.wait()?,
            None => loop {
                if let Some(kib) = peak_kib_of(child.id()) {
                    peak_kib = peak_kib.max(kib);
                }
                if let Some(status) = child.try_wait()? {
                    break status;
                }
                std::thread::sleep(Duration::from_millis(20));
            },
        };
        let seconds = started.elapsed().as_secs_f64();
        if let Some(report) = &self.report {
            // The last number: GNU time writes a note first when the command failed.
            peak_kib = std::fs::read_to_string(report.path())?
                .lines()
                .filter_map(|l| l.trim().parse().ok())
                .next_back()
                .unwrap_or(0);
        }
        Ok(Run {
            status,
            seconds,
            peak_kib,
        })
    }
}

/// VmHWM of a running process, in KiB.
fn peak_kib_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The requests a plugin logged at `-v` (`GET https://host/api/v1/pods?limit=500 200 OK in 12
/// ms`, one line each), counted by the API verb they are: `list`, `watch`, `get`, `create`,
/// `update`, `patch`, `delete`, and `discovery` for /api, /apis, /version and /openapi.
pub fn requests_by_verb(log: &str) -> BTreeMap<&'static str, u64> {
    let mut verbs = BTreeMap::new();
    for line in log.lines() {
        let mut words = line.split_whitespace();
        while let Some(word) = words.next() {
            let method = match word {
                "GET" | "POST" | "PUT" | "PATCH" | "DELETE" => word,
                _ => continue,
            };
            let Some(url) = words.next().filter(|u| u.starts_with("http")) else {
                break;
            };
            *verbs.entry(verb(method, url)).or_default() += 1;
            break;
        }
    }
    verbs
}

/// The Kubernetes API verb of a request, from its method and URL.
pub fn verb(method: &str, url: &str) -> &'static str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (path, query) = match rest.find('/') {
        Some(at) => rest[at..].split_once('?').unwrap_or((&rest[at..], "")),
        None => ("/", ""),
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // What follows /api/v1 or /apis/GROUP/VERSION.
    let resource = match segments.as_slice() {
        ["api", _, rest @ ..] => rest,
        ["apis", _, _, rest @ ..] => rest,
        _ => return "discovery",
    };
    let collection = match resource {
        [] => return "discovery",
        ["namespaces", _, _plural] | [_plural] => true,
        _ => false,
    };
    match method {
        "GET"
            if query
                .split('&')
                .any(|p| p == "watch=true" || p == "watch=1") =>
        {
            "watch"
        }
        "GET" if collection => "list",
        "GET" => "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" if collection => "deletecollection",
        "DELETE" => "delete",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_follow_the_api_paths() {
        let url = |path: &str| format!("https://127.0.0.1:6443{path}");
        for (method, path, want) in [
            ("GET", "/api/v1/pods?limit=500", "list"),
            (
                "GET",
                "/api/v1/namespaces/shop/pods?limit=500&continue=x",
                "list",
            ),
            ("GET", "/api/v1/namespaces/shop/pods/web-1", "get"),
            ("GET", "/api/v1/namespaces/shop", "get"),
            ("GET", "/api/v1/namespaces", "list"),
            (
                "GET",
                "/apis/apps/v1/deployments?watch=true&resourceVersion=5",
                "watch",
            ),
            (
                "GET",
                "/apis/apps/v1/namespaces/shop/deployments/web/scale",
                "get",
            ),
            ("GET", "/version", "discovery"),
            ("GET", "/apis", "discovery"),
            ("GET", "/apis/velero.io/v1", "discovery"),
            ("POST", "/api/v1/namespaces/shop/configmaps", "create"),
            (
                "PATCH",
                "/apis/apps/v1/namespaces/shop/deployments/web",
                "patch",
            ),
            ("PUT", "/api/v1/namespaces/shop/configmaps/run", "update"),
            ("DELETE", "/api/v1/namespaces/shop/pods/web-1", "delete"),
        ] {
            assert_eq!(verb(method, &url(path)), want, "{method} {path}");
        }
    }

    #[test]
    fn the_requests_are_counted_from_the_log_lines() {
        let log = "\
2026-12-07T12:00:00Z  INFO GET https://127.0.0.1:6443/version 200 OK in 3 ms
2026-12-07T12:00:00Z  INFO GET https://127.0.0.1:6443/api/v1/pods?limit=500 200 OK in 30 ms
2026-12-07T12:00:00Z  INFO GET https://127.0.0.1:6443/api/v1/pods?limit=500&continue=a 200 OK in 20 ms
2026-12-07T12:00:00Z  INFO POST https://127.0.0.1:6443/api/v1/namespaces/a/configmaps failed in 1 ms: refused
listing 500 namespaces
";
        let counted = requests_by_verb(log);
        assert_eq!(
            counted.into_iter().collect::<Vec<_>>(),
            [("create", 1), ("discovery", 1), ("list", 2)]
        );
    }
}
