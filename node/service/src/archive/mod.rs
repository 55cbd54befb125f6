//! The node's archive: a WARC store of captures (its own crawls and records fetched from
//! peers to attest them) and a full-text index over them, under `<base>/archive`. The chain is
//! the source of truth for a capture's status; the index is a rebuildable view (rebuilt from
//! the store when missing or corrupt). The off-chain worker ([`worker`]) crawls requests and
//! attests others' captures; JSON-RPC `archive_*` is answered by [`Archive::answer`].

pub(crate) mod worker;

use std::{path::PathBuf, sync::Arc};

use archive_client::Client;
use archive_crawler::{Capture as CrawlCapture, PageInfo};
use archive_pallet_archive::ArchiveRecord;
use archive_rpc::archive::ArchiveCall;
use archive_search::{CaptureStatus, IndexDoc, Lang, Query, SearchIndex};
use archive_warc::{Capture, CaptureRef, StoreConfig, WarcStore};
use parity_scale_codec::{Decode, Encode};
use parking_lot::Mutex;
use serde_json::{json, Value};

/// Where and how the node archives.
#[derive(Clone, Debug)]
pub struct ArchiveConfig {
    /// `<base>/chains/<id>/archive` (the WARC store in `warc/`, the index in `index/`).
    pub dir: PathBuf,
    /// Crawl loopback/private addresses (tests, intranets). Off by default.
    pub allow_private_addresses: bool,
    /// Delay between two requests to one host while crawling (ms).
    pub politeness_ms: u64,
}

/// A capture as exchanged between nodes (content protocol) and restored by an attester:
/// SCALE `ContentBundle`. Its `body` is the payload as served; SHA-256(body) is the content
/// hash on chain.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ContentBundle {
    /// The URL captured.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// Response headers as served.
    pub headers: Vec<(String, String)>,
    /// Payload as served.
    pub body: Vec<u8>,
    /// Capture time (unix ms).
    pub captured_at: u64,
}

/// Largest bundle served or fetched.
pub const MAX_BUNDLE_BYTES: u32 = 16 << 20;

/// Store and index, shared by the worker, the RPC and the content protocol.
pub struct Archive {
    store: Mutex<WarcStore>,
    index: SearchIndex,
    config: ArchiveConfig,
    /// What `archive_crawl` needs to run a crawl on this node (set when the node has a key).
    crawler: std::sync::OnceLock<worker::CrawlContext>,
    /// Crawl jobs started over RPC, by id.
    jobs: Mutex<std::collections::BTreeMap<u64, Value>>,
}

fn lang_of(hint: Option<&str>) -> Lang {
    match hint.map(|l| l.to_ascii_lowercase()) {
        Some(l) if l.starts_with("fr") => Lang::Fr,
        Some(l) if l.starts_with("en") => Lang::En,
        _ => Lang::Other,
    }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default()
}

/// A crawler capture as a WARC capture (header bytes that are not UTF-8 are kept lossily in
/// the WARC headers; the payload is untouched).
pub(crate) fn to_warc(c: &CrawlCapture) -> Capture {
    Capture {
        url: c.url.clone(),
        method: c.method.clone(),
        request_headers: c.request_headers.clone(),
        http_version: c.http_version.clone(),
        status: c.status,
        reason: c.reason.clone(),
        response_headers: c
            .response_headers
            .iter()
            .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
            .collect(),
        body: c.body.clone(),
        truncated: c.truncated.map(|t| match t {
            archive_crawler::Truncation::Length => archive_warc::Truncation::Length,
            archive_crawler::Truncation::Time => archive_warc::Truncation::Time,
            archive_crawler::Truncation::Disconnect => archive_warc::Truncation::Disconnect,
        }),
        ip: c.ip,
        captured_at: c.captured_at_ms,
        redirect_to: c.redirect_to.clone(),
    }
}

/// The crawler's view of a stored capture (to extract title and text for the index).
fn to_crawl(c: &ContentBundle) -> CrawlCapture {
    CrawlCapture {
        url: c.url.clone(),
        method: "GET".into(),
        request_headers: Vec::new(),
        http_version: "HTTP/1.1".into(),
        status: c.status,
        reason: String::new(),
        response_headers: c.headers.iter().map(|(k, v)| (k.clone(), v.clone().into_bytes())).collect(),
        body: c.body.clone(),
        truncated: None,
        ip: None,
        captured_at_ms: c.captured_at,
        redirect_to: None,
        depth: 0,
        robots: None,
        prerequisite: false,
    }
}

