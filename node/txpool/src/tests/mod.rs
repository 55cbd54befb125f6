//! Test fixtures: a fake runtime with `(sender, nonce)` tags and a manual clock.

mod graph;
mod limits;
mod maintain;
mod submit;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use archive_primitives::{hashing::blake2_256, BlockNumber, H256};
use parity_scale_codec::{Decode, Encode};
use parking_lot::Mutex;

use crate::{
    ChainApi, ManualClock, Pool, PoolConfig, Tag, TransactionStatus, ValidTransaction, ValidationError, Watcher,
};

/// Validation outcome forced by a test transaction.
#[derive(Clone, Copy, Debug, Encode, Decode, PartialEq, Eq)]
pub enum Kind {
    /// Valid if the nonce is not stale.
    Normal,
    /// Always invalid (bad proof).
    BadProof,
    /// Validity unknown.
    Unknown,
}

/// A fake extrinsic. Tags: provides `(sender, nonce)`, requires `(sender, nonce - 1)` when the
/// nonce is ahead of the state, plus `extra_*`.
#[derive(Clone, Debug, Encode, Decode)]
pub struct TestTx {
    pub sender: u8,
    pub nonce: u32,
    pub tip: u64,
    pub longevity: u64,
    pub kind: Kind,
    pub extra_requires: Vec<Tag>,
    pub extra_provides: Vec<Tag>,
    pub pad: Vec<u8>,
}

impl TestTx {
    pub fn new(sender: u8, nonce: u32, tip: u64) -> Self {
        TestTx {
            sender,
            nonce,
            tip,
            longevity: u64::MAX,
            kind: Kind::Normal,
            extra_requires: vec![],
            extra_provides: vec![],
            pad: vec![],
        }
    }
    pub fn bytes(&self) -> Vec<u8> {
        self.encode()
    }
}

pub fn xt(sender: u8, nonce: u32, tip: u64) -> Vec<u8> {
    TestTx::new(sender, nonce, tip).bytes()
}

pub fn hash_of(xt: &[u8]) -> H256 {
    H256(blake2_256(xt))
}

pub fn tag(sender: u8, nonce: u32) -> Tag {
    (sender, nonce).encode()
}

/// The hash of block `n` on fork `fork` (the fake API reads the number back from it).
pub fn block_on(fork: u8, n: BlockNumber) -> H256 {
    let mut b = [0u8; 32];
    b[..4].copy_from_slice(&n.to_le_bytes());
    b[30] = fork;
    b[31] = 0xbb;
    H256(b)
}

pub fn block(n: BlockNumber) -> H256 {
    block_on(0, n)
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TestError {
    #[error("bad format")]
    BadFormat,
    #[error("bad proof")]
    BadProof,
    #[error("stale nonce")]
    Stale,
    #[error("cannot lookup")]
    CannotLookup,
}

/// Per-block account nonces (missing: 0); counts `validate` calls.
#[derive(Default)]
pub struct TestApi {
    nonces: Mutex<HashMap<H256, HashMap<u8, u32>>>,
    pub validations: AtomicUsize,
    /// Blocks at which every validation answers `Unknown`.
    unknown_at: Mutex<Vec<H256>>,
}

impl TestApi {
    /// Sets the nonce of `sender` in the state after `block`.
    pub fn set_nonce(&self, block: H256, sender: u8, nonce: u32) {
        self.nonces.lock().entry(block).or_default().insert(sender, nonce);
    }
    pub fn unknown_at(&self, block: H256) {
        self.unknown_at.lock().push(block);
    }
    pub fn validations(&self) -> usize {
        self.validations.load(Ordering::SeqCst)
    }
}

impl ChainApi for TestApi {
    type Error = TestError;

    fn validate(&self, at: &H256, xt: &[u8]) -> Result<ValidTransaction, ValidationError<TestError>> {
        self.validations.fetch_add(1, Ordering::SeqCst);
        if self.unknown_at.lock().contains(at) {
            return Err(ValidationError::Unknown(TestError::CannotLookup));
        }
        let tx = TestTx::decode(&mut &xt[..]).map_err(|_| ValidationError::Invalid(TestError::BadFormat))?;
        match tx.kind {
            Kind::Normal => {}
            Kind::BadProof => return Err(ValidationError::Invalid(TestError::BadProof)),
            Kind::Unknown => return Err(ValidationError::Unknown(TestError::CannotLookup)),
        }
        let state = self.nonces.lock().get(at).and_then(|m| m.get(&tx.sender).copied()).unwrap_or(0);
        if tx.nonce < state {
            return Err(ValidationError::Invalid(TestError::Stale));
        }
        let mut requires = if tx.nonce > state { vec![tag(tx.sender, tx.nonce - 1)] } else { vec![] };
        requires.extend(tx.extra_requires);
        let mut provides = vec![tag(tx.sender, tx.nonce)];
        provides.extend(tx.extra_provides);
        Ok(ValidTransaction { priority: tx.tip, requires, provides, longevity: tx.longevity, propagate: true })
    }

    fn block_number(&self, at: &H256) -> Option<BlockNumber> {
        (at.0[31] == 0xbb).then(|| u32::from_le_bytes([at.0[0], at.0[1], at.0[2], at.0[3]]))
    }
}

pub struct Fixture {
    pub pool: Arc<Pool<TestApi>>,
    pub clock: Arc<ManualClock>,
}

pub fn fixture_with(config: PoolConfig) -> Fixture {
    let clock = Arc::new(ManualClock::new());
    let pool = Arc::new(Pool::new(config, TestApi::default(), clock.clone()));
    Fixture { pool, clock }
}

pub fn fixture() -> Fixture {
    fixture_with(PoolConfig::default())
}

impl Fixture {
    pub fn api(&self) -> &TestApi {
        self.pool.api()
    }

    pub fn submit(&self, tx: &TestTx) -> H256 {
        self.pool.submit(&block(0), tx.bytes()).expect("submit")
    }

    pub fn watch(&self, tx: &TestTx) -> (H256, Watcher) {
        self.pool.submit_and_watch(&block(0), tx.bytes()).expect("submit_and_watch")
    }

    /// `(sender, nonce)` of the ready transactions, in inclusion order.
    pub fn ready_ids(&self) -> Vec<(u8, u32)> {
        self.pool
            .ready()
            .iter()
            .map(|tx| {
                let t = TestTx::decode(&mut &tx.data[..]).expect("decodes");
                (t.sender, t.nonce)
            })
            .collect()
    }
}

/// Every update delivered so far.
pub fn drain(w: &mut Watcher) -> Vec<TransactionStatus> {
    let mut out = Vec::new();
    while let Ok(s) = w.try_recv() {
        out.push(s);
    }
    out
}

/// Whether the watcher's stream has ended (after draining it).
pub fn ended(w: &mut Watcher) -> bool {
    loop {
        match w.try_recv() {
            Ok(_) => continue,
            Err(e) => return e.is_closed(),
        }
    }
}
