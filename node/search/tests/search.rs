//! Behaviour of `SearchIndex` on a real on-disk tantivy index.

use std::collections::HashSet;
use std::path::Path;

use archive_search::{CaptureStatus, IndexDoc, Lang, Query, SearchConfig, SearchError, SearchIndex, SearchResults};
use tempfile::TempDir;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn hash(n: u64) -> [u8; 32] {
    let mut h = [0u8; 32];
    // Spread n over the prefix used for tie-breaking and the tail, so different n never share
    // the first 8 bytes.
    h[..8].copy_from_slice(&n.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes());
    h[24..].copy_from_slice(&n.to_le_bytes());
    h
}

fn doc(n: u64, title: &str, text: &str, lang: Lang) -> IndexDoc {
    IndexDoc {
        content_hash: hash(n),
        url: format!("https://site{}.example/page/{n}", n % 3),
        host: format!("site{}.example", n % 3),
        title: title.into(),
        text: text.into(),
        tags: vec![],
        language: lang,
        captured_at_ms: 1_700_000_000_000 + n * 1_000,
        status: CaptureStatus::Pending,
        size: 1000 + n,
    }
}

fn open(dir: &Path) -> SearchIndex {
    match SearchIndex::open(dir) {
        Ok(index) => index,
        Err(e) => panic!("open {}: {e}", dir.display()),
    }
}

fn hashes(results: &SearchResults) -> Vec<[u8; 32]> {
    results.hits.iter().map(|h| h.content_hash).collect()
}

fn search(index: &SearchIndex, text: &str) -> SearchResults {
    match index.search(&Query::text(text)) {
        Ok(r) => r,
        Err(e) => panic!("search {text:?}: {e}"),
    }
}

#[test]
fn french_page_is_found_by_inflected_french_words() -> TestResult {
    let tmp = TempDir::new()?;
    let index = open(tmp.path());
    index.add(&doc(1, "Patrimoine du web", "Les archives numériques sont préservées", Lang::Fr))?;
    index.add(&doc(2, "Cooking", "A recipe for bread and butter", Lang::En))?;
    index.commit()?;

    // archives→archiv, préservées/préserver/préservation→préserv (→preserv after folding),
    // numériques/numérique→numer: the French Snowball stemmer conflates each group.
    for query in ["archive", "archives", "préserver", "préservation", "preservation", "numérique", "archive numérique"]
    {
        let r = search(&index, query);
        assert_eq!(hashes(&r), vec![hash(1)], "query {query:?}");
    }
    // And a word the page does not contain finds nothing.
    assert_eq!(search(&index, "bibliothèque").total, 0);
    Ok(())
}

#[test]
fn french_elision_lets_a_phrase_match_across_the_article() -> TestResult {
    let tmp = TempDir::new()?;
    let index = open(tmp.path());
    index.add(&doc(1, "Dépôt", "Le dépôt de l'archive numérique est fait", Lang::Fr))?;
    index.commit()?;
    assert_eq!(search(&index, "\"archive numérique\"").total, 1);
    assert_eq!(search(&index, "l'archive").total, 1);
    assert_eq!(search(&index, "l’archive").total, 1);
    Ok(())
}

#[test]
fn english_phrase_query_finds_only_the_exact_phrase() -> TestResult {
    let tmp = TempDir::new()?;
    let index = open(tmp.path());
    index.add(&doc(1, "a", "the quick brown fox jumps over the dog", Lang::En))?;
    index.add(&doc(2, "b", "the brown quick fox sleeps", Lang::En))?;
    index.add(&doc(3, "c", "quick thinking and brown bread", Lang::En))?;
    index.commit()?;

    assert_eq!(hashes(&search(&index, "\"quick brown fox\"")), vec![hash(1)]);
    assert_eq!(hashes(&search(&index, "\"brown quick\"")), vec![hash(2)]);
    // Without quotes every page holding both words matches.
    assert_eq!(search(&index, "quick brown").total, 3);
    // Stemming applies inside phrases too: "jumped over" meets "jumps over".
    assert_eq!(hashes(&search(&index, "\"jumped over\"")), vec![hash(1)]);
    Ok(())
}

