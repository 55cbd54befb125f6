//! Reference-counted trie nodes and the prune journal.
//!
//! Every trie node is stored once with a reference count: the number of committed, not yet
//! pruned node *insertions* minus the applied *releases*. A block's [`crate::StateUpdate`] adds
//! references for the nodes it inserts; the references it releases (nodes of the parent state
//! the new state no longer uses) are not dropped at once.
//!
//! - `Archive`: releases are ignored, nothing is ever deleted.
//! - `KeepBlocks(n)`: each block's inserted and released references go to the prune journal
//!   under `(number, hash)`. When a block at height `h + n` becomes best, the journals at height
//!   `h` are applied in the same write batch: the canonical block's *releases* are dropped
//!   (the state before it is gone), every other block's *insertions* are dropped (that fork is
//!   abandoned with its whole state). A node is deleted when its count reaches zero.
//!
//! So with best block `N`, the states of blocks `N - n ..= N` stay readable; older states and
//! abandoned forks below that become [`crate::Error::StateUnavailable`].

use std::collections::HashMap;

use archive_primitives::{BlockNumber, H256};
use parity_scale_codec::{Decode, Encode};
use rocksdb::{Direction, IteratorMode, WriteBatch};

use crate::{
    columns::{self, encode_node, journal_key, number_key},
    database::Inner,
    Error,
};

/// What one block did to the node reference counts, kept until its height is pruned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode)]
pub(crate) struct JournalRecord {
    /// References the block added: `(node hash, count)`.
    pub(crate) inserted: Vec<(H256, u32)>,
    /// References the block released (applied only if it stays canonical).
    pub(crate) removed: Vec<(H256, u32)>,
}

/// Net reference-count changes of one write batch, resolved against the stored counts at the end.
#[derive(Default)]
pub(crate) struct NodeChanges {
    changes: HashMap<H256, (i64, Option<Vec<u8>>)>,
}

impl NodeChanges {
    /// Adds `count` references to `node`, storing it if it is new.
    pub(crate) fn reference(&mut self, hash: H256, node: Vec<u8>, count: u32) {
        let entry = self.changes.entry(hash).or_insert((0, None));
        entry.0 += i64::from(count);
        entry.1.get_or_insert(node);
    }

    /// Drops `count` references to `hash`.
    pub(crate) fn release(&mut self, hash: H256, count: u32) {
        self.changes.entry(hash).or_insert((0, None)).0 -= i64::from(count);
    }

    /// Writes the new counts into `batch` (deleting nodes that reach zero). Returns how many nodes
    /// are deleted.
    ///
    /// # Errors
    /// [`Error::Corrupt`] if a stored node is malformed or a count would overflow.
    pub(crate) fn apply(self, inner: &Inner, batch: &mut WriteBatch) -> Result<usize, Error> {
        let cf = inner.cf(columns::TRIE_NODES)?;
        let mut deleted = 0;
        for (hash, (delta, node)) in self.changes {
            if delta == 0 {
                continue;
            }
            let stored = inner.read_node(&hash)?;
            let current = stored.as_ref().map_or(0, |(rc, _)| i64::from(*rc));
            let new = current + delta;
            if new <= 0 {
                if new < 0 {
                    tracing::warn!(target: "storage", %hash, current, delta, "trie node released more often than referenced");
                }
                if stored.is_some() {
                    batch.delete_cf(cf, hash.0);
                    deleted += 1;
                }
                continue;
            }
            let rc =
                u32::try_from(new).map_err(|_| inner.corrupt(format!("refcount of trie node {hash} overflows")))?;
            let bytes = match (node, stored) {
                (Some(node), _) => node,
                (None, Some((_, node))) => node,
                (None, None) => return Err(inner.corrupt(format!("trie node {hash} is referenced but missing"))),
            };
            batch.put_cf(cf, hash.0, encode_node(rc, &bytes));
        }
        Ok(deleted)
    }
}

/// Writes block `(number, hash)`'s journal record into `batch`.
pub(crate) fn write_journal(
    inner: &Inner,
    batch: &mut WriteBatch,
    number: BlockNumber,
    hash: &H256,
    record: &JournalRecord,
) -> Result<(), Error> {
    batch.put_cf(inner.cf(columns::PRUNE_JOURNAL)?, journal_key(number, hash), record.encode());
    Ok(())
}

/// Reads every journal record at heights `from..=to`, in height order: `(number, hash, record)`.
/// One range scan, so a long stretch of heights without journals (e.g. blocks committed in
/// archive mode) costs nothing.
pub(crate) fn read_journals(
    inner: &Inner,
    from: BlockNumber,
    to: BlockNumber,
) -> Result<Vec<(BlockNumber, H256, JournalRecord)>, Error> {
    let cf = inner.cf(columns::PRUNE_JOURNAL)?;
    let start = number_key(from);
    let mut records = Vec::new();
    for item in inner.db.iterator_cf(cf, IteratorMode::From(&start, Direction::Forward)) {
        let (key, value) = item.map_err(|e| inner.backend(e))?;
        let (number, hash) = match key.split_first_chunk::<4>() {
            Some((number, hash)) => (u32::from_be_bytes(*number), H256::from_slice(hash)),
            None => return Err(inner.corrupt("prune journal key is truncated")),
        };
        if number > to {
            break;
        }
        let hash = hash.map_err(|_| inner.corrupt(format!("prune journal key of #{number} is malformed")))?;
        let record: JournalRecord = inner.decode(&format!("prune journal of {hash}"), &value)?;
        records.push((number, hash, record));
    }
    Ok(records)
}

impl JournalRecord {
    /// Applies the record of a pruned block: a canonical block's releases take effect (the
    /// state before it is gone); any other block's insertions are undone (its fork is gone).
    pub(crate) fn apply(self, canonical: bool, nodes: &mut NodeChanges) {
        let released = if canonical { self.removed } else { self.inserted };
        released.into_iter().for_each(|(node, count)| nodes.release(node, count));
    }
}

/// Deletes block `(number, hash)`'s journal record in `batch`.
pub(crate) fn delete_journal(
    inner: &Inner,
    batch: &mut WriteBatch,
    number: BlockNumber,
    hash: &H256,
) -> Result<(), Error> {
    batch.delete_cf(inner.cf(columns::PRUNE_JOURNAL)?, journal_key(number, hash));
    Ok(())
}
