//! The in-memory capture index and the `index.cdxj` file that mirrors it.

use std::{
    collections::{BTreeMap, HashMap},
    fs::{self, File, OpenOptions},
    io::{BufRead, BufReader, BufWriter, Write},
    path::Path,
};

use crate::{
    cdxj::CaptureRef,
    error::{Result, WarcError},
};

/// Name of the index file inside the store directory.
pub const INDEX_FILE: &str = "index.cdxj";
/// Prefix and suffix of the store's WARC file names (`archive-00000.warc.gz`).
pub(crate) const FILE_PREFIX: &str = "archive-";
pub(crate) const FILE_SUFFIX: &str = ".warc.gz";
/// Digits in a WARC file number.
pub(crate) const FILE_DIGITS: usize = 5;

/// Name of WARC file number `n`.
pub(crate) fn file_name(n: u64) -> String {
    format!("{FILE_PREFIX}{n:0FILE_DIGITS$}{FILE_SUFFIX}")
}

/// Number of a store WARC file name, `None` for any other name.
pub(crate) fn file_number(name: &str) -> Option<u64> {
    let digits = name.strip_prefix(FILE_PREFIX)?.strip_suffix(FILE_SUFFIX)?;
    if digits.len() < FILE_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Order of a record in the store: (file number, offset).
fn position(r: &CaptureRef) -> (u64, u64) {
    (file_number(&r.file).unwrap_or(u64::MAX), r.offset)
}

/// Captures by SURT key and time, and the first stored non-revisit record of each payload.
#[derive(Debug, Default)]
pub(crate) struct MemIndex {
    by_key: BTreeMap<String, Vec<CaptureRef>>,
    by_hash: HashMap<[u8; 32], CaptureRef>,
    len: usize,
}

impl MemIndex {
    pub fn insert(&mut self, r: CaptureRef) {
        if !r.is_revisit() {
            match self.by_hash.get(&r.content_hash) {
                Some(existing) if position(existing) <= position(&r) => {}
                _ => {
                    self.by_hash.insert(r.content_hash, r.clone());
                }
            }
        }
        let list = self.by_key.entry(r.surt.clone()).or_default();
        let key = (r.captured_at, position(&r));
        let at = list.partition_point(|x| (x.captured_at, position(x)) <= key);
        list.insert(at, r);
        self.len += 1;
    }

    pub fn by_hash(&self, hash: &[u8; 32]) -> Option<&CaptureRef> {
        self.by_hash.get(hash)
    }

    pub fn by_key(&self, key: &str) -> &[CaptureRef] {
        self.by_key.get(key).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn iter(&self) -> impl Iterator<Item = &CaptureRef> {
        self.by_key.values().flatten()
    }

    pub fn len(&self) -> usize {
        self.len
    }
}

/// Reads `index.cdxj`. `Ok(None)` when it is missing or any line is malformed (the caller
/// rebuilds it from the WARC files).
///
/// # Errors
/// [`WarcError::Io`] when the file exists but cannot be read.
pub(crate) fn load(path: &Path) -> Result<Option<Vec<CaptureRef>>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(WarcError::io(path, e)),
    };
    let mut refs = Vec::new();
    for (n, line) in BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(|e| WarcError::io(path, e))?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = std::str::from_utf8(&line)
            .map_err(|_| WarcError::Cdxj { line: n as u64 + 1, reason: "not UTF-8".into() })
            .and_then(CaptureRef::from_cdxj_line);
        match parsed {
            Ok(r) => refs.push(r),
            Err(e) => {
                tracing::warn!(path = %path.display(), line = n + 1, error = %e, "index line unreadable; rebuilding index");
                return Ok(None);
            }
        }
    }
    Ok(Some(refs))
}

/// The sorted CDXJ text of `refs` (byte order, as `LC_ALL=C sort`), one line each.
pub(crate) fn sorted_text<'a>(refs: impl IntoIterator<Item = &'a CaptureRef>) -> String {
    let mut lines: Vec<String> = refs.into_iter().map(CaptureRef::to_cdxj_line).collect();
    lines.sort_unstable();
    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// Replaces `dir/index.cdxj` atomically (temp file, fsync, rename, directory fsync) with the
/// sorted lines of `refs`.
pub(crate) fn write_sorted<'a>(dir: &Path, refs: impl IntoIterator<Item = &'a CaptureRef>) -> Result<()> {
    let path = dir.join(INDEX_FILE);
    let tmp = dir.join(format!("{INDEX_FILE}.tmp"));
    let text = sorted_text(refs);
    let write = || -> std::io::Result<()> {
        let mut f = BufWriter::new(File::create(&tmp)?);
        f.write_all(text.as_bytes())?;
        f.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&tmp, &path)
    };
    write().map_err(|e| WarcError::io(&path, e))?;
    sync_dir(dir);
    Ok(())
}

/// Opens `dir/index.cdxj` for appending (creating it).
pub(crate) fn open_append(dir: &Path) -> Result<File> {
    let path = dir.join(INDEX_FILE);
    OpenOptions::new().create(true).append(true).open(&path).map_err(|e| WarcError::io(&path, e))
}

/// Appends the lines of `refs` and fsyncs.
pub(crate) fn append(file: &mut File, dir: &Path, refs: &[CaptureRef]) -> Result<()> {
    if refs.is_empty() {
        return Ok(());
    }
    let mut text = String::new();
    for r in refs {
        text.push_str(&r.to_cdxj_line());
        text.push('\n');
    }
    file.write_all(text.as_bytes()).and_then(|()| file.sync_data()).map_err(|e| WarcError::io(dir.join(INDEX_FILE), e))
}

/// Best-effort fsync of a directory so new and renamed entries survive a crash (a no-op where
/// directories cannot be opened, e.g. Windows).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        if let Err(e) = d.sync_all() {
            tracing::debug!(dir = %dir.display(), error = %e, "directory fsync failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(file_name(0), "archive-00000.warc.gz");
        assert_eq!(file_name(123_456), "archive-123456.warc.gz");
        assert_eq!(file_number("archive-00042.warc.gz"), Some(42));
        assert_eq!(file_number("archive-123456.warc.gz"), Some(123_456));
        for other in ["archive-1.warc.gz", "archive-0000x.warc.gz", "index.cdxj", "archive-00001.warc"] {
            assert_eq!(file_number(other), None, "{other}");
        }
    }
}
