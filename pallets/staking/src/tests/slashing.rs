//! report_equivocation with evidence signed by real dev keys.

use archive_consensus::{Equivocation, SignedVote, SlotPreDigest, Stage, Vote, ENGINE_ID};
use archive_pallet_parameters::TREASURY;
use archive_primitives::{Digest, DigestItem, Header, Pair, H256};
use parity_scale_codec::Encode;

use super::*;
use crate::{
    storage::{CurrentEra, ErasValidators, Reported, Slashes},
    OffenceKind, SlashRecord,
};

/// A header for `slot` claimed and sealed by `pair` as `archive-client` seals them; `salt`
/// varies the state root so one slot can get different headers.
fn sealed_header(pair: &Pair, slot: u64, salt: u8) -> Header {
    let claim = SlotPreDigest { slot, author: pair.account() };
    let mut header = Header {
        parent_hash: H256([1; 32]),
        number: 3,
        state_root: H256([salt; 32]),
        extrinsics_root: H256::zero(),
        digest: Digest { logs: vec![DigestItem::PreRuntime(ENGINE_ID, claim.encode())] },
    };
    let seal = pair.sign_prehashed(&header.hash().0);
    header.digest.logs.push(DigestItem::Seal(ENGINE_ID, seal.0.to_vec()));
    header
}

/// A slot of `who` in `set` (`set[slot % n] == who`).
fn slot_of(set: &[AccountId20], who: AccountId20) -> u64 {
    let i = set.iter().position(|v| *v == who).expect("in the set") as u64;
    10 * set.len() as u64 + i
}

/// Two different headers sealed by `name` for its slot in the genesis set.
fn block_evidence(name: &str) -> Equivocation {
    let pair = pair(name);
    let slot = slot_of(&genesis_set(), pair.account());
    Equivocation::Block {
        author: pair.account(),
        slot,
        first: sealed_header(&pair, slot, 0),
        second: sealed_header(&pair, slot, 1),
    }
}

/// Two different votes by `name` in `round`, signed for `genesis`.
fn vote_evidence(name: &str, round: u64, genesis: &H256) -> Equivocation {
    let pair = pair(name);
    let vote = |n: u8| Vote { target_hash: H256([n; 32]), target_number: 1, round, stage: Stage::Precommit };
    Equivocation::Vote {
        voter: pair.account(),
        round,
        first: SignedVote::sign(vote(1), &pair, genesis),
        second: SignedVote::sign(vote(2), &pair, genesis),
    }
}

fn report(evidence: Equivocation) -> Call {
    Call::report_equivocation { evidence: Box::new(evidence) }
}

/// Era 1 with nom1 (20_000) behind baltathar.
fn era_one_with_nominator() -> MemoryBackend {
    with(|ext| {
        ok(ext, nom1(), bond(20_000));
        ok(ext, nom1(), nominate(vec![baltathar()]));
        run_to_era(ext, 1, &[]);
        ext.take_events();
    })
}

