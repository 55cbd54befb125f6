//! Reports equivocations on chain: evidence found by the finality voter (two votes of one
//! validator in one round) or the gossip handler (two blocks of one author in one slot) is kept
//! in offchain storage; this task submits each piece once as `Staking.report_equivocation`,
//! signed with the node's validator key, so the staking pallet slashes the offender.
//!
//! Guarantees: evidence already reported on chain (by anyone) is not submitted again; a
//! submission that does not land within [`RETRY_BLOCKS`] is retried; nothing here can stall
//! import or authoring (it only reads state and submits to the pool).

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use archive_client::Client;
use archive_consensus::Equivocation;
use archive_primitives::{hashing::blake2_256, BlockNumber, Pair, H256};
use archive_runtime::RuntimeCall;
use parity_scale_codec::{Decode, Encode};
use tokio::sync::watch;

use crate::TxPool;

/// Offchain key of the submissions made: SCALE `BTreeMap<evidence hash, block number>`.
const SUBMITTED_KEY: &[u8] = b"offences/submitted";
/// A submission not on chain after this many blocks is made again.
pub const RETRY_BLOCKS: BlockNumber = 20;

/// Runs until shutdown, checking for new evidence every other slot.
pub(crate) async fn run(
    client: Arc<Client>,
    pool: Arc<TxPool>,
    net: Option<archive_network::NetworkHandle>,
    reporter: Pair,
    slot_ms: u64,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(Duration::from_millis(slot_ms.saturating_mul(2).max(500)));
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tick.tick() => {}
        }
        let (c, p, r) = (client.clone(), pool.clone(), reporter.clone());
        let submitted = tokio::task::spawn_blocking(move || report_new(&c, &p, &r)).await.unwrap_or_default();
        if let Some(net) = &net {
            for xt in submitted {
                net.gossip_transaction(xt);
            }
        }
    }
}

/// Whether `evidence`'s offence is already recorded on chain at `at` (`Staking.Reported`).
fn reported_on_chain(client: &Client, at: &H256, evidence: &Equivocation) -> bool {
    let (kind, id) = archive_pallet_staking::slashing::offence_of(evidence);
    let key = archive_pallet_staking::storage::Reported::key(&(kind, evidence.offender(), id));
    client.state_at(at).ok().and_then(|s| s.get(&key).ok().flatten()).is_some()
}

/// Submits every kept piece of evidence not yet reported; returns the extrinsics submitted
/// (for gossip).
fn report_new(client: &Client, pool: &TxPool, reporter: &Pair) -> Vec<Vec<u8>> {
    let evidence = crate::finality::stored_evidence(client);
    if evidence.is_empty() {
        return Vec::new();
    }
    let db = client.db();
    let mut submitted: BTreeMap<H256, BlockNumber> = db
        .offchain_get(SUBMITTED_KEY)
        .ok()
        .flatten()
        .and_then(|b| Decode::decode(&mut &b[..]).ok())
        .unwrap_or_default();
    let info = client.info();
    let mut out = Vec::new();
    for e in evidence {
        if e.offender() == reporter.account() {
            continue; // the pallet refuses self-reports
        }
        let id = H256(blake2_256(&e.encode()));
        if reported_on_chain(client, &info.best_hash, &e) {
            continue;
        }
        if submitted.get(&id).is_some_and(|at| info.best_number < at.saturating_add(RETRY_BLOCKS)) {
            continue;
        }
        let call =
            RuntimeCall::Staking(archive_pallet_staking::Call::report_equivocation { evidence: Box::new(e.clone()) });
        match crate::submit::sign_and_submit(client, pool, reporter, call) {
            Ok(xt) => {
                tracing::warn!(offender = %e.offender(), evidence = %id, "reporting an equivocation on chain");
                submitted.insert(id, info.best_number);
                out.push(xt);
            }
            Err(reason) => tracing::warn!(offender = %e.offender(), reason, "cannot submit an equivocation report"),
        }
    }
    if let Err(e) = db.offchain_set(SUBMITTED_KEY, Some(&submitted.encode())) {
        tracing::error!(error = %e, "cannot record submitted equivocation reports");
    }
    out
}
