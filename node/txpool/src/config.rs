//! Pool limits and status.

use std::time::Duration;

use crate::graph::Limits;

/// Limits of a [`Pool`](crate::Pool).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolConfig {
    /// Most ready transactions kept.
    pub max_ready: usize,
    /// Most future transactions kept (bounds how far ahead of the chain senders can queue).
    pub max_future: usize,
    /// Most encoded bytes kept, ready and future together.
    pub max_bytes: usize,
    /// Largest encoded transaction accepted (the runtime also checks the block length).
    pub max_tx_size: usize,
    /// How long a hash found invalid stays banned.
    pub ban_time: Duration,
}

impl Default for PoolConfig {
    /// 8192 ready, 1024 future, 20 MiB in all, 5 MiB per transaction, 30 min bans.
    fn default() -> Self {
        PoolConfig {
            max_ready: 8192,
            max_future: 1024,
            max_bytes: 20 * 1024 * 1024,
            max_tx_size: 5 * 1024 * 1024,
            ban_time: Duration::from_secs(30 * 60),
        }
    }
}

impl PoolConfig {
    pub(crate) fn limits(&self) -> Limits {
        Limits { max_ready: self.max_ready, max_future: self.max_future, max_bytes: self.max_bytes }
    }
}

/// Counts and sizes of the pool's two queues.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStatus {
    /// Ready transactions.
    pub ready: usize,
    /// Their encoded bytes.
    pub ready_bytes: usize,
    /// Future transactions (waiting for a tag).
    pub future: usize,
    /// Their encoded bytes.
    pub future_bytes: usize,
}
