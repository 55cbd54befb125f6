//! The pool's view of the runtime: transaction validation and the tag model.

use archive_primitives::{BlockNumber, H256};

/// An opaque dependency marker, e.g. `(account, nonce).encode()`.
///
/// A transaction *provides* tags (the things it makes true once included) and *requires* tags
/// (the things that must be true before it can be included). The pool only compares tags for
/// equality; it never interprets them.
pub type Tag = Vec<u8>;

/// What the runtime says about a valid transaction (Substrate's `ValidTransaction`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidTransaction {
    /// Higher is included first (among transactions whose dependencies are met) and wins tag
    /// conflicts.
    pub priority: u64,
    /// Tags that must be provided by other transactions (in the pool or earlier in the block)
    /// before this one can be included. Tags already satisfied by the chain state are omitted.
    pub requires: Vec<Tag>,
    /// Tags this transaction provides. At most one transaction in the pool provides a given tag.
    pub provides: Vec<Tag>,
    /// Number of blocks, counted from the block it was validated at, for which this validity
    /// holds. The pool drops the transaction once the best block reaches that height.
    pub longevity: u64,
    /// Whether the transaction may be gossiped to peers.
    pub propagate: bool,
}

/// Why the runtime rejected a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValidationError<E> {
    /// The transaction can never be valid (bad proof, stale nonce, ...): the pool rejects it and
    /// bans its hash for [`PoolConfig::ban_time`](crate::PoolConfig::ban_time).
    Invalid(E),
    /// Validity could not be determined now (e.g. missing state): rejected without a ban.
    Unknown(E),
}

/// The chain as the pool needs it. Implemented by the client on top of the runtime's
/// `TaggedTransactionQueue_validate_transaction`.
///
/// Implementations must be cheap to call concurrently: the pool calls [`ChainApi::validate`]
/// without holding any of its locks.
pub trait ChainApi: Send + Sync + 'static {
    /// The runtime's validity error, shown to users as-is (its `Display` becomes RPC error data).
    type Error: std::error::Error + Send + Sync + 'static;

    /// Validates `xt` (the full encoded extrinsic, with its length prefix) against the state
    /// after block `at`.
    ///
    /// # Errors
    /// [`ValidationError::Invalid`] when the transaction is invalid for good at `at`,
    /// [`ValidationError::Unknown`] when validity cannot be determined.
    fn validate(&self, at: &H256, xt: &[u8]) -> Result<ValidTransaction, ValidationError<Self::Error>>;

    /// The number of block `at`, used as the base of a transaction's `longevity` on submit.
    ///
    /// The default (`None`) makes the pool use the number of the last block given to
    /// [`Pool::on_block_imported`](crate::Pool::on_block_imported) (0 before the first).
    fn block_number(&self, _at: &H256) -> Option<BlockNumber> {
        None
    }
}
