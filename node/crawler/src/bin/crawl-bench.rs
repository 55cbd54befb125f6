//! Crawl throughput benchmark (not a test): serves a synthetic site of N pages (5–20 KB each,
//! ~12 links per page) on 127.0.0.1 and crawls it with no politeness delay.
//!
//! ```text
//! crawl-bench [--pages N] [--concurrency C]        # in-process server + crawl
//! crawl-bench --serve-only PORT [--pages N]        # only serve the site (for scrapy_bench.sh)
//! crawl-bench --url URL [--pages N] [--concurrency C]  # crawl an already running site
//! ```
//!
//! Prints one `RESULT` line: pages, seconds, pages/s, pages/s per core
//! (`std::thread::available_parallelism`, server included when in-process) and bytes/s.

#[path = "../../testkit/fixture_server.rs"]
#[allow(dead_code)]
mod fixture_server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use archive_crawler::{Capture, CaptureSink, CrawlConfig, Crawler, PageInfo, StopReason};
use fixture_server::{Body, FixtureServer, Reply};

const DEFAULT_PAGES: usize = 2_000;
const DEFAULT_CONCURRENCY: usize = 16;
const WORDS: &[&str] = &[
    "archive", "chain", "web", "page", "capture", "crawler", "polite", "robots", "bytes", "served", "history",
    "record", "library", "memory", "digital", "preserve", "document", "link", "text", "le", "la", "les", "des", "une",
    "est", "pour", "avec", "dans", "sur", "mais", "donc", "ou",
];

#[derive(Debug)]
struct Args {
    pages: usize,
    concurrency: usize,
    serve_only: Option<u16>,
    url: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { pages: DEFAULT_PAGES, concurrency: DEFAULT_CONCURRENCY, serve_only: None, url: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--pages" => args.pages = value()?.parse().map_err(|e| format!("--pages: {e}"))?,
            "--concurrency" => args.concurrency = value()?.parse().map_err(|e| format!("--concurrency: {e}"))?,
            "--serve-only" => args.serve_only = Some(value()?.parse().map_err(|e| format!("--serve-only: {e}"))?),
            "--url" => args.url = Some(value()?),
            "-h" | "--help" => {
                return Err("usage: crawl-bench [--pages N] [--concurrency C] [--serve-only PORT | --url URL]".into())
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.pages == 0 || args.concurrency == 0 {
        return Err("--pages and --concurrency must be positive".into());
    }
    Ok(args)
}

/// Deterministic page `i` of `n`: 5–20 KB, links to the next page (so all are reachable) and
/// to pseudo-random others.
fn page(i: usize, n: usize) -> Vec<u8> {
    let target = 5_000 + (i * 7_919) % 15_000;
    let mut s = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page {i}</title>\
         <style>body{{font-family:serif}}</style></head><body><nav>"
    );
    for k in 0..4 {
        s.push_str(&format!("<a href=\"/page/{k}.html\">home {k}</a> "));
    }
    s.push_str("</nav><main>");
    let links = [i + 1, i * 3 + 1, i * 7 + 2, i * 13 + 5, i * 31 + 11, i * 101 + 17, i / 2, i / 3];
    let mut seed = i as u64 * 2_654_435_761 + 1;
    let mut word = 0;
    while s.len() < target {
        s.push_str("<p>");
        for _ in 0..40 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            s.push_str(WORDS[(seed >> 33) as usize % WORDS.len()]);
            s.push(' ');
        }
        let l = links[word % links.len()] % n;
        s.push_str(&format!("<a href=\"../page/{l}.html\">see page {l}</a></p>\n"));
        word += 1;
    }
    s.push_str("</main><script>var x = 1;</script></body></html>");
    s.into_bytes()
}

async fn serve_site(addr: &str, n: usize) -> std::io::Result<FixtureServer> {
    let pages: Arc<Vec<Arc<Vec<u8>>>> = Arc::new((0..n).map(|i| Arc::new(page(i, n))).collect());
    FixtureServer::start_on(
        addr,
        Arc::new(move |req| {
            let idx = req
                .target
                .strip_prefix("/page/")
                .and_then(|p| p.strip_suffix(".html"))
                .and_then(|p| p.parse::<usize>().ok());
            match idx.and_then(|i| pages.get(i)) {
                Some(body) => Reply::html(Vec::new()).with_body(Body::Full(body.clone())),
                None => Reply::text(404, "Not Found", "no such page"),
            }
        }),
    )
    .await
}

/// Counts what a WARC store would receive, without storing it.
#[derive(Debug, Default)]
struct CountingSink {
    captures: u64,
    bytes: u64,
    parsed: u64,
    links: u64,
}

impl CaptureSink for CountingSink {
    fn accept(&mut self, capture: Capture, page: Option<PageInfo>) -> Result<(), String> {
        self.captures += 1;
        self.bytes += capture.body.len() as u64;
        if let Some(p) = page {
            self.parsed += 1;
            self.links += p.links.len() as u64;
        }
        Ok(())
    }
}

async fn bench(url: String, args: &Args, label: &str) -> Result<(), String> {
    let mut config = CrawlConfig::new([url]);
    config.allow_private_addresses = true;
    config.respect_robots = false;
    config.politeness_delay = Duration::ZERO;
    config.per_host_concurrency = args.concurrency;
    config.global_concurrency = args.concurrency;
    config.max_pages = args.pages as u64 + 10;
    config.max_depth = u32::MAX - 1;
    config.page_timeout = Duration::from_secs(30);
    config.total_timeout = Duration::from_secs(600);
    let mut crawler = Crawler::new(config).map_err(|e| e.to_string())?;
    let mut sink = CountingSink::default();
    let started = Instant::now();
    let report = crawler.run(&mut sink, |_| {}).await;
    let secs = started.elapsed().as_secs_f64();
    if report.stop != StopReason::Finished || !report.errors.is_empty() {
        return Err(format!("crawl did not finish cleanly: {:?}, errors {:?}", report.stop, report.errors.first()));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pps = report.pages as f64 / secs;
    println!(
        "RESULT {label} pages={} parsed={} links={} seconds={secs:.3} pages_per_s={pps:.1} cores={cores} \
         pages_per_s_per_core={:.1} bytes_per_s={:.0} concurrency={}",
        report.pages,
        sink.parsed,
        sink.links,
        pps / cores as f64,
        report.bytes as f64 / secs,
        args.concurrency,
    );
    Ok(())
}

async fn run(args: Args) -> Result<(), String> {
    if let Some(port) = args.serve_only {
        let server = serve_site(&format!("127.0.0.1:{port}"), args.pages).await.map_err(|e| e.to_string())?;
        eprintln!("serving {} pages on {}", args.pages, server.url("/page/0.html"));
        server.wait().await;
        return Ok(());
    }
    if let Some(url) = args.url.clone() {
        return bench(url, &args, "archivechain-external-server").await;
    }
    let server = serve_site("127.0.0.1:0", args.pages).await.map_err(|e| e.to_string())?;
    bench(server.url("/page/0.html"), &args, "archivechain-in-process").await
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start tokio: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(args)) {
        eprintln!("crawl-bench: {e}");
        std::process::exit(1);
    }
}
