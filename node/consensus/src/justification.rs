//! Justifications: the signed votes that prove a block final.

use std::collections::BTreeSet;

use archive_primitives::H256;
use parity_scale_codec::{Decode, Encode};

use crate::{
    error::JustificationError,
    validators::ValidatorSet,
    vote::{SignedVote, Stage},
};

/// Proof that `target` was finalized in `round`: precommits of that round from at least
/// `threshold(n)` distinct validators, each for the target or a descendant of it.
///
/// SCALE-encoded, this is what the node stores with the block and serves to syncing peers.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Justification {
    /// The round the votes were cast in.
    pub round: u64,
    /// The finalized block.
    pub target_hash: H256,
    /// Its number.
    pub target_number: u32,
    /// The precommits, at most one per voter.
    pub votes: Vec<SignedVote>,
}

/// Checks that `j` proves its target final for the chain of `genesis_hash` with `validators`.
///
/// `is_descendant(block, of)` must answer whether `block` is a descendant of `of` (strictly:
/// the target itself is recognised here by hash and number). A vote for a block the caller
/// does not know is refused as [`JustificationError::NotDescendant`]: import the blocks the
/// votes point at first.
///
/// Every vote must be valid (one bad vote rejects the justification): a precommit of the same
/// round, by a known and not repeated voter, for the target or a descendant, validly signed;
/// and there must be at least `threshold(n)` of them. Signatures are checked last, after the cheap checks.
///
/// # Errors
/// The first problem found, as a [`JustificationError`].
pub fn verify_justification(
    j: &Justification,
    validators: &ValidatorSet,
    genesis_hash: &H256,
    is_descendant: impl Fn(&H256, &H256) -> bool,
) -> Result<(), JustificationError> {
    let need = validators.threshold();
    if j.votes.len() < need {
        return Err(JustificationError::TooFewVotes { got: j.votes.len(), need });
    }
    let mut seen = BTreeSet::new();
    for sv in &j.votes {
        let voter = sv.voter;
        if sv.vote.round != j.round {
            return Err(JustificationError::WrongRound { voter, vote_round: sv.vote.round, round: j.round });
        }
        if sv.vote.stage != Stage::Precommit {
            return Err(JustificationError::NotPrecommit { voter });
        }
        if !validators.contains(&voter) {
            return Err(JustificationError::UnknownVoter { voter });
        }
        if !seen.insert(voter) {
            return Err(JustificationError::DuplicateVoter { voter });
        }
        let (hash, number) = (sv.vote.target_hash, sv.vote.target_number);
        let on_target = hash == j.target_hash && number == j.target_number;
        let below = hash != j.target_hash && number > j.target_number && is_descendant(&hash, &j.target_hash);
        if !on_target && !below {
            return Err(JustificationError::NotDescendant { voter, hash, number });
        }
    }
    for sv in &j.votes {
        sv.verify_signature(genesis_hash).map_err(|_| JustificationError::BadSignature { voter: sv.voter })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        fork_tree::ForkTree,
        test_utils::{h, keys, validator_set},
        vote::Vote,
    };
    use archive_primitives::EthereumSignature;

    /// genesis ─ a1 ─ a2 ;  genesis ─ b1
    fn tree() -> ForkTree {
        let mut t = ForkTree::new(h(0), 0);
        t.insert(h(11), h(0), 1).expect("insert");
        t.insert(h(12), h(11), 2).expect("insert");
        t.insert(h(21), h(0), 1).expect("insert");
        t
    }

    #[test]
    fn valid_justification_passes_and_every_defect_is_rejected() {
        let k = keys(5);
        let set = validator_set(&k[..4]);
        let g = h(0);
        let t = tree();
        let desc = |a: &H256, b: &H256| t.is_descendant(a, b);
        let vote = |i: usize, target: u64, number: u32| {
            let v = Vote { target_hash: h(target), target_number: number, round: 7, stage: Stage::Precommit };
            SignedVote::sign(v, &k[i], &g)
        };
        let just = |votes: Vec<SignedVote>| Justification { round: 7, target_hash: h(11), target_number: 1, votes };
        let voter = |i: usize| k[i].account();

        // Votes for a1 and for its descendant a2 both count for a1.
        let good = just(vec![vote(0, 11, 1), vote(1, 12, 2), vote(2, 12, 2)]);
        assert_eq!(verify_justification(&good, &set, &g, desc), Ok(()));
        assert_eq!(Justification::decode(&mut &good.encode()[..]), Ok(good.clone()));

        // Too few.
        let few = just(vec![vote(0, 11, 1), vote(1, 12, 2)]);
        assert_eq!(
            verify_justification(&few, &set, &g, desc),
            Err(JustificationError::TooFewVotes { got: 2, need: 3 })
        );

        // The same voter twice does not make three.
        let dup = just(vec![vote(0, 11, 1), vote(1, 12, 2), vote(1, 12, 2)]);
        assert_eq!(
            verify_justification(&dup, &set, &g, desc),
            Err(JustificationError::DuplicateVoter { voter: voter(1) })
        );
        // ... nor does the same voter with two different votes.
        let dup2 = just(vec![vote(0, 11, 1), vote(1, 12, 2), vote(1, 11, 1)]);
        assert_eq!(
            verify_justification(&dup2, &set, &g, desc),
            Err(JustificationError::DuplicateVoter { voter: voter(1) })
        );

        // A non-validator.
        let unknown = just(vec![vote(0, 11, 1), vote(1, 12, 2), vote(4, 12, 2)]);
        assert_eq!(
            verify_justification(&unknown, &set, &g, desc),
            Err(JustificationError::UnknownVoter { voter: voter(4) })
        );

        // A forged signature: voter 2's name on voter 3's signature, and a corrupted one.
        let mut forged = vote(3, 12, 2);
        forged.voter = voter(2);
        let f = just(vec![vote(0, 11, 1), vote(1, 12, 2), forged]);
        assert_eq!(verify_justification(&f, &set, &g, desc), Err(JustificationError::BadSignature { voter: voter(2) }));
        let mut corrupt = vote(2, 12, 2);
        corrupt.signature = EthereumSignature([1; 65]);
        let c = just(vec![vote(0, 11, 1), vote(1, 12, 2), corrupt]);
        assert_eq!(verify_justification(&c, &set, &g, desc), Err(JustificationError::BadSignature { voter: voter(2) }));
        // A signature over other content (the target changed after signing).
        let mut moved = vote(2, 12, 2);
        moved.vote.target_hash = h(11);
        moved.vote.target_number = 1;
        let m = just(vec![vote(0, 11, 1), vote(1, 12, 2), moved]);
        assert_eq!(verify_justification(&m, &set, &g, desc), Err(JustificationError::BadSignature { voter: voter(2) }));

        // A vote for a block on another branch, for an ancestor, and for an unknown block.
        for (target, number) in [(21, 1), (0, 0), (99, 3)] {
            let nd = just(vec![vote(0, 11, 1), vote(1, 12, 2), vote(2, target, number)]);
            assert_eq!(
                verify_justification(&nd, &set, &g, desc),
                Err(JustificationError::NotDescendant { voter: voter(2), hash: h(target), number })
            );
        }
        // The target's hash with a wrong number.
        let wrong_number = just(vec![vote(0, 11, 1), vote(1, 12, 2), vote(2, 11, 5)]);
        assert!(matches!(
            verify_justification(&wrong_number, &set, &g, desc),
            Err(JustificationError::NotDescendant { .. })
        ));

        // Prevotes do not finalize, however many.
        let prevote =
            SignedVote::sign(Vote { target_hash: h(12), target_number: 2, round: 7, stage: Stage::Prevote }, &k[2], &g);
        let pv = just(vec![vote(0, 11, 1), vote(1, 12, 2), prevote]);
        assert_eq!(
            verify_justification(&pv, &set, &g, desc),
            Err(JustificationError::NotPrecommit { voter: voter(2) })
        );

        // A vote from another round.
        let mut other_round = good.clone();
        other_round.round = 8;
        assert_eq!(
            verify_justification(&other_round, &set, &g, desc),
            Err(JustificationError::WrongRound { voter: voter(0), vote_round: 7, round: 8 })
        );
        // Signed for another chain.
        assert_eq!(
            verify_justification(&good, &set, &h(5), desc),
            Err(JustificationError::BadSignature { voter: voter(0) })
        );
    }
}
