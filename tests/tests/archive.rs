//! Proof of Archive end to end on a real local testnet: a URL requested on chain is crawled
//! by the archiver node (Alith, admin and so archiver) from a fixture site served by this
//! test on loopback, stored as WARC and submitted; the other validators fetch the capture
//! over the content protocol, re-hash it and attest; the record is verified on chain and the
//! bounty paid; a search on another node finds the French page by an inflected French word
//! and the English page by a phrase; `archive_verify` agrees with the chain; deleting a node's
//! index and restarting it rebuilds the index.

use std::{
    io::{Read, Write},
    net::TcpListener,
    time::Duration,
};

use archive_integration_tests::*;
use parity_scale_codec::Decode;
use serde_json::{json, Value};

const EN_PAGE: &str = "<!doctype html><html lang=\"en\"><head><title>Digital preservation</title></head>\
<body><h1>Why archives matter</h1><p>Digital preservation matters because the web forgets. \
Every page we keep is a page the future can read.</p><a href=\"/fr.html\">en français</a></body></html>";
const FR_PAGE: &str =
    "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Les archives du web</title></head>\
<body><p>Les archives numériques sont préservées par les nœuds du réseau.</p></body></html>";

const START_PAGE: &str = "<html><head><title>Crawl start</title></head><body><p>Lighthouses guide ships.</p>\
<a href=\"next.html\">next</a></body></html>";
const NEXT_PAGE: &str =
    "<html><head><title>Crawl next</title></head><body><p>Keepers tended the lamps.</p></body></html>";

/// Requests served per path (the resume test counts fetches).
static HITS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// One testnet at a time.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Serves the fixture site on 127.0.0.1 (robots.txt allows everything); returns the base URL.
/// `/slow/N.html` (N < 6) answers after 1.5 s and links to the next one.
fn fixture_site() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]);
                let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
                HITS.lock().unwrap_or_else(|e| e.into_inner()).push(path.clone());
                let slow = path
                    .strip_prefix("/slow/")
                    .and_then(|p| p.strip_suffix(".html"))
                    .and_then(|n| n.parse::<u32>().ok());
                if let Some(n) = slow.filter(|n| *n < 6) {
                    std::thread::sleep(Duration::from_millis(1500));
                    let body = format!("<html><head><title>Slow {n}</title></head><body><p>Page {n}</p><a href=\"{}.html\">next</a></body></html>", n + 1);
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = s.write_all(head.as_bytes());
                    let _ = s.write_all(body.as_bytes());
                    return;
                }
                let (status, ctype, body) = match path.as_str() {
                    "/robots.txt" => ("200 OK", "text/plain", "User-agent: *\nAllow: /\n".to_string()),
                    "/en.html" => ("200 OK", "text/html; charset=utf-8", EN_PAGE.to_string()),
                    "/fr.html" => ("200 OK", "text/html; charset=utf-8", FR_PAGE.to_string()),
                    "/site/start.html" => ("200 OK", "text/html", START_PAGE.to_string()),
                    "/site/next.html" => ("200 OK", "text/html", NEXT_PAGE.to_string()),
                    _ => ("404 Not Found", "text/plain", "not found".to_string()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes());
                let _ = s.write_all(body.as_bytes());
            });
        }
    });
    format!("http://{addr}")
}

fn sha256(b: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(b).into()
}

fn record_status(node: &Node, hash: &[u8; 32]) -> Option<String> {
    let key = archive_pallet_archive::storage::Records::key(hash);
    let raw = node.call("state_getStorage", json!([format!("0x{}", hex::encode(key))]));
    let bytes = hex::decode(raw.as_str()?.trim_start_matches("0x")).ok()?;
    let r = archive_pallet_archive::ArchiveRecord::decode(&mut &bytes[..]).ok()?;
    Some(format!("{:?}", r.status))
}

fn cli_ok(net: &Testnet, i: usize, args: &[&str]) {
    let url = format!("ws://{}", net.node(i).addr());
    let mut all = args.to_vec();
    all.extend(["--url", &url, "--in-block"]);
    let out = run_cli(&all, Duration::from_secs(90)).expect("run the CLI");
    assert!(out.success(), "archivechain {args:?} failed:\n{out}");
}

fn search(node: &Node, q: Value) -> Value {
    node.call("archive_search", json!([q]))
}

