//! [`Pool`]: the thread-safe pool (submission, queries, removal).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use archive_primitives::{hashing::blake2_256, BlockNumber, H256};
use futures::channel::mpsc;
use parking_lot::Mutex;

use crate::api::{ChainApi, ValidationError};
use crate::ban::BanList;
use crate::clock::Clock;
use crate::config::{PoolConfig, PoolStatus};
use crate::error::Error;
use crate::graph::{BasePool, ImportError, PoolTransaction};
use crate::listener::{Listeners, READY_NOTIFICATION_BUFFER};
use crate::status::TransactionStatus;

/// Receives the status updates of one submitted transaction, ending after a final status
/// (see [`TransactionStatus::is_final`]). At most a handful of updates per transaction.
pub type Watcher = mpsc::UnboundedReceiver<TransactionStatus>;

/// State guarded by one mutex, so that pool changes and the notifications they cause are
/// ordered consistently.
pub(crate) struct Inner {
    pub(crate) base: BasePool,
    pub(crate) listeners: Listeners,
}

/// The transaction pool. Share it with `Arc`; all methods take `&self`.
///
/// Thread safety: the state lives behind `parking_lot` mutexes that are only held for
/// in-memory bookkeeping; runtime validation ([`ChainApi::validate`]) runs without any lock
/// held, so `submit` never waits on another submission's validation. The block-event methods
/// (`on_block_*`) re-validate transactions and may take long: call them from a blocking
/// context. They are serialised among themselves.
pub struct Pool<A: ChainApi> {
    pub(crate) config: PoolConfig,
    pub(crate) api: A,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) inner: Mutex<Inner>,
    pub(crate) banned: Mutex<BanList>,
    /// Serialises the `on_block_*` methods.
    pub(crate) maintenance: Mutex<()>,
    pub(crate) best_number: AtomicU32,
    next_seq: AtomicU64,
}

