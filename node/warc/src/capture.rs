//! What the crawler hands over ([`Capture`]) and how it becomes `request`, `response` and
//! `revisit` records.

use std::net::IpAddr;

use crate::{
    digest::sha256,
    error::{Result, WarcError},
    http::{self, request_block, response_head},
    record::{RecordId, RecordType, WarcRecord, HTTP_REQUEST_TYPE, HTTP_RESPONSE_TYPE, REVISIT_PROFILE_IDENTICAL},
    surt::parse_url,
};

/// Why a capture's body is incomplete (`WARC-Truncated`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truncation {
    /// The size limit was reached.
    Length,
    /// The time limit was reached.
    Time,
    /// The connection dropped.
    Disconnect,
    /// Any other reason.
    Unspecified,
}

impl Truncation {
    /// The `WARC-Truncated` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Truncation::Length => "length",
            Truncation::Time => "time",
            Truncation::Disconnect => "disconnect",
            Truncation::Unspecified => "unspecified",
        }
    }
}

/// One HTTP exchange as the crawler saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// Absolute URL requested (`scheme://host/...`).
    pub url: String,
    /// Request method, e.g. `GET`.
    pub method: String,
    /// Request headers as sent (a `Host` header is added to the record when missing).
    pub request_headers: Vec<(String, String)>,
    /// HTTP version, e.g. `HTTP/1.1` or `1.1` (used for both status and request lines).
    pub http_version: String,
    /// Response status code.
    pub status: u16,
    /// Response reason phrase.
    pub reason: String,
    /// Response headers as served. `Transfer-Encoding` is dropped from the record because the
    /// body is stored de-chunked; `Content-Encoding` is kept.
    pub response_headers: Vec<(String, String)>,
    /// Entity body as served: transfer coding removed, content coding (gzip, br) kept.
    pub body: Vec<u8>,
    /// Set when the body is incomplete.
    pub truncated: Option<Truncation>,
    /// Server address, written as `WARC-IP-Address`.
    pub ip: Option<IpAddr>,
    /// Capture time, unix milliseconds (becomes `WARC-Date`).
    pub captured_at: u64,
    /// Redirect target as the crawler resolved it. Informational only: the record keeps the
    /// `Location` header as served, and the CDXJ `redirect` field is derived from that header
    /// (resolved against `url`) so that an index rebuilt from the files is identical.
    pub redirect_to: Option<String>,
}

impl Capture {
    /// SHA-256 of [`Capture::body`]: the payload digest and the content hash anchored on chain.
    pub fn payload_sha256(&self) -> [u8; 32] {
        sha256(&self.body)
    }

    /// Media type of the response's `Content-Type`, lower-cased (`unk` when absent).
    pub fn mime(&self) -> String {
        http::mime_type(http::header(&self.response_headers, "content-type"))
    }

    /// Checks what record building relies on.
    ///
    /// # Errors
    /// [`WarcError::InvalidCapture`] when the URL is not absolute or the method is empty or
    /// contains whitespace.
    pub fn validate(&self) -> Result<()> {
        let bad = |reason: &str| WarcError::InvalidCapture { url: self.url.clone(), reason: reason.to_string() };
        if parse_url(&self.url).is_none() {
            return Err(bad("url is not an absolute scheme://host URL"));
        }
        if self.url.chars().any(char::is_whitespace) {
            return Err(bad("url contains whitespace"));
        }
        if self.method.is_empty() || self.method.chars().any(char::is_whitespace) {
            return Err(bad("method is empty or contains whitespace"));
        }
        Ok(())
    }

    /// The `request` block.
    pub(crate) fn request_block(&self) -> Vec<u8> {
        let (target, host) = match parse_url(&self.url) {
            Some(p) => (p.request_target(), p.host_header()),
            None => ("/".to_string(), String::new()),
        };
        request_block(&self.method, &target, &self.http_version, &host, &self.request_headers)
    }

    /// The `response` block head (status line and headers).
    pub(crate) fn response_head(&self) -> Vec<u8> {
        response_head(&self.http_version, self.status, &self.reason, &self.response_headers, self.body.len())
    }
}

