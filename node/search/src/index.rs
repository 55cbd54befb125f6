//! [`SearchIndex`]: opening, rebuilding and writing the on-disk index.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use tantivy::collector::TopDocs;
use tantivy::query::{QueryParser, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};
use tracing::{debug, info, warn};

use crate::error::{Result, SearchError};
use crate::model::{CaptureStatus, IndexDoc};
use crate::schema::{self, Fields};
use crate::{analyzer, query};

/// tantivy's floor for the writer heap of one indexing thread (its baseline use is ~12 MB).
const MIN_HEAP_PER_THREAD_BYTES: usize = 15_000_000;
/// tantivy's ceiling on indexing threads.
const MAX_WRITER_THREADS: usize = 8;
/// [`SearchIndex::rebuild`] commits every this many documents, bounding the memory held for
/// not-yet-committed documents (see [`SearchIndex::add`]).
const REBUILD_COMMIT_EVERY: usize = 10_000;

/// Writer settings. `Default` suits a node on a small machine: one indexing thread, 50 MB heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchConfig {
    /// Indexing threads (1..=8).
    pub writer_threads: usize,
    /// Total writer heap in bytes, split between threads (at least 15 MB per thread).
    pub writer_heap_bytes: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig { writer_threads: 1, writer_heap_bytes: 50_000_000 }
    }
}

impl SearchConfig {
    /// Sets the number of indexing threads.
    pub fn with_writer_threads(mut self, threads: usize) -> Self {
        self.writer_threads = threads;
        self
    }

    /// Sets the total writer heap in bytes.
    pub fn with_writer_heap_bytes(mut self, bytes: usize) -> Self {
        self.writer_heap_bytes = bytes;
        self
    }

    /// Checks the values against tantivy's limits.
    ///
    /// # Errors
    /// [`SearchError::InvalidConfig`] when a value is out of range.
    pub fn validate(&self) -> Result<()> {
        if !(1..=MAX_WRITER_THREADS).contains(&self.writer_threads) {
            return Err(SearchError::InvalidConfig {
                reason: format!("writer_threads is {}, must be 1..={MAX_WRITER_THREADS}", self.writer_threads),
            });
        }
        let needed = self.writer_threads * MIN_HEAP_PER_THREAD_BYTES;
        if self.writer_heap_bytes < needed {
            return Err(SearchError::InvalidConfig {
                reason: format!(
                    "writer_heap_bytes is {}, {} threads need at least {needed}",
                    self.writer_heap_bytes, self.writer_threads
                ),
            });
        }
        Ok(())
    }
}

/// Writer plus the documents added since the last commit (so that [`SearchIndex::set_status`]
/// can rewrite a document that no searcher sees yet).
struct WriterState {
    writer: IndexWriter,
    pending: HashMap<[u8; 32], IndexDoc>,
}

/// A full-text index of captures in one directory.
///
/// **Guarantees.** Searches see exactly the documents of the last successful [`commit`]
/// (reloading is manual, never racy). A content hash appears at most once among committed
/// documents. The handle is `Send + Sync`: share it behind an `Arc`; writes serialize on an
/// internal lock, searches never wait for writes.
///
/// [`commit`]: SearchIndex::commit
pub struct SearchIndex {
    pub(crate) dir: PathBuf,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) parser: QueryParser,
    state: Mutex<WriterState>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("dir", &self.dir).field("docs", &self.len()).finish_non_exhaustive()
    }
}

fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> SearchError + 'a {
    move |source| SearchError::Io { op, path: path.to_path_buf(), source }
}

/// `<dir><suffix>` beside `dir`.
fn sibling(dir: &Path, suffix: &str) -> Result<PathBuf> {
    let name = dir.file_name().ok_or_else(|| SearchError::InvalidPath {
        path: dir.to_path_buf(),
        reason: "the path has no final component",
    })?;
    let mut name = name.to_os_string();
    name.push(suffix);
    Ok(dir.with_file_name(name))
}

