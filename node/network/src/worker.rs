//! [`NetworkWorker`]: the one task that owns the libp2p swarm.
//!
//! Its `select!` loop multiplexes swarm events, handle commands, finished block- and
//! content-serving jobs, delivery of queued [`NetworkEvent`]s and a one-second maintenance
//! tick. Event handling for the protocols lives in `events.rs` and `content.rs`.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    future::Future,
    pin::Pin,
    sync::Arc,
    time::{Duration, Instant},
};

use archive_primitives::H256;
use futures::{stream::FuturesUnordered, StreamExt};
use libp2p::{
    request_response::{OutboundRequestId, ResponseChannel},
    swarm::{
        dial_opts::{DialOpts, PeerCondition},
        DialError,
    },
    Multiaddr, PeerId, Swarm,
};
use parking_lot::RwLock;
use tokio::sync::{mpsc, oneshot};

use crate::{
    behaviour::{Behaviour, Protocols},
    content::{ContentJob, PendingContent},
    error::Error,
    handle::{Command, Shared},
    rate_limit::RateLimiter,
    types::{BlockProvider, NetworkEvent, Status, SyncBlock, SyncRequest},
};

/// How often bans expire, rate windows are pruned and reconnection is considered.
const MAINTENANCE_INTERVAL: Duration = Duration::from_secs(1);
/// Reconnect to reserved peers (and boot nodes when alone) every this many ticks.
const RECONNECT_EVERY_TICKS: u64 = 3;
/// Redial disconnected boot nodes every this many ticks even when we have peers (a multiple
/// of [`RECONNECT_EVERY_TICKS`]).
const BOOT_REDIAL_EVERY_TICKS: u64 = 15;
/// Queued events beyond which new gossip events are dropped (peer events never are).
const MAX_PENDING_EVENTS: usize = 4096;
/// Block-serving jobs (database reads) running at once; further sync requests are dropped.
const MAX_CONCURRENT_SERVES: usize = 8;

/// A block-serving job: the provider runs on a blocking thread.
pub(crate) type ServeJob = Pin<
    Box<dyn Future<Output = (PeerId, SyncRequest, ResponseChannel<Vec<SyncBlock>>, Option<Vec<SyncBlock>>)> + Send>,
>;

/// A sync request we sent and whose answer a handle awaits.
pub(crate) struct PendingSync {
    pub(crate) peer: PeerId,
    pub(crate) request: SyncRequest,
    pub(crate) reply: oneshot::Sender<Result<Vec<SyncBlock>, Error>>,
}

/// A connected peer; `status` is `None` until the handshake completes.
#[derive(Debug, Default)]
pub(crate) struct PeerState {
    pub(crate) status: Option<Status>,
}

/// The network's owning task. Created by [`build`](crate::build); the service spawns
/// [`NetworkWorker::run`]. It stops when every [`NetworkHandle`](crate::NetworkHandle) is dropped.
pub struct NetworkWorker {
    pub(crate) swarm: Swarm<Behaviour>,
    pub(crate) protocols: Protocols,
    pub(crate) provider: Arc<dyn BlockProvider>,
    pub(crate) genesis: H256,
    pub(crate) ban_duration: Duration,
    pub(crate) max_message_bytes: usize,
    pub(crate) max_content_bytes: usize,
    pub(crate) commands: mpsc::Receiver<Command>,
    pub(crate) events: mpsc::Sender<NetworkEvent>,
    pub(crate) pending_events: VecDeque<NetworkEvent>,
    pub(crate) events_closed: bool,
    pub(crate) shared: Arc<RwLock<Shared>>,
    pub(crate) boot_nodes: Vec<(PeerId, Multiaddr)>,
    pub(crate) reserved: HashMap<PeerId, Multiaddr>,
    pub(crate) peers: HashMap<PeerId, PeerState>,
    /// Peers connected when the node blocked itself, redialled when it unblocks.
    pub(crate) remembered: HashSet<PeerId>,
    pub(crate) sync_requests: HashMap<OutboundRequestId, PendingSync>,
    pub(crate) serving: FuturesUnordered<ServeJob>,
    pub(crate) rate: RateLimiter,
    pub(crate) content_requests: HashMap<OutboundRequestId, PendingContent>,
    pub(crate) content_serving: FuturesUnordered<ContentJob>,
    /// Content requests are rate-limited apart from status and sync, so fetching records does
    /// not eat a peer's sync budget (and the reverse).
    pub(crate) content_rate: RateLimiter,
    pub(crate) ticks: u64,
}

