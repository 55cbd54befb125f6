//! The seam between the RPC server and the node: [`ChainBackend`] and the plain data it returns.
//!
//! The node service implements [`ChainBackend`] on top of its database, transaction pool and
//! network; the RPC layer only translates JSON-RPC requests into these calls and the results into
//! Substrate's JSON shapes. The trait is deliberately synchronous: implementations read rocksdb
//! and run the runtime directly. Methods that may be slow (runtime calls, metadata, range queries)
//! are invoked from a blocking thread pool by the RPC layer.

use archive_primitives::{AccountId20, Header, RuntimeVersion, H256};
use archive_txpool::TransactionStatus;
use futures::channel::mpsc::UnboundedReceiver;
use tokio::sync::broadcast;

/// A raw storage `(key, value)` pair.
pub type StoragePair = (Vec<u8>, Vec<u8>);

/// What went wrong inside the node while answering a request.
///
/// Each variant maps to a stable JSON-RPC error code (see [`crate::error::codes`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The block (a hash or a number, as text) is not known to this node.
    #[error("Unknown block {block}")]
    UnknownBlock {
        /// The block as the user named it, e.g. `0x12ab..`.
        block: String,
    },
    /// The state of a known block was pruned.
    #[error("State already discarded for {block}")]
    StateUnavailable {
        /// The block whose state is gone.
        block: String,
    },
    /// A runtime API call failed (trap, panic, decode error in the runtime, unknown method).
    #[error("Runtime API `{method}` failed: {reason}")]
    Runtime {
        /// The runtime API function, e.g. `TransactionPaymentApi_query_info`.
        method: String,
        /// What the executor reported.
        reason: String,
    },
    /// The request was well-formed JSON but its content is unusable (e.g. a malformed multiaddr).
    #[error("{reason}")]
    InvalidInput {
        /// What is wrong with the input.
        reason: String,
    },
    /// Anything else (database I/O, corrupted data).
    #[error("{reason}")]
    Internal {
        /// A description for the operator.
        reason: String,
    },
}

/// A transaction was refused by the pool or the runtime.
///
/// The pool decides `code` (Substrate's author codes: 1001 bad format, 1010 invalid transaction,
/// 1011 unknown validity, 1012 temporarily banned, 1013 already imported, 1014 priority too low,
/// 1016 immediately dropped); the RPC layer returns it verbatim as the JSON-RPC error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitError {
    /// JSON-RPC error code.
    pub code: i32,
    /// Human-readable message, e.g. `"Invalid Transaction"`.
    pub message: String,
    /// Optional detail, e.g. `"Inability to pay some fees (e.g. account balance too low)"`.
    pub data: Option<String>,
}

/// A block as stored: header, extrinsics and justifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockData {
    /// The header.
    pub header: Header,
    /// Each extrinsic fully encoded *including* its compact length prefix (Substrate's
    /// `OpaqueExtrinsic` SCALE encoding, which is what `chain_getBlock` shows as hex).
    pub extrinsics: Vec<Vec<u8>>,
    /// Finality proofs: `(consensus engine id, encoded justification)`; `None` if there are none.
    pub justifications: Option<Vec<([u8; 4], Vec<u8>)>>,
}

/// Static facts about the node for `system_*`.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemInfo {
    /// Chain name from the chain spec (`system_chain`).
    pub chain: String,
    /// Implementation name (`system_name`), e.g. `"archivechain"`.
    pub node_name: String,
    /// Implementation version (`system_version`).
    pub node_version: String,
    /// `"Development"`, `"Local"` or `"Live"` (`system_chainType`).
    pub chain_type: String,
    /// Chain-spec properties (`ss58Format`, `tokenDecimals`, `tokenSymbol`, ...).
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Node roles, e.g. `["Full"]` or `["Authority"]` (`system_nodeRoles`).
    pub roles: Vec<String>,
}

