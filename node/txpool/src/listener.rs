//! Delivery of status updates to watchers and of new-ready hashes to subscribers.

use std::collections::HashMap;

use archive_primitives::{BlockNumber, H256};
use futures::channel::mpsc;

use crate::status::TransactionStatus;

/// Blocks after `InBlock` without `Finalized` before a watcher gets `FinalityTimeout`.
pub const FINALITY_TIMEOUT_BLOCKS: BlockNumber = 512;

/// Capacity of each [`Pool::ready_notifications`](crate::Pool::ready_notifications) channel.
pub const READY_NOTIFICATION_BUFFER: usize = 1024;

#[derive(Debug)]
struct Watch {
    sender: mpsc::UnboundedSender<TransactionStatus>,
    /// Last `Ready`/`Future` sent (`Some(true)`: `Ready`) since the transaction (re-)entered the
    /// pool, to avoid repeating it.
    last_ready: Option<bool>,
}

#[derive(Debug, Default)]
pub(crate) struct Listeners {
    watchers: HashMap<H256, Watch>,
    /// Watched transactions reported `InBlock` and not yet finalized: tx -> (block, number).
    in_block: HashMap<H256, (H256, BlockNumber)>,
    ready_sinks: Vec<mpsc::Sender<H256>>,
}

impl Listeners {
    /// Registers a watcher for `hash`, replacing any previous one.
    pub fn watch(&mut self, hash: H256, sender: mpsc::UnboundedSender<TransactionStatus>) {
        self.in_block.remove(&hash);
        self.watchers.insert(hash, Watch { sender, last_ready: None });
    }

    /// Sends `status` to the watcher of `hash`, if any. A final status ends the watch.
    pub fn send(&mut self, hash: &H256, status: TransactionStatus) {
        let Some(watch) = self.watchers.get_mut(hash) else {
            return;
        };
        let is_final = status.is_final();
        match status {
            TransactionStatus::Ready => watch.last_ready = Some(true),
            TransactionStatus::Future => watch.last_ready = Some(false),
            _ => watch.last_ready = None,
        }
        if watch.sender.unbounded_send(status).is_err() || is_final {
            self.watchers.remove(hash);
            self.in_block.remove(hash);
        }
    }

    /// Reports the pool state of `hash` (`Ready`/`Future`) unless it was the last one reported.
    pub fn set_state(&mut self, hash: &H256, ready: bool) {
        let Some(watch) = self.watchers.get(hash) else {
            return;
        };
        if watch.last_ready != Some(ready) {
            let status = if ready { TransactionStatus::Ready } else { TransactionStatus::Future };
            self.send(hash, status);
        }
    }

    /// Reports `InBlock(block)` and starts the finality timeout.
    pub fn in_block(&mut self, hash: &H256, block: H256, number: BlockNumber) {
        if self.watchers.contains_key(hash) {
            self.send(hash, TransactionStatus::InBlock(block));
            if self.watchers.contains_key(hash) {
                self.in_block.insert(*hash, (block, number));
            }
        }
    }

    /// Reports `Retracted(block)` and stops the finality timeout.
    pub fn retracted(&mut self, hash: &H256, block: H256) {
        if self.watchers.contains_key(hash) {
            self.in_block.remove(hash);
            self.send(hash, TransactionStatus::Retracted(block));
        }
    }

    /// Sends `FinalityTimeout` to watchers whose block is `FINALITY_TIMEOUT_BLOCKS` behind `best`.
    pub fn finality_timeouts(&mut self, best: BlockNumber) {
        let expired: Vec<(H256, H256)> = self
            .in_block
            .iter()
            .filter(|(_, (_, n))| best.saturating_sub(*n) >= FINALITY_TIMEOUT_BLOCKS)
            .map(|(tx, (block, _))| (*tx, *block))
            .collect();
        for (tx, block) in expired {
            self.in_block.remove(&tx);
            self.send(&tx, TransactionStatus::FinalityTimeout(block));
        }
    }

    pub fn add_ready_sink(&mut self, sink: mpsc::Sender<H256>) {
        self.ready_sinks.push(sink);
    }

    /// Announces a newly ready transaction. Lossy: a full subscriber misses it; closed
    /// subscribers are forgotten.
    pub fn notify_ready(&mut self, hash: H256) {
        self.ready_sinks.retain_mut(|sink| match sink.try_send(hash) {
            Ok(()) => true,
            Err(e) => !e.is_disconnected(),
        });
    }

    #[cfg(test)]
    pub fn watcher_count(&self) -> usize {
        self.watchers.len()
    }
}
