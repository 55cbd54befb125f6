//! An in-memory [`ChainBackend`] with a short chain, scripted runtime answers and a controllable
//! transaction watcher.

use std::collections::{BTreeMap, HashMap};

use archive_primitives::{hashing::blake2_256, AccountId20, Digest, DigestItem, Header, RuntimeVersion, H256};
use archive_txpool::TransactionStatus;
use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use parity_scale_codec::Encode;
use parking_lot::Mutex;
use tokio::sync::broadcast;

use crate::backend::*;
use crate::payment::{FeeDetails, InclusionFee, RuntimeDispatchInfo, Weight};

/// Storage key whose value is the block number (u32 LE): changes every block.
pub(crate) const KEY_NUMBER: [u8; 2] = [0xaa, 0x01];
/// Storage key with a constant value.
pub(crate) const KEY_CONST: [u8; 2] = [0xaa, 0x02];
/// Storage key never set.
pub(crate) const KEY_MISSING: [u8; 2] = [0xee, 0xee];
/// Extrinsic the fake pool rejects as invalid.
pub(crate) const BAD_XT: [u8; 2] = [0xde, 0xad];
/// The only extrinsic in block 1 (compact length 3, then 3 bytes).
pub(crate) const BLOCK1_XT: [u8; 4] = [0x0c, 1, 2, 3];

type Storage = BTreeMap<Vec<u8>, Vec<u8>>;

struct State {
    /// Canonical chain, index = number.
    chain: Vec<BlockData>,
    storage: HashMap<H256, Storage>,
    spec_version: HashMap<H256, u32>,
    finalized: H256,
    pool: Vec<Vec<u8>>,
    /// Senders of watched transactions, kept alive so streams end only by the RPC layer's choice.
    watchers: Vec<UnboundedSender<TransactionStatus>>,
    /// Statuses each new watch receives immediately.
    watch_script: Vec<TransactionStatus>,
    /// Last `(method, data)` given to `call`.
    last_call: Option<(String, Vec<u8>)>,
    reserved: Vec<String>,
}

pub(crate) struct FakeBackend {
    state: Mutex<State>,
    best_tx: broadcast::Sender<Header>,
    import_tx: broadcast::Sender<Header>,
    finality_tx: broadcast::Sender<Header>,
}

pub(crate) fn version(spec_version: u32) -> RuntimeVersion {
    RuntimeVersion {
        spec_name: "archivechain".into(),
        impl_name: "archivechain-node".into(),
        authoring_version: 1,
        spec_version,
        impl_version: 0,
        apis: vec![([0xdf, 0x6a, 0xcb, 0x68, 0x99, 0x07, 0x60, 0x9b], 5)],
        transaction_version: 1,
        state_version: 1,
    }
}

/// The dispatch info the fake runtime returns for `TransactionPaymentApi_query_info`.
pub(crate) const DISPATCH_INFO: RuntimeDispatchInfo = RuntimeDispatchInfo {
    weight: Weight { ref_time: 125_000_000, proof_size: 3_593 },
    class: 0,
    partial_fee: 1_234_567_890_123_456_789,
};

/// The fee details the fake runtime returns for `TransactionPaymentApi_query_fee_details`.
pub(crate) const FEE_DETAILS: FeeDetails =
    FeeDetails { inclusion_fee: Some(InclusionFee { base_fee: 1000, len_fee: 255, adjusted_weight_fee: 0 }), tip: 16 };

fn make_header(parent: H256, number: u32) -> Header {
    let logs = if number == 0 { vec![] } else { vec![DigestItem::PreRuntime(*b"aura", number.encode())] };
    Header {
        parent_hash: parent,
        number,
        state_root: H256([number as u8; 32]),
        extrinsics_root: H256([0x11; 32]),
        digest: Digest { logs },
    }
}

impl FakeBackend {
    /// A chain of blocks `0..=best_number`; block 1 carries [`BLOCK1_XT`] and a justification;
    /// block 1 is finalized.
    pub(crate) fn new(best_number: u32) -> Self {
        let (best_tx, _) = broadcast::channel(64);
        let (import_tx, _) = broadcast::channel(64);
        let (finality_tx, _) = broadcast::channel(64);
        let backend = FakeBackend {
            state: Mutex::new(State {
                chain: Vec::new(),
                storage: HashMap::new(),
                spec_version: HashMap::new(),
                finalized: H256::zero(),
                pool: Vec::new(),
                watchers: Vec::new(),
                watch_script: Vec::new(),
                last_call: None,
                reserved: vec!["12D3KooWReserved".into()],
            }),
            best_tx,
            import_tx,
            finality_tx,
        };
        for _ in 0..=best_number {
            backend.append_block(1, &[]);
        }
        let finalized = backend.hash_of(1.min(best_number));
        backend.state.lock().finalized = finalized;
        backend
    }

