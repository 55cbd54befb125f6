//! [`archive_rpc::ChainBackend`] for the node: client queries, pool submission, notifications.

use std::sync::Arc;

use archive_client::Client;
use archive_primitives::{AccountId20, Header, RuntimeVersion, H256};
use archive_rpc::{BackendError, BlockData, ChainBackend, Health, NetworkInfo, SubmitError, SyncState, SystemInfo};
use archive_txpool::TransactionStatus;
use futures::channel::mpsc::UnboundedReceiver;
use parity_scale_codec::{Decode, Encode};
use tokio::sync::broadcast;

use crate::{pool::submit_error, NodeConfig, TxPool};

/// The node seen from the RPC server.
pub struct NodeBackend {
    client: Arc<Client>,
    pool: Arc<TxPool>,
    info: SystemInfo,
    starting_block: u32,
    net: Option<archive_network::NetworkHandle>,
    sync: Arc<crate::SyncStatus>,
    archive: Option<Arc<crate::archive::Archive>>,
}

impl NodeBackend {
    /// Builds the backend.
    pub fn new(
        client: Arc<Client>,
        pool: Arc<TxPool>,
        config: &NodeConfig,
        net: Option<archive_network::NetworkHandle>,
        sync: Arc<crate::SyncStatus>,
        archive: Option<Arc<crate::archive::Archive>>,
    ) -> Self {
        let spec = client.spec();
        // Clients (the CLI's "time left") need the slot length; other properties are the spec's.
        let mut properties = spec.properties.clone();
        properties.entry("slotDurationMs").or_insert_with(|| spec.consensus.slot_duration_ms.into());
        let info = SystemInfo {
            chain: spec.name.clone(),
            node_name: "archivechain".into(),
            node_version: env!("CARGO_PKG_VERSION").into(),
            chain_type: format!("{:?}", spec.chain_type),
            properties,
            roles: vec![if config.validator { "Authority".into() } else { "Full".into() }],
        };
        let starting_block = client.info().best_number;
        NodeBackend { client, pool, info, starting_block, net, sync, archive }
    }

    fn header_of(&self, at: &H256) -> Result<Header, BackendError> {
        self.client.header(at).map_err(internal)?.ok_or_else(|| BackendError::UnknownBlock { block: at.to_string() })
    }
}

fn internal(e: impl std::fmt::Display) -> BackendError {
    BackendError::Internal { reason: e.to_string() }
}

fn map_client(at: &H256, e: archive_client::Error) -> BackendError {
    match e {
        archive_client::Error::UnknownBlock { hash } => BackendError::UnknownBlock { block: hash.to_string() },
        archive_client::Error::StateUnavailable { .. }
        | archive_client::Error::Storage(archive_storage::Error::StateUnavailable { .. }) => {
            BackendError::StateUnavailable { block: at.to_string() }
        }
        other => internal(other),
    }
}

fn map_storage(at: &H256, e: archive_storage::Error) -> BackendError {
    match e {
        archive_storage::Error::StateUnavailable { .. } => BackendError::StateUnavailable { block: at.to_string() },
        other => internal(other),
    }
}

impl NodeBackend {
    /// Gossips a transaction the pool accepted and tells its watchers.
    fn broadcast(&self, hash: &H256, xt: Vec<u8>) {
        if let Some(net) = &self.net {
            let peers: Vec<String> = net.peers().into_iter().map(|p| p.peer_id).collect();
            net.gossip_transaction(xt);
            if !peers.is_empty() {
                self.pool.on_broadcasted(hash, peers);
            }
        }
    }
}

impl ChainBackend for NodeBackend {
    fn archive(&self, call: archive_rpc::archive::ArchiveCall) -> Result<serde_json::Value, BackendError> {
        let archive = self.archive.as_ref().ok_or_else(|| BackendError::InvalidInput {
            reason: "this node keeps no archive (it was started with --no-archive)".into(),
        })?;
        archive.answer(&self.client, call).map_err(|reason| BackendError::Internal { reason })
    }

    fn genesis_hash(&self) -> H256 {
        self.client.info().genesis_hash
    }

    fn best_hash(&self) -> H256 {
        self.client.info().best_hash
    }

    fn finalized_hash(&self) -> H256 {
        self.client.info().finalized_hash
    }

