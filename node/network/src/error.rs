//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the network layer, as seen by its callers.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is inconsistent (see [`NetworkConfig::validate`](crate::NetworkConfig::validate)).
    #[error("invalid network configuration: {field}: {reason}")]
    InvalidConfig {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The node key file could not be read, parsed or created.
    #[error("node key file {}: {reason}", path.display())]
    NodeKey {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A multiaddr is malformed or lacks its `/p2p/<peer id>` suffix.
    #[error("invalid peer address {addr:?}: {reason}")]
    InvalidAddress {
        /// The address as given.
        addr: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A peer id string does not parse.
    #[error("invalid peer id {peer:?}: {reason}")]
    InvalidPeerId {
        /// The peer id as given.
        peer: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The transport or swarm could not be set up, or listening failed.
    #[error("network setup failed: {reason}")]
    Setup {
        /// What went wrong.
        reason: String,
    },
    /// [`build`](crate::build) was called outside a tokio runtime.
    #[error("the network must be built inside a tokio runtime")]
    NoRuntime,
    /// A dial was refused or failed at once (banned peer, blocked node, bad address).
    #[error("cannot dial {peer}: {reason}")]
    Dial {
        /// The peer.
        peer: String,
        /// Why.
        reason: String,
    },
    /// A request to `peer` failed: not connected, timeout, refused, or a malformed answer.
    #[error("request to {peer} failed: {reason}")]
    Request {
        /// The peer asked.
        peer: String,
        /// Why it failed.
        reason: String,
    },
    /// The peer answered with data that breaks the protocol (wrong blocks, too many); the peer
    /// has been reported.
    #[error("invalid response from {peer}: {reason}")]
    InvalidResponse {
        /// The peer.
        peer: String,
        /// What is wrong with the answer.
        reason: String,
    },
    /// [`NetworkHandle::fetch_content`](crate::NetworkHandle::fetch_content) found no peer
    /// that served the record with bytes passing the caller's check.
    #[error(
        "content {hash} unavailable: asked {asked} peers ({missing} did not have it, {failed} failed, {invalid} served wrong bytes)"
    )]
    ContentUnavailable {
        /// The content hash, hex.
        hash: String,
        /// Peers asked (at most the attempt limit).
        asked: usize,
        /// Peers that answered that they do not have it (within the size asked for).
        missing: usize,
        /// Requests that failed: timeout, disconnection, overload, oversized or invalid answer.
        failed: usize,
        /// Peers whose bytes failed the check; each has been reported.
        invalid: usize,
    },
    /// The worker's command queue is full (it is far behind); the command was dropped.
    #[error("the network worker is overloaded; command dropped")]
    Overloaded,
    /// The [`NetworkWorker`](crate::NetworkWorker) is not running (never spawned, or stopped).
    #[error("the network worker has stopped")]
    WorkerStopped,
}
