//! The composed libp2p behaviour and the chain-specific protocol names.

use std::{collections::HashSet, time::Duration};

use archive_primitives::{hashing::blake2_256, H256};
use libp2p::{
    connection_limits::{self, ConnectionLimits},
    gossipsub::{
        self, IdentTopic, IdentityTransform, MessageAuthenticity, ValidationMode, WhitelistSubscriptionFilter,
    },
    identify,
    identity::Keypair,
    kad::{self, store::MemoryStore},
    request_response::{self, ProtocolSupport},
    swarm::NetworkBehaviour,
    StreamProtocol,
};

use crate::{
    codec::ScaleCodec,
    config::NetworkConfig,
    content::{ContentRequest, ContentResponse, CONTENT_ENVELOPE_BYTES},
    error::Error,
    gate::PeerGate,
    types::{Status, SyncBlock, SyncRequest},
};

/// Identify protocol version: the protocol family, independent of the chain.
pub(crate) const IDENTIFY_PROTOCOL_VERSION: &str = "/archivechain/1.0.0";
/// Largest status, sync or content request frame; each encodes to about a hundred bytes.
pub(crate) const MAX_SMALL_FRAME_BYTES: usize = 1024;
/// Room left in `max_message_bytes` for gossipsub's envelope (source, seqno, signature, key, topic).
pub(crate) const GOSSIP_ENVELOPE_BYTES: usize = 1024;
/// Timeout of the status exchange; a peer that does not answer in time is disconnected.
const STATUS_TIMEOUT: Duration = Duration::from_secs(10);
/// Timeout of a sync request (up to `max_message_bytes` on a slow link).
const SYNC_TIMEOUT: Duration = Duration::from_secs(30);
/// Timeout of a content request (up to `max_content_bytes` on a slow link); it is also the
/// per-peer timeout of [`NetworkHandle::fetch_content`](crate::NetworkHandle::fetch_content).
const CONTENT_TIMEOUT: Duration = Duration::from_secs(30);
/// Concurrent content streams per connection (both directions): each may hold an answer of up
/// to `max_content_bytes`, so this bounds the memory one peer can pin, unlike the small sync
/// answers.
const MAX_CONCURRENT_CONTENT_STREAMS: usize = 8;
/// Gossipsub heartbeat: mesh maintenance and lazy gossip (IHAVE) happen this often.
const GOSSIP_HEARTBEAT: Duration = Duration::from_secs(1);
/// First heartbeat soon after start, so a fresh node joins the mesh quickly.
const GOSSIP_FIRST_HEARTBEAT: Duration = Duration::from_millis(200);
/// Concurrent request-response streams per connection.
const MAX_CONCURRENT_STREAMS: usize = 64;
/// Inbound connections still handshaking (noise, yamux) at once: bounds the cost of a flood
/// of TCP connections that never identify themselves.
const MAX_PENDING_INCOMING: u32 = 32;
/// Outbound dials in flight at once.
const MAX_PENDING_OUTGOING: u32 = 64;
/// Connections per peer (two allow a simultaneous dial from both sides to settle).
const MAX_CONNECTIONS_PER_PEER: u32 = 2;

/// Which gossip topic a message belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GossipKind {
    Blocks,
    Transactions,
    Votes,
}

/// Protocol names and topics of one chain: every name carries the first 8 hex digits of the
/// genesis hash, so nodes of different chains do not even negotiate the same protocols.
#[derive(Debug, Clone)]
pub(crate) struct Protocols {
    pub(crate) kad: StreamProtocol,
    pub(crate) sync: StreamProtocol,
    pub(crate) status: StreamProtocol,
    pub(crate) content: StreamProtocol,
    pub(crate) blocks: IdentTopic,
    pub(crate) txs: IdentTopic,
    pub(crate) votes: IdentTopic,
}

impl Protocols {
    pub(crate) fn new(genesis: &H256) -> Result<Self, Error> {
        let g8 = hex::encode(&genesis.0[..4]);
        let proto = |name: &str| {
            StreamProtocol::try_from_owned(format!("/archivechain/{g8}/{name}"))
                .map_err(|e| Error::Setup { reason: format!("protocol name: {e}") })
        };
        Ok(Protocols {
            kad: proto("kad/1")?,
            sync: proto("sync/1")?,
            status: proto("status/1")?,
            content: proto("content/1")?,
            blocks: IdentTopic::new(format!("archivechain/{g8}/blocks")),
            txs: IdentTopic::new(format!("archivechain/{g8}/txs")),
            votes: IdentTopic::new(format!("archivechain/{g8}/votes")),
        })
    }

    pub(crate) fn topic(&self, kind: GossipKind) -> &IdentTopic {
        match kind {
            GossipKind::Blocks => &self.blocks,
            GossipKind::Transactions => &self.txs,
            GossipKind::Votes => &self.votes,
        }
    }

    pub(crate) fn kind_of(&self, topic: &gossipsub::TopicHash) -> Option<GossipKind> {
        [GossipKind::Blocks, GossipKind::Transactions, GossipKind::Votes]
            .into_iter()
            .find(|kind| self.topic(*kind).hash() == *topic)
    }
}