    /// Appends a block on the best chain with runtime `spec_version` and these extra storage
    /// writes (`None` deletes), and publishes it as imported and new best.
    pub(crate) fn append_block(&self, spec_version: u32, writes: &[(&[u8], Option<&[u8]>)]) -> Header {
        let header = {
            let mut s = self.state.lock();
            let number = s.chain.len() as u32;
            let parent = s.chain.last().map(|b| b.header.hash()).unwrap_or_default();
            let header = make_header(parent, number);
            let hash = header.hash();
            let mut storage = s.storage.get(&parent).cloned().unwrap_or_default();
            storage.insert(KEY_NUMBER.to_vec(), number.to_le_bytes().to_vec());
            storage.insert(KEY_CONST.to_vec(), b"const".to_vec());
            for i in 0..5u8 {
                storage.insert(vec![0xbb, i], vec![i]);
            }
            for (k, v) in writes {
                match v {
                    Some(v) => storage.insert(k.to_vec(), v.to_vec()),
                    None => storage.remove(*k),
                };
            }
            s.storage.insert(hash, storage);
            s.spec_version.insert(hash, spec_version);
            let (extrinsics, justifications) = if number == 1 {
                (vec![BLOCK1_XT.to_vec()], Some(vec![(*b"FRNK", vec![1, 2, 3])]))
            } else {
                (Vec::new(), None)
            };
            s.chain.push(BlockData { header: header.clone(), extrinsics, justifications });
            header
        };
        let _ = self.import_tx.send(header.clone());
        let _ = self.best_tx.send(header.clone());
        header
    }

    /// Marks `hash` finalized and publishes it.
    pub(crate) fn finalize(&self, hash: H256) {
        let header = {
            let mut s = self.state.lock();
            s.finalized = hash;
            s.chain.iter().find(|b| b.header.hash() == hash).map(|b| b.header.clone())
        };
        if let Some(header) = header {
            let _ = self.finality_tx.send(header);
        }
    }

    pub(crate) fn hash_of(&self, number: u32) -> H256 {
        self.state.lock().chain.get(number as usize).map(|b| b.header.hash()).unwrap_or_default()
    }

    pub(crate) fn best_number(&self) -> u32 {
        self.state.lock().chain.len() as u32 - 1
    }

    pub(crate) fn finalized_number(&self) -> u32 {
        let s = self.state.lock();
        s.chain.iter().position(|b| b.header.hash() == s.finalized).unwrap_or_default() as u32
    }

    pub(crate) fn header_of(&self, number: u32) -> Header {
        self.state.lock().chain[number as usize].header.clone()
    }

    pub(crate) fn set_watch_script(&self, statuses: Vec<TransactionStatus>) {
        self.state.lock().watch_script = statuses;
    }

    pub(crate) fn last_call(&self) -> Option<(String, Vec<u8>)> {
        self.state.lock().last_call.clone()
    }

    fn known(&self, at: &H256) -> Result<(), BackendError> {
        if self.state.lock().storage.contains_key(at) {
            Ok(())
        } else {
            Err(BackendError::UnknownBlock { block: at.to_string() })
        }
    }

    fn with_storage<T>(&self, at: &H256, f: impl FnOnce(&Storage) -> T) -> Result<T, BackendError> {
        self.known(at)?;
        Ok(f(&self.state.lock().storage[at]))
    }
}

