//! The scheduler: one task that owns the frontier, dispatches fetches under the politeness,
//! concurrency and global limits, and hands results to the sink.
//!
//! Data flow: frontier → (robots.txt check) → fetch job → parse (blocking pool) → sink, links
//! → frontier. Fetch jobs are futures polled by the scheduler task itself (no spawned tasks);
//! only HTML parsing is moved to tokio's blocking pool so it does not stall the I/O.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::time::Instant;
use tracing::{debug, debug_span, warn, Instrument};
use url::Url;

use crate::capture::{Capture, CaptureSink, PageInfo};
use crate::config::CrawlConfig;
use crate::error::CrawlError;
use crate::fetch::Fetcher;
use crate::frontier::{Frontier, FrontierEntry};
use crate::jobs::{is_redirect, page_job, robots_job, JobDone, PageResult};
use crate::report::{CrawlReport, Progress, SkipReason, StopHandle, StopReason};
use crate::robots::RobotsPolicy;
use crate::urls::{self, check_target, origin_of, path_and_query, resolve_link, ScopeRules};

/// A robots.txt `Crawl-delay` is honoured up to this (Heritrix's default cap, 300 s).
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(300);
/// robots.txt bodies are read up to 512 KiB (RFC 9309 asks parsers to handle ≥ 500 KiB).
pub const MAX_ROBOTS_BYTES: u64 = 512 * 1024;
/// Redirects followed for robots.txt (RFC 9309: at least five).
pub const MAX_ROBOTS_REDIRECTS: u32 = 5;

/// Runs one crawl (or continues one from a saved [`Frontier`]).
#[derive(Debug)]
pub struct Crawler {
    config: Arc<CrawlConfig>,
    fetcher: Arc<Fetcher>,
    budget: Arc<AtomicU64>,
    frontier: Frontier,
    scope: ScopeRules,
    stop: StopHandle,
    seed_errors: Vec<(String, CrawlError)>,
}

#[derive(Debug)]
struct HostSlot {
    in_flight: usize,
    next_allowed: Instant,
    delay: Duration,
}

#[derive(Debug)]
enum RobotsState {
    Pending,
    Ready(Arc<RobotsPolicy>),
    /// The origin's host resolved to a refused address.
    Refused {
        addr: String,
    },
}

struct RunState {
    hosts: HashMap<String, HostSlot>,
    robots: HashMap<String, RobotsState>,
    in_flight_pages: HashMap<u64, FrontierEntry>,
    in_flight: usize,
    next_id: u64,
    limit: Option<StopReason>,
    sink_failed: bool,
    report: CrawlReport,
    started: Instant,
}

impl Crawler {
    /// A crawl of `config.seeds`. Unusable seeds (unparsable, `file:` …) become report errors.
    ///
    /// # Errors
    /// [`CrawlError::InvalidConfig`] from [`CrawlConfig::validate`], [`CrawlError::Client`]
    /// if the HTTP client cannot be built.
    pub fn new(config: CrawlConfig) -> Result<Self, CrawlError> {
        Self::resume(config, Frontier::new())
    }

    /// Continue a crawl from a frontier saved with [`Frontier::save`]. Seeds already seen are
    /// not fetched again; `max_pages` and `max_total_bytes` count what the frontier records as
    /// done. robots.txt is fetched again.
    ///
    /// # Errors
    /// As [`Crawler::new`].
    pub fn resume(config: CrawlConfig, mut frontier: Frontier) -> Result<Self, CrawlError> {
        config.validate()?;
        let mut seeds = Vec::new();
        let mut seed_errors = Vec::new();
        for raw in &config.seeds {
            match urls::normalize(raw) {
                Ok(u) => seeds.push(u),
                Err(e) => seed_errors.push((raw.clone(), e)),
            }
        }
        for seed in &seeds {
            frontier.push(FrontierEntry::new(seed.as_str(), 0));
        }
        let scope = ScopeRules::new(config.scope, &seeds);
        let budget = Arc::new(AtomicU64::new(0));
        let fetcher = Arc::new(Fetcher::new(&config, budget.clone())?);
        Ok(Self {
            config: Arc::new(config),
            fetcher,
            budget,
            frontier,
            scope,
            stop: StopHandle::default(),
            seed_errors,
        })
    }

    /// A handle that stops [`Crawler::run`] from another task.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// The frontier (save it after a stopped run to resume later).
    pub fn frontier(&self) -> &Frontier {
        &self.frontier
    }