#[test]
fn filters_restrict_by_host_tag_language_and_time() -> TestResult {
    let tmp = TempDir::new()?;
    let index = open(tmp.path());
    for n in 0..12u64 {
        let mut d = doc(n, "Web archive", "web archive page", if n.is_multiple_of(2) { Lang::En } else { Lang::Fr });
        d.tags = match n % 4 {
            0 => vec!["news".into(), "politics".into()],
            1 => vec!["news".into()],
            2 => vec!["science".into()],
            _ => vec![],
        };
        index.add(&d)?;
    }
    index.commit()?;
    let base = Query::text("archive");
    let matching = |q: &Query| -> Result<HashSet<[u8; 32]>, SearchError> {
        Ok(index.search(q)?.hits.iter().map(|h| h.content_hash).collect())
    };
    let expect =
        |pred: &dyn Fn(u64) -> bool| -> HashSet<[u8; 32]> { (0..12u64).filter(|n| pred(*n)).map(hash).collect() };

    let q = Query { hosts: vec!["SITE1.example".into()], ..base.clone() };
    assert_eq!(matching(&q)?, expect(&|n| n % 3 == 1));
    let q = Query { hosts: vec!["site1.example".into(), "site2.example".into()], ..base.clone() };
    assert_eq!(matching(&q)?, expect(&|n| n % 3 != 0));
    let q = Query { tags: vec!["news".into()], ..base.clone() };
    assert_eq!(matching(&q)?, expect(&|n| n % 4 <= 1));
    let q = Query { tags: vec!["news".into(), "politics".into()], ..base.clone() };
    assert_eq!(matching(&q)?, expect(&|n| n.is_multiple_of(4)));
    let q = Query { language: Some(Lang::Fr), ..base.clone() };
    assert_eq!(matching(&q)?, expect(&|n| n % 2 == 1));
    let t = |n: u64| 1_700_000_000_000 + n * 1_000;
    let q = Query { from_ms: Some(t(3)), to_ms: Some(t(7)), ..base.clone() };
    assert_eq!(matching(&q)?, expect(&|n| (3..=7).contains(&n)));
    let q = Query { from_ms: Some(t(10)), ..base.clone() };
    assert_eq!(matching(&q)?, expect(&|n| n >= 10));
    let q = Query { to_ms: Some(t(1)), ..base.clone() };
    assert_eq!(matching(&q)?, expect(&|n| n <= 1));
    // All together.
    let q = Query {
        hosts: vec!["site0.example".into()],
        tags: vec!["news".into()],
        language: Some(Lang::En),
        from_ms: Some(t(1)),
        ..base.clone()
    };
    assert_eq!(matching(&q)?, expect(&|n| n.is_multiple_of(3) && n % 4 <= 1 && n.is_multiple_of(2) && n >= 1));

    // Filters only (empty text): newest first.
    let q = Query { text: String::new(), language: Some(Lang::En), ..Query::default() };
    let r = index.search(&q)?;
    assert_eq!(r.total, 6);
    let times: Vec<u64> = r.hits.iter().map(|h| h.captured_at_ms).collect();
    assert!(times.windows(2).all(|w| w[0] > w[1]), "{times:?}");

    // Facets count all matches, not only the page.
    let r = index.search(&Query { limit: 1, ..base.clone() })?;
    assert_eq!(r.total, 12);
    assert_eq!(r.hits.len(), 1);
    let news = r.facets.tags.iter().find(|f| f.value == "news").map(|f| f.count);
    assert_eq!(news, Some(6));
    let langs: Vec<(&str, u64)> = r.facets.languages.iter().map(|f| (f.value.as_str(), f.count)).collect();
    assert_eq!(langs, vec![("en", 6), ("fr", 6)]);
    assert_eq!(r.facets.hosts.iter().map(|f| f.count).sum::<u64>(), 12);
    Ok(())
}

