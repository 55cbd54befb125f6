//! `cancel`, `kill` and `unlock`: success and every error path.

use super::*;
use crate::storage::{Live, Locks};
use archive_pallet_parameters::TREASURY;

// ---- cancel ----

#[test]
fn cancel_returns_the_deposit_and_ends_the_proposal() {
    let backend = with_proposal();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), Call::cancel { index: 0 }), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            bal(balances::Event::Unreserved { who: alice(), amount: MIN_DEPOSIT }),
            gov(Event::Cancelled { index: 0 })
        ]
    );
    assert_eq!((free(&ext, &alice()), reserved(&ext, &alice())), (ALICE_FREE, 0));
    assert_eq!(crate::proposal(&ext, 0).map(|p| p.status), Some(ProposalStatus::Cancelled));
    assert_eq!(Live::get(&ext), Some(vec![]));
    // The hook no longer looks at it.
    run_to(&mut ext, START + VOTING_PERIOD + ENACTMENT_DELAY);
    assert_eq!(gov_events(&ext), vec![Event::Cancelled { index: 0 }]);
}

#[test]
fn cancel_by_anyone_but_the_proposer_fails() {
    let backend = with_proposal();
    assert_noop(&backend, RawOrigin::Signed(bob()), Call::cancel { index: 0 }, gov_error(Error::NotProposer));
    assert_noop(&backend, RawOrigin::Signed(eve()), Call::cancel { index: 0 }, gov_error(Error::NotProposer));
    for origin in [RawOrigin::Root, RawOrigin::None] {
        assert_noop(&backend, origin, Call::cancel { index: 0 }, DispatchError::BadOrigin);
    }
}

#[test]
fn cancel_of_an_unknown_or_ended_proposal_fails() {
    let backend = with_proposal();
    let not_found = gov_error(Error::ProposalNotFound);
    assert_noop(&backend, RawOrigin::Signed(alice()), Call::cancel { index: 1 }, not_found);
    let err = gov_error(Error::NotOngoing);
    let cancelled = build_on(&backend, |ext| assert_eq!(signed(ext, alice(), Call::cancel { index: 0 }), Ok(())));
    assert_noop(&cancelled, RawOrigin::Signed(alice()), Call::cancel { index: 0 }, err);
    // Approved and waiting for enactment: too late to withdraw.
    let approved = build_on(&backend, |ext| {
        assert_eq!(signed(ext, charlie(), vote(0, true, 1, QUORUM_TURNOUT)), Ok(()));
        run_to(ext, START + VOTING_PERIOD);
    });
    let status = crate::proposal(&Ext::new(&approved), 0).map(|p| p.status);
    assert_eq!(status, Some(ProposalStatus::Approved { enact_at: START + VOTING_PERIOD + ENACTMENT_DELAY }));
    assert_noop(&approved, RawOrigin::Signed(alice()), Call::cancel { index: 0 }, err);
}

// ---- kill ----

#[test]
fn root_kill_slashes_the_deposit_to_the_treasury() {
    let backend = with_proposal();
    let mut ext = Ext::new(&backend);
    assert_eq!(dispatch(&mut ext, RawOrigin::Root, Call::kill { index: 0 }), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            bal(balances::Event::Slashed { who: alice(), amount: MIN_DEPOSIT }),
            bal(balances::Event::Deposit { who: TREASURY, amount: MIN_DEPOSIT }),
            gov(Event::Killed { index: 0, slashed: MIN_DEPOSIT }),
        ]
    );
    assert_eq!((free(&ext, &alice()), reserved(&ext, &alice())), (ALICE_FREE - MIN_DEPOSIT, 0));
    assert_eq!(free(&ext, &TREASURY), TREASURY_FREE + MIN_DEPOSIT);
    assert_eq!(balances::total_issuance(&ext), ISSUANCE, "moved, not burned");
    assert_eq!(crate::proposal(&ext, 0).map(|p| p.status), Some(ProposalStatus::Killed));
    assert_eq!(Live::get(&ext), Some(vec![]));
}

#[test]
fn an_admin_may_kill() {
    let backend = with_proposal();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, eve(), Call::kill { index: 0 }), Ok(()));
    assert_eq!(gov_events(&ext), vec![Event::Killed { index: 0, slashed: MIN_DEPOSIT }]);
    assert_eq!(free(&ext, &TREASURY), TREASURY_FREE + MIN_DEPOSIT);
}

