//! WARC/1.1 records, a content-addressed WARC store with a CDXJ index, and WARC/WACZ export.
//!
//! # What this crate owns
//!
//! One store directory per node:
//!
//! ```text
//! <dir>/archive-00000.warc.gz   WARC/1.1, one gzip member per record, warcinfo first
//! <dir>/archive-00001.warc.gz   next file once the previous reached max_file_bytes
//! <dir>/index.cdxj              one CDXJ line per response/revisit record (derived data)
//! <dir>/<file>.<offset>.corrupt damaged tails cut off during crash recovery (kept, ignored)
//! ```
//!
//! Anything else in the directory is ignored.
//!
//! # Data flow
//!
//! 1. The crawler builds a [`Capture`] (request and response as sent and served, the body with
//!    its content coding kept) and calls [`WarcStore::store`]. [`Capture::payload_sha256`] is
//!    the content hash that goes on chain.
//! 2. The store writes a `request` + `response` pair, or `request` + `revisit` when the same
//!    non-empty payload is already stored, fsyncs, and indexes the response/revisit.
//! 3. Lookups: [`WarcStore::by_hash`] (content-addressed), [`WarcStore::captures`] (SURT key +
//!    time range), [`WarcStore::read`], [`WarcStore::record_bytes`] (raw gzip members for
//!    content exchange; decode on the other side with [`decode_record_bytes`]) and
//!    [`WarcStore::verify`].
//! 4. Export: [`WarcStore::export_warc`] and [`WarcStore::export_wacz`].
//!
//! # Guarantees
//!
//! - **Format:** every record is `WARC/1.1` with CRLF line ends, `WARC-Record-ID`
//!   (`<urn:uuid:…>`, v4 layout), `WARC-Date` (RFC 3339 UTC with milliseconds, from the
//!   capture time), `Content-Length`, `WARC-Block-Digest` and, on request/response/revisit/
//!   resource records, `WARC-Payload-Digest`, both `sha256:<BASE32>`. Each record is its own
//!   gzip member, so `(file, offset, length)` addresses it and warcio/pywb read the files.
//! - **Determinism:** record building uses no clock and no OS randomness: dates come from the
//!   caller and ids from a [`RecordIdSource`] ([`SeededIds`] in tests, [`OsRandomIds`] by
//!   default).
//! - **Durability:** each `store` call appends its records with one write and `fsync`s the
//!   file before indexing; a failed write is truncated away. The index is derived data.
//! - **Crash recovery:** [`WarcStore::open`] checks `index.cdxj` against the files, indexes
//!   records it lacks, or rebuilds it from the files when it is missing or inconsistent. A
//!   damaged or incomplete tail (crash mid-write, or a `request` whose `response` never made
//!   it) is copied aside to `<file>.<offset>.corrupt` and cut off; a damaged span followed by
//!   intact records is skipped, never removed. Records before the damage are never lost.
//! - **Robust reading:** [`WarcReader`] caps header (64 KiB) and record size and never panics;
//!   malformed records are errors, and the reader moves on to the next member when it can.
//! - **Safety:** references from peers can only name the store's own WARC files.
//!
//! # Example
//!
//! ```
//! use archive_warc::{Capture, SeededIds, StoreConfig, WarcStore};
//!
//! let dir = tempfile::tempdir()?;
//! let mut store = WarcStore::open_with_ids(dir.path(), StoreConfig::default(), SeededIds::new(1))?;
//! let capture = Capture {
//!     url: "https://example.com/".into(),
//!     method: "GET".into(),
//!     request_headers: vec![("User-Agent".into(), "archivechain".into())],
//!     http_version: "HTTP/1.1".into(),
//!     status: 200,
//!     reason: "OK".into(),
//!     response_headers: vec![("Content-Type".into(), "text/html".into())],
//!     body: b"<title>Example</title>".to_vec(),
//!     truncated: None,
//!     ip: None,
//!     captured_at: 1_700_000_000_000,
//!     redirect_to: None,
//! };
//! let stored = store.store(&capture)?;
//! let found = store.by_hash(&capture.payload_sha256()).expect("just stored");
//! assert_eq!(found.offset, stored.offset);
//! assert_eq!(store.read(&found)?.body, capture.body);
//! assert!(store.verify(&found)?.is_valid());
//! store.export_wacz(&dir.path().join("out.wacz"), None)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod capture;
mod cdxj;
mod digest;
mod error;
mod export;
mod http;
mod reader;
mod record;
mod store;
mod surt;
mod time;

pub use capture::{Capture, Truncation};
pub use cdxj::{CaptureRef, REVISIT_MIME};
pub use digest::{digest_matches, hex_digest, parse_sha256_digest, sha256, warc_digest};
pub use error::{Result, WarcError};
pub use export::{ExportSummary, WACZ_VERSION};
pub use http::{parse_response_head, HttpHead};
pub use reader::{
    parse_record, ReadRecord, ReaderLimits, WarcReader, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_RECORD_BYTES,
};
pub use record::{
    metadata_record, resource_record, warc_fields, warcinfo_record, OsRandomIds, RecordBuilder, RecordId,
    RecordIdSource, RecordType, SeededIds, WarcHeaders, WarcRecord, HTTP_REQUEST_TYPE, HTTP_RESPONSE_TYPE,
    REVISIT_PROFILE_IDENTICAL, WARC_FIELDS_TYPE, WARC_VERSION,
};
pub use store::{
    decode_record_bytes, RecordPosition, StoreConfig, StoredCapture, StoredRecord, Verification, WarcStore,
    DEFAULT_MAX_FILE_BYTES, INDEX_FILE,
};
pub use surt::surt;
pub use time::{parse_rfc3339, rfc3339_ms, timestamp14};
