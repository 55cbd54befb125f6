//! The node on the network: serving blocks to peers, importing gossiped blocks, catching up
//! with peers that are ahead (range sync), and taking in gossiped transactions.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU32, Ordering},
        Arc,
    },
    time::Instant,
};

use archive_client::{Client, Error as ClientError};
use archive_network::{BlockProvider, NetworkEvent, NetworkHandle, PeerId, Status, SyncBlock, SOFT_RESPONSE_BYTES};
use archive_primitives::{BlockNumber, H256};
use parity_scale_codec::Encode;
use tokio::sync::{mpsc, watch};

use crate::{finality::FinalityHandle, TxPool};

/// Slots of headers kept to detect two blocks by one author in one slot.
const AUTHORSHIP_WINDOW_SLOTS: u64 = 1_000;

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Blocks asked for per sync request.
const SYNC_BATCH: u32 = 128;

/// Serves the canonical chain to peers.
pub struct ChainProvider {
    client: Arc<Client>,
    archive: Option<Arc<crate::archive::Archive>>,
}

impl ChainProvider {
    /// Wraps the client (and the archive, whose captures peers may fetch by content hash).
    pub fn new(client: Arc<Client>, archive: Option<Arc<crate::archive::Archive>>) -> Self {
        ChainProvider { client, archive }
    }
}

impl BlockProvider for ChainProvider {
    fn status(&self) -> Status {
        let i = self.client.info();
        Status {
            genesis_hash: i.genesis_hash,
            best_hash: i.best_hash,
            best_number: i.best_number,
            finalized_hash: i.finalized_hash,
            finalized_number: i.finalized_number,
        }
    }

    fn content(&self, hash: &[u8; 32], max_bytes: u32) -> Option<Vec<u8>> {
        self.archive.as_ref()?.bundle(hash, max_bytes)
    }

    fn block_by_hash(&self, hash: &archive_primitives::H256) -> Option<SyncBlock> {
        let block = self.client.block(hash).ok()??;
        let justification = self.client.db().justification(hash).ok().flatten();
        Some(SyncBlock { block, justification })
    }

    fn blocks(&self, from: BlockNumber, max: u32) -> Vec<SyncBlock> {
        let mut out = Vec::new();
        let mut bytes = 0usize;
        for number in from..from.saturating_add(max) {
            let Ok(Some(hash)) = self.client.hash_at(number) else { break };
            let Ok(Some(block)) = self.client.block(&hash) else { break };
            let justification = self.client.db().justification(&hash).ok().flatten();
            let sb = SyncBlock { block, justification };
            bytes += sb.encoded_size();
            out.push(sb);
            if bytes >= SOFT_RESPONSE_BYTES {
                break;
            }
        }
        out
    }
}

/// Sync progress shared with RPC (`system_syncState`, `system_health`).
#[derive(Default)]
pub struct SyncStatus {
    /// Whether a range sync is running.
    pub syncing: AtomicBool,
    /// Highest best block announced by a peer.
    pub highest: AtomicU32,
}

/// What importing one block from a peer means for that peer.
enum Verdict {
    Imported,
    Known,
    NeedParent,
    Bad(String),
    LocalError(String),
}

/// Imports one block (without its justification: see [`apply_justifications`]).
fn import_one(client: &Client, block: archive_primitives::Block) -> Verdict {
    let hash = block.hash();
    let known = matches!(client.header(&hash), Ok(Some(_)));
    let result = if known { Ok(None) } else { client.import_block(block, None, false).map(Some) };
    match result {
        Ok(Some(_)) => Verdict::Imported,
        Ok(None) => Verdict::Known,
        Err(ClientError::UnknownParent { .. }) => Verdict::NeedParent,
        Err(e @ (ClientError::InvalidBlock { .. } | ClientError::BadSeal { .. })) => {
            // A block on a branch we abandoned because of finality is not the peer's fault.
            let text = e.to_string();
            if text.contains("finalized") {
                Verdict::Known
            } else {
                Verdict::Bad(text)
            }
        }
        Err(e) => Verdict::LocalError(e.to_string()),
    }
}

