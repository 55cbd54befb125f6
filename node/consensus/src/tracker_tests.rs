use super::*;
use crate::{
    fork_tree::ForkTree,
    justification::verify_justification,
    test_utils::{h, keys, validator_set},
    vote::{Stage, Vote},
};
use archive_primitives::{EthereumSignature, Pair};

const ROUND: u64 = 3;

/// genesis ─ a1 ─ a2 ─ a3
///        └─ b1 ─ b2
fn tree() -> ForkTree {
    let mut t = ForkTree::new(h(0), 0);
    for (hash, parent, n) in [(11, 0, 1), (12, 11, 2), (13, 12, 3), (21, 0, 1), (22, 21, 2)] {
        t.insert(h(hash), h(parent), n).expect("insert");
    }
    t
}

fn number_of(target: u64) -> u32 {
    match target {
        0 => 0,
        t => (t % 10) as u32,
    }
}

struct Fixture {
    keys: Vec<Pair>,
    tracker: VoteTracker,
    tree: ForkTree,
}

impl Fixture {
    fn new() -> Self {
        let keys = keys(5);
        let tracker = VoteTracker::new(ROUND, Stage::Precommit, validator_set(&keys[..4]), h(0));
        Fixture { keys, tracker, tree: tree() }
    }
    fn signed(&self, voter: usize, target: u64) -> SignedVote {
        let vote =
            Vote { target_hash: h(target), target_number: number_of(target), round: ROUND, stage: Stage::Precommit };
        SignedVote::sign(vote, &self.keys[voter], &h(0))
    }
    fn vote(&mut self, voter: usize, target: u64) -> ImportResult {
        let v = self.signed(voter, target);
        self.tracker.import_vote(v).expect("valid vote")
    }
    fn finalizable(&self) -> Option<(H256, u32)> {
        self.tracker.finalizable(&self.tree)
    }
}

#[test]
fn four_validators_need_three_votes() {
    let mut f = Fixture::new();
    assert_eq!(f.vote(0, 12), ImportResult::Counted);
    assert_eq!(f.finalizable(), None);
    assert_eq!(f.vote(1, 12), ImportResult::Counted);
    assert_eq!(f.finalizable(), None, "2 of 4 is not enough");
    assert!(f.tracker.justification(&f.tree).is_none());
    assert_eq!(f.vote(2, 12), ImportResult::Counted);
    assert_eq!(f.finalizable(), Some((h(12), 2)));
    let j = f.tracker.justification(&f.tree).expect("justification");
    assert_eq!((j.round, j.target_hash, j.target_number, j.votes.len()), (ROUND, h(12), 2, 3));
    let t = &f.tree;
    assert_eq!(verify_justification(&j, f.tracker.validators(), &h(0), |a, b| t.is_descendant(a, b)), Ok(()));
    // The fourth vote, for a descendant, keeps a2 (a3 has only one vote) and joins the proof.
    assert_eq!(f.vote(3, 13), ImportResult::Counted);
    assert_eq!(f.finalizable(), Some((h(12), 2)));
    assert_eq!(f.tracker.justification(&f.tree).expect("justification").votes.len(), 4);
}

#[test]
fn votes_for_descendants_count_for_ancestors() {
    let mut f = Fixture::new();
    // Nobody voted for a1 itself; a2, a3, a3 all descend from it and a2.
    f.vote(0, 12);
    f.vote(1, 13);
    f.vote(2, 13);
    assert_eq!(f.finalizable(), Some((h(12), 2)), "the highest block with 3 supporters");
    let j = f.tracker.justification(&f.tree).expect("justification");
    assert_eq!(j.votes.iter().map(|v| v.vote.target_hash).collect::<BTreeSet<_>>(), [h(12), h(13)].into());

    // One vote for each branch tip plus two for a1 and a3: a1 is final (3 support), not a3.
    let mut f = Fixture::new();
    f.vote(0, 11);
    f.vote(1, 13);
    f.vote(2, 22);
    assert_eq!(f.finalizable(), Some((h(0), 0)), "only genesis has 3 supporters");
    f.vote(3, 12);
    assert_eq!(f.finalizable(), Some((h(11), 1)));
}

#[test]
fn two_of_four_never_finalize() {
    for targets in [[12, 12], [13, 11], [22, 22], [0, 0]] {
        let mut f = Fixture::new();
        f.vote(0, targets[0]);
        f.vote(2, targets[1]);
        assert_eq!(f.finalizable(), None, "{targets:?}");
    }
    // A 2|2 split over conflicting branches finalizes only their common ancestor.
    let mut f = Fixture::new();
    f.vote(0, 13);
    f.vote(1, 12);
    f.vote(2, 22);
    f.vote(3, 21);
    assert_eq!(f.finalizable(), Some((h(0), 0)));
}

