use super::*;
use crate::test_utils::{h, keys, validator_set};

const TIMEOUT: u64 = 1_000;

struct Node {
    key: Pair,
    tree: ForkTree,
    voter: Voter,
}

/// Four validators, each with a tree rooted at genesis `h(0)` holding `blocks`.
fn nodes(blocks: &[(u64, u64, u32)]) -> Vec<Node> {
    let k = keys(4);
    let set = validator_set(&k);
    k.into_iter()
        .map(|key| {
            let mut tree = ForkTree::new(h(0), 0);
            for &(hash, parent, n) in blocks {
                tree.insert(h(hash), h(parent), n).expect("insert");
            }
            let voter = Voter::new(set.clone(), h(0), (h(0), 0), 1, TIMEOUT, 0);
            Node { key, tree, voter }
        })
        .collect()
}

impl Node {
    fn cast(&mut self) -> SignedVote {
        self.voter.next_vote(&self.tree, &self.key).expect("a vote").vote
    }
    /// Imports a vote; applies finality to the tree like the node would.
    fn receive(&mut self, v: SignedVote) -> Option<(H256, u32)> {
        let outcome = self.voter.import_vote(v, &self.tree).expect("valid vote");
        let j = outcome.finalized?;
        let t = &self.tree;
        verify_justification(&j, &validator_set(&keys(4)), &h(0), |a, b| t.is_descendant(a, b))
            .expect("a valid justification");
        self.tree.finalize(j.target_hash).expect("finalize");
        Some((j.target_hash, j.target_number))
    }
}

fn signed(key: &Pair, target: u64, number: u32, round: u64) -> SignedVote {
    SignedVote::sign(Vote { target_hash: h(target), target_number: number, round }, key, &h(0))
}

#[test]
fn connected_validators_finalize_each_round_and_move_on() {
    let mut ns = nodes(&[(11, 0, 1), (12, 11, 2)]);
    let votes: Vec<SignedVote> = ns.iter_mut().map(Node::cast).collect();
    assert!(votes.iter().all(|v| v.vote.target_hash == h(12) && v.vote.round == 1));
    for n in ns.iter_mut() {
        assert!(n.voter.next_vote(&n.tree, &n.key).is_none(), "one vote per round");
        let finals: Vec<_> = votes.iter().filter_map(|v| n.receive(*v)).collect();
        assert_eq!(finals, [(h(12), 2)], "finalized exactly once, at the third vote");
        assert_eq!(n.voter.finalized(), (h(12), 2));
        assert_eq!(n.voter.try_advance(&n.tree, 1), Some(2), "complete: no need to wait");
        assert_eq!(n.voter.base(), Some((h(12), 2)));
        n.tree.insert(h(13), h(12), 3).expect("insert");
    }
    let votes: Vec<SignedVote> = ns.iter_mut().map(Node::cast).collect();
    assert!(votes.iter().all(|v| v.vote.target_hash == h(13) && v.vote.round == 2));
    for n in ns.iter_mut() {
        let finals: Vec<_> = votes.iter().filter_map(|v| n.receive(*v)).collect();
        assert_eq!(finals, [(h(13), 3)]);
    }
}

