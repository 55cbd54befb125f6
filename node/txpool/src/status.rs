//! Lifecycle of a transaction in the pool, as reported to `author_submitAndWatchExtrinsic`.

use archive_primitives::H256;

/// One status update of a watched transaction (Substrate's `TransactionStatus`).
///
/// JSON (in the RPC crate): `"future"`, `"ready"`, `{"broadcast":[peer ids]}`, `{"inBlock":hash}`,
/// `{"retracted":hash}`, `{"finalityTimeout":hash}`, `{"finalized":hash}`, `{"usurped":hash}`,
/// `"dropped"`, `"invalid"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransactionStatus {
    /// Waiting for an earlier nonce.
    Future,
    /// Can be included in the next block.
    Ready,
    /// Sent to these peers.
    Broadcast(Vec<String>),
    /// Included in this block.
    InBlock(H256),
    /// The block that included it was retracted by a re-org.
    Retracted(H256),
    /// Finality did not come in time.
    FinalityTimeout(H256),
    /// Included in this finalized block (final status).
    Finalized(H256),
    /// Replaced by another transaction with the same tag (final status).
    Usurped(H256),
    /// Dropped because of pool limits (final status).
    Dropped,
    /// No longer valid (final status).
    Invalid,
}

impl TransactionStatus {
    /// Whether no further update will follow.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            TransactionStatus::Finalized(_)
                | TransactionStatus::Usurped(_)
                | TransactionStatus::Dropped
                | TransactionStatus::Invalid
                | TransactionStatus::FinalityTimeout(_)
        )
    }
}
