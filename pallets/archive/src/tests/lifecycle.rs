//! Whole life cycles: request → submission → k attestations → decision, with the bounty,
//! attestation rewards, total issuance, statistics and quality.

use super::*;
use crate::storage::{OpenRequests, PendingRecords};
use archive_pallet_staking::ArchiveStats;

const EXPIRES: u32 = START + REQUEST_EXPIRY;

fn status(ext: &Ext<'_>, byte: u8) -> Option<RecordStatus> {
    crate::record(ext, &hash(byte)).map(|r| r.status)
}

#[test]
fn full_life_cycle_verifies_pays_the_bounty_and_mints_rewards() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), request(URL, 500)), Ok(()));
    run_to(&mut ext, 3);
    assert_eq!(signed(&mut ext, bob(), submit(1, Some(0))), Ok(()));
    run_to(&mut ext, 4);
    assert_eq!(signed(&mut ext, charlie(), attest(1, true)), Ok(()));
    assert_eq!(signed(&mut ext, dave(), attest(1, true)), Ok(()));
    assert_eq!(status(&ext, 1), Some(RecordStatus::Pending));
    ext.take_events();

    // The k-th agreeing attestation decides.
    assert_eq!(signed(&mut ext, eve(), attest(1, true)), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            arc(Event::Attested { content_hash: hash(1), attester: eve(), verdict: true }),
            bal(balances::Event::Deposit { who: charlie(), amount: REWARD }),
            bal(balances::Event::Deposit { who: dave(), amount: REWARD }),
            bal(balances::Event::Deposit { who: eve(), amount: REWARD }),
            bal(balances::Event::Unreserved { who: alice(), amount: 500 }),
            bal(balances::Event::Transfer { from: alice(), to: bob(), amount: 500 }),
            arc(Event::ArchiveVerified {
                content_hash: hash(1),
                archiver: bob(),
                attesters: vec![charlie(), dave(), eve()]
            }),
            arc(Event::BountyPaid { request: 0, archiver: bob(), amount: 500 }),
        ]
    );
    let record = crate::record(&ext, &hash(1)).expect("recorded");
    assert_eq!((record.attestations_ok, record.attestations_bad, record.status), (3, 0, RecordStatus::Verified));
    assert_eq!((record.block, record.request), (3, Some(0)));
    let req = crate::request(&ext, 0).expect("a fulfilled request is kept");
    assert_eq!(req.fulfilled_by, Some(hash(1)));
    assert_eq!(OpenRequests::get(&ext), Some(vec![]));
    assert_eq!(PendingRecords::get(&ext), Some(vec![]));

    // Balances: the bounty moved, the rewards were minted.
    assert_eq!((free(&ext, &alice()), reserved(&ext, &alice())), (ALICE_FREE - 500, 0));
    assert_eq!(free(&ext, &bob()), BOB_FREE + 500);
    assert_eq!(free(&ext, &charlie()), CHARLIE_FREE + REWARD);
    assert_eq!(free(&ext, &dave()), DAVE_FREE + REWARD);
    assert_eq!(free(&ext, &eve()), EVE_FREE + REWARD);
    assert_eq!(balances::total_issuance(&ext), ISSUANCE + 3 * REWARD, "only the rewards are new money");

    // Statistics, and what staking sees.
    let expected = ArchiverStats { submitted: 1, verified: 1, rejected: 0, attestations: 3, agreeing: 3 };
    assert_eq!(crate::stats(&ext, &bob()), expected);
    assert_eq!(crate::ArchiveStatsProvider::stats(&ext, &bob()), (1, Perbill::one()));
    assert_eq!(crate::ArchiveStatsProvider::stats(&ext, &charlie()), (0, Perbill::zero()));

    // The request is closed; nothing happens at its expiry.
    let done = apply(&backend, ext.into_changes());
    assert_signed_noop(&done, alice(), Call::cancel_request { id: 0 }, Error::RequestClosed);
    let mut ext = Ext::new(&done);
    run_to(&mut ext, EXPIRES + 1);
    assert_eq!(events(&ext), vec![]);
    assert_eq!(crate::request(&ext, 0).and_then(|r| r.fulfilled_by), Some(hash(1)));
}

#[test]
fn dissent_lowers_quality_and_earns_nothing() {
    let backend = attested(&with_submission(), 1, &[(charlie(), true), (dave(), false), (eve(), true)]);
    let mut ext = Ext::new(&backend);
    // Grace has no account and the reward is below the existential deposit: she is not paid.
    assert_eq!(signed(&mut ext, grace(), attest(1, true)), Ok(()));
    assert_eq!(
        archive_events(&ext),
        vec![
            Event::Attested { content_hash: hash(1), attester: grace(), verdict: true },
            Event::ArchiveVerified {
                content_hash: hash(1),
                archiver: bob(),
                attesters: vec![charlie(), eve(), grace()]
            },
            Event::BountyPaid { request: 0, archiver: bob(), amount: 500 },
        ]
    );
    assert_eq!(free(&ext, &dave()), DAVE_FREE, "the dissenter is not rewarded");
    assert_eq!(free(&ext, &grace()), 0);
    assert!(!archive_pallet_system::storage::Account::contains(&ext, &grace()));
    assert_eq!(balances::total_issuance(&ext), ISSUANCE + 2 * REWARD);
    let expected = ArchiverStats { submitted: 1, verified: 1, rejected: 0, attestations: 4, agreeing: 3 };
    assert_eq!(crate::stats(&ext, &bob()), expected);
    assert_eq!(crate::ArchiveStatsProvider::stats(&ext, &bob()), (1, Perbill::from_parts(750_000_000)));
}