#[test]
fn a_two_two_split_finalizes_nothing_and_heals_into_finality() {
    // Validators 0, 1 see a1-a2; validators 2, 3 see b1-b2.
    let mut ns = nodes(&[]);
    for (i, n) in ns.iter_mut().enumerate() {
        let (x, y) = if i < 2 { (11, 12) } else { (21, 22) };
        n.tree.insert(h(x), h(0), 1).expect("insert");
        n.tree.insert(h(y), h(x), 2).expect("insert");
    }
    let votes: Vec<SignedVote> = ns.iter_mut().map(Node::cast).collect();
    for (i, n) in ns.iter_mut().enumerate() {
        let side = if i < 2 { 0..2 } else { 2..4 };
        for v in &votes[side] {
            assert_eq!(n.receive(*v), None);
        }
        // Two votes never end the round, however long the wait.
        assert_eq!(n.voter.try_advance(&n.tree, 100 * TIMEOUT), None);
        assert!(n.voter.next_vote(&n.tree, &n.key).is_none());
        assert_eq!(n.voter.finalized(), (h(0), 0));
    }
    // Heal: every node gets every block, then every vote; then a3 makes the a-chain longest.
    for n in ns.iter_mut() {
        for (x, p, num) in [(11, 0, 1), (12, 11, 2), (21, 0, 1), (22, 21, 2), (13, 12, 3)] {
            n.tree.insert(h(x), h(p), num).expect("insert");
        }
        for v in &votes {
            assert_eq!(n.receive(*v), None, "2|2 finalizes only genesis, which already is");
        }
        assert_eq!(n.voter.try_advance(&n.tree, 100 * TIMEOUT + 1), Some(2), "all four heard: complete");
        assert_eq!(n.voter.base(), Some((h(0), 0)));
    }
    let votes: Vec<SignedVote> = ns.iter_mut().map(Node::cast).collect();
    assert!(votes.iter().all(|v| v.vote.target_hash == h(13)));
    for n in ns.iter_mut() {
        let finals: Vec<_> = votes.iter().filter_map(|v| n.receive(*v)).collect();
        assert_eq!(finals, [(h(13), 3)]);
        assert_eq!(n.tree.finalized(), (h(13), 3));
        assert!(!n.tree.contains(&h(22)), "the b-branch is pruned");
    }
}

#[test]
fn next_vote_respects_the_estimate_over_a_longer_conflicting_best_chain() {
    // a1-a2-a3 and a longer b1-b2-b3-b4. Validator 3 prefers b4.
    let mut ns = nodes(&[(11, 0, 1), (12, 11, 2), (13, 12, 3), (21, 0, 1), (22, 21, 2), (23, 22, 3), (24, 23, 4)]);
    let n = &mut ns[3];
    assert_eq!(n.tree.best(), (h(24), 4));
    let k = keys(4);
    n.receive(signed(&k[1], 12, 2, 1));
    n.receive(signed(&k[2], 13, 3, 1));
    assert_eq!(n.cast().vote.target_hash, h(24));
    // Validator 0 may have voted a2 unseen, finalizing a2 elsewhere (0, 1, 2): the estimate is a2.
    assert_eq!(n.voter.tracker(1).and_then(|t| t.estimate(&n.tree)), Some((h(12), 2)));
    assert_eq!(n.voter.try_advance(&n.tree, TIMEOUT - 1), None, "not complete, not timed out");
    assert_eq!(n.voter.try_advance(&n.tree, TIMEOUT), Some(2));
    assert_eq!(n.voter.base(), Some((h(12), 2)));
    assert_eq!(n.tree.best(), (h(24), 4), "fork choice is unchanged");
    let v = n.cast();
    assert_eq!((v.vote.target_hash, v.vote.round), (h(13), 2), "the longest chain through a2, not b4");
}

