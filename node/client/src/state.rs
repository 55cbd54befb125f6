//! Adapts a database [`StateView`] to the runtime's [`StateBackend`], remembering the first
//! read error so an execution that hit one is discarded instead of trusted, and caching values
//! read: one block reads the same keys (block hashes, issuance, hot accounts) thousands of
//! times, and each trie read walks several nodes.

use std::collections::HashMap;

use archive_storage::StateView;
use archive_support::StateBackend;
use parking_lot::Mutex;

/// Values cached per adapter before the cache is cleared (bounds memory for huge executions).
const MAX_CACHED_VALUES: usize = 200_000;

/// A runtime backend over a state view. The view is immutable, so cached values stay valid for
/// the adapter's lifetime.
pub struct StateAdapter {
    view: StateView,
    error: Mutex<Option<archive_storage::Error>>,
    cache: Mutex<HashMap<Vec<u8>, Option<Vec<u8>>>>,
}

impl StateAdapter {
    /// Wraps a view.
    pub fn new(view: StateView) -> Self {
        StateAdapter { view, error: Mutex::new(None), cache: Mutex::new(HashMap::new()) }
    }

    /// The first read error, if any (take it after executing).
    pub fn take_error(&self) -> Option<archive_storage::Error> {
        self.error.lock().take()
    }

    fn record(&self, e: archive_storage::Error) {
        let mut g = self.error.lock();
        if g.is_none() {
            *g = Some(e);
        }
    }
}

impl StateBackend for StateAdapter {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        if let Some(v) = self.cache.lock().get(key) {
            return v.clone();
        }
        match self.view.get(key) {
            Ok(v) => {
                let mut cache = self.cache.lock();
                if cache.len() >= MAX_CACHED_VALUES {
                    cache.clear();
                }
                cache.insert(key.to_vec(), v.clone());
                v
            }
            Err(e) => {
                self.record(e);
                None
            }
        }
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Vec<Vec<u8>> {
        match self.view.pairs(prefix) {
            Ok(p) => p.into_iter().map(|(k, _)| k).collect(),
            Err(e) => {
                self.record(e);
                Vec::new()
            }
        }
    }
}
