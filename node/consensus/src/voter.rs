//! One validator's finality state machine: rounds of prevotes and precommits, its own votes,
//! finality, catch-up.
//!
//! Pure: the caller feeds it votes, justifications and the time, and applies what it reports
//! (gossip the votes it casts, `ForkTree::finalize` and store the justification of each newly
//! finalized block, submit the equivocation evidence).

use std::collections::BTreeMap;

use archive_primitives::{Pair, H256};
use parity_scale_codec::{Decode, Encode};

use crate::{
    equivocation::Equivocation,
    error::{JustificationError, VoteError},
    fork_tree::ForkTree,
    justification::{verify_justification, Justification},
    round::Round,
    tracker::ImportResult,
    validators::ValidatorSet,
    vote::{SignedVote, Stage, Vote},
};

/// How many rounds ahead of its current round a voter accepts votes (they let it catch up with
/// validators that moved on). Older than the previous round, votes are refused as stale.
pub const MAX_ROUNDS_AHEAD: u64 = 8;

/// What importing a vote did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteOutcome {
    /// How the vote was counted.
    pub result: ImportResult,
    /// A block newly finalized by the vote's round, with its proof.
    pub finalized: Option<Justification>,
}

/// The vote a voter cast, and what counting it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CastVote {
    /// The signed vote, to gossip.
    pub vote: SignedVote,
    /// A block newly finalized by counting it, with its proof.
    pub finalized: Option<Justification>,
}

/// What a node persists of its voter so that a restart neither votes twice in a round (an
/// equivocation) nor loses the base its next vote must build on. SCALE-encodable.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct VoterState {
    /// The current round.
    pub round: u64,
    /// The previous round's estimate (`None`: not known, no vote possible in this round).
    pub base: Option<(H256, u32)>,
    /// The last finalized block this voter knows.
    pub finalized: (H256, u32),
    /// This validator's own prevote in `round`, if it cast one.
    pub own_prevote: Option<SignedVote>,
    /// This validator's own precommit in `round`, if it cast one.
    pub own_precommit: Option<SignedVote>,
}

/// A validator's view of the finality rounds.
///
/// **Restart rule:** a validator must never vote twice in a round (that is an equivocation).
/// The node persists [`Voter::state`] after every [`Voter::next_vote`] — *before* sending the
/// vote — and after every round change, and restarts with [`Voter::restore`], which re-counts
/// (and lets the node re-send) its own vote of the current round instead of casting another.
#[derive(Clone, Debug)]
pub struct Voter {
    validators: ValidatorSet,
    genesis_hash: H256,
    round: u64,
    round_started_ms: u64,
    round_timeout_ms: u64,
    /// The estimate of the previous round: this round's votes must descend from it. `None` for
    /// a voter started in a round after 1 without its state, until it learns a round's estimate.
    base: Option<(H256, u32)>,
    finalized: (H256, u32),
    /// The last prevote and precommit this voter cast (their round tells whether they are of
    /// the current one).
    own_prevote: Option<SignedVote>,
    own_precommit: Option<SignedVote>,
    rounds: BTreeMap<u64, Round>,
    equivocations: Vec<Equivocation>,
}

impl Voter {
    /// A voter starting `round` at `now_ms`, with `finalized` as the last finalized block. A
    /// round ends once completable, and either complete or `round_timeout_ms` after it began;
    /// the precommit waits for `t` prevotes and, unless all `n` are in, for half that timeout.
    ///
    /// Round 1 (a new chain or validator set) votes on top of `finalized`. A voter started in a
    /// later round without its persisted state (use [`Self::restore`] when there is one) does
    /// not know the previous round's estimate, so it casts no vote until it has moved to a
    /// round through [`Self::try_advance`] or [`Self::import_justification`]: voting on top of
    /// an older finalized block could contradict a block finalized meanwhile. It must be
    /// started in a round after any round it may have voted in.
    pub fn new(
        validators: ValidatorSet,
        genesis_hash: H256,
        finalized: (H256, u32),
        round: u64,
        round_timeout_ms: u64,
        now_ms: u64,
    ) -> Self {
        Voter {
            validators,
            genesis_hash,
            round,
            round_started_ms: now_ms,
            round_timeout_ms,
            base: (round <= 1).then_some(finalized),
            finalized,
            own_prevote: None,
            own_precommit: None,
            rounds: BTreeMap::new(),
            equivocations: Vec::new(),
        }
    }