#[test]
fn catches_up_from_a_justification_and_refuses_a_bad_one() {
    let mut ns = nodes(&[(11, 0, 1), (12, 11, 2), (13, 12, 3)]);
    let k = keys(4);
    let n = &mut ns[0];
    let votes = vec![signed(&k[1], 12, 2, 12), signed(&k[2], 13, 3, 12), signed(&k[3], 12, 2, 12)];
    let j = Justification { round: 12, target_hash: h(12), target_number: 2, votes };
    let mut forged = j.clone();
    forged.votes[1].voter = k[0].account();
    assert_eq!(
        n.voter.import_justification(&forged, &n.tree, 5),
        Err(JustificationError::BadSignature { voter: k[0].account() })
    );
    assert_eq!((n.voter.round(), n.voter.finalized()), (1, (h(0), 0)), "nothing changed");
    let unknown = Justification { target_hash: h(14), target_number: 4, ..j.clone() };
    assert_eq!(
        n.voter.import_justification(&unknown, &n.tree, 5),
        Err(JustificationError::UnknownTarget { hash: h(14), number: 4 })
    );

    assert_eq!(n.voter.import_justification(&j, &n.tree, 5), Ok(Some((h(12), 2))));
    assert_eq!(n.voter.round(), 13);
    assert_eq!(n.voter.base(), Some((h(12), 2)));
    assert_eq!(n.voter.import_justification(&j, &n.tree, 6), Ok(None), "already known");
    n.tree.finalize(h(12)).expect("finalize");
    let v = n.cast();
    assert_eq!((v.vote.target_hash, v.vote.round), (h(13), 13));
}

#[test]
fn catches_up_from_later_round_votes_and_bounds_the_rounds_it_accepts() {
    let mut ns = nodes(&[(11, 0, 1), (12, 11, 2)]);
    let k = keys(4);
    let n = &mut ns[0];
    assert_eq!(
        n.voter.import_vote(signed(&k[1], 12, 2, 1 + MAX_ROUNDS_AHEAD + 1), &n.tree),
        Err(VoteError::RoundTooFarAhead { round: 10, current: 1 })
    );
    for key in &k[1..4] {
        let out = n.voter.import_vote(signed(key, 12, 2, 3), &n.tree).expect("accepted");
        assert_eq!(out.result, ImportResult::Counted);
    }
    assert_eq!(n.voter.finalized(), (h(12), 2), "round 3's votes finalize a2");
    assert_eq!(n.voter.try_advance(&n.tree, 0), Some(4), "jumps past round 3 without a timeout");
    assert_eq!(
        n.voter.import_vote(signed(&k[1], 12, 2, 2), &n.tree),
        Err(VoteError::StaleRound { round: 2, current: 4 })
    );
    let late = n.voter.import_vote(signed(&k[0], 11, 1, 3), &n.tree).map(|o| o.result);
    assert_eq!(late, Ok(ImportResult::Counted), "the previous round is still open");
    assert!(n.voter.tracker(2).is_none() && n.voter.tracker(3).is_some());
}

#[test]
fn votes_for_unknown_blocks_wait_for_the_block() {
    let mut ns = nodes(&[(11, 0, 1)]);
    let k = keys(4);
    let n = &mut ns[0];
    let v = signed(&k[1], 12, 2, 1);
    assert_eq!(n.voter.import_vote(v, &n.tree), Err(VoteError::UnknownTarget { hash: h(12), number: 2 }));
    n.tree.insert(h(12), h(11), 2).expect("insert");
    assert_eq!(n.voter.import_vote(v, &n.tree).map(|o| o.result), Ok(ImportResult::Counted));
}

#[test]
fn equivocations_are_collected_and_non_validators_do_not_vote() {
    let mut ns = nodes(&[(11, 0, 1), (21, 0, 1)]);
    let k = keys(5);
    let n = &mut ns[0];
    n.voter.import_vote(signed(&k[1], 11, 1, 1), &n.tree).expect("valid");
    let out = n.voter.import_vote(signed(&k[1], 21, 1, 1), &n.tree).expect("valid");
    assert!(matches!(out.result, ImportResult::Equivocation(_)));
    let ev = n.voter.take_equivocations();
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].offender(), k[1].account());
    assert!(n.voter.take_equivocations().is_empty());
    assert!(n.voter.next_vote(&n.tree, &k[4]).is_none(), "not a validator");
}

