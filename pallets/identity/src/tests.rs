//! Tests of the identity pallet: identities and their deposits (here), roles and genesis
//! (`roles`), and the wire encodings of calls, events, errors and storage (`encoding`).

use archive_pallet_balances as balances;
use archive_primitives::ARC;
use archive_support::{DispatchError, Ext, RawOrigin};

use crate::{mock::*, storage::IdentityOf, Call, Error, Event, IdentityInfo, Registration, Role};

/// Calls, events, errors and storage layout pinned byte for byte.
mod encoding;
/// Role grants and revocations, inheritance, `ensure_role` and genesis.
mod roles;

fn bal(e: balances::Event) -> TestEvent {
    TestEvent::Balances(e)
}
fn ident(e: Event) -> TestEvent {
    TestEvent::Identity(e)
}

/// An identity with every field set.
fn full_info() -> IdentityInfo {
    IdentityInfo {
        display: "Bob the Archivist".as_bytes().to_vec(),
        web: Some(b"https://bob.example/about".to_vec()),
        email_hash: Some(crate::email_hash("Bob@Example.org")),
    }
}

// ---- set_identity ----

#[test]
fn set_identity_stores_the_info_and_reserves_the_deposit() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), Call::set_identity { info: full_info() }), Ok(()));
    assert_eq!(
        events(&ext),
        vec![bal(balances::Event::Reserved { who: bob(), amount: DEPOSIT }), ident(Event::IdentitySet { who: bob() }),]
    );
    assert_eq!(crate::identity(&ext, &bob()), Some(Registration { info: full_info(), deposit: DEPOSIT }));
    assert_eq!((free(&ext, &bob()), reserved(&ext, &bob())), (BOB_FREE - DEPOSIT, DEPOSIT));
    assert_eq!(balances::total_issuance(&ext), ALICE_FREE + BOB_FREE + CHARLIE_FREE, "a deposit is not a fee");
}

#[test]
fn set_identity_accepts_the_limits_exactly() {
    let longest_web = format!("https://{}", "a".repeat(crate::MAX_WEB_LEN - "https://".len()));
    let accepted = [
        IdentityInfo { display: vec![b'x'; crate::MAX_DISPLAY_LEN], web: None, email_hash: None },
        // 10 three-byte characters: 30 bytes of UTF-8.
        IdentityInfo { display: "档案档案档案档案档案".as_bytes().to_vec(), web: None, email_hash: None },
        IdentityInfo { display: b"b".to_vec(), web: Some(longest_web.into_bytes()), email_hash: None },
        IdentityInfo { display: b"b".to_vec(), web: Some(b"http://x".to_vec()), email_hash: Some([0; 32]) },
    ];
    for info in accepted {
        let backend = default_backend();
        let mut ext = Ext::new(&backend);
        assert_eq!(signed(&mut ext, bob(), Call::set_identity { info: info.clone() }), Ok(()), "{info:?}");
        assert_eq!(crate::identity(&ext, &bob()).map(|r| r.info), Some(info));
    }
}

#[test]
fn set_identity_again_replaces_the_info_without_a_second_deposit() {
    let backend = build_on(&default_backend(), |ext| assert_eq!(signed(ext, bob(), set_named("bob")), Ok(())));
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), Call::set_identity { info: full_info() }), Ok(()));
    assert_eq!(events(&ext), vec![ident(Event::IdentitySet { who: bob() })]);
    assert_eq!(crate::identity(&ext, &bob()), Some(Registration { info: full_info(), deposit: DEPOSIT }));
    assert_eq!((free(&ext, &bob()), reserved(&ext, &bob())), (BOB_FREE - DEPOSIT, DEPOSIT));
}

#[test]
fn set_identity_after_a_deposit_increase_reserves_only_the_difference() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(signed(ext, bob(), set_named("bob")), Ok(()));
        set_deposit(ext, 3 * ARC);
    });
    let mut ext = Ext::new(&backend);
    // The held deposit does not follow the parameter until the identity is set again.
    assert_eq!(crate::identity(&ext, &bob()).map(|r| r.deposit), Some(DEPOSIT));
    assert_eq!(signed(&mut ext, bob(), set_named("bobby")), Ok(()));
    assert_eq!(
        events(&ext),
        vec![bal(balances::Event::Reserved { who: bob(), amount: 2 * ARC }), ident(Event::IdentitySet { who: bob() }),]
    );
    assert_eq!(crate::identity(&ext, &bob()), Some(Registration { info: named("bobby"), deposit: 3 * ARC }));
    assert_eq!((free(&ext, &bob()), reserved(&ext, &bob())), (BOB_FREE - 3 * ARC, 3 * ARC));
}

