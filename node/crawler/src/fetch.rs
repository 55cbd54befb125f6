//! One HTTP exchange, recorded exactly: no redirects followed, no decompression, byte and time
//! caps applied while streaming the body.

use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::time::{timeout_at, Instant};
use url::Url;

use crate::capture::{Capture, Truncation};
use crate::config::{CrawlConfig, OtherMime};
use crate::error::CrawlError;
use crate::urls::{check_target, is_forbidden_ip};

/// Accept header: pages first, anything else accepted (images etc. are archived as served).
const ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
/// We can decode these for parsing; bodies are stored still encoded.
const ACCEPT_ENCODING: &str = "gzip, deflate";
/// Idle keep-alive connections are dropped after this long.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// What one fetch produced.
#[derive(Debug)]
pub(crate) enum FetchOutcome {
    /// The exchange, as served.
    Captured(Box<Capture>),
    /// The head said a media type we do not keep (`OtherMime::Skip`); the body was not read.
    SkippedMime { mime: String },
}

/// Shared, clonable HTTP fetcher for one crawl.
#[derive(Debug)]
pub(crate) struct Fetcher {
    client: reqwest::Client,
    user_agent: String,
    page_timeout: Duration,
    allow_private: bool,
    /// Parsed media-type prefixes, when other types are skipped unread.
    skip_unless: Option<Vec<String>>,
    /// Bytes left in the crawl's `max_total_bytes` budget.
    budget: Arc<AtomicU64>,
}

impl Fetcher {
    pub(crate) fn new(config: &CrawlConfig, budget: Arc<AtomicU64>) -> Result<Self, CrawlError> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Bodies must stay as served. The crate enables no decompression feature; these also
            // hold if another crate in the build ever enables one (Cargo unifies features).
            .no_gzip()
            .no_brotli()
            .no_deflate()
            .no_zstd()
            .connect_timeout(config.page_timeout)
            .http1_only()
            .http1_title_case_headers()
            // Archive what sloppy servers send rather than fail the whole exchange: folded
            // (obsolete multi-line) headers are accepted, invalid header lines are dropped.
            .http1_allow_obsolete_multiline_headers_in_responses(true)
            .http1_ignore_invalid_headers_in_responses(true)
            .http1_allow_spaces_after_header_name_in_responses(true)
            .pool_max_idle_per_host(config.per_host_concurrency.max(1))
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .tcp_nodelay(true)
            .no_proxy();
        if !config.allow_private_addresses {
            builder = builder.dns_resolver(Arc::new(PublicOnlyResolver));
        }
        let client = builder.build().map_err(|e| CrawlError::Client { reason: error_chain(&e) })?;
        Ok(Self {
            client,
            user_agent: config.user_agent.clone(),
            page_timeout: config.page_timeout,
            allow_private: config.allow_private_addresses,
            skip_unless: (config.other_mime == OtherMime::Skip).then(|| config.allowed_mime.clone()),
            budget,
        })
    }

    /// Bytes left in the crawl budget.
    pub(crate) fn budget_left(&self) -> u64 {
        self.budget.load(Ordering::Acquire)
    }

    /// Take up to `want` bytes from the crawl budget; returns what was granted.
    fn take_budget(&self, want: u64) -> u64 {
        let mut left = self.budget.load(Ordering::Acquire);
        loop {
            let grant = want.min(left);
            match self.budget.compare_exchange_weak(left, left - grant, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return grant,
                Err(now) => left = now,
            }
        }
    }

    /// GET `url` once. `may_skip`: apply `OtherMime::Skip` to 2xx responses.
    ///
    /// Errors are for exchanges that produced no response head (refused target, connect
    /// failure, timeout before the head). Anything with a head is a capture, possibly truncated.
    pub(crate) async fn fetch(&self, url: &Url, max_bytes: u64, may_skip: bool) -> Result<FetchOutcome, CrawlError> {
        check_target(url, self.allow_private)?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => return Err(CrawlError::InvalidUrl { url: url.to_string(), reason: "no host".to_string() }),
        };
        let request_headers = vec![
            ("Host".to_string(), host),
            ("User-Agent".to_string(), self.user_agent.clone()),
            ("Accept".to_string(), ACCEPT.to_string()),
            ("Accept-Encoding".to_string(), ACCEPT_ENCODING.to_string()),
        ];
        let mut headers = HeaderMap::with_capacity(request_headers.len());
        for (name, value) in &request_headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| CrawlError::InvalidUrl { url: url.to_string(), reason: e.to_string() })?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| CrawlError::InvalidUrl { url: url.to_string(), reason: e.to_string() })?;
            headers.insert(name, value);
        }

        let captured_at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let deadline = Instant::now() + self.page_timeout;
        let request = self.client.get(url.clone()).headers(headers).send();
        let mut response = match timeout_at(deadline, request).await {
            Err(_) => {
                return Err(CrawlError::Timeout {
                    url: url.to_string(),
                    timeout_ms: u64::try_from(self.page_timeout.as_millis()).unwrap_or(u64::MAX),
                })
            }
            Ok(Err(e)) => return Err(classify(url, &e)),
            Ok(Ok(r)) => r,
        };

        let status = response.status();
        let reason = response
            .extensions()
            .get::<hyper::ext::ReasonPhrase>()
            .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned())
            .or_else(|| status.canonical_reason().map(str::to_string))
            .unwrap_or_default();
        let http_version = version_str(response.version()).to_string();
        let ip: Option<IpAddr> = response.remote_addr().map(|a| a.ip());
        let response_headers: Vec<(String, Vec<u8>)> =
            response.headers().iter().map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec())).collect();

        if let (true, Some(parsed)) = (may_skip && status.is_success(), &self.skip_unless) {
            let mime = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .map(|ct| ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
                .unwrap_or_default();
            if !mime.is_empty() && !parsed.iter().any(|p| mime.starts_with(p.as_str())) {
                return Ok(FetchOutcome::SkippedMime { mime });
            }
        }

        let mut body = Vec::new();
        let mut truncated = None;
        loop {
            match timeout_at(deadline, response.chunk()).await {
                Err(_) => {
                    truncated = Some(Truncation::Time);
                    break;
                }
                Ok(Err(_)) => {
                    truncated = Some(Truncation::Disconnect);
                    break;
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => {
                    let room = max_bytes.saturating_sub(body.len() as u64);
                    let want = (chunk.len() as u64).min(room);
                    let granted = self.take_budget(want);
                    let granted_len = usize::try_from(granted).unwrap_or(chunk.len()).min(chunk.len());
                    body.extend_from_slice(&chunk[..granted_len]);
                    if granted_len < chunk.len() {
                        truncated = Some(Truncation::Length);
                        break;
                    }
                }
            }
        }

        Ok(FetchOutcome::Captured(Box::new(Capture {
            url: url.to_string(),
            method: "GET".to_string(),
            request_headers,
            http_version,
            status: status.as_u16(),
            reason,
            response_headers,
            body,
            truncated,
            ip,
            captured_at_ms,
            redirect_to: None,
            depth: 0,
            robots: None,
            prerequisite: false,
        })))
    }
}