    /// A voter for a new validator set, taking over after the set-change block `finalized`
    /// (which the previous set finalized) in `round`: its first vote builds on `finalized`.
    /// `round` must be after every round this node voted in under the previous set, so that no
    /// validator in both sets ever signs two votes in one round.
    pub fn for_new_set(
        validators: ValidatorSet,
        genesis_hash: H256,
        finalized: (H256, u32),
        round: u64,
        round_timeout_ms: u64,
        now_ms: u64,
    ) -> Self {
        let mut voter = Self::new(validators, genesis_hash, finalized, round, round_timeout_ms, now_ms);
        voter.base = Some(finalized);
        voter
    }

    /// The validator set this voter counts votes of.
    pub fn validators(&self) -> &ValidatorSet {
        &self.validators
    }

    /// The current round.
    pub fn round(&self) -> u64 {
        self.round
    }

    /// The last block this voter saw finalized.
    pub fn finalized(&self) -> (H256, u32) {
        self.finalized
    }

    /// The previous round's estimate: votes of the current round descend from it (`None`: not
    /// known yet, no vote possible).
    pub fn base(&self) -> Option<(H256, u32)> {
        self.base
    }

    /// Whether this voter has cast both its votes (prevote and precommit) in the current round.
    pub fn has_voted(&self) -> bool {
        self.own_precommit_in_round().is_some()
    }

    /// This voter's prevote in the current round, if any.
    pub fn own_prevote_in_round(&self) -> Option<SignedVote> {
        self.own_prevote.filter(|v| v.vote.round == self.round)
    }

    /// This voter's precommit in the current round, if any.
    pub fn own_precommit_in_round(&self) -> Option<SignedVote> {
        self.own_precommit.filter(|v| v.vote.round == self.round)
    }

    /// This voter's votes in the current round (to re-send, e.g. after a restart or to peers
    /// that missed them).
    pub fn own_votes_in_round(&self) -> Vec<SignedVote> {
        self.own_prevote_in_round().into_iter().chain(self.own_precommit_in_round()).collect()
    }

    /// The state to persist (see the type's restart rule).
    pub fn state(&self) -> VoterState {
        VoterState {
            round: self.round,
            base: self.base,
            finalized: self.finalized,
            own_prevote: self.own_prevote_in_round(),
            own_precommit: self.own_precommit_in_round(),
        }
    }

    /// A voter resuming from a persisted [`VoterState`] at `now_ms`: same round, base and
    /// finalized block; its own votes of the round, if any, are counted again and no second
    /// vote of either stage is cast in that round.
    pub fn restore(
        validators: ValidatorSet,
        genesis_hash: H256,
        state: VoterState,
        round_timeout_ms: u64,
        now_ms: u64,
    ) -> Self {
        let mut voter = Voter::new(validators, genesis_hash, state.finalized, state.round, round_timeout_ms, now_ms);
        voter.base = state.base;
        for v in [state.own_prevote, state.own_precommit].into_iter().flatten() {
            if v.vote.round != state.round {
                continue;
            }
            match v.vote.stage {
                Stage::Prevote => voter.own_prevote = Some(v),
                Stage::Precommit => voter.own_precommit = Some(v),
            }
            if let Err(e) = voter.round_mut(state.round).import_vote(v) {
                tracing::error!(target: "consensus", error = %e, "persisted own vote refused");
            }
        }
        voter
    }

    /// The votes of `round`, if it is still tracked.
    pub fn tracker(&self, round: u64) -> Option<&Round> {
        self.rounds.get(&round)
    }

    /// Takes the equivocation evidence found since the last call.
    pub fn take_equivocations(&mut self) -> Vec<Equivocation> {
        std::mem::take(&mut self.equivocations)
    }

    fn round_mut(&mut self, round: u64) -> &mut Round {
        let (validators, genesis) = (&self.validators, self.genesis_hash);
        self.rounds.entry(round).or_insert_with(|| Round::new(round, validators.clone(), genesis))
    }

