//! Store tests: round trips, digests, index, rollover, revisits, recovery, bad input.

use std::{
    fs::{self, OpenOptions},
    io::Write,
    path::Path,
};

use tempfile::TempDir;

use super::*;
use crate::{
    capture::tests::sample,
    digest::{sha256, warc_digest},
    reader::{ReadRecord, WarcReader},
    record::{RecordId, RecordType, SeededIds, HTTP_RESPONSE_TYPE, REVISIT_PROFILE_IDENTICAL},
    CaptureRef, Truncation, WarcError,
};

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

const T0: u64 = 1_700_000_000_000;
/// sha256("hello world") in base32, computed with Python's hashlib + base64.b32encode.
const HELLO_DIGEST: &str = "sha256:XFGSPOMTJU7ARJJOKLL5U7NL7LCIJ37DPJJYB3UQRD32ZYXPZXUQ====";

fn open(dir: &Path) -> crate::Result<WarcStore> {
    WarcStore::open_with_ids(dir, StoreConfig::default().with_operator("tests"), SeededIds::new(9))
}

fn read_all(path: &Path) -> Vec<ReadRecord> {
    let bytes = fs::read(path).expect("readable WARC file");
    WarcReader::new(&bytes[..]).collect::<crate::Result<Vec<_>>>().expect("every record of a store file is readable")
}

#[test]
fn round_trip_of_every_record_type() -> TestResult {
    let dir = TempDir::new()?;
    let mut store = open(dir.path())?;
    let mut c = sample("https://www.example.com/a?b=1", b"hello world", T0 + 123);
    c.truncated = Some(Truncation::Length);
    let first = store.store(&c)?;
    let second = store.store(&sample("https://example.com/copy", b"hello world", T0 + 5_000))?;
    assert!(!first.revisit && second.revisit);
    store.store_metadata(&c.url, Some(&first.record_id), T0 + 6_000, &[("outlink", "https://example.com/copy")])?;

    let recs = read_all(&dir.path().join("archive-00000.warc.gz"));
    let kinds: Vec<RecordType> = recs.iter().map(|r| r.record.record_type()).collect();
    use RecordType::*;
    assert_eq!(kinds, [Warcinfo, Request, Response, Request, Revisit, Metadata]);
    let info_id = recs[0].record.record_id().ok_or("warcinfo id")?;
    for r in &recs[1..] {
        assert_eq!(r.record.headers.get("WARC-Warcinfo-ID"), Some(info_id.as_str()));
        assert_eq!(r.record.version, "WARC/1.1");
    }
    let (req, resp) = (&recs[1].record, &recs[2].record);
    assert_eq!(req.headers.get("WARC-Concurrent-To"), resp.record_id().as_ref().map(RecordId::as_str));
    assert_eq!(resp.headers.get("WARC-Concurrent-To"), req.record_id().as_ref().map(RecordId::as_str));
    assert_eq!(resp.headers.get("WARC-Date"), Some("2023-11-14T22:13:20.123Z"));
    assert_eq!(resp.headers.get("WARC-Target-URI"), Some(c.url.as_str()));
    assert_eq!(resp.headers.get("WARC-IP-Address"), Some("192.0.2.7"));
    assert_eq!(resp.headers.get("WARC-Truncated"), Some("length"));
    assert_eq!(resp.headers.get("Content-Type"), Some(HTTP_RESPONSE_TYPE));
    assert_eq!(resp.headers.get("Content-Length"), Some(resp.block.len().to_string().as_str()));
    assert!(req.block.starts_with(b"GET /a?b=1 HTTP/1.1\r\nHost: www.example.com\r\n"));
    assert!(resp.block.ends_with(b"\r\n\r\nhello world"));
    assert_eq!(recs[5].record.headers.get("WARC-Concurrent-To"), Some(first.record_id.as_str()));
    assert_eq!(recs[5].record.block, b"outlink: https://example.com/copy\r\n");

    // The stored position is exactly the response's member.
    assert_eq!((first.offset, first.length), (recs[2].offset, recs[2].length));
    let got = store.read(&store.by_hash(&c.payload_sha256()).ok_or("indexed")?)?;
    assert_eq!(got.record_type, Response);
    assert_eq!(got.http_status, Some(200));
    assert_eq!(got.body, b"hello world");
    assert_eq!(crate::http::header(&got.http_headers, "content-type"), Some("text/html; charset=utf-8"));

    // resource records (not produced by the store) round-trip through writer and reader.
    let res =
        crate::record::resource_record(&RecordId::from_random([5; 16]), T0, "urn:x", "text/plain", b"r".to_vec(), None);
    let back = WarcReader::new(&res.to_gzip_member()[..]).next().ok_or("one record")??;
    assert_eq!(back.record, res);
    Ok(())
}

