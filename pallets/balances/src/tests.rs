//! Tests of the balances pallet: calls, errors, events, issuance, reserves and locks, and the
//! wire encodings of calls, events and errors.

use archive_pallet_system::{self as system};
use archive_primitives::AccountId20;
use archive_support::{ArithmeticError, DispatchError, Ext, RawOrigin};
use parity_scale_codec::{Decode, Encode};

use crate::{
    mock::*,
    storage::{BalanceLock, Locks},
    Call, Error, Event, ExistenceRequirement,
};

const LOCK_A: [u8; 8] = *b"staking ";
const LOCK_B: [u8; 8] = *b"democrac";
const LOCK_C: [u8; 8] = *b"vesting ";
const LOCK_D: [u8; 8] = *b"election";

fn transfer(dest: AccountId20, value: u128) -> Call {
    Call::transfer_allow_death { dest, value }
}
fn keep_alive(dest: AccountId20, value: u128) -> Call {
    Call::transfer_keep_alive { dest, value }
}
fn sys(e: system::Event) -> TestEvent {
    TestEvent::System(e)
}
fn bal(e: Event) -> TestEvent {
    TestEvent::Balances(e)
}
fn account_key(who: &AccountId20) -> Vec<u8> {
    system::storage::Account::key(who)
}

/// Withdrawals, reserves and locks (the currency functions other pallets use).
mod currency;

// ---- wire formats ----

#[test]
fn transfer_keep_alive_call_encoding_is_pinned() {
    let call = Call::transfer_keep_alive { dest: AccountId20([0x11; 20]), value: 1_000 };
    let expected = format!("03{}a10f", "11".repeat(20));
    assert_eq!(hex::encode(call.encode()), expected);
    assert_eq!(Call::decode(&mut &call.encode()[..]), Ok(call));
}

#[test]
fn transfer_allow_death_call_encoding_is_pinned() {
    let call = Call::transfer_allow_death { dest: AccountId20([0x11; 20]), value: 1_000 };
    assert_eq!(hex::encode(call.encode()), format!("00{}a10f", "11".repeat(20)));
    assert_eq!(Call::decode(&mut &call.encode()[..]), Ok(call));
}

#[test]
fn transfer_all_and_force_set_balance_call_encodings_are_pinned() {
    let all = Call::transfer_all { dest: AccountId20([0x11; 20]), keep_alive: true };
    assert_eq!(hex::encode(all.encode()), format!("04{}01", "11".repeat(20)));
    // compact(100) = 0x0191 LE.
    let set = Call::force_set_balance { who: AccountId20([0x22; 20]), new_free: 100 };
    assert_eq!(hex::encode(set.encode()), format!("08{}9101", "22".repeat(20)));
}

#[test]
fn transfer_event_encoding_is_pinned() {
    let event = Event::Transfer { from: AccountId20([0x11; 20]), to: AccountId20([0x22; 20]), amount: 1_000 };
    let expected = format!("02{}{}e803{}", "11".repeat(20), "22".repeat(20), "00".repeat(14));
    assert_eq!(hex::encode(event.encode()), expected);
    // As recorded in the block: the runtime event is `pallet index ++ pallet event`.
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), transfer(bob(), 1_000)), Ok(()));
    let raw = &ext.events()[0].event;
    assert_eq!(raw[0], BALANCES);
    assert_eq!(hex::encode(&raw[1..]), format!("02{}{}e803{}", "01".repeat(20), "02".repeat(20), "00".repeat(14)));
}

#[test]
fn error_indices_are_pinned() {
    let all = [
        (Error::VestingBalance, 0),
        (Error::LiquidityRestrictions, 1),
        (Error::InsufficientBalance, 2),
        (Error::ExistentialDeposit, 3),
        (Error::Expendability, 4),
        (Error::ExistingVestingSchedule, 5),
        (Error::DeadAccount, 6),
        (Error::TooManyReserves, 7),
        (Error::TooManyLocks, 8),
    ];
    for (e, index) in all {
        assert_eq!(e.encode(), vec![index], "{e:?}");
        assert_eq!(
            balances_error(e),
            DispatchError::Module(archive_support::ModuleError { index: BALANCES, error: [index, 0, 0, 0] })
        );
    }
    // DispatchError::Module (3) ++ pallet 10 ++ [2, 0, 0, 0].
    assert_eq!(hex::encode(balances_error(Error::InsufficientBalance).encode()), "030a02000000");
}

// ---- genesis / deposit_creating ----

