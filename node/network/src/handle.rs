//! [`NetworkHandle`]: the cloneable front of the network worker.
//!
//! Commands go to the worker over a bounded channel; queries that must answer synchronously
//! (`peers`, `listen_addresses`, …) read a snapshot the worker keeps up to date.

use std::{collections::BTreeMap, sync::Arc};

use archive_primitives::{BlockNumber, H256};
use libp2p::{multiaddr::Protocol, Multiaddr, PeerId};
use parity_scale_codec::Encode;
use parking_lot::RwLock;
use tokio::sync::{
    mpsc::{self, error::TrySendError},
    oneshot,
};

use crate::{
    behaviour::{GossipKind, GOSSIP_ENVELOPE_BYTES},
    config::{parse_peer_addr, parse_peer_id},
    error::Error,
    types::{ConnectedPeer, Status, SyncBlock, SyncRequest, MAX_BLOCKS_PER_REQUEST},
};

/// What the worker publishes for synchronous readers.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) listen_addresses: Vec<Multiaddr>,
    /// Peers that completed the status handshake.
    pub(crate) peers: BTreeMap<PeerId, Status>,
    pub(crate) banned: Vec<PeerId>,
    pub(crate) reserved: Vec<PeerId>,
}

/// Requests from handles to the worker.
#[derive(Debug)]
pub(crate) enum Command {
    Publish { kind: GossipKind, data: Vec<u8> },
    RequestBlocks { peer: PeerId, request: SyncRequest, reply: oneshot::Sender<Result<Vec<SyncBlock>, Error>> },
    Report { peer: PeerId, reason: String },
    AddReserved { peer: PeerId, addr: Multiaddr, reply: oneshot::Sender<Result<(), Error>> },
    RemoveReserved { peer: PeerId },
    SetBlocked(bool),
}

/// Cheap to clone; every clone talks to the same worker. Methods that return nothing are
/// fire-and-forget: if the worker is gone or far behind, they log and drop the command.
#[derive(Clone)]
pub struct NetworkHandle {
    local_peer_id: PeerId,
    max_gossip_bytes: usize,
    commands: mpsc::Sender<Command>,
    shared: Arc<RwLock<Shared>>,
}

impl std::fmt::Debug for NetworkHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetworkHandle").field("local_peer_id", &self.local_peer_id).finish_non_exhaustive()
    }
}

impl NetworkHandle {
    pub(crate) fn new(
        local_peer_id: PeerId,
        max_message_bytes: usize,
        commands: mpsc::Sender<Command>,
        shared: Arc<RwLock<Shared>>,
    ) -> Self {
        NetworkHandle {
            local_peer_id,
            max_gossip_bytes: max_message_bytes.saturating_sub(GOSSIP_ENVELOPE_BYTES),
            commands,
            shared,
        }
    }

    /// Our peer id (from the node key).
    pub fn local_peer_id(&self) -> PeerId {
        self.local_peer_id
    }

    /// The addresses we listen on, each ending in `/p2p/<local peer id>`. Empty until the
    /// worker has started listening.
    pub fn listen_addresses(&self) -> Vec<String> {
        let suffix = Protocol::P2p(self.local_peer_id);
        self.shared.read().listen_addresses.iter().map(|a| a.clone().with(suffix.clone()).to_string()).collect()
    }

    /// Peers that completed the status handshake, ordered by peer id.
    pub fn peers(&self) -> Vec<ConnectedPeer> {
        self.shared
            .read()
            .peers
            .iter()
            .map(|(peer, status)| ConnectedPeer { peer_id: peer.to_string(), status: *status })
            .collect()
    }

    /// Peer ids of the reserved peers (boot nodes included in reserved-only mode).
    pub fn reserved_peers(&self) -> Vec<String> {
        self.shared.read().reserved.iter().map(ToString::to_string).collect()
    }

    /// Peers banned right now.
    pub fn banned_peers(&self) -> Vec<PeerId> {
        self.shared.read().banned.clone()
    }

    /// Gossips a block (SCALE [`SyncBlock`]) to all peers. A block too large for one gossip
    /// message is not announced (peers fetch it by sync).
    pub fn announce_block(&self, block: SyncBlock) {
        let number = block.block.header.number;
        self.publish(GossipKind::Blocks, block.encode(), "block", number);
    }

    /// Gossips an encoded extrinsic.
    pub fn gossip_transaction(&self, xt: Vec<u8>) {
        self.publish(GossipKind::Transactions, xt, "transaction", 0);
    }

    /// Gossips an encoded finality vote.
    pub fn gossip_vote(&self, data: Vec<u8>) {
        self.publish(GossipKind::Votes, data, "vote", 0);
    }

