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
    fn cast(&mut self, now: u64) -> SignedVote {
        self.voter.next_vote(&self.tree, &self.key, now).expect("a vote").vote
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

fn signed(key: &Pair, target: u64, number: u32, round: u64, stage: Stage) -> SignedVote {
    SignedVote::sign(Vote { target_hash: h(target), target_number: number, round, stage }, key, &h(0))
}

fn prevote(key: &Pair, target: u64, number: u32, round: u64) -> SignedVote {
    signed(key, target, number, round, Stage::Prevote)
}

fn precommit(key: &Pair, target: u64, number: u32, round: u64) -> SignedVote {
    signed(key, target, number, round, Stage::Precommit)
}

/// A fully connected round: everyone prevotes, every prevote reaches everyone, everyone
/// precommits, every precommit reaches everyone. Returns the blocks each node saw finalized.
fn connected_round(ns: &mut [Node], now: u64) -> Vec<Vec<(H256, u32)>> {
    let prevotes: Vec<SignedVote> = ns.iter_mut().map(|n| n.cast(now)).collect();
    assert!(prevotes.iter().all(|v| v.vote.stage == Stage::Prevote));
    for n in ns.iter_mut() {
        assert!(n.voter.next_vote(&n.tree, &n.key, now).is_none(), "no precommit before prevotes are in");
        for v in &prevotes {
            assert_eq!(n.receive(*v), None, "prevotes never finalize");
        }
    }
    let precommits: Vec<SignedVote> = ns.iter_mut().map(|n| n.cast(now)).collect();
    assert!(precommits.iter().all(|v| v.vote.stage == Stage::Precommit));
    ns.iter_mut()
        .map(|n| {
            assert!(n.voter.next_vote(&n.tree, &n.key, now).is_none(), "one prevote, one precommit per round");
            precommits.iter().filter_map(|v| n.receive(*v)).collect()
        })
        .collect()
}

#[test]
fn connected_validators_finalize_each_round_and_move_on() {
    let mut ns = nodes(&[(11, 0, 1), (12, 11, 2)]);
    for finals in connected_round(&mut ns, 0) {
        assert_eq!(finals, [(h(12), 2)], "finalized exactly once, at the third precommit");
    }
    for n in ns.iter_mut() {
        assert_eq!(n.voter.finalized(), (h(12), 2));
        assert_eq!(n.voter.try_advance(&n.tree, 1), Some(2), "complete: no need to wait");
        assert_eq!(n.voter.base(), Some((h(12), 2)));
        n.tree.insert(h(13), h(12), 3).expect("insert");
    }
    for finals in connected_round(&mut ns, 2) {
        assert_eq!(finals, [(h(13), 3)]);
    }
    assert!(ns.iter().all(|n| n.voter.own_votes_in_round().len() == 2));
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
    let prevotes: Vec<SignedVote> = ns.iter_mut().map(|n| n.cast(0)).collect();
    for (i, n) in ns.iter_mut().enumerate() {
        let side = if i < 2 { 0..2 } else { 2..4 };
        for v in &prevotes[side] {
            assert_eq!(n.receive(*v), None);
        }
        // Two prevotes give no GHOST: no precommit and no end of the round, however long.
        assert!(n.voter.next_vote(&n.tree, &n.key, 100 * TIMEOUT).is_none());
        assert_eq!(n.voter.try_advance(&n.tree, 100 * TIMEOUT), None);
        assert_eq!(n.voter.finalized(), (h(0), 0));
    }
    // Heal: every node gets every block and every prevote; then a3 makes the a-chain longest.
    for n in ns.iter_mut() {
        for (x, p, num) in [(11, 0, 1), (12, 11, 2), (21, 0, 1), (22, 21, 2), (13, 12, 3)] {
            n.tree.insert(h(x), h(p), num).expect("insert");
        }
        for v in &prevotes {
            assert_eq!(n.receive(*v), None);
        }
    }
    // The GHOST is genesis: everyone precommits it; round 1 completes with genesis.
    let precommits: Vec<SignedVote> = ns.iter_mut().map(|n| n.cast(100 * TIMEOUT)).collect();
    assert!(precommits.iter().all(|v| v.vote.target_hash == h(0) && v.vote.stage == Stage::Precommit));
    for n in ns.iter_mut() {
        for v in &precommits {
            assert_eq!(n.receive(*v), None, "genesis is already final");
        }
        assert_eq!(n.voter.try_advance(&n.tree, 100 * TIMEOUT + 1), Some(2), "all four heard: complete");
        assert_eq!(n.voter.base(), Some((h(0), 0)));
    }
    let finals = connected_round(&mut ns, 100 * TIMEOUT + 2);
    for (n, finals) in ns.iter().zip(finals) {
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
    assert_eq!(n.cast(0).vote.target_hash, h(24), "prevotes its best block");
    for (i, target, number) in [(0, 13, 3), (1, 12, 2), (2, 13, 3)] {
        n.receive(prevote(&k[i], target, number, 1));
    }
    // Three prevotes reach a2: the GHOST; all four are in, so it precommits at once.
    let pc = n.cast(0).vote;
    assert_eq!((pc.target_hash, pc.stage), (h(12), Stage::Precommit));
    // Validator 1 precommits a2 too, validator 2 (which saw the b-branch prevotes of faulty
    // peers) genesis: nothing new is final here.
    assert_eq!(n.receive(precommit(&k[1], 12, 2, 1)), None);
    assert_eq!(n.receive(precommit(&k[2], 0, 0, 1)), None);
    // Validator 0 may have precommitted a2 unseen, finalizing a2 elsewhere: the estimate is a2.
    let round = n.voter.tracker(1).expect("round 1");
    assert_eq!(round.estimate(&n.tree), Some((h(12), 2)));
    assert!(round.is_completable(&n.tree) && !round.is_complete(&n.tree));
    assert_eq!(n.voter.try_advance(&n.tree, TIMEOUT - 1), None, "not complete, not timed out");
    assert_eq!(n.voter.try_advance(&n.tree, TIMEOUT), Some(2));
    assert_eq!(n.voter.base(), Some((h(12), 2)));
    assert_eq!(n.tree.best(), (h(24), 4), "fork choice is unchanged");
    let v = n.cast(TIMEOUT);
    assert_eq!((v.vote.target_hash, v.vote.round), (h(13), 2), "the longest chain through a2, not b4");
}

#[test]
fn the_precommit_waits_for_a_ghost_on_the_base_and_for_the_prevotes() {
    let mut ns = nodes(&[(11, 0, 1), (12, 11, 2)]);
    let k = keys(4);
    let n = &mut ns[0];
    n.cast(0);
    n.receive(prevote(&k[1], 12, 2, 1));
    assert!(n.voter.next_vote(&n.tree, &n.key, 0).is_none(), "two prevotes: no GHOST");
    n.receive(prevote(&k[2], 11, 1, 1));
    // A GHOST (a1) exists, but validator 3's prevote may still raise it: wait half a timeout.
    assert!(n.voter.next_vote(&n.tree, &n.key, TIMEOUT / 2 - 1).is_none());
    let pc = n.cast(TIMEOUT / 2).vote;
    assert_eq!((pc.target_hash, pc.stage), (h(11), Stage::Precommit));
}

#[test]
fn a_byzantine_validator_showing_different_votes_cannot_split_finality() {
    // genesis ─ a1 ─ a2 and a longer genesis ─ c1 ─ c2 ─ c3. Validators 0 and 1 saw a2 first
    // (their best), validator 2 prefers c3; validator 3 is Byzantine and tells each what
    // suits the attack. With single-phase votes this finalized a2 at validator 0 and let
    // validator 2 move on to build on c3 (its estimate missed a2).
    let blocks = [(11, 0, 1), (12, 11, 2), (31, 0, 1), (32, 31, 2), (33, 32, 3)];
    let mut ns = nodes(&blocks);
    let k = keys(4);
    for n in &mut ns[..2] {
        let mut tree = ForkTree::new(h(0), 0);
        for (x, p, num) in [(11, 0, 1), (12, 11, 2), (31, 0, 1), (32, 31, 2)] {
            tree.insert(h(x), h(p), num).expect("insert");
        }
        n.tree = tree; // c3 arrives later
    }
    let honest: Vec<SignedVote> = ns[..3].iter_mut().map(|n| n.cast(0)).collect();
    assert_eq!(honest.iter().map(|v| v.vote.target_hash).collect::<Vec<_>>(), [h(12), h(12), h(33)]);
    for n in &mut ns[..2] {
        n.tree.insert(h(33), h(32), 3).expect("insert");
    }
    let (byz_a, byz_c) = (prevote(&k[3], 12, 2, 1), prevote(&k[3], 33, 3, 1));
    for (i, n) in ns[..3].iter_mut().enumerate() {
        for v in &honest {
            n.receive(*v);
        }
        n.receive(if i < 2 { byz_a } else { byz_c });
    }
    // Validators 0 and 1 see a GHOST at a2; validator 2 only at genesis.
    let pcs: Vec<SignedVote> = ns[..3].iter_mut().map(|n| n.cast(0)).collect();
    assert_eq!(pcs.iter().map(|v| v.vote.target_hash).collect::<Vec<_>>(), [h(12), h(12), h(0)]);
    let (byz_pa, byz_pc) = (precommit(&k[3], 12, 2, 1), precommit(&k[3], 33, 3, 1));
    // Validator 0 gets the Byzantine a2 precommit: a2 is final there.
    let mut finals = Vec::new();
    for v in [pcs[0], pcs[1], byz_pa] {
        finals.extend(ns[0].receive(v));
    }
    assert_eq!(finals, [(h(12), 2)]);
    // Validators 1 and 2 get the c3 precommit instead.
    for n in &mut ns[1..3] {
        for v in [pcs[0], pcs[1], pcs[2], byz_pc] {
            assert_eq!(n.receive(v), None);
        }
    }
    // Validator 1's estimate is a2; validator 2 cannot complete the round (a1 could be final
    // elsewhere, and is) and so never builds on c3.
    let n1 = &mut ns[1];
    assert_eq!(n1.voter.try_advance(&n1.tree, TIMEOUT), Some(2));
    assert_eq!(n1.voter.base(), Some((h(12), 2)));
    let n2 = &mut ns[2];
    assert_eq!(n2.voter.try_advance(&n2.tree, 100 * TIMEOUT), None);
    assert!(n2.voter.next_vote(&n2.tree, &n2.key, 100 * TIMEOUT).is_none());
    // Once gossip relays the other halves of validator 3's votes, validator 2 sees the
    // equivocations and completes the round on a2: safe and live.
    for v in [byz_a, byz_pa] {
        let result = n2.voter.import_vote(v, &n2.tree).map(|o| o.result);
        assert!(matches!(result, Ok(ImportResult::Equivocation(_))));
    }
    assert_eq!(n2.voter.take_equivocations().len(), 2);
    assert_eq!(n2.voter.try_advance(&n2.tree, 100 * TIMEOUT), Some(2));
    assert_eq!(n2.voter.base(), Some((h(12), 2)));
    let v = n2.cast(100 * TIMEOUT);
    assert_eq!((v.vote.target_hash, v.vote.round), (h(12), 2), "no longer c3");
}

#[test]
fn catches_up_from_a_justification_and_refuses_a_bad_one() {
    let mut ns = nodes(&[(11, 0, 1), (12, 11, 2), (13, 12, 3)]);
    let k = keys(4);
    let n = &mut ns[0];
    let votes = vec![precommit(&k[1], 12, 2, 12), precommit(&k[2], 13, 3, 12), precommit(&k[3], 12, 2, 12)];
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
    // Round 12's prevotes are unknown here: a2 is final, but something higher may be too.
    assert_eq!(n.voter.base(), None);
    assert_eq!(n.voter.import_justification(&j, &n.tree, 6), Ok(None), "already known");
    n.tree.finalize(h(12)).expect("finalize");
    assert!(n.voter.next_vote(&n.tree, &n.key, 6).is_none(), "no base, no vote");
    // Round 13's votes complete it here: the voter follows with a base.
    for key in &k[1..4] {
        n.receive(prevote(key, 13, 3, 13));
    }
    for key in &k[1..4] {
        n.receive(precommit(key, 13, 3, 13));
    }
    assert_eq!(n.voter.try_advance(&n.tree, 7), Some(14));
    assert_eq!(n.voter.base(), Some((h(13), 3)));
    let v = n.cast(7);
    assert_eq!((v.vote.target_hash, v.vote.round, v.vote.stage), (h(13), 14, Stage::Prevote));
}

#[test]
fn catches_up_from_later_round_votes_and_bounds_the_rounds_it_accepts() {
    let mut ns = nodes(&[(11, 0, 1), (12, 11, 2)]);
    let k = keys(4);
    let n = &mut ns[0];
    assert_eq!(
        n.voter.import_vote(prevote(&k[1], 12, 2, 1 + MAX_ROUNDS_AHEAD + 1), &n.tree),
        Err(VoteError::RoundTooFarAhead { round: 10, current: 1 })
    );
    for key in &k[1..4] {
        let out = n.voter.import_vote(prevote(key, 12, 2, 3), &n.tree).expect("accepted");
        assert_eq!(out.result, ImportResult::Counted);
    }
    assert_eq!(n.voter.try_advance(&n.tree, 0), None, "prevotes alone do not complete round 3");
    for key in &k[1..4] {
        n.voter.import_vote(precommit(key, 12, 2, 3), &n.tree).expect("accepted");
    }
    assert_eq!(n.voter.finalized(), (h(12), 2), "round 3's precommits finalize a2");
    assert_eq!(n.voter.try_advance(&n.tree, 0), Some(4), "jumps past round 3 without a timeout");
    assert_eq!(
        n.voter.import_vote(prevote(&k[1], 12, 2, 2), &n.tree),
        Err(VoteError::StaleRound { round: 2, current: 4 })
    );
    let late = n.voter.import_vote(prevote(&k[0], 11, 1, 3), &n.tree).map(|o| o.result);
    assert_eq!(late, Ok(ImportResult::Counted), "the previous round is still open");
    assert!(n.voter.tracker(2).is_none() && n.voter.tracker(3).is_some());
}

#[test]
fn votes_for_unknown_blocks_wait_for_the_block() {
    let mut ns = nodes(&[(11, 0, 1)]);
    let k = keys(4);
    let n = &mut ns[0];
    let v = prevote(&k[1], 12, 2, 1);
    assert_eq!(n.voter.import_vote(v, &n.tree), Err(VoteError::UnknownTarget { hash: h(12), number: 2 }));
    n.tree.insert(h(12), h(11), 2).expect("insert");
    assert_eq!(n.voter.import_vote(v, &n.tree).map(|o| o.result), Ok(ImportResult::Counted));
}

#[test]
fn equivocations_are_collected_and_non_validators_do_not_vote() {
    let mut ns = nodes(&[(11, 0, 1), (21, 0, 1)]);
    let k = keys(5);
    let n = &mut ns[0];
    n.voter.import_vote(prevote(&k[1], 11, 1, 1), &n.tree).expect("valid");
    // A precommit for another block is the second phase, not a second statement.
    let pc = n.voter.import_vote(precommit(&k[1], 0, 0, 1), &n.tree).expect("valid");
    assert_eq!(pc.result, ImportResult::Counted);
    let out = n.voter.import_vote(prevote(&k[1], 21, 1, 1), &n.tree).expect("valid");
    assert!(matches!(out.result, ImportResult::Equivocation(_)));
    let ev = n.voter.take_equivocations();
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].offender(), k[1].account());
    assert!(n.voter.take_equivocations().is_empty());
    assert!(n.voter.next_vote(&n.tree, &k[4], 0).is_none(), "not a validator");
}