#[test]
fn deposit_creating_endows_new_accounts() {
    let empty = archive_support::MemoryBackend::default();
    let mut ext = Ext::new(&empty);
    assert_eq!(crate::deposit_creating::<Test>(&mut ext, &alice(), 500), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            sys(system::Event::NewAccount { account: alice() }),
            bal(Event::Endowed { account: alice(), free_balance: 500 }),
            bal(Event::Deposit { who: alice(), amount: 500 }),
        ]
    );
    assert_eq!(info(&ext, &alice()).providers, 1);
    assert_eq!(issuance(&ext), 500);
    // A top-up of an existing account may be below ED and does not endow again.
    ext.take_events();
    assert_eq!(crate::deposit_creating::<Test>(&mut ext, &alice(), 1), Ok(()));
    assert_eq!(events(&ext), vec![bal(Event::Deposit { who: alice(), amount: 1 })]);
    assert_eq!((free(&ext, &alice()), issuance(&ext)), (501, 501));
}

#[test]
fn deposit_creating_below_ed_on_new_account_fails_without_changes() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(
        crate::deposit_creating::<Test>(&mut ext, &dave(), ED - 1),
        Err(balances_error(Error::ExistentialDeposit))
    );
    assert!(ext.events().is_empty());
    assert_eq!(ext.into_changes(), vec![]);
}

// ---- transfer_allow_death ----

#[test]
fn transfer_moves_free_balance_and_conserves_issuance() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    assert_eq!(before, ALICE_FREE + BOB_FREE + CHARLIE_FREE);
    assert_eq!(signed(&mut ext, alice(), transfer(bob(), 3_000)), Ok(()));
    assert_eq!(events(&ext), vec![bal(Event::Transfer { from: alice(), to: bob(), amount: 3_000 })]);
    assert_eq!(free(&ext, &alice()), ALICE_FREE - 3_000);
    assert_eq!(free(&ext, &bob()), BOB_FREE + 3_000);
    assert_eq!(info(&ext, &alice()).nonce, 0, "dispatch does not touch the nonce");
    assert_eq!(issuance(&ext), before);
    assert_issuance_is_sum(&ext);
}

#[test]
fn transfer_to_new_account_creates_and_endows_it() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), transfer(dave(), ED)), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            sys(system::Event::NewAccount { account: dave() }),
            bal(Event::Endowed { account: dave(), free_balance: ED }),
            bal(Event::Transfer { from: alice(), to: dave(), amount: ED }),
        ]
    );
    let d = info(&ext, &dave());
    assert_eq!((d.providers, d.data.free), (1, ED));
    assert_issuance_is_sum(&ext);
}

#[test]
fn transfer_below_ed_to_new_account_fails_with_existential_deposit() {
    let err = balances_error(Error::ExistentialDeposit);
    assert_noop(&default_backend(), RawOrigin::Signed(alice()), transfer(dave(), ED - 1), err);
    assert_noop(&default_backend(), RawOrigin::Signed(alice()), keep_alive(dave(), 1), err);
}

#[test]
fn transfer_above_free_fails_with_insufficient_balance() {
    let err = balances_error(Error::InsufficientBalance);
    let backend = default_backend();
    assert_noop(&backend, RawOrigin::Signed(charlie()), transfer(bob(), CHARLIE_FREE + 1), err);
    assert_noop(&backend, RawOrigin::Signed(charlie()), keep_alive(bob(), CHARLIE_FREE + 1), err);
    // An account that does not exist has nothing to send.
    assert_noop(&backend, RawOrigin::Signed(dave()), transfer(bob(), 1), err);
}

#[test]
fn transfers_require_a_signed_origin() {
    for origin in [RawOrigin::Root, RawOrigin::None] {
        assert_noop(&default_backend(), origin, transfer(bob(), 1), DispatchError::BadOrigin);
        assert_noop(&default_backend(), origin, keep_alive(bob(), 1), DispatchError::BadOrigin);
        let all = Call::transfer_all { dest: bob(), keep_alive: false };
        assert_noop(&default_backend(), origin, all, DispatchError::BadOrigin);
    }
}

#[test]
fn transfer_overflowing_the_destination_fails() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(
            dispatch(ext, RawOrigin::Root, Call::force_set_balance { who: bob(), new_free: u128::MAX - 10 }),
            Ok(())
        );
    });
    let err = DispatchError::Arithmetic(ArithmeticError::Overflow);
    assert_noop(&backend, RawOrigin::Signed(alice()), transfer(bob(), 11), err);
}

