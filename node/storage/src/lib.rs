//! The ArchiveChain node's on-disk database: blocks, the canonical chain and the state trie on
//! RocksDB.
//!
//! # What this crate owns
//!
//! One RocksDB directory (see [`DatabaseConfig::path`]) with a column family per kind of record:
//! headers, bodies, justifications, the canonical number→hash index, the extrinsic index, the
//! reference-counted state-trie nodes, the prune journal, off-chain storage and a `meta` column
//! (magic, format version, genesis / best / finalized pointers). Nothing else writes there.
//!
//! # Data flow
//!
//! 1. The client executes a block against [`Database::state`] of the parent's root and collects
//!    the storage changes.
//! 2. [`Database::compute_state_update`] applies them to the parent's trie in memory, giving the
//!    new root (for the header) and the trie nodes to add and release.
//! 3. [`Database::commit_block`] stores header, body, transaction index, trie nodes, canonical
//!    index and chain pointers in **one** RocksDB write batch; [`Database::set_finalized`]
//!    records finality the same way.
//! 4. RPC and the runtime read through [`Database::header`], [`Database::hash_at`],
//!    [`StateView::get`], [`StateView::keys_paged`], ... from any thread.
//!
//! # Guarantees
//!
//! - **Atomicity:** every `commit_block` / `set_finalized` is a single write batch with the
//!   write-ahead log on, so after a crash (even `kill -9` mid-commit) [`Database::open`] finds the
//!   database exactly before or after each call. Writes are not `fsync`ed: an OS crash or power
//!   loss may lose the last calls, but never leaves a partial one.
//! - **Consistency:** the canonical index always runs from genesis to [`Database::best`] without
//!   gaps, contains [`Database::finalized`], and each header's `state_root` is the root of the
//!   state stored with it.
//! - **State history:** [`StatePruning::Archive`] keeps every state; [`StatePruning::KeepBlocks`]
//!   keeps at least the last `n` best blocks' states. Missing states read as
//!   [`Error::StateUnavailable`], never a panic.
//! - **Safety:** data read from disk is never trusted with `unwrap`; decoding failures are
//!   [`Error::Corrupt`]. A directory that is not ours is refused ([`Error::ForeignDatabase`]),
//!   and so is a format from another version ([`Error::UnsupportedVersion`]).

mod columns;
mod commit;
mod config;
mod database;
mod error;
mod pruning;
mod state;

#[cfg(test)]
mod tests;

pub use columns::FORMAT_VERSION;
pub use commit::BlockCommit;
pub use config::{DatabaseConfig, ParseStatePruningError, StatePruning};
pub use database::Database;
pub use error::Error;
pub use state::{StateUpdate, StateView};