/// Ids and links shared by the records of one capture.
#[derive(Debug, Clone)]
pub(crate) struct CaptureIds<'a> {
    pub request: &'a RecordId,
    pub response: &'a RecordId,
    pub warcinfo: Option<&'a RecordId>,
}

/// The record a revisit points to.
#[derive(Debug, Clone)]
pub(crate) struct Original {
    pub record_id: RecordId,
    pub target_uri: String,
    pub date: String,
    pub payload_digest: String,
}

fn ip(c: &Capture) -> Option<String> {
    c.ip.map(|a| a.to_string())
}

/// The `request` record of `c`.
pub(crate) fn request_record(c: &Capture, ids: &CaptureIds<'_>) -> WarcRecord {
    WarcRecord::builder(RecordType::Request, ids.request, c.captured_at)
        .header("WARC-Target-URI", &c.url)
        .header_opt("WARC-Warcinfo-ID", ids.warcinfo.map(RecordId::as_str))
        .header("WARC-Concurrent-To", ids.response.as_str())
        .header_opt("WARC-IP-Address", ip(c).as_deref())
        .payload(b"")
        .block(HTTP_REQUEST_TYPE, c.request_block())
        .build()
}

/// The `response` record of `c`: HTTP head plus the body as served.
pub(crate) fn response_record(c: &Capture, ids: &CaptureIds<'_>) -> WarcRecord {
    let mut block = c.response_head();
    block.extend_from_slice(&c.body);
    WarcRecord::builder(RecordType::Response, ids.response, c.captured_at)
        .header("WARC-Target-URI", &c.url)
        .header_opt("WARC-Warcinfo-ID", ids.warcinfo.map(RecordId::as_str))
        .header("WARC-Concurrent-To", ids.request.as_str())
        .header_opt("WARC-IP-Address", ip(c).as_deref())
        .header_opt("WARC-Truncated", c.truncated.map(Truncation::as_str))
        .payload(&c.body)
        .block(HTTP_RESPONSE_TYPE, block)
        .build()
}

/// A `revisit` record (identical-payload-digest profile): the HTTP head only, pointing at
/// `original`.
pub(crate) fn revisit_record(c: &Capture, ids: &CaptureIds<'_>, original: &Original) -> WarcRecord {
    WarcRecord::builder(RecordType::Revisit, ids.response, c.captured_at)
        .header("WARC-Target-URI", &c.url)
        .header_opt("WARC-Warcinfo-ID", ids.warcinfo.map(RecordId::as_str))
        .header("WARC-Concurrent-To", ids.request.as_str())
        .header_opt("WARC-IP-Address", ip(c).as_deref())
        .header("WARC-Profile", REVISIT_PROFILE_IDENTICAL)
        .header("WARC-Refers-To", original.record_id.as_str())
        .header("WARC-Refers-To-Target-URI", &original.target_uri)
        .header("WARC-Refers-To-Date", &original.date)
        .payload_digest(&original.payload_digest)
        .block(HTTP_RESPONSE_TYPE, c.response_head())
        .build()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small HTML capture used across the crate's tests.
    pub(crate) fn sample(url: &str, body: &[u8], at: u64) -> Capture {
        Capture {
            url: url.to_string(),
            method: "GET".into(),
            request_headers: vec![("User-Agent".into(), "archivechain-test".into())],
            http_version: "HTTP/1.1".into(),
            status: 200,
            reason: "OK".into(),
            response_headers: vec![
                ("Content-Type".into(), "text/html; charset=utf-8".into()),
                ("Content-Length".into(), body.len().to_string()),
            ],
            body: body.to_vec(),
            truncated: None,
            ip: Some(IpAddr::from([192, 0, 2, 7])),
            captured_at: at,
            redirect_to: None,
        }
    }

    #[test]
    fn validate_rejects_bad_input() {
        let mut c = sample("https://e.example/", b"x", 0);
        assert!(c.validate().is_ok());
        c.url = "e.example/".into();
        assert!(c.validate().is_err());
        c.url = "https://e.example/a b".into();
        assert!(c.validate().is_err());
        c.url = "https://e.example/".into();
        c.method = "GET X".into();
        assert!(c.validate().is_err());
    }
}
