//! The block hook: tallies, enactments, conviction weights and lock durations.

use super::*;
use crate::storage::Live;
use archive_pallet_identity as identity;
use archive_pallet_parameters::{self as parameters, TREASURY};

const VOTING_END: u32 = START + VOTING_PERIOD;
const ENACT_AT: u32 = VOTING_END + ENACTMENT_DELAY;

fn status(ext: &Ext<'_>, index: u32) -> Option<ProposalStatus> {
    crate::proposal(ext, index).map(|p| p.status)
}

/// `default_backend` with Alice's proposal 0 of `proposal` and the given votes cast at START.
fn proposed_with_votes(proposal: Proposal, votes: &[(AccountId20, bool, u8, u128)]) -> archive_support::MemoryBackend {
    build_on(&default_backend(), |ext| {
        assert_eq!(signed(ext, alice(), propose(proposal)), Ok(()));
        for &(who, aye, conviction, balance) in votes {
            assert_eq!(signed(ext, who, vote(0, aye, conviction, balance)), Ok(()), "{who:?}");
        }
        ext.take_events();
    })
}

#[test]
fn full_life_cycle_sets_a_parameter() {
    let backend = proposed_with_votes(
        set_max_validators(7),
        &[(bob(), true, 1, 10_000), (charlie(), false, 0, 20_000), (dave(), true, 3, 2_000)],
    );
    let mut ext = Ext::new(&backend);
    let tally = crate::proposal(&ext, 0).map(|p| p.tally);
    assert_eq!(tally, Some(Tally { ayes: 16_000, nays: 2_000, turnout: 32_000 }));
    assert_eq!(crate::locks_of(&ext, &bob()), vec![(0, 10_000, VOTING_END + ENACTMENT_DELAY)]);
    assert_eq!(crate::locks_of(&ext, &charlie()), vec![(0, 20_000, VOTING_END)]);
    assert_eq!(crate::locks_of(&ext, &dave()), vec![(0, 2_000, VOTING_END + 4 * ENACTMENT_DELAY)]);

    run_to(&mut ext, VOTING_END - 1);
    assert_eq!(status(&ext, 0), Some(ProposalStatus::Ongoing));
    assert!(ext.events().is_empty());

    // Tally: 32_000 ≥ 11_600 turned out and 16_000 > 2_000.
    run_to(&mut ext, VOTING_END);
    assert_eq!(
        events(&ext),
        vec![
            bal(balances::Event::Unreserved { who: alice(), amount: MIN_DEPOSIT }),
            gov(Event::Passed { index: 0, enact_at: ENACT_AT }),
        ]
    );
    assert_eq!(status(&ext, 0), Some(ProposalStatus::Approved { enact_at: ENACT_AT }));
    assert_eq!(reserved(&ext, &alice()), 0);
    assert_eq!(signed(&mut ext, eve(), vote(0, true, 1, 1)), Err(gov_error(Error::VotingClosed)));

    ext.take_events();
    run_to(&mut ext, ENACT_AT - 1);
    assert!(ext.events().is_empty());
    assert_eq!(parameters::get(&ext, Parameter::MaxValidators), 4);
    assert_eq!(Live::get(&ext), Some(vec![0]));

    run_to(&mut ext, ENACT_AT);
    assert_eq!(
        gov_events(&ext),
        vec![
            Event::ParameterChanged { parameter: Parameter::MaxValidators, old: 4, new: 7 },
            Event::Enacted { index: 0 }
        ]
    );
    assert_eq!(parameters::get(&ext, Parameter::MaxValidators), 7);
    assert_eq!(status(&ext, 0), Some(ProposalStatus::Enacted { ok: true }));
    assert_eq!(Live::get(&ext), Some(vec![]));
    let all = crate::proposals(&ext);
    assert_eq!(
        all.iter().map(|(i, p)| (*i, p.status)).collect::<Vec<_>>(),
        vec![(0, ProposalStatus::Enacted { ok: true })]
    );
    // Nothing more happens.
    ext.take_events();
    run_to(&mut ext, ENACT_AT + 10);
    assert!(ext.events().is_empty());
}

