//! Equivocation evidence: two conflicting signed statements from one validator.
//!
//! Evidence is SCALE-encodable so that it can later be submitted on chain (the staking pallet
//! slashes); [`Equivocation::verify`] is the check the chain will run.

use std::collections::{BTreeMap, BTreeSet};

use archive_primitives::{AccountId20, Header, H256};
use parity_scale_codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::{
    error::{EquivocationError, SlotError, VoteError},
    slots::{verify_header, verify_seal},
    validators::ValidatorSet,
    vote::SignedVote,
};

/// Proof that a validator signed two conflicting statements.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Equivocation {
    /// Two different votes by one voter at one stage (both prevotes or both precommits) of one
    /// round.
    #[codec(index = 0)]
    Vote {
        /// The voter.
        voter: AccountId20,
        /// The round.
        round: u64,
        /// The vote seen first.
        first: SignedVote,
        /// A different vote, same voter and round.
        second: SignedVote,
    },
    /// Two different headers sealed by one author for one slot.
    #[codec(index = 1)]
    Block {
        /// The slot's author.
        author: AccountId20,
        /// The slot.
        slot: u64,
        /// The header seen first (sealed).
        first: Header,
        /// A different header for the same slot (sealed).
        second: Header,
    },
}

impl Equivocation {
    /// The validator the evidence accuses.
    pub fn offender(&self) -> AccountId20 {
        match self {
            Equivocation::Vote { voter, .. } => *voter,
            Equivocation::Block { author, .. } => *author,
        }
    }

    /// Checks the evidence on its own: both statements are validly signed by the accused
    /// validator of `validators`, are about the same round (slot), and differ. Two headers
    /// differ when their pre-seal hashes differ (re-sealing the same header is not an
    /// equivocation).
    ///
    /// # Errors
    /// An [`EquivocationError`] naming the problem.
    pub fn verify(&self, validators: &ValidatorSet, genesis_hash: &H256) -> Result<(), EquivocationError> {
        match self {
            Equivocation::Vote { voter, round, first, second } => {
                for v in [first, second] {
                    if v.voter != *voter || v.vote.round != *round || v.vote.stage != first.vote.stage {
                        return Err(EquivocationError::VoteMismatch { voter: *voter, round: *round });
                    }
                }
                if first.vote == second.vote {
                    return Err(EquivocationError::Identical);
                }
                if !validators.contains(voter) {
                    return Err(VoteError::UnknownVoter { voter: *voter }.into());
                }
                first.verify_signature(genesis_hash)?;
                second.verify_signature(genesis_hash)?;
                Ok(())
            }
            Equivocation::Block { author, slot, first, second } => {
                let (pre1, c1) = verify_seal(first, validators)?;
                let (pre2, c2) = verify_seal(second, validators)?;
                if [c1, c2].iter().any(|c| c.author != *author || c.slot != *slot) {
                    return Err(EquivocationError::BlockMismatch { author: *author, slot: *slot });
                }
                if pre1.hash() == pre2.hash() {
                    return Err(EquivocationError::Identical);
                }
                Ok(())
            }
        }
    }
}

/// Remembers the first header seen for each (slot, author) and reports a second, different one
/// as [`Equivocation::Block`] (once per slot and author).
#[derive(Clone, Debug, Default)]
pub struct AuthorshipTracker {
    first: BTreeMap<(u64, AccountId20), (H256, Header)>,
    reported: BTreeSet<(u64, AccountId20)>,
    evidence: Vec<Equivocation>,
}