impl Archive {
    /// Opens (or creates) the store and the index; rebuilds the index from the store when it
    /// is missing, corrupt or of another schema.
    ///
    /// # Errors
    /// The store cannot be opened (the index is always recoverable).
    pub fn open(config: ArchiveConfig) -> Result<Arc<Self>, String> {
        let store = WarcStore::open(config.dir.join("warc"), StoreConfig::default().with_software("archivechain"))
            .map_err(|e| format!("WARC store {}: {e}", config.dir.display()))?;
        let index_dir = config.dir.join("index");
        let index = match SearchIndex::open(&index_dir) {
            Ok(i) if !i.is_empty() || store.is_empty() => i,
            Ok(i) => {
                drop(i);
                tracing::warn!(dir = %index_dir.display(), "search index is empty but the store is not; rebuilding");
                Self::rebuild(&index_dir, &store, &config)?
            }
            Err(e) => {
                tracing::warn!(dir = %index_dir.display(), error = %e, "search index unusable; rebuilding from the WARC store");
                Self::rebuild(&index_dir, &store, &config)?
            }
        };
        tracing::info!(dir = %config.dir.display(), captures = store.len(), indexed = index.len(), "archive opened");
        Ok(Arc::new(Archive {
            store: Mutex::new(store),
            index,
            config,
            crawler: std::sync::OnceLock::new(),
            jobs: Mutex::new(std::collections::BTreeMap::new()),
        }))
    }

    fn rebuild(dir: &std::path::Path, store: &WarcStore, config: &ArchiveConfig) -> Result<SearchIndex, String> {
        let docs: Vec<IndexDoc> = store
            .all_captures()
            .filter(|r| (200..300).contains(&r.status))
            .filter_map(|r| store.read(r).ok().map(|rec| (r.clone(), rec)))
            .filter_map(|(r, rec)| {
                let bundle = ContentBundle {
                    url: r.url.clone(),
                    status: r.status,
                    headers: rec.http_headers,
                    body: rec.body,
                    captured_at: r.captured_at,
                };
                Self::doc_for(&bundle, None, config)
            })
            .collect();
        SearchIndex::rebuild(dir, docs).map_err(|e| format!("rebuilding the search index: {e}"))
    }

    fn doc_for(b: &ContentBundle, page: Option<&PageInfo>, config: &ArchiveConfig) -> Option<IndexDoc> {
        let extracted;
        let page = match page {
            Some(p) => p,
            None => {
                let crawl_config = archive_crawler::CrawlConfig {
                    allow_private_addresses: config.allow_private_addresses,
                    ..archive_crawler::CrawlConfig::new([b.url.clone()])
                };
                extracted = archive_crawler::page_info(&to_crawl(b), &crawl_config).ok().flatten()?;
                &extracted
            }
        };
        Some(IndexDoc {
            content_hash: archive_warc::sha256(&b.body),
            url: b.url.clone(),
            host: host_of(&b.url),
            title: page.title.clone().unwrap_or_default(),
            text: page.text.clone(),
            tags: Vec::new(),
            language: lang_of(page.language.as_deref()),
            captured_at_ms: b.captured_at,
            status: CaptureStatus::Pending,
            size: b.body.len() as u64,
        })
    }

    /// The crawl settings of this node (limits come from the request).
    pub fn config(&self) -> &ArchiveConfig {
        &self.config
    }

    /// Enables `archive_crawl` (the node's key signs the submissions).
    pub(crate) fn enable_crawls(&self, ctx: worker::CrawlContext) {
        let _ = self.crawler.set(ctx);
    }

    /// Records the state of crawl job `id`.
    pub(crate) fn set_job(&self, id: u64, state: Value) {
        let mut jobs = self.jobs.lock();
        jobs.insert(id, state);
        // Keep the last 100 jobs.
        while jobs.len() > 100 {
            let Some(first) = jobs.keys().next().copied() else { break };
            jobs.remove(&first);
        }
    }