#[test]
fn rejection_pays_no_bounty_and_rewards_the_rejecting_side() {
    let backend =
        attested(&with_submission(), 1, &[(charlie(), true), (dave(), false), (grace(), true), (eve(), false)]);
    let extra = account(8);
    let backend = build_on(&backend, |ext| {
        assert_eq!(
            archive_pallet_identity::grant_role::<Test>(ext, &extra, archive_pallet_identity::Role::Validator, None),
            Ok(())
        );
        assert_eq!(balances::deposit_creating::<Test>(ext, &extra, 1_000), Ok(()));
        ext.take_events();
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, extra, attest(1, false)), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            arc(Event::Attested { content_hash: hash(1), attester: extra, verdict: false }),
            bal(balances::Event::Deposit { who: dave(), amount: REWARD }),
            bal(balances::Event::Deposit { who: eve(), amount: REWARD }),
            bal(balances::Event::Deposit { who: extra, amount: REWARD }),
            arc(Event::ArchiveRejected {
                content_hash: hash(1),
                archiver: bob(),
                attesters: vec![dave(), eve(), extra]
            }),
        ]
    );
    assert_eq!(status(&ext, 1), Some(RecordStatus::Rejected));
    assert_eq!(free(&ext, &charlie()), CHARLIE_FREE);
    // The request stays open with its bounty reserved.
    assert_eq!(reserved(&ext, &alice()), 500);
    assert_eq!(crate::request(&ext, 0).and_then(|r| r.fulfilled_by), None);
    assert_eq!(OpenRequests::get(&ext), Some(vec![(0, EXPIRES)]));
    assert_eq!(PendingRecords::get(&ext), Some(vec![]));
    assert_eq!(balances::total_issuance(&ext), ISSUANCE + 1_000 + 3 * REWARD);
    let expected = ArchiverStats { submitted: 1, verified: 0, rejected: 1, attestations: 5, agreeing: 2 };
    assert_eq!(crate::stats(&ext, &bob()), expected);
    assert_eq!(crate::ArchiveStatsProvider::stats(&ext, &bob()), (0, Perbill::from_parts(400_000_000)));
    // Another archiver may still fulfil it.
    assert_eq!(signed(&mut ext, charlie(), submit(2, Some(0))), Ok(()));
}