#[test]
fn set_identity_after_a_deposit_decrease_returns_the_difference() {
    let backend = build_on(&default_backend(), |ext| {
        set_deposit(ext, 3 * ARC);
        assert_eq!(signed(ext, bob(), set_named("bob")), Ok(()));
        set_deposit(ext, ARC / 4);
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(reserved(&ext, &bob()), 3 * ARC);
    assert_eq!(signed(&mut ext, bob(), set_named("bob")), Ok(()));
    let back = 3 * ARC - ARC / 4;
    assert_eq!(
        events(&ext),
        vec![bal(balances::Event::Unreserved { who: bob(), amount: back }), ident(Event::IdentitySet { who: bob() }),]
    );
    assert_eq!(crate::identity(&ext, &bob()).map(|r| r.deposit), Some(ARC / 4));
    assert_eq!((free(&ext, &bob()), reserved(&ext, &bob())), (BOB_FREE - ARC / 4, ARC / 4));
}

#[test]
fn set_identity_with_a_zero_deposit_needs_no_balance() {
    let backend = build_on(&default_backend(), |ext| set_deposit(ext, 0));
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, dave(), set_named("dave")), Ok(()));
    assert_eq!(events(&ext), vec![ident(Event::IdentitySet { who: dave() })]);
    assert_eq!(crate::identity(&ext, &dave()).map(|r| r.deposit), Some(0));
    assert!(!archive_pallet_system::storage::Account::contains(&ext, &dave()), "no account record created");
}

#[test]
fn set_identity_with_an_invalid_display_fails_with_display_invalid() {
    let err = identity_error(Error::DisplayInvalid);
    let invalid: [&[u8]; 6] = [
        b"",
        &[b'x'; crate::MAX_DISPLAY_LEN + 1],
        &[0xff, 0xfe],
        // A multi-byte character cut in half.
        &"档".as_bytes()[..2],
        b"line\nbreak",
        b"nul\0",
    ];
    for display in invalid {
        let info = IdentityInfo { display: display.to_vec(), web: None, email_hash: None };
        assert_noop(&default_backend(), RawOrigin::Signed(bob()), Call::set_identity { info }, err);
    }
    // Eleven three-byte characters: 33 bytes although only 11 characters.
    assert_noop(&default_backend(), RawOrigin::Signed(bob()), set_named(&"档".repeat(11)), err);
    // The display name is checked before the web address.
    let both = IdentityInfo { display: Vec::new(), web: Some(b"ftp://x".to_vec()), email_hash: None };
    assert_noop(&default_backend(), RawOrigin::Signed(bob()), Call::set_identity { info: both }, err);
}

#[test]
fn set_identity_with_an_invalid_web_address_fails_with_web_invalid() {
    let err = identity_error(Error::WebInvalid);
    let too_long = format!("https://{}", "a".repeat(crate::MAX_WEB_LEN - "https://".len() + 1));
    let invalid: [&[u8]; 10] = [
        b"",
        b"example.org",
        b"ftp://example.org",
        b"HTTPS://example.org",
        b"https://",
        b"http://",
        b"https://exa mple.org",
        b"https://example.org/\n",
        b"https://\xff",
        too_long.as_bytes(),
    ];
    for web in invalid {
        let info = IdentityInfo { display: b"bob".to_vec(), web: Some(web.to_vec()), email_hash: None };
        assert_noop(&default_backend(), RawOrigin::Signed(bob()), Call::set_identity { info }, err);
    }
}

#[test]
fn set_identity_without_the_deposit_fails_with_insufficient_balance() {
    let err = identity_error(Error::InsufficientBalance);
    let backend = default_backend();
    assert_noop(&backend, RawOrigin::Signed(charlie()), set_named("charlie"), err);
    assert_noop(&backend, RawOrigin::Signed(dave()), set_named("dave"), err);
    // Locked funds cannot be reserved either.
    let locked = build_on(&backend, |ext| {
        assert_eq!(balances::set_lock::<Test>(ext, *b"staking ", &bob(), BOB_FREE - DEPOSIT + 1), Ok(()));
    });
    assert_noop(&locked, RawOrigin::Signed(bob()), set_named("bob"), err);
}

#[test]
fn set_identity_that_cannot_cover_a_raised_deposit_keeps_the_old_registration() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(signed(ext, bob(), set_named("bob")), Ok(()));
        set_deposit(ext, BOB_FREE + 1);
    });
    let err = identity_error(Error::InsufficientBalance);
    assert_noop(&backend, RawOrigin::Signed(bob()), set_named("bobby"), err);
    let ext = Ext::new(&backend);
    assert_eq!(crate::identity(&ext, &bob()), Some(Registration { info: named("bob"), deposit: DEPOSIT }));
}

#[test]
fn set_identity_requires_a_signed_origin() {
    for origin in [RawOrigin::Root, RawOrigin::None] {
        assert_noop(&default_backend(), origin, set_named("root"), DispatchError::BadOrigin);
    }
}

// ---- clear_identity ----

#[test]
fn clear_identity_removes_it_and_returns_the_deposit() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(signed(ext, bob(), Call::set_identity { info: full_info() }), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), Call::clear_identity), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            bal(balances::Event::Unreserved { who: bob(), amount: DEPOSIT }),
            ident(Event::IdentityCleared { who: bob(), deposit: DEPOSIT }),
        ]
    );
    assert_eq!(crate::identity(&ext, &bob()), None);
    assert_eq!((free(&ext, &bob()), reserved(&ext, &bob())), (BOB_FREE, 0));
    let changes = ext.into_changes();
    assert!(changes.contains(&(IdentityOf::key(&bob()), None)), "IdentityOf entry deleted");
}

