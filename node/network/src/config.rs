//! [`NetworkConfig`]: what a node listens on, whom it talks to, and the limits it enforces.

use std::{net::IpAddr, path::PathBuf, time::Duration};

use archive_primitives::H256;
use libp2p::{multiaddr::Protocol, Multiaddr, PeerId};

use crate::error::Error;

/// Default TCP port (Substrate's).
pub const DEFAULT_PORT: u16 = 30333;
/// Default number of peers we keep connections with (reserved peers are admitted beyond it).
pub const DEFAULT_MAX_PEERS: usize = 50;
/// Default largest message (gossip or request-response frame), in bytes: 8 MiB holds a full
/// block of the largest size the runtime allows with room to spare.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 8 * 1024 * 1024;
/// Default number of requests a peer may send per second: status and sync together, and
/// content requests separately.
pub const DEFAULT_MAX_REQUESTS_PER_PEER_PER_SEC: u32 = 20;
/// Default time a misbehaving peer stays banned.
pub const DEFAULT_BAN_DURATION: Duration = Duration::from_secs(5 * 60);
/// Smallest accepted `max_message_bytes`: below this a block with a handful of transactions
/// would not fit, and gossipsub needs room for its own envelope.
pub const MIN_MESSAGE_BYTES: usize = 64 * 1024;
/// Largest accepted `max_message_bytes` (64 MiB): a bigger frame is a memory hazard, not a block.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;
/// Default largest archived record served or fetched by content exchange, in bytes: 16 MiB
/// holds the large majority of WARC records (pages, images, scripts); bigger captures (video)
/// are not exchanged whole.
pub const DEFAULT_MAX_CONTENT_BYTES: usize = 16 * 1024 * 1024;
/// Smallest accepted `max_content_bytes`: below this most HTML captures would not fit.
pub const MIN_CONTENT_BYTES: usize = 64 * 1024;
/// Largest accepted `max_content_bytes` (64 MiB): each serving job and each in-flight answer
/// may hold this much memory.
pub const MAX_CONTENT_BYTES: usize = 64 * 1024 * 1024;

/// Configuration of the peer-to-peer layer. Build it with [`NetworkConfig::new`] and adjust the
/// public fields; [`build`](crate::build) calls [`NetworkConfig::validate`].
#[derive(Debug, Clone)]
pub struct NetworkConfig {
    /// Interface to listen on (`0.0.0.0` for all IPv4 interfaces).
    pub listen_addr: IpAddr,
    /// TCP port; `0` lets the OS pick one (see [`NetworkHandle::listen_addresses`](crate::NetworkHandle::listen_addresses)).
    pub port: u16,
    /// File holding the node's 32-byte ed25519 secret (raw or hex). Created with mode 0600 if
    /// missing, so the peer id is stable across restarts.
    pub node_key_file: PathBuf,
    /// Multiaddrs ending in `/p2p/<peer id>`, dialled at start and used to bootstrap kademlia.
    pub boot_nodes: Vec<String>,
    /// Only connect to (and accept) reserved peers. Boot nodes count as reserved.
    pub reserved_only: bool,
    /// Most peers we keep connections with. Reserved peers are admitted even when the limit is
    /// reached (and occupy slots while connected).
    pub max_peers: usize,
    /// Genesis hash of our chain: names the protocols and topics, and a peer whose status
    /// carries another one is disconnected and banned.
    pub genesis_hash: H256,
    /// Largest gossip message and request-response frame, in bytes (content exchange has its
    /// own limit, `max_content_bytes`).
    pub max_message_bytes: usize,
    /// Largest archived record, in bytes, that content exchange serves or accepts. The codec
    /// refuses a content answer frame above it (plus a few bytes of envelope) before reading
    /// it, on both sides.
    pub max_content_bytes: usize,
    /// Requests a peer may send per second, counted separately for status and sync together
    /// and for content requests; the excess is dropped and a peer that sends twice the limit
    /// within a second is banned.
    pub max_requests_per_peer_per_sec: u32,
    /// How long a reported peer stays banned.
    pub ban_duration: Duration,
}

impl NetworkConfig {
    /// A configuration with the defaults: all IPv4 interfaces, port [`DEFAULT_PORT`], no boot
    /// nodes, [`DEFAULT_MAX_PEERS`], [`DEFAULT_MAX_MESSAGE_BYTES`], [`DEFAULT_MAX_CONTENT_BYTES`],
    /// [`DEFAULT_MAX_REQUESTS_PER_PEER_PER_SEC`] and [`DEFAULT_BAN_DURATION`].
    pub fn new(node_key_file: PathBuf, genesis_hash: H256) -> Self {
        NetworkConfig {
            listen_addr: IpAddr::from([0, 0, 0, 0]),
            port: DEFAULT_PORT,
            node_key_file,
            boot_nodes: Vec::new(),
            reserved_only: false,
            max_peers: DEFAULT_MAX_PEERS,
            genesis_hash,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_content_bytes: DEFAULT_MAX_CONTENT_BYTES,
            max_requests_per_peer_per_sec: DEFAULT_MAX_REQUESTS_PER_PEER_PER_SEC,
            ban_duration: DEFAULT_BAN_DURATION,
        }
    }

