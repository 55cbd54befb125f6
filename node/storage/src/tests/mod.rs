//! Tests against a real RocksDB in temporary directories, plus shared helpers.
#![allow(clippy::unwrap_used)]

mod chain;
mod crash;
mod open;
mod pruning;
mod state;

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

use archive_primitives::{
    hashing::blake2_256,
    trie::{empty_root, ordered_trie_root},
    Digest, DigestItem, Header, H256,
};

use crate::{columns, BlockCommit, Database, DatabaseConfig, StatePruning};

/// Deterministic xorshift generator, so failures reproduce.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub(crate) fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

/// A state change list, as `compute_state_update` takes it.
pub(crate) type Changes = Vec<(Vec<u8>, Option<Vec<u8>>)>;
/// The expected full state.
pub(crate) type Model = BTreeMap<Vec<u8>, Vec<u8>>;

pub(crate) fn config(dir: &Path, pruning: StatePruning) -> DatabaseConfig {
    DatabaseConfig { path: dir.to_owned(), state_pruning: pruning, cache_size_mb: 8 }
}

pub(crate) fn open(dir: &Path, pruning: StatePruning) -> Database {
    Database::open(&config(dir, pruning)).unwrap()
}

/// Applies changes to a model the way the trie does (empty values delete).
pub(crate) fn apply(model: &mut Model, changes: &Changes) {
    for (k, v) in changes {
        match v {
            Some(v) if !v.is_empty() => {
                model.insert(k.clone(), v.clone());
            }
            _ => {
                model.remove(k);
            }
        }
    }
}

/// Builds a child of `parent` (or a genesis block) whose state is `changes` applied to the
/// parent's state; `salt` distinguishes siblings. The result is `set_best`, not finalized.
pub(crate) fn block(db: &Database, parent: Option<&Header>, changes: Changes, salt: u8) -> BlockCommit {
    let parent_root = parent.map_or_else(empty_root, |p| p.state_root);
    let state = db.compute_state_update(&parent_root, changes).unwrap();
    let number = parent.map_or(0, |p| p.number + 1);
    let body: Vec<Vec<u8>> = (0..2u8).map(|i| vec![salt, i, number as u8, (number >> 8) as u8]).collect();
    let header = Header {
        parent_hash: parent.map_or_else(H256::zero, |p| p.hash()),
        number,
        state_root: state.root,
        extrinsics_root: ordered_trie_root(&body),
        digest: Digest { logs: vec![DigestItem::Other(vec![salt])] },
    };
    let extrinsic_hashes = body.iter().map(|xt| H256(blake2_256(xt))).collect();
    BlockCommit { header, body, extrinsic_hashes, justification: None, state, set_best: true, finalized: false }
}

/// Commits `commit` and returns its header.
pub(crate) fn commit(db: &Database, commit: BlockCommit) -> Header {
    let header = commit.header.clone();
    db.commit_block(commit).unwrap();
    header
}

/// Asserts the state at `root` is exactly `model`.
pub(crate) fn assert_state(db: &Database, root: &H256, model: &Model) {
    let view = db.state(root);
    let pairs = view.pairs(&[]).unwrap();
    let expected: Vec<_> = model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    assert_eq!(pairs, expected, "state at {root}");
    for (k, v) in model.iter().take(20) {
        assert_eq!(view.get(k).unwrap().as_ref(), Some(v));
    }
}

/// Every trie node hash stored in the database.
pub(crate) fn stored_nodes(db: &Database) -> BTreeSet<H256> {
    let inner = &db.inner;
    let cf = inner.cf(columns::TRIE_NODES).unwrap();
    inner
        .db
        .iterator_cf(cf, rocksdb::IteratorMode::Start)
        .map(|item| H256::from_slice(&item.unwrap().0).unwrap())
        .collect()
}

/// Asserts the stored trie nodes are exactly those reachable from `roots`: nothing the kept
/// states need was deleted, and nothing else leaked.
pub(crate) fn assert_nodes_exactly(db: &Database, roots: &[H256]) {
    let mut reachable = BTreeSet::new();
    for root in roots {
        reachable.extend(db.state(root).node_hashes().unwrap());
    }
    let stored = stored_nodes(db);
    let leaked: Vec<_> = stored.difference(&reachable).collect();
    let missing: Vec<_> = reachable.difference(&stored).collect();
    assert!(leaked.is_empty() && missing.is_empty(), "leaked {leaked:?}, missing {missing:?}");
}