/// Imports `blocks` in order and then their justifications, newest first (finalizing a block
/// finalizes its ancestors, so the newest verifiable one is enough). Justifications are checked
/// after the whole batch because their votes may be for descendants of the justified block;
/// one whose votes name blocks still unknown is skipped, not held against the peer.
/// Returns the per-block verdicts, stopping at the first block that did not import, and a
/// reason if a justification is invalid.
fn import_batch(client: &Client, finality: &FinalityHandle, blocks: Vec<SyncBlock>) -> (Vec<Verdict>, Option<String>) {
    let mut verdicts = Vec::with_capacity(blocks.len());
    let mut justifications = Vec::new();
    for sb in blocks {
        let hash = sb.block.hash();
        let v = import_one(client, sb.block);
        let ok = matches!(v, Verdict::Imported | Verdict::Known);
        verdicts.push(v);
        if !ok {
            break;
        }
        if let Some(j) = sb.justification {
            justifications.push((hash, j));
        }
    }
    // Newest first; after one applies, the newer ones that waited for it (a justification
    // signed by the next validator set needs the set-change block final first) are retried.
    let mut waiting: Vec<(H256, Vec<u8>)> = Vec::new();
    for (hash, j) in justifications.into_iter().rev() {
        match finality.import_justification(&hash, &j) {
            Ok(()) => {
                let mut progress = true;
                while progress && !waiting.is_empty() {
                    progress = false;
                    // Oldest of the newer ones first: each may unlock the next set.
                    for i in (0..waiting.len()).rev() {
                        if finality.import_justification(&waiting[i].0, &waiting[i].1).is_ok() {
                            waiting.truncate(i);
                            progress = true;
                            break;
                        }
                    }
                }
                break;
            }
            Err(crate::finality::JustificationCheck::NotYetVerifiable(why)) => {
                tracing::debug!(%hash, why, "justification kept for later: not verifiable yet");
                waiting.push((hash, j));
            }
            Err(crate::finality::JustificationCheck::Invalid(reason)) => {
                return (verdicts, Some(format!("bad justification for {hash}: {reason}")));
            }
        }
    }
    (verdicts, None)
}

/// Runs a range sync from `peer` until we reach its best block or it stops answering.
async fn sync_from(
    client: Arc<Client>,
    net: NetworkHandle,
    finality: FinalityHandle,
    status: Arc<SyncStatus>,
    peer: PeerId,
    target: BlockNumber,
) {
    if status.syncing.swap(true, Ordering::AcqRel) {
        return;
    }
    let start = Instant::now();
    let start_number = client.info().best_number;
    let mut from = start_number + 1;
    let mut restarted = false;
    tracing::info!(%peer, from, target, "syncing");
    // One request is kept in flight while a batch imports: the next range is asked for as soon
    // as a batch arrives, so the peer's reading and the transfer overlap our import.
    let request = |from: BlockNumber| {
        let net = net.clone();
        (from, tokio::spawn(async move { net.request_blocks(peer, from, SYNC_BATCH).await }))
    };
    let mut pending = Some(request(from));
    while from <= target.max(status.highest.load(Ordering::Acquire)) {
        let in_flight = match pending.take() {
            Some((asked, handle)) if asked == from => handle,
            Some((_, stale)) => {
                stale.abort();
                request(from).1
            }
            None => request(from).1,
        };
        let blocks = match in_flight.await {
            Ok(Ok(b)) if !b.is_empty() => b,
            Ok(Ok(_)) => break,
            Ok(Err(e)) => {
                tracing::warn!(%peer, error = %e, "sync request failed");
                break;
            }
            Err(e) => {
                tracing::warn!(%peer, error = %e, "sync request task failed");
                break;
            }
        };
        let next = from.saturating_add(blocks.len() as u32);
        if next <= target.max(status.highest.load(Ordering::Acquire)) {
            pending = Some(request(next));
        }
        let (c, f) = (client.clone(), finality.clone());
        let verdicts = tokio::task::spawn_blocking(move || {
            // Recover the whole batch's signatures on the rayon pool (from the end) while this
            // thread imports from the start: recovery is parallel across blocks, not only
            // within each block.
            let plain: Vec<archive_primitives::Block> = blocks.iter().map(|sb| sb.block.clone()).collect();
            std::thread::scope(|scope| {
                scope.spawn(|| c.prerecover_signatures(&plain));
                import_batch(&c, &f, blocks)
            })
        })
        .await
        .unwrap_or_default();
        let (verdicts, bad_justification) = verdicts;
        if let Some(reason) = bad_justification {
            tracing::warn!(%peer, reason, "peer served an invalid justification");
            net.report(peer, &reason);
            break;
        }
        let mut progressed = 0u32;
        for v in &verdicts {
            match v {
                Verdict::Imported | Verdict::Known => progressed += 1,
                Verdict::NeedParent if !restarted => {
                    // The peer's canonical chain forks from ours: restart from our finalized
                    // block, which every honest peer shares.
                    restarted = true;
                    from = client.info().finalized_number + 1;
                    progressed = 0;
                    break;
                }
                Verdict::NeedParent => {}
                Verdict::Bad(reason) => {
                    tracing::warn!(%peer, reason, "peer served an invalid block");
                    net.report(peer, reason);
                }
                Verdict::LocalError(e) => tracing::error!(error = %e, "import failed during sync"),
            }
        }
        if progressed == 0 && !(restarted && from == client.info().finalized_number + 1) {
            break;
        }
        from += progressed;
        let done = client.info().best_number.saturating_sub(start_number);
        let rate = f64::from(done) / start.elapsed().as_secs_f64().max(1e-3);
        tracing::info!(
            target_block = target,
            best = client.info().best_number,
            blocks_per_s = format!("{rate:.1}"),
            "sync progress"
        );
    }
    if let Some((_, handle)) = pending {
        handle.abort();
    }
    status.syncing.store(false, Ordering::Release);
    tracing::info!(best = client.info().best_number, secs = start.elapsed().as_secs_f64(), "sync finished");
}