#[test]
fn a_restarted_voter_waits_for_an_estimate_before_voting() {
    let k = keys(4);
    let mut tree = ForkTree::new(h(0), 0);
    tree.insert(h(11), h(0), 1).expect("insert");
    tree.insert(h(12), h(11), 2).expect("insert");
    let mut voter = Voter::new(validator_set(&k), h(0), (h(0), 0), 5, TIMEOUT, 0);
    assert_eq!(voter.base(), None);
    assert!(voter.next_vote(&tree, &k[0]).is_none(), "round 5's base is unknown");
    for key in &k[1..3] {
        voter.import_vote(signed(key, 12, 2, 5), &tree).expect("valid");
    }
    assert_eq!(voter.try_advance(&tree, 10 * TIMEOUT), None, "two votes: no estimate");
    voter.import_vote(signed(&k[3], 11, 1, 5), &tree).expect("valid");
    assert_eq!(voter.try_advance(&tree, 10 * TIMEOUT), Some(6));
    assert_eq!(voter.base(), Some((h(12), 2)));
    let v = voter.next_vote(&tree, &k[0]).expect("votes now").vote;
    assert_eq!((v.vote.target_hash, v.vote.round), (h(12), 6));
    assert!(tree.is_descendant(&v.vote.target_hash, &h(11)));
}

#[test]
fn a_network_restarted_as_a_whole_resumes_from_persisted_state_without_double_votes() {
    use parity_scale_codec::{Decode, Encode};
    let mut ns = nodes(&[(11, 0, 1), (12, 11, 2)]);
    // Everyone votes in round 1, then all crash before any vote is delivered.
    let cast: Vec<SignedVote> = ns.iter_mut().map(Node::cast).collect();
    let saved: Vec<Vec<u8>> = ns.iter().map(|n| n.voter.state().encode()).collect();
    let set = validator_set(&keys(4));
    for (n, bytes) in ns.iter_mut().zip(&saved) {
        let state = VoterState::decode(&mut &bytes[..]).expect("decodes");
        assert_eq!(state.round, 1);
        n.voter = Voter::restore(set.clone(), h(0), state, TIMEOUT, 50_000);
        assert!(n.voter.has_voted());
        assert!(n.voter.next_vote(&n.tree, &n.key).is_none(), "no second vote in round 1");
    }
    // Each re-sends its persisted vote: the same bytes, so no equivocation anywhere.
    let resent: Vec<SignedVote> = ns.iter().map(|n| n.voter.own_vote_in_round().expect("own vote")).collect();
    assert_eq!(resent, cast);
    for n in ns.iter_mut() {
        let finals: Vec<_> = resent.iter().filter_map(|v| n.receive(*v)).collect();
        assert_eq!(finals, [(h(12), 2)]);
        assert!(n.voter.take_equivocations().is_empty());
        assert_eq!(n.voter.try_advance(&n.tree, 50_001), Some(2));
    }

    // A lone validator (the dev chain) restarted after voting finishes its round alone.
    let k = keys(1);
    let solo = validator_set(&k);
    let mut tree = ForkTree::new(h(0), 0);
    tree.insert(h(11), h(0), 1).expect("insert");
    let mut voter = Voter::new(solo.clone(), h(0), (h(0), 0), 1, TIMEOUT, 0);
    let cast = voter.next_vote(&tree, &k[0]).expect("votes");
    assert_eq!(cast.finalized.map(|j| j.target_hash), Some(h(11)), "one vote of one finalizes");
    tree.finalize(h(11)).expect("finalize");
    assert_eq!(voter.try_advance(&tree, 1), Some(2));
    tree.insert(h(12), h(11), 2).expect("insert");
    assert!(voter.next_vote(&tree, &k[0]).is_some());
    let mut restored = Voter::restore(solo, h(0), voter.state(), TIMEOUT, 2);
    assert_eq!((restored.round(), restored.base()), (2, Some((h(11), 1))));
    assert!(restored.next_vote(&tree, &k[0]).is_none());
    assert_eq!(restored.try_advance(&tree, 2), Some(3), "its own restored vote completes round 2");
    assert!(restored.next_vote(&tree, &k[0]).is_some());
}
