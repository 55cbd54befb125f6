//! Block events: inclusion, re-validation, expiry, re-orgs and finality.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use archive_primitives::{hashing::blake2_256, BlockNumber, H256};

use crate::api::{ChainApi, ValidTransaction, ValidationError};
use crate::error::Error;
use crate::graph::{BasePool, PoolTransaction};
use crate::pool::Pool;
use crate::status::TransactionStatus;

type Revalidated<E> = HashMap<H256, (u64, Result<ValidTransaction, ValidationError<E>>)>;

impl<A: ChainApi> Pool<A> {
    /// Updates the pool after `block` (number `number`, containing the transactions `included`)
    /// became the new best block.
    ///
    /// In order: the `included` transactions leave the pool and their watchers get
    /// `InBlock(block)` (and, if not finalized within
    /// [`FINALITY_TIMEOUT_BLOCKS`](crate::FINALITY_TIMEOUT_BLOCKS), `FinalityTimeout`);
    /// transactions whose `valid_till` is reached are dropped (`Invalid`); every remaining
    /// transaction is re-validated at `block`: invalid ones are dropped (`Invalid`, banned),
    /// valid ones take their new priority/tags/longevity, so future transactions whose
    /// requirements the state now satisfies become ready (`Ready`); a transaction whose
    /// validity is unknown is kept unchanged. Transactions submitted meanwhile are kept as
    /// they are.
    ///
    /// Calls `validate` once per transaction without holding the pool lock: call it from a
    /// blocking context. On a re-org call [`Pool::on_block_retracted`] first.
    pub fn on_block_imported(&self, block: &H256, number: BlockNumber, included: &[H256]) {
        let _maintenance = self.maintenance.lock();
        self.best_number.store(number, Ordering::Release);
        let (snapshot, baseline) = {
            let mut inner = self.inner.lock();
            let baseline = inner.base.states();
            for h in included {
                inner.base.remove(h);
                inner.listeners.in_block(h, *block, number);
            }
            let expired: Vec<H256> = inner.base.all().filter(|tx| tx.valid_till <= number).map(|tx| tx.hash).collect();
            for h in &expired {
                tracing::debug!(target: "txpool", hash = %h, "transaction expired (longevity)");
                inner.base.remove(h);
                inner.listeners.send(h, TransactionStatus::Invalid);
            }
            inner.listeners.finality_timeouts(number);
            // State changes so far are provisional: re-validation decides.
            inner.base.clear_journal();
            let snapshot: Vec<Arc<PoolTransaction>> = inner.base.all().cloned().collect();
            (snapshot, baseline)
        };
        self.banned.lock().prune(self.clock.now());

        let results: Revalidated<A::Error> =
            snapshot.iter().map(|tx| (tx.hash, (tx.inserted_at, self.api.validate(block, &tx.data)))).collect();
        drop(snapshot);

        let invalid = self.apply_revalidation(number, results, &baseline);
        self.ban(invalid);
    }

