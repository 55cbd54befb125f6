//! State access for the runtime: a read-only backend plus layered, transactional overlays.

use std::collections::{BTreeMap, HashMap};

use crate::{events::RawEventRecord, Phase};

/// Read access to the state the runtime executes on (the node backs it by the state trie).
///
/// Implementations must be deterministic: the same key at the same state gives the same value.
/// A backend that hits an I/O error returns `None` and records the error itself; the node then
/// discards the whole execution (see `archive-client`).
pub trait StateBackend {
    /// The value at `key`, if any.
    fn get(&self, key: &[u8]) -> Option<Vec<u8>>;
    /// Keys starting with `prefix`, in order (used rarely: clearing maps).
    fn keys_with_prefix(&self, prefix: &[u8]) -> Vec<Vec<u8>>;
}

/// An in-memory backend, for tests and genesis.
#[derive(Clone, Debug, Default)]
pub struct MemoryBackend(pub BTreeMap<Vec<u8>, Vec<u8>>);

impl StateBackend for MemoryBackend {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.get(key).cloned()
    }
    fn keys_with_prefix(&self, prefix: &[u8]) -> Vec<Vec<u8>> {
        self.0.range(prefix.to_vec()..).take_while(|(k, _)| k.starts_with(prefix)).map(|(k, _)| k.clone()).collect()
    }
}

type Layer = HashMap<Vec<u8>, Option<Vec<u8>>>;

/// Maximum nesting of storage transactions; deeper nesting fails with `TransactionalError::LimitReached`.
pub const MAX_TRANSACTION_DEPTH: usize = 16;

/// The runtime's view of state during one execution: backend + committed overlay + open
/// transaction layers, plus the block's pending events.
pub struct Ext<'a> {
    backend: &'a dyn StateBackend,
    committed: Layer,
    layers: Vec<Layer>,
    events: Vec<RawEventRecord>,
    event_marks: Vec<usize>,
    phase: Phase,
}

impl<'a> Ext<'a> {
    /// A fresh view over `backend` with no changes.
    pub fn new(backend: &'a dyn StateBackend) -> Self {
        Ext {
            backend,
            committed: HashMap::new(),
            layers: Vec::new(),
            events: Vec::new(),
            event_marks: Vec::new(),
            phase: Phase::Initialization,
        }
    }