fn rebuild_tmp(dir: &Path) -> Result<PathBuf> {
    sibling(dir, ".rebuild-tmp")
}

fn rebuild_old(dir: &Path) -> Result<PathBuf> {
    sibling(dir, ".rebuild-old")
}

fn remove_dir_if_exists(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err("removing", path)(e)),
    }
}

/// Completes the cleanup of a rebuild interrupted by a crash: the live directory is always
/// either the old or the new complete index, except between the two renames, where only the
/// old one (`.rebuild-old`) exists and is put back.
fn recover_interrupted_rebuild(dir: &Path) -> Result<()> {
    let old = rebuild_old(dir)?;
    if !dir.exists() && old.exists() {
        warn!(dir = %dir.display(), "restoring search index left aside by an interrupted rebuild");
        fs::rename(&old, dir).map_err(io_err("restoring", &old))?;
    } else if old.exists() {
        remove_dir_if_exists(&old)?;
    }
    remove_dir_if_exists(&rebuild_tmp(dir)?)
}

fn dir_is_empty_or_missing(dir: &Path) -> Result<bool> {
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(io_err("listing", dir)(e)),
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if `dir` is missing or empty.
    ///
    /// # Errors
    /// [`SearchError::Corrupt`] if `dir` holds files that are not a readable index,
    /// [`SearchError::SchemaMismatch`] if it was written by another schema version (for both,
    /// call [`SearchIndex::rebuild`]), [`SearchError::Locked`] if another writer holds it,
    /// [`SearchError::Io`] for filesystem failures.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        Self::open_with_config(dir, SearchConfig::default())
    }

    /// [`SearchIndex::open`] with explicit writer settings.
    ///
    /// # Errors
    /// As [`SearchIndex::open`], plus [`SearchError::InvalidConfig`].
    pub fn open_with_config(dir: impl AsRef<Path>, config: SearchConfig) -> Result<Self> {
        let dir = dir.as_ref();
        config.validate()?;
        recover_interrupted_rebuild(dir)?;
        let (schema, fields) = schema::build();
        let expected = schema::version_marker();

        let (index, fresh) = if dir_is_empty_or_missing(dir)? {
            fs::create_dir_all(dir).map_err(io_err("creating", dir))?;
            let index = Index::create_in_dir(dir, schema.clone())
                .map_err(|e| SearchError::from_tantivy(dir, "create the index", e))?;
            (index, true)
        } else {
            if !dir.join("meta.json").is_file() {
                return Err(SearchError::Corrupt {
                    path: dir.to_path_buf(),
                    reason: "directory is not empty but has no meta.json".into(),
                });
            }
            let index = Index::open_in_dir(dir)
                .map_err(|e| SearchError::Corrupt { path: dir.to_path_buf(), reason: format!("cannot open: {e}") })?;
            let metas = index.load_metas().map_err(|e| SearchError::from_tantivy(dir, "load meta.json", e))?;
            let schema_matches = index.schema() == schema;
            // An index created but never committed (crash right after creation) has no marker
            // and no segment: adopt it.
            let never_committed = metas.payload.is_none() && metas.segments.is_empty();
            if !schema_matches || (metas.payload.as_deref() != Some(&expected) && !never_committed) {
                return Err(SearchError::SchemaMismatch { path: dir.to_path_buf(), found: metas.payload, expected });
            }
            (index, never_committed)
        };

        analyzer::register(&index);
        let writer: IndexWriter = index
            .writer_with_num_threads(config.writer_threads, config.writer_heap_bytes)
            .map_err(|e| SearchError::from_tantivy(dir, "open the writer", e))?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(|e| {
            SearchError::Corrupt { path: dir.to_path_buf(), reason: format!("cannot open segments: {e}") }
        })?;
        let parser = query::text_parser(&index, &fields);
        let this = SearchIndex {
            dir: dir.to_path_buf(),
            reader,
            fields,
            parser,
            state: Mutex::new(WriterState { writer, pending: HashMap::new() }),
        };
        if fresh {
            this.commit()?;
        }
        debug!(dir = %dir.display(), docs = this.len(), fresh, "search index opened");
        Ok(this)
    }

    /// Replaces whatever is in `dir` with a new index of `docs`, atomically: the index is built
    /// in `<dir>.rebuild-tmp`, then swapped in with two renames; a crash at any point leaves
    /// `dir` holding the old or the new complete index once [`SearchIndex::open`] has run.
    ///
    /// Any other handle on `dir` must be dropped first (it would keep serving the old files).
    /// Documents with the same content hash replace each other, the last one wins.
    ///
    /// # Errors
    /// [`SearchError::Io`] for filesystem failures, [`SearchError::Locked`] if a handle on the
    /// temporary directory is alive, [`SearchError::Tantivy`] if indexing fails; `dir` is left
    /// untouched in every error case before the swap.
    pub fn rebuild(dir: impl AsRef<Path>, docs: impl IntoIterator<Item = IndexDoc>) -> Result<Self> {
        Self::rebuild_with_config(dir, docs, SearchConfig::default())
    }

    /// [`SearchIndex::rebuild`] with explicit writer settings.
    ///
    /// # Errors
    /// As [`SearchIndex::rebuild`], plus [`SearchError::InvalidConfig`].
    pub fn rebuild_with_config(
        dir: impl AsRef<Path>,
        docs: impl IntoIterator<Item = IndexDoc>,
        config: SearchConfig,
    ) -> Result<Self> {
        let dir = dir.as_ref();
        config.validate()?;
        let tmp = rebuild_tmp(dir)?;
        let old = rebuild_old(dir)?;
        remove_dir_if_exists(&tmp)?;

        let tmp_index = SearchIndex::open_with_config(&tmp, config)?;
        let mut count = 0usize;
        for doc in docs {
            tmp_index.add(&doc)?;
            count += 1;
            if count.is_multiple_of(REBUILD_COMMIT_EVERY) {
                tmp_index.commit()?;
            }
        }
        tmp_index.commit()?;
        tmp_index.close()?;

        remove_dir_if_exists(&old)?;
        if dir.exists() {
            fs::rename(dir, &old).map_err(io_err("moving aside", dir))?;
        }
        fs::rename(&tmp, dir).map_err(io_err("moving into place", &tmp))?;
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            // Make the renames durable; failure only weakens crash safety, so log it.
            if let Err(e) = fs::File::open(parent).and_then(|f| f.sync_all()) {
                warn!(dir = %parent.display(), error = %e, "cannot fsync parent directory");
            }
        }
        if let Err(e) = remove_dir_if_exists(&old) {
            warn!(error = %e, "cannot remove the previous search index; next open retries");
        }
        info!(dir = %dir.display(), docs = count, "search index rebuilt");
        SearchIndex::open_with_config(dir, config)
    }

    /// Indexes `doc`, replacing any document with the same content hash. Visible to searches
    /// after the next [`SearchIndex::commit`]; until then the document is also held in memory,
    /// so commit in batches (the indexer commits per block; rebuild every 10,000 documents).
    ///
    /// # Errors
    /// [`SearchError::Tantivy`] if the indexing pipeline has failed.
    pub fn add(&self, doc: &IndexDoc) -> Result<()> {
        let mut state = self.state.lock();
        self.add_locked(&mut state, doc)
    }

    fn add_locked(&self, state: &mut WriterState, doc: &IndexDoc) -> Result<()> {
        let tdoc = schema::to_document(&self.fields, doc);
        state.writer.delete_term(schema::hash_term(&self.fields, &doc.content_hash));
        state.writer.add_document(tdoc).map_err(|e| SearchError::from_tantivy(&self.dir, "add a document", e))?;
        state.pending.insert(doc.content_hash, doc.clone());
        Ok(())
    }

    /// Sets the on-chain status of the capture `content_hash` (committed or added since the
    /// last commit). Visible after the next [`SearchIndex::commit`].
    ///
    /// Returns `false` if no such capture is indexed.
    ///
    /// # Errors
    /// [`SearchError::MalformedDocument`] if the stored document cannot be decoded,
    /// [`SearchError::Tantivy`] / [`SearchError::Corrupt`] on read or write failure.
    pub fn set_status(&self, content_hash: &[u8; 32], status: CaptureStatus) -> Result<bool> {
        let mut state = self.state.lock();
        let current = match state.pending.get(content_hash) {
            Some(doc) => Some(doc.clone()),
            None => self.get(content_hash)?,
        };
        let Some(mut doc) = current else {
            return Ok(false);
        };
        if doc.status != status {
            doc.status = status;
            self.add_locked(&mut state, &doc)?;
        }
        Ok(true)
    }

    /// Makes every document added since the last commit durable and visible to searches.
    ///
    /// # Errors
    /// [`SearchError::Tantivy`] / [`SearchError::Corrupt`] if tantivy cannot write or reload;
    /// the uncommitted documents stay pending.
    pub fn commit(&self) -> Result<()> {
        let mut state = self.state.lock();
        let mut prepared =
            state.writer.prepare_commit().map_err(|e| SearchError::from_tantivy(&self.dir, "prepare a commit", e))?;
        prepared.set_payload(&schema::version_marker());
        prepared.commit().map_err(|e| SearchError::from_tantivy(&self.dir, "commit", e))?;
        state.pending.clear();
        drop(state);
        self.reader.reload().map_err(|e| SearchError::from_tantivy(&self.dir, "reload the reader", e))
    }

    /// Number of committed documents.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// `true` when no document is committed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of segments in the last commit (fewer is faster to search; tantivy merges them in
    /// the background).
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// The directory this index lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The committed document with this content hash, as stored (text truncated to the
    /// indexed length, host lower-cased).
    ///
    /// # Errors
    /// [`SearchError::MalformedDocument`] if the stored document cannot be decoded,
    /// [`SearchError::Tantivy`] / [`SearchError::Corrupt`] on read failure.
    pub fn get(&self, content_hash: &[u8; 32]) -> Result<Option<IndexDoc>> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(schema::hash_term(&self.fields, content_hash), IndexRecordOption::Basic);
        let top = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(|e| SearchError::from_tantivy(&self.dir, "look up a content hash", e))?;
        let Some((_, address)) = top.first() else {
            return Ok(None);
        };
        let stored: TantivyDocument =
            searcher.doc(*address).map_err(|e| SearchError::from_tantivy(&self.dir, "read a stored document", e))?;
        schema::from_stored(&self.fields, &stored).map(Some)
    }

    /// Drops uncommitted documents and waits for background segment merges to finish, so that
    /// the directory is quiescent (required before moving it).
    ///
    /// # Errors
    /// [`SearchError::Tantivy`] if a merge thread failed.
    pub fn close(self) -> Result<()> {
        let SearchIndex { dir, state, .. } = self;
        let WriterState { writer, .. } = state.into_inner();
        writer.wait_merging_threads().map_err(|e| SearchError::from_tantivy(&dir, "finish merges", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SearchIndex>();
    }

    #[test]
    fn config_is_validated() {
        assert!(SearchConfig::default().validate().is_ok());
        assert!(SearchConfig::default().with_writer_threads(0).validate().is_err());
        assert!(SearchConfig::default().with_writer_threads(9).validate().is_err());
        let small = SearchConfig::default().with_writer_threads(4).with_writer_heap_bytes(50_000_000);
        assert!(matches!(small.validate(), Err(SearchError::InvalidConfig { .. })));
    }
}