impl AuthorshipTracker {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Verifies a sealed header (slot claim, seal, at most [`crate::MAX_DRIFT_SLOTS`] ahead of
    /// `local_slot`) and notes it. Returns the evidence if the same author already sealed a
    /// different header for this slot (only the first time per slot and author).
    ///
    /// # Errors
    /// As [`crate::verify_header`]; an invalid header is not noted.
    pub fn check_header(
        &mut self,
        header: &Header,
        validators: &ValidatorSet,
        local_slot: u64,
    ) -> Result<Option<Equivocation>, SlotError> {
        let (pre, claim) = verify_header(header, validators, local_slot)?;
        let key = (claim.slot, claim.author);
        let pre_hash = pre.hash();
        match self.first.get(&key) {
            None => {
                self.first.insert(key, (pre_hash, header.clone()));
                Ok(None)
            }
            Some((seen, _)) if *seen == pre_hash => Ok(None),
            Some((_, first)) => {
                if !self.reported.insert(key) {
                    return Ok(None);
                }
                let evidence = Equivocation::Block {
                    author: claim.author,
                    slot: claim.slot,
                    first: first.clone(),
                    second: header.clone(),
                };
                tracing::warn!(target: "consensus", author = %claim.author, slot = claim.slot, "block equivocation");
                self.evidence.push(evidence.clone());
                Ok(Some(evidence))
            }
        }
    }

    /// All evidence found so far.
    pub fn equivocations(&self) -> &[Equivocation] {
        &self.evidence
    }

    /// Forgets headers of slots below `slot` (evidence already found is kept).
    pub fn prune_below(&mut self, slot: u64) {
        self.first = self.first.split_off(&(slot, AccountId20::default()));
        self.reported = self.reported.split_off(&(slot, AccountId20::default()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_utils::{h, keys, sealed_header, validator_set};
    use crate::vote::{Stage, Vote};

    #[test]
    fn block_equivocation_is_detected_once_with_verifiable_evidence() {
        let k = keys(4);
        let set = validator_set(&k);
        let mut t = AuthorshipTracker::new();
        // Slot 6 belongs to validators[2]; two different blocks for it.
        let a = sealed_header(&k[2], 6, 3, h(1), 0);
        let b = sealed_header(&k[2], 6, 3, h(1), 1);
        assert_ne!(a.hash(), b.hash());
        assert_eq!(t.check_header(&a, &set, 6), Ok(None));
        assert_eq!(t.check_header(&a, &set, 6), Ok(None), "the same header again is fine");
        let ev = t.check_header(&b, &set, 6).expect("valid").expect("equivocation");
        assert_eq!(ev, Equivocation::Block { author: k[2].account(), slot: 6, first: a.clone(), second: b.clone() });
        assert_eq!(ev.offender(), k[2].account());
        assert_eq!(ev.verify(&set, &h(0)), Ok(()));
        assert_eq!(Equivocation::decode(&mut &ev.encode()[..]), Ok(ev.clone()));
        assert_eq!(t.equivocations(), [ev]);
        // A third header for the slot: no second report.
        let c = sealed_header(&k[2], 6, 3, h(1), 2);
        assert_eq!(t.check_header(&c, &set, 6), Ok(None));
        assert_eq!(t.equivocations().len(), 1);

        // Same author, different slots: no equivocation. Other author's slot: refused.
        let d = sealed_header(&k[2], 10, 4, h(1), 0);
        assert_eq!(t.check_header(&d, &set, 10), Ok(None));
        let forged = sealed_header(&k[3], 6, 3, h(1), 0);
        assert!(t.check_header(&forged, &set, 6).is_err());
        assert_eq!(t.equivocations().len(), 1);

        // After pruning slot 6, a header for it is new again.
        t.prune_below(7);
        assert_eq!(t.check_header(&b, &set, 6), Ok(None));
    }

    #[test]
    fn bogus_evidence_is_rejected() {
        let k = keys(4);
        let set = validator_set(&k);
        let g = h(0);
        let a = sealed_header(&k[2], 6, 3, h(1), 0);
        let b = sealed_header(&k[2], 6, 3, h(1), 1);
        let other_slot = sealed_header(&k[2], 10, 3, h(1), 1);
        let author = k[2].account();
        let same = Equivocation::Block { author, slot: 6, first: a.clone(), second: a.clone() };
        assert_eq!(same.verify(&set, &g), Err(EquivocationError::Identical));
        let slots = Equivocation::Block { author, slot: 6, first: a.clone(), second: other_slot };
        assert_eq!(slots.verify(&set, &g), Err(EquivocationError::BlockMismatch { author, slot: 6 }));
        let mut unsealed = b.clone();
        unsealed.digest.logs.pop();
        let bad = Equivocation::Block { author, slot: 6, first: a, second: unsealed };
        assert!(matches!(bad.verify(&set, &g), Err(EquivocationError::Slot(SlotError::MissingSeal))));

        let v1 = SignedVote::sign(
            Vote { target_hash: h(1), target_number: 1, round: 3, stage: Stage::Precommit },
            &k[0],
            &g,
        );
        let v2 = SignedVote::sign(
            Vote { target_hash: h(2), target_number: 1, round: 3, stage: Stage::Precommit },
            &k[0],
            &g,
        );
        let voter = k[0].account();
        let ok = Equivocation::Vote { voter, round: 3, first: v1, second: v2 };
        assert_eq!(ok.verify(&set, &g), Ok(()));
        assert!(ok.verify(&set, &h(9)).is_err(), "signed for another chain");
        let same = Equivocation::Vote { voter, round: 3, first: v1, second: v1 };
        assert_eq!(same.verify(&set, &g), Err(EquivocationError::Identical));
        let v3 = SignedVote::sign(
            Vote { target_hash: h(2), target_number: 1, round: 4, stage: Stage::Precommit },
            &k[0],
            &g,
        );
        let rounds = Equivocation::Vote { voter, round: 3, first: v1, second: v3 };
        assert_eq!(rounds.verify(&set, &g), Err(EquivocationError::VoteMismatch { voter, round: 3 }));
        // A prevote and a precommit of one round are two phases, not two statements.
        let pv = SignedVote::sign(Vote { stage: Stage::Prevote, ..v2.vote }, &k[0], &g);
        let stages = Equivocation::Vote { voter, round: 3, first: v1, second: pv };
        assert_eq!(stages.verify(&set, &g), Err(EquivocationError::VoteMismatch { voter, round: 3 }));
        let w = SignedVote::sign(
            Vote { target_hash: h(2), target_number: 1, round: 3, stage: Stage::Precommit },
            &k[1],
            &g,
        );
        let voters = Equivocation::Vote { voter, round: 3, first: v1, second: w };
        assert_eq!(voters.verify(&set, &g), Err(EquivocationError::VoteMismatch { voter, round: 3 }));
        let forged =
            Equivocation::Vote { voter, round: 3, first: v1, second: SignedVote { signature: w.signature, ..v2 } };
        assert_eq!(forged.verify(&set, &g), Err(EquivocationError::Vote(VoteError::BadSignature { voter })));
        let outsider = keys(5).remove(4);
        let o1 = SignedVote::sign(
            Vote { target_hash: h(1), target_number: 1, round: 3, stage: Stage::Precommit },
            &outsider,
            &g,
        );
        let o2 = SignedVote::sign(
            Vote { target_hash: h(2), target_number: 1, round: 3, stage: Stage::Precommit },
            &outsider,
            &g,
        );
        let unknown = Equivocation::Vote { voter: outsider.account(), round: 3, first: o1, second: o2 };
        assert_eq!(
            unknown.verify(&set, &g),
            Err(EquivocationError::Vote(VoteError::UnknownVoter { voter: outsider.account() }))
        );
    }
}
