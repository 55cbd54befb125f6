//! `propose` and `vote`: success and every error path.

use super::*;
use crate::storage::{Live, Locks, ProposalCount, Proposals, VotingOf};

const STAKING: [u8; 8] = *b"staking ";

// ---- propose ----

#[test]
fn propose_reserves_the_deposit_and_opens_voting() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), Call::propose { proposal: set_max_validators(7), deposit: 250 }), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            bal(balances::Event::Reserved { who: alice(), amount: 250 }),
            gov(Event::Proposed { index: 0, proposer: alice(), deposit: 250 }),
        ]
    );
    assert_eq!((free(&ext, &alice()), reserved(&ext, &alice())), (ALICE_FREE - 250, 250));
    let expected = ProposalInfo {
        proposer: alice(),
        proposal: set_max_validators(7),
        deposit: 250,
        submitted: START,
        voting_end: START + VOTING_PERIOD,
        status: ProposalStatus::Ongoing,
        tally: Tally::default(),
    };
    assert_eq!(crate::proposal(&ext, 0), Some(expected));
    assert_eq!(ProposalCount::get(&ext), Some(1));
    assert_eq!(Live::get(&ext), Some(vec![0]));
    // The next one gets the next index and joins `Live` in order.
    assert_eq!(signed(&mut ext, bob(), propose(Proposal::TreasurySpend { to: dave(), amount: 1 })), Ok(()));
    assert_eq!(Live::get(&ext), Some(vec![0, 1]));
    assert_eq!(ProposalCount::get(&ext), Some(2));
}

#[test]
fn propose_accepts_every_valid_proposal_kind() {
    let kinds = [
        set_max_validators(1_000),
        Proposal::SetParameter { parameter: Parameter::Quorum, value: 0 },
        Proposal::GrantRole { who: dave(), role: Role::Validator },
        Proposal::RevokeRole { who: eve(), role: Role::Admin },
        Proposal::TreasurySpend { to: ferdie(), amount: 1 },
    ];
    for proposal in kinds {
        let backend = default_backend();
        let mut ext = Ext::new(&backend);
        assert_eq!(signed(&mut ext, bob(), propose(proposal.clone())), Ok(()), "{proposal:?}");
    }
}

#[test]
fn propose_below_the_minimum_deposit_fails() {
    let call = Call::propose { proposal: set_max_validators(7), deposit: MIN_DEPOSIT - 1 };
    assert_noop(&default_backend(), RawOrigin::Signed(alice()), call, gov_error(Error::DepositTooLow));
}

#[test]
fn propose_out_of_range_value_fails() {
    let err = gov_error(Error::ValueOutOfRange);
    for proposal in [
        set_max_validators(0),
        set_max_validators(1_001),
        Proposal::SetParameter { parameter: Parameter::Quorum, value: 1_000_000_001 },
        Proposal::SetParameter { parameter: Parameter::EnactmentDelay, value: 0 },
    ] {
        assert_noop(&default_backend(), RawOrigin::Signed(alice()), propose(proposal), err);
    }
}

#[test]
fn propose_guest_role_changes_fail() {
    let err = gov_error(Error::InvalidRole);
    for proposal in [
        Proposal::GrantRole { who: dave(), role: Role::Guest },
        Proposal::RevokeRole { who: dave(), role: Role::Guest },
    ] {
        assert_noop(&default_backend(), RawOrigin::Signed(alice()), propose(proposal), err);
    }
}

#[test]
fn propose_zero_treasury_spend_fails() {
    let call = propose(Proposal::TreasurySpend { to: dave(), amount: 0 });
    assert_noop(&default_backend(), RawOrigin::Signed(alice()), call, gov_error(Error::ZeroAmount));
}

