//! Indexing and query-latency benchmark for `archive-search` (not a test: prints figures).
//!
//! ```text
//! cargo run --release -p archive-search --bin search-bench -- [--docs 100000] [--queries 1000]
//!     [--threads N] [--seed 42] [--dir PATH] [--keep]
//! ```
//!
//! Generates `--docs` synthetic pages (deterministic from `--seed`): half English, half French,
//! words drawn with a Zipf law from a vocabulary of real English and French words plus a long
//! tail of synthetic words. Indexes them (commit every 10,000 documents, then waits for merges),
//! then runs `--queries` searches single-threaded after 100 warm-up queries — a quarter each of
//! single terms, two-term queries, phrases (word pairs taken from indexed pages) and filtered
//! two-term queries (host, language, tag or a one-year time window) — with 10 hits each,
//! snippets included, and prints p50/p99 latency overall and per kind.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use archive_search::{CaptureStatus, IndexDoc, Lang, Query, SearchConfig, SearchIndex};

const EN_WORDS: &[&str] = &[
    "archive",
    "web",
    "page",
    "history",
    "library",
    "record",
    "network",
    "digital",
    "preserve",
    "collection",
    "document",
    "capture",
    "browser",
    "server",
    "content",
    "museum",
    "culture",
    "science",
    "research",
    "public",
    "government",
    "election",
    "policy",
    "climate",
    "energy",
    "market",
    "company",
    "software",
    "open",
    "source",
    "protocol",
    "chain",
    "block",
    "validator",
    "storage",
    "crawler",
    "index",
    "search",
    "query",
    "result",
    "snapshot",
    "version",
    "memory",
    "heritage",
    "photograph",
    "newspaper",
    "article",
    "blog",
    "forum",
    "video",
    "music",
    "school",
    "university",
    "student",
    "teacher",
    "health",
    "hospital",
    "doctor",
    "city",
    "country",
    "river",
    "mountain",
    "forest",
    "ocean",
    "travel",
    "food",
    "recipe",
    "garden",
    "sport",
    "football",
    "game",
    "player",
    "team",
    "season",
    "festival",
    "art",
    "painting",
    "book",
    "author",
    "story",
    "language",
    "translation",
    "community",
    "volunteer",
    "project",
    "funding",
    "report",
    "analysis",
    "data",
    "model",
    "learning",
    "computer",
    "security",
    "privacy",
    "law",
    "court",
    "citizen",
    "economy",
    "industry",
    "transport",
    "railway",
    "airport",
    "weather",
];

const FR_WORDS: &[&str] = &[
    "archives",
    "numérique",
    "préservation",
    "bibliothèque",
    "patrimoine",
    "histoire",
    "réseau",
    "mémoire",
    "collection",
    "document",
    "page",
    "site",
    "recherche",
    "culture",
    "musée",
    "gouvernement",
    "élection",
    "politique",
    "climat",
    "énergie",
    "marché",
    "entreprise",
    "logiciel",
    "libre",
    "protocole",
    "chaîne",
    "bloc",
    "stockage",
    "moteur",
    "résultat",
    "version",
    "photographie",
    "journal",
    "article",
    "vidéo",
    "musique",
    "école",
    "université",
    "étudiant",
    "enseignant",
    "santé",
    "hôpital",
    "médecin",
    "ville",
    "pays",
    "rivière",
    "montagne",
    "forêt",
    "océan",
    "voyage",
    "cuisine",
    "recette",
    "jardin",
    "football",
    "équipe",
    "saison",
    "festival",
    "peinture",
    "livre",
    "auteur",
    "langue",
    "traduction",
    "communauté",
    "bénévole",
    "projet",
    "rapport",
    "analyse",
    "données",
    "apprentissage",
    "ordinateur",
    "sécurité",
    "vie",
    "privée",
    "droit",
    "tribunal",
    "citoyen",
    "économie",
    "industrie",
    "transport",
    "chemin",
    "fer",
    "aéroport",
    "météo",
    "préservées",
    "numériques",
    "conservées",
    "publiques",
    "nationales",
    "européenne",
    "française",
    "régionale",
    "développement",
];