/// Handles network events until shutdown.
pub(crate) async fn run(
    client: Arc<Client>,
    pool: Arc<TxPool>,
    net: NetworkHandle,
    mut events: mpsc::Receiver<NetworkEvent>,
    finality: FinalityHandle,
    status: Arc<SyncStatus>,
    mut shutdown: watch::Receiver<bool>,
) {
    // Range sync from `peer` up to `target` (at most one runs at a time; see `sync_from`).
    let spawn_sync = |peer: PeerId, target: BlockNumber| {
        tokio::spawn(sync_from(client.clone(), net.clone(), finality.clone(), status.clone(), peer, target));
    };
    let mut peers: HashMap<PeerId, BlockNumber> = HashMap::new();
    let mut authorship = archive_consensus::AuthorshipTracker::new();
    let slot_ms = client.spec().consensus.slot_duration_ms.max(1);
    loop {
        let event = tokio::select! {
            _ = shutdown.changed() => break,
            e = events.recv() => match e { Some(e) => e, None => break },
        };
        match event {
            NetworkEvent::PeerConnected { peer, status: st } => {
                tracing::info!(%peer, best = st.best_number, finalized = st.finalized_number, "peer connected");
                peers.insert(peer, st.best_number);
                status.highest.fetch_max(st.best_number, Ordering::AcqRel);
                if st.best_number > client.info().best_number {
                    spawn_sync(peer, st.best_number);
                }
            }
            NetworkEvent::PeerDisconnected { peer } => {
                peers.remove(&peer);
                tracing::info!(%peer, "peer disconnected");
            }
            NetworkEvent::BlockAnnounced { peer, origin, block } => {
                // Blame the block's publisher: honest peers forward any well-formed block.
                let culprit = origin.unwrap_or(peer);
                let number = block.block.header.number;
                // Seal, slot owner and slot drift; two blocks of one author in one slot are
                // an equivocation (the evidence is kept; the blocks are still imported).
                // The set that seals a block is the one after its parent; an unknown parent
                // means we are behind, and import (then sync) decides.
                let validators = client
                    .validators_at(&block.block.header.parent_hash)
                    .ok()
                    .and_then(|v| archive_consensus::ValidatorSet::new(v).ok());
                if let Some(validators) = &validators {
                    let local_slot = now_ms() / slot_ms;
                    match authorship.check_header(&block.block.header, validators, local_slot) {
                        Ok(Some(evidence)) => crate::finality::keep_evidence(&client, vec![evidence]),
                        Ok(None) => {}
                        Err(e) => {
                            tracing::warn!(%peer, %culprit, error = %e, number, "refusing announced block");
                            net.report(culprit, &e.to_string());
                            continue;
                        }
                    }
                    authorship.prune_below(local_slot.saturating_sub(AUTHORSHIP_WINDOW_SLOTS));
                }
                peers.insert(peer, number);
                status.highest.fetch_max(number, Ordering::AcqRel);
                if status.syncing.load(Ordering::Acquire) {
                    continue;
                }
                let (c, f) = (client.clone(), finality.clone());
                let verdict = tokio::task::spawn_blocking(move || match import_batch(&c, &f, vec![block]) {
                    (_, Some(reason)) => Verdict::Bad(reason),
                    (mut v, None) => v.pop().unwrap_or(Verdict::Known),
                })
                .await;
                match verdict {
                    Ok(Verdict::NeedParent) => {
                        spawn_sync(peer, number);
                    }
                    Ok(Verdict::Bad(reason)) => {
                        tracing::warn!(%peer, %culprit, reason, "peer announced an invalid block");
                        net.report(culprit, &reason);
                    }
                    Ok(Verdict::LocalError(e)) => tracing::error!(error = %e, "import of an announced block failed"),
                    _ => {}
                }
            }
            NetworkEvent::Transaction { peer, origin, xt } => {
                let (c, p) = (client.clone(), pool.clone());
                let result = tokio::task::spawn_blocking(move || p.submit(&c.info().best_hash, xt)).await;
                if let Ok(Err(archive_txpool::Error::InvalidTransaction(
                    archive_runtime::TransactionValidityError::BadFormat(reason),
                ))) = result
                {
                    net.report(origin.unwrap_or(peer), &format!("undecodable transaction: {reason}"));
                }
            }
            NetworkEvent::Vote { peer, origin, data } => {
                tracing::trace!(%peer, bytes = data.len(), "vote received");
                if let Err(reason) = finality.import_vote(data) {
                    tracing::debug!(%peer, %reason, "vote refused");
                    if reason.is_misbehaviour() {
                        net.report(origin.unwrap_or(peer), &reason.to_string());
                    }
                }
            }
        }
    }
}

