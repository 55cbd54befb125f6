//! archive-network: ArchiveChain's peer-to-peer layer on libp2p (TCP + noise + yamux).
//!
//! # What it owns
//! The libp2p swarm and everything about peers: the node key and peer id, listening and
//! dialling, discovery (identify + kademlia from boot nodes), the status handshake, gossip of
//! blocks, transactions and finality votes, block sync requests in both directions, content
//! exchange (archived records fetched by content hash, in both directions), bans, the peer
//! limit, reserved peers and per-peer request rate limits. It is the only crate that links
//! libp2p; callers see [`PeerId`] (re-exported) and the types below. It does not own the chain
//! or the archive: it reads blocks and records through [`BlockProvider`] and hands what it
//! receives to the node as [`NetworkEvent`]s, undecided (importing, validating and choosing
//! whom to sync from is the node's job; it calls [`NetworkHandle::report`] on peers that send
//! invalid data). Fetched records come back to the caller of
//! [`NetworkHandle::fetch_content`], checked by the caller's own re-hash.
//!
//! # Data flow
//! [`build`] loads (or creates) the node key, composes the behaviours and starts listening; it
//! returns a [`NetworkHandle`] (cloneable, commands over a bounded channel), the
//! [`NetworkWorker`] (one task owning the swarm; node/service spawns [`NetworkWorker::run`]) and
//! the receiver of [`NetworkEvent`]s.
//!
//! | protocol | name | payload |
//! | --- | --- | --- |
//! | identify | `/ipfs/id/1.0.0`, version `/archivechain/1.0.0` | listen addresses feed kademlia |
//! | kademlia | `/archivechain/<g8>/kad/1` | discovery only (no records stored) |
//! | status | `/archivechain/<g8>/status/1` | SCALE [`Status`] both ways, on connect |
//! | sync | `/archivechain/<g8>/sync/1` | SCALE [`SyncRequest`] → SCALE `Vec<SyncBlock>` |
//! | content | `/archivechain/<g8>/content/1` | SCALE [`ContentRequest`] → SCALE [`ContentResponse`] |
//! | gossipsub | `archivechain/<g8>/{blocks,txs,votes}` | SCALE [`SyncBlock`], opaque tx, opaque vote |
//!
//! `<g8>` is the first 8 hex digits of the genesis hash, so nodes of different chains do not
//! share protocols; a peer whose status shows another genesis (or that lacks our status
//! protocol) is disconnected and banned.
//!
//! # Guarantees
//! - Nothing received can panic the node: every frame is length-prefixed and refused above its
//!   cap before it is read (status, sync and content requests 1 KiB, sync responses and gossip
//!   `max_message_bytes`, content responses `max_content_bytes` plus 16 bytes of envelope),
//!   and SCALE must decode exactly.
//! - Gossip is signed (strict validation) and validated before it is forwarded: an undecodable
//!   block or an empty message is rejected and its sender banned for `ban_duration`.
//! - A banned peer's connections are closed and refused in both directions until the ban ends;
//!   so are all connections while [`NetworkHandle::disconnect_all_and_block`] is on.
//! - Sync answers are checked (at most `max` blocks, consecutive from `from`); serving reads the
//!   provider on a blocking thread, at most 8 at once, trimmed to `max_message_bytes`.
//! - Content answers are checked (at most the `max_bytes` asked for, else the sender is banned);
//!   the network never hashes: [`NetworkHandle::fetch_content`] runs the caller's check and
//!   reports a peer whose bytes fail it. Serving reads the provider on a blocking thread, at
//!   most 4 at once (more requests are dropped unanswered); a record over the requester's
//!   `max_bytes` or our `max_content_bytes` is answered as not found.
//! - A peer sending more than `max_requests_per_peer_per_sec` requests has the excess dropped;
//!   at twice the limit within a second it is banned. Content requests are counted apart from
//!   status and sync requests, each against that limit.
//! - The worker never blocks on its consumer: events queue up (gossip events beyond 4096 are
//!   dropped with a warning; peer events never are).
//! - Long-lived tasks: only the worker future, which the caller spawns. libp2p runs each
//!   connection as a task on the current tokio runtime, ending with the connection; serving a
//!   sync or content request is a short blocking task.
//!
//! # Example
//! ```no_run
//! # use std::sync::Arc;
//! # use archive_network::{build, BlockProvider, NetworkConfig, Status, SyncBlock};
//! # struct Chain;
//! # impl BlockProvider for Chain {
//! #     fn status(&self) -> Status { Status::default() }
//! #     fn blocks(&self, _: u32, _: u32) -> Vec<SyncBlock> { Vec::new() }
//! # }
//! # async fn example() -> Result<(), archive_network::Error> {
//! let mut config = NetworkConfig::new("/var/lib/archivechain/node_key".into(), Default::default());
//! config.port = 0;
//! let (handle, worker, mut events) = build(config, Arc::new(Chain))?;
//! tokio::spawn(worker.run()); // node/service does this
//! while let Some(event) = events.recv().await {
//!     println!("{event:?} ({} peers)", handle.peers().len());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! An attesting node fetches an archived record by its content hash and re-hashes it:
//! ```no_run
//! # fn sha256(_: &[u8]) -> [u8; 32] { [0; 32] }
//! # async fn example(handle: archive_network::NetworkHandle, hash: [u8; 32]) -> Result<(), archive_network::Error> {
//! let max = archive_network::DEFAULT_MAX_CONTENT_BYTES as u32;
//! let (peer, record) = handle.fetch_content(hash, max, |bytes| sha256(bytes) == hash).await?;
//! println!("{} bytes from {peer}", record.len()); // a peer that served wrong bytes is banned
//! # Ok(())
//! # }
//! ```

