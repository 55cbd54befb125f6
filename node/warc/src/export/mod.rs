//! Export of the store as one `.warc.gz` ([`crate::WarcStore::export_warc`]) or as a WACZ
//! package ([`crate::WarcStore::export_wacz`]).
//!
//! - `warc`: copies records byte for byte after a new `warcinfo`, collecting index entries.
//! - `wacz`: wraps that WARC, its CDXJ index and the page list in a WACZ 1.1.1 zip.
//! - `pages`: which captures are pages, and their `<title>`.

mod pages;
mod wacz;
mod warc;

pub use wacz::WACZ_VERSION;
pub use warc::ExportSummary;

#[cfg(test)]
mod tests;
