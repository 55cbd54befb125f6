//! Full-text search over captures (tantivy): English and French stemming, BM25, snippets,
//! filters, suggestions; a rebuildable view.
//!
//! # What it owns
//! One tantivy index directory per node (the only crate in the workspace that links tantivy).
//! The index is a *view*: the WARC store is the source of truth, so a corrupt or outdated
//! index is not repaired but rebuilt ([`SearchIndex::rebuild`]).
//!
//! # Data flow
//! The indexer worker turns each stored capture into an [`IndexDoc`] and calls
//! [`SearchIndex::add`], then [`SearchIndex::commit`] once per batch (per imported block);
//! when the chain attests a capture it calls [`SearchIndex::set_status`]. The RPC layer calls
//! [`SearchIndex::search`] and [`SearchIndex::suggest`] on a shared `Arc<SearchIndex>`.
//!
//! # Example
//! ```
//! use archive_search::{CaptureStatus, IndexDoc, Lang, Query, SearchIndex};
//!
//! # fn main() -> Result<(), archive_search::SearchError> {
//! # let tmp = std::env::temp_dir().join(format!("archive-search-doc-{}", std::process::id()));
//! # let dir = tmp.join("index");
//! let index = match SearchIndex::open(&dir) {
//!     Err(e) if e.needs_rebuild() => SearchIndex::rebuild(&dir, std::iter::empty())?,
//!     other => other?,
//! };
//! index.add(&IndexDoc {
//!     content_hash: [7; 32],
//!     url: "https://exemple.fr/patrimoine".into(),
//!     host: "exemple.fr".into(),
//!     title: "Patrimoine numérique".into(),
//!     text: "Les archives numériques sont préservées.".into(),
//!     tags: vec!["culture".into()],
//!     language: Lang::Fr,
//!     captured_at_ms: 1_700_000_000_000,
//!     status: CaptureStatus::Pending,
//!     size: 4096,
//! })?;
//! index.commit()?;
//! let results = index.search(&Query::text("archive"))?;
//! assert_eq!(results.total, 1);
//! assert!(results.hits[0].snippet_html.contains("<b>archives</b>"));
//! # drop(index);
//! # let _ = std::fs::remove_dir_all(&tmp);
//! # Ok(())
//! # }
//! ```
//!
//! # Modules
//! - `model`: the public request/response types.
//! - `schema`: fields, schema version, `IndexDoc` ⇄ stored document.
//! - `analyzer`: the English, French, URL and suggestion analyzers.
//! - `index`: open / rebuild / add / set_status / commit.
//! - `query`: free text + filters → tantivy query (never a syntax error).
//! - `search`, `facets`: ranking, pagination, snippets, facet counts.
//! - `suggest`: prefix completion from the title term dictionary.

mod analyzer;
mod error;
mod facets;
mod index;
mod model;
mod query;
mod schema;
mod search;
mod suggest;

pub use error::{Result, SearchError};
pub use facets::MAX_FACET_VALUES;
pub use index::{SearchConfig, SearchIndex};
pub use model::{
    CaptureStatus, FacetCount, Facets, Hit, IndexDoc, Lang, Query, SearchResults, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET,
    MAX_QUERY_BYTES,
};
pub use search::SNIPPET_MAX_CHARS;
pub use suggest::MAX_SUGGESTIONS;

/// Version of the on-disk schema and analyzers this build reads and writes.
pub const SCHEMA_VERSION: u32 = schema::SCHEMA_VERSION;
