//! The crate's single error type.

use std::path::PathBuf;

/// Everything that can go wrong in `archive-search`.
///
/// `Corrupt` and `SchemaMismatch` are the two variants a caller is expected to recover from by
/// calling [`crate::SearchIndex::rebuild`]: the index is a view derived from the WARC store and
/// can always be rebuilt.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index directory exists but cannot be read as a tantivy index (garbage files, a
    /// truncated or unparsable `meta.json`, unreadable segment files).
    #[error("search index at {path} is corrupt: {reason}")]
    Corrupt {
        /// The index directory.
        path: PathBuf,
        /// What was found to be wrong.
        reason: String,
    },
    /// The index was written by a different schema or analyzer version of this crate.
    #[error("search index at {path} has schema {found:?}, this build expects {expected:?}")]
    SchemaMismatch {
        /// The index directory.
        path: PathBuf,
        /// The version marker found in the index, if any.
        found: Option<String>,
        /// The version marker this build writes.
        expected: String,
    },
    /// Another writer (this or another process) holds the index lock.
    #[error("search index at {path} is locked by another writer")]
    Locked {
        /// The index directory.
        path: PathBuf,
    },
    /// The path cannot hold an index (no final component to derive sibling names from).
    #[error("invalid index path {path}: {reason}")]
    InvalidPath {
        /// The offending path.
        path: PathBuf,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A filesystem operation on the index directory failed.
    #[error("I/O error while {op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A tantivy operation failed for a reason other than corruption or locking.
    #[error("tantivy failed to {op}: {source}")]
    Tantivy {
        /// What was being done.
        op: &'static str,
        /// The underlying error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// The query is not acceptable (too long, bad bounds). Syntax errors in the free text are
    /// not reported here: the text is escaped and parsed again instead.
    #[error("invalid query: {reason}")]
    InvalidQuery {
        /// Why the query was refused.
        reason: String,
    },
    /// `Query::limit` is above [`crate::MAX_LIMIT`].
    #[error("query limit {limit} exceeds the maximum {max}")]
    LimitTooLarge {
        /// The requested page size.
        limit: usize,
        /// The largest page size accepted.
        max: usize,
    },
    /// `Query::offset` is above [`crate::MAX_OFFSET`].
    #[error("query offset {offset} exceeds the maximum {max}")]
    OffsetTooLarge {
        /// The requested offset.
        offset: usize,
        /// The largest offset accepted.
        max: usize,
    },
    /// A [`crate::SearchConfig`] value is out of range.
    #[error("invalid search config: {reason}")]
    InvalidConfig {
        /// Which value and why.
        reason: String,
    },
    /// A stored document lacks a field or holds a value this build cannot decode.
    #[error("stored document is malformed: field {field}: {reason}")]
    MalformedDocument {
        /// The schema field at fault.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Result alias used throughout the crate.
pub type Result<T, E = SearchError> = std::result::Result<T, E>;

impl SearchError {
    /// Maps a tantivy error, classifying corruption and lock failures into their own variants.
    pub(crate) fn from_tantivy(path: &std::path::Path, op: &'static str, e: tantivy::TantivyError) -> Self {
        use tantivy::TantivyError as T;
        match e {
            T::LockFailure(..) => SearchError::Locked { path: path.to_path_buf() },
            T::DataCorruption(..)
            | T::OpenReadError(..)
            | T::OpenDirectoryError(..)
            | T::IncompatibleIndex(..)
            | T::SchemaError(..)
            | T::DeserializeError(..) => {
                SearchError::Corrupt { path: path.to_path_buf(), reason: format!("{op}: {e}") }
            }
            other => SearchError::Tantivy { op, source: other },
        }
    }

    /// `true` when rebuilding the index from the store is the expected remedy.
    pub fn needs_rebuild(&self) -> bool {
        matches!(self, SearchError::Corrupt { .. } | SearchError::SchemaMismatch { .. })
    }
}