    fn publish(&self, kind: GossipKind, data: Vec<u8>, what: &'static str, number: BlockNumber) {
        if data.is_empty() || data.len() > self.max_gossip_bytes {
            tracing::warn!(what, number, bytes = data.len(), max = self.max_gossip_bytes, "not gossiping: bad size");
            return;
        }
        self.fire(Command::Publish { kind, data });
    }

    /// Publishes arbitrary bytes on a topic, bypassing the handle's checks (tests only).
    #[cfg(test)]
    pub(crate) fn publish_raw(&self, kind: GossipKind, data: Vec<u8>) {
        self.fire(Command::Publish { kind, data });
    }

    /// Asks `peer` for up to `max` (capped at [`MAX_BLOCKS_PER_REQUEST`]) canonical blocks
    /// from `from`. The answer is checked: at most `max` blocks, numbered `from, from+1, …`.
    ///
    /// # Errors
    /// [`Error::Request`] if the peer is not connected, times out, refuses or sends an oversized
    /// frame; [`Error::InvalidResponse`] for a malformed answer (the peer is then reported);
    /// [`Error::WorkerStopped`] if the worker is gone.
    pub async fn request_blocks(&self, peer: PeerId, from: BlockNumber, max: u32) -> Result<Vec<SyncBlock>, Error> {
        let max = max.min(MAX_BLOCKS_PER_REQUEST);
        if max == 0 {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        let request = SyncRequest { from, max, by_hash: None };
        self.commands.send(Command::RequestBlocks { peer, request, reply }).await.map_err(|_| Error::WorkerStopped)?;
        answer.await.map_err(|_| Error::WorkerStopped)?
    }

    /// Asks `peer` for the block with `hash` (any branch). `None` if the peer does not know it.
    ///
    /// # Errors
    /// As [`NetworkHandle::request_blocks`]; a block with another hash is an invalid response.
    pub async fn request_block_by_hash(&self, peer: PeerId, hash: H256) -> Result<Option<SyncBlock>, Error> {
        let (reply, answer) = oneshot::channel();
        let request = SyncRequest { from: 0, max: 1, by_hash: Some(hash) };
        self.commands.send(Command::RequestBlocks { peer, request, reply }).await.map_err(|_| Error::WorkerStopped)?;
        Ok(answer.await.map_err(|_| Error::WorkerStopped)??.into_iter().next())
    }

    /// Reports misbehaviour: the peer is disconnected and banned for the configured
    /// `ban_duration`; its connections are refused until then.
    pub fn report(&self, peer: PeerId, reason: &str) {
        self.fire(Command::Report { peer, reason: reason.to_string() });
    }

    /// Adds a reserved peer (`/…/p2p/<id>`): always allowed to connect, exempt from
    /// `max_peers`, redialled when disconnected. Dials it now.
    ///
    /// # Errors
    /// [`Error::InvalidAddress`] for a malformed address; [`Error::Dial`] if the dial is refused
    /// at once (banned peer, blocked node); [`Error::WorkerStopped`].
    pub async fn add_reserved_peer(&self, addr: &str) -> Result<(), Error> {
        let (peer, addr) = parse_peer_addr(addr)?;
        let (reply, answer) = oneshot::channel();
        self.commands.send(Command::AddReserved { peer, addr, reply }).await.map_err(|_| Error::WorkerStopped)?;
        answer.await.map_err(|_| Error::WorkerStopped)?
    }

    /// Removes a reserved peer by peer id; in reserved-only mode it is also disconnected.
    ///
    /// # Errors
    /// [`Error::InvalidPeerId`]; [`Error::Overloaded`] or [`Error::WorkerStopped`] if the
    /// command could not be queued.
    pub fn remove_reserved_peer(&self, peer: &str) -> Result<(), Error> {
        let peer = parse_peer_id(peer)?;
        self.try_send(Command::RemoveReserved { peer })
    }

    /// Test-only partition control: `true` drops every connection and refuses all new ones
    /// (inbound and outbound); `false` lifts that and redials boot nodes, reserved peers and the
    /// peers connected before.
    pub fn disconnect_all_and_block(&self, blocked: bool) {
        self.fire(Command::SetBlocked(blocked));
    }

    fn try_send(&self, command: Command) -> Result<(), Error> {
        self.commands.try_send(command).map_err(|e| match e {
            TrySendError::Full(_) => Error::Overloaded,
            TrySendError::Closed(_) => Error::WorkerStopped,
        })
    }

    fn fire(&self, command: Command) {
        if let Err(e) = self.try_send(command) {
            tracing::warn!(error = %e, "network command dropped");
        }
    }
}