    /// Stores a crawled capture (and indexes it if it is a page); returns its content hash.
    ///
    /// # Errors
    /// Store or index failures.
    pub fn store_crawled(&self, c: &CrawlCapture, page: Option<&PageInfo>) -> Result<[u8; 32], String> {
        let stored = self.store.lock().store(&to_warc(c)).map_err(|e| e.to_string())?;
        if let (Some(p), true) = (page, (200..300).contains(&c.status)) {
            let b = ContentBundle {
                url: c.url.clone(),
                status: c.status,
                headers: Vec::new(),
                body: Vec::new(),
                captured_at: c.captured_at_ms,
            };
            if let Some(mut doc) = Self::doc_for(&b, Some(p), &self.config) {
                doc.content_hash = stored.content_hash;
                doc.size = c.body.len() as u64;
                self.index.add(&doc).map_err(|e| e.to_string())?;
                self.index.commit().map_err(|e| e.to_string())?;
            }
        }
        Ok(stored.content_hash)
    }

    /// The capture with payload hash `hash` as a SCALE [`ContentBundle`] (content protocol).
    pub fn bundle(&self, hash: &[u8; 32], max_bytes: u32) -> Option<Vec<u8>> {
        let store = self.store.lock();
        let r = store.by_hash(hash)?;
        let rec = store.read(&r).ok()?;
        let b = ContentBundle {
            url: r.url.clone(),
            status: rec.http_status.unwrap_or(r.status),
            headers: rec.http_headers,
            body: rec.body,
            captured_at: r.captured_at,
        };
        let bytes = b.encode();
        (bytes.len() <= max_bytes.min(MAX_BUNDLE_BYTES) as usize).then_some(bytes)
    }

    /// Whether `bytes` is a bundle whose payload hashes to `hash`.
    pub fn bundle_matches(bytes: &[u8], hash: &[u8; 32]) -> bool {
        ContentBundle::decode(&mut &bytes[..]).is_ok_and(|b| archive_warc::sha256(&b.body) == *hash)
    }

