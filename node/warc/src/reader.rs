//! Streaming reader of `.warc.gz` data, one gzip member per record.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::GzDecoder;

use crate::{
    error::{Result, WarcError},
    http::find,
    record::{WarcHeaders, WarcRecord},
};

/// Default cap on a record's WARC header block (64 KiB).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 64 * 1024;
/// Default cap on a record's block (256 MiB): larger records are skipped with an error.
pub const DEFAULT_MAX_RECORD_BYTES: u64 = 256 * 1024 * 1024;
/// Bytes after a block (`CRLF CRLF`).
const RECORD_TRAILER: usize = 4;

/// Size caps applied while reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderLimits {
    /// Longest WARC header block accepted, in bytes.
    pub max_header_bytes: usize,
    /// Largest block (`Content-Length`) accepted, in bytes.
    pub max_record_bytes: u64,
}

impl Default for ReaderLimits {
    fn default() -> Self {
        ReaderLimits { max_header_bytes: DEFAULT_MAX_HEADER_BYTES, max_record_bytes: DEFAULT_MAX_RECORD_BYTES }
    }
}

/// A record and where its gzip member lies in the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRecord {
    /// Offset of the member's first byte.
    pub offset: u64,
    /// Compressed length of the member.
    pub length: u64,
    /// The decoded record.
    pub record: WarcRecord,
}

/// Counts the bytes consumed from a `BufRead`, so member boundaries are exact.
struct Counting<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.pos += amt as u64;
    }
}

/// Reads WARC records from a `.warc.gz` stream, one gzip member at a time.
///
/// Guarantees:
/// - never panics on any input; each record is at most `max_header_bytes + max_record_bytes`
///   in memory;
/// - a member that decompresses cleanly but holds a bad record (no `Content-Length`, header
///   too large, invalid UTF-8 in the header, record too large, junk after the block) yields an
///   error and the reader continues with the next member;
/// - a framing error ([`WarcError::is_framing`]: not gzip, corrupt or truncated member) yields
///   one error, after which the reader is finished, since the next member's start is unknown.
pub struct WarcReader<R: Read> {
    input: Counting<BufReader<R>>,
    limits: ReaderLimits,
    done: bool,
}

impl<R: Read> WarcReader<R> {
    /// A reader with default limits; offsets count from the stream's current position as 0.
    pub fn new(input: R) -> Self {
        Self::with_limits(input, ReaderLimits::default())
    }

    /// A reader with the given limits.
    pub fn with_limits(input: R, limits: ReaderLimits) -> Self {
        Self::at_offset(input, limits, 0)
    }

    /// A reader whose stream starts at `offset` of a larger file (reported offsets include it).
    pub fn at_offset(input: R, limits: ReaderLimits, offset: u64) -> Self {
        WarcReader {
            input: Counting { inner: BufReader::with_capacity(64 * 1024, input), pos: offset },
            limits,
            done: false,
        }
    }

    /// Offset of the next byte to be read.
    pub fn position(&self) -> u64 {
        self.input.pos
    }

    /// The next record, `None` at a clean end of stream.
    pub fn next_record(&mut self) -> Option<Result<ReadRecord>> {
        if self.done {
            return None;
        }
        let offset = self.input.pos;
        let result = self.read_member(offset);
        match result {
            Ok(None) => {
                self.done = true;
                None
            }
            Ok(Some(r)) => Some(Ok(r)),
            Err(e) => {
                if e.is_framing() {
                    self.done = true;
                }
                Some(Err(e))
            }
        }
    }

    fn read_member(&mut self, offset: u64) -> Result<Option<ReadRecord>> {
        let head = self.input.fill_buf().map_err(|source| WarcError::ReadIo { offset, source })?;
        if head.is_empty() {
            return Ok(None);
        }
        if head[0] != 0x1f || head.get(1).is_some_and(|&b| b != 0x8b) {
            return Err(WarcError::NotGzip { offset });
        }
        let cap = self.limits.max_header_bytes as u64 + self.limits.max_record_bytes + RECORD_TRAILER as u64;
        let mut data = Vec::new();
        let mut decoder = GzDecoder::new(&mut self.input);
        (&mut decoder).take(cap + 1).read_to_end(&mut data).map_err(|source| WarcError::Gzip { offset, source })?;
        if data.len() as u64 > cap {
            // Skip the rest of the member without keeping it, so the next member is reachable.
            io::copy(&mut decoder, &mut io::sink()).map_err(|source| WarcError::Gzip { offset, source })?;
            drop(decoder);
            return Err(WarcError::RecordTooLarge { offset, limit: self.limits.max_record_bytes });
        }
        drop(decoder);
        let length = self.input.pos - offset;
        let record = parse_record(&data, offset, self.limits)?;
        Ok(Some(ReadRecord { offset, length, record }))
    }
}

