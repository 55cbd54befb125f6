//! Size limits: eviction of the least valuable transactions.

use std::sync::Arc;

use super::{BasePool, PoolTransaction};

/// Bounds enforced by [`BasePool::enforce_limits`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub max_ready: usize,
    pub max_future: usize,
    pub max_bytes: usize,
}

impl BasePool {
    /// Evicts transactions until the pool fits `limits`, and returns them.
    ///
    /// Order: while there are too many future transactions, or too many bytes and some future
    /// transaction, the worst future one goes (lowest priority, most recent first); then, while
    /// there are too many ready transactions or bytes, the worst ready one goes (its dependents
    /// move back to future and are subject to the future limit).
    pub fn enforce_limits(&mut self, limits: Limits) -> Vec<Arc<PoolTransaction>> {
        let mut evicted = Vec::new();
        loop {
            let over_bytes = self.ready_bytes() + self.future_bytes() > limits.max_bytes;
            let victim = if self.future_count() > limits.max_future || (over_bytes && self.future_count() > 0) {
                self.future_index.first()
            } else if self.ready_count() > limits.max_ready || over_bytes {
                self.ready_index.first()
            } else {
                None
            };
            let Some(&(_, _, hash)) = victim else { break };
            match self.remove(&hash) {
                Some(tx) => evicted.push(tx),
                None => break,
            }
        }
        evicted
    }
}