#[test]
fn pagination_is_stable_and_has_no_duplicates() -> TestResult {
    let tmp = TempDir::new()?;
    let index = open(tmp.path());
    for n in 0..57u64 {
        // Many exact score ties (same text) and time ties (n / 4), spread over 3 commits.
        let text = match n % 3 {
            0 => "archive",
            1 => "archive archive of the web",
            _ => "the archive of a page on the web",
        };
        let mut d = doc(n, "page", text, Lang::En);
        d.captured_at_ms = 1_700_000_000_000 + (n / 4) * 1_000;
        index.add(&d)?;
        if n % 20 == 19 {
            index.commit()?;
        }
    }
    index.commit()?;

    let all = index.search(&Query { limit: 100, ..Query::text("archive") })?;
    assert_eq!(all.total, 57);
    assert_eq!(all.hits.len(), 57);
    let mut paged = Vec::new();
    for page in 0..6 {
        let r = index.search(&Query { offset: page * 10, limit: 10, ..Query::text("archive") })?;
        assert_eq!(r.total, 57);
        paged.extend(hashes(&r));
    }
    assert_eq!(paged, hashes(&all));
    assert_eq!(paged.iter().collect::<HashSet<_>>().len(), 57);
    // Ordering: score desc, then time desc.
    for w in all.hits.windows(2) {
        assert!(
            w[0].score > w[1].score || (w[0].score == w[1].score && w[0].captured_at_ms >= w[1].captured_at_ms),
            "{:?} before {:?}",
            (w[0].score, w[0].captured_at_ms),
            (w[1].score, w[1].captured_at_ms)
        );
    }
    Ok(())
}