    /// Checks the limits and parses every boot node.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a zero peer or rate limit, a message limit outside
    /// [`MIN_MESSAGE_BYTES`]..=[`MAX_MESSAGE_BYTES`], a content limit outside
    /// [`MIN_CONTENT_BYTES`]..=[`MAX_CONTENT_BYTES`] or a zero ban; [`Error::InvalidAddress`]
    /// for a boot node that is not a multiaddr ending in `/p2p/<peer id>`.
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |field, reason: &str| Err(Error::InvalidConfig { field, reason: reason.to_string() });
        if self.max_peers == 0 {
            return invalid("max_peers", "must be at least 1");
        }
        if !(MIN_MESSAGE_BYTES..=MAX_MESSAGE_BYTES).contains(&self.max_message_bytes) {
            return Err(Error::InvalidConfig {
                field: "max_message_bytes",
                reason: format!("must be between {MIN_MESSAGE_BYTES} and {MAX_MESSAGE_BYTES}"),
            });
        }
        if !(MIN_CONTENT_BYTES..=MAX_CONTENT_BYTES).contains(&self.max_content_bytes) {
            return Err(Error::InvalidConfig {
                field: "max_content_bytes",
                reason: format!("must be between {MIN_CONTENT_BYTES} and {MAX_CONTENT_BYTES}"),
            });
        }
        if self.max_requests_per_peer_per_sec == 0 {
            return invalid("max_requests_per_peer_per_sec", "must be at least 1");
        }
        if self.ban_duration.is_zero() {
            return invalid("ban_duration", "must not be zero");
        }
        for boot in &self.boot_nodes {
            parse_peer_addr(boot)?;
        }
        Ok(())
    }

    /// The multiaddr to listen on.
    pub(crate) fn listen_multiaddr(&self) -> Multiaddr {
        Multiaddr::from(self.listen_addr).with(Protocol::Tcp(self.port))
    }
}

/// Splits `/ip4/…/tcp/…/p2p/<id>` into the peer id and the transport address (without `/p2p`).
///
/// # Errors
/// [`Error::InvalidAddress`] if `s` is not a multiaddr or does not end in `/p2p/<peer id>`.
pub(crate) fn parse_peer_addr(s: &str) -> Result<(PeerId, Multiaddr), Error> {
    let invalid = |reason: String| Error::InvalidAddress { addr: s.to_string(), reason };
    let mut addr: Multiaddr = s.trim().parse().map_err(|e| invalid(format!("{e}")))?;
    match addr.pop() {
        Some(Protocol::P2p(peer)) if !addr.is_empty() => Ok((peer, addr)),
        Some(Protocol::P2p(_)) => Err(invalid("no transport address before /p2p".into())),
        _ => Err(invalid("must end in /p2p/<peer id>".into())),
    }
}

/// Parses a base58 peer id.
///
/// # Errors
/// [`Error::InvalidPeerId`] if it does not parse.
pub(crate) fn parse_peer_id(s: &str) -> Result<PeerId, Error> {
    s.trim().parse().map_err(|e| Error::InvalidPeerId { peer: s.to_string(), reason: format!("{e}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> NetworkConfig {
        NetworkConfig::new("/tmp/unused".into(), H256::zero())
    }

    #[test]
    fn defaults_validate() {
        assert!(config().validate().is_ok());
    }

    #[test]
    fn bad_limits_are_refused() {
        let mut c = config();
        c.max_peers = 0;
        assert!(matches!(c.validate(), Err(Error::InvalidConfig { field: "max_peers", .. })));
        let mut c = config();
        c.max_message_bytes = 1024;
        assert!(matches!(c.validate(), Err(Error::InvalidConfig { field: "max_message_bytes", .. })));
        for bad in [MIN_CONTENT_BYTES - 1, MAX_CONTENT_BYTES + 1] {
            let mut c = config();
            c.max_content_bytes = bad;
            assert!(matches!(c.validate(), Err(Error::InvalidConfig { field: "max_content_bytes", .. })), "{bad}");
        }
        let mut c = config();
        c.max_requests_per_peer_per_sec = 0;
        assert!(c.validate().is_err());
        let mut c = config();
        c.ban_duration = Duration::ZERO;
        assert!(c.validate().is_err());
    }

    #[test]
    fn peer_addresses_need_a_peer_id() {
        let id = PeerId::random();
        let (peer, addr) = parse_peer_addr(&format!("/ip4/127.0.0.1/tcp/30333/p2p/{id}")).expect("valid");
        assert_eq!(peer, id);
        assert_eq!(addr.to_string(), "/ip4/127.0.0.1/tcp/30333");
        assert!(parse_peer_addr("/ip4/127.0.0.1/tcp/30333").is_err());
        assert!(parse_peer_addr(&format!("/p2p/{id}")).is_err());
        assert!(parse_peer_addr("not an address").is_err());
        let mut c = config();
        c.boot_nodes = vec!["/ip4/1.2.3.4/tcp/1".into()];
        assert!(matches!(c.validate(), Err(Error::InvalidAddress { .. })));
        assert!(parse_peer_id("garbage").is_err());
        assert_eq!(parse_peer_id(&id.to_string()).expect("valid"), id);
    }
}