const STOP_EN: &[&str] = &["the", "of", "and", "a", "to", "in", "is", "for", "on", "with"];
const STOP_FR: &[&str] = &["le", "la", "les", "de", "des", "et", "un", "une", "du", "est"];
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ter", "bra", "sun", "vel", "dor", "pi", "que", "ran", "tes", "mo", "zu", "fal", "gri", "nor",
    "shi", "pla", "ve",
];
const TAGS: &[&str] = &["news", "science", "culture", "politics", "sport", "tech", "health", "art"];
const SYNTHETIC_WORDS: usize = 20_000;
const HOSTS: u64 = 500;
const COMMIT_EVERY: usize = 10_000;
const WARMUP_QUERIES: usize = 100;
const PAGE_SIZE: usize = 10;
const T0_MS: u64 = 1_600_000_000_000;
const SPAN_MS: u64 = 4 * 365 * 24 * 3600 * 1000;

/// splitmix64: tiny, seeded, good enough for synthetic text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Words of one language, ranked; sampled with a Zipf(1.0) law.
struct Vocab {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocab {
    fn new(real: &[&str], stop: &[&str], rng: &mut Rng) -> Self {
        let mut words: Vec<String> = stop.iter().chain(real).map(|w| w.to_string()).collect();
        for _ in 0..SYNTHETIC_WORDS {
            let len = 2 + rng.below(3);
            words.push((0..len).map(|_| SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize]).collect());
        }
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Vocab { words, cumulative }
    }
    fn sample(&self, rng: &mut Rng) -> &str {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let target = rng.unit() * total;
        let i = self.cumulative.partition_point(|c| *c < target).min(self.words.len() - 1);
        &self.words[i]
    }
    /// A content word (not a stop word) among the `top` most frequent.
    fn frequent(&self, rng: &mut Rng, stop: usize, top: u64) -> &str {
        &self.words[stop + rng.below(top) as usize]
    }
}

fn sentence(vocab: &Vocab, rng: &mut Rng, words: usize) -> String {
    (0..words).map(|_| vocab.sample(rng)).collect::<Vec<_>>().join(" ")
}

fn page(n: u64, en: &Vocab, fr: &Vocab, rng: &mut Rng) -> IndexDoc {
    let (vocab, language) = if n.is_multiple_of(2) { (en, Lang::En) } else { (fr, Lang::Fr) };
    let words = 150 + rng.below(350) as usize;
    let mut hash = [0u8; 32];
    for chunk in hash.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next().to_le_bytes());
    }
    let host = format!("host{}.example", rng.below(HOSTS));
    let tags = (0..rng.below(3)).map(|_| TAGS[rng.below(TAGS.len() as u64) as usize].to_string()).collect();
    let title_words = 4 + rng.below(6) as usize;
    IndexDoc {
        content_hash: hash,
        url: format!("https://{host}/page/{n}"),
        host,
        title: sentence(vocab, rng, title_words),
        text: sentence(vocab, rng, words),
        tags,
        language,
        captured_at_ms: T0_MS + rng.below(SPAN_MS),
        status: CaptureStatus::Pending,
        size: 2_000 + rng.below(200_000),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Term,
    TwoTerms,
    Phrase,
    Filtered,
}

const KINDS: [Kind; 4] = [Kind::Term, Kind::TwoTerms, Kind::Phrase, Kind::Filtered];

fn make_query(kind: Kind, en: &Vocab, fr: &Vocab, phrases: &[String], rng: &mut Rng) -> Query {
    let (vocab, stop, lang) =
        if rng.below(2) == 0 { (en, STOP_EN.len(), Lang::En) } else { (fr, STOP_FR.len(), Lang::Fr) };
    let word = |rng: &mut Rng| vocab.frequent(rng, stop, 300).to_string();
    let mut q = Query { limit: PAGE_SIZE, ..Query::default() };
    match kind {
        Kind::Term => q.text = word(rng),
        Kind::TwoTerms => q.text = format!("{} {}", word(rng), word(rng)),
        Kind::Phrase => {
            // Two consecutive words of an indexed page: a phrase that really occurs.
            let p = &phrases[rng.below(phrases.len() as u64) as usize];
            q.text = format!("\"{p}\"");
        }
        Kind::Filtered => {
            q.text = format!("{} {}", word(rng), word(rng));
            match rng.below(4) {
                0 => q.hosts = vec![format!("host{}.example", rng.below(HOSTS))],
                1 => q.language = Some(lang),
                2 => q.tags = vec![TAGS[rng.below(TAGS.len() as u64) as usize].to_string()],
                _ => {
                    let from = T0_MS + rng.below(SPAN_MS / 2);
                    q.from_ms = Some(from);
                    q.to_ms = Some(from + SPAN_MS / 4);
                }
            }
        }
    }
    q
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1e3
}

