//! Content exchange: archived records fetched by content hash, checked by the fetcher.

use std::{
    collections::HashMap,
    sync::atomic::{AtomicUsize, Ordering},
};

use archive_primitives::hashing::blake2_256;

use super::*;
use crate::{content::MAX_CONCURRENT_CONTENT_SERVES, Error};

/// The record's content hash. The archive uses SHA-256; the network never hashes (the key is
/// opaque to it and the check is the caller's), so any 32-byte hash stands in here.
fn record_hash(bytes: &[u8]) -> [u8; 32] {
    blake2_256(bytes)
}

/// A WARC-looking record of about `len` bytes, distinct per `n`.
fn record(n: u8, len: usize) -> Vec<u8> {
    let mut bytes = format!("WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:test:{n}>\r\n\r\n").into_bytes();
    bytes.resize(len.max(bytes.len()), n);
    bytes
}

/// A chain plus an archive of records, optionally slow or lying, counting its reads.
struct Archive {
    chain: Arc<TestChain>,
    records: HashMap<[u8; 32], Vec<u8>>,
    /// Serve each record with its last byte flipped.
    lie: bool,
    /// Time each read takes (on the blocking thread).
    delay: Duration,
    started: AtomicUsize,
    finished: AtomicUsize,
    running: AtomicUsize,
    max_running: AtomicUsize,
}

impl Archive {
    fn new(genesis: H256, records: &[Vec<u8>]) -> Self {
        Archive {
            chain: TestChain::new(genesis, 3, 0),
            records: records.iter().map(|r| (record_hash(r), r.clone())).collect(),
            lie: false,
            delay: Duration::ZERO,
            started: AtomicUsize::new(0),
            finished: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            max_running: AtomicUsize::new(0),
        }
    }
    fn lying(self) -> Self {
        Archive { lie: true, ..self }
    }
    fn slow(self, delay: Duration) -> Self {
        Archive { delay, ..self }
    }
}

