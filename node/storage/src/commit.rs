//! Chain-changing writes: [`Database::commit_block`] and [`Database::set_finalized`].
//!
//! Each call builds one RocksDB `WriteBatch` holding everything it changes (block data, trie
//! node counts, journals, canonical index, chain pointers) and writes it with the WAL on, so a
//! crash at any moment leaves the database exactly before or after the call.

use std::collections::BTreeMap;

use archive_primitives::{BlockNumber, Header, H256};
use parity_scale_codec::Encode;
use rocksdb::WriteBatch;

use crate::{
    columns::{self, number_key},
    database::{encode_pointer, Inner, Meta},
    pruning::{delete_journal, read_journals, write_journal, JournalRecord, NodeChanges},
    state::StateUpdate,
    Database, Error, StatePruning,
};

/// A block to store, with its state changes and what it means for the chain.
#[derive(Clone, Debug)]
pub struct BlockCommit {
    /// The block header. Its `state_root` must equal `state.root`.
    pub header: Header,
    /// The block's opaque extrinsics.
    pub body: Vec<Vec<u8>>,
    /// The hash of each extrinsic in `body` (same length and order), for the transaction index.
    pub extrinsic_hashes: Vec<H256>,
    /// A justification to store with the block, if any.
    pub justification: Option<Vec<u8>>,
    /// The block's state changes, computed on the parent's state root (the empty root for genesis).
    pub state: StateUpdate,
    /// Make this block the head of the canonical chain.
    pub set_best: bool,
    /// Make this block finalized (implies `set_best`).
    pub finalized: bool,
}

/// One write batch being assembled, with the pending canonical-index and pointer changes that
/// later steps of the same batch must see.
struct Txn<'a> {
    inner: &'a Inner,
    batch: WriteBatch,
    canonical: BTreeMap<BlockNumber, Option<H256>>,
    /// The header being committed, not yet readable from the database.
    pending_header: Option<(H256, Header)>,
    nodes: NodeChanges,
    meta: Meta,
}

impl<'a> Txn<'a> {
    fn new(inner: &'a Inner) -> Self {
        Txn {
            inner,
            batch: WriteBatch::default(),
            canonical: BTreeMap::new(),
            pending_header: None,
            nodes: NodeChanges::default(),
            meta: *inner.meta.read(),
        }
    }

    fn put(&mut self, col: &'static str, key: &[u8], value: &[u8]) -> Result<(), Error> {
        let cf = self.inner.cf(col)?;
        self.batch.put_cf(cf, key, value);
        Ok(())
    }

    fn canonical_at(&self, number: BlockNumber) -> Result<Option<H256>, Error> {
        match self.canonical.get(&number) {
            Some(pending) => Ok(*pending),
            None => self.inner.hash_at(number),
        }
    }

    fn parent_of(&self, hash: &H256) -> Result<H256, Error> {
        if let Some((pending, header)) = &self.pending_header {
            if pending == hash {
                return Ok(header.parent_hash);
            }
        }
        let header = self.inner.header(hash)?;
        header.map(|h| h.parent_hash).ok_or_else(|| self.inner.corrupt(format!("header of ancestor {hash} is missing")))
    }

    /// The lowest height a re-org may rewrite is above the finalized block and, when pruning,
    /// above the pruned heights (whose abandoned forks are already gone).
    fn check_rewrite(&self, height: BlockNumber, hash: H256, number: BlockNumber) -> Result<(), Error> {
        if let Some((finalized, finalized_number)) = self.meta.finalized {
            if height <= finalized_number {
                return Err(Error::ConflictsWithFinalized { hash, number, finalized, finalized_number });
            }
        }
        if let (StatePruning::KeepBlocks(_), Some(pruned_up_to)) = (self.inner.pruning, self.meta.pruned_up_to) {
            if height <= pruned_up_to {
                return Err(Error::ReorgBelowPruningHorizon { hash, number: height, pruned_up_to });
            }
        }
        Ok(())
    }

    /// Makes `hash` (#`number`) the best block: points the canonical index at it and its
    /// ancestors down to the fork point, drops entries above it, then prunes.
    fn make_best(&mut self, hash: H256, number: BlockNumber) -> Result<(), Error> {
        if self.canonical_at(number)? != Some(hash) {
            self.check_rewrite(number, hash, number)?;
            self.canonical.insert(number, Some(hash));
            let mut height = number;
            let mut ancestor = self.parent_of(&hash)?;
            while height > 0 {
                height -= 1;
                if self.canonical_at(height)? == Some(ancestor) {
                    break;
                }
                self.check_rewrite(height, hash, number)?;
                self.canonical.insert(height, Some(ancestor));
                ancestor = self.parent_of(&ancestor)?;
            }
        }
        if let Some((_, old_number)) = self.meta.best {
            for height in number.saturating_add(1)..=old_number {
                self.canonical.insert(height, None);
            }
        }
        if let Some((old, old_number)) = self.meta.best.filter(|(_, n)| *n >= number).filter(|b| b.0 != hash) {
            tracing::debug!(target: "storage", %old, old_number, new = %hash, number, "canonical chain re-org");
        }
        self.meta.best = Some((hash, number));
        self.prune(number)
    }