    /// Reads a raw value, newest layer first.
    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        for layer in self.layers.iter().rev() {
            if let Some(v) = layer.get(key) {
                return v.clone();
            }
        }
        match self.committed.get(key) {
            Some(v) => v.clone(),
            None => self.backend.get(key),
        }
    }

    /// Whether a value exists at `key`.
    pub fn exists(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    fn top(&mut self) -> &mut Layer {
        match self.layers.last_mut() {
            Some(l) => l,
            None => &mut self.committed,
        }
    }

    /// Writes a raw value into the current layer.
    pub fn set(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.top().insert(key, Some(value));
    }

    /// Deletes a value in the current layer.
    pub fn remove(&mut self, key: Vec<u8>) {
        self.top().insert(key, None);
    }

    /// Deletes every key starting with `prefix` (backend and overlay).
    pub fn clear_prefix(&mut self, prefix: &[u8]) {
        let mut keys: Vec<Vec<u8>> = self.backend.keys_with_prefix(prefix);
        keys.extend(self.committed.keys().filter(|k| k.starts_with(prefix)).cloned());
        for l in &self.layers {
            keys.extend(l.keys().filter(|k| k.starts_with(prefix)).cloned());
        }
        for k in keys {
            self.remove(k);
        }
    }

    /// Runs `f` in a storage transaction: its writes and events are kept if it returns `Ok`,
    /// rolled back if it returns `Err`.
    ///
    /// # Errors
    /// Whatever `f` returns; if nesting exceeds [`MAX_TRANSACTION_DEPTH`], `f` is not run and
    /// `E::from(TransactionalError::LimitReached)` is returned.
    pub fn transactional<R, E>(&mut self, f: impl FnOnce(&mut Self) -> Result<R, E>) -> Result<R, E>
    where
        E: From<crate::TransactionalError>,
    {
        if self.layers.len() >= MAX_TRANSACTION_DEPTH {
            return Err(crate::TransactionalError::LimitReached.into());
        }
        self.layers.push(HashMap::new());
        self.event_marks.push(self.events.len());
        let result = f(self);
        let layer = self.layers.pop().unwrap_or_default();
        let mark = self.event_marks.pop().unwrap_or(self.events.len());
        if result.is_ok() {
            let dest = self.top();
            dest.extend(layer);
        } else {
            self.events.truncate(mark);
        }
        result
    }

    /// Sets the phase recorded with subsequent events.
    pub fn set_phase(&mut self, phase: Phase) {
        self.phase = phase;
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Records an event of pallet `pallet_index` (its SCALE-encoded pallet event follows the
    /// index byte, exactly as the runtime's `RuntimeEvent` encodes it).
    pub fn deposit_event(&mut self, pallet_index: u8, event: &impl parity_scale_codec::Encode) {
        let mut encoded = vec![pallet_index];
        event.encode_to(&mut encoded);
        self.events.push(RawEventRecord { phase: self.phase, event: encoded, topics: Vec::new() });
    }

    /// The events recorded so far in this execution.
    pub fn events(&self) -> &[RawEventRecord] {
        &self.events
    }

    /// Takes the recorded events, leaving none.
    pub fn take_events(&mut self) -> Vec<RawEventRecord> {
        std::mem::take(&mut self.events)
    }

    /// All changes made (open transactions are committed first), sorted by key.
    pub fn into_changes(mut self) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        while let Some(layer) = self.layers.pop() {
            self.top().extend(layer);
        }
        let mut v: Vec<_> = self.committed.into_iter().collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DispatchError;

    #[test]
    fn nested_transactions_roll_back_only_their_writes_and_events() {
        let mut b = MemoryBackend::default();
        b.0.insert(b"a".to_vec(), b"1".to_vec());
        let mut ext = Ext::new(&b);
        let r: Result<(), DispatchError> = ext.transactional(|ext| {
            ext.set(b"a".to_vec(), b"2".to_vec());
            ext.deposit_event(0, &1u8);
            let inner: Result<(), DispatchError> = ext.transactional(|ext| {
                ext.set(b"a".to_vec(), b"3".to_vec());
                ext.remove(b"b".to_vec());
                ext.deposit_event(0, &2u8);
                Err(DispatchError::BadOrigin)
            });
            assert!(inner.is_err());
            assert_eq!(ext.get(b"a"), Some(b"2".to_vec()));
            Ok(())
        });
        assert!(r.is_ok());
        assert_eq!(ext.get(b"a"), Some(b"2".to_vec()));
        assert_eq!(ext.events().len(), 1);
        let changes = ext.into_changes();
        assert_eq!(changes, vec![(b"a".to_vec(), Some(b"2".to_vec()))]);
    }

    #[test]
    fn depth_limit_is_an_error_not_a_panic() {
        let b = MemoryBackend::default();
        let mut ext = Ext::new(&b);
        fn nest(ext: &mut Ext<'_>, d: usize) -> Result<usize, DispatchError> {
            ext.transactional(|ext| if d == 0 { Ok(0) } else { nest(ext, d - 1).map(|x| x + 1) })
        }
        assert!(nest(&mut ext, 5).is_ok());
        assert!(matches!(nest(&mut ext, 40), Err(DispatchError::Transactional(_))));
    }

    #[test]
    fn clear_prefix_covers_backend_and_overlay() {
        let mut b = MemoryBackend::default();
        b.0.insert(b"pa".to_vec(), b"1".to_vec());
        b.0.insert(b"q".to_vec(), b"1".to_vec());
        let mut ext = Ext::new(&b);
        ext.set(b"pb".to_vec(), b"2".to_vec());
        ext.clear_prefix(b"p");
        assert_eq!(ext.get(b"pa"), None);
        assert_eq!(ext.get(b"pb"), None);
        assert_eq!(ext.get(b"q"), Some(b"1".to_vec()));
    }
}
