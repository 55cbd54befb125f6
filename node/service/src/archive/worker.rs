//! The archive's off-chain worker: after blocks are imported it reads the chain's open archive
//! requests and pending records (never blocking import: it runs on its own task, reading
//! state), then
//! - as an **archiver** (the node key holds the archiver role): crawls each open request within
//!   its limits, stores the captures as WARC, indexes them and submits `Archive.submit_archive`
//!   for the requested page;
//! - as an **attester** (archiver or validator role): fetches each pending record it did not
//!   submit from peers by content hash (content protocol), re-hashes it, keeps a copy (stored
//!   and indexed) and submits `Archive.attest(hash, true)`.
//!
//! What was done is remembered in offchain storage (`archive/crawled/<id>`,
//! `archive/attested/<hash>`), so a restart does not repeat it; a submission that never lands
//! is retried after [`RETRY_BLOCKS`].

use std::{sync::Arc, time::Duration};

use archive_client::Client;
use archive_network::NetworkHandle;
use archive_pallet_archive::{storage as st, ArchiveRecord, ArchiveRequest, RecordStatus};
use archive_pallet_identity::Role;
use archive_primitives::{AccountId20, BlockNumber, Pair, H256};
use archive_runtime::RuntimeCall;
use parity_scale_codec::{Decode, Encode};
use tokio::sync::watch;

use super::{Archive, MAX_BUNDLE_BYTES};
use crate::TxPool;

/// A submission not on chain after this many blocks is made again.
pub const RETRY_BLOCKS: BlockNumber = 20;
/// Time budget of one request's crawl.
const CRAWL_TIMEOUT: Duration = Duration::from_secs(60);
/// Pages of one request's crawl submitted besides the requested page, at most.
const MAX_EXTRA_PAGES: u32 = 50;

fn read<T: Decode>(client: &Client, at: &H256, key: &[u8]) -> Option<T> {
    let raw = client.state_at(at).ok()?.get(key).ok()??;
    T::decode(&mut &raw[..]).ok()
}

fn has_role(client: &Client, at: &H256, who: &AccountId20, role: Role) -> bool {
    let bits: u8 = read(client, at, &archive_pallet_identity::storage::Roles::key(who)).unwrap_or(0);
    // Archiver and validator do not depend on having an identity.
    archive_pallet_identity::holds_role(bits, false, role)
}

/// Offchain marker: done at block `n` (for retries).
fn done_at(client: &Client, key: &[u8]) -> Option<BlockNumber> {
    client.db().offchain_get(key).ok().flatten().and_then(|b| BlockNumber::decode(&mut &b[..]).ok())
}

fn mark(client: &Client, key: &[u8], n: BlockNumber) {
    if let Err(e) = client.db().offchain_set(key, Some(&n.encode())) {
        tracing::error!(error = %e, "cannot record archive work in offchain storage");
    }
}

/// What a crawl started over RPC (`archive_crawl`) needs.
#[derive(Clone)]
pub(crate) struct CrawlContext {
    pub(crate) client: Arc<Client>,
    pub(crate) pool: Arc<TxPool>,
    pub(crate) net: Option<NetworkHandle>,
    pub(crate) archive: std::sync::Weak<Archive>,
    pub(crate) key: Pair,
    pub(crate) runtime: tokio::runtime::Handle,
}

/// Starts crawl job `id` on the node's runtime: every successful page is stored, indexed and
/// submitted (unless already on chain); progress goes to the job's state.
pub(crate) fn start_crawl_job(ctx: CrawlContext, id: u64, seed: String, depth: u32, max_pages: u32, scope: &str) {
    let scope = match scope {
        "prefix" => archive_crawler::Scope::Prefix,
        "domain" => archive_crawler::Scope::Domain,
        _ => archive_crawler::Scope::Host,
    };
    let runtime = ctx.runtime.clone();
    runtime.spawn(async move {
        let Some(archive) = ctx.archive.upgrade() else { return };
        let mut config = archive_crawler::CrawlConfig::new([seed.clone()]);
        config.scope = scope;
        config.max_depth = depth;
        config.max_pages = u64::from(max_pages);
        config.total_timeout = CRAWL_TIMEOUT * 10;
        config.allow_private_addresses = archive.config().allow_private_addresses;
        config.politeness_delay = Duration::from_millis(archive.config().politeness_ms);
        let mut sink = archive_crawler::VecSink::default();
        let progress_archive = archive.clone();
        let seed2 = seed.clone();
        let result = archive_crawler::crawl(config, &mut sink, move |p| {
            progress_archive.set_job(
                id,
                serde_json::json!({"job": id, "seed": seed2, "state": "running", "pages": p.pages,
                    "captures": p.captures, "bytes": p.bytes, "queued": p.queued, "errors": p.errors}),
            );
        })
        .await;
        let report = match result {
            Ok(r) => r,
            Err(e) => {
                archive.set_job(id, serde_json::json!({"job": id, "seed": seed, "state": "failed", "error": e.to_string()}));
                return;
            }
        };
        let mut submitted = Vec::new();
        let mut failures = Vec::new();
        for (capture, page) in &sink.items {
            let hash = match archive.store_crawled(capture, page.as_ref()) {
                Ok(h) => h,
                Err(e) => {
                    failures.push(format!("{}: {e}", capture.url));
                    continue;
                }
            };
            if !is_page(capture, page.as_ref()) {
                continue;
            }
            if super::chain_record(&ctx.client, &hash).is_some() {
                continue;
            }
            match submit_capture(&ctx.client, &ctx.pool, ctx.net.as_ref(), &ctx.key, capture, hash, None) {
                Ok(()) => submitted.push(format!("0x{}", hex::encode(hash))),
                Err(e) => failures.push(format!("{}: {e}", capture.url)),
            }
        }
        archive.set_job(
            id,
            serde_json::json!({"job": id, "seed": seed, "state": "done", "pages": report.pages, "captures": report.captures,
                "bytes": report.bytes, "errors": report.errors.iter().map(|(u, e)| format!("{u}: {e}")).collect::<Vec<_>>(),
                "submitted": submitted, "failures": failures, "stop": format!("{:?}", report.stop)}),
        );
    });
}