#[test]
fn digests_match_independent_values() -> TestResult {
    let dir = TempDir::new()?;
    let mut store = open(dir.path())?;
    let c = sample("https://example.com/", b"hello world", T0);
    store.store(&c)?;
    let recs = read_all(&dir.path().join("archive-00000.warc.gz"));
    let resp = &recs[2].record;
    assert_eq!(resp.headers.get("WARC-Payload-Digest"), Some(HELLO_DIGEST));
    assert_eq!(warc_digest(&c.payload_sha256()), HELLO_DIGEST);
    for r in &recs {
        let expected = format!("sha256:{}", data_encoding::BASE32.encode(&sha256(&r.record.block)));
        assert_eq!(r.record.headers.get("WARC-Block-Digest"), Some(expected.as_str()));
    }
    let empty = "sha256:4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ====";
    assert_eq!(recs[1].record.headers.get("WARC-Payload-Digest"), Some(empty));
    Ok(())
}

#[test]
fn cdxj_index_lines_and_lookups() -> TestResult {
    let dir = TempDir::new()?;
    let mut store = open(dir.path())?;
    store.store(&sample("https://www.example.com/b", b"b1", T0 + 2_000))?;
    store.store(&sample("http://example.com/b", b"b2", T0 + 60_000))?;
    let mut redirect = sample("https://example.com/old", b"", T0 + 61_000);
    redirect.status = 301;
    redirect.response_headers.push(("Location".into(), "/new".into()));
    store.store(&redirect)?;
    store.store(&sample("https://example.com/a", b"a1", T0 + 1_000))?;

    let text = fs::read_to_string(dir.path().join(INDEX_FILE))?;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("com,example)/b 20231114221322 {\"url\":\"https://www.example.com/b\",\"mime\":\"text/html\",\"status\":\"200\",\"digest\":\"sha256:"));
    assert!(lines[0].ends_with("\"filename\":\"archive-00000.warc.gz\"}"));
    assert!(
        lines[2].contains("\"status\":\"301\"") && lines[2].ends_with(",\"redirect\":\"https://example.com/new\"}")
    );
    for l in &lines {
        let r = CaptureRef::from_cdxj_line(l)?;
        assert_eq!(store.read(&r)?.body, store.read(&r)?.body);
        assert!(store.verify(&r)?.is_valid());
    }
    store.sort_index()?;
    let sorted = fs::read_to_string(dir.path().join(INDEX_FILE))?;
    let mut expect: Vec<&str> = lines.clone();
    expect.sort_unstable();
    assert_eq!(sorted.lines().collect::<Vec<_>>(), expect);

    let b = store.captures("https://example.com/b", None, None);
    assert_eq!(b.iter().map(|r| r.captured_at).collect::<Vec<_>>(), [T0 + 2_000, T0 + 60_000]);
    assert_eq!(store.captures("http://www.EXAMPLE.com/b/", Some(T0 + 3_000), None).len(), 1);
    assert_eq!(store.captures("https://example.com/b", None, Some(T0 + 2_000)).len(), 1);
    assert!(store.captures("https://example.com/zzz", None, None).is_empty());
    assert_eq!(store.len(), 4);
    Ok(())
}

#[test]
fn rollover_at_a_tiny_limit() -> TestResult {
    let dir = TempDir::new()?;
    let config = StoreConfig::default().with_max_file_bytes(1);
    let mut store = WarcStore::open_with_ids(dir.path(), config.clone(), SeededIds::new(1))?;
    let mut stored = Vec::new();
    for i in 0..3u64 {
        stored.push(store.store(&sample(&format!("https://e.example/{i}"), format!("body {i}").as_bytes(), T0 + i))?);
    }
    let files: Vec<String> = stored.iter().map(|s| s.file.clone()).collect();
    assert_eq!(files, ["archive-00000.warc.gz", "archive-00001.warc.gz", "archive-00002.warc.gz"]);
    assert_eq!(store.files(), files.as_slice());
    for f in &files {
        let recs = read_all(&dir.path().join(f));
        assert_eq!(recs.len(), 3, "{f}");
        assert_eq!(recs[0].record.record_type(), RecordType::Warcinfo);
        assert_eq!(recs[0].record.headers.get("WARC-Filename"), Some(f.as_str()));
        assert_eq!(
            recs[2].record.headers.get("WARC-Warcinfo-ID"),
            recs[0].record.record_id().as_ref().map(RecordId::as_str)
        );
    }
    drop(store);
    let mut store = WarcStore::open_with_ids(dir.path(), config, SeededIds::new(2))?;
    let next = store.store(&sample("https://e.example/3", b"body 3", T0 + 3))?;
    assert_eq!(next.file, "archive-00003.warc.gz");

    // A large limit keeps appending to the reopened last file.
    drop(store);
    let mut store = WarcStore::open_with_ids(dir.path(), StoreConfig::default(), SeededIds::new(3))?;
    let more = store.store(&sample("https://e.example/4", b"body 4", T0 + 4))?;
    assert_eq!(more.file, "archive-00003.warc.gz");
    assert_eq!(read_all(&dir.path().join(&more.file)).len(), 5);
    Ok(())
}

