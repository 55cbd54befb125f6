//! The content-addressed WARC store: a directory of rolling `.warc.gz` files plus
//! `index.cdxj`.
//!
//! - `config`: [`StoreConfig`].
//! - `writer`: [`WarcStore`] itself: open, [`WarcStore::store`], rollover, fsync'd batches.
//! - `lookup`: by hash, by URL and time, [`WarcStore::read`], raw bytes, [`WarcStore::verify`].
//! - `index`: the in-memory index and the `index.cdxj` file.
//! - `recovery`: index check/rebuild and crash repair on open.

mod config;
mod index;
mod lookup;
mod recovery;
mod writer;

#[cfg(test)]
mod tests;

pub use config::{StoreConfig, DEFAULT_MAX_FILE_BYTES};
pub use index::INDEX_FILE;
pub use lookup::{decode_record_bytes, StoredRecord, Verification};
pub use writer::{RecordPosition, StoredCapture, WarcStore};

pub(crate) use index::sorted_text;
