//! End-to-end crawls of a fixture site served on 127.0.0.1 inside the test.
//! Nothing here touches the internet.

#[path = "../testkit/fixture_server.rs"]
#[allow(dead_code)]
mod fixture_server;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use archive_crawler::{
    crawl, CharsetSource, CrawlConfig, CrawlError, CrawlReport, Crawler, Frontier, OtherMime, SkipReason, StopReason,
    Truncation, VecSink,
};
use fixture_server::{Body, FixtureServer, Handler, Reply};

fn site(routes: impl Fn(&str) -> Option<Reply> + Send + Sync + 'static) -> Handler {
    Arc::new(move |req| routes(&req.target).unwrap_or_else(|| Reply::text(404, "Not Found", "no such page")))
}

async fn serve(routes: impl Fn(&str) -> Option<Reply> + Send + Sync + 'static) -> FixtureServer {
    FixtureServer::start(site(routes)).await.expect("bind 127.0.0.1")
}

/// Loopback allowed, no politeness delay, short timeouts.
fn config(server: &FixtureServer, path: &str) -> CrawlConfig {
    let mut c = CrawlConfig::new([server.url(path)]);
    c.allow_private_addresses = true;
    c.politeness_delay = Duration::ZERO;
    c.page_timeout = Duration::from_secs(5);
    c.total_timeout = Duration::from_secs(30);
    c
}

async fn run(c: CrawlConfig) -> (CrawlReport, VecSink) {
    let mut sink = VecSink::default();
    let report = crawl(c, &mut sink, |_| {}).await.expect("valid config");
    (report, sink)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("in-memory write");
    e.finish().expect("in-memory gzip")
}

fn urls(sink: &VecSink) -> Vec<String> {
    sink.items.iter().map(|(c, _)| c.url.clone()).collect()
}

const ROBOTS: &str = "User-agent: *\nDisallow: /\n\nUser-agent: ArchiveChainBot\nDisallow: /private/\nDisallow: /nobot\nAllow: /private/open\n";