#[test]
fn snippets_highlight_matches_and_escape_page_html() -> TestResult {
    let tmp = TempDir::new()?;
    let index = open(tmp.path());
    index.add(&doc(
        1,
        "Tips",
        "Never paste <script>alert('x')</script> into a page. Archiving & keeping the web matters.",
        Lang::En,
    ))?;
    index.add(&doc(2, "Titre", "Les archives numériques sont préservées", Lang::Fr))?;
    index.commit()?;

    let r = search(&index, "archive script");
    assert_eq!(r.hits.len(), 1);
    let html = &r.hits[0].snippet_html;
    assert!(html.contains("<b>Archiving</b>"), "{html}");
    assert!(html.contains("<b>script</b>"), "{html}");
    assert!(html.contains("&lt;"), "{html}");
    assert!(html.contains("&amp;"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    // Only <b> and </b> tags remain.
    let stripped = html.replace("<b>", "").replace("</b>", "");
    assert!(!stripped.contains('<') && !stripped.contains('>'), "{html}");

    // French page: highlighted with the French analyzer.
    let r = search(&index, "préservation");
    assert_eq!(hashes(&r), vec![hash(2)]);
    assert!(r.hits[0].snippet_html.contains("<b>préservées</b>"), "{}", r.hits[0].snippet_html);
    Ok(())
}

#[test]
fn status_updates_are_visible_after_commit() -> TestResult {
    let tmp = TempDir::new()?;
    let index = open(tmp.path());
    index.add(&doc(1, "One", "first capture", Lang::En))?;
    index.commit()?;
    assert_eq!(search(&index, "capture").hits[0].status, CaptureStatus::Pending);

    assert!(index.set_status(&hash(1), CaptureStatus::Verified)?);
    assert_eq!(search(&index, "capture").hits[0].status, CaptureStatus::Pending, "before commit");
    index.commit()?;
    let r = search(&index, "capture");
    assert_eq!(r.total, 1);
    assert_eq!(r.hits[0].status, CaptureStatus::Verified);
    assert_eq!(index.len(), 1);

    // A document added but not yet committed can be updated too.
    index.add(&doc(2, "Two", "second capture", Lang::En))?;
    assert!(index.set_status(&hash(2), CaptureStatus::Rejected)?);
    index.commit()?;
    let stored = index.get(&hash(2))?.ok_or("doc 2 missing")?;
    assert_eq!(stored.status, CaptureStatus::Rejected);
    assert_eq!(stored.text, "second capture");

    // Unknown hash.
    assert!(!index.set_status(&hash(99), CaptureStatus::Verified)?);
    assert_eq!(index.len(), 2);
    Ok(())
}

#[test]
fn re_indexing_a_hash_replaces_the_document() -> TestResult {
    let tmp = TempDir::new()?;
    let index = open(tmp.path());
    index.add(&doc(1, "Old", "alpha content", Lang::En))?;
    index.commit()?;
    index.add(&doc(1, "New", "beta content", Lang::En))?;
    index.commit()?;
    assert_eq!(index.len(), 1);
    assert_eq!(search(&index, "alpha").total, 0);
    assert_eq!(search(&index, "beta").hits[0].title, "New");

    // Twice in one batch: the last one wins.
    index.add(&doc(2, "First", "gamma", Lang::En))?;
    index.add(&doc(2, "Second", "delta", Lang::En))?;
    index.commit()?;
    assert_eq!(index.len(), 2);
    assert_eq!(search(&index, "gamma").total, 0);
    assert_eq!(search(&index, "delta").total, 1);
    Ok(())
}

#[test]
fn documents_become_visible_on_commit() -> TestResult {
    let tmp = TempDir::new()?;
    let index = open(tmp.path());
    index.add(&doc(1, "One", "visible later", Lang::En))?;
    assert_eq!(search(&index, "visible").total, 0);
    assert!(index.is_empty());
    index.commit()?;
    assert_eq!(search(&index, "visible").total, 1);
    drop(index);
    // And durable across reopen.
    let index = open(tmp.path());
    assert_eq!(index.len(), 1);
    Ok(())
}

#[test]
fn suggestions_complete_the_last_word_by_document_frequency() -> TestResult {
    let tmp = TempDir::new()?;
    let index = open(tmp.path());
    let titles = [
        "Archive of the web",
        "Web archive tools",
        "The archive project",
        "Archives nationales",
        "Archives du web",
        "Architecture moderne",
        "Archiving pages",
        "L'archive nationale",
    ];
    for (n, title) in titles.iter().enumerate() {
        index.add(&doc(n as u64, title, "body", Lang::En))?;
    }
    index.commit()?;

    assert_eq!(index.suggest("Arch", 10)?, vec!["archive", "archives", "architecture", "archiving"]);
    assert_eq!(index.suggest("arch", 2)?, vec!["archive", "archives"]);
    assert_eq!(index.suggest("web archi", 1)?, vec!["web archive"]);
    // Elided articles are not words of their own: "L'archive" yields "archive", never "l".
    assert_eq!(index.suggest("l", 5)?, Vec::<String>::new());
    assert!(index.suggest("zzz", 5)?.is_empty());
    assert!(index.suggest("arch ", 5)?.is_empty());
    assert!(index.suggest("", 5)?.is_empty());
    assert!(index.suggest("arch", 0)?.is_empty());
    Ok(())
}

#[test]
fn invalid_query_syntax_never_panics() -> TestResult {
    let tmp = TempDir::new()?;
    let index = open(tmp.path());
    index.add(&doc(1, "Archive", "an archive of web pages", Lang::En))?;
    index.commit()?;
    let nasty = [
        "AND OR ((",
        "((((",
        "))",
        "\"unclosed phrase",
        "title:",
        ":::",
        "-",
        "+",
        "*",
        "NOT",
        "a AND",
        "[a TO",
        "{x TO y}",
        "^2",
        "\\",
        "'",
        "archive~2",
        "text_en:[a TO z]",
        "nosuchfield:value",
        "captured_at:abc",
        "size:>",
        "https://example.com/a?b=c&d=e",
        "\u{0}\u{1}",
        "🙂 émoji",
    ];
    for text in nasty {
        match index.search(&Query::text(text)) {
            Ok(_) => {}
            Err(e) => panic!("query {text:?} failed: {e}"),
        }
    }
    // A broken query still finds its words.
    assert_eq!(search(&index, "archive AND ((").total, 1);
    assert_eq!(search(&index, "\"archive of web").total, 1);
    // Out-of-bounds requests are clean errors.
    assert!(matches!(
        index.search(&Query { limit: 101, ..Query::text("x") }),
        Err(SearchError::LimitTooLarge { limit: 101, .. })
    ));
    assert!(matches!(
        index.search(&Query { offset: 1_000_000, ..Query::text("x") }),
        Err(SearchError::OffsetTooLarge { .. })
    ));
    assert!(matches!(index.search(&Query::text("a".repeat(5000))), Err(SearchError::InvalidQuery { .. })));
    assert!(matches!(
        index.search(&Query { from_ms: Some(5), to_ms: Some(1), ..Query::default() }),
        Err(SearchError::InvalidQuery { .. })
    ));
    let r = index.search(&Query { limit: 0, ..Query::text("archive") })?;
    assert_eq!((r.total, r.hits.len()), (1, 0));
    Ok(())
}

#[test]
fn garbage_directory_is_reported_corrupt_and_rebuilt() -> TestResult {
    let tmp = TempDir::new()?;
    let dir = tmp.path().join("idx");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("0a1b2c.idx"), b"\xde\xad\xbe\xef garbage")?;
    std::fs::write(dir.join("notes.txt"), b"hello")?;
    let err = SearchIndex::open(&dir).err().ok_or("garbage opened")?;
    assert!(matches!(err, SearchError::Corrupt { .. }), "{err}");
    assert!(err.needs_rebuild());

    let rebuilt = SearchIndex::rebuild(&dir, vec![doc(1, "t", "recovered page", Lang::En)])?;
    assert_eq!(search(&rebuilt, "recovered").total, 1);
    assert!(!dir.join("notes.txt").exists());
    Ok(())
}

#[test]
fn corrupt_meta_json_is_reported_corrupt() -> TestResult {
    let tmp = TempDir::new()?;
    let dir = tmp.path().join("idx");
    {
        let index = open(&dir);
        index.add(&doc(1, "t", "some page", Lang::En))?;
        index.commit()?;
    }
    std::fs::write(dir.join("meta.json"), b"{ this is not json")?;
    let err = SearchIndex::open(&dir).err().ok_or("corrupt meta opened")?;
    assert!(matches!(err, SearchError::Corrupt { .. }), "{err}");
    let rebuilt = SearchIndex::rebuild(&dir, std::iter::empty())?;
    assert!(rebuilt.is_empty());
    Ok(())
}

#[test]
fn corrupt_segment_files_are_reported_corrupt() -> TestResult {
    let tmp = TempDir::new()?;
    let dir = tmp.path().join("idx");
    {
        let index = open(&dir);
        index.add(&doc(1, "t", "some page", Lang::En))?;
        index.commit()?;
    }
    // Overwrite every segment file with garbage of the same kind of size.
    let mut overwritten = 0;
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".idx") || name.ends_with(".term") || name.ends_with(".store") {
            std::fs::write(&path, vec![0xA5u8; 64])?;
            overwritten += 1;
        }
    }
    assert!(overwritten > 0);
    let err = SearchIndex::open(&dir).err().ok_or("corrupt segments opened")?;
    assert!(matches!(err, SearchError::Corrupt { .. }), "{err}");
    Ok(())
}

