//! [`BasePool`]: storage, tag indexes, import with replacement, removal, promotion/demotion.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use archive_primitives::H256;

use super::{worst_first_key, PoolTransaction, WorstFirst};
use crate::api::Tag;

/// Why [`BasePool::import`] refused a transaction. The pool is unchanged in every case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ImportError {
    AlreadyImported,
    TooLowPriority { old: u64, new: u64 },
    CycleDetected,
}

/// Result of a successful [`BasePool::import`].
#[derive(Debug)]
pub(crate) struct Imported {
    /// Whether the new transaction is ready.
    pub ready: bool,
    /// Transactions removed because the new one provides one of their tags with a higher priority.
    pub usurped: Vec<Arc<PoolTransaction>>,
}

#[derive(Debug)]
struct Entry {
    tx: Arc<PoolTransaction>,
    ready: bool,
}

/// See the [module docs](super) for the invariants.
#[derive(Debug, Default)]
pub(crate) struct BasePool {
    txs: HashMap<H256, Entry>,
    /// tag -> the (single) transaction providing it.
    providers: HashMap<Tag, H256>,
    /// tag -> transactions requiring it.
    dependents: HashMap<Tag, HashSet<H256>>,
    pub(super) ready_index: BTreeSet<WorstFirst>,
    pub(super) future_index: BTreeSet<WorstFirst>,
    ready_bytes: usize,
    future_bytes: usize,
    /// State at first change since the last [`BasePool::take_flips`], per changed transaction.
    journal: HashMap<H256, bool>,
}

impl BasePool {
    pub fn contains(&self, hash: &H256) -> bool {
        self.txs.contains_key(hash)
    }

    pub fn get(&self, hash: &H256) -> Option<&Arc<PoolTransaction>> {
        self.txs.get(hash).map(|e| &e.tx)
    }

    /// `Some(true)` if ready, `Some(false)` if future, `None` if absent.
    pub fn is_ready(&self, hash: &H256) -> Option<bool> {
        self.txs.get(hash).map(|e| e.ready)
    }

    pub fn ready_count(&self) -> usize {
        self.ready_index.len()
    }

    pub fn future_count(&self) -> usize {
        self.future_index.len()
    }

    pub fn ready_bytes(&self) -> usize {
        self.ready_bytes
    }

    pub fn future_bytes(&self) -> usize {
        self.future_bytes
    }