#[test]
fn transfer_allow_death_reaps_sender_and_burns_dust() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    assert_eq!(signed(&mut ext, charlie(), transfer(bob(), 950)), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            bal(Event::DustLost { account: charlie(), amount: 50 }),
            sys(system::Event::KilledAccount { account: charlie() }),
            bal(Event::Transfer { from: charlie(), to: bob(), amount: 950 }),
        ]
    );
    assert_eq!(free(&ext, &bob()), BOB_FREE + 950);
    assert_eq!(issuance(&ext), before - 50, "dust leaves circulation");
    assert_issuance_is_sum(&ext);
    let changes = ext.into_changes();
    assert!(changes.contains(&(account_key(&charlie()), None)), "System.Account entry deleted");
}

#[test]
fn transfer_of_everything_reaps_without_dust() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    assert_eq!(signed(&mut ext, charlie(), transfer(bob(), CHARLIE_FREE)), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            sys(system::Event::KilledAccount { account: charlie() }),
            bal(Event::Transfer { from: charlie(), to: bob(), amount: CHARLIE_FREE }),
        ]
    );
    assert!(!system::storage::Account::contains(&ext, &charlie()));
    assert_eq!(issuance(&ext), before);
}

#[test]
fn reaping_forgets_the_nonce() {
    let backend = build_on(&default_backend(), |ext| {
        for _ in 0..3 {
            system::pallet::inc_nonce(ext, &charlie());
        }
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(info(&ext, &charlie()).nonce, 3);
    assert_eq!(signed(&mut ext, charlie(), transfer(bob(), CHARLIE_FREE)), Ok(()));
    assert_eq!(signed(&mut ext, bob(), transfer(charlie(), ED)), Ok(()));
    let c = info(&ext, &charlie());
    assert_eq!((c.nonce, c.providers, c.data.free), (0, 1, ED));
}

#[test]
fn account_with_consumers_is_not_removed_when_its_balance_is_reaped() {
    let backend = build_on(&default_backend(), |ext| {
        let mut c = info(ext, &charlie());
        c.consumers = 1;
        system::storage::Account::insert(ext, &charlie(), &c);
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, charlie(), transfer(bob(), 950)), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            bal(Event::DustLost { account: charlie(), amount: 50 }),
            bal(Event::Transfer { from: charlie(), to: bob(), amount: 950 }),
        ]
    );
    let c = system::storage::Account::get(&ext, &charlie()).expect("record kept while consumed");
    assert_eq!((c.consumers, c.providers, c.data.free), (1, 0, 0));
}

#[test]
fn zero_transfer_succeeds_without_creating_an_account() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), transfer(dave(), 0)), Ok(()));
    assert_eq!(events(&ext), vec![bal(Event::Transfer { from: alice(), to: dave(), amount: 0 })]);
    assert_eq!(ext.into_changes(), vec![]);
}

#[test]
fn transfer_to_self_needs_the_funds_and_changes_nothing() {
    let backend = default_backend();
    let insufficient = balances_error(Error::InsufficientBalance);
    assert_noop(&backend, RawOrigin::Signed(alice()), transfer(alice(), ALICE_FREE + 1), insufficient);
    assert_noop(&backend, RawOrigin::Signed(dave()), transfer(dave(), 1), insufficient);
    let expendability = balances_error(Error::Expendability);
    assert_noop(&backend, RawOrigin::Signed(alice()), keep_alive(alice(), ALICE_FREE), expendability);
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), transfer(alice(), 1_000)), Ok(()));
    assert_eq!(events(&ext), vec![bal(Event::Transfer { from: alice(), to: alice(), amount: 1_000 })]);
    assert_eq!(ext.into_changes(), vec![]);
}

// ---- transfer_keep_alive ----

#[test]
fn transfer_keep_alive_refuses_to_reap_the_sender() {
    let backend = default_backend();
    let err = balances_error(Error::Expendability);
    assert_noop(&backend, RawOrigin::Signed(charlie()), keep_alive(bob(), CHARLIE_FREE - ED + 1), err);
    assert_noop(&backend, RawOrigin::Signed(charlie()), keep_alive(bob(), CHARLIE_FREE), err);
    // Leaving exactly the existential deposit is fine.
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, charlie(), keep_alive(bob(), CHARLIE_FREE - ED)), Ok(()));
    assert_eq!(events(&ext), vec![bal(Event::Transfer { from: charlie(), to: bob(), amount: CHARLIE_FREE - ED })]);
    assert_eq!(free(&ext, &charlie()), ED);
    assert_issuance_is_sum(&ext);
}