    /// Take the frontier out.
    pub fn into_frontier(self) -> Frontier {
        self.frontier
    }

    /// Crawl until the frontier is empty or a limit, a stop or a sink failure ends the run.
    /// Never panics on network input; every failure is an entry in the report.
    pub async fn run<S: CaptureSink + ?Sized>(
        &mut self,
        sink: &mut S,
        mut progress: impl FnMut(Progress),
    ) -> CrawlReport {
        let started = Instant::now();
        let deadline = started + self.config.total_timeout;
        self.budget.store(self.config.max_total_bytes.saturating_sub(self.frontier.bytes_done()), Ordering::Release);
        let mut st = RunState {
            hosts: HashMap::new(),
            robots: HashMap::new(),
            in_flight_pages: HashMap::new(),
            in_flight: 0,
            next_id: 0,
            limit: None,
            sink_failed: false,
            report: CrawlReport::new(),
            started,
        };
        st.report.errors.append(&mut self.seed_errors);
        let mut jobs: FuturesUnordered<BoxFuture<'static, JobDone>> = FuturesUnordered::new();
        let stop = self.stop.clone();

        let reason = loop {
            if stop.is_stopped() {
                break StopReason::Stopped;
            }
            if st.sink_failed {
                break StopReason::SinkFailed;
            }
            let now = Instant::now();
            if now >= deadline {
                break StopReason::TotalTimeout;
            }
            let wake = self.dispatch(now, &mut st, &mut jobs);
            if jobs.is_empty() {
                if self.frontier.is_empty() {
                    break StopReason::Finished;
                }
                if let Some(limit) = st.limit {
                    break limit;
                }
                if wake.is_none() {
                    // Nothing in flight, nothing will become ready: cannot happen, but never hang.
                    warn!(queued = self.frontier.len(), "crawl scheduler stalled; ending run");
                    break StopReason::Finished;
                }
            }
            let sleep_to = wake.map_or(deadline, |w| w.min(deadline));
            tokio::select! {
                () = stop.notified() => {}
                Some(done) = jobs.next(), if !jobs.is_empty() => {
                    self.handle(done, &mut st, sink);
                    progress(self.progress(&st));
                }
                () = tokio::time::sleep_until(sleep_to) => {}
            }
        };

        drop(jobs);
        let mut cancelled: Vec<(u64, FrontierEntry)> = st.in_flight_pages.drain().collect();
        cancelled.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
        st.report.cancelled = cancelled.len() as u64;
        for (_, entry) in cancelled {
            self.frontier.requeue(entry);
        }
        st.report.stop = reason;
        st.report.remaining = self.frontier.len();
        st.report.elapsed = started.elapsed();
        debug!(stop = ?reason, pages = st.report.pages, bytes = st.report.bytes, "crawl run ended");
        st.report
    }

    fn progress(&self, st: &RunState) -> Progress {
        Progress {
            pages: st.report.pages,
            captures: st.report.captures,
            bytes: st.report.bytes,
            queued: self.frontier.len(),
            in_flight: st.in_flight,
            errors: st.report.errors.len(),
            skipped: st.report.skipped.len(),
            max_pages: self.config.max_pages,
            elapsed: st.started.elapsed(),
        }
    }