#[test]
fn import_refuses_wrong_round_unknown_voter_bad_signature_and_ignores_duplicates() {
    let mut f = Fixture::new();
    let v = f.signed(0, 12);
    let mut other_round = v;
    other_round.vote.round = ROUND + 1;
    other_round = SignedVote::sign(other_round.vote, &f.keys[0], &h(0));
    assert_eq!(f.tracker.import_vote(other_round), Err(VoteError::WrongRound { expected: ROUND, got: ROUND + 1 }));
    let prevote = SignedVote::sign(Vote { stage: Stage::Prevote, ..v.vote }, &f.keys[0], &h(0));
    assert_eq!(
        f.tracker.import_vote(prevote),
        Err(VoteError::WrongStage { expected: Stage::Precommit, got: Stage::Prevote })
    );
    let outsider = f.signed(4, 12);
    assert_eq!(f.tracker.import_vote(outsider), Err(VoteError::UnknownVoter { voter: f.keys[4].account() }));
    let forged = SignedVote { voter: f.keys[1].account(), ..v };
    assert_eq!(f.tracker.import_vote(forged), Err(VoteError::BadSignature { voter: f.keys[1].account() }));
    assert_eq!(f.tracker.voters_seen(), 0, "refused votes leave no trace");

    assert_eq!(f.tracker.import_vote(v), Ok(ImportResult::Counted));
    assert_eq!(f.tracker.import_vote(v), Ok(ImportResult::Duplicate));
    // A conflicting vote with a bad signature is not evidence of anything.
    let mut fake = f.signed(0, 22);
    fake.signature = EthereumSignature([3; 65]);
    assert_eq!(f.tracker.import_vote(fake), Err(VoteError::BadSignature { voter: f.keys[0].account() }));
    assert!(f.tracker.equivocations().is_empty());
    assert_eq!(f.tracker.votes().count(), 1);
}

#[test]
fn equivocating_voter_is_detected_with_evidence_and_not_counted() {
    let mut f = Fixture::new();
    f.vote(0, 12);
    f.vote(1, 12);
    assert_eq!(f.vote(2, 12), ImportResult::Counted);
    assert_eq!(f.finalizable(), Some((h(12), 2)));
    let second = f.signed(2, 22);
    let ImportResult::Equivocation(evidence) = f.tracker.import_vote(second).expect("valid") else {
        panic!("equivocation expected")
    };
    let first = f.signed(2, 12);
    let voter = f.keys[2].account();
    assert_eq!(*evidence, Equivocation::Vote { voter, round: ROUND, first, second });
    assert_eq!(evidence.verify(f.tracker.validators(), &h(0)), Ok(()));
    assert_eq!(f.tracker.equivocations(), [*evidence.clone()]);
    assert!(f.tracker.is_equivocator(&voter));
    // The equivocator counts for neither vote: a2 falls back to 2 supporters, and even genesis
    // (an ancestor of both of its votes) has only 2.
    assert_eq!(f.finalizable(), None);
    assert_eq!(f.tracker.votes().count(), 2);
    assert_eq!(f.tracker.voters_seen(), 3);
    // More votes from it change nothing and add no evidence.
    assert_eq!(f.vote(2, 13), ImportResult::KnownEquivocator);
    assert_eq!(f.vote(2, 12), ImportResult::Duplicate, "its first vote, byte for byte");
    assert_eq!(f.tracker.equivocations().len(), 1);
    // An honest third vote finalizes; the justification leaves the equivocator out.
    f.vote(3, 13);
    assert_eq!(f.finalizable(), Some((h(12), 2)));
    let j = f.tracker.justification(&f.tree).expect("justification");
    assert!(j.votes.iter().all(|v| v.voter != voter));
    assert_eq!(j.votes.len(), 3);
}

#[test]
fn unknown_targets_count_once_their_blocks_are_known() {
    let mut f = Fixture::new();
    f.vote(0, 12);
    f.vote(1, 12);
    let v = SignedVote::sign(
        Vote { target_hash: h(14), target_number: 4, round: ROUND, stage: Stage::Precommit },
        &f.keys[2],
        &h(0),
    );
    assert_eq!(f.tracker.import_vote(v), Ok(ImportResult::Counted));
    assert_eq!(f.finalizable(), None, "a4 is unknown");
    f.tree.insert(h(14), h(13), 4).expect("insert");
    assert_eq!(f.finalizable(), Some((h(12), 2)));
    // A vote naming a known block with the wrong number counts for nothing.
    let lie = SignedVote::sign(
        Vote { target_hash: h(13), target_number: 9, round: ROUND, stage: Stage::Precommit },
        &f.keys[3],
        &h(0),
    );
    f.tracker.import_vote(lie).expect("signature is fine");
    assert_eq!(f.tracker.justification(&f.tree).expect("justification").votes.len(), 3);
}