#[test]
fn quality_accumulates_over_decided_records() {
    let other = b"https://example.org/other";
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(signed(ext, bob(), submit(1, None)), Ok(()));
        assert_eq!(signed(ext, bob(), submit_url(other, 2, None)), Ok(()));
        assert_eq!(signed(ext, bob(), submit_url(other, 3, None)), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    for (who, verdict) in [(charlie(), true), (dave(), true), (eve(), true)] {
        assert_eq!(signed(&mut ext, who, attest(1, verdict)), Ok(()));
    }
    for (who, verdict) in [(charlie(), true), (dave(), false), (eve(), false), (grace(), false)] {
        assert_eq!(signed(&mut ext, who, attest(2, verdict)), Ok(()));
    }
    // Record 3 is pending with one attestation: it does not count yet.
    assert_eq!(signed(&mut ext, charlie(), attest(3, false)), Ok(()));
    let expected = ArchiverStats { submitted: 3, verified: 1, rejected: 1, attestations: 7, agreeing: 4 };
    assert_eq!(crate::stats(&ext, &bob()), expected);
    assert_eq!(expected.pending(), 1);
    // 4 / 7, rounded down.
    assert_eq!(crate::ArchiveStatsProvider::stats(&ext, &bob()), (1, Perbill::from_parts(571_428_571)));
    assert_eq!(<crate::ArchiveStatsProvider as ArchiveStats>::stats(&ext, &ferdie()), (0, Perbill::zero()));
}

#[test]
fn a_record_verified_after_its_request_expired_earns_no_bounty() {
    let backend = build_on(&with_submission(), |ext| run_to(ext, EXPIRES));
    let mut ext = Ext::new(&backend);
    assert_eq!(crate::request(&ext, 0), None);
    assert_eq!(reserved(&ext, &alice()), 0);
    for who in [charlie(), dave(), eve()] {
        assert_eq!(signed(&mut ext, who, attest(1, true)), Ok(()));
    }
    assert_eq!(status(&ext, 1), Some(RecordStatus::Verified));
    assert!(!archive_events(&ext).iter().any(|e| matches!(e, Event::BountyPaid { .. })));
    assert_eq!((free(&ext, &alice()), free(&ext, &bob())), (ALICE_FREE, BOB_FREE));
    assert_eq!(balances::total_issuance(&ext), ISSUANCE + 3 * REWARD);
}

#[test]
fn a_record_verified_past_expiry_before_the_hook_earns_no_bounty() {
    // More expiries than the hook handles in one block would leave request 0 stored past
    // `expires`; simulate it by not running the hook.
    let backend = build_on(&with_submission(), |ext| {
        archive_pallet_system::storage::Number::put(ext, &EXPIRES);
    });
    let backend = attested(&backend, 1, &[(charlie(), true), (dave(), true), (eve(), true)]);
    let mut ext = Ext::new(&backend);
    assert_eq!(crate::request(&ext, 0).and_then(|r| r.fulfilled_by), None);
    assert_eq!(reserved(&ext, &alice()), 500);
    assert_eq!(free(&ext, &bob()), BOB_FREE);
    run_to(&mut ext, EXPIRES + 1);
    assert_eq!(archive_events(&ext), vec![Event::RequestExpired { id: 0, requester: alice(), bounty: 500 }]);
}

#[test]
fn only_the_first_verified_claim_is_paid() {
    let backend = build_on(&with_submission(), |ext| {
        assert_eq!(signed(ext, charlie(), submit(2, Some(0))), Ok(()));
        ext.take_events();
    });
    let mut ext = Ext::new(&backend);
    // The later submission is verified first.
    for who in [bob(), dave(), eve()] {
        assert_eq!(signed(&mut ext, who, attest(2, true)), Ok(()));
    }
    assert_eq!(free(&ext, &charlie()), CHARLIE_FREE + 500);
    assert_eq!(crate::request(&ext, 0).and_then(|r| r.fulfilled_by), Some(hash(2)));
    ext.take_events();
    for who in [charlie(), dave(), eve()] {
        assert_eq!(signed(&mut ext, who, attest(1, true)), Ok(()));
    }
    assert_eq!(status(&ext, 1), Some(RecordStatus::Verified));
    assert!(!archive_events(&ext).iter().any(|e| matches!(e, Event::BountyPaid { .. })));
    assert_eq!(free(&ext, &bob()), BOB_FREE + REWARD, "bob earned his attestation reward only");
    assert_eq!(crate::request(&ext, 0).and_then(|r| r.fulfilled_by), Some(hash(2)));
}

#[test]
fn a_bounty_blocked_by_locks_is_repatriated_instead() {
    // Alice's locks exceed her free balance (only a slash can cause this), so she cannot
    // transfer even after unreserving: the reserve is slashed to Bob instead.
    let backend = build_on(&with_submission(), |ext| {
        assert_eq!(balances::set_lock::<Test>(ext, *b"staking ", &alice(), ALICE_FREE), Ok(()));
        ext.take_events();
    });
    let backend = attested(&backend, 1, &[(charlie(), true), (dave(), true)]);
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, eve(), attest(1, true)), Ok(()));
    let bounty_events: Vec<TestEvent> = events(&ext)
        .into_iter()
        .filter(|e| !matches!(e, TestEvent::Balances(balances::Event::Deposit { amount: REWARD, .. })))
        .collect();
    assert_eq!(
        bounty_events,
        vec![
            arc(Event::Attested { content_hash: hash(1), attester: eve(), verdict: true }),
            bal(balances::Event::Slashed { who: alice(), amount: 500 }),
            bal(balances::Event::Deposit { who: bob(), amount: 500 }),
            arc(Event::ArchiveVerified {
                content_hash: hash(1),
                archiver: bob(),
                attesters: vec![charlie(), dave(), eve()]
            }),
            arc(Event::BountyPaid { request: 0, archiver: bob(), amount: 500 }),
        ]
    );
    assert_eq!((free(&ext, &alice()), reserved(&ext, &alice())), (ALICE_FREE - 500, 0));
    assert_eq!(free(&ext, &bob()), BOB_FREE + 500);
    assert_eq!(balances::total_issuance(&ext), ISSUANCE + 3 * REWARD, "repatriated, not burned or minted");
}

#[test]
fn a_zero_bounty_request_is_fulfilled_without_payment() {
    let backend = build_on(&default_backend(), |ext| {
        set_param(ext, archive_pallet_parameters::Parameter::MinBounty, 0);
        set_param(ext, archive_pallet_parameters::Parameter::AttestationReward, 0);
        assert_eq!(signed(ext, alice(), request(URL, 0)), Ok(()));
        assert_eq!(signed(ext, bob(), submit(1, Some(0))), Ok(()));
        ext.take_events();
    });
    let backend = attested(&backend, 1, &[(charlie(), true), (dave(), true)]);
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, eve(), attest(1, true)), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            arc(Event::Attested { content_hash: hash(1), attester: eve(), verdict: true }),
            arc(Event::ArchiveVerified {
                content_hash: hash(1),
                archiver: bob(),
                attesters: vec![charlie(), dave(), eve()]
            }),
            arc(Event::BountyPaid { request: 0, archiver: bob(), amount: 0 }),
        ]
    );
    assert_eq!(balances::total_issuance(&ext), ISSUANCE);
    assert_eq!(crate::request(&ext, 0).and_then(|r| r.fulfilled_by), Some(hash(1)));
}
