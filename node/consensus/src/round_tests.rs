use super::*;
use crate::{
    fork_tree::ForkTree,
    test_utils::{h, keys, validator_set},
    vote::Vote,
};
use archive_primitives::Pair;

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

struct Fixture {
    keys: Vec<Pair>,
    round: Round,
    tree: ForkTree,
}

impl Fixture {
    fn new() -> Self {
        let keys = keys(4);
        let round = Round::new(ROUND, validator_set(&keys), h(0));
        Fixture { keys, round, tree: tree() }
    }
    fn vote(&mut self, voter: usize, target: u64, stage: Stage) -> ImportResult {
        let number = if target == 0 { 0 } else { (target % 10) as u32 };
        let vote = Vote { target_hash: h(target), target_number: number, round: ROUND, stage };
        self.round.import_vote(SignedVote::sign(vote, &self.keys[voter], &h(0))).expect("valid vote")
    }
    fn prevote(&mut self, voter: usize, target: u64) -> ImportResult {
        self.vote(voter, target, Stage::Prevote)
    }
    fn precommit(&mut self, voter: usize, target: u64) -> ImportResult {
        self.vote(voter, target, Stage::Precommit)
    }
    fn ghost(&self) -> Option<(H256, u32)> {
        self.round.prevote_ghost(&self.tree)
    }
    fn estimate(&self) -> Option<(H256, u32)> {
        self.round.estimate(&self.tree)
    }
    fn completable(&self) -> bool {
        self.round.is_completable(&self.tree)
    }
}

#[test]
fn the_ghost_needs_a_supermajority_of_prevotes_and_prevotes_never_finalize() {
    let mut f = Fixture::new();
    f.prevote(0, 12);
    f.prevote(1, 13);
    assert_eq!(f.ghost(), None, "two prevotes of four");
    f.prevote(2, 22);
    assert_eq!(f.ghost(), Some((h(0), 0)), "only genesis has three");
    f.prevote(3, 12);
    assert_eq!(f.ghost(), Some((h(12), 2)));
    assert_eq!(f.round.finalized(&f.tree), None, "prevotes do not finalize");
    assert_eq!(f.estimate(), Some((h(12), 2)), "no precommit heard: anything is possible");
    assert!(!f.completable(), "and so the round cannot end");
}

#[test]
fn an_equivocator_counts_for_every_block_in_the_ghost() {
    let mut f = Fixture::new();
    f.prevote(0, 12);
    f.prevote(1, 12);
    f.prevote(2, 22);
    assert_eq!(f.ghost(), Some((h(0), 0)));
    // Validator 2 also prevotes a3: it could be counted by someone for a2, so a2 may have
    // reached a supermajority in another view.
    assert!(matches!(f.prevote(2, 13), ImportResult::Equivocation(_)));
    assert_eq!(f.ghost(), Some((h(12), 2)));
}

#[test]
fn the_estimate_covers_every_block_that_could_be_final_elsewhere() {
    let mut f = Fixture::new();
    for v in 0..4 {
        f.prevote(v, 12);
    }
    // Validator 0 is silent here; it may have precommitted a2 elsewhere and made a2 final
    // with validators 1 and 2. So the estimate stays at a2 even though a1 is all that is final
    // here.
    f.precommit(1, 12);
    f.precommit(2, 12);
    f.precommit(3, 11);
    assert_eq!(f.round.finalized(&f.tree), Some((h(11), 1)));
    assert_eq!(f.estimate(), Some((h(12), 2)));
    assert!(f.completable(), "no child of a2 can be final anywhere");
    assert!(!f.round.is_complete(&f.tree), "but a2 itself might be: wait for the timeout");
    f.precommit(0, 12);
    assert_eq!(f.round.finalized(&f.tree), Some((h(12), 2)));
    assert!(f.round.is_complete(&f.tree));
}

#[test]
fn the_estimate_drops_below_the_ghost_when_the_precommits_rule_it_out() {
    let mut f = Fixture::new();
    for v in 0..4 {
        f.prevote(v, 13);
    }
    assert_eq!(f.ghost(), Some((h(13), 3)));
    // Two precommits of a1 and one of b2 (a faulty validator): only one voter is left
    // unaccounted for, so a2 and a3 cannot reach three precommits anywhere.
    f.precommit(0, 11);
    f.precommit(1, 11);
    assert!(!f.completable(), "two unaccounted voters could still make a3 final");
    f.precommit(2, 22);
    assert_eq!(f.estimate(), Some((h(11), 1)));
    assert!(f.completable(), "below the GHOST: completable");
    assert_eq!(f.round.finalized(&f.tree), Some((h(0), 0)));
}

#[test]
fn a_possible_child_of_the_ghost_keeps_the_round_open() {
    let mut f = Fixture::new();
    for v in 0..3 {
        f.prevote(v, 12);
    }
    f.prevote(3, 13);
    assert_eq!(f.ghost(), Some((h(12), 2)));
    // One voter precommitted a3 (it saw a3 reach a supermajority of prevotes, which a faulty
    // prevoter can make happen). With one more unaccounted voter a3 is possible.
    f.precommit(0, 13);
    f.precommit(1, 12);
    f.precommit(2, 12);
    assert_eq!(f.estimate(), Some((h(12), 2)));
    assert!(!f.completable());
    f.precommit(3, 12);
    assert!(f.completable(), "all heard: a3 has one supporter, not two");
}

#[test]
fn unknown_targets_are_unaccounted_for_until_their_blocks_arrive() {
    let mut f = Fixture::new();
    for v in 0..4 {
        f.prevote(v, 12);
    }
    f.precommit(0, 12);
    f.precommit(1, 12);
    f.precommit(2, 12);
    // Validator 3 precommits a4, which this node has not seen: it might be a child of a3.
    let vote = Vote { target_hash: h(14), target_number: 4, round: ROUND, stage: Stage::Precommit };
    f.round.import_vote(SignedVote::sign(vote, &f.keys[3], &h(0))).expect("valid");
    assert_eq!(f.round.finalized(&f.tree), Some((h(12), 2)));
    assert!(f.completable(), "one unknown precommit cannot make a child of a2 final");
    assert!(f.round.is_complete(&f.tree));
}

#[test]
fn votes_of_the_other_round_are_refused() {
    let mut f = Fixture::new();
    let vote = Vote { target_hash: h(12), target_number: 2, round: ROUND + 1, stage: Stage::Prevote };
    assert_eq!(
        f.round.import_vote(SignedVote::sign(vote, &f.keys[0], &h(0))),
        Err(VoteError::WrongRound { expected: ROUND, got: ROUND + 1 })
    );
    assert_eq!(f.round.number(), ROUND);
    assert_eq!(f.round.prevotes().voters_seen() + f.round.precommits().voters_seen(), 0);
}
