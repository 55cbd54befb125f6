//! What a crawl tells its caller: live [`Progress`] and the final [`CrawlReport`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::error::CrawlError;

/// Counters for a progress bar, sent after every finished fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Page fetches finished in this run (redirect hops included, robots.txt not).
    pub pages: u64,
    /// Captures delivered to the sink (robots.txt included).
    pub captures: u64,
    /// Body bytes received in this run.
    pub bytes: u64,
    /// URLs waiting in the frontier.
    pub queued: usize,
    /// Fetches in flight.
    pub in_flight: usize,
    /// Errors so far.
    pub errors: usize,
    /// Skipped URLs so far.
    pub skipped: usize,
    /// Configured `max_pages`, for a bar's total.
    pub max_pages: u64,
    /// Time since the run started.
    pub elapsed: Duration,
}

/// Why a crawl run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// Nothing left to fetch.
    Finished,
    /// `max_pages` reached.
    MaxPages,
    /// `max_total_bytes` reached.
    MaxTotalBytes,
    /// `total_timeout` expired; in-flight fetches were cancelled and re-queued.
    TotalTimeout,
    /// [`StopHandle::stop`] was called; in-flight fetches were cancelled and re-queued.
    Stopped,
    /// The sink refused a capture.
    SinkFailed,
}

/// Why a URL was not fetched (or not delivered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A robots.txt rule forbids it.
    Robots {
        /// The deciding rule, e.g. `disallowed by "Disallow: /private/" (group "*")`.
        rule: String,
    },
    /// robots.txt of its origin was unreachable, so the origin is disallowed for this crawl.
    RobotsUnavailable {
        /// `scheme://host[:port]`.
        origin: String,
    },
    /// Media type not kept (`OtherMime::Skip`); the body was not read.
    Mime {
        /// The response's media type.
        mime: String,
    },
    /// A redirect target outside the crawl scope (links outside scope are only counted).
    OutOfScope,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Robots { rule } => write!(f, "robots.txt: {rule}"),
            SkipReason::RobotsUnavailable { origin } => {
                write!(f, "robots.txt of {origin} unreachable: origin disallowed")
            }
            SkipReason::Mime { mime } => write!(f, "media type {mime} not kept"),
            SkipReason::OutOfScope => write!(f, "redirect target outside the crawl scope"),
        }
    }
}

/// Summary of one crawl run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrawlReport {
    /// Page fetches finished (redirect hops and error statuses included; robots.txt not).
    pub pages: u64,
    /// Captures delivered to the sink (robots.txt included).
    pub captures: u64,
    /// Body bytes received (as served, robots.txt included).
    pub bytes: u64,
    /// `(url, error)` for every failure: refused seeds, connection errors, timeouts before the
    /// response head, redirect loops, undecodable bodies (the capture is still delivered).
    pub errors: Vec<(String, CrawlError)>,
    /// `(url, reason)` for URLs not fetched because of robots.txt, media type or redirect scope.
    pub skipped: Vec<(String, SkipReason)>,
    /// Links not followed because they are outside the scope.
    pub out_of_scope: u64,
    /// Links not followed because of `max_depth`.
    pub beyond_depth: u64,
    /// Fetches cancelled by a stop or the total timeout (re-queued in the frontier).
    pub cancelled: u64,
    /// URLs left in the frontier.
    pub remaining: usize,
    /// Why the run ended.
    pub stop: StopReason,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl CrawlReport {
    pub(crate) fn new() -> Self {
        Self {
            pages: 0,
            captures: 0,
            bytes: 0,
            errors: Vec::new(),
            skipped: Vec::new(),
            out_of_scope: 0,
            beyond_depth: 0,
            cancelled: 0,
            remaining: 0,
            stop: StopReason::Finished,
            elapsed: Duration::ZERO,
        }
    }
}

/// Stops a running crawl from elsewhere (another task, a signal handler). Clonable.
#[derive(Debug, Clone, Default)]
pub struct StopHandle {
    inner: Arc<StopInner>,
}

#[derive(Debug, Default)]
struct StopInner {
    stopped: AtomicBool,
    notify: Notify,
}

impl StopHandle {
    /// Ask the crawl to stop: in-flight fetches are cancelled and re-queued, so a frontier saved
    /// afterwards resumes exactly where this one ended.
    pub fn stop(&self) {
        self.inner.stopped.store(true, Ordering::Release);
        self.inner.notify.notify_one();
    }

    /// Whether [`StopHandle::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        self.inner.stopped.load(Ordering::Acquire)
    }

    pub(crate) async fn notified(&self) {
        self.inner.notify.notified().await;
    }
}