#[test]
fn too_little_turnout_is_rejected() {
    // 11_599 < 10 % of 116_000, although every vote is aye.
    let backend = proposed_with_votes(set_max_validators(7), &[(charlie(), true, 6, QUORUM_TURNOUT - 1)]);
    let mut ext = Ext::new(&backend);
    run_to(&mut ext, VOTING_END);
    let ayes = 6 * (QUORUM_TURNOUT - 1);
    assert_eq!(
        events(&ext),
        vec![
            bal(balances::Event::Unreserved { who: alice(), amount: MIN_DEPOSIT }),
            gov(Event::Rejected { index: 0, ayes, nays: 0, turnout: QUORUM_TURNOUT - 1 }),
        ]
    );
    assert_eq!(status(&ext, 0), Some(ProposalStatus::Rejected));
    assert_eq!(Live::get(&ext), Some(vec![]));
    assert_eq!((free(&ext, &alice()), reserved(&ext, &alice())), (ALICE_FREE, 0));
    run_to(&mut ext, ENACT_AT);
    assert_eq!(parameters::get(&ext, Parameter::MaxValidators), 4);
}

#[test]
fn quorum_is_inclusive_and_follows_total_issuance() {
    let backend = proposed_with_votes(set_max_validators(7), &[(charlie(), true, 0, QUORUM_TURNOUT)]);
    let mut ext = Ext::new(&backend);
    run_to(&mut ext, VOTING_END);
    assert_eq!(status(&ext, 0), Some(ProposalStatus::Approved { enact_at: ENACT_AT }));
    // Mint 1_000 more before the tally: the quorum becomes 11_700.
    let mut ext = Ext::new(&backend);
    assert_eq!(balances::deposit_creating::<Test>(&mut ext, &ferdie(), 10 * ED), Ok(()));
    run_to(&mut ext, VOTING_END);
    assert_eq!(status(&ext, 0), Some(ProposalStatus::Rejected));
}

#[test]
fn nays_win_and_a_tie_is_rejected() {
    let nays_win =
        proposed_with_votes(set_max_validators(7), &[(bob(), true, 1, 10_000), (charlie(), false, 1, 15_000)]);
    let mut ext = Ext::new(&nays_win);
    run_to(&mut ext, VOTING_END);
    assert_eq!(gov_events(&ext), vec![Event::Rejected { index: 0, ayes: 10_000, nays: 15_000, turnout: 25_000 }]);
    let tie = proposed_with_votes(set_max_validators(7), &[(bob(), true, 2, 6_000), (charlie(), false, 1, 12_000)]);
    let mut ext = Ext::new(&tie);
    run_to(&mut ext, VOTING_END);
    assert_eq!(gov_events(&ext), vec![Event::Rejected { index: 0, ayes: 12_000, nays: 12_000, turnout: 18_000 }]);
}

#[test]
fn conviction_outweighs_balance() {
    // 30_000 at conviction 0 weighs 3_000; 600 at conviction 6 weighs 3_600.
    let outcome = |nay_conviction: u8| {
        let backend = proposed_with_votes(
            set_max_validators(7),
            &[(charlie(), true, 0, 30_000), (dave(), false, nay_conviction, 600)],
        );
        let mut ext = Ext::new(&backend);
        run_to(&mut ext, VOTING_END);
        (crate::proposal(&ext, 0).map(|p| p.tally), status(&ext, 0))
    };
    let rejected = Some(ProposalStatus::Rejected);
    let approved = Some(ProposalStatus::Approved { enact_at: ENACT_AT });
    assert_eq!(outcome(6), (Some(Tally { ayes: 3_000, nays: 3_600, turnout: 30_600 }), rejected));
    assert_eq!(outcome(5), (Some(Tally { ayes: 3_000, nays: 3_000, turnout: 30_600 }), rejected));
    assert_eq!(outcome(4), (Some(Tally { ayes: 3_000, nays: 2_400, turnout: 30_600 }), approved));
}

#[test]
fn a_changed_vote_is_counted_once_at_the_tally() {
    let backend = proposed_with_votes(set_max_validators(7), &[(charlie(), true, 1, 20_000)]);
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, charlie(), vote(0, false, 1, 20_000)), Ok(()));
    run_to(&mut ext, VOTING_END);
    assert_eq!(gov_events(&ext).last(), Some(&Event::Rejected { index: 0, ayes: 0, nays: 20_000, turnout: 20_000 }));
}

