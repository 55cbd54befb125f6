//! Block authoring: on each slot this node owns (or, with instant seal, as soon as a
//! transaction is ready), build a block from the pool's ready queue, seal it, import it.

use std::{
    sync::Arc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use archive_client::Client;
use archive_primitives::Pair;
use futures::StreamExt;
use tokio::sync::watch;

use crate::{network::SyncStatus, TxPool};

/// How this node authors blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Authoring {
    /// One block per owned slot (the chain spec's slot duration).
    Slots,
    /// A block as soon as transactions are ready (tests); no empty blocks.
    InstantSeal,
    /// TEST ONLY: like `Slots`, but every owned slot also gets a second, different block
    /// (announced, not imported here): a deliberate equivocation that peers detect, report on
    /// chain and the staking pallet slashes. Never use on a real chain: it loses stake.
    DoubleSign,
}

/// Share of a slot spent applying transactions; the rest is left for sealing, import and
/// propagation.
const BUILD_SHARE_PERCENT: u32 = 50;

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

pub(crate) async fn run(
    client: Arc<Client>,
    pool: Arc<TxPool>,
    author: Pair,
    mode: Authoring,
    net: Option<archive_network::NetworkHandle>,
    sync: Arc<SyncStatus>,
    mut shutdown: watch::Receiver<bool>,
) {
    let slot_ms = client.spec().consensus.slot_duration_ms.max(1);
    // The set is read after the best block at each slot: staking rotates it each era, so a
    // key outside the set now may be elected later (and one inside may be removed).
    let mut in_set = client.validators().contains(&author.account());
    if !in_set {
        tracing::warn!(author = %author.account(), "validator key is not in the validator set (yet); waiting for an election");
    }
    tracing::info!(author = %author.account(), slot_ms, ?mode, "authoring blocks");
    let mut ready = pool.ready_notifications();
    let mut last_slot = 0u64;
    loop {
        let slot = match mode {
            Authoring::Slots | Authoring::DoubleSign => {
                let now = now_ms();
                let next_slot = now / slot_ms + 1;
                let wait = Duration::from_millis(next_slot * slot_ms - now);
                tokio::select! {
                    _ = shutdown.changed() => return,
                    _ = tokio::time::sleep(wait) => {}
                }
                let slot = now_ms() / slot_ms;
                let validators = client.validators();
                let member = validators.contains(&author.account());
                if member != in_set {
                    in_set = member;
                    tracing::info!(author = %author.account(), in_set, "validator set changed");
                }
                if validators.is_empty() || validators[(slot % validators.len() as u64) as usize] != author.account() {
                    continue;
                }
                // Authoring on a stale head while catching up would only create forks.
                if sync.syncing.load(std::sync::atomic::Ordering::Acquire) {
                    tracing::debug!(slot, "skipping slot while syncing");
                    continue;
                }
                let head_slot = best_slot(&client);
                if slot <= head_slot {
                    tracing::warn!(
                        slot,
                        head_slot,
                        "the best block claims this slot or a later one; is the clock behind?"
                    );
                    continue;
                }
                slot
            }
            Authoring::InstantSeal => {
                tokio::select! {
                    _ = shutdown.changed() => return,
                    n = ready.next() => if n.is_none() { return },
                }
                // Let a burst of submissions land in one block.
                tokio::time::sleep(Duration::from_millis(20)).await;
                while ready.try_recv().is_ok() {}
                if pool.status().ready == 0 {
                    continue;
                }
                // Instant seal on a single-validator chain: use the next slot owned by us
                // (after the head's: slots strictly increase along a chain, and instant seal
                // runs ahead of the clock).
                let head_slot = best_slot(&client);
                let validators = client.validators();
                let Some(offset) = validators.iter().position(|v| *v == author.account()) else {
                    tracing::warn!(author = %author.account(), "not in the validator set; not sealing");
                    continue;
                };
                let n = validators.len() as u64;
                let mut slot = (now_ms() / slot_ms).max(last_slot + 1).max(head_slot + 1);
                // The next slot owned by us: slot % n == offset.
                slot += (offset as u64 + n - slot % n) % n;
                slot
            }
        };
        last_slot = slot;
        let deadline = Instant::now() + Duration::from_millis(slot_ms * BUILD_SHARE_PERCENT as u64 / 100);
        let client2 = client.clone();
        let pool2 = pool.clone();
        let author2 = author.clone();
        let result = tokio::task::spawn_blocking(move || {
            let parent = client2.info().best_hash;
            let candidates: Vec<Vec<u8>> = pool2.ready().iter().map(|t| t.data.clone()).collect();
            let built = client2.build_block(&parent, slot, &author2, candidates, deadline)?;
            // The equivocating twin: same slot and parent, one extra digest item.
            let twin = if mode == Authoring::DoubleSign {
                let extra = vec![archive_primitives::DigestItem::Other(b"double-sign".to_vec())];
                client2.build_block_with(&parent, slot, &author2, Vec::new(), deadline, extra).ok().map(|b| b.block)
            } else {
                None
            };
            // Drop what can never be included; keep what only missed this block (full block,
            // nonce waiting for an earlier transaction).
            use archive_runtime::{InvalidTransaction as I, TransactionValidityError as E};
            let rejected: Vec<_> = built
                .rejected
                .iter()
                .filter(|(_, e)| {
                    !matches!(e, E::Invalid { kind: I::ExhaustsResources | I::Future, .. } | E::Unknown { .. })
                })
                .map(|(h, _)| *h)
                .collect();
            for (h, e) in &built.rejected {
                tracing::debug!(tx = %h, error = %e, "transaction not included");
            }
            let txs = built.included.len();
            // A single validator is a 2/3 majority of itself: its blocks are final at once.
            let single = client2.validators_at(&parent).map(|v| v.len() == 1).unwrap_or(false);
            let block = built.block.clone();
            let imported = client2.import_built(built, single)?;
            Ok::<_, archive_client::Error>((imported, txs, rejected, block, twin))
        })
        .await;
        match result {
            Ok(Ok((imported, txs, rejected, block, twin))) => {
                if let Some(net) = &net {
                    net.announce_block(archive_network::SyncBlock { block, justification: None });
                    if let Some(twin) = twin {
                        tracing::warn!(slot, hash = %twin.hash(), "test-only double-sign: announcing a second block for this slot");
                        net.announce_block(archive_network::SyncBlock { block: twin, justification: None });
                    }
                }
                if !rejected.is_empty() {
                    pool.remove(&rejected);
                }
                tracing::info!(number = imported.header.number, hash = %imported.hash, txs, slot, "authored block");
            }
            Ok(Err(e)) => tracing::error!(error = %e, slot, "failed to author block"),
            Err(e) => tracing::error!(error = %e, "authoring task panicked"),
        }
    }
}

/// The slot of the best block (0 for genesis).
fn best_slot(client: &Client) -> u64 {
    let best = client.info().best_hash;
    client.header(&best).ok().flatten().and_then(|h| archive_client::slot_of(&h)).unwrap_or(0)
}