fn summary(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "  {label:<10} n={:<5} p50={:>7.3} ms  p99={:>7.3} ms  max={:>7.3} ms",
        samples.len(),
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        percentile(&samples, 1.0)
    );
}

struct Args {
    docs: u64,
    queries: usize,
    threads: usize,
    seed: u64,
    dir: Option<PathBuf>,
    keep: bool,
    /// Query a running node's `archive_search` over JSON-RPC (HTTP) at this address instead
    /// of the library (the node must serve an index built by a previous run with `--dir`).
    rpc: Option<String>,
}

fn parse_args(cores: usize) -> Result<Args, String> {
    let mut args =
        Args { docs: 100_000, queries: 1_000, threads: cores.clamp(1, 4), seed: 42, dir: None, keep: false, rpc: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--docs" => args.docs = value("--docs")?.parse().map_err(|e| format!("--docs: {e}"))?,
            "--queries" => args.queries = value("--queries")?.parse().map_err(|e| format!("--queries: {e}"))?,
            "--threads" => args.threads = value("--threads")?.parse().map_err(|e| format!("--threads: {e}"))?,
            "--seed" => args.seed = value("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--dir" => args.dir = Some(PathBuf::from(value("--dir")?)),
            "--keep" => args.keep = true,
            "--rpc" => args.rpc = Some(value("--rpc")?),
            "-h" | "--help" => {
                return Err(
                    "usage: search-bench [--docs N] [--queries N] [--threads N] [--seed N] [--dir PATH] [--keep] [--rpc HOST:PORT]"
                        .into(),
                )
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| entries.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

/// One `archive_search` call over HTTP (a new connection each time, as a simple client does).
fn rpc_search(addr: &str, q: &Query) -> Result<u64, Box<dyn std::error::Error>> {
    use std::io::{Read, Write};
    let lang = q.language.map(|l| match l {
        archive_search::Lang::En => "en",
        archive_search::Lang::Fr => "fr",
        archive_search::Lang::Other => "other",
    });
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "archive_search", "params": [{
        "text": q.text, "hosts": q.hosts, "tags": q.tags, "language": lang, "from": q.from_ms, "to": q.to_ms,
        "offset": q.offset, "limit": q.limit}]})
    .to_string();
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    write!(s, "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let text = String::from_utf8_lossy(&resp);
    let json = text.split("\r\n\r\n").nth(1).ok_or("no HTTP body")?;
    let v: serde_json::Value = serde_json::from_str(json.trim())?;
    if let Some(e) = v.get("error") {
        return Err(format!("archive_search: {e}").into());
    }
    Ok(v["result"]["total"].as_u64().unwrap_or(0))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let args = parse_args(cores)?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("archive-search-bench-{}", std::process::id())));
    println!("search-bench: {} docs, {} queries, seed {}", args.docs, args.queries, args.seed);
    println!(
        "machine: {cores} cores available ({}), writer threads {}, profile {}",
        cpu_model(),
        args.threads,
        if cfg!(debug_assertions) { "debug (numbers not meaningful)" } else { "release" }
    );

    let mut rng = Rng(args.seed);
    let en = Vocab::new(EN_WORDS, STOP_EN, &mut rng);
    let fr = Vocab::new(FR_WORDS, STOP_FR, &mut rng);

    // Generate first so that indexing time excludes text generation.
    let t = Instant::now();
    let docs: Vec<IndexDoc> = (0..args.docs).map(|n| page(n, &en, &fr, &mut rng)).collect();
    let text_bytes: usize = docs.iter().map(|d| d.text.len() + d.title.len()).sum();
    println!(
        "generated {} pages, {:.1} MiB of text in {:.2} s",
        docs.len(),
        text_bytes as f64 / 1048576.0,
        t.elapsed().as_secs_f64()
    );

    if let Some(addr) = &args.rpc {
        // The same deterministic queries, sent to a node serving the index of an earlier run.
        let mut prng = Rng(args.seed ^ 0xF00D);
        let phrases: Vec<String> = (0..1_000)
            .filter_map(|_| {
                let d = docs.get(prng.below(docs.len() as u64) as usize)?;
                let words: Vec<&str> = d.text.split_whitespace().collect();
                let i = prng.below(words.len().saturating_sub(1) as u64) as usize;
                Some(format!("{} {}", words.get(i)?, words.get(i + 1)?))
            })
            .collect();
        let mut qrng = Rng(args.seed ^ 0x5EED);
        let mut all = Vec::new();
        let mut total = 0u64;
        for i in 0..args.queries + WARMUP_QUERIES {
            let q = make_query(KINDS[i % KINDS.len()], &en, &fr, &phrases, &mut qrng);
            let t = Instant::now();
            let matches = rpc_search(addr, &q)?;
            if i >= WARMUP_QUERIES {
                all.push(t.elapsed());
                total += matches;
            }
        }
        println!(
            "archive_search over JSON-RPC (HTTP, {addr}): mean total matches {:.0}",
            total as f64 / all.len().max(1) as f64
        );
        summary("rpc", all.clone());
        all.sort();
        println!("goal p50 < 10 ms: {}", if percentile(&all, 0.5) < 10.0 { "met" } else { "NOT met" });
        return Ok(());
    }
    let config =
        SearchConfig::default().with_writer_threads(args.threads).with_writer_heap_bytes(args.threads * 100_000_000);
    let _ = std::fs::remove_dir_all(&dir);
    let t = Instant::now();
    let index = SearchIndex::open_with_config(&dir, config)?;
    for (i, d) in docs.iter().enumerate() {
        index.add(d)?;
        if (i + 1).is_multiple_of(COMMIT_EVERY) {
            index.commit()?;
        }
    }
    index.commit()?;
    let indexed = t.elapsed();
    index.close()?;
    let with_merges = t.elapsed();
    let index = SearchIndex::open_with_config(&dir, config)?;
    println!(
        "indexed {} docs in {:.2} s: {:.0} docs/s ({:.0} docs/s including final merges, {:.2} s); {} segments, {:.1} MiB on disk",
        index.len(),
        indexed.as_secs_f64(),
        args.docs as f64 / indexed.as_secs_f64(),
        args.docs as f64 / with_merges.as_secs_f64(),
        with_merges.as_secs_f64(),
        index.segment_count(),
        dir_size(&dir) as f64 / 1048576.0
    );
    let mut prng = Rng(args.seed ^ 0xF00D);
    let phrases: Vec<String> = (0..1_000)
        .filter_map(|_| {
            let d = docs.get(prng.below(docs.len() as u64) as usize)?;
            let words: Vec<&str> = d.text.split_whitespace().collect();
            let i = prng.below(words.len().saturating_sub(1) as u64) as usize;
            Some(format!("{} {}", words.get(i)?, words.get(i + 1)?))
        })
        .collect();
    drop(docs);

    let mut qrng = Rng(args.seed ^ 0x5EED);
    let queries: Vec<(Kind, Query)> = (0..args.queries + WARMUP_QUERIES)
        .map(|i| {
            let kind = KINDS[i % KINDS.len()];
            (kind, make_query(kind, &en, &fr, &phrases, &mut qrng))
        })
        .collect();
    let mut all = Vec::with_capacity(args.queries);
    let mut by_kind: Vec<Vec<Duration>> = vec![Vec::new(); KINDS.len()];
    let mut total_hits = 0u64;
    let mut empty = 0usize;
    for (i, (kind, q)) in queries.iter().enumerate() {
        let t = Instant::now();
        let r = index.search(q)?;
        let elapsed = t.elapsed();
        if i < WARMUP_QUERIES {
            continue;
        }
        total_hits += r.total;
        if r.total == 0 {
            empty += 1;
        }
        all.push(elapsed);
        by_kind[KINDS.iter().position(|k| k == kind).unwrap_or(0)].push(elapsed);
    }
    println!(
        "queries (single-threaded, top {PAGE_SIZE} with snippets, {WARMUP_QUERIES} warm-up excluded): mean total matches {:.0}, {} with no match",
        total_hits as f64 / args.queries.max(1) as f64,
        empty
    );
    summary("all", all.clone());
    for (kind, samples) in KINDS.iter().zip(by_kind) {
        summary(&format!("{kind:?}"), samples);
    }

    let mut suggest_times = Vec::new();
    for i in 0..200usize {
        let word = if i.is_multiple_of(2) {
            en.frequent(&mut qrng, STOP_EN.len(), 300)
        } else {
            fr.frequent(&mut qrng, STOP_FR.len(), 300)
        };
        let prefix: String = word.chars().take(1 + i % 4).collect();
        let t = Instant::now();
        let _ = index.suggest(&prefix, 10)?;
        suggest_times.push(t.elapsed());
    }
    summary("suggest", suggest_times);

    let mut sorted = all;
    sorted.sort();
    let p50 = percentile(&sorted, 0.5);
    println!("goal p50 < 10 ms: {}", if p50 < 10.0 { "met" } else { "NOT met" });
    drop(index);
    if !args.keep && args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