    /// Applies the prune journals of every height up to `best - n` not yet pruned.
    fn prune(&mut self, best: BlockNumber) -> Result<(), Error> {
        let StatePruning::KeepBlocks(keep) = self.inner.pruning else {
            return Ok(());
        };
        let Some(target) = best.checked_sub(keep) else {
            return Ok(());
        };
        let from = self.meta.pruned_up_to.map_or(0, |p| p.saturating_add(1));
        if from > target {
            return Ok(());
        }
        for (height, block, record) in read_journals(self.inner, from, target)? {
            let canonical = self.canonical_at(height)? == Some(block);
            record.apply(canonical, &mut self.nodes);
            delete_journal(self.inner, &mut self.batch, height, &block)?;
        }
        tracing::trace!(target: "storage", from, to = target, "pruned state journals");
        self.meta.pruned_up_to = Some(target);
        Ok(())
    }

    /// Finalizes `hash` (#`number`), making it best first if it is not on the canonical chain.
    fn finalize(&mut self, hash: H256, number: BlockNumber) -> Result<(), Error> {
        if let Some((finalized, finalized_number)) = self.meta.finalized {
            if number < finalized_number || (number == finalized_number && hash != finalized) {
                return Err(Error::ConflictsWithFinalized { hash, number, finalized, finalized_number });
            }
        }
        if self.canonical_at(number)? != Some(hash) {
            self.make_best(hash, number)?;
        }
        self.meta.finalized = Some((hash, number));
        Ok(())
    }

    /// Adds the canonical index, node counts and pointers to the batch and writes it.
    fn finish(mut self) -> Result<Meta, Error> {
        let canonical = self.inner.cf(columns::CANONICAL)?;
        for (number, hash) in &self.canonical {
            match hash {
                Some(hash) => self.batch.put_cf(canonical, number_key(*number), hash.0),
                None => self.batch.delete_cf(canonical, number_key(*number)),
            }
        }
        let deleted = std::mem::take(&mut self.nodes).apply(self.inner, &mut self.batch)?;
        let meta = self.meta;
        if let Some(genesis) = meta.genesis {
            self.put(columns::META, columns::META_GENESIS, &genesis.encode())?;
        }
        if let Some(best) = meta.best {
            self.put(columns::META, columns::META_BEST, &encode_pointer(&best))?;
        }
        if let Some(finalized) = meta.finalized {
            self.put(columns::META, columns::META_FINALIZED, &encode_pointer(&finalized))?;
        }
        if let Some(pruned) = meta.pruned_up_to {
            self.put(columns::META, columns::META_PRUNED_UP_TO, &pruned.encode())?;
        }
        self.inner.write(self.batch)?;
        if deleted > 0 {
            tracing::trace!(target: "storage", deleted, "deleted unreferenced trie nodes");
        }
        Ok(meta)
    }
}

impl Database {
    /// Stores a block, its state and its chain-pointer changes in one atomic write.
    ///
    /// Writes the header, body, justification, transaction index and the state update's trie
    /// nodes; with `set_best` (or `finalized`) it also re-points the canonical index at the block
    /// and its ancestors (dropping the old branch's entries above it) and, under
    /// `KeepBlocks(n)`, prunes the states that fell out of the window. A crash at any point
    /// leaves the database as before or after the call, never in between.
    ///
    /// # Errors
    /// Nothing is written on error.
    /// - [`Error::BlockExists`] if the block is already stored.
    /// - [`Error::UnknownParent`] if the parent is not stored (except for number 0).
    /// - [`Error::GenesisMismatch`] for a number-0 block other than the stored genesis.
    /// - [`Error::InvalidBlock`] if the numbering or the extrinsic hash count is inconsistent.
    /// - [`Error::StateRootMismatch`] if `header.state_root != state.root`.
    /// - [`Error::ParentStateMismatch`] if the update was not computed on the parent's state.
    /// - [`Error::StateUnavailable`] if the parent's state was pruned since the update was
    ///   computed (the update only carries the nodes it changed).
    /// - [`Error::ConflictsWithFinalized`] / [`Error::ReorgBelowPruningHorizon`] if making it
    ///   best would re-org the finalized or pruned part of the chain.
    /// - [`Error::Corrupt`] / [`Error::Backend`] on read or write failures.
    pub fn commit_block(&self, commit: BlockCommit) -> Result<(), Error> {
        let inner = &*self.inner;
        let _guard = inner.commit_lock.lock();
        let BlockCommit { header, body, extrinsic_hashes, justification, state, set_best, finalized } = commit;
        let hash = header.hash();
        let number = header.number;
        validate(inner, &hash, &header, &body, &extrinsic_hashes, &state)?;

        let mut txn = Txn::new(inner);
        txn.put(columns::HEADERS, &hash.0, &header.encode())?;
        txn.put(columns::BODIES, &hash.0, &body.encode())?;
        if let Some(justification) = &justification {
            txn.put(columns::JUSTIFICATIONS, &hash.0, justification)?;
        }
        for (index, xt_hash) in (0u32..).zip(&extrinsic_hashes) {
            txn.put(columns::TX_INDEX, &xt_hash.0, &(hash, index).encode())?;
        }

        let StateUpdate { inserted, removed, parent_root, .. } = state;
        let keep_state = match inner.pruning {
            StatePruning::Archive => true,
            // A fork below the pruned heights is abandoned on arrival: keep its header and body,
            // but not its state (its parent's state is gone anyway).
            StatePruning::KeepBlocks(_) => set_best || finalized || txn.meta.pruned_up_to.is_none_or(|p| number > p),
        };
        if keep_state {
            if let StatePruning::KeepBlocks(_) = inner.pruning {
                let record =
                    JournalRecord { inserted: inserted.iter().map(|(h, _, count)| (*h, *count)).collect(), removed };
                write_journal(inner, &mut txn.batch, number, &hash, &record)?;
            }
            for (node_hash, node, count) in inserted {
                txn.nodes.reference(node_hash, node, count);
            }
        } else {
            tracing::debug!(target: "storage", %hash, number, "block below the pruning horizon stored without state");
        }

        if number == 0 {
            txn.meta.genesis = Some(hash);
        }
        txn.pending_header = Some((hash, header));
        if set_best || finalized {
            txn.make_best(hash, number)?;
        }
        if finalized {
            txn.finalize(hash, number)?;
        }
        // The update only carries the nodes it changed; the rest must still be stored.
        if keep_state && parent_root != inner.empty_root && inner.read_node(&parent_root)?.is_none() {
            return Err(Error::StateUnavailable { root: parent_root });
        }
        let meta = txn.finish()?;
        *inner.meta.write() = meta;
        tracing::trace!(target: "storage", %hash, number, set_best, finalized, "committed block");
        Ok(())
    }

