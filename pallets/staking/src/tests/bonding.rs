//! bond, bond_extra, unbond, withdraw_unbonded, rebond.

use super::*;

// ---- bond ----

#[test]
fn bond_locks_the_value_and_creates_a_ledger() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    ok(&mut ext, nom1(), bond(20_000));
    assert_eq!(events(&ext), vec![st(Event::Bonded { stash: nom1(), amount: 20_000 })]);
    assert_eq!(ledger(&ext, &nom1()), StakingLedger::new(nom1(), 20_000));
    assert_eq!((free(&ext, &nom1()), frozen(&ext, &nom1())), (NOMINATOR_FREE, 20_000));
    assert_eq!(crate::ledger(&ext, &nom1()), Some(StakingLedger::new(nom1(), 20_000)));
    // The bond is locked: only the rest can be transferred.
    let transfer = |value| balances::Call::transfer_allow_death { dest: ethan(), value };
    let locked = ext.transactional(|ext| {
        balances::dispatch::<Test>(ext, RawOrigin::Signed(nom1()), transfer(NOMINATOR_FREE - 20_000 + 1))
    });
    assert!(locked.is_err());
    // Exactly the existential deposit may be bonded, and everything free.
    ok(&mut ext, nom2(), bond(NOMINATOR_FREE));
    ok(&mut ext, poor(), bond(ED));
}

#[test]
fn bond_errors_change_nothing() {
    let backend = default_backend();
    assert_fails(&backend, alith(), bond(1_000), Error::AlreadyBonded);
    assert_fails(&backend, nom1(), bond(ED - 1), Error::InsufficientBond);
    assert_fails(&backend, nom1(), bond(0), Error::InsufficientBond);
    assert_fails(&backend, nom1(), bond(NOMINATOR_FREE + 1), Error::InsufficientBalance);
    assert_fails(&backend, poor(), bond(POOR_FREE + 1), Error::InsufficientBalance);
    assert_fails(&backend, nobody(), bond(ED), Error::InsufficientBalance);
    // Funds locked by another pallet cannot also be bonded.
    let locked = with(|ext| {
        balances::set_lock::<Test>(ext, *b"democrac", &nom1(), 45_000).expect("lock");
    });
    assert_fails(&locked, nom1(), bond(5_001), Error::InsufficientBalance);
    let mut ext = Ext::new(&locked);
    ok(&mut ext, nom1(), bond(5_000));
}

#[test]
fn bond_fails_without_room_for_the_lock() {
    let backend = with(|ext| {
        for id in [*b"lock0001", *b"lock0002", *b"lock0003"] {
            balances::set_lock::<Test>(ext, id, &nom1(), 1).expect("lock");
        }
    });
    let err = archive_support::dispatch::PalletError::into_dispatch(balances::Error::TooManyLocks, BALANCES);
    assert_noop(&backend, RawOrigin::Signed(nom1()), bond(1_000), err);
}

// ---- bond_extra ----

#[test]
fn bond_extra_adds_up_to_the_unlocked_free_balance() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    ok(&mut ext, alith(), Call::bond_extra { max_additional: 5_000 });
    assert_eq!(events(&ext), vec![st(Event::Bonded { stash: alith(), amount: 5_000 })]);
    assert_eq!(ledger(&ext, &alith()), StakingLedger::new(alith(), GENESIS_BOND + 5_000));
    assert_eq!(frozen(&ext, &alith()), GENESIS_BOND + 5_000);
    // More than is free: capped.
    ext.take_events();
    ok(&mut ext, alith(), Call::bond_extra { max_additional: u128::MAX });
    assert_eq!(events(&ext), vec![st(Event::Bonded { stash: alith(), amount: VALIDATOR_FREE - 15_000 })]);
    assert_eq!(ledger(&ext, &alith()).total, VALIDATOR_FREE);
}

#[test]
fn bond_extra_errors_change_nothing() {
    let backend = default_backend();
    assert_fails(&backend, nom1(), Call::bond_extra { max_additional: 1 }, Error::NotBonded);
    let all_bonded = with(|ext| ok(ext, nom1(), bond(NOMINATOR_FREE)));
    assert_fails(&all_bonded, nom1(), Call::bond_extra { max_additional: 1 }, Error::InsufficientBalance);
    assert_fails(&backend, alith(), Call::bond_extra { max_additional: 0 }, Error::InsufficientBalance);
}

// ---- unbond ----

