//! The WARC/1.1 record model, record ids and the per-record gzip writer.

use std::{fmt, io::Write};

use flate2::{write::GzEncoder, Compression};

use crate::{
    digest::{sha256, warc_digest},
    time::{parse_rfc3339, rfc3339_ms},
};

/// Version line written on every record.
pub const WARC_VERSION: &str = "WARC/1.1";
/// `Content-Type` of `warcinfo` and `metadata` blocks.
pub const WARC_FIELDS_TYPE: &str = "application/warc-fields";
/// `Content-Type` of `request` blocks.
pub const HTTP_REQUEST_TYPE: &str = "application/http; msgtype=request";
/// `Content-Type` of `response` and `revisit` blocks.
pub const HTTP_RESPONSE_TYPE: &str = "application/http; msgtype=response";
/// `WARC-Profile` of revisits written for an already stored payload.
pub const REVISIT_PROFILE_IDENTICAL: &str = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

/// `WARC-Type` values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecordType {
    /// Describes the records that follow it in a file.
    Warcinfo,
    /// An HTTP request as sent.
    Request,
    /// An HTTP response as received.
    Response,
    /// A capture whose payload is identical to an earlier record's.
    Revisit,
    /// A resource without HTTP framing.
    Resource,
    /// Metadata about another record.
    Metadata,
    /// Any other type (conversion, continuation, ...): read and kept, never indexed.
    Other(String),
}

impl RecordType {
    /// The `WARC-Type` value.
    pub fn as_str(&self) -> &str {
        match self {
            RecordType::Warcinfo => "warcinfo",
            RecordType::Request => "request",
            RecordType::Response => "response",
            RecordType::Revisit => "revisit",
            RecordType::Resource => "resource",
            RecordType::Metadata => "metadata",
            RecordType::Other(s) => s,
        }
    }