    /// The block this round's vote must descend from: the highest of the tree's root, this
    /// voter's finalized block and the previous round's estimate (they lie on one chain).
    /// `None` if they conflict, which only a safety failure elsewhere can cause.
    fn vote_base(&self, tree: &ForkTree) -> Option<(H256, u32)> {
        let root = tree.finalized();
        let mut base = root;
        for cand in [self.finalized, self.base?] {
            if cand.1 <= root.1 {
                continue; // at or below the root: an ancestor of it, already implied
            }
            if !tree.contains(&cand.0) {
                tracing::error!(target: "consensus", block = %cand.0, "vote base conflicts with finality");
                return None;
            }
            if tree.is_descendant(&cand.0, &base.0) {
                base = cand;
            } else if !tree.is_descendant(&base.0, &cand.0) {
                tracing::error!(target: "consensus", a = %cand.0, b = %base.0, "conflicting vote bases");
                return None;
            }
        }
        Some(base)
    }

    /// Casts this round's next vote, if `pair` is a validator and the vote is due:
    /// - the **prevote**, for the best block among the descendants of the round's base (its
    ///   best block when that descends from the base; GRANDPA's rule);
    /// - then the **precommit**, for the prevote GHOST `g(V)` once it exists and descends from
    ///   the base, and all `n` prevotes are in, or half the round timeout has passed, or the
    ///   round is already completable.
    ///
    /// The vote is counted at once; gossip it. At most one vote per call.
    pub fn next_vote(&mut self, tree: &ForkTree, pair: &Pair, now_ms: u64) -> Option<CastVote> {
        if !self.validators.contains(&pair.account()) || self.has_voted() {
            return None;
        }
        let base = self.vote_base(tree)?;
        let round = self.round;
        let vote = if self.own_prevote_in_round().is_none() {
            let (target_hash, target_number) = tree.best_containing(&base.0)?;
            let vote = Vote { target_hash, target_number, round, stage: Stage::Prevote };
            let signed = SignedVote::sign(vote, pair, &self.genesis_hash);
            self.own_prevote = Some(signed);
            signed
        } else {
            let r = self.rounds.get(&round)?;
            let (target_hash, target_number) = r.prevote_ghost(tree)?;
            if !tree.is_descendant(&target_hash, &base.0) {
                return None;
            }
            let waited = now_ms >= self.round_started_ms.saturating_add(self.round_timeout_ms / 2);
            if !(waited || r.prevotes().voters_seen() == self.validators.len() || r.is_completable(tree)) {
                return None;
            }
            let vote = Vote { target_hash, target_number, round, stage: Stage::Precommit };
            let signed = SignedVote::sign(vote, pair, &self.genesis_hash);
            self.own_precommit = Some(signed);
            signed
        };
        if let Err(e) = self.round_mut(round).import_vote(vote) {
            tracing::error!(target: "consensus", error = %e, "own vote refused");
        }
        let finalized = self.check_finality(round, tree);
        Some(CastVote { vote, finalized })
    }

    /// Imports a vote of the previous, current or a later round (up to [`MAX_ROUNDS_AHEAD`]).
    ///
    /// # Errors
    /// [`VoteError::StaleRound`], [`VoteError::RoundTooFarAhead`], [`VoteError::UnknownTarget`]
    /// (a target above the finalized block that `tree` does not hold: import the block, then
    /// the vote again), and the tracker's errors.
    pub fn import_vote(&mut self, signed: SignedVote, tree: &ForkTree) -> Result<VoteOutcome, VoteError> {
        let (round, current) = (signed.vote.round, self.round);
        if round.saturating_add(1) < current {
            return Err(VoteError::StaleRound { round, current });
        }
        if round > current.saturating_add(MAX_ROUNDS_AHEAD) {
            return Err(VoteError::RoundTooFarAhead { round, current });
        }
        let (hash, number) = (signed.vote.target_hash, signed.vote.target_number);
        if !tree.contains(&hash) && number > tree.finalized().1 {
            return Err(VoteError::UnknownTarget { hash, number });
        }
        let result = self.round_mut(round).import_vote(signed)?;
        if let ImportResult::Equivocation(evidence) = &result {
            self.equivocations.push((**evidence).clone());
        }
        let finalized = self.check_finality(round, tree);
        Ok(VoteOutcome { result, finalized })
    }

