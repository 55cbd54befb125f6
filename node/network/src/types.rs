//! What the network carries and reports: [`Status`], [`SyncBlock`], [`NetworkEvent`], and the
//! [`BlockProvider`] seam through which it reads the chain and the archived records it serves.

use archive_primitives::{Block, BlockNumber, H256};
use libp2p::PeerId;
use parity_scale_codec::{Decode, Encode};

/// Most blocks one sync response carries.
pub const MAX_BLOCKS_PER_REQUEST: u32 = 128;
/// Bytes a [`BlockProvider`] should aim to stay under in one answer (the hard limit is
/// [`NetworkConfig::max_message_bytes`](crate::NetworkConfig::max_message_bytes)).
pub const SOFT_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// A node's view of its chain, exchanged when a connection opens (SCALE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Encode, Decode)]
pub struct Status {
    /// Genesis hash; peers on another chain are refused.
    pub genesis_hash: H256,
    /// Best block hash.
    pub best_hash: H256,
    /// Best block number.
    pub best_number: BlockNumber,
    /// Last finalized block hash.
    pub finalized_hash: H256,
    /// Last finalized block number.
    pub finalized_number: BlockNumber,
}

/// A block with its finality justification, as announced and as served by sync (SCALE).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct SyncBlock {
    /// The block.
    pub block: Block,
    /// Encoded justification, if the block is finalized with one.
    pub justification: Option<Vec<u8>>,
}

/// A sync request (SCALE): up to `max` canonical blocks starting at `from`, or — when `by_hash`
/// is set — the one block with that hash, on any branch the peer knows (finality votes can name
/// blocks of a fork this node never saw).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct SyncRequest {
    /// First block number wanted.
    pub from: BlockNumber,
    /// Most blocks wanted (capped at [`MAX_BLOCKS_PER_REQUEST`]).
    pub max: u32,
    /// Ask for this block only (then `from`/`max` are ignored and at most one block comes back).
    pub by_hash: Option<H256>,
}

/// How the network reads the local chain and the archived records it serves. Implemented by
/// the service over the client; tests use an in-memory chain.
pub trait BlockProvider: Send + Sync + 'static {
    /// Our current status. Called when a peer connects; must be cheap.
    fn status(&self) -> Status;
    /// Canonical blocks from `from` ascending, at most `max` (already capped at
    /// [`MAX_BLOCKS_PER_REQUEST`]) and about [`SOFT_RESPONSE_BYTES`]. Runs on a blocking
    /// thread; may read the database.
    fn blocks(&self, from: BlockNumber, max: u32) -> Vec<SyncBlock>;
    /// The block with `hash` on any branch, if known. Runs on a blocking thread.
    fn block_by_hash(&self, _hash: &H256) -> Option<SyncBlock> {
        None
    }
    /// The archived record (raw WARC record bytes) whose content hash is `hash`, if it is held
    /// and at most `max_bytes` long (already capped at
    /// [`NetworkConfig::max_content_bytes`](crate::NetworkConfig::max_content_bytes)); a longer
    /// record may be returned but is then answered as not found. The bytes are served as
    /// they are: the requester re-hashes them, and serving bytes that do not match the hash
    /// gets this node banned. Runs on a blocking thread; may read the disk. The default holds
    /// nothing.
    fn content(&self, _hash: &[u8; 32], _max_bytes: u32) -> Option<Vec<u8>> {
        None
    }
}

/// What the network tells the node. Delivered in order on the bounded channel returned by
/// [`build`](crate::build); gossip events are dropped (with a warning) when the consumer lags
/// far behind, peer events are not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkEvent {
    /// A peer completed the status handshake (same genesis).
    PeerConnected {
        /// The peer.
        peer: PeerId,
        /// Its status at connection time.
        status: Status,
    },
    /// A peer that had completed the handshake is gone.
    PeerDisconnected {
        /// The peer.
        peer: PeerId,
    },
    /// A block arrived by gossip and decoded; nothing else is checked yet.
    BlockAnnounced {
        /// The connected peer that passed it to us (ask it for missing blocks).
        peer: PeerId,
        /// The peer that published it (signed gossip): blame this one for bad content, not the
        /// honest peers that forwarded a well-formed message.
        origin: Option<PeerId>,
        /// The block.
        block: SyncBlock,
    },
    /// An opaque transaction arrived by gossip (not validated).
    Transaction {
        /// The connected peer that passed it to us.
        peer: PeerId,
        /// The peer that published it (blame this one for bad content).
        origin: Option<PeerId>,
        /// The encoded extrinsic.
        xt: Vec<u8>,
    },
    /// An opaque finality vote arrived by gossip (not validated).
    Vote {
        /// The connected peer that passed it to us.
        peer: PeerId,
        /// The peer that published it (blame this one for bad content).
        origin: Option<PeerId>,
        /// The encoded vote.
        data: Vec<u8>,
    },
}

impl NetworkEvent {
    /// Peer events must reach the consumer; gossip may be shed under overload.
    pub(crate) fn is_gossip(&self) -> bool {
        matches!(self, Self::BlockAnnounced { .. } | Self::Transaction { .. } | Self::Vote { .. })
    }
}

/// A connected peer, as [`NetworkHandle::peers`](crate::NetworkHandle::peers) lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedPeer {
    /// Base58 peer id.
    pub peer_id: String,
    /// Its status from the handshake, best block updated by its own announcements.
    pub status: Status,
}
