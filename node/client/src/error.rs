//! Errors of the client.

use archive_primitives::{BlockNumber, H256};

/// What can go wrong importing, building or querying.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Database failure.
    #[error(transparent)]
    Storage(#[from] archive_storage::Error),
    /// The chain spec's genesis is invalid.
    #[error(transparent)]
    Spec(#[from] archive_chain_spec::Error),
    /// The database holds another chain.
    #[error("database holds a chain with genesis {in_db}, but the chain spec gives {from_spec}: wrong --chain or --base-path (purge-chain to start over)")]
    GenesisMismatch { in_db: H256, from_spec: H256 },
    /// No such block.
    #[error("unknown block {hash}")]
    UnknownBlock { hash: H256 },
    /// The parent of an imported block is unknown.
    #[error("unknown parent {parent} of block #{number}")]
    UnknownParent { parent: H256, number: BlockNumber },
    /// The block is invalid.
    #[error("invalid block #{number} {hash}: {reason}")]
    InvalidBlock { hash: H256, number: BlockNumber, reason: String },
    /// The seal or slot is wrong.
    #[error("bad seal: {reason}")]
    BadSeal { reason: String },
    /// A runtime API failed.
    #[error(transparent)]
    Api(#[from] archive_runtime::apis::ApiError),
    /// The state of a block was pruned or could not be read.
    #[error("state of block {hash} is unavailable: {reason}")]
    StateUnavailable { hash: H256, reason: String },
}
