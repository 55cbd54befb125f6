//! A bounded cache of recovered signers, so a signature is recovered once: by the pool when the
//! transaction arrives, or in the parallel pre-pass of block import.

use std::{collections::HashMap, sync::Arc};

use archive_primitives::{hashing::blake2_256, AccountId20, EthereumSignature};
use archive_runtime::SignatureVerifier;
use parking_lot::Mutex;

/// Entries kept per generation; two generations are kept (so 2× this at most).
const GENERATION_SIZE: usize = 65_536;

type Generation = HashMap<[u8; 32], AccountId20>;

/// Maps (message hash, signature) to the recovered signer. Thread-safe.
#[derive(Default)]
pub struct SignatureCache {
    /// (current, previous) generations.
    inner: Mutex<(Generation, Generation)>,
}

fn key(prehash: &[u8; 32], sig: &EthereumSignature) -> [u8; 32] {
    let mut buf = [0u8; 97];
    buf[..32].copy_from_slice(prehash);
    buf[32..].copy_from_slice(&sig.0);
    blake2_256(&buf)
}

impl SignatureCache {
    /// A cached signer, if any.
    pub fn get(&self, prehash: &[u8; 32], sig: &EthereumSignature) -> Option<AccountId20> {
        let k = key(prehash, sig);
        let g = self.inner.lock();
        g.0.get(&k).or_else(|| g.1.get(&k)).copied()
    }

    /// Records a recovered signer.
    pub fn insert(&self, prehash: &[u8; 32], sig: &EthereumSignature, who: AccountId20) {
        let k = key(prehash, sig);
        let mut g = self.inner.lock();
        if g.0.len() >= GENERATION_SIZE {
            g.1 = std::mem::take(&mut g.0);
        }
        g.0.insert(k, who);
    }

    /// Recovers every job not cached yet on the rayon pool, filling the cache as it goes.
    /// Invalid ones are skipped.
    ///
    /// Meant to run beside a thread that executes the same jobs in order (block import):
    /// the pool works from the end, caching each signer at once, and skips what the executing
    /// thread already recovered inline, so each signature is recovered about once and the two
    /// meet in the middle. (Caching only after the whole pass, as this once did, made the
    /// executing thread recover everything itself while the pool did it all again.)
    pub fn recover_all(&self, jobs: &[Option<([u8; 32], EthereumSignature)>]) {
        use rayon::prelude::*;
        jobs.par_iter().rev().flatten().for_each(|(h, s)| {
            if self.get(h, s).is_none() {
                if let Ok(who) = s.recover_prehashed(h) {
                    self.insert(h, s, who);
                }
            }
        });
    }

    /// Starts [`Self::recover_all`] on the rayon pool and returns at once: the caller goes on
    /// executing and never waits for the pool (which may be busy with an earlier batch).
    pub fn recover_in_background(self: &Arc<Self>, jobs: Vec<Option<([u8; 32], EthereumSignature)>>) {
        let cache = Arc::clone(self);
        rayon::spawn(move || cache.recover_all(&jobs));
    }
}

impl SignatureVerifier for SignatureCache {
    fn recover(&self, prehash: &[u8; 32], sig: &EthereumSignature) -> Option<AccountId20> {
        if let Some(who) = self.get(prehash, sig) {
            return Some(who);
        }
        let who = sig.recover_prehashed(prehash).ok()?;
        self.insert(prehash, sig, who);
        Some(who)
    }
}
