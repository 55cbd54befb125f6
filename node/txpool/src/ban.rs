//! Temporarily banned transaction hashes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use archive_primitives::H256;

/// Above this many entries, expired ones are pruned on every ban.
const PRUNE_THRESHOLD: usize = 4096;

/// Hash -> instant the ban ends.
#[derive(Debug, Default)]
pub(crate) struct BanList {
    until: HashMap<H256, Instant>,
}

impl BanList {
    pub fn is_banned(&self, hash: &H256, now: Instant) -> bool {
        self.until.get(hash).is_some_and(|until| now < *until)
    }

    pub fn ban(&mut self, hashes: impl IntoIterator<Item = H256>, now: Instant, time: Duration) {
        if self.until.len() > PRUNE_THRESHOLD {
            self.prune(now);
        }
        let until = now + time;
        for h in hashes {
            self.until.insert(h, until);
        }
    }

    pub fn unban(&mut self, hash: &H256) {
        self.until.remove(hash);
    }

    /// Forgets the bans that ended.
    pub fn prune(&mut self, now: Instant) {
        self.until.retain(|_, until| now < *until);
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.until.len()
    }
}