#[test]
fn clear_identity_returns_the_deposit_held_not_the_current_parameter() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(signed(ext, bob(), set_named("bob")), Ok(()));
        set_deposit(ext, 7 * ARC);
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(signed(&mut ext, bob(), Call::clear_identity), Ok(()));
    assert_eq!(
        events(&ext),
        vec![
            bal(balances::Event::Unreserved { who: bob(), amount: DEPOSIT }),
            ident(Event::IdentityCleared { who: bob(), deposit: DEPOSIT }),
        ]
    );
    assert_eq!((free(&ext, &bob()), reserved(&ext, &bob())), (BOB_FREE, 0));
}

#[test]
fn clear_identity_keeps_other_reserves() {
    let backend = build_on(&default_backend(), |ext| {
        assert_eq!(balances::reserve::<Test>(ext, &bob(), 5 * ARC), Ok(()));
        assert_eq!(signed(ext, bob(), set_named("bob")), Ok(()));
    });
    let mut ext = Ext::new(&backend);
    assert_eq!(reserved(&ext, &bob()), 5 * ARC + DEPOSIT);
    assert_eq!(signed(&mut ext, bob(), Call::clear_identity), Ok(()));
    assert_eq!((free(&ext, &bob()), reserved(&ext, &bob())), (BOB_FREE - 5 * ARC, 5 * ARC));
}

#[test]
fn clear_identity_without_one_fails_with_no_identity() {
    let err = identity_error(Error::NoIdentity);
    assert_noop(&default_backend(), RawOrigin::Signed(bob()), Call::clear_identity, err);
    assert_noop(&default_backend(), RawOrigin::Signed(dave()), Call::clear_identity, err);
    // Twice: the second finds nothing.
    let cleared = build_on(&default_backend(), |ext| {
        assert_eq!(signed(ext, bob(), set_named("bob")), Ok(()));
        assert_eq!(signed(ext, bob(), Call::clear_identity), Ok(()));
    });
    assert_noop(&cleared, RawOrigin::Signed(bob()), Call::clear_identity, err);
}

#[test]
fn clear_identity_requires_a_signed_origin() {
    let backend = build_on(&default_backend(), |ext| assert_eq!(signed(ext, bob(), set_named("bob")), Ok(())));
    for origin in [RawOrigin::Root, RawOrigin::None] {
        assert_noop(&backend, origin, Call::clear_identity, DispatchError::BadOrigin);
    }
}

#[test]
fn identity_set_and_cleared_round_trip_conserves_balances() {
    let backend = default_backend();
    let mut ext = Ext::new(&backend);
    for round in 0..3u128 {
        set_deposit(&mut ext, (round + 1) * ARC);
        assert_eq!(signed(&mut ext, bob(), set_named("bob")), Ok(()));
        assert_eq!(reserved(&ext, &bob()), (round + 1) * ARC);
        assert_eq!(signed(&mut ext, bob(), Call::clear_identity), Ok(()));
        assert_eq!((free(&ext, &bob()), reserved(&ext, &bob())), (BOB_FREE, 0));
    }
    assert_eq!(balances::total_issuance(&ext), ALICE_FREE + BOB_FREE + CHARLIE_FREE);
}

// ---- misc ----

#[test]
fn email_hash_is_blake2_of_the_trimmed_lower_cased_address() {
    let expected = archive_primitives::hashing::blake2_256(b"bob@example.org");
    assert_eq!(crate::email_hash("bob@example.org"), expected);
    assert_eq!(crate::email_hash("  Bob@EXAMPLE.org\n"), expected);
    assert_ne!(crate::email_hash("bob@example.com"), expected);
}

#[test]
fn weights_are_of_the_magnitude_of_a_transfer() {
    let transfer = balances::pallet::TRANSFER_WEIGHT;
    let calls = [
        Call::set_identity { info: full_info() },
        Call::clear_identity,
        Call::grant_role { who: bob(), role: Role::User },
        Call::revoke_role { who: bob(), role: Role::User },
    ];
    for call in calls {
        let w = crate::call_weight(&call);
        assert!(w.ref_time >= transfer.ref_time / 3 && w.ref_time <= transfer.ref_time * 3, "{call:?}: {w:?}");
        assert!(w.proof_size > 0 && w.proof_size <= transfer.proof_size * 3, "{call:?}: {w:?}");
    }
    // Registering does more than clearing, which does more than a role change.
    assert!(crate::pallet::SET_IDENTITY_WEIGHT.any_gt(crate::pallet::CLEAR_IDENTITY_WEIGHT));
    assert!(crate::pallet::CLEAR_IDENTITY_WEIGHT.any_gt(crate::pallet::ROLE_WEIGHT));
}
