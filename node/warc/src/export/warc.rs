//! Export of the store (or the captures since a time) as one `.warc.gz` file.

use std::{
    collections::HashSet,
    fs::{self, File},
    io::{BufReader, BufWriter, Write},
    path::Path,
    time::{SystemTime, UNIX_EPOCH},
};

use tracing::warn;

use super::pages::{page_of, Page};
use crate::{
    cdxj::CaptureRef,
    digest::parse_sha256_digest,
    error::{Result, WarcError},
    reader::{ReadRecord, WarcReader},
    record::{warcinfo_record, RecordType},
    time::rfc3339_ms,
    WarcStore,
};

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Records written, the export's own `warcinfo` included.
    pub records: u64,
    /// Indexed captures (`response`, `revisit`, `resource`) among them.
    pub captures: u64,
    /// Entries in the page list (HTML 2xx captures).
    pub pages: u64,
    /// Size of the WARC data, in bytes.
    pub bytes: u64,
}

/// The WARC data of an export plus what the WACZ needs besides it.
pub(crate) struct Exported {
    pub summary: ExportSummary,
    /// Index entries with offsets into the exported file.
    pub refs: Vec<CaptureRef>,
    pub pages: Vec<Page>,
}

/// Current time in unix milliseconds (0 if the clock is before 1970).
pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)).unwrap_or(0)
}

/// Output position bookkeeping while copying members.
struct Out<'w, W: Write> {
    w: &'w mut W,
    name: &'w str,
    pos: u64,
    exported: Exported,
}

impl<W: Write> Out<'_, W> {
    fn member(&mut self, raw: &[u8], read: Option<ReadRecord>) -> Result<()> {
        self.w.write_all(raw).map_err(|e| WarcError::io(self.name, e))?;
        if let Some(mut rr) = read {
            rr.offset = self.pos;
            rr.length = raw.len() as u64;
            if let Some(r) = CaptureRef::from_record(&rr, self.name) {
                self.exported.refs.push(r);
                self.exported.summary.captures += 1;
            }
            if let Some(p) = page_of(&rr) {
                self.exported.pages.push(p);
                self.exported.summary.pages += 1;
            }
        }
        self.pos += raw.len() as u64;
        self.exported.summary.records += 1;
        self.exported.summary.bytes = self.pos;
        Ok(())
    }
}

impl WarcStore {
    /// Writes every record (except the per-file `warcinfo` records of files with nothing to
    /// export) with `WARC-Date >= since` to `out` as one `.warc.gz`, after a new `warcinfo`.
    /// Records are copied byte for byte (same gzip members, same digests). A revisit whose
    /// original is older than `since` is preceded by that original, so the export replays on
    /// its own. The file appears atomically (written to a temp name, then renamed).
    ///
    /// # Errors
    /// [`WarcError::Io`] on the store files or `out`.
    pub fn export_warc(&mut self, out: &Path, since: Option<u64>) -> Result<ExportSummary> {
        self.export_warc_at(out, since, now_ms())
    }

    /// [`WarcStore::export_warc`] with the export's `warcinfo` dated `created_ms`.
    ///
    /// # Errors
    /// As [`WarcStore::export_warc`].
    pub fn export_warc_at(&mut self, out: &Path, since: Option<u64>, created_ms: u64) -> Result<ExportSummary> {
        let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("export.warc.gz").to_string();
        let tmp = out.with_file_name(format!(".{name}.partial"));
        let result = (|| {
            let file = File::create(&tmp).map_err(|e| WarcError::io(&tmp, e))?;
            let mut w = BufWriter::new(file);
            let exported = self.write_export(&mut w, &name, since, created_ms)?;
            let file = w.into_inner().map_err(|e| WarcError::io(&tmp, e.into_error()))?;
            file.sync_all().map_err(|e| WarcError::io(&tmp, e))?;
            fs::rename(&tmp, out).map_err(|e| WarcError::io(out, e))?;
            Ok(exported.summary)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Streams the export into `w`, naming the file `name` in its `warcinfo` and index.
    pub(crate) fn write_export<W: Write>(
        &mut self,
        w: &mut W,
        name: &str,
        since: Option<u64>,
        created_ms: u64,
    ) -> Result<Exported> {
        let id = self.ids.next_id();
        let since_text = since.map(rfc3339_ms).unwrap_or_else(|| "the beginning".into());
        let description = format!("ArchiveChain WARC store export of records since {since_text}");
        let mut fields = self.config.warcinfo_fields();
        fields.push(("description", description.as_str()));
        let info = warcinfo_record(&id, created_ms, name, &fields).to_gzip_member();
        let mut out = Out {
            w,
            name,
            pos: 0,
            exported: Exported { summary: ExportSummary::default(), refs: Vec::new(), pages: Vec::new() },
        };
        out.member(&info, None)?;
        let limits = self.config.limits();
        let mut originals_done: HashSet<(String, u64)> = HashSet::new();
        for file in self.files.clone() {
            let path = self.dir.join(&file);
            let f = File::open(&path).map_err(|e| WarcError::io(&path, e))?;
            let mut pending_info: Option<(u64, u64)> = None;
            for item in WarcReader::with_limits(BufReader::new(f), limits) {
                let rr = match item {
                    Ok(rr) => rr,
                    Err(e) => {
                        warn!(file = %file, error = %e, "export skips an unreadable record");
                        continue;
                    }
                };
                let kind = rr.record.record_type();
                if kind == RecordType::Warcinfo {
                    pending_info = Some((rr.offset, rr.length));
                    continue;
                }
                if since.is_some_and(|s| rr.record.date_ms().unwrap_or(0) < s) {
                    continue;
                }
                if let Some((o, l)) = pending_info.take() {
                    out.member(&self.raw(&file, o, l)?, None)?;
                }
                if let (RecordType::Revisit, Some(s)) = (&kind, since) {
                    self.export_original(&rr, s, &mut originals_done, &mut out)?;
                }
                let raw = self.raw(&file, rr.offset, rr.length)?;
                out.member(&raw, Some(rr))?;
            }
        }
        out.w.flush().map_err(|e| WarcError::io(name, e))?;
        Ok(out.exported)
    }

    /// Copies the original of revisit `rr` when it predates `since` (and was not copied yet).
    fn export_original<W: Write>(
        &self,
        rr: &ReadRecord,
        since: u64,
        done: &mut HashSet<(String, u64)>,
        out: &mut Out<'_, W>,
    ) -> Result<()> {
        let Some(hash) = rr.record.headers.get("WARC-Payload-Digest").and_then(parse_sha256_digest) else {
            return Ok(());
        };
        let Some(orig) = self.by_hash(&hash) else {
            warn!(digest = ?rr.record.headers.get("WARC-Payload-Digest"), "revisit original not in store");
            return Ok(());
        };
        let orig_read = self.read_ref(&orig)?;
        if orig_read.record.date_ms().unwrap_or(0) >= since || !done.insert((orig.file.clone(), orig.offset)) {
            return Ok(());
        }
        let raw = self.raw(&orig.file, orig.offset, orig.length)?;
        out.member(&raw, Some(orig_read))
    }
}