#[test]
fn transfer_keep_alive_counts_reserved_toward_the_deposit() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(crate::reserve::<Test>(ext, &charlie(), 50), Ok(()));
    });
    let err = balances_error(Error::Expendability);
    assert_noop(&backend, RawOrigin::Signed(charlie()), keep_alive(bob(), 901), err);
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, charlie(), keep_alive(bob(), 900)), Ok(()));
    let c = info(&ext, &charlie()).data;
    assert_eq!((c.free, c.reserved), (50, 50));
}

// ---- transfer_all ----

#[test]
fn transfer_all_keep_alive_leaves_the_existential_deposit() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), Call::transfer_all { dest: bob(), keep_alive: true }), Ok(()));
    let sent = ALICE_FREE - ED;
    assert_eq!(events(&ext), vec![bal(Event::Transfer { from: alice(), to: bob(), amount: sent })]);
    assert_eq!((free(&ext, &alice()), free(&ext, &bob())), (ED, BOB_FREE + sent));
    assert_issuance_is_sum(&ext);
}

#[test]
fn transfer_all_allow_death_empties_and_reaps_the_sender() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), Call::transfer_all { dest: dave(), keep_alive: false }), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            sys(system::Event::NewAccount { account: dave() }),
            bal(Event::Endowed { account: dave(), free_balance: ALICE_FREE }),
            sys(system::Event::KilledAccount { account: alice() }),
            bal(Event::Transfer { from: alice(), to: dave(), amount: ALICE_FREE }),
        ]
    );
    assert!(!system::storage::Account::contains(&ext, &alice()));
    assert_eq!(free(&ext, &dave()), ALICE_FREE);
    assert_issuance_is_sum(&ext);
}

#[test]
fn transfer_all_sends_everything_unlocked() {
    // A lock of at least ED keeps the account alive by itself: keep_alive sends all unlocked funds.
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(crate::set_lock::<Test>(ext, LOCK_A, &alice(), 3_000), Ok(()));
    });
    for keep in [true, false] {
        let mut ext = Ext::new(&backend);
        assert_eq!(signed(&mut ext, alice(), Call::transfer_all { dest: bob(), keep_alive: keep }), Ok(()));
        assert_eq!(balances_events(&ext), vec![Event::Transfer { from: alice(), to: bob(), amount: 7_000 }]);
        assert_eq!(free(&ext, &alice()), 3_000);
    }
    // A small lock: keep_alive still leaves ED.
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(crate::set_lock::<Test>(ext, LOCK_A, &alice(), 30), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), Call::transfer_all { dest: bob(), keep_alive: true }), Ok(()));
    assert_eq!(free(&ext, &alice()), ED);
}

#[test]
fn transfer_all_keep_alive_counts_reserved_toward_the_deposit() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(crate::reserve::<Test>(ext, &alice(), 40), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, alice(), Call::transfer_all { dest: bob(), keep_alive: true }), Ok(()));
    let a = info(&ext, &alice()).data;
    assert_eq!((a.free, a.reserved), (60, 40));
    assert_eq!(free(&ext, &bob()), BOB_FREE + ALICE_FREE - 100);
}

#[test]
fn transfer_all_below_ed_to_new_account_fails() {
    let err = balances_error(Error::ExistentialDeposit);
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(crate::set_lock::<Test>(ext, LOCK_A, &charlie(), CHARLIE_FREE - 50), Ok(()));
    });
    assert_noop(&backend, RawOrigin::Signed(charlie()), Call::transfer_all { dest: dave(), keep_alive: false }, err);
}

// ---- force_set_balance ----

#[test]
fn force_set_balance_requires_root() {
    let call = Call::force_set_balance { who: bob(), new_free: 1_000_000 };
    assert_noop(&default_backend(), RawOrigin::Signed(alice()), call.clone(), DispatchError::BadOrigin);
    assert_noop(&default_backend(), RawOrigin::None, call, DispatchError::BadOrigin);
}

#[test]
fn force_set_balance_sets_free_and_adjusts_issuance() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    assert_eq!(dispatch(&mut ext, RawOrigin::Root, Call::force_set_balance { who: bob(), new_free: 7_000 }), Ok(()));
    assert_eq!(events(&ext), vec![bal(Event::BalanceSet { who: bob(), free: 7_000 })]);
    assert_eq!(issuance(&ext), before + 2_000);
    assert_eq!(dispatch(&mut ext, RawOrigin::Root, Call::force_set_balance { who: bob(), new_free: 1_000 }), Ok(()));
    assert_eq!(issuance(&ext), before - 4_000);
    assert_eq!(info(&ext, &bob()).providers, 1);
    assert_issuance_is_sum(&ext);
}

