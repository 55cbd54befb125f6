//! The two kinds of fetch job the scheduler runs: a page (fetch, then parse off-thread) and an
//! origin's robots.txt (fetch, follow up to five redirects, decide the policy).
//! Each job is a future that owns what it needs (`Arc`s) and reports back one [`JobDone`].

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use url::Url;

use crate::capture::{Capture, PageInfo};
use crate::config::CrawlConfig;
use crate::crawl::{MAX_ROBOTS_BYTES, MAX_ROBOTS_REDIRECTS};
use crate::decode;
use crate::error::CrawlError;
use crate::extract::parse_capture;
use crate::fetch::{FetchOutcome, Fetcher};
use crate::frontier::FrontierEntry;
use crate::robots::RobotsPolicy;
use crate::urls::resolve_link;

pub(crate) enum PageResult {
    Captured { capture: Box<Capture>, page: Result<Option<PageInfo>, CrawlError> },
    SkippedMime { mime: String },
}

pub(crate) enum JobDone {
    Robots {
        host: String,
        origin: String,
        captures: Vec<Capture>,
        policy: RobotsPolicy,
        error: Option<CrawlError>,
        refused: Option<String>,
    },
    Page {
        id: u64,
        host: String,
        entry: FrontierEntry,
        result: Result<PageResult, CrawlError>,
    },
}

pub(crate) fn is_redirect(capture: &Capture) -> bool {
    (300..400).contains(&capture.status) && capture.header("location").is_some()
}

pub(crate) async fn page_job(
    fetcher: Arc<Fetcher>,
    config: Arc<CrawlConfig>,
    id: u64,
    host: String,
    url: Url,
    entry: FrontierEntry,
    robots: Option<String>,
) -> JobDone {
    let result = match fetcher.fetch(&url, config.max_bytes_per_page, true).await {
        Err(e) => Err(e),
        Ok(FetchOutcome::SkippedMime { mime }) => Ok(PageResult::SkippedMime { mime }),
        Ok(FetchOutcome::Captured(mut capture)) => {
            capture.depth = entry.depth;
            capture.robots = robots;
            if is_redirect(&capture) {
                Ok(PageResult::Captured { capture, page: Ok(None) })
            } else {
                parse_off_thread(capture, config).await
            }
        }
    };
    JobDone::Page { id, host, entry, result }
}

/// Parse on the blocking pool; a parser panic (never expected) becomes an error, not a crash,
/// and the capture is kept either way.
async fn parse_off_thread(capture: Box<Capture>, config: Arc<CrawlConfig>) -> Result<PageResult, CrawlError> {
    let url = capture.url.clone();
    let joined = tokio::task::spawn_blocking(move || {
        let page =
            std::panic::catch_unwind(AssertUnwindSafe(|| parse_capture(&capture, &config))).unwrap_or_else(|_| {
                Err(CrawlError::ContentDecoding {
                    url: capture.url.clone(),
                    encoding: String::new(),
                    reason: "HTML parser panicked".to_string(),
                })
            });
        (capture, page)
    })
    .await;
    match joined {
        Ok((capture, page)) => Ok(PageResult::Captured { capture, page }),
        // Only when the runtime shuts down under us; the run is ending anyway.
        Err(e) => Err(CrawlError::Request { url, reason: format!("parse task lost: {e}") }),
    }
}

pub(crate) async fn robots_job(
    fetcher: Arc<Fetcher>,
    config: Arc<CrawlConfig>,
    host: String,
    origin: String,
) -> JobDone {
    let mut captures = Vec::new();
    let mut error = None;
    let mut refused = None;
    let unreachable =
        |origin: &str, reason: String| CrawlError::RobotsUnavailable { origin: origin.to_string(), reason };
    let policy = match Url::parse(&format!("{origin}/robots.txt")) {
        Err(e) => {
            error = Some(unreachable(&origin, e.to_string()));
            RobotsPolicy::disallow_all(format!("robots.txt URL invalid: {e}"))
        }
        Ok(mut url) => {
            let mut hops = 0;
            loop {
                match fetcher.fetch(&url, MAX_ROBOTS_BYTES, false).await {
                    Err(CrawlError::ForbiddenAddress { addr, .. }) => {
                        refused = Some(addr.clone());
                        break RobotsPolicy::disallow_all(format!("address {addr} refused"));
                    }
                    Err(e) => {
                        let reason = e.to_string();
                        error = Some(unreachable(&origin, reason.clone()));
                        break RobotsPolicy::disallow_all(format!("robots.txt unreachable ({reason})"));
                    }
                    Ok(FetchOutcome::SkippedMime { mime }) => {
                        break RobotsPolicy::allow_all(format!("robots.txt skipped ({mime})"));
                    }
                    Ok(FetchOutcome::Captured(mut capture)) => {
                        capture.prerequisite = true;
                        let status = capture.status;
                        if is_redirect(&capture) {
                            let location = capture.header_str("location").unwrap_or_default();
                            let target = resolve_link(&url, &location);
                            capture.redirect_to = target.as_ref().map(Url::to_string);
                            captures.push(*capture);
                            match target {
                                Some(t) if hops < MAX_ROBOTS_REDIRECTS => {
                                    hops += 1;
                                    url = t;
                                    continue;
                                }
                                _ => {
                                    break RobotsPolicy::allow_all(
                                        "robots.txt redirects too often or nowhere (treated as missing)",
                                    )
                                }
                            }
                        }
                        let policy = if (200..300).contains(&status) {
                            let encoding = capture.header_str("content-encoding");
                            match decode::decompress(&capture.body, encoding.as_deref(), MAX_ROBOTS_BYTES, true) {
                                Ok(body) => RobotsPolicy::parse(&body, config.robots_token()),
                                Err(e) => RobotsPolicy::allow_all(format!(
                                    "robots.txt undecodable ({e:?}), treated as missing"
                                )),
                            }
                        } else if status == 429 || status >= 500 {
                            error = Some(unreachable(&origin, format!("HTTP {status}")));
                            RobotsPolicy::disallow_all(format!("robots.txt returned {status}"))
                        } else {
                            RobotsPolicy::allow_all(format!("robots.txt returned {status}"))
                        };
                        captures.push(*capture);
                        break policy;
                    }
                }
            }
        }
    };
    JobDone::Robots { host, origin, captures, policy, error, refused }
}