impl BlockProvider for Archive {
    fn status(&self) -> Status {
        self.chain.status()
    }
    fn blocks(&self, from: BlockNumber, max: u32) -> Vec<SyncBlock> {
        self.chain.blocks(from, max)
    }
    /// Ignores `max_bytes` on purpose: the worker must enforce it.
    fn content(&self, hash: &[u8; 32], _max_bytes: u32) -> Option<Vec<u8>> {
        self.started.fetch_add(1, Ordering::SeqCst);
        let running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_running.fetch_max(running, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        let found = self.records.get(hash).cloned().map(|mut bytes| {
            if self.lie {
                if let Some(last) = bytes.last_mut() {
                    *last ^= 1;
                }
            }
            bytes
        });
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.finished.fetch_add(1, Ordering::SeqCst);
        found
    }
}

/// Starts a node serving `archive`, booting from `boot`, with `tweak` applied to its config.
async fn serve(
    genesis: H256,
    archive: Arc<Archive>,
    boot: &[&TestNode],
    tweak: impl FnOnce(&mut NetworkConfig),
) -> TestNode {
    let (mut config, dir) = config(genesis);
    config.boot_nodes = boot.iter().map(|n| n.addr()).collect();
    tweak(&mut config);
    start_with(config, dir, archive).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_is_fetched_by_hash_and_verified() {
    let g = genesis(40);
    let small = record(1, 3000);
    let big = record(2, 200 * 1024);
    let a = serve(g, Arc::new(Archive::new(g, &[small.clone(), big.clone()])), &[], |_| {}).await;
    let b = start(g, 0, &[&a]).await;
    assert!(until(SOON, || b.sees(&a) && a.sees(&b)).await);

    let hash = record_hash(&small);
    assert_eq!(b.handle.request_content(a.id(), hash, u32::MAX).await.expect("request"), Some(small.clone()));
    let (peer, got) =
        b.handle.fetch_content(hash, u32::MAX, |bytes| record_hash(bytes) == hash).await.expect("fetched");
    assert_eq!((peer, got), (a.id(), small));

    // A record over the requester's max_bytes is answered as not found (the provider returned
    // it anyway); within max_bytes it comes whole.
    let big_hash = record_hash(&big);
    assert_eq!(b.handle.request_content(a.id(), big_hash, 100 * 1024).await.expect("request"), None);
    let len = u32::try_from(big.len()).expect("small");
    assert_eq!(b.handle.request_content(a.id(), big_hash, len).await.expect("request"), Some(big));

    // A hash nobody holds: not found, which is not misbehaviour.
    let missing = [0xee; 32];
    assert_eq!(b.handle.request_content(a.id(), missing, u32::MAX).await.expect("request"), None);
    let err = b.handle.fetch_content(missing, u32::MAX, |_| true).await.expect_err("nobody has it");
    assert!(matches!(err, Error::ContentUnavailable { asked: 1, missing: 1, failed: 0, invalid: 0, .. }), "{err}");
    // A provider without content support (the default method) holds nothing.
    assert_eq!(a.handle.request_content(b.id(), hash, u32::MAX).await.expect("request"), None);
    // A peer we are not connected to.
    let stranger = PeerId::random();
    assert!(matches!(b.handle.request_content(stranger, hash, 1).await, Err(Error::Request { .. })));

    assert!(a.handle.banned_peers().is_empty() && b.handle.banned_peers().is_empty());
    assert!(b.sees(&a));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_serving_wrong_bytes_is_banned_and_the_fetch_falls_back_to_an_honest_one() {
    let g = genesis(41);
    let wanted = record(3, 10 * 1024);
    let hash = record_hash(&wanted);
    let fetcher = start(g, 0, &[]).await;
    let liar = serve(g, Arc::new(Archive::new(g, std::slice::from_ref(&wanted)).lying()), &[&fetcher], |_| {}).await;
    let honest = serve(g, Arc::new(Archive::new(g, std::slice::from_ref(&wanted))), &[&fetcher], |_| {}).await;
    assert!(until(SOON, || fetcher.sees(&liar) && fetcher.sees(&honest)).await);

    // The liar first (fetch_content's order is random; this fixes it).
    let verify = |bytes: &[u8]| record_hash(bytes) == hash;
    let (peer, got) = fetcher
        .handle
        .fetch_content_from(vec![liar.id(), honest.id()], hash, u32::MAX, verify)
        .await
        .expect("falls back to the honest peer");
    assert_eq!((peer, got), (honest.id(), wanted.clone()));
    assert!(
        until(SOON, || fetcher.handle.banned_peers() == vec![liar.id()] && !fetcher.sees(&liar)).await,
        "the liar is banned and disconnected"
    );
    assert!(fetcher.sees(&honest), "the honest peer is not");

    // Through the public API: only the honest peer is left, whatever the order.
    let (peer, got) = fetcher.handle.fetch_content(hash, u32::MAX, verify).await.expect("fetched");
    assert_eq!((peer, got), (honest.id(), wanted));
    // Asked directly, a banned peer is no longer reachable.
    assert!(matches!(fetcher.handle.request_content(liar.id(), hash, u32::MAX).await, Err(Error::Request { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_content_answer_is_refused_without_a_ban() {
    let g = genesis(42);
    let big = record(4, 100 * 1024);
    let hash = record_hash(&big);
    // The server accepts 16 MiB records (the default); the fetcher only 64 KiB.
    let server = serve(g, Arc::new(Archive::new(g, std::slice::from_ref(&big))), &[], |_| {}).await;
    let fetcher = serve(g, Arc::new(Archive::new(g, &[])), &[&server], |c| c.max_content_bytes = 64 * 1024).await;
    assert!(until(SOON, || fetcher.sees(&server)).await);

    // Asking for more than our own limit: the honest 100 KiB answer is refused by our codec
    // on its length prefix, before it is read.
    let err = fetcher.handle.request_content_uncapped(server.id(), hash, 1024 * 1024).await.expect_err("too large");
    let Error::Request { reason, .. } = &err else { panic!("unexpected error {err}") };
    assert!(reason.contains(&format!("exceeds the {}-byte limit", 64 * 1024 + 16)), "{reason}");
    // We asked for too much: not the server's fault.
    assert!(fetcher.handle.banned_peers().is_empty() && server.handle.banned_peers().is_empty());
    assert!(fetcher.sees(&server));

    // Through the public API the request is capped at our limit, and the server says none.
    assert_eq!(fetcher.handle.request_content(server.id(), hash, u32::MAX).await.expect("capped"), None);
    let err = fetcher.handle.fetch_content(hash, u32::MAX, |_| true).await.expect_err("too large for us");
    assert!(matches!(err, Error::ContentUnavailable { missing: 1, .. }), "{err}");
    assert!(fetcher.sees(&server));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_content_request_flood_is_dropped_without_stalling_the_worker() {
    let g = genesis(43);
    let wanted = record(5, 1024);
    let hash = record_hash(&wanted);
    // Reads take 4 s, on blocking threads: the worker must keep answering meanwhile.
    let archive = Arc::new(Archive::new(g, std::slice::from_ref(&wanted)).slow(Duration::from_secs(4)));
    let a = serve(g, archive.clone(), &[], |c| c.max_requests_per_peer_per_sec = 2).await;
    let flooder = start(g, 0, &[&a]).await;
    let other = start(g, 0, &[&a]).await;
    assert!(until(SOON, || a.sees(&flooder) && a.sees(&other) && flooder.sees(&a)).await);

    let (handle, a_id) = (flooder.handle.clone(), a.id());
    let flood = tokio::spawn(async move {
        futures::future::join_all((0..12).map(|_| handle.request_content(a_id, hash, u32::MAX))).await
    });
    assert!(until(SOON, || a.handle.banned_peers().contains(&flooder.id())).await, "the flooder is banned");

    // The worker is not stalled: while the admitted reads are still running, another peer's
    // sync request is answered.
    let blocks = other.handle.request_blocks(a.id(), 0, 2).await.expect("a still answers");
    assert_eq!(blocks.len(), 2);
    assert_eq!(archive.finished.load(Ordering::SeqCst), 0, "answered while the reads were still running");
    let started = archive.started.load(Ordering::SeqCst);
    assert!(started <= 2, "{started} reads started over a limit of 2 per second");

    let results = flood.await.expect("flood task");
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert!(ok <= 2, "{ok} content requests answered over a limit of 2 per second");
    assert!(until(SOON, || !a.sees(&flooder)).await);

    // Content serving goes on for the others.
    let (peer, got) = other.handle.fetch_content(hash, u32::MAX, |b| record_hash(b) == hash).await.expect("fetched");
    assert_eq!((peer, got), (a.id(), wanted));
    assert!(!a.handle.banned_peers().contains(&other.id()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_requests_beyond_the_serving_jobs_are_dropped_unanswered() {
    let g = genesis(44);
    let wanted = record(6, 1024);
    let hash = record_hash(&wanted);
    let archive = Arc::new(Archive::new(g, std::slice::from_ref(&wanted)).slow(Duration::from_secs(3)));
    let a = serve(g, archive.clone(), &[], |_| {}).await;
    let b = start(g, 0, &[&a]).await;
    let c = start(g, 0, &[&a]).await;
    assert!(until(SOON, || a.sees(&b) && a.sees(&c) && b.sees(&a) && c.sees(&a)).await);

    // 8 requests at once, within the rate limit, from two peers; 4 serving jobs.
    let requests = [&b, &c].into_iter().flat_map(|n| (0..4).map(|_| n.handle.request_content(a.id(), hash, u32::MAX)));
    let results = futures::future::join_all(requests).await;
    let ok = results.iter().filter(|r| matches!(r, Ok(Some(bytes)) if *bytes == wanted)).count();
    let dropped = results.iter().filter(|r| matches!(r, Err(Error::Request { .. }))).count();
    assert_eq!(ok + dropped, 8, "{results:?}");
    let max_running = archive.max_running.load(Ordering::SeqCst);
    assert!(max_running <= MAX_CONCURRENT_CONTENT_SERVES, "{max_running} reads at once");
    assert!(ok >= 1 && dropped >= 1, "{ok} answered, {dropped} dropped");
    assert_eq!(archive.started.load(Ordering::SeqCst), ok, "every read started was answered");
    // Overload is ours, not the peers' fault; nobody is banned.
    for node in [&a, &b, &c] {
        assert!(node.handle.banned_peers().is_empty());
    }
    assert!(b.sees(&a) && c.sees(&a));
}
