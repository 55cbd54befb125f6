//! WACZ page list: which exported captures are pages, and their titles.

use std::io::Read;

use flate2::read::{GzDecoder, ZlibDecoder};
use serde::Serialize;

use crate::{
    digest::sha256,
    http::{header, mime_type, parse_response_head},
    reader::ReadRecord,
    record::RecordType,
    time::rfc3339_secs,
};

/// Most decoded body bytes searched for a `<title>` (titles sit near the top).
const TITLE_SCAN_BYTES: u64 = 256 * 1024;
/// Longest title kept, in characters.
const MAX_TITLE_CHARS: usize = 300;
/// Header line of `pages/pages.jsonl`.
pub(crate) const PAGES_HEADER: &str = r#"{"format":"json-pages-1.0","id":"pages","title":"All Pages"}"#;

/// One line of `pages/pages.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Page {
    pub id: String,
    pub url: String,
    pub ts: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// The page entry of a record: a 2xx `response` or `revisit` served as HTML.
pub(crate) fn page_of(read: &ReadRecord) -> Option<Page> {
    let rec = &read.record;
    let kind = rec.record_type();
    if kind != RecordType::Response && kind != RecordType::Revisit {
        return None;
    }
    let head = parse_response_head(&rec.block, read.offset).ok()?;
    let mime = mime_type(header(&head.headers, "content-type"));
    if !(200..300).contains(&head.status) || !matches!(mime.as_str(), "text/html" | "application/xhtml+xml") {
        return None;
    }
    let url = rec.target_uri()?.to_string();
    let ts = rfc3339_secs(rec.date_ms()?);
    let title = if kind == RecordType::Response {
        let body = rec.block.get(head.body_offset..).unwrap_or_default();
        html_title(header(&head.headers, "content-encoding"), body)
    } else {
        None
    };
    let id = data_encoding::HEXLOWER.encode(&sha256(format!("{ts} {url}").as_bytes())[..16]);
    Some(Page { id, url, ts, title })
}

/// The `<title>` of an HTML body served with `content_encoding` (identity, gzip or deflate;
/// other codings give `None`). Reads at most [`TITLE_SCAN_BYTES`] decoded bytes.
pub(crate) fn html_title(content_encoding: Option<&str>, body: &[u8]) -> Option<String> {
    let coding = content_encoding.map(|c| c.trim().to_ascii_lowercase());
    let mut text = Vec::new();
    let result = match coding.as_deref() {
        None | Some("") | Some("identity") => {
            let n = body.len().min(TITLE_SCAN_BYTES as usize);
            text.extend_from_slice(&body[..n]);
            Ok(n)
        }
        Some("gzip") | Some("x-gzip") => GzDecoder::new(body).take(TITLE_SCAN_BYTES).read_to_end(&mut text),
        Some("deflate") => ZlibDecoder::new(body).take(TITLE_SCAN_BYTES).read_to_end(&mut text),
        Some(_) => return None,
    };
    // A truncated or corrupt compressed body still yields what decoded before the damage.
    if result.is_err() && text.is_empty() {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let open = crate::http::find(&lower, b"<title")?;
    let start = open + lower[open..].iter().position(|&b| b == b'>')? + 1;
    let len = crate::http::find(&lower[start..], b"</title").unwrap_or(lower.len() - start);
    let raw = String::from_utf8_lossy(&text[start..start + len]);
    let title = decode_entities(&raw.split_whitespace().collect::<Vec<_>>().join(" "));
    let title: String = title.chars().take(MAX_TITLE_CHARS).collect();
    (!title.is_empty()).then_some(title)
}

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::{write::GzEncoder, Compression};

    use super::*;

    #[test]
    fn finds_titles() {
        let html = b"<html><head><TITLE lang=en>\n Caf\xc3\xa9 &amp; Co </title></head></html>";
        assert_eq!(html_title(None, html).as_deref(), Some("Caf\u{e9} & Co"));
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(html).expect("vec write");
        let gz = gz.finish().expect("vec finish");
        assert_eq!(html_title(Some("gzip"), &gz).as_deref(), Some("Caf\u{e9} & Co"));
        // A cut-off body must not panic; it yields the title only if it decoded that far.
        let cut = html_title(Some("gzip"), &gz[..gz.len() / 2]);
        assert!(matches!(cut.as_deref(), None | Some("Caf\u{e9} & Co")), "{cut:?}");
        assert_eq!(html_title(Some("br"), html), None);
        assert_eq!(html_title(None, b"<p>no title</p>"), None);
        assert_eq!(html_title(None, b"<title></title>"), None);
        assert_eq!(html_title(Some("gzip"), b"not gzip"), None);
    }
}