#[test]
fn identical_payloads_become_revisits() -> TestResult {
    let dir = TempDir::new()?;
    let mut store = open(dir.path())?;
    let a = store.store(&sample("https://e.example/a", b"same bytes", T0))?;
    let b = store.store(&sample("https://e.example/b", b"same bytes", T0 + 1_000))?;
    let c = store.store(&sample("https://e.example/c", b"other", T0 + 2_000))?;
    let e1 = store.store(&sample("https://e.example/e1", b"", T0 + 3_000))?;
    let e2 = store.store(&sample("https://e.example/e2", b"", T0 + 4_000))?;
    assert_eq!((a.revisit, b.revisit, c.revisit, e1.revisit, e2.revisit), (false, true, false, false, false));
    assert_eq!(a.content_hash, b.content_hash);

    let recs = read_all(&dir.path().join(&a.file));
    let orig = recs.iter().find(|r| r.offset == a.offset).ok_or("original")?;
    let rev = recs.iter().find(|r| r.offset == b.offset).ok_or("revisit")?;
    let h = &rev.record.headers;
    assert_eq!(rev.record.record_type(), RecordType::Revisit);
    assert_eq!(h.get("WARC-Profile"), Some(REVISIT_PROFILE_IDENTICAL));
    assert_eq!(h.get("WARC-Refers-To"), orig.record.record_id().as_ref().map(RecordId::as_str));
    assert_eq!(h.get("WARC-Refers-To-Target-URI"), Some("https://e.example/a"));
    assert_eq!(h.get("WARC-Refers-To-Date"), orig.record.headers.get("WARC-Date"));
    assert_eq!(h.get("WARC-Payload-Digest"), orig.record.headers.get("WARC-Payload-Digest"));
    assert!(rev.record.block.ends_with(b"\r\n\r\n") && !rev.record.block.ends_with(b"same bytes"));

    let rev_ref = store.captures("https://e.example/b", None, None).pop().ok_or("indexed")?;
    assert!(rev_ref.is_revisit());
    assert_eq!(store.by_hash(&a.content_hash).map(|r| r.offset), Some(a.offset));
    let read = store.read(&rev_ref)?;
    assert_eq!((read.record_type, read.body.as_slice()), (RecordType::Revisit, &b"same bytes"[..]));
    assert!(store.verify(&rev_ref)?.is_valid());

    // Content exchange: the revisit travels with its original.
    let bytes = store.record_bytes(&rev_ref, 1 << 20)?;
    assert_eq!(bytes.len() as u64, rev_ref.length + a.length);
    let decoded = decode_record_bytes(&bytes, crate::ReaderLimits::default())?;
    assert_eq!(sha256(&decoded.body), a.content_hash);
    assert!(matches!(store.record_bytes(&rev_ref, 10), Err(WarcError::TooLarge { .. })));
    Ok(())
}

