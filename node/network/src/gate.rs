//! The peer gate: a [`NetworkBehaviour`] with no protocol of its own that decides which
//! connections may exist — banned peers, the blocked (partitioned) mode, reserved-only mode and
//! the peer limit — and closes the ones that no longer may.
//!
//! It sits first in the composed behaviour, so a refused connection never reaches the others.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    convert::Infallible,
    fmt,
    task::{Context, Poll, Waker},
    time::Instant,
};

use libp2p::{
    core::{transport::PortUse, Endpoint},
    swarm::{
        behaviour::{ConnectionClosed, ConnectionEstablished},
        dummy, CloseConnection, ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler, THandlerInEvent,
        THandlerOutEvent, ToSwarm,
    },
    Multiaddr, PeerId,
};

/// Why the gate refused a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The node is partitioned by [`NetworkHandle::disconnect_all_and_block`](crate::NetworkHandle::disconnect_all_and_block).
    Blocked,
    /// The peer is banned.
    Banned,
    /// Reserved-only mode and the peer is not reserved.
    NotReserved,
    /// `max_peers` reached.
    TooManyPeers,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::Blocked => "node is blocking all connections",
            Refusal::Banned => "peer is banned",
            Refusal::NotReserved => "peer is not reserved (reserved-only mode)",
            Refusal::TooManyPeers => "peer limit reached",
        })
    }
}

impl std::error::Error for Refusal {}

/// See the module docs.
pub(crate) struct PeerGate {
    max_peers: usize,
    reserved_only: bool,
    reserved: HashSet<PeerId>,
    bans: HashMap<PeerId, Instant>,
    blocked: bool,
    /// Established connections per peer.
    connected: HashMap<PeerId, usize>,
    to_close: VecDeque<PeerId>,
    waker: Option<Waker>,
}

impl PeerGate {
    pub(crate) fn new(max_peers: usize, reserved_only: bool) -> Self {
        PeerGate {
            max_peers,
            reserved_only,
            reserved: HashSet::new(),
            bans: HashMap::new(),
            blocked: false,
            connected: HashMap::new(),
            to_close: VecDeque::new(),
            waker: None,
        }
    }

    /// Whether `peer` may hold a connection now.
    pub(crate) fn check(&self, peer: &PeerId) -> Result<(), Refusal> {
        if self.blocked {
            return Err(Refusal::Blocked);
        }
        if self.is_banned(peer) {
            return Err(Refusal::Banned);
        }
        let reserved = self.reserved.contains(peer);
        if self.reserved_only && !reserved {
            return Err(Refusal::NotReserved);
        }
        if !reserved && !self.connected.contains_key(peer) && self.connected.len() >= self.max_peers {
            return Err(Refusal::TooManyPeers);
        }
        Ok(())
    }

    pub(crate) fn is_banned(&self, peer: &PeerId) -> bool {
        self.bans.get(peer).is_some_and(|until| *until > Instant::now())
    }

    /// Bans `peer` until `until` and closes its connections.
    pub(crate) fn ban(&mut self, peer: PeerId, until: Instant) {
        let entry = self.bans.entry(peer).or_insert(until);
        *entry = (*entry).max(until);
        self.close(peer);
    }

    /// Forgets bans that have run out; returns whether any did.
    pub(crate) fn expire_bans(&mut self, now: Instant) -> bool {
        let before = self.bans.len();
        self.bans.retain(|_, until| *until > now);
        self.bans.len() != before
    }

    pub(crate) fn banned_peers(&self) -> Vec<PeerId> {
        let now = Instant::now();
        self.bans.iter().filter(|(_, until)| **until > now).map(|(peer, _)| *peer).collect()
    }

    /// Enters or leaves the blocked mode; entering closes every connection.
    pub(crate) fn set_blocked(&mut self, blocked: bool) {
        self.blocked = blocked;
        if blocked {
            let peers: Vec<PeerId> = self.connected.keys().copied().collect();
            for peer in peers {
                self.close(peer);
            }
        }
    }

    pub(crate) fn is_blocked(&self) -> bool {
        self.blocked
    }

    pub(crate) fn add_reserved(&mut self, peer: PeerId) {
        self.reserved.insert(peer);
    }

    /// Removes a reserved peer; in reserved-only mode its connections are closed.
    pub(crate) fn remove_reserved(&mut self, peer: &PeerId) {
        if self.reserved.remove(peer) && self.reserved_only {
            self.close(*peer);
        }
    }

