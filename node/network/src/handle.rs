//! [`NetworkHandle`]: the cloneable front of the network worker.
//!
//! Commands go to the worker over a bounded channel; queries that must answer synchronously
//! (`peers`, `listen_addresses`, …) read a snapshot the worker keeps up to date.

use std::{collections::BTreeMap, sync::Arc};

use archive_primitives::{BlockNumber, H256};
use libp2p::{multiaddr::Protocol, Multiaddr, PeerId};
use parity_scale_codec::Encode;
use parking_lot::RwLock;
use rand::seq::SliceRandom;
use tokio::sync::{
    mpsc::{self, error::TrySendError},
    oneshot,
};

use crate::{
    behaviour::{GossipKind, GOSSIP_ENVELOPE_BYTES},
    config::{parse_peer_addr, parse_peer_id},
    content::ContentRequest,
    error::Error,
    types::{ConnectedPeer, Status, SyncBlock, SyncRequest, MAX_BLOCKS_PER_REQUEST},
};

/// Peers [`NetworkHandle::fetch_content`] asks for one record, at most: enough to get past a
/// few liars and peers that lack it, without sweeping a large peer set for every miss.
pub const MAX_FETCH_ATTEMPTS: usize = 8;

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
    RequestContent { peer: PeerId, request: ContentRequest, reply: oneshot::Sender<Result<Option<Vec<u8>>, Error>> },
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
    max_content_bytes: u32,
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
        max_content_bytes: usize,
        commands: mpsc::Sender<Command>,
        shared: Arc<RwLock<Shared>>,
    ) -> Self {
        NetworkHandle {
            local_peer_id,
            max_gossip_bytes: max_message_bytes.saturating_sub(GOSSIP_ENVELOPE_BYTES),
            max_content_bytes: u32::try_from(max_content_bytes).unwrap_or(u32::MAX),
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

    /// Asks `peer` for the archived record whose content hash is `hash`, if it is at most
    /// `max_bytes` long (capped at [`NetworkConfig::max_content_bytes`](crate::NetworkConfig::max_content_bytes)).
    /// `Ok(None)`: the peer does not have it, or not within `max_bytes`. The bytes are NOT
    /// checked against the hash: re-hash them, and [`report`](Self::report) a peer whose bytes
    /// do not match (or use [`fetch_content`](Self::fetch_content), which does both).
    ///
    /// # Errors
    /// [`Error::Request`] if the peer is not connected, times out (30 s), drops the request
    /// (overloaded, rate-limited) or its answer frame is over our limit;
    /// [`Error::InvalidResponse`] for an answer longer than `max_bytes` or undecodable (the peer
    /// is then banned); [`Error::WorkerStopped`] if the worker is gone.
    pub async fn request_content(
        &self,
        peer: PeerId,
        hash: [u8; 32],
        max_bytes: u32,
    ) -> Result<Option<Vec<u8>>, Error> {
        let request = ContentRequest { hash, max_bytes: max_bytes.min(self.max_content_bytes) };
        self.send_content_request(peer, request).await
    }

    /// [`request_content`](Self::request_content) without capping `max_bytes` at our own limit,
    /// so a peer may answer with more than our codec accepts (tests only).
    #[cfg(test)]
    pub(crate) async fn request_content_uncapped(
        &self,
        peer: PeerId,
        hash: [u8; 32],
        max_bytes: u32,
    ) -> Result<Option<Vec<u8>>, Error> {
        self.send_content_request(peer, ContentRequest { hash, max_bytes }).await
    }

    async fn send_content_request(&self, peer: PeerId, request: ContentRequest) -> Result<Option<Vec<u8>>, Error> {
        let (reply, answer) = oneshot::channel();
        self.commands.send(Command::RequestContent { peer, request, reply }).await.map_err(|_| Error::WorkerStopped)?;
        answer.await.map_err(|_| Error::WorkerStopped)?
    }

    /// Fetches the archived record with content hash `hash` from whichever connected peer has
    /// it: asks peers one after another, in random order, at most [`MAX_FETCH_ATTEMPTS`] of
    /// them, each with the request timeout (30 s), until one returns bytes for which `verify`
    /// (the caller's re-hash, run on the calling task) holds. A peer whose bytes fail `verify`
    /// is reported (banned: serving bytes that do not match the hash is misbehaviour); a peer
    /// that does not have the record, or fails to answer, is not.
    ///
    /// # Errors
    /// [`Error::ContentUnavailable`] if no peer asked served passing bytes (including when no
    /// peer is connected); [`Error::WorkerStopped`] if the worker is gone.
    pub async fn fetch_content(
        &self,
        hash: [u8; 32],
        max_bytes: u32,
        verify: impl Fn(&[u8]) -> bool + Send + Sync,
    ) -> Result<(PeerId, Vec<u8>), Error> {
        let mut peers: Vec<PeerId> = self.shared.read().peers.keys().copied().collect();
        peers.shuffle(&mut rand::thread_rng());
        self.fetch_content_from(peers, hash, max_bytes, verify).await
    }

    /// [`fetch_content`](Self::fetch_content) asking `peers` in the given order.
    pub(crate) async fn fetch_content_from(
        &self,
        peers: Vec<PeerId>,
        hash: [u8; 32],
        max_bytes: u32,
        verify: impl Fn(&[u8]) -> bool + Send + Sync,
    ) -> Result<(PeerId, Vec<u8>), Error> {
        let hex_hash = hex::encode(hash);
        let (mut asked, mut missing, mut failed, mut invalid) = (0, 0, 0, 0);
        for peer in peers.into_iter().take(MAX_FETCH_ATTEMPTS) {
            asked += 1;
            match self.request_content(peer, hash, max_bytes).await {
                Ok(Some(bytes)) if verify(&bytes) => {
                    tracing::debug!(peer = %peer, hash = %hex_hash, bytes = bytes.len(), "content fetched");
                    return Ok((peer, bytes));
                }
                Ok(Some(bytes)) => {
                    invalid += 1;
                    tracing::warn!(peer = %peer, hash = %hex_hash, bytes = bytes.len(), "content does not match its hash");
                    self.report(peer, &format!("served content that does not match hash {hex_hash}"));
                }
                Ok(None) => missing += 1,
                Err(Error::WorkerStopped) => return Err(Error::WorkerStopped),
                Err(e) => {
                    failed += 1;
                    tracing::debug!(peer = %peer, hash = %hex_hash, error = %e, "content request failed; trying another peer");
                }
            }
        }
        Err(Error::ContentUnavailable { hash: hex_hash, asked, missing, failed, invalid })
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
