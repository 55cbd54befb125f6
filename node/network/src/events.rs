//! How the worker reacts to swarm and protocol events: connections, identify, kademlia,
//! gossip validation, the status handshake and block sync (both directions). Content exchange
//! has its own module, `content.rs`.

use std::time::Instant;

use libp2p::{
    gossipsub::{self, MessageAcceptance, MessageId},
    identify, kad,
    multiaddr::Protocol,
    request_response::{self, InboundFailure, Message, OutboundFailure, ResponseChannel},
    swarm::SwarmEvent,
    PeerId,
};
use parity_scale_codec::{DecodeAll, Encode};

use crate::{
    behaviour::{BehaviourEvent, GossipKind},
    codec::{frame_error, FrameError},
    error::Error,
    rate_limit::Verdict,
    types::{NetworkEvent, Status, SyncBlock, SyncRequest, MAX_BLOCKS_PER_REQUEST},
    worker::{NetworkWorker, PeerState},
};

/// Listen addresses taken from one identify message (the rest is ignored).
const MAX_IDENTIFY_ADDRS: usize = 8;
/// Bytes of a SCALE compact length prefix, at most.
const COMPACT_PREFIX_BYTES: usize = 5;

impl NetworkWorker {
    pub(crate) fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::Behaviour(event) => self.on_behaviour_event(event),
            SwarmEvent::ConnectionEstablished { peer_id, endpoint, num_established, .. } => {
                tracing::debug!(peer = %peer_id, addr = %endpoint.get_remote_address(), "connection established");
                if num_established.get() == 1 {
                    self.peers.insert(peer_id, PeerState::default());
                    let ours = self.provider.status();
                    self.swarm.behaviour_mut().status.send_request(&peer_id, ours);
                }
            }
            SwarmEvent::ConnectionClosed { peer_id, num_established, cause, .. } => {
                tracing::debug!(peer = %peer_id, cause = ?cause, remaining = num_established, "connection closed");
                if num_established == 0 {
                    self.rate.forget(&peer_id);
                    self.content_rate.forget(&peer_id);
                    if self.peers.remove(&peer_id).is_some_and(|p| p.status.is_some()) {
                        self.shared.write().peers.remove(&peer_id);
                        tracing::info!(peer = %peer_id, "peer disconnected");
                        self.emit(NetworkEvent::PeerDisconnected { peer: peer_id });
                    }
                }
            }
            SwarmEvent::NewListenAddr { address, .. } => {
                let full = address.clone().with(Protocol::P2p(*self.swarm.local_peer_id()));
                tracing::info!(address = %full, "listening");
                let mut shared = self.shared.write();
                if !shared.listen_addresses.contains(&address) {
                    shared.listen_addresses.push(address);
                }
            }
            SwarmEvent::ExpiredListenAddr { address, .. } => {
                self.shared.write().listen_addresses.retain(|a| *a != address);
            }
            SwarmEvent::IncomingConnectionError { send_back_addr, error, .. } => {
                tracing::debug!(addr = %send_back_addr, error = %error, "incoming connection failed");
            }
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                tracing::debug!(peer = ?peer_id, error = %error, "outgoing connection failed");
            }
            SwarmEvent::ListenerError { error, .. } => tracing::warn!(error = %error, "listener error"),
            SwarmEvent::ListenerClosed { addresses, reason, .. } => {
                tracing::warn!(?addresses, ?reason, "listener closed");
            }
            _ => {}
        }
    }

    fn on_behaviour_event(&mut self, event: BehaviourEvent) {
        match event {
            BehaviourEvent::Gate(never) | BehaviourEvent::Limits(never) => match never {},
            BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. }) => {
                if info.protocols.contains(&self.protocols.kad) {
                    let kad = &mut self.swarm.behaviour_mut().kad;
                    for addr in info.listen_addrs.into_iter().take(MAX_IDENTIFY_ADDRS) {
                        kad.add_address(&peer_id, addr);
                    }
                }
            }
            BehaviourEvent::Identify(_) => {}
            BehaviourEvent::Kad(kad::Event::RoutingUpdated { peer, is_new_peer: true, .. }) => {
                let gate = &self.swarm.behaviour().gate;
                if !gate.is_connected(&peer) && gate.check(&peer).is_ok() {
                    tracing::debug!(peer = %peer, "discovered peer; dialling");
                    let _ = self.dial(peer, None);
                }
            }
            BehaviourEvent::Kad(_) => {}
            BehaviourEvent::Gossipsub(gossipsub::Event::Message { propagation_source, message_id, message }) => {
                self.on_gossip(propagation_source, message_id, message);
            }
            BehaviourEvent::Gossipsub(_) => {}
            BehaviourEvent::Status(event) => self.on_status_event(event),
            BehaviourEvent::Sync(event) => self.on_sync_event(event),
            BehaviourEvent::Content(event) => self.on_content_event(event),
        }
    }

    fn on_gossip(&mut self, from: PeerId, id: MessageId, message: gossipsub::Message) {
        let kind = self.protocols.kind_of(&message.topic);
        let mut event = None;
        let mut offence = None;
        match kind {
            Some(GossipKind::Blocks) => match SyncBlock::decode_all(&mut message.data.as_slice()) {
                Ok(block) => {
                    if let Some(author) = message.source {
                        self.note_best(author, &block);
                    }
                    event = Some(NetworkEvent::BlockAnnounced { peer: from, origin: message.source, block });
                }
                Err(e) => offence = Some(format!("undecodable block announcement: {e}")),
            },
            Some(_) if message.data.is_empty() => offence = Some("empty gossip message".to_string()),
            Some(GossipKind::Transactions) => {
                event = Some(NetworkEvent::Transaction { peer: from, origin: message.source, xt: message.data })
            }
            Some(GossipKind::Votes) => {
                event = Some(NetworkEvent::Vote { peer: from, origin: message.source, data: message.data })
            }
            None => {}
        }
        let acceptance = match (&event, &offence) {
            (Some(_), _) => MessageAcceptance::Accept,
            (None, Some(_)) => MessageAcceptance::Reject,
            (None, None) => MessageAcceptance::Ignore,
        };
        self.swarm.behaviour_mut().gossipsub.report_message_validation_result(&id, &from, acceptance);
        if let Some(reason) = offence {
            self.ban(from, &reason);
        }
        if let Some(event) = event {
            self.emit(event);
        }
    }

    /// A block announced by its author raises that author's known best block.
    fn note_best(&mut self, author: PeerId, block: &SyncBlock) {
        let header = &block.block.header;
        let Some(status) = self.peers.get_mut(&author).and_then(|p| p.status.as_mut()) else { return };
        if header.number > status.best_number {
            status.best_number = header.number;
            status.best_hash = header.hash();
            self.shared.write().peers.insert(author, *status);
        }
    }

    /// Applies the rate limit to one inbound request; `false` means drop it. A banned peer's
    /// requests still in flight while its connections close are dropped too (its rate window
    /// was forgotten with the ban, so the limiter alone would let them through).
    fn admit_request(&mut self, peer: PeerId) -> bool {
        if self.swarm.behaviour().gate.is_banned(&peer) {
            return false;
        }
        match self.rate.check(peer, Instant::now()) {
            Verdict::Allow => true,
            Verdict::Drop => {
                tracing::debug!(peer = %peer, "request over the rate limit dropped");
                false
            }
            Verdict::Abuse => {
                self.ban(peer, "request flood");
                false
            }
        }
    }

    fn on_status_event(&mut self, event: request_response::Event<Status, Status>) {
        match event {
            request_response::Event::Message { peer, message: Message::Request { request, channel, .. }, .. } => {
                if !self.admit_request(peer) {
                    return;
                }
                // Answer even a peer we are about to refuse: it learns our genesis and drops us.
                let ours = self.provider.status();
                let _ = self.swarm.behaviour_mut().status.send_response(channel, ours);
                self.on_peer_status(peer, request);
            }
            request_response::Event::Message { peer, message: Message::Response { response, .. }, .. } => {
                self.on_peer_status(peer, response);
            }
            request_response::Event::OutboundFailure { peer, error, .. } => match &error {
                OutboundFailure::UnsupportedProtocols => {
                    self.ban(peer, "does not speak our status protocol (another chain)");
                }
                OutboundFailure::Io(e) if frame_error(e).is_some() => self.ban(peer, &format!("bad status: {e}")),
                _ if self.peers.get(&peer).is_some_and(|p| p.status.is_none()) => {
                    tracing::debug!(peer = %peer, error = %error, "status exchange failed; disconnecting");
                    let _ = self.swarm.disconnect_peer_id(peer);
                }
                _ => {}
            },
            request_response::Event::InboundFailure { peer, error, .. } => {
                self.on_inbound_failure(peer, error, "status")
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    fn on_peer_status(&mut self, peer: PeerId, status: Status) {
        if status.genesis_hash != self.genesis {
            let reason = format!("genesis mismatch: theirs {}, ours {}", status.genesis_hash, self.genesis);
            return self.ban(peer, &reason);
        }
        let Some(state) = self.peers.get_mut(&peer) else { return };
        let first = state.status.is_none();
        state.status = Some(status);
        self.shared.write().peers.insert(peer, status);
        if first {
            tracing::info!(peer = %peer, best = status.best_number, finalized = status.finalized_number, "peer connected");
            self.emit(NetworkEvent::PeerConnected { peer, status });
        }
    }

    pub(crate) fn on_inbound_failure(&mut self, peer: PeerId, error: InboundFailure, protocol: &str) {
        match &error {
            InboundFailure::Io(e) if frame_error(e).is_some() => {
                self.ban(peer, &format!("malformed {protocol} request: {e}"));
            }
            _ => tracing::debug!(peer = %peer, protocol, error = %error, "inbound request failed"),
        }
    }

    fn on_sync_event(&mut self, event: request_response::Event<SyncRequest, Vec<SyncBlock>>) {
        match event {
            request_response::Event::Message { peer, message: Message::Request { request, channel, .. }, .. } => {
                self.serve(peer, request, channel);
            }
            request_response::Event::Message { peer, message: Message::Response { request_id, response }, .. } => {
                let Some(pending) = self.sync_requests.remove(&request_id) else { return };
                let result = match check_response(&pending.request, &response) {
                    Ok(()) => Ok(response),
                    Err(reason) => {
                        self.ban(peer, &format!("invalid sync response: {reason}"));
                        Err(Error::InvalidResponse { peer: peer.to_string(), reason })
                    }
                };
                let _ = pending.reply.send(result);
            }
            request_response::Event::OutboundFailure { peer, request_id, error, .. } => {
                if let OutboundFailure::Io(e) = &error {
                    if let Some(FrameError::Undecodable(_)) = frame_error(e) {
                        self.ban(peer, &format!("undecodable sync response: {e}"));
                    }
                }
                tracing::debug!(peer = %peer, error = %error, "sync request failed");
                if let Some(pending) = self.sync_requests.remove(&request_id) {
                    let reason = error.to_string();
                    let _ = pending.reply.send(Err(Error::Request { peer: pending.peer.to_string(), reason }));
                }
            }
            request_response::Event::InboundFailure { peer, error, .. } => self.on_inbound_failure(peer, error, "sync"),
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    /// Starts a blocking job that reads the requested blocks from the provider.
    fn serve(&mut self, peer: PeerId, request: SyncRequest, channel: ResponseChannel<Vec<SyncBlock>>) {
        if !self.admit_request(peer) {
            return;
        }
        let max = if request.by_hash.is_some() { 1 } else { request.max.min(MAX_BLOCKS_PER_REQUEST) };
        if max == 0 {
            let _ = self.swarm.behaviour_mut().sync.send_response(channel, Vec::new());
            return;
        }
        if !self.can_serve() {
            tracing::debug!(peer = %peer, "too many sync requests in progress; dropping one");
            return;
        }
        let provider = self.provider.clone();
        let job = tokio::task::spawn_blocking(move || match request.by_hash {
            Some(hash) => provider.block_by_hash(&hash).into_iter().collect(),
            None => provider.blocks(request.from, max),
        });
        self.serving.push(Box::pin(async move { (peer, request, channel, job.await.ok()) }));
    }

    /// Sends what the provider returned, trimmed to the request and to `max_message_bytes`.
    pub(crate) fn finish_serving(
        &mut self,
        peer: PeerId,
        request: SyncRequest,
        channel: ResponseChannel<Vec<SyncBlock>>,
        blocks: Option<Vec<SyncBlock>>,
    ) {
        let Some(mut blocks) = blocks else {
            tracing::error!(peer = %peer, from = request.from, "block provider failed; request dropped");
            return;
        };
        let max = if request.by_hash.is_some() { 1 } else { request.max.min(MAX_BLOCKS_PER_REQUEST) as usize };
        let mut bytes = COMPACT_PREFIX_BYTES;
        let mut keep = 0;
        for block in blocks.iter().take(max) {
            bytes += block.encoded_size();
            if bytes > self.max_message_bytes {
                break;
            }
            keep += 1;
        }
        blocks.truncate(keep);
        tracing::debug!(peer = %peer, from = request.from, count = blocks.len(), "serving blocks");
        if self.swarm.behaviour_mut().sync.send_response(channel, blocks).is_err() {
            tracing::debug!(peer = %peer, "sync requester went away before the answer");
        }
    }
}

/// Checks a sync answer: at most `max` blocks, numbered `from, from + 1, …`.
fn check_response(request: &SyncRequest, blocks: &[SyncBlock]) -> Result<(), String> {
    if let Some(hash) = request.by_hash {
        return match blocks {
            [] => Ok(()),
            [b] if b.block.hash() == hash => Ok(()),
            [b] => Err(format!("block {} for a request of {hash}", b.block.hash())),
            _ => Err(format!("{} blocks for a request of one block", blocks.len())),
        };
    }
    if blocks.len() > request.max as usize {
        return Err(format!("{} blocks for a request of {}", blocks.len(), request.max));
    }
    for (i, block) in blocks.iter().enumerate() {
        let expected = u32::try_from(i).ok().and_then(|i| request.from.checked_add(i));
        if Some(block.block.header.number) != expected {
            return Err(format!(
                "block #{} at position {i} of a request from #{}",
                block.block.header.number, request.from
            ));
        }
    }
    Ok(())
}
