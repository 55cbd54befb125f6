//! Vote counting for one round: what is finalized, what could have been, equivocations.

use std::collections::{BTreeMap, BTreeSet};

use archive_primitives::{AccountId20, H256};

use crate::{
    equivocation::Equivocation, error::VoteError, fork_tree::Ancestry, justification::Justification,
    validators::ValidatorSet, vote::SignedVote,
};

/// What [`VoteTracker::import_vote`] did with a valid vote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportResult {
    /// A first vote from this voter: it counts.
    Counted,
    /// The voter's vote was already known; nothing changes.
    Duplicate,
    /// A second, different vote from this voter: the evidence is recorded and from now on the
    /// voter counts for no block in this round.
    Equivocation(Box<Equivocation>),
    /// Another vote from a voter already caught equivocating in this round; ignored.
    KnownEquivocator,
}

/// The votes of one round.
///
/// **Counting.** Each voter counts once, for its vote's target and every ancestor of it. A voter
/// caught equivocating (two different signed votes in the round) counts for no block at all —
/// neither vote, nor their common ancestors — so an equivocation can never help finalize
/// anything. Votes whose target the [`Ancestry`] does not know (with that number) count for
/// nothing either, but are kept: a later call with more blocks known counts them.
#[derive(Clone, Debug)]
pub struct VoteTracker {
    round: u64,
    validators: ValidatorSet,
    genesis_hash: H256,
    /// The first valid vote of each voter.
    votes: BTreeMap<AccountId20, SignedVote>,
    equivocators: BTreeSet<AccountId20>,
    equivocations: Vec<Equivocation>,
}

/// Per-block support: number and how many (non-equivocating) voters voted for it or a descendant.
type Weights = BTreeMap<H256, (u32, usize)>;

impl VoteTracker {
    /// An empty tracker for `round` of the chain of `genesis_hash`.
    pub fn new(round: u64, validators: ValidatorSet, genesis_hash: H256) -> Self {
        VoteTracker {
            round,
            validators,
            genesis_hash,
            votes: BTreeMap::new(),
            equivocators: BTreeSet::new(),
            equivocations: Vec::new(),
        }
    }

    /// The round.
    pub fn round(&self) -> u64 {
        self.round
    }

    /// The validator set.
    pub fn validators(&self) -> &ValidatorSet {
        &self.validators
    }

    /// Imports a vote: checks round, voter and signature, then records it.
    ///
    /// A vote byte-identical to the known one is a [`ImportResult::Duplicate`] without a second
    /// signature check.
    ///
    /// # Errors
    /// [`VoteError::WrongRound`], [`VoteError::UnknownVoter`], [`VoteError::BadSignature`]; a
    /// refused vote changes nothing.
    pub fn import_vote(&mut self, signed: SignedVote) -> Result<ImportResult, VoteError> {
        if signed.vote.round != self.round {
            return Err(VoteError::WrongRound { expected: self.round, got: signed.vote.round });
        }
        let voter = signed.voter;
        if !self.validators.contains(&voter) {
            return Err(VoteError::UnknownVoter { voter });
        }
        let first = self.votes.get(&voter).copied();
        if first == Some(signed) {
            return Ok(ImportResult::Duplicate);
        }
        signed.verify_signature(&self.genesis_hash)?;
        let Some(first) = first else {
            self.votes.insert(voter, signed);
            return Ok(ImportResult::Counted);
        };
        if first.vote == signed.vote {
            // Same vote, another valid signature of it: not a conflicting statement.
            return Ok(ImportResult::Duplicate);
        }
        if !self.equivocators.insert(voter) {
            return Ok(ImportResult::KnownEquivocator);
        }
        let evidence = Equivocation::Vote { voter, round: self.round, first, second: signed };
        tracing::warn!(target: "consensus", %voter, round = self.round, "vote equivocation");
        self.equivocations.push(evidence.clone());
        Ok(ImportResult::Equivocation(Box::new(evidence)))
    }

    /// The counted votes (one per voter, equivocators excluded), by voter.
    pub fn votes(&self) -> impl Iterator<Item = &SignedVote> {
        self.votes.values().filter(|v| !self.equivocators.contains(&v.voter))
    }

    /// How many validators have been heard from in this round, equivocators included.
    pub fn voters_seen(&self) -> usize {
        self.votes.len()
    }