/// Node health (`system_health`); JSON `{"peers","isSyncing","shouldHavePeers"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// Number of connected peers.
    pub peers: usize,
    /// Whether the node is major-syncing.
    pub is_syncing: bool,
    /// Whether the node is expected to have peers (false for a `--dev` single node).
    pub should_have_peers: bool,
}

/// One connected peer (`system_peers`); JSON `{"peerId","roles","bestHash","bestNumber"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerInfo {
    /// Peer id, base58.
    pub peer_id: String,
    /// Roles as Substrate prints them, e.g. `"FULL"` or `"AUTHORITY"`.
    pub roles: String,
    /// The peer's best block hash.
    pub best_hash: H256,
    /// The peer's best block number.
    pub best_number: u32,
}

/// Network facts for `system_localPeerId`, `system_localListenAddresses`, `system_peers`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetworkInfo {
    /// Our peer id, base58.
    pub local_peer_id: String,
    /// Multiaddrs we listen on, each ending in `/p2p/<local_peer_id>`.
    pub listen_addresses: Vec<String>,
    /// Connected peers.
    pub peers: Vec<PeerInfo>,
}

/// Sync progress (`system_syncState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncState {
    /// Best block when the node started.
    pub starting_block: u32,
    /// Our best block now.
    pub current_block: u32,
    /// Best block announced by peers, if any is known.
    pub highest_block: Option<u32>,
}

