//! Export tests: record selection, byte-for-byte copies, and the WACZ package contents.

use std::{fs, io::Read, path::Path};

use serde_json::Value;
use tempfile::TempDir;

use crate::{
    capture::tests::sample,
    digest::{hex_digest, sha256},
    reader::WarcReader,
    record::{RecordType, SeededIds},
    CaptureRef, ReaderLimits, StoreConfig, WarcStore,
};

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

const T0: u64 = 1_700_000_000_000;
const CREATED: u64 = T0 + 86_400_000;

fn store_with_revisit(dir: &Path) -> crate::Result<WarcStore> {
    let mut store = WarcStore::open_with_ids(dir, StoreConfig::default(), SeededIds::new(4))?;
    let mut page = sample("https://e.example/a", b"<title>Page A</title>same", T0);
    page.response_headers[0].1 = "text/html".into();
    store.store(&page)?;
    let mut text = sample("https://e.example/b", b"other", T0 + 10_000);
    text.response_headers[0].1 = "text/plain".into();
    store.store(&text)?;
    let mut again = page.clone();
    again.url = "https://e.example/c".into();
    again.captured_at = T0 + 20_000;
    assert!(store.store(&again)?.revisit);
    store.store_metadata("https://e.example/c", None, T0 + 21_000, &[("k", "v")])?;
    Ok(store)
}

fn records(path: &Path) -> Vec<(RecordType, Option<String>)> {
    let bytes = fs::read(path).expect("export written");
    WarcReader::new(&bytes[..])
        .map(|r| {
            let r = r.expect("exported records are readable");
            (r.record.record_type(), r.record.target_uri().map(str::to_string))
        })
        .collect()
}

#[test]
fn full_export_copies_the_store_byte_for_byte() -> TestResult {
    let dir = TempDir::new()?;
    let mut store = store_with_revisit(dir.path())?;
    let out = dir.path().join("all.warc.gz");
    let summary = store.export_warc_at(&out, None, CREATED)?;
    assert_eq!((summary.records, summary.captures, summary.pages), (9, 3, 2));
    let exported = fs::read(&out)?;
    assert_eq!(summary.bytes, exported.len() as u64);
    let first = WarcReader::new(&exported[..]).next().ok_or("warcinfo")??;
    assert_eq!(first.record.record_type(), RecordType::Warcinfo);
    assert_eq!(first.record.headers.get("WARC-Filename"), Some("all.warc.gz"));
    assert_eq!(first.record.date_ms(), Some(CREATED));
    let store_file = fs::read(dir.path().join("archive-00000.warc.gz"))?;
    assert_eq!(&exported[first.length as usize..], &store_file[..]);
    assert!(!dir.path().join(".all.warc.gz.partial").exists());
    Ok(())
}

#[test]
fn export_since_brings_revisit_originals_along() -> TestResult {
    let dir = TempDir::new()?;
    let mut store = store_with_revisit(dir.path())?;
    let out = dir.path().join("since.warc.gz");
    let summary = store.export_warc_at(&out, Some(T0 + 15_000), CREATED)?;
    let c = Some("https://e.example/c".to_string());
    use RecordType::*;
    assert_eq!(
        records(&out),
        [
            (Warcinfo, None),
            (Warcinfo, None),
            (Request, c.clone()),
            (Response, Some("https://e.example/a".into())),
            (Revisit, c.clone()),
            (Metadata, c),
        ]
    );
    assert_eq!((summary.records, summary.captures), (6, 2));

    let empty = dir.path().join("none.warc.gz");
    let summary = store.export_warc_at(&empty, Some(T0 + 99_000), CREATED)?;
    assert_eq!(records(&empty), [(Warcinfo, None)]);
    assert_eq!(summary.captures, 0);
    Ok(())
}

fn entry(zip: &mut zip::ZipArchive<fs::File>, name: &str) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    zip.by_name(name)?.read_to_end(&mut buf)?;
    Ok(buf)
}

#[test]
fn wacz_package_contents() -> TestResult {
    let dir = TempDir::new()?;
    let mut store = store_with_revisit(dir.path())?;
    let out = dir.path().join("pkg.wacz");
    let summary = store.export_wacz_at(&out, None, CREATED)?;
    let mut zip = zip::ZipArchive::new(fs::File::open(&out)?)?;
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    assert_eq!(
        names,
        [
            "archive/data.warc.gz",
            "indexes/index.cdx",
            "pages/pages.jsonl",
            "datapackage.json",
            "datapackage-digest.json"
        ]
    );
    assert_eq!(zip.by_name("archive/data.warc.gz")?.compression(), zip::CompressionMethod::Stored);

    let package_bytes = entry(&mut zip, "datapackage.json")?;
    let package: Value = serde_json::from_slice(&package_bytes)?;
    assert_eq!(package["profile"], "data-package");
    assert_eq!(package["wacz_version"], "1.1.1");
    assert_eq!(package["created"], "2023-11-15T22:13:20Z");
    let resources = package["resources"].as_array().ok_or("resources")?;
    assert_eq!(resources.len(), 3);
    for r in resources {
        let path = r["path"].as_str().ok_or("path")?;
        let bytes = entry(&mut zip, path)?;
        assert_eq!(r["hash"], hex_digest(&sha256(&bytes)), "{path}");
        assert_eq!(r["bytes"], bytes.len() as u64, "{path}");
        assert_eq!(r["name"], path.rsplit('/').next().ok_or("name")?);
    }
    let digest: Value = serde_json::from_slice(&entry(&mut zip, "datapackage-digest.json")?)?;
    assert_eq!(digest["path"], "datapackage.json");
    assert_eq!(digest["hash"], hex_digest(&sha256(&package_bytes)));

    let data = entry(&mut zip, "archive/data.warc.gz")?;
    assert_eq!(summary.bytes, data.len() as u64);
    let index = String::from_utf8(entry(&mut zip, "indexes/index.cdx")?)?;
    let lines: Vec<&str> = index.lines().collect();
    assert_eq!(lines.len(), 3);
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert_eq!(lines, sorted);
    for line in lines {
        let r = CaptureRef::from_cdxj_line(line)?;
        assert_eq!(r.file, "data.warc.gz");
        let member = &data[r.offset as usize..(r.offset + r.length) as usize];
        let rec =
            WarcReader::with_limits(member, ReaderLimits::default()).next().ok_or("record at indexed offset")??;
        assert_eq!(rec.length, r.length);
        assert_eq!(CaptureRef::from_record(&rec, "data.warc.gz").map(|x| x.url), Some(r.url));
    }

    let pages = String::from_utf8(entry(&mut zip, "pages/pages.jsonl")?)?;
    let pages: Vec<&str> = pages.lines().collect();
    assert_eq!(pages[0], r#"{"format":"json-pages-1.0","id":"pages","title":"All Pages"}"#);
    let a: Value = serde_json::from_str(pages[1])?;
    assert_eq!(a["url"], "https://e.example/a");
    assert_eq!(a["ts"], "2023-11-14T22:13:20Z");
    assert_eq!(a["title"], "Page A");
    let c: Value = serde_json::from_str(pages[2])?;
    assert_eq!(c["url"], "https://e.example/c");
    assert_eq!(pages.len(), 3, "only the two HTML pages are listed");
    assert!(!dir.path().join(".pkg.wacz.partial").exists());
    assert!(!dir.path().join(".pkg.wacz.data.partial").exists());
    Ok(())
}