    /// Start every fetch the limits allow now. Returns when the next host becomes ready.
    fn dispatch(
        &mut self,
        now: Instant,
        st: &mut RunState,
        jobs: &mut FuturesUnordered<BoxFuture<'static, JobDone>>,
    ) -> Option<Instant> {
        let mut wake: Option<Instant> = None;
        if st.in_flight >= self.config.global_concurrency {
            return None; // a completion will call us again
        }
        if self.fetcher.budget_left() == 0 {
            st.limit = Some(StopReason::MaxTotalBytes);
            return None;
        }
        let cfg = self.config.clone();
        for (_, host) in self.frontier.hosts_by_depth() {
            loop {
                if st.in_flight >= cfg.global_concurrency {
                    return wake;
                }
                let slot = st.hosts.entry(host.clone()).or_insert_with(|| HostSlot {
                    in_flight: 0,
                    next_allowed: now,
                    delay: cfg.politeness_delay,
                });
                if slot.in_flight >= cfg.per_host_concurrency {
                    break;
                }
                if slot.next_allowed > now {
                    wake = Some(wake.map_or(slot.next_allowed, |w| w.min(slot.next_allowed)));
                    break;
                }
                let Some(head) = self.frontier.peek(&host) else {
                    break;
                };
                let url = match Url::parse(&head.url) {
                    Ok(u) => u,
                    Err(e) => {
                        let url = head.url.clone();
                        self.frontier.pop(&host);
                        st.report.errors.push((url.clone(), CrawlError::InvalidUrl { url, reason: e.to_string() }));
                        continue;
                    }
                };
                if let Err(e) = check_target(&url, cfg.allow_private_addresses) {
                    self.frontier.pop(&host);
                    st.report.errors.push((url.to_string(), e));
                    continue;
                }
                let mut robots_summary = None;
                if cfg.respect_robots {
                    let origin = origin_of(&url);
                    match st.robots.get(&origin) {
                        None => {
                            st.robots.insert(origin.clone(), RobotsState::Pending);
                            slot.in_flight += 1;
                            slot.next_allowed = now + slot.delay;
                            st.in_flight += 1;
                            let span = debug_span!("robots", origin = %origin);
                            jobs.push(Box::pin(
                                robots_job(self.fetcher.clone(), cfg.clone(), host.clone(), origin).instrument(span),
                            ));
                            continue;
                        }
                        Some(RobotsState::Pending) => break,
                        Some(RobotsState::Refused { addr }) => {
                            let addr = addr.clone();
                            self.frontier.pop(&host);
                            st.report
                                .errors
                                .push((url.to_string(), CrawlError::ForbiddenAddress { url: url.to_string(), addr }));
                            continue;
                        }
                        Some(RobotsState::Ready(policy)) => {
                            let decision = policy.check(&path_and_query(&url));
                            if !decision.allowed {
                                let reason = if policy.is_disallow_all() {
                                    SkipReason::RobotsUnavailable { origin }
                                } else {
                                    SkipReason::Robots { rule: decision.summary }
                                };
                                debug!(url = %url, %reason, "skipped by robots.txt");
                                self.frontier.pop(&host);
                                st.report.skipped.push((url.to_string(), reason));
                                continue;
                            }
                            robots_summary = Some(decision.summary);
                        }
                    }
                }
                if self.frontier.pages_done() + st.in_flight_pages.len() as u64 >= cfg.max_pages {
                    st.limit = Some(StopReason::MaxPages);
                    return wake;
                }
                let Some(entry) = self.frontier.pop(&host) else {
                    break;
                };
                let id = st.next_id;
                st.next_id += 1;
                st.in_flight_pages.insert(id, entry.clone());
                slot.in_flight += 1;
                slot.next_allowed = now + slot.delay;
                st.in_flight += 1;
                let span = debug_span!("page", url = %url, depth = entry.depth);
                jobs.push(Box::pin(
                    page_job(self.fetcher.clone(), cfg.clone(), id, host.clone(), url, entry, robots_summary)
                        .instrument(span),
                ));
            }
        }
        wake
    }

    fn release(&self, st: &mut RunState, host: &str, crawl_delay: Option<Duration>) {
        st.in_flight = st.in_flight.saturating_sub(1);
        if let Some(slot) = st.hosts.get_mut(host) {
            slot.in_flight = slot.in_flight.saturating_sub(1);
            if let Some(cd) = crawl_delay {
                slot.delay = slot.delay.max(cd.min(MAX_CRAWL_DELAY));
            }
            // Politeness is measured from the end of a response, not only from its start.
            slot.next_allowed = slot.next_allowed.max(Instant::now() + slot.delay);
        }
    }

    fn deliver<S: CaptureSink + ?Sized>(st: &mut RunState, sink: &mut S, capture: Capture, page: Option<PageInfo>) {
        if st.sink_failed {
            return;
        }
        let url = capture.url.clone();
        match sink.accept(capture, page) {
            Ok(()) => st.report.captures += 1,
            Err(reason) => {
                warn!(url = %url, error = %reason, "capture sink failed; stopping crawl");
                st.report.errors.push((url.clone(), CrawlError::Sink { url, reason }));
                st.sink_failed = true;
            }
        }
    }