/// Everything the RPC server needs from the node.
///
/// Implementations must be cheap to call concurrently from many connections. All hashes are
/// blake2_256 block hashes. Methods taking `at` must return [`BackendError::UnknownBlock`] for a
/// block they do not know and [`BackendError::StateUnavailable`] when its state was pruned.
pub trait ChainBackend: Send + Sync + 'static {
    /// Hash of block 0.
    fn genesis_hash(&self) -> H256;
    /// Hash of the current best block (the head of the best chain).
    fn best_hash(&self) -> H256;
    /// Hash of the last finalized block.
    fn finalized_hash(&self) -> H256;
    /// The header of a block, `None` if unknown.
    ///
    /// # Errors
    /// Database failures only; an unknown block is `Ok(None)`.
    fn header(&self, hash: &H256) -> Result<Option<Header>, BackendError>;
    /// The full block, `None` if unknown (or its body was pruned).
    ///
    /// # Errors
    /// Database failures only; an unknown block is `Ok(None)`.
    fn block(&self, hash: &H256) -> Result<Option<BlockData>, BackendError>;
    /// The hash of the best-chain block at `number`, `None` if the chain is shorter.
    ///
    /// # Errors
    /// Database failures only.
    fn block_hash(&self, number: u32) -> Result<Option<H256>, BackendError>;
    /// The raw storage value under `key` in the state after block `at`.
    ///
    /// # Errors
    /// Unknown block, pruned state, database failure.
    fn storage(&self, at: &H256, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError>;
    /// Up to `count` storage keys starting with `prefix`, in ascending byte order, each strictly
    /// greater than `start_key` when given.
    ///
    /// # Errors
    /// Unknown block, pruned state, database failure.
    fn storage_keys_paged(
        &self,
        at: &H256,
        prefix: &[u8],
        count: u32,
        start_key: Option<&[u8]>,
    ) -> Result<Vec<Vec<u8>>, BackendError>;
    /// All `(key, value)` pairs whose key starts with `prefix`, in ascending key order.
    ///
    /// # Errors
    /// Unknown block, pruned state, database failure.
    fn storage_pairs(&self, at: &H256, prefix: &[u8]) -> Result<Vec<StoragePair>, BackendError>;
    /// Calls the runtime API function `method` (e.g. `Core_version`) with SCALE `data` on the
    /// state of `at`, returning its SCALE-encoded result.
    ///
    /// # Errors
    /// [`BackendError::Runtime`] when the call fails, plus the usual block/state errors.
    fn call(&self, at: &H256, method: &str, data: &[u8]) -> Result<Vec<u8>, BackendError>;
    /// The runtime version in force at `at`.
    ///
    /// # Errors
    /// Unknown block, pruned state, runtime failure.
    fn runtime_version(&self, at: &H256) -> Result<RuntimeVersion, BackendError>;
    /// The metadata at `at` as `"meta" ++ 0x0e ++ RuntimeMetadataV14` (prefixed V14 bytes).
    ///
    /// # Errors
    /// Unknown block, pruned state, runtime failure.
    fn metadata(&self, at: &H256) -> Result<Vec<u8>, BackendError>;
    /// Validates and imports an encoded extrinsic (with its length prefix) into the pool,
    /// returning its blake2_256 hash.
    ///
    /// # Errors
    /// The pool's or runtime's verdict, passed to the client verbatim.
    fn submit(&self, xt: Vec<u8>) -> Result<H256, SubmitError>;
    /// Like [`ChainBackend::submit`], and streams the transaction's status changes. The stream
    /// ends after a final status ([`TransactionStatus::is_final`]) or when the pool forgets it.
    ///
    /// # Errors
    /// As [`ChainBackend::submit`].
    fn submit_and_watch(&self, xt: Vec<u8>) -> Result<(H256, UnboundedReceiver<TransactionStatus>), SubmitError>;
    /// Encoded extrinsics (with length prefix) currently in the pool, ready ones first.
    fn pending_extrinsics(&self) -> Vec<Vec<u8>>;
    /// Removes these transactions (and those depending on them) from the pool; returns the
    /// hashes actually removed.
    fn remove_extrinsics(&self, hashes: &[H256]) -> Vec<H256>;
    /// The next nonce to use for `who`: the on-chain nonce at best, advanced past the
    /// account's transactions already in the pool.
    ///
    /// # Errors
    /// Database or runtime failure.
    fn account_next_index(&self, who: &AccountId20) -> Result<u32, BackendError>;
    /// Every imported block (`chain_subscribeAllHeads`).
    fn import_notifications(&self) -> broadcast::Receiver<Header>;
    /// Every new best block (`chain_subscribeNewHeads`, storage and runtime-version watchers).
    fn best_notifications(&self) -> broadcast::Receiver<Header>;
    /// Every newly finalized block, in order (`chain_subscribeFinalizedHeads`).
    fn finality_notifications(&self) -> broadcast::Receiver<Header>;
    /// Static node facts.
    fn system_info(&self) -> SystemInfo;
    /// Current health.
    fn health(&self) -> Health;
    /// Network facts.
    fn network(&self) -> NetworkInfo;
    /// Sync progress.
    fn sync_state(&self) -> SyncState;
    /// Adds a reserved peer given as a multiaddr ending in `/p2p/<peer id>`.
    ///
    /// # Errors
    /// [`BackendError::InvalidInput`] for a malformed address.
    fn add_reserved_peer(&self, addr: &str) -> Result<(), BackendError>;
    /// Removes a reserved peer by peer id.
    ///
    /// # Errors
    /// [`BackendError::InvalidInput`] for a malformed peer id.
    fn remove_reserved_peer(&self, peer_id: &str) -> Result<(), BackendError>;
    /// Peer ids of the reserved peers.
    fn reserved_peers(&self) -> Vec<String>;
    /// The finality proof of finalized block `hash` as JSON (see `finality_proveFinality`), or
    /// `None` if it is not finalized or no justification covers it.
    ///
    /// # Errors
    /// Database failures.
    fn finality_proof(&self, _hash: &H256) -> Result<Option<serde_json::Value>, BackendError> {
        Ok(None)
    }

    /// Answers an `archive_*` call (search, suggestions, captures of a URL, content,
    /// verification) as JSON. The default is a node without an archive.
    ///
    /// # Errors
    /// [`BackendError::InvalidInput`] for unusable input; [`BackendError::Internal`] for index
    /// or store failures; the default refuses every call.
    fn archive(&self, _call: crate::archive::ArchiveCall) -> Result<serde_json::Value, BackendError> {
        Err(BackendError::InvalidInput { reason: "this node keeps no archive (start it with --archive)".into() })
    }
}