    /// All transactions, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &Arc<PoolTransaction>> + '_ {
        self.txs.values().map(|e| &e.tx)
    }

    /// Every transaction's state (`true`: ready).
    pub fn states(&self) -> HashMap<H256, bool> {
        self.txs.iter().map(|(h, e)| (*h, e.ready)).collect()
    }

    /// Future transactions in arrival order.
    pub fn future_by_arrival(&self) -> Vec<Arc<PoolTransaction>> {
        let mut v: Vec<_> = self.txs.values().filter(|e| !e.ready).map(|e| e.tx.clone()).collect();
        v.sort_by_key(|t| t.inserted_at);
        v
    }

    /// The ready transactions providing the tags `tx` requires (deduplicated).
    pub(super) fn ready_dependencies(&self, tx: &PoolTransaction) -> Vec<H256> {
        let mut deps: Vec<H256> = tx
            .requires
            .iter()
            .filter_map(|t| self.providers.get(t))
            .filter(|h| self.is_ready(h) == Some(true))
            .copied()
            .collect();
        deps.sort_unstable();
        deps.dedup();
        deps
    }

    /// Adds `tx`, replacing the transactions providing any of its tags if its priority exceeds
    /// the sum of theirs, and promotes the future transactions it unlocks.
    pub fn import(&mut self, tx: Arc<PoolTransaction>) -> Result<Imported, ImportError> {
        let hash = tx.hash;
        if self.txs.contains_key(&hash) {
            return Err(ImportError::AlreadyImported);
        }
        if tx.requires.iter().any(|t| tx.provides.contains(t)) {
            return Err(ImportError::CycleDetected);
        }
        let mut conflicts: Vec<H256> = tx.provides.iter().filter_map(|t| self.providers.get(t)).copied().collect();
        conflicts.sort_unstable();
        conflicts.dedup();
        if !conflicts.is_empty() {
            let old =
                conflicts.iter().filter_map(|h| self.txs.get(h)).fold(0u64, |acc, e| acc.saturating_add(e.tx.priority));
            if old >= tx.priority {
                return Err(ImportError::TooLowPriority { old, new: tx.priority });
            }
        }
        if self.creates_cycle(&tx, &conflicts) {
            return Err(ImportError::CycleDetected);
        }
        // Checks done; from here on the import cannot fail.
        let usurped: Vec<_> = conflicts.iter().filter_map(|h| self.remove(h)).collect();
        for tag in &tx.provides {
            self.providers.insert(tag.clone(), hash);
        }
        for tag in &tx.requires {
            self.dependents.entry(tag.clone()).or_default().insert(hash);
        }
        self.future_index.insert(worst_first_key(&tx));
        self.future_bytes += tx.bytes();
        self.txs.insert(hash, Entry { tx, ready: false });
        self.promote(hash);
        Ok(Imported { ready: self.is_ready(&hash) == Some(true), usurped })
    }

    /// Whether adding `tx` (after removing `replaced`) would close a dependency cycle: some
    /// transaction it (transitively) depends on requires a tag `tx` provides.
    fn creates_cycle(&self, tx: &PoolTransaction, replaced: &[H256]) -> bool {
        let mut visited = HashSet::new();
        let mut stack: Vec<H256> = tx.requires.iter().filter_map(|t| self.providers.get(t)).copied().collect();
        while let Some(h) = stack.pop() {
            if replaced.contains(&h) || !visited.insert(h) {
                continue;
            }
            let Some(dep) = self.txs.get(&h) else {
                continue;
            };
            if dep.tx.requires.iter().any(|t| tx.provides.contains(t)) {
                return true;
            }
            stack.extend(dep.tx.requires.iter().filter_map(|t| self.providers.get(t)).copied());
        }
        false
    }

    /// Removes `hash`; transactions that depended on it go back to future.
    pub fn remove(&mut self, hash: &H256) -> Option<Arc<PoolTransaction>> {
        let entry = self.txs.remove(hash)?;
        let key = worst_first_key(&entry.tx);
        if entry.ready {
            self.ready_index.remove(&key);
            self.ready_bytes -= entry.tx.bytes();
        } else {
            self.future_index.remove(&key);
            self.future_bytes -= entry.tx.bytes();
        }
        for tag in &entry.tx.provides {
            if self.providers.get(tag) == Some(hash) {
                self.providers.remove(tag);
            }
        }
        for tag in &entry.tx.requires {
            if let Some(set) = self.dependents.get_mut(tag) {
                set.remove(hash);
                if set.is_empty() {
                    self.dependents.remove(tag);
                }
            }
        }
        if entry.ready {
            self.demote_dependents_of(&entry.tx.provides);
        }
        Some(entry.tx)
    }

    fn requirements_met(&self, tx: &PoolTransaction) -> bool {
        tx.requires.iter().all(|t| self.providers.get(t).and_then(|p| self.txs.get(p)).is_some_and(|e| e.ready))
    }

    fn set_ready(&mut self, hash: &H256, ready: bool) {
        let Some(entry) = self.txs.get_mut(hash) else {
            return;
        };
        if entry.ready == ready {
            return;
        }
        self.journal.entry(*hash).or_insert(entry.ready);
        entry.ready = ready;
        let key = worst_first_key(&entry.tx);
        let bytes = entry.tx.bytes();
        if ready {
            self.future_index.remove(&key);
            self.future_bytes -= bytes;
            self.ready_index.insert(key);
            self.ready_bytes += bytes;
        } else {
            self.ready_index.remove(&key);
            self.ready_bytes -= bytes;
            self.future_index.insert(key);
            self.future_bytes += bytes;
        }
    }

    /// Makes `start` ready if its requirements are met, then everything that unlocks in turn.
    fn promote(&mut self, start: H256) {
        let mut stack = vec![start];
        while let Some(h) = stack.pop() {
            let Some(entry) = self.txs.get(&h) else {
                continue;
            };
            if entry.ready || !self.requirements_met(&entry.tx) {
                continue;
            }
            let tx = entry.tx.clone();
            self.set_ready(&h, true);
            for tag in &tx.provides {
                if let Some(deps) = self.dependents.get(tag) {
                    stack.extend(deps.iter().copied());
                }
            }
        }
    }

    /// Moves back to future every ready transaction that (transitively) required one of `tags`
    /// and no longer has all its requirements met.
    fn demote_dependents_of(&mut self, tags: &[Tag]) {
        let mut stack: Vec<H256> =
            tags.iter().filter_map(|t| self.dependents.get(t)).flat_map(|s| s.iter().copied()).collect();
        while let Some(h) = stack.pop() {
            let Some(entry) = self.txs.get(&h) else {
                continue;
            };
            if !entry.ready || self.requirements_met(&entry.tx) {
                continue;
            }
            let tx = entry.tx.clone();
            self.set_ready(&h, false);
            for tag in &tx.provides {
                if let Some(deps) = self.dependents.get(tag) {
                    stack.extend(deps.iter().copied());
                }
            }
        }
    }

    /// The transactions still in the pool whose ready/future state changed since the last call,
    /// with their new state (`true`: ready). Removed transactions are not listed.
    pub fn take_flips(&mut self) -> Vec<(H256, bool)> {
        let mut flips: Vec<(H256, bool)> = self
            .journal
            .drain()
            .filter_map(|(h, was)| self.txs.get(&h).filter(|e| e.ready != was).map(|e| (h, e.ready)))
            .collect();
        flips.sort_by_key(|(h, _)| self.txs.get(h).map(|e| e.tx.inserted_at));
        flips
    }

    /// Forgets the state changes recorded so far.
    pub fn clear_journal(&mut self) {
        self.journal.clear();
    }
}
