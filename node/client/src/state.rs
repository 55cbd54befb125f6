//! Adapts a database [`StateView`] to the runtime's [`StateBackend`], remembering the first
//! read error so an execution that hit one is discarded instead of trusted.

use archive_storage::StateView;
use archive_support::StateBackend;
use parking_lot::Mutex;

/// A runtime backend over a state view.
pub struct StateAdapter {
    view: StateView,
    error: Mutex<Option<archive_storage::Error>>,
}

impl StateAdapter {
    /// Wraps a view.
    pub fn new(view: StateView) -> Self {
        StateAdapter { view, error: Mutex::new(None) }
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
        match self.view.get(key) {
            Ok(v) => v,
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