    /// Rebuilds the pool from its current content and the re-validation `results`; returns the
    /// hashes found invalid.
    fn apply_revalidation(
        &self,
        number: BlockNumber,
        mut results: Revalidated<A::Error>,
        baseline: &HashMap<H256, bool>,
    ) -> Vec<H256> {
        let mut invalid = Vec::new();
        let mut inner = self.inner.lock();
        let now_states = inner.base.states();
        let mut current: Vec<Arc<PoolTransaction>> = inner.base.all().cloned().collect();
        current.sort_by_key(|tx| tx.inserted_at);
        let mut rebuilt = BasePool::default();
        for tx in current {
            let tx = match results.remove(&tx.hash) {
                // Only apply a result to the very submission that was validated.
                Some((seq, result)) if seq == tx.inserted_at => match result {
                    Ok(valid) => Arc::new(PoolTransaction::from_valid(tx.hash, tx.data.clone(), valid, number, seq)),
                    Err(ValidationError::Invalid(e)) => {
                        tracing::debug!(target: "txpool", hash = %tx.hash, error = %e, "transaction no longer valid");
                        inner.listeners.send(&tx.hash, TransactionStatus::Invalid);
                        invalid.push(tx.hash);
                        continue;
                    }
                    Err(ValidationError::Unknown(e)) => {
                        tracing::debug!(target: "txpool", hash = %tx.hash, error = %e, "validity unknown; kept");
                        tx
                    }
                },
                _ => tx,
            };
            let hash = tx.hash;
            match rebuilt.import(tx) {
                Ok(imported) => {
                    for old in imported.usurped {
                        inner.listeners.send(&old.hash, TransactionStatus::Usurped(hash));
                    }
                }
                Err(e) => {
                    tracing::debug!(target: "txpool", %hash, error = ?e, "transaction dropped on re-validation");
                    inner.listeners.send(&hash, TransactionStatus::Dropped);
                }
            }
        }
        for tx in rebuilt.enforce_limits(self.config.limits()) {
            inner.listeners.send(&tx.hash, TransactionStatus::Dropped);
        }
        rebuilt.clear_journal();
        let mut states: Vec<(u64, H256, bool)> = rebuilt
            .states()
            .into_iter()
            .filter_map(|(h, r)| rebuilt.get(&h).map(|tx| (tx.inserted_at, h, r)))
            .collect();
        states.sort_unstable();
        for (_, h, ready) in states {
            inner.listeners.set_state(&h, ready);
            let before = baseline.get(&h).or_else(|| now_states.get(&h)).copied();
            if ready && before != Some(true) {
                inner.listeners.notify_ready(h);
            }
        }
        inner.base = rebuilt;
        invalid
    }

    /// Puts back the transactions of `block`, retracted by a re-org, validating them at `at`
    /// (the new best block). Their bans are lifted; their watchers get `Retracted(block)`,
    /// then `Ready`/`Future` again, or `Invalid`/`Dropped` if they cannot re-enter.
    ///
    /// Call it for each retracted block before [`Pool::on_block_imported`] for the enacted ones.
    pub fn on_block_retracted(&self, block: &H256, extrinsics: Vec<Vec<u8>>, at: &H256) {
        let _maintenance = self.maintenance.lock();
        let hashes: Vec<H256> = extrinsics.iter().map(|xt| H256(blake2_256(xt))).collect();
        {
            let mut banned = self.banned.lock();
            for h in &hashes {
                banned.unban(h);
            }
        }
        {
            let mut inner = self.inner.lock();
            for h in &hashes {
                inner.listeners.retracted(h, *block);
            }
        }
        for (xt, hash) in extrinsics.into_iter().zip(hashes) {
            let status = match self.submit_inner(at, xt, None) {
                Ok(_) => continue,
                Err(Error::AlreadyImported { .. }) => {
                    let mut inner = self.inner.lock();
                    if let Some(ready) = inner.base.is_ready(&hash) {
                        inner.listeners.set_state(&hash, ready);
                    }
                    continue;
                }
                Err(Error::InvalidTransaction(_)) | Err(Error::TemporarilyBanned) => TransactionStatus::Invalid,
                Err(e) => {
                    tracing::debug!(target: "txpool", %hash, error = %e, "retracted transaction not re-added");
                    TransactionStatus::Dropped
                }
            };
            self.inner.lock().listeners.send(&hash, status);
        }
    }

    /// Reports finality of `block` containing `included`: their watchers get
    /// `Finalized(block)` and end. Any of them still in the pool is removed.
    ///
    /// Call it for every finalized block, in ascending order.
    pub fn on_block_finalized(&self, block: &H256, included: &[H256]) {
        let _maintenance = self.maintenance.lock();
        let mut inner = self.inner.lock();
        for h in included {
            inner.base.remove(h);
            inner.listeners.send(h, TransactionStatus::Finalized(*block));
        }
        Self::notify_flips(&mut inner, None);
    }
}