impl<R: Read> Iterator for WarcReader<R> {
    type Item = Result<ReadRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record()
    }
}

/// Names of the fields every WARC record must carry, besides `Content-Length`.
const MANDATORY: [&str; 3] = ["WARC-Type", "WARC-Record-ID", "WARC-Date"];

/// Parses one uncompressed record that fills `data` (optionally followed by `CRLF CRLF`).
///
/// # Errors
/// [`WarcError::HeaderTooLarge`], [`WarcError::BadVersion`], [`WarcError::InvalidHeader`],
/// [`WarcError::MissingHeader`], [`WarcError::RecordTooLarge`], [`WarcError::BlockTruncated`]
/// or [`WarcError::TrailingData`].
pub fn parse_record(data: &[u8], offset: u64, limits: ReaderLimits) -> Result<WarcRecord> {
    let invalid = |reason: &str| WarcError::InvalidHeader { offset, reason: reason.to_string() };
    let window = &data[..data.len().min(limits.max_header_bytes)];
    let Some(end) = find(window, b"\r\n\r\n") else {
        if data.len() >= limits.max_header_bytes {
            return Err(WarcError::HeaderTooLarge { offset, limit: limits.max_header_bytes });
        }
        return Err(invalid("header block is not terminated by an empty line"));
    };
    let text = std::str::from_utf8(&data[..end]).map_err(|_| invalid("header is not UTF-8"))?;
    let mut lines = text.split("\r\n");
    let version = lines.next().unwrap_or_default();
    if !version.starts_with("WARC/1.") {
        return Err(WarcError::BadVersion { offset, found: version.chars().take(40).collect() });
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            match fields.last_mut() {
                Some((_, v)) => {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                None => return Err(invalid("continuation line before any field")),
            }
            continue;
        }
        let (name, value) = line.split_once(':').ok_or_else(|| invalid("field line without `:`"))?;
        let name = name.trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(invalid("empty or blank-containing field name"));
        }
        fields.push((name.to_string(), value.trim().to_string()));
    }
    let headers = WarcHeaders::from_vec(fields);
    let length: u64 = headers
        .get("Content-Length")
        .ok_or(WarcError::MissingHeader { offset, name: "Content-Length" })?
        .parse()
        .map_err(|_| invalid("Content-Length is not a number"))?;
    for name in MANDATORY {
        if headers.get(name).is_none() {
            return Err(WarcError::MissingHeader { offset, name });
        }
    }
    if length > limits.max_record_bytes {
        return Err(WarcError::RecordTooLarge { offset, limit: limits.max_record_bytes });
    }
    let body_start = end + 4;
    let available = (data.len() - body_start) as u64;
    if available < length {
        return Err(WarcError::BlockTruncated { offset, expected: length, found: available });
    }
    let body_end = body_start + length as usize;
    let rest = &data[body_end..];
    if rest.len() > RECORD_TRAILER || rest.iter().any(|&b| b != b'\r' && b != b'\n') {
        return Err(WarcError::TrailingData { offset, bytes: rest.len() as u64 });
    }
    Ok(WarcRecord { version: version.to_string(), headers, block: data[body_start..body_end].to_vec() })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::{write::GzEncoder, Compression};

    use super::*;
    use crate::record::{metadata_record, resource_record, RecordId, RecordIdSource, SeededIds};

    fn gz(raw: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(raw).expect("vec write");
        e.finish().expect("vec finish")
    }

    fn sample_records() -> Vec<WarcRecord> {
        let mut ids = SeededIds::new(1);
        let a: RecordId = ids.next_id();
        vec![
            resource_record(&a, 5, "https://e.example/1", "text/plain", b"one".to_vec(), None),
            metadata_record(&ids.next_id(), 6, "https://e.example/1", Some(&a), None, &[("k", "v")]),
        ]
    }

    #[test]
    fn reads_members_with_exact_offsets() -> Result<()> {
        let recs = sample_records();
        let members: Vec<Vec<u8>> = recs.iter().map(WarcRecord::to_gzip_member).collect();
        let file: Vec<u8> = members.concat();
        let read: Vec<ReadRecord> = WarcReader::new(&file[..]).collect::<Result<_>>()?;
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].offset, 0);
        assert_eq!(read[0].length, members[0].len() as u64);
        assert_eq!(read[1].offset, members[0].len() as u64);
        assert_eq!(read[1].length, members[1].len() as u64);
        assert_eq!(read[0].record, recs[0]);
        assert_eq!(read[1].record, recs[1]);
        Ok(())
    }

    fn errors_then_continues(bad_raw: &[u8], check: impl Fn(&WarcError) -> bool) {
        let good = sample_records()[0].to_gzip_member();
        let mut file = good.clone();
        file.extend(gz(bad_raw));
        file.extend(&good);
        let items: Vec<Result<ReadRecord>> = WarcReader::new(&file[..]).collect();
        assert_eq!(items.len(), 3);
        assert!(items[0].is_ok() && items[2].is_ok());
        match &items[1] {
            Err(e) => assert!(check(e), "unexpected error {e}"),
            Ok(r) => panic!("bad record accepted: {r:?}"),
        }
    }

    #[test]
    fn bad_records_are_skipped() {
        let no_len = b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <x>\r\nWARC-Date: 2020-01-01T00:00:00Z\r\n\r\n\r\n\r\n";
        errors_then_continues(no_len, |e| matches!(e, WarcError::MissingHeader { name: "Content-Length", .. }));
        let mut huge = b"WARC/1.1\r\nX-Long: ".to_vec();
        huge.extend(vec![b'a'; 100 * 1024]);
        huge.extend(b"\r\n\r\n");
        errors_then_continues(&huge, |e| matches!(e, WarcError::HeaderTooLarge { .. }));
        let utf = b"WARC/1.1\r\nX-Bad: \xff\xfe\r\nContent-Length: 0\r\n\r\n\r\n\r\n";
        errors_then_continues(utf, |e| matches!(e, WarcError::InvalidHeader { .. }));
        errors_then_continues(b"HTTP/1.1 200 OK\r\n\r\n", |e| matches!(e, WarcError::BadVersion { .. }));
        let mut two = sample_records()[0].to_bytes();
        two.extend(sample_records()[1].to_bytes());
        errors_then_continues(&two, |e| matches!(e, WarcError::TrailingData { .. }));
        let short = b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <x>\r\nWARC-Date: 2020-01-01T00:00:00Z\r\nContent-Length: 50\r\n\r\nabc";
        errors_then_continues(short, |e| matches!(e, WarcError::BlockTruncated { .. }));
        errors_then_continues(b"", |e| matches!(e, WarcError::InvalidHeader { .. }));
    }

    #[test]
    fn oversized_record_is_skipped_without_buffering_it() {
        let limits = ReaderLimits { max_header_bytes: 1024, max_record_bytes: 10 };
        let big = resource_record(
            &RecordId::from_random([3; 16]),
            0,
            "https://e.example/big",
            "application/octet-stream",
            vec![0; 100_000],
            None,
        );
        let good = sample_records()[0].to_gzip_member();
        let mut file = big.to_gzip_member();
        file.extend(&good);
        let items: Vec<Result<ReadRecord>> = WarcReader::with_limits(&file[..], limits).collect();
        assert!(matches!(items[0], Err(WarcError::RecordTooLarge { .. })));
        assert!(items[1].is_ok());
    }

    #[test]
    fn framing_errors_end_the_stream() {
        let good = sample_records()[0].to_gzip_member();
        let mut truncated = good.clone();
        truncated.extend(&good[..good.len() / 2]);
        let items: Vec<Result<ReadRecord>> = WarcReader::new(&truncated[..]).collect();
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        assert!(matches!(&items[1], Err(e) if e.is_framing()));

        let mut garbage = good.clone();
        garbage.extend(b"this is not gzip at all");
        let items: Vec<Result<ReadRecord>> = WarcReader::new(&garbage[..]).collect();
        assert!(matches!(items[1], Err(WarcError::NotGzip { .. })));
        assert_eq!(items.len(), 2);

        for cut in [1, 2, 9, 10, 20] {
            let items: Vec<Result<ReadRecord>> = WarcReader::new(&good[..cut]).collect();
            assert_eq!(items.len(), 1, "cut at {cut}");
            assert!(items[0].is_err());
        }
    }
}