impl std::fmt::Debug for NetworkWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetworkWorker").field("local_peer_id", self.swarm.local_peer_id()).finish_non_exhaustive()
    }
}

impl NetworkWorker {
    /// Runs the network until every handle is dropped. Spawn it once (node/service does).
    pub async fn run(mut self) {
        self.start();
        let mut tick = tokio::time::interval(MAINTENANCE_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // A clone, so a reserved permit does not borrow `self`.
        let events = self.events.clone();
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = self.commands.recv() => match command {
                    Some(command) => self.on_command(command),
                    None => break,
                },
                Some((peer, request, channel, blocks)) = self.serving.next(), if !self.serving.is_empty() => {
                    self.finish_serving(peer, request, channel, blocks);
                }
                Some(served) = self.content_serving.next(), if !self.content_serving.is_empty() => {
                    self.finish_serving_content(served);
                }
                permit = events.reserve(), if !self.pending_events.is_empty() => match permit {
                    Ok(permit) => {
                        if let Some(event) = self.pending_events.pop_front() {
                            permit.send(event);
                        }
                    }
                    Err(_) => self.close_events(),
                },
                _ = tick.tick() => self.maintain(),
            }
        }
        tracing::info!(peer_id = %self.swarm.local_peer_id(), "network handles dropped; network worker stopped");
    }

    /// Dials the boot nodes and starts kademlia.
    fn start(&mut self) {
        let boot_nodes = self.boot_nodes.clone();
        for (peer, addr) in &boot_nodes {
            self.swarm.behaviour_mut().kad.add_address(peer, addr.clone());
            self.swarm.add_peer_address(*peer, addr.clone());
        }
        for (peer, addr) in boot_nodes {
            if let Err(e) = self.dial(peer, Some(addr)) {
                tracing::warn!(peer = %peer, error = %e, "cannot dial boot node");
            }
        }
        if !self.boot_nodes.is_empty() {
            if let Err(e) = self.swarm.behaviour_mut().kad.bootstrap() {
                tracing::debug!(error = %e, "kademlia bootstrap not started");
            }
        }
        self.publish_reserved();
    }

    /// Queues an event for the consumer without ever blocking the loop.
    pub(crate) fn emit(&mut self, event: NetworkEvent) {
        if self.events_closed {
            return;
        }
        if self.pending_events.is_empty() {
            match self.events.try_send(event) {
                Ok(()) => return,
                Err(mpsc::error::TrySendError::Closed(_)) => return self.close_events(),
                Err(mpsc::error::TrySendError::Full(event)) => return self.pending_events.push_back(event),
            }
        }
        if event.is_gossip() && self.pending_events.len() >= MAX_PENDING_EVENTS {
            tracing::warn!(queued = self.pending_events.len(), "event consumer lags; dropping a gossip event");
            return;
        }
        self.pending_events.push_back(event);
    }

    fn close_events(&mut self) {
        tracing::debug!("network event receiver dropped; events are discarded from now on");
        self.events_closed = true;
        self.pending_events.clear();
    }

    fn on_command(&mut self, command: Command) {
        match command {
            Command::Publish { kind, data } => {
                let topic = self.protocols.topic(kind).clone();
                let bytes = data.len();
                match self.swarm.behaviour_mut().gossipsub.publish(topic, data) {
                    Ok(id) => tracing::debug!(?kind, bytes, message_id = %id, "gossip published"),
                    Err(e) => tracing::debug!(?kind, bytes, error = %e, "gossip not published"),
                }
            }
            Command::RequestBlocks { peer, request, reply } => {
                if self.peers.get(&peer).is_none_or(|p| p.status.is_none()) {
                    let _ = reply.send(Err(Error::Request { peer: peer.to_string(), reason: "not connected".into() }));
                    return;
                }
                let id = self.swarm.behaviour_mut().sync.send_request(&peer, request);
                tracing::debug!(peer = %peer, from = request.from, max = request.max, "requesting blocks");
                self.sync_requests.insert(id, PendingSync { peer, request, reply });
            }
            Command::RequestContent { peer, request, reply } => {
                self.request_content(PendingContent { peer, request, reply });
            }
            Command::Report { peer, reason } => self.ban(peer, &reason),
            Command::AddReserved { peer, addr, reply } => {
                self.reserved.insert(peer, addr.clone());
                self.swarm.behaviour_mut().gate.add_reserved(peer);
                self.swarm.behaviour_mut().kad.add_address(&peer, addr.clone());
                self.swarm.add_peer_address(peer, addr.clone());
                self.publish_reserved();
                tracing::info!(peer = %peer, %addr, "reserved peer added");
                let _ = reply.send(self.dial(peer, Some(addr)));
            }
            Command::RemoveReserved { peer } => {
                self.reserved.remove(&peer);
                self.swarm.behaviour_mut().gate.remove_reserved(&peer);
                self.publish_reserved();
                tracing::info!(peer = %peer, "reserved peer removed");
            }
            Command::SetBlocked(blocked) => self.set_blocked(blocked),
        }
    }

    fn set_blocked(&mut self, blocked: bool) {
        if blocked {
            self.remembered.extend(self.peers.keys().copied());
            self.swarm.behaviour_mut().gate.set_blocked(true);
            tracing::info!(peers = self.peers.len(), "blocking: all connections dropped and refused");
        } else {
            self.swarm.behaviour_mut().gate.set_blocked(false);
            tracing::info!(redial = self.remembered.len(), "unblocked: reconnecting");
            let remembered: Vec<PeerId> = self.remembered.drain().collect();
            for peer in remembered {
                let addr = self.reserved.get(&peer).cloned();
                let _ = self.dial(peer, addr);
            }
            self.reconnect(true);
        }
    }

    /// Bans `peer` for the configured duration and closes its connections.
    pub(crate) fn ban(&mut self, peer: PeerId, reason: &str) {
        if peer == *self.swarm.local_peer_id() {
            return;
        }
        tracing::warn!(peer = %peer, reason, ban_secs = self.ban_duration.as_secs(), "banning peer");
        let until = Instant::now() + self.ban_duration;
        let behaviour = self.swarm.behaviour_mut();
        behaviour.gate.ban(peer, until);
        behaviour.kad.remove_peer(&peer);
        self.rate.forget(&peer);
        self.content_rate.forget(&peer);
        self.shared.write().banned = self.swarm.behaviour().gate.banned_peers();
    }

    /// Dials `peer` (at `addr`, plus what kademlia knows) unless already connected or dialling.
    pub(crate) fn dial(&mut self, peer: PeerId, addr: Option<Multiaddr>) -> Result<(), Error> {
        let opts = DialOpts::peer_id(peer)
            .condition(PeerCondition::DisconnectedAndNotDialing)
            .addresses(addr.into_iter().collect())
            .extend_addresses_through_behaviour()
            .build();
        match self.swarm.dial(opts) {
            Ok(()) | Err(DialError::DialPeerConditionFalse(_)) => Ok(()),
            Err(e) => {
                tracing::debug!(peer = %peer, error = %e, "dial refused");
                Err(Error::Dial { peer: peer.to_string(), reason: e.to_string() })
            }
        }
    }

    /// Redials disconnected reserved peers, and the boot nodes when we have no peer at all
    /// (or `force_boot`).
    fn reconnect(&mut self, force_boot: bool) {
        if self.swarm.behaviour().gate.is_blocked() {
            return;
        }
        let reserved: Vec<(PeerId, Multiaddr)> = self.reserved.iter().map(|(p, a)| (*p, a.clone())).collect();
        for (peer, addr) in reserved {
            if !self.swarm.is_connected(&peer) {
                let _ = self.dial(peer, Some(addr));
            }
        }
        if force_boot || self.swarm.behaviour().gate.connected_count() == 0 {
            for (peer, addr) in self.boot_nodes.clone() {
                // Not a peer the gate would refuse (banned, or not reserved in reserved-only
                // mode: a partition made by removing reserved peers stays made).
                if !self.swarm.is_connected(&peer) && self.swarm.behaviour().gate.check(&peer).is_ok() {
                    let _ = self.dial(peer, Some(addr));
                }
            }
        }
    }

    fn maintain(&mut self) {
        let now = Instant::now();
        self.ticks = self.ticks.wrapping_add(1);
        if self.swarm.behaviour_mut().gate.expire_bans(now) {
            self.shared.write().banned = self.swarm.behaviour().gate.banned_peers();
        }
        self.rate.prune(now);
        self.content_rate.prune(now);
        if self.ticks.is_multiple_of(RECONNECT_EVERY_TICKS) {
            // Boot nodes are also redialled now and then while we have other peers: a boot
            // node that restarted knows nobody (no peer store), so only its peers can bring
            // it back into the network.
            self.reconnect(self.ticks.is_multiple_of(BOOT_REDIAL_EVERY_TICKS));
        }
    }

    fn publish_reserved(&mut self) {
        self.shared.write().reserved = self.swarm.behaviour().gate.reserved().iter().copied().collect();
    }

    /// Whether another serving job may start.
    pub(crate) fn can_serve(&self) -> bool {
        self.serving.len() < MAX_CONCURRENT_SERVES
    }
}