#[test]
fn unbond_schedules_a_chunk_and_keeps_the_lock() {
    let backend = with(|ext| ok(ext, nom1(), bond(20_000)));
    let mut ext = Ext::new(&backend);
    ok(&mut ext, nom1(), unbond(5_000));
    assert_eq!(events(&ext), vec![st(Event::Unbonded { stash: nom1(), amount: 5_000 })]);
    let expected = StakingLedger {
        stash: nom1(),
        total: 20_000,
        active: 15_000,
        unlocking: vec![UnlockChunk { value: 5_000, era: UNBONDING_ERAS }],
    };
    assert_eq!(ledger(&ext, &nom1()), expected);
    assert_eq!(frozen(&ext, &nom1()), 20_000, "still locked while unbonding");
    // Same era: merged into the same chunk.
    ok(&mut ext, nom1(), unbond(1_000));
    assert_eq!(ledger(&ext, &nom1()).unlocking, vec![UnlockChunk { value: 6_000, era: UNBONDING_ERAS }]);
    // A rest below the existential deposit is unbonded too.
    ext.take_events();
    ok(&mut ext, nom1(), unbond(14_000 - ED + 1));
    assert_eq!(events(&ext), vec![st(Event::Unbonded { stash: nom1(), amount: 14_000 })]);
    assert_eq!(ledger(&ext, &nom1()).active, 0);
}

#[test]
fn unbond_in_a_later_era_adds_a_chunk_for_that_era() {
    let backend = with(|ext| {
        ok(ext, nom1(), bond(20_000));
        ok(ext, nom1(), unbond(1_000));
        crate::storage::CurrentEra::put(ext, &3);
    });
    let mut ext = Ext::new(&backend);
    ok(&mut ext, nom1(), unbond(2_000));
    assert_eq!(
        ledger(&ext, &nom1()).unlocking,
        vec![UnlockChunk { value: 1_000, era: UNBONDING_ERAS }, UnlockChunk { value: 2_000, era: 3 + UNBONDING_ERAS }]
    );
}

#[test]
fn unbonding_everything_chills() {
    let backend = with(|ext| {
        ok(ext, nom1(), bond(20_000));
        ok(ext, nom1(), nominate(vec![alith()]));
    });
    let mut ext = Ext::new(&backend);
    ok(&mut ext, nom1(), unbond(20_000));
    assert_eq!(
        events(&ext),
        vec![st(Event::Unbonded { stash: nom1(), amount: 20_000 }), st(Event::Chilled { who: nom1() })]
    );
    assert!(!Nominators::contains(&ext, &nom1()));
    assert_eq!(NominatorList::get_or_default(&ext), vec![]);
    // A candidate too.
    let mut ext = Ext::new(&backend);
    ok(&mut ext, alith(), unbond(GENESIS_BOND));
    assert!(!Validators::contains(&ext, &alith()));
    assert!(!ValidatorList::get_or_default(&ext).contains(&alith()));
    assert_eq!(staking_events(&ext).last(), Some(&Event::Chilled { who: alith() }));
}

#[test]
fn unbond_errors_change_nothing() {
    let backend = default_backend();
    assert_fails(&backend, nom1(), unbond(1), Error::NotBonded);
    assert_fails(&backend, alith(), unbond(0), Error::ZeroAmount);
    assert_fails(&backend, alith(), unbond(GENESIS_BOND + 1), Error::NotEnoughBonded);
    // A candidate cannot go below MinValidatorBond without leaving entirely.
    assert_fails(&backend, alith(), unbond(GENESIS_BOND - MIN_VALIDATOR_BOND + 1), Error::InsufficientBond);
    let mut ext = Ext::new(&backend);
    ok(&mut ext, alith(), unbond(GENESIS_BOND - MIN_VALIDATOR_BOND));
    // A full ledger of chunks.
    let full = with(|ext| {
        let unlocking = (0..32).map(|era| UnlockChunk { value: 10, era: 100 + era }).collect();
        let l = StakingLedger { stash: nom1(), total: 10_320, active: 10_000, unlocking };
        Ledger::insert(ext, &nom1(), &l);
        balances::set_lock::<Test>(ext, crate::STAKING_ID, &nom1(), 10_320).expect("lock");
    });
    assert_fails(&full, nom1(), unbond(1_000), Error::NoMoreChunks);
}

// ---- withdraw_unbonded ----