    fn handle<S: CaptureSink + ?Sized>(&mut self, done: JobDone, st: &mut RunState, sink: &mut S) {
        match done {
            JobDone::Robots { host, origin, captures, policy, error, refused } => {
                self.release(st, &host, policy.crawl_delay());
                for capture in captures {
                    let len = capture.body.len() as u64;
                    st.report.bytes += len;
                    self.frontier.add_done(0, len);
                    Self::deliver(st, sink, capture, None);
                }
                if let Some(e) = error {
                    warn!(origin = %origin, error = %e, "robots.txt unavailable");
                    st.report.errors.push((format!("{origin}/robots.txt"), e));
                }
                let state = match refused {
                    Some(addr) => RobotsState::Refused { addr },
                    None => RobotsState::Ready(Arc::new(policy)),
                };
                st.robots.insert(origin, state);
            }
            JobDone::Page { id, host, entry, result } => {
                st.in_flight_pages.remove(&id);
                self.release(st, &host, None);
                match result {
                    Err(e) => {
                        debug!(url = %entry.url, error = %e, "fetch failed");
                        st.report.errors.push((entry.url, e));
                    }
                    Ok(PageResult::SkippedMime { mime }) => {
                        st.report.pages += 1;
                        self.frontier.add_done(1, 0);
                        st.report.skipped.push((entry.url, SkipReason::Mime { mime }));
                    }
                    Ok(PageResult::Captured { capture, page }) => {
                        let mut capture = *capture;
                        let len = capture.body.len() as u64;
                        st.report.pages += 1;
                        st.report.bytes += len;
                        self.frontier.add_done(1, len);
                        if is_redirect(&capture) {
                            self.follow_redirect(&mut capture, &entry, st);
                        }
                        let page = match page {
                            Ok(p) => p,
                            Err(e) => {
                                debug!(url = %entry.url, error = %e, "page not parsed");
                                st.report.errors.push((entry.url.clone(), e));
                                None
                            }
                        };
                        if let Some(p) = &page {
                            self.enqueue_links(&p.links, entry.depth + 1, st);
                        }
                        Self::deliver(st, sink, capture, page);
                    }
                }
            }
        }
    }

    fn follow_redirect(&mut self, capture: &mut Capture, entry: &FrontierEntry, st: &mut RunState) {
        let location = capture.header_str("location").unwrap_or_default();
        let target = Url::parse(&capture.url).ok().and_then(|base| resolve_link(&base, &location));
        let Some(target) = target else {
            st.report.errors.push((entry.url.clone(), CrawlError::BadRedirect { url: entry.url.clone(), location }));
            return;
        };
        let target_s = target.to_string();
        capture.redirect_to = Some(target_s.clone());
        if target_s == entry.url || entry.chain.contains(&target_s) {
            st.report
                .errors
                .push((entry.url.clone(), CrawlError::RedirectLoop { url: entry.url.clone(), target: target_s }));
        } else if entry.redirects >= self.config.max_redirects {
            st.report.errors.push((
                entry.url.clone(),
                CrawlError::TooManyRedirects { url: entry.url.clone(), max: self.config.max_redirects },
            ));
        } else if !self.scope.allows(&target) {
            st.report.skipped.push((target_s, SkipReason::OutOfScope));
        } else {
            let mut chain = entry.chain.clone();
            chain.push(entry.url.clone());
            self.frontier.push_redirect(FrontierEntry {
                url: target_s,
                depth: entry.depth,
                redirects: entry.redirects + 1,
                chain,
            });
        }
    }

    fn enqueue_links(&mut self, links: &[String], depth: u32, st: &mut RunState) {
        for link in links {
            if depth > self.config.max_depth {
                st.report.beyond_depth += 1;
                continue;
            }
            match Url::parse(link) {
                Ok(u) if self.scope.allows(&u) => {
                    self.frontier.push(FrontierEntry::new(link.as_str(), depth));
                }
                _ => st.report.out_of_scope += 1,
            }
        }
    }
}

/// Crawl `config` into `sink`, calling `progress` after every finished fetch.
///
/// # Errors
/// Only for an unusable configuration ([`CrawlError::InvalidConfig`]) or HTTP client
/// ([`CrawlError::Client`]); everything that goes wrong during the crawl is in the report.
pub async fn crawl<S: CaptureSink + ?Sized>(
    config: CrawlConfig,
    sink: &mut S,
    progress: impl FnMut(Progress),
) -> Result<CrawlReport, CrawlError> {
    let mut crawler = Crawler::new(config)?;
    Ok(crawler.run(sink, progress).await)
}
