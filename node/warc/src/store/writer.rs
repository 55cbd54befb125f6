//! [`WarcStore`]: opening a store directory and appending captures.

use std::{
    fs::{self, File, OpenOptions},
    io::Write,
    path::{Path, PathBuf},
};

use tracing::{debug, warn};

use super::{
    config::StoreConfig,
    index::{self, file_name, file_number, MemIndex},
    recovery::{self, first_record, read_member_at},
};
use crate::{
    capture::{request_record, response_record, revisit_record, Capture, CaptureIds, Original},
    cdxj::CaptureRef,
    digest::warc_digest,
    error::{Result, WarcError},
    reader::ReadRecord,
    record::{metadata_record, warcinfo_record, OsRandomIds, RecordId, RecordIdSource, RecordType, WarcRecord},
};

/// Where [`WarcStore::store`] put a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCapture {
    /// SHA-256 of the payload ([`Capture::payload_sha256`]).
    pub content_hash: [u8; 32],
    /// WARC file name (inside the store directory).
    pub file: String,
    /// Offset of the `response` (or `revisit`) record's gzip member.
    pub offset: u64,
    /// Compressed length of that member.
    pub length: u64,
    /// `WARC-Record-ID` of that record.
    pub record_id: RecordId,
    /// True when a `revisit` record was written because the payload was already stored.
    pub revisit: bool,
}

/// Where a record written by [`WarcStore::store_metadata`] lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPosition {
    /// WARC file name.
    pub file: String,
    /// Offset of the record's gzip member.
    pub offset: u64,
    /// Compressed length of the member.
    pub length: u64,
    /// `WARC-Record-ID`.
    pub record_id: RecordId,
}

/// What one [`WarcStore::append_batch`] call wrote.
struct Batch {
    file: String,
    /// (offset, length) of each record's member, in order.
    positions: Vec<(u64, u64)>,
    records: Vec<WarcRecord>,
}

/// The file being appended to.
struct Current {
    name: String,
    number: u64,
    file: File,
    len: u64,
    /// Id of the file's `warcinfo`; `None` until it is written with the first batch.
    warcinfo_id: Option<RecordId>,
    /// True once the file holds a record other than its `warcinfo`.
    has_content: bool,
}

/// A directory of `.warc.gz` files with a CDXJ index; see the crate docs for guarantees.
///
/// Not internally synchronised: share it behind a mutex. One process per directory.
pub struct WarcStore {
    pub(crate) dir: PathBuf,
    pub(crate) config: StoreConfig,
    pub(crate) ids: Box<dyn RecordIdSource + Send>,
    /// WARC file names, oldest first.
    pub(crate) files: Vec<String>,
    current: Option<Current>,
    pub(crate) index: MemIndex,
    index_file: File,
    /// An append to `index.cdxj` failed; stop appending until it is rewritten.
    index_broken: bool,
}

impl std::fmt::Debug for WarcStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarcStore")
            .field("dir", &self.dir)
            .field("files", &self.files.len())
            .field("captures", &self.index.len())
            .finish_non_exhaustive()
    }
}

fn list_files(dir: &Path) -> Result<Vec<String>> {
    let mut found: Vec<(u64, String)> = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| WarcError::io(dir, e))? {
        let entry = entry.map_err(|e| WarcError::io(dir, e))?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        match file_number(&name) {
            Some(n) if entry.file_type().is_ok_and(|t| t.is_file()) => found.push((n, name)),
            _ => debug!(file = %name, "ignoring non-WARC entry in store directory"),
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, n)| n).collect())
}

impl WarcStore {
    /// Opens (or creates) the store in `dir` with record ids from the OS random generator.
    ///
    /// Checks `index.cdxj` against the WARC files, indexes records it lacks or rebuilds it,
    /// and repairs a damaged tail left by a crash (see the crate docs).
    ///
    /// # Errors
    /// [`WarcError::InvalidConfig`]; [`WarcError::Io`] when the directory or its files cannot
    /// be read or written.
    pub fn open(dir: impl AsRef<Path>, config: StoreConfig) -> Result<Self> {
        Self::open_with_ids(dir, config, OsRandomIds)
    }

