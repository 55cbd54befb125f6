//! The crate's one error enum.
//!
//! Every variant names the URL (or path) it is about, so a `(url, error)` pair in a
//! [`crate::CrawlReport`] reads on its own. The enum is `Clone + Eq` so reports can be compared in
//! tests and carried across threads; errors from the HTTP stack are therefore kept as text.

/// Everything that can go wrong while configuring or running a crawl.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrawlError {
    /// A [`crate::CrawlConfig`] field has a value the crawler cannot work with.
    #[error("invalid crawl configuration: {field}: {reason}")]
    InvalidConfig {
        /// The offending field.
        field: &'static str,
        /// Why the value is refused.
        reason: String,
    },
    /// The text is not an absolute URL.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The text as given.
        url: String,
        /// What the URL parser said.
        reason: String,
    },
    /// Only `http` and `https` are fetched; `file:`, `ftp:`, `data:` and the rest are refused.
    #[error("refused {url}: scheme {scheme:?} is not crawlable (only http and https are)")]
    UnsupportedScheme {
        /// The refused URL.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// The target is loopback, private, link-local, unique-local, unspecified, multicast or
    /// otherwise not a public address, and `allow_private_addresses` is off.
    #[error(
        "refused {url}: address {addr} is not public (loopback, private, link-local, \
         unique-local or unspecified) and allow_private_addresses is off"
    )]
    ForbiddenAddress {
        /// The refused URL.
        url: String,
        /// The address (or host) that made it refused.
        addr: String,
    },
    /// No TCP/TLS connection could be made (refused, unreachable, DNS failure).
    #[error("cannot connect for {url}: {reason}")]
    Connect {
        /// The URL being fetched.
        url: String,
        /// The connection error chain.
        reason: String,
    },
    /// The request failed after connecting, before a response head arrived.
    #[error("request for {url} failed: {reason}")]
    Request {
        /// The URL being fetched.
        url: String,
        /// The HTTP error chain.
        reason: String,
    },
    /// No response head arrived within the page timeout.
    #[error("no response from {url} within {timeout_ms} ms")]
    Timeout {
        /// The URL being fetched.
        url: String,
        /// The page timeout that expired.
        timeout_ms: u64,
    },
    /// A redirect pointed back to a URL already visited in the same redirect chain.
    #[error("redirect loop: {url} redirects to {target}, already visited in this chain")]
    RedirectLoop {
        /// The URL whose response redirected.
        url: String,
        /// The already-visited target.
        target: String,
    },
    /// The redirect chain is longer than `max_redirects`.
    #[error("too many redirects: {url} redirects further than max_redirects = {max}")]
    TooManyRedirects {
        /// The URL whose redirect was not followed.
        url: String,
        /// The configured cap.
        max: u32,
    },
    /// A 3xx response had no usable `Location`.
    #[error("redirect from {url} has an unusable Location {location:?}")]
    BadRedirect {
        /// The redirecting URL.
        url: String,
        /// The Location value (lossy text), empty when missing.
        location: String,
    },
    /// robots.txt could not be fetched (5xx, 429, timeout, network error): the origin is treated
    /// as disallow-all for the rest of this crawl.
    #[error("robots.txt for {origin} unreachable ({reason}); origin treated as disallow-all")]
    RobotsUnavailable {
        /// The origin (`scheme://host[:port]`).
        origin: String,
        /// Why it was unreachable.
        reason: String,
    },
    /// Decompressing the body for parsing went past the decoded-size cap (a compression bomb
    /// or just a very large page). The capture is kept; only parsing is skipped.
    #[error("decoded body of {url} exceeds {limit} bytes; not parsed (compression bomb?)")]
    DecodedTooLarge {
        /// The captured URL.
        url: String,
        /// The cap (`max_decoded_bytes`).
        limit: u64,
    },
    /// The body could not be decompressed for parsing (bad stream, unsupported coding).
    #[error("cannot decode body of {url} ({encoding}): {reason}")]
    ContentDecoding {
        /// The captured URL.
        url: String,
        /// The Content-Encoding value.
        encoding: String,
        /// What went wrong.
        reason: String,
    },
    /// The [`crate::CaptureSink`] refused a capture; the crawl stops.
    #[error("capture sink rejected {url}: {reason}")]
    Sink {
        /// The capture's URL.
        url: String,
        /// The sink's message.
        reason: String,
    },
    /// A frontier file could not be written or read.
    #[error("frontier file {path}: {reason}")]
    FrontierFile {
        /// The file.
        path: String,
        /// The I/O or JSON error.
        reason: String,
    },
    /// The HTTP client could not be built (TLS backend initialisation).
    #[error("cannot build HTTP client: {reason}")]
    Client {
        /// The builder's error.
        reason: String,
    },
}
