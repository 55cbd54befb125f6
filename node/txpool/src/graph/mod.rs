//! The lock-free core of the pool: a dependency graph of transactions linked by tags.
//!
//! [`BasePool`] is a plain data structure (the [`Pool`](crate::Pool) wraps it in a mutex). It
//! maintains these invariants:
//! - every tag is provided by at most one transaction (ready or future);
//! - a transaction is *ready* iff each of its `requires` tags is provided by a ready
//!   transaction, i.e. ready transactions form a dependency-closed DAG;
//! - the dependency graph has no cycles (rejected on import).

mod base;
mod limits;
mod ready;

use std::sync::Arc;

use archive_primitives::{BlockNumber, H256};

use crate::api::{Tag, ValidTransaction};

pub(crate) use base::{BasePool, ImportError};
pub(crate) use limits::Limits;

/// A validated transaction in the pool. Immutable; shared as `Arc<PoolTransaction>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolTransaction {
    /// `blake2_256(data)`.
    pub hash: H256,
    /// The full encoded extrinsic (with its length prefix), exactly as submitted.
    pub data: Vec<u8>,
    /// Priority from the last validation (higher first).
    pub priority: u64,
    /// Tags that must be provided before inclusion (from the last validation).
    pub requires: Vec<Tag>,
    /// Tags this transaction provides (from the last validation).
    pub provides: Vec<Tag>,
    /// The pool drops the transaction once a block with this number (or higher) is imported.
    pub valid_till: BlockNumber,
    /// Whether it may be gossiped.
    pub propagate: bool,
    /// Arrival sequence number, unique per pool: breaks priority ties (earlier first) and is
    /// kept across revalidations.
    pub inserted_at: u64,
}

impl PoolTransaction {
    /// Builds a pool entry from a validation result obtained at block number `at`.
    pub(crate) fn from_valid(hash: H256, data: Vec<u8>, valid: ValidTransaction, at: BlockNumber, seq: u64) -> Self {
        let till = u64::from(at).saturating_add(valid.longevity);
        PoolTransaction {
            hash,
            data,
            priority: valid.priority,
            requires: valid.requires,
            provides: valid.provides,
            valid_till: BlockNumber::try_from(till).unwrap_or(BlockNumber::MAX),
            propagate: valid.propagate,
            inserted_at: seq,
        }
    }

    /// Encoded size in bytes (what counts towards [`PoolConfig::max_bytes`](crate::PoolConfig::max_bytes)).
    pub fn bytes(&self) -> usize {
        self.data.len()
    }
}

/// Key ordering transactions from least to most valuable: lowest priority first, and among
/// equal priorities the most recent arrival first.
pub(crate) type WorstFirst = (u64, std::cmp::Reverse<u64>, H256);

pub(crate) fn worst_first_key(tx: &Arc<PoolTransaction>) -> WorstFirst {
    (tx.priority, std::cmp::Reverse(tx.inserted_at), tx.hash)
}