/// Ancestors fetched at most when a vote names an unknown block (a fork this node never saw).
const MAX_FETCH_DEPTH: usize = 64;
/// Peers asked for each missing block.
const FETCH_PEERS: usize = 4;

/// Fetches block `hash` and any missing ancestors by hash from peers and imports them: finality
/// votes may name blocks of a fork this node never saw (e.g. after a partition), and a vote is
/// only counted once its block is known.
pub(crate) async fn fetch_by_hash(client: Arc<Client>, net: NetworkHandle, hash: archive_primitives::H256) {
    let mut want = hash;
    let mut chain = Vec::new();
    for _ in 0..MAX_FETCH_DEPTH {
        if matches!(client.header(&want), Ok(Some(_))) {
            break;
        }
        let mut got = None;
        for p in net.peers().into_iter().take(FETCH_PEERS) {
            let Ok(peer) = p.peer_id.parse::<PeerId>() else { continue };
            match net.request_block_by_hash(peer, want).await {
                Ok(Some(sb)) => {
                    got = Some(sb);
                    break;
                }
                Ok(None) => {}
                Err(e) => tracing::debug!(%peer, error = %e, "block-by-hash request failed"),
            }
        }
        let Some(sb) = got else {
            tracing::debug!(block = %want, "no peer has the block a vote names");
            return;
        };
        want = sb.block.header.parent_hash;
        chain.push(sb.block);
    }
    let count = chain.len();
    let c = client.clone();
    let _ = tokio::task::spawn_blocking(move || {
        for block in chain.into_iter().rev() {
            if let Err(e) = c.import_block(block, None, false) {
                tracing::debug!(error = %e, "fetched block not imported");
                return;
            }
        }
    })
    .await;
    tracing::debug!(block = %hash, count, "fetched blocks named by votes");
}
