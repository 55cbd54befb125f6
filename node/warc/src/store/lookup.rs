//! Reading captures back: by content hash, by URL and time, as parsed records, as raw gzip
//! members, and re-verified.

use std::{
    fs::File,
    io::{Read, Seek, SeekFrom},
};

use super::{recovery::read_member_at, writer::WarcStore};
use crate::{
    cdxj::CaptureRef,
    digest::{digest_matches, sha256, warc_digest},
    error::{Result, WarcError},
    http::parse_response_head,
    reader::{ReadRecord, ReaderLimits, WarcReader},
    record::{RecordType, WarcHeaders, WarcRecord},
    surt::surt,
};

/// A capture read back from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    /// `response`, `revisit` or `resource`.
    pub record_type: RecordType,
    /// The record's WARC named fields.
    pub warc_headers: WarcHeaders,
    /// HTTP status (`None` for `resource` records).
    pub http_status: Option<u16>,
    /// HTTP reason phrase.
    pub http_reason: Option<String>,
    /// HTTP response headers as stored.
    pub http_headers: Vec<(String, String)>,
    /// Payload as served (for a revisit, taken from the original record).
    pub body: Vec<u8>,
}

/// Result of [`WarcStore::verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    /// `WARC-Block-Digest` matches the block.
    pub block_digest_ok: bool,
    /// `WARC-Payload-Digest` matches the payload (for a revisit: the original's payload).
    pub payload_digest_ok: bool,
    /// The payload's SHA-256 equals the reference's `content_hash`.
    pub content_hash_ok: bool,
}

impl Verification {
    /// All checks passed.
    pub fn is_valid(&self) -> bool {
        self.block_digest_ok && self.payload_digest_ok && self.content_hash_ok
    }
}

/// Splits an indexed record into HTTP head and payload (the revisit payload comes from
/// `original`).
fn to_stored(read: &ReadRecord, original: Option<&ReadRecord>) -> Result<StoredRecord> {
    let rec = &read.record;
    let kind = rec.record_type();
    let (status, reason, headers, body) = match kind {
        RecordType::Resource => (None, None, Vec::new(), rec.block.clone()),
        RecordType::Response | RecordType::Revisit => {
            let head = parse_response_head(&rec.block, read.offset)?;
            let body = if kind == RecordType::Revisit {
                let digest = rec.headers.get("WARC-Payload-Digest").unwrap_or_default();
                let orig = original.ok_or_else(|| WarcError::OriginalMissing { digest: digest.to_string() })?;
                payload_of(orig)?.to_vec()
            } else {
                rec.block.get(head.body_offset..).unwrap_or_default().to_vec()
            };
            (Some(head.status), Some(head.reason), head.headers, body)
        }
        other => {
            return Err(WarcError::RefMismatch {
                file: String::new(),
                offset: read.offset,
                reason: format!("`{other}` records hold no capture"),
            })
        }
    };
    Ok(StoredRecord {
        record_type: kind,
        warc_headers: rec.headers.clone(),
        http_status: status,
        http_reason: reason,
        http_headers: headers,
        body,
    })
}

/// Payload bytes of a `response` or `resource` record.
fn payload_of(read: &ReadRecord) -> Result<&[u8]> {
    let rec = &read.record;
    match rec.record_type() {
        RecordType::Resource => Ok(&rec.block),
        RecordType::Response => {
            let head = parse_response_head(&rec.block, read.offset)?;
            Ok(rec.block.get(head.body_offset..).unwrap_or_default())
        }
        other => Err(WarcError::RefMismatch {
            file: String::new(),
            offset: read.offset,
            reason: format!("a `{other}` record cannot be a revisit's original"),
        }),
    }
}

/// Decodes what [`WarcStore::record_bytes`] returned on another node: one `response` or
/// `resource` member, or a `revisit` member followed by its original's member. The caller
/// checks `sha256(body)` against the content hash it expects.
///
/// # Errors
/// Reader errors for malformed members; [`WarcError::OriginalMissing`] for a revisit without
/// its original; [`WarcError::TrailingData`] when more members follow.
pub fn decode_record_bytes(bytes: &[u8], limits: ReaderLimits) -> Result<StoredRecord> {
    let mut reader = WarcReader::with_limits(bytes, limits);
    let first = reader.next_record().ok_or(WarcError::NotGzip { offset: 0 })??;
    let second = reader.next_record().transpose()?;
    if reader.next_record().is_some() {
        return Err(WarcError::TrailingData {
            offset: reader.position(),
            bytes: bytes.len() as u64 - reader.position(),
        });
    }
    to_stored(&first, second.as_ref())
}

impl WarcStore {
    /// The first stored non-revisit record whose payload has SHA-256 `hash`.
    pub fn by_hash(&self, hash: &[u8; 32]) -> Option<CaptureRef> {
        self.index.by_hash(hash).cloned()
    }

    /// Captures of `url` (matched by SURT key, so `http`/`https`, `www.` and query order do
    /// not matter) with `from_ms <= captured_at <= to_ms`, oldest first. Bounds are inclusive;
    /// `captured_at` has second precision.
    pub fn captures(&self, url: &str, from_ms: Option<u64>, to_ms: Option<u64>) -> Vec<CaptureRef> {
        let from = from_ms.unwrap_or(0);
        let to = to_ms.unwrap_or(u64::MAX);
        self.index.by_key(&surt(url)).iter().filter(|r| (from..=to).contains(&r.captured_at)).cloned().collect()
    }