    pub(crate) fn reserved(&self) -> &HashSet<PeerId> {
        &self.reserved
    }

    pub(crate) fn is_connected(&self, peer: &PeerId) -> bool {
        self.connected.contains_key(peer)
    }

    pub(crate) fn connected_count(&self) -> usize {
        self.connected.len()
    }

    fn close(&mut self, peer: PeerId) {
        self.to_close.push_back(peer);
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    fn admit(&self, peer: &PeerId) -> Result<THandler<Self>, ConnectionDenied> {
        match self.check(peer) {
            Ok(()) => Ok(dummy::ConnectionHandler),
            Err(refusal) => {
                tracing::debug!(peer = %peer, reason = %refusal, "refusing connection");
                Err(ConnectionDenied::new(refusal))
            }
        }
    }
}

impl NetworkBehaviour for PeerGate {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = Infallible;

    fn handle_pending_inbound_connection(
        &mut self,
        _: ConnectionId,
        _: &Multiaddr,
        _: &Multiaddr,
    ) -> Result<(), ConnectionDenied> {
        if self.blocked {
            return Err(ConnectionDenied::new(Refusal::Blocked));
        }
        Ok(())
    }

    fn handle_established_inbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.admit(&peer)
    }

    fn handle_pending_outbound_connection(
        &mut self,
        _: ConnectionId,
        peer: Option<PeerId>,
        _: &[Multiaddr],
        _: Endpoint,
    ) -> Result<Vec<Multiaddr>, ConnectionDenied> {
        match peer {
            Some(peer) => self.admit(&peer).map(|_| Vec::new()),
            None if self.blocked => Err(ConnectionDenied::new(Refusal::Blocked)),
            None => Ok(Vec::new()),
        }
    }

    fn handle_established_outbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: Endpoint,
        _: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.admit(&peer)
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match event {
            FromSwarm::ConnectionEstablished(ConnectionEstablished { peer_id, .. }) => {
                *self.connected.entry(peer_id).or_default() += 1;
            }
            FromSwarm::ConnectionClosed(ConnectionClosed { peer_id, remaining_established, .. }) => {
                if remaining_established == 0 {
                    self.connected.remove(&peer_id);
                } else {
                    self.connected.insert(peer_id, remaining_established);
                }
            }
            _ => {}
        }
    }

    fn on_connection_handler_event(&mut self, _: PeerId, _: ConnectionId, event: THandlerOutEvent<Self>) {
        match event {}
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<ToSwarm<Self::ToSwarm, THandlerInEvent<Self>>> {
        if let Some(peer_id) = self.to_close.pop_front() {
            return Poll::Ready(ToSwarm::CloseConnection { peer_id, connection: CloseConnection::All });
        }
        self.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn refusals() {
        let mut gate = PeerGate::new(1, false);
        let (a, b, r) = (PeerId::random(), PeerId::random(), PeerId::random());
        assert_eq!(gate.check(&a), Ok(()));
        gate.connected.insert(a, 1);
        assert_eq!(gate.check(&a), Ok(()), "a connected peer may open more connections");
        assert_eq!(gate.check(&b), Err(Refusal::TooManyPeers));
        gate.add_reserved(r);
        assert_eq!(gate.check(&r), Ok(()), "reserved peers are exempt from the limit");

        gate.ban(b, Instant::now() + Duration::from_secs(60));
        assert_eq!(gate.check(&b), Err(Refusal::Banned));
        assert_eq!(gate.banned_peers(), vec![b]);
        assert!(!gate.expire_bans(Instant::now()));
        assert!(gate.expire_bans(Instant::now() + Duration::from_secs(61)));
        assert!(!gate.is_banned(&b));

        gate.set_blocked(true);
        assert_eq!(gate.check(&a), Err(Refusal::Blocked));
        assert_eq!(gate.to_close.back(), Some(&a));
        gate.set_blocked(false);
        assert_eq!(gate.check(&a), Ok(()));

        let mut only = PeerGate::new(10, true);
        only.add_reserved(r);
        assert_eq!(only.check(&a), Err(Refusal::NotReserved));
        assert_eq!(only.check(&r), Ok(()));
        only.remove_reserved(&r);
        assert_eq!(only.check(&r), Err(Refusal::NotReserved));
    }
}