    fn header(&self, hash: &H256) -> Result<Option<Header>, BackendError> {
        self.client.header(hash).map_err(internal)
    }

    fn block(&self, hash: &H256) -> Result<Option<BlockData>, BackendError> {
        let Some(block) = self.client.block(hash).map_err(internal)? else { return Ok(None) };
        let justification = self.client.db().justification(hash).map_err(internal)?;
        Ok(Some(BlockData {
            header: block.header,
            extrinsics: block.extrinsics.iter().map(|x| x.encode()).collect(),
            justifications: justification.map(|j| vec![(archive_client::ENGINE_ID, j)]),
        }))
    }

    fn block_hash(&self, number: u32) -> Result<Option<H256>, BackendError> {
        self.client.hash_at(number).map_err(internal)
    }

    fn storage(&self, at: &H256, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        let state = self.client.state_at(at).map_err(|e| map_client(at, e))?;
        state.get(key).map_err(|e| map_storage(at, e))
    }

    fn storage_keys_paged(
        &self,
        at: &H256,
        prefix: &[u8],
        count: u32,
        start_key: Option<&[u8]>,
    ) -> Result<Vec<Vec<u8>>, BackendError> {
        let state = self.client.state_at(at).map_err(|e| map_client(at, e))?;
        state.keys_paged(prefix, count as usize, start_key).map_err(|e| map_storage(at, e))
    }

