//! Crawl configuration: seeds, scope, limits, politeness and safety switches.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::CrawlError;

/// One mebibyte, for the byte limits below.
const MIB: u64 = 1024 * 1024;

/// Default per-response cap: 10 MiB is far above a typical HTML page (median ≈ 30 KB) and keeps a
/// runaway response from filling memory.
pub const DEFAULT_MAX_BYTES_PER_PAGE: u64 = 10 * MIB;
/// Default cap on bytes decompressed *for parsing*: 32 MiB, ≈ 1000:1 over a 32 KiB gzip bomb.
pub const DEFAULT_MAX_DECODED_BYTES: u64 = 32 * MIB;
/// Default cap on all bodies of a crawl: 1 GiB.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 1024 * MIB;
/// Default redirect-chain length (browsers allow ≈ 20, Scrapy 20, curl 50; 10 is ample for
/// http→https→www→canonical chains).
pub const DEFAULT_MAX_REDIRECTS: u32 = 10;
/// Default delay between two requests to one host: 1 s.
pub const DEFAULT_POLITENESS_DELAY: Duration = Duration::from_secs(1);
/// Default time for one response (head and body): 30 s.
pub const DEFAULT_PAGE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time for the whole crawl: 1 h.
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(3600);
/// Default User-Agent. Its product token (before `/`) is the robots.txt agent name.
pub const DEFAULT_USER_AGENT: &str =
    "ArchiveChainBot/0.1 (+https://github.com/archivechain/archivechain; decentralised web archive)";

/// Which discovered URLs a crawl may follow.
///
/// Seeds are always in scope. Redirect targets are checked like links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Scope {
    /// Same host name as one of the seeds (any scheme, any port).
    #[default]
    Host,
    /// The normalised URL starts with one of the normalised seed URLs (plain string prefix, so
    /// seed `http://h/docs` also admits `http://h/docs-old`; end the seed with `/` to avoid that).
    Prefix,
    /// The seed's host with a leading `www.` removed, or any subdomain of it
    /// (`www.example.org` admits `example.org`, `a.example.org`). No public-suffix list is
    /// consulted, so do not seed with a bare public suffix.
    Domain,
}

/// What to do with responses whose media type is not in [`CrawlConfig::allowed_mime`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum OtherMime {
    /// Capture them as served (they are part of the archive) but extract no links or text.
    #[default]
    Store,
    /// Stop reading at the response head; nothing is delivered and the URL is listed as skipped.
    Skip,
}

/// Everything a crawl needs to know. Build with [`CrawlConfig::new`], adjust fields, then
/// [`CrawlConfig::validate`] (the crawler validates again on start).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlConfig {
    /// Absolute http(s) URLs to start from (depth 0).
    pub seeds: Vec<String>,
    /// Which links are followed.
    pub scope: Scope,
    /// Links are followed up to this many hops from a seed (0 = seeds only).
    pub max_depth: u32,
    /// At most this many page fetches (redirect hops and error statuses count; robots.txt does not).
    pub max_pages: u64,
    /// A response body is cut after this many bytes (capture marked `Truncation::Length`).
    pub max_bytes_per_page: u64,
    /// All bodies together (robots.txt included) stop at this many bytes: the response being
    /// read is cut (`Truncation::Length`) and no new fetch starts.
    pub max_total_bytes: u64,
    /// Decompression *for parsing* stops here; the page then gets no `PageInfo`.
    pub max_decoded_bytes: u64,
    /// Time for one response, head and body; a body still arriving is cut (`Truncation::Time`).
    pub page_timeout: Duration,
    /// Time for the whole run; fetches in flight at the deadline are cancelled and re-queued.
    pub total_timeout: Duration,
    /// Redirect hops followed from one URL.
    pub max_redirects: u32,
    /// Minimum gap between requests to one host (0 allowed). A larger robots.txt
    /// `Crawl-delay` wins.
    pub politeness_delay: Duration,
    /// Requests in flight to one host.
    pub per_host_concurrency: usize,
    /// Requests in flight overall.
    pub global_concurrency: usize,
    /// User-Agent header. Its first product token (`ArchiveChainBot`) names us in robots.txt.
    pub user_agent: String,
    /// Media-type prefixes (lower case) that are parsed for links and text.
    pub allowed_mime: Vec<String>,
    /// What happens to other media types.
    pub other_mime: OtherMime,
    /// Fetch and obey robots.txt (rules and Crawl-delay).
    pub respect_robots: bool,
    /// Allow loopback/private/link-local/unique-local/unspecified targets. Off by default so a
    /// crawl request cannot be aimed at the node's own network.
    pub allow_private_addresses: bool,
}