/// Whether a capture is a page worth its own record: a successful (2xx) HTML page fetched
/// for itself, not a prerequisite (robots.txt) of the crawl.
fn is_page(capture: &archive_crawler::Capture, page: Option<&archive_crawler::PageInfo>) -> bool {
    (200..300).contains(&capture.status) && !capture.prerequisite && page.is_some()
}

/// Signs and submits `Archive.submit_archive` for a stored capture.
fn submit_capture(
    client: &Client,
    pool: &TxPool,
    net: Option<&NetworkHandle>,
    key: &Pair,
    capture: &archive_crawler::Capture,
    hash: [u8; 32],
    request: Option<u64>,
) -> Result<(), String> {
    let mime = capture.header("content-type").map(|v| String::from_utf8_lossy(v).into_owned()).unwrap_or_default();
    let mime = mime.split(';').next().unwrap_or_default().trim().as_bytes().to_vec();
    let metadata = archive_primitives::hashing::blake2_256(&capture.response_headers.encode());
    let call = RuntimeCall::Archive(archive_pallet_archive::Call::submit_archive {
        url: capture.url.clone().into_bytes(),
        content_hash: hash,
        metadata_hash: metadata,
        size: capture.body.len() as u64,
        mime: mime.into_iter().take(255).collect(),
        captured_at: capture.captured_at_ms,
        tags: Vec::new(),
        request,
    });
    let xt = crate::submit::sign_and_submit(client, pool, key, call)?;
    gossip(net, xt);
    Ok(())
}

/// Runs until shutdown, looking for work every other slot.
pub(crate) async fn run(
    client: Arc<Client>,
    pool: Arc<TxPool>,
    net: Option<NetworkHandle>,
    archive: Arc<Archive>,
    key: Pair,
    slot_ms: u64,
    mut shutdown: watch::Receiver<bool>,
) {
    let me = key.account();
    tracing::info!(account = %me, "archive worker started");
    let mut tick = tokio::time::interval(Duration::from_millis(slot_ms.saturating_mul(2).max(500)));
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tick.tick() => {}
        }
        let info = client.info();
        let best = info.best_hash;
        if has_role(&client, &best, &me, Role::Archiver) {
            let open: Vec<(u64, BlockNumber)> = read(&client, &best, &st::OpenRequests::key()).unwrap_or_default();
            for (id, _) in open {
                let marker = format!("archive/crawled/{id}").into_bytes();
                // An interrupted crawl (saved frontier) resumes at once; a finished or failed
                // one is retried only after RETRY_BLOCKS.
                let interrupted = frontier_path(&archive, id).exists();
                if !interrupted
                    && done_at(&client, &marker).is_some_and(|at| info.best_number < at.saturating_add(RETRY_BLOCKS))
                {
                    continue;
                }
                let Some(req) = read::<ArchiveRequest>(&client, &best, &st::Requests::key(&id)) else { continue };
                mark(&client, &marker, info.best_number);
                let r = crawl_request(&client, &pool, net.as_ref(), &archive, &key, id, &req, &mut shutdown).await;
                if let Err(e) = r {
                    tracing::warn!(request = id, error = %e, "archive request not fulfilled");
                }
                if *shutdown.borrow() {
                    return;
                }
            }
        }
        if has_role(&client, &best, &me, Role::Archiver) || has_role(&client, &best, &me, Role::Validator) {
            let pending: Vec<[u8; 32]> = read(&client, &best, &st::PendingRecords::key()).unwrap_or_default();
            for hash in pending {
                let marker = [b"archive/attested/".as_slice(), &hash].concat();
                if done_at(&client, &marker).is_some_and(|at| info.best_number < at.saturating_add(RETRY_BLOCKS)) {
                    continue;
                }
                let Some(rec) = read::<ArchiveRecord>(&client, &best, &st::Records::key(&hash)) else { continue };
                if rec.archiver == me || rec.status != RecordStatus::Pending {
                    continue;
                }
                if read::<bool>(&client, &best, &st::Attestations::key(&(hash, me))).is_some() {
                    continue;
                }
                if attest(&client, &pool, net.as_ref(), &archive, &key, hash).await {
                    mark(&client, &marker, info.best_number);
                }
            }
        }
    }
}