impl ChainBackend for FakeBackend {
    fn genesis_hash(&self) -> H256 {
        self.hash_of(0)
    }
    fn best_hash(&self) -> H256 {
        self.state.lock().chain.last().map(|b| b.header.hash()).unwrap_or_default()
    }
    fn finalized_hash(&self) -> H256 {
        self.state.lock().finalized
    }
    fn header(&self, hash: &H256) -> Result<Option<Header>, BackendError> {
        Ok(self.block(hash)?.map(|b| b.header))
    }
    fn block(&self, hash: &H256) -> Result<Option<BlockData>, BackendError> {
        Ok(self.state.lock().chain.iter().find(|b| b.header.hash() == *hash).cloned())
    }
    fn block_hash(&self, number: u32) -> Result<Option<H256>, BackendError> {
        Ok(self.state.lock().chain.get(number as usize).map(|b| b.header.hash()))
    }
    fn storage(&self, at: &H256, key: &[u8]) -> Result<Option<Vec<u8>>, BackendError> {
        self.with_storage(at, |s| s.get(key).cloned())
    }
    fn storage_keys_paged(
        &self,
        at: &H256,
        prefix: &[u8],
        count: u32,
        start_key: Option<&[u8]>,
    ) -> Result<Vec<Vec<u8>>, BackendError> {
        self.with_storage(at, |s| {
            s.keys()
                .filter(|k| k.starts_with(prefix) && start_key.is_none_or(|start| k.as_slice() > start))
                .take(count as usize)
                .cloned()
                .collect()
        })
    }
    fn storage_pairs(&self, at: &H256, prefix: &[u8]) -> Result<Vec<StoragePair>, BackendError> {
        self.with_storage(at, |s| {
            s.iter().filter(|(k, _)| k.starts_with(prefix)).map(|(k, v)| (k.clone(), v.clone())).collect()
        })
    }
    fn call(&self, at: &H256, method: &str, data: &[u8]) -> Result<Vec<u8>, BackendError> {
        self.known(at)?;
        self.state.lock().last_call = Some((method.to_owned(), data.to_vec()));
        match method {
            "TransactionPaymentApi_query_info" => Ok(DISPATCH_INFO.encode()),
            "TransactionPaymentApi_query_fee_details" => Ok(FEE_DETAILS.encode()),
            "Core_version" => Ok(self.runtime_version(at)?.encode()),
            "Echo_echo" => Ok(data.to_vec()),
            other => Err(BackendError::Runtime { method: other.to_owned(), reason: "function not found".into() }),
        }
    }
    fn runtime_version(&self, at: &H256) -> Result<RuntimeVersion, BackendError> {
        self.known(at)?;
        Ok(version(self.state.lock().spec_version[at]))
    }
    fn metadata(&self, at: &H256) -> Result<Vec<u8>, BackendError> {
        self.known(at)?;
        Ok(b"meta\x0e\x00".to_vec())
    }
    fn submit(&self, xt: Vec<u8>) -> Result<H256, SubmitError> {
        if xt == BAD_XT {
            return Err(SubmitError {
                code: 1010,
                message: "Invalid Transaction".into(),
                data: Some("Transaction has a bad signature".into()),
            });
        }
        let hash = H256(blake2_256(&xt));
        self.state.lock().pool.push(xt);
        Ok(hash)
    }
    fn submit_and_watch(&self, xt: Vec<u8>) -> Result<(H256, UnboundedReceiver<TransactionStatus>), SubmitError> {
        let hash = self.submit(xt)?;
        let (tx, rx) = unbounded();
        let mut s = self.state.lock();
        for status in s.watch_script.clone() {
            let _ = tx.unbounded_send(status);
        }
        s.watchers.push(tx);
        Ok((hash, rx))
    }
    fn pending_extrinsics(&self) -> Vec<Vec<u8>> {
        self.state.lock().pool.clone()
    }
    fn remove_extrinsics(&self, hashes: &[H256]) -> Vec<H256> {
        let mut s = self.state.lock();
        let mut removed = Vec::new();
        s.pool.retain(|xt| {
            let h = H256(blake2_256(xt));
            let hit = hashes.contains(&h);
            if hit {
                removed.push(h);
            }
            !hit
        });
        removed
    }
    fn account_next_index(&self, who: &AccountId20) -> Result<u32, BackendError> {
        Ok(u32::from(who.0[19]) + 7)
    }
    fn import_notifications(&self) -> broadcast::Receiver<Header> {
        self.import_tx.subscribe()
    }
    fn best_notifications(&self) -> broadcast::Receiver<Header> {
        self.best_tx.subscribe()
    }
    fn finality_notifications(&self) -> broadcast::Receiver<Header> {
        self.finality_tx.subscribe()
    }
    fn system_info(&self) -> SystemInfo {
        let mut properties = serde_json::Map::new();
        properties.insert("ss58Format".into(), 42.into());
        properties.insert("tokenDecimals".into(), 18.into());
        properties.insert("tokenSymbol".into(), "ARC".into());
        SystemInfo {
            chain: "ArchiveChain Development".into(),
            node_name: "archivechain".into(),
            node_version: "0.1.0".into(),
            chain_type: "Development".into(),
            properties,
            roles: vec!["Authority".into()],
        }
    }
    fn health(&self) -> Health {
        Health { peers: 2, is_syncing: false, should_have_peers: true }
    }
    fn network(&self) -> NetworkInfo {
        NetworkInfo {
            local_peer_id: "12D3KooWLocal".into(),
            listen_addresses: vec!["/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWLocal".into()],
            peers: vec![PeerInfo {
                peer_id: "12D3KooWPeer".into(),
                roles: "FULL".into(),
                best_hash: H256([7; 32]),
                best_number: 3,
            }],
        }
    }
    fn sync_state(&self) -> SyncState {
        SyncState { starting_block: 0, current_block: 3, highest_block: None }
    }
    fn add_reserved_peer(&self, addr: &str) -> Result<(), BackendError> {
        if !addr.contains("/p2p/") {
            return Err(BackendError::InvalidInput { reason: format!("address {addr} has no /p2p/ peer id") });
        }
        self.state.lock().reserved.push(addr.to_owned());
        Ok(())
    }
    fn remove_reserved_peer(&self, peer_id: &str) -> Result<(), BackendError> {
        self.state.lock().reserved.retain(|p| p != peer_id);
        Ok(())
    }
    fn reserved_peers(&self) -> Vec<String> {
        self.state.lock().reserved.clone()
    }
}