fn urls(res: &Value) -> Vec<String> {
    res["hits"]
        .as_array()
        .map(|h| h.iter().filter_map(|x| x["url"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[test]
fn a_requested_page_is_captured_attested_verified_and_searchable_on_another_node() {
    let _turn = serial();
    let site = fixture_site();
    let flags = vec!["--archive-allow-private".to_owned(), "--crawl-politeness-ms".to_owned(), "0".to_owned()];
    let mut net = Testnet::start(TestnetConfig {
        node_flags: (0..4).map(|i| (i, flags.clone())).collect(),
        ..TestnetConfig::star(4)
    })
    .unwrap_or_else(|e| panic!("testnet did not start: {e:#}"));
    let (en_url, fr_url) = (format!("{site}/en.html"), format!("{site}/fr.html"));
    let (en_hash, fr_hash) = (sha256(EN_PAGE.as_bytes()), sha256(FR_PAGE.as_bytes()));

    // Requests go to node 1; Alith's node (0) crawls; the others attest.
    cli_ok(&net, 1, &["tx", "archive", "request", &en_url, "--bounty", "5ARC", "--from", "ethan"]);
    cli_ok(&net, 1, &["tx", "archive", "request", &fr_url, "--from", "ethan"]);
    net.log("two archive requests on chain");
    let mut status = (None, None);
    let verified = net.wait_until(Duration::from_secs(150), || {
        status = (record_status(net.node(2), &en_hash), record_status(net.node(2), &fr_hash));
        status == (Some("Verified".into()), Some("Verified".into()))
    });
    assert!(verified, "records not verified: {status:?}");
    net.log("both captures verified on chain by attestation");

    // Node 2 fetched and indexed both: French stem and English phrase.
    let fr = search(net.node(2), json!({"text": "préserver"}));
    assert!(urls(&fr).contains(&fr_url), "French stem search on node 2: {fr}");
    let en = search(net.node(2), json!({"text": "\"digital preservation matters\""}));
    assert_eq!(urls(&en), vec![en_url.clone()], "English phrase search on node 2: {en}");
    assert_eq!(en["hits"][0]["status"], json!("Verified"), "{en}");
    let fr_only = search(net.node(2), json!({"text": "archives", "language": "fr"}));
    assert_eq!(urls(&fr_only), vec![fr_url.clone()], "{fr_only}");
    let v = net.node(2).call("archive_verify", json!([format!("0x{}", hex::encode(en_hash))]));
    assert_eq!(v["verified"], json!(true), "{v}");
    let suggestions = net.node(2).call("archive_suggest", json!(["arch"]));
    assert!(suggestions.as_array().is_some_and(|a| a.contains(&json!("archives"))), "{suggestions}");
    let caps = net.node(2).call("archive_captures", json!([en_url]));
    assert_eq!(caps.as_array().map(Vec::len), Some(1), "{caps}");
    let content = net.node(2).call("archive_content", json!([format!("0x{}", hex::encode(fr_hash))]));
    assert_eq!(content["body"], json!(format!("0x{}", hex::encode(FR_PAGE))), "{content}");
    // Bad input answers with errors, never a crash.
    assert!(net.node(2).rpc("archive_search", json!([{"text": "x", "limit": 1000}])).is_err());
    assert!(net.node(2).rpc("archive_verify", json!(["0x1234"])).is_err());
    let unknown = net.node(2).call("archive_verify", json!([format!("0x{}", "ab".repeat(32))]));
    assert_eq!(unknown["verified"], json!(false));
    net.log("search, captures, content and verify answer on node 2");

    // `archivechain archive crawl`: the archiver node crawls a small site now and submits each
    // page; the others attest them as for requests.
    let url0 = format!("ws://{}", net.node(0).addr());
    let crawl = run_cli(
        &[
            "archive",
            "crawl",
            &format!("{site}/site/start.html"),
            "--depth",
            "1",
            "--max-pages",
            "5",
            "--url",
            &url0,
            "--json",
        ],
        Duration::from_secs(120),
    )
    .expect("cli");
    assert!(crawl.success(), "archive crawl failed:\n{crawl}");
    let state: Value = serde_json::from_str(&crawl.stdout).expect("JSON state");
    assert_eq!(state["state"], json!("done"), "{state}");
    assert_eq!(state["submitted"].as_array().map(Vec::len), Some(2), "{state}");
    let next_hash = sha256(NEXT_PAGE.as_bytes());
    let ok =
        net.wait_until(Duration::from_secs(120), || record_status(net.node(3), &next_hash) == Some("Verified".into()));
    assert!(ok, "crawled page not verified: {:?}", record_status(net.node(3), &next_hash));
    net.log("archive crawl: two pages crawled, submitted and verified");

    // The index is a view: delete it, restart, and it is rebuilt from the WARC store.
    let index_dir = net.node(2).base_path().join("chains").join("archivechain_local").join("archive").join("index");
    assert!(index_dir.is_dir(), "{} missing", index_dir.display());
    net.node_mut(2).stop();
    std::fs::remove_dir_all(&index_dir).expect("delete the index");
    net.restart(2).expect("restart node 2");
    let mut again = Value::Null;
    let ok = net.wait_until(Duration::from_secs(30), || {
        again = net.node(2).rpc("archive_search", json!([{"text": "préservées"}])).unwrap_or(Value::Null);
        urls(&again).contains(&fr_url)
    });
    assert!(ok, "after deleting the index and restarting: {again}");
    net.log("index rebuilt from the store after deletion");

    // Export node 2's store (stopped: one writer) and check it with warcio and wacz (PyPI).
    net.node_mut(2).stop();
    let out = tempfile::tempdir().expect("tmp");
    let (warc, wacz) = (out.path().join("out.warc.gz"), out.path().join("out.wacz"));
    let base = net.node(2).base_path().display().to_string();
    for (flag, file) in [("--warc", &warc), ("--wacz", &wacz)] {
        let args = ["archive", "export", flag, file.to_str().expect("utf-8"), "--chain", "local", "--base-path", &base];
        let res = run_cli(&args, Duration::from_secs(60)).expect("cli");
        assert!(res.success(), "{args:?}\n{res}");
    }
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/warc-check.sh");
    let check = std::process::Command::new("bash")
        .arg(&script)
        .args(["--files", warc.to_str().expect("utf-8"), wacz.to_str().expect("utf-8")])
        .output()
        .expect("run warc-check.sh");
    let said = format!("{}{}", String::from_utf8_lossy(&check.stdout), String::from_utf8_lossy(&check.stderr));
    assert!(check.status.success(), "warcio/wacz refused the export:\n{said}");
    net.log(&format!("exported WARC and WACZ validated: {}", said.trim().replace('\n', " | ")));
}

/// A crawl interrupted by a node restart resumes from its saved frontier: pages fetched before
/// the restart are not fetched again, and the request is still fulfilled and verified.
#[test]
fn an_interrupted_crawl_resumes_after_a_restart() {
    let _turn = serial();
    let site = fixture_site();
    let flags = vec!["--archive-allow-private".to_owned(), "--crawl-politeness-ms".to_owned(), "0".to_owned()];
    // Reserved peers redial each other, so the restarted archiver (node 0) rejoins the mesh.
    let mut net = Testnet::start(TestnetConfig {
        node_flags: (0..4).map(|i| (i, flags.clone())).collect(),
        ..TestnetConfig::reserved_mesh(4)
    })
    .unwrap_or_else(|e| panic!("testnet did not start: {e:#}"));
    let seed = format!("{site}/slow/0.html");
    let count = |path: &str| HITS.lock().unwrap_or_else(|e| e.into_inner()).iter().filter(|p| *p == path).count();
    cli_ok(&net, 1, &["tx", "archive", "request", &seed, "--depth", "5", "--max-pages", "6", "--from", "ethan"]);
    // Stop Alith's node (the archiver) once two slow pages are done (the third is asked for
    // only after the second was received and parsed).
    assert!(net.wait_until(Duration::from_secs(60), || count("/slow/2.html") >= 1), "the crawl did not start");
    net.node_mut(0).stop();
    net.log(&format!(
        "archiver stopped mid-crawl after {} slow pages",
        (0..6).filter(|n| count(&format!("/slow/{n}.html")) > 0).count()
    ));
    assert!(
        net.node(0).stderr_tail(400).contains("frontier is saved"),
        "no frontier saved:\n{}",
        net.node(0).stderr_tail(40)
    );
    net.restart(0).expect("restart node 0");
    let hash = sha256(
        "<html><head><title>Slow 0</title></head><body><p>Page 0</p><a href=\"1.html\">next</a></body></html>"
            .as_bytes(),
    );
    let ok = net.wait_until(Duration::from_secs(120), || record_status(net.node(1), &hash) == Some("Verified".into()));
    assert!(ok, "the resumed request was not verified: {:?}", record_status(net.node(1), &hash));
    assert!(net.node(0).stderr_tail(400).contains("resuming an interrupted crawl"), "{}", net.node(0).stderr_tail(40));
    assert_eq!(count("/slow/0.html"), 1, "the seed was fetched again after the restart");
    assert_eq!(count("/slow/5.html"), 1, "the last page was not fetched exactly once");
    assert_eq!(count("/slow/1.html"), 1, "a page stored before the interruption was fetched again");
    net.log("the crawl resumed after the restart; the seed was fetched once; the record is verified");
    // The pages reached by following links are submitted too, and attested like the seed:
    // those captured after the restart and those stored before the interruption.
    let body = |n: u32| {
        format!(
            "<html><head><title>Slow {n}</title></head><body><p>Page {n}</p><a href=\"{}.html\">next</a></body></html>",
            n + 1
        )
    };
    let mut pending: Vec<u32> = (1..=5).collect();
    let ok = net.wait_until(Duration::from_secs(120), || {
        pending.retain(|n| record_status(net.node(2), &sha256(body(*n).as_bytes())) != Some("Verified".into()));
        pending.is_empty()
    });
    assert!(ok, "linked pages not verified on node 2: /slow/{pending:?}.html");
    net.log("every page reached by a link, before and after the interruption, was submitted and verified");
}