#[test]
fn lock_durations_follow_conviction() {
    let backend = proposed_with_votes(
        set_max_validators(7),
        &[(bob(), true, 0, 1_000), (charlie(), true, 1, 2_000), (dave(), false, 6, 3_000), (eve(), true, 2, 500)],
    );
    let mut ext = Ext::new(&backend);
    let expected = [
        (bob(), VOTING_END),
        (charlie(), VOTING_END + ENACTMENT_DELAY),
        (eve(), VOTING_END + 2 * ENACTMENT_DELAY),
        (dave(), VOTING_END + 32 * ENACTMENT_DELAY),
    ];
    for (who, unlock_at) in expected {
        assert_eq!(crate::locks_of(&ext, &who).first().map(|l| l.2), Some(unlock_at), "{who:?}");
        // One block early: still locked.
        run_to(&mut ext, unlock_at - 1);
        assert_eq!(signed(&mut ext, alice(), Call::unlock { target: who }), Err(gov_error(Error::NothingToUnlock)));
        assert!(vote_lock(&ext, &who).is_some());
        run_to(&mut ext, unlock_at);
        assert_eq!(signed(&mut ext, alice(), Call::unlock { target: who }), Ok(()));
        assert_eq!((vote_lock(&ext, &who), frozen(&ext, &who)), (None, 0), "{who:?}");
    }
}

#[test]
fn enactment_delay_is_read_when_the_vote_is_cast() {
    let backend = proposed_with_votes(set_max_validators(7), &[(bob(), true, 3, 1_000)]);
    let mut ext = Ext::new(&backend);
    assert_eq!(parameters::set(&mut ext, Parameter::EnactmentDelay, 100), Ok(()));
    assert_eq!(crate::locks_of(&ext, &bob()), vec![(0, 1_000, VOTING_END + 4 * ENACTMENT_DELAY)]);
    assert_eq!(signed(&mut ext, charlie(), vote(0, true, 3, 1_000)), Ok(()));
    assert_eq!(crate::locks_of(&ext, &charlie()), vec![(0, 1_000, VOTING_END + 400)]);
}

#[test]
fn treasury_spend_pays_out_of_the_treasury() {
    let spend = Proposal::TreasurySpend { to: ferdie(), amount: 1_000 };
    let backend = proposed_with_votes(spend, &[(charlie(), true, 1, QUORUM_TURNOUT)]);
    let mut ext = Ext::new(&backend);
    run_to(&mut ext, ENACT_AT - 1);
    ext.take_events();
    run_to(&mut ext, ENACT_AT);
    assert_eq!(
        events(&ext),
        vec![
            TestEvent::System(archive_pallet_system::Event::NewAccount { account: ferdie() }),
            bal(balances::Event::Endowed { account: ferdie(), free_balance: 1_000 }),
            bal(balances::Event::Transfer { from: TREASURY, to: ferdie(), amount: 1_000 }),
            gov(Event::Enacted { index: 0 }),
        ]
    );
    assert_eq!((free(&ext, &TREASURY), free(&ext, &ferdie())), (TREASURY_FREE - 1_000, 1_000));
    assert_eq!(balances::total_issuance(&ext), ISSUANCE);
}

#[test]
fn a_spend_the_treasury_cannot_cover_fails_cleanly() {
    let spend = Proposal::TreasurySpend { to: ferdie(), amount: TREASURY_FREE + 1 };
    let backend = proposed_with_votes(spend, &[(charlie(), true, 1, QUORUM_TURNOUT)]);
    let mut ext = Ext::new(&backend);
    run_to(&mut ext, ENACT_AT - 1);
    ext.take_events();
    run_to(&mut ext, ENACT_AT);
    let error = balances_error(balances::Error::InsufficientBalance);
    assert_eq!(events(&ext), vec![gov(Event::EnactmentFailed { index: 0, error })]);
    assert_eq!(status(&ext, 0), Some(ProposalStatus::Enacted { ok: false }));
    assert_eq!(Live::get(&ext), Some(vec![]));
    assert_eq!(free(&ext, &TREASURY), TREASURY_FREE);
    assert!(!archive_pallet_system::storage::Account::contains(&ext, &ferdie()));
}

#[test]
fn a_spend_may_empty_the_treasury() {
    let spend = Proposal::TreasurySpend { to: bob(), amount: TREASURY_FREE };
    let backend = proposed_with_votes(spend, &[(charlie(), true, 1, QUORUM_TURNOUT)]);
    let mut ext = Ext::new(&backend);
    run_to(&mut ext, ENACT_AT);
    assert_eq!(status(&ext, 0), Some(ProposalStatus::Enacted { ok: true }));
    assert_eq!((free(&ext, &TREASURY), free(&ext, &bob())), (0, BOB_FREE + TREASURY_FREE));
}

