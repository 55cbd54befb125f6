//! Opening a store after a clean stop or a crash: checking `index.cdxj` against the WARC
//! files, indexing records the index lacks, rebuilding it, and repairing damaged file tails.
//!
//! **Invariant** after [`recover`]: every store file ends on a complete gzip member that is not
//! a lone `request` (a batch whose response never made it), and `index.cdxj` lists exactly the
//! indexable records of the files. Damaged bytes are never just dropped: a tail that is cut off
//! is first copied to `<file>.<offset>.corrupt`, and a damaged span followed by intact records
//! is skipped, not removed.

use std::{
    collections::HashMap,
    fs::{self, File, OpenOptions},
    io::{self, Read, Seek, SeekFrom},
    path::Path,
};

use tracing::{info, warn};

use super::index::{self, INDEX_FILE};
use crate::{
    cdxj::CaptureRef,
    error::{Result, WarcError},
    reader::{ReadRecord, ReaderLimits, WarcReader},
    record::RecordType,
};

/// Chunk size used while searching for the next gzip member after a damaged one.
const RESYNC_CHUNK: usize = 64 * 1024;
/// Magic bytes of a gzip member using deflate.
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// True for errors that mean "damaged bytes here" rather than "the disk failed".
fn is_corruption(e: &WarcError) -> bool {
    match e {
        WarcError::NotGzip { .. } => true,
        WarcError::Gzip { source, .. } => matches!(
            source.kind(),
            io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
        ),
        _ => false,
    }
}

fn open_at(path: &Path, offset: u64) -> Result<File> {
    let mut f = File::open(path).map_err(|e| WarcError::io(path, e))?;
    f.seek(SeekFrom::Start(offset)).map_err(|e| WarcError::io(path, e))?;
    Ok(f)
}

/// Reads the single member at `offset` of `path`, requiring it to be exactly `length` bytes
/// when `length` is given.
pub(crate) fn read_member_at(
    path: &Path,
    offset: u64,
    length: Option<u64>,
    limits: ReaderLimits,
) -> Result<ReadRecord> {
    let f = open_at(path, offset)?;
    let rr = match length {
        Some(len) => WarcReader::at_offset(f.take(len), limits, offset).next_record(),
        None => WarcReader::at_offset(f, limits, offset).next_record(),
    };
    let rr = rr.ok_or(WarcError::NotGzip { offset })??;
    if length.is_some_and(|len| len != rr.length) {
        return Err(WarcError::RefMismatch {
            file: path.display().to_string(),
            offset,
            reason: format!("member is {} bytes, not {length:?}", rr.length),
        });
    }
    Ok(rr)
}

/// The first record of a file, if it starts with an intact one.
pub(crate) fn first_record(path: &Path, limits: ReaderLimits) -> Option<ReadRecord> {
    read_member_at(path, 0, None, limits).ok()
}

/// Offset of the next intact member at or after `from`, searching byte by byte.
fn next_member(path: &Path, from: u64, limits: ReaderLimits) -> Result<Option<u64>> {
    let len = fs::metadata(path).map_err(|e| WarcError::io(path, e))?.len();
    let mut buf = vec![0u8; RESYNC_CHUNK];
    let mut base = from;
    while base < len {
        let mut f = open_at(path, base)?;
        let mut n = 0;
        while n < buf.len() {
            match f.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(WarcError::io(path, e)),
            }
        }
        if n < GZIP_MAGIC.len() {
            break;
        }
        for (i, w) in buf[..n].windows(GZIP_MAGIC.len()).enumerate() {
            if w == GZIP_MAGIC {
                let candidate = base + i as u64;
                if read_member_at(path, candidate, None, limits).is_ok() {
                    return Ok(Some(candidate));
                }
            }
        }
        base += (n - (GZIP_MAGIC.len() - 1)) as u64;
    }
    Ok(None)
}

/// Copies `[cut, len)` of the file to `<name>.<cut>.corrupt`, then truncates the file to `cut`.
fn quarantine_tail(dir: &Path, name: &str, cut: u64) -> Result<()> {
    let path = dir.join(name);
    let len = fs::metadata(&path).map_err(|e| WarcError::io(&path, e))?.len();
    if cut >= len {
        return Ok(());
    }
    let qpath = dir.join(format!("{name}.{cut}.corrupt"));
    let mut src = open_at(&path, cut)?;
    let mut dst = File::create(&qpath).map_err(|e| WarcError::io(&qpath, e))?;
    io::copy(&mut src, &mut dst).and_then(|_| dst.sync_all()).map_err(|e| WarcError::io(&qpath, e))?;
    let f = OpenOptions::new().write(true).open(&path).map_err(|e| WarcError::io(&path, e))?;
    f.set_len(cut).and_then(|()| f.sync_all()).map_err(|e| WarcError::io(&path, e))?;
    index::sync_dir(dir);
    warn!(file = name, offset = cut, bytes = len - cut, saved_to = %qpath.display(), "truncated damaged or incomplete tail");
    Ok(())
}