    /// Marks block `hash` finalized and stores `justification` for it (if given). A block not on
    /// the canonical chain becomes the best block (the canonical index is re-pointed at it).
    /// Finalizing the already-finalized block only stores the justification.
    ///
    /// # Errors
    /// Nothing is written on error.
    /// - [`Error::UnknownBlock`] if the block is not stored.
    /// - [`Error::ConflictsWithFinalized`] if it does not descend from the finalized block.
    /// - [`Error::ReorgBelowPruningHorizon`] if making it best would re-org pruned heights.
    /// - [`Error::Corrupt`] / [`Error::Backend`] on read or write failures.
    pub fn set_finalized(&self, hash: &H256, justification: Option<Vec<u8>>) -> Result<(), Error> {
        let inner = &*self.inner;
        let _guard = inner.commit_lock.lock();
        let header = inner.header(hash)?.ok_or(Error::UnknownBlock { hash: *hash })?;
        let mut txn = Txn::new(inner);
        if let Some(justification) = &justification {
            txn.put(columns::JUSTIFICATIONS, &hash.0, justification)?;
        }
        if txn.meta.finalized != Some((*hash, header.number)) {
            txn.finalize(*hash, header.number)?;
        }
        let meta = txn.finish()?;
        *inner.meta.write() = meta;
        tracing::debug!(target: "storage", %hash, number = header.number, "finalized block");
        Ok(())
    }
}

/// Checks a commit against the stored chain before anything is written.
fn validate(
    inner: &Inner,
    hash: &H256,
    header: &Header,
    body: &[Vec<u8>],
    extrinsic_hashes: &[H256],
    state: &StateUpdate,
) -> Result<(), Error> {
    let hash = *hash;
    if inner.read(columns::HEADERS, &hash.0, |_| Ok(()))?.is_some() {
        return Err(Error::BlockExists { hash });
    }
    if body.len() != extrinsic_hashes.len() {
        return Err(Error::InvalidBlock {
            hash,
            reason: format!("{} extrinsics but {} extrinsic hashes", body.len(), extrinsic_hashes.len()),
        });
    }
    if u32::try_from(body.len()).is_err() {
        return Err(Error::InvalidBlock { hash, reason: "too many extrinsics".into() });
    }
    if header.state_root != state.root {
        return Err(Error::StateRootMismatch { hash, header_root: header.state_root, update_root: state.root });
    }
    let parent_root = if header.number == 0 {
        let stored_genesis = inner.meta.read().genesis;
        if let Some(stored) = stored_genesis {
            return Err(Error::GenesisMismatch { stored, found: hash });
        }
        inner.empty_root
    } else {
        let parent =
            inner.header(&header.parent_hash)?.ok_or(Error::UnknownParent { hash, parent: header.parent_hash })?;
        if parent.number.checked_add(1) != Some(header.number) {
            return Err(Error::InvalidBlock {
                hash,
                reason: format!("number #{} does not follow parent's #{}", header.number, parent.number),
            });
        }
        parent.state_root
    };
    if state.parent_root != parent_root {
        return Err(Error::ParentStateMismatch { hash, update_parent: state.parent_root, parent_root });
    }
    Ok(())
}
