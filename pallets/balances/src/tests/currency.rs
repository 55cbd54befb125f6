//! Withdrawals, reserves and locks: the currency functions fees and other pallets use.

use super::*;

// ---- withdraw ----

#[test]
fn withdraw_burns_from_free_balance() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    assert_eq!(crate::withdraw::<Test>(&mut ext, &alice(), 1_000, ExistenceRequirement::KeepAlive), Ok(()));
    assert_eq!(events(&ext), vec![bal(Event::Withdraw { who: alice(), amount: 1_000 })]);
    assert_eq!((free(&ext, &alice()), issuance(&ext)), (ALICE_FREE - 1_000, before - 1_000));
    // AllowDeath below ED: the dust is burned too.
    ext.take_events();
    assert_eq!(crate::withdraw::<Test>(&mut ext, &charlie(), 950, ExistenceRequirement::AllowDeath), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            bal(Event::DustLost { account: charlie(), amount: 50 }),
            sys(system::Event::KilledAccount { account: charlie() }),
            bal(Event::Withdraw { who: charlie(), amount: 950 }),
        ]
    );
    assert_eq!(issuance(&ext), before - 1_000 - CHARLIE_FREE);
    assert_issuance_is_sum(&ext);
}

#[test]
fn withdraw_errors_change_nothing() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(crate::set_lock::<Test>(ext, LOCK_A, &alice(), 9_000), Ok(()));
    });
    let cases = [
        (charlie(), CHARLIE_FREE + 1, ExistenceRequirement::AllowDeath, Error::InsufficientBalance),
        (charlie(), CHARLIE_FREE - ED + 1, ExistenceRequirement::KeepAlive, Error::Expendability),
        (alice(), 1_001, ExistenceRequirement::AllowDeath, Error::LiquidityRestrictions),
    ];
    for (who, amount, req, e) in cases {
        let mut ext = Ext::new(&backend);
        assert_eq!(crate::withdraw::<Test>(&mut ext, &who, amount, req), Err(balances_error(e)));
        assert!(ext.events().is_empty());
        assert_eq!(ext.into_changes(), vec![], "{e:?}");
    }
}

// ---- reserves ----

#[test]
fn reserve_and_unreserve_move_funds_between_free_and_reserved() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    assert_eq!(crate::reserve::<Test>(&mut ext, &alice(), 3_000), Ok(()));
    assert_eq!(events(&ext), vec![bal(Event::Reserved { who: alice(), amount: 3_000 })]);
    assert_eq!((free(&ext, &alice()), crate::reserved_balance(&ext, &alice())), (7_000, 3_000));
    assert_eq!(issuance(&ext), before);
    ext.take_events();
    assert_eq!(crate::unreserve::<Test>(&mut ext, &alice(), 5_000), 2_000, "returns what was not unreserved");
    assert_eq!(events(&ext), vec![bal(Event::Unreserved { who: alice(), amount: 3_000 })]);
    assert_eq!((free(&ext, &alice()), crate::reserved_balance(&ext, &alice())), (ALICE_FREE, 0));
    assert_eq!(issuance(&ext), before);
    // Nothing reserved: nothing happens.
    let mut ext = Ext::new(&backend);
    assert_eq!(crate::unreserve::<Test>(&mut ext, &alice(), 10), 10);
    assert!(ext.events().is_empty());
    assert_eq!(ext.into_changes(), vec![]);
}

#[test]
fn reserve_beyond_usable_balance_fails_without_changes() {
    let locked = build_on(&default_backend(), |ext| {
        assert_eq!(crate::set_lock::<Test>(ext, LOCK_A, &alice(), 9_000), Ok(()));
    });
    for (backend, amount) in [(default_backend(), ALICE_FREE + 1), (locked, 1_001)] {
        let mut ext = Ext::new(&backend);
        assert_eq!(crate::reserve::<Test>(&mut ext, &alice(), amount), Err(balances_error(Error::InsufficientBalance)));
        assert!(ext.events().is_empty());
        assert_eq!(ext.into_changes(), vec![]);
    }
}

#[test]
fn slash_reserved_burns_reserved_funds() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(crate::reserve::<Test>(ext, &alice(), 3_000), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    assert_eq!(crate::slash_reserved::<Test>(&mut ext, &alice(), 5_000), 3_000);
    assert_eq!(events(&ext), vec![bal(Event::Slashed { who: alice(), amount: 3_000 })]);
    let a = info(&ext, &alice()).data;
    assert_eq!((a.free, a.reserved, issuance(&ext)), (7_000, 0, before - 3_000));
    assert_issuance_is_sum(&ext);
    // Nothing left to slash.
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(crate::slash_reserved::<Test>(&mut ext, &alice(), 5), 0);
    assert!(ext.events().is_empty());
}