#[test]
fn index_is_rebuilt_when_missing_or_wrong() -> TestResult {
    let dir = TempDir::new()?;
    let mut store = open(dir.path())?;
    for i in 0..4u64 {
        store.store(&sample(&format!("https://e.example/{i}"), &[i as u8; 3], T0 + i * 1000))?;
    }
    store.store(&sample("https://e.example/dup", &[0u8; 3], T0 + 9000))?;
    let before: Vec<CaptureRef> = store.all_captures().cloned().collect();
    drop(store);
    let index = dir.path().join(INDEX_FILE);

    fs::remove_file(&index)?;
    let store = open(dir.path())?;
    assert_eq!(store.all_captures().cloned().collect::<Vec<_>>(), before);
    assert!(fs::read_to_string(&index)?.lines().count() == 5);
    drop(store);

    // An index pointing at the wrong offsets is detected and rebuilt.
    let text = fs::read_to_string(&index)?;
    fs::write(&index, text.replace("\"offset\":\"", "\"offset\":\"1"))?;
    let store = open(dir.path())?;
    assert_eq!(store.all_captures().cloned().collect::<Vec<_>>(), before);
    drop(store);

    // A crash between the WARC write and the index append: the missing line is added back.
    let text = fs::read_to_string(&index)?;
    let kept: Vec<&str> = text.lines().filter(|l| !l.contains("e.example/dup")).collect();
    fs::write(&index, kept.join("\n") + "\n")?;
    let store = open(dir.path())?;
    assert_eq!(store.all_captures().cloned().collect::<Vec<_>>(), before);
    assert_eq!(fs::read_to_string(&index)?.lines().count(), 5);
    drop(store);

    // A torn last index line.
    let text = fs::read_to_string(&index)?;
    fs::write(&index, &text[..text.len() - 10])?;
    let store = open(dir.path())?;
    assert_eq!(store.all_captures().cloned().collect::<Vec<_>>(), before);
    Ok(())
}

fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    OpenOptions::new().append(true).open(path)?.write_all(bytes)
}

#[test]
fn crash_mid_write_is_repaired_without_losing_records() -> TestResult {
    let dir = TempDir::new()?;
    let mut store = open(dir.path())?;
    let kept = store.store(&sample("https://e.example/kept", b"kept body", T0))?;
    drop(store);
    let path = dir.path().join(&kept.file);
    let good_len = fs::metadata(&path)?.len();

    // A torn batch: the request member and half of the response member.
    let other = TempDir::new()?;
    let mut scratch = open(other.path())?;
    scratch.store(&sample("https://e.example/lost", b"lost body", T0 + 1))?;
    let scratch_file = fs::read(other.path().join("archive-00000.warc.gz"))?;
    let recs = read_all(&other.path().join("archive-00000.warc.gz"));
    let (req, resp) = (&recs[1], &recs[2]);
    let torn = &scratch_file[req.offset as usize..(resp.offset + resp.length / 2) as usize];
    append(&path, torn)?;

    let mut store = open(dir.path())?;
    assert_eq!(fs::metadata(&path)?.len(), good_len);
    let saved = dir.path().join(format!("{}.{good_len}.corrupt", kept.file));
    assert_eq!(fs::read(&saved)?, torn);
    assert!(store.captures("https://e.example/lost", None, None).is_empty());
    let r = store.by_hash(&kept.content_hash).ok_or("kept capture indexed")?;
    assert_eq!(store.read(&r)?.body, b"kept body");
    let next = store.store(&sample("https://e.example/next", b"next body", T0 + 2))?;
    let after = read_all(&path);
    let req_at = after.iter().find(|r| r.offset == good_len).ok_or("batch starts at the cut")?;
    assert_eq!(req_at.record.record_type(), RecordType::Request);
    assert_eq!(next.offset, good_len + req_at.length);
    drop(store);

    // A request whose response never made it is cut off as well.
    let len = fs::metadata(&path)?.len();
    append(&path, &scratch_file[req.offset as usize..(req.offset + req.length) as usize])?;
    let store = open(dir.path())?;
    assert_eq!(fs::metadata(&path)?.len(), len);
    assert_eq!(store.len(), 2);
    Ok(())
}

#[test]
fn bad_files_in_the_store_dir() -> TestResult {
    let dir = TempDir::new()?;
    let mut store = open(dir.path())?;
    let a = store.store(&sample("https://e.example/a", b"aaa", T0))?;
    let b = store.store(&sample("https://e.example/b", b"bbb", T0 + 1))?;
    let c = store.store(&sample("https://e.example/c", b"ccc", T0 + 2))?;
    drop(store);
    fs::write(dir.path().join("notes.txt"), b"not a warc")?;
    fs::write(dir.path().join("archive-00007.warc.gz"), b"\x1f\x8b\x08garbage garbage")?;

    // Damage inside the first capture's response: later records must survive.
    let path = dir.path().join(&a.file);
    let mut bytes = fs::read(&path)?;
    let mid = (a.offset + a.length / 2) as usize;
    for byte in &mut bytes[mid..mid + 8] {
        *byte ^= 0xff;
    }
    fs::write(&path, &bytes)?;
    fs::remove_file(dir.path().join(INDEX_FILE))?;

    let mut store = open(dir.path())?;
    assert_eq!(fs::metadata(&path)?.len(), bytes.len() as u64, "intact records after damage are kept");
    assert!(store.by_hash(&a.content_hash).is_none());
    for s in [&b, &c] {
        let r = store.by_hash(&s.content_hash).ok_or("capture after the damage")?;
        assert!(store.verify(&r)?.is_valid());
    }
    // The garbage WARC-named file was saved aside and emptied; it now takes new records.
    assert!(dir.path().join("archive-00007.warc.gz.0.corrupt").exists());
    let d = store.store(&sample("https://e.example/d", b"ddd", T0 + 3))?;
    assert_eq!(d.file, "archive-00007.warc.gz");
    assert_eq!(read_all(&dir.path().join(&d.file))[0].record.record_type(), RecordType::Warcinfo);

    // References can only name store files.
    let mut evil = store.by_hash(&b.content_hash).ok_or("b")?;
    evil.file = "../notes.txt".into();
    assert!(matches!(store.read(&evil), Err(WarcError::UnknownFile { .. })));
    evil.file = "notes.txt".into();
    assert!(matches!(store.record_bytes(&evil, 1 << 20), Err(WarcError::UnknownFile { .. })));
    Ok(())
}