#[test]
fn a_restarted_voter_waits_for_an_estimate_before_voting() {
    let k = keys(4);
    let mut tree = ForkTree::new(h(0), 0);
    tree.insert(h(11), h(0), 1).expect("insert");
    tree.insert(h(12), h(11), 2).expect("insert");
    let mut voter = Voter::new(validator_set(&k), h(0), (h(0), 0), 5, TIMEOUT, 0);
    assert_eq!(voter.base(), None);
    assert!(voter.next_vote(&tree, &k[0], 0).is_none(), "round 5's base is unknown");
    for (key, target, number) in [(&k[1], 12, 2), (&k[2], 12, 2), (&k[3], 11, 1)] {
        voter.import_vote(prevote(key, target, number, 5), &tree).expect("valid");
    }
    for key in &k[1..3] {
        voter.import_vote(precommit(key, 11, 1, 5), &tree).expect("valid");
    }
    assert_eq!(voter.try_advance(&tree, 10 * TIMEOUT), None, "two precommits: a2 may still be final");
    voter.import_vote(precommit(&k[3], 11, 1, 5), &tree).expect("valid");
    assert_eq!(voter.try_advance(&tree, 10 * TIMEOUT), Some(6));
    assert_eq!(voter.base(), Some((h(11), 1)));
    let v = voter.next_vote(&tree, &k[0], 10 * TIMEOUT).expect("votes now").vote;
    assert_eq!((v.vote.target_hash, v.vote.round), (h(12), 6));
}

