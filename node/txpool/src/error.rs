//! Submission errors, with the stable JSON-RPC codes of Substrate's `author_*` methods.

use archive_primitives::H256;

/// `author_*` error code: the runtime says the transaction is invalid.
pub const POOL_INVALID_TX: i32 = 1010;
/// `author_*` error code: the runtime could not determine validity.
pub const POOL_UNKNOWN_VALIDITY: i32 = 1011;
/// `author_*` error code: the hash is temporarily banned.
pub const POOL_TEMPORARILY_BANNED: i32 = 1012;
/// `author_*` error code: the transaction is already in the pool.
pub const POOL_ALREADY_IMPORTED: i32 = 1013;
/// `author_*` error code: too low priority to replace the transaction providing the same tag.
pub const POOL_TOO_LOW_PRIORITY: i32 = 1014;
/// `author_*` error code: the transaction's dependencies form a cycle.
pub const POOL_CYCLE_DETECTED: i32 = 1015;
/// `author_*` error code: the pool is full and this transaction is the least valuable.
pub const POOL_IMMEDIATELY_DROPPED: i32 = 1016;

/// Why a transaction was not admitted to the pool. `E` is the runtime's validity error.
#[derive(Debug, thiserror::Error)]
pub enum Error<E> {
    /// The runtime says the transaction is invalid; its hash is now banned (code 1010).
    #[error("Invalid Transaction: {0}")]
    InvalidTransaction(E),
    /// The runtime could not determine validity; not banned (code 1011).
    #[error("Unknown Transaction Validity: {0}")]
    UnknownTransaction(E),
    /// The hash was found invalid recently and is banned for a while (code 1012).
    #[error("Transaction is temporarily banned")]
    TemporarilyBanned,
    /// The transaction is already in the pool (code 1013).
    #[error("Transaction Already Imported: {hash}")]
    AlreadyImported {
        /// Its hash.
        hash: H256,
    },
    /// Another transaction provides one of the same tags with a priority at least as high
    /// (`old` is the sum over all conflicting transactions) (code 1014).
    #[error("Priority is too low: ({old} vs {new})")]
    TooLowPriority {
        /// Priority of the transaction(s) already in the pool.
        old: u64,
        /// Priority of the rejected transaction.
        new: u64,
    },
    /// The transaction (transitively) requires a tag it provides itself (code 1015).
    #[error("Cycle Detected")]
    CycleDetected,
    /// The pool is full and this transaction is the least valuable one in it (code 1016).
    #[error("Immediately Dropped: the transaction couldn't enter the pool because of the limit")]
    ImmediatelyDropped,
    /// The encoded transaction exceeds [`PoolConfig::max_tx_size`](crate::PoolConfig::max_tx_size)
    /// (reported as code 1010, like Substrate's `ExhaustsResources`).
    #[error("Transaction too large: {size} bytes, at most {max} allowed")]
    TooLarge {
        /// Its encoded size in bytes.
        size: usize,
        /// The limit.
        max: usize,
    },
}

impl<E: std::fmt::Display> Error<E> {
    /// The stable JSON-RPC error code (Substrate's `author` codes 1010..=1016).
    pub fn code(&self) -> i32 {
        match self {
            Error::InvalidTransaction(_) | Error::TooLarge { .. } => POOL_INVALID_TX,
            Error::UnknownTransaction(_) => POOL_UNKNOWN_VALIDITY,
            Error::TemporarilyBanned => POOL_TEMPORARILY_BANNED,
            Error::AlreadyImported { .. } => POOL_ALREADY_IMPORTED,
            Error::TooLowPriority { .. } => POOL_TOO_LOW_PRIORITY,
            Error::CycleDetected => POOL_CYCLE_DETECTED,
            Error::ImmediatelyDropped => POOL_IMMEDIATELY_DROPPED,
        }
    }

    /// The JSON-RPC error `message`, as Substrate words it.
    pub fn rpc_message(&self) -> String {
        match self {
            Error::InvalidTransaction(_) | Error::TooLarge { .. } => "Invalid Transaction".into(),
            Error::UnknownTransaction(_) => "Unknown Transaction Validity".into(),
            Error::TemporarilyBanned => "Transaction is temporarily banned".into(),
            Error::AlreadyImported { .. } => "Transaction Already Imported".into(),
            Error::TooLowPriority { old, new } => format!("Priority is too low: ({old} vs {new})"),
            Error::CycleDetected => "Cycle Detected".into(),
            Error::ImmediatelyDropped => "Immediately Dropped".into(),
        }
    }

    /// The JSON-RPC error `data`, as Substrate words it (`None`: no data).
    pub fn rpc_data(&self) -> Option<String> {
        match self {
            Error::InvalidTransaction(e) | Error::UnknownTransaction(e) => Some(e.to_string()),
            Error::TooLarge { .. } => Some("Transaction would exhaust the block limits".into()),
            Error::TemporarilyBanned | Error::CycleDetected => None,
            Error::AlreadyImported { hash } => Some(format!("{hash:?}")),
            Error::TooLowPriority { .. } => {
                Some("The transaction has too low priority to replace another transaction already in the pool.".into())
            }
            Error::ImmediatelyDropped => Some("The transaction couldn't enter the pool because of the limit".into()),
        }
    }
}
