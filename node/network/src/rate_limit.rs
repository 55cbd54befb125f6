//! Per-peer request rate limit over one-second windows.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use libp2p::PeerId;

/// Length of a counting window.
const WINDOW: Duration = Duration::from_secs(1);
/// A peer sending more than this multiple of the limit in one window is abusing us.
const ABUSE_FACTOR: u32 = 2;

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Within the limit: serve it.
    Allow,
    /// Over the limit: drop it.
    Drop,
    /// Over [`ABUSE_FACTOR`] × the limit in this window: drop it and report the peer (returned
    /// once per window).
    Abuse,
}

#[derive(Debug)]
struct Window {
    start: Instant,
    count: u32,
}

/// Counts requests per peer in fixed one-second windows.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: u32,
    windows: HashMap<PeerId, Window>,
}

impl RateLimiter {
    pub(crate) fn new(limit: u32) -> Self {
        RateLimiter { limit, windows: HashMap::new() }
    }

    pub(crate) fn check(&mut self, peer: PeerId, now: Instant) -> Verdict {
        let window = self.windows.entry(peer).or_insert(Window { start: now, count: 0 });
        if now.saturating_duration_since(window.start) >= WINDOW {
            *window = Window { start: now, count: 0 };
        }
        window.count = window.count.saturating_add(1);
        let abuse_at = self.limit.saturating_mul(ABUSE_FACTOR).saturating_add(1);
        match window.count {
            n if n <= self.limit => Verdict::Allow,
            n if n == abuse_at => Verdict::Abuse,
            _ => Verdict::Drop,
        }
    }

    pub(crate) fn forget(&mut self, peer: &PeerId) {
        self.windows.remove(peer);
    }

    /// Drops windows that ended, so idle peers cost nothing.
    pub(crate) fn prune(&mut self, now: Instant) {
        self.windows.retain(|_, w| now.saturating_duration_since(w.start) < WINDOW);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_then_drops_then_flags_abuse_once() {
        let mut limiter = RateLimiter::new(3);
        let peer = PeerId::random();
        let t0 = Instant::now();
        let verdicts: Vec<_> = (0..9).map(|_| limiter.check(peer, t0)).collect();
        use Verdict::*;
        assert_eq!(verdicts, [Allow, Allow, Allow, Drop, Drop, Drop, Abuse, Drop, Drop]);
        // A new window starts afresh; another peer is independent.
        assert_eq!(limiter.check(peer, t0 + WINDOW), Allow);
        assert_eq!(limiter.check(PeerId::random(), t0), Allow);
        limiter.prune(t0 + WINDOW * 3);
        assert!(limiter.windows.is_empty());
    }
}