#[test]
fn a_network_restarted_as_a_whole_resumes_from_persisted_state_without_double_votes() {
    use parity_scale_codec::{Decode, Encode};
    let set = validator_set(&keys(4));
    let restart = |ns: &mut Vec<Node>, now: u64| {
        for n in ns.iter_mut() {
            let bytes = n.voter.state().encode();
            let state = VoterState::decode(&mut &bytes[..]).expect("decodes");
            n.voter = Voter::restore(set.clone(), h(0), state, TIMEOUT, now);
        }
    };
    // Everyone prevotes in round 1, then all crash before any vote is delivered.
    let mut ns = nodes(&[(11, 0, 1), (12, 11, 2)]);
    let prevotes: Vec<SignedVote> = ns.iter_mut().map(|n| n.cast(0)).collect();
    restart(&mut ns, 50_000);
    // Each re-sends its persisted prevote: the same bytes, so no equivocation anywhere.
    let resent: Vec<SignedVote> = ns.iter().flat_map(|n| n.voter.own_votes_in_round()).collect();
    assert_eq!(resent, prevotes);
    for n in ns.iter_mut() {
        assert!(n.voter.next_vote(&n.tree, &n.key, 50_000).is_none(), "no second prevote, no GHOST yet");
        for v in &resent {
            n.receive(*v);
        }
    }
    let precommits: Vec<SignedVote> = ns.iter_mut().map(|n| n.cast(50_000)).collect();
    // They crash again after precommitting; the restored voters finish the round.
    restart(&mut ns, 60_000);
    for n in ns.iter_mut() {
        assert!(n.voter.has_voted());
        assert!(n.voter.next_vote(&n.tree, &n.key, 60_000).is_none(), "no second precommit");
        // The re-sent prevotes, then precommits, arrive again.
        for v in &resent {
            n.receive(*v);
        }
        let finals: Vec<_> = precommits.iter().filter_map(|v| n.receive(*v)).collect();
        assert_eq!(finals, [(h(12), 2)]);
        assert!(n.voter.take_equivocations().is_empty());
        assert_eq!(n.voter.try_advance(&n.tree, 60_001), Some(2));
    }

    // A lone validator (the dev chain) restarted after voting finishes its round alone.
    let k = keys(1);
    let solo = validator_set(&k);
    let mut tree = ForkTree::new(h(0), 0);
    tree.insert(h(11), h(0), 1).expect("insert");
    let mut voter = Voter::new(solo.clone(), h(0), (h(0), 0), 1, TIMEOUT, 0);
    let pv = voter.next_vote(&tree, &k[0], 0).expect("prevotes");
    assert_eq!(pv.finalized, None);
    let pc = voter.next_vote(&tree, &k[0], 0).expect("precommits");
    assert_eq!(pc.finalized.map(|j| j.target_hash), Some(h(11)), "one precommit of one finalizes");
    tree.finalize(h(11)).expect("finalize");
    assert_eq!(voter.try_advance(&tree, 1), Some(2));
    tree.insert(h(12), h(11), 2).expect("insert");
    assert!(voter.next_vote(&tree, &k[0], 1).is_some());
    let mut restored = Voter::restore(solo, h(0), voter.state(), TIMEOUT, 2);
    assert_eq!((restored.round(), restored.base()), (2, Some((h(11), 1))));
    let pc = restored.next_vote(&tree, &k[0], 2).expect("its precommit is still due");
    assert_eq!(pc.vote.vote.stage, Stage::Precommit);
    assert_eq!(restored.try_advance(&tree, 2), Some(3), "its own votes complete round 2");
    assert!(restored.next_vote(&tree, &k[0], 2).is_some());
}
