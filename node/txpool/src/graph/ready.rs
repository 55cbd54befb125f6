//! Inclusion order of the ready set.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use archive_primitives::H256;

use super::{BasePool, PoolTransaction};

impl BasePool {
    /// The ready transactions in inclusion order: a transaction comes after every ready
    /// transaction providing a tag it requires; among those whose dependencies are already
    /// listed, the highest priority comes first, then the earliest arrival.
    pub fn ready_ordered(&self) -> Vec<Arc<PoolTransaction>> {
        let ready: Vec<&Arc<PoolTransaction>> = self.ready_index.iter().filter_map(|(_, _, h)| self.get(h)).collect();
        let mut pending: HashMap<H256, usize> = HashMap::with_capacity(ready.len());
        let mut unlocks: HashMap<H256, Vec<H256>> = HashMap::new();
        let mut heap = BinaryHeap::new();
        for tx in &ready {
            let deps = self.ready_dependencies(tx);
            if deps.is_empty() {
                heap.push((tx.priority, Reverse(tx.inserted_at), tx.hash));
            } else {
                pending.insert(tx.hash, deps.len());
                for d in deps {
                    unlocks.entry(d).or_default().push(tx.hash);
                }
            }
        }
        let mut out = Vec::with_capacity(ready.len());
        while let Some((_, _, h)) = heap.pop() {
            let Some(tx) = self.get(&h) else { continue };
            out.push(tx.clone());
            for child in unlocks.remove(&h).unwrap_or_default() {
                let Some(n) = pending.get_mut(&child) else {
                    continue;
                };
                *n -= 1;
                if *n == 0 {
                    pending.remove(&child);
                    if let Some(c) = self.get(&child) {
                        heap.push((c.priority, Reverse(c.inserted_at), c.hash));
                    }
                }
            }
        }
        out
    }
}