#[test]
fn schema_version_mismatch_is_detected() -> TestResult {
    let tmp = TempDir::new()?;
    let dir = tmp.path().join("idx");
    {
        let index = open(&dir);
        index.add(&doc(1, "t", "some page", Lang::En))?;
        index.commit()?;
    }
    let meta_path = dir.join("meta.json");
    let mut meta: serde_json::Value = serde_json::from_slice(&std::fs::read(&meta_path)?)?;
    meta["payload"] = serde_json::Value::String("archive-search/schema-v0".into());
    std::fs::write(&meta_path, serde_json::to_vec(&meta)?)?;
    match SearchIndex::open(&dir) {
        Err(SearchError::SchemaMismatch { found, .. }) => {
            assert_eq!(found.as_deref(), Some("archive-search/schema-v0"));
        }
        other => panic!("expected SchemaMismatch, got {other:?}"),
    }
    Ok(())
}

#[test]
fn a_second_writer_is_refused_with_locked() -> TestResult {
    let tmp = TempDir::new()?;
    let _first = open(tmp.path());
    let err = SearchIndex::open(tmp.path()).err().ok_or("second writer opened")?;
    assert!(matches!(err, SearchError::Locked { .. }), "{err}");
    Ok(())
}

#[test]
fn interrupted_rebuild_is_recovered_on_open() -> TestResult {
    let tmp = TempDir::new()?;
    let dir = tmp.path().join("idx");
    {
        let index = open(&dir);
        index.add(&doc(1, "t", "kept page", Lang::En))?;
        index.commit()?;
    }
    // State between the two renames of a rebuild: live dir moved aside, new one not yet in.
    std::fs::rename(&dir, tmp.path().join("idx.rebuild-old"))?;
    std::fs::create_dir_all(tmp.path().join("idx.rebuild-tmp"))?;
    let index = open(&dir);
    assert_eq!(search(&index, "kept").total, 1);
    assert!(!tmp.path().join("idx.rebuild-tmp").exists());
    assert!(!tmp.path().join("idx.rebuild-old").exists());
    Ok(())
}

