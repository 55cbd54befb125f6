//! CDXJ index lines and the [`CaptureRef`] they describe.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    digest::{parse_sha256_digest, warc_digest},
    error::{Result, WarcError},
    http::{mime_type, parse_response_head},
    reader::ReadRecord,
    record::RecordType,
    surt::surt,
    time::{parse_timestamp14, timestamp14},
};

/// CDXJ `mime` of revisit records (what pywb writes).
pub const REVISIT_MIME: &str = "warc/revisit";

/// One indexed capture (a `response`, `revisit` or `resource` record): what a CDXJ line holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaptureRef {
    /// SURT key of `url`.
    pub surt: String,
    /// Capture time, unix ms, **rounded down to whole seconds** (the CDXJ precision).
    pub captured_at: u64,
    /// `WARC-Target-URI`.
    pub url: String,
    /// Media type of the payload; [`REVISIT_MIME`] for revisits.
    pub mime: String,
    /// HTTP status (0 when the record has no HTTP framing).
    pub status: u16,
    /// SHA-256 of the payload (`WARC-Payload-Digest`).
    pub content_hash: [u8; 32],
    /// WARC file name (no directory).
    pub file: String,
    /// Offset of the record's gzip member in `file`.
    pub offset: u64,
    /// Compressed length of that member.
    pub length: u64,
    /// Redirect target, when known.
    pub redirect_to: Option<String>,
}

impl CaptureRef {
    /// True for revisit records (payload stored in an earlier record).
    pub fn is_revisit(&self) -> bool {
        self.mime == REVISIT_MIME
    }

    /// The 14-digit timestamp.
    pub fn timestamp14(&self) -> String {
        timestamp14(self.captured_at)
    }

    /// Byte offset just past this record's member.
    pub fn end(&self) -> u64 {
        self.offset.saturating_add(self.length)
    }

    /// `<surt> <timestamp> {"url":…,"mime":…,"status":…,"digest":…,"length":…,"offset":…,"filename":…}`
    /// with numbers written as strings, as pywb's indexer does. No trailing newline.
    pub fn to_cdxj_line(&self) -> String {
        let json = CdxjJson {
            url: self.url.clone(),
            mime: self.mime.clone(),
            status: if self.status == 0 { "-".into() } else { self.status.to_string() },
            digest: warc_digest(&self.content_hash),
            length: self.length.to_string(),
            offset: self.offset.to_string(),
            filename: self.file.clone(),
            redirect: self.redirect_to.clone(),
        };
        // Serialising a struct of strings cannot fail.
        let body = serde_json::to_string(&json).unwrap_or_default();
        format!("{} {} {body}", self.surt, self.timestamp14())
    }