#[test]
fn block_equivocation_slashes_offender_and_nominators_and_pays_reporter_and_treasury() {
    let backend = era_one_with_nominator();
    let mut ext = Ext::new(&backend);
    let before = (issuance(&ext), free(&ext, &baltathar()), free(&ext, &nom1()), free(&ext, &ethan()));
    assert_eq!(free(&ext, &TREASURY), 0);
    let evidence = block_evidence("baltathar");
    let slot = slot_of(&genesis_set(), baltathar());
    ok(&mut ext, ethan(), report(evidence));
    // 10 % of baltathar's 10_000 and of nom1's 20_000 exposure; 10 % of 3_000 to the reporter.
    assert_eq!(
        staking_events(&ext),
        vec![
            Event::OffenceReported { offender: baltathar(), kind: OffenceKind::BlockEquivocation, reporter: ethan() },
            Event::Slashed { who: baltathar(), amount: 1_000 },
            Event::Slashed { who: nom1(), amount: 2_000 },
            Event::Chilled { who: baltathar() },
            Event::Rewarded { stash: ethan(), amount: 300 },
        ]
    );
    assert!(events(&ext).contains(&bal(balances::Event::Slashed { who: baltathar(), amount: 1_000 })));
    assert!(events(&ext).contains(&bal(balances::Event::Deposit { who: TREASURY, amount: 2_700 })));
    assert_eq!(ledger(&ext, &baltathar()), StakingLedger::new(baltathar(), 9_000));
    assert_eq!(ledger(&ext, &nom1()), StakingLedger::new(nom1(), 18_000));
    assert_eq!((frozen(&ext, &baltathar()), frozen(&ext, &nom1())), (9_000, 18_000));
    assert_eq!(
        (free(&ext, &baltathar()), free(&ext, &nom1()), free(&ext, &ethan()), free(&ext, &TREASURY)),
        (before.1 - 1_000, before.2 - 2_000, before.3 + 300, 2_700)
    );
    assert_eq!(issuance(&ext), before.0, "burned and re-minted");
    assert_issuance_is_sum(&ext);
    // Out of the set at once, and no longer a candidate.
    assert_eq!(session::validators(&ext), sorted(vec![alith(), charleth()]));
    assert!(!Validators::contains(&ext, &baltathar()));
    let record = |amount| SlashRecord { era: 1, amount, reporter: ethan(), kind: OffenceKind::BlockEquivocation };
    assert_eq!(Slashes::get(&ext, &baltathar()), Some(vec![record(1_000)]));
    assert_eq!(Slashes::get(&ext, &nom1()), Some(vec![record(2_000)]));
    assert_eq!(Reported::get(&ext, &(OffenceKind::BlockEquivocation, baltathar(), slot)), Some(1));
    // It forfeits its era reward and is not re-elected.
    run_to_era(&mut ext, 2, &[]);
    let paid_to = |who: AccountId20| {
        staking_events(&ext).iter().any(|e| matches!(e, Event::Rewarded { stash, .. } if *stash == who))
    };
    assert!(!paid_to(baltathar()) && !paid_to(nom1()), "no block or era reward");
    assert!(paid_to(alith()));
    assert_eq!(session::validators(&ext), sorted(vec![alith(), charleth()]));
}

#[test]
fn the_same_offence_cannot_be_reported_twice() {
    let backend = build_on(&era_one_with_nominator(), |ext| ok(ext, ethan(), report(block_evidence("baltathar"))));
    assert_fails(&backend, ethan(), report(block_evidence("baltathar")), Error::DuplicateReport);
    assert_fails(&backend, nom2(), report(block_evidence("baltathar")), Error::DuplicateReport);
    // Other headers for the same slot are the same offence.
    let pair = pair("baltathar");
    let slot = slot_of(&genesis_set(), baltathar());
    let other = Equivocation::Block {
        author: baltathar(),
        slot,
        first: sealed_header(&pair, slot, 5),
        second: sealed_header(&pair, slot, 6),
    };
    assert_fails(&backend, ethan(), report(other), Error::DuplicateReport);
    // Another slot is another offence.
    let later = slot + 3;
    let next = Equivocation::Block {
        author: baltathar(),
        slot: later,
        first: sealed_header(&pair, later, 0),
        second: sealed_header(&pair, later, 1),
    };
    let mut ext = Ext::new(&backend);
    ok(&mut ext, ethan(), report(next));
}

#[test]
fn forged_or_foreign_evidence_is_refused() {
    let backend = era_one_with_nominator();
    let invalid = |evidence| assert_fails(&backend, ethan(), report(evidence), Error::InvalidEvidence);
    // A bad seal.
    let Equivocation::Block { author, slot, first, mut second } = block_evidence("baltathar") else { unreachable!() };
    if let Some(DigestItem::Seal(_, sig)) = second.digest.logs.last_mut() {
        sig[10] ^= 1;
    }
    invalid(Equivocation::Block { author, slot, first: first.clone(), second });
    // A header claimed for baltathar but sealed by someone else.
    let slot = slot_of(&genesis_set(), baltathar());
    let mut impostor = sealed_header(&pair("ethan"), slot, 1);
    impostor.digest.logs[0] = DigestItem::PreRuntime(ENGINE_ID, SlotPreDigest { slot, author: baltathar() }.encode());
    invalid(Equivocation::Block { author: baltathar(), slot, first: first.clone(), second: impostor });
    // The same header twice.
    invalid(Equivocation::Block { author: baltathar(), slot, first: first.clone(), second: first });
    // Votes signed for another chain.
    invalid(vote_evidence("charleth", 4, &H256([8; 32])));
    // Someone who was never a validator.
    invalid(vote_evidence("dorothy", 4, &GENESIS_HASH));
    // Without block 0's hash nothing can be checked.
    let no_genesis = build_on(&backend, |ext| archive_pallet_system::storage::BlockHash::remove(ext, &0));
    assert_fails(&no_genesis, ethan(), report(vote_evidence("charleth", 4, &GENESIS_HASH)), Error::InvalidEvidence);
}