fn version_str(v: reqwest::Version) -> &'static str {
    match v {
        reqwest::Version::HTTP_09 => "HTTP/0.9",
        reqwest::Version::HTTP_10 => "HTTP/1.0",
        reqwest::Version::HTTP_2 => "HTTP/2",
        reqwest::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
}

/// `e: cause: cause …`, so reports say more than "error sending request".
pub(crate) fn error_chain(e: &(dyn StdError + 'static)) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        src = s.source();
    }
    out
}

fn classify(url: &Url, e: &reqwest::Error) -> CrawlError {
    let mut src: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(f) = s.downcast_ref::<ForbiddenResolved>() {
            return CrawlError::ForbiddenAddress { url: url.to_string(), addr: format!("{} ({})", f.addr, f.host) };
        }
        src = s.source();
    }
    let reason = error_chain(e);
    if e.is_connect() {
        CrawlError::Connect { url: url.to_string(), reason }
    } else {
        CrawlError::Request { url: url.to_string(), reason }
    }
}

/// A host name resolved only to non-public addresses.
#[derive(Debug)]
struct ForbiddenResolved {
    host: String,
    addr: IpAddr,
}

impl std::fmt::Display for ForbiddenResolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resolves to non-public address {}", self.host, self.addr)
    }
}

impl StdError for ForbiddenResolved {}

/// DNS through the system resolver, keeping public addresses only. Because the check is on the
/// addresses actually connected to, a name that later resolves elsewhere (DNS rebinding) is
/// caught too.
#[derive(Debug)]
struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all.iter().copied().filter(|a| !is_forbidden_ip(a.ip())).collect();
            match (public.is_empty(), all.first()) {
                (true, Some(first)) => {
                    Err(Box::new(ForbiddenResolved { host, addr: first.ip() }) as Box<dyn StdError + Send + Sync>)
                }
                _ => Ok(Box::new(public.into_iter()) as Addrs),
            }
        })
    }
}