    /// Parses a CDXJ line (numbers as strings or JSON numbers).
    ///
    /// # Errors
    /// [`WarcError::Cdxj`] (with `line` 0) for a missing part, bad timestamp, bad JSON, or a
    /// digest that is not `sha256`.
    pub fn from_cdxj_line(line: &str) -> Result<Self> {
        let bad = |reason: &str| WarcError::Cdxj { line: 0, reason: reason.to_string() };
        let mut parts = line.trim_end_matches(['\r', '\n']).splitn(3, ' ');
        let key = parts.next().filter(|k| !k.is_empty()).ok_or_else(|| bad("empty line"))?;
        let ts = parts.next().ok_or_else(|| bad("no timestamp"))?;
        let json = parts.next().ok_or_else(|| bad("no JSON block"))?;
        let captured_at = parse_timestamp14(ts).ok_or_else(|| bad("bad timestamp"))?;
        let v: Value = serde_json::from_str(json).map_err(|e| bad(&format!("bad JSON: {e}")))?;
        let text = |name: &str| -> Option<String> {
            match v.get(name)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let num = |name: &str| -> Result<u64> {
            text(name).and_then(|s| s.parse().ok()).ok_or_else(|| bad(&format!("`{name}` missing or not a number")))
        };
        let content_hash = text("digest")
            .as_deref()
            .and_then(parse_sha256_digest)
            .ok_or_else(|| bad("`digest` missing or not sha256"))?;
        Ok(CaptureRef {
            surt: key.to_string(),
            captured_at,
            url: text("url").ok_or_else(|| bad("`url` missing"))?,
            mime: text("mime").unwrap_or_else(|| "unk".into()),
            status: text("status").and_then(|s| s.parse().ok()).unwrap_or(0),
            content_hash,
            file: text("filename").ok_or_else(|| bad("`filename` missing"))?,
            offset: num("offset")?,
            length: num("length")?,
            redirect_to: text("redirect"),
        })
    }

    /// The index entry for a record read from `file`, or `None` when the record is not one
    /// that is indexed (only `response`, `revisit` and `resource` records with a target URI and
    /// a `sha256:` payload digest are).
    pub fn from_record(read: &ReadRecord, file: &str) -> Option<Self> {
        let rec = &read.record;
        let kind = rec.record_type();
        if !matches!(kind, RecordType::Response | RecordType::Revisit | RecordType::Resource) {
            return None;
        }
        let url = rec.target_uri()?.to_string();
        let content_hash = parse_sha256_digest(rec.headers.get("WARC-Payload-Digest")?)?;
        let captured_at = rec.date_ms()? / 1000 * 1000;
        let (mime, status, redirect_to) = if kind == RecordType::Resource {
            (mime_type(rec.headers.get("Content-Type")), 0, None)
        } else {
            let head = parse_response_head(&rec.block, read.offset).ok()?;
            let hdr = |n| crate::http::header(&head.headers, n);
            let mime =
                if kind == RecordType::Revisit { REVISIT_MIME.to_string() } else { mime_type(hdr("content-type")) };
            let redirect = if (300..400).contains(&head.status) {
                hdr("location").map(|l| crate::surt::resolve(&url, l))
            } else {
                None
            };
            (mime, head.status, redirect)
        };
        Some(CaptureRef {
            surt: surt(&url),
            captured_at,
            url,
            mime,
            status,
            content_hash,
            file: file.to_string(),
            offset: read.offset,
            length: read.length,
            redirect_to,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct CdxjJson {
    url: String,
    mime: String,
    status: String,
    digest: String,
    length: String,
    offset: String,
    filename: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::sha256;

    fn sample() -> CaptureRef {
        CaptureRef {
            surt: "com,example)/a?b=1".into(),
            captured_at: 1_709_251_198_000,
            url: "https://www.example.com/a?b=1".into(),
            mime: "text/html".into(),
            status: 200,
            content_hash: sha256(b"body"),
            file: "archive-00000.warc.gz".into(),
            offset: 1234,
            length: 567,
            redirect_to: None,
        }
    }

    #[test]
    fn cdxj_line_format_and_round_trip() -> Result<()> {
        let r = sample();
        let line = r.to_cdxj_line();
        let expected = format!(
            "com,example)/a?b=1 20240229235958 {{\"url\":\"https://www.example.com/a?b=1\",\
             \"mime\":\"text/html\",\"status\":\"200\",\"digest\":\"{}\",\"length\":\"567\",\
             \"offset\":\"1234\",\"filename\":\"archive-00000.warc.gz\"}}",
            warc_digest(&sha256(b"body"))
        );
        assert_eq!(line, expected);
        assert_eq!(CaptureRef::from_cdxj_line(&line)?, r);
        let mut redirect = sample();
        redirect.status = 301;
        redirect.redirect_to = Some("https://example.com/b".into());
        let line = redirect.to_cdxj_line();
        assert!(line.ends_with(",\"redirect\":\"https://example.com/b\"}"));
        assert_eq!(CaptureRef::from_cdxj_line(&line)?, redirect);
        Ok(())
    }

    #[test]
    fn accepts_numbers_and_rejects_garbage() {
        let hex = crate::digest::hex_digest(&sha256(b"x"));
        let numeric = format!(
            "com,e)/ 20200101000000 {{\"url\":\"http://e.com/\",\"digest\":\"{hex}\",\
             \"offset\":5,\"length\":6,\"filename\":\"f.warc.gz\",\"status\":200}}"
        );
        let r = CaptureRef::from_cdxj_line(&numeric).expect("numeric fields accepted");
        assert_eq!((r.offset, r.length, r.status), (5, 6, 200));
        for bad in [
            "",
            "com,e)/",
            "com,e)/ 2020",
            "com,e)/ 20x0 {}",
            "com,e)/ 20200101000000 {not json",
            "com,e)/ 20200101000000 {\"url\":\"u\",\"digest\":\"sha1:AAAA\",\"offset\":\"1\",\"length\":\"1\",\"filename\":\"f\"}",
        ] {
            assert!(CaptureRef::from_cdxj_line(bad).is_err(), "{bad}");
        }
    }
}