    fn check_finality(&mut self, round: u64, tree: &ForkTree) -> Option<Justification> {
        let j = self.rounds.get(&round)?.justification(tree)?;
        if j.target_number <= self.finalized.1 {
            return None;
        }
        // Tree blocks all descend from its root; above the root, also check our finalized block.
        if self.finalized.1 > tree.finalized().1 && !tree.is_descendant(&j.target_hash, &self.finalized.0) {
            tracing::error!(target: "consensus", block = %j.target_hash, "finality conflicts with finalized block");
            return None;
        }
        self.finalized = (j.target_hash, j.target_number);
        tracing::info!(target: "consensus", round, number = j.target_number, hash = %j.target_hash, "finalized");
        Some(j)
    }

    /// Verifies a justification (e.g. from a peer or sync) and adopts its finality. Its
    /// precommits are counted in their round. If that round is the current or a later one, the
    /// voter moves past it: to the round after it, with that round's estimate as the base when
    /// the round is completable here, otherwise with no base (no vote until a round is seen
    /// completable: a justification proves one block final, not that nothing higher was).
    /// Returns the block if it is newly finalized for this voter.
    ///
    /// # Errors
    /// As [`verify_justification`] (with `tree` for ancestry); [`JustificationError::UnknownTarget`]
    /// if the target is above the finalized block and not in `tree` (import it first).
    pub fn import_justification(
        &mut self,
        j: &Justification,
        tree: &ForkTree,
        now_ms: u64,
    ) -> Result<Option<(H256, u32)>, JustificationError> {
        if !tree.contains(&j.target_hash) && j.target_number > tree.finalized().1 {
            return Err(JustificationError::UnknownTarget { hash: j.target_hash, number: j.target_number });
        }
        verify_justification(j, &self.validators, &self.genesis_hash, |a, b| tree.is_descendant(a, b))?;
        if j.round >= self.round {
            let round = self.round_mut(j.round);
            let mut evidence = Vec::new();
            for v in &j.votes {
                // Verified above; duplicates and equivocations are counted as usual.
                if let Ok(ImportResult::Equivocation(e)) = round.import_vote(*v) {
                    evidence.push(*e);
                }
            }
            self.equivocations.extend(evidence);
            let estimate =
                self.rounds.get(&j.round).and_then(|r| r.decide(tree)).filter(|d| d.completable).map(|d| d.estimate);
            self.enter_round(j.round.saturating_add(1), estimate, now_ms);
        }
        let target = (j.target_hash, j.target_number);
        if target.1 > self.finalized.1 && tree.contains(&target.0) {
            self.finalized = target;
            return Ok(Some(target));
        }
        Ok(None)
    }

    /// Moves to the next round when the current one is completable and either complete or
    /// timed out; or jumps past a later round that is already completable here (catch-up).
    /// Returns the new round.
    pub fn try_advance(&mut self, tree: &ForkTree, now_ms: u64) -> Option<u64> {
        let timed_out = now_ms >= self.round_started_ms.saturating_add(self.round_timeout_ms);
        let mut next = None;
        for (&r, round) in self.rounds.range(self.round..).rev() {
            let Some(d) = round.decide(tree).filter(|d| d.completable) else { continue };
            if r > self.round || timed_out || d.complete {
                next = Some((r, d.estimate));
                break;
            }
        }
        let (r, estimate) = next?;
        self.enter_round(r.saturating_add(1), Some(estimate), now_ms);
        Some(self.round)
    }

    fn enter_round(&mut self, round: u64, estimate: Option<(H256, u32)>, now_ms: u64) {
        tracing::debug!(target: "consensus", round, estimate = ?estimate, "new finality round");
        self.round = round;
        self.base = estimate;
        self.round_started_ms = now_ms;
        // Keep the previous round: late votes may still finalize in it.
        self.rounds = self.rounds.split_off(&round.saturating_sub(1));
    }
}

#[cfg(test)]
#[path = "voter_tests.rs"]
mod tests;