#[test]
fn kill_without_root_or_admin_fails() {
    let backend = with_proposal();
    // The proposer itself, a plain account, an Archiver (not Admin), and no signer at all.
    let archiver = build_on(&backend, |ext| {
        assert_eq!(archive_pallet_identity::grant_role::<Test>(ext, &bob(), Role::Archiver, None), Ok(()));
    });
    for origin in [RawOrigin::Signed(alice()), RawOrigin::Signed(charlie()), RawOrigin::None] {
        assert_noop(&backend, origin, Call::kill { index: 0 }, DispatchError::BadOrigin);
    }
    assert_noop(&archiver, RawOrigin::Signed(bob()), Call::kill { index: 0 }, DispatchError::BadOrigin);
}

#[test]
fn kill_of_an_unknown_or_ended_proposal_fails() {
    let backend = with_proposal();
    assert_noop(&backend, RawOrigin::Root, Call::kill { index: 7 }, gov_error(Error::ProposalNotFound));
    let cancelled = build_on(&backend, |ext| assert_eq!(signed(ext, alice(), Call::cancel { index: 0 }), Ok(())));
    assert_noop(&cancelled, RawOrigin::Root, Call::kill { index: 0 }, gov_error(Error::NotOngoing));
    let rejected = build_on(&backend, |ext| run_to(ext, START + VOTING_PERIOD));
    assert_noop(&rejected, RawOrigin::Signed(eve()), Call::kill { index: 0 }, gov_error(Error::NotOngoing));
}

// ---- unlock ----

#[test]
fn unlock_with_nothing_expired_fails() {
    let backend = build_on(&with_proposal(), |ext| {
        assert_eq!(signed(ext, bob(), vote(0, true, 0, 1_000)), Ok(()));
    });
    let err = gov_error(Error::NothingToUnlock);
    // Still voting; and an account that never voted.
    assert_noop(&backend, RawOrigin::Signed(bob()), Call::unlock { target: bob() }, err);
    assert_noop(&backend, RawOrigin::Signed(bob()), Call::unlock { target: ferdie() }, err);
    for origin in [RawOrigin::Root, RawOrigin::None] {
        assert_noop(&backend, origin, Call::unlock { target: bob() }, DispatchError::BadOrigin);
    }
}

#[test]
fn anyone_may_unlock_expired_votes() {
    let backend = build_on(&with_proposal(), |ext| {
        assert_eq!(signed(ext, bob(), vote(0, true, 0, 1_000)), Ok(()));
        run_to(ext, START + VOTING_PERIOD);
        ext.take_events();
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, charlie(), Call::unlock { target: bob() }), Ok(()));
    assert_eq!(events(&ext), vec![gov(Event::Unlocked { who: bob(), locked: 0 })]);
    assert_eq!((vote_lock(&ext, &bob()), frozen(&ext, &bob())), (None, 0));
    assert!(!Locks::contains(&ext, &bob()));
    // The vote itself stays as history.
    assert!(crate::vote_of(&ext, 0, &bob()).is_some());
}

#[test]
fn votes_on_cancelled_or_killed_proposals_unlock_at_once() {
    let backend = build_on(&with_proposal(), |ext| {
        assert_eq!(signed(ext, bob(), propose(set_max_validators(9))), Ok(()));
        assert_eq!(signed(ext, charlie(), propose(set_max_validators(10))), Ok(()));
        assert_eq!(signed(ext, dave(), vote(0, true, 6, 1_000)), Ok(()));
        assert_eq!(signed(ext, dave(), vote(1, true, 6, 3_000)), Ok(()));
        assert_eq!(signed(ext, dave(), vote(2, true, 6, 2_000)), Ok(()));
        ext.take_events();
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(vote_lock(&ext, &dave()), Some(3_000));
    assert_eq!(signed(&mut ext, bob(), Call::cancel { index: 1 }), Ok(()));
    assert_eq!(signed(&mut ext, alice(), Call::unlock { target: dave() }), Ok(()));
    assert_eq!(gov_events(&ext).last(), Some(&Event::Unlocked { who: dave(), locked: 2_000 }));
    assert_eq!(dispatch(&mut ext, RawOrigin::Root, Call::kill { index: 2 }), Ok(()));
    assert_eq!(signed(&mut ext, alice(), Call::unlock { target: dave() }), Ok(()));
    assert_eq!(vote_lock(&ext, &dave()), Some(1_000));
    let end = START + VOTING_PERIOD;
    assert_eq!(crate::locks_of(&ext, &dave()), vec![(0, 1_000, end + 32 * ENACTMENT_DELAY)]);
}

#[test]
fn unlock_drops_locks_of_unknown_proposals() {
    let backend = build_on(&default_backend(), |ext| {
        Locks::insert(ext, &bob(), &vec![(9, 500, 1_000)]);
        assert_eq!(balances::set_lock::<Test>(ext, crate::VOTE_LOCK_ID, &bob(), 500), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), Call::unlock { target: bob() }), Ok(()));
    assert_eq!(vote_lock(&ext, &bob()), None);
}