mod behaviour;
mod codec;
mod config;
mod content;
mod error;
mod events;
mod gate;
mod handle;
mod node_key;
mod rate_limit;
mod types;
mod worker;

#[cfg(test)]
mod tests;

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::Arc,
    time::Duration,
};

use futures::stream::FuturesUnordered;
use libp2p::{noise, tcp, yamux, SwarmBuilder};
use parking_lot::RwLock;
use tokio::sync::mpsc;

pub use config::{
    NetworkConfig, DEFAULT_BAN_DURATION, DEFAULT_MAX_CONTENT_BYTES, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_PEERS,
    DEFAULT_MAX_REQUESTS_PER_PEER_PER_SEC, DEFAULT_PORT, MAX_CONTENT_BYTES, MAX_MESSAGE_BYTES, MIN_CONTENT_BYTES,
    MIN_MESSAGE_BYTES,
};
pub use content::{ContentRequest, ContentResponse};
pub use error::Error;
pub use handle::{NetworkHandle, MAX_FETCH_ATTEMPTS};
pub use libp2p::PeerId;
pub use node_key::node_key_peer_id;
pub use types::{
    BlockProvider, ConnectedPeer, NetworkEvent, Status, SyncBlock, SyncRequest, MAX_BLOCKS_PER_REQUEST,
    SOFT_RESPONSE_BYTES,
};
pub use worker::NetworkWorker;

use crate::{
    behaviour::{Behaviour, Protocols},
    config::parse_peer_addr,
    handle::Shared,
    rate_limit::RateLimiter,
};

/// Capacity of the handle → worker command channel.
const COMMAND_CHANNEL: usize = 1024;
/// Capacity of the worker → node event channel (the worker queues beyond it).
const EVENT_CHANNEL: usize = 1024;
/// Connections stay open while idle: a connection exists only for a peer the gate admitted,
/// and peers are dropped by bans, limits or the remote, not by inactivity.
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Builds the network: loads or creates the node key, sets up TCP + noise + yamux and the
/// behaviours, and starts listening on `config.listen_addr:config.port`. Nothing is dialled
/// until the worker runs. Must be called inside a tokio runtime.
///
/// # Errors
/// [`Error::InvalidConfig`] / [`Error::InvalidAddress`] from [`NetworkConfig::validate`];
/// [`Error::NodeKey`]; [`Error::NoRuntime`]; [`Error::Setup`] if listening fails (port in use).
pub fn build(
    config: NetworkConfig,
    provider: Arc<dyn BlockProvider>,
) -> Result<(NetworkHandle, NetworkWorker, mpsc::Receiver<NetworkEvent>), Error> {
    config.validate()?;
    tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?;
    let key = node_key::load_or_create(&config.node_key_file)?;
    let local_peer_id = key.public().to_peer_id();
    let protocols = Protocols::new(&config.genesis_hash)?;
    let setup = |what: &str, e: &dyn std::fmt::Display| Error::Setup { reason: format!("{what}: {e}") };

    let mut behaviour = Behaviour::new(&key, &config, &protocols)?;
    let boot_nodes = config.boot_nodes.iter().map(|b| parse_peer_addr(b)).collect::<Result<Vec<_>, _>>()?;
    let mut reserved = HashMap::new();
    if config.reserved_only {
        for (peer, addr) in &boot_nodes {
            behaviour.gate.add_reserved(*peer);
            reserved.insert(*peer, addr.clone());
        }
    }

    let mut swarm = SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)
        .map_err(|e| setup("transport", &e))?
        .with_behaviour(|_| behaviour)
        .map_err(|e| setup("behaviour", &e))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
        .build();
    let listen = config.listen_multiaddr();
    swarm.listen_on(listen.clone()).map_err(|e| setup(&format!("listen on {listen}"), &e))?;
    tracing::info!(peer_id = %local_peer_id, %listen, genesis = %config.genesis_hash, "network built");

    let (command_tx, command_rx) = mpsc::channel(COMMAND_CHANNEL);
    let (event_tx, event_rx) = mpsc::channel(EVENT_CHANNEL);
    let shared = Arc::new(RwLock::new(Shared::default()));
    let handle = NetworkHandle::new(
        local_peer_id,
        config.max_message_bytes,
        config.max_content_bytes,
        command_tx,
        shared.clone(),
    );
    let worker = NetworkWorker {
        swarm,
        protocols,
        provider,
        genesis: config.genesis_hash,
        ban_duration: config.ban_duration,
        max_message_bytes: config.max_message_bytes,
        max_content_bytes: config.max_content_bytes,
        commands: command_rx,
        events: event_tx,
        pending_events: VecDeque::new(),
        events_closed: false,
        shared,
        boot_nodes,
        reserved,
        peers: HashMap::new(),
        remembered: HashSet::new(),
        sync_requests: HashMap::new(),
        serving: FuturesUnordered::new(),
        rate: RateLimiter::new(config.max_requests_per_peer_per_sec),
        content_requests: HashMap::new(),
        content_serving: FuturesUnordered::new(),
        content_rate: RateLimiter::new(config.max_requests_per_peer_per_sec),
        ticks: 0,
    };
    Ok((handle, worker, event_rx))
}