    fn storage_pairs(&self, at: &H256, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, BackendError> {
        let state = self.client.state_at(at).map_err(|e| map_client(at, e))?;
        state.pairs(prefix).map_err(|e| map_storage(at, e))
    }

    fn call(&self, at: &H256, method: &str, data: &[u8]) -> Result<Vec<u8>, BackendError> {
        self.client.call(at, method, data).map_err(|e| match e {
            archive_client::Error::Api(api) => BackendError::Runtime { method: method.into(), reason: api.to_string() },
            other => map_client(at, other),
        })
    }

    fn runtime_version(&self, at: &H256) -> Result<RuntimeVersion, BackendError> {
        self.header_of(at)?;
        Ok(archive_runtime::version())
    }

    fn metadata(&self, at: &H256) -> Result<Vec<u8>, BackendError> {
        self.header_of(at)?;
        Ok(archive_runtime::metadata::metadata_bytes().to_vec())
    }

    fn submit(&self, xt: Vec<u8>) -> Result<H256, SubmitError> {
        let at = self.client.info().best_hash;
        let hash = self.pool.submit(&at, xt.clone()).map_err(submit_error)?;
        self.broadcast(&hash, xt);
        Ok(hash)
    }

    fn submit_and_watch(&self, xt: Vec<u8>) -> Result<(H256, UnboundedReceiver<TransactionStatus>), SubmitError> {
        let at = self.client.info().best_hash;
        let (hash, watcher) = self.pool.submit_and_watch(&at, xt.clone()).map_err(submit_error)?;
        self.broadcast(&hash, xt);
        Ok((hash, watcher))
    }

    fn pending_extrinsics(&self) -> Vec<Vec<u8>> {
        self.pool.pending()
    }

    fn remove_extrinsics(&self, hashes: &[H256]) -> Vec<H256> {
        self.pool.remove(hashes)
    }

    fn account_next_index(&self, who: &AccountId20) -> Result<u32, BackendError> {
        let best = self.client.info().best_hash;
        let raw = self.call(&best, "AccountNonceApi_account_nonce", &who.encode())?;
        let mut nonce = u32::decode(&mut &raw[..]).map_err(internal)?;
        // Count this account's transactions already in the pool, in nonce order.
        let pending: std::collections::BTreeSet<u32> = self
            .pool
            .pending()
            .iter()
            .filter_map(|x| archive_runtime::UncheckedExtrinsic::decode(&mut &x[..]).ok())
            .filter_map(|x| x.signature.filter(|(s, _, _)| s == who).map(|(_, _, e)| e.nonce))
            .collect();
        while pending.contains(&nonce) {
            nonce += 1;
        }
        Ok(nonce)
    }

    fn import_notifications(&self) -> broadcast::Receiver<Header> {
        self.client.import_notifications()
    }

    fn best_notifications(&self) -> broadcast::Receiver<Header> {
        self.client.best_notifications()
    }

    fn finality_notifications(&self) -> broadcast::Receiver<Header> {
        self.client.finality_notifications()
    }

    fn system_info(&self) -> SystemInfo {
        self.info.clone()
    }

    fn health(&self) -> Health {
        let peers = self.net.as_ref().map(|n| n.peers().len()).unwrap_or(0);
        Health {
            peers,
            is_syncing: self.sync.syncing.load(std::sync::atomic::Ordering::Acquire),
            should_have_peers: self.client.validators().len() > 1 || self.net.is_some(),
        }
    }

    fn network(&self) -> NetworkInfo {
        let Some(net) = &self.net else { return NetworkInfo::default() };
        NetworkInfo {
            local_peer_id: net.local_peer_id().to_string(),
            listen_addresses: net.listen_addresses(),
            peers: net
                .peers()
                .into_iter()
                .map(|p| archive_rpc::PeerInfo {
                    peer_id: p.peer_id,
                    roles: "FULL".into(),
                    best_hash: p.status.best_hash,
                    best_number: p.status.best_number,
                })
                .collect(),
        }
    }

    fn sync_state(&self) -> SyncState {
        let best = self.client.info().best_number;
        let highest = self.sync.highest.load(std::sync::atomic::Ordering::Acquire).max(best);
        SyncState { starting_block: self.starting_block, current_block: best, highest_block: Some(highest) }
    }

    fn add_reserved_peer(&self, addr: &str) -> Result<(), BackendError> {
        let Some(net) = self.net.clone() else { return Err(no_network()) };
        if !addr.contains("/p2p/") {
            return Err(BackendError::InvalidInput {
                reason: format!("{addr} is not a multiaddr ending in /p2p/<peer id>"),
            });
        }
        let addr = addr.to_string();
        tokio::spawn(async move {
            if let Err(e) = net.add_reserved_peer(&addr).await {
                tracing::warn!(%addr, error = %e, "cannot add reserved peer");
            }
        });
        Ok(())
    }

    fn remove_reserved_peer(&self, peer_id: &str) -> Result<(), BackendError> {
        let Some(net) = &self.net else { return Err(no_network()) };
        net.remove_reserved_peer(peer_id).map_err(|e| BackendError::InvalidInput { reason: e.to_string() })
    }

    fn reserved_peers(&self) -> Vec<String> {
        self.net.as_ref().map(|n| n.reserved_peers()).unwrap_or_default()
    }

    fn finality_proof(&self, hash: &H256) -> Result<Option<serde_json::Value>, BackendError> {
        let Some(header) = self.client.header(hash).map_err(internal)? else { return Ok(None) };
        let info = self.client.info();
        if header.number > info.finalized_number || self.client.hash_at(header.number).map_err(internal)? != Some(*hash)
        {
            return Ok(None);
        }
        // Votes count for ancestors: the first justified block at or above this one proves it.
        for n in header.number..=info.finalized_number {
            let Some(h) = self.client.hash_at(n).map_err(internal)? else { break };
            let Some(bytes) = self.client.db().justification(&h).map_err(internal)? else { continue };
            let Ok(j) = archive_consensus::Justification::decode(&mut &bytes[..]) else {
                return Err(internal(format!("stored justification of {h} does not decode")));
            };
            let votes: Vec<serde_json::Value> = j
                .votes
                .iter()
                .map(|v| {
                    serde_json::json!({
                        "voter": v.voter,
                        "targetHash": v.vote.target_hash,
                        "targetNumber": v.vote.target_number,
                        "round": v.vote.round,
                        "stage": v.vote.stage.to_string(),
                        "signature": archive_primitives::error::to_hex(&v.signature.0),
                    })
                })
                .collect();
            return Ok(Some(serde_json::json!({
                "block": hash,
                "number": header.number,
                "justifiedBlock": h,
                "justifiedNumber": n,
                "round": j.round,
                "votes": votes,
                "justification": archive_primitives::error::to_hex(&bytes),
            })));
        }
        Ok(None)
    }
}

fn no_network() -> BackendError {
    BackendError::InvalidInput {
        reason: "this node runs without peer-to-peer networking (start it with --port)".into(),
    }
}