fn main_site(path: &str) -> Option<Reply> {
    Some(match path {
        "/robots.txt" => Reply::text(200, "OK", ROBOTS),
        "/" => Reply::html(
            r##"<html lang="en"><head><title>Home</title></head><body><h1>Welcome</h1>
            <a href="a.html">A</a> <a href="sub/b.html#part">B</a> <a href="/private/secret">S</a>
            <a href="/private/open">O</a> <a href="nobot">N</a> <a href="mailto:me@example.org">M</a>
            <a href="http://elsewhere.invalid/">X</a> <a href="#top">T</a></body></html>"##,
        ),
        "/a.html" => {
            Reply::html(r#"<html><body><p>Page A</p><a href="./">home</a><a href="/a.html">self</a></body></html>"#)
        }
        "/sub/b.html" => {
            Reply::html(r#"<html><head><base href="/base/"></head><body>B <a href="c.html">C</a></body></html>"#)
        }
        "/base/c.html" => Reply::html("<html><body>C</body></html>"),
        "/private/open" => Reply::html("<html><body>open</body></html>"),
        "/private/secret" | "/nobot" => Reply::html("must not be fetched"),
        _ => return None,
    })
}

#[tokio::test]
async fn site_crawl_follows_relative_links_breadth_first_and_obeys_robots() {
    let server = serve(main_site).await;
    let (report, sink) = run(config(&server, "/")).await;
    let root = server.url("");
    assert_eq!(
        urls(&sink),
        ["/robots.txt", "/", "/a.html", "/sub/b.html", "/private/open", "/base/c.html"]
            .iter()
            .map(|p| format!("{root}{p}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(report.stop, StopReason::Finished);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!((report.pages, report.captures), (5, 6));
    assert_eq!(server.hits("/robots.txt"), 1);
    assert_eq!(server.hits("/private/secret"), 0);
    assert_eq!(server.hits("/nobot"), 0);
    assert_eq!(
        report.skipped,
        vec![
            (
                format!("{root}/private/secret"),
                SkipReason::Robots { rule: "disallowed by \"Disallow: /private/\" (group \"archivechainbot\")".into() }
            ),
            (
                format!("{root}/nobot"),
                SkipReason::Robots { rule: "disallowed by \"Disallow: /nobot\" (group \"archivechainbot\")".into() }
            ),
        ]
    );
    assert_eq!(report.out_of_scope, 1, "elsewhere.invalid");

    let (robots, robots_page) = &sink.items[0];
    assert!(robots.prerequisite && robots_page.is_none() && robots.robots.is_none());
    assert_eq!(robots.body, ROBOTS.as_bytes());

    let (home, page) = sink.get(&format!("{root}/")).expect("home captured");
    let page = page.as_ref().expect("home parsed");
    assert_eq!(home.depth, 0);
    assert_eq!(home.status, 200);
    assert_eq!(home.reason, "OK");
    assert_eq!(home.http_version, "HTTP/1.1");
    assert_eq!(home.ip, Some("127.0.0.1".parse().expect("static IP")));
    assert_eq!(home.robots.as_deref(), Some("allowed: no matching rule (group \"archivechainbot\")"));
    assert_eq!(page.title.as_deref(), Some("Home"));
    assert_eq!(page.language.as_deref(), Some("en"));
    assert_eq!(page.text, "Welcome A B S O N M X T");
    assert_eq!(
        page.links,
        ["/a.html", "/sub/b.html", "/private/secret", "/private/open", "/nobot"]
            .iter()
            .map(|p| format!("{root}{p}"))
            .chain(["http://elsewhere.invalid/".to_string()])
            .collect::<Vec<_>>()
    );
    let open = &sink.get(&format!("{root}/private/open")).expect("open captured").0;
    assert_eq!(open.robots.as_deref(), Some("allowed by \"Allow: /private/open\" (group \"archivechainbot\")"));
    assert_eq!(open.depth, 1);
    assert_eq!(sink.get(&format!("{root}/base/c.html")).expect("c captured").0.depth, 2);
    // Breadth first: depths never decrease in delivery order (one request at a time).
    let depths: Vec<u32> = sink.items.iter().skip(1).map(|(c, _)| c.depth).collect();
    assert!(depths.windows(2).all(|w| w[0] <= w[1]), "{depths:?}");

    // The request headers recorded are exactly those the server received, in order.
    let received = server.requests().into_iter().find(|r| r.target == "/").expect("home requested");
    assert_eq!(home.request_headers, received.headers);
    assert_eq!(home.request_headers[0], ("Host".to_string(), server.addr.to_string()));
    assert_eq!(home.request_headers[1].0, "User-Agent");
    assert!(home.request_headers[1].1.starts_with("ArchiveChainBot/0.1"));
    // Response headers as served, in order.
    let names: Vec<&str> = home.response_headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["content-type", "content-length"]);
}

#[tokio::test]
async fn robots_crawl_delay_spaces_requests_to_a_host() {
    let server = serve(|p| {
        Some(match p {
            "/robots.txt" => Reply::text(200, "OK", "User-agent: *\nCrawl-delay: 0.3\n"),
            "/" => Reply::html(r#"<a href="/1">1</a><a href="/2">2</a>"#),
            "/1" | "/2" => Reply::html("leaf"),
            _ => return None,
        })
    })
    .await;
    let mut c = config(&server, "/");
    c.per_host_concurrency = 4;
    c.global_concurrency = 4;
    let (report, sink) = run(c).await;
    assert_eq!(sink.items.len(), 4);
    assert_eq!(report.stop, StopReason::Finished);
    let times: Vec<_> = server.requests().iter().map(|r| r.at).collect();
    assert_eq!(times.len(), 4);
    for w in times.windows(2) {
        let gap = w[1].duration_since(w[0]);
        assert!(gap >= Duration::from_millis(290), "gap {gap:?} shorter than Crawl-delay 0.3 s");
    }
}

#[tokio::test]
async fn politeness_delay_spaces_requests_without_robots() {
    let server = serve(|p| {
        Some(match p {
            "/" => Reply::html(r#"<a href="/1">1</a><a href="/2">2</a>"#),
            "/1" | "/2" => Reply::html("leaf"),
            _ => return None,
        })
    })
    .await;
    let mut c = config(&server, "/");
    c.respect_robots = false;
    c.politeness_delay = Duration::from_millis(200);
    let (report, sink) = run(c).await;
    assert_eq!((sink.items.len(), server.hits("/robots.txt")), (3, 0));
    assert!(sink.items.iter().all(|(c, _)| c.robots.is_none()));
    assert_eq!(report.stop, StopReason::Finished);
    let times: Vec<_> = server.requests().iter().map(|r| r.at).collect();
    for w in times.windows(2) {
        assert!(w[1].duration_since(w[0]) >= Duration::from_millis(190));
    }
}

fn redirect_site(p: &str) -> Option<Reply> {
    Some(match p {
        "/r1" => Reply::redirect(301, "/r2"),
        "/r2" => Reply::redirect(302, "r3?x=1"),
        "/r3?x=1" => Reply::html("<title>Landed</title>"),
        "/loop-a" => Reply::redirect(302, "/loop-b"),
        "/loop-b" => Reply::redirect(307, "/loop-a"),
        "/self" => Reply::redirect(308, "/self#again"),
        _ => return None,
    })
}

#[tokio::test]
async fn redirect_chain_is_followed_hop_by_hop() {
    let server = serve(redirect_site).await;
    let mut c = config(&server, "/r1");
    c.respect_robots = false;
    let (report, sink) = run(c).await;
    let root = server.url("");
    let hops: Vec<(u16, Option<String>)> = sink.items.iter().map(|(c, _)| (c.status, c.redirect_to.clone())).collect();
    assert_eq!(hops, vec![(301, Some(format!("{root}/r2"))), (302, Some(format!("{root}/r3?x=1"))), (200, None)]);
    assert!(sink.items.iter().all(|(c, _)| c.depth == 0));
    assert!(sink.items[0].1.is_none(), "redirects are not parsed");
    assert_eq!(sink.items[2].1.as_ref().and_then(|p| p.title.clone()).as_deref(), Some("Landed"));
    assert!(report.errors.is_empty());

    // Capped: one hop allowed, the second redirect is an error and /r3 is never fetched.
    let server = serve(redirect_site).await;
    let mut c = config(&server, "/r1");
    c.respect_robots = false;
    c.max_redirects = 1;
    let (report, sink) = run(c).await;
    assert_eq!(sink.items.len(), 2);
    assert_eq!(server.hits("/r3?x=1"), 0);
    let r2 = server.url("/r2");
    assert_eq!(report.errors, vec![(r2.clone(), CrawlError::TooManyRedirects { url: r2, max: 1 })]);
}

#[tokio::test]
async fn redirect_loops_are_detected() {
    let server = serve(redirect_site).await;
    let mut c = config(&server, "/loop-a");
    c.seeds.push(server.url("/self"));
    c.respect_robots = false;
    let (report, sink) = run(c).await;
    assert_eq!(sink.items.len(), 3, "each hop captured once");
    assert_eq!((server.hits("/loop-a"), server.hits("/loop-b"), server.hits("/self")), (1, 1, 1));
    let (a, b, s) = (server.url("/loop-a"), server.url("/loop-b"), server.url("/self"));
    assert_eq!(
        report.errors,
        // A redirect target goes to the front of its queue, so the a→b→a chain completes first.
        vec![
            (b.clone(), CrawlError::RedirectLoop { url: b, target: a }),
            (s.clone(), CrawlError::RedirectLoop { url: s.clone(), target: s }),
        ]
    );
    assert_eq!(report.stop, StopReason::Finished);
}

#[tokio::test]
async fn gzip_page_is_kept_compressed_and_parsed() {
    let html = r#"<html lang="en"><body><p>Compressed hello</p><a href="/next">n</a></body></html>"#;
    let gz = gzip(html.as_bytes());
    let served = gz.clone();
    let server = serve(move |p| {
        Some(match p {
            "/gz" => Reply::new(200, "OK", "text/html", served.clone()).header("Content-Encoding", "gzip"),
            _ => return None,
        })
    })
    .await;
    let mut c = config(&server, "/gz");
    c.respect_robots = false;
    c.max_depth = 0;
    let (report, sink) = run(c).await;
    let (cap, page) = &sink.items[0];
    assert_eq!(cap.body, gz, "body is the gzip stream as served");
    assert_eq!(cap.header("content-encoding"), Some(&b"gzip"[..]));
    assert_eq!(cap.header_str("content-length"), Some(gz.len().to_string()));
    let page = page.as_ref().expect("parsed after decompression");
    assert_eq!(page.text, "Compressed hello n");
    assert_eq!(page.links, vec![server.url("/next")]);
    assert_eq!(report.beyond_depth, 1);
    assert_eq!(cap.request_headers[3], ("Accept-Encoding".into(), "gzip, deflate".into()));
}

#[tokio::test]
async fn chunked_response_is_dechunked_and_complete() {
    let server = serve(|p| {
        Some(match p {
            "/chunked" => Reply::html(Vec::new()).with_body(Body::Chunked(vec![
                b"<html><body>first ".to_vec(),
                b"second ".to_vec(),
                b"third</body></html>".to_vec(),
            ])),
            _ => return None,
        })
    })
    .await;
    let mut c = config(&server, "/chunked");
    c.respect_robots = false;
    let (_, sink) = run(c).await;
    let (cap, page) = &sink.items[0];
    assert_eq!(cap.body, b"<html><body>first second third</body></html>");
    assert_eq!(cap.truncated, None);
    assert_eq!(cap.header("transfer-encoding"), Some(&b"chunked"[..]));
    assert_eq!(page.as_ref().map(|p| p.text.as_str()), Some("first second third"));
}

#[tokio::test]
async fn charsets_labelled_mislabelled_and_languages() {
    let server = serve(|p| {
        Some(match p {
            "/latin1" => Reply::new(
                200,
                "OK",
                "text/html; charset=ISO-8859-1",
                b"<html lang=\"fr\"><body>Caf\xe9 \xe0 l'\xe9t\xe9</body></html>".to_vec(),
            ),
            "/mislabelled" => Reply::new(
                200,
                "OK",
                "text/html; charset=utf-8",
                b"<html><body>Le caf\xe9 est tr\xe8s bon, d\xe9j\xe0 servi \xe0 la fen\xeatre.</body></html>".to_vec(),
            ),
            "/fr" => {
                Reply::html(r#"<html lang="fr-FR"><body>Bonjour à tous, ceci est une page en français.</body></html>"#)
            }
            "/en" => Reply::html("<html><body>Hello everyone, this is an English page.</body></html>")
                .header("Content-Language", "en-GB"),
            "/meta" => Reply::new(
                200,
                "OK",
                "text/html",
                b"<html><head><meta charset=\"windows-1252\"></head><body>na\xefve \x80</body></html>".to_vec(),
            ),
            _ => return None,
        })
    })
    .await;
    let mut c = config(&server, "/latin1");
    for p in ["/mislabelled", "/fr", "/en", "/meta"] {
        c.seeds.push(server.url(p));
    }
    c.respect_robots = false;
    let (report, sink) = run(c).await;
    assert!(report.errors.is_empty());
    let page = |p: &str| sink.get(&server.url(p)).and_then(|(_, pi)| pi.clone()).expect("parsed");

    let l = page("/latin1");
    assert_eq!((l.charset.as_str(), l.charset_source), ("windows-1252", CharsetSource::Header));
    assert_eq!((l.text.as_str(), l.language.as_deref()), ("Café à l'été", Some("fr")));

    let m = page("/mislabelled");
    assert_eq!((m.charset.as_str(), m.charset_source), ("windows-1252", CharsetSource::Guess));
    assert_eq!(m.text, "Le café est très bon, déjà servi à la fenêtre.");

    let fr = page("/fr");
    assert_eq!((fr.language.as_deref(), fr.charset.as_str()), (Some("fr-FR"), "UTF-8"));
    assert!(fr.text.contains("français"));
    let en = page("/en");
    assert_eq!(en.language.as_deref(), Some("en-GB"), "Content-Language when no lang attribute");

    let meta = page("/meta");
    assert_eq!((meta.charset_source, meta.text.as_str()), (CharsetSource::Meta, "naïve €"));
}

#[tokio::test]
async fn huge_page_is_cut_at_the_byte_cap() {
    let big = format!("<html><body>{}</body></html>", "word ".repeat(200_000));
    let server = serve(move |p| (p == "/huge").then(|| Reply::html(big.clone()))).await;
    let mut c = config(&server, "/huge");
    c.respect_robots = false;
    c.max_bytes_per_page = 64 * 1024;
    let (report, sink) = run(c).await;
    let (cap, page) = &sink.items[0];
    assert_eq!(cap.truncated, Some(Truncation::Length));
    assert_eq!(cap.body.len(), 64 * 1024);
    assert_eq!(report.bytes, 64 * 1024);
    assert!(page.as_ref().is_some_and(|p| p.text.starts_with("word word")), "prefix still parsed");
}

#[tokio::test]
async fn slow_drip_is_cut_at_the_page_timeout() {
    let server = serve(|p| {
        (p == "/drip").then(|| {
            Reply::html(Vec::new()).with_body(Body::Drip {
                chunk: b"<p>drop</p>".to_vec(),
                interval: Duration::from_millis(100),
                count: 100,
            })
        })
    })
    .await;
    let mut c = config(&server, "/drip");
    c.respect_robots = false;
    c.page_timeout = Duration::from_millis(700);
    let started = std::time::Instant::now();
    let (report, sink) = run(c).await;
    assert!(started.elapsed() < Duration::from_secs(3), "bounded by the page timeout");
    let (cap, page) = &sink.items[0];
    assert_eq!(cap.truncated, Some(Truncation::Time));
    assert!(!cap.body.is_empty() && cap.body.len() < 100 * 11, "{} bytes kept", cap.body.len());
    assert!(cap.body.starts_with(b"<p>drop</p>"));
    assert!(page.as_ref().is_some_and(|p| p.text.starts_with("drop drop")));
    assert_eq!(report.stop, StopReason::Finished);
}

#[tokio::test]
async fn connection_cut_short_is_a_disconnect_truncation() {
    let server = serve(|p| {
        (p == "/cut")
            .then(|| Reply::html(Vec::new()).with_body(Body::CutShort { sent: b"<p>partial".to_vec(), declared: 1000 }))
    })
    .await;
    let mut c = config(&server, "/cut");
    c.respect_robots = false;
    let (_, sink) = run(c).await;
    let (cap, _) = &sink.items[0];
    assert_eq!(cap.truncated, Some(Truncation::Disconnect));
    assert_eq!(cap.body, b"<p>partial");
}

#[tokio::test]
async fn gzip_bomb_is_kept_but_not_parsed() {
    let bomb = gzip(&vec![b' '; 16 * 1024 * 1024]);
    assert!(bomb.len() < 64 * 1024);
    let served = bomb.clone();
    let server = serve(move |p| {
        (p == "/bomb").then(|| Reply::new(200, "OK", "text/html", served.clone()).header("Content-Encoding", "gzip"))
    })
    .await;
    let mut c = config(&server, "/bomb");
    c.respect_robots = false;
    c.max_decoded_bytes = 1024 * 1024;
    let (report, sink) = run(c).await;
    let (cap, page) = &sink.items[0];
    assert_eq!(cap.body, bomb, "capture kept as served");
    assert!(page.is_none());
    let url = server.url("/bomb");
    assert_eq!(report.errors, vec![(url.clone(), CrawlError::DecodedTooLarge { url, limit: 1024 * 1024 })]);
}

#[tokio::test]
async fn non_html_is_stored_without_links_or_skipped() {
    let png = b"\x89PNG\r\n\x1a\n<a href=\"/from-png\">not a link</a>".to_vec();
    let served = png.clone();
    let routes = move |p: &str| {
        Some(match p {
            "/" => Reply::html(r#"<a href="/img.png">img</a>"#),
            "/img.png" => Reply::new(200, "OK", "image/png", served.clone()),
            _ => return None,
        })
    };
    let server = serve(routes.clone()).await;
    let mut c = config(&server, "/");
    c.respect_robots = false;
    let (report, sink) = run(c).await;
    let (cap, page) = sink.get(&server.url("/img.png")).expect("png stored");
    assert_eq!((cap.body.clone(), page.is_none()), (png, true));
    assert_eq!(server.hits("/from-png"), 0);
    assert!(report.errors.is_empty() && report.skipped.is_empty());

    let server = serve(routes).await;
    let mut c = config(&server, "/");
    c.respect_robots = false;
    c.other_mime = OtherMime::Skip;
    let (report, sink) = run(c).await;
    assert_eq!(sink.items.len(), 1);
    assert_eq!(report.skipped, vec![(server.url("/img.png"), SkipReason::Mime { mime: "image/png".into() })]);
}

#[tokio::test]
async fn not_found_is_a_capture_with_its_reason() {
    let server = serve(|p| (p == "/custom").then(|| Reply::text(404, "Nothing Here", "gone"))).await;
    let mut c = config(&server, "/missing");
    c.seeds.push(server.url("/custom"));
    c.respect_robots = false;
    let (report, sink) = run(c).await;
    assert!(report.errors.is_empty());
    let statuses: Vec<(u16, String)> = sink.items.iter().map(|(c, _)| (c.status, c.reason.clone())).collect();
    assert_eq!(statuses, vec![(404, "Not Found".into()), (404, "Nothing Here".into())]);
    assert_eq!(sink.items[1].1.as_ref().map(|p| p.text.as_str()), Some("gone"));
}

#[tokio::test]
async fn unreachable_port_is_an_error_and_disallows_the_origin() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let mut c = CrawlConfig::new([url.clone()]);
    c.allow_private_addresses = true;
    c.respect_robots = false;
    let (report, sink) = run(c.clone()).await;
    assert!(sink.items.is_empty());
    assert!(matches!(report.errors.as_slice(), [(u, CrawlError::Connect { .. })] if *u == url), "{:?}", report.errors);

    c.respect_robots = true;
    let (report, sink) = run(c).await;
    assert!(sink.items.is_empty());
    let origin = format!("http://127.0.0.1:{port}");
    assert!(matches!(report.errors.as_slice(),
        [(u, CrawlError::RobotsUnavailable { origin: o, .. })] if *u == format!("{origin}/robots.txt") && *o == origin));
    assert_eq!(report.skipped, vec![(url, SkipReason::RobotsUnavailable { origin })]);
}

#[tokio::test]
async fn robots_5xx_disallows_and_4xx_allows() {
    let server = serve(|p| {
        Some(match p {
            "/robots.txt" => Reply::text(503, "Service Unavailable", "busy"),
            "/" => Reply::html("home"),
            _ => return None,
        })
    })
    .await;
    let (report, sink) = run(config(&server, "/")).await;
    assert_eq!(urls(&sink), vec![server.url("/robots.txt")], "robots capture only");
    assert_eq!(server.hits("/"), 0);
    assert_eq!(report.skipped.len(), 1);

    let server = serve(|p| (p == "/").then(|| Reply::html("home"))).await;
    let (report, sink) = run(config(&server, "/")).await;
    assert_eq!(sink.items.len(), 2);
    assert_eq!(sink.items[0].0.status, 404);
    assert_eq!(sink.items[1].0.robots.as_deref(), Some("allowed: robots.txt returned 404"));
    assert!(report.errors.is_empty());
}

#[tokio::test]
async fn refused_schemes_and_private_addresses() {
    let server = serve(|_| Some(Reply::html("should never be served"))).await;
    let port = server.addr.port();
    let mut c = CrawlConfig::new([
        "file:///etc/passwd".to_string(),
        "ftp://example.org/".to_string(),
        "data:text/html,hi".to_string(),
        format!("http://127.0.0.1:{port}/"),
        format!("http://localhost:{port}/"),
        format!("http://[::1]:{port}/"),
    ]);
    c.politeness_delay = Duration::ZERO;
    assert!(!c.allow_private_addresses, "default is off");
    let (report, sink) = run(c).await;
    assert!(sink.items.is_empty());
    assert!(server.requests().is_empty(), "nothing reached the server");
    let kinds: Vec<String> = report
        .errors
        .iter()
        .map(|(u, e)| match e {
            CrawlError::UnsupportedScheme { scheme, .. } => format!("scheme {scheme}"),
            CrawlError::ForbiddenAddress { addr, .. } => format!("forbidden {u} {addr}"),
            other => format!("unexpected {other}"),
        })
        .collect();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    assert_eq!(kinds[..3], ["scheme file", "scheme ftp", "scheme data"]);
    assert!(kinds.contains(&format!("forbidden http://127.0.0.1:{port}/ 127.0.0.1")));
    assert!(kinds.contains(&format!("forbidden http://[::1]:{port}/ ::1")));
    assert!(
        kinds
            .iter()
            .any(|k| k.starts_with(&format!("forbidden http://localhost:{port}/")) && k.contains("(localhost)")),
        "{kinds:?}"
    );
    let msg = report.errors[0].1.to_string();
    assert!(msg.contains("file") && msg.contains("only http and https"), "{msg}");
}

fn chain_site(p: &str) -> Option<Reply> {
    let n: u32 = p.strip_prefix("/p")?.parse().ok()?;
    Some(Reply::html(format!(r#"<html><body>page {n} <a href="/p{}">next</a></body></html>"#, n + 1)))
}

#[tokio::test]
async fn depth_and_page_limits() {
    let server = serve(chain_site).await;
    let mut c = config(&server, "/p0");
    c.respect_robots = false;
    c.max_depth = 2;
    let (report, sink) = run(c).await;
    assert_eq!(urls(&sink), vec![server.url("/p0"), server.url("/p1"), server.url("/p2")]);
    assert_eq!((report.beyond_depth, report.stop), (1, StopReason::Finished));

    let server = serve(chain_site).await;
    let mut c = config(&server, "/p0");
    c.respect_robots = false;
    c.max_depth = 100;
    c.max_pages = 4;
    let (report, sink) = run(c).await;
    assert_eq!((report.pages, sink.items.len(), report.stop), (4, 4, StopReason::MaxPages));
    assert_eq!(report.remaining, 1);
}

#[tokio::test]
async fn total_byte_budget_stops_the_crawl() {
    let page = |n: u32| format!("<html><body><a href=\"/p{}\">next</a>{}</body></html>", n + 1, "x".repeat(10_000));
    let server = serve(move |p| {
        let n: u32 = p.strip_prefix("/p")?.parse().ok()?;
        Some(Reply::html(page(n)))
    })
    .await;
    let mut c = config(&server, "/p0");
    c.respect_robots = false;
    c.max_depth = 100;
    c.max_total_bytes = 15_000;
    let (report, sink) = run(c).await;
    assert_eq!(report.stop, StopReason::MaxTotalBytes);
    assert_eq!(report.bytes, 15_000);
    assert_eq!(sink.items.len(), 2);
    assert_eq!(sink.items[0].0.truncated, None);
    assert_eq!(sink.items[1].0.truncated, Some(Truncation::Length));
}

#[tokio::test]
async fn stopped_crawl_resumes_from_a_saved_frontier() {
    let server = serve(|p| {
        Some(match p {
            "/" => Reply::html((1..=6).map(|i| format!("<a href=\"/{i}\">{i}</a>")).collect::<String>()),
            "/1" | "/2" | "/3" | "/4" | "/5" | "/6" => Reply::html("leaf"),
            _ => return None,
        })
    })
    .await;
    let mut c = config(&server, "/");
    c.respect_robots = false;
    c.politeness_delay = Duration::from_millis(50);

    let mut crawler = Crawler::new(c.clone()).expect("valid config");
    let stop = crawler.stop_handle();
    let mut first = VecSink::default();
    let report = crawler
        .run(&mut first, |p| {
            if p.pages >= 3 {
                stop.stop();
            }
        })
        .await;
    assert_eq!(report.stop, StopReason::Stopped);
    assert_eq!(first.items.len(), 3);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("frontier.json");
    crawler.frontier().save(&path).expect("save");
    assert_eq!(crawler.frontier().len(), 4);

    let frontier = Frontier::load(&path).expect("load");
    assert_eq!(frontier.pages_done(), 3);
    let mut resumed = Crawler::resume(c, frontier).expect("valid config");
    let mut second = VecSink::default();
    let report = resumed.run(&mut second, |_| {}).await;
    assert_eq!((report.stop, second.items.len(), report.remaining), (StopReason::Finished, 4, 0));
    for p in ["/", "/1", "/2", "/3", "/4", "/5", "/6"] {
        assert_eq!(server.hits(p), 1, "{p} fetched exactly once across both runs");
    }
}

#[tokio::test]
async fn total_timeout_cancels_and_requeues_in_flight_fetches() {
    let server = serve(|p| {
        (p == "/slow").then(|| {
            Reply::html(Vec::new()).with_body(Body::Drip {
                chunk: b"x".to_vec(),
                interval: Duration::from_millis(200),
                count: 100,
            })
        })
    })
    .await;
    let mut c = config(&server, "/slow");
    c.respect_robots = false;
    c.total_timeout = Duration::from_millis(500);
    let (report, sink) = run(c).await;
    assert_eq!(report.stop, StopReason::TotalTimeout);
    assert!(report.elapsed < Duration::from_secs(2));
    assert!(sink.items.is_empty());
    assert_eq!((report.cancelled, report.remaining), (1, 1));
}

#[tokio::test]
async fn sink_failure_stops_the_crawl() {
    struct Failing;
    impl archive_crawler::CaptureSink for Failing {
        fn accept(&mut self, _: archive_crawler::Capture, _: Option<archive_crawler::PageInfo>) -> Result<(), String> {
            Err("disk full".into())
        }
    }
    let server = serve(chain_site).await;
    let mut c = config(&server, "/p0");
    c.respect_robots = false;
    let report = crawl(c, &mut Failing, |_| {}).await.expect("valid config");
    assert_eq!(report.stop, StopReason::SinkFailed);
    let url = server.url("/p0");
    assert_eq!(report.errors, vec![(url.clone(), CrawlError::Sink { url, reason: "disk full".into() })]);
}

#[tokio::test]
async fn invalid_config_is_refused_before_crawling() {
    let mut c = CrawlConfig::new(["http://example.org/"]);
    c.max_pages = 0;
    let err = crawl(c, &mut VecSink::default(), |_| {}).await.expect_err("invalid");
    assert!(matches!(err, CrawlError::InvalidConfig { field: "max_pages", .. }));
}

#[tokio::test]
async fn progress_reports_counts() {
    let server = serve(chain_site).await;
    let mut c = config(&server, "/p0");
    c.respect_robots = false;
    c.max_pages = 3;
    c.max_depth = 10;
    let mut seen = Vec::new();
    let report = crawl(c, &mut VecSink::default(), |p| seen.push(p)).await.expect("valid config");
    assert_eq!(seen.len(), 3);
    assert_eq!(seen.iter().map(|p| p.pages).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert!(seen.iter().all(|p| p.max_pages == 3));
    assert_eq!(seen.last().map(|p| p.bytes), Some(report.bytes));
}