#[test]
fn propose_without_usable_funds_for_the_deposit_fails() {
    let err = gov_error(Error::InsufficientFunds);
    let call = propose(set_max_validators(7));
    assert_noop(&default_backend(), RawOrigin::Signed(ferdie()), call.clone(), err);
    let over = Call::propose { proposal: set_max_validators(7), deposit: ALICE_FREE + 1 };
    assert_noop(&default_backend(), RawOrigin::Signed(alice()), over, err);
    // Locked (e.g. bonded) funds cannot be reserved.
    let locked = build_on(&default_backend(), |ext| {
        assert_eq!(balances::set_lock::<Test>(ext, STAKING, &alice(), ALICE_FREE - MIN_DEPOSIT + 1), Ok(()));
    });
    assert_noop(&locked, RawOrigin::Signed(alice()), call, err);
}

#[test]
fn propose_requires_a_signed_origin() {
    for origin in [RawOrigin::Root, RawOrigin::None] {
        assert_noop(&default_backend(), origin, propose(set_max_validators(7)), DispatchError::BadOrigin);
    }
}

#[test]
fn at_most_max_live_proposals_and_the_hook_handles_them_all_at_once() {
    let backend = build_on(&default_backend(), |ext| {
        for _ in 0..crate::MAX_LIVE {
            assert_eq!(signed(ext, alice(), propose(set_max_validators(7))), Ok(()));
        }
        ext.take_events();
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(Live::get_or_default(&ext).len(), crate::MAX_LIVE);
    // Alice has spent everything on deposits; Bob is refused for the cap, not his funds.
    assert_eq!(free(&ext, &alice()), 0);
    assert_noop(&backend, RawOrigin::Signed(bob()), propose(set_max_validators(7)), gov_error(Error::TooManyProposals));
    // All end in the same block: each is rejected (no votes), the deposits come back.
    run_to(&mut ext, START + VOTING_PERIOD - 1);
    archive_pallet_system::storage::Number::put(&mut ext, &(START + VOTING_PERIOD));
    let weight = crate::on_initialize::<Test>(&mut ext, START + VOTING_PERIOD);
    assert_eq!(weight, crate::weights::on_initialize(100, 100, 0));
    assert!(!weight.any_gt(crate::weights::on_initialize_max()));
    assert_eq!(gov_events(&ext).len(), crate::MAX_LIVE);
    assert_eq!(Live::get(&ext), Some(vec![]));
    assert_eq!((free(&ext, &alice()), reserved(&ext, &alice())), (ALICE_FREE, 0));
    // Room again.
    assert_eq!(signed(&mut ext, bob(), propose(set_max_validators(7))), Ok(()));
}

// ---- vote ----

#[test]
fn vote_counts_locks_and_records() {
    let backend = with_proposal();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), vote(0, true, 2, 4_000)), Ok(()));
    let v = AccountVote { aye: true, conviction: 2, balance: 4_000 };
    assert_eq!(events(&ext), vec![gov(Event::Voted { who: bob(), index: 0, vote: v })]);
    assert_eq!(crate::vote_of(&ext, 0, &bob()), Some(v));
    let tally = crate::proposal(&ext, 0).map(|p| p.tally);
    assert_eq!(tally, Some(Tally { ayes: 8_000, nays: 0, turnout: 4_000 }));
    let voting_end = START + VOTING_PERIOD;
    assert_eq!(crate::locks_of(&ext, &bob()), vec![(0, 4_000, voting_end + 2 * ENACTMENT_DELAY)]);
    assert_eq!((vote_lock(&ext, &bob()), frozen(&ext, &bob())), (Some(4_000), 4_000));
    // Locked, not spent.
    assert_eq!(free(&ext, &bob()), BOB_FREE);
    assert_eq!(
        balances::transfer::<Test>(
            &mut ext,
            &bob(),
            &alice(),
            BOB_FREE - 3_999,
            balances::ExistenceRequirement::AllowDeath
        ),
        Err(balances_error(balances::Error::LiquidityRestrictions))
    );
    // A nay with no conviction counts a tenth.
    assert_eq!(signed(&mut ext, charlie(), vote(0, false, 0, 30_000)), Ok(()));
    let tally = crate::proposal(&ext, 0).map(|p| p.tally);
    assert_eq!(tally, Some(Tally { ayes: 8_000, nays: 3_000, turnout: 34_000 }));
    assert_eq!(crate::locks_of(&ext, &charlie()), vec![(0, 30_000, voting_end)]);
}