    /// Like [`WarcStore::open`], with record ids from `ids` (seeded sources make tests
    /// deterministic).
    ///
    /// # Errors
    /// As [`WarcStore::open`].
    pub fn open_with_ids(
        dir: impl AsRef<Path>,
        config: StoreConfig,
        ids: impl RecordIdSource + Send + 'static,
    ) -> Result<Self> {
        config.validate()?;
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| WarcError::io(&dir, e))?;
        let files = list_files(&dir)?;
        let refs = recovery::recover(&dir, &files, config.limits())?;
        let mut idx = MemIndex::default();
        for r in refs {
            idx.insert(r);
        }
        let index_file = index::open_append(&dir)?;
        let mut store = WarcStore {
            dir,
            config,
            ids: Box::new(ids),
            files,
            current: None,
            index: idx,
            index_file,
            index_broken: false,
        };
        store.current = store.reopen_last()?;
        Ok(store)
    }

    /// The last file, when it can take more records (empty, or starting with our `warcinfo`).
    fn reopen_last(&self) -> Result<Option<Current>> {
        let Some(name) = self.files.last() else {
            return Ok(None);
        };
        let Some(number) = file_number(name) else {
            return Ok(None);
        };
        let path = self.dir.join(name);
        let len = fs::metadata(&path).map_err(|e| WarcError::io(&path, e))?.len();
        let (warcinfo_id, has_content) = if len == 0 {
            (None, false)
        } else {
            match first_record(&path, self.config.limits()) {
                Some(rr) if rr.record.record_type() == RecordType::Warcinfo => (rr.record.record_id(), len > rr.length),
                _ => return Ok(None),
            }
        };
        let file = OpenOptions::new().append(true).open(&path).map_err(|e| WarcError::io(&path, e))?;
        Ok(Some(Current { name: name.clone(), number, file, len, warcinfo_id, has_content }))
    }

    /// Starts the next numbered file (empty; its `warcinfo` goes out with the first batch).
    fn start_file(&mut self) -> Result<Current> {
        let number = self.files.last().and_then(|n| file_number(n)).map_or(0, |n| n + 1);
        let name = file_name(number);
        let path = self.dir.join(&name);
        let file = OpenOptions::new().append(true).create_new(true).open(&path).map_err(|e| WarcError::io(&path, e))?;
        index::sync_dir(&self.dir);
        self.files.push(name.clone());
        debug!(file = %name, "started WARC file");
        Ok(Current { name, number, file, len: 0, warcinfo_id: None, has_content: false })
    }

    /// Appends the records `build` makes (given the file's `warcinfo` id) as one fsync'd batch,
    /// preceded by the file's `warcinfo` when the file is new; rolls over first when the batch
    /// would take a non-empty file past `max_file_bytes`. Returns the file name, each
    /// record's (offset, length) and the records.
    fn append_batch(&mut self, at_ms: u64, build: &dyn Fn(&RecordId) -> Vec<WarcRecord>) -> Result<Batch> {
        let mut cur = match self.current.take() {
            Some(c) => c,
            None => self.start_file()?,
        };
        let (bytes, sizes, records, warcinfo_id) = loop {
            let (warcinfo_id, info_member) = match &cur.warcinfo_id {
                Some(id) => (id.clone(), Vec::new()),
                None => {
                    let id = self.ids.next_id();
                    let fields = self.config.warcinfo_fields();
                    let rec = warcinfo_record(&id, at_ms, &cur.name, &fields);
                    (id, rec.to_gzip_member())
                }
            };
            let records = build(&warcinfo_id);
            let members: Vec<Vec<u8>> = records.iter().map(WarcRecord::to_gzip_member).collect();
            let total: u64 = members.iter().map(|m| m.len() as u64).sum::<u64>() + info_member.len() as u64;
            if cur.has_content && cur.len.saturating_add(total) > self.config.max_file_bytes {
                debug!(file = %cur.name, number = cur.number, "rolling over to a new WARC file");
                cur = self.start_file()?;
                continue;
            }
            let mut sizes = Vec::with_capacity(members.len());
            let mut at = cur.len + info_member.len() as u64;
            let mut bytes = info_member;
            for m in members {
                sizes.push((at, m.len() as u64));
                at += m.len() as u64;
                bytes.extend(m);
            }
            break (bytes, sizes, records, warcinfo_id);
        };
        let path = self.dir.join(&cur.name);
        if let Err(e) = cur.file.write_all(&bytes).and_then(|()| cur.file.sync_data()) {
            // Leave no partial batch behind (best effort; recovery on open handles the rest).
            if let Err(e2) = cur.file.set_len(cur.len) {
                warn!(file = %cur.name, error = %e2, "could not undo a partial write");
            }
            self.current = Some(cur);
            return Err(WarcError::io(path, e));
        }
        cur.len += bytes.len() as u64;
        cur.warcinfo_id = Some(warcinfo_id);
        cur.has_content = true;
        let name = cur.name.clone();
        self.current = Some(cur);
        Ok(Batch { file: name, positions: sizes, records })
    }

    /// Stores one capture: a `request` record and a `response` record, or a `revisit` record
    /// (identical-payload-digest profile) when a non-empty payload with the same SHA-256 is
    /// already stored. Both records are written and fsync'd together, then indexed.
    ///
    /// # Errors
    /// [`WarcError::InvalidCapture`]; [`WarcError::Io`] when writing fails (nothing of the
    /// batch stays in the file where the file can be truncated back).
    pub fn store(&mut self, capture: &Capture) -> Result<StoredCapture> {
        capture.validate()?;
        let content_hash = capture.payload_sha256();
        let original = if capture.body.is_empty() { None } else { self.original_of(&content_hash) };
        let request_id = self.ids.next_id();
        let response_id = self.ids.next_id();
        let build = |warcinfo: &RecordId| {
            let ids = CaptureIds { request: &request_id, response: &response_id, warcinfo: Some(warcinfo) };
            let main = match &original {
                Some(o) => revisit_record(capture, &ids, o),
                None => response_record(capture, &ids),
            };
            vec![request_record(capture, &ids), main]
        };
        let Batch { file, positions: sizes, mut records } = self.append_batch(capture.captured_at, &build)?;
        let (offset, length) = sizes.get(1).copied().unwrap_or_default();
        // Index exactly what a rebuild would derive from the record.
        let read =
            ReadRecord { offset, length, record: records.pop().expect("build returns request and response records") };
        if let Some(r) = CaptureRef::from_record(&read, &file) {
            // The WARC data is durable; the index is derived from it, and the next open adds
            // any line missing here, so a failed index append does not fail the capture.
            self.index_append(&r);
            self.index.insert(r);
        }
        Ok(StoredCapture { content_hash, file, offset, length, record_id: response_id, revisit: original.is_some() })
    }

    /// Stores a `metadata` record (an `application/warc-fields` block) about `target_uri`,
    /// optionally linked to another record. Metadata records are not indexed.
    ///
    /// # Errors
    /// [`WarcError::Io`] when writing fails.
    pub fn store_metadata(
        &mut self,
        target_uri: &str,
        concurrent_to: Option<&RecordId>,
        at_ms: u64,
        fields: &[(&str, &str)],
    ) -> Result<RecordPosition> {
        let id = self.ids.next_id();
        let build =
            |warcinfo: &RecordId| vec![metadata_record(&id, at_ms, target_uri, concurrent_to, Some(warcinfo), fields)];
        let Batch { file, positions: sizes, .. } = self.append_batch(at_ms, &build)?;
        let (offset, length) = sizes.first().copied().unwrap_or_default();
        Ok(RecordPosition { file, offset, length, record_id: id })
    }

    /// Appends `r` to `index.cdxj`. The WARC data is already durable and the index is derived
    /// from it, so a failure does not fail the capture: the index file is removed (the next
    /// open rebuilds it) and no more lines are appended until [`WarcStore::sort_index`]
    /// rewrites it; the in-memory index stays complete.
    fn index_append(&mut self, r: &CaptureRef) {
        if self.index_broken {
            return;
        }
        if let Err(e) = index::append(&mut self.index_file, &self.dir, std::slice::from_ref(r)) {
            warn!(error = %e, "index.cdxj append failed; removing it so the next open rebuilds it");
            self.index_broken = true;
            if let Err(e) = fs::remove_file(self.dir.join(index::INDEX_FILE)) {
                warn!(error = %e, "could not remove index.cdxj");
            }
        }
    }

    /// What a revisit of `hash` points to, from the first stored response with that payload.
    fn original_of(&self, hash: &[u8; 32]) -> Option<Original> {
        let r = self.index.by_hash(hash).filter(|r| r.status != 0)?;
        let path = self.dir.join(&r.file);
        match read_member_at(&path, r.offset, Some(r.length), self.config.limits()) {
            Ok(rr) => Some(Original {
                record_id: rr.record.record_id()?,
                target_uri: rr.record.target_uri()?.to_string(),
                date: rr.record.headers.get("WARC-Date")?.to_string(),
                payload_digest: warc_digest(hash),
            }),
            Err(e) => {
                warn!(file = %r.file, offset = r.offset, error = %e, "original unreadable; writing a full response");
                None
            }
        }
    }

    /// Rewrites `index.cdxj` sorted (byte order, as `LC_ALL=C sort`), atomically.
    ///
    /// # Errors
    /// [`WarcError::Io`].
    pub fn sort_index(&mut self) -> Result<()> {
        index::write_sorted(&self.dir, self.index.iter())?;
        self.index_file = index::open_append(&self.dir)?;
        self.index_broken = false;
        Ok(())
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// WARC file names, oldest first.
    pub fn files(&self) -> &[String] {
        &self.files
    }
}
