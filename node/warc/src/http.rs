//! HTTP/1.x message framing inside `request`, `response` and `revisit` blocks.

use crate::error::{Result, WarcError};

/// Longest HTTP head (status line plus headers) accepted when parsing a block.
pub const MAX_HTTP_HEAD_BYTES: usize = 64 * 1024;

/// Status line and headers of an HTTP response block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpHead {
    /// Protocol, e.g. `HTTP/1.1`.
    pub version: String,
    /// Status code.
    pub status: u16,
    /// Reason phrase (may be empty).
    pub reason: String,
    /// Header fields in order, as served (bytes outside UTF-8 read as Latin-1).
    pub headers: Vec<(String, String)>,
    /// Offset of the payload (entity body) inside the block.
    pub body_offset: usize,
}

/// First value of header `name` (case-insensitive).
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn clean(s: &str) -> String {
    s.trim().replace(['\r', '\n'], " ")
}

fn push_headers(out: &mut Vec<u8>, headers: &[(String, String)]) {
    for (n, v) in headers {
        let name = clean(n).replace(':', "");
        if name.is_empty() {
            continue;
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(clean(v).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

/// `HTTP/x.y` from `1.1`, `HTTP/1.1` or `HTTP/2`; `HTTP/1.1` when empty.
pub(crate) fn protocol(version: &str) -> String {
    let v = version.trim();
    if v.is_empty() {
        "HTTP/1.1".to_string()
    } else if v.to_ascii_uppercase().starts_with("HTTP/") {
        v.to_string()
    } else {
        format!("HTTP/{v}")
    }
}

/// The request block: request line, headers (with `Host` added when the caller left it out),
/// blank line.
pub(crate) fn request_block(
    method: &str,
    target: &str,
    version: &str,
    host: &str,
    headers: &[(String, String)],
) -> Vec<u8> {
    let mut out = format!("{} {} {}\r\n", clean(method), clean(target), protocol(version)).into_bytes();
    if header(headers, "host").is_none() {
        out.extend_from_slice(format!("Host: {host}\r\n").as_bytes());
    }
    push_headers(&mut out, headers);
    out.extend_from_slice(b"\r\n");
    out
}

/// The response head (status line, headers, blank line). The body is stored de-chunked, so a
/// `Transfer-Encoding` header is dropped and, when that leaves no `Content-Length`, one with
/// the stored body's length is added. Everything else is kept as served.
pub(crate) fn response_head(
    version: &str,
    status: u16,
    reason: &str,
    headers: &[(String, String)],
    body_len: usize,
) -> Vec<u8> {
    let mut out = format!("{} {} {}\r\n", protocol(version), status, clean(reason)).into_bytes();
    let had_te = header(headers, "transfer-encoding").is_some();
    let kept: Vec<(String, String)> =
        headers.iter().filter(|(n, _)| !n.trim().eq_ignore_ascii_case("transfer-encoding")).cloned().collect();
    push_headers(&mut out, &kept);
    if had_te && header(&kept, "content-length").is_none() {
        out.extend_from_slice(format!("Content-Length: {body_len}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn latin1_or_utf8(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Parses the HTTP response head at the start of `block` (`offset` is only for errors).
///
/// # Errors
/// [`WarcError::InvalidHttp`] when there is no `HTTP/` status line, the status is not a number,
/// or the head is not terminated within 64 KiB.
pub fn parse_response_head(block: &[u8], offset: u64) -> Result<HttpHead> {
    let bad = |reason: &str| WarcError::InvalidHttp { offset, reason: reason.to_string() };
    let window = &block[..block.len().min(MAX_HTTP_HEAD_BYTES)];
    let (head_end, body_offset) = match find(window, b"\r\n\r\n") {
        Some(i) => (i, i + 4),
        None => match find(window, b"\n\n") {
            Some(i) => (i, i + 2),
            None if block.len() > MAX_HTTP_HEAD_BYTES => return Err(bad("head too large")),
            None => (block.len(), block.len()),
        },
    };
    let head = latin1_or_utf8(&block[..head_end]);
    let mut lines = head.split('\n').map(|l| l.trim_end_matches('\r'));
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.to_ascii_uppercase().starts_with("HTTP/") {
        return Err(bad("no HTTP status line"));
    }
    let status: u16 =
        parts.next().and_then(|s| s.trim().parse().ok()).ok_or_else(|| bad("status code is not a number"))?;
    let reason = parts.next().unwrap_or_default().trim().to_string();
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        match line.split_once(':') {
            Some((n, v)) => headers.push((n.trim().to_string(), v.trim().to_string())),
            None if line.trim().is_empty() => {}
            None => return Err(bad("header line without `:`")),
        }
    }
    Ok(HttpHead { version: version.to_string(), status, reason, headers, body_offset })
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The media type of a `Content-Type` value, lower-cased, parameters removed.
pub fn mime_type(content_type: Option<&str>) -> String {
    content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "unk".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn response_head_round_trip_and_chunked_fixup() {
        let headers = h(&[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]);
        let mut block = response_head("1.1", 200, "OK", &headers, 5);
        block.extend_from_slice(b"hello");
        let head = parse_response_head(&block, 0).expect("valid head");
        assert_eq!(head.version, "HTTP/1.1");
        assert_eq!(head.status, 200);
        assert_eq!(head.reason, "OK");
        assert_eq!(header(&head.headers, "transfer-encoding"), None);
        assert_eq!(header(&head.headers, "content-length"), Some("5"));
        assert_eq!(&block[head.body_offset..], b"hello");
    }

    #[test]
    fn request_block_adds_host() {
        let block = request_block("GET", "/a?b", "HTTP/2", "e.example", &h(&[("Accept", "*/*")]));
        assert_eq!(block, b"GET /a?b HTTP/2\r\nHost: e.example\r\nAccept: */*\r\n\r\n".to_vec());
    }

    #[test]
    fn rejects_bad_heads() {
        assert!(parse_response_head(b"garbage\r\n\r\n", 0).is_err());
        assert!(parse_response_head(b"HTTP/1.1 abc OK\r\n\r\n", 0).is_err());
        assert!(parse_response_head(b"HTTP/1.1 200 OK\r\nnocolon\r\n\r\n", 0).is_err());
        let huge = vec![b'a'; MAX_HTTP_HEAD_BYTES + 10];
        assert!(parse_response_head(&huge, 0).is_err());
        let latin1 =
            parse_response_head(b"HTTP/1.0 404 Nicht gef\xfcnden\r\n\r\n", 0).expect("latin-1 reason is accepted");
        assert_eq!(latin1.reason, "Nicht gef\u{fc}nden");
        assert_eq!(mime_type(Some("Text/HTML; charset=utf-8")), "text/html");
        assert_eq!(mime_type(None), "unk");
    }
}