#[test]
fn vote_may_use_bonded_funds() {
    let backend = build_on(&with_proposal(), |ext| {
        assert_eq!(balances::set_lock::<Test>(ext, STAKING, &bob(), BOB_FREE), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), vote(0, true, 1, BOB_FREE)), Ok(()));
    assert_eq!((vote_lock(&ext, &bob()), frozen(&ext, &bob())), (Some(BOB_FREE), BOB_FREE));
}

#[test]
fn changing_a_vote_replaces_its_contribution() {
    let backend = build_on(&with_proposal(), |ext| {
        assert_eq!(signed(ext, bob(), vote(0, true, 1, 5_000)), Ok(()));
        assert_eq!(signed(ext, charlie(), vote(0, true, 1, 1_000)), Ok(()));
        ext.take_events();
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), vote(0, false, 2, 3_000)), Ok(()));
    let v = AccountVote { aye: false, conviction: 2, balance: 3_000 };
    assert_eq!(events(&ext), vec![gov(Event::VoteChanged { who: bob(), index: 0, vote: v })]);
    let tally = crate::proposal(&ext, 0).map(|p| p.tally);
    assert_eq!(tally, Some(Tally { ayes: 1_000, nays: 6_000, turnout: 4_000 }));
    assert_eq!(crate::vote_of(&ext, 0, &bob()), Some(v));
    let voting_end = START + VOTING_PERIOD;
    assert_eq!(crate::locks_of(&ext, &bob()), vec![(0, 3_000, voting_end + 2 * ENACTMENT_DELAY)]);
    assert_eq!(vote_lock(&ext, &bob()), Some(3_000), "the lock follows the new vote down");
    // Only the conviction differs: still a change.
    assert_eq!(signed(&mut ext, bob(), vote(0, false, 3, 3_000)), Ok(()));
    let tally = crate::proposal(&ext, 0).map(|p| p.tally);
    assert_eq!(tally, Some(Tally { ayes: 1_000, nays: 9_000, turnout: 4_000 }));
}

#[test]
fn an_identical_repeat_vote_fails() {
    let backend = build_on(&with_proposal(), |ext| {
        assert_eq!(signed(ext, bob(), vote(0, true, 1, 5_000)), Ok(()));
    });
    assert_noop(&backend, RawOrigin::Signed(bob()), vote(0, true, 1, 5_000), gov_error(Error::DuplicateVote));
}

#[test]
fn vote_on_an_unknown_proposal_fails() {
    assert_noop(&with_proposal(), RawOrigin::Signed(bob()), vote(1, true, 1, 1), gov_error(Error::ProposalNotFound));
}

#[test]
fn vote_after_the_voting_period_fails() {
    let err = gov_error(Error::VotingClosed);
    let voting_end = START + VOTING_PERIOD;
    // The last block of the period still accepts votes.
    let last = build_on(&with_proposal(), |ext| run_to(ext, voting_end - 1));
    let mut ext = Ext::new(&last);
    assert_eq!(signed(&mut ext, bob(), vote(0, true, 1, 1)), Ok(()));
    // At `voting_end` it is closed, even before the hook has tallied it.
    let unhooked = build_on(&last, |ext| archive_pallet_system::storage::Number::put(ext, &voting_end));
    assert_eq!(crate::proposal(&Ext::new(&unhooked), 0).map(|p| p.status), Some(ProposalStatus::Ongoing));
    assert_noop(&unhooked, RawOrigin::Signed(bob()), vote(0, true, 1, 1), err);
    // Tallied (rejected: no votes).
    let tallied = build_on(&last, |ext| run_to(ext, voting_end));
    assert_noop(&tallied, RawOrigin::Signed(bob()), vote(0, true, 1, 1), err);
}

#[test]
fn vote_on_a_cancelled_proposal_fails() {
    let backend = build_on(&with_proposal(), |ext| {
        assert_eq!(signed(ext, alice(), Call::cancel { index: 0 }), Ok(()));
    });
    assert_noop(&backend, RawOrigin::Signed(bob()), vote(0, true, 1, 1), gov_error(Error::VotingClosed));
}

