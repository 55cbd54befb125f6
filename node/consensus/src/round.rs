//! One finality round: its prevotes and precommits, and what they decide — GRANDPA's rules
//! (Stewart & Kokoris-Kogia, 2020, §3–4) without primary proposals or stake weights.
//!
//! Notation: `n` validators, `t = threshold(n)` (more than 2/3), `f = n − t` (the most that may
//! be faulty), `V` the prevotes and `C` the precommits seen here.
//!
//! - **Prevote GHOST** `g(V)`: the highest block that `t` prevoters voted for (the block or a
//!   descendant), counting an equivocator as voting for every block. Across all honest views
//!   these blocks lie on one chain: two conflicting ones would need `2t − n > f` voters to
//!   have voted both ways.
//! - **Possible**: a block `B` could still be finalized by `C` (in anyone's view) if its
//!   precommit support here plus the voters not accounted for here (unheard, equivocating, or
//!   voting for blocks unknown here) is at least `t − f`. A block finalized anywhere has `t`
//!   precommitters; at most `f` of them can show this view a different precommit (only faulty
//!   validators sign two), so it passes.
//! - **Estimate** `E`: the highest possible block on `g(V)`'s ancestry (`g(V)` itself when it is
//!   possible).
//! - **Completable**: `g(V)` exists and either `E` is below `g(V)`, or no child of `g(V)` is
//!   possible. Then `E` descends from every block finalized in this round anywhere (if `g(V)`
//!   were below such a block `B`, the child of `g(V)` towards `B` would be possible; if not,
//!   `B` lies on `g(V)`'s ancestry and is possible, so `E ≥ B`). A validator leaves a round only
//!   when it is completable, so its next prevote builds on `E`.

use archive_primitives::H256;

use crate::{
    error::VoteError,
    fork_tree::Ancestry,
    justification::Justification,
    tracker::{ImportResult, VoteTracker},
    validators::ValidatorSet,
    vote::{SignedVote, Stage},
};

/// The prevotes and precommits of one round.
#[derive(Clone, Debug)]
pub struct Round {
    prevotes: VoteTracker,
    precommits: VoteTracker,
}

impl Round {
    /// An empty round `number` of the chain of `genesis_hash`.
    pub fn new(number: u64, validators: ValidatorSet, genesis_hash: H256) -> Self {
        Round {
            prevotes: VoteTracker::new(number, Stage::Prevote, validators.clone(), genesis_hash),
            precommits: VoteTracker::new(number, Stage::Precommit, validators, genesis_hash),
        }
    }

    /// The round number.
    pub fn number(&self) -> u64 {
        self.prevotes.round()
    }

    /// The prevotes seen.
    pub fn prevotes(&self) -> &VoteTracker {
        &self.prevotes
    }

    /// The precommits seen.
    pub fn precommits(&self) -> &VoteTracker {
        &self.precommits
    }

    /// Imports a prevote or precommit of this round (see [`VoteTracker::import_vote`]).
    ///
    /// # Errors
    /// As [`VoteTracker::import_vote`].
    pub fn import_vote(&mut self, signed: SignedVote) -> Result<ImportResult, VoteError> {
        match signed.vote.stage {
            Stage::Prevote => self.prevotes.import_vote(signed),
            Stage::Precommit => self.precommits.import_vote(signed),
        }
    }

    fn n(&self) -> usize {
        self.prevotes.validators().len()
    }

    fn t(&self) -> usize {
        self.prevotes.validators().threshold()
    }

    /// Support plus unaccounted-for voters a block needs to be possible: `t − f`.
    fn possible_threshold(&self) -> usize {
        let (n, t) = (self.n(), self.t());
        t - (n - t)
    }

    /// `g(V)`: the highest block `t` prevoters voted for, an equivocator counting for every
    /// block. `None` until one exists.
    pub fn prevote_ghost<A: Ancestry + ?Sized>(&self, chain: &A) -> Option<(H256, u32)> {
        let (weights, _) = self.prevotes.weights(chain);
        let need = self.t().saturating_sub(self.prevotes.equivocators()).max(1);
        VoteTracker::highest_with(&weights, need)
    }

    /// The block this round's precommits finalize (`t` of them for it or descendants).
    pub fn finalized<A: Ancestry + ?Sized>(&self, chain: &A) -> Option<(H256, u32)> {
        self.precommits.finalizable(chain)
    }

    /// The justification of [`Self::finalized`]: the precommits for it or its descendants.
    pub fn justification<A: Ancestry + ?Sized>(&self, chain: &A) -> Option<Justification> {
        self.precommits.justification(chain)
    }

    /// The round's estimate `E` (see the module docs); `None` while `g(V)` is unknown.
    pub fn estimate<A: Ancestry + ?Sized>(&self, chain: &A) -> Option<(H256, u32)> {
        self.decide(chain).map(|d| d.estimate)
    }

    /// Whether the round is completable (see the module docs): the estimate can no longer
    /// move, so a validator may leave the round and build on it.
    pub fn is_completable<A: Ancestry + ?Sized>(&self, chain: &A) -> bool {
        self.decide(chain).is_some_and(|d| d.completable)
    }

    /// Whether the round is over without waiting for a timeout: completable, and either every
    /// validator's precommit is in or the estimate is finalized in this round.
    pub fn is_complete<A: Ancestry + ?Sized>(&self, chain: &A) -> bool {
        self.decide(chain).is_some_and(|d| d.complete)
    }

    /// Everything the votes decide, from one pass over the prevotes and one over the precommits;
    /// `None` while `g(V)` is unknown.
    pub fn decide<A: Ancestry + ?Sized>(&self, chain: &A) -> Option<Decision> {
        let ghost = self.prevote_ghost(chain)?;
        let (weights, known) = self.precommits.weights(chain);
        let unaccounted = self.n() - known;
        let need = self.possible_threshold();
        let possible = |hash: &H256| weights.get(hash).map_or(0, |(_, w)| *w) + unaccounted >= need;
        let mut estimate = ghost;
        while !possible(&estimate.0) {
            // Every known precommit counts for the tree's root, so the walk ends there at the
            // latest (support + unaccounted = n).
            let parent = chain.parent(&estimate.0)?;
            estimate = (parent, chain.number(&parent)?);
        }
        // Below the GHOST, or no child of it possible (one not known here has no support:
        // possible only through the unaccounted).
        let completable = estimate != ghost
            || (unaccounted < need
                && !weights.iter().any(|(hash, (number, support))| {
                    *number == ghost.1.saturating_add(1)
                        && chain.parent(hash) == Some(ghost.0)
                        && support + unaccounted >= need
                }));
        let finalized = VoteTracker::highest_with(&weights, self.t());
        let complete = completable && (self.precommits.voters_seen() == self.n() || finalized == Some(estimate));
        Some(Decision { ghost, estimate, completable, complete })
    }
}

/// What a round's votes decide so far ([`Round::decide`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The prevote GHOST `g(V)`.
    pub ghost: (H256, u32),
    /// The estimate `E`.
    pub estimate: (H256, u32),
    /// Whether the round is completable.
    pub completable: bool,
    /// Whether it is complete (completable, and all precommits in or `E` finalized here).
    pub complete: bool,
}

#[cfg(test)]
#[path = "round_tests.rs"]
mod tests;