    /// Every indexed capture, in SURT-key then time order.
    pub fn all_captures(&self) -> impl Iterator<Item = &CaptureRef> {
        self.index.iter()
    }

    /// Number of indexed captures.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.index.len() == 0
    }

    /// The store file a reference names, refusing any other path (references may come from
    /// peers).
    fn path_of(&self, file: &str) -> Result<std::path::PathBuf> {
        if self.files.iter().any(|f| f == file) {
            Ok(self.dir.join(file))
        } else {
            Err(WarcError::UnknownFile { file: file.to_string() })
        }
    }

    /// Reads the gzip member at the reference and checks it is the record described.
    pub(crate) fn read_ref(&self, r: &CaptureRef) -> Result<ReadRecord> {
        let path = self.path_of(&r.file)?;
        let rr = read_member_at(&path, r.offset, Some(r.length), self.config.limits())?;
        let mismatch = |reason: &str| WarcError::RefMismatch {
            file: r.file.clone(),
            offset: r.offset,
            reason: reason.to_string(),
        };
        if rr.record.target_uri() != Some(r.url.as_str()) {
            return Err(mismatch("target URI differs"));
        }
        let digest = rr.record.headers.get("WARC-Payload-Digest").unwrap_or_default();
        if digest != warc_digest(&r.content_hash) {
            return Err(mismatch("payload digest differs"));
        }
        Ok(rr)
    }

    /// The original (payload-carrying) record of a revisit reference.
    fn original_for(&self, r: &CaptureRef) -> Result<ReadRecord> {
        let orig = self
            .by_hash(&r.content_hash)
            .ok_or_else(|| WarcError::OriginalMissing { digest: warc_digest(&r.content_hash) })?;
        self.read_ref(&orig)
    }

    /// Reads the capture at `r` (exactly the gzip member at `file`, `offset`, `length`); a
    /// revisit's body is taken from its original.
    ///
    /// # Errors
    /// [`WarcError::UnknownFile`]; [`WarcError::RefMismatch`] when the member is not the
    /// record described; reader errors; [`WarcError::OriginalMissing`].
    pub fn read(&self, r: &CaptureRef) -> Result<StoredRecord> {
        let rr = self.read_ref(r)?;
        let original = if rr.record.record_type() == RecordType::Revisit { Some(self.original_for(r)?) } else { None };
        to_stored(&rr, original.as_ref())
    }

    /// Raw bytes of the member at `file`/`offset`/`length`.
    pub(crate) fn raw(&self, file: &str, offset: u64, length: u64) -> Result<Vec<u8>> {
        let path = self.path_of(file)?;
        let io = |e| WarcError::io(&path, e);
        let mut f = File::open(&path).map_err(io)?;
        f.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut buf = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
        f.take(length).read_to_end(&mut buf).map_err(io)?;
        if buf.len() as u64 != length {
            return Err(WarcError::RefMismatch {
                file: file.to_string(),
                offset,
                reason: "file ends inside the record".into(),
            });
        }
        Ok(buf)
    }

    /// The raw gzip member of the capture's record, for content exchange between nodes; for a
    /// revisit, its member followed by the original's. Decode with [`decode_record_bytes`].
    ///
    /// # Errors
    /// [`WarcError::TooLarge`] when the bytes would exceed `max_bytes`; otherwise as
    /// [`WarcStore::read`].
    pub fn record_bytes(&self, r: &CaptureRef, max_bytes: u64) -> Result<Vec<u8>> {
        let mut parts = vec![(r.file.clone(), r.offset, r.length)];
        if r.is_revisit() {
            let orig = self
                .by_hash(&r.content_hash)
                .ok_or_else(|| WarcError::OriginalMissing { digest: warc_digest(&r.content_hash) })?;
            parts.push((orig.file, orig.offset, orig.length));
        }
        let size: u64 = parts.iter().map(|p| p.2).sum();
        if size > max_bytes {
            return Err(WarcError::TooLarge { what: "record bytes", size, cap: max_bytes });
        }
        let mut out = Vec::new();
        for (file, offset, length) in parts {
            out.extend(self.raw(&file, offset, length)?);
        }
        Ok(out)
    }

    /// Re-reads the capture and recomputes its digests.
    ///
    /// # Errors
    /// As [`WarcStore::read`]; a digest mismatch is reported in the result, not as an error.
    pub fn verify(&self, r: &CaptureRef) -> Result<Verification> {
        let path = self.path_of(&r.file)?;
        let rr = read_member_at(&path, r.offset, Some(r.length), self.config.limits())?;
        let rec: &WarcRecord = &rr.record;
        let block_digest_ok = rec.headers.get("WARC-Block-Digest").is_some_and(|d| digest_matches(d, &rec.block));
        let original;
        let payload = if rec.record_type() == RecordType::Revisit {
            original = self.original_for(r)?;
            payload_of(&original)?
        } else {
            payload_of(&rr)?
        };
        Ok(Verification {
            block_digest_ok,
            payload_digest_ok: rec.headers.get("WARC-Payload-Digest").is_some_and(|d| digest_matches(d, payload)),
            content_hash_ok: sha256(payload) == r.content_hash,
        })
    }
}