fn gossip(net: Option<&NetworkHandle>, xt: Vec<u8>) {
    if let Some(net) = net {
        net.gossip_transaction(xt);
    }
}

/// Crawls request `id` and submits the capture of its URL.
/// Where an interrupted crawl of request `id` keeps its frontier.
fn frontier_path(archive: &Archive, id: u64) -> std::path::PathBuf {
    archive.config().dir.join("frontiers").join(format!("request-{id}.json"))
}

/// The pages an interrupted crawl of request `id` already stored (JSON list of URLs), submitted
/// with the others when the crawl completes.
fn stored_pages_path(archive: &Archive, id: u64) -> std::path::PathBuf {
    archive.config().dir.join("frontiers").join(format!("request-{id}.pages.json"))
}

fn load_stored_pages(path: &std::path::Path) -> Vec<String> {
    std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// Crawls request `id` and submits the capture of its URL. On shutdown the crawl stops, what
/// was captured is stored and the frontier saved: the next start resumes it (pages already
/// fetched are not fetched again).
#[allow(clippy::too_many_arguments)]
async fn crawl_request(
    client: &Client,
    pool: &TxPool,
    net: Option<&NetworkHandle>,
    archive: &Archive,
    key: &Pair,
    id: u64,
    req: &ArchiveRequest,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(), String> {
    let url = String::from_utf8(req.url.clone()).map_err(|_| "request URL is not UTF-8".to_string())?;
    let mut config = archive_crawler::CrawlConfig::new([url.clone()]);
    config.max_depth = u32::from(req.depth);
    config.max_pages = u64::from(req.max_pages.max(1));
    config.total_timeout = CRAWL_TIMEOUT;
    config.allow_private_addresses = archive.config().allow_private_addresses;
    config.politeness_delay = Duration::from_millis(archive.config().politeness_ms);
    let path = frontier_path(archive, id);
    let mut crawler = match archive_crawler::Frontier::load(&path) {
        Ok(frontier) => {
            tracing::info!(request = id, %url, pending = frontier.len(), "resuming an interrupted crawl");
            archive_crawler::Crawler::resume(config, frontier)
        }
        Err(_) => {
            tracing::info!(request = id, %url, depth = req.depth, max_pages = req.max_pages, "crawling an archive request");
            archive_crawler::Crawler::new(config)
        }
    }
    .map_err(|e| e.to_string())?;
    let stop = crawler.stop_handle();
    let mut sink = archive_crawler::VecSink::default();
    let report = {
        let run = crawler.run(&mut sink, |_| {});
        tokio::pin!(run);
        tokio::select! {
            r = &mut run => r,
            _ = shutdown.changed() => {
                stop.stop();
                run.await
            }
        }
    };
    let pages_path = stored_pages_path(archive, id);
    if report.stop == archive_crawler::StopReason::Stopped {
        let mut stored = load_stored_pages(&pages_path);
        for (capture, page) in &sink.items {
            archive.store_crawled(capture, page.as_ref())?;
            if is_page(capture, page.as_ref()) {
                stored.push(capture.url.clone());
            }
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let list = serde_json::to_vec(&stored).map_err(|e| e.to_string())?;
        std::fs::write(&pages_path, list).map_err(|e| e.to_string())?;
        crawler.frontier().save(&path).map_err(|e| e.to_string())?;
        return Err(format!(
            "interrupted after {} pages; the frontier is saved and resumes at the next start",
            report.pages
        ));
    }
    let _ = std::fs::remove_file(&path);
    let mut seed: Option<(archive_crawler::Capture, [u8; 32])> = None;
    let mut pages = Vec::new();
    for (capture, page) in &sink.items {
        let hash = archive.store_crawled(capture, page.as_ref())?;
        // The requested page: the first 2xx capture at depth 0 (after the seed's redirects).
        if seed.is_none() && capture.depth == 0 && (200..300).contains(&capture.status) && !capture.prerequisite {
            seed = Some((capture.clone(), hash));
        } else if is_page(capture, page.as_ref()) {
            pages.push((capture, hash));
        }
    }
    tracing::info!(request = id, pages = report.pages, captures = report.captures, "crawl finished");
    // A resumed crawl captured the requested page in its first run: take it from the store.
    let seed = seed.or_else(|| archive.stored_page(&url));
    let (mut capture, hash) = seed.ok_or_else(|| format!("no successful capture of {url}"))?;
    // The record names the requested URL (the capture may be the end of a redirect chain).
    capture.url = url.clone();
    submit_capture(client, pool, net, key, &capture, hash, Some(id))?;
    tracing::info!(request = id, content_hash = %hex::encode(hash), "submitted the capture on chain");
    // Pages stored before an interruption, read back from the store.
    let earlier: Vec<(archive_crawler::Capture, [u8; 32])> =
        load_stored_pages(&pages_path).iter().filter_map(|u| archive.stored_page(u)).collect();
    pages.extend(earlier.iter().map(|(c, h)| (c, *h)));
    submit_linked_pages(client, pool, net, key, id, hash, &pages);
    let _ = std::fs::remove_file(&pages_path);
    Ok(())
}

/// Submits the other pages a request's crawl reached by following links, unclaimed (the
/// bounty is for the requested page): peers then fetch, attest and keep copies of the whole
/// crawl, not only of its first page. Within the archiver's pending allowance (the pallet
/// refuses more than `MAX_PENDING_PER_ARCHIVER` pending records), at most [`MAX_EXTRA_PAGES`];
/// pages already on chain (or listed twice) and URLs the pallet would refuse are skipped.
fn submit_linked_pages(
    client: &Client,
    pool: &TxPool,
    net: Option<&NetworkHandle>,
    key: &Pair,
    id: u64,
    seed_hash: [u8; 32],
    pages: &[(&archive_crawler::Capture, [u8; 32])],
) {
    let best = client.info().best_hash;
    let pending = read::<archive_pallet_archive::ArchiverStats>(client, &best, &st::Stats::key(&key.account()))
        .map_or(0, |s| s.pending());
    // One slot for the requested page just submitted (not yet in a block).
    let mut allowance =
        archive_pallet_archive::MAX_PENDING_PER_ARCHIVER.saturating_sub(pending + 1).min(MAX_EXTRA_PAGES);
    let mut submitted = 0u32;
    let mut seen = std::collections::HashSet::new();
    for (capture, hash) in pages {
        if allowance == 0 {
            tracing::info!(
                request = id,
                left = pages.len() as u32 - submitted,
                "pending allowance used up; the other pages stay local"
            );
            break;
        }
        if *hash == seed_hash
            || !seen.insert(*hash)
            || archive_pallet_archive::validate_url(capture.url.as_bytes()).is_err()
            || super::chain_record(client, hash).is_some()
        {
            continue;
        }
        match submit_capture(client, pool, net, key, capture, *hash, None) {
            Ok(()) => {
                submitted += 1;
                allowance -= 1;
            }
            Err(e) => {
                tracing::warn!(request = id, url = %capture.url, error = %e, "cannot submit a linked page");
                break;
            }
        }
    }
    if submitted > 0 {
        tracing::info!(request = id, pages = submitted, "submitted the linked pages on chain");
    }
}

/// Fetches pending record `hash` (unless held), checks it and attests it. `true` once the
/// attestation is submitted.
async fn attest(
    client: &Client,
    pool: &TxPool,
    net: Option<&NetworkHandle>,
    archive: &Archive,
    key: &Pair,
    hash: [u8; 32],
) -> bool {
    if !archive.has(&hash) {
        let Some(net) = net else { return false };
        match net.fetch_content(hash, MAX_BUNDLE_BYTES, move |b| Archive::bundle_matches(b, &hash)).await {
            Ok((peer, bytes)) => {
                if let Err(e) = archive.import_bundle(&bytes, &hash) {
                    tracing::warn!(%peer, error = %e, "cannot keep a fetched capture");
                    return false;
                }
                tracing::info!(%peer, content_hash = %hex::encode(hash), "fetched and re-hashed a capture");
            }
            Err(e) => {
                tracing::debug!(content_hash = %hex::encode(hash), error = %e, "capture not available from peers yet");
                return false;
            }
        }
    }
    let call = RuntimeCall::Archive(archive_pallet_archive::Call::attest { content_hash: hash, verdict: true });
    match crate::submit::sign_and_submit(client, pool, key, call) {
        Ok(xt) => {
            gossip(net, xt);
            tracing::info!(content_hash = %hex::encode(hash), "attested a capture");
            true
        }
        Err(e) => {
            tracing::warn!(content_hash = %hex::encode(hash), error = %e, "cannot submit an attestation");
            false
        }
    }
}