#[test]
fn a_validator_cannot_report_itself() {
    assert_fails(&era_one_with_nominator(), baltathar(), report(block_evidence("baltathar")), Error::SelfReport);
}

#[test]
fn vote_equivocation_is_slashed_too() {
    let backend = era_one_with_nominator();
    let mut ext = Ext::new(&backend);
    ok(&mut ext, nom2(), report(vote_evidence("charleth", 7, &GENESIS_HASH)));
    assert_eq!(
        staking_events(&ext),
        vec![
            Event::OffenceReported { offender: charleth(), kind: OffenceKind::VoteEquivocation, reporter: nom2() },
            Event::Slashed { who: charleth(), amount: 1_000 },
            Event::Chilled { who: charleth() },
            Event::Rewarded { stash: nom2(), amount: 100 },
        ]
    );
    assert_eq!(Reported::get(&ext, &(OffenceKind::VoteEquivocation, charleth(), 7)), Some(1));
    assert_issuance_is_sum(&ext);
    // Reporting it again is a duplicate.
    assert_fails(
        &apply(&backend, ext.into_changes()),
        nom2(),
        report(vote_evidence("charleth", 7, &GENESIS_HASH)),
        Error::DuplicateReport,
    );
}

#[test]
fn slashes_take_the_active_bond_first_then_unlocking_chunks() {
    let backend = build_on(&era_one_with_nominator(), |ext| ok(ext, nom1(), unbond(19_000)));
    let mut ext = Ext::new(&backend);
    ok(&mut ext, ethan(), report(block_evidence("baltathar")));
    // nom1's exposure is still 20_000: 2_000 = its 1_000 active + 1_000 of the chunk.
    let expected = StakingLedger {
        stash: nom1(),
        total: 18_000,
        active: 0,
        unlocking: vec![UnlockChunk { value: 18_000, era: 1 + UNBONDING_ERAS }],
    };
    assert_eq!(ledger(&ext, &nom1()), expected);
    assert_eq!(frozen(&ext, &nom1()), 18_000);
    assert_issuance_is_sum(&ext);
}

#[test]
fn the_last_validator_stays_in_the_set() {
    let backend = with(|ext| {
        session::set_validators(ext, &[baltathar()]);
        ErasValidators::insert(ext, &0, &vec![baltathar()]);
    });
    let mut ext = Ext::new(&backend);
    let pair = pair("baltathar");
    let evidence = Equivocation::Block {
        author: baltathar(),
        slot: 9,
        first: sealed_header(&pair, 9, 0),
        second: sealed_header(&pair, 9, 1),
    };
    ok(&mut ext, ethan(), report(evidence));
    assert!(staking_events(&ext).contains(&Event::Chilled { who: baltathar() }));
    assert_eq!(session::validators(&ext), vec![baltathar()]);
}

#[test]
fn evidence_is_accepted_for_history_depth_eras() {
    // Dorothy validated only in era 0.
    let setup = |current: u32| {
        with(|ext| {
            ErasValidators::insert(ext, &0, &vec![dorothy()]);
            CurrentEra::put(ext, &current);
        })
    };
    let evidence = || report(vote_evidence("dorothy", 2, &GENESIS_HASH));
    let recent = setup(crate::HISTORY_DEPTH - 1);
    let mut ext = Ext::new(&recent);
    ok(&mut ext, ethan(), evidence());
    assert_fails(&setup(crate::HISTORY_DEPTH), ethan(), evidence(), Error::InvalidEvidence);
}

#[test]
fn fully_slashed_bonds_are_removed() {
    let backend = with(|ext| {
        archive_pallet_parameters::set(ext, archive_pallet_parameters::Parameter::SlashFraction, 1_000_000_000)
            .expect("in range");
    });
    let mut ext = Ext::new(&backend);
    ok(&mut ext, ethan(), report(block_evidence("alith")));
    assert_eq!(Ledger::get(&ext, &alith()), None);
    assert_eq!(frozen(&ext, &alith()), 0);
    assert_eq!(free(&ext, &alith()), VALIDATOR_FREE - GENESIS_BOND);
    assert_eq!(free(&ext, &ethan()), REPORTER_FREE + GENESIS_BOND / 10);
    assert_issuance_is_sum(&ext);
}
