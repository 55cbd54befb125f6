//! The crate's error type.

use std::path::PathBuf;

use archive_primitives::{BlockNumber, H256};

/// Everything that can go wrong while opening, reading or writing the database.
///
/// Variants carry named fields so callers can match on them and build their own messages; the
/// `Display` text is meant for operators (it names the path and what to do where that helps).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path exists but holds something other than an ArchiveChain database (random files, a
    /// plain file, or a RocksDB database created by another program).
    #[error("{} exists but is not an ArchiveChain database; choose an empty or new directory", path.display())]
    ForeignDatabase {
        /// The database directory that was opened.
        path: PathBuf,
    },
    /// RocksDB reported corruption, or a record could not be decoded.
    #[error("database at {} is corrupt: {reason}", path.display())]
    Corrupt {
        /// The database directory.
        path: PathBuf,
        /// What was found to be wrong.
        reason: String,
    },
    /// The database was written with an on-disk format this build cannot read.
    #[error("database format version {found} is not supported (this node reads version {expected})")]
    UnsupportedVersion {
        /// The version stored in the database.
        found: u32,
        /// The version this build writes and reads.
        expected: u32,
    },
    /// The database could not be opened for another reason (permissions, another process holds
    /// its lock, I/O failure).
    #[error("cannot open database at {}: {reason}", path.display())]
    Open {
        /// The database directory.
        path: PathBuf,
        /// RocksDB's or the OS's explanation.
        reason: String,
    },
    /// The configuration is invalid.
    #[error("invalid database configuration: {reason}")]
    InvalidConfig {
        /// What is wrong with it.
        reason: String,
    },
    /// A RocksDB read or write failed (other than corruption, which is [`Error::Corrupt`]).
    #[error("database I/O error at {}: {reason}", path.display())]
    Backend {
        /// The database directory.
        path: PathBuf,
        /// RocksDB's explanation.
        reason: String,
    },
    /// The trie library could not apply an update (see `state::compute_update`): nothing is
    /// written; the block is refused.
    #[error("state update on {root} failed in the trie library: {reason}")]
    TrieUpdate {
        /// The parent state root.
        root: H256,
        /// What happened.
        reason: String,
    },
    /// The state trie at `root` is not (or no longer) stored: it was pruned or never existed.
    #[error("state at root {root} is unavailable (pruned or never stored)")]
    StateUnavailable {
        /// The requested state root.
        root: H256,
    },
    /// The block is not in the database.
    #[error("unknown block {hash}")]
    UnknownBlock {
        /// The requested block hash.
        hash: H256,
    },
    /// A block was committed before its parent.
    #[error("cannot commit block {hash}: its parent {parent} is not in the database")]
    UnknownParent {
        /// The committed block.
        hash: H256,
        /// Its missing parent.
        parent: H256,
    },
    /// The block is already stored; committing it again would double-count its trie nodes.
    #[error("block {hash} is already in the database")]
    BlockExists {
        /// The block hash.
        hash: H256,
    },
    /// A [`crate::BlockCommit`] is internally inconsistent.
    #[error("invalid commit of block {hash}: {reason}")]
    InvalidBlock {
        /// The block hash.
        hash: H256,
        /// What is inconsistent.
        reason: String,
    },
    /// The header's `state_root` is not the root of the supplied state update.
    #[error("block {hash} declares state root {header_root} but its state update produces {update_root}")]
    StateRootMismatch {
        /// The block hash.
        hash: H256,
        /// `header.state_root`.
        header_root: H256,
        /// `StateUpdate::root`.
        update_root: H256,
    },
    /// The state update was computed on top of a different state than the parent block's.
    #[error("state update of block {hash} was computed on root {update_parent}, but its parent's state root is {parent_root}")]
    ParentStateMismatch {
        /// The block hash.
        hash: H256,
        /// The root the update was computed from.
        update_parent: H256,
        /// The parent header's state root (the empty root for genesis).
        parent_root: H256,
    },
    /// A genesis block different from the stored one was committed.
    #[error("genesis {found} does not match the database's genesis {stored}")]
    GenesisMismatch {
        /// The stored genesis hash.
        stored: H256,
        /// The committed genesis hash.
        found: H256,
    },
    /// The operation would make the best chain or finality leave the finalized chain.
    #[error("block {hash} (#{number}) does not descend from finalized block {finalized} (#{finalized_number})")]
    ConflictsWithFinalized {
        /// The block being made best or finalized.
        hash: H256,
        /// Its number.
        number: BlockNumber,
        /// The current finalized block.
        finalized: H256,
        /// Its number.
        finalized_number: BlockNumber,
    },
    /// A re-org would reach below the pruning horizon, where non-canonical states are gone.
    #[error(
        "cannot make block {hash} best: the re-org reaches #{number}, at or below the pruned height #{pruned_up_to}"
    )]
    ReorgBelowPruningHorizon {
        /// The block being made best.
        hash: H256,
        /// The lowest height the re-org would rewrite.
        number: BlockNumber,
        /// The highest height whose prune journal was applied.
        pruned_up_to: BlockNumber,
    },
}