impl CrawlConfig {
    /// A configuration with the documented defaults and the given seeds.
    pub fn new<I, S>(seeds: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            seeds: seeds.into_iter().map(Into::into).collect(),
            scope: Scope::Host,
            max_depth: 3,
            max_pages: 1_000,
            max_bytes_per_page: DEFAULT_MAX_BYTES_PER_PAGE,
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
            max_decoded_bytes: DEFAULT_MAX_DECODED_BYTES,
            page_timeout: DEFAULT_PAGE_TIMEOUT,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            politeness_delay: DEFAULT_POLITENESS_DELAY,
            per_host_concurrency: 1,
            global_concurrency: 16,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            allowed_mime: ["text/html", "application/xhtml+xml", "text/plain"].into_iter().map(String::from).collect(),
            other_mime: OtherMime::Store,
            respect_robots: true,
            allow_private_addresses: false,
        }
    }

    /// Check that every field is usable.
    ///
    /// Seeds are not checked here: a bad seed (unparsable, `file:` …) becomes an error entry in
    /// the report and the rest of the crawl goes on.
    ///
    /// # Errors
    /// [`CrawlError::InvalidConfig`] naming the first bad field.
    pub fn validate(&self) -> Result<(), CrawlError> {
        let bad =
            |field: &'static str, reason: &str| Err(CrawlError::InvalidConfig { field, reason: reason.to_string() });
        if self.seeds.is_empty() {
            return bad("seeds", "at least one seed is needed");
        }
        if self.max_pages == 0 {
            return bad("max_pages", "must be at least 1");
        }
        if self.max_bytes_per_page == 0 {
            return bad("max_bytes_per_page", "must be at least 1");
        }
        if self.max_total_bytes == 0 {
            return bad("max_total_bytes", "must be at least 1");
        }
        if self.max_decoded_bytes == 0 {
            return bad("max_decoded_bytes", "must be at least 1");
        }
        if self.page_timeout.is_zero() {
            return bad("page_timeout", "must be positive");
        }
        if self.total_timeout.is_zero() {
            return bad("total_timeout", "must be positive");
        }
        if self.per_host_concurrency == 0 {
            return bad("per_host_concurrency", "must be at least 1");
        }
        if self.global_concurrency == 0 {
            return bad("global_concurrency", "must be at least 1");
        }
        if self.user_agent.trim().is_empty() {
            return bad("user_agent", "must not be empty");
        }
        if self.user_agent.bytes().any(|b| b.is_ascii_control() || !b.is_ascii()) {
            return bad("user_agent", "must be printable ASCII (it is sent as a header)");
        }
        if self.allowed_mime.iter().any(|m| m.is_empty() || m.chars().any(|c| c.is_ascii_uppercase())) {
            return bad("allowed_mime", "entries must be non-empty and lower case");
        }
        Ok(())
    }

    /// The robots.txt agent name: the User-Agent's first product token (`ArchiveChainBot`).
    pub fn robots_token(&self) -> &str {
        self.user_agent.split(|c: char| c == '/' || c.is_whitespace()).next().unwrap_or("")
    }

    /// Whether a media type (lower case, without parameters) is parsed for links and text.
    pub fn is_parsed_mime(&self, mime: &str) -> bool {
        self.allowed_mime.iter().any(|p| mime.starts_with(p.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_documented_values() {
        let c = CrawlConfig::new(["https://example.org/"]);
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(c.max_bytes_per_page, 10 * 1024 * 1024);
        assert_eq!(c.max_redirects, 10);
        assert_eq!(c.politeness_delay, Duration::from_secs(1));
        assert_eq!(c.per_host_concurrency, 1);
        assert!(c.respect_robots);
        assert!(!c.allow_private_addresses);
        assert_eq!(c.robots_token(), "ArchiveChainBot");
        assert!(c.is_parsed_mime("text/html"));
        assert!(!c.is_parsed_mime("image/png"));
    }

    #[test]
    fn validate_names_the_bad_field() {
        let mut c = CrawlConfig::new(Vec::<String>::new());
        assert!(matches!(c.validate(), Err(CrawlError::InvalidConfig { field: "seeds", .. })));
        c.seeds.push("http://a/".into());
        c.global_concurrency = 0;
        assert!(matches!(c.validate(), Err(CrawlError::InvalidConfig { field: "global_concurrency", .. })));
        c.global_concurrency = 4;
        c.user_agent = "bad\r\nX-Injected: 1".into();
        assert!(matches!(c.validate(), Err(CrawlError::InvalidConfig { field: "user_agent", .. })));
        c.user_agent = DEFAULT_USER_AGENT.into();
        c.politeness_delay = Duration::ZERO;
        assert_eq!(c.validate(), Ok(()), "politeness 0 is allowed");
    }
}