pub(crate) type StatusBehaviour = request_response::Behaviour<ScaleCodec<Status, Status>>;
pub(crate) type SyncBehaviour = request_response::Behaviour<ScaleCodec<SyncRequest, Vec<SyncBlock>>>;
pub(crate) type ContentBehaviour = request_response::Behaviour<ScaleCodec<ContentRequest, ContentResponse>>;
pub(crate) type Gossip = gossipsub::Behaviour<IdentityTransform, WhitelistSubscriptionFilter>;

/// Everything the swarm runs. The gate and the connection limits come first so refused
/// connections reach no one else.
#[derive(NetworkBehaviour)]
pub(crate) struct Behaviour {
    pub(crate) gate: PeerGate,
    pub(crate) limits: connection_limits::Behaviour,
    pub(crate) identify: identify::Behaviour,
    pub(crate) kad: kad::Behaviour<MemoryStore>,
    pub(crate) gossipsub: Gossip,
    pub(crate) status: StatusBehaviour,
    pub(crate) sync: SyncBehaviour,
    pub(crate) content: ContentBehaviour,
}

impl Behaviour {
    pub(crate) fn new(key: &Keypair, config: &NetworkConfig, protocols: &Protocols) -> Result<Self, Error> {
        let local = key.public().to_peer_id();
        let setup = |what: &str, e: &dyn std::fmt::Display| Error::Setup { reason: format!("{what}: {e}") };

        let identify = identify::Behaviour::new(
            identify::Config::new(IDENTIFY_PROTOCOL_VERSION.to_string(), key.public())
                .with_agent_version(format!("archivechain/{}", env!("CARGO_PKG_VERSION"))),
        );

        let mut kad_config = kad::Config::new(protocols.kad.clone());
        // Peers may not store records in our DHT: we use it for discovery only.
        kad_config.set_record_filtering(kad::StoreInserts::FilterBoth);
        let mut kad = kad::Behaviour::with_config(local, MemoryStore::new(local), kad_config);
        // Answer queries even without a confirmed external address (loopback, private nets).
        kad.set_mode(Some(kad::Mode::Server));

        let gossip_config = gossipsub::ConfigBuilder::default()
            .max_transmit_size(config.max_message_bytes)
            .validation_mode(ValidationMode::Strict)
            .validate_messages()
            .heartbeat_initial_delay(GOSSIP_FIRST_HEARTBEAT)
            .heartbeat_interval(GOSSIP_HEARTBEAT)
            // Content-addressed ids: the same transaction gossiped by two nodes is one message.
            .message_id_fn(|message: &gossipsub::Message| {
                let mut preimage = message.topic.as_str().as_bytes().to_vec();
                preimage.extend_from_slice(&message.data);
                gossipsub::MessageId::from(blake2_256(&preimage).to_vec())
            })
            .build()
            .map_err(|e| setup("gossipsub config", &e))?;
        let topics: HashSet<_> = [&protocols.blocks, &protocols.txs, &protocols.votes].map(|t| t.hash()).into();
        let mut gossipsub = Gossip::new_with_subscription_filter(
            MessageAuthenticity::Signed(key.clone()),
            gossip_config,
            WhitelistSubscriptionFilter(topics),
        )
        .map_err(|e| setup("gossipsub", &e))?;
        for topic in [&protocols.blocks, &protocols.txs, &protocols.votes] {
            gossipsub.subscribe(topic).map_err(|e| setup("gossipsub subscribe", &e))?;
        }

        let status = request_response::Behaviour::with_codec(
            ScaleCodec::new(MAX_SMALL_FRAME_BYTES, MAX_SMALL_FRAME_BYTES),
            [(protocols.status.clone(), ProtocolSupport::Full)],
            request_response::Config::default()
                .with_request_timeout(STATUS_TIMEOUT)
                .with_max_concurrent_streams(MAX_CONCURRENT_STREAMS),
        );
        let sync = request_response::Behaviour::with_codec(
            ScaleCodec::new(MAX_SMALL_FRAME_BYTES, config.max_message_bytes),
            [(protocols.sync.clone(), ProtocolSupport::Full)],
            request_response::Config::default()
                .with_request_timeout(SYNC_TIMEOUT)
                .with_max_concurrent_streams(MAX_CONCURRENT_STREAMS),
        );
        let content = request_response::Behaviour::with_codec(
            ScaleCodec::new(MAX_SMALL_FRAME_BYTES, config.max_content_bytes + CONTENT_ENVELOPE_BYTES),
            [(protocols.content.clone(), ProtocolSupport::Full)],
            request_response::Config::default()
                .with_request_timeout(CONTENT_TIMEOUT)
                .with_max_concurrent_streams(MAX_CONCURRENT_CONTENT_STREAMS),
        );

        Ok(Behaviour {
            gate: PeerGate::new(config.max_peers, config.reserved_only),
            limits: connection_limits::Behaviour::new(
                ConnectionLimits::default()
                    .with_max_pending_incoming(Some(MAX_PENDING_INCOMING))
                    .with_max_pending_outgoing(Some(MAX_PENDING_OUTGOING))
                    .with_max_established_per_peer(Some(MAX_CONNECTIONS_PER_PEER)),
            ),
            identify,
            kad,
            gossipsub,
            status,
            sync,
            content,
        })
    }
}