#[test]
fn force_set_balance_creates_and_endows_a_new_account() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    assert_eq!(dispatch(&mut ext, RawOrigin::Root, Call::force_set_balance { who: dave(), new_free: 500 }), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            sys(system::Event::NewAccount { account: dave() }),
            bal(Event::Endowed { account: dave(), free_balance: 500 }),
            bal(Event::BalanceSet { who: dave(), free: 500 }),
        ]
    );
    assert_eq!((info(&ext, &dave()).providers, issuance(&ext)), (1, before + 500));
    assert_issuance_is_sum(&ext);
}

#[test]
fn force_set_balance_below_ed_wipes_out_and_reaps() {
    for new_free in [0, ED - 1] {
        let backend = default_backend();
        let mut ext = Ext::new(&backend);
        let before = issuance(&ext);
        assert_eq!(dispatch(&mut ext, RawOrigin::Root, Call::force_set_balance { who: bob(), new_free }), Ok(()));
        assert_eq!(
            events(&ext),
            vec![sys(system::Event::KilledAccount { account: bob() }), bal(Event::BalanceSet { who: bob(), free: 0 }),]
        );
        assert!(!system::storage::Account::contains(&ext, &bob()));
        assert_eq!(issuance(&ext), before - BOB_FREE);
        assert_issuance_is_sum(&ext);
    }
}

#[test]
fn force_set_balance_below_ed_on_a_new_account_mints_nothing() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    assert_eq!(dispatch(&mut ext, RawOrigin::Root, Call::force_set_balance { who: dave(), new_free: ED - 1 }), Ok(()));
    assert_eq!(events(&ext), vec![bal(Event::BalanceSet { who: dave(), free: 0 })]);
    assert!(!system::storage::Account::contains(&ext, &dave()));
    assert_eq!(issuance(&ext), before);
    assert_issuance_is_sum(&ext);
}

// ---- slash (of free balance, locked funds included) ----

#[test]
fn slash_takes_locked_free_funds_and_reduces_issuance() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(crate::set_lock::<Test>(ext, LOCK_A, &alice(), 9_000), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    // 2_000 of alice's 10_000 are slashed although only 1_000 are unlocked.
    assert_eq!(crate::slash::<Test>(&mut ext, &alice(), 2_000), 2_000);
    assert_eq!(events(&ext), vec![bal(Event::Slashed { who: alice(), amount: 2_000 })]);
    let a = info(&ext, &alice()).data;
    assert_eq!((a.free, a.frozen), (ALICE_FREE - 2_000, 9_000), "the caller shrinks the lock itself");
    assert_eq!(issuance(&ext), before - 2_000);
    assert_issuance_is_sum(&ext);
    // More than the free balance: only the free balance goes; the lock keeps the account.
    ext.take_events();
    assert_eq!(crate::slash::<Test>(&mut ext, &alice(), u128::MAX), ALICE_FREE - 2_000);
    assert_eq!(events(&ext), vec![bal(Event::Slashed { who: alice(), amount: ALICE_FREE - 2_000 })]);
    assert_eq!((free(&ext, &alice()), issuance(&ext)), (0, before - ALICE_FREE));
    assert!(system::storage::Account::contains(&ext, &alice()), "still locked, not reaped");
    assert_issuance_is_sum(&ext);
}

#[test]
fn slash_of_nothing_changes_nothing_and_unlocked_remainder_below_ed_is_reaped() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(crate::slash::<Test>(&mut ext, &alice(), 0), 0);
    assert_eq!(crate::slash::<Test>(&mut ext, &dave(), 500), 0, "no account, nothing to slash");
    assert!(ext.events().is_empty());
    assert_eq!(ext.into_changes(), vec![]);
    // Charlie (1_000, no locks) slashed by 950: the 50 left is dust and burned too.
    let mut ext = Ext::new(&backend);
    let before = issuance(&ext);
    assert_eq!(crate::slash::<Test>(&mut ext, &charlie(), 950), 950);
    assert_eq!(
        events(&ext),
        vec![
            bal(Event::DustLost { account: charlie(), amount: 50 }),
            sys(system::Event::KilledAccount { account: charlie() }),
            bal(Event::Slashed { who: charlie(), amount: 950 }),
        ]
    );
    assert_eq!(issuance(&ext), before - CHARLIE_FREE);
    assert_issuance_is_sum(&ext);
}