    /// Stores (and indexes) a bundle fetched from a peer, after checking its hash.
    ///
    /// # Errors
    /// Undecodable, wrong hash, or store failure.
    pub fn import_bundle(&self, bytes: &[u8], hash: &[u8; 32]) -> Result<(), String> {
        let b = ContentBundle::decode(&mut &bytes[..]).map_err(|e| format!("undecodable bundle: {e}"))?;
        if archive_warc::sha256(&b.body) != *hash {
            return Err("bundle payload does not match its content hash".into());
        }
        if self.store.lock().by_hash(hash).is_some() {
            return Ok(());
        }
        let c = Capture {
            url: b.url.clone(),
            method: "GET".into(),
            request_headers: Vec::new(),
            http_version: "HTTP/1.1".into(),
            status: b.status,
            reason: String::new(),
            response_headers: b.headers.clone(),
            body: b.body.clone(),
            truncated: None,
            ip: None,
            captured_at: b.captured_at,
            redirect_to: None,
        };
        self.store.lock().store(&c).map_err(|e| e.to_string())?;
        if let Some(doc) = Self::doc_for(&b, None, &self.config) {
            self.index.add(&doc).map_err(|e| e.to_string())?;
            self.index.commit().map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// The newest successful capture of `url` in the store, as the crawler's capture (for a
    /// submission after a resumed crawl).
    pub(crate) fn stored_page(&self, url: &str) -> Option<(CrawlCapture, [u8; 32])> {
        let store = self.store.lock();
        let r = store.captures(url, None, None).into_iter().rev().find(|r| (200..300).contains(&r.status))?;
        let rec = store.read(&r).ok()?;
        let b = ContentBundle {
            url: r.url.clone(),
            status: r.status,
            headers: rec.http_headers,
            body: rec.body,
            captured_at: r.captured_at,
        };
        Some((to_crawl(&b), r.content_hash))
    }

    /// Whether this node holds the capture.
    pub fn has(&self, hash: &[u8; 32]) -> bool {
        self.store.lock().by_hash(hash).is_some()
    }

    /// Captures in the WARC store and documents in the search index (for metrics).
    pub fn counts(&self) -> (usize, u64) {
        (self.store.lock().len(), self.index.len())
    }

    /// Answers an `archive_*` call; on-chain status is read at the best block.
    ///
    /// # Errors
    /// A message for the RPC layer.
    pub fn answer(&self, client: &Client, call: ArchiveCall) -> Result<Value, String> {
        match call {
            ArchiveCall::Search(r) => {
                let q = Query {
                    text: r.text,
                    hosts: r.hosts,
                    tags: r.tags,
                    language: r.language.as_deref().map(|l| lang_of(Some(l))),
                    from_ms: r.from,
                    to_ms: r.to,
                    offset: r.offset as usize,
                    limit: r.limit as usize,
                };
                let res = self.index.search(&q).map_err(|e| e.to_string())?;
                let mut out = serde_json::to_value(&res).map_err(|e| e.to_string())?;
                if let Some(hits) = out.get_mut("hits").and_then(Value::as_array_mut) {
                    for (hit, h) in hits.iter_mut().zip(&res.hits) {
                        let chain = chain_record(client, &h.content_hash);
                        hit["status"] = json!(chain
                            .as_ref()
                            .map(|r| format!("{:?}", r.status))
                            .unwrap_or_else(|| "NotOnChain".into()));
                    }
                }
                Ok(out)
            }
            ArchiveCall::Suggest { prefix, limit } => {
                Ok(json!(self.index.suggest(&prefix, limit as usize).map_err(|e| e.to_string())?))
            }
            ArchiveCall::Captures { url, from, to } => {
                let refs = self.store.lock().captures(&url, from, to);
                Ok(Value::Array(refs.iter().map(|r| capture_json(client, r)).collect()))
            }
            ArchiveCall::Content { hash, max_bytes } => {
                let store = self.store.lock();
                let Some(r) = store.by_hash(&hash) else { return Ok(Value::Null) };
                let rec = store.read(&r).map_err(|e| e.to_string())?;
                let total = rec.body.len();
                let body = &rec.body[..total.min(max_bytes as usize)];
                Ok(json!({
                    "url": r.url, "contentHash": format!("0x{}", hex::encode(hash)), "capturedAt": r.captured_at,
                    "status": rec.http_status, "headers": rec.http_headers, "size": total,
                    "truncated": body.len() < total, "body": format!("0x{}", hex::encode(body)),
                }))
            }
            ArchiveCall::Crawl { seed, depth, max_pages, scope } => {
                let ctx = self
                    .crawler
                    .get()
                    .ok_or("this node has no key to submit captures with (start it with a validator key)")?;
                let id = {
                    let jobs = self.jobs.lock();
                    jobs.keys().next_back().map_or(1, |k| k + 1)
                };
                self.set_job(id, json!({"job": id, "seed": seed, "state": "running", "pages": 0}));
                worker::start_crawl_job(ctx.clone(), id, seed, depth, max_pages, &scope);
                Ok(json!({ "job": id }))
            }
            ArchiveCall::CrawlStatus { job } => Ok(self.jobs.lock().get(&job).cloned().unwrap_or(Value::Null)),
            ArchiveCall::Verify { hash } => {
                let chain = chain_record(client, &hash);
                let store = self.store.lock();
                let local = store.by_hash(&hash);
                let verification = local.as_ref().map(|r| store.verify(r));
                let matches = match &verification {
                    Some(Ok(v)) => v.is_valid() && chain.is_some(),
                    _ => false,
                };
                Ok(json!({
                    "contentHash": format!("0x{}", hex::encode(hash)),
                    "local": local.is_some(),
                    "rehashMatches": verification.as_ref().map(|v| v.as_ref().is_ok_and(|v| v.is_valid())),
                    "onChain": chain.as_ref().map(|r| format!("{:?}", r.status)),
                    "verified": matches,
                }))
            }
        }
    }
}

/// The record of `hash` on chain at the best block.
pub(crate) fn chain_record(client: &Client, hash: &[u8; 32]) -> Option<ArchiveRecord> {
    let key = archive_pallet_archive::storage::Records::key(hash);
    let raw = client.state_at(&client.info().best_hash).ok()?.get(&key).ok()??;
    ArchiveRecord::decode(&mut &raw[..]).ok()
}

fn capture_json(client: &Client, r: &CaptureRef) -> Value {
    json!({
        "url": r.url, "capturedAt": r.captured_at, "mime": r.mime, "status": r.status,
        "contentHash": format!("0x{}", hex::encode(r.content_hash)), "redirectTo": r.redirect_to,
        "onChain": chain_record(client, &r.content_hash).map(|c| format!("{:?}", c.status)),
    })
}