    /// Parses a `WARC-Type` value (case-insensitive).
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "warcinfo" => RecordType::Warcinfo,
            "request" => RecordType::Request,
            "response" => RecordType::Response,
            "revisit" => RecordType::Revisit,
            "resource" => RecordType::Resource,
            "metadata" => RecordType::Metadata,
            other => RecordType::Other(other.to_string()),
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `WARC-Record-ID` in its written form `<urn:uuid:xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordId(String);

impl RecordId {
    /// A version-4 style UUID id from 16 random bytes (version and variant bits are set here).
    pub fn from_random(mut bytes: [u8; 16]) -> Self {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let h = data_encoding::HEXLOWER.encode(&bytes);
        RecordId(format!("<urn:uuid:{}-{}-{}-{}-{}>", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]))
    }

    /// Wraps an id read from a record (kept verbatim).
    pub fn from_header(value: &str) -> Self {
        RecordId(value.trim().to_string())
    }

    /// The header value, angle brackets included.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where record ids come from. Record building never touches OS randomness itself, so a
/// seeded source gives byte-identical output in tests.
pub trait RecordIdSource {
    /// 16 fresh random bytes.
    fn next_bytes(&mut self) -> [u8; 16];

    /// A fresh record id.
    fn next_id(&mut self) -> RecordId {
        RecordId::from_random(self.next_bytes())
    }
}

impl<F: FnMut() -> [u8; 16]> RecordIdSource for F {
    fn next_bytes(&mut self) -> [u8; 16] {
        self()
    }
}

/// Deterministic ids from a 64-bit seed (splitmix64). For tests and reproducible fixtures only:
/// two stores with the same seed produce the same ids.
#[derive(Debug, Clone)]
pub struct SeededIds {
    state: u64,
}

impl SeededIds {
    /// A source starting at `seed`.
    pub fn new(seed: u64) -> Self {
        SeededIds { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl RecordIdSource for SeededIds {
    fn next_bytes(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        out[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        out
    }
}

/// Ids from the operating system's random generator (via `uuid`); the production default.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandomIds;

impl RecordIdSource for OsRandomIds {
    fn next_bytes(&mut self) -> [u8; 16] {
        uuid::Uuid::new_v4().into_bytes()
    }
}

/// Ordered WARC named fields; lookups are case-insensitive, order and case are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarcHeaders(Vec<(String, String)>);

impl WarcHeaders {
    /// Empty header list.
    pub fn new() -> Self {
        Self::default()
    }

    /// First value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Appends a field; CR and LF in name or value become spaces so a field can never
    /// inject another one.
    pub fn push(&mut self, name: &str, value: &str) {
        self.0.push((clean(name), clean(value)));
    }

    /// All fields in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    pub(crate) fn from_vec(fields: Vec<(String, String)>) -> Self {
        WarcHeaders(fields)
    }
}

fn clean(s: &str) -> String {
    s.trim().replace(['\r', '\n'], " ")
}

/// One WARC record: named fields and a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcRecord {
    /// Version line, e.g. `WARC/1.1`.
    pub version: String,
    /// Named fields, `Content-Length` included.
    pub headers: WarcHeaders,
    /// The block (`Content-Length` bytes).
    pub block: Vec<u8>,
}

impl WarcRecord {
    /// Starts a record of `kind` with its mandatory id and date.
    pub fn builder(kind: RecordType, id: &RecordId, date_ms: u64) -> RecordBuilder {
        let mut headers = WarcHeaders::new();
        headers.push("WARC-Type", kind.as_str());
        headers.push("WARC-Record-ID", id.as_str());
        headers.push("WARC-Date", &rfc3339_ms(date_ms));
        RecordBuilder { headers, content_type: None, block: Vec::new(), payload: None }
    }

    /// `WARC-Type`.
    pub fn record_type(&self) -> RecordType {
        RecordType::parse(self.headers.get("WARC-Type").unwrap_or_default())
    }

    /// `WARC-Record-ID`.
    pub fn record_id(&self) -> Option<RecordId> {
        self.headers.get("WARC-Record-ID").map(RecordId::from_header)
    }

    /// `WARC-Date` in unix milliseconds, if present and well formed.
    pub fn date_ms(&self) -> Option<u64> {
        self.headers.get("WARC-Date").and_then(parse_rfc3339)
    }

    /// `WARC-Target-URI` (angle brackets, as old wget wrote them, removed).
    pub fn target_uri(&self) -> Option<&str> {
        self.headers.get("WARC-Target-URI").map(|u| u.trim_start_matches('<').trim_end_matches('>'))
    }

    /// The uncompressed record: version line, fields, blank line, block, `CRLF CRLF`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.block.len() + 512);
        out.extend_from_slice(self.version.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (n, v) in self.headers.iter() {
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    /// The record as one complete gzip member (WARC 1.1 Annex D), ready to append to a
    /// `.warc.gz` file.
    pub fn to_gzip_member(&self) -> Vec<u8> {
        let raw = self.to_bytes();
        let mut enc = GzEncoder::new(Vec::with_capacity(raw.len() / 2 + 64), Compression::new(6));
        // Writing to a Vec cannot fail.
        let written = enc.write_all(&raw).and_then(|()| enc.finish());
        written.expect("gzip into a Vec<u8> is infallible")
    }
}

/// Builds a [`WarcRecord`], computing `Content-Length` and the digests.
#[derive(Debug, Clone)]
pub struct RecordBuilder {
    headers: WarcHeaders,
    content_type: Option<String>,
    block: Vec<u8>,
    payload: Option<String>,
}

impl RecordBuilder {
    /// Adds a named field (order is kept).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push(name, value);
        self
    }

    /// Adds a field only when `value` is `Some`.
    pub fn header_opt(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.header(name, v),
            None => self,
        }
    }

    /// Sets the block and its `Content-Type`.
    pub fn block(mut self, content_type: &str, block: Vec<u8>) -> Self {
        self.content_type = Some(content_type.to_string());
        self.block = block;
        self
    }

    /// Writes `WARC-Payload-Digest: sha256:<base32>` of `payload`.
    pub fn payload(mut self, payload: &[u8]) -> Self {
        self.payload = Some(warc_digest(&sha256(payload)));
        self
    }

    /// Writes a given `WARC-Payload-Digest` value (revisits carry the original's).
    pub fn payload_digest(mut self, digest: &str) -> Self {
        self.payload = Some(digest.to_string());
        self
    }

    /// Finishes the record: payload digest, block digest, `Content-Type`, `Content-Length`.
    pub fn build(self) -> WarcRecord {
        let mut headers = self.headers;
        if let Some(p) = &self.payload {
            headers.push("WARC-Payload-Digest", p);
        }
        headers.push("WARC-Block-Digest", &warc_digest(&sha256(&self.block)));
        if let Some(ct) = &self.content_type {
            headers.push("Content-Type", ct);
        }
        headers.push("Content-Length", &self.block.len().to_string());
        WarcRecord { version: WARC_VERSION.to_string(), headers, block: self.block }
    }
}

/// An `application/warc-fields` block: `name: value CRLF` lines.
pub fn warc_fields(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, v) in fields {
        out.extend_from_slice(clean(n).as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(clean(v).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A `warcinfo` record for file `filename`, with `fields` (software, operator, ...) as block.
pub fn warcinfo_record(id: &RecordId, date_ms: u64, filename: &str, fields: &[(&str, &str)]) -> WarcRecord {
    WarcRecord::builder(RecordType::Warcinfo, id, date_ms)
        .header("WARC-Filename", filename)
        .block(WARC_FIELDS_TYPE, warc_fields(fields))
        .build()
}

/// A `resource` record: `body` under `target_uri` with MIME type `mime`, no HTTP framing.
pub fn resource_record(
    id: &RecordId,
    date_ms: u64,
    target_uri: &str,
    mime: &str,
    body: Vec<u8>,
    warcinfo_id: Option<&RecordId>,
) -> WarcRecord {
    WarcRecord::builder(RecordType::Resource, id, date_ms)
        .header("WARC-Target-URI", target_uri)
        .header_opt("WARC-Warcinfo-ID", warcinfo_id.map(RecordId::as_str))
        .payload(&body)
        .block(mime, body)
        .build()
}

/// A `metadata` record about `target_uri` (linked to record `concurrent_to` when given).
pub fn metadata_record(
    id: &RecordId,
    date_ms: u64,
    target_uri: &str,
    concurrent_to: Option<&RecordId>,
    warcinfo_id: Option<&RecordId>,
    fields: &[(&str, &str)],
) -> WarcRecord {
    WarcRecord::builder(RecordType::Metadata, id, date_ms)
        .header("WARC-Target-URI", target_uri)
        .header_opt("WARC-Warcinfo-ID", warcinfo_id.map(RecordId::as_str))
        .header_opt("WARC-Concurrent-To", concurrent_to.map(RecordId::as_str))
        .block(WARC_FIELDS_TYPE, warc_fields(fields))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_are_v4_and_deterministic() {
        let a = SeededIds::new(7).next_id();
        let b = SeededIds::new(7).next_id();
        assert_eq!(a, b);
        let s = a.as_str();
        assert!(s.starts_with("<urn:uuid:") && s.ends_with('>'), "{s}");
        let uuid = &s[10..s.len() - 1];
        let parsed = uuid::Uuid::parse_str(uuid).expect("well-formed uuid");
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
        let mut ids = SeededIds::new(7);
        assert_ne!(ids.next_id(), ids.next_id());
        let mut counter = 0u8;
        let mut closure = move || {
            counter += 1;
            [counter; 16]
        };
        assert_ne!(closure.next_id(), closure.next_id());
    }

    #[test]
    fn serialises_with_crlf_and_digests() {
        let id = RecordId::from_random([0; 16]);
        let rec = resource_record(&id, 0, "https://e.example/x", "text/plain", b"hi".to_vec(), None);
        let text = String::from_utf8(rec.to_bytes()).expect("ascii record");
        let expected_digest = warc_digest(&sha256(b"hi"));
        let expected = format!(
            "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000000>\r\n\
             WARC-Date: 1970-01-01T00:00:00.000Z\r\nWARC-Target-URI: https://e.example/x\r\n\
             WARC-Payload-Digest: {expected_digest}\r\nWARC-Block-Digest: {expected_digest}\r\n\
             Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi\r\n\r\n"
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn header_values_cannot_inject_fields() {
        let id = RecordId::from_random([1; 16]);
        let rec =
            WarcRecord::builder(RecordType::Metadata, &id, 0).header("X-Evil", "a\r\nWARC-Type: response").build();
        assert_eq!(rec.headers.get("X-Evil"), Some("a  WARC-Type: response"));
        assert_eq!(rec.record_type(), RecordType::Metadata);
    }
}