#[test]
fn withdraw_before_the_unbonding_period_fails() {
    let backend = with(|ext| {
        ok(ext, nom1(), bond(20_000));
        ok(ext, nom1(), unbond(5_000));
    });
    assert_fails(&backend, nom1(), withdraw(), Error::NothingToWithdraw);
    let one_era_later = build_on(&backend, |ext| crate::storage::CurrentEra::put(ext, &(UNBONDING_ERAS - 1)));
    assert_fails(&one_era_later, nom1(), withdraw(), Error::NothingToWithdraw);
    assert_fails(&backend, nom2(), withdraw(), Error::NotBonded);
    assert_fails(&default_backend(), alith(), withdraw(), Error::NothingToWithdraw);
}

#[test]
fn withdraw_releases_due_chunks_and_the_lock() {
    let backend = with(|ext| {
        ok(ext, nom1(), bond(20_000));
        ok(ext, nom1(), unbond(5_000));
        crate::storage::CurrentEra::put(ext, &1);
        ok(ext, nom1(), unbond(3_000));
    });
    // Era 2: the first chunk (era 2) is due, the second (era 3) is not.
    let due = build_on(&backend, |ext| crate::storage::CurrentEra::put(ext, &UNBONDING_ERAS));
    let mut ext = Ext::new(&due);
    ok(&mut ext, nom1(), withdraw());
    assert_eq!(events(&ext), vec![st(Event::Withdrawn { stash: nom1(), amount: 5_000 })]);
    let expected = StakingLedger {
        stash: nom1(),
        total: 15_000,
        active: 12_000,
        unlocking: vec![UnlockChunk { value: 3_000, era: 1 + UNBONDING_ERAS }],
    };
    assert_eq!(ledger(&ext, &nom1()), expected);
    assert_eq!(frozen(&ext, &nom1()), 15_000);
    assert_eq!(free(&ext, &nom1()), NOMINATOR_FREE, "withdrawing only unlocks");
}

#[test]
fn withdrawing_everything_removes_the_ledger_and_the_lock() {
    let backend = with(|ext| {
        ok(ext, nom1(), bond(20_000));
        ok(ext, nom1(), nominate(vec![alith()]));
        ok(ext, nom1(), unbond(20_000));
        crate::storage::CurrentEra::put(ext, &10);
    });
    let mut ext = Ext::new(&backend);
    ok(&mut ext, nom1(), withdraw());
    assert_eq!(events(&ext), vec![st(Event::Withdrawn { stash: nom1(), amount: 20_000 })]);
    assert_eq!(Ledger::get(&ext, &nom1()), None);
    assert_eq!(frozen(&ext, &nom1()), 0);
    assert!(!balances::storage::Locks::contains(&ext, &nom1()));
    // Free to bond again.
    ok(&mut ext, nom1(), bond(1_000));
}

// ---- rebond ----

#[test]
fn rebond_takes_the_newest_chunks_first() {
    let backend = with(|ext| {
        ok(ext, nom1(), bond(20_000));
        ok(ext, nom1(), unbond(5_000));
        crate::storage::CurrentEra::put(ext, &1);
        ok(ext, nom1(), unbond(3_000));
    });
    let mut ext = Ext::new(&backend);
    ok(&mut ext, nom1(), rebond(4_000));
    assert_eq!(events(&ext), vec![st(Event::Bonded { stash: nom1(), amount: 4_000 })]);
    let expected = StakingLedger {
        stash: nom1(),
        total: 20_000,
        active: 16_000,
        unlocking: vec![UnlockChunk { value: 4_000, era: UNBONDING_ERAS }],
    };
    assert_eq!(ledger(&ext, &nom1()), expected);
    // More than is unlocking: everything comes back.
    ext.take_events();
    ok(&mut ext, nom1(), rebond(u128::MAX));
    assert_eq!(events(&ext), vec![st(Event::Bonded { stash: nom1(), amount: 4_000 })]);
    assert_eq!(ledger(&ext, &nom1()), StakingLedger::new(nom1(), 20_000));
    assert_eq!(frozen(&ext, &nom1()), 20_000);
}

#[test]
fn rebond_errors_change_nothing() {
    let backend = default_backend();
    assert_fails(&backend, nom1(), rebond(1), Error::NotBonded);
    assert_fails(&backend, alith(), rebond(1), Error::NoUnlockChunk);
    let unbonded = with(|ext| {
        ok(ext, nom1(), bond(20_000));
        ok(ext, nom1(), unbond(20_000));
    });
    assert_fails(&unbonded, nom1(), rebond(0), Error::ZeroAmount);
    // Back to a bond below the existential deposit.
    assert_fails(&unbonded, nom1(), rebond(ED - 1), Error::InsufficientBond);
}