/// Reads file `name` from member boundary `start` to its end, returning the index entries of
/// the records found, and repairs the tail (see the module invariant).
///
/// # Errors
/// I/O errors other than damaged data.
pub(crate) fn scan_file(dir: &Path, name: &str, start: u64, limits: ReaderLimits) -> Result<Vec<CaptureRef>> {
    let path = dir.join(name);
    let mut refs = Vec::new();
    let mut pos = start;
    // Last intact member: (offset, end, is a request).
    let mut last: Option<(u64, u64, bool)> = None;
    let cut = loop {
        let mut reader = WarcReader::at_offset(open_at(&path, pos)?, limits, pos);
        let mut damaged_at = None;
        loop {
            let before = reader.position();
            let Some(item) = reader.next_record() else {
                break;
            };
            match item {
                Ok(rr) => {
                    let is_request = rr.record.record_type() == RecordType::Request;
                    last = Some((rr.offset, rr.offset + rr.length, is_request));
                    refs.extend(CaptureRef::from_record(&rr, name));
                }
                Err(e) if is_corruption(&e) => {
                    warn!(file = name, offset = before, error = %e, "damaged gzip member");
                    damaged_at = Some(before);
                    break;
                }
                Err(e) if e.is_framing() => return Err(e),
                Err(e) => {
                    warn!(file = name, offset = before, error = %e, "skipping unreadable record");
                    last = Some((before, reader.position(), false));
                }
            }
        }
        let Some(bad) = damaged_at else {
            break None;
        };
        match next_member(&path, bad + 1, limits)? {
            Some(next) => {
                warn!(file = name, from = bad, to = next, "skipping damaged bytes between intact records");
                pos = next;
            }
            None => break Some(bad),
        }
    };
    let len = fs::metadata(&path).map_err(|e| WarcError::io(&path, e))?.len();
    let end = cut.unwrap_or(len);
    let cut = match last {
        Some((offset, last_end, true)) if last_end == end => Some(offset),
        _ => cut,
    };
    if let Some(c) = cut {
        quarantine_tail(dir, name, c)?;
    }
    Ok(refs)
}

/// True when every entry names a store file, and the last entry of each file lies inside it
/// and describes the record actually found there.
fn index_matches(dir: &Path, files: &[String], refs: &[CaptureRef], limits: ReaderLimits) -> Result<bool> {
    let mut last: HashMap<&str, &CaptureRef> = HashMap::new();
    for r in refs {
        if !files.contains(&r.file) {
            warn!(file = %r.file, "index names a file that is not in the store");
            return Ok(false);
        }
        let e = last.entry(r.file.as_str()).or_insert(r);
        if r.end() > e.end() {
            *e = r;
        }
    }
    for (name, r) in last {
        let path = dir.join(name);
        let len = fs::metadata(&path).map_err(|e| WarcError::io(&path, e))?.len();
        if r.end() > len {
            warn!(file = name, "index points past the end of the file");
            return Ok(false);
        }
        let found = read_member_at(&path, r.offset, Some(r.length), limits)
            .ok()
            .and_then(|rr| CaptureRef::from_record(&rr, name));
        if found.as_ref() != Some(r) {
            warn!(file = name, offset = r.offset, "index entry does not match the record in the file");
            return Ok(false);
        }
    }
    Ok(true)
}

/// Brings `index.cdxj` and the WARC files in line (see the module invariant) and returns all
/// index entries.
///
/// # Errors
/// I/O errors on the store directory.
pub(crate) fn recover(dir: &Path, files: &[String], limits: ReaderLimits) -> Result<Vec<CaptureRef>> {
    if let Some(mut refs) = index::load(&dir.join(INDEX_FILE))? {
        if index_matches(dir, files, &refs, limits)? {
            let mut ends: HashMap<&str, u64> = HashMap::new();
            for r in &refs {
                let e = ends.entry(r.file.as_str()).or_insert(0);
                *e = (*e).max(r.end());
            }
            let mut added = Vec::new();
            for name in files {
                let start = ends.get(name.as_str()).copied().unwrap_or(0);
                added.extend(scan_file(dir, name, start, limits)?);
            }
            if !added.is_empty() {
                info!(count = added.len(), "indexing records missing from index.cdxj");
                let mut f = index::open_append(dir)?;
                index::append(&mut f, dir, &added)?;
            }
            refs.extend(added);
            return Ok(refs);
        }
        warn!(dir = %dir.display(), "index.cdxj does not match the WARC files; rebuilding it");
    } else {
        info!(dir = %dir.display(), "building index.cdxj from the WARC files");
    }
    let mut refs = Vec::new();
    for name in files {
        refs.extend(scan_file(dir, name, 0, limits)?);
    }
    index::write_sorted(dir, &refs)?;
    Ok(refs)
}