impl<A: ChainApi> Pool<A> {
    /// An empty pool.
    pub fn new(config: PoolConfig, api: A, clock: Arc<dyn Clock>) -> Self {
        Pool {
            config,
            api,
            clock,
            inner: Mutex::new(Inner { base: BasePool::default(), listeners: Listeners::default() }),
            banned: Mutex::new(BanList::default()),
            maintenance: Mutex::new(()),
            best_number: AtomicU32::new(0),
            next_seq: AtomicU64::new(0),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &PoolConfig {
        &self.config
    }

    /// The chain API the pool validates with.
    pub fn api(&self) -> &A {
        &self.api
    }

    /// Validates `xt` at block `at` and adds it to the pool; returns `blake2_256(xt)`.
    ///
    /// The transaction is validated once here; it is re-validated only after block imports.
    ///
    /// # Errors
    /// [`Error::TooLarge`] over [`PoolConfig::max_tx_size`]; [`Error::TemporarilyBanned`];
    /// [`Error::AlreadyImported`]; [`Error::InvalidTransaction`] (the hash gets banned) or
    /// [`Error::UnknownTransaction`] from the runtime; [`Error::TooLowPriority`] when a
    /// transaction providing one of its tags has at least its priority (with a higher
    /// priority, that one is replaced and its watcher gets `Usurped`);
    /// [`Error::CycleDetected`]; [`Error::ImmediatelyDropped`] when the pool is full and this
    /// is its least valuable transaction.
    pub fn submit(&self, at: &H256, xt: Vec<u8>) -> Result<H256, Error<A::Error>> {
        self.submit_inner(at, xt, None)
    }

    /// Like [`Pool::submit`], also returning a [`Watcher`] whose first update is `Ready` or
    /// `Future`.
    ///
    /// # Errors
    /// As [`Pool::submit`]; no watcher is created on error.
    pub fn submit_and_watch(&self, at: &H256, xt: Vec<u8>) -> Result<(H256, Watcher), Error<A::Error>> {
        let (sender, receiver) = mpsc::unbounded();
        let hash = self.submit_inner(at, xt, Some(sender))?;
        Ok((hash, receiver))
    }

    pub(crate) fn submit_inner(
        &self,
        at: &H256,
        xt: Vec<u8>,
        watcher: Option<mpsc::UnboundedSender<TransactionStatus>>,
    ) -> Result<H256, Error<A::Error>> {
        let hash = H256(blake2_256(&xt));
        if xt.len() > self.config.max_tx_size {
            return Err(Error::TooLarge { size: xt.len(), max: self.config.max_tx_size });
        }
        if self.is_banned(&hash) {
            return Err(Error::TemporarilyBanned);
        }
        if self.contains(&hash) {
            return Err(Error::AlreadyImported { hash });
        }
        let number = self.api.block_number(at).unwrap_or_else(|| self.best_number.load(Ordering::Acquire));
        let valid = match self.api.validate(at, &xt) {
            Ok(valid) => valid,
            Err(ValidationError::Invalid(e)) => {
                tracing::debug!(target: "txpool", %hash, error = %e, "invalid transaction; banned");
                self.ban([hash]);
                return Err(Error::InvalidTransaction(e));
            }
            Err(ValidationError::Unknown(e)) => {
                tracing::debug!(target: "txpool", %hash, error = %e, "unknown transaction validity");
                return Err(Error::UnknownTransaction(e));
            }
        };
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        let tx = PoolTransaction::from_valid(hash, xt, valid, number, seq);
        let mut inner = self.inner.lock();
        self.import_locked(&mut inner, tx, watcher)
    }

    /// Imports a validated transaction, enforces the limits and sends all resulting updates.
    fn import_locked(
        &self,
        inner: &mut Inner,
        tx: PoolTransaction,
        watcher: Option<mpsc::UnboundedSender<TransactionStatus>>,
    ) -> Result<H256, Error<A::Error>> {
        let hash = tx.hash;
        let imported = inner.base.import(Arc::new(tx)).map_err(|e| match e {
            ImportError::AlreadyImported => Error::AlreadyImported { hash },
            ImportError::TooLowPriority { old, new } => Error::TooLowPriority { old, new },
            ImportError::CycleDetected => Error::CycleDetected,
        })?;
        let evicted = inner.base.enforce_limits(self.config.limits());
        let listeners = &mut inner.listeners;
        for old in &imported.usurped {
            tracing::debug!(target: "txpool", old = %old.hash, new = %hash, "transaction usurped");
            listeners.send(&old.hash, TransactionStatus::Usurped(hash));
        }
        let mut dropped_self = false;
        for tx in &evicted {
            tracing::debug!(target: "txpool", hash = %tx.hash, "transaction dropped: pool limits");
            dropped_self |= tx.hash == hash;
            listeners.send(&tx.hash, TransactionStatus::Dropped);
        }
        if !dropped_self {
            if let Some(sender) = watcher {
                listeners.watch(hash, sender);
            }
            let ready = inner.base.is_ready(&hash) == Some(true);
            inner.listeners.set_state(&hash, ready);
            if ready {
                inner.listeners.notify_ready(hash);
            }
        }
        Self::notify_flips(inner, Some(hash));
        if dropped_self {
            return Err(Error::ImmediatelyDropped);
        }
        tracing::trace!(target: "txpool", %hash, ready = imported.ready, "transaction imported");
        Ok(hash)
    }

    /// Sends `Ready`/`Future` for the state changes recorded by the base pool, except `skip`'s.
    pub(crate) fn notify_flips(inner: &mut Inner, skip: Option<H256>) {
        for (h, ready) in inner.base.take_flips() {
            if Some(h) == skip {
                continue;
            }
            inner.listeners.set_state(&h, ready);
            if ready {
                inner.listeners.notify_ready(h);
            }
        }
    }

    pub(crate) fn ban(&self, hashes: impl IntoIterator<Item = H256>) {
        let now = self.clock.now();
        self.banned.lock().ban(hashes, now, self.config.ban_time);
    }

    /// Ready transactions in inclusion order: every transaction after those providing the
    /// tags it requires; otherwise highest priority first, then earliest arrival.
    pub fn ready(&self) -> Vec<Arc<PoolTransaction>> {
        self.inner.lock().base.ready_ordered()
    }

    /// Counts and bytes of ready and future transactions.
    pub fn status(&self) -> PoolStatus {
        let inner = self.inner.lock();
        PoolStatus {
            ready: inner.base.ready_count(),
            ready_bytes: inner.base.ready_bytes(),
            future: inner.base.future_count(),
            future_bytes: inner.base.future_bytes(),
        }
    }

    /// Every transaction's encoded bytes: the ready ones in inclusion order, then the future
    /// ones in arrival order (for `author_pendingExtrinsics`).
    pub fn pending(&self) -> Vec<Vec<u8>> {
        let inner = self.inner.lock();
        let ready = inner.base.ready_ordered();
        let future = inner.base.future_by_arrival();
        ready.iter().chain(future.iter()).map(|tx| tx.data.clone()).collect()
    }

    /// The transaction with this hash, if in the pool.
    pub fn get(&self, hash: &H256) -> Option<Arc<PoolTransaction>> {
        self.inner.lock().base.get(hash).cloned()
    }

    /// Removes these transactions (`author_removeExtrinsic`) and bans their hashes like invalid
    /// ones (as Substrate does). Their watchers get `Dropped`; ready transactions that depended
    /// on them go back to future. Returns the hashes that were in the pool.
    pub fn remove(&self, hashes: &[H256]) -> Vec<H256> {
        let removed: Vec<H256> = {
            let mut inner = self.inner.lock();
            let mut removed = Vec::new();
            for h in hashes {
                if inner.base.remove(h).is_some() {
                    inner.listeners.send(h, TransactionStatus::Dropped);
                    removed.push(*h);
                }
            }
            Self::notify_flips(&mut inner, None);
            removed
        };
        self.ban(removed.iter().copied());
        removed
    }

    /// Whether the transaction is in the pool (ready or future).
    pub fn contains(&self, hash: &H256) -> bool {
        self.inner.lock().base.contains(hash)
    }

    /// Whether the hash is banned now (found invalid less than
    /// [`PoolConfig::ban_time`] ago).
    pub fn is_banned(&self, hash: &H256) -> bool {
        let now = self.clock.now();
        self.banned.lock().is_banned(hash, now)
    }

    /// Reports to the watcher of `hash` (if in the pool) that it was gossiped to `peers`.
    pub fn on_broadcasted(&self, hash: &H256, peers: Vec<String>) {
        let mut inner = self.inner.lock();
        if inner.base.contains(hash) {
            inner.listeners.send(hash, TransactionStatus::Broadcast(peers));
        }
    }

    /// A stream of hashes of transactions that became ready (submitted, promoted, re-added or
    /// re-validated), for instant seal and gossip. Bounded
    /// ([`READY_NOTIFICATION_BUFFER`](crate::READY_NOTIFICATION_BUFFER)) and lossy: a
    /// subscriber that does not keep up misses hashes, so consumers should treat a hash as a
    /// hint and read [`Pool::ready`].
    pub fn ready_notifications(&self) -> mpsc::Receiver<H256> {
        let (sender, receiver) = mpsc::channel(READY_NOTIFICATION_BUFFER);
        self.inner.lock().listeners.add_ready_sink(sender);
        receiver
    }

    /// The number of the last block given to [`Pool::on_block_imported`] (0 before).
    pub fn best_number(&self) -> BlockNumber {
        self.best_number.load(Ordering::Acquire)
    }
}