    /// Whether `who` equivocated in this round.
    pub fn is_equivocator(&self, who: &AccountId20) -> bool {
        self.equivocators.contains(who)
    }

    /// The evidence of every equivocation seen in this round.
    pub fn equivocations(&self) -> &[Equivocation] {
        &self.equivocations
    }

    /// Support per block, and how many counted votes have a known target.
    fn weights<A: Ancestry + ?Sized>(&self, chain: &A) -> (Weights, usize) {
        let mut weights = Weights::new();
        let mut known = 0;
        for sv in self.votes() {
            let target = sv.vote.target_hash;
            if chain.number(&target) != Some(sv.vote.target_number) {
                continue;
            }
            known += 1;
            let mut cursor = Some(target);
            while let Some(h) = cursor {
                let Some(number) = chain.number(&h) else { break };
                weights.entry(h).or_insert((number, 0)).1 += 1;
                cursor = chain.parent(&h);
            }
        }
        (weights, known)
    }

    /// The highest block with support of at least `k`, if exactly one block is the highest.
    fn highest_with(weights: &Weights, k: usize) -> Option<(H256, u32)> {
        let mut best: Option<(H256, u32)> = None;
        let mut tie = false;
        for (h, (number, w)) in weights {
            if *w < k {
                continue;
            }
            match best {
                Some((_, n)) if *number < n => {}
                Some((_, n)) if *number == n => tie = true,
                _ => {
                    best = Some((*h, *number));
                    tie = false;
                }
            }
        }
        if tie {
            None
        } else {
            best
        }
    }

    /// The block this round finalizes: the highest block that at least `threshold(n)` counted
    /// votes are for (the block itself or a descendant). Since two such sets of voters overlap
    /// and each voter counts once, these blocks form one chain and the highest is unique.
    pub fn finalizable<A: Ancestry + ?Sized>(&self, chain: &A) -> Option<(H256, u32)> {
        let (weights, _) = self.weights(chain);
        Self::highest_with(&weights, self.validators.threshold())
    }

    /// The round's *estimate*: the highest block that anyone could have seen finalized in this
    /// round, given the votes seen here. `None` until at least `threshold(n)` counted votes
    /// with known targets are in (with fewer, the answer could be any of several branches).
    ///
    /// With `w = n − (counted votes with known targets)` validators unaccounted for (silent,
    /// equivocating, or voting for blocks not known here), a block *could* be finalized if its
    /// support plus `w` reaches the threshold. Any block actually finalized anywhere in this
    /// round passes that test (its voters are either counted here for it, or among the `w`),
    /// and the passing blocks form one chain (two conflicting ones would need `w ≥ 2t − n`,
    /// more than the `n − t` allowed). So the estimate descends from every block finalized in
    /// this round, and voting for descendants of it in the next round is safe.
    pub fn estimate<A: Ancestry + ?Sized>(&self, chain: &A) -> Option<(H256, u32)> {
        let (weights, known) = self.weights(chain);
        let t = self.validators.threshold();
        if known < t {
            return None;
        }
        let unaccounted = self.validators.len() - known;
        Self::highest_with(&weights, t - unaccounted)
    }

    /// Whether the round is over without waiting for a timeout: it has an estimate, and either
    /// every validator has been heard from or the estimate is itself finalized here (no higher
    /// block can reach the threshold any more).
    pub fn is_complete<A: Ancestry + ?Sized>(&self, chain: &A) -> bool {
        let Some(estimate) = self.estimate(chain) else { return false };
        self.votes.len() == self.validators.len() || Some(estimate) == self.finalizable(chain)
    }

    /// The justification of [`Self::finalizable`]: its round, target, and the counted votes for
    /// the target or its descendants (by voter).
    pub fn justification<A: Ancestry + ?Sized>(&self, chain: &A) -> Option<Justification> {
        let (target_hash, target_number) = self.finalizable(chain)?;
        let votes = self
            .votes()
            .filter(|sv| {
                chain.number(&sv.vote.target_hash) == Some(sv.vote.target_number)
                    && chain.is_descendant(&sv.vote.target_hash, &target_hash)
            })
            .copied()
            .collect();
        Some(Justification { round: self.round, target_hash, target_number, votes })
    }
}

#[cfg(test)]
#[path = "tracker_tests.rs"]
mod tests;
