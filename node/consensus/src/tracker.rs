//! Vote counting for one stage of one round: support per block, supermajorities,
//! equivocations. [`crate::Round`] combines a round's two trackers (prevotes, precommits).

use std::collections::{BTreeMap, BTreeSet};

use archive_primitives::{AccountId20, H256};

use crate::{
    equivocation::Equivocation,
    error::VoteError,
    fork_tree::Ancestry,
    justification::Justification,
    validators::ValidatorSet,
    vote::{SignedVote, Stage},
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

/// The votes of one stage (prevotes or precommits) of one round.
///
/// **Counting.** Each voter counts once, for its vote's target and every ancestor of it. A voter
/// caught equivocating (two different signed votes in the round) counts for no block at all —
/// neither vote, nor their common ancestors — so an equivocation can never help finalize
/// anything. Votes whose target the [`Ancestry`] does not know (with that number) count for
/// nothing either, but are kept: a later call with more blocks known counts them.
#[derive(Clone, Debug)]
pub struct VoteTracker {
    round: u64,
    stage: Stage,
    validators: ValidatorSet,
    genesis_hash: H256,
    /// The first valid vote of each voter.
    votes: BTreeMap<AccountId20, SignedVote>,
    equivocators: BTreeSet<AccountId20>,
    equivocations: Vec<Equivocation>,
}

/// Per-block support: number and how many (non-equivocating) voters voted for it or a descendant.
pub(crate) type Weights = BTreeMap<H256, (u32, usize)>;

impl VoteTracker {
    /// An empty tracker for the `stage` votes of `round` of the chain of `genesis_hash`.
    pub fn new(round: u64, stage: Stage, validators: ValidatorSet, genesis_hash: H256) -> Self {
        VoteTracker {
            round,
            stage,
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

    /// The stage counted.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The validator set.
    pub fn validators(&self) -> &ValidatorSet {
        &self.validators
    }

    /// Imports a vote: checks round, stage, voter and signature, then records it.
    ///
    /// A vote byte-identical to the known one is a [`ImportResult::Duplicate`] without a second
    /// signature check.
    ///
    /// # Errors
    /// [`VoteError::WrongRound`], [`VoteError::WrongStage`], [`VoteError::UnknownVoter`],
    /// [`VoteError::BadSignature`]; a refused vote changes nothing.
    pub fn import_vote(&mut self, signed: SignedVote) -> Result<ImportResult, VoteError> {
        if signed.vote.round != self.round {
            return Err(VoteError::WrongRound { expected: self.round, got: signed.vote.round });
        }
        if signed.vote.stage != self.stage {
            return Err(VoteError::WrongStage { expected: self.stage, got: signed.vote.stage });
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
        tracing::warn!(target: "consensus", %voter, round = self.round, stage = %self.stage, "vote equivocation");
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

    /// How many validators equivocated at this stage of the round.
    pub fn equivocators(&self) -> usize {
        self.equivocators.len()
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
    pub(crate) fn weights<A: Ancestry + ?Sized>(&self, chain: &A) -> (Weights, usize) {
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
    pub(crate) fn highest_with(weights: &Weights, k: usize) -> Option<(H256, u32)> {
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

    /// The highest block that at least `threshold(n)` counted votes are for (the block itself or
    /// a descendant): for precommits, the block this round finalizes. Since two such sets of
    /// voters overlap and each voter counts once, these blocks form one chain and the highest
    /// is unique.
    pub fn finalizable<A: Ancestry + ?Sized>(&self, chain: &A) -> Option<(H256, u32)> {
        let (weights, _) = self.weights(chain);
        Self::highest_with(&weights, self.validators.threshold())
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
