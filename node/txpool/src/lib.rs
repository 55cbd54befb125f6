//! archive-txpool: ArchiveChain's transaction pool (Substrate's tag-based pool, simplified).
//!
//! # What it owns
//! Transactions submitted by RPC (`author_submitExtrinsic`, `author_submitAndWatchExtrinsic`)
//! or received by gossip, between submission and inclusion in a block: their validation
//! results, their ordering for block authoring, the per-transaction status stream, a list of
//! temporarily banned hashes, and the size limits. It does not own the chain, the runtime or
//! the network: those reach it through [`ChainApi`] and the `on_block_*` methods.
//!
//! # Data flow
//! 1. [`Pool::submit`] hashes the extrinsic (`blake2_256`), checks size, ban and duplicates,
//!    then calls [`ChainApi::validate`] (no lock held). The runtime answers with a
//!    [`ValidTransaction`]: priority, `requires`/`provides` [`Tag`]s and longevity.
//! 2. The transaction is *ready* when every tag it requires is provided by a ready transaction
//!    (typically: the previous nonce of the same sender is in the pool, or `requires` is empty
//!    because the state already satisfies it), otherwise *future*. A new ready transaction
//!    promotes the future ones it unlocks. A transaction providing a tag that another already
//!    provides replaces it only with a strictly higher priority.
//! 3. The block author takes [`Pool::ready`] (dependencies first, then by priority); gossip
//!    and instant seal listen to [`Pool::ready_notifications`].
//! 4. The service reports chain events: [`Pool::on_block_imported`] (removes included
//!    transactions, expires and re-validates the rest), [`Pool::on_block_retracted`] (re-org:
//!    transactions come back), [`Pool::on_block_finalized`].
//!
//! # Guarantees
//! - Thread-safe and synchronous; locks are held only for in-memory work, never across
//!   validation. No async runtime dependency.
//! - Every tag is provided by at most one pool transaction; ready transactions always have
//!   their requirements met inside the ready set; dependency cycles are rejected.
//! - [`PoolConfig`] bounds are held after every call: the least valuable (lowest priority,
//!   then newest) future transaction is evicted first, then ready ones.
//! - A [`Watcher`] sees `Future`/`Ready` changes, `Broadcast`, `InBlock`, `Retracted`, and ends
//!   with exactly one final status (`Finalized`, `FinalityTimeout`, `Usurped`, `Dropped`,
//!   `Invalid`), unless the pool is dropped first.
//! - Errors carry Substrate's `author` RPC codes ([`Error::code`]).

mod api;
mod ban;
mod clock;
mod config;
mod error;
mod graph;
mod listener;
mod maintain;
mod pool;
mod status;

#[cfg(test)]
mod tests;

pub use api::{ChainApi, Tag, ValidTransaction, ValidationError};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{PoolConfig, PoolStatus};
pub use error::{
    Error, POOL_ALREADY_IMPORTED, POOL_CYCLE_DETECTED, POOL_IMMEDIATELY_DROPPED, POOL_INVALID_TX,
    POOL_TEMPORARILY_BANNED, POOL_TOO_LOW_PRIORITY, POOL_UNKNOWN_VALIDITY,
};
pub use graph::PoolTransaction;
pub use listener::{FINALITY_TIMEOUT_BLOCKS, READY_NOTIFICATION_BUFFER};
pub use pool::{Pool, Watcher};
pub use status::TransactionStatus;