#[test]
fn malformed_records_in_a_store_file_are_skipped_not_fatal() -> TestResult {
    let dir = TempDir::new()?;
    let mut store = open(dir.path())?;
    let a = store.store(&sample("https://e.example/a", b"aaa", T0))?;
    drop(store);
    let path = dir.path().join(&a.file);
    let gz = |raw: &[u8]| -> std::io::Result<Vec<u8>> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(raw)?;
        e.finish()
    };
    let mut huge = b"WARC/1.1\r\nX-Long: ".to_vec();
    huge.extend(vec![b'x'; 100 * 1024]);
    huge.extend(b"\r\n\r\n");
    let bad = [
        gz(b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:x>\r\nWARC-Date: 2020-01-01T00:00:00Z\r\n\r\n")?,
        gz(b"WARC/1.1\r\nWARC-Type: response\r\nX-Bad: \xff\xfe\r\nContent-Length: 0\r\n\r\n\r\n\r\n")?,
        gz(&huge)?,
    ]
    .concat();
    append(&path, &bad)?;
    let with_bad = fs::metadata(&path)?.len();
    for round in 0..2 {
        let mut store = open(dir.path())?;
        assert_eq!(store.len(), 1 + round, "round {round}");
        let r = store.by_hash(&a.content_hash).ok_or("a survives")?;
        assert_eq!(store.read(&r)?.body, b"aaa");
        if round == 0 {
            assert_eq!(fs::metadata(&path)?.len(), with_bad, "intact members are not cut");
            let b = store.store(&sample("https://e.example/b", b"bbb", T0 + 1))?;
            assert!(b.offset > with_bad);
        }
    }
    Ok(())
}

#[test]
fn verify_reports_a_wrong_digest() -> TestResult {
    let dir = TempDir::new()?;
    let mut store = open(dir.path())?;
    let a = store.store(&sample("https://e.example/a", b"aaa", T0))?;
    drop(store);
    // A response whose payload digest header lies (written behind the store's back).
    let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n".to_vec();
    block.extend_from_slice(b"actual");
    let lie = crate::record::WarcRecord::builder(RecordType::Response, &RecordId::from_random([8; 16]), T0 + 1)
        .header("WARC-Target-URI", "https://e.example/lie")
        .payload_digest(&warc_digest(&sha256(b"claimed")))
        .block(HTTP_RESPONSE_TYPE, block)
        .build();
    append(&dir.path().join(&a.file), &lie.to_gzip_member())?;
    let store = open(dir.path())?;
    let r = store.captures("https://e.example/lie", None, None).pop().ok_or("indexed on open")?;
    let v = store.verify(&r)?;
    assert!(v.block_digest_ok && !v.payload_digest_ok && !v.content_hash_ok && !v.is_valid());
    Ok(())
}

#[test]
fn invalid_captures_and_config_are_refused() -> TestResult {
    let dir = TempDir::new()?;
    assert!(matches!(
        WarcStore::open(dir.path(), StoreConfig::default().with_max_file_bytes(0)),
        Err(WarcError::InvalidConfig { .. })
    ));
    let mut store = open(dir.path())?;
    let mut c = sample("https://e.example/", b"x", T0);
    c.url = "no scheme".into();
    assert!(matches!(store.store(&c), Err(WarcError::InvalidCapture { .. })));
    assert!(store.is_empty());
    assert!(store.files().is_empty(), "nothing is written for a refused capture");
    Ok(())
}