/// 80 documents over 70 content hashes when `with_replacements`, else 70 distinct ones.
fn corpus(with_replacements: bool) -> Vec<IndexDoc> {
    let words = [
        "archive",
        "web",
        "page",
        "capture",
        "numérique",
        "préservation",
        "bibliothèque",
        "history",
        "network",
        "chain",
        "validator",
        "crawler",
        "snapshot",
        "museum",
        "patrimoine",
    ];
    let count = if with_replacements { 80 } else { 70 };
    (0..count)
        .map(|n: u64| {
            let text: Vec<&str> = (0..12).map(|i| words[((n * 7 + i * i * 3) % 15) as usize]).collect();
            let title = format!("{} {}", words[(n % 15) as usize], words[(n % 4) as usize]);
            let lang = if n.is_multiple_of(3) { Lang::Fr } else { Lang::En };
            let mut d = doc(n % 70, &title, &text.join(" "), lang);
            d.tags = vec![format!("t{}", n % 5)];
            d
        })
        .collect()
}

const EQUIVALENCE_QUERIES: [&str; 6] =
    ["archive", "web page", "\"numérique history\"", "history OR museum", "", "patrimoine -web"];

fn incremental_and_rebuilt(tmp: &TempDir, docs: &[IndexDoc]) -> Result<(SearchIndex, SearchIndex), SearchError> {
    let incremental = SearchIndex::open(tmp.path().join("inc"))?;
    for (i, d) in docs.iter().enumerate() {
        incremental.add(d)?;
        if i.is_multiple_of(13) {
            incremental.commit()?;
        }
    }
    incremental.commit()?;
    let config = SearchConfig::default().with_writer_threads(2).with_writer_heap_bytes(40_000_000);
    let rebuilt = SearchIndex::rebuild_with_config(tmp.path().join("reb"), docs.to_vec(), config)?;
    Ok((incremental, rebuilt))
}

#[test]
fn rebuild_from_an_iterator_equals_incremental_indexing() -> TestResult {
    let tmp = TempDir::new()?;
    let (incremental, rebuilt) = incremental_and_rebuilt(&tmp, &corpus(false))?;
    assert_eq!(incremental.len(), 70);
    assert_eq!(rebuilt.len(), 70);
    for text in EQUIVALENCE_QUERIES {
        for tags in [vec![], vec!["t1".to_string()]] {
            let q = Query { text: text.into(), tags, limit: 100, ..Query::default() };
            let a = incremental.search(&q)?;
            let b = rebuilt.search(&q)?;
            if q.tags.is_empty() {
                assert!(a.total > 0, "{q:?} matches nothing: the comparison would be empty");
            }
            assert_eq!(a.total, b.total, "{q:?}");
            assert_eq!(a.facets, b.facets, "{q:?}");
            assert_eq!(hashes(&a), hashes(&b), "{q:?}");
            for (x, y) in a.hits.iter().zip(&b.hits) {
                assert!((x.score - y.score).abs() < 1e-4, "{q:?}: {} vs {}", x.score, y.score);
                assert_eq!(x.snippet_html, y.snippet_html);
            }
        }
    }
    assert_eq!(incremental.suggest("arch", 5)?, rebuilt.suggest("arch", 5)?);
    Ok(())
}

#[test]
fn rebuild_with_replacements_holds_the_same_documents() -> TestResult {
    // With replaced documents, BM25 statistics count deleted-but-unmerged documents (as in
    // Lucene), so scores may differ between the two histories; the matching sets may not.
    let tmp = TempDir::new()?;
    let docs = corpus(true);
    let (incremental, rebuilt) = incremental_and_rebuilt(&tmp, &docs)?;
    assert_eq!(incremental.len(), 70);
    assert_eq!(rebuilt.len(), 70);
    for text in EQUIVALENCE_QUERIES {
        let q = Query { text: text.into(), limit: 100, ..Query::default() };
        let (a, b) = (incremental.search(&q)?, rebuilt.search(&q)?);
        assert_eq!(a.total, b.total, "{q:?}");
        assert_eq!(a.facets, b.facets, "{q:?}");
        let set = |r: &SearchResults| hashes(r).into_iter().collect::<HashSet<_>>();
        assert_eq!(set(&a), set(&b), "{q:?}");
    }
    for d in &docs[70..] {
        assert_eq!(incremental.get(&d.content_hash)?.as_ref(), Some(d));
        assert_eq!(rebuilt.get(&d.content_hash)?.as_ref(), Some(d));
    }
    Ok(())
}
