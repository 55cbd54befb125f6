//! Multi-node tests over real TCP on 127.0.0.1 (port 0), each node a real worker task.

mod content;
mod gossip;
mod misbehaviour;
mod peers;
mod sync;

use std::{path::PathBuf, sync::Arc, time::Duration};

use archive_primitives::{Block, BlockNumber, Digest, Header, H256};
use tempfile::TempDir;
use tokio::sync::mpsc;

use crate::{build, BlockProvider, NetworkConfig, NetworkEvent, NetworkHandle, PeerId, Status, SyncBlock};

/// Generous bound for anything that should happen "soon" on a loaded 2-core machine.
pub(crate) const SOON: Duration = Duration::from_secs(10);

pub(crate) fn genesis(byte: u8) -> H256 {
    H256([byte; 32])
}

pub(crate) fn block(number: BlockNumber, payload: usize) -> SyncBlock {
    let header = Header {
        parent_hash: H256([number.wrapping_sub(1) as u8; 32]),
        number,
        state_root: H256([1; 32]),
        extrinsics_root: H256([2; 32]),
        digest: Digest::default(),
    };
    let extrinsics = if payload == 0 { Vec::new() } else { vec![vec![(number % 251) as u8; payload]] };
    SyncBlock { block: Block { header, extrinsics }, justification: number.is_multiple_of(2).then(|| vec![9, 9]) }
}

/// An in-memory canonical chain `0..=best`.
pub(crate) struct TestChain {
    pub(crate) genesis: H256,
    pub(crate) blocks: Vec<SyncBlock>,
}

impl TestChain {
    pub(crate) fn new(genesis: H256, best: BlockNumber, payload: usize) -> Arc<Self> {
        Arc::new(TestChain { genesis, blocks: (0..=best).map(|n| block(n, payload)).collect() })
    }
}

impl BlockProvider for TestChain {
    fn status(&self) -> Status {
        let best = self.blocks.last().map(|b| (b.block.hash(), b.block.header.number)).unwrap_or_default();
        Status {
            genesis_hash: self.genesis,
            best_hash: best.0,
            best_number: best.1,
            finalized_hash: self.genesis,
            finalized_number: 0,
        }
    }
    fn blocks(&self, from: BlockNumber, max: u32) -> Vec<SyncBlock> {
        self.blocks.iter().skip(from as usize).take(max as usize).cloned().collect()
    }
    fn block_by_hash(&self, hash: &archive_primitives::H256) -> Option<SyncBlock> {
        self.blocks.iter().find(|b| b.block.hash() == *hash).cloned()
    }
}

pub(crate) struct TestNode {
    pub(crate) handle: NetworkHandle,
    pub(crate) events: mpsc::Receiver<NetworkEvent>,
    pub(crate) key_file: PathBuf,
    pub(crate) _dir: TempDir,
}

impl TestNode {
    pub(crate) fn id(&self) -> PeerId {
        self.handle.local_peer_id()
    }
    /// Full listen address (`/ip4/127.0.0.1/tcp/…/p2p/…`).
    pub(crate) fn addr(&self) -> String {
        self.handle.listen_addresses().into_iter().next().expect("listening")
    }
    pub(crate) fn sees(&self, other: &TestNode) -> bool {
        let id = other.id().to_string();
        self.handle.peers().iter().any(|p| p.peer_id == id)
    }
    pub(crate) fn peer_count(&self) -> usize {
        self.handle.peers().len()
    }
    /// Waits for an event matching `pred`, skipping others.
    pub(crate) async fn event(
        &mut self,
        within: Duration,
        pred: impl Fn(&NetworkEvent) -> bool,
    ) -> Option<NetworkEvent> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(event)) if pred(&event) => return Some(event),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return None,
            }
        }
    }
}

/// A config for 127.0.0.1, port 0, a fresh key in a temp dir.
pub(crate) fn config(genesis: H256) -> (NetworkConfig, TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = NetworkConfig::new(dir.path().join("node_key"), genesis);
    config.listen_addr = [127, 0, 0, 1].into();
    config.port = 0;
    (config, dir)
}

pub(crate) async fn start_with(config: NetworkConfig, dir: TempDir, provider: Arc<dyn BlockProvider>) -> TestNode {
    let key_file = config.node_key_file.clone();
    let (handle, worker, events) = build(config, provider).expect("network builds");
    tokio::spawn(worker.run());
    assert!(until(SOON, || !handle.listen_addresses().is_empty()).await, "node never listened");
    TestNode { handle, events, key_file, _dir: dir }
}

/// A node of chain `genesis` with `best` blocks, booting from `boot`.
pub(crate) async fn start(genesis: H256, best: BlockNumber, boot: &[&TestNode]) -> TestNode {
    let (mut config, dir) = config(genesis);
    config.boot_nodes = boot.iter().map(|n| n.addr()).collect();
    start_with(config, dir, TestChain::new(genesis, best, 0)).await
}

/// Polls `cond` every 50 ms until it holds or `within` passes.
pub(crate) async fn until(within: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if cond() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Repeats `send` every 300 ms until `receiver` gets an event matching `pred` (the first
/// publications may find no subscribed peer while the mesh forms).
pub(crate) async fn send_until(
    receiver: &mut TestNode,
    within: Duration,
    send: impl Fn(),
    pred: impl Fn(&NetworkEvent) -> bool,
) -> Option<NetworkEvent> {
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        send();
        if let Some(event) = receiver.event(Duration::from_millis(300), &pred).await {
            return Some(event);
        }
    }
    None
}
