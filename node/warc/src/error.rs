//! The crate's one error type.

use std::{io, path::PathBuf};

/// Everything that can go wrong while writing, reading, indexing or exporting WARC data.
///
/// Variants about a single record carry `offset`: the byte offset of the record's gzip member in
/// its file (or in the stream given to [`crate::WarcReader`]).
#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    /// An I/O operation on a file of the store (or an export target) failed.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Reading a stream given to [`crate::WarcReader`] failed below the gzip layer.
    #[error("I/O error reading record at offset {offset}: {source}")]
    ReadIo {
        /// Where the failing record started.
        offset: u64,
        /// The underlying error.
        source: io::Error,
    },
    /// The bytes at `offset` do not start a gzip member (magic `1f 8b` missing).
    #[error("no gzip member at offset {offset}")]
    NotGzip {
        /// Where a member was expected.
        offset: u64,
    },
    /// The gzip member at `offset` is corrupt or cut short (for example by a crash mid-write).
    #[error("corrupt or truncated gzip member at offset {offset}: {source}")]
    Gzip {
        /// Where the member started.
        offset: u64,
        /// The decoder's error.
        source: io::Error,
    },
    /// The record at `offset` is larger than the reader's record limit.
    #[error("record at offset {offset} exceeds the limit of {limit} bytes")]
    RecordTooLarge {
        /// Where the record started.
        offset: u64,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The WARC header block of the record at `offset` is longer than the header limit.
    #[error("WARC header at offset {offset} exceeds the limit of {limit} bytes")]
    HeaderTooLarge {
        /// Where the record started.
        offset: u64,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The record at `offset` does not start with a `WARC/1.x` version line.
    #[error("record at offset {offset} has no WARC/1.x version line (found `{found}`)")]
    BadVersion {
        /// Where the record started.
        offset: u64,
        /// The first line (shortened).
        found: String,
    },
    /// A mandatory WARC header is missing.
    #[error("record at offset {offset} lacks the mandatory header `{name}`")]
    MissingHeader {
        /// Where the record started.
        offset: u64,
        /// The missing header's name.
        name: &'static str,
    },
    /// The WARC header block is malformed (not UTF-8, a line without `:`, a bad number, ...).
    #[error("malformed WARC header at offset {offset}: {reason}")]
    InvalidHeader {
        /// Where the record started.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// The member ended before the `Content-Length` bytes of the block.
    #[error("record at offset {offset} promises {expected} block bytes but has {found}")]
    BlockTruncated {
        /// Where the record started.
        offset: u64,
        /// `Content-Length`.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// The member holds more than one record or junk after the block; offsets would be wrong.
    #[error("gzip member at offset {offset} has {bytes} unexpected bytes after its record")]
    TrailingData {
        /// Where the member started.
        offset: u64,
        /// Number of extra bytes.
        bytes: u64,
    },
    /// An HTTP message inside a `request`/`response`/`revisit` block could not be parsed.
    #[error("malformed HTTP message in record at offset {offset}: {reason}")]
    InvalidHttp {
        /// Where the record started.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// A [`crate::Capture`] cannot be stored as given.
    #[error("invalid capture of `{url}`: {reason}")]
    InvalidCapture {
        /// The capture's URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// A [`crate::StoreConfig`] value is out of range.
    #[error("invalid store configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: String,
    },
    /// A [`crate::CaptureRef`] names a file that is not one of the store's WARC files.
    #[error("`{file}` is not a WARC file of this store")]
    UnknownFile {
        /// The name given.
        file: String,
    },
    /// The record found at a [`crate::CaptureRef`]'s position is not the one it describes.
    #[error("record at {file}:{offset} does not match its reference: {reason}")]
    RefMismatch {
        /// File name.
        file: String,
        /// Member offset.
        offset: u64,
        /// What differs.
        reason: String,
    },
    /// A revisit's original payload (by payload digest) is not in the store.
    #[error("original record for payload {digest} is not in the store")]
    OriginalMissing {
        /// The `sha256:` payload digest.
        digest: String,
    },
    /// The requested bytes exceed the caller's size cap.
    #[error("{what} is {size} bytes, over the cap of {cap} bytes")]
    TooLarge {
        /// What was requested.
        what: &'static str,
        /// Its size.
        size: u64,
        /// The cap.
        cap: u64,
    },
    /// A CDXJ line could not be parsed.
    #[error("malformed CDXJ line {line}: {reason}")]
    Cdxj {
        /// 1-based line number (0 when parsing a lone line).
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// Writing the WACZ zip container failed.
    #[error("WACZ zip error: {source}")]
    Zip {
        /// The zip writer's error.
        #[from]
        source: zip::result::ZipError,
    },
    /// Encoding JSON for an export failed.
    #[error("JSON encoding failed: {source}")]
    Json {
        /// serde_json's error.
        #[from]
        source: serde_json::Error,
    },
}

impl WarcError {
    /// `Io` error with the path it happened on.
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        WarcError::Io { path: path.into(), source }
    }

    /// True when the error is at the gzip layer: the member's end is unknown, so a reader
    /// cannot continue after it.
    pub fn is_framing(&self) -> bool {
        matches!(self, WarcError::NotGzip { .. } | WarcError::Gzip { .. } | WarcError::ReadIo { .. })
    }
}

/// Shorthand for this crate's results.
pub type Result<T, E = WarcError> = std::result::Result<T, E>;