#[test]
fn roles_are_granted_and_revoked_through_governance() {
    let grant = Proposal::GrantRole { who: dave(), role: Role::Archiver };
    let backend = proposed_with_votes(grant, &[(charlie(), true, 1, QUORUM_TURNOUT)]);
    let mut ext = Ext::new(&backend);
    assert!(!identity::has_role(&ext, &dave(), Role::Archiver));
    run_to(&mut ext, ENACT_AT - 1);
    ext.take_events();
    run_to(&mut ext, ENACT_AT);
    assert_eq!(
        events(&ext),
        vec![
            TestEvent::Identity(identity::Event::RoleGranted { who: dave(), role: Role::Archiver, by: None }),
            gov(Event::Enacted { index: 0 }),
        ]
    );
    assert!(identity::has_role(&ext, &dave(), Role::Archiver));

    let revoke = Proposal::RevokeRole { who: eve(), role: Role::Admin };
    let backend = proposed_with_votes(revoke, &[(charlie(), true, 1, QUORUM_TURNOUT)]);
    let mut ext = Ext::new(&backend);
    run_to(&mut ext, ENACT_AT);
    assert_eq!(status(&ext, 0), Some(ProposalStatus::Enacted { ok: true }));
    assert!(!identity::has_role(&ext, &eve(), Role::Admin));
}

#[test]
fn a_role_change_identity_refuses_is_reported() {
    let revoke = Proposal::RevokeRole { who: dave(), role: Role::Validator };
    let backend = proposed_with_votes(revoke, &[(charlie(), true, 1, QUORUM_TURNOUT)]);
    let mut ext = Ext::new(&backend);
    run_to(&mut ext, ENACT_AT - 1);
    ext.take_events();
    run_to(&mut ext, ENACT_AT);
    let error = identity_error(identity::Error::RoleNotGranted);
    assert_eq!(events(&ext), vec![gov(Event::EnactmentFailed { index: 0, error })]);
    assert_eq!(status(&ext, 0), Some(ProposalStatus::Enacted { ok: false }));
}

#[test]
fn the_hook_processes_live_proposals_in_index_order() {
    // 0 proposed at START, 1 at START + 3, 2 cancelled; 0 and 1 pass.
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(signed(ext, alice(), propose(set_max_validators(7))), Ok(()));
        assert_eq!(signed(ext, charlie(), vote(0, true, 1, QUORUM_TURNOUT)), Ok(()));
        run_to(ext, START + 3);
        assert_eq!(signed(ext, bob(), propose(set_max_validators(9))), Ok(()));
        assert_eq!(signed(ext, bob(), propose(set_max_validators(11))), Ok(()));
        assert_eq!(signed(ext, charlie(), vote(1, true, 1, QUORUM_TURNOUT)), Ok(()));
        assert_eq!(signed(ext, bob(), Call::cancel { index: 2 }), Ok(()));
        ext.take_events();
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(Live::get(&ext), Some(vec![0, 1]));
    let ids: Vec<u32> = crate::proposals(&ext).iter().map(|(i, _)| *i).collect();
    assert_eq!(ids, vec![0, 1, 2], "live first, then the rest");
    run_to(&mut ext, ENACT_AT);
    assert_eq!(parameters::get(&ext, Parameter::MaxValidators), 7);
    assert_eq!(Live::get(&ext), Some(vec![1]));
    assert_eq!(status(&ext, 1), Some(ProposalStatus::Approved { enact_at: ENACT_AT + 3 }));
    let ids: Vec<u32> = crate::proposals(&ext).iter().map(|(i, _)| *i).collect();
    assert_eq!(ids, vec![1, 0, 2]);
    run_to(&mut ext, ENACT_AT + 3);
    assert_eq!(parameters::get(&ext, Parameter::MaxValidators), 9);
    assert_eq!(Live::get(&ext), Some(vec![]));
    assert_eq!(status(&ext, 2), Some(ProposalStatus::Cancelled));
}

#[test]
fn an_idle_hook_writes_nothing() {
    let backend = with_proposal();
    let mut ext = Ext::new(&backend);
    assert_eq!(crate::on_initialize::<Test>(&mut ext, START + 1), crate::weights::on_initialize(1, 0, 0));
    assert!(ext.events().is_empty());
    assert_eq!(ext.into_changes(), vec![]);
    let empty = default_backend();
    let mut ext = Ext::new(&empty);
    assert_eq!(crate::on_initialize::<Test>(&mut ext, START + 1), crate::weights::HOOK_BASE);
    assert_eq!(ext.into_changes(), vec![]);
}
