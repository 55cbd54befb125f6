//! Writes a small sample store to `<dir>/store` and exports `<dir>/sample.warc.gz` and
//! `<dir>/sample.wacz`, for checking with external tools (`scripts/warc-check.sh`).
//!
//! The captures cover: two identical payloads (the second becomes a revisit), a gzip-encoded
//! body, non-UTF-8 bodies, a truncated capture, a de-chunked body, a redirect and a metadata
//! record. Output is deterministic (seeded record ids, fixed times).
//!
//! Usage: `cargo run -p archive-warc --example write-sample -- <dir>`

use std::{error::Error, fs, io::Write, net::IpAddr, path::PathBuf};

use archive_warc::{Capture, SeededIds, StoreConfig, Truncation, WarcStore};
use flate2::{write::GzEncoder, Compression};

/// 2024-05-01T12:00:00Z.
const T0: u64 = 1_714_564_800_000;

fn capture(url: &str, content_type: &str, body: Vec<u8>, at: u64) -> Capture {
    Capture {
        url: url.into(),
        method: "GET".into(),
        request_headers: vec![
            ("User-Agent".into(), "ArchiveChain-sample/0.1".into()),
            ("Accept".into(), "*/*".into()),
            ("Accept-Encoding".into(), "gzip".into()),
        ],
        http_version: "HTTP/1.1".into(),
        status: 200,
        reason: "OK".into(),
        response_headers: vec![
            ("Content-Type".into(), content_type.into()),
            ("Content-Length".into(), body.len().to_string()),
            ("Server".into(), "sample".into()),
        ],
        body,
        truncated: None,
        ip: Some(IpAddr::from([93, 184, 215, 14])),
        captured_at: at,
        redirect_to: None,
    }
}

fn gzip(data: &[u8]) -> Result<Vec<u8>, Box<dyn Error>> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data)?;
    Ok(e.finish()?)
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: write-sample <output-dir>")?);
    fs::create_dir_all(&dir)?;
    let store_dir = dir.join("store");
    if store_dir.exists() {
        fs::remove_dir_all(&store_dir)?;
    }
    let config = StoreConfig::default().with_operator("ArchiveChain warc-check.sh sample");
    let mut store = WarcStore::open_with_ids(&store_dir, config, SeededIds::new(42))?;

    let page = b"<!doctype html><html><head><title>Example Domain</title></head>\
                 <body><h1>Example Domain</h1><p>Caf\xc3\xa9 &amp; more.</p></body></html>"
        .to_vec();
    let mut captures = vec![
        capture("https://example.com/", "text/html; charset=UTF-8", page.clone(), T0),
        // Same payload at another URL: stored as a revisit.
        capture("https://www.example.com/index.html", "text/html; charset=UTF-8", page, T0 + 60_000),
    ];

    let script = b"console.log('hello from a gzip-encoded script');\n".repeat(20);
    let mut js = capture("https://example.com/app.js", "application/javascript", gzip(&script)?, T0 + 1_000);
    js.response_headers.push(("Content-Encoding".into(), "gzip".into()));
    captures.push(js);

    let html_gz = gzip(b"<html><head><title>Compressed page</title></head><body>zip</body></html>")?;
    let mut gz_page = capture("https://example.com/compressed", "text/html", html_gz, T0 + 2_000);
    gz_page.response_headers.push(("Content-Encoding".into(), "gzip".into()));
    captures.push(gz_page);

    // Latin-1 text and binary data: bodies that are not UTF-8.
    let latin1 = b"R\xe9sum\xe9 \xe0 la fran\xe7aise\n".to_vec();
    captures.push(capture("https://example.com/latin1.txt", "text/plain; charset=iso-8859-1", latin1, T0 + 3_000));
    let png: Vec<u8> =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe\x00\x80".iter().copied().chain((0..=255u8).rev()).collect();
    captures.push(capture("https://example.com/logo.png", "image/png", png, T0 + 4_000));

    // Cut off after 1000 of 1,000,000 bytes.
    let mut big = capture("https://example.com/big.bin", "application/octet-stream", vec![0xab; 1000], T0 + 5_000);
    big.truncated = Some(Truncation::Length);
    big.response_headers[1].1 = "1000000".into();
    captures.push(big);

    // Served chunked; the stored body is de-chunked and the header fixed up.
    let mut chunked = capture("https://example.com/stream", "text/plain", b"chunked body".to_vec(), T0 + 6_000);
    chunked.response_headers.retain(|(n, _)| n != "Content-Length");
    chunked.response_headers.push(("Transfer-Encoding".into(), "chunked".into()));
    captures.push(chunked);

    let mut redirect = capture("http://example.com/old", "text/html", Vec::new(), T0 + 7_000);
    redirect.status = 301;
    redirect.reason = "Moved Permanently".into();
    redirect.response_headers.push(("Location".into(), "https://example.com/".into()));
    redirect.redirect_to = Some("https://example.com/".into());
    captures.push(redirect);

    for c in &captures {
        let s = store.store(c)?;
        println!("stored {:<40} {} offset={:<6} length={:<5} revisit={}", c.url, s.file, s.offset, s.length, s.revisit);
        if c.url == "https://example.com/" {
            store.store_metadata(
                &c.url,
                Some(&s.record_id),
                c.captured_at + 1,
                &[("outlink", "https://www.iana.org/domains/example")],
            )?;
        }
    }
    for r in store.all_captures() {
        let v = store.verify(r)?;
        if !v.is_valid() {
            return Err(format!("verification failed for {}: {v:?}", r.url).into());
        }
    }
    println!("verified {} captures", store.len());

    let created = T0 + 3_600_000;
    let warc = store.export_warc_at(&dir.join("sample.warc.gz"), None, created)?;
    println!("sample.warc.gz: {warc:?}");
    let wacz = store.export_wacz_at(&dir.join("sample.wacz"), None, created)?;
    println!("sample.wacz: {wacz:?}");
    Ok(())
}