#[test]
fn vote_with_conviction_above_six_fails() {
    let backend = with_proposal();
    assert_noop(&backend, RawOrigin::Signed(bob()), vote(0, true, 7, 1), gov_error(Error::InvalidConviction));
    assert_noop(&backend, RawOrigin::Signed(bob()), vote(0, true, u8::MAX, 1), gov_error(Error::InvalidConviction));
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), vote(0, true, crate::MAX_CONVICTION, 1)), Ok(()));
}

#[test]
fn vote_of_zero_or_more_than_free_fails() {
    let backend = with_proposal();
    assert_noop(&backend, RawOrigin::Signed(bob()), vote(0, true, 1, 0), gov_error(Error::ZeroAmount));
    let err = gov_error(Error::InsufficientFunds);
    assert_noop(&backend, RawOrigin::Signed(bob()), vote(0, true, 1, BOB_FREE + 1), err);
    assert_noop(&backend, RawOrigin::Signed(ferdie()), vote(0, true, 1, 1), err);
    // The proposer's reserved deposit does not count.
    assert_noop(&backend, RawOrigin::Signed(alice()), vote(0, true, 1, ALICE_FREE), err);
}

#[test]
fn vote_beyond_the_per_account_limit_fails() {
    let backend = build_on(&with_proposal(), |ext| {
        let full: Vec<_> = (100..100 + crate::MAX_VOTES_PER_ACCOUNT as u32).map(|i| (i, 1, 1_000)).collect();
        Locks::insert(ext, &bob(), &full);
    });
    assert_noop(&backend, RawOrigin::Signed(bob()), vote(0, true, 1, 1), gov_error(Error::TooManyVotes));
}

#[test]
fn vote_drops_time_expired_locks_first() {
    let backend = build_on(&with_proposal(), |ext| {
        let mut full: Vec<_> = (100..100 + crate::MAX_VOTES_PER_ACCOUNT as u32).map(|i| (i, 1, 1_000)).collect();
        full[0] = (100, 9_000, START);
        Locks::insert(ext, &bob(), &full);
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), vote(0, true, 1, 5)), Ok(()));
    let locks = crate::locks_of(&ext, &bob());
    assert_eq!(locks.len(), crate::MAX_VOTES_PER_ACCOUNT);
    assert!(!locks.iter().any(|l| l.0 == 100), "the expired entry is gone");
    assert_eq!(vote_lock(&ext, &bob()), Some(5));
}

#[test]
fn vote_without_room_for_a_balance_lock_fails() {
    let backend = build_on(&with_proposal(), |ext| {
        for id in [*b"lock one", *b"lock two", *b"lock 3  "] {
            assert_eq!(balances::set_lock::<Test>(ext, id, &bob(), 10), Ok(()));
        }
    });
    let err = balances_error(balances::Error::TooManyLocks);
    assert_noop(&backend, RawOrigin::Signed(bob()), vote(0, true, 1, 1), err);
}

#[test]
fn vote_requires_a_signed_origin() {
    for origin in [RawOrigin::Root, RawOrigin::None] {
        assert_noop(&with_proposal(), origin, vote(0, true, 1, 1), DispatchError::BadOrigin);
    }
}

#[test]
fn votes_on_several_proposals_lock_their_maximum() {
    let backend = build_on(&with_proposal(), |ext| {
        assert_eq!(signed(ext, alice(), propose(set_max_validators(9))), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), vote(0, true, 0, 5_000)), Ok(()));
    assert_eq!(signed(&mut ext, bob(), vote(1, false, 0, 8_000)), Ok(()));
    assert_eq!(vote_lock(&ext, &bob()), Some(8_000));
    assert_eq!(VotingOf::get(&ext, &(1, bob())), Some(AccountVote { aye: false, conviction: 0, balance: 8_000 }));
    assert_eq!(Proposals::get(&ext, &1).map(|p| p.tally.nays), Some(800));
}