#[test]
fn slash_reserved_reaps_an_account_left_below_ed() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(crate::reserve::<Test>(ext, &charlie(), 950), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    assert_eq!(crate::slash_reserved::<Test>(&mut ext, &charlie(), 950), 950);
    assert_eq!(
        events(&ext),
        vec![
            bal(Event::DustLost { account: charlie(), amount: 50 }),
            sys(system::Event::KilledAccount { account: charlie() }),
            bal(Event::Slashed { who: charlie(), amount: 950 }),
        ]
    );
    assert!(!system::storage::Account::contains(&ext, &charlie()));
    assert_eq!(issuance(&ext), before - CHARLIE_FREE);
    assert_issuance_is_sum(&ext);
}

// ---- locks ----

fn locks(ext: &Ext<'_>, who: &AccountId20) -> Vec<([u8; 8], u128)> {
    Locks::get_or_default(ext, who).into_iter().map(|l| (l.id, l.amount)).collect()
}

#[test]
fn frozen_follows_the_largest_lock() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    let frozen = |ext: &Ext<'_>| info(ext, &alice()).data.frozen;
    assert_eq!(crate::set_lock::<Test>(&mut ext, LOCK_A, &alice(), 3_000), Ok(()));
    assert_eq!(frozen(&ext), 3_000);
    assert_eq!(crate::set_lock::<Test>(&mut ext, LOCK_B, &alice(), 5_000), Ok(()));
    assert_eq!(frozen(&ext), 5_000);
    assert_eq!(crate::set_lock::<Test>(&mut ext, LOCK_A, &alice(), 6_000), Ok(()), "same id replaces");
    assert_eq!(frozen(&ext), 6_000);
    assert_eq!(locks(&ext, &alice()), vec![(LOCK_A, 6_000), (LOCK_B, 5_000)]);
    assert_eq!(
        Locks::get(&ext, &alice()).expect("locks stored")[0],
        BalanceLock { id: LOCK_A, amount: 6_000, reasons: 1 }
    );
    assert_eq!(crate::usable_balance(&ext, &alice()), ALICE_FREE - 6_000);
    crate::remove_lock::<Test>(&mut ext, LOCK_A, &alice());
    assert_eq!((frozen(&ext), locks(&ext, &alice())), (5_000, vec![(LOCK_B, 5_000)]));
    crate::remove_lock::<Test>(&mut ext, LOCK_B, &alice());
    assert_eq!(frozen(&ext), 0);
    assert!(!Locks::contains(&ext, &alice()), "an empty lock list is deleted");
    assert!(ext.events().is_empty(), "locks emit no events");
    assert_eq!(free(&ext, &alice()), ALICE_FREE);
}

#[test]
fn too_many_locks_fails_without_changes() {
    let backend = build_on(&default_backend(), |ext| {
        for id in [LOCK_A, LOCK_B, LOCK_C] {
            assert_eq!(crate::set_lock::<Test>(ext, id, &alice(), 1_000), Ok(()));
        }
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(crate::set_lock::<Test>(&mut ext, LOCK_D, &alice(), 9_000), Err(balances_error(Error::TooManyLocks)));
    assert!(ext.events().is_empty());
    assert_eq!(ext.into_changes(), vec![]);
    // Updating an existing lock is still allowed at the limit.
    let mut ext = Ext::new(&backend);
    assert_eq!(crate::set_lock::<Test>(&mut ext, LOCK_C, &alice(), 2_000), Ok(()));
    assert_eq!(info(&ext, &alice()).data.frozen, 2_000);
}

#[test]
fn locked_funds_cannot_be_transferred() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(crate::set_lock::<Test>(ext, LOCK_A, &alice(), 9_000), Ok(()));
    });
    let liquidity = balances_error(Error::LiquidityRestrictions);
    assert_noop(&backend, RawOrigin::Signed(alice()), transfer(bob(), 1_001), liquidity);
    assert_noop(&backend, RawOrigin::Signed(alice()), keep_alive(bob(), 1_001), liquidity);
    // More than free at all is InsufficientBalance, not a liquidity problem.
    let insufficient = balances_error(Error::InsufficientBalance);
    assert_noop(&backend, RawOrigin::Signed(alice()), transfer(bob(), ALICE_FREE + 1), insufficient);
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), transfer(bob(), 1_000)), Ok(()));
    assert_eq!(free(&ext, &alice()), 9_000);
}
